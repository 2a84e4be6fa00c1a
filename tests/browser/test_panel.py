"""A panel adviser's first year, tried as a new user would, and an accessibility check of every
panel page for each panel role."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from governance import clock
from governance.demo import DEMO_PASSWORD
from tests.browser.axe import serious_violations

pytestmark = pytest.mark.browser


def sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def _workbook(tmp_path: Any) -> Any:
    today = clock.today()
    recent = (today - timedelta(days=30)).isoformat()
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Name",
            "Email",
            "Seats",
            "Years of PQE",
            "Independent of the agency",
            "Date joined",
            "Enhanced DBS check",
            "Induction",
            "Equality and diversity training",
            "Safeguarding training",
            "Annual review",
        ]
    )
    sheet.append(
        [
            "Imogen Price",
            "imogen.price@example.org",
            "independent",
            "",
            "yes",
            (today - timedelta(days=500)).isoformat(),
            "2023-06-01",
            recent,
            recent,
            recent,
            recent,
        ]
    )
    sheet.append(["Harold Finch", "harold.finch@example.org", "social_worker", "7", "no",
                  (today - timedelta(days=500)).isoformat(), recent, recent, recent, recent,
                  recent])  # fmt: skip
    path = tmp_path / "central-list.xlsx"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_an_adviser_imports_schedules_rosters_and_sees_why_a_member_cannot_sit(
    browser: Any, tmp_path: Any
) -> None:
    sign_in(browser, "adviser@demo.example")
    browser.get_by_role("link", name="Central list").first.click()
    browser.get_by_role("button", name="Import from CSV or XLSX").click()
    browser.get_by_label("File to import").set_input_files(str(_workbook(tmp_path)))
    browser.get_by_role("button", name="Check and import").click()
    expect(browser.get_by_text("Imported 2 rows")).to_be_visible()

    browser.goto("/panel/meetings/series")
    first = clock.today() + timedelta(days=1)
    browser.get_by_label("Pattern").fill("2nd and 4th Tuesday, 14:00-17:00")
    browser.get_by_label("First date").fill(first.isoformat())
    browser.get_by_label("Last date").fill((first + timedelta(days=364)).isoformat())
    browser.get_by_label("Venue").fill("Room 5, Pathfinder House")
    browser.get_by_role("button", name="Schedule the series").click()
    expect(browser.get_by_text(re.compile(r"2[3-5] meetings scheduled"))).to_be_visible()
    browser.get_by_role("link", name="See the meetings calendar").click()
    browser.get_by_role("link", name=re.compile(r"^Tuesday .* 14:00 to 17:00")).first.click()
    ineligible = browser.locator("section", has_text="Not eligible on").inner_text()
    assert "Imogen Price: DBS check expired on 1 June 2026" in ineligible
    browser.get_by_role("button", name="Suggest a roster").click()
    browser.get_by_role("button", name="Accept the roster and send invitations").click()
    expect(browser.get_by_text("Your changes have been saved")).to_be_visible()
    expect(browser.get_by_text("Quorate").first).to_be_visible()
    assert browser.locator("#roster tbody tr").count() == 6


PAGES = {
    "adviser@demo.example": [
        "/",
        "/panel/members",
        "/panel/members/1",
        "/panel/members/new",
        "/panel/members/due",
        "/panel/members/import",
        "/panel/policies",
        "/panel/meetings",
        "/panel/meetings/new",
        "/panel/meetings/series",
        "/panel/meetings/1",
        "/panel/meetings/1/suggestion",
        "/panel/rosters",
    ],
    "administrator@demo.example": ["/", "/panel/members", "/panel/meetings", "/panel/meetings/2"],
    "member@demo.example": [
        "/",
        "/panel/my/sittings",
        "/panel/my/availability",
        "/panel/my/interests",
        "/panel/my/feed",
    ],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_every_panel_page_has_no_serious_accessibility_problems(browser: Any, email: str) -> None:
    sign_in(browser, email)
    problems = []
    for path in PAGES[email]:
        response = browser.goto(path)
        assert response.status < 400, path
        problems += [f"{path}: {p}" for p in serious_violations(browser)]
    assert problems == []


def test_a_form_with_errors_is_accessible_and_links_to_the_field(browser: Any) -> None:
    sign_in(browser, "adviser@demo.example")
    browser.goto("/panel/meetings/new")
    browser.get_by_label("Date").fill("31/02/2027")
    browser.get_by_role("button", name="Schedule the meeting").click()
    summary = browser.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name=re.compile("Date must be a real date")).click()
    assert browser.evaluate("document.activeElement.id") == "day"
    assert serious_violations(browser) == []


def test_a_member_sees_her_sittings_on_her_home_page(browser: Any) -> None:
    sign_in(browser, "member@demo.example")
    expect(browser.get_by_role("heading", name="My next sittings")).to_be_visible()
    browser.get_by_role("link", name="My sittings").first.click()
    expect(browser.get_by_role("heading", name="My sittings")).to_be_visible()
