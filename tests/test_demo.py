"""The demo network is deterministic, realistic in shape, and flagged synthetic."""

from __future__ import annotations

from cwb import build, db, demo


def _summary(con):
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT count(*), sum(amount_gbp), count(DISTINCT supplier_id) FROM payment"
        ).fetchone()
    finally:
        cur.close()


def test_deterministic_with_seed(tmp_path):
    a = build.open_database(tmp_path / "a.duckdb", log=lambda *x: None)
    demo.load_demo(a, scale=0.1, seed=7, log=lambda *x: None)
    b = build.open_database(tmp_path / "b.duckdb", log=lambda *x: None)
    demo.load_demo(b, scale=0.1, seed=7, log=lambda *x: None)
    c = build.open_database(tmp_path / "c.duckdb", log=lambda *x: None)
    demo.load_demo(c, scale=0.1, seed=8, log=lambda *x: None)
    assert _summary(a) == _summary(b)
    assert _summary(a) != _summary(c)
    db.close_all()


def test_demo_shape(demo_con):
    cur = demo_con.cursor()
    anchors = cur.execute(
        "SELECT count(*), count(DISTINCT anchor_type), bool_and(is_synthetic) FROM anchor"
    ).fetchone()
    years = [
        r[0] for r in cur.execute("SELECT DISTINCT fin_year(payment_date) FROM payment ORDER BY 1").fetchall()
    ]
    sites = cur.execute("SELECT count(*), count(lat) FROM asset").fetchone()
    staff = cur.execute("SELECT count(DISTINCT area_code), sum(headcount) FROM workforce_area").fetchone()
    located = cur.execute("SELECT avg(located::INT) FROM supplier_geo").fetchone()[0]
    cur.close()
    assert anchors == (7, 7, True)
    assert years == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
    assert sites[0] >= 300 and sites[1] == sites[0]  # every site at a real postcode
    assert staff[0] > 500 and staff[1] > 10_000
    assert located > 0.9


def test_local_share_rises_slowly(demo_con):
    ind = db.run(
        "spend_indicators",
        demo_con,
        network_id="DEMO",
        anchor_ids=[],
        fy_from="2020-21",
        fy_to="2025-26",
        denominator="all",
        top_n=300,
        local_lads=["E07000123"],
        wider_lads=demo_con.execute("SELECT wider_lad_codes FROM network").fetchone()[0],
        region_code="E12000002",
        imd_edition="2019",
    )
    net = ind[ind["anchor_id"] == "_all"].set_index("financial_year")["local_pct"]
    assert net["2025-26"] > net["2020-21"] + 2
    # housing association local share far above the NHS trust's (anchor types differ)
    last = ind[ind["financial_year"] == "2025-26"].set_index("anchor_id")["local_pct"]
    assert last["DEMO-HA"] > 2 * last["DEMO-NHS"]
