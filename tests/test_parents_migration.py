"""The migration that adds the parents' notification (AAR reg 19(3)) carries today's referrals
across: an open decision that the child should be placed now owes the parent or guardian their
notice; a decision not to place, a closed referral and a match do not."""

from __future__ import annotations

from tests import support

_SCRIPT = """
import asyncio
from datetime import date, datetime, timezone
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards
from governance.tables import Agency, Partner, PartnerKind, Person
from panel.tables import AgendaItem, ItemType, Meeting

async def main():
    result = await run_backwards(
        app_name="adm", migration_id="2026-12-07T13:56:02:246007", auto_agree=True
    )
    assert result.success, result.message
    at = datetime(2026, 12, 10, 10, tzinfo=timezone.utc)
    adm = (await Person.insert(Person(name="Pat", email="pat@example.org"))
           .returning(Person.id))[0]["id"]
    agency = (await Agency.insert(Agency(name="CPA", short_name="CPA"))
              .returning(Agency.id))[0]["id"]
    partner = (await Partner.insert(Partner(
        agency=agency, code="PCC", name="Peterborough", kind=PartnerKind.LOCAL_AUTHORITY
    )).returning(Partner.id))[0]["id"]
    meeting = (await Meeting.insert(Meeting(starts_at=at, ends_at=at))
               .returning(Meeting.id))[0]["id"]
    kind = (await ItemType.insert(ItemType(code="t", name="T")).returning(ItemType.id))[0]["id"]
    cases = (
        ("placed-open", "should_be_placed", True, "Should be placed for adoption"),
        ("not-placed", "should_be_placed", True, "Should not be placed for adoption"),
        ("placed-closed", "should_be_placed", False, "Should be placed for adoption"),
        ("match", "match", True, "Match"),
    )
    for reference, category, still_open, outcome in cases:
        item = (await AgendaItem.insert(AgendaItem(
            meeting=meeting, item_type=kind, case_reference=reference
        )).returning(AgendaItem.id))[0]["id"]
        await AgendaItem.raw(
            "INSERT INTO referral (item, partner, adm, deputy_used, routing_reasons, category,"
            " meeting_on, received_on, status, decided_on, qualifying, open, routed_at, version)"
            " VALUES ({}, {}, {}, {}, '', {}, {}, {}, 'decided', {}, {}, {}, {}, 2)",
            item, partner, adm, False, category, date(2026, 12, 10), date(2026, 12, 14),
            date(2026, 12, 16), False, still_open, at,
        )
        referral = (await AgendaItem.raw(
            "SELECT id FROM referral WHERE item = {}", item
        ))[0]["id"]
        await AgendaItem.raw(
            "INSERT INTO decision (referral, verdict, outcome, decided_on, reasons, qualifying,"
            " decided_by, recorded_at) VALUES ({}, 'agree', {}, {}, '', {}, {}, {})",
            referral, outcome, date(2026, 12, 16), False, adm, at,
        )
    result = await run_forwards(app_name="all")
    assert result.success, result.message
    rows = await AgendaItem.raw(
        "SELECT ai.case_reference, r.parents_to_be_told FROM referral r"
        " JOIN agenda_item ai ON ai.id = r.item ORDER BY r.id"
    )
    print("told", [(r["case_reference"], bool(r["parents_to_be_told"])) for r in rows])

asyncio.run(main())
"""


def test_open_should_be_placed_decisions_owe_the_parents_their_notice_after_migrating() -> None:
    printed = support.stdout_after_migrating("parents", _SCRIPT)
    assert (
        "told [('placed-open', True), ('not-placed', False), ('placed-closed', False), "
        "('match', False)]"
    ) in printed
