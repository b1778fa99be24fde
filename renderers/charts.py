"""Target trajectory charts as small inline SVG, written directly (readable without JavaScript).

A trajectory is a handful of points (one per year), so the chart is a polyline, its markers, the
value under each point and the step's mark (↑ tightened, ↓ loosened, …) above it. Drawing that by
hand keeps the report fast and its bytes stable: a plotting library cost more to import and lay out
than the whole comparison of a series. Text stays text, so Chinese labels are drawn by the reader's
browser fonts and the chart is searchable and accessible.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from policydiff.model.quantity import display_value
from renderers.labels import TARGET_LABELS

#: the drawing box and its inner margins (px): room for the marks above and the values below
WIDTH, HEIGHT = 400, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 34, 30, 44
LINE, INK, MUTED = "#1f4e79", "#333333", "#777777"


def _scale(lo: float, hi: float, a: float, b: float):
    """A map from [lo, hi] onto [a, b]; a span of zero maps to the middle."""
    if hi == lo:
        return lambda v: (a + b) / 2
    return lambda v: a + (float(v) - lo) / (hi - lo) * (b - a)


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float, Decimal)) else 0.0


def _text(x: float, y: float, s: str, *, size: int = 10, color: str = INK) -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' fill='{color}' "
            f"text-anchor='middle'>{escape(s)}</text>")


def trajectory_svg(years: list[int], values: list, unit: str, changes: list[str], title: str = "") -> str:
    """A small line chart of one target through the years; markers say how each step moved."""
    nums = [_num(v) for v in values]
    ys = sorted(set(years))
    x_of = _scale(min(ys, default=0), max(ys, default=0), LEFT, WIDTH - RIGHT)
    y_of = _scale(min(nums, default=0.0), max(nums, default=0.0), HEIGHT - BOTTOM, TOP)
    pts = [(x_of(x), y_of(v)) for x, v in zip(years, nums, strict=True)]
    axis = HEIGHT - 20  # below the lowest value's label
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {HEIGHT}' width='{WIDTH}' "
           f"height='{HEIGHT}' role='img' font-family='sans-serif'>"]
    label = title or " → ".join(display_value(v, unit) for v in values)
    out.append(f"<title>{escape(label)}</title>")
    out.append(f"<line x1='{LEFT - 10}' y1='{axis}' x2='{WIDTH - RIGHT + 10}' y2='{axis}' "
               f"stroke='{MUTED}' stroke-width='0.8'/>")
    out += [_text(x_of(y), axis + 15, str(y), size=10, color=MUTED) for y in ys]
    if len(pts) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(f"<polyline points='{line}' fill='none' stroke='{LINE}' stroke-width='1.6'/>")
    for (x, y), v in zip(pts, values, strict=True):
        out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{LINE}'/>")
        out.append(_text(x, y + 15, display_value(v, unit), size=9))
    for (x, y), change in zip(pts[1:], changes, strict=False):
        mark = TARGET_LABELS.get(change)
        out.append(_text(x, y - 9, mark.mark if mark else change, size=9))
    out.append("</svg>")
    return "".join(out)
