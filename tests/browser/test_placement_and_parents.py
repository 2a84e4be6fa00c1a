"""The new pages of issue 18 parts 8-10 in a browser on the demo agency, each checked by axe with
and without its errors: the parent or guardian told of a should-be-placed decision and their
letter, Stage 2 paused on an item's clocks, and the authority to place on a match item."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe import serious_violations
from tests.browser.pages import sign_in

ADVISER = "adviser@demo.example"

pytestmark = pytest.mark.browser


def test_the_adviser_sees_the_parents_told_and_fetches_their_letter(browser: Any) -> None:
    from playwright.sync_api import expect

    sign_in(browser, ADVISER)
    browser.goto("/adm/clocks?kind=parents_told_in_writing&state=all")
    row = browser.locator("tr", has_text="CH-3310")
    expect(row).to_contain_text("Met")
    assert serious_violations(browser) == []
    row.get_by_role("link", name="CH-3310").click()
    expect(browser.get_by_role("heading", name="Telling the parent or guardian")).to_be_visible()
    expect(
        browser.locator("tr", has_text="Parent or guardian told of the decision")
    ).to_contain_text("statutory working days")
    assert serious_violations(browser) == []
    with browser.expect_download() as download:
        browser.get_by_role("link", name="Letter to the parent or guardian (.docx)").click()
    assert download.value.suggested_filename == "parent-letter-CH-3310.docx"
    told = browser.get_by_label("Date the parent or guardian was told")
    told.fill("not a date")
    browser.get_by_role("button", name="Save").last.click()
    expect(browser.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(browser) == []


def test_the_adviser_pauses_stage_2_and_is_told_what_is_missing(browser: Any) -> None:
    from playwright.sync_api import expect

    sign_in(browser, ADVISER)
    browser.goto("/adm/clocks?kind=stage_2&state=all")
    browser.locator("tr", has_text="CPA/2026/031").get_by_role(
        "link", name="CPA/2026/031 (J.S.)"
    ).click()
    expect(browser.get_by_role("heading", name="Pause Stage 2")).to_be_visible()
    assert serious_violations(browser) == []
    browser.get_by_role("radio", name="Exceptional circumstances").check()
    browser.get_by_role("textbox", name="What happened").fill("")
    browser.get_by_role("button", name="Save the pause").click()
    summary = browser.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say what the exceptional circumstances are")
    assert serious_violations(browser) == []


def test_the_adviser_reads_the_authority_to_place_on_a_match(browser: Any) -> None:
    from playwright.sync_api import expect

    sign_in(browser, ADVISER)
    browser.goto("/adm/clocks?kind=member_list_to_applicants&state=all")
    browser.locator("tr", has_text="CH-3340").get_by_role("link", name="CH-3340 (M P)").click()
    browser.get_by_role("link", name="The item on the agenda").click()
    browser.get_by_role("link", name="Authority to place the child").click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text("Authority to place")
    expect(browser.get_by_text("The requirement of regulation 32(5) is met")).to_be_visible()
    expect(
        browser.get_by_label("Placement order (Adoption and Children Act 2002 s.21)")
    ).to_be_checked()
    assert serious_violations(browser) == []
    browser.get_by_label("Date the placement order was made, or the consent given").fill("")
    browser.get_by_role("button", name="Save").click()
    expect(browser.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the placement order was made"
    )
    assert serious_violations(browser) == []
