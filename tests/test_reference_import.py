"""Official reference files: a postcode directory extract and a boundary file replace the shipped ones."""

from __future__ import annotations

import shutil

import pandas as pd

from cwb import build, db
from cwb.reference import official


def test_postcode_directory_upsert(tmp_path):
    con = build.open_database(tmp_path / "r.duckdb", log=lambda *a: None)
    f = tmp_path / "ONSPD_extract.csv"
    # a new postcode and a changed one, in the ONSPD column names
    f.write_text(
        "pcd,pcds,doterm,oslaua,lsoa11,msoa11,lat,long\n"
        "ZZ991AA,ZZ99 1AA,,E07000123,E01025247,E02005269,53.76,-2.70\n"
        "PR0 2AA,PR0 2AA,202401,E07000123,E01025247,E02005269,53.75,-2.71\n"
    )
    assert official.load_postcodes(con, f) == 2
    cur = con.cursor()
    assert cur.execute("SELECT lad25, lsoa11 FROM ref_postcode WHERE pcd_key = 'ZZ991AA'").fetchone() == (
        "E07000123",
        "E01025247",
    )
    assert cur.execute(
        "SELECT terminated, count(*) OVER () FROM ref_postcode WHERE pcd_key = 'PR02AA'"
    ).fetchone() == (True, 1)
    cur.close()
    db.close_all()


def test_boundary_file_replaces_lad_shapes(tmp_path, shared_dir, monkeypatch):
    cache = tmp_path / "cache"
    from cwb import config

    shutil.copytree(config.reference_cache(), cache)
    n = official.load_boundaries(shared_dir / "reference" / "lad_may2024_uk_buc.geojson", "lad", cache)
    assert n == 361
    shapes = pd.read_parquet(cache / "lad_shapes.parquet")
    assert "E07000123" in set(shapes["lad_code"]) and "E06000063" in set(
        shapes["lad_code"]
    )  # 2023 Cumberland
