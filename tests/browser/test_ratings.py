"""Grace Adeyemi, a demo panel member, rates the reports of an item she sat on, as a member would:
from the navigation, through an error, by keyboard and clicks, with and without JavaScript; and
every page on the way passes the accessibility check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

MEMBER = "member@demo.example"  # Grace Adeyemi: sat on the demo's oldest past panel


def test_a_member_rates_a_report_of_an_item_she_sat_on(browser: Any) -> None:
    sign_in(browser, MEMBER)
    browser.get_by_role("link", name="Rate reports").click()
    expect(browser.get_by_role("heading", name="Rate reports")).to_be_visible()
    assert serious_violations(browser) == []

    browser.get_by_role("link", name=re.compile(r"^Rate the reports of item 1, ADP-2101")).click()
    expect(browser.get_by_role("heading", name="Rate the reports of item 1")).to_be_visible()
    assert serious_violations(browser) == []

    # Sent with only the report named: the summary links to the first grade missing.
    browser.get_by_label("Report rated").fill("PAR")
    browser.get_by_role("button", name="Save my rating").click()
    summary = browser.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert serious_violations(browser) == []
    summary.get_by_role("link", name=re.compile("thorough, rigorous")).click()
    assert browser.evaluate("document.activeElement.id") == "quality"

    # The grades by keyboard: arrow keys move within a radio group, Space picks.
    browser.get_by_label("Team that wrote it").fill("Peterborough assessment team")
    quality = browser.get_by_role("group", name="Thorough, rigorous, consistent and fair")
    quality.get_by_label("Good").focus()
    browser.keyboard.press("Space")
    expect(quality.get_by_label("Good")).to_be_checked()
    complete = browser.get_by_role("group", name="Complete")
    complete.get_by_label("Good").focus()
    browser.keyboard.press("ArrowRight")
    expect(complete.get_by_label("Adequate")).to_be_checked()
    browser.get_by_role("group", name="On time").get_by_label("Yes").check()
    browser.get_by_label("Comment (optional)").fill("Clear analysis of the applicants' support.")
    browser.get_by_role("button", name="Save my rating").focus()
    browser.keyboard.press("Enter")

    browser.wait_for_url(re.compile(r".*/panel/my/ratings\?rated=\d+$"))
    expect(browser.get_by_text("Your rating of the reports of item 1 (ADP-2101)")).to_be_visible()
    row = browser.get_by_role("row", name=re.compile("ADP-2101"))
    expect(row.get_by_role("cell", name="PAR", exact=True)).to_be_visible()
    assert serious_violations(browser) == []


def test_rating_works_without_javascript_and_a_second_rating_is_refused(
    chromium: Any, live_server: Any
) -> None:
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, MEMBER)
        page.goto("/panel/my/ratings")
        page.get_by_role("link", name=re.compile(r"^Rate the reports of item 2, CH-3301")).click()
        for _ in range(2):
            page.get_by_label("Report rated").fill("CPR")
            page.get_by_label("Team that wrote it").fill("Cambridgeshire children's team")
            page.get_by_role("group", name="Thorough, rigorous, consistent and fair").get_by_label(
                "Adequate"
            ).check()
            page.get_by_role("group", name="Complete").get_by_label("Poor").check()
            page.get_by_role("group", name="On time").get_by_label("No").check()
            page.get_by_role("button", name="Save my rating").click()
            if "rated=" in page.url:
                page.goto(page.url.split("?")[0])
                page.get_by_role(
                    "link", name=re.compile(r"^Rate another report of item 2, CH-3301")
                ).click()
        expect(
            page.get_by_text("Grace Adeyemi has already rated the CPR for this item").first
        ).to_be_visible()
        assert "CPR (Cambridgeshire children" in page.content()
    finally:
        context.close()
