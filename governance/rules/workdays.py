"""Which days are working days; date arithmetic in working days and months; dates in words."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    closed: frozenset[date] = frozenset()
    # A calendar knows the bank holidays of the years it was built for only. Outside them it would
    # quietly count a bank holiday as a working day, so it refuses instead (None: no limit).
    covers_from: date | None = None
    covers_to: date | None = None


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
