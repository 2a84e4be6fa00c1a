"""Backup and restore: one archive of the database and the stored files, checked on the way in.

An archive is a gzipped tar holding ``manifest.json``, the database (``database.sqlite``, a copy
made with SQLite's online backup API, or ``database.pgdump``, ``pg_dump``'s custom format taken
in one snapshot) and ``files/<key>`` for every stored file but the members' packs, which are
rebuilt on the first download. The manifest lists each member's SHA-256, the rows of every table,
the files the records need and the audit chain's head, all read from the same snapshot.

A restore reads and checks the whole archive before it changes anything, refuses a target that
holds records or files unless forced, restores the files and then the database (SQLite: one
rename; PostgreSQL: one transaction), and verifies the audit chain, the row counts and the files
against the manifest. A SQLite archive restores onto PostgreSQL too, for an agency that outgrows
the embedded default.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from governance import clock, jobs
from governance.rules.retention import backups_to_keep
from governance.settings import Settings
from governance.storage import Storage, check_key, paper_key, storage_for

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
# Generated packs are rebuilt from the papers on the next download, so they are not kept.
NOT_BACKED_UP = ("packs/",)
DAILY_NAME = re.compile(r"^governance-daily-(\d{4}-\d{2}-\d{2})\.tar\.gz$")
MIGRATIONS_TABLE = "migration"


class BackupError(Exception):
    """A backup or restore that cannot be done; nothing was changed."""


class Unverified(BackupError):
    """A restore that finished but whose copy does not match the archive's manifest."""


@dataclass(frozen=True, slots=True)
class Report:
    archive: Path
    database: str
    tables: dict[str, int]
    files: int
    bytes: int
    audit_entries: int
    audit_head: str
    checks: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _kind(url: str) -> str:
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return "sqlite"
    if scheme in {"postgres", "postgresql"}:
        return "postgresql"
    raise BackupError(f"DATABASE_URL must be sqlite:/// or postgresql://, not {url!r}")


def _sqlite_path(url: str) -> Path:
    parsed = urlparse(url)
    return Path(unquote(parsed.netloc + parsed.path))


def _pg_url(url: str) -> str:
    # libpq takes postgresql://; asyncpg and pg_dump both read the same form.
    return "postgresql://" + url.split("://", 1)[1]


# ------------------------------------------------------------------ reading a snapshot


def _paper_keys(shas: list[str]) -> list[str]:
    return sorted({paper_key(sha) for sha in shas if sha})


def _fact_queries(names: list[str]) -> dict[str, str]:
    """The queries whose answers the manifest records, for the tables a database has."""
    queries = {f"rows:{n}": f'SELECT COUNT(*) FROM "{n}"' for n in names if n != MIGRATIONS_TABLE}
    if MIGRATIONS_TABLE in names:
        queries["migrations"] = f'SELECT app_name, name FROM "{MIGRATIONS_TABLE}"'
    if "audit_entry" in names:
        queries["head"] = 'SELECT id, hash FROM "audit_entry" ORDER BY id DESC LIMIT 1'
    if "paper_version" in names:
        queries["papers"] = 'SELECT sha256 FROM "paper_version"'
    return queries


def _facts(answers: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    tables = {k[5:]: int(v[0][0]) for k, v in sorted(answers.items()) if k.startswith("rows:")}
    head = answers.get("head") or []
    return {
        "tables": tables,
        "migrations": sorted(f"{a}:{m}" for a, m in answers.get("migrations", [])),
        "audit": {
            "entries": tables.get("audit_entry", 0),
            "head_id": int(head[0][0]) if head else 0,
            "head_hash": str(head[0][1]) if head else "",
        },
        "needs": _paper_keys([r[0] for r in answers.get("papers", [])]),
    }


def _sqlite_facts(path: Path) -> dict[str, Any]:
    """Tables' rows, migrations, the audit head and the files the records need, from one file."""
    conn = sqlite3.connect(path)
    try:
        queries = _fact_queries(_sqlite_tables(conn))
        return _facts({k: conn.execute(sql).fetchall() for k, sql in queries.items()})
    finally:
        conn.close()


async def _pg_facts(conn: Any) -> dict[str, Any]:
    names = [
        r[0]
        for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]
    answers = {}
    for key, sql in _fact_queries(names).items():
        answers[key] = [tuple(r) for r in await conn.fetch(sql)]
    return _facts(answers)


async def _pg_snapshot_and_dump(url: str, out: Path) -> dict[str, Any]:
    """pg_dump and the manifest's facts from one exported snapshot, so they agree exactly."""
    import asyncpg

    conn = await asyncpg.connect(_pg_url(url))
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            dump = await asyncio.create_subprocess_exec(
                "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                f"--snapshot={snapshot}", f"--file={out}", _pg_url(url),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            _, err = await dump.communicate()
            if dump.returncode != 0:
                raise BackupError(f"pg_dump failed: {err.decode(errors='replace').strip()}")
            return await _pg_facts(conn)
    finally:
        await conn.close()


# ------------------------------------------------------------------ backup


def _stored_keys(store: Storage) -> list[str]:
    return sorted(k for k in store.keys_sync() if not k.startswith(NOT_BACKED_UP))


def _archive_path(dest: Path, name: str) -> Path:
    """DEST is the archive when it ends in .tar.gz; otherwise a folder (made if need be)."""
    if dest.name.endswith(".tar.gz") and not dest.is_dir():
        dest.parent.mkdir(parents=True, exist_ok=True)
        return dest
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    return dest / name


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = mtime
    tar.addfile(info, io.BytesIO(data))


async def backup(settings: Settings, dest: Path, *, name: str | None = None) -> Report:
    """Write one archive of the database and the stored files to DEST (a .tar.gz, or a folder)."""
    kind = _kind(settings.database_url)
    made_at = clock.now()
    mtime = int(made_at.timestamp())
    name = name or f"governance-backup-{clock.london(made_at):%Y-%m-%dT%H%M%S}.tar.gz"
    target = _archive_path(dest, name)
    store = storage_for(settings)
    with tempfile.TemporaryDirectory(prefix="governance-backup-") as work:
        if kind == "sqlite":
            db_file = Path(work) / SQLITE_MEMBER
            source_path = _sqlite_path(settings.database_url)
            if not source_path.exists():
                raise BackupError(f"There is no database at {source_path}")
            await asyncio.to_thread(_sqlite_backup, source_path, db_file)
            facts = await asyncio.to_thread(_sqlite_facts, db_file)
        else:
            if shutil.which("pg_dump") is None:
                raise BackupError("pg_dump is not installed (Debian: postgresql-client)")
            db_file = Path(work) / PG_MEMBER
            facts = await _pg_snapshot_and_dump(settings.database_url, db_file)
        if not facts["tables"]:
            raise BackupError(
                "The database has no tables: run `governance migrate`, or check DATABASE_URL"
            )
        # Files are added after the snapshot and never change once written (papers are
        # content-addressed), so every file the snapshot's records need is here to copy.
        keys = await asyncio.to_thread(_stored_keys, store)
        lacking = sorted(set(facts["needs"]) - set(keys))
        if lacking:
            raise BackupError(
                f"{len(lacking)} files the records need are missing from storage "
                f"({store.describe()}), first {lacking[0]}: no backup was written"
            )
        partial = target.with_name(f".{target.name}.partial")
        files: list[dict[str, Any]] = []
        total = 0
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                tar.add(db_file, arcname=db_file.name)
                for key in keys:
                    data = await store.get(key)
                    sha = _sha256(data)
                    if key.startswith("papers/") and key.rsplit("/", 1)[-1] != sha:
                        raise BackupError(
                            f"The stored file {key} does not match its checksum: it is damaged"
                        )
                    _add(tar, f"files/{key}", data, mtime)
                    files.append({"key": key, "sha256": sha, "size": len(data)})
                    total += len(data)
                manifest = {
                    "format": FORMAT,
                    "made_at": made_at.isoformat(),
                    "database": {
                        "kind": kind,
                        "member": db_file.name,
                        "sha256": await asyncio.to_thread(_file_sha256, db_file),
                        "size": db_file.stat().st_size,
                    },
                    "storage": store.describe(),
                    **facts,
                    "files": files,
                }
                _add(tar, MANIFEST, json.dumps(manifest, indent=1).encode(), mtime)
            os.chmod(partial, 0o600)
            os.replace(partial, target)  # a half-written archive never has the final name
        finally:
            partial.unlink(missing_ok=True)
    return Report(
        archive=target,
        database=kind,
        tables=facts["tables"],
        files=len(files),
        bytes=total,
        audit_entries=facts["audit"]["entries"],
        audit_head=facts["audit"]["head_hash"],
    )


def _sqlite_backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


# ------------------------------------------------------------------ restore


@dataclass(slots=True)
class _Opened:
    manifest: dict[str, Any]
    database: Path
    files: dict[str, Path]


def _open(archive: Path, work: Path) -> _Opened:
    """Every member the manifest names, checked against its checksum, or BackupError."""
    if not archive.is_file():
        raise BackupError(f"There is no archive at {archive}")
    try:
        with tarfile.open(archive, "r:*") as tar:
            return _read(tar, archive, work)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{archive} is not a whole backup archive: {error}") from None


def _read(tar: tarfile.TarFile, archive: Path, work: Path) -> _Opened:
    try:
        manifest_member = tar.extractfile(MANIFEST)
    except KeyError:
        manifest_member = None
    if manifest_member is None:
        raise BackupError(f"{archive} has no manifest: it is not a backup of this service")
    try:
        manifest = json.loads(manifest_member.read())
        db_info = manifest["database"]
        entries = [(check_key(str(f["key"])), str(f["sha256"])) for f in manifest["files"]]
        needs = set(manifest["needs"])
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"The manifest in {archive} is damaged") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive} is a backup of format {manifest.get('format')!r}, and this version"
            f" reads format {FORMAT}"
        )
    if db_info.get("member") not in {SQLITE_MEMBER, PG_MEMBER}:
        raise BackupError("The manifest names an unknown database member")
    database = work / db_info["member"]
    _extract(tar, db_info["member"], database, db_info["sha256"])
    files: dict[str, Path] = {}
    for number, (key, sha256) in enumerate(entries):
        path = work / "files" / f"{number:08d}"
        _extract(tar, f"files/{key}", path, sha256)
        files[key] = path
    lacking = sorted(needs - set(files))
    if lacking:
        raise BackupError(
            f"The archive lacks {len(lacking)} files the records need (first {lacking[0]}):"
            " restoring it would leave papers that cannot be opened, so nothing was restored"
        )
    return _Opened(manifest, database, files)


def _extract(tar: tarfile.TarFile, name: str, to: Path, sha256: str) -> None:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"The archive lacks {name}, which its manifest lists") from None
    source = tar.extractfile(member) if member.isfile() else None
    if source is None:
        raise BackupError(f"{name} in the archive is not a file")
    to.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with to.open("wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != sha256:
        raise BackupError(f"{name} in the archive does not match its checksum: it is damaged")


async def _current_facts(settings: Settings) -> dict[str, Any]:
    """The configured database's tables, rows, migrations and audit head (none if no file yet)."""
    if _kind(settings.database_url) == "sqlite":
        path = _sqlite_path(settings.database_url)
        if not path.exists() or not path.stat().st_size:
            return _facts({})
        return await asyncio.to_thread(_sqlite_facts, path)
    import asyncpg

    conn = await asyncpg.connect(_pg_url(settings.database_url))
    try:
        return await _pg_facts(conn)
    finally:
        await conn.close()


def _rows(table: str, count: int) -> str:
    return f"{table} ({count} row{'' if count == 1 else 's'})"


async def _target_holds(settings: Settings) -> list[str]:
    """What the target already holds: tables with rows, and stored files."""
    facts = await _current_facts(settings)
    held = [_rows(n, c) for n, c in facts["tables"].items() if c]
    stored = await asyncio.to_thread(_stored_keys, storage_for(settings))
    if stored:
        held.append(f"{len(stored)} stored files")
    return held


async def restore(settings: Settings, archive: Path, *, force: bool = False) -> Report:
    """Restore ARCHIVE into the configured database and storage, or change nothing."""
    target_kind = _kind(settings.database_url)
    with tempfile.TemporaryDirectory(prefix="governance-restore-") as temp:
        work = Path(temp)
        opened = await asyncio.to_thread(_open, archive, work)
        manifest = opened.manifest
        source_kind = manifest["database"]["kind"]
        if source_kind == "postgresql" and target_kind == "sqlite":
            raise BackupError("A PostgreSQL backup restores onto PostgreSQL only")
        held = await _target_holds(settings)
        if held and not force:
            raise BackupError(
                "The target is not empty (" + ", ".join(held[:5])
                + (", ..." if len(held) > 5 else "")
                + "): restoring would replace it. Restore into an empty install, or pass"
                " --force to replace what is there"
            )  # fmt: skip
        if source_kind == "sqlite":
            await asyncio.to_thread(_check_sqlite_file, opened.database)
        if source_kind == "sqlite" and target_kind == "postgresql":
            await _check_migrations_match(settings, manifest)
        store = storage_for(settings)
        # Files first: until the database is in place they are only unreferenced blobs.
        for key, path in opened.files.items():
            await store.put(key, await asyncio.to_thread(path.read_bytes))
        if target_kind == "sqlite":
            await asyncio.to_thread(_replace_sqlite, opened.database, settings.database_url)
        elif source_kind == "postgresql":
            await _pg_restore(opened.database, settings.database_url)
        else:
            await _copy_sqlite_to_pg(opened.database, settings.database_url)
        checks = await _verify_restored(settings, manifest)
    return Report(
        archive=archive,
        database=f"{source_kind} to {target_kind}",
        tables=manifest["tables"],
        files=len(opened.files),
        bytes=sum(int(f["size"]) for f in manifest["files"]),
        audit_entries=manifest["audit"]["entries"],
        audit_head=manifest["audit"]["head_hash"],
        checks=checks,
    )


def _check_sqlite_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The archive's database cannot be read: {error}") from None
    finally:
        conn.close()
    if not result or result[0] != "ok":
        raise BackupError(f"The archive's database fails SQLite's integrity check: {result}")


def _replace_sqlite(source: Path, url: str) -> None:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, staged)
    conn = sqlite3.connect(staged)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    # The old file's write-ahead log must not be replayed into the restored one.
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)


async def _pg_restore(dump: Path, url: str) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not installed (Debian: postgresql-client)")
    process = await asyncio.create_subprocess_exec(
        "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
        "--single-transaction", "--exit-on-error", f"--dbname={_pg_url(url)}", str(dump),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    if process.returncode != 0:
        raise BackupError(
            "pg_restore failed and rolled back, so the database is as it was: "
            + err.decode(errors="replace").strip()[-800:]
        )


async def _check_migrations_match(settings: Settings, manifest: dict[str, Any]) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_url(settings.database_url))
    try:
        exists = await conn.fetchval("SELECT to_regclass('public.migration') IS NOT NULL")
        ran = (
            sorted(f"{a}:{n}" for a, n in await conn.fetch("SELECT app_name, name FROM migration"))
            if exists
            else []
        )
    finally:
        await conn.close()
    if ran != manifest["migrations"]:
        newer = sorted(set(manifest["migrations"]) - set(ran))
        raise BackupError(
            "Run `governance migrate` on the target first, so that its tables match the"
            " archive's"
            + (f" (it lacks {len(newer)} of the archive's migrations)" if newer else "")
            + "; if the archive is older than this version, restore it onto SQLite, migrate,"
            " and back up again"
        )


def _pg_value(value: Any, pg_type: str) -> Any:
    """A value read from SQLite (through Piccolo's converters) as PostgreSQL's column takes it."""
    if value is None:
        return None
    if pg_type == "boolean":
        return bool(value)
    if pg_type in {"json", "jsonb"} and not isinstance(value, str):
        return json.dumps(value)
    if pg_type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


async def _copy_sqlite_to_pg(path: Path, url: str) -> None:
    import asyncpg
    import piccolo.engine.sqlite  # noqa: F401  (registers the converters for Piccolo's types)

    source = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES)
    conn = await asyncpg.connect(_pg_url(url))
    try:
        columns: dict[str, dict[str, str]] = {}
        for r in await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        ):
            columns.setdefault(r["table_name"], {})[r["column_name"]] = r["data_type"]
        names = [n for n in _sqlite_tables(source) if n != MIGRATIONS_TABLE]
        missing = [n for n in names if n not in columns]
        if missing:
            raise BackupError(f"The target lacks the tables {', '.join(missing)}")
        async with conn.transaction():
            await conn.execute(
                "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"
            )
            for name in _in_key_order(source, names):
                cursor = source.execute(f'SELECT * FROM "{name}"')
                cols = [d[0] for d in cursor.description]
                types = [columns[name].get(c, "") for c in cols]
                records = [
                    tuple(_pg_value(v, t) for v, t in zip(row, types, strict=True))
                    for row in cursor
                ]
                if records:
                    await conn.copy_records_to_table(name, records=records, columns=cols)
                if "id" in cols:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'),"
                        f' COALESCE(MAX("id"), 1), MAX("id") IS NOT NULL) FROM "{name}"'
                    )
    except asyncpg.PostgresError as error:
        raise BackupError(
            f"Copying into PostgreSQL failed and rolled back, so it is as it was: {error}"
        ) from None
    finally:
        await conn.close()
        source.close()


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _in_key_order(conn: sqlite3.Connection, names: list[str]) -> list[str]:
    """Tables ordered so that each comes after the tables its foreign keys point to."""
    needs = {
        n: {r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{n}")')} - {n} for n in names
    }
    ordered: list[str] = []
    while needs:
        ready = sorted(n for n, d in needs.items() if not d - set(ordered))
        if not ready:  # a cycle: foreign keys are checked at commit in any case
            ready = sorted(needs)
        for n in ready:
            ordered.append(n)
            del needs[n]
    return ordered


async def _verify_restored(settings: Settings, manifest: dict[str, Any]) -> list[str]:
    """The restored copy against the manifest: rows, files, and the audit chain and its head."""
    from governance import audit

    checks = []
    facts = await _current_facts(settings)
    wrong = {
        n: (c, facts["tables"].get(n))
        for n, c in manifest["tables"].items()
        if facts["tables"].get(n) != c
    }
    if wrong:
        raise Unverified(f"The restored tables do not match the archive: {wrong}")
    checks.append(f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables")
    store = storage_for(settings)
    absent = [k for k in manifest["needs"] if not await store.exists(k)]
    if absent:
        raise Unverified(f"{len(absent)} files the records need are not in storage after restore")
    checks.append(f"{len(manifest['needs'])} files the records need are in storage")
    chain = await audit.verify()  # Piccolo's engine is the configured, restored database
    if not chain.intact:
        raise Unverified(f"The restored audit chain is broken at entry {chain.broken_at}")
    if facts["audit"]["head_hash"] != manifest["audit"]["head_hash"]:
        raise Unverified("The restored audit chain ends at another entry than the archive's")
    checks.append(f"audit chain intact: {chain.checked} entries, head as in the manifest")
    return checks


# ------------------------------------------------------------------ the daily backup


def daily_archives(folder: Path) -> dict[date, Path]:
    found = {}
    if folder.is_dir():
        for path in folder.iterdir():
            match = DAILY_NAME.match(path.name)
            if match:
                found[date.fromisoformat(match.group(1))] = path
    return found


async def daily(settings: Settings) -> tuple[Report, list[Path]]:
    """Today's backup into the backups folder, then the older ones the policy no longer keeps."""
    folder = settings.backups
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    today = clock.today()
    report = await backup(settings, folder, name=f"governance-daily-{today.isoformat()}.tar.gz")
    archives = daily_archives(folder)
    keep = backups_to_keep(archives)
    removed = []
    for day, path in sorted(archives.items()):
        if day not in keep:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            removed.append(path)
    return report, removed


DAILY_JOB = "daily-backup"


async def _daily_job(settings: Settings) -> None:
    """Once a day, by whichever process claims the day first. On PostgreSQL only where
    BACKUP_DIR is set: an agency on PostgreSQL usually backs it up with its own tools."""
    if not settings.backup_daily:
        return
    if _kind(settings.database_url) == "postgresql" and settings.backup_dir is None:
        return
    day = clock.today().isoformat()
    if not await jobs.claim(DAILY_JOB, day):
        return
    await daily(settings)
    await jobs.finish(DAILY_JOB, day)


jobs.register(DAILY_JOB, _daily_job)
