"""An HR extract (one row per employee) is never kept: only its counts by area are stored."""

from __future__ import annotations

from cwb import build, db
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage


def test_hr_extract_original_not_kept(tmp_path, monkeypatch):
    orig = tmp_path / "originals"
    monkeypatch.setenv("CWB_ORIGINALS", str(orig))
    con = build.open_database(tmp_path / "h.duckdb", log=lambda *a: None)
    con.execute(
        "INSERT INTO network VALUES ('N', 'T', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    con.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    hr = tmp_path / "hr.csv"
    hr.write_text(
        "Employee Name,Home Postcode,Hourly Rate,Contract Type,Start Date,Role Level,Age\n"
        + "".join(f"Person {i},PR0 2AA,12.50,Permanent,01/01/2019,Officer,30\n" for i in range(12))
    )
    st = safe_stage(con, hr, "workforce", "A", financial_year="2024-25")
    assert st.report.ok and importer.personal_rows(st.report)
    importer.commit(con, st)
    kept = list(orig.iterdir())
    assert len(kept) == 1 and kept[0].name.endswith(".counts.csv")
    text = kept[0].read_text()
    assert "Person" not in text and "PR0 2AA" not in text and "E01025247" in text
    db.close_all()
