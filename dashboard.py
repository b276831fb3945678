"""Community wealth building dashboard: entry point and network overview (home page): three
pillars, the league table, targets against actuals, every indicator.

The entry point registers every page with Streamlit's navigation (cwb/ui/nav.py, from the page
registry) and runs the one asked for; the home page is ``render`` below, at ``/``.

Run with:  streamlit run dashboard.py
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cwb import catalogue, fmt, privacy, tables, targets, workforce
from cwb.fmt import md_escape
from cwb.ui import data, nav, show
from cwb.ui.frame import ANCHOR_TYPES, footer, frame, set_present


def render() -> None:
    f = frame("Network overview")
    show.page_fixes()
    c1, c2, c3 = st.columns([2, 2, 3])  # the pack button label fits at 1280 px
    with c1:
        _present_switch(f)
    if _has_present():
        c2.page_link(
            "pages/9_Present.py",
            label="Step through the key points →",
            help="One point per screen with next / previous, for a meeting",
        )
    if f.present:  # metric values sit in a <p> that the general present-mode text size would shrink
        st.markdown(
            "<style>[data-testid='stMetricValue'] p {font-size: 3.2rem !important; line-height: 1.15;}</style>",
            unsafe_allow_html=True,
        )
    if not f.present:
        from cwb import pack

        c3.download_button(
            "Meeting pack for the network (PPTX)",
            lambda: pack.build_pack(data.connection(), f.slide_context()),
            file_name=f"meeting_pack_{f.network_id}_{f.fy}.pptx",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            key="pack_net",
            help="Title slide, one slide per key chart with a headline, caption and source, and the method notes",
        )
    ind = f.query("spend_indicators", fy_from=f.years[0], fy_to=f.years[-1])
    wraw = f.query("workforce_indicators", fy_from=f.years[0], fy_to=f.years[-1])
    wf = data.derived(workforce.protected_indicators, wraw) if len(wraw) else pd.DataFrame()
    land = f.query("land_indicators", fy_from=f.method.period[0], fy_to=f.method.period[1])
    land = land[land["sites_total"] > 0]

    # one index per frame instead of a boolean filter per lookup (70 lookups at 20 anchors)
    index: dict[int, dict] = {}

    def row(df, aid, fy):
        if id(df) not in index:
            index[id(df)] = data.derived(tables.rows_by_anchor_year, df)
        return index[id(df)].get((aid, fy))

    r, b = row(ind, "_all", f.fy), row(ind, "_all", f.baseline_fy)
    w, wb = row(wf, "_all", f.fy), row(wf, "_all", f.baseline_fy)
    st.markdown(
        f"**{f.fy}** compared with the baseline **{f.baseline_fy}** · {md_escape(f.anchors_label)} · "
        "spend-weighted network totals"
    )
    c = st.columns(3)
    with c[0]:
        st.markdown("#### Spend")
        if r is not None:
            st.metric(
                f"Spent in {md_escape(f.local_name)} (A2)",
                fmt.pct(r["local_pct"]),
                delta=None if b is None else fmt.pp(r["local_pct"] - b["local_pct"]),
                help=f"{fmt.gbp(r['local_gbp'])} of {fmt.gbp(r['spend_gbp'])} ({f.denominator_label})",
            )
            st.metric(
                "Spend in scope (A1)",
                fmt.gbp(r["spend_gbp"]),
                delta=None if b is None else fmt.gbp(r["spend_gbp"] - b["spend_gbp"]),
                delta_color="off",
            )
        else:
            st.caption(
                f"No payments loaded for {f.fy}. Import payments on the Import page, or choose another "
                "financial year in the sidebar."
            )
    with c[1]:
        st.markdown("#### Workforce")
        if w is not None:
            st.metric(
                f"Staff living in {md_escape(f.local_name)} (B2)",
                fmt.pct(w["B2_pct"]),
                delta=None
                if wb is None or pd.isna(w["B2_pct"]) or pd.isna(wb["B2_pct"])
                else fmt.pp(w["B2_pct"] - wb["B2_pct"]),
                help=f"{w['local_headcount_text']} of {w['headcount_text']} staff",
            )
            st.metric(
                "Paid at least the real Living Wage (B5)",
                fmt.pct(w["B5_pct"]),
                delta=None
                if wb is None or pd.isna(w["B5_pct"]) or pd.isna(wb["B5_pct"])
                else fmt.pp(w["B5_pct"] - wb["B5_pct"]),
            )
        else:
            st.caption("No workforce counts loaded.")
    with c[2]:
        st.markdown("#### Land and property")
        lr, lb = row(land, "_all", f.fy), row(land, "_all", f.baseline_fy)
        if lr is not None:
            held, idle = int(lr["sites_held"]), int(lr["sites_idle"])
            bheld, bidle = (None, None) if lb is None else (int(lb["sites_held"]), int(lb["sites_idle"]))
            area = float(lr["area_ha_total"])
            st.metric(
                catalogue.label("C1"),
                fmt.num(held),
                delta=None if bheld is None else f"{held - bheld:+,d} sites",
                delta_color="off",
                help=f"{area:.0f} ha in the registers",
            )
            st.metric(
                catalogue.label("C2"),
                fmt.num(idle),
                delta=None if bidle is None else f"{idle - bidle:+,d} sites",
                delta_color="inverse",
                help="Sites that could be put to community or productive use (fewer is better)",
            )
        else:
            st.caption("No land registers loaded.")

    st.subheader("Anchors compared")
    st.caption(
        "Compare like with like: councils, NHS trusts and housing associations spend very differently. Sort by any column; "
        "the line shows local spend by year."
    )
    anchors = [a for a in f.anchor_names if not f.anchors or a in f.anchors]
    types = {a: ANCHOR_TYPES.get(t, t) for a, t in f.anchor_types.items()}
    league = data.derived(
        tables.anchors_compared, ind, wf, land, anchors, f.anchor_names, types, f.fy, f.baseline_fy
    )
    pct = dict(format="%.1f")
    show.table(
        league,
        f.provenance(
            "Anchors compared",
            f"Each anchor's headline figures, {f.fy}",
            numerator="spend with local suppliers; staff living locally; staff paid the real Living Wage",
            notes=[
                f"Staff counts below {privacy.k_default()} suppressed",
                "Rank: place on local spend among all anchors shown and, where a type has "
                "two or more anchors, among anchors of the same type",
                "Headcount: '–' where no staff counts are loaded or fewer than "
                f"{privacy.k_default()} (suppressed)",
                "An empty change means the anchor has no payments in the baseline year",
            ],
        ),
        key="league",
        column_config={
            "Local trend": st.column_config.LineChartColumn(
                f"Local % {f.years[0]} to {f.years[-1]}", y_min=0, y_max=100
            ),
            "Spend £m": st.column_config.NumberColumn(format="£%.1fm"),
            "Local %": st.column_config.NumberColumn(**pct),
            f"Change since {f.baseline_fy} (pp)": st.column_config.NumberColumn(format="%+.1f"),
            "SME %": st.column_config.NumberColumn(**pct),
            "Staff living locally %": st.column_config.NumberColumn(**pct),
            "Real Living Wage %": st.column_config.NumberColumn(**pct),
            "Headcount": st.column_config.NumberColumn(format="localized"),
            "Sites held": st.column_config.NumberColumn(format="localized"),
        },
    )

    st.subheader(f"Targets, {f.fy}")
    all_t = data.query("targets_all", network_id=f.network_id, fy=f.fy)
    frames = {"spend_indicators": ind, "workforce": wf, "land_indicators": land}
    tg = data.derived(tables.targets_against_actuals, all_t, frames, f.fy)
    if len(tg):
        st.markdown(f"**How the status is decided.** {targets.THRESHOLDS}")
        show.table(
            tg,
            f.provenance(
                f"Targets against actuals, {f.fy}",
                "Network targets against actual values (X4)",
                notes=[targets.THRESHOLDS],
            ),
            key="targets",
            column_config={
                c: st.column_config.NumberColumn(format="%+.1f" if "Gap" in c else "%.1f")
                for c in ("Target %", "Actual %", "Gap (pp)")
            },
        )
    else:
        st.caption("No network targets for this year. Import a targets file on the Import page.")
    _every_indicator(f, frames)
    footer(f)


def _every_indicator(f, frames: dict[str, pd.DataFrame]) -> None:
    """Every catalogue indicator for the view (cwb.catalogue): value, change, numerator, denominator."""
    items = data.derived(catalogue.values, None, f.method, frames)
    if not items:
        return
    with st.expander(f"Every indicator, {f.fy}", expanded=False):
        show.table(
            data.derived(catalogue.table, items),
            f.provenance(
                f"Every indicator, {f.fy}",
                "Every headline indicator of the catalogue for the chosen anchors",
                numerator="see each row",
                denominator="see each row",
                notes=[f"Staff counts below {privacy.k_default()} suppressed"],
            ),
            key="every_indicator",
        )


def _present_switch(f) -> None:
    """Presentation mode on this and every page: no sidebar or controls, larger text; kept in the
    link as present=1 so a shared link opens straight into it."""
    if st.session_state.get("present_toggle") != f.present:
        st.session_state["present_toggle"] = f.present  # the link or the Present page's Exit decides

    def flip() -> None:
        set_present(bool(st.session_state["present_toggle"]))

    st.toggle(
        "Presentation mode",
        key="present_toggle",
        on_change=flip,
        help="Hides the sidebar and controls and enlarges text for a projector. Kept in the link (present=1).",
    )


def _has_present() -> bool:
    from cwb.config import ROOT

    return (ROOT / "pages" / "9_Present.py").is_file()


nav.run(render)
