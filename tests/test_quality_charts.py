"""The data-quality month grid (moved out of the page into cwb/charts/quality.py)."""

import pandas as pd

from cwb.charts import quality


def test_months_received_and_gap_runs():
    span = quality.fy_months("2023-24")
    assert len(span) == 12 and span[0] == pd.Timestamp(2023, 4, 1) and span[-1] == pd.Timestamp(2024, 3, 1)
    months = pd.DataFrame(
        {
            "anchor_id": ["A"] * 9 + ["B"] * 12,
            "month": [m for m in span if m.month not in (5, 6, 7)] + list(span),
        }
    )
    z = quality.months_received(months, ["A", "B"], span)
    assert z[1] == [1] * 12 and sum(z[0]) == 9
    assert quality.gap_runs(z[0], span) == ["May 2023 to Jul 2023 (3 months)"]
    assert quality.gap_runs(z[1], span) == []
    one = [1] * 11 + [0]
    assert quality.gap_runs(one, span) == ["Mar 2024 (1 month)"]
    fig = quality.months_heatmap(z, span, ["Anchor A", "Anchor B"])
    assert list(fig.data[0].y) == ["Anchor A", "Anchor B"]
