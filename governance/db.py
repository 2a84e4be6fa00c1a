"""Where the database engine is found, how every write transaction is opened, and which database
errors mean that two people wrote at once (a clash to report, not a fault)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import asyncpg.exceptions as pg
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.table import Table

# After SQLite's own busy timeout has run out, a writer waits this long (seconds) and tries once
# more, each time, before the clash is reported.
BUSY_RETRIES = (0.05, 0.2, 0.5)

# Two writers of the same "first" row, a row removed under a writer, or PostgreSQL refusing to
# serialise two transactions: each means someone else's change came first.
_PG_CLASHES = (
    pg.UniqueViolationError,
    pg.ForeignKeyViolationError,
    pg.SerializationError,
    pg.DeadlockDetectedError,
    pg.LockNotAvailableError,
)


def engine() -> Engine:  # type: ignore[type-arg]
    found = engine_finder()
    if found is None:
        raise RuntimeError("piccolo_conf.DB is not configured")
    return found


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


def is_busy(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and (
        "database is locked" in str(error) or "database is busy" in str(error)
    )


def is_clash(error: BaseException) -> bool:
    """Whether a database error means a concurrent write won, so the request is a 409."""
    if isinstance(error, _PG_CLASHES):
        return True
    if isinstance(error, sqlite3.IntegrityError):
        return str(error).startswith(("UNIQUE constraint failed", "FOREIGN KEY constraint failed"))
    return is_busy(error)


class _ImmediateTransaction:
    """SQLite's immediate transaction, whose BEGIN is tried again briefly when the file is busy."""

    def __init__(self, db: SQLiteEngine) -> None:
        self._db = db
        self._inner: SQLiteTransaction | None = None

    async def __aenter__(self) -> SQLiteTransaction:
        for pause in (*BUSY_RETRIES, None):
            inner = self._db.transaction(transaction_type=TransactionType.immediate)
            if inner._parent is not None:
                self._inner = inner
                return await inner.__aenter__()
            inner.connection = await inner.get_connection()  # type: ignore[no-untyped-call]
            try:
                await inner.begin()  # type: ignore[no-untyped-call]
            except sqlite3.OperationalError as error:
                await inner.connection.close()
                if pause is None or not is_busy(error):
                    raise
                await asyncio.sleep(pause)
                continue
            inner.context = self._db.current_transaction.set(inner)
            self._inner = inner
            return inner
        raise AssertionError("unreachable")

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool:
        assert self._inner is not None
        return await self._inner.__aexit__(kind, error, trace)


def transaction() -> Any:
    db = engine()
    if isinstance(db, SQLiteEngine):
        # Immediate: take the write lock at BEGIN, so two writers queue instead of one failing
        # half way with "database is locked" after it has read stale rows.
        return _ImmediateTransaction(db)
    return db.transaction()


def unique_index_ddl(tables: Iterable[type[Table]]) -> list[str]:
    """The unique indexes of each table's `unique_together` columns. Piccolo's Unique constraint
    is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite lacks; a unique index works on both
    databases, and migrations create these same indexes."""
    statements = []
    for table in tables:
        for columns in getattr(table, "unique_together", ()):
            tablename = table._meta.tablename
            listed = ", ".join(f'"{c}"' for c in columns)
            statements.append(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{tablename}_{"_".join(columns)}_unique" '
                f'ON "{tablename}" ({listed})'
            )
        for index in getattr(table, "unique_indexes", ()):
            statements.append(index.ddl(table._meta.tablename))
    return statements


@dataclass(frozen=True, slots=True)
class UniqueIndex:
    """A unique index over expressions, or over some rows only (`where`), which unique_together
    cannot say: e.g. one primary decision maker per partner, the agency counting as one. A table
    lists them as `unique_indexes`; its migration creates the same index with `ddl`."""

    name: str
    on: str  # SQL: the columns or expressions, e.g. 'COALESCE("partner", 0)'
    where: str = ""  # SQL: which rows, e.g. "\"role\" = 'primary'"

    def ddl(self, tablename: str) -> str:
        where = f" WHERE {self.where}" if self.where else ""
        return (
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{tablename}_{self.name}_unique" '
            f'ON "{tablename}" ({self.on}){where}'
        )
