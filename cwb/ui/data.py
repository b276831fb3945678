"""Cached access to the database for the pages, and the one place a failed query is shown:
a clear message naming what failed and what to do, never a traceback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import duckdb
import pandas as pd
import streamlit as st

from cwb import build, config, db, demo, manage

DEMO_SECONDS = 4.5  # typical seconds to open the database and load the demo network (2 cores)


@st.cache_resource(show_spinner="Opening the database...")
def _connection(path: str):
    # The first page needs neither the map boundaries nor the postcodes copied into the
    # database (a view of the reference cache's file answers the same): both follow after it.
    con = manage.open_database(path, log=print, boundaries="later", postcodes="later")
    if build.database_is_empty(con):
        demo.load_demo(con)
    _after_first_page(con)
    return con


def connection():
    """One connection per process and database file; queries take a cursor each (DuckDB 2.0).
    On a first start the reference geography is built here first, with its steps and an
    estimate of the time left on the page (instead of a bare spinner). While another process
    (a command-line import) holds the file, the page says so plainly."""
    from cwb.reference import geography

    path = str(config.db_path())
    try:
        if geography.cache_ready(boundaries=False):
            return _connection(path)
        with st.status(
            "First start: preparing the reference geography and the demo network (only once on this machine)",
            expanded=True,
        ) as status:
            bar = st.progress(0.0)
            t0 = time.perf_counter()

            def progress(label: str, done: float, total: float) -> None:
                total += DEMO_SECONDS
                left = max(total - done, 1.0)
                # the machine may be slower than the typical figures: scale by the pace so far
                if done > 0:
                    left *= (time.perf_counter() - t0) / done
                bar.progress(min(done / total, 0.99), text=f"{label}: about {left:.0f} s left")

            geography.build_cache(log=lambda *a: None, boundaries=False, progress=progress)
            bar.progress(0.95, text="Loading the synthetic demo network (or your database)...")
            con = _connection(path)
            status.update(
                label=f"Ready in {time.perf_counter() - t0:.0f} s", state="complete", expanded=False
            )
        return con
    except db.DatabaseBusy as exc:
        st.info(str(exc))
        st.stop()
        raise  # unreachable: st.stop ends the run


def _after_first_page(con) -> None:
    """A few seconds after the first page (work started sooner competes with it for the same
    cores), in a background thread: copy the postcodes into the database if they are still a
    view of the reference cache's file, then build the map boundaries if they are missing. A map
    opened before the boundaries are ready waits for them (the build is locked, see
    geography.build_cache); a write to the postcodes copies them first."""
    import threading

    from cwb.reference import geography

    if not geography.postcodes_are_a_view(con) and geography.cache_ready():
        return

    def work() -> None:
        try:
            geography.materialise_postcodes(con)
        except duckdb.Error as exc:  # the view still answers; the next start tries again
            print(f"copying the postcodes into the database failed: {exc}")
        geography.ensure_boundaries()

    t = threading.Timer(10.0, work)
    t.daemon = True
    t.start()


def _freeze(v: Any):
    return tuple(v) if isinstance(v, list) else v


@st.cache_data(show_spinner=False, max_entries=512, ttl=600)
def _run_cached(name: str, frozen: tuple, data_version: int, path: str) -> pd.DataFrame:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in frozen}
    return db.run(name, connection(), **params)


_VERSION_SQL = "SELECT coalesce(max(file_id), 0) + (SELECT count(*) FROM anchor) FROM source_file"


def _run_token():
    """An object that lives exactly one script run (Streamlit makes a new parallel-fragment
    coordinator at the start of every run), or None outside a Streamlit run."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return getattr(ctx, "parallel_coordinator", None) if ctx is not None else None


def data_version() -> int:
    """Changes whenever an import lands, so cached results are never stale. Asked once per
    script run (it used to be asked before every lookup: 6-14 ms a page at 1M payments)."""
    token = _run_token()
    v = getattr(token, "_cwb_data_version", None)
    if v is not None:
        return v
    cur = connection().cursor()
    try:
        v = int(cur.execute(_VERSION_SQL).fetchone()[0])
    finally:
        cur.close()
    if token is not None:
        try:
            token._cwb_data_version = v
        except AttributeError:  # a Streamlit without per-run attributes: ask every time
            pass
    return v


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run a named metric query (cached on its bound parameters and the data version).

    The parameters must be exactly those the query declares (``Filters.params`` gives them);
    a failure stops the page with a plain message (see ``failed``)."""
    with guard(f"Reading the figures ({name})"):
        db.check_params(name, db.sql_text(name), params)
        frozen = tuple(sorted((k, _freeze(v)) for k, v in params.items()))
        return _run_cached(name, frozen, data_version(), str(config.db_path())).copy()
    raise AssertionError("unreachable")  # guard stops the page


def in_page_run() -> bool:
    """True inside a page's script run (not in a download made on click)."""
    return _run_token() is not None


def query_now(name: str, **params: Any) -> pd.DataFrame:
    """Run a named metric query now, uncached and outside any page run (a download made on
    click): errors are raised, not drawn."""
    return db.run(name, connection(), **params)


WHAT_TO_DO = (
    "Try again in a moment (another import may be running). If it keeps failing, rebuild the "
    "database with `python -m cwb build` (or re-import the last file on the Import page) and "
    "send this message to whoever runs the dashboard."
)


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


@st.cache_data(show_spinner=False, max_entries=256, ttl=600)
def _figure(module: str, name: str, args: tuple, kwargs: tuple):
    import importlib

    return getattr(importlib.import_module(module), name)(*args, **dict(kwargs))


def figure(fn, *args, **kwargs):
    """A chart built by ``fn(*args, **kwargs)`` (a cwb.charts function), cached on its inputs:
    plotly's object model takes seconds for a 20-panel figure, a cached copy about 0.2 s."""
    return _figure(fn.__module__, fn.__name__, args, tuple(sorted(kwargs.items())))


def clear() -> None:
    """Drop every cached result (after an import); the next lookup asks the data version again."""
    st.cache_data.clear()
    token = _run_token()
    if token is not None and hasattr(token, "_cwb_data_version"):
        del token._cwb_data_version


# Boundaries are simplified for the screen before they are sent (the browser gets GeoJSON):
# coordinates on a 1e-5 degree grid (about 1 m) and, for many shapes at once (a whole-UK map),
# a coarser outline. Wider-area LSOA map: 0.49 MB -> 0.32 MB; whole-UK district outlines:
# 1.12 MB -> 0.77 MB. Cached per process, so each is simplified once.
SIMPLIFY = {"lad": 0.0005, "msoa11": 0.0002, "lsoa11": 0.0001}
MANY_SHAPES = 2000


def _for_screen(df: pd.DataFrame, level: str) -> pd.DataFrame:
    import shapely

    if not len(df):
        return df
    geoms = shapely.from_wkb(df["wkb"].to_numpy())
    many = len(df) > MANY_SHAPES or (level == "lad" and len(df) > 100)  # a national map
    tol = 0.002 if many else SIMPLIFY.get(level, 0.0001)
    geoms = shapely.set_precision(
        shapely.simplify(geoms, tol, preserve_topology=True), 1e-4 if many else 1e-5
    )
    return df.assign(wkb=shapely.to_wkb(geoms))


@st.cache_data(show_spinner=False, max_entries=64)
def _shapes(level: str, codes: tuple | None, cache_dir: str) -> pd.DataFrame:
    from cwb.reference import geography

    return _for_screen(geography.shapes(level, list(codes) if codes is not None else None), level)


def shapes(level: str, codes: list[str] | None = None) -> pd.DataFrame:
    """Boundaries (WKB) of a level, cached per process."""
    return _shapes(level, tuple(sorted(codes)) if codes is not None else None, str(config.reference_cache()))


@st.cache_data(show_spinner=False, max_entries=4)
def lsoa_index(cache_dir: str = "") -> pd.DataFrame:
    """LSOA 2011 -> MSOA 2011 -> LAD (2022) lookup of the boundary file (no geometry)."""
    from cwb.reference import geography

    return geography.shapes("lsoa11")[["area_code", "msoa11", "lad22"]]
