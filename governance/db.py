"""Where the database engine is found, and how every write transaction is opened."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def engine() -> Engine:  # type: ignore[type-arg]
    found = engine_finder()
    if found is None:
        raise RuntimeError("piccolo_conf.DB is not configured")
    return found


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


def transaction() -> Any:
    db = engine()
    if isinstance(db, SQLiteEngine):
        # Immediate: take the write lock at BEGIN, so two writers queue instead of one failing
        # half way with "database is locked" after it has read stale rows.
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()
