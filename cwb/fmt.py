"""Number formatting for the screen (UK style)."""

from __future__ import annotations

import math


def _bad(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def gbp(v, digits: int = 1) -> str:
    """£ with m / k suffixes: 1234567 -> '£1.2m'."""
    if _bad(v):
        return "–"
    v = float(v)
    sign = "-" if v < 0 else ""
    a = abs(v)
    if a >= 1e9:
        return f"{sign}£{a / 1e9:.{digits}f}bn"
    if a >= 1e6:
        return f"{sign}£{a / 1e6:.{digits}f}m"
    if a >= 1e3:
        return f"{sign}£{a / 1e3:.0f}k"
    return f"{sign}£{a:,.0f}"


def pct(v, digits: int = 1) -> str:
    return "–" if _bad(v) else f"{float(v):.{digits}f}%"


def pp(v, digits: int = 1) -> str:
    return "–" if _bad(v) else f"{float(v):+.{digits}f} pp"


def num(v) -> str:
    return "–" if _bad(v) else f"{float(v):,.0f}"
