"""ADM benchmark: the decision queue and the clocks dashboard over ten years of a six-partner
agency (about 3,600 panel items, every one recorded, referred and decided but the newest).

The real server (uvicorn, one worker) on SQLite and on PostgreSQL holding the demo plus ten years
of fortnightly panels with fifteen items each, their records, referrals, decisions and letters,
spread over six partners each with its own ADM. Prints median and p95 latency and requests per
second of the queue of the busiest ADM, the clocks dashboard and the referrals API, each against
the bare endpoint (/healthz, same process, same run). Target: queue and clocks p95 under 50 ms.

    .venv/bin/python bench/adm.py [--database postgres|sqlite|both]
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
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import GOVERNANCE, ROOT, environment, measure, server, signed_in_client

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
YEARS = 10
ITEMS_PER_MEETING = 15
PARTNERS = ("CCC", "PCC", "NCC", "SCC", "WCC", "ECC")
TARGET_MS = 50.0


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _fill(env: dict[str, str]) -> None:
    """Runs in a child process so piccolo_conf reads this database from the environment."""
    code = "import asyncio, bench.adm as b; asyncio.run(b.fill())"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


async def fill() -> None:
    import json

    from adm.demo import item_types
    from adm.rules.routing import AdmRole
    from adm.tables import (
        AdmAssignment,
        Decision,
        ItemClockFacts,
        Referral,
        ReferralStatus,
        Verdict,
    )
    from governance import clock
    from governance.auth import hash_password
    from governance.roles import Role
    from governance.tables import Account, Agency, Partner, PartnerKind, Person, RoleGrant
    from panel.tables import (
        AgendaItem,
        ItemRecord,
        Meeting,
        MeetingStatus,
        PanelMember,
        RecordStatus,
    )

    agency = await Agency.select(Agency.id).first()
    assert agency is not None
    codes = {r["code"]: r["id"] for r in await Partner.select(Partner.id, Partner.code)}
    for n, code in enumerate(PARTNERS):
        if code not in codes:
            codes[code] = (
                await Partner.insert(
                    Partner(
                        agency=agency["id"],
                        name=f"Partner council {n + 1}",
                        code=code,
                        kind=PartnerKind.LOCAL_AUTHORITY,
                    )
                ).returning(Partner.id)
            )[0]["id"]
    # One ADM per partner, each with an account scoped to it; the demo's ADM keeps CCC.
    hashed = hash_password("demo-password-2026", cheap=True)
    adms: dict[str, int] = {}
    existing = {
        r["partner"]: r["person"]
        for r in await AdmAssignment.select(AdmAssignment.partner, AdmAssignment.person).where(
            AdmAssignment.role == AdmRole.PRIMARY
        )
    }
    for code in PARTNERS:
        if codes[code] in existing:
            adms[code] = existing[codes[code]]
            continue
        person = (
            await Person.insert(
                Person(name=f"ADM of {code}", email=f"adm.{code.lower()}@bench.example")
            ).returning(Person.id)
        )[0]["id"]
        account = (
            await Account.insert(Account(person=person, password_hash=hashed)).returning(Account.id)
        )[0]["id"]
        await RoleGrant.insert(RoleGrant(account=account, role=Role.ADM, partner=codes[code]))
        await AdmAssignment.insert(
            AdmAssignment(partner=codes[code], person=person, role=AdmRole.PRIMARY)
        )
        adms[code] = person
    types = await item_types()
    cycle = [types["adopter_approval"], types["match"], types["should_be_placed"]]
    outcomes = {
        types["adopter_approval"]: ("Suitable to adopt", "adopter_approval"),
        types["match"]: ("Match", "match"),
        types["should_be_placed"]: ("Should be placed for adoption", "should_be_placed"),
    }
    members = [r["id"] for r in await PanelMember.select(PanelMember.id).limit(7)]
    present = json.dumps(members)
    today = clock.today()
    first = today - timedelta(days=365 * YEARS)
    day = first + timedelta(days=(3 - first.weekday()) % 7)
    meeting_rows = []
    while day < today - timedelta(days=7):
        meeting_rows.append(day)
        day += timedelta(days=14)
    n = 0
    for day in meeting_rows:
        start = datetime.combine(day, time(10), clock.LONDON)
        meeting_id = (
            await Meeting.insert(
                Meeting(
                    starts_at=start,
                    ends_at=start + timedelta(hours=6),
                    venue="Bench room",
                    status=MeetingStatus.HELD,
                )
            ).returning(Meeting.id)
        )[0]["id"]
        items = []
        for position in range(ITEMS_PER_MEETING):
            type_id = cycle[n % 3]
            code = PARTNERS[n % len(PARTNERS)]
            adopters = type_id == types["adopter_approval"]
            items.append(
                AgendaItem(
                    meeting=meeting_id,
                    item_type=type_id,
                    position=position + 1,
                    case_reference=f"B-{n:05d}",
                    initials="X Y",
                    assessing_partner=codes[code] if adopters else None,
                    child_partner=None if adopters else codes[code],
                )
            )
            n += 1
        item_ids = [r["id"] for r in await AgendaItem.insert(*items).returning(AgendaItem.id)]
        records = []
        referrals = []
        recent = (today - day).days < 40
        for offset, item_id in enumerate(item_ids):
            number = n - ITEMS_PER_MEETING + offset
            type_id = cycle[number % 3]
            code = PARTNERS[number % len(PARTNERS)]
            outcome, category = outcomes[type_id]
            records.append(
                ItemRecord(
                    item=item_id,
                    status=RecordStatus.RECOMMENDED,
                    outcome=outcome,
                    reasons="Bench",
                    quorum="7 members present and counting (quorum policy version 1).",
                    present=present,
                )
            )
            received = day + timedelta(days=7)
            decided = None if recent else received + timedelta(days=7 + number % 5)
            referrals.append(
                Referral(
                    item=item_id,
                    partner=codes[code],
                    adm=adms[code],
                    category=category,
                    meeting_on=day,
                    received_on=received,
                    status=ReferralStatus.AWAITING if decided is None else ReferralStatus.DECIDED,
                    decided_on=decided,
                    told_orally_on=decided,
                    letter_sent_on=None if decided is None else decided + timedelta(days=3),
                    open=decided is None,
                )
            )
        await ItemRecord.insert(*records)
        # Every approval's dates before the panel, Stages 1 and 2 too, as an adviser keeps them.
        await ItemClockFacts.insert(
            *(
                ItemClockFacts(
                    item=item_id,
                    member_list_sent_on=day - timedelta(days=8),
                    par_sent_on=day - timedelta(days=28),
                    par_comments_received_on=day - timedelta(days=21),
                    stage_1_started_on=day - timedelta(days=300),
                    stage_1_completed_on=day - timedelta(days=240),
                    stage_2_notice_on=day - timedelta(days=110),
                )
                for offset, item_id in enumerate(item_ids)
                if cycle[(n - ITEMS_PER_MEETING + offset) % 3] == types["adopter_approval"]
            )
        )
        referral_ids = await Referral.insert(*referrals).returning(
            Referral.id, Referral.adm, Referral.decided_on
        )
        decisions = [
            Decision(
                referral=r["id"],
                verdict=Verdict.AGREE,
                outcome="",
                decided_on=r["decided_on"],
                decided_by=r["adm"],
            )
            for r in referral_ids
            if r["decided_on"] is not None
        ]
        if decisions:
            await Decision.insert(*decisions)
    print(f"Filled {len(meeting_rows)} meetings, {n} items over {YEARS} years, 6 partners.")
    _ = date


def run(database_url: str, label: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-adm-") as tmp:
        env = environment(Path(tmp), database_url)
        subprocess.run([*GOVERNANCE, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
        subprocess.run([*GOVERNANCE, "demo"], env=env, check=True, capture_output=True, cwd=ROOT)
        _fill(env)
        with server(env) as base:
            adm = signed_in_client(base, "adm@demo.example")
            bare = measure(adm, "/healthz", "bare endpoint /healthz")
            queue = measure(adm, "/adm/queue", "ADM queue /adm/queue", requests=300)
            adviser = signed_in_client(base, "adviser@demo.example")
            clocks = measure(adviser, "/adm/clocks", "clocks dashboard /adm/clocks", requests=300)
            missed = measure(
                adviser, "/adm/clocks?state=missed", "clocks, missed only", requests=200
            )
            api = measure(adviser, "/api/v1/adm/partners/2/referrals", "JSON referrals of PCC")
            print(f"Server: uvicorn, 1 worker, {label}")
            for figures in (bare, queue, clocks, missed, api):
                print(figures.line(bare))
            for name, figures in (("ADM queue", queue), ("clocks dashboard", clocks)):
                verdict = "met" if figures.p95_ms < TARGET_MS else "NOT met"
                print(
                    f"Target {name} p95 < {TARGET_MS:.0f} ms on {label}: {verdict} "
                    f"({figures.p95_ms:.2f} ms, x{figures.p95_ms / bare.p95_ms:.1f} the bare "
                    "endpoint)"
                )
            print()
            return queue.p95_ms, clocks.p95_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("postgres", "sqlite", "both"), default="both")
    chosen = parser.parse_args().database
    if chosen in ("sqlite", "both"):
        run("", "SQLite")
    if chosen in ("postgres", "both"):
        name = f"bench_adm_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(POSTGRES, f'CREATE DATABASE "{name}"'))
        try:
            run(urlunparse(urlparse(POSTGRES)._replace(path=f"/{name}")), "PostgreSQL")
        finally:
            asyncio.run(_admin(POSTGRES, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
