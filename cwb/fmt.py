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


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 payee', '2 payees', '55,936 rows': a count with its noun agreeing (``many`` for
    irregular plurals; default ``one`` + 's')."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def text(v, missing: str = "–") -> str:
    """A data value as text for the screen: missing values (None, NaN, NA, '') become ``missing``."""
    if _bad(v):
        return missing
    s = str(v)
    return missing if s.strip() == "" or s in ("None", "nan", "NaN", "<NA>") else s


# CommonMark lets any ASCII punctuation be escaped with a backslash. Escaped here: what can
# start emphasis, code, links and images ([ ] ! * _ `), raw HTML and entities (< > &), tables
# and strikethrough (| ~), LaTeX ($), braces; a colon only where it would open an emoji
# shortcode, a :material/icon: or a :colour[...] directive; and list or heading markers at the
# start. Plain punctuation (. , ( ) : - ') is left alone so the text stays readable in tests.
_MD = re.compile(r"([\\`*_{}\[\]<>#|~$!&])")
_DIRECTIVE = re.compile(r":(?=[\w/+-]+[:\[])")
_LEADING = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s|$)")
ZWSP = "\u200b"


def md_escape(v) -> str:
    """A data or URL value made safe to put inside markdown: it shows as the same text and never
    becomes a link, an image, HTML, LaTeX, a colour directive, a list or a heading. Line breaks
    become spaces (a value cannot start a new block). Bare URLs and e-mail addresses, which
    GitHub-style autolinking finds whatever the escaping, get an invisible zero-width space."""
    s = "" if v is None else str(v)
    s = s.replace("\r", " ").replace("\n", " ")
    s = _DIRECTIVE.sub("\x00", s.replace("\x00", ""))  # marked before [ is escaped, which hides it
    s = _MD.sub(r"\\\1", s).replace("\x00", "\\:")
    s = _LEADING.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)
    s = s.replace("://", ":" + ZWSP + "//").replace("@", ZWSP + "@")
    return re.sub(r"(?i)(www)\.", lambda m: m.group(1) + ZWSP + ".", s)


def plot_escape(v) -> str:
    """A data value made safe for plotly text (titles, labels, names, hover): plotly renders
    <a href>, <b>, <br> and <span style> in text; escaped, they show as typed."""
    return html.escape("" if v is None else str(v), quote=False)
