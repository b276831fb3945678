"""Beyond one machine: loading payments, enrichment and marts at growing sizes with DuckDB's
memory_limit capped (out of core: DuckDB spills to its temp folder), to measure the growth and
extrapolate to 100M payments.

From a network-scale database (bench/network_data.py, or a bigger one made from it by
bench/scale_copy.py) the first N payments (and the anchors, suppliers and other tables) are
copied into a fresh database file for each N, each size in its own process (so its peak RSS
is its own); timed there with ``SET memory_limit`` and 2 threads: the bulk load of the N
payments (the importer's commit step) and the enrichment and marts (the steps of
cwb.build.refresh, what every import re-runs, run statement by statement so each statement's
time is printed and an out-of-memory error names its statement). The temp folder is polled
every 0.2 s for the largest spill. The CSV reading and cleaning of the importer is measured by
bench/bench_import.py (1M rows).

    python bench/bench_scale.py --src /work/bench_data/network_30M.duckdb \
        [--sizes 2500000,10000000,30000000] [--memory-limit 2GB]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
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


def _timed_refresh(con) -> tuple[float, list[tuple[float, str]]]:
    """What cwb.build.refresh does (no registers here: match.update is a no-op), one statement
    at a time, timed. Raises RuntimeError naming the statement that failed."""
    from cwb import build, db
    from cwb.registers import match

    t = time.perf_counter()
    match.update(con)
    c = con.cursor()
    times = []
    for step in db.build_steps():
        if step.name.startswith("00_"):
            continue
        for st in c.extract_statements(step.read_text()):
            lines = [ln for ln in st.query.strip().splitlines() if not ln.strip().startswith("--")]
            head = f"{step.stem}: " + " ".join(" ".join(lines).split())[:70]
            t1 = time.perf_counter()
            try:
                c.execute(st)
            except Exception as e:  # noqa: BLE001 - reported with the statement
                raise RuntimeError(f"{head} ... -> {str(e).splitlines()[0]}") from e
            times.append((time.perf_counter() - t1, head))
    build._record_marts_state(c, build._data_state(c))
    c.close()
    return time.perf_counter() - t, times


def _dir_mb(d: Path) -> float:
    try:
        return sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) / 1e6
    except OSError:  # a spill file removed while it was listed
        return 0.0


def one(src: Path, n: int, tmp: Path, mem: str) -> dict:
    from cwb import build, db

    path = tmp / f"scale_{n}.duckdb"
    spill = tmp / f"spill_{n}"
    peak = {"spill": 0.0}
    stop = threading.Event()

    def poll():
        while not stop.wait(0.2):
            peak["spill"] = max(peak["spill"], _dir_mb(spill))

    con = build.open_database(path, log=lambda *a: None)
    con.execute(f"SET memory_limit = '{mem}'")
    con.execute("SET threads = 2")
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    con.execute(f"ATTACH '{src.as_posix()}' AS src (READ_ONLY)")
    for t in COPY:
        con.execute(f"INSERT INTO {t} SELECT * FROM src.{t}")
    th = threading.Thread(target=poll, daemon=True)
    th.start()
    try:
        t0 = time.perf_counter()
        con.execute(f"INSERT INTO payment SELECT * FROM src.payment LIMIT {n}")
        con.execute("CHECKPOINT")
        load = time.perf_counter() - t0
        con.execute("DETACH src")
        spill_load = peak["spill"]
        marts, times = _timed_refresh(con)
        con.execute("CHECKPOINT")
    finally:
        stop.set()
        th.join()
    out = {
        "n": con.execute("SELECT count(*) FROM payment").fetchone()[0],
        "anchors": con.execute("SELECT count(DISTINCT anchor_id) FROM payment").fetchone()[0],
        "mart_rows": con.execute("SELECT count(*) FROM mart_spend_supplier").fetchone()[0],
        "net_rows": con.execute("SELECT count(*) FROM mart_network_supplier_year").fetchone()[0],
        "load": load,
        "marts": marts,
        "file_mb": path.stat().st_size / 1e6,
        "spill_load_mb": spill_load,
        "spill_mb": peak["spill"],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loadavg": os.getloadavg()[0],
        "slowest": sorted(times, reverse=True)[:5],
    }
    db.close_all()
    path.unlink()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, default=ROOT / "data" / "bench_10M.duckdb")
    ap.add_argument("--sizes", default="2500000,10000000,30000000")
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    ap.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        try:
            print("RESULT " + json.dumps(one(a.src, a.one, a.tmp, a.memory_limit)), flush=True)
        except Exception as e:  # noqa: BLE001 - out of memory is a result here, not a crash
            print("FAILED " + json.dumps({"error": str(e)[:400], "loadavg": os.getloadavg()[0]}), flush=True)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="cwb_bench_scale_", dir=a.src.parent))
    print(
        f"load and marts with memory_limit {a.memory_limit}, 2 threads (out of core), source {a.src.name}; "
        f"machine: {os.cpu_count()} cores, load average (1 min) at the start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    try:
        res = []
        for n in a.sizes.split(","):
            p = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--src",
                    str(a.src),
                    "--memory-limit",
                    a.memory_limit,
                    "--one",
                    n,
                    "--tmp",
                    str(tmp),
                ],
                capture_output=True,
                text=True,
            )
            line = next((ln for ln in p.stdout.splitlines() if ln.startswith(("RESULT ", "FAILED "))), None)
            if line is None or line.startswith("FAILED "):
                err = json.loads(line[7:])["error"] if line else (p.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{int(n):,} payments: FAILED with memory_limit {a.memory_limit}: {err}", flush=True)
                break
            r = json.loads(line[7:])
            res.append(r)
            print(
                f"{r['n']:,} payments done: load {r['load']:.1f} s, marts {r['marts']:.1f} s, "
                f"load average {r['loadavg']:.1f}; slowest statements: "
                + "; ".join(f"{s:.1f} s {h}" for s, h in r["slowest"][:3]),
                flush=True,
            )
        if len(res) < 2:
            return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{'payments':>12s} {'anchors':>7s} {'mart rows':>10s} {'load s':>7s} {'marts s':>8s} {'us/row':>7s} "
        f"{'file MB':>8s} {'RSS MB':>7s} {'spill MB':>8s} {'load avg':>8s}"
    )
    for r in res:
        print(
            f"{r['n']:12,d} {r['anchors']:7d} {r['mart_rows']:10,d} {r['load']:7.1f} {r['marts']:8.1f} "
            f"{1e6 * (r['load'] + r['marts']) / r['n']:7.2f} {r['file_mb']:8.0f} {r['rss_mb']:7.0f} "
            f"{r['spill_mb']:8.0f} {r['loadavg']:8.1f}"
        )
    print(
        "(mart rows: mart_spend_supplier, the anchor x year x supplier x category grain; RSS: peak of the "
        "process of that size; spill: largest temp folder seen, polled every 0.2 s; load avg: 1 min, at its end)"
    )
    for x, y in zip(res, res[1:]):
        rn = y["n"] / x["n"]
        print(
            f"growth {x['n'] / 1e6:g}M -> {y['n'] / 1e6:g}M payments (x{rn:.1f}): load x{y['load'] / x['load']:.1f}, "
            f"marts x{y['marts'] / x['marts']:.1f}, file x{y['file_mb'] / x['file_mb']:.1f}, "
            f"mart rows x{y['mart_rows'] / x['mart_rows']:.1f}"
        )
    a0, a1 = res[-2], res[-1]
    slope = ((a1["load"] + a1["marts"]) - (a0["load"] + a0["marts"])) / max(a1["n"] - a0["n"], 1)
    mb_per_row = (a1["file_mb"] - a0["file_mb"]) / max(a1["n"] - a0["n"], 1)
    for target in [t for t in (30_000_000, 100_000_000) if t > a1["n"] * 1.01]:  # beyond the sizes run
        print(
            f"extrapolated (linear in the last growth, at this load) to {target / 1e6:.0f}M payments: load + marts "
            f"{a1['load'] + a1['marts'] + slope * (target - a1['n']):.0f} s, "
            f"file {a1['file_mb'] + mb_per_row * (target - a1['n']):,.0f} MB"
        )
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
