from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from board.rules.attendance import (
    DEFAULT_ATTENDANCE_POLICY,
    DEFAULT_QUORUM_POLICY,
    Attendance,
    BoardMember,
    BoardRole,
    Mark,
    Tally,
    attendance_over_window,
    board_quorum,
)

CAMBRIDGESHIRE = "Cambridgeshire County Council"
PETERBOROUGH = "Peterborough City Council"
PARTNERS = (CAMBRIDGESHIRE, PETERBOROUGH)

chair = BoardMember(1, "Assistant Director", CAMBRIDGESHIRE, BoardRole.CHAIR)
vice_chair = BoardMember(2, "Head of Service", PETERBOROUGH, BoardRole.VICE_CHAIR)
finance = BoardMember(3, "Finance Manager", CAMBRIDGESHIRE)
commissioning = BoardMember(4, "Commissioning Manager", PETERBOROUGH)
adopter = BoardMember(5, "Adopter member", None)
BOARD = (chair, vice_chair, finance, commissioning, adopter)

# Quarterly meetings in the twelve months to 31 March 2023.
MEETINGS = (date(2022, 4, 20), date(2022, 7, 20), date(2022, 10, 19), date(2023, 1, 18))
YEAR_END = date(2023, 3, 31)


def marks(member: BoardMember, *attendance: Attendance) -> list[Mark]:
    held = MEETINGS[: len(attendance)]
    return [Mark(member.id, held_on, a) for held_on, a in zip(held, attendance, strict=True)]


P, A, D, X = (
    Attendance.PRESENT,
    Attendance.APOLOGIES,
    Attendance.DEPUTY_SENT,
    Attendance.ABSENT,
)


def test_a_partner_below_75_percent_over_twelve_months_is_flagged() -> None:
    record = marks(vice_chair, P, A, P, X) + marks(commissioning, P, A, A, P)
    report = attendance_over_window(BOARD, PARTNERS, record, YEAR_END, DEFAULT_ATTENDANCE_POLICY)
    peterborough = report.partners[1]
    assert peterborough.rate == Fraction(4, 8)
    assert peterborough.shown == "50%"
    assert peterborough.flag == (
        "attended 4 of 8 meetings (50%) in the 12 months to 31 March 2023, under the 75% threshold"
    )
    assert (
        "Peterborough City Council: attended 4 of 8 meetings (50%) in the 12 months to "
        "31 March 2023, under the 75% threshold"
    ) in report.flags


def test_a_member_at_exactly_75_percent_is_not_flagged() -> None:
    report = attendance_over_window(
        BOARD, PARTNERS, marks(finance, P, P, A, P), YEAR_END, DEFAULT_ATTENDANCE_POLICY
    )
    assert (report.members[2].shown, report.members[2].flag) == ("75%", None)


def test_a_member_with_no_meetings_in_the_window_has_no_meetings_not_zero_percent() -> None:
    report = attendance_over_window(BOARD, PARTNERS, [], YEAR_END, DEFAULT_ATTENDANCE_POLICY)
    assert all(row.rate is None for row in report.members + report.partners)
    assert report.members[4].shown == "no meetings"
    assert report.flags == ()


def test_a_deputy_sent_counts_as_attended_but_is_reported_separately() -> None:
    report = attendance_over_window(
        BOARD, PARTNERS, marks(finance, P, D, D, P), YEAR_END, DEFAULT_ATTENDANCE_POLICY
    )
    member, partner = report.members[2], report.partners[0]
    assert member.tally == Tally(present=2, deputy_sent=2)
    assert (member.attended, member.shown, member.flag) == (4, "100%", None)
    assert (partner.attended, partner.shown) == (4, "100%")


def test_a_members_own_attendance_is_shown_apart_from_attendance_by_their_deputy() -> None:
    # The internal audit's concern was named members (source 001): a deputy keeps the seat
    # filled, and the report still says how often the member came in person.
    report = attendance_over_window(
        BOARD, PARTNERS, marks(finance, P, D, D, P), YEAR_END, DEFAULT_ATTENDANCE_POLICY
    )
    member = report.members[2]
    assert (member.shown, member.own_shown, member.by_deputy) == ("100%", "50%", 2)
    assert member.own_rate == Fraction(1, 2)
    assert member.own_flag == (
        "attended in person 2 of 4 meetings (50%) in the 12 months to 31 March 2023, "
        "under the 75% threshold"
    )
    assert report.flags == ()
    assert report.own_flags == (f"Finance Manager: {member.own_flag}",)


def test_a_member_who_came_in_person_has_the_same_own_and_counted_attendance() -> None:
    report = attendance_over_window(
        BOARD, PARTNERS, marks(finance, P, P, A, P), YEAR_END, DEFAULT_ATTENDANCE_POLICY
    )
    member = report.members[2]
    assert (member.shown, member.own_shown, member.own_flag) == ("75%", "75%", None)
    assert report.own_flags == ()


def test_a_policy_where_deputies_do_not_count_flags_the_member_who_sends_them() -> None:
    policy = replace(
        DEFAULT_ATTENDANCE_POLICY,
        version=2,
        deputy_counts_for_member=False,
        deputy_counts_for_partner=False,
    )
    report = attendance_over_window(BOARD, PARTNERS, marks(finance, P, D, D, P), YEAR_END, policy)
    assert report.members[2].shown == "50%"
    assert report.partners[0].shown == "50%"
    assert report.policy_version == 2


def test_the_partner_rate_may_count_deputies_while_the_member_rate_does_not() -> None:
    policy = replace(DEFAULT_ATTENDANCE_POLICY, deputy_counts_for_member=False)
    report = attendance_over_window(BOARD, PARTNERS, marks(finance, P, D, D, P), YEAR_END, policy)
    assert report.members[2].flag is not None
    assert report.partners[0].flag is None


def test_meetings_outside_the_rolling_twelve_months_are_not_counted() -> None:
    record = [
        Mark(finance.id, date(2022, 3, 31), X),  # a year and a day before the end: outside
        Mark(finance.id, date(2022, 4, 1), P),
        Mark(finance.id, date(2023, 3, 31), P),
        Mark(finance.id, date(2023, 4, 1), X),  # after the end
    ]
    report = attendance_over_window(BOARD, PARTNERS, record, YEAR_END, DEFAULT_ATTENDANCE_POLICY)
    assert (report.first_day, report.last_day) == (date(2022, 4, 1), date(2023, 3, 31))
    assert report.members[2].tally == Tally(present=2)


def test_a_rate_just_under_the_threshold_is_never_shown_as_the_threshold() -> None:
    policy = replace(DEFAULT_ATTENDANCE_POLICY, threshold_percent=Decimal("67"))
    record = marks(finance, P, P, X)
    report = attendance_over_window(BOARD, PARTNERS, record, YEAR_END, policy)
    assert report.members[2].rate == Fraction(2, 3)
    assert report.members[2].shown == "66%"
    assert report.members[2].flag is not None


def test_the_adopter_member_counts_towards_no_partner() -> None:
    report = attendance_over_window(
        BOARD, PARTNERS, marks(adopter, X, X, X, X), YEAR_END, DEFAULT_ATTENDANCE_POLICY
    )
    assert report.members[4].shown == "0%"
    assert [row.rate for row in report.partners] == [None, None]


def test_attendance_for_a_member_not_on_the_board_is_an_error() -> None:
    with pytest.raises(ValueError, match="member 99"):
        attendance_over_window(
            BOARD, PARTNERS, [Mark(99, MEETINGS[0], P)], YEAR_END, DEFAULT_ATTENDANCE_POLICY
        )


def test_a_member_of_an_unknown_partner_is_an_error() -> None:
    stranger = BoardMember(9, "Visitor", "Norfolk County Council")
    with pytest.raises(ValueError, match="Norfolk County Council, which is not a partner"):
        attendance_over_window(
            (*BOARD, stranger), PARTNERS, [], YEAR_END, DEFAULT_ATTENDANCE_POLICY
        )


def test_the_chair_and_someone_from_every_partner_make_the_board_quorate() -> None:
    verdict = board_quorum(
        BOARD, PARTNERS, {chair.id: P, commissioning.id: P, finance.id: A}, DEFAULT_QUORUM_POLICY
    )
    assert verdict.quorate
    assert verdict.shortfalls == ()
    assert verdict.policy_version == 1


def test_a_deputy_counts_for_their_partner() -> None:
    verdict = board_quorum(
        BOARD, PARTNERS, {chair.id: P, commissioning.id: D}, DEFAULT_QUORUM_POLICY
    )
    assert verdict.quorate


def test_a_vice_chair_stands_in_for_the_chair() -> None:
    verdict = board_quorum(
        BOARD, PARTNERS, {chair.id: A, vice_chair.id: P, finance.id: P}, DEFAULT_QUORUM_POLICY
    )
    assert verdict.quorate


def test_an_inquorate_board_names_every_shortfall() -> None:
    verdict = board_quorum(
        BOARD,
        PARTNERS,
        {chair.id: A, vice_chair.id: X, finance.id: P, commissioning.id: A, adopter.id: P},
        DEFAULT_QUORUM_POLICY,
    )
    assert not verdict.quorate
    assert verdict.shortfalls == (
        "neither the chair nor a vice chair is present",
        "no representative of Peterborough City Council is present",
    )


def test_a_deputy_sent_by_the_chair_represents_the_partner_but_does_not_chair() -> None:
    verdict = board_quorum(
        BOARD, PARTNERS, {chair.id: D, commissioning.id: P}, DEFAULT_QUORUM_POLICY
    )
    assert verdict.shortfalls == ("neither the chair nor a vice chair is present",)


def test_terms_of_reference_may_refuse_deputies_and_set_a_number() -> None:
    policy = replace(
        DEFAULT_QUORUM_POLICY, version=3, deputy_represents_partner=False, minimum_attending=4
    )
    verdict = board_quorum(BOARD, PARTNERS, {chair.id: P, commissioning.id: D}, policy)
    assert verdict.shortfalls == (
        "2 attending, 4 needed",
        "no representative of Peterborough City Council is present",
    )
    assert verdict.policy_version == 3
