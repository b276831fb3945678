"""Small hand-made networks for checking the spend SQL by hand (real postcodes, real geography)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cwb import build, db
from cwb.method import supplier_list

PRESTON = "E07000123"
# real live postcodes: Preston, Lancaster (Lancashire), Manchester (North West), City of London
PC = {"preston": "PR0 2AA", "lancs": "la11aa", "nw": "M11 0AT", "uk": "E1 6AN"}


def make_db(path: Path):
    con = build.open_database(path, log=lambda *a: None)
    cur = con.cursor()
    wider = [
        r[0]
        for r in cur.execute(
            "SELECT lad_code FROM ref_lad WHERE county_code = 'E10000017' ORDER BY 1"
        ).fetchall()
    ]
    cur.execute(
        "INSERT INTO network VALUES ('T', 'Test network', ?, ?, 'E12000002', 'Preston', 'Lancashire', '2012-13', false)",
        [[PRESTON], wider],
    )
    return con, cur, wider


def add_supplier(cur, sid, name, pc, sme=None, vcse=None, social=None, individual=False):
    cur.execute(
        "INSERT INTO supplier (supplier_id, name, name_norm, postcode, is_sme, is_vcse, is_social_economy, is_individual)"
        " VALUES (?, ?, upper(?), ?, ?, ?, ?, ?)",
        [sid, name, name, pc, sme, vcse, social, individual],
    )


def pay(cur, anchor, sid, d: dt.date, amount: str, category="Works", influenceable=True, invoice=None):
    cur.execute(
        "INSERT INTO payment (anchor_id, supplier_id, payment_date, invoice_date, amount_gbp, category, influenceable)"
        " VALUES (?, ?, ?, ?, CAST(? AS DECIMAL(18,2)), ?, ?)",
        [anchor, sid, d, invoice, amount, category, influenceable],
    )


def preston_db(path: Path):
    """Reproduces the published Preston anchor figures (indicators.md, 'Published figures').

    2012-13: £750m analysed; Preston £37.5m (5 %), rest of Lancashire £255m (Lancashire total
    £292.5m = 39 %), outside Lancashire £457.5m ("about £458m left Lancashire").
    2016-17: £617m analysed; Preston £112.294m (18.2 % of 617 = 112.294), rest of Lancashire
    £376.370m (Lancashire 488.664 = 79.2 % of 617), outside £128.336m; 112.294 + 376.370 +
    128.336 = 617.000.
    """
    con, cur, wider = make_db(path)
    cur.execute(
        "INSERT INTO anchor VALUES ('PA', 'Preston anchors (fixture)', 'other', 'PR0 2AA', 'T', NULL, false)"
    )
    add_supplier(cur, 1, "Preston supplier", PC["preston"])
    add_supplier(cur, 2, "Lancashire supplier", PC["lancs"])
    add_supplier(cur, 3, "Outside supplier", PC["uk"])
    for d, amounts in (
        (dt.date(2012, 6, 1), ("37500000.00", "255000000.00", "457500000.00")),
        (dt.date(2016, 6, 1), ("112294000.00", "376370000.00", "128336000.00")),
    ):
        for sid, amount in zip((1, 2, 3), amounts):
            pay(cur, "PA", sid, d, amount)
    cur.close()
    build.refresh(con)
    return con, wider


def small_db(path: Path):
    """Two anchors, five suppliers, one year (2023-24); every figure is checked by hand in the tests.

    Anchor C (council) pays, all in 2023-24:
      S1 Preston, SME, VCSE       £100.00 (Works)      invoice 10 days before payment
      S2 Lancaster, SME           £300.00 (Works)      invoice 45 days before
      S3 Manchester, not SME      £400.00 (ICT)        invoice 90 days before
      S5 public body (London)     £200.00 (Tax), not influenceable
      credit note S2             -£50.00 (Works)
    Anchor H (NHS trust) pays:
      S1 Preston                  £50.00 (Works)
      S4 London, SME unknown    £1,000.00 (Medical)
    """
    con, cur, wider = make_db(path)
    cur.execute("INSERT INTO anchor VALUES ('C', 'Council', 'council', NULL, 'T', NULL, false)")
    cur.execute("INSERT INTO anchor VALUES ('H', 'Hospital', 'nhs_trust', NULL, 'T', NULL, false)")
    add_supplier(cur, 1, "Preston Works CIC", PC["preston"], sme=True, vcse=True, social=True)
    add_supplier(cur, 2, "Lancaster Build Ltd", PC["lancs"], sme=True, vcse=False, social=False)
    add_supplier(cur, 3, "Manchester IT plc", PC["nw"], sme=False, vcse=False, social=False)
    add_supplier(cur, 4, "London Medical Ltd", PC["uk"])
    add_supplier(cur, 5, "HMRC-like body", PC["uk"], sme=False, vcse=False, social=False)
    d = dt.date(2023, 7, 1)
    pay(cur, "C", 1, d, "100.00", "Works", invoice=d - dt.timedelta(days=10))
    pay(cur, "C", 2, d, "300.00", "Works", invoice=d - dt.timedelta(days=45))
    pay(cur, "C", 3, d, "400.00", "ICT", invoice=d - dt.timedelta(days=90))
    pay(cur, "C", 5, d, "200.00", "Tax", influenceable=False)
    pay(cur, "C", 2, d, "-50.00", "Works")
    pay(cur, "H", 1, d, "50.00", "Works")
    pay(cur, "H", 4, d, "1000.00", "Medical")
    cur.close()
    build.refresh(con)
    return con, wider


def params(wider, anchors=(), fy="2023-24", denominator="all", top_n=300, imd="2019"):
    return {
        "anchor_ids": list(anchors),
        "fy_from": fy,
        "fy_to": fy,
        "denominator": denominator,
        "top_n": top_n,
        "local_lads": [PRESTON],
        "wider_lads": wider,
        "region_code": "E12000002",
        "imd_edition": imd,
        "network_id": "T",
        **supplier_list(["C", "H"]),  # the supplier list's own parameters, every row
        "within_lads": [],
    }


def run(con, name, **p):
    """Run a query with the parameters of the common set it declares (like Method.params)."""
    wanted = db.sql_params(db.sql_text(name))
    return db.run(name, con, **{k: v for k, v in p.items() if k in wanted})


def move_an_anchor(con, network_id: str = "DEMO", to: str = "OTHER") -> str:
    """Move the network's first anchor (by name) to a new network ``to`` with the same geography,
    without refreshing the marts (they then no longer fit either network). Returns its id."""
    from cwb.method import Method

    cur = con.cursor()
    moved = sorted(Method.for_network(con, network_id).anchor_names)[0]
    cur.execute(
        "INSERT INTO network SELECT ?, 'Other', local_lad_codes, wider_lad_codes, region_code, "
        "local_name, wider_name, baseline_fy, is_synthetic FROM network WHERE network_id = ?",
        [to, network_id],
    )
    cur.execute("UPDATE anchor SET network_id = ? WHERE anchor_id = ?", [to, moved])
    return moved
