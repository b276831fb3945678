"""Script run times (ms) recorded by bench/apps/timed_page.py."""

RUNS: list[float] = []
