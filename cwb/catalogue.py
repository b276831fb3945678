"""The indicator catalogue: every headline indicator defined once (id, label, unit, numerator,
denominator, format, source query and column). Pages, the CLI's JSON, the slides, the meeting
pack and the exports take labels and values from here.

Adding an indicator (CONTRIBUTING.md): add its column to a metric query (and to the query's
``-- returns:`` header), add one ``Indicator`` below; it then appears on the network overview's
"Every indicator" table, in ``python -m cwb indicators`` and in the meeting pack.
No streamlit here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from cwb import fmt, workforce
from cwb.method import Method

# Where a source's columns come from. Workforce percentages are computed from protected counts
# (cwb.workforce.protected_indicators), never from the raw query.
SOURCES = {
    "spend_indicators": "spend_indicators",
    "workforce": "workforce_indicators",
    "land_indicators": "land_indicators",
}
FORMATS = {
    "pct": fmt.pct,
    "gbp": fmt.gbp,
    "num": fmt.num,
    "ha": lambda v: "–" if _bad(v) else f"{float(v):,.1f} ha",
}
UNITS = {"pct": "%", "gbp": "GBP", "num": "count", "ha": "hectares"}


def _bad(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


@dataclass(frozen=True)
class Indicator:
    id: str  # as in docs/indicators.md (A2, B5, C1, ...)
    label: str  # what the figure is, in plain words
    source: str  # a key of SOURCES
    column: str  # the value's column in the source
    format: str = "pct"  # a key of FORMATS
    numerator: str = ""  # plain-language numerator
    denominator: str = ""  # plain-language denominator; "method" = the method's denominator
    numerator_column: str | None = None
    denominator_column: str | None = None
    higher_is_better: bool | None = True
    pillar: str = "spend"  # spend / workforce / land / data

    @property
    def unit(self) -> str:
        return UNITS[self.format]

    @property
    def query(self) -> str:
        return SOURCES[self.source]

    def title(self) -> str:
        """'Local spend (A2)'."""
        return f"{self.label} ({self.id})"

    def text(self, v: Any) -> str:
        return FORMATS[self.format](v)

    def denominator_text(self, m: Method) -> str:
        return m.denominator_label if self.denominator == "method" else self.denominator


def _spend(id_: str, label: str, column: str, numerator: str, num_col: str | None, **kw: Any) -> Indicator:
    return Indicator(
        id_,
        label,
        "spend_indicators",
        column,
        numerator=numerator,
        denominator="method",
        numerator_column=num_col,
        denominator_column="spend_gbp",
        **kw,
    )


CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "A1",
        "Spend in scope",
        "spend_indicators",
        "spend_gbp",
        "gbp",
        numerator="method",
        higher_is_better=None,
    ),
    _spend("A2", "Local spend", "local_pct", "spend with suppliers in the local area", "local_gbp"),
    _spend(
        "A3",
        "Wider-area spend",
        "wider_pct",
        "spend with suppliers in the wider area (incl. local)",
        "wider_gbp",
    ),
    Indicator(
        "A5",
        "Leakage (spend outside the local area)",
        "spend_indicators",
        "leakage_gbp",
        "gbp",
        numerator="A1 minus spend in the local area",
        higher_is_better=False,
    ),
    _spend("A7", "SME spend", "sme_pct", "spend with suppliers flagged SME", "sme_gbp"),
    _spend("A8", "Local SME spend", "local_sme_pct", "spend with local SMEs", "local_sme_gbp"),
    _spend("A10", "VCSE spend", "vcse_pct", "spend with VCSE suppliers", "vcse_gbp"),
    _spend("A10L", "Local VCSE spend", "local_vcse_pct", "spend with local VCSE suppliers", "local_vcse_gbp"),
    _spend(
        "A11",
        "Social-economy spend",
        "social_pct",
        "spend with co-operatives, social enterprises, employee-owned firms",
        "social_gbp",
    ),
    _spend(
        "A12",
        "Spend with suppliers in IMD decile 1-2 areas",
        "deprived_pct",
        "spend with suppliers in the most deprived 20% of LSOAs",
        "deprived_gbp",
    ),
    _spend(
        "X1",
        "Spend with a located supplier",
        "located_pct",
        "spend with suppliers whose postcode resolved",
        "located_gbp",
        pillar="data",
    ),
    _spend(
        "X1b",
        "Spend with SME status known",
        "sme_known_pct",
        "spend with suppliers whose SME flag is known",
        "sme_known_gbp",
        pillar="data",
    ),
    Indicator(
        "B2",
        "Staff living in the local area",
        "workforce",
        "B2_pct",
        numerator="staff living locally",
        denominator="headcount",
        numerator_column="local_headcount",
        denominator_column="headcount",
        pillar="workforce",
    ),
    Indicator(
        "B3",
        "Staff living in the most deprived 20% of areas",
        "workforce",
        "B3_pct",
        numerator="staff whose home LSOA is in IMD decile 1-2",
        denominator="headcount",
        numerator_column="deprived_headcount",
        denominator_column="headcount",
        pillar="workforce",
    ),
    Indicator(
        "B5",
        "Staff paid at least the real Living Wage",
        "workforce",
        "B5_pct",
        numerator="staff paid at least the real Living Wage",
        denominator="staff aged 18 and over",
        numerator_column="paid_rlw",
        denominator_column="adult_headcount",
        pillar="workforce",
    ),
    Indicator(
        "B8",
        "Apprentices as % of headcount",
        "workforce",
        "B8_pct",
        numerator="apprentices",
        denominator="headcount",
        numerator_column="apprentices",
        denominator_column="headcount",
        pillar="workforce",
    ),
    Indicator(
        "B14",
        "Staff on insecure contracts (zero-hours, agency, bank)",
        "workforce",
        "B14_pct",
        numerator="staff on insecure contracts",
        denominator="headcount",
        numerator_column="insecure",
        denominator_column="headcount",
        higher_is_better=False,
        pillar="workforce",
    ),
    Indicator(
        "C1",
        "Sites held",
        "land_indicators",
        "sites_held",
        "num",
        numerator="sites not disposed of or transferred",
        higher_is_better=None,
        pillar="land",
    ),
    Indicator(
        "C2",
        "Surplus, vacant or under-used",
        "land_indicators",
        "sites_idle",
        "num",
        numerator="sites surplus, vacant or under-used",
        higher_is_better=False,
        pillar="land",
    ),
    Indicator(
        "C4",
        "Transferred to communities (to date)",
        "land_indicators",
        "sites_transferred",
        "num",
        numerator="sites transferred to community ownership",
        pillar="land",
    ),
    Indicator(
        "C5",
        "In community use",
        "land_indicators",
        "sites_community",
        "num",
        numerator="sites in community use",
        pillar="land",
    ),
    Indicator(
        "C9",
        "Sites held in IMD decile 1-2 areas",
        "land_indicators",
        "deprived_pct",
        numerator="sites held in the most deprived 20% of LSOAs",
        denominator="sites held with a known decile",
        numerator_column="sites_deprived",
        denominator_column="sites_imd_known",
        higher_is_better=None,
        pillar="land",
    ),
)
BY_ID = {i.id: i for i in CATALOGUE}


def get(id_: str) -> Indicator:
    return BY_ID[id_]


def label(id_: str) -> str:
    """'Local spend (A2)' for a catalogue id."""
    return BY_ID[id_].title()


# -- values ------------------------------------------------------------------------------------
def source_frames(
    con: duckdb.DuckDBPyConnection, m: Method, fy_from: str | None = None, fy_to: str | None = None
) -> dict[str, pd.DataFrame]:
    """Each source's rows (per anchor and '_all', per year) for the method, each query run once."""
    lo, hi = fy_from or m.period[0], fy_to or m.period[1]
    out = {
        "spend_indicators": m.run("spend_indicators", con, fy_from=lo, fy_to=hi),
        "land_indicators": m.run("land_indicators", con, fy_from=lo, fy_to=hi),
    }
    raw = m.run("workforce_indicators", con, fy_from=lo, fy_to=hi)
    out["workforce"] = workforce.protected_indicators(raw) if len(raw) else raw
    return out


def _num(v: Any) -> float | None:
    if _bad(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, 4)


def values(
    con: duckdb.DuckDBPyConnection | None,
    m: Method,
    frames: dict[str, pd.DataFrame] | None = None,
    anchor: str = "_all",
) -> list[dict[str, Any]]:
    """Every catalogue indicator's value for the method's year (and the change since its
    baseline), for the chosen set ('_all') or one anchor. Indicators without data are left out."""
    if frames is None:
        if con is None:
            raise ValueError("give a connection or the source frames")
        frames = source_frames(con, m)
    out = []
    for ind in CATALOGUE:
        df = frames.get(ind.source)
        if df is None or df.empty or ind.column not in df:
            continue
        rows = df[df["anchor_id"] == anchor].set_index("financial_year")
        if m.fy not in rows.index:
            continue
        r = rows.loc[m.fy]
        b = rows.loc[m.baseline_fy] if m.baseline_fy in rows.index and m.baseline_fy != m.fy else None
        v, bv = _num(r[ind.column]), None if b is None else _num(b[ind.column])
        den = ind.denominator_text(m)
        num = m.denominator_label if ind.numerator == "method" else ind.numerator
        item = {
            "id": ind.id,
            "name": ind.label,
            "value": v,
            "unit": ind.unit,
            "text": ind.text(v),
            "numerator": num,
            "denominator": den or None,
            "pillar": ind.pillar,
            "baseline_fy": None if b is None else m.baseline_fy,
            "change": None if v is None or bv is None else round(v - bv, 4),
        }
        if ind.numerator_column and ind.denominator_column:
            money = ind.source == "spend_indicators"
            item["numerator_gbp" if money else "numerator_value"] = _num(r[ind.numerator_column])
            item["denominator_gbp" if money else "denominator_value"] = _num(r[ind.denominator_column])
        out.append(item)
    return out


def table(items: list[dict[str, Any]]) -> pd.DataFrame:
    """The 'every indicator' table shown on the overview and in the pack."""
    rows = [
        {
            "Indicator": f"{i['name']} ({i['id']})",
            "Value": i["text"],
            "Change since baseline": ""
            if i["change"] is None
            else (f"{i['change']:+.1f} pp" if i["unit"] == "%" else f"{i['change']:+,.0f}"),
            "Numerator": i["numerator"] or "",
            "Denominator": i["denominator"] or "",
        }
        for i in items
    ]
    return pd.DataFrame(
        rows, columns=["Indicator", "Value", "Change since baseline", "Numerator", "Denominator"]
    )
