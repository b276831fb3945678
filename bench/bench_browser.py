"""Click-to-figure latency and bytes on the wire, in a real browser (Debian's Chromium through
Playwright) against `streamlit run` on loopback, with a baseline in the same run: a bare
Streamlit page with one selectbox and one metric (bench/apps/bare.py), Streamlit's own round trip.

Per database (the demo at default size; the network-scale database when given):
- bytes: every websocket frame the browser receives while a page loads (Streamlit sends the
  page's elements, tables and figures over its websocket), per page;
- click latency: a sidebar filter (Financial year) and a page control (a radio on Where the
  money goes, the map level) changed N times each; timed in the page from the click to the end
  run's last websocket message, drawn (two animation frames after it arrived), p50 and p95.

    python bench/bench_browser.py [--clicks 7] [--network-db data/bench_10M.duckdb] [--no-demo]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import CHROMIUM, CHROMIUM_ARGS, cpu_seconds, streamlit_server  # noqa: E402

# installed before the app loads: every websocket message the page receives is stamped when it
# arrives and again two animation frames later (drawn); clicks are stamped when the pointer is
# released. The DOM's script-state attribute is not used: a fast run never shows "running".
INIT = """(() => {
  const W = window.WebSocket;
  window.__cwb = {msgs: [], click: null};
  document.addEventListener('pointerup', () => { window.__cwb.click = performance.now(); }, true);
  function Wrapped(...args) {
    const ws = new W(...args);
    ws.addEventListener('message', (ev) => {
      const t = performance.now();
      const n = ev.data.byteLength || ev.data.size || ev.data.length || 0;
      requestAnimationFrame(() => requestAnimationFrame(() => window.__cwb.msgs.push([t, performance.now(), n])));
    });
    return ws;
  }
  Wrapped.prototype = W.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Wrapped[k] = W[k];
  window.WebSocket = Wrapped;
})();"""
# resolved when the messages of the run the click started have all been drawn: the first message
# after the click, then none for QUIET ms; the figure is the drawn time of the last one
DONE = """([t0, quiet]) => new Promise((resolve, reject) => {
  const end = performance.now() + 120000;
  const poll = () => {
    const c = window.__cwb.click;
    const start = (c !== null && c >= t0) ? c : t0;
    const after = window.__cwb.msgs.filter(m => m[0] >= start);
    if (after.length && performance.now() - after[after.length - 1][1] > quiet) {
      const last = after[after.length - 1];
      // drawn total; first message arrived; last arrived; messages; bytes
      resolve([last[1] - start, after[0][0] - start, last[0] - start, after.length,
               after.reduce((a, m) => a + m[2], 0)]); return;
    }
    if (performance.now() > end) { reject(new Error('no message after the click')); return; }
    setTimeout(poll, 10);
  };
  poll();
})"""
QUIET_MS = 800


def pct(xs, q):
    xs = sorted(xs)
    return xs[round(q * (len(xs) - 1))]


def settle(page, timeout=300):
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.time() + timeout
    calm = None
    while time.time() < deadline:
        state = page.locator('[data-testid="stApp"]').first.get_attribute("data-test-script-state")
        if state == "notRunning" and page.locator('[data-testid="stStatusWidget"]').count() == 0:
            calm = calm or time.time()
            if time.time() - calm > 1.0:
                return
        else:
            calm = None
        time.sleep(0.1)
    raise TimeoutError(page.url)


def pick(page, box, text):
    """Open a selectbox and choose the option ``text``; returns t0 (page clock) before the click."""
    opener = box.locator('button[aria-label="Open"]')  # 1.67: react-aria combobox (all options)
    (opener.first if opener.count() else box.locator('div[data-baseweb="select"]').first).click()
    opt = page.get_by_role("option", name=text, exact=True)
    opt.wait_for(timeout=10_000)
    t0 = page.evaluate("performance.now()")
    opt.click()
    return t0


def clicks_on(page, url, kind, n):
    """Latencies (ms) of ``n`` changes of one control."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stSelectbox"]', timeout=300_000)
    settle(page)
    out = []
    for i in range(n):
        if kind == "bare":
            box = page.locator('[data-testid="stSelectbox"]').first
            t0 = pick(page, box, "2023-24" if i % 2 == 0 else "2020-21")
        elif kind == "year":
            box = (
                page.locator('section[data-testid="stSidebar"] [data-testid="stSelectbox"]')
                .filter(has_text="Financial year")
                .first
            )
            t0 = pick(page, box, "2023-24" if i % 2 == 0 else "2025-26")
        else:  # the map level radio on Where the money goes
            radio = page.locator('[data-testid="stRadio"]').filter(has_text="Areas").first
            # by the option's text: the widget's own label is a <label> too
            target = radio.locator("label").filter(
                has_text="MSOA (2011)" if i % 2 == 0 else "Local authority"
            )
            t0 = page.evaluate("performance.now()")
            target.click()
        out.append(page.evaluate(DONE, [t0, QUIET_MS]))
        settle(page)
    return out


def page_bytes(context, base, paths):
    """Websocket bytes received while each page loads (a fresh tab each)."""
    out = {}
    for path in paths:
        page = context.new_page()
        got = [0, 0]

        def on_ws(ws, got=got):
            def frame(payload, got=got):
                got[0] += len(payload) if isinstance(payload, (bytes, bytearray)) else len(payload.encode())
                got[1] += 1

            ws.on("framereceived", frame)

        page.on("websocket", on_ws)
        t = time.perf_counter()
        page.goto(base + path)
        settle(page)
        out[path] = (got[0], got[1], time.perf_counter() - t)
        page.close()
    return out


def split(xs):
    """Median breakdown of click records: total drawn, first message, last message, count, bytes."""
    cols = list(zip(*xs))
    return [statistics.median(c) for c in cols]


def run_db(label, db_path, clicks, with_bytes=True):
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser_util import page_paths

    res = {}
    with streamlit_server(db_path, timeout=900) as url, sync_playwright() as p:
        pid = streamlit_server.pid
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
        ctx.set_default_timeout(300_000)  # a page of the busy machine can take minutes
        warm = ctx.new_page()
        warm.goto(url + "/")
        settle(warm, timeout=900)  # first start of this server: opens the file
        warm.close()
        cpu0 = cpu_seconds(pid)
        if with_bytes:
            res["bytes"] = page_bytes(ctx, url, page_paths())
        page = ctx.new_page()
        page.add_init_script(INIT)
        res["year"] = clicks_on(page, url + "/Spend_overview", "year", clicks)
        res["level"] = clicks_on(page, url + "/Where_the_money_goes", "level", clicks)
        res["cpu"] = cpu_seconds(pid) - cpu0
        res["rss_mb"] = _rss_mb(pid)
        browser.close()
    return res


def _rss_mb(pid):
    """Peak resident memory (VmHWM) of the server process, MB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_bare(clicks):
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="cwb_bare_"))
    try:
        with (
            streamlit_server(tmp / "none.duckdb", script=ROOT / "bench" / "apps" / "bare.py") as url,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.set_default_timeout(300_000)
            page.add_init_script(INIT)
            out = clicks_on(page, url + "/", "bare", clicks)
            browser.close()
            return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clicks", type=int, default=7)
    ap.add_argument("--network-db", type=Path, default=None)
    ap.add_argument("--no-demo", action="store_true")
    ap.add_argument("--no-bytes", action="store_true", help="skip the bytes per page (clicks only)")
    a = ap.parse_args()
    from cwb import build, db, demo

    tmp = Path(tempfile.mkdtemp(prefix="cwb_bench_browser_"))
    try:
        dbs = []
        if not a.no_demo:
            path = tmp / "demo.duckdb"
            con = build.open_database(path, log=lambda *x: None)
            demo.load_demo(con, log=lambda *x: None)
            con.execute("CHECKPOINT")
            db.close_all()
            dbs.append(("demo", path))
        if a.network_db:
            dbs.append(("10M", a.network_db))
        bare_rec = run_bare(a.clicks)
        bare = [r[0] for r in bare_rec]
        print(f"bare page clicks (ms): {[round(x) for x in bare]}", flush=True)
        results = {}
        for label, path in dbs:
            results[label] = run_db(label, path, a.clicks, with_bytes=not a.no_bytes)
            print(f"{label}: {results[label]}", flush=True)  # raw, in case a later database never ends
        bare_p50 = statistics.median(bare)
        print(
            f"click to figure drawn, real Chromium, {a.clicks} clicks each, ms (page clock: pointer released -> "
            "last message of the run drawn)"
        )
        print(f"{'':34s} {'p50':>7s} {'p95':>7s} {'x bare':>7s}")
        print(f"{'bare page (1 selectbox, 1 metric)':34s} {bare_p50:7.0f} {pct(bare, 0.95):7.0f} {1:7.1f}")
        rows = [("bare page (1 selectbox, 1 metric)", bare_rec)]
        for label, r in results.items():
            for kind, name in (
                ("year", "sidebar filter (Financial year)"),
                ("level", "page control (map level)"),
            ):
                rows.append((label + ": " + name, r[kind]))
                xs = [x[0] for x in r[kind]]
                print(
                    f"{label + ': ' + name:34s} {statistics.median(xs):7.0f} {pct(xs, 0.95):7.0f} "
                    f"{statistics.median(xs) / bare_p50:7.1f}"
                )
        print("\nwhere a click's time goes, medians (ms after the click; messages of the run, bytes):")
        print(f"{'':34s} {'1st msg':>7s} {'last msg':>8s} {'drawn':>7s} {'msgs':>5s} {'kB':>7s}")
        for name, rec in rows:
            tot, first, last, n, b = split(rec)
            print(f"{name:34s} {first:7.0f} {last:8.0f} {tot:7.0f} {n:5.0f} {b / 1e3:7.1f}")
        for label, r in results.items():
            if "bytes" not in r:
                continue
            print(f"\nbytes received on the websocket per page load, {label}:")
            for path, (b, n, s) in r["bytes"].items():
                print(
                    f"  {path:26s} {b / 1e6:7.2f} MB in {n:4d} frames, loaded in {s:5.1f} s"
                    + ("  (over 1 MB)" if b > 1e6 else "")
                )
            print(
                f"  server: {r['cpu']:.1f} CPU-s for the pages and {2 * a.clicks} clicks; peak RSS {r['rss_mb']:.0f} MB"
            )
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
