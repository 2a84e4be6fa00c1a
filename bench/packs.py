"""Benchmark: tailored packs for 8 members of a 12-item panel, each figure against a plain copy."""

import asyncio
import io
import random
import resource
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
from docx.shared import Mm
from pypdf import PdfReader

from governance.pdf import libreoffice_available
from panel import safety
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

LONDON = ZoneInfo("Europe/London")
ITEMS = 12
# Forty headed sections of six paragraphs lay out as about forty A4 pages.
SECTIONS_PER_PAPER = 40
LATE_ITEM = 6
TARGETS = {"docx packs": 3.0, "docx packs after a late paper": 1.0, "pdf packs": 30.0}
MEMBERS = [
    Member("Panel Chair", full_pack=True),
    Member("Panel Adviser", full_pack=True),
    Member("Member One"),
    Member("Member Two", withdrawn_from=frozenset({4})),
    Member("Member Three"),
    Member("Member Four", withdrawn_from=frozenset({9})),
    Member("Member Five"),
    Member("Member Six", withdrawn_from=frozenset({4})),
]


def paper_bytes(seed: int) -> bytes:
    chooser = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = [
        "".join(chooser.choice(letters) for _ in range(chooser.randint(2, 10))) for _ in range(3000)
    ]
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    document.add_heading(f"Prospective adopter's report {seed}", level=1)
    for number in range(1, SECTIONS_PER_PAPER + 1):
        document.add_heading(f"Section {number}", level=2)
        for _ in range(6):
            document.add_paragraph(" ".join(chooser.choice(words) for _ in range(58)))
        document.add_paragraph("A point the panel asked about", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def meeting_of(papers: list[Path]) -> Meeting:
    start = datetime(2026, 7, 14, 10, 0, tzinfo=LONDON)
    items = tuple(
        Item(
            number=number,
            case_reference=f"CPA/2026/{number:03d}",
            initials="A.B.",
            item_type="Approval of prospective adopters",
            starts=start + timedelta(minutes=25 * (number - 1)),
            ends=start + timedelta(minutes=25 * number),
            papers=(Paper(f"PAR-{number}.docx", Kind.DOCX, papers[number - 1]),),
        )
        for number in range(1, ITEMS + 1)
    )
    return Meeting("Example Regional Adoption Agency", "Adoption panel", start, "Room 2", items)


def with_late_paper(meeting: Meeting, content: bytes) -> Meeting:
    def revised(item: Item) -> Item:
        if item.number != LATE_ITEM:
            return item
        paper = replace(item.papers[0], content=content, version=2, changed="comments added")
        return replace(item, papers=(paper,))

    return replace(meeting, items=tuple(revised(item) for item in meeting.items))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    figures: list[tuple[str, float]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-packs-") as scratch:
        root = Path(scratch)
        (root / "inputs").mkdir()
        papers = []
        for number in range(1, ITEMS + 1):
            path = root / "inputs" / f"PAR-{number}.docx"
            path.write_bytes(paper_bytes(number))
            papers.append(path)
        # Packs are built from the papers' clean copies, as the service builds them: the safety
        # pass each paper goes through at upload is timed as a figure of its own.
        cleaned: list[Path] = []

        def safety_pass() -> None:
            (root / "clean").mkdir()
            for path in papers:
                verdict = asyncio.run(safety.make_safe(Kind.DOCX, path.read_bytes()))
                assert verdict.accepted, verdict.reason
                clean = root / "clean" / path.name
                clean.write_bytes(verdict.content)
                cleaned.append(clean)

        figures.append((f"safety pass over the {ITEMS} papers (one at a time)", timed(safety_pass)))
        meeting = meeting_of(cleaned)
        late = with_late_paper(meeting, paper_bytes(1000 + LATE_ITEM))

        copies = iter(range(5))

        def copy_inputs() -> None:
            target = root / f"copies-{next(copies)}"
            target.mkdir()
            for path in papers:
                shutil.copyfile(path, target / path.name)

        # The floor: the best of five plain copies, so one slow disk moment does not flatter
        # every ratio.
        baseline = min(timed(copy_inputs) for _ in range(5))
        docx_cache = root / "docx-cache"
        reports: dict[str, BuildReport] = {}

        def docx_cold() -> None:
            reports["docx"] = build_docx_packs(meeting, MEMBERS, root / "docx", docx_cache)

        def docx_late() -> None:
            reports["late"] = build_docx_packs(late, MEMBERS, root / "docx-late", docx_cache)

        figures.append(("docx packs", timed(docx_cold)))
        figures.append(("docx packs after a late paper", timed(docx_late)))
        rebuilt = sorted({part.item or 0 for part in reports["late"].built if part.kind == "item"})
        notes.append(f"item parts rebuilt for the late paper: {rebuilt}")

        if libreoffice_available():
            pdf_cache = root / "pdf-cache"

            def pdf_cold() -> None:
                reports["pdf"] = build_pdf_packs(meeting, MEMBERS, root / "pdf", pdf_cache)

            def pdf_late() -> None:
                reports["pdf late"] = build_pdf_packs(late, MEMBERS, root / "pdf-late", pdf_cache)

            figures.append(("pdf packs", timed(pdf_cold)))
            figures.append(("pdf packs after a late paper", timed(pdf_late)))
            paper_pages = [len(PdfReader(path).pages) for path in pdf_cache.glob("paper-*.pdf")]
            pack_pages = [pack.pages or 0 for pack in reports["pdf"].packs]
            notes.append(f"papers as laid out: {min(paper_pages)}-{max(paper_pages)} pages")
            notes.append(f"PDF packs: {min(pack_pages)}-{max(pack_pages)} pages")
        else:
            notes.append("LibreOffice is not installed, so there are no PDF figures")

        # Traced separately: tracemalloc slows Python down too much to time alongside.
        tracemalloc.start()
        build_docx_packs(meeting, MEMBERS, root / "traced", root / "traced-cache")
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    print(f"{ITEMS} items with one paper each, {len(MEMBERS)} members, 3 withdrawals")
    for note in notes:
        print(note)
    print(f"baseline, copying the {ITEMS} input files once (best of 5): {baseline * 1000:.1f} ms")
    for label, seconds in figures:
        target = TARGETS.get(label)
        judged = ""
        if target is not None:
            judged = f"; target under {target:g} s " + ("met" if seconds < target else "MISSED")
        print(f"{label}: {seconds:.2f} s = {seconds / baseline:,.0f} x baseline{judged}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak Python heap building the .docx packs (tracemalloc): {traced_peak / 2**20:.0f} MB")
    print(f"peak resident memory: this process {own:.0f} MB, largest LibreOffice {children:.0f} MB")


if __name__ == "__main__":
    main()
