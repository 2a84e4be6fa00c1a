"""Which statutory clocks closed in a period and whether each was met: the board's timeliness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from adm import services
from adm.rules import clocks
from adm.rules.clocks import ClockKind, ClockState
from adm.tables import Referral
from governance import clock

# A referral's clocks close within months of its meeting (the last, telling applicants in writing,
# within days of the decision), so referrals from this far back can still close a clock.
_LOOKBACK = timedelta(days=240)


@dataclass(frozen=True, slots=True)
class ClosedClock:
    kind: ClockKind
    partner: str
    closed_on: date
    met: bool


async def clock_outcomes(first_day: date, last_day: date) -> list[ClosedClock]:
    rows = await services.referral_rows(
        (Referral.meeting_on >= first_day - _LOOKBACK) & (Referral.meeting_on <= last_day)
    )
    if not rows:
        return []
    notes = await services.clock_notes(r["id"] for r in rows)
    cals = await services.working_calendars_between(first_day - _LOOKBACK, last_day)
    today = clock.today()
    closed = []
    for row in rows:
        for item_clock in services.item_clocks(row, notes):
            done_on = item_clock.completed_on
            if done_on is None or not first_day <= done_on <= last_day:
                continue
            status = clocks.evaluate(item_clock, today, cals, clocks.DEFAULT_CLOCK_POLICY)
            if status.state in (ClockState.MET, ClockState.MISSED):
                closed.append(
                    ClosedClock(
                        item_clock.kind,
                        row["partner_name"],
                        done_on,
                        status.state is ClockState.MET,
                    )
                )
    return closed
