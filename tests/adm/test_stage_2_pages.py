"""The item's clocks before panel: Stage 2 paused with its ground and reason, and the six months
within which the applicants must say they wish to start Stage 2 (AAR reg 28), on the page."""

from __future__ import annotations

from datetime import date

from adm import before_panel
from adm import demo as adm_demo
from adm.rules.clocks import ClockKind, ClockState
from governance import audit
from governance.roles import Role
from governance.tables import AuditEntry
from tests.conftest import make_account, sign_in_client
from tests.panel import support

DAY = date(2027, 2, 4)

STAGES = {
    "stage_1_started_on": "2026-06-01",
    "stage_1_completed_on": "2026-07-31",
    "stage_2_notice_on": "2026-10-01",
}


async def _item() -> int:
    members = await support.central_list()
    _, items = await adm_demo.past_meeting(
        DAY,
        list(members.values()),
        members["Clara"],
        [adm_demo.PlannedItem("adopter_approval", "ADP-40", "G & H L", "CCC")],
    )
    await before_panel.save_dates(audit.SYSTEM, items[0], 0, STAGES)
    return items[0]


async def test_stage_2_paused_at_the_applicants_request_moves_its_deadline_on(
    client, agency
) -> None:
    item_id = await _item()
    account = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, account)
    page = await client.get(f"/adm/items/{item_id}/clocks")
    assert "Pause Stage 2" in page.text
    assert "Applicants&#39; notice to start Stage 2 (6 months)" in page.text
    unsaid = await client.post(
        f"/adm/items/{item_id}/clocks/stage-2-pause",
        data={
            "stage_2_pause_why": "exceptional_circumstances",
            "stage_2_pause_from": "2026-12-21",
            "version": "1",
        },
    )
    assert unsaid.status_code == 422
    assert "Say what the exceptional circumstances are" in unsaid.text
    saved = await client.post(
        f"/adm/items/{item_id}/clocks/stage-2-pause",
        data={
            "stage_2_pause_why": "applicants_request",
            "stage_2_pause_from": "2026-12-21",
            "stage_2_pause_to": "2027-01-03",
            "stage_2_pause_reason": "A family wedding abroad",
            "version": "1",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    found = await before_panel.item_clocks(item_id, date(2027, 1, 15))
    stage_2 = next(r for r in found.rows if r.kind is ClockKind.STAGE_2)
    assert stage_2.status.due_on == date(2027, 2, 15)  # 1 February and the 14 days paused
    stale = await client.post(
        f"/adm/items/{item_id}/clocks/stage-2-pause",
        data={
            "stage_2_pause_why": "applicants_request",
            "stage_2_pause_from": "2026-12-21",
            "version": "1",
        },
    )
    assert stale.status_code == 409
    entry = (
        await AuditEntry.select()
        .where((AuditEntry.record_type == "clock") & (AuditEntry.action == "pause"))
        .first()
    )
    assert entry is not None
    assert "Stage 2 paused from 2026-12-21 to 2027-01-03" in entry["summary"]
    assert "the applicants asked for the pause: A family wedding abroad" in entry["summary"]


async def test_a_stage_2_paused_until_further_notice_shows_paused(client, agency) -> None:
    item_id = await _item()
    await before_panel.pause_stage_2(
        audit.SYSTEM,
        item_id,
        1,
        {
            "stage_2_pause_why": "exceptional_circumstances",
            "stage_2_pause_from": "2027-01-04",
            "stage_2_pause_reason": "A bereavement in the family",
        },
    )
    found = await before_panel.item_clocks(item_id, date(2027, 1, 15))
    stage_2 = next(r for r in found.rows if r.kind is ClockKind.STAGE_2)
    assert stage_2.status.state is ClockState.PAUSED
    assert "exceptional circumstances; A bereavement in the family" in stage_2.status.reason


async def test_a_pause_before_stage_2_began_is_refused(client, agency) -> None:
    item_id = await _item()
    account = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, account)
    early = await client.post(
        f"/adm/items/{item_id}/clocks/stage-2-pause",
        data={
            "stage_2_pause_why": "applicants_request",
            "stage_2_pause_from": "2026-09-01",
            "version": "1",
        },
    )
    assert early.status_code == 422
    assert "cannot start before Stage 2 started" in early.text


async def test_the_six_month_window_after_stage_1_is_on_the_page_and_says_what_follows_aar_reg_28(
    client, agency
) -> None:
    members = await support.central_list()
    _, items = await adm_demo.past_meeting(
        DAY,
        list(members.values()),
        members["Clara"],
        [adm_demo.PlannedItem("adopter_approval", "ADP-41", "N Q", "PCC")],
    )
    # Stage 1 ended 30 June 2026 and the applicants have not said they wish to go on.
    await before_panel.save_dates(
        audit.SYSTEM,
        items[0],
        0,
        {"stage_1_started_on": "2026-05-01", "stage_1_completed_on": "2026-06-30"},
    )
    found = await before_panel.item_clocks(items[0], date(2027, 1, 15))
    notice = next(r for r in found.rows if r.kind is ClockKind.STAGE_2_NOTICE)
    assert notice.status.state is ClockState.MISSED
    assert notice.status.due_on == date(2026, 12, 30)
    account = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, account)
    page = (await client.get(f"/adm/items/{items[0]}/clocks")).text
    assert "the applicants must go through Stage 1 again (AAR reg 28)" in page
