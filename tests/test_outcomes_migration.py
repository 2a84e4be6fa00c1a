"""The migrations that give item types their category and outcomes their meaning run on a
database holding today's records: each type, recorded recommendation and decision keeps the law
and the letter the service read from its words until now (panel.rules.outcomes)."""

from __future__ import annotations

from tests import support

_SCRIPT = """
import asyncio
from datetime import date, datetime, timezone
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards
from adm.tables import Referral
from governance.tables import Agency, Partner, Person
from panel.tables import AgendaItem, ItemType, Meeting

async def main():
    for app, migration in (("adm", "2026-12-07T13:56:06:659760"),
                           ("panel", "2026-12-07T13:56:06:017079")):
        result = await run_backwards(app_name=app, migration_id=migration, auto_agree=True)
        assert result.success, result.message
    at = datetime(2027, 1, 14, 10, tzinfo=timezone.utc)
    agency = (await Agency.insert(Agency(name="A", short_name="A")).returning(Agency.id))[0]["id"]
    partner = (await Partner.insert(Partner(agency=agency, name="P", code="P", kind="council"))
               .returning(Partner.id))[0]["id"]
    adm = (await Person.insert(Person(name="Ann", email="ann@example.org"))
           .returning(Person.id))[0]["id"]
    meeting = (await Meeting.insert(Meeting(starts_at=at, ends_at=at)).returning(Meeting.id))
    meeting = meeting[0]["id"]
    types = (
        ("approval", "Approval of prospective adopters", "adopters",
         "Suitable to adopt\\nNot suitable to adopt\\nDefer"),
        ("foster_to_adopt", "Foster to adopt: approval of adopters as foster carers", "adopters",
         "Approve\\nDo not approve\\nDefer"),
        ("local_annual_review", "Annual review of waiting adopters", "adopters",
         "Continue\\nTerminate approval"),
        ("brief_par", "Brief prospective adopter's report", "adopters",
         "Full report needed\\nNot suitable to adopt"),
    )
    for code, name, subject, recs in types:
        await ItemType.raw(
            "INSERT INTO item_type (code, name, subject, recommendations, decided_by)"
            " VALUES ({}, {}, {}, {}, 'assessing_agency')", code, name, subject, recs,
        )
    ids = {r["code"]: r["id"] for r in await ItemType.raw("SELECT id, code FROM item_type")}
    cases = (("approval", "Not suitable to adopt", "adopter_approval"),
             ("foster_to_adopt", "Do not approve", "foster_to_adopt"),
             ("local_annual_review", "Terminate approval", "review_of_approval"))
    for n, (code, outcome, category) in enumerate(cases):
        # Raw inserts: the tables as they stood then, without the columns later migrations add.
        item = (await AgendaItem.raw(
            "INSERT INTO agenda_item (meeting, item_type, case_reference) VALUES ({}, {}, {})"
            " RETURNING id", meeting, ids[code], f"X/{n}",
        ))[0]["id"]
        await ItemType.raw(
            "INSERT INTO item_record (item, status, outcome) VALUES ({}, 'recommended', {})",
            item, outcome,
        )
        referral = (await Referral.raw(
            "INSERT INTO referral (item, partner, adm, category, meeting_on, received_on, status)"
            " VALUES ({}, {}, {}, {}, {}, {}, 'decided') RETURNING id",
            item, partner, adm, category, date(2027, 1, 14), date(2027, 1, 18),
        ))[0]["id"]
        await ItemType.raw(
            "INSERT INTO decision (referral, verdict, outcome, decided_on, reasons, qualifying,"
            " decided_by, recorded_at) VALUES ({}, 'agree', {}, {}, 'Reasons', {}, {}, {})",
            referral, outcome, date(2027, 1, 20), "not suitable" in outcome.lower(), adm, at,
        )
    result = await run_forwards(app_name="all")
    assert result.success, result.message
    for row in await ItemType.raw("SELECT code, category FROM item_type ORDER BY code"):
        print("type", row["code"], row["category"])
    rows = await ItemType.raw(
        "SELECT t.code, o.wording, o.meaning, o.qualifying, o.letter, o.closes_without_decision"
        " FROM item_type_outcome o JOIN item_type t ON t.id = o.item_type"
        " ORDER BY t.code, o.position"
    )
    for row in rows:
        print("outcome", row["code"], row["wording"], row["meaning"], bool(row["qualifying"]),
              row["letter"], bool(row["closes_without_decision"]))
    for row in await ItemType.raw("SELECT outcome, meaning FROM item_record ORDER BY id"):
        print("record", row["outcome"], row["meaning"])
    for row in await ItemType.raw("SELECT outcome, meaning, letter FROM decision ORDER BY id"):
        print("decision", row["outcome"], row["meaning"], row["letter"])

asyncio.run(main())
"""


def test_the_outcomes_migration_maps_todays_types_recommendations_and_decisions() -> None:
    printed = support.stdout_after_migrating("outcomes", _SCRIPT)
    lines = [line for line in printed if line.split(" ")[0] in
             ("type", "outcome", "record", "decision")]  # fmt: skip
    assert lines == [
        "type approval adopter_approval",
        "type brief_par brief_par",
        "type foster_to_adopt foster_to_adopt",
        "type local_annual_review review_of_approval",
        "outcome approval Suitable to adopt suitable False suitable False",
        "outcome approval Not suitable to adopt not_suitable True not_suitable False",
        "outcome brief_par Full report needed full_report_needed False none True",
        "outcome brief_par Not suitable to adopt brief_not_suitable True not_suitable False",
        "outcome foster_to_adopt Approve foster_approved False foster_approved False",
        "outcome foster_to_adopt Do not approve foster_not_approved True foster_not_approved False",
        "outcome local_annual_review Continue continue_approval False continue_approval False",
        "outcome local_annual_review Terminate approval terminate_approval True termination False",
        "record Not suitable to adopt not_suitable",
        "record Do not approve foster_not_approved",
        "record Terminate approval terminate_approval",
        "decision Not suitable to adopt not_suitable not_suitable",
        "decision Do not approve foster_not_approved foster_not_approved",
        "decision Terminate approval terminate_approval termination",
    ]
