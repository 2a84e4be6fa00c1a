"""How often the panel sat without a quorum and deferred items: figures for the board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from governance import clock
from panel import record
from panel.tables import ItemRecord, Meeting, MeetingStatus, RecordStatus


@dataclass(frozen=True, slots=True)
class QuorumFigures:
    meetings: int  # held in the period
    inquorate: int  # meetings where at least one item lacked a quorum
    items: int  # items the panel dealt with (recommended, deferred or noted)
    deferred: int


async def quorum_and_deferrals(first_day: date, last_day: date) -> QuorumFigures:
    start, _ = clock.day_bounds(first_day)
    _, end = clock.day_bounds(last_day)
    held = await Meeting.select(Meeting.id).where(
        Meeting.status.is_in([MeetingStatus.HELD, MeetingStatus.CLOSED])
        & (Meeting.starts_at >= start)
        & (Meeting.starts_at < end)
    )
    inquorate = 0
    for meeting in held:
        # Quorum is judged per item from who was there for it, as the meeting record shows it.
        minutes = await record.meeting_record(meeting["id"])
        if any(not item.verdict.quorate for item in minutes.items):
            inquorate += 1
    ids = [m["id"] for m in held]
    records = (
        await ItemRecord.select(ItemRecord.status).where(ItemRecord.item._.meeting.is_in(ids))
        if ids
        else []
    )
    return QuorumFigures(
        meetings=len(held),
        inquorate=inquorate,
        items=len(records),
        deferred=sum(1 for r in records if r["status"] == RecordStatus.DEFERRED),
    )
