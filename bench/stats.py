"""Small figures shared by the benchmarks: a nearest-rank percentile and per-page lines."""

from __future__ import annotations

import statistics
from collections.abc import Iterable


def pct(xs: Iterable[float], q: float) -> float:
    """The ``q`` quantile of ``xs`` (nearest rank; NaN for none)."""
    v = sorted(xs)
    return v[min(len(v) - 1, round(q * (len(v) - 1)))] if v else float("nan")


def per_page(
    pairs: list[tuple[str, float]], pages: Iterable[str], indent: str = "  ", prefix: str = ""
) -> None:
    """Print n, p50 and p95 of the seconds in ``pairs`` ((page, seconds)) for each of ``pages``."""
    for name in pages:
        xs = [s for n, s in pairs if n == name]
        if xs:
            label = f"{prefix}{name}"
            print(
                f"{indent}{label:25s} n={len(xs):4d} p50 {statistics.median(xs):6.2f} s  p95 {pct(xs, 0.95):6.2f} s"
            )
