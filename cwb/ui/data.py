"""Cached access to the database for the pages, and the one place a failed query is shown:
a clear message naming what failed and what to do, never a traceback."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import duckdb
import pandas as pd
import streamlit as st

from cwb import build, config, db, demo, manage

DEMO_SECONDS = 3.0  # typical seconds to open the database and load the demo network (2 cores)


@st.cache_resource(show_spinner="Opening the database...")
def _connection(path: str):
    # The first page needs neither the map boundaries nor the postcodes copied into the
    # database (a view of the reference cache's file answers the same): both follow after it.
    con = manage.open_database(path, log=print, boundaries="later", postcodes="later", marts_if_empty=False)
    if build.database_is_empty(con):
        demo.load_demo(con)  # builds the marts
    _after_first_page(con)
    return con


_CACHE_SEEN = ""  # the reference cache folder last found ready


def _open(path: str):
    """The cached connection, opened again when ``db.close_all()`` closed it since (the cache
    would otherwise hand out a closed connection: "Connection already closed!")."""
    con = _connection(path)
    if not db.is_open(con):
        _connection.clear()
        con = _connection(path)
        _GENERATION[0] += 1  # the file may have been written while it was closed
    return con


def connection():
    """One connection per process and database file; queries take a cursor each (DuckDB 2.0).
    On a first start the reference geography is built here first, with its steps and an
    estimate of the time left on the page (instead of a bare spinner). While another process
    (a command-line import) holds the file, the page says so plainly."""
    from cwb.reference import geography

    global _CACHE_SEEN
    path = str(config.db_path())
    cache_dir = str(config.reference_cache())
    try:
        # once seen ready in this process the reference cache stays ready (reading its version
        # files on every call was 2-4 ms of each page run)
        if cache_dir == _CACHE_SEEN or geography.cache_ready(boundaries=False):
            _CACHE_SEEN = cache_dir
            return _open(path)
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
            con = _open(path)
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


class _FrameStore:
    """Frames kept in this process, handed out by ticket. ``st.cache_data`` pickles what it
    keeps and unpickles it on every hit (1-3 ms a frame with text columns, a dozen frames a page
    run); here the cached function returns only a ticket (a short string, cheap to unpickle) and
    the frame stays in memory, handed out as a shallow copy: with pandas' copy-on-write the
    caller may change its copy freely, the kept frame never changes. Clearing Streamlit's cache
    (after an import, between tests) makes new tickets, so nothing stale is handed out; old
    frames leave by age (least recently used first)."""

    def __init__(self, size: int = 512) -> None:
        import threading
        from collections import OrderedDict

        self._frames: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._n = 0
        self._size = size
        self._lock = threading.Lock()

    def put(self, df: pd.DataFrame) -> str:
        with self._lock:
            self._n += 1
            ticket = f"{os.getpid()}-{self._n}"  # unique in this process (the cache is per process)
            self._frames[ticket] = df
            while len(self._frames) > self._size:
                self._frames.popitem(last=False)
        return ticket

    def get(self, ticket: str) -> pd.DataFrame | None:
        with self._lock:
            df = self._frames.get(ticket)
            if df is not None:
                self._frames.move_to_end(ticket)
        return None if df is None else df.copy(deep=False)

    def replace(self, ticket: str, df: pd.DataFrame) -> pd.DataFrame:
        with self._lock:
            self._frames[ticket] = df
        return df.copy(deep=False)


_FRAMES = _FrameStore()


class _Ticket(str):
    """A frame kept in ``_FRAMES`` (what a ``kept`` function's cache holds instead of it)."""


def _to_tickets(out):
    if isinstance(out, pd.DataFrame):
        return _Ticket(_FRAMES.put(out))
    if isinstance(out, tuple):
        return tuple(_to_tickets(o) for o in out)
    return out


def _from_tickets(value, rebuild):
    """The kept value; when a frame has left the store, ``rebuild()`` is stored under the same
    tickets and returned."""

    def get(v):
        if isinstance(v, _Ticket):
            df = _FRAMES.get(v)
            if df is None:
                raise LookupError(v)
            return df
        return tuple(get(o) for o in v) if isinstance(v, tuple) else v

    def put(v, new):
        if isinstance(v, _Ticket):
            return _FRAMES.replace(v, new)
        return tuple(put(o, n) for o, n in zip(v, new)) if isinstance(v, tuple) else new

    try:
        return get(value)
    except LookupError:
        return put(value, rebuild())


def _args_key(names: list[str], args: tuple, kwargs: dict) -> str | None:
    """A digest of a cached function's arguments, leaving out those whose name starts with an
    underscore (as ``st.cache_data`` does), or None when one cannot be pickled. Pickled without
    the memo (``fast``), so equal values make equal bytes whether or not they are one object."""
    import io

    shown = tuple(a for n, a in zip(names, args) if not n.startswith("_"))
    shown_kw = sorted((k, v) for k, v in kwargs.items() if not k.startswith("_"))
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=5)
    p.fast = True
    try:
        p.dump((len(args), shown, shown_kw))
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        return None
    return hashlib.blake2b(buf.getbuffer(), digest_size=16).hexdigest()


def kept(**cache_kw):
    """``st.cache_data(**cache_kw)`` for a function returning a frame (or a tuple holding
    frames), with the frames kept unpickled in this process (``_FrameStore``): the cache holds
    tickets. A query result was unpickled on every hit (1-3 ms a frame with text columns, a
    dozen a page run); a map level's boundaries are megabytes of WKB.

    The cache is keyed on a digest of the pickled arguments (``_args_key``), handed to
    ``st.cache_data`` as one short string: Streamlit's own hashing of the arguments (a map's
    tuple of area codes, a query's parameters) and its look-up of each argument's name were
    20-35 ms of a warm map page's run (issue 15, bench_viewers profile)."""
    import functools
    import inspect

    def wrap(fn):
        names = list(inspect.signature(fn).parameters)

        def ticketed(key: str, _args: tuple, _kwargs: dict):
            return _to_tickets(fn(*_args, **_kwargs))

        # the cache's identity is the function's (module, name), as with the decorator on fn
        ticketed.__module__ = fn.__module__
        ticketed.__qualname__ = f"{fn.__qualname__}.<kept>"
        ticketed.__name__ = fn.__name__
        ticketed = st.cache_data(show_spinner=False, **cache_kw)(ticketed)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            key = _args_key(names, args, kwargs)
            if key is None:  # an argument that cannot be pickled: computed, not cached
                return fn(*args, **kwargs)
            return _from_tickets(ticketed(key, args, kwargs), lambda: fn(*args, **kwargs))

        call.clear = ticketed.clear  # type: ignore[attr-defined]
        return call

    return wrap


def _run(name: str, frozen: tuple) -> pd.DataFrame:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in frozen}
    return db.run(name, connection(), **params)


@kept(max_entries=512, ttl=600)
def _run_cached(name: str, frozen: tuple, data_version: int, path: str) -> pd.DataFrame:
    return _run(name, frozen)


def _run_token():
    """An object that lives exactly one script run (Streamlit makes a new parallel-fragment
    coordinator at the start of every run), or None outside a Streamlit run."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return getattr(ctx, "parallel_coordinator", None) if ctx is not None else None


_GENERATION = [0]  # bumped by clear(): an import, a review decision, a network's set-up


def data_version() -> int:
    """Changes whenever the data can have changed, so cached results are never stale: after
    ``clear()`` (every page that writes calls it once its change is committed) and whenever
    the database is opened again (``db.close_all()``; another process can have written to the
    file only while this one did not hold it: DuckDB lets one process open it read-write, and
    the dashboard's process holds it from the first page on). Nothing is asked of the
    database: the query this replaced cost one DuckDB round trip per script run (about 10 % of
    a warm page run's CPU in a py-spy profile, 5 ms under load)."""
    return hash((_GENERATION[0], id(connection()))) & 0x7FFFFFFFFFFFFFFF


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run a named metric query (cached on its bound parameters and the data version).

    The parameters must be exactly those the query declares (``Filters.params`` gives them);
    a failure stops the page with a plain message (see ``failed``)."""
    with guard(f"Reading the figures ({name})"):
        db.check_params(name, db.sql_text(name), params)
        frozen = tuple(sorted((k, _freeze(v)) for k, v in params.items()))
        return _run_cached(name, frozen, data_version(), str(config.db_path()))
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


@kept(max_entries=512, ttl=600)
def _derived(fingerprint: str, _fn, _args: tuple, _kwargs: dict):
    return _fn(*_args, **_kwargs)


class _ArrowDigests:
    """Digests of Arrow arrays kept by identity: an Arrow array never changes, so the digest of
    one seen before (a kept query result handed out again, a column shared by a frame derived
    from it) is looked up instead of hashing its buffers again. The array is held with its
    digest, so its id cannot be reused while the entry lives (least recently used leave)."""

    def __init__(self, size: int = 4096) -> None:
        import threading
        from collections import OrderedDict

        self._d: OrderedDict[int, tuple[Any, bytes]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, arr) -> bytes:
        key = id(arr)
        with self._lock:
            hit = self._d.get(key)
            if hit is not None and hit[0] is arr:
                self._d.move_to_end(key)
                return hit[1]
        h = hashlib.blake2b(digest_size=16)
        for chunk in arr.chunks:
            h.update(f"{chunk.type}|{chunk.offset}|{len(chunk)}|".encode())
            for buf in chunk.buffers():
                h.update(b"-" if buf is None else memoryview(buf))
        d = h.digest()
        with self._lock:
            self._d[key] = (arr, d)
            while len(self._d) > self._size:
                self._d.popitem(last=False)
        return d


_ARROW_DIGESTS = _ArrowDigests()


def _digest_values(h, values) -> None:
    """Feed a column's (or an index's) values to ``h`` without copying them where it can:
    Arrow-backed columns by their buffers (type, offset and length say how they are read; the
    digest of an Arrow array seen before is looked up, ``_ArrowDigests``), numpy numbers by
    their bytes, anything else pickled."""
    import numpy as np

    pa_arr = getattr(values, "_pa_array", None)
    if pa_arr is not None:
        # the pandas type too: 'str' and 'string' share Arrow's type, not their missing value
        h.update(f"{type(values).__name__}|{getattr(values.dtype, 'na_value', '')!r}|".encode())
        h.update(_ARROW_DIGESTS.get(pa_arr))
        return
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufcmM":
        h.update(values.dtype.str.encode())
        h.update(np.ascontiguousarray(values).view(np.uint8).data)
        return
    h.update(pickle.dumps(values, protocol=5))


def _column_values(arr):
    """What ``_digest_values`` reads of a column's array (``DataFrame._iter_column_arrays``):
    Arrow-backed arrays as they are; numpy-backed ones (numbers, datetimes) as their ndarray;
    any other extension array (nullable integers, categories) as ``to_numpy()`` would give it."""
    import numpy as np

    if isinstance(arr, np.ndarray) or hasattr(arr, "_pa_array"):
        return arr
    if isinstance(arr, (pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray, pd.arrays.NumpyExtensionArray)):
        return arr._ndarray  # the unit and time zone are in the frame's dtypes (digested too)
    return arr.to_numpy()


def _frame_digest(df: pd.DataFrame) -> str:
    h = hashlib.blake2b(digest_size=16)
    # the columns' arrays, without a Series made for each (that was most of the time: 25-30 us
    # a column, a 37-column table 1 ms on every rerun); their dtypes by name (a category's by its
    # categories and order too) read from the arrays: DataFrame.dtypes builds a Series, more than
    # half of the digest's time in a py-spy profile of Spend overview's reruns
    arrays = list(df._iter_column_arrays())
    types = [repr(a.dtype) if isinstance(a.dtype, pd.CategoricalDtype) else str(a.dtype) for a in arrays]
    h.update(pickle.dumps((df.shape, df.attrs, types), protocol=5))
    cols = df.columns
    h.update(f"{type(cols).__name__}|{cols.nlevels}|".encode())
    h.update(pickle.dumps(cols.names, protocol=5))
    _digest_values(h, cols.array if cols.nlevels == 1 else cols.to_numpy())
    if isinstance(df.index, pd.RangeIndex):
        h.update(repr((df.index.start, df.index.stop, df.index.step, df.index.name)).encode())
    else:
        h.update(pickle.dumps(df.index.names, protocol=5))
        _digest_values(h, df.index.array if df.index.nlevels == 1 else df.index.to_numpy())
    for arr in arrays:
        _digest_values(h, _column_values(arr))
    return h.hexdigest()


class _DigestPickler(pickle.Pickler):
    """Pickles a frame (or series) as a digest of its values: pickling text columns of pandas
    3 (Arrow strings) copies them, 10 ms a map page's worth of frames on every rerun."""

    def reducer_override(self, obj):
        if isinstance(obj, pd.DataFrame):
            return str, ("DataFrame:" + _frame_digest(obj),)
        if isinstance(obj, pd.Series):
            return str, ("Series:" + _frame_digest(obj.to_frame(name=0)) + repr(obj.name),)
        return NotImplemented


def _fingerprint(fn, args: tuple, kwargs: dict) -> str | None:
    """A digest of the function's name and its inputs (frames by the digest of their values:
    identical values, identical key; so a new import or another view is a new entry), or None
    when an input cannot be pickled. Streamlit's own hashing of a 46-row frame takes about 100x
    as long as pickling it (23 ms against 0.2 ms, measured on the demo's spend_indicators),
    which would cost what the cache saves."""
    import io

    buf = io.BytesIO()
    try:
        _DigestPickler(buf, protocol=5).dump((fn.__module__, fn.__qualname__, args, sorted(kwargs.items())))
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return hashlib.blake2b(buf.getbuffer(), digest_size=16).hexdigest()


def derived(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` (a function of the engine: cwb.tables, cwb.catalogue,
    cwb.export), cached on its inputs (see ``_fingerprint``): a page rerun that shows the same
    view reuses the shaped table or the CSV bytes. On the home page shaping its tables with
    pandas was 60-70% of a warm run (issue 15). Frames are kept unpickled (``_FrameStore``);
    inputs that cannot be pickled are computed every time."""
    fp = _fingerprint(fn, args, kwargs)
    if fp is None:
        return fn(*args, **kwargs)
    return _derived(fp, fn, args, kwargs)


def shaped(fn, *args, **kwargs):
    """``derived(fn, ...)`` inside a page run; outside one (a download made on click) computed
    directly and not kept. For the ``full`` rows of a table (``show.table``): a list of up to
    ``EAGER_ROWS`` is read and shaped on every run of its page, the same view each time."""
    if in_page_run():
        return derived(fn, *args, **kwargs)
    return fn(*args, **kwargs)


class _FigureStore:
    """Built figures kept in this process by fingerprint (least recently used leave first)."""

    def __init__(self, size: int = 128) -> None:
        import threading
        from collections import OrderedDict

        self._figs: OrderedDict[str, Any] = OrderedDict()
        self._keys: dict[int, str] = {}  # id(figure) -> fingerprint, for show.chart
        self._size = size
        self._lock = threading.Lock()

    def get(self, fp: str):
        with self._lock:
            fig = self._figs.get(fp)
            if fig is not None:
                self._figs.move_to_end(fp)
            return fig

    def put(self, fp: str, fig) -> None:
        with self._lock:
            self._figs[fp] = fig
            self._keys[id(fig)] = fp
            while len(self._figs) > self._size:
                _, old = self._figs.popitem(last=False)
                self._keys.pop(id(old), None)

    def clear(self) -> None:
        with self._lock:
            self._figs.clear()
            self._keys.clear()

    def key(self, fig) -> str | None:
        with self._lock:
            fp = self._keys.get(id(fig))
            return fp if fp is not None and self._figs.get(fp) is fig else None


_FIGURES = _FigureStore()


def figure(fn, *args, **kwargs):
    """A chart built by ``fn(*args, **kwargs)`` (a cwb.charts function), cached on its inputs
    and kept built in this process: plotly's object model takes 30-60 ms for a 20-trace figure
    (seconds for a 20-panel one), and rebuilding a pickled copy costs nearly as much. The figure
    is shared: give it to ``show.chart`` (which draws its cached screen version) or to the
    downloads as it is; change a copy (``go.Figure(fig)``), never the figure itself."""
    fp = _fingerprint(fn, args, kwargs)
    if fp is None:
        return fn(*args, **kwargs)
    fig = _FIGURES.get(fp)
    if fig is None:
        fig = fn(*args, **kwargs)
        _FIGURES.put(fp, fig)
    return fig


def figure_key(fig) -> str | None:
    """The fingerprint of a figure made by ``figure`` (None for any other figure)."""
    return _FIGURES.key(fig)


def clear() -> None:
    """Drop every cached result (after an import) and move the data version on.
    Built figures go too (they are keyed on their inputs, so none would be stale; dropped so
    that a cleared cache means a cold page, as the benchmarks measure)."""
    from cwb.ui import show

    _GENERATION[0] += 1
    st.cache_data.clear()
    _FIGURES.clear()
    show.clear_charts()


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


@kept(max_entries=64)
def _shapes(level: str, codes: tuple | None, cache_dir: str) -> pd.DataFrame:
    from cwb.reference import geography

    return _for_screen(geography.shapes(level, list(codes) if codes is not None else None), level)


def shapes(level: str, codes: list[str] | None = None) -> pd.DataFrame:
    """Boundaries (WKB) of a level, cached per process."""
    return _shapes(level, tuple(sorted(codes)) if codes is not None else None, str(config.reference_cache()))


@kept(max_entries=4)
def lsoa_index(cache_dir: str = "") -> pd.DataFrame:
    """LSOA 2011 -> MSOA 2011 -> LAD (2022) lookup of the boundary file (no geometry)."""
    from cwb.reference import geography

    return geography.shapes("lsoa11")[["area_code", "msoa11", "lad22"]]
