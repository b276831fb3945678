"""Speed-related behaviour that can be checked without timing anything: how often the data
version is asked, the network-scale demo generator, and the reference cache's atomic build."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def test_data_version_asks_nothing_of_the_database_and_moves_on_with_every_change(app_env, monkeypatch):
    """The data version used to be one query per page run (a dozen before that): now a page run
    asks the database only for its figures; the version moves on with ``data.clear()`` (every
    page that writes calls it) and when the database is opened again, and a page run after
    either reads fresh figures."""
    import streamlit as st

    from cwb import db
    from cwb.ui import data

    ran: list[str] = []
    real_run = db.run
    monkeypatch.setattr(db, "run", lambda name, con, **kw: ran.append(name) or real_run(name, con, **kw))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "1_Spend_overview.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert ran, "the page read no figures"
    v0 = data.data_version()
    assert data.data_version() == v0  # asked twice, the same: nothing changed
    ran.clear()
    at.run()  # a rerun (a click) with nothing changed: every figure from the cache
    assert not at.exception and ran == []
    data.clear()  # what the Import page does once a file is committed
    v1 = data.data_version()
    assert v1 != v0
    at.run()
    assert ran, "after clear() the page read its figures again"
    db.close_all()  # the file closed (another process may write to it now) and opened again
    assert data.data_version() not in (v0, v1)


def test_network_scale_demo_has_the_asked_anchors_and_suppliers(tmp_path):
    from cwb import build, db, demo

    con = build.open_database(tmp_path / "n.duckdb", log=lambda *a: None)
    t = demo.load_demo(con, scale=0.2, anchors=12, suppliers=4000, seed=3, log=lambda *a: None)
    n_anchor, n_sup = con.execute("SELECT count(*), (SELECT count(*) FROM supplier) FROM anchor").fetchone()
    assert (n_anchor, n_sup) == (12, 4000)
    codes = [r[0] for r in con.execute("SELECT anchor_id FROM anchor ORDER BY 1").fetchall()]
    assert "DEMO-CC-2" in codes and len(set(codes)) == 12
    paid = con.execute("SELECT count(*), count(DISTINCT anchor_id) FROM payment").fetchone()
    assert paid == (int(t["payments"]), 12)
    # the marts still add up to the payment table to the penny
    assert (
        con.execute("SELECT sum(amount_gbp) FROM payment").fetchone()[0]
        == con.execute("SELECT sum(spend_gbp) FROM mart_spend_supplier").fetchone()[0]
    )
    db.close_all()


def test_default_demo_is_unchanged_by_chunked_generation(tmp_path):
    """Seven anchors, default supplier count: the very payments, staff and sites the demo made
    before payments were generated one anchor-year at a time (fingerprint of the old code)."""
    from decimal import Decimal

    from cwb import build, db, demo

    con = build.open_database(tmp_path / "d.duckdb", log=lambda *a: None)
    demo.load_demo(con, scale=0.1, seed=7, log=lambda *a: None)
    got = con.execute(
        "SELECT count(*), sum(amount_gbp), sum(supplier_id), min(payment_date)::VARCHAR, "
        "(SELECT sum(headcount) FROM workforce_area), "
        "(SELECT string_agg(site_postcode ORDER BY anchor_id) FROM anchor) FROM payment"
    ).fetchone()
    assert got == (
        13984,
        Decimal("5918001951.15"),
        22680822,
        "2020-04-01",
        115841,
        "PR2 7DG,PR2 1QS,PR2 2EQ,PR1 3LZ,PR4 0AD,PR4 0QD,PR1 5LL",
    )
    db.close_all()


def test_two_builders_of_one_reference_cache_build_it_once(tmp_path):
    """Two pytest workers (or servers) starting at once: one builds, the other waits and finds
    the files; no file is ever seen half-written in the cache folder."""
    import threading

    import pyarrow.parquet as pq

    from cwb.reference import geography

    cache = tmp_path / "ref"
    results: list[dict] = []
    seen_bad: list[str] = []
    builders = [
        threading.Thread(
            target=lambda: results.append(geography.build_cache(cache, log=lambda *a: None, boundaries=False))
        )
        for _ in range(2)
    ]
    for b in builders:
        b.start()
    while any(b.is_alive() for b in builders):
        for f in geography.CORE_FILES:
            if (cache / f).is_file():
                try:
                    pq.ParquetFile(cache / f)
                except Exception as e:  # noqa: BLE001 - any unreadable file is the failure
                    seen_bad.append(f"{f}: {e}")
    for b in builders:
        b.join()
    assert not seen_bad
    assert sorted(bool(r) for r in results) == [False, True]  # exactly one did the work
    assert geography.cache_ready(cache, boundaries=False) and not geography.cache_ready(cache)
    assert not [p for p in tmp_path.iterdir() if ".building-" in p.name]  # no temp left behind


def _payment_truth(con, anchors, fy_from, fy_to, influenceable_only):
    """Headline figures straight from the payment table (no marts), per anchor-year and set-year."""
    sql = """
    WITH p AS (
        SELECT p.anchor_id, fin_year(p.payment_date) AS fy, p.supplier_id, p.amount_gbp,
               coalesce(g.located, false) AND coalesce(g.country, 'UK') = 'UK' AS located,
               g.lad_code, s.is_sme, g.imd2019_decile
        FROM payment p
        LEFT JOIN supplier_geo g USING (supplier_id)
        LEFT JOIN supplier s USING (supplier_id)
        WHERE list_contains($a, p.anchor_id) AND fin_year(p.payment_date) BETWEEN $f AND $t
          AND (NOT $infl OR p.influenceable)
    )
    SELECT coalesce(anchor_id, '_all') AS anchor_id, fy AS financial_year, sum(amount_gbp) AS spend_gbp,
           coalesce(sum(amount_gbp) FILTER (WHERE located AND list_contains($l, lad_code)), 0) AS local_gbp,
           coalesce(sum(amount_gbp) FILTER (WHERE is_sme), 0) AS sme_gbp,
           coalesce(sum(amount_gbp) FILTER (WHERE located AND imd2019_decile <= 2), 0) AS deprived_gbp,
           count(DISTINCT supplier_id) AS n_suppliers, count(*) AS n_payments
    FROM p GROUP BY GROUPING SETS ((anchor_id, fy), (fy)) ORDER BY 1, 2"""
    local = con.execute("SELECT local_lad_codes FROM network").fetchone()[0]
    return con.execute(
        sql, {"a": anchors, "f": fy_from, "t": fy_to, "infl": influenceable_only, "l": local}
    ).df(), local


def test_headline_marts_equal_the_payment_table_over_a_range_of_years(demo_con):
    """spend_indicators (headline mart, supplier-count marts) equals the payment table to the
    penny for every anchor-year and for the set; the set's supplier count over a range of years
    was wrong before (a correlated count that undercounted, e.g. 1,557 for 1,639)."""
    from cwb import db

    con = demo_con
    wider, region = con.execute("SELECT wider_lad_codes, region_code FROM network").fetchone()
    anchors = [r[0] for r in con.execute("SELECT anchor_id FROM anchor ORDER BY 1").fetchall()]
    for subset, den in ((anchors, "all"), (anchors[:3], "influenceable"), (anchors[2:], "all")):
        truth, local = _payment_truth(con, subset, "2020-21", "2025-26", den == "influenceable")
        got = db.run(
            "spend_indicators",
            con,
            network_id="DEMO",
            anchor_ids=subset,
            fy_from="2020-21",
            fy_to="2025-26",
            denominator=den,
            top_n=300,
            local_lads=local,
            wider_lads=sorted(set(wider) | set(local)),
            region_code=region,
            imd_edition="2019",
        )
        got = got.sort_values(["anchor_id", "financial_year"]).reset_index(drop=True)
        assert len(got) == len(truth) and len(got) > 10
        for col in ("spend_gbp", "local_gbp", "sme_gbp", "deprived_gbp", "n_suppliers", "n_payments"):
            assert got[col].tolist() == truth[col].tolist(), (den, col)


def test_supplier_list_draws_at_most_1000_rows_and_says_so(app_env):
    """A network's supplier list (150,000 rows at network scale, ~20 MB on the websocket) is drawn
    as its 1,000 largest; the caption says how many there are and the downloads keep them all."""
    import streamlit as st

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "5_Suppliers.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    n_paid = int(at.metric[0].value.replace(",", ""))
    assert n_paid > 1000  # the demo at scale 0.3 pays more suppliers than that
    table = at.dataframe[0].value
    assert len(table) == 1000
    assert any(f"Showing the first 1,000 of {n_paid:,} rows" in c.value for c in at.caption)
