"""Many viewers: N concurrent sessions through a light client that speaks Streamlit's own
websocket protocol (protobuf BackMsg / ForwardMsg, as the browser does, without a browser) plus
2 real Chromium browsers timing pages at the same time, against one `streamlit run` on loopback.

Each light session opens its own websocket (its own Streamlit session), asks for the pages in
turn (BackMsg.rerun_script with the page name, as a click on a page link does) and times each
until the server's script_finished message; an exception element, a run that does not finish
successfully or a timeout counts as an error. Bounded: R rounds of P pages per session, and a
deadline. Printed: page-view latency p50/p95/max for the light sessions and for the browsers,
errors, the server's CPU-seconds per page view and its memory per session (RSS growth / N).

Two ways of asking (``--mode``), reported separately:
- burst: every session asks for its pages one after another with no pause, all at the same
  moment (the worst case: 50 x 6 pages of work queued at once on the server's cores);
- paced (``--think 3-10``): sessions arrive at random within ``--stagger`` seconds and each waits
  a random think time between page views, as people in a meeting reading a page do.

    python bench/bench_viewers.py [--sessions 50] [--rounds 2] [--network-db PATH]
    python bench/bench_viewers.py --sessions 50 --rounds 1 --think 3-10   # burst, then paced
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import CHROMIUM, CHROMIUM_ARGS, cpu_seconds, streamlit_server  # noqa: E402
from bench.stats import pct, per_page  # noqa: E402

PAGES = ["", "Spend_overview", "Where_the_money_goes", "Suppliers", "Spend_trends", "Workforce"]


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def session(
    url: str,
    pages: list[str],
    rounds: int,
    out: list,
    errors: list,
    deadline: float,
    hold,
    think: tuple[float, float] | None = None,
    start: float = 0.0,
    rng: random.Random | None = None,
):
    """One light session. ``think`` (lo, hi): seconds drawn uniformly between page views, as a
    person reading a page waits before the next click (None: the next page at once, the burst);
    ``start``: seconds to wait before opening the session (a staggered arrival)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    if start:
        await asyncio.sleep(start)
    ws = await connect(
        url.replace("http", "ws") + "/_stcore/stream",
        subprotocols=["streamlit"],
        max_size=200 * 1024 * 1024,
        open_timeout=120,
        ping_interval=None,
    )
    try:
        first = True
        for _ in range(rounds):
            for name in pages:
                if think is not None and not first:
                    await asyncio.sleep((rng or random).uniform(*think))
                first = False
                if time.time() > deadline:
                    errors.append("deadline")
                    return
                msg = BackMsg()
                msg.rerun_script.query_string = ""
                msg.rerun_script.page_name = name
                t = time.perf_counter()
                await ws.send(msg.SerializeToString())
                ok = False
                while True:
                    raw = await asyncio.wait_for(ws.recv(), timeout=max(1.0, deadline - time.time()))
                    if isinstance(raw, str):
                        continue
                    fm = ForwardMsg()
                    fm.ParseFromString(raw)
                    kind = fm.WhichOneof("type")
                    if (
                        kind == "delta"
                        and fm.delta.WhichOneof("type") == "new_element"
                        and fm.delta.new_element.WhichOneof("type") == "exception"
                    ):
                        errors.append(f"{name or 'home'}: {fm.delta.new_element.exception.message[:120]}")
                    if kind == "script_finished":
                        ok = fm.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                        break
                if not ok:
                    errors.append(f"{name}: run ended {fm.script_finished}")
                out.append((name, time.perf_counter() - t))
        await hold.wait()  # keep the session open until every session is done (memory per session)
    except Exception as e:  # noqa: BLE001 - every failure is counted, none is fatal
        errors.append(f"{type(e).__name__}: {e}"[:160])
    finally:
        await ws.close()


async def light(url, n, rounds, deadline, on_all_done, think=None, stagger=0.0, seed=15):
    """``n`` sessions. Burst (``think`` None): opened 0.05 s apart, each asks for its pages one
    after another with no pause. Paced: each opens at a random moment within ``stagger`` seconds
    and waits a random think time (uniform in ``think``) between page views."""
    out, errors = [], []
    hold = asyncio.Event()
    tasks = []
    rng = random.Random(seed)
    for i in range(n):
        pages = PAGES[i % len(PAGES) :] + PAGES[: i % len(PAGES)]  # sessions start on different pages
        if think is None:
            tasks.append(asyncio.create_task(session(url, pages, rounds, out, errors, deadline, hold)))
            await asyncio.sleep(0.05)
        else:
            own = random.Random(rng.random())
            tasks.append(
                asyncio.create_task(
                    session(
                        url, pages, rounds, out, errors, deadline, hold, think, own.uniform(0, stagger), own
                    )
                )
            )
    while (
        sum(1 for _ in out) + len(errors) < n * rounds * len(PAGES)
        and not all(t.done() for t in tasks)
        and time.time() < deadline
    ):
        await asyncio.sleep(0.5)
    on_all_done()
    hold.set()
    await asyncio.gather(*tasks)
    return out, errors


def browsers(url, stop, out, errors):
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_browser import settle

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [browser.new_page(viewport={"width": 1440, "height": 1000}) for _ in range(2)]
        i = 0
        while not stop.is_set():
            for pg in pages:
                path = "/" + PAGES[i % len(PAGES)]
                i += 1
                t = time.perf_counter()
                try:
                    pg.goto(url + path)
                    settle(pg, timeout=300)
                    if pg.locator('[data-testid="stException"]').count():
                        errors.append(f"browser {path}: exception")
                    out.append((path, time.perf_counter() - t))
                except Exception as e:  # noqa: BLE001
                    errors.append(f"browser {path}: {e}"[:160])
        browser.close()


def parse_think(v: str) -> tuple[float, float]:
    lo, _, hi = v.partition("-")
    return (float(lo), float(hi or lo))


def phase(url: str, pid: int, sessions: int, rounds: int, max_seconds: float, think, stagger: float) -> dict:
    """One measured phase: the light sessions and 2 browsers at the same time; the server's CPU
    and memory over it."""
    rss0, cpu0 = rss_mb(pid), cpu_seconds(pid)
    stop = threading.Event()
    b_out, b_err = [], []
    bt = threading.Thread(target=browsers, args=(url, stop, b_out, b_err), daemon=True)
    bt.start()
    t0 = time.time()
    peak = [rss0]

    def all_done():
        peak[0] = rss_mb(pid)

    out, errors = asyncio.run(
        light(url, sessions, rounds, t0 + max_seconds, all_done, think=think, stagger=stagger)
    )
    wall = time.time() - t0
    stop.set()
    bt.join(timeout=600)
    return {
        "out": out,
        "errors": errors,
        "b_out": b_out,
        "b_err": b_err,
        "wall": wall,
        "cpu": cpu_seconds(pid) - cpu0,
        "rss0": rss0,
        "peak": peak[0],
        "load": os.getloadavg()[0],
    }


def report(title: str, r: dict, sessions: int) -> None:
    out, errors, b_out, b_err = r["out"], r["errors"], r["b_out"], r["b_err"]
    lat = [s for _, s in out]
    views = len(out) + len(b_out)
    print(title)
    if not lat:
        print(f"  no page view finished; errors {len(errors)} e.g. {errors[:3]}")
        return
    print(
        f"  light sessions: {len(out)} page views, errors {len(errors)}; p50 {statistics.median(lat):.2f} s, "
        f"p95 {pct(lat, 0.95):.2f} s, max {max(lat):.2f} s; wall {r['wall']:.0f} s"
    )
    per_page(out, PAGES, indent="    ", prefix="/")
    bl = [s for _, s in b_out]
    if bl:
        print(
            f"  2 browsers at the same time: {len(bl)} page loads, errors {len(b_err)}; "
            f"p50 {statistics.median(bl):.2f} s, p95 {pct(bl, 0.95):.2f} s"
        )
    print(
        f"  server: {r['cpu']:.1f} CPU-s for {views} page views = {r['cpu'] / max(views, 1):.3f} CPU-s per page view; "
        f"RSS {r['rss0']:.0f} MB before, {r['peak']:.0f} MB with {sessions + 3} open "
        f"= {(r['peak'] - r['rss0']) / sessions:.1f} MB per session"
    )
    print(
        f"  p95 target (<= 2 s, light sessions) {'met' if pct(lat, 0.95) <= 2 else 'NOT met'}; "
        f"errors {len(errors) + len(b_err)}"
        + (f" e.g. {(errors + b_err)[:3]}" if errors or b_err else "")
        + f"; load average (1 min) at its end {r['load']:.1f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Many viewers: burst (every session asks for its pages at once, no pause) "
        "and/or paced (think time between page views, staggered arrival)"
    )
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=900, help="deadline of each phase")
    ap.add_argument("--network-db", type=Path, default=None)
    ap.add_argument("--pages", default=None, help="comma list of page names ('' = home); default: six pages")
    ap.add_argument(
        "--mode",
        choices=["burst", "paced", "both"],
        default=None,
        help="burst: no think time (the default without --think); paced: --think between views; "
        "both: burst then paced on the same server (the default with --think)",
    )
    ap.add_argument(
        "--think",
        type=parse_think,
        default=None,
        metavar="LO-HI",
        help="paced mode: seconds a session waits between page views, uniform in LO-HI (e.g. 3-10)",
    )
    ap.add_argument(
        "--stagger",
        type=float,
        default=5.0,
        help="paced mode: sessions open at random within this many seconds",
    )
    a = ap.parse_args()
    mode = a.mode or ("both" if a.think else "burst")
    if mode != "burst" and a.think is None:
        a.think = (3.0, 10.0)
    if a.pages is not None:
        PAGES[:] = a.pages.split(",")
    from cwb import build, db, demo

    tmp = Path(tempfile.mkdtemp(prefix="cwb_bench_viewers_"))
    try:
        if a.network_db:
            path, label = a.network_db, "network scale"
        else:
            path, label = tmp / "demo.duckdb", "demo default size"
            con = build.open_database(path, log=lambda *x: None)
            demo.load_demo(con, log=lambda *x: None)
            con.execute("CHECKPOINT")
            db.close_all()
        results = []
        with streamlit_server(path, timeout=900) as url:
            pid = streamlit_server.pid
            # one session alone first: the baseline of the same run (and the warm-up)
            base_out, base_err = asyncio.run(light(url, 1, 1, time.time() + 600, lambda: None))
            if mode in ("burst", "both"):
                results.append(("burst", phase(url, pid, a.sessions, a.rounds, a.max_seconds, None, 0.0)))
            if mode in ("paced", "both"):
                results.append(
                    ("paced", phase(url, pid, a.sessions, a.rounds, a.max_seconds, a.think, a.stagger))
                )
            hwm = next(
                (int(x.split()[1]) / 1024 for x in open(f"/proc/{pid}/status") if x.startswith("VmHWM:")), 0.0
            )
        print(
            f"many viewers: {a.sessions} light websocket sessions x {a.rounds} rounds x {len(PAGES)} pages + 2 Chromium "
            f"browsers, {label}, loopback, {os.cpu_count()} cores"
        )
        print(
            f"baseline, one session alone: page view p50 {statistics.median([s for _, s in base_out]):.2f} s "
            f"(errors {len(base_err)})"
        )
        for kind, r in results:
            if kind == "burst":
                title = (
                    f"BURST: all {a.sessions} sessions open within {0.05 * a.sessions:.1f} s and ask for their "
                    f"pages one after another with no pause (the worst case, not a meeting)"
                )
            else:
                title = (
                    f"PACED: {a.sessions} sessions open at random within {a.stagger:.0f} s; each waits "
                    f"{a.think[0]:g}-{a.think[1]:g} s (uniform) between page views, as a person reading a page"
                )
            report(title, r, a.sessions)
        print(f"peak RSS of the server {hwm:.0f} MB")
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
