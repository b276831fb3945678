"""Server-side query time of every page, at the demo's default size and at about 1 million payments.

Each page runs in Streamlit's AppTest (the real page code) several times with the result cache
cleared before each run; every call to cwb.db.run is timed, and so is the small data-version
query that cwb.ui.data.query() makes before each lookup (the cache key). Printed per page: the
number of queries, the median and p95 of the page's summed query time, its slowest query, the
whole page run time, and the ratio of the 1M medians to the default-size medians (same process).
The first run of each page is a warm-up (it opens the file and reads the boundary files).

    python bench/bench_pages.py [--runs 5] [--big-scale 8.6]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pages() -> list[Path]:
    """dashboard.py, then pages/*.py in Streamlit's own order."""
    from streamlit.source_util import page_sort_key

    return [ROOT / "dashboard.py"] + sorted((ROOT / "pages").glob("*.py"), key=page_sort_key)


def measure(db_path: Path, runs: int) -> dict[str, dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from cwb import db
    from cwb.ui import data

    os.environ["CWB_DB"] = str(db_path)
    calls: list[tuple[str, float]] = []
    orig, orig_version = db.run, data.data_version

    def timed(name, con=None, **params):
        t = time.perf_counter()
        try:
            return orig(name, con, **params)
        finally:
            calls.append((name, time.perf_counter() - t))

    def timed_version():  # the cache key query every data.query() makes (not cached itself)
        t = time.perf_counter()
        try:
            return orig_version()
        finally:
            calls.append(("data_version", time.perf_counter() - t))

    db.run, data.data_version = timed, timed_version
    out = {}
    try:
        for page in pages():
            totals, walls, keys, per_query = [], [], [], defaultdict(list)
            for i in range(runs + 1):
                st.cache_data.clear()
                calls.clear()
                t0 = time.perf_counter()
                at = AppTest.from_file(str(page), default_timeout=300).run()
                wall = time.perf_counter() - t0
                if at.exception:
                    raise RuntimeError(f"{page.name}: {at.exception[0].message}")
                if i == 0:
                    continue  # warm-up: first run also loads boundaries and opens the file
                totals.append(sum(s for _, s in calls) * 1000)
                walls.append(wall * 1000)
                keys.append(sum(s for n, s in calls if n == "data_version") * 1000)
                for n, s in calls:
                    per_query[n].append(s * 1000)
            slow = max(per_query.items(), key=lambda kv: statistics.median(kv[1])) if per_query else ("-", [0])
            out[page.name] = {"n": len(calls), "median": statistics.median(totals),
                              "p95": sorted(totals)[round(0.95 * (len(totals) - 1))],
                              "slowest": (slow[0], statistics.median(slow[1])), "wall": statistics.median(walls),
                              "keys": statistics.median(keys)}
    finally:
        db.run, data.data_version = orig, orig_version
        db.close_all()
    return out


def main() -> int:
    import logging

    logging.disable(logging.WARNING)  # AppTest without a server warns "no runtime" on every run
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big-scale", type=float, default=8.6)
    a = ap.parse_args()
    from cwb import build, db, demo

    tmp = Path(tempfile.mkdtemp(prefix="cwb_bench_pages_"))
    try:
        results = {}
        for label, scale in (("default", 1.0), ("1M", a.big_scale)):
            path = tmp / f"{label}.duckdb"
            con = build.open_database(path, log=lambda *x: None)
            t = demo.load_demo(con, scale=scale, log=lambda *x: None)
            con.execute("CHECKPOINT")
            db.close_all()
            print(f"demo {label}: {int(t['payments']):,} payments")
            results[label] = measure(path, a.runs)
        print(f"\nserver-side query time per page (median of {a.runs} runs, result cache cleared each run; target < 100 ms at 1M)")
        print(f"{'page':28s} {'queries':>7s} {'default ms':>10s} {'1M ms':>7s} {'1M p95':>7s} {'ratio':>6s} "
              f"{'of which key':>12s} {'1M run ms':>9s}  slowest query at 1M")
        for page in results["default"]:
            d, b = results["default"][page], results["1M"][page]
            print(f"{page:28s} {b['n']:7d} {d['median']:10.1f} {b['median']:7.1f} {b['p95']:7.1f} "
                  f"{b['median'] / max(d['median'], 0.001):6.2f} {b['keys']:12.1f} {b['wall']:9.0f}  {b['slowest'][0]} ({b['slowest'][1]:.1f} ms)")
        print("(queries: calls per page run at 1M, incl. the data_version cache-key query made by every data.query();"
              " ms: summed query time per page run; of which key: the data_version share at 1M;"
              " 1M run ms: whole AppTest page run incl. Python, charts and boundary files, median)")
        worst = max(r["median"] for r in results["1M"].values())
        print(f"\nslowest page at 1M payments: {worst:.1f} ms -> target {'met' if worst < 100 else 'NOT met'}")
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(other work on the machine inflates every figure)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
