"""Two networks in one database: the whole-network figures of one never include the other."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from cwb import build, db, fmt, indicators

ROOT = Path(__file__).resolve().parent.parent


def test_network_figures_do_not_mix(app_env):
    con = db.connect(app_env)
    cur = con.cursor()
    demo_total = cur.execute("SELECT sum(amount_gbp) FROM payment WHERE fin_year(payment_date) = '2025-26'").fetchone()[0]
    cur.execute("INSERT INTO network VALUES ('OTHER', 'Another place', ['E08000009'], ['E08000009'], 'E12000002', 'T', 'T', NULL, false)")
    cur.execute("INSERT INTO anchor VALUES ('X', 'Other anchor', 'council', NULL, 'OTHER', NULL, false)")
    cur.execute("INSERT INTO payment (anchor_id, supplier_id, payment_date, amount_gbp) VALUES ('X', 1, DATE '2025-06-01', 1000000000)")
    cur.close()
    build.refresh(con)
    out = indicators.compute(con, fy="2025-26", network_id="DEMO")
    a1 = next(i for i in out["indicators"] if i["id"] == "A1")["value"]
    assert abs(a1 - float(demo_total)) < 0.01          # the £1bn of the other network is not counted
    db.close_all()
    at = AppTest.from_file(str(ROOT / "pages" / "1_Spend_overview.py"), default_timeout=120)
    at.query_params["n"] = "DEMO"
    at.run()
    assert not at.exception
    assert at.metric[0].value == fmt.gbp(a1)
