"""Land and property: hand-checked figures, scope on site detail, pages run."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cwb import build, db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def con(tmp_path):
    c = build.open_database(tmp_path / "l.duckdb", log=lambda *a: None)
    c.execute("INSERT INTO network VALUES ('N', 'T', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)")
    for a in ("A", "B"):
        c.execute(f"INSERT INTO anchor VALUES ('{a}', 'Anchor {a}', 'council', NULL, 'N', NULL, false)")
    # A1 operational 2.0 ha; A2 surplus 1.5 ha then transferred (CAT) in 2024-25; B1 vacant 0.5 ha
    c.execute("""INSERT INTO asset (asset_id, anchor_id, site_name, postcode, lat, lon, tenure, use_type, area_ha)
                 VALUES ('A1','A','Hall','PR0 2AA',53.8,-2.7,'Freehold','Office',2.0),
                        ('A2','A','Yard','PR0 2AA',53.8,-2.7,'Freehold','Land',1.5),
                        ('B1','B','Depot','PR0 2AA',53.8,-2.7,'Leasehold','Depot',0.5)""")
    c.execute("""INSERT INTO asset_year VALUES ('A1','2023-24','operational',NULL,NULL), ('A2','2023-24','surplus',NULL,NULL),
                 ('A2','2024-25','transferred','community asset transfer',1.00), ('B1','2023-24','vacant',NULL,NULL)""")
    build.refresh(c)
    yield c
    db.close_all()


def test_summary_by_status(con):
    s = db.run("land_summary", con, anchor_ids=[], fy="2024-25", imd_edition="2019")
    net = s[s["anchor_id"] == "_all"].set_index("status")
    assert net.loc["operational", "sites"] == 1 and net.loc["transferred", "area_ha"] == 1.5
    assert net.loc["vacant", "sites"] == 1
    # as at 2023-24 the yard was still surplus
    s23 = db.run("land_summary", con, anchor_ids=[], fy="2023-24", imd_edition="2019")
    assert "surplus" in set(s23[s23["anchor_id"] == "_all"]["status"])
    d = db.run("land_disposals", con, anchor_ids=[], fy_from="2020-21", fy_to="2025-26")
    assert d.iloc[0]["disposal_route"] == "community asset transfer" and d.iloc[0]["area_ha"] == 1.5


def test_site_detail_respects_scope(con):
    rows = db.run("land_sites", con, anchor_ids=[], fy="2024-25", scope_anchor_ids=["B"], tenures=[], statuses=[],
                  imd_edition="2019")
    assert set(rows["anchor_id"]) == {"B"} and rows.iloc[0]["status"] == "vacant"


@pytest.mark.parametrize("page", ["pages/6_Workforce.py", "pages/7_Land_and_property.py"])
def test_people_and_land_pages_run(app_env, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception
    assert at.metric and any("Synthetic demo data" in w.value for w in at.warning)
    if "Workforce" in page:
        assert any("Gender pay gap (B13" in m.value for m in at.markdown)
