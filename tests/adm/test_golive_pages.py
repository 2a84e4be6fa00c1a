"""The go-live checklist page: it reads the real records, shows on the administrator's home page
until done, and its test e-mail goes through the outbox and comes back with its code."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date, datetime

from adm import golive as golive_facts
from adm.rules.routing import AdmRole
from adm.tables import AdmAssignment
from governance import audit, clock, golive, mail
from governance.roles import Role
from governance.settings import Settings
from governance.tables import Agency, ClosureDay, MailTest, OutboxMessage
from panel import services as panel_services
from panel.tables import Meeting, PanelMember
from tests.conftest import make_account, sign_in_client
from tests.panel.support import central_list


async def test_the_checklist_lists_every_line_with_the_page_that_fixes_it(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    page = await client.get("/admin/go-live")
    assert page.status_code == 200
    assert "1 of 10 done" in page.text  # the C&amp;P fixture has its two partners
    for href in (
        "/admin/agency",
        "/adm/assignments",
        "/admin/accounts/new",
        "/panel/members/import",
        "/panel/policies",
        "/panel/meetings/new",
    ):
        assert f'href="{href}"' in page.text  # fmt: skip
    assert "Enter the agency&#39;s postal address, postcode" in page.text
    assert "Cambridgeshire County Council has no primary ADM and no deputy." in page.text
    assert "No closure days are set for 2027." in page.text
    home = await client.get("/")
    assert "Before the agency goes live" in home.text


async def test_only_the_system_administrator_sees_the_checklist(client, sign_in, agency) -> None:
    await sign_in(Role.PANEL_ADVISER)
    assert (await client.get("/admin/go-live")).status_code == 403
    assert "Before the agency goes live" not in (await client.get("/")).text


async def test_each_line_turns_done_from_the_records_and_the_home_page_section_goes(
    client, sign_in, agency, smtp
) -> None:
    admin = await sign_in(Role.SYSTEM_ADMIN)
    await Agency.update(
        {
            Agency.address: "Scott House\n5 George Street\nHuntingdon",
            Agency.postcode: "PE29 3AD",
            Agency.telephone: "01480 000000",
            Agency.email: "adoption@example.org",
            Agency.registered_manager: "Rosa Manager",
            Agency.letterhead_footer: "Hosted by Cambridgeshire County Council",
        }
    ).where(Agency.id > 0)
    for code in ("CCC", "PCC"):
        for n, role in enumerate(AdmRole):
            person = await make_account(
                Role.ADM, name=f"{role.value.title()} {code} {n}", partners=(agency[code],)
            )
            await AdmAssignment.insert(
                AdmAssignment(partner=agency[code], person=person.person_id, role=role)
            )
    await make_account(Role.PANEL_ADVISER, name="Ann Adviser")
    await central_list()
    numbers = asdict(panel_services.DEFAULT_POLICY.numbers)
    await panel_services.save_policy(
        audit.SystemActor(name=admin.name, account_id=admin.account_id),
        {"effective_from": "2027-01-15", "note": "Reviewed at go-live", **numbers},
    )
    for day in (date(2027, 12, 29), date(2028, 12, 27)):
        await ClosureDay.insert(ClosureDay(day=day, reason="Christmas closure"))
    at = datetime(2027, 2, 11, 10, tzinfo=clock.LONDON)
    await Meeting.insert(Meeting(starts_at=at, ends_at=at))
    lines = {line.key: line for line in await golive_facts.checklist()}
    assert [k for k, line in lines.items() if not line.done] == ["mail"]

    sent = await client.post("/admin/go-live/test-email", data={"to": "it@example.org"})
    assert sent.status_code == 200
    assert "has not been sent yet: it is waiting in the outbox" in sent.text
    assert await mail.deliver_pending(Settings.from_env()) == 1
    [message] = smtp.to("it@example.org")
    body = message.get_content()
    found = re.search(r"Your code is ([A-Z0-9]{8})", body)
    assert found is not None
    code = found.group(1)
    assert f"/admin/go-live?code={code}#test-email" in body
    page = await client.get("/admin/go-live")
    assert "The test e-mail was sent to it@example.org: enter the code" in page.text
    prefilled = await client.get(f"/admin/go-live?code={code}")
    assert f'value="{code}"' in prefilled.text

    wrong = await client.post("/admin/go-live/test-email/received", data={"code": "NOTTHEONE"})
    assert wrong.status_code == 422
    assert "That is not the code in a test e-mail" in wrong.text
    assert await MailTest.count().where(MailTest.received_at.is_not_null()) == 0

    done = await client.post("/admin/go-live/test-email/received", data={"code": code.lower()})
    assert done.status_code == 200
    assert "Ready to go live" in done.text
    assert "10 of 10 done" in done.text
    assert golive.complete(await golive_facts.checklist())
    assert "Before the agency goes live" not in (await client.get("/")).text


async def test_a_test_email_to_no_address_is_refused_and_nothing_is_queued(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    page = await client.post("/admin/go-live/test-email", data={"to": "not an address"})
    assert page.status_code == 422
    assert await OutboxMessage.count() == 0
    assert await MailTest.count() == 0


async def test_a_member_who_has_left_does_not_count_on_the_central_list(agency) -> None:
    members = await central_list()
    await PanelMember.update({PanelMember.leaving_on: date(2027, 1, 1)}).where(
        PanelMember.id.is_in(list(members.values()))
    )
    facts = await golive_facts.facts()
    assert facts.central_list == 0


async def test_on_an_install_with_nothing_yet_every_line_says_what_is_missing(client, db) -> None:
    admin = await make_account(Role.SYSTEM_ADMIN, name="Ann Admin")
    await sign_in_client(client, admin)
    page = await client.get("/admin/go-live")
    assert page.status_code == 200
    assert "0 of 10 done" in page.text
    assert "The agency is not set up yet." in page.text
    assert "Add the partners first: each needs a primary and a deputy ADM." in page.text
    assert page.text.count("Not done") == 10
