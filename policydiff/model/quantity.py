"""Quantities as a Chinese reader writes them."""

from __future__ import annotations


def display_value(value: float, unit: str = "") -> str:
    """15000000 → 1500万, 110000000 → 1.1亿, 90 % → 90%: as a Chinese reader writes it."""
    v = float(value)
    if abs(v) >= 1e8 and abs(round(v / 1e8, 4) - v / 1e8) < 1e-9:
        s = f"{round(v / 1e8, 4):g}亿"
    elif abs(v) >= 1e4 and abs(round(v / 1e4, 2) - v / 1e4) < 1e-9 and unit not in ("%",):
        s = f"{round(v / 1e4, 2):g}万"
    else:
        s = f"{v:g}" if not v.is_integer() else str(int(v))
    return s + unit
