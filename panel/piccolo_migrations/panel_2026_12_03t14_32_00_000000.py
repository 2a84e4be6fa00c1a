"""One built pack of each kind per person per meeting: builds already duplicated (two first
downloads that built at once) are merged - the later is kept - and a unique index then refuses a
second row, so the later of two builds at once is told and reads the first's."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-03T14:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique index for one built pack per person, meeting and kind"

INDEX = "pack_build_meeting_person_kind_unique"


async def _run(sql: str) -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_querystring(QueryString(sql))


async def _dedupe_and_index() -> None:
    await _run(
        'DELETE FROM "pack_build" WHERE "id" NOT IN '
        '(SELECT MAX("id") FROM "pack_build" GROUP BY "meeting", "person", "kind")'
    )
    await _run(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "pack_build" ("meeting", "person", "kind")'
    )


async def _drop() -> None:
    await _run(f'DROP INDEX IF EXISTS "{INDEX}"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)
    manager.add_raw(_dedupe_and_index)
    manager.add_raw_backwards(_drop)
    return manager
