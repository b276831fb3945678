"""Opportunities: categories ranked by spend leaving the area, with local suppliers already trading."""

import streamlit as st

from cwb import export, fmt
from cwb.charts import spend as charts
from cwb.fmt import md_escape as esc
from cwb.ui import data, show
from cwb.ui.frame import footer, frame, page_toggle

f = frame("Opportunities")
show.page_fixes()
cats = f.query("spend_by_category")
if cats.empty:
    st.info(f"No payments in {f.fy} for {esc(f.anchors_label)}.")
    footer(f)
    st.stop()
hide_public = page_toggle(
    st.toggle,
    "Leave out payments to public bodies, tax and pensions (not open to local suppliers)",
    "pub",
    default=True,
)
if hide_public:
    cats = cats[~cats["category"].str.contains("public bodies|tax and pensions", case=False, regex=True)]
if cats.empty:
    st.info(
        f"Every payment in {f.fy} is to public bodies, tax or pensions; switch the option above off to see them."
    )
    footer(f)
    st.stop()
top = cats.iloc[0]
whole = not f.anchors  # the selection is the whole network: "used" and "in the network" are one count
st.markdown(
    f"### The biggest gap: {esc(top['category'])}\n"
    f"{esc(fmt.gbp(top['leakage_gbp']))} of {esc(fmt.gbp(top['spend_gbp']))} was spent outside {esc(f.local_name)} in {f.fy} "
    f"({esc(fmt.pct(top['local_pct']))} local), and **{int(top['n_local_suppliers_network']):,} suppliers in "
    f"{esc(f.local_name)}** already trade in this category with the network's anchors."
)
fig = data.figure(charts.categories, cats, f"Spend by category, local and leaving {f.local_name}, {f.fy}")
prov = f.provenance(
    "Opportunities: spend leaving the area by category",
    "Local share of spend by procurement category (A13), ranked by spend outside the local area",
    numerator="spend with local suppliers in each category",
    denominator="the category's spend in scope",
)
chart_data = data.derived(
    export.labelled,
    cats.head(12),
    {
        "category": "Category",
        "local_gbp": "Spent locally £",
        "leakage_gbp": "Spent outside the local area £",
        "local_pct": "Local %",
    },
)
show.chart(fig, prov, chart_data, key="opp_chart")
tbl = cats.assign(
    spend_m=(cats["spend_gbp"].astype(float) / 1e6).round(1),
    leak_m=(cats["leakage_gbp"].astype(float) / 1e6).round(1),
    local_pct=cats["local_pct"].astype(float).round(1),
    leak_share=cats["share_of_leakage_pct"].astype(float).round(1),
)
used = "Local suppliers used" if whole else "Local suppliers used by the selected anchors"
cols = {
    "category": "Category",
    "spend_m": "Spend £m",
    "leak_m": "Outside local area £m",
    "local_pct": "Local %",
    "leak_share": "Share of all leakage %",
    "n_suppliers": "Suppliers used",
    "n_local_suppliers_in_scope": used,
}
if not whole:
    cols["n_local_suppliers_network"] = "Local suppliers trading with any network anchor"
tbl = tbl[list(cols)].rename(columns=cols)
st.subheader("The opportunity list")
money = {c: st.column_config.NumberColumn(format="£%.1fm") for c in ("Spend £m", "Outside local area £m")}
show.table(
    tbl,
    prov,
    key="opp_table",
    column_config={
        **money,
        **{c: st.column_config.NumberColumn(format="%.1f") for c in ("Local %", "Share of all leakage %")},
    },
)
st.caption(
    (
        "'Local suppliers used' counts suppliers in the local area paid in this category and year by any anchor of "
        "the network: firms a buyer could invite to quote."
        if whole
        else "'Local suppliers used by the selected anchors' counts local suppliers the chosen anchors paid in this "
        "category; 'trading with any network anchor' counts those paid by any anchor of the network: the "
        "difference is firms the chosen anchors could invite to quote."
    )
    + " Spend in scope follows the denominator chosen in Method."
)
footer(f)
