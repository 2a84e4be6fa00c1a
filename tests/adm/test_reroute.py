"""An ADM who goes on leave before deciding: their undecided items move to the deputy (AAR reg
30B: the decision is the agency's, and its clock keeps running), with the deputy told by e-mail;
leave that starts later moves them on its first day, by the daily job. Today is 15 January 2027."""

from __future__ import annotations

from datetime import date

from adm import demo, services
from adm.rules.routing import AdmRole
from adm.tables import AdmAssignment, Referral
from governance.roles import Role
from governance.tables import AuditEntry, OutboxMessage
from tests.adm.support import held_meeting
from tests.adm.test_meeting_to_decision import _final
from tests.conftest import make_account


async def _primary_of(person_id: int) -> int:
    row = (
        await AdmAssignment.select(AdmAssignment.id)
        .where((AdmAssignment.person == person_id) & (AdmAssignment.role == AdmRole.PRIMARY))
        .first()
    )
    assert row is not None
    return int(row["id"])


async def test_leave_that_has_begun_moves_undecided_items_to_the_deputy(
    client, agency, sign_in
) -> None:
    held = await held_meeting(agency)
    await _final(held)
    deputy = await make_account(Role.ADM, name="Dee Deputy", partners=(agency["PCC"],))
    await demo.assign(deputy.person_id, "PCC", AdmRole.DEPUTY)
    await sign_in(Role.PANEL_ADVISER)
    page = await client.post(
        f"/adm/assignments/{await _primary_of(held.pcc_adm.person_id)}/absences",
        data={"from_day": "2027-01-14", "to_day": "2027-01-29", "note": "Annual leave"},
    )
    assert page.status_code == 200
    assert "2 undecided items moved to the deputy" in page.text
    pcc = await Referral.select().where(Referral.partner == agency["PCC"])
    assert len(pcc) == 2 and {r["adm"] for r in pcc} == {deputy.person_id}
    assert all(r["deputy_used"] for r in pcc)
    assert all(
        "Moved to Dee Deputy on 15 January 2027: Pat Peterborough is absent on 15 January 2027."
        in r["routing_reasons"]
        for r in pcc
    )
    told = await OutboxMessage.select().where(OutboxMessage.to_address == deputy.email)
    assert len(told) == 2 and "now in your decision queue" in told[0]["body"]
    assert await AuditEntry.count().where(AuditEntry.action == "reroute") == 2
    # Running it again (the daily job, a second process) moves nothing twice.
    again = await services.reroute_absent(held.adviser)
    assert again.moved == [] and again.stuck == []
    # The Cambridgeshire item never moves: its ADM is at work.
    ccc = await Referral.select().where(Referral.partner == agency["CCC"])
    assert len(ccc) == 1 and ccc[0]["adm"] == held.ccc_adm.person_id


async def test_with_no_deputy_the_items_stay_and_the_page_says_so(client, agency, sign_in) -> None:
    held = await held_meeting(agency)
    await _final(held)
    before = {r["id"]: (r["adm"], r["version"]) for r in await Referral.select()}
    await sign_in(Role.PANEL_ADVISER)
    page = await client.post(
        f"/adm/assignments/{await _primary_of(held.pcc_adm.person_id)}/absences",
        data={"from_day": "2027-01-15", "to_day": "2027-01-15"},
    )
    assert "2 undecided items could not move: nobody else may decide them" in page.text
    assert {r["id"]: (r["adm"], r["version"]) for r in await Referral.select()} == before


async def test_leave_that_starts_later_moves_the_items_on_its_first_day(agency) -> None:
    held = await held_meeting(agency)
    await _final(held)
    deputy = await make_account(Role.ADM, name="Dee Deputy", partners=(agency["PCC"],))
    await demo.assign(deputy.person_id, "PCC", AdmRole.DEPUTY)
    await services.add_absence(
        held.adviser,
        await _primary_of(held.pcc_adm.person_id),
        {"from_day": "2027-01-20", "to_day": "2027-01-22"},
    )
    assert (await services.reroute_absent(held.adviser)).moved == []
    await services.send_reminders(today=date(2027, 1, 19))
    assert await Referral.count().where(Referral.adm == deputy.person_id) == 0
    await services.send_reminders(today=date(2027, 1, 20))
    assert await Referral.count().where(Referral.adm == deputy.person_id) == 2
