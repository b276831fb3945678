"""Sidebar controls changed by real clicks in Chromium take: the widget, the URL and a figure
change, twice in a row, and back (issue 10, defect 1 -- the financial year used to snap back
to the latest year, with A2 and the URL unchanged)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

from tests.browser_util import BROWSER, scroll_to, settle

pytestmark = BROWSER


def _param(page, key):
    return parse_qs(urlparse(page.url).query).get(key, [None])[0]


def _metric(page, needle: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=needle).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def _pick(page, label: str, option: str) -> None:
    """Open the sidebar selectbox labelled ``label`` and click ``option`` in its list."""
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label)
    scroll_to(box)  # as a user does: scroll, then click once the sidebar is still
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def _selected(page, label: str) -> str:
    return page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label).input_value()


def _wait_param(page, key, value, timeout=30):
    end = time.time() + timeout
    while time.time() < end and _param(page, key) != value:
        time.sleep(0.2)
    return _param(page, key)


def test_financial_year_and_baseline_take_by_clicks(server, browser):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = ctx.new_page()
        page.goto(server + "/")
        settle(page)
        latest = _selected(page, "Financial year")
        a2_latest = _metric(page, "(A2)")

        _pick(page, "Financial year", "2022-23")
        assert _selected(page, "Financial year") == "2022-23"
        assert _wait_param(page, "fy", "2022-23") == "2022-23"
        a2_2022 = _metric(page, "(A2)")
        assert a2_2022 != a2_latest

        _pick(page, "Financial year", "2021-22")  # a second change straight after
        assert _selected(page, "Financial year") == "2021-22"
        assert _wait_param(page, "fy", "2021-22") == "2021-22"

        _pick(page, "Financial year", latest)  # and back
        assert _wait_param(page, "fy", latest) == latest
        assert _metric(page, "(A2)") == a2_latest

        before = (
            page.locator('[data-testid="stMetric"]', has_text="(A2)")
            .first.locator('[data-testid="stMetricDelta"]')
            .inner_text()
        )
        _pick(page, "Baseline year", "2022-23")
        assert _wait_param(page, "base", "2022-23") == "2022-23"
        after = (
            page.locator('[data-testid="stMetric"]', has_text="(A2)")
            .first.locator('[data-testid="stMetricDelta"]')
            .inner_text()
        )
        assert after != before

        # the choice follows to another page through Streamlit's navigation (a real click)
        page.locator(
            '[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]', has_text="Spend overview"
        ).click()
        page.wait_for_url("**/Spend_overview**", timeout=60_000)
        settle(page)
        assert page.locator("h1", has_text="Spend overview").count() == 1
        assert _selected(page, "Financial year") == latest
        assert _wait_param(page, "base", "2022-23") == "2022-23"
    finally:
        ctx.close()
