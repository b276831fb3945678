"""The import and data-quality pages in Streamlit (AppTest): upload, report, mapping, commit,
re-upload recognised, undo, reference files; data quality with missing months and what to do."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from tests.import_util import import_page

ROOT = Path(__file__).resolve().parent.parent
GOOD = (
    b"Spend over \xa3500,,\r\n,,\r\nDate Paid,Net Amount(\xa3),Supplier Name\r\n"
    b'01/04/2024,"\xa31,000.50",ACME LTD\r\n02-Apr-24,(200.25),Beta Limited\r\n,,\r\n,,\r\n'
)


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / name), default_timeout=120)


def _release():
    import streamlit as st

    from cwb import db

    st.cache_resource.clear()
    st.cache_data.clear()
    db.close_all()


def _count(db_path, sql):
    _release()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def test_upload_report_commit_reupload_and_undo(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "orig"))
    before = _count(app_env, "SELECT count(*) FROM payment")
    at = import_page()
    assert not at.exception, at.exception
    at.file_uploader[0].upload("odd name (1).csv", GOOD, "text/csv")
    at.run()
    # 01/04/2024 reads either way and the file has no other evidence: the page asks for the order
    assert any("day first or month first" in e.value for e in at.error)
    next(s for s in at.selectbox if s.label == "Date order").set_value("dmy")
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    # two payments: 1,000.50 - 200.25 = 800.25
    assert metrics["Rows read"] == "2" and metrics["Rows rejected"] == "0" and metrics["Total £"] == "£800.25"
    assert metrics["First date"] == "2024-04-01" and metrics["Last date"] == "2024-04-02"
    captions = " ".join(c.value for c in at.caption)
    assert (
        "windows-1252" in captions
        and "header found on line 3" in captions
        and "2 empty padding rows" in captions
    )
    _button(at, "Commit this file").click()
    at.run()
    assert not at.exception, at.exception
    assert any("Imported as file" in s.value for s in at.success)
    assert _count(app_env, "SELECT count(*) FROM payment") == before + 2
    assert _count(
        app_env, "SELECT sum(amount_gbp) FROM payment WHERE source_file_id IS NOT NULL"
    ) == __import__("decimal").Decimal("800.25")

    # the same file again (a new upload of the same bytes) is recognised and cannot be committed
    at = import_page()
    at.file_uploader[0].upload("again.csv", GOOD, "text/csv")
    at.run()
    next(s for s in at.selectbox if s.label == "Date order").set_value("dmy")
    at.run()
    assert any("already imported" in i.value for i in at.info)
    assert _button(at, "Commit this file").disabled

    # undo from the list of imported files
    at = import_page()
    fid = _count(app_env, "SELECT max(file_id) FROM source_file")
    undo = next(s for s in at.selectbox if s.label.startswith("Undo an import"))
    undo.set_value(fid)
    at.run()
    _button(at, f"Undo file {fid}").click()
    at.run()
    assert not at.exception, at.exception
    assert any(f"File {fid} removed" in s.value for s in at.success)
    assert _count(app_env, "SELECT count(*) FROM payment") == before


def test_rejected_rows_and_mapping_correction(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "orig"))
    at = import_page()
    # 'Value' is a known amount name but holds 'n/a': the contents say the amount is 'Paid', and the
    # page shows that with its evidence; mapping 'Value' by hand shows the bad rows
    at.file_uploader[0].upload(
        "m.csv", b"Payment Date,Supplier Name,Value,Paid\n14/04/2024,ACME LTD,n/a,10.00\n", "text/csv"
    )
    at.run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Total £"] == "£10.00"
    assert any(
        "Paid" in d.value.to_string() and "money" in d.value.to_string() for d in at.dataframe
    )  # the evidence table
    assert not _button(at, "Commit this file").disabled
    next(s for s in at.selectbox if s.label == "amount").set_value("Value")
    _button(at, "Read again with this mapping").click()
    at.run()
    assert not at.exception, at.exception
    assert any("amount not a number: 'n/a'" in str(d.value) for d in at.dataframe)
    assert _button(at, "Commit this file").disabled


def test_reference_upload_bad_file_changes_nothing(app_env, tmp_path):
    at = import_page()
    next(s for s in at.selectbox if s.label == "What kind of file").set_value("imd")
    at.run()
    at.file_uploader[0].upload("imd.csv", b"foo,bar\n1,2\n", "text/csv")
    at.run()
    _button(at, "Load imd.csv").click()
    at.run()
    assert not at.exception, at.exception
    assert any("Nothing was changed" in e.value for e in at.error)


def test_upload_over_the_size_limit_is_refused(app_env, monkeypatch):
    monkeypatch.setenv("CWB_MAX_UPLOAD_MB", "1")
    at = import_page()
    at.file_uploader[0].upload("big.csv", GOOD + b",,\r\n" * 400_000, "text/csv")
    at.run()
    assert any("larger than the 1 MB limit" in e.value for e in at.error)
    assert not at.metric


def test_data_quality_page_shows_gaps_and_what_to_do(app_env):
    at = _page("11_Data_quality.py")
    at.query_params["fy"] = "2023-24"
    at.run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe]
    completeness = next(t for t in tables if "Months with data (of 12)" in t.columns)
    shares = completeness["Spend with a located supplier %"].astype(float)
    assert ((shares >= 0) & (shares <= 100)).all()
    unlocated = next(t for t in tables if "What to do" in t.columns)
    assert unlocated["What to do"].str.len().gt(0).all()
    # individuals are never named: their rows read 'Individual (name withheld)'
    assert not unlocated["Supplier"].str.contains("REDACTED", case=False).any()
    md = " ".join(m.value for m in at.markdown)
    assert "Missing months" in md  # the demo has a two-month gap


def test_no_anchor_is_chosen_for_the_officer_on_the_demo_network(app_env):
    """Review defect: on a fresh start the Anchor box defaulted to the first demo anchor, so a
    real file could be filed under 'Millbrook City Council (demo)' without anyone choosing it.
    Now the box starts empty, there is no upload box until an anchor is chosen, and a demo
    anchor chosen on purpose carries a warning."""
    at = import_page(anchor=None)
    box = next(s for s in at.selectbox if s.label == "Anchor")
    assert box.value is None
    assert at.file_uploader[0].disabled  # nothing can be staged under no anchor
    assert any(h.value == "Imported files" for h in at.subheader)  # the list and undo stay
    assert any("Set up a network or an anchor" in i.value for i in at.info)
    assert any("synthetic demo" in i.value for i in at.info)  # every anchor shown is a demo one
    box.set_value("DEMO-CC")
    at.run()
    assert not at.exception, at.exception
    assert not at.file_uploader[0].disabled
    assert any("Millbrook City Council (demo) is a synthetic demo anchor" in w.value for w in at.warning)


def test_the_one_real_anchor_of_a_network_is_chosen_and_two_are_not(app_env):
    """A network the officer set up with one real anchor: that anchor is the only sensible
    choice and is made; with a second real anchor the officer chooses again."""
    import duckdb

    from cwb import manage

    _release()
    con = duckdb.connect(str(app_env))
    try:
        manage.create_network(con, "REAL", "Real network", ["E07000123"])
        manage.add_anchor(con, "R1", "Real Borough Council", "council", "REAL")
    finally:
        con.close()
    at = import_page(anchor=None, n="REAL")
    assert next(s for s in at.selectbox if s.label == "Anchor").value == "R1"
    assert not at.file_uploader[0].disabled and not at.warning
    _release()
    con = duckdb.connect(str(app_env))
    try:
        manage.add_anchor(con, "R2", "Real Hospital Trust", "nhs_trust", "REAL")
    finally:
        con.close()
    at = import_page(anchor=None, n="REAL")
    assert next(s for s in at.selectbox if s.label == "Anchor").value is None
    assert at.file_uploader[0].disabled
    assert not any("synthetic demo" in i.value for i in at.info)  # the network is real
