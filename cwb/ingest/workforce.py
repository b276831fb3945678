"""Workforce files: counts by area, or an HR extract (one row per employee) that is aggregated
to counts by LSOA as it is read. Personal rows are never stored: only the counts are staged.

Entry point (called by the import framework, cwb.ingest.stage):
``read_workforce(path, con, anchor_id, financial_year=None, mapping=None) -> importer.Staged``
with ``Staged.frames == {"workforce_area": df}`` (the columns of the workforce_area table:
anchor_id, financial_year, area_code, area_level, headcount, fte, adult_headcount, paid_rlw,
apprentices, apprentice_starts, entry_hires, insecure) and ``Staged.report`` (rows read, rows
rejected with their line numbers and why, notes).

Counts by area: one row per area (LSOA 2011 code, or an MSOA 2011 / district code), with a
headcount and any of the other counts; a financial year column or ``financial_year``.

HR extract (recognised by a home postcode or hourly rate column): one row per employee in post
at 31 March of ``financial_year``. Each employee is counted in the LSOA of their home postcode
(unresolved postcodes: area UNKNOWN). B5: an employee aged 18+ (all, without an age column)
with a known hourly rate counts in ``adult_headcount``, and in ``paid_rlw`` when the rate is at
least the real Living Wage for that year (cwb.reference.rlw) — the London rate when the
workplace is in London (a workplace postcode column, else the anchor's site postcode).
Apprentices: role level mentions apprentice; starts and entry-level hires: start date in the
financial year (entry level: apprentice, trainee, entry, band/grade 1-2). Insecure: contract
type mentions zero hours, agency, bank, casual or sessional.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cwb import privacy
from cwb.ingest import importer, vocab
from cwb.ingest.payments import parse_dates
from cwb.ingest.readers import norm_header, propose_mapping
from cwb.reference import rlw
from cwb.reference.rlw import SOURCE

# the one vocabulary (cwb.ingest.vocab): counts by area, an HR extract, and both (header row)
COUNT_ALIASES: dict[str, list[str]] = vocab.for_kind("workforce_counts")
HR_ALIASES: dict[str, list[str]] = vocab.for_kind("workforce_hr")
ALIASES: dict[str, list[str]] = vocab.for_kind("workforce")
INSECURE = re.compile(r"zero|agency|bank|casual|sessional", re.I)
ENTRY = re.compile(r"entry|apprentice|trainee|\b(?:band|grade|level)\s*[12]\b", re.I)


def _london_workplace(df: pd.DataFrame, m: dict, con, anchor_id: str) -> pd.Series:
    """True where the employee works in London: their workplace postcode's district (when the
    extract has one), else the anchor's site postcode."""
    cur = con.cursor()
    try:
        site = cur.execute(
            "SELECT coalesce(p.lad25, p.lad22) FROM anchor a JOIN ref_postcode p ON p.pcd_key = pcd_key(a.site_postcode) "
            "WHERE a.anchor_id = ?",
            [anchor_id],
        ).fetchone()
        default = rlw.is_london(site[0]) if site else False
        if "work_postcode" not in m:
            return pd.Series(default, index=df.index)
        key = df[m["work_postcode"]].astype(str).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
        look = dict(
            cur.execute(
                "SELECT pcd_key, coalesce(lad25, lad22) FROM ref_postcode WHERE list_contains(?, pcd_key)",
                [key.unique().tolist()],
            ).fetchall()
        )
    finally:
        cur.close()
    return key.map(lambda k_: rlw.is_london(look[k_]) if k_ in look else default).astype(bool)


def read_workforce(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    anchor_id: str,
    financial_year: str | None = None,
    mapping: dict[str, str] | None = None,
) -> importer.Staged:
    """Stage staff counts by area for one anchor and year (replacing that year's counts)."""
    staged, tab = importer.begin(path, "workforce", con, anchor_id, ALIASES, mapping)
    rep = staged.report
    if tab is None:
        return staged
    cols = {norm_header(c) for c in tab.data.columns}
    is_hr = any(norm_header(a) in cols for a in HR_ALIASES["postcode"] + HR_ALIASES["hourly_rate"])
    if is_hr:
        out = _aggregate_hr(tab, con, anchor_id, financial_year, rep, mapping)
    else:
        out = _counts(tab, anchor_id, financial_year, rep, mapping)
    if out is None:
        return staged
    staged.frames = {"workforce_area": out}
    if is_hr:
        # the import framework keeps a copy of each imported file: for an HR extract it keeps
        # only the counts by area (importer.personal_rows), never the extract
        rep.notes.append("the extract itself is not kept: the stored copy holds only the counts by area")
    staged.mapping = rep.mapped
    fys = sorted(out["financial_year"].unique())
    staged.delete_ids = {}
    staged.upsert_keys = {"workforce_area": ["anchor_id", "financial_year"]}
    rep.notes.append(f"replaces {anchor_id}'s staff counts for {', '.join(fys)}")
    return staged


def _counts(tab, anchor_id, fy, rep, mapping) -> pd.DataFrame | None:
    df = tab.data
    m = dict(mapping) if mapping else propose_mapping(list(df.columns), COUNT_ALIASES)
    rep.mapped = m
    if "area_code" not in m or "headcount" not in m:
        rep.error = "need an area (LSOA) code column and a headcount column"
        return None
    rep.rows_read = len(df)
    out = pd.DataFrame(
        {
            "anchor_id": anchor_id,
            "area_code": df[m["area_code"]].astype(str).str.strip(),
            "area_level": "lsoa11",
        }
    )
    for c in (
        "headcount",
        "fte",
        "adult_headcount",
        "paid_rlw",
        "apprentices",
        "apprentice_starts",
        "entry_hires",
        "insecure",
    ):
        out[c] = pd.to_numeric(df[m[c]], errors="coerce") if c in m else None
    out["financial_year"] = df[m["financial_year"]].astype(str).str.strip() if "financial_year" in m else fy
    for i, r in enumerate(out.itertuples(index=False)):
        why = []
        if not re.fullmatch(r"[EW]0[12]\d{6}|[EWSN]\d{8}", r.area_code or ""):
            why.append(f"area code '{str(r.area_code)[:15]}' is not an LSOA/area code")
        if pd.isna(r.headcount) or r.headcount < 0:
            why.append("headcount is not a whole number")
        if not r.financial_year or not re.fullmatch(r"\d{4}-\d{2}", str(r.financial_year)):
            why.append("financial year missing (give it in the file or with --year)")
        if why:
            rep.rejected.append((tab.line_numbers[i], "; ".join(why)))
    out["area_level"] = out["area_code"].map(
        lambda c: (
            "lsoa11"
            if re.fullmatch(r"[EW]01\d{6}", str(c))
            else "msoa11"
            if re.fullmatch(r"[EW]02\d{6}", str(c))
            else "lad"
        )
    )
    rep.rows_ok = len(out) - len(rep.rejected)
    return out


def _aggregate_hr(tab, con, anchor_id, fy, rep, mapping) -> pd.DataFrame | None:
    df = tab.data
    m = dict(mapping) if mapping else propose_mapping(list(df.columns), HR_ALIASES)
    rep.mapped = m
    if "postcode" not in m:
        rep.error = "an HR extract needs the home postcode column"
        return None
    if not fy:
        rep.error = (
            "give the financial year the extract describes (staff in post at 31 March), e.g. --year 2024-25"
        )
        return None
    rep.people = True
    n_people = len(df)
    # the report, the list of files and the audit trail never hold an exact staff count
    rep.rows_read = int(privacy.protect_value(n_people) or 0)
    rep.notes.append(
        "HR extract: one row per employee, aggregated to counts by area on read; no personal row is stored"
    )
    key = df[m["postcode"]].astype(str).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    cur = con.cursor()
    try:
        look = (
            cur.execute(
                "SELECT pcd_key, lsoa11, coalesce(lad25, lad22) AS lad FROM ref_postcode WHERE list_contains(?, pcd_key)",
                [key.unique().tolist()],
            )
            .df()
            .set_index("pcd_key")
        )
    finally:
        cur.close()
    lsoa = key.map(look["lsoa11"])
    rate = (
        pd.to_numeric(
            df[m["hourly_rate"]].astype(str).str.replace("£", "").str.replace(",", "").str.strip(),
            errors="coerce",
        )
        if "hourly_rate" in m
        else None
    )
    age = pd.to_numeric(df[m["age"]], errors="coerce") if "age" in m else pd.Series(30, index=df.index)
    london = _london_workplace(df, m, con, anchor_id)
    rlw_uk, rlw_ldn = rlw.rate(fy), rlw.rate(fy, london=True)
    start = parse_dates(df[m["start_date"]]) if "start_date" in m else pd.Series(pd.NaT, index=df.index)
    y0 = int(fy[:4])
    in_year = (start >= pd.Timestamp(y0, 4, 1)) & (start <= pd.Timestamp(y0 + 1, 3, 31))
    role = df[m["role_level"]].astype(str) if "role_level" in m else pd.Series("", index=df.index)
    appr = role.str.contains("apprentice", case=False)
    entry = role.str.contains(ENTRY, regex=True)
    contract = df[m["contract"]].astype(str) if "contract" in m else pd.Series("", index=df.index)
    adult = age >= 18
    b5_base = adult & rate.notna() if rate is not None and rlw_uk else adult
    threshold = london.map({True: rlw_ldn, False: rlw_uk}) if rlw_uk else None
    x = pd.DataFrame(
        {
            "area_code": lsoa.fillna("UNKNOWN"),
            "headcount": 1,
            # FTE only where the extract gives it (never assumed 1 per person: that would make FTE a
            # second, exact copy of the headcount)
            "fte": pd.to_numeric(df[m["fte"]], errors="coerce") if "fte" in m else np.nan,
            "adult_headcount": b5_base.astype(int),
            "paid_rlw": (b5_base & (rate >= threshold - 1e-9)).astype(int)
            if rate is not None and threshold is not None
            else 0,
            "apprentices": appr.astype(int),
            "apprentice_starts": (appr & in_year).astype(int),
            "entry_hires": (entry & in_year).astype(int),
            "insecure": contract.str.contains(INSECURE).astype(int),
        }
    )
    if rate is None or not rlw_uk:
        rep.notes.append("no hourly rate or no real Living Wage rate for that year: B5 not computed")
    else:
        missing = int((adult & rate.isna()).sum())
        rep.notes.append(
            f"real Living Wage {fy}: £{rlw_uk:.2f} (London £{rlw_ldn:.2f}, "
            f"{privacy.display_count(int(london.sum()))} employees working in London, rounded); {SOURCE}"
        )
        if missing:
            rep.notes.append(
                f"{privacy.display_count(missing)} employees aged 18+ (rounded) have no usable hourly rate: "
                "left out of B5's base"
            )
    unknown = int((x["area_code"] == "UNKNOWN").sum())
    if unknown:
        rep.notes.append(
            f"{privacy.display_count(unknown)} employees' postcodes (rounded) did not resolve: counted under "
            "area UNKNOWN"
        )
    out = threshold_cells(x, con, privacy.k_default(), rep)
    out["anchor_id"] = anchor_id
    out["financial_year"] = fy
    rep.rows_ok = len(out) if n_people else 0
    rep.notes.append(
        f"{privacy.display_count(n_people)} employees (rounded to 5) -> {len(out):,} area counts"
    )
    return out


def threshold_cells(people: pd.DataFrame, con, k: int, rep=None) -> pd.DataFrame:
    """Counts by area from an HR extract (``people``: one row per employee with its LSOA in
    ``area_code``, or UNKNOWN, and its 0/1 flags), merged so that every stored cell holds at
    least ``k`` staff (a cell of 1 would hold that person's pay, contract and age flags).

    LSOAs with ``k`` or more staff are kept. Smaller ones are pooled within their district by
    deprivation band (IMD 2019 and 2025 decile 1-2 or not), stored as area level 'group' with
    the code ``G:<district>:<d2019>:<d2025>`` (the highest decile of its areas, X: unknown), so
    B2 (local) and B3 (deprived) still count them; pools still below ``k`` are merged by
    district (level 'lad'); what is still below ``k`` joins the UNKNOWN cell. When that cell is
    itself below ``k``, the few staff it lacks are moved into it from the largest cell (which
    stays at ``k`` or more): their home area is then unknown, never misplaced."""
    counts = [c for c in people.columns if c != "area_code"]
    d = people.reset_index(drop=True).copy()
    codes = d["area_code"].astype(str)
    cur = con.cursor()
    try:
        geo = (
            cur.execute(
                "SELECT lsoa11, lad_code, imd2019_decile, imd2025_decile FROM ref_lsoa WHERE list_contains(?, lsoa11)",
                [sorted(set(codes) - {"UNKNOWN"})],
            )
            .df()
            .set_index("lsoa11")
        )
    finally:
        cur.close()
    level = pd.Series(np.where(codes == "UNKNOWN", "unknown", "lsoa11"), index=d.index, dtype=object)
    size = codes.map(codes.value_counts())
    small = (level == "lsoa11") & (size < k)
    lad = codes.map(geo["lad_code"]) if len(geo) else pd.Series(None, index=d.index, dtype=object)
    band = lambda v: "X" if pd.isna(v) else ("D" if v <= 2 else "N")  # noqa: E731
    dec = {
        ed: codes.map(geo[f"imd{ed}_decile"]) if len(geo) else pd.Series(np.nan, index=d.index)
        for ed in ("2019", "2025")
    }
    n_groups = n_lads = 0
    pool_ok = small & lad.notna()
    key = lad.astype(str) + "|" + dec["2019"].map(band) + "|" + dec["2025"].map(band)
    for kk, idx in key[pool_ok].groupby(key[pool_ok]).groups.items():
        if len(idx) >= k:
            code = ":".join(
                [
                    "G",
                    kk.split("|")[0],
                    *(
                        str(int(dec[e][idx].max())) if dec[e][idx].notna().any() else "X"
                        for e in ("2019", "2025")
                    ),
                ]
            )
            codes[idx], level[idx] = code, "group"
            pool_ok[idx] = False
            n_groups += 1
    for ld, idx in lad[pool_ok].groupby(lad[pool_ok]).groups.items():
        if len(idx) >= k:
            codes[idx], level[idx] = ld, "lad"
            pool_ok[idx] = False
            n_lads += 1
    rest = small & (level == "lsoa11")
    codes[rest], level[rest] = "UNKNOWN", "unknown"
    moved = 0
    n_unknown = int((codes == "UNKNOWN").sum())
    if 0 < n_unknown < k:
        sizes = codes[codes != "UNKNOWN"].value_counts()
        need = k - n_unknown
        if len(sizes) and sizes.iloc[0] - need >= k:
            take = codes.index[codes == sizes.index[0]][-need:]
            codes[take], level[take] = "UNKNOWN", "unknown"
            moved = need
        else:  # a small extract: whole cells, smallest first
            for code in sizes.sort_values(kind="stable").index:
                if (codes == "UNKNOWN").sum() >= k:
                    break
                hit = codes == code
                codes[hit], level[hit] = "UNKNOWN", "unknown"
                moved += int(hit.sum())
    d["area_code"], d["area_level"] = codes, level
    agg: dict[str, Any] = {c: "sum" for c in counts}
    if "fte" in agg:
        agg["fte"] = lambda v: v.sum(min_count=1)
    out = d.groupby(["area_code", "area_level"], as_index=False).agg(agg)
    if rep is not None and (n_groups or n_lads or rest.any() or moved):
        rep.notes.append(
            f"to protect staff, no stored area holds fewer than {k}: smaller LSOAs are pooled by district and "
            f"deprivation band ({n_groups:,} pools), else by district ({n_lads:,}), else counted under UNKNOWN"
            + (f" (with a few staff of the largest area, so that it too holds at least {k})" if moved else "")
        )
    return out
