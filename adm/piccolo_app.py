"""The adm app's tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = Path(__file__).parent

APP_CONFIG = AppConfig(
    app_name="adm",
    migrations_folder_path=str(CURRENT_DIRECTORY / "piccolo_migrations"),
    table_classes=table_finder(modules=["adm.tables"], exclude_imported=True),
    migration_dependencies=["panel.piccolo_app"],
    commands=[],
)
