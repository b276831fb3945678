"""Disclosure control, in one place, applied before any staff figure is shown or exported.

Rules (indicators.md, "Disclosure control"):

- primary suppression: a count below ``k`` (default 10, CWB_SUPPRESS_K) is never shown: it
  becomes the marker ``"<k"`` (a number NaN in the values used by charts); zero is not
  disclosive and is shown as 0. A row whose total (headcount) is below ``k`` is suppressed whole;
- secondary protection by rounding: every staff count that is shown is rounded to the nearest 5
  (and never shown below ``k``). Rounding is applied to *every* shown count, not only to the row
  of a suppressed cell, because a suppressed cell can also be recovered across rows (network
  total minus the other anchors), across views (the network minus "all anchors but one"), and
  across map levels (an MSOA minus its LSOAs). With every shown count rounded, each such
  difference carries an error of several units and a suppressed value cannot be recovered;
- percentages are computed from the protected (rounded) counts, and a percentage whose
  numerator or denominator is suppressed is suppressed too;
- map areas with fewer than ``k`` staff are merged with the other small areas of the next
  larger area (LSOAs within their MSOA, then within their district) once the merged group
  reaches ``k``, and hidden otherwise (their total is given only as a protected count).

Every workforce view and export goes through :func:`protect_table`, :func:`protect_areas` or
:func:`display_count`; a test sweeps the views and exports for any count between 1 and k-1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cwb import config

ROUND_TO = 5


def k_default() -> int:
    return config.suppress_k()


def marker(k: int) -> str:
    return f"<{k}"


def round5(v: float) -> int:
    """Nearest multiple of 5 (halves up): 12 -> 10, 13 -> 15, 2 -> 0."""
    return int(ROUND_TO * math.floor(float(v) / ROUND_TO + 0.5))


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def is_small(v, k: int) -> bool:
    return not _missing(v) and 0 < float(v) < k


def protect_value(v, k: int | None = None) -> float | None:
    """One count protected: None when missing or suppressed (1..k-1), else rounded to 5 and
    never below k (with k = 7, a 7 shows as 10, not 5)."""
    k = k or k_default()
    if _missing(v):
        return None
    x = float(v)
    if x <= 0:
        return 0.0
    if x < k:
        return None
    floor_k = ROUND_TO * math.ceil(k / ROUND_TO)
    return float(max(round5(x), floor_k))


def display_count(v, k: int | None = None) -> str:
    """One count for a headline or a tooltip: '<k', '–' (missing) or the rounded number."""
    k = k or k_default()
    if _missing(v):
        return "–"
    if is_small(v, k):
        return marker(k)
    return f"{protect_value(v, k):,.0f}"


@dataclass
class Protected:
    """A protected table: ``values`` (numbers, NaN where suppressed) and ``display`` (text)."""

    values: pd.DataFrame
    display: pd.DataFrame
    suppressed_cells: int
    rounded_cells: int


def protect_table(
    df: pd.DataFrame,
    count_cols: list[str],
    k: int | None = None,
    total_col: str | None = None,
    measure_cols: tuple[str, ...] = (),
) -> Protected:
    """Protect the count columns of each row (a row is one group with an optional total column).

    ``values`` keeps numbers for charts (NaN where suppressed, rounded to 5 elsewhere);
    ``display`` has the text to show ("<10", "1,235"). ``measure_cols`` (e.g. FTE) are not counts
    of people but are protected the same way: hidden when the row's total is suppressed or when
    below ``k`` themselves, else rounded to 5 (never shown below ``k``)."""
    k = k or k_default()
    cols = list(count_cols) + ([total_col] if total_col else [])
    vals = df.copy()
    disp = df.copy()
    floor_k = ROUND_TO * math.ceil(k / ROUND_TO)
    if total_col:
        t = pd.to_numeric(df[total_col], errors="coerce").astype(float)
        whole = ((t > 0) & (t < k)).to_numpy()
    else:
        whole = np.zeros(len(df), dtype=bool)
    n_supp = n_round = 0
    for c in [*cols, *measure_cols]:
        x = pd.to_numeric(df[c], errors="coerce").astype(float).to_numpy()
        missing = np.isnan(x)
        near5 = ROUND_TO * np.floor(np.nan_to_num(x) / ROUND_TO + 0.5)
        if c in measure_cols:
            # a measure of staff (FTE) is protected like a count: hidden with its row, hidden when
            # between 0 and k (an FTE of 3.5 says as much as a headcount of 4), else rounded to 5
            small = (whole | ((x > 0) & (x < k))) & ~missing
            shown = np.where(x > 0, np.maximum(near5, floor_k), near5)
        else:
            small = whole | ((x > 0) & (x < k))
            shown = np.where(x > 0, np.maximum(near5, floor_k), 0.0)
            n_supp += int(small.sum())
            n_round += int(((shown != x) & ~small & ~missing).sum())
        v = np.where(small | missing, np.nan, shown)
        vals[c] = v
        disp[c] = [
            marker(k) if sm else ("–" if ms else f"{sv:,.0f}") for sm, ms, sv in zip(small, missing, v)
        ]
    vals["rounded_to_5"] = True
    return Protected(vals, disp, n_supp, n_round)


def pct(num, den, digits: int = 1):
    """A percentage from protected counts: None when either part is suppressed or den is 0."""
    if _missing(num) or _missing(den):
        return None
    try:
        n, d = float(num), float(den)
    except (TypeError, ValueError):
        return None
    if math.isnan(n) or math.isnan(d) or d <= 0:
        return None
    return round(100 * n / d, digits)


def protect_areas(
    df: pd.DataFrame, count_col: str, k: int | None = None, parent_col: str | list[str] | None = None
) -> tuple[pd.DataFrame, dict]:
    """Areas for a map, protected.

    Areas with at least ``k`` staff are kept (count rounded to 5). Areas below ``k`` are grouped
    by ``parent_col`` (e.g. the MSOA of each LSOA; a list gives further levels, e.g. the MSOA
    and then the district): a group that reaches ``k`` becomes one merged area (``area_code`` =
    the parent, ``members`` = the small areas in it, ``merged`` = True); what is still below
    ``k`` after the last level is hidden. Returns (areas to draw, summary); the summary's
    ``hidden_total`` is itself protected ("<k" or rounded)."""
    k = k or k_default()
    parents = [parent_col] if isinstance(parent_col, str) else list(parent_col or [])
    d = df.copy()
    d[count_col] = pd.to_numeric(d[count_col], errors="coerce").fillna(0)
    d = d[d[count_col] > 0]
    small = d[count_col] < k
    shown = d[~small].copy()
    shown["members"] = [[c] for c in shown["area_code"]]
    shown["merged"] = False
    rest = d[small]
    groups = []
    for pc in parents:
        if not len(rest):
            break
        acc: dict[str, list] = {}
        for parent, code, v in zip(rest[pc], rest["area_code"], rest[count_col]):
            if isinstance(parent, str):
                g = acc.setdefault(parent, [0.0, []])
                g[0] += float(v)
                g[1].append(code)
        big = {p_: g for p_, g in acc.items() if g[0] >= k}
        if big:
            groups.append(
                pd.DataFrame(
                    {
                        "area_code": list(big),
                        count_col: [g[0] for g in big.values()],
                        "members": [g[1] for g in big.values()],
                        "merged": True,
                    }
                )
            )
            done = {c for g in big.values() for c in g[1]}
            rest = rest[~rest["area_code"].isin(done)]
    merged = pd.concat(groups, ignore_index=True) if groups else None
    out = pd.concat([shown, merged], ignore_index=True) if merged is not None else shown
    out[count_col] = [protect_value(v, k) for v in out[count_col]]
    hidden_sum = float(rest[count_col].sum())
    summary = {
        "areas_hidden": int(len(rest)),
        "areas_merged": int(sum(len(m) for m in merged["members"])) if merged is not None else 0,
        "groups_merged": int(len(merged)) if merged is not None else 0,
        "hidden_total": display_count(hidden_sum, k) if len(rest) else "0",
        "k": k,
    }
    return out.reset_index(drop=True), summary
