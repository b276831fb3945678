"""The page navigation is Streamlit's own (st.navigation, cwb/ui/nav.py), built from the page
registry: no page links drawn by the frame on every run (they were 4 captions and 14
st.page_link elements a run, 17.6 % of its CPU), every registry page listed with its label in
its section, the current page marked (aria-current plus a bar and bold text), labels whole, the
same URLs as before, and filters that follow a click on a link."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from cwb.ui import nav, registry
from tests import browser_util as bu

ROOT = Path(__file__).resolve().parent.parent


def _page_links(at: AppTest) -> list:
    return at.get("page_link")


def test_home_run_draws_no_page_links_of_its_own(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Network overview"], "the home page is the default page"
    assert at.sidebar.get("page_link") == [], "the sidebar's links are Streamlit's navigation now"
    # the one page link left is the home page's own 'Step through the key points' (in the page)
    assert len(_page_links(at)) <= 1, f"{len(_page_links(at))} page links in a home run (were 15)"
    captions = [c.value for c in at.sidebar.caption]
    assert not {s.upper() for s, _ in _sections()} & set(captions), f"section captions drawn: {captions}"
    # the navigation registered every page: AppTest moves to one by its file, at its URL path;
    # the view follows (the year and local area fell back to the first year and none on the
    # next page: the previous page's widget answered for the key, so the new one went unseeded)
    kept = {k: at.query_params.get(k) for k in ("fy", "base", "local", "wider", "n")}
    at.switch_page("pages/3_Where_the_money_goes.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Where the money goes"]
    assert at.sidebar.get("page_link") == []
    assert {k: at.query_params.get(k) for k in kept} == kept
    fy = kept["fy"][0] if isinstance(kept["fy"], list) else kept["fy"]
    assert fy and next(s for s in at.sidebar.selectbox if s.label == "Financial year").value == fy


def test_a_page_run_on_its_own_still_runs(app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "1_Spend_overview.py"), default_timeout=180).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Spend overview"]


def _sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section, [(url path, label)])] in registry order, pages whose file exists."""
    out: dict[str, list[tuple[str, str]]] = {}
    for p in registry.PAGES:
        if (ROOT / p.path).is_file():
            out.setdefault(p.section, []).append(("/" + nav.url_path(p.path), p.label))
    return list(out.items())


NAV_DOM = r"""() => {
  const nav = document.querySelector('[data-testid="stSidebarNav"]');
  if (!nav) return null;
  const sections = [];
  for (const h of nav.querySelectorAll('[data-testid="stNavSectionHeader"]')) {
    const group = h.parentElement;
    const links = [...group.querySelectorAll('a[data-testid="stSidebarNavLink"]')].map(a => {
      const s = getComputedStyle(a), r = a.getBoundingClientRect();
      const clipped = [...a.querySelectorAll('span, p')].filter(e => e.scrollWidth > e.clientWidth + 1).length;
      return {label: a.innerText.trim(), path: new URL(a.href).pathname, current: a.getAttribute('aria-current') || '',
              shadow: s.boxShadow, weight: getComputedStyle(a.querySelector('p') || a).fontWeight,
              outline: s.outlineStyle, clipped, shown: r.width > 0 && r.height > 0};
    });
    sections.push({title: h.innerText.trim(), links});
  }
  const more = [...nav.querySelectorAll('button, [role="button"]')].map(b => b.innerText.trim()).filter(t => /more|less/i.test(t));
  return {sections, more};
}"""


def _nav(page) -> dict:
    page.locator('[data-testid="stSidebarNav"] [data-testid="stNavSectionHeader"]').first.wait_for(
        state="attached", timeout=60_000
    )
    got = page.evaluate(NAV_DOM)
    assert got is not None, "no Streamlit navigation in the sidebar"
    return got


def _check_nav(got: dict, here: str) -> None:
    want = _sections()
    assert [
        (s["title"], [(link["path"], link["label"]) for link in s["links"]]) for s in got["sections"]
    ] == want
    assert got["more"] == [], f"the navigation is collapsed behind {got['more']}"
    links = [link for s in got["sections"] for link in s["links"]]
    assert len(links) == len(registry.PAGES) == 14
    assert all(link["shown"] for link in links), [link["label"] for link in links if not link["shown"]]
    assert [link["label"] for link in links if link["clipped"]] == [], "labels cut off"
    cur = [link for link in links if link["current"] == "page"]
    assert [c["path"] for c in cur] == [here], f"aria-current on {[c['label'] for c in cur]}, not {here}"
    assert "inset" in cur[0]["shadow"] and int(cur[0]["weight"]) >= 700, f"current page not marked: {cur[0]}"
    assert "255, 221, 0" not in cur[0]["shadow"], f"the current page looks focused: {cur[0]}"


@pytest.mark.browser
@bu.NEEDS_CHROMIUM
def test_native_navigation_lists_every_page_in_its_section(demo_db, tmp_path):
    """A fresh server whose first visitor opens a shared link to a page other than home (the
    case Streamlit serves with its old automatic navigation unless cwb/ui/nav.take_over steps
    in): the navigation lists every registry page under its section with its label at the
    page's old URL, the current page marked, nothing collapsed or cut off at 1280 x 720 and on
    a phone; a click on a link opens the page with the filters kept."""
    from playwright.sync_api import sync_playwright

    served = tmp_path / "nav.duckdb"
    shutil.copy(demo_db, served)
    with bu.streamlit_server(served) as url, sync_playwright() as p:
        b = bu.launch(p)
        try:
            page = b.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url + "/Spend_overview?fy=2022-23")
            bu.settle(page)
            assert bu.problems(page) == []
            assert page.locator("h1", has_text="Spend overview").count() == 1
            _check_nav(_nav(page), "/Spend_overview")
            assert page.title().startswith("Spend overview")

            page.locator('[data-testid="stSidebarNavLink"]', has_text="Where the money goes").click()
            page.wait_for_url("**/Where_the_money_goes**", timeout=60_000)
            bu.settle(page)
            assert page.locator("h1", has_text="Where the money goes").count() == 1
            assert parse_qs(urlparse(page.url).query).get("fy") == ["2022-23"], page.url
            _check_nav(_nav(page), "/Where_the_money_goes")

            page.locator('[data-testid="stSidebarNavLink"]', has_text="Network overview").click()
            page.wait_for_url(lambda u: urlparse(u).path == "/", timeout=60_000)
            bu.settle(page)
            assert page.locator("h1", has_text="Network overview").count() == 1
            _check_nav(_nav(page), "/")
            page.close()

            phone = b.new_page(viewport={"width": 390, "height": 844})
            phone.goto(url + "/Data_quality")
            bu.settle(phone)
            phone.locator(
                '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
            ).first.click()
            phone.locator('[data-testid="stSidebarNav"]').wait_for(state="visible", timeout=30_000)
            phone.wait_for_timeout(800)  # the sidebar slides in
            _check_nav(_nav(phone), "/Data_quality")
            phone.close()

            # leaving presentation mode goes home (the home page is a callable page: by its Page)
            pres = b.new_page(viewport={"width": 1280, "height": 720})
            pres.goto(url + "/Present")
            bu.settle(pres)
            pres.get_by_role("button", name="✕ Exit presentation").click()
            pres.wait_for_url(lambda u: urlparse(u).path == "/", timeout=60_000)
            bu.settle(pres)
            assert pres.locator("h1", has_text="Network overview").count() == 1
            assert bu.problems(pres) == []
        finally:
            b.close()
