"""Data-quality charts: which months each anchor sent payment data for, and the gaps."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cwb.charts import theme


def fy_months(first_fy: str, last_fy: str | None = None) -> pd.DatetimeIndex:
    """Every month from April of ``first_fy`` to March after ``last_fy`` (default: the same year)."""
    last = last_fy or first_fy
    return pd.date_range(
        pd.Timestamp(int(first_fy[:4]), 4, 1), pd.Timestamp(int(last[:4]) + 1, 3, 1), freq="MS"
    )


def months_received(months: pd.DataFrame, anchors: list[str], span: pd.DatetimeIndex) -> list[list[int]]:
    """1 where the anchor has any payment in the month, else 0 (rows: anchors, columns: span)."""
    have = set(zip(months["anchor_id"], pd.to_datetime(months["month"])))
    return [[1 if (a, m) in have else 0 for m in span] for a in anchors]


def months_heatmap(z: list[list[int]], span: pd.DatetimeIndex, labels: list[str]) -> go.Figure:
    # long anchor names wrap: on a phone, one-line names took the whole width and left the months none
    rows = [theme.wrap_label(n, 20) for n in labels]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=span,
            y=rows,
            colorscale=[[0, "#F3D9E5"], [0.5, "#F3D9E5"], [0.5, theme.DARK_BLUE], [1, theme.DARK_BLUE]],
            showscale=False,
            xgap=1,
            ygap=2,
            hovertemplate="%{y}<br>%{x|%b %Y}: %{customdata}<extra></extra>",
            customdata=[["data received" if v else "NO DATA" for v in row] for row in z],
        )
    )
    two = any("<br>" in r for r in rows)
    fig.update_layout(
        height=100 + (48 if two else 40) * len(labels),
        margin=dict(l=20, r=20, t=60, b=40),
        meta={"cwb_escaped": True},
    )  # names escaped above, with line breaks of our own
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    return theme.apply(fig, "Months with payment data (blue = received, pink = missing)")


def gap_runs(row: list[int], span: pd.DatetimeIndex) -> list[str]:
    """Runs of missing months, e.g. 'Apr 2023 to Jun 2023 (3 months)'."""
    runs: list[str] = []
    start = last = None
    n = 0
    for mth, v in [*zip(span, row), (None, 1)]:
        if not v:
            if start is None:
                start, n = mth, 0
            last, n = mth, n + 1
        elif start is not None:
            runs.append(
                f"{start:%b %Y}"
                + (f" to {last:%b %Y}" if n > 1 else "")
                + f" ({n} month{'s' if n > 1 else ''})"
            )
            start = None
    return runs
