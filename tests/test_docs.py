"""Documentation keeps up: every setting and every CLI command is in the README; the data
templates import cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cwb import build, cli, config, db
from cwb.ingest.stage import safe_stage

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented():
    missing = [name for name in config.SETTINGS if name not in README]
    assert missing == []


def test_every_command_is_documented():
    sub = next(a for a in cli.parser()._actions if a.dest == "command")
    missing = [c for c in sub.choices if f"python -m cwb {c}" not in README]
    assert missing == []


@pytest.mark.parametrize(
    "kind, file, year",
    [
        ("payments", "payments.csv", None),
        ("suppliers", "suppliers.csv", None),
        ("workforce", "workforce_counts.csv", None),
        ("workforce", "hr_extract.csv", "2024-25"),
        ("targets", "targets.csv", None),
    ],
)
def test_templates_import(tmp_path, kind, file, year):
    con = build.open_database(tmp_path / "t.duckdb", log=lambda *a: None)
    con.execute(
        "INSERT INTO network VALUES ('N', 'T', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    con.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    st = safe_stage(con, ROOT / "data" / "templates" / file, kind, "A", financial_year=year)
    assert st.report.ok, st.report.text()
    db.close_all()
