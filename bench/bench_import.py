"""Import speed: a messy 1,000,000-row payments CSV, read + cleaned + supplier-matched + committed +
enriched, against a plain pandas reader of the same file as the baseline (same process); and XLSX
reading speed, the previous reader (openpyxl, read-only) against the current one (python-calamine),
on the same generated workbook.

    python bench/bench_import.py [--rows 1000000] [--repeat 3] [--xlsx-rows 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_file(path: Path, rows: int, seed: int = 1) -> None:
    """Windows-1252, two junk lines before the header, mixed UK date formats, £ and thousands
    separators, bracketed and trailing-minus negatives, redacted payees, padding lines at the end."""
    rnd = random.Random(seed)
    names = [f"Supplier {i} {'Ltd' if i % 3 else 'Limited'}" for i in range(12000)] + [
        "REDACTED PERSONAL DATA"
    ]
    dates = ["{d:02d}/{m:02d}/2024", "{d:02d}-{mon}-24", "{d} {mon} 2024", "2024-{m:02d}-{d:02d}"]
    mons = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    with open(path, "w", encoding="cp1252", newline="") as f:
        f.write("Spend over \u00a3500,,,,\r\n,,,,\r\n")
        f.write("Date Paid,Net Amount(\u00a3),Supplier Name,Expenditure Category,Transaction Number\r\n")
        for i in range(rows):
            m, d = rnd.randint(1, 12), rnd.randint(1, 28)
            ds = rnd.choice(dates).format(d=d, m=m, mon=mons[m - 1])
            v = rnd.randint(500, 2_000_000) / 100
            r = rnd.random()
            amt = (
                f'"\u00a3{v:,.2f}"'
                if r < 0.3
                else (f"({v:.2f})" if r < 0.32 else (f"{v:.2f}-" if r < 0.34 else f"{v:.2f} "))
            )
            f.write(f"{ds},{amt},{rnd.choice(names)},Cat {i % 40},T{i}\r\n")
        f.write(",,,,\r\n" * 5000)


def pandas_baseline(path: Path) -> float:
    import pandas as pd

    t = time.perf_counter()
    df = pd.read_csv(path, encoding="cp1252", skiprows=2, dtype=str)
    df = df.dropna(how="all")
    amt = df["Net Amount(\u00a3)"].str.replace(r"[\u00a3, ]", "", regex=True)
    neg = amt.str.startswith("(") | amt.str.endswith("-")
    amt = pd.to_numeric(amt.str.strip("()-"), errors="coerce").where(~neg, lambda x: -x)
    pd.to_datetime(df["Date Paid"], format="mixed", dayfirst=True, errors="coerce")
    amt.sum()
    return time.perf_counter() - t


def cwb_import(path: Path, db_path: Path) -> tuple[float, dict]:
    from cwb import build, db
    from cwb.ingest import importer
    from cwb.ingest.stage import stage

    con = build.open_database(db_path, log=lambda *a: None)
    t = time.perf_counter()
    staged = stage(con, path, "payments", "A")
    t_read = time.perf_counter() - t
    assert staged.report.ok, staged.report.text()
    t2 = time.perf_counter()
    importer.commit(con, staged, refresh=False)
    t_commit = time.perf_counter() - t2
    t3 = time.perf_counter()
    build.refresh(con)
    t_refresh = time.perf_counter() - t3
    total = time.perf_counter() - t
    db.close_all()
    return total, {
        "read+clean+match": t_read,
        "commit": t_commit,
        "enrich+marts": t_refresh,
        "rows": staged.report.rows_ok,
    }


def make_xlsx(path: Path, rows: int, seed: int = 2) -> None:
    import datetime as dt

    from openpyxl import Workbook

    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Spend")
    ws.append(["Date", "Supplier Name", "Expense Type", "Transaction Number", "Amount"])
    for i in range(rows):
        ws.append(
            [
                dt.datetime(2024, rnd.randint(1, 12), rnd.randint(1, 28)),
                f"Supplier {rnd.randint(1, 9000)} Ltd",
                f"Cat {i % 40}",
                100000 + i,
                rnd.randint(500, 2_000_000) / 100,
            ]
        )
    wb.save(path)


def xlsx_openpyxl(path: Path) -> float:
    """The reader before: openpyxl read-only, every cell to text (as cwb did)."""
    from openpyxl import load_workbook

    t = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    n = 0
    for r in wb.worksheets[0].iter_rows(values_only=True):
        [("" if v is None else v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v)) for v in r]
        n += 1
    wb.close()
    return time.perf_counter() - t


def xlsx_calamine(path: Path) -> float:
    """The reader now: python-calamine, every sheet, every cell to text."""
    from cwb.ingest.readers import workbook_sheets

    t = time.perf_counter()
    workbook_sheets(path.read_bytes(), path.name)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    a = ap.parse_args()
    from cwb import build, db

    tmp = Path(tempfile.mkdtemp(prefix="cwb_bench_import_"))
    os.environ["CWB_ORIGINALS"] = str(tmp / "originals")
    try:
        f = tmp / "messy.csv"
        make_file(f, a.rows)
        base = tmp / "base.duckdb"
        con = build.open_database(base, log=lambda *x: None)
        con.execute(
            "INSERT INTO network VALUES ('N', 'Bench', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
        )
        con.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
        con.execute("CHECKPOINT")
        db.close_all()
        ours, base_t, parts = [], [], []
        for i in range(a.repeat):
            base_t.append(pandas_baseline(f))
            dbp = tmp / f"run{i}.duckdb"
            shutil.copy(base, dbp)
            t, p = cwb_import(f, dbp)
            ours.append(t)
            parts.append(p)
            shutil.rmtree(tmp / "originals", ignore_errors=True)
        print(
            f"import benchmark: {a.rows:,} messy payment rows ({f.stat().st_size / 1e6:.0f} MB), {a.repeat} runs, 2-core machine"
        )
        print(
            f"cwb import (read, clean, match suppliers, commit, enrich, marts): median {statistics.median(ours):.2f} s"
        )
        for k in ("read+clean+match", "commit", "enrich+marts"):
            print(f"  {k:18s} median {statistics.median(p[k] for p in parts):.2f} s")
        print(
            f"pandas baseline (read_csv + clean amounts and dates only): median {statistics.median(base_t):.2f} s"
        )
        print(f"ratio cwb / pandas baseline: {statistics.median(ours) / statistics.median(base_t):.2f}")
        print(f"target: under 10 s -> {'met' if statistics.median(ours) < 10 else 'NOT met'}")
        if a.xlsx_rows:
            x = tmp / "spend.xlsx"
            make_xlsx(x, a.xlsx_rows)
            before = [xlsx_openpyxl(x) for _ in range(a.repeat)]
            after = [xlsx_calamine(x) for _ in range(a.repeat)]
            b, c = statistics.median(before), statistics.median(after)
            print(
                f"XLSX reading, {a.xlsx_rows:,} rows ({x.stat().st_size / 1e6:.1f} MB): openpyxl (before) median {b:.2f} s; "
                f"python-calamine (now) median {c:.2f} s; ratio before / now {b / c:.1f}x"
            )
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
