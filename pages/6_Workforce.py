"""Workforce: where staff live, fair pay and entry routes (counts by area only, protected)."""

import pandas as pd
import streamlit as st

from cwb import export, fmt, maps, privacy, workforce
from cwb.charts import workforce as charts
from cwb.fmt import md_escape as esc
from cwb.ui import data, mapdata, show
from cwb.ui.frame import footer, frame, imd_missing, page_choice

f = frame("Workforce")
show.page_fixes()
k = privacy.k_default()
raw = f.query("workforce_indicators", fy_from=f.years[0], fy_to=f.years[-1])
if raw.empty:
    st.info(
        "No workforce counts are loaded for these anchors. Import staff counts by area (or an HR extract, "
        "aggregated on import) on the Import page."
    )
    footer(f)
    st.stop()
pop = f.query("workforce_population").iloc[0]
ind = data.derived(workforce.protected_indicators, raw, k, pop["deprived_pop_pct"])
cur = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.fy)]
if cur.empty:
    st.info(f"No workforce counts for {f.fy}.")
    footer(f)
    st.stop()
r = cur.iloc[0]
prev = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.baseline_fy)]
b = prev.iloc[0] if len(prev) and f.baseline_fy != f.fy else None


def d(col):
    return None if b is None or pd.isna(r[col]) or pd.isna(b[col]) else fmt.pp(r[col] - b[col])


rate = workforce.rlw_rate(f.fy)
st.markdown(
    f"**Staff in post at 31 March {int(f.fy[:4]) + 1}** · {esc(f.anchors_label)} · counts below {k} are never shown; "
    "other counts are rounded to the nearest 5"
)
c = st.columns(4)
c[0].metric("Headcount (B1)", r["headcount_text"], help=f"{r['fte_text']} full-time equivalent (FTE)")
c[1].metric(
    f"Living in {esc(f.local_name)} (B2)",
    fmt.pct(r["B2_pct"]),
    delta=d("B2_pct"),
    help=f"{r['local_headcount_text']} staff",
)
c[2].metric(
    "Paid at least the real Living Wage (B5)",
    fmt.pct(r["B5_pct"]),
    delta=d("B5_pct"),
    help=f"{r['paid_rlw_text']} of {r['adult_headcount_text']} staff aged 18+; "
    + (
        f"rate for {f.fy} £{rate:.2f} (UK; London £{workforce.rlw_rate(f.fy, True):.2f}), "
        "Living Wage Foundation"
        if rate
        else "no real Living Wage rate is carried for this year"
    ),
)
c[3].metric(
    "Apprentices (B8)",
    fmt.pct(r["B8_pct"]),
    help=f"{r['apprentices_text']} apprentices; {r['apprentice_starts_text']} starts in the year",
)
c = st.columns(4)
c[0].metric(
    "Entry-level hires from the local area (B10)",
    fmt.pct(r["B10L_pct"]),
    help=f"{r['entry_hires_local_text']} of {r['entry_hires_text']}",
)
c[1].metric(
    "Insecure contracts (B14)",
    fmt.pct(r["B14_pct"]),
    delta=d("B14_pct"),
    delta_color="inverse",
    help=f"{r['insecure_text']} staff on zero-hours, agency or bank contracts",
)
if not imd_missing(f):
    c[2].metric(
        f"Living in IMD decile 1-2 areas (B3, IMD {f.imd_edition})",
        fmt.pct(r["B3_pct"]),
        delta=d("B3_pct"),
        help=f"{r['deprived_headcount_text']} staff; entry-level hires from these areas: {fmt.pct(r['B10D_pct'])}",
    )
    c[3].metric(
        "Representation ratio (B4)",
        "–" if pd.isna(r["B4_ratio"]) else f"{r['B4_ratio']:.2f}",
        help="B3 divided by the local population's share living in decile 1-2 areas (1.00 = staff mirror the place)",
    )
    if pd.isna(pop["deprived_pop_pct"]):
        st.info(
            "B4 needs the population of each LSOA, which the loaded deprivation file does not carry. Load the "
            f"official IoD {f.imd_edition} File 7 (scores, ranks, deciles and population denominators): "
            f"`python -m cwb imd File_7_...csv` or `python -m cwb imd --download {f.imd_edition}`."
        )
    else:
        st.caption(
            f"Local population living in decile 1-2 areas: {pop['deprived_pop_pct']:.1f}% of {pop['population']:,.0f} "
            f"(IMD {f.imd_edition} population denominators)."
        )

gpg = f.query("workforce_gender_pay")
if len(gpg):
    st.markdown(
        "**Gender pay gap (B13, statutory returns)** · "
        + " · ".join(
            f"{esc(f.anchor_names.get(a, a).replace(' (demo)', ''))}: mean {g['gpg_mean_pct']:.1f}%, median {g['gpg_median_pct']:.1f}%"
            for a, g in gpg.set_index("anchor_id").iterrows()
        )
    )
    st.caption(
        "Positive gaps mean men's hourly pay is higher. Each anchor's own published return; no network figure is "
        "made, because the returns cannot be pooled without the underlying pay data."
    )

KEYS = ["B2", "B5", "B8", "B10L", "B10D", "B14", "B3"]
ik = page_choice(
    st.segmented_control,
    "Indicator",
    KEYS,
    "wind",
    "B2",
    "workforce indicator",
    format_func=lambda x: f"{x[:3]} {workforce.INDICATORS[x][0]}",
)
label, num, den = workforce.INDICATORS[ik]
deprivation = ik in ("B3", "B10D")
if deprivation and f.imd_edition not in f.imd_loaded:
    ik, (label, num, den), deprivation = "B2", workforce.INDICATORS["B2"], False
series = ind[ind["anchor_id"].isin(["_all", *f.anchors])]
names = {"_all": "Network" if not f.anchors else "Selected anchors", **f.anchor_names}
notes = [
    f"Counts below {k} suppressed; every other count rounded to the nearest 5; percentages from the rounded counts"
]
prov = f.provenance(
    f"{label} by year",
    f"{label} ({ik[:3]})",
    numerator=num.replace("_", " "),
    denominator=den.replace("_", " "),
    period=f"{f.years[0]} to {f.years[-1]}, staff at 31 March",
    imd=deprivation,
    source="Anchor HR records, aggregated to counts by area",
    notes=notes,
)
left, right = st.columns(2)
with left:
    show.chart(
        data.figure(charts.indicator_trend, series, f"{ik}_pct", label, names),
        prov,
        data.derived(
            export.labelled,
            series,
            {
                "anchor_id": "Series",
                "financial_year": "Financial year (staff at 31 March)",
                f"{ik}_pct": f"{label} %",
                f"{num}_text": num.replace("_", " ").capitalize(),
                f"{den}_text": den.replace("_", " ").capitalize(),
            },
            names,
        ),
        key="wf_trend",
    )
with right:
    now = ind[ind["financial_year"] == f.fy]
    show.chart(
        data.figure(charts.anchors_bar, now, f"{ik}_pct", f"{label} by anchor, {f.fy}", f.anchor_names),
        f.provenance(
            f"{label} by anchor",
            f"{label} ({ik[:3]})",
            numerator=num.replace("_", " "),
            imd=deprivation,
            denominator=den.replace("_", " "),
            source="Anchor HR records, aggregated to counts by area",
            notes=notes,
        ),
        data.derived(
            export.labelled,
            now,
            {
                "anchor_id": "Anchor",
                f"{ik}_pct": f"{label} %",
                f"{num}_text": num.replace("_", " ").capitalize(),
                f"{den}_text": den.replace("_", " ").capitalize(),
            },
            names,
        ),
        key="wf_bar",
    )
imd_ok = f.imd_edition in f.imd_loaded
tbl = data.derived(charts.headline_table, now, names, imd_ok)
show.table(
    tbl,
    f.provenance(
        f"Workforce headline figures, {f.fy}",
        "B1-B14 by anchor and for the set, staff at 31 March",
        imd=imd_ok,
        denominator="headcount (B5: staff aged 18+; B10: entry-level hires)",
        source="Anchor HR records, aggregated to counts by area",
        notes=notes,
    ),
    key="wf_table",
    column_config={c: st.column_config.NumberColumn(format="%.1f") for c in tbl.columns if "%" in c},
)

st.subheader("Where staff live")
LEVELS = {"msoa11": "MSOA (2011)", "lad": "Local authority", "lsoa11": "LSOA (2011)"}
lvl = page_choice(
    st.radio, "Areas", list(LEVELS), "wlvl", "msoa11", "map level", format_func=LEVELS.get, horizontal=True
)
areas = f.query("workforce_by_area", area_level=lvl)
m, summ = mapdata.protected_staff_areas(areas, lvl, k)
all_lads = mapdata.lad_shapes()
bounds = maps.context_bounds(all_lads[all_lads["area_code"].isin(f.wider_lads)])
ctx = maps.in_bounds(all_lads, bounds, pad=0.05)
place_labels = mapdata.place_labels(ctx, f, bounds, towns=lvl != "lad")
anchor_sites = maps.anchor_sites(
    data.query("map_anchor_sites", network_id=f.network_id), f.anchors or list(f.anchor_names)
)
pic = charts.staff_picture(m, ctx, place_labels, anchor_sites, bounds)
map_title = f"Where staff live, by {({'msoa11': 'MSOA', 'lad': 'district', 'lsoa11': 'LSOA'})[lvl]}, {f.fy}"
st.markdown(f"**{map_title}** · {esc(f.anchors_label)}")
show.deck_chart(
    lambda: maps.to_deck(pic, area_layer_id="staff"), pic, "staff", height=560, key=f"wf_map_{lvl}"
)
if len(m):
    st.markdown(charts.legend(m), unsafe_allow_html=True)
map_prov = f.provenance(
    map_title,
    f"Staff by the {LEVELS[lvl]} of their home postcode, staff in post at 31 March",
    numerator="staff living in each area",
    denominator="none (counts)",
    period=f"{f.fy}, staff at 31 March",
    source="Anchor HR records, aggregated to counts by area",
    notes=[charts.map_note(summ), "Grey outlines and names: local authority districts; dots: anchor sites"],
)
st.caption(
    f"Staff home areas, {f.fy}, {esc(f.anchors_label)}. "
    + esc(charts.map_note(summ))
    + " Grey outlines and names: local authority districts; dots: anchor sites."
)
show.downloads(
    map_prov, fig=lambda: maps.to_figure(pic), data=data.derived(charts.map_table, m, k), key="wf_map"
)
footer(f, imd_used=imd_ok)
