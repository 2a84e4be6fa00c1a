"""Decision letters (.docx) written from an agency decision maker's decision: addressed to the
people it concerns, with the reasons and rights the law requires, ready to send as generated."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from docx.document import Document
from docx.text.paragraph import Paragraph

from governance.docx_util import deterministic_docx, marked_document
from governance.letterhead import Letterhead
from governance.rules.workdays import long_date
from panel.rules.outcomes import NOTICE_LETTERS, Letter

REPRESENTATION_WORKING_DAYS = 40  # AAR reg 30B(5)(c)
FOSTERING_REPRESENTATION_DAYS = 28  # Fostering Services (England) Regulations 2011 reg 27(6)(b)

Outcome = Letter  # the letter a decision gets (panel.rules.outcomes.Letter)


class LetterProblem(ValueError):
    """A letter that cannot be made as asked, and why, in words for the page."""


@dataclass(frozen=True, slots=True)
class Addressee:
    title: str
    forenames: str
    surname: str

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.forenames, self.surname) if part)

    @property
    def salutation(self) -> str:
        # "Ms Khan"; without a title, the whole name ("Alex Morgan").
        if self.title:
            return f"{self.title} {self.surname}"
        return " ".join(part for part in (self.forenames, self.surname) if part)


@dataclass(frozen=True, slots=True)
class Decision:
    agency_name: str
    # The agency's postal address, postcode last: where representations are sent.
    agency_address: tuple[str, ...]
    partner_name: str
    # The applicants (a couple is two), or for a should-be-placed decision the parent or guardian.
    addressees: tuple[Addressee, ...]
    address: tuple[str, ...]  # the addressees' postal address, postcode last
    case_reference: str
    meeting_date: date
    panel_recommendation: str
    adm_name: str
    adm_role: str
    decision_date: date
    letter: Letter
    reasons: tuple[str, ...]
    # The agency's logo, contacts and footer as well (governance/letterhead.py); without it the
    # letter is headed with agency_name and agency_address alone.
    letterhead: Letterhead | None = None
    agreed_with_panel: bool = True

    def __post_init__(self) -> None:
        if not self.addressees:
            raise LetterProblem("a decision letter needs someone to write to")
        if self.letter is Letter.NONE:
            raise LetterProblem("this decision gets no generated letter")


_TITLES: Mapping[Letter, str] = MappingProxyType(
    {
        Letter.SUITABLE: "Decision on your approval as prospective adopters",
        Letter.NOT_SUITABLE: "Qualifying determination: your suitability to adopt",
        Letter.CONTINUE_APPROVAL: "Decision on the review of your approval as adopters",
        Letter.TERMINATION: "Qualifying determination: the review of your approval as adopters",
        Letter.MATCH: "Decision on the proposed match",
        Letter.NO_MATCH: "Decision on the proposed match",
        Letter.SHOULD_BE_PLACED: "Decision that the child should be placed for adoption",
        Letter.NOT_TO_BE_PLACED: "Decision on the plan for the child",
        Letter.FOSTER_APPROVED: "Decision on your approval as foster carers",
        Letter.FOSTER_NOT_APPROVED: "Qualifying determination: your approval as foster carers",
    }
)

_CONSIDERED: Mapping[Letter, str] = MappingProxyType(
    {
        Letter.SUITABLE: "your application to adopt",
        Letter.NOT_SUITABLE: "your application to adopt",
        Letter.CONTINUE_APPROVAL: "the review of your approval as prospective adopters",
        Letter.TERMINATION: "the review of your approval as prospective adopters",
        Letter.MATCH: "the proposal that a child should be placed with you for adoption",
        Letter.NO_MATCH: "the proposal that a child should be placed with you for adoption",
        Letter.SHOULD_BE_PLACED: "the plan for the child",
        Letter.NOT_TO_BE_PLACED: "the plan for the child",
        Letter.FOSTER_APPROVED: "your application to be approved as foster carers for fostering "
        "for adoption",
        Letter.FOSTER_NOT_APPROVED: "your application to be approved as foster carers for "
        "fostering for adoption",
    }
)

_DECIDED: Mapping[Letter, str] = MappingProxyType(
    {
        Letter.SUITABLE: "I decided that you are suitable to adopt a child.",
        Letter.NOT_SUITABLE: (
            "I made a qualifying determination that you are not suitable to adopt a child. This "
            "means that the agency proposes not to approve you as suitable to adopt a child."
        ),
        Letter.CONTINUE_APPROVAL: (
            "I decided that you continue to be suitable to adopt a child: your approval continues."
        ),
        Letter.TERMINATION: (
            "I made a qualifying determination that you are no longer suitable to adopt a child. "
            "This means that the agency proposes to terminate your approval as suitable to adopt "
            "a child."
        ),
        Letter.MATCH: "I decided that the child should be placed for adoption with you.",
        Letter.NO_MATCH: "I decided that the child should not be placed for adoption with you.",
        Letter.SHOULD_BE_PLACED: "I decided that the child should be placed for adoption.",
        Letter.NOT_TO_BE_PLACED: "I decided that the child should not be placed for adoption.",
        Letter.FOSTER_APPROVED: (
            "I decided to approve you as foster carers, so that a child may be placed with you "
            "under fostering for adoption."
        ),
        Letter.FOSTER_NOT_APPROVED: (
            "I made a qualifying determination that you are not suitable to be foster carers. "
            "This means that the agency proposes not to approve you as foster carers."
        ),
    }
)

_NEXT: Mapping[Letter, str] = MappingProxyType(
    {
        Letter.SUITABLE: "Your social worker will contact you to talk about what happens next.",
        Letter.CONTINUE_APPROVAL: "Your social worker will contact you about what happens next.",
        Letter.MATCH: (
            "Your social worker and the child's social worker will contact you about the "
            "placement plan and adoption support."
        ),
        Letter.NO_MATCH: (
            "Your social worker will contact you to talk about this decision and what happens "
            "next. Your approval as prospective adopters is not affected by it."
        ),
        Letter.SHOULD_BE_PLACED: (
            "The child's social worker will contact you to talk about this decision and what "
            "happens next."
        ),
        Letter.NOT_TO_BE_PLACED: (
            "The child's social worker will contact you to talk about this decision and the "
            "plan for the child."
        ),
        Letter.FOSTER_APPROVED: (
            "Your social worker will contact you about the foster care agreement and what "
            "happens next."
        ),
    }
)

# What the final decision will be about if the addressees do nothing within the window.
_FINAL: Mapping[Letter, str] = MappingProxyType(
    {
        Letter.NOT_SUITABLE: "your suitability to adopt",
        Letter.TERMINATION: "whether your approval as prospective adopters is terminated",
        Letter.FOSTER_NOT_APPROVED: "your approval as foster carers",
    }
)


def decision_letter(decision: Decision, *, dated: date, respond_by: date | None = None) -> bytes:
    """The letter; raises LetterProblem, saying why, when it cannot be made."""
    notice = decision.letter in NOTICE_LETTERS
    if notice:
        if respond_by is None:
            raise LetterProblem(
                "a qualifying determination's letter must give the last day for "
                "representations or review"
            )
        if respond_by <= dated:
            raise LetterProblem("the last day for representations must come after the letter")
        if not decision.reasons:
            raise LetterProblem(
                "a qualifying determination must give its reasons (AAR reg 30B(5)(b); "
                "Fostering Services (England) Regulations 2011 reg 27(6)(a))"
            )
    elif respond_by is not None:
        raise LetterProblem("only a qualifying determination carries a date for representations")
    if dated < decision.decision_date:
        raise LetterProblem("a letter cannot be dated before the decision it gives")
    if not decision.address:
        raise LetterProblem("a letter needs the postal address of the people it goes to")
    if notice and not decision.agency_address:
        raise LetterProblem("a qualifying determination's letter needs the agency's postal address")

    title = _TITLES[decision.letter]
    document = marked_document(
        title=title,
        author=decision.agency_name,
        letterhead=decision.letterhead or Letterhead(decision.agency_name, decision.agency_address),
    )
    _letterhead(document, decision, dated)
    document.add_heading(title, level=1)
    document.add_paragraph(
        f"The adoption panel considered {_CONSIDERED[decision.letter]} "
        f"(our reference {decision.case_reference}) on {long_date(decision.meeting_date)}. "
        "Its recommendation was:"
    )
    document.add_paragraph(decision.panel_recommendation, style="Quote")
    document.add_paragraph(
        f"As the agency decision maker for {decision.partner_name}, I considered the panel's "
        "recommendation, the minutes of the meeting and the papers the panel saw. "
        f"On {long_date(decision.decision_date)} {_DECIDED[decision.letter]}"
    )
    if notice and not decision.agreed_with_panel:
        # AAR reg 30B(5)(b): a copy of the panel's recommendation if it is different.
        document.add_paragraph(
            "My decision differs from the panel's recommendation, which is quoted above in full."
        )
    if decision.reasons:
        document.add_heading("Reasons for the decision", level=2)
        for reason in decision.reasons:
            document.add_paragraph(reason)
    if respond_by is not None:
        _right_to_representations_or_review(document, decision, respond_by)
    if decision.letter in _NEXT:
        document.add_paragraph(_NEXT[decision.letter])
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
    document = marked_document(
        title=title,
        author=decision.agency_name,
        letterhead=decision.letterhead or Letterhead(decision.agency_name, decision.agency_address),
    )
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
    # The agency's name, address, logo and footer are the document's letterhead (marked_document,
    # governance/letterhead.py); the body opens with the date, reference, address and greeting.
    document.add_paragraph(long_date(dated))
    document.add_paragraph(f"Our reference: {decision.case_reference}")
    _lines(document, (_names(decision.addressees), *decision.address))
    document.add_paragraph(f"Dear {_joined([a.salutation for a in decision.addressees])}")


def _right_to_representations_or_review(
    document: Document, decision: Decision, respond_by: date
) -> None:
    document.add_heading(
        "Your right to make representations or to ask for an independent review", level=2
    )
    last_day = f"{respond_by:%A} {long_date(respond_by)}"
    if decision.letter is Letter.FOSTER_NOT_APPROVED:
        # Fostering Services (England) Regulations 2011 reg 27(6)(b): "within 28 days of the
        # date of the notice" - calendar days, the day of the notice not counted.
        period = f"within {FOSTERING_REPRESENTATION_DAYS} days of the date of this notice"
    else:
        # AAR reg 30B(5)(c): "within 40 working days beginning with the date on which the
        # notification was sent" - the day of sending is the first of them.
        period = (
            f"within {REPRESENTATION_WORKING_DAYS} working days beginning with the date this "
            "notice was sent"
        )
    document.add_paragraph(
        f"You have the right, {period}, that is by {last_day} at the latest, to do one of the "
        "following:"
    )
    document.add_paragraph(
        f"make written representations to {decision.agency_name}, "
        f"{', '.join(decision.agency_address)}; or",
        style="List Bullet",
    )
    document.add_paragraph(
        "apply to the Independent Review Mechanism (IRM) for a review of this determination "
        "by an independent review panel.",
        style="List Bullet",
    )
    document.add_paragraph(
        f"If you do neither by {last_day}, the agency decision maker will make a final decision "
        f"on {_FINAL[decision.letter]}."
    )


def _sign_off(document: Document, decision: Decision) -> None:
    # The closing and the signature stay on the page of the letter's last paragraph.
    last = document.paragraphs[-1]
    _keep_with_next(last)
    closing = document.add_paragraph("Yours sincerely")
    _keep_with_next(closing)
    signature = _lines(
        document,
        (
            decision.adm_name,
            decision.adm_role,
            f"Agency decision maker for {decision.partner_name}",
        ),
    )
    signature.paragraph_format.keep_together = True


def _keep_with_next(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.keep_together = True


def _lines(document: Document, lines: Sequence[str]) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.add_run("\n".join(lines))
    return paragraph


def joined_names(people: Sequence[Addressee]) -> str:
    """ "Ms Aisha Khan and Mr Imran Khan"."""
    return _names(people)


def _names(people: Sequence[Addressee]) -> str:
    return _joined([person.full_name for person in people])


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
    letterhead: Letterhead | None = None  # the agency's logo, contacts and footer

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
    document = marked_document(
        title=PARENT_LETTER_TITLE,
        author=notice.agency_name,
        letterhead=notice.letterhead or Letterhead(notice.agency_name, notice.agency_address),
    )
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
