"""Benchmark: twenty members' downloads of a stale PDF pack at once, against one build alone.

The real server (uvicorn, one worker) on the demo database, SQLite; packs are not built ahead, so
after the adviser uploads a late Word paper each download finds the pack stale, and its rebuild
converts that paper again (as after a late paper whose background rebuild has not run yet).
Prints one download that builds alone, each of the twenty concurrent downloads, the ratio of the
slowest to the one alone (target: within 1.2x) and how many builds ran (target: 1).
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import demo_database, server, signed_in_client
from governance.demo import DEMO_PASSWORD
from panel.samples import word_paper

N = 20
TARGET_RATIO = 1.2


def _database(env: dict[str, str]) -> Path:
    return Path(env["DATABASE_URL"].removeprefix("sqlite:///"))


def _published_meeting(path: Path) -> tuple[int, str]:
    """The demo's published meeting and the e-mail of a member on its roster with an account."""
    with sqlite3.connect(path) as db:
        meeting = db.execute(
            'SELECT "meeting" FROM "agenda" WHERE "published_at" IS NOT NULL ORDER BY "meeting"'
        ).fetchone()[0]
        email = db.execute(
            'SELECT p."email" FROM "sitting" s JOIN "panel_member" m ON m."id" = s."member" '
            'JOIN "person" p ON p."id" = m."person" JOIN "account" a ON a."person" = p."id" '
            "WHERE s.\"meeting\" = ? AND s.\"status\" IN ('invited', 'accepted') "
            'ORDER BY p."id"',
            (meeting,),
        ).fetchone()[0]
    return int(meeting), str(email)


def _late_paper(path: Path, meeting: int) -> tuple[int, int]:
    """A Word paper of the meeting (item, paper): a new version of it makes every PDF pack stale
    and its rebuild converts that paper again, as after a real late paper."""
    with sqlite3.connect(path) as db:
        row = db.execute(
            'SELECT i."id", p."id" FROM "paper" p JOIN "agenda_item" i ON i."id" = p."item" '
            'JOIN "paper_version" v ON v."paper" = p."id" '
            'WHERE i."meeting" = ? AND v."kind" = \'docx\' AND NOT p."full_pack_only" '
            'ORDER BY p."id" LIMIT 1',
            (meeting,),
        ).fetchone()
    return int(row[0]), int(row[1])


def _make_stale(adviser: httpx.Client, item: int, paper: int, version: int) -> None:
    # A late paper whose PDF rebuild has not run yet (build-ahead is off for the bench).
    sent = adviser.post(
        f"/panel/items/{item}/papers",
        files={
            "file": (f"late-{version}.docx", word_paper("Late report", sections=8, seed=version))
        },
        data={"paper": str(paper), "changed": f"Version {version} from the social worker"},
        timeout=300,
    )
    assert sent.status_code == 303, sent.text[:300]


def _builds(path: Path, meeting: int) -> int:
    with sqlite3.connect(path) as db:
        row = db.execute(
            'SELECT "builds" FROM "pack_run" WHERE "meeting" = ? AND "kind" = \'pdf\'',
            (meeting,),
        ).fetchone()
    return int(row[0]) if row else 0


async def _download(client: httpx.AsyncClient, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = await client.get(path)
    return response.status_code, time.perf_counter() - started


async def _at_once(base: str, cookies: dict[str, str], path: str) -> list[tuple[int, float]]:
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=300) as client:
        return await asyncio.gather(*(_download(client, path) for _ in range(N)))


def main() -> None:
    with demo_database() as env:
        env = {**env, "PACK_BUILD_AHEAD": "0"}
        database = _database(env)
        meeting, email = _published_meeting(database)
        with server(env) as base:
            client = signed_in_client(base, email, DEMO_PASSWORD)
            adviser = signed_in_client(base, "adviser@demo.example", DEMO_PASSWORD)
            item, paper = _late_paper(database, meeting)
            path = f"/panel/my/packs/{meeting}/pack.pdf"
            first = client.get(path, timeout=300)  # the first build converts every paper
            assert first.status_code == 200, first.text[:300]

            _make_stale(adviser, item, paper, 2)
            before = _builds(database, meeting)
            started = time.perf_counter()
            alone = client.get(path, timeout=300)
            alone_s = time.perf_counter() - started
            assert alone.status_code == 200
            alone_builds = _builds(database, meeting) - before

            _make_stale(adviser, item, paper, 3)
            before = _builds(database, meeting)
            results = asyncio.run(_at_once(base, dict(client.cookies), path))
            builds = _builds(database, meeting) - before
            # The floor: the same twenty downloads of a pack that is current (file reads).
            fresh = asyncio.run(_at_once(base, dict(client.cookies), path))

    print(f"Server: uvicorn, 1 worker, SQLite; meeting {meeting}, one member's PDF pack")
    print(f"one download of a stale PDF pack alone: {alone_s:.2f} s ({alone_builds} build)")
    for number, (status, seconds) in enumerate(results, 1):
        print(f"  concurrent download {number:2d}: {status} in {seconds:.2f} s")
    slowest = max(seconds for _, seconds in results)
    ratio = slowest / alone_s
    statuses = sorted({status for status, _ in results})
    print(f"{N} concurrent downloads: statuses {statuses}, slowest {slowest:.2f} s")
    floor = max(seconds for _, seconds in fresh)
    print(f"{N} concurrent downloads of the current pack (no build): slowest {floor:.2f} s")
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"ratio slowest / alone: {ratio:.2f}x; target within {TARGET_RATIO}x: {verdict}")
    print(f"builds that ran for the {N} downloads: {builds}; target 1: " + (
        "met" if builds == 1 else "NOT met"
    ))  # fmt: skip


if __name__ == "__main__":
    main()
