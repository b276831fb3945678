"""Supplier name normalisation: "ACME LTD" and "Acme Limited" become the same key."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _legal_forms() -> list[str]:
    """Legal-form words that end a company name: cleanco's terms for the UK, Ireland and the US
    (a maintained list: plc, cic, cio, llp, ltd, limited, inc ...) plus the long forms."""
    try:
        from cleanco.termdata import terms_by_country
    except ImportError:  # pragma: no cover - cleanco is in requirements.txt
        terms_by_country = {}
    terms = set()
    for country in ("United Kingdom", "Ireland", "United States of America"):
        for t in terms_by_country.get(country, []):
            t = re.sub(r"[^a-z0-9 ]", "", t.lower()).strip()
            if t and len(t) <= 40:
                terms.add(t)
    terms |= {
        "public limited company",
        "limited liability partnership",
        "community interest company",
        "charitable incorporated organisation",
        "limited",
        "ltd",
        "plc",
        "llp",
        "lp",
        "cic",
        "cio",
        "inc",
        "incorporated",
        "co",
        "company",
        "corp",
        "corporation",
        "uk",
        "gb",
        "group",
        "holdings",
        "the",
        "lt",
        "limite",
        "limit",
        "limi",
        "lim",
    }  # the last five: suffixes cut short ('SOLUTIONS LT')
    return sorted(terms, key=len, reverse=True)


_CUT = {"lt", "limite", "limit", "limi", "lim"}  # cut-short forms count only at the very end
_FORMS = [t for t in _legal_forms() if t not in _CUT]
_FORMS_ALT = "|".join(re.escape(t) for t in _FORMS if t != "the")
_SUFFIX_RE = re.compile(r"(?:\s(?:" + _FORMS_ALT + r"))+$")  # legal forms at the end only (repeated)
_PAREN_FORM = re.compile(r"\((?:" + _FORMS_ALT + r")\)")  # 'Acme (UK) Limited'
_THE = re.compile(r"^the\s+")
_CUT_RE = re.compile(r"\s(" + "|".join(sorted(_CUT, key=len, reverse=True)) + r")$")
_VENDOR_PREFIX = re.compile(r"^\s*[A-Za-z]{0,4}\d{4,}[A-Za-z]?\s*[:|\-–]\s+")
_TRADING_AS = re.compile(r"\b(?:t\s*/\s*a|trading\s+as)\b", re.I)
_INITIALS = re.compile(r"\b(?:[a-z] ){1,}[a-z]\b")
_NHS = [
    (re.compile(r"\bnhsft\b"), "nhs ft"),
    (re.compile(r"\bnhs foundation trust\b"), "nhs ft"),
    (re.compile(r"\bfoundation trust\b"), "ft"),
    (re.compile(r"\bnhs trust\b"), "nhs trust"),
]
_INDIVIDUAL_RE = re.compile(
    r"^\s*(redacted|personal data|withheld|individual|private individual)\b|\bredacted personal data\b"
    r"|\bpersonal data redacted\b|^\s*redacted\s*$",
    re.I,
)


@lru_cache(maxsize=200_000)
def normalise_name(name: str | None) -> str:
    """Upper-case key of a supplier name: the same organisation written differently gets the same
    key. Removed: a vendor number before the name ('UK0012345801 : AAH Pharmaceuticals Ltd'); 'T/A',
    't/a' and 'trading as' are one form (both names kept); apostrophes ('Barnardo's' = 'Barnardos'), dots
    in initials ('C.I.C.'), spaces between single letters ('E D F' = 'EDF'), legal forms (cleanco's
    list: Ltd, Limited, PLC, CIC, LLP ..., also cut short: 'SOLUTIONS LT'), 'the'; '&' reads 'and';
    'NHS Foundation Trust', 'NHSFT' and 'NHS FT' are one form.

    >>> normalise_name("ACME LTD") == normalise_name("Acme Limited.")
    True
    """
    if not name:
        return ""
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    s = _VENDOR_PREFIX.sub("", s)
    # 'X T/A Y', 'X t/a Y', 'X trading as Y' are one form; both names are kept (a trading name
    # alone, 'Park Homes', may be another organisation's name)
    s = _TRADING_AS.sub(" trading as ", s)
    s = s.lower().replace("&", " and ").replace("+", " and ")
    s = re.sub(r"['\u2019`]", "", s)  # apostrophes join: barnardo's -> barnardos
    s = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\b)|(?<=\b[a-z])\.", "", s)  # c.i.c. -> cic
    s = _PAREN_FORM.sub(" ", s)
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = _INITIALS.sub(lambda m: m.group(0).replace(" ", ""), s)  # e d f -> edf
    for rx, rep in _NHS:
        s = rx.sub(rep, s)
    s = _CUT_RE.sub("", s)
    base = s
    s = _THE.sub("", s)
    s = _SUFFIX_RE.sub("", " " + s).strip() or base
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


def near_matches(
    new: list[str],
    existing: list[str],
    cutoff: float = 88,
    limit: int = 2000,
    show: dict[str, str] | None = None,
) -> list[tuple[str, str, float]]:
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
    step = max(1, 2_000_000 // len(existing))  # bound the score matrix to ~2 MB per chunk
    for i in range(0, len(new), step):
        chunk = new[i : i + step]
        scores = process.cdist(
            chunk, existing, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, dtype="uint8", workers=-1
        )
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
    return (
        f"(coalesce((SELECT is_synthetic FROM anchor WHERE anchor_id = {anchor_param}), false) "
        "OR s.source_file_id IS NOT NULL OR s.supplier_id NOT IN (SELECT DISTINCT p.supplier_id FROM payment p "
        "JOIN anchor a USING (anchor_id) WHERE a.is_synthetic AND p.supplier_id IS NOT NULL))"
    )
