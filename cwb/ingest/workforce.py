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
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from cwb.ingest import importer
from cwb.ingest.payments import parse_dates
from cwb.ingest.readers import norm_header, propose_mapping
from cwb.reference import rlw
from cwb.reference.rlw import SOURCE

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
    "work_postcode": ["Work Postcode", "Workplace Postcode", "Base Postcode", "Work Location Postcode"],
}
INSECURE = re.compile(r"zero|agency|bank|casual|sessional", re.I)
ENTRY = re.compile(r"entry|apprentice|trainee|\b(?:band|grade|level)\s*[12]\b", re.I)


def _london_workplace(df: pd.DataFrame, m: dict, con, anchor_id: str) -> pd.Series:
    """True where the employee works in London: their workplace postcode's district (when the
    extract has one), else the anchor's site postcode."""
    cur = con.cursor()
    try:
        site = cur.execute("SELECT coalesce(p.lad25, p.lad22) FROM anchor a JOIN ref_postcode p ON p.pcd_key = pcd_key(a.site_postcode) "
                           "WHERE a.anchor_id = ?", [anchor_id]).fetchone()
        default = rlw.is_london(site[0]) if site else False
        if "work_postcode" not in m:
            return pd.Series(default, index=df.index)
        key = df[m["work_postcode"]].astype(str).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
        look = dict(cur.execute("SELECT pcd_key, coalesce(lad25, lad22) FROM ref_postcode WHERE list_contains(?, pcd_key)",
                                [key.unique().tolist()]).fetchall())
    finally:
        cur.close()
    return key.map(lambda k_: rlw.is_london(look[k_]) if k_ in look else default).astype(bool)


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
    if is_hr:
        # the import framework keeps a copy of each imported file: for an HR extract that copy
        # must not be the personal rows, so it is pointed at the counts by area instead
        tmp = Path(tempfile.mkdtemp(prefix="cwb_hr_")) / f"{Path(path).stem}_counts_by_area.csv"
        out.to_csv(tmp, index=False)
        staged.path = tmp
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
    rate = pd.to_numeric(df[m["hourly_rate"]].astype(str).str.replace("£", "").str.replace(",", "").str.strip(),
                         errors="coerce") if "hourly_rate" in m else None
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
    x = pd.DataFrame({
        "area_code": lsoa.fillna("UNKNOWN"), "headcount": 1,
        "fte": pd.to_numeric(df[m["fte"]], errors="coerce").fillna(1.0) if "fte" in m else 1.0,
        "adult_headcount": b5_base.astype(int),
        "paid_rlw": (b5_base & (rate >= threshold - 1e-9)).astype(int) if rate is not None and rlw_uk else 0,
        "apprentices": appr.astype(int), "apprentice_starts": (appr & in_year).astype(int),
        "entry_hires": (entry & in_year).astype(int), "insecure": contract.str.contains(INSECURE).astype(int),
    })
    if rate is None or not rlw_uk:
        rep.notes.append("no hourly rate or no real Living Wage rate for that year: B5 not computed")
    else:
        missing = int((adult & rate.isna()).sum())
        rep.notes.append(f"real Living Wage {fy}: £{rlw_uk:.2f} (London £{rlw_ldn:.2f}, {int(london.sum()):,} employees "
                         f"working in London); {SOURCE}")
        if missing:
            rep.notes.append(f"{missing:,} employees aged 18+ have no usable hourly rate: left out of B5's base")
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
