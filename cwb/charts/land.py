"""Land and property charts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cwb.charts import theme
from cwb.fmt import gbp

STATUS_COLOURS = {
    "operational": theme.DARK_BLUE,
    "community use": theme.TURQUOISE,
    "surplus": theme.ORANGE,
    "vacant": theme.DARK_PINK,
    "under-used": theme.LIGHT_PURPLE,
    "transferred": "#6BACE6",
    "disposed": theme.DARK_GREY,
    "not recorded": theme.LIGHT_GREY,
}
STATUS_RGB = {k: [int(v[1:3], 16), int(v[3:5], 16), int(v[5:7], 16)] for k, v in STATUS_COLOURS.items()}


def status_trend(df: pd.DataFrame, value: str, title: str) -> go.Figure:
    """Stacked bars of sites (or hectares) by status per year; each segment labelled in hover,
    statuses also told apart by pattern so colour is not the only cue."""
    patterns = ["", "/", "\\", "x", "-", "|", "+", "."]
    fig = go.Figure()
    for i, status in enumerate([s for s in STATUS_COLOURS if s in set(df["status"])]):
        d = df[df["status"] == status]
        fig.add_trace(
            go.Bar(
                x=d["financial_year"],
                y=d[value],
                name=status.capitalize(),
                marker_color=STATUS_COLOURS[status],
                marker_pattern_shape=patterns[i % len(patterns)],
                hovertemplate=f"{status}<br>%{{x}}: %{{y:,.1f}}<extra></extra>",
            )
        )
    # the legend above the plot (under it, it sat on the years and the axis title in a half-width
    # column); the years may turn in a narrow column, the axis then takes the room they need
    fig.update_layout(
        barmode="stack",
        height=440,
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, entrywidth=130, entrywidthmode="pixels"),
        margin=dict(b=60),
    )
    fig.update_xaxes(title="Financial year", type="category", automargin=True, tickfont=dict(size=13))
    fig.update_yaxes(title="Sites" if value == "sites" else "Hectares")
    return theme.apply(fig, title)


def disposals(df: pd.DataFrame, title: str) -> go.Figure:
    """Hectares disposed by route. Each bar carries its hectares; the route's label carries its
    sites and value on a second line, so the bar text stays short enough to fit beside the bar in
    a half-width column or on a phone (one long text ran past the chart's edge)."""
    d = (
        df.groupby("disposal_route", as_index=False)[["sites", "area_ha", "value_gbp"]]
        .sum()
        .sort_values("area_ha")
    )
    labels = [
        f"{theme.wrap_label(str(r).capitalize(), 18)}<br><span style='font-size:12px;color:{theme.DARK_GREY}'>"
        f"{int(n)} sites · {gbp(v)}</span>"
        for r, n, v in zip(d["disposal_route"], d["sites"], d["value_gbp"].astype(float))
    ]
    texts = [f"{h:.1f} ha" for h in d["area_ha"]]
    fig = go.Figure(
        go.Bar(
            x=d["area_ha"],
            y=labels,
            orientation="h",
            marker_color=theme.TURQUOISE,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{x:.1f} ha<extra></extra>",
        )
    )
    # the bar texts sit in a right margin as wide as the longest, so none is cut off however narrow the column
    fig.update_xaxes(title="Hectares disposed", range=[0, max(float(d["area_ha"].max() or 1) * 1.04, 1)])
    fig.update_yaxes(automargin=True)
    fig.update_layout(
        height=max(260, 80 + 64 * len(d)),
        showlegend=False,
        margin=dict(l=20, r=int(max((len(t) for t in texts), default=0) * 15 * 0.55) + 16),
        meta={"cwb_escaped": True},
    )  # labels escaped above, with markup of our own
    return theme.apply(fig, title)


def use_colours(uses: list[str]) -> dict[str, list[int]]:
    """A colour per use (the palette in turn; uses beyond it share grey)."""
    pal = [
        theme.DARK_BLUE,
        theme.TURQUOISE,
        theme.ORANGE,
        theme.DARK_PINK,
        theme.LIGHT_PURPLE,
        "#6BACE6",
        "#3D3D3D",
    ]
    out = {}
    for i, u in enumerate(uses):
        h = pal[i] if i < len(pal) else theme.LIGHT_GREY
        out[u] = [int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)]
    return out


def site_points(
    sites: pd.DataFrame, colour_by: str, names: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Located sites for the map: lat, lon, plain-text tooltip (names come from files; deck.gl
    shows tooltips as text), area (ha, for the size) and fill; plus the legend (label -> colour)."""
    from cwb import maps

    pts = sites.dropna(subset=["lat", "lon"]).copy()
    if colour_by == "use":
        top = pts["use_type"].fillna("not recorded").value_counts().index.tolist()
        col = use_colours(top[:7])
        pts["fill"] = [col.get(u, [200, 200, 200]) for u in pts["use_type"].fillna("not recorded")]
        legend = {**{u: col[u] for u in top[:7]}, **({"other uses": [200, 200, 200]} if len(top) > 7 else {})}
    else:
        pts["fill"] = [STATUS_RGB.get(s, maps.GREY) for s in pts["status"]]
        legend = {s: STATUS_RGB[s] for s in STATUS_COLOURS if s in set(pts["status"])}
    pts["tooltip"] = [
        maps.tip(
            n,
            names.get(a, a),
            f"{u or 'use not recorded'} · {t or 'tenure not recorded'} · {s}",
            f"{h:.2f} ha" if pd.notna(h) else "land area not recorded",
            f"{fa:,.0f} m² floor area" if pd.notna(fa) else None,
            f"UPRN {up}" if up else None,
            f"IMD decile {int(dc)}" if pd.notna(dc) else None,
            f"Located by {p}",
        )
        for n, a, u, t, s, h, fa, up, dc, p in zip(
            pts["site_name"],
            pts["anchor_id"],
            pts["use_type"],
            pts["tenure"],
            pts["status"],
            pts["area_ha"],
            pts["floor_area_m2"],
            pts["uprn"],
            pts["imd_decile"],
            pts["location_precision"],
        )
    ]
    pts["area"] = pts["area_ha"].fillna(0).astype(float)
    return pts[["lat", "lon", "tooltip", "area", "fill"]], legend


def legend_html(legend: dict[str, list[int]], title: str = "Sites", imd_edition: str | None = None) -> str:
    """The land map's colour key (labels escaped): a coloured dot per status or use, and the
    deprivation shades when that layer is on."""
    import html

    from cwb import maps

    dots = " ".join(
        f"<span style='white-space:nowrap'><span style='color:rgb({c[0]},{c[1]},{c[2]});font-size:1.3em'>●</span> "
        f"{html.escape(str(k))}</span>&nbsp;&nbsp;"
        for k, c in legend.items()
    )
    imd = ""
    if imd_edition:
        sw = "display:inline-block;width:1.4em;height:0.9em;vertical-align:-0.1em;border:1px solid #777;margin-right:0.3em"
        imd = f"<br><b>Areas: IMD {html.escape(imd_edition)} decile</b>&nbsp; " + " ".join(
            f"<span style='white-space:nowrap'><span style='{sw};background:{maps.rgb_hex(c)}'></span>{html.escape(t)}</span>"
            for c, t in maps.IMD_LEGEND
        )
    return (
        f"<div role='note' aria-label='Map key' style='line-height:1.9'><b>{html.escape(title)}</b>&nbsp; {dots}"
        "<span style='white-space:nowrap'>circle size: land area</span>" + imd + "</div>"
    )


def site_picture(
    pts: pd.DataFrame,
    legend: dict[str, list[int]],
    title: str,
    context: pd.DataFrame,
    labels: pd.DataFrame,
    bounds,
    imd_areas: pd.DataFrame | None = None,
):
    """The land map as a cwb.maps.MapPicture (for the PNG): sites as circles sized by land
    area, over the deprivation shades when given (area_code, wkb, imd_decile)."""
    import numpy as np

    from cwb import maps

    areas = pd.DataFrame(columns=["area_code", "wkb", "fill", "tooltip"])
    items = [(c, k) for k, c in legend.items()]
    if imd_areas is not None and len(imd_areas):
        areas = imd_areas.assign(
            fill=[
                maps.IMD[int(d) - 1] + [210] if pd.notna(d) else maps.GREY + [120]
                for d in imd_areas["imd_decile"]
            ],
            tooltip="",
        )[["area_code", "wkb", "fill", "tooltip"]]
    size = pts["area"].astype(float).clip(lower=0)
    circles = pd.DataFrame(
        {
            "lon": pts["lon"],
            "lat": pts["lat"],
            "fill": pts["fill"],
            "tooltip": pts["tooltip"],
            "radius_px": 3 + 9 * np.sqrt(size / max(float(size.max() or 0), 1e-9)) if len(pts) else [],
        }
    )
    pic = maps.MapPicture(
        areas=areas,
        context=context,
        labels=labels,
        sites=pd.DataFrame(columns=["lon", "lat", "name", "tooltip"]),
        legend=[],
        legend_title=title,
        bounds=bounds,
        circles=circles,
        circles_legend="",
    )
    return pic, items


def site_figure(pic, items: list[tuple[list[int], str]]):
    """The PNG figure of the land map: the sites coloured as on screen, one legend entry per
    colour (plotly draws the key)."""
    from cwb import maps

    fig = maps.to_figure(pic)
    for c, label in items:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=label,
                showlegend=True,
                hoverinfo="skip",
                marker=dict(
                    symbol="circle", size=12, color=maps.rgb_hex(c), line=dict(color="white", width=1)
                ),
            )
        )
    return fig


def breakdown(
    df: pd.DataFrame, value: str, title: str, imd: bool, labels: dict[str, str] | None = None
) -> go.Figure:
    """Sites or hectares held by category; with IMD loaded, the part in decile 1-2 areas is a
    separate (darker, hatched) segment so C9 reads off the same bars."""
    labels = labels or {}
    d = df.copy()
    d["label"] = d["category"].map(lambda c: labels.get(c, c))
    d = d.sort_values(value).tail(15)
    unit = "sites" if value == "sites" else "ha"
    fig = go.Figure()
    if imd:
        dep = d["sites_deprived" if value == "sites" else "area_ha_deprived"].astype(float)
        fig.add_trace(
            go.Bar(
                y=d["label"],
                x=dep,
                orientation="h",
                name="in IMD decile 1-2 areas",
                marker_color=theme.DARK_PINK,
                marker_pattern_shape="/",
                hovertemplate=f"%{{y}}: %{{x:,.1f}} {unit} in decile 1-2 areas<extra></extra>",
            )
        )
        fig.add_trace(
            go.Bar(
                y=d["label"],
                x=d[value].astype(float) - dep,
                orientation="h",
                name="elsewhere",
                marker_color=theme.DARK_BLUE,
                hovertemplate=f"%{{y}}: %{{x:,.1f}} {unit} elsewhere<extra></extra>",
            )
        )
    else:
        fig.add_trace(
            go.Bar(
                y=d["label"],
                x=d[value].astype(float),
                orientation="h",
                name=unit,
                marker_color=theme.DARK_BLUE,
                hovertemplate=f"%{{y}}: %{{x:,.1f}} {unit}<extra></extra>",
            )
        )
    tot = d[value].astype(float)
    fig.add_trace(
        go.Scatter(
            y=d["label"],
            x=tot,
            mode="text",
            text=[f"  {v:,.0f}" if unit == "sites" else f"  {v:,.1f}" for v in tot],
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        barmode="stack",
        height=max(300, 90 + 32 * len(d)),
        legend=dict(orientation="h", y=-0.15, yanchor="top"),
        margin=dict(r=60),
    )
    fig.update_xaxes(
        title="Sites" if unit == "sites" else "Hectares", range=[0, float(tot.max() or 1) * 1.18]
    )
    fig.update_yaxes(automargin=True)
    return theme.apply(fig, title)
