"""Import an anchor's own files: upload, check the column mapping and the report, then commit or cancel."""

import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from cwb import config, manage
from cwb.ingest import importer
from cwb.ingest.refs import BOUNDARY_LEVELS, REFERENCE_KINDS, load_reference
from cwb.ingest.stage import aliases_for, file_columns, save_mapping
from cwb.ui import data, import_forms
from cwb.ui.frame import footer, frame

KINDS = {
    "payments": "Payments (spend)",
    "suppliers": "Supplier list (names, postcodes, SME/VCSE)",
    "workforce": "Workforce (counts by area, or an HR extract: aggregated, never stored)",
    "assets": "Land and building register",
    "targets": "Targets",
    **REFERENCE_KINDS,
}
IMPORT_TODO = (
    "Nothing was imported (an import is all or nothing). Check the file opens in a spreadsheet, "
    "then try again; if it keeps failing, send this message to whoever runs the dashboard."
)
f = frame("Import", show_method=False)
if not f.scope.can_import:
    st.info(f"{f.scope.label}. Imports are for administrators.")
    footer(f)
    st.stop()
con = data.connection()
who = st.session_state.get("_auth_user", "local")
max_mb = int(config.get("CWB_MAX_UPLOAD_MB"))
import_forms.network_and_anchor(con)

kind = st.selectbox("What kind of file", list(KINDS), format_func=KINDS.get)
anchor = None
if kind in ("payments", "suppliers", "workforce", "assets"):
    # never a default the officer did not choose: a real file filed under the demo council (the
    # first anchor of a fresh start) would mix real and invented payments. One real anchor in the
    # network is the only choice made for them.
    anchors_df = data.query("anchors", network_id=f.network_id)
    demo_ids = set(anchors_df.loc[anchors_df["is_synthetic"], "anchor_id"])
    real = [a for a in f.anchor_names if a not in demo_ids]
    anchor = st.selectbox(
        "Anchor",
        list(f.anchor_names),
        index=list(f.anchor_names).index(real[0]) if len(real) == 1 else None,
        format_func=f.anchor_names.get,
        placeholder="Choose the anchor whose file this is",
    )
    if anchor is None:
        st.info(
            "Choose the anchor the file belongs to. If your organisation is not listed, add it under "
            "**Set up a network or an anchor** at the top of this page, then choose it here (an anchor "
            "of a new network is listed once that network is chosen in the sidebar's **Network** box)."
            + (
                " The network shown is the synthetic demo: set up your own network there first."
                if not real and f.synthetic
                else ""
            )
        )
    if anchor in demo_ids:
        st.warning(
            f"{f.anchor_names[anchor]} is a synthetic demo anchor: a real file imported here mixes real "
            "payments with invented ones. For your own files, add your anchor under **Set up a network "
            "or an anchor** at the top of this page."
        )
year = (
    st.text_input("Financial year the file describes (workforce and land files)", value=f.fy, max_chars=7)
    if kind in ("workforce", "assets")
    else None
)
level = st.selectbox("Boundary level", BOUNDARY_LEVELS) if kind == "boundaries" else None
flash = st.session_state.pop("_import_flash", None)
if flash:
    st.info(flash)
order, skip_undated = import_forms.payment_options() if kind == "payments" else (None, False)
popts = {"date_order": order, "skip_undated": skip_undated} if kind == "payments" else {}
# Cancel gives the uploader a new key: the file, its report and the Commit button all go
# the upload box is disabled until the file has an anchor (it shows where the file will go)
no_anchor = anchor is None and kind in ("payments", "suppliers", "workforce", "assets")
up = st.file_uploader(
    f"File (CSV, XLSX, XLS, ODS, GeoJSON, GeoPackage or a zip holding one; up to {max_mb} MB)",
    type=["csv", "txt", "tsv", "xlsx", "xls", "ods", "zip", "geojson", "json", "gpkg"],
    key=f"upload_{st.session_state.get('_upload_n', 0)}",
    disabled=no_anchor,
)
if no_anchor:
    up = None
if up is not None:
    if up.size > max_mb * 1024 * 1024:
        st.error(
            f"{up.name} is {up.size / 1e6:.0f} MB: larger than the {max_mb} MB limit (CWB_MAX_UPLOAD_MB). Nothing was imported."
        )
        st.stop()
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(up.name).name)[-120:] or "upload.csv"
    tmp = lambda: Path(tempfile.mkdtemp(prefix="cwb_up_")) / safe_name  # noqa: E731 - a fresh folder per upload
    if kind in REFERENCE_KINDS:
        if st.button(f"Load {safe_name}", type="primary"):
            path = tmp()
            path.write_bytes(up.getvalue())
            try:
                st.success(load_reference(con, path, kind, level, who=who) + ". The dashboard now uses it.")
                data.clear()
            except ValueError as exc:
                st.error(f"Nothing was changed: {exc}")
        footer(f)
        st.stop()
    key = f"{up.file_id}|{kind}|{anchor}|{year}|{order}|{skip_undated}"
    if st.session_state.get("_stage_key") != key:
        # a workforce upload (maybe an HR extract) is deleted once read, whatever the outcome
        with data.guard(f"Reading {safe_name}", IMPORT_TODO):
            st.session_state["_staged"] = importer.stage_upload(
                con, up.getvalue(), up.name, kind, anchor, year, **popts
            )
        st.session_state["_stage_key"] = key
    staged: importer.Staged = st.session_state["_staged"]
    rep = staged.report
    st.subheader(f"Report: {rep.file_name}")
    if rep.error:
        st.error(rep.error)
    # two rows of three: a £ total to the penny (£67,993,711.65) wrapped in a fifth of the width
    c = st.columns(3) + st.columns(3)
    c[0].metric("Rows read", f"{rep.rows_read:,}")
    c[1].metric("Rows rejected", f"{len(rep.rejected):,}")
    c[2].metric("Total £", "–" if rep.total_gbp is None else f"£{float(rep.total_gbp):,.2f}")
    c[3].metric("First date", rep.date_min or "–")
    c[4].metric("Last date", rep.date_max or "–")
    import_forms.inference_panel(rep)
    for n in rep.notes:
        st.caption(n)
    if rep.rejected:
        st.dataframe(pd.DataFrame(rep.rejected[:1000], columns=["Line", "Reason"]), hide_index=True)
    if rep.near_matches:
        st.markdown(
            "**Near matches to review** (not merged: if a pair is the same organisation, give both the same "
            "name or supplier ID in the supplier list)"
        )
        st.dataframe(
            pd.DataFrame(rep.near_matches, columns=["Name in this file", "Existing supplier", "Similarity"]),
            hide_index=True,
        )
    for title, items in (
        (
            f"{len(rep.unmatched_suppliers):,} payees without a located supplier record",
            rep.unmatched_suppliers,
        ),
        (f"{len(rep.unknown_postcodes):,} unknown postcodes", rep.unknown_postcodes),
    ):
        if items:
            with st.expander(title):
                st.write(", ".join(items[:300]))
    if rep.mapped or rep.error:
        with st.expander("Column mapping (correct it and read the file again)", expanded=bool(rep.error)):
            opts = ["(none)"] + (staged.columns or file_columns(staged.path, kind))
            grid, newmap = st.columns(3), {}
            for i, fld in enumerate(aliases_for(kind)):
                cur_v = rep.mapped.get(fld, "(none)")
                pick = grid[i % 3].selectbox(
                    fld, opts, index=opts.index(cur_v) if cur_v in opts else 0, key=f"map_{fld}"
                )
                if pick != "(none)":
                    newmap[fld] = pick
            if st.button("Read again with this mapping"):
                with data.guard(f"Reading {safe_name}", IMPORT_TODO):
                    st.session_state["_staged"] = importer.stage_upload(
                        con, up.getvalue(), up.name, kind, anchor, year, newmap, **popts
                    )
                st.rerun()
    if rep.duplicate_of is not None:
        st.info(f"This file was already imported (file {rep.duplicate_of}): importing it again adds nothing.")
    on_overlap = None
    if rep.overlap is not None:
        st.warning("Overlap with payments already imported: " + rep.overlap.text().split(" Choose:")[0])
        on_overlap = st.radio(
            "These payments are already held: what should happen?",
            list(importer.ON_OVERLAP),
            index=None,
            format_func={
                "replace": "Replace the period: this file's payments replace those of its dates",
                "skip": "Skip duplicates: add only the payments not already held",
            }.get,
        )
    left, right = st.columns(2)
    if left.button(
        "Commit this file",
        type="primary",
        disabled=not rep.ok or (rep.overlap is not None and on_overlap is None),
    ):
        try:
            with data.guard(f"Importing {safe_name}", IMPORT_TODO):
                fid = importer.commit(con, staged, who=who, on_overlap=on_overlap)
        except ValueError as exc:  # another admin's import landed meanwhile: read the file again
            st.session_state.pop("_stage_key", None)
            st.error(str(exc))
            st.stop()
        save_mapping(con, anchor, kind, staged.mapping, staged)
        data.clear()
        st.session_state.pop("_stage_key", None)
        st.success(f"Imported as file {fid}: {rep.rows_ok:,} rows. The dashboard now includes it.")

    def _cancel() -> None:
        st.session_state.pop("_stage_key", None)
        st.session_state.pop("_staged", None)
        st.session_state["_upload_n"] = st.session_state.get("_upload_n", 0) + 1
        st.session_state["_import_flash"] = "Cancelled: nothing was imported."

    right.button("Cancel", on_click=_cancel)

st.subheader("Imported files")
files = manage.files(con)
if files.empty:
    st.caption("No files imported yet.")
else:
    st.dataframe(
        files.rename(
            columns={
                "file_id": "File",
                "file_name": "Name",
                "kind": "Kind",
                "anchor_id": "Anchor",
                "imported_at": "Imported",
                "imported_by": "By",
                "rows_loaded": "Rows",
                "total_gbp": "Total £",
            }
        ),
        hide_index=True,
    )
    names = dict(zip(files["file_id"], files["file_name"]))
    undo_id = st.selectbox(
        "Undo an import (removes everything the file brought in)",
        files["file_id"].tolist(),
        index=None,
        placeholder="Choose a file to undo",
        format_func=lambda i: f"File {i}: {names.get(i, '')}",
    )
    if undo_id is not None and st.button(f"Undo file {undo_id}"):
        try:
            manage.undo(con, int(undo_id), who=who)
            data.clear()
            st.success(f"File {undo_id} removed.")
        except ValueError as exc:
            st.error(str(exc))
footer(f)
