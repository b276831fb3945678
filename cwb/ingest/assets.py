"""Land and building registers in the Local Government Transparency Code layout.

Each site is located by its coordinates (WGS84 longitude/latitude or British National Grid
easting/northing, converted with pyproj), else by its full postcode (ref_postcode), else by the
centroid of the live postcodes of its postcode district ('M41', or the district of a postcode
that is not in the directory), and the precision used is stated per site in
``location_precision``: 'coordinates', 'postcode', 'postcode district' or 'none'. UPRNs stay
text (they are identifiers: leading zeros and 12 digits must survive).

Entry point (called by the import framework, cwb.ingest.stage):
``read_assets(path, con, anchor_id, financial_year=None, mapping=None) -> importer.Staged``
with ``Staged.frames == {"asset": assets_df, "asset_year": asset_years_df}`` (the columns of
those tables) and ``Staged.report`` (rows read, rejected with line numbers, notes including the
count of sites at each location precision and of each status).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cwb.ingest import importer, vocab
from cwb.ingest.readers import propose_mapping
from cwb.reference import geography

ALIASES: dict[str, list[str]] = vocab.for_kind("assets")  # the one vocabulary (cwb.ingest.vocab)
COMMUNITY_USES = re.compile(r"allotment|park|community|memorial|library|playing field|open space", re.I)


def _status(tenure_detail: str, other: str, status: str) -> str:
    s = (status or "").strip().lower()
    if s in ("operational", "surplus", "vacant", "under-used", "community use", "transferred", "disposed"):
        return s
    if "vacant" in (tenure_detail or "").lower():
        return "vacant"
    if "surplus" in (tenure_detail or "").lower() + (other or "").lower():
        return "surplus"
    if COMMUNITY_USES.search(other or ""):
        return "community use"
    return "operational"


FULL_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})")
DISTRICT = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(?: \d[A-Z]{0,2})?")


def district(postcode: str) -> str | None:
    """The postcode district (outward code) of a full or partial postcode: 'WA14 9NT', 'WA149NT',
    'WA14 1' and 'WA14' all give 'WA14'; anything else gives None."""
    t = re.sub(r"\s+", " ", str(postcode or "").strip().upper())
    m = FULL_POSTCODE.fullmatch(t) or DISTRICT.fullmatch(t)
    return m.group(1) if m else None


def _fy(date_text: str) -> str | None:
    t = str(date_text).strip()
    d = pd.to_datetime(
        t, errors="coerce", format="%Y-%m-%d" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t) else "%d/%m/%Y"
    )
    if pd.isna(d):
        return None
    y = d.year if d.month >= 4 else d.year - 1
    return f"{y}-{(y + 1) % 100:02d}"


def read_assets(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    anchor_id: str,
    financial_year: str | None = None,
    mapping: dict[str, str] | None = None,
) -> importer.Staged:
    """Stage a land register: frames for ``asset`` and ``asset_year`` plus the report.

    The register updates the anchor's site records (sites are keyed by anchor and the
    register's own reference or UPRN); the status is recorded for the register's financial year
    (its EffectiveDate, or ``financial_year``), beside the statuses of other years."""
    from pyproj import Transformer

    staged, tab = importer.begin(path, "assets", con, anchor_id, ALIASES, mapping)
    rep = staged.report
    if tab is None:
        return staged
    df = tab.data
    m = dict(mapping) if mapping else propose_mapping(list(df.columns), ALIASES)
    m = {k: v for k, v in m.items() if v in df.columns}
    rep.mapped = staged.mapping = m
    if "site_name" not in m and "uprn" not in m:
        rep.error = "no site name or UPRN column found"
        return staged
    col = lambda k: df[m[k]].astype(str).str.strip() if k in m else pd.Series("", index=df.index)  # noqa: E731
    rep.rows_read = len(df)
    x = pd.to_numeric(col("x"), errors="coerce")
    y = pd.to_numeric(col("y"), errors="coerce")
    crs = col("crs").str.upper()
    lat = pd.Series(np.nan, index=df.index)
    lon = pd.Series(np.nan, index=df.index)
    bng = (x > 1000) & (y > 1000) | crs.str.contains(
        "27700|OSGB|BNG|BRITISH|2990|IRISH|TM75|OSNI", regex=True
    )
    wgs = x.between(-9, 3) & y.between(49, 61) & ~bng
    lon[wgs], lat[wgs] = x[wgs], y[wgs]
    # a grid reference is the Irish Grid when the register says so, or, when it names no system,
    # for a site with a Northern Irish (BT) postcode (OSNI publishes Irish Grid references)
    irish = crs.str.contains("2990|IRISH|TM75|OSNI", regex=True) | (
        ~crs.str.contains("27700|OSGB|BNG|BRITISH", regex=True)
        & col("postcode").str.upper().str.startswith("BT")
    )
    for grid, which in ((geography.BRITISH_GRID, bng & ~irish), (geography.IRISH_GRID, bng & irish)):
        ok = which & x.notna() & y.notna()
        if ok.any():
            tr = Transformer.from_crs(grid, "EPSG:4326", always_xy=True)
            lon[ok], lat[ok] = tr.transform(x[ok].to_numpy(), y[ok].to_numpy())
    bad_xy = (x.notna() | y.notna()) & lat.isna()
    precision = pd.Series("none", index=df.index, dtype=object)
    precision[lat.notna()] = "coordinates"
    pc = col("postcode").str.upper().str.replace(r"\s+", " ", regex=True)
    key = pc.str.replace(" ", "", regex=False)
    cur = con.cursor()
    try:
        full = (
            cur.execute(
                "SELECT pcd_key, lat, lon FROM ref_postcode WHERE list_contains(?, pcd_key) AND lat IS NOT NULL",
                [key[key != ""].unique().tolist()],
            )
            .df()
            .set_index("pcd_key")
        )
        outward = pc.map(district)
        districts = sorted({d for d in outward if isinstance(d, str)})
        dist = (
            cur.execute(
                "SELECT regexp_extract(pcds, '^(\\S+)', 1) AS d, avg(lat) AS lat, avg(lon) AS lon FROM ref_postcode "
                "WHERE NOT terminated AND lat IS NOT NULL AND list_contains(?, regexp_extract(pcds, '^(\\S+)', 1)) GROUP BY 1",
                [districts],
            )
            .df()
            .set_index("d")
            if districts
            else pd.DataFrame(columns=["lat", "lon"])
        )
    finally:
        cur.close()
    need = lat.isna()
    by_pc = need & key.isin(full.index)
    lat[by_pc] = key[by_pc].map(full["lat"])
    lon[by_pc] = key[by_pc].map(full["lon"])
    precision[by_pc] = "postcode"
    need = lat.isna()
    by_d = need & outward.isin(dist.index)
    lat[by_d] = outward[by_d].map(dist["lat"])
    lon[by_d] = outward[by_d].map(dist["lon"])
    precision[by_d] = "postcode district"
    ref = col("site_ref").where(col("site_ref") != "", col("uprn"))
    ref = ref.where(ref != "", pd.Series([f"row{n}" for n in tab.line_numbers], index=df.index))
    address = (
        (col("street_number") + " " + col("street") + ", " + col("town"))
        .str.strip(" ,")
        .str.replace(r"\s+", " ", regex=True)
    )
    assets = pd.DataFrame(
        {
            "asset_id": anchor_id + ":" + ref,
            "anchor_id": anchor_id,
            "site_name": col("site_name").where(col("site_name") != "", address),
            "uprn": col("uprn").replace({"": None}),
            "address": address.replace({"": None}),
            "postcode": pc.replace({"": None}),
            "easting": x.where(bng),
            "northing": y.where(bng),
            "lat": lat,
            "lon": lon,
            "location_precision": precision,
            "tenure": col("tenure").str.capitalize().replace({"": None}),
            "holding_type": col("holding_type").replace({"": None}),
            "use_type": col("other_detail")
            .where(col("other_detail") != "", col("holding_type"))
            .replace({"": None}),
            "area_ha": pd.to_numeric(col("land_area"), errors="coerce"),
            "floor_area_m2": pd.to_numeric(col("building_size"), errors="coerce"),
        }
    )
    dup = assets["asset_id"].duplicated(keep=False)
    if dup.any():
        for i in np.flatnonzero(dup.to_numpy()):
            if assets["asset_id"].iloc[:i].eq(assets["asset_id"].iloc[i]).any():
                assets.iat[i, 0] = f"{assets['asset_id'].iloc[i]}#{tab.line_numbers[i]}"
        rep.notes.append(f"{int(dup.sum())} rows share a site reference: kept apart by line number")
    for i in np.flatnonzero(bad_xy.to_numpy()):
        rep.notes.append(
            f"line {tab.line_numbers[i]}: coordinates outside Great Britain ignored; located by postcode if possible"
        )
    fy = financial_year or _fy(col("effective_date").iloc[0] if len(df) else "") or None
    if fy is None:
        rep.error = "no effective date in the register: give the financial year it describes"
        return staged
    years = pd.DataFrame(
        {
            "asset_id": assets["asset_id"],
            "financial_year": fy,
            "status": [
                _status(t, o, s) for t, o, s in zip(col("tenure_detail"), col("other_detail"), col("status"))
            ],
            "disposal_route": None,
            "disposal_value_gbp": None,
        }
    )
    rep.rows_ok = len(assets)
    counts = assets["location_precision"].value_counts()
    rep.notes.append("location precision: " + ", ".join(f"{k} {int(v)}" for k, v in counts.items()))
    rep.notes.append(
        f"status as at {fy}: " + ", ".join(f"{k} {int(v)}" for k, v in years["status"].value_counts().items())
    )
    staged.frames = {"asset": assets, "asset_year": years}
    # the site records are updated; each year's status is kept (a 2024-25 register replaces the
    # 2024-25 statuses only, never 2023-24's), and undo restores exactly what was replaced
    staged.delete_ids = {"asset": ("asset_id", assets["asset_id"].tolist())}
    staged.upsert_keys = {"asset_year": ["asset_id", "financial_year"]}
    return staged
