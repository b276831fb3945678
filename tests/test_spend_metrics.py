"""Spend indicators checked against hand calculations and the published Preston figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cwb import db, indicators
from tests.spend_fixture import params, preston_db, run, small_db


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    con, wider = small_db(tmp_path_factory.mktemp("small") / "s.duckdb")
    yield con, wider
    db.close_all()


@pytest.fixture(scope="module")
def preston(tmp_path_factory):
    con, wider = preston_db(tmp_path_factory.mktemp("preston") / "p.duckdb")
    yield con, wider
    db.close_all()


def _row(df, anchor="_all", fy=None):
    d = df[df["anchor_id"] == anchor]
    if fy:
        d = d[d["financial_year"] == fy]
    assert len(d) == 1
    return d.iloc[0]


@pytest.mark.parametrize(
    "fy, total, local_pct, wider_pct, local_gbp, wider_gbp",
    [
        ("2012-13", Decimal("750000000.00"), 5.0, 39.0, Decimal("37500000.00"), Decimal("292500000.00")),
        ("2016-17", Decimal("617000000.00"), 18.2, 79.2, Decimal("112294000.00"), Decimal("488664000.00")),
    ],
)
def test_published_preston_figures(preston, fy, total, local_pct, wider_pct, local_gbp, wider_gbp):
    """indicators.md: 2012/13 £750m, 5 % Preston, 39 % Lancashire (about £458m left Lancashire);
    2016/17 about £617m, 18.2 % Preston = £112.3m, 79.2 % Lancashire = £488.7m."""
    con, wider = preston
    r = _row(run(con, "spend_indicators", **params(wider, fy=fy)), fy=fy)
    assert r["spend_gbp"] == total
    assert r["local_pct"] == pytest.approx(local_pct, abs=1e-9)
    assert r["wider_pct"] == pytest.approx(wider_pct, abs=1e-9)
    assert r["local_gbp"] == local_gbp and r["wider_gbp"] == wider_gbp
    if fy == "2012-13":
        assert round(float(total - wider_gbp) / 1e6) == 458  # "about £458m left Lancashire"
    else:
        assert round(float(local_gbp) / 1e6, 1) == 112.3 and round(float(wider_gbp) / 1e6, 1) == 488.7


def test_preston_cli_json_matches(preston):
    """The CLI's JSON comes from the same SQL: A2 and A3 for 2016-17 and the change vs 2012-13."""
    con, _ = preston
    out = indicators.compute(con, fy="2016-17", baseline_fy="2012-13")
    by = {i["id"]: i for i in out["indicators"]}
    assert by["A2"]["value"] == pytest.approx(18.2) and by["A3"]["value"] == pytest.approx(79.2)
    assert by["A1"]["value"] == pytest.approx(617_000_000)
    # A6: 18.2 - 5.0 = +13.2 pp; local £112.294m - £37.5m = +£74.794m; denominator -£133m
    assert by["A6"]["value"]["pp"] == pytest.approx(13.2)
    assert by["A6"]["value"]["gbp"] == pytest.approx(74_794_000)
    assert by["A6"]["value"]["denominator_change_gbp"] == pytest.approx(-133_000_000)


def test_small_network_bands_and_flags(small):
    con, wider = small
    ind = run(con, "spend_indicators", **params(wider))
    c = _row(ind, "C")
    # C: 100 + 300 + 400 + 200 - 50 = 950
    assert c["spend_gbp"] == Decimal("950.00")
    assert c["local_gbp"] == Decimal("100.00")  # S1 Preston
    assert c["rest_wider_gbp"] == Decimal("250.00")  # S2 Lancaster 300 - 50 credit
    assert c["rest_region_gbp"] == Decimal("400.00")  # S3 Manchester
    assert c["rest_uk_gbp"] == Decimal("200.00")  # S5 London
    assert c["unknown_gbp"] == 0
    assert c["local_pct"] == pytest.approx(100 * 100 / 950, abs=1e-4)
    assert c["leakage_gbp"] == Decimal("850.00")
    # SME: S1 100 + S2 250 = 350 of 950; local SME: 100; VCSE: 100
    assert c["sme_pct"] == pytest.approx(100 * 350 / 950, abs=1e-4)
    assert c["local_sme_pct"] == pytest.approx(100 * 100 / 950, abs=1e-4)
    assert c["vcse_pct"] == pytest.approx(100 * 100 / 950, abs=1e-4)
    # bands sum to the whole (A4)
    assert (
        c["local_gbp"] + c["rest_wider_gbp"] + c["rest_region_gbp"] + c["rest_uk_gbp"] + c["unknown_gbp"]
        == c["spend_gbp"]
    )


def test_network_is_spend_weighted(small):
    """Network local % = (100 + 50) / (950 + 1050) = 7.5 %, not the mean of 10.53 % and 4.76 %."""
    con, wider = small
    ind = run(con, "spend_indicators", **params(wider))
    a = _row(ind, "_all")
    assert a["spend_gbp"] == Decimal("2000.00")
    assert a["local_pct"] == pytest.approx(7.5)
    h = _row(ind, "H")
    assert h["local_pct"] == pytest.approx(100 * 50 / 1050, abs=1e-4)
    # SME known: C all 950 known; H: S1 50 known, S4 1000 unknown -> 1000 of 2000 = 50 %
    assert a["sme_known_pct"] == pytest.approx(50.0)


def test_denominators(small):
    con, wider = small
    # influenceable: C without the £200 tax payment = 750; local 100 / 750
    c = _row(run(con, "spend_indicators", **params(wider, denominator="influenceable")), "C")
    assert c["spend_gbp"] == Decimal("750.00")
    assert c["local_pct"] == pytest.approx(100 * 100 / 750, abs=1e-4)
    # top 2 suppliers of each anchor: C -> S3 400, S2 250 (=650); H -> S4 1000, S1 50 (=1050)
    t = run(con, "spend_indicators", **params(wider, denominator="top_n", top_n=2))
    assert _row(t, "C")["spend_gbp"] == Decimal("650.00")
    assert _row(t, "H")["spend_gbp"] == Decimal("1050.00")


def test_concentration_hhi(small):
    """C shares: 400/950, 250/950, 200/950, 100/950 -> HHI = sum (100 s)^2
    = (42.105^2 + 26.316^2 + 21.053^2 + 10.526^2) = 1772.85 + 692.52 + 443.21 + 110.80 = 3019.39."""
    con, wider = small
    conc = run(con, "spend_concentration", **params(wider)).set_index("anchor_id")
    assert conc.loc["C", "hhi"] == pytest.approx(3019.39, abs=0.05)
    assert conc.loc["C", "top10_pct"] == pytest.approx(100.0)
    assert conc.loc["C", "n_suppliers"] == 4


def test_categories_and_leakage(small):
    """Works: C 100 (S1) + 250 (S2) + H 50 (S1) = 400, local 150 -> 37.5 %; Medical 1000, local 0."""
    con, wider = small
    cats = run(con, "spend_by_category", **params(wider)).set_index("category")
    assert cats.loc["Works", "spend_gbp"] == Decimal("400.00")
    assert cats.loc["Works", "local_pct"] == pytest.approx(37.5)
    assert cats.loc["Works", "n_local_suppliers_network"] == 1
    assert cats.index[0] == "Medical"  # ranked by leakage: £1,000 leaves
    assert cats.loc["Medical", "leakage_gbp"] == Decimal("1000.00")


def test_prompt_payment(small):
    """C has three invoices: 10 days (within 30), 45 days (31-60), 90 days (61+): 33.33 % each;
    average (10 + 45 + 90) / 3 = 48.3 days."""
    con, wider = small
    pp = run(con, "spend_prompt_payment", **params(wider))
    c = pp[(pp["anchor_id"] == "C")].iloc[0]
    assert c["n_invoices"] == 3
    assert c["within_30_pct"] == pytest.approx(33.33) and c["over_60_pct"] == pytest.approx(33.33)
    assert c["avg_days"] == pytest.approx(48.3)


def test_shared_suppliers_and_supplier_list(small):
    con, wider = small
    sh = run(con, "spend_shared_suppliers", **params(wider)).iloc[0]
    assert sh["n_shared_suppliers"] == 1  # S1 is paid by C and H
    assert sh["shared_spend_gbp"] == Decimal("150.00")
    sup = run(con, "spend_suppliers", **params(wider))
    s1 = sup[sup["supplier_id"] == 1].iloc[0]
    assert bool(s1["shared"]) and s1["anchors"] == "C, H" and s1["spend_gbp"] == Decimal("150.00")
    # detail scope: only C's rows
    p = params(wider)
    p["scope_anchor_ids"] = ["C"]
    only_c = run(con, "spend_suppliers", **p)
    assert set(only_c["supplier_id"]) == {1, 2, 3, 5}
    assert only_c.set_index("supplier_id").loc[1, "spend_gbp"] == Decimal("100.00")


def test_individual_names_never_returned(small):
    con, wider = small
    cur = con.cursor()
    cur.execute("UPDATE supplier SET is_individual = true WHERE supplier_id = 2")
    cur.close()
    try:
        sup = run(con, "spend_suppliers", **params(wider))
        s2 = sup[sup["supplier_id"] == 2].iloc[0]
        assert s2["supplier_name"] == "Individual (name withheld)"
        assert s2["postcode"] is None or s2["postcode"] != s2["postcode"]
        assert "Lancaster Build" not in sup["supplier_name"].str.cat()
    finally:
        cur = con.cursor()
        cur.execute("UPDATE supplier SET is_individual = false WHERE supplier_id = 2")
        cur.close()


def test_money_adds_up_to_the_penny(demo_con):
    """Marts hold the payments exactly: sum of payment.amount_gbp equals sum of the mart."""
    cur = demo_con.cursor()
    a = cur.execute("SELECT sum(amount_gbp) FROM payment").fetchone()[0]
    b = cur.execute("SELECT sum(spend_gbp) FROM mart_spend_supplier").fetchone()[0]
    c = cur.execute("SELECT sum(spend_gbp) FROM mart_spend_month").fetchone()[0]
    cur.close()
    assert isinstance(a, Decimal) and a == b == c
