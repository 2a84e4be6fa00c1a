from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import vobject

from governance import ical
from governance.clock import LONDON

STAMP = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OFFICE = ical.Contact("Panel office", "panel@raa.example.org")
MEMBER = ical.Contact("Priya Shah", "priya.shah@example.org")


def meeting(start: datetime, **changes: Any) -> ical.CalendarEvent:
    event = ical.CalendarEvent(
        uid=ical.event_uid("panel-meeting", 42, "raa.example.org"),
        sequence=0,
        summary="Adoption panel",
        start=start,
        end=start + timedelta(hours=3),
        organiser=OFFICE,
        location="Committee Room 2, New Shire Hall, Alconbury Weald",
    )
    return replace(event, **changes)


def read_with_vobject(data: bytes) -> Any:
    return vobject.readOne(data.decode("utf-8"))


def read_with_icalendar(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


@pytest.mark.parametrize(
    ("local_start", "utc_start"),
    [
        (datetime(2026, 3, 26, 10, tzinfo=LONDON), datetime(2026, 3, 26, 10, tzinfo=UTC)),
        (datetime(2026, 4, 2, 10, tzinfo=LONDON), datetime(2026, 4, 2, 9, tzinfo=UTC)),
        (datetime(2026, 10, 22, 10, tzinfo=LONDON), datetime(2026, 10, 22, 9, tzinfo=UTC)),
        (datetime(2026, 10, 29, 10, tzinfo=LONDON), datetime(2026, 10, 29, 10, tzinfo=UTC)),
    ],
    ids=["before-spring-change", "after-spring-change", "before-autumn-change", "after-autumn"],
)
def test_a_10am_meeting_reads_back_at_10am_london_time_either_side_of_the_clock_changes(
    local_start: datetime, utc_start: datetime
) -> None:
    data = ical.invitation(meeting(local_start), MEMBER, dtstamp=STAMP)

    by_vobject = read_with_vobject(data).vevent
    by_icalendar = read_with_icalendar(data).events[0]

    for start, end in (
        (by_vobject.dtstart.value, by_vobject.dtend.value),
        (by_icalendar.start, by_icalendar.end),
    ):
        assert isinstance(start, datetime)
        assert (start.hour, start.minute) == (10, 0)
        assert start.astimezone(LONDON).hour == 10
        assert start == utc_start
        assert end == utc_start + timedelta(hours=3)


def test_an_invitation_is_written_in_london_time_whatever_zone_the_start_came_in() -> None:
    start = datetime(2026, 4, 2, 9, tzinfo=UTC)

    data = ical.invitation(meeting(start), MEMBER, dtstamp=STAMP)

    assert b"DTSTART;TZID=Europe/London:20260402T100000" in data


def test_the_embedded_london_time_zone_agrees_with_tzdata_every_hour_from_2026_to_2028() -> None:
    data = ical.invitation(meeting(datetime(2026, 3, 26, 10, tzinfo=LONDON)), MEMBER, dtstamp=STAMP)
    # dateutil reads the VTIMEZONE itself, not a named zone, so this checks what we wrote.
    embedded = read_with_vobject(data).vtimezone.gettzinfo()

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    disagreements = []
    while moment < datetime(2029, 1, 1, tzinfo=UTC):
        if moment.astimezone(embedded).utcoffset() != moment.astimezone(LONDON).utcoffset():
            disagreements.append(moment)
        moment += timedelta(hours=1)

    assert disagreements == []


def test_an_invitation_asks_the_member_to_reply_to_the_organiser() -> None:
    data = ical.invitation(meeting(datetime(2026, 4, 2, 10, tzinfo=LONDON)), MEMBER, dtstamp=STAMP)

    calendar = read_with_vobject(data)
    event = calendar.vevent
    assert calendar.method.value == "REQUEST"
    assert event.attendee.value == "mailto:priya.shah@example.org"
    assert event.attendee.params["CN"] == ["Priya Shah"]
    assert event.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
    assert event.attendee.params["RSVP"] == ["TRUE"]
    assert event.organizer.value == "mailto:panel@raa.example.org"
    assert event.organizer.params["CN"] == ["Panel office"]
    assert event.dtstamp.value == STAMP
    assert event.status.value == "CONFIRMED"


def test_a_meeting_keeps_the_same_uid_every_time_it_is_sent() -> None:
    start = datetime(2026, 4, 2, 10, tzinfo=LONDON)

    first = ical.invitation(meeting(start), MEMBER, dtstamp=STAMP)
    again = ical.invitation(meeting(start), MEMBER, dtstamp=STAMP + timedelta(days=3))

    assert ical.event_uid("panel-meeting", 42, "raa.example.org") == (
        "panel-meeting-42@raa.example.org"
    )
    assert read_with_vobject(first).vevent.uid.value == "panel-meeting-42@raa.example.org"
    assert read_with_vobject(again).vevent.uid.value == "panel-meeting-42@raa.example.org"


def test_the_same_inputs_give_the_same_bytes() -> None:
    start = datetime(2026, 4, 2, 10, tzinfo=LONDON)

    assert ical.invitation(meeting(start), MEMBER, dtstamp=STAMP) == ical.invitation(
        meeting(start), MEMBER, dtstamp=STAMP
    )
    assert ical.feed([meeting(start)], "Adoption panel", dtstamp=STAMP) == ical.feed(
        [meeting(start)], "Adoption panel", dtstamp=STAMP
    )


def test_a_moved_meeting_is_sent_with_the_same_uid_and_a_higher_sequence() -> None:
    original = meeting(datetime(2026, 4, 2, 10, tzinfo=LONDON))
    moved = replace(
        original,
        sequence=original.sequence + 1,
        start=datetime(2026, 4, 9, 10, tzinfo=LONDON),
        end=datetime(2026, 4, 9, 13, tzinfo=LONDON),
    )

    before = read_with_icalendar(ical.invitation(original, MEMBER, dtstamp=STAMP)).events[0]
    after = read_with_icalendar(ical.invitation(moved, MEMBER, dtstamp=STAMP)).events[0]

    assert after.uid == before.uid
    assert after.sequence > before.sequence
    assert after.start == datetime(2026, 4, 9, 9, tzinfo=UTC)


def test_a_cancellation_has_the_same_uid_a_higher_sequence_and_status_cancelled() -> None:
    event = meeting(datetime(2026, 4, 2, 10, tzinfo=LONDON), sequence=2)

    data = ical.cancellation(event, MEMBER, dtstamp=STAMP)

    calendar = read_with_vobject(data)
    assert calendar.method.value == "CANCEL"
    assert calendar.vevent.uid.value == event.uid
    assert calendar.vevent.sequence.value == "3"
    assert calendar.vevent.status.value == "CANCELLED"
    assert calendar.vevent.attendee.value == "mailto:priya.shah@example.org"
    parsed = read_with_icalendar(data)
    assert parsed.method == "CANCEL"
    assert parsed.events[0].uid == event.uid
    assert parsed.events[0].sequence == 3


def test_an_invitation_to_a_cancelled_meeting_is_refused() -> None:
    event = meeting(datetime(2026, 4, 2, 10, tzinfo=LONDON), status=ical.EventStatus.CANCELLED)

    with pytest.raises(ValueError, match="send a cancellation"):
        ical.invitation(event, MEMBER, dtstamp=STAMP)


def test_a_feed_publishes_every_event_in_time_order_and_names_no_attendee() -> None:
    later = meeting(
        datetime(2026, 10, 29, 10, tzinfo=LONDON), uid="board-meeting-7@raa.example.org"
    )
    earlier = meeting(datetime(2026, 3, 26, 10, tzinfo=LONDON))

    data = ical.feed([later, earlier], "Adoption panel", dtstamp=STAMP)

    calendar = read_with_vobject(data)
    assert calendar.method.value == "PUBLISH"
    assert calendar.contents["x-wr-calname"][0].value == "Adoption panel"
    assert [event.uid.value for event in calendar.vevent_list] == [earlier.uid, later.uid]
    assert [event.dtstart.value for event in calendar.vevent_list] == [
        datetime(2026, 3, 26, 10, tzinfo=UTC),
        datetime(2026, 10, 29, 10, tzinfo=UTC),
    ]
    assert b"ATTENDEE" not in data


def test_an_empty_feed_is_still_a_calendar_both_parsers_read() -> None:
    data = ical.feed([], "Adoption panel", dtstamp=STAMP)

    assert read_with_icalendar(data).events == []
    assert read_with_vobject(data).method.value == "PUBLISH"


def test_an_online_meeting_gives_its_link_as_the_location_and_the_url() -> None:
    event = meeting(
        datetime(2026, 4, 2, 10, tzinfo=LONDON),
        location="",
        online_link="https://meet.example.org/panel?id=42",
    )

    parsed = read_with_vobject(ical.invitation(event, MEMBER, dtstamp=STAMP)).vevent

    assert parsed.location.value == "https://meet.example.org/panel?id=42"
    assert parsed.url.value == "https://meet.example.org/panel?id=42"


def test_commas_semicolons_and_new_lines_in_text_survive_the_round_trip() -> None:
    event = meeting(
        datetime(2026, 4, 2, 10, tzinfo=LONDON),
        location="Room 2; New Shire Hall, Alconbury",
        description="Thursday 2 April 2026\nVenue: Room 2; New Shire Hall, Alconbury",
    )

    parsed = read_with_vobject(ical.invitation(event, MEMBER, dtstamp=STAMP)).vevent

    assert parsed.location.value == event.location
    assert parsed.description.value == event.description


def test_an_invitation_says_nothing_the_caller_did_not_pass() -> None:
    event = meeting(datetime(2026, 4, 2, 10, tzinfo=LONDON), description="Thursday 2 April 2026")

    parsed = read_with_icalendar(ical.invitation(event, MEMBER, dtstamp=STAMP)).events[0]

    text = {name: str(parsed[name]) for name in ("SUMMARY", "LOCATION", "DESCRIPTION")}
    assert text == {
        "SUMMARY": "Adoption panel",
        "LOCATION": "Committee Room 2, New Shire Hall, Alconbury Weald",
        "DESCRIPTION": "Thursday 2 April 2026",
    }
    assert not {"COMMENT", "CATEGORIES", "ATTACH", "CONTACT"} & set(parsed)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        meeting(datetime(2026, 4, 2, 10))  # noqa: DTZ001


def test_an_event_that_ends_before_it_starts_is_refused() -> None:
    start = datetime(2026, 4, 2, 10, tzinfo=LONDON)

    with pytest.raises(ValueError, match="end after it starts"):
        meeting(start, end=start - timedelta(hours=1))


def test_a_uid_cannot_be_built_from_a_domain_with_an_at_sign() -> None:
    with pytest.raises(ValueError, match="cannot build a UID"):
        ical.event_uid("panel-meeting", 42, "panel@raa.example.org")
