"""The same views in plain pandas against the dashboard's SQL on marts, on the same data, in the
same run: headline indicators (A1-A3, A7, A10, A12 and distinct suppliers, per anchor and for the
set), spend by district (the map), the supplier list, and the local-share trend over every year.

pandas gets the payment table already in memory (10M rows; loading it is timed but not counted)
with each supplier's district, region, flags and deprivation joined once (also not counted): the
figure is what each click would cost a pandas dashboard holding the data in memory. The SQL side
is ``cwb.db.run`` of the metric queries the pages use; the view is the whole network (every
anchor) in its own bands, so they read the network marts banded at build time (mart_network_*:
see cwb/sql/build/20_marts.sql and 35_banded_marts.sql; the marts each view read are printed). Both
results are checked to agree to the penny, row by row, before anything is timed; the timed runs
alternate pandas and SQL, so the load of a shared machine falls on both alike.

    python bench/bench_pandas.py [--db data/bench_10M.duckdb] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat):
    out, ts = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return out, statistics.median(ts) * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "bench_10M.duckdb")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    import pandas as pd

    from cwb import build, db
    from cwb.method import supplier_list

    con = build.open_database(a.db, log=lambda *x: None)
    net = con.execute("SELECT local_lad_codes, wider_lad_codes, region_code FROM network").fetchone()
    local, wider = list(net[0]), sorted(set(net[1]) | set(net[0]))
    region = net[2]
    anchors = [r[0] for r in con.execute("SELECT anchor_id FROM anchor ORDER BY 1").fetchall()]
    years = [
        r[0]
        for r in con.execute("SELECT DISTINCT financial_year FROM mart_spend_month ORDER BY 1").fetchall()
    ]
    fy = years[-1]
    p = dict(
        anchor_ids=anchors,
        fy_from=fy,
        fy_to=fy,
        denominator="all",
        top_n=300,
        local_lads=local,
        wider_lads=wider,
        region_code=region,
        imd_edition="2019",
        network_id="DEMO",
    )

    t = time.perf_counter()
    pay = con.execute("""SELECT p.anchor_id, coalesce(p.supplier_id, -1) AS supplier_id, fin_year(p.payment_date) AS fy,
                                CAST(round(p.amount_gbp * 100) AS BIGINT) AS pence
                         FROM payment p""").df()
    sup = con.execute("""SELECT g.supplier_id, coalesce(g.located, false) AND coalesce(g.country, 'UK') = 'UK' AS located,
                                g.lad_code, g.region_code, g.imd2019_decile, s.is_sme, s.is_vcse, s.name
                         FROM supplier_geo g JOIN supplier s USING (supplier_id)""").df()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    pay["anchor_id"] = pay["anchor_id"].astype("category")
    pay["fy"] = pay["fy"].astype("category")
    df = pay.merge(sup, on="supplier_id", how="left")
    df["located"] = df["located"].fillna(False).astype(bool)
    df["local"] = df["located"] & df["lad_code"].isin(local)
    df["wider"] = df["located"] & df["lad_code"].isin(wider)
    df["deprived"] = df["located"] & (df["imd2019_decile"] <= 2)
    prep_s = time.perf_counter() - t
    mem_mb = df.memory_usage(deep=True).sum() / 1e6

    def pd_headline(d):
        d = d.assign(
            local_p=d["pence"].where(d["local"], 0),
            wider_p=d["pence"].where(d["wider"], 0),
            sme_p=d["pence"].where(d["is_sme"].fillna(False).astype(bool), 0),
            vcse_p=d["pence"].where(d["is_vcse"].fillna(False).astype(bool), 0),
            dep_p=d["pence"].where(d["deprived"], 0),
        )
        cols = ["pence", "local_p", "wider_p", "sme_p", "vcse_p", "dep_p"]
        per = d.groupby("anchor_id", observed=True)[cols].sum()
        per["n_suppliers"] = (
            d[d["supplier_id"] != -1].groupby("anchor_id", observed=True)["supplier_id"].nunique()
        )
        whole = per[cols].sum().to_frame("_all").T
        whole["n_suppliers"] = d.loc[d["supplier_id"] != -1, "supplier_id"].nunique()
        out = pd.concat([per, whole])
        out["local_pct"] = 100 * out["local_p"] / out["pence"]
        return out

    def pandas_views():
        d = df[df["fy"] == fy]
        head = pd_headline(d)
        area = (
            d[d["located"]]
            .groupby("lad_code")
            .agg(pence=("pence", "sum"), n=("supplier_id", "nunique"))
            .sort_values("pence", ascending=False, kind="stable")
        )
        sl = (
            d[d["supplier_id"] != -1]
            .groupby("supplier_id")
            .agg(pence=("pence", "sum"), n_payments=("pence", "size"), n_anchors=("anchor_id", "nunique"))
            .sort_values("pence", ascending=False, kind="stable")
        )
        sl = sl.join(sup.set_index("supplier_id")[["name", "lad_code"]])
        trend = (
            df.assign(local_p=df["pence"].where(df["local"], 0))
            .groupby(["anchor_id", "fy"], observed=True)[["pence", "local_p"]]
            .sum()
        )
        trend["local_pct"] = 100 * trend["local_p"] / trend["pence"]
        return head, area, sl, trend

    def sql_views():
        head = db.run("spend_indicators", con, **p)
        area = db.run("spend_by_area", con, **p, area_level="lad", within_lads=[])
        sl = db.run("spend_suppliers", con, **p, **supplier_list(anchors, row_limit=0))
        trend = db.run("spend_indicators", con, **{**p, "fy_from": years[0], "fy_to": years[-1]})
        return head, area, sl, trend

    names = ["headline indicators", "spend by district", "supplier list (top 1,000)", "trend (all years)"]
    (ph, pa, ps, pt), _ = timed(pandas_views, 1)
    (sh, sa, ss, st_), _ = timed(sql_views, 1)

    # the two agree to the penny, row by row (else the comparison means nothing)
    def pence(v):
        return (v.astype("float64") * 100).round().astype("int64")

    sh_i = sh.set_index("anchor_id")
    for col, pcol in (("spend_gbp", "pence"), ("local_gbp", "local_p"), ("wider_gbp", "wider_p")):
        assert (pence(sh_i[col]).loc[ph.index].values == ph[pcol].values).all(), f"headline {col} differs"
    assert (sh_i["n_suppliers"].loc[ph.index].values == ph["n_suppliers"].values).all(), (
        "supplier counts differ"
    )
    sa_i = sa.set_index("area_code")
    assert (
        len(sa_i) == len(pa) and (pence(sa_i["spend_gbp"]).loc[pa.index].values == pa["pence"].values).all()
    ), "spend by area differs"
    assert (sa_i["n_suppliers"].loc[pa.index].values == pa["n"].values).all(), "suppliers by area differ"
    ss_i = ss.set_index("supplier_id")
    assert (
        len(ss_i) == len(ps) and (pence(ss_i["spend_gbp"]).loc[ps.index].values == ps["pence"].values).all()
    ), "suppliers differ"
    assert (ss_i["n_payments"].loc[ps.index].values == ps["n_payments"].values).all(), "payment counts differ"
    assert (ss_i["n_anchors"].loc[ps.index].values == ps["n_anchors"].values).all(), "anchor counts differ"
    assert ss["supplier_id"].head(1000).tolist() == ps.index[:1000].tolist(), "the top 1,000 differ"
    st_i = st_[st_["anchor_id"] != "_all"].set_index(["anchor_id", "financial_year"])
    pt_i = pt.reset_index().astype({"anchor_id": str, "fy": str}).set_index(["anchor_id", "fy"])
    assert (
        len(st_i) == len(pt_i)
        and (pence(st_i["local_gbp"]).loc[pt_i.index].values == pt_i["local_p"].values).all()
    ), "trend differs"

    per_view = []
    pd_funcs = [
        lambda: pd_headline(df[df["fy"] == fy]),
        lambda: (
            df[(df["fy"] == fy) & df["located"]]
            .groupby("lad_code")
            .agg(pence=("pence", "sum"), n=("supplier_id", "nunique"))
            .sort_values("pence", ascending=False, kind="stable")
        ),
        lambda: (
            df[(df["fy"] == fy) & (df["supplier_id"] != -1)]
            .groupby("supplier_id")
            .agg(pence=("pence", "sum"), n_payments=("pence", "size"), n_anchors=("anchor_id", "nunique"))
            .sort_values("pence", ascending=False, kind="stable")
            .head(1000)  # what the page shows (the count of all comes with the aggregation; ties by id)
            .join(sup.set_index("supplier_id")[["name", "lad_code"]])
        ),
        lambda: (
            df.assign(local_p=df["pence"].where(df["local"], 0))
            .groupby(["anchor_id", "fy"], observed=True)[["pence", "local_p"]]
            .sum()
        ),
    ]
    sql_funcs = [
        lambda: db.run("spend_indicators", con, **p),
        lambda: db.run("spend_by_area", con, **p, area_level="lad", within_lads=[]),
        lambda: db.run("spend_suppliers", con, **p, **supplier_list(anchors, row_limit=1000)),
        lambda: db.run("spend_indicators", con, **{**p, "fy_from": years[0], "fy_to": years[-1]}),
    ]
    for n, pf, sf in zip(names, pd_funcs, sql_funcs):
        sf()  # one untimed run each side, then the two alternate (a shared machine's load hits both alike)
        pf()
        tps, tss = [], []
        for _ in range(a.repeat):
            tps.append(timed(pf, 1)[1])
            tss.append(timed(sf, 1)[1])
        per_view.append((n, statistics.median(tps), statistics.median(tss)))
    n_pay = len(pay)
    print(
        f"pandas against the dashboard's SQL: {n_pay:,} payments, {len(anchors)} anchors, {len(sup):,} suppliers, "
        f"year {fy}; median of {a.repeat}; results agree to the penny"
    )
    print(
        f"pandas: load {load_s:.1f} s and join {prep_s:.1f} s once (not counted), frame {mem_mb:,.0f} MB in memory"
    )
    print(f"{'view':22s} {'pandas ms':>10s} {'cwb SQL ms':>10s} {'ratio':>7s}")
    for n, tp, ts in per_view:
        print(f"{n:22s} {tp:10.0f} {ts:10.0f} {tp / ts:7.1f}")
    tp, ts = sum(v[1] for v in per_view), sum(v[2] for v in per_view)
    print(
        f"{'all four views':22s} {tp:10.0f} {ts:10.0f} {tp / ts:7.1f}   (target >= 20x: {'met' if tp / ts >= 20 else 'NOT met'})"
    )
    texts = [
        db.query_path("spend_indicators", con, **p),
        db.query_path("spend_by_area", con, **p, area_level="lad", within_lads=[]),
        db.query_path("spend_suppliers", con, **p, **supplier_list(anchors, row_limit=1000)),
        db.query_path("spend_indicators", con, **{**p, "fy_from": years[0], "fy_to": years[-1]}),
    ]
    for n, text in zip(names, texts):
        body = " ".join(line.split("--", 1)[0] for line in text.splitlines())
        marts = sorted(set(re.findall(r"\bmart_[a-z_]+", body)))
        print(f"  {n} reads: {', '.join(marts) or '-'}")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    db.close_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
