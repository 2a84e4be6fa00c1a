from collections import Counter
from dataclasses import replace
from datetime import date

from panel.rules import quorum, roster
from panel.rules.balance import DEFAULT_BALANCE, ItemNeeds
from panel.rules.conflicts import Conflict, Interest, Party, Role
from panel.rules.eligibility import Course, ListRecord, Training
from panel.rules.members import AgeBand, Ethnicity, Experience, Gender, Member, Seat
from panel.rules.roster import DEFAULT_ROSTER, Candidate, Meeting, Status

F, M = Gender.FEMALE, Gender.MALE
ON = date(2027, 3, 12)


def person(
    mid: int,
    name: str,
    seat: Seat,
    gender: Gender,
    age: AgeBand,
    *experience: Experience,
    pqe: int = 0,
    independent: bool = True,
    ethnicity: Ethnicity = Ethnicity.WHITE,
) -> Candidate:
    return Candidate(
        ListRecord(
            member=Member(
                mid,
                name,
                frozenset({seat}),
                pqe_years=pqe,
                independent=independent,
                experience=frozenset(experience),
                gender=gender,
                age_band=age,
                ethnicity=ethnicity,
            ),
            listed_on=date(2025, 1, 1),
            dbs_checked_on=date(2026, 1, 1),
            training=(
                Training(Course.INDUCTION, date(2025, 1, 1)),
                Training(Course.EQUALITY_AND_DIVERSITY, date(2027, 1, 1)),
                Training(Course.SAFEGUARDING, date(2027, 1, 1)),
            ),
            reviewed_on=date(2027, 1, 1),
        )
    )


LIST = [
    person(1, "Ann Chair", Seat.CHAIR, F, AgeBand.FIFTIES),
    person(2, "Bob Chair", Seat.CHAIR, M, AgeBand.SIXTIES),
    person(3, "Cat Vice", Seat.VICE_CHAIR, F, AgeBand.FORTIES),
    person(4, "Dan Worker", Seat.SOCIAL_WORKER, M, AgeBand.THIRTIES, pqe=5, independent=False),
    person(
        5,
        "Eve Worker",
        Seat.SOCIAL_WORKER,
        F,
        AgeBand.FORTIES,
        pqe=8,
        independent=False,
        ethnicity=Ethnicity.BLACK,
    ),
    person(6, "Fay Medic", Seat.MEDICAL_ADVISER, F, AgeBand.FIFTIES),
    person(7, "Gil Adopter", Seat.INDEPENDENT, M, AgeBand.THIRTIES, Experience.ADOPTER),
    person(
        8,
        "Hal Adopted",
        Seat.INDEPENDENT,
        M,
        AgeBand.UNDER_30,
        Experience.ADOPTED_ADULT,
        ethnicity=Ethnicity.ASIAN,
    ),
    person(9, "Ivy Birth", Seat.INDEPENDENT, F, AgeBand.SIXTIES, Experience.BIRTH_RELATIVE),
    person(10, "Jon Indie", Seat.INDEPENDENT, M, AgeBand.SEVENTY_PLUS),
    person(11, "Kim Spec", Seat.SPECIALIST, F, AgeBand.FORTIES, ethnicity=Ethnicity.MIXED),
    person(12, "Lee Indie", Seat.INDEPENDENT, F, AgeBand.FIFTIES),
]
BY_ID = {c.record.member.id: c for c in LIST}
FORTNIGHTLY = [
    Meeting(n, d)
    for n, d in enumerate(
        [date(2027, 3, 3), date(2027, 3, 17), date(2027, 3, 31), date(2027, 4, 14)], start=1
    )
]
QUICK = 5.0


def changed(mid: int, **changes: object) -> Candidate:
    return replace(BY_ID[mid], **changes)  # type: ignore[arg-type]


def with_record(mid: int, **changes: object) -> Candidate:
    return replace(BY_ID[mid], record=replace(BY_ID[mid].record, **changes))  # type: ignore[arg-type]


def listed(*replacements: Candidate) -> list[Candidate]:
    swap = {c.record.member.id: c for c in replacements}
    return [swap.get(c.record.member.id, c) for c in LIST]


def conflict(member_id: int, item_id: int) -> Conflict:
    name = BY_ID[member_id].record.member.name
    return Conflict(
        member_id,
        item_id,
        Party(Role.APPLICANT, "Jane Smith"),
        Interest(member_id, "Jane Smith", "neighbour"),
        f"{name} knows the applicant",
    )


def members(ids: tuple[int, ...]) -> list[Member]:
    return [BY_ID[mid].record.member for mid in ids]


def test_each_meeting_gets_a_quorate_panel_with_the_reserve_and_one_independent_chair() -> None:
    result = roster.solve(FORTNIGHTLY, LIST, DEFAULT_ROSTER, time_limit=QUICK)

    assert result.status is Status.OPTIMAL
    assert [panel.meeting_id for panel in result.panels] == [1, 2, 3, 4]
    for panel in result.panels:
        assert len(panel.members) == 6  # 5 for quorum and 1 in reserve
        assert panel.chair in panel.members
        assert panel.chair in {1, 2, 3}
        assert quorum.check(members(panel.members), DEFAULT_ROSTER.quorum).quorate


def test_a_roster_reports_status_objective_gap_times_and_policy_version() -> None:
    result = roster.solve(FORTNIGHTLY, LIST, DEFAULT_ROSTER, time_limit=QUICK)

    assert result.objective is not None
    assert result.best_bound == result.objective
    assert result.gap == 0
    assert 0 < result.solver_time <= result.wall_time < QUICK
    assert result.problems == ()
    assert result.policy_version == DEFAULT_ROSTER.version


def test_the_same_inputs_give_the_same_roster() -> None:
    first = roster.solve(FORTNIGHTLY, LIST, DEFAULT_ROSTER, time_limit=QUICK)
    again = roster.solve(FORTNIGHTLY, LIST, DEFAULT_ROSTER, time_limit=QUICK)

    assert [(p.members, p.chair) for p in first.panels] == [
        (p.members, p.chair) for p in again.panels
    ]


def test_only_eligible_and_available_members_are_rostered() -> None:
    lapsed = with_record(6, dbs_checked_on=date(2024, 3, 1))
    away = changed(7, unavailable=frozenset({date(2027, 3, 17)}))

    result = roster.solve(FORTNIGHTLY, listed(lapsed, away), DEFAULT_ROSTER, time_limit=QUICK)

    assert all(6 not in panel.members for panel in result.panels)
    assert 7 not in result.panels[1].members


def test_no_member_sits_more_often_in_a_month_than_the_policy_allows() -> None:
    result = roster.solve(FORTNIGHTLY, LIST, DEFAULT_ROSTER, time_limit=QUICK)

    march = Counter(mid for panel in result.panels[:3] for mid in panel.members)
    assert max(march.values()) <= DEFAULT_ROSTER.max_sittings_per_month


def test_sittings_already_booked_count_towards_the_monthly_limit() -> None:
    booked = changed(4, booked=frozenset({date(2027, 3, 1), date(2027, 3, 8)}))

    result = roster.solve(FORTNIGHTLY[:3], listed(booked), DEFAULT_ROSTER, time_limit=QUICK)

    assert all(4 not in panel.members for panel in result.panels)


def test_quorum_holds_for_every_item_after_conflicted_members_withdraw() -> None:
    items = (ItemNeeds(31, "item 1"), ItemNeeds(32, "item 2"))
    meeting = Meeting(1, ON, items=items)
    found = [conflict(5, 31), conflict(1, 31), conflict(3, 32), conflict(9, 32)]

    result = roster.solve([meeting], LIST, DEFAULT_ROSTER, found, time_limit=QUICK)

    (panel,) = result.panels
    for item_id in (31, 32):
        staying = [
            m
            for m in members(panel.members)
            if (m.id, item_id) not in {(c.member_id, c.item_id) for c in found}
        ]
        assert quorum.check(staying, DEFAULT_ROSTER.quorum).quorate


def test_members_accepted_by_the_adviser_are_kept_and_excluded_members_left_out() -> None:
    meeting = Meeting(1, ON, accepted=frozenset({10, 12}), excluded=frozenset({1, 7}))

    (panel,) = roster.solve([meeting], LIST, DEFAULT_ROSTER, time_limit=QUICK).panels

    assert {10, 12} <= set(panel.members)
    assert not {1, 7} & set(panel.members)


def test_a_chair_agreed_by_the_adviser_chairs() -> None:
    (panel,) = roster.solve(
        [Meeting(1, ON, chair=3)], LIST, DEFAULT_ROSTER, time_limit=QUICK
    ).panels

    assert panel.chair == 3


def test_a_joint_panel_gets_seven_members_with_the_reserve() -> None:
    (panel,) = roster.solve(
        [Meeting(1, ON, joint=True)], LIST, DEFAULT_ROSTER, time_limit=QUICK
    ).panels

    assert len(panel.members) == 7


def test_sittings_and_chairing_are_shared_fairly_when_balance_allows() -> None:
    # Three members with personal experience can fill one seat a meeting at their fair share;
    # aiming for two would have them sit more often than the others, by design.
    policy = replace(DEFAULT_ROSTER, balance=replace(DEFAULT_BALANCE, personal_experience_aim=1))
    half_year = [
        Meeting(n, date(2027, 1 + (n - 1) // 2, 5 + 14 * ((n - 1) % 2))) for n in range(1, 13)
    ]

    result = roster.solve(half_year, LIST, policy, time_limit=QUICK)

    loads = Counter(mid for panel in result.panels for mid in panel.members)
    chairing = Counter(panel.chair for panel in result.panels)
    assert result.status is Status.OPTIMAL
    assert set(loads.values()) == {6}  # 72 sittings, 12 members
    assert sorted(chairing.values()) == [4, 4, 4]


def test_balance_targets_are_met_where_the_list_allows() -> None:
    black_child = ItemNeeds(31, "item 1", child_ethnicities=frozenset({Ethnicity.BLACK}))
    complex_health = ItemNeeds(32, "item 2", professionals=frozenset({Seat.MEDICAL_ADVISER}))

    result = roster.solve(
        [Meeting(1, ON, items=(black_child, complex_health))],
        LIST,
        DEFAULT_ROSTER,
        time_limit=QUICK,
    )

    (panel,) = result.panels
    assert panel.balance.balanced
    assert 6 in panel.members
    assert sum(1 for m in members(panel.members) if m.experience) >= 2


def test_the_solver_never_does_worse_than_the_greedy_baseline() -> None:
    solved = roster.solve(FORTNIGHTLY, LIST, DEFAULT_ROSTER, time_limit=QUICK)
    greedy = roster.greedy_roster(FORTNIGHTLY, LIST, DEFAULT_ROSTER)

    assert greedy.status is Status.FEASIBLE
    assert solved.objective is not None
    assert greedy.objective is not None
    assert solved.objective <= greedy.objective


def test_both_methods_score_a_roster_the_same_way() -> None:
    # With exactly six members free, both must pick the same panel, so their scores must agree.
    few = listed(*(changed(mid, unavailable=frozenset({ON})) for mid in (2, 3, 8, 10, 11, 12)))

    solved = roster.solve([Meeting(1, ON)], few, DEFAULT_ROSTER, time_limit=QUICK)
    greedy = roster.greedy_roster([Meeting(1, ON)], few, DEFAULT_ROSTER)

    assert solved.panels[0].members == greedy.panels[0].members
    assert solved.objective == greedy.objective


def test_the_greedy_baseline_meets_the_same_hard_constraints() -> None:
    result = roster.greedy_roster(FORTNIGHTLY, LIST, DEFAULT_ROSTER)

    for panel in result.panels:
        assert len(panel.members) == 6
        assert quorum.check(members(panel.members), DEFAULT_ROSTER.quorum).quorate
    march = Counter(mid for panel in result.panels[:3] for mid in panel.members)
    assert max(march.values()) <= DEFAULT_ROSTER.max_sittings_per_month


def test_a_vice_chair_who_is_not_independent_chairs_when_both_chairs_are_away_aar_reg_4_1_b() -> (
    None
):
    away = frozenset({ON})
    agency_vice = with_record(3, member=replace(BY_ID[3].record.member, independent=False))
    candidates = listed(changed(1, unavailable=away), changed(2, unavailable=away), agency_vice)

    result = roster.solve([Meeting(7, ON)], candidates, DEFAULT_ROSTER, time_limit=QUICK)

    assert result.status is Status.OPTIMAL
    assert result.panels[0].chair == 3


def test_a_meeting_without_a_chair_says_why_each_chair_cannot_chair() -> None:
    # The vice chair's reason was "not independent of the agency" until the rule followed
    # AAR reg 4(1)(b), which does not require a vice chair to be independent.
    candidates = listed(
        with_record(1, dbs_checked_on=date(2024, 3, 2)),
        changed(2, unavailable=frozenset({ON})),
        changed(3, booked=frozenset({ON})),
    )

    result = roster.solve([Meeting(7, ON)], candidates, DEFAULT_ROSTER, time_limit=QUICK)

    assert result.status is Status.INFEASIBLE
    assert result.panels == ()
    assert [(p.meeting_ids, p.text) for p in result.problems] == [
        (
            (7,),
            "12 March 2027: no chair or vice chair is eligible and available to chair "
            "(Ann Chair: DBS check expired on 2 March 2027; Bob Chair: unavailable; "
            "Cat Vice: already sitting on another panel that day)",
        )
    ]


def test_too_few_members_is_explained() -> None:
    away = frozenset({ON})
    candidates = listed(*(changed(mid, unavailable=away) for mid in range(5, 13)))

    result = roster.solve([Meeting(1, ON)], candidates, DEFAULT_ROSTER, time_limit=QUICK)

    assert [p.text for p in result.problems] == [
        "12 March 2027: only 4 eligible and available members, 6 needed with the reserve"
    ]


def test_a_missing_qualified_social_worker_is_explained() -> None:
    candidates = listed(
        with_record(4, training=()),
        changed(5, unavailable=frozenset({ON})),
    )

    result = roster.solve([Meeting(1, ON)], candidates, DEFAULT_ROSTER, time_limit=QUICK)

    assert [p.text for p in result.problems] == [
        "12 March 2027: no social worker with 3 years' PQE is eligible and available "
        "(Dan Worker: no induction recorded, no equality and diversity training recorded, "
        "no safeguarding training recorded; Eve Worker: unavailable)"
    ]


def test_an_item_with_too_many_conflicted_members_is_explained() -> None:
    meeting = Meeting(1, ON, items=(ItemNeeds(31, "item 1"),))
    found = [conflict(mid, 31) for mid in (4, 5)]

    result = roster.solve([meeting], LIST, DEFAULT_ROSTER, found, time_limit=QUICK)

    assert [p.text for p in result.problems] == [
        "12 March 2027: item 1: no social worker with 3 years' PQE without a conflict is "
        "eligible and available (Dan Worker, Eve Worker withdraw)"
    ]


def test_an_accepted_member_who_cannot_sit_is_explained() -> None:
    candidates = listed(changed(9, unavailable=frozenset({ON})))

    result = roster.solve(
        [Meeting(1, ON, accepted=frozenset({9}))], candidates, DEFAULT_ROSTER, time_limit=QUICK
    )

    assert [p.text for p in result.problems] == [
        "12 March 2027: Ivy Birth was accepted by the adviser but cannot sit: unavailable"
    ]


def test_a_month_with_more_meetings_than_the_monthly_limit_allows_is_explained() -> None:
    weekly = [Meeting(n, date(2027, 3, 3 + 7 * (n - 1))) for n in range(1, 5)]
    eight = LIST[:8]

    result = roster.solve(weekly, eight, DEFAULT_ROSTER, time_limit=QUICK)

    assert result.status is Status.INFEASIBLE
    assert [(p.meeting_ids, p.text) for p in result.problems] == [
        (
            (1, 2, 3, 4),
            "March 2027: the meetings on 3, 10, 17, 24 March cannot all be filled when each "
            "member sits at most 2 times a month",
        )
    ]


def test_accepted_members_who_leave_no_room_for_quorum_are_explained() -> None:
    meeting = Meeting(1, ON, accepted=frozenset({1, 7, 8, 9, 10, 11}))

    result = roster.solve([meeting], LIST, DEFAULT_ROSTER, time_limit=QUICK)

    assert [p.text for p in result.problems] == [
        "12 March 2027: no panel of 6 from the 12 eligible and available members alongside the "
        "members accepted by the adviser (Ann Chair, Gil Adopter, Hal Adopted, Ivy Birth, "
        "Jon Indie, Kim Spec) meets quorum"
    ]


def test_conflicts_on_two_items_that_cannot_both_be_kept_quorate_are_explained() -> None:
    seven = [c for c in LIST if c.record.member.id in {1, 4, 6, 7, 9, 10, 12}]
    items = (ItemNeeds(31, "item 1"), ItemNeeds(32, "item 2"))
    found = [conflict(7, 31), conflict(9, 31), conflict(10, 32), conflict(12, 32)]

    result = roster.solve(
        [Meeting(1, ON, items=items)], seven, DEFAULT_ROSTER, found, time_limit=QUICK
    )

    assert [p.text for p in result.problems] == [
        "12 March 2027: item 2: with Jon Indie, Lee Indie withdrawn for conflicts of interest, "
        "no panel of 6 keeps quorum for this item as well as the others"
    ]


def test_a_roster_keeps_an_independent_member_besides_the_chair_if_the_policy_asks_aar_reg_6() -> (
    None
):
    from panel.rules.quorum import (
        CHAIR_OR_VICE_CHAIR,
        INDEPENDENT_MEMBER_APART_FROM_CHAIR,
        SOCIAL_WORKER_3_YEARS,
        QuorumPolicy,
    )

    must = (CHAIR_OR_VICE_CHAIR, SOCIAL_WORKER_3_YEARS, INDEPENDENT_MEMBER_APART_FROM_CHAIR)
    policy = replace(DEFAULT_ROSTER, quorum=QuorumPolicy(1, 5, must))
    # Only the chairs and Gil are independent; Ann and Bob are away, so Cat chairs.
    away = frozenset({ON})
    candidates = listed(
        changed(1, unavailable=away),
        changed(2, unavailable=away),
        *(
            with_record(mid, member=replace(BY_ID[mid].record.member, independent=False))
            for mid in (6, 8, 9, 10, 11, 12)
        ),
    )

    result = roster.solve([Meeting(7, ON)], candidates, policy, time_limit=QUICK)

    assert result.status is Status.OPTIMAL
    panel = result.panels[0]
    assert panel.chair == 3
    assert 7 in panel.members
    assert quorum.check(members(panel.members), policy.quorum).quorate

    # With Gil away too, only the vice chair in the chair is independent: no roster.
    without_gil = [
        changed(7, unavailable=away) if c.record.member.id == 7 else c for c in candidates
    ]
    assert roster.solve([Meeting(7, ON)], without_gil, policy, time_limit=QUICK).status is (
        Status.INFEASIBLE
    )
