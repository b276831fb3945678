"""The supplier review queue in a real browser (Debian chromium via Playwright): accept, reject,
search the register and mark a payee; the figures on the page change and the decisions are stored."""

from __future__ import annotations

import pytest

from tests import registers_util as ru
from tests.browser_util import BROWSER, ROOT, launch, problems, screenshot, settle, streamlit_server

SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
pytestmark = [
    *BROWSER,
    pytest.mark.skipif(
        not ru.COUNCILS.is_file(), reason="../shared/reference is not present on this machine"
    ),
]


def _metric(page, label: str) -> str:
    m = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return m.locator('[data-testid="stMetricValue"]').inner_text()


def _choose(page, label: str, text: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(text)
    page.keyboard.press("Enter")
    settle(page)


def _done(page, text: str) -> None:
    page.wait_for_selector(f"text={text}", timeout=120_000)
    settle(page)


def test_review_queue_in_browser(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    from cwb import db

    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "orig"))
    path = tmp_path / "review.duckdb"
    assert (
        ru.cli(path, "network", "create", "--id", "T", "--name", "Test network", "--local", "E06000065") == 0
    )
    ru.load_fixture_registers(path, tmp_path)
    f = ru.payments_file(tmp_path / "pay.csv", ru.labelled()["payee"].tolist())
    assert (
        ru.cli(
            path,
            "import",
            "payments",
            str(f),
            "--anchor",
            "CDC",
            "--anchor-name",
            "Craven DC",
            "--anchor-type",
            "council",
        )
        == 0
    )
    db.close_all()
    with streamlit_server(path, env={"CWB_ORIGINALS": str(tmp_path / "orig")}) as url, sync_playwright() as p:
        b = launch(p)
        ctx = b.new_context(viewport={"width": 1400, "height": 2200})
        try:
            page = ctx.new_page()
            page.goto(url + "/Supplier_review", timeout=120_000)
            settle(page)
            assert not problems(page)
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert (
                "Review queue" in main
                and "registered office, which is not always where the work is done" in main
            )
            x1_before = _metric(page, "located supplier")
            # accept: Worldpay's candidate (one word, no legal form: queued)
            _choose(page, "Payee to review", "Worldpay")
            page.get_by_role("button", name="Accept this candidate").click()
            _done(page, "Figures rebuilt")
            assert _metric(page, "located supplier") != x1_before
            # reject: the Environment Agency candidate of 'ENVIRONMENT AGENCY NW'
            _choose(page, "Payee to review", "ENVIRONMENT AGENCY NW")
            page.get_by_role("button", name="Reject this candidate").click()
            _done(page, "This candidate is not the payee")
            # search the register and accept the entry found
            _choose(page, "Payee to review", "Skipton Hire Centre")
            page.get_by_label("Search the register (name or number)").fill("SKIPTON HIRE")
            page.keyboard.press("Enter")
            page.wait_for_selector("text=Register entries found", timeout=120_000)
            settle(page)
            page.get_by_role("button", name="Accept this entry").click()
            _done(page, "This register entry is the payee")
            # mark
            _choose(page, "Payee to review", "Axis")
            page.get_by_role("button", name="Mark as outside the UK").click()
            _done(page, "Based outside the UK")
            screenshot(page, SHOTS / "Supplier_review_decided.png")
            assert not problems(page)
        finally:
            ctx.close()
            b.close()
    con = db.connect(path)
    got = (
        con.cursor()
        .execute("SELECT name_norm, action, reg_id FROM supplier_decision ORDER BY decision_id")
        .fetchall()
    )
    assert [(g[0], g[1]) for g in got] == [
        ("WORLDPAY", "accept"),
        ("ENVIRONMENT AGENCY NW", "reject"),
        ("SKIPTON HIRE CENTRE", "accept"),
        ("AXIS", "outside_uk"),
    ]
    assert got[2][2] == "FX000109"
    db.close_all()
