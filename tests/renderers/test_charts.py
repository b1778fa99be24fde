"""The trajectory chart: points placed by value, text escaped, degenerate series drawn."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree as ET

from renderers.charts import trajectory_svg

NS = "{http://www.w3.org/2000/svg}"


def _circles(svg: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    return [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(NS + "circle")]


def test_users_target_rises_left_to_right():
    svg = trajectory_svg([2019, 2020, 2021], [Decimal(15_000_000), Decimal(50_000_000), Decimal(110_000_000)],
                         "人", ["tightened", "tightened"])
    pts = _circles(svg)
    assert [x for x, _ in pts] == sorted(x for x, _ in pts)
    assert pts[0][1] > pts[1][1] > pts[2][1]  # a larger value sits higher (smaller y)
    texts = [t.text for t in ET.fromstring(svg).iter(NS + "text")]
    assert {"1500万人", "5000万人", "1.1亿人", "2019", "2021"} <= set(texts)


def test_flat_and_single_year_series_are_drawn_inside_the_box():
    for years, values in (([2019, 2021], [70, 70]), ([2020], [5]), ([2020, 2020], [1, 2])):
        svg = trajectory_svg(years, values, "%", ["same"] * (len(values) - 1))
        for x, y in _circles(svg):
            assert 0 <= x <= 400 and 0 <= y <= 170


def test_text_from_documents_is_escaped():
    svg = trajectory_svg([2019, 2020], [1, 2], "<script>", ["<b>"], title="a & b")
    assert "<script>" not in svg and "<b>" not in svg
    ET.fromstring(svg)  # well-formed
    assert re.search(r"<title>a &amp; b</title>", svg)


def test_same_input_same_bytes():
    args = ([2016, 2019, 2021], [60, 80, 90], "%", ["tightened", "tightened"])
    assert trajectory_svg(*args) == trajectory_svg(*args)
