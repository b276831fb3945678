"""Anchor profile: one anchor across spend, workforce and land, with its trends and its place in the network."""

import streamlit as st

from cwb import catalogue, export, fmt, pack, privacy, slides, tables, workforce
from cwb.charts import network as net_charts
from cwb.charts import spend as charts
from cwb.fmt import md_escape as esc
from cwb.ui import data, show
from cwb.ui.frame import ANCHOR_TYPES, footer, frame

f = frame("Anchor profile", anchor_mode="single")
show.page_fixes()
a = f.anchors[0]
atype = f.anchor_types[a]
st.markdown(
    f"## {esc(f.anchor_names[a])}\n{esc(ANCHOR_TYPES.get(atype, atype))} · {f.fy} · baseline {f.baseline_fy}"
)
ind = f.query(
    "spend_indicators", fy_from=f.years[0], fy_to=f.years[-1], anchors=[]
)  # the anchor among its network
mine = ind[ind["anchor_id"] == a].set_index("financial_year")
if f.fy not in mine.index:
    st.markdown("#### Spend")
    st.info(
        f"No payments from {esc(f.anchor_names[a])} are loaded for {f.fy}"
        + (f" (payments are loaded for {esc(', '.join(mine.index))})" if len(mine) else "")
        + ". Import its payments on the Import page, or choose another financial year in the sidebar."
    )
else:
    r = mine.loc[f.fy]
    b = mine.loc[f.baseline_fy] if f.baseline_fy in mine.index and f.baseline_fy != f.fy else None
    pos = data.derived(tables.position, ind, a, f.fy, f.anchor_types)
    c = st.columns(4)
    c[0].metric("Spend in scope (A1)", fmt.gbp(r["spend_gbp"]))
    c[1].metric(
        f"Local: {f.local_name} (A2)",
        fmt.pct(r["local_pct"]),
        delta=None if b is None else fmt.pp(r["local_pct"] - b["local_pct"]),
    )
    c[2].metric(
        "SMEs (A7)", fmt.pct(r["sme_pct"]), delta=None if b is None else fmt.pp(r["sme_pct"] - b["sme_pct"])
    )
    if pos["of_type"] > 1:
        extra = (
            f"{pos['rank_in_type']} of {pos['of_type']} {esc(ANCHOR_TYPES.get(atype, atype).lower())} anchors; "
            f"the type's spend-weighted local share is {fmt.pct(pos['type_local_pct'])}"
        )
    else:
        extra = "the only anchor of its type in the network, so it is ranked among all anchors"
    c[3].metric(
        "Position in the network (local %)",
        f"{pos['rank']} of {pos['of']}",
        help=f"Among all anchors; {extra}",
    )
    series = ind[ind["anchor_id"].isin([a, "_all"])]
    fig = data.figure(
        charts.trend,
        series,
        "local_pct",
        f"Local spend: {f.anchor_names[a]} and the network",
        {"_all": "Network", **f.anchor_names},
        f.baseline_fy,
        targets=None,
        events=f.query("network_events"),
    )
    show.chart(
        fig,
        f.provenance(
            "Local spend: anchor and network",
            "Share of spend with local suppliers (A2)",
            numerator="spend with local suppliers",
            period=f"{f.years[0]} to {f.years[-1]}",
        ),
        data.derived(
            export.labelled,
            series,
            {
                "anchor_id": "Series",
                "financial_year": "Financial year",
                "local_pct": "Local spend %",
                "spend_gbp": "Spend in scope £",
            },
            {"_all": "Network", **f.anchor_names},
        ),
        key="prof_trend",
    )
left, right = st.columns(2)
span = f"{f.years[0]} to {f.fy}"
with left:
    st.markdown("#### Workforce")
    wraw = f.query("workforce_indicators", anchors=[a], fy_from=f.years[0], fy_to=f.fy)
    wall = data.derived(workforce.protected_indicators, wraw) if len(wraw) else wraw
    wall = wall[wall["anchor_id"] == a] if len(wall) else wall
    now = wall[wall["financial_year"] == f.fy] if len(wall) else wall
    if len(now):
        w = now.iloc[0]
        m = st.columns(3)
        m[0].metric("Headcount (B1)", w["headcount_text"])
        m[1].metric(f"Living in {esc(f.local_name)} (B2)", fmt.pct(w["B2_pct"]))
        m[2].metric("Paid the real Living Wage (B5)", fmt.pct(w["B5_pct"]))
        show.chart(
            data.figure(
                net_charts.lines,
                wall,
                [("B5_pct", "real Living Wage (B5)"), ("B2_pct", "living locally (B2)")],
                "Staff living locally and paid the real Living Wage",
                "Share of staff (%)",
                x_title="Financial year (staff at 31 March)",
            ),
            f.provenance(
                "Good local jobs",
                "Share of staff living in the local area (B2) and paid at least the real Living Wage (B5)",
                numerator="staff living locally; staff paid the real Living Wage",
                denominator="headcount",
                period=span,
                source="Anchor HR records, aggregated to counts by area",
                notes=[f"Counts below {privacy.k_default()} suppressed"],
            ),
            data.derived(
                export.labelled,
                wall,
                {
                    "financial_year": "Financial year",
                    "headcount": "Headcount (B1)",
                    "B5_pct": "Paid the real Living Wage %",
                    "B2_pct": "Living locally %",
                },
                digits={"Headcount (B1)": 0},
            ),
            key="prof_wf",
        )
    else:
        st.caption("No workforce counts loaded for this anchor.")
with right:
    st.markdown("#### Land and property")
    land = f.query("land_indicators", anchors=[a], fy_from=f.years[0], fy_to=f.fy)
    land = land[(land["anchor_id"] == "_all") & (land["sites_total"] > 0)]
    now = land[land["financial_year"] == f.fy]
    if len(now):
        m = st.columns(3)
        for col, ind in zip(m, ("C1", "C2", "C5")):
            col.metric(catalogue.label(ind), fmt.num(now.iloc[0][catalogue.get(ind).column]))
        by = data.derived(slides.land_by_year, land)
        show.chart(
            data.figure(
                net_charts.lines,
                by,
                [("idle", "surplus, vacant or under-used"), ("community", "community use or transferred")],
                "Sites that could serve the community, and sites that do",
                "Sites",
                unit="sites",
            ),
            f.provenance(
                "Land and buildings",
                "Sites surplus, vacant or under-used (C2) and in community use or "
                "transferred (C5), each financial year",
                numerator="sites with that status",
                denominator="",
                period=span,
                source="Anchor land and property registers",
            ),
            data.derived(
                export.labelled,
                by,
                {
                    "financial_year": "Financial year",
                    "idle": "Sites surplus, vacant or under-used",
                    "community": "Sites in community use or transferred",
                },
            ),
            key="prof_land",
        )
    else:
        st.caption("No land register loaded for this anchor.")
st.download_button(
    "Meeting pack for this anchor (PPTX)",
    lambda: pack.build_pack(data.connection(), f.slide_context()),
    file_name=f"meeting_pack_{a}_{f.fy}.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    key="pack_anchor",
)
footer(f)
