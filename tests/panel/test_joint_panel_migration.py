"""The migration that makes "joint panel" the agency's panel policy carries today's per-meeting
ticks across: every existing meeting keeps the quorum it had (AAR reg 6)."""

from __future__ import annotations

from datetime import date

from panel.piccolo_migrations.panel_2026_12_07t14_30_00_000000 import joint_changes
from tests import support

_SCRIPT = """
import asyncio, json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards
from panel import services
from panel.tables import Meeting, PanelPolicy

LONDON = ZoneInfo("Europe/London")
MEETINGS = [  # (day, joint, status)
    (date(2026, 10, 8), False, "held"),
    (date(2026, 11, 12), True, "held"),
    (date(2026, 11, 26), True, "held"),
    (date(2026, 12, 10), False, "planned"),
    (date(2026, 12, 17), True, "cancelled"),
    (date(2027, 1, 14), True, "planned"),
    (date(2027, 1, 14), False, "planned"),
]

async def main():
    result = await run_backwards(
        app_name="panel", migration_id="2026-12-07T14:30:00:000000", auto_agree=True
    )
    assert result.success, result.message
    await PanelPolicy.insert(PanelPolicy(
        number=2, effective_from=date(2026, 9, 1), note="Larger joint quorum",
        settings=json.dumps({"quorum_minimum": 5, "joint_quorum_minimum": 7}),
    ))
    ids = []
    for day, joint, status in MEETINGS:
        at = datetime.combine(day, time(10), LONDON)
        row = await Meeting.insert(
            Meeting(starts_at=at, ends_at=at, venue="Room 1", status=status)
        ).returning(Meeting.id)
        ids.append(row[0]["id"])
        await Meeting.raw("UPDATE meeting SET joint = {} WHERE id = {}", joint, row[0]["id"])
    result = await run_forwards(app_name="all")
    assert result.success, result.message
    for (day, _, _), meeting_id in zip(MEETINGS, ids):
        found = await services.meeting(meeting_id)
        print("meeting", day.isoformat(), found["joint"], found["quorum_minimum"])
    for p in await services.policies():
        print("version", p.version, p.effective_from, p.switches.joint_panel, p.note)
    columns = await Meeting.raw("SELECT * FROM meeting LIMIT 1")
    print("column", "joint" in columns[0])

asyncio.run(main())
"""


def test_the_joint_panel_migration_keeps_every_meetings_quorum_aar_reg_6() -> None:
    printed = support.stdout_after_migrating("joint", _SCRIPT)
    lines = [line for line in printed if line.startswith(("meeting", "ver"))]
    assert lines == [
        "meeting 2026-10-08 False 5",
        "meeting 2026-11-12 True 7",  # the saved version's joint quorum, 7, carried across
        "meeting 2026-11-26 True 7",
        "meeting 2026-12-10 False 5",
        "meeting 2026-12-17 False 5",  # cancelled: its tick changed nothing
        "meeting 2027-01-14 True 7",  # a joint and a plain meeting that day: the larger
        "meeting 2027-01-14 True 7",
        "version 5 2027-01-14 True Joint panel carried across from the meetings marked as "
        "joint panels",
        "version 4 2026-12-10 False Joint panel carried across from the meetings marked as "
        "joint panels",
        "version 3 2026-11-12 True Joint panel carried across from the meetings marked as "
        "joint panels",
        "version 2 2026-09-01 False Larger joint quorum",
        "version 1 None False the defaults in DOMAIN.md",
    ]
    assert "column False" in printed


def test_no_meeting_marked_joint_changes_no_policy() -> None:
    assert joint_changes([(date(2026, 12, 24), False), (date(2027, 3, 26), False)]) == []


def test_the_joint_setting_changes_on_the_days_the_meetings_changed() -> None:
    meetings = [
        (date(2027, 3, 26), True),  # Good Friday 2027: a meeting that day is still a meeting
        (date(2026, 12, 24), False),
        (date(2027, 1, 7), True),
        (date(2027, 4, 1), False),
    ]
    assert joint_changes(meetings) == [(date(2027, 1, 7), True), (date(2027, 4, 1), False)]
