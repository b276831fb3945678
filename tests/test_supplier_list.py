"""The supplier list (issue 15: a national network's 100,000s of suppliers; issue 14: filters in
SQL, table shaping outside the page): the query's row limit, count, shared-only and located-only
filters against the full list and the payment table; the table shaping; the page's count and its
download of every row."""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cwb import db, tables
from cwb.method import Method, supplier_list
from tests.conftest import ROOT
from tests.menu_util import open_menus


def _params(con, **kw):
    m = Method.for_network(con, "DEMO")
    p = m.params("spend_suppliers", **supplier_list(m.chosen_anchors))
    p.update(kw)
    return m, p


def test_every_row_equals_the_payment_table(demo_con):
    """Each supplier's spend and payment count equal the payment table's sums for the year and
    the anchors in scope (denominator 'all': every third-party payment), to the penny."""
    m, p = _params(demo_con)
    rows = db.run("spend_suppliers", demo_con, **p)
    ref = (
        demo_con.cursor()
        .execute(
            "SELECT supplier_id, sum(amount_gbp) AS spend, count(*) AS n, count(DISTINCT anchor_id) AS na "
            "FROM payment WHERE supplier_id IS NOT NULL AND fin_year(payment_date) = ? "
            "AND list_contains(?, anchor_id) GROUP BY supplier_id",
            [m.fy, m.chosen_anchors],
        )
        .df()
        .set_index("supplier_id")
    )
    got = rows.set_index("supplier_id")
    assert len(got) == len(ref) > 1000
    assert (got["spend_gbp"] == ref.loc[got.index, "spend"]).all()
    assert (got["n_payments"] == ref.loc[got.index, "n"]).all()
    assert (got["n_anchors"] == ref.loc[got.index, "na"]).all()
    assert (got["n_rows"] == len(ref)).all()
    assert abs(float(got["total_spend_gbp"].iloc[0]) - float(ref["spend"].sum())) < 0.005  # to the penny
    # largest spend first, ties by supplier id
    assert rows["spend_gbp"].is_monotonic_decreasing
    assert rows["anchors"].str.split(", ").map(len).tolist() == rows["n_anchors"].tolist()


def test_row_limit_gives_the_largest_rows_and_the_count_of_all(demo_con):
    _, p = _params(demo_con)
    every = db.run("spend_suppliers", demo_con, **p)
    top = db.run("spend_suppliers", demo_con, **{**p, "row_limit": 25})
    assert len(top) == 25
    pd.testing.assert_frame_equal(top, every.head(25))
    assert top["n_rows"].iloc[0] == len(every)
    assert top["total_spend_gbp"].iloc[0] == every["spend_gbp"].sum()


def test_shared_only_and_located_only_filter_in_sql(demo_con):
    _, p = _params(demo_con)
    every = db.run("spend_suppliers", demo_con, **p)
    shared = db.run("spend_suppliers", demo_con, **{**p, "shared_only": True})
    want = every[every["shared"]].drop(columns=["n_rows", "total_spend_gbp"]).reset_index(drop=True)
    assert 0 < len(shared) < len(every)
    pd.testing.assert_frame_equal(shared.drop(columns=["n_rows", "total_spend_gbp"]), want)
    assert shared["n_rows"].iloc[0] == len(want)
    # a supplier is shared when two or more of the network's anchors paid it in the year
    assert set(shared["supplier_id"]) == set(every.loc[every["n_anchors"] >= 2, "supplier_id"]) | set(
        shared["supplier_id"]
    )
    located = db.run("spend_suppliers", demo_con, **{**p, "located_only": True, "row_limit": 300})
    assert len(located) == 300 and located["lat"].notna().all() and located["lon"].notna().all()
    assert not (located["supplier_name"] == "Individual (name withheld)").any()
    placed = every.dropna(subset=["lat", "lon"])
    assert located["supplier_id"].tolist() == placed["supplier_id"].head(300).tolist()


def test_search_matches_names_case_blind(demo_con):
    _, p = _params(demo_con)
    every = db.run("spend_suppliers", demo_con, **p)
    word = every["supplier_name"].iloc[0].split()[0]
    found = db.run("spend_suppliers", demo_con, **{**p, "search": word.upper()})
    want = every[every["supplier_name"].str.lower().str.contains(word.lower(), regex=False)]
    assert found["supplier_id"].tolist() == want["supplier_id"].tolist()


def test_supplier_table_shaping():
    rows = pd.DataFrame(
        {
            "supplier_name": ["Acme Ltd", "Individual (name withheld)"],
            "postcode": ["PR1 2HE", None],
            "lad_name": ["Preston", None],
            "band": ["local", "unknown"],
            "spend_gbp": [Decimal("1234.56"), Decimal("99.49")],
            "n_payments": [3, 1],
            "anchors": ["C, H", "C"],
            "n_anchors": [2, 1],
            "shared": [True, False],
            "is_sme": [True, None],
            "is_vcse": [False, None],
            "is_social_economy": [None, None],
        }
    )
    t = tables.suppliers(rows)
    assert list(t.columns) == list(tables.SUPPLIER_COLUMNS.values())
    assert t["Location band"].tolist() == ["Local area", "Unknown"]
    assert t["Postcode"].tolist() == ["PR1 2HE", "not recorded"]
    assert t["District"].tolist() == ["Preston", "not located"]
    assert t["Shared (X6)"].tolist() == ["Shared", ""]
    assert t["Spend £"].tolist() == [1235.0, 99.0]
    a = tables.suppliers(rows, tables.AREA_SUPPLIER_COLUMNS)
    assert list(a.columns) == list(tables.AREA_SUPPLIER_COLUMNS.values()) and a["Shared"].tolist() == [
        True,
        False,
    ]


def test_completeness_table():
    """Hand case: anchor A has payments in 3 months of 2023-24 (one in March 2024, the year's last
    month) and one in April 2024 (next year); B none; VCSE known 25 of 200 = 12.5 %."""
    ind = pd.DataFrame(
        {
            "anchor_id": ["_all", "A", "B", "A"],
            "financial_year": ["2023-24", "2023-24", "2023-24", "2022-23"],
            "spend_gbp": [Decimal("300"), Decimal("200"), Decimal("100"), Decimal("5")],
            "located_pct": [50.04, 60.0, 30.0, 1.0],
            "sme_known_pct": [10.0, 15.0, 0.0, 1.0],
            "vcse_known_gbp": [Decimal("25"), Decimal("25"), Decimal("0"), Decimal("0")],
            "n_suppliers": [12, 10, 2, 1],
        }
    )
    months = pd.DataFrame(
        {
            "anchor_id": ["A", "A", "A", "A", "A"],
            "month": ["2023-04-01", "2023-05-01", "2024-03-01", "2024-03-01", "2024-04-01"],
        }
    )
    t = tables.completeness(ind, months, "2023-24", {"A": "Anchor A", "B": "Anchor B"})
    assert t["Anchor"].tolist() == ["All selected", "Anchor A", "Anchor B"]
    assert t["Months with data (of 12)"].tolist()[1:] == [3, 0]
    assert pd.isna(t["Months with data (of 12)"].iloc[0])
    assert t["Spend with VCSE status known %"].tolist() == [8.3, 12.5, 0.0]
    assert t["Spend with a located supplier %"].tolist() == [50.0, 60.0, 30.0]


def test_area_parents():
    idx = pd.DataFrame(
        {
            "area_code": ["L1", "L2", "L3"],
            "msoa11": ["M1", "M1", "M2"],
            "lad22": ["D1", "D1", "D2"],
        }
    )
    assert tables.area_parents(idx, "lad") is None
    assert tables.area_parents(idx, "lsoa11")["lad22"].tolist() == ["D1", "D1", "D2"]
    m = tables.area_parents(idx, "msoa11")
    assert dict(zip(m["area_code"], m["lad22"])) == {"M1": "D1", "M2": "D2"}


@pytest.fixture()
def deferred(monkeypatch):
    """The callables the page registers for its made-on-click downloads, by file id (AppTest's
    runtime is gone once a run ends, so they are kept as they are registered)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    kept: dict[str, object] = {}
    add = MediaFileManager.add_deferred

    def keep(self, data_callable, *a, **kw):
        fid = add(self, data_callable, *a, **kw)
        kept[fid] = data_callable
        return fid

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return kept


def _csv_of(at, deferred, key_part: str) -> pd.DataFrame:
    open_menus(at)  # the menu's buttons are drawn while it is open
    b = next(b for b in at.get("download_button") if b.proto.label == "CSV" and key_part in b.proto.id)
    assert b.proto.deferred_file_id and not b.proto.url  # made on click, not with the page
    out = deferred[b.proto.deferred_file_id]()
    text = out.decode("utf-8-sig") if isinstance(out, bytes) else out
    # the export: provenance rows, a blank row, then the table
    return pd.read_csv(io.StringIO(text.split("\r\n\r\n", 1)[1]))


def _suppliers_count(app_env):
    from cwb import build

    con = build.open_database(app_env, log=lambda m: None)
    _, p = _params(con)
    every = db.run("spend_suppliers", con, **p)
    db.close_all()
    return every


def test_suppliers_page_counts_every_supplier_and_downloads_them_all(app_env, monkeypatch):
    """The page draws the 1,000 largest, says how many there are, and its CSV (made with the
    page: the demo's list is short) holds every one; the shared-only switch is a SQL filter
    whose count the metric shows and the address keeps."""
    from cwb import export

    every = _suppliers_count(app_env)
    assert len(every) > 1000
    made: list[pd.DataFrame] = []
    real = export.csv_bytes
    monkeypatch.setattr(export, "csv_bytes", lambda df, prov, s=None: made.append(df) or real(df, prov, s))
    at = AppTest.from_file(str(ROOT / "pages/5_Suppliers.py"), default_timeout=180).run()
    assert not at.exception
    assert at.metric[0].value == f"{len(every):,}"
    assert len(at.dataframe[0].value) == 1000
    assert any(f"Showing the first 1,000 of {len(every):,} rows" in c.value for c in at.caption)
    assert not made, "the CSV was made before anyone opened the Download menu"
    open_menus(at)  # the officer opens the menu: a list this long has its CSV made then, ready
    table = next(df for df in made if "Supplier" in df.columns and "Location band" in df.columns)
    assert list(table.columns) == list(tables.SUPPLIER_COLUMNS.values())
    assert len(table) == len(every)
    assert table["Spend £"].sum() == pytest.approx(float(every["spend_gbp"].astype(float).round(0).sum()))
    at.toggle[0].set_value(True).run()
    assert not at.exception
    assert at.metric[0].value == f"{int(every['shared'].sum()):,}"
    assert at.query_params.get("shared") in (["1"], "1")


def test_a_long_supplier_list_is_read_whole_only_on_click(app_env, monkeypatch, deferred):
    """Above the size read with the page (20,000 rows; 100 here), the CSV is made on click: the
    page reads its 1,000 rows, and the click reads every row, over the page's own filters."""
    from cwb.ui import show

    monkeypatch.setattr(show, "EAGER_ROWS", 100)
    every = _suppliers_count(app_env)
    at = AppTest.from_file(str(ROOT / "pages/5_Suppliers.py"), default_timeout=180).run()
    assert not at.exception
    table = _csv_of(at, deferred, "suppliers")
    assert list(table.columns) == list(tables.SUPPLIER_COLUMNS.values())
    assert len(table) == len(every)
    assert table["Spend £"].sum() == pytest.approx(float(every["spend_gbp"].astype(float).round(0).sum()))


def test_review_queue_row_limit_gives_the_first_rows_and_the_length_of_the_queue(demo_con):
    from cwb.registers import review

    ids = [r[0] for r in demo_con.cursor().execute("SELECT anchor_id FROM anchor").fetchall()]
    every = review.queue(demo_con, ids)
    first = review.queue(demo_con, ids, row_limit=50)
    assert len(every) > 50 and len(first) == 50
    pd.testing.assert_frame_equal(first, every.head(50))
    assert (first["n_rows"] == len(every)).all() and first["rank"].tolist() == list(range(1, 51))
    assert every["spend_gbp"].is_monotonic_decreasing
    # the anchors listed are those paying the payee within the scope
    one = review.queue(demo_con, ids[:1], row_limit=5)
    assert set(one["anchors"]) == {ids[0]}
