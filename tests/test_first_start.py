"""The dashboard's first start: postcodes a view of the reference cache's file until they are
copied in, with the same rows; the fast postcode key equal to the SQL macro; the ONS lookup read
in memory a block at a time equal to DuckDB's read of the whole file."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from cwb import build, db
from cwb.reference import geography, official, ons_lookup


def _kind(con) -> str:
    return con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'ref_postcode'"
    ).fetchone()[0]


def _fingerprint(con) -> tuple:
    """Row count and an order-sensitive hash of every column of ref_postcode."""
    return con.execute(
        "SELECT count(*), sum(hash(rn, pcd_key, pcds, lsoa11, msoa11, lad22, lad25, lat, lon, terminated)) "
        "FROM (SELECT row_number() OVER () AS rn, * FROM ref_postcode)"
    ).fetchone()


def test_postcodes_are_a_view_until_copied_in_with_the_same_rows(tmp_path):
    """A database opened as the dashboard's first start opens it holds the postcodes as a view
    of the cache's file; materialise_postcodes makes it a table with the same rows in the same
    order as a database loaded the usual way (an order-sensitive hash of every column)."""
    usual = build.open_database(tmp_path / "usual.duckdb", log=lambda *a: None, boundaries="later")
    want = _fingerprint(usual)
    lazy = build.open_database(
        tmp_path / "lazy.duckdb", log=lambda *a: None, boundaries="later", postcodes="later"
    )
    try:
        assert _kind(usual) == "BASE TABLE" and _kind(lazy) == "VIEW"
        assert geography.postcodes_are_a_view(lazy)
        assert want[0] > 2_500_000
        assert _fingerprint(lazy) == want  # the view answers exactly as the table
        assert geography.materialise_postcodes(lazy) is True
        assert _kind(lazy) == "BASE TABLE" and _fingerprint(lazy) == want
        assert geography.materialise_postcodes(lazy) is False  # once only
    finally:
        db.close_all()


def test_a_later_ordinary_open_copies_the_postcodes_in(tmp_path):
    """The command line (postcodes='now') finding the first start's view copies it in."""
    path = tmp_path / "r.duckdb"
    build.open_database(path, log=lambda *a: None, boundaries="later", postcodes="later")
    db.close_all()
    con = build.open_database(path, log=lambda *a: None, boundaries="later")
    try:
        assert _kind(con) == "BASE TABLE"
        assert con.execute("SELECT count(*) FROM ref_postcode").fetchone()[0] > 2_500_000
    finally:
        db.close_all()


def test_an_official_postcode_file_on_a_first_start_database(tmp_path):
    """Writing postcodes (an official directory extract) to a database whose postcodes are
    still the view copies them in first, then upserts: the new postcode is there, the others
    stay."""
    con = build.open_database(
        tmp_path / "r.duckdb", log=lambda *a: None, boundaries="later", postcodes="later"
    )
    try:
        n = con.execute("SELECT count(*) FROM ref_postcode").fetchone()[0]
        f = tmp_path / "ONSPD_extract.csv"
        f.write_text(
            "pcd,pcds,doterm,oslaua,lsoa11,msoa11,lat,long\n"
            "ZZ991AA,ZZ99 1AA,,E07000123,E01025247,E02005269,53.76,-2.70\n"
        )
        assert official.load_postcodes(con, f) == 1
        assert _kind(con) == "BASE TABLE"
        assert con.execute("SELECT count(*) FROM ref_postcode").fetchone()[0] == n + 1
        assert con.execute("SELECT lad25 FROM ref_postcode WHERE pcd_key = 'ZZ991AA'").fetchone() == (
            "E07000123",
        )
    finally:
        db.close_all()


@pytest.mark.parametrize(
    "values",
    [
        ["PR1 2HE", "pr0 2aa", "B1  1AA", "", None, "SW1A1AA"],  # the plain path
        ["PR1-2HE", "pr0 2aa", "é PR1", "  ", None, "AB1\t0AA"],  # the regular expression
    ],
)
def test_pcd_keys_equal_the_sql_macro(values):
    con = duckdb.connect()
    con.execute("CREATE MACRO pcd_key(p) AS upper(regexp_replace(coalesce(p, ''), '[^A-Za-z0-9]', '', 'g'))")
    want = [r[0] for r in con.execute("SELECT pcd_key(unnest(?))", [values]).fetchall()]
    assert geography.pcd_keys(pa.array(values, pa.string())).to_pylist() == want


def test_csv_blocks_equal_one_read_of_the_whole_file(tmp_path, monkeypatch):
    """The ONS lookup's reader parses a block of whole lines at a time; with tiny blocks (a
    line cut across writes, quoted commas, empty fields) it gives what DuckDB's read_csv
    (all_varchar) gives for the whole file."""
    monkeypatch.setattr(ons_lookup, "_ONS_BLOCK", 40)
    text = (
        "pcds,doterm,lsoa11cd,msoa11cd,ladcd,ladnm,extra\n"
        '"AB1 0AA","199606","S01006514","S02001237","S12000033","Aberdeen, City of","x"\n'
        '"PR1 2HE","","E01025314","E02005264","E07000123","Preston",""\n'
        '"ZZ99 9ZZ","","","","","",""\n'
        '"PR0 2AA","202401","E01025247","E02005269","E07000123","Preston","y"\n'
    ).encode("latin-1")
    sink = ons_lookup._CsvBlocks(ons_lookup.ONS_COLUMNS, "latin-1")
    for i in range(0, len(text), 7):  # writes that end mid-line
        sink.write(text[i : i + 7])
    got = sink.table()
    f = tmp_path / "ons.csv"
    f.write_bytes(text)
    cols = ", ".join(ons_lookup.ONS_COLUMNS)
    want = duckdb.sql(
        f"SELECT {cols} FROM read_csv('{f.as_posix()}', encoding='latin-1', header=true, all_varchar=true)"
    ).fetchall()
    assert len(sink.pending) > 1  # really parsed in several blocks
    assert [tuple(r.values()) for r in got.to_pylist()] == want


def test_the_first_start_builds_the_marts_once_with_the_demo(tmp_path, monkeypatch):
    """The dashboard's first start opens a new database without building marts for it (empty:
    the demo load builds them next); the demo's load records the build, so the next open does
    not build them again; an ordinary open of a new database still builds them at once."""
    from cwb import demo

    path = tmp_path / "first.duckdb"
    con = build.open_database(
        path, log=lambda *a: None, boundaries="later", postcodes="later", marts_if_empty=False
    )
    try:
        assert build.database_is_empty(con) and not db.table_exists(con, "mart_spend_supplier")
        demo.load_demo(con, log=lambda *a: None)
        assert db.table_exists(con, "mart_spend_supplier")
        hash_row = con.execute("SELECT value FROM build_meta WHERE key = 'build_hash'").fetchone()
        assert hash_row == (build.build_hash(),)
        state = con.execute("SELECT value FROM build_meta WHERE key = 'marts_state'").fetchone()
    finally:
        db.close_all()
    calls = []
    real = build.refresh
    monkeypatch.setattr(build, "refresh", lambda *a, **k: calls.append(1) or real(*a, **k))
    try:
        con = build.open_database(path, log=lambda *a: None, boundaries="later", postcodes="later")
        assert calls == []  # built once, by the demo's load
        assert con.execute("SELECT value FROM build_meta WHERE key = 'marts_state'").fetchone() == state
        db.close_all()
        con = build.open_database(tmp_path / "plain.duckdb", log=lambda *a: None, boundaries="later")
        assert calls == [1] and db.table_exists(con, "mart_spend_supplier")
    finally:
        db.close_all()


def test_the_ons_lookup_process_reads_the_same_table_and_fails_clearly(tmp_path, monkeypatch):
    """The build reads the ONS lookup in a process of its own: the table it hands over equals
    the same read in this process; when the archive cannot be read (a broken install), the
    build stops with the reason and the command that repairs it, not a traceback of the child."""
    pytest.importorskip("py7zr")
    proc = geography._OnsLookupProcess(tmp_path / "ons.arrow")
    try:
        table, _seconds = proc.table()
    finally:
        proc.stop()
    assert table.num_rows > 2_500_000 and table.equals(geography._ons_lookup_keyed())
    monkeypatch.setattr(geography, "ons_lookup_archive", lambda: tmp_path / "missing.7z")
    proc = geography._OnsLookupProcess(tmp_path / "ons2.arrow")
    with pytest.raises(RuntimeError, match=r"pip install -r requirements.txt"):
        proc.table()
    assert not (tmp_path / "ons2.arrow").exists()
