"""The agency's letterhead on every document it sends: logo, name, postal address, contacts, footer.

One place decides how a letter, a pack cover, minutes and a board report are headed, so each
builder calls these functions and none spells out the agency's name itself. Values come in from
the agency's record (governance.agency.letterhead); nothing here reads a database or a file.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

LOGO_HEIGHT = Mm(18)


@dataclass(frozen=True, slots=True)
class Letterhead:
    name: str
    address: tuple[str, ...] = ()  # postal address, one line each, the postcode last
    telephone: str = ""
    email: str = ""
    website: str = ""
    footer: str = ""
    logo: bytes | None = None  # a PNG or JPEG checked on upload (governance.logo)

    @property
    def contacts(self) -> str:
        parts = (
            f"Telephone {self.telephone}" if self.telephone else "",
            f"Email {self.email}" if self.email else "",
            self.website,
        )
        return "  |  ".join(part for part in parts if part)

    def fingerprint(self) -> list[object]:
        """What a cached document built with this letterhead depends on."""
        logo = hashlib.sha256(self.logo).hexdigest() if self.logo else ""
        return [self.name, list(self.address), self.contacts, self.footer, logo]


def add_heading(document: Document, letterhead: Letterhead, *, name_style: str = "") -> None:
    """At the current end of the body (the top of a new document): the logo, the agency's name
    (bold, or in `name_style`), its postal address and its contacts."""
    if letterhead.logo:
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        picture.add_run().add_picture(io.BytesIO(letterhead.logo), height=LOGO_HEIGHT)
    if name_style:
        document.add_paragraph(letterhead.name, style=name_style)
    else:
        document.add_paragraph().add_run(letterhead.name).bold = True
    lines = [*letterhead.address, letterhead.contacts]
    lines = [line for line in lines if line]
    if lines:
        document.add_paragraph("\n".join(lines))


def add_footer_note(document: Document, letterhead: Letterhead) -> None:
    """The letterhead's footer text as a small paragraph here in the body (a pack's cover, whose
    page footer is stamped per member)."""
    if letterhead.footer:
        note = document.add_paragraph()
        note.paragraph_format.space_before = Pt(24)
        note.add_run(letterhead.footer).font.size = Pt(8)


def add_page_footer(document: Document, letterhead: Letterhead) -> None:
    """The footer text under the marking at the foot of every page."""
    if not letterhead.footer:
        return
    for section in document.sections:
        if section.footer.is_linked_to_previous and section is not document.sections[0]:
            continue
        paragraph = section.footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(letterhead.footer).font.size = Pt(8)


def apply(document: Document, letterhead: Letterhead | None) -> None:
    """A document's letterhead: the heading at the top of its body and the footer on every page."""
    if letterhead is None:
        return
    add_heading(document, letterhead)
    add_page_footer(document, letterhead)
