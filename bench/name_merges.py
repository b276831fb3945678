"""Supplier-name merges on the real published payment files in ../shared (issue 11.7): how many
distinct payee spellings become one key (`cwb.ingest.names.normalise_name`), within each file and
across publishers, with a random sample of merged groups for a person to check by eye.

    python bench/name_merges.py [--sample 40] [--seed 1]

Reads each file's tables and infers its payee column the way the importer does; prints figures.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SPEND = ROOT.parent / "shared" / "samples" / "spend"


def payees(path: Path) -> list[str]:
    """The payee names of every table in a file (the column the importer would map)."""
    from cwb.ingest import infer, readers, vocab

    out: list[str] = []
    try:
        blocks, _enc, _notes = readers.read_blocks(path)
    except Exception:  # noqa: BLE001  (a file the importer refuses has no names to count)
        return out
    for b in blocks:
        inf = infer.infer(list(b.data.columns), b.data, tuple(vocab.KIND_FIELDS["payments"]))
        col = inf.mapping.get("supplier_name")
        if col:
            out.extend(str(v).strip() for v in b.data[col] if str(v).strip())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not SPEND.is_dir():
        print(f"{SPEND} is not here: nothing to measure")
        return 0
    from cwb.ingest.names import normalise_name

    files = sorted(
        p
        for p in SPEND.rglob("*")
        if p.is_file() and p.suffix.lower() in (".csv", ".xlsx", ".xls", ".ods", ".zip")
    )
    by_key: dict[str, set[str]] = defaultdict(set)
    publishers_of: dict[str, set[str]] = defaultdict(set)
    spellings = 0
    for f in files:
        pub = f.relative_to(SPEND).parts[0]
        names = set(payees(f))
        spellings += len(names)
        for n in names:
            k = normalise_name(n)
            if k:
                by_key[k].add(n)
                publishers_of[k].add(pub)
    distinct = {n for s in by_key.values() for n in s}
    merged = {k: s for k, s in by_key.items() if len(s) > 1}
    upper = {k: s for k, s in merged.items() if len({x.upper() for x in s}) > 1}  # more than a change of case
    shared = [k for k, p in publishers_of.items() if len(p) > 1]
    print(f"name merges on {len(files)} published payment files ({SPEND.relative_to(ROOT.parent)}):")
    print(
        f"  distinct payee spellings {len(distinct):,} -> keys {len(by_key):,} "
        f"({len(distinct) - len(by_key):,} spellings joined to another)"
    )
    print(
        f"  keys with 2+ spellings: {len(merged):,}; of them {len(upper):,} differ by more than letter case"
    )
    print(f"  keys paid by 2+ publishers: {len(shared):,}")
    rnd = random.Random(a.seed)
    pick = rnd.sample(sorted(upper), min(a.sample, len(upper)))
    print(f"  a random sample of {len(pick)} merged groups (differing by more than case), to check by eye:")
    for k in sorted(pick):
        print(f"    {k!r}: " + " | ".join(sorted(upper[k])[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
