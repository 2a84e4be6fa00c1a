"""Decision letters (.docx) written from an agency decision maker's decision."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from docx.document import Document

from governance.docx_util import deterministic_docx, marked_document
from governance.letterhead import Letterhead
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
    # The agency's logo, contacts and footer as well (governance/letterhead.py); without it the
    # letter is headed with agency_name and agency_address alone.
    letterhead: Letterhead | None = None

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
    document = marked_document(
        title=title,
        author=decision.agency_name,
        letterhead=decision.letterhead or Letterhead(decision.agency_name, decision.agency_address),
    )
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


@dataclass(frozen=True, slots=True)
class FinalDecision:
    """The ADM's final decision after a qualifying determination (AAR reg 30B(9), (10))."""

    decision: Decision  # the qualifying determination it follows: names, addresses, signatory
    notice_sent_on: date
    received: tuple[str, ...]  # what the applicants sent, and what the panels recommended
    recommendation: str  # the IRM panel's or the agency panel's further recommendation
    recommended_by: str  # "the independent review panel", "the adoption panel", or ""
    decided_on: date
    approved: bool
    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.reasons:
            raise ValueError("a final decision must give its reasons")
        if self.decided_on < self.decision.decision_date:
            raise ValueError("a final decision cannot come before the determination it follows")


def final_decision_letter(final: FinalDecision, *, dated: date) -> bytes:
    """The letter of the final decision (AAR reg 30B(10)): what was received, any recommendation
    of the independent review panel or the adoption panel, the decision and its reasons."""
    if dated < final.decided_on:
        raise ValueError("a letter cannot be dated before the decision it gives")
    decision = final.decision
    title = "Final decision: your suitability to adopt"
    document = marked_document(title=title, author=decision.agency_name)
    _letterhead(document, decision, dated)
    document.add_heading(title, level=1)
    document.add_paragraph(
        f"On {long_date(final.notice_sent_on)} we wrote to tell you that the agency proposed not "
        f"to approve you as prospective adopters (a qualifying determination made on "
        f"{long_date(decision.decision_date)}, our reference {decision.case_reference}), and of "
        "your right to make representations or to apply to the Independent Review Mechanism."
    )
    if final.received:
        document.add_heading("What I took into account", level=2)
        for line in final.received:
            document.add_paragraph(line, style="List Bullet")
    if final.recommendation:
        document.add_paragraph(f"The recommendation of {final.recommended_by} was:")
        document.add_paragraph(final.recommendation, style="Quote")
    outcome = (
        "that you are suitable to adopt a child. The agency approves you as prospective adopters."
        if final.approved
        else "that you are not suitable to adopt a child. The agency does not approve you as "
        "prospective adopters."
    )
    document.add_paragraph(
        f"As the agency decision maker for {decision.partner_name}, on "
        f"{long_date(final.decided_on)} I made the agency's final decision {outcome}"
    )
    document.add_heading("Reasons for the decision", level=2)
    for reason in final.reasons:
        document.add_paragraph(reason)
    document.add_paragraph(
        "Your social worker will contact you to talk about what happens next."
        if final.approved
        else "This is the agency's final decision on your application. If you are unhappy "
        "with how your application was handled, you may use the agency's complaints procedure."
    )
    _sign_off(document, decision)
    return deterministic_docx(document, dated=dated)


def _letterhead(document: Document, decision: Decision, dated: date) -> None:
    # The agency's name and address are already at the top (marked_document's letterhead).
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
