"""Disclosure control: unit rules (hand-worked), a property test, and the cross-row attack."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as stg

from cwb import privacy, workforce

K = 10


def test_small_counts_suppressed_and_every_other_count_rounded():
    """Row: headcount 43, local 3, paid RLW 41. 3 < 10 -> '<10'; 43 -> 45 and 41 -> 40 (nearest 5),
    so headcount - paid = 5 no longer recovers anything exactly (43 - 41 = 2 would)."""
    df = pd.DataFrame({"anchor_id": ["X"], "headcount": [43], "local_headcount": [3], "paid_rlw": [41]})
    p = privacy.protect_table(df, ["local_headcount", "paid_rlw"], k=K, total_col="headcount")
    assert p.display.loc[0, "local_headcount"] == "<10"
    assert p.values.loc[0, "headcount"] == 45 and p.values.loc[0, "paid_rlw"] == 40
    assert pd.isna(p.values.loc[0, "local_headcount"])
    assert privacy.pct(p.values.loc[0, "local_headcount"], p.values.loc[0, "headcount"]) is None
    # the percentage comes from the protected counts: 40 / 45 = 88.9 %, not 41 / 43 = 95.3 %
    assert privacy.pct(p.values.loc[0, "paid_rlw"], p.values.loc[0, "headcount"]) == 88.9


def test_zero_is_shown_and_large_counts_rounded():
    df = pd.DataFrame({"headcount": [1234], "local_headcount": [0], "paid_rlw": [1200]})
    p = privacy.protect_table(df, ["local_headcount", "paid_rlw"], k=K, total_col="headcount")
    # 1234 -> 1235 (1234 / 5 = 246.8 -> 247 x 5); 0 stays 0
    assert p.display.loc[0, "headcount"] == "1,235" and p.display.loc[0, "local_headcount"] == "0"
    assert privacy.pct(p.values.loc[0, "paid_rlw"], p.values.loc[0, "headcount"]) == round(
        100 * 1200 / 1235, 1
    )


def test_small_group_hides_everything_including_fte():
    df = pd.DataFrame({"headcount": [7], "local_headcount": [5], "paid_rlw": [7], "fte": [6.2]})
    p = privacy.protect_table(
        df, ["local_headcount", "paid_rlw"], k=K, total_col="headcount", measure_cols=("fte",)
    )
    assert set(p.display.loc[0, ["headcount", "local_headcount", "paid_rlw", "fte"]]) == {"<10"}
    assert p.values.loc[0, ["headcount", "local_headcount", "paid_rlw", "fte"]].isna().all()


def test_network_total_minus_other_anchors_does_not_recover_a_suppressed_count():
    """Anchors X (3 local staff), Y (212) and the network total (215). Shown: X '<10', Y 210,
    network 215 -> 215 - 210 = 5, not 3; with any rounding the difference is a multiple of 5."""
    raw = pd.DataFrame(
        {
            "anchor_id": ["X", "Y", "_all"],
            "financial_year": ["2024-25"] * 3,
            "headcount": [40, 400, 440],
            "fte": [35, 350, 385],
            "local_headcount": [3, 212, 215],
        }
    )
    for c in workforce.COUNTS:
        if c not in raw:
            raw[c] = 0
    out = workforce.protected_indicators(raw, K).set_index("anchor_id")
    assert out.loc["X", "local_headcount_text"] == "<10"
    shown = out.loc["_all", "local_headcount"] - out.loc["Y", "local_headcount"]
    assert shown != 3 and shown % 5 == 0


def test_threshold_configurable(monkeypatch):
    monkeypatch.setenv("CWB_SUPPRESS_K", "5")
    assert privacy.k_default() == 5 and privacy.display_count(4) == "<5"
    # 7 is not small for k = 5, and is shown rounded (7 -> 5), never below k
    assert privacy.display_count(7) == "5"
    # with k = 7, a 7 would round to 5 (< k): it is shown as 10 instead
    assert privacy.protect_value(7, 7) == 10 and privacy.display_count(6, 7) == "<7"


@settings(max_examples=300, deadline=None)
@given(
    stg.lists(stg.tuples(stg.integers(0, 60), stg.integers(0, 60)), min_size=1, max_size=8),
    stg.sampled_from([5, 10]),
)
def test_property_every_shown_count_is_safe(rows, k):
    """Whatever the counts: each shown count is 0 or a multiple of 5 that is at least k, within 2
    of the truth; each small count is the marker; a row with a small total shows nothing."""
    df = pd.DataFrame([{"headcount": a + b, "local": a, "other": b} for a, b in rows])
    p = privacy.protect_table(df, ["local", "other"], k=k, total_col="headcount")
    for i in range(len(df)):
        for c in ("headcount", "local", "other"):
            raw, shown, val = df[c].iat[i], p.display[c].iat[i], p.values[c].iat[i]
            if 0 < df["headcount"].iat[i] < k or 0 < raw < k:
                assert shown == f"<{k}" and pd.isna(val)
            elif raw == 0:
                assert shown == "0"
            else:
                assert val % 5 == 0 and val >= k and abs(val - raw) <= 2.5 and shown == f"{val:,.0f}"


def test_map_areas_merged_within_parent_then_hidden():
    """LSOAs a (3), b (12), c (27), d (9), e (4) and f (6); a, d in MSOA M1 (3 + 9 = 12 >= 10: merged),
    e in M2 alone (4: not merged at MSOA level), f in M3 alone (6); e and f share district L1
    (4 + 6 = 10: merged at district level). b and c are drawn on their own, rounded: 12 -> 10, 27 -> 25."""
    areas = pd.DataFrame(
        {
            "area_code": list("abcdefg"),
            "headcount": [3, 12, 27, 9, 4, 6, 0],
            "msoa": ["M1", "M1", "M2", "M1", "M2", "M3", "M3"],
            "lad": ["L1"] * 7,
        }
    )
    shown, s = privacy.protect_areas(areas, "headcount", k=K, parent_col=["msoa", "lad"])
    got = {r.area_code: (r.headcount, sorted(r.members), r.merged) for r in shown.itertuples()}
    assert got == {
        "b": (10, ["b"], False),
        "c": (25, ["c"], False),
        "M1": (10, ["a", "d"], True),
        "L1": (10, ["e", "f"], True),
    }
    assert s["areas_hidden"] == 0 and s["areas_merged"] == 4 and s["groups_merged"] == 2
    # without parents the small areas are hidden; their total (3 + 9 + 4 + 6 = 22) is rounded to 20
    shown2, s2 = privacy.protect_areas(areas, "headcount", k=K)
    assert set(shown2["area_code"]) == {"b", "c"} and s2["areas_hidden"] == 4 and s2["hidden_total"] == "20"
    # a lone small remainder is only ever "<10"
    _, s3 = privacy.protect_areas(areas.iloc[[0, 1]], "headcount", k=K)
    assert s3["hidden_total"] == "<10"


@pytest.mark.parametrize(
    "v, k, want",
    [
        (None, 10, "–"),
        (0, 10, "0"),
        (1, 10, "<10"),
        (9, 10, "<10"),
        (10, 10, "10"),
        (12, 10, "10"),
        (13, 10, "15"),
        (1234, 10, "1,235"),
    ],
)
def test_display_count(v, k, want):
    assert privacy.display_count(v, k) == want
