"""In a browser on the demo agency: a "not suitable" recommendation (with one member dissenting)
walks through the ADM's decision with reasons, its letter, the applicants' representations and the
ADM's final decision with its letter (AAR reg 30B(5)-(10)); each letter is downloaded and its text
read back, and each page, errors included, passes the accessibility check."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest

from governance import clock
from governance.rules.workdays import long_date
from tests.browser.axe import serious_violations
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

ADVISER = "adviser@demo.example"
PETERBOROUGH = "adm.peterborough@demo.example"
REASONS = "The assessment does not show that the applicant could meet a child's need for contact."


def _text_of(download: Any) -> str:
    path = download.path()
    assert path is not None
    return "\n".join(p.text for p in docx.Document(str(Path(path))).paragraphs)


def test_a_not_suitable_recommendation_to_the_final_decision_and_its_letter(
    chromium: Any, live_server: Any
) -> None:
    today = clock.today()
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, PETERBOROUGH)
        page.goto("/adm/queue")
        page.get_by_role("link", name="ADP-2121").click()
        page.wait_for_url(re.compile(r".*/adm/referrals/\d+$"))
        referral_url = page.url
        main = page.locator("main").inner_text()
        assert "The panel's vote" in main and "1 of 2 members dissented" in main
        assert "Would approve: the applicant's support network" in main
        assert serious_violations(page) == []

        # Agreeing that the applicant is not suitable still needs reasons (AAR reg 30B(5)(b)).
        page.get_by_label("Agree with the recommendation", exact=True).check()
        page.get_by_role("button", name="Record my decision").click()
        assert "There is a problem" in page.content()
        assert serious_violations(page) == []
        page.get_by_label("Agree with the recommendation", exact=True).check()
        page.locator("#reasons").fill(REASONS)
        page.get_by_role("button", name="Record my decision").click()
        assert "The decision was recorded" in page.content()
        assert "(qualifying determination)" in page.locator("main").inner_text()
        with page.expect_download() as first:
            page.get_by_role("link", name="Decision letter (.docx)").click()
        letter = _text_of(first.value)
        assert "qualifying determination that you are not suitable to adopt" in letter
        assert REASONS in letter
        assert "within 40 working days beginning with the date this notice was sent" in letter
        page.context.clear_cookies()

        sign_in(page, ADVISER)
        page.goto(referral_url)
        page.get_by_label("Date told orally").fill(today.isoformat())
        page.get_by_label("Date the letter was sent").fill(today.isoformat())
        page.get_by_role("button", name="Save", exact=True).click()
        assert "Waiting for representations or an IRM application" in page.content()
        page.get_by_label("Written representations to the agency").check()
        page.get_by_label("Date received").fill("2020-01-06")
        page.get_by_label("Representations: who made them").fill("Mr N Q")
        page.get_by_role("button", name="Record what was received").click()
        assert "cannot be dated before the notice was sent" in page.content()
        assert serious_violations(page) == []
        page.get_by_label("Written representations to the agency").check()
        page.get_by_label("Date received").fill(today.isoformat())
        page.get_by_label("Representations: who made them").fill("Mr N Q")
        page.get_by_role("button", name="Record what was received").click()
        assert "The response was recorded" in page.content()
        assert "Representations received: final decision, or refer back to panel" in (
            page.content()
        )
        page.context.clear_cookies()

        sign_in(page, PETERBOROUGH)
        page.goto(referral_url)
        page.get_by_label("Not suitable to adopt: the determination stands").check()
        page.get_by_label("Date of the final decision").fill(today.isoformat())
        page.get_by_label("Your reasons (the letter gives them)").fill(
            "The representations do not answer the concern about contact."
        )
        page.get_by_role("button", name="Record my final decision").click()
        assert "The final decision was recorded" in page.content()
        assert "Final decision made" in page.locator("main").inner_text()
        assert serious_violations(page) == []
        with page.expect_download() as final:
            page.get_by_role("link", name="Final decision letter (.docx)").click()
        text = _text_of(final.value)
        assert "Final decision: your suitability to adopt" in text
        assert f"representations received on {long_date(today)} from Mr N Q" in text
        assert "final decision that you are not suitable to adopt a child" in text
        assert "The representations do not answer the concern about contact." in text
    finally:
        context.close()


@pytest.mark.parametrize("case", ["ADP-2102", "ADP-2103"])
def test_the_demos_referrals_after_a_determination_pass_the_accessibility_check(
    browser: Any, case: str
) -> None:
    sign_in(browser, "adm@demo.example")  # Cambridgeshire's ADM decided both
    browser.goto("/adm/queue")
    browser.get_by_role("link", name=case).first.click()
    main = browser.locator("main").inner_text()
    if case == "ADP-2102":
        assert "Representations received: final decision, or refer back to panel" in main
    else:
        assert "IRM panel's recommendation" in main and "Final decision made" in main
    assert serious_violations(browser) == []
