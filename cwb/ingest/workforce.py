"""Workforce files: counts by area, or an HR extract (one row per employee) that is aggregated
to counts by LSOA as it is read. Personal rows are never stored: only the counts are staged."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from cwb import workforce
from cwb.ingest import importer
from cwb.ingest.payments import parse_dates
from cwb.ingest.readers import norm_header, propose_mapping

COUNT_ALIASES = {
    "area_code": ["LSOA", "LSOA code", "lsoa11", "LSOA11CD", "area_code", "Area code"],
    "headcount": ["headcount", "Headcount", "Staff", "Count"],
    "fte": ["fte", "FTE"],
    "adult_headcount": ["adult_headcount", "Staff 18+", "Adult headcount"],
    "paid_rlw": ["paid_rlw", "Paid real Living Wage", "Paid RLW"],
    "apprentices": ["apprentices", "Apprentices"],
    "apprentice_starts": ["apprentice_starts", "Apprentice starts"],
    "entry_hires": ["entry_hires", "Entry-level hires", "Entry hires"],
    "insecure": ["insecure", "Insecure", "Zero hours or agency"],
    "financial_year": ["financial_year", "Financial year", "Year"],
}
HR_ALIASES = {
    "postcode": ["Home Postcode", "Postcode", "Home Post Code", "Employee Postcode"],
    "hourly_rate": ["Hourly Rate", "Hourly rate", "Rate per hour", "Basic Hourly Rate"],
    "contract": ["Contract Type", "Contract", "Employment Type"],
    "start_date": ["Start Date", "Date Started", "Hire Date"],
    "role_level": ["Role Level", "Grade", "Band", "Job Level"],
    "fte": ["FTE", "Full Time Equivalent"],
    "age": ["Age"],
}
INSECURE = re.compile(r"zero|agency|bank|casual|sessional", re.I)


def read_workforce(path: Path, con: duckdb.DuckDBPyConnection, anchor_id: str, financial_year: str | None = None,
                   mapping: dict[str, str] | None = None) -> importer.Staged:
    """Stage staff counts by area for one anchor and year (replacing that year's counts)."""
    staged, tab = importer.begin(path, "workforce", con, anchor_id, {**COUNT_ALIASES, **HR_ALIASES}, mapping)
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
    out = pd.DataFrame({"anchor_id": anchor_id, "area_code": df[m["area_code"]].astype(str).str.strip(), "area_level": "lsoa11"})
    for c in ("headcount", "fte", "adult_headcount", "paid_rlw", "apprentices", "apprentice_starts", "entry_hires", "insecure"):
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
    out["area_level"] = out["area_code"].map(lambda c: "lsoa11" if re.fullmatch(r"[EW]01\d{6}", str(c)) else
                                             "msoa11" if re.fullmatch(r"[EW]02\d{6}", str(c)) else "lad")
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
        rep.error = "give the financial year the extract describes (staff in post at 31 March), e.g. --year 2024-25"
        return None
    rep.rows_read = len(df)
    rep.notes.append("HR extract: one row per employee, aggregated to counts by LSOA on read; no personal row is stored")
    key = df[m["postcode"]].astype(str).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    cur = con.cursor()
    try:
        look = cur.execute("SELECT pcd_key, lsoa11, coalesce(lad25, lad22) AS lad FROM ref_postcode WHERE list_contains(?, pcd_key)",
                           [key.unique().tolist()]).df().set_index("pcd_key")
    finally:
        cur.close()
    lsoa = key.map(look["lsoa11"])
    lad = key.map(look["lad"])
    rate = pd.to_numeric(df[m["hourly_rate"]].astype(str).str.replace("£", "").str.strip(), errors="coerce") if "hourly_rate" in m else None
    age = pd.to_numeric(df[m["age"]], errors="coerce") if "age" in m else pd.Series(30, index=df.index)
    london = lad.fillna("").str.startswith("E09")
    rlw_uk, rlw_ldn = workforce.rlw_rate(fy), workforce.rlw_rate(fy, london=True)
    start = parse_dates(df[m["start_date"]]) if "start_date" in m else pd.Series(pd.NaT, index=df.index)
    y0 = int(fy[:4])
    in_year = (start >= pd.Timestamp(y0, 4, 1)) & (start <= pd.Timestamp(y0 + 1, 3, 31))
    role = df[m["role_level"]].astype(str) if "role_level" in m else pd.Series("", index=df.index)
    appr = role.str.contains("apprentice", case=False)
    entry = role.str.contains(r"entry|apprentice|trainee|band 1|band 2|grade 1|grade 2", case=False, regex=True)
    contract = df[m["contract"]].astype(str) if "contract" in m else pd.Series("", index=df.index)
    x = pd.DataFrame({
        "area_code": lsoa.fillna("UNKNOWN"), "headcount": 1,
        "fte": pd.to_numeric(df[m["fte"]], errors="coerce").fillna(1.0) if "fte" in m else 1.0,
        "adult_headcount": (age >= 18).astype(int),
        "paid_rlw": (((rate >= rlw_uk) & ~london) | ((rate >= rlw_ldn) & london)).astype(int) & (age >= 18).astype(int)
        if rate is not None and rlw_uk else 0,
        "apprentices": appr.astype(int), "apprentice_starts": (appr & in_year).astype(int),
        "entry_hires": (entry & in_year).astype(int), "insecure": contract.str.contains(INSECURE).astype(int),
    })
    if rate is None or not rlw_uk:
        rep.notes.append("no hourly rate or no real Living Wage rate for that year: B5 not computed")
    unknown = int((x["area_code"] == "UNKNOWN").sum())
    if unknown:
        rep.notes.append(f"{unknown:,} employees' postcodes did not resolve: counted under area UNKNOWN")
    out = x.groupby("area_code", as_index=False).sum()
    out["anchor_id"] = anchor_id
    out["financial_year"] = fy
    out["area_level"] = out["area_code"].map(lambda c: "unknown" if c == "UNKNOWN" else "lsoa11")
    rep.rows_ok = len(df)
    rep.notes.append(f"{len(df):,} employees -> {len(out):,} area counts")
    return out
