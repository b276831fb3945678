"""Land and property: every site on a map, what the estate is used for, statuses over time, disposals."""

import streamlit as st

from cwb import catalogue, export, fmt, maps, tables
from cwb.charts import land as charts
from cwb.fmt import md_escape as esc
from cwb.ui import data, mapdata, show
from cwb.ui.frame import footer, frame, imd_missing, page_choice, page_multi, page_toggle

f = frame("Land and property")
show.page_fixes()
land = f.query("land_indicators")
land = land[(land["anchor_id"] == "_all") & (land["sites_total"] > 0)]
if land.empty:
    st.info(
        "No land and property records are loaded. Import a land register (the transparency-code layout) on the Import page."
    )
    footer(f)
    st.stop()
L = land.iloc[0]
imd_ok = f.imd_edition in f.imd_loaded
st.markdown(f"**Land and buildings held as at {f.fy}** · {esc(f.anchors_label)}")
c = st.columns(5)
c[0].metric(
    catalogue.label("C1"), fmt.num(L["sites_held"]), help=f"{fmt.num(L['area_ha_held'])} ha of land recorded"
)
c[1].metric(
    "Floor area (C1)",
    f"{fmt.num(L['floor_area_m2_held'])} m²",
    help="Gross internal area, where the register records it",
)
c[2].metric(catalogue.label("C2"), fmt.num(L["sites_idle"]), help=f"{L['area_ha_idle']:,.1f} ha")
c[3].metric(
    catalogue.label("C5"),
    fmt.num(L["sites_community"]),
    help=f"{L['area_ha_community']:,.1f} ha; {L['floor_area_m2_community']:,.0f} m² floor area",
)
c[4].metric(
    "Transferred to communities (C4, to date)",
    fmt.num(L["sites_transferred"]),
    help=f"{L['area_ha_transferred']:,.1f} ha",
)
if not imd_missing(f):
    st.metric(
        f"Sites held in IMD decile 1-2 areas (C9, IMD {f.imd_edition})",
        catalogue.get("C9").text(L["deprived_pct"]),
        help=f"{int(L['sites_deprived'])} of {int(L['sites_imd_known'])} sites with a known decile; {L['area_ha_deprived']:,.1f} ha",
    )

DIMS = {
    "anchor_id": "Anchor",
    "use_type": "Use",
    "tenure": "Tenure",
    "status": "Status",
    "location_precision": "Location precision",
}
left, right = st.columns([3, 2])
dim = page_choice(
    left.radio,
    "Break down by",
    list(DIMS),
    "ldim",
    "use_type",
    "land breakdown",
    format_func=DIMS.get,
    horizontal=True,
)
unit = page_choice(
    right.radio,
    "Measure",
    ["sites", "area_ha"],
    "lunit",
    "sites",
    "land measure",
    format_func={"sites": "Sites", "area_ha": "Hectares"}.get,
    horizontal=True,
)
bd = f.query("land_breakdown", dimension=dim)
labels = {a: n.replace(" (demo)", "") for a, n in f.anchor_names.items()} if dim == "anchor_id" else {}
show.chart(
    data.figure(
        charts.breakdown,
        bd,
        unit,
        f"{'Sites' if unit == 'sites' else 'Hectares'} held by {DIMS[dim].lower()}, {f.fy}"
        + (" (pink: in IMD decile 1-2 areas)" if imd_ok else ""),
        imd_ok,
        labels,
    ),
    f.provenance(
        f"Land held by {DIMS[dim].lower()}",
        f"Sites, hectares and floor area held (C1) by {DIMS[dim].lower()}"
        + ("; part in IMD decile 1-2 areas (C9)" if imd_ok else ""),
        denominator="none (totals)",
        imd=imd_ok,
        source="Anchor land and property registers",
        notes=["Disposed and transferred sites are not counted as held"],
    ),
    data.derived(
        export.labelled,
        bd.assign(category=bd["category"].map(lambda c: labels.get(c, c))),
        {
            "category": DIMS[dim],
            "sites": "Sites",
            "area_ha": "Hectares",
            "floor_area_m2": "Floor area m²",
            "sites_deprived": "Sites in IMD decile 1-2 areas",
            "area_ha_deprived": "Hectares in IMD decile 1-2 areas",
        },
        digits={"Hectares": 1, "Hectares in IMD decile 1-2 areas": 1, "Floor area m²": 0},
    ),
    key="land_bd",
)

st.subheader("Sites")
opts = f.query("land_tenures")
cols = st.columns([2, 2, 2, 2])
tenures = page_multi(cols[0].multiselect, "Tenure", sorted(opts["tenure"].dropna().unique()), "ten", "tenure")
statuses = page_multi(cols[1].multiselect, "Status", list(charts.STATUS_COLOURS), "lst", "status")
colour_by = page_choice(
    cols[2].radio, "Colour by", ["status", "use"], "lcol", "status", "site colouring", horizontal=True
)
layer_imd = (
    page_toggle(
        cols[3].toggle,
        f"Deprivation of areas (IMD {f.imd_edition})",
        "limd",
        disabled=not imd_ok,
        help=None if imd_ok else "Load the English Indices of Deprivation to use this layer",
    )
    and imd_ok
)
if not f.detail_anchors:
    st.info(
        "Site-level detail is shared only with analysts of each anchor; the figures above cover every anchor."
    )
else:
    sites = f.query("land_sites", scope_anchor_ids=f.detail_anchors, tenures=tenures, statuses=statuses)
    pts, legend = data.derived(charts.site_points, sites, colour_by, f.anchor_names)
    all_lads = mapdata.lad_shapes()
    wider_bounds = maps.context_bounds(all_lads[all_lads["area_code"].isin(f.wider_lads)])
    bounds = (
        (pts["lon"].min(), pts["lat"].min(), pts["lon"].max(), pts["lat"].max())
        if len(pts) > 1
        else wider_bounds
    )
    ctx = maps.in_bounds(all_lads, bounds, pad=0.1)
    place_labels = mapdata.place_labels(ctx, f, bounds, towns=True)
    imd_areas = None
    if layer_imd and imd_ok:
        dep = f.query("land_area_deprivation", lads=f.wider_lads)
        imd_areas = maps.with_values(data.shapes("lsoa11", dep["area_code"].tolist()), dep)
        imd_areas["tooltip"] = ""

    def land_deck():
        layers = [maps.outline_layer(ctx)]
        if imd_areas is not None:
            layers.append(maps.area_layer(imd_areas, "imd_decile", layer_id="imd"))
        layers.append(maps.point_layer(pts, radius_col="area", layer_id="sites", fill_col="fill"))
        if len(place_labels):
            layers.append(maps.text_layer(place_labels))
        return maps.deck(layers, maps.view_for(bounds=bounds))

    show.deck_chart(land_deck, ctx, imd_areas, pts, place_labels, bounds, height=560, key="land_map")
    key_title = f"Sites by {colour_by}"
    st.markdown(
        charts.legend_html(legend, key_title + ":", f.imd_edition if layer_imd and imd_ok else None),
        unsafe_allow_html=True,
    )
    pic, items = charts.site_picture(pts, legend, key_title, ctx, place_labels, bounds, imd_areas)
    map_prov = f.provenance(
        f"Land and property sites by {colour_by}, {f.fy}",
        f"Located sites as at {f.fy}, coloured by {colour_by}, sized by land area"
        + (f", over IMD {f.imd_edition} deciles of LSOAs" if imd_areas is not None else ""),
        denominator="none (a register)",
        imd=imd_areas is not None,
        source="Anchor land and property registers",
        notes=["Grey outlines and names: local authority districts and towns"],
    )
    prec = sites["location_precision"].fillna("none").value_counts()
    st.caption(
        f"Coloured by {colour_by}; circles sized by land area"
        + (
            f"; areas shaded by IMD {f.imd_edition} decile (dark pink = most deprived 10%)"
            if layer_imd and imd_ok
            else ""
        )
        + f". {len(pts)} of {len(sites)} sites have a location: "
        + ", ".join(f"{int(prec.get(p, 0))} by {p}" for p in ("coordinates", "postcode", "postcode district"))
        + f", {int(prec.get('none', 0))} not located. Hover for details."
    )
    show.downloads(map_prov, fig=lambda: charts.site_figure(pic, items), key="land_map")
    table = sites.assign(anchor_id=sites["anchor_id"].map(lambda a: f.anchor_names.get(a, a)))[
        [
            "site_name",
            "anchor_id",
            "uprn",
            "postcode",
            "location_precision",
            "tenure",
            "use_type",
            "status",
            "area_ha",
            "floor_area_m2",
            "imd_decile",
        ]
    ].rename(
        columns={
            "site_name": "Site",
            "anchor_id": "Anchor",
            "uprn": "UPRN",
            "postcode": "Postcode",
            "location_precision": "Located by",
            "tenure": "Tenure",
            "use_type": "Use",
            "status": f"Status {f.fy}",
            "area_ha": "Hectares",
            "floor_area_m2": "Floor area m²",
            "imd_decile": f"IMD {f.imd_edition} decile",
        }
    )
    show.table(
        table,
        f.provenance(
            "Land and property sites",
            f"Sites as at {f.fy}, with status and location precision",
            denominator="none (a register)",
            source="Anchor land and property registers",
        ),
        key="sites",
    )

left, right = st.columns(2)
with left:
    tv = page_choice(
        st.radio,
        "Trend of",
        ["sites", "area_ha"],
        "ltv",
        "sites",
        "land trend",
        format_func={"sites": "Sites", "area_ha": "Hectares"}.get,
        horizontal=True,
    )
    trend = f.query("land_status_trend", fy_from=f.years[0], fy_to=f.years[-1])
    show.chart(
        data.figure(
            charts.status_trend, trend, tv, f"{'Sites' if tv == 'sites' else 'Hectares'} by status, by year"
        ),
        f.provenance(
            "Estate by status",
            "Sites (or hectares) by status recorded for each financial year (C1, C2, C5)",
            denominator="all sites with a status that year",
            period=f"{f.years[0]} to {f.years[-1]}",
            source="Anchor land and property registers",
        ),
        data.derived(
            export.labelled,
            trend,
            {"financial_year": "Financial year", "status": "Status", "sites": "Sites", "area_ha": "Hectares"},
            digits={"Hectares": 1},
        ),
        key="land_trend",
    )
with right:
    st.markdown("&nbsp;")
    disp = f.query("land_disposals", fy_from=f.years[0], fy_to=f.years[-1])
    if disp.empty:
        st.info("No disposals recorded in these years.")
    else:
        show.chart(
            data.figure(charts.disposals, disp, f"Disposals by route, {f.years[0]} to {f.years[-1]}"),
            f.provenance(
                "Disposals by route",
                "Hectares, sites and value disposed by route (C3), including community asset transfers (C4)",
                denominator="none (totals)",
                period=f"{f.years[0]} to {f.years[-1]}",
                source="Anchor land and property registers",
            ),
            data.derived(tables.disposals_by_route, disp),
            key="land_disp",
        )
footer(f, imd_used=imd_ok)
