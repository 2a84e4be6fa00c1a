from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import icalendar
import pytest
import vobject

from governance.clock import LONDON
from panel import feeds

STAMP = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OFFICE = feeds.PanelOffice("Adoption panel office", "panel@raa.example.org", "raa.example.org")
MEMBER = feeds.Member("Priya Shah", "priya.shah@example.org")
MARCH = feeds.PanelMeeting(
    id=42,
    sequence=0,
    start=datetime(2026, 3, 26, 10, tzinfo=LONDON),
    end=datetime(2026, 3, 26, 13, 30, tzinfo=LONDON),
    venue="Committee Room 2, New Shire Hall, Alconbury Weald",
)
APRIL = feeds.PanelMeeting(
    id=43,
    sequence=1,
    start=datetime(2026, 4, 2, 9, 30, tzinfo=LONDON),
    end=datetime(2026, 4, 2, 12, tzinfo=LONDON),
    online_link="https://meet.example.org/panel-43",
)


def read(data: bytes) -> Any:
    return vobject.readOne(data.decode("utf-8"))


def test_an_invitation_to_a_sitting_is_titled_adoption_panel_and_addressed_to_the_member() -> None:
    data = feeds.invitation(feeds.Sitting(MEMBER, MARCH), OFFICE, dtstamp=STAMP)

    event = read(data).vevent
    assert event.summary.value == "Adoption panel"
    assert event.uid.value == "panel-meeting-42@raa.example.org"
    assert event.attendee.value == "mailto:priya.shah@example.org"
    assert event.organizer.value == "mailto:panel@raa.example.org"
    assert event.dtstart.value == datetime(2026, 3, 26, 10, tzinfo=UTC)


def test_the_description_gives_only_the_time_and_the_place() -> None:
    event = read(feeds.invitation(feeds.Sitting(MEMBER, MARCH), OFFICE, dtstamp=STAMP)).vevent

    assert event.description.value == (
        "Thursday 26 March 2026, 10:00 to 13:30 (UK time)\n"
        "Venue: Committee Room 2, New Shire Hall, Alconbury Weald"
    )


def test_the_description_of_an_online_meeting_gives_the_link_in_british_summer_time() -> None:
    event = read(feeds.invitation(feeds.Sitting(MEMBER, APRIL), OFFICE, dtstamp=STAMP)).vevent

    assert event.description.value == (
        "Thursday 2 April 2026, 09:30 to 12:00 (UK time)\n"
        "Join online: https://meet.example.org/panel-43"
    )
    assert event.dtstart.value == datetime(2026, 4, 2, 8, 30, tzinfo=UTC)


def test_a_cancelled_sitting_keeps_the_meeting_uid_and_raises_the_sequence() -> None:
    sent = read(feeds.invitation(feeds.Sitting(MEMBER, APRIL), OFFICE, dtstamp=STAMP))
    cancelled = read(feeds.cancellation(feeds.Sitting(MEMBER, APRIL), OFFICE, dtstamp=STAMP))

    assert cancelled.method.value == "CANCEL"
    assert cancelled.vevent.uid.value == sent.vevent.uid.value
    assert int(cancelled.vevent.sequence.value) > int(sent.vevent.sequence.value)
    assert cancelled.vevent.status.value == "CANCELLED"


def test_a_members_feed_lists_their_meetings_with_cancelled_ones_marked() -> None:
    data = feeds.member_feed([APRIL, replace(MARCH, cancelled=True)], OFFICE, dtstamp=STAMP)

    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.method == "PUBLISH"
    assert [(event.uid, event.status) for event in calendar.events] == [
        ("panel-meeting-42@raa.example.org", "CANCELLED"),
        ("panel-meeting-43@raa.example.org", "CONFIRMED"),
    ]
    assert {str(event["SUMMARY"]) for event in calendar.events} == {"Adoption panel"}


def test_the_same_sitting_gives_the_same_bytes() -> None:
    sitting = feeds.Sitting(MEMBER, MARCH)

    first = feeds.invitation(sitting, OFFICE, dtstamp=STAMP)

    assert feeds.invitation(sitting, OFFICE, dtstamp=STAMP) == first


def test_a_meeting_with_neither_a_venue_nor_a_link_is_refused() -> None:
    with pytest.raises(ValueError, match="neither a venue nor an online link"):
        replace(MARCH, venue="")
