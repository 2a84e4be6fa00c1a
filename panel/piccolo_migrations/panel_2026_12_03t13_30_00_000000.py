"""Unique indexes guard the "first" rows that two people can write at once: one sitting per
member per meeting, one attendance per person per meeting, one view per member per record, and
one version n of a paper or of the minutes. Rows already duplicated are merged first: the later
sitting, attendance or view is kept; a duplicated version number is moved to the next free one."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-03T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes for rows written at once"

# (table, columns): the later row of a duplicated pair is kept.
KEEP_LATEST = (
    ("sitting", ("meeting", "member")),
    ("attendance", ("meeting", "person")),
    ("member_view", ("record", "member")),
)
# (table, owner column): version numbers within an owner.
RENUMBER = (
    ("paper_version", "paper"),
    ("minutes_version", "minutes"),
)


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"{table}_{'_'.join(columns)}_unique"


async def _run(sql: str, *args: object) -> list[dict[str, object]]:
    engine = engine_finder()
    assert engine is not None
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


async def _dedupe_and_index() -> None:
    for table, columns in KEEP_LATEST:
        listed = ", ".join(f'"{c}"' for c in columns)
        await _run(
            f'DELETE FROM "{table}" WHERE "id" NOT IN '
            f'(SELECT MAX("id") FROM "{table}" GROUP BY {listed})'
        )
        await _run(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{_name(table, columns)}" ON "{table}" ({listed})'
        )
    for table, owner in RENUMBER:
        rows = await _run(f'SELECT "id", "{owner}" AS owner, "number" FROM "{table}" ORDER BY "id"')
        top: dict[object, int] = {}
        for row in rows:
            top[row["owner"]] = max(top.get(row["owner"], 0), int(str(row["number"])))
        seen: set[tuple[object, object]] = set()
        for row in rows:
            key = (row["owner"], row["number"])
            if key not in seen:
                seen.add(key)
                continue
            top[row["owner"]] += 1
            await _run(
                f'UPDATE "{table}" SET "number" = {{}} WHERE "id" = {{}}',
                top[row["owner"]],
                row["id"],
            )
        await _run(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{_name(table, (owner, "number"))}" '
            f'ON "{table}" ("{owner}", "number")'
        )


async def _drop() -> None:
    for table, columns in KEEP_LATEST:
        await _run(f'DROP INDEX IF EXISTS "{_name(table, columns)}"')
    for table, owner in RENUMBER:
        await _run(f'DROP INDEX IF EXISTS "{_name(table, (owner, "number"))}"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)
    manager.add_raw(_dedupe_and_index)
    manager.add_raw_backwards(_drop)
    return manager
