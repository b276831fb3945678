"""Real browser (Debian chromium via Playwright) against `streamlit run` on loopback.

- every page (dashboard.py is '/', pages/N_Name.py is '/Name', discovered from the files) opens,
  finishes running, shows real content and no exception box or error alert; a full-page
  screenshot of each goes to tests/artifacts/screenshots/<page>.png;
- no request made while opening any page leaves loopback (no tiles, CDN fonts, remote icons);
- a shared link with non-default filters reopens the same view after the server is restarted,
  in a fresh browser context;
- two viewers on one server never share filters; an upload can be reported and committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser_util import (
    BROWSER,
    CONTENT,
    ROOT,
    is_local,
    page_paths,
    problems,
    screenshot,
    set_widget,
    settle,
    shot_name,
    streamlit_server,
    value,
)

SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
# Pages whose first screen is text only (the presentation's title slide): a heading counts there.
TEXT_FIRST = {"/Present": "h2"}
pytestmark = BROWSER


def test_pages_are_discovered():
    """Discovery follows Streamlit's own naming: the home page and one URL per pages/*.py file."""
    paths = page_paths()
    assert paths[0] == "/"
    assert len(paths) == 1 + len(list((ROOT / "pages").glob("*.py")))
    if (ROOT / "pages" / "1_Spend_overview.py").exists():
        assert "/Spend_overview" in paths
    assert all(p.count("/") == 1 and not p[1:2].isdigit() for p in paths[1:])


@pytest.mark.parametrize("path", page_paths())
def test_page_opens_cleanly_and_offline(server, browser, path):
    """The page runs to the end with real content, no exception box, no error alert, and every
    request it makes (documents, scripts, fonts, images, XHR, websockets) stays on loopback."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    ctx = browser.new_context(viewport={"width": 1440, "height": 1800})
    try:
        ctx.on("request", lambda r: requests.append(r.url))
        page = ctx.new_page()
        page.on("websocket", lambda ws: requests.append(ws.url))
        page.goto(server + path, timeout=120_000)
        content = CONTENT + (", " + TEXT_FIRST[path] if path in TEXT_FIRST else "")
        settle(page, content=content)
        screenshot(page, SHOTS / f"{shot_name(path)}.png")
        body = page.locator("body").inner_text()
        assert "Page not found" not in body, f"{path}: Streamlit does not know this page"
        assert problems(page) == [], f"{path}: exception or error shown"
        assert page.locator(f'[data-testid="stMain"] :is({content})').count() > 0, (
            f"{path}: no metric, table, chart, map or uploader shown"
        )
        outside = sorted({u for u in requests if not is_local(u)})
        assert outside == [], f"{path}: requests left the machine: {outside[:10]}"
        # the recorder is live: the page's own scripts and the app's websocket were seen
        assert any("/_stcore/stream" in u for u in requests) and any(u.endswith(".js") for u in requests)
    finally:
        ctx.close()


def _anchor_name(db_path: Path, anchor_id: str) -> str:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT name FROM anchor WHERE anchor_id = ?", [anchor_id]).fetchone()[0]
    finally:
        con.close()


def _view(page) -> dict:
    """What the viewer sees: widget values of the frame and every metric's label and value."""
    side = page.locator('[data-testid="stSidebar"]')
    fy = side.locator('[data-testid="stSelectbox"]').filter(has_text="Financial year").locator("input")
    fy.wait_for(timeout=60_000)
    anchors = side.locator('[data-testid="stMultiSelect"]').filter(has_text="Anchors")
    anchors.wait_for(timeout=60_000)
    method = side.locator('[data-testid="stExpander"]').filter(has_text="Method")
    if method.count() and method.locator('[data-testid="stRadio"]').first.is_hidden():
        method.locator("summary").first.click()
    den = side.locator('[data-testid="stRadio"]').filter(has_text="Denominator")
    den.wait_for(timeout=60_000)
    checked = den.locator("label").filter(has=page.locator("input:checked"))
    metrics = [
        (
            m.locator('[data-testid="stMetricLabel"]').inner_text().strip(),
            m.locator('[data-testid="stMetricValue"]').inner_text().strip(),
        )
        for m in page.locator('[data-testid="stMain"] [data-testid="stMetric"]').all()
    ]
    return {
        "fy": fy.input_value(),
        "anchors": anchors.inner_text(),
        "den": checked.inner_text().strip(),
        "metrics": metrics,
    }


def test_shared_link_survives_a_restart(demo_db, browser, tmp_path):
    """A link with non-default filters, opened in a fresh browser on a freshly started server,
    shows the same widgets and the same headline figures; the same page without the filters
    shows different figures (so the link really carried the view)."""
    link = "/Spend_overview?fy=2022-23&a=DEMO-CC&den=influenceable"
    if "/Spend_overview" not in page_paths():
        pytest.skip("pages/1_Spend_overview.py does not exist yet")
    council = _anchor_name(demo_db, "DEMO-CC")
    db_copy = tmp_path / "link.duckdb"  # its own file: the module's server holds a lock on db_copy
    shutil.copy(demo_db, db_copy)
    seen, default = [], None
    for run in range(2):  # two separate server processes on the same file: the second is the restart
        with streamlit_server(db_copy) as url:
            ctx = browser.new_context(viewport={"width": 1440, "height": 1400})
            try:
                page = ctx.new_page()
                page.goto(url + link, timeout=120_000)
                settle(page)
                assert problems(page) == []
                view = _view(page)
                assert view["fy"] == "2022-23"
                assert council in view["anchors"]
                assert view["den"].startswith("Influenceable spend")
                assert view["metrics"] and all(v for _, v in view["metrics"])
                # the URL still carries the view (the frame writes it back on every run)
                for part in ("fy=2022-23", "a=DEMO-CC", "den=influenceable"):
                    assert part in page.url
                screenshot(page, SHOTS / f"shared_link_run{run + 1}.png")
                seen.append(view)
                if run == 0:
                    page.goto(url + "/Spend_overview", timeout=120_000)
                    settle(page)
                    default = _view(page)
            finally:
                ctx.close()
    assert seen[0] == seen[1]
    assert default["fy"] != "2022-23" and council not in default["anchors"]
    assert default["metrics"] != seen[0]["metrics"], "the filters in the link changed nothing on screen"


def test_two_viewers_never_share_filters(server, browser):
    """Two people on the same server at once, each with their own year and anchor: neither view
    changes the other's (session state is per browser session; caches hold results only)."""
    if "/Spend_overview" not in page_paths():
        pytest.skip("pages/1_Spend_overview.py does not exist yet")
    ca = browser.new_context(viewport={"width": 1400, "height": 1200})
    cb = browser.new_context(viewport={"width": 1400, "height": 1200})
    try:
        a, b = ca.new_page(), cb.new_page()
        a.goto(server + "/Spend_overview?fy=2021-22&a=DEMO-NHS", timeout=120_000)
        b.goto(server + "/Spend_overview?fy=2024-25&a=DEMO-HA", timeout=120_000)
        settle(a)
        settle(b)
        a.reload()
        settle(a)
        va, vb = _view(a), _view(b)
        assert va["fy"] == "2021-22" and vb["fy"] == "2024-25"
        assert "Teaching Hospitals" in va["anchors"] and "Community Homes" in vb["anchors"]
        assert va["metrics"] != vb["metrics"]
    finally:
        ca.close()
        cb.close()


def test_upload_report_commit_in_browser(demo_db, browser, tmp_path):
    """An officer uploads a messy file with an odd name, reads the report, commits it; the same
    file uploaded again is recognised and adds nothing."""
    if "/Import" not in page_paths():
        pytest.skip("pages/10_Import.py does not exist yet")
    dbp = tmp_path / "upload.duckdb"
    shutil.copy(demo_db, dbp)
    f = tmp_path / "Spend Apr 2025 (final) ; DROP.csv"
    # 12,345,678.90 - 50.00 (credit in brackets) = 12,345,628.90 net (a total as long as a year's
    # spend, to show the report's row holds it on one line); the blank line is rejected
    f.write_bytes(
        ',,,\r\nPayment Date,Amount,Supplier Name\r\n01/04/2025,"\u00a312,345,678.90",ACME LTD\r\n'
        "02/04/2025,(50.00),REDACTED PERSONAL DATA\r\n,,\r\n".encode("cp1252")
    )
    with streamlit_server(dbp, env={"CWB_ORIGINALS": str(tmp_path / "orig")}) as url:
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
        try:
            page = ctx.new_page()
            page.goto(url + "/Import", timeout=120_000)
            settle(page)
            # no anchor is chosen for the officer (the first one was the demo council) and there
            # is nothing to upload into until one is
            assert value(page, "selectbox", "Anchor", side=False) in (
                "",
                "Choose the anchor whose file this is",
            )
            assert page.locator('input[type="file"]').is_disabled()
            set_widget(page, "selectbox", "Anchor", "Millbrook City Council (demo)", side=False)
            page.wait_for_selector("text=is a synthetic demo anchor", timeout=60_000)
            page.wait_for_selector('input[type="file"]:not([disabled])', state="attached", timeout=60_000)
            page.locator('input[type="file"]').set_input_files(str(f))
            page.wait_for_selector("text=Report:", timeout=120_000)
            settle(page)
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert "£12,345,628.90" in main and "Rows rejected" in main
            screenshot(page, SHOTS / "Import_report_1600.png")
            # each report figure on one line at 1600x1000 (a five-figure row wrapped £ totals)
            for m in page.locator('[data-testid="stMetricValue"]').all():
                box = m.bounding_box()
                line = m.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
                assert box and box["height"] < 1.8 * line, (m.inner_text(), box, line)
            page.get_by_role("button", name="Commit this file").click()
            page.wait_for_selector("text=Imported as file", timeout=120_000)
            screenshot(page, SHOTS / "Import_committed.png")
            page.goto(url + "/Import", timeout=120_000)
            settle(page)
            set_widget(page, "selectbox", "Anchor", "Millbrook City Council (demo)", side=False)
            page.locator('input[type="file"]').wait_for(state="attached", timeout=60_000)
            page.locator('input[type="file"]').set_input_files(str(f))
            page.wait_for_selector("text=already imported", timeout=120_000)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            ctx.close()
