"""Payments ("spend over £500" and similar): map, clean, validate, match suppliers, stage."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cwb.ingest import importer
from cwb.ingest.names import is_redacted_individual, matchable_suppliers_sql, near_matches, normalise_name
from cwb.ingest.readers import propose_mapping

ALIASES: dict[str, list[str]] = {
    "date": ["Payment Date", "Date Paid", "DatePaid", "Date", "Paid Date", "Transaction Date", "Date of Payment",
             "Invoice Payment Date", "Pay Date", "Posting Date", "Award Date"],
    "amount": ["Amount", "Net Amount", "NetAmount", "Net amount(£)", "Net Amount(£)", "Amount Paid", "Amount (£)",
               "Amount £", "Value", "Total", "Net Value", "Payment Amount", "Line Amount", "Amount Excl VAT", "Expenditure", "Amount Awarded"],
    "supplier_name": ["Supplier Name", "SupplierName", "Beneficiary Name", "BeneficiaryName", "Supplier", "Payee",
                      "Payee Name", "Vendor Name", "Vendor", "Merchant Name", "Recipient",
                      "Recipient Org:Name"],
    "supplier_ref": ["Supplier ID", "Supplier Id", "SupplierID", "BeneficiaryOtherID", "Beneficiary ID",
                     "Supplier Number", "Supplier Code", "Vendor ID", "Vendor Number", "Creditor Number", "Supplier Ref",
                     "Recipient Org:Identifier"],
    "category": ["ProclassLabel", "Proclass Label", "Expenditure Category", "ExpenditureCategory", "Category",
                 "Procurement Category", "Detailed Expenditure Type", "DetailedExpenditureType", "Account Code",
                 "Expense Type", "Purpose", "Category Internal Name", "Expense Area", "Subjective Description",
                 "Grant Programme:Title"],
    "invoice_date": ["Invoice Date", "InvoiceDate", "Date of Invoice"],
    "transaction": ["Transaction Number", "TransactionNumber", "Transaction No", "Transaction ID", "Document Number"],
    "vat_number": ["VATRegistrationNumber", "VAT Registration Number", "VAT Number"],
    "company_number": ["Company Number", "Companies House Number", "Company Registration Number",
                       "Recipient Org:Company Number"],
    # supplier details some files carry beside the payment (360Giving grants, some NHS files):
    # used for payees that have no supplier record yet
    "postcode": ["Supplier Postcode", "Postcode", "Post Code", "Recipient Org:Postal Code"],
    "charity_number": ["Charity Number", "Registered Charity Number", "Recipient Org:Charity Number"],
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


_AMOUNT_OK = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?"      # UK: commas only between groups of three
_PENNIES_OK = r"-?\d{0,16}(?:\.\d{0,2}0*)?"   # no fraction of a penny; fits DECIMAL(18,2)


def parse_amounts(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Clean money text: £, thousands separators, spaces, (brackets) and trailing minus for
    negatives. Returns (clean text such as '-1302.28', valid mask). Never guesses: commas that are
    not thousands separators ('1.005,00', '12,5') and fractions of a penny ('10.005') are invalid."""
    t = s.astype(str).str.strip()
    t = t.str.replace("\u00a3", "", regex=False).str.replace("GBP", "", regex=False)
    t = t.str.replace(" ", "", regex=False).str.replace("\u00a0", "", regex=False)
    neg_br = t.str.fullmatch(r"\(.*\)")
    t = t.where(~neg_br, "-" + t.str.slice(1, -1))
    neg_tr = t.str.fullmatch(r"[\d.,]+-")
    t = t.where(~neg_tr, "-" + t.str.slice(0, -1))
    t = t.str.replace(r"^\+", "", regex=True).str.replace(r"^-+", "-", regex=True)
    valid = t.str.fullmatch(_AMOUNT_OK) & t.str.contains(r"\d", regex=True)
    t = t.str.replace(",", "", regex=False)
    t = t.str.replace(r"^(-?)\.", r"\g<1>0.", regex=True)
    valid &= t.str.fullmatch(_PENNIES_OK)
    return t, valid.fillna(False).astype(bool)


def amount_problem(raw: str) -> str:
    """Why one amount was not accepted (for the report)."""
    t = str(raw).strip()
    core = re.sub(r"[£\s()+-]|GBP", "", t)
    if "," in core and re.search(r"\d", core) and not re.fullmatch(_AMOUNT_OK, core):
        return f"amount has a comma that is not a thousands separator: '{t[:30]}'"
    if re.fullmatch(r"[\d,]*\.\d{3,}", core):
        return f"amount has a fraction of a penny: '{t[:30]}'"
    if re.fullmatch(r"[\d,]{17,}(\.\d*)?", core):
        return f"amount too large: '{t[:30]}'"
    return f"amount not a number: '{t[:30]}'"


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
        cur = con.cursor()
        try:   # exact to the penny (DECIMAL), never a float comparison
            cur.register("_t", pd.DataFrame({"a": amount.iloc[:-1][valid_amt.iloc[:-1]].to_numpy()}))
            above, last = cur.execute("SELECT sum(CAST(a AS DECIMAL(18,2))), CAST(? AS DECIMAL(18,2)) FROM _t",
                                      [amount.iloc[-1]]).fetchone()
        finally:
            cur.close()
        if above is not None and above != 0 and above == last:
            rep.notes.append(f"line {lines[-1]}: a total line equal to the sum of the rows was left out")
            df, amount, valid_amt, dates, names, lines = (df.iloc[:-1], amount.iloc[:-1], valid_amt.iloc[:-1],
                                                          dates.iloc[:-1], names.iloc[:-1], lines[:-1])
    rep.rows_read = len(df)
    bad_amt = ~valid_amt.to_numpy()
    bad_date = dates.isna().to_numpy()
    for i in np.flatnonzero(bad_amt | bad_date)[:5000]:
        why = []
        if bad_amt[i]:
            why.append(amount_problem(df[m["amount"]].iloc[i]))
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
    for fld in ("postcode", "company_number", "charity_number"):
        if fld in m:
            out["_" + fld] = df[m[fld]].astype(str).str.strip().to_numpy()
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
    details = {}                               # supplier details carried in the payment file itself,
    norm_of = dict(zip(payees["payee_text"], payees["name_norm"]))     # by normalised name (first given)
    for fld in ("postcode", "company_number", "charity_number"):
        if "_" + fld in out.columns:
            v = out.loc[out["_" + fld] != "", ["payee_text", "_" + fld]]
            details[fld] = v.assign(k=v["payee_text"].map(norm_of)).groupby("k")["_" + fld].first().to_dict()
    cur = con.cursor()
    try:
        aliases = cur.execute("SELECT supplier_ref, supplier_id FROM supplier_alias WHERE anchor_id = ?", [anchor_id]).df()
        known = cur.execute("SELECT name_norm, min(supplier_id) AS supplier_id, bool_or(postcode IS NOT NULL) AS has_pc, "
                            "min(name) AS name "
                            f"FROM supplier s WHERE NOT is_individual AND {matchable_suppliers_sql()} GROUP BY name_norm",
                            [anchor_id]).df()
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
                row = {"supplier_id": sid, "name": "Individual (name withheld)" if rec.is_individual else rec.payee_text,
                       "name_norm": "" if rec.is_individual else rec.name_norm, "is_individual": bool(rec.is_individual)}
                if not rec.is_individual:
                    for fld, d in details.items():
                        row[fld] = d.get(rec.name_norm) if rec.name_norm else None
                    if row.get("postcode"):
                        with_pc.add(rec.name_norm)
                    if row.get("charity_number"):
                        row["is_vcse"], row["vcse_source"] = True, "charity number in the payment file"
                new_rows.append(row)
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
    if new_rows:
        # new payees whose name is close to a located supplier's: listed for review, never merged
        located = known.loc[known["has_pc"], "name_norm"].tolist()
        fresh = [r["name_norm"] for r in new_rows if r["name_norm"]]
        show = {**dict(zip(known["name_norm"], known["name"])), **{r["name_norm"]: r["name"] for r in new_rows}}
        rep.near_matches = near_matches(fresh, located, limit=1000, show=show)
        if rep.near_matches:
            rep.notes.append(f"{len(rep.near_matches):,} new payees have a name close to a located supplier but were not "
                             "merged: review them; if they are the same, add the payee's name or ID to the supplier list")
        if len(fresh) > 1000 and located:
            rep.notes.append(f"near-match review covered the first 1,000 of {len(fresh):,} new payees")
    no_loc = payees[~payees["is_individual"] & ~payees["name_norm"].isin(with_pc)]
    rep.unmatched_suppliers = sorted(no_loc["payee_text"].unique().tolist())[:2000]
    if len(no_loc):
        rep.notes.append(f"{no_loc['payee_text'].nunique():,} payees have no supplier record with a postcode yet: "
                         "import the anchor's supplier list to locate them")
    n_ind = int(payees["is_individual"].sum())
    if n_ind:
        rep.notes.append(f"{n_ind:,} payees are individuals or redacted: amounts kept, names never shown")
