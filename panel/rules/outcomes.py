"""What each recommendation an item type may have means: whether a decision following it is a
qualifying determination, which letter it gets, and whether it ends the case with no decision.

An agency words its outcomes as it likes; the meaning is a fixed code from a closed list, so a
renamed outcome keeps its law. Wording is read only once, to map records made before outcomes
carried their meaning (`meaning_from_old_wording`) and to default a new outcome that uses a
statutory wording exactly (`statutory_meaning`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Category(StrEnum):
    """Which clocks an item keeps and whose law applies (adm.rules.clocks.ItemCategory)."""

    ADOPTER_APPROVAL = "adopter_approval"
    BRIEF_PAR = "brief_par"
    REVIEW_OF_APPROVAL = "review_of_approval"
    FOSTER_TO_ADOPT = "foster_to_adopt"
    SHOULD_BE_PLACED = "should_be_placed"
    MATCH = "match"
    INFORMATION = "information"


CATEGORY_LABELS: Mapping[Category, str] = MappingProxyType(
    {
        Category.ADOPTER_APPROVAL: "Approval of prospective adopters",
        Category.BRIEF_PAR: "Brief prospective adopter's report",
        Category.REVIEW_OF_APPROVAL: "Review or termination of approval",
        Category.FOSTER_TO_ADOPT: "Fostering for adoption: approval as foster carers",
        Category.SHOULD_BE_PLACED: "Child should be placed for adoption",
        Category.MATCH: "Match of a child with approved adopters",
        Category.INFORMATION: "Information only (no decision)",
    }
)


class Meaning(StrEnum):
    SUITABLE = "suitable"
    NOT_SUITABLE = "not_suitable"
    NO_LONGER_SUITABLE = "no_longer_suitable"
    TERMINATE_APPROVAL = "terminate_approval"
    CONTINUE_APPROVAL = "continue_approval"
    FULL_REPORT_NEEDED = "full_report_needed"
    BRIEF_NOT_SUITABLE = "brief_not_suitable"
    MATCH = "match"
    NO_MATCH = "no_match"
    SHOULD_BE_PLACED = "should_be_placed"
    SHOULD_NOT_BE_PLACED = "should_not_be_placed"
    FOSTER_APPROVED = "foster_approved"
    FOSTER_NOT_APPROVED = "foster_not_approved"
    MORE_INFORMATION = "more_information"
    NOTED = "noted"
    OTHER = "other"


MEANING_LABELS: Mapping[Meaning, str] = MappingProxyType(
    {
        Meaning.SUITABLE: "Suitable to adopt",
        Meaning.NOT_SUITABLE: "Not suitable to adopt",
        Meaning.NO_LONGER_SUITABLE: "No longer suitable to adopt (review)",
        Meaning.TERMINATE_APPROVAL: "Termination of approval",
        Meaning.CONTINUE_APPROVAL: "Continue approval",
        Meaning.FULL_REPORT_NEEDED: "Brief report: a full report is needed",
        Meaning.BRIEF_NOT_SUITABLE: "Brief report: not suitable to adopt",
        Meaning.MATCH: "Match",
        Meaning.NO_MATCH: "No match",
        Meaning.SHOULD_BE_PLACED: "Should be placed for adoption",
        Meaning.SHOULD_NOT_BE_PLACED: "Should not be placed for adoption",
        Meaning.FOSTER_APPROVED: "Fostering for adoption: approved as foster carers",
        Meaning.FOSTER_NOT_APPROVED: "Fostering for adoption: not approved as foster carers",
        Meaning.MORE_INFORMATION: "More information needed",
        Meaning.NOTED: "Noted (information only)",
        Meaning.OTHER: "Other (no statutory meaning)",
    }
)


class Letter(StrEnum):
    NONE = "none"
    SUITABLE = "suitable"
    NOT_SUITABLE = "not_suitable"
    CONTINUE_APPROVAL = "continue_approval"
    TERMINATION = "termination"
    MATCH = "match"
    NO_MATCH = "no_match"
    SHOULD_BE_PLACED = "should_be_placed"
    NOT_TO_BE_PLACED = "not_to_be_placed"
    FOSTER_APPROVED = "foster_approved"
    FOSTER_NOT_APPROVED = "foster_not_approved"


LETTER_LABELS: Mapping[Letter, str] = MappingProxyType(
    {
        Letter.NONE: "No letter is generated",
        Letter.SUITABLE: "Approval as suitable to adopt",
        Letter.NOT_SUITABLE: "Qualifying determination: not suitable to adopt",
        Letter.CONTINUE_APPROVAL: "Approval continues after review",
        Letter.TERMINATION: "Qualifying determination: termination of approval",
        Letter.MATCH: "Match: child to be placed with the adopters",
        Letter.NO_MATCH: "No match",
        Letter.SHOULD_BE_PLACED: "Child should be placed for adoption",
        Letter.NOT_TO_BE_PLACED: "Child should not be placed for adoption",
        Letter.FOSTER_APPROVED: "Fostering for adoption: approved as foster carers",
        Letter.FOSTER_NOT_APPROVED: "Qualifying determination: not approved as foster carers",
    }
)

# Letters that are the written notice of a qualifying determination: they give reasons and the
# right to representations or an IRM review, with its last day.
NOTICE_LETTERS = frozenset({Letter.NOT_SUITABLE, Letter.TERMINATION, Letter.FOSTER_NOT_APPROVED})


@dataclass(frozen=True, slots=True)
class Outcome:
    """One recommendation an item type may have, as the agency words it, and what it means."""

    wording: str
    meaning: Meaning
    qualifying: bool  # a decision following it is a qualifying determination
    letter: Letter
    # The panel's recommendation ends the case with no ADM decision: "a full report is needed" on
    # a brief report asks for a PAR; no decision clock runs.
    closes_without_decision: bool = False


@dataclass(frozen=True, slots=True)
class Defaults:
    qualifying: bool
    letter: Letter
    closes_without_decision: bool = False
    source: str = ""


# What each meaning carries unless the agency says otherwise, with the law that makes it so.
DEFAULTS: Mapping[Meaning, Defaults] = MappingProxyType(
    {
        Meaning.SUITABLE: Defaults(False, Letter.SUITABLE, source="AAR reg 30B(4)"),
        Meaning.NOT_SUITABLE: Defaults(True, Letter.NOT_SUITABLE, source="AAR reg 30B(5)"),
        Meaning.NO_LONGER_SUITABLE: Defaults(True, Letter.TERMINATION, source="AAR reg 30D"),
        Meaning.TERMINATE_APPROVAL: Defaults(True, Letter.TERMINATION, source="AAR reg 30D"),
        Meaning.CONTINUE_APPROVAL: Defaults(False, Letter.CONTINUE_APPROVAL, source="AAR reg 30D"),
        Meaning.FULL_REPORT_NEEDED: Defaults(
            False, Letter.NONE, closes_without_decision=True, source="AAR reg 30(2)-(3)"
        ),
        Meaning.BRIEF_NOT_SUITABLE: Defaults(True, Letter.NOT_SUITABLE, source="AAR reg 30B(5)"),
        Meaning.MATCH: Defaults(False, Letter.MATCH, source="AAR reg 33"),
        Meaning.NO_MATCH: Defaults(False, Letter.NO_MATCH, source="AAR reg 33"),
        Meaning.SHOULD_BE_PLACED: Defaults(False, Letter.SHOULD_BE_PLACED, source="AAR reg 19"),
        Meaning.SHOULD_NOT_BE_PLACED: Defaults(False, Letter.NOT_TO_BE_PLACED, source="AAR reg 19"),
        Meaning.FOSTER_APPROVED: Defaults(
            False,
            Letter.FOSTER_APPROVED,
            source="Fostering Services (England) Regulations 2011 reg 27",
        ),
        Meaning.FOSTER_NOT_APPROVED: Defaults(
            True,
            Letter.FOSTER_NOT_APPROVED,
            source="Fostering Services (England) Regulations 2011 reg 27(6)",
        ),
        Meaning.MORE_INFORMATION: Defaults(False, Letter.NONE),
        Meaning.NOTED: Defaults(False, Letter.NONE),
        Meaning.OTHER: Defaults(False, Letter.NONE),
    }
)


def with_defaults(wording: str, meaning: Meaning) -> Outcome:
    found = DEFAULTS[meaning]
    return Outcome(wording, meaning, found.qualifying, found.letter, found.closes_without_decision)


# The statutory and DOMAIN.md wordings of each category's outcomes, matched whole (casefolded).
STATUTORY_WORDINGS: Mapping[Category, Mapping[str, Meaning]] = MappingProxyType(
    {
        Category.ADOPTER_APPROVAL: {
            "suitable to adopt": Meaning.SUITABLE,
            "not suitable to adopt": Meaning.NOT_SUITABLE,
        },
        Category.BRIEF_PAR: {
            "full report needed": Meaning.FULL_REPORT_NEEDED,
            "a full report is needed": Meaning.FULL_REPORT_NEEDED,
            "not suitable to adopt": Meaning.BRIEF_NOT_SUITABLE,
        },
        Category.REVIEW_OF_APPROVAL: {
            "continue approval": Meaning.CONTINUE_APPROVAL,
            "terminate approval": Meaning.TERMINATE_APPROVAL,
            "termination of approval": Meaning.TERMINATE_APPROVAL,
            "no longer suitable to adopt": Meaning.NO_LONGER_SUITABLE,
        },
        Category.FOSTER_TO_ADOPT: {
            "approve": Meaning.FOSTER_APPROVED,
            "do not approve": Meaning.FOSTER_NOT_APPROVED,
        },
        Category.SHOULD_BE_PLACED: {
            "should be placed for adoption": Meaning.SHOULD_BE_PLACED,
            "should not be placed for adoption": Meaning.SHOULD_NOT_BE_PLACED,
        },
        Category.MATCH: {"match": Meaning.MATCH, "no match": Meaning.NO_MATCH},
        Category.INFORMATION: {"noted": Meaning.NOTED},
    }
)


def statutory_meaning(category: Category, wording: str) -> Meaning:
    """The meaning of a statutory wording of this category's outcomes, else OTHER: the agency
    then says what its own wording means."""
    if wording.strip().casefold() in ("more information needed", "more information"):
        return Meaning.MORE_INFORMATION
    return STATUTORY_WORDINGS[category].get(wording.strip().casefold(), Meaning.OTHER)


def meaning_from_old_wording(category: Category, wording: str) -> Meaning:
    """What an outcome recorded before outcomes carried a meaning meant, read the way the
    service read it then (by its words), so a migrated record keeps the law it was decided
    under. Used by the migration only."""
    exact = statutory_meaning(category, wording)
    if exact is not Meaning.OTHER:
        return exact
    words = wording.lower()
    refused = "not" in words.split() or "no match" in words or "do not" in words
    if "more information" in words:
        return Meaning.MORE_INFORMATION
    if category is Category.MATCH:
        return Meaning.NO_MATCH if refused else Meaning.MATCH
    if category is Category.SHOULD_BE_PLACED:
        return Meaning.SHOULD_NOT_BE_PLACED if refused else Meaning.SHOULD_BE_PLACED
    if category is Category.INFORMATION:
        return Meaning.NOTED
    if "terminat" in words:
        return Meaning.TERMINATE_APPROVAL
    if "no longer suitable" in words:
        return Meaning.NO_LONGER_SUITABLE
    if "full report" in words:
        return Meaning.FULL_REPORT_NEEDED
    if category is Category.FOSTER_TO_ADOPT:
        return Meaning.FOSTER_NOT_APPROVED if refused else Meaning.FOSTER_APPROVED
    if "not suitable" in words:
        return (
            Meaning.BRIEF_NOT_SUITABLE if category is Category.BRIEF_PAR else Meaning.NOT_SUITABLE
        )
    if "continue" in words and category is Category.REVIEW_OF_APPROVAL:
        return Meaning.CONTINUE_APPROVAL
    if any(w in words for w in ("suitable", "approve")) and not refused:
        return Meaning.SUITABLE
    return Meaning.OTHER


def category_from_old_type(code: str, name: str, subject: str, decided_by: str) -> Category:
    """The category an item type was filed under before types carried it, read as the service
    read it then. Used by the migration only."""
    code = code.lower()
    if code in Category.__members__.values():
        return Category(code)
    if code == "approval":
        return Category.ADOPTER_APPROVAL
    if code == "review":
        return Category.REVIEW_OF_APPROVAL
    text = f"{code} {name}".lower()
    if decided_by == "none" or subject == "information":
        return Category.INFORMATION
    for words, category in (
        (("match",), Category.MATCH),
        (("brief",), Category.BRIEF_PAR),
        (("review", "termination", "terminate"), Category.REVIEW_OF_APPROVAL),
        (("foster", "early permanence", "early_permanence"), Category.FOSTER_TO_ADOPT),
        (("placed", "placement"), Category.SHOULD_BE_PLACED),
    ):
        if any(word in text for word in words):
            return category
    if subject == "child":
        return Category.SHOULD_BE_PLACED
    return Category.ADOPTER_APPROVAL


_FOSTERING = frozenset({Meaning.FOSTER_APPROVED, Meaning.FOSTER_NOT_APPROVED})
_FOSTER_LETTERS = frozenset({Letter.FOSTER_APPROVED, Letter.FOSTER_NOT_APPROVED, Letter.NONE})


def problems(outcome: Outcome) -> tuple[str, ...]:
    """What is wrong with the attributes an agency gave an outcome, in plain words."""
    found = []
    default = DEFAULTS[outcome.meaning]
    label = MEANING_LABELS[outcome.meaning]
    if default.qualifying and not outcome.qualifying:
        found.append(
            f"'{label}' is a qualifying determination in law ({default.source}): a decision "
            "following it must be one"
        )
    if outcome.qualifying and outcome.letter not in NOTICE_LETTERS:
        found.append(
            "A qualifying determination's letter must be its written notice, with the reasons "
            "and the right to make representations or ask for a review"
        )
    if outcome.letter in NOTICE_LETTERS and not outcome.qualifying:
        found.append("Only a qualifying determination gets a notice letter")
    if outcome.closes_without_decision and (outcome.qualifying or outcome.letter != Letter.NONE):
        found.append(
            "An outcome that closes the case with no decision has no decision to be qualifying "
            "and no letter"
        )
    if outcome.meaning in _FOSTERING and outcome.letter not in _FOSTER_LETTERS:
        # Fostering for adoption carers are approved as foster carers, not as adopters.
        found.append("A fostering for adoption outcome gets a foster carers' letter")
    return tuple(found)
