"""Two years of a fictional partnership board for the demo agency, in any shape of the demo
(governance/shapes.py): C&P's around its published figures, the others' illustrative."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from board.rules import attendance as attendance_rules
from board.rules.actions import ActionStatus
from board.rules.attendance import Attendance
from board.rules.indicators import Figure, Quarter, quarters_from
from board.services import (
    DEFAULT_POLICY,
    _mark_key,
    _period_key,
    _rule_member,
    last_complete_quarter,
    partner_names,
)
from board.tables import (
    BoardAction,
    BoardActionUpdate,
    BoardAgendaItem,
    BoardAttendance,
    BoardDecision,
    BoardMeeting,
    BoardMember,
    BoardPolicy,
    ComparisonFigure,
    FundingPlan,
    Indexation,
    MeetingStatus,
    PartnershipAgreement,
    QuarterFigures,
    ScorecardChild,
    Seat,
)
from governance import audit, clock, shapes
from governance.audit import SYSTEM
from governance.shapes import Shape
from governance.tables import Partner, Person

P, A, D, X = (
    Attendance.PRESENT,
    Attendance.APOLOGIES,
    Attendance.DEPUTY_SENT,
    Attendance.ABSENT,
)

# A shape's attendance letters (governance.shapes.Shape.attendance)
MARKS = {"P": P, "A": A, "D": D, "X": X}

AGENDA = (
    "Welcome, apologies and declarations",
    "Minutes of the last meeting",
    "Quarterly performance report",
    "Finance update and budget monitoring",
    "Risk register",
    "Adoption support and the Adoption Support Fund",
    "Any other business",
)

# (meeting index, description, owner index, due in days after the meeting, final status)
ACTIONS: list[tuple[int, str, int, int, ActionStatus]] = [
    (0, "Agree the format of the quarterly performance report", 6, 60, ActionStatus.DONE),
    (0, "Circulate the draft risk register to partners", 6, 30, ActionStatus.DONE),
    (1, "Report on adopter sufficiency for sibling groups", 4, 80, ActionStatus.DONE),
    (2, "Confirm the 2025-26 pay award indexation with finance", 2, 45, ActionStatus.DONE),
    (3, "Review membership of the board against the terms of reference", 0, 70, ActionStatus.DONE),
    (3, "Scope an early permanence campaign with {councils}", 4, 90, ActionStatus.DROPPED),
    (4, "Bring proposals to improve attendance from {weak_place}", 1, 60, ActionStatus.IN_PROGRESS),
    (5, "Report on Stage 1 conversion against the regional rate", 6, 50, ActionStatus.OPEN),
    (5, "Update the board on Adoption Support Fund spend", 3, 70, ActionStatus.IN_PROGRESS),
    (6, "Prepare options for the partnership agreement review", 0, 200, ActionStatus.OPEN),
    (
        6,
        "Audit recruitment events for adopters from minority ethnic groups",
        5,
        80,
        ActionStatus.DONE,
    ),
    (7, "Present the {next_fy} budget proposal", 2, 0, ActionStatus.OPEN),
    (7, "Refresh the adopter voice action plan", 7, 0, ActionStatus.OPEN),
    (7, "Agree the board's annual report timetable", 1, 0, ActionStatus.OPEN),
]

DECISIONS = [
    (0, "The board approved the {fy_2} risk register."),
    (2, "The board agreed the {fy_1} budget and the {shares} share of funding."),
    (4, "The board agreed to commission an independent review of Stage 1 conversion."),
    (6, "The board approved the annual report of the agency for publication."),
    (7, "The board agreed to begin the review of the partnership agreement in October {year}."),
]

# C&P's April-December 2022 report (source 001), per partner and quarter (CCC, PCC): the sums over
# the three quarters are the report's figures (enquiries 222, Stage 1 applications 31, approvals
# 23, children placed 35, early permanence 13, adoption orders 40, new plans 50). At 31 December
# 2022 the report counts 43 children waiting with a placement order or a plan, 19 of them
# Peterborough's, and "a further 11 children linked for adoption"; it names "21 adopters available
# for 32 children" (43 less the 11 linked) and prints "-16%" beside them as the adopter gap. Those
# numbers give (21 - 32) / 32 = -34 %, not -16 %: the service works the gap out from its inputs
# and shows the formula, never the quoted figure. The split of the 32 and the 21 between the
# partners, and the waiting counts at the end of June and September, are not in the report and
# are illustrative; the adopter gap's own counts were not asked for before 2022-23 Q3 (None).
CP_2022: dict[Figure, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    Figure.ENQUIRIES: ((55, 20), (52, 23), (50, 22)),
    Figure.STAGE_1_APPLICATIONS: ((8, 3), (7, 3), (7, 3)),
    Figure.ADOPTER_APPROVALS: ((6, 2), (5, 2), (6, 2)),
    Figure.CHILDREN_PLACED: ((9, 3), (8, 4), (8, 3)),
    Figure.EARLY_PERMANENCE_PLACEMENTS: ((3, 1), (3, 1), (4, 1)),
    Figure.ADOPTION_ORDERS: ((10, 4), (9, 4), (9, 4)),
    Figure.SHOULD_BE_PLACED_DECISIONS: ((12, 5), (11, 5), (12, 5)),
    Figure.CHILDREN_WAITING: ((26, 15), (25, 17), (24, 19)),
    Figure.APPROVED_ADOPTERS_WAITING: ((17, 7), (16, 7), (18, 8)),
    Figure.SUPPORT_REFERRALS_ADOPTIVE: ((21, 8), (19, 9), (23, 8)),
    Figure.SUPPORT_REFERRALS_SGO: ((9, 5), (11, 4), (10, 6)),
    Figure.ADULT_REFERRALS: ((4, 2), (3, 1), (5, 2)),
    Figure.INITIAL_ASSESSMENTS_COMPLETED: ((25, 10), (24, 12), (27, 11)),
}
CP_2022_UNMATCHED: dict[Figure, tuple[tuple[int, int] | None, ...]] = {
    Figure.CHILDREN_WAITING_UNMATCHED: (None, None, (18, 14)),
    Figure.ADOPTERS_WAITING_UNMATCHED: (None, None, (15, 6)),
}
CP_2022_ASF = ((Decimal("98450.00"), Decimal("41200.50")),) * 3

# Typical quarterly figures of a larger and a smaller council (C&P: CCC, PCC) for the other
# quarters, scaled to each shape's councils (DemoPartner.profile and .scale) and varied a little.
TYPICAL: dict[Figure, tuple[int, int]] = {
    Figure.ENQUIRIES: (52, 22),
    Figure.STAGE_1_APPLICATIONS: (7, 3),
    Figure.ADOPTER_APPROVALS: (6, 2),
    Figure.CHILDREN_PLACED: (8, 3),
    Figure.EARLY_PERMANENCE_PLACEMENTS: (3, 1),
    Figure.ADOPTION_ORDERS: (9, 4),
    Figure.SHOULD_BE_PLACED_DECISIONS: (11, 5),
    Figure.CHILDREN_WAITING: (24, 10),
    Figure.APPROVED_ADOPTERS_WAITING: (15, 6),
    Figure.CHILDREN_WAITING_UNMATCHED: (17, 7),
    Figure.ADOPTERS_WAITING_UNMATCHED: (12, 5),
    Figure.SUPPORT_REFERRALS_ADOPTIVE: (21, 8),
    Figure.SUPPORT_REFERRALS_SGO: (10, 5),
    Figure.ADULT_REFERRALS: (4, 2),
    Figure.INITIAL_ASSESSMENTS_COMPLETED: (25, 11),
}


def _wobble(key: str, value: int) -> int:
    # Deterministic variation of up to 15 % either way, so every load shows the same figures.
    percent = int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 31 - 15
    return max(0, value + round(value * percent / 100))


def _second_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 7)


def meeting_days(today: date, held: int = 8) -> tuple[list[date], date]:
    """The last `held` quarterly meetings (March, June, September, December) and the next one."""
    days = sorted(
        _second_thursday(year, month)
        for year in range(today.year - held // 4 - 2, today.year + 2)
        for month in (3, 6, 9, 12)
    )
    past = [d for d in days if d < today][-held:]
    upcoming = next(d for d in days if d > today)
    return past, upcoming


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), clock.LONDON)


async def load(shape: Shape | None = None) -> None:
    if await BoardMember.exists():
        return
    shape = shape or await shapes.loaded()
    today = clock.today()
    partners = {p["code"]: p for p in await Partner.select()}
    if not {p.code for p in shape.partners} <= set(partners):
        return
    await BoardPolicy.insert(
        BoardPolicy(
            version=1,
            attendance_threshold_percent=DEFAULT_POLICY.attendance.threshold_percent,
            attendance_window_months=DEFAULT_POLICY.attendance.window_months,
            changed_by="Demo",
        )
    )
    person_ids: dict[str, int] = {}
    deputies = [(m.deputy, m.deputy_email) for m in shape.board if m.deputy]
    for name, email in [(m.name, m.email) for m in shape.board] + deputies:
        row = await Person.select(Person.id).where(Person.email == email).first()
        if row is None:
            row = (await Person.insert(Person(name=name, email=email)).returning(Person.id))[0]
        person_ids[name] = row["id"]
    past, upcoming = meeting_days(today)
    term_start = past[0] - timedelta(days=60)
    member_ids = []
    for member in shape.board:
        inserted = await BoardMember.insert(
            BoardMember(
                person=person_ids[member.name],
                partner=partners[member.partner]["id"] if member.partner else None,
                seat=Seat(member.seat),
                seat_note=member.note,
                deputy=person_ids[member.deputy] if member.deputy else None,
                starts_on=term_start,
            )
        ).returning(BoardMember.id)
        member_ids.append(inserted[0]["id"])
    rule_members = [
        _rule_member(
            {
                "id": member_ids[i],
                "name": m.name,
                "partner_name": partners[m.partner]["name"] if m.partner else None,
                "seat": Seat(m.seat),
            }
        )
        for i, m in enumerate(shape.board)
    ]
    names = await partner_names()
    meeting_ids = []
    for index, day in enumerate([*past, upcoming]):
        held = index < len(past)
        marks = (
            dict(zip(member_ids, [MARKS[c] for c in shape.attendance[index]], strict=True))
            if held
            else {}
        )
        verdict = (
            attendance_rules.board_quorum(rule_members, names, marks, DEFAULT_POLICY.quorum)
            if held
            else None
        )
        approved = past[index + 1] if index + 1 < len(past) else None
        inserted = await BoardMeeting.insert(
            BoardMeeting(
                title="Partnership board",
                starts_at=_at(day, 10),
                ends_at=_at(day, 12),
                location=shape.board_location,
                status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
                minutes=(
                    "Minutes of the partnership board (fictional demo). The board received the "
                    "quarterly performance report, the finance update and the risk register."
                )
                if held
                else "",
                minutes_approved_on=approved,
                attendance_version=1 if held else 0,
                quorate=verdict.quorate if verdict else None,
                quorum_shortfalls="\n".join(verdict.shortfalls) if verdict else "",
                quorum_policy_version=1 if held else None,
            )
        ).returning(BoardMeeting.id)
        meeting_id = inserted[0]["id"]
        meeting_ids.append(meeting_id)
        await BoardAgendaItem.insert(
            *[
                BoardAgendaItem(meeting=meeting_id, position=pos, title=title)
                for pos, title in enumerate(AGENDA, start=1)
            ]
        )
        if held:
            await BoardAttendance.insert(
                *[
                    BoardAttendance(
                        meeting=meeting_id,
                        member=mid,
                        mark_key=_mark_key(meeting_id, mid),
                        attendance=mark,
                        deputy_name=(shape.board[i].deputy or "A deputy") if mark is D else "",
                    )
                    for i, (mid, mark) in enumerate(marks.items())
                ]
            )
    await _actions(shape, past, meeting_ids, person_ids, today)
    for index, summary in DECISIONS:
        summary = _dated(summary, today, shape)
        day = past[index]
        await BoardDecision.insert(
            BoardDecision(
                meeting=meeting_ids[index],
                reference=f"PB-{day:%Y-%m-%d}-01",
                summary=summary,
                decided_on=day,
            )
        )
    await _figures(shape, partners, today)
    await _scorecard_children(shape, partners, today)
    await _funding(shape, today)
    await audit.record(SYSTEM, "create", "board_demo", "", summary="demo partnership board loaded")


async def _actions(
    shape: Shape, past: list[date], meeting_ids: list[int], person_ids: dict[str, int], today: date
) -> None:
    last = past[-1]
    # The newest meeting's actions fall due around now: one overdue, two due within a fortnight.
    recent_due = [today - timedelta(days=9), today + timedelta(days=5), today + timedelta(days=11)]
    recent = 0
    for meeting_index, text, owner_index, due_in, status in ACTIONS:
        text = _dated(text, today, shape)
        raised = past[meeting_index]
        if raised == last:
            due = recent_due[recent]
            recent += 1
        else:
            due = raised + timedelta(days=due_in)
        closed = status in (ActionStatus.DONE, ActionStatus.DROPPED)
        closed_on = min(due - timedelta(days=3), today) if closed else None
        inserted = await BoardAction.insert(
            BoardAction(
                meeting=meeting_ids[meeting_index],
                description=text,
                owner=person_ids[shape.board[owner_index].name],
                due_on=due,
                status=status,
                raised_on=raised,
                closed_on=closed_on,
            )
        ).returning(BoardAction.id)
        action_id = inserted[0]["id"]
        updates = [
            BoardActionUpdate(
                action=action_id,
                on=raised,
                status=ActionStatus.OPEN,
                note="Action raised",
                by="Demo",
            )
        ]
        if status is not ActionStatus.OPEN:
            updates.append(
                BoardActionUpdate(
                    action=action_id,
                    on=closed_on or min(raised + timedelta(days=20), today),
                    status=status,
                    note={
                        ActionStatus.DONE: "Reported to the board; action complete.",
                        ActionStatus.DROPPED: "Superseded by the regional campaign.",
                        ActionStatus.IN_PROGRESS: "Work started; update at the next meeting.",
                    }[status],
                    by=shape.board[owner_index].name,
                )
            )
        await BoardActionUpdate.insert(*updates)


def _figure_rows(shape: Shape, partners: dict[str, Any], today: date) -> list[QuarterFigures]:
    rows = []
    first = Quarter(2022, 1)
    for quarter in quarters_from(first, last_complete_quarter(today)):
        for column, partner in enumerate(shape.partners):
            code = partner.code
            values: dict[str, Any] = {}
            if shape.published_2022 and quarter.year == 2022 and quarter.number <= 3:
                for figure, by_quarter in CP_2022.items():
                    values[figure.value] = by_quarter[quarter.number - 1][column]
                for figure, maybe in CP_2022_UNMATCHED.items():
                    pair = maybe[quarter.number - 1]
                    values[figure.value] = None if pair is None else pair[column]
                values[Figure.ASF_VALUE_APPROVED.value] = CP_2022_ASF[quarter.number - 1][column]
            else:
                for figure, typical in TYPICAL.items():
                    values[figure.value] = _wobble(
                        f"{quarter.label}{code}{figure.value}", _scaled(partner, typical)
                    )
                values[Figure.STAGE_1_APPLICATIONS.value] = min(
                    values[Figure.STAGE_1_APPLICATIONS.value], values[Figure.ENQUIRIES.value]
                )
                # Of those waiting, the unmatched cannot be more than all of them.
                for part, whole in (
                    (Figure.CHILDREN_WAITING_UNMATCHED, Figure.CHILDREN_WAITING),
                    (Figure.ADOPTERS_WAITING_UNMATCHED, Figure.APPROVED_ADOPTERS_WAITING),
                ):
                    values[part.value] = min(values[part.value], values[whole.value])
                values[Figure.ASF_VALUE_APPROVED.value] = Decimal(
                    _wobble(f"{quarter.label}{code}asf", _scaled(partner, (95000, 40000)))
                ) + Decimal("0.50")
            partner_id = partners[code]["id"]
            rows.append(
                QuarterFigures(
                    partner=partner_id,
                    year=quarter.year,
                    quarter=quarter.number,
                    period_key=_period_key(partner_id, quarter),
                    source="demo",
                    entered_by="Demo",
                    **values,
                )
            )
    return rows


def _scaled(partner: shapes.DemoPartner, typical: tuple[int, int]) -> int:
    return round(typical[partner.profile] * partner.scale / 100)


async def _figures(shape: Shape, partners: dict[str, Any], today: date) -> None:
    await QuarterFigures.insert(*_figure_rows(shape, partners, today))
    comparisons = []
    # Source 001 quotes the ASGLB's adopter gap at the end of 2022-23 Q2: +68 % for England and
    # +166 % for the Eastern region, an excess of adopters. Those two are entered as quoted; the
    # other quarters' comparison figures are illustrative, around them.
    quoted = {("national", Quarter(2022, 2)): 68, ("regional", Quarter(2022, 2)): 166}
    for quarter in quarters_from(Quarter(2022, 1), last_complete_quarter(today)):
        for scope, conversion, gap in (("national", 12, 68), ("regional", 13, 166)):
            for indicator, value in (("conversion", conversion), ("adopter_gap", gap)):
                exact = quoted.get((scope, quarter)) if indicator == "adopter_gap" else None
                comparisons.append(
                    ComparisonFigure(
                        scope=scope,
                        indicator=indicator,
                        year=quarter.year,
                        quarter=quarter.number,
                        comparison_key=f"{scope}:{indicator}:{quarter.year}Q{quarter.number}",
                        percent=Decimal(exact)
                        if exact is not None
                        else Decimal(value)
                        + _wobble(f"{quarter.label}{scope}{indicator}", 20)
                        - 20,
                        source="ASGLB end of Q2 2022-23, as quoted in the C&P scrutiny report"
                        if exact is not None
                        else "Illustrative figures for the demo",
                    )
                )
    await ComparisonFigure.insert(*comparisons)


def _spread(key: str, low: int, high: int) -> int:
    return low + int(hashlib.sha256(key.encode()).hexdigest()[:6], 16) % (high - low + 1)


def _scorecard_child_rows(
    shape: Shape, partners: dict[str, Any], today: date
) -> list[ScorecardChild]:
    """Synthetic children (no names, no references to a real child): 30 adopted over the last
    three years and 10 waiting, with some dates missing so the dashboard names them."""
    rows = []
    for n in range(40):
        code = shape.partner(0 if n % 3 != 2 else 1).code
        key = f"child-{n}"
        waiting = n >= 30
        if waiting:
            # Waiting now: entered care 9 to 26 months ago, so some have waited 18 months or more.
            entered = today - timedelta(days=_spread(key + "care", 270, 790))
            order = entered + timedelta(days=_spread(key + "order", 150, 250))
            dates: dict[str, Any] = {"entered_care_on": entered, "placement_order_on": order}
        else:
            adopted = today - timedelta(days=15 + n * 35 + _spread(key + "adopted", 0, 20))
            moved_in = adopted - timedelta(days=_spread(key + "moved", 120, 240))
            matched = moved_in - timedelta(days=_spread(key + "matched", 14, 50))
            order = matched - timedelta(days=_spread(key + "po", -20, 200))
            entered = order - timedelta(days=_spread(key + "care", 150, 330))
            dates = {
                "entered_care_on": entered,
                "placement_order_on": order,
                "match_decided_on": matched,
                "moved_in_on": moved_in,
                "adoption_order_on": adopted,
            }
            if n in (4, 17):  # adopted by their foster carers, after a fostering placement
                dates["adopted_by_foster_carers"] = True
                dates["fostered_from"] = entered + timedelta(days=_spread(key + "foster", 10, 40))
        # Gaps in the record, named on the dashboard: a date of entering care and a match date
        # never found, and a foster carer adoption without its fostering date.
        if n in (7, 33):
            dates["entered_care_on"] = None
        if n == 11:
            dates["match_decided_on"] = None
        if n == 17:
            dates["fostered_from"] = None
        rows.append(ScorecardChild(partner=partners[code]["id"], entered_by="Demo", **dates))
    return rows


async def _scorecard_children(shape: Shape, partners: dict[str, Any], today: date) -> None:
    await ScorecardChild.insert(*_scorecard_child_rows(shape, partners, today))


def _dated(text: str, today: date, shape: Shape) -> str:
    """A demo text's years, relative to the day the demo is built for (years from April), and
    its councils."""
    fy = today.year if today.month >= 4 else today.year - 1

    def label(start: int) -> str:
        return f"{start}-{(start + 1) % 100:02d}"

    weak = shape.board[5].partner  # the member under the attendance threshold
    return text.format(
        fy_2=label(fy - 2),
        fy_1=label(fy - 1),
        next_fy=label(fy + 1),
        year=today.year,
        councils=shape.councils,
        shares=shape.share_text,
        weak_place=next((p.place for p in shape.partners if p.code == weak), "a partner"),
    )


def _next_31_march(today: date) -> date:
    due = date(today.year, 3, 31)
    return due if today <= due else date(today.year + 1, 3, 31)


async def _funding(shape: Shape, today: date) -> None:
    await FundingPlan.insert(
        FundingPlan(base_year=2021, base_budget=shape.base_budget, last_year=today.year + 1)
    )
    await Indexation.insert(
        *[
            Indexation(
                financial_year=year, percent=Decimal(rate), basis="Local government pay award"
            )
            for year, rate in (
                (2022, "4.0"),
                (2023, "5.5"),
                (2024, "3.5"),
                (2025, "3.2"),
                *(
                    (later, "3.0" if later == 2026 else "2.5")
                    for later in range(2026, today.year + 2)
                ),
            )
        ]
    )
    await PartnershipAgreement.insert(
        PartnershipAgreement(
            title=shape.agreement_title,
            term_ends_on=shape.agreement_ends_on,
            review_window_months=6,
            reviews_due_on=f"2022-03-31,{_next_31_march(today).isoformat()}",
        )
    )
