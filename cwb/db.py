"""Database access: one DuckDB connection per process, a cursor per call, named SQL files.

DuckDB 2.0 refuses concurrent use of one connection ("connection is busy"), so every call
takes its own cursor. SQL lives in ``cwb/sql``: ``build/`` (schema, enrichment, marts, run
in file-name order) and ``metrics/`` (one query per question). Parameters are always bound
(``$name``), never formatted into the SQL text.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cwb import config

SQL_DIR = Path(__file__).parent / "sql"

_lock = threading.Lock()
_connections: dict[str, duckdb.DuckDBPyConnection] = {}


class QueryError(RuntimeError):
    """A named query failed; the message starts with the query name."""

    def __init__(self, name: str, cause: Exception):
        super().__init__(f"query '{name}' failed: {cause}")
        self.name = name
        self.cause = cause


class DatabaseBusy(duckdb.IOException):
    """Another process (usually a command-line import) holds the database file. The message is
    for people; ``detail`` keeps DuckDB's own text (file path and process id) for the logs."""

    MESSAGE = "The data is being updated, try again in a moment."

    def __init__(self, detail: str):
        super().__init__(self.MESSAGE)
        self.detail = detail


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Return the process-wide connection to the database at ``path`` (default: CWB_DB).
    Raises :class:`DatabaseBusy` while another process holds the file."""
    p = str(Path(path) if path else config.db_path())
    with _lock:
        con = _connections.get(p)
        if con is None:
            if p != ":memory:":
                Path(p).parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(p, read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" in str(exc).lower():
                    raise DatabaseBusy(str(exc)) from exc
                raise
            _connections[p] = con
        return con


def close_all() -> None:
    with _lock:
        for con in _connections.values():
            con.close()
        _connections.clear()


@cache
def sql_text(name: str) -> str:
    """Text of ``cwb/sql/metrics/<name>.sql`` (or a path relative to ``cwb/sql``)."""
    rel = name if name.endswith(".sql") else f"metrics/{name}.sql"
    path = SQL_DIR / rel
    if not path.is_file():
        raise QueryError(name, FileNotFoundError(f"no SQL file {path}"))
    return path.read_text(encoding="utf-8")


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def sql_params(sql: str) -> set[str]:
    """Names of the ``$parameters`` a SQL text uses (comments excluded)."""
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return set(_PARAM.findall(body))


def run(name: str, con: duckdb.DuckDBPyConnection | None = None, **params: Any) -> pd.DataFrame:
    """Run the named metric query with bound parameters and return a DataFrame.

    The parameters must be exactly those the SQL uses: a missing one and one the query does not
    declare are both refused (a misspelt or ignored filter never passes silently). Callers that
    hold a whole method take its parameters for one query from ``cwb.method.Method.params``.
    """
    sql = sql_text(name)
    check_params(name, sql, params)
    cur = (con or connect()).cursor()
    try:
        return cur.execute(sql, params).df()
    except duckdb.Error as exc:
        raise QueryError(name, exc) from exc
    finally:
        cur.close()


def check_params(name: str, sql: str, params: dict[str, Any]) -> None:
    """Raise QueryError unless ``params`` holds exactly the parameters ``sql`` uses."""
    wanted = sql_params(sql)
    missing = wanted - params.keys()
    if missing:
        raise QueryError(name, ValueError(f"missing parameters: {sorted(missing)}"))
    unknown = params.keys() - wanted
    if unknown:
        raise QueryError(
            name,
            ValueError(
                f"parameters the query does not declare: {sorted(unknown)} "
                f"(it takes {sorted(wanted) or 'none'})"
            ),
        )


def execute_script(sql: str, con: duckdb.DuckDBPyConnection, name: str = "script") -> None:
    """Run a multi-statement SQL script (build steps; no parameters)."""
    cur = con.cursor()
    try:
        cur.execute(sql)
    except duckdb.Error as exc:
        raise QueryError(name, exc) from exc
    finally:
        cur.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    """A cursor inside BEGIN ... COMMIT; any error rolls everything back and is re-raised."""
    cur = con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        yield cur
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()


def build_steps() -> list[Path]:
    return sorted((SQL_DIR / "build").glob("*.sql"))


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    cur = con.cursor()
    try:
        row = cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        return bool(row and row[0])
    finally:
        cur.close()
