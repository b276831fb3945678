"""Workforce charts (from protected values only)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from cwb.charts import theme


def indicator_trend(df: pd.DataFrame, col: str, title: str, names: dict[str, str]) -> go.Figure:
    """A protected percentage by year per series; suppressed values are gaps, labelled."""
    fig = go.Figure()
    for i, (aid, d) in enumerate(df.sort_values("financial_year").groupby("anchor_id", sort=False)):
        colour = theme.DARK_BLUE if aid == "_all" else theme.PALETTE[1 + i % 5]
        fig.add_trace(
            go.Scatter(
                x=d["financial_year"],
                y=d[col],
                mode="lines+markers",
                name=names.get(aid, aid),
                connectgaps=False,
                line=dict(color=colour, width=4 if aid == "_all" else 2),
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.1f}%<extra></extra>",
            )
        )
        last = d.dropna(subset=[col]).tail(1)
        if len(last):
            fig.add_annotation(
                x=last["financial_year"].iloc[0],
                y=last[col].iloc[0],
                text=f" {last[col].iloc[0]:.1f}%",
                showarrow=False,
                xanchor="left",
                font=dict(color=colour, size=13),
            )
    # years turn only where they would overprint each other (a phone); the axis then takes the
    # room they need, and the legend stands above the plot (under it, it sat on the turned years)
    fig.update_xaxes(
        title="Financial year (staff at 31 March)", type="category", tickfont=dict(size=12), automargin=True
    )
    fig.update_yaxes(title="Share of staff", ticksuffix="%", rangemode="tozero")
    fig.update_layout(
        height=420, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(b=70, r=80)
    )
    return theme.apply(fig, title)


def anchors_bar(df: pd.DataFrame, col: str, title: str, names: dict[str, str]) -> go.Figure:
    d = df[df["anchor_id"] != "_all"].copy()
    d["name"] = d["anchor_id"].map(names).str.replace(" (demo)", "", regex=False)
    d = d.sort_values(col, na_position="first")
    # long names wrap (a half-width column at 1280 px, a phone): none runs past the figure's edge
    labels = [theme.wrap_label(n, 22) for n in d["name"]]
    fig = go.Figure(
        go.Bar(
            x=d[col],
            y=labels,
            orientation="h",
            marker_color=theme.TURQUOISE,
            text=[("suppressed" if pd.isna(v) else f"{v:.1f}%") for v in d[col]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    # every bar carries its value: no tick labels to rotate over the axis title in a narrow column
    fig.update_xaxes(
        title="Share of staff (%)",
        range=[0, max(float(d[col].max() or 1) * 1.08, 1)],
        showticklabels=False,
        ticks="",
    )
    fig.update_yaxes(automargin=True)
    fig.update_layout(
        height=max(300, 80 + 50 * len(d)),
        showlegend=False,
        margin=dict(l=20, r=110),
        meta={"cwb_escaped": True},
    )  # labels escaped above, with line breaks of our own
    return theme.apply(fig, title)


def staff_areas(shown: pd.DataFrame, shapes: pd.DataFrame, names: dict[str, str], k: int) -> pd.DataFrame:
    """Map areas from protected areas (cwb.privacy.protect_areas): one polygon per shown area;
    a merged group of small areas is drawn as the union of its members' shapes. Returns
    area_code, wkb, spend_gbp (the protected count, used for the colour classes) and a plain-text
    tooltip (names come from files: deck.gl renders tooltips as text, never markup)."""
    import shapely

    from cwb import privacy

    geo = dict(zip(shapes["area_code"], shapes["wkb"]))
    rows = []
    for r in shown.itertuples(index=False):
        parts = [geo[c] for c in r.members if c in geo]
        if not parts:
            continue
        if r.merged:
            wkb = shapely.to_wkb(shapely.union_all(shapely.from_wkb(parts)))
            label = f"{len(r.members)} areas with fewer than {k} staff each, merged (in {names.get(r.area_code, r.area_code)})"
        else:
            wkb = parts[0]
            label = names.get(r.area_code, r.area_code)
        rows.append(
            {
                "area_code": r.area_code,
                "wkb": wkb,
                "spend_gbp": float(r.headcount),
                "merged": bool(r.merged),
                "tooltip": f"{label}\n{privacy.display_count(r.headcount, k)} staff live here",
            }
        )
    return pd.DataFrame(rows, columns=["area_code", "wkb", "spend_gbp", "merged", "tooltip"])


MERGED_FILL = [200, 200, 200, 190]


def staff_layer(m: pd.DataFrame):
    """The staff map layer: single areas in five blue classes (quantiles of the protected counts),
    merged groups of small areas in grey (their count is in the tooltip: colouring a group that
    spans many areas by its total would overstate it)."""
    import pydeck as pdk

    from cwb import maps

    a = m.copy()
    single = ~a["merged"]
    a["fill"] = [MERGED_FILL] * len(a)
    if single.any():
        idx, _ = maps.classes(a.loc[single, "spend_gbp"])
        a.loc[single, "fill"] = pd.Series([maps.BLUES[min(i, 4)] + [215] for i in idx], index=a.index[single])
    feats = maps.features(a, ["area_code", "tooltip", "fill"])
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": feats},
        id="staff",
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255],
        line_width_min_pixels=0.5,
        auto_highlight=True,
    )


def legend_items(m: pd.DataFrame) -> list[tuple[list[int], str]]:
    """The colour classes of the staff map (from protected counts): (colour, 'lo–hi') pairs,
    then the merged groups' grey."""
    from cwb import maps

    values = m.loc[~m["merged"], "spend_gbp"] if len(m) else pd.Series(dtype=float)
    items: list[tuple[list[int], str]] = []
    if len(values):
        _, bounds = maps.classes(values)
        # counts are multiples of 5: a class up to 16 holds values up to 15
        prev = None
        for i, hi in enumerate(bounds):
            top = 5 * math.floor(hi / 5 + 1e-9)
            lo = float(values.min()) if prev is None else prev + 5
            if top < lo:
                continue
            items.append((maps.BLUES[min(i, 4)], f"{lo:,.0f}–{top:,.0f}" if top > lo else f"{top:,.0f}"))
            prev = top
    if len(m) and m["merged"].any():
        items.append((MERGED_FILL[:3], "small areas merged"))
    return items


def legend(m: pd.DataFrame) -> str:
    """The colour key of the staff map as HTML (numbers only, from protected counts), with the
    anchor sites' marker."""
    from cwb import maps

    items = [
        (c, t + " (hover for their count)" if t == "small areas merged" else t) for c, t in legend_items(m)
    ]
    return maps.legend_html("Staff living in the area:", items, [(maps.SITE_SWATCH, "anchor sites")])


def staff_picture(m: pd.DataFrame, context: pd.DataFrame, labels: pd.DataFrame, sites: pd.DataFrame, bounds):
    """The staff map (cwb.maps.MapPicture) drawn on screen and in the PNG: single areas in five
    blue classes of the protected counts, merged groups grey (see :func:`staff_layer`)."""
    from cwb import maps

    a = m.copy()
    single = ~a["merged"] if len(a) else pd.Series(dtype=bool)
    a["fill"] = [MERGED_FILL] * len(a)
    if len(a) and single.any():
        idx, _ = maps.classes(a.loc[single, "spend_gbp"])
        a.loc[single, "fill"] = pd.Series([maps.BLUES[min(i, 4)] + [215] for i in idx], index=a.index[single])
    return maps.MapPicture(
        areas=a[["area_code", "wkb", "fill", "tooltip"]],
        context=context,
        labels=labels,
        sites=sites,
        legend=legend_items(m),
        legend_title="Staff living in the area",
        bounds=bounds,
    )


def map_table(m: pd.DataFrame, k: int) -> pd.DataFrame:
    """The staff map's export: one row per area drawn, protected counts only."""
    from cwb import privacy

    return pd.DataFrame(
        {
            "Area code": m["area_code"],
            "Area": [t.split("\n")[0] for t in m["tooltip"]],
            "Staff living here (rounded to 5)": [privacy.display_count(v, k) for v in m["spend_gbp"]],
            "Merged small areas": ["yes" if x else "" for x in m["merged"]],
        }
    )


def headline_table(now: pd.DataFrame, names: dict[str, str], imd: bool) -> pd.DataFrame:
    """One row per anchor (and the set) of protected figures: counts as text ('<10' where
    suppressed), percentages from the protected counts."""
    order = sorted(now["anchor_id"], key=lambda a: (a == "_all", names.get(a, a)))
    t = now.set_index("anchor_id").loc[order].reset_index()
    cols = {
        "Anchor": t["anchor_id"].map(lambda a: names.get(a, a)),
        "Headcount (B1)": t["headcount_text"],
        "FTE (B1)": t["fte_text"],
        "Living locally % (B2)": t["B2_pct"],
    }
    if imd:
        cols["In IMD decile 1-2 areas % (B3)"] = t["B3_pct"]
        if t["B4_ratio"].notna().any():
            cols["Representation ratio (B4)"] = t["B4_ratio"]
    cols |= {
        "Paid real Living Wage % (B5)": t["B5_pct"],
        "Staff 18+ (B5 base)": t["adult_headcount_text"],
        "Apprentices % (B8)": t["B8_pct"],
        "Apprentice starts (B8)": t["apprentice_starts_text"],
        "Entry-level hires (B10)": t["entry_hires_text"],
        "Of which local % (B10)": t["B10L_pct"],
    }
    if imd:
        cols["Of which from decile 1-2 areas % (B10)"] = t["B10D_pct"]
    cols["Insecure contracts % (B14)"] = t["B14_pct"]
    return pd.DataFrame(cols)


PARENTS = {"lsoa11": ["parent_code", "grandparent_code"], "msoa11": ["parent_code"], "lad": []}


def protected_map_areas(areas: pd.DataFrame, level: str, k: int, shapes) -> tuple[pd.DataFrame, dict]:
    """The staff map's areas after disclosure control (cwb.privacy.protect_areas: small areas
    merged within their MSOA, then district, else hidden), with shapes and tooltips.
    ``shapes(level, codes)`` returns area_code + wkb (cwb.ui.data.shapes)."""
    from cwb import privacy

    shown, summ = privacy.protect_areas(areas, "headcount", k, parent_col=PARENTS[level])
    names: dict[str, str] = {}
    for c, n in (
        ("grandparent_code", "grandparent_name"),
        ("parent_code", "parent_name"),
        ("area_code", "area_name"),
    ):
        names.update(zip(areas[c], areas[n]))
    codes = sorted({c for m in shown["members"] for c in m})
    return staff_areas(shown, shapes(level, codes), names, k), summ


def map_note(summ: dict) -> str:
    k = summ["k"]
    return (
        "Counts rounded to the nearest 5. "
        + (
            f"{summ['areas_merged']:,} areas with fewer than {k} staff are merged (grey) into {summ['groups_merged']:,} "
            "groups within their MSOA or district; "
            if summ["groups_merged"]
            else ""
        )
        + (
            f"{summ['areas_hidden']:,} {'area' if summ['areas_hidden'] == 1 else 'areas'} with fewer than {k} staff "
            f"even when merged {'is' if summ['areas_hidden'] == 1 else 'are'} not drawn (together "
            f"{summ['hidden_total']} staff). "
            if summ["areas_hidden"]
            else ""
        )
        + "Staff home locations are held only as counts by area."
    )
