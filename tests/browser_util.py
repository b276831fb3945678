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

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CWB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# every real-browser test module: ``pytestmark = BROWSER`` (or ``[*BROWSER, ...]``)
NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)",
)
BROWSER = [pytest.mark.browser, NEEDS_CHROMIUM]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Elements that count as "real content" on a page: a figure, a table, a chart, a map, an uploader.
CONTENT = (
    '[data-testid="stMetric"], [data-testid="stDataFrame"], [data-testid="stTable"], '
    '[data-testid="stPlotlyChart"], .js-plotly-plot, [data-testid="stDeckGlJsonChart"], '
    '[data-testid="stFileUploader"], [data-testid="stImage"]'
)
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


# -- pages ------------------------------------------------------------------------------------
def page_scripts() -> list[Path]:
    """dashboard.py then pages/*.py in Streamlit's own order (streamlit.source_util.page_sort_key)."""
    from streamlit.source_util import page_sort_key

    pages = [
        p for p in (ROOT / "pages").glob("*.py") if not p.name.startswith(".") and p.name != "__init__.py"
    ]
    return [ROOT / "dashboard.py"] + sorted(pages, key=page_sort_key)


def url_path(script: Path) -> str:
    """The URL path a page is served at: '/' for the home page (dashboard.py), '/Name' for
    pages/N_Name.py, as st.navigation registers them (cwb/ui/nav.py; the same paths Streamlit
    gave the pages/ files, streamlit.source_util.page_icon_and_name: tests/test_contracts.py)."""
    from cwb.ui import nav

    rel = script.resolve().relative_to(ROOT.resolve()).as_posix()
    return "/" + nav.url_path(rel)


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
    share = ports[idx :: max(n_workers, 1)]
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
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "dashboard.py"),
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
            cwd=ROOT,
            env=e,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
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
                raise RuntimeError(
                    f"streamlit did not become healthy on port {port} within {timeout:.0f} s:\n{last_error}"
                )
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


_CALM = """([quiet, since]) => {
  // Calm: the script is not running and no status widget shows, and the script state last
  // changed at least ``quiet`` ms ago. A MutationObserver stamps every change of the state, so a
  // rerun too short for any poll to see still restarts the quiet time.
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.__cwbChanged === undefined) {
    app.__cwbChanged = performance.now();
    new MutationObserver(() => { app.__cwbChanged = performance.now(); })
      .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  }
  const state = app.getAttribute('data-test-script-state');
  if (['initial', 'running', 'rerunRequested'].includes(state)
      || document.querySelector('[data-testid="stStatusWidget"]')) {
    app.__cwbChanged = performance.now();
    return false;
  }
  return performance.now() - Math.max(app.__cwbChanged, since) >= quiet;
}"""

_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


def settle(page, timeout: float = 120, quiet: float = 1.0, content: bool | str = True) -> None:
    """Wait until the app has finished running: the script state is 'notRunning' and no status
    widget shows, continuously for ``quiet`` seconds (watched inside the page, every 50 ms, and
    every change of the state restarts the quiet time); then (``content``) up to 20 s more for
    real content -- a metric, table, chart, map or uploader, or the selector given -- or an
    exception box to be drawn, and half a second for charts and maps to draw. Without
    ``content`` (after a click: the page is already there) two animation frames are waited for,
    in which the browser draws what the run sent."""
    ms = timeout * 1000
    page.wait_for_selector('[data-testid="stApp"]', timeout=ms)
    since = page.evaluate("() => performance.now()")
    try:
        page.wait_for_function(_CALM, arg=[quiet * 1000, since], polling=50, timeout=ms)
    except Exception as exc:  # noqa: BLE001  (said as before: which page, in what state)
        state = page.locator('[data-testid="stApp"]').first.get_attribute("data-test-script-state")
        raise TimeoutError(f"{page.url}: app still running after {timeout:.0f} s (state {state})") from exc
    if not content:
        page.evaluate(_FRAMES)
        return
    try:  # the run is over: what it drew appears within seconds (bounded; callers assert)
        page.wait_for_selector(
            f"{content if isinstance(content, str) else CONTENT}, {PROBLEMS}",
            state="attached",
            timeout=20_000,
        )
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
        time.sleep(0.5)  # charts re-lay out to the new window
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall != size["height"]:
            page.set_viewport_size(size)


# -- widgets: find, read and change them as a user would --------------------------------------
# Streamlit's element test ids of the widgets a viewer can set (buttons are listed separately:
# download buttons and popovers are exports, page links are navigation).
WIDGET_KINDS = {
    "stSelectbox": "selectbox",
    "stMultiSelect": "multiselect",
    "stRadio": "radio",
    "stCheckbox": "toggle",
    "stButtonGroup": "segmented",
    "stTextInput": "text",
    "stNumberInput": "number",
    "stSlider": "slider",
    "stSelectSlider": "slider",
    "stDateInput": "date",
    "stTimeInput": "time",
    "stTextArea": "textarea",
    "stColorPicker": "color",
    "stFileUploader": "uploader",
    "stButton": "button",
    "stDataEditor": "editor",
}
_KIND_TESTID = {}
for _tid, _kind in WIDGET_KINDS.items():
    _KIND_TESTID.setdefault(_kind, _tid)

_ENUMERATE = """(kinds) => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stApp"] [data-testid]')) {
    const tid = el.getAttribute('data-testid');
    if (!(tid in kinds)) continue;
    const lab = el.querySelector('[data-testid="stWidgetLabel"]');
    let label = (lab ? lab.textContent : '').trim();
    if (!label) {  // buttons carry their text, inputs an aria-label
      const b = el.querySelector('button, input, [aria-label]');
      label = ((b && (b.getAttribute('aria-label') || b.textContent)) || el.textContent || '').trim();
    }
    out.push({kind: kinds[tid], label: label.replace(/\\s+/g, ' '), side: !!el.closest('[data-testid="stSidebar"]')});
  }
  return out;
}"""


def widgets(page) -> list[dict]:
    """Every widget a viewer can set on the page, as {kind, label, side} (hidden ones too, e.g.
    inside a closed expander), read from the DOM."""
    return page.evaluate(_ENUMERATE, WIDGET_KINDS)


def widget(page, kind: str, label: str, side: bool | None = None):
    """The locator of the widget of ``kind`` whose label is exactly ``label`` (a label ending in
    '*' matches its beginning)."""
    scope = {True: '[data-testid="stSidebar"] ', False: '[data-testid="stMain"] ', None: ""}[side]
    exact = re.compile(
        r"^\s*" + re.escape(label[:-1]) if label.endswith("*") else r"^\s*" + re.escape(label) + r"\s*$"
    )
    base = page.locator(f'{scope}[data-testid="{_KIND_TESTID[kind]}"]')
    if kind == "button":
        return base.filter(has=page.get_by_role("button", name=exact)).first
    return base.filter(has=page.locator('[data-testid="stWidgetLabel"]').filter(has_text=exact)).first


_VALUE = """(el, kind) => {
  const q = (s) => el.querySelector(s);
  switch (kind) {
    case 'selectbox': return q('input').value;
    case 'multiselect': return Array.from(el.querySelectorAll('[data-tag]')).map(t => t.getAttribute('aria-label')).join(' | ');
    case 'radio': { const o = el.querySelector('[data-testid="stRadioOption"][data-selected="true"]') ||
                    (q('input:checked') && q('input:checked').closest('label')); return o ? o.textContent.trim() : ''; }
    case 'toggle': return q('input').checked ? 'on' : 'off';
    case 'segmented': { const b = q('button[aria-checked="true"]'); return b ? b.textContent.trim() : ''; }
    case 'text': case 'number': case 'textarea': return q('input, textarea').value;
    case 'button': return q('button').disabled ? 'disabled' : 'enabled';
    default: return el.textContent;
  }
}"""


def value(page, kind: str, label: str, side: bool | None = None) -> str:
    return widget(page, kind, label, side).evaluate(_VALUE, kind)


def options(page, kind: str, label: str, side: bool | None = None) -> list[str]:
    """The choices a viewer sees: radio/segmented labels, or the open list of a (multi)select."""
    w = widget(page, kind, label, side)
    if kind == "radio":
        return [t.strip() for t in w.locator('[data-testid="stRadioOption"]').all_text_contents()]
    if kind == "segmented":
        return [t.strip() for t in w.locator("button").all_text_contents()]
    if kind in ("selectbox", "multiselect"):
        _open_list(page, w)
        out = [t.strip() for t in page.locator('[role="listbox"] [role="option"]').all_text_contents()]
        page.keyboard.press("Escape")
        page.locator('[role="listbox"]').first.wait_for(state="detached", timeout=10_000)
        return out
    raise ValueError(f"no options for a {kind}")


def scroll_to(w, timeout: float = 10) -> None:
    """Bring ``w`` into view and wait until it stops moving, as a user scrolls and then clicks.
    (The sidebar scrolls smoothly: a click straight after Playwright's own scrolling lands while
    the sidebar still moves, and a selectbox's list closes again on that scroll -- the Baseline
    year, below the fold at 1000 px high, then never opened.)"""
    w.scroll_into_view_if_needed()
    try:  # its box unchanged over 4 animation frames (about 60 ms), watched inside the page
        w.evaluate(_STILL, timeout * 1000)
    except Exception:  # noqa: BLE001  (detached while it moved: the caller's click says so)
        pass


_STILL = """(e, ms) => new Promise((resolve) => {
  const end = performance.now() + ms;
  let last = '', same = 0;
  const look = () => {
    const r = e.getBoundingClientRect();
    const now = [r.x, r.y, r.width, r.height].join(',');
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 4 || performance.now() > end) resolve(same >= 4);
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})"""


def _open_list(page, w) -> None:
    """Open a select's list by clicking its box. A list closes again when the page scrolls under
    it (react-aria), which a click landing during an expander's opening or a smooth scroll makes
    happen; a person then clicks again, and so does this (once, after the page is still)."""
    first = page.locator('[role="listbox"] [role="option"]').first
    for attempt in range(2):
        scroll_to(w)
        w.locator("input").first.click()
        try:
            first.wait_for(timeout=10_000 if attempt == 0 else 20_000)
            return
        except Exception:  # noqa: BLE001  (the list closed at once: click again)
            if attempt:
                raise
            page.keyboard.press("Escape")


def _choose(page, w, to: str, exact) -> None:
    """Open the list and click the option; long lists are virtual (only the first options are in
    the DOM), so the option's text is typed first to bring it to the top, as a user would."""
    _open_list(page, w)
    opt = page.locator('[role="listbox"] [role="option"]').filter(has_text=exact).first
    if not opt.count():
        w.locator("input").first.fill(to)
        opt.wait_for(timeout=20_000)
    opt.click()


_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return -1;
  if (app.__cwbObserved === undefined) {
    app.__cwbObserved = 0;
    new MutationObserver((recs) => { app.__cwbObserved += recs.length; })
      .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  }
  return app.__cwbObserved;
}"""


def act(page, action, timeout: float = 120, took=None) -> None:
    """Do ``action`` (a user's click or keystroke), then wait for the rerun it starts to begin
    (the app's script state changes) and to finish (``settle``). Raises if no rerun begins
    within 45 s: a change that reaches the server always reruns the script. ``took``: a check
    that the change is on the page; a rerun fast enough (a cached view) can begin and end in
    one render, leaving no change of the script state to observe, so when ``took()`` is true
    the change counts as made (the caller then checks its effect: figure, widget, link)."""
    before = page.evaluate(_RUNS)
    action()
    seen = "(n) => { const a = document.querySelector('[data-testid=\"stApp\"]'); return a && a.__cwbObserved > n; }"
    try:
        # a rerun begins within a second on a quiet machine, but one fast enough to begin and end
        # in one render is never seen (a toggle back to a cached view: 2 full runs timed out
        # here). When none is seen within 10 s but the change shows (``took``), it counts as made.
        page.wait_for_function(seen, arg=before, timeout=10_000 if took is not None else 45_000)
    except Exception:  # noqa: BLE001
        if took is None:
            raise
        if not took():
            try:
                page.wait_for_function(seen, arg=before, timeout=35_000)
            except Exception:  # noqa: BLE001
                if not took():
                    raise
    settle(page, timeout=timeout, quiet=0.6, content=False)


def set_widget(page, kind: str, label: str, to: str, side: bool | None = None) -> None:
    """Change a widget as a user would: click an option, flip a switch, type and press Enter.
    For a multiselect, ``to`` is an option to add, or "-NAME" to remove the tag NAME."""
    w = widget(page, kind, label, side)
    w.wait_for(state="attached", timeout=60_000)
    if w.is_hidden():  # inside a closed expander: open it the way a user would
        w.locator("xpath=ancestor::details[1]/summary").first.click()
        w.wait_for(state="visible", timeout=20_000)
    scroll_to(w)
    exact = re.compile(r"^\s*" + re.escape(to.lstrip("-")) + r"\s*$")
    if kind == "selectbox":

        def do():
            _choose(page, w, to, exact)
    elif kind == "multiselect":
        if to.startswith("-"):
            tag = w.locator(f'[data-tag][aria-label="{to[1:]}"]').first

            def do():
                # the first click on a tag's x is sometimes taken by the box (it gets the focus and
                # the tag stays): a person sees the tag still there and clicks again
                x = w.get_by_role("button", name=f"Remove {to[1:]}", exact=True)
                x.click()
                try:
                    tag.wait_for(state="detached", timeout=2_000)
                except Exception:  # noqa: BLE001
                    if tag.count():
                        x.click()

            try:
                act(page, do, took=lambda: not tag.count())
            except Exception:  # noqa: BLE001  (the click went unheard: remove it with the keyboard instead)
                if not tag.count():
                    raise
                act(page, lambda: (tag.focus(), page.keyboard.press("Delete")))
            # removing a tag opens the list of options, and the next click on a tag's x then only
            # closes it (a person clicks twice; 45 s of waiting in a test): close it, as after adding
            if page.locator('[role="listbox"]').count():
                page.keyboard.press("Escape")
            return
        else:

            def do():
                _choose(page, w, to, exact)
    elif kind == "radio":

        def do():
            w.locator('[data-testid="stRadioOption"]').filter(has_text=exact).first.click()
    elif kind == "segmented":

        def do():
            w.locator("button").filter(has_text=exact).first.click()
    elif kind == "toggle":
        if value(page, kind, label, side) == to:
            return

        def do():
            w.locator("label").first.click()
    elif kind in ("text", "number"):

        def do():
            box = w.locator("input").first
            box.click()
            box.fill(to)
            box.press("Enter")
    elif kind == "button":

        def do():
            w.locator("button").first.click()
    else:
        raise ValueError(f"cannot drive a {kind} yet")

    def took() -> bool:  # the change shows on the page (see act)
        try:
            if kind == "multiselect":
                return w.locator(f'[data-tag][aria-label="{to}"]').count() > 0
            if kind in ("selectbox", "radio", "segmented"):
                return exact.match(value(page, kind, label, side) or "") is not None
            if kind in ("text", "number"):
                return (value(page, kind, label, side) or "").strip() == to.strip()
            if kind == "toggle":
                return value(page, kind, label, side) == to
        except Exception:  # noqa: BLE001  (the widget is being drawn again)
            return False
        return False

    act(page, do, took=took)
    if kind == "multiselect" and page.locator('[role="listbox"]').count():
        page.keyboard.press("Escape")


_FIGURES = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const plain = (v) => (ArrayBuffer.isView(v) ? Array.from(v) : v);
  const keep = ['name', 'x', 'y', 'z', 'values', 'labels', 'text', 'customdata', 'base'];
  const label = (e) => !!e.closest('[data-testid="stWidgetLabel"], [data-testid="stTooltipContent"], [data-testid="stAlert"]');
  return {
    metrics: Array.from(main.querySelectorAll('[data-testid="stMetric"]')).map(m => m.textContent.trim()),
    charts: Array.from(main.querySelectorAll('.js-plotly-plot')).map(g => JSON.stringify([(g.data || []).map(
      t => Object.fromEntries(keep.filter(k => t[k] !== undefined).map(k => [k, plain(t[k])]))),
      ((g.layout || {}).shapes || []).map(s => [s.x0, s.x1, s.y0, s.y1]),
      ((g.layout || {}).annotations || []).map(a => a.text)], (k, v) => plain(v))),
    tables: Array.from(main.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]')).map(d => {
      const t = d.querySelector('table'); return (t ? t.textContent : d.textContent).trim(); }),
    text: Array.from(main.querySelectorAll('[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], [data-testid="stAlert"]'))
      .filter(e => !label(e) || e.matches('[data-testid="stAlert"]')).map(e => e.textContent.trim()),
  };
}"""


# a grid inside a closed expander draws no cells until it is opened: not waited for (the home
# page's every-indicator table waited the full 10 s at every snapshot, about 380 s of its check)
_GRIDS_DRAWN = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]'))
  .filter(d => { const x = d.closest('details'); return !x || x.open; })
  .every(d => { const t = d.querySelector('table'); return t && t.textContent.trim() !== ''; })"""


def figures(page) -> dict:
    """What the page shows, by part: metric texts, each plotly chart's data, each table's
    cells, and the text (markdown, captions, notices) outside widget labels. A grid's cells
    are written a moment after the grid itself (a full run at load 19 once read one still
    empty): waited for, bounded; a grid still empty after that is read as it is."""
    try:
        page.wait_for_function(_GRIDS_DRAWN, timeout=10_000)
    except Exception:  # noqa: BLE001  (the caller compares what is there)
        pass
    return page.evaluate(_FIGURES)


def query(page) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(urlparse(page.url).query, keep_blank_values=True))
