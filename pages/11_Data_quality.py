"""Data quality (X1): months with data, located spend, SME/VCSE status known, what to do."""

import streamlit as st

from cwb import export, fmt, tables
from cwb.charts import quality
from cwb.registers import METHOD_NOTE
from cwb.ui import data, show
from cwb.ui.frame import footer, frame

f = frame("Data quality")
months = f.query("dq_months")
ind = f.query("spend_indicators")
st.subheader(f"Completeness, {f.fy}")
tbl = data.derived(tables.completeness, ind, months, f.fy, f.anchor_names)
show.table(
    tbl,
    f.provenance(
        "Data completeness",
        "Months with data per anchor and the share of spend whose supplier is located or has SME/VCSE status known (X1)",
        numerator="spend meeting each test",
    ),
    key="dq_table",
)

st.subheader("How suppliers were located")  # registers (issue 13): located spend by method
lm = f.query("located_by_method")
show.table(
    data.derived(
        export.labelled,
        lm,
        {
            "method": "Located by",
            "spend_gbp": "Spend £",
            "pct": "% of spend",
            "n_suppliers": "Suppliers",
            "snapshot": "Register snapshot",
        },
    ),
    f.provenance(
        "Located spend by method",
        "Spend by how its supplier was located",
        numerator="spend",
        notes=[METHOD_NOTE],
    ),
    key="dq_methods",
)
st.caption(METHOD_NOTE)
try:
    st.page_link(
        "pages/12_Supplier_review.py", label="Review unlocated and uncertain suppliers (largest spend first)"
    )
except st.errors.StreamlitAPIException:  # a page run on its own (AppTest) knows no other pages
    st.markdown(
        "Review unlocated and uncertain suppliers on the **Supplier review** page (largest spend first)."
    )

st.subheader("Months with data")
ids = sorted(months["anchor_id"].unique(), key=lambda a: f.anchor_names.get(a, a))
allm = quality.fy_months(f.years[0], f.years[-1])
z = data.derived(quality.months_received, months, ids, allm)
fig = data.figure(
    quality.months_heatmap, z, allm, [f.anchor_names.get(a, a).replace(" (demo)", "") for a in ids]
)
show.chart(
    fig,
    f.provenance(
        "Months with payment data",
        "Whether any payment was received for each anchor and month",
        denominator="none",
        period=f"{f.years[0]} to {f.years[-1]}",
        notes=["A missing month is a gap in the data, never a month of zero spend"],
    ),
    months,
    key="dq_months",
)
gaps = []
for a, row in zip(ids, z):
    runs = quality.gap_runs(row, allm)
    if runs:
        gaps.append(f"**{f.anchor_names.get(a, a)}**: " + "; ".join(runs))
if gaps:
    st.markdown("Missing months  \n" + "  \n".join(gaps))
    st.caption(
        "What to do: ask the anchor's finance team for the missing months' payment files, or confirm that none "
        "were made (e.g. before the anchor joined the network)."
    )

st.subheader("Spend with suppliers that could not be located")
if not f.detail_anchors:
    st.info("Supplier names are shown only to analysts of each anchor.")
else:
    un = f.query("dq_unlocated", scope_anchor_ids=f.detail_anchors)
    if un.empty:
        st.success("Every supplier with spend this year has a located postcode.")
    else:
        st.caption(
            f"{'The 500 largest of the' if len(un) == 500 else len(un)} suppliers ({fmt.gbp(un['spend_gbp'].sum())}"
            f"{' and more' if len(un) == 500 else ''}) that count as 'unknown location'. What to do: import "
            "the anchor's supplier list with trading-address postcodes (Import page), or correct the postcodes listed."
        )
        show.table(
            data.derived(
                export.labelled,
                un,
                {
                    "supplier_name": "Supplier",
                    "spend_gbp": "Spend £",
                    "n_anchors": "Anchors",
                    "reason": "Why",
                    "what_to_do": "What to do",
                },
            ),
            f.provenance(
                "Unlocated suppliers", "Suppliers with spend whose location is unknown", numerator="spend"
            ),
            key="dq_unlocated",
        )
footer(f)
