"""The demo's decision side: ADMs and deputies for each council, past panels with their records
and minutes, decisions made on time and late, a missed clock with its reason, open items in each
ADM's queue, and one decision running over Christmas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from adm import escalation, services
from adm.rules.routing import AdmRole
from adm.rules.stages import PauseGround
from adm.tables import AdmAssignment, ItemClockFacts, Referral
from governance import audit, clock
from governance import services as accounts
from governance.audit import SYSTEM
from governance.roles import Role
from governance.rules.workdays import add_working_days
from governance.tables import OutboxMessage, Partner, Person, RoleGrant
from panel import agenda, record
from panel.rules.placement import Authority
from panel.tables import (
    Agenda,
    AgendaItem,
    ItemSubject,
    ItemType,
    Meeting,
    MeetingStatus,
    PanelMember,
    PlacementAuthority,
    Sitting,
    SittingStatus,
)

# (code, name, subject, recommendations, decided by, minutes)
ITEM_TYPES: list[tuple[str, str, ItemSubject, str, str, int]] = [
    ("adopter_approval", "Approval of prospective adopters", ItemSubject.ADOPTERS,
     "Suitable to adopt\nNot suitable to adopt\nDefer", "assessing_agency", 45),
    ("match", "Match of a child with approved adopters", ItemSubject.CHILD,
     "Match\nNo match\nDefer", "child_authority", 45),
    ("should_be_placed", "Child should be placed for adoption", ItemSubject.CHILD,
     "Should be placed for adoption\nShould not be placed for adoption\nDefer",
     "child_authority", 30),
    ("annual_report", "Annual report", ItemSubject.INFORMATION, "Noted", "none", 20),
]  # fmt: skip


async def item_types() -> dict[str, int]:
    """The item types by code: those the agenda already has, and the standard ones it lacks."""
    ids = {r["code"]: r["id"] for r in await ItemType.select(ItemType.id, ItemType.code)}
    by_name = {r["name"]: r["id"] for r in await ItemType.select(ItemType.id, ItemType.name)}
    for position, (code, name, subject, recs, decided_by, minutes) in enumerate(ITEM_TYPES):
        if code in ids:
            continue
        if name in by_name:
            ids[code] = by_name[name]
            continue
        ids[code] = (
            await ItemType.insert(
                ItemType(
                    code=code,
                    name=name,
                    subject=subject,
                    recommendations=recs,
                    decided_by=decided_by,
                    minutes=minutes,
                    position=position,
                )
            ).returning(ItemType.id)
        )[0]["id"]
    return ids


@dataclass(frozen=True, slots=True)
class PlannedItem:
    type_code: str
    case_reference: str
    initials: str
    partner_code: str  # the assessing agency or the child's authority


async def past_meeting(
    day: date,
    member_ids: list[int],
    chair_id: int,
    items: list[PlannedItem],
    *,
    starts: time = time(10, 0),
) -> tuple[int, list[int]]:
    """A meeting already held (inserted as it stood), with its roster and agenda items."""
    types = await item_types()
    type_rows = {r["id"]: r for r in await ItemType.select()}
    partners = {r["code"]: r["id"] for r in await Partner.select(Partner.id, Partner.code)}
    start = datetime.combine(day, starts, clock.LONDON)
    meeting_id = (
        await Meeting.insert(
            Meeting(
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                venue="Committee Room 2, New Shire Hall, Alconbury Weald",
                status=MeetingStatus.HELD,
                chair=chair_id,
            )
        ).returning(Meeting.id)
    )[0]["id"]
    for member_id in member_ids:
        await Sitting.insert(
            Sitting(meeting=meeting_id, member=member_id, status=SittingStatus.ACCEPTED)
        )
    item_ids = []
    cursor = start + timedelta(minutes=10)
    for position, planned in enumerate(items, start=1):
        type_id = types[planned.type_code]
        subject = type_rows[type_id]["subject"]
        length = timedelta(minutes=type_rows[type_id]["minutes"] or 45)
        item_ids.append(
            (
                await AgendaItem.insert(
                    AgendaItem(
                        meeting=meeting_id,
                        item_type=type_id,
                        position=position,
                        case_reference=planned.case_reference,
                        initials=planned.initials,
                        assessing_partner=partners[planned.partner_code]
                        if subject == ItemSubject.ADOPTERS
                        else None,
                        child_partner=partners[planned.partner_code]
                        if subject == ItemSubject.CHILD
                        else None,
                        starts_at=cursor,
                        ends_at=cursor + length,
                    )
                ).returning(AgendaItem.id)
            )[0]["id"]
        )
        cursor += length + timedelta(minutes=5)
        if planned.type_code == "match":
            # AAR reg 32(5): the match is heard because the court made a placement order.
            await PlacementAuthority.insert(
                PlacementAuthority(
                    item=item_ids[-1],
                    authority=Authority.PLACEMENT_ORDER,
                    authorised_on=day - timedelta(weeks=8),
                    adopters_approved_on=day - timedelta(weeks=10),
                    note="Placement order made at the Family Court at Peterborough",
                )
            )
        elif subject == ItemSubject.ADOPTERS:
            # AAR reg 30A(5): the applicants were invited to attend the panel.
            await AgendaItem.update(
                {AgendaItem.applicants_invited_on: day - timedelta(weeks=3)}
            ).where(AgendaItem.id == item_ids[-1])
    return meeting_id, item_ids


def present_all(member_ids: list[int], left: dict[int, str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for member_id in member_ids:
        data[f"status_{member_id}"] = "present"
        data[f"arrived_{member_id}"] = "10:00"
        if left and member_id in left:
            data[f"left_{member_id}"] = left[member_id]
    return data


async def adm_account(name: str, email: str, partner_codes: tuple[str, ...]) -> int:
    """The person id of an ADM account, created if it does not exist."""
    person = await Person.select(Person.id).where(Person.email == email).first()
    if person is not None:
        found: int = person["id"]
        return found
    partners = {r["code"]: r["id"] for r in await Partner.select(Partner.id, Partner.code)}
    from governance.demo import DEMO_PASSWORD

    await accounts.create_account(
        SYSTEM,
        {
            "name": name,
            "email": email,
            "roles": [Role.ADM.value],
            "adm_partners": [partners[c] for c in partner_codes],
        },
        password=DEMO_PASSWORD,
        cheap_hash=True,
    )
    person = await Person.select(Person.id).where(Person.email == email).first()
    assert person is not None
    created: int = person["id"]
    return created


async def assign(person_id: int, partner_code: str, role: AdmRole, title: str = "") -> None:
    partner = await Partner.select(Partner.id).where(Partner.code == partner_code).first()
    assert partner is not None
    await AdmAssignment.insert(
        AdmAssignment(partner=partner["id"], person=person_id, role=role, job_title=title)
    )


# ---------------------------------------------------------------- the demo itself

# Five members a panel (chair first, then the social worker), each member on one panel only,
# so no one's sittings crowd the months the panel demo rosters.
PANELS: tuple[tuple[str, ...], ...] = (
    ("Margaret Ellison", "Rachel Okoro", "Grace Adeyemi", "Tom Fletcher", "Dr Helena Brooks"),
    ("Farah Qureshi", "Daniel Hughes", "Priya Shah", "Owen Price", "Sandra Lewis"),
    ("Jonathan Reeve", "Peter Walsh", "Michael Adams", "Naomi Fischer", "Kwame Mensah"),
    ("Desmond Clarke", "Katarzyna Nowak", "Imran Sheikh", "Chloe Martin", "Yasmin Haddad"),
)


async def load() -> None:
    if not await Partner.exists():
        return
    helen = await Person.select(Person.id).where(Person.email == "adm@demo.example").first()
    if helen is None:
        return
    # Helen Marsh decides for Cambridgeshire; Peterborough has its own ADM, with Helen as deputy.
    pcc = await adm_account("Colin Pryor", "adm.peterborough@demo.example", ("PCC",))
    await assign(helen["id"], "CCC", AdmRole.PRIMARY, "Head of Children's Services")
    await assign(pcc, "PCC", AdmRole.PRIMARY, "Assistant Director, Children's Social Care")
    await assign(helen["id"], "PCC", AdmRole.DEPUTY, "Head of Children's Services")
    # The agency's head of service hears of every missed clock, with the panel advisers.
    await escalation.add(
        SYSTEM,
        {"name": "Ruth Okafor", "email": "head.of.service@demo.example", "title": ""},
    )
    members = {
        r["name"]: r["id"]
        for r in await PanelMember.select(PanelMember.id, PanelMember.person.name.as_alias("name"))
    }
    if len(members) < 8:
        return
    today = clock.today()
    adviser = await _actor("adviser@demo.example")
    # The chairs sign in to approve minutes.
    from governance.demo import DEMO_PASSWORD

    for name in ("Margaret Ellison", "Desmond Clarke"):
        person = await _person_of(members[name])
        row = await Person.select(Person.email).where(Person.id == person).first()
        if row is not None:
            await accounts.create_account(
                SYSTEM,
                {"name": name, "email": row["email"], "roles": [Role.PANEL_MEMBER.value],
                 "adm_partners": []},
                password=DEMO_PASSWORD, cheap_hash=True,
            )  # fmt: skip

    # Three past meetings, the oldest first, each with its items recorded and minutes final.
    plans = [
        (_working_back(today, 45), PANELS[0], [
            PlannedItem("adopter_approval", "ADP-2101", "J & K M", "PCC"),
            PlannedItem("match", "CH-3301", "L R", "CCC"),
            PlannedItem("adopter_approval", "ADP-2102", "S T", "CCC"),
            PlannedItem("should_be_placed", "CH-3302", "K B", "CCC"),
        ]),
        (_working_back(today, 25), PANELS[1], [
            PlannedItem("adopter_approval", "ADP-2110", "A & B O", "PCC"),
            PlannedItem("should_be_placed", "CH-3310", "E W", "PCC"),
            PlannedItem("annual_report", "AR-2026", "", "CCC"),
        ]),
        (_working_back(today, 6), PANELS[2], [
            PlannedItem("match", "CH-3320", "T N", "PCC"),
            PlannedItem("adopter_approval", "ADP-2120", "R & P H", "CCC"),
            PlannedItem("adopter_approval", "ADP-2121", "D F", "PCC"),
        ]),
    ]  # fmt: skip
    outcomes = {
        "adopter_approval": "Suitable to adopt",
        "match": "Match",
        "should_be_placed": "Should be placed for adoption",
    }
    meeting_items: list[tuple[date, list[tuple[int, str]]]] = []
    for day, names, planned in plans:
        panel = [members[name] for name in names]
        meeting_id, item_ids = await past_meeting(day, panel, panel[0], planned)
        await record.save_attendance(adviser, meeting_id, present_all(panel))
        chair_person = await _person_of(panel[0]) or 0
        chair_actor = await _actor_by_person(chair_person)
        for item_id, plan in zip(item_ids, planned, strict=True):
            if plan.type_code == "annual_report":
                await record.record_item(adviser, item_id, {"action": "noted"})
                continue
            outcome = outcomes[plan.type_code]
            if plan.case_reference == "ADP-2102":
                outcome = "Not suitable to adopt"
            data: dict[str, Any] = {
                "action": "recommend",
                "outcome": outcome,
                "reasons": "The assessment is thorough and the panel was satisfied on "
                "every point it raised with the social worker.",
                f"view_{panel[1]}": "Agree: a clear and balanced report.",
                f"view_{panel[2]}": "Agree.",
            }
            if plan.type_code == "adopter_approval":
                data |= {"number_of_children": "2", "age_range": "0 to 5", "sex": "Either"}
            if plan.type_code == "match":
                data |= {"contact": "Letterbox contact twice a year with the birth mother"}
            await record.record_item(adviser, item_id, data)
        _, minutes, _ = await record.minutes_of(meeting_id)
        await record.approve_minutes(chair_actor, chair_person, meeting_id, minutes["version"])
        # The minutes reached the ADM on a working day after the meeting, as they would have.
        await Referral.update({Referral.received_on: _working_after(day, 3)}).where(
            Referral.meeting_on == day
        )
        meeting_items.append(
            (day, [(i, p.case_reference) for i, p in zip(item_ids, planned, strict=True)])
        )
        await _sent_before_panel(meeting_id, day, list(zip(item_ids, planned, strict=True)))

    # Decisions: the oldest meeting decided on time and late, letters out; one clock missed.
    await _decide("ADP-2101", pcc, 4, told=1, letter=3)
    await _decide("CH-3301", helen["id"], 12, told=2, letter=4, breach=(
        "adm_decision", "The ADM was on leave and the deputy was not told the item was waiting."
    ))  # fmt: skip
    await _decide("ADP-2102", helen["id"], 6, told=1, letter=2)
    await _decide("ADP-2110", pcc, 5, told=1, letter=None)
    # Should-be-placed decisions: K.B.'s mother was told a working day late (AAR reg 19(3):
    # orally within 2 working days), E.W.'s parents on time, orally and in writing.
    await _decide("CH-3302", helen["id"], 3, told=None, letter=None)
    await _tell_parents("CH-3302", told=5, letter=5)
    await _decide("CH-3310", pcc, 4, told=None, letter=None)
    await _tell_parents("CH-3310", told=1, letter=3)
    # The newest meeting's items stay open in each ADM's queue.
    await _christmas_item([members[name] for name in PANELS[2]], adviser, today)
    # Today's panel, nothing recorded yet: the adviser records it live. Its members are others
    # than those of the past panels, so nobody sits more often in a month than policy allows.
    todays = [members[name] for name in PANELS[3]]
    todays_items = [
        PlannedItem("adopter_approval", "ADP-2140", "G & H L", "PCC"),
        PlannedItem("match", "CH-3340", "M P", "CCC"),
        PlannedItem("adopter_approval", "ADP-2141", "N Q", "PCC"),
    ]
    meeting_id, item_ids = await past_meeting(
        today, todays, members["Desmond Clarke"], todays_items
    )
    # Today's papers went out two working days late (five are due), whatever the day of the week.
    await _sent_before_panel(
        meeting_id, today, list(zip(item_ids, todays_items, strict=True)), papers_before=3
    )
    await _next_panels_dates(today)
    await OutboxMessage.update({OutboxMessage.sent_at: clock.now()}).where(
        OutboxMessage.sent_at.is_null()
    )
    await audit.record(SYSTEM, "create", "adm_demo", "", summary="demo ADMs, records, decisions")


async def _christmas_item(sitting: list[int], adviser: Any, today: date) -> None:
    # A panel on the Thursday before Christmas: its ADM decision clock runs over Christmas and New
    # Year. Shown from the new year's first weeks back to the Christmas just gone.
    day = _thursday_before_christmas(today.year if today.month == 12 else today.year - 1)
    if not day < today <= day + timedelta(days=60):
        # Not in this copy of the calendar: the representations window of ADP-2102 is the clock
        # that runs over Christmas instead, when the demo is built in the weeks before it.
        return
    meeting_id, item_ids = await past_meeting(
        day, sitting, sitting[0], [PlannedItem("adopter_approval", "ADP-2130", "C & D V", "PCC")]
    )
    await record.save_attendance(adviser, meeting_id, present_all(sitting))
    await record.record_item(
        adviser,
        item_ids[0],
        {"action": "recommend", "outcome": "Suitable to adopt", "reasons": "A strong assessment."},
    )
    chair_person = await _person_of(sitting[0]) or 0
    _, minutes, _ = await record.minutes_of(meeting_id)
    await record.approve_minutes(
        await _actor_by_person(chair_person), chair_person, meeting_id, minutes["version"]
    )
    await Referral.update({Referral.received_on: _working_after(day, 3)}).where(
        Referral.meeting_on == day
    )


def _thursday_before_christmas(year: int) -> date:
    christmas = date(year, 12, 25)
    return christmas - timedelta(days=(christmas.weekday() - 3) % 7 or 7)


async def _decide(
    case: str,
    adm_person: int,
    after: int,
    *,
    told: int | None,
    letter: int | None,
    breach: tuple[str, str] | None = None,
) -> None:
    row = await Referral.select().where(Referral.item._.case_reference == case).first()
    if row is None:
        return
    actor = await _actor_by_person(row["adm"])
    decided_on = _working_after(row["received_on"], after)
    await services.decide(
        actor,
        row["id"],
        {
            "verdict": "agree",
            "decided_on": decided_on.isoformat(),
            # A "not suitable" decision must give its reasons, and its letter quotes them.
            "reasons": "I have read the panel's minutes and the reports, and I agree with the "
            "panel's recommendation for the reasons it gave.",
        },
    )
    fresh = await services.referral(row["id"])
    values: dict[str, str] = {"version": str(fresh["version"])}
    if told is not None:
        values["told_orally_on"] = _working_after(decided_on, told).isoformat()
    if letter is not None:
        values["letter_sent_on"] = _working_after(decided_on, letter).isoformat()
    if told is not None or letter is not None:
        await services.record_told(SYSTEM, row["id"], values)
    if breach:
        await services.record_breach(SYSTEM, row["id"], breach[0], breach[1])
    del adm_person


async def _tell_parents(case: str, *, told: int, letter: int) -> None:
    """The child's parent or guardian told of the should-be-placed decision `told` working days
    after it, and written to `letter` working days after it."""
    row = await Referral.select().where(Referral.item._.case_reference == case).first()
    if row is None or row["decided_on"] is None:
        return
    await services.record_parents_told(
        SYSTEM,
        row["id"],
        {
            "parents_told_orally_on": _working_after(row["decided_on"], told).isoformat(),
            "parents_letter_sent_on": _working_after(row["decided_on"], letter).isoformat(),
            "version": str(row["version"]),
        },
    )


async def _sent_before_panel(
    meeting_id: int, day: date, items: list[tuple[int, PlannedItem]], *, papers_before: int = 7
) -> None:
    """A held panel's papers (`papers_before` working days before it) and member list went out;
    its applicants had their PAR and commented on it; the oldest adopters' Stages 1 and 2 are on
    record."""
    cal = await services.working_calendar_between(day - timedelta(days=400), day)
    published = datetime.combine(add_working_days(day, -papers_before, cal), time(16), clock.LONDON)
    # Members could open the papers until the policy's days after the panel, as published.
    closes = await agenda.access_closes_on({"day": day})
    await Agenda.insert(Agenda(meeting=meeting_id, published_at=published, access_closes_on=closes))
    for item_id, plan in items:
        if plan.type_code not in ("adopter_approval", "match"):
            continue
        dates: dict[Any, Any] = {ItemClockFacts.member_list_sent_on: add_working_days(day, -6, cal)}
        if plan.type_code == "adopter_approval":
            dates |= {
                ItemClockFacts.par_sent_on: add_working_days(day, -16, cal),
                ItemClockFacts.par_comments_received_on: add_working_days(day, -12, cal),
                ItemClockFacts.stage_1_started_on: day - timedelta(days=290),
                ItemClockFacts.stage_1_completed_on: day - timedelta(days=235),
                ItemClockFacts.stage_2_notice_on: day - timedelta(days=110),
            }
        await ItemClockFacts.insert(ItemClockFacts(dates, item=item_id))


async def _next_panels_dates(today: date) -> None:
    """The next panel's applicants have their member list; the one after's PAR is with the
    applicants now, its comment window open."""
    cal = await services.working_calendar_between(today - timedelta(days=30), today)
    rows = {
        r["case_reference"]: r["id"]
        for r in await AgendaItem.select(AgendaItem.id, AgendaItem.case_reference).where(
            AgendaItem.case_reference.is_in(["CPA/2026/031", "CPA/2026/032", "CPA/2026/041"])
        )
    }
    facts: list[tuple[str, dict[Any, Any]]] = [
        ("CPA/2026/031", {ItemClockFacts.member_list_sent_on: add_working_days(today, -2, cal),
                          ItemClockFacts.par_sent_on: add_working_days(today, -9, cal),
                          ItemClockFacts.par_comments_received_on: add_working_days(today, -5, cal),
                          ItemClockFacts.stage_2_notice_on: today - timedelta(days=100)}),
        ("CPA/2026/032", {ItemClockFacts.member_list_sent_on: add_working_days(today, -2, cal)}),
        ("CPA/2026/041", {ItemClockFacts.par_sent_on: add_working_days(today, -2, cal)}),
    ]  # fmt: skip
    for reference, dates in facts:
        if reference in rows:
            await ItemClockFacts.insert(ItemClockFacts(dates, item=rows[reference]))
    if "CPA/2026/031" in rows:
        # Stage 2 paused for a fortnight while the applicants moved house: its deadline moved on.
        notice = today - timedelta(days=100)
        await ItemClockFacts.update(
            {
                ItemClockFacts.stage_2_pause_from: notice + timedelta(days=20),
                ItemClockFacts.stage_2_pause_to: notice + timedelta(days=33),
                ItemClockFacts.stage_2_pause_why: PauseGround.APPLICANTS_REQUEST.value,
                ItemClockFacts.stage_2_pause_reason: "They moved house",
            }
        ).where(ItemClockFacts.item == rows["CPA/2026/031"])


def _working_back(today: date, n: int) -> date:
    day = today
    while n > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    while day.weekday() != 3:  # panels sit on Thursdays
        day -= timedelta(days=1)
    return day


def _working_after(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


async def _person_of(member_id: int) -> int | None:
    row = await PanelMember.select(PanelMember.person).where(PanelMember.id == member_id).first()
    return None if row is None else int(row["person"])


async def _actor(email: str) -> Any:
    person = await Person.select(Person.id).where(Person.email == email).first()
    return await _actor_by_person(person["id"]) if person else SYSTEM


async def _actor_by_person(person_id: int) -> Any:
    from governance.auth import CurrentUser
    from governance.tables import Account

    person = await Person.select().where(Person.id == person_id).first()
    assert person is not None
    account = await Account.select(Account.id).where(Account.person == person_id).first()
    grants = await RoleGrant.select().where(RoleGrant.account == account["id"]) if account else []
    return CurrentUser(
        account_id=account["id"] if account else 0,
        person_id=person_id,
        name=person["name"],
        email=person["email"],
        roles=frozenset(Role(g["role"]) for g in grants),
        adm_partner_ids=frozenset(g["partner"] for g in grants if g["partner"]),
    )
