"""Maps: the minimum-suppliers rule (issue 12 item 6), the tooltip's share matching the headline,
the colour key, place names, anchor sites and the map PNG (issue 10 items 3 and 4).

Real demo database, real AppTest runs of the pages, real kaleido PNG."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cwb import access, db, maps

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/3_Where_the_money_goes.py"


# -- engine ---------------------------------------------------------------------------------------
def test_protect_suppliers_merges_then_hides_small_areas():
    areas = pd.DataFrame(
        {
            "area_code": ["L1", "L2", "L3", "L4", "L5", "L6"],
            "spend_gbp": [765_000.0, 10.0, 20.0, 500.0, 40.0, 9.0],
            "n_suppliers": [1, 1, 1, 7, 2, 1],
        }
    )
    parents = pd.DataFrame(
        {
            "area_code": ["L1", "L2", "L3", "L4", "L5", "L6"],
            "msoa": ["M1", "M1", "M1", "M2", "M3", "M4"],
            "lad": ["D1", "D1", "D1", "D1", "D2", "D3"],
        }
    )
    rows, summ = maps.protect_suppliers(areas, 3, parents)
    shown = rows[rows["kind"] != "hidden"]
    assert (shown["n_suppliers"] >= 3).all()
    merged = rows[rows["kind"] == "merged"].iloc[0]
    assert merged["area_code"] == "M1" and sorted(merged["members"]) == ["L1", "L2", "L3"]
    assert merged["spend_gbp"] == 765_030.0  # never the one supplier's £765k alone
    hidden = rows[rows["kind"] == "hidden"]
    assert set(hidden["area_code"]) == {"L5", "L6"} and hidden["spend_gbp"].isna().all()
    assert summ["hidden_gbp"] == 49.0  # the hidden areas together have 3 suppliers
    rows2, summ2 = maps.protect_suppliers(areas[areas["area_code"] != "L6"], 3, parents)
    assert summ2["hidden_gbp"] is None and summ2["areas_hidden"] == 1  # 2 suppliers: their total is not given
    assert "fewer than 3 suppliers" in maps.suppliers_note(summ)


def test_protect_suppliers_hidden_total_only_when_it_covers_n():
    areas = pd.DataFrame({"area_code": ["A", "B"], "spend_gbp": [5.0, 7.0], "n_suppliers": [2, 2]})
    _, summ = maps.protect_suppliers(areas, 3, None)
    assert summ["areas_hidden"] == 2 and summ["hidden_gbp"] == 12.0
    _, summ = maps.protect_suppliers(areas.head(1), 3, None)
    assert summ["hidden_gbp"] is None


def test_gbp_legend_and_html_are_formatted():
    items = maps.gbp_legend(pd.Series([1_500.0, 20_000, 90_000, 400_000, 2_500_000, 9_000_000]))
    assert len(items) >= 3
    assert all(t.startswith("£") for _, t in items)
    assert items[-1][1].endswith("£9.0m")
    html = maps.legend_html("Spend <x>", items, [(maps.SITE_SWATCH, "anchor sites")])
    assert "&lt;x&gt;" in html and "anchor sites" in html and "None" not in html


def test_town_labels_from_constituencies():
    # Lancashire and Greater Manchester
    t = maps.town_labels((-3.2, 53.3, -2.0, 54.3), skip={"Preston", "Ribble Valley"})
    names = set(t["text"])
    assert "Bolton" in names  # 'Bolton North East' etc.
    assert not {n for n in names if n.split()[0] in ("North", "South", "East", "West")}
    assert "Ribble" not in names and "Preston" not in names and "Lancashire" not in names
    assert not any(" and " in n for n in names)


def test_declutter_drops_overlapping_labels():
    lab = pd.DataFrame(
        {
            "lon": [-2.70, -2.701, -1.0],
            "lat": [53.76, 53.761, 53.0],
            "text": ["Preston", "Fulwood", "Far"],
            "kind": ["local", "town", "wider"],
        }
    )
    out = maps.declutter(lab, zoom=9)
    assert list(out["text"]) == ["Preston", "Far"]


def test_map_png_has_the_chart_decoration():
    from PIL import Image

    from cwb import export
    from cwb.provenance import Provenance

    sq = maps.shapely.to_wkb(maps.shapely.box(-2.8, 53.7, -2.6, 53.9))
    sq2 = maps.shapely.to_wkb(maps.shapely.box(-2.6, 53.7, -2.4, 53.9))
    pic = maps.MapPicture(
        areas=pd.DataFrame(
            {
                "area_code": ["A", "B"],
                "wkb": [sq, sq2],
                "fill": [maps.BLUES[0] + [215], maps.BLUES[4] + [215]],
                "tooltip": ["a", "b"],
            }
        ),
        context=pd.DataFrame({"area_code": ["A"], "wkb": [sq]}),
        labels=pd.DataFrame({"lon": [-2.7], "lat": [53.8], "text": ["Preston"], "kind": ["local"]}),
        sites=pd.DataFrame({"lon": [-2.7], "lat": [53.76], "name": ["x"], "tooltip": ["x"]}),
        legend=[(maps.BLUES[0], "£1k – £2k"), (maps.BLUES[4], "£2k – £9k")],
        legend_title="Spend",
        bounds=(-2.8, 53.7, -2.4, 53.9),
    )
    fig = maps.to_figure(pic)
    names = [t.name for t in fig.data if t.showlegend]
    assert names == ["£1k – £2k", "£2k – £9k", "Anchor sites"]
    assert any(t.mode == "text" and "Preston" in str(t.text) for t in fig.data)
    prov = Provenance(title="Spend map", measure="Spend by area", source="Anchor payment records")
    png = export.png(fig, prov)
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (1600, 900)
    svg = export.svg(fig, prov).decode()
    assert "Spend map" in svg and "Preston" in svg and "Office for National Statistics" in svg


# -- the page ---------------------------------------------------------------------------------------
def _deck_specs(at) -> list[dict]:
    out = []
    for el in at.get("deck_gl_json_chart"):
        proto = getattr(el, "proto", None)
        if proto is not None and getattr(proto, "json", ""):
            out.append(json.loads(proto.json))
    return out


def _tooltips(spec: dict) -> list[str]:
    tips = []
    for layer in spec.get("layers", []):
        data = layer.get("data")
        if isinstance(data, dict):
            tips += [f["properties"].get("tooltip", "") for f in data.get("features", [])]
        elif isinstance(data, list):
            tips += [d.get("tooltip", "") for d in data if isinstance(d, dict)]
    return [t for t in tips if t]


def _app(monkeypatch, tmp_path, role=None, anchors=(), params=None):
    captured = []
    import cwb.ui.downloads as dl

    monkeypatch.setattr(
        dl, "offer", lambda prov, fig=None, data=None, key="": captured.append((key, prov, fig, data))
    )
    if role:
        monkeypatch.setenv("CWB_MODE", "shared")
        path = tmp_path / "users.toml"
        monkeypatch.setenv("CWB_USERS", str(path))
        access.save_accounts(
            {"u@x": access.Account("u@x", role, list(anchors), "U", access.hash_password("twelve chars pw"))},
            path,
        )
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=180)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if role:
        at.text_input[0].input("u@x")
        at.text_input[1].input("twelve chars pw")
        at.button[0].click()
        at.run()
    assert not at.exception, at.exception
    return at, captured


SUPPLIERS = re.compile(r"^([\d,]+) suppliers$", re.M)


@pytest.mark.parametrize("level", ["lsoa11", "msoa11"])
def test_network_viewer_never_sees_an_area_with_fewer_than_3_suppliers(app_env, monkeypatch, tmp_path, level):
    """Issue 12 item 6: a network viewer read one supplier's spend off LSOA tooltips ('£765k ...
    1 suppliers'). Now every area figure shown to them (tooltip, PNG figure, CSV table) covers at
    least CWB_MAP_MIN_SUPPLIERS (3) suppliers."""
    at, captured = _app(monkeypatch, tmp_path, "network_viewer", params={"lvl": level})
    specs = _deck_specs(at)
    assert specs, "the map is drawn"
    tips = _tooltips(specs[0])
    counts = [int(m.replace(",", "")) for t in tips for m in SUPPLIERS.findall(t)]
    assert counts and min(counts) >= 3, sorted(counts)[:5]
    assert any("fewer than 3 suppliers" in t.lower() for t in tips)  # small areas merged or hidden
    assert not any(re.search(r"\b[12] suppliers?\b", t) for t in tips)
    key, prov, fig, table = next(c for c in captured if c[0] == "spend_map")
    assert callable(fig)  # the export figure is made on click
    fig = fig()
    with_figure = table[table["Spend £"].notna()]
    assert (with_figure["Suppliers"] >= 3).all()
    assert "fewer than 3 suppliers" in prov.caption()
    hover = " ".join(str(getattr(t, "text", "") or "") for t in fig.data)
    assert not re.search(r"\b[12] suppliers?\b", hover)
    from cwb import export

    csv_text = export.csv_bytes(table, prov).decode("utf-8-sig")
    assert "Suppliers" in csv_text


def test_threshold_is_configurable(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("CWB_MAP_MIN_SUPPLIERS", "10")
    at, captured = _app(monkeypatch, tmp_path, "network_viewer", params={"lvl": "msoa11"})
    table = next(c for c in captured if c[0] == "spend_map")[3]
    assert (table.loc[table["Spend £"].notna(), "Suppliers"] >= 10).all()


def test_local_admin_sees_every_area(app_env, monkeypatch, tmp_path):
    """Full supplier detail (local mode): no area is merged, small areas are shown as they are."""
    at, captured = _app(monkeypatch, tmp_path, params={"lvl": "lsoa11"})
    table = next(c for c in captured if c[0] == "spend_map")[3]
    assert (table["Areas merged"] == "").all() and table["Spend £"].notna().all()
    assert (table["Suppliers"] < 3).any()


def test_share_in_tooltip_matches_the_headline(app_env, monkeypatch, tmp_path):
    """Issue 10 item 3: the local district's tooltip said 20.9 % 'of located spend' while the
    headline said 20.1 %. Shares are now of all spend in scope, as the headline A2."""
    at, captured = _app(monkeypatch, tmp_path)
    con = db.connect(app_env, read_only=True)
    net = con.execute("SELECT local_lad_codes, wider_lad_codes, region_code FROM network LIMIT 1").fetchone()
    anchors = [r[0] for r in con.execute("SELECT anchor_id FROM anchor").fetchall()]
    fy = db.run("financial_years", con, network_id="DEMO")["financial_year"].max()
    ind = db.run(
        "spend_indicators",
        con,
        network_id="DEMO",
        anchor_ids=anchors,
        fy_from=fy,
        fy_to=fy,
        denominator="all",
        top_n=300,
        local_lads=list(net[0]),
        wider_lads=sorted(set(net[1]) | set(net[0])),
        region_code=net[2],
        imd_edition="2019",
    )
    db.close_all()
    headline = float(ind[ind["anchor_id"] == "_all"]["local_pct"].iloc[0])
    table = next(c for c in captured if c[0] == "spend_map")[3]
    local = table[table["Area code"] == net[0][0]].iloc[0]
    assert round(local["Share of spend in scope %"], 1) == round(headline, 1)
    tips = _tooltips(_deck_specs(at)[0])
    assert any(f"{headline:.1f}% of all spend in scope" in t for t in tips)
    assert "denominator of the headline local share" in " ".join(c.value for c in at.caption)


def test_map_has_place_names_key_and_anchor_sites(app_env, monkeypatch, tmp_path):
    at, captured = _app(monkeypatch, tmp_path, params={"lvl": "msoa11"})
    spec = _deck_specs(at)[0]
    kinds = {layer["@@type"] for layer in spec["layers"]}
    assert "TextLayer" in kinds
    texts = [d["text"] for layer in spec["layers"] if layer["@@type"] == "TextLayer" for d in layer["data"]]
    assert "Preston" in texts and len(texts) >= 8
    sites = next(layer for layer in spec["layers"] if layer.get("id") == "anchor_sites")
    assert len(sites["data"]) == 7
    key = [m.value for m in at.markdown if "Map key" in m.value]
    assert key and "£" in key[0] and "anchor sites" in key[0]


def test_whole_uk_says_what_it_covers(app_env, monkeypatch, tmp_path):
    at, _ = _app(monkeypatch, tmp_path, params={"ext": "uk"})
    text = " ".join(c.value for c in at.caption)
    assert "Boundaries are drawn for England and Wales" in text


def test_map_json_is_sent_compact_and_cached(app_env):
    """Issue 15 (every page under 1 MB): pydeck writes its JSON indented, a line per coordinate;
    the Workforce page's map was 1.6 MB of it (bench_browser). The deck is sent compact, and a
    rerun that shows the same map reuses the same text."""
    import json

    at = AppTest.from_file(str(ROOT / "pages/6_Workforce.py"), default_timeout=180).run()
    assert not at.exception
    spec = at.get("deck_gl_json_chart")[0].proto.json
    assert "\n" not in spec and len(spec) < 1_000_000
    assert json.loads(spec)["layers"]  # still the whole deck
    at.run()
    assert at.get("deck_gl_json_chart")[0].proto.json == spec
