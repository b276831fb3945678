"""Workforce pillar: hand-computed indicators (B1-B14, B4 with population), coarser areas, the
real Living Wage table, HR extracts aggregated on read (London rate, B5 base, entry levels),
and the page (AppTest)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cwb import build, db, workforce
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage
from cwb.reference import rlw

ROOT = Path(__file__).resolve().parent.parent
FY = "2024-25"
# Preston (E07000123): LSOAs E01025231, E01025232 (MSOA E02005265), E01025233 (MSOA E02005260);
# Lancaster (E07000121): LSOA E01025085.
IMD = [("E01025231", 1, 1000), ("E01025232", 2, 1500), ("E01025233", 6, 2500), ("E01025085", 1, 2000)]
# anchor, area, level, headcount, fte, adult, paid_rlw, apprentices, starts, entry_hires, insecure
ROWS = [
    ("A", "E01025231", "lsoa11", 40, 36, 40, 38, 4, 2, 6, 3),
    ("A", "E01025233", "lsoa11", 60, 50, 58, 55, 6, 3, 8, 5),
    ("A", "E01025085", "lsoa11", 30, 30, 30, 30, 0, 0, 4, 2),
    ("A", "E02005260", "msoa11", 20, 18, 20, 20, 1, 0, 2, 0),  # held by MSOA: local, no decile
    ("B", "E01025232", "lsoa11", 200, 180, 200, 150, 10, 5, 20, 30),
    ("B", "E07000121", "lad", 100, 90, 100, 100, 5, 2, 10, 10),  # held by district: not local
    ("B", "UNKNOWN", "unknown", 15, 15, 15, 15, 0, 0, 0, 0),
]


@pytest.fixture()
def con(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "originals"))
    c = build.open_database(tmp_path / "w.duckdb", log=lambda *a: None)
    c.execute(
        "INSERT INTO network VALUES ('N', 'T', ['E07000123'], ['E07000123', 'E07000121'], 'E12000002', 'Preston', "
        "'Lancashire', NULL, false)"
    )
    c.execute("INSERT INTO anchor VALUES ('A', 'Anchor A', 'council', 'PR1 2HE', 'N', NULL, false)")
    c.execute("INSERT INTO anchor VALUES ('B', 'Anchor B', 'nhs_trust', 'PR1 2HE', 'N', NULL, false)")
    c.execute("INSERT INTO anchor VALUES ('L', 'London anchor', 'council', 'SW1A 1AA', 'N', NULL, false)")
    yield c
    db.close_all()


@pytest.fixture()
def loaded(con):
    con.executemany("INSERT INTO ref_imd VALUES ('2019', ?, ?, NULL, NULL, ?)", IMD)
    con.executemany(
        "INSERT INTO workforce_area VALUES (?, '2024-25', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        [(r[0], r[1], r[2], *r[3:]) for r in ROWS],
    )
    build.refresh(con)
    return con


def _raw(con):
    return db.run(
        "workforce_indicators",
        con,
        network_id="N",
        anchor_ids=[],
        fy_from=FY,
        fy_to=FY,
        local_lads=["E07000123"],
        imd_edition="2019",
    ).set_index("anchor_id")


def test_raw_counts_by_hand(loaded):
    r = _raw(loaded)
    # A: headcount 40+60+30+20 = 150; local (Preston, incl. the MSOA row) 40+60+20 = 120;
    #    decile <= 2: E01025231 (40) + E01025085 (30) = 70; decile known 40+60+30 = 130
    a = r.loc["A"]
    assert (a["headcount"], a["local_headcount"], a["deprived_headcount"], a["imd_known_headcount"]) == (
        150,
        120,
        70,
        130,
    )
    # entry hires 6+8+4+2 = 20; local 6+8+2 = 16; deprived 6+4 = 10
    assert (a["entry_hires"], a["entry_hires_local"], a["entry_hires_deprived"]) == (20, 16, 10)
    # B: 200+100+15 = 315; local 200 (the Lancaster district row is not local); unknown area 15
    b = r.loc["B"]
    assert (b["headcount"], b["local_headcount"], b["deprived_headcount"], b["unknown_area_headcount"]) == (
        315,
        200,
        200,
        15,
    )
    assert (
        r.loc["_all", "headcount"] == 465 and r.loc["_all", "paid_rlw"] == 38 + 55 + 30 + 20 + 150 + 100 + 15
    )


def test_protected_indicators_by_hand(loaded):
    """k = 10, counts rounded to the nearest 5, percentages from the rounded counts.
    Population: Preston LSOAs with population 1000 + 1500 + 2500 = 5000, of which decile 1-2
    1000 + 1500 = 2500 -> 50.0 % (the Lancaster LSOA is not local)."""
    pop = db.run("workforce_population", loaded, local_lads=["E07000123"], imd_edition="2019").iloc[0]
    assert (pop["population"], pop["deprived_population"], pop["deprived_pop_pct"]) == (5000, 2500, 50.0)
    ind = workforce.protected_indicators(_raw(loaded).reset_index(), 10, pop["deprived_pop_pct"]).set_index(
        "anchor_id"
    )
    a, b, n = ind.loc["A"], ind.loc["B"], ind.loc["_all"]
    # A: local 120/150 = 80.0 %; deprived 70/150 = 46.7 %; B4 46.7 / 50 = 0.93
    assert (a["B2_pct"], a["B3_pct"], a["B4_ratio"]) == (80.0, 46.7, 0.93)
    # B5: adult 148 -> 150, paid 143 -> 145: 145 / 150 = 96.7 %
    assert (a["adult_headcount_text"], a["paid_rlw_text"], a["B5_pct"]) == ("150", "145", 96.7)
    # B8: apprentices 11 -> 10: 10 / 150 = 6.7 %; starts 5 -> suppressed
    assert (a["apprentices_text"], a["B8_pct"], a["apprentice_starts_text"]) == ("10", 6.7, "<10")
    # B10: entry 20; local 16 -> 15: 75.0 %; deprived 10: 50.0 %; B14: insecure 10 / 150 = 6.7 %
    assert (a["B10L_pct"], a["B10D_pct"], a["B14_pct"]) == (75.0, 50.0, 6.7)
    # FTE 36+50+30+18 = 134 -> 135
    assert a["fte_text"] == "135"
    # B: 200 / 315 = 63.5 %; B3 the same; B4 63.5 / 50 = 1.27; B5 265 / 315 = 84.1 %;
    #    B8 15 / 315 = 4.8 %; starts 7 -> '<10'; B10L 20 / 30 = 66.7 %; B14 40 / 315 = 12.7 %
    assert (b["B2_pct"], b["B3_pct"], b["B4_ratio"], b["B5_pct"]) == (63.5, 63.5, 1.27, 84.1)
    assert (b["B8_pct"], b["apprentice_starts_text"], b["B10L_pct"], b["B14_pct"]) == (4.8, "<10", 66.7, 12.7)
    # network: 465; local 320 -> 68.8 %; deprived 270 -> 58.1 %, B4 1.16; adult 463 -> 465,
    #          paid 408 -> 410: 88.2 %; apprentices 26 -> 25: 5.4 %; starts 12 -> 10;
    #          entry local 36 -> 35 of 50: 70.0 %; insecure 50: 10.8 %
    assert (n["B2_pct"], n["B3_pct"], n["B4_ratio"], n["B5_pct"]) == (68.8, 58.1, 1.16, 88.2)
    assert (n["B8_pct"], n["apprentice_starts_text"], n["B10L_pct"], n["B14_pct"]) == (5.4, "10", 70.0, 10.8)


def test_b4_needs_population(loaded):
    loaded.execute("UPDATE ref_imd SET population = NULL")
    build.refresh(loaded)
    pop = db.run("workforce_population", loaded, local_lads=["E07000123"], imd_edition="2019").iloc[0]
    assert pd.isna(pop["deprived_pop_pct"])
    ind = workforce.protected_indicators(_raw(loaded).reset_index(), 10, pop["deprived_pop_pct"])
    assert ind["B4_ratio"].isna().all() and ind["B3_pct"].notna().all()


def test_map_areas_at_each_level(loaded):
    """A's staff by MSOA: E02005265 40 (E01025231), E02005260 60 + 20 (the MSOA row) = 80,
    E02005224 30 (the Lancaster LSOA). By district: Preston 120, Lancaster 30. By LSOA the MSOA row
    cannot be placed and is left out."""
    by = {
        lvl: dict(
            zip(
                *db.run(
                    "workforce_by_area",
                    loaded,
                    network_id="N",
                    anchor_ids=["A"],
                    fy=FY,
                    area_level=lvl,
                    imd_edition="2019",
                )[["area_code", "headcount"]].T.values
            )
        )
        for lvl in ("lsoa11", "msoa11", "lad")
    }
    assert by["msoa11"] == {"E02005265": 40, "E02005260": 80, "E02005224": 30}
    assert by["lad"] == {"E07000123": 120, "E07000121": 30}
    assert by["lsoa11"] == {"E01025231": 40, "E01025233": 60, "E01025085": 30}


def test_rlw_table_matches_shared_reference(shared_dir):
    """Every rate carried equals ../shared/reference/real_living_wage_rates.csv; rows there
    marked 'from memory - verify' are deliberately not carried."""
    rows = list(
        csv.DictReader((shared_dir / "reference" / "real_living_wage_rates.csv").open(encoding="utf-8"))
    )
    ref = {int(r["announced"][:4]): r for r in rows}
    for year, (uk, ldn, month) in rlw.RATES.items():
        r = ref[year]
        assert r["verified_in_session"] in ("yes", "derived"), year
        assert (str(uk), str(ldn), month) == (
            r["uk_rate_gbp"],
            r["london_rate_gbp"],
            int(r["announced"][5:7]),
        ), year
    assert {y for y, r in ref.items() if r["verified_in_session"] in ("yes", "derived")} == set(rlw.RATES)


def test_rlw_rate_for_financial_year():
    # 2025-26 uses the October 2024 announcement; 2026-27 the October 2025 one (£13.45 / £14.80)
    assert rlw.rate("2025-26") == 12.60 and rlw.rate("2025-26", london=True) == 13.85
    assert rlw.rate("2026-27") == 13.45 and rlw.rate("2026-27", london=True) == 14.80
    assert rlw.rate("2014-15") is None and workforce.rlw_rate("2024-25") == 12.00
    assert rlw.is_london("E09000033") and not rlw.is_london("E07000123") and not rlw.is_london(None)


HR_HEADER = "Employee Name,Home Postcode,Work Postcode,Hourly Rate,Contract Type,Start Date,Role Level,Age"
HR_ROWS = [
    # the London anchor; 2024-25: UK £12.00, London £13.15
    "Ann Example,PR1 2HE,SW1A 1AA,12.50,Permanent,01/01/2019,Band 10,30",  # London: 12.50 < 13.15, not paid
    "Bob Example,PR1 2HE,SW1A 1AA,13.15,Bank,01/05/2024,Band 2,31",  # paid (equal); entry hire; insecure
    "Cat Example,PR1 2HE,SW1A 1AA,14.00,Fixed term,01/06/2024,Apprentice,17",  # under 18: not in B5's base
    "Dan Example,PR1 2HE,SW1A 1AA,,Zero hours,01/04/2025,Grade 1,40",  # no rate: not in the base; started after 31 March
    "Eve Example,LA1 1AA,PR1 2HE,12.10,Agency,01/01/2020,Officer,50",  # works in Preston: UK rate, paid
]


def _hr(tmp_path, rows, header=HR_HEADER):
    p = tmp_path / "hr_extract.csv"
    p.write_text("\n".join([header, *rows]) + "\n")
    return p


def test_hr_extract_aggregated_with_london_rate(con, tmp_path, monkeypatch):
    # k = 1 to check the per-person logic area by area (with the usual k = 10 these cells of 1 and
    # 4 staff are pooled before storage: tests/test_safety_privacy.py)
    monkeypatch.setenv("CWB_SUPPRESS_K", "1")
    path = _hr(tmp_path, HR_ROWS)
    st = safe_stage(con, path, "workforce", "L", financial_year=FY)
    assert st.report.ok, st.report.text()
    f = st.frames["workforce_area"].set_index("area_code")
    assert set(f.columns) <= {
        "anchor_id",
        "financial_year",
        "area_level",
        "headcount",
        "fte",
        "adult_headcount",
        "paid_rlw",
        "apprentices",
        "apprentice_starts",
        "entry_hires",
        "insecure",
    }
    # PR1 2HE -> E01025314: 4 staff; B5 base: Ann and Bob (Cat is 17, Dan has no rate) -> 2; paid: Bob only.
    # Apprentices: Cat (started in the year). Entry hires in 2024-25: Bob (Band 2) and Cat (apprentice);
    # Dan's Grade 1 start is 1 April 2025, the next year; Ann's 'Band 10' is not band 1-2. Insecure: Bob, Dan.
    assert f.loc[
        "E01025314",
        [
            "headcount",
            "adult_headcount",
            "paid_rlw",
            "apprentices",
            "apprentice_starts",
            "entry_hires",
            "insecure",
        ],
    ].tolist() == [4, 2, 1, 1, 1, 2, 2]
    # LA1 1AA -> E01033071: Eve works in Preston, so the UK rate: 12.10 >= 12.00, paid; agency: insecure
    assert f.loc["E01033071", ["headcount", "adult_headcount", "paid_rlw", "insecure"]].tolist() == [
        1,
        1,
        1,
        1,
    ]
    notes = " ".join(st.report.notes)
    # the report never gives an exact staff count (rounded to 5)
    assert (
        "£12.00 (London £13.15, 5 employees working in London, rounded)" in notes
        and "Living Wage Foundation" in notes
    )
    assert "5 employees aged 18+ (rounded) have no usable hourly rate" in notes
    importer.commit(con, st)
    # nothing personal is stored: not in the database, not in the kept copy of the file
    assert "Example" not in " ".join(str(v) for v in con.execute("SELECT * FROM workforce_area").fetchall())
    kept = Path(con.execute("SELECT stored_path FROM source_file").fetchone()[0])
    assert kept.exists() and "Example" not in kept.read_text() and "PR1 2HE" not in kept.read_text()


def test_hr_extract_without_workplace_uses_the_anchor_site(con, tmp_path):
    header = "Employee Name,Home Postcode,Hourly Rate,Age"
    rows = ["A One,PR1 2HE,12.50,30", "B Two,PR1 2HE,13.20,30"]
    london = safe_stage(con, _hr(tmp_path, rows, header), "workforce", "L", financial_year=FY).frames[
        "workforce_area"
    ]
    preston = safe_stage(con, _hr(tmp_path, rows, header), "workforce", "A", financial_year=FY).frames[
        "workforce_area"
    ]
    # the London anchor (site SW1A 1AA) needs £13.15: one of two; the Preston anchor £12.00: both
    assert int(london["paid_rlw"].sum()) == 1 and int(preston["paid_rlw"].sum()) == 2


def test_counts_file_with_coarser_areas(con, tmp_path):
    p = tmp_path / "counts.csv"
    p.write_text(
        "Area code,Headcount,FTE,Paid RLW,Staff 18+\nE01025231,25,20,25,25\nE02005260,12,10,12,12\n"
        "E07000121,30,28,29,30\n"
    )
    st = safe_stage(con, p, "workforce", "A", financial_year=FY)
    assert st.report.ok, st.report.text()
    assert dict(zip(st.frames["workforce_area"]["area_code"], st.frames["workforce_area"]["area_level"])) == {
        "E01025231": "lsoa11",
        "E02005260": "msoa11",
        "E07000121": "lad",
    }
    importer.commit(con, st)
    r = _raw(con).loc["A"]
    # local (Preston): the LSOA (25) and the MSOA (12) rows; the Lancaster district row is not
    assert (r["headcount"], r["local_headcount"]) == (67, 37)


def test_workforce_page_shows_b4_with_population(app_env):
    """With IMD (decile and population) loaded for Preston's LSOAs, the page's B4 equals B3
    divided by the local population share, from the same protected figures."""
    c = db.connect(app_env)
    lsoas = [
        r[0]
        for r in c.execute(
            "SELECT lsoa11 FROM ref_lsoa WHERE lad_code = 'E07000123' ORDER BY lsoa11"
        ).fetchall()
    ]
    # deciles 1..10 in turn, population 1,000 each: 2 in every 10 LSOAs are decile 1-2
    c.executemany(
        "INSERT INTO ref_imd VALUES ('2019', ?, ?, NULL, NULL, 1000)",
        [(code, 1 + i % 10) for i, code in enumerate(lsoas)],
    )
    build.refresh(c)
    share = 100 * sum(1 for i in range(len(lsoas)) if i % 10 < 2) / len(lsoas)
    db.close_all()
    at = AppTest.from_file(str(ROOT / "pages" / "6_Workforce.py"), default_timeout=120).run()
    assert not at.exception
    m = {x.label: x.value for x in at.metric}
    b3 = float(m["Living in IMD decile 1-2 areas (B3, IMD 2019)"].rstrip("%"))
    assert m["Representation ratio (B4)"] == f"{round(b3 / round(share, 4), 2):.2f}"
    assert any("Local population living in decile 1-2 areas" in x.value for x in at.caption)


def test_workforce_page_without_imd_says_so(app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "6_Workforce.py"), default_timeout=120)
    at.query_params["wind"] = "B3"
    at.run()
    assert not at.exception
    assert any("Indices of Deprivation" in x.value for x in at.info)
    labels = [x.label for x in at.metric]
    assert "Headcount (B1)" in labels and not any("(B3" in x for x in labels)
    # B3 needs IMD: the page falls back to B2 for its charts
    assert any(x.value.startswith("Staff living in the local area (B2)") for x in at.caption)
