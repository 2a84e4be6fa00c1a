from datetime import date, timedelta
from decimal import Decimal

import pytest

from board.rules.funding import (
    CAMBRIDGESHIRE_AND_PETERBOROUGH_AGREEMENT,
    CAMBRIDGESHIRE_AND_PETERBOROUGH_SHARES,
    DEFAULT_AGREEMENT_POLICY,
    MilestoneKind,
    Share,
    check_shares,
    milestone_reminders,
    milestones,
    plan_funding,
    split,
)

CP = CAMBRIDGESHIRE_AND_PETERBOROUGH_SHARES
AGREEMENT = CAMBRIDGESHIRE_AND_PETERBOROUGH_AGREEMENT


def amounts(total: str, shares: tuple[Share, ...] = CP) -> list[tuple[str, Decimal]]:
    return [(c.partner, c.amount) for c in split(Decimal(total), shares)]


def test_cambridgeshire_70_and_peterborough_30_percent_are_valid_shares() -> None:
    assert check_shares(CP) == ()
    assert [share.percent for share in CP] == [Decimal(70), Decimal(30)]


def test_shares_that_do_not_add_up_to_100_percent_are_refused_naming_the_total() -> None:
    shares = (
        Share("Cambridgeshire County Council", Decimal("70")),
        Share("Peterborough", Decimal("29.5")),
    )
    assert check_shares(shares) == (
        "The partners' shares add up to 99.5%; they must add up to exactly 100%",
    )


def test_a_negative_or_repeated_share_is_refused() -> None:
    shares = (Share("A", Decimal(110)), Share("B", Decimal(-5)), Share("A", Decimal(-5)))
    assert check_shares(shares) == (
        "B's share cannot be negative",
        "A has more than one share",
        "A's share cannot be negative",
    )


def test_no_shares_at_all_are_refused() -> None:
    assert check_shares(()) == ("Enter each partner's share of the funding",)


def test_a_budget_is_split_70_30_to_the_penny() -> None:
    assert amounts("1000000.00") == [
        ("Cambridgeshire County Council", Decimal("700000.00")),
        ("Peterborough City Council", Decimal("300000.00")),
    ]


def test_a_penny_lost_to_rounding_goes_to_the_largest_remainder() -> None:
    # 70 % of 1.01 is 0.707 and 30 % is 0.303: rounding both down loses a penny.
    assert amounts("1.01") == [
        ("Cambridgeshire County Council", Decimal("0.71")),
        ("Peterborough City Council", Decimal("0.30")),
    ]
    thirds = (
        Share("A", Decimal("33.333")),
        Share("B", Decimal("33.333")),
        Share("C", Decimal("33.334")),
    )
    assert [amount for _, amount in amounts("1.00", thirds)] == [
        Decimal("0.33"),
        Decimal("0.33"),
        Decimal("0.34"),
    ]


def test_equal_remainders_go_to_the_partners_in_the_order_given() -> None:
    halves = (Share("A", Decimal(50)), Share("B", Decimal(50)))
    assert [amount for _, amount in amounts("0.01", halves)] == [Decimal("0.01"), Decimal("0.00")]


def test_splitting_refuses_fractions_of_a_penny_and_bad_shares() -> None:
    with pytest.raises(ValueError, match="at most 2 decimal places"):
        split(Decimal("1.005"), CP)
    with pytest.raises(ValueError, match="add up to 99%"):
        split(Decimal("1.00"), (Share("A", Decimal(99)),))


def test_indexation_compounds_year_on_year_from_the_base_budget() -> None:
    plan = plan_funding(
        CP,
        base_year=2021,
        base_budget=Decimal("1000000.00"),
        indexation_percent={2022: Decimal("3.5"), 2023: Decimal("2.25")},
        last_year=2023,
    )
    assert plan.problems == ()
    assert [(y.label, y.indexation_percent, y.total) for y in plan.years] == [
        ("2021-22", None, Decimal("1000000.00")),
        ("2022-23", Decimal("3.5"), Decimal("1035000.00")),
        ("2023-24", Decimal("2.25"), Decimal("1058287.50")),
    ]
    last = plan.years[-1]
    assert [c.amount for c in last.contributions] == [Decimal("740801.25"), Decimal("317486.25")]
    for year in plan.years:
        assert sum(c.amount for c in year.contributions) == year.total


def test_each_year_indexes_the_previous_years_budget_in_pence() -> None:
    plan = plan_funding(
        CP,
        base_year=2021,
        base_budget=Decimal("0.10"),
        indexation_percent={2022: Decimal(5), 2023: Decimal(5)},
        last_year=2023,
    )
    # 0.10 -> 0.105, agreed as 0.11 (half up) -> 0.1155, agreed as 0.12; unrounded it would be 0.11.
    assert [y.total for y in plan.years] == [Decimal("0.10"), Decimal("0.11"), Decimal("0.12")]


def test_a_missing_or_impossible_indexation_rate_is_named_by_year() -> None:
    plan = plan_funding(CP, 2021, Decimal("1000000.00"), {2022: Decimal(-100)}, 2023)
    assert plan.years == ()
    assert plan.problems == (
        "The indexation rate for 2022-23 must be more than -100%",
        "Enter the indexation rate for 2023-24",
    )


def test_a_plan_lists_every_problem_at_once() -> None:
    plan = plan_funding((Share("A", Decimal(90)),), 2024, Decimal("-1"), {}, 2023)
    assert plan.problems == (
        "The partners' shares add up to 90%; they must add up to exactly 100%",
        "The base budget cannot be negative",
        "The last year (2023-24) is before the base year (2024-25)",
    )


def test_the_partnership_agreement_milestones() -> None:
    assert [(m.kind, m.on) for m in milestones(AGREEMENT)] == [
        (MilestoneKind.REVIEW_WINDOW_OPENS, date(2021, 10, 1)),
        (MilestoneKind.REVIEW_DUE, date(2022, 3, 31)),
        (MilestoneKind.TERM_ENDS, date(2030, 11, 30)),
    ]
    assert milestones(AGREEMENT)[0].description == (
        "The review of the partnership agreement can start on 1 October 2021 "
        "and must be done by 31 March 2022"
    )


def test_the_2030_milestone_is_to_be_considered_for_extension_not_an_end() -> None:
    # Source 000: "to run at least until 30 November 2030, when it will be considered for
    # extension as agreed by both parties".
    assert milestones(AGREEMENT)[-1].description == (
        "The partnership agreement runs at least until 30 November 2030, when it is to be "
        "considered for extension as agreed by both parties"
    )


def test_a_milestone_reminder_falls_due_the_policy_days_before_it() -> None:
    remind_on = date(2030, 11, 30) - timedelta(days=90)
    assert (
        milestone_reminders(AGREEMENT, remind_on - timedelta(days=1), DEFAULT_AGREEMENT_POLICY)
        == ()
    )
    (reminder,) = milestone_reminders(AGREEMENT, remind_on, DEFAULT_AGREEMENT_POLICY)
    assert reminder.key == (MilestoneKind.TERM_ENDS, date(2030, 11, 30), date(2030, 9, 1))


def test_a_milestone_reminder_keeps_its_key_until_the_day_and_then_stops() -> None:
    on_the_day = milestone_reminders(AGREEMENT, date(2030, 11, 30), DEFAULT_AGREEMENT_POLICY)
    assert [r.key for r in on_the_day] == [
        (MilestoneKind.TERM_ENDS, date(2030, 11, 30), date(2030, 9, 1))
    ]
    assert milestone_reminders(AGREEMENT, date(2030, 12, 1), DEFAULT_AGREEMENT_POLICY) == ()


def test_the_review_window_and_review_due_date_both_remind_in_the_run_up() -> None:
    reminders = milestone_reminders(AGREEMENT, date(2022, 1, 1), DEFAULT_AGREEMENT_POLICY)
    assert [r.milestone.kind for r in reminders] == [MilestoneKind.REVIEW_DUE]
    reminders = milestone_reminders(AGREEMENT, date(2021, 9, 1), DEFAULT_AGREEMENT_POLICY)
    assert [r.milestone.kind for r in reminders] == [MilestoneKind.REVIEW_WINDOW_OPENS]
