"""The board chair's day in a real browser, and an accessibility check of every board page."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from playwright.sync_api import expect

from governance import clock
from tests.browser.axe import serious_violations
from tests.browser.test_foundation import sign_in

pytestmark = pytest.mark.browser


def test_the_chair_sees_attendance_overdue_actions_and_timeliness_on_the_dashboard(
    browser: Any,
) -> None:
    sign_in(browser, "chair@demo.example")
    browser.get_by_role("link", name="Board dashboard").click()
    expect(browser.get_by_role("heading", name="Governance dashboard")).to_be_visible()
    below = browser.locator("#below-threshold")
    assert "Fiona Clarke: attended 2 of 4 meetings (50%)" in below.inner_text()
    assert "Peterborough" not in below.inner_text()
    overdue = browser.locator("#overdue-actions")
    assert "Bring proposals to improve attendance from Peterborough" in overdue.inner_text()
    expect(browser.locator("#timeliness")).to_be_visible()
    text = browser.locator("main").inner_text()
    timeliness = text.split("Panel and ADM timeliness")[1].split("Quorum, deferrals")[0]
    # The demo's decisions are real records; whether one closed in the last full quarter depends
    # on today's date, but the dashboard must never claim that none were recorded.
    assert "No ADM decisions recorded yet." not in timeliness
    assert "ADM decision" in timeliness or "No clocks fell due in" in timeliness
    assert "Missed and open" in timeliness  # the definitions are on the page
    assert browser.locator("svg[role=img]").count() >= 5
    own = browser.locator("#own-attendance").inner_text()
    assert "Daniel Osei: attended in person 2 of 4 meetings (50%)" in own
    definitions = browser.locator("#figure-definitions").inner_text()
    assert "Children waiting and not yet matched" in definitions
    assert "never a figure quoted from elsewhere" in definitions
    scorecard = browser.locator("#scorecard-table").inner_text()
    assert "A1: Entering care to moving in with the adoptive family" in scorecard
    assert "no date of entering care" in scorecard


def test_the_dashboard_is_usable_at_390_pixels_wide(browser: Any) -> None:
    browser.set_viewport_size({"width": 390, "height": 844})
    sign_in(browser, "chair@demo.example")
    browser.goto("/board")
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390
    expect(browser.locator("#timeliness-definitions")).to_be_visible()
    assert serious_violations(browser) == []


def test_the_chair_records_a_meeting_its_attendance_and_a_new_action(browser: Any) -> None:
    sign_in(browser, "chair@demo.example")
    browser.goto("/board/meetings")
    today = clock.today().isoformat()
    browser.get_by_label("Meeting title").fill("Extraordinary partnership board")
    browser.get_by_label("Date").fill(today)
    browser.get_by_label("Starts at").fill("14:00")
    browser.get_by_label("Finishes at").fill("15:00")
    browser.get_by_role("button", name="Schedule meeting").click()
    expect(browser.get_by_text("Your changes have been saved.")).to_be_visible()
    assert browser.locator("#matters-arising li").count() >= 3
    browser.get_by_role("link", name="Record attendance").click()
    # Count the attendance form's groups only once its page has loaded (under load the click's
    # navigation can still be on its way, and the meeting page has no groups to count).
    expect(browser.get_by_role("heading", level=1, name="Record attendance")).to_be_visible()
    legends = browser.locator("legend")
    for index in range(legends.count()):
        group = browser.locator("fieldset").nth(index)
        group.get_by_label("Present").check()
    browser.get_by_role("button", name="Save attendance").click()
    assert "Quorate" in browser.locator("#quorum").inner_text()
    browser.get_by_label("Action", exact=True).fill("Write to both councils about the review")
    browser.get_by_label("Owner").select_option(label="Marcus Webb")
    browser.get_by_label("Due date").fill("2001-01-01")
    browser.get_by_role("button", name="Add action").click()
    summary = browser.locator(".govuk-error-summary")
    assert "the date of the meeting that raised the action" in summary.inner_text()
    browser.get_by_label("Due date").fill(today)
    browser.get_by_role("button", name="Add action").click()
    expect(
        browser.get_by_role("link", name="Write to both councils about the review")
    ).to_be_visible()


def test_the_chair_downloads_the_board_report(browser: Any) -> None:
    sign_in(browser, "chair@demo.example")
    browser.goto("/board/report")
    browser.get_by_label("From the quarter").select_option("2022-23 Q1")
    browser.get_by_label("To the quarter").select_option("2022-23 Q3")
    with browser.expect_download() as download:
        browser.get_by_role("button", name="Download Word report").click()
    path = download.value.path()
    with open(path, "rb") as file, zipfile.ZipFile(io.BytesIO(file.read())) as docx:
        body = docx.read("word/document.xml").decode()
    assert "Conversion from enquiry to Stage 1: 14% (applications commencing Stage 1" in body
    assert "Adopter gap: -34%" in body
    assert "missed and open (not done by the end of the quarter" in body
    assert "National adoption scorecard measures" in body
    assert "considered for extension" in body


PAGES = {
    "chair@demo.example": [
        "/",
        "/board",
        "/board/members",
        "/board/members/new",
        "/board/members/1",
        "/board/meetings",
        "/board/meetings/8",
        "/board/meetings/9",
        "/board/meetings/8/attendance",
        "/board/actions",
        "/board/actions?status=overdue",
        "/board/actions/7",
        "/board/decisions",
        "/board/figures",
        "/board/figures/new",
        "/board/figures/1",
        "/board/figures/children/new",
        "/board/figures/children/1",
        "/board/funding",
        "/board/terms-of-reference",
        "/board/report",
    ],
    "board@demo.example": ["/", "/board", "/board/figures", "/board/funding"],
}


@pytest.mark.parametrize(
    ("email", "path"), [(email, path) for email, paths in PAGES.items() for path in paths]
)
def test_every_board_page_passes_the_accessibility_check(
    browser: Any, email: str, path: str
) -> None:
    sign_in(browser, email)
    response = browser.goto(path)
    assert response.status == 200, path
    assert serious_violations(browser) == []


def test_a_form_error_on_a_board_page_passes_the_accessibility_check(browser: Any) -> None:
    sign_in(browser, "chair@demo.example")
    browser.goto("/board/figures/new")
    browser.get_by_label("Enquiries").fill("-4")
    browser.get_by_role("button", name="Save figures").click()
    assert (
        "The number of enquiries cannot be negative"
        in browser.locator(".govuk-error-summary").inner_text()
    )
    assert serious_violations(browser) == []


def test_the_dashboard_and_its_charts_work_without_javascript(
    chromium: Any, live_server: Any
) -> None:
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "board@demo.example")
        page.goto("/board")
        assert page.locator("svg[role=img]").count() >= 4
        assert "Fiona Clarke" not in page.content()
        expect(page.get_by_text("Figures in the chart: Attendance by partner")).to_be_visible()
    finally:
        context.close()
