"""Disclosure control, in one place, applied before any staff figure is shown or exported.

Rules (indicators.md, "Disclosure control"):

- a count below ``k`` (default 10, CWB_SUPPRESS_K) is never shown: it becomes the marker
  ``"<k"``; zero is not disclosive and is shown as 0;
- secondary protection: every count that is shown is rounded to the nearest 5, so a suppressed
  value cannot be recovered by subtracting the others from a total, whether within a row, across
  anchors (the network total minus the other anchors) or across map levels;
- percentages are computed from protected counts, and a percentage whose numerator is
  suppressed is suppressed too;
- map areas with small counts are not drawn (they are counted together as "other areas").

Every workforce view and export goes through :func:`protect_table` or :func:`protect_areas`;
a test sweeps the views and exports for any count between 1 and k-1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from cwb import config


def k_default() -> int:
    return config.suppress_k()


def marker(k: int) -> str:
    return f"<{k}"


def round5(v: float) -> int:
    return int(5 * math.floor(float(v) / 5 + 0.5))


def is_small(v, k: int) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and 0 < float(v) < k


@dataclass
class Protected:
    """A protected table: ``values`` (numbers, NaN where suppressed) and ``display`` (text)."""

    values: pd.DataFrame
    display: pd.DataFrame
    suppressed_cells: int
    rounded_rows: int


def protect_table(df: pd.DataFrame, count_cols: list[str], k: int | None = None,
                  total_col: str | None = None) -> Protected:
    """Protect the count columns of each row (a row is one group, with an optional total column).

    ``values`` keeps numbers for charts (NaN where suppressed, rounded where the row needed
    secondary protection); ``display`` has the text to show ("<10", "1,235").
    """
    k = k or k_default()
    cols = list(count_cols) + ([total_col] if total_col else [])
    vals = df.copy()
    disp = df.copy()
    n_supp = 0
    n_round = 0
    rounded = [False] * len(df)
    for c in cols:
        vals[c] = pd.to_numeric(vals[c], errors="coerce").astype(float)
        disp[c] = disp[c].astype(object)
    for i in range(len(df)):
        row = vals.iloc[i]
        small = [c for c in count_cols if is_small(row[c], k)]
        if total_col and is_small(row[total_col], k):
            small = list(cols)  # a small group: nothing in it is shown
        for c in cols:
            v = row[c]
            if c in small:
                vals.iat[i, vals.columns.get_loc(c)] = float("nan")
                disp.iat[i, disp.columns.get_loc(c)] = marker(k)
                n_supp += 1
            elif isinstance(v, float) and math.isnan(v):
                disp.iat[i, disp.columns.get_loc(c)] = "–"
            else:
                nv = float(round5(v))
                vals.iat[i, vals.columns.get_loc(c)] = nv
                disp.iat[i, disp.columns.get_loc(c)] = f"{nv:,.0f}"
        if small:
            n_round += 1
            rounded[i] = True
    vals["rounded_to_5"] = rounded
    return Protected(vals, disp, n_supp, n_round)


def pct(num, den, digits: int = 1):
    """A percentage from protected counts: None when either part is suppressed or den is 0."""
    if num is None or den is None:
        return None
    try:
        n, d = float(num), float(den)
    except (TypeError, ValueError):
        return None
    if math.isnan(n) or math.isnan(d) or d <= 0:
        return None
    return round(100 * n / d, digits)


def protect_areas(df: pd.DataFrame, count_col: str, k: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Areas for a map: areas below ``k`` are dropped (counted together), and if any was dropped
    the remaining counts are rounded to the nearest 5. Returns (areas to draw, summary)."""
    k = k or k_default()
    d = df.copy()
    d[count_col] = pd.to_numeric(d[count_col], errors="coerce").fillna(0)
    small = d[count_col].between(1, k - 1)
    hidden = d[small]
    shown = d[~small & (d[count_col] > 0)].copy()
    shown[count_col] = shown[count_col].map(round5)
    summary = {
        "areas_hidden": int(len(hidden)),
        # the hidden total is itself protected: shown only if it is not small, rounded to 5
        "hidden_total": (marker(k) if 0 < hidden[count_col].sum() < k else f"{round5(hidden[count_col].sum()):,}")
        if len(hidden) else "0",
        "k": k,
    }
    return shown, summary


def display_count(v, k: int | None = None) -> str:
    """One count for a headline or tooltip."""
    k = k or k_default()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if is_small(v, k):
        return marker(k)
    return f"{float(v):,.0f}"
