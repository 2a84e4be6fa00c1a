"""Each paper version's clean copy (panel.safety) and what its inspection removed. Versions
already uploaded keep their rows: clean_sha256 stays NULL (not yet inspected), so the next pack
built with them inspects them first. New columns only: no record changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T23:00:31:961106"
VERSION = "1.38.0"
DESCRIPTION = "paper versions: the clean copy and what was removed"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)

    manager.add_column(
        table_class_name="PaperVersion",
        tablename="paper_version",
        column_name="clean_sha256",
        db_column_name="clean_sha256",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
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

    manager.add_column(
        table_class_name="PaperVersion",
        tablename="paper_version",
        column_name="removed",
        db_column_name="removed",
        column_class_name="Text",
        column_class=Text,
        params={
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

    return manager
