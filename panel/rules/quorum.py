"""Whether the members present for one agenda item form a quorum, and if not, why.

AAR 2005 reg 6 (as substituted by SI 2011/589) is the quorum rule; it is checked as DOMAIN.md
section 3 states it: at least five members (six for a joint panel of several agencies), including
the person appointed to chair the panel or one of the vice chairs, and a social worker with at
least three years' relevant post-qualifying experience; advisers and observers never count.
Whether an independent member must also be present, and whether an independent person in the
chair is that member, are the agency's policy (panel.services.PolicySwitches), with the built-in
defaults the service has always applied: yes and yes. (The stored copies of the regulations
available when this was written held regs 3 and 4(1) in full but not the words of reg 6.)
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from panel.rules.members import CHAIR_SEATS, SEAT_LABELS, Member, Seat, counts, plural


@dataclass(frozen=True, slots=True)
class Requirement:
    seats: frozenset[Seat] = frozenset()  # any one of these; empty: any member who counts
    min_pqe_years: int = 0
    independent: bool = False
    # Met only by someone other than the person chairing (a chair or vice chair present): by
    # policy, the independent chair may not also be the quorum's independent member.
    apart_from_chair: bool = False


@dataclass(frozen=True, slots=True)
class QuorumPolicy:
    version: int
    minimum: int
    must_include: tuple[Requirement, ...]  # each met by at least one member present


CHAIR_OR_VICE_CHAIR = Requirement(seats=CHAIR_SEATS)
SOCIAL_WORKER_3_YEARS = Requirement(seats=frozenset({Seat.SOCIAL_WORKER}), min_pqe_years=3)
INDEPENDENT_MEMBER = Requirement(independent=True)
INDEPENDENT_MEMBER_APART_FROM_CHAIR = Requirement(independent=True, apart_from_chair=True)

STATUTORY_QUORUM = QuorumPolicy(
    version=1,
    minimum=5,
    must_include=(CHAIR_OR_VICE_CHAIR, SOCIAL_WORKER_3_YEARS, INDEPENDENT_MEMBER),
)
JOINT_PANEL_QUORUM = replace(STATUTORY_QUORUM, minimum=6)


@dataclass(frozen=True, slots=True)
class Attendance:
    member: Member
    arrived_at: datetime
    left_at: datetime | None = None  # None: stayed to the end of the meeting


@dataclass(frozen=True, slots=True)
class Verdict:
    quorate: bool
    shortfalls: tuple[str, ...]
    policy_version: int
    counted: tuple[int, ...] = ()  # ids of the members who counted


def meets(member: Member, requirement: Requirement) -> bool:
    return (
        counts(member)
        and (not requirement.seats or bool(member.seats & requirement.seats))
        and member.pqe_years >= requirement.min_pqe_years
        and (member.independent or not requirement.independent)
    )


def met(members: Collection[Member], requirement: Requirement) -> bool:
    """Whether someone among the members meets the requirement (and, where it must be met apart
    from the chair, whether someone else present can take the chair)."""
    meeting = [m for m in members if meets(m, requirement)]
    if not requirement.apart_from_chair or not meeting:
        return bool(meeting)
    chairs = [m for m in members if meets(m, CHAIR_OR_VICE_CHAIR)]
    if not chairs:
        return True  # nobody can chair: that shortfall is the chair requirement's to report
    return any(m.id != c.id for m in meeting for c in chairs)


def describe(requirement: Requirement) -> str:
    seats = " or ".join(SEAT_LABELS[seat] for seat in Seat if seat in requirement.seats)
    if not seats:
        seats = "independent member" if requirement.independent else "member"
    elif requirement.independent:
        seats = f"independent {seats}"
    if requirement.min_pqe_years:
        seats += f" with {requirement.min_pqe_years} years' PQE"
    if requirement.apart_from_chair:
        seats += " other than the person chairing"
    return seats


def present_for_item(
    attendance: Iterable[Attendance],
    item_start: datetime,
    item_end: datetime,
    withdrawn: Collection[int],
) -> tuple[Member, ...]:
    # A member counts for an item only if there for all of it: a view given on part of the
    # discussion is not a view on the item. Several spells for one member (stepped out and came
    # back) are fine as long as one spell covers the whole item.
    for moment in (item_start, item_end):
        _require_aware(moment)
    present: dict[int, Member] = {}
    for spell in attendance:
        _require_aware(spell.arrived_at)
        if spell.left_at is not None:
            _require_aware(spell.left_at)
        stayed = spell.left_at is None or spell.left_at >= item_end
        if spell.arrived_at <= item_start and stayed and spell.member.id not in withdrawn:
            present.setdefault(spell.member.id, spell.member)
    return tuple(present.values())


def check(present: Iterable[Member], policy: QuorumPolicy) -> Verdict:
    counted = {member.id: member for member in present if counts(member)}
    members = list(counted.values())
    shortfalls = []
    if len(members) < policy.minimum:
        shortfalls.append(f"{plural(len(members), 'member')} present, {policy.minimum} needed")
    for requirement in policy.must_include:
        if not met(members, requirement):
            shortfalls.append(f"no {describe(requirement)}")
    return Verdict(
        quorate=not shortfalls,
        shortfalls=tuple(shortfalls),
        policy_version=policy.version,
        counted=tuple(counted),
    )


def _require_aware(moment: datetime) -> None:
    # Naive times cannot be compared with aware ones, and among themselves hide the summer hour.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone: pass Europe/London times")
