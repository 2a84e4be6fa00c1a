"""The governance app: agency, partners, people, accounts, sessions, audit, outbox."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = Path(__file__).parent

APP_CONFIG = AppConfig(
    app_name="governance",
    migrations_folder_path=str(CURRENT_DIRECTORY / "piccolo_migrations"),
    table_classes=table_finder(modules=["governance.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
