"""Calendar invitations and personal feeds for panel sittings: time and place only, never cases."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from governance import ical
from governance.clock import LONDON
from governance.rules.workdays import long_date

SUMMARY = "Adoption panel"
UID_KIND = "panel-meeting"


@dataclass(frozen=True, slots=True)
class PanelOffice:
    name: str
    email: str
    domain: str


@dataclass(frozen=True, slots=True)
class PanelMeeting:
    id: int
    sequence: int
    start: datetime
    end: datetime
    venue: str = ""
    online_link: str = ""
    cancelled: bool = False

    def __post_init__(self) -> None:
        if not (self.venue or self.online_link):
            raise ValueError(f"panel meeting {self.id} has neither a venue nor an online link")


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Sitting:
    member: Member
    meeting: PanelMeeting


def calendar_event(meeting: PanelMeeting, office: PanelOffice) -> ical.CalendarEvent:
    return ical.CalendarEvent(
        uid=ical.event_uid(UID_KIND, meeting.id, office.domain),
        sequence=meeting.sequence,
        summary=SUMMARY,
        start=meeting.start,
        end=meeting.end,
        organiser=ical.Contact(office.name, office.email),
        location=meeting.venue,
        online_link=meeting.online_link,
        description=_description(meeting),
        status=ical.EventStatus.CANCELLED if meeting.cancelled else ical.EventStatus.CONFIRMED,
    )


def invitation(sitting: Sitting, office: PanelOffice, *, dtstamp: datetime) -> bytes:
    member = ical.Contact(sitting.member.name, sitting.member.email)
    return ical.invitation(calendar_event(sitting.meeting, office), member, dtstamp=dtstamp)


def cancellation(sitting: Sitting, office: PanelOffice, *, dtstamp: datetime) -> bytes:
    member = ical.Contact(sitting.member.name, sitting.member.email)
    return ical.cancellation(calendar_event(sitting.meeting, office), member, dtstamp=dtstamp)


def member_feed(
    meetings: Iterable[PanelMeeting], office: PanelOffice, *, dtstamp: datetime
) -> bytes:
    events = [calendar_event(meeting, office) for meeting in meetings]
    return ical.feed(events, SUMMARY, dtstamp=dtstamp)


def _description(meeting: PanelMeeting) -> str:
    start = meeting.start.astimezone(LONDON)
    end = meeting.end.astimezone(LONDON)
    lines = [f"{start:%A} {long_date(start.date())}, {start:%H:%M} to {end:%H:%M} (UK time)"]
    if meeting.venue:
        lines.append(f"Venue: {meeting.venue}")
    if meeting.online_link:
        lines.append(f"Join online: {meeting.online_link}")
    return "\n".join(lines)
