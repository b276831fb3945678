"""Where the money goes: spend by the supplier's area on a map, and the suppliers of an area."""

import pandas as pd
import streamlit as st

from cwb import fmt, maps, tables
from cwb.method import supplier_list
from cwb.ui import data, mapdata, show
from cwb.ui.frame import footer, frame, imd_missing, page_choice, page_toggle

LEVELS = {"lad": "Local authority", "msoa11": "MSOA (2011)", "lsoa11": "LSOA (2011)"}
LEVEL_WORDS = {"lad": "district", "msoa11": "MSOA", "lsoa11": "LSOA"}

f = frame("Where the money goes")


# The page below the frame is a fragment: a page control (map level, colouring, extent, the
# points, a click on the map, the area) reruns only this part, not the frame's sidebar (about a
# third of a run's elements, each redrawn by the browser: issue 15, click to figure). A sidebar
# filter still reruns the whole page; the controls still write the URL.
@st.fragment
def view() -> None:
    c1, c2, c3 = st.columns([2, 2, 3])
    level = page_choice(
        c1.radio, "Areas", list(LEVELS), "lvl", "lad", "map level", format_func=LEVELS.get, horizontal=True
    )
    colour = page_choice(
        c2.radio,
        "Colour by",
        ["spend", "imd"],
        "col",
        "spend",
        "map colouring",
        horizontal=True,
        format_func={"spend": "Spend", "imd": f"Deprivation (IMD {f.imd_edition})"}.get,
    )
    extent = page_choice(
        c3.radio,
        "Show",
        ["wider", "uk"],
        "ext",
        "wider",
        "map extent",
        horizontal=True,
        format_func={"wider": f"{f.wider_name} (wider area)", "uk": "Whole UK"}.get,
    )
    if colour == "imd" and (level != "lsoa11" or imd_missing(f)):
        if level != "lsoa11":
            st.info("Deprivation deciles are defined for LSOAs: choose LSOA areas to colour by deprivation.")
        colour = "spend"

    areas = f.query("spend_by_area", area_level=level, within_lads=f.wider_lads if extent == "wider" else [])
    if areas.empty:
        st.info(
            f"No located spend in {f.fy} for {f.anchors_label}"
            + (f" in {f.wider_name}: choose 'Whole UK' to see where it went." if extent == "wider" else ".")
        )
        footer(f)
        return
    ind = f.query("spend_indicators")
    tot = ind[(ind["anchor_id"] == "_all") & (ind["financial_year"] == f.fy)]
    total_gbp = float(tot["spend_gbp"].iloc[0]) if len(tot) else None
    located_gbp = float(tot["located_gbp"].iloc[0]) if len(tot) else None

    lsoa_in = data.lsoa_index()

    # a viewer without supplier detail of every anchor in the figures never sees an area with fewer
    # than CWB_MAP_MIN_SUPPLIERS suppliers on its own (issue 12: one supplier's spend in a tooltip)
    protect = not set(f.method.chosen_anchors) <= set(f.detail_anchors)
    n_min = maps.min_suppliers()
    rows, summ = data.derived(
        maps.spend_rows, areas, protect, n_min, data.derived(tables.area_parents, lsoa_in, level)
    )

    codes = sorted({c for m in rows["members"] for c in m})
    all_lads = mapdata.lad_shapes()
    shapes = all_lads if level == "lad" else data.shapes(level, codes)
    shapes = shapes[shapes["area_code"].isin(set(codes))]
    no_shape = [c for c in codes if c not in set(shapes["area_code"])]
    centres = (
        data.query("map_area_centres", area_level=level, codes=no_shape)
        if no_shape
        else pd.DataFrame(columns=["area_code", "lat", "lon"])
    )
    lads = data.query("lads")
    lad_names = dict(zip(lads["lad_code"], lads["lad_name"]))
    names = dict(lad_names)
    if level != "lad":
        nm = data.query("spend_area_names", area_level=level, codes=codes).drop_duplicates("area_code")
        names.update(zip(nm["area_code"], nm["area_name"]))
        if level == "lsoa11":
            msoa = data.query(
                "spend_area_names",
                area_level="msoa11",
                codes=sorted(set(lsoa_in.loc[lsoa_in["area_code"].isin(codes), "msoa11"])),
            )
            names.update(zip(msoa["area_code"], msoa["area_name"]))

    if extent == "wider":
        bounds = maps.context_bounds(all_lads[all_lads["area_code"].isin(f.wider_lads)])
    else:
        bounds = maps.drawn_bounds(shapes, all_lads, points=centres)
    context = maps.in_bounds(all_lads, bounds, pad=0.05)
    labels = data.derived(
        maps.labels_for,
        context,
        lad_names,
        f.local_lads,
        f.wider_lads,
        bounds,
        towns=level != "lad" and extent == "wider",
        neighbours=extent == "wider",
    )
    sites = maps.anchor_sites(
        data.query("map_anchor_sites", network_id=f.network_id), f.method.chosen_anchors
    )
    pic, table = maps.spend_picture(
        rows, shapes, centres, names, total_gbp, colour, context, labels, sites, n_min, bounds
    )

    pts = None
    show_points = bool(f.detail_anchors) and page_toggle(
        st.toggle, "Show the 300 largest suppliers as points", "pts"
    )
    if show_points:
        pts = f.query(
            "spend_suppliers", **supplier_list(f.detail_anchors, located_only=True, row_limit=300)
        ).dropna(subset=["lat", "lon"])
        pts["tooltip"] = [
            maps.tip(n, f"{fmt.gbp(v)} in {f.fy}", f"Paid by {a}")
            for n, v, a in zip(pts["supplier_name"], pts["spend_gbp"], pts["anchors"])
        ]
        pts["spend"] = pts["spend_gbp"].astype(float)
        pts = pts[["lat", "lon", "tooltip", "spend"]]

    def spend_deck():
        extra = [] if pts is None else [maps.point_layer(pts, radius_col="spend")]
        return maps.to_deck(pic, extra=extra)

    title = f"Spend by the {LEVEL_WORDS[level]} of the supplier, {f.fy}"
    st.markdown(f"**{title}** · {f.anchors_label}")
    # the chart's key carries the level, colouring and extent: a selection made on one map is never
    # applied to another (it used to grey the map and highlight an unrelated area)
    event = show.deck_chart(
        spend_deck,
        pic,
        pts,
        height=620,
        on_select="rerun",
        selection_mode="single-object",
        key=f"spendmap_{level}_{colour}_{extent}",
    )
    extra_key = [(maps.SITE_SWATCH, "anchor sites")]
    if show_points:
        extra_key.append(
            (f"background:{maps.rgb_hex((244, 106, 37))};border-radius:50%", "suppliers, sized by spend")
        )
    if len(pic.circles):
        extra_key.append(
            (
                "border-radius:50%;background:#888",
                "areas outside England and Wales (no boundary in the reference)",
            )
        )
    st.markdown(maps.legend_html(pic.legend_title, pic.legend, extra_key), unsafe_allow_html=True)

    coverage = (
        "Boundaries are drawn for England and Wales (2011 census areas)"
        + (
            f"; {len(pic.circles)} areas in Scotland or Northern Ireland, which have no boundary in the reference, are "
            "circles at the mean position of their postcodes"
            if len(pic.circles)
            else "; no spend in this selection goes to suppliers in Scotland or Northern Ireland"
            if extent == "uk"
            else ""
        )
        + "."
    )
    unlocated = (total_gbp - located_gbp) if total_gbp and located_gbp is not None else None
    notes = [
        f"Shares are of all spend in scope ({fmt.gbp(total_gbp)}, the denominator of the headline local share A2), "
        f"so the local district's share matches the headline; {fmt.gbp(unlocated)} "
        f"({fmt.pct(100 * unlocated / total_gbp if total_gbp else None)}) is with suppliers whose location is unknown and is not on the map",
        (
            "Colours: five quantile classes of spend among the areas shown"
            if colour == "spend"
            else f"Colours: IMD {f.imd_edition} decile of the LSOA (1 = most deprived 10% in England)"
        ),
        coverage,
        "Grey outlines and names: local authority districts"
        + (
            "; other names: towns (from constituency names, ONS)"
            if (pic.labels["kind"] == "town").any()
            else ""
        ),
    ]
    if summ is not None:
        notes.append(maps.suppliers_note(summ))
    prov = f.provenance(
        title,
        f"Spend by the {LEVELS[level]} of the supplier's postcode",
        period=None,
        numerator="spend with suppliers located in each area",
        denominator="all spend in scope (" + f.denominator_label + ")",
        imd=colour == "imd",
        notes=notes,
    )
    st.caption(prov.caption())
    show.downloads(prov, fig=lambda: maps.to_figure(pic), data=table, key="spend_map")

    if not f.detail_anchors:
        st.info("Supplier-level detail of each area is shared only with analysts of each anchor.")
        footer(f, imd_used=colour == "imd")
        return
    single = rows[rows["kind"] == "area"].sort_values("spend_gbp", ascending=False)
    opts = single["area_code"].tolist()
    spend_of = dict(zip(single["area_code"], single["spend_gbp"]))
    picked = None
    sel = getattr(event, "selection", None) or {}
    objs = (sel.get("objects") or {}).get("areas") if isinstance(sel, dict) else None
    if objs:
        picked = objs[0].get("properties", {}).get("area_code")
    if not opts:
        st.info(f"No area in this view has at least {n_min} suppliers.")
        footer(f, imd_used=colour == "imd")
        return
    pick_key = f"wmg_area_{level}_{extent}"
    if picked in opts and st.session_state.get(f"{pick_key}_clicked") != picked:
        st.session_state[pick_key] = picked  # a click on the map chooses the area
        st.session_state[f"{pick_key}_clicked"] = picked
    if st.session_state.get(pick_key) not in opts:
        st.session_state[pick_key] = opts[0]
    area = st.selectbox(
        "Suppliers in an area (or click the map)",
        opts,
        key=pick_key,
        format_func=lambda c: f"{names.get(c, c)} · {fmt.gbp(spend_of.get(c))}",
    )
    ask = supplier_list(f.detail_anchors, area_level=level, area_code=area)
    sup = f.query("spend_suppliers", **{**ask, "row_limit": 1000})
    if len(f.detail_anchors) < len(f.anchor_names):
        st.caption("Supplier detail is shown only for the anchors you may see in detail.")
    show.table(
        data.derived(tables.suppliers, sup, tables.AREA_SUPPLIER_COLUMNS),
        f.provenance(
            f"Suppliers in {names.get(area, area)}",
            "Spend by supplier in the chosen area",
            numerator="spend with each supplier",
        ),
        key="area_suppliers",
        rows_total=int(sup["n_rows"].iloc[0]) if len(sup) else 0,
        full=lambda: data.shaped(
            tables.suppliers, f.on_demand("spend_suppliers", **ask)(), tables.AREA_SUPPLIER_COLUMNS
        ),
        column_config={
            "Spend £": st.column_config.NumberColumn(format="£%,.0f"),
            "Payments": st.column_config.NumberColumn(format="localized"),
        },
    )
    footer(f, imd_used=colour == "imd")


view()
