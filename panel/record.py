"""The meeting record: attendance spells, declarations, per-item quorum, recommendations, QA
ratings and the minutes assembled from them, approved by the chair, then final and locked."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from governance import agency as agency_details
from governance import audit, clock, db
from governance import services as accounts
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, Invalid, NotFound
from governance.rules import workdays
from governance.tables import Partner, Person
from governance.validate import Checker
from panel import minutes as documents
from panel import placement, services
from panel.rules import quorum
from panel.rules.members import SEAT_LABELS, Member, counts
from panel.rules.placement import is_match_recommended
from panel.tables import (
    AgendaItem,
    Attendance,
    Declaration,
    ItemRecord,
    ItemStatus,
    ItemType,
    Meeting,
    MeetingStatus,
    MemberView,
    Minutes,
    MinutesState,
    MinutesVersion,
    PanelMember,
    Paper,
    QualityRating,
    QualityReport,
    RecordStatus,
    Sitting,
    SittingStatus,
    Withdrawal,
)

# Called with (actor, meeting id, day) when minutes become final; adm routes the items from here
# (panel never imports adm).
FinalisedHook = Callable[[Actor, int, date], Awaitable[None]]
FINALISED_HOOKS: list[FinalisedHook] = []

ADVICE_FIELDS: dict[str, dict[str, str]] = {
    "adopters": {
        "number_of_children": "Number of children",
        "age_range": "Age range",
        "sex": "Sex",
        "needs": "Needs the adopters could meet",
    },
    "match": {
        "contact": "Contact",
        "support": "Adoption support",
        "parental_responsibility": "Parental responsibility",
    },
    "child": {"contact": "Contact"},
    "information": {},
}
GRADES = {g.value: g.value.capitalize() for g in documents.Grade}


def _is_deferral(line: str) -> bool:
    return line.strip().lower().startswith("defer")


def allowed_outcomes(recommendations: str) -> list[str]:
    """The item type's recommendations other than deferral, which every item may take."""
    return [
        line.strip()
        for line in recommendations.splitlines()
        if line.strip() and not _is_deferral(line)
    ]


def advice_kind(type_row: dict[str, Any]) -> str:
    if type_row["subject"] == "information" or type_row["decided_by"] == "none":
        return "information"
    # The type says what it is (ItemType.category), not its words.
    if type_row["category"] == "match":
        return "match"
    return "child" if type_row["subject"] == "child" else "adopters"


# ---------------------------------------------------------------- reading the record


@dataclass
class ItemView:
    id: int
    number: int
    title: str
    row: dict[str, Any]
    type: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    verdict: quorum.Verdict
    present: list[Member]
    withdrawn: dict[int, str]  # member id -> why
    declarations: list[dict[str, Any]]
    record: dict[str, Any] | None
    views: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def outcomes(self) -> list[str]:
        return allowed_outcomes(self.type["recommendations"])

    @property
    def advice_fields(self) -> dict[str, str]:
        return ADVICE_FIELDS[advice_kind(self.type)]

    @property
    def advice(self) -> dict[str, str]:
        if not self.record or not self.record["advice"]:
            return {}
        loaded: dict[str, str] = json.loads(self.record["advice"])
        return loaded


@dataclass
class MeetingRecord:
    meeting: dict[str, Any]
    day: date
    attendance: list[dict[str, Any]]
    roster: list[dict[str, Any]]  # members on the roster, with their attendance if recorded
    items: list[ItemView]
    policy_version: int
    minutes: dict[str, Any] | None
    chair_person_id: int | None

    @property
    def locked(self) -> bool:
        return bool(self.minutes and self.minutes["state"] == MinutesState.FINAL)

    def item(self, item_id: int) -> ItemView:
        for item in self.items:
            if item.id == item_id:
                return item
        raise NotFound(f"No item {item_id} at this meeting")


async def _members(ids: list[int]) -> dict[int, Member]:
    if not ids:
        return {}
    rows = await services._member_query().where(PanelMember.id.is_in(ids))
    return {row["id"]: services._member_of(row) for row in rows}


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(clock.LONDON)


async def meeting_record(meeting_id: int) -> MeetingRecord:
    meeting = await Meeting.select().where(Meeting.id == meeting_id).first()
    if meeting is None:
        raise NotFound(f"No meeting {meeting_id}")
    starts = _local(meeting["starts_at"])
    ends = _local(meeting["ends_at"])
    assert starts is not None and ends is not None
    day = starts.date()
    attendance = list(
        await Attendance.select(*Attendance.all_columns(), Attendance.person.name.as_alias("name"))
        .where(Attendance.meeting == meeting_id)
        .order_by(Attendance.id)
    )
    for row in attendance:
        row["arrived_at"] = _local(row["arrived_at"])
        row["left_at"] = _local(row["left_at"])
    sittings = await Sitting.select(
        Sitting.member,
        Sitting.member._.person.as_alias("person"),
        Sitting.member._.person._.name.as_alias("name"),
    ).where(
        (Sitting.meeting == meeting_id)
        & Sitting.status.is_in([SittingStatus.ACCEPTED, SittingStatus.INVITED])
    )
    member_ids = sorted(
        {s["member"] for s in sittings} | {a["member"] for a in attendance if a["member"]}
    )
    members = await _members(member_ids)
    by_member = {a["member"]: a for a in attendance if a["member"]}
    roster = []
    for member_id in member_ids:
        member = members[member_id]
        seats = ", ".join(SEAT_LABELS[s] for s in sorted(member.seats))
        roster.append(
            {
                "member_id": member_id,
                "name": member.name,
                "seats": seats,
                "attendance": by_member.get(member_id),
            }
        )
    policy = await services.policy_on(day)
    quorum_policy = policy.quorum
    spells = [
        quorum.Attendance(members[a["member"]], a["arrived_at"], a["left_at"])
        for a in attendance
        if a["member"] in members and a["arrived_at"] is not None and not a["apologies"]
    ]
    items_rows = await (
        AgendaItem.select(
            *AgendaItem.all_columns(),
            AgendaItem.child_partner.code.as_alias("child_code"),
            AgendaItem.assessing_partner.code.as_alias("assessing_code"),
        )
        .where(AgendaItem.meeting == meeting_id)
        .order_by(AgendaItem.position)
        .order_by(AgendaItem.id)
    )
    type_ids = {r["item_type"] for r in items_rows}
    types = (
        {
            t["id"]: t
            for t in (await ItemType.select().where(ItemType.id.is_in(list(type_ids))))
            if type_ids
        }
        if type_ids
        else {}
    )
    item_ids = [r["id"] for r in items_rows]
    withdrawals = (
        await Withdrawal.select().where(Withdrawal.item.is_in(item_ids)) if item_ids else []
    )
    declarations = (
        await Declaration.select(
            *Declaration.all_columns(), Declaration.member._.person._.name.as_alias("name")
        )
        .where(Declaration.item.is_in(item_ids))
        .order_by(Declaration.id)
        if item_ids
        else []
    )
    records = (
        {r["item"]: r for r in await ItemRecord.select().where(ItemRecord.item.is_in(item_ids))}
        if item_ids
        else {}
    )
    record_ids = [r["id"] for r in records.values()]
    views = (
        await MemberView.select(
            *MemberView.all_columns(), MemberView.member._.person._.name.as_alias("name")
        )
        .where(MemberView.record.is_in(record_ids))
        .order_by(MemberView.id)
        if record_ids
        else []
    )
    ratings = (
        await QualityRating.select(
            *QualityRating.all_columns(), QualityRating.member._.person._.name.as_alias("name")
        ).where(QualityRating.item.is_in(item_ids))
        if item_ids
        else []
    )
    cursor = starts
    items = []
    for number, row in enumerate(items_rows, start=1):
        kind = types[row["item_type"]]
        record = records.get(row["id"])
        slot = timedelta(minutes=kind["minutes"] or 45)
        start = _local((record or {}).get("started_at")) or _local(row["starts_at"]) or cursor
        end = _local((record or {}).get("ended_at")) or _local(row["ends_at"]) or start + slot
        cursor = max(cursor, end)
        withdrawn = {
            w["member"]: w["reason"] or "conflict of interest"
            for w in withdrawals
            if w["item"] == row["id"]
        }
        for d in declarations:
            if d["item"] == row["id"] and d["withdrew"]:
                withdrawn[d["member"]] = d["interest"] or "declared an interest"
        present = list(quorum.present_for_item(spells, start, end, set(withdrawn)))
        verdict = quorum.check(present, quorum_policy)
        title = row["case_reference"] + (f" ({row['initials']})" if row["initials"] else "")
        items.append(
            ItemView(
                id=row["id"],
                number=number,
                title=f"{kind['name']}: {title}",
                row=row,
                type=kind,
                starts_at=start,
                ends_at=end,
                verdict=verdict,
                present=[m for m in present if counts(m)],
                withdrawn=withdrawn,
                declarations=[d for d in declarations if d["item"] == row["id"]],
                record=record,
                views=[v for v in views if record and v["record"] == record["id"]],
                ratings=[r for r in ratings if r["item"] == row["id"]],
            )
        )
    minutes = await Minutes.select().where(Minutes.meeting == meeting_id).first()
    chair_person = None
    if meeting["chair"]:
        chair = (
            await PanelMember.select(PanelMember.person)
            .where(PanelMember.id == meeting["chair"])
            .first()
        )
        chair_person = chair["person"] if chair else None
    meeting["starts_at"], meeting["ends_at"] = starts, ends
    return MeetingRecord(
        meeting=meeting,
        day=day,
        attendance=attendance,
        roster=roster,
        items=items,
        policy_version=quorum_policy.version,
        minutes=minutes,
        chair_person_id=chair_person,
    )


async def held_meetings(limit: int = 50) -> list[dict[str, Any]]:
    rows = await (
        Meeting.select(Meeting.id, Meeting.starts_at, Meeting.status, Meeting.venue)
        .where(Meeting.status != MeetingStatus.CANCELLED)
        .where(Meeting.starts_at <= clock.now() + timedelta(days=1))
        .order_by(Meeting.starts_at, ascending=False)
        .limit(limit)
    )
    states = (
        {
            m["meeting"]: m["state"]
            for m in await Minutes.select(Minutes.meeting, Minutes.state).where(
                Minutes.meeting.is_in([r["id"] for r in rows])
            )
        }
        if rows
        else {}
    )
    for row in rows:
        row["starts_at"] = _local(row["starts_at"])
        row["minutes_state"] = states.get(row["id"], "")
    return rows


async def _require_open(meeting_id: int) -> MeetingRecord:
    record = await meeting_record(meeting_id)
    if record.meeting["status"] == MeetingStatus.CANCELLED:
        raise Conflict("This meeting was cancelled: nothing can be recorded for it.")
    if record.locked:
        raise Conflict(
            "The minutes of this meeting are final and locked: record a correction as a new "
            "version of the minutes instead."
        )
    return record


# ---------------------------------------------------------------- attendance


def _clock_time(check: Checker, field_name: str, value: object, label: str) -> time | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    for fmt in ("%H:%M", "%H.%M", "%H%M"):
        try:
            return datetime.strptime(text, fmt).time()  # noqa: DTZ007 - a time of day only
        except ValueError:
            continue
    check.fail(field_name, f"{label} must be a time like 10:15")
    return None


async def save_attendance(
    actor: Actor, meeting_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """data: for each member id m, status_m (present/apologies/absent), arrived_m, left_m, and
    version_m for an existing row."""
    record = await _require_open(meeting_id)
    check = Checker()
    start = record.meeting["starts_at"]
    changes: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for entry in record.roster:
        m = entry["member_id"]
        name = entry["name"]
        status = str(data.get(f"status_{m}", "") or "")
        if status not in ("present", "apologies", "absent", ""):
            check.fail(f"status_{m}", f"Select whether {name} was present")
            continue
        arrived = _clock_time(check, f"arrived_{m}", data.get(f"arrived_{m}"), f"{name}'s arrival")
        left = _clock_time(check, f"left_{m}", data.get(f"left_{m}"), f"{name}'s departure")
        if status == "present" and arrived is None:
            arrived = start.timetz().replace(tzinfo=None)
        if status in ("apologies", "absent") and (
            data.get(f"left_{m}") or data.get(f"arrived_{m}")
        ):
            check.fail(f"arrived_{m}", f"{name} was not present: clear the times")
        if arrived and left and left <= arrived:
            check.fail(f"left_{m}", f"{name}'s departure must be after their arrival")
        values = {
            "status": status,
            "arrived_at": services.london(record.day, arrived) if arrived else None,
            "left_at": services.london(record.day, left) if left else None,
        }
        changes.append(({"member_id": m, "name": name, **values}, entry["attendance"]))
        if entry["attendance"] is not None:
            given = str(data.get(f"version_{m}", ""))
            if given != str(entry["attendance"]["version"]):
                check.fail(f"status_{m}", STALE_EDIT)
    check.raise_if_any()
    people = {
        r["id"]: r["person"]
        for r in await PanelMember.select(PanelMember.id, PanelMember.person).where(
            PanelMember.id.is_in([c[0]["member_id"] for c in changes] or [0])
        )
    }
    async with db.transaction():
        for values, existing in changes:
            status = str(values["status"])
            row: dict[Any, Any] = {
                Attendance.apologies: status == "apologies",
                Attendance.arrived_at: values["arrived_at"] if status == "present" else None,
                Attendance.left_at: values["left_at"] if status == "present" else None,
            }
            if existing is None:
                if status in ("", "absent"):
                    continue
                await Attendance.insert(
                    Attendance(
                        meeting=meeting_id,
                        person=people[values["member_id"]],
                        member=values["member_id"],
                        role="member",
                        counts=True,
                        apologies=status == "apologies",
                        arrived_at=row[Attendance.arrived_at],
                        left_at=row[Attendance.left_at],
                        recorded_by=getattr(actor, "person_id", None),
                    )
                )
            elif status in ("", "absent"):
                await Attendance.delete().where(Attendance.id == existing["id"])
            else:
                same = (
                    existing["apologies"] == row[Attendance.apologies]
                    and existing["arrived_at"] == row[Attendance.arrived_at]
                    and existing["left_at"] == row[Attendance.left_at]
                )
                if same:
                    continue
                updated = (
                    await Attendance.update({**row, Attendance.version: existing["version"] + 1})
                    .where(
                        (Attendance.id == existing["id"])
                        & (Attendance.version == existing["version"])
                    )
                    .returning(Attendance.id)
                )
                if not updated:
                    raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update",
            "attendance",
            meeting_id,
            path=path,
            summary=f"attendance recorded for the meeting on {record.day.isoformat()}",
            after=[{k: v for k, v in c[0].items() if k != "name"} for c in changes],
        )


# ---------------------------------------------------------------- others at the meeting

# Those minuted as present who are not panel members: never in quorum, no view recorded.
OTHER_ROLES = {
    "panel adviser": "Panel adviser",
    "minute taker": "Minute taker",
    "legal adviser": "Legal adviser",
    "medical adviser": "Medical adviser",
    "observer": "Observer",
}


async def add_other(actor: Actor, meeting_id: int, data: dict[str, Any], *, path: str = "") -> int:
    """Someone at the meeting who is not a panel member: an adviser, the minute taker, an
    observer. Minuted with their times; never counted in quorum."""
    record = await _require_open(meeting_id)
    check = Checker()
    name = check.text("other_name", data.get("other_name"), "Their name")
    email = check.email("other_email", data.get("other_email"), "Their e-mail address")
    role = check.choice("other_role", data.get("other_role"), "Their role", OTHER_ROLES)
    arrived = _clock_time(check, "other_arrived", data.get("other_arrived"), "Their arrival")
    left = _clock_time(check, "other_left", data.get("other_left"), "Their departure")
    if arrived and left and left <= arrived:
        check.fail("other_left", "Their departure must be after their arrival")
    check.raise_if_any()
    start = record.meeting["starts_at"]
    arrived_at = services.london(record.day, arrived or start.timetz().replace(tzinfo=None))
    async with db.transaction():
        person_id, held = await accounts.person_for(name, email)
        if held is not None and await PanelMember.exists().where(PanelMember.person == person_id):
            raise Conflict(
                f"{held} is a panel member: record them in the table of members", "other_email"
            )
        if held is not None and await Attendance.exists().where(
            (Attendance.meeting == meeting_id) & (Attendance.person == person_id)
        ):
            raise Conflict(f"{held} is already recorded at this meeting", "other_email")
        new_id: int = (
            await Attendance.insert(
                Attendance(
                    meeting=meeting_id,
                    person=person_id,
                    member=None,
                    role=role,
                    counts=False,
                    arrived_at=arrived_at,
                    left_at=services.london(record.day, left) if left else None,
                    recorded_by=getattr(actor, "person_id", None),
                )
            ).returning(Attendance.id)
        )[0]["id"]
        await audit.record(
            actor, "create", "attendance", new_id, path=path,
            summary=f"{name} ({OTHER_ROLES[role]}) at the meeting on {record.day.isoformat()}",
        )  # fmt: skip
    return new_id


async def remove_other(actor: Actor, attendance_id: int, *, path: str = "") -> int:
    row = await Attendance.select().where(Attendance.id == attendance_id).first()
    if row is None or row["member"] is not None:
        raise NotFound(f"No one else recorded as {attendance_id}")
    await _require_open(row["meeting"])
    async with db.transaction():
        await Attendance.delete().where(Attendance.id == attendance_id)
        await audit.record(actor, "delete", "attendance", attendance_id, path=path, before=row)
    return int(row["meeting"])


# ---------------------------------------------------------------- declarations


async def add_declaration(
    actor: Actor, item_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    meeting_id = await _meeting_of(item_id)
    record = await _require_open(meeting_id)
    item = record.item(item_id)
    check = Checker()
    members = {str(r["member_id"]): r["name"] for r in record.roster}
    member = check.choice("member", data.get("member"), "The member declaring", members)
    interest = check.text("interest", data.get("interest"), "The interest declared", max_length=500)
    withdrew = str(data.get("withdrew", "")) in ("yes", "on", "true", "1")
    if item.record and item.record["status"] != RecordStatus.DEFERRED and withdrew:
        check.fail(
            "member",
            "A recommendation is already recorded for this item: a member withdrawing now "
            "changes who was present. Record the declaration before the recommendation.",
        )
    check.raise_if_any()
    async with db.transaction():
        new_id: int = (
            await Declaration.insert(
                Declaration(
                    item=item_id,
                    member=int(member),
                    interest=interest,
                    withdrew=withdrew,
                    recorded_by=getattr(actor, "person_id", None),
                )
            ).returning(Declaration.id)
        )[0]["id"]
        await audit.record(
            actor,
            "create",
            "declaration",
            new_id,
            path=path,
            summary=f"{members[member]} declared an interest in item {item.number}"
            + (" and withdrew" if withdrew else ""),
            after={
                "item": item_id,
                "member": int(member),
                "interest": interest,
                "withdrew": withdrew,
            },
        )
    return new_id


async def _meeting_of(item_id: int) -> int:
    row = await AgendaItem.select(AgendaItem.meeting).where(AgendaItem.id == item_id).first()
    if row is None:
        raise NotFound(f"No agenda item {item_id}")
    meeting_id: int = row["meeting"]
    return meeting_id


# ---------------------------------------------------------------- recommendations


async def record_item(actor: Actor, item_id: int, data: dict[str, Any], *, path: str = "") -> int:
    """Record the panel's recommendation (or deferral, or noting) of one item."""
    meeting_id = await _meeting_of(item_id)
    record = await _require_open(meeting_id)
    item = record.item(item_id)
    check = Checker()
    started = _clock_time(check, "started_at", data.get("started_at"), "Time the item started")
    ended = _clock_time(check, "ended_at", data.get("ended_at"), "Time the item ended")
    if started and ended and ended <= started:
        check.fail("ended_at", "The item must end after it starts")
    check.raise_if_any()
    if started or ended:
        # The times given decide who was present: work the quorum out again on them.
        starts = services.london(record.day, started) if started else item.starts_at
        ends = services.london(record.day, ended) if ended else item.ends_at
        item = await _with_times(record, item, starts, ends)
    action = str(data.get("action", "recommend"))
    information = item.type["decided_by"] == "none" or item.type["subject"] == "information"
    choices = {"recommend": "Recommend", "defer": "Defer"}
    if information:
        choices = {"noted": "Note", "defer": "Defer"}
    action = check.choice("action", action, "What the panel did", choices)
    outcome = ""
    info_needed = ""
    advice: dict[str, str] = {}
    if action == "recommend":
        if not item.verdict.quorate:
            raise Conflict(
                f"The panel is not quorate for item {item.number}: "
                + "; ".join(item.verdict.shortfalls)
                + ". No recommendation can be recorded; the item can only be deferred.",
                "outcome",
            )
        allowed = {o: o for o in item.outcomes}
        outcome = str(data.get("outcome", "") or "")
        if outcome not in allowed:
            check.fail(
                "outcome",
                "Select a recommendation this item may have: " + ", ".join(item.outcomes)
                if outcome == ""
                else f"'{outcome[:60]}' is not a recommendation a {item.type['name']} item "
                "may have: choose " + ", ".join(item.outcomes),
            )
        from panel.agenda import outcome_of  # panel.agenda imports this module

        chosen = await outcome_of(int(item.type["id"]), outcome) if outcome in allowed else None
        if chosen is not None and is_match_recommended(chosen.meaning):
            match = await placement.check_match(item_id, record.day)
            if match is not None and not match.verdict.allowed:
                check.fail(
                    "outcome",
                    "The panel may not recommend this match yet: "
                    + "; ".join(match.verdict.missing)
                    + ". Record the placement order or consent on the item, or recommend that "
                    "the child should be placed first.",
                )
        for key, label in item.advice_fields.items():
            text = check.text(key, data.get(key), label, max_length=1000, required=False)
            if text:
                advice[key] = text
        if "number_of_children" in advice:
            number = check.integer(
                "number_of_children",
                advice["number_of_children"],
                "Number of children",
                minimum=1,
                maximum=10,
            )
            advice["number_of_children"] = str(number)
    reasons = check.text(
        "reasons",
        data.get("reasons"),
        "Why the panel deferred the item" if action == "defer" else "The panel's reasons",
        max_length=10_000,
        required=action != "noted",
    )
    if action == "defer":
        info_needed = check.text(
            "information_needed",
            data.get("information_needed"),
            "The information the panel needs",
            max_length=5000,
        )
    present = {m.id: m for m in item.present}
    views: list[tuple[int, str, bool]] = []
    for member_id, member in present.items():
        view = check.text(
            f"view_{member_id}",
            data.get(f"view_{member_id}"),
            f"{member.name}'s view",
            max_length=5000,
            required=False,
        )
        dissents = str(data.get(f"dissent_{member_id}", "")) in ("yes", "on", "true", "1")
        if dissents and not view:
            check.fail(f"view_{member_id}", f"Give {member.name}'s view: they dissented")
        if view or dissents:
            views.append((member_id, view, dissents))
    strangers = [
        key
        for key, value in data.items()
        if key.startswith("view_")
        and value
        and key.removeprefix("view_").isdigit()
        and int(key.removeprefix("view_")) not in present
    ]
    if strangers:
        check.fail(strangers[0], "A view was given for someone not present for this item")
    if (
        action == "recommend"
        and views
        and all(d for _, _, d in views)
        and len(views) == len(present)
    ):
        check.fail("outcome", "Every member dissented: that is not the panel's recommendation")
    check.raise_if_any()
    existing = item.record
    if existing is not None and str(data.get("version", "")) != str(existing["version"]):
        raise Conflict(STALE_EDIT, "outcome")
    status = {
        "recommend": RecordStatus.RECOMMENDED,
        "defer": RecordStatus.DEFERRED,
        "noted": RecordStatus.NOTED,
    }[action]
    meaning = ""
    if outcome:
        from panel.agenda import outcome_of

        found = await outcome_of(int(item.type["id"]), outcome)
        meaning = found.meaning.value if found else ""
    values: dict[str, Any] = {
        "status": status,
        "outcome": outcome,
        "meaning": meaning,
        "reasons": reasons,
        "advice": json.dumps(advice, sort_keys=True) if advice else "",
        "information_needed": info_needed,
        "quorum": _quorum_text(item.verdict),
        "present": json.dumps(sorted(present)),
        "quorum_policy_version": item.verdict.policy_version,
        "started_at": item.starts_at,
        "ended_at": item.ends_at,
    }
    async with db.transaction():
        if existing is None:
            record_id: int = (
                await ItemRecord.insert(
                    ItemRecord(
                        item=item_id,
                        recorded_by=getattr(actor, "person_id", None),
                        **values,
                    )
                ).returning(ItemRecord.id)
            )[0]["id"]
        else:
            record_id = existing["id"]
            updated = (
                await ItemRecord.update(
                    {
                        **{getattr(ItemRecord, k): v for k, v in values.items()},
                        ItemRecord.version: existing["version"] + 1,
                    }
                )
                .where((ItemRecord.id == record_id) & (ItemRecord.version == existing["version"]))
                .returning(ItemRecord.id)
            )
            if not updated:
                raise Conflict(STALE_EDIT)
            await MemberView.delete().where(MemberView.record == record_id)
        for member_id, view, dissents in views:
            await MemberView.insert(
                MemberView(record=record_id, member=member_id, view=view, dissents=dissents)
            )
        status_of_item = (
            ItemStatus.DEFERRED if status is RecordStatus.DEFERRED else ItemStatus.LISTED
        )
        await AgendaItem.update(
            {
                AgendaItem.status: status_of_item,
                AgendaItem.defer_reason: reasons if status is RecordStatus.DEFERRED else "",
            }
        ).where(AgendaItem.id == item_id)
        await audit.record(
            actor,
            "create" if existing is None else "update",
            "item_record",
            record_id,
            path=path,
            summary=f"item {item.number}: {status.value}" + (f" - {outcome}" if outcome else ""),
            before=existing,
            after={**values, "views": views},
        )
    return record_id


async def _with_times(
    record: MeetingRecord, item: ItemView, starts: datetime, ends: datetime
) -> ItemView:
    spells = [
        quorum.Attendance(m, a["arrived_at"], a["left_at"])
        for a in record.attendance
        if a["member"] and a["arrived_at"] is not None and not a["apologies"]
        for m in (await _members([a["member"]])).values()
    ]
    present = list(quorum.present_for_item(spells, starts, ends, set(item.withdrawn)))
    policy = await services.policy_on(record.day)
    quorum_policy = policy.quorum
    item.starts_at, item.ends_at = starts, ends
    item.verdict = quorum.check(present, quorum_policy)
    item.present = [m for m in present if counts(m)]
    return item


def _quorum_text(verdict: quorum.Verdict) -> str:
    if verdict.quorate:
        return (
            f"{len(verdict.counted)} members present and counting "
            f"(quorum policy version {verdict.policy_version})."
        )
    return "; ".join(verdict.shortfalls) + f" (quorum policy version {verdict.policy_version})."


# ---------------------------------------------------------------- quality assurance


async def rate_item(actor: Actor, item_id: int, data: dict[str, Any], *, path: str = "") -> int:
    meeting_id = await _meeting_of(item_id)
    record = await meeting_record(meeting_id)
    item = record.item(item_id)
    check = Checker()
    members = {str(r["member_id"]): r["name"] for r in record.roster}
    member = check.choice("member", data.get("member"), "The member rating", members)
    report_type = check.text("report_type", data.get("report_type"), "The report rated")
    team = check.text("team", data.get("team"), "The team that wrote it")
    quality = check.choice(
        "quality",
        data.get("quality"),
        "How thorough, rigorous, consistent and fair it was",
        GRADES,
    )
    complete = check.choice("complete", data.get("complete"), "How complete it was", GRADES)
    on_time = check.choice(
        "on_time", data.get("on_time"), "Whether it came on time", {"yes": "Yes", "no": "No"}
    )
    comment = check.text("comment", data.get("comment"), "Comment", max_length=2000, required=False)
    check.raise_if_any()
    async with db.transaction():
        # Two posts of the same rating at once may both pass this check: the unique index on
        # (item, member, report_key) then refuses the second, which is answered 409.
        earlier = await QualityRating.select(QualityRating.report_type).where(
            (QualityRating.item == item_id) & (QualityRating.member == int(member))
        )
        for row in earlier:
            if _same_report(row["report_type"], report_type):
                raise Conflict(
                    f"{members[member]} has already rated the {row['report_type']} for this item",
                    "report_type",
                )
        new_id: int = (
            await QualityRating.insert(
                QualityRating(
                    item=item_id,
                    member=int(member),
                    report_type=report_type,
                    report_key=report_key(report_type),
                    team=team,
                    quality=quality,
                    complete=complete,
                    on_time=on_time == "yes",
                    comment=comment,
                )
            ).returning(QualityRating.id)
        )[0]["id"]
        await audit.record(
            actor,
            "create",
            "quality_rating",
            new_id,
            path=path,
            summary=f"reports of item {item.number} rated by {members[member]}",
        )
    return new_id


def report_key(report_type: str) -> str:
    """The same report however it is spaced or cased (as the migration that filled the column)."""
    return " ".join(report_type.split()).casefold()[:200]


def _same_report(one: str, other: str) -> bool:
    return report_key(one) == report_key(other)


# ---------------------------------------------------------------- a member's own ratings

# A member rates the reports of the items they sat on at panels of the last twelve months.
OWN_RATING_WINDOW = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class OwnItem:
    """An item a member sat on, with the ratings they have given its reports so far."""

    item_id: int
    member_id: int
    meeting_id: int
    day: date
    number: int
    type_name: str
    case_reference: str
    ratings: tuple[dict[str, Any], ...]
    papers: tuple[str, ...] = ()  # the titles of the item's papers, on the rating form only


async def member_id_of(person_id: int) -> int | None:
    row = await PanelMember.select(PanelMember.id).where(PanelMember.person == person_id).first()
    return None if row is None else int(row["id"])


def _sat_on(item: ItemView, member_id: int) -> bool:
    return member_id not in item.withdrawn and any(m.id == member_id for m in item.present)


def _own(state: MeetingRecord, item: ItemView, member_id: int) -> OwnItem:
    return OwnItem(
        item_id=item.id,
        member_id=member_id,
        meeting_id=state.meeting["id"],
        day=state.day,
        number=item.number,
        type_name=item.type["name"],
        case_reference=item.row["case_reference"],
        ratings=tuple(r for r in item.ratings if r["member"] == member_id),
    )


async def items_to_rate(person_id: int) -> list[OwnItem]:
    """The items a panel member sat on at panels held in the last twelve months, newest panel
    first: present for the whole item, not withdrawn, and not for information only."""
    member_id = await member_id_of(person_id)
    if member_id is None:
        return []
    now = clock.now()
    spells = await Attendance.select(
        Attendance.meeting, Attendance.meeting._.starts_at.as_alias("starts_at")
    ).where(
        (Attendance.member == member_id)
        & Attendance.apologies.eq(False)
        & Attendance.arrived_at.is_not_null()
        & (Attendance.meeting._.status != MeetingStatus.CANCELLED)
        & (Attendance.meeting._.starts_at <= now)
        & (Attendance.meeting._.starts_at > now - OWN_RATING_WINDOW)
    )
    found: list[OwnItem] = []
    for _, meeting_id in sorted({(s["starts_at"], s["meeting"]) for s in spells}, reverse=True):
        # The meeting record decides who was present for each item, as the minutes do.
        state = await meeting_record(meeting_id)
        found += [
            _own(state, item, member_id)
            for item in state.items
            if _sat_on(item, member_id) and advice_kind(item.type) != "information"
        ]
    return found


async def own_item(person_id: int, item_id: int) -> OwnItem:
    """The item for its member to rate: PermissionError if they did not sit on it, Conflict if
    it is not one whose reports may be rated."""
    member_id = await member_id_of(person_id)
    if member_id is None:
        raise PermissionError("You are not on the central list of panel members.")
    state = await meeting_record(await _meeting_of(item_id))
    item = state.item(item_id)
    panel = f"item {item.number} of the panel on {workdays.long_date(state.day)}"
    if member_id in item.withdrawn:
        raise PermissionError(f"You withdrew from {panel}: you do not rate its reports.")
    if not _sat_on(item, member_id):
        raise PermissionError(
            f"You were not present for {panel}: only the members who sat on an item rate its "
            "reports."
        )
    if advice_kind(item.type) == "information":
        raise Conflict(f"Item {item.number} was for information only: it has no reports to rate.")
    starts = state.meeting["starts_at"]
    if state.meeting["status"] == MeetingStatus.CANCELLED or starts > clock.now():
        raise Conflict("This panel has not been held: there are no reports of it to rate.")
    if starts <= clock.now() - OWN_RATING_WINDOW:
        raise Conflict(
            "This panel was held more than twelve months ago: its reports can no longer be rated."
        )
    papers = [
        r["title"]
        for r in await Paper.select(Paper.title)
        .where((Paper.item == item_id) & Paper.full_pack_only.eq(False))
        .order_by(Paper.position)
        .order_by(Paper.id)
    ] or [line.strip() for line in item.type["required_papers"].splitlines() if line.strip()]
    return replace(_own(state, item, member_id), papers=tuple(papers))


async def rate_own(
    actor: Actor, person_id: int, item_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    """A member rates the reports of an item they sat on, as themselves whatever was posted."""
    own = await own_item(person_id, item_id)
    return await rate_item(actor, item_id, {**data, "member": str(own.member_id)}, path=path)


async def quality_review(
    agency_name: str, prepared_by: str, start: date, end: date
) -> documents.QualityReview:
    first, last = services.london(start, time(0)), services.london(end + timedelta(days=1), time(0))
    rows = await QualityRating.select(
        *QualityRating.all_columns(),
        QualityRating.item._.child_partner._.name.as_alias("child_partner"),
        QualityRating.item._.assessing_partner._.name.as_alias("assessing_partner"),
    ).where(
        (QualityRating.item._.meeting._.starts_at >= first)
        & (QualityRating.item._.meeting._.starts_at < last)
    )
    ratings = tuple(
        documents.ReportRating(
            report_type=r["report_type"],
            team=r["team"],
            partner=r["assessing_partner"] or r["child_partner"] or "Not recorded",
            quality=documents.Grade(r["quality"]),
            complete=documents.Grade(r["complete"]),
            on_time=r["on_time"],
            comment=r["comment"],
        )
        for r in rows
    )
    return documents.QualityReview(agency_name, start, end, prepared_by, ratings)


async def issue_quality_report(actor: Actor, start: date, end: date, *, path: str = "") -> bytes:
    if end < start:
        raise Invalid({"period_end": "The period must end after it starts"})
    heading = await agency_details.letterhead()
    review = await quality_review(
        heading.name if heading else "The agency",
        getattr(actor, "name", "The panel adviser"),
        start,
        end,
    )
    review = replace(review, letterhead=heading)
    content = documents.qa_report(review)
    async with db.transaction():
        await QualityReport.insert(
            QualityReport(
                period_start=start,
                period_end=end,
                issued_on=clock.today(),
                issued_by=getattr(actor, "person_id", None),
            )
        )
        await audit.record(
            actor,
            "download",
            "quality_report",
            f"{start}..{end}",
            path=path,
            summary=f"QA report for {start} to {end}: {len(review.ratings)} ratings",
        )
    return content


async def last_quality_report() -> date | None:
    row = (
        await QualityReport.select(QualityReport.issued_on)
        .order_by(QualityReport.issued_on, ascending=False)
        .first()
    )
    return None if row is None else row["issued_on"]


# ---------------------------------------------------------------- minutes


async def _minutes_row(meeting_id: int) -> dict[str, Any]:
    row = await Minutes.select().where(Minutes.meeting == meeting_id).first()
    if row is not None:
        return row
    # Many first views at once: the unique meeting column keeps one row, the rest add nothing.
    await Minutes.insert(Minutes(meeting=meeting_id)).on_conflict(
        target=Minutes.meeting, action="DO NOTHING"
    )
    created = await Minutes.select().where(Minutes.meeting == meeting_id).first()
    assert created is not None
    return created


def _notes(text: str) -> dict[str, str]:
    loaded: dict[str, str] = json.loads(text) if text else {}
    return loaded


async def minutes_of(meeting_id: int) -> tuple[MeetingRecord, dict[str, Any], dict[str, str]]:
    record = await meeting_record(meeting_id)
    row = record.minutes or await _minutes_row(meeting_id)
    notes = _notes(row["notes"])
    if row["state"] == MinutesState.FINAL:
        latest = (
            await MinutesVersion.select()
            .where(MinutesVersion.minutes == row["id"])
            .order_by(MinutesVersion.number, ascending=False)
            .first()
        )
        if latest:
            notes = _notes(latest["notes"])
    return record, row, notes


async def minutes_versions(minutes_id: int) -> list[dict[str, Any]]:
    return list(
        await MinutesVersion.select(
            *MinutesVersion.all_columns(), MinutesVersion.created_by.name.as_alias("by")
        )
        .where(MinutesVersion.minutes == minutes_id)
        .order_by(MinutesVersion.number)
    )


def _note_values(record: MeetingRecord, data: dict[str, Any], check: Checker) -> dict[str, str]:
    notes = {
        "general": check.text(
            "general", data.get("general"), "General notes", max_length=20_000, required=False
        )
    }
    for item in record.items:
        key = f"item_{item.id}"
        notes[key] = check.text(
            key, data.get(key), f"Notes on item {item.number}", max_length=20_000, required=False
        )
    return {k: v for k, v in notes.items() if v}


async def edit_minutes(
    actor: Actor, meeting_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    record, row, _ = await minutes_of(meeting_id)
    if row["state"] != MinutesState.DRAFT:
        raise Conflict(
            "These minutes are final and locked: they cannot be edited. Record a correction "
            "as a new version with its reason."
        )
    check = Checker()
    notes = _note_values(record, data, check)
    check.raise_if_any()
    async with db.transaction():
        updated = (
            await Minutes.update(
                {Minutes.notes: json.dumps(notes, sort_keys=True), Minutes.version: version + 1}
            )
            .where((Minutes.id == row["id"]) & (Minutes.version == version))
            .returning(Minutes.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update",
            "minutes",
            row["id"],
            path=path,
            summary="draft minutes edited",
            before=row["notes"],
            after=notes,
        )


async def approve_minutes(
    actor: Actor, person_id: int, meeting_id: int, version: int, *, path: str = ""
) -> None:
    """The meeting's chair approves the draft: the minutes become final and locked."""
    record, row, notes = await minutes_of(meeting_id)
    if record.chair_person_id is None or record.chair_person_id != person_id:
        raise PermissionError("Only the member who chaired this meeting may approve its minutes.")
    if row["state"] != MinutesState.DRAFT:
        raise Conflict("These minutes are already approved, final and locked.")
    unrecorded = [str(i.number) for i in record.items if i.record is None]
    if unrecorded:
        raise Conflict(
            "Nothing is recorded yet for item "
            + ", ".join(unrecorded)
            + ": record a recommendation, deferral or noting for every item first."
        )
    if not any(a["arrived_at"] for a in record.attendance):
        raise Conflict("No attendance is recorded: record who was present first.")
    now = clock.now()
    async with db.transaction():
        updated = (
            await Minutes.update(
                {
                    Minutes.state: MinutesState.FINAL,
                    Minutes.approved_by: person_id,
                    Minutes.approved_at: now,
                    Minutes.finalised_at: now,
                    Minutes.number: 1,
                    Minutes.version: version + 1,
                }
            )
            .where((Minutes.id == row["id"]) & (Minutes.version == version))
            .returning(Minutes.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await MinutesVersion.insert(
            MinutesVersion(
                minutes=row["id"],
                number=1,
                reason="",
                notes=json.dumps(notes),
                created_by=person_id,
            )
        )
        if record.meeting["status"] in (MeetingStatus.PLANNED, MeetingStatus.CONFIRMED):
            await Meeting.update({Meeting.status: MeetingStatus.HELD}).where(
                Meeting.id == meeting_id
            )
        await audit.record(
            actor,
            "approve",
            "minutes",
            row["id"],
            path=path,
            summary=f"minutes of {record.day.isoformat()} approved: final, locked",
        )
    for hook in FINALISED_HOOKS:
        await hook(actor, meeting_id, clock.today())


async def correct_minutes(
    actor: Actor, meeting_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    record, row, _ = await minutes_of(meeting_id)
    if row["state"] != MinutesState.FINAL:
        raise Conflict("These minutes are still a draft: edit them instead of correcting them.")
    check = Checker()
    reason = check.text(
        "reason", data.get("reason"), "Why the minutes are corrected", max_length=2000
    )
    notes = _note_values(record, data, check)
    check.raise_if_any()
    async with db.transaction():
        number: int = row["number"] + 1
        updated = (
            await Minutes.update({Minutes.number: number, Minutes.version: row["version"] + 1})
            .where((Minutes.id == row["id"]) & (Minutes.number == row["number"]))
            .returning(Minutes.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await MinutesVersion.insert(
            MinutesVersion(
                minutes=row["id"],
                number=number,
                reason=reason,
                notes=json.dumps(notes, sort_keys=True),
                created_by=getattr(actor, "person_id", None),
            )
        )
        await audit.record(
            actor,
            "correct",
            "minutes",
            row["id"],
            path=path,
            summary=f"minutes corrected as version {number}: {reason}",
            after=notes,
        )
    return number


async def document_of(meeting_id: int) -> documents.Minutes:
    record, row, notes = await minutes_of(meeting_id)
    heading = await agency_details.letterhead()
    number = row["number"] if row["state"] == MinutesState.FINAL else 1
    reason = ""
    if number > 1:
        latest = (
            await MinutesVersion.select(MinutesVersion.reason)
            .where((MinutesVersion.minutes == row["id"]) & (MinutesVersion.number == number))
            .first()
        )
        reason = latest["reason"] if latest else ""
    roles = {r["member_id"]: r["seats"] for r in record.roster}

    def attendee(a: dict[str, Any]) -> documents.Attendee:
        return documents.Attendee(
            name=a["name"],
            role=roles.get(a["member"], a["role"]) or a["role"],
            member=bool(a["counts"] and a["member"]),
            arrived=a["arrived_at"].time() if a["arrived_at"] else None,
            left=a["left_at"].time() if a["left_at"] else None,
        )

    present = [a for a in record.attendance if not a["apologies"] and a["arrived_at"]]
    items = []
    for item in record.items:
        rec = item.record or {}
        status = rec.get("status")
        item_present = tuple(
            documents.Attendee(name=m.name, role=roles.get(m.id, ""), member=True)
            for m in item.present
        )
        note = notes.get(f"item_{item.id}", "")
        reasons = tuple(x for x in (rec.get("reasons", ""), note) if x)
        deferral = None
        if status == RecordStatus.DEFERRED:
            deferral = documents.Deferral(
                rec["reasons"],
                tuple(line for line in rec["information_needed"].splitlines() if line.strip()),
            )
            reasons = (note,) if note else ()
        advice = item.advice
        items.append(
            documents.Item(
                number=item.number,
                title=item.title,
                present=item_present,
                declarations=tuple(
                    documents.Declaration(d["name"], d["interest"], d["withdrew"])
                    for d in item.declarations
                ),
                # A recommendation is only ever recorded on a quorate item.
                quorate=status == RecordStatus.RECOMMENDED or item.verdict.quorate,
                quorum=rec.get("quorum") or _quorum_text(item.verdict),
                recommendation=rec.get("outcome", "")
                if status == RecordStatus.RECOMMENDED
                else ("Noted." if status == RecordStatus.NOTED else ""),
                reasons=reasons,
                views=tuple(
                    documents.View(v["name"], v["view"], v["dissents"])
                    for v in item.views
                    if v["name"] in {m.name for m in item.present}
                ),
                advice=tuple(f"{item.advice_fields.get(k, k)}: {v}" for k, v in advice.items()),
                deferral=deferral,
            )
        )
    state = {
        MinutesState.DRAFT: documents.MinutesStatus.DRAFT,
        MinutesState.APPROVED: documents.MinutesStatus.APPROVED,
        MinutesState.FINAL: documents.MinutesStatus.FINAL,
    }[MinutesState(row["state"])]
    return documents.Minutes(
        meeting=documents.Meeting(
            agency_name=heading.name if heading else "The agency",
            date=record.day,
            started=record.meeting["starts_at"].time(),
            ended=record.meeting["ends_at"].time(),
            venue=record.meeting["venue"],
            letterhead=heading,
        ),
        attendance=tuple(attendee(a) for a in present),
        apologies=tuple(
            documents.Apology(a["name"], roles.get(a["member"], a["role"]))
            for a in record.attendance
            if a["apologies"]
        ),
        items=tuple(items),
        status=state,
        version=number,
        correction_reason=reason,
    )


async def extract(item_id: int) -> tuple[bytes, int]:
    """The item's extract from the minutes as they now stand, and the item's number."""
    meeting_id = await _meeting_of(item_id)
    minutes = await document_of(meeting_id)
    record = await meeting_record(meeting_id)
    number = record.item(item_id).number
    return documents.item_extract(minutes, number), number


async def partner_names() -> dict[int, str]:
    return {p["id"]: p["name"] for p in await Partner.select(Partner.id, Partner.name)}


async def person_name(person_id: int) -> str:
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    return row["name"] if row else ""


async def item_minutes(item_id: int) -> tuple[documents.Minutes, documents.Item]:
    """The minutes as they now stand and the item's entry in them: what the ADM decides on
    (attendance, declarations, quorum, recommendation, reasons, each member's view, dissent)."""
    meeting_id = await _meeting_of(item_id)
    minutes = await document_of(meeting_id)
    ids = [
        r["id"]
        for r in await AgendaItem.select(AgendaItem.id)
        .where(AgendaItem.meeting == meeting_id)
        .order_by(AgendaItem.position)
        .order_by(AgendaItem.id)
    ]
    return minutes, minutes.items[ids.index(item_id)]
