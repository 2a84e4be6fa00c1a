"""Helpers the fixtures share: test database set-up and tear-down, servers on ports of their own,
and component checks. Under pytest-xdist every worker is a process of its own that imports these
afresh, so whatever is made here is that worker's alone."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

REQUIRE_ALL = os.environ.get("REQUIRE_ALL_COMPONENTS") == "1"
# pytest-xdist's worker ("gw0", "gw1", ...), or "main" when the suite runs in one process. It is
# part of every database and folder name below so that a leftover shows whose it was; uniqueness
# comes from the random part, which also keeps apart two runs on one machine.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
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


def _run(sql_for: str, sql: str) -> None:
    """Run one administrative statement on PostgreSQL. Sync Playwright keeps an event loop
    running in this thread while a browser is open, where asyncio.run() refuses to start another
    one; a fixture made after the browser (a database per parametrised test) runs it in a thread
    of its own then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_pg(sql_for, sql))
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _pg(sql_for, sql)).result()


def new_database(label: str) -> tuple[str, Path]:
    """A fresh, uniquely named database and a data directory; returns (DATABASE_URL, data dir)."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"gov-{label}-{WORKER}-"))
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{data_dir / 'test.sqlite'}", data_dir
    name = f"test_gov_{label}_{WORKER}_{uuid.uuid4().hex[:10]}"
    _run(base, f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(base)._replace(path=f"/{name}")), data_dir


def drop_database(url: str, data_dir: Path) -> None:
    if url.startswith("postgres"):
        name = urlparse(url).path.lstrip("/")
        _run(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
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


# ---------------------------------------------------------------- servers

GOVERNANCE = [sys.executable, "-m", "governance.cli"]
UVICORN_LISTENING = re.compile(r"Uvicorn running on (http://\S+:\d+)")


@contextmanager
def listening(
    command: Sequence[str],
    *,
    env: dict[str, str],
    log: Path,
    address: re.Pattern[str],
    timeout: float = 30,
) -> Iterator[str]:
    """Run a server told to listen on port 0 and yield the address it logs, once it answers.

    The system gives the server a free port at the moment it binds, so two workers (or two runs)
    can never be handed the same one; a port looked up beforehand and passed in could be taken by
    another process before the server binds it, and the wait would then find that other server.
    `address` matches the server's start-up line in `log`, its first group being the base URL."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield address_of(process, " ".join(command), log, address, time.monotonic() + timeout)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=0.5):
            return True
    except OSError:
        return False


def address_of(
    process: subprocess.Popen[bytes],
    what: str,
    log: Path,
    address: re.Pattern[str],
    deadline: float,
) -> str:
    """The address a starting server logs, once it takes connections there; RuntimeError with its
    log if it stops or the deadline passes first."""
    while True:
        text = log.read_text(errors="replace")
        found = address.search(text)
        if found and _answers(found[1]):
            return found[1]
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{text}")
        time.sleep(0.05)


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """`governance serve` on a port of its own; yields its base URL (http://127.0.0.1:port)."""
    with listening(
        [*GOVERNANCE, "serve", "--port", "0"], env=env, log=log, address=UVICORN_LISTENING
    ) as url:
        yield url


@contextmanager
def empty_install(
    label: str, email: str, name: str, extra: dict[str, str] | None = None
) -> Iterator[tuple[str, dict[str, str], str]]:
    """An install as a new agency has it: `governance migrate` and `governance create-user` for
    one system administrator, nothing else, then served. Yields (base URL, the service's
    environment, the administrator's one-time password)."""
    url, data_dir = new_database(label)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GOVERNANCE_DATA_DIR": str(data_dir),
        "ARGON2_CHEAP": "1",
        "SCHEDULER": "0",
        "COOKIE_SECURE": "1",
        "DB_POOL": "1",
        **(extra or {}),
    }
    try:
        subprocess.run([*GOVERNANCE, "migrate"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [*GOVERNANCE, "create-user", "--email", email, "--name", name,
             "--role", "system_admin"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        found = re.search(r"One-time password: (\S+)", made.stdout)
        assert found, made.stdout
        with serving(env, data_dir / f"{label}-server.log") as base:
            yield base, env, found[1]
    finally:
        drop_database(url, data_dir)


def stdout_after_migrating(name: str, script: str) -> list[str]:
    """On a new database of its own: `governance migrate`, then `script` (which may step the
    migrations back, write the records of an older schema and run them forward again); the lines
    the script printed. The database is dropped afterwards."""
    url, data_dir = new_database(name)
    try:
        env = {**os.environ, "DATABASE_URL": url, "GOVERNANCE_DATA_DIR": str(data_dir)}
        migrated = subprocess.run(
            [sys.executable, "-m", "governance.cli", "migrate"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout.splitlines()
    finally:
        drop_database(url, data_dir)
