"""Helpers the fixtures share: test database set-up and tear-down, and component checks."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

REQUIRE_ALL = os.environ.get("REQUIRE_ALL_COMPONENTS") == "1"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def require(available: bool, what: str) -> None:
    """Skip when a component is missing on a developer's machine; fail in CI, where all must be."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{what} is required (REQUIRE_ALL_COMPONENTS=1) but is not installed")
    pytest.skip(f"{what} is not installed; CI installs it and runs this test")


def libreoffice_available() -> bool:
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


def chromium_available() -> bool:
    return CHROMIUM.exists()


def _pg_admin(url: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/postgres"))


async def _pg(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_pg_admin(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def new_database(label: str) -> tuple[str, Path]:
    """A fresh, uniquely named database and a data directory; returns (DATABASE_URL, data dir)."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"gov-{label}-"))
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{data_dir / 'test.sqlite'}", data_dir
    name = f"test_gov_{label}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg(base, f'CREATE DATABASE "{name}"'))
    return urlunparse(urlparse(base)._replace(path=f"/{name}")), data_dir


def drop_database(url: str, data_dir: Path) -> None:
    if url.startswith("postgres"):
        name = urlparse(url).path.lstrip("/")
        asyncio.run(_pg(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    shutil.rmtree(data_dir, ignore_errors=True)


def wipe_sqlite(path: str, tables: list[str]) -> None:
    connection = sqlite3.connect(path)
    try:
        existing = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        statements = ["PRAGMA foreign_keys=OFF;"]
        statements += [f'DELETE FROM "{t}";' for t in tables if t in existing]
        if "sqlite_sequence" in existing:
            statements.append("DELETE FROM sqlite_sequence;")
        connection.executescript("".join(statements))
        connection.commit()
    finally:
        connection.close()
