"""The service's one clock: what time it is for the agency, settable so that tests and rehearsals
can run on any date; everything else is given London dates and times."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from governance import settings

LONDON = ZoneInfo("Europe/London")

# GOVERNANCE_CLOCK moves the whole service (pages, jobs, the demo) to another moment, from which the
# clock then runs on as usual: `2027-12-24` (09:00 London that day) or a full ISO date-time. CI runs
# the suite once with it set, so a test or page that only works in the week it was written fails.


def _wall() -> datetime:
    return datetime.now(UTC)


def parse_moment(text: str) -> datetime:
    """`2027-12-24` (09:00 in London) or an ISO date-time; a naive time is London time."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)
    return datetime.combine(day, time(9), LONDON)


def _offset_from_env() -> timedelta:
    given = settings.clock_start()
    return parse_moment(given) - _wall() if given else timedelta(0)


_offset = _offset_from_env()
_frozen: datetime | None = None


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return _wall() + _offset


def today() -> date:
    return now().astimezone(LONDON).date()


def moved() -> bool:
    """Whether the clock has been moved away from the wall clock (shown to administrators)."""
    return _frozen is not None or _offset != timedelta(0)


def move_to(moment: datetime) -> None:
    """The clock runs on from `moment` (timezone-aware)."""
    global _offset, _frozen
    if moment.tzinfo is None:
        raise ValueError("the clock takes a timezone-aware moment")
    _frozen = None
    _offset = moment - _wall()


def freeze(moment: datetime | None) -> None:
    """The clock stands at `moment` until unfrozen (None)."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock takes a timezone-aware moment")
    _frozen = moment


def advance(by: timedelta) -> None:
    """Move a frozen clock on (or a running one forward)."""
    global _frozen, _offset
    if _frozen is not None:
        _frozen += by
    else:
        _offset += by


@contextmanager
def frozen_at(moment: datetime | date) -> Iterator[None]:
    """Within the block the clock stands at `moment` (a date means 09:00 London that day)."""
    global _frozen
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(9), LONDON)
    before = _frozen
    freeze(moment)
    try:
        yield
    finally:
        _frozen = before


def reset() -> None:
    """Back to the wall clock plus whatever GOVERNANCE_CLOCK says."""
    global _offset, _frozen
    _frozen = None
    _offset = _offset_from_env()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, LONDON)
    return start, datetime.combine(day + timedelta(days=1), time.min, LONDON)


def london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)
