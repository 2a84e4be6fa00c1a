"""What the agenda warns of before the panel: applicants not invited to attend (AAR reg 30A(5)),
a match the panel may not yet recommend (reg 32(5)), and an approval item whose applicants may
still comment on their report, which holds back publication unless the adviser says why."""

from __future__ import annotations

from adm import before_panel
from governance import audit, clock
from governance.roles import Role
from governance.tables import AuditEntry
from panel import agenda
from tests.panel.test_agenda import _add, _rostered_meeting

NOT_INVITED = "invitation to attend the panel is not recorded"


async def test_an_approval_item_warns_until_the_applicants_invitation_is_recorded_aar_reg_30a_5(
    client, sign_in, agency
) -> None:
    meeting_id, _ = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    uninvited = await _add(
        client, meeting_id, "approval", "CPA/2027/1", assessing_partner=str(agency["CCC"])
    )
    invited = await _add(
        client, meeting_id, "approval", "CPA/2027/2", assessing_partner=str(agency["PCC"]),
        applicants_invited_on=clock.today().isoformat(),
    )  # fmt: skip
    view = await agenda.agenda(meeting_id)
    warnings = {r["id"]: r["warnings"] for r in view["rows"]}
    assert any(NOT_INVITED in w for w in warnings[uninvited])
    assert not any(NOT_INVITED in w for w in warnings[invited])
    page = (await client.get(f"/panel/meetings/{meeting_id}/agenda")).text
    assert page.count(NOT_INVITED) == 1
    late = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/items",
        data={
            "item_type": str((await agenda.item(invited))["item_type"]),
            "case_reference": "CPA/2027/3",
            "assessing_partner": str(agency["CCC"]),
            "applicants_invited_on": "2099-01-01",
        },
    )
    assert late.status_code == 422
    assert "invitation must be sent on or before the panel day" in late.text


async def test_a_match_on_the_agenda_warns_of_what_reg_32_5_still_needs(
    client, sign_in, agency
) -> None:
    meeting_id, _ = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    match = await _add(client, meeting_id, "match", "CPA/2027/9", child_partner=str(agency["PCC"]))
    page = (await client.get(f"/panel/meetings/{meeting_id}/agenda")).text
    assert "A match cannot be recommended yet" in page
    assert "no placement order or s.19 consent is on record" in page
    assert "The adopters&#39; approval is not on record" in page
    item_page = (await client.get(f"/panel/items/{match}")).text
    assert f"/panel/items/{match}/placement-authority" in item_page
    placed = await _add(
        client, meeting_id, "should_be_placed", "CPA/2027/9", child_partner=str(agency["PCC"])
    )
    assert placed
    page = (await client.get(f"/panel/meetings/{meeting_id}/agenda")).text
    assert "A should-be-placed item for this child is on the agenda" in page


async def test_an_agenda_is_held_back_while_applicants_may_comment_on_their_report(
    client, sign_in, agency
) -> None:
    meeting_id, _ = await _rostered_meeting()
    adviser = await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(
        client, meeting_id, "approval", "CPA/2027/4", assessing_partner=str(agency["CCC"]),
        applicants_invited_on=clock.today().isoformat(),
    )  # fmt: skip
    await before_panel.save_dates(
        audit.SYSTEM, item_id, 0, {"par_sent_on": clock.today().isoformat()}
    )
    view = await agenda.agenda(meeting_id)
    assert len(view["holds"]) == 1
    assert "may comment on their prospective adopter's report until" in view["holds"][0]
    version = str(view["state"]["version"])
    refused = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/publish",
        data={"version": version, "missing_reason": "Medical follows"},
    )
    assert refused.status_code == 422
    assert "Applicants may still comment on their report" in refused.text
    assert (await agenda.agenda(meeting_id))["published"] is False
    published = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/publish",
        data={
            "version": version,
            "missing_reason": "Medical follows",
            "comments_open_reason": "The applicants said they have no comments to make",
        },
        follow_redirects=False,
    )
    assert published.status_code == 303
    state = (await agenda.agenda(meeting_id))["state"]
    assert state["comments_open_reason"] == "The applicants said they have no comments to make"
    assert "CPA/2027/4" in state["comments_open"]
    entry = (
        await AuditEntry.select()
        .where((AuditEntry.record_type == "agenda") & (AuditEntry.action == "publish"))
        .first()
    )
    assert entry is not None
    assert "published while applicants may still comment (1)" in entry["summary"]
    assert adviser is not None


async def test_comments_received_release_the_hold(client, sign_in, agency) -> None:
    meeting_id, _ = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(
        client, meeting_id, "approval", "CPA/2027/5", assessing_partner=str(agency["CCC"])
    )
    today = clock.today().isoformat()
    await before_panel.save_dates(
        audit.SYSTEM, item_id, 0, {"par_sent_on": today, "par_comments_received_on": today}
    )
    assert (await agenda.agenda(meeting_id))["holds"] == []
