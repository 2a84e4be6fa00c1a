"""Twenty people saving the same thing at the same moment, against the real server: each is told
it was saved (200/303) or that someone else's change came first (409), never a server error, and
exactly one write wins where only one may."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from adm import demo as adm_demo
from adm.tables import AdmAssignment, Decision, Referral
from governance import audit, clock
from governance import db as gov_db
from governance.roles import Role
from governance.tables import Account, AuditEntry, OutboxMessage, Partner
from panel import agenda, record, services
from panel.tables import (
    Attendance,
    ItemRecord,
    ItemType,
    Meeting,
    MemberView,
    Minutes,
    MinutesVersion,
    PackBuild,
    QualityRating,
)
from tests import support
from tests.adm.support import held_meeting, minutes_final_the_day_after, recommendation
from tests.adm.test_meeting_to_decision import _record_all
from tests.conftest import DATA_DIR, PASSWORD, Person, make_account, sign_in_client
from tests.panel.support import central_list, email_of, next_weekday

N = 20
TODAY = datetime(2027, 1, 15, 12, tzinfo=clock.LONDON)  # after the held meeting of 10 December
ALLOWED = {200, 201, 303, 409}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The service under uvicorn on the suite's own database (this worker's), which each test's
    `db` wipes."""
    env = {
        **os.environ,
        "COOKIE_SECURE": "0",
        "DB_POOL": "1",
        "GOVERNANCE_CLOCK": TODAY.isoformat(),
    }
    with support.serving(env, Path(DATA_DIR) / "races-server.log") as url:
        yield url


@pytest.fixture(autouse=True)
def _on_the_servers_day() -> Iterator[None]:
    with clock.frozen_at(TODAY):
        yield


@contextlib.asynccontextmanager
async def _client(server: str, person: Person) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=60) as client:
        await sign_in_client(client, person)  # type: ignore[arg-type]
        yield client


async def _at_once(client: httpx.AsyncClient, method: str, path: str, **kw: Any) -> Counter[int]:
    responses = await asyncio.gather(*(client.request(method, path, **kw) for _ in range(N)))
    codes = Counter(r.status_code for r in responses)
    assert set(codes) <= ALLOWED, codes
    for response in responses:
        if response.status_code == 409:
            assert "Nothing was saved" in response.text or "already" in response.text
    return codes


async def test_twenty_recordings_of_one_item_save_one_and_tell_the_rest(server, agency) -> None:
    held = await held_meeting(agency)
    members = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, adm_demo.present_all(members))
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    item = held.items[0]
    views = {f"view_{members[0]}": "Strongly in favour"}
    async with _client(server, adviser) as client:
        codes = await _at_once(
            client, "POST", f"/panel/record/items/{item}", data=recommendation(**views)
        )
    assert codes == Counter({303: 1, 409: N - 1})
    assert await ItemRecord.count().where(ItemRecord.item == item) == 1
    assert await MemberView.count() == 1
    assert (
        await AuditEntry.count().where(
            (AuditEntry.record_type == "item_record") & (AuditEntry.action == "create")
        )
        == 1
    )


async def test_twenty_first_views_of_the_minutes_all_open_them_on_one_row(server, agency) -> None:
    held = await held_meeting(agency)
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    async with _client(server, adviser) as client:
        codes = await _at_once(client, "GET", f"/panel/record/meetings/{held.meeting_id}/minutes")
    assert codes == Counter({200: N})
    assert await Minutes.count().where(Minutes.meeting == held.meeting_id) == 1


async def test_twenty_first_saves_of_attendance_record_each_member_once(server, agency) -> None:
    held = await held_meeting(agency)
    members = list(held.members.values())
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    async with _client(server, adviser) as client:
        codes = await _at_once(
            client,
            "POST",
            f"/panel/record/meetings/{held.meeting_id}/attendance",
            data=adm_demo.present_all(members),
        )
    assert codes[303] >= 1
    rows = await Attendance.select(Attendance.member).where(Attendance.meeting == held.meeting_id)
    assert sorted(r["member"] for r in rows) == sorted(members)


async def test_twenty_approvals_of_the_minutes_issue_version_one_once(server, agency) -> None:
    held = await held_meeting(agency)
    await _record_all(held)
    _, row, _ = await record.minutes_of(held.meeting_id)
    chair = await make_account(Role.PANEL_MEMBER, name="Clara Chair", email=held.chair.email)
    assert chair.person_id == held.chair.person_id
    async with _client(server, chair) as client:
        codes = await _at_once(
            client,
            "POST",
            f"/panel/record/meetings/{held.meeting_id}/minutes/approve",
            data={"version": str(row["version"])},
        )
    assert codes == Counter({303: 1, 409: N - 1})
    assert await MinutesVersion.count() == 1
    assert await Referral.count() == len(held.items)


async def test_twenty_decisions_on_one_referral_record_one(server, agency) -> None:
    held = await held_meeting(agency)
    await _record_all(held)
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    final_on = await minutes_final_the_day_after(held)
    referral = await Referral.select().where(Referral.item == held.items[0]).first()
    assert referral is not None
    pcc = held.pcc_adm
    adm = Person(pcc.account_id, pcc.person_id, pcc.name, pcc.email, PASSWORD)
    decision = {
        "verdict": "agree",
        "decided_on": final_on.isoformat(),
        "version": str(referral["version"]),
    }
    async with _client(server, adm) as client:
        codes = await _at_once(
            client, "POST", f"/adm/referrals/{referral['id']}/decision", data=decision
        )
    assert codes[303] == 1 and codes[303] + codes[409] == N
    assert await Decision.count().where(Decision.referral == referral["id"]) == 1


async def test_twenty_new_accounts_with_one_email_make_one_account(server, agency) -> None:
    admin = await make_account(Role.SYSTEM_ADMIN, name="Sam Admin")
    before = await Account.count()
    new = {"name": "Nia New", "email": "nia.new@example.org", "roles": "panel_adviser"}
    async with _client(server, admin) as client:
        codes = await _at_once(client, "POST", "/admin/accounts/new", data=new)
    assert codes[201] == 1 and codes[409] == N - 1
    assert await Account.count() == before + 1


async def test_twenty_ratings_of_one_report_by_one_member_record_one(server, agency) -> None:
    held = await held_meeting(agency)
    members = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, adm_demo.present_all(members))
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    rating = {
        "member": str(members[0]),
        "report_type": "Prospective adopter's report",
        "team": "North assessment team",
        "quality": "good",
        "complete": "adequate",
        "on_time": "yes",
    }
    item = held.items[0]
    async with _client(server, adviser) as client:
        codes = await _at_once(client, "POST", f"/panel/record/items/{item}/ratings", data=rating)
    assert codes == Counter({303: 1, 409: N - 1})
    rows = await QualityRating.select(QualityRating.report_key).where(QualityRating.item == item)
    assert rows == [{"report_key": "prospective adopter's report"}]


ROSTER = ("Clara", "Sally", "Ada", "Ben", "Mina")


async def _agenda_to_publish(client: httpx.AsyncClient) -> int:
    """A panel three weeks after the server's day with five members invited and one item, whose
    missing papers go out with a reason."""
    ids = await central_list()
    day = next_weekday(TODAY.date() + timedelta(days=20), 3)
    form = {"starts": "10:00", "ends": "13:00", "venue": "Room 2", "item_slots": "6"}
    meeting_id = await services.schedule_meeting(audit.SYSTEM, form | {"day": day.isoformat()})
    for first in ROSTER:
        await services.invite(audit.SYSTEM, meeting_id, ids[first])
    await Meeting.update({Meeting.chair: ids["Clara"]}).where(Meeting.id == meeting_id)
    await agenda.ensure_item_types()
    kind = await ItemType.select(ItemType.id).where(ItemType.code == "disruption").first()
    assert kind is not None
    added = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/items",
        data={"item_type": str(kind["id"]), "case_reference": "CPA/2027/1", "initials": "A.B."},
    )
    assert added.status_code == 303, added.text
    return meeting_id


async def test_twenty_publications_of_one_agenda_publish_it_once(server, agency) -> None:
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    async with _client(server, adviser) as client:
        meeting_id = await _agenda_to_publish(client)
        version = (await agenda.agenda(meeting_id))["state"]["version"]
        codes = await _at_once(
            client,
            "POST",
            f"/panel/meetings/{meeting_id}/agenda/publish",
            data={"version": str(version), "missing_reason": "Report follows on the day"},
        )
    assert codes == Counter({303: 1, 409: N - 1})
    published = AuditEntry.count().where(
        (AuditEntry.record_type == "agenda") & (AuditEntry.action == "publish")
    )
    assert await published == 1
    ready = OutboxMessage.count().where(OutboxMessage.subject.like("%papers are ready"))
    assert await ready == len(ROSTER)
    assert await PackBuild.count().where(PackBuild.meeting == meeting_id) == len(ROSTER)


async def test_twenty_first_downloads_of_a_pack_build_it_once(server, agency) -> None:
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    async with _client(server, adviser) as client:
        meeting_id = await _agenda_to_publish(client)
        version = (await agenda.agenda(meeting_id))["state"]["version"]
        published = await client.post(
            f"/panel/meetings/{meeting_id}/agenda/publish",
            data={"version": str(version), "missing_reason": "Report follows on the day"},
        )
        assert published.status_code == 303
    # As after a restore that left the generated packs to be rebuilt: none is built yet.
    await PackBuild.delete().where(PackBuild.meeting == meeting_id)
    ben = await make_account(Role.PANEL_MEMBER, name="Ben Born", email=email_of("Ben Born"))
    async with _client(server, ben) as client:
        path = f"/panel/my/packs/{meeting_id}/pack.docx"
        responses = await asyncio.gather(*(client.get(path) for _ in range(N)))
    assert Counter(r.status_code for r in responses) == Counter({200: N})
    assert all(r.content.startswith(b"PK") for r in responses)
    builds = await PackBuild.select(PackBuild.person).where(PackBuild.meeting == meeting_id)
    assert len(builds) == len(ROSTER)
    assert len({b["person"] for b in builds}) == len(ROSTER)


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    locked = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait()
    return thread


async def _write_through(engine: SQLiteEngine) -> None:
    async with gov_db._ImmediateTransaction(engine):
        await engine.run_querystring(QueryString("INSERT INTO note (text) VALUES ('saved')"))


async def test_a_sqlite_writer_that_finds_the_file_busy_tries_again_and_saves(tmp_path) -> None:
    path = tmp_path / "busy.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE note (text TEXT)").connection.close()
    engine = SQLiteEngine(path=str(path), timeout=0.01)  # SQLite's own wait runs out at once
    holder = _hold_write_lock(path, sum(gov_db.BUSY_RETRIES) / 2)
    await _write_through(engine)
    holder.join()
    assert sqlite3.connect(path).execute("SELECT text FROM note").fetchall() == [("saved",)]


async def test_a_sqlite_writer_still_locked_out_after_the_retries_is_a_clash(tmp_path) -> None:
    path = tmp_path / "busy.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE note (text TEXT)").connection.close()
    engine = SQLiteEngine(path=str(path), timeout=0.01)
    holder = _hold_write_lock(path, sum(gov_db.BUSY_RETRIES) + 1)
    with pytest.raises(sqlite3.OperationalError) as refused:
        await _write_through(engine)
    holder.join()
    assert gov_db.is_clash(refused.value)
    assert sqlite3.connect(path).execute("SELECT text FROM note").fetchall() == []


async def test_twenty_new_partners_with_one_code_add_one(server, agency) -> None:
    admin = await make_account(Role.SYSTEM_ADMIN, name="Sam Admin")
    new = {"name": "Wiltshire Council", "code": "WC", "kind": "local_authority"}
    async with _client(server, admin) as client:
        codes = await _at_once(client, "POST", "/admin/agency/partners", data=new)
    assert codes[303] == 1 and codes[409] == N - 1
    assert await Partner.count().where(Partner.code == "WC") == 1


async def test_two_primary_decision_makers_for_one_partner_at_once_make_one(server, agency) -> None:
    admin = await make_account(Role.SYSTEM_ADMIN, name="Sam Admin")
    people = [
        await make_account(Role.ADM, name=f"Ada Decider {n}", partners=(agency["PCC"],))
        for n in range(2)
    ]
    async with _client(server, admin) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/adm/assignments",
                    data={
                        "partner": str(agency["PCC"]),
                        "person": str(p.person_id),
                        "role": "primary",
                    },
                )
                for p in people
            )
        )
    codes = sorted(r.status_code for r in responses)
    assert codes == [303, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert "Peterborough City Council already has a" in refused.text
    primaries = await AdmAssignment.count().where(
        (AdmAssignment.partner == agency["PCC"]) & (AdmAssignment.role == "primary")
    )
    assert primaries == 1
