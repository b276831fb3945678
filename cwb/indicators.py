"""Indicator values as plain data (the CLI's JSON), from the same SQL the pages use.

Every indicator carries its numerator, denominator and unit; the method settings used (local
geography, wider area, region, denominator rule, IMD edition, anchors, period) are returned
with them, so a figure can always be traced.
"""

from __future__ import annotations

import math
from typing import Any

import duckdb

from cwb import catalogue, db
from cwb.method import DEFAULT_TOP_N, DENOMINATOR_LABELS, Method  # noqa: F401  (DENOMINATOR_LABELS: old name)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, 4)


def compute(
    con: duckdb.DuckDBPyConnection,
    anchor: str | None = None,
    fy: str | None = None,
    network_id: str | None = None,
    denominator: str = "all",
    top_n: int = DEFAULT_TOP_N,
    imd_edition: str | None = None,
    local_lads: list[str] | None = None,
    wider_lads: list[str] | None = None,
    baseline_fy: str | None = None,
) -> dict[str, Any]:
    """All indicators for one anchor (or several, comma-separated) or the network: every
    catalogue indicator (cwb.catalogue) plus the compound spend ones (A4, A6, A13, A14, A17, X6)."""
    anchors = [a.strip() for a in anchor.split(",") if a.strip()] if anchor else []
    m = Method.for_network(
        con,
        network_id,
        anchors=anchors,
        fy=fy,
        baseline_fy=baseline_fy,
        local_lads=local_lads,
        wider_lads=wider_lads,
        denominator=denominator,
        top_n=top_n,
        imd_edition=imd_edition,
    )
    return compute_for(con, m)


def compute_for(con: duckdb.DuckDBPyConnection, m: Method) -> dict[str, Any]:
    """The CLI's JSON for a method."""
    frames = catalogue.source_frames(con, m)
    rows = frames["spend_indicators"]
    rows = rows[rows["anchor_id"] == "_all"].set_index("financial_year")
    if m.fy not in rows.index:
        raise ValueError(f"no payments for the chosen anchors in {m.fy}")
    row = rows.loc[m.fy].to_dict()
    base = (
        rows.loc[m.baseline_fy].to_dict() if m.baseline_fy in rows.index and m.baseline_fy != m.fy else None
    )
    out_ind = []
    for item in catalogue.values(con, m, frames):
        item = {k: v for k, v in item.items() if k not in ("text", "pillar", "change", "baseline_fy")}
        if item["id"] == "A1":
            item.update(
                denominator=None, n_suppliers=int(row["n_suppliers"]), n_payments=int(row["n_payments"])
            )
        if item["id"] == "A12":
            item["numerator"] += f" (IMD {m.imd_edition})"
            if item["value"] is None:  # no deprivation edition loaded: unknown, not zero
                item["numerator_gbp"] = None
        out_ind.append(item)
    bands = ("local", "rest_wider", "rest_region", "rest_uk", "unknown")
    out_ind.append(
        {
            "id": "A4",
            "name": "Concentric split",
            "unit": "%",
            "denominator": m.denominator_label,
            "value": {k: _num(row[f"{k}_pct"]) for k in bands},
            "numerator_gbp": {k: _num(row[f"{k}_gbp"]) for k in bands},
        }
    )
    if base is not None:
        out_ind.append(
            {
                "id": "A6",
                "name": "Change in local spend since the baseline year",
                "baseline_fy": m.baseline_fy,
                "value": {
                    "gbp": _num(row["local_gbp"] - base["local_gbp"]),
                    "pp": _num(row["local_pct"] - base["local_pct"]),
                    "denominator_change_gbp": _num(row["spend_gbp"] - base["spend_gbp"]),
                },
                "unit": "GBP and percentage points",
            }
        )
    den_label = m.denominator_label
    conc = m.run("spend_concentration", con).set_index("anchor_id").loc["_all"]
    out_ind.append(
        {
            "id": "A14",
            "name": "Supplier concentration",
            "unit": "% and index",
            "value": {
                "top10_pct": _num(conc["top10_pct"]),
                "top20_pct": _num(conc["top20_pct"]),
                "hhi": _num(conc["hhi"]),
            },
            "denominator": den_label,
        }
    )
    cats = m.run("spend_by_category", con)
    out_ind.append(
        {
            "id": "A13",
            "name": "Local share by category",
            "unit": "%",
            "denominator": "category spend",
            "value": [
                {
                    "category": r.category,
                    "spend_gbp": _num(r.spend_gbp),
                    "local_gbp": _num(r.local_gbp),
                    "local_pct": _num(r.local_pct),
                    "leakage_gbp": _num(r.leakage_gbp),
                    "n_local_suppliers_network": int(r.n_local_suppliers_network),
                }
                for r in cats.itertuples()
            ],
        }
    )
    pp = m.run("spend_prompt_payment", con)
    pp = pp[(pp["anchor_id"] == "_all") & (pp["financial_year"] == m.fy)]
    if len(pp):
        r = pp.iloc[0]
        out_ind.append(
            {
                "id": "A17",
                "name": "Prompt payment",
                "unit": "% of invoices and days",
                "value": {
                    "within_30_pct": _num(r["within_30_pct"]),
                    "days_31_60_pct": _num(r["days_31_60_pct"]),
                    "over_60_pct": _num(r["over_60_pct"]),
                    "avg_days": _num(r["avg_days"]),
                    "n_invoices": int(r["n_invoices"]),
                },
                "denominator": "invoices with an invoice date",
            }
        )
    sh = m.run("spend_shared_suppliers", con).iloc[0]
    out_ind.append(
        {
            "id": "X6",
            "name": "Suppliers shared by two or more anchors (whole network)",
            "unit": "count, GBP and %",
            "value": {
                "n_suppliers": int(sh["n_shared_suppliers"]),
                "spend_gbp": _num(sh["shared_spend_gbp"]),
                "pct_of_network_spend": _num(sh["shared_pct"]),
            },
        }
    )
    return {
        "scope": {
            "network_id": m.network_id,
            "network_name": m.network_name,
            "anchors": m.chosen_anchors,
            "whole_network": not m.anchors,
        },
        "period": {"financial_year": m.fy, "baseline_fy": m.baseline_fy},
        "method": {**m.as_dict(), "location": _location(con, m.network_id, list(m.chosen_anchors), m.fy)},
        "statement": m.statement(),
        "indicators": out_ind,
    }


def _location(con: duckdb.DuckDBPyConnection, network_id: str, anchors: list[str], fy: str) -> dict:
    """How suppliers were located (registers, issue 13): spend by method, with snapshots and the note."""
    from cwb.registers import METHOD_NOTE

    lm = db.run("located_by_method", con, network_id=network_id, anchor_ids=anchors, fy=fy)
    return {
        "by_method": [
            {
                "method": r.method,
                "spend_gbp": _num(r.spend_gbp),
                "pct": _num(r.pct),
                "n_suppliers": int(r.n_suppliers),
                "register_snapshot": r.snapshot if isinstance(r.snapshot, str) else None,
            }
            for r in lm.itertuples()
        ],
        "note": METHOD_NOTE,
    }
