from dataclasses import replace
from datetime import date

from panel.rules import eligibility
from panel.rules.conflicts import Conflict, Interest, Party, Role
from panel.rules.eligibility import DEFAULT_ELIGIBILITY, Course, ListRecord, Notice, Training
from panel.rules.members import Member, Seat

MEETING = date(2027, 3, 12)

adopter = Member(3, "Gil Adopter", frozenset({Seat.INDEPENDENT}), independent=True)
chair = Member(1, "Ann Chair", frozenset({Seat.CHAIR}), independent=True)


def current(member: Member = adopter, **changes: object) -> ListRecord:
    record = ListRecord(
        member=member,
        listed_on=date(2025, 4, 1),
        dbs_checked_on=date(2025, 4, 1),
        training=(
            Training(Course.INDUCTION, date(2025, 4, 10)),
            Training(Course.EQUALITY_AND_DIVERSITY, date(2026, 9, 1)),
            Training(Course.SAFEGUARDING, date(2026, 9, 1)),
        ),
        reviewed_on=date(2026, 10, 1),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def without(course: Course) -> tuple[Training, ...]:
    return tuple(t for t in current().training if t.course != course)


def test_a_member_with_current_evidence_may_sit() -> None:
    verdict = eligibility.check(current(), MEETING, DEFAULT_ELIGIBILITY)

    assert verdict.eligible
    assert verdict.reasons == verdict.warnings == ()
    assert verdict.withdraws_from == ()
    assert verdict.policy_version == DEFAULT_ELIGIBILITY.version


def test_a_dbs_check_is_current_the_day_before_its_third_anniversary() -> None:
    record = current(dbs_checked_on=date(2024, 3, 2))

    assert eligibility.check(record, date(2027, 3, 1), DEFAULT_ELIGIBILITY).eligible


def test_a_dbs_check_has_expired_on_the_meeting_date_that_is_its_third_anniversary() -> None:
    verdict = eligibility.check(
        current(dbs_checked_on=date(2024, 3, 2)), date(2027, 3, 2), DEFAULT_ELIGIBILITY
    )

    assert verdict.reasons == ("DBS check expired on 2 March 2027",)


def test_a_dbs_check_done_on_29_february_expires_on_28_february() -> None:
    record = current(dbs_checked_on=date(2024, 2, 29))

    assert eligibility.check(record, date(2027, 2, 27), DEFAULT_ELIGIBILITY).eligible
    assert eligibility.check(record, date(2027, 2, 28), DEFAULT_ELIGIBILITY).reasons == (
        "DBS check expired on 28 February 2027",
    )


def test_yearly_training_done_on_28_february_has_expired_by_29_february_of_a_leap_year() -> None:
    training = (
        *without(Course.SAFEGUARDING),
        Training(Course.SAFEGUARDING, date(2023, 2, 28)),
    )
    record = current(training=training, listed_on=date(2023, 1, 1), reviewed_on=date(2023, 12, 1))

    verdict = eligibility.check(record, date(2024, 2, 29), DEFAULT_ELIGIBILITY)

    assert verdict.reasons == ("safeguarding training expired on 28 February 2024",)


def test_the_latest_course_taken_is_the_one_that_counts() -> None:
    training = (*current().training, Training(Course.SAFEGUARDING, date(2025, 1, 1)))

    assert eligibility.check(current(training=training), MEETING, DEFAULT_ELIGIBILITY).eligible


def test_every_reason_is_given_for_an_ineligible_member() -> None:
    record = current(
        dbs_checked_on=date(2024, 3, 2),
        training=without(Course.SAFEGUARDING),
        reviewed_on=date(2026, 1, 20),
    )

    verdict = eligibility.check(record, MEETING, DEFAULT_ELIGIBILITY)

    assert not verdict.eligible
    assert verdict.reasons == (
        "DBS check expired on 2 March 2027",
        "no safeguarding training recorded",
        "annual review overdue since 20 January 2027",
    )


def test_induction_once_is_enough() -> None:
    training = (*without(Course.INDUCTION), Training(Course.INDUCTION, date(2015, 1, 1)))

    assert eligibility.check(current(training=training), MEETING, DEFAULT_ELIGIBILITY).eligible
    assert eligibility.check(
        current(training=without(Course.INDUCTION)), MEETING, DEFAULT_ELIGIBILITY
    ).reasons == ("no induction recorded",)


def test_a_new_members_first_review_falls_due_a_year_after_joining() -> None:
    record = current(listed_on=date(2026, 3, 12), reviewed_on=None)

    assert eligibility.check(record, date(2027, 3, 11), DEFAULT_ELIGIBILITY).eligible
    assert eligibility.check(record, MEETING, DEFAULT_ELIGIBILITY).reasons == (
        "annual review overdue since 12 March 2027",
    )


def test_only_members_on_the_central_list_may_sit() -> None:
    assert eligibility.check(current(listed_on=None), MEETING, DEFAULT_ELIGIBILITY).reasons == (
        "not on the central list",
    )
    assert eligibility.check(
        current(listed_on=date(2027, 4, 1), reviewed_on=None), MEETING, DEFAULT_ELIGIBILITY
    ).reasons == ("not on the central list until 1 April 2027",)


def test_a_member_under_notice_may_sit_with_a_warning_until_the_leaving_date() -> None:
    record = current(notice=Notice(given_on=date(2027, 3, 1), leaving_on=date(2027, 4, 1)))

    verdict = eligibility.check(record, MEETING, DEFAULT_ELIGIBILITY)

    assert verdict.eligible
    assert verdict.warnings == ("under notice: leaves the central list on 1 April 2027",)


def test_a_member_may_not_sit_on_the_leaving_date() -> None:
    record = current(notice=Notice(given_on=date(2027, 2, 12), leaving_on=MEETING))

    assert eligibility.check(record, MEETING, DEFAULT_ELIGIBILITY).reasons == (
        "left the central list on 12 March 2027",
    )


def test_the_policy_can_stop_members_sitting_during_their_notice() -> None:
    strict = replace(DEFAULT_ELIGIBILITY, version=2, may_sit_during_notice=False)
    record = current(notice=Notice(given_on=date(2027, 3, 1), leaving_on=date(2027, 4, 1)))

    verdict = eligibility.check(record, MEETING, strict)

    assert verdict.reasons == (
        "under notice since 1 March 2027: leaves the central list on 1 April 2027",
    )
    assert verdict.policy_version == 2


def conflict_on(item_id: int) -> Conflict:
    return Conflict(
        member_id=adopter.id,
        item_id=item_id,
        party=Party(Role.APPLICANT, "Jane Smith"),
        interest=Interest(adopter.id, "Jane Smith", "neighbour"),
        reason="Jane Smith (applicant on item 2) matches 'Jane Smith' ...",
    )


def test_a_conflicted_member_may_sit_but_withdraws_from_that_item() -> None:
    others = Conflict(9, 4, Party(Role.CHILD, "X"), Interest(9, "X", "aunt"), "someone else")

    verdict = eligibility.check(current(), MEETING, DEFAULT_ELIGIBILITY, [conflict_on(2), others])

    assert verdict.eligible
    assert verdict.withdraws_from == (2,)
    assert verdict.warnings == (
        "withdraws for a conflict of interest: Jane Smith (applicant on item 2) matches "
        "'Jane Smith' ...",
    )


def test_the_policy_can_bar_a_conflicted_member_from_the_whole_meeting() -> None:
    strict = replace(DEFAULT_ELIGIBILITY, conflict_bars_meeting=True)

    verdict = eligibility.check(current(), MEETING, strict, [conflict_on(2)])

    assert not verdict.eligible
    assert verdict.reasons[0].startswith("conflict of interest: Jane Smith")


def test_due_items_list_evidence_due_within_60_days_and_overdue_evidence() -> None:
    record = current(
        dbs_checked_on=date(2024, 4, 20),
        training=without(Course.EQUALITY_AND_DIVERSITY),
        reviewed_on=date(2026, 3, 1),
    )

    due = eligibility.due_items(record, MEETING, DEFAULT_ELIGIBILITY)

    assert [d.text for d in due] == [
        "DBS check due on 20 April 2027",
        "no equality and diversity training recorded",
        "annual review overdue since 1 March 2027",
    ]
    assert [d.overdue for d in due] == [False, True, True]
    assert due[0].due_on == date(2027, 4, 20)


def test_due_items_leave_out_evidence_due_later() -> None:
    assert eligibility.due_items(current(), MEETING, DEFAULT_ELIGIBILITY) == ()
    assert eligibility.due_items(current(), MEETING, DEFAULT_ELIGIBILITY, within_days=200) != ()


def test_evidence_lapsing_on_the_day_is_overdue() -> None:
    due = eligibility.due_items(
        current(dbs_checked_on=date(2024, 3, 12)), MEETING, DEFAULT_ELIGIBILITY
    )

    assert [d.text for d in due] == ["DBS check overdue since 12 March 2027"]


def test_an_independent_chair_may_chair() -> None:
    verdict = eligibility.may_chair(chair, MEETING, DEFAULT_ELIGIBILITY)

    assert verdict.may_chair
    assert verdict.policy_version == DEFAULT_ELIGIBILITY.version


def test_a_chair_who_is_not_independent_of_the_agency_may_not_chair() -> None:
    verdict = eligibility.may_chair(replace(chair, independent=False), MEETING, DEFAULT_ELIGIBILITY)

    assert verdict.reasons == ("not independent of the agency",)


def test_a_chair_may_chair_only_12_months_after_leaving_the_agencys_employ() -> None:
    lately = replace(chair, dependency_ended_on=date(2026, 3, 13))

    verdict = eligibility.may_chair(lately, MEETING, DEFAULT_ELIGIBILITY)

    assert verdict.reasons == (
        "worked in the agency's children's services, was a councillor or was related to one "
        "until 13 March 2026: may chair from 13 March 2027",
    )
    assert eligibility.may_chair(lately, date(2027, 3, 13), DEFAULT_ELIGIBILITY).may_chair


def test_a_member_without_a_chairs_seat_may_not_chair() -> None:
    verdict = eligibility.may_chair(adopter, MEETING, DEFAULT_ELIGIBILITY)

    assert verdict.reasons == ("not a chair or vice chair on the central list",)
