"""Exports for documents: PNG / SVG charts with title, caption and source; CSV / XLSX with
provenance rows above the data. No streamlit here.

Charts are drawn server-side by kaleido with Debian's Chromium. Its server is started once per
process (a PNG then takes ~0.2 s instead of ~2.5 s) and every export holds a lock, because the
server is not thread-safe (design.md). MathJax is disabled so nothing is fetched from the internet.
"""

from __future__ import annotations

import copy
import csv
import io
import textwrap
import threading
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cwb import config
from cwb import fmt as cwbfmt
from cwb.charts import theme
from cwb.provenance import Provenance

# name: (layout width, layout height, scale) in CSS pixels. The chart is laid out at 1024 x 576
# (about the size it has on screen) and rendered at a scale, so text stays readable when the image
# is shrunk onto a slide or an A4 page: slide = 1600 x 900 px, print = 4800 x 2700 px (16 x 9 inches
# at 300 dpi). A 15 px label is then 23 px in the slide PNG (about 12 pt on a 13.3 inch slide).
PRESETS = {
    "slide": (1024, 576, 1.5625),
    "print": (1024, 576, 4.6875),
    # a meeting-pack slide: the chart alone, as wide as the slide under its headline (11.5 x 4.7 in)
    "pack": (1024, 420, 1.5625),
}
SIZES = {k: (round(w * s), round(h * s)) for k, (w, h, s) in PRESETS.items()}
EDGE = 16  # px of white space between the figure edge and the title, caption and source
_lock = threading.Lock()
_server_started = False
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _ensure_server() -> None:
    global _server_started
    if not _server_started:
        import kaleido

        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _server_started = True


def shutdown() -> None:
    """Stop the kaleido server (the CLI calls this before exiting so Chromium's profile is removed)."""
    global _server_started
    with _lock:
        if _server_started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
            _server_started = False


def _wrap(text: str, width_px: float, font_px: float) -> str:
    # Liberation Sans averages ~0.5 em per character in running text; 0.49 leaves a little slack
    chars = max(40, int(width_px / (font_px * 0.49)))
    return "<br>".join(textwrap.wrap(text, chars))


def _left_labels_px(fig: go.Figure, font_px: float) -> int:
    """Width the y-axis category labels will need (horizontal bars), so the margin is known."""
    import html
    import re

    longest = 0
    for t in fig.data:
        y = getattr(t, "y", None)
        if y is not None and len(y) and all(isinstance(v, str) for v in y):
            # a label's widest line, as drawn: markup removed, entities as one character
            lines = [
                html.unescape(re.sub(r"<[^>]+>", "", part)) for v in y for part in re.split(r"<br\s*/?>", v)
            ]
            longest = max(longest, max(len(x) for x in lines))
    return int(longest * font_px * 0.55) + 24 if longest else 0


def decorate(
    fig: go.Figure, prov: Provenance, width: int, height: int, title: bool = True, caption: bool = True
) -> go.Figure:
    """A copy of ``fig`` sized ``width`` x ``height`` (layout px) with the title on top (once:
    the chart's own title when it has one, else the provenance title; wrapped when long) and the
    caption (what is measured, numerator, denominator, period, geography, IMD edition) and the
    source and licence line (with 'synthetic demo data' when it is) wrapped underneath.
    ``title=False`` / ``caption=False`` leave them out (a slide carries them as its own text)."""
    f = go.Figure(copy.deepcopy(fig.to_dict()))
    theme.apply(f)
    font = 15
    cap_font, src_font, line = 12.5, 11.5, 1.3
    text_w = width - 2 * EDGE
    cap = _wrap(prov.caption(), text_w, cap_font) if caption else ""
    src = _wrap(prov.source_line(), text_w, src_font) if caption else ""
    cap_h = (cap.count("<br>") + 1) * cap_font * line if caption else 0
    src_h = (src.count("<br>") + 1) * src_font * line if caption else 0
    m = f.layout.margin
    base_b = m.b if m and m.b is not None else 60
    left = max(m.l if m and m.l is not None else 70, _left_labels_px(f, font))
    right = m.r if m and m.r is not None else 40
    old = f.layout.title.text if f.layout.title and f.layout.title.text else ""
    head = old or cwbfmt.plot_escape(prov.title)  # the chart's own title is the more precise one
    head = _wrap(head.replace("<br>", " "), text_w, 19 * 1.1) if title else ""
    head_h = (head.count("<br>") + 1) * 19 * 1.25 if title else 0
    top = max(int(head_h + EDGE + 40) if title else 40, m.t if m and m.t and title else 0)
    gap = base_b  # axis title (and a legend) below the plot
    leg = f.layout.legend
    if leg is not None and leg.y is not None and leg.y < 0 and f.layout.showlegend is not False:
        plot_h_est = height - top - base_b - cap_h - src_h - 8 - EDGE
        gap = max(base_b, int(-leg.y * plot_h_est) + 34)
    bottom = int(gap + (cap_h + 8 + src_h + EDGE if caption else 0))
    f.update_layout(width=width, height=height, margin=dict(t=top, b=bottom, l=left, r=right))
    if title:
        f.update_layout(
            title=dict(
                text=f"<b>{head}</b>",
                x=EDGE / width,
                xref="container",
                xanchor="left",
                y=1 - EDGE / height,
                yref="container",
                yanchor="top",
                font=dict(size=19),
            )
        )
    else:
        f.update_layout(title=None)
    if not caption:
        return f
    plot_w = max(width - left - right, 1)
    plot_h = max(height - top - bottom, 1)
    x0 = -(left - EDGE) / plot_w  # the figure's left edge, in paper units
    f.add_annotation(
        text=cap,
        xref="paper",
        yref="paper",
        x=x0,
        y=-gap / plot_h,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font=dict(size=cap_font, color=theme.DARK_GREY),
    )
    f.add_annotation(
        text=src,
        xref="paper",
        yref="paper",
        x=x0,
        y=-(gap + cap_h + 8) / plot_h,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font=dict(size=src_font, color="#505A5F"),
    )
    return f


def image(fig: go.Figure, prov: Provenance, fmt: str = "png", preset: str = "slide", **decor) -> bytes:
    """PNG or SVG bytes of the decorated chart (``preset``: slide 1600 x 900 or print 4800 x 2700;
    ``decor``: title / caption for decorate)."""
    import kaleido

    width, height, scale = PRESETS[preset]
    f = decorate(fig, prov, width, height, **decor)
    with _lock:
        _ensure_server()
        return kaleido.calc_fig_sync(
            f, opts={"format": fmt, "width": width, "height": height, "scale": scale}
        )


def png(fig: go.Figure, prov: Provenance, preset: str = "slide", **decor) -> bytes:
    return image(fig, prov, "png", preset, **decor)


def svg(fig: go.Figure, prov: Provenance) -> bytes:
    """SVG drawn at 1600 x 900 (its viewBox is the 1024 x 576 layout, so it scales cleanly)."""
    return image(fig, prov, "svg", "slide")


def neutralise(v):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def _flat(v):
    """Lists (e.g. the values behind a sparkline) become '15.0; 16.2; 17.1' text."""
    if isinstance(v, (list, tuple)) or (
        hasattr(v, "tolist") and not isinstance(v, str) and getattr(v, "ndim", 0) > 0
    ):
        return "; ".join("" if x is None else str(x) for x in list(v))
    return v


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """A copy safe to open in a spreadsheet: one column per name (a repeated name keeps its first
    column), dates without a time of day, list cells flattened to text, formula-like text
    neutralised."""
    out = df.loc[:, ~pd.Index(df.columns).duplicated()].copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    out = out.loc[:, ~pd.Index(out.columns).duplicated()]
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            out[c] = col.dt.strftime("%Y-%m-%d").where(col.notna(), None)
        elif col.dtype == object or pd.api.types.is_string_dtype(col):
            out[c] = col.map(lambda v: neutralise(_flat(v)))
    return out


def labelled(
    df: pd.DataFrame,
    columns: dict[str, str],
    names: dict[str, str] | None = None,
    digits: dict[str, int] | None = None,
) -> pd.DataFrame:
    """The table behind a chart as the chart shows it: only ``columns`` (internal name -> the
    label on the chart), in that order; anchor codes as names (``names``, '_all' included);
    money and shares rounded as shown: a label with '%' or 'pp' to 1 decimal, '£m' to 1 decimal,
    '£' to whole pounds, other numbers as they are (``digits`` overrides per label)."""
    names = names or {}
    out = pd.DataFrame(index=df.index)
    for col, label in columns.items():
        v = df[col]
        if col == "anchor_id" or col.endswith("anchor_id"):
            v = v.map(lambda a: names.get(a, "All selected anchors" if a == "_all" else a))
        elif pd.api.types.is_datetime64_any_dtype(v) or col in ("month",):
            v = pd.to_datetime(v).dt.strftime("%b %Y")
        elif v.dtype == object and len(v.dropna()) and all(hasattr(x, "as_tuple") for x in v.dropna()):
            v = v.astype(float)  # DECIMAL from DuckDB
        if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
            d = (digits or {}).get(label)
            if pd.api.types.is_integer_dtype(v) and d is None:
                out[label] = v  # counts stay whole numbers ('12', never '12.0')
                continue
            v = v.astype(float)
            if d is None:
                d = 1 if ("%" in label or "pp" in label or "£m" in label) else 0 if "£" in label else None
            if d is not None:
                v = v.round(d)
                if d == 0:
                    v = v.astype("Int64")
        out[label] = v
    return out.reset_index(drop=True)


def internal_names(df: pd.DataFrame) -> list[str]:
    """Column names and cell values that are the database's, not the reader's (snake_case
    column names, the '_all' code, timestamps with a time of day): what an export must not show."""
    import re

    bad = [
        c for c in map(str, df.columns) if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+|index|value|level_\d+", c)
    ]
    for c in df.columns:
        col = df[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            vals = set(col.dropna().map(str).unique()[:500])
            if "_all" in vals:
                bad.append(f"{c}: _all")
            if any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", v) for v in vals):
                bad.append(f"{c}: timestamp")
        elif pd.api.types.is_datetime64_any_dtype(col):
            bad.append(f"{c}: timestamp")
    return bad


def _rows(prov: Provenance, sensitivity: str | None) -> list[tuple[str, str]]:
    return prov.rows(sensitivity or config.get("CWB_SENSITIVITY"))


def csv_bytes(df: pd.DataFrame, prov: Provenance, sensitivity: str | None = None) -> bytes:
    """CSV (UTF-8 with BOM for Excel): provenance rows, a blank row, then the data."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for k, v in _rows(prov, sensitivity):
        w.writerow([k, neutralise(v)])
    w.writerow([])
    data = _clean(df)
    w.writerow(list(data.columns))
    for rec in data.itertuples(index=False):
        w.writerow(["" if (x is None or (isinstance(x, float) and pd.isna(x))) else x for x in rec])
    return buf.getvalue().encode("utf-8-sig")


def _number_format(label: str) -> str | None:
    if "%" in label or "pp" in label:
        return "0.0"
    if "£m" in label:
        return '"£"#,##0.0"m"'
    if "£" in label:
        return '"£"#,##0'
    return None


def xlsx_bytes(df: pd.DataFrame, prov: Provenance, sensitivity: str | None = None) -> bytes:
    """XLSX: provenance rows (bold labels), a blank row, then the data under a styled header row
    that stays in view when scrolling (frozen panes); numbers stay numbers, formatted as shown."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for k, v in _rows(prov, sensitivity):
        ws.append([_xl_text(k), _xl_text(neutralise(v))])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=False)
    ws.append([])
    data = _clean(df)
    ws.append([_xl_text(c) for c in data.columns])
    header_row = ws.max_row
    fill = PatternFill("solid", fgColor=theme.DARK_BLUE.lstrip("#"))
    edge = Side(style="thin", color="FFFFFF")
    for c in ws[header_row]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = fill
        c.border = Border(bottom=edge)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for rec in data.itertuples(index=False):
        row: list[Any] = []
        for x in rec:
            if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
                row.append(None)
            elif hasattr(x, "item") and not isinstance(x, str):
                row.append(x.item())
            elif hasattr(x, "as_tuple"):  # Decimal
                row.append(float(x))
            elif isinstance(x, str):
                row.append(_xl_text(x))
            else:
                row.append(x)
        ws.append(row)
    # strings stay strings: openpyxl would otherwise store '=...' text as a formula
    for r in ws.iter_rows():
        for c in r:
            if isinstance(c.value, str):
                c.data_type = "s"
    for j, label in enumerate(data.columns, start=1):
        letter = get_column_letter(j)
        fmt = _number_format(str(label))
        if fmt:
            for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=j, max_col=j):
                if isinstance(cell.value, (int, float)):
                    cell.number_format = fmt
        longest = max([len(str(label))] + [len(str(v)) for v in data.iloc[:200, j - 1].tolist()])
        ws.column_dimensions[letter].width = max(10, min(48, longest + 2))
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 22)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xl_text(v):
    """Control characters (ESC, vertical tab ...) are illegal in XLSX and made openpyxl fail:
    they are dropped from text."""
    if not isinstance(v, str):
        return v
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", v)


def file_stem(title: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_")[:60] or "export"
