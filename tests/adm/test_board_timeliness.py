"""The board's timeliness counts every clock due in a quarter: a quarter that ends with ADM
decisions overdue and undecided shows them as missed and open, not as nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from adm import services
from adm.rules.clocks import ClockKind
from adm.tables import ItemClockFacts, Referral
from board import services as board_services
from board.rules.indicators import Outcome, Quarter, timeliness
from governance.roles import Role
from tests.adm.support import Held, held_meeting
from tests.adm.test_meeting_to_decision import _final
from tests.conftest import make_account, sign_in_client

Q3 = Quarter(2026, 3)  # October to December 2026; the tests run on 15 January 2027


async def _two_of_three_undecided(agency: dict[str, int]) -> None:
    await _two_of_three_undecided_for(await held_meeting(agency))


async def _two_of_three_undecided_for(held: Held) -> None:
    # The panel of 10 December 2026 sent three items to their ADMs on 14 December: each decision
    # was due by 23 December (7 statutory working days). One was made on 18 December; the other
    # two were still not made when the quarter ended.
    referrals = await _final(held)
    await Referral.update({Referral.received_on: date(2026, 12, 14)}).where(Referral.id > 0)
    first = referrals[held.items[0]]
    await services.decide(
        held.pcc_adm,
        first["id"],
        {"verdict": "agree", "decided_on": "2026-12-18", "version": str(first["version"])},
    )


async def test_a_quarter_that_ends_with_decisions_overdue_and_undecided_counts_them_missed(
    agency: dict[str, int],
) -> None:
    await _two_of_three_undecided(agency)
    outcomes = await board_services.adm_clock_outcomes(Q3, Q3.next(), date(2027, 1, 15))
    assert outcomes is not None
    decisions = sorted(
        (o.partner, o.outcome) for o in outcomes if o.clock is ClockKind.ADM_DECISION
    )
    assert decisions == [
        ("Cambridgeshire County Council", Outcome.MISSED_OPEN),
        ("Peterborough City Council", Outcome.MET),
        ("Peterborough City Council", Outcome.MISSED_OPEN),
    ]
    shares = {
        (t.partner, t.quarter): t for t in timeliness(outcomes) if t.clock is ClockKind.ADM_DECISION
    }
    pcc = shares[("Peterborough City Council", Q3)]
    assert (pcc.due, pcc.met, pcc.missed, pcc.missed_open, pcc.shown) == (2, 1, 0, 1, "50%")


async def test_stage_2_is_counted_with_the_other_clocks_in_the_quarter_it_falls_due(
    agency: dict[str, int],
) -> None:
    # ADP-1 gave notice to start Stage 2 on 1 August 2026: the decision was due by 1 December
    # (4 months, AAR reg 30B(1)) and made on 18 December, late. ADP-3's notice of 3 September
    # makes its Stage 2 due on 3 January 2027, in the next quarter, still undecided.
    held = await held_meeting(agency)
    await _two_of_three_undecided_for(held)
    await ItemClockFacts.insert(
        ItemClockFacts(item=held.items[0], stage_2_notice_on=date(2026, 8, 1)),
        ItemClockFacts(item=held.items[2], stage_2_notice_on=date(2026, 9, 3)),
    )
    outcomes = await board_services.adm_clock_outcomes(Q3, Q3.next(), date(2027, 1, 15))
    assert outcomes is not None
    stage_2 = sorted(
        (o.quarter.label, o.partner, o.outcome) for o in outcomes if o.clock is ClockKind.STAGE_2
    )
    assert stage_2 == [
        ("2026-27 Q3", "Peterborough City Council", Outcome.MISSED),
        ("2026-27 Q4", "Cambridgeshire County Council", Outcome.MISSED_OPEN),
    ]


async def test_the_dashboard_shows_the_last_quarter_beside_the_quarter_to_date(
    client: Any, agency: dict[str, int]
) -> None:
    await _two_of_three_undecided(agency)
    chair = await make_account(Role.BOARD_CHAIR, name="Bea Chair")
    await sign_in_client(client, chair)
    page = await client.get("/board")
    assert page.status_code == 200
    table = page.text.split('id="timeliness-table"')[1].split("</table>")[0]
    assert ">2026-27 Q3</th>" in table
    assert ">2026-27 Q4 to 14 Jan 2027</th>" in table  # to the end of yesterday
    assert "<strong>50%</strong> of 2 due" in table
    assert "1 met, 0 missed, 1 missed and open" in table
    assert "<strong>0%</strong> of 1 due" in table  # Cambridgeshire's one decision, not made


async def test_an_earlier_quarter_is_counted_though_its_item_came_to_panel_years_later(
    agency: dict[str, int],
) -> None:
    # Stage 1 of ADP-1 began on 1 May 2024 and ended on 15 July, two weeks late (due 1 July);
    # its panel sat in December 2026. A report on 2024-25 Q1 and Q2 counts it in Q2.
    held = await held_meeting(agency)
    await ItemClockFacts.insert(
        ItemClockFacts(
            item=held.items[0],
            stage_1_started_on=date(2024, 5, 1),
            stage_1_completed_on=date(2024, 7, 15),
        )
    )
    outcomes = await board_services.adm_clock_outcomes(
        Quarter(2024, 1), Quarter(2024, 2), date(2027, 1, 15)
    )
    assert outcomes is not None
    assert [(o.clock, o.quarter.label, o.outcome) for o in outcomes] == [
        (ClockKind.STAGE_1, "2024-25 Q2", Outcome.MISSED)
    ]
