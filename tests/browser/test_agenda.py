"""An adviser builds and publishes an agenda as a new user would; a member opens her pack; every
agenda page passes axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import expect

from panel.samples import pdf_paper, word_paper
from tests.browser.axe import serious_violations
from tests.browser.test_panel import sign_in
from tests.panel.test_uploads import macro_enabled_document

pytestmark = pytest.mark.browser

# (type, reference, the authority field to fill, parties)
ITEMS = [
    ("Approval of prospective adopters", "CPA/2027/001", "Assessing agency", "Leah Brown"),
    ("Match of a child with approved adopters", "CPA/2027/002", "The child's authority", ""),
    ("Child should be placed for adoption", "CPA/2027/003", "The child's authority", ""),
    ("Review or termination of approval", "CPA/2027/004", "Assessing agency", ""),
    ("Disruption report", "CPA/2027/005", "", ""),
]


def _paper(tmp_path: Path, title: str, number: int) -> Path:
    safe = re.sub(r"[^A-Za-z]+", "-", title)
    if number % 2:
        path = tmp_path / f"{safe}.pdf"
        path.write_bytes(pdf_paper(title, pages=2, seed=number))
    else:
        path = tmp_path / f"{safe}.docx"
        path.write_bytes(word_paper(title, sections=2, seed=number))
    return path


def test_an_adviser_builds_an_agenda_of_five_items_uploads_papers_and_publishes(
    browser: Any, tmp_path: Path
) -> None:
    sign_in(browser, "adviser@demo.example")
    # The fourth demo panel is rostered and has no items yet; it needs a fifth slot.
    browser.goto("/panel/meetings/4")
    browser.get_by_label("Number of item slots").fill("5")
    browser.get_by_role("button", name="Save changes").click()
    browser.get_by_role("link", name="Agenda, papers and packs").click()
    expect(browser.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    for kind, reference, authority, applicants in ITEMS:
        browser.get_by_label("Type of item").select_option(label=kind)
        browser.get_by_label("Case reference").fill(reference)
        browser.get_by_label("Initials").fill("K.L.")
        if authority:
            browser.get_by_label(authority).select_option(index=1)
        if applicants:
            browser.get_by_label("Applicants or adopters").fill(applicants)
        browser.get_by_role("button", name="Add item").click()
        expect(browser.get_by_text("Item added to the agenda.")).to_be_visible()
    rows = browser.get_by_role("region", name="Agenda items").locator("tbody tr")
    assert rows.count() == 5
    expect(browser.get_by_text("missing", exact=False).first).to_be_visible()
    assert serious_violations(browser) == []

    # A renamed macro document is refused, saying which file and why.
    browser.get_by_role("link", name="CPA/2027/005 (K.L.)").click()
    bad = tmp_path / "Disruption.docx"
    bad.write_bytes(macro_enabled_document())
    browser.get_by_label("Word (.docx) or PDF file").set_input_files(str(bad))
    browser.get_by_role("button", name="Upload").click()
    expect(browser.locator(".govuk-error-summary")).to_be_visible()
    assert "Disruption.docx" in browser.locator("#file-error").inner_text()
    assert "macro" in browser.locator("#file-error").inner_text()
    assert serious_violations(browser) == []
    # A file past the service's limit is refused on the same form, with the limit in words.
    huge = tmp_path / "Scan.pdf"
    huge.write_bytes(b"%PDF-1.7\n" + b"0" * (27 * 1024 * 1024))
    browser.get_by_label("Word (.docx) or PDF file").set_input_files(str(huge))
    browser.get_by_role("button", name="Upload").click()
    expect(browser.locator(".govuk-error-summary")).to_be_visible()
    assert "larger than 25 MB" in browser.locator("#file-error").inner_text()
    browser.get_by_role("link", name="Back to the agenda").click()

    for _kind, reference, _authority, _applicants in ITEMS:
        browser.get_by_role("link", name=f"{reference} (K.L.)").click()
        # The checklist is read at once, so wait for the item's page, not the agenda still shown.
        expect(browser.get_by_role("heading", level=1, name=reference)).to_be_visible()
        checklist = browser.locator("#papers + h3 + ul li").all_inner_texts()
        titles = [re.sub(r"^Missing\s+", "", text).strip() for text in checklist]
        for number, title in enumerate(titles):
            browser.get_by_label("Word (.docx) or PDF file").set_input_files(
                str(_paper(tmp_path, title, number))
            )
            browser.get_by_label("Which paper on the checklist it is").select_option(label=title)
            browser.get_by_role("button", name="Upload").click()
            expect(browser.get_by_text("Paper uploaded.")).to_be_visible()
        assert browser.get_by_text("Missing", exact=True).count() == 0
        browser.get_by_role("link", name="Back to the agenda").click()
        expect(browser.get_by_role("heading", level=1, name="Agenda")).to_be_visible()
    assert browser.locator("text=Complete").count() == 5
    expect(browser.get_by_text("Every item's papers are in.")).to_be_visible()
    browser.get_by_role("button", name="Publish the agenda and e-mail members").click()
    expect(browser.get_by_text("The agenda is published")).to_be_visible()
    expect(browser.get_by_role("heading", name="Who has opened their papers")).to_be_visible()
    assert serious_violations(browser) == []


def test_a_member_finds_her_conflicted_item_withheld_and_her_name_on_her_pack(
    browser: Any, tmp_path: Path
) -> None:
    sign_in(browser, "member@demo.example")
    browser.get_by_role("link", name="My packs").first.click()
    assert serious_violations(browser) == []
    browser.get_by_role("link", name=re.compile(r"^Panel on ")).first.click()
    expect(browser.get_by_text("Item withheld")).to_be_visible()
    assert browser.get_by_text("CPA/2026/031").count() == 0
    expect(browser.get_by_text("Contact plan agreed at the review", exact=False)).to_be_visible()
    assert serious_violations(browser) == []
    with browser.expect_download() as download:
        browser.get_by_role("button", name="Download my pack (Word)").click()
    path = tmp_path / "pack.docx"
    download.value.save_as(path)
    pack = docx.Document(str(path))
    assert (
        pack.sections[0]
        .footer.paragraphs[0]
        .text.startswith("Prepared for Grace Adeyemi - do not copy")
    )
    text = "\n".join(p.text for p in pack.paragraphs)
    assert "CPA/2026/031" not in text and "CPA/2026/032" in text


def test_the_item_types_page_and_a_refused_pack_are_plain_and_accessible(browser: Any) -> None:
    sign_in(browser, "adviser@demo.example")
    browser.goto("/panel/item-types")
    expect(browser.get_by_text("ADM of the child's authority").first).to_be_visible()
    assert serious_violations(browser) == []
    browser.get_by_role("button", name="Add item type").click()
    expect(browser.locator(".govuk-error-summary")).to_be_visible()
    assert serious_violations(browser) == []
    browser.context.clear_cookies()
    sign_in(browser, "member@demo.example")
    response = browser.goto("/panel/my/packs/3")  # papers not published yet
    assert response.status == 403
