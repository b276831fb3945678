"""The real Living Wage (UK and London hourly rates), as a small table carried by the project.

Source: Living Wage Foundation announcements (livingwage.org.uk), made each autumn during
Living Wage Week; accredited employers must pay the new rate by the following spring, so a
financial year ``Y-(Y+1)`` uses the rate announced in autumn ``Y-1`` (the 2025-26 year uses
the rate announced in October 2024, £12.60 / £13.85).

Rates are facts (not a copyrighted table). Only rates confirmed from published announcements
are carried (2014 onwards); 2017 and 2022 are implied by the following year's stated rise.
Rates before 2014 are not carried: B5 for years before 2015-16 is reported as "no rate".
A test checks these values against ../shared/reference/real_living_wage_rates.csv.
"""

from __future__ import annotations

from decimal import Decimal

SOURCE = "Living Wage Foundation, real Living Wage announcements (livingwage.org.uk)"

# year announced: (UK £/hour, London £/hour, month announced)
RATES: dict[int, tuple[Decimal, Decimal, int]] = {
    2014: (Decimal("7.85"), Decimal("9.15"), 11),
    2015: (Decimal("8.25"), Decimal("9.40"), 11),
    2016: (Decimal("8.45"), Decimal("9.75"), 10),
    2017: (Decimal("8.75"), Decimal("10.20"), 11),
    2018: (Decimal("9.00"), Decimal("10.55"), 11),
    2019: (Decimal("9.30"), Decimal("10.75"), 11),
    2020: (Decimal("9.50"), Decimal("10.85"), 11),
    2021: (Decimal("9.90"), Decimal("11.05"), 11),
    2022: (Decimal("10.90"), Decimal("11.95"), 9),
    2023: (Decimal("12.00"), Decimal("13.15"), 10),
    2024: (Decimal("12.60"), Decimal("13.85"), 10),
    2025: (Decimal("13.45"), Decimal("14.80"), 10),
}


def announced_for(financial_year: str) -> int:
    """The autumn whose announcement applies in a financial year: '2025-26' -> 2024."""
    return int(financial_year[:4]) - 1


def rate(financial_year: str, london: bool = False) -> float | None:
    """The real Living Wage in force in a financial year (None when the project carries no rate)."""
    r = RATES.get(announced_for(financial_year))
    if r is None:
        return None
    return float(r[1] if london else r[0])


def is_london(lad_code: str | None) -> bool:
    """London boroughs (and the City) have E09 codes; the London rate applies to work there."""
    return bool(lad_code) and str(lad_code).startswith("E09")
