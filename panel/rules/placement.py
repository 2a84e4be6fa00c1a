"""Whether the panel may recommend a match (AAR reg 32(5)), and what a recommendation or decision
on a child's placement says: the one place that reads "should be placed" from an outcome."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType


class Authority(StrEnum):
    """How an adoption agency comes to be authorised to place a child for adoption (Adoption and
    Children Act 2002 s.18(2)): a placement order (s.21), or the consent of each parent or
    guardian to placement (s.19)."""

    PLACEMENT_ORDER = "placement_order"
    SECTION_19_CONSENT = "section_19_consent"


AUTHORITY_LABELS = MappingProxyType(
    {
        Authority.PLACEMENT_ORDER: "Placement order (Adoption and Children Act 2002 s.21)",
        Authority.SECTION_19_CONSENT: (
            "Consent to placement by each parent or guardian (Adoption and Children Act 2002 s.19)"
        ),
    }
)


def says_no(outcome: str) -> bool:
    """Whether an outcome refuses what the item asks ("should not be placed", "no match").

    Read from the outcome's wording until each outcome of an item type carries its meaning:
    this is the one function to change then."""
    words = outcome.lower()
    return "not" in words.split() or "no match" in words


def is_should_be_placed(is_should_be_placed_item: bool, outcome: str) -> bool:
    """A recommendation or decision, on an item asking whether the child should be placed for
    adoption, that the child should be (AAR regs 18(1) and 19(1)); it is what the parent or
    guardian must be told of (reg 19(3)) and what lets the panel recommend a match at the same
    meeting (reg 32(5)(a))."""
    return is_should_be_placed_item and bool(outcome.strip()) and not says_no(outcome)


def is_match_recommended(outcome: str) -> bool:
    """A recommendation that the child be placed with the particular prospective adopter (AAR
    reg 32(1)), rather than that they should not."""
    return bool(outcome.strip()) and not says_no(outcome)


def is_approval_recommended(outcome: str) -> bool:
    """A recommendation that the prospective adopter is suitable to adopt (AAR reg 30A(1))."""
    words = outcome.lower()
    return "suitable" in words and not says_no(outcome)


@dataclass(frozen=True, slots=True)
class MatchFacts:
    meeting_on: date
    # Earlier at this meeting the panel recommended the same child should be placed.
    placed_at_this_meeting: bool = False
    authority: Authority | None = None
    authorised_on: date | None = None
    adopters_approved_on: date | None = None  # the ADM's decision that they are suitable
    # Earlier at this meeting the panel recommended the same adopters as suitable to adopt.
    approved_at_this_meeting: bool = False


@dataclass(frozen=True, slots=True)
class MatchVerdict:
    allowed: bool
    missing: tuple[str, ...] = ()  # why a match may not be recommended yet (AAR reg 32(5))
    warnings: tuple[str, ...] = ()  # what else should be on record first


def match_prerequisites(facts: MatchFacts) -> MatchVerdict:
    """AAR reg 32(5): "An adoption panel may only make the recommendation referred to in
    paragraph (1) if (a) that recommendation is to be made at the same meeting of the adoption
    panel at which a recommendation has been made that the child should be placed for adoption;
    or (b) the adoption agency is authorised to place the child for adoption." The authority must
    exist on the day of the meeting. The adopters must be approved (the match is with "that
    particular prospective adopter", reg 32(1)): on record, or recommended earlier at the same
    meeting; its absence is a warning, not a refusal, since the panel may hear both."""
    missing: list[str] = []
    authorised = facts.authority is not None and facts.authorised_on is not None
    if facts.authority is not None and facts.authorised_on is None:
        missing.append("the date of the placement order or consent is not on record")
    elif authorised and facts.authorised_on is not None and facts.authorised_on > facts.meeting_on:
        missing.append(
            "the agency's authority to place the child is dated after the meeting "
            f"({facts.authorised_on.isoformat()})"
        )
        authorised = False
    if not facts.placed_at_this_meeting and not authorised:
        missing.insert(
            0,
            "no recommendation that the child should be placed for adoption was made earlier at "
            "this meeting, and no placement order or s.19 consent is on record (AAR reg 32(5))",
        )
    warnings: list[str] = []
    approved = facts.adopters_approved_on is not None and (
        facts.adopters_approved_on <= facts.meeting_on
    )
    if not approved and not facts.approved_at_this_meeting:
        warnings.append(
            "the adopters' approval is not on record and they were not recommended as suitable "
            "earlier at this meeting"
        )
    allowed = facts.placed_at_this_meeting or authorised
    return MatchVerdict(allowed=allowed, missing=tuple(missing) if not allowed else (),
                        warnings=tuple(warnings))  # fmt: skip
