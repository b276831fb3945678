"""Sign-in, accounts, downloads, exports and the database lock (issue 12, items 10, 12, 13, 15,
17): brute-force protection that survives new sessions, no trivial passwords, a bounded hashing
load, an accounts file that cannot be corrupted or read by others, downloads that need the
session and expire, XLSX with control characters, a plain message while the CLI writes, supplier
lists that never merge different supplier IDs."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cwb import access, build, db, export
from cwb.provenance import Provenance
from tests.menu_util import open_menus

ROOT = Path(__file__).resolve().parent.parent
PW = "twelve chars pw"


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture()
def accounts():
    return {"u@x": access.Account("u@x", "admin", [], "U", access.hash_password(PW))}


# ---- item 10 -------------------------------------------------------------------------------


def test_account_lockout_survives_new_sessions(app_env, monkeypatch, tmp_path):
    """Reproduces item 10: the back-off lived in the session, so a new websocket session (a new
    tab, or 8 in parallel) started from zero. Now, after 5 wrong passwords in one session, a
    brand-new session with the right password is refused for the lockout period."""
    monkeypatch.setenv("CWB_MODE", "shared")
    path = tmp_path / "users.toml"
    monkeypatch.setenv("CWB_USERS", str(path))
    monkeypatch.setattr(access, "SIGN_IN", access.SignInGuard())
    access.save_accounts({"u@x": access.Account("u@x", "admin", [], "U", access.hash_password(PW))}, path)
    for i in range(5):
        at = AppTest.from_file(
            str(ROOT / "pages/1_Spend_overview.py"), default_timeout=120
        ).run()  # a new session each time
        at.text_input[0].input("u@x")
        at.text_input[1].input(f"wrong password {i}")
        at.button[0].click()
        at.run()
        assert not at.metric
    at = AppTest.from_file(str(ROOT / "pages/1_Spend_overview.py"), default_timeout=120).run()
    at.text_input[0].input("u@x")
    at.text_input[1].input(PW)
    at.button[0].click()
    at.run()
    assert not at.metric and any("Too many failed sign-ins" in e.value for e in at.error)


def test_lockout_per_account_and_per_address_then_expiry(accounts):
    """Item 10: 5 failures lock the account (the right password is refused, from any address);
    20 failures from one address lock that address for every account name; both end after the
    lockout period."""
    clock = Clock()
    g = access.SignInGuard(account_limit=5, address_limit=20, window=900, lockout=900, clock=clock)
    for i in range(5):
        assert g.attempt("u@x", f"wrong {i} password", "10.0.0.1", accounts)[0] is None
    acc, msg = g.attempt("u@x", PW, "10.0.0.2", accounts)
    assert acc is None and "Too many failed sign-ins" in msg
    clock.t += 901
    assert g.attempt("u@x", PW, "10.0.0.2", accounts)[0] is not None
    for i in range(20):  # spraying many names from one address
        g.attempt(f"user{i}@x", "some password here", "10.9.9.9", accounts)
    acc, msg = g.attempt("u@x", PW, "10.9.9.9", accounts)
    assert acc is None and "Too many failed sign-ins" in msg
    assert g.attempt("u@x", PW, "10.0.0.3", accounts)[0] is not None  # other addresses unaffected


@pytest.mark.parametrize(
    "pw", [" " * 12, "\t" * 14, "aaaaaaaaaaaa", "abababababab", "password1234", "Password1234", "", "short"]
)
def test_trivial_passwords_are_refused(pw):
    """Reproduces item 10: twelve spaces were accepted as a password."""
    with pytest.raises(ValueError):
        access.hash_password(pw)


def test_blank_password_is_never_verified(accounts, monkeypatch):
    """Item 10: a blank or whitespace password costs no argon2 verification and never signs in."""
    import argon2

    calls = []
    real = argon2.PasswordHasher.verify
    monkeypatch.setattr(
        argon2.PasswordHasher, "verify", lambda self, h, p: calls.append(1) or real(self, h, p)
    )
    assert not access.check_password(accounts["u@x"], "   ")
    assert not access.check_password(accounts["u@x"], "")
    assert calls == []


def test_argon2_verifications_are_capped_under_load(accounts, monkeypatch):
    """Item 10: 8 parallel sign-ins ran 8 argon2 verifications at once (64 MB each). Now at most
    ``parallel`` run at a time, and a sign-in that cannot get a slot in time is told the server
    is busy instead of queueing."""
    running, peak, mu = [0], [0], threading.Lock()

    def slow_check(acc, pw):
        with mu:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.3)
        with mu:
            running[0] -= 1
        return False

    monkeypatch.setattr(access, "check_password", slow_check)
    g = access.SignInGuard(parallel=2, wait=0.5, account_limit=100, address_limit=100)
    out = []
    threads = [
        threading.Thread(
            target=lambda i=i: out.append(g.attempt(f"n{i}@x", "wrong password x", f"a{i}", accounts))
        )
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] <= 2
    assert any(m == "The server is busy: try again in a moment." for _, m in out)


# ---- item 17: the users file ---------------------------------------------------------------


def _users(tmp_path, *a, inp=None):
    env = {"CWB_USERS": str(tmp_path / "users.toml"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "cwb", "users", *a],
        input=inp,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_users_add_refuses_control_characters_and_file_is_private(tmp_path):
    """Reproduces item 17: `users add` accepted a newline in the name, which wrote new keys into
    the users file (here: an attempt to add an admin), and the file was created 0644."""
    r = _users(tmp_path, "add", "ann@x.gov.uk", "--role", "network_viewer")
    assert r.returncode == 0, r.stderr
    mode = stat.S_IMODE(os.stat(tmp_path / "users.toml").st_mode)
    assert mode == 0o600, oct(mode)
    evil = 'Ann"\nrole = "admin"\n[users."mallory@x"]\nrole = "admin'
    r = _users(tmp_path, "add", "bob@x.gov.uk", "--role", "network_viewer", "--name", evil)
    assert r.returncode == 2 and "control character" in r.stderr
    r = _users(tmp_path, "add", "eve@x\n[users.x]", "--role", "network_viewer")
    assert r.returncode == 2
    r = _users(
        tmp_path, "add", "carl@x.gov.uk", "--role", "network_viewer", "--password-stdin", inp=" " * 12 + "\n"
    )
    assert r.returncode == 2 and "blank" in r.stderr
    accounts = access.load_accounts(tmp_path / "users.toml")
    assert set(accounts) == {"ann@x.gov.uk"} and accounts["ann@x.gov.uk"].role == "network_viewer"


def test_accounts_file_escapes_every_control_character(tmp_path):
    """Item 17: even through the API, a display name with a newline or ESC round-trips as data."""
    p = tmp_path / "u.toml"
    access.save_accounts(
        {"a@x": access.Account("a@x", "network_viewer", [], 'x"\n[users."m@x"]\nrole = "admin"\x1b[2J')}, p
    )
    acc = access.load_accounts(p)
    assert set(acc) == {"a@x"} and acc["a@x"].role == "network_viewer" and "\x1b" in acc["a@x"].name


# ---- item 12 --------------------------------------------------------------------------------


def test_xlsx_export_with_control_characters_in_names():
    """Reproduces item 12: a supplier name with ESC or a vertical tab made the XLSX export fail
    (openpyxl IllegalCharacterError, shown as nothing downloaded)."""
    from openpyxl import load_workbook

    df = pd.DataFrame(
        {"Supplier\x0b": ["Acme\x1b[31m Ltd", "Tab\x0bCo", '=HYPERLINK("x")'], "Spend £": [1.5, 2.0, 3.0]}
    )
    prov = Provenance(title="Top suppliers\x1b", measure="Spend", source="test")
    ws = load_workbook(io.BytesIO(export.xlsx_bytes(df, prov))).active
    values = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert "Acme[31m Ltd" in values and "TabCo" in values and "Supplier" in values
    assert not any(ch in v for v in values for ch in "\x1b\x0b")
    assert all(c.data_type == "s" for r in ws.iter_rows() for c in r if isinstance(c.value, str))


# ---- item 13 --------------------------------------------------------------------------------


def test_shared_mode_csv_download_is_made_on_click(app_env, monkeypatch, tmp_path):
    """Reproduces item 13: in shared mode the CSV of a table was stored with the page at a
    /media URL that served another anchor's supplier rows with no session for as long as
    Streamlit kept it. Now every shared-mode download is deferred (no URL until the signed-in
    session asks for it)."""
    monkeypatch.setenv("CWB_MODE", "shared")
    path = tmp_path / "users.toml"
    monkeypatch.setenv("CWB_USERS", str(path))
    monkeypatch.setattr(access, "SIGN_IN", access.SignInGuard())
    access.save_accounts({"u@x": access.Account("u@x", "admin", [], "U", access.hash_password(PW))}, path)
    at = AppTest.from_file(str(ROOT / "pages/5_Suppliers.py"), default_timeout=180).run()
    at.text_input[0].input("u@x")
    at.text_input[1].input(PW)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert not [b for b in at.get("download_button")], "a closed Download menu drew its buttons"
    open_menus(at)  # as the officer's click on "Download" does
    buttons = [b for b in at.get("download_button") if b.proto.label in ("CSV", "XLSX")]
    assert buttons
    for b in buttons:
        assert b.proto.deferred_file_id and not b.proto.url, (b.proto.label, b.proto.url)


def test_generated_download_expires_from_the_media_store():
    """Item 13: once made, a download's file is deleted from Streamlit's media store (its
    /media URL stops working) unless a session still shows it."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.media_file_storage import MediaFileStorageError
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from cwb.ui import downloads

    storage = MemoryMediaFileStorage("/media")
    mgr = MediaFileManager(storage)
    payload = b"supplier,spend\nAcme,1\n"
    fid = mgr.add_deferred(lambda: payload, "text/csv", "coord-1", file_name="top.csv")
    url = mgr.execute_deferred(fid)
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    assert storage.get_file(file_id).content == payload
    assert downloads.expire_file(payload, "text/csv", "top.csv", manager=mgr)
    with pytest.raises(MediaFileStorageError):
        storage.get_file(file_id)


def test_readme_says_how_downloads_are_protected():
    text = (ROOT / "README.md").read_text()
    assert "expire" in text and "/media" in text


# ---- item 15 --------------------------------------------------------------------------------


@pytest.fixture()
def locked_db(tmp_path, demo_db):
    """A database file held by another process (as a command-line import holds it)."""
    p = tmp_path / "locked.duckdb"
    shutil.copy(demo_db, p)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(p)!r}); print('held', flush=True); "
            "time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    yield p
    holder.kill()
    holder.wait()


def test_locked_database_gives_a_plain_message(locked_db, monkeypatch):
    """Reproduces item 15: while the CLI writes, every page showed a raw DuckDB lock error with
    the file path and the PID. Now the engine raises DatabaseBusy with a plain message and the
    page shows 'The data is being updated, try again in a moment'."""
    db.close_all()
    with pytest.raises(db.DatabaseBusy) as exc:
        db.connect(locked_db)
    assert str(exc.value) == "The data is being updated, try again in a moment." and "PID" in exc.value.detail
    monkeypatch.setenv("CWB_DB", str(locked_db))
    at = AppTest.from_file(str(ROOT / "pages/1_Spend_overview.py"), default_timeout=120).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["The data is being updated, try again in a moment."]
    db.close_all()


# ---- item 17: supplier lists -------------------------------------------------------------------


def test_supplier_list_keeps_different_supplier_ids_apart(tmp_path, monkeypatch):
    """Reproduces item 17: two rows of a supplier list with different supplier IDs whose names
    normalise the same ('Acme Ltd', 'ACME LIMITED') were merged silently into one record. Now
    they stay two suppliers and the report lists them for review."""
    from cwb.ingest import importer
    from cwb.ingest.stage import safe_stage

    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    con = build.open_database(tmp_path / "s.duckdb", log=lambda *a: None)
    con.execute(
        "INSERT INTO network VALUES ('N', 'T', ['E07000123'], ['E07000123'], 'E12000002', 'P', 'L', NULL, false)"
    )
    con.execute("INSERT INTO anchor VALUES ('A', 'Anchor', 'council', NULL, 'N', NULL, false)")
    p = tmp_path / "s.csv"
    p.write_text(
        "Supplier ID,Supplier Name,Postcode\nS1,Acme Ltd,PR1 2AA\nS2,ACME LIMITED,LA1 1AA\nS3,Beta Ltd,PR1 2AB\n"
    )
    st = safe_stage(con, p, "suppliers", "A")
    assert st.report.ok
    assert any("different supplier ID" in n for n in st.report.notes)
    assert ("ACME LIMITED", "Acme Ltd", 100.0) in st.report.near_matches
    importer.commit(con, st)
    assert sorted(con.execute("SELECT name, postcode FROM supplier").fetchall()) == [
        ("ACME LIMITED", "LA1 1AA"),
        ("Acme Ltd", "PR1 2AA"),
        ("Beta Ltd", "PR1 2AB"),
    ]
    assert con.execute("SELECT count(DISTINCT supplier_id) FROM supplier_alias").fetchall() == [(3,)]
    # a later payments file naming S2 pays the second record, not the first
    pay = tmp_path / "p.csv"
    pay.write_text("Payment Date,Amount,Supplier Name,Supplier ID\n15/04/2024,10.00,Acme,S2\n")
    importer.commit(con, safe_stage(con, pay, "payments", "A"))
    assert con.execute("SELECT s.postcode FROM payment JOIN supplier s USING (supplier_id)").fetchall() == [
        ("LA1 1AA",)
    ]
    db.close_all()
