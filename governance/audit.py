"""The append-only, hash-chained audit log: record an entry, list entries, verify the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from governance import clock, db
from governance.tables import AuditEntry

GENESIS = "0" * 64
# Any constant shared by every process; it serialises appends to the chain on PostgreSQL.
_PG_CHAIN_LOCK = 7_202_611


class Actor(Protocol):
    @property
    def account_id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SystemActor:
    name: str = "System"
    account_id: int | None = None


SYSTEM = SystemActor()


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    raise TypeError(f"cannot put {type(value).__name__} in the audit log")


def dumps(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=_default, sort_keys=True, separators=(",", ":"))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def entry_hash(fields: dict[str, Any]) -> str:
    content = {
        "at": _utc(fields["at"]).isoformat(timespec="microseconds"),
        "actor_id": fields["actor_id"],
        "actor": fields["actor"],
        "action": fields["action"],
        "record_type": fields["record_type"],
        "record_id": fields["record_id"],
        "path": fields["path"],
        "summary": fields["summary"],
        "before": fields["before"],
        "after": fields["after"],
        "prev_hash": fields["prev_hash"],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def record(
    actor: Actor | None,
    action: str,
    record_type: str,
    record_id: object = "",
    *,
    path: str = "",
    summary: str = "",
    before: Any = None,
    after: Any = None,
) -> None:
    who = actor or SYSTEM
    async with db.transaction():
        if db.is_postgres():
            await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _PG_CHAIN_LOCK)
        last = (
            await AuditEntry.select(AuditEntry.hash)
            .order_by(AuditEntry.id, ascending=False)
            .first()
        )
        fields: dict[str, Any] = {
            "at": clock.now(),
            "actor_id": who.account_id,
            "actor": who.name[:200],
            "action": action,
            "record_type": record_type,
            "record_id": str(record_id)[:60],
            "path": path[:500],
            "summary": summary,
            "before": dumps(before),
            "after": dumps(after),
            "prev_hash": last["hash"] if last else GENESIS,
        }
        fields["hash"] = entry_hash(fields)
        await AuditEntry.insert(AuditEntry(**fields))


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


async def verify(batch: int = 2000) -> ChainReport:
    expected_prev = GENESIS
    checked = 0
    after_id = 0
    while True:
        rows = (
            await AuditEntry.select()
            .where(AuditEntry.id > after_id)
            .order_by(AuditEntry.id)
            .limit(batch)
        )
        if not rows:
            return ChainReport(checked=checked)
        for row in rows:
            if row["prev_hash"] != expected_prev:
                return ChainReport(
                    checked, row["id"], "it does not follow the entry before it (one was removed)"
                )
            if entry_hash(row) != row["hash"]:
                return ChainReport(
                    checked, row["id"], "its content was changed after it was written"
                )
            expected_prev = row["hash"]
            checked += 1
            after_id = row["id"]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    record_type: str = ""
    path: str = ""
    since: date | None = None
    until: date | None = None


async def entries(
    flt: AuditFilter, *, limit: int = 50, before_id: int | None = None
) -> list[dict[str, Any]]:
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit)
    # SQLite's LIKE already ignores case (and warns of ILIKE, which it lacks).
    contains = "ilike" if db.is_postgres() else "like"
    if flt.actor:
        query = query.where(getattr(AuditEntry.actor, contains)(f"%{flt.actor}%"))
    if flt.action:
        query = query.where(AuditEntry.action == flt.action)
    if flt.record_type:
        query = query.where(AuditEntry.record_type == flt.record_type)
    if flt.path:
        query = query.where(getattr(AuditEntry.path, contains)(f"%{flt.path}%"))
    if flt.since:
        query = query.where(AuditEntry.at >= clock.day_bounds(flt.since)[0])
    if flt.until:
        query = query.where(AuditEntry.at < clock.day_bounds(flt.until)[1])
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(await query)


async def last_refusal(path: str) -> dict[str, Any] | None:
    return await (
        AuditEntry.select()
        .where((AuditEntry.action == "refused") & (AuditEntry.path == path))
        .order_by(AuditEntry.id, ascending=False)
        .first()
    )


async def actions_and_types() -> tuple[list[str], list[str]]:
    actions = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    types = (
        await AuditEntry.select(AuditEntry.record_type).distinct().order_by(AuditEntry.record_type)
    )
    return [a["action"] for a in actions], [t["record_type"] for t in types]
