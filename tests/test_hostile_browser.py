"""Hostile text from data files renders as text in a real browser (tables, headings, map tooltips)."""

from __future__ import annotations

import shutil
import time

import pytest

from bench.serve import streamlit_server
from cwb import db
from tests.browser_util import BROWSER

PAYLOAD = "<img src=x onerror=alert(1)>"
pytestmark = BROWSER


def _settle(page, timeout=90):
    page.wait_for_selector(
        '[data-testid="stMetric"], [data-testid="stDataFrame"], .js-plotly-plot, canvas',
        timeout=timeout * 1000,
    )
    end = time.time() + timeout
    while time.time() < end and page.locator('[data-testid="stStatusWidget"]').count():
        time.sleep(0.2)
    time.sleep(1.0)


@pytest.fixture(scope="module")
def hostile_server(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "h.duckdb"
    shutil.copy(demo_db, path)
    con = db.connect(path)
    cur = con.cursor()
    cur.execute("UPDATE payment SET category = ? WHERE category = 'Medical and clinical supplies'", [PAYLOAD])
    cur.execute(
        "UPDATE mart_spend_supplier SET category = ? WHERE category = 'Medical and clinical supplies'",
        [PAYLOAD],
    )
    top = cur.execute(
        "SELECT supplier_id FROM mart_spend_supplier WHERE financial_year = '2025-26' "
        "GROUP BY 1 ORDER BY sum(spend_gbp) DESC LIMIT 1"
    ).fetchone()[0]
    cur.execute("UPDATE supplier SET name = ? WHERE supplier_id = ?", [PAYLOAD, top])
    cur.execute("UPDATE ref_lad SET lad_name = ? WHERE lad_code = 'E07000123'", [PAYLOAD])
    cur.execute("UPDATE network SET local_name = ?", [PAYLOAD])
    cur.execute("CHECKPOINT")
    cur.close()
    db.close_all()
    with streamlit_server(path) as url:
        yield url


@pytest.fixture()
def page(hostile_server, browser):
    dialogs: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.base = hostile_server
    pg.dialogs = dialogs
    yield pg
    ctx.close()


def test_heading_and_tables_show_payload_as_text(page):
    page.goto(page.base + "/Opportunities")
    _settle(page)
    heading = page.locator("h3").filter(has_text="biggest gap").first.inner_text()
    assert PAYLOAD in heading  # shown literally, not as an <img>
    assert page.locator('img[src="x"]').count() == 0
    page.goto(page.base + "/Suppliers")
    _settle(page)
    assert page.locator('img[src="x"]').count() == 0
    assert page.dialogs == []


def test_map_tooltip_escapes_area_names(page):
    page.goto(page.base + "/Where_the_money_goes")
    _settle(page)
    canvas = page.locator("canvas").first
    box = canvas.bounding_box()
    found = ""
    for fy in (0.5, 0.6, 0.4, 0.7, 0.3, 0.55, 0.45, 0.65, 0.35):
        for fx in (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            time.sleep(0.15)
            tip = page.locator(".deck-tooltip")
            if tip.count() and tip.first.is_visible():
                text = tip.first.inner_text()
                if PAYLOAD in text:
                    found = text
                    break
        if found:
            break
    assert found, "hovering over the map never showed the Preston tooltip"
    assert page.locator('img[src="x"]').count() == 0
    assert page.dialogs == []
