"""The clocks that run before an item's panel (papers to members, the member list and the PAR to
the applicants, Stages 1 and 2 of an assessment): the dates the adviser records for them, their
states for the clocks page, and the reasons given when one is missed."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from adm import services
from adm.rules import clocks, stages
from adm.rules.clocks import ClockKind, ClockState, ItemCategory
from adm.tables import ItemClockFacts
from governance import audit, clock, db
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, NotFound
from governance.rules.workdays import Calendars, long_date
from governance.validate import Checker
from panel import agenda
from panel.tables import AgendaItem, ItemStatus, MeetingStatus

BEFORE_PANEL = (
    ClockKind.PAPERS_TO_MEMBERS,
    ClockKind.MEMBER_LIST_TO_APPLICANTS,
    ClockKind.PAR_COMMENTS,
    ClockKind.STAGE_1,
    ClockKind.STAGE_2_NOTICE,
    ClockKind.STAGE_2,
)

STAGES_SHOWN_DAYS = 400

STAGES = (ClockKind.STAGE_1, ClockKind.STAGE_2_NOTICE, ClockKind.STAGE_2)

# An item with all its clocks before panel need: its type and partners, its agenda's publication,
# its recorded dates and its referral. One query, not one a table: each query costs SQLite a
# connection of its own.
_ITEM_SQL = """
SELECT ai.id, ai.case_reference, ai.initials, ai.meeting, m.starts_at,
       it.code, it.name AS type_name, it.subject, it.decided_by, it.category,
       ai.child_partner, ai.assessing_partner,
       cp.name AS child_partner_name, ap.name AS assessing_partner_name,
       a.published_at, r.id AS referral_id, r.decided_on,
       f.member_list_sent_on, f.par_sent_on, f.par_comments_received_on,
       f.stage_1_started_on, f.stage_1_completed_on, f.stage_2_notice_on, f.breach_reasons,
       f.stage_2_pause_from, f.stage_2_pause_to, f.stage_2_pause_why, f.stage_2_pause_reason,
       f.version AS facts_version
FROM agenda_item ai
JOIN meeting m ON m.id = ai.meeting
JOIN item_type it ON it.id = ai.item_type
LEFT JOIN partner cp ON cp.id = ai.child_partner
LEFT JOIN partner ap ON ap.id = ai.assessing_partner
LEFT JOIN agenda a ON a.meeting = ai.meeting
LEFT JOIN item_clock_facts f ON f.item = ai.id
LEFT JOIN referral r ON r.item = ai.id
"""

# The items of the clocks page: those on meetings since a date, and older ones whose Stage 1 or 2
# is still running or ended within the month (a stage begun over a year ago is long over).
_CLOCK_ROWS_SQL = (
    _ITEM_SQL
    + """
WHERE ai.status = {} AND m.status <> {}
  AND (m.starts_at >= {}
       OR ai.id IN (
           SELECT s.item FROM item_clock_facts s LEFT JOIN referral sr ON sr.item = s.item
           WHERE (s.stage_1_started_on >= {}
                  AND (s.stage_1_completed_on IS NULL OR s.stage_1_completed_on >= {}))
              OR (s.stage_2_notice_on >= {}
                  AND (sr.decided_on IS NULL OR sr.decided_on >= {}))))
"""
)

# The dates recorded here, each with the clock it starts or stops.
DATE_FIELDS: dict[str, tuple[str, ClockKind]] = {
    "stage_1_started_on": ("Registration of interest accepted (Stage 1 began)", ClockKind.STAGE_1),
    "stage_1_completed_on": ("Stage 1 completed", ClockKind.STAGE_1),
    "stage_2_notice_on": ("Applicants gave notice to start Stage 2", ClockKind.STAGE_2),
    "par_sent_on": (
        "Prospective adopter's report (PAR) sent to the applicants",
        ClockKind.PAR_COMMENTS,
    ),
    "par_comments_received_on": (
        "Applicants' comments on the PAR received",
        ClockKind.PAR_COMMENTS,
    ),
    "member_list_sent_on": (
        "Panel member list sent to the applicants",
        ClockKind.MEMBER_LIST_TO_APPLICANTS,
    ),
}


PAUSE_FIELDS = (
    "stage_2_pause_from",
    "stage_2_pause_to",
    "stage_2_pause_why",
    "stage_2_pause_reason",
)


def fields_for(category: ItemCategory) -> dict[str, str]:
    """The dates worth asking for an item of this category: those of the clocks it keeps."""
    kept = set(clocks.CLOCKS_BY_CATEGORY[category])
    return {name: label for name, (label, kind) in DATE_FIELDS.items() if kind in kept}


@dataclass(frozen=True, slots=True)
class ItemClocks:
    item: dict[str, Any]
    category: ItemCategory
    facts: dict[str, Any]  # the recorded dates and their version (0: none recorded yet)
    rows: list[services.ClockRow]  # every clock before the panel, not started ones too
    referral_id: int | None


# ---------------------------------------------------------------- reading


def _category(row: dict[str, Any]) -> ItemCategory:
    return services.category_of(row)


def _partner(row: dict[str, Any]) -> tuple[int | None, str]:
    if row["decided_by"] == "child_authority" or not row["assessing_partner"]:
        return row["child_partner"], row["child_partner_name"] or ""
    return row["assessing_partner"], row["assessing_partner_name"] or ""


def _evaluate(
    row: dict[str, Any], today: date, cals: Calendars, kinds: tuple[ClockKind, ...]
) -> list[services.ClockRow]:
    """The clocks of `kinds` for one row of `_ITEM_SQL`."""
    published = row["published_at"]
    facts = clocks.ItemFacts(
        category=_category(row),
        meeting_on=clock.london(row["starts_at"]).date(),
        papers_sent_on=clock.london(published).date() if published else None,
        decided_on=row["decided_on"],
        member_list_sent_on=row["member_list_sent_on"],
        par_sent_on=row["par_sent_on"],
        par_comments_received_on=row["par_comments_received_on"],
        stage_1_started_on=row["stage_1_started_on"],
        stage_1_completed_on=row["stage_1_completed_on"],
        stage_2_notice_on=row["stage_2_notice_on"],
    )
    reasons: dict[str, str] = json.loads(row["breach_reasons"] or "{}")
    _, partner_name = _partner(row)
    initials = f" ({row['initials']})" if row["initials"] else ""
    out = []
    for each in clocks.clocks_for_item(facts):
        if each.kind not in kinds:
            continue
        pauses = _stage_2_pauses(row) if each.kind is ClockKind.STAGE_2 else ()
        each = clocks.Clock(
            each.kind, each.started_on, each.completed_on, pauses, reasons.get(each.kind.value)
        )
        out.append(
            services.ClockRow(
                None,
                f"{row['case_reference']}{initials}",
                partner_name,
                "",
                each.kind,
                clocks.LABELS[each.kind],
                clocks.evaluate(each, today, cals, clocks.DEFAULT_CLOCK_POLICY),
                row["id"],
            )
        )
    return out


def _stage_2_pauses(row: dict[str, Any]) -> tuple[clocks.Pause, ...]:
    if not row.get("stage_2_pause_from"):
        return ()
    why = stages.PAUSE_GROUNDS.get(row["stage_2_pause_why"], "")
    reason = "; ".join(r for r in (why, row["stage_2_pause_reason"]) if r)
    return (clocks.Pause(row["stage_2_pause_from"], row["stage_2_pause_to"], reason),)


async def clock_rows(
    filters: services.ClockFilter, today: date, cals: Calendars
) -> list[services.ClockRow]:
    """The started clocks before the panel of items on meetings from a month ago onwards, and of
    older items whose Stage 1 or 2 is recorded and not yet over."""
    if filters.adm:
        return []  # nobody decides these: they are the agency's
    since, _ = clock.day_bounds(today - timedelta(days=services.RECENT_DAYS))
    recent = today - timedelta(days=services.RECENT_DAYS)
    found = await AgendaItem.raw(
        _CLOCK_ROWS_SQL,
        ItemStatus.LISTED.value,
        MeetingStatus.CANCELLED.value,
        since.astimezone(UTC),
        today - timedelta(days=STAGES_SHOWN_DAYS),
        recent,
        today - timedelta(days=STAGES_SHOWN_DAYS),
        recent,
    )
    out: list[services.ClockRow] = []
    for row in found:
        if filters.partner and _partner(row)[0] != filters.partner:
            continue
        old = row["starts_at"] < since
        for each in _evaluate(row, today, cals, STAGES if old else BEFORE_PANEL):
            finished = each.status.state in (ClockState.MET, ClockState.MISSED)
            if old and finished and not each.status.needs_breach_reason:
                continue  # an old item's Stage 1 long over: nothing left to see
            out.append(each)
    return out


async def item_clocks(item_id: int, today: date | None = None) -> ItemClocks:
    today = today or clock.today()
    found = await AgendaItem.raw(_ITEM_SQL + "WHERE ai.id = {}", item_id)
    if not found:
        raise NotFound(f"No agenda item {item_id}")
    row = dict(found[0])
    day = clock.london(row["starts_at"]).date()
    cals = await services.working_calendars_between(
        min(day, today) - timedelta(days=400), max(day, today)
    )
    rows = _evaluate(row, today, cals, BEFORE_PANEL)
    facts = {name: row[name] for name in (*DATE_FIELDS, *PAUSE_FIELDS)} | {
        "version": row["facts_version"] or 0
    }
    row["meeting_on"] = day
    row["partner_name"] = _partner(row)[1]
    return ItemClocks(row, _category(row), facts, rows, row["referral_id"])


# ---------------------------------------------------------------- recording


async def save_dates(
    actor: Actor, item_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """Record the dates of the item's clocks before the panel; a stale form changes nothing."""
    current = await item_clocks(item_id)
    asked = fields_for(current.category)
    check = Checker()
    today = clock.today()
    values: dict[str, date | None] = {}
    for name, label in asked.items():
        day = check.day(name, data.get(name), label, required=False)
        if day is not None and day > today:
            check.fail(name, f"{label} cannot be in the future")
        values[name] = day
    meeting_on = current.item["meeting_on"]

    def after(later: str, earlier: str, words: str) -> None:
        first, second = values.get(earlier), values.get(later)
        if first and second and second < first and later not in check.errors:
            check.fail(later, words)

    after("stage_1_completed_on", "stage_1_started_on", "Stage 1 cannot end before it began")
    after("stage_2_notice_on", "stage_1_completed_on", "Stage 2 cannot start before Stage 1 ended")
    after(
        "par_comments_received_on",
        "par_sent_on",
        "The applicants' comments cannot arrive before the PAR was sent",
    )
    for name in ("par_sent_on", "member_list_sent_on", "stage_2_notice_on"):
        day = values.get(name)
        if day and day > meeting_on and name not in check.errors:
            check.fail(name, f"{asked[name]} must be on or before the panel day")
    check.raise_if_any()
    person = getattr(actor, "person_id", None)
    before = {name: current.facts.get(name) for name in asked}
    try:
        async with db.transaction():
            if version == 0:
                await ItemClockFacts.insert(
                    ItemClockFacts(
                        {getattr(ItemClockFacts, k): v for k, v in values.items()},
                        item=item_id,
                        updated_by=person,
                    )
                )
            else:
                done = (
                    await ItemClockFacts.update(
                        {
                            **{getattr(ItemClockFacts, k): v for k, v in values.items()},
                            ItemClockFacts.updated_by: person,
                            ItemClockFacts.updated_at: clock.now(),
                            ItemClockFacts.version: version + 1,
                        }
                    )
                    .where((ItemClockFacts.item == item_id) & (ItemClockFacts.version == version))
                    .returning(ItemClockFacts.id)
                )
                if not done:
                    raise Conflict(STALE_EDIT)
            await audit.record(
                actor,
                "update",
                "item_clock_dates",
                item_id,
                path=path,
                before=before,
                after=values,
            )
    except (UniqueViolationError, sqlite3.IntegrityError):
        # Someone else recorded the first dates of this item a moment ago.
        raise Conflict(STALE_EDIT) from None


async def record_breach(
    actor: Actor, item_id: int, kind: str, reason: object, *, path: str = ""
) -> None:
    current = await item_clocks(item_id)
    check = Checker()
    kind = check.choice(
        "kind", kind, "The clock", {k.value: clocks.LABELS[k] for k in BEFORE_PANEL}
    )
    text = check.text("breach_reason", reason, "Why the deadline was missed", max_length=2000)
    check.raise_if_any()
    status = next((r.status for r in current.rows if r.kind == kind), None)
    if (
        status is None
        or status.state is not ClockState.MISSED
        or status.owed_by is not (clocks.OwedBy.AGENCY)
    ):
        raise Conflict(f"{clocks.LABELS[ClockKind(kind)]} has not been missed: no reason needed")
    try:
        await _save_breach(actor, item_id, kind, text, current.item["case_reference"], path)
    except (UniqueViolationError, sqlite3.IntegrityError):
        raise Conflict("Someone else recorded this item's dates a moment ago: try again") from None


async def _save_breach(
    actor: Actor, item_id: int, kind: str, text: str, case: str, path: str
) -> None:
    async with db.transaction():
        existing = (
            await ItemClockFacts.select(ItemClockFacts.id, ItemClockFacts.breach_reasons)
            .where(ItemClockFacts.item == item_id)
            .first()
        )
        reasons = json.loads(existing["breach_reasons"] or "{}") if existing else {}
        reasons[kind] = text
        encoded = json.dumps(reasons, sort_keys=True)
        if existing:
            await ItemClockFacts.update(
                {
                    ItemClockFacts.breach_reasons: encoded,
                    ItemClockFacts.version: ItemClockFacts.version + 1,
                }
            ).where(ItemClockFacts.id == existing["id"])
        else:
            await ItemClockFacts.insert(
                ItemClockFacts(item=item_id, breach_reasons=encoded, updated_by=None)
            )
        await audit.record(
            actor,
            "breach",
            "clock",
            f"item {item_id}:{kind}",
            path=path,
            summary=f"{case}: {clocks.LABELS[ClockKind(kind)]} missed - {text}",
        )


async def pause_stage_2(
    actor: Actor, item_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """Pause Stage 2 (the applicants asked, or exceptional circumstances), or end its pause: the
    Stage 2 deadline moves on by the days paused. A stale form changes nothing."""
    current = await item_clocks(item_id)
    if ClockKind.STAGE_2 not in clocks.CLOCKS_BY_CATEGORY[current.category]:
        raise Conflict("This item has no Stage 2 to pause")
    check = Checker()
    why = check.choice(
        "stage_2_pause_why", data.get("stage_2_pause_why"), "Why Stage 2 is paused",
        dict(stages.PAUSE_GROUNDS),
    )  # fmt: skip
    first = check.day("stage_2_pause_from", data.get("stage_2_pause_from"), "First day paused")
    last = check.day(
        "stage_2_pause_to", data.get("stage_2_pause_to"), "Last day paused", required=False
    )
    reason = check.text(
        "stage_2_pause_reason", data.get("stage_2_pause_reason"), "What happened",
        max_length=1000, required=False,
    )  # fmt: skip
    check.raise_if_any()
    assert first is not None
    pause = stages.Stage2Pause(stages.PauseGround(why), first, last, reason)
    for name, message in stages.pause_problems(
        pause, current.facts.get("stage_2_notice_on"), current.item["decided_on"]
    ).items():
        check.fail(name, message)
    check.raise_if_any()
    if version != current.facts["version"]:
        raise Conflict(STALE_EDIT, "stage_2_pause_from")
    values: dict[Any, Any] = {
        ItemClockFacts.stage_2_pause_from: first,
        ItemClockFacts.stage_2_pause_to: last,
        ItemClockFacts.stage_2_pause_why: why,
        ItemClockFacts.stage_2_pause_reason: reason,
    }
    async with db.transaction():
        done = (
            await ItemClockFacts.update({**values, ItemClockFacts.version: version + 1})
            .where((ItemClockFacts.item == item_id) & (ItemClockFacts.version == version))
            .returning(ItemClockFacts.id)
        )
        if not done:
            raise Conflict(STALE_EDIT, "stage_2_pause_from")
        await audit.record(
            actor, "pause", "clock", f"item {item_id}:{ClockKind.STAGE_2.value}", path=path,
            summary=f"{current.item['case_reference']}: Stage 2 paused from {first} to "
            f"{last or 'further notice'} - {stages.PAUSE_GROUNDS[why]}"
            + (f": {reason}" if reason else ""),
            before={k: current.facts.get(k) for k in PAUSE_FIELDS},
            after={"from": first, "to": last, "why": why, "reason": reason},
        )  # fmt: skip


# ---------------------------------------------------------------- holding the agenda back


async def comments_still_open(meeting_id: int) -> dict[int, list[str]]:
    """The meeting's items whose applicants may still comment on their report: their papers
    should not go to members before the comments can go with them."""
    today = clock.today()
    listed = await AgendaItem.select(AgendaItem.id).where(
        (AgendaItem.meeting == meeting_id) & (AgendaItem.status == ItemStatus.LISTED)
    )
    out: dict[int, list[str]] = {}
    for row in listed:
        found = await item_clocks(row["id"], today)
        for each in found.rows:
            if each.kind is ClockKind.PAR_COMMENTS and clocks.window_open(each.status):
                assert each.status.due_on is not None
                out[row["id"]] = [
                    "the applicants may comment on their prospective adopter's report until "
                    f"{long_date(each.status.due_on)}, and none are recorded yet"
                ]
    return out


if comments_still_open not in agenda.PUBLISH_HOLDS:
    agenda.PUBLISH_HOLDS.append(comments_still_open)
