"""Target trajectory charts, drawn by matplotlib as inline SVG (readable without JavaScript).

Text stays text in the SVG (svg.fonttype = none), so Chinese labels are drawn by the reader's
browser fonts and the chart is searchable and accessible.
"""

from __future__ import annotations

import io
import logging
import re
import warnings

from policydiff.model.quantity import display_value
from renderers.labels import TARGET_LABELS

_INIT = False


def _setup() -> None:
    global _INIT
    if _INIT:
        return
    import matplotlib

    matplotlib.use("svg", force=True)
    matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False, "svg.hashsalt": "policydiff"})
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _INIT = True


def trajectory_svg(years: list[int], values: list[float], unit: str, changes: list[str], title: str = "") -> str:
    """A small line chart of one target through the years; markers say how each step moved."""
    _setup()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.2, 2.2), dpi=96)
    ax = fig.add_subplot()
    ax.plot(years, values, marker="o", color="#1f4e79", linewidth=1.6)
    for x, y, change in zip(years[1:], values[1:], changes, strict=False):
        label = TARGET_LABELS.get(change)
        ax.annotate(label.mark if label else change, (x, y), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=7, color="#333333")
    for x, y in zip(years, values, strict=True):
        ax.annotate(display_value(y, unit), (x, y), textcoords="offset points", xytext=(0, -14), ha="center",
                    fontsize=7)
    ax.set_xticks(sorted(set(years)))
    ax.set_xticklabels([str(y) for y in sorted(set(years))])
    ax.set_yticks([])
    ax.margins(x=0.15, y=0.35)
    if title:
        ax.set_title(title, fontsize=8, loc="left")
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyph metrics for CJK text: the browser draws the text
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and doctype for inline use
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
