"""Workforce indicators (B1-B14) from staff counts by area, protected before display.

Real Living Wage rates (Living Wage Foundation), announced in the autumn and applied from the
following spring: a financial year ``Y-(Y+1)`` uses the rate announced in autumn ``Y-1``.
The rates are in :mod:`cwb.reference.rlw` (2014 onwards, with their source).
"""

from __future__ import annotations

import pandas as pd

from cwb import privacy
from cwb.reference import rlw

# The rates live in cwb.reference.rlw (with their source); kept here under the old names.
RLW_RATES = {y: (float(u), float(ldn)) for y, (u, ldn, _m) in rlw.RATES.items()}


def rlw_rate(financial_year: str, london: bool = False) -> float | None:
    """The real Living Wage in force in a financial year ('2025-26' -> announced autumn 2024)."""
    return rlw.rate(financial_year, london)


COUNTS = [
    "headcount",
    "local_headcount",
    "deprived_headcount",
    "adult_headcount",
    "paid_rlw",
    "apprentices",
    "apprentice_starts",
    "entry_hires",
    "entry_hires_local",
    "entry_hires_deprived",
    "insecure",
]

INDICATORS = {
    # id: (label, numerator column, denominator column)
    "B2": ("Staff living in the local area", "local_headcount", "headcount"),
    "B3": ("Staff living in the most deprived 20% of areas", "deprived_headcount", "headcount"),
    "B5": ("Staff paid at least the real Living Wage", "paid_rlw", "adult_headcount"),
    "B8": ("Apprentices as % of headcount", "apprentices", "headcount"),
    "B10L": ("Entry-level hires from the local area", "entry_hires_local", "entry_hires"),
    "B10D": ("Entry-level hires from deprived areas", "entry_hires_deprived", "entry_hires"),
    "B14": ("Staff on insecure contracts (zero-hours, agency, bank)", "insecure", "headcount"),
}


def protected_indicators(
    raw: pd.DataFrame, k: int | None = None, deprived_pop_pct: float | None = None
) -> pd.DataFrame:
    """One row per anchor-year: protected counts (numbers, NaN where suppressed, rounded to 5),
    the display text of each count (``<count>_text``), and every percentage computed from the
    protected counts. ``deprived_pop_pct``: the local population's share (%) living in IMD
    decile 1-2 LSOAs, the denominator of B4 (None when no population is loaded)."""
    k = k or privacy.k_default()
    if raw.empty:
        return raw
    prot = privacy.protect_table(
        raw, [c for c in COUNTS if c != "headcount"], k=k, total_col="headcount", measure_cols=("fte",)
    )
    out = prot.values.copy()
    for c in [*COUNTS, "fte"]:
        out[f"{c}_text"] = prot.display[c]
    for ind, (_label, num, den) in INDICATORS.items():
        out[f"{ind}_pct"] = [privacy.pct(n, d) for n, d in zip(out[num], out[den])]
    out["B4_ratio"] = [
        None
        if (b3 is None or deprived_pop_pct in (None, 0) or pd.isna(deprived_pop_pct))
        else round(b3 / deprived_pop_pct, 2)
        for b3 in out["B3_pct"]
    ]
    return out
