"""The agency's closure days (24 and 29-31 December 2026) never lengthen a statutory clock (AAR
reg 2), only its own; and the letter, the clocks page and the board give one last day for
representations or an IRM application: the 40th working day beginning with the day the notice
was sent (AAR reg 30B(5)(c))."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from docx import Document

from adm import services, timeliness
from adm.rules.clocks import ClockKind
from adm.tables import Referral
from governance.roles import Role
from governance.tables import ClosureDay
from tests.adm.support import Held, held_meeting
from tests.adm.test_meeting_to_decision import _final
from tests.conftest import make_account, sign_in_client

CLOSED = (date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31))
STATUTORY = "statutory working days (AAR reg 2: closure days still count)"


async def _closed_over_christmas() -> None:
    for day in CLOSED:
        await ClosureDay.insert(ClosureDay(day=day, reason="Agency closed over Christmas"))


async def _not_suitable_sent_on(held: Held, sent_on: date) -> dict[str, Any]:
    referrals = await _final(held)
    ref = referrals[held.items[2]]
    await services.decide(
        held.ccc_adm,
        ref["id"],
        {
            "verdict": "disagree",
            "outcome": "Not suitable to adopt",
            "decided_on": "2026-12-14",
            "reasons": "The panel did not weigh the health report.",
        },
    )
    fresh = await services.referral(ref["id"])
    await services.record_told(
        held.adviser,
        ref["id"],
        {
            "told_orally_on": "2026-12-15",
            "letter_sent_on": sent_on.isoformat(),
            "version": str(fresh["version"]),
        },
    )
    return await services.referral(ref["id"])


async def test_the_letter_and_the_clock_give_one_last_day_unmoved_by_closure_days_aar_reg_30b_5_c(
    agency,
) -> None:
    await _closed_over_christmas()
    held = await held_meeting(agency)
    ref = await _not_suitable_sent_on(held, date(2026, 12, 23))

    _, content = await services.letter(ref["id"])
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "within 40 working days beginning with the date this notice was sent" in text
    assert "that is by Friday 19 February 2027 at the latest" in text

    rows = await services.running_clocks(
        services.ClockFilter(kind=ClockKind.REPRESENTATIONS_OR_IRM), today=date(2027, 1, 15)
    )
    assert [(r.status.due_on, r.status.counted_in) for r in rows] == [
        (date(2027, 2, 19), f"{STATUTORY}, beginning with the day it starts (day 1)")
    ]


async def test_the_clocks_page_says_which_calendar_each_clock_counts_in(client, agency) -> None:
    await _closed_over_christmas()
    held = await held_meeting(agency)
    await _not_suitable_sent_on(held, date(2026, 12, 23))
    adviser = await make_account(Role.PANEL_ADVISER, name="Ada Adviser")
    await sign_in_client(client, adviser)

    window = (await client.get("/adm/clocks?kind=representations_or_irm")).text
    assert "ADP-3" in window and "19 February 2027" in window
    assert f"Counted in {STATUTORY}, beginning with the day it starts (day 1)" in window
    every = (await client.get("/adm/clocks?state=all")).text
    assert "Counted in agency working days (closure days excluded)" in every


async def test_a_closure_day_moves_the_final_minutes_but_not_the_adm_decision(agency) -> None:
    # Panel on 10 December 2026; the final minutes (10 agency working days) and the decision
    # (7 statutory working days from receipt on 22 December).
    await _closed_over_christmas()
    held = await held_meeting(agency)
    await _final(held)
    await Referral.update({Referral.received_on: date(2026, 12, 22)}).where(Referral.id > 0)
    rows = await services.running_clocks(services.ClockFilter(state="all"), today=date(2027, 1, 4))
    due = {r.kind: r.status.due_on for r in rows if r.case_reference.startswith("ADP-1")}
    assert due[ClockKind.ADM_DECISION] == date(2027, 1, 5)
    # 11, 14-18, 21-23 December and 4 January: 24 and 29-31 December closed, bank holidays.
    assert due[ClockKind.FINAL_MINUTES_TO_ADM] == date(2027, 1, 4)


async def test_the_board_counts_a_decision_late_that_only_closure_days_would_have_saved(
    agency,
) -> None:
    # Received 22 December 2026, due 5 January 2027 in statutory working days; decided on the
    # 6th, which counting the agency's closure days would have called on time.
    await _closed_over_christmas()
    held = await held_meeting(agency)
    referrals = await _final(held)
    ref = referrals[held.items[0]]
    await Referral.update({Referral.received_on: date(2026, 12, 22)}).where(
        Referral.id == ref["id"]
    )
    await services.decide(
        held.pcc_adm,
        ref["id"],
        {"verdict": "agree", "decided_on": "2027-01-06", "version": str(ref["version"])},
    )
    due = await timeliness.clocks_due(date(2027, 1, 1), date(2027, 3, 31))
    decided = [o for o in due if o.kind is ClockKind.ADM_DECISION and o.completed_on]
    assert [(o.due_on, o.completed_on) for o in decided] == [(date(2027, 1, 5), date(2027, 1, 6))]
