"""Board charts drawn on the server as SVG, each with the table of figures shown beside it."""

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

import pygal
from pygal.style import Style

from adm.rules.clocks import LABELS as CLOCK_LABELS
from board.rules.attendance import Rate
from board.rules.indicators import Quarter, Timeliness, whole_percent

# GOV.UK palette colours, each at least 4.5:1 against white so bars and lines stay distinct from the
# background for people with low vision (WCAG 1.4.11 asks 3:1).
COLOURS = ("#1d70b8", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#912b88")
BACKGROUND = "#ffffff"
TEXT = "#0b0c0c"
THRESHOLD_COLOUR = "#0b0c0c"

_LOOK: dict[str, Any] = {
    "background": BACKGROUND,
    "plot_background": BACKGROUND,
    "foreground": TEXT,
    "foreground_strong": TEXT,
    "foreground_subtle": "#505a5f",
    "colors": COLOURS,
    "value_colors": (TEXT,) * len(COLOURS),
    "font_family": "Arial, Helvetica, sans-serif",
    "title_font_size": 20,
    "label_font_size": 15,
    "major_label_font_size": 15,
    "legend_font_size": 15,
    "value_font_size": 15,
    "no_data_font_size": 20,
    "guide_stroke_color": "#b1b4b6",
    "major_guide_stroke_color": "#b1b4b6",
    "opacity": "1",
    "opacity_hover": "1",
    "stroke_opacity": "1",
    "stroke_opacity_hover": "1",
    "transition": "0ms",
}
_BAR_STYLE = Style(**_LOOK)
_LINE_STYLE = Style(**_LOOK, stroke_width="3", stroke_width_hover="3")

_DASHES = ("none", "12,6", "3,5", "12,4,3,4")
_PLOT_WIDTH = 700  # of the 800 wide drawing, less the y axis labels
_CHARACTER_WIDTH = 8.5  # average at 15px Arial

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class Unit(StrEnum):
    COUNT = "count"
    MONEY = "money"
    PERCENT = "percent"  # values are ratios: 31/222 is drawn at 14
    SIGNED_PERCENT = "signed_percent"  # a change or gap, shown with its sign: +68%


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[Fraction | Decimal | int | None, ...]  # one per quarter; None: no figure


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    svg: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def attendance_chart(
    rates: Sequence[Rate],
    threshold_percent: Decimal,
    title: str,
    *,
    chart_id: str | None = None,
) -> Chart:
    threshold = f"{threshold_percent.normalize():f}%"
    head = (
        "Name",
        "Meetings",
        "Present",
        "Deputy sent",
        "Apologies",
        "Absent",
        "Own attendance (in person)",
        "Attendance",
    )
    rows = tuple(
        (
            rate.name,
            str(rate.tally.meetings),
            str(rate.tally.present),
            str(rate.tally.deputy_sent),
            str(rate.tally.apologies),
            str(rate.tally.absent),
            rate.own_shown if rate.own_flag is None else f"{rate.own_shown} (under {threshold})",
            rate.shown if rate.flag is None else f"{rate.shown} (under {threshold})",
        )
        for rate in rates
    )
    under = [rate.name for rate in rates if rate.flag is not None]
    none = [rate.name for rate in rates if rate.rate is None]
    description = " ".join(
        [
            f"Bar chart of attendance rates with a line at the {threshold} threshold.",
            *(["; ".join(f"{rate.name} {rate.shown}" for rate in rates) + "."] if rates else []),
            f"Under the threshold: {', '.join(under) or 'none'}.",
            *([f"No meetings in the period: {', '.join(none)}."] if none else []),
        ]
    )
    chart = pygal.Bar(
        **_config(
            title=title,
            range=(0, 100),
            y_labels=[0, 25, 50, 75, 100],
            show_legend=False,
            value_formatter=lambda value: f"{value:.0f}%",
        )
    )
    _label_x_axis(chart, [rate.name for rate in rates])
    chart.add(
        "Attendance",
        [None if rate.rate is None else _point(rate.rate * 100, rate.shown) for rate in rates],
    )
    line = float(threshold_percent)

    def draw_threshold(svg: Any) -> Any:
        # pygal has no reference line for bar charts; draw one over the bars, at the plot's scale.
        y = chart.view.y(line)
        plot = chart.nodes["plot"]
        path = {"stroke": THRESHOLD_COLOUR, "stroke-width": "3", "stroke-dasharray": "10,6"}
        chart.svg.node(
            plot, "path", path, d=f"M0 {y:.2f} h{chart.view.width:.2f}", class_="threshold"
        )
        label = chart.svg.node(
            plot, "text", {"text-anchor": "end"}, x=f"{chart.view.width:.2f}", y=f"{y - 8:.2f}"
        )
        label.text = f"{threshold} threshold"
        return svg

    chart.add_xml_filter(draw_threshold)
    return _chart("attendance", chart, title, description, head, rows, chart_id)


def trend_chart(
    title: str,
    quarters: Sequence[Quarter],
    series: Sequence[Series],
    unit: Unit,
    *,
    chart_id: str | None = None,
) -> Chart:
    for one in series:
        if len(one.values) != len(quarters):
            raise ValueError(
                f"{one.name} has {len(one.values)} values for {len(quarters)} quarters"
            )
    labels = [quarter.label for quarter in quarters]
    head = ("Quarter", *(one.name for one in series))
    rows = tuple(
        (label, *(_shown(one.values[i], unit) for one in series)) for i, label in enumerate(labels)
    )
    description = " ".join(
        [
            f"{title}: line chart by quarter, {labels[0]} to {labels[-1]}."
            if labels
            else f"{title}: line chart with no quarters to show.",
            *(
                f"{one.name}: "
                + ", ".join(
                    f"{label} {_shown(value, unit)}"
                    for label, value in zip(labels, one.values, strict=True)
                )
                + "."
                for one in series
            ),
        ]
    )
    chart = pygal.Line(
        **_config(
            title=title,
            style=_LINE_STYLE,
            print_values=False,
            legend_at_bottom=True,
            value_formatter=_axis_formatter(unit),
        )
    )
    _label_x_axis(chart, labels)
    for index, one in enumerate(series):
        chart.add(
            one.name,
            [
                None if value is None else _point(_drawn(value, unit), _shown(value, unit))
                for value in one.values
            ],
            # Colour alone must not tell the lines apart (WCAG 1.4.1): each also has its own dashes.
            stroke_style={"dasharray": _DASHES[index % len(_DASHES)]},
        )
    return _chart("trend", chart, title, description, head, rows, chart_id)


def timeliness_chart(
    shares: Sequence[Timeliness],
    quarter: Quarter,
    title: str,
    *,
    chart_id: str | None = None,
) -> Chart:
    in_quarter = [share for share in shares if share.quarter == quarter]
    partners = list(dict.fromkeys(share.partner for share in in_quarter))
    clocks = list(dict.fromkeys(share.clock for share in in_quarter))
    head = ("Partner", "Clock", "Due", "Met", "Missed", "Missed and open", "Share met")
    rows = tuple(
        (
            share.partner,
            CLOCK_LABELS[share.clock],
            str(share.due),
            str(share.met),
            str(share.missed),
            str(share.missed_open),
            share.shown,
        )
        for share in in_quarter
    )
    description = (
        f"Grouped bar chart of the share of the clocks due in {quarter.label} that were met, per "
        "partner and clock. "
        + "; ".join(
            f"{share.partner}, {CLOCK_LABELS[share.clock]}: {share.shown} "
            f"({share.met} of {share.due})"
            for share in in_quarter
        )
        + "."
    )
    chart = pygal.Bar(
        **_config(
            title=title,
            range=(0, 100),
            # pygal cannot place y labels on a chart without series.
            y_labels=[0, 25, 50, 75, 100] if clocks else None,
            legend_at_bottom=True,
            value_formatter=lambda value: f"{value:.0f}%",
        )
    )
    _label_x_axis(chart, partners)
    found = {(share.partner, share.clock): share for share in in_quarter}
    for clock in clocks:
        points = []
        for partner in partners:
            share = found.get((partner, clock))
            points.append(None if share is None else _point(share.share_met * 100, share.shown))
        chart.add(CLOCK_LABELS[clock], points)
    return _chart("timeliness", chart, title, description, head, rows, chart_id)


def _label_x_axis(chart: Any, labels: list[str]) -> None:
    chart.x_labels = labels
    # Long partner names side by side run into each other; slanted they stay readable.
    slot = _PLOT_WIDTH / max(len(labels), 1)
    if max((len(label) for label in labels), default=0) * _CHARACTER_WIDTH > slot:
        chart.x_label_rotation = -30


def _config(**settings: Any) -> dict[str, Any]:
    return {
        "style": _BAR_STYLE,
        "js": (),  # pygal's tooltips need a script from its CDN; the table carries the figures
        "disable_xml_declaration": True,  # the SVG goes inline into an HTML page
        "width": 800,
        "height": 450,
        "print_values": True,
        "print_values_position": "top",
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin_right": 40,
        "dots_size": 4,
        "no_data_text": "No figures to show",
        **settings,
    }


def _point(value: Fraction | Decimal | int, shown: str) -> dict[str, Any]:
    return {"value": float(value), "formatter": lambda _value: shown}


def _shown(value: Fraction | Decimal | int | None, unit: Unit) -> str:
    if value is None:
        return "no figure"
    if unit is Unit.COUNT:
        return f"{value:,}"
    if unit is Unit.MONEY:
        pounds = (
            Decimal(value.numerator) / value.denominator if isinstance(value, Fraction) else value
        )
        return f"£{pounds:,.2f}"
    return whole_percent(Fraction(value), signed=unit is Unit.SIGNED_PERCENT)


def _drawn(value: Fraction | Decimal | int, unit: Unit) -> Fraction | Decimal | int:
    return value * 100 if unit in (Unit.PERCENT, Unit.SIGNED_PERCENT) else value


def _axis_formatter(unit: Unit) -> Callable[[float], str]:
    if unit is Unit.COUNT:
        return lambda value: f"{value:,.0f}"
    if unit is Unit.MONEY:
        return lambda value: f"£{value:,.0f}"
    if unit is Unit.PERCENT:
        return lambda value: f"{value:.0f}%"
    return lambda value: f"{value:+.0f}%" if round(value) else "0%"


def _chart(
    kind: str,
    chart: Any,
    title: str,
    description: str,
    head: tuple[str, ...],
    rows: tuple[tuple[str, ...], ...],
    chart_id: str | None,
) -> Chart:
    # pygal names each chart with a random uuid (also the prefix of its CSS); a name drawn from the
    # content keeps the bytes the same for the same figures and differs between charts on a page.
    if chart_id is not None and not re.fullmatch(r"[A-Za-z][\w-]*", chart_id):
        raise ValueError(f"{chart_id!r} cannot name a chart: use letters, digits, - and _")
    digest = hashlib.sha256(repr((title, description, head, rows)).encode()).hexdigest()[:12]
    chart.uuid = chart_id or f"{kind}-{digest}"
    element_id = f"chart-{chart.uuid}"

    def make_accessible(svg: Any) -> Any:
        svg.set("role", "img")
        svg.set("aria-labelledby", f"{element_id}-title {element_id}-desc")
        defs = svg.find("defs")
        for script in defs.findall("script"):
            defs.remove(script)
        # Legend ids are the same in every pygal chart and only serve its scripts.
        for legend in svg.iterfind(".//*[@id]"):
            if legend.get("id", "").startswith("activate-serie-"):
                del legend.attrib["id"]
        heading = svg.find("title")
        heading.set("id", f"{element_id}-title")
        desc = chart.svg.node(svg, "desc", id=f"{element_id}-desc")
        desc.text = description
        svg.remove(desc)
        svg.insert(list(svg).index(heading) + 1, desc)
        return svg

    chart.add_xml_filter(make_accessible)
    # The opening comment carries the day it was drawn.
    svg = _COMMENT.sub("", chart.render(is_unicode=True))
    return Chart(title=title, svg=svg, head=head, rows=rows)
