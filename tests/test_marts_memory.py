"""The enrichment and marts complete under a small DuckDB memory_limit (out of core: what spills
goes to the temp folder) and give exactly the marts built without one. A quick guard on the
demo (35,000 payments, a 300 MB limit against the 2.7M reference postcodes the enrichment
reads); the real check is bench/bench_scale.py at 30M payments and 2 GB (bench/README.md,
'Beyond one machine'), where the single-statement mart_spend_supplier ran out of memory."""

from __future__ import annotations

from cwb import build

from .conftest import q

MARTS = [
    "mart_spend_supplier",
    "mart_spend_month",
    "mart_payment_days",
    "mart_spend_headline",
    "mart_supplier_count",
    "anchor_bit",
    "mart_network_supplier_year",
    "mart_network_supplier_count",
    "mart_network_area_year",
    "mart_band_lists",
    "mart_network_built",
    "mart_network_anchor_year",
    "mart_network_headline",
    "mart_network_area_banded",
    "mart_network_supplier_rank",
]


def _fingerprint(con) -> dict:
    return {t: q(con, f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}") for t in MARTS}


def test_refresh_under_memory_limit_gives_the_same_marts(demo_con, tmp_path):
    before = _fingerprint(demo_con)
    assert before["mart_spend_supplier"][0][0] > 0
    q(demo_con, "SET memory_limit = '300MB'")
    q(demo_con, "SET threads = 2")
    q(demo_con, f"SET temp_directory = '{(tmp_path / 'spill').as_posix()}'")
    try:
        build.refresh(demo_con)
    finally:
        q(demo_con, "RESET memory_limit")
    assert _fingerprint(demo_con) == before
    # the staging table of mart_spend_supplier does not outlive the refresh
    assert q(demo_con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'spend_supplier_agg'") == [
        (0,)
    ]
