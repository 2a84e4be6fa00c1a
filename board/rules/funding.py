"""What each partner pays towards the agency per financial year; partnership agreement reminders."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from math import floor

from board.rules.indicators import financial_year_label
from governance.rules.workdays import add_months, long_date

_HUNDRED = Decimal(100)
_PENNY = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Share:
    partner: str
    percent: Decimal


CAMBRIDGESHIRE_AND_PETERBOROUGH_SHARES = (
    Share("Cambridgeshire County Council", Decimal(70)),
    Share("Peterborough City Council", Decimal(30)),
)


def check_shares(shares: Sequence[Share]) -> tuple[str, ...]:
    if not shares:
        return ("Enter each partner's share of the funding",)
    problems = []
    seen = set()
    for share in shares:
        if share.partner in seen:
            problems.append(f"{share.partner} has more than one share")
        seen.add(share.partner)
        if share.percent < 0:
            problems.append(f"{share.partner}'s share cannot be negative")
    total = sum((share.percent for share in shares), start=Decimal(0))
    if total != _HUNDRED:
        problems.append(
            f"The partners' shares add up to {total.normalize():f}%; "
            "they must add up to exactly 100%"
        )
    return tuple(problems)


@dataclass(frozen=True, slots=True)
class Contribution:
    partner: str
    percent: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class YearBudget:
    year: int  # the calendar year the financial year starts in
    indexation_percent: Decimal | None  # None for the base year
    total: Decimal
    contributions: tuple[Contribution, ...]

    @property
    def label(self) -> str:
        return financial_year_label(self.year)


@dataclass(frozen=True, slots=True)
class FundingPlan:
    years: tuple[YearBudget, ...]  # empty while there are problems
    problems: tuple[str, ...]


def plan_funding(
    shares: Sequence[Share],
    base_year: int,
    base_budget: Decimal,
    indexation_percent: Mapping[int, Decimal],
    last_year: int,
) -> FundingPlan:
    problems = list(check_shares(shares))
    problems.extend(_money_problems(base_budget, "The base budget"))
    if last_year < base_year:
        problems.append(
            f"The last year ({financial_year_label(last_year)}) is before "
            f"the base year ({financial_year_label(base_year)})"
        )
    for year in range(base_year + 1, last_year + 1):
        rate = indexation_percent.get(year)
        if rate is None:
            problems.append(f"Enter the indexation rate for {financial_year_label(year)}")
        elif rate <= -_HUNDRED:
            problems.append(
                f"The indexation rate for {financial_year_label(year)} must be more than -100%"
            )
    if problems:
        return FundingPlan(years=(), problems=tuple(problems))

    years = [YearBudget(base_year, None, base_budget, split(base_budget, shares))]
    for year in range(base_year + 1, last_year + 1):
        rate = indexation_percent[year]
        # Each year indexes the budget agreed for the year before, which was a sum in pence.
        total = _to_pence(Fraction(years[-1].total) * (1 + Fraction(rate) / 100))
        years.append(YearBudget(year, rate, total, split(total, shares)))
    return FundingPlan(years=tuple(years), problems=())


def split(total: Decimal, shares: Sequence[Share]) -> tuple[Contribution, ...]:
    problems = check_shares(shares) + _money_problems(total, "The amount to split")
    if problems:
        raise ValueError("; ".join(problems))
    pence = int(total * 100)
    exact = [Fraction(pence) * Fraction(share.percent) / 100 for share in shares]
    amounts = [floor(part) for part in exact]
    # Largest remainder: the pennies lost to rounding down go one each to the largest fractions,
    # so the partners' amounts always add up to the total.
    leftover = pence - sum(amounts)
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - amounts[i], reverse=True)
    for i in by_remainder[:leftover]:
        amounts[i] += 1
    return tuple(
        Contribution(share.partner, share.percent, Decimal(amount).scaleb(-2))
        for share, amount in zip(shares, amounts, strict=True)
    )


def _money_problems(amount: Decimal, name: str) -> tuple[str, ...]:
    if amount < 0:
        return (f"{name} cannot be negative",)
    if amount != amount.quantize(_PENNY):
        return (f"{name} must be in pounds and pence, with at most 2 decimal places",)
    return ()


def _to_pence(amount: Fraction) -> Decimal:
    return Decimal(floor(amount * 100 + Fraction(1, 2))).scaleb(-2)


class MilestoneKind(StrEnum):
    REVIEW_WINDOW_OPENS = "review_window_opens"
    REVIEW_DUE = "review_due"
    TERM_ENDS = "term_ends"


@dataclass(frozen=True, slots=True)
class Agreement:
    term_ends_on: date
    reviews_due_on: tuple[date, ...]
    review_window_months: int  # a review is held in this many months before its due date


CAMBRIDGESHIRE_AND_PETERBOROUGH_AGREEMENT = Agreement(
    term_ends_on=date(2030, 11, 30),
    reviews_due_on=(date(2022, 3, 31),),
    review_window_months=6,
)


@dataclass(frozen=True, slots=True)
class Milestone:
    kind: MilestoneKind
    on: date
    description: str


def milestones(agreement: Agreement) -> tuple[Milestone, ...]:
    found = [
        Milestone(
            MilestoneKind.TERM_ENDS,
            agreement.term_ends_on,
            # Not an end date: C&P's partnership is "to run at least until 30 November 2030,
            # when it will be considered for extension as agreed by both parties" (source 000).
            f"The partnership agreement runs at least until {long_date(agreement.term_ends_on)}"
            ", when it is to be considered for extension as agreed by both parties",
        )
    ]
    for due in agreement.reviews_due_on:
        opens = add_months(due, -agreement.review_window_months) + timedelta(days=1)
        found.append(
            Milestone(
                MilestoneKind.REVIEW_WINDOW_OPENS,
                opens,
                f"The review of the partnership agreement can start on {long_date(opens)}"
                f" and must be done by {long_date(due)}",
            )
        )
        found.append(
            Milestone(
                MilestoneKind.REVIEW_DUE,
                due,
                f"The review of the partnership agreement must be done by {long_date(due)}",
            )
        )
    return tuple(sorted(found, key=lambda m: (m.on, m.kind)))


@dataclass(frozen=True, slots=True)
class AgreementPolicy:
    version: int
    reminder_days_before: int


DEFAULT_AGREEMENT_POLICY = AgreementPolicy(version=1, reminder_days_before=90)


@dataclass(frozen=True, slots=True)
class MilestoneReminder:
    milestone: Milestone
    on: date  # the day it fell due to be sent, whichever day the job runs

    @property
    def key(self) -> tuple[MilestoneKind, date, date]:
        return (self.milestone.kind, self.milestone.on, self.on)


def milestone_reminders(
    agreement: Agreement, today: date, policy: AgreementPolicy
) -> tuple[MilestoneReminder, ...]:
    # Due from N days before until the day itself, under one key: a job that missed a day catches
    # up, and one that runs twice sends nothing twice if it records the keys it has sent.
    reminders = []
    for milestone in milestones(agreement):
        remind_on = milestone.on - timedelta(days=policy.reminder_days_before)
        if remind_on <= today <= milestone.on:
            reminders.append(MilestoneReminder(milestone, remind_on))
    return tuple(reminders)
