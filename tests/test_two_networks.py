"""Two networks in one database: the figures of one never include the other — in every metric
query (the network is bound in the SQL, so an empty anchor list means *this* network's anchors),
the CLI's JSON, the meeting pack, the presentation and every page."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cwb import build, db, fmt, indicators, pack, slides
from cwb.method import Method

ROOT = Path(__file__).resolve().parent.parent
METRICS = sorted((ROOT / "cwb" / "sql" / "metrics").glob("*.sql"))
PAGES = ["dashboard.py"] + [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))]
FY = "2025-26"
OTHER_NAME = "Other anchor of Wigan"


def add_other_network(con) -> float:
    """A second, real-looking network (Wigan) with one anchor that has payments, staff counts,
    sites and a target in the demo's latest year. Returns the demo's own spend that year."""
    cur = con.cursor()
    demo_total = cur.execute(
        "SELECT sum(amount_gbp) FROM payment WHERE fin_year(payment_date) = ?", [FY]
    ).fetchone()[0]
    sup = cur.execute("SELECT min(supplier_id) FROM supplier").fetchone()[0]
    cur.execute(
        "INSERT INTO network VALUES ('OTHER', 'Another place', ['E08000010'], ['E08000010'], 'E12000002', "
        "'Wigan', 'Greater Manchester', NULL, false)"
    )
    cur.execute(f"INSERT INTO anchor VALUES ('X', '{OTHER_NAME}', 'council', NULL, 'OTHER', NULL, false)")
    for month in (5, 6, 7):
        cur.execute(
            "INSERT INTO payment (anchor_id, supplier_id, payment_date, invoice_date, amount_gbp, category) "
            f"VALUES ('X', ?, DATE '2025-0{month}-01', DATE '2025-0{month}-01', 1000000000, 'Works')",
            [sup],
        )
    lsoa = cur.execute("SELECT area_code FROM workforce_area WHERE area_level = 'lsoa11' LIMIT 1").fetchone()[
        0
    ]
    cur.execute(
        "INSERT INTO workforce_area (anchor_id, financial_year, area_code, area_level, headcount, fte, "
        "adult_headcount, paid_rlw, apprentices, apprentice_starts, entry_hires, insecure) "
        f"VALUES ('X', '{FY}', ?, 'lsoa11', 5000, 5000, 5000, 5000, 500, 50, 50, 50)",
        [lsoa],
    )
    cur.execute("INSERT INTO workforce_anchor VALUES ('X', ?, 99.0, 99.0, NULL)", [FY])
    for i in range(40):
        cur.execute(
            f"INSERT INTO asset (asset_id, anchor_id, site_name, tenure, use_type, area_ha) "
            f"VALUES ('X{i}', 'X', 'Other site {i}', 'Freehold', 'Office', 1000)"
        )
        cur.execute(f"INSERT INTO asset_year VALUES ('X{i}', '{FY}', 'surplus', NULL, NULL)")
    cur.execute(f"INSERT INTO target VALUES ('A2', 'network', 'OTHER', '{FY}', 1.0, 'higher')")
    cur.close()
    build.refresh(con)
    return float(demo_total)


@pytest.fixture()
def two(demo_con):
    demo_total = add_other_network(demo_con)
    return demo_con, demo_total


def _defaults(con, network_id: str) -> dict:
    m = Method.for_network(con, network_id, fy=FY)
    return {
        **m.common(fy_from=m.years[0], fy_to=FY),
        "scope_anchor_ids": m.chosen_anchors,
        "lads": list(m.local_lads),
        "area_level": "lad",
        "area_code": m.local_lads[0],
        "codes": list(m.local_lads),
        "search": "",
        "shared_only": False,
        "located_only": False,
        "row_limit": 0,
        "within_lads": [],
        "dimension": "anchor_id",
        "tenures": [],
        "statuses": [],
        "indicator": "A2",
    }


def _frame_text(df) -> str:
    return df.astype(str).to_csv(index=False)


@pytest.mark.parametrize(
    "path", [p for p in METRICS if "anchor_ids" in db.sql_params(p.read_text())], ids=lambda p: p.stem
)
def test_every_anchor_query_stays_in_its_network(two, path):
    """No anchor chosen = every anchor of the chosen network, exactly; an anchor of another
    network chosen by mistake widens nothing (it contributes nothing)."""
    con, _ = two
    used = db.sql_params(path.read_text(encoding="utf-8"))
    assert "network_id" in used, f"{path.name}: takes anchor_ids but no $network_id to keep it in its network"
    for net, theirs, marker in (("DEMO", "X", "Other site"), ("OTHER", "DEMO-CC", "DEMO-")):
        d = _defaults(con, net)
        p = {k: d[k] for k in used}
        everyone = db.run(path.stem, con, **p)
        listed = db.run(path.stem, con, **{**p, "anchor_ids": Method.for_network(con, net).chosen_anchors})
        assert _frame_text(everyone) == _frame_text(listed), (
            f"{path.stem}: empty anchor list is not the network {net}"
        )
        assert marker not in _frame_text(everyone), f"{path.stem}: network {net} shows {marker}"
        for col in ("anchor_id", "anchors"):
            if col in everyone:
                assert not any(theirs in str(v).split(",") for v in everyone[col]), (
                    f"{path.stem}: {net} shows {theirs}"
                )
        wrong = db.run(path.stem, con, **{**p, "anchor_ids": [theirs]})
        assert wrong.empty, f"{path.stem}: {theirs} (another network's anchor) counted in network {net}"


def test_network_figures_do_not_mix(two):
    con, demo_total = two
    out = indicators.compute(con, fy=FY, network_id="DEMO")
    a1 = next(i for i in out["indicators"] if i["id"] == "A1")["value"]
    assert abs(a1 - demo_total) < 0.01  # the £3bn of the other network is not counted
    other = indicators.compute(con, fy=FY, network_id="OTHER")
    by = {i["id"]: i for i in other["indicators"]}
    assert by["A1"]["value"] == 3e9 and other["scope"]["anchors"] == ["X"]
    assert by["C1"]["value"] == 40 and by["C2"]["value"] == 40  # land of its own network only
    demo_c1 = next(i for i in out["indicators"] if i["id"] == "C1")["value"]
    assert demo_c1 < 1000 and demo_c1 != 40
    db.close_all()


def test_cli_json_for_both_networks(two, tmp_path):
    con, demo_total = two
    con.execute("CHECKPOINT")
    path = Path(
        con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()[0]
    )
    db.close_all()
    for net, total in (("DEMO", demo_total), ("OTHER", 3e9)):
        r = subprocess.run(
            [sys.executable, "-m", "cwb", "--db", str(path), "indicators", "--network-id", net, "--year", FY],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        a1 = next(i for i in out["indicators"] if i["id"] == "A1")["value"]
        assert abs(a1 - total) < 0.01 and out["scope"]["network_id"] == net


def test_one_anchor_pack_ranks_within_its_network(two):
    """The bug: the one-anchor slide ranked the anchor among every anchor in the database."""
    con, _ = two
    m = slides.context_for(con, anchors=["DEMO-HA"], fy=FY)
    compared = next(s for s in slides.build(con, m) if s.title == "Anchors compared")
    n_demo = len(Method.for_network(con, "DEMO").anchor_names)
    assert f"of {n_demo} anchors" in compared.headline, compared.headline
    assert "X" not in set(compared.data["anchor_id"])
    net = next(i for i in indicators.compute(con, fy=FY, network_id="DEMO")["indicators"] if i["id"] == "A2")
    assert f"network {net['value']:.1f}%" in compared.headline


@pytest.mark.parametrize(
    "network, anchors, absent",
    [
        ("DEMO", None, OTHER_NAME),
        ("DEMO", ["DEMO-HA"], OTHER_NAME),
        ("OTHER", None, "Millbrook"),
        ("OTHER", ["X"], "Millbrook"),
    ],
)
def test_presentation_and_pack_for_both_networks(two, network, anchors, absent):
    from pptx import Presentation

    from bench.serve import CHROMIUM

    con, _ = two
    m = slides.context_for(con, anchors=anchors, fy=FY, network_id=network)
    views = slides.build(con, m)
    assert views, f"no slides for {network}"
    for v in views:
        text = " ".join(
            [
                v.headline,
                v.prov.caption() if v.prov else "",
                _frame_text(v.data) if v.data is not None else "",
            ]
        )
        assert absent not in text, f"{network} slide {v.title!r} mentions {absent}"
        if v.data is not None and "anchor_id" in v.data:
            assert set(v.data["anchor_id"]) <= set(m.anchor_names) | {"_all"}
    if network == "OTHER":
        jobs = next(v for v in views if v.title == "Land and buildings")
        assert jobs.headline.startswith("40 sites are surplus")
    if not Path(CHROMIUM).exists():
        return
    prs = Presentation(io.BytesIO(pack.build_pack(con, m)))
    texts = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    cells = " ".join(
        c.text for s in prs.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells
    )
    assert absent not in texts + cells
    assert m.network_name in texts


def _all_text(at) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.subheader, *at.info, *at.warning)]
    parts += [f"{e.label} {e.value}" for e in at.metric]
    parts += [_frame_text(d.value) for d in at.dataframe]
    return " ".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_for_the_other_network(two, page, monkeypatch):
    con, _ = two
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    con.execute("CHECKPOINT")
    db.close_all()
    monkeypatch.setenv("CWB_DB", str(path))
    at = AppTest.from_file(str(ROOT / page), default_timeout=180)
    at.query_params["n"] = "OTHER"
    at.query_params["fy"] = FY
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    text = _all_text(at)
    assert "Millbrook" not in text, f"{page} for the other network shows a demo anchor"
    if page.endswith("1_Spend_overview.py"):
        assert at.metric[0].value == fmt.gbp(3e9)
    db.close_all()


def test_spend_page_shows_the_demo_network_only(two, monkeypatch):
    con, demo_total = two
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    con.execute("CHECKPOINT")
    db.close_all()
    monkeypatch.setenv("CWB_DB", str(path))
    at = AppTest.from_file(str(ROOT / "pages" / "1_Spend_overview.py"), default_timeout=120)
    at.query_params["n"] = "DEMO"
    at.run()
    assert not at.exception
    assert at.metric[0].value == fmt.gbp(demo_total)
    db.close_all()


def test_a_supplier_is_shared_only_by_anchors_of_its_own_network(two):
    """The supplier list's 'shared' flag counts the anchors of the chosen network only: the other
    network's one anchor pays a supplier the demo anchors pay too, and in its own network that
    supplier is paid by one anchor (it was flagged shared, counting the demo's anchors)."""
    con, _ = two
    d = _defaults(con, "OTHER")
    p = {k: d[k] for k in db.sql_params((ROOT / "cwb/sql/metrics/spend_suppliers.sql").read_text())}
    p.update(area_level="", area_code="", scope_anchor_ids=["X"])
    rows = db.run("spend_suppliers", con, **p)
    assert len(rows) == 1 and rows["n_anchors"].tolist() == [1]
    sup = int(rows["supplier_id"].iloc[0])
    demo_payers = (
        con.cursor()
        .execute(
            "SELECT count(DISTINCT anchor_id) FROM payment WHERE supplier_id = ? AND anchor_id <> 'X'", [sup]
        )
        .fetchone()[0]
    )
    assert demo_payers >= 1  # the case the test is about: the demo pays it too
    assert rows["shared"].tolist() == [False]
