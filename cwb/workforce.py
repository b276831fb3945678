"""Workforce indicators (B1-B14) from staff counts by area, protected before display.

Real Living Wage rates (Living Wage Foundation), announced in the autumn and applied from the
following spring: a financial year ``Y-(Y+1)`` uses the rate announced in autumn ``Y-1``.
Only rates confirmed from published announcements are carried (2014 onwards).
"""

from __future__ import annotations

import pandas as pd

from cwb import privacy

# announced (year) -> (UK rate £/hour, London rate £/hour); source: Living Wage Foundation
# announcements as recorded in ../shared/reference/real_living_wage_rates.csv (checked by a test)
RLW_RATES = {
    2014: (7.85, 9.15), 2015: (8.25, 9.40), 2016: (8.45, 9.75), 2017: (8.75, 10.20), 2018: (9.00, 10.55),
    2019: (9.30, 10.75), 2020: (9.50, 10.85), 2021: (9.90, 11.05), 2022: (10.90, 11.95), 2023: (12.00, 13.15),
    2024: (12.60, 13.85), 2025: (13.45, 14.80),
}


def rlw_rate(financial_year: str, london: bool = False) -> float | None:
    """The real Living Wage in force in a financial year ('2025-26' -> announced autumn 2024)."""
    announced = int(financial_year[:4]) - 1
    rates = RLW_RATES.get(announced)
    if rates is None:
        return None
    return rates[1] if london else rates[0]


COUNTS = ["headcount", "local_headcount", "deprived_headcount", "adult_headcount", "paid_rlw", "apprentices",
          "apprentice_starts", "entry_hires", "entry_hires_local", "entry_hires_deprived", "insecure"]

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


def protected_indicators(raw: pd.DataFrame, k: int | None = None, deprived_pop_pct: float | None = None) -> pd.DataFrame:
    """One row per anchor-year: protected counts (numbers, NaN where suppressed), the display
    text of each count, and every percentage computed from the protected counts."""
    k = k or privacy.k_default()
    if raw.empty:
        return raw
    prot = privacy.protect_table(raw, [c for c in COUNTS if c != "headcount"], k=k, total_col="headcount")
    out = prot.values.copy()
    for c in COUNTS:
        out[f"{c}_text"] = prot.display[c]
    out["fte"] = raw["fte"].where(~out["headcount"].isna()).astype(float).round(0)
    for ind, (_label, num, den) in INDICATORS.items():
        out[f"{ind}_pct"] = [privacy.pct(n, d) for n, d in zip(out[num], out[den])]
    out["B4_ratio"] = [
        None if (b3 is None or deprived_pop_pct in (None, 0) or pd.isna(deprived_pop_pct)) else round(b3 / deprived_pop_pct, 2)
        for b3 in out["B3_pct"]
    ]
    return out
