"""Registers: loaders (real extracts and official-layout fixtures), matching precision on the
labelled payees, flags and location from matches end to end, and review decisions."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal

import pytest

from tests import registers_util as ru
from tests.conftest import SHARED

REAL = SHARED / "reference" / "registers"
needs_real = pytest.mark.skipif(
    not (REAL / "companies_house").is_dir() or not ru.COUNCILS.is_file(),
    reason="../shared/reference (real register extracts) is not present on this machine",
)
LOCAL = "E06000065"  # North Yorkshire (Craven since 2023)


@pytest.fixture()
def fresh(tmp_path, monkeypatch):
    from cwb import db

    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "originals"))
    path = tmp_path / "reg.duckdb"
    assert ru.cli(path, "network", "create", "--id", "T", "--name", "Test network", "--local", LOCAL) == 0
    yield path
    db.close_all()


def _con(path):
    from cwb import db

    return db.connect(path)


def test_companies_house_real_extract_header_with_leading_spaces(fresh):
    """The real BasicCompanyData part (zip, 87 rows, 14 header names with a leading space)."""
    if not (REAL / "companies_house" / "CompaniesHouseTestData.zip").is_file():
        pytest.skip("../shared/reference/registers is not present on this machine")
    from cwb.registers import load

    con = _con(fresh)
    rep = load.load(
        con, "companies", [REAL / "companies_house" / "CompaniesHouseTestData.zip"], log=lambda m: None
    )
    assert rep.rows_loaded == 87 and rep.snapshot_date == "2020-06-01"
    cur = con.cursor()
    row = cur.execute(
        "SELECT name, postcode, legal_form, accounts_category FROM reg_entity WHERE reg_id = 'SC416208'"
    ).fetchone()
    assert row == ("UNIVERSAL BARS LIMITED", "G41 3AY", "Private Limited Company", "DORMANT")
    assert (
        cur.execute(
            "SELECT count(*) FROM reg_entity WHERE kind = 'companies' AND postcode IS NULL"
        ).fetchone()[0]
        == 37
    )
    # previous names land in reg_name
    assert (
        cur.execute("SELECT count(*) FROM reg_name WHERE kind = 'companies' AND is_previous").fetchone()[0]
        >= 1
    )
    # the same file unzipped loads the same rows
    with zipfile.ZipFile(REAL / "companies_house" / "CompaniesHouseTestData.zip") as z:
        z.extractall(fresh.parent / "ch")
    rep2 = load.load(con, "companies", [next((fresh.parent / "ch").glob("*.csv"))], log=lambda m: None)
    assert rep2.rows_loaded == 87


@needs_real
def test_real_ccni_councils_public_bodies(fresh):
    from cwb.registers import load

    con = _con(fresh)
    rep = load.load(
        con, "ccni", [REAL / "charity_commission_ni" / "charitydetails_test.csv"], log=lambda m: None
    )
    assert rep.rows_loaded == 365
    cur = con.cursor()
    assert cur.execute(
        "SELECT name, postcode FROM reg_entity WHERE kind = 'ccni' AND reg_id = '100002'"
    ).fetchone() == ("Cancer Lifeline", "BT14 7PJ")
    # Windows-1252 curly quotes decoded, not mangled
    assert (
        cur.execute(
            "SELECT count(*) FROM reg_entity WHERE kind = 'ccni' AND name LIKE '%\ufffd%'"
        ).fetchone()[0]
        == 0
    )
    rep = load.load(con, "public_bodies", [ru.PUBLIC_BODIES], log=lambda m: None)
    assert rep.rows_loaded > 200
    assert (
        cur.execute(
            "SELECT count(*) FROM reg_entity WHERE kind = 'public_bodies' AND name = 'Environment Agency'"
        ).fetchone()[0]
        == 1
    )
    rep = load.load(con, "councils", [ru.COUNCILS], log=lambda m: None)
    assert (
        cur.execute("SELECT name FROM reg_entity WHERE kind = 'councils' AND reg_id = 'PEN'").fetchone()[0]
        == "Pendle Borough Council"
    )


def test_wrong_file_is_refused_and_previous_copy_kept(fresh, tmp_path):
    from cwb.registers import load

    con = _con(fresh)
    files = ru.make_registers.write_all(tmp_path / "r")
    load.load(con, "companies", [files["companies"]], log=lambda m: None)
    with pytest.raises(load.RegisterFormatError, match="not a Companies House"):
        load.load(con, "companies", [files["fca_mutuals"]], log=lambda m: None)
    cur = con.cursor()
    assert cur.execute("SELECT count(*) FROM reg_entity WHERE kind = 'companies'").fetchone()[0] == len(
        ru.make_registers.COMPANIES
    )


def test_download_fails_cleanly_offline(fresh, capsys, monkeypatch):
    monkeypatch.setenv(
        "CWB_REGISTER_FCA_MUTUALS_URL", "http://127.0.0.1:9/SocietyList.csv"
    )  # nothing listens there
    assert ru.cli(fresh, "registers", "load", "fca_mutuals", "--download") == 1
    err = capsys.readouterr().err
    assert "could not download" in err and "registers load fca_mutuals PATH" in err


@pytest.mark.parametrize("reader", ["pyarrow", "duckdb"])
def test_fixture_layouts_load(fresh, tmp_path, monkeypatch, reader):
    """Both readers: pyarrow's streaming reader (small or non-UTF-8 files) and DuckDB's read_csv
    (large UTF-8 files such as Companies House), on every official layout."""
    from cwb.registers import load

    if reader == "duckdb":
        monkeypatch.setattr(load, "DUCKDB_MIN_BYTES", 0)
    con = _con(fresh)
    files = ru.make_registers.write_all(tmp_path / "r")
    rep = load.load(con, "ccew", [files["ccew"]], log=lambda m: None)
    assert (
        rep.rows_loaded == len(ru.make_registers.CHARITIES) and rep.snapshot_date == "2025-11-03"
    )  # linked charity left out
    rep = load.load(con, "companies", [files["companies"]], log=lambda m: None)
    assert rep.rows_loaded == len(ru.make_registers.COMPANIES) and rep.snapshot_date == "2025-11-01"
    cur = con.cursor()
    assert cur.execute(
        "SELECT name_norm, prev_names, accounts_category FROM reg_entity WHERE reg_id = 'FX000005'"
    ).fetchone() == ("ROYAL MAIL", ["ROYAL MAIL GROUP PLC"], "FULL")
    assert (
        cur.execute("SELECT count(*) FROM reg_name WHERE reg_id = 'FX000014' AND is_previous").fetchone()[0]
        == 1
    )
    rep = load.load(
        con, "fca_mutuals", [files["fca_mutuals"]], log=lambda m: None
    )  # 'Registation' typo accepted
    assert cur.execute(
        "SELECT reg_id, postcode FROM reg_entity WHERE kind = 'fca_mutuals' AND name LIKE 'YORKSHIRE%'"
    ).fetchone() == ("29000R", "LS28 5RQ")
    assert load.load(con, "oscr", [files["oscr"]], log=lambda m: None).rows_loaded == 1
    assert (
        load.load(con, "nhs_ods", [files["nhs_ods"]], log=lambda m: None).rows_loaded == 1
    )  # ODS files have no header


@needs_real
def test_matching_precision_on_labelled_payees(fresh, tmp_path):
    """Hand-checked labelled payees (tests/fixtures/registers_labelled.csv): precision >= 99 %."""
    ru.load_fixture_registers(fresh, tmp_path)
    f = ru.payments_file(tmp_path / "pay.csv", ru.labelled()["payee"].tolist())
    assert (
        ru.cli(
            fresh,
            "import",
            "payments",
            str(f),
            "--anchor",
            "CDC",
            "--anchor-name",
            "Craven DC",
            "--anchor-type",
            "council",
        )
        == 0
    )
    res = ru.evaluate(_con(fresh))
    print(json.dumps({k: res[k] for k in ("labelled", "auto", "correct", "precision", "recall")}))
    assert res["precision"] >= 0.99, res["wrong"]
    assert res["recall"] >= 0.8, res["missed"]
    cur = _con(fresh).cursor()
    # persons and redacted payees are never matched
    ev = dict(
        cur.execute(
            "SELECT name_norm, evidence FROM supplier_match WHERE name_norm IN (SELECT name_norm FROM supplier WHERE upper(name) IN ('MRS E K WALKER', 'R J TAYLOR'))"
        ).fetchall()
    )
    assert all("never matched" in v for v in ev.values()) and len(ev) == 2


def _e2e(fresh, tmp_path):
    ru.load_fixture_registers(fresh, tmp_path)
    payees = ru.labelled()["payee"].tolist() + ["REDACTED PERSONAL DATA"]
    f = ru.payments_file(tmp_path / "pay.csv", payees)
    assert (
        ru.cli(
            fresh,
            "import",
            "payments",
            str(f),
            "--anchor",
            "CDC",
            "--anchor-name",
            "Craven DC",
            "--anchor-type",
            "council",
        )
        == 0
    )
    return payees, f


def _find(out, ind):
    found = []

    def walk(o):
        if isinstance(o, dict):
            if o.get("id") == ind:
                found.append(o)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(out)
    return found[0]


@needs_real
def test_end_to_end_figures_come_from_matches(fresh, tmp_path, capsys):
    """Fresh database, registers loaded, payments with no supplier list: located share, A2/A3,
    SME / VCSE / social-economy shares from the matches, each with known answers."""
    from cwb import db
    from cwb.ingest.names import normalise_name

    payees, _ = _e2e(fresh, tmp_path)
    con = db.connect(fresh)
    cur = con.cursor()
    amount: dict[str, Decimal] = {}
    for i, p in enumerate(payees):  # payees written twice (IDOX, Cash Box) share one key
        key = normalise_name(p) or p
        amount[key] = amount.get(key, Decimal(0)) + Decimal((i + 1) * 1000)
    lab = ru.labelled()
    lab["nn"] = lab["payee"].map(normalise_name)
    auto = dict(
        cur.execute(
            "SELECT name_norm, kind || ':' || reg_id FROM supplier_match WHERE status = 'auto'"
        ).fetchall()
    )
    # register facts of the fixture (independent of the SQL under test)
    co = {f"companies:{r[0]}": r for r in ru.make_registers.COMPANIES}
    ch = {f"ccew:{r[0]}": r for r in ru.make_registers.CHARITIES}
    mu = {f"fca_mutuals:{r[0]}{r[1]}": r for r in ru.make_registers.MUTUALS}
    lad = dict(
        cur.execute(
            "SELECT pcd_key, coalesce(lad25, lad22) FROM ref_postcode WHERE pcd_key IN (SELECT unnest(?))",
            [
                [
                    p.replace(" ", "")
                    for p in [r[3] for r in co.values()]
                    + [r[2] for r in ch.values()]
                    + [a.rsplit(", ", 1)[1] for *_, a in mu.values()]
                ]
            ],
        ).fetchall()
    )

    def pc_of(key):
        if key in co:
            return co[key][3]
        if key in ch:
            return ch[key][2]
        if key in mu:
            return mu[key][4].rsplit(", ", 1)[1]
        return None

    sme_yes = {"MICRO ENTITY", "SMALL", "MEDIUM", "TOTAL EXEMPTION FULL", "DORMANT"}
    exp = {
        "located": Decimal(0),
        "local": Decimal(0),
        "sme": Decimal(0),
        "vcse": Decimal(0),
        "social": Decimal(0),
        "public": Decimal(0),
    }
    charity_companies = {r[4] for r in ru.make_registers.CHARITIES if r[4]}
    for nn, key in auto.items():
        a = amount.get(nn)
        if a is None:
            continue
        pc = pc_of(key)
        if pc and pc.replace(" ", "") in lad:
            exp["located"] += a
            if lad[pc.replace(" ", "")] == LOCAL:
                exp["local"] += a
        if key in co and co[key][4] in sme_yes:
            exp["sme"] += a
        if (
            key in ch
            or key in mu
            or (
                key in co
                and (co[key][2] in ("Community Interest Company",) or co[key][0] in charity_companies)
            )
        ):
            exp["vcse"] += a
        if key in mu or (key in co and co[key][2] == "Community Interest Company"):
            exp["social"] += a
        if key.startswith(("councils:", "public_bodies:")):
            exp["public"] += a
    total = sum(amount.values())
    assert exp["local"] > 0 and exp["sme"] > 0 and exp["vcse"] > 0 and exp["social"] > 0 and exp["public"] > 0

    capsys.readouterr()
    assert ru.cli(fresh, "indicators", "--network-id", "T", "--year", "2024-25") == 0
    out = json.loads(capsys.readouterr().out)
    a1, a2, x1 = _find(out, "A1"), _find(out, "A2"), _find(out, "X1")
    assert Decimal(str(a1["value"])) == total
    assert Decimal(str(x1["numerator_gbp"])) == exp["located"]
    assert Decimal(str(a2["numerator_gbp"])) == exp["local"]
    assert Decimal(str(_find(out, "A3")["numerator_gbp"])) >= exp["local"]
    assert Decimal(str(_find(out, "A7")["numerator_gbp"])) == exp["sme"]
    assert Decimal(str(_find(out, "A10")["numerator_gbp"])) == exp["vcse"]
    assert Decimal(str(_find(out, "A11")["numerator_gbp"])) == exp["social"]
    # payments to public bodies leave the influenceable denominator
    assert (
        ru.cli(
            fresh, "indicators", "--network-id", "T", "--year", "2024-25", "--denominator", "influenceable"
        )
        == 0
    )
    inf = json.loads(capsys.readouterr().out)
    assert Decimal(str(_find(inf, "A1")["value"])) == total - exp["public"]
    # the method is stated: spend by how suppliers were located, with the register snapshot
    lm = db.run("located_by_method", con, network_id="T", anchor_ids=["CDC"], fy="2024-25")
    ch_row = lm[lm["method"] == "Companies House registered office"].iloc[0]
    assert "2025-11-01" in ch_row["snapshot"]
    assert (
        Decimal(str(lm.loc[~lm["method"].str.startswith("not located"), "spend_gbp"].sum())) == exp["located"]
    )
    # flags carry their source
    src = cur.execute(
        "SELECT sme_source, vcse_source FROM supplier_resolved WHERE name_norm = 'NEWGROUND'"
    ).fetchone()
    assert "accounts category MICRO ENTITY" in src[0] and "Community Interest Company" in src[1]
    # the redacted payee is never matched or named
    assert (
        cur.execute(
            "SELECT count(*) FROM supplier_resolved WHERE is_individual AND match_kind IS NOT NULL"
        ).fetchone()[0]
        == 0
    )


@needs_real
def test_anchor_flags_and_supplier_list_override_registers(fresh, tmp_path):
    from cwb import db

    _e2e(fresh, tmp_path)
    sl = tmp_path / "suppliers.csv"
    sl.write_text("Supplier Name,Postcode,SME\nBoots UK Ltd,BD23 1UD,Y\n", encoding="utf-8")
    assert ru.cli(fresh, "import", "suppliers", str(sl), "--anchor", "CDC") == 0
    cur = db.connect(fresh).cursor()
    r = cur.execute(
        "SELECT is_sme, sme_source, postcode, location_method, match_reg_id FROM supplier_resolved "
        "WHERE name_norm = 'BOOTS'"
    ).fetchone()
    assert (
        r[0] is True
        and "supplier list" in r[1]
        and r[2] == "BD23 1UD"
        and r[3] == "supplier list"
        and r[4] == "FX000025"
    )


@needs_real
def test_decisions_survive_reimport_and_undo_and_export_apply(fresh, tmp_path, capsys):
    from cwb import db
    from cwb.registers import review

    payees, f = _e2e(fresh, tmp_path)
    con = db.connect(fresh)
    q = review.queue(con, ["CDC"])
    assert "WORLDPAY" in set(q["name_norm"])  # one word, no legal form: queued, not automatic
    assert q["spend_gbp"].is_monotonic_decreasing
    before = (
        con.cursor()
        .execute("SELECT sum(spend_gbp) FILTER (WHERE located) FROM mart_spend_supplier")
        .fetchone()[0]
    )
    # export, fill in Excel-style, apply
    out = tmp_path / "queue.csv"
    assert ru.cli(fresh, "suppliers", "review", "--export", str(out)) == 0
    import pandas as pd

    df = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(df.columns) == review.EXPORT_COLUMNS
    df.loc[df["payee_key"] == "WORLDPAY", "decision"] = "accept"
    df.loc[df["payee_key"] == "SETTLE COAL", "decision"] = "no_match"
    df.loc[df["payee_key"] == "GLOBAL TRADING", "decision"] = "outside_uk"
    bad = df.copy()
    bad.loc[bad["payee_key"] == "AXIS", "decision"] = "maybe"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert ru.cli(fresh, "suppliers", "review", "--apply", str(tmp_path / "bad.csv")) == 1
    assert "line" in capsys.readouterr().err
    assert (
        con.cursor().execute("SELECT count(*) FROM supplier_decision").fetchone()[0] == 0
    )  # nothing half-applied
    df.to_csv(tmp_path / "filled.csv", index=False)
    assert ru.cli(fresh, "suppliers", "review", "--apply", str(tmp_path / "filled.csv")) == 0
    cur = con.cursor()
    after = cur.execute("SELECT sum(spend_gbp) FILTER (WHERE located) FROM mart_spend_supplier").fetchone()[0]
    assert after > before  # Worldpay now located at its registered office
    wp = Decimal(str(int(payees.index("Worldpay") + 1) * 1000))
    assert after - before == wp

    def state():
        return cur.execute(
            "SELECT match_reg_id, match_method, location_method FROM supplier_resolved WHERE name_norm = 'WORLDPAY'"
        ).fetchone()

    assert state() == ("FX000037", "accepted by a reviewer", "Companies House registered office")
    assert cur.execute("SELECT count(*) FROM audit_log WHERE action = 'supplier decision'").fetchone()[0] == 3
    # an unrelated file from another anchor: imported, then undone
    g = ru.payments_file(tmp_path / "other.csv", ["Skipton Town Council", "Worldpay"], start="2024-06-01")
    assert (
        ru.cli(
            fresh,
            "import",
            "payments",
            str(g),
            "--anchor",
            "OTH",
            "--anchor-name",
            "Other",
            "--anchor-type",
            "other",
        )
        == 0
    )
    # the decision applies to the other anchor's payments too
    assert (
        cur.execute(
            "SELECT count(*) FROM mart_spend_supplier m JOIN supplier_resolved r USING (supplier_id) "
            "WHERE m.anchor_id = 'OTH' AND r.name_norm = 'WORLDPAY' AND m.located"
        ).fetchone()[0]
        == 1
    )
    fid_other = cur.execute("SELECT max(file_id) FROM source_file").fetchone()[0]
    assert ru.cli(fresh, "undo", str(fid_other)) == 0
    assert state() == ("FX000037", "accepted by a reviewer", "Companies House registered office")
    # the anchor's own file undone and imported again: new supplier records, same decision
    fid = cur.execute("SELECT min(file_id) FROM source_file WHERE kind = 'payments'").fetchone()[0]
    assert ru.cli(fresh, "undo", str(fid)) == 0
    assert ru.cli(fresh, "import", "payments", str(f), "--anchor", "CDC") == 0
    assert state() == ("FX000037", "accepted by a reviewer", "Companies House registered office")
    assert (
        cur.execute("SELECT country FROM supplier_resolved WHERE name_norm = 'GLOBAL TRADING'").fetchone()[0]
        == "Outside UK"
    )
    # reloading a register keeps decisions
    ru.load_fixture_registers(fresh, tmp_path / "again", public=False)
    assert state()[0] == "FX000037"


def test_no_register_no_change(demo_con):
    """Without registers, supplier_resolved carries the supplier table's own values."""
    cur = demo_con.cursor()
    diff = cur.execute("""SELECT count(*) FROM supplier s JOIN supplier_resolved r USING (supplier_id)
        WHERE s.postcode IS DISTINCT FROM r.postcode OR s.is_sme IS DISTINCT FROM r.is_sme
           OR s.is_vcse IS DISTINCT FROM r.is_vcse OR s.is_social_economy IS DISTINCT FROM r.is_social_economy
           OR s.is_public_body IS DISTINCT FROM r.is_public_body OR s.country IS DISTINCT FROM r.country""").fetchone()[
        0
    ]
    assert diff == 0
    assert (
        cur.execute("SELECT count(*) FROM supplier_resolved").fetchone()[0]
        == cur.execute("SELECT count(*) FROM supplier").fetchone()[0]
    )


def test_person_and_identifier_rules():
    from cwb.registers.match import _ids_in_text, _tokens_close, looks_like_person

    assert (
        looks_like_person("Mrs E K Walker")
        and looks_like_person("R J Taylor")
        and not looks_like_person("F G Marshall Ltd")
    )
    assert _ids_in_text("ACME LTD (Company No 01234567)")[0] == "01234567"
    assert _ids_in_text("Reg Charity No. 1099999")[1] == "1099999"
    assert _tokens_close("SIX PAYMENT SERVICE", "SIX PAYMENT SERVICES")
    assert not _tokens_close("ELECTRICITY NORTH WEST", "ELECTRICITY NORTH EAST")
    assert not _tokens_close("INSPIREDSPACES PROJECTCO1", "INSPIREDSPACES PROJECTCO2")


@needs_real
def test_rejecting_an_automatic_match_returns_the_payee_to_the_queue(fresh, tmp_path):
    from cwb import db
    from cwb.registers import review

    _e2e(fresh, tmp_path)
    con = db.connect(fresh)
    assert "YORWASTE" not in set(review.queue(con, ["CDC"])["name_norm"])  # matched automatically
    review.decide(con, "YORWASTE", "reject", kind="companies", reg_id="FX000002")
    q = review.queue(con, ["CDC"])
    assert q.loc[q["name_norm"] == "YORWASTE", "status"].tolist() == ["rejected"]
    assert review.rejected(con, "YORWASTE") == {"companies:FX000002"}
    cur = con.cursor()
    assert cur.execute(
        "SELECT match_kind, location_method FROM supplier_resolved WHERE name_norm = 'YORWASTE'"
    ).fetchone() == (None, None)
    review.decide(con, "YORWASTE", "clear")
    assert (
        cur.execute("SELECT match_reg_id FROM supplier_resolved WHERE name_norm = 'YORWASTE'").fetchone()[0]
        == "FX000002"
    )


def test_queue_names_each_anchor_once_in_order_and_counts_them(demo_con):
    """A payee may be several supplier ids (one per spelling); its anchors are listed once each,
    sorted, and counted from that list -- the same every time (the Supplier review page's table
    used to come back in another order after a rerun, and could repeat an anchor)."""
    from cwb.registers import review

    ids = [r[0] for r in demo_con.cursor().execute("SELECT anchor_id FROM anchor ORDER BY 1").fetchall()]
    first = review.queue(demo_con, ids, include_decided=True)
    assert len(first) > 0
    for anchors, n in zip(first["anchors"], first["n_anchors"]):
        listed = anchors.split(", ")
        assert listed == sorted(set(listed)) and len(listed) == n
    assert any(n > 1 for n in first["n_anchors"])  # the demo network shares suppliers
    again = review.queue(demo_con, ids, include_decided=True)
    assert first[["name_norm", "anchors", "n_anchors"]].equals(again[["name_norm", "anchors", "n_anchors"]])
