"""Protectively marked .docx documents that serialise to the same bytes for the same content."""

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from governance import letterhead as letterheads
from governance.letterhead import Letterhead

OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
# The earliest time a zip entry can hold; any fixed value would do.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def marked_document(
    *,
    title: str,
    author: str,
    marking: str = OFFICIAL_SENSITIVE,
    header_note: str = "",
    letterhead: Letterhead | None = None,
) -> Document:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(12)
    section = document.sections[0]
    # The marking goes at the top and bottom of every page, so a printed page stays marked.
    _marking(section.header.paragraphs[0], marking, header_note)
    _marking(section.footer.paragraphs[0], marking, "")
    # The agency's own logo, name, address and footer (governance/letterhead.py).
    letterheads.apply(document, letterhead)
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.subject = marking
    return document


def deterministic_docx(document: Document, *, dated: date = date(2000, 1, 1)) -> bytes:
    properties = document.core_properties
    # The document's own date rather than the moment it was built, so a rebuild is identical.
    properties.created = properties.modified = datetime(
        dated.year, dated.month, dated.day, tzinfo=UTC
    )
    properties.last_modified_by = ""
    properties.comments = ""
    properties.revision = 1
    saved = io.BytesIO()
    document.save(saved)
    rewritten = io.BytesIO()
    with (
        zipfile.ZipFile(saved) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            # python-docx stamps every entry with the wall-clock time of saving.
            fixed = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3  # ZipInfo's default differs on Windows
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry))
    return rewritten.getvalue()


def add_table(document: Document, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table: Table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    # Marked as a header row so screen readers announce it and it repeats across pages.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for table_row, row in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(table_row.cells, row, strict=True):
            cell.text = text
    return table


def _marking(paragraph: Paragraph, marking: str, note: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(marking).bold = True
    if note:
        paragraph.add_run(f"\n{note}")
