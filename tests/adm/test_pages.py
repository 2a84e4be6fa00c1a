"""The issue's walk-through over HTTP: live record, inquorate item, chair's approval, the
Peterborough ADM's queue and decision, the letter, the clocks page; and the API."""

from __future__ import annotations

import io
from datetime import date

import docx

from adm import demo as adm_demo
from adm.rules.routing import AdmRole
from adm.tables import AdmAssignment, Decision, Referral
from governance.roles import Role
from panel import record
from panel.tables import ItemRecord
from tests.adm.support import ADDRESSEE, held_meeting, minutes_final_the_day_after
from tests.conftest import make_account, sign_in_client

DAY = date(2027, 1, 7)


async def test_the_meeting_to_the_letter_as_the_people_do_it(client, agency) -> None:
    held = await held_meeting(agency, DAY)
    m = held.members
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, adviser)
    form = adm_demo.present_all(list(m.values()), {m["Sally"]: "11:47", m["Sam"]: "11:47"})
    response = await client.post(f"/panel/record/meetings/{held.meeting_id}/attendance", data=form)
    assert response.status_code == 200
    page = (await client.get(f"/panel/record/meetings/{held.meeting_id}")).text
    assert page.count("Not quorate") == 1 and "no social worker with 3 years" in page
    refused = await client.post(
        f"/panel/record/items/{held.items[2]}",
        data={"action": "recommend", "outcome": "Suitable to adopt", "reasons": "Good"},
    )
    assert refused.status_code == 409
    assert "only be deferred" in refused.text
    assert await ItemRecord.count() == 0
    no_reasons = await client.post(
        f"/panel/record/items/{held.items[0]}",
        data={"action": "recommend", "outcome": "Suitable to adopt", "reasons": ""},
    )
    assert no_reasons.status_code == 422 and "Enter the panel" in no_reasons.text
    for item, outcome in ((held.items[0], "Suitable to adopt"), (held.items[1], "Match")):
        saved = await client.post(
            f"/panel/record/items/{item}",
            data={"action": "recommend", "outcome": outcome, "reasons": "Thorough."},
        )
        assert saved.status_code == 200
    await client.post(
        f"/panel/record/items/{held.items[2]}",
        data={"action": "defer", "reasons": "Inquorate", "information_needed": "Quorum"},
    )
    chair = await make_account(
        Role.PANEL_MEMBER, name="Clara Chair", email="clara.chair@example.org"
    )
    client.cookies.clear()
    await sign_in_client(client, chair)
    page = await client.get(f"/panel/record/meetings/{held.meeting_id}/minutes")
    assert "Approve the minutes" in page.text
    version = page.text.split('name="version" value="')[1].split('"')[0]
    approved = await client.post(
        f"/panel/record/meetings/{held.meeting_id}/minutes/approve", data={"version": version}
    )
    assert "final and locked" in approved.text
    assert await Referral.count() == 2
    # As if approved the day after the meeting: the decision below is dated from then on.
    await minutes_final_the_day_after(held)
    # The adviser records whom the letters go to: the couple, by name, at their address.
    client.cookies.clear()
    await sign_in_client(client, adviser)
    first = (await Referral.select().where(Referral.item == held.items[0]).first()) or {}
    page = await client.get(f"/adm/referrals/{first['id']}/addressee")
    assert page.status_code == 200 and "Whom the letters go to" in page.text
    saved = await client.post(
        f"/adm/referrals/{first['id']}/addressee", data=ADDRESSEE | {"version": "0"}
    )
    assert saved.status_code == 200 and "Ms Aisha Khan and Mr Imran Khan" in saved.text

    pcc = await make_account(Role.ADM, name="Pete Borough", partners=(agency["PCC"],))
    # One primary for each partner: Pete takes over from the ADM the meeting was held with.
    await AdmAssignment.delete().where(AdmAssignment.partner == agency["PCC"])
    await adm_demo.assign(pcc.person_id, "PCC", AdmRole.PRIMARY)
    await Referral.update({Referral.adm: pcc.person_id}).where(Referral.id > 0)
    client.cookies.clear()
    await sign_in_client(client, pcc)
    queue = (await client.get("/adm/queue")).text
    assert "ADP-1" in queue and "CH-2" in queue and "ADP-3" not in queue
    ref = (await Referral.select().where(Referral.item == held.items[0]).first()) or {}
    future = await client.post(
        f"/adm/referrals/{ref['id']}/decision",
        data={"verdict": "agree", "decided_on": "2027-02-01", "version": str(ref["version"])},
    )
    assert future.status_code == 422 and "future" in future.text
    decided = await client.post(
        f"/adm/referrals/{ref['id']}/decision",
        data={"verdict": "agree", "decided_on": "2027-01-12", "version": str(ref["version"])},
    )
    assert decided.status_code == 200
    twice = await client.post(
        f"/adm/referrals/{ref['id']}/decision",
        data={"verdict": "agree", "decided_on": "2027-01-12", "version": str(ref["version"])},
    )
    assert twice.status_code == 409 and await Decision.count() == 1
    letter = await client.get(f"/adm/referrals/{ref['id']}/letter.docx")
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(letter.content)).paragraphs)
    assert "Dear Ms Khan and Mr Khan" in text
    assert "Ms Aisha Khan and Mr Imran Khan\n27 Lincoln Road\nPeterborough\nPE1 9ZK" in text

    client.cookies.clear()
    await sign_in_client(client, adviser)
    fresh = await Referral.select().where(Referral.id == ref["id"]).first()
    assert fresh is not None
    told = await client.post(
        f"/adm/referrals/{ref['id']}/told",
        data={"told_orally_on": "2027-01-13", "letter_sent_on": "2027-01-14",
              "version": str(fresh["version"])},
    )  # fmt: skip
    assert told.status_code == 200
    clocks = await client.get("/adm/clocks?kind=told_in_writing&state=met")
    assert "ADP-1" in clocks.text and "on time" in clocks.text


async def test_an_adm_of_another_authority_is_refused_and_it_is_audited(client, agency) -> None:
    from governance import audit

    held = await held_meeting(agency, DAY)
    ids = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, adm_demo.present_all(ids))
    for item, outcome in zip(
        held.items, ("Suitable to adopt", "Match", "Suitable to adopt"), strict=True
    ):
        await record.record_item(
            held.adviser, item, {"action": "recommend", "outcome": outcome, "reasons": "Yes"}
        )
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    ref = await Referral.select().where(Referral.item == held.items[0]).first()
    assert ref is not None
    other = await make_account(Role.ADM, name="Other Cambs", partners=(agency["CCC"],))
    await sign_in_client(client, other)
    response = await client.get(f"/adm/referrals/{ref['id']}")
    assert response.status_code == 403
    assert await audit.last_refusal(path=f"/adm/referrals/{ref['id']}")
    api = await client.post(
        f"/api/v1/adm/referrals/{ref['id']}/decision",
        json={"verdict": "agree", "decided_on": "2027-01-12"},
    )
    assert api.status_code == 403


async def test_the_api_records_a_retried_decision_once(client, agency) -> None:
    held = await held_meeting(agency, DAY)
    ids = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, adm_demo.present_all(ids))
    await record.record_item(
        held.adviser, held.items[0],
        {"action": "recommend", "outcome": "Suitable to adopt", "reasons": "Yes"},
    )  # fmt: skip
    for item in held.items[1:]:
        await record.record_item(
            held.adviser, item, {"action": "defer", "reasons": "Later", "information_needed": "X"}
        )
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    ref = await Referral.select().first()
    assert ref is not None
    pcc = await make_account(Role.ADM, name="Pat Api", partners=(agency["PCC"],))
    await Referral.update({Referral.adm: pcc.person_id}).where(Referral.id == ref["id"])
    await adm_demo.assign(pcc.person_id, "PCC", AdmRole.DEPUTY)
    await sign_in_client(client, pcc)
    listed = await client.get(f"/api/v1/adm/partners/{agency['PCC']}/referrals")
    assert [r["case_reference"] for r in listed.json()] == ["ADP-1"]
    body = {"verdict": "agree", "decided_on": "2027-01-12"}
    first = await client.post(
        f"/api/v1/adm/referrals/{ref['id']}/decision", json=body, headers={"idempotency-key": "abc"}
    )
    again = await client.post(
        f"/api/v1/adm/referrals/{ref['id']}/decision", json=body, headers={"idempotency-key": "abc"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["decision_id"] == again.json()["decision_id"]
    assert await Decision.count() == 1
    unknown = await client.post(
        f"/api/v1/adm/referrals/{ref['id']}/decision", json=body | {"colour": "red"}
    )
    assert unknown.status_code == 400
