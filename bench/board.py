"""Board benchmark: the governance dashboard over ten years of a six-partner agency's records.

The real server (uvicorn, one worker) on PostgreSQL (and SQLite for comparison) holding the demo
plus ten years of quarterly board meetings with attendance, ten actions a meeting, quarterly
figures for six partners and comparison figures. Prints median and p95 latency and requests per
second of the dashboard page and its JSON, each against the bare endpoint (/healthz, same process,
same run). Target: dashboard p95 under 100 ms on PostgreSQL.

    .venv/bin/python bench/board.py [--database postgres|sqlite|both]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import GOVERNANCE, ROOT, environment, measure, server, signed_in_client

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
YEARS = 10
PARTNERS = 6
ACTIONS_PER_MEETING = 10


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _fill(env: dict[str, str]) -> None:
    """Runs in a child process so piccolo_conf reads this database from the environment."""
    code = "import asyncio, bench.board as b; asyncio.run(b.fill())"
    subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=False
    )


async def fill() -> None:
    from board.rules.actions import ActionStatus
    from board.rules.attendance import Attendance
    from board.rules.indicators import Figure, Quarter, quarters_from
    from board.services import last_complete_quarter
    from board.tables import (
        BoardAction,
        BoardAttendance,
        BoardMeeting,
        BoardMember,
        MeetingStatus,
        QuarterFigures,
        Seat,
    )
    from governance import clock
    from governance.tables import Agency, Partner, PartnerKind, Person

    today = clock.today()
    agency = await Agency.select(Agency.id).first()
    assert agency is not None
    names = ["Bath and North East Somerset", "Bristol", "North Somerset", "South Gloucestershire"]
    for index, name in enumerate(names[: PARTNERS - 2]):
        await Partner.insert(
            Partner(
                agency=agency["id"],
                name=f"{name} Council",
                code=f"P{index}",
                kind=PartnerKind.LOCAL_AUTHORITY,
            )
        )
    partners = await Partner.select(Partner.id, Partner.name)
    start = date(today.year - YEARS, today.month, 1)
    members = []
    for p_index, partner in enumerate(partners):
        for seat in (Seat.FINANCE, Seat.COMMISSIONING, Seat.OPERATIONAL):
            person = await Person.insert(
                Person(name=f"Member {p_index}-{seat.value}", email=f"m{p_index}{seat}@b.example")
            ).returning(Person.id)
            row = await BoardMember.insert(
                BoardMember(
                    person=person[0]["id"], partner=partner["id"], seat=seat, starts_on=start
                )
            ).returning(BoardMember.id)
            members.append((row[0]["id"], person[0]["id"]))
    marks = list(Attendance)
    day = start
    number = 0
    while day < today:
        meeting = await BoardMeeting.insert(
            BoardMeeting(
                title="Partnership board",
                starts_at=datetime.combine(day, time(10), clock.LONDON),
                ends_at=datetime.combine(day, time(12), clock.LONDON),
                status=MeetingStatus.HELD,
                attendance_version=1,
                quorate=number % 7 != 3,
            )
        ).returning(BoardMeeting.id)
        meeting_id = meeting[0]["id"]
        await BoardAttendance.insert(
            *[
                BoardAttendance(
                    meeting=meeting_id,
                    member=member_id,
                    mark_key=f"{meeting_id}:{member_id}",
                    attendance=marks[0] if (number + i) % 5 else marks[(number + i) % 4],
                )
                for i, (member_id, _) in enumerate(members)
            ]
        )
        await BoardAction.insert(
            *[
                BoardAction(
                    meeting=meeting_id,
                    description=f"Action {k} of meeting {number}",
                    owner=members[(number + k) % len(members)][1],
                    due_on=day + timedelta(days=30 + 10 * k),
                    raised_on=day,
                    status=ActionStatus.DONE
                    if day < today - timedelta(days=200) or k % 3
                    else ActionStatus.OPEN,
                )
                for k in range(ACTIONS_PER_MEETING)
            ]
        )
        number += 1
        day = date(day.year + (day.month + 2) // 12, (day.month + 2) % 12 + 1, 1)
    have = {
        (r["partner"], r["year"], r["quarter"])
        for r in await QuarterFigures.select(
            QuarterFigures.partner, QuarterFigures.year, QuarterFigures.quarter
        )
    }
    rows = []
    for quarter in quarters_from(Quarter.containing(start), last_complete_quarter(today)):
        for partner in partners:
            if (partner["id"], quarter.year, quarter.number) in have:
                continue
            values = {f.value: 10 + (quarter.number * 7 + partner["id"]) % 20 for f in Figure}
            values[Figure.ASF_VALUE_APPROVED.value] = Decimal("25000.00")
            rows.append(
                QuarterFigures(
                    partner=partner["id"],
                    year=quarter.year,
                    quarter=quarter.number,
                    period_key=f"{partner['id']}:{quarter.year}Q{quarter.number}",
                    **values,
                )
            )
    await QuarterFigures.insert(*rows)
    print(
        f"Filled: {len(partners)} partners, {len(members)} members, {number} meetings, "
        f"{number * len(members)} attendance marks, {number * ACTIONS_PER_MEETING} actions, "
        f"{len(rows)} partner-quarters of figures (plus the demo's)"
    )


def run(database_url: str, label: str) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-board-") as tmp:
        env = environment(Path(tmp), database_url)
        subprocess.run([*GOVERNANCE, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
        subprocess.run([*GOVERNANCE, "demo"], env=env, check=True, capture_output=True, cwd=ROOT)
        _fill(env)
        with server(env) as base:
            client = signed_in_client(base, "chair@demo.example")
            bare = measure(client, "/healthz", "bare endpoint /healthz")
            page = measure(client, "/board", "dashboard /board (chair)", requests=300)
            api = measure(client, "/api/v1/board/dashboard", "JSON /api/v1/board/dashboard")
            member = signed_in_client(base, "board@demo.example")
            aggregate = measure(member, "/board", "dashboard /board (board member)", requests=300)
            print(f"Server: uvicorn, 1 worker, {label}")
            for figures in (bare, page, api, aggregate):
                print(figures.line(bare))
            verdict = "met" if page.p95_ms < 100 else "NOT met"
            print(f"Target dashboard p95 < 100 ms on {label}: {verdict} ({page.p95_ms:.2f} ms)\n")
            return page.p95_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("postgres", "sqlite", "both"), default="both")
    chosen = parser.parse_args().database
    if chosen in ("postgres", "both"):
        name = f"bench_board_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(POSTGRES, f'CREATE DATABASE "{name}"'))
        try:
            run(urlunparse(urlparse(POSTGRES)._replace(path=f"/{name}")), "PostgreSQL")
        finally:
            asyncio.run(_admin(POSTGRES, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    if chosen in ("sqlite", "both"):
        run("", "SQLite")


if __name__ == "__main__":
    main()
