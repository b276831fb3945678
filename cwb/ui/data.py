"""Cached access to the database for the pages, and the one place a failed query is shown:
a clear message naming what failed and what to do, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import duckdb
import pandas as pd
import streamlit as st

from cwb import build, config, db, demo, manage


@st.cache_resource(show_spinner="Preparing the database (first run builds the reference geography)...")
def _connection(path: str):
    con = manage.open_database(path, log=print)
    if build.database_is_empty(con):
        demo.load_demo(con)
    return con


def connection():
    """One connection per process and database file; queries take a cursor each (DuckDB 2.0)."""
    return _connection(str(config.db_path()))


def _freeze(v: Any):
    return tuple(v) if isinstance(v, list) else v


@st.cache_data(show_spinner=False, max_entries=512, ttl=600)
def _run_cached(name: str, frozen: tuple, data_version: int, path: str) -> pd.DataFrame:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in frozen}
    return db.run(name, connection(), **params)


def data_version() -> int:
    """Changes whenever an import lands, so cached results are never stale."""
    cur = connection().cursor()
    try:
        return int(cur.execute("SELECT coalesce(max(file_id), 0) + (SELECT count(*) FROM anchor) FROM source_file").fetchone()[0])
    finally:
        cur.close()


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run a named metric query (cached on its bound parameters and the data version).

    The parameters must be exactly those the query declares (``Filters.params`` gives them);
    a failure stops the page with a plain message (see ``failed``)."""
    with guard(f"Reading the figures ({name})"):
        db.check_params(name, db.sql_text(name), params)
        frozen = tuple(sorted((k, _freeze(v)) for k, v in params.items()))
        return _run_cached(name, frozen, data_version(), str(config.db_path())).copy()
    raise AssertionError("unreachable")  # guard stops the page


WHAT_TO_DO = ("Try again in a moment (another import may be running). If it keeps failing, rebuild the "
              "database with `python -m cwb build` (or re-import the last file on the Import page) and "
              "send this message to whoever runs the dashboard.")


def failed(what: str, exc: BaseException, todo: str = WHAT_TO_DO) -> NoReturn:
    """Show what failed (``what``: 'Reading the figures (spend_indicators)'), why (one line) and
    what to do; stop the page (no traceback)."""
    cause = exc.cause if isinstance(exc, db.QueryError) else exc
    detail = str(cause).strip().splitlines()[0][:300] if str(cause).strip() else type(cause).__name__
    st.error(f"**{what} failed.** {detail}  \n{todo}")
    st.stop()
    raise RuntimeError(what)  # st.stop raises; for type checkers


@contextmanager
def guard(what: str, todo: str = WHAT_TO_DO) -> Iterator[None]:
    """Run database work for a page: a query or database error becomes ``failed``'s message."""
    try:
        yield
    except (db.QueryError, duckdb.Error) as exc:
        failed(what, exc, todo)


def clear() -> None:
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=64)
def _shapes(level: str, codes: tuple | None, cache_dir: str) -> pd.DataFrame:
    from cwb.reference import geography

    return geography.shapes(level, list(codes) if codes is not None else None)


def shapes(level: str, codes: list[str] | None = None) -> pd.DataFrame:
    """Boundaries (WKB) of a level, cached per process."""
    return _shapes(level, tuple(sorted(codes)) if codes is not None else None, str(config.reference_cache()))


@st.cache_data(show_spinner=False, max_entries=4)
def lsoa_index(cache_dir: str = "") -> pd.DataFrame:
    """LSOA 2011 -> MSOA 2011 -> LAD (2022) lookup of the boundary file (no geometry)."""
    from cwb.reference import geography

    return geography.shapes("lsoa11")[["area_code", "msoa11", "lad22"]]
