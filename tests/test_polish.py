"""What an officer sees first (issue 10 items 2, 5-9, 11; issue 12 item 8): figures formatted as
people write them, no 'None', exports that are the chart's own table, charts whose text fits,
presentation that fits a projector, and data values that never render as markdown or HTML."""

from __future__ import annotations

import io
import re
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cwb import db, export, fmt
from cwb.charts import network as net_charts
from cwb.charts import spend as spend_charts
from cwb.provenance import Provenance
from tests.import_util import import_page
from tests.menu_util import open_menus

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian chromium (apt-get install chromium)"
)
HOSTILE = "![x](http://203.0.113.9/x.png) [link](http://203.0.113.9/) <b>b</b> :red[r] $x$"
PROV = Provenance(title="T", measure="M")


def _run(page, params=None, at=None):
    at = at or AppTest.from_file(str(ROOT / page), default_timeout=180)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


# -- formatting ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, shown",
    [
        (2, "£2"),
        (999, "£999"),
        (13_463, "£13.5k"),
        (13_463_343, "£13.5m"),
        (999_960, "£1.0m"),
        (1.08e9, "£1.1bn"),
        (-516.8e6, "-£516.8m"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_money_is_formatted_by_magnitude(value, shown):
    assert fmt.gbp(value) == shown  # old: £2 -> '£2' but 13,463 -> '£13k' and the land chart '£0.00m'


def test_md_escape_keeps_the_text_and_kills_markup():
    import html as _html

    from markdown_it import MarkdownIt  # CommonMark, as Streamlit's renderer (remark) reads it

    for s in (
        HOSTILE,
        "see http://x.org, www.y.com or a@b.com",
        "# heading",
        "1. list",
        "> quote",
        "*em* _em_ `code`",
        "a\nb",
    ):
        out = MarkdownIt("commonmark").render(fmt.md_escape(s))
        assert re.fullmatch(r"<p>.*</p>\n", out, re.S), out  # one plain paragraph
        assert not re.search(r"<(img|a|b|em|code|h1|ol|blockquote)\b", out), out
        assert _html.unescape(out[3:-5]).replace(fmt.ZWSP, "") == s.replace(
            "\n", " "
        )  # the same text, as typed


def test_plot_escape_and_figures_escape_data_once():
    df = pd.DataFrame({"anchor_id": ["a", "b"], "local_pct": [10.0, 20.0], "spend_gbp": [1e6, 2e6]})
    fig = spend_charts.anchor_comparison(
        df,
        "local_pct",
        "T",
        {"a": "<a href='http://x'>A</a>", "b": "B & Co"},
        {"a": "t", "b": "t"},
        {"t": "Type"},
        15.0,
    )
    ys = " ".join(fig.data[0].y)
    assert "<a href" not in ys and "&lt;a href=" in ys and "B &amp; Co" in ys
    once = export.decorate(fig, PROV, 1024, 576)
    assert "&amp;amp;" not in " ".join(once.data[0].y)  # not escaped twice on export


# -- charts: text that fits -----------------------------------------------------------------
def test_bar_labels_have_a_margin_as_wide_as_they_are():
    row = pd.Series(
        {f"{k}_{u}": v for k, _ in spend_charts.BANDS for u, v in (("pct", 20.0), ("gbp", 516.8e6))}
    )
    fig = spend_charts.concentric(row, "T", {})
    longest = max(len(t) for t in fig.data[0].text)
    assert fig.layout.margin.r >= longest * 15 * 0.5  # old: r=40 px for '47.6%  (£516.8m)'
    assert fig.layout.xaxis.showticklabels is False  # no rotated ticks under the title


def test_count_axes_have_whole_number_ticks_and_one_year_labels_do_not_overprint():
    one = pd.DataFrame({"financial_year": ["2025-26"], "idle": [3], "community": [3]})
    fig = net_charts.lines(one, [("idle", "idle"), ("community", "community")], "T", "Sites", unit="sites")
    assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick >= 1
    ys = sorted(a.y for a in fig.layout.annotations)
    assert ys[1] - ys[0] >= 0.08 * fig.layout.yaxis.range[1]  # old: both labels at the same place
    tr = pd.DataFrame(
        {"anchor_id": ["_all", "a"], "financial_year": ["2025-26"] * 2, "local_pct": [20.0, 20.5]}
    )
    fig = spend_charts.trend(
        tr,
        "local_pct",
        "T",
        {"_all": "Network", "a": "A"},
        "2025-26",
        events=pd.DataFrame({"financial_year": ["2025-26"], "note": ["joined"]}),
    )
    texts = [a.text for a in fig.layout.annotations]
    assert not any("Baseline" in t or "joined" in t for t in texts)  # one year: nothing to mark on
    ys = sorted(a.y for a in fig.layout.annotations)
    assert ys[1] - ys[0] > 1.0  # the two end labels fanned apart


def test_money_trend_axis_is_pounds_not_plotly_si():
    tr = pd.DataFrame(
        {"anchor_id": ["_all"] * 2, "financial_year": ["2024-25", "2025-26"], "spend_gbp": [8e8, 1.08e9]}
    )
    fig = spend_charts.trend(tr, "spend_gbp", "T", {"_all": "Network"}, "2024-25", unit="£")
    assert fig.layout.yaxis.tickprefix == "£" and fig.layout.yaxis.ticksuffix == "m"
    assert max(fig.data[0].y) == pytest.approx(1080.0)  # old: 1B / 0.8B under '£'


# -- exports by content ---------------------------------------------------------------------
def test_clean_survives_a_repeated_column_and_drops_time_of_day():
    df = pd.DataFrame({"a": [1.0], "when": pd.to_datetime(["2020-04-01"])})
    both = pd.concat([df, df[["a"]]], axis=1)  # old: AttributeError in _clean
    out = export._clean(both)
    assert list(out.columns) == ["a", "when"] and out["when"].iloc[0] == "2020-04-01"


def test_xlsx_header_is_styled_and_frozen_and_numbers_typed():
    from openpyxl import load_workbook

    df = export.labelled(
        pd.DataFrame({"anchor_id": ["_all"], "local_gbp": [217895734.23], "local_pct": [20.123]}),
        {"anchor_id": "Anchor", "local_gbp": "Local spend £", "local_pct": "Local %"},
    )
    assert df.iloc[0].tolist() == ["All selected anchors", 217895734, 20.1]
    ws = load_workbook(io.BytesIO(export.xlsx_bytes(df, PROV))).active
    header = next(r for r in ws.iter_rows() if r[0].value == "Anchor")
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("12436D") for c in header)
    assert ws.freeze_panes == f"A{header[0].row + 1}"
    value = ws.cell(header[0].row + 1, 2)
    assert isinstance(value.value, int) and "£" in value.number_format


def test_xlsx_drops_control_characters():
    df = pd.DataFrame({"Supplier": ["Esc\x1b Ltd", "Tab\x0b plc"], "Spend £": [1, 2]})
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(export.xlsx_bytes(df, PROV))).active
    assert "Esc Ltd" in [c.value for c in ws["A"]]


EXPORT_PAGES = [
    ("dashboard.py", {}),
    ("pages/1_Spend_overview.py", {}),
    ("pages/2_Spend_trends.py", {}),
    ("pages/2_Spend_trends.py", {"ind": "A1"}),
    ("pages/4_Opportunities.py", {}),
    ("pages/5_Suppliers.py", {}),
    ("pages/6_Workforce.py", {}),
    ("pages/7_Land_and_property.py", {}),
    ("pages/8_Anchor_profile.py", {}),
]


@pytest.mark.parametrize("page, params", EXPORT_PAGES)
def test_every_csv_on_a_page_uses_the_labels_the_reader_sees(app_env, monkeypatch, page, params):
    seen: list[tuple[str, pd.DataFrame]] = []
    real = export.csv_bytes

    def record(df, prov, sensitivity=None):
        seen.append((prov.title, df))
        return real(df, prov, sensitivity)

    monkeypatch.setattr(export, "csv_bytes", record)
    at = _run(page, params)
    assert not at.exception, at.exception  # old: Trends A1 raised AttributeError in export._clean
    open_menus(at)  # each table's CSV is made when its Download menu is opened
    assert not at.exception, at.exception
    assert seen
    for title, df in seen:
        assert export.internal_names(df) == [], (title, export.internal_names(df))


# -- pages: no None, numbers formatted, clear messages ---------------------------------------
def _tables(at):
    return [t for t in at.dataframe]


def test_tables_show_a_dash_for_missing_values(app_env):
    at = _run("pages/5_Suppliers.py")
    assert not at.exception
    t = at.dataframe[0]
    assert t.proto.placeholder == "–" if hasattr(t.proto, "placeholder") else True
    df = t.value
    assert not df["Postcode"].isna().any() and not df["District"].isna().any()
    assert "not recorded" in set(df["Postcode"]) or df["Postcode"].str.len().min() > 0


def test_suppliers_paid_follows_the_shared_only_switch(app_env):
    at = _run("pages/5_Suppliers.py")
    before = next(m for m in at.metric if m.label.startswith("Suppliers paid")).value
    at.toggle(key="w_shared").set_value(True).run()
    assert not at.exception
    after = next(m for m in at.metric if m.label.startswith("Suppliers paid"))
    assert after.value != before and int(after.value.replace(",", "")) == len(at.dataframe[0].value)


def test_opportunity_columns_are_never_identical_copies(app_env):
    at = _run("pages/4_Opportunities.py")
    df = at.dataframe[0].value
    counts = [c for c in df.columns if "Local suppliers" in c]
    assert len(counts) == 1  # whole network: one count, not two equal ones
    at = _run("pages/4_Opportunities.py", {"a": "DEMO-FIRE"})
    df = at.dataframe[0].value
    used = df["Local suppliers used by the selected anchors"]
    net = df["Local suppliers trading with any network anchor"]
    assert (net >= used).all() and (net > used).any()


def test_concentration_table_is_rounded_and_typed(app_env):
    at = _run("pages/1_Spend_overview.py")
    df = next(t.value for t in at.dataframe if "HHI (0-10,000)" in t.value.columns)
    assert str(df["HHI (0-10,000)"].dtype) == "Int64" and str(df["Suppliers"].dtype) == "Int64"
    for c in ("Spend £m", "Top 10 share %", "Average days to pay"):
        assert (df[c].dropna() == df[c].dropna().round(1)).all()


def test_league_table_has_no_one_of_one_rank_and_a_numeric_headcount(app_env):
    at = _run("dashboard.py")
    df = next(t.value for t in at.dataframe if "Anchor" in t.value.columns and "Headcount" in t.value.columns)
    assert not any(str(v) == "1 of 1" for v in df.get("Rank in type", []))
    assert "Rank (all anchors)" in df.columns
    assert pd.api.types.is_numeric_dtype(df["Headcount"])


def test_spend_block_says_why_it_is_empty(app_env):
    at = _run("dashboard.py", {"a": "DEMO-POL", "fy": "2020-21"})  # the constabulary joined in 2022-23
    assert not at.exception
    assert any("No payments loaded for 2020-21" in c.value for c in at.caption)


def test_profile_rank_is_among_all_anchors_when_alone_in_its_type(app_env):
    at = _run("pages/8_Anchor_profile.py", {"a": "DEMO-CC"})
    m = next(m for m in at.metric if m.label.startswith("Position"))
    assert re.fullmatch(r"\d of 7", m.value) and "only anchor of its type" in m.help


def test_plotly_camera_button_and_table_csv_are_removed(app_env):
    at = _run("pages/2_Spend_trends.py")
    charts = at.get("plotly_chart")
    assert charts and all("toImage" in c.proto.config for c in charts)
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["client"]["disableDataExport"] is True


# -- data values never render -----------------------------------------------------------------
def _unescaped(s: str) -> bool:
    return bool(re.search(r"(?<!\\)!\\?\[|(?<!\\)\]\(|(?<!\\)<b>|(?<!\\):red\[", s))


@pytest.mark.parametrize(
    "page",
    [
        "dashboard.py",
        "pages/1_Spend_overview.py",
        "pages/4_Opportunities.py",
        "pages/8_Anchor_profile.py",
        "pages/6_Workforce.py",
        "pages/9_Present.py",
    ],
)
def test_markdown_from_data_is_escaped(app_env, page):
    con = db.connect(app_env)
    cur = con.cursor()
    cur.execute("UPDATE anchor SET name = ? WHERE anchor_id = 'DEMO-CC'", [HOSTILE])
    cur.execute("UPDATE payment SET category = ? WHERE category = 'Medical and clinical supplies'", [HOSTILE])
    cur.execute(
        "UPDATE mart_spend_supplier SET category = ? WHERE category = 'Medical and clinical supplies'",
        [HOSTILE],
    )
    cur.execute("CHECKPOINT")
    cur.close()
    db.close_all()
    import streamlit as st

    st.cache_data.clear()  # results of earlier tests are keyed on the data version only
    st.cache_resource.clear()
    at = _run(page, {"a": "DEMO-CC"} if page != "pages/4_Opportunities.py" else {})
    assert not at.exception
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    texts += [m.label for m in at.metric] + [m.help or "" for m in at.metric]
    hits = [t for t in texts if re.search(r"203\\?\.0\\?\.113", t)]
    assert hits or page == "pages/6_Workforce.py"
    # chart titles are HTML made with html.escape (markdown is not read inside an HTML block)
    html_blocks = [t for t in hits if t.startswith("<p class='cwb-chart-title'")]
    assert all("<b>b</b>" not in t and "&lt;b&gt;" in t for t in html_blocks)
    assert [t for t in hits if _unescaped(t) and t not in html_blocks] == []


# -- presentation and the meeting pack -------------------------------------------------------
def test_slides_name_the_region_like_the_page(demo_con):
    from cwb import slides

    ctx = slides.context_for(demo_con)
    first = slides.build(demo_con, ctx)[0]
    assert "Rest of North West" in list(first.fig.data[0].y)  # old: 'Rest of region'


@needs_chromium
def test_anchor_pack_is_headed_with_the_anchor_and_captions_are_slide_text(demo_con):
    from pptx import Presentation
    from pptx.util import Pt

    from cwb import pack, slides

    ctx = slides.context_for(demo_con, anchors=["DEMO-HA"])
    prs = Presentation(io.BytesIO(pack.build_pack(demo_con, ctx)))
    ss = list(prs.slides)
    boxes = [sh for sh in ss[0].shapes if sh.has_text_frame and sh.text_frame.text]
    assert boxes[0].text_frame.text.startswith("Millbrook Community Homes")  # old: the network's name
    for sl in ss[1:-1]:
        if not any(sh.shape_type == 13 for sh in sl.shapes):  # a table slide (every indicator at a glance)
            continue
        caps = [sh for sh in sl.shapes if sh.has_text_frame and "Numerator" in sh.text_frame.text]
        assert caps, sl.shapes.title.text
        assert min(p.font.size for p in caps[0].text_frame.paragraphs[:1]) >= Pt(12)


def test_decorate_can_leave_title_and_caption_to_the_slide():
    fig = net_charts.lines(
        pd.DataFrame({"financial_year": ["2024-25", "2025-26"], "v": [1.0, 2.0]}),
        [("v", "v")],
        "Chart title",
        "%",
    )
    f = export.decorate(fig, PROV, 1024, 420, title=False, caption=False)
    assert not (f.layout.title and f.layout.title.text)
    assert not any("Numerator" in (a.text or "") or "Data:" in (a.text or "") for a in f.layout.annotations)


def test_present_title_slide_of_one_anchor_is_the_anchor(app_env):
    at = _run("pages/9_Present.py", {"a": "DEMO-UNI"})
    assert not at.exception
    assert any(m.value.startswith("# University of Millbrook") for m in at.markdown)


def test_exit_presentation_on_every_page(app_env):
    for page in ("pages/1_Spend_overview.py", "pages/8_Anchor_profile.py", "pages/6_Workforce.py"):
        at = _run(page, {"present": "1"})
        assert not at.exception
        b = at.button(key="cwb_exit_present")
        b.click().run()
        assert at.query_params.get("present") in (["0"], "0"), page


# -- import: cancel clears the report -------------------------------------------------------
def test_cancel_clears_the_report_and_the_commit_button(app_env):
    at = import_page()  # payments is the default kind; the anchor is chosen as an officer must
    csv = (
        b"Date,Supplier,Amount,Description\r\n01/04/2025,Acme Ltd,100.00,Stationery\r\n"
        b"02/04/2025,Acme Ltd,50.00,Stationery\r\n"
    )
    at.file_uploader[0].set_value(("pay.csv", csv, "text/csv")).run()
    assert not at.exception
    assert any(b.label == "Commit this file" for b in at.button)
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert not at.exception
    assert not any(b.label == "Commit this file" for b in at.button)  # old: the report stayed
    assert not any(s.value.startswith("Report:") for s in at.subheader)
    assert any("Cancelled: nothing was imported" in i.value for i in at.info)


# -- a real browser: escaped names, the projector ---------------------------------------------
@pytest.mark.browser
@needs_chromium
def test_browser_escapes_names_and_presents_at_1280x720(demo_db, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests import browser_util as bu

    path = tmp_path / "polish.duckdb"
    shutil.copy(demo_db, path)
    con = db.connect(path)
    cur = con.cursor()
    cur.execute("UPDATE anchor SET name = ? WHERE anchor_id = 'DEMO-CC'", [HOSTILE])
    cur.execute("CHECKPOINT")
    cur.close()
    db.close_all()
    outside: list[str] = []
    with bu.streamlit_server(path) as url, sync_playwright() as p:
        b = bu.launch(p)
        pg = b.new_page(viewport={"width": 1280, "height": 720})
        pg.on("request", lambda r: None if bu.is_local(r.url) else outside.append(r.url))
        pg.goto(url + "/Anchor_profile?a=DEMO-CC")
        bu.settle(pg)
        assert bu.problems(pg) == []
        assert HOSTILE in pg.locator("h2").first.inner_text().replace(fmt.ZWSP, "")  # shown as typed
        assert pg.locator('img[src*="203.0.113.9"], a[href*="203.0.113.9"]').count() == 0
        # presentation: every chart step fits the screen with its x-axis, text large, buttons whole
        pg.goto(url + "/Present?s=1")
        bu.settle(pg)
        for step in range(1, 7):
            m = pg.evaluate("""() => {
              const plot = document.querySelector('.js-plotly-plot');
              if (!plot) return null;
              const xt = plot.querySelector('.xtitle');
              const sizes = [...plot.querySelectorAll('text')].filter(t => t.textContent.trim())
                              .map(t => parseFloat(getComputedStyle(t).fontSize));
              const cut = [...document.querySelectorAll('button')].filter(b => b.offsetParent && b.scrollWidth > b.clientWidth + 1)
                              .map(b => b.innerText);
              return {bottom: xt ? xt.getBoundingClientRect().bottom : 0, min: Math.min(...sizes), cut};
            }""")
            if m is not None:
                assert m["bottom"] <= 720, (step, m)
                assert m["min"] >= 20, (step, m)
            assert m is None or m["cut"] == [], m
            pg.screenshot(path=str(tmp_path / f"present_{step}.png"))
            pg.get_by_role("button", name="Next ▶").click()
            bu.settle(pg, quiet=0.5, content=False)
        pg.goto(url + "/Spend_overview?present=1")
        bu.settle(pg)
        pg.get_by_role("button", name="✕ Exit presentation").click()
        pg.wait_for_url("**present=0**", timeout=60_000)
        # the link changes early in the run, the sidebar is drawn later in it: wait for it
        pg.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=30_000)
        assert pg.locator('[data-testid="stSidebar"]').is_visible()
        b.close()
    assert outside == []
    db.close_all()


def test_chart_titles_are_page_text_that_wraps_not_a_one_line_plotly_title():
    from cwb.charts import workforce as wf_charts
    from cwb.ui import show

    d = pd.DataFrame({"anchor_id": ["_all", "a"], "B3_pct": [12.0, 14.0]})
    long = "Staff living in the most deprived 20% of areas by anchor, 2025-26 (IMD 2019)"
    fig = wf_charts.anchors_bar(d, "B3_pct", long, {"a": "Anchor A"})
    screen, title = show.screen_figure(fig)
    assert title == long and not (screen.layout.title and screen.layout.title.text)  # old: cut at '...2025-2'
    assert fig.layout.title.text == long  # exports keep it
    assert fig.layout.xaxis.showticklabels is False


def test_counts_agree_with_their_noun():
    """The import report said '1 payees have no supplier record' and '1 empty padding rows'."""
    assert fmt.count(1, "payee") == "1 payee"
    assert fmt.count(0, "payee") == "0 payees"
    assert fmt.count(55_936, "empty padding row") == "55,936 empty padding rows"
    assert fmt.count(2, "county", "counties") == "2 counties"


def test_date_order_evidence_agrees_with_its_count():
    """The report said '1 distinct date(s) have a first part over 12' (file of 01/09/2014 and
    30/09/2014: one date, 30/09, has a first part over 12)."""
    import pandas as pd

    from cwb.ingest.payments import decide_date_order

    order, why, _ = decide_date_order(pd.Series(["01/09/2014", "30/09/2014"]))
    assert order == "dmy" and why.startswith("1 distinct date has a first part over 12"), why
    order, why, _ = decide_date_order(pd.Series(["13/09/2014", "30/09/2014"]))
    assert why.startswith("2 distinct dates have a first part over 12"), why
    order, why, _ = decide_date_order(pd.Series(["09/13/2014", "09/01/2014"]))
    assert order == "mdy" and why.startswith("1 distinct date has a middle part over 12"), why
