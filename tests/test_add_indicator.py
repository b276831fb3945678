"""CONTRIBUTING.md's recipe, followed: one SQL column and one catalogue entry, and the new
indicator appears on the page, in the CLI's JSON and in the meeting pack."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cwb import catalogue, db, indicators
from cwb.catalogue import Indicator

ROOT = Path(__file__).resolve().parent.parent
NEW = Indicator(
    "X1c",
    "Spend with VCSE status known",
    "spend_indicators",
    "vcse_known_pct",
    numerator="spend with suppliers whose VCSE flag is known",
    denominator="method",
    numerator_column="vcse_known_gbp",
    denominator_column="spend_gbp",
    pillar="data",
)
LABEL = "Spend with VCSE status known (X1c)"


@pytest.fixture()
def new_indicator(monkeypatch):
    """Step 1 (the SQL column) and step 2 (the catalogue entry), exactly as in CONTRIBUTING.md."""
    original = db.sql_text

    def sql_text(name: str) -> str:
        text = original(name)
        if name == "spend_indicators":
            old = "round(100 * sme_known_gbp / nullif(spend_gbp, 0), 4) AS sme_known_pct\nFROM agg"
            assert old in text, "spend_indicators.sql changed: update this test's step 1"
            text = text.replace(
                old,
                "round(100 * sme_known_gbp / nullif(spend_gbp, 0), 4) AS sme_known_pct,\n"
                "       round(100 * vcse_known_gbp / nullif(spend_gbp, 0), 4) AS vcse_known_pct\nFROM agg",
            )
        return text

    monkeypatch.setattr(db, "sql_text", sql_text)
    monkeypatch.setattr(catalogue, "CATALOGUE", (*catalogue.CATALOGUE, NEW))
    monkeypatch.setitem(catalogue.BY_ID, NEW.id, NEW)
    import streamlit as st

    st.cache_data.clear()
    yield NEW
    st.cache_data.clear()


def test_new_indicator_in_cli_json(demo_con, new_indicator):
    out = indicators.compute(demo_con)
    item = next(i for i in out["indicators"] if i["id"] == "X1c")
    assert item["name"] == NEW.label and item["unit"] == "%"
    assert 0 < item["value"] <= 100
    assert abs(item["value"] - 100 * item["numerator_gbp"] / item["denominator_gbp"]) < 0.01
    assert item["denominator"] == "all third-party spend"


def test_new_indicator_on_the_overview_page(app_env, new_indicator):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180).run()
    assert not at.exception, [e.message for e in at.exception]
    tables = [d.value for d in at.dataframe if {"Indicator", "Numerator"} <= set(d.value.columns)]
    assert tables, "no 'Every indicator' table on the overview"
    row = tables[0][tables[0]["Indicator"] == LABEL]
    assert len(row) == 1 and row.iloc[0]["Value"].endswith("%")


def test_new_indicator_in_the_pack(demo_con, new_indicator):
    from pptx import Presentation

    from bench.serve import CHROMIUM
    from cwb import pack, slides

    if not Path(CHROMIUM).exists():
        pytest.skip("the pack's charts need Debian chromium")
    m = slides.context_for(demo_con)
    prs = Presentation(io.BytesIO(pack.build_pack(demo_con, m)))
    cells = [
        c.text for s in prs.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells
    ]
    assert LABEL in cells
    value = next(i for i in catalogue.values(demo_con, m) if i["id"] == "X1c")["text"]
    assert value in cells
