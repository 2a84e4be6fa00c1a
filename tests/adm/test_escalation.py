"""Missed-clock escalation: the agency names who is told besides the panel advisers (the head of
service), on a page an adviser can use, and the reminder job e-mails them."""

from __future__ import annotations

from datetime import date

from adm import escalation, services
from adm.tables import EscalationContact, Referral
from governance.roles import Role
from governance.tables import AuditEntry, OutboxMessage, Person
from tests.adm.support import held_meeting


async def test_a_head_of_service_is_told_when_a_clock_is_missed(agency, sign_in) -> None:
    held = await held_meeting(agency)
    from tests.adm.test_meeting_to_decision import _final

    referrals = await _final(held)
    ref = referrals[held.items[0]]
    await Referral.update({Referral.received_on: date(2026, 12, 14)}).where(
        Referral.id == ref["id"]
    )
    await escalation.add(
        held.adviser,
        {"name": "Helen Head", "email": "Helen.Head@Example.org", "title": ""},
    )
    # The decision was due 23 December; by 6 January it is missed with no reason recorded.
    await services.send_reminders(today=date(2027, 1, 6))
    missed = await OutboxMessage.select().where(OutboxMessage.subject.like("Clock missed%"))
    told = {m["to_address"] for m in missed}
    assert "helen.head@example.org" in told
    # Running the job again tells nobody twice.
    await services.send_reminders(today=date(2027, 1, 6))
    assert await OutboxMessage.count().where(OutboxMessage.subject.like("Clock missed%")) == len(
        missed
    )


async def test_the_page_adds_and_removes_a_contact_and_refuses_bad_input(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADVISER, name="Priya Adviser", email="priya@example.org")
    page = await client.get("/adm/escalation")
    assert page.status_code == 200
    assert "Nobody yet" in page.text and "Priya Adviser (priya@example.org)" in page.text

    bad = await client.post("/adm/escalation", data={"name": "", "email": "not-an-address"})
    assert bad.status_code == 422
    assert "There is a problem" in bad.text and "correct format" in bad.text
    assert await EscalationContact.count() == 0

    added = await client.post(
        "/adm/escalation",
        data={"name": "Helen Head", "email": "helen.head@example.org", "title": "Head of service"},
    )
    assert added.status_code == 200 and "Helen Head" in added.text
    assert await Person.exists().where(Person.email == "helen.head@example.org")

    again = await client.post(
        "/adm/escalation", data={"name": "Helen H", "email": "HELEN.HEAD@example.org"}
    )
    assert again.status_code == 409 and "already told of missed clocks" in again.text
    assert await EscalationContact.count() == 1

    contact = await EscalationContact.select().first()
    assert contact is not None
    removed = await client.post(f"/adm/escalation/{contact['id']}/remove")
    assert removed.status_code == 200 and "Nobody yet" in removed.text
    assert await EscalationContact.count() == 0
    gone = await client.post(f"/adm/escalation/{contact['id']}/remove")
    assert gone.status_code == 404
    actions = {
        (a["action"], a["record_type"])
        for a in await AuditEntry.select().where(AuditEntry.record_type == "escalation_contact")
    }
    assert actions == {("create", "escalation_contact"), ("delete", "escalation_contact")}


async def test_a_panel_member_cannot_see_who_is_told(client, sign_in) -> None:
    await sign_in(Role.PANEL_MEMBER)
    assert (await client.get("/adm/escalation")).status_code == 403
