"""The board report for a period, like a report to scrutiny: .docx, and PDF with LibreOffice."""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Cm

from adm.rules.clocks import LABELS as CLOCK_LABELS
from board.charts import Chart
from board.rules.attendance import AttendanceReport
from board.rules.indicators import (
    DEFINITIONS,
    LABELS,
    MONEY,
    Figure,
    Quarter,
    Timeliness,
    Total,
)
from governance import docx_util, pdf
from governance.letterhead import Letterhead

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _white_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


# Word 2016 and later draw the SVG; older readers draw this white pixel, and the table printed
# under every chart carries the same figures.
_FALLBACK_PNG = _white_pixel_png()
_SVG_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"


@dataclass(frozen=True)
class ReportData:
    agency: str
    first: Quarter
    last: Quarter
    policy: Any
    attendance: AttendanceReport
    attendance_charts: tuple[Chart, ...]
    meetings: tuple[dict[str, Any], ...]
    raised: tuple[dict[str, Any], ...]
    open_at_end: tuple[dict[str, Any], ...]
    overdue_at_end: tuple[dict[str, Any], ...]
    timeliness: tuple[Timeliness, ...] | None
    timeliness_charts: tuple[Chart, ...]
    partners: tuple[str, ...]
    total: Total | None
    per_partner: dict[str, Total | None]
    trends: tuple[Chart, ...]
    funding: Any
    central_list: Any = None  # services.CentralListCompliance, or None before the panel has one
    letterhead: Letterhead | None = None  # the agency's logo, name, address and footer
    scorecard: Any = None  # services.Scorecard, or None while no child's dates are entered

    @property
    def period(self) -> str:
        if self.first == self.last:
            return self.first.label
        return f"{self.first.label} to {self.last.label}"

    @property
    def filename(self) -> str:
        return f"board-report-{self.first.label}-to-{self.last.label}".replace(" ", "")


def pdf_available() -> bool:
    return pdf.libreoffice_available()


def _day(value: Any) -> str:
    return f"{value.day} {value:%B %Y}"


def _figure(total: Total | None, figure: Figure) -> str:
    if total is None:
        return "no figures"
    value = total.figures.value(figure)
    if value is None:
        return "not recorded"
    return f"£{value:,.2f}" if figure in MONEY else f"{value:,}"


_SVG_NS = "http://www.w3.org/2000/svg"
_PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-dasharray",
        "opacity",
        "font-family",
        "font-size",
        "font-weight",
        "text-anchor",
    }
)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _for_documents(svg: str) -> str:
    """The chart with its CSS written onto each element, for readers without CSS selectors.

    pygal styles its charts with CSS scoped under the chart's id; LibreOffice's SVG reader does
    not apply those rules and paints the chart black. Each rule's last compound selector (tag and
    classes) is matched, and rules apply in order, as pygal writes general rules first.
    """
    ElementTree.register_namespace("", _SVG_NS)
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ElementTree.fromstring(svg)
    css = " ".join(style.text or "" for style in root.iter(f"{{{_SVG_NS}}}style"))
    parents = {child: parent for parent in root.iter() for child in parent}
    elements = list(root.iter())
    for selectors, body in _RULE.findall(css):
        declarations = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            name, value = name.strip().lower(), value.replace("!important", "").strip()
            if name in _PRESENTATION and value:
                declarations[name] = value
        if not declarations:
            continue
        for selector in selectors.split(","):
            if ":" in selector or "+" in selector or "~" in selector:
                continue  # :hover and the like do not apply on paper
            selector = selector.replace(">", " ")  # a child is a descendant, near enough here
            # The chart's own id scopes every rule; the root stands for it.
            compounds = [_compound(part) for part in selector.split() if not part.startswith("#")]
            if not compounds:
                continue
            for element in elements:
                if _matches(element, compounds, parents):
                    element.attrib.update(declarations)
    return ElementTree.tostring(root, encoding="unicode")


def _compound(text: str) -> tuple[str, frozenset[str]]:
    tag, *classes = text.split(".")
    return tag, frozenset(classes)


def _is(element: ElementTree.Element, compound: tuple[str, frozenset[str]]) -> bool:
    tag, classes = compound
    if tag and element.tag.rsplit("}", 1)[-1] != tag:
        return False
    return classes <= set(element.get("class", "").split())


def _matches(
    element: ElementTree.Element,
    compounds: list[tuple[str, frozenset[str]]],
    parents: dict[ElementTree.Element, ElementTree.Element],
) -> bool:
    if not _is(element, compounds[-1]):
        return False
    wanted = len(compounds) - 2
    ancestor = parents.get(element)
    while wanted >= 0 and ancestor is not None:
        if _is(ancestor, compounds[wanted]):
            wanted -= 1
        ancestor = parents.get(ancestor)
    return wanted < 0


def _add_svg(document: Document, chart: Chart, number: int, svg_only: bool) -> None:
    package = document.part.package
    svg_part = Part(
        PackURI(f"/word/media/board-chart-{number}.svg"),
        "image/svg+xml",
        _for_documents(chart.svg).encode(),
        package,
    )
    png_part = Part(
        PackURI(f"/word/media/board-chart-{number}.png"), "image/png", _FALLBACK_PNG, package
    )
    svg_rid = document.part.relate_to(svg_part, RELATIONSHIP_TYPE.IMAGE)
    # LibreOffice ignores Word's SVG extension but draws an SVG given as the picture itself.
    png_rid = svg_rid if svg_only else document.part.relate_to(png_part, RELATIONSHIP_TYPE.IMAGE)
    width, height = Cm(16), Cm(9)
    title = chart.title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    xml = f"""
<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
     xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
     xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
     xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"
     xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
     xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main">
  <w:drawing>
    <wp:inline distT="0" distB="0" distL="0" distR="0">
      <wp:extent cx="{width}" cy="{height}"/>
      <wp:docPr id="{1000 + number}" name="Chart {number}"
                descr="{title}: the table after the chart gives its figures"/>
      <a:graphic>
        <a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">
          <pic:pic>
            <pic:nvPicPr>
              <pic:cNvPr id="{1000 + number}" name="chart-{number}.svg"/><pic:cNvPicPr/>
            </pic:nvPicPr>
            <pic:blipFill>
              <a:blip r:embed="{png_rid}">
                <a:extLst>
                  <a:ext uri="{_SVG_EXT}"><asvg:svgBlip r:embed="{svg_rid}"/></a:ext>
                </a:extLst>
              </a:blip>
              <a:stretch><a:fillRect/></a:stretch>
            </pic:blipFill>
            <pic:spPr>
              <a:xfrm><a:off x="0" y="0"/><a:ext cx="{width}" cy="{height}"/></a:xfrm>
              <a:prstGeom prst="rect"><a:avLst/></a:prstGeom>
            </pic:spPr>
          </pic:pic>
        </a:graphicData>
      </a:graphic>
    </wp:inline>
  </w:drawing>
</w:r>"""
    paragraph = document.add_paragraph()
    paragraph._p.append(parse_xml(xml))


def _chart(document: Document, chart: Chart, counter: list[int], svg_only: bool) -> None:
    counter[0] += 1
    document.add_heading(chart.title, level=3)
    _add_svg(document, chart, counter[0], svg_only)
    docx_util.add_table(document, chart.head, chart.rows)
    document.add_paragraph()


def board_report(data: ReportData, *, svg_only: bool = False) -> bytes:
    document = docx_util.marked_document(
        title=f"Partnership board report, {data.period}",
        author=data.agency,
        marking="OFFICIAL",
        header_note=data.agency,
        letterhead=data.letterhead,
    )
    counter = [0]
    document.add_heading(f"{data.agency}: report of the partnership board", level=0)
    document.add_paragraph(
        f"Period: {data.period} ({_day(data.first.first_day)} to {_day(data.last.last_day)})."
    )
    document.add_paragraph(
        "Purpose: to give the committee assurance on the governance of the regional adoption "
        "agency: the attendance of partners at the board, the progress of the board's actions, "
        "the timeliness of panel and agency decisions, and the agency's performance figures. "
        "This report contains aggregate figures only and no information about any child or "
        "family."
    )

    document.add_heading("1. Summary", level=1)
    flags = data.attendance.flags
    summary = [
        f"{len(data.meetings)} board meetings were scheduled in the period, "
        f"{sum(1 for m in data.meetings if m['status'] == 'held')} held, "
        f"{sum(1 for m in data.meetings if m['quorate'] is False)} without a quorum.",
        f"{len(flags)} members or partners attended fewer than "
        f"{data.policy.attendance.threshold_percent.normalize():f}% of meetings.",
        f"{len(data.raised)} actions were raised; at the end of the period "
        f"{len(data.open_at_end)} were open, {len(data.overdue_at_end)} of them overdue.",
    ]
    if data.total is not None:
        summary.extend(f"{d.name}: {d.shown} ({d.formula})." for d in data.total.derived)
    for line in summary:
        document.add_paragraph(line, style="List Bullet")

    document.add_heading("2. Attendance", level=1)
    document.add_paragraph(
        f"Attendance from {_day(data.attendance.first_day)} to {_day(data.attendance.last_day)}. "
        + (
            "The terms of reference count a deputy sent as attending for the member. "
            if data.policy.attendance.deputy_counts_for_member
            else "The terms of reference do not count a deputy sent as the member attending. "
        )
        + "Each member's own attendance, in person, is shown apart from attendance by a deputy. "
        f"Threshold {data.policy.attendance.threshold_percent.normalize():f}% (terms of "
        f"reference, version {data.policy.version})."
    )
    for line in flags:
        document.add_paragraph(line, style="List Bullet")
    if data.attendance.own_flags:
        document.add_paragraph("Over the threshold only because a deputy came in their place:")
        for line in data.attendance.own_flags:
            document.add_paragraph(line, style="List Bullet")
    for chart in data.attendance_charts:
        _chart(document, chart, counter, svg_only)

    document.add_heading("3. Actions and decisions", level=1)
    if data.overdue_at_end:
        document.add_paragraph(f"Overdue at {_day(data.last.last_day)}:")
        docx_util.add_table(
            document,
            ("Action", "Owner", "Due", "Status"),
            [
                (a["description"], a["owner_name"], _day(a["due_on"]), a["status_label"])
                for a in data.overdue_at_end
            ],
        )
    else:
        document.add_paragraph(f"No action was overdue at {_day(data.last.last_day)}.")
    document.add_paragraph()
    document.add_paragraph(f"Actions raised in the period: {len(data.raised)}.")
    if data.raised:
        docx_util.add_table(
            document,
            ("Raised", "Action", "Owner", "Due", "Status"),
            [
                (
                    _day(a["raised_on"]),
                    a["description"],
                    a["owner_name"],
                    _day(a["due_on"]),
                    a["status_label"],
                )
                for a in data.raised
            ],
        )

    document.add_heading("4. Timeliness of panel and agency decisions", level=1)
    document.add_paragraph(
        "Every clock of the agency that fell due in a quarter is counted: met (done by its last "
        "day), missed (done late) and missed and open (not done by the end of the quarter, past "
        "its last day), so a decision still not made counts against the quarter it was due in. "
        "The applicants' own windows are not counted. Each clock is judged in the calendar it "
        "declares (statutory working days, AAR reg 2, for the ADM's decision, telling the "
        "applicants and Stages 1 and 2)."
    )
    if data.timeliness is None:
        document.add_paragraph("No ADM decisions recorded yet.")
    elif not data.timeliness:
        document.add_paragraph("No clocks fell due in the period.")
    else:
        for chart in data.timeliness_charts:
            _chart(document, chart, counter, svg_only)
        docx_util.add_table(
            document,
            ("Quarter", "Partner", "Clock", "Due", "Met", "Missed", "Missed and open", "Share met"),
            [
                (
                    t.quarter.label,
                    t.partner,
                    CLOCK_LABELS[t.clock],
                    str(t.due),
                    str(t.met),
                    str(t.missed),
                    str(t.missed_open),
                    t.shown,
                )
                for t in data.timeliness
            ],
        )

    document.add_heading("Quorum and the central list", level=2)
    inquorate = [m for m in data.meetings if m["quorate"] is False]
    if inquorate:
        for m in inquorate:
            document.add_paragraph(
                f"The board meeting on {_day(m['starts_at'])} was not quorate.", style="List Bullet"
            )
    else:
        document.add_paragraph("Every board meeting held in the period was quorate.")
    listed = data.central_list
    if listed is None or not listed.members:
        document.add_paragraph("No central list recorded yet.")
    else:
        document.add_paragraph(
            f"Central list: {listed.members} members; {listed.dbs_overdue} DBS checks, "
            f"{listed.training_overdue} training records and {listed.review_overdue} annual "
            "reviews overdue today."
        )
        for gap in getattr(listed, "composition_gaps", ()):
            document.add_paragraph(f"{gap}.", style="List Bullet")

    document.add_heading("5. Performance figures", level=1)
    if data.total is None:
        document.add_paragraph("No performance figures were entered for the period.")
    else:
        if data.total.gaps:
            document.add_paragraph("Figures missing: " + "; ".join(data.total.gaps) + ".")
        document.add_paragraph(
            "Counts are added up over the period; children and adopters waiting are those at the "
            f"end of {data.total.stocks_at.label}."
        )
        head = ("Measure", *data.partners, "Whole agency")
        rows = [
            (
                LABELS[f][0].upper() + LABELS[f][1:],
                *(_figure(data.per_partner.get(p), f) for p in data.partners),
                _figure(data.total, f),
            )
            for f in Figure
        ]
        docx_util.add_table(document, head, rows)
        document.add_paragraph()
        for derived in data.total.derived:
            because = (
                f" ({derived.not_applicable_because})" if derived.not_applicable_because else ""
            )
            document.add_paragraph(
                f"{derived.name}: {derived.shown}, worked out as {derived.formula}{because}.",
                style="List Bullet",
            )
        document.add_paragraph("What the waiting figures count:")
        for figure, words in DEFINITIONS.items():
            document.add_paragraph(
                f"{LABELS[figure][0].upper()}{LABELS[figure][1:]}: {words}.", style="List Bullet"
            )
        for chart in data.trends:
            _chart(document, chart, counter, svg_only)

    _scorecard(document, data)

    document.add_heading("6. Funding", level=1)
    funding = data.funding
    if funding.years:
        docx_util.add_table(
            document,
            ("Financial year", "Indexation", "Budget", *data.partners),
            [
                (
                    y.label,
                    "base year"
                    if y.indexation_percent is None
                    else f"{y.indexation_percent.normalize():f}%",
                    f"£{y.total:,.2f}",
                    *(
                        next((f"£{c.amount:,.2f}" for c in y.contributions if c.partner == p), "")
                        for p in data.partners
                    ),
                )
                for y in funding.years
            ],
        )
    else:
        document.add_paragraph("No funding plan recorded.")
    for milestone in funding.milestones:
        document.add_paragraph(milestone.description + ".", style="List Bullet")

    document.add_heading("7. Recommendation", level=1)
    document.add_paragraph("The committee is asked to note the report.")
    return docx_util.deterministic_docx(document, dated=data.last.last_day)


def _scorecard(document: Document, data: ReportData) -> None:
    document.add_heading("National adoption scorecard measures", level=2)
    card = data.scorecard
    if card is None:
        document.add_paragraph("No children's dates have been entered for the scorecard.")
        return
    document.add_paragraph(
        f"Children adopted from {_day(card.first_day)} to {_day(card.last_day)}, and children "
        f"waiting on {_day(card.last_day)}, from the dates entered for each child."
    )
    docx_util.add_table(
        document,
        ("Measure", *(name for name, _ in card.columns)),
        [
            (
                measure.code if measure.code != "waiting" else "Waiting 18 months or more",
                *(
                    f"{one[index].shown} ({one[index].counted} of {one[index].considered} counted)"
                    for _, one in card.columns
                ),
            )
            for index, measure in enumerate(card.agency)
        ],
    )
    document.add_paragraph()
    for measure in card.agency:
        missing = f" Missing: {'; '.join(measure.missing)}." if measure.missing else ""
        document.add_paragraph(f"{measure.definition}.{missing}", style="List Bullet")


async def board_report_pdf(data: ReportData, work_dir: Path) -> bytes:
    content = board_report(data, svg_only=True)
    return await asyncio.to_thread(pdf.to_pdf, content, work_dir / "board-pdf", timeout=120)
