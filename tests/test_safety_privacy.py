"""Staff figures cannot be recovered (issue 12, items 4, 7 and 17): FTE protected like
headcount, HR extracts stored only as cells of at least k staff, uploads never left behind, and
no exact HR headcount on the Import page, in the list of files or in the audit log."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from cwb import db, privacy, workforce
from cwb.ingest import importer
from cwb.ingest.stage import safe_stage
from tests.conftest import q, small_network_db

K = 10


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    return small_network_db(
        tmp_path_factory.mktemp("privacy") / "base.duckdb", [("A", "Anchor", "council", "PR1 2HE")]
    )


@pytest.fixture()
def con(base_db, copy_con_of):
    return copy_con_of(base_db)


HEAD = "Employee Name,Home Postcode,Hourly Rate,Contract Type,Age"


def hr_file(tmp_path, postcodes, name="hr.csv", fte=False):
    p = tmp_path / name
    lines = [HEAD + (",FTE" if fte else "")]
    for i, pc in enumerate(postcodes):
        lines.append(
            f"Person {i} Surname,{pc},{12 + (i % 5) * 0.5:.2f},{'Bank' if i % 7 == 0 else 'Permanent'},{20 + i % 40}"
            + (",0.5" if fte else "")
        )
    p.write_text("\n".join(lines) + "\n")
    return p


def postcodes(con, n_local, n_other):
    """Real postcodes, each in a different LSOA: n_local in the local district, n_other elsewhere."""
    local = [
        r[0]
        for r in q(
            con,
            "SELECT any_value(pcds) FROM ref_postcode WHERE lad22 = 'E07000123' AND NOT terminated "
            "AND lsoa11 IS NOT NULL GROUP BY lsoa11 ORDER BY lsoa11 LIMIT ?",
            [n_local],
        )
    ]
    other = [
        r[0]
        for r in q(
            con,
            "SELECT any_value(pcds) FROM ref_postcode WHERE lad22 = 'E07000121' AND NOT terminated "
            "AND lsoa11 IS NOT NULL GROUP BY lsoa11 ORDER BY lsoa11 LIMIT ?",
            [n_other],
        )
    ]
    assert len(local) == n_local and len(other) == n_other
    return local, other


def test_every_stored_hr_cell_holds_at_least_k_staff(con, tmp_path):
    """Reproduces item 7: an HR extract was stored as LSOA rows where most had headcount 1 with
    that person's pay, contract and age flags. Now every stored cell holds at least k staff, the
    totals are exact and the local share (B2) still counts every local employee."""
    local, other = postcodes(con, 25, 6)
    people = local * 2 + ["PR1 2HE"] * 12 + other + ["ZZ99 9ZZ"] * 3  # 50 + 12 local, 6 elsewhere, 3 unknown
    st = safe_stage(con, hr_file(tmp_path, people), "workforce", "A", None, "2024-25")
    assert st.report.ok, st.report.text()
    importer.commit(con, st)
    cells = q(con, "SELECT area_level, area_code, headcount FROM workforce_area ORDER BY headcount")
    assert cells and all(h >= K for _, _, h in cells), cells
    assert sum(h for *_, h in cells) == len(people)
    assert ("lsoa11", "E01025314", 12) in cells or any(c[0] == "lsoa11" and c[2] >= 12 for c in cells)
    raw = db.run(
        "workforce_indicators",
        con,
        network_id=_network_of(con, "A"),
        anchor_ids=["A"],
        fy_from="2024-25",
        fy_to="2024-25",
        local_lads=["E07000123"],
        imd_edition="2019",
    )
    a = raw[raw["anchor_id"] == "A"].iloc[0]
    # 62 live locally; the 6 elsewhere (one district, fewer than k) and the 3 unresolved make an
    # UNKNOWN cell of 9, so one local person of the largest cell joins it to reach k: 61
    assert int(a["headcount"]) == len(people) and int(a["local_headcount"]) == 61
    assert int(a["insecure"]) == sum(1 for i in range(len(people)) if i % 7 == 0)


def test_hr_extract_without_fte_column_stores_no_fte(con, tmp_path):
    """Reproduces item 4: FTE defaulted to 1 per person, a second exact copy of the headcount
    (the network FTE moved by exactly 7 when a 7-person anchor was added). Now FTE is stored
    only where the extract gives it."""
    local, _ = postcodes(con, 1, 0)
    st = safe_stage(con, hr_file(tmp_path, local * 12), "workforce", "A", None, "2024-25")
    assert st.report.ok
    assert st.frames["workforce_area"]["fte"].isna().all()
    st2 = safe_stage(
        con, hr_file(tmp_path, local * 12, name="hr2.csv", fte=True), "workforce", "A", None, "2024-25"
    )
    assert float(st2.frames["workforce_area"]["fte"].sum()) == 6.0


def test_small_fte_is_never_shown():
    """Item 4: an FTE between 0 and k (a row of 12 staff with 3.5 FTE) was shown as '5'; FTE is
    now protected like a count: '<10', and rounded to 5 (never below k) elsewhere."""
    df = pd.DataFrame({"headcount": [12, 40, 7], "paid_rlw": [12, 40, 7], "fte": [3.5, 31.2, 6.0]})
    p = privacy.protect_table(df, ["paid_rlw"], k=K, total_col="headcount", measure_cols=("fte",))
    assert p.display["fte"].tolist() == ["<10", "30", "<10"]
    assert pd.isna(p.values["fte"][0]) and p.values["fte"][1] == 30 and pd.isna(p.values["fte"][2])


def test_network_fte_does_not_move_with_a_small_anchor(con, tmp_path):
    """Item 4, the probe's attack: add a small anchor (7 staff, HR extract, no FTE column) beside
    a large one; the network's FTE and every other secondary value must not reveal its count."""
    con.execute("INSERT INTO anchor VALUES ('S', 'Small', 'other', NULL, 'N', NULL, false)")
    counts = tmp_path / "big.csv"
    counts.write_text(
        "LSOA,Headcount,FTE\n" + "".join(f"E01025{300 + i},{40 + i},{30.5 + i}\n" for i in range(10))
    )
    importer.commit(con, safe_stage(con, counts, "workforce", "A", None, "2024-25"))
    local, _ = postcodes(con, 1, 0)
    st = safe_stage(con, hr_file(tmp_path, local * 7), "workforce", "S", None, "2024-25")
    assert st.report.ok
    importer.commit(con, st)

    def shown(anchors):
        raw = db.run(
            "workforce_indicators",
            con,
            network_id=_network_of(con, anchors[0]),
            anchor_ids=anchors,
            fy_from="2024-25",
            fy_to="2024-25",
            local_lads=["E07000123"],
            imd_edition="2019",
        )
        return workforce.protected_indicators(raw, k=K).set_index("anchor_id")

    both, big = shown(["A", "S"]), shown(["A"])
    assert both.loc["S", "headcount_text"] == "<10" and both.loc["S", "fte_text"] in ("<10", "–")
    assert both.loc["_all", "fte_text"] == big.loc["_all", "fte_text"]
    for col in [c for c in both.columns if c.endswith("_text")]:
        for v in both[col]:
            nums = [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", str(v))]
            assert all(n == 0 or n >= K for n in nums), (col, v)


def test_hr_report_list_and_audit_never_hold_the_exact_headcount(con, tmp_path):
    """Reproduces item 17 (last part): the Import page ('Rows read', notes), the list of imported
    files (rows) and the audit log showed an HR extract's exact employee count (37 here)."""
    local, other = postcodes(con, 3, 0)
    people = [local[0]] * 20 + [local[1]] * 17
    st = safe_stage(con, hr_file(tmp_path, people), "workforce", "A", None, "2024-25")
    assert st.report.ok
    rep = st.report
    assert rep.rows_read != 37 and rep.rows_read % 5 == 0
    assert not re.search(r"\b37\b", rep.text()), rep.text()
    assert not any(re.search(r"\b37\b", n) for n in rep.notes)
    importer.commit(con, st, who="tester")
    assert q(con, "SELECT rows_loaded FROM source_file")[0][0] != 37
    assert not re.search(r"\b37\b", q(con, "SELECT string_agg(detail, ' ') FROM audit_log")[0][0])
    assert not importer.files(con)["rows_loaded"].eq(37).any()


def _leftovers():
    return {p.name for p in Path(tempfile.gettempdir()).glob("cwb_up_*")} | {
        p.name for p in Path(tempfile.gettempdir()).glob("cwb_hr_*")
    }


@pytest.mark.parametrize("year", [None, "2024-25"])
def test_hr_upload_is_deleted_whatever_the_outcome(con, tmp_path, year):
    """Reproduces item 7: a rejected HR upload (here: no financial year given) stayed in a
    temporary folder with names and pay; an accepted one left its counts in another. Now no
    upload or temporary copy is left in either case."""
    local, _ = postcodes(con, 1, 0)
    data = hr_file(tmp_path, local * 12).read_bytes()
    before = _leftovers()
    st = importer.stage_upload(con, data, "hr extract.csv", "workforce", "A", year)
    assert bool(st.report.ok) == (year is not None), st.report.text()
    assert _leftovers() == before
    assert not st.path.exists()
    if st.report.ok:
        importer.commit(con, st)
        kept = Path(q(con, "SELECT stored_path FROM source_file")[0][0])
        assert kept.exists() and "Surname" not in kept.read_text()


def test_read_again_with_a_mapping_after_an_hr_extract(con, tmp_path):
    """Reproduces item 7 (last part): 'Read again with this mapping' after an HR extract raised
    FileNotFoundError (the upload had been deleted). It re-reads the upload held by the session;
    the mapping editor still lists the file's columns."""
    local, _ = postcodes(con, 1, 0)
    data = hr_file(tmp_path, local * 12).read_bytes()
    st = importer.stage_upload(con, data, "hr.csv", "workforce", "A", "2024-25")
    assert "Home Postcode" in st.columns
    mapping = {**st.report.mapped, "contract": "Contract Type"}
    again = importer.stage_upload(con, data, "hr.csv", "workforce", "A", "2024-25", mapping)
    assert again.report.ok, again.report.text()
    assert int(again.frames["workforce_area"]["headcount"].sum()) == 12


def _network_of(con, anchor_id: str) -> str:
    cur = con.cursor()
    try:
        return cur.execute("SELECT network_id FROM anchor WHERE anchor_id = ?", [anchor_id]).fetchall()[0][0]
    finally:
        cur.close()
