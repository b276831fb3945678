"""Build times: reference geography from the installed packages (into a fresh cache), the demo
network at the default size and at about 1 million payments, and the database sizes.

    python bench/bench_build.py [--big-scale 8.6]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big-scale", type=float, default=8.6)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cwb_bench_build_"))
    os.environ["CWB_REFERENCE_CACHE"] = str(tmp / "refcache")
    try:
        from cwb import build, db, demo
        from cwb.reference import geography

        t = time.perf_counter()
        steps = geography.build_cache(log=lambda *x: None)
        ref = time.perf_counter() - t
        print(
            f"reference geography from installed packages: {ref:.1f} s "
            + "("
            + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items())
            + ")"
        )
        for label, scale in (("default", 1.0), ("1M", a.big_scale)):
            path = tmp / f"{label}.duckdb"
            t = time.perf_counter()
            con = build.open_database(path, log=lambda *x: None)
            opened = time.perf_counter() - t
            timings = demo.load_demo(con, scale=scale, log=lambda *x: None)
            con.execute("CHECKPOINT")
            db.close_all()
            print(
                f"demo {label} (scale {scale}): {int(timings['payments']):,} payments; open + load reference "
                f"{opened:.1f} s, generate {timings['generate']:.1f} s, load {timings['load']:.1f} s, "
                f"enrich and marts {timings['enrich_and_marts']:.1f} s; file {path.stat().st_size / 1e6:.0f} MB"
            )
        print(
            f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "(other work on the machine inflates every figure)"
        )
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
