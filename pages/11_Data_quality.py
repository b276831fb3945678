"""Data quality (X1): months with data, located spend, SME/VCSE status known, what to do."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cwb import fmt
from cwb.charts import theme
from cwb.ui import data, show
from cwb.ui.frame import footer, frame

f = frame("Data quality")
months = data.query("dq_months", network_id=f.network_id)
ind = data.query("spend_indicators", **f.spend_params(anchors=list(f.anchors) or list(f.anchor_names)))
per = ind[ind["financial_year"] == f.fy].copy()
per["Anchor"] = per["anchor_id"].map(lambda a: "All selected" if a == "_all" else f.anchor_names.get(a, a))
st.subheader(f"Completeness, {f.fy}")
tbl = per[["Anchor", "spend_gbp", "located_pct", "sme_known_pct", "vcse_known_gbp", "n_suppliers"]].copy()
tbl.insert(1, "months", None)
tbl["vcse_known_pct"] = (100 * tbl["vcse_known_gbp"].astype(float) / tbl["spend_gbp"].astype(float)).round(1)
y0 = int(f.fy[:4])
fy_months = pd.date_range(pd.Timestamp(y0, 4, 1), pd.Timestamp(y0 + 1, 3, 1), freq="MS")
have = months[pd.to_datetime(months["month"]).isin(fy_months)].groupby("anchor_id")["month"].nunique()
tbl["months"] = per["anchor_id"].map(lambda a: int(have.get(a, 0)) if a != "_all" else None)
tbl = tbl.drop(columns=["vcse_known_gbp"]).rename(columns={
    "spend_gbp": "Spend £", "located_pct": "Spend with a located supplier %", "sme_known_pct": "Spend with SME status known %",
    "vcse_known_pct": "Spend with VCSE status known %", "n_suppliers": "Suppliers", "months": "Months with data (of 12)"})
tbl["Spend £"] = tbl["Spend £"].astype(float).round(0)
for c in ("Spend with a located supplier %", "Spend with SME status known %"):
    tbl[c] = tbl[c].astype(float).round(1)
show.table(tbl, f.provenance("Data completeness", "Months with data per anchor and the share of spend whose supplier is located or has SME/VCSE status known (X1)",
                             numerator="spend meeting each test"), key="dq_table")

st.subheader("How suppliers were located")   # registers (issue 13): located spend by method
from cwb.registers import METHOD_NOTE  # noqa: E402

lm = data.query("located_by_method", anchor_ids=list(f.anchors) or list(f.anchor_names), fy=f.fy)
lm["spend_gbp"] = lm["spend_gbp"].astype(float).round(0)
show.table(lm.rename(columns={"method": "Located by", "spend_gbp": "Spend £", "pct": "% of spend", "n_suppliers": "Suppliers",
                              "snapshot": "Register snapshot"}),
           f.provenance("Located spend by method", "Spend by how its supplier was located", numerator="spend", notes=[METHOD_NOTE]),
           key="dq_methods")
st.caption(METHOD_NOTE)
try:
    st.page_link("pages/12_Supplier_review.py", label="Review unlocated and uncertain suppliers (largest spend first)")
except st.errors.StreamlitAPIException:   # a page run on its own (AppTest) knows no other pages
    st.markdown("Review unlocated and uncertain suppliers on the **Supplier review** page (largest spend first).")

st.subheader("Months with data")
ids = sorted(months["anchor_id"].unique(), key=lambda a: f.anchor_names.get(a, a))
allm = pd.date_range(pd.Timestamp(int(f.years[0][:4]), 4, 1), pd.Timestamp(int(f.years[-1][:4]) + 1, 3, 1), freq="MS")
z = [[1 if ((months["anchor_id"] == a) & (pd.to_datetime(months["month"]) == mth)).any() else 0 for mth in allm] for a in ids]
fig = go.Figure(go.Heatmap(z=z, x=allm, y=[f.anchor_names.get(a, a).replace(" (demo)", "") for a in ids],
                           colorscale=[[0, "#F3D9E5"], [0.5, "#F3D9E5"], [0.5, theme.DARK_BLUE], [1, theme.DARK_BLUE]],
                           showscale=False, xgap=1, ygap=2,
                           hovertemplate="%{y}<br>%{x|%b %Y}: %{customdata}<extra></extra>",
                           customdata=[["data received" if v else "NO DATA" for v in row] for row in z]))
fig.update_layout(height=100 + 40 * len(ids), margin=dict(l=20, r=20, t=60, b=40))
fig.update_yaxes(automargin=True)
show.chart(theme.apply(fig, "Months with payment data (blue = received, pink = missing)"),
           f.provenance("Months with payment data", "Whether any payment was received for each anchor and month",
                        denominator="none", period=f"{f.years[0]} to {f.years[-1]}",
                        notes=["A missing month is a gap in the data, never a month of zero spend"]), months, key="dq_months")
gaps = []
for a, row in zip(ids, z):
    runs, start = [], None
    for mth, v in list(zip(allm, row)) + [(None, 1)]:
        if not v and start is None:
            start, n = mth, 0
        if not v:
            last, n = mth, n + 1
        elif start is not None:
            runs.append(f"{start:%b %Y}" + (f" to {last:%b %Y}" if n > 1 else "") + f" ({n} month{'s' if n > 1 else ''})")
            start = None
    if runs:
        gaps.append(f"**{f.anchor_names.get(a, a)}**: " + "; ".join(runs))
if gaps:
    st.markdown("Missing months  \n" + "  \n".join(gaps))
    st.caption("What to do: ask the anchor's finance team for the missing months' payment files, or confirm that none "
               "were made (e.g. before the anchor joined the network).")

st.subheader("Spend with suppliers that could not be located")
if not f.detail_anchors:
    st.info("Supplier names are shown only to analysts of each anchor.")
else:
    un = data.query("dq_unlocated", fy=f.fy, scope_anchor_ids=f.detail_anchors)
    if un.empty:
        st.success("Every supplier with spend this year has a located postcode.")
    else:
        st.caption(f"{'The 500 largest of the' if len(un) == 500 else len(un)} suppliers ({fmt.gbp(un['spend_gbp'].sum())}"
                   f"{' and more' if len(un) == 500 else ''}) that count as 'unknown location'. What to do: import "
                   "the anchor's supplier list with trading-address postcodes (Import page), or correct the postcodes listed.")
        un["spend_gbp"] = un["spend_gbp"].astype(float).round(0)
        show.table(un.rename(columns={"supplier_name": "Supplier", "spend_gbp": "Spend £", "n_anchors": "Anchors", "reason": "Why",
                                      "what_to_do": "What to do"}),
                   f.provenance("Unlocated suppliers", "Suppliers with spend whose location is unknown", numerator="spend"),
                   key="dq_unlocated")
footer(f)
