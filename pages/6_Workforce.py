"""Workforce: where staff live, fair pay and entry routes (counts by area only, protected)."""

import pandas as pd
import streamlit as st

from cwb import fmt, maps, privacy, workforce
from cwb.charts import workforce as charts
from cwb.ui import data, show
from cwb.ui.frame import footer, frame, imd_missing, page_param, set_page_param

f = frame("Workforce")
k = privacy.k_default()
raw = data.query("workforce_indicators", anchor_ids=f.anchors or list(f.anchor_names), fy_from=f.years[0], fy_to=f.years[-1],
                 local_lads=f.local_lads, imd_edition=f.imd_edition)
if raw.empty:
    st.info("No workforce counts are loaded for these anchors. Import staff counts by area (or an HR extract, "
            "aggregated on import) on the Import page.")
    footer(f)
    st.stop()
pop = data.query("workforce_population", local_lads=f.local_lads, imd_edition=f.imd_edition).iloc[0]
ind = workforce.protected_indicators(raw, k, pop["deprived_pop_pct"])
cur = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.fy)]
if cur.empty:
    st.info(f"No workforce counts for {f.fy}.")
    footer(f)
    st.stop()
r = cur.iloc[0]
prev = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.baseline_fy)]
b = prev.iloc[0] if len(prev) and f.baseline_fy != f.fy else None


def d(col):
    return None if b is None or r[col] is None or b[col] is None or pd.isna(r[col]) or pd.isna(b[col]) else fmt.pp(r[col] - b[col])


st.markdown(f"**Staff in post at 31 March {int(f.fy[:4]) + 1}** · {f.anchors_label} · counts below {k} are never shown")
c = st.columns(4)
c[0].metric("Headcount (B1)", r["headcount_text"], help=f"FTE {fmt.num(r['fte'])}")
c[1].metric(f"Living in {f.local_name} (B2)", fmt.pct(r["B2_pct"]), delta=d("B2_pct"), help=f"{r['local_headcount_text']} staff")
c[2].metric("Paid at least the real Living Wage (B5)", fmt.pct(r["B5_pct"]), delta=d("B5_pct"),
            help=f"{r['paid_rlw_text']} of {r['adult_headcount_text']} staff aged 18+; rate £{workforce.rlw_rate(f.fy) or 0:.2f} (UK)")
c[3].metric("Apprentices (B8)", fmt.pct(r["B8_pct"]), help=f"{r['apprentices_text']} apprentices; {r['apprentice_starts_text']} starts in the year")
c = st.columns(4)
c[0].metric("Entry-level hires from the local area (B10)", fmt.pct(r["B10L_pct"]), help=f"{r['entry_hires_local_text']} of {r['entry_hires_text']}")
c[1].metric("Insecure contracts (B14)", fmt.pct(r["B14_pct"]), delta=d("B14_pct"), delta_color="inverse", help=f"{r['insecure_text']} staff")
if not imd_missing(f):
    c[2].metric(f"Living in IMD decile 1-2 areas (B3, IMD {f.imd_edition})", fmt.pct(r["B3_pct"]), help=f"{r['deprived_headcount_text']} staff")
    c[3].metric("Representation ratio (B4)", "–" if r["B4_ratio"] is None or pd.isna(r["B4_ratio"]) else f"{r['B4_ratio']:.2f}",
                help="B3 divided by the local population's share in decile 1-2 areas" + (
                    "" if pd.notna(pop["deprived_pop_pct"]) else ". Needs population counts: load the official IoD file with its population denominators."))

gpg = data.query("workforce_gender_pay", anchor_ids=f.anchors or list(f.anchor_names), fy_from=f.fy, fy_to=f.fy)
if len(gpg):
    gap = gpg.set_index("anchor_id")
    st.markdown("**Gender pay gap (B13, statutory returns)** · " + " · ".join(
        f"{f.anchor_names.get(a, a).replace(' (demo)', '')}: mean {r['gpg_mean_pct']:.1f}%, median {r['gpg_median_pct']:.1f}%"
        for a, r in gap.iterrows()))
    st.caption("Positive gaps mean men's hourly pay is higher. Each anchor's own published return; no network average is "
               "made, because the returns cannot be pooled without the underlying pay data.")

KEYS = {"B2": "local", "B5": "Living Wage", "B8": "apprentices", "B10L": "local hires", "B14": "insecure", "B3": "deprived areas"}
ik = page_param("wind", list(KEYS), "B2", "workforce indicator")
ik = st.segmented_control("Indicator", list(KEYS), format_func=lambda x: workforce.INDICATORS[x][0], default=ik, key="wf_ind") or ik
set_page_param("wind", ik)
label, num, den = workforce.INDICATORS[ik]
series = ind[ind["anchor_id"].isin(["_all", *f.anchors])]
names = {"_all": "Network" if not f.anchors else "Selected anchors", **f.anchor_names}
prov = f.provenance(f"{label} by year", f"{label} ({ik})", numerator=f"staff counted in {num.replace('_', ' ')}",
                    denominator=den.replace("_", " "), period=f"{f.years[0]} to {f.years[-1]}, staff at 31 March",
                    imd=ik == "B3", source="Anchor HR records, aggregated to counts by area",
                    notes=[f"Counts below {k} suppressed; every shown count rounded to the nearest 5; percentages from the rounded counts"])
left, right = st.columns(2)
with left:
    show.chart(charts.indicator_trend(series, f"{ik}_pct", f"{label}", names), prov,
               series[["anchor_id", "financial_year", f"{num}_text", f"{den}_text", f"{ik}_pct"]], key="wf_trend")
with right:
    now = ind[ind["financial_year"] == f.fy]
    show.chart(charts.anchors_bar(now, f"{ik}_pct", f"{label} by anchor, {f.fy}", f.anchor_names),
               f.provenance(f"{label} by anchor", f"{label} ({ik})", numerator=num.replace("_", " "),
                            denominator=den.replace("_", " "), source="Anchor HR records, aggregated to counts by area",
                            notes=[f"Counts below {k} suppressed"]),
               now[["anchor_id", f"{num}_text", f"{den}_text", f"{ik}_pct"]], key="wf_bar")

st.subheader("Where staff live")
LEVELS = {"msoa11": "MSOA (2011)", "lad": "Local authority", "lsoa11": "LSOA (2011)"}
lvl = page_param("wlvl", list(LEVELS), "msoa11", "map level")
lvl = st.radio("Areas", list(LEVELS), format_func=LEVELS.get, index=list(LEVELS).index(lvl), horizontal=True, key="wf_lvl")
set_page_param("wlvl", lvl)
areas = data.query("workforce_by_area", anchor_ids=f.anchors or list(f.anchor_names), fy=f.fy, area_level=lvl, imd_edition=f.imd_edition)
shown, summ = privacy.protect_areas(areas, "headcount", k)
shapes = data.shapes(lvl, shown["area_code"].tolist())
m = shapes.merge(shown, on="area_code")
m["spend_gbp"] = m["headcount"]  # colour classes by the protected count
m["tooltip"] = [maps.tip(c, f"{privacy.display_count(h, k)} staff") for c, h in zip(m["area_code"], m["headcount"])]
ctx = data.shapes("lad", f.wider_lads)
import shapely  # noqa: E402

bounds = shapely.total_bounds(shapely.from_wkb(ctx["wkb"].to_numpy()))
st.pydeck_chart(maps.deck([maps.outline_layer(ctx), maps.area_layer(m, "spend")], maps.view_for(bounds=tuple(bounds))),
                height=560, key="wf_map")
st.caption(f"Darker = more staff living in the area. {summ['areas_hidden']} areas with fewer than {k} staff are not drawn "
           f"(together {summ['hidden_total']} staff); the counts shown are rounded to the nearest 5."
           + f" Staff home locations are held only as counts by area. {f.fy}, {f.anchors_label}.")
footer(f, imd_used=ik == "B3")
