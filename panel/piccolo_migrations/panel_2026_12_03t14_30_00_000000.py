"""The rated report of a quality rating, spaced and cased one way (filled by the next migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "quality rating report key"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)
    manager.add_column(
        table_class_name="QualityRating",
        tablename="quality_rating",
        column_name="report_key",
        db_column_name="report_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
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
