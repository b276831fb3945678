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
