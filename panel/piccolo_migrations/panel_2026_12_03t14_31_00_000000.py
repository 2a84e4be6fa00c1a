"""One rating per member per report of an item: each rating's report key is filled from its
report, ratings already duplicated (written by the race this prevents) are merged - the later one
is kept - and a unique index then refuses a second rating of the same report, even at once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-03T14:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique index for one rating per member per report"

INDEX = "quality_rating_item_member_report_key_unique"


def report_key(report_type: str) -> str:
    """As panel.record.report_key: the same report however it is spaced or cased."""
    return " ".join(report_type.split()).casefold()[:200]


async def _run(sql: str, *args: object) -> list[dict[str, object]]:
    engine = engine_finder()
    assert engine is not None
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


async def _fill_dedupe_and_index() -> None:
    rows = await _run(
        'SELECT "id", "item", "member", "report_type" FROM "quality_rating" ORDER BY "id"'
    )
    latest: dict[tuple[object, object, str], object] = {}
    for row in rows:
        key = report_key(str(row["report_type"]))
        await _run('UPDATE "quality_rating" SET "report_key" = {} WHERE "id" = {}', key, row["id"])
        latest[(row["item"], row["member"], key)] = row["id"]
    kept = set(latest.values())
    for row in rows:
        if row["id"] not in kept:
            await _run('DELETE FROM "quality_rating" WHERE "id" = {}', row["id"])
    await _run(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" '
        'ON "quality_rating" ("item", "member", "report_key")'
    )


async def _drop() -> None:
    await _run(f'DROP INDEX IF EXISTS "{INDEX}"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)
    manager.add_raw(_fill_dedupe_and_index)
    manager.add_raw_backwards(_drop)
    return manager
