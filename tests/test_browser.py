"""Real browser (Debian chromium via Playwright) against `streamlit run` on loopback.

Opens every page, fails on any Streamlit exception box, saves screenshots to
tests/artifacts/screenshots/, checks no request leaves the machine, and proves that a shared
link reopens the same view after a server restart.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench.serve import CHROMIUM, CHROMIUM_ARGS, streamlit_server

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (apt-get install chromium)")]


def page_paths() -> list[str]:
    """'/' for dashboard.py and '/Name' for pages/N_Name.py (Streamlit's classic multipage URLs)."""
    out = ["/"]
    for f in sorted((ROOT / "pages").glob("*.py"), key=lambda p: int(re.match(r"(\d+)", p.name).group(1))):
        out.append("/" + re.sub(r"^\d+_", "", f.stem))
    return out


def settle(page, timeout: float = 90) -> None:
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout * 1000)
    page.wait_for_selector('[data-testid="stMetric"], [data-testid="stDataFrame"], .js-plotly-plot, canvas, '
                           '[data-testid="stException"], [data-testid="stFileUploader"], h1',
                           timeout=timeout * 1000)
    end = time.time() + timeout
    while time.time() < end:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            break
        time.sleep(0.2)
    time.sleep(1.5)  # charts finish drawing


@pytest.fixture(scope="module")
def db_copy(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "b.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_every_page_opens_without_errors_and_stays_offline(db_copy, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    problems: list[str] = []
    with streamlit_server(db_copy) as url:
        ctx = browser.new_context(viewport={"width": 1440, "height": 2200})
        page = ctx.new_page()
        page.on("request", lambda r: outside.append(r.url)
                if urlparse(r.url).hostname not in ("127.0.0.1", "localhost", None) and not r.url.startswith("data:")
                else None)
        for path in page_paths():
            page.goto(url + path, timeout=90_000)
            settle(page)
            name = path.strip("/") or "Network_overview"
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            if page.locator('[data-testid="stException"]').count():
                problems.append(f"{path}: exception: {page.locator('[data-testid=stException]').first.inner_text()[:300]}")
            body = page.locator('[data-testid="stMain"]').inner_text()
            if "Page not found" in body:
                problems.append(f"{path}: page not found")
        ctx.close()
    assert problems == []
    assert outside == [], f"requests left the machine: {outside[:5]}"


def test_shared_link_survives_a_restart(db_copy, browser):
    link = "/Spend_overview?fy=2022-23&a=DEMO-CC&den=influenceable"
    seen = []
    for _ in range(2):  # two separate server processes: the second is a "restart"
        with streamlit_server(db_copy) as url:
            ctx = browser.new_context(viewport={"width": 1440, "height": 1400})
            page = ctx.new_page()
            page.goto(url + link, timeout=90_000)
            settle(page)
            # under load the sidebar can finish drawing after the main area: wait for it
            page.locator('[data-testid="stSidebar"]').get_by_text("Millbrook City Council").first.wait_for(timeout=90_000)
            fy_box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Financial year").locator("input")
            fy_box.wait_for(timeout=90_000)
            assert fy_box.input_value() == "2022-23"
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert "influenceable" in main.lower()
            assert "fy=2022-23" in page.url and "a=DEMO-CC" in page.url
            metric = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()
            label = page.locator('[data-testid="stMetricLabel"]').nth(1).inner_text()
            seen.append((label, metric))
            ctx.close()
    assert seen[0] == seen[1]


def test_two_viewers_never_share_filters(db_copy, browser):
    """Two people on the same server at once, each with their own year and anchor: neither view
    changes the other's (session state is per browser session; caches hold results only)."""
    with streamlit_server(db_copy) as url:
        a = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
        b = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
        a.goto(url + "/Spend_overview?fy=2021-22&a=DEMO-NHS", timeout=90_000)
        b.goto(url + "/Spend_overview?fy=2024-25&a=DEMO-HA", timeout=90_000)
        settle(a)
        settle(b)
        a.reload()
        settle(a)
        fy = lambda p: p.locator('[data-testid="stSelectbox"]').filter(has_text="Financial year").locator("input").input_value()  # noqa: E731
        assert fy(a) == "2021-22" and fy(b) == "2024-25"
        assert "Teaching Hospitals" in a.locator('[data-testid="stSidebar"]').inner_text()
        assert "Community Homes" in b.locator('[data-testid="stSidebar"]').inner_text()
        assert a.locator('[data-testid="stMetricValue"]').nth(1).inner_text() != b.locator('[data-testid="stMetricValue"]').nth(1).inner_text()
        a.context.close()
        b.context.close()


def test_upload_report_commit_in_browser(db_copy, browser, tmp_path):
    """An officer uploads a messy file with an odd name, reads the report, commits it; the same
    file uploaded again is recognised and adds nothing."""
    import shutil as _sh

    dbp = tmp_path / "upload.duckdb"
    _sh.copy(db_copy, dbp)
    f = tmp_path / "Spend Apr 2025 (final) ; DROP.csv"
    f.write_bytes(",,,\r\nPayment Date,Amount,Supplier Name\r\n01/04/2025,\"\u00a31,250.00\",ACME LTD\r\n"
                  "02/04/2025,(50.00),REDACTED PERSONAL DATA\r\n,,\r\n".encode("cp1252"))
    with streamlit_server(dbp, env={"CWB_ORIGINALS": str(tmp_path / "orig")}) as url:
        page = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
        page.goto(url + "/Import", timeout=90_000)
        settle(page)
        page.locator('input[type="file"]').set_input_files(str(f))
        page.wait_for_selector("text=Report:", timeout=90_000)
        settle(page)
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "£1,200.00" in main and "Rows rejected" in main
        page.get_by_role("button", name="Commit this file").click()
        page.wait_for_selector("text=Imported as file", timeout=90_000)
        page.screenshot(path=str(SHOTS / "Import_committed.png"), full_page=True)
        page.goto(url + "/Import", timeout=90_000)
        settle(page)
        page.locator('input[type="file"]').set_input_files(str(f))
        page.wait_for_selector("text=already imported", timeout=90_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.context.close()
