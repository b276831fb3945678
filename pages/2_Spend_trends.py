"""Spend trends: each indicator by financial year, baseline and targets drawn, gaps shown."""

import streamlit as st

from cwb import export, fmt
from cwb.charts import spend as charts
from cwb.fmt import md_escape as esc
from cwb.ui import data, show
from cwb.ui.frame import footer, frame, imd_missing, page_choice

INDICATORS = {
    "A2": ("local_pct", "Local spend (A2)", "spend with suppliers in the local area"),
    "A3": ("wider_pct", "Wider-area spend (A3)", "spend with suppliers in the wider area"),
    "A7": ("sme_pct", "SME spend (A7)", "spend with SMEs"),
    "A8": ("local_sme_pct", "Local SME spend (A8)", "spend with local SMEs"),
    "A10": ("vcse_pct", "VCSE spend (A10)", "spend with VCSE organisations"),
    "A11": ("social_pct", "Social-economy spend (A11)", "spend with the social economy"),
    "A12": (
        "deprived_pct",
        "Spend with suppliers in IMD decile 1-2 areas (A12)",
        "spend with suppliers in the most deprived 20% of LSOAs",
    ),
    "A1": ("spend_gbp", "Spend in scope (A1)", "spend in scope"),
    "A5": ("leakage_gbp", "Leakage from the local area (A5)", "spend outside the local area"),
}


def _trend_table(series, col, label, unit, names):
    """The trend chart's table: series, year, the value as drawn (and the spend it is a share of)."""
    short = label.split(" (")[0]
    cols = {"anchor_id": "Series", "financial_year": "Financial year"}
    if unit == "%":
        cols.update({col: f"{short} %", "spend_gbp": "Spend in scope £"})
    else:
        cols[col] = f"{short} £"
    return data.derived(export.labelled, series.loc[:, ~series.columns.duplicated()], cols, names)


f = frame("Spend trends")
show.page_fixes()
key = page_choice(
    st.segmented_control,
    "Indicator",
    list(INDICATORS),
    "ind",
    "A2",
    "indicator",
    format_func=lambda k: INDICATORS[k][1].split(" (")[0],
)
col, label, numerator = INDICATORS[key]
if key == "A12" and imd_missing(f):
    footer(f)
    st.stop()

years = f.years
ind = f.query("spend_indicators", fy_from=years[0], fy_to=years[-1])
show_anchors = f.anchors if f.anchors else []
series = ind[ind["anchor_id"].isin(["_all", *show_anchors])].copy()
names = {"_all": "Network" if not f.anchors else "Selected anchors", **f.anchor_names}
tg = f.query("targets", indicator=key)
tg = tg[tg["scope_id"] == ("_all" if not f.anchors else (f.anchors[0] if len(f.anchors) == 1 else "-"))]
events = f.query("network_events")
unit = "£" if col.endswith("_gbp") else "%"
fig = data.figure(
    charts.trend,
    series,
    col,
    f"{label} by financial year",
    names,
    f.baseline_fy,
    targets=tg if len(tg) else None,
    events=events,
    unit=unit,
)
notes = [f"{fy}: {note}" for fy, note in events[["financial_year", "note"]].itertuples(index=False)]
if len(events):
    notes.append("Network totals change when anchors join; compare like with like across a flagged year")
show.chart(
    fig,
    f.provenance(
        f"{label} by year",
        label,
        numerator=numerator,
        period=f"financial years {years[0]} to {years[-1]}",
        imd=key == "A12",
        notes=notes + ([f"Targets from the network's target table ({len(tg)} years)"] if len(tg) else []),
    ),
    _trend_table(series, col, label, unit, names),
    key="trend",
)
if unit == "%":
    a = series[series["anchor_id"] == "_all"].set_index("financial_year")
    if f.baseline_fy in a.index and f.fy in a.index:
        d_pp = a.loc[f.fy, col] - a.loc[f.baseline_fy, col]
        d_den = a.loc[f.fy, "spend_gbp"] - a.loc[f.baseline_fy, "spend_gbp"]
        st.markdown(
            f"**Change {f.baseline_fy} → {f.fy} (A6):** {esc(fmt.pp(d_pp))}; the denominator changed by "
            f"{esc(fmt.gbp(d_den))} ({esc(fmt.gbp(a.loc[f.baseline_fy, 'spend_gbp']))} → "
            f"{esc(fmt.gbp(a.loc[f.fy, 'spend_gbp']))}), "
            "so part of a change in share can come from a changed total."
        )

st.subheader("Spend per month")
months = f.query("spend_by_month", fy_from=years[0], fy_to=years[-1])
fig = data.figure(
    charts.monthly,
    months,
    "Spend per month by anchor (gaps are months with no data)",
    f.anchor_names,
    years[0],
    years[-1],
)
show.chart(
    fig,
    f.provenance(
        "Spend per month",
        "Total payments per calendar month, by anchor",
        period=f"{years[0]} to {years[-1]}",
        denominator="none (totals)",
        notes=["A month with no payments received is drawn as a gap, never as zero"],
    ),
    data.derived(
        export.labelled,
        months,
        {"anchor_id": "Anchor", "month": "Month", "spend_gbp": "Spend £"},
        f.anchor_names,
    ),
    key="months",
)
footer(f, imd_used=key == "A12")
