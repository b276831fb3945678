"""Payments ("spend over £500" and similar): map, clean, validate, match suppliers, stage."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cwb.ingest import importer
from cwb.ingest.names import is_redacted_individual, normalise_name
from cwb.ingest.readers import propose_mapping

ALIASES: dict[str, list[str]] = {
    "date": ["Payment Date", "Date Paid", "DatePaid", "Date", "Paid Date", "Transaction Date", "Date of Payment",
             "Invoice Payment Date", "Pay Date", "Posting Date"],
    "amount": ["Amount", "Net Amount", "NetAmount", "Net amount(£)", "Net Amount(£)", "Amount Paid", "Amount (£)",
               "Amount £", "Value", "Total", "Net Value", "Payment Amount", "Line Amount", "Amount Excl VAT", "Expenditure"],
    "supplier_name": ["Supplier Name", "SupplierName", "Beneficiary Name", "BeneficiaryName", "Supplier", "Payee",
                      "Payee Name", "Vendor Name", "Vendor", "Merchant Name", "Recipient"],
    "supplier_ref": ["Supplier ID", "Supplier Id", "SupplierID", "BeneficiaryOtherID", "Beneficiary ID",
                     "Supplier Number", "Supplier Code", "Vendor ID", "Vendor Number", "Creditor Number", "Supplier Ref"],
    "category": ["ProclassLabel", "Proclass Label", "Expenditure Category", "ExpenditureCategory", "Category",
                 "Procurement Category", "Detailed Expenditure Type", "DetailedExpenditureType", "Account Code",
                 "Expense Type", "Purpose", "Category Internal Name", "Expense Area", "Subjective Description"],
    "invoice_date": ["Invoice Date", "InvoiceDate", "Date of Invoice"],
    "transaction": ["Transaction Number", "TransactionNumber", "Transaction No", "Transaction ID", "Document Number"],
    "vat_number": ["VATRegistrationNumber", "VAT Registration Number", "VAT Number"],
    "company_number": ["Company Number", "Companies House Number", "Company Registration Number"],
}
REQUIRED = ("date", "amount", "supplier_name")

_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %b %y", "%Y-%m-%d",
                 "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
                 "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d"]


def parse_dates(s: pd.Series) -> pd.Series:
    """UK dates in any common layout, mixed within one column, and Excel serial numbers."""
    s = s.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    todo = s != ""
    serial = todo & s.str.fullmatch(r"\d{5}(\.0+)?")
    if serial.any():
        n = pd.to_numeric(s[serial], errors="coerce")
        ok = n.between(20000, 80000)
        out[serial[serial].index[ok]] = (pd.Timestamp("1899-12-30") + pd.to_timedelta(n[ok], unit="D")).astype("datetime64[us]")
        todo &= out.isna()
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        hit = parsed.notna()
        if hit.any():
            out[parsed.index[hit]] = parsed[hit].astype("datetime64[us]")
            todo &= out.isna()
    # two-digit years: 07/09/23 is 2023, 30-Oct-13 is 2013 (pandas' pivot handles 00-68 -> 20xx)
    return out


_AMOUNT_OK = re.compile(r"^-?\d+(\.\d+)?$")


def parse_amounts(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Clean money text: £, commas, spaces, (brackets) and trailing minus for negatives.
    Returns (clean text such as '-1302.28', valid mask)."""
    t = s.astype(str).str.strip()
    t = t.str.replace("\u00a3", "", regex=False).str.replace("GBP", "", regex=False)
    t = t.str.replace(",", "", regex=False).str.replace(" ", "", regex=False).str.replace("\u00a0", "", regex=False)
    neg_br = t.str.fullmatch(r"\(.*\)")
    t = t.where(~neg_br, "-" + t.str.slice(1, -1))
    neg_tr = t.str.fullmatch(r"[\d.]+-")
    t = t.where(~neg_tr, "-" + t.str.slice(0, -1))
    t = t.str.replace(r"^\+", "", regex=True).str.replace(r"^-+", "-", regex=True)
    t = t.str.replace(r"^(-?)\.", r"\g<1>0.", regex=True)
    valid = t.str.match(_AMOUNT_OK)
    return t, valid


def read_payments(path: Path, con: duckdb.DuckDBPyConnection, anchor_id: str,
                  mapping: dict[str, str] | None = None) -> importer.Staged:
    """Read a payments file into a staged import with its report. Nothing is written."""
    staged, tab = importer.begin(path, "payments", con, anchor_id, ALIASES, mapping)
    rep = staged.report
    if tab is None:
        return staged
    rep.notes.insert(0, f"encoding: {tab.encoding}")
    df = tab.data
    m = dict(mapping) if mapping else propose_mapping(list(df.columns), ALIASES, df, prefer_text=("category",))
    m = {k: v for k, v in m.items() if v in df.columns}
    rep.mapped = m
    staged.mapping = m
    missing = [f for f in REQUIRED if f not in m]
    if missing:
        rep.error = (f"no column found for {', '.join(missing)}: map it by hand (columns in the file: "
                     f"{', '.join(list(df.columns)[:15])})")
        return staged
    lines = np.asarray(tab.line_numbers)
    amount, valid_amt = parse_amounts(df[m["amount"]])
    dates = parse_dates(df[m["date"]])
    names = df[m["supplier_name"]].astype(str).str.strip()
    # a final total line (no date, no payee, amount = the sum of the rows above) is left out
    if len(df) > 1 and pd.isna(dates.iloc[-1]) and valid_amt.iloc[-1]:
        above = pd.to_numeric(amount.iloc[:-1][valid_amt.iloc[:-1]], errors="coerce").sum()
        if abs(above - float(amount.iloc[-1])) < 0.005 * max(1.0, abs(above)) and abs(above) > 0:
            rep.notes.append(f"line {lines[-1]}: a total line equal to the sum of the rows was left out")
            df, amount, valid_amt, dates, names, lines = (df.iloc[:-1], amount.iloc[:-1], valid_amt.iloc[:-1],
                                                          dates.iloc[:-1], names.iloc[:-1], lines[:-1])
    rep.rows_read = len(df)
    bad_amt = ~valid_amt.to_numpy()
    bad_date = dates.isna().to_numpy()
    for i in np.flatnonzero(bad_amt | bad_date)[:5000]:
        why = []
        if bad_amt[i]:
            why.append(f"amount not a number: '{str(df[m['amount']].iloc[i])[:30]}'")
        if bad_date[i]:
            why.append(f"date not recognised: '{str(df[m['date']].iloc[i])[:30]}'")
        rep.rejected.append((int(lines[i]), "; ".join(why)))
    n_bad = int((bad_amt | bad_date).sum())
    if n_bad > 5000:
        rep.notes.append(f"{n_bad:,} rows rejected in all (first 5,000 listed)")
    inv = parse_dates(df[m["invoice_date"]]) if "invoice_date" in m else pd.Series(pd.NaT, index=df.index)
    refs = df[m["supplier_ref"]].astype(str).str.strip() if "supplier_ref" in m else pd.Series("", index=df.index)
    cats = df[m["category"]].astype(str).str.strip() if "category" in m else pd.Series("", index=df.index)
    out = pd.DataFrame({
        "anchor_id": anchor_id,
        "payment_date": dates.to_numpy(),
        "invoice_date": inv.to_numpy(),
        "amount_text": amount.to_numpy(),
        "category": cats.replace({"": None}).to_numpy(),
        "payee_text": names.to_numpy(),
        "supplier_ref": refs.to_numpy(),
        "source_row": lines,
    })
    good = ~(bad_amt | bad_date)
    out = out[good]
    rep.rows_ok = int(good.sum())
    if len(out):
        cur = con.cursor()
        try:
            cur.register("_p", out[["amount_text", "payment_date"]])
            tot, dmin, dmax = cur.execute(
                "SELECT sum(CAST(amount_text AS DECIMAL(18,2))), min(payment_date), max(payment_date) FROM _p").fetchone()
        finally:
            cur.close()
        rep.total_gbp = f"{tot:.2f}"
        rep.date_min, rep.date_max = str(dmin)[:10], str(dmax)[:10]
    staged.frames["_payments"] = out
    if len(out):
        _match_suppliers(con, staged, out, anchor_id)
    return staged


def _match_suppliers(con, staged: importer.Staged, out: pd.DataFrame, anchor_id: str) -> None:
    """Give every payment a supplier_id: by the anchor's supplier id where known, else by
    normalised name; new payees become new supplier records (location unknown until a supplier
    list with postcodes is imported). Near-miss names are listed for review, never merged."""
    rep = staged.report
    payees = out[["payee_text", "supplier_ref"]].drop_duplicates().copy()
    payees["name_norm"] = payees["payee_text"].map(normalise_name)
    payees["is_individual"] = payees["payee_text"].map(is_redacted_individual)
    cur = con.cursor()
    try:
        aliases = cur.execute("SELECT supplier_ref, supplier_id FROM supplier_alias WHERE anchor_id = ?", [anchor_id]).df()
        known = cur.execute("SELECT name_norm, min(supplier_id) AS supplier_id, bool_or(postcode IS NOT NULL) AS has_pc "
                            "FROM supplier WHERE NOT is_individual GROUP BY name_norm").df()
        next_id = int(cur.execute("SELECT coalesce(max(supplier_id), 0) + 1 FROM supplier").fetchone()[0])
    finally:
        cur.close()
    by_ref = dict(zip(aliases["supplier_ref"], aliases["supplier_id"]))
    by_name = dict(zip(known["name_norm"], known["supplier_id"]))
    with_pc = set(known.loc[known["has_pc"], "name_norm"])
    ids, new_rows, new_alias = [], [], []
    made: dict[tuple, int] = {}
    for rec in payees.itertuples(index=False):
        sid = None
        if rec.supplier_ref and rec.supplier_ref in by_ref:
            sid = by_ref[rec.supplier_ref]
        elif not rec.is_individual and rec.name_norm and rec.name_norm in by_name:
            sid = by_name[rec.name_norm]
        if sid is None:
            key = ("ind", rec.supplier_ref or rec.payee_text) if rec.is_individual else ("name", rec.name_norm or rec.payee_text)
            sid = made.get(key)
            if sid is None:
                sid = next_id
                next_id += 1
                made[key] = sid
                new_rows.append({"supplier_id": sid, "name": "Individual (name withheld)" if rec.is_individual else rec.payee_text,
                                 "name_norm": "" if rec.is_individual else rec.name_norm, "is_individual": bool(rec.is_individual)})
        if rec.supplier_ref and rec.supplier_ref not in by_ref:
            by_ref[rec.supplier_ref] = sid
            new_alias.append({"anchor_id": anchor_id, "supplier_ref": rec.supplier_ref, "supplier_id": sid})
        ids.append(sid)
    payees["supplier_id"] = ids
    pay = out.merge(payees[["payee_text", "supplier_ref", "supplier_id"]], on=["payee_text", "supplier_ref"], how="left")
    pay["amount_gbp"] = pay["amount_text"]
    individuals = set(payees.loc[payees["is_individual"], "payee_text"])
    pay["payee_text"] = pay["payee_text"].where(~pay["payee_text"].isin(individuals), "REDACTED PERSONAL DATA")
    staged.frames["payment"] = pay[["anchor_id", "supplier_id", "payment_date", "invoice_date", "amount_gbp",
                                    "category", "payee_text", "source_row"]]
    staged.frames["supplier"] = pd.DataFrame(new_rows) if new_rows else pd.DataFrame()
    staged.frames["supplier_alias"] = pd.DataFrame(new_alias) if new_alias else pd.DataFrame()
    staged.frames.pop("_payments", None)
    no_loc = payees[~payees["is_individual"] & ~payees["name_norm"].isin(with_pc)]
    rep.unmatched_suppliers = sorted(no_loc["payee_text"].unique().tolist())[:2000]
    if len(no_loc):
        rep.notes.append(f"{no_loc['payee_text'].nunique():,} payees have no supplier record with a postcode yet: "
                         "import the anchor's supplier list to locate them")
    n_ind = int(payees["is_individual"].sum())
    if n_ind:
        rep.notes.append(f"{n_ind:,} payees are individuals or redacted: amounts kept, names never shown")
