"""Accessibility in a real browser: axe-core on every page, keyboard reach and a visible focus.

axe-core comes from the npm registry (``npm install --no-save axe-core@4``, which .ci/run does);
it is injected into each page by Playwright from ``node_modules/axe-core/axe.min.js``. The test
skips with that command when the file is missing. Target: WCAG 2.2 AA, no serious or critical
violation, and no heading-order violation (a page's headings go down one level at a time).
"""

from __future__ import annotations

import json

import pytest

from tests.browser_util import BROWSER, ROOT, page_paths, settle, shot_name

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ALSO = {"heading-order"}  # axe's best practice (moderate), a defect in the issue: checked too
REPORTS = ROOT / "tests" / "artifacts" / "axe"
pytestmark = BROWSER


def _open(browser, server, path, **kw):
    ctx = browser.new_context(viewport=kw.get("viewport", {"width": 1600, "height": 1000}))
    page = ctx.new_page()
    page.goto(server + path, timeout=120_000)
    settle(
        page,
        content="h1, h2, "
        + "[data-testid=stMetric], [data-testid=stFileUploader], [data-testid=stDataFrame]",
    )
    # elements of a run that is being replaced are drawn faded (data-stale): checked faded, their
    # text failed colour contrast once in CI (Land, 3.81:1). Wait, bounded, until none is left.
    # A stale element fades back in (a CSS transition) after its flag goes: wait, bounded, until no
    # element of the page is drawn translucent either (CI: faded captions on Where and Workforce).
    try:
        page.wait_for_function(
            """() => !document.querySelector('[data-stale="true"]') &&
                 ![...document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')]
                   .some(e => parseFloat(getComputedStyle(e).opacity) < 1)""",
            timeout=20_000,
        )
    except Exception:  # noqa: BLE001 - a page that keeps a stale element is still checked
        pass
    return ctx, page


def axe(page) -> list[dict]:
    """Run axe-core on the page; the violations, each with its nodes."""
    page.add_script_tag(path=str(AXE))
    res = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                          resultTypes: ['violations']})""",
        TAGS,
    )
    extra = page.evaluate(
        """(rules) => axe.run(document, {runOnly: {type: 'rule', values: rules},
                                                            resultTypes: ['violations']})""",
        sorted(ALSO),
    )
    return res["violations"] + extra["violations"]


@pytest.mark.skipif(
    not AXE.is_file(),
    reason=f"axe-core is not installed: run `npm install --no-save axe-core@4` in {ROOT} (.ci/run does)",
)
@pytest.mark.parametrize("path", page_paths())
def test_axe_no_serious_violation(server, browser, path):
    ctx, page = _open(browser, server, path)
    try:
        found = axe(page)
        if any(v["id"] == "color-contrast" for v in found):
            # text caught mid-fade (an element of the run being replaced fades out and back in;
            # on a loaded machine the fade outlasts the wait in _open): looked at again after the
            # page has been still for 3 s. A real contrast defect is still there the second time.
            page.wait_for_timeout(3000)
            settle(page, content=False)
            found = [v for v in found if v["id"] != "color-contrast"] + [
                v for v in axe(page) if v["id"] == "color-contrast"
            ]
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / f"{shot_name(path)}.json").write_text(json.dumps(found, indent=1))
        bad = [v for v in found if v["impact"] in ("serious", "critical") or v["id"] in ALSO]
        lines = [
            f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} -- e.g. "
            + "; ".join(f"{n['target']} {n.get('failureSummary', '')[:160]!r}" for n in v["nodes"][:2])
            for v in bad
        ]
        assert not bad, f"{path}: axe-core found\n" + "\n".join(lines)
    finally:
        ctx.close()


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {testid: e.getAttribute('data-testid') || '', text: (e.textContent || '').trim().slice(0, 60),
                side: !!e.closest('[data-testid="stSidebar"]'), outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
                shadow: s.boxShadow, current: e.getAttribute('aria-current') || ''}; }""")


@pytest.mark.parametrize("path", ["/Spend_overview", "/"])
def test_keyboard_reaches_navigation_and_content_first(server, browser, path):
    """From the top of the page the first Tab is a 'skip to main content' link and the next ones
    are the page navigation: never dozens of presses through a page's charts first."""
    if path not in page_paths():
        pytest.skip(f"{path} does not exist")
    ctx, page = _open(browser, server, path)
    try:
        seen = []  # a freshly opened page: the first Tab starts at the top of the document
        for _ in range(4):
            page.keyboard.press("Tab")
            seen.append(_focused(page))
        assert "skip" in seen[0]["text"].lower(), f"first Tab lands on {seen[0]}"
        navs = [i for i, f in enumerate(seen) if f["testid"] == "stSidebarNavLink"]
        assert navs and navs[0] <= 2, f"navigation not within the first 3 Tab presses: {seen}"
        # the skip link moves the keyboard into the page's content (reopened: Tab starts at the top)
        page.reload()
        settle(page, content=False)
        page.keyboard.press("Tab")
        assert "skip" in _focused(page)["text"].lower()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        f = _focused(page)
        assert not f["side"], f"after 'skip to main content' the next Tab is still in the sidebar: {f}"
    finally:
        ctx.close()


def test_focus_ring_differs_from_current_page_highlight(server, browser):
    """A link reached with the keyboard shows a ring; the link of the page one is on (not
    focused) shows none, so the two cannot be confused."""
    ctx, page = _open(browser, server, "/Spend_overview")
    try:
        marked = page.locator('[data-testid="stSidebar"] a[aria-current="page"]')
        try:  # Streamlit's navigation marks it as soon as the pages are registered, before the
            # frame's house CSS (the ring) is drawn; the house script marks the navigation's lists
            # once the frame has drawn it: wait for both (late on a busy machine)
            marked.first.wait_for(state="attached", timeout=15_000)
            page.locator('[data-testid="stSidebarNavItems"][role="none"]').wait_for(
                state="attached", timeout=15_000
            )
        except Exception:  # noqa: BLE001  (then the assertion below says what is missing)
            pass
        # Tab from the top of the page until a navigation link that is not the current page has
        # the focus. Bounded at 12 presses: the order test above holds the links to the first 3;
        # the slack is for a sidebar redrawn under the keyboard on a loaded machine (CI, once:
        # none within 6 presses), which sends the focus back to the top of the document.
        ring, seen = None, []
        for _ in range(12):
            page.keyboard.press("Tab")
            f = _focused(page)
            seen.append((f["testid"], f["text"][:30]))
            if f["testid"] == "stSidebarNavLink" and f["current"] != "page":
                ring = f
                break
        assert ring, f"no navigation link took the keyboard focus in 12 Tab presses: {seen}"
        assert "none" not in ring["outline"] and not ring["outline"].startswith("solid 0px"), ring
        assert "255, 221, 0" in ring["shadow"], f"focus has no yellow halo: {ring}"
        assert [t.strip() for t in marked.all_text_contents()] == ["Spend overview"], (
            f"the current page must be the one link marked aria-current: {marked.all_text_contents()}"
        )
        cur = marked.first
        st = cur.evaluate(
            "e => { const s = getComputedStyle(e); return {outline: s.outlineStyle, shadow: s.boxShadow}; }"
        )
        assert st["outline"] == "none" and "255, 221, 0" not in st["shadow"], (
            f"the current-page link looks focused while it is not: {st}"
        )
    finally:
        ctx.close()


def test_charts_and_maps_are_named(server, browser):
    """Every plotly chart and deck.gl map carries a role and a label taken from its title or caption."""
    for path in [p for p in ("/Spend_overview", "/Where_the_money_goes") if p in page_paths()]:
        ctx, page = _open(browser, server, path)
        try:
            # at least one drawn (an empty list is 'every one labelled' too: the page may still be
            # running when it first looks settled), and every one drawn labelled
            page.wait_for_function(
                """() => { const all = Array.from(document.querySelectorAll(
                '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]'));
                return all.length > 0 && all.every(e => e.getAttribute('aria-label')); }""",
                timeout=60_000,
            )
            labels = page.evaluate("""() => Array.from(document.querySelectorAll(
                '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]')).map(e => [e.getAttribute('role'), e.getAttribute('aria-label')])""")
            assert labels, f"{path}: no chart or map"
            for role, label in labels:
                assert role == "figure" and len(label) > 10, (path, role, label)
        finally:
            ctx.close()
