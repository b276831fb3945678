"""Screenshot sweep: every page at 1600x1000 (desktop), 1280x720 (a projector) and 390x844 (a
phone), with a check that no text is cut off or drawn over other text.

Checked on each page:
- HTML text boxes that clip their text (``scrollWidth > clientWidth`` where the box hides its
  overflow or ends it with an ellipsis): metric labels and values, widget labels, buttons,
  page links, captions, table headers of st.table, headings;
- plotly charts (SVG, so measured by their boxes): a title wider than the chart or cut at its
  edge, tick labels drawn over an axis title, annotations drawn over each other.

Screenshots go to tests/artifacts/sweep/<width>x<height>/<page>.png (gitignored) to be looked at;
a JSON list of what overflowed sits beside them.
"""

from __future__ import annotations

import json

import pytest

from tests.browser_util import (
    BROWSER,
    ROOT,
    page_paths,
    screenshot,
    settle,
    shot_name,
)

OUT = ROOT / "tests" / "artifacts" / "sweep"
VIEWPORTS = [(1600, 1000), (1280, 720), (390, 844)]
pytestmark = BROWSER

OVERFLOW = r"""() => {
  const out = [];
  const where = (e) => { const c = e.closest('[data-testid]'); return c ? c.getAttribute('data-testid') : e.tagName; };
  const txt = (e) => (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80);
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
                           getComputedStyle(e).visibility !== 'hidden'; };
  // 1. HTML boxes that clip their own text
  const sel = ['[data-testid="stMetricLabel"] *', '[data-testid="stMetricValue"]', '[data-testid="stMetricValue"] *',
               '[data-testid="stMetricDelta"] *', '[data-testid="stWidgetLabel"] p', '[data-testid="stBaseButton-secondary"] p',
               '[data-testid="stBaseButton-primary"] p', 'button p', '[data-testid="stPageLink-NavLink"] span',
               '[data-testid="stSidebarNavLink"] span', '[data-testid="stNavSectionHeader"] span',
               '[data-testid="stCaptionContainer"] p', '[data-testid="stTable"] th', 'h1', 'h2', 'h3', 'h4',
               '[data-testid="stRadioOption"] p', '[data-testid="stMarkdownContainer"] p', '.stMarkdownEllipsis'].join(', ');
  for (const e of document.querySelectorAll(sel)) {
    if (!visible(e) || !txt(e)) continue;
    const s = getComputedStyle(e);
    const clips = s.overflowX !== 'visible' || s.textOverflow === 'ellipsis' || s.whiteSpace === 'nowrap';
    if (clips && e.scrollWidth > e.clientWidth + 1)
      out.push({kind: 'clipped', where: where(e), text: txt(e), need: e.scrollWidth, has: e.clientWidth});
  }
  // 2. plotly: titles inside the chart, ticks clear of axis titles, annotations apart
  const overlap = (a, b) => !(a.right <= b.left + 1 || b.right <= a.left + 1 || a.bottom <= b.top + 1 || b.bottom <= a.top + 1);
  for (const g of document.querySelectorAll('.js-plotly-plot')) {
    const box = g.getBoundingClientRect();
    if (!box.width) continue;
    const name = txt(g.querySelector('.gtitle') || g);
    for (const t of g.querySelectorAll('.gtitle')) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1)
        out.push({kind: 'chart title cut', where: 'plotly', text: txt(t), need: Math.round(r.width), has: Math.round(box.width)});
    }
    for (const ax of g.querySelectorAll('.g-xtitle, .g-ytitle, .g-x2title, .g-y2title')) {
      const a = ax.getBoundingClientRect();
      if (!a.width) continue;
      const ticks = Array.from(g.querySelectorAll('.xtick text, .ytick text, .x2tick text, .y2tick text'))
        .filter(t => overlap(t.getBoundingClientRect(), a));
      if (ticks.length)
        out.push({kind: 'ticks over axis title', where: 'plotly ' + name, text: txt(ax), need: ticks.length, has: 0});
    }
    const ann = Array.from(g.querySelectorAll('.annotation-text-g')).map(a => [a, a.getBoundingClientRect()]).filter(x => x[1].width);
    for (let i = 0; i < ann.length; i++) for (let j = i + 1; j < ann.length; j++)
      if (overlap(ann[i][1], ann[j][1]))
        out.push({kind: 'annotations overlap', where: 'plotly ' + name, text: txt(ann[i][0]) + ' / ' + txt(ann[j][0]), need: 0, has: 0});
    for (const t of g.querySelectorAll('svg.main-svg text')) {   // bar labels, ticks, legend: inside the chart
      const r = t.getBoundingClientRect();
      if (r.width && !t.classList.contains('gtitle') && t.textContent.trim() && (r.left < box.left - 1 || r.right > box.right + 1))
        out.push({kind: 'text cut at the chart edge', where: 'plotly ' + name, text: txt(t),
                  need: Math.round(Math.max(r.right - box.right, box.left - r.left)), has: 0});
    }
    const r = g.getBoundingClientRect();
    if (r.right > document.documentElement.clientWidth + 1)
      out.push({kind: 'chart wider than the window', where: 'plotly', text: name, need: Math.round(r.right), has: document.documentElement.clientWidth});
  }
  return out;
}"""


# Known layout defects, each at the window size it was seen at: (size, page, kind of overflow,
# start of the text). Any overflow not listed here fails the test; an entry whose defect is fixed
# simply stops matching (delete it then).
KNOWN: list[tuple[str, str, str, str]] = []


def _known(size: str, path: str, o: dict) -> bool:
    return any(size == z and path == p and o["kind"] == k and o["text"].startswith(t) for z, p, k, t in KNOWN)


def overflows(page) -> list[dict]:
    return page.evaluate(OVERFLOW)


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_text_overflows(server, browser, size):
    """Every page at this window size: screenshot saved, and no text cut off or overprinted."""
    w, h = size
    folder = OUT / f"{w}x{h}"
    folder.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": w, "height": h})
    found = {}
    try:
        page = ctx.new_page()
        # every slide of the presentation too (the page alone shows only the title slide), at the
        # projector and desktop sizes. Not on a phone: the slides' text is sized for a room (22 px
        # and up) and runs past a phone's edge on every chart slide -- a known limit, not checked here
        slides = [f"/Present?s={i}" for i in range(1, 8)] if w >= 640 else []
        for path in page_paths() + slides:
            page.goto(server + path, timeout=120_000)
            settle(
                page,
                content="h1, h2, [data-testid=stMetric], [data-testid=stDataFrame], [data-testid=stFileUploader]",
            )
            if w < 640:  # a phone: the sidebar opens over the page; close it as a reader would
                close = page.locator(
                    '[data-testid="stSidebarCollapseButton"] button, [data-testid="stSidebar"] button[kind="headerNoPadding"]'
                ).first
                if close.count() and close.is_visible():
                    close.click()
                    page.wait_for_function(
                        """() => { const s = document.querySelector('[data-testid="stSidebar"]');
                        const r = s.getBoundingClientRect(); return r.right <= 2 || s.getAttribute('aria-expanded') === 'false'; }""",
                        timeout=20_000,
                    )
            bad = overflows(page)
            slide = path.partition("?s=")[2]
            screenshot(page, folder / f"{shot_name(path)}{'_' + slide if slide else ''}.png")
            if bad:
                found[path] = bad
        (folder / "overflows.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    finally:
        ctx.close()
    lines = [
        f"{p}: {o['kind']} in {o['where']}: {o['text']!r} ({o['need']} > {o['has']})"
        for p, items in found.items()
        for o in items
        if not _known(f"{w}x{h}", p, o)
    ]
    assert not lines, f"{w}x{h}: text overflows its box:\n" + "\n".join(lines)
