"""Workforce charts (from protected values only)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cwb.charts import theme


def indicator_trend(df: pd.DataFrame, col: str, title: str, names: dict[str, str]) -> go.Figure:
    """A protected percentage by year per series; suppressed values are gaps, labelled."""
    fig = go.Figure()
    for i, (aid, d) in enumerate(df.sort_values("financial_year").groupby("anchor_id", sort=False)):
        colour = theme.DARK_BLUE if aid == "_all" else theme.PALETTE[1 + i % 5]
        fig.add_trace(go.Scatter(x=d["financial_year"], y=d[col], mode="lines+markers", name=names.get(aid, aid),
                                 connectgaps=False, line=dict(color=colour, width=4 if aid == "_all" else 2),
                                 hovertemplate=f"{names.get(aid, aid)}<br>%{{x}}: %{{y:.1f}}%<extra></extra>"))
        last = d.dropna(subset=[col]).tail(1)
        if len(last):
            fig.add_annotation(x=last["financial_year"].iloc[0], y=last[col].iloc[0], text=f" {last[col].iloc[0]:.1f}%",
                               showarrow=False, xanchor="left", font=dict(color=colour, size=13))
    fig.update_xaxes(title="Financial year (staff at 31 March)", type="category")
    fig.update_yaxes(title="%", ticksuffix="%", rangemode="tozero")
    fig.update_layout(height=420, legend=dict(orientation="h", y=-0.25, yanchor="top"), margin=dict(b=110, r=80))
    return theme.apply(fig, title)


def anchors_bar(df: pd.DataFrame, col: str, title: str, names: dict[str, str]) -> go.Figure:
    d = df[df["anchor_id"] != "_all"].copy()
    d["name"] = d["anchor_id"].map(names).str.replace(" (demo)", "", regex=False)
    d = d.sort_values(col, na_position="first")
    fig = go.Figure(go.Bar(x=d[col], y=d["name"], orientation="h", marker_color=theme.TURQUOISE,
                           text=[("suppressed" if pd.isna(v) else f"{v:.1f}%") for v in d[col]],
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:.1f}%<extra></extra>"))
    fig.update_xaxes(title="%", ticksuffix="%", range=[0, max(float(d[col].max() or 1) * 1.3, 1)])
    fig.update_yaxes(automargin=True)
    fig.update_layout(height=max(300, 80 + 50 * len(d)), showlegend=False)
    return theme.apply(fig, title)
