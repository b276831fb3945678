"""Server-side query time of every page, at the demo's default size and at about 1 million payments.

Each page runs in Streamlit's AppTest (the real page code) several times with the result cache
cleared before each run; every call to cwb.db.run is timed. Printed per page: the number of
queries, the median and p95 of the page's summed query time, and its slowest query; then the
ratio of the 1M medians to the default-size medians (same process).

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
    import re

    return [ROOT / "dashboard.py"] + sorted((ROOT / "pages").glob("*.py"), key=lambda p: int(re.match(r"\d+", p.name).group()))


def measure(db_path: Path, runs: int) -> dict[str, dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from cwb import db

    os.environ["CWB_DB"] = str(db_path)
    calls: list[tuple[str, float]] = []
    orig = db.run

    def timed(name, con=None, **params):
        t = time.perf_counter()
        try:
            return orig(name, con, **params)
        finally:
            calls.append((name, time.perf_counter() - t))

    db.run = timed
    out = {}
    try:
        for page in pages():
            totals, per_query = [], defaultdict(list)
            for i in range(runs + 1):
                st.cache_data.clear()
                calls.clear()
                at = AppTest.from_file(str(page), default_timeout=300).run()
                if at.exception:
                    raise RuntimeError(f"{page.name}: {at.exception[0].message}")
                if i == 0:
                    continue  # warm-up: first run also loads boundaries and opens the file
                totals.append(sum(s for _, s in calls) * 1000)
                for n, s in calls:
                    per_query[n].append(s * 1000)
            slow = max(per_query.items(), key=lambda kv: statistics.median(kv[1])) if per_query else ("-", [0])
            out[page.name] = {"n": len(calls), "median": statistics.median(totals), "p95": sorted(totals)[int(0.95 * (len(totals) - 1))],
                              "slowest": (slow[0], statistics.median(slow[1]))}
    finally:
        db.run = orig
        db.close_all()
    return out


def main() -> int:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
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
        print(f"{'page':32s} {'queries':>7s} {'default ms':>11s} {'1M ms':>8s} {'1M p95':>8s} {'ratio':>6s}  slowest query at 1M")
        for page in results["default"]:
            d, b = results["default"][page], results["1M"][page]
            print(f"{page:32s} {b['n']:7d} {d['median']:11.1f} {b['median']:8.1f} {b['p95']:8.1f} "
                  f"{b['median'] / max(d['median'], 0.001):6.2f}  {b['slowest'][0]} ({b['slowest'][1]:.1f} ms)")
        worst = max(r["median"] for r in results["1M"].values())
        print(f"\nslowest page at 1M payments: {worst:.1f} ms -> target {'met' if worst < 100 else 'NOT met'}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
