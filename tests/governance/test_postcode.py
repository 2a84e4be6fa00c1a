"""The UK postcode format (BS 7666, Cabinet Office PostCodeType): which texts are postcodes."""

from __future__ import annotations

import pytest

from governance.rules import postcode


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("M1 1AA", "M1 1AA"),  # A9 9AA
        ("M60 1NW", "M60 1NW"),  # A99 9AA
        ("CR2 6XH", "CR2 6XH"),  # AA9 9AA
        ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
        ("W1A 1HQ", "W1A 1HQ"),  # A9A 9AA
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
        ("GIR 0AA", "GIR 0AA"),  # the one exception
    ],
)
def test_each_of_the_six_forms_of_a_uk_postcode_is_accepted_bs_7666(
    typed: str, written: str
) -> None:
    assert postcode.check(typed) == postcode.Postcode(True, written)


def test_a_postcode_typed_in_lower_case_or_without_its_space_is_written_as_royal_mail_does() -> (
    None
):
    assert postcode.check(" cb3 0ap ").written == "CB3 0AP"
    assert postcode.check("pe11ff").written == "PE1 1FF"
    assert postcode.check("SN15  1HT").written == "SN15 1HT"


@pytest.mark.parametrize(
    "typed",
    [
        "QA1 1AA",  # Q never first
        "AJ1 1AA",  # J never second
        "W1I 1AA",  # I never third in A9A
        "EC1C 1AA",  # C never fourth in AA9A
        "CB3 0CI",  # C and I never in the inward code
        "CB3 0A",  # inward code too short
        "CB3",  # an outward code alone
        "12345",  # a ZIP code
        "SW1A 1AA X",
        "CB3 0 AP",  # the space splits the inward code
    ],
)
def test_a_text_outside_the_official_format_is_not_a_postcode_bs_7666(typed: str) -> None:
    verdict = postcode.check(typed)
    assert not verdict.valid
    assert verdict.reason


def test_nothing_typed_is_no_postcode() -> None:
    assert postcode.check("  ") == postcode.Postcode(False, "", "there is no postcode")
