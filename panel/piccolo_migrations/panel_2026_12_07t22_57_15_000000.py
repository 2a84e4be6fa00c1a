"""Each meeting's existing packs are carried into the pack runs: a kind of pack already built
gets its row, taking in the agenda as it stands (change 0), except PDF packs older than the
meeting's last Word build, which were waiting to be rebuilt on the next download and still are
(change -1). One run per meeting and kind: a unique index. Backwards, the index goes."""

from datetime import datetime
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T22:57:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "carry built packs into pack runs; one run per meeting and kind"

INDEX = "pack_run_meeting_kind_unique"


async def _run(sql: str, *args: object) -> list[dict[str, Any]]:
    engine = engine_finder()
    assert engine is not None
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


def _moment(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def _index_and_carry() -> None:
    await _run(f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "pack_run" ("meeting", "kind")')
    built = await _run(
        'SELECT b."meeting", b."kind", MIN(b."built_at") AS "oldest", a."packs_built_at" '
        'FROM "pack_build" b LEFT JOIN "agenda" a ON a."meeting" = b."meeting" '
        'GROUP BY b."meeting", b."kind", a."packs_built_at"'
    )
    for row in built:
        stale = (
            row["kind"] == "pdf"
            and row["packs_built_at"] is not None
            and _moment(row["oldest"]) < _moment(row["packs_built_at"])
        )
        await _run(
            'INSERT INTO "pack_run" ("meeting", "kind", "claimed_by", "built_change", "builds", '
            '"failed_paper", "failed_reason") VALUES ({}, {}, {}, {}, {}, {}, {})',
            row["meeting"],
            row["kind"],
            "",
            -1 if stale else 0,
            0,
            "",
            "",
        )


async def _drop_index() -> None:
    await _run(f'DROP INDEX IF EXISTS "{INDEX}"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)
    manager.add_raw(_index_and_carry)
    manager.add_raw_backwards(_drop_index)
    return manager
