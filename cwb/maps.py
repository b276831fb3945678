"""pydeck maps with no basemap (no network requests): area polygons, points, outlines.

Tooltips are plain text (``tooltip={"text": ...}``): deck.gl sets them with innerText, so names
from data files (suppliers, sites, areas) can never become markup. Build tooltip strings with
:func:`tip` (lines joined by newlines), never HTML.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import shapely

from cwb import fmt

# sequential light -> dark blue (ends at the palette's dark blue), 5 classes
BLUES = [[222, 235, 247], [158, 202, 225], [66, 146, 198], [33, 113, 181], [18, 67, 109]]
# IMD decile 1 (most deprived) dark pink -> 10 light
IMD = [
    [128, 22, 80],
    [160, 60, 110],
    [190, 100, 140],
    [215, 140, 170],
    [235, 180, 200],
    [220, 220, 230],
    [200, 210, 225],
    [170, 190, 215],
    [130, 160, 200],
    [90, 130, 185],
]
GREY = [200, 200, 200]


def features(df: pd.DataFrame, props: list[str]) -> list[dict]:
    """GeoJSON features from a frame with a 'wkb' column and the given property columns."""
    geoms = shapely.from_wkb(df["wkb"].to_numpy())
    # 5 decimals of a degree is about 1 m: the same shapes in half the JSON sent to the browser
    geoms = shapely.set_precision(geoms, 1e-5, mode="pointwise")
    out = []
    for g, rec in zip(geoms, df[props].to_dict("records")):
        if g is None or g.is_empty:
            continue
        out.append({"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": rec})
    return out


def view_for(
    df: pd.DataFrame | None = None,
    lat: str = "lat",
    lon: str = "lon",
    bounds: tuple[float, float, float, float] | None = None,
) -> pdk.ViewState:
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
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": feats},
        id=layer_id,
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255],
        line_width_min_pixels=0.5,
        auto_highlight=True,
    )


def outline_layer(outlines: pd.DataFrame, layer_id: str = "outlines") -> pdk.Layer:
    o = outlines.copy()
    o["tooltip"] = ""
    feats = features(o, ["area_code", "tooltip"])
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": feats},
        id=layer_id,
        pickable=False,
        stroked=True,
        filled=True,
        get_fill_color=[245, 245, 245, 255],
        get_line_color=[120, 120, 120],
        line_width_min_pixels=1,
    )


def point_layer(
    points: pd.DataFrame,
    layer_id: str = "points",
    colour=(244, 106, 37),
    radius_col: str | None = None,
    fill_col: str | None = None,
) -> pdk.Layer:
    p = points.dropna(subset=["lat", "lon"]).copy()
    if radius_col:
        v = p[radius_col].astype(float).clip(lower=0)
        p["radius"] = 60 + 900 * np.sqrt(v / max(v.max(), 1))
    else:
        p["radius"] = 120
    return pdk.Layer(
        "ScatterplotLayer",
        p,
        id=layer_id,
        pickable=True,
        get_position=["lon", "lat"],
        get_radius="radius",
        radius_min_pixels=2,
        radius_max_pixels=30,
        get_fill_color=fill_col or (list(colour) + [200]),
        get_line_color=[255, 255, 255],
        stroked=True,
        line_width_min_pixels=1,
    )


def deck(layers: list[pdk.Layer], view: pdk.ViewState) -> pdk.Deck:
    """A deck with no basemap at all (map_provider=None, no map_style): nothing is fetched."""
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip={
            "text": "{tooltip}",
            "style": {"fontSize": "14px", "maxWidth": "380px", "whiteSpace": "pre-line"},
        },
    )


def tip(*lines) -> str:
    """A plain-text tooltip: the non-empty lines joined by newlines."""
    return "\n".join(
        str(x) for x in lines if x is not None and not (isinstance(x, float) and np.isnan(x)) and str(x) != ""
    )


# -- what a map shows, drawn twice: interactively (pydeck) and as an image (plotly) --------------

MERGED = [190, 190, 190]  # a group of small areas merged (its figure is in the tooltip)
HIDDEN = [232, 232, 232]  # an area whose figure may not be shown
SITE = [128, 22, 80]  # anchor sites: dark pink dots with a white edge
LABEL_COLOURS = {"local": [11, 12, 12], "wider": [40, 40, 40], "other": [95, 95, 95], "town": [60, 60, 60]}
LABEL_SIZES = {"local": 16, "wider": 13, "other": 12, "town": 12}


def rgb_hex(c) -> str:
    return "#{:02x}{:02x}{:02x}".format(*[int(x) for x in c[:3]])


@dataclass
class MapPicture:
    """Everything one map shows, so the screen (pydeck) and the PNG (plotly) draw the same thing.

    ``areas``: area_code, wkb, fill ([r, g, b, a]), tooltip (plain text);
    ``context``: area_code, wkb (district outlines under the areas);
    ``labels``: lon, lat, text, kind (local / wider / other / town), already decluttered;
    ``sites``: lon, lat, name, tooltip (the anchors); ``circles``: lon, lat, fill, tooltip, radius_px
    (areas without a boundary, or points such as suppliers and land sites);
    ``legend``: (colour, label) pairs; ``legend_title``; ``bounds`` (minx, miny, maxx, maxy)."""

    areas: pd.DataFrame
    context: pd.DataFrame
    labels: pd.DataFrame
    sites: pd.DataFrame
    legend: list[tuple[list[int], str]]
    legend_title: str
    bounds: tuple[float, float, float, float] | None
    circles: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["lon", "lat", "fill", "tooltip", "radius_px"])
    )
    circles_legend: str = ""


# -- classes and legend ------------------------------------------------------------------------
def class_fills(values: pd.Series, n: int = 5) -> tuple[list[list[int]], list[float]]:
    """Fill colours (five blue quantile classes) and the classes' upper bounds."""
    idx, bounds = classes(values, n)
    return [BLUES[min(int(i), len(BLUES) - 1)] + [215] for i in idx], bounds


def gbp_legend(values: pd.Series, n: int = 5) -> list[tuple[list[int], str]]:
    """Legend entries for :func:`class_fills` of money: '£12k – £48k' per class."""
    v = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    if v.empty:
        return []
    _, bounds = classes(v, n)
    out, lo = [], float(v.min())
    for i, hi in enumerate(bounds):
        text = fmt.gbp(hi) if fmt.gbp(lo) == fmt.gbp(hi) else f"{fmt.gbp(lo)} – {fmt.gbp(hi)}"
        out.append((BLUES[min(i, len(BLUES) - 1)], text))
        lo = hi
    return out


def legend_html(title: str, items: list[tuple[list[int], str]], extra: Sequence[tuple[str, str]] = ()) -> str:
    """The colour key as HTML (every label escaped). ``extra``: (css swatch style, label)."""
    sw = "display:inline-block;width:1.6em;height:0.95em;vertical-align:-0.1em;border:1px solid #777;margin-right:0.35em"
    parts = [
        f"<span style='white-space:nowrap'><span style='{sw};background:{rgb_hex(c)}'></span>{_html.escape(t)}</span>"
        for c, t in items
    ]
    parts += [
        f"<span style='white-space:nowrap'><span style='{sw};{style}'></span>{_html.escape(t)}</span>"
        for style, t in extra
    ]
    return (
        f"<div role='note' aria-label='Map key' style='line-height:1.9'><b>{_html.escape(title)}</b>&nbsp; "
        + " &nbsp; ".join(parts)
        + "</div>"
    )


SITE_SWATCH = (
    f"background:{rgb_hex(SITE)};border-radius:50%;width:0.95em;border:2px solid white;outline:1px solid #777"
)
MERGED_SWATCH = f"background:{rgb_hex(MERGED)}"
HIDDEN_SWATCH = f"background:{rgb_hex(HIDDEN)}"


# -- the minimum-suppliers rule ------------------------------------------------------------------
def min_suppliers() -> int:
    from cwb import config

    return max(int(config.get("CWB_MAP_MIN_SUPPLIERS")), 1)


def protect_suppliers(
    areas: pd.DataFrame, n: int, parents: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, dict]:
    """Spend by area for a viewer without supplier detail of every anchor in it: an area with
    fewer than ``n`` suppliers would let one supplier's spend be read off the map. Such areas are
    merged with the other small areas of their parent (an LSOA's MSOA, then its district; an
    MSOA's district) once the group has ``n`` suppliers; what is still below ``n`` is shown with
    no figure at all.

    ``areas``: area_code, spend_gbp, n_suppliers; ``parents``: area_code and one column per
    parent level, nearest first. Returns rows area_code (the parent for a merged group),
    members (list of area codes), kind ('area' | 'merged' | 'hidden'), spend_gbp and n_suppliers
    (NaN when hidden), and a summary."""
    d = areas[["area_code", "spend_gbp", "n_suppliers"]].copy()
    d["spend_gbp"] = pd.to_numeric(d["spend_gbp"], errors="coerce").astype(float)
    d["n_suppliers"] = pd.to_numeric(d["n_suppliers"], errors="coerce").fillna(0).astype(int)
    big = d["n_suppliers"] >= n
    shown = d[big].assign(members=[[c] for c in d.loc[big, "area_code"]], kind="area")
    rest = d[~big]
    levels = [c for c in (parents.columns if parents is not None else []) if c != "area_code"]
    look = parents.drop_duplicates("area_code").set_index("area_code") if parents is not None else None
    groups = []
    for col in levels:
        if rest.empty:
            break
        par = (
            rest["area_code"].map(look[col])
            if look is not None
            else pd.Series(index=rest.index, dtype=object)
        )
        r = rest.assign(parent=par.to_numpy()).dropna(subset=["parent"])
        g = (
            r.groupby("parent")
            .agg(
                spend_gbp=("spend_gbp", "sum"),
                n_suppliers=("n_suppliers", "sum"),
                members=("area_code", list),
            )
            .reset_index()
        )
        g = g[g["n_suppliers"] >= n]
        if len(g):
            groups.append(g.rename(columns={"parent": "area_code"}).assign(kind="merged"))
            done = {c for m in g["members"] for c in m}
            rest = rest[~rest["area_code"].isin(done)]
    hidden = rest.assign(
        members=[[c] for c in rest["area_code"]], kind="hidden", spend_gbp=np.nan, n_suppliers=np.nan
    )
    out = pd.concat([shown, *groups, hidden], ignore_index=True)[
        ["area_code", "members", "kind", "spend_gbp", "n_suppliers"]
    ]
    hidden_n = int(rest["n_suppliers"].sum())
    summary = {
        "n": n,
        "areas_merged": int(sum(len(m) for g in groups for m in g["members"])),
        "groups_merged": int(sum(len(g) for g in groups)),
        "areas_hidden": int(len(rest)),
        # the hidden areas' total is itself a figure: given only when it covers n suppliers
        "hidden_gbp": float(rest["spend_gbp"].sum()) if len(rest) and hidden_n >= n else None,
    }
    return out, summary


def suppliers_note(summary: dict) -> str:
    n = summary["n"]
    parts = []
    if summary["groups_merged"]:
        parts.append(
            f"{summary['areas_merged']:,} areas with fewer than {n} suppliers are merged (grey) into "
            f"{summary['groups_merged']:,} groups within their MSOA or district"
        )
    if summary["areas_hidden"]:
        parts.append(
            f"{summary['areas_hidden']:,} areas with fewer than {n} suppliers even when merged are shown "
            "without a figure (light grey)"
            + (f", together {fmt.gbp(summary['hidden_gbp'])}" if summary.get("hidden_gbp") else "")
        )
    return (
        (
            f"Areas with fewer than {n} suppliers are never shown on their own, so no supplier's spend can be read off "
            "the map: " + "; ".join(parts) + "."
        )
        if parts
        else f"Every area shown has at least {n} suppliers."
    )


# -- place names ---------------------------------------------------------------------------------
def district_labels(
    lad_shapes: pd.DataFrame,
    names: dict[str, str],
    local: list[str],
    wider: list[str],
    bounds: tuple[float, float, float, float] | None = None,
) -> pd.DataFrame:
    """A label per district inside ``bounds``: the local districts, the wider area's, then the
    neighbours seen on the map (kind local / wider / other), at a point inside each shape."""
    if lad_shapes.empty:
        return pd.DataFrame(columns=["lon", "lat", "text", "kind"])
    g = shapely.from_wkb(lad_shapes["wkb"].to_numpy())
    pts = shapely.point_on_surface(g)
    df = pd.DataFrame(
        {"code": lad_shapes["area_code"].to_numpy(), "lon": shapely.get_x(pts), "lat": shapely.get_y(pts)}
    )
    df["text"] = df["code"].map(names)
    df = df.dropna(subset=["text"])
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        df = df[df["lon"].between(minx, maxx) & df["lat"].between(miny, maxy)]
    loc, wid = set(local), set(wider)
    df["kind"] = ["local" if c in loc else "wider" if c in wid else "other" for c in df["code"]]
    return df[["lon", "lat", "text", "kind"]].reset_index(drop=True)


_COMPASS = {
    "north",
    "south",
    "east",
    "west",
    "central",
    "mid",
    "inner",
    "outer",
    "city",
    "of",
    "upper",
    "lower",
}


def town_labels(bounds: tuple[float, float, float, float], skip: set[str] | None = None) -> pd.DataFrame:
    """Names of towns inside ``bounds``, derived from the parliamentary constituencies shipped
    with the ``geocode`` package (names and centroids, ONS): compass words are dropped
    ('Bolton North East' -> 'Bolton'), compound names ('X and Y') skipped (their centroid is
    between places), names starting with one ('South Ribble') skipped, and names already used
    or part of one (``skip``, e.g. the districts: 'Ribble' of 'Ribble Valley') skipped."""
    from importlib import resources

    try:
        path = resources.files("geocode").joinpath("ons", "constituency_centroids.psv")
        raw = pd.read_csv(str(path), sep="|", header=None, names=["code", "name", "lon", "lat"])
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return pd.DataFrame(columns=["lon", "lat", "text", "kind"])
    minx, miny, maxx, maxy = bounds
    raw = raw[raw["lon"].between(minx, maxx) & raw["lat"].between(miny, maxy)]
    seen = {s.lower() for s in (skip or set())}
    rows = []
    for name, lon, lat in zip(raw["name"], raw["lon"], raw["lat"]):
        name = str(name)
        if " and " in name or "," in name or "&" in name:
            continue
        words = name.split()
        if not words or words[0].lower() in _COMPASS:  # 'South Ribble', 'West Lancashire': not a town
            continue
        while words and words[-1].lower() in _COMPASS:  # 'Bolton North East' -> 'Bolton'
            words.pop()
        t = " ".join(words)
        if not t or t.lower() in seen or any(f" {t.lower()} " in f" {s_} " for s_ in seen):
            continue
        seen.add(t.lower())
        rows.append({"lon": float(lon), "lat": float(lat), "text": t, "kind": "town"})
    return pd.DataFrame(rows, columns=["lon", "lat", "text", "kind"])


def _mercator(lon, lat, zoom):
    scale = 512 * 2**zoom / (2 * math.pi)
    x = scale * (np.radians(lon) + math.pi)
    y = scale * (math.pi - np.log(np.tan(math.pi / 4 + np.radians(lat) / 2)))
    return x, y


def declutter(labels: pd.DataFrame, zoom: float, max_labels: int = 40) -> pd.DataFrame:
    """Keep the labels that do not overlap at ``zoom`` (local first, then wider, towns, others)."""
    if labels.empty:
        return labels
    order = {"local": 0, "wider": 1, "town": 2, "other": 3}
    d = labels.assign(_o=labels["kind"].map(order).fillna(9)).sort_values(["_o", "text"]).drop(columns="_o")
    x, y = _mercator(d["lon"].to_numpy(float), d["lat"].to_numpy(float), zoom)
    boxes: list[tuple[float, float, float, float]] = []
    keep: list = []
    for i, (t, k, xi, yi) in enumerate(zip(d["text"], d["kind"], x, y)):
        size = LABEL_SIZES.get(k, 12)
        w, h = 0.58 * size * len(str(t)) / 2 + 4, 0.75 * size + 3
        b = (xi - w, yi - h, xi + w, yi + h)
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in boxes):
            continue
        boxes.append(b)
        keep.append(i)
        if len(keep) >= max_labels:
            break
    return d.iloc[keep].reset_index(drop=True)


def context_bounds(context: pd.DataFrame) -> tuple[float, float, float, float] | None:
    if context is None or context.empty:
        return None
    x0, y0, x1, y1 = (float(x) for x in shapely.total_bounds(shapely.from_wkb(context["wkb"].to_numpy())))
    return x0, y0, x1, y1


def with_values(shapes: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Area shapes joined to a query's rows by ``area_code`` (an area without a shape is not
    drawn)."""
    return shapes.merge(values, on="area_code")


def drawn_bounds(
    *shape_frames: pd.DataFrame, points: pd.DataFrame | None = None
) -> tuple[float, float, float, float] | None:
    """The extent of every shape in ``shape_frames`` (frames with a ``wkb`` column) and of
    ``points`` (``lat``/``lon``): what a whole-UK map must show."""
    frames = [f[["wkb"]] for f in shape_frames if f is not None and len(f)]
    bounds = context_bounds(pd.concat(frames)) if frames else None
    if points is not None and len(points):
        px = (float(points["lon"].min()), float(points["lat"].min()))
        py = (float(points["lon"].max()), float(points["lat"].max()))
        if bounds is None:
            return px[0], px[1], py[0], py[1]
        bounds = (min(bounds[0], px[0]), min(bounds[1], px[1]), max(bounds[2], py[0]), max(bounds[3], py[1]))
    return bounds


def in_bounds(shapes_df: pd.DataFrame, bounds, pad: float = 0.0) -> pd.DataFrame:
    """The shapes whose extent touches ``bounds`` (widened by ``pad`` degrees)."""
    if bounds is None or shapes_df.empty:
        return shapes_df
    g = shapely.from_wkb(shapes_df["wkb"].to_numpy())
    box = shapely.box(bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    return shapes_df[shapely.intersects(g, box)]


# -- drawing: pydeck ------------------------------------------------------------------------------
def filled_layer(areas: pd.DataFrame, layer_id: str = "areas", pickable: bool = True) -> pdk.Layer:
    """Polygons with their own ``fill`` colour and plain-text ``tooltip``."""
    feats = features(areas, ["area_code", "tooltip", "fill"])
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": feats},
        id=layer_id,
        pickable=pickable,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255],
        line_width_min_pixels=0.5,
        auto_highlight=pickable,
    )


def text_layer(labels: pd.DataFrame, layer_id: str = "labels") -> pdk.Layer:
    d = labels.copy()
    d["color"] = [LABEL_COLOURS.get(k, [60, 60, 60]) + [255] for k in d["kind"]]
    d["size"] = [LABEL_SIZES.get(k, 12) for k in d["kind"]]
    d["weight"] = ["bold" if k == "local" else "normal" for k in d["kind"]]
    return pdk.Layer(
        "TextLayer",
        d[["lon", "lat", "text", "color", "size"]],
        id=layer_id,
        pickable=False,
        get_position=["lon", "lat"],
        get_text="text",
        get_color="color",
        get_size="size",
        size_units='"pixels"',
        get_text_anchor='"middle"',
        get_alignment_baseline='"center"',
        font_family='"Liberation Sans, Arial, Helvetica, sans-serif"',
        character_set='"auto"',
        background=True,
        get_background_color=[255, 255, 255, 170],
        background_padding=[3, 1, 3, 1],
    )


def sites_layer(sites: pd.DataFrame, layer_id: str = "anchor_sites") -> pdk.Layer:
    s = sites.dropna(subset=["lat", "lon"])
    return pdk.Layer(
        "ScatterplotLayer",
        s[["lon", "lat", "tooltip"]],
        id=layer_id,
        pickable=True,
        get_position=["lon", "lat"],
        get_radius=5,
        radius_units='"pixels"',
        get_fill_color=SITE + [255],
        get_line_color=[255, 255, 255],
        stroked=True,
        line_width_min_pixels=2,
    )


def circles_layer(c: pd.DataFrame, layer_id: str = "circles") -> pdk.Layer:
    d = c.dropna(subset=["lat", "lon"]).copy()
    d["fill"] = [list(f)[:3] + [list(f)[3] if len(f) > 3 else 220] for f in d["fill"]]
    return pdk.Layer(
        "ScatterplotLayer",
        d[["lon", "lat", "tooltip", "fill", "radius_px"]],
        id=layer_id,
        pickable=True,
        get_position=["lon", "lat"],
        get_radius="radius_px",
        radius_units='"pixels"',
        get_fill_color="fill",
        get_line_color=[255, 255, 255],
        stroked=True,
        line_width_min_pixels=1,
    )


def to_deck(pic: MapPicture, area_layer_id: str = "areas", extra: list[pdk.Layer] | None = None) -> pdk.Deck:
    layers = [outline_layer(pic.context)] if len(pic.context) else []
    if len(pic.areas):
        layers.append(filled_layer(pic.areas, area_layer_id))
    if len(pic.circles):
        layers.append(circles_layer(pic.circles))
    layers += list(extra or [])
    if len(pic.sites):
        layers.append(sites_layer(pic.sites))
    if len(pic.labels):
        layers.append(text_layer(pic.labels))
    return deck(layers, view_for(bounds=pic.bounds))


def zoom_for(bounds) -> float:
    return float(view_for(bounds=bounds).zoom) if bounds is not None else 5.0


# -- drawing: plotly (for the PNG / SVG through cwb.export) -------------------------------------
def ring_xy(wkbs, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The outer rings of the (multi)polygons, simplified by ``tol`` degrees, as x and y arrays
    with NaN between rings (plotly draws each as its own filled shape). Vectorised: a few
    thousand LSOAs take well under a second."""
    g = shapely.from_wkb(np.asarray(list(wkbs), dtype=object))
    g = g[~shapely.is_missing(g)]
    if tol > 0:
        g = shapely.simplify(g, tol, preserve_topology=False)
    parts = shapely.get_parts(g)
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    rings = shapely.get_exterior_ring(parts)
    xy, idx = shapely.get_coordinates(rings, return_index=True)
    if not len(xy):
        return np.array([]), np.array([])
    cut = np.flatnonzero(np.diff(idx)) + 1
    x = np.insert(xy[:, 0], cut, np.nan)
    y = np.insert(xy[:, 1], cut, np.nan)
    return x, y


def _poly_trace(wkbs, tol: float, fill: str, line: str, name: str, legend: bool, width: float = 0.6):
    x, y = ring_xy(wkbs, tol)
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        fill="toself",
        fillcolor=fill,
        line=dict(color=line, width=width),
        name=name,
        showlegend=legend,
        hoverinfo="skip",
        connectgaps=False,
    )


def _rgba(c, alpha: float | None = None) -> str:
    a = (c[3] / 255 if len(c) > 3 else 1.0) if alpha is None else alpha
    return f"rgba({int(c[0])},{int(c[1])},{int(c[2])},{a:.2f})"


def to_figure(pic: MapPicture, title: str = "") -> go.Figure:
    """The same map as a plotly figure (lon/lat with the latitude's aspect, no basemap), for the
    PNG and SVG exports (cwb.export adds the title, caption and source). Fills are drawn opaque
    (the colour seen on screen over white), the key is plotly's legend on the right."""
    from cwb.charts import theme

    fig = go.Figure()
    b = pic.bounds
    if b is not None:  # a little room round the edge
        px, py = (b[2] - b[0]) * 0.03, (b[3] - b[1]) * 0.03
        b = (b[0] - px, b[1] - py, b[2] + px, b[3] + py)
    span = max(b[2] - b[0], b[3] - b[1]) if b else 5.0
    tol = span / 1200
    if len(pic.context):
        fig.add_trace(
            _poly_trace(
                pic.context["wkb"], tol, "rgb(245,245,245)", "rgb(120,120,120)", "Districts", False, 0.9
            )
        )
    legend_names = {tuple(c[:3]): t for c, t in pic.legend}
    if len(pic.areas):
        a = pic.areas.assign(_k=[tuple(int(x) for x in f[:3]) for f in pic.areas["fill"]])
        shown = set()
        for c, t in pic.legend:  # legend order first, then any other colour
            k = tuple(int(x) for x in c[:3])
            part = a[a["_k"] == k]
            if len(part):
                fig.add_trace(_poly_trace(part["wkb"], tol, _rgba(k, 1.0), "white", t, False, 0.4))
                shown.add(k)
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=t,
                    showlegend=True,
                    hoverinfo="skip",
                    marker=dict(
                        symbol="square", size=15, color=_rgba(k, 1.0), line=dict(color="#777", width=1)
                    ),
                )
            )
        for k, part in a[~a["_k"].isin(shown)].groupby("_k"):
            fig.add_trace(
                _poly_trace(part["wkb"], tol, _rgba(k, 1.0), "white", legend_names.get(k, ""), False, 0.4)
            )
    if len(pic.circles):
        c = pic.circles.dropna(subset=["lat", "lon"])
        fig.add_trace(
            go.Scatter(
                x=c["lon"],
                y=c["lat"],
                mode="markers",
                name=pic.circles_legend or "points",
                showlegend=bool(pic.circles_legend),
                marker=dict(
                    color=[_rgba(f, 0.95) for f in c["fill"]],
                    size=[max(5, r * 1.2) for r in c["radius_px"]],
                    line=dict(color="white", width=0.8),
                ),
                hoverinfo="skip",
            )
        )
    if len(pic.sites):
        s = pic.sites.dropna(subset=["lat", "lon"])
        fig.add_trace(
            go.Scatter(
                x=s["lon"],
                y=s["lat"],
                mode="markers",
                name="Anchor sites",
                showlegend=True,
                marker=dict(
                    symbol="circle", size=10, color=rgb_hex(SITE), line=dict(color="white", width=1.5)
                ),
                hoverinfo="skip",
            )
        )
    if len(pic.labels):
        for kind in ("other", "town", "wider", "local"):
            lab = pic.labels[pic.labels["kind"] == kind]
            if len(lab):
                text = [
                    f"<b>{_html.escape(str(t))}</b>" if kind == "local" else _html.escape(str(t))
                    for t in lab["text"]
                ]
                fig.add_trace(
                    go.Scatter(
                        x=lab["lon"],
                        y=lab["lat"],
                        mode="text",
                        text=text,
                        showlegend=False,
                        hoverinfo="skip",
                        textfont=dict(
                            size=LABEL_SIZES[kind] - 1,
                            color=rgb_hex(LABEL_COLOURS[kind]),
                            shadow="0px 0px 3px white",
                        ),
                    )
                )
    lat0 = (b[1] + b[3]) / 2 if b else 54.0
    fig.update_xaxes(visible=False, range=[b[0], b[2]] if b else None, showgrid=False, zeroline=False)
    fig.update_yaxes(
        visible=False,
        range=[b[1], b[3]] if b else None,
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        scaleratio=1 / math.cos(math.radians(lat0)),
    )
    fig.update_layout(
        showlegend=True,
        margin=dict(l=16, r=280, t=70, b=24),
        plot_bgcolor="white",
        legend=dict(
            title=dict(text=pic.legend_title),
            orientation="v",
            x=1.02,
            xanchor="left",
            y=1.0,
            yanchor="top",
            bgcolor="rgba(255,255,255,0.9)",
            font=dict(size=13),
        ),
    )
    return theme.apply(fig, title or None)


def area_table(pic_rows: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The export table of a map: the columns given (source -> label), in that order."""
    return pic_rows[list(columns)].rename(columns=columns).reset_index(drop=True)


IMD_LEGEND = [
    (IMD[0], "1 (most deprived 10%)"),
    *[(IMD[i], str(i + 1)) for i in range(1, 9)],
    (IMD[9], "10 (least deprived)"),
]


def spend_rows(
    areas: pd.DataFrame, protect: bool, n: int, parents: pd.DataFrame | None
) -> tuple[pd.DataFrame, dict | None]:
    """The spend map's rows (cwb.maps.protect_suppliers when ``protect``), with imd_decile kept
    for single areas."""
    if protect:
        rows, summ = protect_suppliers(areas, n, parents)
    else:
        rows = areas[["area_code", "spend_gbp", "n_suppliers"]].assign(
            members=[[c] for c in areas["area_code"]], kind="area"
        )
        summ = None
    dec = dict(zip(areas["area_code"], areas["imd_decile"])) if "imd_decile" in areas else {}
    rows["imd_decile"] = [
        dec.get(c) if k == "area" else None for c, k in zip(rows["area_code"], rows["kind"])
    ]
    rows["spend_gbp"] = pd.to_numeric(rows["spend_gbp"], errors="coerce").astype(float)
    return rows.reset_index(drop=True), summ


def spend_picture(
    rows: pd.DataFrame,
    shapes_df: pd.DataFrame,
    centres: pd.DataFrame,
    names: dict[str, str],
    total_gbp: float | None,
    colour: str,
    context: pd.DataFrame,
    labels: pd.DataFrame,
    sites: pd.DataFrame,
    n: int,
    bounds=None,
) -> tuple[MapPicture, pd.DataFrame]:
    """The spend map and its export table from :func:`spend_rows`.

    Shares are of ``total_gbp``, all spend in scope (the denominator of the headline A2,
    including spend with suppliers whose location is unknown), so an area's share and the
    headline agree. Areas with no boundary (outside England and Wales) are circles at
    ``centres`` (area_code, lat, lon)."""
    geo = dict(zip(shapes_df["area_code"], shapes_df["wkb"]))
    single = rows["kind"] == "area"
    fills_single, _ = class_fills(rows.loc[single, "spend_gbp"]) if single.any() else ([], [])
    fill_of = dict(zip(rows.index[single], fills_single))
    polys, circ, table = [], [], []
    cen = centres.set_index("area_code") if len(centres) else pd.DataFrame(columns=["lat", "lon"])
    for i, r in rows.iterrows():
        name = names.get(r.area_code, r.area_code)
        share = 100 * r.spend_gbp / total_gbp if total_gbp and pd.notna(r.spend_gbp) else None
        if r.kind == "area":
            head = name
            fill = (
                (IMD[int(r.imd_decile) - 1] + [215] if pd.notna(r.imd_decile) else GREY + [150])
                if colour == "imd"
                else fill_of[i]
            )
        elif r.kind == "merged":
            head = f"{len(r.members)} areas with fewer than {n} suppliers each, merged (in {name})"
            fill = MERGED + [200]
        else:
            head = name
            fill = HIDDEN + [200]
        if r.kind == "hidden":
            tip_text = tip(
                head,
                f"Fewer than {n} suppliers: spend not shown, so that no supplier's spend can be read off",
            )
        else:
            tip_text = tip(
                head,
                f"{fmt.gbp(r.spend_gbp)} · {fmt.pct(share)} of all spend in scope",
                f"{int(r.n_suppliers):,} suppliers",
                f"IMD decile {int(r.imd_decile)}" if pd.notna(r.imd_decile) else None,
            )
        parts = [geo[c] for c in r.members if c in geo]
        if parts:
            wkb = parts[0] if len(parts) == 1 else shapely.to_wkb(shapely.union_all(shapely.from_wkb(parts)))
            polys.append({"area_code": r.area_code, "wkb": wkb, "fill": fill, "tooltip": tip_text})
        else:
            pos = [cen.loc[c] for c in r.members if c in cen.index]
            if pos:
                circ.append(
                    {
                        "lon": float(np.mean([p["lon"] for p in pos])),
                        "lat": float(np.mean([p["lat"] for p in pos])),
                        "fill": fill,
                        "tooltip": tip_text,
                        "radius_px": 6,
                    }
                )
        table.append(
            {
                "Area code": r.area_code,
                "Area": head,
                "Spend £": round(float(r.spend_gbp)) if pd.notna(r.spend_gbp) else None,
                "Share of spend in scope %": round(share, 1) if share is not None else None,
                "Suppliers": int(r.n_suppliers) if pd.notna(r.n_suppliers) else None,
                "Areas merged": "; ".join(r.members) if r.kind == "merged" else "",
                "Note": f"fewer than {n} suppliers: not shown" if r.kind == "hidden" else "",
            }
        )
    areas_df = pd.DataFrame(polys, columns=["area_code", "wkb", "fill", "tooltip"])
    circles = pd.DataFrame(circ, columns=["lon", "lat", "fill", "tooltip", "radius_px"])
    tab = pd.DataFrame(table)
    if colour == "imd":
        legend, title = IMD_LEGEND, "IMD decile"
    else:
        legend, title = gbp_legend(rows.loc[single, "spend_gbp"]), "Spend in the area"
    extra_legend = []
    if (rows["kind"] == "merged").any():
        extra_legend.append((MERGED, f"small areas merged (fewer than {n} suppliers each)"))
    if (rows["kind"] == "hidden").any():
        extra_legend.append((HIDDEN, f"fewer than {n} suppliers: not shown"))
    if bounds is None:
        bounds = context_bounds(context)
    pic = MapPicture(
        areas=areas_df,
        context=context,
        labels=labels,
        sites=sites,
        legend=legend + extra_legend,
        legend_title=title,
        bounds=bounds,
        circles=circles,
        circles_legend="areas outside England and Wales (no boundary: a circle at their postcodes)"
        if len(circles)
        else "",
    )
    if "imd_decile" in rows and rows["imd_decile"].notna().any():
        tab["IMD decile"] = [int(d) if pd.notna(d) else None for d in rows["imd_decile"]]
    return pic, tab


def anchor_sites(sites: pd.DataFrame, anchor_ids: list[str]) -> pd.DataFrame:
    """The anchors' own sites (map_anchor_sites) for the chosen anchors, with tooltips."""
    s = sites[sites["anchor_id"].isin(anchor_ids)].dropna(subset=["lat", "lon"]).copy()
    s["tooltip"] = [tip(n, "Anchor site (its main address)") for n in s["name"]]
    return s[["lon", "lat", "name", "tooltip"]].reset_index(drop=True)


def labels_for(
    lad_shapes: pd.DataFrame,
    lad_names: dict[str, str],
    local: list[str],
    wider: list[str],
    bounds,
    towns: bool,
    neighbours: bool = True,
) -> pd.DataFrame:
    """District labels (and town names from the constituencies when ``towns``), decluttered at
    the zoom that fits ``bounds``."""
    d = district_labels(lad_shapes, lad_names, local, wider, bounds)
    if not neighbours:
        d = d[d["kind"] != "other"]
    if towns and bounds is not None:
        d = pd.concat(
            [d, town_labels(bounds, skip=set(d["text"]) | set(lad_names.values()))], ignore_index=True
        )
    return declutter(d, zoom_for(bounds))


def dissolve(lsoa_shapes: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """District shapes from their LSOAs: ``lsoa_shapes`` (area_code, wkb), ``lookup``
    (area_code = LSOA, lad_code). Simplified like the reference build (0.0005 degrees)."""
    d = lsoa_shapes[["area_code", "wkb"]].merge(lookup[["area_code", "lad_code"]], on="area_code")
    out = []
    for code, part in d.groupby("lad_code"):
        g = shapely.union_all(shapely.set_precision(shapely.from_wkb(part["wkb"].to_numpy()), 1e-6))
        out.append(
            {"area_code": code, "wkb": shapely.to_wkb(shapely.simplify(shapely.make_valid(g), 0.0005))}
        )
    return pd.DataFrame(out, columns=["area_code", "wkb"])
