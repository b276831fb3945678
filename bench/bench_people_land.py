"""Query time of the workforce and land pages at the benchmark size (demo scale 10, about 1.2M
payments), with IMD 2019 loaded when ../shared has it.

The real page code runs in Streamlit's AppTest; the result cache is cleared before each run and
every call to cwb.db.run is timed. The disclosure-control step (cwb.privacy on the indicator
table and the map areas) is timed on its own. Printed per view: the median of the page's summed
query time over the runs, its slowest query (median) and the privacy step's median.

Workforce and land volumes do not grow with the payments: they are fixed by the anchors (7
anchors x 6 years of staff counts by LSOA, about 23,000 rows; 358 sites x 6 years of status).
The payment volume matters only because the pages share the database and its frame queries.

    python bench/bench_people_land.py [--runs 7] [--scale 10] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
IMD_FILE = ROOT.parent / "shared" / "reference" / "imd2019_england_lsoa11.csv"

VIEWS = [
    ("Workforce: network, MSOA map", "pages/6_Workforce.py", {}, []),
    ("Workforce: network, LSOA map", "pages/6_Workforce.py", {"wlvl": "lsoa11"}, []),
    (
        "Workforce: one anchor, LSOA map, B5",
        "pages/6_Workforce.py",
        {"a": "DEMO-NHS", "wlvl": "lsoa11", "wind": "B5"},
        [],
    ),
    ("Land: network", "pages/7_Land_and_property.py", {}, []),
    (
        "Land: network, IMD layer, by use",
        "pages/7_Land_and_property.py",
        {"ldim": "use_type"},
        [
            lambda at: at.toggle(key="land_imd").set_value(True),
            lambda at: at.radio(key="land_colour").set_value("use"),
        ],
    ),
    (
        "Land: one anchor, leasehold",
        "pages/7_Land_and_property.py",
        {"a": "DEMO-CC"},
        [lambda at: at.multiselect(key="land_tenure").set_value(["Leasehold"])],
    ),
]


def build_db(path: Path, scale: float) -> None:
    from cwb import build, db, demo
    from cwb.reference import imd

    t = time.perf_counter()
    con = build.open_database(path, log=lambda *a: None)
    demo.load_demo(con, scale=scale, log=lambda *a: None)
    if IMD_FILE.exists():
        imd.load_imd(con, IMD_FILE)
        build.refresh(con)
    con.execute("CHECKPOINT")
    n = con.execute("SELECT count(*) FROM payment").fetchone()[0]
    w = con.execute("SELECT count(*) FROM workforce_area").fetchone()[0]
    a = con.execute("SELECT count(*) FROM asset").fetchone()[0]
    y = con.execute("SELECT count(*) FROM asset_year").fetchone()[0]
    imd_on = con.execute("SELECT count(*) FROM ref_imd").fetchone()[0]
    db.close_all()
    print(
        f"database: {n:,} payments, {w:,} workforce rows, {a:,} sites ({y:,} site-years), "
        f"IMD rows {imd_on:,}; built in {time.perf_counter() - t:.1f} s"
    )


def measure(db_path: Path, runs: int) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from cwb import db, privacy

    os.environ["CWB_DB"] = str(db_path)
    calls: list[tuple[str, float]] = []
    priv: list[float] = []
    orig_run, orig_table, orig_areas = db.run, privacy.protect_table, privacy.protect_areas

    def timed(name, con=None, **params):
        t = time.perf_counter()
        try:
            return orig_run(name, con, **params)
        finally:
            calls.append((name, time.perf_counter() - t))

    def timed_priv(fn):
        def inner(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                priv.append(time.perf_counter() - t)

        return inner

    db.run = timed
    privacy.protect_table = timed_priv(orig_table)
    privacy.protect_areas = timed_priv(orig_areas)
    print(
        f"{'view':40s} {'queries':>7s} {'median ms':>10s} {'max ms':>8s}  {'slowest query (median ms)':34s} {'privacy ms':>10s}"
    )
    try:
        for label, page, params, actions in VIEWS:
            totals, per_query, ptimes, nq = [], defaultdict(list), [], 0
            for i in range(runs + 1):
                st.cache_data.clear()
                at = AppTest.from_file(str(ROOT / page), default_timeout=300)
                for k, v in params.items():
                    at.query_params[k] = v
                at.run()
                for act in actions:
                    act(at)
                    st.cache_data.clear()
                    calls.clear()
                    priv.clear()
                    at.run()
                if not actions:
                    st.cache_data.clear()
                    calls.clear()
                    priv.clear()
                    at.run()
                if at.exception:
                    raise RuntimeError(f"{label}: {at.exception[0].message}")
                if i == 0:
                    continue  # warm-up
                totals.append(sum(t for _, t in calls))
                ptimes.append(sum(priv))
                nq = len(calls)
                for name, t in calls:
                    per_query[name].append(t)
            slow = max(per_query.items(), key=lambda kv: statistics.median(kv[1]))
            print(
                f"{label:40s} {nq:7d} {1000 * statistics.median(totals):10.1f} {1000 * max(totals):8.1f}  "
                f"{slow[0] + ' ' + format(1000 * statistics.median(slow[1]), '.1f'):34s} "
                f"{1000 * statistics.median(ptimes):10.1f}"
            )
    finally:
        db.run, privacy.protect_table, privacy.protect_areas = orig_run, orig_table, orig_areas


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--scale", type=float, default=10.0)
    ap.add_argument("--db", help="use this existing database instead of building one")
    args = ap.parse_args()
    if args.db:
        path = Path(args.db)
    else:
        path = Path(tempfile.mkdtemp(prefix="cwb_bench_pl_")) / "bench.duckdb"
        build_db(path, args.scale)
    measure(path, args.runs)


if __name__ == "__main__":
    main()
