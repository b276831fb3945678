"""Every real payment file under ../shared/samples/spend/more imports with no hand mapping, and its
rows, total to the penny and date range equal truth.csv (computed there by separate code from the
bytes: csv/openpyxl/xlrd + Decimal, cross-checked by a second script; see its README).

One file class needs a documented option: Tameside's pivot exports end with three aggregate lines
that have an amount and a payee but no date. A payment with no date cannot be placed in a year, so
by default the file is rejected naming those lines; ``--skip-undated`` (``skip_undated=True``)
leaves them out and lists them. The test checks the rows and pence left out against the file
itself with the csv module.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from cwb import build, db
from cwb.ingest import importer
from cwb.ingest.stage import report_text, safe_stage

ROOT = Path(__file__).resolve().parent.parent
MORE = ROOT.parent / "shared" / "samples" / "spend" / "more"
TRUTH = (
    list(csv.DictReader(open(MORE / "truth.csv", encoding="utf-8"))) if (MORE / "truth.csv").is_file() else []
)
NEEDS_UNDATED = {"Tameside September 2014.csv", "payment-10.csv"}

pytestmark = pytest.mark.skipif(
    not TRUTH, reason="../shared/samples/spend/more (real payment files) is not present"
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    import os

    tmp = tmp_path_factory.mktemp("more")
    old = os.environ.get("CWB_ORIGINALS")
    os.environ["CWB_ORIGINALS"] = str(tmp / "originals")
    c = build.open_database(tmp / "more.duckdb", log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'Test', ['E08000003'], ['E08000003'], 'E12000002', 'M', 'GM', NULL, false)"
    )
    c.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    yield c
    db.close_all()
    if old is None:
        os.environ.pop("CWB_ORIGINALS", None)
    else:
        os.environ["CWB_ORIGINALS"] = old


def _pence(total: str | None) -> int | None:
    return None if total is None else int(Decimal(total) * 100)


def _undated_lines(path: Path) -> tuple[int, int]:
    """Rows with an amount but no date, and their pence, read with the csv module (not the importer)."""
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    h = rows[0]
    a, d = h.index("Sum of Inv Amount"), h.index("Paid Date")
    n = p = 0
    for r in rows[1:]:
        if len(r) > a and r[a].strip() and not r[d].strip():
            n += 1
            p += int(Decimal(r[a].replace(",", "").strip()) * 100)
    return n, p


@pytest.mark.parametrize("t", TRUTH, ids=[t["file"] for t in TRUTH])
def test_more_real_file_matches_truth(con, t):
    path = MORE / t["publisher"] / t["file"]
    st = safe_stage(con, path, "payments", "A")
    rows, pence = int(t["rows"]), int(t["total_pence"])
    if t["file"] in NEEDS_UNDATED:
        assert not st.report.ok and "--skip-undated" in " ".join(st.report.notes), report_text(st.report)
        n_undated, p_undated = _undated_lines(path)
        assert n_undated == 3 and len(st.report.rejected) == 3
        st = safe_stage(con, path, "payments", "A", skip_undated=True)
        rows, pence = rows - n_undated, pence - p_undated
        assert sum("--skip-undated" in why for _w, why in st.report.skipped) == n_undated
    assert st.report.ok, report_text(st.report)
    assert st.report.rows_ok == rows
    assert _pence(st.report.total_gbp) == pence
    assert (st.report.date_min, st.report.date_max) == (t["min_date"], t["max_date"])
    for fld in ("date", "amount", "supplier_name"):
        assert fld in st.report.evidence and st.report.evidence[fld][2], report_text(st.report)


def test_more_real_commit_and_figures_in_the_database(con):
    """Three formats end to end (legacy .xls, a CSV named .xls in Windows-1252, a 12-sheet workbook):
    what lands in the payment table equals truth.csv."""
    cur = con.cursor()
    for name in ("July_2014_Spend-3.xls", "July_14_over___500.csv-4.xls", "pcc-2020-21.xlsx"):
        t = next(x for x in TRUTH if x["file"] == name)
        st = safe_stage(con, MORE / t["publisher"] / name, "payments", "A")
        fid = importer.commit(con, st, refresh=False)
        n, total, lo, hi = cur.execute(
            "SELECT count(*), sum(amount_gbp), min(payment_date), max(payment_date) "
            "FROM payment WHERE source_file_id = ?",
            [fid],
        ).fetchone()
        assert (n, int(total * 100), str(lo), str(hi)) == (
            int(t["rows"]),
            int(t["total_pence"]),
            t["min_date"],
            t["max_date"],
        )
    cur.close()


def test_us_dates_decided_from_evidence_and_reported(con):
    """NEBD July 2020 writes 7/31/2020: month first, decided from a middle part over 12, and said."""
    t = next(x for x in TRUTH if x["file"] == "NEBD 04 - July.csv")
    st = safe_stage(con, MORE / t["publisher"] / t["file"], "payments", "A")
    assert st.report.date_order == "mdy"
    assert any("month first" in n and "middle part over 12" in n for n in st.report.notes)


def test_total_lines_checked_to_the_penny_and_listed(con):
    """LNWU Feb 2021 ends with ',,,,,,Sum:,,"19,710,294.07"': skipped, listed, and equal to the rows."""
    t = next(x for x in TRUTH if x["file"] == "LNWU 11 - Febuary.csv")
    st = safe_stage(con, MORE / t["publisher"] / t["file"], "payments", "A")
    totals = [(w, why) for w, why in st.report.skipped if "total line" in why]
    assert len(totals) == 1 and "equals the sum" in totals[0][1] and "19,710,294.07" in totals[0][1]


def test_second_header_block_inside_a_sheet(con):
    """fire-2022-23.xlsx: a second header at row 2745 with other column names starts a new block."""
    t = next(x for x in TRUTH if x["file"] == "fire-2022-23.xlsx")
    st = safe_stage(con, MORE / t["publisher"] / t["file"], "payments", "A")
    assert st.report.ok and any("2745" in n and "header" in n for n in st.report.notes), report_text(
        st.report
    )


def test_banded_marts_equal_the_live_path_on_real_files(con):
    """The network marts banded at build time (35_banded_marts.sql) on officers' published files,
    not the demo: after the real files are committed and the marts refreshed, the whole network's
    headline, map and supplier list read from the banded marts equal the live path exactly."""
    from cwb.method import Method, supplier_list
    from tests.test_banded_marts import _both

    cur = con.cursor()
    if not cur.execute("SELECT count(*) FROM payment").fetchone()[0]:  # run alone: commit one file
        t = next(x for x in TRUTH if x["file"] == "pcc-2020-21.xlsx")
        importer.commit(
            con, safe_stage(con, MORE / t["publisher"] / t["file"], "payments", "A"), refresh=False
        )
    cur.close()
    build.refresh(con)
    for denominator in ("all", "influenceable"):
        m = Method.for_network(con, "N", denominator=denominator)
        for period in ({"fy_from": m.fy, "fy_to": m.fy}, {"fy_from": m.years[0], "fy_to": m.years[-1]}):
            got, text = _both(con, "spend_indicators", m, **period)
            assert len(got) > 0 and "mart_network_headline" in text
        got, text = _both(con, "spend_by_area", m, area_level="lad", within_lads=[])
        assert "mart_network_area_banded" in text
        got, text = _both(con, "spend_suppliers", m, **supplier_list(sorted(m.anchor_names), row_limit=50))
        assert len(got) > 0 and "mart_network_supplier_rank" in text
