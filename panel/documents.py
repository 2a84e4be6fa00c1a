"""Each member's agenda pack (.docx and PDF), built from cached parts, without withdrawn items."""

import hashlib
import io
import json
import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docxcompose.composer import Composer
from docxcompose.utils import xpath
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
)

from governance import letterhead as letterheads
from governance import pdf
from governance.letterhead import Letterhead
from panel.uploads import Kind, safe_filename

# Part of every cache key: bump it whenever the layout of any part changes.
BUILD = "agenda-pack-2"
LONDON = ZoneInfo("Europe/London")
MARKING = "OFFICIAL-SENSITIVE"
# Members who see the same items share one composed body; this stands for the member's
# name in it until each copy is written. Private-use characters never occur in real text.
NAME_TOKEN = "\ue000member-name\ue001"
_WRAP_TAG = "agenda-pack-merge"
_TEXT_WIDTH = Mm(170)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Children of w:settings that must come after w:updateFields (ECMA-376 order).
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
# Widths of " " to "~" in Helvetica, in 1/1000 em (Adobe's Core 14 AFM), to centre the stamp.
_HELVETICA = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
    722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
    556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
    500, 334, 260, 334, 584,
)  # fmt: skip
_HELVETICA_BOLD_FACTOR = 1.08
# Latin letters with a stroke have no decomposition to fall back on.
_STROKED = str.maketrans("ŁłĐđĦħŦŧıƗɨ", "LlDdHhTtiIi")


class PaperFailed(Exception):
    """One paper could not go into the packs: which item, which paper, and why in words."""

    def __init__(self, paper_title: str, item_number: int, reason: str) -> None:
        super().__init__(f"item {item_number}, {paper_title}: {reason}")
        self.paper_title = paper_title
        self.item_number = item_number
        self.reason = reason


def _reason(error: BaseException) -> str:
    # The words a person can act on; the exception's type and traceback stay in the log.
    if isinstance(error, zipfile.BadZipFile | KeyError):
        return "the Word file is damaged (it cannot be opened as a .docx)"
    if isinstance(error, PdfReadError):
        return "the PDF file is damaged (it cannot be read)"
    if isinstance(error, pdf.ConversionError):
        return "LibreOffice could not turn it into a PDF"
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return f"it could not be read ({text})" if text else "it could not be read"


@contextmanager
def _paper(source: "_Source", number: int) -> Iterator[None]:
    try:
        yield
    except PaperFailed:
        raise
    except Exception as error:
        raise PaperFailed(source.paper.name, number, _reason(error)) from error


@dataclass(frozen=True, slots=True)
class Paper:
    name: str
    kind: Kind
    content: bytes | Path
    version: int = 1
    # What changed since the pack was first published; None for a paper sent on time.
    changed: str | None = None
    # For example legal advice or checks: advisers and the chair only.
    full_pack_only: bool = False


@dataclass(frozen=True, slots=True)
class Item:
    number: int
    case_reference: str
    initials: str
    item_type: str
    starts: datetime
    ends: datetime
    papers: tuple[Paper, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.starts, f"item {self.number} start")
        _require_aware(self.ends, f"item {self.number} end")
        if self.ends < self.starts:
            raise ValueError(f"item {self.number} ends before it starts")

    @property
    def title(self) -> str:
        return f"{self.case_reference} ({self.initials})"


@dataclass(frozen=True, slots=True)
class Meeting:
    agency: str
    title: str
    starts: datetime
    venue: str
    items: tuple[Item, ...]
    # The agency's logo, name, address and footer for the cover; without it the cover names
    # the agency alone.
    letterhead: Letterhead | None = None

    def __post_init__(self) -> None:
        _require_aware(self.starts, "meeting start")
        numbers = [item.number for item in self.items]
        if len(set(numbers)) != len(numbers):
            raise ValueError("two agenda items have the same number")


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    full_pack: bool = False
    withdrawn_from: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Pack:
    member: str
    path: Path
    pages: int | None = None


@dataclass(frozen=True, slots=True)
class Part:
    kind: str
    item: int | None
    file: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    packs: tuple[Pack, ...]
    built: tuple[Part, ...]
    reused: tuple[Part, ...]


def build_docx_packs(
    meeting: Meeting, members: Sequence[Member], out_dir: Path, cache_dir: Path
) -> BuildReport:
    _check_members(meeting, members)
    cache = _Cache(cache_dir)
    sources = _load_papers(meeting)
    items: dict[str, WordDocument] = {}
    bodies: dict[str, bytes] = {}
    packs = []
    for member in members:
        entries = _entries(meeting, member, sources)
        key = _digest("body", *_meeting_fields(meeting), [_entry_key(entry) for entry in entries])
        if key not in bodies:
            bodies[key] = _docx_body(meeting, entries, key, cache, items)
        name = _xml_text(member.name).encode()
        data = _rezip(bodies[key], NAME_TOKEN.encode(), name)
        path = _pack_path(out_dir, meeting, member, Kind.DOCX)
        _write_atomic(path, data)
        packs.append(Pack(member=member.name, path=path))
    return cache.report(packs)


def build_pdf_packs(
    meeting: Meeting,
    members: Sequence[Member],
    out_dir: Path,
    cache_dir: Path,
    *,
    timeout: float = pdf.DEFAULT_TIMEOUT,
    jobs: int = 1,
) -> BuildReport:
    _check_members(meeting, members)
    cache = _Cache(cache_dir)
    sources = _load_papers(meeting)
    views = {member.name: _entries(meeting, member, sources) for member in members}
    # Every part that does not depend on the member is converted once, in one batch.
    wanted: dict[str, tuple[Part, Callable[[], bytes]]] = {}
    for entries in views.values():
        for entry in entries:
            for part, make in _pdf_parts(entry):
                wanted.setdefault(part.file, (part, make))
    blame = {
        f"paper-{source.sha256}.pdf": (source, number)
        for number, loaded in sources.items()
        for source in loaded
    }
    _convert_missing(cache, wanted.values(), timeout, jobs, blame)
    files = _Files(cache)
    fronts = _front_matters(meeting, members, views, files, cache, timeout, jobs)
    packs = []
    for member in members:
        entries = views[member.name]
        front = fronts[member.name]
        data, pages = _assemble_pdf(meeting, member, entries, front, files)
        path = _pack_path(out_dir, meeting, member, Kind.PDF)
        _write_atomic(path, data)
        packs.append(Pack(member=member.name, path=path, pages=pages))
    return cache.report(packs)


# -- what each member sees ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    paper: Paper
    data: bytes
    sha256: str


@dataclass(frozen=True, slots=True)
class _Entry:
    item: Item
    papers: tuple[_Source, ...]
    withheld: bool


def _require_aware(moment: datetime, what: str) -> None:
    # A naive time would be read as UTC somewhere and shift a summer meeting by an hour.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _check_members(meeting: Meeting, members: Sequence[Member]) -> None:
    if any(not member.name.strip() for member in members):
        raise ValueError("every member needs a name")
    files = {_pack_path(Path(), meeting, member, Kind.DOCX) for member in members}
    if len(files) != len(members):
        raise ValueError("two members have the same name, so their packs would overwrite")


def _load_papers(meeting: Meeting) -> dict[int, tuple[_Source, ...]]:
    loaded = {}
    for item in meeting.items:
        sources = []
        for paper in item.papers:
            data = paper.content if isinstance(paper.content, bytes) else paper.content.read_bytes()
            source = _Source(paper, data, hashlib.sha256(data).hexdigest())
            with _paper(source, item.number):
                _check_opens(source)
            sources.append(source)
        loaded[item.number] = tuple(sources)
    return loaded


def _check_opens(source: _Source) -> None:
    # Every paper is opened before anything is built, so one that cannot be read is named
    # whichever kind of pack is built (a Word pack leaves PDF papers out, a PDF pack converts).
    if source.paper.kind is Kind.DOCX:
        docx.Document(io.BytesIO(source.data))
        return
    reader = PdfReader(io.BytesIO(source.data))
    if reader.is_encrypted:
        raise ValueError("it is an encrypted PDF; upload it unencrypted")
    if not reader.pages:
        raise ValueError("the PDF has no pages")


def _entries(
    meeting: Meeting, member: Member, sources: dict[int, tuple[_Source, ...]]
) -> tuple[_Entry, ...]:
    entries = []
    for item in sorted(meeting.items, key=lambda item: item.number):
        if item.number in member.withdrawn_from:
            entries.append(_Entry(item, (), withheld=True))
            continue
        papers = tuple(
            source
            for source in sources[item.number]
            if member.full_pack or not source.paper.full_pack_only
        )
        entries.append(_Entry(item, papers, withheld=False))
    return tuple(entries)


def _digest(*values: object) -> str:
    text = json.dumps([BUILD, *values], default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _meeting_fields(meeting: Meeting) -> list[object]:
    heading = meeting.letterhead.fingerprint() if meeting.letterhead else None
    return [meeting.agency, meeting.title, meeting.starts, meeting.venue, heading]


def _entry_key(entry: _Entry) -> str:
    item = entry.item
    if entry.withheld:
        return _digest("withheld", item.number, item.starts, item.ends)
    papers = [
        [paper.name, paper.kind, paper.version, paper.changed, source.sha256]
        for source in entry.papers
        for paper in (source.paper,)
    ]
    return _digest("item", item.number, item.title, item.item_type, item.starts, item.ends, papers)


def _pack_title(meeting: Meeting, member: Member) -> str:
    return f"{_london(meeting.starts):%Y-%m-%d} {meeting.title} - {member.name}"


def _pack_path(out_dir: Path, meeting: Meeting, member: Member, kind: Kind) -> Path:
    # A slash in a name must not make the rest of it look like a directory.
    title = _pack_title(meeting, member).replace("/", "-").replace("\\", "-")
    return out_dir / safe_filename(title, kind)


# -- the cache of parts --------------------------------------------------------------------


class _Cache:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self._built: dict[Part, None] = {}
        self._reused: dict[Part, None] = {}

    def fetch(self, part: Part) -> bytes | None:
        try:
            data = (self.root / part.file).read_bytes()
        except FileNotFoundError:
            return None
        self._note_reuse(part)
        return data

    def has(self, part: Part) -> bool:
        if (self.root / part.file).is_file():
            self._note_reuse(part)
            return True
        return False

    def store(self, part: Part, data: bytes) -> None:
        _write_atomic(self.root / part.file, data)
        self._built[part] = None

    def report(self, packs: Iterable[Pack]) -> BuildReport:
        return BuildReport(packs=tuple(packs), built=tuple(self._built), reused=tuple(self._reused))

    def _note_reuse(self, part: Part) -> None:
        if part not in self._built:
            self._reused[part] = None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Readers (and other builders) see the old file or the new one, never half of one.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- .docx building blocks ---------------------------------------------------------------


def _london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def _long_date(moment: datetime) -> str:
    local = _london(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


def _clock(moment: datetime) -> str:
    return f"{_london(moment):%H:%M}"


def _slot(item: Item) -> str:
    return f"{_clock(item.starts)} to {_clock(item.ends)}"


def _item_label(entry: _Entry) -> str:
    item = entry.item
    if entry.withheld:
        return f"Item {item.number} withheld"
    return f"Item {item.number}: {item.title} - {item.item_type}"


def _paper_label(source: _Source) -> str:
    return f"{source.paper.name} (version {source.paper.version})"


def _item_mark(number: int) -> str:
    return f"pack_item_{number}"


def _paper_mark(number: int, position: int) -> str:
    return f"pack_item_{number}_paper_{position}"


def _new_document() -> WordDocument:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    section.header_distance = section.footer_distance = Mm(10)
    return document


def _page_break(document: WordDocument) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _labelled(document: WordDocument, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)


def _table(document: WordDocument, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    # A header row repeats across pages and is announced as such by screen readers.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _field(paragraph: Paragraph, instruction: str, shown: str, *, stale: bool = False) -> None:
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if stale and kind == "begin":
            # Tells Word the shown value is a placeholder to recalculate.
            element.set(qn("w:dirty"), "true")
        paragraph.add_run()._r.append(element)

    char("begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _bookmark(paragraph: Paragraph, name: str) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "0")
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "0")
    element = paragraph._p
    position = 1 if element.pPr is not None else 0
    element.insert(position, start)
    element.insert(position + 1, end)


def _header_and_footer(document: WordDocument) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(MARKING).bold = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"Prepared for {NAME_TOKEN} - do not copy  |  Page ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")


def _cover(document: WordDocument, meeting: Meeting, member_name: str) -> None:
    marking = document.add_paragraph()
    marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.add_run(MARKING).bold = True
    if meeting.letterhead is None:
        document.add_paragraph(meeting.agency, style="Title")
    else:
        letterheads.add_heading(document, meeting.letterhead, name_style="Title")
    document.add_heading(meeting.title, level=1)
    _labelled(document, "Date", _long_date(meeting.starts))
    _labelled(document, "Starts", _clock(meeting.starts))
    _labelled(document, "Venue", meeting.venue)
    prepared = document.add_paragraph()
    prepared.paragraph_format.space_before = Pt(24)
    prepared.add_run(f"Prepared for {member_name}").bold = True
    document.add_paragraph(
        "This pack holds special category personal data about children and adults. It is for "
        "your use as a member of this panel only: do not copy or forward it, keep it where "
        "nobody else can read it, and delete or return it after the meeting."
    )
    if meeting.letterhead is not None:
        letterheads.add_footer_note(document, meeting.letterhead)
    _page_break(document)


def _contents(
    document: WordDocument, entries: Sequence[_Entry], pages: dict[str, int] | None
) -> None:
    # pages is None for the .docx pack, whose page numbers only Word or LibreOffice can lay out.
    document.add_heading("Contents", level=1)

    def line(text: str, mark: str | None, indent: bool) -> None:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        if indent:
            paragraph.paragraph_format.left_indent = Mm(8)
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            _TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        paragraph.add_run(f"{text}\t")
        if mark is None:
            paragraph.add_run("in the PDF pack")
        elif pages is None:
            _field(paragraph, f"PAGEREF {mark} \\h", "-", stale=True)
        else:
            paragraph.add_run(str(pages[mark]))

    for entry in entries:
        number = entry.item.number
        line(_item_label(entry), _item_mark(number), indent=False)
        for position, source in enumerate(entry.papers, 1):
            in_docx = source.paper.kind is Kind.DOCX or pages is not None
            line(_paper_label(source), _paper_mark(number, position) if in_docx else None, True)
    _page_break(document)


def _agenda(document: WordDocument, meeting: Meeting, entries: Sequence[_Entry]) -> None:
    document.add_heading("Agenda", level=1)
    document.add_paragraph(f"{_long_date(meeting.starts)}, {meeting.venue}")
    rows = [
        (_slot(entry.item), str(entry.item.number), "Withheld", "")
        if entry.withheld
        else (_slot(entry.item), str(entry.item.number), entry.item.title, entry.item.item_type)
        for entry in entries
    ]
    _table(document, ("Time", "Item", "Case", "Type"), rows)


def _front_sheet(document: WordDocument, entry: _Entry) -> None:
    item = entry.item
    heading = document.add_heading(f"Item {item.number}: {item.title}", level=1)
    _bookmark(heading, _item_mark(item.number))
    _labelled(document, "Type", item.item_type)
    _labelled(document, "Time", _slot(item))
    document.add_heading("Papers", level=2)
    if not entry.papers:
        document.add_paragraph("There are no papers for this item.")
        return
    rows = [
        (
            source.paper.name,
            str(source.paper.version),
            "follows this sheet" if source.paper.kind is Kind.DOCX else "included in the PDF pack",
            f"changed since first published: {source.paper.changed}"
            if source.paper.changed
            else "",
        )
        for source in entry.papers
    ]
    _table(document, ("Paper", "Version", "Where", "Changes"), rows)


def _withheld_sheet(document: WordDocument, item: Item) -> None:
    heading = document.add_heading(f"Item {item.number} withheld", level=1)
    _bookmark(heading, _item_mark(item.number))
    document.add_paragraph(
        "You have no papers for this item because you are recorded as withdrawn from it. "
        f"Please leave the meeting for this item ({_slot(item)})."
    )


# -- composing .docx parts -----------------------------------------------------------------


class _Composer(Composer):  # type: ignore[misc]
    # docxcompose lists every style through python-docx objects for each merged element,
    # which is most of the time a merge takes; these two read the same facts from the XML.
    # docxcompose renumbers bookmarks and drawing ids over the whole document after every
    # merge; once at the end (renumber) gives the same result without the repeated scans.
    def renumber_bookmarks(self) -> None:
        pass

    def renumber_docpr_ids(self) -> None:
        pass

    def renumber_nvpicpr_ids(self) -> None:
        pass

    def renumber(self) -> None:
        Composer.renumber_bookmarks(self)
        Composer.renumber_docpr_ids(self)
        Composer.renumber_nvpicpr_ids(self)

    def _create_style_id_mapping(self, doc: WordDocument) -> None:
        self._style_id2name = _style_names(doc)
        ours = _style_names(self.doc)
        self._style_name2id = {name: style_id for style_id, name in ours.items()}
        self._our_style_ids = set(ours)

    def add_styles(self, doc: WordDocument, element: Any) -> None:
        if self.preserve_styles:
            super().add_styles(doc, element)
            return
        ours = self._our_style_ids
        references = xpath(element, ".//w:tblStyle|.//w:pStyle|.//w:rStyle")
        for style_id in dict.fromkeys(str(reference.get(qn("w:val"))) for reference in references):
            our_style_id = self.mapped_style_id(style_id)
            if our_style_id not in ours:
                style_element = deepcopy(doc.styles.element.get_by_id(style_id))
                if style_element is not None:
                    self.doc.styles.element.append(style_element)
                    self.add_numberings(doc, style_element)
                    self.add_linked_styles(doc, style_element)
                    ours.update(_style_names(self.doc))
            else:
                self._map_list_of_shared_style(doc, style_id, our_style_id)
            if our_style_id != style_id and our_style_id is not None:
                for reference in references:
                    if reference.get(qn("w:val")) == style_id:
                        reference.set(qn("w:val"), our_style_id)

    def _map_list_of_shared_style(self, doc: WordDocument, style_id: str, our_id: str) -> None:
        # As docxcompose does: a numbered style both documents share keeps one list
        # definition instead of gaining a copy.
        style_element = doc.styles.element.get_by_id(style_id)
        if style_element is None:
            return
        num_ids = xpath(style_element, ".//w:numId/@w:val")
        if not num_ids:
            return
        anum_ids = xpath(
            doc.part.numbering_part.element,
            f'.//w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val',
        )
        our_num_ids = xpath(self.doc.styles.element.get_by_id(our_id), ".//w:numId/@w:val")
        if not anum_ids or not our_num_ids:
            return
        our_anum_ids = xpath(
            self.numbering_part().element,
            f'.//w:num[@w:numId="{our_num_ids[0]}"]/w:abstractNumId/@w:val',
        )
        if our_anum_ids:
            self.anum_id_mapping[int(anum_ids[0])] = int(our_anum_ids[0])


def _style_names(document: WordDocument) -> dict[str, str]:
    names = {}
    for style in document.styles.element.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        names[str(style.get(qn("w:styleId")))] = "" if name is None else str(name.get(qn("w:val")))
    return names


def _docx_body(
    meeting: Meeting,
    entries: Sequence[_Entry],
    key: str,
    cache: _Cache,
    items: dict[str, WordDocument],
) -> bytes:
    part = Part("body", None, f"body-{key}.docx")
    cached = cache.fetch(part)
    if cached is not None:
        return cached
    document = _new_document()
    _header_and_footer(document)
    _cover(document, meeting, NAME_TOKEN)
    _contents(document, entries, None)
    _agenda(document, meeting, entries)
    # The section break carries the header and footer; every later section inherits them.
    document.add_section(WD_SECTION.NEW_PAGE)
    composer = _Composer(document)
    for entry in entries:
        if entry.withheld:
            _withheld_sheet(document, entry.item)
            document.add_section(WD_SECTION.NEW_PAGE)
        else:
            _append(composer, _item_document(entry, cache, items), restart_lists=False)
    _finish(document, composer, meeting)
    # Each member's copy is rewritten with fixed zip times anyway, so this one need not be.
    saved = io.BytesIO()
    document.save(saved)
    data = saved.getvalue()
    cache.store(part, data)
    return data


def _item_document(entry: _Entry, cache: _Cache, items: dict[str, WordDocument]) -> WordDocument:
    key = _entry_key(entry)
    if key not in items:
        part = Part("item", entry.item.number, f"item-{key}.docx")
        data = cache.fetch(part)
        if data is None:
            data = _item_part(entry)
            cache.store(part, data)
        # Parsed from the stored bytes even when just built, so a warm and a cold build
        # compose exactly the same input.
        document = docx.Document(io.BytesIO(data))
        _wrap(document)
        items[key] = document
    return items[key]


def _item_part(entry: _Entry) -> bytes:
    document = _new_document()
    _front_sheet(document, entry)
    document.add_section(WD_SECTION.NEW_PAGE)
    composer = _Composer(document)
    number = entry.item.number
    for position, source in enumerate(entry.papers, 1):
        if source.paper.kind is not Kind.DOCX:
            continue
        banner = document.add_paragraph()
        run = banner.add_run(f"Item {number} - {_paper_label(source)}")
        run.italic = True
        run.font.size = Pt(8)
        _bookmark(banner, _paper_mark(number, position))
        with _paper(source, number):
            paper = docx.Document(io.BytesIO(source.data))
            _prepare_paper(paper)
            _wrap(paper)
            _append(composer, paper, restart_lists=True)
    composer.renumber()
    _fix_numbering_ids(document)
    return _docx_bytes(document)


def _prepare_paper(paper: WordDocument) -> None:
    body = paper.element.body
    # The pack's header and footer (marking, member's name, page numbers) must show on
    # every page, so a paper's own headers, first-page variants and restarts go.
    removable = {qn(tag) for tag in ("w:headerReference", "w:footerReference", "w:titlePg")}
    removable.add(qn("w:pgNumType"))
    section_properties = body.xpath(".//w:sectPr")
    for properties in section_properties:
        for child in list(properties):
            if child.tag in removable:
                properties.remove(child)
    final = body.find(qn("w:sectPr"))
    if final is not None:
        # The paper's last section (page size, orientation) becomes a section break at its
        # end, so it keeps its own layout instead of taking the pack's. The original stays
        # for docxcompose, which skips it.
        holder = OxmlElement("w:p")
        properties = OxmlElement("w:pPr")
        holder.append(properties)
        properties.append(deepcopy(final))
        final.addprevious(holder)
        section_properties = [*section_properties[:-1], properties[0]]
    if section_properties:
        # Its first section starts on a new page, after the front sheet or the previous paper.
        section_properties[0].start_type = WD_SECTION.NEW_PAGE


def _wrap(document: WordDocument) -> None:
    # docxcompose does per-element work that is slow on long papers; one wrapper element
    # makes that work happen once per document. _append takes the wrapper off again.
    body = document.element.body
    if len(body) and _is_wrapper(body[0]):
        return
    wrapper = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:tag w:val="{_WRAP_TAG}"/></w:sdtPr>'
        "<w:sdtContent/></w:sdt>"
    )
    content = wrapper[1]
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            content.append(child)
    body.insert(0, wrapper)


def _is_wrapper(element: Any) -> bool:
    if element.tag != qn("w:sdt"):
        return False
    tag = element.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
    return tag is not None and tag.get(qn("w:val")) == _WRAP_TAG


def _append(composer: _Composer, source: WordDocument, *, restart_lists: bool) -> None:
    composer.append(source)
    body = composer.doc.element.body
    wrapper = next(child for child in reversed(body) if _is_wrapper(child))
    content = wrapper.find(qn("w:sdtContent"))
    if restart_lists:
        _restart_lists(composer, source, content)
    for child in list(content):
        wrapper.addprevious(child)
    body.remove(wrapper)


def _restart_lists(composer: _Composer, source: WordDocument, block: Any) -> None:
    # What docxcompose does per top-level element, done for the first paragraph of each
    # style, so a numbered list in the second paper starts at 1 and not where the first
    # paper's list stopped.
    paragraphs = list(block.iter(qn("w:p")))
    seen: set[str] = set()
    for index, paragraph in enumerate(paragraphs):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None or style.get(qn("w:val")) in seen:
            continue
        seen.add(str(style.get(qn("w:val"))))
        before = _list_id(paragraph)
        composer.restart_first_numbering(source, paragraph)
        after = _list_id(paragraph)
        if before is None or after == before:
            continue
        for later in paragraphs[index + 1 :]:
            number = later.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
            if number is not None and number.get(qn("w:val")) == before:
                number.set(qn("w:val"), after)


def _list_id(paragraph: Any) -> str | None:
    number = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    return None if number is None else str(number.get(qn("w:val")))


def _finish(document: WordDocument, composer: _Composer, meeting: Meeting) -> None:
    body = document.element.body
    sentinel = body.find(qn("w:sectPr"))
    last = sentinel.getprevious()
    inner = None if last is None else last.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
    if inner is not None:
        # A section break as the last thing in the body would leave a blank last page:
        # its properties become those of the final section instead.
        inner.getparent().remove(inner)
        body.replace(sentinel, inner)
    composer.renumber()
    _fix_numbering_ids(document)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # Word then fills in the contents page numbers when the pack is opened.
    settings.insert_element_before(update, *_AFTER_UPDATE_FIELDS)
    properties = document.core_properties
    properties.title = f"{meeting.title}: agenda pack"
    properties.subject = MARKING
    properties.author = properties.last_modified_by = meeting.agency
    properties.created = properties.modified = meeting.starts.astimezone(UTC)
    properties.revision = 1
    properties.comments = ""
    properties.keywords = ""


def _fix_numbering_ids(document: WordDocument) -> None:
    # docxcompose gives merged lists random ids; derive them from the list instead so the
    # same inputs give the same bytes.
    numbering = document.part.numbering_part.element
    for abstract in numbering.findall(qn("w:abstractNum")):
        identifier = abstract.find(qn("w:nsid"))
        if identifier is not None:
            seed = f"nsid {abstract.get(qn('w:abstractNumId'))}".encode()
            identifier.set(qn("w:val"), hashlib.sha256(seed).hexdigest()[:8].upper())


def _docx_bytes(document: WordDocument) -> bytes:
    saved = io.BytesIO()
    document.save(saved)
    return _rezip(saved.getvalue())


def _rezip(data: bytes, token: bytes = b"", replacement: bytes = b"") -> bytes:
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry)
            if token and entry.filename.endswith(".xml"):
                content = content.replace(token, replacement)
            # python-docx stamps entries with the time of saving; a fixed time and mode
            # make the same pack come out as the same bytes.
            fixed = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            # The fastest level: a tenth larger than the default, a fifth quicker to rebuild.
            target.writestr(fixed, content, compresslevel=1)
    return output.getvalue()


def _xml_text(text: str) -> str:
    # Characters XML 1.0 cannot hold at all, then the ones it must escape.
    allowed = "".join(
        char for char in text if char in "\t\n\r" or unicodedata.category(char) != "Cc"
    )
    return escape(allowed)


# -- PDF parts -----------------------------------------------------------------------------


def _pdf_parts(entry: _Entry) -> list[tuple[Part, Callable[[], bytes]]]:
    number = entry.item.number
    key = _entry_key(entry)
    if entry.withheld:
        return [
            (Part("withheld-pdf", number, f"withheld-{key}.pdf"), lambda: _withheld_docx(entry))
        ]
    parts: list[tuple[Part, Callable[[], bytes]]] = [
        (Part("sheet-pdf", number, f"sheet-{key}.pdf"), lambda: _sheet_docx(entry))
    ]
    for source in entry.papers:
        if source.paper.kind is Kind.DOCX:
            part = Part("paper-pdf", number, f"paper-{source.sha256}.pdf")
            parts.append((part, _constant(source.data)))
    return parts


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _sheet_docx(entry: _Entry) -> bytes:
    document = _new_document()
    _front_sheet(document, entry)
    return _docx_bytes(document)


def _withheld_docx(entry: _Entry) -> bytes:
    document = _new_document()
    _withheld_sheet(document, entry.item)
    return _docx_bytes(document)


def _convert_missing(
    cache: _Cache,
    wanted: Iterable[tuple[Part, Callable[[], bytes]]],
    timeout: float,
    jobs: int,
    blame: dict[str, tuple[_Source, int]] | None = None,
) -> None:
    missing = {part.file: (part, make) for part, make in wanted if not cache.has(part)}
    if not missing:
        return
    documents = {file: make() for file, (_, make) in missing.items()}
    work = cache.root / "work"
    try:
        converted = pdf.convert_documents(documents, work, timeout=timeout, jobs=jobs)
    except pdf.ConversionError:
        # One batch converts every paper; which of them LibreOffice choked on is found by
        # converting the papers one by one, so the adviser is told which one to replace.
        for file, (source, number) in (blame or {}).items():
            if file in documents:
                with _paper(source, number):
                    pdf.convert_documents({file: documents[file]}, work, timeout=timeout)
        raise
    for file, data in converted.items():
        cache.store(missing[file][0], data)


class _Files:
    # Each PDF is read once per build, however many members' packs it goes into.
    def __init__(self, cache: _Cache) -> None:
        self._cache = cache
        self._readers: dict[str, PdfReader] = {}

    def reader(self, file: str) -> PdfReader:
        if file not in self._readers:
            self._readers[file] = PdfReader(self._cache.root / file)
        return self._readers[file]

    def upload(self, source: _Source) -> PdfReader:
        key = f"upload-{source.sha256}"
        if key not in self._readers:
            reader = PdfReader(io.BytesIO(source.data))
            if reader.is_encrypted:
                raise ValueError(f"{source.paper.name} is an encrypted PDF; upload it unencrypted")
            self._readers[key] = reader
        return self._readers[key]

    def pages(self, file: str) -> int:
        return len(self.reader(file).pages)


@dataclass(frozen=True, slots=True)
class _Block:
    reader: PdfReader
    title: str
    paper: bool
    source: _Source | None = None
    number: int = 0


def _blocks(entry: _Entry, files: _Files) -> list[_Block]:
    key = _entry_key(entry)
    if entry.withheld:
        return [_Block(files.reader(f"withheld-{key}.pdf"), _item_label(entry), paper=False)]
    blocks = [_Block(files.reader(f"sheet-{key}.pdf"), _item_label(entry), paper=False)]
    for source in entry.papers:
        with _paper(source, entry.item.number):
            reader = (
                files.reader(f"paper-{source.sha256}.pdf")
                if source.paper.kind is Kind.DOCX
                else files.upload(source)
            )
        label = _paper_label(source)
        blocks.append(_Block(reader, label, paper=True, source=source, number=entry.item.number))
    return blocks


def _targets(entries: Sequence[_Entry], files: _Files, front_pages: int) -> dict[str, int]:
    targets = {}
    page = front_pages + 1
    for entry in entries:
        number = entry.item.number
        blocks = _blocks(entry, files)
        targets[_item_mark(number)] = page
        page += len(blocks[0].reader.pages)
        for position, block in enumerate(blocks[1:], 1):
            targets[_paper_mark(number, position)] = page
            page += len(block.reader.pages)
    return targets


def _front_guess(entries: Sequence[_Entry]) -> int:
    # Cover, contents and agenda; a wrong guess costs one more conversion, not a wrong page.
    lines = 2 + sum(1 + len(entry.papers) for entry in entries)
    return 1 + 1 + (lines - 1) // 36 + 1 + (len(entries) + 1) // 16


def _front_matters(
    meeting: Meeting,
    members: Sequence[Member],
    views: dict[str, tuple[_Entry, ...]],
    files: _Files,
    cache: _Cache,
    timeout: float,
    jobs: int,
) -> dict[str, str]:
    # Two passes: lay out with the expected length of the front matter, convert, and
    # redo only the members whose front matter came out longer or shorter than expected.
    lengths = {member.name: _front_guess(views[member.name]) for member in members}
    for _ in range(4):
        chosen: dict[str, str] = {}
        wanted = []
        for member in members:
            entries = views[member.name]
            targets = _targets(entries, files, lengths[member.name])
            key = _digest(
                "front",
                member.name,
                *_meeting_fields(meeting),
                [_entry_key(entry) for entry in entries],
                sorted(targets.items()),
            )
            part = Part("front-pdf", None, f"front-{key}.pdf")
            chosen[member.name] = part.file
            wanted.append((part, _front_docx_maker(meeting, member.name, entries, targets)))
        _convert_missing(cache, wanted, timeout, jobs)
        actual = {name: files.pages(file) for name, file in chosen.items()}
        wrong = {name: pages for name, pages in actual.items() if pages != lengths[name]}
        if not wrong:
            return chosen
        lengths.update(wrong)
    raise RuntimeError("the contents page numbers did not settle: the front matter kept changing")


def _front_docx_maker(
    meeting: Meeting, member_name: str, entries: Sequence[_Entry], targets: dict[str, int]
) -> Callable[[], bytes]:
    def make() -> bytes:
        document = _new_document()
        _cover(document, meeting, member_name)
        _contents(document, entries, targets)
        _agenda(document, meeting, entries)
        return _docx_bytes(document)

    return make


# -- the PDF pack --------------------------------------------------------------------------


def _assemble_pdf(
    meeting: Meeting, member: Member, entries: Sequence[_Entry], front: str, files: _Files
) -> tuple[bytes, int]:
    writer = PdfWriter()
    front_reader = files.reader(front)
    writer.append(front_reader, import_outline=False)
    writer.add_outline_item(title="Cover", page_number=0)
    writer.add_outline_item(title="Contents", page_number=min(1, len(writer.pages) - 1))
    writer.add_outline_item(title="Agenda", page_number=_agenda_page(front_reader))
    for entry in entries:
        parent = None
        for block in _blocks(entry, files):
            start = len(writer.pages)
            if block.source is None:
                writer.append(block.reader, import_outline=False)
            else:
                with _paper(block.source, block.number):
                    writer.append(block.reader, import_outline=False)
            if block.paper:
                writer.add_outline_item(title=block.title, page_number=start, parent=parent)
            else:
                parent = writer.add_outline_item(
                    title=block.title, page_number=start, is_open=False
                )
    total = len(writer.pages)
    footer = f"Prepared for {member.name} - do not copy  |  Page {{}} of {total}"
    for index, page in enumerate(writer.pages):
        _stamp(page, footer.format(index + 1))
    writer.add_metadata(
        {
            "/Title": f"{meeting.title}: agenda pack for {member.name}",
            "/Subject": MARKING,
            "/Author": meeting.agency,
        }
    )
    writer.page_mode = "/UseOutlines"
    # pypdf leaves the identifier out unless asked; one derived from the inputs (which the
    # front matter's key covers) keeps the bytes repeatable and changes with the content.
    identifier = ByteStringObject(hashlib.sha256(front.encode()).digest()[:16])
    writer._ID = ArrayObject([identifier, identifier])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), total


def _agenda_page(front: PdfReader) -> int:
    for index, page in enumerate(front.pages):
        if index and "Agenda" in page.extract_text().splitlines():
            return index
    return len(front.pages) - 1


def _stamp(page: PageObject, footer: str) -> None:
    if page.rotation:
        # Draw in the page's upright frame, so the stamp is not sideways on landscape scans.
        page.transfer_rotation_to_content()
    box = page.cropbox
    left, bottom = float(box.left), float(box.bottom)
    width, height = float(box.width), float(box.height)
    marking = _pdf_text(MARKING)
    marking_x = left + (width - _text_width(MARKING, 9) * _HELVETICA_BOLD_FACTOR) / 2
    footer_x = left + (width - _text_width(footer, 8)) / 2
    content = (
        b"q 0 g BT /PackStampBold 9 Tf %.2f %.2f Td (%s) Tj ET "
        b"BT /PackStamp 8 Tf %.2f %.2f Td (%s) Tj ET Q"
        % (marking_x, bottom + height - 18, marking, footer_x, bottom + 12, _pdf_text(footer))
    )
    overlay = PageObject.create_blank_page(width=width, height=height)
    # pypdf clips what it merges to the overlay's box, so the box must be the page's.
    overlay[NameObject("/MediaBox")] = RectangleObject(
        (left, bottom, left + width, bottom + height)
    )
    stream = DecodedStreamObject()
    stream.set_data(content)
    overlay[NameObject("/Contents")] = stream
    fonts = DictionaryObject(
        {
            NameObject("/PackStamp"): _font("/Helvetica"),
            NameObject("/PackStampBold"): _font("/Helvetica-Bold"),
        }
    )
    overlay[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    page.merge_page(overlay)
    page.compress_content_streams()


def _font(name: str) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject(name),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _latin(char: str) -> bytes:
    # The stamp uses a standard font, which knows Windows-1252 only: "Zoë" stays, "Łucja"
    # becomes "Lucja", and a name in another script comes out as question marks.
    for candidate in (char, unicodedata.normalize("NFKD", char)[:1], char.translate(_STROKED)):
        try:
            return candidate.encode("cp1252")
        except UnicodeEncodeError:
            continue
    return b"?"


def _pdf_text(text: str) -> bytes:
    raw = b"".join(_latin(char) for char in text)
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _text_width(text: str, size: float) -> float:
    total = 0
    for char in text:
        base = unicodedata.normalize("NFKD", char)[:1] or "?"
        code = ord(base)
        total += _HELVETICA[code - 32] if 32 <= code < 127 else 556
    return total * size / 1000
