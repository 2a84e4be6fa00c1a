from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from panel.rules import quorum
from panel.rules.members import Member, Seat
from panel.rules.quorum import JOINT_PANEL_QUORUM, STATUTORY_QUORUM, Attendance

LONDON = ZoneInfo("Europe/London")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, 12, hour, minute, tzinfo=LONDON)


chair = Member(1, "Ann Chair", frozenset({Seat.CHAIR}), independent=True)
social_worker = Member(2, "Dan Worker", frozenset({Seat.SOCIAL_WORKER}), pqe_years=5)
adopter = Member(3, "Gil Adopter", frozenset({Seat.INDEPENDENT}), independent=True)
medical_adviser = Member(4, "Fay Medic", frozenset({Seat.MEDICAL_ADVISER}))
specialist = Member(5, "Kim Spec", frozenset({Seat.SPECIALIST}))
vice_chair = Member(6, "Cat Vice", frozenset({Seat.VICE_CHAIR}), independent=True)
panel_adviser = Member(7, "Pat Adviser", frozenset({Seat.PANEL_ADVISER}), pqe_years=12)
junior_worker = Member(8, "Jo Newly", frozenset({Seat.SOCIAL_WORKER}), pqe_years=2)

FIVE = [chair, social_worker, adopter, medical_adviser, specialist]


def whole_day(*members: Member) -> list[Attendance]:
    return [Attendance(member, at(9, 30), None) for member in members]


def test_five_members_with_a_chair_a_qualified_social_worker_and_an_independent_are_quorate() -> (
    None
):
    verdict = quorum.check(FIVE, STATUTORY_QUORUM)

    assert verdict.quorate
    assert verdict.shortfalls == ()
    assert set(verdict.counted) == {1, 2, 3, 4, 5}


def test_a_verdict_carries_the_policy_version_it_used() -> None:
    assert quorum.check(FIVE, STATUTORY_QUORUM).policy_version == STATUTORY_QUORUM.version


def test_every_shortfall_is_named() -> None:
    verdict = quorum.check([medical_adviser, specialist, junior_worker], STATUTORY_QUORUM)

    assert not verdict.quorate
    assert verdict.shortfalls == (
        "3 members present, 5 needed",
        "no chair or vice chair",
        "no social worker with 3 years' PQE",
        "no independent member",
    )


def test_a_vice_chair_stands_in_for_the_chair() -> None:
    assert quorum.check([vice_chair, *FIVE[1:]], STATUTORY_QUORUM).quorate


def test_a_social_worker_with_under_3_years_pqe_does_not_meet_the_social_worker_rule() -> None:
    verdict = quorum.check(
        [junior_worker, chair, adopter, medical_adviser, specialist], STATUTORY_QUORUM
    )

    assert verdict.shortfalls == ("no social worker with 3 years' PQE",)


def test_an_adviser_does_not_count_towards_quorum() -> None:
    # The panel adviser is an experienced social worker, but advises and gives no view.
    verdict = quorum.check(
        [chair, adopter, medical_adviser, specialist, panel_adviser], STATUTORY_QUORUM
    )

    assert verdict.shortfalls == (
        "4 members present, 5 needed",
        "no social worker with 3 years' PQE",
    )
    assert 7 not in verdict.counted


def test_a_joint_panel_needs_six_members() -> None:
    assert quorum.check(FIVE, JOINT_PANEL_QUORUM).shortfalls == ("5 members present, 6 needed",)
    assert quorum.check([*FIVE, vice_chair], JOINT_PANEL_QUORUM).quorate


def test_a_member_listed_twice_counts_once() -> None:
    verdict = quorum.check([*FIVE[:4], FIVE[0]], STATUTORY_QUORUM)

    assert verdict.shortfalls == ("4 members present, 5 needed",)


def test_a_member_leaving_mid_meeting_makes_item_3_inquorate() -> None:
    attendance = [
        *whole_day(chair, social_worker, adopter, medical_adviser),
        Attendance(specialist, at(9, 30), at(11, 15)),
    ]
    items = {1: (at(10), at(10, 30)), 2: (at(10, 30), at(11, 15)), 3: (at(11, 15), at(12))}

    verdicts = {
        number: quorum.check(
            quorum.present_for_item(attendance, start, end, withdrawn=()), STATUTORY_QUORUM
        )
        for number, (start, end) in items.items()
    }

    assert verdicts[1].quorate
    assert verdicts[2].quorate  # she left as item 2 ended
    assert verdicts[3].shortfalls == ("4 members present, 5 needed",)


def test_a_member_who_leaves_before_an_item_ends_does_not_count_for_it() -> None:
    attendance = [*whole_day(*FIVE[:4]), Attendance(specialist, at(9, 30), at(10, 20))]

    present = quorum.present_for_item(attendance, at(10), at(10, 30), withdrawn=())

    assert specialist not in present


def test_a_late_arrival_counts_only_from_the_first_item_they_are_there_for_in_full() -> None:
    attendance = [*whole_day(*FIVE[:4]), Attendance(specialist, at(10, 10))]

    during = quorum.present_for_item(attendance, at(10), at(10, 30), withdrawn=())
    after = quorum.present_for_item(attendance, at(10, 30), at(11), withdrawn=())

    assert not quorum.check(during, STATUTORY_QUORUM).quorate
    assert quorum.check(after, STATUTORY_QUORUM).quorate


def test_member_who_declared_a_conflict_does_not_count_for_that_item() -> None:
    attendance = whole_day(*FIVE)

    conflicted_item = quorum.present_for_item(attendance, at(10), at(10, 30), withdrawn={2})
    next_item = quorum.present_for_item(attendance, at(10, 30), at(11), withdrawn=())

    assert quorum.check(conflicted_item, STATUTORY_QUORUM).shortfalls == (
        "4 members present, 5 needed",
        "no social worker with 3 years' PQE",
    )
    assert quorum.check(next_item, STATUTORY_QUORUM).quorate


def test_a_member_who_stepped_out_and_came_back_before_the_item_counts_for_it() -> None:
    attendance = [
        *whole_day(*FIVE[:4]),
        Attendance(specialist, at(9, 30), at(10)),
        Attendance(specialist, at(10, 25)),
    ]

    assert specialist in quorum.present_for_item(attendance, at(10, 30), at(11), withdrawn=())
    assert specialist not in quorum.present_for_item(attendance, at(10), at(10, 30), withdrawn=())


def test_times_without_a_time_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        quorum.present_for_item(
            whole_day(chair), at(10).replace(tzinfo=None), at(11).replace(tzinfo=None), withdrawn=()
        )


# AAR reg 6 as policy: whether an independent member is needed and whether the chair is it.
def _policy(**switches: bool) -> quorum.QuorumPolicy:
    from panel.services import PolicyNumbers, PolicySwitches, quorum_requirements

    must = quorum_requirements(PolicyNumbers(), PolicySwitches(**switches))
    return quorum.QuorumPolicy(9, 5, must)


# Only the chair is independent: the others are agency staff or not recorded as independent.
staff = [
    chair,
    social_worker,
    medical_adviser,
    specialist,
    Member(9, "Lee Staff", frozenset({Seat.SPECIALIST})),
]


def test_by_default_an_independent_chair_is_the_quorums_independent_member_aar_reg_6() -> None:
    assert quorum.check(staff, _policy()).quorate


def test_by_policy_the_independent_member_may_have_to_be_someone_besides_the_chair_aar_reg_6() -> (
    None
):
    verdict = quorum.check(staff, _policy(independent_chair_counts=False))

    assert verdict.shortfalls == ("no independent member other than the person chairing",)
    # An independent adopter besides the chair meets it.
    assert quorum.check([*staff[:4], adopter], _policy(independent_chair_counts=False)).quorate


def test_two_independent_chairs_present_one_chairs_and_the_other_is_the_independent_member() -> (
    None
):
    present = [chair, vice_chair, social_worker, medical_adviser, specialist]

    assert quorum.check(present, _policy(independent_chair_counts=False)).quorate


def test_by_policy_a_quorum_may_need_no_independent_member_aar_reg_6() -> None:
    agency_vice = Member(10, "Viv Vice", frozenset({Seat.VICE_CHAIR}))  # reg 4(1)(b)
    present = [agency_vice, social_worker, medical_adviser, specialist, staff[4]]

    assert quorum.check(present, _policy()).shortfalls == ("no independent member",)
    assert quorum.check(present, _policy(quorum_needs_independent=False)).quorate
