"""Payments ("spend over £500" and similar): map, clean, validate, match suppliers, stage."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cwb import config
from cwb.fmt import count
from cwb.ingest import importer, vocab
from cwb.ingest.infer import infer
from cwb.ingest.names import is_redacted_individual, matchable_suppliers_sql, near_matches, normalise_name
from cwb.ingest.readers import ReadError, read_blocks

ALIASES: dict[str, list[str]] = vocab.for_kind("payments")  # the one vocabulary (cwb.ingest.vocab)
FIELDS = vocab.KIND_FIELDS["payments"]
REQUIRED = ("date", "amount", "supplier_name")

_DATE_FORMATS = [
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %b %y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d",
    "%d-%m-%y",
    "%d/%b/%Y",
    "%d %b, %Y",
    "%B %d, %Y",
    "%b %d, %Y",
]
_MONTH_FORMATS = ["%b %Y", "%B %Y", "%b-%y", "%b-%Y", "%b %y", "%B-%y", "%B-%Y"]  # month only: the 1st
_US = {
    "%d/%m/%Y": "%m/%d/%Y",
    "%d/%m/%y": "%m/%d/%y",
    "%d-%m-%Y": "%m-%d-%Y",
    "%d.%m.%Y": "%m.%d.%Y",
    "%d.%m.%y": "%m.%d.%y",
    "%d/%m/%Y %H:%M": "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S": "%m/%d/%Y %H:%M:%S",
    "%d-%m-%y": "%m-%d-%y",
}
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")


def _parse_unique(s: pd.Series, order: str = "dmy") -> pd.Series:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    todo = s != ""
    serial = todo & s.str.fullmatch(r"\d{5}(\.0+)?")
    if serial.any():
        n = pd.to_numeric(s[serial], errors="coerce")
        ok = n.between(20000, 80000)
        out[serial[serial].index[ok]] = (
            pd.Timestamp("1899-12-30") + pd.to_timedelta(n[ok], unit="D")
        ).astype("datetime64[us]")
        todo &= out.isna()
    fmts = [_US.get(f, f) for f in _DATE_FORMATS] if order == "mdy" else _DATE_FORMATS
    for fmt in fmts + _MONTH_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        hit = parsed.notna()
        if hit.any():
            out[parsed.index[hit]] = parsed[hit].astype("datetime64[us]")
            todo &= out.isna()
    return out


def parse_dates(s: pd.Series, order: str = "dmy") -> pd.Series:
    """Dates in any common layout, mixed within one column, month-only values ('Jul 2014', read as
    the 1st), Excel serial numbers. ``order`` says how numeric dates read: 'dmy' (UK, 04/01/2017 is
    4 January) or 'mdy' (US). Each distinct text is parsed once."""
    s = s.astype(str).str.strip()
    u = pd.Series(pd.unique(s))
    parsed = _parse_unique(u, order)
    return pd.Series(
        s.map(pd.Series(parsed.to_numpy(), index=u.to_numpy())).to_numpy(),
        index=s.index,
        dtype="datetime64[us]",
    )


def decide_date_order(s: pd.Series) -> tuple[str | None, str, bool | str]:
    """(order, evidence, decisive) for the numeric dates of a column: a first part over 12 means day
    first, a middle part over 12 means month first. (None, ...) when no date is numeric. ``decisive``
    is True, False (the file cannot tell) or "weak" (one part never changes: it is probably the
    month, but an earlier file's order wins)."""
    u = pd.Series(pd.unique(s.astype(str).str.strip()))
    parts = u.str.extract(_NUMERIC_DATE).dropna()
    if parts.empty:
        return None, "no numeric dates", True
    a, b = parts[0].astype(int), parts[1].astype(int)
    day_first, month_first = int((a > 12).sum()), int((b > 12).sum())
    if day_first and month_first:
        ex1, ex2 = u[parts.index[a > 12][0]], u[parts.index[b > 12][0]]
        return "mixed", f"dates in both orders ('{ex1}' is day first, '{ex2}' month first)", True
    if day_first:
        return (
            "dmy",
            f"{count(day_first, 'distinct date')} {'has' if day_first == 1 else 'have'} a first part over 12 "
            f"(e.g. '{u[parts.index[a > 12][0]]}'): day first",
            True,
        )
    if month_first:
        return (
            "mdy",
            (
                f"{count(month_first, 'distinct date')} {'has' if month_first == 1 else 'have'} a middle part over 12 "
                f"(e.g. '{u[parts.index[b > 12][0]]}'): "
                "month first (US order)"
            ),
            True,
        )
    either = f"all {len(parts):,} distinct numeric dates read either way (e.g. '{u[parts.index[0]]}')"
    if len(parts) >= 2 and a.nunique() > 1 and b.nunique() == 1:
        return (
            "dmy",
            f"{either}, but the middle part is the same in every one ({b.iloc[0]:02d}): it is the month",
            "weak",
        )
    if len(parts) >= 2 and b.nunique() > 1 and a.nunique() == 1:
        return (
            "mdy",
            f"{either}, but the first part is the same in every one ({a.iloc[0]:02d}): it is the month",
            "weak",
        )
    return None, either, False


_AMOUNT_OK = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?"  # UK: commas only between groups of three
_PENNIES_OK = r"-?\d{0,16}(?:\.\d{0,2}0*)?"  # no fraction of a penny; fits DECIMAL(18,2)


def parse_amounts(s: pd.Series, spreadsheet: bool = False) -> tuple[pd.Series, pd.Series]:
    """Clean money text: £, thousands separators, spaces, (brackets) and trailing minus for
    negatives. Returns (clean text such as '-1302.28', valid mask). Never guesses: commas that are
    not thousands separators ('1.005,00', '12,5') and fractions of a penny ('10.005') are invalid.
    ``spreadsheet``: numbers stored by a spreadsheet ('24595.309999999998', float arithmetic) are
    rounded to the penny, half up, from their shortest decimal form."""
    t = s.astype(str).str.strip()
    t = t.str.replace("\u00a3", "", regex=False).str.replace("GBP", "", regex=False)
    t = t.str.replace(" ", "", regex=False).str.replace("\u00a0", "", regex=False)
    neg_br = t.str.fullmatch(r"\(.*\)")
    t = t.where(~neg_br, "-" + t.str.slice(1, -1))
    neg_tr = t.str.fullmatch(r"[\d.,]+-")
    t = t.where(~neg_tr, "-" + t.str.slice(0, -1))
    t = t.str.replace(r"^\+", "", regex=True).str.replace(r"^-+", "-", regex=True)
    if spreadsheet:
        fl = t.str.fullmatch(r"-?\d+\.\d{3,}|-?\d+(\.\d+)?[eE]-?\d+")
        if fl.any():
            from decimal import ROUND_HALF_UP, Decimal

            t = t.copy()
            t[fl] = [str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) for v in t[fl]]
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
        return f"amount has a fraction of a penny: '{t[:30]}' (amounts are kept to the penny, never rounded)"
    if re.fullmatch(r"[\d,]{17,}(\.\d*)?", core):
        return f"amount too large: '{t[:30]}' (more than 16 digits before the point)"
    return f"amount not a number: '{t[:30]}'"


_TOTAL_LABEL = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?(totals?|sum)\b|\btotals?\s*:?\s*$", re.I)
_REDACT_FLAG = re.compile(r"redact|personal|withheld|individual|^\s*(?:y|yes|true)\s*$", re.I)
_ORDER_WORD = {"dmy": "day first (UK, 31/01/2024)", "mdy": "month first (US, 01/31/2024)"}


def _cmd(path: Path, anchor_id: str | None, extra: str) -> str:
    return f'python -m cwb import payments "{Path(path).name}" --anchor {anchor_id or "CODE"} {extra}'


def layout_of(blocks) -> list[str]:
    """The layout of a file: its set of column names (every block), compared without case or punctuation."""
    cols: set[str] = set()
    for b in blocks:
        cols.update(
            vocab.norm(re.sub(r" \(\d+\)$", "", c)) for c in b.data.columns if not c.startswith("(column ")
        )
    return sorted(c for c in cols if c)


def read_payments(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    anchor_id: str,
    mapping: dict[str, str] | None = None,
    date_order: str | None = None,
    skip_undated: bool = False,
    remembered=None,
    fallback: dict | None = None,
) -> importer.Staged:
    """Read a payments file into a staged import with its report. Nothing is written.

    ``mapping`` (field -> column) overrides the inference for the fields it names; ``date_order``
    ('dmy'/'mdy') is used when the file's dates read either way; ``skip_undated`` leaves out (and
    lists) rows with an amount but no date instead of rejecting the file; ``remembered`` is the
    stored entry for this anchor and layout ({'mapping', 'date_order', 'saved_at'}), or a function
    from the file's layout to that entry (or None). ``fallback``: a mapping remembered for the
    anchor without a layout (older imports), used when its columns are all in the file."""
    path = Path(path)
    staged = importer.Staged(
        path=path, report=importer.new_report(path, "payments", con), anchor_id=anchor_id
    )
    rep = staged.report
    rep.skipped, rep.evidence, rep.date_order, rep.reused = [], {}, None, None
    try:
        hints = list((mapping or {}).values()) + list((fallback or {}).values())
        blocks, enc, notes = read_blocks(path, hints)
    except ReadError as exc:
        rep.error = str(exc)
        return staged
    rep.notes.append(f"encoding: {enc}")
    rep.notes.extend(notes)
    spreadsheet = enc in ("xlsx", "xls", "ods")
    layout = layout_of(blocks)
    staged.layout = layout
    if callable(remembered):
        remembered = remembered(layout)
    allcols = {c for b in blocks for c in b.data.columns}
    if not remembered and fallback and not mapping and set(fallback.values()) <= allcols:
        remembered = {"mapping": dict(fallback), "saved_at": "at this anchor's last import"}
    given = dict(mapping or {})
    if remembered and not mapping:
        fixed = dict(remembered.get("mapping") or {})
        rep.reused = (
            f"column mapping remembered for anchor {anchor_id} and this layout ({len(layout)} columns), "
            f"saved {str(remembered.get('saved_at', ''))[:16]}"
        )
        rep.notes.insert(0, rep.reused)
    else:
        fixed = given
    allcols = {c for b in blocks for c in b.data.columns}
    unknown = {k: v for k, v in given.items() if v not in allcols}
    if unknown:
        rep.error = (
            "no column "
            + ", ".join(f"'{v}' (for {k})" for k, v in unknown.items())
            + " in the file: its columns are "
            + ", ".join(f"'{c}'" for c in sorted(allcols))[:600]
        )
        return staged
    bad_fields = [k for k in given if k not in FIELDS]
    if bad_fields:
        rep.error = f"unknown field(s) {', '.join(bad_fields)}: the fields are {', '.join(FIELDS)}"
        return staged
    parts, maps, dropped = [], [], []
    for bi, b in enumerate(blocks):
        if b.data.empty:
            continue
        inf = infer(list(b.data.columns), b.data, FIELDS, fixed)
        missing = [f for f in REQUIRED if f not in inf.mapping]
        if missing:
            dropped.append((bi, b, inf, missing))
            continue
        maps.append((bi, b, inf))
    if not maps:
        bi, b, inf, missing = max(dropped, key=lambda x: len(x[1].data))
        rep.evidence = inf.evidence
        rep.mapped = inf.mapping
        rep.error = _missing_message(path, anchor_id, b, inf, missing)
        return staged
    for _bi, b, _inf, missing in dropped:
        rep.notes.append(
            f"{b.where(b.header_line)}: a table of {len(b.data):,} rows without a column for "
            f"{', '.join(missing)} left out (not payments, e.g. a summary)"
        )
    main_bi, main_b, main_inf = max(maps, key=lambda x: len(x[1].data))
    rep.mapped = dict(main_inf.mapping)
    rep.evidence = dict(main_inf.evidence)
    staged.mapping = dict(main_inf.mapping)
    for bi, b, inf in maps:
        if inf.mapping != main_inf.mapping:
            rep.notes.append(
                f"{b.where(b.header_line)} has other column names: "
                + ", ".join(f"{k} <- '{v}'" for k, v in inf.mapping.items() if k in REQUIRED)
            )
        d = b.data
        frame = {f: d[c].astype(str) for f, c in inf.mapping.items()}
        frame = pd.DataFrame(frame)
        for f in REQUIRED:
            frame[f] = frame[f].str.strip()
        frame["_line"] = b.lines
        frame["_block"] = bi
        parts.append(frame)
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    for f in FIELDS:
        if f not in df.columns:
            df[f] = ""
    df = df.fillna("")
    where = {bi: b for bi, b, _ in maps}

    def loc(i: int) -> int:
        return int(df["_line"].iat[i])

    def place(i: int) -> str:
        return where[int(df["_block"].iat[i])].where(loc(i))

    multi = len(maps) > 1 or any(b.sheet is not None and len(blocks) > 1 for b in blocks)

    # ---- dates: the order is decided per file, from evidence, never silently
    order, why, decisive = decide_date_order(
        pd.concat([df["date"], df["invoice_date"]])
    )  # every date column is evidence
    if order == "mixed":
        rep.error = f"the dates are written in both orders: {why}: fix the file (one order per file)"
        return staged
    if (
        decisive == "weak"
        and remembered
        and remembered.get("date_order") in ("dmy", "mdy")
        and not date_order
    ):
        date_order = remembered["date_order"]
    if decisive == "weak" and date_order:
        order, decisive = (
            None,
            False,
        )  # what the user (or this layout's earlier files) said wins over weak evidence
    if order is None and not decisive:
        if date_order:
            order, why = (
                date_order,
                f"{why}: {_ORDER_WORD[date_order]} as you said (--date-order {date_order})",
            )
        elif remembered and remembered.get("date_order") in ("dmy", "mdy"):
            order = remembered["date_order"]
            why = f"{why}: {_ORDER_WORD[order]} as in this anchor's earlier files of this layout"
        elif earlier := _earlier_order(con, anchor_id):
            order = earlier
            why = f"{why}: {_ORDER_WORD[earlier]} as in this anchor's earlier files"
        else:
            rep.error = (
                f"the dates could be day first or month first ({why}): say which with "
                f"{_cmd(path, anchor_id, '--date-order dmy')} (or --date-order mdy), "
                "or choose the date order on the Import page"
            )
            return staged
    elif order and date_order and date_order != order:
        rep.error = (
            f"--date-order {date_order} was given but the file's dates are {_ORDER_WORD[order]}: {why}"
        )
        return staged
    rep.date_order = order
    if order:
        rep.notes.append(f"date order: {_ORDER_WORD[order]}; {why}")
    dates = parse_dates(df["date"], order or "dmy")
    month_only = df["date"].str.fullmatch(r"[A-Za-z]{3,9}[ \-]\d{2,4}")
    if month_only.any():
        rep.notes.append(
            f"{int(month_only.sum()):,} dates give only a month ('{df['date'][month_only].iloc[0]}'): "
            "read as the 1st of that month"
        )

    # ---- amounts
    amount, valid_amt = parse_amounts(df["amount"], spreadsheet)
    if spreadsheet:
        fl = df["amount"].str.fullmatch(r"-?\d+\.\d{3,}")
        if fl.any():
            ex = df["amount"][fl].iloc[0]
            rep.notes.append(
                f"{int(fl.sum()):,} spreadsheet amounts carried float arithmetic noise (e.g. '{ex}'): "
                "rounded to the penny"
            )
    names = df["supplier_name"]
    has_amt = df["amount"] != ""
    has_name = names != ""
    has_date = df["date"] != ""
    redacted = df["redacted"].str.contains(_REDACT_FLAG) & (df["redacted"] != "")
    n = len(df)
    vamt = valid_amt.to_numpy()
    hdate, hname, hamt = has_date.to_numpy(), has_name.to_numpy(), has_amt.to_numpy()

    # ---- lines that are not payments: junk, no amount, totals
    dated = ~np.isnat(dates.to_numpy())  # a date that reads (junk text in the date column is not one)
    junk = ~vamt & ~hname & ~dated
    no_amount = ~hamt & (hname | dated)
    cand = vamt & ~hdate & ~hname
    cand_idx = set(np.flatnonzero(vamt & ~hdate).tolist())
    labels = {}
    for i in cand_idx:
        b = where[int(df["_block"].iat[i])]
        row = b.data.iloc[int(np.searchsorted(b.lines, loc(i)))]
        if any(_TOTAL_LABEL.search(str(c)) for c in row.tolist()):
            labels[i] = next(str(c) for c in row.tolist() if _TOTAL_LABEL.search(str(c)))
    total_idx = sorted(set(np.flatnonzero(cand).tolist()) | set(labels))
    is_total = np.zeros(n, dtype=bool)
    is_total[total_idx] = True
    skipped: list[tuple[str, str]] = []

    def rowtext(i: int) -> str:
        b = where[int(df["_block"].iat[i])]
        row = b.data.iloc[int(np.searchsorted(b.lines, loc(i)))]
        return ",".join(str(c) for c in row.tolist()).strip(",")[:120]

    # pence of every valid amount, exact (DECIMAL), for the total-line check
    pence = np.zeros(n, dtype=np.int64)
    if vamt.any():
        cur = con.cursor()
        try:
            cur.register("_a", pd.DataFrame({"a": amount[vamt].to_numpy()}))
            pence[vamt] = cur.execute(
                "SELECT CAST(CAST(a AS DECIMAL(18,2)) * 100 AS BIGINT) AS p FROM _a"
            ).fetchnumpy()["p"]
        finally:
            cur.close()
    payment_like = vamt & ~is_total & ~junk
    csum = np.cumsum(np.where(payment_like, pence, 0))
    prev = -1
    for i in total_idx:
        above = int(csum[i - 1]) if i > 0 else 0
        since = above - (int(csum[prev]) if prev >= 0 else 0)
        tot = int(pence[i])
        if tot == since and since != 0:
            verdict = "a total line: equals the sum of the rows it totals"
        elif tot == above and above != 0:
            verdict = "a total line: equals the sum of all rows above"
        elif i in labels:
            verdict = (
                f"a total line ('{labels[i][:20]}') that does NOT match: it says £{tot / 100:,.2f}, "
                f"the rows it totals sum to £{since / 100:,.2f}"
            )
        else:
            is_total[i] = False  # an amount with no date and no payee that totals nothing: rejected below
            continue
        skipped.append((place(i), f"{verdict}: {rowtext(i)}"))
        prev = i
    payment_like = vamt & ~is_total & ~junk
    n_tot = int(is_total.sum())
    if n_tot:
        bad_tot = sum("does NOT match" in why for _w, why in skipped)
        rep.notes.append(
            f"{count(n_tot, 'total line')} left out (listed)"
            + (
                f"; {bad_tot:,} {'does' if bad_tot == 1 else 'do'} NOT match the rows {'it totals' if bad_tot == 1 else 'they total'}"
                if bad_tot
                else ", each equal to the sum of the rows it totals"
            )
        )
    for i in np.flatnonzero(junk)[:200]:
        skipped.append((place(i), f"no amount, payee or date (not a payment): {rowtext(i)}"))
    for i in np.flatnonzero(no_amount)[:200]:
        skipped.append((place(i), f"no amount (not a payment): {rowtext(i)}"))
    n_junk, n_noamt = int(junk.sum()), int(no_amount.sum())
    if n_junk:
        rep.notes.append(f"{count(n_junk, 'line')} with no amount, payee or date skipped (listed)")
    if n_noamt:
        rep.notes.append(
            f"{count(n_noamt, 'line')} with a payee or date but no amount skipped: not payments (listed)"
        )
    keep = ~(is_total | junk | no_amount)

    # ---- validate what is left: every record with an amount must be a good payment
    lo, hi = config.date_window()
    dts = dates.to_numpy()
    bad_date = keep & np.isnat(dts)
    undated = bad_date & ~hdate & vamt
    if skip_undated and undated.any():
        for i in np.flatnonzero(undated)[:500]:
            skipped.append(
                (
                    place(i),
                    f"amount £{pence[i] / 100:,.2f} with no date, left out (--skip-undated): {rowtext(i)}",
                )
            )
        rep.notes.append(
            f"{count(int(undated.sum()), 'row')} with an amount but no date left out as asked (--skip-undated): "
            f"£{pence[undated].sum() / 100:,.2f} not imported (listed)"
        )
        keep &= ~undated
        bad_date &= ~undated
    lo64, hi64 = np.datetime64(lo, "us"), np.datetime64(hi, "us")
    out_of_range = keep & ~np.isnat(dts) & ((dts < lo64) | (dts > hi64))
    bad_amt = keep & ~vamt
    no_payee = keep & ~hname & ~redacted.to_numpy()
    problems = bad_amt | bad_date | out_of_range | no_payee
    for i in np.flatnonzero(problems)[:5000]:
        reasons: list[str] = []
        if bad_amt[i]:
            reasons.append(amount_problem(df["amount"].iat[i]))
        if bad_date[i]:
            reasons.append(f"date not recognised: '{str(df['date'].iat[i])[:30]}'" if hdate[i] else "no date")
        if out_of_range[i]:
            reasons.append(
                f"date {df['date'].iat[i][:20]} is outside {lo} to {hi} (CWB_DATE_MIN, CWB_DATE_MAX_AHEAD_DAYS)"
            )
        if no_payee[i]:
            reasons.append("no payee name")
        rep.rejected.append((loc(i), (f"{place(i)}: " if multi else "") + "; ".join(reasons)))
    n_bad = int(problems.sum())
    if n_bad > 5000:
        rep.notes.append(f"{n_bad:,} rows rejected in all (first 5,000 listed)")
    if (bad_date & ~hdate).any() and not skip_undated:
        k = int((bad_date & ~hdate).sum())
        rep.notes.append(
            f"{count(k, 'row')} {'has' if k == 1 else 'have'} an amount but no date: fix {'it' if k == 1 else 'them'}, or leave {'it' if k == 1 else 'them'} out with "
            f"{_cmd(path, anchor_id, '--skip-undated')} (they are listed and their total reported)"
        )
    rep.skipped = skipped
    rep.rows_read = int(keep.sum())
    inv = (
        parse_dates(df["invoice_date"], order or "dmy")
        if (df["invoice_date"] != "").any()
        else pd.Series(pd.NaT, index=df.index)
    )
    payee = names.where(
        ~redacted.to_numpy(), "REDACTED PERSONAL DATA"
    )  # a redaction column wins over the name
    out = pd.DataFrame(
        {
            "anchor_id": anchor_id,
            "payment_date": dts,
            "invoice_date": inv.to_numpy(),
            "amount_text": amount.to_numpy(),
            "category": df["category"].str.strip().replace({"": None}).to_numpy(),
            "payee_text": payee.to_numpy(),
            "supplier_ref": df["supplier_ref"].str.strip().to_numpy(),
            "source_row": df["_line"].to_numpy(),
        }
    )
    for fld in ("postcode", "company_number", "charity_number"):
        if (df[fld] != "").any():
            out["_" + fld] = df[fld].str.strip().to_numpy()
    good = keep & ~problems
    out = out[good]
    rep.rows_ok = int(good.sum())
    if not rep.rows_ok and not rep.rejected and not rep.error:
        rep.error = "no payment rows: every line was skipped (see the skipped lines)"
    if len(out):
        tot = int(pence[good].sum())
        sign = "-" if tot < 0 else ""
        rep.total_gbp = f"{sign}{abs(tot) // 100}.{abs(tot) % 100:02d}"
        rep.date_min, rep.date_max = str(out["payment_date"].min())[:10], str(out["payment_date"].max())[:10]
    staged.frames["_payments"] = out
    staged.date_order = order
    if len(out) and not rep.rejected:
        _match_suppliers(con, staged, out, anchor_id)
    return staged


def _earlier_order(con, anchor_id: str | None) -> str | None:
    """The date order this anchor's earlier payment files were read with (any layout)."""
    if not anchor_id:
        return None
    import json

    cur = con.cursor()
    try:
        rows = cur.execute(
            "SELECT mapping_json FROM import_mapping WHERE source_key LIKE ? ORDER BY saved_at DESC",
            [f"{anchor_id}|payments|layout:%"],
        ).fetchall()
    finally:
        cur.close()
    for (j,) in rows:
        try:
            o = json.loads(j).get("date_order")
        except (ValueError, AttributeError):
            continue
        if o in ("dmy", "mdy"):
            return o
    return None


def _missing_message(path: Path, anchor_id, b, inf, missing: list[str]) -> str:
    cols = list(b.data.columns)
    if inf.ambiguous:
        parts = []
        for fld, cands in inf.ambiguous.items():
            parts.append(f"{fld} could be " + " or ".join(f"'{c}' ({w})" for c, w in cands))
        fld, cands = next(iter(inf.ambiguous.items()))
        return (
            "two columns are equally likely, so nothing is guessed: "
            + "; ".join(parts)
            + f". Say which: {_cmd(path, anchor_id, f'--map {fld}=' + chr(34) + cands[0][0] + chr(34))} "
            "(or correct the mapping on the Import page)"
        )
    # a file of supplier totals: an amount and a payee, no dates, one row per payee
    from cwb.ingest.infer import profile

    no_dates = all(profile(b.data[c]).dates < 0.5 for c in cols)
    if missing == ["date"] and no_dates and "supplier_name" in inf.mapping and "amount" in inf.mapping:
        names = b.data[inf.mapping["supplier_name"]].astype(str).str.strip()
        names = names[names != ""]
        if len(names) >= 3 and names.nunique() >= 0.95 * len(names):
            return (
                "this looks like a summary (one total per supplier, no payment dates), not payment-level data: "
                "import the anchor's payment file (one line per payment, with its date) instead"
            )
    fld = missing[0]
    return (
        f"no column found for {', '.join(missing)} (columns in the file: {', '.join(repr(c) for c in cols[:20])}). "
        f"Say which column it is: {_cmd(path, anchor_id, f'--map {fld}=' + chr(34) + 'COLUMN' + chr(34))}, "
        "or choose it in the column mapping on the Import page"
    )


def _match_suppliers(con, staged: importer.Staged, out: pd.DataFrame, anchor_id: str) -> None:
    """Give every payment a supplier_id: by the anchor's supplier id where known, else by
    normalised name; new payees become new supplier records (location unknown until a supplier
    list with postcodes is imported). Near-miss names are listed for review, never merged."""
    rep = staged.report
    payees = out[["payee_text", "supplier_ref"]].drop_duplicates().copy()
    payees["name_norm"] = payees["payee_text"].map(normalise_name)
    payees["is_individual"] = payees["payee_text"].map(is_redacted_individual)
    details = {}  # supplier details carried in the payment file itself,
    norm_of = dict(zip(payees["payee_text"], payees["name_norm"]))  # by normalised name (first given)
    for fld in ("postcode", "company_number", "charity_number"):
        if "_" + fld in out.columns:
            v = out.loc[out["_" + fld] != "", ["payee_text", "_" + fld]]
            details[fld] = v.assign(k=v["payee_text"].map(norm_of)).groupby("k")["_" + fld].first().to_dict()
    cur = con.cursor()
    try:
        aliases = cur.execute(
            "SELECT a.supplier_ref, a.supplier_id, coalesce(s.is_individual, false) AS is_individual "
            "FROM supplier_alias a LEFT JOIN supplier s USING (supplier_id) WHERE a.anchor_id = ?",
            [anchor_id],
        ).df()
        known = cur.execute(
            "SELECT name_norm, min(supplier_id) AS supplier_id, bool_or(postcode IS NOT NULL) AS has_pc, "
            "min(name) AS name "
            f"FROM supplier s WHERE NOT is_individual AND {matchable_suppliers_sql()} GROUP BY name_norm",
            [anchor_id],
        ).df()
        next_id = int(cur.execute("SELECT coalesce(max(supplier_id), 0) + 1 FROM supplier").fetchone()[0])
    finally:
        cur.close()
    by_ref = dict(zip(aliases["supplier_ref"], aliases["supplier_id"]))
    ref_ind = dict(
        zip(aliases["supplier_ref"], aliases["is_individual"].astype(bool))
    )  # ref -> points at a redacted record
    by_name = dict(zip(known["name_norm"], known["supplier_id"]))
    with_pc = set(known.loc[known["has_pc"], "name_norm"])
    ids, new_rows, new_alias = [], [], []
    made: dict[tuple, int] = {}
    for rec in payees.itertuples(index=False):
        sid = None
        # a reference never crosses redaction: a redacted payee never joins a named supplier through
        # a shared reference, and a named payee never lands on a withheld record
        if (
            rec.supplier_ref
            and rec.supplier_ref in by_ref
            and ref_ind.get(rec.supplier_ref) == bool(rec.is_individual)
        ):
            sid = by_ref[rec.supplier_ref]
        elif not rec.is_individual and rec.name_norm and rec.name_norm in by_name:
            sid = by_name[rec.name_norm]
        if sid is None:
            key = (
                ("ind", rec.supplier_ref or rec.payee_text)
                if rec.is_individual
                else ("name", rec.name_norm or rec.payee_text)
            )
            sid = made.get(key)
            if sid is None:
                sid = next_id
                next_id += 1
                made[key] = sid
                row = {
                    "supplier_id": sid,
                    "name": "Individual (name withheld)" if rec.is_individual else rec.payee_text,
                    "name_norm": "" if rec.is_individual else rec.name_norm,
                    "is_individual": bool(rec.is_individual),
                }
                if not rec.is_individual:
                    for fld, d in details.items():
                        row[fld] = d.get(rec.name_norm) if rec.name_norm else None
                    if row.get("postcode"):
                        with_pc.add(rec.name_norm)
                    if row.get("charity_number"):
                        row["is_vcse"], row["vcse_source"] = True, "charity number in the payment file"
                new_rows.append(row)
        if rec.supplier_ref and rec.supplier_ref not in by_ref and not rec.is_individual:
            by_ref[rec.supplier_ref] = sid
            ref_ind[rec.supplier_ref] = False
            new_alias.append({"anchor_id": anchor_id, "supplier_ref": rec.supplier_ref, "supplier_id": sid})
        ids.append(sid)
    payees["supplier_id"] = ids
    pay = out.merge(
        payees[["payee_text", "supplier_ref", "supplier_id"]], on=["payee_text", "supplier_ref"], how="left"
    )
    pay["amount_gbp"] = pay["amount_text"]
    individuals = set(payees.loc[payees["is_individual"], "payee_text"])
    pay["payee_text"] = pay["payee_text"].where(
        ~pay["payee_text"].isin(individuals), "REDACTED PERSONAL DATA"
    )
    staged.frames["payment"] = pay[
        [
            "anchor_id",
            "supplier_id",
            "payment_date",
            "invoice_date",
            "amount_gbp",
            "category",
            "payee_text",
            "source_row",
        ]
    ]
    staged.frames["supplier"] = pd.DataFrame(new_rows) if new_rows else pd.DataFrame()
    staged.frames["supplier_alias"] = pd.DataFrame(new_alias) if new_alias else pd.DataFrame()
    staged.frames.pop("_payments", None)
    if new_rows:
        # new payees whose name is close to a located supplier's: listed for review, never merged
        located = known.loc[known["has_pc"], "name_norm"].tolist()
        fresh = [str(r["name_norm"]) for r in new_rows if r["name_norm"]]
        show = {
            **dict(zip(known["name_norm"], known["name"])),
            **{r["name_norm"]: r["name"] for r in new_rows},
        }
        rep.near_matches = near_matches(fresh, located, limit=1000, show=show)
        if rep.near_matches:
            rep.notes.append(
                f"{count(len(rep.near_matches), 'new payee')} with a name close to a located supplier, not "
                "merged: review them; if they are the same, add the payee's name or ID to the supplier list"
            )
        if len(fresh) > 1000 and located:
            rep.notes.append(f"near-match review covered the first 1,000 of {len(fresh):,} new payees")
    no_loc = payees[~payees["is_individual"] & ~payees["name_norm"].isin(with_pc)]
    rep.unmatched_suppliers = sorted(no_loc["payee_text"].unique().tolist())[:2000]
    if len(no_loc):
        rep.notes.append(
            f"{count(no_loc['payee_text'].nunique(), 'payee')} without a supplier record with a postcode yet: "
            "import the anchor's supplier list to locate them"
        )
    n_ind = int(payees["is_individual"].sum())
    if n_ind:
        rep.notes.append(
            f"{count(n_ind, 'payee')} {'is an individual' if n_ind == 1 else 'are individuals'} or redacted: "
            "amounts kept, names never shown"
        )
