"""Suppliers: searchable list with spend, location, flags and the anchors that use them."""

import streamlit as st

from cwb import fmt
from cwb.ui import data, show
from cwb.ui.frame import footer, frame

BAND = {"local": "Local area", "wider": "Rest of wider area", "region": "Rest of region", "uk": "Rest of UK",
        "unknown": "Unknown"}
f = frame("Suppliers")
if not f.detail_anchors:
    st.info(f"{f.scope.label}. Supplier-level detail is shared only with analysts of each anchor; "
            "the network figures on the other pages cover every anchor.")
    footer(f)
    st.stop()
q = st.text_input("Search supplier names", value="", max_chars=80, key="sup_search").strip()
p = f.spend_params()
sup = data.query("spend_suppliers", **p, scope_anchor_ids=f.detail_anchors, area_level="", area_code="", search=q)
sh = data.query("spend_shared_suppliers", **p).iloc[0]
c = st.columns(3)
c[0].metric("Suppliers paid", f"{len(sup):,}", help=f"{f.fy}, {f.anchors_label}")
c[1].metric("Shared by 2+ anchors (X6)", f"{int(sh['n_shared_suppliers']):,}",
            help=f"Across the whole network in {f.fy}: {fmt.gbp(sh['shared_spend_gbp'])} "
                 f"({fmt.pct(sh['shared_pct'])} of network spend)")
c[2].metric("Spend with shared suppliers", fmt.pct(sh["shared_pct"]),
            help="Joint-procurement opportunities: the same supplier contracted separately by several anchors")
if len(f.detail_anchors) < len(f.anchor_names):
    st.info("Supplier-level detail is shown only for the anchors you may see in detail; network figures cover all.")
only_shared = st.toggle("Only suppliers shared by two or more anchors", value=False, key="sup_shared")
if only_shared:
    sup = sup[sup["shared"]]
view = sup.assign(
    band=sup["band"].map(BAND), spend=sup["spend_gbp"].astype(float).round(0),
    shared_mark=sup["shared"].map({True: "Shared", False: ""}),
)[["supplier_name", "postcode", "lad_name", "band", "spend", "n_payments", "anchors", "n_anchors", "shared_mark",
   "is_sme", "is_vcse", "is_social_economy"]].rename(columns={
    "supplier_name": "Supplier", "postcode": "Postcode", "lad_name": "District", "band": "Location band",
    "spend": "Spend £", "n_payments": "Payments", "anchors": "Anchors", "n_anchors": "No. of anchors",
    "shared_mark": "Shared (X6)", "is_sme": "SME", "is_vcse": "VCSE", "is_social_economy": "Social economy"})
show.table(view, f.provenance("Suppliers", f"Spend by supplier, {f.fy}", numerator="spend with each supplier",
                              notes=["Individuals (sole traders, redacted payees) are listed as 'Individual (name withheld)' without a postcode",
                                     "SME/VCSE blank = status unknown"]),
           key="suppliers", height=560, max_rows=1000,
           column_config={"Spend £": st.column_config.NumberColumn(format="£%.0f")})
footer(f)
