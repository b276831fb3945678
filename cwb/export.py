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

import pandas as pd
import plotly.graph_objects as go

from cwb import config
from cwb.charts import theme
from cwb.provenance import Provenance

PRESETS = {
    # name: (width px, height px, scale) — slide 16:9; print = the same layout at 3x (4800 x 2700 px)
    "slide": (1600, 900, 1),
    "print": (1600, 900, 3),
}
_lock = threading.Lock()
_server_started = False
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _ensure_server() -> None:
    global _server_started
    if not _server_started:
        import kaleido

        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _server_started = True


def _wrap(text: str, width_px: int, font_px: int = 13) -> str:
    chars = max(40, int(width_px / (font_px * 0.52)))
    return "<br>".join(textwrap.wrap(text, chars))


def decorate(fig: go.Figure, prov: Provenance, width: int, height: int) -> go.Figure:
    """A copy of ``fig`` with the title on top and the caption and source line underneath."""
    f = go.Figure(copy.deepcopy(fig.to_dict()))
    theme.apply(f)
    cap = _wrap(prov.caption(), width - 100)
    src = _wrap(prov.source_line(), width - 100, 12)
    line = 19
    cap_h = (cap.count("<br>") + 1) * line
    src_h = (src.count("<br>") + 1) * line
    m = f.layout.margin
    base_b = m.b if m and m.b is not None else 60
    legend_below = f.layout.legend is not None and f.layout.legend.y is not None and f.layout.legend.y < 0
    gap = base_b + (40 if legend_below else 0)          # axis title (and legend) below the plot
    bottom = gap + cap_h + 8 + src_h + 16
    old_title = f.layout.title.text if f.layout.title and f.layout.title.text else ""
    f.update_layout(
        width=width, height=height,
        title=dict(text=f"<b>{prov.title}</b>" + (f"<br><span style='font-size:15px'>{old_title}</span>"
                   if old_title and old_title != prov.title else ""), x=0, xref="paper", y=0.965, yref="container"),
        margin=dict(t=max(100, (m.t if m and m.t else 0)), b=bottom, l=(m.l if m and m.l else 70),
                    r=(m.r if m and m.r else 40)),
    )
    plot_h = max(height - f.layout.margin.t - bottom, 1)
    f.add_annotation(text=cap, xref="paper", yref="paper", x=0, y=-gap / plot_h, xanchor="left", yanchor="top",
                     showarrow=False, align="left", font=dict(size=13, color=theme.DARK_GREY))
    f.add_annotation(text=src, xref="paper", yref="paper", x=0, y=-(gap + cap_h + 8) / plot_h,
                     xanchor="left", yanchor="top", showarrow=False, align="left", font=dict(size=12, color="#505A5F"))
    return f


def image(fig: go.Figure, prov: Provenance, fmt: str = "png", preset: str = "slide") -> bytes:
    """PNG or SVG bytes of the decorated chart (``preset``: slide or print)."""
    import kaleido

    width, height, scale = PRESETS[preset]
    f = decorate(fig, prov, width, height)
    with _lock:
        _ensure_server()
        return kaleido.calc_fig_sync(f, opts={"format": fmt, "width": width, "height": height, "scale": scale})


def png(fig: go.Figure, prov: Provenance, preset: str = "slide") -> bytes:
    return image(fig, prov, "png", preset)


def svg(fig: go.Figure, prov: Provenance) -> bytes:
    return image(fig, prov, "svg", "slide")


def neutralise(v):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise)
    return out


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


def xlsx_bytes(df: pd.DataFrame, prov: Provenance, sensitivity: str | None = None) -> bytes:
    """XLSX: provenance rows (bold labels), a blank row, then the data as a header and rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for k, v in _rows(prov, sensitivity):
        ws.append([k, neutralise(v)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=False)
    ws.append([])
    data = _clean(df)
    ws.append(list(data.columns))
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for rec in data.itertuples(index=False):
        row = []
        for x in rec:
            if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
                row.append(None)
            elif hasattr(x, "item") and not isinstance(x, str):
                row.append(x.item())
            elif hasattr(x, "as_tuple"):   # Decimal
                row.append(float(x))
            else:
                row.append(x)
        ws.append(row)
    # strings stay strings: openpyxl would otherwise store '=...' text as a formula
    for r in ws.iter_rows():
        for c in r:
            if isinstance(c.value, str):
                c.data_type = "s"
    ws.column_dimensions["A"].width = 22
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def file_stem(title: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_")[:60] or "export"
