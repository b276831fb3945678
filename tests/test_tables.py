"""cwb/tables.py: the tables pages show and export, checked on hand-made rows (the pages' own
runs are checked in the page tests)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from cwb import tables


def _ind():
    """Three anchors in 2024-25 (two councils, one NHS trust) and A in 2023-24. Local shares:
    A 40 %, B 40 % (a tie), C 70 %; the councils' spend-weighted share is (40 + 80) / (100 + 200)
    = 40 %."""
    return pd.DataFrame(
        {
            "anchor_id": ["_all", "A", "B", "C", "A"],
            "financial_year": ["2024-25", "2024-25", "2024-25", "2024-25", "2023-24"],
            "spend_gbp": [Decimal(400), Decimal(100), Decimal(200), Decimal(100), Decimal(50)],
            "local_gbp": [Decimal(190), Decimal(40), Decimal(80), Decimal(70), Decimal(10)],
            "local_pct": [47.5, 40.0, 40.0, 70.0, 20.0],
            "sme_pct": [30.0, 10.0, 20.0, 50.0, 5.0],
        }
    )


def test_position_ranks_ties_together_and_within_the_type():
    types = {"A": "council", "B": "council", "C": "nhs"}
    p = tables.position(_ind(), "B", "2024-25", types)
    assert (p["rank"], p["of"]) == (2, 3)  # C first, A and B share second
    assert (p["rank_in_type"], p["of_type"]) == (1, 2)
    assert p["type_local_pct"] == pytest.approx(40.0)
    c = tables.position(_ind(), "C", "2024-25", types)
    assert (c["rank"], c["rank_in_type"], c["of_type"]) == (1, 1, 1)


def test_anchors_compared_ranks_and_trend():
    types = {"A": "Council", "B": "Council", "C": "NHS trust"}
    names = {"A": "Alpha", "B": "Beta", "C": "Gamma"}
    t = tables.anchors_compared(
        _ind(), pd.DataFrame(), pd.DataFrame(), ["A", "B", "C"], names, types, "2024-25", "2023-24"
    )
    by = t.set_index("Anchor")
    assert by.loc["Alpha", "Change since 2023-24 (pp)"] == 20.0  # 40 - 20
    assert pd.isna(by.loc["Beta", "Change since 2023-24 (pp)"])  # no baseline payments
    assert by.loc["Alpha", "Local trend"] == [20.0, 40.0]  # years in order
    assert by.loc["Gamma", "Rank (all anchors)"] == "1 of 3"
    assert by.loc["Alpha", "Rank (all anchors)"] == "2 of 3" == by.loc["Beta", "Rank (all anchors)"]
    assert by.loc["Alpha", "Rank in type"] == "1 of 2" and by.loc["Gamma", "Rank in type"] == ""
    assert by.loc["Beta", "Spend £m"] == 0.0 and by.loc["Gamma", "Local %"] == 70.0
    assert t["Type"].tolist() == ["Council", "Council", "NHS trust"]


def test_concentration_table_units():
    conc = pd.DataFrame(
        {
            "anchor_id": ["_all", "A"],
            "spend_gbp": [Decimal("12345678.90"), Decimal("2000000")],
            "n_suppliers": [120, 30],
            "top10_pct": [55.555, 60.0],
            "top20_pct": [70.04, 80.0],
            "hhi": [812.6, 1500.0],
            "top10_gbp": [Decimal("6858024"), Decimal("1200000")],
            "top20_gbp": [Decimal("8647000"), Decimal("1600000")],
        }
    )
    pp = pd.DataFrame({"anchor_id": ["A"], "within_30_pct": [91.26], "avg_days": [17.04], "n_invoices": [40]})
    t = tables.concentration(conc, pp, {"A": "Alpha"})
    assert t["Anchor"].tolist() == ["All selected", "Alpha"]
    assert t["Spend £m"].tolist() == [12.3, 2.0]
    assert t["Top 10 share %"].tolist() == [55.6, 60.0]
    assert t["HHI (0-10,000)"].tolist() == [813, 1500]
    assert pd.isna(t["Paid within 30 days %"].iloc[0]) and t["Paid within 30 days %"].iloc[1] == 91.3


def test_location_split_and_disposals():
    r = {
        "local_pct": 20.04,
        "local_gbp": 200.4,
        "rest_wider_pct": 30,
        "rest_wider_gbp": 300,
        "rest_region_pct": None,
        "rest_region_gbp": None,
        "rest_uk_pct": 40,
        "rest_uk_gbp": 400,
        "unknown_pct": 9.96,
        "unknown_gbp": 99.6,
    }
    s = tables.location_split(r, {"local": "Preston"})
    assert s["Location of supplier"].iloc[0] == "Preston"
    assert s["Share of spend in scope %"].tolist() == [20.0, 30.0, 0.0, 40.0, 10.0]
    assert s["Spend £"].tolist() == [200, 300, 0, 400, 100]
    disp = pd.DataFrame(
        {
            "disposal_route": ["Sale", "Community asset transfer", "Sale"],
            "sites": [1, 2, 3],
            "area_ha": [1.25, 0.5, 2.0],
            "value_gbp": [Decimal("1000.4"), Decimal("0"), Decimal("2000")],
        }
    )
    d = tables.disposals_by_route(disp)
    assert d["Disposal route"].tolist() == ["Sale", "Community asset transfer"]
    assert d["Sites"].tolist() == [4, 2] and d["Hectares"].tolist() == [3.2, 0.5]
    assert d["Value £"].tolist() == [3000, 0]


def test_targets_against_actuals():
    """A2 target 45 % (higher is better), actual 47.5 %: gap +2.5 pp; a target on an indicator
    without a value this year has no actual."""
    from cwb import targets

    all_t = pd.DataFrame(
        {
            "indicator": ["A2", "A7", "A2"],
            "scope_id": ["_all", "_all", "A"],
            "target_value": [45.0, 25.0, 99.0],
            "direction": ["higher", "higher", "higher"],
        }
    )
    ind = _ind()
    ind.loc[ind["anchor_id"] == "_all", "sme_pct"] = None
    t = tables.targets_against_actuals(all_t, {"spend_indicators": ind}, "2024-25")
    assert t["Indicator"].str.endswith("(A2)").iloc[0] and len(t) == 2
    a2 = t.iloc[0]
    assert (a2["Target %"], a2["Actual %"], a2["Gap (pp)"]) == (45.0, 47.5, 2.5)
    assert a2["Status"] == targets.STATUS_TEXT[targets.status(47.5, 45.0, "higher")]
    assert pd.isna(t.iloc[1]["Actual %"])


def test_tables_show_money_and_counts_with_separators():
    """Found on the Data quality page at 1600 px: 'Spend £' shown as 213269332. Every table now
    formats money and counts unless its page says otherwise; identifiers and years stay as they are."""
    from cwb.ui import show

    df = pd.DataFrame(
        {
            "Spend £": [213269332.0],
            "Spend £m": [213.3],
            "Suppliers": pd.array([1657], dtype="Int64"),
            "UPRN": [100010010001],
            "Financial year": [2025],
            "Anchor": ["A"],
        }
    )
    f = show.number_formats(df)
    assert set(f) == {"Spend £", "Spend £m", "Suppliers"}
    assert f["Spend £"]["type_config"]["format"] == "£%,.0f"
    assert f["Spend £m"]["type_config"]["format"] == "£%.1fm"
    assert f["Suppliers"]["type_config"]["format"] == "localized"
