"""Signing in as each demo role in a real browser, and an accessibility check of every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from governance.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.browser.axe import serious_violations

pytestmark = pytest.mark.browser


def sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize(("name", "email", "roles"), [(n, e, r) for n, e, r, _ in DEMO_ACCOUNTS])
def test_each_demo_role_signs_in_to_its_home_page(
    browser: Any, name: str, email: str, roles: Any
) -> None:
    sign_in(browser, email)
    expect(browser.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    expect(browser.get_by_text(roles[0].label).first).to_be_visible()
    expect(browser.get_by_text("This is a demonstration agency")).to_be_visible()


def test_the_sign_in_page_shows_an_error_summary_that_links_to_the_field(browser: Any) -> None:
    browser.goto("/sign-in")
    browser.get_by_role("button", name="Sign in").click()
    summary = browser.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="Enter your email address").click()
    assert browser.evaluate("document.activeElement.id") == "email"


def test_the_sign_in_form_works_with_the_keyboard_alone(browser: Any) -> None:
    browser.goto("/sign-in")
    browser.get_by_label("Email address").focus()
    browser.keyboard.type("auditor@demo.example")
    browser.keyboard.press("Tab")
    browser.keyboard.type(DEMO_PASSWORD)
    browser.keyboard.press("Enter")
    browser.wait_for_url("**/")
    expect(browser.get_by_role("heading", name="Latest audit entries")).to_be_visible()


def test_pages_work_without_javascript(chromium: Any, live_server: Any) -> None:
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "admin@demo.example")
        page.goto("/admin/accounts/new")
        page.get_by_label("Full name").fill("No Script")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_text("Enter email address").first).to_be_visible()
    finally:
        context.close()


PAGES_BY_ACCOUNT = {
    "admin@demo.example": [
        "/",
        "/admin/accounts",
        "/admin/accounts/new",
        "/admin/accounts/1",
        "/admin/agency",
        "/admin/agency/details",
        "/admin/agency/partners/1",
    ],
    "auditor@demo.example": ["/", "/audit", "/audit?since=bad-date"],
    "member@demo.example": ["/", "/admin/accounts", "/no-such-page"],
}


@pytest.mark.parametrize("email", list(PAGES_BY_ACCOUNT))
def test_every_page_has_no_serious_accessibility_problems(browser: Any, email: str) -> None:
    sign_in(browser, email)
    problems = []
    for path in PAGES_BY_ACCOUNT[email]:
        browser.goto(path)
        problems += [f"{path}: {p}" for p in serious_violations(browser)]
    assert problems == []


def test_the_sign_in_page_has_no_serious_accessibility_problems(browser: Any) -> None:
    browser.goto("/sign-in")
    browser.get_by_role("button", name="Sign in").click()  # with its error summary showing
    assert serious_violations(browser) == []


def test_the_api_documentation_loads_from_this_service_only(browser: Any) -> None:
    sign_in(browser, "admin@demo.example")
    outside = []
    browser.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None
        ),
    )
    browser.goto("/schema/swagger")
    browser.wait_for_selector(".swagger-ui .info", timeout=15_000)
    expect(browser.get_by_text("Adoption panel and governance API").first).to_be_visible()
    assert outside == []


def test_the_accessibility_check_itself_catches_an_unlabelled_field(chromium: Any) -> None:
    page = chromium.new_page()
    try:
        page.set_content("<html lang='en'><title>t</title><main><input type='text'></main></html>")
        assert any(v.startswith("label") for v in serious_violations(page))
    finally:
        page.close()
