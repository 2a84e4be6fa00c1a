"""A should-be-placed decision after panel: the parent or guardian told orally and in writing
(AAR reg 19(3)), the letter to them, the reminder before it is due, and the record of each."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import docx
import pytest

from adm import demo as adm_demo
from adm import services
from adm.rules.clocks import ClockKind, ClockState
from adm.rules.routing import AdmRole
from adm.tables import Referral
from governance.errors import Conflict, Invalid
from governance.roles import Role
from governance.tables import AuditEntry, OutboxMessage
from panel import record
from panel.tables import ItemParty, PanelMember
from tests.adm.support import minutes_final_on, recommendation, user
from tests.conftest import make_account, sign_in_client
from tests.panel import support

DAY = date(2026, 12, 17)  # a Thursday panel; decisions fall over Christmas 2026


async def _decided_placement(agency: dict[str, int], decided_on: str) -> tuple[Any, int, Any]:
    """A panel that recommended the child R.T. be placed, and a match for R.T. at the same
    meeting, minutes final; the should-be-placed item decided on `decided_on`."""
    members = await support.central_list()
    ids = list(members.values())
    meeting_id, items = await adm_demo.past_meeting(
        DAY,
        ids,
        members["Clara"],
        [
            adm_demo.PlannedItem("should_be_placed", "CH-77", "R T", "PCC"),
            adm_demo.PlannedItem("match", "CH-77", "R T", "PCC"),
        ],
    )
    await ItemParty.insert(
        ItemParty(item=items[0], role="birth_relative", name="Kelly Thompson"),
        ItemParty(item=items[0], role="child", name="Reece Thompson"),
    )
    adviser_account = await make_account(Role.PANEL_ADVISER, name="Ann Adviser")
    adviser = user(adviser_account, Role.PANEL_ADVISER)
    pcc_account = await make_account(Role.ADM, name="Pat Peterborough", partners=(agency["PCC"],))
    pcc = user(pcc_account, Role.ADM, partners=(agency["PCC"],))
    await adm_demo.assign(pcc.person_id, "PCC", AdmRole.PRIMARY, "Assistant Director")
    await record.save_attendance(adviser, meeting_id, adm_demo.present_all(ids))
    await record.record_item(adviser, items[0], recommendation("Should be placed for adoption"))
    await record.record_item(adviser, items[1], recommendation("Match"))
    clara = (
        await PanelMember.select(PanelMember.person)
        .where(PanelMember.id == members["Clara"])
        .first()
    )
    assert clara is not None
    chair = await make_account(
        Role.PANEL_MEMBER, name="Clara Chair", email="clara.chair@example.org"
    )
    chair_user = user(chair, Role.PANEL_MEMBER)
    _, row, _ = await record.minutes_of(meeting_id)
    await record.approve_minutes(chair_user, clara["person"], meeting_id, row["version"])
    await minutes_final_on(meeting_id, DAY)
    ref = await Referral.select().where(Referral.item == items[0]).first()
    assert ref is not None
    await Referral.update({Referral.received_on: DAY}).where(Referral.id == ref["id"])
    await services.decide(
        pcc,
        ref["id"],
        {"verdict": "agree", "decided_on": decided_on, "version": str(ref["version"])},
    )
    return adviser, ref["id"], pcc


async def _clock(referral_id: int, kind: ClockKind, today: date) -> Any:
    rows = await services.running_clocks(services.ClockFilter(state="all"), today=today)
    return next(c for c in rows if c.referral_id == referral_id and c.kind is kind)


async def test_a_should_be_placed_decision_owes_the_parent_or_guardian_both_notices_aar_reg_19_3(
    agency,
) -> None:
    _, referral_id, _ = await _decided_placement(agency, "2026-12-23")
    row = await services.referral(referral_id)
    assert row["parents_to_be_told"] is True
    told = await _clock(referral_id, ClockKind.PARENTS_TOLD_ORALLY, date(2026, 12, 24))
    letter = await _clock(referral_id, ClockKind.PARENTS_TOLD_IN_WRITING, date(2026, 12, 24))
    assert told.status.due_on == date(2026, 12, 29)
    assert letter.status.due_on == date(2027, 1, 4)
    assert told.status.calendar.value == "statutory"


async def test_parents_told_on_time_and_written_to_late_are_recorded_and_shown(agency) -> None:
    adviser, referral_id, _ = await _decided_placement(agency, "2026-12-23")
    row = await services.referral(referral_id)
    await services.record_parents_told(
        adviser,
        referral_id,
        {
            "parents_told_orally_on": "2026-12-24",
            "parents_letter_sent_on": "2027-01-06",
            "version": str(row["version"]),
        },
    )
    told = await _clock(referral_id, ClockKind.PARENTS_TOLD_ORALLY, date(2027, 1, 15))
    letter = await _clock(referral_id, ClockKind.PARENTS_TOLD_IN_WRITING, date(2027, 1, 15))
    assert told.status.state is ClockState.MET
    assert letter.status.state is ClockState.MISSED
    assert letter.status.needs_breach_reason
    after = await services.referral(referral_id)
    assert after["open"] is False  # everyone the decision is owed to has been told
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.record_type == "referral")
        .order_by(AuditEntry.id, ascending=False)
        .first()
    )
    assert entry is not None and "parent or guardian told" in entry["summary"]


async def test_the_parents_dates_are_checked_and_a_stale_form_changes_nothing(agency) -> None:
    adviser, referral_id, _ = await _decided_placement(agency, "2026-12-23")
    row = await services.referral(referral_id)
    with pytest.raises(Invalid) as before:
        await services.record_parents_told(
            adviser,
            referral_id,
            {"parents_told_orally_on": "2026-12-22", "version": str(row["version"])},
        )
    assert (
        "before the decision on 23 December 2026" in before.value.errors["parents_told_orally_on"]
    )
    with pytest.raises(Conflict) as stale:
        await services.record_parents_told(
            adviser,
            referral_id,
            {"parents_told_orally_on": "2026-12-24", "version": str(row["version"] - 1)},
        )
    assert stale.value.field == "parents_told_orally_on"
    assert (await services.referral(referral_id))["parents_told_orally_on"] is None


async def test_a_match_decision_owes_no_parent_a_notice_under_reg_19_3(agency) -> None:
    adviser, _, pcc = await _decided_placement(agency, "2026-12-23")
    match = await Referral.select().where(Referral.category == "match").first()
    assert match is not None
    await Referral.update({Referral.received_on: DAY}).where(Referral.id == match["id"])
    await services.decide(
        pcc, match["id"], {"verdict": "agree", "decided_on": "2026-12-23", "version": "1"}
    )
    match = await services.referral(match["id"])
    assert match["status"] == "decided" and match["parents_to_be_told"] is False
    with pytest.raises(Conflict, match="not notified of it under AAR reg 19"):
        await services.record_parents_told(adviser, match["id"], {"version": "1"})


async def test_the_letter_to_the_parent_reads_the_decision_and_the_consent_route(agency) -> None:
    adviser, referral_id, _ = await _decided_placement(agency, "2026-12-23")
    row = await services.referral(referral_id)
    await services.record_parents_told(
        adviser,
        referral_id,
        {
            "parents_told_orally_on": "2026-12-24",
            "parents_letter_sent_on": "2026-12-31",
            "version": str(row["version"]),
        },
    )
    name, content = await services.parent_letter(referral_id)
    assert name == "parent-letter-CH-77.docx"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "31 December 2026" in text
    assert "Dear Kelly Thompson" in text
    assert "On 23 December 2026 I decided that R T should be placed for adoption." in text
    assert "told you of this decision on 24 December 2026" in text
    assert "section 19 of the Adoption and Children Act 2002" in text
    assert "Reece" not in text  # a letter names the child by initials only
    assert text.rstrip().endswith("Agency decision maker for Peterborough City Council")


async def test_advisers_are_reminded_before_the_parents_are_due_to_be_told_once(agency) -> None:
    await _decided_placement(agency, "2027-01-14")
    # 15 January: the parents must be told orally by Monday 18 January, one working day away.
    assert await services.send_reminders(today=date(2027, 1, 15)) >= 1
    again = await services.send_reminders(today=date(2027, 1, 15))
    reminders = await OutboxMessage.select().where(
        OutboxMessage.subject.like("Due by 18 January 2027: Parent or guardian told%")
    )
    assert len(reminders) == 1
    assert "AAR reg 19(3)" in reminders[0]["body"]
    assert again == 0  # claimed once: the job may run in several processes, or twice


async def test_the_referral_page_records_the_parents_told_with_its_errors(client, agency) -> None:
    _, referral_id, _ = await _decided_placement(agency, "2026-12-23")
    row = await services.referral(referral_id)
    account = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, account)
    page = await client.get(f"/adm/referrals/{referral_id}")
    assert "Telling the parent or guardian" in page.text
    assert "regulation 19(3)" in page.text
    assert "Telling the applicants" not in page.text
    bad = await client.post(
        f"/adm/referrals/{referral_id}/parents-told",
        data={"parents_told_orally_on": "2099-01-01", "version": str(row["version"])},
    )
    assert bad.status_code == 422 and "cannot be in the future" in bad.text
    stale = await client.post(
        f"/adm/referrals/{referral_id}/parents-told",
        data={"parents_told_orally_on": "2026-12-24", "version": "0"},
    )
    assert stale.status_code == 409
    saved = await client.post(
        f"/adm/referrals/{referral_id}/parents-told",
        data={"parents_told_orally_on": "2026-12-24", "version": str(row["version"])},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    letter = await client.get(f"/adm/referrals/{referral_id}/parent-letter.docx")
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    listed = await client.get(f"/api/v1/adm/partners/{agency['PCC']}/referrals")
    assert listed.status_code == 200, listed.text
    mine = next(r for r in listed.json() if r["id"] == referral_id)
    assert mine["parents_to_be_told"] is True
    assert mine["parents_told_orally_on"] == "2026-12-24"
    assert mine["parents_letter_sent_on"] is None


def test_the_letter_to_the_parent_opens_in_libreoffice_and_reads_back(tmp_path) -> None:
    from pypdf import PdfReader

    from adm import documents
    from governance import pdf
    from tests import support as components

    components.require(components.libreoffice_available(), "LibreOffice")
    content = documents.parent_letter(
        documents.ParentNotice(
            agency_name="Cambridgeshire & Peterborough Adoption",
            agency_address=("New Shire Hall", "Alconbury Weald"),
            partner_name="Peterborough City Council",
            addressees=("Kelly Thompson",),
            address=("Address held on the child's case record",),
            case_reference="CH-77",
            child="R.T.",
            meeting_date=date(2026, 12, 17),
            adm_name="Pat Peterborough",
            adm_role="Assistant Director",
            decision_date=date(2026, 12, 23),
            told_orally_on=date(2026, 12, 24),
        ),
        dated=date(2026, 12, 31),
    )
    converted = pdf.to_pdf(content, tmp_path)
    text = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(converted)).pages
    )
    assert "Dear Kelly Thompson" in text
    assert "I decided that R.T. should be placed for adoption" in text
    assert "Agency decision maker for Peterborough City Council" in text
