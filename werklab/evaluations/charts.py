"""Charts as inline SVG, drawn on the server: no script, no third-party requests. Each has
a <title> (and the page a table with the same figures); the viewBox scales to the width of
a phone (390 px) without scrolling sideways."""

from __future__ import annotations

import itertools

from markupsafe import Markup, escape

WIDTH = 320
BAR_HEIGHT = 14
ROW = 36
LABEL_CHARS = 48

_ids = itertools.count(1)


def _clip(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, rows: list[tuple[str, int]], total: int) -> Markup:
    """Horizontal bars, one per value or option: the label above its bar, the count (and
    share of `total`) behind it."""
    chart_id = f"chart-{next(_ids)}"
    height = ROW * len(rows) + 4
    biggest = max((count for _label, count in rows), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    for n, (label, count) in enumerate(rows):
        y = n * ROW
        bar = round((WIDTH - 70) * count / biggest)
        share = round(100 * count / total) if total else 0
        parts.append(
            f'<text x="0" y="{y + 12}" class="chart-label" font-size="12">'
            f"{escape(_clip(label))}</text>"
        )
        parts.append(
            f'<rect x="0" y="{y + 16}" width="{max(bar, 1)}" height="{BAR_HEIGHT}" '
            f'class="chart-bar" fill="#2f6f4f"></rect>'
        )
        parts.append(
            f'<text x="{max(bar, 1) + 6}" y="{y + 27}" class="chart-value" font-size="12">'
            f"{count} ({share}%)</text>"
        )
    parts.append("</svg>")
    # Every piece of text in `parts` went through escape(); the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704


def trend_chart(title: str, points: list[tuple[str, float | None]]) -> Markup:
    """A line through the mean score (1-5) per session; a session without figures (too
    few answers) leaves a gap."""
    chart_id = f"chart-{next(_ids)}"
    height, top, bottom, left, right = 150, 10, 120, 24, WIDTH - 10
    step = (right - left) / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return bottom - (value - 1) / 4 * (bottom - top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    for v in range(1, 6):
        y = y_of(v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
            f'stroke="#d5dbe1" stroke-width="1"></line>'
            f'<text x="0" y="{y + 4:.1f}" font-size="11" class="chart-axis">{v}</text>'
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
        parts.append(f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="4" fill="#2f6f4f"></circle>')
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="#2f6f4f" '
                f'stroke-width="2"></polyline>'
            )
    parts.append("</svg>")
    # Every piece of text in `parts` went through escape(); the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704
