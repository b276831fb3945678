"""Database access: one DuckDB connection per process, a cursor per call, named SQL files.

DuckDB 2.0 refuses concurrent use of one connection ("connection is busy"), so every call
takes its own cursor. SQL lives in ``cwb/sql``: ``build/`` (schema, enrichment, marts, run
in file-name order) and ``metrics/`` (one query per question). Parameters are always bound
(``$name``), never formatted into the SQL text.

One path per query text (issue 15): a metric query may hold alternative paths (the whole network
read from the network marts, some anchors at anchor grain, the top-N denominator...), marked in
its SQL by comment lines::

    -- @when not top_n and whole: the whole network, counted when the marts were built
    SELECT ... FROM mart_network_supplier_count
    WHERE network_id = $network_id
      AND whole_network($network_id, $anchor_ids)   -- @gate
    -- @or not top_n and not whole: some of its anchors
    SELECT ...
    -- @end

The branches of a ``@when ... @or ... @end`` group are alternatives joined by UNION ALL (each
names its columns: any may be the only one sent); a group of one branch is an optional part (a
CTE, a filter line). Each branch carries, on its
``-- @gate`` lines, the same condition in SQL, so the *full text* (every branch, joined, gates
kept: :func:`full_text`) serves every view by itself, exactly as the query did before paths
were marked. :func:`run` sends DuckDB only the branches whose condition holds for the bound
parameters, without the gate lines (:func:`path_text`): DuckDB binds and optimises every branch
of a text, including those that return no rows, and at 10M payments that planning cost several
times the execution. Conditions use the flags of :data:`FLAGS` (``and``, ``or``, ``not``,
parentheses) and names set by ``-- @let name = condition``; tests/test_query_paths.py checks
that each path gives the rows of the full text.

The flags that read the database (the network's anchors now, and the anchors and bands its marts
were built for: ``marts_fit``, ``whole``, ``scope_whole``, ``bands_fit``) come from one small
query in the same transaction as the figures. ``bands_fit`` chooses the banded marts
(cwb/sql/build/35_banded_marts.sql: the headline, the map and the top of the supplier list of a
whole network, finished at build time in its own bands); another local area or region, or a
network whose geography or anchors changed since the last refresh, reads the live path, whose
rows they are (tests/test_banded_marts.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from functools import cache, lru_cache
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


def is_open(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` is one of this process's connections still open (``close_all`` closes
    them all)."""
    with _lock:
        return any(c is con for c in _connections.values())


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
    Only the query's path for these parameters is sent (see the module's docstring); the
    database facts a choice needs are read in the same transaction as the query.
    """
    sql = sql_text(name)
    check_params(name, sql, params)
    cur = (con or connect()).cursor()
    try:
        marked = _parse(sql)
        if marked.conditions:
            facts = _Facts(cur, params)
            if marked.needs_facts:
                cur.execute("BEGIN TRANSACTION")  # the facts and the figures from one snapshot
            try:
                text = path_text(sql, marked.choose(params, facts))
                out = cur.execute(text, {k: params[k] for k in sql_params(text)}).df()
            except BaseException:
                if marked.needs_facts:
                    cur.execute("ROLLBACK")
                raise
            if marked.needs_facts:
                cur.execute("COMMIT")
            return out
        return cur.execute(sql, params).df()
    except (duckdb.Error, PathError) as exc:
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


# -- one path per query text ---------------------------------------------------------------------


class PathError(ValueError):
    """A query's path markers are malformed, or a condition names an unknown flag."""


def _anchors(facts: _Facts) -> list[str]:
    return facts.lists()[0] or []


def _covers(facts: _Facts, ids: list[str]) -> bool:
    """covers_network (30_macros.sql): every anchor of the network is in ``ids``."""
    return set(_anchors(facts)) <= set(ids)


def _marts_fit(facts: _Facts) -> bool:
    """network_marts_fit: the network's anchors are those the network marts were built for."""
    a, b = facts.lists()
    return a == b


def _bands_fit(facts: _Facts) -> bool:
    """network_bands_fit: the bands asked for are those the banded marts were built for (as sets,
    NULLs dropped, as list_distinct does; the wider list taken with the local districts)."""
    built = facts.bands()
    if built is None:
        return False
    p = facts.params
    local = sorted({x for x in p["local_lads"] if x is not None})
    wider = sorted({x for x in [*p["wider_lads"], *p["local_lads"]] if x is not None})
    return local == built[0] and wider == built[1] and p["region_code"] == built[2]


def _filtered(facts: _Facts) -> bool:
    """The supplier list is filtered: a search, shared only, located only or one area."""
    p = facts.params
    return p["search"] != "" or bool(p["shared_only"]) or bool(p["located_only"]) or p["area_level"] != ""


def _whole(facts: _Facts) -> bool:
    """whole_network: every anchor chosen (an empty list = every anchor) and the marts fit."""
    ids = facts.params["anchor_ids"]
    return _marts_fit(facts) and (len(ids) == 0 or _covers(facts, ids))


#: Suppliers per network, year and denominator in mart_network_supplier_rank (its QUALIFY).
RANKED_ROWS = 1000

#: The flags a path condition may use: name -> (reads the database, value). Each is the Python
#: form of a SQL condition the query's gates state (the macros of cwb/sql/build/30_macros.sql).
FLAGS: dict[str, tuple[bool, Callable[[_Facts], bool]]] = {
    # the top-N denominator ($denominator = 'top_n'): supplier grain
    "top_n": (False, lambda f: f.params["denominator"] == "top_n"),
    # one financial year ($fy_from = $fy_to)
    "one_year": (False, lambda f: f.params["fy_from"] == f.params["fy_to"]),
    # a search for supplier names ($search <> '')
    "search": (False, lambda f: f.params["search"] != ""),
    # network_marts_fit($network_id)
    "marts_fit": (True, _marts_fit),
    # whole_network($network_id, $anchor_ids)
    "whole": (True, _whole),
    # covers_network($network_id, $scope_anchor_ids): the detail scope is the whole network
    "scope_whole": (True, lambda f: _covers(f, f.params["scope_anchor_ids"])),
    # network_bands_fit($network_id, $local_lads, $wider_lads, $region_code)
    "bands_fit": (True, _bands_fit),
    # the supplier list's filters: $search <> '' OR $shared_only OR $located_only OR $area_level <> ''
    "filtered": (False, _filtered),
    # $row_limit BETWEEN 1 AND 1000: rows the ranked supplier mart holds (35_banded_marts.sql)
    "ranked_rows": (False, lambda f: 1 <= f.params["row_limit"] <= RANKED_ROWS),
}

# one statement of two plain scans (three scalar subqueries cost twice as much to plan)
_FACTS_SQL = """SELECT 'now' AS kind, anchor_id AS value FROM anchor WHERE network_id = $n
UNION ALL
SELECT kind, value FROM mart_network_built WHERE network_id = $n"""


class _Facts:
    """The bound parameters, and the database facts the flags read, asked for at most once (one
    small query: the network's anchors, those its marts were built for, and the bands its banded
    marts were built for). Never cached across calls: an import, a moved anchor or a changed
    geography changes them, and reading them costs about a millisecond."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, params: dict[str, Any]):
        self.cur = cur
        self.params: dict[str, Any] = params
        self._row: tuple[Any, Any, Any] | None = None

    def _read(self) -> tuple[Any, Any, Any]:
        if self._row is None:
            got: dict[str, list] = {}
            for kind, value in self.cur.execute(_FACTS_SQL, {"n": self.params["network_id"]}).fetchall():
                got.setdefault(kind, []).append(value)
            # None for no anchor, as list() of no rows in network_marts_fit (30_macros.sql)
            now, built = sorted(got.get("now", [])) or None, sorted(got.get("anchor", [])) or None
            bands = (
                (sorted(got.get("local", [])), sorted(got.get("wider", [])), got["region"][0])
                if "region" in got
                else None
            )
            self._row = (now, built, bands)
        return self._row

    def lists(self) -> tuple[list[str] | None, list[str] | None]:
        """The network's anchors now, and when its marts were built (None: none)."""
        row = self._read()
        return row[0], row[1]

    def bands(self) -> tuple[list[str], list[str], str | None] | None:
        """The local and wider districts and the region the banded marts were built for (None:
        the network had no row then)."""
        return self._read()[2]


class _Env(Mapping):
    """The names a condition sees: the flags (evaluated on first use) and the query's @let names."""

    def __init__(self, facts: _Facts, lets: dict[str, bool]):
        self.facts, self.lets = facts, lets
        self.seen: dict[str, bool] = {}

    def __getitem__(self, key: str) -> bool:
        if key in self.lets:
            return self.lets[key]
        if key not in self.seen:
            if key not in FLAGS:
                raise KeyError(key)
            self.seen[key] = bool(FLAGS[key][1](self.facts))
        return self.seen[key]

    def __iter__(self):
        return iter([*FLAGS, *self.lets])

    def __len__(self) -> int:
        return len(FLAGS) + len(self.lets)


_MARK = re.compile(r"^\s*--\s*@(when|or|end|let)\b\s*(.*?)\s*$")
_GATE = re.compile(r"--\s*@gate\b")
_COND_TOKEN = re.compile(r"\s*(?:(\()|(\))|([A-Za-z_][A-Za-z0-9_]*))")


def _compile(cond: str, known: set[str]) -> Any:
    """A condition (flags, @let names, and/or/not, parentheses) as Python code; anything else is
    refused (no other name, no literal, no call)."""
    pos, words = 0, []
    while pos < len(cond.rstrip()):
        m = _COND_TOKEN.match(cond, pos)
        if not m:
            raise PathError(f"condition {cond!r}: unexpected text at {cond[pos:]!r}")
        word = m.group(3)
        if word and word not in ("and", "or", "not") and word not in known:
            raise PathError(f"condition {cond!r}: unknown flag {word!r} (flags: {sorted(FLAGS)})")
        words.append(m.group(0))
        pos = m.end()
    try:
        return compile("".join(words).strip() or "True", "<path condition>", "eval")
    except SyntaxError as exc:
        raise PathError(f"condition {cond!r}: {exc.msg}") from exc


class _Marked:
    """A query text split into plain lines and @when groups (branches: condition, parts)."""

    def __init__(self, parts: list, lets: list[tuple[str, Any]], conditions: list[tuple[str, Any]]):
        self.parts, self.lets, self.conditions = parts, lets, conditions
        code_names = {n for _c, code in conditions + lets for n in code.co_names}
        self.needs_facts = any(FLAGS[n][0] for n in code_names if n in FLAGS)

    def choose(self, params: dict[str, Any], facts: _Facts) -> tuple[bool, ...]:
        """The value of every condition of the text, in order, for these parameters."""
        lets: dict[str, bool] = {}
        env = _Env(facts, lets)
        try:
            for name, code in self.lets:
                lets[name] = bool(eval(code, {"__builtins__": {}}, env))
            return tuple(bool(eval(code, {"__builtins__": {}}, env)) for _c, code in self.conditions)
        except KeyError as exc:
            raise PathError(f"a path condition needs the parameter {exc}") from exc


@lru_cache(maxsize=64)
def _parse(sql: str) -> _Marked:
    lets: list[tuple[str, Any]] = []
    conditions: list[tuple[str, Any]] = []
    known = set(FLAGS)
    root: list = []
    stack: list[tuple[list, list]] = []  # (the group's branches, the parts list to return to)
    parts = root
    for n, line in enumerate(sql.splitlines(), 1):
        m = _MARK.match(line)
        if not m:
            parts.append(line)
            continue
        kind, rest = m.groups()
        cond = rest.split(":", 1)[0]
        if kind == "let":
            name, eq, expr = cond.partition("=")
            name = name.strip()
            if not eq or not name.isidentifier() or name in known:
                raise PathError(f"line {n}: '-- @let name = condition' expected")
            lets.append((name, _compile(expr, known)))
            known.add(name)
        elif kind == "when":
            branch: list = []
            conditions.append((cond.strip(), _compile(cond, known)))
            group = {"branches": [(len(conditions) - 1, branch)]}
            parts.append(group)
            stack.append((group["branches"], parts))
            parts = branch
        elif kind == "or":
            if not stack:
                raise PathError(f"line {n}: '@or' outside a '@when' group")
            branch = []
            conditions.append((cond.strip(), _compile(cond, known)))
            stack[-1][0].append((len(conditions) - 1, branch))
            parts = branch
        else:  # end
            if not stack:
                raise PathError(f"line {n}: '@end' without '@when'")
            parts = stack.pop()[1]
    if stack:
        raise PathError("a '@when' group has no '@end'")
    return _Marked(root, lets, conditions)


def _emit(parts: list, choice: tuple[bool, ...] | None, out: list[str]) -> None:
    for part in parts:
        if isinstance(part, str):
            if choice is None or not _GATE.search(part):
                out.append(part)
            continue
        kept = [b for i, b in part["branches"] if choice is None or choice[i]]
        for k, branch in enumerate(kept):
            if k:
                out.append("    UNION ALL")
            _emit(branch, choice, out)


@lru_cache(maxsize=256)
def path_text(sql: str, choice: tuple[bool, ...]) -> str:
    """The text of one path: the branches whose condition holds (``choice``: one value per
    condition, in order), without the gate lines."""
    out: list[str] = []
    _emit(_parse(sql).parts, choice, out)
    return "\n".join(out) + "\n"


@cache
def full_text(sql: str) -> str:
    """Every branch joined by UNION ALL, gates kept: the query that serves every view by itself."""
    out: list[str] = []
    _emit(_parse(sql).parts, None, out)
    return "\n".join(out) + "\n"


def query_path(name: str, con: duckdb.DuckDBPyConnection, **params: Any) -> str:
    """The text :func:`run` would send for these parameters (for tests and benchmarks)."""
    sql = sql_text(name)
    check_params(name, sql, params)
    marked = _parse(sql)
    if not marked.conditions:
        return sql
    cur = con.cursor()
    try:
        return path_text(sql, marked.choose(params, _Facts(cur, params)))
    finally:
        cur.close()


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
