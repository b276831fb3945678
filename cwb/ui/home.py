"""Network overview: the home page."""

from __future__ import annotations

import streamlit as st

from cwb.ui import data, fmt
from cwb.ui.frame import footer, frame


def render() -> None:
    f = frame("Network overview")
    ind = data.query("spend_indicators", **f.spend_params(fy_from=f.baseline_fy, fy_to=f.fy))
    allrow = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.fy)]
    base = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.baseline_fy)]
    if allrow.empty:
        st.info(f"No payments in {f.fy} for the chosen anchors.")
    else:
        r = allrow.iloc[0]
        b = base.iloc[0] if len(base) else None
        c1, c2, c3 = st.columns(3)
        c1.metric("Spend in scope", fmt.gbp(r["spend_gbp"]),
                  help=f"A1: {f.denominator_label}, {f.fy}")
        c2.metric(f"Spent in {f.local_name}", fmt.pct(r["local_pct"]),
                  delta=None if b is None else fmt.pp(r["local_pct"] - b["local_pct"]),
                  help=f"A2: {fmt.gbp(r['local_gbp'])} of {fmt.gbp(r['spend_gbp'])}")
        c3.metric(f"Spent in {f.wider_name}", fmt.pct(r["wider_pct"]),
                  delta=None if b is None else fmt.pp(r["wider_pct"] - b["wider_pct"]),
                  help=f"A3: {fmt.gbp(r['wider_gbp'])} of {fmt.gbp(r['spend_gbp'])}")
        st.caption(
            f"{f.fy}; change since {f.baseline_fy} in percentage points. Network figures are "
            f"spend-weighted totals of {f.anchors_label}."
        )
    footer(f)
