"""Helpers for the real-browser tests: page discovery, a `streamlit run` server on loopback that
is always stopped, Debian's Chromium through Playwright, and waiting for a page to finish.

Nothing here downloads anything: Chromium is Debian's /usr/bin/chromium (never `playwright
install`), the server binds 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CWB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Elements that count as "real content" on a page: a figure, a table, a chart, a map, an uploader.
CONTENT = ('[data-testid="stMetric"], [data-testid="stDataFrame"], [data-testid="stTable"], '
           '[data-testid="stPlotlyChart"], .js-plotly-plot, [data-testid="stDeckGlJsonChart"], '
           '[data-testid="stFileUploader"], [data-testid="stImage"]')
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


# -- pages ------------------------------------------------------------------------------------
def page_scripts() -> list[Path]:
    """dashboard.py then pages/*.py in Streamlit's own order (streamlit.source_util.page_sort_key)."""
    from streamlit.source_util import page_sort_key

    pages = [p for p in (ROOT / "pages").glob("*.py") if not p.name.startswith(".") and p.name != "__init__.py"]
    return [ROOT / "dashboard.py"] + sorted(pages, key=page_sort_key)


def url_path(script: Path) -> str:
    """The URL path Streamlit 1.67 serves a classic multipage script at: '/' for the main script,
    '/Name' for pages/N_Name.py (leading number and separators dropped, runs of spaces and
    underscores collapsed to one '_' -- streamlit.source_util.page_icon_and_name)."""
    from streamlit.source_util import page_icon_and_name

    if script.resolve() == (ROOT / "dashboard.py").resolve():
        return "/"
    return "/" + page_icon_and_name(script)[1]


def page_paths() -> list[str]:
    return [url_path(p) for p in page_scripts()]


def shot_name(path: str) -> str:
    name = urlparse(path).path.strip("/")
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "Network_overview"


# -- server -----------------------------------------------------------------------------------
def _port_candidates() -> list[int]:
    """Ports to try. CWB_TEST_PORTS="8641-8649" pins a range (each xdist worker takes its own
    slice); otherwise the OS hands out a free port."""
    spec = os.environ.get("CWB_TEST_PORTS", "")
    if not spec:
        return [0, 0, 0]
    lo, _, hi = spec.partition("-")
    ports = list(range(int(lo), int(hi or lo) + 1))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    n_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    idx = int(re.sub(r"\D", "", worker) or 0)
    share = ports[idx::max(n_workers, 1)]
    return share or ports


def _free(port: int) -> int:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's own process group (it was started in a new session): TERM, then KILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=15)


@contextmanager
def streamlit_server(db_path: Path, env: dict | None = None, timeout: float = 120):
    """Yield the base URL of `streamlit run dashboard.py` on 127.0.0.1 serving ``db_path``.

    The server's output goes to a log file (a pipe nobody reads would stall it once full); the
    log's tail is in the error when the server does not become healthy within ``timeout``.
    The process group is always stopped on exit.
    """
    e = {**os.environ, "CWB_DB": str(db_path), **(env or {})}
    last_error = ""
    for candidate in _port_candidates():
        try:
            port = _free(candidate)
        except OSError:
            continue
        log = tempfile.NamedTemporaryFile(prefix=f"cwb_streamlit_{port}_", suffix=".log", delete=False)
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=e, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + timeout
            healthy = False
            while time.time() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            healthy = True
                            break
                except OSError:
                    pass
                time.sleep(0.3)
            if not healthy:
                last_error = Path(log.name).read_text(errors="replace")[-3000:]
                if "already in use" in last_error:
                    continue  # another worker took the port between the check and the bind
                raise RuntimeError(f"streamlit did not become healthy on port {port} within {timeout:.0f} s:\n{last_error}")
            streamlit_server.last = {"pid": proc.pid, "port": port, "log": log.name}
            yield url
            return
        finally:
            _stop(proc)
            log.close()
    raise RuntimeError(f"no port to start streamlit on:\n{last_error}")


# -- browser ----------------------------------------------------------------------------------
def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return urlparse(url).hostname in LOOPBACK


def settle(page, timeout: float = 120, quiet: float = 1.0, content: bool | str = True) -> None:
    """Wait until the app has finished running: the script state is 'notRunning' and no status
    widget shows, continuously for ``quiet`` seconds; then (``content``) up to 20 s more for real
    content -- a metric, table, chart, map or uploader, or the selector given -- or an exception
    box to be drawn."""
    ms = timeout * 1000
    page.wait_for_selector('[data-testid="stApp"]', timeout=ms)
    deadline = time.time() + timeout
    calm_since = None
    while True:
        state = page.locator('[data-testid="stApp"]').first.get_attribute("data-test-script-state")
        running = state in ("initial", "running", "rerunRequested") or \
            page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            calm_since = None
        elif calm_since is None:
            calm_since = time.time()
        elif time.time() - calm_since >= quiet:
            break
        if time.time() > deadline:
            raise TimeoutError(f"{page.url}: app still running after {timeout:.0f} s (state {state})")
        time.sleep(0.2)
    if content:  # the run is over: what it drew appears within seconds (bounded; callers assert)
        try:
            page.wait_for_selector(f"{content if isinstance(content, str) else CONTENT}, {PROBLEMS}",
                                   state="attached", timeout=20_000)
        except Exception:  # noqa: BLE001
            pass
    try:  # charts and maps finish drawing; bounded
        page.wait_for_load_state("networkidle", timeout=10_000)
    except Exception:  # noqa: BLE001  (a busy page is still checked below)
        pass
    time.sleep(0.5)


def problems(page) -> list[str]:
    """Text of every Streamlit exception box and error alert on the page."""
    out = []
    for loc in page.locator(PROBLEMS).all():
        out.append(loc.inner_text()[:500])
    return out


def screenshot(page, path, max_height: int = 12_000) -> None:
    """Full-page screenshot. Streamlit scrolls inside its main section, not the document, so
    Playwright's full_page alone stops at the window: the window is made as tall as the content
    for the shot and restored afterwards."""
    size = page.viewport_size or {"width": 1440, "height": 1800}
    height = page.evaluate("""() => {
        const els = [document.querySelector('[data-testid="stMain"]'),
                     document.querySelector('[data-testid="stAppViewContainer"]'),
                     document.querySelector('[data-testid="stSidebarContent"]'), document.documentElement];
        return Math.max(...els.filter(Boolean).map(e => e.scrollHeight));
    }""")
    tall = max(size["height"], min(int(height) + 40, max_height))
    if tall != size["height"]:
        page.set_viewport_size({"width": size["width"], "height": tall})
        time.sleep(0.8)  # charts re-lay out to the new window
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall != size["height"]:
            page.set_viewport_size(size)
