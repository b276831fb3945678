"""The payments importer on files it has never seen: the mapping inferred from headers and contents
(with evidence), hand mapping from the CLI remembered per layout, date order from evidence, junk and
total lines, legacy formats and encodings, supplier names, redaction, summaries, and the reader-level
validations. Each file is built in the test; figures are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_

from cwb import build, db
from cwb.cli import main as cli
from cwb.ingest import importer
from cwb.ingest.infer import infer
from cwb.ingest.names import normalise_name
from cwb.ingest.stage import report_text, safe_stage


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    """One database with a network and an anchor, built once (building reads the reference cache)."""
    p = tmp_path_factory.mktemp("infer") / "base.duckdb"
    c = build.open_database(p, log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'Test', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    c.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    c.execute("CHECKPOINT")
    db.close_all()
    return p


@pytest.fixture()
def con(base_db, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    shutil.copy(base_db, tmp_path / "f.duckdb")
    c = db.connect(tmp_path / "f.duckdb")
    yield c
    db.close_all()


def _file(tmp_path, name, text: str | bytes):
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def _stage(con, p, **kw):
    return safe_stage(con, p, "payments", "A", **kw)


# ---- 1. columns inferred from header words and contents, with evidence; ties refused -----------


def test_unlisted_headers_inferred_from_contents_with_evidence(con, tmp_path):
    text = (
        "Ref,Name:,Invoice Creation Date,Invoice Nett Amount,Service\n"
        'V001,Acme Services Ltd,14/04/2024,"1,000.00",Highways\n'
        "V002,Beta Care Homes Limited,15/04/2024,250.50,Adults\n"
        "V003,Gamma Solutions LLP,16/04/2024,49.50,Children\n"
    )
    st = _stage(con, _file(tmp_path, "a.csv", text))
    assert st.report.ok, report_text(st.report)
    assert {k: st.report.mapped[k] for k in ("supplier_name", "date", "amount")} == {
        "supplier_name": "Name:",
        "date": "Invoice Creation Date",
        "amount": "Invoice Nett Amount",
    }
    # 1000.00 + 250.50 + 49.50 = 1300.00
    assert st.report.total_gbp == "1300.00"
    col, conf, why = st.report.evidence["amount"]
    assert col == "Invoice Nett Amount" and 0 < conf <= 1 and "money" in why
    assert "confidence" in report_text(st.report)


def test_amount_in_sterling_header_and_payee_by_content_alone(con, tmp_path):
    text = (
        "Paid,Who,Amount in Sterling £\n"
        "14/04/2024,Acme Services Ltd,10.00\n15/04/2024,Leeds City Council,20.00\n16/04/2024,Beta Care Ltd,30.00\n"
    )
    st = _stage(con, _file(tmp_path, "b.csv", text))
    assert st.report.ok, report_text(st.report)
    assert st.report.mapped["amount"] == "Amount in Sterling £" and st.report.mapped["supplier_name"] == "Who"


def test_two_equally_likely_amount_columns_are_refused_with_candidates(con, tmp_path):
    text = "Date,Supplier,Amount,Amount\n14/04/2024,Acme Ltd,10.00,12.00\n15/04/2024,Beta Ltd,20.00,24.00\n"
    st = _stage(con, _file(tmp_path, "c.csv", text))
    assert not st.report.ok
    assert (
        "equally likely" in st.report.error
        and "'Amount'" in st.report.error
        and "'Amount (2)'" in st.report.error
    )
    assert 'python -m cwb import payments "c.csv" --anchor A --map amount=' in st.report.error


def test_text_column_never_the_amount_and_ids_not_money(con, tmp_path):
    text = (
        "Date,Supplier,Transaction Value Description,Document\n"
        "14/04/2024,Acme Ltd,five hundred,100001\n15/04/2024,Beta Ltd,six hundred,100002\n"
    )
    st = _stage(con, _file(tmp_path, "d.csv", text))
    assert not st.report.ok and "no column found for amount" in st.report.error
    assert "--map amount=" in st.report.error and "Import page" in st.report.error


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st_.lists(
        st_.tuples(
            st_.sampled_from(
                [
                    "Amount",
                    "Date",
                    "Supplier",
                    "Name",
                    "Value",
                    "Total",
                    "Ref",
                    "Notes",
                    "Net",
                    "Category",
                    "Payee",
                    "X",
                    "Paid",
                    "Sum of Amount",
                ]
            ),
            st_.sampled_from(["money", "text", "date", "code", "empty"]),
        ),
        min_size=1,
        max_size=7,
    ),
    st_.integers(min_value=1, max_value=30),
)
def test_inference_never_maps_one_column_twice_nor_text_as_amount(cols, n):
    gen = {
        "money": lambda i: f"{(i * 37) % 5000}.{i % 100:02d}",
        "text": lambda i: f"Org {i} Ltd" if i % 2 else f"word {i}",
        "date": lambda i: f"{1 + i % 28:02d}/0{1 + i % 9}/2024",
        "code": lambda i: f"C{i:05d}",
        "empty": lambda i: "",
    }
    names, data = [], {}
    for k, (h, kind) in enumerate(cols):
        name = f"{h} ({k})" if h in names or any(x.startswith(h + " (") for x in names) else h
        names.append(name)
        data[name] = [gen[kind](i) for i in range(n)]
    df = pd.DataFrame(data, dtype=str)
    inf = infer(names, df, ("date", "amount", "supplier_name", "supplier_ref", "category", "transaction"))
    assert len(set(inf.mapping.values())) == len(inf.mapping)
    if "amount" in inf.mapping:
        kind = cols[names.index(inf.mapping["amount"])][1]
        assert kind == "money"
    if "supplier_name" in inf.mapping:
        assert cols[names.index(inf.mapping["supplier_name"])][1] == "text"


# ---- 2. hand mapping on the CLI, remembered per anchor and layout ------------------------------


def test_cli_map_remembered_for_the_layout_and_mappings_commands(base_db, tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    dbp = str(tmp_path / "cli.duckdb")
    shutil.copy(base_db, dbp)
    # two money columns named alike: the file cannot tell which is the payment
    head = "Date,Supplier,Amount,Amount\n"
    f1 = _file(
        tmp_path, "jan.csv", head + "14/01/2024,Acme Ltd,10.00,12.00\n15/01/2024,Beta Ltd,20.00,24.00\n"
    )
    f2 = _file(tmp_path, "feb.csv", head + "14/02/2024,Acme Ltd,1.00,1.20\n15/02/2024,Beta Ltd,2.00,2.40\n")
    assert cli(["--db", dbp, "import", "payments", str(f1), "--anchor", "A"]) == 1
    assert "--map amount=" in capsys.readouterr().out
    assert (
        cli(["--db", dbp, "import", "payments", str(f1), "--anchor", "A", "--map", "amount=Amount (2)"]) == 0
    )
    out = capsys.readouterr().out
    assert "mapping remembered for anchor A" in out and "total £: 36.00" in out  # 12.00 + 24.00
    assert cli(["--db", dbp, "import", "payments", str(f2), "--anchor", "A"]) == 0  # same layout: no --map
    out = capsys.readouterr().out
    assert "remembered for anchor A and this layout" in out and "total £: 3.60" in out  # 1.20 + 2.40
    assert cli(["--db", dbp, "mappings", "list"]) == 0
    listing = capsys.readouterr().out
    assert "A|payments|layout:" in listing and "amount <- 'Amount (2)'" in listing
    key = next(w for w in listing.split() if w.startswith("A|payments|layout:"))
    assert cli(["--db", dbp, "mappings", "show", key]) == 0 and '"Amount (2)"' in capsys.readouterr().out
    assert cli(["--db", dbp, "mappings", "forget", key]) == 0
    capsys.readouterr()
    assert cli(["--db", dbp, "mappings", "list"]) == 0 and key not in capsys.readouterr().out
    db.close_all()


# ---- 3. date order from evidence; ambiguous files ask ------------------------------------------


def test_us_dates_ambiguous_files_ask_and_mixed_orders_refused(con, tmp_path):
    us = _file(tmp_path, "us.csv", "Date,Supplier,Amount\n4/30/2020,Acme Ltd,10.00\n5/1/2020,Beta Ltd,5.00\n")
    st = _stage(con, us)
    assert (
        st.report.ok
        and st.report.date_order == "mdy"
        and (st.report.date_min, st.report.date_max) == ("2020-04-30", "2020-05-01")
    )
    amb = _file(tmp_path, "amb.csv", "Date,Supplier,Amount\n04/05/2020,Acme Ltd,10.00\n")
    st = _stage(con, amb)
    assert not st.report.ok and "--date-order dmy" in st.report.error and "Import page" in st.report.error
    st = _stage(con, amb, date_order="mdy")
    assert st.report.ok and st.report.date_min == "2020-04-05"
    mixed = _file(
        tmp_path, "mixed.csv", "Date,Supplier,Amount\n30/04/2020,Acme Ltd,10.00\n4/30/2020,Beta Ltd,5.00\n"
    )
    assert "both orders" in _stage(con, mixed).report.error


def test_ambiguous_file_falls_back_to_the_anchors_earlier_files(con, tmp_path):
    from cwb.ingest.stage import save_mapping

    us = _file(tmp_path, "us.csv", "Date,Supplier,Amount\n4/30/2020,Acme Ltd,10.00\n5/1/2020,Beta Ltd,5.00\n")
    st = _stage(con, us)
    importer.commit(con, st, refresh=False)
    save_mapping(con, "A", "payments", st.mapping, st)
    st = _stage(con, _file(tmp_path, "amb.csv", "Paid on,Payee,Value\n04/05/2020,Acme Ltd,10.00\n"))
    assert st.report.ok and st.report.date_order == "mdy" and "earlier files" in " ".join(st.report.notes)


# ---- 4. junk, padding, preamble, footer and total lines anywhere -------------------------------


def test_junk_lines_skipped_and_totals_checked_anywhere(con, tmp_path):
    text = (
        "Council spend report,,,\nGenerated 01/05/2024,,,\n"
        "Date,Supplier,Amount,Notes\n"
        "01/04/2024,Acme Ltd,10.00,\n02/04/2024,Beta Ltd,20.00,\n"
        ",,30.00,Total April\n"  # a total line in the middle: 10 + 20
        "13/05/2024,Gamma Ltd,5.00,\n"
        ",,xxx,,\n"  # junk trailer
        "####,,,\n"  # padding of odd characters
        ",,6.00,Grand total\n"  # does not match: rows it totals sum to 5.00
        "End of report,,,\n"
    )
    st = _stage(con, _file(tmp_path, "junk.csv", text))
    assert st.report.ok, report_text(st.report)
    assert st.report.rows_ok == 3 and st.report.total_gbp == "35.00"  # 10 + 20 + 5
    sk = dict(st.report.skipped)
    assert "equals the sum" in sk["line 6"] and "does NOT match" in sk["line 10"] and "5.00" in sk["line 10"]
    assert "no amount, payee or date" in sk["line 8"] and "no amount, payee or date" in sk["line 9"]


def test_amount_with_a_bad_payee_or_date_still_rejects_the_file(con, tmp_path):
    text = "Date,Supplier,Amount\n01/04/2024,Acme Ltd,10.00\n13/04/2024,,20.00\n14/04/2024,Beta Ltd,5.00\n"
    st = _stage(con, _file(tmp_path, "nopayee.csv", text))
    assert not st.report.ok and st.report.rejected == [(3, "no payee name")]


# ---- 5/6. legacy workbooks, DOS pound byte, UTF-16/32 ------------------------------------------


def _ods(rows) -> bytes:
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
            if isinstance(v, (int, float))
            else f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in r
        )
        + "</table:table-row>"
        for r in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Spend">{cells}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return b.getvalue()


def test_ods_workbook_read(con, tmp_path):
    p = _file(
        tmp_path,
        "spend.ods",
        _ods(
            [
                ["Date", "Supplier", "Amount"],
                ["14/04/2024", "Acme Ltd", 10.5],
                ["15/04/2024", "Beta Ltd", 20.25],
            ]
        ),
    )
    st = _stage(con, p)
    assert st.report.ok, report_text(st.report)
    assert st.report.total_gbp == "30.75" and "encoding: ods" in st.report.notes  # 10.50 + 20.25


def test_dos_pound_byte_in_the_header(con, tmp_path):
    raw = b"Date,Supplier,Net Amount(\x9c)\n14/04/2024,Caf\xe9 Ltd,\x9c10.00\n15/04/2024,Beta Ltd,5.00\n"
    st = _stage(con, _file(tmp_path, "dos.csv", raw))
    assert st.report.ok and st.report.mapped["amount"] == "Net Amount(£)" and st.report.total_gbp == "15.00"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32", "utf-16-be"])
def test_unicode_text_files(con, tmp_path, codec):
    text = "Date\tSupplier\tAmount\n14/04/2024\tCafé Ltd\t£10.00\n15/04/2024\tBeta Ltd\t5.00\n"
    st = _stage(con, _file(tmp_path, f"u_{codec}.txt", text.encode(codec)))
    assert st.report.ok, report_text(st.report)
    assert st.report.total_gbp == "15.00"


# ---- 7. supplier names -------------------------------------------------------------------------

SAME = [
    ("Barton Grounds Maintenance CIC", "BARTON GROUNDS MAINTENANCE C.I.C."),
    ("UK0012345801 : AAH Pharmaceuticals Ltd", "AAH Pharmaceuticals Limited"),
    ("Barnardo's", "Barnardos"),
    ("E D F", "EDF"),
    ("Smith & Jones Ltd", "Smith and Jones Limited"),
    ("J Smith T/A Smith Plumbing", "J SMITH trading as SMITH PLUMBING LTD"),
    ("Guys and St Thomas NHS FT", "Guys & St Thomas NHSFT"),
    ("Guys and St Thomas Nhs Foundation Trust", "GUYS AND ST THOMAS NHS FT"),
    ("ABC SOLUTIONS LT", "ABC Solutions Ltd"),
    ("Acme (UK) Limited", "ACME LTD"),
]
DIFFERENT = [
    ("Leeds City Council", "Leeds City College"),
    ("Royal Free London NHS FT", "Royal Free Charity"),
    ("A B C Ltd", "ABC Cleaning Ltd"),
    ("J Smith T/A Smith Plumbing", "J Smith T/A Smith Electrical"),
    ("Claremont Nursing Home T/A Park Homes", "Park Homes UK Ltd"),
    ("Oxford Health NHS FT", "Oxford University Hospitals NHS FT"),
    ("EDF", "EDF Energy"),
    ("Leeds Teaching Hospitals NHS Trust", "Leeds Teaching Hospitals NHS FT"),
    ("Limited Edition Ltd", "Edition Ltd"),
]


@pytest.mark.parametrize("a, b", SAME)
def test_same_organisation_same_key(a, b):
    assert normalise_name(a) == normalise_name(b) != ""


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_different_organisations_never_merge(a, b):
    assert normalise_name(a) != normalise_name(b)


# ---- 8. a reference never overrides redaction --------------------------------------------------


def test_reference_never_crosses_redaction(con, tmp_path):
    f1 = _file(
        tmp_path,
        "r1.csv",
        "Date,Supplier,Supplier ID,Amount\n14/04/2024,REDACTED PERSONAL DATA,S1,10.00\n"
        "15/04/2024,Acme Ltd,S2,20.00\n",
    )
    importer.commit(con, _stage(con, f1), refresh=False)
    f2 = _file(
        tmp_path,
        "r2.csv",
        "Date,Supplier,Supplier ID,Amount\n14/05/2024,Named Person Ltd,S1,1.00\n"
        "15/05/2024,REDACTED PERSONAL DATA,S2,2.00\n",
    )
    importer.commit(con, _stage(con, f2), refresh=False)
    cur = con.cursor()
    got = dict(
        cur.execute(
            "SELECT p.amount_gbp::VARCHAR, s.is_individual FROM payment p JOIN supplier s USING (supplier_id)"
        ).fetchall()
    )
    cur.close()
    # the named payee with the once-redacted ref S1 is not an individual; the redacted payee with
    # Acme's ref S2 is not attached to Acme
    assert got == {"10.00": True, "20.00": False, "1.00": False, "2.00": True}


# ---- 9. a file of supplier totals --------------------------------------------------------------


def test_supplier_totals_file_is_called_a_summary(con, tmp_path):
    text = "Supplier,Total Spend\nAcme Ltd,1000.00\nBeta Ltd,250.00\nGamma Ltd,125.00\nDelta Ltd,50.00\n"
    st = _stage(con, _file(tmp_path, "summary.csv", text))
    assert not st.report.ok and "summary" in st.report.error and "not payment-level" in st.report.error


# ---- issue 12: reader-level validations --------------------------------------------------------


def test_out_of_range_dates_overflow_and_sub_penny_rejected_with_lines(con, tmp_path):
    far = (dt.date.today() + dt.timedelta(days=800)).strftime("%d/%m/%Y")
    text = (
        "Date,Supplier,Amount\n14/04/2024,Acme Ltd,10.00\n01/01/1999,Beta Ltd,1.00\n"
        + f"{far},Gamma Ltd,1.00\n"
        "15/04/2024,Delta Ltd,12345678901234567.00\n16/04/2024,Eps Ltd,1.005\n"
    )
    st = _stage(con, _file(tmp_path, "bad.csv", text))
    assert not st.report.ok
    why = dict(st.report.rejected)
    assert set(why) == {3, 4, 5, 6}
    assert "outside" in why[3] and "CWB_DATE_MIN" in why[3] and "outside" in why[4]
    assert "too large" in why[5] and "fraction of a penny" in why[6]
    with pytest.raises(ValueError):
        importer.commit(con, st)


def test_date_window_is_a_setting(con, tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_DATE_MIN", "1990-01-01")
    st = _stage(
        con,
        _file(
            tmp_path, "old.csv", "Date,Supplier,Amount\n01/01/1999,Beta Ltd,1.00\n13/02/1999,Acme Ltd,2.00\n"
        ),
    )
    assert st.report.ok and st.report.date_min == "1999-01-01"


def test_header_only_file_says_so(con, tmp_path):
    st = _stage(con, _file(tmp_path, "head.csv", "Date,Supplier,Amount\n,,\n"))
    assert not st.report.ok and "header" in st.report.error and "no data rows" in st.report.error


def test_zip_bomb_within_the_ratio_is_capped_by_expanded_size(con, tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_MAX_EXPANDED_MB", "1")
    body = "Date,Supplier,Amount\n" + "".join(
        f"14/04/2024,Supplier {i} Ltd,{i}.00\n" for i in range(60000)
    )  # ~2 MB
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.csv", body)
    raw = b.getvalue()
    assert len(body) / len(raw) < 200  # under the ratio limit: only the size cap stops it
    st = _stage(con, _file(tmp_path, "big.zip", raw))
    assert not st.report.ok and "CWB_MAX_EXPANDED_MB" in st.report.error


def test_conversion_errors_never_shown_raw(con, tmp_path):
    # every value the database would fail to convert is caught by the reader with its line
    text = "Date,Supplier,Amount\n14/04/2024,Acme Ltd,1e400\n15/04/2024,Beta Ltd,5-5\n"
    st = _stage(con, _file(tmp_path, "conv.csv", text))
    assert not st.report.ok and "ConversionException" not in report_text(st.report)
    assert {line for line, _ in st.report.rejected} == {2, 3}


def test_spreadsheet_float_noise_rounded_to_the_penny(con, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Date", "Supplier", "Amount"])
    ws.append([dt.datetime(2024, 6, 3), "ACME LTD", 24595.309999999998])
    ws.append([dt.datetime(2024, 6, 4), "Beta Ltd", 4999.999999999999])
    p = tmp_path / "f.xlsx"
    wb.save(p)
    st = _stage(con, p)
    assert st.report.ok and Decimal(st.report.total_gbp) == Decimal("29595.31")  # 24595.31 + 5000.00
