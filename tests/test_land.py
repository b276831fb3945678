"""Land and property: hand-checked figures (C1-C5, C9), site location and its LSOA, scope on
site detail, the Trafford register (precision computed independently), and the page."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cwb import build, db
from cwb.ingest import importer
from cwb.ingest.assets import district
from cwb.ingest.stage import safe_stage

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def con(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "originals"))
    c = build.open_database(tmp_path / "l.duckdb", log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'T', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    for a in ("A", "B"):
        c.execute(f"INSERT INTO anchor VALUES ('{a}', 'Anchor {a}', 'council', NULL, 'N', NULL, false)")
    # PR0 2AA is in LSOA E01025247 (decile 1 here), PR1 2HE in E01025314 (decile 7 here)
    c.execute(
        "INSERT INTO ref_imd VALUES ('2019', 'E01025247', 1, NULL, NULL, NULL), ('2019', 'E01025314', 7, NULL, NULL, NULL)"
    )
    # A1 operational 2.0 ha 500 m²; A2 surplus 1.5 ha then transferred (CAT) in 2024-25; B1 vacant 0.5 ha;
    # A3 community use 0.25 ha, located by coordinates only (no postcode), 30 m from PR1 2HE
    c.execute("""INSERT INTO asset (asset_id, anchor_id, site_name, postcode, lat, lon, location_precision, tenure, use_type,
                                    area_ha, floor_area_m2)
                 VALUES ('A1','A','Hall','PR0 2AA',53.8,-2.7,'postcode','Freehold','Office',2.0,500),
                        ('A2','A','Yard','PR0 2AA',53.8,-2.7,'postcode','Freehold','Land',1.5,NULL),
                        ('B1','B','Depot','PR1 2HE',53.8,-2.7,'postcode','Leasehold','Depot',0.5,120),
                        ('A3','A','Garden',NULL,53.76160,-2.70740,'coordinates','Freehold','Land',0.25,NULL)""")
    c.execute("""INSERT INTO asset_year VALUES ('A1','2023-24','operational',NULL,NULL), ('A2','2023-24','surplus',NULL,NULL),
                 ('A2','2024-25','transferred','community asset transfer',1.00), ('B1','2023-24','vacant',NULL,NULL),
                 ('A3','2023-24','community use',NULL,NULL)""")
    build.refresh(c)
    yield c
    db.close_all()


def test_summary_by_status(con):
    s = db.run("land_summary", con, network_id="N", anchor_ids=[], fy="2024-25", imd_edition="2019")
    net = s[s["anchor_id"] == "_all"].set_index("status")
    assert net.loc["operational", "sites"] == 1 and net.loc["transferred", "area_ha"] == 1.5
    assert net.loc["vacant", "sites"] == 1
    # as at 2023-24 the yard was still surplus
    s23 = db.run("land_summary", con, network_id="N", anchor_ids=[], fy="2023-24", imd_edition="2019")
    assert "surplus" in set(s23[s23["anchor_id"] == "_all"]["status"])
    d = db.run("land_disposals", con, network_id="N", anchor_ids=[], fy_from="2020-21", fy_to="2025-26")
    assert d.iloc[0]["disposal_route"] == "community asset transfer" and d.iloc[0]["area_ha"] == 1.5


def test_breakdown_and_deprivation_by_hand(con):
    """Held in 2024-25 (the transferred yard is not): A1 Office 2.0 ha decile 1, B1 Depot 0.5 ha
    decile 7, A3 Land 0.25 ha (LSOA from the nearest postcode, PR1 2HE: decile 7).
    By use: Office 1 site 2.0 ha (1 deprived, 2.0 ha); Depot 1, 0.5 ha; Land 1, 0.25 ha.
    By tenure: Freehold 2 sites 2.25 ha, 500 m² (1 deprived); Leasehold 1, 0.5 ha, 120 m².
    In 2023-24 the yard (Land, PR0 2AA, decile 1) is still held: Land 2 sites 1.75 ha, 1 deprived 1.5 ha."""
    use = db.run(
        "land_breakdown",
        con,
        network_id="N",
        anchor_ids=[],
        fy="2024-25",
        dimension="use_type",
        imd_edition="2019",
    ).set_index("category")
    assert use.loc["Office", ["sites", "area_ha", "sites_deprived", "area_ha_deprived"]].tolist() == [
        1,
        2.0,
        1,
        2.0,
    ]
    assert use.loc["Land", ["sites", "area_ha", "sites_deprived", "sites_imd_known"]].tolist() == [
        1,
        0.25,
        0,
        1,
    ]
    ten = db.run(
        "land_breakdown",
        con,
        network_id="N",
        anchor_ids=[],
        fy="2024-25",
        dimension="tenure",
        imd_edition="2019",
    ).set_index("category")
    assert ten.loc["Freehold", ["sites", "area_ha", "floor_area_m2", "sites_deprived"]].tolist() == [
        2,
        2.25,
        500,
        1,
    ]
    assert ten.loc["Leasehold", ["sites", "area_ha", "floor_area_m2"]].tolist() == [1, 0.5, 120]
    use23 = db.run(
        "land_breakdown",
        con,
        network_id="N",
        anchor_ids=[],
        fy="2023-24",
        dimension="use_type",
        imd_edition="2019",
    ).set_index("category")
    assert use23.loc["Land", ["sites", "area_ha", "sites_deprived", "area_ha_deprived"]].tolist() == [
        2,
        1.75,
        1,
        1.5,
    ]
    anc = db.run(
        "land_breakdown",
        con,
        network_id="N",
        anchor_ids=["B"],
        fy="2024-25",
        dimension="anchor_id",
        imd_edition="2019",
    )
    assert anc["category"].tolist() == ["B"] and anc["sites"].tolist() == [1]


def test_site_without_postcode_gets_lsoa_from_nearest_postcode(con):
    g = dict(
        (r[0], r[1:])
        for r in con.execute("SELECT asset_id, lsoa11, lsoa_from, imd2019_decile FROM asset_geo").fetchall()
    )
    assert g["A3"] == ("E01025314", "nearest postcode to the coordinates", 7)
    assert g["A1"] == ("E01025247", "postcode", 1)


def test_site_detail_respects_scope(con):
    rows = db.run(
        "land_sites",
        con,
        network_id="N",
        anchor_ids=[],
        fy="2024-25",
        scope_anchor_ids=["B"],
        tenures=[],
        statuses=[],
        imd_edition="2019",
    )
    assert set(rows["anchor_id"]) == {"B"} and rows.iloc[0]["status"] == "vacant"
    lease = db.run(
        "land_sites",
        con,
        network_id="N",
        anchor_ids=[],
        fy="2024-25",
        scope_anchor_ids=["A", "B"],
        tenures=["Leasehold"],
        statuses=[],
        imd_edition="2019",
    )
    assert lease["asset_id"].tolist() == ["B1"]


@pytest.mark.parametrize(
    "text, want",
    [
        ("WA14 9NT", "WA14"),
        ("wa149nt", "WA14"),
        ("WA14 1", "WA14"),
        ("M41", "M41"),
        ("EC1A 1BB", "EC1A"),
        ("", None),
        ("Land at X", None),
        ("12345", None),
    ],
)
def test_postcode_district(text, want):
    assert district(text) == want


def test_trafford_register_precision_computed_independently(con, shared_dir):
    """The Trafford register (transparency-code layout): each site's precision worked out here with
    the csv module and plain lookups in ref_postcode, then compared with the import.
    Rule: WGS84 GeoX/GeoY inside Great Britain -> coordinates; else a full postcode found in the
    directory -> postcode; else the outward code of what is in PostCode, if any live postcode has it
    -> postcode district; else none. (On this machine: 372 / 23 / 210 / 3 of 608.)"""
    path = shared_dir / "samples" / "assets" / "trafford_land_and_building_assets.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    known = {r[0] for r in con.execute("SELECT pcd_key FROM ref_postcode WHERE lat IS NOT NULL").fetchall()}
    districts = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT split_part(pcds, ' ', 1) FROM ref_postcode WHERE NOT terminated AND lat IS NOT NULL"
        ).fetchall()
    }
    want = {}
    for r in rows:
        key = r["AssetCode"].strip() or r["UPRN"].strip()
        pc = " ".join(r["PostCode"].upper().split())
        try:
            x, y = float(r["GeoX"]), float(r["GeoY"])
            in_gb = -9 <= x <= 3 and 49 <= y <= 61
        except ValueError:
            in_gb = False
        m = re.match(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?: ?[0-9][A-Z]{0,2})?$", pc)
        if in_gb:
            want[key] = "coordinates"
        elif pc.replace(" ", "") in known:
            want[key] = "postcode"
        elif m and m.group(1) in districts:
            want[key] = "postcode district"
        else:
            want[key] = "none"
    st = safe_stage(con, path, "assets", "A")
    assert st.report.ok, st.report.text()
    importer.commit(con, st)
    got = dict(
        con.execute(
            "SELECT replace(asset_id, 'A:', ''), location_precision FROM asset WHERE anchor_id = 'A' "
            "AND asset_id LIKE 'A:%'"
        ).fetchall()
    )
    assert len(got) == len(rows) == 608
    assert got == want
    counts = {
        p: sum(1 for v in got.values() if v == p)
        for p in ("coordinates", "postcode", "postcode district", "none")
    }
    assert counts == {"coordinates": 372, "postcode": 23, "postcode district": 210, "none": 3}
    assert any(f"coordinates {counts['coordinates']}" in n for n in st.report.notes)
    # UPRNs are text and keep every digit
    uprns = {r[0] for r in con.execute("SELECT uprn FROM asset WHERE uprn IS NOT NULL").fetchall()}
    assert "100012797623" in uprns and all(isinstance(u, str) for u in uprns)
    # every located site is in Greater Manchester's neighbourhood (lat 53.3-53.6, lon -2.6..-2.1)
    box = con.execute(
        "SELECT min(lat), max(lat), min(lon), max(lon) FROM asset WHERE lat IS NOT NULL AND asset_id LIKE 'A:%'"
    ).fetchone()
    assert 53.2 < box[0] and box[1] < 53.7 and -2.7 < box[2] and box[3] < -2.0


def _deck_layers(at):
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return {layer["id"]: layer for layer in spec["layers"]}


def test_land_page_map_filters_and_layers(app_env):
    c = db.connect(app_env)
    lsoas = [r[0] for r in c.execute("SELECT lsoa11 FROM ref_lsoa WHERE lad_code = 'E07000123'").fetchall()]
    c.executemany(
        "INSERT INTO ref_imd VALUES ('2019', ?, ?, NULL, NULL, NULL)",
        [(x, 1 + i % 10) for i, x in enumerate(lsoas)],
    )
    build.refresh(c)
    n_lease = c.execute("SELECT count(*) FROM asset WHERE tenure = 'Leasehold'").fetchone()[0]
    db.close_all()
    at = AppTest.from_file(str(ROOT / "pages" / "7_Land_and_property.py"), default_timeout=120).run()
    assert not at.exception
    labels = {m.label for m in at.metric}
    assert {
        "Sites held (C1)",
        "Floor area (C1)",
        "Surplus, vacant or under-used (C2)",
        "In community use (C5)",
        "Transferred to communities (C4, to date)",
        "Sites held in IMD decile 1-2 areas (C9, IMD 2019)",
    } <= labels
    layers = _deck_layers(at)
    assert set(layers) == {"outlines", "sites", "labels"}  # labels: district and town names
    # the deprivation layer goes under the sites when switched on
    at.toggle(key="w_limd").set_value(True).run()
    assert list(_deck_layers(at)) == ["outlines", "imd", "sites", "labels"]
    # tenure filter: only leasehold sites, in the table and on the map
    at.multiselect(key="w_ten").set_value(["Leasehold"]).run()
    table = [d.value for d in at.dataframe if "Tenure" in d.value.columns][0]
    assert set(table["Tenure"]) == {"Leasehold"} and len(table) == n_lease
    # colour by use: the legend names uses
    at.radio(key="w_lcol").set_value("use").run()
    assert not at.exception and any("Office" in m.value for m in at.markdown if "●" in m.value)
    cap = [x.value for x in at.caption if "have a location" in x.value][0]
    assert f"{n_lease} of {n_lease} sites have a location" in cap and "by postcode" in cap


def test_land_page_for_one_anchor(app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "7_Land_and_property.py"), default_timeout=120)
    at.query_params["a"] = "DEMO-FIRE"
    at.query_params["ldim"] = "status"
    at.run()
    assert not at.exception
    table = [d.value for d in at.dataframe if "Anchor" in d.value.columns][0]
    assert set(table["Anchor"]) == {"Shire Fire and Rescue Service (demo)"}  # the table names the anchor
    # no IMD in the demo database: said plainly, the deprivation layer is off
    assert any("Indices of Deprivation" in x.value for x in at.info)
    assert at.toggle(key="w_limd").disabled


@pytest.mark.parametrize("page", ["pages/6_Workforce.py", "pages/7_Land_and_property.py"])
def test_people_and_land_pages_run(app_env, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception
    assert at.metric and any("Synthetic demo data" in w.value for w in at.warning)
    if "Workforce" in page:
        assert any("Gender pay gap (B13" in m.value for m in at.markdown)


def test_irish_grid_references_are_placed_in_northern_ireland(con, tmp_path):
    """A land register's eastings and northings are the Irish Grid when its CRS column says so,
    or, when it names none, for a site with a Northern Irish (BT) postcode; British National Grid
    otherwise. Read as British, Belfast's grid reference (334316, 374675: BT1 1AA) lands near
    Liverpool (about 53.26, -2.99). Expected positions: Belfast about 54.60, -5.92 (OSNI);
    Preston town hall (353790, 429390 British) about 53.76, -2.70."""
    p = tmp_path / "register.csv"
    p.write_text(
        "PropertyName,PostCode,GeoX,GeoY,CoordinateReferenceSystem\n"
        "Belfast office,BT1 1AA,334316,374675,\n"
        "Belfast depot,,334316,374675,EPSG:29903 Irish Grid\n"
        "Preston hall,PR1 2HE,353790,429390,\n"
        "Preston yard,,353790,429390,OSGB36 British National Grid\n"
    )
    st = safe_stage(con, p, "assets", "A", financial_year="2024-25")
    assert st.report.ok, st.report.text()
    importer.commit(con, st)
    pos = {
        n: (la, lo)
        for n, la, lo in con.execute(
            "SELECT site_name, lat, lon FROM asset WHERE asset_id LIKE 'A:row%'"
        ).fetchall()
    }
    for name in ("Belfast office", "Belfast depot"):
        la, lo = pos[name]
        assert 54.55 < la < 54.65 and -5.97 < lo < -5.87, (name, la, lo)
    for name in ("Preston hall", "Preston yard"):
        la, lo = pos[name]
        assert 53.73 < la < 53.79 and -2.74 < lo < -2.66, (name, la, lo)
