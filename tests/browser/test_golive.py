"""An empty install to a complete go-live checklist in a real browser: only `governance migrate`
and `governance create-user` on the command line, then pages alone, with axe on each new page.

The agency's own details and letterhead come from the agency set-up page (issue 17 part 1, built
beside this); until it is merged, this test writes them to the database as that page would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from governance import clock
from tests import support
from tests.browser.axe import serious_violations

pytestmark = pytest.mark.browser

ADMIN = "ann.admin@council.example"

_AGENCY = """
import asyncio
from governance.tables import Agency
async def main():
    await Agency.insert(Agency(
        name="Adoption West", short_name="AW", legal_form="company",
        address="Unit 1, Example Park\\nBristol", postcode="BS1 6AA", telephone="0117 000 0000",
        email="panel@adoptionwest.example", registered_manager="Rosa Manager",
        letterhead_footer="Adoption West Ltd, owned by six councils (synthetic)"))
asyncio.run(main())
"""

_DELIVER = """
import asyncio
from governance import mail
from governance.settings import Settings
print(asyncio.run(mail.deliver_pending(Settings.from_env())))
"""


@dataclass(frozen=True)
class Install:
    url: str
    env: dict[str, str]
    password: str
    mail: list[Any]


class _Catcher(Controller):
    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@pytest.fixture(scope="module")
def install() -> Iterator[Install]:
    messages: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    catcher = _Catcher(Handler(), hostname="127.0.0.1", port=0)
    catcher.start()
    url, data_dir = support.new_database("golive")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GOVERNANCE_DATA_DIR": str(data_dir),
        "ARGON2_CHEAP": "1",
        "SCHEDULER": "0",
        "COOKIE_SECURE": "1",
        "DB_POOL": "1",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(catcher.port),
        "SMTP_STARTTLS": "0",
    }
    try:
        subprocess.run([*support.GOVERNANCE, "migrate"], env=env, check=True, capture_output=True)
        created = subprocess.run(
            [*support.GOVERNANCE, "create-user", "--email", ADMIN, "--name", "Ann Admin",
             "--role", "system_admin"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        password = created.stdout.split("One-time password: ")[1].split()[0]
        subprocess.run([sys.executable, "-c", _AGENCY], env=env, check=True, capture_output=True)
        with support.serving(env, Path(data_dir) / "golive-server.log") as base:
            yield Install(base, env, password, messages)
    finally:
        catcher.stop()
        support.drop_database(url, data_dir)


def _sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def _no_violations(page: Any) -> None:
    assert serious_violations(page) == [], page.url


def _line(page: Any, key: str) -> Any:
    return page.locator(f"#line-{key}")


def _one_time_password(page: Any) -> str:
    expect(page.get_by_role("heading", name="Account created")).to_be_visible()
    return str(page.locator(".govuk-panel__body code").inner_text())


def test_an_empty_install_reaches_a_complete_checklist_through_pages(
    install: Install, chromium: Any
) -> None:
    # The install first: its database is made before Playwright's event loop runs.
    context = chromium.new_context(base_url=install.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in(page, ADMIN, install.password)
        expect(page.get_by_role("heading", name="Before the agency goes live")).to_be_visible()
        page.goto("/admin/go-live")
        expect(page.get_by_text("2 of 10 done")).to_be_visible()  # details and letterhead
        expect(_line(page, "partners")).to_contain_text("Not done")
        expect(_line(page, "letterhead")).to_contain_text("A logo is optional")
        _no_violations(page)
        page.set_viewport_size({"width": 390, "height": 844})
        _no_violations(page)
        page.set_viewport_size({"width": 1280, "height": 900})

        # Partners, with a duplicate refused on the form.
        _line(page, "partners").get_by_role("link").click()
        for name, code in (("Bristol City Council", "BCC"), ("Wiltshire Council", "WC"),
                           ("wiltshire council", "WX")):  # fmt: skip
            page.get_by_label("Partner name").fill(name)
            page.get_by_label("Short code").fill(code)
            page.get_by_label("Local authority").check()
            page.get_by_role("button", name="Add partner").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "A partner called wiltshire council already exists"
        )

        # Who assesses adopters, then decision makers for both councils and the agency itself.
        page.goto("/adm/assignments")
        _no_violations(page)
        page.get_by_label("The agency itself").check()
        page.get_by_role("button", name="Save who assesses adopters").click()
        expect(page.get_by_role("cell", name="The agency itself")).to_be_visible()
        people = (
            ("Sue Primary", "sue.primary@council.example"),
            ("Dev Deputy", "dev.deputy@council.example"),
        )
        for name, email in people:
            page.goto("/adm/assignments")
            page.get_by_label("Full name").fill(name)
            page.get_by_label("Email address").fill(email)
            form = page.locator("form[action='/adm/assignments/people']")
            for body in ("Bristol City Council", "Wiltshire Council", "The agency itself"):
                form.get_by_label(body).check()
            page.get_by_role("button", name="Add decision maker").click()
            _one_time_password(page)
            _no_violations(page)
        page.goto("/adm/assignments")
        for body in ("Bristol City Council", "Wiltshire Council", "The agency itself"):
            for person, role in (("Sue Primary", "ADM"), ("Dev Deputy", "Deputy ADM")):
                page.get_by_label("Decides for").select_option(label=body)
                page.get_by_label("Person (an ADM account)").select_option(label=person)
                page.get_by_label("Role").select_option(label=role)
                page.get_by_role("button", name="Assign", exact=True).click()
                expect(page.get_by_role("heading", name="Saved")).to_be_visible()
        # Assigning someone twice for one partner is refused, and says why.
        page.get_by_label("Decides for").select_option(label="Wiltshire Council")
        page.get_by_label("Person (an ADM account)").select_option(label="Dev Deputy")
        page.get_by_label("Role").select_option(label="ADM")
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Dev Deputy is already assigned for Wiltshire Council"
        )

        # A panel adviser, who imports the central list, reviews the policy and schedules.
        page.goto("/admin/accounts/new")
        page.get_by_label("Full name").fill("Priya Adviser")
        page.get_by_label("Email address").fill("priya.adviser@council.example")
        page.get_by_label("Panel adviser").check()
        page.get_by_role("button", name=re.compile("Create")).click()
        adviser_password = _one_time_password(page)

        # Closure days for this year and next.
        today = clock.today()
        for year in (today.year, today.year + 1):
            page.goto("/admin/agency")
            page.get_by_label("Date the agency is closed").fill(f"{year}-12-29")
            page.get_by_label("Reason").fill("Christmas closure")
            page.get_by_role("button", name="Add closure day").click()

        # The test e-mail: sent through the outbox, its code entered.
        page.goto("/admin/go-live")
        page.get_by_label("Email address to send the test to").fill("ann.admin@council.example")
        page.get_by_role("button", name="Send a test e-mail").click()
        expect(_line(page, "mail")).to_contain_text("waiting in the outbox")
        delivered = subprocess.run(
            [sys.executable, "-c", _DELIVER], env=install.env, check=True, capture_output=True,
            text=True,
        )  # fmt: skip
        assert delivered.stdout.strip() == "1"
        body = install.mail[-1].get_content()
        link = re.search(r"https?://\S+/admin/go-live\?code=([A-Z0-9]{8})", body)
        assert link is not None
        page.goto(f"/admin/go-live?code={link.group(1)}#test-email")
        page.get_by_role("button", name="Confirm it arrived").click()
        expect(_line(page, "mail")).to_contain_text("Done")

        adviser = context.browser.new_context(base_url=install.url)
        advising = adviser.new_page()
        advising.set_default_timeout(15_000)
        try:
            _sign_in(advising, "priya.adviser@council.example", adviser_password)
            advising.goto("/panel/members/import")
            csv = (
                "Name,Email,Seats,Independent of the agency,Years of PQE,Date joined\n"
                f"Margaret Ellison,margaret@example.org,chair,yes,,{today.replace(day=1)}\n"
                f"Rachel Okoro,rachel@example.org,social_worker,,6,{today.replace(day=1)}\n"
            )
            advising.get_by_label("File to import").set_input_files(
                {"name": "list.csv", "mimeType": "text/csv", "buffer": csv.encode()}
            )
            advising.get_by_role("button", name="Check and import").click()
            expect(advising.get_by_text("Imported 2 rows")).to_be_visible()
            advising.goto("/panel/policies")
            advising.get_by_label("Date it takes effect").fill(today.isoformat())
            advising.get_by_label("What changed and why").fill("Reviewed at go-live")
            advising.get_by_role("button", name="Save as a new version").click()
            expect(advising.locator(".govuk-error-summary")).to_have_count(0)
            advising.goto("/panel/meetings/new")
            first = _panel_day(today)
            advising.get_by_label("Date").fill(first)
            advising.get_by_label("Start time").fill("10:00")
            advising.get_by_label("End time").fill("13:00")
            advising.get_by_label("Venue").fill("Room 1, Example Park")
            advising.get_by_role("button", name="Schedule the meeting").click()
            expect(advising.locator(".govuk-error-summary")).to_have_count(0)
        finally:
            adviser.close()

        page.goto("/admin/go-live")
        expect(page.get_by_text("Ready to go live")).to_be_visible()
        expect(page.get_by_text("10 of 10 done")).to_be_visible()
        _no_violations(page)
        page.goto("/")
        expect(page.get_by_role("heading", name="Before the agency goes live")).to_have_count(0)
    finally:
        context.close()


def _panel_day(today: date) -> str:
    """A weekday about six weeks on, clear of Christmas to New Year (a real panel day)."""
    day = today + timedelta(days=42)
    while day.weekday() >= 5 or (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 2):
        day += timedelta(days=1)
    return day.isoformat()


def test_the_demo_checklist_is_complete(browser: Any) -> None:
    from tests.browser.pages import sign_in

    sign_in(browser, "admin@demo.example")
    browser.goto("/admin/go-live")
    expect(browser.get_by_text("Ready to go live")).to_be_visible()
    _no_violations(browser)
    browser.goto("/adm/assignments")
    expect(browser.get_by_text("Missing: assign one")).to_have_count(0)
    _no_violations(browser)
