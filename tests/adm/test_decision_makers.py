"""Decision makers through pages: who assesses adopters, ADM accounts for one or more partners or
the agency itself, primaries and deputies, and the agency's own ADM seeing only its own items."""

from __future__ import annotations

from typing import Any

from adm.rules.routing import AdmRole
from adm.tables import AdmAssignment, Referral
from governance import audit
from governance import services as gov_services
from governance.roles import Role
from governance.tables import Account, Agency, AuditEntry, RoleGrant
from panel import record
from panel.tables import AgendaItem
from tests.adm.support import held_meeting, minutes_final_the_day_after
from tests.adm.test_meeting_to_decision import _record_all
from tests.conftest import PASSWORD, Person, make_account, sign_in_client


async def _assesses(client: Any, yes: bool = True) -> Any:
    agency = await Agency.select(Agency.version).first()
    assert agency is not None
    return await client.post(
        "/adm/assignments/assessing",
        data={"assesses_adopters": "agency" if yes else "partners", "version": agency["version"]},
    )


async def _new_adm(client: Any, name: str, email: str, *scopes: object) -> Any:
    return await client.post(
        "/adm/assignments/people",
        data={"name": name, "email": email, "adm_partners": [str(s) for s in scopes]},
    )


async def _assign(client: Any, body: object, person_id: int, role: str) -> Any:
    return await client.post(
        "/adm/assignments", data={"partner": str(body), "person": str(person_id), "role": role}
    )


async def _agency_adm(name: str) -> Person:
    """An ADM account that decides for the agency itself, as the page or create-user makes it."""
    email = name.lower().replace(" ", ".") + "@example.org"
    data = {"name": name, "email": email, "roles": ["adm"], "adm_partners": ["agency"]}
    account_id, _ = await gov_services.create_account(
        audit.SYSTEM, data, password=PASSWORD, cheap_hash=True
    )
    return Person(account_id, await _person(email), name, email, PASSWORD)


async def _person(email: str) -> int:
    row = await Account.select(Account.person).where(Account.person.email == email).first()
    assert row is not None
    return int(row["person"])


async def test_one_decision_maker_for_both_councils_gets_an_account_and_a_one_time_password(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    page = await _new_adm(
        client, "Simon Green", "simon.green@example.org", agency["CCC"], agency["PCC"]
    )
    assert page.status_code == 201
    assert "One-time password for Simon Green" in page.text
    password = page.text.split("<code>")[1].split("</code>")[0]
    grants = await RoleGrant.select(RoleGrant.role, RoleGrant.partner).where(
        RoleGrant.account.person.email == "simon.green@example.org"
    )
    assert sorted(g["partner"] for g in grants) == sorted(agency.values())
    assert {g["role"] for g in grants} == {Role.ADM}
    row = (
        await Account.select(Account.id, Account.person)
        .where(Account.person.email == "simon.green@example.org")
        .first()
    )
    assert row is not None
    client.cookies.clear()
    simon = Person(row["id"], row["person"], "Simon Green", "simon.green@example.org", password)
    await sign_in_client(client, simon)
    assert (await client.get("/adm/queue")).status_code == 200


async def test_someone_with_an_account_keeps_it_and_their_roles_and_gains_the_scopes(
    client, sign_in, agency
) -> None:
    adviser = await make_account(Role.PANEL_ADVISER, name="Helen Ward")
    await sign_in(Role.SYSTEM_ADMIN)
    page = await _new_adm(client, "Helen Ward", adviser.email, agency["PCC"])
    assert page.status_code == 200  # after the redirect
    assert "They already had an account" in page.text
    roles = await RoleGrant.select(RoleGrant.role, RoleGrant.partner).where(
        RoleGrant.account == adviser.account_id
    )
    assert sorted((r["role"], r["partner"]) for r in roles) == [
        (Role.ADM, agency["PCC"]),
        (Role.PANEL_ADVISER, None),
    ]
    assert await Account.count() == 2  # nobody new


async def test_a_decision_maker_without_an_email_or_an_authority_is_told_and_nothing_is_added(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    page = await _new_adm(client, "No Email", "")
    assert page.status_code == 422
    assert "Select at least one authority" in page.text
    assert 'href="#dm_email"' in page.text
    assert await Account.count() == 1


async def test_an_adm_assigned_for_a_partner_their_account_does_not_decide_for_is_refused(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    pat = await make_account(Role.ADM, name="Pat Peterborough", partners=(agency["PCC"],))
    page = await _assign(client, agency["CCC"], pat.person_id, "primary")
    assert page.status_code == 422
    assert (
        "Pat Peterborough&#39;s account is not an ADM account for Cambridgeshire County Council"
        in page.text
    )
    assert await AdmAssignment.count() == 0


async def test_a_second_primary_for_a_partner_is_refused_naming_the_first(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    first = await make_account(Role.ADM, name="Pat Peterborough", partners=(agency["PCC"],))
    second = await make_account(Role.ADM, name="Piers Other", partners=(agency["PCC"],))
    assert (await _assign(client, agency["PCC"], first.person_id, "primary")).status_code == 200
    page = await _assign(client, agency["PCC"], second.person_id, "primary")
    assert page.status_code == 409
    assert (
        "Peterborough City Council already has a primary decision maker, Pat Peterborough"
        in page.text
    )
    assert "assign Piers Other as deputy" in page.text
    deputy = await _assign(client, agency["PCC"], second.person_id, "deputy")
    assert deputy.status_code == 200
    rows = await AdmAssignment.select(AdmAssignment.person, AdmAssignment.role)
    assert sorted((r["person"], r["role"]) for r in rows) == sorted(
        [(first.person_id, "primary"), (second.person_id, "deputy")]
    )


async def test_the_agency_has_decision_makers_of_its_own_only_once_it_assesses_adopters(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    added = await _new_adm(client, "Ruth Head", "ruth.head@example.org", "agency")
    assert added.status_code == 201
    ruth = await _person("ruth.head@example.org")
    refused = await _assign(client, "agency", ruth, "primary")
    assert refused.status_code == 422
    assert "The agency does not assess adopters itself" in refused.text
    assert await AdmAssignment.count() == 0

    page = await _assesses(client)
    assert page.status_code == 200
    assert (await Agency.select(Agency.assesses_adopters).first()) == {"assesses_adopters": True}
    assert await AuditEntry.exists().where(
        (AuditEntry.record_type == "agency")
        & (AuditEntry.summary == "the agency assesses adopters itself")
    )
    assert (await _assign(client, "agency", ruth, "primary")).status_code == 200
    page = await client.get("/adm/assignments")
    assert "The agency itself" in page.text
    row = await AdmAssignment.select().first()
    assert row is not None
    assert (row["partner"], row["person"], row["role"]) == (None, ruth, "primary")


async def test_a_stale_answer_to_who_assesses_adopters_is_refused(client, sign_in, agency) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    agency_row = await Agency.select(Agency.version).first()
    assert agency_row is not None
    assert (await _assesses(client)).status_code == 200
    stale = await client.post(
        "/adm/assignments/assessing",
        data={"assesses_adopters": "partners", "version": agency_row["version"]},
    )
    assert stale.status_code == 409
    assert (await Agency.select(Agency.assesses_adopters).first()) == {"assesses_adopters": True}


async def test_an_approval_the_agency_assessed_reaches_its_own_adm_who_sees_only_its_items(
    client, agency
) -> None:
    await Agency.update({Agency.assesses_adopters: True}).where(Agency.id > 0)
    held = await held_meeting(agency)
    head = await _agency_adm("Ruth Head")
    deputy = await _agency_adm("Dev Deputy")
    await AdmAssignment.insert(
        AdmAssignment(partner=None, person=head.person_id, role=AdmRole.PRIMARY),
        AdmAssignment(partner=None, person=deputy.person_id, role=AdmRole.DEPUTY),
    )
    # ADP-1 was assessed by the agency itself; CH-2 is a Peterborough child's match.
    await AgendaItem.update(
        {AgendaItem.assessed_by_agency: True, AgendaItem.assessing_partner: None}
    ).where(AgendaItem.id == held.items[0])
    await _record_all(held)
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    final_on = await minutes_final_the_day_after(held)
    routed = {r["item"]: r for r in await Referral.select()}
    assert (routed[held.items[0]]["partner"], routed[held.items[0]]["adm"]) == (
        None,
        head.person_id,
    )
    assert routed[held.items[1]]["partner"] == agency["PCC"]
    assert routed[held.items[1]]["adm"] == held.pcc_adm.person_id

    # The agency's ADM sees the agency's item, and not a council's even when routed to them.
    await Referral.update({Referral.adm: head.person_id}).where(
        Referral.id == routed[held.items[1]]["id"]
    )
    await sign_in_client(client, head)
    assert "Agency decision maker for the agency itself" in (await client.get("/")).text
    queue = (await client.get("/adm/queue")).text
    assert "ADP-1" in queue and "CH-2" not in queue
    assert "The agency itself" in queue
    mine = await client.get(f"/adm/referrals/{routed[held.items[0]]['id']}")
    assert mine.status_code == 200
    council = await client.get(f"/adm/referrals/{routed[held.items[1]]['id']}")
    assert council.status_code == 403
    decided = await client.post(
        f"/adm/referrals/{routed[held.items[0]]['id']}/decision",
        data={
            "verdict": "agree",
            "decided_on": final_on.isoformat(),
            "version": str(routed[held.items[0]]["version"]),
        },
    )
    assert decided.status_code == 200, decided.text


async def test_the_council_adm_cannot_see_an_approval_the_agency_assessed(client, agency) -> None:
    await Agency.update({Agency.assesses_adopters: True}).where(Agency.id > 0)
    held = await held_meeting(agency)
    head = await _agency_adm("Ruth Head")
    await AdmAssignment.insert(
        AdmAssignment(partner=None, person=head.person_id, role=AdmRole.PRIMARY)
    )
    await AgendaItem.update(
        {AgendaItem.assessed_by_agency: True, AgendaItem.assessing_partner: None}
    ).where(AgendaItem.id == held.items[0])
    await _record_all(held)
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    referral = await Referral.select().where(Referral.item == held.items[0]).first()
    assert referral is not None
    # Even routed to them by hand, a council's ADM may not open the agency's item.
    await Referral.update({Referral.adm: held.pcc_adm.person_id}).where(
        Referral.id == referral["id"]
    )
    pat = Person(
        held.pcc_adm.account_id,
        held.pcc_adm.person_id,
        held.pcc_adm.name,
        held.pcc_adm.email,
        PASSWORD,
    )
    await sign_in_client(client, pat)
    assert "ADP-1" not in (await client.get("/adm/queue")).text
    assert (await client.get(f"/adm/referrals/{referral['id']}")).status_code == 403
