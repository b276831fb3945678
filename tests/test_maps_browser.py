"""The maps in a real browser (Debian chromium via Playwright, `streamlit run` on loopback).

- Where the money goes: each radio changed twice in a row takes both times (the URL, the checked
  radio and the map all change), and changing the level after clicking an area leaves the map
  drawn with no stale selection;
- the map's colour key, place names and anchor sites are on screen; the map's PNG download is a
  1600 x 900 image (title, caption and source are added by cwb.export like every chart);
- screenshots of the map pages at 1600x1000, 1280x720 and 390x844 go to tests/artifacts/maps/.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_util import BROWSER, ROOT, problems, settle

SHOTS = ROOT / "tests" / "artifacts" / "maps"
pytestmark = BROWSER
DECK = '[data-testid="stDeckGlJsonChart"]'


def _param(page, key: str) -> str | None:
    return (parse_qs(urlparse(page.url).query).get(key) or [None])[0]


def _checked(page, group: str) -> str:
    """The label of the checked option of the radio group labelled ``group``."""
    g = page.locator('[data-testid="stRadio"]').filter(has=page.get_by_text(group, exact=True)).first
    return g.locator("label:has(input:checked)").inner_text().strip()


def _click(page, group: str, option: str) -> None:
    g = page.locator('[data-testid="stRadio"]').filter(has=page.get_by_text(group, exact=True)).first
    g.get_by_text(option, exact=True).click()
    time.sleep(0.4)
    settle(page, timeout=300, content=DECK)


def _map_signature(page) -> str:
    """What the map draws, read from the page: its colour key (the class bounds differ between
    levels) and its title."""
    key = page.locator('[aria-label="Map key"]').first.inner_text()
    title = page.get_by_text("Spend by the ", exact=False).first.inner_text()
    return title + " | " + key


def test_radios_take_every_change_and_the_url_follows(server, browser):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(server + "/Where_the_money_goes")
        settle(page, timeout=300, content=DECK)
        assert not problems(page)
        assert _param(page, "lvl") == "lad" and _checked(page, "Areas") == "Local authority"
        first = _map_signature(page)
        # twice in a row: MSOA then LSOA, then back to the districts
        for option, value in (
            ("MSOA (2011)", "msoa11"),
            ("LSOA (2011)", "lsoa11"),
            ("Local authority", "lad"),
        ):
            _click(page, "Areas", option)
            assert _checked(page, "Areas") == option, f"the radio did not take {option}"
            assert _param(page, "lvl") == value, f"the URL did not follow {option}: {page.url}"
            assert not problems(page)
            if value != "lad":
                assert _map_signature(page) != first, f"the map did not change for {option}"
        assert _map_signature(page) == first
        # the extent radio, twice in a row
        for option, value in (("Whole UK", "uk"), ("Lancashire (wider area)", "wider"), ("Whole UK", "uk")):
            _click(page, "Show", option)
            assert _checked(page, "Show") == option and _param(page, "ext") == value
        assert (
            "England and Wales"
            in page.locator('[data-testid="stCaptionContainer"]')
            .filter(has_text="Boundaries are drawn")
            .first.inner_text()
        )
    finally:
        ctx.close()


def test_click_an_area_then_change_level(server, browser):
    """After clicking an area the level changes cleanly: the new map draws, the area picker
    shows an area of the new level (not the clicked district), no error."""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(server + "/Where_the_money_goes")
        settle(page, timeout=300, content=DECK)
        deck = page.locator(DECK).first
        deck.scroll_into_view_if_needed()
        box = deck.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
        time.sleep(0.5)
        settle(page, timeout=300, content=DECK)
        _click(page, "Areas", "MSOA (2011)")
        assert not problems(page)
        picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Suppliers in an area").first
        shown = (
            picker.inner_text()
            + " "
            + (picker.locator("input").first.input_value() if picker.locator("input").count() else "")
        )
        assert "E02" in shown, shown  # an MSOA of the new level, not the district clicked
        canvas = page.locator(f"{DECK} canvas").first
        assert canvas.is_visible()
    finally:
        ctx.close()


def test_map_key_names_sites_and_png_download(server, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(server + "/Where_the_money_goes")
        settle(page, timeout=300, content=DECK)
        key = page.locator('[aria-label="Map key"]').first.inner_text()
        assert "£" in key and "anchor sites" in key and "None" not in key
        page.locator('[data-testid="stPopover"] button').first.click()
        btn = page.get_by_role("button", name="PNG for slides (1600×900)")
        btn.wait_for(timeout=20_000)
        with page.expect_download(timeout=120_000) as dl:
            btn.click()
        out = tmp_path / "map.png"
        dl.value.save_as(out)
        from PIL import Image

        with Image.open(out) as im:
            assert im.size == (1600, 900)
            colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
        assert len(colours) > 50  # a drawn map, not a blank page
        assert dl.value.suggested_filename.startswith("Spend_by_the_district")
    finally:
        ctx.close()


@pytest.mark.parametrize("path", ["/Where_the_money_goes", "/Workforce", "/Land_and_property"])
@pytest.mark.parametrize("w, h", [(1600, 1000), (1280, 720), (390, 844)])
def test_map_screenshots(server, browser, path, w, h):
    """Screenshots of each map (scrolled into view) for a person to look at; the page has no
    error, the map and its key are drawn and no key text overflows its box."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(server + path)
        settle(page, timeout=300, content=DECK)
        assert not problems(page)
        if (
            w < 600
        ):  # the frame opens the sidebar expanded, over the page on a phone: close it as a user would
            collapse = page.locator(
                '[data-testid="stSidebarCollapseButton"] button, [data-testid="stSidebarCollapseButton"]'
            )
            if collapse.count():
                collapse.first.click()
                time.sleep(1.0)
        deck = page.locator(DECK).first
        deck.scroll_into_view_if_needed()
        time.sleep(1.0)
        page.screenshot(path=str(SHOTS / f"{path.strip('/')}_{w}x{h}.png"))
        keys = page.locator('[aria-label="Map key"]')
        assert keys.count() >= 1, "no colour key under the map"
        assert "None" not in keys.first.inner_text()
    finally:
        ctx.close()
