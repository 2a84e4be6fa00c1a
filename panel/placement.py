"""The record on a match item of what lets the panel recommend the match (AAR reg 32(5)), the
checks the recommendation form and the agenda make of it, and the invitation of applicants to
attend (AAR reg 30A(5))."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from governance import audit, clock, db
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, NotFound
from governance.rules.workdays import long_date
from governance.validate import Checker
from panel.rules import conflicts
from panel.rules.outcomes import Category, Meaning
from panel.rules.placement import (
    AUTHORITY_LABELS,
    Authority,
    HeardItem,
    MatchFacts,
    MatchVerdict,
    approved_at_meeting,
    is_approval_type,
    is_match_type,
    match_prerequisites,
    placed_at_meeting,
    placed_items,
)
from panel.tables import (
    AgendaItem,
    ItemParty,
    ItemRecord,
    ItemStatus,
    PlacementAuthority,
    RecordStatus,
)


def _category(value: str) -> Category:
    return Category(value) if value in Category.__members__.values() else Category.INFORMATION


def _meaning(value: str) -> Meaning | None:
    return Meaning(value) if value in Meaning.__members__.values() else None


async def _items(meeting_id: int) -> list[HeardItem]:
    rows = await AgendaItem.select(
        AgendaItem.id,
        AgendaItem.case_reference,
        AgendaItem.item_type._.category.as_alias("category"),
    ).where((AgendaItem.meeting == meeting_id) & (AgendaItem.status == ItemStatus.LISTED))
    ids = [r["id"] for r in rows]
    parties = await ItemParty.select().where(ItemParty.item.is_in(ids)) if ids else []
    records = (
        await ItemRecord.select(ItemRecord.item, ItemRecord.meaning).where(
            ItemRecord.item.is_in(ids) & (ItemRecord.status == RecordStatus.RECOMMENDED)
        )
        if ids
        else []
    )
    # The meaning the outcome had when it was recorded (ItemRecord.meaning): a later rewording
    # of the type changes nothing.
    meanings = {r["item"]: _meaning(r["meaning"]) for r in records}

    def names(item_id: int, role: conflicts.Role) -> frozenset[str]:
        return frozenset(
            " ".join(p["name"].split()).casefold()
            for p in parties
            if p["item"] == item_id and p["role"] == role.value
        )

    return [
        HeardItem(
            r["id"],
            _category(r["category"]),
            meanings.get(r["id"]),
            r["case_reference"],
            names(r["id"], conflicts.Role.CHILD),
            names(r["id"], conflicts.Role.APPLICANT),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class MatchCheck:
    verdict: MatchVerdict
    placed_item_listed: bool  # a should-be-placed item for the child is on this agenda


async def authority_of(item_id: int) -> dict[str, Any] | None:
    row = await PlacementAuthority.select().where(PlacementAuthority.item == item_id).first()
    return dict(row) if row else None


async def check_match(item_id: int, meeting_on: date) -> MatchCheck | None:
    """Reg 32(5) for a match item as things stand: None when the item is not a match."""
    found = await AgendaItem.select(AgendaItem.meeting).where(AgendaItem.id == item_id).first()
    if found is None:
        raise NotFound(f"No agenda item {item_id}")
    items = await _items(found["meeting"])
    return _check(items, item_id, meeting_on, await authority_of(item_id))


def _check(
    items: list[HeardItem], item_id: int, meeting_on: date, record: dict[str, Any] | None
) -> MatchCheck | None:
    item = next((i for i in items if i.id == item_id), None)
    if item is None or not is_match_type(item.category):
        return None
    others = [i for i in items if i.id != item_id]
    kind = record["authority"] if record else ""
    facts = MatchFacts(
        meeting_on=meeting_on,
        placed_at_this_meeting=placed_at_meeting(item, others),
        authority=Authority(kind) if kind else None,
        authorised_on=record["authorised_on"] if record else None,
        adopters_approved_on=record["adopters_approved_on"] if record else None,
        approved_at_this_meeting=approved_at_meeting(item, others),
    )
    return MatchCheck(match_prerequisites(facts), bool(placed_items(item, others)))


async def meeting_warnings(
    meeting_id: int, meeting_on: date, rows: list[dict[str, Any]]
) -> dict[int, list[str]]:
    """What the agenda warns of, item by item: a match the panel may not yet recommend, adopters
    whose approval is not on record, applicants not yet invited to attend."""
    items = await _items(meeting_id)
    ids = [r["id"] for r in rows]
    records = {
        r["item"]: dict(r)
        for r in (
            await PlacementAuthority.select().where(PlacementAuthority.item.is_in(ids))
            if ids
            else []
        )
    }
    out: dict[int, list[str]] = {}
    for row in rows:
        warnings: list[str] = []
        kind = row["type"]
        if is_approval_type(_category(kind["category"])) and not row.get("applicants_invited_on"):
            warnings.append(
                "The applicants' invitation to attend the panel is not recorded: the panel must "
                "invite them before it recommends (AAR reg 30A(5))."
            )
        check = _check(items, row["id"], meeting_on, records.get(row["id"]))
        if check is not None:
            if not check.verdict.allowed:
                text = "A match cannot be recommended yet: " + "; ".join(check.verdict.missing)
                if check.placed_item_listed:
                    text += (
                        ". A should-be-placed item for this child is on the agenda: it must be "
                        "recommended first"
                    )
                warnings.append(text + ".")
            warnings += [w[0].upper() + w[1:] + "." for w in check.verdict.warnings]
        if warnings:
            out[row["id"]] = warnings
    return out


async def save_authority(
    actor: Actor, item_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """Record the agency's authority to place the child of a match item, and the adopters'
    approval; a stale form (version mismatch) changes nothing."""
    found = (
        await AgendaItem.select(
            AgendaItem.case_reference,
            AgendaItem.item_type._.category.as_alias("category"),
            AgendaItem.meeting._.starts_at.as_alias("starts_at"),
        )
        .where(AgendaItem.id == item_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No agenda item {item_id}")
    if not is_match_type(_category(found["category"])):
        raise Conflict("Only a match item records the agency's authority to place the child")
    check = Checker()
    today = clock.today()
    raw_kind = str(data.get("authority") or "")
    kind = (
        check.choice(
            "authority",
            raw_kind,
            "The agency's authority to place",
            {k.value: v for k, v in AUTHORITY_LABELS.items()},
        )
        if raw_kind
        else ""
    )
    authorised_on = check.day(
        "authorised_on", data.get("authorised_on"), "Date of the order or consent", required=False
    )
    approved_on = check.day(
        "adopters_approved_on", data.get("adopters_approved_on"),
        "Date the adopters were approved", required=False,
    )  # fmt: skip
    note = check.text("note", data.get("note"), "Note", max_length=1000, required=False)
    if kind and authorised_on is None and "authorised_on" not in check.errors:
        check.fail("authorised_on", "Enter the date the placement order was made or consent given")
    if authorised_on is not None and not kind:
        check.fail("authority", "Select the placement order or the s.19 consent the date is of")
    for name, day in (("authorised_on", authorised_on), ("adopters_approved_on", approved_on)):
        if day is not None and day > today and name not in check.errors:
            check.fail(name, "This date cannot be in the future")
    check.raise_if_any()
    existing = await authority_of(item_id)
    values = {
        "authority": kind,
        "authorised_on": authorised_on,
        "adopters_approved_on": approved_on,
        "note": note,
    }
    person = getattr(actor, "person_id", None)
    try:
        async with db.transaction():
            if existing is None:
                if version != 0:
                    raise Conflict(STALE_EDIT, "authority")
                await PlacementAuthority.insert(
                    PlacementAuthority(
                        {getattr(PlacementAuthority, k): v for k, v in values.items()},
                        item=item_id,
                        recorded_by=person,
                    )
                )
            else:
                done = (
                    await PlacementAuthority.update(
                        {
                            **{getattr(PlacementAuthority, k): v for k, v in values.items()},
                            PlacementAuthority.recorded_by: person,
                            PlacementAuthority.recorded_at: clock.now(),
                            PlacementAuthority.version: version + 1,
                        }
                    )
                    .where(
                        (PlacementAuthority.item == item_id)
                        & (PlacementAuthority.version == version)
                    )
                    .returning(PlacementAuthority.id)
                )
                if not done:
                    raise Conflict(STALE_EDIT, "authority")
            summary = (
                found["case_reference"]
                + ": "
                + (
                    f"{AUTHORITY_LABELS[Authority(kind)]} of {long_date(authorised_on)}"
                    if kind and authorised_on
                    else "no authority to place on record"
                )
            )
            if approved_on:
                summary += f"; adopters approved on {long_date(approved_on)}"
            await audit.record(
                actor, "update" if existing else "create", "placement_authority", item_id,
                path=path, summary=summary,
                before={k: existing[k] for k in values} if existing else None, after=values,
            )  # fmt: skip
    except (UniqueViolationError, sqlite3.IntegrityError):
        raise Conflict(STALE_EDIT, "authority") from None
