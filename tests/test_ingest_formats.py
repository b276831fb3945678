"""Each messy layout listed in data-sources.md, as a small file whose rows and total are worked
out by hand in the test (the arithmetic is in the comments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cwb import build, db
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage


@pytest.fixture()
def con(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    c = build.open_database(tmp_path / "f.duckdb", log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'Test', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    c.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    yield c
    db.close_all()


def _stage(con, tmp_path, name, raw: bytes):
    # these small files' dates read either way (01/04/2024): the order is said, as a user would
    p = tmp_path / name
    p.write_bytes(raw)
    return safe_stage(con, p, "payments", "A", date_order="dmy")


def _imported(con, st):
    fid = importer.commit(con, st, refresh=False)
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT count(*), sum(amount_gbp), min(payment_date), max(payment_date) FROM payment "
            "WHERE source_file_id = ?",
            [fid],
        ).fetchone()
    finally:
        cur.close()


def test_dos_pound_byte_cr_only_and_trailing_minus(con, tmp_path):
    # old DOS export: 0x9C is the pound sign in code page 850; old-Mac CR-only line endings
    raw = (
        b'Date,Supplier,Amount\r01/04/2024,ACME LTD,"\x9c1,000.00"\r02/04/2024,Beta Ltd,\x9c 250.50-\r'
        b"03/04/2024,Gamma Ltd,(49.50)\r"
    )
    st = _stage(con, tmp_path, "dos.csv", raw)
    assert st.report.ok, st.report.text()
    # 1000.00 - 250.50 - 49.50 = 700.00
    assert _imported(con, st)[:2] == (3, Decimal("700.00"))
    assert "encoding: windows-1252" in st.report.notes


def test_utf8_bom_and_header_after_blank_and_comma_rows(con, tmp_path):
    raw = (
        '\ufeff\n,,,\n"Spend over £500, March",,,\nPayment Date,Supplier Name,Amount,\n'
        '14 Apr 2023,ACME LTD,"£1,302.28",\n05-Apr-23,REDACTED PERSONAL DATA,500,\n'
    )
    st = _stage(con, tmp_path, "bom.csv", raw.encode("utf-8"))
    assert st.report.ok, st.report.text()
    assert any("header found on line 4" in n for n in st.report.notes)
    # 1302.28 + 500 = 1802.28; 14 Apr and 5 Apr 2023
    n, total, d0, d1 = _imported(con, st)
    assert (n, total, d0, d1) == (2, Decimal("1802.28"), dt.date(2023, 4, 5), dt.date(2023, 4, 14))
    # the first line read is reported with its own line number in the file (line 5)
    cur = con.cursor()
    assert cur.execute("SELECT min(source_row) FROM payment").fetchone()[0] == 5
    cur.close()


@pytest.mark.parametrize("tail", ["", ",,\n,,\n"])
def test_header_as_the_last_line(con, tmp_path, tail):
    raw = (
        f'07/09/23,ACME LTD,100.00\n08/09/23,Beta Ltd,"1,000.01"\nDate Paid,Supplier Name,Amount Paid\n{tail}'
    )
    st = _stage(con, tmp_path, "last.csv", raw.encode())
    assert st.report.ok, st.report.text()
    assert any("header is the last" in n for n in st.report.notes)
    # 100.00 + 1000.01 = 1100.01; two-digit years 23 -> 2023
    assert _imported(con, st) == (2, Decimal("1100.01"), dt.date(2023, 9, 7), dt.date(2023, 9, 8))


def test_identical_lines_are_separate_payments_and_total_line_dropped(con, tmp_path):
    raw = (
        "Payment Date,Supplier Name,Amount\n01/05/2024,ACME LTD,10.00\n01/05/2024,ACME LTD,10.00\n"
        "01/05/2024,ACME LTD,10.00\n,,30.00\n"
    )
    st = _stage(con, tmp_path, "dups.csv", raw.encode())
    assert st.report.ok, st.report.text()
    # three identical payments of 10.00 kept; the last line (30.00 = their sum, no date) is a total
    assert _imported(con, st)[:2] == (3, Decimal("30.00"))
    assert [w for w, why in st.report.skipped if "a total line" in why] == ["line 5"]


def test_row_without_date_that_is_not_a_total_is_rejected_with_its_line(con, tmp_path):
    raw = "Payment Date,Supplier Name,Amount\n01/05/2024,ACME LTD,10.00\n,Beta Ltd,99.00\n02/05/2024,Gamma Ltd,5.00\n"
    st = _stage(con, tmp_path, "nodate.csv", raw.encode())
    assert not st.report.ok
    assert st.report.rejected == [(3, "no date")]
    with pytest.raises(ValueError, match="1 rows rejected"):
        importer.commit(con, st)


def test_xlsx_with_merged_title_empty_columns_and_excel_dates(con, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Payments over £500", None, None, None, None])
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["Transaction Date", None, "Beneficiary Name", None, "Net Amount"])  # empty merged-cell columns
    ws.append([dt.datetime(2024, 6, 3), None, "ACME LTD", None, 1302.28])
    ws.append([45000, None, "Beta Ltd", None, "£2,000.00"])  # serial 45000 = 2023-03-15
    ws.append(["17/06/2024", None, "Gamma Ltd", None, -195.75])
    p = tmp_path / "pay.xlsx"
    wb.save(p)
    st = safe_stage(con, p, "payments", "A")
    assert st.report.ok, st.report.text()
    # 1302.28 + 2000.00 - 195.75 = 3106.53; 45000 days after 1899-12-30 is 2023-03-15
    assert _imported(con, st) == (3, Decimal("3106.53"), dt.date(2023, 3, 15), dt.date(2024, 6, 17))
    assert st.report.mapped == {
        "date": "Transaction Date",
        "amount": "Net Amount",
        "supplier_name": "Beneficiary Name",
    }


def test_semicolon_file_and_a_zip_holding_it(con, tmp_path):
    import zipfile

    raw = b"Date;Payee;Amount\n01/04/2024;ACME LTD;1.005,00\n"
    st = _stage(con, tmp_path, "semi.csv", raw)
    # '1.005,00' (continental decimal comma) is not guessed: rejected with its line
    assert not st.report.ok
    assert st.report.rejected == [(2, "amount has a comma that is not a thousands separator: '1.005,00'")]
    good = "Date;Payee;Amount\n01/04/2024;ACME LTD;1005.00\n"
    with zipfile.ZipFile(tmp_path / "semi.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.csv", good)
    st = safe_stage(con, tmp_path / "semi.zip", "payments", "A", date_order="dmy")
    assert st.report.ok, st.report.text()
    assert _imported(con, st)[:2] == (1, Decimal("1005.00"))
