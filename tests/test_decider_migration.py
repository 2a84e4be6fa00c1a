"""The migrations that let the agency itself have decision makers run on a database holding
today's records: every assignment and referral keeps its partner; a partner's second primary
becomes a deputy and a person assigned twice for one partner keeps one assignment; a partner
whose name another partner has (whatever its case) gets its short code added. Then the indexes
refuse new ones, and an assignment may name the agency (no partner)."""

from __future__ import annotations

from tests import support

_SCRIPT = """
import asyncio, sqlite3
import asyncpg
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards
from adm.tables import AdmAssignment
from governance.tables import Agency, Partner, Person

async def main():
    for app, migration in (("adm", "2026-12-07T13:55:48:708360"),
                           ("governance", "2026-12-07T13:55:47:786629")):
        result = await run_backwards(app_name=app, migration_id=migration, auto_agree=True)
        assert result.success, result.message
    agency = (await Agency.insert(Agency(name="A", short_name="A")).returning(Agency.id))[0]["id"]
    ids = []
    for name, code in (("Wiltshire Council", "WC"), ("WILTSHIRE COUNCIL", "WX")):
        row = await Partner.insert(Partner(agency=agency, name=name, code=code,
                                           kind="local_authority")).returning(Partner.id)
        ids.append(row[0]["id"])
    people = []
    for n in range(3):
        row = await Person.insert(Person(name=f"P{n}", email=f"p{n}@example.org")).returning(
            Person.id)
        people.append(row[0]["id"])
    for person, role in ((people[0], "primary"), (people[1], "primary"), (people[0], "deputy")):
        await AdmAssignment.insert(AdmAssignment(partner=ids[0], person=person, role=role))
    result = await run_forwards(app_name="all")
    assert result.success, result.message
    rows = await AdmAssignment.select(AdmAssignment.person, AdmAssignment.role,
                                      AdmAssignment.partner).order_by(AdmAssignment.id)
    print("assignments", [(people.index(r["person"]), r["role"], r["partner"] == ids[0])
                          for r in rows])
    print("partners", [r["name"] for r in await Partner.select(Partner.name).order_by(Partner.id)])
    clashes = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)
    try:
        await AdmAssignment.insert(AdmAssignment(partner=ids[0], person=people[2], role="primary"))
    except clashes:
        print("second primary refused")
    await AdmAssignment.insert(AdmAssignment(partner=None, person=people[2], role="primary"))
    print("agency primary added")
    try:
        await AdmAssignment.insert(AdmAssignment(partner=None, person=people[1], role="primary"))
    except clashes:
        print("second agency primary refused")
    try:
        await Partner.insert(Partner(agency=agency, name="wiltshire council", code="WY",
                                     kind="local_authority"))
    except clashes:
        print("same name refused")

asyncio.run(main())
"""


def test_the_decider_migrations_carry_todays_assignments_and_partners_across() -> None:
    printed = support.stdout_after_migrating("decider", _SCRIPT)
    lines = printed
    assert "assignments [(0, 'primary', True), (1, 'deputy', True)]" in lines
    assert "partners ['Wiltshire Council', 'WILTSHIRE COUNCIL (WX)']" in lines
    assert "second primary refused" in lines
    assert "agency primary added" in lines
    assert "second agency primary refused" in lines
    assert "same name refused" in lines
