"""Network overview (the home page): three pillars, the league table, targets against actuals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cwb import fmt, privacy, targets, workforce
from cwb.ui import data, show
from cwb.ui.frame import ANCHOR_TYPES, _state, footer, frame

ACTUAL_COLUMNS = {"A2": ("local_pct", "Local spend"), "A3": ("wider_pct", "Wider-area spend"), "A7": ("sme_pct", "SME spend"),
                  "A10": ("vcse_pct", "VCSE spend"), "B2": ("B2_pct", "Staff living locally"),
                  "B5": ("B5_pct", "Staff paid the real Living Wage")}


def render() -> None:
    f = frame("Network overview")
    c1, c2, c3 = st.columns([3, 3, 2])
    with c1:
        _present_switch(f)
    if _has_present():
        c2.page_link("pages/9_Present.py", label="Step through the key points →",
                     help="One point per screen with next / previous, for a meeting")
    if f.present:   # metric values sit in a <p> that the general present-mode text size would shrink
        st.markdown("<style>[data-testid='stMetricValue'] p {font-size: 3.2rem !important; line-height: 1.15;}</style>",
                    unsafe_allow_html=True)
    if not f.present:
        from cwb import pack

        c3.download_button("Meeting pack for the network (PPTX)", lambda: pack.build_pack(data.connection(), f.slide_context()),
                           file_name=f"meeting_pack_{f.network_id}_{f.fy}.pptx",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key="pack_net",
                           help="Title slide, one slide per key chart with a headline, caption and source, and the method notes")
    ind = data.query("spend_indicators", **f.spend_params(fy_from=f.years[0], fy_to=f.years[-1]))
    wraw = data.query("workforce_indicators", anchor_ids=f.anchors or list(f.anchor_names), fy_from=f.years[0], fy_to=f.years[-1],
                      local_lads=f.local_lads, imd_edition=f.imd_edition)
    wf = workforce.protected_indicators(wraw) if len(wraw) else pd.DataFrame()
    land = data.query("land_summary", anchor_ids=f.anchors or list(f.anchor_names), fy=f.fy, imd_edition=f.imd_edition)

    # one index per frame instead of a boolean filter per lookup (70 lookups at 20 anchors)
    index: dict[int, dict] = {}

    def row(df, aid, fy):
        if not len(df):
            return None
        if id(df) not in index:
            index[id(df)] = dict(zip(zip(df["anchor_id"], df["financial_year"]), df.to_dict("records")))
        return index[id(df)].get((aid, fy))

    r, b = row(ind, "_all", f.fy), row(ind, "_all", f.baseline_fy)
    w, wb = row(wf, "_all", f.fy), row(wf, "_all", f.baseline_fy)
    st.markdown(f"**{f.fy}** compared with the baseline **{f.baseline_fy}** · {f.anchors_label} · spend-weighted network totals")
    c = st.columns(3)
    with c[0]:
        st.markdown("#### Spend")
        if r is not None:
            st.metric(f"Spent in {f.local_name} (A2)", fmt.pct(r["local_pct"]),
                      delta=None if b is None else fmt.pp(r["local_pct"] - b["local_pct"]),
                      help=f"{fmt.gbp(r['local_gbp'])} of {fmt.gbp(r['spend_gbp'])} ({f.denominator_label})")
            st.metric("Spend in scope (A1)", fmt.gbp(r["spend_gbp"]),
                      delta=None if b is None else fmt.gbp(r["spend_gbp"] - b["spend_gbp"]), delta_color="off")
    with c[1]:
        st.markdown("#### Workforce")
        if w is not None:
            st.metric(f"Staff living in {f.local_name} (B2)", fmt.pct(w["B2_pct"]),
                      delta=None if wb is None or pd.isna(w["B2_pct"]) or pd.isna(wb["B2_pct"]) else fmt.pp(w["B2_pct"] - wb["B2_pct"]),
                      help=f"{w['local_headcount_text']} of {w['headcount_text']} staff")
            st.metric("Paid at least the real Living Wage (B5)", fmt.pct(w["B5_pct"]),
                      delta=None if wb is None or pd.isna(w["B5_pct"]) or pd.isna(wb["B5_pct"]) else fmt.pp(w["B5_pct"] - wb["B5_pct"]))
        else:
            st.caption("No workforce counts loaded.")
    with c[2]:
        st.markdown("#### Land and property")
        if len(land):
            held, idle = _land_counts(land)
            base = data.query("land_summary", anchor_ids=f.anchors or list(f.anchor_names), fy=f.baseline_fy, imd_edition=f.imd_edition)
            bheld, bidle = _land_counts(base) if len(base) and f.baseline_fy != f.fy else (None, None)
            area = land.loc[land["anchor_id"] == "_all", "area_ha"].sum()
            st.metric("Sites held (C1)", fmt.num(held), delta=None if bheld is None else f"{held - bheld:+,d} sites",
                      delta_color="off", help=f"{area:.0f} ha in the registers")
            st.metric("Surplus, vacant or under-used (C2)", fmt.num(idle),
                      delta=None if bidle is None else f"{idle - bidle:+,d} sites", delta_color="inverse",
                      help="Sites that could be put to community or productive use (fewer is better)")
        else:
            st.caption("No land registers loaded.")

    st.subheader("Anchors compared")
    st.caption("Compare like with like: councils, NHS trusts and housing associations spend very differently. Sort by any column; "
               "the line shows local spend by year.")
    anchors = [a for a in f.anchor_names if not f.anchors or a in f.anchors]
    trend = ind.sort_values("financial_year").assign(v=lambda d: d["local_pct"].astype(float).round(1))
    spark = trend.groupby("anchor_id")["v"].agg(list).to_dict()
    held_by = (land[~land["status"].isin(["disposed", "transferred"])].groupby("anchor_id")["sites"].sum().to_dict()
               if len(land) else {})
    has_land = set(land["anchor_id"]) if len(land) else set()
    rows = []
    for a in anchors:
        ra, ba = row(ind, a, f.fy), row(ind, a, f.baseline_fy)
        wa = row(wf, a, f.fy)
        rows.append({
            "Anchor": f.anchor_names[a], "Type": ANCHOR_TYPES.get(f.anchor_types[a], f.anchor_types[a]),
            "Spend £m": None if ra is None else round(float(ra["spend_gbp"]) / 1e6, 1),
            "Local %": None if ra is None else round(float(ra["local_pct"]), 1),
            f"Change since {f.baseline_fy} (pp)": None if ra is None or ba is None else round(float(ra["local_pct"] - ba["local_pct"]), 1),
            "Local trend": spark.get(a, []),
            "SME %": None if ra is None else round(float(ra["sme_pct"]), 1),
            "Staff living locally %": None if wa is None else wa["B2_pct"],
            "Real Living Wage %": None if wa is None else wa["B5_pct"],
            "Headcount": None if wa is None else wa["headcount_text"],
            "Sites held": None if a not in has_land else int(held_by.get(a, 0)),
        })
    league = pd.DataFrame(rows)
    # fair comparisons: each anchor's place among anchors of the same type (councils with councils)
    rank = league.groupby("Type")["Local %"].rank(ascending=False, method="min")
    size = league.groupby("Type")["Local %"].transform("count")
    league.insert(4, "Rank in type", [None if pd.isna(r) else f"{int(r)} of {int(n)}" for r, n in zip(rank, size)])
    league = league.sort_values(["Type", "Local %"], ascending=[True, False])
    pct = dict(format="%.1f")
    show.table(league, f.provenance("Anchors compared", f"Each anchor's headline figures, {f.fy}",
                                    numerator="spend with local suppliers; staff living locally; staff paid the real Living Wage",
                                    notes=[f"Staff counts below {privacy.k_default()} suppressed",
                                           "Rank in type: place on local spend among anchors of the same type",
                                           "An empty change means the anchor has no payments in the baseline year"]),
               key="league", column_config={
                   "Local trend": st.column_config.LineChartColumn(f"Local % {f.years[0]} to {f.years[-1]}", y_min=0, y_max=100),
                   "Spend £m": st.column_config.NumberColumn(format="£%.1fm"),
                   "Local %": st.column_config.NumberColumn(**pct),
                   f"Change since {f.baseline_fy} (pp)": st.column_config.NumberColumn(format="%+.1f"),
                   "SME %": st.column_config.NumberColumn(**pct),
                   "Staff living locally %": st.column_config.NumberColumn(**pct),
                   "Real Living Wage %": st.column_config.NumberColumn(**pct)})

    st.subheader(f"Targets, {f.fy}")
    tg = []
    all_t = data.query("targets_all", network_id=f.network_id, fy=f.fy)
    for ind_id, (col, label) in ACTUAL_COLUMNS.items():
        t = all_t[(all_t["indicator"] == ind_id) & (all_t["scope_id"] == "_all")]
        if t.empty:
            continue
        src = wf if ind_id.startswith("B") else ind
        act = row(src, "_all", f.fy) if len(src) else None
        actual = None if act is None or pd.isna(act[col]) else float(act[col])
        target = float(t.iloc[0]["target_value"])
        s = targets.status(actual, target, t.iloc[0]["direction"])
        tg.append({"Indicator": f"{label} ({ind_id})", "Target %": target, "Actual %": None if actual is None else round(actual, 1),
                   "Gap (pp)": None if actual is None else round(actual - target, 1), "Status": targets.STATUS_TEXT[s]})
    if tg:
        st.markdown(f"**How the status is decided.** {targets.THRESHOLDS}")
        show.table(pd.DataFrame(tg), f.provenance(f"Targets against actuals, {f.fy}", "Network targets against actual values (X4)",
                                                  notes=[targets.THRESHOLDS]), key="targets")
    else:
        st.caption("No network targets for this year. Import a targets file on the Import page.")
    footer(f)


def _land_counts(land: pd.DataFrame) -> tuple[int, int]:
    """Sites held (C1: not disposed or transferred) and surplus, vacant or under-used (C2)."""
    t = land[land["anchor_id"] == "_all"].groupby("status")["sites"].sum()
    held = int(t.sum() - t.get("disposed", 0) - t.get("transferred", 0))
    return held, int(sum(t.get(s, 0) for s in ("surplus", "vacant", "under-used")))


def _present_switch(f) -> None:
    """Presentation mode on this and every page: no sidebar or controls, larger text; kept in the
    link as present=1 so a shared link opens straight into it."""
    if st.session_state.get("present_toggle") != f.present:
        st.session_state["present_toggle"] = f.present       # the link or the Present page's Exit decides

    def flip() -> None:
        _state()["present"] = "1" if st.session_state["present_toggle"] else "0"

    st.toggle("Presentation mode", key="present_toggle", on_change=flip,
              help="Hides the sidebar and controls and enlarges text for a projector. Kept in the link (present=1).")


def _has_present() -> bool:
    from cwb.config import ROOT

    return (ROOT / "pages" / "9_Present.py").is_file()
