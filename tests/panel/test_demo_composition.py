"""The demo's central list meets AAR reg 3(1), and says so; without its medical adviser it says
what is missing, on the central list page and in the board's compliance section."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from board import services as board_services
from governance import clock
from governance import demo as governance_demo
from governance.roles import Role
from panel import demo, services
from panel.rules import eligibility
from panel.rules.composition import NO_MEDICAL_ADVISER
from panel.tables import PanelMember
from tests.conftest import make_account, sign_in_client


@pytest.fixture
async def demo_list(db: None) -> None:
    await governance_demo.load(cheap_hash=True)
    await demo.load()


async def test_the_demo_list_meets_reg_3_1_until_its_medical_adviser_leaves(
    demo_list: None, client: Any
) -> None:
    today = clock.today()
    assert await services.central_list_gaps(today) == ()
    await sign_in_client(client, await make_account(Role.PANEL_ADVISER, name="Demo Tester"))
    page = await client.get("/panel/members")
    assert "The list includes what AAR reg 3(1) requires" in page.text
    assert "the medical adviser (Dr Helena Brooks)" in page.text

    row = await PanelMember.select(PanelMember.id).where(
        PanelMember.person.name == "Dr Helena Brooks"
    )
    await PanelMember.update(
        {PanelMember.notice_given_on: today - timedelta(days=40), PanelMember.leaving_on: today}
    ).where(PanelMember.id == row[0]["id"])

    assert await services.central_list_gaps(today) == (NO_MEDICAL_ADVISER,)
    page = await client.get("/panel/members")
    assert "does not include the agency&#39;s medical adviser (AAR reg 3(1)(b))" in page.text
    compliance = await board_services.central_list_compliance(today)
    assert compliance is not None and compliance.composition_gaps == (NO_MEDICAL_ADVISER,)


async def test_the_demos_vice_chair_from_the_agency_may_chair_aar_reg_4_1_b(
    demo_list: None,
) -> None:
    records = await services.records()
    reeve = next(r for r in records.values() if r.member.name == "Jonathan Reeve")
    assert not reeve.member.independent
    assert eligibility.may_chair(
        reeve.member, clock.today(), eligibility.DEFAULT_ELIGIBILITY
    ).may_chair
