"""Issue 17's "Done when", once per shape the sources describe (governance/shapes.py: cp,
adoption-west, cbmk): an empty install with only `governance migrate` and `governance create-user`
run on the command line, then pages alone. The administrator sets up the agency (its legal form,
its host where it has one), its partners, who assesses adopters, ADMs and deputies, a panel
adviser, closure days and the test e-mail; the adviser imports the central list from the
downloaded template, reviews the policy, schedules a panel and adds items for children of
partners; the panel sits, the chair approves the minutes, and each item reaches the ADM of the
partner it belongs to (and nobody else's queue). The checklist turns complete along the way, and
axe checks every page the walk visits."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
from playwright.sync_api import expect

from governance import clock
from governance.agency import LEGAL_FORM_LABELS
from governance.shapes import SHAPES, DemoAdm, Shape
from governance.tables import LegalForm
from panel.samples import pdf_paper
from tests import support
from tests.browser.axe import serious_violations
from tests.conftest import Mailbox

pytestmark = pytest.mark.browser

ADMIN = "ann.admin@council.example"
ADVISER = "priya.adviser@council.example"
AGENCY = "The agency itself"

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
    mail: Mailbox


@dataclass(frozen=True)
class Case:
    """An item the panel hears, and whose ADM must see it (and who must not)."""

    type_label: str
    reference: str
    recommendation: str
    child: str = ""  # partner code of the child's council
    assessed_by: str = ""  # partner code, or AGENCY


# Issue 17: for Adoption West a Wiltshire child's match reaches Wiltshire's ADM, a Bristol child's
# "should be placed" reaches Bristol's, and an approval the agency assessed the agency's own ADM.
# The hosted shapes: a child of the second council reaches that council's ADM, not the host's.
CASES: dict[str, tuple[Case, ...]] = {
    "adoption-west": (
        Case("Match of a child with approved adopters", "AW/WC/001", "Match", child="WC"),
        Case(
            "Child should be placed for adoption",
            "AW/BCC/002",
            "Should be placed for adoption",
            child="BCC",
        ),
        Case(
            "Approval of prospective adopters",
            "AW/ADP/003",
            "Suitable to adopt",
            assessed_by=AGENCY,
        ),
    ),
    "cp": (
        Case(
            "Child should be placed for adoption",
            "CPA/PCC/001",
            "Should be placed for adoption",
            child="PCC",
        ),
    ),
    "cbmk": (
        Case(
            "Child should be placed for adoption",
            "CBMK/MKC/001",
            "Should be placed for adoption",
            child="MKC",
        ),
    ),
}

# The central list: a quorum for a joint panel (six) with a chair, social workers with three years'
# post-qualifying experience, a medical adviser and independent members; seats and experience
# written as the pages show them or as codes, as people have them.
MEMBERS = (
    ("Margaret Ellison", "Chair; Independent member", "", "Yes", ""),
    ("Rachel Okoro", "Social worker", "6", "No", ""),
    ("Tom Whitfield", "social_worker", "4", "No", ""),
    ("Dr Anita Rao", "Medical adviser", "", "No", ""),
    ("Joan Pike", "Independent member", "", "Yes", "adopter"),
    ("Samuel Achterberg", "independent", "", "Yes", ""),
    ("Lucy Brennan", "Independent member", "", "Yes", "adopted adult"),
)


@pytest.fixture
def install(smtp: Mailbox) -> Iterator[Install]:
    mail = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_STARTTLS": "0"}
    with support.empty_install("golive", ADMIN, "Ann Admin", mail) as (base, env, password):
        yield Install(base, env, password, smtp)


@dataclass
class Walk:
    """One browser page walking the install, checking each page it visits with axe once."""

    page: Any
    install: Install
    shape: Shape
    passwords: dict[str, str] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def axe(self) -> None:
        where = re.sub(r"\d+", "N", self.page.url.split("?")[0].split("#")[0])
        if where in self.checked:
            return
        self.checked.add(where)
        self.problems += [f"{where}: {p}" for p in serious_violations(self.page)]

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status < 400, path
        self.axe()

    def click(self, button: str) -> None:
        self.page.get_by_role("button", name=button, exact=True).click()
        self.page.wait_for_load_state()
        self.axe()

    def no_errors(self) -> None:
        summary = self.page.locator(".govuk-error-summary")
        assert summary.count() == 0, summary.inner_text()

    def sign_in(self, email: str) -> None:
        self.page.context.clear_cookies()
        self.page.goto("/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(self.passwords[email])
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/")
        self.axe()

    def done(self, count: int) -> None:
        self.goto("/admin/go-live")
        expect(self.page.get_by_text(f"{count} of 10 done")).to_be_visible()

    def one_time_password(self, email: str) -> None:
        expect(self.page.get_by_role("heading", name="Account created")).to_be_visible()
        self.axe()
        self.passwords[email] = self.page.locator(".govuk-panel__body code").inner_text()

    def partner_name(self, code: str) -> str:
        if code == AGENCY:
            return AGENCY
        return next(p.name for p in self.shape.partners if p.code == code)


def _agency_details(walk: Walk) -> None:
    """The set-up form, as the agency's letterhead shows it; a hosted agency names its host once
    its partners are in."""
    shape, page = walk.shape, walk.page
    walk.goto("/")
    page.get_by_role("button", name="Set up the agency").click()
    walk.axe()
    page.get_by_label("Agency's name").fill(shape.name)
    page.get_by_label("Short name").fill(shape.short_name)
    page.get_by_label(LEGAL_FORM_LABELS[shape.legal_form]).check()
    page.get_by_label("Postal address").fill(shape.address)
    page.get_by_label("Postcode").fill(shape.postcode)
    page.get_by_label("Telephone").fill(shape.telephone)
    page.get_by_label("Email address").fill(shape.email)
    page.get_by_label("Website").fill(shape.website)
    page.get_by_label("Registered manager").fill(shape.registered_manager)
    page.get_by_label("Footer text").fill(shape.letterhead_footer)
    walk.click("Set up the agency")
    page.wait_for_url("**/admin/agency?saved=1")
    expect(page.get_by_role("heading", name=shape.name, exact=True)).to_be_visible()


def _partners(walk: Walk) -> None:
    page, shape = walk.page, walk.shape
    walk.goto("/admin/go-live")
    page.locator("#line-partners").get_by_role("link").click()
    walk.axe()
    for partner in shape.partners:
        page.get_by_label("Partner name").fill(partner.name)
        page.get_by_label("Short code").fill(partner.code)
        page.get_by_label("Local authority").check()
        walk.click("Add partner")
        walk.no_errors()
    # A second partner of the same name, in other letters, is refused on the form.
    page.get_by_label("Partner name").fill(shape.partners[0].name.upper())
    page.get_by_label("Short code").fill("DUP")
    page.get_by_label("Local authority").check()
    walk.click("Add partner")
    expect(page.locator(".govuk-error-summary")).to_contain_text("already exists")
    host = [p for p in shape.partners if p.is_host]
    assert bool(host) == (shape.legal_form is LegalForm.HOSTED)
    if host:
        walk.goto("/admin/agency/details")
        page.get_by_label("Host partner").select_option(label=host[0].name)
        walk.click("Save agency details")
        walk.no_errors()
        walk.goto("/admin/agency/details")
        expect(page.get_by_label("Host partner").locator("option:checked")).to_have_text(
            host[0].name
        )


def _decision_makers(walk: Walk) -> None:
    """Who assesses adopters, then each ADM's account (scoped to whom they decide for) and the
    primary and deputy assignments, as the shape has them."""
    page, shape = walk.page, walk.shape
    walk.goto("/adm/assignments")
    if shape.assesses_adopters:
        page.get_by_label(AGENCY).check()
        walk.click("Save who assesses adopters")
        expect(page.get_by_role("cell", name=AGENCY)).to_be_visible()
    agency = [
        DemoAdm(a.name, a.email, a.title, *(((AGENCY,), ()) if n == 0 else ((), (AGENCY,))))
        for n, a in enumerate(shape.agency_adms)
    ]
    adms = (*shape.adms, *agency)
    form = page.locator("form[action='/adm/assignments/people']")
    for adm in adms:
        walk.goto("/adm/assignments")
        page.get_by_label("Full name").fill(adm.name)
        form.get_by_label("Email address").fill(adm.email)
        for code in adm.scope:
            form.get_by_label(walk.partner_name(code), exact=True).check()
        walk.click("Add decision maker")
        walk.one_time_password(adm.email)
    walk.goto("/adm/assignments")
    for adm in adms:
        for codes, role in ((adm.primary_for, "ADM"), (adm.deputy_for, "Deputy ADM")):
            for code in codes:
                page.get_by_label("Decides for", exact=True).select_option(
                    label=walk.partner_name(code)
                )
                page.get_by_label("Person (an ADM account)").select_option(label=adm.name)
                page.get_by_label("Role").select_option(label=role)
                walk.click("Assign")
                expect(page.get_by_role("heading", name="Saved")).to_be_visible()
    expect(page.get_by_text("Missing: assign one")).to_have_count(0)


def _account(walk: Walk, name: str, email: str, role: str) -> None:
    walk.goto("/admin/accounts/new")
    walk.page.get_by_label("Full name").fill(name)
    walk.page.get_by_label("Email address").fill(email)
    walk.page.get_by_label(role, exact=True).check()
    walk.page.get_by_role("button", name=re.compile("Create")).click()
    walk.one_time_password(email)


def _closures_and_mail(walk: Walk) -> None:
    page = walk.page
    today = clock.today()
    for year in (today.year, today.year + 1):
        walk.goto("/admin/agency")
        page.get_by_label("Date the agency is closed").fill(f"{year}-12-29")
        page.get_by_label("Reason").fill("Christmas closure")
        walk.click("Add closure day")
        walk.no_errors()
    walk.goto("/admin/go-live")
    page.get_by_label("Email address to send the test to").fill(ADMIN)
    walk.click("Send a test e-mail")
    expect(page.locator("#line-mail")).to_contain_text("waiting in the outbox")
    delivered = subprocess.run(
        [sys.executable, "-c", _DELIVER], env=walk.install.env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    assert int(delivered.stdout.strip()) >= 1
    body = walk.install.mail.to(ADMIN)[-1].get_content()
    link = re.search(r"https?://\S+/admin/go-live\?code=([A-Z0-9]{8})", body)
    assert link is not None, body
    walk.goto(f"/admin/go-live?code={link.group(1)}#test-email")
    walk.click("Confirm it arrived")
    expect(page.locator("#line-mail")).to_contain_text("Done")


def _central_list(walk: Walk, tmp_path: Path) -> None:
    """The template downloaded from the import page, its example row replaced by the real list."""
    page = walk.page
    walk.goto("/panel/members/import")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template as CSV").click()
    template = tmp_path / "template.csv"
    download.value.save_as(template)
    header = next(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    trained = (clock.today() - timedelta(days=60)).isoformat()
    joined = (clock.today() - timedelta(days=400)).isoformat()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for number, (name, seats, pqe, independent, experience) in enumerate(MEMBERS, start=1):
        row = dict.fromkeys(header, "")
        row.update(
            {
                "Name": name,
                "Email": re.sub(r"[^a-z]+", ".", name.lower()).strip(".") + "@example.org",
                "Seats": seats,
                "Years of PQE": pqe,
                "Independent of the agency": independent,
                "Personal experience": experience,
                "Date joined": joined,
                "Enhanced DBS check": trained,
                "Induction": trained,
                "Equality and diversity training": trained,
                "Safeguarding training": trained,
                "Annual review": trained,
                "Phone": f"01632 960{number:03d}",
            }
        )
        writer.writerow(row)
    filled = tmp_path / "central-list.csv"
    filled.write_text(out.getvalue(), encoding="utf-8")
    page.get_by_label("File to import").set_input_files(str(filled))
    walk.click("Check and import")
    expect(page.get_by_text(f"Imported {len(MEMBERS)} rows")).to_be_visible()


def _policy(walk: Walk) -> None:
    walk.goto("/panel/policies")
    walk.page.get_by_label("Date it takes effect").fill(clock.today().isoformat())
    walk.page.get_by_label("What changed and why").fill("Reviewed at go-live")
    walk.click("Save as a new version")
    walk.no_errors()


def sitting_day(today: date) -> date:
    """The last working day before today that is neither a bank holiday nor in the Christmas
    closure: the panel that sat, whose minutes are approved today."""
    closed = holidays.country_holidays("GB", subdiv="ENG", years=(today.year - 1, today.year))
    day = today - timedelta(days=1)
    while day.weekday() >= 5 or day in closed or (day.month, day.day) == (12, 29):
        day -= timedelta(days=1)
    return day


def _schedule_and_add_items(walk: Walk) -> str:
    """The panel scheduled (on the day it sat), rostered, and its items added: its URL."""
    page = walk.page
    walk.goto("/panel/meetings/new")
    page.get_by_label("Date").fill(sitting_day(clock.today()).isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("13:00")
    page.get_by_label("Venue").fill(walk.shape.venue)
    walk.click("Schedule the meeting")
    walk.no_errors()
    meeting = re.search(r"/panel/meetings/(\d+)", page.url)
    assert meeting is not None, page.url
    url = f"/panel/meetings/{meeting.group(1)}"
    walk.goto(url)
    walk.click("Suggest a roster")
    walk.click("Accept the roster and send invitations")
    walk.no_errors()
    for n, case in enumerate(CASES[walk.shape.key], start=1):
        walk.goto(f"{url}/agenda")
        page.get_by_label("Type of item").select_option(label=case.type_label)
        page.get_by_label("Case reference").fill(case.reference)
        page.get_by_label("Initials").fill(f"{chr(64 + n)}.B.")
        if case.child:
            page.get_by_label("The child's authority (child items)").select_option(
                label=walk.partner_name(case.child)
            )
        if case.assessed_by:
            page.get_by_label("Assessing agency (adopter items)").select_option(
                label=walk.partner_name(case.assessed_by)
            )
            page.get_by_label(re.compile("Date the applicants were invited")).fill(
                (sitting_day(clock.today()) - timedelta(days=14)).isoformat()
            )
        walk.click("Add item")
        walk.no_errors()
        if case.recommendation == "Match":
            _authority_to_place(walk, page.url)
    return url


def _a_paper_with_a_script(walk: Walk, meeting_url: str, tmp_path: Path) -> None:
    """A case system's PDF that opens the print dialogue: the first item takes it, and its page
    says the script was removed for members' packs."""
    page = walk.page
    walk.goto(f"{meeting_url}/agenda")
    page.get_by_role("region", name="Agenda items").locator("tbody tr a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(":")
    paper = tmp_path / "Report from the case system.pdf"
    paper.write_bytes(pdf_paper("Report", pages=2, print_script=True))
    page.get_by_label("Word (.docx) or PDF file").set_input_files(str(paper))
    walk.click("Upload")
    walk.no_errors()
    expect(page.locator("main")).to_contain_text(
        "Cleaned: removed a script that runs when the file is opened"
    )


def _authority_to_place(walk: Walk, added: str) -> None:
    """A match needs the child's placement order and the adopters' approval on record first
    (AAR reg 32(5)); the adviser records both on the item's page."""
    item = re.search(r"saved=(\d+)", added)
    assert item is not None, added
    walk.goto(f"/panel/items/{item.group(1)}/placement-authority")
    walk.page.get_by_label(re.compile(r"^Placement order")).check()
    sat = sitting_day(clock.today())
    walk.page.get_by_label(re.compile("Date the placement order was made")).fill(
        (sat - timedelta(days=90)).isoformat()
    )
    walk.page.get_by_label(re.compile("Date the adopters were approved")).fill(
        (sat - timedelta(days=60)).isoformat()
    )
    walk.click("Save")
    walk.no_errors()


def _sit(walk: Walk, meeting_url: str) -> None:
    """Everyone on the roster present, each item's recommendation recorded."""
    page = walk.page
    record = meeting_url.replace("/panel/meetings/", "/panel/record/meetings/")
    walk.goto(record)
    rostered = page.locator("select[name^='status_']")
    assert rostered.count() >= 6
    for n in range(rostered.count()):
        rostered.nth(n).select_option("present")
    walk.click("Save attendance")
    walk.no_errors()
    for n, case in enumerate(CASES[walk.shape.key], start=1):
        walk.goto(record)
        page.locator(f"#item-{n} a").first.click()
        walk.axe()
        page.get_by_label("Recommendation", exact=True).select_option(case.recommendation)
        page.get_by_label("Reasons (for a deferral: why)").fill("A thorough and balanced report.")
        walk.click(f"Save the record of item {n}")
        assert "saved=item" in page.url, page.locator("main").inner_text()[:1500]


def _adm_of(shape: Shape, code: str) -> tuple[str, str]:
    """The primary ADM of a partner (or of the agency), and another council's primary ADM, whose
    queue it must not reach: their e-mails."""
    if code == AGENCY:
        primary = shape.agency_adms[0].email
    else:
        primary = next(a.email for a in shape.adms if code in a.primary_for)
    other = next(a.email for a in shape.adms if a.primary_for and code not in a.primary_for)
    return primary, other


def walk_the_shape(walk: Walk, tmp_path: Path) -> None:
    page, shape = walk.page, walk.shape
    walk.passwords[ADMIN] = walk.install.password
    walk.sign_in(ADMIN)
    expect(page.get_by_role("heading", name="Before the agency goes live")).to_be_visible()
    walk.done(0)
    _agency_details(walk)
    walk.done(2)  # details and letterhead
    _partners(walk)
    walk.done(3)
    _decision_makers(walk)
    walk.done(4)
    _account(walk, "Priya Adviser", ADVISER, "Panel adviser")
    _closures_and_mail(walk)
    walk.done(7)

    walk.sign_in(ADVISER)
    _central_list(walk, tmp_path)
    _policy(walk)
    meeting_url = _schedule_and_add_items(walk)
    _a_paper_with_a_script(walk, meeting_url, tmp_path)
    walk.sign_in(ADMIN)
    walk.done(10)
    expect(page.get_by_text("Ready to go live")).to_be_visible()
    walk.goto("/")
    expect(page.get_by_role("heading", name="Before the agency goes live")).to_have_count(0)
    chair_email = "margaret.ellison@example.org"
    _account(walk, "Margaret Ellison", chair_email, "Panel member")

    walk.sign_in(ADVISER)
    _sit(walk, meeting_url)
    walk.sign_in(chair_email)
    walk.goto(meeting_url.replace("/panel/meetings/", "/panel/record/meetings/") + "/minutes")
    walk.click("Approve the minutes")
    assert "final and locked" in page.content()

    for case in CASES[shape.key]:
        expected, other = _adm_of(shape, case.child or case.assessed_by)
        walk.sign_in(expected)
        walk.goto("/adm/queue")
        expect(page.locator("main")).to_contain_text(case.reference)
        walk.sign_in(other)
        walk.goto("/adm/queue")
        expect(page.locator("main")).not_to_contain_text(case.reference)
    walk.sign_in(ADMIN)
    page.set_viewport_size({"width": 390, "height": 844})
    walk.goto("/admin/go-live")  # already checked wide: checked again narrow
    walk.problems += [f"390 px: {p}" for p in serious_violations(page)]
    assert walk.problems == []


@pytest.mark.parametrize("key", list(SHAPES))
def test_an_empty_install_goes_live_through_pages(
    key: str, install: Install, chromium: Any, tmp_path: Path
) -> None:
    context = chromium.new_context(base_url=install.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        walk_the_shape(Walk(page, install, SHAPES[key]), tmp_path)
    finally:
        context.close()


def test_the_demo_checklist_is_complete(browser: Any) -> None:
    from tests.browser.pages import sign_in

    sign_in(browser, "admin@demo.example")
    browser.goto("/admin/go-live")
    expect(browser.get_by_text("Ready to go live")).to_be_visible()
    assert serious_violations(browser) == []
    browser.goto("/adm/assignments")
    expect(browser.get_by_text("Missing: assign one")).to_have_count(0)
    assert serious_violations(browser) == []
