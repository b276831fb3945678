"""Download buttons for a chart or table: PNG (slide, print), SVG, CSV, XLSX.

Files are produced only when a button is clicked (callable ``data``). In shared mode each
export is written to the audit trail (who, when, what).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cwb import access, audit, export
from cwb.provenance import Provenance
from cwb.ui import data as uidata


def _audit(what: str, title: str) -> None:
    if access.mode() == "shared":
        audit.log(uidata.connection(), st.session_state.get("_auth_user") or str(st.user.get("email") or "?"),
                  "export", f"{what}: {title}")


def offer(prov: Provenance, fig: go.Figure | None = None, data: pd.DataFrame | None = None, key: str = "") -> None:
    stem = export.file_stem(prov.title)
    with st.popover("Download", icon=None):
        st.caption("With title, method caption and source")
        if fig is not None:
            st.download_button("PNG for slides (1600×900)", lambda: export.png(fig, prov, "slide"),
                               file_name=f"{stem}.png", mime="image/png", key=f"dl_png_{key}",
                               on_click=_audit, args=("PNG slide", prov.title))
            st.download_button("PNG for print (4800×2700)", lambda: export.png(fig, prov, "print"),
                               file_name=f"{stem}_print.png", mime="image/png", key=f"dl_pngp_{key}",
                               on_click=_audit, args=("PNG print", prov.title))
            st.download_button("SVG", lambda: export.svg(fig, prov), file_name=f"{stem}.svg",
                               mime="image/svg+xml", key=f"dl_svg_{key}", on_click=_audit, args=("SVG", prov.title))
        if data is not None:
            st.download_button("CSV", lambda: export.csv_bytes(data, prov), file_name=f"{stem}.csv",
                               mime="text/csv", key=f"dl_csv_{key}", on_click=_audit, args=("CSV", prov.title))
            st.download_button("XLSX", lambda: export.xlsx_bytes(data, prov), file_name=f"{stem}.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key=f"dl_xlsx_{key}", on_click=_audit, args=("XLSX", prov.title))
