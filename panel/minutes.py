"""Panel minutes, each item's extract for its decision maker, and the six-monthly QA report."""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from docx.document import Document

from governance.docx_util import add_table, deterministic_docx, marked_document
from governance.letterhead import Letterhead
from governance.rules.workdays import long_date


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    FINAL = "final"


@dataclass(frozen=True, slots=True)
class Meeting:
    agency_name: str
    date: date
    started: time
    ended: time
    venue: str
    letterhead: Letterhead | None = None  # the agency's logo, name, address and footer


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    role: str
    # Advisers, administrators and observers attend but are not members: no view, no quorum.
    member: bool = True
    arrived: time | None = None
    left: time | None = None


@dataclass(frozen=True, slots=True)
class Apology:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Declaration:
    name: str
    interest: str
    withdrew: bool


@dataclass(frozen=True, slots=True)
class View:
    name: str
    view: str
    dissents: bool = False


@dataclass(frozen=True, slots=True)
class Deferral:
    reason: str
    information_needed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Item:
    number: int
    title: str  # case reference and initials only: minutes travel further than the papers
    present: tuple[Attendee, ...]
    declarations: tuple[Declaration, ...]
    quorate: bool
    quorum: str
    recommendation: str = ""
    reasons: tuple[str, ...] = ()
    views: tuple[View, ...] = ()
    advice: tuple[str, ...] = ()
    deferral: Deferral | None = None

    def __post_init__(self) -> None:
        if self.recommendation and not self.quorate:
            raise ValueError(f"item {self.number}: no recommendation while the panel is inquorate")
        if self.recommendation and self.deferral:
            raise ValueError(f"item {self.number}: an item is recommended or deferred, not both")
        members = {person.name for person in self.present if person.member}
        strangers = [view.name for view in self.views if view.name not in members]
        if strangers:
            raise ValueError(
                f"item {self.number}: views from people not sitting as members: {strangers}"
            )


@dataclass(frozen=True, slots=True)
class Minutes:
    meeting: Meeting
    attendance: tuple[Attendee, ...]
    apologies: tuple[Apology, ...]
    items: tuple[Item, ...]
    status: MinutesStatus
    version: int = 1
    correction_reason: str = ""

    def __post_init__(self) -> None:
        if self.version < 1:
            raise ValueError("minutes versions start at 1")
        if self.version > 1 and not self.correction_reason:
            raise ValueError("a corrected version of the minutes must say why it was corrected")


class Grade(StrEnum):
    GOOD = "good"
    ADEQUATE = "adequate"
    POOR = "poor"


@dataclass(frozen=True, slots=True)
class ReportRating:
    report_type: str
    team: str
    partner: str
    quality: Grade  # thorough, rigorous, consistent and fair
    complete: Grade
    on_time: bool
    comment: str = ""


@dataclass(frozen=True, slots=True)
class QualityReview:
    agency_name: str
    period_start: date
    period_end: date
    prepared_by: str
    ratings: tuple[ReportRating, ...]
    comments: tuple[str, ...] = ()
    letterhead: Letterhead | None = None

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValueError("the review period ends before it starts")


def full_minutes(record: Minutes) -> bytes:
    document = marked_document(
        title="Minutes of the adoption panel",
        author=record.meeting.agency_name,
        header_note=_status(record),
        letterhead=record.meeting.letterhead,
    )
    document.add_heading("Minutes of the adoption panel", level=1)
    _meeting(document, record)
    members = [person for person in record.attendance if person.member]
    others = [person for person in record.attendance if not person.member]
    document.add_heading("Panel members present", level=2)
    _attendance(document, record.meeting, members)
    if others:
        document.add_heading("In attendance", level=2)
        _attendance(document, record.meeting, others)
    document.add_heading("Apologies", level=2)
    _bullets(document, [f"{a.name}, {a.role}" for a in record.apologies], "None.")
    for item in record.items:
        document.add_heading(f"Item {item.number}: {item.title}", level=2)
        _item(document, item)
    return deterministic_docx(document, dated=record.meeting.date)


def item_extract(record: Minutes, number: int) -> bytes:
    if record.status is MinutesStatus.DRAFT:
        raise ValueError("an extract goes to the decision maker only from approved minutes")
    item = next((item for item in record.items if item.number == number), None)
    if item is None:
        raise ValueError(f"the minutes have no item {number}")
    document = marked_document(
        title=f"Extract from the minutes of the adoption panel: item {number}",
        author=record.meeting.agency_name,
        header_note=f"Extract: item {number}. {_status(record)}",
        letterhead=record.meeting.letterhead,
    )
    document.add_heading("Extract from the minutes of the adoption panel", level=1)
    _meeting(document, record)
    document.add_heading(f"Item {item.number}: {item.title}", level=2)
    _item(document, item)
    return deterministic_docx(document, dated=record.meeting.date)


def qa_report(review: QualityReview) -> bytes:
    title = "Adoption panel quality assurance report"
    document = marked_document(title=title, author=review.agency_name, letterhead=review.letterhead)
    document.add_heading(title, level=1)
    document.add_paragraph(
        f"{review.agency_name}\n"
        f"Period: {long_date(review.period_start)} to {long_date(review.period_end)}\n"
        f"Prepared by: {review.prepared_by}"
    )
    if review.ratings:
        document.add_paragraph(
            f"The panel rated {len(review.ratings)} reports on whether each was thorough, "
            "rigorous, consistent and fair; whether it was complete; and whether it reached "
            "panel on time. Grades are shown as good / adequate / poor."
        )
        for heading, group in (
            ("Report type", lambda r: r.report_type),
            ("Team", lambda r: r.team),
            ("Partner", lambda r: r.partner),
        ):
            document.add_heading(f"By {heading.lower()}", level=2)
            _ratings_table(document, heading, group, review.ratings)
    else:
        document.add_paragraph("The panel rated no reports in this period.")
    document.add_heading("Comments", level=2)
    _paragraphs(document, review.comments, "No general comments.")
    commented = [r for r in review.ratings if r.comment]
    if commented:
        document.add_heading("Comments on individual reports", level=2)
        _bullets(
            document, [f"{r.report_type}, {r.team} ({r.partner}): {r.comment}" for r in commented]
        )
    return deterministic_docx(document, dated=review.period_end)


def _status(record: Minutes) -> str:
    text = f"{record.status.capitalize()} minutes, version {record.version}"
    if record.correction_reason:
        text += f". Corrected: {record.correction_reason}"
    return text


def _meeting(document: Document, record: Minutes) -> None:
    meeting = record.meeting
    document.add_paragraph(
        f"{meeting.agency_name}\n"
        f"Date: {meeting.date:%A} {long_date(meeting.date)}\n"
        f"Time: {_clock(meeting.started)} to {_clock(meeting.ended)}\n"
        f"Venue: {meeting.venue}\n"
        f"Status: {_status(record)}"
    )


def _attendance(document: Document, meeting: Meeting, people: Sequence[Attendee]) -> None:
    rows = [
        (
            person.name,
            person.role,
            _clock(person.arrived or meeting.started),
            _clock(person.left or meeting.ended),
        )
        for person in people
    ]
    add_table(document, ("Name", "Role", "Arrived", "Left"), rows)


def _item(document: Document, item: Item) -> None:
    document.add_heading("Present for this item", level=3)
    _bullets(document, [f"{person.name}, {person.role}" for person in item.present], "Nobody.")
    document.add_heading("Declarations of interest", level=3)
    _bullets(
        document,
        [
            f"{d.name}: {d.interest}. "
            + ("Withdrew for this item." if d.withdrew else "Stayed for this item.")
            for d in item.declarations
        ],
        "None.",
    )
    document.add_heading("Quorum", level=3)
    document.add_paragraph(f"{'Quorate' if item.quorate else 'Not quorate'}. {item.quorum}")
    if item.deferral:
        document.add_heading("Deferred", level=3)
        document.add_paragraph(item.deferral.reason)
        document.add_heading("Information needed", level=3)
        _bullets(document, item.deferral.information_needed)
    else:
        document.add_heading("Recommendation", level=3)
        document.add_paragraph(item.recommendation or "No recommendation was made.")
    if item.reasons:
        document.add_heading("Reasons", level=3)
        _paragraphs(document, item.reasons)
    if item.views:
        document.add_heading("Members' views", level=3)
        _bullets(
            document,
            [f"{v.name}{' (dissented)' if v.dissents else ''}: {v.view}" for v in item.views],
        )
        if item.recommendation:
            document.add_paragraph(_dissent(item.views))
    if item.advice:
        document.add_heading("Advice", level=3)
        _paragraphs(document, item.advice)


def _dissent(views: Sequence[View]) -> str:
    dissenting = [view.name for view in views if view.dissents]
    if not dissenting:
        return f"The recommendation was unanimous ({len(views)} members)."
    return (
        f"The recommendation was made by a majority: {len(views) - len(dissenting)} of "
        f"{len(views)} members agreed. Dissenting: {', '.join(dissenting)}."
    )


def _ratings_table(
    document: Document,
    heading: str,
    group: Callable[[ReportRating], str],
    ratings: Sequence[ReportRating],
) -> None:
    groups: dict[str, list[ReportRating]] = {}
    for rating in ratings:
        groups.setdefault(group(rating), []).append(rating)
    rows = [_ratings_row(name, groups[name]) for name in sorted(groups)]
    rows.append(_ratings_row("All reports", ratings))
    add_table(
        document,
        (heading, "Reports", "Thorough, rigorous, consistent and fair", "Complete", "On time"),
        rows,
    )


def _ratings_row(name: str, ratings: Sequence[ReportRating]) -> tuple[str, ...]:
    on_time = sum(rating.on_time for rating in ratings)
    return (
        name,
        str(len(ratings)),
        _grades(Counter(rating.quality for rating in ratings)),
        _grades(Counter(rating.complete for rating in ratings)),
        f"{on_time} of {len(ratings)}",
    )


def _grades(counts: Counter[Grade]) -> str:
    return " / ".join(str(counts[grade]) for grade in Grade)


def _bullets(document: Document, lines: Sequence[str], empty: str = "") -> None:
    if not lines and empty:
        document.add_paragraph(empty)
    for line in lines:
        document.add_paragraph(line, style="List Bullet")


def _paragraphs(document: Document, texts: Sequence[str], empty: str = "") -> None:
    if not texts and empty:
        document.add_paragraph(empty)
    for text in texts:
        document.add_paragraph(text)


def _clock(moment: time) -> str:
    return f"{moment:%H:%M}"
