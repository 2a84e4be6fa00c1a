"""Item types as data decide the clocks, qualifying determinations and letters; the services'
clocks skip bank holidays, and the agency's closure days only where a clock is the agency's own."""

from __future__ import annotations

from datetime import date

from adm import services
from adm.rules.clocks import ClockKind, ItemCategory
from adm.tables import Referral
from governance.tables import ClosureDay
from panel import record
from panel.rules.outcomes import (
    DEFAULTS,
    Letter,
    Meaning,
    category_from_old_type,
    meaning_from_old_wording,
)
from tests.adm.support import held_meeting, recommendation


def test_the_migration_reads_old_types_as_the_service_did_by_their_words() -> None:
    # Before types carried their category it was guessed from the words; the migration keeps
    # what each type was filed under (panel.rules.outcomes.category_from_old_type).
    assert category_from_old_type("match", "Match", "child", "child_authority") is (
        ItemCategory.MATCH
    )
    assert category_from_old_type(
        "annual_review", "Annual review of waiting adopters", "adopters", "assessing_agency"
    ) is (ItemCategory.REVIEW_OF_APPROVAL)
    assert category_from_old_type("dereg", "De-registration", "information", "none") is (
        ItemCategory.INFORMATION
    )
    assert category_from_old_type("sib", "Siblings together", "child", "child_authority") is (
        ItemCategory.SHOULD_BE_PLACED
    )
    assert category_from_old_type(
        "approval", "Approval of prospective adopters", "adopters", "assessing_agency"
    ) is (ItemCategory.ADOPTER_APPROVAL)


def test_the_migration_reads_old_outcomes_as_the_service_did_by_their_words() -> None:
    approval, match = ItemCategory.ADOPTER_APPROVAL, ItemCategory.MATCH
    placed = ItemCategory.SHOULD_BE_PLACED
    assert meaning_from_old_wording(approval, "Suitable to adopt") is Meaning.SUITABLE
    assert meaning_from_old_wording(approval, "Not suitable to adopt") is Meaning.NOT_SUITABLE
    review = ItemCategory.REVIEW_OF_APPROVAL
    assert meaning_from_old_wording(review, "Terminate approval") is Meaning.TERMINATE_APPROVAL
    assert meaning_from_old_wording(match, "Match") is Meaning.MATCH
    assert meaning_from_old_wording(match, "Not matched") is Meaning.NO_MATCH
    assert meaning_from_old_wording(placed, "Should be placed") is Meaning.SHOULD_BE_PLACED
    assert meaning_from_old_wording(placed, "Should not be placed for adoption") is (
        Meaning.SHOULD_NOT_BE_PLACED
    )
    assert meaning_from_old_wording(approval, "More information needed") is (
        Meaning.MORE_INFORMATION
    )
    foster = ItemCategory.FOSTER_TO_ADOPT
    assert meaning_from_old_wording(foster, "Do not approve") is Meaning.FOSTER_NOT_APPROVED
    brief = ItemCategory.BRIEF_PAR
    assert meaning_from_old_wording(brief, "Full report needed") is Meaning.FULL_REPORT_NEEDED


def test_each_meaning_gets_its_own_letter_or_none() -> None:
    letters = {m: DEFAULTS[m].letter for m in Meaning}
    assert letters[Meaning.SUITABLE] is Letter.SUITABLE
    assert letters[Meaning.NOT_SUITABLE] is Letter.NOT_SUITABLE
    assert letters[Meaning.TERMINATE_APPROVAL] is Letter.TERMINATION
    assert letters[Meaning.MATCH] is Letter.MATCH
    assert letters[Meaning.NO_MATCH] is Letter.NO_MATCH
    assert letters[Meaning.SHOULD_NOT_BE_PLACED] is Letter.NOT_TO_BE_PLACED
    assert letters[Meaning.FOSTER_NOT_APPROVED] is Letter.FOSTER_NOT_APPROVED
    # The decision that is no decision yet gets no letter; nor does a request for a full report.
    assert letters[Meaning.MORE_INFORMATION] is Letter.NONE
    assert letters[Meaning.FULL_REPORT_NEEDED] is Letter.NONE


async def test_an_adm_decision_over_christmas_skips_bank_holidays_but_not_closure_days_aar_reg_2(
    agency,
) -> None:
    await ClosureDay.insert(ClosureDay(day=date(2026, 12, 24), reason="Christmas Eve"))
    held = await held_meeting(agency)
    ids = list(held.members.values())
    from adm import demo

    await record.save_attendance(held.adviser, held.meeting_id, demo.present_all(ids))
    for item in held.items:
        outcome = "Match" if item == held.items[1] else "Suitable to adopt"
        await record.record_item(held.adviser, item, recommendation(outcome))
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await Referral.update({Referral.received_on: date(2026, 12, 22)}).where(Referral.id > 0)
    rows = await services.running_clocks(
        services.ClockFilter(kind=ClockKind.ADM_DECISION), today=date(2026, 12, 29)
    )
    # The decision's 7 working days are statutory (AAR reg 2): 23 and 24 Dec (the agency closed on
    # 24th, which does not count against the ADM), 29, 30, 31 Dec, 4, 5 Jan; 25 and 28 Dec and
    # 1 Jan are bank holidays.
    assert {r.status.due_on for r in rows} == {date(2027, 1, 5)}
    assert {r.status.working_days_remaining for r in rows} == {4}
    assert {r.status.counted_in for r in rows} == {
        "statutory working days (AAR reg 2: closure days still count)"
    }


async def test_a_paused_decision_clock_moves_its_deadline_on(agency) -> None:
    from adm import demo
    from governance import audit

    held = await held_meeting(agency)
    ids = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, demo.present_all(ids))
    for item in held.items:
        outcome = "Match" if item == held.items[1] else "Suitable to adopt"
        await record.record_item(held.adviser, item, recommendation(outcome))
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await Referral.update({Referral.received_on: date(2027, 1, 4)}).where(Referral.id > 0)
    ref = await Referral.select().first()
    assert ref is not None
    await services.pause_clock(
        audit.SYSTEM,
        ref["id"],
        {"pause_kind": "adm_decision", "pause_from": "2027-01-05", "pause_to": "2027-01-07",
         "pause_reason": "Applicants asked for time"},
    )  # fmt: skip
    rows = await services.running_clocks(
        services.ClockFilter(kind=ClockKind.ADM_DECISION), today=date(2027, 1, 6)
    )
    due = {r.status.due_on for r in rows if r.referral_id == ref["id"]}
    # 7 working days from 4 January is 13 January; three paused days move it to the 18th.
    assert due == {date(2027, 1, 18)}
