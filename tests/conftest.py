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

    from cwb import db

    copy = demo_db.parent / f"copy_{os.getpid()}_{id(object())}.duckdb"
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
