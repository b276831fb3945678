"""Disclosure control: unit rules, and a sweep of every workforce view and export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cwb import export, privacy, workforce

ROOT = Path(__file__).resolve().parent.parent
K = 10


def test_small_counts_suppressed_and_row_rounded():
    """Row: headcount 43, local 3, paid RLW 41. 3 < 10 -> '<10'; the others round to 5: 45 and 40,
    so headcount - paid = 5 no longer recovers the suppressed 3 (43 - 41 = 2 would, with local = 3)."""
    df = pd.DataFrame({"anchor_id": ["X"], "headcount": [43], "local_headcount": [3], "paid_rlw": [41]})
    p = privacy.protect_table(df, ["local_headcount", "paid_rlw"], k=K, total_col="headcount")
    assert p.display.loc[0, "local_headcount"] == "<10"
    assert p.values.loc[0, "headcount"] == 45 and p.values.loc[0, "paid_rlw"] == 40
    assert pd.isna(p.values.loc[0, "local_headcount"]) and bool(p.values.loc[0, "rounded_to_5"])
    assert privacy.pct(p.values.loc[0, "local_headcount"], p.values.loc[0, "headcount"]) is None


def test_counts_rounded_and_zero_shown():
    df = pd.DataFrame({"headcount": [1234], "local_headcount": [0], "paid_rlw": [1200]})
    p = privacy.protect_table(df, ["local_headcount", "paid_rlw"], k=K, total_col="headcount")
    # every shown count is rounded to 5 (1,234 -> 1,235), so no suppressed cell elsewhere can be
    # recovered by subtraction; zero stays zero
    assert p.display.loc[0, "headcount"] == "1,235" and p.display.loc[0, "local_headcount"] == "0"
    assert privacy.pct(p.values.loc[0, "paid_rlw"], p.values.loc[0, "headcount"]) == round(100 * 1200 / 1235, 1)


def test_small_group_hides_everything():
    df = pd.DataFrame({"headcount": [7], "local_headcount": [5], "paid_rlw": [7]})
    p = privacy.protect_table(df, ["local_headcount", "paid_rlw"], k=K, total_col="headcount")
    assert set(p.display.loc[0, ["headcount", "local_headcount", "paid_rlw"]]) == {"<10"}


def test_map_areas():
    areas = pd.DataFrame({"area_code": list("abcde"), "headcount": [3, 12, 27, 9, 0]})
    shown, s = privacy.protect_areas(areas, "headcount", k=K)
    assert set(shown["area_code"]) == {"b", "c"} and shown["headcount"].tolist() == [10, 25]
    assert s["areas_hidden"] == 2 and s["hidden_total"] == "10"   # 3 + 9 = 12 -> rounded to 10


def test_threshold_configurable(monkeypatch):
    monkeypatch.setenv("CWB_SUPPRESS_K", "5")
    assert privacy.k_default() == 5 and privacy.display_count(7) == "7" and privacy.display_count(4) == "<5"


NOT_COUNTS = re.compile(r"all \d+ anchors|\d+ districts|\b[EWSN]\d{8}\b|\b20\d\d(-\d\d)?\b|decile \d+(-\d+)?|"
                        r"\b[ABCX]\d+[A-Z]?\b|IMD \d{4}|nearest 5|below \d+|fewer than \d+|<\d+|31 March \d+|"
                        r"\d+ areas|£\d+\.\d\d|\(\d+\)|'s|\d+(\.\d+)?%")


def _numbers_in(text: str) -> list[float]:
    text = NOT_COUNTS.sub(" ", text)
    return [float(x.replace(",", "")) for x in re.findall(r"(?<![\w.<£%])(\d[\d,]*)(?![\d.%]|\s?ha|m²| pp)", text)]


def _assert_no_small_counts(texts: list[str], where: str):
    for t in texts:
        for n in _numbers_in(t):
            assert not (0 < n < K), f"{where}: a count {n} below {K} in: {t[:200]}"


@pytest.mark.parametrize("anchors", ["", "DEMO-FIRE", "DEMO-HA", "DEMO-FE"])
def test_sweep_workforce_views_and_exports(app_env, monkeypatch, anchors):
    captured = []
    import cwb.ui.downloads as dl

    monkeypatch.setattr(dl, "offer", lambda prov, fig=None, data=None, key="": captured.append((prov, fig, data)))
    at = AppTest.from_file(str(ROOT / "pages" / "6_Workforce.py"), default_timeout=120)
    at.query_params["a"] = anchors
    at.query_params["wlvl"] = "lsoa11"          # the finest level: almost every area is small
    at.run()
    assert not at.exception
    texts = [m.value for m in at.metric] + [m.help or "" for m in at.metric]
    texts += [c.value for c in at.caption]
    _assert_no_small_counts(texts, "metrics and captions")
    # the map: every area drawn has at least k staff, and tooltips say so
    decks = at.get("deck_gl_json_chart")
    assert decks
    spec = json.loads(decks[0].proto.json)
    tips = [f["properties"]["tooltip"] for layer in spec["layers"] if isinstance(layer.get("data"), dict)
            for f in layer["data"].get("features", []) if f["properties"].get("tooltip")]
    assert tips
    _assert_no_small_counts(tips, "map tooltips")
    # charts' data and every export (CSV of each chart/table) carry no small count
    assert captured
    for prov, _fig, data in captured:
        if data is None:
            continue
        count_cols = [c for c in data.columns if c.endswith("_text") or c in ("headcount",)]
        for c in count_cols:
            vals = [v for v in data[c].tolist() if v is not None and not (isinstance(v, float) and pd.isna(v))]
            for v in vals:
                s = str(v)
                assert s.startswith("<") or s == "–" or float(s.replace(",", "")) == 0 or float(s.replace(",", "")) >= K, (prov.title, c, s)
        csv_text = export.csv_bytes(data, prov).decode("utf-8-sig")
        body = csv_text.split("\r\n\r\n", 1)[1]
        header, *rows = body.strip().split("\r\n")
        idx = [i for i, h in enumerate(header.split(",")) if h in count_cols]
        for r in rows:
            cells = next(__import__("csv").reader([r]))
            for i in idx:
                s = cells[i].replace(",", "")
                assert s.startswith("<") or s in ("", "–") or float(s) == 0 or float(s) >= K


def test_demo_has_small_counts_to_protect(demo_con):
    """The sweep is meaningful: the raw demo data does contain counts between 1 and 9."""
    raw = __import__("cwb.db", fromlist=["run"]).run(
        "workforce_indicators", demo_con, anchor_ids=["DEMO-FIRE"], fy_from="2020-21", fy_to="2025-26",
        local_lads=["E07000123"], imd_edition="2019")
    x = raw[workforce.COUNTS].apply(pd.to_numeric)
    small = ((x >= 1) & (x < K)).to_numpy().sum()
    assert small > 0
