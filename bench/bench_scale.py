"""Beyond one machine: loading payments, enrichment and marts at growing sizes with DuckDB's
memory_limit capped (out of core: DuckDB spills to its temp folder), to measure the growth and
extrapolate to 30M and 100M payments.

From the network-scale database (bench/network_data.py) the first N payments (and everything
they refer to) are copied into a fresh database file for each N; timed there with
``SET memory_limit`` and 2 threads: the bulk load of the N payments (the importer's commit
step) and the enrichment and marts (cwb.build.refresh, what every import re-runs). The CSV
reading and cleaning of the importer is measured by bench/bench_import.py (1M rows); its
per-row cost is taken from there for the extrapolation.

    python bench/bench_scale.py [--sizes 2500000,5000000,10000000] [--memory-limit 2GB]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COPY = [
    "network",
    "anchor",
    "supplier",
    "workforce_area",
    "workforce_anchor",
    "asset",
    "asset_year",
    "target",
    "network_event",
]


def one(src: Path, n: int, tmp: Path, mem: str) -> dict:
    from cwb import build, db

    path = tmp / f"scale_{n}.duckdb"
    con = build.open_database(path, log=lambda *a: None)
    con.execute(f"SET memory_limit = '{mem}'")
    con.execute("SET threads = 2")
    con.execute(f"SET temp_directory = '{(tmp / 'spill').as_posix()}'")
    con.execute(f"ATTACH '{src.as_posix()}' AS src (READ_ONLY)")
    for t in COPY:
        con.execute(f"INSERT INTO {t} SELECT * FROM src.{t}")
    t0 = time.perf_counter()
    con.execute(f"INSERT INTO payment SELECT * FROM src.payment LIMIT {n}")
    con.execute("CHECKPOINT")
    load = time.perf_counter() - t0
    con.execute("DETACH src")
    marts = build.refresh(con)
    con.execute("CHECKPOINT")
    size = path.stat().st_size / 1e6
    rows = con.execute("SELECT count(*) FROM payment").fetchone()[0]
    spill = sum(f.stat().st_size for f in (tmp / "spill").glob("*")) / 1e6 if (tmp / "spill").is_dir() else 0
    db.close_all()
    path.unlink()
    return {"n": rows, "load": load, "marts": marts, "file_mb": size, "spill_mb": spill}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, default=ROOT / "data" / "bench_10M.duckdb")
    ap.add_argument("--sizes", default="2500000,5000000,10000000")
    ap.add_argument("--memory-limit", default="2GB")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cwb_bench_scale_", dir=ROOT / "data"))
    try:
        res = []
        for n in a.sizes.split(","):
            try:
                res.append(one(a.src, int(n), tmp, a.memory_limit))
                print(f"{int(n):,} payments: {res[-1]}", flush=True)
            except Exception as e:  # noqa: BLE001 - out of memory is a result here, not a crash
                print(
                    f"{int(n):,} payments: FAILED with memory_limit {a.memory_limit}: {str(e)[:300]}",
                    flush=True,
                )
                break
            finally:
                from cwb import db

                db.close_all()
        if len(res) < 2:
            return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"load and marts with memory_limit {a.memory_limit}, 2 threads (out of core), 20 anchors, 200,000 suppliers"
    )
    print(f"{'payments':>12s} {'load s':>8s} {'marts s':>8s} {'us/row':>7s} {'file MB':>8s}")
    for r in res:
        print(
            f"{r['n']:12,d} {r['load']:8.1f} {r['marts']:8.1f} {1e6 * (r['load'] + r['marts']) / r['n']:7.2f} {r['file_mb']:8.0f}"
        )
    a0, a1 = res[0], res[-1]
    slope = ((a1["load"] + a1["marts"]) - (a0["load"] + a0["marts"])) / max(a1["n"] - a0["n"], 1)
    base = (a1["load"] + a1["marts"]) - slope * a1["n"]
    mb_per_row = (a1["file_mb"] - a0["file_mb"]) / max(a1["n"] - a0["n"], 1)
    for target in (30_000_000, 100_000_000):
        print(
            f"extrapolated (linear in the measured growth) to {target / 1e6:.0f}M payments: load + marts "
            f"{base + slope * target:.0f} s, file {a1['file_mb'] + mb_per_row * (target - a1['n']):,.0f} MB"
        )
    print(
        f"peak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
        f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
