"""Draw a chart or table with its caption (and, via cwb.export, its downloads)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cwb.provenance import Provenance


def chart(fig: go.Figure, prov: Provenance, data: pd.DataFrame | None = None, key: str = "") -> None:
    """A plotly chart in the house style, its caption, and downloads (larger and without
    downloads in presentation mode; exports always use the document-sized original)."""
    if _presenting():
        from cwb.charts.network import for_projector

        st.plotly_chart(for_projector(fig), theme=None, key=f"chart_{key}", config={"displayModeBar": False})
        st.caption(prov.caption())
        return
    st.plotly_chart(fig, theme=None, key=f"chart_{key}", config={"displaylogo": False})
    st.caption(prov.caption())
    downloads(prov, fig=fig, data=data, key=key)


def _presenting() -> bool:
    return st.session_state.get("_cwb", {}).get("present") == "1"


def table(df: pd.DataFrame, prov: Provenance, key: str = "", max_rows: int | None = None, **kw) -> None:
    """A table with its caption and downloads. ``max_rows``: draw only the first rows (the
    browser gets only what it shows: 150,000 suppliers are about 20 MB on the wire), while the
    downloads keep every row."""
    shown = df if max_rows is None or len(df) <= max_rows else df.head(max_rows)
    st.dataframe(shown, hide_index=True, key=f"table_{key}", **kw)
    if len(shown) < len(df):
        st.caption(f"Showing the first {len(shown):,} of {len(df):,} rows; the downloads hold all {len(df):,}.")
    st.caption(prov.caption())
    if not _presenting():
        downloads(prov, data=df, key=key)


def downloads(prov: Provenance, fig: go.Figure | None = None, data: pd.DataFrame | None = None,
              key: str = "") -> None:
    """Download buttons. Replaced by the export module's full set when present."""
    try:
        from cwb.ui import downloads as full
    except ImportError:
        if data is not None:
            st.download_button("CSV", data.to_csv(index=False), file_name=f"{key or 'data'}.csv",
                               key=f"dl_csv_{key}")
        return
    full.offer(prov, fig=fig, data=data, key=key)
