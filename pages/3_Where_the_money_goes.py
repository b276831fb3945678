"""Where the money goes: spend by the supplier's area on a map, and the suppliers of an area."""

import pandas as pd
import streamlit as st

from cwb import fmt, maps
from cwb.ui import data, show
from cwb.ui.frame import footer, frame, imd_missing, page_param, set_page_param

LEVELS = {"lad": "Local authority", "msoa11": "MSOA (2011)", "lsoa11": "LSOA (2011)"}
f = frame("Where the money goes")
c1, c2, c3 = st.columns([2, 2, 3])
level = page_param("lvl", list(LEVELS), "lad", "map level")
level = c1.radio("Areas", list(LEVELS), format_func=LEVELS.get, index=list(LEVELS).index(level), horizontal=True)
set_page_param("lvl", level)
colour = page_param("col", ["spend", "imd"], "spend", "map colouring")
colour = c2.radio("Colour by", ["spend", "imd"], index=["spend", "imd"].index(colour), horizontal=True,
                  format_func={"spend": "Spend", "imd": f"Deprivation (IMD {f.imd_edition})"}.get)
set_page_param("col", colour)
extent = page_param("ext", ["wider", "uk"], "wider", "map extent")
extent = c3.radio("Show", ["wider", "uk"], index=["wider", "uk"].index(extent), horizontal=True,
                  format_func={"wider": f"{f.wider_name} (wider area)", "uk": "Whole UK"}.get)
set_page_param("ext", extent)
if colour == "imd" and (level != "lsoa11" or imd_missing(f)):
    if level != "lsoa11":
        st.info("Deprivation deciles are defined for LSOAs: choose LSOA areas to colour by deprivation.")
    colour = "spend"

areas = f.query("spend_by_area", area_level=level)
if areas.empty:
    st.info(f"No located spend in {f.fy} for {f.anchors_label}.")
    footer(f)
    st.stop()
context = data.shapes("lad", f.wider_lads if extent == "wider" else None)
if extent == "wider":
    lsoa_in = data.lsoa_index()
    keep = set(lsoa_in.loc[lsoa_in["lad22"].isin(f.wider_lads), "area_code"]) if level != "lad" else set(f.wider_lads)
    if level == "msoa11":
        keep = set(lsoa_in.loc[lsoa_in["lad22"].isin(f.wider_lads), "msoa11"])
    areas_shown = areas[areas["area_code"].isin(keep)]
else:
    areas_shown = areas
shapes = data.shapes(level, areas_shown["area_code"].tolist())
names = data.query("spend_area_names", area_level=level, codes=areas_shown["area_code"].tolist())
m = shapes.merge(areas_shown, on="area_code").merge(names.drop_duplicates("area_code"), on="area_code", how="left")
m["tooltip"] = [
    maps.tip(n if isinstance(n, str) else c, f"{fmt.gbp(s)} ({fmt.pct(sh)} of located spend)", f"{int(k)} suppliers",
             f"IMD decile {int(d)}" if pd.notna(d) else None)
    for n, c, s, sh, k, d in zip(m["area_name"], m["area_code"], m["spend_gbp"], m["share_pct"], m["n_suppliers"], m["imd_decile"])
]
layers = [maps.outline_layer(context), maps.area_layer(m, "imd_decile" if colour == "imd" else "spend")]
show_points = bool(f.detail_anchors) and st.toggle("Show the 300 largest suppliers as points", value=False, key="map_points")
if show_points:
    pts = f.query("spend_suppliers", scope_anchor_ids=f.detail_anchors, area_level="", area_code="", search="")
    pts = pts.dropna(subset=["lat", "lon"]).head(300)
    pts["tooltip"] = [maps.tip(n, f"{fmt.gbp(v)} in {f.fy}", f"Paid by {a}") for n, v, a in
                      zip(pts["supplier_name"], pts["spend_gbp"], pts["anchors"])]
    pts["spend"] = pts["spend_gbp"].astype(float)
    layers.append(maps.point_layer(pts[["lat", "lon", "tooltip", "spend"]], radius_col="spend"))
import shapely  # noqa: E402

b = shapely.from_wkb(context["wkb"].to_numpy())
bounds = shapely.total_bounds(b) if len(b) else None
event = st.pydeck_chart(maps.deck(layers, maps.view_for(bounds=tuple(bounds) if bounds is not None else None)),
                        height=620, on_select="rerun", selection_mode="single-object", key="spendmap")
if colour == "spend":
    _, edges = maps.classes(m["spend_gbp"])
    st.caption("Darker blue = more spend (five quantile classes, upper bounds: "
               + ", ".join(fmt.gbp(e) for e in edges) + "). Grey outlines: local authority districts."
               + (" Orange circles: suppliers, sized by spend (individuals are never plotted)." if show_points else ""))
else:
    st.caption("Dark pink = most deprived (IMD decile 1) through light blue = least deprived (decile 10); grey = no decile.")
st.caption(f.provenance("Spend by supplier area", f"Spend by the {LEVELS[level]} of the supplier's postcode",
                        numerator="spend with suppliers located in each area", imd=colour == "imd").caption())

picked = None
sel = getattr(event, "selection", None) or {}
objs = (sel.get("objects") or {}).get("areas") if isinstance(sel, dict) else None
if objs:
    picked = objs[0].get("properties", {}).get("area_code")
ranked = m.sort_values("spend_gbp", ascending=False)
opts = ranked["area_code"].tolist()
label = dict(zip(m["area_code"], m["area_name"].fillna(m["area_code"])))
if not f.detail_anchors:
    st.info("Supplier-level detail of each area is shared only with analysts of each anchor.")
    footer(f)
    st.stop()
area = st.selectbox("Suppliers in an area (or click the map)", opts, index=opts.index(picked) if picked in opts else 0,
                    format_func=lambda c: f"{label.get(c, c)} · {fmt.gbp(m.set_index('area_code').loc[c, 'spend_gbp'])}")
sup = f.query("spend_suppliers", scope_anchor_ids=f.detail_anchors, area_level=level, area_code=area, search="")
if len(f.detail_anchors) < len(f.anchor_names):
    st.caption("Supplier detail is shown only for the anchors you may see in detail.")
cols = ["supplier_name", "postcode", "spend_gbp", "n_payments", "n_anchors", "is_sme", "is_vcse", "shared"]
sup["spend_gbp"] = sup["spend_gbp"].astype(float).round(0)
show.table(sup[cols].rename(columns={"supplier_name": "Supplier", "postcode": "Postcode", "spend_gbp": "Spend £",
                                     "n_payments": "Payments", "n_anchors": "Anchors paying", "is_sme": "SME", "is_vcse": "VCSE",
                                     "shared": "Shared"}),
           f.provenance(f"Suppliers in {label.get(area, area)}", "Spend by supplier in the chosen area",
                        numerator="spend with each supplier"), key="area_suppliers")
footer(f, imd_used=colour == "imd")
