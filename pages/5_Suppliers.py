"""Suppliers: searchable list with spend, location, flags and the anchors that use them."""

import streamlit as st

from cwb import fmt, tables
from cwb.fmt import md_escape as esc
from cwb.method import supplier_list
from cwb.ui import data, show
from cwb.ui.frame import footer, frame, page_text, page_toggle

ROWS_SHOWN = 1000  # the browser gets the largest suppliers; the downloads hold every one
f = frame("Suppliers")
show.page_fixes()
if not f.detail_anchors:
    st.info(
        f"{esc(f.scope.label)}. Supplier-level detail is shared only with analysts of each anchor; "
        "the network figures on the other pages cover every anchor."
    )
    footer(f)
    st.stop()
q = page_text(st.text_input, "Search supplier names", "q").strip()
only_shared = page_toggle(st.toggle, "Only suppliers shared by two or more anchors", "shared")
ask = supplier_list(f.detail_anchors, search=q, shared_only=only_shared)
sup = f.query("spend_suppliers", **{**ask, "row_limit": ROWS_SHOWN})
n_sup = int(sup["n_rows"].iloc[0]) if len(sup) else 0
sh = f.query("spend_shared_suppliers").iloc[0]
c = st.columns(3)
c[0].metric(
    "Suppliers paid" + (" (shared by 2+ anchors)" if only_shared else ""),
    f"{n_sup:,}",
    help=f"{f.fy}, {esc(f.anchors_label)}"
    + ("; only suppliers paid by two or more anchors" if only_shared else "")
    + (f"; names containing '{esc(q)}'" if q else ""),
)
c[1].metric(
    "Shared by 2+ anchors (X6)",
    f"{int(sh['n_shared_suppliers']):,}",
    help=f"Across the whole network in {f.fy}: {esc(fmt.gbp(sh['shared_spend_gbp']))} "
    f"({esc(fmt.pct(sh['shared_pct']))} of network spend)",
)
c[2].metric(
    "Spend with shared suppliers",
    fmt.pct(sh["shared_pct"]),
    help="Joint-procurement opportunities: the same supplier contracted separately by several anchors",
)
if len(f.detail_anchors) < len(f.anchor_names):
    st.info(
        "Supplier-level detail is shown only for the anchors you may see in detail; network figures cover all."
    )
view = data.derived(tables.suppliers, sup)
show.table(
    view,
    f.provenance(
        "Suppliers",
        f"Spend by supplier, {f.fy}",
        numerator="spend with each supplier",
        notes=[
            "Individuals (sole traders, redacted payees) are listed as 'Individual (name withheld)' without a postcode",
            "SME/VCSE blank = status unknown",
        ],
    ),
    key="suppliers",
    height=560,
    rows_total=n_sup,
    full=lambda: data.shaped(tables.suppliers, f.on_demand("spend_suppliers", **ask)()),
    column_config={
        "Spend £": st.column_config.NumberColumn(format="£%,.0f"),
        "Payments": st.column_config.NumberColumn(format="localized"),
    },
)
footer(f)
