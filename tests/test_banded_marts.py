"""The banded marts (issue 15; cwb/sql/build/35_banded_marts.sql): the headline sums, the map of
one year and the top of the supplier list of a whole network, worked out at build time in the
network's own bands. Each must give exactly the rows of the live path (values, order, types).

The live path is read by the same method with a district no supplier is in added to its wider
area: every supplier keeps its band, so the figures must not change, but the bands are no longer
those the marts were built for (bands_fit is false) and the query works them out from the
suppliers' rows. Checked on the demo database for the whole network, some anchors and one anchor,
'all' and 'influenceable', both IMD editions, one year and every year, the map's three levels; then
the fallbacks: another local area or region, a network whose geography changed since the build,
an anchor moved, and a supplier found to be a person after the build (never named: read live).
"""

from __future__ import annotations

import pandas as pd
import pytest

from cwb import build, db
from cwb.method import Method, supplier_list
from tests.spend_fixture import move_an_anchor

NOWHERE = "E06099999"  # a district code no postcode has
BANDED = (
    "mart_network_anchor_year",
    "mart_network_headline",
    "mart_network_area_banded",
    "mart_network_supplier_rank",
)


def _live(m: Method) -> Method:
    """The same method, its bands no longer those the marts were built for (same figures)."""
    return m.replace(wider_lads=(*m.wider_lads, NOWHERE))


def _text(con, name: str, p: dict) -> str:
    return "\n".join(line.split("--", 1)[0] for line in db.query_path(name, con, **p).splitlines())


def _both(con, name: str, m: Method, **kw) -> tuple[pd.DataFrame, str]:
    """The banded method's rows equal the live method's, exactly; the banded method's SQL."""
    p = m.params(name, **kw)
    live = _live(m).params(name, **kw)
    assert not any(t in _text(con, name, live) for t in BANDED), "the live method read a banded mart"
    got = db.run(name, con, **p)
    pd.testing.assert_frame_equal(got, db.run(name, con, **live), check_exact=True)
    return got, _text(con, name, p)


def _methods(con, denominators=("all", "influenceable")):
    names = sorted(Method.for_network(con, "DEMO").anchor_names)
    for denominator in denominators:
        for imd in ("2019", "2025"):
            for anchors in ([], names, names[:3], names[:1]):
                yield Method.for_network(
                    con, "DEMO", anchors=anchors, denominator=denominator, imd_edition=imd
                )


def test_the_headline_from_the_banded_marts_equals_the_live_path(demo_con):
    for m in _methods(demo_con):
        whole = not m.anchors or len(m.anchors) == len(m.anchor_names)
        for period in ({"fy_from": m.fy, "fy_to": m.fy}, {"fy_from": m.years[0], "fy_to": m.years[-1]}):
            got, text = _both(demo_con, "spend_indicators", m, **period)
            assert len(got) > 0
            assert ("mart_network_headline" in text) == whole
            assert ("mart_network_anchor_year" in text) != whole
            assert "mart_spend_headline" not in text and "spend_headline(" not in text


def test_top_n_never_reads_the_banded_marts(demo_con):
    m = Method.for_network(demo_con, "DEMO", denominator="top_n")
    assert not any(t in _text(demo_con, "spend_indicators", m.params("spend_indicators")) for t in BANDED)


def test_the_map_from_the_banded_marts_equals_the_live_path(demo_con):
    for m in _methods(demo_con):
        whole = not m.anchors or len(m.anchors) == len(m.anchor_names)
        for level in ("lad", "msoa11", "lsoa11"):
            for within in ([], list(m.local_lads)):
                got, text = _both(demo_con, "spend_by_area", m, area_level=level, within_lads=within)
                assert len(got) > 0
                assert ("mart_network_area_banded" in text) == whole
                several = m.params("spend_by_area", fy_from=m.years[0], fy_to=m.years[-1])
                several.update(area_level=level, within_lads=within)
                assert "mart_network_area_banded" not in _text(demo_con, "spend_by_area", several)


def test_the_supplier_list_from_the_ranked_mart_equals_the_live_path(demo_con):
    n_rows = 0
    for m in _methods(demo_con):
        scope = sorted(m.anchor_names)
        whole = not m.anchors or len(m.anchors) == len(m.anchor_names)
        for limit in (1, 50, db.RANKED_ROWS):
            got, text = _both(demo_con, "spend_suppliers", m, **supplier_list(scope, row_limit=limit))
            assert ("mart_network_supplier_rank" in text) == whole
            assert len(got) == min(limit, got["n_rows"].iloc[0])
            n_rows = max(n_rows, int(got["n_rows"].iloc[0]))
        # every row, more than the mart holds, a filter, several years, a restricted scope: live
        for period, extra, sc in (
            ({}, {"row_limit": 0}, scope),
            ({}, {"row_limit": db.RANKED_ROWS + 1}, scope),
            ({}, {"row_limit": 50, "shared_only": True}, scope),
            ({}, {"row_limit": 50, "located_only": True}, scope),
            ({}, {"row_limit": 50, "search": "ltd"}, scope),
            ({}, {"row_limit": 50, "area_level": "lad", "area_code": m.local_lads[0]}, scope),
            ({"fy_from": m.years[0], "fy_to": m.years[-1]}, {"row_limit": 50}, scope),
            ({}, {"row_limit": 50}, scope[1:]),
        ):
            p = m.params("spend_suppliers", **period, **supplier_list(sc, **extra))
            assert "mart_network_supplier_rank" not in _text(demo_con, "spend_suppliers", p)
    assert n_rows > db.RANKED_ROWS  # the demo has more suppliers a year than the mart ranks


def test_a_person_found_after_the_build_is_never_named(demo_con):
    """The ranked mart keeps every name; whether a supplier is a person is read from the supplier
    table as it is now, so a payee marked a person after the build is withheld at once."""
    m = Method.for_network(demo_con, "DEMO")
    ask = m.params("spend_suppliers", **supplier_list(sorted(m.anchor_names), row_limit=20))
    assert "mart_network_supplier_rank" in _text(demo_con, "spend_suppliers", ask)
    before = db.run("spend_suppliers", demo_con, **ask)
    named = before[before["supplier_name"] != "Individual (name withheld)"]
    sid = int(named["supplier_id"].iloc[0])
    demo_con.cursor().execute("UPDATE supplier SET is_individual = true WHERE supplier_id = ?", [sid])
    got, _ = _both(demo_con, "spend_suppliers", m, **supplier_list(sorted(m.anchor_names), row_limit=20))
    row = got[got["supplier_id"] == sid].iloc[0]
    assert row["supplier_name"] == "Individual (name withheld)"
    assert pd.isna(row["postcode"]) and pd.isna(row["lat"]) and pd.isna(row["lon"])
    assert row["spend_gbp"] == named["spend_gbp"].iloc[0]  # the same row, its figures unchanged


def _banded(con, m: Method) -> dict[str, bool]:
    one = m.params("spend_by_area", area_level="lad", within_lads=[])
    sup = m.params("spend_suppliers", **supplier_list(sorted(m.anchor_names), row_limit=100))
    return {
        "headline": "mart_network_headline" in _text(con, "spend_indicators", m.params("spend_indicators")),
        "map": "mart_network_area_banded" in _text(con, "spend_by_area", one),
        "suppliers": "mart_network_supplier_rank" in _text(con, "spend_suppliers", sup),
    }


def _full_equals(con, m: Method) -> None:
    """Every view of ``m`` gives the rows of the full text (every path, gated in SQL)."""
    for name, p in (
        ("spend_indicators", m.params("spend_indicators")),
        ("spend_by_area", m.params("spend_by_area", area_level="lad", within_lads=[])),
        (
            "spend_suppliers",
            m.params("spend_suppliers", **supplier_list(sorted(m.anchor_names), row_limit=100)),
        ),
    ):
        cur = con.cursor()
        want = cur.execute(db.full_text(db.sql_text(name)), p).df()
        pd.testing.assert_frame_equal(db.run(name, con, **p), want, check_exact=True)


@pytest.mark.parametrize("change", ["local", "region", "order"])
def test_other_bands_read_the_live_path(demo_con, change):
    m = Method.for_network(demo_con, "DEMO")
    assert all(_banded(demo_con, m).values())
    if change == "local":  # another local area: a district of the wider area that is not local
        other = next(d for d in m.wider_lads if d not in m.local_lads)
        m2 = m.replace(local_lads=(other,))
    elif change == "region":
        m2 = m.replace(region_code="E12000007")
    else:  # the same bands, listed in another order and repeated: still the marts' bands
        m2 = m.replace(local_lads=(*reversed(m.local_lads), m.local_lads[0]))
    if change == "order":
        assert all(_banded(demo_con, m2).values())
    else:
        assert not any(_banded(demo_con, m2).values())
    _full_equals(demo_con, m2)


def test_a_network_whose_geography_changed_after_the_build_reads_the_live_path(demo_con):
    """The network's local area changed without a refresh: its method now asks for other bands,
    so every view reads the live path (equal to the full text); after a refresh, the marts again."""
    m = Method.for_network(demo_con, "DEMO")
    other = next(d for d in m.wider_lads if d not in m.local_lads)
    demo_con.cursor().execute("UPDATE network SET local_lad_codes = ? WHERE network_id = 'DEMO'", [[other]])
    m2 = Method.for_network(demo_con, "DEMO")
    assert m2.local_lads == (other,)
    assert not any(_banded(demo_con, m2).values())
    _full_equals(demo_con, m2)
    live = {n: db.run(n, demo_con, **p) for n, p in _views(m2).items()}
    build.refresh(demo_con)
    assert all(_banded(demo_con, m2).values())
    for n, p in _views(m2).items():  # the marts rebuilt for the new bands give the live figures
        pd.testing.assert_frame_equal(db.run(n, demo_con, **p), live[n], check_exact=True)


def _views(m: Method) -> dict[str, dict]:
    return {
        "spend_indicators": m.params("spend_indicators", fy_from=m.years[0], fy_to=m.years[-1]),
        "spend_by_area": m.params("spend_by_area", area_level="msoa11", within_lads=[]),
        "spend_suppliers": m.params(
            "spend_suppliers", **supplier_list(sorted(m.anchor_names), row_limit=200)
        ),
    }


def test_an_anchor_moved_after_the_build_reads_the_live_path(demo_con):
    move_an_anchor(demo_con)
    for network in ("DEMO", "OTHER"):
        m = Method.for_network(demo_con, network)
        assert not any(_banded(demo_con, m).values()), network
        _full_equals(demo_con, m)
        for anchors in (sorted(m.anchor_names)[:2],):
            sub = m.replace(anchors=tuple(anchors))
            text = _text(demo_con, "spend_indicators", sub.params("spend_indicators"))
            assert "mart_network_anchor_year" not in text
