"""A decision maker, and a referral, may be the agency's own rather than a partner's (where the
agency itself assesses adopters): their partner may be empty. Existing rows keep their partner.
One primary decision maker for each partner (the agency counting as one) and a person at most
once for each: where today's rows hold two primaries for a partner, the later one becomes a
deputy (nobody loses an assignment), and a person assigned twice keeps the earlier one."""

import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T13:55:48:708360"
VERSION = "1.38.0"
DESCRIPTION = "ADM assignments and referrals of the agency itself; one primary per partner"

TABLES = ("adm_assignment", "referral")
INDEXES = (
    ("adm_assignment_one_primary_unique", 'COALESCE("partner", 0)', "\"role\" = 'primary'"),
    ("adm_assignment_once_each_unique", 'COALESCE("partner", 0), "person"', ""),
)


async def _run(sql: str, *args: object) -> list[dict[str, object]]:
    engine = engine_finder()
    assert engine is not None
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


def _is_sqlite() -> bool:
    engine = engine_finder()
    return engine is not None and engine.engine_type == "sqlite"


async def _sqlite_partner_nullable() -> None:
    # SQLite has no ALTER COLUMN; dropping NOT NULL leaves the stored rows as they are, so the
    # table's definition may be edited in place (sqlite.org/lang_altertable.html, section 7).
    version = (await _run("PRAGMA schema_version"))[0]["schema_version"]
    await _run("PRAGMA writable_schema = ON")
    for table in TABLES:
        row = await _run("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = {}", table)
        sql = str(row[0]["sql"])
        edited = re.sub(r'("partner" [^,]*?) NOT NULL', r"\1", sql, count=1)
        await _run(
            "UPDATE sqlite_master SET sql = {} WHERE type = 'table' AND name = {}", edited, table
        )
    await _run(f"PRAGMA schema_version = {int(str(version)) + 1}")
    await _run("PRAGMA writable_schema = OFF")


async def _dedupe_and_index() -> None:
    rows = await _run(
        'SELECT "id", "partner", "person", "role" FROM "adm_assignment" ORDER BY "id"'
    )
    primaries: set[object] = set()
    seen: set[tuple[object, object]] = set()
    for row in rows:
        key = (row["partner"], row["person"])
        if key in seen:
            await _run('DELETE FROM "adm_absence" WHERE "assignment" = {}', row["id"])
            await _run('DELETE FROM "adm_assignment" WHERE "id" = {}', row["id"])
            continue
        seen.add(key)
        if row["role"] == "primary":
            if row["partner"] in primaries:
                await _run(
                    'UPDATE "adm_assignment" SET "role" = \'deputy\' WHERE "id" = {}',
                    row["id"],
                )
            primaries.add(row["partner"])
    for name, on, where in INDEXES:
        condition = f" WHERE {where}" if where else ""
        await _run(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "adm_assignment" ({on}){condition}'
        )


async def _drop_indexes() -> None:
    for name, _, _ in INDEXES:
        await _run(f'DROP INDEX IF EXISTS "{name}"')


class _Manager(MigrationManager):
    async def _run_alter_columns(self, backwards: bool = False) -> None:
        if _is_sqlite():  # backwards leaves the columns nullable: SQLite cannot add NOT NULL
            if not backwards:
                await _sqlite_partner_nullable()
            return
        await super()._run_alter_columns(backwards=backwards)


async def forwards() -> MigrationManager:
    manager = _Manager(migration_id=ID, app_name="adm", description=DESCRIPTION)
    for table_class, table in (("AdmAssignment", "adm_assignment"), ("Referral", "referral")):
        manager.alter_column(
            table_class_name=table_class,
            tablename=table,
            column_name="partner",
            db_column_name="partner",
            params={"null": True},
            old_params={"null": False},
            column_class=ForeignKey,
            old_column_class=ForeignKey,
            schema=None,
        )
    manager.add_raw(_dedupe_and_index)
    manager.add_raw_backwards(_drop_indexes)
    return manager
