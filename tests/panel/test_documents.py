import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.enum.section import WD_ORIENTATION
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, Destination, DictionaryObject, NameObject

from governance import pdf
from panel.documents import (
    BuildReport,
    Item,
    Meeting,
    Member,
    Paper,
    build_docx_packs,
    build_pdf_packs,
)
from panel.uploads import Kind
from tests import support

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 7, 14, 10, 0, tzinfo=LONDON)
CHAIR = Member("Priya Chair", full_pack=True)
CONFLICTED = Member("Zoë O'Neil & Sons", withdrawn_from=frozenset({3}))
MEMBER = Member("Bob Member")


def needs_libreoffice() -> None:
    # Skipped on a machine without LibreOffice; a failure in CI (REQUIRE_ALL_COMPONENTS=1).
    support.require(pdf.libreoffice_available(), "LibreOffice (soffice)")


def png(shade: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\0" + bytes([shade, 255 - shade, shade // 2]) * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def word_paper(marker: str, *, shade: int | None = None, landscape: bool = False) -> bytes:
    document = docx.Document()
    document.sections[0].footer.paragraphs[0].text = f"{marker} own footer"
    document.add_heading(f"{marker} report", level=1)
    if shade is not None:
        document.add_picture(io.BytesIO(png(shade)), width=Mm(20))
    for number in range(3):
        document.add_paragraph(f"{marker} paragraph {number}")
        document.add_paragraph(f"{marker} point {number}", style="List Number")
    if landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENTATION.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_paper(marker: str, pages: int = 2) -> bytes:
    writer = PdfWriter()
    for number in range(1, pages + 1):
        page = writer.add_blank_page(width=595, height=842)
        overlay = PageObject.create_blank_page(width=595, height=842)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td ({marker} page {number}) Tj ET".encode())
        overlay[NameObject("/Contents")] = stream
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        overlay[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page.merge_page(overlay)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def item(number: int, *papers: Paper) -> Item:
    return Item(
        number=number,
        case_reference=f"CPA/2026/{number:03d}",
        initials=f"{'ABCD'[number - 1]}.X.",
        item_type="Approval of prospective adopters" if number != 4 else "Match",
        starts=START + timedelta(minutes=30 * (number - 1)),
        ends=START + timedelta(minutes=30 * number),
        papers=papers,
    )


def meeting(tmp_path: Path) -> Meeting:
    # Item 1's paper is read from disk, the rest are held in memory.
    on_disk = tmp_path / "inputs" / "PAR-1.docx"
    on_disk.parent.mkdir(parents=True, exist_ok=True)
    on_disk.write_bytes(word_paper("Alpha", shade=10))
    return Meeting(
        agency="Example Regional Adoption Agency",
        title="Adoption panel",
        starts=START,
        venue="Room 2, Shire Hall",
        items=(
            item(1, Paper("PAR-alpha.docx", Kind.DOCX, on_disk)),
            item(
                2,
                Paper("PAR-bravo.docx", Kind.DOCX, word_paper("Bravo", landscape=True)),
                Paper(
                    "Medical-bravo.pdf",
                    Kind.PDF,
                    pdf_paper("Bravo medical"),
                    version=2,
                    changed="consultant's letter added",
                ),
            ),
            item(3, Paper("PAR-charlie.docx", Kind.DOCX, word_paper("Charlie", shade=200))),
            item(
                4,
                Paper("CPR-delta.docx", Kind.DOCX, word_paper("Delta")),
                Paper("Legal-delta.docx", Kind.DOCX, word_paper("Legal"), full_pack_only=True),
            ),
        ),
    )


def with_late_paper(original: Meeting) -> Meeting:
    def revised(agenda_item: Item) -> Item:
        if agenda_item.number != 2:
            return agenda_item
        late = Paper(
            "PAR-bravo.docx", Kind.DOCX, word_paper("Bravo revised"), 2, "applicants' comments"
        )
        return replace(agenda_item, papers=(late, agenda_item.papers[1]))

    return replace(original, items=tuple(revised(entry) for entry in original.items))


def docx_pack(report: BuildReport, member: Member) -> Path:
    return next(pack.path for pack in report.packs if pack.member == member.name)


def xml_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        }


def body_text(path: Path) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Meeting, BuildReport]:
    root = tmp_path_factory.mktemp("docx-packs")
    agenda = meeting(root)
    return agenda, build_docx_packs(agenda, [CHAIR, CONFLICTED, MEMBER], root / "out", root / "c")


def test_a_pack_holds_the_items_in_agenda_order_each_followed_by_its_papers(
    built: tuple[Meeting, BuildReport],
) -> None:
    text = body_text(docx_pack(built[1], MEMBER))
    order = [
        "Item 1: CPA/2026/001 (A.X.)",
        "Alpha report",
        "Item 2: CPA/2026/002 (B.X.)",
        "Bravo report",
        "Item 3: CPA/2026/003 (C.X.)",
        "Charlie report",
        "Item 4: CPA/2026/004 (D.X.)",
        "Delta report",
    ]
    positions = [text.index(f"\n{heading}\n") for heading in order]
    assert positions == sorted(positions)


def test_the_cover_names_the_agency_meeting_date_and_member(
    built: tuple[Meeting, BuildReport],
) -> None:
    text = body_text(docx_pack(built[1], MEMBER))
    cover = text[: text.index("Contents")]
    for expected in (
        "OFFICIAL-SENSITIVE",
        "Example Regional Adoption Agency",
        "Adoption panel",
        "Date: Tuesday 14 July 2026",
        "Starts: 10:00",
        "Venue: Room 2, Shire Hall",
        "Prepared for Bob Member",
    ):
        assert expected in cover


def test_the_agenda_gives_each_item_its_london_time_slot(
    built: tuple[Meeting, BuildReport],
) -> None:
    document = docx.Document(str(docx_pack(built[1], MEMBER)))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["Time", "Item", "Case", "Type"]
    assert rows[2] == [
        "10:30 to 11:00",
        "2",
        "CPA/2026/002 (B.X.)",
        "Approval of prospective adopters",
    ]


def test_a_member_conflicted_on_item_3_gets_item_3_withheld(
    built: tuple[Meeting, BuildReport],
) -> None:
    path = docx_pack(built[1], CONFLICTED)
    text = body_text(path)
    assert "Item 3 withheld" in text
    everything = "\n".join(xml_parts(path).values())
    for leaked in ("Charlie", "CPA/2026/003", "C.X.", "PAR-charlie"):
        assert leaked not in everything
    agenda = docx.Document(str(path)).tables[0]
    assert [cell.text for cell in agenda.rows[3].cells] == ["11:00 to 11:30", "3", "Withheld", ""]
    # Item 3's picture is not carried in the package either.
    with zipfile.ZipFile(path) as archive:
        media = [
            archive.read(name) for name in archive.namelist() if name.startswith("word/media/")
        ]
    assert png(200) not in media
    assert png(10) in media


def test_members_not_conflicted_get_item_3(built: tuple[Meeting, BuildReport]) -> None:
    text = body_text(docx_pack(built[1], MEMBER))
    assert "Charlie report" in text
    assert "withheld" not in text


def test_papers_for_the_full_pack_only_reach_the_chair(built: tuple[Meeting, BuildReport]) -> None:
    assert "Legal report" in body_text(docx_pack(built[1], CHAIR))
    member = docx_pack(built[1], MEMBER)
    assert "Legal" not in "\n".join(xml_parts(member).values())


def test_the_members_name_is_in_the_footer_of_every_page(
    built: tuple[Meeting, BuildReport],
) -> None:
    path = docx_pack(built[1], CONFLICTED)
    document = docx.Document(str(path))
    sections = list(document.sections)
    assert not sections[0].footer.is_linked_to_previous
    assert not sections[0].header.is_linked_to_previous
    assert not sections[0].different_first_page_header_footer
    for section in sections[1:]:
        # A section without its own footer shows the previous one's, back to the first.
        assert section.footer.is_linked_to_previous
        assert section.header.is_linked_to_previous
        assert not section.different_first_page_header_footer
    footer = sections[0].footer.paragraphs[0]
    assert footer.text.startswith("Prepared for Zoë O'Neil & Sons - do not copy  |  Page ")
    fields = [text.text.strip() for text in footer._p.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    # The papers' own footers are gone, so they cannot stand in for the member's.
    assert not any("own footer" in text for text in xml_parts(path).values())


def test_a_paper_keeps_its_own_page_layout(built: tuple[Meeting, BuildReport]) -> None:
    document = docx.Document(str(docx_pack(built[1], MEMBER)))
    orientations = [section.orientation for section in document.sections]
    assert WD_ORIENTATION.LANDSCAPE in orientations
    width = document.sections[0].page_width
    assert width is not None
    assert round(width.mm) == 210


def test_the_contents_page_refers_to_every_item_and_docx_paper(
    built: tuple[Meeting, BuildReport],
) -> None:
    xml = xml_parts(docx_pack(built[1], CONFLICTED))["word/document.xml"]
    targets = re.findall(r"PAGEREF (\w+) \\h", xml)
    assert targets == [
        "pack_item_1",
        "pack_item_1_paper_1",
        "pack_item_2",
        "pack_item_2_paper_1",
        "pack_item_3",
        "pack_item_4",
        "pack_item_4_paper_1",
    ]
    bookmarks = set(re.findall(r'w:bookmarkStart [^>]*w:name="(\w+)"', xml))
    assert set(targets) <= bookmarks
    text = body_text(docx_pack(built[1], CONFLICTED))
    assert "Medical-bravo.pdf (version 2)\tin the PDF pack" in text


def test_a_late_paper_is_marked_with_what_changed_on_its_front_sheet(
    built: tuple[Meeting, BuildReport],
) -> None:
    document = docx.Document(str(docx_pack(built[1], MEMBER)))
    sheet = next(
        table
        for table in document.tables
        if table.rows[0].cells[0].text == "Paper"
        and "Medical-bravo.pdf" in [row.cells[0].text for row in table.rows]
    )
    rows = [[cell.text for cell in row.cells] for row in sheet.rows]
    assert rows[1] == ["PAR-bravo.docx", "1", "follows this sheet", ""]
    assert rows[2] == [
        "Medical-bravo.pdf",
        "2",
        "included in the PDF pack",
        "changed since first published: consultant's letter added",
    ]


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    agenda = meeting(tmp_path)
    members = [CHAIR, CONFLICTED]
    first = build_docx_packs(agenda, members, tmp_path / "a", tmp_path / "cache-a")
    second = build_docx_packs(agenda, members, tmp_path / "b", tmp_path / "cache-b")
    warm = build_docx_packs(agenda, members, tmp_path / "c", tmp_path / "cache-a")
    for one, two, three in zip(first.packs, second.packs, warm.packs, strict=True):
        assert one.path.read_bytes() == two.path.read_bytes() == three.path.read_bytes()
    assert not warm.built


def test_a_late_paper_rebuilds_only_its_items_part(tmp_path: Path) -> None:
    agenda = meeting(tmp_path)
    members = [CHAIR, CONFLICTED, MEMBER]
    build_docx_packs(agenda, members, tmp_path / "out", tmp_path / "cache")
    before = body_text(
        docx_pack(build_docx_packs(agenda, [MEMBER], tmp_path / "x", tmp_path / "cache"), MEMBER)
    )
    report = build_docx_packs(
        with_late_paper(agenda), members, tmp_path / "out", tmp_path / "cache"
    )
    assert {(part.kind, part.item) for part in report.built if part.kind == "item"} == {("item", 2)}
    assert {part.item for part in report.reused if part.kind == "item"} == {1, 3, 4}
    after = body_text(docx_pack(report, MEMBER))
    assert "Bravo revised report" in after
    assert "Bravo revised report" not in before
    assert "changed since first published: applicants' comments" in "\n".join(
        xml_parts(docx_pack(report, MEMBER)).values()
    )


def test_packs_are_written_whole_with_nothing_left_over(built: tuple[Meeting, BuildReport]) -> None:
    out_dir = built[1].packs[0].path.parent
    assert sorted(path.name for path in out_dir.iterdir()) == [
        "2026-07-14 Adoption panel - Bob Member.docx",
        "2026-07-14 Adoption panel - Priya Chair.docx",
        "2026-07-14 Adoption panel - Zoë O'Neil & Sons.docx",
    ]


def test_a_slash_in_a_members_name_does_not_send_the_pack_elsewhere(tmp_path: Path) -> None:
    agenda = replace(meeting(tmp_path), items=())
    report = build_docx_packs(agenda, [Member("../A/B Smith")], tmp_path / "out", tmp_path / "c")
    assert (
        report.packs[0].path == tmp_path / "out" / "2026-07-14 Adoption panel - ..-A-B Smith.docx"
    )
    assert "Prepared for ../A/B Smith" in body_text(report.packs[0].path)


def test_a_meeting_time_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Meeting("Agency", "Panel", datetime(2026, 7, 14, 10, 0), "Room", ())  # noqa: DTZ001


def test_two_members_with_the_same_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="same name"):
        build_docx_packs(meeting(tmp_path), [MEMBER, MEMBER], tmp_path / "o", tmp_path / "c")


# -- LibreOffice -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfBuild:
    meeting: Meeting
    report: BuildReport
    cache: Path
    root: Path


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory: pytest.TempPathFactory) -> PdfBuild:
    needs_libreoffice()
    root = tmp_path_factory.mktemp("pdf-packs")
    agenda = meeting(root)
    report = build_pdf_packs(agenda, [CHAIR, CONFLICTED, MEMBER], root / "out", root / "cache")
    return PdfBuild(agenda, report, root / "cache", root)


PAGE_STARTS = {
    "PAR-alpha.docx": "Alpha report",
    "PAR-bravo.docx": "Bravo report",
    "Medical-bravo.pdf": "Bravo medical page 1",
    "PAR-charlie.docx": "Charlie report",
    "CPR-delta.docx": "Delta report",
    "Legal-delta.docx": "Legal report",
}


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def pdf_pack(build: PdfBuild, member: Member) -> Path:
    return next(pack.path for pack in build.report.packs if pack.member == member.name)


@pytest.mark.libreoffice
def test_every_pdf_page_carries_the_members_name_and_page_x_of_y(pdf_build: PdfBuild) -> None:
    texts = page_texts(pdf_pack(pdf_build, CONFLICTED))
    total = len(texts)
    assert total == next(p.pages for p in pdf_build.report.packs if p.member == CONFLICTED.name)
    for number, text in enumerate(texts, 1):
        assert f"Prepared for Zoë O'Neil & Sons - do not copy  |  Page {number} of {total}" in text
        assert "OFFICIAL-SENSITIVE" in text
    # Including the pages of a PDF paper, which had no footer of their own.
    assert any("Bravo medical page 2" in text for text in texts)


@pytest.mark.libreoffice
def test_pdf_bookmarks_follow_the_agenda(pdf_build: PdfBuild) -> None:
    reader = PdfReader(pdf_pack(pdf_build, CONFLICTED))
    top = [entry for entry in reader.outline if isinstance(entry, Destination)]
    assert [entry.title for entry in top] == [
        "Cover",
        "Contents",
        "Agenda",
        "Item 1: CPA/2026/001 (A.X.) - Approval of prospective adopters",
        "Item 2: CPA/2026/002 (B.X.) - Approval of prospective adopters",
        "Item 3 withheld",
        "Item 4: CPA/2026/004 (D.X.) - Match",
    ]
    papers = [entry for entry in reader.outline if isinstance(entry, list)]
    titles = [[p.title for p in group if isinstance(p, Destination)] for group in papers]
    assert titles == [
        ["PAR-alpha.docx (version 1)"],
        ["PAR-bravo.docx (version 1)", "Medical-bravo.pdf (version 2)"],
        ["CPR-delta.docx (version 1)"],
    ]
    texts = page_texts(pdf_pack(pdf_build, CONFLICTED))
    for entry in top[3:]:
        title = str(entry.title).split(" - ")[0]
        assert title in texts[reader.get_destination_page_number(entry) or 0]


@pytest.mark.libreoffice
def test_pdf_contents_page_numbers_match_the_pages(pdf_build: PdfBuild) -> None:
    for member in (CHAIR, CONFLICTED):
        texts = page_texts(pdf_pack(pdf_build, member))
        contents = next(text for text in texts if "Contents" in text.splitlines())
        lines = re.findall(r"^(.+?)\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE)
        assert len(lines) >= 7
        for label, page in lines:
            first_text = PAGE_STARTS.get(label.split(" (version")[0], label.split(" - ")[0])
            assert first_text in texts[int(page) - 1]


@pytest.mark.libreoffice
def test_a_withheld_item_has_only_its_sheet_in_the_pdf(pdf_build: PdfBuild) -> None:
    texts = page_texts(pdf_pack(pdf_build, CONFLICTED))
    everything = "\n".join(texts)
    assert "Item 3 withheld" in everything
    for leaked in ("Charlie", "CPA/2026/003", "PAR-charlie"):
        assert leaked not in everything
    assert "Charlie report" in "\n".join(page_texts(pdf_pack(pdf_build, MEMBER)))
    assert "Legal report" not in "\n".join(page_texts(pdf_pack(pdf_build, MEMBER)))
    assert "Legal report" in "\n".join(page_texts(pdf_pack(pdf_build, CHAIR)))


@pytest.mark.libreoffice
def test_a_pdf_rebuild_is_byte_identical_and_a_late_paper_converts_only_its_parts(
    pdf_build: PdfBuild,
) -> None:
    members = [CHAIR, CONFLICTED, MEMBER]
    again = build_pdf_packs(pdf_build.meeting, members, pdf_build.root / "again", pdf_build.cache)
    assert not again.built
    for first, second in zip(pdf_build.report.packs, again.packs, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes()
    late = build_pdf_packs(
        with_late_paper(pdf_build.meeting), members, pdf_build.root / "late", pdf_build.cache
    )
    converted = {(part.kind, part.item) for part in late.built if part.kind != "front-pdf"}
    assert converted == {("sheet-pdf", 2), ("paper-pdf", 2)}
    assert "Bravo revised report" in "\n".join(page_texts(late.packs[0].path))


@pytest.mark.libreoffice
def test_a_docx_pack_laid_out_by_libreoffice_has_the_footer_and_contents_right(
    built: tuple[Meeting, BuildReport], tmp_path: Path
) -> None:
    needs_libreoffice()
    source = docx_pack(built[1], CONFLICTED)
    [laid_out] = pdf.convert_files([source], tmp_path / "laid-out")
    texts = page_texts(laid_out)
    for number, text in enumerate(texts, 1):
        assert f"Prepared for Zoë O'Neil & Sons - do not copy | Page {number} of {len(texts)}" in (
            " ".join(text.split())
        )
    contents = texts[1]
    for label, page in re.findall(r"^(Item \d[^.]*?)\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE):
        assert label.split(" - ")[0].strip() in texts[int(page) - 1]


@pytest.mark.libreoffice
def test_parallel_conversions_each_use_their_own_profile(tmp_path: Path) -> None:
    needs_libreoffice()
    sources = []
    for number in range(4):
        source = tmp_path / f"paper-{number}.docx"
        source.write_bytes(word_paper(f"Paper {number}"))
        sources.append(source)
    outputs = pdf.convert_files(sources, tmp_path / "pdf", jobs=2)
    assert [PdfReader(output).pages[0].extract_text().split("\n")[0] for output in outputs] == [
        f"Paper {number} report" for number in range(4)
    ]


@pytest.mark.libreoffice
def test_a_conversion_that_overruns_its_time_is_stopped_with_a_clear_error(tmp_path: Path) -> None:
    needs_libreoffice()
    source = tmp_path / "slow.docx"
    source.write_bytes(word_paper("Slow"))
    with pytest.raises(pdf.ConversionTimeoutError, match=r"did not finish converting slow\.docx"):
        pdf.convert_files([source], tmp_path / "pdf", timeout=0.05)


def test_two_sources_with_the_same_name_are_refused_before_converting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="distinct"):
        pdf.convert_files([tmp_path / "a" / "x.docx", tmp_path / "b" / "x.docx"], tmp_path)
