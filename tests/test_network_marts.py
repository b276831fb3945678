"""The network marts (issue 15): the supplier list, the district map and the headline indicators
read mart_network_supplier_year / mart_network_supplier_count when the view is the whole network,
and the anchor-grain marts otherwise. Every figure is checked against the payment table itself
(sums of payment.amount_gbp, to the penny, and distinct payees), for the whole network, a subset
of anchors, a restricted detail scope, each denominator, an anchor moved since the build, and
after a second import that changes the data."""

from __future__ import annotations

import pandas as pd
import pytest

from cwb import db
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage
from cwb.method import Method, supplier_list
from tests.spend_fixture import move_an_anchor

DENOMINATORS = ["all", "influenceable", "top_n"]


def _payments(con, m: Method, anchors: list[str], denominator: str) -> pd.DataFrame:
    """Payment-table sums per anchor and supplier in the method's year, in pence (exact integers;
    supplier -1: unmatched payee), inside the denominator: influenceable leaves out payments marked not influenceable
    and payments to public bodies; top N keeps each anchor's N largest matched suppliers (ties
    by supplier id). Written from the rule, not from the marts."""
    rows = (
        con.cursor()
        .execute(
            """SELECT p.anchor_id, coalesce(p.supplier_id, -1) AS supplier_id,
                      CAST(sum(p.amount_gbp) * 100 AS BIGINT) AS spend, count(*) AS n,
                      bool_and(NOT p.influenceable OR coalesce(s.is_public_body, false)) AS never_influenceable,
                      CAST(sum(p.amount_gbp) FILTER (WHERE p.influenceable AND NOT coalesce(s.is_public_body, false))
                           * 100 AS BIGINT) AS infl_spend,
                      count(*) FILTER (WHERE p.influenceable AND NOT coalesce(s.is_public_body, false)) AS infl_n
               FROM payment p LEFT JOIN supplier_resolved s ON s.supplier_id = p.supplier_id
               WHERE fin_year(p.payment_date) = ? AND list_contains(?, p.anchor_id)
               GROUP BY ALL""",
            [m.fy, anchors],
        )
        .df()
    )
    if denominator == "influenceable":
        rows = rows[~rows["never_influenceable"]].assign(
            spend=lambda d: d["infl_spend"], n=lambda d: d["infl_n"]
        )
    elif denominator == "top_n":
        matched = rows[rows["supplier_id"] != -1].sort_values(
            ["anchor_id", "spend", "supplier_id"], ascending=[True, False, True]
        )
        rows = matched.groupby("anchor_id").head(m.top_n)
    return rows[["anchor_id", "supplier_id", "spend", "n"]]


def pence(values) -> pd.Series:
    """Money as the queries return it (pounds), in whole pence."""
    return (pd.Series(values, dtype="float64") * 100).round().astype("int64")


def _located(con) -> pd.DataFrame:
    return (
        con.cursor()
        .execute(
            "SELECT supplier_id, lad_code FROM supplier_geo WHERE located AND coalesce(country, 'UK') = 'UK'"
        )
        .df()
    )


def _method(con, view: str, denominator: str) -> tuple[Method, list[str], list[str]]:
    """The method, the anchors the figures cover and the detail scope of a view."""
    every = Method.for_network(con, "DEMO")
    names = sorted(every.anchor_names)
    if view == "subset":
        m = Method.for_network(con, "DEMO", anchors=names[:3], denominator=denominator)
        return m, names[:3], names[:3]
    m = Method.for_network(con, "DEMO", denominator=denominator)
    return m, names, (names[1:] if view == "scope" else names)


def check_against_payments(con, view: str, denominator: str) -> None:
    m, chosen, scope = _method(con, view, denominator)
    ref = _payments(con, m, chosen, denominator)
    assert len(ref) > 100

    # the supplier list: each supplier's spend, payments and anchors (detail scope only)
    p = m.params("spend_suppliers", **supplier_list(scope))
    got = db.run("spend_suppliers", con, **p).set_index("supplier_id")
    sref = ref[(ref["supplier_id"] != -1) & ref["anchor_id"].isin(scope)]
    want = sref.groupby("supplier_id").agg(
        spend=("spend", "sum"), n=("n", "sum"), na=("anchor_id", "nunique")
    )
    assert len(got) == len(want) > 100
    assert (pence(got["spend_gbp"]).values == want.loc[got.index, "spend"].values).all()  # to the penny
    assert (got["n_payments"] == want.loc[got.index, "n"]).all()
    assert (got["n_anchors"] == want.loc[got.index, "na"]).all()
    paid_by = sref.groupby("supplier_id")["anchor_id"].apply(lambda s: ", ".join(sorted(s)))
    assert (got["anchors"] == paid_by.loc[got.index]).all()
    assert pence([got["total_spend_gbp"].iloc[0]])[0] == want["spend"].sum()
    top = db.run("spend_suppliers", con, **{**p, "row_limit": 50})
    assert top["supplier_id"].tolist() == got.index[:50].tolist()

    # the district map: spend and distinct suppliers per district of the suppliers' postcodes
    area = db.run("spend_by_area", con, **m.params("spend_by_area", area_level="lad", within_lads=[]))
    loc = ref.merge(_located(con), on="supplier_id")
    aref = loc.groupby("lad_code").agg(spend=("spend", "sum"), ns=("supplier_id", "nunique"))
    area = area.set_index("area_code")
    assert len(area) == len(aref) > 10
    assert (pence(area["spend_gbp"]).values == aref.loc[area.index, "spend"].values).all()
    assert (area["n_suppliers"] == aref.loc[area.index, "ns"]).all()

    # the headline: spend, local spend and distinct suppliers, per anchor and for the set
    head = db.run("spend_indicators", con, **m.params("spend_indicators")).set_index("anchor_id")
    local = ref.merge(_located(con), on="supplier_id")
    local = local[local["lad_code"].isin(m.local_lads)]
    money = pence(head["spend_gbp"]).set_axis(head.index)
    assert money["_all"] == ref["spend"].sum()
    assert pence([head.loc["_all", "local_gbp"]])[0] == local["spend"].sum() > 0
    matched = ref[ref["supplier_id"] != -1]
    assert head.loc["_all", "n_suppliers"] == matched["supplier_id"].nunique()
    for a in chosen:
        assert money[a] == ref.loc[ref["anchor_id"] == a, "spend"].sum()
        assert head.loc[a, "n_suppliers"] == matched.loc[matched["anchor_id"] == a, "supplier_id"].nunique()


def whole(con, anchors: list[str]) -> bool:
    return con.cursor().execute("SELECT whole_network('DEMO', ?)", [anchors]).fetchone()[0]


@pytest.mark.parametrize("denominator", DENOMINATORS)
@pytest.mark.parametrize("view", ["whole", "subset", "scope"])
def test_figures_equal_the_payment_table(demo_con, view, denominator):
    check_against_payments(demo_con, view, denominator)


def test_the_whole_network_reads_the_network_marts(demo_con):
    """The fast path is taken exactly when the view is every anchor of the network (an empty
    list or every code), and its rows are the anchor-grain mart's, summed."""
    names = sorted(Method.for_network(demo_con, "DEMO").anchor_names)
    assert whole(demo_con, []) and whole(demo_con, names) and whole(demo_con, names + ["NOT-AN-ANCHOR"])
    assert not whole(demo_con, names[:-1])
    cur = demo_con.cursor()
    per_year = cur.execute(
        "SELECT financial_year, sum(spend_gbp), sum(n_payments), count(*), "
        "sum(coalesce(influenceable_gbp, 0)), count(*) FILTER (WHERE n_payments_influenceable > 0) "
        "FROM mart_network_supplier_year WHERE network_id = 'DEMO' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    anchor_grain = cur.execute(
        "SELECT financial_year, sum(spend_gbp), sum(n_payments), count(DISTINCT supplier_id), "
        "coalesce(sum(spend_gbp) FILTER (WHERE influenceable), 0), "
        "count(DISTINCT supplier_id) FILTER (WHERE influenceable) "
        "FROM mart_spend_supplier WHERE supplier_id <> -1 GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert per_year == anchor_grain and len(per_year) >= 5
    counts = cur.execute(
        "SELECT financial_year, n_suppliers, n_suppliers_influenceable FROM mart_network_supplier_count "
        "WHERE network_id = 'DEMO' ORDER BY 1"
    ).fetchall()
    assert counts == [(y, n, ni) for y, _, _, n, _, ni in anchor_grain]
    # each supplier's mask holds exactly the anchors that paid it that year
    masks = cur.execute(
        "SELECT n.supplier_id, b.anchor_id FROM mart_network_supplier_year n "
        "JOIN anchor_bit b ON get_bit(n.anchor_mask, b.pos - 1) = 1 WHERE n.financial_year = '2024-25'"
    ).fetchall()
    paid = cur.execute(
        "SELECT DISTINCT supplier_id, anchor_id FROM payment "
        "WHERE supplier_id IS NOT NULL AND fin_year(payment_date) = '2024-25'"
    ).fetchall()
    assert sorted(masks) == sorted(paid)


def test_an_anchor_moved_since_the_build_falls_back(demo_con):
    """An anchor moved to another network without a refresh: the network marts no longer fit
    the network, every query reads anchor grain, and the figures are still the payment table's
    for the network as it is now (the moved anchor's spend is in neither network twice)."""
    moved = move_an_anchor(demo_con)
    cur = demo_con.cursor()
    assert not whole(demo_con, [])
    for denominator in DENOMINATORS:
        check_against_payments(demo_con, "whole", denominator)
    m = Method.for_network(demo_con, "OTHER")
    other = db.run("spend_suppliers", demo_con, **m.params("spend_suppliers", **supplier_list([moved])))
    want = cur.execute(
        "SELECT sum(amount_gbp) FROM payment WHERE anchor_id = ? AND supplier_id IS NOT NULL "
        "AND fin_year(payment_date) = ?",
        [moved, m.fy],
    ).fetchone()[0]
    assert pence(other["spend_gbp"]).sum() == int(want * 100) and not other["shared"].any()


def test_a_second_import_changes_every_figure(demo_con, tmp_path, monkeypatch):
    """A payments file for one anchor (a known supplier and a new one) is imported: the marts are
    refreshed inside the import, and every view of the whole network, a subset and each
    denominator equals the payment table again, the new payments included."""
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    m = Method.for_network(demo_con, "DEMO")
    anchor = sorted(m.anchor_names)[0]
    cur = demo_con.cursor()
    known = cur.execute(
        "SELECT s.name FROM supplier s JOIN supplier_geo g USING (supplier_id) "
        "WHERE g.located AND list_contains(?, g.lad_code) AND NOT coalesce(s.is_individual, false) "
        "ORDER BY s.supplier_id LIMIT 1",
        [list(m.local_lads)],
    ).fetchone()[0]
    before = db.run("spend_indicators", demo_con, **m.params("spend_indicators")).set_index("anchor_id")
    y0 = int(m.fy[:4])
    f = tmp_path / "second.csv"
    f.write_text(
        "Payment Date,Amount,Supplier Name\n"
        f"14/05/{y0},1234567.89,{known}\n"
        f"15/05/{y0},1000.01,Brand New Supplier For Marts Ltd\n"
        f"16/06/{y0},-0.01,Brand New Supplier For Marts Ltd\n"
    )
    st = safe_stage(demo_con, f, "payments", anchor, date_order="dmy")
    assert st.report.ok, st.report.text()
    importer.commit(demo_con, st)
    after = db.run("spend_indicators", demo_con, **m.params("spend_indicators")).set_index("anchor_id")
    for col, delta in (("spend_gbp", 123556789), ("local_gbp", 123456789)):
        assert pence([after.loc["_all", col]])[0] - pence([before.loc["_all", col]])[0] == delta
    assert whole(demo_con, [])
    rows = db.run(
        "spend_suppliers", demo_con, **m.params("spend_suppliers", **supplier_list(m.chosen_anchors))
    )
    new = rows[rows["supplier_name"].str.startswith("Brand New Supplier")]
    assert pence(new["spend_gbp"]).tolist() == [100000] and new["n_payments"].tolist() == [2]
    for view in ("whole", "subset", "scope"):
        for denominator in DENOMINATORS:
            check_against_payments(demo_con, view, denominator)
