"""Whether the panel may recommend a match (AAR reg 32(5)), and what a recommendation or decision
on a child's placement says: read from each item type's category and each outcome's meaning
(panel.rules.outcomes), never from their words, so an agency may reword either."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from panel.rules.outcomes import Category, Meaning


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


def is_match_type(category: Category) -> bool:
    """An item asking whether the child should be placed with a particular prospective adopter
    (AAR reg 32(1)): the type says so by its category, whatever it is called."""
    return category is Category.MATCH


def is_should_be_placed_type(category: Category) -> bool:
    """An item asking whether the child should be placed for adoption (AAR reg 18(1))."""
    return category is Category.SHOULD_BE_PLACED


# Items asking whether prospective adopters are suitable (AAR reg 30A(1)): a full or brief
# prospective adopter's report, and fostering for adoption carers heard for approval.
_APPROVAL_CATEGORIES = frozenset(
    {Category.ADOPTER_APPROVAL, Category.BRIEF_PAR, Category.FOSTER_TO_ADOPT}
)


def is_approval_type(category: Category) -> bool:
    """An item asking whether prospective adopters are suitable to adopt (AAR reg 30A(1)), whom
    the panel must first invite to attend (reg 30A(5)); a review of approval is not one."""
    return category in _APPROVAL_CATEGORIES


def is_should_be_placed(meaning: Meaning | None) -> bool:
    """A recommendation or decision that the child should be placed for adoption (AAR regs
    18(1) and 19(1)): what the parent or guardian must be told of (reg 19(3)) and what lets the
    panel recommend a match at the same meeting (reg 32(5)(a)). From the outcome's meaning,
    never its wording: an agency may reword "Should be placed for adoption"."""
    return meaning is Meaning.SHOULD_BE_PLACED


def is_match_recommended(meaning: Meaning | None) -> bool:
    """A recommendation that the child be placed with the particular prospective adopter (AAR
    reg 32(1)), rather than that they should not: from the outcome's meaning."""
    return meaning is Meaning.MATCH


def is_approval_recommended(meaning: Meaning | None) -> bool:
    """A recommendation that the prospective adopter is suitable to adopt (AAR reg 30A(1)):
    from the outcome's meaning."""
    return meaning is Meaning.SUITABLE


@dataclass(frozen=True, slots=True)
class HeardItem:
    """One item listed at a meeting, as the match rules need it: what kind of item it is (its
    type's category), the meaning of the recommendation made on it (None before one is made),
    and whom it is about."""

    id: int
    category: Category
    meaning: Meaning | None
    case_reference: str = ""
    children: frozenset[str] = frozenset()
    applicants: frozenset[str] = frozenset()


def _same_child(one: HeardItem, other: HeardItem) -> bool:
    return one.case_reference == other.case_reference or bool(one.children & other.children)


def placed_items(match: HeardItem, others: Iterable[HeardItem]) -> list[HeardItem]:
    """The items at the meeting asking whether the match's child should be placed."""
    return [
        i
        for i in others
        if i.id != match.id and is_should_be_placed_type(i.category) and _same_child(match, i)
    ]


def placed_at_meeting(match: HeardItem, others: Iterable[HeardItem]) -> bool:
    """AAR reg 32(5)(a): at this meeting the panel recommended that the match's child should be
    placed for adoption."""
    return any(is_should_be_placed(i.meaning) for i in placed_items(match, others))


def approved_at_meeting(match: HeardItem, others: Iterable[HeardItem]) -> bool:
    """AAR reg 32(1) ("that particular prospective adopter"): at this meeting the panel
    recommended the match's adopters as suitable to adopt (reg 30A(1))."""
    return any(
        i.id != match.id
        and is_approval_type(i.category)
        and bool(match.applicants & i.applicants)
        and is_approval_recommended(i.meaning)
        for i in others
    )


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
