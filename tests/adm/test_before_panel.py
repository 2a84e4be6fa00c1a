"""The clocks before an item's panel (DOMAIN.md section 5): papers to members and the member list
counted back from the meeting, the applicants' window on their PAR, Stages 1 and 2, with the
dates the adviser records, the reasons for a miss, the clocks page and the escalation e-mail.
Today is Friday 15 January 2027 (tests/adm/conftest.py); the panel sits on Thursday 21 January,
so both clocks counted back from it (five working days: Thursday 14 January) were due yesterday."""

from __future__ import annotations

from datetime import date

import pytest

from adm import before_panel, services
from adm.rules.clocks import ClockKind, ClockState, ItemCategory
from adm.tables import ItemClockFacts
from governance.errors import Conflict, Invalid
from governance.roles import Role
from governance.tables import AuditEntry, OutboxMessage
from panel.tables import Agenda
from tests.adm.support import held_meeting

PANEL_DAY = date(2027, 1, 21)


def _states(found: before_panel.ItemClocks) -> dict[ClockKind, ClockState]:
    return {row.kind: row.status.state for row in found.rows}


async def test_clocks_counted_back_from_the_panel_are_missed_once_their_day_has_gone(
    agency,
) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    found = await before_panel.item_clocks(held.items[0])
    states = _states(found)
    assert states[ClockKind.PAPERS_TO_MEMBERS] is ClockState.MISSED
    assert states[ClockKind.MEMBER_LIST_TO_APPLICANTS] is ClockState.MISSED
    papers = next(r for r in found.rows if r.kind is ClockKind.PAPERS_TO_MEMBERS)
    assert papers.status.due_on == date(2027, 1, 14)
    assert papers.status.needs_breach_reason
    # Nothing recorded yet for the PAR or the stages: those clocks have not started.
    assert states[ClockKind.PAR_COMMENTS] is ClockState.NOT_STARTED
    assert states[ClockKind.STAGE_1] is ClockState.NOT_STARTED


async def test_papers_count_as_sent_on_the_day_the_agenda_was_published(agency) -> None:
    from datetime import datetime, time

    from governance import clock

    held = await held_meeting(agency, PANEL_DAY)
    await Agenda.insert(
        Agenda(
            meeting=held.meeting_id,
            published_at=datetime.combine(date(2027, 1, 13), time(16), clock.LONDON),
        )
    )
    found = await before_panel.item_clocks(held.items[0])
    assert _states(found)[ClockKind.PAPERS_TO_MEMBERS] is ClockState.MET


async def test_recorded_dates_start_and_stop_each_clock(agency) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    item = held.items[0]  # an adopter approval
    await before_panel.save_dates(
        held.adviser,
        item,
        0,
        {
            "member_list_sent_on": "13/01/2027",
            "par_sent_on": "2027-01-06",
            "stage_1_started_on": "2026-06-01",
            "stage_1_completed_on": "2026-08-14",
            "stage_2_notice_on": "2026-09-19",
        },
    )
    found = await before_panel.item_clocks(item)
    states = _states(found)
    assert states[ClockKind.MEMBER_LIST_TO_APPLICANTS] is ClockState.MET
    # The PAR window (five working days from 6 January) closed on 13 January with no comments:
    # the applicants' window, so no breach by the agency and no reason asked for.
    par = next(r for r in found.rows if r.kind is ClockKind.PAR_COMMENTS)
    assert par.status.state is ClockState.MISSED and not par.status.needs_breach_reason
    # Stage 1 ran two weeks past its two months; Stage 2 (four months from 19 September) is due
    # on Tuesday 19 January, two working days away: due soon.
    assert states[ClockKind.STAGE_1] is ClockState.MISSED
    stage_2 = next(r for r in found.rows if r.kind is ClockKind.STAGE_2)
    assert stage_2.status.state is ClockState.DUE_SOON
    assert stage_2.status.due_on == date(2027, 1, 19)
    assert found.facts["version"] == 1


async def test_bad_dates_are_refused_and_change_nothing(agency) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    item = held.items[0]
    for data, field, words in (
        ({"par_sent_on": "2027-01-16"}, "par_sent_on", "cannot be in the future"),
        ({"par_sent_on": "32/01/2027"}, "par_sent_on", "real date"),
        (
            {"par_sent_on": "2027-01-08", "par_comments_received_on": "2027-01-07"},
            "par_comments_received_on",
            "before the PAR was sent",
        ),
        (
            {"stage_1_started_on": "2026-08-01", "stage_1_completed_on": "2026-07-01"},
            "stage_1_completed_on",
            "cannot end before it began",
        ),
    ):
        with pytest.raises(Invalid) as refused:
            await before_panel.save_dates(held.adviser, item, 0, data)
        assert words in refused.value.errors[field]
    assert await ItemClockFacts.count() == 0


async def test_two_advisers_saving_dates_at_once_do_not_overwrite_each_other(agency) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    item = held.items[0]
    await before_panel.save_dates(held.adviser, item, 0, {"par_sent_on": "2027-01-06"})
    await before_panel.save_dates(held.adviser, item, 1, {"par_sent_on": "2027-01-07"})
    with pytest.raises(Conflict):
        await before_panel.save_dates(held.adviser, item, 1, {"par_sent_on": "2027-01-05"})
    row = await ItemClockFacts.select().first()
    assert row is not None and row["par_sent_on"] == date(2027, 1, 7)


async def test_a_match_asks_only_for_the_member_list(agency) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    found = await before_panel.item_clocks(held.items[1])
    assert found.category is ItemCategory.MATCH
    assert list(before_panel.fields_for(found.category)) == ["member_list_sent_on"]
    assert {r.kind for r in found.rows} == {
        ClockKind.PAPERS_TO_MEMBERS,
        ClockKind.MEMBER_LIST_TO_APPLICANTS,
    }


async def test_a_missed_clock_takes_a_reason_and_one_not_missed_refuses_it(agency) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    item = held.items[0]
    await before_panel.record_breach(
        held.adviser, item, "papers_to_members", "The medical adviser's report came late."
    )
    found = await before_panel.item_clocks(item)
    papers = next(r for r in found.rows if r.kind is ClockKind.PAPERS_TO_MEMBERS)
    assert not papers.status.needs_breach_reason
    assert "Breach accepted: The medical adviser's report came late." in papers.status.reason
    with pytest.raises(Conflict, match="has not been missed"):
        await before_panel.record_breach(held.adviser, item, "stage_2", "No reason")
    with pytest.raises(Invalid) as empty:
        await before_panel.record_breach(held.adviser, item, "member_list_to_applicants", " ")
    assert "breach_reason" in empty.value.errors


async def test_the_adviser_and_head_of_service_hear_of_a_missed_clock_before_panel_once(
    agency,
) -> None:
    from adm import escalation

    held = await held_meeting(agency, PANEL_DAY)
    await escalation.add(held.adviser, {"name": "Helen Head", "email": "helen@example.org"})
    await services.send_reminders(today=date(2027, 1, 15))
    await services.send_reminders(today=date(2027, 1, 15))
    subjects = [
        m["subject"]
        for m in await OutboxMessage.select().where(OutboxMessage.to_address == "helen@example.org")
    ]
    papers = [s for s in subjects if s == "Clock missed: Papers to panel members, ADP-1 (A B)"]
    assert len(papers) == 1


async def test_the_clocks_page_lists_clocks_before_panel_and_takes_a_reason(
    client, agency, sign_in
) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    item = held.items[0]
    await sign_in(Role.PANEL_ADVISER)
    # As the filter form sends it: "Any" authority and decision maker are empty values.
    page = await client.get("/adm/clocks?state=&kind=member_list_to_applicants&partner=&adm=")
    assert page.status_code == 200
    assert f'href="/adm/items/{item}/clocks"' in page.text
    assert "Panel member list to applicants" in page.text
    assert "Papers to panel members: not completed" not in page.text  # filtered out
    saved = await client.post(
        f"/adm/items/{item}/clocks/member_list_to_applicants/breach",
        data={"breach_reason": "The applicants asked for the list by post.", "back": "clocks"},
    )
    assert saved.status_code == 200
    assert "Breach accepted: The applicants asked for the list by post." in saved.text


async def test_the_item_clocks_page_records_dates_and_shows_errors(client, agency, sign_in) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    item = held.items[0]
    await sign_in(Role.PANEL_ADMINISTRATOR)
    page = await client.get(f"/adm/items/{item}/clocks")
    assert page.status_code == 200
    assert "Clocks before panel: ADP-1 (A B)" in page.text
    assert "Why was it missed?" not in page.text  # an administrator cannot accept a breach
    bad = await client.post(
        f"/adm/items/{item}/clocks", data={"version": "0", "par_sent_on": "tomorrow"}
    )
    assert bad.status_code == 422
    assert "There is a problem" in bad.text and 'href="#par_sent_on"' in bad.text
    assert await ItemClockFacts.count() == 0
    good = await client.post(
        f"/adm/items/{item}/clocks",
        data={"version": "0", "par_sent_on": "2027-01-14", "member_list_sent_on": ""},
    )
    assert good.status_code == 200 and "open until" in good.text
    stale = await client.post(
        f"/adm/items/{item}/clocks", data={"version": "0", "par_sent_on": "2027-01-13"}
    )
    assert stale.status_code == 409
    row = await ItemClockFacts.select().first()
    assert row is not None and row["par_sent_on"] == date(2027, 1, 14)
    assert await AuditEntry.exists().where(AuditEntry.record_type == "item_clock_dates")
    refused = await client.post(
        f"/adm/items/{item}/clocks/papers_to_members/breach", data={"breach_reason": "Late"}
    )
    assert refused.status_code == 403


async def test_the_clocks_page_leaves_met_clocks_out_until_asked(agency) -> None:
    held = await held_meeting(agency, PANEL_DAY)
    await before_panel.save_dates(
        held.adviser, held.items[0], 0, {"member_list_sent_on": "2027-01-13"}
    )

    def member_list(rows: list[services.ClockRow]) -> list[ClockState]:
        return [
            r.status.state
            for r in rows
            if r.item_id == held.items[0] and r.kind is ClockKind.MEMBER_LIST_TO_APPLICANTS
        ]

    assert member_list(await services.running_clocks(services.ClockFilter())) == []
    for state in ("met", services.ALL_STATES):
        shown = await services.running_clocks(services.ClockFilter(state=state))
        assert member_list(shown) == [ClockState.MET]
