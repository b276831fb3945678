"""The sequence of views for presenting at a meeting and for the meeting pack (PPTX): one point
per slide, each a headline sentence, a chart, its caption and source. No streamlit here."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go

from cwb import privacy, workforce
from cwb.charts import network as net_charts
from cwb.charts import spend as spend_charts
from cwb.fmt import gbp
from cwb.method import Method
from cwb.provenance import Provenance


@dataclass
class Slide:
    title: str
    headline: str
    fig: go.Figure | None
    prov: Provenance | None
    data: pd.DataFrame | None = None


# The view being presented is a Method (what the figures cover); kept under its old name.
Context = Method


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _pct(v) -> str:
    return "a suppressed share" if v is None or pd.isna(v) else f"{float(v):.1f}%"


def _compared(con, c: Method, ind: pd.DataFrame, r: pd.Series, one: str | None) -> Slide:
    """Anchors side by side on local spend. For one anchor: its place among all the network's anchors."""
    from cwb.ui_labels import ANCHOR_TYPES

    if one:
        # one anchor's place among every anchor of ITS network (the SQL binds the network)
        every = c.run("spend_indicators", con, anchors=[], fy_from=c.fy, fy_to=c.fy)
        per = every[(every["anchor_id"] != "_all") & (every["financial_year"] == c.fy)]
        net = every[every["anchor_id"] == "_all"]
        net_value = float(net["local_pct"].iloc[0]) if len(net) else None
    else:
        per = ind[(ind["anchor_id"] != "_all") & (ind["financial_year"] == c.fy)]
        net_value = float(r["local_pct"])
    fig = spend_charts.anchor_comparison(
        per,
        "local_pct",
        f"Local spend by anchor, {c.fy}",
        dict(c.anchor_names),
        dict(c.anchor_types),
        ANCHOR_TYPES,
        net_value,
        highlight=one,
    )
    ranked = per.sort_values("local_pct", ascending=False).reset_index(drop=True)
    if one and one in set(per["anchor_id"]):
        pos = int(ranked.index[ranked["anchor_id"] == one][0]) + 1
        mine = float(ranked.loc[pos - 1, "local_pct"])
        same = per[per["anchor_id"].map(c.anchor_types) == c.anchor_types.get(one)]
        headline = (
            f"{c.anchor_names.get(one, one)} ranks {_ordinal(pos)} of {len(per)} anchors on local spend ({mine:.1f}%; network "
            f"{net_value:.1f}%)"
            + (
                f"; {len(same)} anchors of its type."
                if len(same) > 1
                else "; no other anchor of its type to compare with."
            )
        )
        anchors = f"all {len(per)} anchors of {c.network_name}, {c.anchor_names.get(one, one)} highlighted"
    else:
        best = ranked.iloc[0] if len(ranked) else None
        headline = (
            ""
            if best is None
            else (
                f"{c.anchor_names.get(best['anchor_id'], best['anchor_id'])} spends the largest share "
                f"locally: {best['local_pct']:.1f}% (network {net_value:.1f}%)."
            )
        )
        anchors = None
    prov = _prov(
        c,
        "Local spend by anchor",
        "Share of each anchor's spend with local suppliers (A2)",
        numerator="spend with local suppliers",
        notes=[
            "Compare anchors of the same type: councils, NHS trusts and housing associations buy very different things"
        ],
    )
    if anchors:
        prov.anchors = anchors
    return Slide("Anchors compared", headline, fig, prov, per[["anchor_id", "spend_gbp", "local_pct"]])


def _region_name(c: Method) -> str:
    """The region's name as the pages write it ('Rest of North West', not 'Rest of region')."""
    return str(c.region_name or "") or "region"


def _prov(
    c: Method,
    title: str,
    measure: str,
    numerator: str = "",
    denominator: str | None = None,
    period: str | None = None,
    source: str = "Anchor payment, workforce and estates records",
    notes=None,
) -> Provenance:
    return c.provenance(
        title,
        measure,
        numerator=numerator,
        denominator=denominator,
        period=period,
        source=source,
        notes=list(notes or []),
    )


def build(con: duckdb.DuckDBPyConnection, c: Method) -> list[Slide]:
    slides: list[Slide] = []
    years = [y for y in c.years if y <= c.fy] or c.years  # trends run up to the year presented
    one = c.one_anchor
    series_name = c.anchor_names.get(one, one) if one else "Network"
    ind = c.run("spend_indicators", con, fy_from=years[0], fy_to=years[-1])
    net = ind[ind["anchor_id"] == "_all"].set_index("financial_year")
    if c.fy in net.index:
        r = net.loc[c.fy]
        change = ""
        if c.baseline_fy in net.index and c.baseline_fy != c.fy:
            d = float(r["local_pct"] - net.loc[c.baseline_fy, "local_pct"])
            change = f", {'up' if d >= 0 else 'down'} {abs(d):.1f} points since {c.baseline_fy}"
        row = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == c.fy)].iloc[0]
        slides.append(
            Slide(
                f"Where the money went, {c.fy}",
                f"{r['local_pct']:.1f}% of {gbp(r['spend_gbp'])} spend stayed in {c.local_name} in {c.fy}{change}.",
                spend_charts.concentric(
                    row,
                    f"Where the money went, {c.fy}",
                    {
                        "local": c.local_name,
                        "rest_wider": f"Rest of {c.wider_name}",
                        "rest_region": f"Rest of {_region_name(c)}",
                        "unknown": "Unknown / outside UK",
                    },
                ),
                _prov(
                    c,
                    "Where the money went",
                    "Concentric split of spend by supplier location (A4)",
                    numerator="spend with suppliers in each band",
                ),
                row.to_frame().T,
            )
        )
        series = ind[ind["anchor_id"] == "_all"]
        tg = c.run("targets", con, indicator="A2")
        # network targets belong on the whole network's line only; an anchor's own targets on its line
        tg = tg[tg["scope_id"] == (one or "_all")] if (one or not c.anchors) else tg.iloc[0:0]
        tg = tg[tg["financial_year"] <= c.fy]
        ev = c.run("network_events", con)
        slides.append(
            Slide(
                "Local spend over time",
                f"{(series_name + chr(39) + 's local') if one else 'Local'} spend has moved from {net.iloc[0]['local_pct']:.1f}% in {net.index[0]} to {r['local_pct']:.1f}% in {c.fy}.",
                spend_charts.trend(
                    series,
                    "local_pct",
                    "Local spend (A2) by financial year",
                    {"_all": series_name},
                    c.baseline_fy,
                    targets=tg if len(tg) else None,
                    events=ev,
                ),
                _prov(
                    c,
                    "Local spend by year",
                    "Share of spend with suppliers in the local area (A2)",
                    numerator="spend with local suppliers",
                    period=f"{years[0]} to {years[-1]}",
                ),
                series[["financial_year", "spend_gbp", "local_gbp", "local_pct"]],
            )
        )
        slides.append(_compared(con, c, ind, r, one))
        cats = c.run("spend_by_category", con)
        cats = cats[~cats["category"].str.contains("public bodies|tax and pensions", case=False, regex=True)]
        if len(cats):
            top = cats.iloc[0]
            slides.append(
                Slide(
                    "Where we could buy locally",
                    f"{top['category']}: {gbp(top['leakage_gbp'])} left {c.local_name}; "
                    f"{int(top['n_local_suppliers_network'])} local suppliers already trade in it.",
                    spend_charts.categories(
                        cats, f"Spend by category, local and leaving {c.local_name}", top=8
                    ),
                    _prov(
                        c,
                        "Opportunities by category",
                        "Local share of spend by category (A13), largest leakage first",
                        numerator="spend with local suppliers",
                        denominator="the category's spend",
                    ),
                    cats.head(8),
                )
            )
    wraw = c.run("workforce_indicators", con, fy_from=years[0], fy_to=years[-1])
    if len(wraw):
        wf = workforce.protected_indicators(wraw)
        s = wf[wf["anchor_id"] == "_all"]
        now = s[s["financial_year"] == c.fy]
        if len(now):
            w = now.iloc[0]
            slides.append(
                Slide(
                    "Good local jobs",
                    f"{_pct(w['B2_pct'])} of {(series_name + chr(39) + 's') if one else 'the anchors' + chr(39)}"
                    f" {w['headcount_text']} staff live in {c.local_name}; "
                    f"{_pct(w['B5_pct'])} are paid at least the real Living Wage.",
                    net_charts.lines(
                        s,
                        [
                            ("B5_pct", "paid at least the real Living Wage (B5)"),
                            ("B2_pct", f"living in {c.local_name} (B2)"),
                        ],
                        "Staff living locally and staff paid the real Living Wage",
                        "Share of staff (%)",
                        x_title="Financial year (staff at 31 March)",
                    ),
                    _prov(
                        c,
                        "Good local jobs",
                        "Share of staff whose home is in the local area (B2) and share paid at "
                        "least the real Living Wage (B5)",
                        numerator="staff living locally; staff paid at least the real Living Wage",
                        denominator="headcount (B5: staff with a known hourly rate)",
                        period=f"{years[0]} to {years[-1]}",
                        source="Anchor HR records, aggregated to counts by area",
                        notes=[f"Counts below {privacy.k_default()} suppressed"],
                    ),
                    s[["financial_year", "headcount_text", "local_headcount_text", "B2_pct", "B5_pct"]],
                )
            )
    land = c.run("land_indicators", con, fy_from=years[0], fy_to=years[-1])
    land = land[(land["anchor_id"] == "_all") & (land["sites_total"] > 0)]
    if len(land):
        by_year, cur = land_by_year(land), land[land["financial_year"] == c.fy]
        idle = int(cur["sites_idle"].sum())
        comm = int(cur["sites_community_or_transferred"].sum())
        slides.append(
            Slide(
                "Land and buildings",
                f"{idle} sites are surplus, vacant or under-used in {c.fy}; {comm} are in community use or transferred.",
                net_charts.lines(
                    by_year,
                    [
                        ("idle", "surplus, vacant or under-used (C2)"),
                        ("community", "community use or transferred (C5)"),
                    ],
                    "Sites that could serve the community, and sites that do",
                    "Sites",
                    unit="sites",
                ),
                _prov(
                    c,
                    "Land and buildings",
                    "Number of sites held by the anchors that are surplus, vacant or under-used "
                    "(C2), and sites in community use or transferred to community ownership (C5), each financial year",
                    numerator="sites with that status as at the year (counts of sites, no denominator)",
                    denominator="",
                    period=f"{years[0]} to {years[-1]}",
                    source="Anchor land and property registers",
                ),
                by_year.rename(
                    columns={
                        "idle": "sites surplus, vacant or under-used",
                        "community": "sites in community use or transferred",
                    }
                ),
            )
        )
    return slides


def method_notes(c: Method) -> list[str]:
    return [
        f"Anchors: {c.anchors_label}. Period: {c.period_label}; baseline {c.baseline_fy}.",
        f"Local geography: {c.geography_label}.",
        f"Denominator: {c.denominator_label}. Network figures are spend-weighted sums, never averages of percentages.",
        "Supplier location: the postcode on the anchor's supplier record (trading address); unknown locations are their own band.",
        f"Staff figures are counts by area only; counts below {privacy.k_default()} are suppressed and every count "
        "shown is rounded to the nearest 5.",
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown "
        "copyright and database right. Contains Royal Mail data © Royal Mail copyright and database right.",
    ] + (
        ["Synthetic demo data: the anchors and figures are invented; the geography is real."]
        if c.synthetic
        else []
    )


def land_by_year(land: pd.DataFrame) -> pd.DataFrame:
    """land_indicators rows of one anchor (or '_all') as the two lines of the land chart."""
    return land.rename(columns={"sites_idle": "idle", "sites_community_or_transferred": "community"})[
        ["financial_year", "idle", "community"]
    ].reset_index(drop=True)


def context_for(
    con: duckdb.DuckDBPyConnection,
    anchors: list[str] | None = None,
    fy: str | None = None,
    network_id: str | None = None,
    **method_over,
) -> Method:
    """The Method of a presentation or pack from the network's defaults (for the CLI and
    scheduled packs); raises ValueError (MethodError) naming what is wrong."""
    return Method.for_network(con, network_id, anchors=anchors, fy=fy, **method_over)
