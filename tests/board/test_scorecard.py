"""The scorecard's A1, A2 and A10 and the children waiting 18 months or more (DfE adoption
scorecards; Adoption Leadership Board), from each child's dates, missing ones named."""

from dataclasses import replace
from datetime import date
from fractions import Fraction

from board.rules.scorecard import (
    ChildDates,
    a1,
    a2,
    a10,
    measures,
    waited_long_enough,
    waiting_18_months,
)

YEAR = (date(2026, 4, 1), date(2027, 3, 31))

# Entered care 1 March 2025; placement order 1 September 2025; matched 1 December; moved in
# 5 January 2026; adopted 10 June 2026: 310 days to moving in, 91 days order to match.
CHILD = ChildDates(
    entered_care_on=date(2025, 3, 1),
    placement_order_on=date(2025, 9, 1),
    match_decided_on=date(2025, 12, 1),
    moved_in_on=date(2026, 1, 5),
    adoption_order_on=date(2026, 6, 10),
)


def test_a1_is_the_mean_days_from_entering_care_to_moving_in_for_children_adopted() -> None:
    other = replace(CHILD, entered_care_on=date(2025, 1, 5))  # 365 days
    measure = a1([CHILD, other], *YEAR)
    assert measure.value == Fraction(310 + 365, 2)
    assert measure.shown == "338 days"  # 337.5 rounded to the nearest day
    assert (measure.counted, measure.considered, measure.missing) == (2, 2, ())


def test_a1_counts_only_children_adopted_in_the_period() -> None:
    adopted_before = replace(CHILD, adoption_order_on=date(2026, 3, 31))
    assert a1([adopted_before], *YEAR).shown == "no children to count"


def test_a1_names_each_missing_date_and_counts_the_rest() -> None:
    no_care = replace(CHILD, entered_care_on=None)
    no_move = replace(CHILD, moved_in_on=None)
    measure = a1([CHILD, no_care, no_move, no_move], *YEAR)
    assert (measure.counted, measure.considered) == (1, 4)
    assert measure.missing == (
        "1 child: no date of entering care",
        "2 children: no date of moving in with the adoptive family",
    )


def test_a1_across_a_leap_day_counts_29_february() -> None:
    child = replace(
        CHILD,
        entered_care_on=date(2028, 2, 28),
        moved_in_on=date(2028, 3, 1),
        adoption_order_on=date(2028, 6, 1),
    )
    assert a1([child], date(2028, 4, 1), date(2029, 3, 31)).value == 2


def test_a2_is_placement_order_to_match_and_an_earlier_match_counts_zero() -> None:
    early = replace(CHILD, match_decided_on=date(2025, 8, 20))  # matched before the order
    measure = a2([CHILD, early], *YEAR)
    assert measure.value == Fraction(91, 2)
    assert measure.shown == "46 days"


def test_a2_leaves_out_a_child_with_no_placement_order_and_names_a_missing_match() -> None:
    consent = replace(CHILD, placement_order_on=None)  # placed with consent: not in A2
    unmatched = replace(CHILD, match_decided_on=None)
    measure = a2([CHILD, consent, unmatched], *YEAR)
    assert (measure.counted, measure.considered) == (1, 2)
    assert measure.missing == ("1 child: no date the match was decided",)


def test_a10_counts_a_foster_carer_adoption_to_the_day_the_child_moved_in_with_them() -> None:
    fostered = replace(CHILD, adopted_by_foster_carers=True, fostered_from=date(2025, 3, 31))
    assert a1([fostered], *YEAR).value == 310
    assert a10([fostered], *YEAR).value == 30
    assert a10([CHILD], *YEAR).value == 310


def test_a10_names_a_foster_carer_adoption_without_its_fostering_date() -> None:
    fostered = replace(CHILD, adopted_by_foster_carers=True)
    measure = a10([fostered], *YEAR)
    assert measure.missing == ("1 child: no date of moving in with the foster carers who adopted",)
    assert measure.value is None


def test_eighteen_months_from_31_august_end_on_the_last_day_of_february() -> None:
    assert waited_long_enough(date(2024, 8, 31), date(2026, 2, 28))
    assert not waited_long_enough(date(2024, 8, 31), date(2026, 2, 27))


def test_eighteen_months_from_a_leap_day_end_on_29_august() -> None:
    assert waited_long_enough(date(2024, 2, 29), date(2025, 8, 29))
    assert not waited_long_enough(date(2024, 2, 29), date(2025, 8, 28))


def test_the_share_waiting_18_months_or_more_counts_children_with_an_order_not_yet_placed() -> None:
    on = date(2026, 12, 31)
    waiting_long = ChildDates(
        entered_care_on=date(2025, 6, 30), placement_order_on=date(2026, 1, 5)
    )
    waiting_short = ChildDates(
        entered_care_on=date(2025, 7, 1), placement_order_on=date(2026, 3, 1)
    )
    placed = replace(waiting_long, moved_in_on=date(2026, 12, 1))
    no_order = ChildDates(entered_care_on=date(2020, 1, 1))
    unknown = ChildDates(placement_order_on=date(2026, 5, 1))
    measure = waiting_18_months([waiting_long, waiting_short, placed, no_order, unknown], on)
    assert measure.value == Fraction(1, 2)
    assert measure.shown == "50% (1 of 2)"
    assert (measure.considered, measure.missing) == (3, ("1 child: no date of entering care",))


def test_every_measure_of_a_period_with_no_children_says_so() -> None:
    assert [m.shown for m in measures([], *YEAR)] == [
        "no children to count",
        "no children to count",
        "no children to count",
        "no children waiting",
    ]
