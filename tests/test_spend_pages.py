"""Spend pages run in Streamlit (AppTest) and show the same numbers as the CLI's JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cwb import fmt

ROOT = Path(__file__).resolve().parent.parent
SPEND_PAGES = [
    "pages/1_Spend_overview.py",
    "pages/2_Spend_trends.py",
    "pages/3_Where_the_money_goes.py",
    "pages/4_Opportunities.py",
    "pages/5_Suppliers.py",
]


def _run(page, params=None):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def _release():
    """Close the app's connection so another process (the CLI) can open the file."""
    import streamlit as st

    from cwb import db

    st.cache_resource.clear()
    st.cache_data.clear()
    db.close_all()


def _cli(db_path, *args):
    _release()
    out = subprocess.run(
        [sys.executable, "-m", "cwb", "--db", str(db_path), "indicators", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return {i["id"]: i for i in json.loads(out.stdout)["indicators"]}


@pytest.mark.parametrize("page", SPEND_PAGES)
def test_spend_page_runs(app_env, page):
    at = _run(page)
    assert not at.exception, at.exception
    # every spend page shows the synthetic-data banner and a method caption
    assert any("Synthetic demo data" in w.value for w in at.warning)
    assert any("Denominator" in c.value or "denominator" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "params, cli_args",
    [
        ({}, []),
        (
            {"fy": "2022-23", "a": "DEMO-CC", "den": "influenceable"},
            ["--anchor", "DEMO-CC", "--year", "2022-23", "--denominator", "influenceable"],
        ),
        (
            {"fy": "2024-25", "a": "DEMO-NHS,DEMO-HA", "den": "top_n", "top": "50"},
            ["--anchor", "DEMO-NHS,DEMO-HA", "--year", "2024-25", "--denominator", "top_n", "--top-n", "50"],
        ),
    ],
)
def test_screen_equals_cli_json(app_env, params, cli_args):
    at = _run("pages/1_Spend_overview.py", params)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    by = _cli(app_env, *cli_args)
    assert shown["Spend in scope (A1)"] == fmt.gbp(by["A1"]["value"])
    local = next(v for k, v in shown.items() if k.endswith("(A2)"))
    wider = next(v for k, v in shown.items() if k.endswith("(A3)"))
    assert local == fmt.pct(by["A2"]["value"]) and wider == fmt.pct(by["A3"]["value"])
    assert shown["SMEs (A7)"] == fmt.pct(by["A7"]["value"])
    assert shown["Local SMEs (A8)"] == fmt.pct(by["A8"]["value"])
    assert shown["VCSE (A10)"] == fmt.pct(by["A10"]["value"])
    assert shown["Social economy (A11)"] == fmt.pct(by["A11"]["value"])
    assert shown["Leakage from the local area (A5)"] == fmt.gbp(by["A5"]["value"])


def test_url_values_fall_back_with_notice(app_env):
    at = _run("pages/1_Spend_overview.py", {"fy": "1999-00", "den": "'; DROP TABLE payment; --", "a": "NOPE"})
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "1999-00" in notes and "not known here" in notes
    assert at.metric[0].value.startswith("£")


def test_imd_missing_is_said_plainly(app_env):
    at = _run("pages/1_Spend_overview.py")
    assert any("python -m cwb imd" in i.value for i in at.info)


def test_deprivation_with_imd_loaded(app_env, shared_dir):
    from cwb import build, db
    from cwb.reference import imd

    _release()
    con = db.connect(app_env)
    imd.load_imd(con, shared_dir / "reference" / "imd2019_england_lsoa11.csv")
    build.refresh(con)
    db.close_all()
    at = _run("pages/1_Spend_overview.py")
    assert not at.exception
    a12 = [m for m in at.metric if "(A12" in m.label]
    assert a12 and a12[0].value.endswith("%")
    by = _cli(app_env)
    assert a12[0].value == fmt.pct(by["A12"]["value"])


def test_page_settings_come_from_the_url(app_env):
    at = _run("pages/3_Where_the_money_goes.py", {"lvl": "lsoa11", "ext": "uk"})
    assert not at.exception
    assert at.radio[0].value == "lsoa11" and at.radio[2].value == "uk"
    at = _run("pages/2_Spend_trends.py", {"ind": "A7", "fy": "2023-24"})
    assert not at.exception
    assert any("SME spend (A7) by year" in c.value or "SME spend (A7)" in c.value for c in at.caption)


def test_page_opens_the_database_again_after_every_connection_was_closed(app_env):
    """The dashboard's process-wide connection can be closed under it (``db.close_all()``: the
    test fixtures, a maintenance step). The next page run must open the file again, not show
    "Connection already closed!" (seen once in a CI run: a later test's copy reused the path of
    an earlier one, whose cached connection had been closed)."""
    from cwb import db

    first = AppTest.from_file(str(ROOT / "pages/1_Spend_overview.py"), default_timeout=180).run()
    assert not first.exception and not first.error
    db.close_all()
    again = AppTest.from_file(str(ROOT / "pages/1_Spend_overview.py"), default_timeout=180).run()
    assert not again.exception, [e.message for e in again.exception]
    assert not again.error, [e.value for e in again.error]
    assert [m.value for m in again.metric] == [m.value for m in first.metric]  # the same figures
