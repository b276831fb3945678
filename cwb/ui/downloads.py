"""Download buttons for a chart or table: PNG (slide, print), SVG, CSV, XLSX.

Files are produced only when a button is clicked (a callable ``data``, run by the server on
request, with no script rerun). In shared mode each export is written to the audit trail (who,
when, what) from inside that callable, with the viewer's name captured when the page was drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cwb import access, audit, export
from cwb.provenance import Provenance
from cwb.ui import data as uidata

LARGE_ROWS = 20_000   # above this a table's CSV is made on click, not with the page


def _viewer() -> str | None:
    if access.mode() != "shared":
        return None
    return st.session_state.get("_auth_user") or str(st.user.get("email") or "?")


def _audited(make: Callable[[], bytes], what: str, title: str, who: str | None) -> Callable[[], bytes]:
    if who is None:
        return make

    def run() -> bytes:
        out = make()
        audit.log(uidata.connection(), who, "export", f"{what}: {title}")
        return out

    return run


def _log_export(what: str, title: str, who: str) -> None:
    audit.log(uidata.connection(), who, "export", f"{what}: {title}")


def offer(prov: Provenance, fig: go.Figure | None = None, data: pd.DataFrame | None = None, key: str = "") -> None:
    stem = export.file_stem(prov.title)
    who = _viewer()
    with st.popover("Download"):
        st.caption("With title, method caption and source")
        if fig is not None:
            st.download_button("PNG for slides (1600×900)", _audited(lambda: export.png(fig, prov, "slide"), "PNG slide", prov.title, who),
                               file_name=f"{stem}.png", mime="image/png", key=f"dl_png_{key}", on_click="ignore")
            st.download_button("PNG for print (4800×2700)", _audited(lambda: export.png(fig, prov, "print"), "PNG print", prov.title, who),
                               file_name=f"{stem}_print.png", mime="image/png", key=f"dl_pngp_{key}", on_click="ignore")
            st.download_button("SVG", _audited(lambda: export.svg(fig, prov), "SVG", prov.title, who), file_name=f"{stem}.svg",
                               mime="image/svg+xml", key=f"dl_svg_{key}", on_click="ignore")
        if data is not None:
            # CSV is cheap, so it is made with the page: a deferred download can be dropped by
            # Streamlit when another session ends (seen under load), a ready one cannot. A large
            # table (a network's suppliers) is deferred: seconds per rerun and megabytes kept
            # per session otherwise.
            if len(data) <= LARGE_ROWS:
                st.download_button("CSV", export.csv_bytes(data, prov), file_name=f"{stem}.csv", mime="text/csv",
                                   key=f"dl_csv_{key}", on_click=_log_export if who else "ignore",
                                   args=("CSV", prov.title, who) if who else None)
            else:
                st.download_button("CSV", _audited(lambda: export.csv_bytes(data, prov), "CSV", prov.title, who),
                                   file_name=f"{stem}.csv", mime="text/csv", key=f"dl_csv_{key}", on_click="ignore")
            st.download_button("XLSX", _audited(lambda: export.xlsx_bytes(data, prov), "XLSX", prov.title, who),
                               file_name=f"{stem}.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key=f"dl_xlsx_{key}", on_click="ignore")
