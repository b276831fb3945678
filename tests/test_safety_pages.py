"""The Import page's part in issue 12 (AppTest, real page on a copy of the demo database): the
overlap choice before commit (item 2), an HR extract read again with another mapping (item 7)
and its report never giving the exact headcount (item 17)."""

from __future__ import annotations

import re

import duckdb

from tests.import_util import import_page

A = b"Payment Date,Amount,Supplier Name\n" + b"".join(
    b"%02d/04/2024,%d.25,Overlap Test %d Ltd\n" % (d, 100 + d, d) for d in range(1, 21)
)
B = A + b"".join(b"%02d/05/2024,%d.50,Overlap Test %d Ltd\n" % (d, 300 + d, d) for d in range(1, 11))


def _count(db_path, sql):
    import streamlit as st

    from cwb import db

    st.cache_resource.clear()
    st.cache_data.clear()
    db.close_all()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def _button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def test_import_page_asks_what_to_do_with_an_overlapping_file(app_env, tmp_path, monkeypatch):
    """Reproduces item 2 on the Import page: the overlapping file B was committed like any other
    (its 20 April payments counted twice). Now the page says so, the commit button waits for a
    choice, and 'skip duplicates' adds only May's 10 payments."""
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "orig"))
    before = _count(app_env, "SELECT count(*) FROM payment")
    at = import_page()
    at.file_uploader[0].upload("april.csv", A, "text/csv")
    at.run()
    _button(at, "Commit this file").click()
    at.run()
    assert not at.exception and any("Imported as file" in s.value for s in at.success)
    at = import_page()
    at.file_uploader[0].upload("april_to_may.csv", B, "text/csv")
    at.run()
    assert not at.exception, at.exception
    assert any("20 of this file's payments" in w.value for w in at.warning)
    assert _button(at, "Commit this file").disabled
    at.radio[0].set_value("skip")
    at.run()
    assert not _button(at, "Commit this file").disabled
    _button(at, "Commit this file").click()
    at.run()
    assert not at.exception, at.exception
    assert any("Imported as file" in s.value for s in at.success)
    assert _count(app_env, "SELECT count(*) FROM payment") == before + 30


def test_hr_extract_read_again_and_no_exact_headcount(app_env, tmp_path, monkeypatch):
    """Reproduces item 7 (last part) and 17: after an HR extract, 'Read again with this mapping'
    raised FileNotFoundError (the upload had been deleted); the report showed the exact number
    of employees (23 here). Now it reads the session's upload again and shows a rounded count."""
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "orig"))
    hr = (
        "Employee Name,Home Postcode,Hourly Rate,Contract,Age\n"
        + "".join(
            f"Person {i},PR1 2HE,{12 + i % 3}.50,{'Bank' if i % 4 else 'Permanent'},{25 + i}\n"
            for i in range(23)
        )
    ).encode()
    at = import_page()
    next(s for s in at.selectbox if s.label == "What kind of file").set_value("workforce")
    at.run()
    next(t for t in at.text_input if t.label.startswith("Financial year")).set_value("2024-25")
    at.run()
    at.file_uploader[0].upload("hr extract.csv", hr, "text/csv")
    at.run()
    assert not at.exception, at.exception
    shown = " ".join([m.value for m in at.metric] + [c.value for c in at.caption])
    assert not re.search(r"\b23\b", shown), shown
    next(s for s in at.selectbox if s.label == "contract").set_value("Contract")
    _button(at, "Read again with this mapping").click()
    at.run()
    assert not at.exception, at.exception
    assert not _button(at, "Commit this file").disabled
    _button(at, "Commit this file").click()
    at.run()
    assert not at.exception, at.exception
    assert _count(app_env, "SELECT sum(insecure) FROM workforce_area WHERE source_file_id IS NOT NULL") == 17
