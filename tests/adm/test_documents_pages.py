"""Minutes, extracts, letters (.docx and PDF) and the QA report come out of the pages; locked
minutes refuse edits; an ADM who sat on the panel may not decide."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adm import demo, services
from adm.rules.routing import AdmRole
from adm.tables import Referral
from governance.roles import Role
from panel import record
from panel.tables import PanelMember
from tests import support
from tests.adm.support import (
    Held,
    addressed,
    held_meeting,
    minutes_final_the_day_after,
    recommendation,
)
from tests.conftest import make_account, sign_in_client

DAY = date(2027, 1, 7)


async def _final(held: Held) -> dict[int, dict[str, Any]]:
    ids = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, demo.present_all(ids))
    for item in held.items:
        outcome = "Match" if item == held.items[1] else "Suitable to adopt"
        await record.record_item(held.adviser, item, recommendation(outcome))
    await record.rate_item(
        held.adviser,
        held.items[0],
        {"member": str(ids[0]), "report_type": "PAR", "team": "Assessment", "quality": "good",
         "complete": "adequate", "on_time": "no", "comment": "Late"},
    )  # fmt: skip
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    await addressed(held.adviser)
    return {r["item"]: r for r in await Referral.select()}


async def test_minutes_extracts_and_the_qa_report_download_and_locked_minutes_refuse_edits(
    client, agency
) -> None:
    held = await held_meeting(agency, DAY)
    await _final(held)
    adviser = await make_account(Role.PANEL_ADVISER, name="Doc Adviser")
    await sign_in_client(client, adviser)
    base = f"/panel/record/meetings/{held.meeting_id}/minutes"
    minutes = await client.get(f"{base}/minutes.docx")
    assert minutes.status_code == 200 and minutes.content[:2] == b"PK"
    extract = await client.get(f"/panel/record/items/{held.items[0]}/extract.docx")
    assert extract.status_code == 200
    locked = await client.post(base, data={"version": "2", "general": "Changed"})
    assert locked.status_code == 409 and "final and locked" in locked.text
    no_reason = await client.post(f"{base}/correct", data={"general": "Changed"})
    assert no_reason.status_code == 422
    corrected = await client.post(f"{base}/correct", data={"reason": "Typo", "general": "Fixed"})
    assert corrected.status_code == 200 and "Version 2" in corrected.text
    report = await client.post(
        "/panel/record/quality", data={"period_start": "2026-07-01", "period_end": "2027-01-14"}
    )
    assert report.status_code == 200 and report.content[:2] == b"PK"
    clocks = await client.get("/adm/clocks?kind=panel_feedback")
    assert "Panel QA report" in clocks.text


async def test_a_member_who_did_not_chair_may_not_see_or_approve_the_minutes(client, agency):
    from governance import audit

    held = await held_meeting(agency, DAY)
    member = await make_account(Role.PANEL_MEMBER, name="Not Chair")
    await sign_in_client(client, member)
    base = f"/panel/record/meetings/{held.meeting_id}/minutes"
    assert (await client.get(base)).status_code == 403
    assert (await client.post(f"{base}/approve", data={"version": "1"})).status_code == 403
    assert await audit.last_refusal(path=f"{base}/approve")


async def test_the_letter_comes_out_as_pdf_where_libreoffice_is_installed(client, agency) -> None:
    support.require(support.libreoffice_available(), "LibreOffice")
    held = await held_meeting(agency, DAY)
    referrals = await _final(held)
    ref = referrals[held.items[0]]
    await services.decide(held.pcc_adm, ref["id"], {"verdict": "agree", "decided_on": "2027-01-12"})
    adviser = await make_account(Role.PANEL_ADVISER, name="Pdf Adviser")
    await sign_in_client(client, adviser)
    response = await client.get(f"/adm/referrals/{ref['id']}/letter.pdf")
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"


async def test_an_adm_who_sat_on_the_panel_may_not_decide_even_when_routed(agency) -> None:
    held = await held_meeting(agency, DAY)
    referrals = await _final(held)
    ref = referrals[held.items[0]]
    sally = (
        await PanelMember.select(PanelMember.person)
        .where(PanelMember.id == held.members["Sally"])
        .first()
    )
    assert sally is not None
    person = await make_account(Role.ADM, name="Sat Sally", email="sally.social@example.org",
                                partners=(agency["PCC"],))  # fmt: skip
    await demo.assign(sally["person"], "PCC", AdmRole.DEPUTY)
    await Referral.update({Referral.adm: sally["person"]}).where(Referral.id == ref["id"])
    from tests.adm.support import user

    with pytest.raises(services.Forbidden, match=r"30B\(3\)"):
        await services.decide(
            user(person, Role.ADM, partners=(agency["PCC"],)),
            ref["id"],
            {"verdict": "agree", "decided_on": "2027-01-12"},
        )
