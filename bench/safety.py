"""Safety benchmark: the memory a hostile paper costs the real server it is uploaded to, and the
time the safety pass adds to an ordinary 40-page paper against check_upload alone (same run).

Judged by: the server's peak RSS (VmHWM) after / before each hostile sample < 1.1. The server is
`governance serve` on a throwaway demo database; each sample is uploaded through the paper form as
the panel adviser, as a social worker's file would be.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import demo_database, server_process, signed_in_client
from panel import safety, uploads
from tests.panel import hostile


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def _listed_item(database_url: str) -> int:
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT i.id FROM agenda_item i JOIN meeting m ON m.id = i.meeting"
            " WHERE i.status = 'listed' AND m.status = 'planned' ORDER BY m.starts_at DESC LIMIT 1"
        ).fetchone()
    return int(row[0])


def _hostile() -> bool:
    ok = True
    with demo_database() as env, server_process(env) as (base, pid):
        client = signed_in_client(base, "adviser@demo.example")
        item = _listed_item(env["DATABASE_URL"])
        # An ordinary upload first, so the figures start from a server that has taken a paper.
        client.post(
            f"/panel/items/{item}/papers",
            files={"file": ("warm-up.pdf", hostile.forty_page_pdf(), "application/pdf")},
            data={"title": "Warm-up", "changed": "bench"},
        )
        print(f"Server: governance serve (pid {pid}), SQLite, uploads to item {item}")
        for name, make in {**hostile.HOSTILE_PDFS, **hostile.HOSTILE_DOCX}.items():
            data = make()
            suffix = ".pdf" if name in hostile.HOSTILE_PDFS else ".docx"
            before = _peak_mb(pid)
            answer = client.post(
                f"/panel/items/{item}/papers",
                files={"file": (f"sample{suffix}", data, "application/octet-stream")},
                data={"title": name, "changed": "bench"},
            )
            after = _peak_mb(pid)
            outcome = {303: "cleaned and stored", 422: "refused"}.get(
                answer.status_code, f"answered {answer.status_code}"
            )
            ratio = after / before
            ok = ok and ratio < 1.1 and answer.status_code in (303, 422)
            print(
                f"{name:22} server peak RSS {before:5.0f} -> {after:5.0f} MB x{ratio:.3f} {outcome}"
            )
    return ok


async def _timing() -> None:
    paper = hostile.forty_page_pdf()
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        uploads.check_upload("paper.pdf", paper)
    baseline = (time.perf_counter() - start) / runs
    start = time.perf_counter()
    for _ in range(runs):
        await safety.make_safe(uploads.Kind.PDF, paper)
    made_safe = (time.perf_counter() - start) / runs
    print(
        f"40-page PDF: check_upload alone {baseline * 1000:.1f} ms (baseline), "
        f"make_safe {made_safe * 1000:.1f} ms = {made_safe / baseline:.1f} x baseline"
    )


def main() -> None:
    ok = _hostile()
    asyncio.run(_timing())
    print(f"Target every peak RSS ratio < 1.1: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
