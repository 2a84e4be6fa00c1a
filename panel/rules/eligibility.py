"""Whether a member of the central list may sit, or chair, on a given date, and what falls due."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from governance.rules.workdays import add_months, long_date
from panel.rules.conflicts import Conflict
from panel.rules.members import CHAIR_SEATS, Member, Seat


class Course(StrEnum):
    INDUCTION = "induction"
    EQUALITY_AND_DIVERSITY = "equality_and_diversity"
    SAFEGUARDING = "safeguarding"


COURSE_LABELS = {
    Course.INDUCTION: "induction",
    Course.EQUALITY_AND_DIVERSITY: "equality and diversity training",
    Course.SAFEGUARDING: "safeguarding training",
}


@dataclass(frozen=True, slots=True)
class CourseRule:
    course: Course
    renew_every_months: int | None  # None: once is enough


@dataclass(frozen=True, slots=True)
class EligibilityPolicy:
    version: int
    dbs_renew_every_months: int
    training: tuple[CourseRule, ...]
    review_every_months: int
    may_sit_during_notice: bool  # never on or after the leaving date
    chair_independence_months: int
    # False: a conflicted member withdraws from that item only and may sit for the rest.
    conflict_bars_meeting: bool


DEFAULT_ELIGIBILITY = EligibilityPolicy(
    version=1,
    dbs_renew_every_months=36,
    training=(
        CourseRule(Course.INDUCTION, None),
        CourseRule(Course.EQUALITY_AND_DIVERSITY, 12),
        CourseRule(Course.SAFEGUARDING, 12),
    ),
    review_every_months=12,
    may_sit_during_notice=True,
    chair_independence_months=12,
    conflict_bars_meeting=False,
)

DUE_SOON_DAYS = 60


@dataclass(frozen=True, slots=True)
class Training:
    course: Course
    completed_on: date


@dataclass(frozen=True, slots=True)
class Notice:
    given_on: date
    leaving_on: date


@dataclass(frozen=True, slots=True)
class ListRecord:
    member: Member
    listed_on: date | None  # None: not on the central list
    notice: Notice | None = None
    dbs_checked_on: date | None = None  # the latest enhanced DBS check
    training: tuple[Training, ...] = ()
    reviewed_on: date | None = None  # the latest annual review


@dataclass(frozen=True, slots=True)
class Verdict:
    member_id: int
    eligible: bool
    reasons: tuple[str, ...]  # why not, all of them
    warnings: tuple[str, ...]  # may sit, but the adviser should know
    withdraws_from: tuple[int, ...]  # item ids the member is conflicted on
    policy_version: int


@dataclass(frozen=True, slots=True)
class ChairVerdict:
    member_id: int
    may_chair: bool
    reasons: tuple[str, ...]
    policy_version: int


@dataclass(frozen=True, slots=True)
class Due:
    member_id: int
    evidence: str  # "DBS check", "safeguarding training", ...
    due_on: date | None  # None: never recorded
    overdue: bool
    text: str


@dataclass(frozen=True, slots=True)
class _Evidence:
    label: str
    lapses_on: date | None  # None: never recorded; lapsed on this day and after
    lapsed: str  # how a lapse reads: "expired on" or "overdue since"


def check(
    record: ListRecord,
    on: date,
    policy: EligibilityPolicy,
    conflicts: Iterable[Conflict] = (),
) -> Verdict:
    reasons, warnings = _list_standing(record, on, policy)
    for evidence in _evidence(record, policy):
        if evidence.lapses_on is None:
            reasons.append(f"no {evidence.label} recorded")
        elif evidence.lapses_on <= on:
            reasons.append(f"{evidence.label} {evidence.lapsed} {long_date(evidence.lapses_on)}")
    withdraws_from: dict[int, None] = {}
    for conflict in conflicts:
        if conflict.member_id != record.member.id:
            continue
        withdraws_from[conflict.item_id] = None
        if policy.conflict_bars_meeting:
            reasons.append(f"conflict of interest: {conflict.reason}")
        else:
            warnings.append(f"withdraws for a conflict of interest: {conflict.reason}")
    return Verdict(
        member_id=record.member.id,
        eligible=not reasons,
        reasons=tuple(reasons),
        warnings=tuple(warnings),
        withdraws_from=tuple(withdraws_from),
        policy_version=policy.version,
    )


def may_chair(member: Member, on: date, policy: EligibilityPolicy) -> ChairVerdict:
    """Whether the member may take the chair at a meeting on the day.

    AAR reg 4(1)(a): the person appointed to chair the panel is an independent person (the
    12 months since a tie to the agency are the policy's); reg 4(1)(b): one or two vice chairs
    may act as chair when the chair is absent, and nothing requires them to be independent."""
    reasons = []
    if not member.seats & CHAIR_SEATS:
        reasons.append("not a chair or vice chair on the central list")
    appointed_chair = Seat.CHAIR in member.seats  # a vice chair only: no independence test
    if appointed_chair and not member.independent:
        reasons.append("not independent of the agency")
    if appointed_chair and member.dependency_ended_on is not None:
        independent_from = add_months(member.dependency_ended_on, policy.chair_independence_months)
        if on < independent_from:
            reasons.append(
                "worked in the agency's children's services, was a councillor or was related to "
                f"one until {long_date(member.dependency_ended_on)}: may chair from "
                f"{long_date(independent_from)}"
            )
    return ChairVerdict(
        member_id=member.id,
        may_chair=not reasons,
        reasons=tuple(reasons),
        policy_version=policy.version,
    )


def due_items(
    record: ListRecord,
    today: date,
    policy: EligibilityPolicy,
    within_days: int = DUE_SOON_DAYS,
) -> tuple[Due, ...]:
    horizon = today + timedelta(days=within_days)
    due = []
    for evidence in _evidence(record, policy):
        if evidence.lapses_on is None:
            text = f"no {evidence.label} recorded"
        elif evidence.lapses_on <= today:
            text = f"{evidence.label} overdue since {long_date(evidence.lapses_on)}"
        elif evidence.lapses_on <= horizon:
            text = f"{evidence.label} due on {long_date(evidence.lapses_on)}"
        else:
            continue
        overdue = evidence.lapses_on is None or evidence.lapses_on <= today
        due.append(Due(record.member.id, evidence.label, evidence.lapses_on, overdue, text))
    return tuple(due)


def _list_standing(
    record: ListRecord, on: date, policy: EligibilityPolicy
) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    warnings: list[str] = []
    if record.listed_on is None:
        reasons.append("not on the central list")
    elif on < record.listed_on:
        reasons.append(f"not on the central list until {long_date(record.listed_on)}")
    notice = record.notice
    if notice is None or on < notice.given_on:
        return reasons, warnings
    if on >= notice.leaving_on:
        reasons.append(f"left the central list on {long_date(notice.leaving_on)}")
    elif policy.may_sit_during_notice:
        warnings.append(f"under notice: leaves the central list on {long_date(notice.leaving_on)}")
    else:
        reasons.append(
            f"under notice since {long_date(notice.given_on)}: leaves the central list on "
            f"{long_date(notice.leaving_on)}"
        )
    return reasons, warnings


def _evidence(record: ListRecord, policy: EligibilityPolicy) -> list[_Evidence]:
    # Every piece of evidence lapses on a day (a DBS check done on 2 March 2024 is good to 1 March
    # 2027 and has expired on 2 March 2027). From 29 February, a year on is 28 February.
    def lapse(done: date | None, months: int) -> date | None:
        return None if done is None else add_months(done, months)

    found = [
        _Evidence(
            "DBS check", lapse(record.dbs_checked_on, policy.dbs_renew_every_months), "expired on"
        )
    ]
    for rule in policy.training:
        done = max(
            (entry.completed_on for entry in record.training if entry.course == rule.course),
            default=None,
        )
        if rule.renew_every_months is None:
            if done is None:
                found.append(_Evidence(COURSE_LABELS[rule.course], None, "expired on"))
            continue
        found.append(
            _Evidence(
                COURSE_LABELS[rule.course], lapse(done, rule.renew_every_months), "expired on"
            )
        )
    # A new member's first review falls due a year after joining.
    reviewed = record.reviewed_on or record.listed_on
    if reviewed is not None:
        found.append(
            _Evidence("annual review", lapse(reviewed, policy.review_every_months), "overdue since")
        )
    return found
