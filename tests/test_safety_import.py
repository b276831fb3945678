"""Nothing lost, nothing counted twice (issue 12, items 1, 2, 3, 11, 14, 17): undo, overlapping
payment files, re-imports that keep history, the mart refresh inside the import transaction,
two commits at once. Real DuckDB files; one database built per module and copied per test."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cwb import build, db
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage
from tests.conftest import q, small_network_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    return small_network_db(
        tmp_path_factory.mktemp("safety") / "base.duckdb",
        [("A", "Anchor", "council", None), ("B", "Other anchor", "nhs_trust", None)],
    )


@pytest.fixture()
def con(base_db, copy_con_of):
    return copy_con_of(base_db)


def write(tmp_path, name, header, rows):
    p = tmp_path / name
    p.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows))
    return p


def stage(con, p, kind="payments", anchor="A", year=None):
    st = safe_stage(con, p, kind, anchor, None, year)
    assert st.report.ok, st.report.text()
    return st


def cli_on(dbp, tmp_path):
    """``run(*args)``: the command line (`python -m cwb ...`) on the database file ``dbp``."""
    env = {**os.environ, "CWB_DB": str(dbp), "CWB_ORIGINALS": str(tmp_path / "o")}

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "cwb", *a], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
        )

    return run


def months(n_per_month=100, seed=1):
    """Payments for April, May and June 2024 (distinct dates, amounts and payees)."""
    rnd = random.Random(seed)
    rows = []
    for m in (4, 5, 6):
        for i in range(n_per_month):
            rows.append(
                (
                    f"{1 + i % 28:02d}/{m:02d}/2024",
                    f"{rnd.randint(100, 9000)}.{rnd.randint(0, 99):02d}",
                    f"Supplier {rnd.randint(0, 40)} Ltd",
                )
            )
    return rows


PAY = "Payment Date,Amount,Supplier Name"


def total(rows):
    return sum(Decimal(r[1]) for r in rows)


def mart_total(con):
    return q(
        con,
        "SELECT count(*), coalesce(sum(n_payments), 0), coalesce(sum(spend_gbp), 0) FROM mart_spend_supplier",
    )[0][1:]


# ---- item 2: overlapping payment files ------------------------------------------------------


def test_overlapping_file_is_reported_and_never_added_silently(con, tmp_path):
    """Reproduces item 2: A (April, 100 rows) then B (April to June re-exported, 300 rows) gave
    400 payments (+34.7 %). Now the overlap is reported before commit and commit refuses to
    guess."""
    rows = months()
    importer.commit(con, stage(con, write(tmp_path, "a.csv", PAY, rows[:100])))
    before = q(con, "SELECT count(*), sum(amount_gbp) FROM payment")
    st = stage(con, write(tmp_path, "b.csv", PAY, rows))
    ov = importer.check_overlap(con, st)
    assert ov is not None and ov.matching == 100 and ov.files[0][1] == "a.csv"
    assert ov.date_min == "2024-04-01" and ov.date_max == "2024-06-28"
    assert "OVERLAP: 100 of this file's payments" in st.report.text() and "--on-overlap" in st.report.text()
    with pytest.raises(importer.ImportConflict, match="replace the period.*skip duplicates"):
        importer.commit(con, st)
    assert q(con, "SELECT count(*), sum(amount_gbp) FROM payment") == before
    assert q(con, "SELECT count(*) FROM source_file") == [(1,)]


@pytest.mark.parametrize("how", ["skip", "replace"])
def test_overlap_skip_or_replace_gives_the_true_total_and_undo_restores(con, tmp_path, how):
    """Item 2: either choice gives the true 300 payments and total; undoing B puts A back exactly;
    undoing A then B leaves nothing (item 1: no supplier or payment left behind)."""
    rows = months()
    fa = importer.commit(con, stage(con, write(tmp_path, "a.csv", PAY, rows[:100])))
    state_a = q(con, "SELECT * FROM payment ORDER BY ALL"), q(con, "SELECT * FROM supplier ORDER BY ALL")
    fb = importer.commit(con, stage(con, write(tmp_path, "b.csv", PAY, rows)), on_overlap=how)
    assert q(con, "SELECT count(*), sum(amount_gbp) FROM payment") == [(300, total(rows))]
    assert mart_total(con) == (300, total(rows))
    assert q(
        con,
        "SELECT count(*) FROM payment p LEFT JOIN supplier s USING (supplier_id) WHERE s.supplier_id IS NULL",
    ) == [(0,)]
    importer.undo(con, fb)
    assert (
        q(con, "SELECT * FROM payment ORDER BY ALL"),
        q(con, "SELECT * FROM supplier ORDER BY ALL"),
    ) == state_a
    assert mart_total(con) == (100, total(rows[:100]))
    fb = importer.commit(
        con,
        stage(con, write(tmp_path, "b2.csv", PAY, rows + [("30/06/2024", "1.00", "Extra Ltd")])),
        on_overlap=how,
    )
    importer.undo(
        con, fa
    )  # exactly A's payments go: with 'skip' B never held April's, with 'replace' it holds all
    kept = rows[100:] if how == "skip" else rows
    assert q(con, "SELECT count(*), sum(amount_gbp) FROM payment") == [(len(kept) + 1, total(kept) + 1)]
    assert q(
        con,
        "SELECT count(*) FROM payment p LEFT JOIN supplier s USING (supplier_id) WHERE s.supplier_id IS NULL",
    ) == [(0,)]
    importer.undo(con, fb)
    assert q(
        con,
        "SELECT (SELECT count(*) FROM payment), (SELECT count(*) FROM supplier), (SELECT count(*) FROM undo_payment)",
    ) == [(0, 0, 0)]


def test_same_dates_without_common_payments_is_not_an_overlap(con, tmp_path):
    """Two departments' files for the same month share no payment: both are added, no question."""
    rows = months(seed=1)[:100]
    other = months(seed=2)[:100]
    importer.commit(con, stage(con, write(tmp_path, "a.csv", PAY, rows)))
    st = stage(con, write(tmp_path, "b.csv", PAY, other))
    assert importer.check_overlap(con, st) is None
    importer.commit(con, st)
    assert q(con, "SELECT count(*) FROM payment") == [(200,)]


def test_overlap_is_per_anchor(con, tmp_path):
    rows = months()[:50]
    importer.commit(con, stage(con, write(tmp_path, "a.csv", PAY, rows)))
    st = stage(con, write(tmp_path, "b.csv", PAY + ",x", [r + ("x",) for r in rows]), anchor="B")
    assert importer.check_overlap(con, st) is None


def test_cli_on_overlap_flag(tmp_path, base_db):
    """Item 2, command line: the overlapping file is not imported without --on-overlap (exit 1,
    the report says why); with --on-overlap skip it adds only the new payments."""
    dbp = tmp_path / "cli.duckdb"
    shutil.copy(base_db, dbp)
    run = cli_on(dbp, tmp_path)

    rows = months(20)
    a = write(tmp_path, "a.csv", PAY, rows[:20])
    b = write(tmp_path, "b.csv", PAY, rows)
    assert run("import", "payments", str(a), "--anchor", "A").returncode == 0
    r = run("import", "payments", str(b), "--anchor", "A")
    assert (
        r.returncode == 1 and "OVERLAP: 20 of this file's payments" in r.stdout and "NOT IMPORTED" in r.stdout
    )
    r = run("import", "payments", str(b), "--anchor", "A", "--on-overlap", "skip")
    assert r.returncode == 0 and "imported as file 2" in r.stdout, r.stdout + r.stderr
    c = db.connect(dbp)
    assert q(c, "SELECT count(*), sum(amount_gbp) FROM payment") == [(60, total(rows))]
    assert (
        "20 duplicates skipped"
        in q(c, "SELECT detail FROM audit_log WHERE action = 'import' ORDER BY logged_at DESC LIMIT 1")[0][0]
    )
    db.close_all()


# ---- item 1: undo removes exactly what the file added ---------------------------------------


def test_undo_supplier_list_shared_by_other_anchors_orphans_nothing(con, tmp_path):
    """Item 1: a supplier list of anchor A that updates suppliers anchor B's payments also use;
    undoing it restores those records exactly and leaves no payment pointing at nothing."""
    importer.commit(
        con,
        stage(
            con,
            write(
                tmp_path,
                "pa.csv",
                PAY,
                [("15/04/2024", "10.00", "Acme Ltd"), ("16/04/2024", "20.00", "Beta Ltd")],
            ),
        ),
    )
    importer.commit(
        con,
        stage(
            con,
            write(
                tmp_path,
                "pb.csv",
                PAY,
                [("17/04/2024", "30.00", "ACME LIMITED"), ("18/04/2024", "40.00", "Beta")],
            ),
            anchor="B",
        ),
    )
    before = (
        q(con, "SELECT * FROM supplier ORDER BY ALL"),
        q(con, "SELECT * FROM supplier_alias ORDER BY ALL"),
    )
    marts = mart_total(con)
    s = importer.commit(
        con,
        stage(
            con,
            write(
                tmp_path,
                "s.csv",
                "Supplier Name,Postcode,SME",
                [("Acme Limited", "PR1 2AA", "Y"), ("Beta Limited", "PR1 2AB", "N")],
            ),
            kind="suppliers",
        ),
    )
    assert q(con, "SELECT count(*) FROM supplier WHERE postcode IS NOT NULL") == [(2,)]
    importer.undo(con, s)
    assert (
        q(con, "SELECT * FROM supplier ORDER BY ALL"),
        q(con, "SELECT * FROM supplier_alias ORDER BY ALL"),
    ) == before
    assert q(
        con,
        "SELECT count(*) FROM payment p LEFT JOIN supplier s USING (supplier_id) WHERE s.supplier_id IS NULL",
    ) == [(0,)]
    assert mart_total(con) == marts


# ---- item 3: re-imports keep history ---------------------------------------------------------

LAND = "AssetCode,PropertyName,PostCode,EffectiveDate,Status"


def test_land_register_of_a_new_year_keeps_the_old_years_statuses(con, tmp_path):
    """Reproduces item 3: a 2024-25 register deleted the 2023-24 statuses of the same sites.
    Now every year is kept; undoing the new register restores the previous state exactly, and
    undoing the old one (while the new one stays) removes only its year."""
    f1 = importer.commit(
        con,
        stage(
            con,
            write(
                tmp_path,
                "a1.csv",
                LAND,
                [
                    ("X1", "Town Hall", "PR1 2AA", "15/04/2023", "operational"),
                    ("X2", "Depot", "PR1 2AA", "15/04/2023", "surplus"),
                ],
            ),
            kind="assets",
        ),
    )
    before = q(con, "SELECT * FROM asset_year ORDER BY ALL"), q(con, "SELECT * FROM asset ORDER BY ALL")
    f2 = importer.commit(
        con,
        stage(
            con,
            write(
                tmp_path,
                "a2.csv",
                LAND,
                [
                    ("X1", "Town Hall", "PR1 2AA", "15/04/2024", "operational"),
                    ("X2", "Depot", "PR1 2AA", "15/04/2024", "disposed"),
                ],
            ),
            kind="assets",
        ),
    )
    assert q(con, "SELECT asset_id, financial_year, status FROM asset_year ORDER BY ALL") == [
        ("A:X1", "2023-24", "operational"),
        ("A:X1", "2024-25", "operational"),
        ("A:X2", "2023-24", "surplus"),
        ("A:X2", "2024-25", "disposed"),
    ]
    importer.undo(con, f2)
    assert (
        q(con, "SELECT * FROM asset_year ORDER BY ALL"),
        q(con, "SELECT * FROM asset ORDER BY ALL"),
    ) == before
    f2 = importer.commit(con, stage(con, tmp_path / "a2.csv", kind="assets"))
    importer.undo(con, f1)
    assert q(con, "SELECT asset_id, financial_year, status FROM asset_year ORDER BY ALL") == [
        ("A:X1", "2024-25", "operational"),
        ("A:X2", "2024-25", "disposed"),
    ]
    assert q(con, "SELECT count(*) FROM asset") == [(2,)]
    importer.undo(con, f2)
    assert q(con, "SELECT (SELECT count(*) FROM asset), (SELECT count(*) FROM asset_year)") == [(0, 0)]


def test_second_workforce_file_for_the_same_year_then_undo_restores_the_first(con, tmp_path):
    """Item 3: a corrected workforce file replaces the same anchor and year; undoing it gives the
    first file's counts back exactly (and other years are untouched throughout)."""
    head = "LSOA,Headcount,Financial year"
    importer.commit(
        con, stage(con, write(tmp_path, "w0.csv", head, [("E01012345", "40", "2023-24")]), kind="workforce")
    )
    importer.commit(
        con,
        stage(
            con,
            write(tmp_path, "w1.csv", head, [("E01012345", "50", "2024-25"), ("E01012346", "30", "2024-25")]),
            kind="workforce",
        ),
    )
    before = q(con, "SELECT * FROM workforce_area ORDER BY ALL")
    w2 = importer.commit(
        con, stage(con, write(tmp_path, "w2.csv", head, [("E01012345", "55", "2024-25")]), kind="workforce")
    )
    assert q(con, "SELECT financial_year, sum(headcount) FROM workforce_area GROUP BY 1 ORDER BY 1") == [
        ("2023-24", 40),
        ("2024-25", 55),
    ]
    importer.undo(con, w2)
    assert q(con, "SELECT * FROM workforce_area ORDER BY ALL") == before


# ---- item 11: the mart refresh is part of the import -------------------------------------------


def test_failure_during_mart_refresh_leaves_no_file_without_figures(con, tmp_path, monkeypatch):
    """Reproduces item 11: the refresh ran after the commit, so a crash in it left the file
    listed, its figures missing and a re-import 'already imported'. Now the refresh is inside
    the transaction: a failure there leaves the database as it was."""
    p = write(tmp_path, "a.csv", PAY, months(10)[:10])
    st = stage(con, p)
    real = build.refresh

    def broken(c, cur=None):
        raise RuntimeError("simulated crash during the mart refresh")

    monkeypatch.setattr(build, "refresh", broken)
    with pytest.raises(RuntimeError, match="simulated crash"):
        importer.commit(con, st)
    monkeypatch.setattr(build, "refresh", real)
    assert q(con, "SELECT (SELECT count(*) FROM source_file), (SELECT count(*) FROM payment)") == [(0, 0)]
    again = stage(con, p)
    assert again.report.duplicate_of is None  # not "already imported"
    importer.commit(con, again)
    assert mart_total(con) == (10, total(months(10)[:10]))


def test_stale_marts_are_repaired_when_the_database_is_opened(con, tmp_path):
    """Item 11 (detect and repair): marts that do not match the imported files (an import
    committed without its refresh) are rebuilt by open_database."""
    path = q(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")[0][0]
    rows = months(10)[:10]
    importer.commit(con, stage(con, write(tmp_path, "a.csv", PAY, rows)), refresh=False)
    assert mart_total(con) == (0, 0)
    db.close_all()
    c = build.open_database(path, log=lambda *a: None)
    assert mart_total(c) == (10, total(rows))


# ---- item 14: two commits at once --------------------------------------------------------------


def test_two_admins_committing_at_once_get_a_clear_message(con, tmp_path):
    """Reproduces item 14: two files read at the same time, both with new suppliers; the second
    commit raised a raw ConstraintException (the same new supplier numbers). Now it says what
    happened and what to do, and changes nothing."""
    s1 = stage(con, write(tmp_path, "a.csv", PAY, [("15/04/2024", "10.00", "Acme Ltd")]))
    s2 = stage(con, write(tmp_path, "b.csv", PAY, [("15/05/2024", "20.00", "Zeta Ltd")]))
    importer.commit(con, s1)
    before = q(
        con,
        "SELECT (SELECT count(*) FROM payment), (SELECT count(*) FROM supplier), (SELECT count(*) FROM source_file)",
    )
    with pytest.raises(
        importer.ImportConflict, match="another import (or undo )?was committed.*Read the file again"
    ):
        importer.commit(con, s2)
    assert (
        q(
            con,
            "SELECT (SELECT count(*) FROM payment), (SELECT count(*) FROM supplier), (SELECT count(*) FROM source_file)",
        )
        == before
    )
    importer.commit(con, stage(con, tmp_path / "b.csv"))  # read again: imports
    assert q(con, "SELECT count(*) FROM supplier") == [(2,)]


def test_same_file_committed_twice_from_two_sessions(con, tmp_path):
    """Item 14: the same file staged in two sessions: the second commit says it is already
    imported (not a UNIQUE constraint error)."""
    p = tmp_path / "t.csv"
    p.write_text("indicator,scope_type,scope_id,financial_year,target_value\nA2,network,N,2025-26,20\n")
    s1, s2 = stage(con, p, kind="targets", anchor=None), stage(con, p, kind="targets", anchor=None)
    importer.commit(con, s1)
    with pytest.raises(importer.ImportConflict, match="already imported as file"):
        importer.commit(con, s2)


# ---- item 17: terminal escapes in CLI reports ----------------------------------------------------


def test_report_text_strips_terminal_escape_sequences(con, tmp_path):
    """Reproduces item 17: a supplier name with ESC sequences was printed raw by the CLI report
    (it could clear the screen or retitle the terminal)."""
    p = tmp_path / "e.csv"
    p.write_text(PAY + "\n15/04/2024,10.00,\x1b[2J\x1b]0;pwned\x07Evil\x1b[31m Ltd\x0b\n")
    st = stage(con, p)
    text = st.report.text()
    assert "\x1b" not in text and "\x07" not in text and "\x0b" not in text and "Evil Ltd" in text
    importer.commit(con, st)
    assert "\x1b" not in q(con, "SELECT string_agg(detail, '') FROM audit_log")[0][0]


def test_one_terminal_cleaner_for_reports_and_the_command_line():
    """The CLI printed reports through a second, weaker cleaner of its own (it left the '[31m' of
    an ESC sequence behind and kept 8-bit CSI sequences' parameters); now one cleaner serves both."""
    from cwb.ingest import cli

    assert not hasattr(cli, "_clean")
    raw = "Evil\x1b[31m Ltd\x1b[0m\x9b2J,\x1b]0;title\x07 tab\tkept\nline\r\x0b\x7f\x85"
    assert importer.clean_text(raw) == "Evil Ltd, tab\tkept\nline"
    assert importer.clean_text(ValueError("a\x1b[2Jb")) == "ab"


def test_cli_lists_and_undoes_a_file_with_escapes_in_its_name_cleanly(tmp_path, base_db):
    """File names and remembered headers come from users' files: `files`, `undo` and `mappings
    list` print them through the one cleaner (they were printed raw)."""
    dbp = tmp_path / "cli.duckdb"
    shutil.copy(base_db, dbp)
    run = cli_on(dbp, tmp_path)

    f = write(tmp_path, "pay\x1b[2Jments.csv", "Date,Amount,Supplier\x1b[31m name", months(20))
    r = run("import", "payments", str(f), "--anchor", "A", "--map", "supplier_name=Supplier\x1b[31m name")
    assert r.returncode == 0, r.stdout + r.stderr
    listed = run("files").stdout
    assert "payments.csv" in listed and "\x1b" not in listed, repr(listed)
    for out in (run("mappings", "list").stdout, run("undo", "1").stdout):
        assert out.strip() and "\x1b" not in out, repr(out)
