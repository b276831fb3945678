"""Kill -9 during import: the database is always as before or as after, never half-written and
never with stale figures.

Each round copies a base database (one network, one anchor, one earlier file), starts
``python -m cwb import payments`` on a 20,000-row file, and kills it with SIGKILL at a random
moment between the start and the end of a normal run (measured first), so rounds land in
start-up, reading, supplier matching, the commit transaction and the mart refresh. The database
is then opened with plain DuckDB (no repair on open) and must be either exactly as before (same
files, payments and total) or exactly as after (one file more, its 20,000 payments), with the
spend mart agreeing with the payments in both cases.

``python bench/kill_import.py --rounds 20`` prints each round and the tally;
tests/test_safety_kill.py runs a few rounds in the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ROWS = 20000


def make_base(work: Path, rows: int = ROWS) -> tuple[Path, Path]:
    """The base database (with one small earlier import) and the big file to import."""
    from cwb import build, db
    from cwb.ingest import importer
    from cwb.ingest.stage import safe_stage

    os.environ["CWB_ORIGINALS"] = str(work / "originals")
    base = work / "base.duckdb"
    con = build.open_database(base, log=lambda *a: None)
    con.execute(
        "INSERT INTO network VALUES ('N', 'Test', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    con.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    first = work / "first.csv"
    first.write_text(
        "Payment Date,Amount,Supplier Name\n01/04/2024,100.00,ACME LTD\n02/04/2024,50.00,Beta Limited\n"
    )
    importer.commit(con, safe_stage(con, first, "payments", "A"))
    con.execute("CHECKPOINT")
    db.close_all()
    big = work / "big.csv"
    with open(big, "w") as out:
        out.write("Payment Date,Amount,Supplier Name,Category\n")
        for i in range(rows):
            out.write(
                f"{1 + i % 28:02d}/05/2024,{i % 997}.{i % 100:02d},Supplier {i % 700} Ltd,Cat {i % 13}\n"
            )
    return base, big


def state(path: Path) -> tuple:
    """(files, payments, payment total, mart payments, mart total) read with plain DuckDB."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        return tuple(
            con.execute(
                "SELECT (SELECT count(*) FROM source_file), (SELECT count(*) FROM payment), "
                "(SELECT coalesce(sum(amount_gbp), 0) FROM payment), (SELECT coalesce(sum(n_payments), 0) FROM mart_spend_supplier), "
                "(SELECT coalesce(sum(spend_gbp), 0) FROM mart_spend_supplier)"
            ).fetchall()[0]
        )
    finally:
        con.close()


def _start(db_path: Path, big: Path, work: Path) -> subprocess.Popen:
    env = {**os.environ, "CWB_DB": str(db_path), "CWB_ORIGINALS": str(work / "originals")}
    env.pop("CWB_TEST_PAUSE_BEFORE_COMMIT", None)
    return subprocess.Popen(
        [sys.executable, "-m", "cwb", "import", "payments", str(big), "--anchor", "A"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def full_run_seconds(base: Path, big: Path, work: Path) -> tuple[float, tuple]:
    p = work / "full.duckdb"
    shutil.copy(base, p)
    t = time.perf_counter()
    proc = _start(p, big, work)
    assert proc.wait(timeout=900) == 0, "the import itself failed"
    return time.perf_counter() - t, state(p)


def one_round(base: Path, big: Path, work: Path, at: float, before: tuple, after: tuple) -> str:
    p = work / "round.duckdb"
    for f in work.glob("round.duckdb*"):
        f.unlink()
    shutil.copy(base, p)
    proc = _start(p, big, work)
    time.sleep(at)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    s = state(p)
    if s == before:
        return "before"
    if s == after:
        return "after"
    return f"BROKEN {s} (before {before}, after {after}){' (had finished)' if finished else ''}"


def run(rounds: int, seed: int = 7, log=print, rows: int = ROWS) -> dict:
    rnd = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="cwb_kill_"))
    try:
        base, big = make_base(work, rows)
        before = state(base)
        secs, after = full_run_seconds(base, big, work)
        assert (
            after[:2] == (before[0] + 1, before[1] + rows) and after[1] == after[3] and after[2] == after[4]
        ), after
        log(f"full import of {rows:,} payments: {secs:.1f} s; before {before[:3]}, after {after[:3]}")
        out = {"before": 0, "after": 0, "broken": [], "seconds": secs}
        for i in range(rounds):
            # half the rounds anywhere, half in the last 40 % (supplier matching, commit, mart refresh)
            at = rnd.uniform(0.2, secs) if i % 2 == 0 else rnd.uniform(0.6 * secs, secs)
            res = one_round(base, big, work, at, before, after)
            log(f"  round {i + 1:2d}: kill -9 at {at:5.1f} s -> {res}")
            if res in ("before", "after"):
                out[res] += 1
            else:
                out["broken"].append(res)
        return out
    finally:
        from cwb import db

        db.close_all()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    os.environ.setdefault("CWB_REFERENCE_CACHE", str(ROOT / "data" / "reference_cache"))
    out = run(a.rounds, a.seed)
    print(
        f"kill -9 during import: {a.rounds} rounds: {out['before']} left the database as before, {out['after']} as after, "
        f"{len(out['broken'])} broken or stale"
    )
    return 1 if out["broken"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
