"""Land and property charts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cwb.charts import theme

STATUS_COLOURS = {
    "operational": theme.DARK_BLUE, "community use": theme.TURQUOISE, "surplus": theme.ORANGE,
    "vacant": theme.DARK_PINK, "under-used": theme.LIGHT_PURPLE, "transferred": "#6BACE6",
    "disposed": theme.DARK_GREY, "not recorded": theme.LIGHT_GREY,
}
STATUS_RGB = {k: [int(v[1:3], 16), int(v[3:5], 16), int(v[5:7], 16)] for k, v in STATUS_COLOURS.items()}


def status_trend(df: pd.DataFrame, value: str, title: str) -> go.Figure:
    """Stacked bars of sites (or hectares) by status per year; each segment labelled in hover,
    statuses also told apart by pattern so colour is not the only cue."""
    patterns = ["", "/", "\\", "x", "-", "|", "+", "."]
    fig = go.Figure()
    for i, status in enumerate([s for s in STATUS_COLOURS if s in set(df["status"])]):
        d = df[df["status"] == status]
        fig.add_trace(go.Bar(x=d["financial_year"], y=d[value], name=status.capitalize(),
                             marker_color=STATUS_COLOURS[status], marker_pattern_shape=patterns[i % len(patterns)],
                             hovertemplate=f"{status}<br>%{{x}}: %{{y:,.1f}}<extra></extra>"))
    fig.update_layout(barmode="stack", height=420, legend=dict(orientation="h", y=-0.22, yanchor="top"),
                      margin=dict(b=120))
    fig.update_xaxes(title="Financial year", type="category")
    fig.update_yaxes(title="Sites" if value == "sites" else "Hectares")
    return theme.apply(fig, title)


def disposals(df: pd.DataFrame, title: str) -> go.Figure:
    d = df.groupby("disposal_route", as_index=False)[["sites", "area_ha", "value_gbp"]].sum().sort_values("area_ha")
    fig = go.Figure(go.Bar(x=d["area_ha"], y=d["disposal_route"].str.capitalize(), orientation="h",
                           marker_color=theme.TURQUOISE,
                           text=[f"{h:.1f} ha · {int(n)} sites · £{v / 1e6:.2f}m" for h, n, v in zip(d["area_ha"], d["sites"], d["value_gbp"].astype(float))],
                           textposition="outside", cliponaxis=False))
    fig.update_xaxes(title="Hectares disposed", range=[0, max(float(d["area_ha"].max() or 1) * 2.6, 1)])
    fig.update_yaxes(automargin=True)
    fig.update_layout(height=max(260, 80 + 55 * len(d)), showlegend=False)
    return theme.apply(fig, title)
