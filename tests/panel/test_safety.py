"""Each hostile paper is refused or cleaned as designed; ordinary papers pass unchanged."""

from __future__ import annotations

import io
import re
import resource
import zipfile

import docx
import pytest
from pypdf import PdfReader

from panel import safety, uploads
from panel.safety import SafetyLimits
from tests.panel import hostile

LIMITS = SafetyLimits()
ACTIVE_PDF_NAMES = (b"/JavaScript", b"/Launch", b"/EmbeddedFiles", b"/AcroForm", b"/XFA", b"/AA")


def _pdf(data: bytes) -> safety.Cleaned:
    return safety.clean(uploads.Kind.PDF, data, LIMITS)


def _word(data: bytes) -> safety.Cleaned:
    return safety.clean(uploads.Kind.DOCX, data, LIMITS)


@pytest.mark.parametrize(
    ("make", "removed"),
    [
        (hostile.pdf_document_javascript, ("a script that runs when the file is opened",)),
        (hostile.pdf_page_javascript, ("a script that runs when the file is opened",)),
        (hostile.pdf_launch, ("an instruction to start another program",)),
        (hostile.pdf_embedded_executable, ("an attached file",)),
        (
            hostile.pdf_xfa_form,
            (
                "a form",
                "a script that runs when the file is opened",
                "a link that sends or loads form data",
            ),
        ),
    ],
)
def test_active_parts_of_a_pdf_are_removed_and_its_page_kept(make, removed) -> None:
    cleaned = _pdf(make())
    assert cleaned.accepted and cleaned.removed == removed and cleaned.pages == 1
    written_out = hostile.expanded(cleaned.content)
    assert not [name for name in ACTIVE_PDF_NAMES if name in written_out]
    assert b"MZ" not in written_out and b"app.alert" not in written_out
    assert (
        "Report for adoption panel"
        in PdfReader(io.BytesIO(cleaned.content)).pages[0].extract_text()
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (hostile.pdf_encrypted, "is protected with a password: save it again without one"),
        (hostile.pdf_object_stream_loop, "cannot be opened as a PDF"),
    ],
)
def test_a_pdf_that_cannot_be_opened_plainly_is_refused(make, reason) -> None:
    cleaned = _pdf(make())
    assert not cleaned.accepted and cleaned.reason.startswith(reason) and cleaned.content == b""


def test_a_pdf_over_the_page_limit_is_refused_saying_so() -> None:
    cleaned = safety.clean(uploads.Kind.PDF, hostile.forty_page_pdf(), SafetyLimits(max_pages=30))
    assert not cleaned.accepted
    assert cleaned.reason.startswith("has 40 pages, more than the 30 a paper may have")


@pytest.mark.parametrize(
    ("make", "removed"),
    [
        (hostile.docx_dde, "an automatic link to another file (DDE field)"),
        (hostile.docx_ddeauto, "an automatic link to another file (DDE field)"),
        (hostile.docx_remote_template, "a remote template"),
        (hostile.docx_external_image, "a picture loaded from the internet"),
        (hostile.docx_ole_object, "an embedded object (OLE)"),
        (hostile.docx_activex, "an ActiveX control"),
    ],
)
def test_active_parts_of_a_word_paper_are_removed_and_its_text_kept(make, removed) -> None:
    original = make()
    cleaned = _word(original)
    assert cleaned.accepted and cleaned.removed == (removed,)
    archive = zipfile.ZipFile(io.BytesIO(cleaned.content))
    names = archive.namelist()
    assert not [n for n in names if "oleobject" in n.lower() or "activex" in n.lower()]
    assert not [n for n in names if n.startswith("word/ctrl/") or n.startswith("word/embeddings/")]
    for name in names:
        text = archive.read(name).decode("utf-8", "replace")
        assert not re.search(r"instrText[^>]*>\s*DDE", text)
        assert "w:fldSimple" not in text and "<w:object" not in text and "<w:control" not in text
        assert "attachedTemplate" not in text
        for rel in re.findall(r"<Relationship [^>]*/>", text):
            assert 'TargetMode="External"' not in rel or "/hyperlink" in rel
    assert archive.namelist()[0] == "[Content_Types].xml"
    shown = "\n".join(p.text for p in docx.Document(io.BytesIO(cleaned.content)).paragraphs)
    assert "Report for adoption panel" in shown
    assert _word(original).content == cleaned.content  # rewritten deterministically


def test_a_field_keeps_the_result_the_reader_saw_as_plain_text() -> None:
    cleaned = _word(hostile.docx_ddeauto())
    shown = [p.text for p in docx.Document(io.BytesIO(cleaned.content)).paragraphs]
    assert "Before Shown result" in shown
    simple = _word(hostile.docx_dde())
    assert "Simple result" in [p.text for p in docx.Document(io.BytesIO(simple.content)).paragraphs]


def test_an_ordinary_hyperlink_is_kept() -> None:
    cleaned = _word(hostile.docx_external_image())
    rels = zipfile.ZipFile(io.BytesIO(cleaned.content)).read("word/_rels/document.xml.rels")
    assert b"https://www.gov.uk/" in rels and b"tracker.example" not in rels


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (hostile.docx_dtd_entity, "contains a document type declaration that Word does not write"),
        (hostile.docx_billion_laughs, "contains a document type declaration"),
        (hostile.docx_macro_part, "is a macro-enabled Word document (.docm)"),
        (hostile.docx_zip_bomb, "is not a normal Word document: it would expand to"),
        (lambda: hostile.docx_activex("activeX"), "contains ActiveX controls"),
    ],
)
def test_a_word_paper_that_cannot_be_cleaned_is_refused(make, reason) -> None:
    cleaned = _word(make())
    assert not cleaned.accepted and cleaned.reason.startswith(reason)


def test_an_ordinary_word_paper_passes_unchanged() -> None:
    original = hostile.ordinary_docx()
    cleaned = _word(original)
    assert cleaned.accepted and cleaned.removed == () and cleaned.content == original
    before = docx.Document(io.BytesIO(original))
    after = docx.Document(io.BytesIO(cleaned.content))
    assert [p.text for p in after.paragraphs] == [p.text for p in before.paragraphs]
    assert after.tables[0].cell(1, 1).text == "4" and len(after.inline_shapes) == 1
    assert b"w:ins " in zipfile.ZipFile(io.BytesIO(cleaned.content)).read("word/document.xml")


@pytest.mark.parametrize("make", [hostile.text_pdf, hostile.scanned_pdf, hostile.forty_page_pdf])
def test_an_ordinary_pdf_passes_unchanged(make) -> None:
    original = make()
    cleaned = _pdf(original)
    assert cleaned.accepted and cleaned.removed == () and cleaned.content == original
    before = [p.extract_text() for p in PdfReader(io.BytesIO(original)).pages]
    assert [p.extract_text() for p in PdfReader(io.BytesIO(cleaned.content)).pages] == before


async def test_a_decompression_bomb_is_refused_in_the_worker_without_growing_this_process() -> None:
    bomb = hostile.pdf_decompression_bomb()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cleaned = await safety.make_safe(uploads.Kind.PDF, bomb)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert not cleaned.accepted
    assert cleaned.reason.startswith("could not be checked safely: it is too large or too complex")
    assert after - before < 20 * 1024  # KiB: the bomb's 1.1 GB never reached this process


async def test_a_worker_that_runs_out_of_memory_gives_a_refusal_not_an_error() -> None:
    tiny = SafetyLimits(memory_bytes=64 * 1024 * 1024)
    cleaned = await safety.make_safe(uploads.Kind.PDF, hostile.text_pdf(), tiny)
    assert not cleaned.accepted
    assert cleaned.reason == (
        "could not be checked safely: it is too large or too complex to open "
        "(opening it ran out of memory or time)"
    )


async def test_a_worker_that_overruns_its_time_is_stopped() -> None:
    cleaned = await safety.make_safe(
        uploads.Kind.PDF, hostile.text_pdf(), SafetyLimits(wall_seconds=0.01)
    )
    assert not cleaned.accepted and "it took more than 0.01 seconds" in cleaned.reason


async def test_make_safe_cleans_in_the_worker_as_clean_does() -> None:
    data = hostile.pdf_launch()
    assert await safety.make_safe(uploads.Kind.PDF, data) == _pdf(data)
