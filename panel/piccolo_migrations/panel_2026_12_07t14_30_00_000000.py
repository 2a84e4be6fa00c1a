"""Whether the panel is a joint panel (AAR reg 6: a larger quorum) becomes the agency's panel
policy instead of a tick-box on each meeting, which could be forgotten.

Today's ticks are carried across so that no meeting's quorum changes: each day the ticked and
unticked meetings (cancelled ones aside) change over, a policy version takes effect with the
joint setting that day's meetings had, and every version already saved gets the setting of the
meetings on and after its own date. A day with a ticked and an unticked meeting counts as joint
(the larger quorum). With no meeting ticked nothing is written: the default is not joint. Then
the meetings' column goes. Backwards, the column comes back unticked and the versions stay.
"""

import json
from datetime import date, datetime
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

from governance import clock

ID = "2026-12-07T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "joint panel: from a tick-box per meeting to the panel policy"

NOTE = "Joint panel carried across from the meetings marked as joint panels"


async def _run(sql: str, *args: object) -> list[dict[str, Any]]:
    engine = engine_finder()
    assert engine is not None
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


def _moment(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return clock.london(moment)


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def joint_changes(meetings: list[tuple[date, bool]]) -> list[tuple[date, bool]]:
    """The days the meetings change between joint and not, with the setting from that day."""
    by_day: dict[date, bool] = {}
    for day, joint in meetings:
        by_day[day] = by_day.get(day, False) or joint
    changes, state = [], False
    for day in sorted(by_day):
        if by_day[day] != state:
            state = by_day[day]
            changes.append((day, state))
    return changes


def _state_on(day: date, changes: list[tuple[date, bool]]) -> bool:
    state = False
    for changed_on, joint in changes:
        if changed_on <= day:
            state = joint
    return state


async def _carry_joint_across() -> None:
    rows = await _run('SELECT "starts_at", "joint", "status" FROM "meeting"')
    meetings = [
        (_moment(r["starts_at"]).date(), bool(r["joint"]))
        for r in rows
        if r["status"] != "cancelled"
    ]
    changes = joint_changes(meetings)
    if not changes:
        return
    versions = [
        {"number": int(r["number"]), "day": _day(r["effective_from"]), "id": r["id"]}
        | {"settings": json.loads(r["settings"])}
        for r in await _run(
            'SELECT "id", "number", "effective_from", "settings" FROM "panel_policy"'
        )
    ]
    for v in versions:
        v["settings"]["joint_panel"] = _state_on(v["day"], changes)
        await _run(
            'UPDATE "panel_policy" SET "settings" = {} WHERE "id" = {}',
            json.dumps(v["settings"], sort_keys=True),
            v["id"],
        )
    number = max([v["number"] for v in versions], default=1)  # 1: the built-in defaults
    for day, joint in changes:
        in_force = [v for v in versions if v["day"] <= day]
        base = max(in_force, key=lambda v: (v["day"], v["number"]))["settings"] if in_force else {}
        settings = dict(base) | {"joint_panel": joint}
        number += 1
        await _run(
            'INSERT INTO "panel_policy" ("number", "effective_from", "settings", "note", '
            '"created_by", "created_at") VALUES ({}, {}, {}, {}, {}, {})',
            number,
            day,
            json.dumps(settings, sort_keys=True),
            NOTE,
            "migration",
            clock.now(),
        )
        versions.append({"number": number, "day": day, "id": None, "settings": settings})


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)
    manager.add_raw(_carry_joint_across)
    manager.drop_column(
        table_class_name="Meeting",
        tablename="meeting",
        column_name="joint",
        db_column_name="joint",
        schema=None,
    )
    return manager
