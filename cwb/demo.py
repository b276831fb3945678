"""A deterministic synthetic anchor network on real UK geography (for demos and benchmarks).

Every anchor name is fictional and every anchor row is flagged ``is_synthetic``; the pages show
a "synthetic demo data" banner whenever such rows exist. Supplier postcodes, LSOAs and sites
are real postcodes drawn from the place, its county (the wider area), its region and the rest
of the UK, in proportions that differ by anchor type, with a slow rise in local spend.

``scale`` multiplies the number of payments: scale 1 gives about 120,000 payments over six
financial years; scale 10 about 1.2 million; scale 85 about 10 million (benchmarks).
"""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import numpy as np
import pandas as pd

from cwb import build, config, db

YEARS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
BASELINE = "2020-21"
BANDS = ["local", "wider", "region", "uk"]

# code, name, type, annual spend £m, staff headcount, base band shares (local, wider, region,
# uk), local-share rise per year (share points moved from 'uk' to 'local'), joined FY
ANCHORS = [
    ("DEMO-CC", "Millbrook City Council (demo)", "council", 190, 2600, (0.22, 0.18, 0.17, 0.43), 0.020, None),
    (
        "DEMO-NHS",
        "Millbrook Teaching Hospitals NHS Trust (demo)",
        "nhs_trust",
        420,
        8200,
        (0.08, 0.10, 0.14, 0.68),
        0.010,
        None,
    ),
    (
        "DEMO-UNI",
        "University of Millbrook (demo)",
        "university",
        160,
        4100,
        (0.14, 0.12, 0.16, 0.58),
        0.012,
        None,
    ),
    (
        "DEMO-FE",
        "Millbrook and District College (demo)",
        "fe_college",
        28,
        650,
        (0.24, 0.20, 0.16, 0.40),
        0.015,
        None,
    ),
    (
        "DEMO-HA",
        "Millbrook Community Homes (demo)",
        "housing_association",
        65,
        480,
        (0.55, 0.20, 0.10, 0.15),
        0.012,
        None,
    ),
    ("DEMO-POL", "Shire Constabulary (demo)", "police", 75, 3100, (0.10, 0.22, 0.18, 0.50), 0.008, "2022-23"),
    (
        "DEMO-FIRE",
        "Shire Fire and Rescue Service (demo)",
        "fire",
        22,
        720,
        (0.12, 0.25, 0.18, 0.45),
        0.010,
        None,
    ),
]

CATEGORIES = {
    # category: weight by anchor type (council, nhs, uni, fe, ha, police, fire), local supply base
    "Construction and repairs": ((14, 6, 14, 12, 30, 6, 8), 0.55),
    "Facilities management": ((8, 8, 10, 10, 8, 8, 8), 0.45),
    "ICT and telecoms": ((7, 8, 12, 12, 5, 12, 10), 0.15),
    "Adult social care": ((22, 0, 0, 0, 4, 0, 0), 0.40),
    "Medical and clinical supplies": ((0, 30, 2, 0, 0, 1, 1), 0.05),
    "Agency and temporary staff": ((6, 12, 4, 6, 3, 3, 3), 0.30),
    "Professional services": ((6, 5, 7, 6, 6, 6, 5), 0.30),
    "Energy and utilities": ((5, 6, 8, 8, 4, 5, 6), 0.02),
    "Transport and fleet": ((6, 3, 3, 4, 4, 14, 18), 0.25),
    "Catering and food": ((3, 5, 6, 8, 1, 2, 2), 0.35),
    "Waste and environment": ((9, 3, 2, 2, 2, 1, 1), 0.35),
    "Highways and street works": ((9, 0, 0, 0, 0, 0, 0), 0.45),
    "Education and learning supplies": ((2, 1, 14, 22, 1, 2, 3), 0.20),
    "Grounds maintenance": ((3, 1, 3, 3, 8, 1, 2), 0.70),
    "Public bodies, tax and pensions": ((5, 8, 10, 7, 5, 20, 18), 0.0),
}
TYPE_INDEX = {
    "council": 0,
    "nhs_trust": 1,
    "university": 2,
    "fe_college": 3,
    "housing_association": 4,
    "police": 5,
    "fire": 6,
}


def anchor_list(n: int = len(ANCHORS)) -> list[tuple]:
    """The first ``n`` demo anchors: the seven above, then numbered copies of them (a national-
    scale network for benchmarks: 'DEMO-CC-2', 'Millbrook City Council 2 (demo)', ...)."""
    out: list[tuple] = list(ANCHORS[:n])
    k = 2
    while len(out) < n:
        for code, name, *rest in ANCHORS:
            if len(out) == n:
                break
            out.append((f"{code}-{k}", name.replace(" (demo)", f" {k} (demo)"), *rest))
        k += 1
    return out


_W1 = [
    "Pennine",
    "Ribble",
    "Riverside",
    "Northgate",
    "Oakfield",
    "Harbour",
    "Millstone",
    "Brightwater",
    "Kingsway",
    "Greenlane",
    "Ashworth",
    "Redbrick",
    "Summit",
    "Foundry",
    "Meadow",
    "Castle",
    "Bridgeway",
    "Lantern",
    "Heritage",
    "Crown",
    "Weaver",
    "Lowther",
    "Fairhaven",
    "Moorside",
    "Station",
    "Victoria",
    "Albion",
    "Granite",
    "Willow",
    "Orchard",
    "Beacon",
    "Keystone",
]
_W2 = [
    "Building",
    "Care",
    "Digital",
    "Facilities",
    "Supplies",
    "Services",
    "Consulting",
    "Engineering",
    "Catering",
    "Logistics",
    "Medical",
    "Energy",
    "Print",
    "Joinery",
    "Cleaning",
    "Security",
    "Landscapes",
    "Electrical",
    "Plumbing",
    "Solutions",
    "Training",
    "Transport",
    "Systems",
    "Foods",
]
_SUFFIX = ["Ltd", "Limited", "Ltd", "LLP", "plc", "& Sons Ltd", "Group Ltd", "(UK) Ltd"]


def _place(con: duckdb.DuckDBPyConnection, lad: str) -> dict:
    cur = con.cursor()
    row = cur.execute(
        "SELECT lad_code, lad_name, county_code, county_name, region_code, region_name "
        "FROM ref_lad WHERE lad_code = ?",
        [lad],
    ).fetchone()
    if row is None:
        raise ValueError(f"unknown local authority code {lad!r} (not in the reference geography)")
    wider = [
        r[0]
        for r in cur.execute(
            "SELECT lad_code FROM ref_lad WHERE county_code = ? ORDER BY 1", [row[2]]
        ).fetchall()
    ]
    # keep only codes in use in the current postcode directory
    live = {
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT coalesce(lad25, lad22) FROM ref_postcode WHERE NOT terminated"
        ).fetchall()
    }
    cur.close()
    wider = [w for w in wider if w in live] or [lad]
    return {
        "lad": lad,
        "lad_name": row[1],
        "county_code": row[2],
        "county_name": row[3],
        "region_code": row[4],
        "region_name": row[5],
        "wider": wider,
    }


def _postcodes(con: duckdb.DuckDBPyConnection, place: dict) -> dict[str, pd.DataFrame]:
    """Live English postcodes with an LSOA and a position, in postcode order, by band: the
    place, the rest of its wider area, the rest of its region, the rest of England."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cur = con.cursor()
    try:
        # Arrow, not pandas: 1.5M rows of four text columns; the bands are cut in Arrow and
        # only then made frames (backed by the same Arrow buffers, no Python strings)
        t = cur.sql(
            """SELECT p.pcds, p.lsoa11, coalesce(p.lad25, p.lad22) AS lad, l.region_code
               FROM ref_postcode p JOIN ref_lad l ON l.lad_code = coalesce(p.lad25, p.lad22)
               WHERE NOT p.terminated AND p.lsoa11 IS NOT NULL AND p.lat IS NOT NULL
                 AND left(p.lsoa11, 1) = 'E'
               ORDER BY p.pcd_key"""
        ).to_arrow_table()
    finally:
        cur.close()
    local = pc.fill_null(pc.equal(t["lad"], place["lad"]), False)
    wider = pc.and_(pc.is_in(t["lad"], value_set=pa.array(place["wider"], pa.string())), pc.invert(local))
    region = pc.and_(
        pc.fill_null(pc.equal(t["region_code"], place["region_code"]), False),
        pc.invert(pc.or_(local, wider)),
    )
    uk = pc.invert(pc.or_(pc.or_(local, wider), region))

    def frame(mask) -> pd.DataFrame:
        return t.filter(mask).to_pandas(types_mapper=pd.ArrowDtype)

    return {"local": frame(local), "wider": frame(wider), "region": frame(region), "uk": frame(uk)}


def _fin_year_dates(fy: str) -> tuple[dt.date, dt.date]:
    y = int(fy[:4])
    return dt.date(y, 4, 1), dt.date(y + 1, 3, 31)


def _suppliers(rng: np.random.Generator, pcs: dict[str, pd.DataFrame], n: int) -> pd.DataFrame:
    cats = list(CATEGORIES)
    rows = []
    band_share = {"local": 0.30, "wider": 0.22, "region": 0.18, "uk": 0.30}
    names_seen: set[str] = set()
    sid = 1
    for band, share in band_share.items():
        k = int(n * share)
        pool = pcs[band]
        picks = pool["pcds"].iloc[rng.integers(0, len(pool), size=k)].tolist()
        cat_w = (
            np.array(
                [CATEGORIES[c][1] if band in ("local", "wider") else 1 - CATEGORIES[c][1] * 0.5 for c in cats]
            )
            + 0.02
        )
        cat_p = cat_w / cat_w.sum()
        for i in range(k):
            cat = cats[rng.choice(len(cats), p=cat_p)]
            kind = rng.random()
            if cat == "Public bodies, tax and pensions":
                name = f"{rng.choice(_W1)} {rng.choice(['Pension Fund', 'Borough Council', 'Combined Authority', 'NHS Foundation Trust'])}"
                flags = dict(is_sme=False, is_vcse=False, is_social_economy=False, is_public_body=True)
            elif kind < 0.07 and band in ("local", "wider"):
                name = f"{rng.choice(_W1)} {rng.choice(['Community Trust', 'Foundation', 'Youth Project', 'Advice Centre'])}"
                flags = dict(is_sme=True, is_vcse=True, is_social_economy=True, is_public_body=False)
            elif kind < 0.10:
                name = f"{rng.choice(_W1)} {rng.choice(_W2)} CIC"
                flags = dict(is_sme=True, is_vcse=True, is_social_economy=True, is_public_body=False)
            elif kind < 0.12:
                name = f"{rng.choice(_W1)} {rng.choice(_W2)} Co-operative Ltd"
                flags = dict(is_sme=True, is_vcse=False, is_social_economy=True, is_public_body=False)
            elif kind < 0.135:
                name = "REDACTED PERSONAL DATA"
                flags = dict(is_sme=True, is_vcse=False, is_social_economy=False, is_public_body=False)
            else:
                name = f"{rng.choice(_W1)} {rng.choice(_W2)} {rng.choice(_SUFFIX)}"
                sme_p = {"local": 0.85, "wider": 0.75, "region": 0.6, "uk": 0.35}[band]
                flags = dict(
                    is_sme=bool(rng.random() < sme_p),
                    is_vcse=False,
                    is_social_economy=False,
                    is_public_body=False,
                )
            base = name
            j = 2
            while name in names_seen and base != "REDACTED PERSONAL DATA":
                name = f"{base} ({j})"
                j += 1
            names_seen.add(name)
            unknown_flags = rng.random() < 0.06
            rows.append(
                {
                    "supplier_id": sid,
                    "name": name,
                    "postcode": picks[i] if rng.random() > 0.03 else None,
                    "company_number": f"{rng.integers(1, 16_000_000):08d}"
                    if name.endswith(("Ltd", "Limited", "plc", "LLP"))
                    else None,
                    "charity_number": f"{rng.integers(200_000, 1_200_000)}"
                    if flags["is_vcse"] and "CIC" not in name
                    else None,
                    "is_sme": None if unknown_flags else flags["is_sme"],
                    "sme_source": None if unknown_flags else "demo: synthetic flag",
                    "is_vcse": None if unknown_flags else flags["is_vcse"],
                    "vcse_source": None if unknown_flags else "demo: synthetic flag",
                    "is_social_economy": None if unknown_flags else flags["is_social_economy"],
                    "social_economy_source": None if unknown_flags else "demo: synthetic flag",
                    "is_individual": name == "REDACTED PERSONAL DATA",
                    "is_public_body": flags["is_public_body"],
                    "band": band,
                    "category": cat,
                }
            )
            sid += 1
    df = pd.DataFrame(rows)
    from cwb.ingest.names import normalise_name

    df["name_norm"] = df["name"].map(normalise_name)
    return df


def _payment_chunks(
    rng: np.random.Generator, sup: pd.DataFrame, scale: float, anchors: list[tuple] | None = None
):
    """Payments one anchor and financial year at a time (memory stays flat at any scale)."""
    anchors = anchors or ANCHORS
    cats = list(CATEGORIES)
    base_payments = 120_000 * scale
    total_spend = sum(a[3] for a in anchors)
    sup_by = {(b, c): g["supplier_id"].to_numpy() for (b, c), g in sup.groupby(["band", "category"])}
    pub = set(sup.loc[sup["is_public_body"], "supplier_id"])
    names = sup.set_index("supplier_id")["name"]
    weights: dict[int, np.ndarray] = {}
    # Zipf-like weights so a few suppliers take much of the spend
    for code, _name, atype, spend_m, _staff, shares, rise, joined in anchors:
        t = TYPE_INDEX[atype]
        cw = np.array([CATEGORIES[c][0][t] for c in cats], dtype=float)
        cw /= cw.sum()
        for yi, fy in enumerate(YEARS):
            n = max(200, int(base_payments * spend_m / total_spend / len(YEARS)))
            local = min(0.9, shares[0] + rise * yi)
            uk = max(0.02, shares[3] - rise * yi)
            bw = np.array([local, shares[1], shares[2], uk])
            bw /= bw.sum()
            cat_i = rng.choice(len(cats), size=n, p=cw)
            band_i = rng.choice(4, size=n, p=bw)
            sid = np.empty(n, dtype=np.int64)
            for ci in range(len(cats)):
                for bi in range(4):
                    m = (cat_i == ci) & (band_i == bi)
                    k = int(m.sum())
                    if not k:
                        continue
                    pool = sup_by.get((BANDS[bi], cats[ci]))
                    if pool is None or len(pool) == 0:
                        pool = sup[sup["band"] == BANDS[bi]]["supplier_id"].to_numpy()
                    if len(pool) not in weights:
                        w = 1.0 / np.arange(1, len(pool) + 1) ** 0.9
                        weights[len(pool)] = w / w.sum()
                    sid[m] = pool[rng.choice(len(pool), size=k, p=weights[len(pool)])]
            amounts = rng.lognormal(mean=0.0, sigma=1.6, size=n)
            amounts *= spend_m * 1e6 * (1 + 0.03 * yi) / amounts.sum()
            # a few credit notes, which net off
            credit = rng.random(n) < 0.015
            amounts[credit] *= -0.3
            start, end = _fin_year_dates(fy)
            days = rng.integers(0, (end - start).days + 1, size=n)
            dates = pd.to_datetime(start) + pd.to_timedelta(days, unit="D")
            keep = np.ones(n, dtype=bool)
            if code == "DEMO-FE" and fy == "2023-24":  # two months never supplied: a gap
                keep &= ~dates.month.isin([11, 12])
            if joined and fy < joined:
                keep &= False
            inv = dates - pd.to_timedelta(rng.gamma(2.0, 12.0, size=n).astype(int), unit="D")
            chunk = pd.DataFrame(
                {
                    "anchor_id": code,
                    "supplier_id": sid[keep],
                    "payment_date": dates[keep].date,
                    "invoice_date": inv[keep].date,
                    "amount_gbp": np.round(amounts[keep], 2),
                    "category": np.array(cats)[cat_i[keep]],
                }
            )
            chunk["influenceable"] = ~chunk["supplier_id"].isin(pub) & (
                chunk["category"] != "Public bodies, tax and pensions"
            )
            chunk["payee_text"] = names.reindex(chunk["supplier_id"]).to_numpy()
            yield chunk


def _payments(
    rng: np.random.Generator, sup: pd.DataFrame, scale: float, anchors: list[tuple] | None = None
) -> pd.DataFrame:
    return pd.concat(list(_payment_chunks(rng, sup, scale, anchors)), ignore_index=True)


def _workforce(
    rng: np.random.Generator, pcs: dict[str, pd.DataFrame], anchors: list[tuple] | None = None
) -> pd.DataFrame:
    lsoa = {b: np.array(sorted(set(pcs[b]["lsoa11"]))) for b in ("local", "wider", "region")}
    rows = []
    for code, _n, atype, _s, staff, shares, _rise, joined in anchors or ANCHORS:
        for yi, fy in enumerate(YEARS):
            if joined and fy < joined:
                continue
            head = int(staff * (1 + 0.01 * yi))
            p_local = min(0.8, 0.42 + shares[0] * 0.5 + 0.01 * yi)
            split = rng.multinomial(head, [p_local, 0.75 - p_local + 0.2, 0.05])
            for band, k in zip(("local", "wider", "region"), split):
                pool = lsoa[band]
                w = rng.gamma(1.2, 1.0, size=len(pool))
                counts = rng.multinomial(k, w / w.sum())
                nz = counts > 0
                for area, c in zip(pool[nz], counts[nz]):
                    rlw = {
                        "council": 0.97,
                        "nhs_trust": 0.93,
                        "university": 0.95,
                        "fe_college": 0.9,
                        "housing_association": 0.96,
                        "police": 0.99,
                        "fire": 0.99,
                    }[atype] + 0.004 * yi
                    adults = c
                    rows.append(
                        (
                            code,
                            fy,
                            area,
                            "lsoa11",
                            int(c),
                            round(float(c) * 0.86, 2),
                            int(adults),
                            int(rng.binomial(adults, min(1.0, rlw))),
                            int(rng.binomial(c, 0.035)),
                            int(rng.binomial(c, 0.015)),
                            int(rng.binomial(c, 0.04)),
                            int(rng.binomial(c, 0.05)),
                        )
                    )
    return pd.DataFrame(
        rows,
        columns=[
            "anchor_id",
            "financial_year",
            "area_code",
            "area_level",
            "headcount",
            "fte",
            "adult_headcount",
            "paid_rlw",
            "apprentices",
            "apprentice_starts",
            "entry_hires",
            "insecure",
        ],
    )


USES = {
    "council": [
        "Office",
        "School",
        "Depot",
        "Land",
        "Community centre",
        "Leisure",
        "Library",
        "Car park",
        "Market",
    ],
    "nhs_trust": ["Hospital", "Health centre", "Clinic", "Office", "Car park", "Land"],
    "university": ["Teaching building", "Student housing", "Laboratory", "Office", "Sports ground", "Land"],
    "fe_college": ["Teaching building", "Workshop", "Car park", "Land"],
    "housing_association": ["Housing", "Community centre", "Office", "Land", "Garage site"],
    "police": ["Police station", "Office", "Custody suite", "Land"],
    "fire": ["Fire station", "Training centre", "Office", "Land"],
}


def _assets(
    rng: np.random.Generator, pcs: dict[str, pd.DataFrame], anchors: list[tuple] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_sites = {
        "council": 160,
        "nhs_trust": 35,
        "university": 45,
        "fe_college": 12,
        "housing_association": 70,
        "police": 22,
        "fire": 14,
    }
    pool = pd.concat([pcs["local"], pcs["wider"].iloc[: max(1, len(pcs["wider"]) // 8)]])
    assets, years = [], []
    for code, _n, atype, *_ in anchors or ANCHORS:
        k = n_sites[atype]
        picks = pool.iloc[rng.integers(0, len(pool), size=k)]
        for i in range(k):
            use = rng.choice(USES[atype])
            aid = f"{code}-S{i + 1:04d}"
            area = float(np.round(rng.lognormal(-0.8, 1.1), 3))
            assets.append(
                {
                    "asset_id": aid,
                    "anchor_id": code,
                    "site_name": f"{rng.choice(_W1)} {use}",
                    "uprn": f"{rng.integers(10_000_000, 100_099_999_999):012d}",
                    "postcode": picks.iloc[i]["pcds"],
                    "tenure": rng.choice(["Freehold", "Leasehold"], p=[0.8, 0.2]),
                    "holding_type": "Land and building" if use != "Land" else "Land only",
                    "use_type": use,
                    "area_ha": area,
                    "floor_area_m2": None
                    if use in ("Land", "Car park", "Garage site", "Sports ground")
                    else float(np.round(area * rng.uniform(1500, 6000))),
                }
            )
            status = rng.choice(
                ["operational", "surplus", "vacant", "under-used", "community use"],
                p=[0.80, 0.06, 0.05, 0.05, 0.04],
            )
            for fy in YEARS:
                route, value = None, None
                if status in ("surplus", "vacant") and rng.random() < 0.12:
                    route = rng.choice(
                        [
                            "open market",
                            "community asset transfer",
                            "affordable housing",
                            "retained for community use",
                        ],
                        p=[0.45, 0.25, 0.2, 0.1],
                    )
                    value = (
                        round(float(area * rng.uniform(80_000, 400_000)), 2)
                        if route != "community asset transfer"
                        else 1.0
                    )
                    status = {
                        "community asset transfer": "transferred",
                        "retained for community use": "community use",
                    }.get(route, "disposed")
                years.append(
                    {
                        "asset_id": aid,
                        "financial_year": fy,
                        "status": status,
                        "disposal_route": route,
                        "disposal_value_gbp": value,
                    }
                )
                if status in ("disposed", "transferred"):
                    break
                if status == "operational" and rng.random() < 0.02:
                    status = rng.choice(["surplus", "vacant"])
    return pd.DataFrame(assets), pd.DataFrame(years)


def _targets(anchors: list[tuple] | None = None) -> pd.DataFrame:
    rows = []
    for yi, fy in enumerate(YEARS[2:], start=2):
        rows.append(("A2", "network", "DEMO", fy, 20.0 + 1.5 * (yi - 2), "higher"))
        rows.append(("A7", "network", "DEMO", fy, 40.0, "higher"))
        rows.append(("A10", "network", "DEMO", fy, 4.0 + 0.5 * (yi - 2), "higher"))
        rows.append(("B2", "network", "DEMO", fy, 60.0, "higher"))
        rows.append(("B5", "network", "DEMO", fy, 97.0, "higher"))
        for code, _n, _atype, _s, _st, shares, *_ in anchors or ANCHORS:
            rows.append(("A2", "anchor", code, fy, round(100 * shares[0] + 2.5 * yi, 1), "higher"))
    return pd.DataFrame(
        rows, columns=["indicator", "scope_type", "scope_id", "financial_year", "target_value", "direction"]
    )


def load_demo(
    con: duckdb.DuckDBPyConnection,
    scale: float = 1.0,
    seed: int | None = None,
    place: str | None = None,
    log=print,
    anchors: int = len(ANCHORS),
    suppliers: int | None = None,
) -> dict[str, float]:
    """Replace the database contents with the demo network. Returns seconds per step.

    ``scale`` multiplies payments (1 = about 120,000); ``anchors`` (default 7) adds numbered
    copies of the seven demo anchors; ``suppliers`` overrides the supplier count (default
    3,000 x sqrt(scale)). Payments are generated and inserted one anchor-year at a time, so
    memory stays flat: 10M payments, 20 anchors and 200,000 suppliers is
    ``load_demo(con, scale=84, anchors=20, suppliers=200_000)``.
    """
    seed = int(seed if seed is not None else config.get("CWB_DEMO_SEED"))
    place = place or config.get("CWB_DEMO_PLACE")
    rng = np.random.default_rng(seed)
    alist = anchor_list(anchors)
    t0 = time.perf_counter()
    p = _place(con, place)
    pcs = _postcodes(con, p)
    n_sup = int(suppliers if suppliers else 3000 * max(1.0, scale**0.5))
    sup = _suppliers(rng, pcs, n_sup)
    load = 0.0
    n_pay = 0
    with db.transaction(con) as cur:
        t = time.perf_counter()
        for table in (
            "payment",
            "supplier_alias",
            "supplier",
            "workforce_area",
            "workforce_anchor",
            "asset_year",
            "asset",
            "target",
            "anchor",
            "network_event",
            "network",
        ):
            cur.execute(f"DELETE FROM {table}")
        load += time.perf_counter() - t
        for chunk in _payment_chunks(rng, sup, scale, alist):
            t = time.perf_counter()
            cur.register("pay_df", chunk)
            cur.execute(
                """INSERT INTO payment SELECT anchor_id, supplier_id, payment_date, invoice_date,
                   CAST(amount_gbp AS DECIMAL(18,2)), category, influenceable, payee_text, NULL, NULL
                   FROM pay_df"""
            )
            cur.unregister("pay_df")
            n_pay += len(chunk)
            load += time.perf_counter() - t
        wf = _workforce(rng, pcs, alist)
        assets, asset_years = _assets(rng, pcs, alist)
        targets = _targets(alist)
        t = time.perf_counter()
        cur.execute(
            "INSERT INTO network VALUES ('DEMO', ?, ?, ?, ?, ?, ?, ?, true)",
            [
                f"{p['lad_name']} anchor network (demo)",
                [p["lad"]],
                p["wider"],
                p["region_code"],
                p["lad_name"],
                p["county_name"],
                BASELINE,
            ],
        )
        for code, name, atype, *_rest in alist:
            joined = _rest[-1]
            site = pcs["local"].iloc[int(rng.integers(0, len(pcs["local"])))]["pcds"]
            cur.execute(
                "INSERT INTO anchor VALUES (?, ?, ?, ?, 'DEMO', ?, true)", [code, name, atype, site, joined]
            )
        cur.execute(
            "INSERT INTO network_event VALUES ('DEMO', '2023-24', 'method', "
            "'Supplier location switched from invoice address to trading address')"
        )
        cur.register("sup_df", sup)
        cur.execute(
            """INSERT INTO supplier SELECT supplier_id, name, name_norm, postcode, company_number,
               charity_number, is_sme, sme_source, is_vcse, vcse_source, is_social_economy,
               social_economy_source, is_individual, is_public_body, 'UK', NULL FROM sup_df"""
        )
        cur.register("wf_df", wf)
        cur.execute("""INSERT INTO workforce_area SELECT anchor_id, financial_year, area_code, area_level,
                       headcount, fte, adult_headcount, paid_rlw, apprentices, apprentice_starts,
                       entry_hires, insecure, NULL FROM wf_df""")
        gpg = pd.DataFrame(
            [
                (a[0], fy, round(float(rng.normal(9, 4)), 1), round(float(rng.normal(7, 4)), 1))
                for a in alist
                for fy in YEARS
            ],
            columns=["anchor_id", "financial_year", "mean", "median"],
        )
        cur.register("gpg_df", gpg)
        cur.execute(
            "INSERT INTO workforce_anchor SELECT anchor_id, financial_year, mean, median, NULL FROM gpg_df"
        )
        cur.register("as_df", assets)
        cur.execute("""INSERT INTO asset (asset_id, anchor_id, site_name, uprn, postcode, tenure, holding_type,
                       use_type, area_ha, floor_area_m2, location_precision)
                       SELECT asset_id, anchor_id, site_name, uprn, postcode, tenure, holding_type, use_type,
                       area_ha, floor_area_m2, 'postcode' FROM as_df""")
        cur.execute("""UPDATE asset SET lat = p.lat, lon = p.lon FROM ref_postcode p
                       WHERE p.pcd_key = pcd_key(asset.postcode)""")
        cur.register("ay_df", asset_years)
        cur.execute("""INSERT INTO asset_year SELECT asset_id, financial_year, status, disposal_route,
                       CAST(disposal_value_gbp AS DECIMAL(18,2)) FROM ay_df""")
        cur.register("tg_df", targets)
        cur.execute("INSERT INTO target SELECT * FROM tg_df")
        load += time.perf_counter() - t
    gen = time.perf_counter() - t0 - load
    marts = build.refresh(con)
    timings = {
        "generate": gen,
        "load": load,
        "enrich_and_marts": marts,
        "payments": float(n_pay),
        "suppliers": float(len(sup)),
        "anchors": float(len(alist)),
    }
    log(
        f"Demo network loaded: {n_pay:,} payments, {len(sup):,} suppliers, {len(alist)} anchors, "
        f"{len(assets):,} sites; generate {gen:.1f} s, load {load:.1f} s, marts {marts:.1f} s"
    )
    return timings
