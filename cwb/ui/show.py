"""Draw a chart or table with its caption (and, via cwb.export, its downloads).

On screen a chart's title is drawn by the page, above the chart, as text that wraps: a plotly
title is one line and was cut off in narrow columns ("...2025-2"). Exports keep the title in
the image (cwb.export.decorate). Plotly's own camera button is removed (its PNG would carry no
caption or source); the Download menu offers the images with them.
"""

from __future__ import annotations

import hashlib
import html
import json
import pickle
import re
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st
from streamlit.elements import deck_gl_json_chart

from cwb.fmt import md_escape
from cwb.provenance import Provenance

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}
MISSING = "–"


def _title(fig: go.Figure) -> str:
    t = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    return html.unescape(t.replace("<br>", " ").replace("<b>", "").replace("</b>", ""))


def screen_figure(fig: go.Figure) -> tuple[go.Figure, str]:
    """A copy of ``fig`` for the screen without its plotly title (returned as plain text to be
    drawn above it) and with just the top margin its legend or top annotations need."""
    title = _title(fig)
    f = go.Figure(fig)
    if title:
        top = f.layout.margin.t if f.layout.margin and f.layout.margin.t is not None else 80
        f.update_layout(title=None, margin=dict(t=min(top, 48)))
    return f, title


def chart_title(title: str) -> None:
    if title:
        st.markdown(
            f"<p class='cwb-chart-title' style='font-size:1.2rem;font-weight:600;margin:0.2rem 0 0 0;"
            f"line-height:1.3'>{html.escape(title)}</p>",
            unsafe_allow_html=True,
        )


class _SpecFigure(go.Figure):
    """A figure whose dict was made before (cached): ``st.plotly_chart`` asks a figure only for
    ``to_dict()`` (then writes it as JSON), so this skips plotly's object model, which is most of
    a chart's cost on a rerun (rebuilding a cached 20-trace figure and its screen copy: 60-120 ms
    a chart, issue 15)."""

    def __init__(self, spec: dict):  # no validation: the dict came from a built figure
        object.__setattr__(self, "_cwb_spec", spec)

    def to_dict(self) -> dict:  # type: ignore[override]
        return self._cwb_spec


@st.cache_resource(show_spinner=False, max_entries=256)
def _screen_spec(fingerprint: str, presenting: bool, _fig: go.Figure) -> tuple[dict, str]:
    """The screen version of a figure from ``data.figure`` (kept in this process, never
    changed: st.plotly_chart only reads it)."""
    return _screen_dict(_fig, presenting)


def clear_charts() -> None:
    """Drop the screen versions of cached figures (``data.clear``)."""
    _screen_spec.clear()


def _screen_dict(fig: go.Figure, presenting: bool) -> tuple[dict, str]:
    if presenting:
        from cwb.charts.network import for_projector

        fig = for_projector(fig)
    f, title = screen_figure(fig)
    return f.to_dict(), title


def chart(fig: go.Figure, prov: Provenance, data: pd.DataFrame | None = None, key: str = "") -> None:
    """A plotly chart in the house style, its caption, and downloads (larger and without
    downloads in presentation mode; exports always use the document-sized original).
    A figure made by ``cwb.ui.data.figure`` is drawn from its cached screen version."""
    from cwb.ui import data as uidata

    presenting = _presenting()
    fp = uidata.figure_key(fig)
    spec, title = _screen_spec(fp, presenting, fig) if fp else _screen_dict(fig, presenting)
    chart_title(title)
    config = {"displayModeBar": False} if presenting else PLOTLY_CONFIG
    st.plotly_chart(_SpecFigure(spec), theme=None, key=f"chart_{key}", config=config)
    st.caption(md_escape(prov.caption()))
    if not presenting:
        downloads(prov, fig=fig, data=data, key=key)


class _SpecDeck(pdk.Deck):
    """A deck whose JSON was made before (cached): Streamlit sends ``to_json()`` as it is."""

    _template: pdk.Deck | None = None

    def __init__(self, spec: str, tooltip: dict | None):
        # pydeck.Deck() tries to import its Jupyter widget on every construction (a failed
        # import, 1-4 ms of every map page's rerun): the attributes of one empty deck made once
        if _SpecDeck._template is None:
            _SpecDeck._template = pdk.Deck(layers=[], map_provider=None, tooltip=True)
        self.__dict__.update(_SpecDeck._template.__dict__)
        self.layers: list = []
        self._tooltip = tooltip or True
        self._spec = spec

    def to_json(self) -> str:  # type: ignore[override]
        return self._spec


@st.cache_data(show_spinner=False, max_entries=48)
def _deck_spec(fingerprint: str, _build: Callable[[], pdk.Deck]) -> tuple[str, dict | None]:
    deck = _build()
    _prepare = getattr(deck_gl_json_chart, "_prepare_pydeck_for_json", None)
    if _prepare is not None:  # what st.pydeck_chart does first (pandas 3 frames in layers)
        _prepare(deck)
    tip = getattr(deck, "_tooltip", None)
    # pydeck writes its JSON indented (a line and its indent per coordinate): sent compact, the
    # Workforce page's map is 0.35 MB instead of 1.6 MB (issue 15: every page under 1 MB)
    spec = json.dumps(json.loads(deck.to_json()), separators=(",", ":"))
    return spec, tip if isinstance(tip, dict) else None


def deck_chart(build: Callable[[], pdk.Deck], *inputs, **kwargs):
    """``st.pydeck_chart(build())`` with the deck's JSON cached on a fingerprint of ``inputs``
    (what the deck is built from: frames, map pictures, settings). Serialising a map of a few
    thousand areas to JSON took 100-250 ms of every rerun of a map page (issue 15); a rerun that
    shows the same map now reuses the text. ``kwargs`` go to ``st.pydeck_chart``."""
    from cwb.ui import data as uidata

    # frames by the digest of their values (pickling their text columns copied them: 3-4 % of the
    # server's time under bench_viewers, issue 15)
    fp = uidata._fingerprint(deck_chart, inputs, {})
    if fp is None:
        fp = hashlib.blake2b(
            pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16
        ).hexdigest()
    spec, tip = _deck_spec(fp, build)
    return st.pydeck_chart(_SpecDeck(spec, tip), **kwargs)


def _presenting() -> bool:
    return st.session_state.get("_cwb", {}).get("present") == "1"


EAGER_ROWS = 20_000  # as cwb.ui.downloads.LARGE_ROWS
_NOT_A_COUNT = re.compile(r"uprn|year|code|rank|\bid\b|number|months", re.I)


def number_formats(df: pd.DataFrame) -> dict:
    """How a table's numbers are shown when the page says nothing: money in '£m' to one
    decimal, other '£' columns as whole pounds with thousands separators, counts with
    separators ('1,657', never '1657'); identifiers, years and ranks as they are."""
    out = {}
    for c in df.columns:
        label = str(c)
        v = df[c]
        if not pd.api.types.is_numeric_dtype(v) or pd.api.types.is_bool_dtype(v):
            continue
        if "£m" in label:
            out[c] = st.column_config.NumberColumn(format="£%.1fm")
        elif "£" in label:
            out[c] = st.column_config.NumberColumn(format="£%,.0f")
        elif pd.api.types.is_integer_dtype(v) and not _NOT_A_COUNT.search(label):
            out[c] = st.column_config.NumberColumn(format="localized")
    return out


def table(
    df: pd.DataFrame,
    prov: Provenance,
    key: str = "",
    max_rows: int | None = None,
    rows_total: int | None = None,
    full: Callable[[], pd.DataFrame] | None = None,
    **kw,
) -> None:
    """A table (missing values shown as '–', never 'None') with its caption and downloads.
    ``max_rows``: draw only the first rows (the browser gets only what it shows: 150,000
    suppliers are about 20 MB on the wire), while the downloads keep every row.
    ``rows_total`` and ``full``: ``df`` is already the first rows of a longer result (a query
    with a row limit); ``full()`` reads every row, only when a download is asked for."""
    kw.setdefault("placeholder", MISSING)
    kw["column_config"] = {**number_formats(df), **(kw.get("column_config") or {})}
    shown = df if max_rows is None or len(df) <= max_rows else df.head(max_rows)
    total = max(len(df), rows_total or 0)
    st.dataframe(shown, hide_index=True, key=f"table_{key}", **kw)
    if len(shown) < total:
        st.caption(f"Showing the first {len(shown):,} of {total:,} rows; the downloads hold all {total:,}.")
    st.caption(md_escape(prov.caption()))
    if not _presenting():
        rows: pd.DataFrame | Callable[[], pd.DataFrame] = df
        if full is not None and total > len(df):
            # a list of up to EAGER_ROWS is read with the page (its CSV is ready at once: a file
            # made on click can be dropped when another session ends); a longer one on click
            rows = full() if total <= EAGER_ROWS else full
        downloads(prov, data=rows, key=key)


def downloads(
    prov: Provenance,
    fig: go.Figure | Callable[[], go.Figure] | None = None,
    data: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    key: str = "",
) -> None:
    """Download buttons. Replaced by the export module's full set when present."""
    try:
        from cwb.ui import downloads as full
    except ImportError:
        if data is not None:
            rows = data() if callable(data) else data
            st.download_button(
                "CSV", rows.to_csv(index=False), file_name=f"{key or 'data'}.csv", key=f"dl_csv_{key}"
            )
        return
    full.offer(prov, fig=fig, data=data, key=key)


# metric labels wrap instead of ending in "..." (Streamlit cuts them to one line)
PAGE_FIXES = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div
  {white-space: normal !important; overflow: visible !important; text-overflow: clip !important; height: auto !important;}
</style>"""

PRESENT_FIXES = """<style>
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p, [data-testid="stMetricValue"] div
  {font-size: 2.4rem !important; line-height: 1.15; white-space: normal !important; overflow: visible !important;
   text-overflow: clip !important;}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div
  {font-size: 1.15rem !important; white-space: normal !important; overflow: visible !important;
   text-overflow: clip !important; height: auto !important;}
[data-testid="stMetric"] {overflow: visible !important;}
.st-key-cwb_exit_present button p {font-size: 1.0rem !important;}
</style>"""


def page_fixes(exit_button: bool = True) -> None:
    """Call right after ``frame()``: metric labels that wrap instead of being cut off and, in
    presentation mode (no sidebar), a visible 'Exit presentation' button at the top of the page
    (``exit_button``: the Present page has its own) with metric values that fit ('£867...').
    Drawn at most once per run."""
    from streamlit.errors import StreamlitAPIException

    if not _presenting():
        st.markdown(PAGE_FIXES, unsafe_allow_html=True)
        return

    def leave() -> None:
        st.session_state.setdefault("_cwb", {})["present"] = "0"
        st.session_state["present_toggle"] = False

    if not exit_button:
        st.markdown(PAGE_FIXES + PRESENT_FIXES, unsafe_allow_html=True)
        return
    try:
        st.button(
            "✕ Exit presentation",
            key="cwb_exit_present",
            on_click=leave,
            help="Back to the dashboard with the sidebar and controls (present=0 in the link)",
        )
    except StreamlitAPIException:  # already drawn in this run (the frame may draw it too)
        return
    st.markdown(PAGE_FIXES + PRESENT_FIXES, unsafe_allow_html=True)
