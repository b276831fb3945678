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

# name: (layout width, layout height, scale) in CSS pixels. The chart is laid out at 1024 x 576
# (about the size it has on screen) and rendered at a scale, so text stays readable when the image
# is shrunk onto a slide or an A4 page: slide = 1600 x 900 px, print = 4800 x 2700 px (16 x 9 inches
# at 300 dpi). A 15 px label is then 23 px in the slide PNG (about 12 pt on a 13.3 inch slide).
PRESETS = {
    "slide": (1024, 576, 1.5625),
    "print": (1024, 576, 4.6875),
}
SIZES = {k: (round(w * s), round(h * s)) for k, (w, h, s) in PRESETS.items()}
EDGE = 16                   # px of white space between the figure edge and the title, caption and source
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
    longest = 0
    for t in fig.data:
        y = getattr(t, "y", None)
        if y is not None and len(y) and all(isinstance(v, str) for v in y):
            longest = max(longest, max(len(v) for v in y))
    return int(longest * font_px * 0.55) + 24 if longest else 0


def decorate(fig: go.Figure, prov: Provenance, width: int, height: int) -> go.Figure:
    """A copy of ``fig`` sized ``width`` x ``height`` (layout px) with the title on top and the
    caption (what is measured, numerator, denominator, period, geography, IMD edition) and the
    source and licence line (with 'synthetic demo data' when it is) wrapped underneath."""
    f = go.Figure(copy.deepcopy(fig.to_dict()))
    theme.apply(f)
    font = 15
    cap_font, src_font, line = 12.5, 11.5, 1.3
    text_w = width - 2 * EDGE
    cap = _wrap(prov.caption(), text_w, cap_font)
    src = _wrap(prov.source_line(), text_w, src_font)
    cap_h = (cap.count("<br>") + 1) * cap_font * line
    src_h = (src.count("<br>") + 1) * src_font * line
    m = f.layout.margin
    base_b = m.b if m and m.b is not None else 60
    left = max(m.l if m and m.l is not None else 70, _left_labels_px(f, font))
    right = m.r if m and m.r is not None else 40
    old = f.layout.title.text if f.layout.title and f.layout.title.text else ""
    if old and old.lower().startswith(prov.title.lower()):
        title, subtitle = old, ""                    # the chart's own title already says it, more precisely
    else:
        title, subtitle = prov.title, old
    top = max(100 if subtitle else 76, m.t if m and m.t else 0)
    gap = base_b                                      # axis title (and a legend) below the plot
    leg = f.layout.legend
    if leg is not None and leg.y is not None and leg.y < 0 and f.layout.showlegend is not False:
        plot_h_est = height - top - base_b - cap_h - src_h - 8 - EDGE
        gap = max(base_b, int(-leg.y * plot_h_est) + 34)
    bottom = int(gap + cap_h + 8 + src_h + EDGE)
    f.update_layout(
        width=width, height=height,
        title=dict(text=f"<b>{title}</b>", x=EDGE / width, xref="container", xanchor="left", y=1 - EDGE / height,
                   yref="container", yanchor="top", font=dict(size=19),
                   subtitle=dict(text=subtitle, font=dict(size=14, color=theme.DARK_GREY))),
        margin=dict(t=top, b=bottom, l=left, r=right),
    )
    plot_w = max(width - left - right, 1)
    plot_h = max(height - top - bottom, 1)
    x0 = -(left - EDGE) / plot_w                      # the figure's left edge, in paper units
    f.add_annotation(text=cap, xref="paper", yref="paper", x=x0, y=-gap / plot_h, xanchor="left", yanchor="top",
                     showarrow=False, align="left", font=dict(size=cap_font, color=theme.DARK_GREY))
    f.add_annotation(text=src, xref="paper", yref="paper", x=x0, y=-(gap + cap_h + 8) / plot_h,
                     xanchor="left", yanchor="top", showarrow=False, align="left", font=dict(size=src_font, color="#505A5F"))
    return f


def image(fig: go.Figure, prov: Provenance, fmt: str = "png", preset: str = "slide") -> bytes:
    """PNG or SVG bytes of the decorated chart (``preset``: slide 1600 x 900 or print 4800 x 2700)."""
    import kaleido

    width, height, scale = PRESETS[preset]
    f = decorate(fig, prov, width, height)
    with _lock:
        _ensure_server()
        return kaleido.calc_fig_sync(f, opts={"format": fmt, "width": width, "height": height, "scale": scale})


def png(fig: go.Figure, prov: Provenance, preset: str = "slide") -> bytes:
    return image(fig, prov, "png", preset)


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
    if isinstance(v, (list, tuple)) or (hasattr(v, "tolist") and not isinstance(v, str) and getattr(v, "ndim", 0) > 0):
        return "; ".join("" if x is None else str(x) for x in list(v))
    return v


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """A copy safe to open in a spreadsheet: list cells flattened to text, formula-like text neutralised."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: neutralise(_flat(v)))
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
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for k, v in _rows(prov, sensitivity):
        v = neutralise(v)
        ws.append([k, ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=False)
    ws.append([])
    data = _clean(df)
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", str(c)) for c in data.columns])
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
            elif isinstance(x, str):       # control characters (ESC, vertical tab) are not allowed in XLSX
                row.append(ILLEGAL_CHARACTERS_RE.sub("", x))
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
