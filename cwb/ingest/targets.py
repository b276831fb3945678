"""Targets: indicator, scope (network or anchor), financial year, value, direction."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from cwb.ingest import importer, vocab
from cwb.ingest.readers import propose_mapping

ALIASES: dict[str, list[str]] = vocab.for_kind("targets")  # the one vocabulary (cwb.ingest.vocab)


def read_targets(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    anchor_id: str | None = None,
    mapping: dict[str, str] | None = None,
) -> importer.Staged:
    staged, tab = importer.begin(path, "targets", con, anchor_id, ALIASES, mapping)
    rep = staged.report
    if tab is None:
        return staged
    df = tab.data
    m = dict(mapping) if mapping else propose_mapping(list(df.columns), ALIASES)
    rep.mapped = staged.mapping = m
    miss = [
        k for k in ("indicator", "scope_type", "scope_id", "financial_year", "target_value") if k not in m
    ]
    if miss:
        rep.error = f"missing columns: {', '.join(miss)}"
        return staged
    rep.rows_read = len(df)
    rows = []
    for i, r in enumerate(df.to_dict("records")):
        line = tab.line_numbers[i]
        st = str(r[m["scope_type"]]).strip().lower()
        fy = str(r[m["financial_year"]]).strip()
        val = pd.to_numeric(str(r[m["target_value"]]).replace("%", "").strip(), errors="coerce")
        direction = str(r.get(m.get("direction", ""), "higher") or "higher").strip().lower()
        why = []
        if st not in ("network", "anchor"):
            why.append(f"scope_type must be network or anchor, not '{st[:20]}'")
        if not re.fullmatch(r"\d{4}-\d{2}", fy):
            why.append(f"financial year must look like 2024-25, not '{fy[:20]}'")
        if pd.isna(val):
            why.append("target value is not a number")
        if direction not in ("higher", "lower"):
            why.append("direction must be higher or lower")
        if why:
            rep.rejected.append((line, "; ".join(why)))
            continue
        rows.append(
            {
                "indicator": str(r[m["indicator"]]).strip(),
                "scope_type": st,
                "scope_id": str(r[m["scope_id"]]).strip(),
                "financial_year": fy,
                "target_value": float(val),
                "direction": direction,
            }
        )
    out = pd.DataFrame(rows).drop_duplicates(
        ["indicator", "scope_type", "scope_id", "financial_year"], keep="last"
    )
    rep.rows_ok = len(out)
    staged.frames = {"target": out}
    staged.upsert_keys = {"target": ["indicator", "scope_type", "scope_id", "financial_year"]}
    return staged
