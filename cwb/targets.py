"""Targets against actuals (X4) with declared thresholds."""

from __future__ import annotations

import math

TOLERANCE_PP = 2.0  # 'at risk' band: within this many percentage points short of the target

STATUS_TEXT = {
    "on track": "✔ On track",
    "at risk": "▲ At risk",
    "off track": "✖ Off track",
    "no data": "– No data",
}
THRESHOLDS = (
    f"On track: the actual meets or beats the target. At risk: short of it by no more than "
    f"{TOLERANCE_PP:g} percentage points. Off track: short by more than that."
)


def status(actual, target, direction: str = "higher", tolerance: float = TOLERANCE_PP) -> str:
    if actual is None or target is None or (isinstance(actual, float) and math.isnan(actual)):
        return "no data"
    gap = (actual - target) if direction == "higher" else (target - actual)
    if gap >= 0:
        return "on track"
    if gap >= -tolerance:
        return "at risk"
    return "off track"
