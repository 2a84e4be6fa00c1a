"""The working calendar of an agency: bank holidays in England and Wales plus its closure days."""

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays

from governance.rules.workdays import WorkingCalendar


def bank_holidays(years: Iterable[int]) -> frozenset[date]:
    return _bank_holidays(tuple(sorted(set(years))))


@lru_cache(maxsize=32)
def _bank_holidays(years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years))


def working_calendar(years: Iterable[int], closure_days: Iterable[date] = ()) -> WorkingCalendar:
    given = set(years)
    if not given:
        raise ValueError("A working calendar needs at least one year.")
    # Every year between the first and the last, so no gap goes without its bank holidays.
    first, last = min(given), max(given)
    return WorkingCalendar(
        closed=bank_holidays(range(first, last + 1)) | frozenset(closure_days),
        covers_from=date(first, 1, 1),
        covers_to=date(last, 12, 31),
    )


def working_calendar_for(
    start: date, end: date, closure_days: Iterable[date] = ()
) -> WorkingCalendar:
    return working_calendar((start.year, end.year), closure_days)
