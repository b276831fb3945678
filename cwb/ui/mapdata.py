"""Boundaries for the maps, cached per process: every district of the lookup, including those
made after the boundary file (dissolved from their 2011 LSOAs)."""

from __future__ import annotations

import pandas as pd

from cwb import config, maps
from cwb.ui import data


@data.kept(max_entries=4)
def _lad_shapes(cache_dir: str, version: int) -> pd.DataFrame:
    shapes = data.shapes("lad")
    look = data.query("map_lad_lsoas")
    look = look[~look["lad_code"].isin(set(shapes["area_code"])) & look["lad_code"].str[:1].isin(["E", "W"])]
    if look.empty:
        return shapes
    extra = maps.dissolve(data.shapes("lsoa11", look["area_code"].tolist()), look)
    # the 2022 districts the new ones replaced (their LSOAs now lie in a new district) are dropped,
    # so that no old border or name is drawn inside a new district
    lsoa = data.lsoa_index()
    replaced = set(lsoa.loc[lsoa["area_code"].isin(set(look["area_code"])), "lad22"]) - set(
        extra["area_code"]
    )
    keep = shapes[~shapes["area_code"].isin(replaced)]
    return pd.concat([keep[["area_code", "wkb"]], extra], ignore_index=True)


def lad_shapes() -> pd.DataFrame:
    """area_code, wkb of every district in England and Wales (current and 2022 codes)."""
    return _lad_shapes(str(config.reference_cache()), data.data_version())


def protected_staff_areas(areas: pd.DataFrame, level: str, k: int) -> tuple[pd.DataFrame, dict]:
    """The staff map's areas after disclosure control, with shapes and tooltips
    (cwb.charts.workforce.protected_map_areas), cached on the query's rows: merging small areas
    took about 100 ms of every rerun of the Workforce page (issue 15)."""
    return data.derived(_protected_staff_areas, areas, level, k)


def _protected_staff_areas(areas: pd.DataFrame, level: str, k: int) -> tuple[pd.DataFrame, dict]:
    from cwb.charts import workforce

    return workforce.protected_map_areas(
        areas, level, k, lambda lv, c: lad_shapes() if lv == "lad" else data.shapes(lv, c)
    )


def place_labels(context: pd.DataFrame, f, bounds, towns: bool) -> pd.DataFrame:
    """District (and, with ``towns``, town) names for a map of the view's wider area, cached
    on their inputs (cwb.maps.labels_for)."""
    lads = data.query("lads")
    return data.derived(
        maps.labels_for,
        context,
        dict(zip(lads["lad_code"], lads["lad_name"])),
        f.local_lads,
        f.wider_lads,
        bounds,
        towns=towns,
    )
