"""Forms on the import page that set up a network (with its local districts) or an anchor, so
an officer can start from an empty database without the command line."""

from __future__ import annotations

import streamlit as st

from cwb import manage
from cwb.ui import data
from cwb.ui_labels import ANCHOR_TYPES


def network_and_anchor(con) -> None:
    with st.expander("Set up a network or an anchor"):
        lads = data.query("lads")
        names = dict(zip(lads["lad_code"], lads["lad_name"]))
        with st.form("new_network"):
            st.markdown("**New network** (the local geography is the districts of the place)")
            nid = st.text_input("Code", max_chars=20)
            nname = st.text_input("Name", max_chars=120)
            local = st.multiselect("Local area", list(names), format_func=lambda c: f"{names[c]} ({c})")
            if st.form_submit_button("Create network"):
                if not (nid and nname and local):
                    st.error("Give a code, a name and at least one local district.")
                else:
                    try:
                        with data.guard("Saving the network"):
                            saved = manage.create_network(con, nid, nname, local)
                    except manage.SetupError as exc:
                        st.error(f"Network not created: {exc}.")
                    else:
                        data.clear()
                        st.success(f"Network {saved.network_id} created: {saved.message()}.")
        with st.form("new_anchor"):
            st.markdown("**New anchor**")
            aid = st.text_input("Anchor code", max_chars=20)
            aname = st.text_input("Anchor name", max_chars=120)
            atype = st.selectbox("Type", list(ANCHOR_TYPES), format_func=lambda t: ANCHOR_TYPES[t])
            anet = st.selectbox("Network", data.query("networks")["network_id"].tolist())
            if st.form_submit_button("Add anchor"):
                if not (aid and aname and anet):
                    st.error("Give a code, a name and a network.")
                else:
                    try:
                        with data.guard("Saving the anchor"):
                            code = manage.add_anchor(con, aid, aname, str(atype), str(anet))
                    except manage.SetupError as exc:
                        st.error(f"Anchor not added: {exc}.")
                    else:
                        data.clear()
                        st.success(f"Anchor {code} added.")


DATE_ORDERS = {
    None: "Decide from the file (ask when it cannot tell)",
    "dmy": "Day first (UK: 31/01/2024)",
    "mdy": "Month first (US: 01/31/2024)",
}


def payment_options() -> tuple[str | None, bool]:
    """The payments choices the CLI offers as --date-order and --skip-undated."""
    c = st.columns(2)
    order = c[0].selectbox(
        "Date order",
        list(DATE_ORDERS),
        format_func=lambda k: DATE_ORDERS[k],
        key="_date_order",
        help="Used only when every date in the file reads either way (like 04/05/2020).",
    )
    skip = c[1].checkbox("Leave out undated rows (listed in the report)", key="_skip_undated")
    return order, skip


def inference_panel(rep) -> None:
    """What the importer inferred: the mapping with evidence and confidence, the date order, the
    reused mapping and the lines skipped as not payments."""
    import pandas as pd

    from cwb.ingest.infer import confidence_word

    reused = getattr(rep, "reused", None)
    if reused:
        st.info(reused.capitalize() + ". Correct it below if this file differs.")
    ev = getattr(rep, "evidence", None) or {}
    if ev:
        st.markdown("**How the columns were recognised**")
        st.dataframe(
            pd.DataFrame(
                [
                    {"Field": f, "Column": c, "Confidence": f"{confidence_word(x)} ({x:.2f})", "Evidence": w}
                    for f, (c, x, w) in ev.items()
                ]
            ),
            hide_index=True,
        )
    order = getattr(rep, "date_order", None)
    if order:
        st.caption(f"Date order: {DATE_ORDERS[order]}.")
    sk = getattr(rep, "skipped", None) or []
    if sk:
        with st.expander(f"{len(sk):,} lines skipped as not payments (totals, padding, notes)"):
            st.dataframe(pd.DataFrame(sk[:2000], columns=["Where", "Why"]), hide_index=True)
