"""Decision letters (.docx) written from an agency decision maker's decision."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from docx.document import Document

from governance.docx_util import deterministic_docx, marked_document
from governance.rules.workdays import long_date

REPRESENTATION_WORKING_DAYS = 40  # AAR reg 30B(5)(c)


class Outcome(StrEnum):
    SUITABLE = "suitable"
    NOT_SUITABLE = "not_suitable"
    MATCH = "match"
    NO_MATCH = "no_match"
    SHOULD_BE_PLACED = "should_be_placed"
    NOT_TO_BE_PLACED = "not_to_be_placed"


@dataclass(frozen=True, slots=True)
class Decision:
    agency_name: str
    agency_address: tuple[str, ...]
    partner_name: str
    # The applicants, or for a should-be-placed decision the child's parents or guardian.
    addressees: tuple[str, ...]
    address: tuple[str, ...]
    case_reference: str
    meeting_date: date
    panel_recommendation: str
    adm_name: str
    adm_role: str
    decision_date: date
    outcome: Outcome
    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.addressees:
            raise ValueError("a decision letter needs someone to write to")


_TITLES = {
    Outcome.SUITABLE: "Decision on your approval as prospective adopters",
    Outcome.NOT_SUITABLE: "Qualifying determination: your suitability to adopt",
    Outcome.MATCH: "Decision on the proposed match",
    Outcome.NO_MATCH: "Decision on the proposed match",
    Outcome.SHOULD_BE_PLACED: "Decision that the child should be placed for adoption",
    Outcome.NOT_TO_BE_PLACED: "Decision on the plan for the child",
}

_CONSIDERED = {
    Outcome.SUITABLE: "your application to adopt",
    Outcome.NOT_SUITABLE: "your application to adopt",
    Outcome.MATCH: "the proposal that the child should be placed with you",
    Outcome.NO_MATCH: "the proposal that the child should be placed with you",
    Outcome.SHOULD_BE_PLACED: "the plan for the child",
    Outcome.NOT_TO_BE_PLACED: "the plan for the child",
}

_DECIDED = {
    Outcome.SUITABLE: "I decided that you are suitable to adopt a child.",
    Outcome.NOT_SUITABLE: (
        "I made a qualifying determination that you are not suitable to adopt a child. This "
        "means that the agency proposes not to approve you as prospective adopters."
    ),
    Outcome.MATCH: "I decided that the child should be placed for adoption with you.",
    Outcome.NO_MATCH: "I decided that the child should not be placed for adoption with you.",
    Outcome.SHOULD_BE_PLACED: "I decided that the child should be placed for adoption.",
    Outcome.NOT_TO_BE_PLACED: "I decided that the child should not be placed for adoption.",
}

_NEXT = {
    Outcome.SUITABLE: "Your social worker will contact you to talk about what happens next.",
    Outcome.NOT_SUITABLE: "",
    Outcome.MATCH: (
        "Your social worker and the child's social worker will contact you about the "
        "placement plan and adoption support."
    ),
    Outcome.NO_MATCH: (
        "Your social worker will contact you to talk about this decision and what happens "
        "next. Your approval as prospective adopters is not affected by it."
    ),
    Outcome.SHOULD_BE_PLACED: (
        "The child's social worker will contact you to talk about this decision and what "
        "happens next."
    ),
    Outcome.NOT_TO_BE_PLACED: (
        "The child's social worker will contact you to talk about this decision and the "
        "plan for the child."
    ),
}


def decision_letter(decision: Decision, *, dated: date, respond_by: date | None = None) -> bytes:
    if decision.outcome is Outcome.NOT_SUITABLE:
        if respond_by is None:
            raise ValueError(
                "a not-suitable letter must give the last day for representations or review"
            )
        if respond_by <= dated:
            raise ValueError("the last day for representations must come after the letter")
        if not decision.reasons:
            raise ValueError("a qualifying determination must give its reasons")
    elif respond_by is not None:
        raise ValueError("only a not-suitable letter carries a date for representations")
    if dated < decision.decision_date:
        raise ValueError("a letter cannot be dated before the decision it gives")

    title = _TITLES[decision.outcome]
    document = marked_document(title=title, author=decision.agency_name)
    _letterhead(document, decision, dated)
    document.add_heading(title, level=1)
    document.add_paragraph(
        f"The adoption panel considered {_CONSIDERED[decision.outcome]} "
        f"(our reference {decision.case_reference}) on {long_date(decision.meeting_date)}. "
        "Its recommendation was:"
    )
    document.add_paragraph(decision.panel_recommendation, style="Quote")
    document.add_paragraph(
        f"As the agency decision maker for {decision.partner_name}, I considered the panel's "
        "recommendation, the minutes of the meeting and the papers the panel saw. "
        f"On {long_date(decision.decision_date)} {_DECIDED[decision.outcome]}"
    )
    if decision.reasons:
        document.add_heading("Reasons for the decision", level=2)
        for reason in decision.reasons:
            document.add_paragraph(reason)
    if respond_by is not None:
        _right_to_representations_or_review(document, decision, respond_by)
    if _NEXT[decision.outcome]:
        document.add_paragraph(_NEXT[decision.outcome])
    _sign_off(document, decision)
    return deterministic_docx(document, dated=dated)


def _letterhead(document: Document, decision: Decision, dated: date) -> None:
    letterhead = document.add_paragraph()
    letterhead.add_run(decision.agency_name).bold = True
    letterhead.add_run("".join(f"\n{line}" for line in decision.agency_address))
    document.add_paragraph(long_date(dated))
    document.add_paragraph(f"Our reference: {decision.case_reference}")
    _lines(document, (*decision.addressees, *decision.address))
    document.add_paragraph(f"Dear {_joined(decision.addressees)}")


def _right_to_representations_or_review(
    document: Document, decision: Decision, respond_by: date
) -> None:
    document.add_heading(
        "Your right to make representations or to ask for an independent review", level=2
    )
    document.add_paragraph(
        # AAR reg 30B(5)(c): "within 40 working days beginning with the date on which the
        # notification was sent" - the day of sending is the first of them.
        f"You have the right, within {REPRESENTATION_WORKING_DAYS} working days beginning with "
        f"the date this notice was sent, that is by {respond_by:%A} {long_date(respond_by)} at "
        "the latest, to do one of the following:"
    )
    document.add_paragraph(
        f"make written representations to {decision.agency_name} at the address above; or",
        style="List Bullet",
    )
    document.add_paragraph(
        "apply to the Independent Review Mechanism (IRM) for a review of this determination "
        "by an independent review panel.",
        style="List Bullet",
    )
    document.add_paragraph(
        f"If you do neither by {respond_by:%A} {long_date(respond_by)}, the agency decision maker "
        "will make a final decision on your suitability to adopt."
    )


def _sign_off(document: Document, decision: Decision) -> None:
    document.add_paragraph("Yours sincerely")
    _lines(
        document,
        (
            decision.adm_name,
            decision.adm_role,
            f"Agency decision maker for {decision.partner_name}",
        ),
    )


def _lines(document: Document, lines: Sequence[str]) -> None:
    document.add_paragraph().add_run("\n".join(lines))


def _joined(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True, slots=True)
class ParentNotice:
    """A decision that a child should be placed for adoption, as told to the child's parent or
    guardian (AAR reg 19(3))."""

    agency_name: str
    agency_address: tuple[str, ...]
    partner_name: str
    addressees: tuple[str, ...]  # the parent or guardian (each, where more than one)
    address: tuple[str, ...]
    case_reference: str
    child: str  # initials: a letter never names the child in full
    meeting_date: date
    adm_name: str
    adm_role: str
    decision_date: date
    told_orally_on: date | None = None

    def __post_init__(self) -> None:
        if not self.addressees:
            raise ValueError("a letter to a parent or guardian needs someone to write to")


PARENT_LETTER_TITLE = "The agency's decision that your child should be placed for adoption"


def parent_letter(notice: ParentNotice, *, dated: date) -> bytes:
    """The written notification of AAR reg 19(3): the agency must notify the parent or guardian
    in writing of its decision that the child should be placed for adoption."""
    if dated < notice.decision_date:
        raise ValueError("a letter cannot be dated before the decision it gives")
    if notice.told_orally_on is not None and notice.told_orally_on < notice.decision_date:
        raise ValueError("nobody can be told of a decision before it is made")
    document = marked_document(title=PARENT_LETTER_TITLE, author=notice.agency_name)
    letterhead = document.add_paragraph()
    letterhead.add_run(notice.agency_name).bold = True
    letterhead.add_run("".join(f"\n{line}" for line in notice.agency_address))
    document.add_paragraph(long_date(dated))
    document.add_paragraph(f"Our reference: {notice.case_reference}")
    _lines(document, (*notice.addressees, *notice.address))
    document.add_paragraph(f"Dear {_joined(notice.addressees)}")
    document.add_heading(PARENT_LETTER_TITLE, level=1)
    told = (
        f" Your child's social worker told you of this decision on "
        f"{long_date(notice.told_orally_on)}; this letter confirms it in writing."
        if notice.told_orally_on
        else ""
    )
    document.add_paragraph(
        f"The adoption panel considered the plan for {notice.child} on "
        f"{long_date(notice.meeting_date)} and recommended that {notice.child} should be placed "
        f"for adoption. As the agency decision maker for {notice.partner_name}, I considered the "
        "panel's recommendation, the minutes of the meeting and the papers the panel saw. On "
        f"{long_date(notice.decision_date)} I decided that {notice.child} should be placed for "
        f"adoption.{told}"
    )
    document.add_heading("What this means for you", level=2)
    document.add_paragraph(
        f"{notice.child} can be placed for adoption only with your consent to placement, given "
        "under section 19 of the Adoption and Children Act 2002 and witnessed by an officer of "
        "Cafcass, or under a placement order made by the court. You do not have to give your "
        "consent, and you may withdraw it until an application for an adoption order is made."
    )
    document.add_paragraph(
        "You can get independent legal advice, and the agency will arrange independent support "
        "and counselling for you if you would like it. Your child's social worker will contact "
        "you to talk about this decision, what happens next and how you can take part."
    )
    document.add_paragraph("Yours sincerely")
    _lines(
        document,
        (notice.adm_name, notice.adm_role, f"Agency decision maker for {notice.partner_name}"),
    )
    return deterministic_docx(document, dated=dated)
