"""pydeck maps with no basemap (no network requests): area polygons, points, outlines.

Tooltips are plain text (``tooltip={"text": ...}``): deck.gl sets them with innerText, so names
from data files (suppliers, sites, areas) can never become markup. Build tooltip strings with
:func:`tip` (lines joined by newlines), never HTML.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

# sequential light -> dark blue (ends at the palette's dark blue), 5 classes
BLUES = [[222, 235, 247], [158, 202, 225], [66, 146, 198], [33, 113, 181], [18, 67, 109]]
# IMD decile 1 (most deprived) dark pink -> 10 light
IMD = [[128, 22, 80], [160, 60, 110], [190, 100, 140], [215, 140, 170], [235, 180, 200],
       [220, 220, 230], [200, 210, 225], [170, 190, 215], [130, 160, 200], [90, 130, 185]]
GREY = [200, 200, 200]


def features(df: pd.DataFrame, props: list[str]) -> list[dict]:
    """GeoJSON features from a frame with a 'wkb' column and the given property columns."""
    geoms = shapely.from_wkb(df["wkb"].to_numpy())
    out = []
    for g, rec in zip(geoms, df[props].to_dict("records")):
        if g is None or g.is_empty:
            continue
        out.append({"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": rec})
    return out


def view_for(df: pd.DataFrame | None = None, lat: str = "lat", lon: str = "lon",
             bounds: tuple[float, float, float, float] | None = None) -> pdk.ViewState:
    """A view that fits the bounds (minx, miny, maxx, maxy) or the points."""
    if bounds is None and df is not None and len(df):
        bounds = (df[lon].min(), df[lat].min(), df[lon].max(), df[lat].max())
    if bounds is None:
        return pdk.ViewState(latitude=54.0, longitude=-2.5, zoom=5)
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, (maxy - miny) * 1.6, 0.01)
    zoom = float(np.clip(np.log2(360 / span) + 0.2, 4, 14))
    return pdk.ViewState(latitude=(miny + maxy) / 2, longitude=(minx + maxx) / 2, zoom=zoom)


def classes(values: pd.Series, n: int = 5) -> tuple[np.ndarray, list[float]]:
    """Quantile classes 0..n-1 and their upper bounds (for the legend)."""
    v = values.astype(float).to_numpy()
    if len(v) == 0:
        return np.array([], dtype=int), []
    qs = np.unique(np.quantile(v, np.linspace(0, 1, n + 1)[1:-1]))
    idx = np.searchsorted(qs, v, side="right")
    return idx, [*qs.tolist(), float(v.max())]


def area_layer(areas: pd.DataFrame, colour_by: str, layer_id: str = "areas") -> pdk.Layer:
    """Filled polygons. ``areas``: area_code, wkb, spend_gbp, tooltip (escaped), imd_decile."""
    a = areas.copy()
    if colour_by == "imd_decile":
        a["fill"] = [IMD[int(d) - 1] + [210] if pd.notna(d) else GREY + [120] for d in a["imd_decile"]]
    else:
        idx, _ = classes(a["spend_gbp"])
        a["fill"] = [BLUES[min(i, 4)] + [215] for i in idx]
    feats = features(a, ["area_code", "tooltip", "fill"])
    return pdk.Layer(
        "GeoJsonLayer", {"type": "FeatureCollection", "features": feats}, id=layer_id,
        pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
        get_line_color=[255, 255, 255], line_width_min_pixels=0.5, auto_highlight=True,
    )


def outline_layer(outlines: pd.DataFrame, layer_id: str = "outlines") -> pdk.Layer:
    o = outlines.copy()
    o["tooltip"] = ""
    feats = features(o, ["area_code", "tooltip"])
    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": feats}, id=layer_id,
                     pickable=False, stroked=True, filled=True, get_fill_color=[245, 245, 245, 255],
                     get_line_color=[120, 120, 120], line_width_min_pixels=1)


def point_layer(points: pd.DataFrame, layer_id: str = "points", colour=(244, 106, 37),
                radius_col: str | None = None, fill_col: str | None = None) -> pdk.Layer:
    p = points.dropna(subset=["lat", "lon"]).copy()
    if radius_col:
        v = p[radius_col].astype(float).clip(lower=0)
        p["radius"] = 60 + 900 * np.sqrt(v / max(v.max(), 1))
    else:
        p["radius"] = 120
    return pdk.Layer("ScatterplotLayer", p, id=layer_id, pickable=True, get_position=["lon", "lat"],
                     get_radius="radius", radius_min_pixels=2, radius_max_pixels=30,
                     get_fill_color=fill_col or (list(colour) + [200]), get_line_color=[255, 255, 255],
                     stroked=True, line_width_min_pixels=1)


def deck(layers: list[pdk.Layer], view: pdk.ViewState) -> pdk.Deck:
    """A deck with no basemap at all (map_provider=None, no map_style): nothing is fetched."""
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None,
                    tooltip={"text": "{tooltip}", "style": {"fontSize": "14px", "maxWidth": "380px",
                                                            "whiteSpace": "pre-line"}})


def tip(*lines) -> str:
    """A plain-text tooltip: the non-empty lines joined by newlines."""
    return "\n".join(str(x) for x in lines if x is not None and not (isinstance(x, float) and np.isnan(x)) and str(x) != "")
