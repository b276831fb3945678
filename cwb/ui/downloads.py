"""Download buttons for a chart or table: PNG (slide, print), SVG, CSV, XLSX.

Files are produced only when a button is clicked (a callable ``data``, run by the server on
request, with no script rerun). In shared mode each export is written to the audit trail (who,
when, what) from inside that callable, with the viewer's name captured when the page was drawn.

Sensitive downloads need the session and expire at once (shared mode): every export, CSV
included, is generated on click over the signed-in session's own connection (Streamlit runs the
callable only for a request naming its unguessable id, sent to that session alone, and revokes
it when the session ends), and the generated file is deleted from the server
``EXPIRE_SECONDS`` after it is made: a copied ``/media/...`` link stops working at once,
instead of serving the file to anyone for as long as Streamlit keeps it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cwb import access, audit, export
from cwb.provenance import Provenance
from cwb.ui import data as uidata

LARGE_ROWS = 20_000  # above this a table's CSV is made on click, not with the page
EXPIRE_SECONDS = 10.0  # time for the browser to fetch the file it asked for


def _viewer() -> str | None:
    if access.mode() != "shared":
        return None
    return st.session_state.get("_auth_user") or str(st.user.get("email") or "?")


def expire_file(data: bytes, mimetype: str, file_name: str, manager=None) -> bool:
    """Delete the file Streamlit stored for a deferred download (identified by its content,
    type and name, as Streamlit's memory storage names it) unless a session still shows it.
    True when a file was deleted. Best effort: a Streamlit without this storage keeps its own
    clean-up."""
    try:
        from streamlit.runtime.memory_media_file_storage import _calculate_file_id

        if manager is None:
            from streamlit import runtime

            if not runtime.exists():
                return False
            manager = runtime.get_instance().media_file_mgr
        fid = _calculate_file_id(data, mimetype, file_name)
        with manager._lock:
            in_use = any(fid in refs.values() for refs in manager._files_by_session_and_coord.values())
            if fid in manager._file_metadata and not in_use:
                manager._delete_file(fid)
                return True
    except Exception:  # noqa: BLE001 - never break a download over its clean-up
        return False
    return False


def _audited(
    make: Callable[[], bytes], what: str, title: str, who: str | None, mimetype: str = "", file_name: str = ""
) -> Callable[[], bytes]:
    if who is None:
        return make

    def run() -> bytes:
        out = make()
        audit.log(uidata.connection(), who, "export", f"{what}: {title}")
        if file_name:
            t = threading.Timer(EXPIRE_SECONDS, expire_file, args=(out, mimetype, file_name))
            t.daemon = True
            t.start()
        return out

    return run


def _const(df: pd.DataFrame) -> Callable[[], pd.DataFrame]:
    return lambda: df


def _const_fig(fig) -> Callable[[], go.Figure]:
    return lambda: fig


def offer(
    prov: Provenance,
    fig: go.Figure | Callable[[], go.Figure] | None = None,
    data: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    key: str = "",
) -> None:
    """``data``: the table, or a callable that reads it when a download is asked for (a long
    result the page shows only the first rows of). ``fig``: the figure, or a callable that
    builds it on click (a map's export figure: 100 ms of every rerun otherwise)."""
    figure: Callable[[], go.Figure] | None = None
    if fig is not None:
        figure = fig if callable(fig) and not isinstance(fig, go.Figure) else _const_fig(fig)
    _menu(prov, figure, data, key or export.file_stem(prov.title), _viewer())


@st.fragment
def _menu(
    prov: Provenance,
    figure: Callable[[], go.Figure] | None,
    data: pd.DataFrame | Callable[[], pd.DataFrame] | None,
    key: str,
    who: str | None,
) -> None:
    """The menu's buttons are drawn only while it is open: a closed menu is one element, not
    seven (a py-spy profile of Spend overview: 14 % of a page run went to its three menus'
    contents). Opening or closing it reruns this fragment alone, not the page."""
    menu = st.popover("Download", key=f"dl_menu_{key}", on_change="rerun")
    if not menu.open:
        return
    stem = export.file_stem(prov.title)
    with menu:
        st.caption("With title, method caption and source")
        if figure is not None:
            st.download_button(
                "PNG for slides (1600×900)",
                _audited(
                    lambda: export.png(figure(), prov, "slide"),
                    "PNG slide",
                    prov.title,
                    who,
                    "image/png",
                    f"{stem}.png",
                ),
                file_name=f"{stem}.png",
                mime="image/png",
                key=f"dl_png_{key}",
                on_click="ignore",
            )
            st.download_button(
                "PNG for print (4800×2700)",
                _audited(
                    lambda: export.png(figure(), prov, "print"),
                    "PNG print",
                    prov.title,
                    who,
                    "image/png",
                    f"{stem}_print.png",
                ),
                file_name=f"{stem}_print.png",
                mime="image/png",
                key=f"dl_pngp_{key}",
                on_click="ignore",
            )
            st.download_button(
                "SVG",
                _audited(
                    lambda: export.svg(figure(), prov), "SVG", prov.title, who, "image/svg+xml", f"{stem}.svg"
                ),
                file_name=f"{stem}.svg",
                mime="image/svg+xml",
                key=f"dl_svg_{key}",
                on_click="ignore",
            )
        if data is not None:
            rows: Callable[[], pd.DataFrame] = data if callable(data) else _const(data)
            if who is None and isinstance(data, pd.DataFrame) and len(data) <= LARGE_ROWS:
                # local mode (one officer, no sign-in): CSV is cheap, so it is made with the page: a
                # deferred download can be dropped by Streamlit when another session ends (seen
                # under load), a ready one cannot. A large table (a network's suppliers) is deferred.
                st.download_button(
                    "CSV",
                    uidata.derived(export.csv_bytes, data, prov),  # the same view's file once
                    file_name=f"{stem}.csv",
                    mime="text/csv",
                    key=f"dl_csv_{key}",
                    on_click="ignore",
                )
            else:
                # shared mode: a ready file would sit at a /media URL anyone could fetch without a
                # session until Streamlit's clean-up; made on click and expired instead
                st.download_button(
                    "CSV",
                    _audited(
                        lambda: export.csv_bytes(rows(), prov),
                        "CSV",
                        prov.title,
                        who,
                        "text/csv",
                        f"{stem}.csv",
                    ),
                    file_name=f"{stem}.csv",
                    mime="text/csv",
                    key=f"dl_csv_{key}",
                    on_click="ignore",
                )
            xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            st.download_button(
                "XLSX",
                _audited(
                    lambda: export.xlsx_bytes(rows(), prov), "XLSX", prov.title, who, xlsx, f"{stem}.xlsx"
                ),
                file_name=f"{stem}.xlsx",
                mime=xlsx,
                key=f"dl_xlsx_{key}",
                on_click="ignore",
            )
