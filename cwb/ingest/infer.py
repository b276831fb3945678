"""Infer which column holds which field from the header vocabulary AND the column contents.

Every column gets a profile from a sample of its values (share of money values, of dates, of
text, distinct values, organisation words, codes). A field's score for a column combines what
the header says (an exact published name, or words that suggest the field) with whether the
contents fit. Content is a gate for the fields that carry the money: a column is never the
amount unless its values are money, never the date unless they are dates, never the payee
unless they are text. Columns are assigned greedily, best score first, each column to one
field at most. When the two best columns for a required field score the same, nothing is
guessed: the caller refuses and lists the candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from cwb.ingest import vocab

SAMPLE = 3000
_MONEY = re.compile(r"^[-+(]?-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?\)?-?$")
_DATE = re.compile(
    r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|\d{4}/\d{1,2}/\d{1,2}"
    r"|\d{1,2}[ \-/]?[A-Za-z]{3,9}[ \-/,]*\d{2,4}|[A-Za-z]{3,9}[ \-]\d{2,4}|[A-Za-z]{3,9} \d{1,2},? \d{4})"
    r"( \d{1,2}:\d{2}(:\d{2})?)?$"
)
_MONTHS = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.I)
_ORG = re.compile(
    r"\b(?:ltd|limited|plc|llp|llc|inc|cic|council|nhs|trust|services|solutions|group|company|co|uk|"
    r"university|college|school|association|partnership|care|homes?|centre|foundation|society|"
    r"consult\w*|contract\w*|systems|supplies|healthcare|hospital|practice|surgery|clinic)\b",
    re.I,
)
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-_.]*$")


@dataclass
class Profile:
    n: int = 0  # non-empty values in the sample
    money: float = 0.0  # share that read as money
    decimals: float = 0.0  # share with pence (a point and 1-2 digits)
    integers: float = 0.0  # share of plain whole numbers
    dates: float = 0.0  # share that read as dates
    text: float = 0.0  # share with at least two letters
    distinct: int = 0
    org: float = 0.0  # share with organisation words (Ltd, Council, NHS ...)
    codes: float = 0.0  # share of single-token codes with a digit
    mean_len: float = 0.0
    serials: float = 0.0  # share of 5-digit numbers in the Excel date range
    numlike: float = 0.0  # share with a digit, no letter, not a date (money or malformed money)


def profile(s: pd.Series) -> Profile:
    v = s.astype(str).str.strip()
    v = v[v != ""]
    if len(v) > SAMPLE:
        v = v.iloc[:: max(1, len(v) // SAMPLE)].iloc[:SAMPLE]
    n = len(v)
    if not n:
        return Profile()
    m = (
        v.str.replace("£", "", regex=False)
        .str.replace("GBP", "", regex=False)
        .str.replace(r"[\s\u00a0]", "", regex=True)
    )
    money = m.str.match(_MONEY) & m.str.contains(r"\d", regex=True)
    return Profile(
        n=n,
        money=float(money.mean()),
        decimals=float((money & m.str.contains(r"\.\d{1,2}\)?-?$", regex=True)).mean()),
        integers=float(m.str.fullmatch(r"-?\d+(\.0+)?").mean()),
        dates=float(v.str.match(_DATE).mean()),
        text=float(v.str.count(r"[A-Za-z]").ge(2).mean()),
        distinct=int(v.nunique()),
        org=float(v.str.contains(_ORG).mean()),
        codes=float((v.str.match(_CODE) & v.str.contains(r"\d", regex=True)).mean()),
        mean_len=float(v.str.len().mean()),
        serials=float(m.str.fullmatch(r"[2-7]\d{4}(\.0+)?").mean()),
        numlike=float(
            (
                m.str.contains(r"\d", regex=True)
                & ~m.str.contains(r"[A-Za-z]", regex=True)
                & ~v.str.match(_DATE)
            ).mean()
        ),
    )


def header_score(fld: str, header: str) -> tuple[float, str]:
    """0..1: how strongly the header names the field, and why."""
    h = re.sub(r"\s\(\d+\)$", "", str(header))
    hn = vocab.norm(h)
    names = vocab.NAMES.get(fld, [])
    for i, a in enumerate(names):
        if hn and hn == vocab.norm(a):
            return 1.0 - 0.005 * i, f"header '{h}' is a known name for it"
    if fld not in vocab.WORDS or not hn:
        return 0.0, ""
    good, bad = vocab.WORDS[fld]
    ws = vocab.words(h)
    hits = [w for w in ws if w in good]
    if not hits:
        return 0.0, ""
    if any(w in bad for w in ws):
        return 0.15, f"header '{h}' mentions '{hits[0]}' but also '{next(w for w in ws if w in bad)}'"
    score = 0.75
    if fld == "amount" and any(w in ("net", "nett") for w in ws):
        score = 0.85
    if fld == "amount" and ws == ["vat"]:
        score = 0.2
    return score, f"header '{h}' mentions '{hits[0]}'"


def content_fit(fld: str, p: Profile, header: str) -> tuple[float, str]:
    """0..1: how well the values fit the field (0 rules the column out for money fields)."""
    if p.n == 0:
        return 0.0, "the column is empty"
    pct = lambda x: f"{x:.0%}"  # noqa: E731
    if fld == "amount":
        if p.money < 0.95 or p.text > 0.02:
            if header_score(fld, header)[0] >= 0.9 and p.numlike >= 0.5 and p.dates < 0.5:
                # a column named as the amount whose values are mostly number-like: mapped, and the
                # rows that are not money are rejected one by one with their line
                return (
                    0.3,
                    f"only {pct(p.money)} of values are valid money (the others are rejected with their line)",
                )
            return 0.0, f"only {pct(p.money)} of values are money"
        idlike = p.integers > 0.98 and p.decimals < 0.02 and p.distinct >= 0.9 * p.n and p.mean_len >= 5
        if idlike or p.dates > 0.5:
            return 0.1, "whole numbers, every one different (looks like a reference)"
        return (1.0 if p.decimals > 0.2 else 0.7), f"{pct(p.money)} of {p.n:,} sampled values are money"
    if fld in ("date", "invoice_date"):
        serial = p.serials if "date" in vocab.words(header) else 0.0
        share = min(1.0, p.dates + serial)
        if share < 0.9:
            if share >= 0.5 and header_score(fld, header)[0] >= 0.9:
                # a column named as the date with some junk lines in it: mapped; lines are judged one by one
                return 0.6, f"{pct(share)} of values are dates (the other lines are checked one by one)"
            return 0.0, f"only {pct(share)} of values look like dates"
        return 1.0, f"{pct(share)} of {p.n:,} sampled values are dates"
    if fld == "supplier_name":
        if p.text < 0.8 or p.money > 0.5 or p.dates > 0.5:
            return 0.0, f"only {pct(p.text)} of values are names"
        varied = min(1.0, p.distinct / max(10.0, min(p.n, 200) * 0.3))
        fit = 0.4 + 0.3 * varied + 0.3 * min(1.0, p.org * 3)
        return fit, f"text with {p.distinct:,} distinct values, {pct(p.org)} with organisation words"
    if fld in ("supplier_ref", "transaction", "vat_number", "company_number", "charity_number"):
        if p.codes < 0.6 and p.integers < 0.6:
            return 0.2, "values are not codes"
        return 1.0, f"{pct(max(p.codes, p.integers))} of values are codes"
    if fld == "category":
        if p.text < 0.5:
            return 0.2, "values are mostly not text"
        return 1.0, f"text with {p.distinct:,} distinct values"
    if fld == "postcode":
        return 1.0, "values present"
    if fld == "redacted":
        return (1.0 if p.distinct <= 10 else 0.3), f"{p.distinct} distinct values"
    return 0.5, ""


REQUIRED = ("date", "amount", "supplier_name")
# below this a column is not proposed for a field
MIN_SCORE = {"amount": 0.3, "date": 0.3, "supplier_name": 0.3}


@dataclass
class Inference:
    mapping: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, tuple[str, float, str]] = field(
        default_factory=dict
    )  # field -> (column, confidence, why)
    ambiguous: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # field -> [(column, why)]


def infer(
    columns: list[str], data: pd.DataFrame, fields: tuple[str, ...], fixed: dict[str, str] | None = None
) -> Inference:
    """Field -> column for one table. ``fixed`` (given by the user or remembered) is kept as is."""
    out = Inference()
    fixed = {k: v for k, v in (fixed or {}).items() if v in columns}
    for k, v in fixed.items():
        out.mapping[k] = v
        out.evidence[k] = (v, 1.0, "given by you (or remembered for this layout)")
    used = set(fixed.values())
    profiles = {c: profile(data[c]) for c in columns if c not in used}
    cands: list[tuple[float, float, str, str, str]] = []
    for fld in fields:
        if fld in fixed:
            continue
        for c, p in profiles.items():
            hs, hwhy = header_score(fld, c)
            cs, cwhy = content_fit(fld, p, c)
            if fld in REQUIRED:
                if cs == 0.0:
                    continue
                score = 0.6 * hs + 0.4 * cs
                # content alone may name the amount, date and payee, never the other fields
                if hs == 0.0 and not (
                    fld == "amount"
                    and cs >= 0.7
                    or fld == "date"
                    and cs >= 1.0
                    or fld == "supplier_name"
                    and cs >= 0.75
                ):
                    continue
            else:
                if hs < 0.7:
                    continue
                score = 0.6 * hs + 0.4 * cs
            if score >= MIN_SCORE.get(fld, 0.5):
                why = "; ".join(w for w in (hwhy, cwhy) if w) or "its values"
                cands.append((score, hs, fld, c, why))
    order = {f: i for i, f in enumerate(fields)}
    ranked = sorted(cands, key=lambda x: (-x[0], order[x[2]]))
    for score, _hs, fld, c, why in ranked:
        if fld in out.mapping or c in used or fld in out.ambiguous:
            continue
        if fld in REQUIRED:  # the next best free column for this field scores the same: never guess
            tied = [
                x
                for x in ranked
                if x[2] == fld and x[3] not in used and x[3] != c and abs(x[0] - score) < 0.01
            ]
            if tied:
                out.ambiguous[fld] = [(c, why)] + [(x[3], x[4]) for x in tied]
                continue
        out.mapping[fld] = c
        out.evidence[fld] = (c, round(score, 2), why)
        used.add(c)
    if (
        "date" in fields
        and "date" not in out.mapping
        and "invoice_date" in out.mapping
        and "date" not in out.ambiguous
    ):
        c = out.mapping.pop("invoice_date")  # the only date column: the payment date is taken from it
        col, conf, why = out.evidence.pop("invoice_date")
        out.mapping["date"] = c
        out.evidence["date"] = (
            c,
            round(conf * 0.8, 2),
            why + "; the only date column, so used as the payment date",
        )
    return out


def confidence_word(c: float) -> str:
    return "high" if c >= 0.8 else "medium" if c >= 0.55 else "low"
