"""Import official reference files: the ONS Postcode Directory (ONSPD / NSPL, CSV) and boundary
files (GeoJSON, GeoPackage or Shapefile) that replace the shipped ones."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from cwb import config, db
from cwb.reference import geography
from cwb.reference.imd import ImdFormatError

LEVELS = {
    "lad": ("lad_shapes.parquet", "lad_code"),
    "msoa11": ("msoa11.parquet", "msoa11"),
    "lsoa11": ("lsoa11.parquet", "lsoa11"),
}


def _col(cols, *patterns):
    for pat in patterns:
        for c in cols:
            if re.fullmatch(pat, c, flags=re.I):
                return c
    return None


def load_postcodes(con: duckdb.DuckDBPyConnection, path: str | Path) -> int:
    """Upsert postcodes from an ONSPD / NSPL CSV (pcds or pcd, doterm, lsoa11 (or lsoa21 for
    NSPL 2021), msoa11, oslaua or laua, lat, long). One transaction; returns rows loaded."""
    path = Path(path)
    head = pd.read_csv(path, nrows=5, dtype=str, encoding_errors="replace")
    cols = list(head.columns)
    pc = _col(cols, "pcds", "pcd", "pcd2", "postcode")
    lad = _col(cols, "oslaua", "laua", "lad\\d{2}cd", "ladcd")
    lat, lon = _col(cols, "lat", "latitude"), _col(cols, "long", "longitude", "lon")
    lsoa = _col(cols, "lsoa11", "lsoa11cd")
    msoa = _col(cols, "msoa11", "msoa11cd")
    term = _col(cols, "doterm")
    if not (pc and lad and lat and lon):
        raise ImdFormatError(
            f"{path.name}: not a postcode directory: need postcode, local authority, lat and long "
            f"columns (found {cols[:10]})"
        )
    sel = {"pcds": pc, "lad25": lad, "lat": lat, "lon": lon}
    if lsoa:
        sel["lsoa11"] = lsoa
    if msoa:
        sel["msoa11"] = msoa
    if term:
        sel["doterm"] = term
    proj = ", ".join(f'"{v}" AS {k}' for k, v in sel.items())
    geography.materialise_postcodes(con)  # a first start's view of the cache becomes a table
    with db.transaction(con) as cur:
        cur.execute(
            f"CREATE TEMP TABLE _pc AS SELECT {proj} FROM read_csv(?, all_varchar=true, header=true)",
            [str(path)],
        )
        n = cur.execute("SELECT count(*) FROM _pc").fetchone()[0]
        cur.execute("DELETE FROM ref_postcode WHERE pcd_key IN (SELECT pcd_key(pcds) FROM _pc)")
        lsoa_sql = "nullif(lsoa11, '')" if lsoa else "NULL"
        msoa_sql = "nullif(msoa11, '')" if msoa else "NULL"
        term_sql = "coalesce(doterm, '') <> ''" if term else "false"
        cur.execute(f"""INSERT INTO ref_postcode (pcd_key, pcds, lsoa11, msoa11, lad22, lad25, lat, lon, terminated)
            SELECT pcd_key(pcds), pcds, {lsoa_sql}, {msoa_sql}, NULL, nullif(lad25, ''),
                   TRY_CAST(lat AS DOUBLE), TRY_CAST(lon AS DOUBLE), {term_sql}
            FROM _pc WHERE pcd_key(pcds) <> ''""")
        cur.execute("DROP TABLE _pc")
    return int(n)


def load_boundaries(path: str | Path, level: str, cache: Path | None = None) -> int:
    """Replace the boundaries of ``level`` (lad, msoa11, lsoa11) from a GeoJSON / GeoPackage /
    Shapefile; the code column is found by name (e.g. LAD24CD, ltla24_code, LSOA11CD)."""
    import geopandas as gpd
    import shapely

    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    cache = cache or config.reference_cache()
    gdf = gpd.read_file(path)
    pats = {
        "lad": [r"lad\d{2}cd", r"ltla\d{2}_code", r"lad_code", r"code"],
        "msoa11": [r"msoa11cd", r"msoa11_code", r"code"],
        "lsoa11": [r"lsoa11cd", r"lsoa11_code", r"code"],
    }[level]
    code = _col(list(gdf.columns), *pats)
    if code is None:
        raise ImdFormatError(
            f"{Path(path).name}: no area code column for {level} (columns {list(gdf.columns)[:10]})"
        )
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    geoms = shapely.make_valid(gdf.geometry.values)
    file, key = LEVELS[level]
    out = pd.DataFrame({key: gdf[code].astype(str).str.strip(), "wkb": shapely.to_wkb(geoms)})
    if level == "lsoa11":
        old = pd.read_parquet(cache / file)
        out = out.merge(old.drop(columns=["wkb"]), on="lsoa11", how="left")
    tmp = cache / (file + ".tmp")
    out.to_parquet(tmp, index=False)
    tmp.replace(cache / file)
    return len(out)
