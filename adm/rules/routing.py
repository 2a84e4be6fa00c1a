"""Which agency decision maker decides a panel item, and whether a given person may decide it.

Who decides (DOMAIN.md section 2; AAR 2005 regs 30 and 30A-30B for adopters, regs 17-19 for a
child's "should be placed", reg 33 for a match): an adopter approval is decided by the ADM of the
agency that assessed the adopters, which may be a partner council or voluntary adoption agency,
or the regional agency itself where it assesses (a company or VAA, like Adoption West); a child's
"should be placed" or match by the ADM of the child's authority."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from governance.rules.workdays import long_date

# The deciding body when the agency itself assessed the adopters. Partner codes are upper case
# (governance.services), so this never names a partner; the agency is no partner, and so never
# counts among "every partner represented" on the board.
AGENCY = "agency"


def body_name(code: str) -> str:
    return "the agency" if code == AGENCY else code


class DecidedBy(StrEnum):
    ASSESSING_AGENCY = "assessing_agency"
    CHILD_AUTHORITY = "child_authority"
    NONE = "none"


class AdmRole(StrEnum):
    PRIMARY = "primary"
    DEPUTY = "deputy"


class Routing(StrEnum):
    ROUTED = "routed"
    NOT_FOR_DECISION = "not_for_decision"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Absence:
    from_day: date
    to_day: date  # the last day away


@dataclass(frozen=True, slots=True)
class AdmAssignment:
    person_id: int
    name: str
    partner_code: str  # or AGENCY: the agency's own decision maker
    role: AdmRole
    absences: tuple[Absence, ...] = ()


@dataclass(frozen=True, slots=True)
class PanelItem:
    decided_by: DecidedBy
    assessing_partner: str | None = None  # a partner's code, or AGENCY

    child_partner: str | None = None
    sat_on_panel: frozenset[int] = frozenset()  # person ids present for any part of this item
    # Person ids who sat as members at the meeting, and whether the agency's policy bars them
    # all (default on); the version of the policy that said so, for the reason given.
    sat_at_meeting: frozenset[int] = frozenset()
    bar_whole_meeting: bool = True
    policy_version: int | None = None


@dataclass(frozen=True, slots=True)
class Spell:
    """One spell of a member at a meeting, as the attendance record has it."""

    person_id: int
    arrived_at: datetime
    left_at: datetime | None  # None: stayed to the end


def present_for_any_part(
    spells: Iterable[Spell], item_start: datetime, item_end: datetime
) -> frozenset[int]:
    """Everyone in the room for any part of an item: there before it ended and not gone before
    it began. A member who left part-way through counts, though they no longer counted for
    quorum (AAR regs 19(2), 30B(3), 33(2): no member of the panel takes part in the decision)."""
    return frozenset(
        s.person_id
        for s in spells
        if s.arrived_at < item_end and (s.left_at is None or s.left_at > item_start)
    )


def panel_bar(person_id: int, item: PanelItem) -> str | None:
    """Why this person may not decide the item because they sat on the panel, or None.
    AAR reg 30B(3): "No member of the adoption panel may take part in any decision made by the
    adoption agency" on a prospective adopter's suitability; regs 19(2) (should be placed) and
    33(2) (a match) say the same of those decisions. The bar covers everyone recorded as present
    for any part of the item and, by the agency's policy (default on), everyone who sat as a
    member at the meeting."""
    if person_id in item.sat_on_panel:
        return f"sat on the panel for this item and may not decide it ({_NO_PANEL_MEMBER})"
    if item.bar_whole_meeting and person_id in item.sat_at_meeting:
        version = f" version {item.policy_version}" if item.policy_version else ""
        return (
            "sat as a panel member at the meeting that heard this item and may not decide it "
            f"(the agency's panel policy{version} bars everyone who sat at that meeting)"
        )
    return None


@dataclass(frozen=True, slots=True)
class RoutingVerdict:
    outcome: Routing
    partner_code: str | None  # the partner whose ADM decides, or AGENCY
    adm: AdmAssignment | None
    deputy_used: bool
    reasons: tuple[str, ...]  # why a deputy decides, why nobody can, or why no decision is needed


@dataclass(frozen=True, slots=True)
class DecisionRight:
    allowed: bool
    refusals: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


_NO_PANEL_MEMBER = "AAR regs 19(2), 30B(3) and 33(2): no panel member takes part in the decision"
_NOT_FOR_DECISION = "This item is for information: the panel notes it and no ADM decides it."
_PARTNER_OF = {
    DecidedBy.ASSESSING_AGENCY: "assessing agency",
    DecidedBy.CHILD_AUTHORITY: "child's authority",
}


def deciding_partner(item: PanelItem) -> str | None:
    match item.decided_by:
        case DecidedBy.ASSESSING_AGENCY:
            return item.assessing_partner
        case DecidedBy.CHILD_AUTHORITY:
            return item.child_partner
        case DecidedBy.NONE:
            return None


def route(item: PanelItem, assignments: Iterable[AdmAssignment], on: date) -> RoutingVerdict:
    if item.decided_by is DecidedBy.NONE:
        return RoutingVerdict(Routing.NOT_FOR_DECISION, None, None, False, (_NOT_FOR_DECISION,))
    partner = deciding_partner(item)
    if partner is None:
        return RoutingVerdict(
            Routing.REFUSED, None, None, False, (_partner_unknown(item.decided_by),)
        )
    candidates = sorted(
        (adm for adm in assignments if adm.partner_code == partner),
        key=lambda adm: adm.role is AdmRole.DEPUTY,
    )
    if not candidates:
        return RoutingVerdict(
            Routing.REFUSED,
            partner,
            None,
            False,
            (f"No ADM is assigned for {body_name(partner)}.",),
        )

    reasons: list[str] = []
    if all(adm.role is AdmRole.DEPUTY for adm in candidates):
        reasons.append(f"No ADM is assigned for {body_name(partner)}, only a deputy.")
    for adm in candidates:
        barred = _why_barred(adm, item, on)
        if not barred:
            deputy = adm.role is AdmRole.DEPUTY
            return RoutingVerdict(Routing.ROUTED, partner, adm, deputy, tuple(reasons))
        reasons.extend(barred)
    if not any(adm.role is AdmRole.DEPUTY for adm in candidates):
        reasons.append(f"No deputy ADM is assigned for {body_name(partner)}.")
    return RoutingVerdict(Routing.REFUSED, partner, None, False, tuple(reasons))


def reroute(
    item: PanelItem, assignments: Iterable[AdmAssignment], holder: int, on: date
) -> RoutingVerdict | None:
    """Who takes over an undecided item whose decision maker (person `holder`) is away on `on`,
    or is no longer assigned for its partner. None while the holder can still decide it: an item
    does not move back to the ADM from a deputy who is at work."""
    everyone = tuple(assignments)
    partner = deciding_partner(item)
    held = [a for a in everyone if a.person_id == holder and a.partner_code == partner]
    if held and not any(_absent(a, on) for a in held):
        return None
    verdict = route(item, (a for a in everyone if a.person_id != holder), on)
    gone = (
        f"{held[0].name} is absent on {long_date(on)}."
        if held
        else "The decision maker it was sent to is no longer assigned for the partner."
    )
    return replace(verdict, reasons=(gone, *verdict.reasons))


def may_decide(
    person_id: int,
    partner_code: str,
    item: PanelItem,
    assignments: Iterable[AdmAssignment],
    on: date,
) -> DecisionRight:
    if item.decided_by is DecidedBy.NONE:
        return DecisionRight(allowed=False, refusals=(_NOT_FOR_DECISION,))
    everyone = tuple(assignments)
    names = {adm.person_id: adm.name for adm in everyone}
    who = names.get(person_id, f"Person {person_id}")
    partner = deciding_partner(item)
    refusals: list[str] = []
    warnings: list[str] = []

    if partner is None:
        refusals.append(_partner_unknown(item.decided_by))
    elif partner_code != partner:
        refusals.append(
            f"This item is decided by the ADM for {body_name(partner)}, "
            f"not for {body_name(partner_code)}."
        )
    roles = [a for a in everyone if a.person_id == person_id and a.partner_code == partner_code]
    if not roles:
        refusals.append(f"{who} is not an ADM for {body_name(partner_code)}.")
    if (bar := panel_bar(person_id, item)) is not None:
        refusals.append(f"{who} {bar}.")

    if any(_absent(adm, on) for adm in roles):
        warnings.append(f"{who} is recorded as absent on {long_date(on)}.")
    if roles and all(adm.role is AdmRole.DEPUTY for adm in roles):
        available = [
            adm.name
            for adm in everyone
            if adm.partner_code == partner_code
            and adm.role is AdmRole.PRIMARY
            and not _why_barred(adm, item, on)
        ]
        if available:
            warnings.append(
                f"{who} is deciding as deputy although {' and '.join(available)}, "
                f"the ADM for {body_name(partner_code)}, could have decided on {long_date(on)}."
            )
    return DecisionRight(allowed=not refusals, refusals=tuple(refusals), warnings=tuple(warnings))


def _why_barred(adm: AdmAssignment, item: PanelItem, on: date) -> list[str]:
    role = "ADM" if adm.role is AdmRole.PRIMARY else "deputy ADM"
    barred = []
    if _absent(adm, on):
        barred.append(
            f"{adm.name} ({role} for {body_name(adm.partner_code)}) is absent on {long_date(on)}."
        )
    if (bar := panel_bar(adm.person_id, item)) is not None:
        barred.append(f"{adm.name} ({role} for {body_name(adm.partner_code)}) {bar}.")
    return barred


def _absent(adm: AdmAssignment, on: date) -> bool:
    return any(away.from_day <= on <= away.to_day for away in adm.absences)


def _partner_unknown(decided_by: DecidedBy) -> str:
    return f"The item does not say which partner is the {_PARTNER_OF[decided_by]}."
