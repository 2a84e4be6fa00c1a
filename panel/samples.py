"""Synthetic panel papers (.docx and PDF) of realistic length for the demo and the tests."""

from __future__ import annotations

import io
import random

import docx
from docx.shared import Mm
from pypdf import PageObject, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

WORDS = [
    "the",
    "applicants",
    "described",
    "their",
    "support",
    "network",
    "family",
    "friends",
    "school",
    "contact",
    "plan",
    "placement",
    "stability",
    "attachment",
    "health",
    "development",
    "education",
    "routine",
    "therapeutic",
    "parenting",
    "assessment",
    "references",
    "checks",
    "medical",
    "adviser",
    "recommended",
    "panel",
    "agency",
    "social",
    "worker",
    "visits",
    "home",
    "safety",
    "pets",
    "finances",
    "employment",
    "resilience",
    "reflection",
    "birth",
    "family",
    "history",
    "life",
    "story",
    "work",
    "letterbox",
    "identity",
    "culture",
    "religion",
    "language",
]


def word_paper(title: str, *, sections: int = 8, seed: int = 1) -> bytes:
    """A Word report: a heading and `sections` headed sections, about one page each."""
    chooser = random.Random(seed)
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    document.add_heading(title, level=1)
    document.add_paragraph("Fictional demonstration paper: every person named is invented.")
    for number in range(1, sections + 1):
        document.add_heading(f"Section {number}", level=2)
        for _ in range(4):
            words = [chooser.choice(WORDS) for _ in range(70)]
            document.add_paragraph(" ".join(words).capitalize() + ".")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_paper(title: str, *, pages: int = 3, seed: int = 1, print_script: bool = False) -> bytes:
    """A plain PDF report of `pages` A4 pages of text in Helvetica; with `print_script`, as some
    case systems export a form, it also carries a script that opens the print dialogue when the
    file is opened (the safety pass removes it)."""
    chooser = random.Random(seed)
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for number in range(1, pages + 1):
        page = writer.add_blank_page(width=595, height=842)
        overlay = PageObject.create_blank_page(width=595, height=842)
        lines = [f"BT /F1 14 Tf 72 770 Td ({_escape(title)} - page {number}) Tj ET"]
        for row in range(40):
            words = " ".join(chooser.choice(WORDS) for _ in range(12))
            lines.append(f"BT /F1 10 Tf 72 {740 - row * 16} Td ({_escape(words)}) Tj ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(lines).encode())
        overlay[NameObject("/Contents")] = stream
        overlay[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page.merge_page(overlay)
    if print_script:
        writer.add_open_action(JavaScript("this.print({bUI: true, bSilent: false});"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
