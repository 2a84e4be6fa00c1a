"""A held meeting for ADM and meeting-record tests: eight members, three items, two councils."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adm import demo, services
from adm.rules.routing import AdmRole
from adm.tables import Addressee, Referral
from governance.auth import CurrentUser
from governance.roles import Role
from governance.tables import Agency
from panel.tables import PanelMember
from tests.conftest import make_account
from tests.panel import support

MEETING_DAY = date(2026, 12, 10)  # a Thursday; its clocks run into Christmas


@dataclass
class Held:
    meeting_id: int
    items: list[int]
    members: dict[str, int]
    chair: CurrentUser
    adviser: CurrentUser
    pcc_adm: CurrentUser
    ccc_adm: CurrentUser


def user(person: Any, *roles: Role, partners: tuple[int, ...] = ()) -> CurrentUser:
    return CurrentUser(
        account_id=person.account_id,
        person_id=person.person_id,
        name=person.name,
        email=person.email,
        roles=frozenset(roles),
        adm_partner_ids=frozenset(partners),
    )


async def held_meeting(
    agency: dict[str, int],
    day: date = MEETING_DAY,
    planned: list[demo.PlannedItem] | None = None,
) -> Held:
    members = await support.central_list()
    ids = list(members.values())
    meeting_id, items = await demo.past_meeting(
        day,
        ids,
        members["Clara"],
        planned
        or [
            demo.PlannedItem("adopter_approval", "ADP-1", "A B", "PCC"),
            demo.PlannedItem("match", "CH-2", "C D", "PCC"),
            demo.PlannedItem("adopter_approval", "ADP-3", "E F", "CCC"),
        ],
    )
    clara = (
        await PanelMember.select(PanelMember.person)
        .where(PanelMember.id == members["Clara"])
        .first()
    )
    assert clara is not None
    adviser = await make_account(Role.PANEL_ADVISER, name="Ann Adviser")
    pcc = await make_account(Role.ADM, name="Pat Peterborough", partners=(agency["PCC"],))
    ccc = await make_account(Role.ADM, name="Cam Cambs", partners=(agency["CCC"],))
    await demo.assign(pcc.person_id, "PCC", AdmRole.PRIMARY, "Assistant Director")
    await demo.assign(ccc.person_id, "CCC", AdmRole.PRIMARY)
    # Where representations are sent, as a notice letter must say (unless already set).
    await Agency.update(
        {Agency.address: "New Shire Hall\nAlconbury Weald", Agency.postcode: "PE28 4YE"}
    ).where(Agency.address == "")
    return Held(
        meeting_id,
        items,
        members,
        CurrentUser(
            0,
            clara["person"],
            "Clara Chair",
            "clara.chair@example.org",
            frozenset({Role.PANEL_MEMBER}),
        ),
        user(adviser, Role.PANEL_ADVISER),
        user(pcc, Role.ADM, partners=(agency["PCC"],)),
        user(ccc, Role.ADM, partners=(agency["CCC"],)),
    )


def recommendation(outcome: str = "Suitable to adopt", **extra: Any) -> dict[str, Any]:
    return {"action": "recommend", "outcome": outcome, "reasons": "A thorough report."} | extra


async def minutes_final_the_day_after(held: Held) -> date:
    """As if the chair had approved the minutes the day after the meeting: a decision may be
    dated from then on (the decision follows the final minutes)."""
    from datetime import timedelta

    from governance import clock
    from panel.tables import Meeting

    meeting = await Meeting.select(Meeting.starts_at).where(Meeting.id == held.meeting_id).first()
    assert meeting is not None
    day = clock.london(meeting["starts_at"]).date() + timedelta(days=1)
    await minutes_final_on(held.meeting_id, day)
    return day


async def minutes_final_on(meeting_id: int, day: date) -> None:
    """As if the chair had approved the meeting's minutes at 5 pm on `day`."""
    from datetime import datetime, time

    from governance import clock
    from panel.tables import Minutes

    await Minutes.update(
        {Minutes.finalised_at: datetime.combine(day, time(17), clock.LONDON)}
    ).where(Minutes.meeting == meeting_id)


# A couple, as the adviser records them for a referral's letters.
ADDRESSEE: dict[str, str] = {
    "first_title": "Ms",
    "first_forenames": "Aisha",
    "first_surname": "Khan",
    "second_title": "Mr",
    "second_forenames": "Imran",
    "second_surname": "Khan",
    "address": "27 Lincoln Road\nPeterborough",
    "postcode": "PE1 9ZK",
}


async def addressed(adviser: CurrentUser) -> None:
    """Every referral without an addressee gets the Khans."""
    for row in await Referral.select(Referral.id):
        if not await Addressee.exists().where(Addressee.referral == row["id"]):
            await services.save_addressee(adviser, row["id"], ADDRESSEE | {"version": "0"})
