"""Network overview (home page): headline pillars, league table, targets with stated thresholds,
and the presentation-mode switch kept in the URL. Real Streamlit runs on a real demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cwb import db, targets

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "actual,target,direction,expected",
    [
        (24.5, 24.5, "higher", "on track"),  # meets the target exactly
        (52.4, 40.0, "higher", "on track"),
        (23.0, 24.5, "higher", "at risk"),  # 1.5 points short, within the 2-point band
        (22.5, 24.5, "higher", "at risk"),  # exactly 2.0 points short: still at risk
        (20.1, 24.5, "higher", "off track"),  # 4.4 points short
        (5.0, 6.0, "lower", "on track"),  # lower is better: 1 point under the ceiling
        (7.5, 6.0, "lower", "at risk"),  # 1.5 over
        (9.0, 6.0, "lower", "off track"),  # 3 over
        (None, 6.0, "higher", "no data"),
    ],
)
def test_target_status_thresholds(actual, target, direction, expected):
    assert targets.status(actual, target, direction) == expected


def _frame(at, key_col):
    for d in at.dataframe:
        if key_col in d.value.columns:
            return d.value
    raise AssertionError(f"no table with {key_col}")


def test_home_figures_match_the_queries(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    con = db.connect(app_env)
    fy = db.run("financial_years", con, network_id="DEMO")["financial_year"].max()
    names = dict(db.run("anchors", con, network_id="DEMO")[["anchor_id", "name"]].values)
    ind = db.run(
        "spend_indicators",
        con,
        anchor_ids=[],
        fy_from=fy,
        fy_to=fy,
        denominator="all",
        top_n=300,
        local_lads=["E07000123"],
        wider_lads=[],
        region_code="E12000002",
        imd_edition="2019",
        network_id="DEMO",
    )
    local = {names[a]: round(float(v), 1) for a, v in zip(ind["anchor_id"], ind["local_pct"]) if a != "_all"}

    league = _frame(at, "Rank (all anchors)")
    assert len(league) == len(names) == 7
    assert dict(zip(league["Anchor"], league["Local %"])) == local
    # each demo anchor is the only one of its type: no "1 of 1" rank within the type, a rank among all
    assert "Rank in type" not in league.columns
    assert sorted(league["Rank (all anchors)"], key=lambda v: int(v.split()[0])) == [
        f"{i} of 7" for i in range(1, 8)
    ]
    assert all(len(v) >= 2 for v in league["Local trend"])  # values behind each sparkline

    # headline: the network's local share, spend-weighted (the '_all' row, not a mean of anchors)
    net = float(ind.loc[ind["anchor_id"] == "_all", "local_pct"].iloc[0])
    assert any(m.label.startswith("Spent in") and m.value == f"{net:.1f}%" for m in at.metric)
    assert abs(net - sum(local.values()) / len(local)) > 0.5  # the demo is one where the two differ

    tg = _frame(at, "Status")
    all_t = db.run("targets_all", con, network_id="DEMO", fy=fy)
    a2 = all_t[(all_t["indicator"] == "A2") & (all_t["scope_id"] == "_all")].iloc[0]
    row = tg[tg["Indicator"] == "Local spend (A2)"].iloc[0]
    assert row["Target %"] == float(a2["target_value"]) and row["Actual %"] == round(net, 1)
    assert (
        row["Status"] == targets.STATUS_TEXT[targets.status(net, float(a2["target_value"]), a2["direction"])]
    )
    assert any(targets.THRESHOLDS in m.value for m in at.markdown)  # thresholds stated on screen
    db.close_all()


def test_presentation_switch_is_kept_in_the_url(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert at.query_params.get("present") in ("0", ["0"])
    at.toggle(key="present_toggle").set_value(True).run()
    assert not at.exception
    assert at.query_params.get("present") in ("1", ["1"])
    assert not at.title  # the page title (and sidebar) are hidden
    at.toggle(key="present_toggle").set_value(False).run()
    assert at.query_params.get("present") in ("0", ["0"])
