"""Charts as inline SVG, drawn on the server: no script, no third-party requests.

Why a small module of our own and not a charting library: the pages need four plain shapes
(horizontal bars with markers, stacked columns, rows of small columns, a line), each with a
<title> and <desc> for screen readers and a table beside it on the page. The libraries that
draw SVG on the server (pygal, matplotlib, plotly's static export) either pull in a heavy
stack (matplotlib: numpy, fonts, ~40 MB; plotly: a headless browser), or emit their own
scripts and stylesheets (pygal links its tooltip script from a CDN unless configured away),
or fixed pixel sizes that must be post-processed to scale on a phone. Fifty lines of
geometry per shape, with every piece of text escaped, is less to keep and to audit. It grew
out of the evaluation charts (werklab/evaluations/charts.py), which now use it too.

Every chart is an <svg class="chart"> with a viewBox and width 100%: it scales to the width
of its box, also on a 390 px phone, without scrolling sideways. Colours come as attributes
(so that the chart reads also without the stylesheet) and classes (for the stylesheet).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320
BAR_HEIGHT = 14
ROW = 36
LABEL_CHARS = 48

#: Colours with at least 4.5:1 contrast on white (the page's own palette).
GREEN = "#0b6e4f"
DARK_GREEN = "#084c37"
AMBER = "#9a5b00"
RED = "#b3261e"
GREY = "#6b7580"
BLUE = "#1d4e89"
GRID = "#d5dbe1"

_ids = itertools.count(1)


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    """`text`, cut to `limit` characters with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_ceiling(value: float, *, whole: bool = False) -> tuple[float, float]:
    """The top of an axis for values up to `value` and its step: a step of 1, 2 or 5 times a
    power of ten, at most four steps; with `whole`, a step of at least 1 (for counts)."""
    if value <= 0:
        return (1, 1) if whole else (1, 0.25)
    rough = value / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    if whole:
        step = max(step, 1)
    return step * math.ceil(value / step - 1e-9), step


def _open(title: str, desc: str, height: float, css: str = "") -> tuple[str, list[str]]:
    n = next(_ids)
    labelled = f"chart-{n}-title" + (f" chart-{n}-desc" if desc else "")
    parts = [
        f'<svg class="chart{" " + css if css else ""}" viewBox="0 0 {WIDTH} {height:g}" '
        f'width="100%" role="img" aria-labelledby="{labelled}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{n}-title">{escape(title)}</title>',
    ]
    if desc:
        parts.append(f'<desc id="chart-{n}-desc">{escape(desc)}</desc>')
    return f"chart-{n}", parts


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    # Every piece of text in `parts` went through escape(); the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: `label` above it, `note` behind it, and optional marks (such as a
    minimum and a maximum) drawn across it as thin lines."""

    label: str
    value: float
    note: str = ""
    colour: str = GREEN
    marks: tuple[float, ...] = ()


def bar_chart(title: str, bars: Sequence[Bar], *, desc: str = "", scale: float = 0) -> Markup:
    """Horizontal bars, one per row: the label above its bar, the note behind it. The bars
    share one scale, up to `scale` or the largest value or mark."""
    _id, parts = _open(title, desc, ROW * len(bars) + 4)
    biggest = max([scale, *(b.value for b in bars), *(m for b in bars for m in b.marks)]) or 1
    room = WIDTH - 80
    for n, b in enumerate(bars):
        y = n * ROW
        length = round(room * b.value / biggest)
        parts.append(
            f'<text x="0" y="{y + 12}" class="chart-label" font-size="12">'
            f"{escape(clip(b.label))}</text>"
            f'<rect x="0" y="{y + 16}" width="{max(length, 1)}" height="{BAR_HEIGHT}" '
            f'class="chart-bar" fill="{escape(b.colour)}"></rect>'
        )
        for mark in b.marks:
            x = round(room * mark / biggest)
            parts.append(
                f'<line x1="{x}" y1="{y + 13}" x2="{x}" y2="{y + 33}" stroke="{RED}" '
                f'stroke-width="2" class="chart-mark"></line>'
            )
        end = max([length, *(round(room * m / biggest) for m in b.marks)])
        parts.append(
            f'<text x="{end + 6}" y="{y + 27}" class="chart-value" font-size="12">'
            f"{escape(b.note)}</text>"
        )
    return _close(parts)


@dataclass(frozen=True)
class Series:
    """One series of a column chart: its name in the legend, a value per label, a colour."""

    name: str
    values: Sequence[float]
    colour: str = GREEN


def column_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    desc: str = "",
    tick_format: Callable[[float], str] = lambda v: f"{v:g}",
    top: float | None = None,
    whole: bool = False,
) -> Markup:
    """Vertical columns, one per label; with several series the columns are stacked (the
    series in their order, from the bottom), and a legend names them. `top` fixes the
    axis (100 for shares); otherwise it fits the highest column (`whole`: counts, so
    the axis steps are whole numbers)."""
    plot_top, plot_bottom, left, right = 10, 130, 52, WIDTH - 6
    legend_rows = (len(series) + 1) // 2 if len(series) > 1 else 0
    height = plot_bottom + 22 + legend_rows * 18
    _id, parts = _open(title, desc, height)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    axis_top, step = (top, top / 4) if top else nice_ceiling(max(totals, default=0), whole=whole)

    def y_of(value: float) -> float:
        return plot_bottom - (plot_bottom - plot_top) * value / axis_top

    tick = 0.0
    while tick <= axis_top + 1e-9:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="1"></line>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'class="chart-axis">{escape(tick_format(tick))}</text>'
        )
        tick += step
    slot = (right - left) / max(len(labels), 1)
    width = max(min(slot * 0.7, 40), 2)
    # Label every column when they fit, else every second or third one.
    every = max(1, math.ceil(len(labels) * 26 / (right - left)))
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - width) / 2
        base = 0.0
        for s in series:
            value = s.values[i]
            if value > 0:
                y0, y1 = y_of(base + value), y_of(base)
                parts.append(
                    f'<rect x="{x:.1f}" y="{y0:.1f}" width="{width:.1f}" '
                    f'height="{max(y1 - y0, 0.5):.1f}" fill="{escape(s.colour)}" '
                    f'class="chart-bar"></rect>'
                )
            base += value
        if i % every == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{plot_bottom + 14}" font-size="10" '
                f'text-anchor="middle" class="chart-axis">{escape(clip(label, 8))}</text>'
            )
    if legend_rows:
        for n, s in enumerate(series):
            x = left + (n % 2) * (right - left) / 2
            y = plot_bottom + 24 + (n // 2) * 18
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="10" height="10" '
                f'fill="{escape(s.colour)}"></rect>'
                f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="11" class="chart-legend">'
                f"{escape(clip(s.name, 24))}</text>"
            )
    return _close(parts)


def strip_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    top: float = 100,
    desc: str = "",
) -> Markup:
    """A row per item (its label above, a note behind), and in each row a small column per
    value, as high as the value against `top`; a value of None is a dash. Many rows of a
    few values each (attendance per session of every programme) in one small drawing."""
    band, row_height, column, gap = 18, 40, 14, 4
    _id, parts = _open(title, desc, row_height * len(rows) + 4)
    for n, (label, values, note) in enumerate(rows):
        y = n * row_height
        parts.append(
            f'<text x="0" y="{y + 12}" class="chart-label" font-size="12">'
            f"{escape(clip(label))}</text>"
        )
        base = y + 16 + band
        # Up to twelve values at full width; more share the same room.
        width = max(min(column, 216 / max(len(values), 1) - gap), 2)
        for i, value in enumerate(values):
            x = round(i * (width + gap), 1)
            parts.append(
                f'<rect x="{x}" y="{base - band}" width="{width:g}" height="{band}" '
                f'fill="#eef1f4"></rect>'
            )
            if value is None:
                parts.append(
                    f'<line x1="{x + 1}" y1="{base - band / 2}" x2="{x + width - 1:g}" '
                    f'y2="{base - band / 2}" stroke="{GREY}" stroke-width="2"></line>'
                )
            elif value > 0:
                h = max(band * min(value, top) / top, 1)
                parts.append(
                    f'<rect x="{x}" y="{base - h:.1f}" width="{width:g}" height="{h:.1f}" '
                    f'fill="{GREEN}" class="chart-bar"></rect>'
                )
        end = round(len(values) * (width + gap) + 4)
        parts.append(
            f'<text x="{end}" y="{base - 4}" class="chart-value" font-size="12">'
            f"{escape(note)}</text>"
        )
    return _close(parts)


def line_chart(
    title: str,
    points: Sequence[tuple[str, float | None]],
    *,
    low: float,
    high: float,
    ticks: Sequence[float],
    desc: str = "",
    tick_format: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """A line through the values between `low` and `high`, a dot on each; a point without a
    value (None) leaves a gap."""
    _id, parts = _open(title, desc, 150)
    height, top, bottom, left, right = 150, 10, 120, 24, WIDTH - 10
    step = (right - left) / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    for v in ticks:
        y = y_of(v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"></line>'
            f'<text x="0" y="{y + 4:.1f}" font-size="11" class="chart-axis">'
            f"{escape(tick_format(v))}</text>"
        )
    segment: list[str] = []
    segments = []
    for n, (label, value) in enumerate(points):
        x = left + n * step if len(points) > 1 else (left + right) / 2
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" '
            f'class="chart-axis">{escape(label)}</text>'
        )
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x:.1f},{y_of(value):.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="4" fill="{GREEN}"></circle>')
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{GREEN}" '
                f'stroke-width="2"></polyline>'
            )
    return _close(parts)
