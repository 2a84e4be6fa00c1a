from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString
from piccolo.table import Table


class Person(Table, tablename="person", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-07T13:55:47:786629"
VERSION = "1.38.0"
DESCRIPTION = "test e-mails of the go-live checklist; partner names unique"


async def _run(sql: str, *args: object) -> list[dict[str, object]]:
    engine = engine_finder()
    assert engine is not None
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


async def _unique_partner_names() -> None:
    # Two partners of the same name (whatever its case) would be told apart by nobody: the later
    # one is renamed with its short code, then the index refuses new ones.
    seen: set[str] = set()
    for row in await _run('SELECT "id", "name", "code" FROM "partner" ORDER BY "id"'):
        name = str(row["name"])
        if name.lower() in seen:
            name = f"{name} ({row['code']})"
            await _run('UPDATE "partner" SET "name" = {} WHERE "id" = {}', name, row["id"])
        seen.add(name.lower())
    await _run(
        'CREATE UNIQUE INDEX IF NOT EXISTS "partner_name_unique" ON "partner" (LOWER("name"))'
    )


async def _drop_partner_names_index() -> None:
    await _run('DROP INDEX IF EXISTS "partner_name_unique"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="governance", description=DESCRIPTION)
    manager.add_raw(_unique_partner_names)
    manager.add_raw_backwards(_drop_partner_names_index)

    manager.add_table(class_name="MailTest", tablename="mail_test", schema=None, columns=None)

    manager.add_column(
        table_class_name="MailTest",
        tablename="mail_test",
        column_name="to_address",
        db_column_name="to_address",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 254,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="MailTest",
        tablename="mail_test",
        column_name="code_hash",
        db_column_name="code_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="MailTest",
        tablename="mail_test",
        column_name="sent_by",
        db_column_name="sent_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Person,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="MailTest",
        tablename="mail_test",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="MailTest",
        tablename="mail_test",
        column_name="received_at",
        db_column_name="received_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
