"""Board attendance per member and partner over a rolling window; whether a meeting is quorate."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from math import ceil

from board.rules.indicators import rounded_percent
from governance.rules.workdays import add_months, long_date
from panel.rules.members import plural


class Attendance(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    DEPUTY_SENT = "deputy_sent"
    ABSENT = "absent"


class BoardRole(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class BoardMember:
    id: int
    name: str
    partner: str | None  # None: sits in their own right, like the adopter member
    role: BoardRole = BoardRole.MEMBER


@dataclass(frozen=True, slots=True)
class Mark:
    member_id: int
    held_on: date
    attendance: Attendance


@dataclass(frozen=True, slots=True)
class AttendancePolicy:
    version: int
    window_months: int
    threshold_percent: Decimal
    deputy_counts_for_member: bool
    deputy_counts_for_partner: bool


DEFAULT_ATTENDANCE_POLICY = AttendancePolicy(
    version=1,
    window_months=12,
    threshold_percent=Decimal(75),
    deputy_counts_for_member=True,
    deputy_counts_for_partner=True,
)


@dataclass(frozen=True, slots=True)
class Tally:
    present: int = 0
    deputy_sent: int = 0
    apologies: int = 0
    absent: int = 0

    @property
    def meetings(self) -> int:
        return self.present + self.deputy_sent + self.apologies + self.absent

    def attended(self, deputy_counts: bool) -> int:
        return self.present + (self.deputy_sent if deputy_counts else 0)


@dataclass(frozen=True, slots=True)
class Rate:
    name: str
    tally: Tally
    attended: int
    rate: Fraction | None  # None: no meetings in the window, which is not 0 %
    shown: str
    flag: str | None  # why it is under the threshold
    member_id: int | None = None  # None on a partner's row
    # The member's own attendance, in person: a deputy sent stands in for the seat, not for the
    # named member, whose attendance the internal audit questioned (source 001).
    own_rate: Fraction | None = None
    own_shown: str = "no meetings"
    own_flag: str | None = None  # why the member's own attendance is under the threshold

    @property
    def by_deputy(self) -> int:
        return self.tally.deputy_sent


@dataclass(frozen=True, slots=True)
class AttendanceReport:
    first_day: date
    last_day: date
    policy_version: int
    members: tuple[Rate, ...]
    partners: tuple[Rate, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f"{row.name}: {row.flag}" for row in self.partners + self.members if row.flag)

    @property
    def own_flags(self) -> tuple[str, ...]:
        """Members whose own attendance is under the threshold though a deputy's lifts them over
        it: the named members the policy's count alone would not show."""
        return tuple(
            f"{row.name}: {row.own_flag}" for row in self.members if row.own_flag and not row.flag
        )


def attendance_over_window(
    members: Sequence[BoardMember],
    partners: Sequence[str],
    marks: Iterable[Mark],
    ending_on: date,
    policy: AttendancePolicy,
) -> AttendanceReport:
    by_id = _by_id(members, partners)
    first_day = add_months(ending_on, -policy.window_months) + timedelta(days=1)
    counts: dict[int, Counter[Attendance]] = {member.id: Counter() for member in members}
    for mark in marks:
        if mark.member_id not in by_id:
            raise ValueError(f"Attendance recorded for member {mark.member_id}, who is not listed")
        if first_day <= mark.held_on <= ending_on:
            counts[mark.member_id][mark.attendance] += 1
    window = f"in the {policy.window_months} months to {long_date(ending_on)}"
    member_rates = tuple(
        _rate(
            member.name,
            _tally(counts[member.id]),
            policy.deputy_counts_for_member,
            policy.threshold_percent,
            window,
            member_id=member.id,
        )
        for member in members
    )
    partner_rates = tuple(
        _rate(
            partner,
            _tally(sum((counts[m.id] for m in members if m.partner == partner), Counter())),
            policy.deputy_counts_for_partner,
            policy.threshold_percent,
            window,
        )
        for partner in partners
    )
    return AttendanceReport(
        first_day=first_day,
        last_day=ending_on,
        policy_version=policy.version,
        members=member_rates,
        partners=partner_rates,
    )


def _by_id(members: Sequence[BoardMember], partners: Sequence[str]) -> dict[int, BoardMember]:
    for member in members:
        if member.partner is not None and member.partner not in partners:
            raise ValueError(f"{member.name} represents {member.partner}, which is not a partner")
    return {member.id: member for member in members}


def _tally(counts: Counter[Attendance]) -> Tally:
    return Tally(
        present=counts[Attendance.PRESENT],
        deputy_sent=counts[Attendance.DEPUTY_SENT],
        apologies=counts[Attendance.APOLOGIES],
        absent=counts[Attendance.ABSENT],
    )


def _rate(
    name: str,
    tally: Tally,
    deputy_counts: bool,
    threshold_percent: Decimal,
    window: str,
    member_id: int | None = None,
) -> Rate:
    attended = tally.attended(deputy_counts)
    if tally.meetings == 0:
        return Rate(name, tally, attended, None, "no meetings", None, member_id)
    rate, shown, flag = _share(attended, tally.meetings, threshold_percent, window, "attended")
    own_rate, own_shown, own_flag = _share(
        tally.present, tally.meetings, threshold_percent, window, "attended in person"
    )
    return Rate(name, tally, attended, rate, shown, flag, member_id, own_rate, own_shown, own_flag)


def _share(
    attended: int, meetings: int, threshold_percent: Decimal, window: str, verb: str
) -> tuple[Fraction, str, str | None]:
    rate = Fraction(attended, meetings)
    percent = rounded_percent(rate)
    below = rate * 100 < threshold_percent
    if below and percent >= threshold_percent:
        # 74.6 % shown as "75%" would read as meeting a 75 % threshold it is flagged for missing.
        percent = ceil(threshold_percent) - 1
    shown = f"{percent}%"
    flag = None
    if below:
        flag = (
            f"{verb} {attended} of {plural(meetings, 'meeting')} ({shown}) {window}, "
            f"under the {threshold_percent.normalize():f}% threshold"
        )
    return rate, shown, flag


@dataclass(frozen=True, slots=True)
class BoardQuorumPolicy:
    version: int
    chair_or_vice_chair: bool
    every_partner: bool
    deputy_represents_partner: bool
    minimum_attending: int  # members present plus deputies; 0: no number is set


DEFAULT_QUORUM_POLICY = BoardQuorumPolicy(
    version=1,
    chair_or_vice_chair=True,
    every_partner=True,
    deputy_represents_partner=True,
    minimum_attending=0,
)


@dataclass(frozen=True, slots=True)
class QuorumVerdict:
    quorate: bool
    shortfalls: tuple[str, ...]
    policy_version: int


def board_quorum(
    members: Sequence[BoardMember],
    partners: Sequence[str],
    attendance: Mapping[int, Attendance],
    policy: BoardQuorumPolicy,
) -> QuorumVerdict:
    by_id = _by_id(members, partners)
    unknown = sorted(attendance.keys() - by_id.keys())
    if unknown:
        raise ValueError(f"Attendance recorded for members {unknown}, who are not listed")
    present = [by_id[i] for i, mark in attendance.items() if mark is Attendance.PRESENT]
    deputised = [by_id[i] for i, mark in attendance.items() if mark is Attendance.DEPUTY_SENT]
    shortfalls = []
    attending = len(present) + len(deputised)
    if attending < policy.minimum_attending:
        shortfalls.append(f"{attending} attending, {policy.minimum_attending} needed")
    # A deputy stands in for their principal's partner, never for the chair's own seat.
    if policy.chair_or_vice_chair and not any(
        member.role in (BoardRole.CHAIR, BoardRole.VICE_CHAIR) for member in present
    ):
        shortfalls.append("neither the chair nor a vice chair is present")
    if policy.every_partner:
        representing = present + (deputised if policy.deputy_represents_partner else [])
        represented = {member.partner for member in representing}
        shortfalls.extend(
            f"no representative of {partner} is present"
            for partner in partners
            if partner not in represented
        )
    return QuorumVerdict(
        quorate=not shortfalls, shortfalls=tuple(shortfalls), policy_version=policy.version
    )
