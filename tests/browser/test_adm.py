"""The issue's walk-through in a browser on the demo agency: a member leaves before the third
item, which goes inquorate; the chair approves the minutes; the Peterborough ADM sees only
Peterborough items and decides one; the letter comes out; the five-day clock is met. Then an
accessibility check of every meeting-record and ADM page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.axe import serious_violations
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

ADVISER = "adviser@demo.example"
CHAIR = "desmond.clarke@panel.demo.example"
PETERBOROUGH = "adm.peterborough@demo.example"


def _todays_meeting(page: Any) -> str:
    page.goto("/panel/record")
    link = page.locator("table a.govuk-link").first
    link.click()
    page.wait_for_url(re.compile(r".*/panel/record/meetings/\d+$"))
    return str(page.url)


def test_a_panel_from_the_live_record_to_the_letter_and_the_met_clock(
    chromium: Any, live_server: Any
) -> None:
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, ADVISER)
        meeting_url = _todays_meeting(page)
        # Both social workers leave just before the third item starts.
        third = re.search(r"(\d\d):(\d\d) to", page.locator("#item-3").inner_text())
        assert third is not None
        minutes = int(third.group(1)) * 60 + int(third.group(2)) - 2
        for name in ("Katarzyna Nowak", "Imran Sheikh"):
            page.get_by_label(f"Attendance of {name}").select_option("present")
            page.get_by_label(f"{name} left at").fill(f"{minutes // 60:02d}:{minutes % 60:02d}")
        for name in ("Desmond Clarke", "Chloe Martin", "Yasmin Haddad"):
            page.get_by_label(f"Attendance of {name}").select_option("present")
        page.get_by_role("button", name="Save attendance").click()
        rows = page.locator("#item-3")
        assert "Not quorate" in rows.inner_text()
        assert "Quorate" in page.locator("#item-1").inner_text()
        for number, outcome in ((1, "Suitable to adopt"), (2, "Match")):
            page.locator(f"#item-{number} a").click()
            page.get_by_label("Recommendation", exact=True).select_option(outcome)
            page.get_by_label("Reasons (for a deferral: why)").fill(
                "A thorough and balanced report."
            )
            page.get_by_role("button", name=f"Save the record of item {number}").click()
            page.wait_for_load_state()
            assert "saved=item" in page.url, page.locator("main").inner_text()[:1500]
        page.locator("#item-3 a").click()
        assert "not quorate for this item" in page.content()
        page.get_by_label("Deferred the item").check()
        page.get_by_label("Reasons (for a deferral: why)").fill("The panel was not quorate.")
        page.get_by_label("Information needed (deferral only, one a line)").fill("A quorate panel")
        page.get_by_role("button", name="Save the record of item 3").click()
        page.wait_for_url(re.compile(r".*saved=item"))
        page.context.clear_cookies()

        sign_in(page, CHAIR)
        page.goto(meeting_url + "/minutes")
        page.get_by_role("button", name="Approve the minutes").click()
        assert "final and locked" in page.content()
        page.context.clear_cookies()

        sign_in(page, PETERBOROUGH)
        page.goto("/adm/queue")
        queue = page.locator("main").inner_text()
        assert "ADP-2140" in queue and "CH-3340" not in queue and "CH-3301" not in queue
        page.get_by_role("link", name="ADP-2140").click()
        page.get_by_label("Agree with the recommendation", exact=True).check()
        page.get_by_role("button", name="Record my decision").click()
        assert "The decision was recorded" in page.content()
        # Nobody has recorded whom the letter goes to: the page says so instead of failing.
        assert "record the names and postal address of the people it goes to" in page.content()
        referral_url = page.url.split("?")[0]
        page.context.clear_cookies()

        sign_in(page, ADVISER)
        page.goto(referral_url)
        page.get_by_role("link", name="Whom the letters go to").click()
        for field, value in (
            ("first_title", "Ms"),
            ("first_forenames", "Grace"),
            ("first_surname", "Lewis"),
            ("second_title", "Mr"),
            ("second_forenames", "Henry"),
            ("second_surname", "Lewis"),
            ("address", "5 Park Road\nPeterborough"),
            ("postcode", "PE1 9ZL"),
        ):
            page.locator(f"#{field}").fill(value)
        page.get_by_role("button", name="Save").click()
        assert "Ms Grace Lewis and Mr Henry Lewis" in page.content()
        with page.expect_download() as download:
            page.get_by_role("link", name="Decision letter (.docx)").click()
        assert download.value.suggested_filename.endswith(".docx")
        today = page.get_by_label("Date of the decision").count() == 0
        assert today
        page.get_by_label("Date told orally").fill(_today())
        page.get_by_label("Date the letter was sent").fill(_today())
        page.get_by_role("button", name="Save").click()
        page.goto("/adm/clocks?kind=told_in_writing&state=met")
        met = page.locator("main").inner_text()
        assert "ADP-2140" in met and "on time" in met
    finally:
        context.close()


def _today() -> str:
    from governance import clock

    return clock.today().isoformat()


@pytest.mark.parametrize(
    ("email", "path"),
    [
        (ADVISER, "/panel/record"),
        (ADVISER, "first-meeting"),
        (ADVISER, "first-item"),
        (ADVISER, "first-minutes"),
        (ADVISER, "/panel/record/quality"),
        (ADVISER, "/adm/clocks"),
        (ADVISER, "/adm/assignments"),
        ("adm@demo.example", "/adm/queue"),
        ("adm@demo.example", "first-referral"),
        ("adm@demo.example", "first-addressee"),
        (ADVISER, "first-addressee"),
        (ADVISER, "first-outcomes"),
    ],
)
def test_every_record_and_adm_page_passes_the_accessibility_check(
    browser: Any, email: str, path: str
) -> None:
    sign_in(browser, email)
    if path == "first-meeting":
        _todays_meeting(browser)
    elif path == "first-item":
        _todays_meeting(browser)
        browser.locator("#item-1 a").click()
    elif path == "first-minutes":
        browser.goto("/panel/record")
        browser.get_by_role("link", name=re.compile("^Minutes")).first.click()
    elif path == "first-referral":
        browser.goto("/adm/queue")
        browser.locator("table a.govuk-link").first.click()
    elif path == "first-addressee" and email == ADVISER:
        browser.goto("/adm/clocks")
        browser.locator("main table a.govuk-link[href^='/adm/referrals/']").first.click()
        browser.get_by_role("link", name="Whom the letters go to").click()
        assert "Postal address" in browser.content()
    elif path == "first-addressee":
        browser.goto("/adm/queue")
        browser.locator("table a.govuk-link").first.click()
        browser.get_by_role("link", name="Whom the letters go to").click()
    elif path == "first-outcomes":
        browser.goto("/panel/item-types")
        browser.get_by_role("link", name=re.compile("^Outcomes")).first.click()
        assert "What it means" in browser.content() or "Its letter" in browser.content()
    else:
        response = browser.goto(path)
        assert response.status == 200
    assert serious_violations(browser) == []


def test_a_decision_form_error_passes_the_accessibility_check(browser: Any) -> None:
    sign_in(browser, "adm@demo.example")
    browser.goto("/adm/queue")
    browser.locator("table a.govuk-link").first.click()
    browser.get_by_label("Do not agree with the recommendation").check()
    browser.get_by_role("button", name="Record my decision").click()
    assert "There is a problem" in browser.content()
    assert serious_violations(browser) == []
