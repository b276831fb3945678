"""A seeded subset of the import fuzz run (bench/fuzz_import.py runs 10,000 cases): hostile and
malformed files of every kind (payments, supplier lists, workforce counts and HR extracts, land
registers, targets; CSV in four encodings and three line endings, XLSX, zip) are staged and,
when accepted, committed and undone. Reproduces the probe's fuzz finding class (issue 12): no
crash, no partial import (a rejected file changes nothing; an accepted one writes exactly what
its report says; undo gives the database back exactly), no stale figures after a commit."""

from __future__ import annotations

from bench import fuzz_import


def test_fuzz_subset_no_crash_no_partial_import(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_ORIGINALS", str(tmp_path / "o"))
    base = fuzz_import.make_base(tmp_path / "fuzz.duckdb")
    tally = fuzz_import.run(120, base, seed=12, work=tmp_path)
    assert tally.cases >= 100
    assert tally.accepted >= 10 and tally.rejected >= 10  # both paths exercised
    assert not tally.crashes, tally.crashes[:3]
    assert not tally.partial, tally.partial[:3]
    assert not tally.stale, tally.stale[:3]
