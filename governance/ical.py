"""iCalendar (RFC 5545/5546) invitations, cancellations and feeds for meetings in Europe/London."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import icalendar

from governance.clock import LONDON

PRODID = "-//Adoption panel governance//governance.ical//EN"


class EventStatus(StrEnum):
    TENTATIVE = "TENTATIVE"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str
    sequence: int
    summary: str
    start: datetime
    end: datetime
    organiser: Contact
    location: str = ""
    online_link: str = ""
    description: str = ""
    status: EventStatus = EventStatus.CONFIRMED

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            # A naive time would be read as floating time and move with the reader's clock.
            raise ValueError("start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("an event must end after it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative")


def event_uid(kind: str, record_id: int, domain: str) -> str:
    if not kind or not domain or "@" in domain or any(c.isspace() for c in kind + domain):
        raise ValueError(f"cannot build a UID from {kind!r} and {domain!r}")
    return f"{kind}-{record_id}@{domain}"


def invitation(event: CalendarEvent, attendee: Contact, *, dtstamp: datetime) -> bytes:
    if event.status is EventStatus.CANCELLED:
        raise ValueError(f"{event.uid} is cancelled: send a cancellation, not an invitation")
    vevent = _vevent(event, dtstamp, sequence=event.sequence)
    vevent.add("ATTENDEE", _attendee(attendee, rsvp=True))
    return _bytes(_calendar("REQUEST", [vevent]))


def cancellation(event: CalendarEvent, attendee: Contact, *, dtstamp: datetime) -> bytes:
    # `event` is as last sent; a cancellation is itself a revision, so clients need a higher
    # SEQUENCE or they discard it as stale (RFC 5546 2.1.4).
    vevent = _vevent(event, dtstamp, sequence=event.sequence + 1, status=EventStatus.CANCELLED)
    vevent.add("ATTENDEE", _attendee(attendee, rsvp=False))
    return _bytes(_calendar("CANCEL", [vevent]))


def feed(events: Iterable[CalendarEvent], name: str, *, dtstamp: datetime) -> bytes:
    # PUBLISH carries no ATTENDEE (RFC 5546 3.2.1), so a personal feed lists nobody else.
    ordered = sorted(events, key=lambda event: (event.start, event.uid))
    calendar = _calendar("PUBLISH", [_vevent(e, dtstamp, sequence=e.sequence) for e in ordered])
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    return _bytes(calendar)


def _calendar(method: str, vevents: list[icalendar.Event]) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    # Always present, so that even an empty feed holds the one component RFC 5545 requires.
    calendar.add_component(_london_vtimezone())
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar


def _bytes(calendar: icalendar.Calendar) -> bytes:
    ical: bytes = calendar.to_ical()
    return ical


def _vevent(
    event: CalendarEvent,
    dtstamp: datetime,
    *,
    sequence: int,
    status: EventStatus | None = None,
) -> icalendar.Event:
    if dtstamp.tzinfo is None:
        raise ValueError("dtstamp must be timezone-aware")
    vevent = icalendar.Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", dtstamp.astimezone(UTC))
    vevent.add("SEQUENCE", sequence)
    vevent.add("STATUS", str(status or event.status))
    vevent.add("SUMMARY", event.summary)
    vevent.add("DTSTART", event.start.astimezone(LONDON))
    vevent.add("DTEND", event.end.astimezone(LONDON))
    if event.location or event.online_link:
        vevent.add("LOCATION", event.location or event.online_link)
    if event.online_link:
        vevent.add("URL", event.online_link)
    if event.description:
        vevent.add("DESCRIPTION", event.description)
    organiser = icalendar.vCalAddress.new(event.organiser.email, cn=event.organiser.name)
    vevent.add("ORGANIZER", organiser)
    return vevent


def _attendee(attendee: Contact, *, rsvp: bool) -> icalendar.vCalAddress:
    if not rsvp:
        return icalendar.vCalAddress.new(attendee.email, cn=attendee.name)
    return icalendar.vCalAddress.new(
        attendee.email,
        cn=attendee.name,
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=True,
    )


def _london_vtimezone() -> icalendar.Timezone:
    # Written as rules rather than icalendar's Timezone.from_tzinfo(): that puts each DAYLIGHT
    # onset at 02:00 local where RFC 5545 reads DTSTART in TZOFFSETFROM time (01:00 GMT), and
    # its 1970-2038 RDATE form makes dateutil-based readers (vobject) put March GMT meetings an
    # hour out. These are the UK rules since 1996; a test checks them against tzdata.
    zone = icalendar.Timezone()
    zone.add("TZID", "Europe/London")
    # DTSTART is the local time just before each change: 01:00 GMT and 02:00 BST.
    for observance, name, local_start, offset_from, offset_to, month in (
        (icalendar.TimezoneDaylight(), "BST", "1996-03-31T01:00", 0, 1, 3),
        (icalendar.TimezoneStandard(), "GMT", "1996-10-27T02:00", 1, 0, 10),
    ):
        observance.add("TZNAME", name)
        observance.add("TZOFFSETFROM", timedelta(hours=offset_from))
        observance.add("TZOFFSETTO", timedelta(hours=offset_to))
        observance.add("DTSTART", datetime.fromisoformat(local_start))
        observance.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
        zone.add_component(observance)
    return zone
