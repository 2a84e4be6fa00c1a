"""The working calendars of an agency: the statutory one (AAR reg 2: weekends, Christmas Day, Good
Friday and bank holidays in England and Wales) and the agency's own, which also skips its closure
days."""

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays

from governance.rules.workdays import Calendars, WorkingCalendar, statutory_days_off


def bank_holidays(years: Iterable[int]) -> frozenset[date]:
    return _bank_holidays(tuple(sorted(set(years))))


@lru_cache(maxsize=32)
def _bank_holidays(years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years))


def _span(years: Iterable[int]) -> range:
    given = set(years)
    if not given:
        raise ValueError("A working calendar needs at least one year.")
    # Every year between the first and the last, so no gap goes without its bank holidays.
    return range(min(given), max(given) + 1)


def statutory_calendar(years: Iterable[int]) -> WorkingCalendar:
    """Working days as AAR reg 2 defines them: the agency's closure days play no part."""
    span = _span(years)
    return WorkingCalendar(
        closed=statutory_days_off(span, bank_holidays(span)),
        covers_from=date(span.start, 1, 1),
        covers_to=date(span.stop - 1, 12, 31),
    )


def working_calendar(years: Iterable[int], closure_days: Iterable[date] = ()) -> WorkingCalendar:
    """The agency's calendar: the statutory days off and its own closure days."""
    statutory = statutory_calendar(years)
    return WorkingCalendar(
        closed=statutory.closed | frozenset(closure_days),
        covers_from=statutory.covers_from,
        covers_to=statutory.covers_to,
    )


def working_calendars(years: Iterable[int], closure_days: Iterable[date] = ()) -> Calendars:
    span = _span(years)
    return Calendars(
        statutory=statutory_calendar(span), agency=working_calendar(span, closure_days)
    )


def working_calendar_for(
    start: date, end: date, closure_days: Iterable[date] = ()
) -> WorkingCalendar:
    return working_calendar((start.year, end.year), closure_days)
