"""Which of the agency's clocks fell due in a period, and when each was done: the board's
timeliness counts every clock due, kept, late or still open, not only those completed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from adm import before_panel, services
from adm.rules import clocks
from adm.rules.clocks import ClockKind
from adm.rules.routing import DecidedBy
from adm.tables import Referral
from governance import clock
from governance.rules.workdays import Calendars
from panel.tables import AgendaItem, ItemRecord, ItemStatus, MeetingStatus, RecordStatus

# A referral's clocks fall due within months of its meeting (the last, telling applicants in
# writing, within days of the decision), so referrals from this far back can still have one due.
_LOOKBACK = timedelta(days=240)
# Stage 1 (2 months) and Stage 2 (4 months) fall due this long after they start at the most.
_STAGES_LOOKBACK = timedelta(days=400)
# Papers and the member list fall due days before the meeting; the final minutes ten working
# days after it.
_MEETING_SLACK = timedelta(days=45)

# The agency's own duties. The applicants' windows (comments on their PAR, representations or an
# IRM application) close without the agency having missed anything, so they are not counted; the
# panel's six-monthly feedback is one clock for the whole agency, shown on the clocks page.
COUNTED = (
    ClockKind.PAPERS_TO_MEMBERS,
    ClockKind.MEMBER_LIST_TO_APPLICANTS,
    ClockKind.STAGE_1,
    ClockKind.STAGE_2,
    ClockKind.FINAL_MINUTES_TO_ADM,
    ClockKind.ADM_DECISION,
    ClockKind.TOLD_ORALLY,
    ClockKind.TOLD_IN_WRITING,
)
_BEFORE = tuple(k for k in before_panel.BEFORE_PANEL if k in COUNTED)


@dataclass(frozen=True, slots=True)
class DueClock:
    kind: ClockKind
    partner: str
    due_on: date
    completed_on: date | None  # None: not done yet


_ITEMS_SQL = (
    before_panel._ITEM_SQL  # one query for an item's clocks before panel, as the clocks page
    + """
WHERE ai.status = {} AND m.status <> {}
  AND ((m.starts_at >= {} AND m.starts_at < {})
       OR f.stage_1_started_on BETWEEN {} AND {} OR f.stage_2_notice_on BETWEEN {} AND {})
"""
)


async def clocks_due(first_day: date, last_day: date) -> list[DueClock]:
    """Every counted clock whose deadline falls on a day from `first_day` to `last_day`."""
    today = clock.today()
    # The calendars reach today too: an item's clocks are evaluated as of today, and its meeting
    # may lie well after the period (a Stage 2 due before its panel).
    cals = await services.working_calendars_between(
        first_day - _STAGES_LOOKBACK, max(last_day, today) + _STAGES_LOOKBACK
    )
    due: list[DueClock] = []

    def keep(kind: ClockKind, partner: str, due_on: date | None, done: date | None) -> None:
        if kind in COUNTED and due_on is not None and first_day <= due_on <= last_day:
            due.append(DueClock(kind, partner, due_on, done))

    rows = await services.referral_rows(
        (Referral.meeting_on >= first_day - _LOOKBACK) & (Referral.meeting_on <= last_day)
    )
    notes = await services.clock_notes(r["id"] for r in rows)
    for row in rows:
        for item_clock in services.item_clocks(row, notes):
            due_on = clocks.due_date(item_clock, cals, clocks.DEFAULT_CLOCK_POLICY)
            keep(item_clock.kind, row["partner_name"], due_on, item_clock.completed_on)

    since, _ = clock.day_bounds(first_day - _MEETING_SLACK)
    until, _ = clock.day_bounds(last_day + _MEETING_SLACK)
    items = await AgendaItem.raw(
        _ITEMS_SQL,
        ItemStatus.LISTED.value,
        MeetingStatus.CANCELLED.value,
        since.astimezone(UTC),
        until.astimezone(UTC),
        first_day - _STAGES_LOOKBACK,
        last_day,
        first_day - _STAGES_LOOKBACK,
        last_day,
    )
    found = [dict(r) for r in items]
    for row in found:
        partner = before_panel._partner(row)[1]
        done_on = _done_before_panel(row)
        for each in before_panel._evaluate(row, today, cals, _BEFORE):
            keep(each.kind, partner, each.status.due_on, done_on[each.kind])
    await _awaiting_minutes(found, cals, keep)
    return due


def _done_before_panel(row: dict[str, Any]) -> dict[ClockKind, date | None]:
    published = row["published_at"]
    return {
        ClockKind.PAPERS_TO_MEMBERS: clock.london(published).date() if published else None,
        ClockKind.MEMBER_LIST_TO_APPLICANTS: row["member_list_sent_on"],
        ClockKind.STAGE_1: row["stage_1_completed_on"],
        ClockKind.STAGE_2: row["decided_on"],  # the ADM's decision on the approval ends Stage 2
    }


_Keep = Callable[[ClockKind, str, date | None, date | None], None]


async def _awaiting_minutes(items: list[dict[str, Any]], cals: Calendars, keep: _Keep) -> None:
    """Items recommended whose final minutes have not reached an ADM: no referral holds their
    minutes clock yet, and one overdue must still be counted."""
    unreferred = {
        r["id"]: r for r in items if r["referral_id"] is None and r["decided_by"] != DecidedBy.NONE
    }
    if not unreferred:
        return
    recommended = await ItemRecord.select(ItemRecord.item).where(
        ItemRecord.item.is_in(list(unreferred)) & (ItemRecord.status == RecordStatus.RECOMMENDED)
    )
    for found in recommended:
        row = unreferred[found["item"]]
        minutes = clocks.Clock(
            ClockKind.FINAL_MINUTES_TO_ADM, clock.london(row["starts_at"]).date()
        )
        due_on = clocks.due_date(minutes, cals, clocks.DEFAULT_CLOCK_POLICY)
        keep(ClockKind.FINAL_MINUTES_TO_ADM, before_panel._partner(row)[1], due_on, None)
