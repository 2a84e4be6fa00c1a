"""Migrations build the whole schema on an empty database, and no table change lacks one."""

from __future__ import annotations

import os
import subprocess
import sys

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

from tests import support


async def test_no_table_change_lacks_a_migration() -> None:
    missing = []
    for app_config in Finder().get_app_registry().app_configs.values():
        statements = await AutoMigrationManager().get_alter_statements(app_config=app_config)
        pending = [s for group in statements for s in group.statements]
        if pending:
            missing.append(f"{app_config.app_name}: {pending}")
    assert missing == [], "run `piccolo migrations new <app> --auto` and review the result"


def test_all_migrations_run_forward_on_an_empty_database_and_create_every_table() -> None:
    url, data_dir = support.new_database("migrate")
    try:
        env = {**os.environ, "DATABASE_URL": url, "GOVERNANCE_DATA_DIR": str(data_dir)}
        result = subprocess.run(
            [sys.executable, "-m", "governance.cli", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        expected = sorted(t._meta.tablename for t in Finder().get_table_classes())
        listing = subprocess.run(
            [sys.executable, "-c", _LIST_TABLES],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listing.returncode == 0, listing.stderr
        created = set(listing.stdout.split())
        assert [t for t in expected if t not in created] == []
        again = subprocess.run(
            [sys.executable, "-m", "governance.cli", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        support.drop_database(url, data_dir)


_LIST_TABLES = """
import asyncio
from piccolo.querystring import QueryString
from governance import db

SQL = (
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    if db.is_postgres()
    else "SELECT name FROM sqlite_master WHERE type = 'table'"
)
rows = asyncio.run(db.engine().run_querystring(QueryString(SQL)))
print(" ".join(r["name"] for r in rows))
"""
