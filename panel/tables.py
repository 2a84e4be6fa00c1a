"""The central list, panel policies, meetings, sittings and members' availability."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from governance.tables import Person


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    HELD = "held"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class SittingStatus(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # taken off the roster by the adviser


class PanelMember(Table):
    """A person on the central list (AAR reg 3), with the evidence that lets them sit."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict, unique=True)
    seats = Varchar(length=200, default="")  # comma-separated panel.rules.members.Seat values
    pqe_years = Integer(default=0)
    independent = Boolean(default=False)
    dependency_ended_on = Date(null=True, default=None)
    experience = Varchar(length=200, default="")  # comma-separated Experience values
    gender = Varchar(length=20, null=True, default=None)
    age_band = Varchar(length=10, null=True, default=None)
    ethnicity = Varchar(length=40, null=True, default=None)  # ONS 2021 detailed category
    languages = Varchar(length=300, default="")  # comma-separated
    joined_on = Date()
    notice_given_on = Date(null=True, default=None)
    leaving_on = Date(null=True, default=None)
    leaving_reason = Text(default="")
    removed_by_agency = Boolean(default=False)
    dbs_checked_on = Date(null=True, default=None)
    reviewed_on = Date(null=True, default=None)
    feed_token = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class TrainingRecord(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.cascade)
    course = Varchar(length=40)  # panel.rules.eligibility.Course
    completed_on = Date()


class RegisteredInterest(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200)  # a person or an organisation
    relationship = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Unavailability(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.cascade)
    day = Date()
    note = Varchar(length=200, default="")


class PanelPolicy(Table):
    """One version of the panel's policy numbers; the newest in force on a date applies."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    number = Integer(unique=True)
    effective_from = Date()
    settings = Text()  # JSON, see panel.services.PolicyNumbers
    note = Varchar(length=300, default="")
    created_by = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Meeting(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    venue = Varchar(length=300, default="")
    online_link = Varchar(length=500, default="")
    item_slots = Integer(default=4)
    joint = Boolean(default=False)
    status = Varchar(length=20, choices=MeetingStatus, default=MeetingStatus.PLANNED)
    cancel_reason = Text(default="")
    series = Varchar(length=60, default="")  # meetings scheduled together share a label
    chair = ForeignKey(references=PanelMember, null=True, on_delete=OnDelete.restrict)
    chair_is_vice = Boolean(default=False)  # a vice chair in the chair
    roster_policy_version = Integer(null=True, default=None)
    sequence = Integer(default=0)  # iCalendar SEQUENCE of the invitations last sent
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Sitting(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.restrict)
    status = Varchar(length=20, choices=SittingStatus, default=SittingStatus.INVITED)
    invited_at = Timestamptz(default=TimestamptzNow())
    responded_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
