"""Supplier lists (name, postcode, ids, SME / VCSE flags), matched to existing suppliers by the
anchor's supplier id where both have one, else by normalised name. Near matches are listed for
review with their score, never merged silently."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from cwb.ingest import importer, vocab
from cwb.ingest.names import is_redacted_individual, matchable_suppliers_sql, near_matches, normalise_name
from cwb.ingest.readers import propose_mapping

ALIASES: dict[str, list[str]] = vocab.for_kind("suppliers")  # the one vocabulary (cwb.ingest.vocab)
TRUE = {"y", "yes", "true", "1", "sme", "vcse", "t"}
FALSE = {"n", "no", "false", "0", "f", "non-sme"}


def _flag(s: pd.Series) -> pd.Series:
    t = s.astype(str).str.strip().str.lower()
    return t.map(lambda v: True if v in TRUE else False if v in FALSE else None)


def read_suppliers(
    path: Path, con: duckdb.DuckDBPyConnection, anchor_id: str, mapping: dict[str, str] | None = None
) -> importer.Staged:
    path = Path(path)
    staged, tab = importer.begin(path, "suppliers", con, anchor_id, ALIASES, mapping, min_known=1)
    rep = staged.report
    if tab is None:
        return staged
    df = tab.data
    m = dict(mapping) if mapping else propose_mapping(list(df.columns), ALIASES)
    m = {k: v for k, v in m.items() if v in df.columns}
    rep.mapped = staged.mapping = m
    if "name" not in m:
        rep.error = f"no supplier name column found (columns: {', '.join(list(df.columns)[:12])})"
        return staged
    rep.rows_read = len(df)
    sup = pd.DataFrame({"name": df[m["name"]].astype(str).str.strip()})
    for fld in ("postcode", "supplier_ref", "company_number", "charity_number", "country"):
        sup[fld] = df[m[fld]].astype(str).str.strip().replace({"": None}) if fld in m else None
    for fld in ("is_sme", "is_vcse", "is_social_economy"):
        sup[fld] = _flag(df[m[fld]]) if fld in m else None
    lines = tab.line_numbers
    for i, n in enumerate(sup["name"]):
        if not n:
            rep.rejected.append((lines[i], "supplier name is empty"))
    sup["name_norm"] = sup["name"].map(normalise_name)
    sup["is_individual"] = sup["name"].map(is_redacted_individual)
    cur = con.cursor()
    try:
        known = cur.execute(f"SELECT * FROM supplier s WHERE {matchable_suppliers_sql()}", [anchor_id]).df()
        aliases = cur.execute(
            "SELECT supplier_ref, supplier_id FROM supplier_alias WHERE anchor_id = ?", [anchor_id]
        ).df()
        top = cur.execute("SELECT coalesce(max(supplier_id), 0) + 1 FROM supplier").fetchone()
        next_id = int(top[0]) if top else 1
        pcs = set(
            cur.execute(
                "SELECT pcd_key FROM ref_postcode WHERE pcd_key IN (SELECT DISTINCT upper(regexp_replace(x, '[^A-Za-z0-9]', '', 'g')) FROM (SELECT unnest(?) AS x))",
                [sup["postcode"].dropna().tolist()],
            ).df()["pcd_key"]
        )
    finally:
        cur.close()
    by_ref = dict(zip(aliases["supplier_ref"], aliases["supplier_id"]))
    by_name = {n: i for n, i in zip(known["name_norm"], known["supplier_id"]) if n}
    refs_of: dict[int, set] = {}  # supplier -> this anchor's supplier IDs for it
    for ref, sid_ in by_ref.items():
        refs_of.setdefault(int(sid_), set()).add(ref)
    rows, alias_rows, replaced, kept_apart = [], [], [], []
    src = known.set_index("supplier_id") if len(known) else None
    for r in sup.itertuples(index=False):
        if not r.name:
            continue
        sid = by_ref.get(r.supplier_ref) if r.supplier_ref else None
        if sid is None and r.name_norm:
            sid = by_name.get(r.name_norm)
            # same name, but the anchor gives that supplier another ID: two organisations (or two
            # records of one) that a person must decide about, never merged silently
            if sid is not None and r.supplier_ref and refs_of.get(int(sid), set()) - {r.supplier_ref}:
                kept_apart.append((r.name, int(sid)))
                sid = None
        if sid is not None and src is not None and sid in src.index:
            replaced.append(int(sid))
        if sid is None:
            sid = next_id
            next_id += 1
            by_name.setdefault(r.name_norm, sid)
        rows.append(
            {
                "supplier_id": int(sid),
                "name": r.name,
                "name_norm": r.name_norm,
                "postcode": r.postcode,
                "company_number": r.company_number,
                "charity_number": r.charity_number,
                "is_sme": r.is_sme,
                "sme_source": f"supplier list {path.name}" if r.is_sme is not None else None,
                "is_vcse": r.is_vcse if r.is_vcse is not None else (True if r.charity_number else None),
                "vcse_source": f"supplier list {path.name}"
                if r.is_vcse is not None
                else ("charity number" if r.charity_number else None),
                "is_social_economy": r.is_social_economy,
                "social_economy_source": f"supplier list {path.name}"
                if r.is_social_economy is not None
                else None,
                "is_individual": bool(r.is_individual),
                "is_public_body": False,
                "country": (r.country or "UK")
                if isinstance(r.country, str) and r.country.upper() not in ("UNITED KINGDOM", "GB", "ENGLAND")
                else "UK",
            }
        )
        if r.supplier_ref and r.supplier_ref not in by_ref:
            alias_rows.append(
                {"anchor_id": anchor_id, "supplier_ref": r.supplier_ref, "supplier_id": int(sid)}
            )
            by_ref[r.supplier_ref] = int(sid)
            refs_of.setdefault(int(sid), set()).add(r.supplier_ref)
    out = pd.DataFrame(rows).drop_duplicates("supplier_id", keep="last")
    rep.rows_ok = len(out)
    unknown = sorted({p for p in sup["postcode"].dropna() if normalise_pc(p) not in pcs})
    rep.unknown_postcodes = unknown[:2000]
    if unknown:
        rep.notes.append(
            f"{len(unknown):,} postcodes are not in the postcode directory: those suppliers stay 'unknown location'"
        )
    # near matches for review: new names close to an existing supplier's name (never merged)
    new_names = out[~out["supplier_id"].isin(replaced)]["name_norm"].tolist()
    existing = [n for n in known["name_norm"].tolist() if n] if len(known) else []
    show = (
        {**dict(zip(known["name_norm"], known["name"])), **dict(zip(out["name_norm"], out["name"]))}
        if len(known)
        else {}
    )
    rep.near_matches = near_matches(new_names, existing, show=show)
    if rep.near_matches:
        rep.notes.append(
            f"{len(rep.near_matches)} names are close to an existing supplier but were not merged: "
            "review them; if they are the same organisation, use the existing name or the same supplier ID"
        )
    if kept_apart:
        names = {int(i): n for i, n in zip(out["supplier_id"], out["name"])}
        if len(known):
            names = {**dict(zip(known["supplier_id"].astype(int), known["name"])), **names}
        rep.near_matches = [(n, names.get(i, "?"), 100.0) for n, i in kept_apart] + rep.near_matches
        rep.notes.append(
            f"{len(kept_apart):,} rows have the same name as another supplier but a different supplier ID: "
            "kept as separate suppliers, not merged; review them (listed with the near matches)"
        )
    rep.notes.append(
        f"{len(set(replaced)):,} existing suppliers updated, {len(out) - len(set(replaced) & set(out['supplier_id'])):,} new"
    )
    staged.frames["supplier"] = out
    staged.frames["supplier_alias"] = pd.DataFrame(alias_rows) if alias_rows else pd.DataFrame()
    staged.delete_ids = {"supplier": ("supplier_id", replaced)}
    return staged


def normalise_pc(p: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]", "", str(p)).upper()
