"""ADM assignments, routing of final recommendations, the decision queue, decisions, letters,
the clocks of every referred item, and the reminders that keep them."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from adm import documents as letters
from adm import escalation
from adm.rules import after_determination, clocks, routing
from adm.rules.clocks import ClockKind, ClockState, ItemCategory
from adm.rules.routing import AdmRole, DecidedBy
from adm.tables import (
    Addressee,
    AdmAbsence,
    AdmAssignment,
    ClockNote,
    Decision,
    Referral,
    ReferralStatus,
    Verdict,
)
from governance import agency as agency_details
from governance import audit, calendars, clock, db, jobs, mail
from governance.audit import SYSTEM, Actor
from governance.errors import STALE_EDIT, Conflict, NotFound
from governance.roles import Role
from governance.rules.workdays import Calendars, WorkingCalendar, long_date
from governance.settings import Settings
from governance.tables import ClosureDay, Partner, Person, RoleGrant
from governance.validate import Checker
from panel import agenda, record
from panel.rules.outcomes import NOTICE_LETTERS, Letter, Meaning, Outcome
from panel.safety import PaperUnsafe
from panel.tables import (
    Agenda,
    ItemRecord,
    ItemType,
    Minutes,
    PanelMember,
    RecordStatus,
)

VERDICTS = {
    Verdict.AGREE: "Agree with the recommendation",
    Verdict.DISAGREE: "Do not agree with the recommendation",
    Verdict.MORE_INFORMATION: "Ask for more information before deciding",
}
ROLE_LABELS = {AdmRole.PRIMARY: "ADM", AdmRole.DEPUTY: "Deputy ADM"}
STATE_LABELS = {
    ClockState.NOT_STARTED: "Not started",
    ClockState.RUNNING: "Running",
    ClockState.DUE_SOON: "Due soon",
    ClockState.MET: "Met",
    ClockState.MISSED: "Missed",
    ClockState.PAUSED: "Paused",
}
# The clocks this area keeps after the meeting (papers are the agenda's).
AFTER_MEETING = (
    ClockKind.FINAL_MINUTES_TO_ADM,
    ClockKind.ADM_DECISION,
    ClockKind.TOLD_ORALLY,
    ClockKind.TOLD_IN_WRITING,
    ClockKind.PARENTS_TOLD_ORALLY,
    ClockKind.PARENTS_TOLD_IN_WRITING,
    ClockKind.REPRESENTATIONS_OR_IRM,
    ClockKind.FINAL_DECISION,
    ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM,
)
REMINDER_JOB = "adm_reminders"
RECENT_DAYS = 30  # closed items stay on the clocks page this long
ALL_STATES = "all"  # the clocks page's filter for met clocks as well as open ones


class Forbidden(Exception):
    """The signed-in person may not see or act on this record."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- item types as data


def category_of(type_row: dict[str, Any]) -> ItemCategory:
    """Which clocks an item type keeps and whose law applies: the type says (ItemType.category,
    set with the type; panel.rules.outcomes.Category)."""
    return ItemCategory(type_row["category"])


async def outcome_for(type_id: int, wording: str) -> Outcome | None:
    """What one of an item type's outcomes means, whether a decision following it is a
    qualifying determination, and which letter it gets: from the type's outcomes
    (panel.agenda.outcome_of), never from the wording."""
    return await agenda.outcome_of(type_id, wording)


def places_child(decided: Outcome | None) -> bool:
    """A decision that the child should be placed for adoption: the parent or guardian must be
    told of it (AAR reg 19(3)). From the outcome's meaning, never its wording."""
    return decided is not None and decided.meaning is Meaning.SHOULD_BE_PLACED


# ---------------------------------------------------------------- assignments


async def partners() -> list[dict[str, Any]]:
    return list(await Partner.select(Partner.id, Partner.code, Partner.name).order_by(Partner.name))


AGENCY_LABEL = "The agency itself"
AGENCY_SCOPE = "agency"  # the agency among the bodies a form offers (governance.services too)


def _code(partner_code: str | None) -> str:
    """The deciding body's code in the routing rules: an empty partner is the agency itself."""
    return partner_code or routing.AGENCY


async def adm_people() -> list[dict[str, Any]]:
    """People with an ADM account, the partners each account is scoped to, and whether it may
    decide for the agency itself (an ADM grant with no partner)."""
    rows = await RoleGrant.select(
        RoleGrant.partner,
        RoleGrant.account._.person.as_alias("person"),
        RoleGrant.account._.person._.name.as_alias("name"),
    ).where(RoleGrant.role == Role.ADM)
    people: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = people.setdefault(
            row["person"],
            {"id": row["person"], "name": row["name"], "partners": set(), "agency": False},
        )
        if row["partner"]:
            entry["partners"].add(row["partner"])
        else:
            entry["agency"] = True
    return sorted(people.values(), key=lambda p: str(p["name"]))


async def assignments() -> list[dict[str, Any]]:
    rows = list(
        await AdmAssignment.select(
            *AdmAssignment.all_columns(),
            AdmAssignment.partner.code.as_alias("partner_code"),
            AdmAssignment.partner.name.as_alias("partner_name"),
            AdmAssignment.person.name.as_alias("name"),
        ).order_by(AdmAssignment.partner.name)
    )
    for row in rows:
        if row["partner"] is None:
            row["partner_code"], row["partner_name"] = routing.AGENCY, AGENCY_LABEL
    rows.sort(
        key=lambda r: (
            r["partner"] is None,
            r["partner_name"],
            r["role"] != AdmRole.PRIMARY,
            r["name"],
        )
    )
    absences = await AdmAbsence.select().order_by(AdmAbsence.from_day)
    for row in rows:
        row["absences"] = [a for a in absences if a["assignment"] == row["id"]]
    return rows


@dataclass(frozen=True, slots=True)
class Cover:
    """Who decides for one partner (or the agency itself): its primary and its deputies."""

    body: str
    primary: str | None
    deputies: tuple[str, ...]


def cover(
    rows: Iterable[dict[str, Any]], partners: Iterable[dict[str, Any]], assesses: bool
) -> list[Cover]:
    """Every partner, and the agency where it assesses adopters, with who decides for it."""
    rows = list(rows)
    bodies: list[tuple[int | None, str]] = [(p["id"], str(p["name"])) for p in partners]
    if assesses or any(r["partner"] is None for r in rows):
        bodies.append((None, AGENCY_LABEL))
    out = []
    for partner_id, name in bodies:
        mine = [r for r in rows if r["partner"] == partner_id]
        primary = next((str(r["name"]) for r in mine if r["role"] == AdmRole.PRIMARY), None)
        deputies = tuple(str(r["name"]) for r in mine if r["role"] == AdmRole.DEPUTY)
        out.append(Cover(name, primary, deputies))
    return out


async def routing_assignments() -> tuple[routing.AdmAssignment, ...]:
    return tuple(
        routing.AdmAssignment(
            person_id=row["person"],
            name=row["name"],
            partner_code=row["partner_code"],
            role=AdmRole(row["role"]),
            absences=tuple(routing.Absence(a["from_day"], a["to_day"]) for a in row["absences"]),
        )
        for row in await assignments()
    )


async def add_assignment(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    """Assign a decision maker (primary or deputy) for a partner, or for the agency itself where
    it assesses adopters. A second primary for the same partner is refused, not swapped in:
    undecided items stay with the one they were sent to until that assignment is removed."""
    check = Checker()
    partner_rows = {str(p["id"]): p for p in await partners()}
    people = {str(p["id"]): p for p in await adm_people()}
    assesses = await agency_details.assesses_adopters()
    bodies = {k: str(v["name"]) for k, v in partner_rows.items()}
    if assesses:
        bodies[AGENCY_SCOPE] = AGENCY_LABEL
    raw_body = str(data.get("partner") or "").strip()
    if raw_body == AGENCY_SCOPE and not assesses:
        check.fail(
            "partner",
            "The agency does not assess adopters itself, so it has no decision maker of its own: "
            "choose a partner, or first say that the agency assesses adopters",
        )
        body = ""
    else:
        body = check.choice("partner", raw_body, "Who they decide for", bodies)
    person = check.choice(
        "person",
        data.get("person"),
        "The decision maker",
        {k: v["name"] for k, v in people.items()},
    )
    role = check.choice(
        "role", data.get("role"), "Their role", {k.value: v for k, v in ROLE_LABELS.items()}
    )
    title = check.text("job_title", data.get("job_title"), "Job title", required=False)
    partner_id = None if body == AGENCY_SCOPE else int(body) if body in bodies else None
    if body in bodies and person in people:
        scoped = (
            people[person]["agency"]
            if partner_id is None
            else (partner_id in people[person]["partners"])
        )
        if not scoped:
            check.fail(
                "person",
                f"{people[person]['name']}'s account is not an ADM account for {bodies[body]}: "
                "add it to the authorities their account decides for first",
            )
    check.raise_if_any()
    who, where = str(people[person]["name"]), bodies[body]
    same_body = (
        AdmAssignment.partner.is_null()
        if partner_id is None
        else AdmAssignment.partner == partner_id
    )
    try:
        async with db.transaction():
            if await AdmAssignment.exists().where(
                same_body & (AdmAssignment.person == int(person))
            ):
                raise Conflict(f"{who} is already assigned for {where}", "person")
            if role == AdmRole.PRIMARY:
                held = await (
                    AdmAssignment.select(AdmAssignment.person.name.as_alias("name"))
                    .where(same_body & (AdmAssignment.role == AdmRole.PRIMARY))
                    .first()
                )
                if held is not None:
                    raise Conflict(_second_primary(where, str(held["name"]), who), "role")
            new_id: int = (
                await AdmAssignment.insert(
                    AdmAssignment(
                        partner=partner_id, person=int(person), role=role, job_title=title
                    )
                ).returning(AdmAssignment.id)
            )[0]["id"]
            await audit.record(
                actor,
                "create",
                "adm_assignment",
                new_id,
                path=path,
                summary=f"{who} is {ROLE_LABELS[AdmRole(role)]} for {where}",
            )
    except Exception as error:
        if db.is_clash(error):  # the unique indexes: someone assigned at the same moment
            raise Conflict(
                f"{where} already has a primary decision maker, or this one: someone else "
                "assigned them at the same moment. Check the assignments below",
                "role",
            ) from error
        raise
    return new_id


def _second_primary(where: str, held: str, who: str) -> str:
    return (
        f"{where} already has a primary decision maker, {held}. Only one primary for each: "
        f"assign {who} as deputy, or remove {held}'s assignment first"
    )


async def remove_assignment(
    actor: Actor, assignment_id: int, version: int, *, path: str = ""
) -> None:
    row = await AdmAssignment.select().where(AdmAssignment.id == assignment_id).first()
    if row is None:
        raise NotFound(f"No ADM assignment {assignment_id}")
    async with db.transaction():
        await AdmAbsence.delete().where(AdmAbsence.assignment == assignment_id)
        gone = (
            await AdmAssignment.delete()
            .where((AdmAssignment.id == assignment_id) & (AdmAssignment.version == version))
            .returning(AdmAssignment.id)
        )
        if not gone:
            raise Conflict(STALE_EDIT)
        await audit.record(actor, "delete", "adm_assignment", assignment_id, path=path, before=row)


async def add_absence(
    actor: Actor, assignment_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    if not await AdmAssignment.exists().where(AdmAssignment.id == assignment_id):
        raise NotFound(f"No ADM assignment {assignment_id}")
    check = Checker()
    first = check.day("from_day", data.get("from_day"), "First day away")
    last = check.day("to_day", data.get("to_day"), "Last day away")
    note = check.text("note", data.get("note"), "Note", required=False)
    if first and last and last < first:
        check.fail("to_day", "The last day away must be on or after the first")
    check.raise_if_any()
    assert first is not None and last is not None
    async with db.transaction():
        new_id: int = (
            await AdmAbsence.insert(
                AdmAbsence(assignment=assignment_id, from_day=first, to_day=last, note=note)
            ).returning(AdmAbsence.id)
        )[0]["id"]
        await audit.record(
            actor,
            "create",
            "adm_absence",
            new_id,
            path=path,
            summary=f"absent {first.isoformat()} to {last.isoformat()}",
        )
    return new_id


async def remove_absence(actor: Actor, absence_id: int, *, path: str = "") -> None:
    row = await AdmAbsence.select().where(AdmAbsence.id == absence_id).first()
    if row is None:
        raise NotFound(f"No absence {absence_id}")
    async with db.transaction():
        await AdmAbsence.delete().where(AdmAbsence.id == absence_id)
        await audit.record(actor, "delete", "adm_absence", absence_id, path=path, before=row)


# ---------------------------------------------------------------- routing


@dataclass(frozen=True, slots=True)
class Sat:
    """Who sat on the panel for one item, for the bar on deciding it (`routing.panel_bar`)."""

    for_item: frozenset[int]  # person ids of members present for any part of the item
    at_meeting: frozenset[int]  # person ids of members who sat at the meeting at all
    bar_whole_meeting: bool  # the agency's panel policy on the day of the meeting
    policy_version: int


async def sat_on_panel(meeting_id: int) -> dict[int, Sat]:
    """For each item of a meeting, who sat on the panel for it: from the attendance record
    (a member who left part-way through an item was there for part of it) and the members the
    recommendation counted."""
    from panel import services as panel_services

    state = await record.meeting_record(meeting_id)
    spells = [
        routing.Spell(a["person"], a["arrived_at"], a["left_at"])
        for a in state.attendance
        if a["member"] and a["arrived_at"] is not None and not a["apologies"]
    ]
    at_meeting = frozenset(s.person_id for s in spells)
    counted = await _counted_people(
        [i.record["present"] for i in state.items if i.record and i.record["present"]]
    )
    policy = await panel_services.policy_on(state.day)
    out = {}
    for item in state.items:
        whole: frozenset[int] = frozenset()
        if item.record and item.record["present"]:
            whole = frozenset(
                counted[m] for m in json.loads(item.record["present"]) if m in counted
            )
        out[item.id] = Sat(
            for_item=routing.present_for_any_part(spells, item.starts_at, item.ends_at) | whole,
            at_meeting=at_meeting,
            bar_whole_meeting=policy.switches.bar_all_members_at_meeting,
            policy_version=policy.version,
        )
    return out


async def _counted_people(present_json: list[str]) -> dict[int, int]:
    """Panel member id -> person id, for the members named in items' records."""
    member_ids = sorted({m for text in present_json for m in json.loads(text)})
    if not member_ids:
        return {}
    rows = await PanelMember.select(PanelMember.id, PanelMember.person).where(
        PanelMember.id.is_in(member_ids)
    )
    return {r["id"]: r["person"] for r in rows}


def _panel_item(
    sat: Sat | None, decided_by: DecidedBy, assessing: str | None, child: str | None
) -> routing.PanelItem:
    return routing.PanelItem(
        decided_by=decided_by,
        assessing_partner=assessing,
        child_partner=child,
        sat_on_panel=sat.for_item if sat else frozenset(),
        sat_at_meeting=sat.at_meeting if sat else frozenset(),
        bar_whole_meeting=sat.bar_whole_meeting if sat else True,
        policy_version=sat.policy_version if sat else None,
    )


async def route_meeting(actor: Actor, meeting_id: int, received_on: date) -> list[str]:
    """Refer every recommended item of a meeting whose minutes are final to its ADM."""
    rows = await ItemRecord.select(
        ItemRecord.item,
        ItemRecord.present,
        ItemRecord.item._.item_type._.decided_by.as_alias("decided_by"),
        ItemRecord.item._.item_type._.code.as_alias("code"),
        ItemRecord.item._.item_type._.name.as_alias("type_name"),
        ItemRecord.item._.item_type._.subject.as_alias("subject"),
        ItemRecord.item._.item_type._.category.as_alias("category"),
        ItemRecord.item._.item_type.as_alias("type_id"),
        ItemRecord.outcome,
        ItemRecord.meaning,
        ItemRecord.item._.assessing_partner._.code.as_alias("assessing"),
        ItemRecord.item._.assessed_by_agency.as_alias("by_agency"),
        ItemRecord.item._.child_partner._.code.as_alias("child"),
        ItemRecord.item._.case_reference.as_alias("case_reference"),
        ItemRecord.item._.meeting._.starts_at.as_alias("starts_at"),
    ).where(
        (ItemRecord.item._.meeting == meeting_id) & (ItemRecord.status == RecordStatus.RECOMMENDED)
    )
    everyone = await routing_assignments()
    codes: dict[str, int | None] = {p["code"]: p["id"] for p in await partners()}
    codes[routing.AGENCY] = None
    sat = await sat_on_panel(meeting_id) if rows else {}
    messages = []
    for row in rows:
        if await Referral.exists().where(Referral.item == row["item"]):
            continue
        recommended = await outcome_for(row["type_id"], row["outcome"])
        if recommended is not None and recommended.closes_without_decision:
            # "A full report is needed" on a brief report: the panel asks for a PAR and the ADM
            # decides nothing, so no decision clock runs.
            messages.append(
                f"{row['case_reference']} is not for decision: the panel recommended "
                f"'{row['outcome']}', which closes the case with no decision."
            )
            continue
        item = _panel_item(
            sat.get(row["item"]),
            _decided_by(row["decided_by"]),
            routing.AGENCY if row["by_agency"] else row["assessing"],
            row["child"],
        )
        verdict = routing.route(item, everyone, received_on)
        if verdict.outcome is routing.Routing.NOT_FOR_DECISION:
            continue
        if verdict.outcome is routing.Routing.REFUSED or verdict.adm is None:
            text = f"{row['case_reference']} was not routed: " + " ".join(verdict.reasons)
            messages.append(text)
            await audit.record(actor, "refused", "referral", row["item"], summary=text)
            continue
        meeting_on = clock.london(row["starts_at"]).date()
        category = category_of(row)
        async with db.transaction():
            referral_id = (
                await Referral.insert(
                    Referral(
                        item=row["item"],
                        partner=codes[verdict.partner_code or ""],
                        adm=verdict.adm.person_id,
                        deputy_used=verdict.deputy_used,
                        routing_reasons="\n".join(verdict.reasons),
                        category=category,
                        meeting_on=meeting_on,
                        received_on=received_on,
                    )
                ).returning(Referral.id)
            )[0]["id"]
            await audit.record(
                actor,
                "route",
                "referral",
                referral_id,
                summary=f"{row['case_reference']} referred to {verdict.adm.name} "
                f"({'deputy ' if verdict.deputy_used else ''}ADM for "
                f"{routing.body_name(verdict.partner_code or '')})",
            )
            email = (
                await Person.select(Person.email).where(Person.id == verdict.adm.person_id).first()
            )
            if email:
                await mail.queue(
                    f"referral:{referral_id}",
                    email["email"],
                    f"A panel recommendation for you to decide: {row['case_reference']}",
                    f"The final minutes of the panel on {long_date(meeting_on)} are approved. "
                    f"The recommendation on {row['case_reference']} is in your decision queue.",
                )
        messages.append(f"{row['case_reference']} referred to {verdict.adm.name}.")
    return messages


@dataclass(frozen=True, slots=True)
class Rerouted:
    moved: list[str]
    stuck: list[str]  # undecided items whose decision maker is away with nobody to take over


async def reroute_absent(actor: Actor, on: date | None = None, *, path: str = "") -> Rerouted:
    """Move each undecided referral whose decision maker is away on `on` (or no longer assigned)
    to whoever decides in their place. Safe to run twice or in two processes at once: a move
    is made only from the version it was worked out from."""
    on = on or clock.today()
    rows = await Referral.select(
        Referral.id,
        Referral.item,
        Referral.adm,
        Referral.version,
        Referral.routing_reasons,
        Referral.adm.name.as_alias("adm_name"),
        Referral.item._.case_reference.as_alias("case_reference"),
        Referral.item._.item_type._.decided_by.as_alias("decided_by"),
        Referral.item._.assessing_partner._.code.as_alias("assessing"),
        Referral.item._.assessed_by_agency.as_alias("by_agency"),
        Referral.item._.child_partner._.code.as_alias("child"),
        Referral.item._.meeting.as_alias("meeting_id"),
    ).where(Referral.status != ReferralStatus.DECIDED)
    result = Rerouted([], [])
    if not rows:
        return result
    everyone = await routing_assignments()
    sat: dict[int, Sat] = {}
    for meeting_id in sorted({r["meeting_id"] for r in rows}):
        sat.update(await sat_on_panel(meeting_id))
    for row in rows:
        item = _panel_item(
            sat.get(row["item"]),
            _decided_by(row["decided_by"]),
            routing.AGENCY if row["by_agency"] else row["assessing"],
            row["child"],
        )
        verdict = routing.reroute(item, everyone, row["adm"], on)
        if verdict is None:
            continue
        if verdict.outcome is not routing.Routing.ROUTED or verdict.adm is None:
            result.stuck.append(
                f"{row['case_reference']} stays with {row['adm_name']}: "
                + " ".join(verdict.reasons)
            )
            continue
        why = f"Moved to {verdict.adm.name} on {long_date(on)}: " + " ".join(verdict.reasons)
        async with db.transaction():
            moved = (
                await Referral.update(
                    {
                        Referral.adm: verdict.adm.person_id,
                        Referral.deputy_used: verdict.deputy_used,
                        Referral.routing_reasons: "\n".join(
                            r for r in (row["routing_reasons"], why) if r
                        ),
                        Referral.version: row["version"] + 1,
                    }
                )
                .where((Referral.id == row["id"]) & (Referral.version == row["version"]))
                .returning(Referral.id)
            )
            if not moved:
                continue  # changed meanwhile (decided, or moved by another process)
            await audit.record(
                actor,
                "reroute",
                "referral",
                row["id"],
                path=path,
                before={"adm": row["adm_name"]},
                after={"adm": verdict.adm.name},
                summary=f"{row['case_reference']}: {why}",
            )
            email = (
                await Person.select(Person.email).where(Person.id == verdict.adm.person_id).first()
            )
            if email:
                await mail.queue(
                    f"referral:{row['id']}:to:{verdict.adm.person_id}",
                    email["email"],
                    f"A panel recommendation for you to decide: {row['case_reference']}",
                    f"{row['adm_name']} is away, so the recommendation on "
                    f"{row['case_reference']} is now in your decision queue. The decision "
                    "is still due on the day it was due before.",
                )
        result.moved.append(f"{row['case_reference']} moved to {verdict.adm.name}.")
    return result


def _decided_by(value: str) -> DecidedBy:
    return DecidedBy(value) if value in DecidedBy.__members__.values() else DecidedBy.NONE


async def _route_hook(actor: Actor, meeting_id: int, day: date) -> None:
    await route_meeting(actor, meeting_id, day)


if _route_hook not in record.FINALISED_HOOKS:
    record.FINALISED_HOOKS.append(_route_hook)


# ---------------------------------------------------------------- reading referrals


@cache
def _referral_columns() -> tuple[Any, ...]:
    # Resolving joined columns costs Piccolo milliseconds a time: the queue, the clocks page and
    # the reminders ask for them on every call, so they are resolved once.
    return (
        *Referral.all_columns(),
        Referral.partner.code.as_alias("partner_code"),
        Referral.partner.name.as_alias("partner_name"),
        Referral.adm.name.as_alias("adm_name"),
        Referral.adm.email.as_alias("adm_email"),
        Referral.item._.case_reference.as_alias("case_reference"),
        Referral.item._.initials.as_alias("initials"),
        Referral.item._.meeting.as_alias("meeting_id"),
        Referral.item._.item_type._.name.as_alias("type_name"),
        Referral.item._.item_type._.recommendations.as_alias("recommendations"),
        Referral.item._.item_type.as_alias("type_id"),
    )


def _referral_query() -> Any:
    return Referral.select(*_referral_columns())


async def _calendar(first: date, last: date) -> WorkingCalendar:
    """The agency's calendar: what it counts its own work in (closure days skipped)."""
    return (await _calendars(first, last)).agency


async def _calendars(first: date, last: date) -> Calendars:
    """Both calendars, from one read of the closure days: each clock counts in the one it
    declares (statutory clocks ignore closure days, AAR reg 2)."""
    closures = [r["day"] for r in await ClosureDay.select(ClosureDay.day)]
    return calendars.working_calendars(range(first.year - 1, last.year + 2), closures)


async def _notes(referral_ids: Iterable[int]) -> dict[tuple[int, str], dict[str, Any]]:
    ids = list(referral_ids)
    if not ids:
        return {}
    return {
        (n["referral"], n["kind"]): n
        for n in await ClockNote.select()
        .where(ClockNote.referral.is_in(ids))
        .order_by(ClockNote.id)
    }


def responses_of(row: dict[str, Any], cals: Calendars) -> after_determination.Responses:
    """What is on record after a qualifying determination, with the last of the 40 working
    days beginning with the notice (the decision letter), from the clock's own rule."""
    notice = row["letter_sent_on"]
    last_day = (
        clocks.due_date(
            clocks.Clock(ClockKind.REPRESENTATIONS_OR_IRM, notice),
            cals,
            clocks.DEFAULT_CLOCK_POLICY,
        )
        if notice
        else None
    )
    return after_determination.Responses(
        notice_sent_on=notice,
        last_day=last_day,
        representations_on=row.get("representations_on"),
        irm_applied_on=row.get("irm_applied_on"),
        irm_recommended_on=row.get("irm_recommended_on"),
        referred_back_on=row.get("referred_back_on"),
        panel_recommended_on=row.get("panel_recommended_on"),
        final_decided_on=row.get("final_decided_on"),
    )


def _facts(row: dict[str, Any]) -> clocks.ItemFacts:
    responded = [d for d in (row.get("representations_on"), row.get("irm_applied_on")) if d]
    so_far = after_determination.Responses(
        notice_sent_on=row["letter_sent_on"],
        last_day=None,
        representations_on=row.get("representations_on"),
        irm_applied_on=row.get("irm_applied_on"),
        irm_recommended_on=row.get("irm_recommended_on"),
        referred_back_on=row.get("referred_back_on"),
        panel_recommended_on=row.get("panel_recommended_on"),
        final_decided_on=row.get("final_decided_on"),
    )
    return clocks.ItemFacts(
        representations_on=min(responded, default=None),
        final_decision_from=after_determination.final_decision_starts(so_far),
        final_decided_on=row.get("final_decided_on"),
        category=ItemCategory(row["category"]),
        meeting_on=row["meeting_on"],
        adm_received_on=row["received_on"],
        decided_on=row["decided_on"],
        qualifying_determination=row["qualifying"],
        told_orally_on=row["told_orally_on"],
        letter_sent_on=row["letter_sent_on"],
        parents_to_be_told=row["parents_to_be_told"],
        parents_told_orally_on=row["parents_told_orally_on"],
        parents_letter_sent_on=row["parents_letter_sent_on"],
    )


def _with_notes(clock_: clocks.Clock, note: dict[str, Any] | None) -> clocks.Clock:
    if note is None:
        return clock_
    pauses: tuple[clocks.Pause, ...] = ()
    if note["pause_from"] and clock_.kind not in clocks.COUNTED_BACK_FROM_MEETING:
        pauses = (clocks.Pause(note["pause_from"], note["pause_to"], note["pause_reason"]),)
    return clocks.Clock(
        clock_.kind, clock_.started_on, clock_.completed_on, pauses, note["breach_reason"]
    )


async def referral_rows(where: Any) -> list[dict[str, Any]]:
    return list(await _referral_query().where(where))


async def clock_notes(referral_ids: Iterable[int]) -> dict[tuple[int, str], dict[str, Any]]:
    return await _notes(referral_ids)


async def working_calendar_between(first: date, last: date) -> WorkingCalendar:
    return await _calendar(first, last)


async def working_calendars_between(first: date, last: date) -> Calendars:
    return await _calendars(first, last)


def item_clocks(
    row: dict[str, Any], notes: dict[tuple[int, str], dict[str, Any]]
) -> list[clocks.Clock]:
    """The clocks after the meeting for one referral, with its recorded pauses and breaches."""
    return [
        _with_notes(item_clock, notes.get((row["id"], item_clock.kind)))
        for item_clock in clocks.clocks_for_item(_facts(row))
        if item_clock.kind in AFTER_MEETING
    ]


@dataclass(frozen=True, slots=True)
class ClockRow:
    referral_id: int | None
    case_reference: str
    partner: str
    adm: str
    kind: ClockKind
    label: str
    status: clocks.ClockStatus
    item_id: int | None = None  # a clock before the panel: the item's clocks page


def evaluate_referral(
    row: dict[str, Any],
    notes: dict[tuple[int, str], dict[str, Any]],
    today: date,
    cals: Calendars,
) -> list[ClockRow]:
    out = []
    for clock_ in clocks.clocks_for_item(_facts(row)):
        if clock_.kind not in AFTER_MEETING:
            continue
        clock_ = _with_notes(clock_, notes.get((row["id"], clock_.kind)))
        status = clocks.evaluate(clock_, today, cals, clocks.DEFAULT_CLOCK_POLICY)
        out.append(
            ClockRow(
                row["id"],
                row["case_reference"],
                row["partner_name"] or AGENCY_LABEL,
                row["adm_name"],
                clock_.kind,
                clocks.LABELS[clock_.kind],
                status,
            )
        )
    return out


async def queue(
    person_id: int, partner_ids: Iterable[int], for_agency: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """The referrals routed to this person within their scope: the partners they decide for,
    and the agency's own items only where their account decides for the agency."""
    scope = list(partner_ids)
    if not scope and not for_agency:
        return {"open": [], "decided": []}
    within: Any = Referral.partner.is_in(scope) if scope else Referral.partner.is_null()
    if scope and for_agency:
        within = within | Referral.partner.is_null()
    mine = (Referral.adm == person_id) & within
    rows = await (
        _referral_query()
        .where(mine & (Referral.status != ReferralStatus.DECIDED))
        .order_by(Referral.received_on)
    )
    decided = await (
        _referral_query()
        .where(mine & (Referral.status == ReferralStatus.DECIDED))
        .order_by(Referral.decided_on, ascending=False)
        .limit(20)
    )
    today = clock.today()
    cals = await _calendars(today - timedelta(days=400), today)
    for row in (*rows, *decided):
        _name_the_agency(row)
    for row in rows:
        decision_clock = clocks.Clock(ClockKind.ADM_DECISION, row["received_on"])
        row["clock"] = clocks.evaluate(decision_clock, today, cals, clocks.DEFAULT_CLOCK_POLICY)
    return {"open": list(rows), "decided": list(decided)}


async def referral(referral_id: int) -> dict[str, Any]:
    row = await _referral_query().where(Referral.id == referral_id).first()
    if row is None:
        raise NotFound(f"No referral {referral_id}")
    result: dict[str, Any] = _name_the_agency(row)
    return result


def _name_the_agency(row: dict[str, Any]) -> dict[str, Any]:
    """A referral decided by the agency's own ADM has no partner: say so in its place."""
    if row.get("partner") is None:
        row["partner_code"], row["partner_name"] = routing.AGENCY, AGENCY_LABEL
    return row


async def referral_for(
    actor: Any, referral_id: int, *, path: str = "", action: str = "view"
) -> dict[str, Any]:
    """A referral the signed-in person may see: the ADM it is routed to (within their partners'
    scope), or panel staff. Every view is audited, and so is every refusal."""
    row = await referral(referral_id)
    roles: frozenset[Role] = getattr(actor, "roles", frozenset())
    staff = bool(roles & {Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR, Role.SYSTEM_ADMIN})
    in_scope = (
        getattr(actor, "adm_for_agency", False)
        if row["partner"] is None
        else row["partner"] in getattr(actor, "adm_partner_ids", frozenset())
    )
    routed = row["adm"] == getattr(actor, "person_id", None) and in_scope
    if not staff and not routed:
        await audit.record(
            actor,
            "refused",
            "referral",
            referral_id,
            path=path,
            summary="not routed to this decision maker",
        )
        raise Forbidden("This item is not routed to you.")
    await audit.record(actor, action, "referral", referral_id, path=path)
    return row


async def details(row: dict[str, Any]) -> dict[str, Any]:
    item = await ItemRecord.select().where(ItemRecord.item == row["item"]).first()
    decisions = list(
        await Decision.select(*Decision.all_columns(), Decision.decided_by.name.as_alias("by"))
        .where(Decision.referral == row["id"])
        .order_by(Decision.id)
    )
    today = clock.today()
    cals = await _calendars(row["meeting_on"], today)
    notes = await _notes([row["id"]])
    papers = await _papers(row["item"])
    # What the decision is made on: the item's entry in the minutes as they now stand, with the
    # panel's vote, each member's view and any dissent (until now only in the .docx extract).
    minutes, entry = await record.item_minutes(row["item"])
    return {
        "minutes": minutes,
        "entry": entry,
        "dissents": [v for v in entry.views if v.dissents],
        "minutes_final_on": await minutes_final_on(row),
        "record": item,
        "decisions": decisions,
        "clocks": evaluate_referral(row, notes, today, cals),
        "outcomes": record.allowed_outcomes(row["recommendations"]),
        "papers": papers,
        "letter_problem": (
            await letter_problem(row["id"]) if row["status"] == ReferralStatus.DECIDED else ""
        ),
        "addressee_named": letters.joined_names(to.people)
        if (to := await addressee(row["id"]))
        else "",
    }


async def _papers(item_id: int) -> list[dict[str, Any]]:
    from panel.tables import Paper

    return list(
        await Paper.select(Paper.id, Paper.title)
        .where(Paper.item == item_id)
        .order_by(Paper.position)
    )


# ---------------------------------------------------------------- decisions


async def minutes_final_on(row: dict[str, Any]) -> date | None:
    """The day the minutes of the referral's meeting became final (London time)."""
    minutes = (
        await Minutes.select(Minutes.finalised_at)
        .where(Minutes.meeting == row["meeting_id"])
        .first()
    )
    if minutes is None or minutes["finalised_at"] is None:
        return None
    return clock.london(minutes["finalised_at"]).date()


async def decide(
    actor: Any,
    referral_id: int,
    data: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    path: str = "",
) -> tuple[int, bool]:
    """Record an ADM's decision; returns its id and whether it was new (a retried request with
    the same idempotency key gets the first one back)."""
    if idempotency_key:
        earlier = (
            await Decision.select(Decision.id, Decision.referral)
            .where(Decision.idempotency_key == idempotency_key)
            .first()
        )
        if earlier is not None:
            if earlier["referral"] != referral_id:
                raise Conflict("That idempotency key was used for another item.")
            return earlier["id"], False
    row = await referral_for(actor, referral_id, path=path, action="open")
    if row["adm"] != actor.person_id:
        raise Forbidden("Only the decision maker this item is routed to may decide it.")
    if row["status"] == ReferralStatus.DECIDED:
        raise Conflict(
            f"This item was already decided on {long_date(row['decided_on'])}: nothing was "
            "changed. A decision cannot be recorded twice."
        )
    item = await ItemRecord.select().where(ItemRecord.item == row["item"]).first()
    assert item is not None
    everyone = await routing_assignments()
    check = Checker()
    verdict = check.choice(
        "verdict", data.get("verdict"), "Your decision", {k.value: v for k, v in VERDICTS.items()}
    )
    decided_on = check.day("decided_on", data.get("decided_on"), "Date of the decision")
    today = clock.today()
    if decided_on is not None:
        if decided_on < row["meeting_on"]:
            check.fail(
                "decided_on",
                f"The decision cannot be dated before the panel met on "
                f"{long_date(row['meeting_on'])}",
            )
        elif decided_on > today:
            check.fail("decided_on", "The decision cannot be dated in the future")
        elif (final := await minutes_final_on(row)) is not None and decided_on < final:
            # The ADM decides on the recommendation and the final minutes (DOMAIN.md section 6;
            # statutory guidance: 7 working days from receiving both).
            check.fail(
                "decided_on",
                f"The decision cannot be dated before the minutes became final on "
                f"{long_date(final)}: the decision follows the final minutes",
            )
    outcomes = record.allowed_outcomes(row["recommendations"])
    outcome = item["outcome"]
    departing = verdict in (Verdict.DISAGREE, Verdict.MORE_INFORMATION)
    if verdict == Verdict.DISAGREE:
        others = {o: o for o in outcomes if o != item["outcome"]}
        outcome = check.choice("outcome", data.get("outcome"), "What you decide instead", others)
    elif verdict == Verdict.MORE_INFORMATION:
        outcome = ""
    decided = await outcome_for(row["type_id"], outcome) if outcome else None
    qualifying = verdict != Verdict.MORE_INFORMATION and decided is not None and decided.qualifying
    tell_parents = verdict != Verdict.MORE_INFORMATION and places_child(decided)
    # Reasons are owed when the decision departs from the recommendation, and for every
    # qualifying determination whether or not the ADM agrees with the panel: its notice must
    # send them (AAR reg 30B(5)(a)-(b); Fostering Services (England) Regulations 2011 reg 27(6)).
    reasons = check.text(
        "reasons",
        data.get("reasons"),
        "The information you need" if verdict == Verdict.MORE_INFORMATION else "Your reasons",
        max_length=10_000,
        required=departing and not qualifying,
    )
    if qualifying and not reasons and "reasons" not in check.errors:
        check.fail(
            "reasons",
            "Enter your reasons: this is a qualifying determination, and its notice must send "
            "them whether or not you agree with the panel",
        )
    if str(data.get("version", row["version"])) != str(row["version"]):
        check.fail("verdict", STALE_EDIT)
    check.raise_if_any()
    assert decided_on is not None
    right = routing.may_decide(
        actor.person_id,
        row["partner_code"],
        # The referral fixed the deciding partner: check against that partner.
        _panel_item(
            (await sat_on_panel(row["meeting_id"])).get(row["item"]),
            DecidedBy.ASSESSING_AGENCY,
            row["partner_code"],
            row["partner_code"],
        ),
        everyone,
        decided_on,
    )
    if not right.allowed:
        raise Forbidden(" ".join(right.refusals))
    status = (
        ReferralStatus.MORE_INFORMATION
        if verdict == Verdict.MORE_INFORMATION
        else ReferralStatus.DECIDED
    )
    try:
        async with db.transaction():
            decision_id: int = (
                await Decision.insert(
                    Decision(
                        referral=referral_id,
                        verdict=verdict,
                        outcome=outcome,
                        meaning=(decided.meaning if decided else Meaning.MORE_INFORMATION).value,
                        letter=(decided.letter if decided else Letter.NONE).value,
                        decided_on=decided_on,
                        reasons=reasons,
                        qualifying=qualifying,
                        decided_by=actor.person_id,
                        idempotency_key=idempotency_key or None,
                    )
                ).returning(Decision.id)
            )[0]["id"]
            updated = (
                await Referral.update(
                    {
                        Referral.status: status,
                        Referral.decided_on: decided_on
                        if status == ReferralStatus.DECIDED
                        else None,
                        Referral.qualifying: qualifying,
                        Referral.parents_to_be_told: tell_parents,
                        Referral.version: row["version"] + 1,
                    }
                )
                .where((Referral.id == referral_id) & (Referral.version == row["version"]))
                .returning(Referral.id)
            )
            if not updated:
                raise Conflict(STALE_EDIT)
            await audit.record(
                actor,
                "decide",
                "referral",
                referral_id,
                path=path,
                summary=f"{row['case_reference']}: {VERDICTS[Verdict(verdict)].lower()}"
                + (f" - {outcome}" if outcome else "")
                + (" (qualifying determination)" if qualifying else ""),
                after={
                    "verdict": verdict,
                    "outcome": outcome,
                    "decided_on": decided_on,
                    "reasons": reasons,
                    "warnings": right.warnings,
                },
            )
    except (UniqueViolationError, sqlite3.IntegrityError):
        # The same key raced us from another request: hand back what that one recorded.
        earlier = (
            await Decision.select(Decision.id)
            .where(Decision.idempotency_key == idempotency_key)
            .first()
        )
        if earlier is None:
            raise
        return earlier["id"], False
    return decision_id, True


async def record_told(
    actor: Actor, referral_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    row = await referral(referral_id)
    if row["status"] != ReferralStatus.DECIDED:
        raise Conflict("The ADM has not decided this item yet: there is nothing to tell.")
    check = Checker()
    told = check.day(
        "told_orally_on", data.get("told_orally_on"), "Date told orally", required=False
    )
    sent = check.day(
        "letter_sent_on", data.get("letter_sent_on"), "Date the letter was sent", required=False
    )
    today = clock.today()
    for key, day in (("told_orally_on", told), ("letter_sent_on", sent)):
        if day is not None and day < row["decided_on"]:
            check.fail(key, f"This cannot be before the decision on {long_date(row['decided_on'])}")
        elif day is not None and day > today:
            check.fail(key, "This cannot be in the future")
    if told is None and sent is None:
        check.fail("told_orally_on", "Enter the date applicants were told, or the letter sent")
    if str(data.get("version", "")) != str(row["version"]):
        check.fail("told_orally_on", STALE_EDIT)
    check.raise_if_any()
    told = told or row["told_orally_on"]
    sent = sent or row["letter_sent_on"]
    still_open = (
        not everyone_told({**row, "told_orally_on": told, "letter_sent_on": sent})
        or row["qualifying"]
    )
    async with db.transaction():
        updated = (
            await Referral.update(
                {
                    Referral.told_orally_on: told,
                    Referral.letter_sent_on: sent,
                    Referral.open: still_open,
                    Referral.version: row["version"] + 1,
                }
            )
            .where((Referral.id == referral_id) & (Referral.version == row["version"]))
            .returning(Referral.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update",
            "referral",
            referral_id,
            path=path,
            summary=f"{row['case_reference']}: applicants told",
            after={"told_orally_on": told, "letter_sent_on": sent},
        )


def everyone_told(row: dict[str, Any]) -> bool:
    """Whether everyone the decision must be told to has been told, orally and in writing: the
    applicants, where the item's clocks include telling them, and the child's parent or guardian
    of a decision that the child should be placed (AAR reg 19(3))."""
    kinds = clocks.CLOCKS_BY_CATEGORY[ItemCategory(row["category"])]
    applicants = ClockKind.TOLD_ORALLY not in kinds or bool(
        row["told_orally_on"] and row["letter_sent_on"]
    )
    parents = not row["parents_to_be_told"] or bool(
        row["parents_told_orally_on"] and row["parents_letter_sent_on"]
    )
    return applicants and parents


async def record_parents_told(
    actor: Actor, referral_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """Record when the child's parent or guardian was told of a decision that the child should
    be placed for adoption, and when the letter was sent (AAR reg 19(3))."""
    row = await referral(referral_id)
    if row["status"] != ReferralStatus.DECIDED:
        raise Conflict("The ADM has not decided this item yet: there is nothing to tell.")
    if not row["parents_to_be_told"]:
        raise Conflict(
            "This decision is not that the child should be placed for adoption: the parent or "
            "guardian is not notified of it under AAR reg 19(3)."
        )
    check = Checker()
    told = check.day(
        "parents_told_orally_on", data.get("parents_told_orally_on"),
        "Date the parent or guardian was told", required=False,
    )  # fmt: skip
    sent = check.day(
        "parents_letter_sent_on", data.get("parents_letter_sent_on"),
        "Date the letter to the parent or guardian was sent", required=False,
    )  # fmt: skip
    today = clock.today()
    for key, day in (("parents_told_orally_on", told), ("parents_letter_sent_on", sent)):
        if day is not None and day < row["decided_on"]:
            check.fail(key, f"This cannot be before the decision on {long_date(row['decided_on'])}")
        elif day is not None and day > today:
            check.fail(key, "This cannot be in the future")
    if told is None and sent is None:
        check.fail(
            "parents_told_orally_on",
            "Enter the date the parent or guardian was told, or the letter sent",
        )
    check.raise_if_any()
    if str(data.get("version", "")) != str(row["version"]):
        raise Conflict(STALE_EDIT, "parents_told_orally_on")
    told = told or row["parents_told_orally_on"]
    sent = sent or row["parents_letter_sent_on"]
    after = {**row, "parents_told_orally_on": told, "parents_letter_sent_on": sent}
    async with db.transaction():
        updated = (
            await Referral.update(
                {
                    Referral.parents_told_orally_on: told,
                    Referral.parents_letter_sent_on: sent,
                    Referral.open: not everyone_told(after) or row["qualifying"],
                    Referral.version: row["version"] + 1,
                }
            )
            .where((Referral.id == referral_id) & (Referral.version == row["version"]))
            .returning(Referral.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor, "update", "referral", referral_id, path=path,
            summary=f"{row['case_reference']}: parent or guardian told",
            before={
                "parents_told_orally_on": row["parents_told_orally_on"],
                "parents_letter_sent_on": row["parents_letter_sent_on"],
            },
            after={"parents_told_orally_on": told, "parents_letter_sent_on": sent},
        )  # fmt: skip


async def record_breach(
    actor: Actor, referral_id: int, kind: str, reason: str, *, path: str = ""
) -> None:
    row = await referral(referral_id)
    check = Checker()
    kind = check.choice("kind", kind, "The clock", {k.value: v for k, v in clocks.LABELS.items()})
    text = check.text("breach_reason", reason, "Why the deadline was missed", max_length=2000)
    check.raise_if_any()
    async with db.transaction():
        existing = (
            await ClockNote.select(ClockNote.id)
            .where((ClockNote.referral == referral_id) & (ClockNote.kind == kind))
            .first()
        )
        if existing:
            await ClockNote.update({ClockNote.breach_reason: text}).where(
                ClockNote.id == existing["id"]
            )
        else:
            await ClockNote.insert(
                ClockNote(
                    referral=referral_id,
                    kind=kind,
                    breach_reason=text,
                    recorded_by=getattr(actor, "person_id", None),
                )
            )
        await audit.record(
            actor,
            "breach",
            "clock",
            f"{referral_id}:{kind}",
            path=path,
            summary=f"{row['case_reference']}: {clocks.LABELS[ClockKind(kind)]} missed - {text}",
        )


# ---------------------------------------------------------------- letters


async def letter(referral_id: int) -> tuple[str, bytes]:
    """The decision letter of a referral, or Conflict saying in plain words why it cannot be
    made (the page shows it; a letter never fails with a server error)."""
    row = await referral(referral_id)
    decision = (
        await Decision.select()
        .where((Decision.referral == referral_id) & (Decision.verdict != Verdict.MORE_INFORMATION))
        .order_by(Decision.id, ascending=False)
        .first()
    )
    if decision is None or row["status"] != ReferralStatus.DECIDED:
        raise Conflict("There is no decision yet to write a letter from.")
    kind = Letter(decision["letter"] or Letter.NONE)
    if kind is Letter.NONE:
        raise Conflict(
            f"No letter is generated for a '{decision['outcome']}' decision (the item type's "
            "outcomes say so): write it from the case record."
        )
    to = await addressee(referral_id)
    if to is None or not to.people or not to.address:
        raise Conflict(
            "The letter cannot be made yet: record the names and postal address of the people "
            "it goes to (Addressee, on this item's page)."
        )
    heading = await agency_details.letterhead()
    agency_address = heading.address if heading else ()
    if kind in NOTICE_LETTERS and not agency_address:
        raise Conflict(
            "The letter cannot be made yet: it must give the address for representations, and "
            "the agency's postal address is not recorded (Agency settings)."
        )
    reasons = tuple(p for p in decision["reasons"].split("\n\n") if p.strip())
    if kind in NOTICE_LETTERS and not reasons:
        # Decisions recorded before reasons were required for a qualifying determination.
        raise Conflict(
            "This qualifying determination was recorded without its reasons, and its letter "
            "must give them: write the letter from the case record, with the decision maker's "
            "reasons."
        )
    item = await ItemRecord.select(ItemRecord.outcome).where(ItemRecord.item == row["item"]).first()
    adm_role = await adm_job_title(row["adm"], row["partner"])
    dated = row["letter_sent_on"] or max(clock.today(), decision["decided_on"])
    respond_by = None
    if kind in NOTICE_LETTERS:
        # The letter is the written notice: its last day is the clock's, from the same rule.
        window = (
            ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM
            if kind is Letter.FOSTER_NOT_APPROVED
            else ClockKind.REPRESENTATIONS_OR_IRM
        )
        respond_by = clocks.due_date(
            clocks.Clock(window, dated),
            await _calendars(dated, dated + timedelta(days=120)),
            clocks.DEFAULT_CLOCK_POLICY,
        )
    try:
        content = letters.decision_letter(
            letters.Decision(
                agency_name=heading.name if heading else "The agency",
                agency_address=agency_address,
                # The agency's own decision maker decides for the agency: the letter names it.
                partner_name=row["partner_name"]
                if row["partner"]
                else (heading.name if heading else "the agency"),
                addressees=to.people,
                address=to.address,
                case_reference=row["case_reference"],
                meeting_date=row["meeting_on"],
                panel_recommendation=item["outcome"] if item else "",
                adm_name=row["adm_name"],
                adm_role=adm_role,
                decision_date=decision["decided_on"],
                letter=kind,
                reasons=reasons,
                agreed_with_panel=decision["verdict"] == Verdict.AGREE,
                letterhead=heading,
            ),
            dated=dated,
            respond_by=respond_by,
        )
    except letters.LetterProblem as problem:
        raise Conflict(f"The letter cannot be made: {problem}.") from None
    return f"decision-letter-{row['case_reference']}.docx", content


async def letter_problem(referral_id: int) -> str:
    """Why this referral's letter cannot be made now, or "" if it can."""
    try:
        await letter(referral_id)
    except Conflict as refused:
        return refused.message
    return ""


async def adm_job_title(person_id: int, partner_id: int | None) -> str:
    """How a letter signs the decision maker: their job title as ADM for that partner (None:
    for the agency itself)."""
    row = (
        await AdmAssignment.select(AdmAssignment.job_title)
        .where(
            (AdmAssignment.person == person_id)
            & (
                AdmAssignment.partner.is_null()
                if partner_id is None
                else AdmAssignment.partner == partner_id
            )
        )
        .first()
    )
    return (row or {}).get("job_title") or "Agency decision maker"


def _address_lines(address: str, postcode: str) -> tuple[str, ...]:
    lines = [line.strip() for line in (address or "").splitlines() if line.strip()]
    if postcode and postcode.strip():
        lines.append(postcode.strip().upper())
    return tuple(lines)


# ---------------------------------------------------------------- addressees


@dataclass(frozen=True, slots=True)
class LetterAddressee:
    people: tuple[letters.Addressee, ...]
    address: tuple[str, ...]  # postcode last
    version: int


async def addressee(referral_id: int) -> LetterAddressee | None:
    row = await Addressee.select().where(Addressee.referral == referral_id).first()
    if row is None:
        return None
    people = tuple(
        letters.Addressee(row[f"{n}_title"], row[f"{n}_forenames"], row[f"{n}_surname"])
        for n in ("first", "second")
        if row[f"{n}_surname"]
    )
    return LetterAddressee(people, _address_lines(row["address"], row["postcode"]), row["version"])


async def addressee_values(actor: Actor, referral_id: int, *, path: str = "") -> dict[str, Any]:
    """The addressee form's values; a view of personal data, so audited."""
    await referral(referral_id)
    row = await Addressee.select().where(Addressee.referral == referral_id).first()
    await audit.record(actor, "view", "addressee", referral_id, path=path)
    return dict(row) if row else {"version": 0}


_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


async def save_addressee(
    actor: Actor, referral_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    row = await referral(referral_id)
    existing = await Addressee.select().where(Addressee.referral == referral_id).first()
    check = Checker()
    values: dict[str, Any] = {}
    for n, who in (("first", "First person"), ("second", "Second person (a couple)")):
        required = n == "first"
        values[f"{n}_title"] = check.text(
            f"{n}_title", data.get(f"{n}_title"), f"{who}: title", max_length=20, required=False
        )
        values[f"{n}_forenames"] = check.text(
            f"{n}_forenames", data.get(f"{n}_forenames"), f"{who}: first names",
            max_length=100, required=False,
        )  # fmt: skip
        values[f"{n}_surname"] = check.text(
            f"{n}_surname", data.get(f"{n}_surname"), f"{who}: surname",
            max_length=100, required=required,
        )  # fmt: skip
        if (
            not required
            and not values[f"{n}_surname"]
            and (values[f"{n}_title"] or values[f"{n}_forenames"])
        ):
            check.fail(f"{n}_surname", f"Enter {who.lower()}: surname, or leave the title empty")
    address = check.text("address", data.get("address"), "Address", max_length=500)
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if len(lines) > 6:
        check.fail("address", "The address must be 6 lines or fewer, without the postcode")
    postcode = re.sub(r"\s+", " ", str(data.get("postcode") or "").strip().upper())
    if not _POSTCODE.match(postcode):
        check.fail("postcode", "Enter a real postcode, like NR1 2DH")
    version = int(existing["version"]) if existing else 0
    if str(data.get("version", "")) != str(version):
        raise Conflict(STALE_EDIT, "first_surname")
    check.raise_if_any()
    values.update(
        address="\n".join(lines),
        postcode=postcode,
        updated_by=getattr(actor, "person_id", None),
        updated_at=clock.now(),
    )
    async with db.transaction():
        if existing is None:
            await Addressee.insert(Addressee(referral=referral_id, version=1, **values))
        else:
            updated = (
                await Addressee.update(
                    {getattr(Addressee, k): v for k, v in values.items()}
                    | {Addressee.version: version + 1}
                )
                .where((Addressee.id == existing["id"]) & (Addressee.version == version))
                .returning(Addressee.id)
            )
            if not updated:
                raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update" if existing else "create",
            "addressee",
            referral_id,
            path=path,
            summary=f"{row['case_reference']}: addressee for letters",
        )


async def parent_letter(referral_id: int) -> tuple[str, bytes]:
    """The letter telling the child's parent or guardian of a decision that the child should be
    placed for adoption (AAR reg 19(3)); a decision that needs none says so (409)."""
    row = await referral(referral_id)
    if row["status"] != ReferralStatus.DECIDED or not row["parents_to_be_told"]:
        raise Conflict(
            "There is no decision that the child should be placed for adoption to tell the "
            "parent or guardian of."
        )
    from panel.rules.conflicts import Role as PartyRole
    from panel.tables import ItemParty

    parents = tuple(
        r["name"]
        for r in await ItemParty.select(ItemParty.name)
        .where((ItemParty.item == row["item"]) & (ItemParty.role == PartyRole.BIRTH_RELATIVE))
        .order_by(ItemParty.id)
    )
    heading = await agency_details.letterhead()
    adm_role = await adm_job_title(row["adm"], row["partner"])
    dated = row["parents_letter_sent_on"] or max(clock.today(), row["decided_on"])
    content = letters.parent_letter(
        letters.ParentNotice(
            agency_name=heading.name if heading else "The agency",
            agency_address=heading.address if heading else (),
            letterhead=heading,
            partner_name=row["partner_name"],
            addressees=parents or ("The child's parent or guardian",),
            address=("Address held on the child's case record",),
            case_reference=row["case_reference"],
            child=row["initials"] or "your child",
            meeting_date=row["meeting_on"],
            adm_name=row["adm_name"],
            adm_role=adm_role,
            decision_date=row["decided_on"],
            told_orally_on=row["parents_told_orally_on"],
        ),
        dated=dated,
    )
    return f"parent-letter-{row['case_reference']}.docx", content


# ---------------------------------------------------------------- the clocks dashboard


@dataclass(frozen=True, slots=True)
class ClockFilter:
    state: str = ""
    partner: int | None = None
    kind: str = ""
    adm: int | None = None


async def running_clocks(filters: ClockFilter, today: date | None = None) -> list[ClockRow]:
    today = today or clock.today()
    recent = today - timedelta(days=RECENT_DAYS)
    # Open items, and those closed lately, so a clock just met is still there to see.
    query = _referral_query().where(
        (Referral.open == True)  # noqa: E712 - SQL
        | (Referral.letter_sent_on >= recent)
        | (Referral.parents_letter_sent_on >= recent)
    )
    if filters.partner:
        query = query.where(Referral.partner == filters.partner)
    if filters.adm:
        query = query.where(Referral.adm == filters.adm)
    from adm import before_panel  # it reads the item types and rows through this module

    # The reads do not depend on each other but for the calendar: they run at once (never call
    # this in a transaction, whose one connection cannot take two queries together).
    back = today - timedelta(days=200)
    cals = await _calendars(back, today)

    async def referred() -> list[ClockRow]:
        rows = await query.order_by(Referral.received_on)
        first = min((r["meeting_on"] for r in rows), default=today)
        # An item open for well over a year needs the bank holidays of its first year too.
        their_cals = await _calendars(first, today) if first.year < back.year else cals
        notes = await _notes(r["id"] for r in rows)
        return [c for row in rows for c in evaluate_referral(row, notes, today, their_cals)]

    everyone = not filters.partner and not filters.adm
    after, before, awaiting, feedback = await asyncio.gather(
        referred(),
        before_panel.clock_rows(filters, today, cals),
        _awaiting_minutes(today, cals) if everyone else _no_rows(),
        _feedback_clock(today, cals) if everyone else _no_row(),
    )
    out: list[ClockRow] = [*after, *before, *awaiting]
    if feedback is not None:
        out.append(feedback)
    shown = [c for c in out if c.status.state is not ClockState.NOT_STARTED]
    if not filters.state:  # the default: what still needs watching or doing; met on asking
        shown = [c for c in shown if c.status.state is not ClockState.MET]
    elif filters.state != ALL_STATES:
        shown = [c for c in shown if c.status.state == filters.state]
    if filters.kind:
        shown = [c for c in shown if c.kind == filters.kind]
    order = {
        ClockState.MISSED: 0,
        ClockState.DUE_SOON: 1,
        ClockState.PAUSED: 2,
        ClockState.RUNNING: 3,
    }
    shown.sort(key=lambda c: (order.get(c.status.state, 9), c.status.due_on or date.max))
    return shown


async def _no_rows() -> list[ClockRow]:
    return []


async def _no_row() -> ClockRow | None:
    return None


async def _awaiting_minutes(today: date, cals: Calendars) -> list[ClockRow]:
    # Items recommended at a meeting whose minutes are not yet final: the minutes clock runs.
    referred = Referral.select(Referral.item)
    rows = await ItemRecord.select(
        ItemRecord.item,
        ItemRecord.item._.case_reference.as_alias("case_reference"),
        ItemRecord.item._.meeting._.starts_at.as_alias("starts_at"),
        ItemRecord.item._.item_type._.decided_by.as_alias("decided_by"),
    ).where((ItemRecord.status == RecordStatus.RECOMMENDED) & ItemRecord.item.not_in(referred))
    out = []
    for row in rows:
        if row["decided_by"] == DecidedBy.NONE:
            continue
        day = clock.london(row["starts_at"]).date()
        status = clocks.evaluate(
            clocks.Clock(ClockKind.FINAL_MINUTES_TO_ADM, day),
            today,
            cals,
            clocks.DEFAULT_CLOCK_POLICY,
        )
        out.append(
            ClockRow(
                None,
                row["case_reference"],
                "",
                "Not routed yet",
                ClockKind.FINAL_MINUTES_TO_ADM,
                clocks.LABELS[ClockKind.FINAL_MINUTES_TO_ADM],
                status,
            )
        )
    return out


async def _feedback_clock(today: date, cals: Calendars) -> ClockRow:
    last = await record.last_quality_report()
    if last is None:
        first = (
            await ItemRecord.select(ItemRecord.recorded_at).order_by(ItemRecord.recorded_at).first()
        )
        last = clock.london(first["recorded_at"]).date() if first else None
    status = clocks.evaluate(
        clocks.Clock(ClockKind.PANEL_FEEDBACK, last), today, cals, clocks.DEFAULT_CLOCK_POLICY
    )
    return ClockRow(
        None,
        "Panel QA report (NMS 17.2)",
        "",
        "Panel adviser",
        ClockKind.PANEL_FEEDBACK,
        clocks.LABELS[ClockKind.PANEL_FEEDBACK],
        status,
    )


async def close_finished(today: date) -> int:
    """Close referrals whose every clock has ended (the representations window included)."""
    rows = await _referral_query().where(
        (Referral.open == True)  # noqa: E712 - SQL, not Python
        & (Referral.status == ReferralStatus.DECIDED)
    )
    cals = await _calendars(today - timedelta(days=400), today)
    closed = 0
    for row in rows:
        if not everyone_told(row):
            continue
        states = [c.status.state for c in evaluate_referral(row, {}, today, cals)]
        # After a qualifying determination it stays open while representations, the IRM,
        # the panel again or the final decision are awaited (AAR reg 30B(6)-(9)).
        waiting = row["qualifying"] and after_determination.pending(responses_of(row, cals), today)
        if not waiting and all(s in (ClockState.MET, ClockState.MISSED) for s in states):
            await Referral.update({Referral.open: False}).where(Referral.id == row["id"])
            closed += 1
    return closed


# ---------------------------------------------------------------- reminders and escalation


async def send_reminders(settings: Settings | None = None, today: date | None = None) -> int:
    """Remind each ADM two working days before a decision is due; tell the advisers and the
    head of service when a clock is missed. Each message is claimed first, so running twice or
    in several processes sends it once."""
    from adm import before_panel  # it reads item types and clock rows through this module

    today = today or clock.today()
    sent = 0
    # An ADM whose leave starts today hands their undecided items to the deputy first.
    await reroute_absent(SYSTEM, today)
    rows = await _referral_query().where(Referral.open == True)  # noqa: E712
    cals = await _calendars(today - timedelta(days=400), today)
    notes = await _notes(r["id"] for r in rows)
    missed: list[tuple[str, ClockRow]] = []
    reminders: list[tuple[str, ClockRow]] = []  # the advisers': telling a parent or guardian
    for row in rows:
        for c in evaluate_referral(row, notes, today, cals):
            status = c.status
            if (
                c.kind is ClockKind.ADM_DECISION
                and status.state is ClockState.DUE_SOON
                and status.due_on is not None
            ):
                key = f"remind:{row['id']}:{status.due_on.isoformat()}"
                if await jobs.claim(REMINDER_JOB, key):
                    await mail.queue(
                        f"{REMINDER_JOB}:{key}",
                        row["adm_email"],
                        f"Decision due by {long_date(status.due_on)}: {row['case_reference']}",
                        f"The panel's recommendation on {row['case_reference']} needs your "
                        f"decision by {long_date(status.due_on)} (7 working days from receipt).",
                    )
                    await jobs.finish(REMINDER_JOB, key)
                    sent += 1
            if (
                c.kind in clocks.PARENTS_TOLD
                and status.state is ClockState.DUE_SOON
                and status.due_on is not None
            ):
                reminders.append((f"remind-parents:{row['id']}:{c.kind.value}", c))
            if status.needs_breach_reason:
                missed.append((f"missed:{row['id']}:{c.kind.value}", c))
    for c in await before_panel.clock_rows(ClockFilter(), today, cals):
        if c.status.needs_breach_reason:
            missed.append((f"missed-item:{c.item_id}:{c.kind.value}", c))
    advisers: list[str] | None = None
    for key, c in reminders:
        assert c.status.due_on is not None
        key = f"{key}:{c.status.due_on.isoformat()}"
        if await jobs.claim(REMINDER_JOB, key):
            if advisers is None:
                advisers = sorted({r["email"] for r in await escalation.advisers()})
            for address in advisers:
                await mail.queue(
                    f"{REMINDER_JOB}:{key}:{address}",
                    address,
                    f"Due by {long_date(c.status.due_on)}: {c.label}, {c.case_reference}",
                    f"{c.status.reason}\nThe ADM decided the child should be placed for "
                    "adoption: the parent or guardian must be told (AAR reg 19(3)). Record it on "
                    "the item's page when it is done.",
                )
            await jobs.finish(REMINDER_JOB, key)
            sent += 1
    escalate_to: list[str] | None = None
    for key, c in missed:
        if await jobs.claim(REMINDER_JOB, key):
            escalate_to = escalate_to if escalate_to is not None else await escalation.recipients()
            for address in escalate_to:
                await mail.queue(
                    f"{REMINDER_JOB}:{key}:{address}",
                    address,
                    f"Clock missed: {c.label}, {c.case_reference}",
                    f"{c.status.reason}\nRecord the reason on the clocks page.",
                )
            await jobs.finish(REMINDER_JOB, key)
            sent += 1
    if await jobs.claim(REMINDER_JOB, f"close:{today.isoformat()}"):
        await close_finished(today)
    return sent


async def _reminder_job(settings: Settings) -> None:
    await send_reminders(settings)


jobs.register(REMINDER_JOB, _reminder_job)


# ---------------------------------------------------------------- the API


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def referral_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "case_reference": row["case_reference"],
        "item_type": row["type_name"],
        "partner": row["partner_code"],
        "adm": row["adm_name"],
        "deputy_used": row["deputy_used"],
        "meeting_on": row["meeting_on"].isoformat(),
        "received_on": row["received_on"].isoformat(),
        "status": row["status"],
        "decided_on": row["decided_on"].isoformat() if row["decided_on"] else None,
        "qualifying_determination": row["qualifying"],
        # What followed a qualifying determination (AAR reg 30B(5)-(10)).
        **{
            key: row[key].isoformat() if row.get(key) else None
            for key in (
                "representations_on",
                "irm_applied_on",
                "irm_recommended_on",
                "referred_back_on",
                "panel_recommended_on",
                "final_decided_on",
            )
        },
        "final_outcome": row.get("final_outcome") or None,
        # AAR reg 19(3): a should-be-placed decision is notified to the parent or guardian.
        "parents_to_be_told": row["parents_to_be_told"],
        "parents_told_orally_on": _iso(row["parents_told_orally_on"]),
        "parents_letter_sent_on": _iso(row["parents_letter_sent_on"]),
        "version": row["version"],
    }


async def partner_referrals(actor: Any, partner_id: int) -> list[dict[str, Any]]:
    query = _referral_query().where(Referral.partner == partner_id)
    roles: frozenset[Role] = getattr(actor, "roles", frozenset())
    if not roles & {Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR, Role.SYSTEM_ADMIN}:
        query = query.where(Referral.adm == actor.person_id)
    rows = await query.order_by(Referral.received_on, ascending=False).limit(500)
    await audit.record(actor, "view", "referrals", partner_id, summary="API list")
    return [referral_json(r) for r in rows]


async def item_type_rows() -> list[dict[str, Any]]:
    return list(await ItemType.select().order_by(ItemType.position))


async def agenda_published(meeting_id: int) -> date | None:
    row = await Agenda.select(Agenda.published_at).where(Agenda.meeting == meeting_id).first()
    if row is None or row["published_at"] is None:
        return None
    return clock.london(row["published_at"]).date()


async def paper(
    settings: Settings, item_id: int, paper_id: int, *, original: bool = False
) -> tuple[str, str, bytes]:
    """The newest version of one of the item's papers: (file name, media type, content); its
    clean copy unless original (for the panel's advisers and administrators only)."""
    from panel.tables import Paper, PaperVersion

    found = await Paper.select(Paper.id).where((Paper.id == paper_id) & (Paper.item == item_id))
    if not found:
        raise NotFound(f"No paper {paper_id} on this item")
    version = (
        await PaperVersion.select()
        .where(PaperVersion.paper == paper_id)
        .order_by(PaperVersion.number, ascending=False)
        .first()
    )
    if version is None:
        raise NotFound("No file has been uploaded for this paper yet")
    try:
        content = (
            await agenda.stored_paper(settings, version["sha256"])
            if original
            else await agenda.members_copy(
                settings, dict(version), title=version["file_name"], item_number=item_id
            )
        )
    except PaperUnsafe as unsafe:
        raise Conflict(f"{unsafe.paper_title} {unsafe.reason}", "paper") from None
    media = (
        "application/pdf"
        if version["kind"] == "pdf"
        else ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    )
    return version["file_name"], media, content


async def pause_clock(
    actor: Actor, referral_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """Pause one clock of an item (applicants asked for delay, say) or end its pause."""
    row = await referral(referral_id)
    check = Checker()
    pausable = {
        k.value: clocks.LABELS[k]
        for k in AFTER_MEETING
        if k not in clocks.COUNTED_BACK_FROM_MEETING
    }
    kind = check.choice("pause_kind", data.get("pause_kind"), "The clock to pause", pausable)
    first = check.day("pause_from", data.get("pause_from"), "First day paused")
    last = check.day("pause_to", data.get("pause_to"), "Last day paused", required=False)
    reason = check.text("pause_reason", data.get("pause_reason"), "Why the clock is paused",
                        max_length=500)  # fmt: skip
    if first and last and last < first:
        check.fail("pause_to", "The pause cannot end before it starts")
    if first and first < row["meeting_on"]:
        check.fail("pause_from", "The pause cannot start before the panel met")
    check.raise_if_any()
    async with db.transaction():
        existing = (
            await ClockNote.select(ClockNote.id)
            .where((ClockNote.referral == referral_id) & (ClockNote.kind == kind))
            .first()
        )
        values: dict[Any, Any] = {
            ClockNote.pause_from: first,
            ClockNote.pause_to: last,
            ClockNote.pause_reason: reason,
        }
        if existing:
            await ClockNote.update(values).where(ClockNote.id == existing["id"])
        else:
            await ClockNote.insert(
                ClockNote(
                    referral=referral_id, kind=kind, pause_from=first, pause_to=last,
                    pause_reason=reason, recorded_by=getattr(actor, "person_id", None),
                )
            )  # fmt: skip
        await audit.record(
            actor, "pause", "clock", f"{referral_id}:{kind}", path=path,
            summary=f"{row['case_reference']}: {pausable[kind]} paused from {first} to "
            f"{last or 'further notice'} - {reason}",
        )  # fmt: skip
