"""One path per query text (issue 15): ``db.run`` sends DuckDB only the branches of a metric query
whose ``-- @when`` condition holds (cwb/db.py). Every choice must give exactly the rows of the
full text (every branch, each gated in SQL), which serves every view by itself: checked on the
demo database for the whole network, some anchors, one anchor, each denominator, one year and a
range, the supplier list's filters, the map's levels, bands other than the network's (the banded
marts do not fit: 35_banded_marts.sql), and after an anchor moved without a refresh (the network
marts no longer fit)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from cwb import db
from cwb.method import Method, supplier_list
from tests.spend_fixture import move_an_anchor

METRICS = Path(db.SQL_DIR) / "metrics"
MARKED = sorted(p.stem for p in METRICS.glob("*.sql") if "-- @when" in p.read_text(encoding="utf-8"))
DENOMINATORS = ["all", "influenceable", "top_n"]


def _full(con, name: str, params: dict) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(db.full_text(db.sql_text(name)), params).df()
    finally:
        cur.close()


def _same(con, name: str, params: dict) -> str:
    """db.run's rows equal the full text's, exactly (values, order, types); the path's SQL
    (comments left out)."""
    got = db.run(name, con, **params)
    want = _full(con, name, params)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    text = db.query_path(name, con, **params)
    assert "@gate" not in text
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def _views(con) -> list[tuple[str, Method, list[str]]]:
    """(label, method, detail scope): the whole network, empty list and every anchor named, some
    anchors, one anchor; each denominator."""
    every = Method.for_network(con, "DEMO")
    names = sorted(every.anchor_names)
    out = []
    for denominator in DENOMINATORS:
        for label, anchors, scope in (
            ("whole (empty list)", [], names),
            ("whole (every anchor named)", names, names),
            ("three anchors", names[:3], names[:3]),
            ("one anchor", names[:1], names[:1]),
            ("whole, scope without one", [], names[1:]),
        ):
            m = Method.for_network(con, "DEMO", anchors=anchors, denominator=denominator)
            out.append((f"{label}, {denominator}", m, scope))
            if label.startswith("whole (") or label == "three anchors":
                # bands other than those the banded marts were built for (same figures): live paths
                out.append((f"{label}, other bands, {denominator}", _other_bands(m), scope))
    return out


def _other_bands(m: Method) -> Method:
    return m.replace(wider_lads=(*m.wider_lads, "E06099999"))


def _bands_fit(m: Method) -> bool:
    return "E06099999" not in m.wider_lads


def _periods(m: Method) -> list[dict]:
    return [{"fy_from": m.fy, "fy_to": m.fy}, {"fy_from": m.years[0], "fy_to": m.years[-1]}]


def test_the_marked_queries():
    """The three spend queries carry paths; each declares the same parameters as its full text."""
    assert {"spend_indicators", "spend_by_area", "spend_suppliers"} <= set(MARKED)
    for name in MARKED:
        sql = db.sql_text(name)
        assert db.sql_params(sql) == db.sql_params(db.full_text(sql))
        assert "@gate" in db.full_text(sql)


def test_headline_every_path_equals_the_full_query(demo_con):
    texts = set()
    for _label, m, _scope in _views(demo_con):
        for period in _periods(m):
            p = m.params("spend_indicators", **period)
            texts.add(_same(demo_con, "spend_indicators", p))
    # top N; the whole network and some of its anchors, each from the banded marts or live
    assert len(texts) == 5


def test_map_every_path_equals_the_full_query(demo_con):
    m0 = Method.for_network(demo_con, "DEMO")
    for (_label, m, _scope), period, level in itertools.product(
        _views(demo_con), _periods(m0), ["lad", "msoa11", "lsoa11"]
    ):
        for within in ([], list(m.local_lads)):
            p = m.params("spend_by_area", **period, area_level=level, within_lads=within)
            text = _same(demo_con, "spend_by_area", p)
            assert "whole_network" not in text
            banded = "mart_network_area_banded" in text
            assert banded == (
                m.denominator != "top_n"
                and (not m.anchors or len(m.anchors) == len(m.anchor_names))
                and period["fy_from"] == period["fy_to"]
                and _bands_fit(m)
            )


def test_supplier_list_every_path_equals_the_full_query(demo_con):
    for label, m, scope in _views(demo_con):
        local = m.local_lads[0]
        for period in _periods(m):
            for extra in (
                {"row_limit": 0},
                {"row_limit": 1000},
                {"row_limit": 50, "shared_only": True},
                {"search": "ltd", "located_only": True},
                {"area_level": "lad", "area_code": local},
            ):
                p = m.params("spend_suppliers", **period, **supplier_list(scope, **extra))
                text = _same(demo_con, "spend_suppliers", p)
                whole_view = (
                    m.denominator != "top_n" and (not m.anchors or len(m.anchors) == len(m.anchor_names))
                ) and len(scope) == len(m.anchor_names)
                # one year of the whole network, no filter, its own bands: a range of the ranked mart
                ranked = whole_view and period["fy_from"] == period["fy_to"] and extra == {"row_limit": 1000}
                ranked = ranked and _bands_fit(m)
                assert ("mart_network_supplier_rank" in text) == ranked, label
                # else the whole network reads the network marts only; any other view anchor grain only
                assert ("spend_classified" in text) != (whole_view or ranked), label
                assert ("network_suppliers" in text) == (whole_view and not ranked), label
                assert ("found" in text) == bool(extra.get("search")), label


def test_the_paths_when_the_network_marts_no_longer_fit(demo_con):
    """An anchor moved to another network without a refresh: the queries fall back to anchor
    grain, and still equal the full text (whose gates ask network_marts_fit in SQL)."""
    move_an_anchor(demo_con)
    for network in ("DEMO", "OTHER"):
        for denominator in DENOMINATORS:
            m = Method.for_network(demo_con, network, denominator=denominator)
            scope = sorted(m.anchor_names)
            for period in _periods(m):
                head = _same(demo_con, "spend_indicators", m.params("spend_indicators", **period))
                if denominator != "top_n":
                    assert "mart_network_supplier_count" not in head and "mart_spend_supplier" in head
                    assert "mart_network_headline" not in head and "mart_network_anchor_year" not in head
                area = m.params("spend_by_area", **period, area_level="lad", within_lads=[])
                assert "spend_classified" in _same(demo_con, "spend_by_area", area)
                sup = m.params("spend_suppliers", **period, **supplier_list(scope))
                assert "network_suppliers" not in _same(demo_con, "spend_suppliers", sup)


def test_the_contract_of_run_is_kept(demo_con):
    """Exactly the declared parameters, even those the chosen path does not use."""
    m = Method.for_network(demo_con, "DEMO")
    p = m.params("spend_indicators")
    assert "top_n" not in db.sql_params(db.query_path("spend_indicators", demo_con, **p))
    with pytest.raises(db.QueryError, match="missing parameters"):
        db.run("spend_indicators", demo_con, **{k: v for k, v in p.items() if k != "top_n"})
    with pytest.raises(db.QueryError, match="does not declare"):
        db.run("spend_indicators", demo_con, **p, search="")


@pytest.mark.parametrize(
    "text, message",
    [
        ("SELECT 1\n-- @when top_n\nUNION ALL SELECT 2\n", "no '@end'"),
        ("SELECT 1\n-- @end\n", "without '@when'"),
        ("-- @or top_n\nSELECT 1\n", "outside a '@when'"),
        ("-- @when no_such_flag\nSELECT 1\n-- @end\n", "unknown flag"),
        ("-- @when top_n; DROP TABLE x\nSELECT 1\n-- @end\n", "unexpected text"),
    ],
)
def test_malformed_markers_are_refused(text, message):
    with pytest.raises(db.PathError, match=message):
        db._parse(text)
