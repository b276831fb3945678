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
