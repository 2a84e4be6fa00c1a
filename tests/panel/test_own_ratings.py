"""A panel member rates the reports of the items she sat on (NMS 17.2): only those items, only as
herself, each report once."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from governance import audit, clock
from governance.audit import SYSTEM
from governance.auth import CurrentUser
from governance.errors import Conflict, Invalid
from governance.roles import Role
from governance.tables import AuditEntry
from panel import record
from panel.tables import (
    AgendaItem,
    Attendance,
    ItemSubject,
    ItemType,
    Meeting,
    MeetingStatus,
    PanelMember,
    QualityRating,
    Sitting,
    SittingStatus,
)
from tests.panel import support

TODAY = clock.today()

# (code, name, subject, recommendations, decided by, minutes)
TYPES = [
    ("approval", "Approval of prospective adopters", ItemSubject.ADOPTERS,
     "Suitable to adopt\nNot suitable to adopt\nDefer", "assessing_agency", 45),
    ("annual_report", "Annual report", ItemSubject.INFORMATION, "Noted", "none", 20),
]  # fmt: skip

RATING = {
    "report_type": "PAR",
    "team": "North assessment team",
    "quality": "good",
    "complete": "adequate",
    "on_time": "yes",
    "comment": "A careful chronology.",
}


@dataclass
class Held:
    members: dict[str, int]  # member ids by first name
    people: dict[str, int]  # person ids by first name
    items: list[int]  # ADP-1 and ADP-2 (approvals) and AR-1 (for information) a month ago
    others: list[int]  # ADP-9, at a panel Ada did not sit on
    old: list[int]  # ADP-0, more than a year ago
    future: list[int]  # ADP-5, not yet held

    def actor(self, first: str) -> CurrentUser:
        return CurrentUser(
            0, self.people[first], first, f"{first}@example.org", frozenset({Role.PANEL_MEMBER})
        )


async def _meeting(
    day: date,
    types: dict[str, int],
    members: dict[str, int],
    roster: list[str],
    items: list[tuple[str, str]],
    attendance: dict[str, str] | None = None,
) -> tuple[int, list[int]]:
    """A held meeting at 10:00 on day; attendance by first name: "present" (the default),
    "apologies" or a time they left."""
    start = datetime.combine(day, time(10), clock.LONDON)
    meeting_id = (
        await Meeting.insert(
            Meeting(
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                status=MeetingStatus.HELD if day <= TODAY else MeetingStatus.CONFIRMED,
                chair=members["Clara"],
            )
        ).returning(Meeting.id)
    )[0]["id"]
    for name in roster:
        await Sitting.insert(
            Sitting(meeting=meeting_id, member=members[name], status=SittingStatus.ACCEPTED)
        )
    item_ids = []
    cursor = start + timedelta(minutes=10)
    for position, (code, reference) in enumerate(items, start=1):
        length = timedelta(minutes=45 if code == "approval" else 20)
        item_ids.append(
            (
                await AgendaItem.insert(
                    AgendaItem(
                        meeting=meeting_id,
                        item_type=types[code],
                        position=position,
                        case_reference=reference,
                        starts_at=cursor,
                        ends_at=cursor + length,
                    )
                ).returning(AgendaItem.id)
            )[0]["id"]
        )
        cursor += length + timedelta(minutes=5)
    data: dict[str, Any] = {}
    for name in roster:
        mark = (attendance or {}).get(name, "present")
        m = members[name]
        data[f"status_{m}"] = "apologies" if mark == "apologies" else "present"
        if mark not in ("present", "apologies"):
            data[f"left_{m}"] = mark
    await record.save_attendance(SYSTEM, meeting_id, data)
    return meeting_id, item_ids


@pytest.fixture
async def held(db: None) -> Held:
    members = await support.central_list()
    people = {
        name: r["person"]
        for name, member_id in members.items()
        for r in await PanelMember.select(PanelMember.person).where(PanelMember.id == member_id)
    }
    types = {
        code: (
            await ItemType.insert(
                ItemType(
                    code=code,
                    name=name,
                    subject=subject,
                    recommendations=recs,
                    decided_by=decided_by,
                    minutes=minutes,
                    required_papers="Prospective adopter's report\nMedical report"
                    if code == "approval"
                    else "",
                )
            ).returning(ItemType.id)
        )[0]["id"]
        for code, name, subject, recs, decided_by, minutes in TYPES
    }
    everyone = list(members)
    # Items run 10:10-10:55, 11:00-11:45 and 11:50-12:10. Bea sent apologies, Ben left before
    # the second item, and Sam withdrew from the first.
    _, items = await _meeting(
        TODAY - timedelta(days=30),
        types,
        members,
        everyone,
        [("approval", "ADP-1"), ("approval", "ADP-2"), ("annual_report", "AR-1")],
        {"Bea": "apologies", "Ben": "10:58"},
    )
    await record.add_declaration(
        SYSTEM,
        items[0],
        {"member": str(members["Sam"]), "interest": "Knows them", "withdrew": "yes"},
    )
    _, others = await _meeting(
        TODAY - timedelta(days=16),
        types,
        members,
        ["Clara", "Victor", "Sally", "Mina", "Bea"],
        [("approval", "ADP-9")],
    )
    _, old = await _meeting(
        TODAY - timedelta(days=400), types, members, everyone, [("approval", "ADP-0")]
    )
    _, future = await _meeting(
        TODAY + timedelta(days=20), types, members, everyone, [("approval", "ADP-5")]
    )
    return Held(members, people, items, others, old, future)


# ---------------------------------------------------------------- the list


async def test_a_member_lists_the_items_she_sat_on_at_panels_of_the_last_twelve_months(
    held: Held,
) -> None:
    found = await record.items_to_rate(held.people["Ada"])

    assert [(i.day, i.number, i.type_name, i.case_reference) for i in found] == [
        (TODAY - timedelta(days=30), 1, "Approval of prospective adopters", "ADP-1"),
        (TODAY - timedelta(days=30), 2, "Approval of prospective adopters", "ADP-2"),
    ]
    assert [i.ratings for i in found] == [(), ()]


async def test_an_item_a_member_left_before_withdrew_from_or_missed_is_not_listed(
    held: Held,
) -> None:
    assert [i.case_reference for i in await record.items_to_rate(held.people["Ben"])] == ["ADP-1"]
    assert [i.case_reference for i in await record.items_to_rate(held.people["Sam"])] == ["ADP-2"]
    assert [i.case_reference for i in await record.items_to_rate(held.people["Bea"])] == ["ADP-9"]


async def test_the_list_carries_the_members_own_ratings_and_no_one_elses(held: Held) -> None:
    await record.rate_own(held.actor("Ada"), held.people["Ada"], held.items[0], RATING)
    await record.rate_own(held.actor("Ben"), held.people["Ben"], held.items[0], RATING)

    found = await record.items_to_rate(held.people["Ada"])

    assert [[r["report_type"] for r in i.ratings] for i in found] == [["PAR"], []]
    assert {r["member"] for i in found for r in i.ratings} == {held.members["Ada"]}


# ---------------------------------------------------------------- rating


async def test_a_member_present_for_an_item_rates_its_reports(held: Held) -> None:
    new_id = await record.rate_own(held.actor("Ada"), held.people["Ada"], held.items[0], RATING)

    row = await QualityRating.select().where(QualityRating.id == new_id).first()
    assert row is not None
    assert (row["member"], row["report_type"], row["quality"], row["on_time"]) == (
        held.members["Ada"],
        "PAR",
        "good",
        True,
    )
    entry = await AuditEntry.select().order_by(AuditEntry.id, ascending=False).first()
    assert entry is not None
    assert (entry["action"], entry["record_type"]) == ("create", "quality_rating")


async def test_a_posted_member_is_ignored_the_rating_is_the_members_own(held: Held) -> None:
    posted = RATING | {"member": str(held.members["Clara"])}

    await record.rate_own(held.actor("Ada"), held.people["Ada"], held.items[0], posted)

    assert [r["member"] for r in await QualityRating.select()] == [held.members["Ada"]]


@pytest.mark.parametrize(
    ("first", "item", "why"),
    [
        ("Bea", 0, "not present"),  # sent apologies
        ("Ben", 1, "not present"),  # left before the item started
        ("Sam", 0, "withdrew"),
        ("Ada", "others", "not present"),  # another panel
    ],
)
async def test_a_member_who_did_not_sit_on_the_item_is_refused_and_nothing_is_saved(
    held: Held, first: str, item: int | str, why: str
) -> None:
    item_id = held.others[0] if item == "others" else held.items[int(item)]

    with pytest.raises(PermissionError, match=why):
        await record.rate_own(held.actor(first), held.people[first], item_id, RATING)

    assert await QualityRating.count() == 0


async def test_someone_not_on_the_central_list_is_refused(held: Held) -> None:
    with pytest.raises(PermissionError, match="central list"):
        await record.rate_own(SYSTEM, 999_999, held.items[0], RATING)
    assert await QualityRating.count() == 0


@pytest.mark.parametrize(
    ("which", "message"),
    [("info", "for information only"), ("old", "more than twelve months"), ("future", "not been")],
)
async def test_an_item_with_no_reports_to_rate_is_refused(
    held: Held, which: str, message: str
) -> None:
    item_id = {"info": held.items[2], "old": held.old[0], "future": held.future[0]}[which]

    with pytest.raises(Conflict, match=message):
        await record.rate_own(held.actor("Ada"), held.people["Ada"], item_id, RATING)

    assert await QualityRating.count() == 0


async def test_a_second_rating_of_the_same_report_is_refused_and_nothing_is_saved(
    held: Held,
) -> None:
    await record.rate_own(held.actor("Ada"), held.people["Ada"], held.items[0], RATING)

    with pytest.raises(Conflict) as again:
        await record.rate_own(
            held.actor("Ada"), held.people["Ada"], held.items[0], RATING | {"report_type": " par "}
        )
    with pytest.raises(Conflict) as by_staff:
        await record.rate_item(SYSTEM, held.items[0], RATING | {"member": str(held.members["Ada"])})

    assert again.value.message == "Ada Adopter has already rated the PAR for this item"
    assert again.value.field == "report_type"
    assert by_staff.value.message == again.value.message
    assert await QualityRating.count() == 1


async def test_another_report_or_another_item_or_member_may_be_rated(held: Held) -> None:
    ada = held.actor("Ada")
    await record.rate_own(ada, held.people["Ada"], held.items[0], RATING)
    await record.rate_own(ada, held.people["Ada"], held.items[0], RATING | {"report_type": "CPR"})
    await record.rate_own(ada, held.people["Ada"], held.items[1], RATING)
    await record.rate_own(held.actor("Ben"), held.people["Ben"], held.items[0], RATING)

    assert await QualityRating.count() == 4


async def test_a_rating_needs_its_report_team_and_grades(held: Held) -> None:
    with pytest.raises(Invalid) as missing:
        await record.rate_own(
            held.actor("Ada"), held.people["Ada"], held.items[0], {"comment": "x" * 2001}
        )

    assert set(missing.value.errors) == {
        "report_type",
        "team",
        "quality",
        "complete",
        "on_time",
        "comment",
    }
    assert await QualityRating.count() == 0


# ---------------------------------------------------------------- pages


async def _as(sign_in: Any, first: str) -> None:
    name = next(e["name"] for e in support.LIST if e["name"].startswith(first + " "))
    await sign_in(Role.PANEL_MEMBER, name=name, email=support.email_of(name))


async def test_the_list_page_shows_only_the_members_own_items_by_panel(
    client, sign_in, held: Held
) -> None:
    await _as(sign_in, "Ada")

    response = await client.get("/panel/my/ratings")

    assert response.status_code == 200
    page = response.text
    assert "ADP-1" in page and "ADP-2" in page
    for elsewhere in ("ADP-9", "AR-1", "ADP-0", "ADP-5"):
        assert elsewhere not in page
    assert f'href="/panel/my/ratings/{held.items[0]}"' in page
    assert 'href="/panel/my/ratings"' in page  # the navigation entry


async def test_a_member_who_sat_on_nothing_is_told_so(client, sign_in, held: Held) -> None:
    await sign_in(Role.PANEL_MEMBER, name="Victor Vice", email=support.email_of("Victor Vice"))
    await Attendance.delete().where(Attendance.member == held.members["Victor"])

    page = (await client.get("/panel/my/ratings")).text

    assert "There are no reports for you to rate" in page


async def test_a_member_not_on_the_central_list_sees_the_not_listed_page(
    client, sign_in, held: Held
) -> None:
    await sign_in(Role.PANEL_MEMBER, name="Uninvited")

    listing = await client.get("/panel/my/ratings")
    form = await client.get(f"/panel/my/ratings/{held.items[0]}")

    assert listing.status_code == form.status_code == 200
    assert "not on the agency's central list" in listing.text
    assert "not on the agency's central list" in form.text


async def test_my_sittings_links_to_the_reports_to_rate(client, sign_in, held: Held) -> None:
    await _as(sign_in, "Ada")

    page = (await client.get("/panel/my/sittings")).text

    assert 'href="/panel/my/ratings">Rate the reports of items I sat on</a>' in page


async def test_the_form_shows_the_item_and_its_papers_and_the_view_is_audited(
    client, sign_in, held: Held
) -> None:
    await _as(sign_in, "Ada")
    path = f"/panel/my/ratings/{held.items[0]}"

    response = await client.get(path)

    assert response.status_code == 200
    assert "Rate the reports of item 1" in response.text
    assert "ADP-1" in response.text
    assert "Prospective adopter&#39;s report, Medical report" in response.text
    assert 'name="_csrf_token"' in response.text
    viewed = await AuditEntry.select().where(AuditEntry.path == path).first()
    assert viewed is not None
    assert viewed["action"] == "view"


async def test_another_members_item_is_refused_and_the_refusal_audited(
    client, sign_in, held: Held
) -> None:
    await _as(sign_in, "Ada")
    path = f"/panel/my/ratings/{held.others[0]}"

    shown = await client.get(path)
    posted = await client.post(path, data=RATING)

    assert shown.status_code == posted.status_code == 403
    refusal = await audit.last_refusal(path=path)
    assert refusal is not None
    assert refusal["actor"] == "Ada Adopter"
    assert await QualityRating.count() == 0


async def test_staff_are_refused_the_members_pages(client, sign_in, held: Held) -> None:
    await sign_in(Role.PANEL_ADVISER)

    assert (await client.get("/panel/my/ratings")).status_code == 403


async def test_a_rating_with_errors_is_shown_again_with_the_error_summary(
    client, sign_in, held: Held
) -> None:
    await _as(sign_in, "Ada")

    response = await client.post(
        f"/panel/my/ratings/{held.items[0]}", data={"report_type": "PAR", "team": "North"}
    )

    assert response.status_code == 422
    page = response.text
    assert "There is a problem" in page
    assert 'href="#quality"' in page and 'id="quality"' in page
    assert 'href="#on_time"' in page and 'id="on_time"' in page
    assert 'value="North"' in page
    assert await QualityRating.count() == 0


async def test_a_rating_is_saved_and_the_member_returns_to_the_list(
    client, sign_in, held: Held
) -> None:
    await _as(sign_in, "Ada")
    posted = RATING | {"member": str(held.members["Clara"])}

    response = await client.post(
        f"/panel/my/ratings/{held.items[0]}", data=posted, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/panel/my/ratings?rated={held.items[0]}"
    page = (await client.get(response.headers["location"])).text
    assert "Your rating of the reports of item 1 (ADP-1)" in page
    assert "Rate another report" in page
    assert [r["member"] for r in await QualityRating.select()] == [held.members["Ada"]]


async def test_a_duplicate_rating_is_a_409_that_says_why(client, sign_in, held: Held) -> None:
    await _as(sign_in, "Ada")
    path = f"/panel/my/ratings/{held.items[0]}"
    await client.post(path, data=RATING)

    response = await client.post(path, data=RATING | {"report_type": "Par"})

    assert response.status_code == 409
    assert "Ada Adopter has already rated the PAR for this item" in response.text
    assert 'href="#report_type"' in response.text
    assert await QualityRating.count() == 1


async def test_staff_recording_a_duplicate_rating_for_a_member_get_a_409(
    client, sign_in, held: Held
) -> None:
    await record.rate_own(held.actor("Ada"), held.people["Ada"], held.items[0], RATING)
    await sign_in(Role.PANEL_ADVISER)

    response = await client.post(
        f"/panel/record/items/{held.items[0]}/ratings",
        data=RATING | {"member": str(held.members["Ada"])},
    )

    assert response.status_code == 409
    assert "Ada Adopter has already rated the PAR for this item" in response.text
    assert await QualityRating.count() == 1


@pytest.mark.parametrize("rated", ["abc", "-1", "1.5", "99999999999999999999"])
async def test_a_rated_confirmation_that_is_not_a_number_is_refused(
    client, sign_in, held: Held, rated: str
) -> None:
    await _as(sign_in, "Ada")
    response = await client.get("/panel/my/ratings", params={"rated": rated})
    assert response.status_code == 400
    assert f"'rated' cannot be '{rated}'" in html.unescape(response.text)
    shown = await client.get("/panel/my/ratings", params={"rated": str(held.items[0])})
    assert shown.status_code == 200
