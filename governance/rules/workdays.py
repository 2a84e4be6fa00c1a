"""Which days are working days; date arithmetic in working days and months; dates in words."""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    closed: frozenset[date] = frozenset()
    # A calendar knows the bank holidays of the years it was built for only. Outside them it would
    # quietly count a bank holiday as a working day, so it refuses instead (None: no limit).
    covers_from: date | None = None
    covers_to: date | None = None


class CalendarKind(StrEnum):
    # A period the regulations or the statutory guidance set is counted in statutory working days;
    # the agency's own guidance clocks may also skip the days the agency is closed.
    STATUTORY = "statutory"
    AGENCY = "agency"


@dataclass(frozen=True, slots=True)
class Calendars:
    """Both calendars of one agency over the same years: each clock counts in the one it names."""

    statutory: WorkingCalendar
    agency: WorkingCalendar

    def of(self, kind: CalendarKind) -> WorkingCalendar:
        return self.statutory if kind is CalendarKind.STATUTORY else self.agency


def statutory_days_off(years: Iterable[int], bank_holidays: frozenset[date]) -> frozenset[date]:
    """The weekdays that are not working days in law: "any day other than a Saturday, Sunday,
    Christmas Day, Good Friday or a day which is a bank holiday" (AAR reg 2). Christmas Day and
    Good Friday are named because in England they are common-law holidays, not bank holidays
    under the Banking and Financial Dealings Act 1971, so a bank-holiday list may lack them.
    An agency's own closure days are never among them."""
    named = set()
    for year in years:
        named.add(date(year, 12, 25))
        named.add(easter_sunday(year) - timedelta(days=2))
    return bank_holidays | frozenset(named)


def easter_sunday(year: int) -> date:
    # The Gregorian computus (Meeus/Jones/Butcher); tests check it against the bank holidays.
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * el) // 433
    month = (h + el - 7 * m + 90) // 25
    return date(year, month, (h + el - 7 * m + 33 * month + 19) % 32)


def is_working_day(day: date, cal: WorkingCalendar) -> bool:
    if (cal.covers_from is not None and day < cal.covers_from) or (
        cal.covers_to is not None and day > cal.covers_to
    ):
        raise ValueError(
            f"The working calendar does not cover {day.isoformat()}: "
            "build it for that year as well."
        )
    return day.weekday() < _SATURDAY and day not in cal.closed


def add_working_days(day: date, n: int, cal: WorkingCalendar) -> date:
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    left = abs(n)
    while left:
        day += step
        if is_working_day(day, cal):
            left -= 1
    return day


def working_days_between(start: date, end: date, cal: WorkingCalendar) -> int:
    """The working days after `start` up to and including `end` (negative when end is earlier).
    Counted by arithmetic, not day by day: the clocks page counts months-long spans for hundreds
    of items on every view."""
    if end < start:
        return -working_days_between(end, start, cal)
    if end == start:
        return 0
    for day in (start + _ONE_DAY, end):
        is_working_day(day, cal)  # refuses a span the calendar does not cover
    closed = sum(1 for day in cal.closed if start < day <= end and day.weekday() < _SATURDAY)
    return _weekdays_to(end) - _weekdays_to(start) - closed


def _weekdays_to(day: date) -> int:
    # Ordinal 1 (1 January of year 1) was a Monday: every 7 days hold 5 weekdays.
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def last_of_working_days_beginning_with(day: date, n: int, cal: WorkingCalendar) -> date:
    """The last day of a period of `n` working days *beginning with* `day`: that day is day 1 when
    it is a working day (AAR reg 30B(5)(c): "within 40 working days beginning with the date on
    which the notification was sent"). A day that is not a working day cannot be one of the `n`,
    so a period beginning on a Saturday or a bank holiday has its day 1 on the next working day.
    Both cases are "the n-th working day on or after `day`"."""
    if n < 1:
        raise ValueError("A period beginning with a day lasts at least one working day.")
    return add_working_days(day - _ONE_DAY, n, cal)


def next_working_day(day: date, cal: WorkingCalendar) -> date:
    return add_working_days(day, 1, cal)


def previous_working_day(day: date, cal: WorkingCalendar) -> date:
    return add_working_days(day, -1, cal)


def add_months(day: date, n: int) -> date:
    # A month on from 31 January is the last day of February, not a day in March.
    year, month_index = divmod(day.year * 12 + day.month - 1 + n, 12)
    month = month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
