"""Land and property: every site on a map, what the estate is used for, statuses over time, disposals."""

import shapely
import streamlit as st

from cwb import export, fmt, maps
from cwb.charts import land as charts
from cwb.fmt import md_escape as esc
from cwb.ui import data, show
from cwb.ui.frame import footer, frame, imd_missing, page_param, set_page_param

f = frame("Land and property")
show.page_fixes()
summ = data.query("land_summary", anchor_ids=f.anchors or list(f.anchor_names), fy=f.fy, imd_edition=f.imd_edition)
if summ.empty:
    st.info("No land and property records are loaded. Import a land register (the transparency-code layout) on the Import page.")
    footer(f)
    st.stop()
tot = summ[summ["anchor_id"] == "_all"]
held = tot[~tot["status"].isin(["disposed", "transferred"])]
by = tot.set_index("status")


def s(statuses, col="sites"):
    return float(sum(by[col].get(x, 0) or 0 for x in statuses))


IDLE = ["surplus", "vacant", "under-used"]
imd_ok = f.imd_edition in f.imd_loaded
st.markdown(f"**Land and buildings held as at {f.fy}** · {esc(f.anchors_label)}")
c = st.columns(5)
c[0].metric("Sites held (C1)", fmt.num(held["sites"].sum()), help=f"{fmt.num(held['area_ha'].sum())} ha of land recorded")
c[1].metric("Floor area (C1)", f"{fmt.num(held['floor_area_m2'].sum())} m²", help="Gross internal area, where the register records it")
c[2].metric("Surplus, vacant or under-used (C2)", fmt.num(s(IDLE)), help=f"{s(IDLE, 'area_ha'):,.1f} ha")
c[3].metric("In community use (C5)", fmt.num(s(["community use"])),
            help=f"{s(['community use'], 'area_ha'):,.1f} ha; {s(['community use'], 'floor_area_m2'):,.0f} m² floor area")
c[4].metric("Transferred to communities (C4, to date)", fmt.num(s(["transferred"])), help=f"{s(['transferred'], 'area_ha'):,.1f} ha")
if not imd_missing(f):
    known = held["sites_imd_known"].sum()
    st.metric(f"Sites held in IMD decile 1-2 areas (C9, IMD {f.imd_edition})",
              fmt.pct(100 * held["sites_deprived"].sum() / known if known else None),
              help=f"{int(held['sites_deprived'].sum())} of {int(known)} sites with a known decile; {held['area_ha_deprived'].sum():,.1f} ha")

DIMS = {"anchor_id": "Anchor", "use_type": "Use", "tenure": "Tenure", "status": "Status", "location_precision": "Location precision"}
dim = page_param("ldim", list(DIMS), "use_type", "land breakdown")
left, right = st.columns([3, 2])
dim = left.radio("Break down by", list(DIMS), format_func=DIMS.get, index=list(DIMS).index(dim), horizontal=True, key="land_dim")
set_page_param("ldim", dim)
unit = right.radio("Measure", ["sites", "area_ha"], format_func={"sites": "Sites", "area_ha": "Hectares"}.get, horizontal=True, key="land_unit")
bd = data.query("land_breakdown", anchor_ids=f.anchors or list(f.anchor_names), fy=f.fy, dimension=dim, imd_edition=f.imd_edition)
labels = {a: n.replace(" (demo)", "") for a, n in f.anchor_names.items()} if dim == "anchor_id" else {}
show.chart(charts.breakdown(bd, unit, f"{'Sites' if unit == 'sites' else 'Hectares'} held by {DIMS[dim].lower()}, {f.fy}"
                            + (" (pink: in IMD decile 1-2 areas)" if imd_ok else ""), imd_ok, labels),
           f.provenance(f"Land held by {DIMS[dim].lower()}", f"Sites, hectares and floor area held (C1) by {DIMS[dim].lower()}"
                        + ("; part in IMD decile 1-2 areas (C9)" if imd_ok else ""), denominator="none (totals)", imd=imd_ok,
                        source="Anchor land and property registers", notes=["Disposed and transferred sites are not counted as held"]),
           export.labelled(bd.assign(category=bd["category"].map(lambda c: labels.get(c, c))),
                           {"category": DIMS[dim], "sites": "Sites", "area_ha": "Hectares", "floor_area_m2": "Floor area m²",
                            "sites_deprived": "Sites in IMD decile 1-2 areas", "area_ha_deprived": "Hectares in IMD decile 1-2 areas"},
                           digits={"Hectares": 1, "Hectares in IMD decile 1-2 areas": 1, "Floor area m²": 0}), key="land_bd")

st.subheader("Sites")
opts = data.query("land_tenures", anchor_ids=f.anchors or list(f.anchor_names))
cols = st.columns([2, 2, 2, 2])
tenures = cols[0].multiselect("Tenure", sorted(opts["tenure"].unique()), key="land_tenure")
statuses = cols[1].multiselect("Status", list(charts.STATUS_COLOURS), key="land_status")
colour_by = cols[2].radio("Colour by", ["status", "use"], horizontal=True, key="land_colour")
layer_imd = cols[3].toggle(f"Deprivation of areas (IMD {f.imd_edition})", value=False, key="land_imd", disabled=not imd_ok,
                           help=None if imd_ok else "Load the English Indices of Deprivation to use this layer")
if not f.detail_anchors:
    st.info("Site-level detail is shared only with analysts of each anchor; the figures above cover every anchor.")
else:
    sites = data.query("land_sites", anchor_ids=f.anchors or list(f.anchor_names), fy=f.fy, scope_anchor_ids=f.detail_anchors,
                       tenures=tenures, statuses=statuses, imd_edition=f.imd_edition)
    pts, legend = charts.site_points(sites, colour_by, f.anchor_names)
    ctx = data.shapes("lad", f.wider_lads)
    layers = [maps.outline_layer(ctx)]
    if layer_imd and imd_ok:
        dep = data.query("land_area_deprivation", lads=f.wider_lads, imd_edition=f.imd_edition)
        a = data.shapes("lsoa11", dep["area_code"].tolist()).merge(dep, on="area_code")
        a["tooltip"] = ""
        layers.append(maps.area_layer(a, "imd_decile", layer_id="imd"))
    layers.append(maps.point_layer(pts, radius_col="area", layer_id="sites", fill_col="fill"))
    bounds = (pts["lon"].min(), pts["lat"].min(), pts["lon"].max(), pts["lat"].max()) if len(pts) > 1 else \
        tuple(shapely.total_bounds(shapely.from_wkb(ctx["wkb"].to_numpy())))
    st.pydeck_chart(maps.deck(layers, maps.view_for(bounds=bounds)), height=560, key="land_map")
    st.markdown(charts.legend_html(legend), unsafe_allow_html=True)
    prec = sites["location_precision"].fillna("none").value_counts()
    st.caption(f"Coloured by {colour_by}; circles sized by land area"
               + (f"; areas shaded by IMD {f.imd_edition} decile (dark pink = most deprived 10%)" if layer_imd and imd_ok else "")
               + f". {len(pts)} of {len(sites)} sites have a location: "
               + ", ".join(f"{int(prec.get(p, 0))} by {p}" for p in ("coordinates", "postcode", "postcode district"))
               + f", {int(prec.get('none', 0))} not located. Hover for details.")
    table = sites[["site_name", "anchor_id", "uprn", "postcode", "location_precision", "tenure", "use_type", "status",
                   "area_ha", "floor_area_m2", "imd_decile"]].rename(columns={
        "site_name": "Site", "anchor_id": "Anchor", "uprn": "UPRN", "postcode": "Postcode", "location_precision": "Located by",
        "tenure": "Tenure", "use_type": "Use", "status": f"Status {f.fy}", "area_ha": "Hectares", "floor_area_m2": "Floor area m²",
        "imd_decile": f"IMD {f.imd_edition} decile"})
    show.table(table, f.provenance("Land and property sites", f"Sites as at {f.fy}, with status and location precision",
                                   denominator="none (a register)", source="Anchor land and property registers"), key="sites")

left, right = st.columns(2)
with left:
    tv = st.radio("Trend of", ["sites", "area_ha"], format_func={"sites": "Sites", "area_ha": "Hectares"}.get, horizontal=True, key="land_tv")
    trend = data.query("land_status_trend", anchor_ids=f.anchors or list(f.anchor_names), fy_from=f.years[0], fy_to=f.years[-1])
    show.chart(charts.status_trend(trend, tv, f"{'Sites' if tv == 'sites' else 'Hectares'} by status, by year"),
               f.provenance("Estate by status", "Sites (or hectares) by status recorded for each financial year (C1, C2, C5)",
                            denominator="all sites with a status that year", period=f"{f.years[0]} to {f.years[-1]}",
                            source="Anchor land and property registers"),
               export.labelled(trend, {"financial_year": "Financial year", "status": "Status", "sites": "Sites",
                                       "area_ha": "Hectares"}, digits={"Hectares": 1}), key="land_trend")
with right:
    st.markdown("&nbsp;")
    disp = data.query("land_disposals", anchor_ids=f.anchors or list(f.anchor_names), fy_from=f.years[0], fy_to=f.years[-1])
    if disp.empty:
        st.info("No disposals recorded in these years.")
    else:
        show.chart(charts.disposals(disp, f"Disposals by route, {f.years[0]} to {f.years[-1]}"),
                   f.provenance("Disposals by route", "Hectares, sites and value disposed by route (C3), including community asset transfers (C4)",
                                denominator="none (totals)", period=f"{f.years[0]} to {f.years[-1]}",
                                source="Anchor land and property registers"),
                   export.labelled(disp.groupby("disposal_route", as_index=False)[["sites", "area_ha", "value_gbp"]].sum()
                                   .sort_values("area_ha", ascending=False),
                                   {"disposal_route": "Disposal route", "sites": "Sites",
                                          "area_ha": "Hectares", "value_gbp": "Value £"}, digits={"Hectares": 1}),
                   key="land_disp")
footer(f, imd_used=imd_ok)
