"""A joint panel and the independent member are the agency's panel policy (AAR reg 6), saved as
a version from a date; every meeting's quorum follows the version in force on its day."""

from __future__ import annotations

from datetime import timedelta

from governance.roles import Role
from panel import services
from panel.tables import Meeting, PanelPolicy
from tests.panel.support import MEETING_DAY, central_list

FORM = {"starts": "10:00", "ends": "13:00", "venue": "Committee Room 2", "item_slots": "4"}
NUMBERS = {k: str(getattr(services.PolicyNumbers(), k)) for k in services.POLICY_LABELS}
LATER = MEETING_DAY + timedelta(days=14)


async def _meeting(client, day) -> int:
    response = await client.post(
        "/panel/meetings/new", data=FORM | {"day": day.isoformat()}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[-1].split("?")[0])


async def test_the_policy_page_cites_reg_6_and_says_what_quorum_every_meeting_needs(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    page = await client.get("/panel/policies")
    assert "regulation 6" in page.text and "Regulation 4(1)(a)" in page.text
    assert (
        "Today every meeting needs 5 members, including a chair or vice chair, a social worker "
        "with 3 years&#39; PQE and an independent member." in page.text
    )
    assert 'name="joint_panel"' in page.text
    assert 'name="quorum_needs_independent" type="checkbox" value="yes" checked' in page.text


async def test_a_joint_panel_is_set_once_and_every_meeting_from_its_date_follows_it_aar_reg_6(
    client, sign_in
) -> None:
    await central_list()
    await sign_in(Role.PANEL_ADVISER)
    form = await client.get("/panel/meetings/new")
    assert "Joint panel" not in form.text  # no tick-box on a meeting to forget
    before = await _meeting(client, MEETING_DAY)
    after = await _meeting(client, LATER)
    saved = await client.post(
        "/panel/policies",
        data=NUMBERS
        | {
            "effective_from": LATER.isoformat(),
            "note": "We now run a joint panel with our neighbours",
            "joint_panel": "yes",
            "quorum_needs_independent": "yes",
            "independent_chair_counts": "yes",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    first = await client.get(f"/panel/meetings/{before}")
    assert "Quorum: 5 members." in first.text
    second = await client.get(f"/panel/meetings/{after}")
    assert "Quorum: 6 members (a joint panel" in second.text
    api = (await client.get(f"/api/v1/panel/meetings/{after}")).json()
    assert api["joint_panel"] is True and api["quorum_minimum"] == 6
    assert api["checks"]["quorum"]["shortfalls"][0] == "0 members present, 6 needed"
    listed = (await client.get("/api/v1/panel/policies")).json()
    assert listed[0]["switches"] == {
        "joint_panel": True,
        "quorum_needs_independent": True,
        "independent_chair_counts": True,
        "bar_all_members_at_meeting": False,  # the form above left it unticked
    }


async def test_a_policy_may_need_an_independent_member_besides_the_chair_aar_reg_6(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    response = await client.post(
        "/api/v1/panel/policies",
        json={
            "effective_from": MEETING_DAY.isoformat(),
            "note": "An independent member as well as the chair",
            "independent_chair_counts": False,
        },
    )
    assert response.status_code == 201, response.text
    policy = await services.policy_on(MEETING_DAY)
    assert not policy.switches.joint_panel
    assert policy.switches.quorum_needs_independent
    assert not policy.switches.independent_chair_counts
    page = await client.get("/panel/policies")
    assert "needed, besides the chair" in page.text


async def test_the_meeting_api_no_longer_takes_a_joint_tick(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADMINISTRATOR)
    response = await client.post(
        "/api/v1/panel/meetings",
        json={"day": MEETING_DAY.isoformat(), "starts": "10:00", "ends": "13:00",
              "venue": "Room 1", "joint": True},
    )  # fmt: skip
    assert response.status_code in (400, 422)
    assert await Meeting.count() == 0
    assert await PanelPolicy.count() == 0
