"""From an empty install with one system administrator: the agency is set up through its page,
logo and all, then changed, with an accessibility check of every page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import support
from tests.browser.axe import serious_violations
from tests.governance.pictures import JPEG, png

pytestmark = pytest.mark.browser

EMAIL = "first.admin@example.org"


@pytest.fixture(scope="module")
def empty_install() -> Iterator[tuple[str, str]]:
    """`governance migrate` and `governance create-user` only, then served: (url, password)."""
    with support.empty_install("empty", EMAIL, "Fran First") as (base, _env, password):
        yield base, password


@pytest.fixture
def page(empty_install: tuple[str, str], chromium: Any) -> Iterator[Any]:
    # The install first: making its database runs an event loop, which Playwright's must not hold.
    context = chromium.new_context(base_url=empty_install[0])
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    try:
        yield opened
    finally:
        context.close()


def test_an_administrator_sets_up_the_agency_with_a_logo_and_then_changes_it(
    page: Any, empty_install: tuple[str, str], tmp_path: Path
) -> None:
    problems: list[str] = []

    def check(where: str) -> None:
        problems.extend(f"{where}: {p}" for p in serious_violations(page))

    page.goto("/sign-in")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(empty_install[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    check("home before set-up")
    page.get_by_role("button", name="Set up the agency").click()
    expect(page.get_by_role("heading", name="Set up the agency")).to_be_visible()
    check("set-up form")

    # A first try with a bad postcode and a picture that is not a PNG or JPEG.
    gif = tmp_path / "logo.png"
    gif.write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    page.get_by_label("Agency's name").fill("Adoption West")
    page.get_by_label("Short name").fill("AW")
    page.get_by_label("A company or voluntary adoption agency owned by its councils").check()
    page.get_by_label("Postal address").fill("Kingsway House\nBristol")
    page.get_by_label("Postcode").fill("BS1 6")
    page.get_by_label("Logo (optional)").set_input_files(str(gif))
    page.get_by_role("button", name="Set up the agency").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("Enter a real UK postcode"))).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("is not a PNG or JPEG"))).to_be_visible()
    check("set-up form with errors")

    logo = tmp_path / "west.png"
    logo.write_bytes(png(240, 80))
    page.get_by_label("Postcode").fill("bs1 6aa")
    page.get_by_label("Telephone").fill("0117 000 0000")
    page.get_by_label("Email address").fill("enquiries@adoptionwest.example")
    page.get_by_label("Website").fill("https://www.adoptionwest.example")
    page.get_by_label("Registered manager").fill("Rosa Lind")
    page.get_by_label("Footer text").fill("Adoption West Ltd, owned by six councils.")
    page.get_by_label("Logo (optional)").set_input_files(str(logo))
    page.get_by_role("button", name="Set up the agency").click()
    page.wait_for_url("**/admin/agency?saved=1")
    expect(page.get_by_role("heading", name="Adoption West", exact=True)).to_be_visible()
    expect(page.get_by_text("BS1 6AA")).to_be_visible()
    check("agency and partners after set-up")

    page.get_by_role("link", name="Change the agency's details and letterhead").click()
    expect(page.get_by_role("heading", name="Agency details")).to_be_visible()
    expect(page.get_by_alt_text("The agency's current logo")).to_be_visible()
    check("edit form")
    jpeg = tmp_path / "west.jpg"
    jpeg.write_bytes(JPEG)
    page.get_by_label("Agency's name").fill("Adoption West (renamed)")
    page.get_by_label("Upload a new logo (optional)").set_input_files(str(jpeg))
    page.get_by_role("button", name="Save agency details").click()
    page.wait_for_url("**/admin/agency?saved=1")
    expect(page.get_by_role("heading", name="Adoption West (renamed)")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name="Agency details and letterhead")).to_be_visible()
    check("home after set-up")
    assert problems == []


def test_the_set_up_form_works_without_javascript(
    empty_install: tuple[str, str], chromium: Any
) -> None:
    context = chromium.new_context(base_url=empty_install[0], java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/sign-in")
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Password").fill(empty_install[1])
        page.get_by_role("button", name="Sign in").click()
        page.goto("/admin/agency/details")
        page.get_by_label("Agency's name").fill("")
        page.get_by_role("button", name=re.compile("Set up the agency|Save agency details")).click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
    finally:
        context.close()
