from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from adm.rules.clocks import ClockKind
from board.rules.indicators import (
    ClockOutcome,
    Figures,
    Outcome,
    PartnerQuarter,
    Quarter,
    adopter_gap,
    conversion,
    outcome_at,
    read_figures,
    timeliness,
    total,
    whole_percent,
)

MET, LATE, OPEN = Outcome.MET, Outcome.MISSED, Outcome.MISSED_OPEN

CAMBRIDGESHIRE = "Cambridgeshire County Council"
PETERBOROUGH = "Peterborough City Council"

# Cambridgeshire & Peterborough Adoption, April-December 2022 (scrutiny report, source 001).
APRIL_TO_DECEMBER_2022 = Figures(
    children_placed=35,
    early_permanence_placements=13,
    adoption_orders=40,
    children_waiting=43,
    should_be_placed_decisions=50,
    enquiries=222,
    stage_1_applications=31,
    adopter_approvals=23,
    approved_adopters_waiting=21,
    support_referrals_adoptive=55,
    support_referrals_sgo=35,
    adult_referrals=40,
    initial_assessments_completed=104,
    asf_value_approved=Decimal("544139.00"),
    # "21 adopters available for 32 children" (the 43 waiting less the 11 linked for matching).
    children_waiting_unmatched=32,
    adopters_waiting_unmatched=21,
)

AS_TYPED = {
    "children_placed": "35",
    "early_permanence_placements": "13",
    "adoption_orders": "40",
    "children_waiting": "43",
    "should_be_placed_decisions": "50",
    "enquiries": "222",
    "stage_1_applications": "31",
    "adopter_approvals": "23",
    "approved_adopters_waiting": "21",
    "support_referrals_adoptive": "55",
    "support_referrals_sgo": "35",
    "adult_referrals": "40",
    "initial_assessments_completed": "104",
    "asf_value_approved": "£544, 139",  # as printed in the report
    "children_waiting_unmatched": "32",
    "adopters_waiting_unmatched": "21",
}

NOTHING = Figures(
    children_placed=0,
    early_permanence_placements=0,
    adoption_orders=0,
    children_waiting=0,
    should_be_placed_decisions=0,
    enquiries=0,
    stage_1_applications=0,
    adopter_approvals=0,
    approved_adopters_waiting=0,
    support_referrals_adoptive=0,
    support_referrals_sgo=0,
    adult_referrals=0,
    initial_assessments_completed=0,
    asf_value_approved=Decimal("0.00"),
    children_waiting_unmatched=0,
    adopters_waiting_unmatched=0,
)


def children(placed: int, early: int, orders: int, waiting: int, plans: int) -> Figures:
    return replace(
        NOTHING,
        children_placed=placed,
        early_permanence_placements=early,
        adoption_orders=orders,
        children_waiting=waiting,
        should_be_placed_decisions=plans,
    )


def recruitment(enquiries: int, applications: int, adopters_waiting: int = 0) -> Figures:
    return replace(
        NOTHING,
        enquiries=enquiries,
        stage_1_applications=applications,
        approved_adopters_waiting=adopters_waiting,
    )


def test_conversion_is_stage_1_applications_over_enquiries_31_of_222_is_14_percent() -> None:
    derived = conversion(APRIL_TO_DECEMBER_2022)
    assert derived.value == Fraction(31, 222)
    assert derived.shown == "14%"
    assert derived.formula == "applications commencing Stage 1 / enquiries = 31 / 222"


def test_adopter_gap_of_21_adopters_for_32_children_is_minus_34_percent_not_the_quoted_16() -> None:
    # Source 001 prints "-16%" beside 21 adopters for 32 children; the numbers give -34 %.
    derived = adopter_gap(APRIL_TO_DECEMBER_2022)
    assert derived.value == Fraction(-11, 32)
    assert derived.shown == "-34%"
    assert derived.formula == (
        "(approved adopters waiting and not matched - children waiting and not yet matched)"
        " / children waiting and not yet matched = (21 - 32) / 32"
    )


def test_the_adopter_gap_counts_the_unmatched_not_every_child_waiting() -> None:
    # 43 children waiting, 11 of them linked: against all 43 the gap would read -51 %.
    assert APRIL_TO_DECEMBER_2022.children_waiting == 43
    assert adopter_gap(APRIL_TO_DECEMBER_2022).shown == "-34%"
    assert adopter_gap(replace(APRIL_TO_DECEMBER_2022, children_waiting=90)).shown == "-34%"


def test_an_adopter_gap_without_its_unmatched_counts_says_which_is_missing() -> None:
    derived = adopter_gap(replace(APRIL_TO_DECEMBER_2022, children_waiting_unmatched=None))
    assert derived.value is None
    assert derived.not_applicable_because == "children waiting and not yet matched not recorded"


def test_a_total_with_a_quarter_lacking_the_unmatched_counts_does_not_guess_them() -> None:
    rows = [
        PartnerQuarter(PETERBOROUGH, Quarter(2022, 3), APRIL_TO_DECEMBER_2022),
        PartnerQuarter(
            CAMBRIDGESHIRE,
            Quarter(2022, 3),
            replace(NOTHING, children_waiting_unmatched=None, adopters_waiting_unmatched=None),
        ),
    ]
    result = total(rows)
    assert result.figures.children_waiting_unmatched is None
    assert result.derived[1].shown == "not applicable"


def test_a_surplus_of_adopters_shows_a_plus_sign() -> None:
    derived = adopter_gap(
        replace(NOTHING, adopters_waiting_unmatched=84, children_waiting_unmatched=50)
    )
    assert derived.shown == "+68%"


def test_conversion_with_no_enquiries_is_not_applicable_with_its_reason() -> None:
    derived = conversion(NOTHING)
    assert derived.value is None
    assert derived.shown == "not applicable"
    assert derived.not_applicable_because == "there were no enquiries"


def test_adopter_gap_with_no_children_waiting_is_not_applicable_with_its_reason() -> None:
    derived = adopter_gap(replace(NOTHING, adopters_waiting_unmatched=5))
    assert derived.value is None
    assert derived.not_applicable_because == "no children were waiting and not yet matched"


def test_percentages_round_half_away_from_zero() -> None:
    assert whole_percent(Fraction(1, 8)) == "13%"
    assert whole_percent(Fraction(-1, 8)) == "-13%"
    assert whole_percent(Fraction(1, 3)) == "33%"
    assert whole_percent(Fraction(-1, 1000), signed=True) == "0%"


def test_the_report_figures_as_typed_into_the_form_are_accepted() -> None:
    entry = read_figures(AS_TYPED)
    assert entry.errors == {}
    assert entry.figures == APRIL_TO_DECEMBER_2022


def test_figures_given_as_numbers_including_zero_are_accepted() -> None:
    raw: dict[str, str | int | Decimal | None] = {**AS_TYPED, "adult_referrals": 0}
    raw["asf_value_approved"] = Decimal("544139")
    entry = read_figures(raw)
    assert entry.figures == replace(APRIL_TO_DECEMBER_2022, adult_referrals=0)


def test_a_negative_count_is_refused_naming_the_figure() -> None:
    entry = read_figures({**AS_TYPED, "enquiries": "-3"})
    assert entry.figures is None
    assert entry.errors == {"enquiries": "The number of enquiries cannot be negative"}


def test_a_count_that_is_not_a_whole_number_is_refused() -> None:
    entry = read_figures({**AS_TYPED, "children_placed": "3.5"})
    assert entry.errors == {
        "children_placed": "The number of children placed with adopters must be a whole number, "
        "like 12"
    }


def test_a_blank_figure_asks_for_zero_if_there_were_none() -> None:
    entry = read_figures({**AS_TYPED, "adult_referrals": "  "})
    assert entry.errors == {
        "adult_referrals": "Enter the number of referrals for adult support (0 if there were none)"
    }


def test_every_wrong_field_gets_its_own_message() -> None:
    entry = read_figures({**AS_TYPED, "enquiries": "lots", "asf_value_approved": "-1"})
    assert list(entry.errors) == ["enquiries", "asf_value_approved"]
    assert entry.errors["asf_value_approved"] == (
        "The value of Adoption Support Fund applications approved cannot be negative"
    )


def test_money_with_more_than_two_decimal_places_is_refused() -> None:
    entry = read_figures({**AS_TYPED, "asf_value_approved": "544139.005"})
    assert entry.errors == {
        "asf_value_approved": "The value of Adoption Support Fund applications approved must be "
        "in pounds and pence, with at most 2 decimal places"
    }


def test_money_that_is_not_a_number_is_refused() -> None:
    entry = read_figures({**AS_TYPED, "asf_value_approved": "NaN"})
    assert "must be an amount in pounds" in entry.errors["asf_value_approved"]


def test_large_counts_may_be_typed_with_thousands_separators() -> None:
    entry = read_figures({**AS_TYPED, "enquiries": "1,222"})
    assert entry.figures is not None
    assert entry.figures.enquiries == 1222


def test_a_total_across_partners_adds_their_counts() -> None:
    q3 = Quarter(2022, 3)
    result = total(
        [
            PartnerQuarter(PETERBOROUGH, q3, children(11, 6, 15, 19, 24)),
            PartnerQuarter(CAMBRIDGESHIRE, q3, children(24, 7, 25, 24, 26)),
        ]
    )
    assert result.figures == children(35, 13, 40, 43, 50)
    assert result.partners == (PETERBOROUGH, CAMBRIDGESHIRE)
    assert result.gaps == ()


def test_conversion_over_quarters_comes_from_summed_counts_not_averaged_ratios() -> None:
    # An illustrative split of the 222 enquiries and 31 applications over the three quarters:
    # 50 %, 10 % and 11 % averaged would read 24 %.
    rows = [
        PartnerQuarter(CAMBRIDGESHIRE, Quarter(2022, 1), recruitment(20, 10)),
        PartnerQuarter(CAMBRIDGESHIRE, Quarter(2022, 2), recruitment(100, 10)),
        PartnerQuarter(CAMBRIDGESHIRE, Quarter(2022, 3), recruitment(102, 11)),
    ]
    result = total(rows)
    assert (result.figures.enquiries, result.figures.stage_1_applications) == (222, 31)
    assert result.derived[0].shown == "14%"


def test_children_and_adopters_waiting_are_taken_from_the_latest_quarter_not_added_up() -> None:
    rows = [
        PartnerQuarter(PETERBOROUGH, Quarter(2022, 2), children(3, 1, 5, 17, 8)),
        PartnerQuarter(PETERBOROUGH, Quarter(2022, 3), children(4, 2, 5, 19, 9)),
        PartnerQuarter(CAMBRIDGESHIRE, Quarter(2022, 2), children(8, 3, 9, 26, 9)),
        PartnerQuarter(CAMBRIDGESHIRE, Quarter(2022, 3), children(9, 3, 8, 24, 8)),
    ]
    result = total(rows)
    assert result.figures.children_placed == 24
    assert result.figures.children_waiting == 43
    assert result.stocks_at == Quarter(2022, 3)


def test_a_partner_missing_a_quarter_is_named_among_the_totals_gaps() -> None:
    rows = [
        PartnerQuarter(PETERBOROUGH, Quarter(2022, 2), NOTHING),
        PartnerQuarter(CAMBRIDGESHIRE, Quarter(2022, 2), NOTHING),
        PartnerQuarter(CAMBRIDGESHIRE, Quarter(2022, 3), NOTHING),
    ]
    assert total(rows).gaps == ("Peterborough City Council has no figures for 2022-23 Q3",)


def test_two_sets_of_figures_for_one_partner_and_quarter_are_refused() -> None:
    row = PartnerQuarter(PETERBOROUGH, Quarter(2022, 3), NOTHING)
    with pytest.raises(ValueError, match="two sets of figures for 2022-23 Q3"):
        total([row, row])


def test_money_is_added_exactly() -> None:
    rows = [
        PartnerQuarter(
            PETERBOROUGH, Quarter(2022, 3), replace(NOTHING, asf_value_approved=Decimal("0.10"))
        ),
        PartnerQuarter(
            CAMBRIDGESHIRE, Quarter(2022, 3), replace(NOTHING, asf_value_approved=Decimal("0.20"))
        ),
    ]
    assert total(rows).figures.asf_value_approved == Decimal("0.30")


def test_financial_year_quarters_start_in_april() -> None:
    assert Quarter.containing(date(2022, 4, 1)) == Quarter(2022, 1)
    assert Quarter.containing(date(2022, 12, 31)) == Quarter(2022, 3)
    assert Quarter.containing(date(2023, 1, 1)) == Quarter(2022, 4)
    assert Quarter.containing(date(2023, 3, 31)) == Quarter(2022, 4)


def test_a_quarter_is_labelled_by_its_financial_year() -> None:
    q3 = Quarter(2022, 3)
    assert q3.label == "2022-23 Q3"
    assert (q3.first_day, q3.last_day) == (date(2022, 10, 1), date(2022, 12, 31))
    assert Quarter(2022, 4).last_day == date(2023, 3, 31)
    assert Quarter(1999, 1).label == "1999-00 Q1"
    assert Quarter.parse("2022-23 Q3") == q3


def test_a_label_whose_years_do_not_follow_is_not_a_quarter() -> None:
    with pytest.raises(ValueError, match="not a quarter like 2022-23 Q3"):
        Quarter.parse("2022-24 Q1")


def test_timeliness_is_the_share_of_clocks_met_per_partner_and_quarter() -> None:
    q3 = Quarter(2022, 3)
    outcomes = [ClockOutcome(ClockKind.ADM_DECISION, PETERBOROUGH, q3, MET)] * 9
    outcomes.append(ClockOutcome(ClockKind.ADM_DECISION, PETERBOROUGH, q3, LATE))
    outcomes.append(ClockOutcome(ClockKind.ADM_DECISION, CAMBRIDGESHIRE, q3, LATE))
    outcomes.append(ClockOutcome(ClockKind.ADM_DECISION, PETERBOROUGH, Quarter(2022, 2), MET))
    shares = timeliness(outcomes)
    assert [(s.quarter.label, s.partner, s.met, s.missed, s.shown) for s in shares] == [
        ("2022-23 Q2", PETERBOROUGH, 1, 0, "100%"),
        ("2022-23 Q3", CAMBRIDGESHIRE, 0, 1, "0%"),
        ("2022-23 Q3", PETERBOROUGH, 9, 1, "90%"),
    ]
    assert shares[2].share_met == Fraction(9, 10)


def test_a_quarter_that_ends_with_decisions_overdue_and_undecided_counts_them_as_missed() -> None:
    # 2026-27 Q3 is October to December 2026. Four ADM decisions fell due in it: one made on
    # time, one late, one still not made at the end of 31 December 2026, and one due that day
    # and made on 4 January, after the quarter had ended.
    q3 = Quarter(2026, 3)
    end = q3.last_day
    outcomes = [
        outcome_at(date(2026, 10, 20), date(2026, 10, 19), end),
        outcome_at(date(2026, 11, 10), date(2026, 11, 12), end),
        outcome_at(date(2026, 12, 23), None, end),
        outcome_at(date(2026, 12, 31), date(2027, 1, 4), end),  # done after the quarter ended
    ]
    assert outcomes == [MET, LATE, OPEN, OPEN]
    shares = timeliness(
        ClockOutcome(ClockKind.ADM_DECISION, PETERBOROUGH, q3, o) for o in outcomes if o
    )
    assert [(s.due, s.met, s.missed, s.missed_open, s.shown) for s in shares] == [
        (4, 1, 1, 2, "25%")
    ]


def test_a_clock_not_yet_due_at_the_end_of_the_period_is_not_counted() -> None:
    # The quarter to date ends yesterday: a decision due today is not yet late, nor counted.
    assert outcome_at(date(2026, 12, 7), None, date(2026, 12, 6)) is None
    assert outcome_at(date(2026, 12, 6), None, date(2026, 12, 6)) is OPEN
    assert outcome_at(date(2026, 12, 6), date(2026, 12, 6), date(2026, 12, 6)) is MET


def test_a_clock_due_on_the_day_after_a_leap_day_is_judged_by_the_day() -> None:
    end = Quarter(2027, 4).last_day  # 31 March 2028
    assert outcome_at(date(2028, 3, 1), date(2028, 2, 29), end) is MET
    assert outcome_at(date(2028, 2, 29), date(2028, 3, 1), end) is LATE


def test_timeliness_keeps_each_clock_apart() -> None:
    q3 = Quarter(2022, 3)
    shares = timeliness(
        [
            ClockOutcome(ClockKind.TOLD_IN_WRITING, PETERBOROUGH, q3, LATE),
            ClockOutcome(ClockKind.ADM_DECISION, PETERBOROUGH, q3, MET),
        ]
    )
    assert [(s.clock, s.shown) for s in shares] == [
        (ClockKind.ADM_DECISION, "100%"),
        (ClockKind.TOLD_IN_WRITING, "0%"),
    ]
