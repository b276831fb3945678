"""Access: roles, accounts with argon2 hashes, scope enforced in the SQL and on the pages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cwb import access, db

ROOT = Path(__file__).resolve().parent.parent
ALL = ["DEMO-CC", "DEMO-NHS", "DEMO-UNI"]
DETAIL_COLUMNS = re.compile(r"\b(supplier_name|supplier_id|site_name|asset_id|uprn|postcode)\b")


def test_roles_scope():
    assert access.LOCAL.detail_anchors(ALL) == ALL
    assert access.Scope("a", "admin", mode="shared").detail_anchors(ALL) == ALL
    assert access.Scope("b", "anchor_analyst", ("DEMO-NHS",), mode="shared").detail_anchors(ALL) == [
        "DEMO-NHS"
    ]
    assert access.Scope("c", "network_viewer", mode="shared").detail_anchors(ALL) == []
    assert not access.Scope("c", "anchor_analyst", ("DEMO-NHS",), mode="shared").can_import


def test_accounts_file_holds_hashes_only(tmp_path):
    path = tmp_path / "users.toml"
    h = access.hash_password("correct horse battery")
    access.save_accounts(
        {"ann@x.gov.uk": access.Account("ann@x.gov.uk", "anchor_analyst", ["DEMO-CC"], "Ann", h)}, path
    )
    text = path.read_text()
    assert "correct horse" not in text and "$argon2id$" in text
    acc = access.load_accounts(path)["ann@x.gov.uk"]
    assert acc.role == "anchor_analyst" and acc.anchors == ["DEMO-CC"]
    assert access.check_password(acc, "correct horse battery")
    assert not access.check_password(acc, "correct horse batterY")
    assert not access.check_password(None, "correct horse battery")
    with pytest.raises(ValueError, match="12 characters"):
        access.hash_password("short")


def test_unknown_role_and_user_rejected(tmp_path):
    path = tmp_path / "u.toml"
    path.write_text('[users."x@y"]\nrole = "superuser"\n')
    with pytest.raises(ValueError, match="unknown role"):
        access.load_accounts(path)
    with pytest.raises(access.AccessError, match="no role"):
        access.scope_for("nobody@y", accounts={})


def test_every_detail_query_takes_the_scope():
    """Any metric query that returns supplier- or site-level rows must filter by $scope_anchor_ids."""
    offenders = []
    for f in sorted((ROOT / "cwb" / "sql" / "metrics").glob("*.sql")):
        text = f.read_text()
        header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
        returns = header.split("returns:", 1)[-1] if "returns:" in header else ""
        if DETAIL_COLUMNS.search(returns) and "$scope_anchor_ids" not in db.sql_params(text) | {
            "$" + p for p in db.sql_params(text)
        }:
            offenders.append(f.name)
    assert offenders == [], f"detail queries without $scope_anchor_ids: {offenders}"


def test_users_cli(tmp_path):
    env = {"CWB_USERS": str(tmp_path / "users.toml"), "PATH": "/usr/bin:/bin"}

    def run(*a, inp=None):
        return subprocess.run(
            [sys.executable, "-m", "cwb", *a],
            input=inp,
            capture_output=True,  # noqa: E731
            text=True,
            cwd=ROOT,
            env=env,
            timeout=60,
        )

    r = run(
        "users",
        "add",
        "Ann@X.gov.uk",
        "--role",
        "anchor_analyst",
        "--anchors",
        "DEMO-CC",
        "--password-stdin",
        inp="a long enough password\n",
    )
    assert r.returncode == 0, r.stderr
    r = run("users", "add", "bob@x.gov.uk", "--role", "anchor_analyst")
    assert r.returncode == 2 and "needs --anchors" in r.stderr
    listing = run("users", "list").stdout
    assert "ann@x.gov.uk\tanchor_analyst\tDEMO-CC\tpassword" in listing


def _shared_app(page, monkeypatch, tmp_path, role, anchors=()):
    monkeypatch.setenv("CWB_MODE", "shared")
    path = tmp_path / "users.toml"
    monkeypatch.setenv("CWB_USERS", str(path))
    access.save_accounts(
        {"u@x": access.Account("u@x", role, list(anchors), "U", access.hash_password("twelve chars pw"))},
        path,
    )
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception
    assert len(at.text_input) == 2, "a sign-in form is shown first"
    at.text_input[0].input("u@x")
    at.text_input[1].input("twelve chars pw")
    at.button[0].click()
    return at.run()


def test_shared_mode_asks_to_sign_in_and_refuses_bad_password(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("CWB_MODE", "shared")
    path = tmp_path / "users.toml"
    monkeypatch.setenv("CWB_USERS", str(path))
    access.save_accounts(
        {"u@x": access.Account("u@x", "admin", [], "U", access.hash_password("twelve chars pw"))}, path
    )
    at = AppTest.from_file(str(ROOT / "pages/1_Spend_overview.py"), default_timeout=120).run()
    assert not at.metric  # nothing shown before sign-in
    at.text_input[0].input("u@x")
    at.text_input[1].input("wrong password!!")
    at.button[0].click()
    at.run()
    assert not at.metric and any("not recognised" in e.value for e in at.error)


def test_analyst_sees_only_own_suppliers(app_env, monkeypatch, tmp_path):
    at = _shared_app("pages/5_Suppliers.py", monkeypatch, tmp_path, "anchor_analyst", ["DEMO-FE"])
    assert not at.exception
    df = at.dataframe[0].value
    assert len(df) > 0
    codes = set(",".join(df["Anchors"]).replace(" ", "").split(","))
    assert codes == {"DEMO-FE"}
    assert any("Anchor analyst" in c.value for c in at.sidebar.caption)


def test_network_viewer_sees_no_supplier_rows(app_env, monkeypatch, tmp_path):
    for page in ("pages/5_Suppliers.py", "pages/3_Where_the_money_goes.py"):
        at = _shared_app(page, monkeypatch, tmp_path, "network_viewer")
        assert not at.exception
        assert len(at.dataframe) == 0, page
        assert any("shared only with analysts" in i.value for i in at.info)
    at = _shared_app("pages/1_Spend_overview.py", monkeypatch, tmp_path, "network_viewer")
    assert at.metric and at.metric[0].value.startswith("£")  # network figures are visible


def test_imports_are_audited(tmp_path, monkeypatch):
    from cwb import audit, build
    from cwb.ingest import importer
    from cwb.ingest.stage import safe_stage

    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    con = build.open_database(tmp_path / "a.duckdb", log=lambda *a: None)
    con.execute(
        "INSERT INTO network VALUES ('N', 'T', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    con.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    f = tmp_path / "p.csv"
    f.write_text("Payment Date,Amount,Supplier Name\n15/04/2024,10.00,ACME LTD\n")
    fid = importer.commit(con, safe_stage(con, f, "payments", "A"), who="ann@x.gov.uk")
    importer.undo(con, fid, who="bob@x.gov.uk")
    log = audit.recent(con)
    assert list(log["action"]) == ["undo", "import"]
    assert list(log["who"]) == ["bob@x.gov.uk", "ann@x.gov.uk"] and "p.csv" in log["detail"].iloc[1]
    db.close_all()


ALL_PAGES = ["dashboard.py"] + [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))]


def _other_anchor_names(app_env, own: list[str]) -> tuple[set[str], set[str]]:
    """Names of suppliers and sites that only anchors other than ``own`` deal with."""
    con = db.connect(app_env)
    cur = con.cursor()
    sup = {
        r[0]
        for r in cur.execute(
            "SELECT s.name FROM supplier s JOIN payment p USING (supplier_id) WHERE NOT s.is_individual GROUP BY s.name "
            "HAVING bool_and(NOT list_contains(?, p.anchor_id))",
            [own],
        ).fetchall()
    }
    sites = {
        r[0]
        for r in cur.execute(
            "SELECT asset_id FROM asset WHERE NOT list_contains(?, anchor_id)", [own]
        ).fetchall()
    }
    cur.close()
    db.close_all()
    return sup, sites


@pytest.mark.parametrize("role, anchors", [("network_viewer", []), ("anchor_analyst", ["DEMO-FE"])])
def test_role_sweep_every_page_and_export(app_env, monkeypatch, tmp_path, role, anchors):
    """Signed in as each role, every page and every export offered holds no supplier- or
    site-level row of an anchor outside the role's scope."""
    others_sup, others_sites = _other_anchor_names(app_env, anchors)
    assert others_sup and others_sites
    cur = db.connect(app_env).cursor()
    allowed_names = dict(cur.execute("SELECT anchor_id, name FROM anchor").fetchall())
    cur.close()
    db.close_all()
    captured = []
    import cwb.ui.downloads as dl

    monkeypatch.setattr(dl, "offer", lambda prov, fig=None, data=None, key="": captured.append(data))
    for page in ALL_PAGES:
        at = _shared_app(page, monkeypatch, tmp_path, role, anchors)
        assert not at.exception, page
        frames = [d.value for d in at.dataframe] + [d for d in captured if d is not None]
        captured.clear()
        for df in frames:
            cells = set(df.astype(str).to_numpy().ravel().tolist())
            leaked = sorted(cells & others_sup)
            assert not leaked, f"{role} sees suppliers of other anchors on {page}: {leaked[:3]}"
            if "Site" in df.columns and "Anchor" in df.columns:  # the table names anchors (code or name)
                assert set(df["Anchor"]) <= set(anchors) | {allowed_names.get(a) for a in anchors}, page
