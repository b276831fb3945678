"""First start on a fresh clone, to the first figure in a real browser.

A fresh `git clone` of this repository into a temporary folder (no data/, no reference cache),
`streamlit run dashboard.py` from it with the project's virtual environment, and Debian's
Chromium opening the home page as soon as the server answers. Timed from the server's launch:
health check answered, first progress message (the reference build shows its steps), first
metric drawn, the page settled. Then the steps recorded by the reference build (build.json) and
whether the map boundaries finished in the background. The clone is removed afterwards.

    python bench/bench_first_start.py                  # this checkout's HEAD
    python bench/bench_first_start.py --commit 3c4837a # an earlier commit, for a before/after
    python bench/bench_first_start.py --runs 3         # three fresh clones, and their median

Besides the seconds, the CPU seconds the server process had used (all its threads, from
/proc) when the first figure was drawn: on a busy machine the seconds grow with the load, the
CPU seconds much less, so they compare runs taken at different loads.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads, plus those of its children that
    have ended and been waited for (the reference build's ONS lookup process) (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    import argparse
    import statistics

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commit", help="check out this commit in the clone (default: HEAD)")
    ap.add_argument(
        "--runs", type=int, default=1, help="fresh clones one after another; the median is printed"
    )
    args = ap.parse_args()
    firsts = []
    for i in range(args.runs):
        if args.runs > 1:
            print(f"--- run {i + 1} of {args.runs}")
        firsts.append(one_run(args))
    if args.runs > 1:
        med = statistics.median(firsts)
        print(
            f"first figure over {args.runs} fresh clones: "
            + ", ".join(f"{f:.1f}" for f in firsts)
            + f" s; median {med:.1f} s; target (<= 15 s): {'met' if med <= 15 else 'NOT met'}"
        )
    return 0


def one_run(args) -> float:
    """One fresh clone to its first figure; prints the marks, returns the first figure's seconds."""
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="cwb_first_start_"))
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    if args.commit:
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.commit], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CWB_")}
    load_start = os.getloadavg()[0]
    port = free_port()
    log = open(tmp / "server.log", "wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    marks = {}
    cpu_first = float("nan")
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 300:
                    raise RuntimeError((tmp / "server.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        marks["server answers"] = time.perf_counter() - t0
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(url + "/")
            try:
                page.wait_for_selector(
                    '[data-testid="stStatusWidget"], [data-testid="stExpander"], '
                    '[data-testid="stProgress"], [data-testid="stMetric"]',
                    timeout=600_000,
                )
                marks["first thing drawn (progress or figure)"] = time.perf_counter() - t0
                if page.locator('[data-testid="stProgress"]').count():
                    marks["progress text seen"] = page.locator(
                        '[data-testid="stProgress"]'
                    ).first.inner_text()[:90]
            except Exception:  # noqa: BLE001
                pass
            page.wait_for_selector('[data-testid="stMetric"]', timeout=900_000)
            marks["first figure (metric) drawn"] = time.perf_counter() - t0
            cpu_first = _cpu_seconds(proc.pid)
            sys.path.insert(0, str(ROOT / "bench"))
            from bench_browser import settle

            settle(page, timeout=900)
            marks["home page settled"] = time.perf_counter() - t0
            browser.close()
        cache = clone / "data" / "reference_cache"
        steps = {}
        for _ in range(1200):  # the boundaries build in the background; wait for them (bounded)
            try:
                steps = json.loads((cache / "build.json").read_text())["seconds"]
            except (OSError, ValueError, KeyError):
                steps = {}
            if "boundaries" in steps:
                break
            time.sleep(0.5)
        marks["map boundaries ready (background)"] = time.perf_counter() - t0
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("first start on a fresh clone (no reference cache, no database), seconds from `streamlit run`:")
    for k, v in marks.items():
        print(f"  {k:40s} {v:7.1f}" if isinstance(v, float) else f"  {k:40s} {v}")
    print(f"  server CPU seconds at the first figure   {cpu_first:7.1f}  (with its ended child processes)")
    if steps:
        print("  reference build steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    first = marks.get("first figure (metric) drawn", float("nan"))
    print(f"target (<= 15 s to the first figure): {'met' if first <= 15 else 'NOT met'}")
    print(
        f"load average (1 min) at the start: {load_start:.1f}, at the end: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    return first


if __name__ == "__main__":
    raise SystemExit(main())
