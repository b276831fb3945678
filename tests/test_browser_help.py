"""The Help and method page, and the print layout.

- AppTest: the Help page runs, defines every glossary term the issue asks for, states the
  settings in use (the year, the denominator), and follows them when they change.
- Real browser, print media: the sidebar, header and download buttons are not printed, the
  content takes the sheet's width, and a PDF of an A4 page is produced (saved under
  tests/artifacts/print/ to look at).
"""

from __future__ import annotations

import pytest

from tests.browser_util import NEEDS_CHROMIUM, ROOT, page_paths, settle

HELP = ROOT / "pages" / "13_Help.py"
GLOSSARY = ["HHI", "VCSE", "LSOA", "MSOA", "pp", "SME", "IMD", "FTE", "RLW"]
PRINTS = ROOT / "tests" / "artifacts" / "print"


def _md(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_help_page_explains_every_indicator_and_term(app_env):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(HELP), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    text = _md(at)
    terms = {str(t) for tbl in at.table for t in tbl.value.index}
    for term in GLOSSARY:
        assert term in terms, f"glossary lacks {term}"
    for ind in [
        "A1",
        "A2",
        "A3",
        "A4",
        "A5",
        "A6",
        "A7",
        "A8",
        "A10",
        "A11",
        "A12",
        "A13",
        "A14",
        "A17",
        "X6",
        "B1",
        "B2",
        "B3",
        "B4",
        "B5",
        "B8",
        "B10",
        "B13",
        "B14",
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C9",
        "X1",
        "X4",
    ]:
        assert f"({ind})" in text, f"indicator {ind} not explained"
    assert "spend-weighted" in text.lower() or "weighted by spend" in text.lower()
    assert (
        "2025-26" in text and "all third-party spend" in text
    )  # the demo's latest year, the default denominator


def test_help_page_follows_the_settings(app_env):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(HELP), default_timeout=120)
    at.query_params["fy"] = "2021-22"
    at.query_params["den"] = "influenceable"
    at.run()
    assert not at.exception, at.exception
    text = _md(at)
    assert "**Financial year:** 2021-22" in text
    assert "influenceable spend (excludes public bodies" in text


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_print_layout_hides_the_sidebar_and_fits_a4(server, browser):
    PRINTS.mkdir(parents=True, exist_ok=True)
    pages = [p for p in ("/Spend_overview", "/Help") if p in page_paths()]
    for path_ in pages:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(server + path_, timeout=120_000)
            settle(page)
            page.emulate_media(media="print")
            seen = page.evaluate("""() => {
                const vis = (s) => Array.from(document.querySelectorAll(s)).some(e => getComputedStyle(e).display !== 'none'
                                                                                   && e.getBoundingClientRect().width > 0);
                const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
                return {sidebar: vis('[data-testid="stSidebar"]'), header: vis('[data-testid="stHeader"]'),
                        downloads: vis('[data-testid="stPopover"], [data-testid="stDownloadButton"]'),
                        left: main.left, width: main.width, page: document.documentElement.clientWidth};
            }""")
            assert not seen["sidebar"] and not seen["header"] and not seen["downloads"], (path_, seen)
            assert seen["left"] < 5 and seen["width"] >= 0.95 * seen["page"], (
                f"{path_}: content does not take the sheet's width: {seen}"
            )
            pdf = page.pdf(
                path=str(PRINTS / f"{path_.strip('/') or 'home'}.pdf"), format="A4", print_background=True
            )
            assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
        finally:
            page.context.close()


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_meeting_pack_shows_progress_while_it_is_made(server, browser):
    """The network's meeting pack takes seconds to build: while it does, its button is busy
    (disabled, with a spinner) so nobody clicks again or waits at a blank screen; then the PPTX
    arrives. A wait under 2 s needs no progress and passes either way."""
    import time

    label = "Meeting pack for the network (PPTX)"
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.set_default_timeout(60_000)
        page.goto(server + "/", timeout=120_000)
        settle(page)
        btn = page.locator('[data-testid="stDownloadButton"]').filter(has_text=label).locator("button").first
        btn.wait_for()
        btn.evaluate("""(b) => { window.__busy = false; new MutationObserver(() => { if (b.disabled) window.__busy = true; })
                                 .observe(b, {attributes: true, subtree: true, childList: true}); }""")
        t0 = time.monotonic()
        with page.expect_download(timeout=240_000) as dl:
            btn.click()
        took = time.monotonic() - t0
        assert dl.value.suggested_filename.endswith(".pptx")
        busy = page.evaluate("window.__busy")
        assert took < 2 or busy, f"the pack took {took:.1f} s with no sign of progress on its button"
        assert dl.value.path().stat().st_size > 20_000
    finally:
        page.context.close()
