"""The shared SVG charts (werklab/charts.py): scaled axes, escaped text, a title and a
description for screen readers."""

from __future__ import annotations

from werklab import charts


def test_nice_axis_tops():
    assert charts.nice_ceiling(9, whole=True) == (10, 5)
    assert charts.nice_ceiling(1, whole=True) == (1, 1)
    assert charts.nice_ceiling(0, whole=True) == (1, 1)
    assert charts.nice_ceiling(707911) == (800000, 200000)
    assert charts.nice_ceiling(90750) == (100000, 50000)


def test_text_is_escaped_and_described():
    svg = charts.bar_chart(
        "<script>",
        [charts.Bar("A & B <b>", 3, "3 </text>", marks=(2, 5))],
        desc='Een "beschrijving"',
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "A &amp; B &lt;b&gt;" in svg and "3 &lt;/text&gt;" in svg
    assert '<desc id="' in svg and "&#34;beschrijving&#34;" in svg
    assert svg.count('class="chart-mark"') == 2
    assert 'viewBox="0 0 320 40"' in svg and 'width="100%"' in svg


def test_stacked_columns_add_up():
    svg = charts.column_chart(
        "Geld",
        ["jan", "feb"],
        [charts.Series("betaald", [300, 0]), charts.Series("open", [100, 0])],
        whole=True,
    )
    # One column of two parts (nothing drawn for February), a legend of two names.
    assert svg.count('class="chart-bar"') == 2
    assert "betaald" in svg and "open" in svg


def test_strip_chart_marks_missing_values():
    svg = charts.strip_chart("Aanwezig", [("CoP", [100, None, 50], "gem. 75%")])
    assert svg.count('class="chart-bar"') == 2  # 100 and 50; None is a dash
    assert 'stroke="#6b7580"' in svg and "gem. 75%" in svg
