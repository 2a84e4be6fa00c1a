"""Who builds one meeting's packs of one kind: one claim in the database at a time, across every
app process, while the others wait; what the last good build took in; why the last build failed;
and the builds run ahead of the downloads, which tests wait for."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from governance import clock, db, mail
from panel.tables import PackRun, PaperKind

log = logging.getLogger("panel.packs")

# A claim not renewed for this long belongs to a build that died (its process stopped): another
# may take it over. A running build renews it every RENEW_SECONDS.
CLAIM_EXPIRES = timedelta(minutes=5)
RENEW_SECONDS = 30.0
# How long a download waits for someone else's build before it is told to come back.
WAIT_SECONDS = 60.0
POLL_SECONDS = 0.2
RETRY_AFTER_SECONDS = 60


class Preparing(Exception):
    """Someone else's build of this pack is still running after the wait."""

    def __init__(self, kind: PaperKind) -> None:
        super().__init__("Your pack is being prepared: try again in a minute.")
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Failure:
    item_number: int
    paper_title: str
    reason: str
    change: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Run:
    built_change: int
    builds: int
    running: bool
    failure: Failure | None


def _now() -> datetime:
    return clock.now().astimezone(UTC)


def _as_run(row: dict[str, Any]) -> Run:
    failure = None
    if row["failed_change"] is not None:
        failure = Failure(
            item_number=int(row["failed_item"] or 0),
            paper_title=str(row["failed_paper"]),
            reason=str(row["failed_reason"]),
            change=int(row["failed_change"]),
            at=row["failed_at"],
        )
    return Run(
        built_change=int(row["built_change"]),
        builds=int(row["builds"]),
        running=bool(row["claimed_by"]) and not _expired(row["claimed_at"]),
        failure=failure,
    )


def _expired(claimed_at: datetime | None) -> bool:
    return claimed_at is None or claimed_at < _now() - CLAIM_EXPIRES


async def run_of(meeting_id: int, kind: PaperKind) -> Run | None:
    row = (
        await PackRun.select()
        .where((PackRun.meeting == meeting_id) & (PackRun.kind == kind))
        .first()
    )
    return None if row is None else _as_run(row)


async def runs_of(meeting_id: int) -> dict[PaperKind, Run]:
    rows = await PackRun.select().where(PackRun.meeting == meeting_id)
    return {PaperKind(r["kind"]): _as_run(r) for r in rows}


async def _ensure_row(meeting_id: int, kind: PaperKind) -> None:
    if await run_of(meeting_id, kind) is not None:
        return
    try:
        # A new meeting's packs start out wanting every change (-1: none taken in yet).
        await PackRun.insert(PackRun(meeting=meeting_id, kind=kind, built_change=-1))
    except Exception as error:
        if not db.is_clash(error):  # another process made the row a moment ago: theirs serves
            raise


async def claim(meeting_id: int, kind: PaperKind) -> str | None:
    """A token for the one caller that may build now, or None while another build runs. A claim
    that was not renewed for CLAIM_EXPIRES (its build's process died) is taken over."""
    await _ensure_row(meeting_id, kind)
    token = f"{mail.WORKER_ID}:{uuid.uuid4().hex[:12]}"[:100]
    now = _now()
    free = (PackRun.claimed_by == "") | PackRun.claimed_at.is_null()
    taken = await (
        PackRun.update({PackRun.claimed_by: token, PackRun.claimed_at: now})
        .where(
            (PackRun.meeting == meeting_id)
            & (PackRun.kind == kind)
            & (free | (PackRun.claimed_at < now - CLAIM_EXPIRES))
        )
        .returning(PackRun.id)
    )
    return token if taken else None


async def release(meeting_id: int, kind: PaperKind, token: str) -> None:
    await PackRun.update({PackRun.claimed_by: "", PackRun.claimed_at: None}).where(
        (PackRun.meeting == meeting_id) & (PackRun.kind == kind) & (PackRun.claimed_by == token)
    )


# The builds this process is running now: its own waiters are woken when one ends, instead of
# asking the database over and over (which, on SQLite, opens a connection each time).
_HERE: dict[tuple[int, PaperKind], asyncio.Event] = {}


@contextlib.asynccontextmanager
async def held(meeting_id: int, kind: PaperKind, token: str) -> AsyncIterator[None]:
    """Keep the claim renewed while the build runs, and give it up afterwards."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            await PackRun.update({PackRun.claimed_at: _now()}).where(
                (PackRun.meeting == meeting_id) & (PackRun.claimed_by == token)
            )

    renewing = asyncio.create_task(renew())
    ended = _HERE.setdefault((meeting_id, kind), asyncio.Event())
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        await release(meeting_id, kind, token)
        if _HERE.get((meeting_id, kind)) is ended:
            del _HERE[(meeting_id, kind)]
        ended.set()


def deadline() -> float:
    """When a download that finds someone else building stops waiting for them."""
    return time.monotonic() + WAIT_SECONDS


async def wait_for_other(meeting_id: int, kind: PaperKind, deadline: float) -> bool:
    """Wait until no build of this pack runs; False if one still runs at the deadline."""
    while True:
        here = _HERE.get((meeting_id, kind))
        if here is not None:  # this process builds it: woken the moment it ends
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(here.wait(), max(0.0, deadline - time.monotonic()))
        run = await run_of(meeting_id, kind)
        if run is None or not run.running:
            return True
        if time.monotonic() >= deadline:
            return False
        if here is None:
            await asyncio.sleep(POLL_SECONDS)


async def started(meeting_id: int, kind: PaperKind) -> None:
    """Count the build (the count shows a build ran once however many asked)."""
    await PackRun.update({PackRun.builds: PackRun.builds + 1}).where(
        (PackRun.meeting == meeting_id) & (PackRun.kind == kind)
    )


async def succeeded(meeting_id: int, kind: PaperKind, change: int) -> None:
    await PackRun.update(
        {
            PackRun.built_change: change,
            PackRun.failed_change: None,
            PackRun.failed_item: None,
            PackRun.failed_paper: "",
            PackRun.failed_reason: "",
            PackRun.failed_at: None,
        }
    ).where((PackRun.meeting == meeting_id) & (PackRun.kind == kind))


async def failed(meeting_id: int, kind: PaperKind, change: int, failure: Failure) -> None:
    await PackRun.update(
        {
            PackRun.failed_change: change,
            PackRun.failed_item: failure.item_number,
            PackRun.failed_paper: failure.paper_title[:200],
            PackRun.failed_reason: failure.reason,
            PackRun.failed_at: failure.at,
        }
    ).where((PackRun.meeting == meeting_id) & (PackRun.kind == kind))


# ---------------------------------------------------------------- builds run ahead

# The builds this process runs in the background, held so they are not collected mid-run.
_RUNNING: set[asyncio.Task[Any]] = set()


def in_background(work: Coroutine[Any, Any, Any]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _RUNNING.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        _RUNNING.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("pack build failed", exc_info=finished.exception())

    task.add_done_callback(done)


async def wait_for_builds() -> None:
    """Wait until every background build this process started (and any they started) is done."""
    while _RUNNING:
        await asyncio.gather(*list(_RUNNING), return_exceptions=True)


async def cancel_builds() -> None:
    for task in list(_RUNNING):
        task.cancel()
    await asyncio.gather(*list(_RUNNING), return_exceptions=True)
