import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import docx
import pytest

from adm.documents import Decision, Outcome, decision_letter
from adm.rules.clocks import DEFAULT_CLOCK_POLICY, Clock, ClockKind, due_date
from governance.calendars import working_calendars

APPROVAL = Decision(
    agency_name="Cambridgeshire & Peterborough Adoption",
    agency_address=("New Shire Hall", "Emery Crescent", "Alconbury Weald", "PE28 4YE"),
    partner_name="Peterborough City Council",
    addressees=("Alex Smith", "Sam Smith"),
    address=("12 Orchard Way", "Peterborough", "PE1 1AA"),
    case_reference="CPA-2026-0142",
    meeting_date=date(2026, 3, 26),
    panel_recommendation="That Alex Smith and Sam Smith are suitable to adopt one child.",
    adm_name="Jo Bloggs",
    adm_role="Head of Service, Children's Social Care",
    decision_date=date(2026, 4, 1),
    outcome=Outcome.SUITABLE,
    reasons=("The assessment shows a stable, reflective household.",),
)
NOT_SUITABLE = replace(
    APPROVAL,
    panel_recommendation="That Alex Smith and Sam Smith are not suitable to adopt.",
    outcome=Outcome.NOT_SUITABLE,
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


def letter(decision: Decision) -> bytes:
    if decision.outcome is Outcome.NOT_SUITABLE:
        return decision_letter(decision, dated=DATED, respond_by=LAST_DAY)
    return decision_letter(decision, dated=DATED)


def test_a_not_suitable_letter_states_the_40_working_day_right_to_representations_or_irm() -> None:
    text = text_of(letter(NOT_SUITABLE))

    assert "qualifying determination that you are not suitable to adopt a child" in text
    assert "within 40 working days beginning with the date this notice was sent" in text
    assert "that is by Tuesday 2 June 2026 at the latest" in text
    assert "If you do neither by Tuesday 2 June 2026" in text
    assert "make written representations to Cambridgeshire & Peterborough Adoption" in text
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
    with pytest.raises(ValueError, match="only a not-suitable letter"):
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
    assert "Alex Smith\nSam Smith\n12 Orchard Way\nPeterborough\nPE1 1AA" in text
    assert "Dear Alex Smith and Sam Smith" in text
    assert "on 26 March 2026" in text
    assert "That Alex Smith and Sam Smith are suitable to adopt one child." in text
    assert "On 1 April 2026 I decided that you are suitable to adopt a child." in text
    assert "The assessment shows a stable, reflective household." in text
    assert (
        "Jo Bloggs\nHead of Service, Children's Social Care\n"
        "Agency decision maker for Peterborough City Council"
    ) in text


def test_a_match_letter_says_the_child_should_be_placed_with_the_adopters() -> None:
    match = replace(APPROVAL, outcome=Outcome.MATCH, panel_recommendation="That the match is made.")

    text = text_of(letter(match))

    assert "Decision on the proposed match" in text
    assert "I decided that the child should be placed for adoption with you." in text
    assert "That the match is made." in text


def test_a_should_be_placed_letter_goes_to_the_parent_with_the_decision() -> None:
    placement = replace(
        APPROVAL,
        addressees=("Jordan Taylor",),
        address=("4 Mill Road", "Cambridge", "CB1 2AD"),
        outcome=Outcome.SHOULD_BE_PLACED,
        panel_recommendation="That the child should be placed for adoption.",
    )

    text = text_of(letter(placement))

    assert "Dear Jordan Taylor" in text
    assert "On 1 April 2026 I decided that the child should be placed for adoption." in text


def test_a_no_match_letter_says_the_child_will_not_be_placed_and_approval_stands() -> None:
    no_match = replace(
        APPROVAL,
        outcome=Outcome.NO_MATCH,
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
        addressees=("Jordan Taylor",),
        outcome=Outcome.NOT_TO_BE_PLACED,
        panel_recommendation="That the child should not be placed for adoption.",
    )

    text = text_of(letter(plan))

    assert "Decision on the plan for the child" in text
    assert "On 1 April 2026 I decided that the child should not be placed for adoption." in text


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_letter_is_marked_official_sensitive_in_its_header(outcome: Outcome) -> None:
    data = letter(replace(NOT_SUITABLE, outcome=outcome))

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
    with pytest.raises(ValueError, match="someone to write to"):
        replace(APPROVAL, addressees=())


def test_the_letters_last_day_is_the_representations_clocks_last_day_aar_reg_30b_5_c() -> None:
    clock = Clock(ClockKind.REPRESENTATIONS_OR_IRM, started_on=DATED)
    assert due_date(clock, working_calendars([2026]), DEFAULT_CLOCK_POLICY) == LAST_DAY
