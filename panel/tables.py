"""The central list, panel policies, meetings, sittings and members' availability."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

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

from governance.tables import Partner, Person


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

    # One sitting per member per meeting, however many invitations are sent at once.
    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("meeting", "member"),)


class ItemSubject(StrEnum):
    ADOPTERS = "adopters"  # the assessing agency is recorded
    CHILD = "child"  # the child's authority is recorded
    INFORMATION = "information"  # reports for noting


class ItemStatus(StrEnum):
    LISTED = "listed"
    DEFERRED = "deferred"  # carried to a later meeting: see AgendaItem.carried_from there


class WithdrawalSource(StrEnum):
    SCREENING = "screening"  # the conflicts rule matched the register of interests
    DECLARED = "declared"  # recorded by the adviser before the meeting


class PaperKind(StrEnum):
    DOCX = "docx"
    PDF = "pdf"


class ItemType(Table):
    """What may go to panel: its papers, what the panel may recommend, and whose ADM decides."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    code = Varchar(length=40, unique=True)
    name = Varchar(length=200)
    subject = Varchar(length=20, choices=ItemSubject, default=ItemSubject.ADOPTERS)
    required_papers = Text(default="")  # one paper title a line
    recommendations = Text(default="")  # one allowed recommendation a line, in order
    # panel.rules.outcomes.Category: which clocks its items keep and whose law applies.
    category = Varchar(length=30, default="adopter_approval")
    # adm.rules.routing.DecidedBy values (panel never imports adm): assessing_agency,
    # child_authority or none.
    decided_by = Varchar(length=30, default="none")
    minutes = Integer(default=45)  # usual length of the item on the agenda
    local = Boolean(default=False)  # added by the agency, not one of the DOMAIN.md types
    position = Integer(default=0)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class ItemTypeOutcome(Table):
    """One recommendation an item type may have, in the agency's words, and what it means
    (panel.rules.outcomes): the wording may change, the meaning does not."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item_type = ForeignKey(references=ItemType, null=False, on_delete=OnDelete.cascade)
    wording = Varchar(length=200)
    meaning = Varchar(length=30, default="other")  # panel.rules.outcomes.Meaning
    qualifying = Boolean(default=False)
    letter = Varchar(length=30, default="none")  # panel.rules.outcomes.Letter
    closes_without_decision = Boolean(default=False)
    position = Integer(default=0)
    version = Integer(default=1)


class Agenda(Table):
    """One meeting's agenda: the order's version, and its publication to members."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade, unique=True)
    published_at = Timestamptz(null=True, default=None)
    published_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    paper_deadline = Date(null=True, default=None)  # as it stood at publication
    published_late = Boolean(default=False)
    missing_papers = Text(default="")  # what was missing at publication, one a line
    missing_reason = Text(default="")  # the adviser's reason for publishing without them
    # Approval items published while the applicants could still comment on their report, one a
    # line, and the adviser's reason for publishing all the same.
    comments_open = Text(default="")
    comments_open_reason = Text(default="")
    access_closes_on = Date(null=True, default=None)  # last day members may open the pack
    packs_built_at = Timestamptz(null=True, default=None)
    # Bumped by each change the members' packs must take in once published (PackRun.built_change).
    pack_changes = Integer(default=0)
    version = Integer(default=1)  # bumped by every change to the items' order or times


class AgendaItem(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.restrict)
    item_type = ForeignKey(references=ItemType, null=False, on_delete=OnDelete.restrict)
    position = Integer(default=0)
    status = Varchar(length=20, choices=ItemStatus, default=ItemStatus.LISTED)
    case_reference = Varchar(length=40)
    initials = Varchar(length=12, default="")  # never a child's full name
    child_partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)
    assessing_partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)
    # The agency itself assessed the adopters (a company or VAA that assesses): its own ADM
    # decides, and assessing_partner is empty.
    assessed_by_agency = Boolean(default=False)
    social_worker = Varchar(length=200, default="")
    manager = Varchar(length=200, default="")
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    presenters_at = Timestamptz(null=True, default=None)  # presenters called in
    applicants_at = Timestamptz(null=True, default=None)  # applicants called in
    applicants_attend = Boolean(default=False)
    # AAR reg 30A(5): the panel must invite the prospective adopter to attend before it recommends.
    applicants_invited_on = Date(null=True, default=None)
    # The same case on an earlier meeting's agenda, when it was deferred to this one.
    carried_from: ForeignKey[AgendaItem] = ForeignKey(
        references="self", null=True, on_delete=OnDelete.restrict
    )
    defer_reason = Text(default="")  # why this item was deferred (on the earlier item)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class ItemParty(Table):
    """A person or organisation named in an item, screened against members' interests."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20)  # panel.rules.conflicts.Role
    name = Varchar(length=200)


class PlacementAuthority(Table):
    """What entitles the panel to recommend a match for the child of a match item (AAR reg
    32(5)): the agency's authority to place the child, and the adopters' approval."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade, unique=True)
    authority = Varchar(length=30, default="")  # panel.rules.placement.Authority, "" none yet
    authorised_on = Date(null=True, default=None)  # the placement order made, consent given
    adopters_approved_on = Date(null=True, default=None)  # the ADM's decision approving them
    note = Text(default="")
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Paper(Table):
    """One paper of an item (a required one or an extra); its content lives in PaperVersion."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    title = Varchar(length=200)
    required_as = Varchar(length=200, default="")  # the ItemType paper it supplies, if any
    full_pack_only = Boolean(default=False)  # advisers and the chair only (legal advice, say)
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class PaperVersion(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    paper = ForeignKey(references=Paper, null=False, on_delete=OnDelete.cascade)
    number = Integer(default=1)
    file_name = Varchar(length=255)
    kind = Varchar(length=10, choices=PaperKind)
    sha256 = Varchar(length=64)  # the file under settings.storage_dir, content-addressed
    # The copy members get (panel.safety): the same as sha256 when nothing needed removing; NULL
    # for a version uploaded before papers were inspected, until its first pack inspects it.
    clean_sha256 = Varchar(length=64, null=True, default=None)
    removed = Text(default="")  # what the inspection removed, one phrase a line
    size = Integer(default=0)
    changed = Text(default="")  # what changed, for a version after the first
    late = Boolean(default=False)  # uploaded after the agenda was published
    uploaded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    uploaded_at = Timestamptz(default=TimestamptzNow())

    # Two uploads at once cannot both become version n of a paper.
    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("paper", "number"),)


class Withdrawal(Table):
    """A member withdrawn from an item before the meeting: no papers for it, no part in it."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.restrict)
    source = Varchar(length=20, choices=WithdrawalSource, default=WithdrawalSource.SCREENING)
    reason = Text(default="")
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())


class PackBuild(Table):
    """The pack last built for one person at one meeting (files under the data dir)."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=10, choices=PaperKind)
    path = Varchar(length=500)  # relative to the data dir
    sha256 = Varchar(length=64)
    pages = Integer(null=True, default=None)
    withheld = Varchar(length=500, default="")  # comma-separated AgendaItem ids left out
    built_at = Timestamptz(default=TimestamptzNow())

    # One pack of each kind per person per meeting, even when two first downloads build at once.
    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("meeting", "person", "kind"),)


class PackRun(Table):
    """One meeting's packs of one kind: the build running now (claimed, so that one process
    builds while the others wait), the change its last good build took in, and its last failure."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=10, choices=PaperKind)
    claimed_by = Varchar(length=100, default="")  # the running build's token, "" when none runs
    claimed_at = Timestamptz(null=True, default=None)  # renewed while the build runs
    built_change = Integer(default=0)  # the Agenda.pack_changes its last good build took in
    builds = Integer(default=0)  # builds started, ever
    # The last failed build, cleared by the next good one: the change it tried to take in, the
    # item's number on the agenda, the paper's title and why, in words.
    failed_change = Integer(null=True, default=None)
    failed_item = Integer(null=True, default=None)
    failed_paper = Varchar(length=200, default="")
    failed_reason = Text(default="")
    failed_at = Timestamptz(null=True, default=None)

    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("meeting", "kind"),)


class PackOpen(Table):
    """A member reading the agenda online or downloading their pack."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    what = Varchar(length=20)  # "agenda", "docx" or "pdf"
    opened_at = Timestamptz(default=TimestamptzNow())


# ---------------------------------------------------------------- the meeting record


class RecordStatus(StrEnum):
    RECOMMENDED = "recommended"
    DEFERRED = "deferred"
    NOTED = "noted"  # an information item: nothing to decide


class MinutesState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    FINAL = "final"


class Attendance(Table):
    """One spell of one person at a meeting: a member, an adviser, an administrator or observer."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(references=PanelMember, null=True, on_delete=OnDelete.restrict)
    role = Varchar(length=60, default="")  # as minuted: "chair", "panel adviser", ...
    counts = Boolean(default=True)  # False: advisers and observers, never in quorum, no view
    apologies = Boolean(default=False)  # sent apologies: no arrival, no departure
    arrived_at = Timestamptz(null=True, default=None)
    left_at = Timestamptz(null=True, default=None)  # None: stayed to the end
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)

    # A person is recorded at a meeting once, however many times attendance is saved at once.
    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("meeting", "person"),)


class Declaration(Table):
    """A declaration of interest made at the meeting, for one item."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.restrict)
    interest = Text(default="")
    withdrew = Boolean(default=True)
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())


class ItemRecord(Table):
    """What the panel did with one item: its recommendation or deferral, reasons and advice."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.restrict, unique=True)
    status = Varchar(length=20, choices=RecordStatus)
    outcome = Varchar(length=200, default="")  # one of the item type's recommendations
    meaning = Varchar(length=30, default="")  # that outcome's meaning when it was recorded
    reasons = Text(default="")
    advice = Text(default="")  # JSON: {"number_of_children": ..., "contact": ...}
    information_needed = Text(default="")  # a deferral: one piece of information a line
    quorum = Text(default="")  # the verdict as it stood when the recommendation was made
    present = Text(default="")  # JSON: ids of the members who counted for the item
    quorum_policy_version = Integer(default=1)
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class MemberView(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    record = ForeignKey(references=ItemRecord, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.restrict)
    view = Text(default="")
    dissents = Boolean(default=False)

    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("record", "member"),)


class QualityRating(Table):
    """A member's rating of the reports of one item (NMS 17.2)."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=PanelMember, null=False, on_delete=OnDelete.restrict)
    report_type = Varchar(length=200, default="")
    team = Varchar(length=200, default="")
    quality = Varchar(length=20)  # panel.minutes.Grade: thorough, rigorous, consistent, fair
    complete = Varchar(length=20)
    on_time = Boolean(default=True)
    comment = Text(default="")
    rated_at = Timestamptz(default=TimestamptzNow())
    # The report rated, spaced and cased one way, so one member's second rating of the same report
    # of an item is refused by the unique index even when two are saved at once.
    report_key = Varchar(length=200, default="")

    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("item", "member", "report_key"),)


class Minutes(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.restrict, unique=True)
    state = Varchar(length=20, choices=MinutesState, default=MinutesState.DRAFT)
    notes = Text(default="")  # JSON: the administrator's wording, by item id and "general"
    number = Integer(default=1)  # the version number of the minutes as issued
    approved_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    approved_at = Timestamptz(null=True, default=None)
    finalised_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class MinutesVersion(Table):
    """Final minutes as issued: version 1, then each correction with its reason; never edited."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    minutes = ForeignKey(references=Minutes, null=False, on_delete=OnDelete.cascade)
    number = Integer()
    reason = Text(default="")
    notes = Text(default="")  # JSON as in Minutes.notes
    created_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())

    # Two corrections at once cannot both become version n.
    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = (("minutes", "number"),)


class QualityReport(Table):
    """A six-monthly QA report given to the agency (NMS 17.2): the next is due six months on."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    period_start = Date()
    period_end = Date()
    issued_on = Date()
    issued_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
