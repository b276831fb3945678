"""Supplier name normalisation: "ACME LTD" and "Acme Limited" become the same key."""

from __future__ import annotations

import re
import unicodedata

_SUFFIXES = [
    r"public limited company", r"limited liability partnership", r"community interest company",
    r"limited", r"ltd", r"plc", r"llp", r"lp", r"cic", r"inc", r"incorporated", r"co", r"company",
    r"corp", r"corporation", r"uk", r"gb", r"group", r"holdings", r"the",
]
_SUFFIX_RE = re.compile(r"\b(" + "|".join(_SUFFIXES) + r")\b")
_INDIVIDUAL_RE = re.compile(
    r"^\s*(redacted|personal data|withheld|individual|private individual)\b|\bredacted personal data\b"
    r"|\bpersonal data redacted\b|^\s*redacted\s*$",
    re.I,
)


def normalise_name(name: str | None) -> str:
    """Upper-case key with punctuation, legal suffixes and 'the' removed.

    >>> normalise_name("ACME LTD") == normalise_name("Acme Limited.")
    True
    """
    if not name:
        return ""
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    s = s.replace("&", " and ")
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = _SUFFIX_RE.sub(" ", s)
    return re.sub(r"\s+", " ", s).strip().upper()


def is_redacted_individual(name: str | None) -> bool:
    """True for payee texts that stand for a person ('REDACTED PERSONAL DATA' and kin).

    Real companies with the word in their name ("Redactive Publishing Ltd") are not matched.
    """
    if not name:
        return False
    s = str(name)
    # fully masked payees ('*****', 'XXXXX') stand for a withheld name too
    if re.fullmatch(r"[\s*xX#-]{3,}", s) and re.search(r"[*xX#]", s):
        return True
    return bool(_INDIVIDUAL_RE.search(s))


def near_matches(new: list[str], existing: list[str], cutoff: float = 88, limit: int = 2000,
                 show: dict[str, str] | None = None) -> list[tuple[str, str, float]]:
    """Pairs (new name, closest existing name, score 0-100) of normalised names that are close but
    not equal: listed for a person to review, never merged automatically. At most ``limit`` new
    names are compared (the caller says so when there are more). ``show`` maps a normalised name
    to the name as written, for the report."""
    from rapidfuzz import fuzz, process

    new = [n for n in dict.fromkeys(new) if n][:limit]
    existing = [e for e in dict.fromkeys(existing) if e]
    if not new or not existing:
        return []
    out: list[tuple[str, str, float]] = []
    step = max(1, 2_000_000 // len(existing))          # bound the score matrix to ~2 MB per chunk
    for i in range(0, len(new), step):
        chunk = new[i:i + step]
        scores = process.cdist(chunk, existing, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, dtype="uint8", workers=-1)
        best = scores.argmax(axis=1)
        for j, n in enumerate(chunk):
            k = int(best[j])
            s = float(scores[j, k])
            if s >= cutoff and existing[k] != n:
                out.append(((show or {}).get(n, n), (show or {}).get(existing[k], existing[k]), s))
    return out


def matchable_suppliers_sql(anchor_param: str = "?") -> str:
    """SQL condition (on supplier alias s) for the supplier records an anchor's files may be
    matched to: for a real anchor, never the synthetic demo network's suppliers (records made by
    the demo, not by an imported file, and paid by a synthetic anchor)."""
    return (f"(coalesce((SELECT is_synthetic FROM anchor WHERE anchor_id = {anchor_param}), false) "
            "OR s.source_file_id IS NOT NULL OR s.supplier_id NOT IN (SELECT DISTINCT p.supplier_id FROM payment p "
            "JOIN anchor a USING (anchor_id) WHERE a.is_synthetic AND p.supplier_id IS NOT NULL))")
