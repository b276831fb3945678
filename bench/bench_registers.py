"""Registers: load time and peak memory of a Companies House file in the official layout
(5.5 million companies by default), and matching time for N distinct payees against it, with
precision / recall on the labelled payees.

    nice -n 19 python -m bench.bench_registers [--companies 5500000] [--payees 50000]

Prints figures; never asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Sampler(threading.Thread):
    """Samples this process's resident memory (DuckDB's allocations included)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.stop = 0.0, False

    def run(self):
        while not self.stop:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmRSS"):
                        self.peak = max(self.peak, int(line.split()[1]) / 1024)
            time.sleep(0.2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", type=int, default=5_500_000)
    ap.add_argument("--payees", type=int, default=50_000)
    ap.add_argument("--dir", default=None)
    a = ap.parse_args()
    os.environ.setdefault("CWB_REFERENCE_CACHE", str(ROOT / "data" / "reference_cache"))
    import make_registers
    import pandas as pd

    from cwb import build, db
    from cwb.registers import load, match

    work = Path(a.dir or tempfile.mkdtemp(prefix="bench_registers_"))
    work.mkdir(parents=True, exist_ok=True)
    f = work / f"BasicCompanyData-2025-11-01-bench-{a.companies}.zip"
    if not f.is_file():
        t = time.perf_counter()
        make_registers.generate_companies(f, a.companies)
        print(
            f"generated {a.companies:,} companies in {time.perf_counter() - t:.0f} s ({f.stat().st_size / 1e6:.0f} MB zipped)"
        )
    con = build.open_database(work / "bench.duckdb", log=lambda m: None)
    cur = con.cursor()
    cur.execute("SET memory_limit = '1500MB'")
    s = Sampler()
    s.start()
    t, c0 = time.perf_counter(), cpu_s()
    rep = load.load(con, "companies", [f], log=lambda m: None)
    load_s, load_cpu = time.perf_counter() - t, cpu_s() - c0
    s.stop = True
    print(
        f"register load: {rep.rows_loaded:,} companies in {load_s:.1f} s "
        f"({rep.rows_loaded / load_s:,.0f} rows/s); peak resident memory {max(s.peak, peak_rss_mb()):,.0f} MB "
        f"(target < 180 s, < 2,048 MB); CPU time {load_cpu:.0f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    # payees: the labelled ones, names from the register (exact and with typos), and unknown names
    import random

    rng = random.Random(3)
    names = [
        r[0] for r in cur.execute(f"SELECT name FROM reg_entity USING SAMPLE {a.payees // 2} ROWS").fetchall()
    ]
    typo = [n[:5] + n[6:] if len(n) > 12 else n for n in names[: len(names) // 4]]
    unknown = [
        make_registers.synthetic_name(rng, i).replace("LIMITED", "SERVICES")
        for i in range(a.payees - len(names) - len(typo))
    ]
    from tests import registers_util as ru

    lab = ru.labelled()["payee"].tolist()
    payees = list(dict.fromkeys(lab + names + typo + unknown))[: a.payees]
    from cwb.ingest.names import normalise_name

    sup = pd.DataFrame(
        {
            "supplier_id": range(1, len(payees) + 1),
            "name": payees,
            "name_norm": [normalise_name(p) for p in payees],
        }
    )
    cur.register("_s", sup)
    cur.execute("DELETE FROM supplier")
    cur.execute(
        "INSERT INTO supplier (supplier_id, name, name_norm) SELECT supplier_id, name, name_norm FROM _s"
    )
    times, cpus = [], []
    for _ in range(3):
        t, c0 = time.perf_counter(), cpu_s()
        res = match.update(con, full=True)
        times.append(time.perf_counter() - t)
        cpus.append(cpu_s() - c0)
    times.sort()
    print(
        f"matching: {res['payees']:,} distinct payees against {rep.rows_loaded:,} companies: median {times[1]:.1f} s "
        f"(exact {res['seconds_exact']:.1f} s, blocking {res['seconds_blocking']:.1f} s, {res['fuzzy_pairs']:,} candidate pairs); "
        f"{res['auto']:,} automatic, {res['queued']:,} queued, {res['none']:,} none (target < 60 s); "
        f"CPU time median {sorted(cpus)[1]:.0f} s; load average {os.getloadavg()[0]:.1f}"
    )
    ev = ru.evaluate(con)
    print(
        f"labelled payees (companies only in this register): {ev['auto']} automatic, precision {ev['precision']:.3f}, "
        f"recall {ev['recall']:.3f} (councils / charities / mutuals are not loaded here)"
    )
    db.close_all()


if __name__ == "__main__":
    main()
