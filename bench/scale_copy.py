"""A bigger network database made quickly in SQL from an existing one (for bench/bench_scale.py).

Generating 30M payments with bench/network_data.py takes over 30 minutes on the 2-core bench
machine; this copies a network database (e.g. the 10M one) and adds ``copies - 1`` copies of
every anchor of the source:

* anchor: new id ``<id>-C<k>`` and name ``<name> (copy <k>)``, same type, site and network (so
  the network has ``copies`` times the anchors; with ``--new-networks`` each copy goes into its
  own network ``<network_id>-C<k>`` instead, a copy of the source network's row);
* payment: every payment of the source again under the copied anchor's id (same dates, amounts,
  categories, payees, suppliers), in the source's order, copy after copy; payments have no id
  of their own, and the source files they point to (source_file_id) are kept as they are;
* workforce_area / workforce_anchor / asset (asset_id ``<id>-C<k>``) / asset_year: the same
  per anchor, so the staff and land steps of the refresh grow alike;
* suppliers are shared by default (the copied anchors buy from the same 200,000 suppliers, as
  anchors of one place do); with ``--new-suppliers`` each copy gets its own suppliers instead
  (supplier_id + k x 10^9, name ``<name> (copy <k>)``, same postcode and flags), so the
  supplier-grain network marts grow too.

Payments, anchors and the anchor x supplier grain (mart_spend_supplier) grow ``copies`` times.
The marts of the result are not rebuilt (bench_scale builds its own); they are marked stale,
so opening the file with the dashboard rebuilds them.

    python bench/scale_copy.py --src /work/bench_data/lead_10M_new.duckdb \
        --out /work/bench_data/network_30M.duckdb [--copies 3] [--new-suppliers] [--new-networks]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import duckdb

SUPPLIER_STEP = 1_000_000_000


def make(
    src: Path,
    out: Path,
    copies: int = 3,
    new_suppliers: bool = False,
    new_networks: bool = False,
    memory_limit: str = "4GB",
    log=print,
) -> dict:
    t0 = time.perf_counter()
    if out.exists():
        out.unlink()
    shutil.copyfile(src, out)
    con = duckdb.connect(str(out))
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{(out.parent / (out.stem + '.tmp')).as_posix()}'")
    con.execute(f"ATTACH '{src.as_posix()}' AS src (READ_ONLY)")
    for k in range(2, copies + 1):
        t = time.perf_counter()
        suf = f"'-C{k}'"
        sid = f"supplier_id + {k * SUPPLIER_STEP}" if new_suppliers else "supplier_id"
        con.execute("BEGIN TRANSACTION")
        if new_networks:
            con.execute(
                f"INSERT INTO network SELECT * REPLACE (network_id || {suf} AS network_id, "
                f"name || ' (copy {k})' AS name) FROM src.network"
            )
            con.execute(
                f"INSERT INTO network_event SELECT * REPLACE (network_id || {suf} AS network_id) "
                f"FROM src.network_event"
            )
            con.execute(
                f"INSERT INTO target SELECT * REPLACE (scope_id || {suf} AS scope_id) FROM src.target"
            )
        net = f"network_id || {suf}" if new_networks else "network_id"
        con.execute(
            f"INSERT INTO anchor SELECT * REPLACE (anchor_id || {suf} AS anchor_id, "
            f"name || ' (copy {k})' AS name, {net} AS network_id) FROM src.anchor"
        )
        if new_suppliers:
            con.execute(
                f"INSERT INTO supplier SELECT * REPLACE ({sid} AS supplier_id, "
                f"name || ' (copy {k})' AS name, name_norm || ' copy {k}' AS name_norm) FROM src.supplier"
            )
        con.execute(
            f"INSERT INTO payment SELECT * REPLACE (anchor_id || {suf} AS anchor_id, {sid} AS supplier_id) "
            f"FROM src.payment"
        )
        con.execute(
            f"INSERT INTO workforce_area SELECT * REPLACE (anchor_id || {suf} AS anchor_id) FROM src.workforce_area"
        )
        con.execute(
            f"INSERT INTO workforce_anchor SELECT * REPLACE (anchor_id || {suf} AS anchor_id) FROM src.workforce_anchor"
        )
        con.execute(
            f"INSERT INTO asset SELECT * REPLACE (asset_id || {suf} AS asset_id, anchor_id || {suf} AS anchor_id) FROM src.asset"
        )
        con.execute(
            f"INSERT INTO asset_year SELECT * REPLACE (asset_id || {suf} AS asset_id) FROM src.asset_year"
        )
        con.execute("COMMIT")
        log(f"copy {k}: {time.perf_counter() - t:.0f} s")
    con.execute("DETACH src")
    # the marts no longer match the payments: the next open_database rebuilds them
    con.execute("CREATE TABLE IF NOT EXISTS build_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT OR REPLACE INTO build_meta VALUES ('marts_state', 'stale')")
    con.execute("CHECKPOINT")
    out_n = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("payment", "anchor", "supplier", "network")
    }
    con.close()
    shutil.rmtree(out.parent / (out.stem + ".tmp"), ignore_errors=True)
    out_n["seconds"] = round(time.perf_counter() - t0, 1)
    out_n["file_mb"] = round(out.stat().st_size / 1e6)
    return out_n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--new-suppliers", action="store_true")
    ap.add_argument("--new-networks", action="store_true")
    a = ap.parse_args()
    print(make(a.src, a.out, a.copies, a.new_suppliers, a.new_networks))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
