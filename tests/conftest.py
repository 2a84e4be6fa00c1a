"""Fixtures: a fresh database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
the app and its client, signed-in people by role, an SMTP catcher, a live server and a browser."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import support

# The database must be chosen before piccolo_conf is first imported.
DATABASE_URL, DATA_DIR = support.new_database("suite")
os.environ.update(
    {
        "DATABASE_URL": DATABASE_URL,
        "GOVERNANCE_DATA_DIR": str(DATA_DIR),
        "ARGON2_CHEAP": "1",
        "SCHEDULER": "0",
        "DB_POOL": "0",
        # LibreOffice builds ahead only where a test asks (tests/panel/test_pack_builds.py).
        "PACK_BUILD_AHEAD": "0",
        "COOKIE_SECURE": "1",
        "SMTP_PORT": "1",  # nothing listens there unless a test starts the SMTP catcher
    }
)

from litestar.testing import AsyncTestClient  # noqa: E402
from piccolo.conf.apps import Finder  # noqa: E402
from piccolo.table import create_db_tables_sync  # noqa: E402

from governance import db as gov_db  # noqa: E402
from governance.roles import Role  # noqa: E402
from governance.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ALL_TABLES = Finder().get_table_classes()


def pytest_sessionstart(session: pytest.Session) -> None:
    if _xdist_controller(session.config):
        return  # the workers run the tests, each on a database of its own
    create_db_tables_sync(*ALL_TABLES, if_not_exists=True)
    for statement in gov_db.unique_index_ddl(ALL_TABLES):  # as the migrations make them
        ALL_TABLES[0].raw(statement).run_sync()


def _xdist_controller(config: pytest.Config) -> bool:
    return getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    support.drop_database(DATABASE_URL, DATA_DIR)


async def _wipe() -> None:
    names = [t._meta.tablename for t in ALL_TABLES]
    if gov_db.is_postgres():
        # DELETE, not TRUNCATE: TRUNCATE makes and syncs new files for every table, about ten
        # times as slow for tables this small. Foreign keys are not checked while everything goes.
        deletes = " ".join(f'DELETE FROM "{n}";' for n in names)
        await ALL_TABLES[0].raw(
            "DO $$ DECLARE s record; BEGIN"
            " PERFORM set_config('session_replication_role', 'replica', true); "
            + deletes
            + " FOR s IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP"
            " EXECUTE format('ALTER SEQUENCE %I RESTART', s.sequencename); END LOOP;"
            " END $$"
        )
    else:
        support.wipe_sqlite(DATABASE_URL.removeprefix("sqlite:///"), names)


@pytest.fixture
async def db() -> None:
    await _wipe()


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture
def app(db: None, settings: Settings) -> Any:
    from governance.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as test_client:
        yield test_client


@dataclass(frozen=True)
class Person:
    account_id: int
    person_id: int
    name: str
    email: str
    password: str


PASSWORD = "correct horse battery staple"


@pytest.fixture
async def agency(db: None) -> dict[str, int]:
    """Cambridgeshire & Peterborough Adoption: two partners; returns partner ids by code."""
    from governance.tables import Agency, Partner, PartnerKind

    agency_id = (
        await Agency.insert(
            Agency(name="Cambridgeshire & Peterborough Adoption", short_name="CPA")
        ).returning(Agency.id)
    )[0]["id"]
    ids = {}
    for name, code, host in (
        ("Cambridgeshire County Council", "CCC", True),
        ("Peterborough City Council", "PCC", False),
    ):
        ids[code] = (
            await Partner.insert(
                Partner(
                    agency=agency_id,
                    name=name,
                    code=code,
                    kind=PartnerKind.LOCAL_AUTHORITY,
                    is_host=host,
                )
            ).returning(Partner.id)
        )[0]["id"]
    return ids


SignIn = Callable[..., Awaitable[Person]]


async def make_account(
    *roles: Role,
    name: str | None = None,
    email: str | None = None,
    partners: tuple[int, ...] = (),
) -> Person:
    from governance import audit, services
    from governance.tables import Account

    name = name or f"Test {roles[0].label}"
    email = email or re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") + "@example.org"
    account_id, password = await services.create_account(
        audit.SYSTEM,
        {
            "name": name,
            "email": email,
            "roles": [r.value for r in roles],
            "adm_partners": list(partners),
        },
        password=PASSWORD,
        cheap_hash=True,
    )
    row = await Account.select(Account.person).where(Account.id == account_id).first()
    assert row is not None
    return Person(account_id, row["person"], name, email, password)


async def sign_in_client(client: AsyncTestClient[Any], person: Person) -> None:
    client.headers.pop("x-csrftoken", None)
    await client.get("/sign-in")
    token = client.cookies.get("csrftoken")
    response = await client.post(
        "/sign-in",
        data={"email": person.email, "password": person.password, "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code in (200, 303), response.text
    assert client.cookies.get("gov_session"), "sign-in did not start a session"
    client.headers["x-csrftoken"] = token or ""


@pytest.fixture
async def sign_in(client: AsyncTestClient[Any], agency: dict[str, int]) -> SignIn:
    """sign_in(Role.X, ..., name=..., partners=(ids...)) creates that person and signs them in."""

    async def _sign_in(
        *roles: Role,
        name: str | None = None,
        email: str | None = None,
        partners: tuple[int, ...] | None = None,
    ) -> Person:
        if partners is None and Role.ADM in roles:
            partners = tuple(agency.values())
        person = await make_account(*roles, name=name, email=email, partners=partners or ())
        client.cookies.clear()
        await sign_in_client(client, person)
        return person

    return _sign_in


# ---------------------------------------------------------------- e-mail


@dataclass
class Mailbox:
    port: int
    messages: list[Any]

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    messages: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    class OnAPortOfItsOwn(Controller):
        """Binds port 0, so the system picks a port no other worker holds, and reads it back
        before aiosmtpd's start-up connects to the catcher."""

        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()  # type: ignore[no-untyped-call]

    controller = OnAPortOfItsOwn(Handler(), hostname="127.0.0.1", port=0)
    controller.start()
    monkeypatch.setenv("SMTP_PORT", str(controller.port))
    try:
        yield Mailbox(controller.port, messages)
    finally:
        controller.stop()


def _free_port() -> int:
    """A port free at this moment, for a test that needs a number nothing listens on. A server a
    test starts binds port 0 instead (support.listening): this one may be taken before it binds."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- live server and browser


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The real service under uvicorn, on its own database loaded with the demo agency: one for
    each xdist worker that runs a browser test, on a port of its own."""
    url, data_dir = support.new_database("live")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GOVERNANCE_DATA_DIR": str(data_dir),
        "ARGON2_CHEAP": "1",
        "SCHEDULER": "0",
        "COOKIE_SECURE": "1",
        "DB_POOL": "1",
    }
    try:
        subprocess.run([*support.GOVERNANCE, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([*support.GOVERNANCE, "demo"], env=env, check=True, capture_output=True)
        with support.serving(env, data_dir / "server.log") as base:
            yield LiveServer(base, url)
    finally:
        support.drop_database(url, data_dir)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Sync Playwright keeps an event loop running while it is open; async tests must not run then.
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    support.require(support.chromium_available(), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(support.CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser page (own cookies) pointed at the live server."""
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


# ---------------------------------------------------------------- the clock


@pytest.fixture(autouse=True)
def _clock_back_after_each_test() -> Iterator[None]:
    """A test that freezes or moves the service's clock leaves it as it found it."""
    from governance import clock

    yield
    clock.reset()
