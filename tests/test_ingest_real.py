"""Every real published file under ../shared/samples imports, with row counts and totals computed
independently of the importer.

The independent figures come from `_independent()` below: Python's csv module on the file
decoded as stated, the amount column found by its exact published header name, rows counted
when they have a date, summed with Decimal after removing thousands separators and spaces.
(No part of cwb.ingest is used for them.)
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from cwb import build, db
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage

FILES = [
    # file under samples/spend, encoding, exact header of the amount column, of the date column
    ("leeds_raw/leeds_2010-12.csv", "utf-8", "Net amount", "Date paid"),
    ("leeds_raw/leeds_2011-09.csv", "utf-8", "Net amount", "Date paid"),
    ("leeds_raw/leeds_2013-10.csv", "utf-8", "NetAmount", "DatePaid"),
    ("leeds_raw/leeds_2020-06.csv", "cp1252", "Amount", "Payment Date"),
    ("craven_dc_2017-03_payments.csv", "cp1252", "Amount", "Payment Date"),
    ("trafford/trafford-supplier-spend-2024-25.zip", "utf-8", "Amount", "PaymentDate"),
    ("trafford/trafford-supplier-spend-2026-27.zip", "utf-8", "Amount", "PaymentDate"),
    # 360Giving grants: 555 awards, £1,291,436.54
    ("trafford/trafford_council_voluntary_sector_grants.csv", "utf-8", "Amount Awarded", "Award Date"),
]


def _independent(path: Path, enc: str, amount_col: str, date_col: str) -> tuple[int, Decimal]:
    raw = path.read_bytes()
    if path.suffix == ".zip":
        z = zipfile.ZipFile(io.BytesIO(raw))
        raw = z.read(z.namelist()[0])
    rows = list(csv.reader(io.StringIO(raw.decode(enc).replace("\r\n", "\n").replace("\r", "\n"))))
    h = next(i for i, r in enumerate(rows) if amount_col in r and date_col in r)
    a, d = rows[h].index(amount_col), rows[h].index(date_col)
    n, total = 0, Decimal(0)
    for r in rows[h + 1 :]:
        if len(r) > max(a, d) and r[d].strip():  # payment rows have a date; padding and total lines do not
            n += 1
            total += Decimal(r[a].replace(",", "").replace(" ", "") or "0")
    return n, total


@pytest.fixture()
def con(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "originals"))
    c = build.open_database(tmp_path / "i.duckdb", log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'Test', ['E08000035'], ['E08000035'], 'E12000003', 'Leeds', 'Leeds', NULL, false)"
    )
    c.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    yield c
    db.close_all()


@pytest.mark.parametrize("rel, enc, amount_col, date_col", FILES)
def test_real_spend_file_imports(con, shared_dir, rel, enc, amount_col, date_col):
    path = shared_dir / "samples" / "spend" / rel
    n, total = _independent(path, enc, amount_col, date_col)
    st = safe_stage(con, path, "payments", "A")
    assert st.report.ok, st.report.text()
    assert st.report.rows_ok == n and Decimal(st.report.total_gbp) == total
    fid = importer.commit(con, st)
    cur = con.cursor()
    got_n, got_total = cur.execute(
        "SELECT count(*), sum(amount_gbp) FROM payment WHERE source_file_id = ?", [fid]
    ).fetchone()
    cur.close()
    assert got_n == n and got_total == total


def test_published_row_counts(shared_dir):
    """shared/README.md: Trafford 2024-25 has 210,068 rows and 2026-27 38,055; Leeds 2011-09 carries
    55,936 comma-only padding lines."""
    s = shared_dir / "samples" / "spend"
    assert (
        _independent(s / "trafford/trafford-supplier-spend-2024-25.zip", "utf-8", "Amount", "PaymentDate")[0]
        == 210_068
    )
    assert (
        _independent(s / "trafford/trafford-supplier-spend-2026-27.zip", "utf-8", "Amount", "PaymentDate")[0]
        == 38_055
    )


def _padding_lines(path: Path) -> int:
    """Lines after the header whose every field is blank (comma-only or empty), by the csv module."""
    rows = list(
        csv.reader(io.StringIO(path.read_bytes().decode("cp1252").replace("\r\n", "\n").replace("\r", "\n")))
    )
    h = next(i for i, r in enumerate(rows) if sum(1 for c in r if c.strip()) >= 3)
    return sum(1 for r in rows[h + 1 :] if not any(c.strip() for c in r))


@pytest.mark.parametrize(
    "name", ["leeds_2010-12.csv", "leeds_2011-09.csv", "leeds_2013-10.csv", "leeds_2020-06.csv"]
)
def test_leeds_padding_counted_like_the_csv_module(con, shared_dir, name):
    """Padding found per file: 3 (two blank lines and one comma-only), 55,936, 0 and 1 comma-only
    lines -- the same numbers as `tr -d '\\r' < FILE | grep -c -E '^[, ]*$'`."""
    path = shared_dir / "samples" / "spend" / "leeds_raw" / name
    want = _padding_lines(path)
    assert (
        want
        == {
            "leeds_2010-12.csv": 3,
            "leeds_2011-09.csv": 55_936,
            "leeds_2013-10.csv": 0,
            "leeds_2020-06.csv": 1,
        }[name]
    )
    notes = safe_stage(con, path, "payments", "A").report.notes
    if want:
        # "1 empty padding row", "3 empty padding rows" (the noun agrees with the count)
        assert any(n == f"{want:,} empty padding row{'' if want == 1 else 's'} ignored" for n in notes), notes
    else:
        assert not any("padding" in n for n in notes)


def test_grants_file_carries_recipient_details(con, shared_dir):
    """The 360Giving grants file names recipients with charity numbers and (for a few) postcodes:
    new supplier records take them, and a charity number marks the recipient as VCSE."""
    path = shared_dir / "samples" / "spend" / "trafford" / "trafford_council_voluntary_sector_grants.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    # file line numbers (header = line 1) of the awards to a recipient with a charity number
    charity_lines = [i + 2 for i, r in enumerate(rows) if r["Recipient Org:Charity Number"].strip()]
    st = safe_stage(con, path, "payments", "A")
    assert (
        st.report.mapped["supplier_name"] == "Recipient Org:Name"
        and st.report.mapped["postcode"] == "Recipient Org:Postal Code"
    )
    importer.commit(con, st)
    cur = con.cursor()
    vcse = dict(
        cur.execute(
            "SELECT p.source_row, s.is_vcse FROM payment p JOIN supplier s USING (supplier_id)"
        ).fetchall()
    )
    n_pc = cur.execute("SELECT count(*) FROM supplier WHERE postcode IS NOT NULL").fetchone()[0]
    cur.close()
    missed = [ln for ln in charity_lines if not vcse.get(ln)]
    assert len(charity_lines) == 154 and not missed and n_pc > 0, missed[:10]


def test_leeds_padding_and_craven_duplicates_reported(con, shared_dir):
    s = shared_dir / "samples" / "spend"
    leeds = safe_stage(con, s / "leeds_raw/leeds_2011-09.csv", "payments", "A").report
    assert any("55,936 empty padding rows" in n for n in leeds.notes)
    craven = safe_stage(con, s / "craven_dc_2017-03_payments.csv", "payments", "A").report
    assert any("duplicate column names" in n for n in craven.notes)
    assert craven.mapped["category"] == "Account Code (2)"  # the description, not the code
    assert any("total line" in n for n in craven.notes)


def test_reimport_adds_nothing_and_undo_restores(con, shared_dir):
    path = shared_dir / "samples" / "spend" / "craven_dc_2017-03_payments.csv"
    fid = importer.commit(con, safe_stage(con, path, "payments", "A"))
    again = safe_stage(con, path, "payments", "A")
    assert again.report.duplicate_of == fid and not again.report.ok
    with pytest.raises(ValueError, match="already imported"):
        importer.commit(con, again)
    cur = con.cursor()
    assert cur.execute("SELECT count(*) FROM payment").fetchone()[0] == 171
    importer.undo(con, fid)
    assert cur.execute("SELECT count(*) FROM payment").fetchone()[0] == 0
    assert cur.execute("SELECT count(*) FROM source_file").fetchone()[0] == 0
    cur.close()


def test_redacted_payees_kept_but_never_named(con, shared_dir):
    path = shared_dir / "samples" / "spend" / "leeds_raw" / "leeds_2013-10.csv"
    importer.commit(con, safe_stage(con, path, "payments", "A"))
    cur = con.cursor()
    n_ind, names = cur.execute(
        "SELECT count(*), string_agg(DISTINCT name, '|') FROM supplier WHERE is_individual"
    ).fetchone()
    redactive = cur.execute(
        "SELECT bool_or(is_individual) FROM supplier WHERE name ILIKE 'Redactive%'"
    ).fetchone()[0]
    cur.close()
    assert n_ind >= 1 and names == "Individual (name withheld)"
    assert redactive in (None, False)


def test_trafford_land_register_precision(con, shared_dir):
    """Independently: 373 rows carry WGS84 coordinates (csv module); all rows = 608."""
    path = shared_dir / "samples" / "assets" / "trafford_land_and_building_assets.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    with_xy = [r for r in rows if r["GeoX"].strip() and r["GeoY"].strip()]
    in_gb = [r for r in with_xy if -9 <= float(r["GeoX"]) <= 3 and 49 <= float(r["GeoY"]) <= 61]
    st = safe_stage(con, path, "assets", "A")
    assert st.report.ok, st.report.text()
    importer.commit(con, st)
    cur = con.cursor()
    counts = dict(cur.execute("SELECT location_precision, count(*) FROM asset GROUP BY 1").fetchall())
    uprn_text = cur.execute("SELECT typeof(uprn) FROM asset LIMIT 1").fetchone()[0]
    n_uprn = cur.execute("SELECT count(uprn) FROM asset").fetchone()[0]
    no_pc = cur.execute("SELECT count(*) FROM asset WHERE postcode IS NULL").fetchone()[0]
    cur.close()
    assert len(rows) == 608 and sum(counts.values()) == 608
    assert counts["coordinates"] == len(in_gb)
    assert counts.get("postcode", 0) + counts.get("postcode district", 0) + counts.get(
        "none", 0
    ) == 608 - len(in_gb)
    assert counts["postcode district"] > 0  # 'M41'-style district-only postcodes
    assert uprn_text == "VARCHAR"
    # empty cells stay empty (never filled from the row above): as many UPRNs and postcodes as the file has
    assert n_uprn == sum(1 for r in rows if r["UPRN"].strip())
    assert no_pc == sum(1 for r in rows if not r["PostCode"].strip())
