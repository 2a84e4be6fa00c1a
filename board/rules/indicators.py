"""Quarterly performance figures per partner: checks, derived ratios, totals and timeliness."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from math import floor
from types import MappingProxyType
from typing import Any

from adm.rules.clocks import ClockKind

_HALF = Fraction(1, 2)
_CLOCK_ORDER = {kind: order for order, kind in enumerate(ClockKind)}
_PENNY = Decimal("0.01")


def rounded_percent(ratio: Fraction) -> int:
    # Half away from zero, as published tables round: 31 / 222 = 13.96 % reads as 14 %.
    hundredths = ratio * 100
    magnitude = floor(abs(hundredths) + _HALF)
    return magnitude if hundredths >= 0 else -magnitude


def whole_percent(ratio: Fraction, *, signed: bool = False) -> str:
    percent = rounded_percent(ratio)
    return f"+{percent}%" if signed and percent > 0 else f"{percent}%"


def financial_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    year: int  # the calendar year its financial year starts in: 2022 for 2022-23
    number: int  # 1 = April-June ... 4 = January-March

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"A financial year has quarters 1 to 4, not {self.number}")

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        months_into_year = (day.month - 4) % 12
        return cls(day.year if day.month >= 4 else day.year - 1, months_into_year // 3 + 1)

    @classmethod
    def parse(cls, label: str) -> "Quarter":
        found = re.fullmatch(r"\s*(\d{4})-(\d{2})\s+Q([1-4])\s*", label)
        if found is None or (int(found[1]) + 1) % 100 != int(found[2]):
            raise ValueError(f"{label!r} is not a quarter like 2022-23 Q3")
        return cls(int(found[1]), int(found[3]))

    @property
    def label(self) -> str:
        return f"{financial_year_label(self.year)} Q{self.number}"

    @property
    def first_day(self) -> date:
        month = 3 * self.number + 1
        return date(self.year, month, 1) if month <= 12 else date(self.year + 1, month - 12, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year, self.number + 1) if self.number < 4 else Quarter(self.year + 1, 1)


def quarters_from(first: Quarter, last: Quarter) -> tuple[Quarter, ...]:
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return tuple(quarters)


class Figure(StrEnum):
    CHILDREN_PLACED = "children_placed"
    EARLY_PERMANENCE_PLACEMENTS = "early_permanence_placements"
    ADOPTION_ORDERS = "adoption_orders"
    CHILDREN_WAITING = "children_waiting"
    SHOULD_BE_PLACED_DECISIONS = "should_be_placed_decisions"
    ENQUIRIES = "enquiries"
    STAGE_1_APPLICATIONS = "stage_1_applications"
    ADOPTER_APPROVALS = "adopter_approvals"
    APPROVED_ADOPTERS_WAITING = "approved_adopters_waiting"
    CHILDREN_WAITING_UNMATCHED = "children_waiting_unmatched"
    ADOPTERS_WAITING_UNMATCHED = "adopters_waiting_unmatched"
    SUPPORT_REFERRALS_ADOPTIVE = "support_referrals_adoptive"
    SUPPORT_REFERRALS_SGO = "support_referrals_sgo"
    ADULT_REFERRALS = "adult_referrals"
    INITIAL_ASSESSMENTS_COMPLETED = "initial_assessments_completed"
    ASF_VALUE_APPROVED = "asf_value_approved"


# Each reads after "the number of" (or "the" for money), so one phrase serves headings and messages.
LABELS: Mapping[Figure, str] = MappingProxyType(
    {
        Figure.CHILDREN_PLACED: "children placed with adopters",
        Figure.EARLY_PERMANENCE_PLACEMENTS: "early permanence placements",
        Figure.ADOPTION_ORDERS: "adoption orders granted",
        Figure.CHILDREN_WAITING: "children waiting to be placed",
        Figure.SHOULD_BE_PLACED_DECISIONS: "new 'should be placed' decisions",
        Figure.ENQUIRIES: "enquiries",
        Figure.STAGE_1_APPLICATIONS: "applications commencing Stage 1",
        Figure.ADOPTER_APPROVALS: "adopter approvals",
        Figure.APPROVED_ADOPTERS_WAITING: "approved adopters waiting",
        Figure.CHILDREN_WAITING_UNMATCHED: "children waiting and not yet matched",
        Figure.ADOPTERS_WAITING_UNMATCHED: "approved adopters waiting and not matched",
        Figure.SUPPORT_REFERRALS_ADOPTIVE: "support referrals of adoptive families",
        Figure.SUPPORT_REFERRALS_SGO: "support referrals of special guardianship families",
        Figure.ADULT_REFERRALS: "referrals for adult support",
        Figure.INITIAL_ASSESSMENTS_COMPLETED: "initial assessments completed",
        Figure.ASF_VALUE_APPROVED: "value of Adoption Support Fund applications approved",
    }
)

# What each figure counts, shown beside it on the pages and in the report.
DEFINITIONS: Mapping[Figure, str] = MappingProxyType(
    {
        Figure.CHILDREN_WAITING: (
            "Children with a placement order or a plan for adoption who have not moved in with "
            "their adoptive family, on the last day of the quarter, matched or not"
        ),
        Figure.APPROVED_ADOPTERS_WAITING: (
            "Approved adopters (a couple counts once) who have no child living with them, on the "
            "last day of the quarter, matched or not"
        ),
        Figure.CHILDREN_WAITING_UNMATCHED: (
            "Of the children waiting, those with no match to adopters recommended or decided, "
            "on the last day of the quarter"
        ),
        Figure.ADOPTERS_WAITING_UNMATCHED: (
            "Of the approved adopters waiting, those not matched with a child, on the last day "
            "of the quarter: the adopters available to the children waiting"
        ),
    }
)

# Counted at the end of a quarter rather than during it: adding up quarters would count the same
# child or adopter again, so a total over several quarters takes these from the latest one.
STOCKS = frozenset(
    {
        Figure.CHILDREN_WAITING,
        Figure.APPROVED_ADOPTERS_WAITING,
        Figure.CHILDREN_WAITING_UNMATCHED,
        Figure.ADOPTERS_WAITING_UNMATCHED,
    }
)

# Added after figures had been recorded: a quarter entered before then has none (None), which is
# "not recorded", never 0.
LATER = frozenset({Figure.CHILDREN_WAITING_UNMATCHED, Figure.ADOPTERS_WAITING_UNMATCHED})

MONEY = frozenset({Figure.ASF_VALUE_APPROVED})


@dataclass(frozen=True, slots=True)
class Figures:
    children_placed: int
    early_permanence_placements: int
    adoption_orders: int
    children_waiting: int
    should_be_placed_decisions: int
    enquiries: int
    stage_1_applications: int
    adopter_approvals: int
    approved_adopters_waiting: int
    support_referrals_adoptive: int
    support_referrals_sgo: int
    adult_referrals: int
    initial_assessments_completed: int
    asf_value_approved: Decimal
    children_waiting_unmatched: int | None = None  # None: not recorded for this quarter
    adopters_waiting_unmatched: int | None = None

    def value(self, figure: Figure) -> int | Decimal | None:
        found: int | Decimal | None = getattr(self, figure.value)
        return found


@dataclass(frozen=True, slots=True)
class FiguresEntry:
    figures: Figures | None  # None while any field is wrong
    errors: Mapping[str, str]  # field name -> message, in form order


def read_figures(raw: Mapping[str, str | int | Decimal | None]) -> FiguresEntry:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for figure in Figure:
        given = raw.get(figure.value)
        text = "" if given is None else str(given).strip()
        reader = _read_money if figure in MONEY else _read_count
        value, error = reader(text, LABELS[figure])
        if error is None:
            values[figure.value] = value
        else:
            errors[figure.value] = error
    figures = None if errors else Figures(**values)
    return FiguresEntry(figures=figures, errors=errors)


def _read_count(text: str, label: str) -> tuple[int, str | None]:
    # Thousands separators are how people type large numbers; they carry no meaning.
    text = re.sub(r"(?<=\d)[,\s](?=\d{3})", "", text)
    if not text:
        return 0, f"Enter the number of {label} (0 if there were none)"
    if re.fullmatch(r"-\s*\d+", text):
        return 0, f"The number of {label} cannot be negative"
    if not re.fullmatch(r"\+?\d+", text):
        return 0, f"The number of {label} must be a whole number, like 12"
    return int(text), None


def _read_money(text: str, label: str) -> tuple[Decimal, str | None]:
    text = re.sub(r"[£,\s]", "", text)
    if not text:
        return Decimal(0), f"Enter the {label} (0 if there were none)"
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        return Decimal(0), f"The {label} must be an amount in pounds, like 544139.50"
    amount = Decimal(text)
    if amount < 0:
        return Decimal(0), f"The {label} cannot be negative"
    if amount != amount.quantize(_PENNY):
        return Decimal(0), f"The {label} must be in pounds and pence, with at most 2 decimal places"
    return amount.quantize(_PENNY), None


@dataclass(frozen=True, slots=True)
class Derived:
    name: str
    formula: str  # with the figures it was worked out from
    value: Fraction | None  # None: not applicable
    shown: str
    not_applicable_because: str | None = None


def conversion(figures: Figures) -> Derived:
    applications, enquiries = figures.stage_1_applications, figures.enquiries
    name = "Conversion from enquiry to Stage 1"
    formula = f"applications commencing Stage 1 / enquiries = {applications} / {enquiries}"
    if enquiries == 0:
        return _not_applicable(name, formula, "there were no enquiries")
    value = Fraction(applications, enquiries)
    return Derived(name=name, formula=formula, value=value, shown=whole_percent(value))


def adopter_gap(figures: Figures) -> Derived:
    """(adopters waiting and not matched - children waiting and not matched) / children waiting
    and not matched. Both are their own figures: the children waiting with a placement order or
    plan, matched or not, would understate the gap by the children already matched (source 001:
    43 children waiting at 31 December 2022, 11 of them linked; 21 adopters for the other 32)."""
    adopters, children = figures.adopters_waiting_unmatched, figures.children_waiting_unmatched
    name = "Adopter gap"
    words = (
        "(approved adopters waiting and not matched - children waiting and not yet matched)"
        " / children waiting and not yet matched"
    )
    if adopters is None or children is None:
        missing = [
            LABELS[f]
            for f, v in (
                (Figure.ADOPTERS_WAITING_UNMATCHED, adopters),
                (Figure.CHILDREN_WAITING_UNMATCHED, children),
            )
            if v is None
        ]
        return _not_applicable(name, words, " and ".join(missing) + " not recorded")
    formula = f"{words} = ({adopters} - {children}) / {children}"
    if children == 0:
        return _not_applicable(name, formula, "no children were waiting and not yet matched")
    value = Fraction(adopters - children, children)
    return Derived(name=name, formula=formula, value=value, shown=whole_percent(value, signed=True))


def derived(figures: Figures) -> tuple[Derived, ...]:
    return conversion(figures), adopter_gap(figures)


def _not_applicable(name: str, formula: str, because: str) -> Derived:
    return Derived(
        name=name,
        formula=formula,
        value=None,
        shown="not applicable",
        not_applicable_because=because,
    )


@dataclass(frozen=True, slots=True)
class PartnerQuarter:
    partner: str
    quarter: Quarter
    figures: Figures


@dataclass(frozen=True, slots=True)
class Total:
    partners: tuple[str, ...]
    quarters: tuple[Quarter, ...]
    figures: Figures
    stocks_at: Quarter  # the waiting counts are those at the end of this quarter
    gaps: tuple[str, ...]  # partners and quarters with no figures, so the total is short of them

    @property
    def derived(self) -> tuple[Derived, ...]:
        # Ratios are worked out again from the summed counts: averaging ratios would weigh a small
        # partner's quarter as heavily as a large one.
        return derived(self.figures)


def total(rows: Iterable[PartnerQuarter]) -> Total:
    rows = tuple(rows)
    if not rows:
        raise ValueError("There are no figures to add up")
    seen = set()
    for row in rows:
        if (row.partner, row.quarter) in seen:
            raise ValueError(f"{row.partner} has two sets of figures for {row.quarter.label}")
        seen.add((row.partner, row.quarter))
    partners = tuple(dict.fromkeys(row.partner for row in rows))
    quarters = tuple(sorted({row.quarter for row in rows}))
    latest = quarters[-1]
    sums: dict[str, Any] = {}
    for field in fields(Figures):
        figure = Figure(field.name)
        counted = [row.figures.value(figure) for row in rows]
        if figure in STOCKS:
            counted = [row.figures.value(figure) for row in rows if row.quarter == latest]
        if any(value is None for value in counted):
            sums[field.name] = None  # a part not recorded: the whole is not known
            continue
        sums[field.name] = sum(
            (value for value in counted if value is not None),
            start=Decimal(0) if figure in MONEY else 0,
        )
    gaps = tuple(
        f"{partner} has no figures for {quarter.label}"
        for quarter in quarters
        for partner in partners
        if (partner, quarter) not in seen
    )
    return Total(
        partners=partners,
        quarters=quarters,
        figures=Figures(**sums),
        stocks_at=latest,
        gaps=gaps,
    )


class Outcome(StrEnum):
    MET = "met"
    MISSED = "missed"  # done, after its deadline
    MISSED_OPEN = "missed_open"  # not done by the end of the period, and past its deadline


def outcome_at(due_on: date, completed_on: date | None, as_of: date) -> Outcome | None:
    """Where a clock due on `due_on` stood at the end of the day `as_of`; None while it is not
    yet due. A clock is counted in the period it falls due in, done or not: counting only those
    completed would leave out every decision still overdue, and flatter the period."""
    if due_on > as_of:
        return None
    if completed_on is not None and completed_on <= as_of:
        return Outcome.MET if completed_on <= due_on else Outcome.MISSED
    return Outcome.MISSED_OPEN


@dataclass(frozen=True, slots=True)
class ClockOutcome:
    clock: ClockKind
    partner: str
    quarter: Quarter
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Timeliness:
    clock: ClockKind
    partner: str
    quarter: Quarter
    met: int
    missed: int  # done late
    missed_open: int = 0  # still not done at the end of the period, past its deadline

    @property
    def due(self) -> int:
        return self.met + self.missed + self.missed_open

    @property
    def share_met(self) -> Fraction:
        return Fraction(self.met, self.due)

    @property
    def shown(self) -> str:
        return whole_percent(self.share_met)


def timeliness(outcomes: Iterable[ClockOutcome]) -> tuple[Timeliness, ...]:
    order = (Outcome.MET, Outcome.MISSED, Outcome.MISSED_OPEN)
    counts: dict[tuple[Quarter, str, ClockKind], list[int]] = {}
    for outcome in outcomes:
        tally = counts.setdefault((outcome.quarter, outcome.partner, outcome.clock), [0, 0, 0])
        tally[order.index(outcome.outcome)] += 1
    return tuple(
        Timeliness(
            clock=clock, partner=partner, quarter=quarter, met=met, missed=late, missed_open=open_
        )
        for (quarter, partner, clock), (met, late, open_) in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1], _CLOCK_ORDER[item[0][2]])
        )
    )
