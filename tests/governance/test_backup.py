"""governance backup and governance restore, as an administrator runs them: round trips between
the embedded default and PostgreSQL with pages and downloads working on the restored copy, and
every archive that must be refused refused with the target left as it was."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests import support

GOVERNANCE = [sys.executable, "-m", "governance.cli"]
DEMO_PASSWORD = "demo-password-2026"
ACCOUNT_EMAILS = "SELECT person.email FROM account JOIN person ON person.id = account.person"
ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


@dataclass
class Install:
    """One install of the service: its database, its data folder and its environment."""

    url: str
    data_dir: Path
    extra: dict[str, str] = field(default_factory=dict)  # e.g. STORAGE=s3 and its bucket

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "GOVERNANCE_DATA_DIR": str(self.data_dir),
            "ARGON2_CHEAP": "1",
            "SCHEDULER": "0",
            "COOKIE_SECURE": "0",
            **self.extra,
        }

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*GOVERNANCE, *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def query(self, sql: str) -> list[tuple[object, ...]]:
        if self.url.startswith("sqlite"):
            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import asyncio

        import asyncpg

        async def fetch() -> list[tuple[object, ...]]:
            conn = await asyncpg.connect(self.url)
            try:
                return [tuple(r) for r in await conn.fetch(sql)]
            finally:
                await conn.close()

        return asyncio.run(fetch())


def _install(label: str, *, kind: str) -> Install:
    if kind == "postgresql":
        url, data_dir = support.new_database(label)
    else:  # the embedded default, even when the suite runs on PostgreSQL
        saved = os.environ.pop("TEST_DATABASE_URL", None)
        try:
            url, data_dir = support.new_database(label)
        finally:
            if saved is not None:
                os.environ["TEST_DATABASE_URL"] = saved
    return Install(url, data_dir)


@pytest.fixture
def installs() -> Iterator[list[Install]]:
    made: list[Install] = []
    yield made
    for install in made:
        support.drop_database(install.url, install.data_dir)


SUITE_KIND = "postgresql" if ON_POSTGRES else "sqlite"
# On SQLite: SQLite to SQLite. On PostgreSQL: PostgreSQL to PostgreSQL, and SQLite to PostgreSQL
# for an agency that outgrows the embedded default.
ROUND_TRIPS = sorted({(SUITE_KIND, SUITE_KIND), ("sqlite", SUITE_KIND)})


@contextmanager
def _serving(install: Install) -> Iterator[str]:
    """The real service on the install, for as long as the block runs; yields its address."""
    with support.serving(install.env, install.data_dir / "server.log") as url:
        yield url


def _signed_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    try:
        client.get("/sign-in")
        token = client.cookies.get("csrftoken") or ""
        signed = client.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token}
        )
        assert signed.status_code == 200 and "Sign out" in signed.text, signed.text[:500]
    except BaseException:
        client.close()
        raise
    client.headers["x-csrftoken"] = token
    return client


@pytest.mark.parametrize(("source_kind", "target_kind"), ROUND_TRIPS)
def test_a_backup_restores_every_record_and_file_and_the_copy_works(
    installs: list[Install], tmp_path: Path, source_kind: str, target_kind: str
) -> None:
    source = _install("bk-source", kind=source_kind)
    target = _install("bk-target", kind=target_kind)
    installs += [source, target]
    source.run("migrate")
    source.run("demo")
    backed = source.run("backup", str(tmp_path / "archives"))
    archive = Path(re.search(r"Backed up to (\S+)", backed.stdout).group(1))
    assert archive.parent == tmp_path / "archives" and archive.name.endswith(".tar.gz")
    assert archive.stat().st_mode & 0o077 == 0

    if target_kind == "postgresql" and source_kind == "sqlite":
        target.run("migrate")  # the tables first; the restore fills them
    restored = target.run("restore", str(archive))
    rows = int(re.search(r"(\d+) rows in", backed.stdout).group(1))
    assert f"{source_kind} to {target_kind}, {rows} rows" in restored.stdout
    assert "audit chain intact" in restored.stdout
    assert "Audit chain intact" in target.run("audit", "verify").stdout

    tables = [t for (t,) in source.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        if source_kind == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    ) if t != "migration"]  # fmt: skip
    for table in tables:  # every record, column by column, as it was
        order = ' ORDER BY "id"' if table != "migration" else ""
        before = source.query(f'SELECT COUNT(*) FROM "{table}"')
        after = target.query(f'SELECT COUNT(*) FROM "{table}"')
        assert before == after, table
        if source_kind == target_kind:
            assert source.query(f'SELECT * FROM "{table}"{order}') == target.query(
                f'SELECT * FROM "{table}"{order}'
            ), table

    version_id, sha = target.query("SELECT id, sha256 FROM paper_version ORDER BY id DESC LIMIT 1")[
        0
    ]
    meeting_id = target.query(
        "SELECT agenda_item.meeting FROM paper_version JOIN paper ON paper.id = paper_version.paper"
        " JOIN agenda_item ON agenda_item.id = paper.item ORDER BY paper_version.id DESC LIMIT 1"
    )[0][0]
    with _serving(target) as base:
        adviser = _signed_in(base, "adviser@demo.example")
        try:
            paper = adviser.get(f"/panel/items/papers/{version_id}")
            assert paper.status_code == 200
            assert hashlib.sha256(paper.content).hexdigest() == sha
            assert adviser.get("/panel/meetings").status_code == 200
            pack = adviser.get(f"/panel/meetings/{meeting_id}/agenda/pack.docx")
            assert pack.status_code == 200 and pack.content[:2] == b"PK"
            # New records on the copy take new ids (PostgreSQL's sequences follow the rows).
            added = adviser.post(
                "/panel/meetings/new",
                data={"day": "2031-03-13", "starts": "10:00", "ends": "13:00",
                      "venue": "Restored Room", "item_slots": "4",
                      "_csrf_token": adviser.headers["x-csrftoken"]},
            )  # fmt: skip
            assert added.status_code == 200, added.text[:300]
            assert "Restored Room" in adviser.get("/panel/meetings?year=2031").text
        finally:
            adviser.close()
    assert "Audit chain intact" in target.run("audit", "verify").stdout


def _small_install(installs: list[Install], label: str) -> Install:
    install = _install(label, kind="sqlite")
    installs.append(install)
    install.run("migrate")
    return install


def _paper_row(install: Install, sha: str) -> None:
    # Foreign keys are not enforced on a bare sqlite3 connection: the version alone will do.
    conn = sqlite3.connect(install.url.removeprefix("sqlite:///"))
    with conn:
        conn.execute(
            "INSERT INTO paper_version (paper, number, file_name, kind, sha256, size, changed,"
            " late, uploaded_at) VALUES (1, 1, 'x.docx', 'docx', ?, 3, '', 0,"
            " '2027-01-01 09:00:00+00:00')",
            (sha,),
        )
    conn.close()


def _with_a_paper(install: Install) -> str:
    """An account and one stored paper that the records need; returns the paper's hash."""
    from tests.panel.test_documents import word_paper

    install.run("create-user", "--email", "ann@example.org", "--name", "Ann Admin",
                "--role", "system_admin")  # fmt: skip
    data = word_paper("Backed up")
    sha = hashlib.sha256(data).hexdigest()
    stored = install.data_dir / "files" / "papers" / sha[:2] / sha
    stored.parent.mkdir(parents=True)
    stored.write_bytes(data)
    _paper_row(install, sha)
    return sha


def _archive(tmp_path: Path, install: Install) -> Path:
    done = install.run("backup", str(tmp_path / "out.tar.gz"))
    assert "Backed up to" in done.stdout
    return tmp_path / "out.tar.gz"


def _rewrite(archive: Path, out: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of the archive with members replaced (bytes) or left out (None)."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name in change:
                replaced = change[member.name]
                if replaced is None:
                    continue
                data = replaced
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out


def _names(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.getnames()


def test_a_restore_into_a_target_with_records_is_refused_unless_forced(
    installs: list[Install], tmp_path: Path
) -> None:
    source = _small_install(installs, "bk-full-source")
    source.run("create-user", "--email", "ann@example.org", "--name", "Ann Admin",
               "--role", "system_admin")  # fmt: skip
    archive = _archive(tmp_path, source)
    target = _small_install(installs, "bk-full-target")
    target.run("create-user", "--email", "bob@example.org", "--name", "Bob Other",
               "--role", "system_admin")  # fmt: skip
    refused = target.run("restore", str(archive), ok=False)
    assert refused.returncode == 1
    assert "Nothing was restored: The target is not empty (account (1 row)" in refused.stderr
    assert target.query(ACCOUNT_EMAILS) == [("bob@example.org",)]
    forced = target.run("restore", str(archive), "--force")
    assert "Restored from" in forced.stdout
    assert target.query(ACCOUNT_EMAILS) == [("ann@example.org",)]


def test_an_archive_that_lacks_a_file_the_records_need_is_refused_and_nothing_changes(
    installs: list[Install], tmp_path: Path
) -> None:
    source = _small_install(installs, "bk-lack-source")
    sha = _with_a_paper(source)
    archive = _archive(tmp_path, source)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    manifest["needs"].append(f"papers/{sha[:2]}/{'0' * 64}")
    lacking = _rewrite(
        archive, tmp_path / "lacking.tar.gz", {"manifest.json": json.dumps(manifest).encode()}
    )
    target = _small_install(installs, "bk-lack-target")
    before = target.query("SELECT COUNT(*) FROM account")
    refused = target.run("restore", str(lacking), ok=False)
    assert "Nothing was restored: The archive lacks 1 files the records need" in refused.stderr
    assert target.query("SELECT COUNT(*) FROM account") == before
    assert not (target.data_dir / "files").exists()


def test_a_damaged_or_truncated_archive_is_refused_and_nothing_changes(
    installs: list[Install], tmp_path: Path
) -> None:
    source = _small_install(installs, "bk-bad-source")
    _with_a_paper(source)
    archive = _archive(tmp_path, source)
    paper = next(n for n in _names(archive) if n.startswith("files/papers/"))
    target = _small_install(installs, "bk-bad-target")
    damaged = _rewrite(archive, tmp_path / "damaged.tar.gz", {paper: b"PK not the paper"})
    without_db = _rewrite(archive, tmp_path / "nodb.tar.gz", {"database.sqlite": None})
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    not_an_archive = tmp_path / "notes.tar.gz"
    not_an_archive.write_text("minutes of the meeting")
    for bad, says in (
        (damaged, "does not match its checksum: it is damaged"),
        (without_db, "The archive lacks database.sqlite, which its manifest lists"),
        (truncated, "is not a whole backup archive"),
        (not_an_archive, "is not a whole backup archive"),
        (tmp_path / "absent.tar.gz", "There is no archive at"),
    ):
        refused = target.run("restore", str(bad), ok=False)
        assert refused.returncode == 1 and says in refused.stderr, (bad, refused.stderr)
        assert "Traceback" not in refused.stderr
        assert target.query("SELECT COUNT(*) FROM account") == [(0,)]
        assert not (target.data_dir / "files").exists()


def test_a_backup_is_refused_when_a_file_the_records_need_has_gone(
    installs: list[Install], tmp_path: Path
) -> None:
    install = _small_install(installs, "bk-gone")
    _paper_row(install, "ab" * 32)
    refused = install.run("backup", str(tmp_path), ok=False)
    assert "1 files the records need are missing from storage" in refused.stderr
    assert list(tmp_path.glob("*.tar.gz")) == []


def test_files_kept_in_s3_are_backed_up_and_restore_into_another_bucket_or_a_folder(
    installs: list[Install], tmp_path: Path
) -> None:
    from governance.storage import S3Storage
    from tests.panel.test_documents import word_paper
    from tests.s3 import KEY_ID, REGION, SECRET, s3_server

    data = word_paper("Kept in a bucket")
    sha = hashlib.sha256(data).hexdigest()
    with s3_server() as s3:
        source = _small_install(installs, "bk-s3-source")
        source.extra = s3.env(s3.new_bucket(), "agency")
        S3Storage(source.extra["S3_BUCKET"], prefix="agency", endpoint_url=s3.endpoint,
                  region=REGION, access_key=KEY_ID, secret_key=SECRET,
                  ).put_sync(f"papers/{sha[:2]}/{sha}", data)  # fmt: skip
        _paper_row(source, sha)
        backed = source.run("backup", str(tmp_path / "s3.tar.gz"))
        assert "files: 1 " in backed.stdout
        into_bucket = _small_install(installs, "bk-s3-bucket")
        into_bucket.extra = s3.env(s3.new_bucket(), "restored")
        assert "1 files the records need are in storage" in (
            into_bucket.run("restore", str(tmp_path / "s3.tar.gz")).stdout
        )
        restored = S3Storage(into_bucket.extra["S3_BUCKET"], prefix="restored",
                             endpoint_url=s3.endpoint, region=REGION, access_key=KEY_ID,
                             secret_key=SECRET)  # fmt: skip
        assert restored.get_sync(f"papers/{sha[:2]}/{sha}") == data
    into_folder = _small_install(installs, "bk-s3-folder")
    into_folder.run("restore", str(tmp_path / "s3.tar.gz"))
    assert (into_folder.data_dir / "files" / "papers" / sha[:2] / sha).read_bytes() == data
