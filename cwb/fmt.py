"""Number and text formatting for the screen (UK style), and escaping of data values.

Every value that comes from data or from the address (anchor names, categories, notes, URL
parameters) passes through ``md_escape`` before it is put into markdown (st.markdown, captions,
metric labels and help, notices, slide headlines) and through ``plot_escape`` before it is put
into plotly text (titles, category labels, trace names, annotations): neither may render as a
link, an image or HTML.
"""

from __future__ import annotations

import html
import math
import re


def _bad(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    import pandas as pd

    return bool(pd.api.types.is_scalar(v) and pd.isna(v))


def gbp(v, digits: int = 1) -> str:
    """£ by magnitude: 2 -> '£2', 13463 -> '£13.5k', 13463343 -> '£13.5m', 1.1e9 -> '£1.1bn'.
    A value that would round up to the next unit is shown in it (999,960 -> '£1.0m')."""
    if _bad(v):
        return "–"
    v = float(v)
    sign = "-" if v < 0 else ""
    a = abs(v)
    if a < 999.5:
        return f"{sign}£{a:,.0f}"
    for unit, div in (("bn", 1e9), ("m", 1e6), ("k", 1e3)):
        if round(a / div, digits) >= 1:
            return f"{sign}£{a / div:.{digits}f}{unit}"
    return f"{sign}£{a:,.0f}"


def gbp_full(v) -> str:
    """Whole pounds with thousands separators: '£13,463,343'."""
    return "–" if _bad(v) else f"{'-' if float(v) < 0 else ''}£{abs(float(v)):,.0f}"


def pct(v, digits: int = 1) -> str:
    return "–" if _bad(v) else f"{float(v):.{digits}f}%"


def pp(v, digits: int = 1) -> str:
    return "–" if _bad(v) else f"{float(v):+.{digits}f} pp"


def num(v) -> str:
    return "–" if _bad(v) else f"{float(v):,.0f}"


def text(v, missing: str = "–") -> str:
    """A data value as text for the screen: missing values (None, NaN, NA, '') become ``missing``."""
    if _bad(v):
        return missing
    s = str(v)
    return missing if s.strip() == "" or s in ("None", "nan", "NaN", "<NA>") else s


# CommonMark lets any ASCII punctuation be escaped with a backslash; Streamlit adds $ (LaTeX),
# :colour[...] / :material/icon: directives and raw HTML (< >), all covered by the same rule.
_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@])")


ZWSP = "\u200b"
_WWW = re.compile(r"((?i:www))\\\.")


def md_escape(v) -> str:
    """A data or URL value made safe to put inside markdown: it shows as the same text and never
    becomes a link, an image, HTML, LaTeX, a colour directive or a heading. Line breaks become
    spaces (a value cannot start a new block)."""
    s = "" if v is None else str(v)
    s = s.replace("\r", " ").replace("\n", " ")
    s = _MD.sub(r"\\\1", s)
    # GitHub-style autolinks (a bare http://..., www.... or e-mail address) ignore backslashes:
    # an invisible zero-width space breaks them, and the text reads the same
    s = s.replace("\\:/", "\\:" + ZWSP + "/").replace("\\@", ZWSP + "\\@")
    return _WWW.sub(lambda m: m.group(1) + ZWSP + "\\.", s)


def plot_escape(v) -> str:
    """A data value made safe for plotly text (titles, labels, names, hover): plotly renders
    <a href>, <b>, <br> and <span style> in text; escaped, they show as typed."""
    return html.escape("" if v is None else str(v), quote=False)
