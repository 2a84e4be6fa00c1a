"""Background work that is safe to run twice and in several processes: each run is claimed first."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable

from asyncpg.exceptions import UniqueViolationError

from governance import clock, mail
from governance.settings import Settings
from governance.tables import JobClaim

log = logging.getLogger("governance.jobs")

Job = Callable[[Settings], Awaitable[None]]
_JOBS: dict[str, Job] = {}
INTERVAL_SECONDS = 60


def register(name: str, job: Job) -> None:
    _JOBS[name] = job


async def claim(job: str, run_key: str, worker: str = mail.WORKER_ID) -> bool:
    """True for exactly one caller per (job, run_key), whichever process asks first."""
    try:
        await JobClaim.insert(JobClaim(job=job, run_key=f"{job}:{run_key}", claimed_by=worker))
    except (UniqueViolationError, sqlite3.IntegrityError):
        return False
    return True


async def finish(job: str, run_key: str) -> None:
    await JobClaim.update({JobClaim.finished_at: clock.now()}).where(
        JobClaim.run_key == f"{job}:{run_key}"
    )


async def run_once(settings: Settings) -> None:
    for name, job in list(_JOBS.items()):
        try:
            await job(settings)
        except Exception:  # one failing job must not stop the others or the loop
            log.exception("job %s failed", name)
    try:
        await mail.deliver_pending(settings)
    except Exception:
        log.exception("mail delivery failed")


async def run_forever(settings: Settings) -> None:
    while True:
        await run_once(settings)
        await asyncio.sleep(INTERVAL_SECONDS)
