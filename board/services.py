"""The board's queries and audited writes: members, meetings, attendance, actions, figures."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from asyncpg.exceptions import UniqueViolationError

from board.rules import actions as action_rules
from board.rules import attendance as attendance_rules
from board.rules import funding as funding_rules
from board.rules import indicators
from board.rules import scorecard as scorecard_rules
from board.rules.actions import Action, ActionDraft, ActionsPolicy, ActionStatus
from board.rules.attendance import (
    Attendance,
    AttendancePolicy,
    AttendanceReport,
    BoardQuorumPolicy,
    BoardRole,
    Mark,
    QuorumVerdict,
)
from board.rules.funding import AgreementPolicy
from board.rules.indicators import ClockOutcome, Figure, Figures, PartnerQuarter, Quarter
from board.tables import (
    BoardAction,
    BoardActionUpdate,
    BoardAgendaItem,
    BoardAttendance,
    BoardDecision,
    BoardMeeting,
    BoardMember,
    BoardPaper,
    BoardPolicy,
    ComparisonFigure,
    ComparisonIndicator,
    ComparisonScope,
    FundingPlan,
    Indexation,
    MeetingStatus,
    PartnershipAgreement,
    QuarterFigures,
    ScorecardChild,
    Seat,
)
from governance import audit, clock, db, ical, mail
from governance import services as gov_services
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, Invalid, NotFound
from governance.roles import Role
from governance.rules.workdays import add_months
from governance.tables import Account, Person, RoleGrant
from governance.validate import Checker

log = logging.getLogger("governance.board")

SEAT_LABELS: dict[str, str] = {
    Seat.CHAIR: "Chair",
    Seat.VICE_CHAIR: "Vice chair",
    Seat.FINANCE: "Finance",
    Seat.COMMISSIONING: "Commissioning",
    Seat.OPERATIONAL: "Operational",
    Seat.ADOPTER_REPRESENTATIVE: "Adopter representative",
    Seat.OTHER: "Other",
}
ATTENDANCE_LABELS: dict[str, str] = {
    Attendance.PRESENT: "Present",
    Attendance.APOLOGIES: "Apologies",
    Attendance.DEPUTY_SENT: "Deputy sent",
    Attendance.ABSENT: "Absent",
}
STATUS_LABELS: dict[str, str] = {
    ActionStatus.OPEN: "Open",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
}
MEETING_STATUS_LABELS: dict[str, str] = {
    MeetingStatus.SCHEDULED: "Scheduled",
    MeetingStatus.HELD: "Held",
    MeetingStatus.CANCELLED: "Cancelled",
}
SCOPE_LABELS = {ComparisonScope.NATIONAL: "National", ComparisonScope.REGIONAL: "Regional"}
INDICATOR_LABELS = {
    ComparisonIndicator.CONVERSION: "Conversion from enquiry to Stage 1",
    ComparisonIndicator.ADOPTER_GAP: "Adopter gap",
}
FIGURE_ORDER = tuple(Figure)
PAPER_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
    "text/plain": ".txt",
}
_MAX_PAPER_BYTES = 25 * 1024 * 1024
_INTEGRITY = (UniqueViolationError, sqlite3.IntegrityError)


def _mark_key(meeting_id: int, member_id: int) -> str:
    return f"{meeting_id}:{member_id}"


def _period_key(partner_id: int, quarter: Quarter) -> str:
    return f"{partner_id}:{quarter.year}Q{quarter.number}"


# ---------------------------------------------------------------- policy (terms of reference)


@dataclass(frozen=True, slots=True)
class Policy:
    version: int
    attendance: AttendancePolicy
    quorum: BoardQuorumPolicy
    actions: ActionsPolicy
    agreement: AgreementPolicy
    changed_at: datetime | None = None
    changed_by: str = ""


DEFAULT_POLICY = Policy(
    version=0,
    attendance=attendance_rules.DEFAULT_ATTENDANCE_POLICY,
    quorum=attendance_rules.DEFAULT_QUORUM_POLICY,
    actions=action_rules.DEFAULT_ACTIONS_POLICY,
    agreement=funding_rules.DEFAULT_AGREEMENT_POLICY,
)


def _policy_of(row: dict[str, Any]) -> Policy:
    version = int(row["version"])
    return Policy(
        version=version,
        attendance=AttendancePolicy(
            version=version,
            window_months=row["attendance_window_months"],
            threshold_percent=Decimal(row["attendance_threshold_percent"]),
            deputy_counts_for_member=row["deputy_counts_for_member"],
            deputy_counts_for_partner=row["deputy_counts_for_partner"],
        ),
        quorum=BoardQuorumPolicy(
            version=version,
            chair_or_vice_chair=row["quorum_chair_or_vice_chair"],
            every_partner=row["quorum_every_partner"],
            deputy_represents_partner=row["quorum_deputy_represents_partner"],
            minimum_attending=row["quorum_minimum_attending"],
        ),
        actions=ActionsPolicy(
            version=version,
            due_soon_days=row["actions_due_soon_days"],
            reminder_days_before=row["actions_reminder_days_before"],
            description_max_length=action_rules.DEFAULT_ACTIONS_POLICY.description_max_length,
        ),
        agreement=AgreementPolicy(
            version=version, reminder_days_before=row["agreement_reminder_days_before"]
        ),
        changed_at=row["changed_at"],
        changed_by=row["changed_by"],
    )


async def policy() -> Policy:
    row = await BoardPolicy.select().order_by(BoardPolicy.version, ascending=False).first()
    return DEFAULT_POLICY if row is None else _policy_of(row)


def _yes(value: object) -> bool:
    return str(value or "").lower() in {"1", "true", "yes", "on"}


async def set_policy(actor: Actor, version: int, data: dict[str, Any], *, path: str = "") -> int:
    check = Checker()
    threshold = check.decimal(
        "attendance_threshold_percent",
        data.get("attendance_threshold_percent"),
        "Attendance threshold",
    )
    if not check.errors and not 0 < threshold <= 100:
        check.fail(
            "attendance_threshold_percent",
            "Attendance threshold must be between 1 and 100 per cent",
        )
    values: dict[str, Any] = {
        "attendance_threshold_percent": threshold,
        "attendance_window_months": check.integer(
            "attendance_window_months",
            data.get("attendance_window_months"),
            "Attendance window in months",
            minimum=1,
            maximum=60,
        ),
        "deputy_counts_for_member": _yes(data.get("deputy_counts_for_member")),
        "deputy_counts_for_partner": _yes(data.get("deputy_counts_for_partner")),
        "quorum_chair_or_vice_chair": _yes(data.get("quorum_chair_or_vice_chair")),
        "quorum_every_partner": _yes(data.get("quorum_every_partner")),
        "quorum_deputy_represents_partner": _yes(data.get("quorum_deputy_represents_partner")),
        "quorum_minimum_attending": check.integer(
            "quorum_minimum_attending",
            data.get("quorum_minimum_attending"),
            "Minimum number attending",
            minimum=0,
            maximum=100,
        ),
        "actions_due_soon_days": check.integer(
            "actions_due_soon_days",
            data.get("actions_due_soon_days"),
            "Days before an action counts as due soon",
            minimum=0,
            maximum=365,
        ),
        "actions_reminder_days_before": check.integer(
            "actions_reminder_days_before",
            data.get("actions_reminder_days_before"),
            "Days before the due date to send a reminder",
            minimum=0,
            maximum=365,
        ),
        "agreement_reminder_days_before": check.integer(
            "agreement_reminder_days_before",
            data.get("agreement_reminder_days_before"),
            "Days before an agreement milestone to send a reminder",
            minimum=0,
            maximum=730,
        ),
    }
    check.raise_if_any()
    try:
        async with db.transaction():
            current = await policy()
            if current.version != version:
                raise Conflict(STALE_EDIT)
            new_version = current.version + 1
            await BoardPolicy.insert(
                BoardPolicy(version=new_version, changed_by=actor.name[:200], **values)
            )
            await audit.record(
                actor, "update", "board_policy", new_version, path=path, after=values
            )
    except _INTEGRITY as error:
        raise Conflict(STALE_EDIT) from error
    return new_version


# ---------------------------------------------------------------- people and members


async def people() -> list[dict[str, Any]]:
    return list(await Person.select(Person.id, Person.name, Person.email).order_by(Person.name))


async def _person_name(person_id: int | None) -> str:
    if person_id is None:
        return ""
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    return "" if row is None else str(row["name"])


def _member_current(row: dict[str, Any], on: date) -> bool:
    return bool(row["starts_on"] <= on and (row["ends_on"] is None or row["ends_on"] >= on))


async def members(*, on: date | None = None) -> list[dict[str, Any]]:
    rows = await BoardMember.select(
        *BoardMember.all_columns(),
        BoardMember.person.name.as_alias("name"),
        BoardMember.person.email.as_alias("email"),
        BoardMember.partner.name.as_alias("partner_name"),
        BoardMember.partner.code.as_alias("partner_code"),
        BoardMember.deputy.name.as_alias("deputy_name"),
    ).order_by(BoardMember.starts_on)
    today = on or clock.today()
    seat_order = list(Seat)
    for row in rows:
        row["current"] = _member_current(row, today)
        row["seat_label"] = SEAT_LABELS.get(row["seat"], row["seat"])
    rows.sort(
        key=lambda r: (
            not r["current"],
            seat_order.index(Seat(r["seat"])),
            r["partner_name"] or "",
            r["name"],
        )
    )
    return list(rows)


async def member(member_id: int) -> dict[str, Any]:
    for row in await members():
        if row["id"] == member_id:
            return row
    raise NotFound(f"No board member {member_id}")


async def _check_member(data: dict[str, Any]) -> dict[str, Any]:
    check = Checker()
    known_people = {p["id"] for p in await people()}
    known_partners = {p["id"]: p["name"] for p in await gov_services.partners()}
    person_id: int | None = None
    raw_person = str(data.get("person") or "").strip()
    new_name = str(data.get("new_name") or "").strip()
    new_email = str(data.get("new_email") or "").strip()
    new_person: tuple[str, str] | None = None
    if raw_person and raw_person != "new":
        try:
            person_id = int(raw_person)
        except ValueError:
            person_id = None
        if person_id not in known_people:
            check.fail("person", "Select the person from the list")
    elif new_name or new_email or raw_person == "new":
        name = check.text("new_name", new_name, "New person's full name")
        email = check.email("new_email", new_email, "New person's email address")
        new_person = (name, email)
    else:
        check.fail("person", "Select who the board member is, or enter a new person")
    seat = check.choice("seat", data.get("seat"), "The member's role on the board", SEAT_LABELS)
    seat_note = check.text(
        "seat_note", data.get("seat_note"), "Role detail", required=seat == Seat.OTHER
    )
    partner_id: int | None = None
    raw_partner = str(data.get("partner") or "").strip()
    if raw_partner:
        try:
            partner_id = int(raw_partner)
        except ValueError:
            partner_id = None
        if partner_id not in known_partners:
            check.fail("partner", "Select the partner the member represents, or none")
    elif seat != Seat.ADOPTER_REPRESENTATIVE and seat != Seat.OTHER:
        check.fail(
            "partner",
            "Select the partner the member represents (only the adopter representative "
            "and other members may sit in their own right)",
        )
    deputy_id: int | None = None
    raw_deputy = str(data.get("deputy") or "").strip()
    if raw_deputy:
        try:
            deputy_id = int(raw_deputy)
        except ValueError:
            deputy_id = None
        if deputy_id not in known_people:
            check.fail("deputy", "Select the deputy from the list, or none")
    starts_on = check.day("starts_on", data.get("starts_on"), "Date the term starts")
    ends_on = check.day("ends_on", data.get("ends_on"), "Date the term ends", required=False)
    if starts_on and ends_on and ends_on < starts_on:
        check.fail("ends_on", "The term must end on or after the day it starts")
    if deputy_id is not None and deputy_id == person_id:
        check.fail("deputy", "A member cannot be their own deputy")
    check.raise_if_any()
    return {
        "person": person_id,
        "new_person": new_person,
        "seat": seat,
        "seat_note": seat_note,
        "partner": partner_id,
        "deputy": deputy_id,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


async def _ensure_person(values: dict[str, Any]) -> int:
    if values["new_person"] is None:
        return int(values["person"])
    name, email = values["new_person"]
    if await Person.exists().where(Person.email == email):
        raise Conflict(
            f"A person with the email address {email} already exists: select them from the list",
            "new_email",
        )
    row = await Person.insert(Person(name=name, email=email)).returning(Person.id)
    return int(row[0]["id"])


async def _overlapping_term(
    person_id: int, starts_on: date, ends_on: date | None, except_id: int | None
) -> bool:
    for row in await BoardMember.select().where(BoardMember.person == person_id):
        if row["id"] == except_id:
            continue
        other_end = row["ends_on"] or date.max
        if starts_on <= other_end and row["starts_on"] <= (ends_on or date.max):
            return True
    return False


def _member_record(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("new_person",)}


async def _check_one_chair(
    seat: str, starts_on: date, ends_on: date | None, except_id: int | None
) -> None:
    if seat != Seat.CHAIR:
        return
    for row in await BoardMember.select().where(BoardMember.seat == Seat.CHAIR):
        if row["id"] == except_id:
            continue
        if starts_on <= (row["ends_on"] or date.max) and row["starts_on"] <= (ends_on or date.max):
            raise Conflict(
                "The board already has a chair for those dates: end their term first", "seat"
            )


async def create_member(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    values = await _check_member(data)
    try:
        async with db.transaction():
            person_id = await _ensure_person(values)
            if await _overlapping_term(person_id, values["starts_on"], values["ends_on"], None):
                raise Conflict(
                    "That person is already a board member for some of those dates", "person"
                )
            await _check_one_chair(values["seat"], values["starts_on"], values["ends_on"], None)
            record = {**_member_record(values), "person": person_id}
            row = await BoardMember.insert(BoardMember(**record)).returning(BoardMember.id)
            member_id = int(row[0]["id"])
            await audit.record(actor, "create", "board_member", member_id, path=path, after=record)
    except _INTEGRITY as error:
        raise Conflict("That person already exists", "new_email") from error
    return member_id


async def update_member(
    actor: Actor, member_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    values = await _check_member(data)
    async with db.transaction():
        before = await BoardMember.select().where(BoardMember.id == member_id).first()
        if before is None:
            raise NotFound(f"No board member {member_id}")
        person_id = await _ensure_person(values)
        if await _overlapping_term(person_id, values["starts_on"], values["ends_on"], member_id):
            raise Conflict(
                "That person is already a board member for some of those dates", "person"
            )
        await _check_one_chair(values["seat"], values["starts_on"], values["ends_on"], member_id)
        record = {**_member_record(values), "person": person_id}
        updated = (
            await BoardMember.update(dict[Any, Any]({**record, "version": version + 1}))
            .where((BoardMember.id == member_id) & (BoardMember.version == version))
            .returning(BoardMember.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update",
            "board_member",
            member_id,
            path=path,
            before={k: before[k] for k in record},
            after=record,
        )


def _rule_member(row: dict[str, Any]) -> attendance_rules.BoardMember:
    role = {Seat.CHAIR: BoardRole.CHAIR, Seat.VICE_CHAIR: BoardRole.VICE_CHAIR}.get(
        Seat(row["seat"]), BoardRole.MEMBER
    )
    return attendance_rules.BoardMember(
        id=row["id"], name=row["name"], partner=row["partner_name"], role=role
    )


async def partner_names() -> list[str]:
    return [p["name"] for p in await gov_services.partners()]


# ---------------------------------------------------------------- meetings


def _london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, clock.LONDON)


def _check_meeting(data: dict[str, Any]) -> dict[str, Any]:
    check = Checker()
    title = check.text("title", data.get("title") or "Partnership board", "Meeting title")
    day = check.day("day", data.get("day"), "Date of the meeting")
    starts = _clock_time(check, "starts", data.get("starts"), "Start time")
    ends = _clock_time(check, "ends", data.get("ends"), "Finish time")
    location = check.text(
        "location", data.get("location"), "Where it is held", max_length=300, required=False
    )
    if starts and ends and ends <= starts:
        check.fail("ends", "The meeting must finish after it starts")
    check.raise_if_any()
    assert day is not None and starts is not None and ends is not None
    return {
        "title": title,
        "starts_at": _london(day, starts),
        "ends_at": _london(day, ends),
        "location": location,
    }


def _clock_time(check: Checker, field_name: str, value: object, label: str) -> time | None:
    text = "" if value is None else str(value).strip().replace(".", ":")
    if not text:
        check.fail(field_name, f"Enter the {label.lower()}")
        return None
    found = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", text)
    if found is None or int(found[1]) > 23 or int(found[2] or 0) > 59:
        check.fail(field_name, f"{label} must be a time like 14:00")
        return None
    return time(int(found[1]), int(found[2] or 0))


async def meetings() -> list[dict[str, Any]]:
    rows = await BoardMeeting.select(
        BoardMeeting.id,
        BoardMeeting.title,
        BoardMeeting.starts_at,
        BoardMeeting.status,
        BoardMeeting.quorate,
        BoardMeeting.attendance_version,
        BoardMeeting.minutes_approved_on,
    ).order_by(BoardMeeting.starts_at, ascending=False)
    for row in rows:
        row["status_label"] = MEETING_STATUS_LABELS[row["status"]]
    return list(rows)


async def _meeting_row(meeting_id: int) -> dict[str, Any]:
    row = await BoardMeeting.select().where(BoardMeeting.id == meeting_id).first()
    if row is None:
        raise NotFound(f"No board meeting {meeting_id}")
    return row


def _as_action(row: dict[str, Any]) -> Action:
    return Action(
        id=row["id"],
        description=row["description"],
        owner=row.get("owner_name") or "",
        due_on=row["due_on"],
        status=ActionStatus(row["status"]),
        raised_on=row["raised_on"],
    )


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting: dict[str, Any]
    day: date
    agenda: list[dict[str, Any]]
    matters_arising: list[dict[str, Any]]
    papers: list[dict[str, Any]]
    attendance: list[dict[str, Any]]  # one per member expected, with their mark if recorded
    actions: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    verdict: QuorumVerdict | None
    policy_version: int


async def meeting(meeting_id: int) -> MeetingView:
    row = await _meeting_row(meeting_id)
    row["status_label"] = MEETING_STATUS_LABELS[row["status"]]
    day = clock.london(row["starts_at"]).date()
    agenda = list(
        await BoardAgendaItem.select()
        .where(BoardAgendaItem.meeting == meeting_id)
        .order_by(BoardAgendaItem.position)
    )
    papers = list(
        await BoardPaper.select(
            BoardPaper.id,
            BoardPaper.title,
            BoardPaper.filename,
            BoardPaper.size,
            BoardPaper.uploaded_at,
        )
        .where(BoardPaper.meeting == meeting_id)
        .order_by(BoardPaper.id)
    )
    open_rows = await _action_rows(
        BoardAction.status.is_in([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    )
    arising_ids = {a.id for a in action_rules.matters_arising(map(_as_action, open_rows), day)}
    arising = sorted(
        (r for r in open_rows if r["id"] in arising_ids), key=lambda r: (r["due_on"], r["id"])
    )
    raised = await _action_rows(BoardAction.meeting == meeting_id)
    decisions = list(
        await BoardDecision.select()
        .where(BoardDecision.meeting == meeting_id)
        .order_by(BoardDecision.id)
    )
    marks = {
        m["member"]: m
        for m in await BoardAttendance.select().where(BoardAttendance.meeting == meeting_id)
    }
    everyone = await members(on=day)
    expected = [m for m in everyone if m["current"] or m["id"] in marks]
    attendance = []
    for m in expected:
        mark = marks.get(m["id"])
        attendance.append(
            {
                **m,
                "attendance": mark["attendance"] if mark else "",
                "attendance_label": ATTENDANCE_LABELS.get(mark["attendance"], "")
                if mark
                else "Not recorded",
                "deputy_sent_name": mark["deputy_name"] if mark else "",
            }
        )
    verdict = None
    current_policy = await policy()
    if marks:
        verdict = attendance_rules.board_quorum(
            [_rule_member(m) for m in expected],
            await partner_names(),
            {mid: Attendance(m["attendance"]) for mid, m in marks.items()},
            current_policy.quorum,
        )
    return MeetingView(
        meeting=row,
        day=day,
        agenda=agenda,
        matters_arising=arising,
        papers=papers,
        attendance=attendance,
        actions=raised,
        decisions=decisions,
        verdict=verdict,
        policy_version=row["quorum_policy_version"] or current_policy.version,
    )


async def _organiser() -> ical.Contact:
    agency = await gov_services.agency()
    name = agency["name"] if agency else "Partnership board"
    return ical.Contact(name=f"{name} partnership board", email=mail_from_address())


def mail_from_address() -> str:
    from governance.settings import Settings

    return Settings.from_env().mail_from


def _event(row: dict[str, Any], organiser: ical.Contact, base_url: str) -> ical.CalendarEvent:
    return ical.CalendarEvent(
        uid=ical.event_uid("board-meeting", row["id"], _domain(base_url)),
        sequence=row["ical_sequence"],
        summary=row["title"],
        start=row["starts_at"],
        end=row["ends_at"],
        organiser=organiser,
        location=row["location"],
        description=f"Partnership board meeting. Agenda and papers: {base_url}/board/meetings/"
        + str(row["id"]),
        status=ical.EventStatus.CANCELLED
        if row["status"] == MeetingStatus.CANCELLED
        else ical.EventStatus.CONFIRMED,
    )


def _domain(base_url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(base_url).hostname or "localhost"


async def _invitees(day: date) -> list[dict[str, Any]]:
    return [m for m in await members(on=day) if m["current"] and m["email"]]


async def _send_invitations(row: dict[str, Any], base_url: str, *, cancel: bool = False) -> int:
    organiser = await _organiser()
    event = _event(row, organiser, base_url)
    day = clock.london(row["starts_at"]).date()
    sent = 0
    for m in await _invitees(day):
        contact = ical.Contact(name=m["name"], email=m["email"])
        if cancel:
            data = ical.cancellation(event, contact, dtstamp=clock.now())
            subject = f"Cancelled: {row['title']} on {day:%d %B %Y}"
            body = f"The partnership board meeting on {day.day} {day:%B %Y} has been cancelled.\n"
            method = "CANCEL"
        else:
            data = ical.invitation(event, contact, dtstamp=clock.now())
            when = clock.london(row["starts_at"])
            subject = f"Invitation: {row['title']} on {day.day} {day:%B %Y}"
            body = (
                f"You are invited to the partnership board meeting on {day.day} {day:%B %Y} "
                f"at {when:%H:%M}"
                + (f", {row['location']}" if row["location"] else "")
                + f".\nAgenda and papers: {base_url}/board/meetings/{row['id']}\n"
            )
            method = "REQUEST"
        key = f"board-meeting-{row['id']}-{row['ical_sequence']}-{method}-{m['person']}"
        queued = await mail.queue(
            key[:200],
            m["email"],
            subject,
            body,
            (mail.Attachment("invite.ics", f"text/calendar; method={method}", data),),
        )
        sent += int(queued)
    return sent


async def schedule_meeting(
    actor: Actor, data: dict[str, Any], *, base_url: str, path: str = ""
) -> int:
    values = _check_meeting(data)
    async with db.transaction():
        row = await BoardMeeting.insert(BoardMeeting(**values)).returning(BoardMeeting.id)
        meeting_id = int(row[0]["id"])
        for position, title in enumerate(
            ("Welcome, apologies and declarations", "Minutes of the last meeting"), start=1
        ):
            await BoardAgendaItem.insert(
                BoardAgendaItem(meeting=meeting_id, position=position, title=title)
            )
        await audit.record(actor, "create", "board_meeting", meeting_id, path=path, after=values)
        await _send_invitations(await _meeting_row(meeting_id), base_url)
    return meeting_id


async def update_meeting(
    actor: Actor,
    meeting_id: int,
    version: int,
    data: dict[str, Any],
    *,
    base_url: str,
    path: str = "",
) -> None:
    values = _check_meeting(data)
    async with db.transaction():
        before = await _meeting_row(meeting_id)
        if before["status"] == MeetingStatus.CANCELLED:
            raise Conflict("This meeting was cancelled; schedule a new one instead")
        moved = any(before[k] != v for k, v in values.items())
        sequence = before["ical_sequence"] + (1 if moved else 0)
        updated = (
            await BoardMeeting.update(
                dict[Any, Any]({**values, "ical_sequence": sequence, "version": version + 1})
            )
            .where((BoardMeeting.id == meeting_id) & (BoardMeeting.version == version))
            .returning(BoardMeeting.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update",
            "board_meeting",
            meeting_id,
            path=path,
            before={k: before[k] for k in values},
            after=values,
        )
        if moved and before["status"] == MeetingStatus.SCHEDULED:
            await _send_invitations(await _meeting_row(meeting_id), base_url)


async def cancel_meeting(
    actor: Actor, meeting_id: int, version: int, *, base_url: str, path: str = ""
) -> None:
    async with db.transaction():
        before = await _meeting_row(meeting_id)
        if before["status"] != MeetingStatus.SCHEDULED:
            raise Conflict("Only a meeting that has not been held can be cancelled")
        if before["attendance_version"]:
            raise Conflict("Attendance has been recorded for this meeting, so it was held")
        updated = (
            await BoardMeeting.update(
                {
                    BoardMeeting.status: MeetingStatus.CANCELLED,
                    BoardMeeting.version: version + 1,
                }
            )
            .where((BoardMeeting.id == meeting_id) & (BoardMeeting.version == version))
            .returning(BoardMeeting.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(actor, "cancel", "board_meeting", meeting_id, path=path)
        # The cancellation is sent as the last revision the members received.
        await _send_invitations(before, base_url, cancel=True)


async def meeting_calendar(meeting_id: int, base_url: str) -> bytes:
    row = await _meeting_row(meeting_id)
    return ical.feed(
        [_event(row, await _organiser(), base_url)],
        "Partnership board",
        dtstamp=clock.now(),
    )


async def calendar_feed(base_url: str) -> bytes:
    organiser = await _organiser()
    rows = await BoardMeeting.select().order_by(BoardMeeting.starts_at)
    return ical.feed(
        [_event(r, organiser, base_url) for r in rows],
        "Partnership board meetings",
        dtstamp=clock.now(),
    )


async def add_agenda_item(
    actor: Actor, meeting_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    check = Checker()
    title = check.text("item_title", data.get("item_title"), "Agenda item title")
    presenter = check.text("presenter", data.get("presenter"), "Who presents it", required=False)
    check.raise_if_any()
    async with db.transaction():
        await _meeting_row(meeting_id)
        last = (
            await BoardAgendaItem.select(BoardAgendaItem.position)
            .where(BoardAgendaItem.meeting == meeting_id)
            .order_by(BoardAgendaItem.position, ascending=False)
            .first()
        )
        position = (last["position"] if last else 0) + 1
        row = await BoardAgendaItem.insert(
            BoardAgendaItem(meeting=meeting_id, position=position, title=title, presenter=presenter)
        ).returning(BoardAgendaItem.id)
        await audit.record(
            actor,
            "create",
            "board_agenda_item",
            row[0]["id"],
            path=path,
            after={"meeting": meeting_id, "title": title, "presenter": presenter},
        )
    return int(row[0]["id"])


async def remove_agenda_item(
    actor: Actor, meeting_id: int, item_id: int, *, path: str = ""
) -> None:
    async with db.transaction():
        row = (
            await BoardAgendaItem.select()
            .where((BoardAgendaItem.id == item_id) & (BoardAgendaItem.meeting == meeting_id))
            .first()
        )
        if row is None:
            raise NotFound(f"No agenda item {item_id}")
        await BoardAgendaItem.delete().where(BoardAgendaItem.id == item_id)
        await audit.record(actor, "delete", "board_agenda_item", item_id, path=path, before=row)


async def add_paper(
    actor: Actor,
    meeting_id: int,
    title: str,
    filename: str,
    content_type: str,
    data: bytes,
    *,
    limit_bytes: int = _MAX_PAPER_BYTES,
    path: str = "",
) -> int:
    check = Checker()
    title = check.text("paper_title", title, "Paper title")
    content_type = content_type.split(";")[0].strip().lower()
    if not data:
        check.fail("paper", "Choose the paper to upload")
    elif len(data) > limit_bytes:
        check.fail("paper", f"The paper must be smaller than {limit_bytes // (1024 * 1024)} MB")
    elif content_type not in PAPER_TYPES:
        check.fail("paper", "The paper must be a PDF, Word, Excel, CSV or text file")
    elif content_type == "application/pdf" and not data.startswith(b"%PDF-"):
        check.fail("paper", "The file is not a PDF, although its name says it is")
    check.raise_if_any()
    safe = "".join(c for c in filename if c.isalnum() or c in "._- ").strip() or "paper"
    async with db.transaction():
        await _meeting_row(meeting_id)
        row = await BoardPaper.insert(
            BoardPaper(
                meeting=meeting_id,
                title=title,
                filename=safe[:200],
                content_type=content_type,
                size=len(data),
                data=data,
                uploaded_by=actor.name[:200],
            )
        ).returning(BoardPaper.id)
        await audit.record(
            actor,
            "create",
            "board_paper",
            row[0]["id"],
            path=path,
            after={"meeting": meeting_id, "title": title, "filename": safe, "size": len(data)},
        )
    return int(row[0]["id"])


async def paper(meeting_id: int, paper_id: int) -> dict[str, Any]:
    row = (
        await BoardPaper.select()
        .where((BoardPaper.id == paper_id) & (BoardPaper.meeting == meeting_id))
        .first()
    )
    if row is None:
        raise NotFound(f"No paper {paper_id}")
    return row


async def record_attendance(
    actor: Actor,
    meeting_id: int,
    attendance_version: int,
    marks: dict[str, Any],
    *,
    path: str = "",
) -> QuorumVerdict:
    """marks: {"<member id>": attendance, "deputy-<member id>": name}; all or nothing."""
    view = await meeting(meeting_id)
    row = view.meeting
    check = Checker()
    if row["status"] == MeetingStatus.CANCELLED:
        raise Conflict("This meeting was cancelled, so no attendance can be recorded")
    if view.day > clock.today():
        raise Conflict(
            "This meeting has not happened yet: record attendance on or after the day it is held"
        )
    expected = {m["id"]: m for m in view.attendance}
    chosen: dict[int, tuple[Attendance, str]] = {}
    for member_id, m in expected.items():
        raw = marks.get(str(member_id))
        label = f"{m['name']}'s attendance"
        value = check.choice(f"member-{member_id}", raw, label, ATTENDANCE_LABELS)
        deputy = str(marks.get(f"deputy-{member_id}") or "").strip()
        if value == Attendance.DEPUTY_SENT and not deputy:
            deputy = m["deputy_name"] or ""
            if not deputy:
                check.fail(f"deputy-{member_id}", f"Enter the name of the deputy {m['name']} sent")
        if len(deputy) > 200:
            check.fail(f"deputy-{member_id}", "The deputy's name must be 200 characters or fewer")
        if value:
            chosen[member_id] = (Attendance(value), deputy if value == "deputy_sent" else "")
    unknown = [
        k for k in marks if k.isdigit() and int(k) not in expected and not k.startswith("deputy")
    ]
    if unknown:
        check.fail("attendance", "Attendance was sent for someone who is not a board member")
    check.raise_if_any()
    current_policy = await policy()
    verdict = attendance_rules.board_quorum(
        [_rule_member(m) for m in expected.values()],
        await partner_names(),
        {mid: a for mid, (a, _) in chosen.items()},
        current_policy.quorum,
    )
    try:
        async with db.transaction():
            fresh = await _meeting_row(meeting_id)
            if fresh["attendance_version"] != attendance_version:
                if attendance_version == 0:
                    raise Conflict(
                        "Attendance for this meeting has already been recorded. Nothing was "
                        "changed: open the meeting to see it, and use Change attendance to "
                        "correct it.",
                        "attendance",
                    )
                raise Conflict(STALE_EDIT, "attendance")
            before = {
                m["member"]: m["attendance"]
                for m in await BoardAttendance.select().where(BoardAttendance.meeting == meeting_id)
            }
            await BoardAttendance.delete().where(BoardAttendance.meeting == meeting_id)
            await BoardAttendance.insert(
                *[
                    BoardAttendance(
                        meeting=meeting_id,
                        member=mid,
                        mark_key=_mark_key(meeting_id, mid),
                        attendance=a,
                        deputy_name=d,
                    )
                    for mid, (a, d) in chosen.items()
                ]
            )
            await BoardMeeting.update(
                {
                    BoardMeeting.attendance_version: attendance_version + 1,
                    BoardMeeting.status: MeetingStatus.HELD,
                    BoardMeeting.quorate: verdict.quorate,
                    BoardMeeting.quorum_shortfalls: "\n".join(verdict.shortfalls),
                    BoardMeeting.quorum_policy_version: verdict.policy_version,
                    BoardMeeting.version: fresh["version"] + 1,
                }
            ).where(BoardMeeting.id == meeting_id)
            await audit.record(
                actor,
                "update" if before else "create",
                "board_attendance",
                meeting_id,
                path=path,
                summary="quorate" if verdict.quorate else "; ".join(verdict.shortfalls),
                before=before or None,
                after={mid: a.value for mid, (a, _) in chosen.items()},
            )
    except _INTEGRITY as error:
        raise Conflict(
            "Attendance for this meeting has already been recorded", "attendance"
        ) from error
    return verdict


async def save_minutes(
    actor: Actor, meeting_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    check = Checker()
    minutes = check.text("minutes", data.get("minutes"), "Minutes", max_length=100_000)
    approved = check.day(
        "minutes_approved_on", data.get("minutes_approved_on"), "Date approved", required=False
    )
    check.raise_if_any()
    async with db.transaction():
        before = await _meeting_row(meeting_id)
        day = clock.london(before["starts_at"]).date()
        if approved is not None and approved < day:
            raise Invalid(
                {"minutes_approved_on": "Minutes cannot be approved before the meeting was held"}
            )
        updated = (
            await BoardMeeting.update(
                {
                    BoardMeeting.minutes: minutes,
                    BoardMeeting.minutes_approved_on: approved,
                    BoardMeeting.version: version + 1,
                }
            )
            .where((BoardMeeting.id == meeting_id) & (BoardMeeting.version == version))
            .returning(BoardMeeting.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update",
            "board_minutes",
            meeting_id,
            path=path,
            before={"approved": before["minutes_approved_on"], "length": len(before["minutes"])},
            after={"approved": approved, "length": len(minutes)},
        )


# ---------------------------------------------------------------- actions and decisions


async def _action_rows(
    where: Any = None, actions_policy: ActionsPolicy | None = None
) -> list[dict[str, Any]]:
    query = BoardAction.select(
        *BoardAction.all_columns(),
        BoardAction.owner.name.as_alias("owner_name"),
        BoardAction.owner.email.as_alias("owner_email"),
        BoardAction.meeting.title.as_alias("meeting_title"),
        BoardAction.meeting.starts_at.as_alias("meeting_starts_at"),
    ).order_by(BoardAction.due_on)
    if where is not None:
        query = query.where(where)
    rows = list(await query)
    today = clock.today()
    if actions_policy is None:
        actions_policy = (await policy()).actions
    for row in rows:
        standing = action_rules.standing(_as_action(row), today, actions_policy)
        row["standing"] = standing.standing.value
        row["standing_reason"] = standing.reason
        row["status_label"] = STATUS_LABELS[row["status"]]
    return rows


async def actions(status: str = "") -> list[dict[str, Any]]:
    if status == "overdue":
        return [
            r
            for r in await _action_rows(
                BoardAction.status.is_in([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
            )
            if r["standing"] == "overdue"
        ]
    if status == "due_soon":
        return [
            r
            for r in await _action_rows(
                BoardAction.status.is_in([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
            )
            if r["standing"] == "due_soon"
        ]
    if status in STATUS_LABELS:
        return await _action_rows(BoardAction.status == status)
    return await _action_rows()


async def action(action_id: int) -> dict[str, Any]:
    rows = await _action_rows(BoardAction.id == action_id)
    if not rows:
        raise NotFound(f"No action {action_id}")
    row = rows[0]
    row["updates"] = list(
        await BoardActionUpdate.select()
        .where(BoardActionUpdate.action == action_id)
        .order_by(BoardActionUpdate.id)
    )
    return row


async def create_action(
    actor: Actor, meeting_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    row = await _meeting_row(meeting_id)
    raised_on = clock.london(row["starts_at"]).date()
    check = Checker()
    due_on = check.day("due_on", data.get("due_on"), "Date the action is due", required=False)
    raw_owner = str(data.get("owner") or "").strip()
    owner_id: int | None = None
    owner_name = ""
    if raw_owner:
        try:
            owner_id = int(raw_owner)
        except ValueError:
            owner_id = None
        owner_name = await _person_name(owner_id)
        if not owner_name:
            check.fail("owner", "Select who owns the action from the list")
            owner_id = None
    actions_policy = (await policy()).actions
    errors = action_rules.check_new_action(
        ActionDraft(
            description=str(data.get("description") or ""),
            owner=owner_name if owner_id else "",
            due_on=None if "due_on" in check.errors else due_on,
        ),
        raised_on,
        actions_policy,
    )
    if "owner" in errors:
        errors["owner"] = "Select who owns the action"
    for key, message in errors.items():
        check.fail(key, message)
    if row["status"] == MeetingStatus.CANCELLED:
        check.fail("description", "This meeting was cancelled, so it cannot raise actions")
    check.raise_if_any()
    assert due_on is not None and owner_id is not None
    description = str(data.get("description")).strip()
    async with db.transaction():
        inserted = await BoardAction.insert(
            BoardAction(
                meeting=meeting_id,
                description=description,
                owner=owner_id,
                due_on=due_on,
                raised_on=raised_on,
            )
        ).returning(BoardAction.id)
        action_id = int(inserted[0]["id"])
        await BoardActionUpdate.insert(
            BoardActionUpdate(
                action=action_id,
                on=clock.today(),
                status=ActionStatus.OPEN,
                note="Action raised",
                by=actor.name[:200],
            )
        )
        await audit.record(
            actor,
            "create",
            "board_action",
            action_id,
            path=path,
            after={
                "meeting": meeting_id,
                "description": description,
                "owner": owner_id,
                "due_on": due_on,
            },
        )
    return action_id


async def update_action(
    actor: Actor, action_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    before = await action(action_id)
    check = Checker()
    status = check.choice("status", data.get("status"), "Where the action stands", STATUS_LABELS)
    note = check.text("note", data.get("note"), "Update", max_length=2000, required=False)
    due_on = check.day(
        "due_on", data.get("due_on") or before["due_on"].isoformat(), "Date the action is due"
    )
    if due_on is not None and due_on < before["raised_on"]:
        check.fail(
            "due_on",
            "The due date must be on or after the date of the meeting that raised the action",
        )
    if not check.errors and not note and status == before["status"] and due_on == before["due_on"]:
        check.fail("note", "Enter an update, or change the status or due date")
    check.raise_if_any()
    today = clock.today()
    closed = status in (ActionStatus.DONE, ActionStatus.DROPPED)
    async with db.transaction():
        updated = (
            await BoardAction.update(
                {
                    BoardAction.status: status,
                    BoardAction.due_on: due_on,
                    BoardAction.closed_on: (before["closed_on"] or today) if closed else None,
                    BoardAction.version: version + 1,
                }
            )
            .where((BoardAction.id == action_id) & (BoardAction.version == version))
            .returning(BoardAction.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        moved = "" if due_on == before["due_on"] else f"Due date moved to {due_on}. "
        await BoardActionUpdate.insert(
            BoardActionUpdate(
                action=action_id,
                on=today,
                status=status,
                note=(moved + note).strip(),
                by=actor.name[:200],
            )
        )
        await audit.record(
            actor,
            "update",
            "board_action",
            action_id,
            path=path,
            before={"status": before["status"], "due_on": before["due_on"]},
            after={"status": status, "due_on": due_on, "note": note},
        )


async def record_decision(
    actor: Actor, meeting_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    row = await _meeting_row(meeting_id)
    check = Checker()
    summary = check.text("summary", data.get("summary"), "The decision", max_length=4000)
    check.raise_if_any()
    if row["status"] == MeetingStatus.CANCELLED:
        raise Conflict("This meeting was cancelled, so it made no decisions")
    day = clock.london(row["starts_at"]).date()
    async with db.transaction():
        count = await BoardDecision.count().where(BoardDecision.meeting == meeting_id)
        reference = f"PB-{day:%Y-%m-%d}-{count + 1:02d}"
        inserted = await BoardDecision.insert(
            BoardDecision(meeting=meeting_id, reference=reference, summary=summary, decided_on=day)
        ).returning(BoardDecision.id)
        await audit.record(
            actor,
            "create",
            "board_decision",
            inserted[0]["id"],
            path=path,
            after={"meeting": meeting_id, "reference": reference, "summary": summary},
        )
    return int(inserted[0]["id"])


async def decisions() -> list[dict[str, Any]]:
    return list(
        await BoardDecision.select(
            *BoardDecision.all_columns(),
            BoardDecision.meeting.title.as_alias("meeting_title"),
        ).order_by(BoardDecision.decided_on, ascending=False)
    )


async def send_action_reminders(today: date, base_url: str) -> int:
    """Queue the reminders due today; the outbox dedupe key means each is sent once."""
    actions_policy = (await policy()).actions
    rows = await _action_rows(
        BoardAction.status.is_in([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    )
    by_id = {r["id"]: r for r in rows}
    queued = 0
    for reminder in action_rules.reminders_due(map(_as_action, rows), today, actions_policy):
        row = by_id[reminder.action_id]
        if not row["owner_email"]:
            continue
        overdue = reminder.kind is action_rules.ReminderKind.OVERDUE
        subject = (
            "Overdue partnership board action" if overdue else "Partnership board action due soon"
        )
        body = (
            f"Dear {row['owner_name']},\n\nThe action below, raised at the partnership board on "
            f"{row['raised_on'].day} {row['raised_on']:%B %Y}, "
            + ("was due" if overdue else "is due")
            + f" on {row['due_on'].day} {row['due_on']:%B %Y}:\n\n{row['description']}\n\n"
            f"Record an update: {base_url}/board/actions/{row['id']}\n"
        )
        key = f"board-action-{reminder.action_id}-{reminder.kind.value}-{reminder.on.isoformat()}"
        queued += int(await mail.queue(key, row["owner_email"], subject, body))
    return queued


# ---------------------------------------------------------------- performance figures


def _figures_of(row: dict[str, Any]) -> Figures:
    values: dict[str, Any] = {}
    for f in Figure:
        raw = row[f.value]
        if raw is None and f in indicators.LATER:
            values[f.value] = None
        else:
            values[f.value] = Decimal(raw) if f in indicators.MONEY else int(raw)
    return Figures(**values)


async def figure_rows() -> list[dict[str, Any]]:
    rows = await QuarterFigures.select(
        *QuarterFigures.all_columns(),
        QuarterFigures.partner.name.as_alias("partner_name"),
        QuarterFigures.partner.code.as_alias("partner_code"),
    ).order_by(QuarterFigures.year, QuarterFigures.quarter, QuarterFigures.partner.name)
    for row in rows:
        row["q"] = Quarter(row["year"], row["quarter"])
        row["figures"] = _figures_of(row)
    return list(rows)


async def figure_row(figures_id: int) -> dict[str, Any]:
    row = (
        await QuarterFigures.select(
            *QuarterFigures.all_columns(),
            QuarterFigures.partner.name.as_alias("partner_name"),
        )
        .where(QuarterFigures.id == figures_id)
        .first()
    )
    if row is None:
        raise NotFound(f"No figures {figures_id}")
    row["q"] = Quarter(row["year"], row["quarter"])
    return row


def _read_quarter(check: Checker, field_name: str, value: object) -> Quarter | None:
    text = "" if value is None else str(value).strip()
    if not text:
        check.fail(field_name, "Select the quarter the figures are for")
        return None
    try:
        return Quarter.parse(text)
    except ValueError:
        check.fail(field_name, "The quarter must look like 2022-23 Q3")
        return None


async def _partner_lookup() -> dict[str, int]:
    found: dict[str, int] = {}
    for p in await gov_services.partners():
        found[str(p["id"])] = p["id"]
        found[p["code"].upper()] = p["id"]
        found[p["name"].upper()] = p["id"]
    return found


async def _check_figures(
    data: dict[str, Any], *, prefix: str = "", need_period: bool = True
) -> tuple[int | None, Quarter | None, Figures]:
    check = Checker()
    partner_id: int | None = None
    quarter: Quarter | None = None
    if need_period:
        lookup = await _partner_lookup()
        raw_partner = str(data.get("partner") or "").strip().upper()
        partner_id = lookup.get(raw_partner)
        if partner_id is None:
            check.fail(
                "partner",
                f"{prefix}Select the partner the figures are for"
                if not raw_partner
                else f"{prefix}There is no partner called {raw_partner[:60]}",
            )
        quarter = _read_quarter(check, "quarter", data.get("quarter"))
        if quarter is not None and quarter.first_day > clock.today():
            check.fail("quarter", f"{prefix}{quarter.label} has not started yet")
    entry = indicators.read_figures({f.value: data.get(f.value) for f in Figure})
    for key, message in entry.errors.items():
        check.fail(key, prefix + message)
    if "quarter" in check.errors and prefix:
        check.errors["quarter"] = prefix + check.errors["quarter"]
    check.raise_if_any()
    assert entry.figures is not None
    return partner_id, quarter, entry.figures


def _figure_values(figures: Figures) -> dict[str, Any]:
    return {f.value: figures.value(f) for f in Figure}


async def _duplicate_message(partner_id: int, quarter: Quarter) -> str:
    name = next(p["name"] for p in await gov_services.partners() if p["id"] == partner_id)
    return (
        f"{name} already has figures for {quarter.label}. Nothing was saved: to correct them, "
        "open those figures and change them there."
    )


async def enter_figures(
    actor: Actor, data: dict[str, Any], *, source: str = "form", path: str = ""
) -> int:
    partner_id, quarter, figures = await _check_figures(data)
    assert partner_id is not None and quarter is not None
    values = _figure_values(figures)
    key = _period_key(partner_id, quarter)
    try:
        async with db.transaction():
            if await QuarterFigures.exists().where(QuarterFigures.period_key == key):
                raise Conflict(await _duplicate_message(partner_id, quarter), "quarter")
            row = await QuarterFigures.insert(
                QuarterFigures(
                    partner=partner_id,
                    year=quarter.year,
                    quarter=quarter.number,
                    period_key=key,
                    source=source,
                    entered_by=actor.name[:200],
                    **values,
                )
            ).returning(QuarterFigures.id)
            await audit.record(
                actor,
                "create",
                "board_figures",
                row[0]["id"],
                path=path,
                summary=f"{quarter.label} partner {partner_id}",
                after=values,
            )
    except _INTEGRITY as error:
        raise Conflict(await _duplicate_message(partner_id, quarter), "quarter") from error
    return int(row[0]["id"])


async def update_figures(
    actor: Actor, figures_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    before = await figure_row(figures_id)
    _, _, figures = await _check_figures(data, need_period=False)
    values = _figure_values(figures)
    async with db.transaction():
        await _update_entered(
            actor, QuarterFigures, figures_id, version, values, before, "board_figures", path
        )


async def _update_entered(
    actor: Actor,
    table: Any,  # QuarterFigures or ScorecardChild: entered figures with a version
    row_id: int,
    version: int,
    values: dict[str, Any],
    before: dict[str, Any],
    record_type: str,
    path: str,
) -> None:
    """Correct a row entered by hand, only at the version it was read at; audited."""
    updated = (
        await table.update(
            dict[Any, Any]({**values, "version": version + 1, "entered_by": actor.name[:200]})
        )
        .where((table.id == row_id) & (table.version == version))
        .returning(table.id)
    )
    if not updated:
        raise Conflict(STALE_EDIT)
    await audit.record(
        actor,
        "update",
        record_type,
        row_id,
        path=path,
        before={k: before[k] for k in values},
        after=values,
    )


CSV_COLUMNS = ("partner", "quarter", *(f.value for f in Figure))


def csv_template() -> str:
    return ",".join(CSV_COLUMNS) + "\n"


async def import_figures_csv(actor: Actor, text: str, *, path: str = "") -> int:
    """All rows or none: any wrong value is a 422, any quarter already held a 409."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in headers]
    if missing:
        raise Invalid(
            {
                "file": "The file must have a header row with the columns "
                + ", ".join(CSV_COLUMNS)
                + f"; it lacks {', '.join(missing)}"
            }
        )
    rows: list[tuple[int, Quarter, Figures]] = []
    errors: dict[str, str] = {}
    seen: set[tuple[int, Quarter]] = set()
    for number, raw in enumerate(reader, start=2):
        data = {(k or "").strip().lower(): v for k, v in raw.items()}
        if not any(str(v or "").strip() for v in data.values()):
            continue
        try:
            partner_id, quarter, figures = await _check_figures(data, prefix=f"Row {number}: ")
        except Invalid as error:
            first = next(iter(error.errors.values()))
            errors[f"row-{number}"] = first
            continue
        assert partner_id is not None and quarter is not None
        if (partner_id, quarter) in seen:
            errors[f"row-{number}"] = (
                f"Row {number}: the file has a second set of figures for the same partner "
                f"and {quarter.label}"
            )
            continue
        seen.add((partner_id, quarter))
        rows.append((partner_id, quarter, figures))
        if len(errors) >= 20:
            break
    if not rows and not errors:
        errors["file"] = "The file has no rows of figures"
    if errors:
        raise Invalid(errors)
    try:
        async with db.transaction():
            clashes = [
                (p, q)
                for p, q, _ in rows
                if await QuarterFigures.exists().where(
                    QuarterFigures.period_key == _period_key(p, q)
                )
            ]
            if clashes:
                p, q = clashes[0]
                more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
                raise Conflict(await _duplicate_message(p, q) + more, "file")
            await QuarterFigures.insert(
                *[
                    QuarterFigures(
                        partner=p,
                        year=q.year,
                        quarter=q.number,
                        period_key=_period_key(p, q),
                        source="csv",
                        entered_by=actor.name[:200],
                        **_figure_values(f),
                    )
                    for p, q, f in rows
                ]
            )
            await audit.record(
                actor,
                "import",
                "board_figures",
                "",
                path=path,
                summary=f"{len(rows)} rows imported from CSV",
                after=[f"{p}:{q.label}" for p, q, _ in rows],
            )
    except _INTEGRITY as error:
        raise Conflict("Some of those quarters already have figures; nothing was saved") from error
    return len(rows)


async def comparisons() -> list[dict[str, Any]]:
    rows = await ComparisonFigure.select().order_by(
        ComparisonFigure.year, ComparisonFigure.quarter, ComparisonFigure.scope
    )
    for row in rows:
        row["q"] = Quarter(row["year"], row["quarter"])
        row["scope_label"] = SCOPE_LABELS[ComparisonScope(row["scope"])]
        row["indicator_label"] = INDICATOR_LABELS[ComparisonIndicator(row["indicator"])]
    return list(rows)


async def set_comparison(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    check = Checker()
    scope = check.choice(
        "scope", data.get("scope"), "National or regional", {s.value: s for s in SCOPE_LABELS}
    )
    indicator = check.choice(
        "indicator",
        data.get("indicator"),
        "The indicator",
        {i.value: i for i in INDICATOR_LABELS},
    )
    quarter = _read_quarter(check, "comparison_quarter", data.get("comparison_quarter"))
    percent = check.decimal("percent", data.get("percent"), "The comparison figure")
    if not check.errors and not Decimal(-1000) < percent < Decimal(1000):
        check.fail("percent", "The comparison figure must be a percentage, like 14 or -34")
    source = check.text(
        "comparison_source", data.get("comparison_source"), "Source", max_length=300, required=False
    )
    check.raise_if_any()
    assert quarter is not None
    key = f"{scope}:{indicator}:{quarter.year}Q{quarter.number}"
    try:
        async with db.transaction():
            if await ComparisonFigure.exists().where(ComparisonFigure.comparison_key == key):
                raise Conflict(
                    f"A {scope} {INDICATOR_LABELS[ComparisonIndicator(indicator)].lower()} "
                    f"figure for {quarter.label} is already recorded; nothing was saved",
                    "percent",
                )
            row = await ComparisonFigure.insert(
                ComparisonFigure(
                    scope=scope,
                    indicator=indicator,
                    year=quarter.year,
                    quarter=quarter.number,
                    comparison_key=key,
                    percent=percent,
                    source=source,
                )
            ).returning(ComparisonFigure.id)
            await audit.record(
                actor, "create", "board_comparison", row[0]["id"], path=path, after={"key": key}
            )
    except _INTEGRITY as error:
        raise Conflict("That comparison figure is already recorded") from error
    return int(row[0]["id"])


# ---------------------------------------------------------------- the scorecard's dates

SCORECARD_DATES: dict[str, str] = {
    "entered_care_on": "Date the child entered care",
    "placement_order_on": "Date of the placement order (court authority to place)",
    "match_decided_on": "Date the match was decided",
    "moved_in_on": "Date the child moved in with the adoptive family",
    "fostered_from": "Date the child moved in with the foster carers who adopted",
    "adoption_order_on": "Date of the adoption order",
}
_SCORECARD_ORDER = (
    ("entered_care_on", "placement_order_on"),
    ("entered_care_on", "moved_in_on"),
    ("entered_care_on", "fostered_from"),
    ("moved_in_on", "adoption_order_on"),
)


async def scorecard_children() -> list[dict[str, Any]]:
    rows = await ScorecardChild.select(
        *ScorecardChild.all_columns(), ScorecardChild.partner.name.as_alias("partner_name")
    ).order_by(ScorecardChild.id)
    return list(rows)


async def scorecard_child(child_id: int) -> dict[str, Any]:
    for row in await scorecard_children():
        if row["id"] == child_id:
            return row
    raise NotFound(f"No child's dates {child_id}")


def child_dates(row: dict[str, Any]) -> scorecard_rules.ChildDates:
    return scorecard_rules.ChildDates(
        entered_care_on=row["entered_care_on"],
        placement_order_on=row["placement_order_on"],
        match_decided_on=row["match_decided_on"],
        moved_in_on=row["moved_in_on"],
        adopted_by_foster_carers=bool(row["adopted_by_foster_carers"]),
        fostered_from=row["fostered_from"],
        adoption_order_on=row["adoption_order_on"],
    )


async def _check_child(data: dict[str, Any]) -> dict[str, Any]:
    check = Checker()
    partners = {str(p["id"]): p["id"] for p in await gov_services.partners()}
    partner = partners.get(str(data.get("partner") or "").strip())
    if partner is None:
        check.fail("partner", "Select the partner whose child this is")
    reference = check.text(
        "reference", data.get("reference"), "Case reference", max_length=40, required=False
    )
    values: dict[str, Any] = {"partner": partner, "reference": reference}
    today = clock.today()
    for name, label in SCORECARD_DATES.items():
        day = check.day(name, data.get(name), label, required=False)
        if day is not None and day > today:
            check.fail(name, f"{label} cannot be in the future")
        values[name] = day
    values["adopted_by_foster_carers"] = _yes(data.get("adopted_by_foster_carers"))
    for earlier, later in _SCORECARD_ORDER:
        first, second = values[earlier], values[later]
        if first and second and second < first and later not in check.errors:
            check.fail(
                later,
                f"{SCORECARD_DATES[later]} cannot be before the "
                + SCORECARD_DATES[earlier].replace("Date", "date", 1),
            )
    if values["fostered_from"] and not values["adopted_by_foster_carers"]:
        check.fail(
            "fostered_from",
            "Leave this blank unless the child was adopted by their foster carers",
        )
    if not any(values[name] for name in SCORECARD_DATES):
        check.fail("entered_care_on", "Enter at least one of the child's dates")
    check.raise_if_any()
    return values


async def save_child(
    actor: Actor, child_id: int | None, version: int, data: dict[str, Any], *, path: str = ""
) -> int:
    """Add a child's scorecard dates (child_id None) or correct them; a stale form is a 409."""
    values = await _check_child(data)
    async with db.transaction():
        if child_id is None:
            row = await ScorecardChild.insert(
                ScorecardChild(**values, entered_by=actor.name[:200])
            ).returning(ScorecardChild.id)
            child_id = int(row[0]["id"])
            await audit.record(actor, "create", "board_scorecard_child", child_id, path=path)
            return child_id
        before = await ScorecardChild.select().where(ScorecardChild.id == child_id).first()
        if before is None:
            raise NotFound(f"No child's dates {child_id}")
        await _update_entered(
            actor, ScorecardChild, child_id, version, values, before, "board_scorecard_child", path
        )
    return child_id


@dataclass(frozen=True, slots=True)
class Scorecard:
    first_day: date
    last_day: date
    agency: tuple[scorecard_rules.Measure, ...]
    partners: tuple[tuple[str, tuple[scorecard_rules.Measure, ...]], ...]
    children: int  # rows of dates held, to tell "none entered" from "none in the period"

    @property
    def columns(self) -> tuple[tuple[str, tuple[scorecard_rules.Measure, ...]], ...]:
        return (*self.partners, ("Whole agency", self.agency))


def scorecard_of(
    rows: Sequence[dict[str, Any]], partners: Sequence[str], first_day: date, last_day: date
) -> Scorecard:
    return Scorecard(
        first_day=first_day,
        last_day=last_day,
        agency=scorecard_rules.measures(map(child_dates, rows), first_day, last_day),
        partners=tuple(
            (
                partner,
                scorecard_rules.measures(
                    (child_dates(r) for r in rows if r["partner_name"] == partner),
                    first_day,
                    last_day,
                ),
            )
            for partner in partners
        ),
        children=len(rows),
    )


def scorecard_period(quarter: Quarter) -> tuple[date, date]:
    """The scorecard's three years, ending with the quarter: it averages over three years."""
    return add_months(quarter.last_day + timedelta(days=1), -36), quarter.last_day


# ---------------------------------------------------------------- funding and the agreement


@dataclass(frozen=True, slots=True)
class FundingView:
    plan: dict[str, Any] | None
    indexation: list[dict[str, Any]]
    years: tuple[funding_rules.YearBudget, ...]
    problems: tuple[str, ...]
    shares: dict[int, dict[int, Decimal]]
    agreement: dict[str, Any] | None
    milestones: tuple[funding_rules.Milestone, ...]
    reminders: tuple[funding_rules.MilestoneReminder, ...]


def _agreement_of(row: dict[str, Any]) -> funding_rules.Agreement:
    reviews = tuple(
        date.fromisoformat(d.strip()) for d in row["reviews_due_on"].split(",") if d.strip()
    )
    return funding_rules.Agreement(
        term_ends_on=row["term_ends_on"],
        reviews_due_on=reviews,
        review_window_months=row["review_window_months"],
    )


async def funding() -> FundingView:
    plan = await FundingPlan.select().first()
    index_rows = list(await Indexation.select().order_by(Indexation.financial_year))
    shares_by_year = await gov_services.funding_shares()
    partners = {p["id"]: p["name"] for p in await gov_services.partners()}
    years: tuple[funding_rules.YearBudget, ...] = ()
    problems: tuple[str, ...] = ()
    if plan is not None:
        base_shares = shares_by_year.get(plan["base_year"], {})
        if not base_shares:
            problems = (
                f"Set the partners' shares for {indicators.financial_year_label(plan['base_year'])}"
                " first",
            )
        else:
            result = funding_rules.plan_funding(
                [funding_rules.Share(partners[p], pc) for p, pc in base_shares.items()],
                plan["base_year"],
                Decimal(plan["base_budget"]),
                {r["financial_year"]: Decimal(r["percent"]) for r in index_rows},
                plan["last_year"],
            )
            problems = result.problems
            resplit = []
            for year in result.years:
                # Shares agreed for a year apply to that year; otherwise the base year's stand.
                year_shares = shares_by_year.get(year.year) or base_shares
                split = funding_rules.split(
                    year.total,
                    [funding_rules.Share(partners[p], pc) for p, pc in year_shares.items()],
                )
                resplit.append(
                    funding_rules.YearBudget(year.year, year.indexation_percent, year.total, split)
                )
            years = tuple(resplit)
    agreement_row = await PartnershipAgreement.select().first()
    found_milestones: tuple[funding_rules.Milestone, ...] = ()
    due_reminders: tuple[funding_rules.MilestoneReminder, ...] = ()
    if agreement_row is not None:
        agreement = _agreement_of(agreement_row)
        found_milestones = funding_rules.milestones(agreement)
        due_reminders = funding_rules.milestone_reminders(
            agreement, clock.today(), (await policy()).agreement
        )
    return FundingView(
        plan=plan,
        indexation=index_rows,
        years=years,
        problems=problems,
        shares=shares_by_year,
        agreement=agreement_row,
        milestones=found_milestones,
        reminders=due_reminders,
    )


async def set_funding_plan(
    actor: Actor, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    check = Checker()
    base_year = check.integer(
        "base_year", data.get("base_year"), "Base financial year", minimum=2000, maximum=2100
    )
    last_year = check.integer(
        "last_year", data.get("last_year"), "Last financial year", minimum=2000, maximum=2100
    )
    budget = check.decimal("base_budget", data.get("base_budget"), "Base budget", places=2)
    if "base_budget" not in check.errors and budget < 0:
        check.fail("base_budget", "Base budget cannot be negative")
    if not check.errors and last_year < base_year:
        check.fail("last_year", "The last financial year must be the base year or later")
    if not check.errors and last_year - base_year > 30:
        check.fail("last_year", "Plan at most 30 years ahead")
    check.raise_if_any()
    values: dict[str, Any] = {"base_year": base_year, "last_year": last_year, "base_budget": budget}
    async with db.transaction():
        before = await FundingPlan.select().first()
        if before is None:
            if version not in (0, -1):
                raise Conflict(STALE_EDIT)
            await FundingPlan.insert(FundingPlan(**values))
        else:
            updated = (
                await FundingPlan.update(dict[Any, Any]({**values, "version": version + 1}))
                .where((FundingPlan.id == before["id"]) & (FundingPlan.version == version))
                .returning(FundingPlan.id)
            )
            if not updated:
                raise Conflict(STALE_EDIT)
        await audit.record(
            actor, "update", "board_funding_plan", "", path=path, before=before, after=values
        )


async def set_indexation(actor: Actor, data: dict[str, Any], *, path: str = "") -> None:
    check = Checker()
    year = check.integer(
        "index_year", data.get("index_year"), "Financial year", minimum=2000, maximum=2100
    )
    percent = check.decimal("index_percent", data.get("index_percent"), "Indexation", places=4)
    if "index_percent" not in check.errors and not Decimal(-100) < percent <= Decimal(100):
        check.fail("index_percent", "Indexation must be a percentage between -100 and 100")
    basis = check.text("index_basis", data.get("index_basis"), "What it follows", required=False)
    check.raise_if_any()
    async with db.transaction():
        before = await Indexation.select().where(Indexation.financial_year == year).first()
        await Indexation.delete().where(Indexation.financial_year == year)
        await Indexation.insert(Indexation(financial_year=year, percent=percent, basis=basis))
        await audit.record(
            actor,
            "update",
            "board_indexation",
            year,
            path=path,
            before=before and {"percent": before["percent"]},
            after={"percent": percent, "basis": basis},
        )


async def set_shares(
    actor: Actor, financial_year: object, raw: dict[int, object], *, path: str = ""
) -> None:
    check = Checker()
    year = check.integer(
        "financial_year", financial_year, "Financial year", minimum=2000, maximum=2100
    )
    check.raise_if_any()
    await gov_services.set_funding_shares(actor, year, raw, path=path)


async def set_agreement(
    actor: Actor, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    check = Checker()
    title = check.text("agreement_title", data.get("agreement_title"), "Agreement title")
    term_ends_on = check.day(
        "term_ends_on", data.get("term_ends_on"), "Date the term runs at least until"
    )
    window = check.integer(
        "review_window_months",
        data.get("review_window_months"),
        "Review window in months",
        minimum=0,
        maximum=36,
    )
    reviews: list[date] = []
    for part in str(data.get("reviews_due_on") or "").replace(";", ",").split(","):
        if part.strip():
            day = check.day("reviews_due_on", part, "Each review date")
            if day is not None:
                reviews.append(day)
    if term_ends_on and any(r > term_ends_on for r in reviews):
        check.fail("reviews_due_on", "A review must be due on or before the end of the term")
    check.raise_if_any()
    values: dict[str, Any] = {
        "title": title,
        "term_ends_on": term_ends_on,
        "review_window_months": window,
        "reviews_due_on": ",".join(d.isoformat() for d in sorted(set(reviews))),
    }
    async with db.transaction():
        before = await PartnershipAgreement.select().first()
        if before is None:
            await PartnershipAgreement.insert(PartnershipAgreement(**values))
        else:
            updated = (
                await PartnershipAgreement.update(
                    dict[Any, Any]({**values, "version": version + 1})
                )
                .where(
                    (PartnershipAgreement.id == before["id"])
                    & (PartnershipAgreement.version == version)
                )
                .returning(PartnershipAgreement.id)
            )
            if not updated:
                raise Conflict(STALE_EDIT)
        await audit.record(
            actor, "update", "board_agreement", "", path=path, before=before, after=values
        )


async def chairs_emails() -> list[tuple[str, str]]:
    grants = await RoleGrant.select(RoleGrant.account).where(RoleGrant.role == Role.BOARD_CHAIR)
    ids = [g["account"] for g in grants]
    if not ids:
        return []
    rows = await Account.select(
        Account.person.name.as_alias("name"), Account.person.email.as_alias("email")
    ).where(Account.id.is_in(ids) & Account.disabled.eq(False))
    return sorted({(r["name"], r["email"]) for r in rows})


async def send_agreement_reminders(today: date) -> int:
    row = await PartnershipAgreement.select().first()
    if row is None:
        return 0
    queued = 0
    for reminder in funding_rules.milestone_reminders(
        _agreement_of(row), today, (await policy()).agreement
    ):
        for name, email in await chairs_emails():
            key = (
                f"board-agreement-{reminder.milestone.kind.value}-{reminder.milestone.on}-"
                f"{reminder.on}-{email}"
            )
            queued += int(
                await mail.queue(
                    key[:200],
                    email,
                    f"Partnership agreement: {reminder.milestone.description}",
                    f"Dear {name},\n\n{reminder.milestone.description}.\n",
                )
            )
    return queued


# ---------------------------------------------------------------- other areas' records


async def adm_clock_outcomes(
    first: Quarter, last: Quarter, today: date
) -> list[ClockOutcome] | None:
    """Every clock that fell due per partner and quarter, met, late or still open at the end of
    its quarter (of the current quarter: at the end of yesterday); None while no ADM decision has
    been recorded."""
    from adm.tables import Decision
    from adm.timeliness import clocks_due  # board reads adm; adm never reads board

    yesterday = today - timedelta(days=1)
    due = await clocks_due(first.first_day, min(last.last_day, yesterday))
    if not due and not await Decision.exists():
        return None
    found = []
    for each in due:
        quarter = Quarter.containing(each.due_on)
        outcome = indicators.outcome_at(
            each.due_on, each.completed_on, min(quarter.last_day, yesterday)
        )
        if outcome is not None:
            # An item of no partner (an information item, say) is the agency's own.
            partner = each.partner or "The agency (no partner)"
            found.append(ClockOutcome(each.kind, partner, quarter, outcome))
    return found


@dataclass(frozen=True, slots=True)
class PanelQuorum:
    meetings: int
    inquorate: int
    items: int
    deferred: int


async def panel_quorum_and_deferrals(first_day: date, last_day: date) -> PanelQuorum | None:
    """Panel meetings held with an inquorate item, and items deferred; None when none were held."""
    from panel.oversight import quorum_and_deferrals

    figures = await quorum_and_deferrals(first_day, last_day)
    if figures.meetings == 0:
        return None
    return PanelQuorum(figures.meetings, figures.inquorate, figures.items, figures.deferred)


@dataclass(frozen=True, slots=True)
class CentralListCompliance:
    members: int
    dbs_overdue: int
    training_overdue: int
    review_overdue: int
    # What the list lacks under AAR reg 3(1) (a social worker with three years' PQE, the
    # medical adviser), in words; empty when it has both.
    composition_gaps: tuple[str, ...] = ()


async def central_list_compliance(today: date) -> CentralListCompliance | None:
    """Members of the central list whose DBS check, training or annual review is overdue, and
    what the list lacks under AAR reg 3(1)."""
    from panel.rules.eligibility import DEFAULT_ELIGIBILITY
    from panel.services import central_list_gaps
    from panel.tables import PanelMember, TrainingRecord

    rows = await PanelMember.select(
        PanelMember.id,
        PanelMember.joined_on,
        PanelMember.leaving_on,
        PanelMember.dbs_checked_on,
        PanelMember.reviewed_on,
    )
    if not rows:
        return None
    training = await TrainingRecord.select(
        TrainingRecord.member, TrainingRecord.course, TrainingRecord.completed_on
    )
    # The panel area's default eligibility policy: the board reports against the same periods.
    rules = DEFAULT_ELIGIBILITY
    latest: dict[tuple[int, str], date] = {}
    for t in training:
        key = (t["member"], str(t["course"]))
        if key not in latest or t["completed_on"] > latest[key]:
            latest[key] = t["completed_on"]
    current = [r for r in rows if r["leaving_on"] is None or r["leaving_on"] > today]

    def overdue(last: date | None, months: int | None) -> bool:
        if last is None:
            return True
        return months is not None and add_months(last, months) < today

    return CentralListCompliance(
        members=len(current),
        dbs_overdue=sum(
            1 for r in current if overdue(r["dbs_checked_on"], rules.dbs_renew_every_months)
        ),
        training_overdue=sum(
            1
            for r in current
            if any(
                overdue(latest.get((r["id"], rule.course.value)), rule.renew_every_months)
                for rule in rules.training
            )
        ),
        review_overdue=sum(
            1
            for r in current
            if overdue(r["reviewed_on"] or r["joined_on"], rules.review_every_months)
        ),
        composition_gaps=await central_list_gaps(today),
    )


# ---------------------------------------------------------------- the dashboard


@dataclass(frozen=True, slots=True)
class PartnerTrend:
    partner: str
    quarters: tuple[Quarter, ...]
    rows: tuple[PartnerQuarter, ...]


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: date
    policy: Policy
    attendance: AttendanceReport
    overdue: tuple[dict[str, Any], ...]
    due_soon: tuple[dict[str, Any], ...]
    open_actions: int
    quarter: Quarter  # the last complete quarter
    quarters: tuple[Quarter, ...]  # the quarters the trends cover
    current: Quarter  # the quarter today is in, shown to date beside the last complete one
    timeliness: tuple[indicators.Timeliness, ...] | None
    panel: PanelQuorum | None
    central_list: CentralListCompliance | None
    board_meetings: int
    board_inquorate: tuple[dict[str, Any], ...]
    partners: tuple[str, ...]
    figures: tuple[PartnerQuarter, ...]
    comparisons: dict[tuple[str, str, Quarter], Decimal] = field(default_factory=dict)
    next_meeting: dict[str, Any] | None = None
    scorecard: Scorecard | None = None  # None: no child's dates entered yet


async def attendance_report(ending_on: date, current_policy: Policy) -> AttendanceReport:
    window_start = add_months(ending_on, -current_policy.attendance.window_months) + timedelta(
        days=1
    )
    marks_rows = await BoardAttendance.select(
        BoardAttendance.member,
        BoardAttendance.attendance,
        BoardAttendance.meeting.starts_at.as_alias("starts_at"),
    ).where(
        (BoardAttendance.meeting.starts_at >= _london(window_start, time.min))
        & (BoardAttendance.meeting.starts_at < _london(ending_on + timedelta(days=1), time.min))
    )
    marks = [
        Mark(r["member"], clock.london(r["starts_at"]).date(), Attendance(r["attendance"]))
        for r in marks_rows
    ]
    in_window = {m.member_id for m in marks}
    # Current members, and past members who sat in the window: a member who left still counts.
    shown = [m for m in await members(on=ending_on) if m["current"] or m["id"] in in_window]
    return attendance_rules.attendance_over_window(
        [_rule_member(m) for m in shown],
        await partner_names(),
        marks,
        ending_on,
        current_policy.attendance,
    )


def last_complete_quarter(today: date) -> Quarter:
    current = Quarter.containing(today)
    previous = Quarter(current.year, current.number - 1) if current.number > 1 else None
    return previous or Quarter(current.year - 1, 4)


_Records = tuple[
    list[dict[str, Any]],
    list[dict[str, Any]],
    list[dict[str, Any]],
    list[dict[str, Any]],
    dict[str, Any] | None,
    AttendanceReport,
]


async def _dashboard_records(
    today: date, first: Quarter, quarter: Quarter, year_ago: date, current_policy: Policy
) -> _Records:
    found = await asyncio.gather(
        _action_rows(
            BoardAction.status.is_in([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
            current_policy.actions,
        ),
        QuarterFigures.select(
            *QuarterFigures.all_columns(), QuarterFigures.partner.name.as_alias("partner_name")
        ).where((QuarterFigures.year >= first.year) & (QuarterFigures.year <= quarter.year)),
        ComparisonFigure.select().where(
            (ComparisonFigure.year >= first.year) & (ComparisonFigure.year <= quarter.year)
        ),
        BoardMeeting.select(
            BoardMeeting.id,
            BoardMeeting.starts_at,
            BoardMeeting.quorate,
            BoardMeeting.quorum_shortfalls,
        ).where(
            (BoardMeeting.starts_at >= _london(year_ago, time.min))
            & (BoardMeeting.status == MeetingStatus.HELD)
        ),
        BoardMeeting.select(BoardMeeting.id, BoardMeeting.title, BoardMeeting.starts_at)
        .where(
            (BoardMeeting.starts_at >= _london(today, time.min))
            & (BoardMeeting.status == MeetingStatus.SCHEDULED)
        )
        .order_by(BoardMeeting.starts_at)
        .first(),
        attendance_report(today, current_policy),
    )
    return cast(_Records, found)


async def dashboard(today: date, *, quarters_shown: int = 8) -> Dashboard:
    current_policy = await policy()
    quarter = last_complete_quarter(today)
    first = quarter
    for _ in range(quarters_shown - 1):
        first = (
            Quarter(first.year, first.number - 1)
            if first.number > 1
            else Quarter(first.year - 1, 4)
        )
    quarters = indicators.quarters_from(first, quarter)
    year_ago = add_months(today, -12)
    # Independent reads run side by side: on PostgreSQL each takes its own pooled connection.
    records, others = await asyncio.gather(
        _dashboard_records(today, first, quarter, year_ago, current_policy),
        asyncio.gather(
            panel_quorum_and_deferrals(quarter.first_day, quarter.last_day),
            central_list_compliance(today),
            partner_names(),
            adm_clock_outcomes(quarter, quarter.next(), today),
            scorecard_children(),
        ),
    )
    open_rows, figure_data, comparison_data, board_rows, next_meeting, attendance = records
    panel, central_list, partners, outcomes, children = others
    figure_data = [r for r in figure_data if first <= Quarter(r["year"], r["quarter"]) <= quarter]
    comparison_rows = [
        r for r in comparison_data if first <= Quarter(r["year"], r["quarter"]) <= quarter
    ]
    return Dashboard(
        today=today,
        policy=current_policy,
        attendance=attendance,
        overdue=tuple(r for r in open_rows if r["standing"] == "overdue"),
        due_soon=tuple(r for r in open_rows if r["standing"] == "due_soon"),
        open_actions=len(open_rows),
        quarter=quarter,
        quarters=quarters,
        current=quarter.next(),
        timeliness=None if outcomes is None else indicators.timeliness(outcomes),
        panel=panel,
        central_list=central_list,
        board_meetings=len(board_rows),
        board_inquorate=tuple(r for r in board_rows if r["quorate"] is False),
        partners=tuple(partners),
        figures=tuple(
            PartnerQuarter(r["partner_name"], Quarter(r["year"], r["quarter"]), _figures_of(r))
            for r in figure_data
        ),
        comparisons={
            (r["scope"], r["indicator"], Quarter(r["year"], r["quarter"])): Decimal(r["percent"])
            for r in comparison_rows
        },
        next_meeting=next_meeting,
        scorecard=scorecard_of(children, partners, *scorecard_period(quarter))
        if children
        else None,
    )


def figures_for(
    rows: Iterable[PartnerQuarter], partner: str | None, quarter: Quarter
) -> indicators.Total | None:
    chosen = [r for r in rows if r.quarter == quarter and (partner is None or r.partner == partner)]
    return indicators.total(chosen) if chosen else None


def period_total(
    rows: Sequence[PartnerQuarter], first: Quarter, last: Quarter
) -> indicators.Total | None:
    chosen = [r for r in rows if first <= r.quarter <= last]
    return indicators.total(chosen) if chosen else None


async def home_summary(today: date) -> dict[str, Any]:
    open_rows = await _action_rows(
        BoardAction.status.is_in([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    )
    next_meeting = (
        await BoardMeeting.select(BoardMeeting.id, BoardMeeting.title, BoardMeeting.starts_at)
        .where(
            (BoardMeeting.starts_at >= _london(today, time.min))
            & (BoardMeeting.status == MeetingStatus.SCHEDULED)
        )
        .order_by(BoardMeeting.starts_at)
        .first()
    )
    return {
        "overdue": sum(1 for r in open_rows if r["standing"] == "overdue"),
        "open": len(open_rows),
        "next_meeting": next_meeting,
    }
