"""The dates a meeting pattern gives, those it skips and why, and months left without a panel."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta

from governance.rules.workdays import WorkingCalendar, add_working_days, long_date

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ORDINALS = {
    "1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3,
    "4th": 4, "fourth": 4, "5th": 5, "fifth": 5, "last": -1,
}  # fmt: skip
EXAMPLE = "2nd and 4th Thursday, 10:00-13:00"


@dataclass(frozen=True, slots=True)
class Pattern:
    weekday: int  # Monday is 0
    ordinals: tuple[int, ...] = ()  # which of the month's weekdays; -1 the last; empty: see every
    every: int = 0  # 1: every week, 2: every other week (from the first date on or after start)
    starts: time | None = None
    ends: time | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    on: date
    reason: str


@dataclass(frozen=True, slots=True)
class Dates:
    dates: tuple[date, ...]
    skipped: tuple[Skipped, ...]


class PatternError(ValueError):
    pass


_TIMES = re.compile(r"(\d{1,2})[:.](\d{2})\s*(?:-|–|to)\s*(\d{1,2})[:.](\d{2})")


def parse(text: str) -> Pattern:
    cleaned = " ".join(text.casefold().replace(",", " ").split())
    starts = ends = None
    found = _TIMES.search(cleaned)
    if found:
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        try:
            starts, ends = time(h1, m1), time(h2, m2)
        except ValueError:
            raise PatternError(f"{found.group(0)} is not a time of day, like 10:00-13:00") from None
        if ends <= starts:
            raise PatternError("The meeting must end after it starts")
        cleaned = (cleaned[: found.start()] + cleaned[found.end() :]).strip()
    words = [w for w in cleaned.split() if w not in {"and", "of", "each", "month", "the", "on"}]
    weekday = next(
        (WEEKDAYS.index(w.rstrip("s")) for w in words if w.rstrip("s") in WEEKDAYS), None
    )
    if weekday is None:
        raise PatternError(f"Say which day of the week, like {EXAMPLE}")
    rest = [w for w in words if w.rstrip("s") not in WEEKDAYS]
    if rest in (["every"], ["weekly"]):
        return Pattern(weekday, every=1, starts=starts, ends=ends)
    if rest in (["every", "other"], ["fortnightly"], ["every", "second", "week"]):
        return Pattern(weekday, every=2, starts=starts, ends=ends)
    ordinals = []
    for word in rest:
        if word not in ORDINALS:
            raise PatternError(f"'{word}' is not understood: write a pattern like {EXAMPLE}")
        ordinals.append(ORDINALS[word])
    if not ordinals:
        raise PatternError(f"Say which weeks of the month, like {EXAMPLE}")
    return Pattern(weekday, tuple(dict.fromkeys(ordinals)), starts=starts, ends=ends)


def dates(pattern: Pattern, start: date, end: date, closed: Mapping[date, str]) -> Dates:
    if end < start:
        raise PatternError("The last date must be on or after the first")
    found: list[date] = []
    skipped: list[Skipped] = []
    for day in _candidates(pattern, start, end):
        if day in closed:
            skipped.append(Skipped(day, closed[day]))
        else:
            found.append(day)
    return Dates(tuple(found), tuple(skipped))


def _candidates(pattern: Pattern, start: date, end: date) -> Iterable[date]:
    first = start + timedelta(days=(pattern.weekday - start.weekday()) % 7)
    if pattern.every:
        day = first
        while day <= end:
            yield day
            day += timedelta(days=7 * pattern.every)
        return
    month = date(start.year, start.month, 1)
    while month <= end:
        in_month = [
            d
            for d in (month + timedelta(days=n) for n in range(31))
            if d.month == month.month and d.weekday() == pattern.weekday
        ]
        chosen = sorted(
            {
                in_month[n - 1] if n > 0 else in_month[-1]
                for n in pattern.ordinals
                if n <= len(in_month)
            }
        )
        yield from (d for d in chosen if start <= d <= end)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_without_panel(
    held_on: Iterable[date], start: date, end: date
) -> tuple[tuple[int, int], ...]:
    # NMS 17.3: the panel meets at least monthly. Only whole calendar months inside the window
    # are judged, so a window starting mid-month does not blame the part before it.
    have = {(d.year, d.month) for d in held_on}
    missing = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        if (year, month) not in have:
            missing.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(missing)


def paper_deadline(meeting_on: date, working_days: int, cal: WorkingCalendar) -> date:
    # "5 working days before" the meeting: count back from the meeting day, not counting it.
    return add_working_days(meeting_on, -working_days, cal)


def describe_skip(skipped: Skipped) -> str:
    return f"{long_date(skipped.on)}: {skipped.reason}"
