"""The facts the go-live checklist is decided from, read from every area's records (here, as
adm may read governance and panel; governance.golive decides each line)."""

from __future__ import annotations

from datetime import date

from adm import services
from governance import clock, golive
from governance import services as gov_services
from governance.roles import Role
from governance.tables import ClosureDay, RoleGrant
from panel.tables import Meeting as PanelMeeting
from panel.tables import MeetingStatus, PanelMember, PanelPolicy


async def facts(today: date | None = None) -> golive.Facts:
    today = today or clock.today()
    agency = await gov_services.agency()
    partners = await services.partners()
    assesses = bool(agency and agency["assesses_adopters"])
    cover = services.cover(await services.assignments(), partners, assesses)
    advisers = await RoleGrant.count().where(
        (RoleGrant.role == Role.PANEL_ADVISER) & RoleGrant.account._.disabled.eq(False)
    )
    on_list = await PanelMember.count().where(
        PanelMember.leaving_on.is_null() | (PanelMember.leaving_on > today)
    )
    years = {row["day"].year for row in await ClosureDay.select(ClosureDay.day)}
    mail = await gov_services.mail_test_state()
    panels = await PanelMeeting.count().where(PanelMeeting.status != MeetingStatus.CANCELLED)
    return golive.Facts(
        agency=None
        if agency is None
        else golive.AgencyFacts(
            name=str(agency["name"]),
            address=str(agency["address"]),
            postcode=str(agency["postcode"]),
            telephone=str(agency["telephone"]),
            email=str(agency["email"]),
            registered_manager=str(agency["registered_manager"]),
            letterhead_footer=str(agency["letterhead_footer"]),
            has_logo=bool(agency["logo_key"]),
            assesses_adopters=assesses,
        ),
        partners=len(partners),
        cover=tuple(
            golive.Cover(c.body, c.primary is not None, bool(c.deputies))
            for c in cover
            if c.body != services.AGENCY_LABEL or assesses
        ),
        panel_advisers=int(advisers),
        central_list=int(on_list),
        policy_saved=await PanelPolicy.exists(),
        closure_years=frozenset(years),
        mail=None
        if mail is None
        else golive.MailFacts(mail.to_address, mail.sent, mail.received, mail.last_error),
        panels_scheduled=int(panels),
    )


async def checklist(today: date | None = None) -> tuple[golive.Line, ...]:
    today = today or clock.today()
    return golive.checklist(await facts(today), today)
