"""The partnership board's records: members, meetings, attendance, actions, figures and funding."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from board.rules.actions import ActionStatus
from board.rules.attendance import Attendance
from governance.tables import Partner, Person


class Seat(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    FINANCE = "finance"
    COMMISSIONING = "commissioning"
    OPERATIONAL = "operational"
    ADOPTER_REPRESENTATIVE = "adopter_representative"
    OTHER = "other"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class ComparisonScope(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"


class ComparisonIndicator(StrEnum):
    CONVERSION = "conversion"
    ADOPTER_GAP = "adopter_gap"


class BoardPolicy(Table):
    """The terms of reference in force; one row per version, the highest version applies."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    version = Integer(unique=True)
    attendance_threshold_percent = Numeric(digits=(5, 2))
    attendance_window_months = Integer()
    deputy_counts_for_member = Boolean(default=True)
    deputy_counts_for_partner = Boolean(default=True)
    quorum_chair_or_vice_chair = Boolean(default=True)
    quorum_every_partner = Boolean(default=True)
    quorum_deputy_represents_partner = Boolean(default=True)
    quorum_minimum_attending = Integer(default=0)
    actions_due_soon_days = Integer(default=14)
    actions_reminder_days_before = Integer(default=7)
    agreement_reminder_days_before = Integer(default=90)
    changed_at = Timestamptz(default=TimestamptzNow())
    changed_by = Varchar(length=200, default="")


class BoardMember(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)
    seat = Varchar(length=40, choices=Seat)
    seat_note = Varchar(length=200, default="")  # what "other" means, or a job title
    deputy = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    version = Integer(default=1)


class BoardMeeting(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    title = Varchar(length=200)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    location = Varchar(length=300, default="")
    status = Varchar(length=20, choices=MeetingStatus, default=MeetingStatus.SCHEDULED)
    ical_sequence = Integer(default=0)
    minutes = Text(default="")
    minutes_approved_on = Date(null=True, default=None)
    attendance_version = Integer(default=0)  # 0: no attendance recorded yet
    quorate = Boolean(null=True, default=None)  # None: attendance not recorded yet
    quorum_shortfalls = Text(default="")
    quorum_policy_version = Integer(null=True, default=None)
    version = Integer(default=1)


class BoardAgendaItem(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=BoardMeeting, null=False, on_delete=OnDelete.cascade)
    position = Integer()
    title = Varchar(length=200)
    presenter = Varchar(length=200, default="")


class BoardPaper(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=BoardMeeting, null=False, on_delete=OnDelete.cascade)
    title = Varchar(length=200)
    filename = Varchar(length=200)
    content_type = Varchar(length=120)
    size = Integer()
    data = Bytea()
    uploaded_at = Timestamptz(default=TimestamptzNow())
    uploaded_by = Varchar(length=200, default="")


class BoardAttendance(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=BoardMeeting, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=BoardMember, null=False, on_delete=OnDelete.restrict)
    # One mark per member per meeting, enforced by the database: "<meeting>:<member>".
    mark_key = Varchar(length=40, unique=True)
    attendance = Varchar(length=20, choices=Attendance)
    deputy_name = Varchar(length=200, default="")


class BoardAction(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=BoardMeeting, null=False, on_delete=OnDelete.restrict)
    description = Text()
    owner = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    due_on = Date(index=True)
    status = Varchar(length=20, choices=ActionStatus, default=ActionStatus.OPEN)
    raised_on = Date()
    closed_on = Date(null=True, default=None)
    version = Integer(default=1)


class BoardActionUpdate(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    action = ForeignKey(references=BoardAction, null=False, on_delete=OnDelete.cascade)
    on = Date()
    status = Varchar(length=20, choices=ActionStatus)
    note = Text(default="")
    by = Varchar(length=200, default="")
    at = Timestamptz(default=TimestamptzNow())


class BoardDecision(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=BoardMeeting, null=False, on_delete=OnDelete.restrict)
    reference = Varchar(length=40, unique=True)
    summary = Text()
    decided_on = Date()
    version = Integer(default=1)


class QuarterFigures(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    partner = ForeignKey(references=Partner, null=False, on_delete=OnDelete.restrict)
    year = Integer()  # the financial year's first calendar year
    quarter = Integer()
    # One set per partner and quarter, enforced by the database: "<partner>:<year>Q<n>".
    period_key = Varchar(length=40, unique=True)
    children_placed = Integer()
    early_permanence_placements = Integer()
    adoption_orders = Integer()
    children_waiting = Integer()
    should_be_placed_decisions = Integer()
    enquiries = Integer()
    stage_1_applications = Integer()
    adopter_approvals = Integer()
    approved_adopters_waiting = Integer()
    support_referrals_adoptive = Integer()
    support_referrals_sgo = Integer()
    adult_referrals = Integer()
    initial_assessments_completed = Integer()
    asf_value_approved = Numeric(digits=(14, 2))
    # The adopter gap's own counts (board.rules.indicators.DEFINITIONS); NULL for a quarter
    # recorded before they were asked for: not recorded, never 0.
    children_waiting_unmatched = Integer(null=True, default=None)
    adopters_waiting_unmatched = Integer(null=True, default=None)
    source = Varchar(length=20, default="form")
    entered_at = Timestamptz(default=TimestamptzNow())
    entered_by = Varchar(length=200, default="")
    version = Integer(default=1)


class ComparisonFigure(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    scope = Varchar(length=20, choices=ComparisonScope)
    indicator = Varchar(length=20, choices=ComparisonIndicator)
    year = Integer()
    quarter = Integer()
    comparison_key = Varchar(length=60, unique=True)  # "<scope>:<indicator>:<year>Q<n>"
    percent = Numeric(digits=(7, 2))
    source = Varchar(length=300, default="")
    version = Integer(default=1)


class FundingPlan(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    base_year = Integer()
    base_budget = Numeric(digits=(14, 2))
    last_year = Integer()
    version = Integer(default=1)


class Indexation(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    financial_year = Integer(unique=True)
    percent = Numeric(digits=(7, 4))
    basis = Varchar(length=200, default="")


class PartnershipAgreement(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    title = Varchar(length=200)
    term_ends_on = Date()
    review_window_months = Integer(default=6)
    reviews_due_on = Varchar(length=500, default="")  # ISO dates, comma separated
    version = Integer(default=1)


class ScorecardChild(Table):
    """One child's dates for the national adoption scorecard's measures (board.rules.scorecard),
    entered on the figures page: no name and no case papers; the board sees only the averages."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    partner = ForeignKey(references=Partner, null=False, on_delete=OnDelete.restrict)
    reference = Varchar(length=40, default="")  # the agency's case reference, never a name
    entered_care_on = Date(null=True, default=None)
    placement_order_on = Date(null=True, default=None)  # court authority to place
    match_decided_on = Date(null=True, default=None)
    moved_in_on = Date(null=True, default=None)  # with the adoptive family
    adopted_by_foster_carers = Boolean(default=False)
    fostered_from = Date(null=True, default=None)  # moved in with the foster carers who adopted
    adoption_order_on = Date(null=True, default=None)
    entered_by = Varchar(length=200, default="")
    entered_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
