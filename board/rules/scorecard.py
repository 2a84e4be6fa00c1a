"""The national adoption scorecard's timeliness measures (A1, A2, A10) and the share of children
waiting 18 months or more since entering care, from each child's dates, saying which are missing.

Sources (the Department for Education's adoption scorecards and the Adoption Leadership Board):
- A1 "Average time (in days) between a child entering care and moving in with its adoptive
  family, for children who have been adopted" (Adoption Scorecards: methodology and guidance,
  DfE, March 2019).
- A2 "Average time (in days) between a local authority receiving court authority to place a child
  and the local authority deciding on a match to an adoptive family, for children who have been
  adopted": a mean in days; children with no placement (or freeing) order are excluded, and "a
  time of zero is assigned to children who were matched before court authority was received"
  (LG Inform metric 912, from the DfE scorecard's help text).
- A10 A1 "adjusted for foster carer adoptions": for a child adopted by its foster carers the time
  runs to the day the child moved in with them as foster carers, not the day the placement became
  an adoptive one (DfE, introduced 2012-13; ASGLB quarterly data, which replaced A1 with A10 from
  Q1 2021-22).
- Children waiting: the ALB counts "children with placement orders that have been waiting for 18
  months or more since entering care" (Adoption Leadership Board, April 2017), of the children
  with a placement order not yet placed with an adoptive family.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from math import floor

from board.rules.indicators import whole_percent
from governance.rules.workdays import add_months

WAITING_MONTHS = 18


@dataclass(frozen=True, slots=True)
class ChildDates:
    """One child's dates as the agency holds them: no name, no case papers."""

    entered_care_on: date | None = None
    placement_order_on: date | None = None  # court authority to place
    match_decided_on: date | None = None  # the local authority decided on the match
    moved_in_on: date | None = None  # with the adoptive family (placed for adoption)
    adopted_by_foster_carers: bool = False
    fostered_from: date | None = None  # moved in with the foster carers who went on to adopt
    adoption_order_on: date | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    code: str  # "A1", "A2", "A10", "waiting"
    name: str
    definition: str
    counted: int  # children with every date the measure needs
    considered: int  # children the measure is about
    value: Fraction | None  # days (A1, A2, A10) or a share (waiting); None: nobody to count
    shown: str
    missing: tuple[str, ...]  # "2 children: no date of entering care", one per missing date


A1_DEFINITION = (
    "Average time in days between a child entering care and moving in with its adoptive family, "
    "for children adopted in the period (DfE adoption scorecard A1)"
)
A2_DEFINITION = (
    "Average time in days between the local authority receiving court authority to place a child "
    "(the placement order) and deciding on a match to an adoptive family, for children adopted in "
    "the period; a child matched before the order counts 0 days, and a child with no placement "
    "order is left out (DfE adoption scorecard A2)"
)
A10_DEFINITION = (
    "A1 adjusted for foster carer adoptions: for a child adopted by its foster carers, the time to "
    "the day the child moved in with them as foster carers (DfE adoption scorecard A10)"
)
WAITING_DEFINITION = (
    "Of the children with a placement order who had not moved in with an adoptive family at the "
    f"end of the period, the share who had waited {WAITING_MONTHS} months or more since entering "
    "care (Adoption Leadership Board)"
)


def waited_long_enough(entered_care_on: date, on: date, months: int = WAITING_MONTHS) -> bool:
    """Whether `months` whole calendar months have passed since entering care, on `on`: from
    31 August 2024, 18 months end on 28 February 2026 (the month has no 31st), and from 29
    February 2024 on 29 August 2025."""
    return add_months(entered_care_on, months) <= on


def _days(start: date, end: date) -> int:
    return (end - start).days


def _average(
    code: str,
    name: str,
    definition: str,
    spans: list[int],
    considered: int,
    missing: dict[str, int],
) -> Measure:
    value = Fraction(sum(spans), len(spans)) if spans else None
    shown = "no children to count" if value is None else f"{_round_days(value)} days"
    return Measure(
        code=code,
        name=name,
        definition=definition,
        counted=len(spans),
        considered=considered,
        value=value,
        shown=shown,
        missing=_missing_lines(missing),
    )


def _round_days(value: Fraction) -> int:
    # "Figures are rounded to the nearest day" (DfE); days are never negative, so half rounds up.
    return floor(value + Fraction(1, 2))


def _missing_lines(missing: dict[str, int]) -> tuple[str, ...]:
    return tuple(
        f"{count} {'child' if count == 1 else 'children'}: no {what}"
        for what, count in missing.items()
        if count
    )


def _adopted_in(children: Iterable[ChildDates], first: date, last: date) -> list[ChildDates]:
    return [
        c
        for c in children
        if c.adoption_order_on is not None and first <= c.adoption_order_on <= last
    ]


def a1(children: Iterable[ChildDates], first: date, last: date) -> Measure:
    adopted = _adopted_in(children, first, last)
    spans: list[int] = []
    missing = {"date of entering care": 0, "date of moving in with the adoptive family": 0}
    for child in adopted:
        if child.entered_care_on is None:
            missing["date of entering care"] += 1
        if child.moved_in_on is None:
            missing["date of moving in with the adoptive family"] += 1
        if child.entered_care_on is not None and child.moved_in_on is not None:
            spans.append(_days(child.entered_care_on, child.moved_in_on))
    return _average(
        "A1",
        "Entering care to moving in with the adoptive family",
        A1_DEFINITION,
        spans,
        len(adopted),
        missing,
    )


def a10(children: Iterable[ChildDates], first: date, last: date) -> Measure:
    adopted = _adopted_in(children, first, last)
    spans: list[int] = []
    missing = {
        "date of entering care": 0,
        "date of moving in with the adoptive family": 0,
        "date of moving in with the foster carers who adopted": 0,
    }
    for child in adopted:
        if child.adopted_by_foster_carers:
            end, what = child.fostered_from, "date of moving in with the foster carers who adopted"
        else:
            end, what = child.moved_in_on, "date of moving in with the adoptive family"
        if child.entered_care_on is None:
            missing["date of entering care"] += 1
        if end is None:
            missing[what] += 1
        if child.entered_care_on is not None and end is not None:
            spans.append(_days(child.entered_care_on, end))
    return _average(
        "A10",
        "A1 adjusted for foster carer adoptions",
        A10_DEFINITION,
        spans,
        len(adopted),
        missing,
    )


def a2(children: Iterable[ChildDates], first: date, last: date) -> Measure:
    # Only children with court authority to place are about A2; one without an order is left out
    # by the definition, not missing.
    adopted = [c for c in _adopted_in(children, first, last) if c.placement_order_on is not None]
    spans: list[int] = []
    missing = {"date the match was decided": 0}
    for child in adopted:
        assert child.placement_order_on is not None
        if child.match_decided_on is None:
            missing["date the match was decided"] += 1
            continue
        spans.append(max(0, _days(child.placement_order_on, child.match_decided_on)))
    return _average(
        "A2",
        "Court authority to place to deciding on a match",
        A2_DEFINITION,
        spans,
        len(adopted),
        missing,
    )


def waiting_18_months(children: Iterable[ChildDates], on: date) -> Measure:
    waiting = [
        c
        for c in children
        if c.placement_order_on is not None
        and c.placement_order_on <= on
        and (c.moved_in_on is None or c.moved_in_on > on)
        and (c.adoption_order_on is None or c.adoption_order_on > on)
    ]
    known = [c.entered_care_on for c in waiting if c.entered_care_on is not None]
    long_waits = sum(1 for entered in known if waited_long_enough(entered, on))
    value = Fraction(long_waits, len(known)) if known else None
    shown = (
        "no children waiting"
        if value is None
        else f"{whole_percent(value)} ({long_waits} of {len(known)})"
    )
    return Measure(
        code="waiting",
        name=f"Children waiting {WAITING_MONTHS} months or more since entering care",
        definition=WAITING_DEFINITION,
        counted=len(known),
        considered=len(waiting),
        value=value,
        shown=shown,
        missing=_missing_lines({"date of entering care": len(waiting) - len(known)}),
    )


def measures(children: Iterable[ChildDates], first: date, last: date) -> tuple[Measure, ...]:
    rows = tuple(children)
    return (
        a1(rows, first, last),
        a2(rows, first, last),
        a10(rows, first, last),
        waiting_18_months(rows, last),
    )
