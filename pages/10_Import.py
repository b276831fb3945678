"""Import an anchor's own files: upload, check the column mapping and the report, then commit or cancel."""

import re
import tempfile
from pathlib import Path

import streamlit as st

from cwb import config
from cwb.ingest import importer
from cwb.ingest.stage import save_mapping, stage, stage_remembered
from cwb.ui import data
from cwb.ui.frame import ANCHOR_TYPES, footer, frame

KINDS = {"payments": "Payments (spend)", "suppliers": "Supplier list (names, postcodes, SME/VCSE)",
         "workforce": "Workforce (counts by area, or an HR extract: aggregated, never stored)",
         "assets": "Land and building register", "targets": "Targets"}
f = frame("Import", show_method=False)
if not f.scope.can_import:
    st.info(f"{f.scope.label}. Imports are for administrators.")
    footer(f)
    st.stop()
con = data.connection()
max_mb = int(config.get("CWB_MAX_UPLOAD_MB"))

with st.expander("Set up a network or an anchor"):
    lads = data.query("lads")
    names = dict(zip(lads["lad_code"], lads["lad_name"]))
    with st.form("new_network"):
        st.markdown("**New network** (the local geography is the districts of the place)")
        nid = st.text_input("Code", max_chars=20)
        nname = st.text_input("Name", max_chars=120)
        local = st.multiselect("Local area", list(names), format_func=lambda c: f"{names[c]} ({c})")
        if st.form_submit_button("Create network") and nid and nname and local:
            from argparse import Namespace

            from cwb.ingest.cli import cmd_network

            cmd_network(Namespace(db=str(config.db_path()), id=re.sub(r"\W", "", nid), name=nname, local=",".join(local),
                                  wider=None, wider_name=None, baseline=None))
            data.clear()
            st.success(f"Network {nid} created.")
    with st.form("new_anchor"):
        st.markdown("**New anchor**")
        aid = st.text_input("Anchor code", max_chars=20)
        aname = st.text_input("Anchor name", max_chars=120)
        atype = st.selectbox("Type", list(ANCHOR_TYPES), format_func=ANCHOR_TYPES.get)
        anet = st.selectbox("Network", data.query("networks")["network_id"].tolist())
        if st.form_submit_button("Add anchor") and aid and aname:
            cur = con.cursor()
            cur.execute("INSERT OR REPLACE INTO anchor VALUES (?, ?, ?, NULL, ?, NULL, false)", [re.sub(r"\W", "", aid), aname, atype, anet])
            cur.close()
            data.clear()
            st.success(f"Anchor {aid} added.")

kind = st.selectbox("What kind of file", list(KINDS), format_func=KINDS.get)
anchor = None
if kind != "targets":
    anchor = st.selectbox("Anchor", list(f.anchor_names), format_func=f.anchor_names.get)
year = st.text_input("Financial year the file describes (workforce and land files)", value=f.fy, max_chars=7) \
    if kind in ("workforce", "assets") else None
up = st.file_uploader(f"File (CSV, XLSX or a zip holding one; up to {max_mb} MB)", type=["csv", "txt", "xlsx", "zip"])
if up is not None:
    if up.size > max_mb * 1024 * 1024:
        st.error(f"{up.name} is {up.size / 1e6:.0f} MB: larger than the {max_mb} MB limit (CWB_MAX_UPLOAD_MB). Nothing was imported.")
        st.stop()
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(up.name).name)[-120:] or "upload.csv"
    key = f"{up.file_id}|{kind}|{anchor}|{year}"
    if st.session_state.get("_stage_key") != key:
        tmp = Path(tempfile.mkdtemp(prefix="cwb_up_")) / safe_name
        tmp.write_bytes(up.getvalue())
        st.session_state["_staged"] = stage_remembered(con, tmp, kind, anchor, year)
        if importer.personal_rows(st.session_state["_staged"].report):
            tmp.unlink(missing_ok=True)   # an HR extract is aggregated on read; the upload is not kept
        st.session_state["_stage_key"] = key
    staged: importer.Staged = st.session_state["_staged"]
    rep = staged.report
    st.subheader(f"Report: {rep.file_name}")
    if rep.error:
        st.error(rep.error)
    c = st.columns(4)
    c[0].metric("Rows read", f"{rep.rows_read:,}")
    c[1].metric("Rows rejected", f"{len(rep.rejected):,}")
    c[2].metric("Total £", "–" if rep.total_gbp is None else f"£{float(rep.total_gbp):,.2f}")
    c[3].metric("Dates", "–" if not rep.date_min else f"{rep.date_min} to {rep.date_max}")
    for n in rep.notes:
        st.caption(n)
    if rep.rejected:
        st.dataframe([{"Line": ln, "Reason": why} for ln, why in rep.rejected[:1000]], hide_index=True)
    if rep.unmatched_suppliers:
        with st.expander(f"{len(rep.unmatched_suppliers):,} payees without a located supplier record"):
            st.write(", ".join(rep.unmatched_suppliers[:300]))
    if rep.unknown_postcodes:
        with st.expander(f"{len(rep.unknown_postcodes):,} unknown postcodes"):
            st.write(", ".join(rep.unknown_postcodes[:300]))
    if rep.mapped or rep.error:
        with st.expander("Column mapping (correct it and read the file again)", expanded=bool(rep.error)):
            from cwb.ingest import assets as assets_mod
            from cwb.ingest import payments, suppliers, targets
            from cwb.ingest import workforce as wf_mod
            from cwb.ingest.readers import to_table

            aliases = {"payments": payments.ALIASES, "suppliers": suppliers.ALIASES, "assets": assets_mod.ALIASES,
                       "workforce": {**wf_mod.COUNT_ALIASES, **wf_mod.HR_ALIASES}, "targets": targets.ALIASES}[kind]
            try:
                file_cols = list(to_table(staged.path, aliases, min_known=0).data.columns)
            except Exception:  # noqa: BLE001
                file_cols = []
            newmap = {}
            grid = st.columns(3)
            for i, fld in enumerate(aliases):
                opts = ["(none)"] + file_cols
                cur_v = rep.mapped.get(fld, "(none)")
                pick = grid[i % 3].selectbox(fld, opts, index=opts.index(cur_v) if cur_v in opts else 0, key=f"map_{fld}")
                if pick != "(none)":
                    newmap[fld] = pick
            if st.button("Read again with this mapping"):
                st.session_state["_staged"] = stage(con, staged.path, kind, anchor, newmap, year)
                st.rerun()
    if rep.duplicate_of is not None:
        st.info(f"This file was already imported (file {rep.duplicate_of}): importing it again adds nothing.")
    left, right = st.columns(2)
    if left.button("Commit this file", type="primary", disabled=not rep.ok):
        fid = importer.commit(con, staged, who=st.session_state.get("_auth_user", "local"))
        save_mapping(con, anchor, kind, staged.mapping)
        data.clear()
        st.session_state.pop("_stage_key", None)
        st.success(f"Imported as file {fid}: {rep.rows_ok:,} rows. The dashboard now includes it.")
    if right.button("Cancel"):
        st.session_state.pop("_stage_key", None)
        st.session_state.pop("_staged", None)
        st.info("Cancelled: nothing was imported.")

st.subheader("Imported files")
files = importer.files(con)
if files.empty:
    st.caption("No files imported yet.")
else:
    st.dataframe(files, hide_index=True)
    undo_id = st.selectbox("Undo an import (removes everything the file brought in)", [None] + files["file_id"].tolist())
    if undo_id is not None and st.button(f"Undo file {undo_id}"):
        importer.undo(con, int(undo_id), who=st.session_state.get("_auth_user", "local"))
        data.clear()
        st.success(f"File {undo_id} removed.")
footer(f)
