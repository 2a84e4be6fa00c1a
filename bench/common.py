"""Shared by the benchmarks: a real server on a throwaway database, signed-in clients, timing."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GOVERNANCE = [sys.executable, "-m", "governance.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "GOVERNANCE_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url or f"sqlite:///{data_dir / 'bench.sqlite'}",
        "COOKIE_SECURE": "0",
        "SCHEDULER": "0",
        "PYTHONPATH": str(ROOT),
    }


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    with server_process(env) as (base, _pid):
        yield base


@contextmanager
def server_process(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """The server's address and its process id (to read its memory from /proc)."""
    port = free_port()
    process = subprocess.Popen(
        [*GOVERNANCE, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def demo_database() -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        env = environment(Path(tmp))
        subprocess.run([*GOVERNANCE, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
        subprocess.run([*GOVERNANCE, "demo"], env=env, check=True, capture_output=True, cwd=ROOT)
        yield env


def signed_in_client(base: str, email: str, password: str = "demo-password-2026") -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    client.get("/sign-in")
    token = client.cookies.get("csrftoken")
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "_csrf_token": token}
    )
    assert response.status_code == 303, response.text[:500]
    client.headers["x-csrftoken"] = token or ""
    return client


@dataclass(frozen=True)
class Figures:
    name: str
    median_ms: float
    p95_ms: float
    rps: float

    def line(self, baseline: Figures | None = None) -> str:
        text = (
            f"{self.name:<34} median {self.median_ms:7.2f} ms   p95 {self.p95_ms:7.2f} ms   "
            f"{self.rps:8.0f} req/s"
        )
        if baseline is not None and baseline is not self:
            text += (
                f"   x{self.p95_ms / baseline.p95_ms:5.1f} p95, "
                f"x{baseline.rps / self.rps:5.1f} throughput vs {baseline.name}"
            )
        return text


def measure(
    client: httpx.Client,
    path: str,
    name: str,
    *,
    requests: int = 400,
    concurrency: int = 8,
    seconds: float = 3.0,
) -> Figures:
    for _ in range(30):
        assert client.get(path).status_code == 200, path
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    timings.sort()
    rps = asyncio.run(_throughput(client, path, concurrency, seconds))
    return Figures(name, statistics.median(timings), timings[int(len(timings) * 0.95) - 1], rps)


async def _throughput(client: httpx.Client, path: str, concurrency: int, seconds: float) -> float:
    cookies = dict(client.cookies)
    done = 0
    async with httpx.AsyncClient(
        base_url=str(client.base_url), cookies=cookies, timeout=30
    ) as async_client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                response = await async_client.get(path)
                assert response.status_code == 200
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)
