from datetime import UTC, date, datetime, timedelta

import vobject

from governance import audit, clock, mail
from governance.clock import LONDON
from governance.roles import Role
from governance.settings import Settings
from governance.tables import OutboxMessage
from panel import services
from panel.tables import Meeting, Sitting
from tests.conftest import make_account, sign_in_client
from tests.panel.support import MEETING_DAY, central_list, email_of, next_weekday

FORM = {"starts": "10:00", "ends": "13:00", "venue": "Committee Room 2", "item_slots": "4"}


async def _meeting(client, day: date = MEETING_DAY, **extra: str) -> int:
    response = await client.post(
        "/panel/meetings/new", data=FORM | {"day": day.isoformat()} | extra, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[-1].split("?")[0])


async def test_a_meeting_on_a_bank_holiday_is_refused_and_nothing_is_saved(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADMINISTRATOR)
    response = await client.post("/panel/meetings/new", data=FORM | {"day": "2026-12-28"})
    assert response.status_code == 422
    assert "28 December 2026 is a bank holiday (Boxing Day (observed))" in response.text
    assert await Meeting.count() == 0


async def test_two_meetings_in_one_venue_at_once_are_refused(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADVISER)
    await _meeting(client)
    clash = await client.post(
        "/panel/meetings/new",
        data=FORM | {"day": MEETING_DAY.isoformat(), "starts": "12:00", "ends": "15:00",
                     "venue": "committee room  2"},
    )  # fmt: skip
    assert clash.status_code == 409
    assert "Committee Room 2 is already booked for a panel on" in clash.text
    assert await Meeting.count() == 1


async def test_a_series_skips_closure_days_and_warns_of_a_month_without_a_panel(
    client, sign_in
) -> None:
    from governance.tables import ClosureDay

    # On 1 November 2026 the adviser schedules the winter's panels.
    clock.freeze(datetime(2026, 11, 1, 10, tzinfo=clock.LONDON))
    await ClosureDay.insert(ClosureDay(day=date(2026, 12, 24), reason="Christmas Eve"))
    await sign_in(Role.PANEL_ADVISER)
    response = await client.post(
        "/panel/meetings/series",
        data=FORM | {"pattern": "4th Thursday, 10:00-13:00", "from_day": "2026-11-01",
                     "to_day": "2027-01-31"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert "2 meetings scheduled" in response.text
    assert "24 December 2026: agency closed (Christmas Eve)" in response.text
    assert "No meeting in: December 2026" in response.text
    calendar = await client.get("/panel/meetings")
    assert "No meeting in: December 2026" in calendar.text


async def test_a_year_of_fortnightly_panels_skips_bank_holidays_and_names_them(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    response = await client.post(
        "/api/v1/panel/meetings/series",
        json={"pattern": "every other Monday", "from_day": "2027-01-01", "to_day": "2027-12-31",
              "starts": "10:00", "ends": "13:00", "online_link": "https://meet.example.org/p"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    skipped = {s["on"]: s["reason"] for s in body["skipped"]}
    assert skipped == {
        "2027-03-29": "bank holiday (Easter Monday)",
        "2027-08-30": "bank holiday (Late Summer Bank Holiday)",
    }
    assert len(body["meeting_ids"]) + len(skipped) == 26
    assert body["months_without_panel"] == []


async def test_a_cancellation_needs_a_reason_and_a_planned_meeting_cannot_be_held(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    url = f"/panel/meetings/{meeting_id}/status"
    held = await client.post(url, data={"version": "1", "status": "held"})
    assert held.status_code == 422
    assert "A planned meeting can only become: confirmed, cancelled" in held.text
    no_reason = await client.post(url, data={"version": "1", "status": "cancelled"})
    assert no_reason.status_code == 422
    assert "Enter the reason for cancelling the meeting" in no_reason.text
    ok = await client.post(
        url, data={"version": "1", "status": "cancelled", "reason": "Not enough cases"},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303
    stale = await client.post(url, data={"version": "1", "status": "confirmed"})
    assert stale.status_code == 422


async def test_the_meeting_page_names_every_quorum_shortfall_and_why_members_cannot_sit(
    client, sign_in
) -> None:
    ids = await central_list(Sam={"dbs_checked_on": "2023-12-01"})
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    for first in ("Ada", "Ben"):
        await services.invite(audit.SYSTEM, meeting_id, ids[first])
    page = await client.get(f"/panel/meetings/{meeting_id}")
    assert "Not quorate" in page.text
    assert "2 members present, 5 needed" in page.text
    assert "no chair or vice chair" in page.text
    assert "no social worker with 3 years&#39; PQE" in page.text
    assert "Sam Social</a>: DBS check expired on 1 December 2026" in page.text
    assert "Papers to members by" in page.text
    api = (await client.get(f"/api/v1/panel/meetings/{meeting_id}")).json()
    assert api["checks"]["policy_version"] == 1
    assert api["checks"]["quorum"]["shortfalls"][0] == "2 members present, 5 needed"


async def test_a_member_invited_twice_is_a_conflict(client, sign_in) -> None:
    ids = await central_list()
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    url = f"/panel/meetings/{meeting_id}/invite"
    assert (
        await client.post(url, data={"member_id": ids["Ada"]}, follow_redirects=False)
    ).status_code == 303
    again = await client.post(url, data={"member_id": ids["Ada"]})
    assert again.status_code == 409
    assert "Ada Adopter is already invited to this meeting" in again.text
    assert await Sitting.count() == 1


async def test_only_a_member_who_may_chair_is_named_chair(client, sign_in) -> None:
    ids = await central_list()
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    for first in ("Ada", "Victor"):
        await services.invite(audit.SYSTEM, meeting_id, ids[first])
    url = f"/panel/meetings/{meeting_id}/chair"
    refused = await client.post(url, data={"version": "1", "chair": ids["Ada"]})
    assert refused.status_code == 422
    assert "Ada Adopter cannot chair: not a chair or vice chair on the central list" in refused.text
    ok = await client.post(
        url, data={"version": "1", "chair": ids["Victor"]}, follow_redirects=False
    )
    assert ok.status_code == 303
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert row["chair"] == ids["Victor"] and row["chair_is_vice"]


async def test_an_accepted_suggestion_invites_everyone_and_records_the_policy_version(
    client, sign_in
) -> None:
    await central_list()
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    suggestion = await client.get(f"/api/v1/panel/meetings/{meeting_id}/suggestion")
    body = suggestion.json()
    assert body["status"] == "optimal", body
    panel = body["panels"][0]
    assert len(panel["members"]) == 6  # quorum of 5 and a reserve of 1
    page = await client.get(f"/panel/meetings/{meeting_id}/suggestion")
    assert "Accept the roster and send invitations" in page.text
    accepted = await client.post(
        f"/panel/meetings/{meeting_id}/roster",
        data={"members": [str(m["id"]) for m in panel["members"]], "chair": panel["chair"]["id"]},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert await Sitting.count() == 6
    assert await OutboxMessage.count() == 6
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert row["roster_policy_version"] == 1 and row["chair"] == panel["chair"]["id"]
    shown = await client.get(f"/panel/meetings/{meeting_id}")
    assert "Quorate" in shown.text


async def test_no_roster_says_which_rule_cannot_be_met_on_which_date(client, sign_in) -> None:
    ids = await central_list()
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    for first in ("Sally", "Sam"):
        await services.add_unavailability(
            audit.SYSTEM, ids[first], {"from_day": MEETING_DAY.isoformat()}
        )
    body = (await client.get(f"/api/v1/panel/meetings/{meeting_id}/suggestion")).json()
    assert body["status"] == "infeasible"
    texts = [p["text"] for p in body["problems"]]
    when = f"{MEETING_DAY.day} {MEETING_DAY:%B %Y}"
    assert f"{when}: only 6 eligible and available members, 6 needed" not in texts
    assert any(t.startswith(when) and "social worker with 3 years' PQE" in t for t in texts), texts


async def test_an_ineligible_member_cannot_be_accepted_onto_a_roster(client, sign_in) -> None:
    ids = await central_list(Ben={"dbs_checked_on": "2023-10-01"})
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    response = await client.post(
        f"/panel/meetings/{meeting_id}/roster",
        data={"members": [str(ids[f]) for f in ("Clara", "Sally", "Ada", "Ben", "Bea")],
              "chair": str(ids["Clara"])},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Ben Born cannot sit: DBS check expired on 1 October 2026" in response.text
    assert await Sitting.count() == 0


async def test_invitations_are_emailed_and_read_back_at_london_times_across_the_clock_change(
    client, sign_in, smtp
) -> None:
    ids = await central_list()
    await sign_in(Role.PANEL_ADVISER)
    # The clocks go forward on 28 March 2027: one panel in GMT, one in BST.
    before = await _meeting(client, date(2027, 3, 25))
    after = await _meeting(client, date(2027, 4, 1), venue="Committee Room 3")
    members = [ids[f] for f in ("Clara", "Sally", "Ada", "Ben", "Bea", "Mina")]
    await services.accept_roster(
        audit.SYSTEM, {before: (members, ids["Clara"]), after: (members, ids["Clara"])}
    )
    sent = await mail.deliver_pending(Settings.from_env())
    assert sent == 12
    to_ada = smtp.to(email_of("Ada Adopter"))
    assert len(to_ada) == 2
    starts = {}
    for message in to_ada:
        part = next(
            p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
        )
        assert part.get_param("method") == "REQUEST"
        event = vobject.readOne(part.get_content()).vevent
        assert event.summary.value == "Adoption panel"
        starts[event.uid.value] = event.dtstart.value
        assert "Committee Room" in event.location.value
    assert sorted(s.astimezone(UTC) for s in starts.values()) == [
        datetime(2027, 3, 25, 10, tzinfo=UTC),  # GMT
        datetime(2027, 4, 1, 9, tzinfo=UTC),  # 10:00 BST
    ]
    assert all(s.astimezone(LONDON).hour == 10 for s in starts.values())


async def test_a_change_raises_the_sequence_and_a_cancellation_is_sent(
    client, sign_in, smtp
) -> None:
    ids = await central_list()
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting(client)
    await services.invite(audit.SYSTEM, meeting_id, ids["Ada"])
    moved = await client.post(
        f"/panel/meetings/{meeting_id}",
        data=FORM
        | {"day": MEETING_DAY.isoformat(), "starts": "14:00", "ends": "16:00", "version": "1"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    cancelled = await client.post(
        f"/panel/meetings/{meeting_id}/status",
        data={"version": "2", "status": "cancelled", "reason": "No cases ready"},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    await mail.deliver_pending(Settings.from_env())
    events = []
    for message in smtp.to(email_of("Ada Adopter")):
        part = next(
            p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
        )
        calendar = vobject.readOne(part.get_content())
        events.append((calendar.method.value, int(calendar.vevent.sequence.value)))
    assert events == [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
    for message in smtp.messages:
        assert "Ada Adopter" not in message["Subject"]


async def test_a_member_sees_only_their_own_sittings_and_answers_them(client, sign_in) -> None:
    ids = await central_list()
    meeting_id = await services.schedule_meeting(
        audit.SYSTEM, FORM | {"day": MEETING_DAY.isoformat()}
    )
    ada = await services.invite(audit.SYSTEM, meeting_id, ids["Ada"])
    ben = await services.invite(audit.SYSTEM, meeting_id, ids["Ben"])
    person = await make_account(
        Role.PANEL_MEMBER, name="Ada Adopter", email=email_of("Ada Adopter")
    )
    client.cookies.clear()
    await sign_in_client(client, person)
    page = await client.get("/panel/my/sittings")
    assert "Committee Room 2" in page.text
    answered = await client.post(
        f"/panel/my/sittings/{ada}", data={"version": "1", "answer": "accepted"},
        follow_redirects=False,
    )  # fmt: skip
    assert answered.status_code == 303
    other = await client.post(
        f"/panel/my/sittings/{ben}", data={"version": "1", "answer": "declined"}
    )
    assert other.status_code == 404
    statuses = {r["id"]: r["status"] for r in await Sitting.select()}
    assert statuses == {ada: "accepted", ben: "invited"}
    mine = (await client.get("/api/v1/panel/my/sittings")).json()
    assert [s["id"] for s in mine] == [ada]


async def test_a_member_records_unavailability_and_interests(client, sign_in) -> None:
    ids = await central_list()
    person = await make_account(Role.PANEL_MEMBER, name="Bea Birth", email=email_of("Bea Birth"))
    client.cookies.clear()
    await sign_in_client(client, person)
    day = next_weekday(MEETING_DAY, 0)
    added = await client.post(
        "/panel/my/availability",
        data={"from_day": day.isoformat(), "to_day": (day + timedelta(days=2)).isoformat()},
        follow_redirects=False,
    )
    assert added.status_code == 303
    bad = await client.post("/panel/my/availability", data={"from_day": "next week"})
    assert bad.status_code == 422
    assert "First day you cannot sit must be a real date" in bad.text
    await client.post(
        "/panel/my/interests", data={"interest_name": "Jane Smith", "relationship": "neighbour"}
    )
    row = await services.member(ids["Bea"])
    assert len(row["unavailable"]) == 3
    assert [i["name"] for i in row["interests"]] == ["Jane Smith"]


async def test_the_personal_feed_needs_the_right_token_and_can_be_reset(client, sign_in) -> None:
    ids = await central_list()
    meeting_id = await services.schedule_meeting(
        audit.SYSTEM, FORM | {"day": MEETING_DAY.isoformat()}
    )
    await services.invite(audit.SYSTEM, meeting_id, ids["Ada"])
    person = await make_account(
        Role.PANEL_MEMBER, name="Ada Adopter", email=email_of("Ada Adopter")
    )
    client.cookies.clear()
    await sign_in_client(client, person)
    page = await client.get("/panel/my/feed")
    url = page.text.split(f"/panel/feed/{ids['Ada']}/")[1].split('"')[0]
    client.cookies.clear()
    feed = await client.get(f"/panel/feed/{ids['Ada']}/{url}")
    assert feed.status_code == 200
    calendar = vobject.readOne(feed.text)
    assert calendar.vevent.summary.value == "Adoption panel"
    assert (await client.get(f"/panel/feed/{ids['Ada']}/wrong.ics")).status_code == 404
    assert (await client.get(f"/panel/feed/{ids['Ben']}/{url}")).status_code == 404
    await sign_in_client(client, person)
    await client.post("/panel/my/feed/reset")
    client.cookies.clear()
    assert (await client.get(f"/panel/feed/{ids['Ada']}/{url}")).status_code == 404


async def test_a_new_policy_version_applies_from_its_date_and_checks_name_it(
    client, sign_in
) -> None:
    await central_list()
    await sign_in(Role.PANEL_ADVISER)
    numbers = {k: getattr(services.PolicyNumbers(), k) for k in services.POLICY_LABELS}
    bad = await client.post(
        "/panel/policies",
        data=numbers | {"effective_from": "2027-01-01", "note": "", "quorum_minimum": "x"},
    )
    assert bad.status_code == 422
    assert "Members needed for quorum must be a whole number" in bad.text
    saved = await client.post(
        "/panel/policies",
        data=numbers | {"effective_from": MEETING_DAY.isoformat(), "note": "Quorum of six",
                        "quorum_minimum": "6", "joint_quorum_minimum": "7"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    meeting_id = await _meeting(client)
    api = (await client.get(f"/api/v1/panel/meetings/{meeting_id}")).json()
    assert api["checks"]["policy_version"] == 2
    assert api["checks"]["quorum"]["shortfalls"][0] == "0 members present, 6 needed"
    assert (await services.policy_on(MEETING_DAY - timedelta(days=1))).version == 1
