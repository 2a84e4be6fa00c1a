"""The board report's charts survive in readers without CSS, and the report is deterministic."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from board import charts, documents
from board.rules.attendance import Rate, Tally


def _chart() -> charts.Chart:
    rates = (Rate("Peterborough City Council", Tally(3, 0, 1, 0), 3, Fraction(3, 4), "75%", None),)
    return charts.attendance_chart(rates, Decimal(75), "Attendance by partner")


def test_chart_styles_are_written_onto_the_elements_for_libreoffice() -> None:
    svg = documents._for_documents(_chart().svg)
    backgrounds = re.findall(r'<rect[^>]*class="background"[^>]*>', svg)
    assert backgrounds
    assert all('fill="#ffffff"' in rect for rect in backgrounds)
    series = re.findall(r'<g[^>]*class="series serie-0 color-0"[^>]*>', svg)
    assert 'fill="#1d70b8"' in series[0]
    bars = re.findall(r'<rect[^>]*class="rect reactive tooltip-trigger"[^>]*>', svg)
    assert bars
    assert all('fill="' not in bar for bar in bars)  # they take the series colour


def test_the_fallback_picture_is_a_valid_white_png() -> None:
    import zlib

    png = documents._FALLBACK_PNG
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    data = png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8]
    assert zlib.decompress(data) == b"\x00\xff\xff\xff"
