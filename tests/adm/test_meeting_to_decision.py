"""From the meeting record to the ADM's decision and letter, with every refusal on the way."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adm import demo as adm_demo
from adm import services
from adm.rules.clocks import ClockKind, ClockState
from adm.tables import Referral
from governance.errors import Conflict, Invalid
from panel import record
from panel.tables import ItemRecord
from tests.adm.support import (
    MEETING_DAY,
    addressed,
    held_meeting,
    minutes_final_the_day_after,
    recommendation,
)


async def _record_all(held, left_early: dict[int, str] | None = None) -> None:
    ids = list(held.members.values())
    await record.save_attendance(
        held.adviser, held.meeting_id, adm_demo.present_all(ids, left_early)
    )
    for item in held.items:
        await record.record_item(
            held.adviser,
            item,
            recommendation("Match" if item == held.items[1] else "Suitable to adopt"),
        )


async def test_a_member_leaving_before_the_third_item_leaves_it_inquorate(agency) -> None:
    held = await held_meeting(agency, date(2027, 3, 11))
    m = held.members
    ids = list(m.values())
    # Five of eight present; the only social workers leave before item 3 starts.
    data = adm_demo.present_all(ids, {m["Sally"]: "11:47", m["Sam"]: "11:47"})
    for name in ("Ben", "Bea"):
        data[f"status_{m[name]}"] = "apologies"
        del data[f"arrived_{m[name]}"]
    await record.save_attendance(held.adviser, held.meeting_id, data)
    state = await record.meeting_record(held.meeting_id)
    assert [i.verdict.quorate for i in state.items] == [True, True, False]
    assert "no social worker with 3 years' PQE" in state.items[2].verdict.shortfalls
    with pytest.raises(Conflict, match=r"not quorate for item 3.*only be deferred"):
        await record.record_item(held.adviser, held.items[2], recommendation())
    assert await ItemRecord.count() == 0
    await record.record_item(
        held.adviser,
        held.items[2],
        {"action": "defer", "reasons": "Inquorate", "information_needed": "A quorate panel"},
    )


async def test_a_recommendation_needs_reasons_and_an_outcome_the_type_allows(agency) -> None:
    held = await held_meeting(agency)
    await record.save_attendance(
        held.adviser, held.meeting_id, adm_demo.present_all(list(held.members.values()))
    )
    with pytest.raises(Invalid) as missing:
        await record.record_item(held.adviser, held.items[0], recommendation(reasons=""))
    assert missing.value.errors == {"reasons": "Enter the panel's reasons"}
    with pytest.raises(Invalid) as wrong:
        await record.record_item(held.adviser, held.items[0], recommendation("Match"))
    assert "not a recommendation" in wrong.value.errors["outcome"]
    assert await ItemRecord.count() == 0


async def test_a_withdrawn_member_does_not_count_and_may_not_give_a_view(agency) -> None:
    held = await held_meeting(agency)
    await record.save_attendance(
        held.adviser, held.meeting_id, adm_demo.present_all(list(held.members.values()))
    )
    await record.add_declaration(
        held.adviser,
        held.items[0],
        {"member": str(held.members["Ada"]), "interest": "Knows the applicants", "withdrew": "yes"},
    )
    state = await record.meeting_record(held.meeting_id)
    assert held.members["Ada"] not in {m.id for m in state.items[0].present}
    assert held.members["Ada"] in {m.id for m in state.items[1].present}
    with pytest.raises(Invalid):
        await record.record_item(
            held.adviser, held.items[0], recommendation(**{f"view_{held.members['Ada']}": "Yes"})
        )


async def test_final_minutes_route_each_item_to_its_authority_and_lock(agency) -> None:
    held = await held_meeting(agency)
    await _record_all(held)
    _, row, _ = await record.minutes_of(held.meeting_id)
    with pytest.raises(PermissionError):
        await record.approve_minutes(
            held.adviser, held.adviser.person_id, held.meeting_id, row["version"]
        )
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    referrals = {r["item"]: r for r in await Referral.select()}
    assert referrals[held.items[0]]["adm"] == held.pcc_adm.person_id
    assert referrals[held.items[1]]["adm"] == held.pcc_adm.person_id
    assert referrals[held.items[2]]["adm"] == held.ccc_adm.person_id
    with pytest.raises(Conflict, match="final and locked"):
        await record.edit_minutes(held.adviser, held.meeting_id, row["version"] + 1, {})
    with pytest.raises(Conflict, match="final and locked"):
        await record.record_item(held.adviser, held.items[0], recommendation())
    number = await record.correct_minutes(
        held.adviser, held.meeting_id, {"reason": "Typo in item 1", "general": "Corrected"}
    )
    assert number == 2
    content, _ = await record.extract(held.items[0])
    assert content[:2] == b"PK"
    queue = await services.queue(held.pcc_adm.person_id, held.pcc_adm.adm_partner_ids)
    assert {r["case_reference"] for r in queue["open"]} == {"ADP-1", "CH-2"}


async def test_an_adm_who_sat_on_the_panel_is_not_routed_the_item(agency) -> None:
    held = await held_meeting(agency)
    from adm.rules.routing import AdmRole
    from panel.tables import PanelMember

    sally = (
        await PanelMember.select(PanelMember.person)
        .where(PanelMember.id == held.members["Sally"])
        .first()
    )
    from adm.tables import AdmAssignment

    # One primary for each partner: the ADM steps down before Sally takes over.
    await AdmAssignment.delete().where(AdmAssignment.person == held.ccc_adm.person_id)
    await adm_demo.assign(sally["person"], "CCC", AdmRole.PRIMARY)
    await Referral.delete().where(Referral.id > 0)
    await _record_all(held)
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    assert not await Referral.exists().where(Referral.item == held.items[2])


async def _final(held) -> dict[int, dict[str, Any]]:
    await _record_all(held)
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    await addressed(held.adviser)
    return {r["item"]: r for r in await Referral.select()}


async def test_the_adm_decides_and_the_letter_closes_the_five_day_clock(agency) -> None:
    held = await held_meeting(agency)
    referrals = await _final(held)
    ref = referrals[held.items[0]]
    await Referral.update({Referral.received_on: date(2026, 12, 14)}).where(
        Referral.id == ref["id"]
    )
    decision = {"verdict": "agree", "decided_on": "2026-12-18", "version": str(ref["version"])}
    with pytest.raises(services.Forbidden):
        await services.decide(held.ccc_adm, ref["id"], decision)
    for bad, field in (("2026-12-09", "decided_on"), ("2099-01-04", "decided_on")):
        with pytest.raises(Invalid) as error:
            await services.decide(held.pcc_adm, ref["id"], decision | {"decided_on": bad})
        assert field in error.value.errors
    with pytest.raises(Invalid, match="reasons"):
        await services.decide(
            held.pcc_adm,
            ref["id"],
            decision | {"verdict": "disagree", "outcome": "Not suitable to adopt"},
        )
    first, new = await services.decide(held.pcc_adm, ref["id"], decision, idempotency_key="k-1")
    again, new_again = await services.decide(
        held.pcc_adm, ref["id"], decision, idempotency_key="k-1"
    )
    assert (new, new_again, again) == (True, False, first)
    with pytest.raises(Conflict, match="already decided"):
        await services.decide(held.pcc_adm, ref["id"], decision)
    fresh = await services.referral(ref["id"])
    await services.record_told(
        held.adviser,
        ref["id"],
        {
            "told_orally_on": "2026-12-21",
            "letter_sent_on": "2026-12-23",
            "version": str(fresh["version"]),
        },
    )
    name, content = await services.letter(ref["id"])
    assert name.endswith(".docx") and content[:2] == b"PK"
    rows = await services.running_clocks(
        services.ClockFilter(state="all"), today=date(2026, 12, 29)
    )
    five_day = [
        c for c in rows if c.referral_id == ref["id"] and c.kind is ClockKind.TOLD_IN_WRITING
    ]
    assert five_day[0].status.state is ClockState.MET


async def test_a_not_suitable_decision_is_a_qualifying_determination_with_the_irm_letter(
    agency,
) -> None:
    held = await held_meeting(agency)
    referrals = await _final(held)
    ref = referrals[held.items[2]]
    await services.decide(
        held.ccc_adm,
        ref["id"],
        {
            "verdict": "disagree",
            "outcome": "Not suitable to adopt",
            "decided_on": "2026-12-14",
            "reasons": "The panel did not weigh the health report.",
        },
    )
    fresh = await services.referral(ref["id"])
    assert fresh["qualifying"]
    _, content = await services.letter(ref["id"])
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "40 working days" in text and "Independent Review Mechanism" in text


async def test_reminders_are_sent_once_however_often_the_job_runs(agency) -> None:
    from governance.tables import OutboxMessage

    held = await held_meeting(agency)
    referrals = await _final(held)
    ref = referrals[held.items[0]]
    await Referral.update({Referral.received_on: date(2026, 12, 14)}).where(
        Referral.id == ref["id"]
    )
    # Due 23 December (7 working days); two working days before is 21 December.
    await services.send_reminders(today=date(2026, 12, 21))
    await services.send_reminders(today=date(2026, 12, 21))
    reminders = await OutboxMessage.select().where(OutboxMessage.subject.like("Decision due%"))
    assert len([r for r in reminders if "ADP-1" in r["subject"]]) == 1
    await services.send_reminders(today=date(2027, 1, 6))
    missed = await OutboxMessage.select().where(OutboxMessage.subject.like("Clock missed%"))
    assert missed and all(
        "ADP-1" in r["subject"] or "CH-2" in r["subject"] or "ADP-3" in r["subject"] for r in missed
    )
    _ = MEETING_DAY


async def test_the_board_counts_each_closed_clock_for_the_deciding_authority(agency) -> None:
    from adm.timeliness import clocks_due

    held = await held_meeting(agency)
    referrals = await _final(held)
    ref = referrals[held.items[0]]
    await Referral.update({Referral.received_on: date(2026, 12, 14)}).where(
        Referral.id == ref["id"]
    )
    decision = {"verdict": "agree", "decided_on": "2026-12-18", "version": str(ref["version"])}
    await services.decide(held.pcc_adm, ref["id"], decision)
    fresh = await services.referral(ref["id"])
    # Told in writing on 4 January: the five-day rule (skipping Christmas and New Year) allowed
    # until 29 December, so that clock closed missed; the decision itself was in time.
    await services.record_told(
        held.adviser,
        ref["id"],
        {
            "told_orally_on": "2026-12-21",
            "letter_sent_on": "2027-01-04",
            "version": str(fresh["version"]),
        },
    )
    due = await clocks_due(date(2026, 10, 1), date(2027, 3, 31))
    closed = {c.kind: c for c in due if c.completed_on and c.partner.startswith("Peterborough")}
    decided = closed[ClockKind.ADM_DECISION]
    assert (decided.due_on, decided.completed_on) == (date(2026, 12, 23), date(2026, 12, 18))
    letter = closed[ClockKind.TOLD_IN_WRITING]
    assert (letter.due_on, letter.completed_on) == (date(2026, 12, 29), date(2027, 1, 4))
    assert await clocks_due(date(2027, 4, 1), date(2027, 6, 30)) == []


async def test_the_adm_reads_a_routed_items_paper_from_the_agendas_store(agency) -> None:
    from governance import audit
    from governance.settings import Settings
    from panel import agenda, samples
    from panel.tables import Meeting, MeetingStatus

    settings = Settings.from_env()
    held = await held_meeting(agency)
    content = samples.pdf_paper("Prospective adopter's report", pages=2)
    # The paper arrived before the panel sat: open the meeting for papers, then hold it again.
    await Meeting.update({Meeting.status: MeetingStatus.PLANNED}).where(
        Meeting.id == held.meeting_id
    )
    paper_version = await agenda.upload_paper(
        audit.SYSTEM, held.items[0], {"title": "PAR"}, "par.pdf", content, settings
    )
    await Meeting.update({Meeting.status: MeetingStatus.HELD}).where(Meeting.id == held.meeting_id)
    referrals = await _final(held)
    ref = referrals[held.items[0]]
    version, _ = await agenda.paper_version(paper_version, settings)
    name, media, data = await services.paper(settings, held.items[0], version["paper"])
    assert (name, media, data) == ("par.pdf", "application/pdf", content)
    assert ref["partner"] == agency["PCC"]
