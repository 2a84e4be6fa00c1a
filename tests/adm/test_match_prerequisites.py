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
from panel import agenda, placement, record
from panel.tables import AgendaItem, ItemRecord, ItemType, PlacementAuthority
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


async def _reword(adviser: Any, code: str, words: dict[str, str], name: str) -> None:
    """The agency rewords a type's outcomes and renames the type (code and name): what each
    outcome means and the type's category stay as they were set."""
    type_id = (await adm_demo.item_types())[code]
    kind = await agenda.item_type(type_id)
    data: dict[str, Any] = {"version": str(kind["version"])}
    for n, found in enumerate(await agenda.type_outcomes(type_id)):
        o = found.outcome
        data |= {
            f"wording_{n}": words.get(o.wording, o.wording),
            f"meaning_{n}": o.meaning.value,
            f"letter_{n}": o.letter.value,
            f"qualifying_{n}": "yes" if o.qualifying else "",
            f"closes_{n}": "yes" if o.closes_without_decision else "",
        }
    await agenda.save_outcomes(adviser, type_id, data)
    await ItemType.update({ItemType.name: name, ItemType.code: f"local_{type_id}"}).where(
        ItemType.id == type_id
    )


async def test_a_renamed_should_be_placed_outcome_on_a_renamed_type_still_lets_the_match_follow_aar_reg_32_5_a(  # noqa: E501
    agency,
) -> None:
    adviser, items = await _meeting(
        [
            adm_demo.PlannedItem("should_be_placed", "CH-16", "R T", "PCC"),
            adm_demo.PlannedItem("match", "CH-16", "R T", "PCC"),
        ]
    )
    await PlacementAuthority.delete().where(PlacementAuthority.item == items[1])
    # Neither the type's new name nor its outcomes' new words say "placed" or "not".
    await _reword(
        adviser,
        "should_be_placed",
        {
            "Should be placed for adoption": "Plan for adoption agreed",
            "Should not be placed for adoption": "Adoption ruled out",
        },
        "Permanence planning",
    )
    await _reword(adviser, "match", {"Match": "Link agreed", "No match": "Link declined"},
                  "Linking with a family")  # fmt: skip
    with pytest.raises(Invalid) as refused:
        await record.record_item(adviser, items[1], recommendation("Link agreed"))
    assert "may not recommend this match yet" in refused.value.errors["outcome"]
    await record.record_item(adviser, items[0], recommendation("Adoption ruled out"))
    with pytest.raises(Invalid):
        await record.record_item(adviser, items[1], recommendation("Link agreed"))
    await record.record_item(
        adviser, items[0], recommendation("Plan for adoption agreed", version="1")
    )
    await record.record_item(adviser, items[1], recommendation("Link agreed"))
    kept = await ItemRecord.select(ItemRecord.outcome, ItemRecord.meaning).order_by(ItemRecord.id)
    assert [(r["outcome"], r["meaning"]) for r in kept] == [
        ("Plan for adoption agreed", "should_be_placed"),
        ("Link agreed", "match"),
    ]


async def test_the_agenda_warns_of_a_renamed_match_and_an_approval_item_of_any_name_aar_reg_32_5(
    agency,
) -> None:
    adviser, items = await _meeting(
        [
            adm_demo.PlannedItem("adopter_approval", "ADP-17", "S O", "PCC"),
            adm_demo.PlannedItem("match", "CH-17", "R T", "PCC"),
        ]
    )
    await PlacementAuthority.delete().where(PlacementAuthority.item == items[1])
    await AgendaItem.update({AgendaItem.applicants_invited_on: None}).where(
        AgendaItem.id == items[0]
    )
    await _reword(adviser, "match", {"Match": "Link agreed"}, "Linking with a family")
    await _reword(adviser, "adopter_approval", {}, "Stage 2 outcome")
    meeting = await AgendaItem.select(AgendaItem.meeting).where(AgendaItem.id == items[1]).first()
    assert meeting is not None
    rows = [await agenda.item(i) for i in items]
    warned = await placement.meeting_warnings(meeting["meeting"], DAY, rows)
    assert any("AAR reg 30A(5)" in w for w in warned[items[0]])
    assert any("A match cannot be recommended yet" in w for w in warned[items[1]])
