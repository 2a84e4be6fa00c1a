import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import docx
import pytest

from adm.documents import Addressee, Decision, LetterProblem, decision_letter
from adm.documents import Outcome as Letter
from adm.rules.clocks import DEFAULT_CLOCK_POLICY, Clock, ClockKind, due_date
from governance.calendars import working_calendars

APPROVAL = Decision(
    agency_name="Cambridgeshire & Peterborough Adoption",
    agency_address=("New Shire Hall", "Emery Crescent", "Alconbury Weald", "PE28 4YE"),
    partner_name="Peterborough City Council",
    addressees=(Addressee("Mx", "Alex", "Smith"), Addressee("Ms", "Sam", "Smith")),
    address=("12 Orchard Way", "Peterborough", "PE1 1AA"),
    case_reference="CPA-2026-0142",
    meeting_date=date(2026, 3, 26),
    panel_recommendation="That Alex Smith and Sam Smith are suitable to adopt one child.",
    adm_name="Jo Bloggs",
    adm_role="Head of Service, Children's Social Care",
    decision_date=date(2026, 4, 1),
    letter=Letter.SUITABLE,
    reasons=("The assessment shows a stable, reflective household.",),
)
NOT_SUITABLE = replace(
    APPROVAL,
    panel_recommendation="That Alex Smith and Sam Smith are not suitable to adopt.",
    letter=Letter.NOT_SUITABLE,
    reasons=("The assessment did not show an understanding of a child's need for contact.",),
)
DATED = date(2026, 4, 2)
# 40 working days beginning with Thursday 2 April 2026, the day the notice is sent (AAR reg
# 30B(5)(c)), over Good Friday, Easter Monday and the May bank holidays.
LAST_DAY = date(2026, 6, 2)


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def header_of(data: bytes) -> str:
    section = docx.Document(io.BytesIO(data)).sections[0]
    return "\n".join(paragraph.text for paragraph in section.header.paragraphs)


NOTICES = (Letter.NOT_SUITABLE, Letter.TERMINATION, Letter.FOSTER_NOT_APPROVED)


def letter(decision: Decision) -> bytes:
    if decision.letter in NOTICES:
        return decision_letter(decision, dated=DATED, respond_by=LAST_DAY)
    return decision_letter(decision, dated=DATED)


def test_a_not_suitable_letter_states_the_40_working_day_right_to_representations_or_irm() -> None:
    text = text_of(letter(NOT_SUITABLE))

    assert "qualifying determination that you are not suitable to adopt a child" in text
    assert "within 40 working days beginning with the date this notice was sent" in text
    assert "that is by Tuesday 2 June 2026 at the latest" in text
    assert "If you do neither by Tuesday 2 June 2026" in text
    assert (
        "make written representations to Cambridgeshire & Peterborough Adoption, New Shire Hall, "
        "Emery Crescent, Alconbury Weald, PE28 4YE; or"
    ) in text
    assert "apply to the Independent Review Mechanism (IRM)" in text
    assert "The assessment did not show an understanding of a child's need for contact." in text


def test_a_not_suitable_letter_without_the_last_day_for_representations_is_refused() -> None:
    with pytest.raises(ValueError, match="last day for representations"):
        decision_letter(NOT_SUITABLE, dated=DATED)


def test_a_not_suitable_letter_whose_last_day_is_not_after_the_letter_is_refused() -> None:
    with pytest.raises(ValueError, match="must come after the letter"):
        decision_letter(NOT_SUITABLE, dated=DATED, respond_by=DATED)


def test_a_qualifying_determination_without_reasons_is_refused() -> None:
    with pytest.raises(ValueError, match="must give its reasons"):
        decision_letter(replace(NOT_SUITABLE, reasons=()), dated=DATED, respond_by=LAST_DAY)


def test_an_approval_letter_gives_no_date_for_representations() -> None:
    with pytest.raises(LetterProblem, match="only a qualifying determination"):
        decision_letter(APPROVAL, dated=DATED, respond_by=LAST_DAY)

    text = text_of(letter(APPROVAL))
    assert "Independent Review Mechanism" not in text
    assert "working days" not in text


def test_a_letter_cannot_be_dated_before_the_decision() -> None:
    with pytest.raises(ValueError, match="before the decision"):
        decision_letter(APPROVAL, dated=date(2026, 3, 31))


def test_an_approval_letter_gives_the_recommendation_the_decision_and_who_made_it() -> None:
    text = text_of(letter(APPROVAL))

    assert "Cambridgeshire & Peterborough Adoption\nNew Shire Hall" in text
    assert "2 April 2026" in text
    assert "Our reference: CPA-2026-0142" in text
    assert "Mx Alex Smith and Ms Sam Smith\n12 Orchard Way\nPeterborough\nPE1 1AA" in text
    assert "Dear Mx Smith and Ms Smith" in text
    assert "on 26 March 2026" in text
    assert "That Alex Smith and Sam Smith are suitable to adopt one child." in text
    assert "On 1 April 2026 I decided that you are suitable to adopt a child." in text
    assert "The assessment shows a stable, reflective household." in text
    assert (
        "Jo Bloggs\nHead of Service, Children's Social Care\n"
        "Agency decision maker for Peterborough City Council"
    ) in text


def test_a_match_letter_says_the_child_should_be_placed_with_the_adopters() -> None:
    match = replace(APPROVAL, letter=Letter.MATCH, panel_recommendation="That the match is made.")

    text = text_of(letter(match))

    assert "Decision on the proposed match" in text
    assert "I decided that the child should be placed for adoption with you." in text
    assert "That the match is made." in text


def test_a_should_be_placed_letter_goes_to_the_parent_with_the_decision() -> None:
    placement = replace(
        APPROVAL,
        addressees=(Addressee("", "Jordan", "Taylor"),),
        address=("4 Mill Road", "Cambridge", "CB1 2AD"),
        letter=Letter.SHOULD_BE_PLACED,
        panel_recommendation="That the child should be placed for adoption.",
    )

    text = text_of(letter(placement))

    assert "Dear Jordan Taylor" in text
    assert "On 1 April 2026 I decided that the child should be placed for adoption." in text


def test_a_no_match_letter_says_the_child_will_not_be_placed_and_approval_stands() -> None:
    no_match = replace(
        APPROVAL,
        letter=Letter.NO_MATCH,
        panel_recommendation="That the match is not made.",
        reasons=("The support plan does not meet the child's health needs.",),
    )

    text = text_of(letter(no_match))

    assert "I decided that the child should not be placed for adoption with you." in text
    assert "Your approval as prospective adopters is not affected by it." in text
    assert "The support plan does not meet the child's health needs." in text


def test_a_should_not_be_placed_letter_tells_the_parent_the_plan_is_not_adoption() -> None:
    plan = replace(
        APPROVAL,
        addressees=(Addressee("", "Jordan", "Taylor"),),
        letter=Letter.NOT_TO_BE_PLACED,
        panel_recommendation="That the child should not be placed for adoption.",
    )

    text = text_of(letter(plan))

    assert "Decision on the plan for the child" in text
    assert "On 1 April 2026 I decided that the child should not be placed for adoption." in text


LETTERS = [kind for kind in Letter if kind is not Letter.NONE]


@pytest.mark.parametrize("kind", LETTERS)
def test_every_letter_is_marked_official_sensitive_in_its_header(kind: Letter) -> None:
    data = letter(replace(NOT_SUITABLE, letter=kind))

    assert header_of(data) == "OFFICIAL-SENSITIVE"


def test_the_same_decision_gives_the_same_bytes_with_no_clock_in_them() -> None:
    data = letter(NOT_SUITABLE)

    assert letter(NOT_SUITABLE) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.created == properties.modified == datetime(2026, 4, 2, tzinfo=UTC)
    assert properties.revision == 1
    assert properties.title == "Qualifying determination: your suitability to adopt"


def test_a_decision_with_nobody_to_write_to_is_refused() -> None:
    with pytest.raises(LetterProblem, match="someone to write to"):
        replace(APPROVAL, addressees=())


def test_the_letters_last_day_is_the_representations_clocks_last_day_aar_reg_30b_5_c() -> None:
    clock = Clock(ClockKind.REPRESENTATIONS_OR_IRM, started_on=DATED)
    assert due_date(clock, working_calendars([2026]), DEFAULT_CLOCK_POLICY) == LAST_DAY


FOSTER_REFUSED = replace(
    NOT_SUITABLE,
    letter=Letter.FOSTER_NOT_APPROVED,
    panel_recommendation="That Mx Smith and Ms Smith are not approved as foster carers.",
)
# 28 days of Thursday 2 April 2026 (Fostering Services (England) Regulations 2011 reg 27(6)(b)).
FOSTER_LAST_DAY = date(2026, 4, 30)


def _letter_with(kind: Letter) -> Decision:
    return replace(NOT_SUITABLE, letter=kind)


def test_a_couple_is_greeted_by_title_and_surname_and_addressed_by_full_name() -> None:
    couple = replace(APPROVAL, addressees=(Addressee("Ms", "Aisha", "Khan"),
                                           Addressee("Mr", "Imran", "Khan")))  # fmt: skip

    text = text_of(letter(couple))

    assert "Dear Ms Khan and Mr Khan" in text
    assert "Ms Aisha Khan and Mr Imran Khan\n12 Orchard Way" in text


def test_a_termination_letter_is_a_qualifying_determination_with_40_working_days_aar_reg_30d():
    text = text_of(letter(_letter_with(Letter.TERMINATION)))

    assert "Qualifying determination: the review of your approval as adopters" in text
    assert "the agency proposes to terminate your approval as suitable to adopt a child" in text
    assert "within 40 working days beginning with the date this notice was sent" in text
    assert "final decision on whether your approval as prospective adopters is terminated" in text


def test_a_fostering_for_adoption_refusal_gives_28_days_and_speaks_of_foster_carers() -> None:
    text = text_of(decision_letter(FOSTER_REFUSED, dated=DATED, respond_by=FOSTER_LAST_DAY))

    assert "the agency proposes not to approve you as foster carers" in text
    assert "within 28 days of the date of this notice, that is by Thursday 30 April 2026" in text
    assert "working days" not in text
    assert "suitable to adopt" not in text
    assert "final decision on your approval as foster carers" in text


def test_a_fostering_for_adoption_approval_says_approved_as_foster_carers_never_suitable_to_adopt():
    approved = replace(
        APPROVAL,
        letter=Letter.FOSTER_APPROVED,
        panel_recommendation="That Mx Smith and Ms Smith are approved as foster carers.",
    )

    text = text_of(letter(approved))

    assert "I decided to approve you as foster carers" in text
    assert "Decision on your approval as foster carers" in text
    assert "suitable to adopt" not in text


def test_a_continued_approval_letter_says_the_approval_continues() -> None:
    text = text_of(letter(replace(APPROVAL, letter=Letter.CONTINUE_APPROVAL)))

    assert "you continue to be suitable to adopt a child: your approval continues" in text
    assert "Independent Review Mechanism" not in text


def test_a_notice_that_departs_from_the_panel_says_so_aar_reg_30b_5_b() -> None:
    text = text_of(letter(replace(NOT_SUITABLE, agreed_with_panel=False)))

    assert "My decision differs from the panel's recommendation" in text


def test_a_letter_without_a_postal_address_is_refused_in_words() -> None:
    with pytest.raises(LetterProblem, match="postal address of the people"):
        decision_letter(replace(APPROVAL, address=()), dated=DATED)
    with pytest.raises(LetterProblem, match="agency's postal address"):
        decision_letter(replace(NOT_SUITABLE, agency_address=()), dated=DATED, respond_by=LAST_DAY)


@pytest.mark.parametrize("kind", LETTERS)
def test_the_signature_stays_with_the_letters_last_paragraph(kind: Letter) -> None:
    paragraphs = docx.Document(io.BytesIO(letter(_letter_with(kind)))).paragraphs
    closing = next(n for n, p in enumerate(paragraphs) if p.text == "Yours sincerely")

    assert paragraphs[closing - 1].paragraph_format.keep_with_next is True
    assert paragraphs[closing].paragraph_format.keep_with_next is True
    assert paragraphs[closing + 1].paragraph_format.keep_together is True
    assert paragraphs[closing + 1].text.startswith("Jo Bloggs")
    assert closing + 2 == len(paragraphs)


def _respond_by(kind: Letter) -> date | None:
    if kind is Letter.FOSTER_NOT_APPROVED:
        return FOSTER_LAST_DAY
    return LAST_DAY if kind in NOTICES else None


# What each letter must say once LibreOffice has read it, beside the salutation and signature.
READ_BACK = {
    Letter.SUITABLE: "you are suitable to adopt a child",
    Letter.NOT_SUITABLE: "proposes not to approve you as suitable to adopt",
    Letter.CONTINUE_APPROVAL: "your approval continues",
    Letter.TERMINATION: "proposes to terminate your approval",
    Letter.MATCH: "should be placed for adoption with you",
    Letter.NO_MATCH: "should not be placed for adoption with you",
    Letter.SHOULD_BE_PLACED: "the child should be placed for adoption",
    Letter.NOT_TO_BE_PLACED: "the child should not be placed for adoption",
    Letter.FOSTER_APPROVED: "approve you as foster carers",
    Letter.FOSTER_NOT_APPROVED: "proposes not to approve you as foster carers",
}


def test_every_letter_kind_reads_correctly_once_libreoffice_has_opened_it(tmp_path) -> None:
    import shutil
    import subprocess

    from governance import pdf
    from tests import support

    support.require(pdf.libreoffice_available(), "LibreOffice (soffice)")
    support.require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    sources = []
    for kind in LETTERS:
        decision = replace(
            NOT_SUITABLE,
            letter=kind,
            addressees=(Addressee("Ms", "Aisha", "Khan"), Addressee("Mr", "Imran", "Khan")),
            panel_recommendation="The panel's recommendation, in the words it gave.",
        )
        path = tmp_path / f"{kind.value}.docx"
        path.write_bytes(decision_letter(decision, dated=DATED, respond_by=_respond_by(kind)))
        sources.append(path)
    pdfs = pdf.convert_files(sources, tmp_path / "pdf")
    for kind, converted in zip(LETTERS, pdfs, strict=True):
        text = subprocess.run(
            ["pdftotext", "-layout", str(converted), "-"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        flat = " ".join(text.split())
        assert "Dear Ms Khan and Mr Khan" in flat, kind
        assert "Ms Aisha Khan and Mr Imran Khan" in flat, kind
        assert READ_BACK[kind] in flat, kind
        assert "Yours sincerely Jo Bloggs" in flat, kind
        if kind in NOTICES:
            assert "PE28 4YE" in flat and "Independent Review Mechanism" in flat, kind
        if kind in (Letter.FOSTER_APPROVED, Letter.FOSTER_NOT_APPROVED):
            assert "suitable to adopt" not in flat, kind
