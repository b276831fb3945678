"""Runs the page named by CWB_BENCH_PAGE and records how long the script itself took (from its
first line to its last element, st.stop() included) in bench.apps.timed_page_clock.RUNS.
The benchmark harness (bench/bench_pages.py) runs this file in AppTest, so the figure excludes
AppTest's own machinery (component discovery, polling for the result)."""

import os
import runpy
import time

from bench.apps import timed_page_clock

_t = time.perf_counter()
try:
    runpy.run_path(os.environ["CWB_BENCH_PAGE"], run_name="__main__")
finally:
    timed_page_clock.RUNS.append((time.perf_counter() - _t) * 1000)
