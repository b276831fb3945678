"""Create or refresh the database: schema, reference geography, enrichment and marts."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from cwb import config, db
from cwb.reference import geography


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    db.execute_script((db.SQL_DIR / "build" / "00_schema.sql").read_text(), con, "00_schema")


def refresh(con: duckdb.DuckDBPyConnection) -> float:
    """Re-run enrichment and marts (after an import). Returns seconds taken."""
    t = time.perf_counter()
    from cwb.registers import match  # new payees matched to the loaded registers (no-op without registers)

    match.update(con)
    for step in db.build_steps():
        if step.name.startswith("00_"):
            continue
        db.execute_script(step.read_text(), con, step.stem)
    return time.perf_counter() - t


def ensure_reference(con: duckdb.DuckDBPyConnection, log=print, progress=None,
                     boundaries: str = "now") -> dict[str, float]:
    """Build the reference cache on first run (reported), then load it if the tables are empty.
    ``boundaries``: 'now' (build the map boundaries too), 'background' (build them in a thread:
    the database needs only postcodes and districts, so the first page comes sooner) or 'later'
    (not at all here; the first map builds them if nobody did)."""
    timings: dict[str, float] = {}
    if not geography.cache_ready(boundaries=boundaries == "now"):
        log("Building reference geography from installed packages (first run only)...")
        t = time.perf_counter()
        timings = geography.build_cache(log=log, boundaries=boundaries == "now", progress=progress)
        timings["total"] = time.perf_counter() - t
        log(f"Reference geography built in {timings['total']:.1f} s")
    if boundaries == "background":
        geography.ensure_boundaries(background=True)
    # 'later': the caller starts them (the dashboard does, once its first page is drawn)
    cur = con.cursor()
    n = cur.execute("SELECT count(*) FROM ref_postcode").fetchone()[0]
    cur.close()
    if n == 0:
        t = time.perf_counter()
        geography.load_into(con)
        timings["load_into_db"] = time.perf_counter() - t
    return timings


def build_hash() -> str:
    """Fingerprint of the build SQL: a database built by other SQL is rebuilt on open."""
    import hashlib

    h = hashlib.sha256()
    for step in db.build_steps():
        h.update(step.name.encode())
        h.update(step.read_bytes())
    return h.hexdigest()[:16]


def open_database(path: str | Path | None = None, log=print, progress=None,
                  boundaries: str = "now") -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database with schema, reference tables and marts; re-run
    enrichment and marts when the build SQL changed since the file was built (upgrades).
    ``progress`` and ``boundaries``: see :func:`ensure_reference`."""
    con = db.connect(path)
    apply_schema(con)
    ensure_reference(con, log=log, progress=progress, boundaries=boundaries)
    cur = con.cursor()
    try:
        cur.execute("CREATE TABLE IF NOT EXISTS build_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = cur.execute("SELECT value FROM build_meta WHERE key = 'build_hash'").fetchone()
    finally:
        cur.close()
    want = build_hash()
    if row is None or row[0] != want or not db.table_exists(con, "mart_spend_supplier"):
        refresh(con)
        cur = con.cursor()
        cur.execute("INSERT OR REPLACE INTO build_meta VALUES ('build_hash', ?)", [want])
        cur.close()
    return con


def database_is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    cur = con.cursor()
    try:
        return cur.execute("SELECT count(*) FROM anchor").fetchone()[0] == 0
    finally:
        cur.close()


def default_path() -> Path:
    return config.db_path()
