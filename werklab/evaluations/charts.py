"""The evaluation charts: answers per option and the mean score per session, drawn by the
shared SVG charts in werklab/charts.py (the page shows a table with the same figures)."""

from __future__ import annotations

from markupsafe import Markup

from werklab import charts


def bar_chart(title: str, rows: list[tuple[str, int]], total: int) -> Markup:
    """Horizontal bars, one per value or option: the label above its bar, the count (and
    share of `total`) behind it."""
    return charts.bar_chart(
        title,
        [
            charts.Bar(label, count, f"{count} ({round(100 * count / total) if total else 0}%)")
            for label, count in rows
        ],
    )


def trend_chart(title: str, points: list[tuple[str, float | None]]) -> Markup:
    """A line through the mean score (1-5) per session; a session without figures (too
    few answers) leaves a gap."""
    return charts.line_chart(title, points, low=1, high=5, ticks=range(1, 6))
