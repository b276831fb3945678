"""Spend overview: headline procurement figures, the concentric split, anchors compared."""

import streamlit as st

from cwb import export, fmt, tables
from cwb.charts import spend as charts
from cwb.fmt import md_escape as esc
from cwb.ui import data, show
from cwb.ui.frame import ANCHOR_TYPES, footer, frame, imd_missing, page_choice, page_toggle

f = frame("Spend overview")
show.page_fixes()
ind = f.query("spend_indicators", fy_from=f.method.period[0], fy_to=f.method.period[1])
cur = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.fy)]
if cur.empty:
    st.info(f"No payments in {f.fy} for {esc(f.anchors_label)}. Choose another year or anchor.")
    footer(f)
    st.stop()
r = cur.iloc[0]
base = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.baseline_fy)]
b = base.iloc[0] if len(base) and f.baseline_fy != f.fy else None


def delta(col):
    return None if b is None else fmt.pp(r[col] - b[col])


st.markdown(f"**{f.fy}** · {esc(f.anchors_label)} · denominator: {esc(f.denominator_label)}")
c = st.columns(4)
c[0].metric(
    "Spend in scope (A1)",
    fmt.gbp(r["spend_gbp"]),
    delta=None if b is None else fmt.gbp(r["spend_gbp"] - b["spend_gbp"]),
    delta_color="off",
    help=f"{int(r['n_suppliers']):,} suppliers, {int(r['n_payments']):,} payments",
)
c[1].metric(
    f"Local: {esc(f.local_name)} (A2)",
    fmt.pct(r["local_pct"]),
    delta=delta("local_pct"),
    help=f"{fmt.gbp(r['local_gbp'])} of {fmt.gbp(r['spend_gbp'])}",
)
c[2].metric(
    f"Wider area: {esc(f.wider_name)} (A3)",
    fmt.pct(r["wider_pct"]),
    delta=delta("wider_pct"),
    help=f"{fmt.gbp(r['wider_gbp'])} of {fmt.gbp(r['spend_gbp'])}",
)
c[3].metric("Leakage from the local area (A5)", fmt.gbp(r["leakage_gbp"]), help="A1 minus local spend")
c = st.columns(4)
c[0].metric(
    "SMEs (A7)",
    fmt.pct(r["sme_pct"]),
    delta=delta("sme_pct"),
    help=f"{fmt.gbp(r['sme_gbp'])}; SME status known for {fmt.pct(r['sme_known_pct'])} of spend",
)
c[1].metric(
    "Local SMEs (A8)",
    fmt.pct(r["local_sme_pct"]),
    delta=delta("local_sme_pct"),
    help=fmt.gbp(r["local_sme_gbp"]),
)
c[2].metric(
    "VCSE (A10)",
    fmt.pct(r["vcse_pct"]),
    delta=delta("vcse_pct"),
    help=f"{fmt.gbp(r['vcse_gbp'])}; local VCSE {fmt.pct(r['local_vcse_pct'])}",
)
c[3].metric(
    "Social economy (A11)", fmt.pct(r["social_pct"]), delta=delta("social_pct"), help=fmt.gbp(r["social_gbp"])
)
if not imd_missing(f):
    st.metric(
        f"Suppliers in the most deprived 20% of areas (A12, IMD {f.imd_edition})",
        fmt.pct(r["deprived_pct"]),
        delta=delta("deprived_pct"),
        help=fmt.gbp(r["deprived_gbp"]),
    )
st.caption(
    f"Shares are of {fmt.gbp(r['spend_gbp'])} ({esc(f.denominator_label)}). Changes are against "
    f"{f.baseline_fy} in percentage points"
    + ("" if b is None else f"; the denominator changed by {fmt.gbp(r['spend_gbp'] - b['spend_gbp'])}")
    + f". {fmt.pct(r['located_pct'])} of spend has a located supplier (X1)."
)

# one chart under the other: side by side, the long anchor names left the bars no room at 1280 px
left = right = st.container()
with left:
    names = {
        "local": f"{f.local_name}",
        "rest_wider": f"Rest of {f.wider_name}",
        "rest_region": f"Rest of {f.region_name}",
        "rest_uk": "Rest of UK",
        "unknown": "Unknown / outside UK",
    }
    fig = data.figure(charts.concentric, r, f"Where the money went, {f.fy}", names)
    split = data.derived(tables.location_split, r, names)
    show.chart(
        fig,
        f.provenance(
            "Where the money went",
            "Concentric split of spend by supplier location (A4)",
            numerator="spend with suppliers in each band",
        ),
        split,
        key="split",
    )
with right:
    per = ind[(ind["anchor_id"] != "_all") & (ind["financial_year"] == f.fy)]
    by_type = page_toggle(st.toggle, "Compare within one anchor type", "cmp")
    if by_type:
        types = sorted(set(f.anchor_types.values()))
        t = page_choice(
            st.selectbox, "Anchor type", types, "atype", types[0], "anchor type", format_func=ANCHOR_TYPES.get
        )
        per = per[per["anchor_id"].map(f.anchor_types) == t]
    fig = data.figure(
        charts.anchor_comparison,
        per,
        "local_pct",
        f"Local spend by anchor, {f.fy}",
        f.anchor_names,
        f.anchor_types,
        ANCHOR_TYPES,
        None if by_type else r["local_pct"],
    )
    show.chart(
        fig,
        f.provenance(
            "Local spend by anchor",
            "Share of each anchor's spend with suppliers in the local area (A2)",
            numerator="spend with local suppliers",
            notes=["Anchor types spend very differently: compare within a type where you can"],
        ),
        data.derived(
            export.labelled,
            per.assign(type=per["anchor_id"].map(f.anchor_types).map(ANCHOR_TYPES)),
            {
                "anchor_id": "Anchor",
                "type": "Anchor type",
                "local_pct": "Local share of spend %",
                "local_gbp": "Local spend £",
                "spend_gbp": "Spend in scope £",
            },
            f.anchor_names,
        ),
        key="anchors",
    )

conc = f.query("spend_concentration")
pp = f.query("spend_prompt_payment")
tbl = data.derived(tables.concentration, conc, pp, f.anchor_names)
st.subheader("Concentration (A14) and prompt payment (A17)")
show.table(
    tbl,
    f.provenance(
        "Supplier concentration and prompt payment",
        "Top-10/20 supplier shares, Herfindahl-Hirschman index, and invoices paid within 30 days",
        numerator="spend with the largest suppliers; invoices paid within 30 days of the invoice date",
    ),
    key="concentration",
    column_config={
        **{c: st.column_config.NumberColumn(format="£%.1fm") for c in ("Spend £m", "Top 10 £m", "Top 20 £m")},
        **{
            c: st.column_config.NumberColumn(format="%.1f")
            for c in ("Top 10 share %", "Top 20 share %", "Paid within 30 days %", "Average days to pay")
        },
        **{
            c: st.column_config.NumberColumn(format="localized")
            for c in ("Suppliers", "HHI (0-10,000)", "Invoices with dates")
        },
    },
)
footer(f, imd_used=f.imd_edition in f.imd_loaded)
