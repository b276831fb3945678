"""Create or refresh the database: schema, reference geography, enrichment and marts."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from cwb import config, db
from cwb.reference import geography


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    db.execute_script((db.SQL_DIR / "build" / "00_schema.sql").read_text(), con, "00_schema")


def refresh(con: duckdb.DuckDBPyConnection, cur=None) -> float:
    """Re-run enrichment and marts (after an import). Returns seconds taken.

    With ``cur`` (a cursor inside an open transaction, as the importer passes) the marts are
    rebuilt in that transaction: they commit together with the data, or not at all. The state
    the marts were built for is recorded, so a database whose marts are stale (a crash between
    an import and its refresh, on older versions) is repaired when it is next opened."""
    t = time.perf_counter()
    own = cur is None
    if own:
        # new payees matched to the loaded registers (no-op without registers); inside an
        # import's transaction the importer does this once the transaction has committed
        from cwb.registers import match

        match.update(con)
    c = con.cursor() if own else cur
    try:
        for step in db.build_steps():
            if step.name.startswith("00_"):
                continue
            try:
                c.execute(step.read_text())
            except duckdb.Error as exc:
                raise db.QueryError(step.stem, exc) from exc
        _record_marts_state(c, _data_state(c))
        # the build SQL these marts were made with (open_database rebuilds them when it changes)
        c.execute("INSERT OR REPLACE INTO build_meta VALUES ('build_hash', ?)", [build_hash()])
    finally:
        if own:
            c.close()
    return time.perf_counter() - t


def _data_state(cur) -> str:
    """Fingerprint of the imported files: changes with every import and undo."""
    return "|".join(
        str(v)
        for v in cur.execute(
            "SELECT count(*), coalesce(max(file_id), 0), coalesce(sum(file_id), 0) FROM source_file"
        ).fetchall()[0]
    )


def _record_marts_state(cur, value: str) -> None:
    cur.execute("CREATE TABLE IF NOT EXISTS build_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    cur.execute("INSERT OR REPLACE INTO build_meta VALUES ('marts_state', ?)", [value])


def mark_stale(cur) -> None:
    """Record that the marts no longer match the data (an import committed without a refresh):
    the next :func:`open_database` rebuilds them."""
    _record_marts_state(cur, "stale")


def marts_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the marts were not built for the imported files as they are now."""
    cur = con.cursor()
    try:
        cur.execute("CREATE TABLE IF NOT EXISTS build_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = cur.execute("SELECT value FROM build_meta WHERE key = 'marts_state'").fetchone()
        return row is not None and row[0] != _data_state(cur)
    finally:
        cur.close()


def match_after_commit(con: duckdb.DuckDBPyConnection) -> None:
    """After an import's transaction: match its new payees to the registers and, when any
    match was made, rebuild the marts so the figures use it (nothing happens without registers)."""
    from cwb.registers import match

    out = match.update(con)
    if out.get("auto") or out.get("queued"):
        refresh(con)


def ensure_reference(
    con: duckdb.DuckDBPyConnection,
    log=print,
    progress=None,
    boundaries: str = "now",
    postcodes: str = "now",
) -> dict[str, float]:
    """Build the reference cache on first run (reported), then load it if the tables are empty.
    ``boundaries``: 'now' (build the map boundaries too), 'background' (build them in a thread:
    the database needs only postcodes and districts, so the first page comes sooner) or 'later'
    (not at all here; the first map builds them if nobody did). ``postcodes``: 'now' (copy the
    2.7M postcodes into the database) or 'later' (a view of the cache's file until
    :func:`cwb.reference.geography.materialise_postcodes`; the dashboard's first start)."""
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
    n = cur.execute("SELECT count(*) FROM ref_postcode").fetchall()[0][0]
    cur.execute("CREATE TABLE IF NOT EXISTS build_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    row = cur.execute("SELECT value FROM build_meta WHERE key = 'reference_version'").fetchone()
    cur.close()
    t = time.perf_counter()
    if n and postcodes == "now" and geography.materialise_postcodes(con):
        # a first start left the postcodes a view of the cache's file: copy them in now
        timings["postcodes_materialised"] = time.perf_counter() - t
    if n == 0:
        t = time.perf_counter()
        geography.load_into(con, postcodes=postcodes)
        timings["load_into_db"] = time.perf_counter() - t
    elif row is None or int(row[0]) < geography.CACHE_VERSION:
        # loaded from an older build's cache: correct what that build got wrong, in place
        t = time.perf_counter()
        geography.upgrade_positions(con, int(row[0]) if row else 1)
        timings["reference_upgraded"] = time.perf_counter() - t
    if row is None or int(row[0]) != geography.CACHE_VERSION:
        cur = con.cursor()
        cur.execute(
            "INSERT OR REPLACE INTO build_meta VALUES ('reference_version', ?)",
            [str(geography.CACHE_VERSION)],
        )
        cur.close()
    return timings


def build_hash() -> str:
    """Fingerprint of the build SQL: a database built by other SQL is rebuilt on open."""
    import hashlib

    h = hashlib.sha256()
    for step in db.build_steps():
        h.update(step.name.encode())
        h.update(step.read_bytes())
    return h.hexdigest()[:16]


def open_database(
    path: str | Path | None = None,
    log=print,
    progress=None,
    boundaries: str = "now",
    postcodes: str = "now",
    marts_if_empty: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database with schema, reference tables and marts; re-run
    enrichment and marts when the build SQL changed since the file was built (upgrades).
    ``progress``, ``boundaries`` and ``postcodes``: see :func:`ensure_reference`.
    ``marts_if_empty=False``: a database with no anchor yet is left without marts (the caller
    loads data next, and that load builds them: the dashboard's first start, which loads the
    demo, saves a build of empty marts); a later open builds them if it still has none."""
    con = db.connect(path)
    apply_schema(con)
    upgraded = "reference_upgraded" in ensure_reference(
        con, log=log, progress=progress, boundaries=boundaries, postcodes=postcodes
    )
    cur = con.cursor()
    try:
        cur.execute("CREATE TABLE IF NOT EXISTS build_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = cur.execute("SELECT value FROM build_meta WHERE key = 'build_hash'").fetchone()
    finally:
        cur.close()
    want = build_hash()
    if (
        row is None
        or row[0] != want
        or upgraded
        or not db.table_exists(con, "mart_spend_supplier")
        or marts_stale(con)
    ) and (marts_if_empty or not database_is_empty(con)):
        refresh(con)  # records the build hash
    return con


def database_is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    cur = con.cursor()
    try:
        return cur.execute("SELECT count(*) FROM anchor").fetchall()[0][0] == 0
    finally:
        cur.close()


def default_path() -> Path:
    return config.db_path()
