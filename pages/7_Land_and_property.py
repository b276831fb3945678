"""Land and property: every site on a map, statuses over time, disposals and community use."""

import pandas as pd
import shapely
import streamlit as st

from cwb import fmt, maps
from cwb.charts import land as charts
from cwb.ui import data, show
from cwb.ui.frame import footer, frame, imd_missing

f = frame("Land and property")
summ = data.query("land_summary", anchor_ids=f.anchors or list(f.anchor_names), fy=f.fy, imd_edition=f.imd_edition)
if summ.empty:
    st.info("No land and property records are loaded. Import a land register (the transparency-code layout) on the Import page.")
    footer(f)
    st.stop()
tot = summ[summ["anchor_id"] == "_all"]
by = tot.set_index("status")


def s(status, col="sites"):
    return float(by[col].get(status, 0) or 0)


c = st.columns(4)
c[0].metric("Sites (C1)", fmt.num(tot["sites"].sum() - s("disposed") - s("transferred")),
            help=f"{fmt.num(tot['area_ha'].sum())} ha in all records; held as at {f.fy}")
c[1].metric("Surplus, vacant or under-used (C2)", fmt.num(s("surplus") + s("vacant") + s("under-used")),
            help=f"{s('surplus', 'area_ha') + s('vacant', 'area_ha') + s('under-used', 'area_ha'):.1f} ha")
c[2].metric("In community use (C5)", fmt.num(s("community use")), help=f"{s('community use', 'area_ha'):.1f} ha")
c[3].metric("Transferred to communities (C4, to date)", fmt.num(s("transferred")), help=f"{s('transferred', 'area_ha'):.1f} ha")
if not imd_missing(f):
    known = tot["sites_imd_known"].sum()
    st.metric(f"Sites in IMD decile 1-2 areas (C9, IMD {f.imd_edition})",
              fmt.pct(100 * tot["sites_deprived"].sum() / known if known else None),
              help=f"{int(tot['sites_deprived'].sum())} of {int(known)} sites with a known decile; "
                   f"{tot['area_ha_deprived'].sum():.1f} ha")

st.subheader("Sites")
cols = st.columns(3)
tenures = cols[0].multiselect("Tenure", sorted(["Freehold", "Leasehold", "Other"]), key="land_tenure")
statuses = cols[1].multiselect("Status", list(charts.STATUS_COLOURS), key="land_status")
colour_by = cols[2].radio("Colour by", ["status", "deprivation"], horizontal=True, key="land_colour")
if not f.detail_anchors:
    st.info("Site-level detail is shared only with analysts of each anchor; the figures above cover every anchor.")
else:
    sites = data.query("land_sites", anchor_ids=f.anchors or list(f.anchor_names), fy=f.fy, scope_anchor_ids=f.detail_anchors,
                       tenures=tenures, statuses=statuses, imd_edition=f.imd_edition)
    pts = sites.dropna(subset=["lat", "lon"]).copy()
    if colour_by == "deprivation" and pts["imd_decile"].notna().any():
        pts["fill"] = [maps.IMD[int(d) - 1] if pd.notna(d) else maps.GREY for d in pts["imd_decile"]]
    else:
        pts["fill"] = [charts.STATUS_RGB.get(st_, maps.GREY) for st_ in pts["status"]]
    pts["tooltip"] = [maps.tip(n, f"{f.anchor_names.get(a, a)}", f"{u} · {t} · {st_}", f"{h:.2f} ha" if pd.notna(h) else None,
                               f"UPRN {up}" if up else None, f"Located by {p}")
                      for n, a, u, t, st_, h, up, p in zip(pts["site_name"], pts["anchor_id"], pts["use_type"], pts["tenure"],
                                                           pts["status"], pts["area_ha"], pts["uprn"], pts["location_precision"])]
    pts["area"] = pts["area_ha"].fillna(0).astype(float)
    ctx = data.shapes("lad", f.wider_lads)
    bounds = shapely.total_bounds(shapely.from_wkb(ctx["wkb"].to_numpy()))
    layer = maps.point_layer(pts[["lat", "lon", "tooltip", "area", "fill"]], radius_col="area", layer_id="sites", fill_col="fill")
    st.pydeck_chart(maps.deck([maps.outline_layer(ctx), layer], maps.view_for(bounds=tuple(bounds))), height=560, key="land_map")
    if colour_by == "status":
        st.markdown(" ".join(f"<span style='color:{c};font-size:1.3em'>●</span> {k}&nbsp;&nbsp;"
                             for k, c in charts.STATUS_COLOURS.items() if k in set(pts["status"])), unsafe_allow_html=True)
    st.caption(("Coloured by status (named in each tooltip); " if colour_by == "status" else "Coloured by IMD decile (dark pink = most deprived); ")
               + f"circles sized by land area. {len(pts)} of {len(sites)} sites have a location "
               + "(precision per site: coordinates, full postcode or postcode district). Hover for details.")
    table = sites[["site_name", "anchor_id", "uprn", "postcode", "location_precision", "tenure", "use_type", "status",
                   "area_ha", "floor_area_m2", "imd_decile"]].rename(columns={
        "site_name": "Site", "anchor_id": "Anchor", "uprn": "UPRN", "postcode": "Postcode", "location_precision": "Located by",
        "tenure": "Tenure", "use_type": "Use", "status": f"Status {f.fy}", "area_ha": "Hectares", "floor_area_m2": "Floor area m²",
        "imd_decile": f"IMD {f.imd_edition} decile"})
    show.table(table, f.provenance("Land and property sites", f"Sites held as at {f.fy}, with status and location precision",
                                   denominator="none (a register)", source="Anchor land and property registers"), key="sites")

left, right = st.columns(2)
with left:
    trend = data.query("land_status_trend", anchor_ids=f.anchors or list(f.anchor_names), fy_from=f.years[0], fy_to=f.years[-1])
    show.chart(charts.status_trend(trend, "sites", "Sites by status, by year"),
               f.provenance("Sites by status", "Number of sites by status recorded for each financial year (C1, C2, C5)",
                            denominator="all sites with a status that year", period=f"{f.years[0]} to {f.years[-1]}",
                            source="Anchor land and property registers"), trend, key="land_trend")
with right:
    disp = data.query("land_disposals", anchor_ids=f.anchors or list(f.anchor_names), fy_from=f.years[0], fy_to=f.years[-1])
    if disp.empty:
        st.info("No disposals recorded in these years.")
    else:
        show.chart(charts.disposals(disp, "Disposals by route"),
                   f.provenance("Disposals by route", "Hectares, sites and value disposed by route (C3), including community asset transfers (C4)",
                                denominator="none (totals)", period=f"{f.years[0]} to {f.years[-1]}",
                                source="Anchor land and property registers"), disp, key="land_disp")
footer(f, imd_used=f.imd_edition in f.imd_loaded)
