"""Meeting pack (PPTX) checked by content; presentation mode walked from first to last view."""

from __future__ import annotations

import io
import struct
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bench.serve import CHROMIUM
from cwb import export, pack, slides

ROOT = Path(__file__).resolve().parent.parent
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)"
)


@needs_chromium
@pytest.mark.parametrize("anchor", [None, "DEMO-HA"])
def test_meeting_pack_content(demo_con, anchor):
    from pptx import Presentation

    ctx = slides.context_for(demo_con, anchors=[anchor] if anchor else None)
    prs = Presentation(io.BytesIO(pack.build_pack(demo_con, ctx)))
    ss = list(prs.slides)
    views = slides.build(demo_con, ctx)
    assert len(ss) == len(views) + 3 and len(views) >= 5  # title, views, every indicator, method
    first = " ".join(sh.text_frame.text for sh in ss[0].shapes if sh.has_text_frame)
    assert ctx.network_name in first and "Synthetic demo data" not in first and "synthetic demo data" in first
    assert ("Millbrook Community Homes" in first) == (anchor is not None)
    for sl, v in zip(ss[1:-2], views):
        assert sl.shapes.title.text == v.headline
        pics = [sh for sh in sl.shapes if sh.shape_type == 13]
        assert len(pics) == 1 and pics[0].image.blob[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", pics[0].image.blob[16:24]) == export.SIZES["pack"]
        alt = pics[0]._element.nvPicPr.cNvPr.get("descr")  # alternative text for screen readers
        assert alt.startswith(v.headline) and v.prov.caption() in alt
        notes = sl.notes_slide.notes_text_frame.text
        assert "Numerator" in notes or "Denominator" in notes
        assert "Open Government Licence" in notes
    # every catalogue indicator with data is in the pack's table (cwb.catalogue)
    glance = ss[-2]
    assert glance.shapes.title.text.startswith("Every indicator at a glance")
    cells = [c.text for sh in glance.shapes if sh.has_table for r in sh.table.rows for c in r.cells]
    from cwb import catalogue

    for item in catalogue.values(demo_con, ctx):
        assert f"{item['name']} ({item['id']})" in cells and item["text"] in cells
    assert (
        "Local spend (A2)" in cells
        and "Sites held (C1)" in cells
        and "Staff living in the local area (B2)" in cells
    )
    assert ss[-1].shapes.title.text == "How these figures are made"
    body = " ".join(sh.text_frame.text for sh in ss[-1].shapes if sh.has_text_frame)
    assert "spend-weighted" in body and "suppressed" in body


def test_pack_cli(demo_db, tmp_path):
    import subprocess
    import sys

    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian chromium")
    out = tmp_path / "p.pptx"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "cwb",
            "--db",
            str(demo_db),
            "pack",
            "--anchor",
            "DEMO-CC",
            "--year",
            "2024-25",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:2] == b"PK"
    r = subprocess.run(
        [sys.executable, "-m", "cwb", "--db", str(demo_db), "pack", "--anchor", "NOPE", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 2 and "unknown anchor" in r.stderr


def test_present_steps_in_apptest(app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "9_Present.py"), default_timeout=120).run()
    assert not at.exception
    assert at.query_params.get("present") == ["1"] or at.query_params.get("present") == "1"
    n = None
    seen = []
    for _ in range(12):
        counter = [m.value for m in at.markdown if "class='cwb-count'" in m.value]
        step_text = counter[0].split(">")[1].split("<")[0]
        seen.append(step_text)
        cur, n = (int(x) for x in step_text.split(" / "))
        if cur == n:
            break
        at.button(key="next").click().run()
        assert not at.exception
    assert seen[0] == f"1 / {n}" and seen[-1] == f"{n} / {n}" and len(seen) == n
    assert any("How these figures are made" in m.value for m in at.markdown)


@pytest.mark.browser
@needs_chromium
def test_presentation_walk_in_browser(server, browser):
    shots = ROOT / "tests" / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    url = server
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    try:
        page.goto(url + "/Present", timeout=90_000)
        page.wait_for_selector("text=/ ", timeout=90_000)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()  # controls hidden
        total = None
        for i in range(20):
            page.wait_for_selector(f"text=/^{i + 1} \\/ \\d+$/", timeout=60_000)
            time.sleep(1.0)
            total = int(page.locator("text=/^\\d+ \\/ \\d+$/").first.inner_text().split("/")[1])
            assert page.locator('[data-testid="stException"]').count() == 0
            assert f"s={i}" in page.url
            page.screenshot(path=str(shots / f"present_{i + 1}.png"))
            if i + 1 == total:
                break
            if i % 2:
                page.keyboard.press("ArrowRight")  # a presenter's clicker sends arrow / page keys
            else:
                page.get_by_role("button", name="Next ▶").click()
        assert total and i + 1 == total
        assert page.get_by_text("How these figures are made").is_visible()
        page.keyboard.press("PageUp")
        page.wait_for_selector(f"text=/^{total - 1} \\/ \\d+$/", timeout=60_000)
        # a shared link to a step reopens it
        page.goto(url + "/Present?s=2", timeout=90_000)
        page.wait_for_selector("text=/^3 \\/ \\d+$/", timeout=60_000)
        # the switch on the home page: presentation mode on every page, kept in the link
        page.goto(url + "/?present=0", timeout=90_000)
        page.wait_for_selector("text=Presentation mode", timeout=90_000)
        assert page.locator('[data-testid="stSidebar"]').is_visible()
        page.locator('[data-testid="stMain"]').get_by_text("Presentation mode", exact=True).click()
        page.wait_for_url("**present=1**", timeout=60_000)
        page.wait_for_function(
            "!document.querySelector('[data-testid=\"stSidebar\"]') || "
            "document.querySelector('[data-testid=\"stSidebar\"]').offsetParent === null",
            timeout=60_000,
        )
        page.goto(url + "/Spend_overview?present=1", timeout=90_000)  # a shared link opens straight into it
        page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
    finally:
        page.context.close()
