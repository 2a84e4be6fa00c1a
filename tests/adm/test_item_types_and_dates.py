"""Item types as data decide the clocks, qualifying determinations and letters; the services'
clocks skip bank holidays, and the agency's closure days only where a clock is the agency's own."""

from __future__ import annotations

from datetime import date

from adm import services
from adm.documents import Outcome
from adm.rules.clocks import ClockKind, ItemCategory
from adm.tables import Referral
from governance.tables import ClosureDay
from panel import record
from tests.adm.support import held_meeting, recommendation


def _type(code: str, name: str, subject: str = "adopters", decided_by: str = "assessing_agency"):
    return {"code": code, "name": name, "subject": subject, "decided_by": decided_by}


def test_a_local_item_type_takes_the_clocks_of_the_kind_it_resembles() -> None:
    assert services.category_of(_type("match", "Match")) is ItemCategory.MATCH
    assert services.category_of(_type("annual_review", "Annual review of waiting adopters")) is (
        ItemCategory.REVIEW_OF_APPROVAL
    )
    assert (
        services.category_of(_type("dereg", "De-registration", "information", "none"))
        is ItemCategory.INFORMATION
    )
    assert services.category_of(_type("sib", "Siblings together", "child", "child_authority")) is (
        ItemCategory.SHOULD_BE_PLACED
    )


def test_not_suitable_and_termination_are_qualifying_determinations() -> None:
    assert services.is_qualifying("Not suitable to adopt")
    assert services.is_qualifying("Terminate approval")
    assert not services.is_qualifying("Suitable to adopt")


def test_each_decision_gets_its_own_letter_or_none() -> None:
    approval = ItemCategory.ADOPTER_APPROVAL
    assert services.letter_outcome(approval, "Suitable to adopt") is Outcome.SUITABLE
    assert services.letter_outcome(approval, "Not suitable to adopt") is Outcome.NOT_SUITABLE
    assert services.letter_outcome(ItemCategory.MATCH, "Match") is Outcome.MATCH
    assert services.letter_outcome(ItemCategory.MATCH, "No match") is Outcome.NO_MATCH
    assert services.letter_outcome(ItemCategory.MATCH, "Not matched") is Outcome.NO_MATCH
    assert services.letter_outcome(ItemCategory.SHOULD_BE_PLACED, "Should be placed") is (
        Outcome.SHOULD_BE_PLACED
    )
    assert services.letter_outcome(
        ItemCategory.SHOULD_BE_PLACED, "Should not be placed for adoption"
    ) is (Outcome.NOT_TO_BE_PLACED)
    # The decision that is no decision yet gets no letter.
    assert services.letter_outcome(approval, "More information needed") is None


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
