"""The one place that reads the wall clock; everything else is given London dates and times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(LONDON).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, LONDON)
    return start, datetime.combine(day + timedelta(days=1), time.min, LONDON)


def london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)
