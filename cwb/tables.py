"""Tables as pages show and export them: query rows -> labelled columns, rounded as shown.

Pages stay thin (issue 14.7): the shaping of a table lives here, without streamlit, and is
tested on its own (tests/test_tables.py); the figures themselves come from the SQL.
"""

from __future__ import annotations

import pandas as pd

from cwb import fmt

BANDS = {
    "local": "Local area",
    "wider": "Rest of wider area",
    "region": "Rest of region",
    "uk": "Rest of UK",
    "unknown": "Unknown",
}

SUPPLIER_COLUMNS = {
    "supplier_name": "Supplier",
    "postcode": "Postcode",
    "lad_name": "District",
    "band": "Location band",
    "spend_gbp": "Spend £",
    "n_payments": "Payments",
    "anchors": "Anchors",
    "n_anchors": "No. of anchors",
    "shared": "Shared (X6)",
    "is_sme": "SME",
    "is_vcse": "VCSE",
    "is_social_economy": "Social economy",
}

AREA_SUPPLIER_COLUMNS = {
    "supplier_name": "Supplier",
    "postcode": "Postcode",
    "spend_gbp": "Spend £",
    "n_payments": "Payments",
    "n_anchors": "Anchors paying",
    "is_sme": "SME",
    "is_vcse": "VCSE",
    "shared": "Shared",
}


def suppliers(rows: pd.DataFrame, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """Rows of ``spend_suppliers`` as the supplier list shows them: words for the location
    band, 'not recorded' / 'not located' instead of a blank postcode or district, 'Shared' for
    a supplier paid by two or more anchors, spend in whole pounds."""
    columns = columns or SUPPLIER_COLUMNS
    out = pd.DataFrame(index=rows.index)
    for col, label in columns.items():
        v = rows[col]
        if col == "band":
            v = v.map(lambda b: BANDS.get(b, b))
        elif col == "postcode":
            v = v.map(lambda p: fmt.text(p, "not recorded"))
        elif col == "lad_name":
            v = v.map(lambda p: fmt.text(p, "not located"))
        elif col == "shared" and columns is SUPPLIER_COLUMNS:
            v = v.map({True: "Shared", False: ""})
        elif col == "spend_gbp":
            v = v.astype(float).round(0)
        out[label] = v
    return out.reset_index(drop=True)


COMPLETENESS_COLUMNS = {
    "anchor": "Anchor",
    "months": "Months with data (of 12)",
    "spend_gbp": "Spend £",
    "located_pct": "Spend with a located supplier %",
    "sme_known_pct": "Spend with SME status known %",
    "vcse_known_pct": "Spend with VCSE status known %",
    "n_suppliers": "Suppliers",
}


def completeness(
    indicators: pd.DataFrame, months: pd.DataFrame, fy: str, names: dict[str, str]
) -> pd.DataFrame:
    """The data-completeness table (X1) of year ``fy``: one row per anchor (and 'All selected'
    for the set) from ``spend_indicators``, with the months of that year in which the anchor
    has any payment (from ``dq_months``; the set's row has none: months are per anchor)."""
    from cwb.charts import quality

    per = indicators[indicators["financial_year"] == fy]
    in_year = months[pd.to_datetime(months["month"]).isin(quality.fy_months(fy))]
    have = in_year.groupby("anchor_id")["month"].nunique()
    spend = per["spend_gbp"].astype(float)
    out = pd.DataFrame(
        {
            "anchor": per["anchor_id"].map(lambda a: "All selected" if a == "_all" else names.get(a, a)),
            "months": per["anchor_id"].map(lambda a: None if a == "_all" else int(have.get(a, 0))),
            "spend_gbp": spend.round(0),
            "located_pct": per["located_pct"].astype(float).round(1),
            "sme_known_pct": per["sme_known_pct"].astype(float).round(1),
            "vcse_known_pct": (100 * per["vcse_known_gbp"].astype(float) / spend.where(spend != 0)).round(1),
            "n_suppliers": per["n_suppliers"],
        }
    )
    return out.rename(columns=COMPLETENESS_COLUMNS).reset_index(drop=True)


def area_parents(lsoa_index: pd.DataFrame, level: str) -> pd.DataFrame | None:
    """Each area's parent areas for the map's small-number protection: for LSOAs their MSOA and
    district, for MSOAs the district most of their LSOAs lie in; None for districts."""
    if level == "lsoa11":
        return lsoa_index[["area_code", "msoa11", "lad22"]]
    if level == "msoa11":
        return (
            lsoa_index.groupby("msoa11", as_index=False)["lad22"]
            .agg(lambda s: s.mode().iloc[0])
            .rename(columns={"msoa11": "area_code"})
        )
    return None


def location_split(r: pd.Series | dict, names: dict[str, str]) -> pd.DataFrame:
    """The concentric split (A4) as a table: each location band's share and spend, nearest
    first (``names``: the band's words for this network, e.g. 'Rest of Lancashire')."""
    from cwb.charts.spend import BANDS as SPLIT_BANDS

    return pd.DataFrame(
        {
            "Location of supplier": [names.get(k, label) for k, label in SPLIT_BANDS],
            "Share of spend in scope %": [round(float(r[f"{k}_pct"] or 0), 1) for k, _ in SPLIT_BANDS],
            "Spend £": [round(float(r[f"{k}_gbp"] or 0)) for k, _ in SPLIT_BANDS],
        }
    )


CONCENTRATION_COLUMNS = {
    "spend_gbp": "Spend £m",
    "n_suppliers": "Suppliers",
    "top10_pct": "Top 10 share %",
    "top20_pct": "Top 20 share %",
    "hhi": "HHI (0-10,000)",
    "within_30_pct": "Paid within 30 days %",
    "avg_days": "Average days to pay",
    "n_invoices": "Invoices with dates",
    "top10_gbp": "Top 10 £m",
    "top20_gbp": "Top 20 £m",
}


def concentration(conc: pd.DataFrame, prompt: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Supplier concentration (A14, ``spend_concentration``) beside prompt payment (A17,
    ``spend_prompt_payment``), one row per anchor and 'All selected': money in £m to 1 decimal,
    shares and days to 1 decimal, counts whole."""
    tbl = conc.merge(
        prompt[["anchor_id", "within_30_pct", "avg_days", "n_invoices"]], on="anchor_id", how="left"
    )
    for col in ("spend_gbp", "top10_gbp", "top20_gbp"):
        tbl[col] = (tbl[col].astype(float) / 1e6).round(1)
    for col in ("top10_pct", "top20_pct", "within_30_pct", "avg_days"):
        tbl[col] = tbl[col].astype(float).round(1)
    for col in ("hhi", "n_suppliers", "n_invoices"):
        tbl[col] = tbl[col].astype(float).round(0).astype("Int64")
    tbl.insert(
        0, "Anchor", tbl["anchor_id"].map(lambda a: "All selected" if a == "_all" else names.get(a, a))
    )
    return tbl.drop(columns=["anchor_id"]).rename(columns=CONCENTRATION_COLUMNS)


def disposals_by_route(disp: pd.DataFrame) -> pd.DataFrame:
    """Disposals (C3/C4) summed by route, largest area first, as the chart shows them."""
    from cwb import export

    by = (
        disp.groupby("disposal_route", as_index=False)[["sites", "area_ha", "value_gbp"]]
        .sum()
        .sort_values("area_ha", ascending=False)
    )
    return export.labelled(
        by,
        {"disposal_route": "Disposal route", "sites": "Sites", "area_ha": "Hectares", "value_gbp": "Value £"},
        digits={"Hectares": 1},
    )


def rows_by_anchor_year(df: pd.DataFrame) -> dict:
    """{(anchor_id, financial_year): the row as a dict} (one index instead of a filter per lookup)."""
    if not len(df):
        return {}
    return dict(zip(zip(df["anchor_id"], df["financial_year"]), df.to_dict("records")))


def anchors_compared(
    ind: pd.DataFrame,
    wf: pd.DataFrame,
    land: pd.DataFrame,
    anchors: list[str],
    names: dict[str, str],
    types: dict[str, str],
    fy: str,
    baseline_fy: str,
) -> pd.DataFrame:
    """The home page's league table: each anchor's headline figures in ``fy`` (spend from
    ``spend_indicators``, staff from the *protected* workforce indicators, sites from
    ``land_indicators``), the local-spend trend over every year of ``ind``, and its rank on local
    spend among all anchors shown and, where a type has two or more anchors, among anchors of
    its type (``types``: anchor -> type label). Sorted by type, then local share."""
    spend, staff, sites = rows_by_anchor_year(ind), rows_by_anchor_year(wf), rows_by_anchor_year(land)
    trend = ind.sort_values("financial_year").assign(v=lambda d: d["local_pct"].astype(float).round(1))
    spark = trend.groupby("anchor_id")["v"].agg(list).to_dict()
    rows = []
    for a in anchors:
        ra, ba = spend.get((a, fy)), spend.get((a, baseline_fy))
        wa, la = staff.get((a, fy)), sites.get((a, fy))
        rows.append(
            {
                "Anchor": names[a],
                "Type": types[a],
                "Spend £m": None if ra is None else round(float(ra["spend_gbp"]) / 1e6, 1),
                "Local %": None if ra is None else round(float(ra["local_pct"]), 1),
                f"Change since {baseline_fy} (pp)": None
                if ra is None or ba is None
                else round(float(ra["local_pct"] - ba["local_pct"]), 1),
                "Local trend": spark.get(a, []),
                "SME %": None if ra is None else round(float(ra["sme_pct"]), 1),
                "Staff living locally %": None if wa is None else wa["B2_pct"],
                "Real Living Wage %": None if wa is None else wa["B5_pct"],
                "Headcount": None if wa is None or pd.isna(wa["headcount"]) else int(wa["headcount"]),
                "Sites held": None if la is None else int(la["sites_held"]),
            }
        )
    league = pd.DataFrame(rows)
    if league.empty:
        return league
    rank = league.groupby("Type")["Local %"].rank(ascending=False, method="min")
    size = league.groupby("Type")["Local %"].transform("count")
    overall = league["Local %"].rank(ascending=False, method="min")
    league.insert(
        4,
        "Rank (all anchors)",
        [None if pd.isna(r) else f"{int(r)} of {int(overall.notna().sum())}" for r in overall],
    )
    if (size > 1).any():
        league.insert(
            5,
            "Rank in type",
            ["" if pd.isna(r) or n < 2 else f"{int(r)} of {int(n)}" for r, n in zip(rank, size)],
        )
    return league.sort_values(["Type", "Local %"], ascending=[True, False])


def targets_against_actuals(
    all_targets: pd.DataFrame, frames: dict[str, pd.DataFrame], fy: str
) -> pd.DataFrame:
    """The network's targets (``targets_all``, scope '_all') on the catalogue's percentage
    indicators against the set's actual value in ``fy`` (``frames``: each catalogue source's
    rows), with the gap and the status rule of cwb.targets; in catalogue order."""
    from cwb import catalogue, targets

    out = []
    for entry in catalogue.CATALOGUE:
        t = all_targets[(all_targets["indicator"] == entry.id) & (all_targets["scope_id"] == "_all")]
        if t.empty or entry.format != "pct":
            continue
        src = frames[entry.source]
        act = src[(src["anchor_id"] == "_all") & (src["financial_year"] == fy)] if len(src) else src
        actual = (
            None if not len(act) or pd.isna(act.iloc[0][entry.column]) else float(act.iloc[0][entry.column])
        )
        target = float(t.iloc[0]["target_value"])
        s = targets.status(actual, target, t.iloc[0]["direction"])
        out.append(
            {
                "Indicator": f"{entry.label} ({entry.id})",
                "Target %": target,
                "Actual %": None if actual is None else round(actual, 1),
                "Gap (pp)": None if actual is None else round(actual - target, 1),
                "Status": targets.STATUS_TEXT[s],
            }
        )
    return pd.DataFrame(out)


def position(ind: pd.DataFrame, anchor: str, fy: str, types: dict[str, str]) -> dict:
    """An anchor's place on local spend (A2) in ``fy`` among the network's anchors (rows of
    ``spend_indicators`` for every anchor; ties share the higher place) and among anchors of its
    own type (``types``: anchor -> type code), with that type's spend-weighted local share."""
    now = ind[(ind["financial_year"] == fy) & (ind["anchor_id"] != "_all")]
    rank = now["local_pct"].astype(float).rank(ascending=False, method="min")
    same = now[now["anchor_id"].map(types) == types.get(anchor)]
    same_rank = same["local_pct"].astype(float).rank(ascending=False, method="min")
    return {
        "rank": int(rank[now["anchor_id"] == anchor].iloc[0]),
        "of": len(now),
        "rank_in_type": int(same_rank[same["anchor_id"] == anchor].iloc[0]),
        "of_type": len(same),
        "type_local_pct": 100 * float(same["local_gbp"].sum()) / float(same["spend_gbp"].sum())
        if float(same["spend_gbp"].sum())
        else None,
    }
