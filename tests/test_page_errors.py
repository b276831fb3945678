"""A failed query on a page is shown once, plainly: what failed and what to do, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cwb import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def broken_query(monkeypatch):
    original = db.sql_text

    def sql_text(name: str) -> str:
        text = original(name)
        return (
            text.replace("FROM mart_payment_days", "FROM no_such_table")
            if name == "spend_prompt_payment"
            else text
        )

    monkeypatch.setattr(db, "sql_text", sql_text)
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_failed_query_shows_what_failed_and_what_to_do(app_env, broken_query):
    at = AppTest.from_file(str(ROOT / "pages" / "1_Spend_overview.py"), default_timeout=180).run()
    assert not at.exception, [e.message for e in at.exception]  # no traceback on the page
    assert len(at.error) == 1
    msg = at.error[0].value
    assert "Reading the figures (spend_prompt_payment) failed" in msg
    assert "no_such_table" in msg and "python -m cwb build" in msg
    assert "Traceback" not in msg


def test_undeclared_parameter_is_refused(demo_con):
    with pytest.raises(db.QueryError, match="does not declare"):
        db.run("anchors", demo_con, network_id="DEMO", anchor_ids=[])
    with pytest.raises(db.QueryError, match="missing parameters"):
        db.run("spend_by_month", demo_con, anchor_ids=[], fy_from="2024-25", fy_to="2024-25")


def test_schema_and_code_share_one_list_of_anchor_types():
    import re

    from cwb import manage
    from cwb.ingest import cli
    from cwb.ui_labels import ANCHOR_TYPES

    schema = (ROOT / "cwb" / "sql" / "build" / "00_schema.sql").read_text(encoding="utf-8")
    check = re.search(r"anchor_type\s+VARCHAR NOT NULL CHECK \(anchor_type IN\s*\(([^)]*)\)", schema, re.S)
    assert check, "the anchor table's CHECK on anchor_type"
    assert (
        re.findall(r"'([a-z_]+)'", check.group(1))
        == list(ANCHOR_TYPES)
        == manage.ANCHOR_TYPE_CODES
        == cli.ANCHOR_TYPES
    )
