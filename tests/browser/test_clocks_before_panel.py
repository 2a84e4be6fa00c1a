"""The clocks before panel in a browser on the demo agency: the adviser finds the next panel's
items on the clocks page, records when the member list went to the applicants by keyboard alone,
gives the reason today's panel's papers went out late, and names the head of service who hears
of missed clocks. Each page passes the accessibility check, errors included."""

from __future__ import annotations

import re
from typing import Any

import pytest

from governance import clock
from tests.browser.axe import serious_violations
from tests.browser.pages import sign_in

ADVISER = "adviser@demo.example"

pytestmark = pytest.mark.browser


def test_the_adviser_records_a_date_and_a_reason_before_the_panel(browser: Any) -> None:
    from playwright.sync_api import expect

    sign_in(browser, ADVISER)
    browser.goto("/adm/clocks")
    browser.get_by_label("Clock", exact=True).select_option(label="Panel member list to applicants")
    browser.get_by_role("button", name="Filter").click()
    row = browser.locator("tr", has_text="CPA/2026/041")
    expect(row).to_contain_text("Running")
    row.get_by_role("link", name="CPA/2026/041 (D.W.)").click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text(
        "Clocks before panel: CPA/2026/041"
    )
    assert serious_violations(browser) == []

    # A date in the wrong form: the error summary names it and links to the field.
    field = browser.get_by_label("Panel member list sent to the applicants")
    field.fill("next week")
    field.press("Enter")
    expect(browser.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    assert serious_violations(browser) == []
    browser.locator(".govuk-error-summary a").first.click()
    expect(field).to_be_focused()
    field.fill("")
    browser.keyboard.type(clock.today().isoformat())  # the service's date, not the browser's
    browser.keyboard.press("Enter")
    expect(browser.locator("tr", has_text="Panel member list to applicants")).to_contain_text("Met")

    # Today's panel's papers went out after the deadline: the adviser says why.
    browser.goto("/adm/clocks?kind=papers_to_members&state=missed")
    late = browser.locator("tr", has_text="ADP-2140")
    expect(late).to_contain_text("Missed")
    late.get_by_label("Reason for the breach").fill("The medical adviser's report came late.")
    late.get_by_role("button", name=re.compile("^Record")).click()
    expect(browser.locator("tr", has_text="ADP-2140").first).to_contain_text(
        "Breach accepted: The medical adviser's report came late."
    )


def test_the_adviser_names_who_hears_of_missed_clocks(browser: Any) -> None:
    from playwright.sync_api import expect

    sign_in(browser, ADVISER)
    browser.goto("/adm/escalation")
    expect(browser.get_by_role("cell", name="Ruth Okafor", exact=True)).to_be_visible()
    assert serious_violations(browser) == []
    browser.get_by_role("button", name="Add").click()
    expect(browser.locator(".govuk-error-summary")).to_contain_text("Enter name")
    assert serious_violations(browser) == []
    browser.get_by_label("Name").fill("Sam Deputy")
    browser.get_by_label("E-mail address").fill("sam.deputy@demo.example")
    browser.get_by_label("Job title").fill("Deputy head of service")
    browser.get_by_role("button", name="Add").click()
    expect(browser.get_by_role("cell", name="Sam Deputy", exact=True)).to_be_visible()
    browser.get_by_role("button", name="Stop telling Sam Deputy").click()
    expect(browser.get_by_role("cell", name="Sam Deputy", exact=True)).to_have_count(0)
