"""kill -9 at random moments of a command-line import (bench/kill_import.py runs 20 rounds):
each leaves the database exactly as before or exactly as after, with the spend mart agreeing
with the payments (issue 12, item 11 and the probe's kill -9 rounds: before this fix a kill
during the mart refresh left the file listed without its figures)."""

from __future__ import annotations

from bench import kill_import


def test_random_kills_leave_before_or_after(monkeypatch, tmp_path):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    out = kill_import.run(3, seed=3, log=lambda *a: None, rows=5000)
    assert not out["broken"], out["broken"]
    assert out["before"] + out["after"] == 3
