import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from adm.rules.clocks import ClockKind
from board.charts import (
    BACKGROUND,
    COLOURS,
    TEXT,
    THRESHOLD_COLOUR,
    Series,
    Unit,
    attendance_chart,
    timeliness_chart,
    trend_chart,
)
from board.rules.attendance import (
    DEFAULT_ATTENDANCE_POLICY,
    Attendance,
    BoardMember,
    BoardRole,
    Mark,
    attendance_over_window,
)
from board.rules.indicators import ClockOutcome, Outcome, Quarter, timeliness

MET, LATE, OPEN = Outcome.MET, Outcome.MISSED, Outcome.MISSED_OPEN

SVG = "{http://www.w3.org/2000/svg}"
CAMBRIDGESHIRE = "Cambridgeshire County Council"
PETERBOROUGH = "Peterborough City Council"
MEETINGS = (date(2022, 4, 20), date(2022, 7, 20), date(2022, 10, 19), date(2023, 1, 18))
Q1, Q2, Q3 = Quarter(2022, 1), Quarter(2022, 2), Quarter(2022, 3)

members = (
    BoardMember(1, "Assistant Director", CAMBRIDGESHIRE, BoardRole.CHAIR),
    BoardMember(2, "Commissioning Manager", PETERBOROUGH),
    BoardMember(3, "Adopter member", None),
)
record = [Mark(1, day, Attendance.PRESENT) for day in MEETINGS] + [
    Mark(2, MEETINGS[0], Attendance.PRESENT),
    Mark(2, MEETINGS[1], Attendance.APOLOGIES),
    Mark(2, MEETINGS[2], Attendance.DEPUTY_SENT),
    Mark(2, MEETINGS[3], Attendance.ABSENT),
]
report = attendance_over_window(
    members,
    (CAMBRIDGESHIRE, PETERBOROUGH),
    record,
    date(2023, 3, 31),
    DEFAULT_ATTENDANCE_POLICY,
)

# C&P's adopter gap against the national (+68 %) and Eastern region (+166 %) figures at Q2 2022-23
# (source 001), with C&P's 21 adopters for 32 children.
ADOPTER_GAP = (
    Series("Cambridgeshire & Peterborough", (None, Fraction(21 - 32, 32), None)),
    Series("England", (None, Fraction(68, 100), None)),
    Series("Eastern region", (None, Fraction(166, 100), None)),
)
CONVERSION = (
    Series("Cambridgeshire & Peterborough", (Fraction(8, 70), Fraction(11, 75), Fraction(12, 77))),
)

outcomes = (
    [ClockOutcome(ClockKind.ADM_DECISION, CAMBRIDGESHIRE, Q3, MET)] * 9
    + [ClockOutcome(ClockKind.ADM_DECISION, CAMBRIDGESHIRE, Q3, LATE)]
    + [ClockOutcome(ClockKind.TOLD_IN_WRITING, PETERBOROUGH, Q3, MET)] * 3
    + [ClockOutcome(ClockKind.ADM_DECISION, PETERBOROUGH, Q3, OPEN)]
    + [ClockOutcome(ClockKind.ADM_DECISION, PETERBOROUGH, Q2, MET)]
)


def attendance() -> str:
    return attendance_chart(report.members, Decimal(75), "Board attendance").svg


def every_chart() -> list[str]:
    return [
        attendance(),
        trend_chart("Adopter gap", (Q1, Q2, Q3), ADOPTER_GAP, Unit.SIGNED_PERCENT).svg,
        timeliness_chart(timeliness(outcomes), Q3, "Timeliness").svg,
    ]


def height_of(path: ET.Element | None) -> float:
    assert path is not None
    return float((path.get("d") or "").split()[1])  # "M<x> <y> h<width>"


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_same_figures_draw_the_same_bytes() -> None:
    assert every_chart() == every_chart()


def test_a_chart_carries_no_script_no_random_id_and_no_date_stamp() -> None:
    for svg in every_chart():
        assert "<script" not in svg
        assert "<!--" not in svg  # pygal's opening comment names the day it drew the chart
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", svg)
        assert 'id="activate-serie-' not in svg


def test_a_chart_is_well_formed_svg_titled_and_described_for_screen_readers() -> None:
    for svg in every_chart():
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None
        assert desc is not None
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert list(root).index(desc) == list(root).index(title) + 1


def test_the_attendance_chart_describes_every_rate_and_who_is_under_the_threshold() -> None:
    desc = ET.fromstring(attendance()).find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == (
        "Bar chart of attendance rates with a line at the 75% threshold. "
        "Assistant Director 100%; Commissioning Manager 50%; Adopter member no meetings. "
        "Under the threshold: Commissioning Manager. No meetings in the period: Adopter member."
    )


def test_the_attendance_chart_draws_the_threshold_line_at_75_percent() -> None:
    root = ET.fromstring(attendance())
    (line,) = [path for path in root.iter(f"{SVG}path") if path.get("class") == "threshold"]
    guide = next(
        group
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "guides" and any(t.text == "75%" for t in group)
    )
    assert line.get("stroke") == THRESHOLD_COLOUR
    assert height_of(line) == pytest.approx(height_of(guide.find(f"{SVG}path")), abs=0.01)
    assert any(text.text == "75% threshold" for text in root.iter(f"{SVG}text"))


def test_the_attendance_table_shows_each_kind_of_mark_and_flags_the_rate() -> None:
    chart = attendance_chart(report.members + report.partners, Decimal(75), "Board attendance")
    assert chart.head == (
        "Name",
        "Meetings",
        "Present",
        "Deputy sent",
        "Apologies",
        "Absent",
        "Own attendance (in person)",
        "Attendance",
    )
    assert chart.rows == (
        ("Assistant Director", "4", "4", "0", "0", "0", "100%", "100%"),
        (
            "Commissioning Manager",
            "4",
            "1",
            "1",
            "1",
            "1",
            "25% (under 75%)",
            "50% (under 75%)",
        ),
        ("Adopter member", "0", "0", "0", "0", "0", "no meetings", "no meetings"),
        (CAMBRIDGESHIRE, "4", "4", "0", "0", "0", "100%", "100%"),
        (PETERBOROUGH, "4", "1", "1", "1", "1", "25% (under 75%)", "50% (under 75%)"),
    )


def test_the_bars_print_their_rounded_percentages_so_no_tooltip_is_needed() -> None:
    root = ET.fromstring(attendance())
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value"]
    assert values == ["100%", "50%"]


def test_the_trend_chart_compares_the_adopter_gap_with_england_and_the_region() -> None:
    chart = trend_chart("Adopter gap", (Q1, Q2, Q3), ADOPTER_GAP, Unit.SIGNED_PERCENT)
    assert chart.head == ("Quarter", "Cambridgeshire & Peterborough", "England", "Eastern region")
    assert chart.rows == (
        ("2022-23 Q1", "no figure", "no figure", "no figure"),
        ("2022-23 Q2", "-34%", "+68%", "+166%"),
        ("2022-23 Q3", "no figure", "no figure", "no figure"),
    )
    assert "Cambridgeshire &amp; Peterborough: 2022-23 Q1 no figure, 2022-23 Q2 -34%" in chart.svg


def test_the_trend_chart_shows_counts_money_and_plain_percentages() -> None:
    counts = (Series("Children placed", (10, 12, 13)),)
    money = (
        Series("ASF approved", (Decimal("180000.50"), Decimal("190000"), Decimal("174138.50"))),
    )
    assert trend_chart("Placed", (Q1, Q2, Q3), counts, Unit.COUNT).rows[2] == ("2022-23 Q3", "13")
    assert trend_chart("ASF", (Q1, Q2, Q3), money, Unit.MONEY).rows[0] == (
        "2022-23 Q1",
        "£180,000.50",
    )
    conversion = trend_chart("Conversion", (Q1, Q2, Q3), CONVERSION, Unit.PERCENT)
    assert [row[1] for row in conversion.rows] == ["11%", "15%", "16%"]


def test_a_series_must_have_one_value_per_quarter() -> None:
    with pytest.raises(ValueError, match="England has 3 values for 2 quarters"):
        trend_chart("Adopter gap", (Q1, Q2), ADOPTER_GAP[1:], Unit.SIGNED_PERCENT)


def test_the_timeliness_chart_groups_each_partners_clocks_for_one_quarter() -> None:
    chart = timeliness_chart(timeliness(outcomes), Q3, "Timeliness 2022-23 Q3")
    assert chart.head == (
        "Partner",
        "Clock",
        "Due",
        "Met",
        "Missed",
        "Missed and open",
        "Share met",
    )
    assert chart.rows == (
        (CAMBRIDGESHIRE, "ADM decision", "10", "9", "1", "0", "90%"),
        (PETERBOROUGH, "ADM decision", "1", "0", "0", "1", "0%"),
        (
            PETERBOROUGH,
            "Decision letter to applicants (the five-day rule)",
            "3",
            "3",
            "0",
            "0",
            "100%",
        ),
    )
    legends = [t.text for t in ET.fromstring(chart.svg).iter(f"{SVG}text")]
    assert "Decision letter to applicants (the five-day rule)" in legends


def test_different_figures_give_different_chart_ids_and_a_page_may_choose_its_own() -> None:
    first = attendance_chart(report.members, Decimal(75), "Members").svg
    second = attendance_chart(report.partners, Decimal(75), "Partners").svg
    assert ET.fromstring(first).get("id") != ET.fromstring(second).get("id")
    chosen = attendance_chart(report.members, Decimal(75), "Members", chart_id="members").svg
    assert ET.fromstring(chosen).get("id") == "chart-members"
    assert "#chart-members .title" in chosen  # pygal's styles stay scoped to their own chart


def test_every_colour_stands_out_from_the_background() -> None:
    assert contrast(TEXT, BACKGROUND) >= 4.5
    for colour in (*COLOURS, THRESHOLD_COLOUR):
        assert contrast(colour, BACKGROUND) >= 3, colour


def test_a_chart_with_nothing_to_show_says_so() -> None:
    empty = (
        attendance_chart((), Decimal(75), "Board attendance"),
        trend_chart("Adopter gap", (), (), Unit.SIGNED_PERCENT),
        timeliness_chart(timeliness(outcomes), Quarter(2021, 1), "Timeliness 2021-22 Q1"),
    )
    for chart in empty:
        assert chart.rows == ()
        assert "No figures to show" in chart.svg


def test_a_chart_id_that_would_break_the_charts_styles_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot name a chart"):
        attendance_chart(report.members, Decimal(75), "Members", chart_id="my chart")
