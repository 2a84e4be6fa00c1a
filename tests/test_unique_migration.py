"""The migration that adds the unique indexes runs on a database that already holds duplicated
rows (written by the races it now prevents): it merges them, then the index refuses new ones."""

from __future__ import annotations

from tests import support

_SCRIPT = """
import asyncio, sqlite3
from datetime import datetime, timezone
import asyncpg
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards
from governance.tables import Person
from panel.tables import (
    AgendaItem, Attendance, ItemType, Meeting, Minutes, MinutesVersion, PackBuild, PanelMember,
    QualityRating,
)

async def main():
    result = await run_backwards(
        app_name="panel", migration_id="2026-12-03T13:30:00:000000", auto_agree=True
    )
    assert result.success, result.message
    at = datetime(2027, 1, 14, 10, tzinfo=timezone.utc)
    ann = Person(name="Ann", email="ann@example.org")
    person = (await Person.insert(ann).returning(Person.id))[0]["id"]
    held = Meeting(starts_at=at, ends_at=at)
    meeting = (await Meeting.insert(held).returning(Meeting.id))[0]["id"]
    for spell in ("first", "second"):
        await Attendance.insert(Attendance(meeting=meeting, person=person, role=spell))
    minutes = (await Minutes.insert(Minutes(meeting=meeting)).returning(Minutes.id))[0]["id"]
    for number, reason in ((1, "issued"), (2, "typo"), (2, "name")):
        await MinutesVersion.insert(MinutesVersion(minutes=minutes, number=number, reason=reason))
    for built in ("first", "second"):
        await PackBuild.insert(PackBuild(meeting=meeting, person=person, kind="docx",
                                         path=built, sha256=built))
    # Raw: the item type and the item as their tables stood at that migration (no category,
    # nor the columns later migrations added).
    await ItemType.raw("INSERT INTO item_type (code, name) VALUES ('t', 'T')")
    kind = (await ItemType.select(ItemType.id).where(ItemType.code == "t").first())["id"]
    item = (await AgendaItem.raw(
        "INSERT INTO agenda_item (meeting, item_type, case_reference) VALUES ({}, {}, {})"
        " RETURNING id", meeting, kind, "X/1",
    ))[0]["id"]
    member = (await PanelMember.insert(PanelMember(person=person)).returning(PanelMember.id))
    member = member[0]["id"]
    for report, comment in (("PAR", "first"), (" par ", "second"), ("CPR", "other")):
        await QualityRating.raw(
            "INSERT INTO quality_rating (item, member, report_type, team, quality, complete,"
            " on_time, comment, rated_at) VALUES ({}, {}, {}, '', 'good', 'good', {}, {}, {})",
            item, member, report, True, comment, at,
        )
    result = await run_forwards(app_name="all")
    assert result.success, result.message
    rows = await Attendance.select(Attendance.role)
    print("attendance", [r["role"] for r in rows])
    rows = await MinutesVersion.select(
        MinutesVersion.reason, MinutesVersion.number
    ).order_by(MinutesVersion.id)
    print("versions", [(r["reason"], r["number"]) for r in rows])
    rows = await PackBuild.select(PackBuild.path)
    print("packs", [r["path"] for r in rows])
    rows = await QualityRating.select(QualityRating.comment, QualityRating.report_key).order_by(
        QualityRating.id
    )
    print("ratings", [(r["comment"], r["report_key"]) for r in rows])
    clashes = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)
    try:
        await Attendance.insert(Attendance(meeting=meeting, person=person, role="third"))
    except clashes:
        print("refused")
    try:
        await PackBuild.insert(PackBuild(meeting=meeting, person=person, kind="docx",
                                         path="third", sha256="third"))
    except clashes:
        print("pack refused")
    try:
        await QualityRating.insert(QualityRating(item=item, member=member, report_type="Par",
                                                 report_key="par", quality="good",
                                                 complete="good"))
    except clashes:
        print("rating refused")

asyncio.run(main())
"""


def test_the_unique_index_migration_merges_rows_already_duplicated() -> None:
    printed = support.stdout_after_migrating("unique", _SCRIPT)
    lines = printed
    assert "attendance ['second']" in lines
    assert "versions [('issued', 1), ('typo', 2), ('name', 3)]" in lines
    assert "refused" in lines
    assert "packs ['second']" in lines
    assert "ratings [('second', 'par'), ('other', 'cpr')]" in lines
    assert "pack refused" in lines and "rating refused" in lines
