"""Build (or reuse) a network-scale demo database for the benchmarks.

    python bench/network_data.py [--payments 10000000] [--anchors 20] [--suppliers 200000] [--out PATH]

Payments are generated and inserted one anchor-year at a time (cwb.demo.load_demo), so memory
stays flat. A database already built with the same parameters is reused (the parameters are
recorded in build_meta), which saves minutes per benchmark run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# payments per unit of demo scale with the seven-anchor mix (anchors joining late and the
# demo's two-month gap remove about 2.6%)
PER_SCALE = 120_000 * 0.974


def scale_for(payments: int) -> float:
    return round(payments / PER_SCALE, 3)


def ensure(path: Path, payments: int, anchors: int, suppliers: int, log=print) -> dict:
    """Return the build record of ``path``, building the database first if needed."""
    from cwb import build, db, demo

    want = {
        "payments_target": payments,
        "anchors": anchors,
        "suppliers": suppliers,
        "seed": 20240401,
        "build_hash": build.build_hash(),
    }
    if path.exists():
        con = build.open_database(path, log=lambda *a: None)
        row = con.execute("SELECT value FROM build_meta WHERE key = 'bench_network'").fetchone()
        if row is not None:
            rec = json.loads(row[0])
            if all(rec.get(k) == v for k, v in want.items() if k != "build_hash"):
                db.close_all()
                return rec
        db.close_all()
        path.unlink()
    t = time.perf_counter()
    con = build.open_database(path, log=lambda *a: None)
    timings = demo.load_demo(
        con, scale=scale_for(payments), anchors=anchors, suppliers=suppliers, seed=want["seed"], log=log
    )
    con.execute("CHECKPOINT")
    rec = {
        **want,
        **timings,
        "seconds": time.perf_counter() - t,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "file_mb": path.stat().st_size / 1e6,
    }
    con.execute("INSERT OR REPLACE INTO build_meta VALUES ('bench_network', ?)", [json.dumps(rec)])
    con.execute("CHECKPOINT")
    db.close_all()
    return rec


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=10_000_000)
    ap.add_argument("--anchors", type=int, default=20)
    ap.add_argument("--suppliers", type=int, default=200_000)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    out = a.out or ROOT / "data" / f"bench_{a.payments // 1_000_000}M.duckdb"
    os.environ.setdefault("CWB_REFERENCE_CACHE", str(ROOT / "data" / "reference_cache"))
    rec = ensure(out, a.payments, a.anchors, a.suppliers)
    print(json.dumps(rec, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
