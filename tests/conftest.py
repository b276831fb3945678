"""Shared fixtures: a real DuckDB file with the demo network on real geography.

The reference geography cache is built from the installed packages on first use (about 20 s)
into CWB_REFERENCE_CACHE (default data/reference_cache) and reused afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared (real sample and reference files) is not present on this machine"
)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (real sample and reference files) is not present on this machine")
    return SHARED


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """Path of a database file holding the demo network (scale 0.3, about 35,000 payments)."""
    from cwb import build, db, demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = build.open_database(path, log=lambda *a: None)
    demo.load_demo(con, scale=0.3, log=lambda *a: None)
    con.execute("CHECKPOINT")
    db.close_all()
    return path


@pytest.fixture()
def demo_con(demo_db):
    """Connection to a fresh copy of the demo database (tests may write to it)."""
    import shutil
    import uuid

    from cwb import db

    # a new name every time: id(object()) was often the same address again, so a later test's
    # copy could take the path (and the dashboard's cached connection) of an earlier one
    copy = demo_db.parent / f"copy_{os.getpid()}_{uuid.uuid4().hex}.duckdb"
    shutil.copy(demo_db, copy)
    con = db.connect(copy)
    yield con
    db.close_all()
    copy.unlink(missing_ok=True)


@pytest.fixture()
def app_env(demo_db, monkeypatch, tmp_path):
    """Point the app at a private copy of the demo database (for AppTest)."""
    import shutil

    from cwb import db

    copy = tmp_path / "app.duckdb"
    shutil.copy(demo_db, copy)
    monkeypatch.setenv("CWB_DB", str(copy))
    db.close_all()
    yield copy
    db.close_all()
    for f in (copy, copy.with_name(copy.name + ".wal")):  # 90 MB a test: a run kept tens of GB in /tmp
        f.unlink(missing_ok=True)


# -- real browser and server (tests/browser_util.py) ---------------------------------------------
@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (never downloaded). Not per
    session: while Playwright's sync API is open, an asyncio loop runs on the main thread and
    ``asyncio.run`` fails there (AppTest and export tests of the same process would break)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_util import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(demo_db, tmp_path_factory):
    """`streamlit run dashboard.py` on loopback, serving a private copy of the demo database,
    one per test process (a server start and its cold caches cost 10-30 s a module on 2 cores).
    Tests on it only view pages; a test that writes, or needs other data, starts its own."""
    import shutil

    from tests.browser_util import streamlit_server

    path = tmp_path_factory.mktemp("served") / "served.duckdb"
    shutil.copy(demo_db, path)
    with streamlit_server(path) as url:
        yield url


# -- a small empty network for import tests -------------------------------------------------------
def small_network_db(path: Path, anchors: list[tuple[str, str, str, str | None]]) -> Path:
    """A database file with network N (local area Preston, E07000123) and the given anchors
    (id, name, type, postcode), and nothing imported yet."""
    from cwb import build, db

    c = build.open_database(path, log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'Test', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    for a_id, name, kind, postcode in anchors:
        c.execute("INSERT INTO anchor VALUES (?, ?, ?, ?, 'N', NULL, false)", [a_id, name, kind, postcode])
    c.execute("CHECKPOINT")
    db.close_all()
    return path


@pytest.fixture()
def copy_con_of(tmp_path, monkeypatch):
    """``copy_con_of(path)``: a connection to a private copy of a database file, with the
    originals folder in the test's temporary directory."""
    import shutil

    from cwb import db

    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))

    def make(base: Path):
        p = tmp_path / "t.duckdb"
        shutil.copy(base, p)
        return db.connect(p)

    yield make
    db.close_all()
    (tmp_path / "t.duckdb").unlink(missing_ok=True)


def q(con, sql: str, params=None) -> list[tuple]:
    """Rows of one query on a cursor of ``con`` (closed afterwards)."""
    cur = con.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


# -- the order files are handed to the workers -------------------------------------------------------
# With `--dist loadfile` a worker runs one file at a time; xdist's default order (files with the
# most tests first) left the slow browser files, which have few tests each, for the end of the
# run, where one worker ran them while the other had finished. Files are handed out slowest first
# instead (longest-processing-time-first keeps the workers' totals close), with
# `--no-loadscope-reorder` in pyproject.toml. Seconds from `--durations=150` of a full run on 2
# cores at load 8-12 (2026-12-02, rounded; the interaction files after their rebalancing); files
# not listed (each under ~25 s) follow in collection order.
FILE_SECONDS = {
    "test_interaction_more.py": 380,
    "test_interaction_q3.py": 380,
    "test_interaction_q4.py": 390,
    "test_interaction.py": 390,
    "test_browser_sweep.py": 360,
    "test_maps_browser.py": 240,
    "test_browser.py": 180,
    "test_a11y.py": 230,
    "test_ingest_real.py": 170,
    "test_ingest_robust.py": 260,
    "test_registers.py": 120,
    "test_registers_browser.py": 110,
    "test_workforce.py": 85,
    "test_land.py": 80,
    "test_demo.py": 75,
    "test_contracts.py": 70,
    "test_ingest_formats.py": 65,
    "test_privacy_sweep.py": 60,
    "test_ingest_undo.py": 60,
    "test_safety_fuzz.py": 60,
    "test_access.py": 60,
    "test_polish.py": 55,
    "test_safety_kill.py": 55,
    "test_hostile_browser.py": 50,
    "test_safety_access.py": 45,
    "test_perf.py": 45,
    "test_browser_help.py": 45,
    "test_pack_present.py": 40,
    "test_docs.py": 40,
    "test_ingest_kinds.py": 40,
    "test_engine.py": 40,
    "test_click_sidebar.py": 40,
    "test_native_nav.py": 90,
}


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: -FILE_SECONDS.get(item.path.name, 0))  # stable: the rest keep their order
