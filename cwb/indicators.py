"""Indicator values as plain data (the CLI's JSON), from the same SQL the pages use.

Every indicator carries its numerator, denominator and unit; the method settings used (local
geography, wider area, region, denominator rule, IMD edition, anchors, period) are returned
with them, so a figure can always be traced.
"""

from __future__ import annotations

import math
from typing import Any

import duckdb

from cwb import db

DENOMINATOR_LABELS = {
    "all": "all third-party spend",
    "influenceable": "influenceable spend (excludes public bodies, tax and pensions)",
    "top_n": "spend with the top {n} suppliers of each anchor",
}


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, 4)


def _share(ind: str, name: str, num_gbp, den_gbp, num_label: str, den_label: str) -> dict:
    num, den = _num(num_gbp), _num(den_gbp)
    pct = None if not den or num is None else round(100 * num / den, 4)
    return {"id": ind, "name": name, "value": pct, "unit": "%", "numerator_gbp": num,
            "numerator": num_label, "denominator_gbp": den, "denominator": den_label}


def method(con: duckdb.DuckDBPyConnection, network_id: str | None = None, **over: Any) -> dict[str, Any]:
    """Resolve the method settings: the network's defaults, overridden by ``over``."""
    nets = db.run("networks", con)
    if nets.empty:
        raise ValueError("the database has no network: load the demo or import data first")
    if network_id is None:
        network_id = nets["network_id"].iloc[0]
    if network_id not in set(nets["network_id"]):
        raise ValueError(f"unknown network {network_id!r}; known: {', '.join(nets['network_id'])}")
    net = nets.set_index("network_id").loc[network_id]
    years = db.run("financial_years", con, network_id=network_id)["financial_year"].tolist()
    editions = db.run("imd_editions", con)["edition"].tolist()
    m = {
        "network_id": network_id,
        "network_name": net["name"],
        "local_lads": list(net["local_lad_codes"]),
        "wider_lads": sorted(set(net["wider_lad_codes"]) | set(net["local_lad_codes"])),
        "region_code": net["region_code"],
        "denominator": "all",
        "top_n": 300,
        "imd_edition": editions[-1] if editions else "2019",
        "imd_loaded": editions,
        "baseline_fy": net["baseline_fy"] if net["baseline_fy"] in years else (years[0] if years else None),
        "fy": years[-1] if years else None,
        "years": years,
    }
    for k, v in over.items():
        if v is not None:
            m[k] = v
    m["wider_lads"] = sorted(set(m["wider_lads"]) | set(m["local_lads"]))
    if m["fy"] not in years:
        raise ValueError(f"no data for financial year {m['fy']!r}; years with data: {', '.join(years)}")
    return m


def spend_params(m: dict[str, Any], anchors: list[str], fy_from: str, fy_to: str) -> dict[str, Any]:
    return {
        "anchor_ids": anchors, "fy_from": fy_from, "fy_to": fy_to,
        "denominator": m["denominator"], "top_n": int(m["top_n"]),
        "local_lads": m["local_lads"], "wider_lads": m["wider_lads"],
        "region_code": m["region_code"], "imd_edition": m["imd_edition"],
        "network_id": m["network_id"],
    }


def spend_block(row: dict, base: dict | None, den_label: str, m: dict) -> list[dict]:
    """The spend indicators of one row of spend_indicators (and its baseline row)."""
    s = row["spend_gbp"]
    out = [
        {"id": "A1", "name": "Spend in scope", "value": _num(s), "unit": "GBP",
         "numerator": den_label, "denominator": None, "n_suppliers": int(row["n_suppliers"]),
         "n_payments": int(row["n_payments"])},
        _share("A2", "Local spend", row["local_gbp"], s, "spend with suppliers in the local area", den_label),
        _share("A3", "Wider-area spend", row["wider_gbp"], s, "spend with suppliers in the wider area (incl. local)", den_label),
        {"id": "A4", "name": "Concentric split", "unit": "%", "denominator": den_label,
         "value": {k: _num(row[f"{k}_pct"]) for k in ("local", "rest_wider", "rest_region", "rest_uk", "unknown")},
         "numerator_gbp": {k: _num(row[f"{k}_gbp"]) for k in ("local", "rest_wider", "rest_region", "rest_uk", "unknown")}},
        {"id": "A5", "name": "Leakage (spend outside the local area)", "value": _num(row["leakage_gbp"]),
         "unit": "GBP", "numerator": "A1 minus spend in the local area", "denominator": None},
        _share("A7", "SME spend", row["sme_gbp"], s, "spend with suppliers flagged SME", den_label),
        _share("A8", "Local SME spend", row["local_sme_gbp"], s, "spend with local SMEs", den_label),
        _share("A10", "VCSE spend", row["vcse_gbp"], s, "spend with VCSE suppliers", den_label),
        _share("A10L", "Local VCSE spend", row["local_vcse_gbp"], s, "spend with local VCSE suppliers", den_label),
        _share("A11", "Social-economy spend", row["social_gbp"], s, "spend with co-operatives, social enterprises, employee-owned firms", den_label),
        _share("A12", "Spend with suppliers in IMD decile 1-2 areas", row["deprived_gbp"] if row["imd_known_gbp"] else None, s,
               f"spend with suppliers in the most deprived 20% of LSOAs (IMD {m['imd_edition']})", den_label),
        _share("X1", "Spend with a located supplier", row["located_gbp"], s, "spend with suppliers whose postcode resolved", den_label),
        _share("X1b", "Spend with SME status known", row["sme_known_gbp"], s, "spend with suppliers whose SME flag is known", den_label),
    ]
    if base is not None:
        out.append({
            "id": "A6", "name": "Change in local spend since the baseline year",
            "baseline_fy": base["financial_year"],
            "value": {"gbp": _num(row["local_gbp"] - base["local_gbp"]),
                      "pp": _num(row["local_pct"] - base["local_pct"]),
                      "denominator_change_gbp": _num(row["spend_gbp"] - base["spend_gbp"])},
            "unit": "GBP and percentage points",
        })
    return out


def compute(con: duckdb.DuckDBPyConnection, anchor: str | None = None, fy: str | None = None,
            network_id: str | None = None, denominator: str = "all", top_n: int = 300,
            imd_edition: str | None = None, local_lads: list[str] | None = None,
            wider_lads: list[str] | None = None, baseline_fy: str | None = None) -> dict[str, Any]:
    """All spend indicators for one anchor (or several, comma-separated) or the network."""
    m = method(con, network_id, fy=fy, denominator=denominator, top_n=top_n, imd_edition=imd_edition,
               local_lads=local_lads, wider_lads=wider_lads, baseline_fy=baseline_fy)
    known = db.run("anchors", con, network_id=m["network_id"])["anchor_id"].tolist()
    anchors = [a.strip() for a in anchor.split(",")] if anchor else []
    bad = [a for a in anchors if a not in known]
    if bad:
        raise ValueError(f"unknown anchor {', '.join(bad)}; known: {', '.join(known)}")
    den_label = DENOMINATOR_LABELS[m["denominator"]].format(n=m["top_n"])
    lo, hi = sorted([m["fy"], m["baseline_fy"]])
    ind = db.run("spend_indicators", con, **spend_params(m, anchors or known, lo, hi))
    rows = ind[ind["anchor_id"] == "_all"].set_index("financial_year")
    if m["fy"] not in rows.index:
        raise ValueError(f"no payments for the chosen anchors in {m['fy']}")
    row = rows.loc[m["fy"]].to_dict()
    row["financial_year"] = m["fy"]
    base = None
    if m["baseline_fy"] in rows.index and m["baseline_fy"] != m["fy"]:
        base = rows.loc[m["baseline_fy"]].to_dict()
        base["financial_year"] = m["baseline_fy"]
    out_ind = spend_block(row, base, den_label, m)
    p = spend_params(m, anchors or known, m["fy"], m["fy"])
    conc = db.run("spend_concentration", con, **p).set_index("anchor_id").loc["_all"]
    out_ind.append({"id": "A14", "name": "Supplier concentration", "unit": "% and index",
                    "value": {"top10_pct": _num(conc["top10_pct"]), "top20_pct": _num(conc["top20_pct"]),
                              "hhi": _num(conc["hhi"])}, "denominator": den_label})
    cats = db.run("spend_by_category", con, **p)
    out_ind.append({"id": "A13", "name": "Local share by category", "unit": "%", "denominator": "category spend",
                    "value": [{"category": r.category, "spend_gbp": _num(r.spend_gbp), "local_gbp": _num(r.local_gbp),
                               "local_pct": _num(r.local_pct), "leakage_gbp": _num(r.leakage_gbp),
                               "n_local_suppliers_network": int(r.n_local_suppliers_network)}
                              for r in cats.itertuples()]})
    pp = db.run("spend_prompt_payment", con, **p)
    pp = pp[(pp["anchor_id"] == "_all") & (pp["financial_year"] == m["fy"])]
    if len(pp):
        r = pp.iloc[0]
        out_ind.append({"id": "A17", "name": "Prompt payment", "unit": "% of invoices and days",
                        "value": {"within_30_pct": _num(r["within_30_pct"]), "days_31_60_pct": _num(r["days_31_60_pct"]),
                                  "over_60_pct": _num(r["over_60_pct"]), "avg_days": _num(r["avg_days"]),
                                  "n_invoices": int(r["n_invoices"])},
                        "denominator": "invoices with an invoice date"})
    sh = db.run("spend_shared_suppliers", con, **p).iloc[0]
    out_ind.append({"id": "X6", "name": "Suppliers shared by two or more anchors (whole network)",
                    "unit": "count, GBP and %", "value": {"n_suppliers": int(sh["n_shared_suppliers"]),
                                                         "spend_gbp": _num(sh["shared_spend_gbp"]),
                                                         "pct_of_network_spend": _num(sh["shared_pct"])}})
    return {
        "scope": {"network_id": m["network_id"], "network_name": m["network_name"],
                  "anchors": anchors or known, "whole_network": not anchors},
        "period": {"financial_year": m["fy"], "baseline_fy": m["baseline_fy"]},
        "method": {"local_lads": m["local_lads"], "wider_lads": m["wider_lads"],
                   "region_code": m["region_code"], "denominator": m["denominator"],
                   "denominator_label": den_label, "top_n": m["top_n"],
                   "imd_edition": m["imd_edition"], "imd_loaded": m["imd_loaded"],
                   "network_figures": "spend-weighted sums over the anchors (never averages of percentages)",
                   "location": _location(con, anchors or known, m["fy"])},
        "indicators": out_ind,
    }


def _location(con: duckdb.DuckDBPyConnection, anchors: list[str], fy: str) -> dict:
    """How suppliers were located (registers, issue 13): spend by method, with snapshots and the note."""
    from cwb.registers import METHOD_NOTE

    lm = db.run("located_by_method", con, anchor_ids=anchors, fy=fy)
    return {"by_method": [{"method": r.method, "spend_gbp": _num(r.spend_gbp), "pct": _num(r.pct),
                           "n_suppliers": int(r.n_suppliers),
                           "register_snapshot": r.snapshot if isinstance(r.snapshot, str) else None}
                          for r in lm.itertuples()],
            "note": METHOD_NOTE}
