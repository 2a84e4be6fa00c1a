"""The demo's decision side: ADMs and deputies for each council, past panels with their records
and minutes, decisions made on time and late, a missed clock with its reason, open items in each
ADM's queue, and one decision running over Christmas. The agency words one outcome its own way
("Not approved" for "not suitable to adopt"), and every referral's letters have their addressees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from adm import escalation, services
from adm.rules import routing
from adm.rules.routing import AdmRole
from adm.rules.stages import PauseGround
from adm.tables import AdmAssignment, ItemClockFacts, Referral
from governance import audit, clock, shapes
from governance import services as accounts
from governance.audit import SYSTEM
from governance.roles import Role
from governance.rules.workdays import add_working_days
from governance.services import AGENCY_SCOPE
from governance.shapes import DemoAdm, Shape
from governance.tables import Account, OutboxMessage, Partner, Person, RoleGrant
from panel import agenda, record
from panel.demo import reference
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
                    category=code if code != "annual_report" else "information",
                )
            ).returning(ItemType.id)
        )[0]["id"]
        await agenda.default_outcomes(ids[code])
    return ids


# The agency's own wording of "not suitable to adopt": the meaning, the law and the letter stay.
RENAMED_NOT_SUITABLE = "Not approved"

# Whom each referral's letters go to: the applicants, the adopters of a match (never the child),
# or the parent of a child who should be placed. Synthetic names and addresses.
ADDRESSEES: dict[str, tuple[tuple[tuple[str, str, str], ...], str, str]] = {
    "ADP-2101": ((("Ms", "Jasmine", "Mahmood"), ("Mr", "Kamal", "Mahmood")),
                 "14 Cromwell Road\nWhittlesey\nPeterborough", "PE7 9ZX"),
    "CH-3301": ((("Mr", "Daniel", "Hughes"), ("Mr", "Owen", "Hughes")),
                "3 Mill Lane\nSawston\nCambridge", "CB22 9ZQ"),
    "ADP-2102": ((("Ms", "Sarah", "Thompson"),), "Flat 2, 41 Mill Road\nCambridge", "CB1 9ZT"),
    "ADP-2103": ((("Mr", "Umar", "Wahid"), ("Ms", "Vera", "Wahid")),
                 "5 Orchard Close\nMarch", "PE15 9ZW"),
    "ADP-2110": ((("Ms", "Aisha", "Khan"), ("Mr", "Imran", "Khan")),
                 "27 Lincoln Road\nPeterborough", "PE1 9ZK"),
    "CH-3310": ((("Ms", "Leanne", "Ward"),), "8 Eastfield Road\nPeterborough", "PE1 9ZW"),
    "CH-3320": ((("Ms", "Priya", "Shah"), ("Ms", "Nadia", "Shah")),
                "52 Thorpe Road\nPeterborough", "PE3 9ZS"),
    "ADP-2120": ((("Mr", "Rahul", "Hussain"), ("Mrs", "Parveen", "Hussain")),
                 "9 Church Street\nSt Ives", "PE27 9ZH"),
    "ADP-2121": ((("", "Dana", "Fletcher"),), "The Old School House\nHigh Street\nOundle",
                 "PE8 9ZF"),
    "ADP-2130": ((("Ms", "Claire", "Vaughan"), ("Mr", "David", "Vaughan")),
                 "16 Station Road\nEly", "CB7 9ZV"),
}  # fmt: skip


async def _addressees(adviser: Any) -> None:
    for referral in await Referral.select(
        Referral.id, Referral.item._.case_reference.as_alias("case")
    ):
        found = ADDRESSEES.get(referral["case"])
        if found is None:
            continue
        people, address, postcode = found
        data: dict[str, Any] = {"address": address, "postcode": postcode, "version": "0"}
        for n, (title, forenames, surname) in zip(("first", "second"), people, strict=False):
            data |= {f"{n}_title": title, f"{n}_forenames": forenames, f"{n}_surname": surname}
        await services.save_addressee(adviser, referral["id"], data)


async def _reword_not_suitable(adviser: Any) -> None:
    type_id = (await item_types())["adopter_approval"]
    kind = await agenda.item_type(type_id)
    data: dict[str, Any] = {"version": str(kind["version"])}
    for n, found in enumerate(await agenda.type_outcomes(type_id)):
        o = found.outcome
        wording = RENAMED_NOT_SUITABLE if o.wording == "Not suitable to adopt" else o.wording
        data |= {
            f"wording_{n}": wording,
            f"meaning_{n}": o.meaning.value,
            f"letter_{n}": o.letter.value,
            f"qualifying_{n}": "yes" if o.qualifying else "",
            f"closes_{n}": "yes" if o.closes_without_decision else "",
        }
    await agenda.save_outcomes(adviser, type_id, data)


@dataclass(frozen=True, slots=True)
class PlannedItem:
    type_code: str
    case_reference: str
    initials: str
    partner_code: str  # the assessing agency or the child's authority


def planned(shape: Shape, type_code: str, case: str, initials: str, slot: int) -> PlannedItem:
    """An item of the demo's plans, for the partner in `slot` (see Shape.partner).

    Where the agency itself assesses adopters (Shape.assesses_adopters), its adopter approvals
    are assessed by the agency and go to the agency's own ADM (see _assign_agency_adms)."""
    if shape.assesses_adopters and type_code == "adopter_approval":
        return PlannedItem(type_code, case, initials, routing.AGENCY)
    return PlannedItem(type_code, case, initials, shape.partner(slot).code)


async def past_meeting(
    day: date,
    member_ids: list[int],
    chair_id: int,
    items: list[PlannedItem],
    *,
    starts: time = time(10, 0),
    venue: str = shapes.CP.venue,
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
                venue=venue,
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
                        assessing_partner=partners.get(planned.partner_code)
                        if subject == ItemSubject.ADOPTERS
                        else None,
                        assessed_by_agency=subject == ItemSubject.ADOPTERS
                        and planned.partner_code == routing.AGENCY,
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
            "adm_partners": [
                AGENCY_SCOPE if c == routing.AGENCY else partners[c] for c in partner_codes
            ],
        },
        password=DEMO_PASSWORD,
        cheap_hash=True,
    )
    person = await Person.select(Person.id).where(Person.email == email).first()
    assert person is not None
    created: int = person["id"]
    return created


async def assign(person_id: int, partner_code: str, role: AdmRole, title: str = "") -> None:
    """Assign a decision maker for a partner, or for the agency itself (routing.AGENCY)."""
    partner_id = None
    if partner_code != routing.AGENCY:
        partner = await Partner.select(Partner.id).where(Partner.code == partner_code).first()
        assert partner is not None
        partner_id = partner["id"]
    await AdmAssignment.insert(
        AdmAssignment(partner=partner_id, person=person_id, role=role, job_title=title)
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


async def load(shape: Shape | None = None) -> None:
    if not await Partner.exists():
        return
    shape = shape or await shapes.loaded()
    first = await Person.select(Person.id).where(Person.email == "adm@demo.example").first()
    if first is None:
        return
    # Each council's primary and deputy ADM (C&P: Helen Marsh decides for Cambridgeshire,
    # Peterborough has its own ADM, and each is the other's deputy).
    for adm in shape.adms:
        adm_id = await adm_account(adm.name, adm.email, adm.scope)
        for code in adm.primary_for:
            await assign(adm_id, code, AdmRole.PRIMARY, adm.title)
        for code in adm.deputy_for:
            await assign(adm_id, code, AdmRole.DEPUTY, adm.title)
    await _assign_agency_adms(shape.agency_adms)
    # The agency's head of service hears of every missed clock, with the panel advisers.
    await escalation.add(
        SYSTEM,
        {"name": shape.registered_manager, "email": shape.head_of_service_email, "title": ""},
    )
    members = {
        r["name"]: r["id"]
        for r in await PanelMember.select(PanelMember.id, PanelMember.person.name.as_alias("name"))
    }
    if len(members) < 8:
        return
    today = clock.today()
    adviser = await _actor("adviser@demo.example")
    await _reword_not_suitable(adviser)
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
    def slot_item(type_code: str, case: str, initials: str, slot: int) -> PlannedItem:
        return planned(shape, type_code, case, initials, slot)

    # The items' partners are slots of Shape.partner: in C&P odd ones are Peterborough's.
    plans = [
        (_working_back(today, 45), PANELS[0], [
            slot_item("adopter_approval", "ADP-2101", "J & K M", 1),
            slot_item("match", "CH-3301", "L R", 0),
            slot_item("adopter_approval", "ADP-2102", "S T", 2),
            slot_item("adopter_approval", "ADP-2103", "U & V W", 4),
            slot_item("should_be_placed", "CH-3302", "K B", 0),
        ]),
        (_working_back(today, 25), PANELS[1], [
            slot_item("adopter_approval", "ADP-2110", "A & B O", 3),
            slot_item("should_be_placed", "CH-3310", "E W", 5),
            slot_item("annual_report", "AR-2026", "", 0),
        ]),
        (_working_back(today, 6), PANELS[2], [
            slot_item("match", "CH-3320", "T N", 1),
            slot_item("adopter_approval", "ADP-2120", "R & P H", 0),
            slot_item("adopter_approval", "ADP-2121", "D F", 5),
        ]),
    ]  # fmt: skip
    outcomes = {
        "adopter_approval": "Suitable to adopt",
        "match": "Match",
        "should_be_placed": "Should be placed for adoption",
    }
    meeting_items: list[tuple[date, list[tuple[int, str]]]] = []
    for day, names, items in plans:
        panel = [members[name] for name in names]
        meeting_id, item_ids = await past_meeting(day, panel, panel[0], items, venue=shape.venue)
        await record.save_attendance(adviser, meeting_id, present_all(panel))
        chair_person = await _person_of(panel[0]) or 0
        chair_actor = await _actor_by_person(chair_person)
        for item_id, plan in zip(item_ids, items, strict=True):
            if plan.type_code == "annual_report":
                await record.record_item(adviser, item_id, {"action": "noted"})
                continue
            outcome = outcomes[plan.type_code]
            # Qualifying determinations, in the agency's own wording of "not suitable to adopt":
            # two decided before, one waiting for its ADM.
            if plan.case_reference in ("ADP-2102", "ADP-2103", "ADP-2121"):
                outcome = RENAMED_NOT_SUITABLE
            data: dict[str, Any] = {
                "action": "recommend",
                "outcome": outcome,
                "reasons": "The assessment is thorough and the panel was satisfied on "
                "every point it raised with the social worker.",
                f"view_{panel[1]}": "Agree: a clear and balanced report.",
                f"view_{panel[2]}": "Agree.",
            }
            if plan.case_reference == "ADP-2121":
                data |= {
                    f"view_{panel[2]}": "Would approve: the applicant's support network is "
                    "stronger than the report allows.",
                    f"dissent_{panel[2]}": "yes",
                }
            if plan.type_code == "adopter_approval":
                data |= {"number_of_children": "2", "age_range": "0 to 5", "sex": "Either"}
            if plan.type_code == "match":
                data |= {"contact": "Letterbox contact twice a year with the birth mother"}
            await record.record_item(adviser, item_id, data)
        _, minutes, _ = await record.minutes_of(meeting_id)
        await record.approve_minutes(chair_actor, chair_person, meeting_id, minutes["version"])
        # The minutes became final and reached the ADM on a working day after the meeting, as
        # they would have (a decision follows the final minutes).
        await _final_on(meeting_id, day, _working_after(day, 3))
        meeting_items.append(
            (day, [(i, p.case_reference) for i, p in zip(item_ids, items, strict=True)])
        )
        await _sent_before_panel(meeting_id, day, list(zip(item_ids, items, strict=True)))

    # CH-3310 and the newest meeting's items stay open in each ADM's queue.
    await _christmas_item(shape, [members[name] for name in PANELS[2]], adviser, today)
    # Letters are addressed: the adviser records who each referral's letters go to.
    await _addressees(adviser)
    # Decisions: the oldest meeting decided on time and late, letters out; one clock missed.
    await _decide("ADP-2101", 4, told=1, letter=3)
    await _decide("CH-3301", 12, told=2, letter=4, breach=(
        "adm_decision", "The ADM was on leave and the deputy was not told the item was waiting."
    ))  # fmt: skip
    await _decide("ADP-2102", 6, told=1, letter=2)
    await _decide("ADP-2103", 4, told=1, letter=2)
    await _decide("ADP-2110", 5, told=1, letter=None)
    # After the two qualifying determinations: representations awaiting the final decision, and
    # an IRM review whose recommendation came back and was followed by the final decision.
    await _after_determinations(adviser, today)
    # Should-be-placed decisions: K.B.'s mother was told a working day late (AAR reg 19(3):
    # orally within 2 working days), E.W.'s parents on time, orally and in writing.
    await _decide("CH-3302", 3, told=None, letter=None)
    await _tell_parents("CH-3302", told=5, letter=5)
    await _decide("CH-3310", 4, told=None, letter=None)
    await _tell_parents("CH-3310", told=1, letter=3)
    # Today's panel, nothing recorded yet: the adviser records it live. Its members are others
    # than those of the past panels, so nobody sits more often in a month than policy allows.
    todays = [members[name] for name in PANELS[3]]
    todays_items = [
        slot_item("adopter_approval", "ADP-2140", "G & H L", 1),
        slot_item("match", "CH-3340", "M P", 4),
        slot_item("adopter_approval", "ADP-2141", "N Q", 3),
    ]
    meeting_id, item_ids = await past_meeting(
        today, todays, members["Desmond Clarke"], todays_items, venue=shape.venue
    )
    # Today's papers went out two working days late (five are due), whatever the day of the week.
    await _sent_before_panel(
        meeting_id, today, list(zip(item_ids, todays_items, strict=True)), papers_before=3
    )
    await _next_panels_dates(shape, today)
    await OutboxMessage.update({OutboxMessage.sent_at: clock.now()}).where(
        OutboxMessage.sent_at.is_null()
    )
    await audit.record(SYSTEM, "create", "adm_demo", "", summary="demo ADMs, records, decisions")


async def _assign_agency_adms(people: tuple[DemoAdm, ...]) -> None:
    """The agency's own primary and deputy ADM, where the agency itself assesses adopters: the
    approvals of the adopters it assessed are theirs to decide. The first is the primary."""
    for n, adm in enumerate(people):
        person_id = await adm_account(adm.name, adm.email, (routing.AGENCY,))
        role = AdmRole.PRIMARY if n == 0 else AdmRole.DEPUTY
        await assign(person_id, routing.AGENCY, role, adm.title)


async def _christmas_item(shape: Shape, sitting: list[int], adviser: Any, today: date) -> None:
    # A panel on the Thursday before Christmas: its ADM decision clock runs over Christmas and New
    # Year. Shown from the new year's first weeks back to the Christmas just gone.
    day = _thursday_before_christmas(today.year if today.month == 12 else today.year - 1)
    if not day < today <= day + timedelta(days=60):
        # Not in this copy of the calendar: the representations window of ADP-2102 is the clock
        # that runs over Christmas instead, when the demo is built in the weeks before it.
        return
    meeting_id, item_ids = await past_meeting(
        day,
        sitting,
        sitting[0],
        [planned(shape, "adopter_approval", "ADP-2130", "C & D V", 3)],
        venue=shape.venue,
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
    await _final_on(meeting_id, day, _working_after(day, 3))


async def _final_on(meeting_id: int, meeting_day: date, day: date) -> None:
    """The minutes of a past meeting became final, and reached its ADMs, on `day`."""
    from panel.tables import Minutes

    await Minutes.update(
        {Minutes.finalised_at: datetime.combine(day, time(16), clock.LONDON)}
    ).where(Minutes.meeting == meeting_id)
    await Referral.update({Referral.received_on: day}).where(Referral.meeting_on == meeting_day)


async def _after_determinations(adviser: Any, today: date) -> None:
    from adm import final_decision

    pending = await Referral.select().where(Referral.item._.case_reference == "ADP-2102").first()
    if pending is not None and pending["letter_sent_on"]:
        received = _working_after(pending["letter_sent_on"], 30)
        if received <= today:
            await final_decision.record_response(
                adviser, pending["id"],
                {"response_kind": "representations", "received_on": received.isoformat(),
                 "representations_by": "Ms S Taylor, the applicant",
                 "version": str(pending["version"])},
            )  # fmt: skip
    row = await Referral.select().where(Referral.item._.case_reference == "ADP-2103").first()
    if row is None or not row["letter_sent_on"]:
        return
    applied = _working_after(row["letter_sent_on"], 5)
    recommended = _working_after(row["letter_sent_on"], 25)
    decided = _working_after(recommended, 3)
    if decided > today:
        return
    await final_decision.record_response(
        adviser, row["id"],
        {"response_kind": "irm", "received_on": applied.isoformat(),
         "irm_reference": "IRM/ADP/2026/0117", "version": str(row["version"])},
    )  # fmt: skip
    row = await services.referral(row["id"])
    await final_decision.record_recommendation(
        adviser, row["id"],
        {"source": "irm", "irm_recommended_on": recommended.isoformat(),
         "irm_recommendation": "The independent review panel recommends that Mr U W and Ms V W "
         "are suitable to adopt one child aged 2 to 6, with support for contact.",
         "version": str(row["version"])},
    )  # fmt: skip
    row = await services.referral(row["id"])
    await final_decision.final_decide(
        await _actor_by_person(row["adm"]), row["id"],
        {"final_outcome": "approve", "final_decided_on": decided.isoformat(),
         "final_reasons": "The independent review panel heard the applicants and their referees; "
         "its recommendation answers the agency's concern about contact, and I accept it.",
         "version": str(row["version"])},
    )  # fmt: skip


def _thursday_before_christmas(year: int) -> date:
    christmas = date(year, 12, 25)
    return christmas - timedelta(days=(christmas.weekday() - 3) % 7 or 7)


async def _decide(
    case: str,
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


async def _next_panels_dates(shape: Shape, today: date) -> None:
    """The next panel's applicants have their member list; the one after's PAR is with the
    applicants now, its comment window open."""
    cal = await services.working_calendar_between(today - timedelta(days=30), today)
    first, second, third = (reference(shape, n) for n in ("031", "032", "041"))
    rows = {
        r["case_reference"]: r["id"]
        for r in await AgendaItem.select(AgendaItem.id, AgendaItem.case_reference).where(
            AgendaItem.case_reference.is_in([first, second, third])
        )
    }
    facts: list[tuple[str, dict[Any, Any]]] = [
        (first, {ItemClockFacts.member_list_sent_on: add_working_days(today, -2, cal),
                 ItemClockFacts.par_sent_on: add_working_days(today, -9, cal),
                 ItemClockFacts.par_comments_received_on: add_working_days(today, -5, cal),
                 ItemClockFacts.stage_2_notice_on: today - timedelta(days=100)}),
        (second, {ItemClockFacts.member_list_sent_on: add_working_days(today, -2, cal)}),
        (third, {ItemClockFacts.par_sent_on: add_working_days(today, -2, cal)}),
    ]  # fmt: skip
    for case, dates in facts:
        if case in rows:
            await ItemClockFacts.insert(ItemClockFacts(dates, item=rows[case]))
    if first in rows:
        # Stage 2 paused for a fortnight while the applicants moved house: its deadline moved on.
        notice = today - timedelta(days=100)
        await ItemClockFacts.update(
            {
                ItemClockFacts.stage_2_pause_from: notice + timedelta(days=20),
                ItemClockFacts.stage_2_pause_to: notice + timedelta(days=33),
                ItemClockFacts.stage_2_pause_why: PauseGround.APPLICANTS_REQUEST.value,
                ItemClockFacts.stage_2_pause_reason: "They moved house",
            }
        ).where(ItemClockFacts.item == rows[first])


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
        adm_for_agency=any(g["role"] == Role.ADM and g["partner"] is None for g in grants),
    )
