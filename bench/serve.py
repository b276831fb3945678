"""Start and stop a real `streamlit run` on loopback for benchmarks and browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children so far (Linux /proc)."""
    import os as _os

    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    tick = _os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in fields[11:15]) / tick


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(
    db_path: Path,
    port: int | None = None,
    env: dict | None = None,
    timeout: float = 90,
    script: Path | None = None,
    log_path: Path | None = None,
):
    """Yield the base URL of a streamlit server on 127.0.0.1 serving ``script`` (default
    dashboard.py) on ``db_path``. The server's output goes to ``log_path`` (default: a file
    beside the database, ``<db>.server.log``), never to an unread pipe that could fill up and
    stall the server; the path is in ``streamlit_server.log_path``."""
    port = port or free_port()
    e = {**os.environ, "CWB_DB": str(db_path), **(env or {})}
    if threading.current_thread() is threading.main_thread():
        # a benchmark stopped with SIGTERM still stops its server (the finally below runs)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    log_path = Path(log_path or f"{db_path}.server.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script or ROOT / "dashboard.py"),
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
    streamlit_server.log_path = log_path
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.flush()
                out = log_path.read_text(errors="replace")
                raise RuntimeError(f"streamlit did not start on port {port}:\n{out[-3000:]}")
            time.sleep(0.3)
        streamlit_server.pid = proc.pid
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
