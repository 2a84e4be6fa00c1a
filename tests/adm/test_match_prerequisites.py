"""AAR reg 32(5) at the meeting: the recommendation form refuses a match the panel may not make
and says what is missing; the adviser records the placement order or consent on the item."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adm import demo as adm_demo
from governance.errors import Invalid
from governance.roles import Role
from governance.tables import AuditEntry
from panel import placement, record
from panel.tables import ItemRecord, PlacementAuthority
from tests.adm.support import recommendation, user
from tests.conftest import make_account, sign_in_client
from tests.panel import support

DAY = date(2027, 1, 7)


async def _meeting(planned: list[adm_demo.PlannedItem]) -> tuple[Any, list[int]]:
    members = await support.central_list()
    ids = list(members.values())
    meeting_id, items = await adm_demo.past_meeting(DAY, ids, members["Clara"], planned)
    account = await make_account(Role.PANEL_ADVISER, name="Ann Adviser")
    adviser = user(account, Role.PANEL_ADVISER)
    await record.save_attendance(adviser, meeting_id, adm_demo.present_all(ids))
    return adviser, items


async def test_a_match_without_authority_to_place_is_refused_and_says_what_is_missing_aar_reg_32_5(
    agency,
) -> None:
    adviser, items = await _meeting([adm_demo.PlannedItem("match", "CH-5", "L P", "PCC")])
    await PlacementAuthority.delete().where(PlacementAuthority.item == items[0])
    with pytest.raises(Invalid) as refused:
        await record.record_item(adviser, items[0], recommendation("Match"))
    message = refused.value.errors["outcome"]
    assert "may not recommend this match yet" in message
    assert "no placement order or s.19 consent is on record (AAR reg 32(5))" in message
    assert await ItemRecord.count() == 0
    # "No match" needs no authority: the panel may always advise against.
    await record.record_item(adviser, items[0], recommendation("No match"))


async def test_a_match_heard_after_the_should_be_placed_item_at_the_same_meeting_may_be_recommended_aar_reg_32_5_a(  # noqa: E501
    agency,
) -> None:
    adviser, items = await _meeting(
        [
            adm_demo.PlannedItem("should_be_placed", "CH-6", "R T", "PCC"),
            adm_demo.PlannedItem("match", "CH-6", "R T", "PCC"),
        ]
    )
    await PlacementAuthority.delete().where(PlacementAuthority.item == items[1])
    with pytest.raises(Invalid):
        await record.record_item(adviser, items[1], recommendation("Match"))
    await record.record_item(adviser, items[0], recommendation("Should not be placed for adoption"))
    with pytest.raises(Invalid):
        await record.record_item(adviser, items[1], recommendation("Match"))
    await record.record_item(
        adviser, items[0], recommendation("Should be placed for adoption", version="1")
    )
    await record.record_item(adviser, items[1], recommendation("Match"))
    assert await ItemRecord.count() == 2


async def test_the_adviser_records_the_placement_order_on_the_match_item_audited(
    client, agency
) -> None:
    adviser, items = await _meeting([adm_demo.PlannedItem("match", "CH-7", "M P", "CCC")])
    await PlacementAuthority.delete().where(PlacementAuthority.item == items[0])
    account = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, account)
    page = await client.get(f"/panel/items/{items[0]}/placement-authority")
    assert page.status_code == 200
    assert "Not yet" in page.text and "regulation 32(5)" in page.text
    assert await AuditEntry.exists().where(
        (AuditEntry.record_type == "placement_authority") & (AuditEntry.action == "view")
    )
    undated = await client.post(
        f"/panel/items/{items[0]}/placement-authority",
        data={"authority": "placement_order", "version": "0"},
    )
    assert undated.status_code == 422
    assert "Enter the date the placement order was made" in undated.text
    future = await client.post(
        f"/panel/items/{items[0]}/placement-authority",
        data={"authority": "placement_order", "authorised_on": "2027-02-01", "version": "0"},
    )
    assert future.status_code == 422 and "cannot be in the future" in future.text
    saved = await client.post(
        f"/panel/items/{items[0]}/placement-authority",
        data={
            "authority": "placement_order",
            "authorised_on": "2026-11-20",
            "adopters_approved_on": "2026-10-01",
            "note": "Family Court at Peterborough",
            "version": "0",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    stale = await client.post(
        f"/panel/items/{items[0]}/placement-authority",
        data={"authority": "placement_order", "authorised_on": "2026-11-21", "version": "0"},
    )
    assert stale.status_code == 409
    row = await placement.authority_of(items[0])
    assert row is not None and row["authorised_on"] == date(2026, 11, 20)
    entry = (
        await AuditEntry.select()
        .where((AuditEntry.record_type == "placement_authority") & (AuditEntry.action == "create"))
        .first()
    )
    assert entry is not None and "Placement order" in entry["summary"]
    assert "20 November 2026" in entry["summary"]
    shown = await client.get(f"/panel/items/{items[0]}/placement-authority")
    assert "The requirement of regulation 32(5) is met" in shown.text
    await record.record_item(adviser, items[0], recommendation("Match"))


async def test_the_recommendation_form_shows_the_refusal_as_a_422(client, agency) -> None:
    _, items = await _meeting([adm_demo.PlannedItem("match", "CH-8", "S A", "PCC")])
    await PlacementAuthority.delete().where(PlacementAuthority.item == items[0])
    account = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, account)
    refused = await client.post(
        f"/panel/record/items/{items[0]}",
        data={"action": "recommend", "outcome": "Match", "reasons": "A good match."},
    )
    assert refused.status_code == 422
    assert "may not recommend this match yet" in refused.text
    assert "govuk-error-summary" in refused.text


async def test_a_member_cannot_open_the_authority_page(client, agency) -> None:
    _, items = await _meeting([adm_demo.PlannedItem("match", "CH-9", "S A", "PCC")])
    member = await make_account(Role.PANEL_MEMBER, name="Mo Member")
    await sign_in_client(client, member)
    assert (await client.get(f"/panel/items/{items[0]}/placement-authority")).status_code == 403
