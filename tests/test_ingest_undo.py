"""Undo puts the database back exactly as it was before the file, in any order that makes sense:
shared supplier records are never deleted from under another file's payments, and records a
file replaced come back."""

from __future__ import annotations

import pytest

from cwb import build, db
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage


@pytest.fixture()
def con(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    c = build.open_database(tmp_path / "u.duckdb", log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'Test', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    c.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    yield c
    db.close_all()


def _q(con, sql):
    cur = con.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def _imp(con, tmp_path, name, text, kind="payments", anchor="A"):
    p = tmp_path / name
    p.write_text(text)
    st = safe_stage(con, p, kind, anchor)
    assert st.report.ok, st.report.text()
    return importer.commit(con, st, refresh=False)


def _state(con):
    return (
        _q(con, "SELECT * FROM supplier ORDER BY supplier_id"),
        _q(con, "SELECT * FROM payment ORDER BY source_row, amount_gbp"),
        _q(con, "SELECT * FROM target ORDER BY ALL"),
        _q(con, "SELECT * FROM supplier_alias ORDER BY ALL"),
    )


def test_undo_supplier_list_restores_the_records_it_replaced(con, tmp_path):
    _imp(con, tmp_path, "p1.csv", "Payment Date,Amount,Supplier Name\n15/04/2024,100.00,ACME LTD\n")
    before = _state(con)
    f = _imp(con, tmp_path, "s.csv", "Supplier Name,Postcode,SME\nAcme Limited,PR0 2AA,Y\n", kind="suppliers")
    assert _q(con, "SELECT name, postcode, is_sme FROM supplier") == [("Acme Limited", "PR0 2AA", True)]
    importer.undo(con, f)
    assert _state(con) == before  # the payee record is back, not deleted
    # every payment still points at an existing supplier
    assert _q(
        con,
        "SELECT count(*) FROM payment p LEFT JOIN supplier s USING (supplier_id) WHERE s.supplier_id IS NULL",
    ) == [(0,)]


def test_undo_payments_keeps_a_supplier_another_file_uses(con, tmp_path):
    f1 = _imp(
        con,
        tmp_path,
        "p1.csv",
        "Payment Date,Amount,Supplier Name\n01/04/2024,100.00,ACME LTD\n02/04/2024,5.00,Solo Ltd\n",
    )
    f2 = _imp(con, tmp_path, "p2.csv", "Payment Date,Amount,Supplier Name\n15/05/2024,50.00,Acme Limited\n")
    importer.undo(con, f1)
    # ACME is still paid by file 2: kept and re-attributed to it; Solo Ltd was only in file 1: gone
    assert _q(con, "SELECT name, source_file_id FROM supplier") == [("ACME LTD", f2)]
    assert _q(con, "SELECT count(*) FROM payment p JOIN supplier s USING (supplier_id)") == [(1,)]
    importer.undo(con, f2)
    assert _q(con, "SELECT count(*) FROM supplier") == [(0,)] and _q(con, "SELECT count(*) FROM payment") == [
        (0,)
    ]


def test_payments_then_list_then_undo_payments_then_undo_list(con, tmp_path):
    f1 = _imp(con, tmp_path, "p1.csv", "Payment Date,Amount,Supplier Name\n15/04/2024,100.00,ACME LTD\n")
    f2 = _imp(con, tmp_path, "p2.csv", "Payment Date,Amount,Supplier Name\n15/05/2024,50.00,Acme Ltd\n")
    s = _imp(con, tmp_path, "s.csv", "Supplier Name,Postcode\nAcme Limited,PR0 2AA\n", kind="suppliers")
    importer.undo(con, f1)
    assert _q(con, "SELECT name, postcode FROM supplier") == [("Acme Limited", "PR0 2AA")]
    importer.undo(con, s)
    # the record file 1 created comes back (file 2 still pays it), attributed to file 2
    assert _q(con, "SELECT name, postcode, source_file_id FROM supplier") == [("ACME LTD", None, f2)]
    assert _q(con, "SELECT count(*) FROM payment p JOIN supplier s USING (supplier_id)") == [(1,)]


def test_two_supplier_lists_undone_out_of_order(con, tmp_path):
    _imp(con, tmp_path, "p1.csv", "Payment Date,Amount,Supplier Name\n15/04/2024,100.00,ACME LTD\n")
    original = _state(con)
    s1 = _imp(con, tmp_path, "s1.csv", "Supplier Name,Postcode\nAcme Limited,PR0 2AA\n", kind="suppliers")
    s2 = _imp(con, tmp_path, "s2.csv", "Supplier Name,Postcode\nACME Ltd.,LA1 1AA\n", kind="suppliers")
    importer.undo(con, s1)  # the newer list still holds
    assert _q(con, "SELECT postcode FROM supplier") == [("LA1 1AA",)]
    importer.undo(con, s2)  # back to the payee record, not to s1's version
    assert _state(con) == original


def test_targets_replaced_then_undone(con, tmp_path):
    head = "indicator,scope_type,scope_id,financial_year,target_value,direction\n"
    t1 = _imp(
        con,
        tmp_path,
        "t1.csv",
        head + "A2,network,N,2025-26,20,higher\nA3,network,N,2025-26,40,higher\n",
        kind="targets",
    )
    t2 = _imp(con, tmp_path, "t2.csv", head + "A2,network,N,2025-26,25,higher\n", kind="targets")
    assert sorted(_q(con, "SELECT indicator, target_value FROM target")) == [("A2", 25.0), ("A3", 40.0)]
    with pytest.raises(ValueError, match=f"replaced by file {t2}.*undo that file first"):
        importer.undo(con, t1)  # t2 replaced one of t1's targets
    assert sorted(_q(con, "SELECT indicator, target_value FROM target")) == [("A2", 25.0), ("A3", 40.0)]
    importer.undo(con, t2)
    assert sorted(_q(con, "SELECT indicator, target_value FROM target")) == [("A2", 20.0), ("A3", 40.0)]
    importer.undo(con, t1)
    assert _q(con, "SELECT count(*) FROM target") == [(0,)]


def test_undo_is_audited_and_unknown_file_is_an_error(con, tmp_path):
    f = _imp(con, tmp_path, "p1.csv", "Payment Date,Amount,Supplier Name\n15/04/2024,100.00,ACME LTD\n")
    importer.undo(con, f, who="tester")
    assert _q(con, "SELECT who, action FROM audit_log ORDER BY logged_at") == [
        ("local", "import"),
        ("tester", "undo"),
    ]
    with pytest.raises(ValueError, match="no imported file"):
        importer.undo(con, f)
