"""When each statutory or guidance clock on a panel item falls due, and whether it was kept."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from governance.rules.workdays import (
    CalendarKind,
    Calendars,
    WorkingCalendar,
    add_months,
    add_working_days,
    last_of_working_days_beginning_with,
    long_date,
    working_days_between,
)
from panel.rules.outcomes import Category as ItemCategory


class ClockKind(StrEnum):
    PAPERS_TO_MEMBERS = "papers_to_members"
    MEMBER_LIST_TO_APPLICANTS = "member_list_to_applicants"
    PAR_COMMENTS = "par_comments"
    FINAL_MINUTES_TO_ADM = "final_minutes_to_adm"
    ADM_DECISION = "adm_decision"
    TOLD_ORALLY = "told_orally"
    TOLD_IN_WRITING = "told_in_writing"
    PARENTS_TOLD_ORALLY = "parents_told_orally"
    PARENTS_TOLD_IN_WRITING = "parents_told_in_writing"
    REPRESENTATIONS_OR_IRM = "representations_or_irm"
    FINAL_DECISION = "final_decision"  # after representations, the IRM or the panel again
    # Fostering for adoption carers are approved as foster carers: 28 days, not 40 working days.
    FOSTERING_REPRESENTATIONS_OR_IRM = "fostering_representations_or_irm"
    STAGE_1 = "stage_1"
    STAGE_2_NOTICE = "stage_2_notice"
    STAGE_2 = "stage_2"
    PANEL_FEEDBACK = "panel_feedback"


class ClockState(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    DUE_SOON = "due_soon"
    MET = "met"
    MISSED = "missed"
    PAUSED = "paused"


class OwedBy(StrEnum):
    AGENCY = "agency"
    APPLICANTS = "applicants"


__all__ = ["ItemCategory"]  # kept with the item type (panel.rules.outcomes.Category)


# Their deadline lies before the day they are counted from: the meeting.
COUNTED_BACK_FROM_MEETING = frozenset(
    {ClockKind.PAPERS_TO_MEMBERS, ClockKind.MEMBER_LIST_TO_APPLICANTS}
)

# Windows given to the applicants: when one closes the agency has broken nothing.
APPLICANTS_WINDOWS = frozenset(
    {
        ClockKind.PAR_COMMENTS,
        ClockKind.REPRESENTATIONS_OR_IRM,
        ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM,
        ClockKind.STAGE_2_NOTICE,
    }
)
# The windows for representations or an IRM review after a qualifying determination.
REPRESENTATION_WINDOWS = frozenset(
    {ClockKind.REPRESENTATIONS_OR_IRM, ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM}
)

# AAR reg 28: Stage 2 applies where the applicants say they wish to go on within six months of
# the Stage 1 decision; past that, the agency cannot take them into Stage 2 on that Stage 1.
LAPSED: Mapping[ClockKind, str] = MappingProxyType(
    {
        ClockKind.STAGE_2_NOTICE: (
            " Stage 2 cannot start on this Stage 1: the applicants must go through Stage 1 "
            "again (AAR reg 28)."
        )
    }
)

LABELS: Mapping[ClockKind, str] = MappingProxyType(
    {
        ClockKind.PAPERS_TO_MEMBERS: "Papers to panel members",
        ClockKind.MEMBER_LIST_TO_APPLICANTS: "Panel member list to applicants",
        ClockKind.PAR_COMMENTS: "Applicants' comments on their PAR",
        ClockKind.FINAL_MINUTES_TO_ADM: "Final minutes to the ADM",
        ClockKind.ADM_DECISION: "ADM decision",
        ClockKind.TOLD_ORALLY: "Applicants told of the decision",
        ClockKind.TOLD_IN_WRITING: "Decision letter to applicants (the five-day rule)",
        ClockKind.PARENTS_TOLD_ORALLY: "Parent or guardian told of the decision",
        ClockKind.PARENTS_TOLD_IN_WRITING: "Decision letter to the parent or guardian",
        ClockKind.REPRESENTATIONS_OR_IRM: "Representations or IRM application",
        ClockKind.FINAL_DECISION: "ADM's final decision after the qualifying determination",
        ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM: (
            "Representations or IRM application (fostering for adoption)"
        ),
        ClockKind.STAGE_1: "Stage 1",
        ClockKind.STAGE_2_NOTICE: "Applicants' notice to start Stage 2 (6 months)",
        ClockKind.STAGE_2: "Stage 2 decision",
        ClockKind.PANEL_FEEDBACK: "Panel quality-assurance feedback to the agency",
    }
)

_STARTS: Mapping[ClockKind, str] = MappingProxyType(
    {
        ClockKind.PAPERS_TO_MEMBERS: "when the meeting date is set",
        ClockKind.MEMBER_LIST_TO_APPLICANTS: "when the meeting date is set",
        ClockKind.PAR_COMMENTS: "when the PAR is sent to the applicants",
        ClockKind.FINAL_MINUTES_TO_ADM: "on the day of the meeting",
        ClockKind.ADM_DECISION: "when the ADM receives the recommendation and final minutes",
        ClockKind.TOLD_ORALLY: "when the ADM decides",
        ClockKind.TOLD_IN_WRITING: "when the ADM decides",
        ClockKind.PARENTS_TOLD_ORALLY: "when the ADM decides the child should be placed",
        ClockKind.PARENTS_TOLD_IN_WRITING: "when the ADM decides the child should be placed",
        ClockKind.REPRESENTATIONS_OR_IRM: (
            "when written notice of the 'not suitable' determination is sent"
        ),
        ClockKind.FINAL_DECISION: (
            "when the representations, the panel's further recommendation or the IRM panel's "
            "recommendation is received"
        ),
        ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM: (
            "when written notice that the agency proposes not to approve the foster carers is sent"
        ),
        ClockKind.STAGE_1: "when the registration of interest is accepted",
        ClockKind.STAGE_2_NOTICE: "when Stage 1 is completed",
        ClockKind.STAGE_2: "when the applicants give notice to proceed",
        ClockKind.PANEL_FEEDBACK: "from the panel's last feedback",
    }
)

# Where each clock comes from. A period set by the regulations or by the statutory guidance is
# counted in statutory working days (AAR reg 2): the agency's closure days never lengthen it.
SOURCES: Mapping[ClockKind, str] = MappingProxyType(
    {
        ClockKind.PAPERS_TO_MEMBERS: "agency policy default",
        ClockKind.MEMBER_LIST_TO_APPLICANTS: "agency policy default",
        ClockKind.PAR_COMMENTS: "agency policy default",
        ClockKind.FINAL_MINUTES_TO_ADM: "agency policy default",
        ClockKind.ADM_DECISION: "Statutory guidance on adoption 2013 (7 working days)",
        ClockKind.TOLD_ORALLY: "Statutory guidance on adoption 2013 (2 working days)",
        ClockKind.TOLD_IN_WRITING: "Statutory guidance on adoption 2013: the five-day rule",
        # The duty to notify is AAR reg 19(3); how soon comes from the statutory guidance.
        ClockKind.PARENTS_TOLD_ORALLY: (
            "AAR reg 19(3); Statutory guidance on adoption 2013 (orally within 2 working days)"
        ),
        ClockKind.PARENTS_TOLD_IN_WRITING: (
            "AAR reg 19(3); Statutory guidance on adoption 2013 (in writing within 5 working days)"
        ),
        ClockKind.REPRESENTATIONS_OR_IRM: "AAR reg 30B(5)(c)",
        # AAR reg 30B(9) sets no period: 7 working days, as for the first decision, is the
        # agency's own default.
        ClockKind.FINAL_DECISION: "agency policy default (AAR reg 30B(9) sets no period)",
        ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM: (
            "Fostering Services (England) Regulations 2011 reg 27(6)(b); Independent Review of "
            "Determinations (Adoption and Fostering) Regulations 2009"
        ),
        ClockKind.STAGE_1: "Statutory guidance on adoption 2013 (2 months)",
        ClockKind.STAGE_2_NOTICE: "AAR reg 28 (as substituted in 2013): within six months",
        ClockKind.STAGE_2: "AAR reg 30B(1)",
        ClockKind.PANEL_FEEDBACK: "NMS 17.2",
    }
)

CALENDAR_OF: Mapping[ClockKind, CalendarKind] = MappingProxyType(
    {
        # The agency's own guidance: a day it is closed is not a day it can do the work.
        ClockKind.PAPERS_TO_MEMBERS: CalendarKind.AGENCY,
        ClockKind.MEMBER_LIST_TO_APPLICANTS: CalendarKind.AGENCY,
        ClockKind.PAR_COMMENTS: CalendarKind.AGENCY,
        ClockKind.FINAL_MINUTES_TO_ADM: CalendarKind.AGENCY,
        ClockKind.PANEL_FEEDBACK: CalendarKind.AGENCY,
        ClockKind.FINAL_DECISION: CalendarKind.AGENCY,
        # Set by the statutory guidance or the regulations: AAR reg 2 working days.
        ClockKind.ADM_DECISION: CalendarKind.STATUTORY,
        ClockKind.TOLD_ORALLY: CalendarKind.STATUTORY,
        ClockKind.TOLD_IN_WRITING: CalendarKind.STATUTORY,
        ClockKind.PARENTS_TOLD_ORALLY: CalendarKind.STATUTORY,
        ClockKind.PARENTS_TOLD_IN_WRITING: CalendarKind.STATUTORY,
        ClockKind.REPRESENTATIONS_OR_IRM: CalendarKind.STATUTORY,
        # Calendar days: the calendar only counts the working days left.
        ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM: CalendarKind.STATUTORY,
        ClockKind.STAGE_1: CalendarKind.STATUTORY,
        ClockKind.STAGE_2_NOTICE: CalendarKind.STATUTORY,
        ClockKind.STAGE_2: CalendarKind.STATUTORY,
    }
)

# Periods "beginning with" the day they start, which is then day 1 (AAR reg 30B(5)(c)); every
# other working-day clock runs "within N working days of" its start, which is not counted.
BEGINNING_WITH_START = frozenset({ClockKind.REPRESENTATIONS_OR_IRM})

_COUNTED_IN: Mapping[CalendarKind, str] = MappingProxyType(
    {
        CalendarKind.STATUTORY: "statutory working days (AAR reg 2: closure days still count)",
        CalendarKind.AGENCY: "agency working days (closure days excluded)",
    }
)


_APPLICANTS_TOLD = (ClockKind.TOLD_ORALLY, ClockKind.TOLD_IN_WRITING)
_AFTER_DETERMINATION = (ClockKind.REPRESENTATIONS_OR_IRM, ClockKind.FINAL_DECISION)
# AAR reg 19(3): only a decision that the child should be placed is notified to the parent or
# guardian (where their whereabouts are known).
PARENTS_TOLD = (ClockKind.PARENTS_TOLD_ORALLY, ClockKind.PARENTS_TOLD_IN_WRITING)
_ADM = (ClockKind.FINAL_MINUTES_TO_ADM, ClockKind.ADM_DECISION)
_APPROVAL = (
    ClockKind.PAPERS_TO_MEMBERS,
    ClockKind.MEMBER_LIST_TO_APPLICANTS,
    ClockKind.PAR_COMMENTS,
    *_ADM,
    *_APPLICANTS_TOLD,
    *_AFTER_DETERMINATION,
    ClockKind.STAGE_1,
    ClockKind.STAGE_2_NOTICE,
    ClockKind.STAGE_2,
)

# A local item type takes the clocks of the category it is filed under.
CLOCKS_BY_CATEGORY: Mapping[ItemCategory, tuple[ClockKind, ...]] = MappingProxyType(
    {
        ItemCategory.ADOPTER_APPROVAL: _APPROVAL,
        ItemCategory.BRIEF_PAR: _APPROVAL,
        ItemCategory.FOSTER_TO_ADOPT: tuple(
            ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM
            if kind is ClockKind.REPRESENTATIONS_OR_IRM
            else kind
            for kind in _APPROVAL
        ),
        ItemCategory.REVIEW_OF_APPROVAL: (
            ClockKind.PAPERS_TO_MEMBERS,
            ClockKind.MEMBER_LIST_TO_APPLICANTS,
            *_ADM,
            *_APPLICANTS_TOLD,
            *_AFTER_DETERMINATION,
        ),
        ItemCategory.MATCH: (
            ClockKind.PAPERS_TO_MEMBERS,
            ClockKind.MEMBER_LIST_TO_APPLICANTS,
            *_ADM,
            *_APPLICANTS_TOLD,
        ),
        ItemCategory.SHOULD_BE_PLACED: (ClockKind.PAPERS_TO_MEMBERS, *_ADM, *PARENTS_TOLD),
        ItemCategory.INFORMATION: (ClockKind.PAPERS_TO_MEMBERS,),
    }
)


@dataclass(frozen=True, slots=True)
class ClockPolicy:
    version: int
    effective_from: date
    # Each kind is counted in one unit only; a counted-back kind holds the days before the meeting.
    working_days: Mapping[ClockKind, int]
    months: Mapping[ClockKind, int]
    due_soon_working_days: int = 2
    # Calendar days "of" the start (the start not counted).
    days: Mapping[ClockKind, int] = field(
        default_factory=lambda: MappingProxyType({ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM: 28})
    )

    def __post_init__(self) -> None:
        units = (self.working_days.keys(), self.months.keys(), self.days.keys())
        twice = sorted({k for n, a in enumerate(units) for b in units[n + 1 :] for k in a & b})
        missing = sorted(set(ClockKind).difference(*units))
        every = {**self.working_days, **self.months, **self.days}
        negative = sorted(k for k, n in every.items() if n < 0)
        # A period beginning with its first day lasts that day at least.
        empty = sorted(k for k in BEGINNING_WITH_START if self.working_days.get(k, 1) < 1)
        if twice or missing or negative or empty:
            raise ValueError(
                f"Clock policy {self.version}: counted in two units {twice}, "
                f"without a count {missing}, negative counts {negative}, "
                f"no days beginning with the first {empty}."
            )


DEFAULT_CLOCK_POLICY = ClockPolicy(
    version=1,
    effective_from=date(2013, 7, 1),
    working_days=MappingProxyType(
        {
            ClockKind.PAPERS_TO_MEMBERS: 5,
            ClockKind.MEMBER_LIST_TO_APPLICANTS: 5,
            ClockKind.PAR_COMMENTS: 5,
            ClockKind.FINAL_MINUTES_TO_ADM: 10,
            ClockKind.ADM_DECISION: 7,
            ClockKind.TOLD_ORALLY: 2,
            ClockKind.TOLD_IN_WRITING: 5,
            ClockKind.PARENTS_TOLD_ORALLY: 2,
            ClockKind.PARENTS_TOLD_IN_WRITING: 5,
            ClockKind.REPRESENTATIONS_OR_IRM: 40,
            ClockKind.FINAL_DECISION: 7,
        }
    ),
    months=MappingProxyType(
        {
            ClockKind.STAGE_1: 2,
            ClockKind.STAGE_2_NOTICE: 6,
            ClockKind.STAGE_2: 4,
            ClockKind.PANEL_FEEDBACK: 6,
        }
    ),
    days=MappingProxyType({ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM: 28}),
)


def last_of_days_of(sent_on: date, days: int) -> date:
    """The last day of a period "within N days of" a date, in calendar days: the date itself is
    not counted, and weekends and bank holidays count like any other day. Fostering Services
    (England) Regulations 2011 reg 27(6)(b): representations, or an application to the IRM, within
    28 days of the date of the notice that the provider proposes not to approve."""
    return sent_on + timedelta(days=days)


def counted_in(kind: ClockKind, policy: ClockPolicy) -> str:
    """In words, what a clock counts: shown beside it so nobody mistakes one calendar for the
    other."""
    if kind in policy.months:
        return "calendar months"
    if kind in policy.days:
        return "calendar days (weekends and bank holidays count), from the day after it starts"
    words = _COUNTED_IN[CALENDAR_OF[kind]]
    if kind in BEGINNING_WITH_START:
        words += ", beginning with the day it starts (day 1)"
    return words


@dataclass(frozen=True, slots=True)
class Pause:
    from_day: date
    to_day: date | None  # the last day paused; None while the clock is still paused
    reason: str


@dataclass(frozen=True, slots=True)
class Clock:
    kind: ClockKind
    # The day the count runs from: for a clock counted back from a meeting, the meeting itself.
    started_on: date | None = None
    completed_on: date | None = None
    pauses: tuple[Pause, ...] = ()
    breach_reason: str | None = None

    def __post_init__(self) -> None:
        if self.pauses and self.kind in COUNTED_BACK_FROM_MEETING:
            raise ValueError(
                f"{LABELS[self.kind]} counts back from the meeting and cannot be paused: "
                "move the meeting instead."
            )
        for pause in self.pauses:
            if pause.to_day is not None and pause.to_day < pause.from_day:
                raise ValueError(f"{LABELS[self.kind]}: a pause cannot end before it starts.")


@dataclass(frozen=True, slots=True)
class ClockStatus:
    kind: ClockKind
    state: ClockState
    owed_by: OwedBy
    due_on: date | None
    # From the day completed, or from today while open; negative when late.
    working_days_remaining: int | None
    needs_breach_reason: bool
    reason: str
    policy_version: int
    calendar: CalendarKind
    counted_in: str


@dataclass(frozen=True, slots=True)
class ItemFacts:
    category: ItemCategory
    meeting_on: date | None = None
    papers_sent_on: date | None = None
    member_list_sent_on: date | None = None
    par_sent_on: date | None = None
    par_comments_received_on: date | None = None
    adm_received_on: date | None = None  # the recommendation and the final minutes
    decided_on: date | None = None
    qualifying_determination: bool = False  # "not suitable", or approval terminated
    told_orally_on: date | None = None
    letter_sent_on: date | None = None
    written_notice_on: date | None = None
    representations_on: date | None = None  # representations or an IRM application received
    # The last input to the final decision (adm.rules.after_determination.final_decision_starts)
    final_decision_from: date | None = None
    final_decided_on: date | None = None
    # AAR reg 19(3): the ADM decided the child should be placed for adoption.
    parents_to_be_told: bool = False
    parents_told_orally_on: date | None = None
    parents_letter_sent_on: date | None = None
    stage_1_started_on: date | None = None  # the registration of interest was accepted
    stage_1_completed_on: date | None = None  # the agency decided on Stage 1
    stage_2_notice_on: date | None = None


def due_date(clock: Clock, cals: Calendars, policy: ClockPolicy) -> date | None:
    """The last day of the clock, counted in the calendar it declares (`CALENDAR_OF`): a
    statutory clock skips only what AAR reg 2 skips, never the agency's closure days. A period
    "beginning with" its start (`BEGINNING_WITH_START`) counts that day as day 1."""
    if clock.started_on is None:
        return None
    paused = _paused_days(clock)
    if paused is None:
        return None
    if clock.kind in policy.months:
        return _calendar_deadline(add_months(clock.started_on, policy.months[clock.kind]),
                                  clock.started_on, paused)  # fmt: skip
    if clock.kind in policy.days:
        return _calendar_deadline(
            last_of_days_of(clock.started_on, policy.days[clock.kind]), clock.started_on, paused
        )
    count = policy.working_days[clock.kind]
    if clock.kind in COUNTED_BACK_FROM_MEETING:
        count = -count
    cal = cals.of(CALENDAR_OF[clock.kind])
    # A paused day is one the clock does not count, exactly like a bank holiday.
    counting = replace(cal, closed=cal.closed | paused) if paused else cal
    if clock.kind in BEGINNING_WITH_START:
        return last_of_working_days_beginning_with(clock.started_on, count, counting)
    return add_working_days(clock.started_on, count, counting)


def evaluate(clock: Clock, today: date, cals: Calendars, policy: ClockPolicy) -> ClockStatus:
    label = LABELS[clock.kind]
    window = clock.kind in APPLICANTS_WINDOWS
    cal = cals.of(CALENDAR_OF[clock.kind])

    def status(
        state: ClockState, reason: str, due: date | None = None, remaining: int | None = None
    ) -> ClockStatus:
        needs_reason = state is ClockState.MISSED and not window and not clock.breach_reason
        if state is ClockState.MISSED:
            reason += LAPSED.get(clock.kind, "")
        if state is ClockState.MISSED and not window:
            reason += (
                f" Breach accepted: {clock.breach_reason}."
                if clock.breach_reason
                else " Record why the deadline was missed."
            )
        return ClockStatus(
            kind=clock.kind,
            state=state,
            owed_by=OwedBy.APPLICANTS if window else OwedBy.AGENCY,
            due_on=due,
            working_days_remaining=remaining,
            needs_breach_reason=needs_reason,
            reason=reason,
            policy_version=policy.version,
            calendar=CALENDAR_OF[clock.kind],
            counted_in=counted_in(clock.kind, policy),
        )

    if clock.started_on is None:
        return status(
            ClockState.NOT_STARTED, f"{label}: not started; it starts {_STARTS[clock.kind]}."
        )
    due = due_date(clock, cals, policy)
    if due is None:
        pause = next(p for p in clock.pauses if p.to_day is None)
        return status(
            ClockState.PAUSED,
            f"{label}: paused since {long_date(pause.from_day)} ({pause.reason}); "
            "the deadline moves on by the time paused.",
        )

    if clock.completed_on is not None:
        done = clock.completed_on
        remaining = _remaining(done, due, cal)
        verb = "received" if window else "completed"
        if done <= due:
            return status(
                ClockState.MET,
                f"{label}: {verb} on {long_date(done)}, on time (due by {long_date(due)}).",
                due,
                remaining,
            )
        return status(
            ClockState.MISSED,
            f"{label}: {verb} on {long_date(done)}, {_working_days(-remaining)} late "
            f"(due by {long_date(due)}).",
            due,
            remaining,
        )

    remaining = _remaining(today, due, cal)
    if today > due:
        return status(
            ClockState.MISSED,
            f"{label}: none received; the window closed on {long_date(due)}."
            if window
            else f"{label}: not completed; due by {long_date(due)}, now "
            f"{_working_days(-remaining)} overdue.",
            due,
            remaining,
        )
    if today == due:
        when = "closes today" if window else "due today"
    else:
        until = f"open until {long_date(due)}" if window else f"due by {long_date(due)}"
        when = f"{until}, {_working_days(remaining)} left"
    state = ClockState.DUE_SOON if remaining <= policy.due_soon_working_days else ClockState.RUNNING
    return status(state, f"{label}: {when}.", due, remaining)


def window_open(status: ClockStatus) -> bool:
    """An applicants' window (`APPLICANTS_WINDOWS`) that has opened, has not closed, and has
    received nothing yet: what the agency waits for before it acts on the report."""
    return status.kind in APPLICANTS_WINDOWS and status.state in (
        ClockState.RUNNING,
        ClockState.DUE_SOON,
    )


def clocks_for_item(facts: ItemFacts) -> tuple[Clock, ...]:
    # The decision letter is the written notice unless a separate notice was sent.
    notice = facts.written_notice_on or facts.letter_sent_on
    spans: Mapping[ClockKind, tuple[date | None, date | None]] = {
        ClockKind.PAPERS_TO_MEMBERS: (facts.meeting_on, facts.papers_sent_on),
        ClockKind.MEMBER_LIST_TO_APPLICANTS: (facts.meeting_on, facts.member_list_sent_on),
        ClockKind.PAR_COMMENTS: (facts.par_sent_on, facts.par_comments_received_on),
        ClockKind.FINAL_MINUTES_TO_ADM: (facts.meeting_on, facts.adm_received_on),
        ClockKind.ADM_DECISION: (facts.adm_received_on, facts.decided_on),
        ClockKind.TOLD_ORALLY: (facts.decided_on, facts.told_orally_on),
        ClockKind.TOLD_IN_WRITING: (facts.decided_on, facts.letter_sent_on),
        ClockKind.PARENTS_TOLD_ORALLY: (facts.decided_on, facts.parents_told_orally_on),
        ClockKind.PARENTS_TOLD_IN_WRITING: (facts.decided_on, facts.parents_letter_sent_on),
        ClockKind.REPRESENTATIONS_OR_IRM: (notice, facts.representations_on),
        ClockKind.FINAL_DECISION: (facts.final_decision_from, facts.final_decided_on),
        ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM: (notice, facts.representations_on),
        ClockKind.STAGE_1: (facts.stage_1_started_on, facts.stage_1_completed_on),
        ClockKind.STAGE_2_NOTICE: (facts.stage_1_completed_on, facts.stage_2_notice_on),
        ClockKind.STAGE_2: (facts.stage_2_notice_on, facts.decided_on),
    }
    return tuple(
        Clock(kind, *spans[kind])
        for kind in CLOCKS_BY_CATEGORY[facts.category]
        if kind not in _AFTER_DETERMINATION + tuple(REPRESENTATION_WINDOWS)
        or facts.qualifying_determination
        # With nothing received in the 40 working days, no final decision clock runs.
        if kind is not ClockKind.FINAL_DECISION
        or facts.representations_on is not None
        or facts.final_decided_on is not None
        if kind not in PARENTS_TOLD or facts.parents_to_be_told
    )


def _paused_days(clock: Clock) -> frozenset[date] | None:
    days: set[date] = set()
    for pause in clock.pauses:
        # A clock completed during a pause stopped being paused when it was completed.
        last = pause.to_day or clock.completed_on
        if last is None:
            return None
        days.update(
            pause.from_day + timedelta(days=n) for n in range((last - pause.from_day).days + 1)
        )
    return frozenset(days)


def _calendar_deadline(deadline: date, start: date, paused: frozenset[date]) -> date:
    # Each paused day before the deadline pushes it on a day, the pushed-into days included.
    extension = 0
    while (
        reached := sum(start < day <= deadline + timedelta(days=extension) for day in paused)
    ) > extension:
        extension = reached
    return deadline + timedelta(days=extension)


def _remaining(on: date, due: date, cal: WorkingCalendar) -> int:
    if on <= due:
        return working_days_between(on, due, cal)
    # Past a Friday deadline the weekend is already late, though no working day has gone by.
    return -max(1, working_days_between(due, on, cal))


def _working_days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"
