"""A write the service acknowledged survives the server being killed: the real server, on a database
of its own, takes a burst of account creations from a few clients at once, is killed with SIGKILL
in the middle of it and started again on the same database; every creation answered 201 before the
kill is there, with its audit entry, and the audit chain verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests import support

CLIENTS = 4
KILL_AFTER = 200  # acknowledged creations before the kill
MOST_ATTEMPTS = 500  # the burst stops by itself even if the kill never came
EMAIL = "crash.admin@example.org"


@dataclass
class Burst:
    acknowledged: dict[int, str] = field(default_factory=dict)  # account id -> email
    unanswered: int = 0
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)


@dataclass
class Service:
    env: dict[str, str]
    data_dir: Path
    url: str = ""
    starts: int = 0
    process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*support.GOVERNANCE, *args], env=self.env, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        # Port 0: the system hands the server a free port as it binds, which it logs.
        self.starts += 1
        log = self.data_dir / f"server-{self.starts}.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [*support.GOVERNANCE, "serve", "--host", "127.0.0.1", "--port", "0"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = support.address_of(
            self.process, "the server", log, support.UVICORN_LISTENING, time.monotonic() + 30
        )

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def service() -> Iterator[Service]:
    url, data_dir = support.new_database("crash")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GOVERNANCE_DATA_DIR": str(data_dir),
        "ARGON2_CHEAP": "1",
        "SCHEDULER": "0",
        "COOKIE_SECURE": "0",  # plain http on 127.0.0.1
        "DB_POOL": "1",
        "SMTP_PORT": "1",
    }
    running = Service(env, data_dir)
    try:
        yield running
    finally:
        running.stop()
        support.drop_database(url, data_dir)


def _signed_in(service: Service, password: str) -> httpx.Client:
    client = httpx.Client(base_url=service.url, timeout=10)
    client.get("/sign-in")
    token = client.cookies.get("csrftoken") or ""
    response = client.post(
        "/sign-in", data={"_csrf_token": token, "email": EMAIL, "password": password}
    )
    assert response.status_code == 303 and client.cookies.get("gov_session"), response.text
    client.headers["x-csrftoken"] = token
    return client


def _create_accounts(client: httpx.Client, worker: int, burst: Burst) -> None:
    for n in range(MOST_ATTEMPTS // CLIENTS):
        if burst.enough.is_set() and burst.unanswered:
            return
        email = f"crash.{worker}.{n}@example.org"
        body = {"name": f"Crash {worker} {n}", "email": email, "roles": ["auditor"]}
        try:
            response = client.post("/api/v1/accounts", json=body)
        except httpx.TransportError:
            with burst.lock:
                burst.unanswered += 1
            return  # the server is gone: nothing more will be acknowledged
        with burst.lock:
            if response.status_code == 201:
                burst.acknowledged[response.json()["id"]] = email
                if len(burst.acknowledged) >= KILL_AFTER:
                    burst.enough.set()
            else:
                burst.refused.append(f"{response.status_code} {response.text[:200]}")


def test_every_acknowledged_write_survives_a_kill_and_the_audit_chain_verifies(
    service: Service,
) -> None:
    migrated = service.cli("migrate")
    assert migrated.returncode == 0, migrated.stderr
    created = service.cli(
        "create-user", "--email", EMAIL, "--name", "Crash Admin",
        "--role", "system_admin", "--role", "auditor",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    password = created.stdout.split("One-time password:")[1].strip()

    service.start()
    clients = [_signed_in(service, password) for _ in range(CLIENTS)]
    burst = Burst()
    workers = [
        threading.Thread(target=_create_accounts, args=(client, n, burst))
        for n, client in enumerate(clients)
    ]
    for worker in workers:
        worker.start()
    assert burst.enough.wait(timeout=60), f"only {len(burst.acknowledged)} acknowledged"
    service.kill()  # mid-burst: the other clients' requests are in flight
    for worker in workers:
        worker.join(timeout=30)
    for client in clients:
        client.close()
    acknowledged = dict(burst.acknowledged)
    assert burst.refused == []
    assert len(acknowledged) >= KILL_AFTER
    assert burst.unanswered > 0, "the kill came after the burst, not during it"

    service.start()
    client = _signed_in(service, password)
    try:
        accounts = {row["id"]: row["email"] for row in client.get("/api/v1/accounts").json()}
        audit_filter: dict[str, str | int] = {
            "action": "create",
            "record_type": "account",
            "limit": 500,
        }
        entries = client.get("/api/v1/audit", params=audit_filter).json()
    finally:
        client.close()
    audited = {int(row["record_id"]) for row in entries}
    found = {i: e for i, e in acknowledged.items() if accounts.get(i) == e}
    lost = {i: e for i, e in acknowledged.items() if i not in found}
    assert lost == {}, f"{len(lost)} of {len(acknowledged)} acknowledged creations were lost"
    assert set(acknowledged) <= audited, "an acknowledged creation has no audit entry"
    verified = service.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact" in verified.stdout
    print(
        f"\n{len(acknowledged)} creations acknowledged before SIGKILL, {burst.unanswered} "
        f"unanswered; after restart {len(found)} of them found, {len(accounts) - 1} created in all "
        f"(in-flight ones that committed included); {verified.stdout.strip()}"
    )
