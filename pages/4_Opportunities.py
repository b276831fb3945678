"""Opportunities: categories ranked by spend leaving the area, with local suppliers already trading."""

import streamlit as st

from cwb import fmt
from cwb.charts import spend as charts
from cwb.ui import show
from cwb.ui.frame import footer, frame

f = frame("Opportunities")
cats = f.query("spend_by_category")
if cats.empty:
    st.info(f"No payments in {f.fy} for {f.anchors_label}.")
    footer(f)
    st.stop()
hide_public = st.toggle("Leave out payments to public bodies, tax and pensions (not open to local suppliers)",
                        value=True, key="opp_hide_public")
if hide_public:
    cats = cats[~cats["category"].str.contains("public bodies|tax and pensions", case=False, regex=True)]
top = cats.iloc[0]
st.markdown(
    f"### The biggest gap: **{top['category']}**\n"
    f"{fmt.gbp(top['leakage_gbp'])} of {fmt.gbp(top['spend_gbp'])} was spent outside {f.local_name} in {f.fy} "
    f"({fmt.pct(top['local_pct'])} local), and **{int(top['n_local_suppliers_network'])} suppliers in {f.local_name}** "
    f"already trade in this category with the network's anchors."
)
fig = charts.categories(cats, f"Spend by category, local and leaving {f.local_name}, {f.fy}")
prov = f.provenance("Opportunities: spend leaving the area by category",
                    "Local share of spend by procurement category (A13), ranked by spend outside the local area",
                    numerator="spend with local suppliers in each category", denominator="the category's spend in scope")
show.chart(fig, prov, cats, key="opp_chart")
tbl = cats.assign(
    spend_m=(cats["spend_gbp"].astype(float) / 1e6).round(2),
    leak_m=(cats["leakage_gbp"].astype(float) / 1e6).round(2),
    local_pct=cats["local_pct"].astype(float).round(1),
    leak_share=cats["share_of_leakage_pct"].astype(float).round(1),
)[["category", "spend_m", "leak_m", "local_pct", "leak_share", "n_suppliers", "n_local_suppliers_in_scope",
   "n_local_suppliers_network"]].rename(columns={
    "category": "Category", "spend_m": "Spend £m", "leak_m": "Outside local area £m", "local_pct": "Local %",
    "leak_share": "Share of all leakage %", "n_suppliers": "Suppliers used",
    "n_local_suppliers_in_scope": "Local suppliers used", "n_local_suppliers_network": "Local suppliers trading with the network"})
st.subheader("The opportunity list")
show.table(tbl, prov, key="opp_table")
st.caption("'Local suppliers trading with the network' counts suppliers in the local area paid by any anchor of the "
           "network in this category and year: firms a buyer could invite to quote.")
footer(f)
