"""Piccolo's configuration: the database engine from DATABASE_URL and the four apps."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from governance.settings import Settings


def engine_for(url: str) -> Engine:  # type: ignore[type-arg]
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if parsed.netloc:  # sqlite://relative/path
            path = parsed.netloc + path
        # A long timeout lets writers queue behind an immediate transaction instead of failing.
        return SQLiteEngine(path=path, timeout=30)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(
            config={
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": unquote(parsed.username or "postgres"),
                "password": unquote(parsed.password or ""),
                "database": (parsed.path or "/postgres").lstrip("/"),
            }
        )
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


DB = engine_for(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "governance.piccolo_app",
        "panel.piccolo_app",
        "adm.piccolo_app",
        "board.piccolo_app",
    ]
)
