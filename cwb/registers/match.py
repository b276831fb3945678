"""Match payees to register entries: identifiers first, then names; confidence and evidence.

Order of evidence, strongest first:

1. an identifier on the supplier record or in the payee text: company number, charity number
   (the anchor's supplier list, a 360Giving file, a payee written 'ACME LTD (Company No 01234567)');
2. the normalised name equal to one organisation's current name (0.97) or a previous / other
   name (0.92) in the registers; the anchor's postcode equal to the register's adds confidence;
3. a similar name found by blocking (first word + first letter of the second) and scored with
   rapidfuzz: accepted automatically only when the words are the same in another order or
   differ by one typing error in one long word, the numbers are equal and no other
   organisation scores as well; otherwise it is queued for review with its candidates.

Never matched: payees that are individuals or redacted, payees that look like a person
('Mr J Smith'), names of fewer than four letters, and anything below the threshold
(CWB_MATCH_THRESHOLD, default 0.9), which goes to the review queue instead.
A match to a dissolved or dormant entry, or to a name two organisations share, is never
automatic.
"""

from __future__ import annotations

import json
import re
import time

import duckdb
import pandas as pd

from cwb import config, db
from cwb.registers import load as reg_load

THRESHOLD = float(config.get("CWB_MATCH_THRESHOLD"))
PERSON_RE = re.compile(r"^\s*(mr|mrs|ms|miss|mx|dr|rev|revd|prof|sir|dame|lady|lord)\.?\s+[a-z]", re.I)
_ID_IN_TEXT = re.compile(
    r"\b(?:company|co|reg(?:istered)?|crn)\.?\s*(?:no|number|num|reg)?\.?\s*[:#]?\s*((?:SC|NI|OC|SO|NC|R0|IP|RS)?\d{6,8})\b",
    re.I,
)
_CHARITY_IN_TEXT = re.compile(
    r"\b(?:charity|reg(?:istered)? charity)\s*(?:no|number)?\.?\s*[:#]?\s*(\d{6,7}|SC\d{6})\b", re.I
)
PUBLIC_KINDS = ("public_bodies", "councils", "nhs_ods")
LEGAL_RE = re.compile(r"\b(ltd|limited|llp|plc|cic|c\.i\.c|lp|cio)\b\.?", re.I)


INITIALS_RE = re.compile(r"^\s*([A-Z]\.?\s+){1,3}[A-Z][A-Za-z'-]+\s*$", re.I)


def looks_like_person(name: str) -> bool:
    """'Mr J Smith', 'Mrs E K Walker', 'R J Taylor' (initials and a surname, no legal form)."""
    return bool(PERSON_RE.match(name or "") or INITIALS_RE.match(name or ""))


def _ids_in_text(name: str) -> tuple[str | None, str | None]:
    co = _ID_IN_TEXT.search(name or "")
    ch = _CHARITY_IN_TEXT.search(name or "")
    return (co.group(1).upper() if co else None, ch.group(1).upper() if ch else None)


def has_registers(con: duckdb.DuckDBPyConnection) -> bool:
    if not db.table_exists(con, "reg_source"):
        return False
    cur = con.cursor()
    try:
        return cur.execute("SELECT count(*) FROM reg_source").fetchall()[0][0] > 0
    finally:
        cur.close()


def _tokens_close(a: str, b: str) -> str | None:
    """Why two normalised names may be taken as the same without review, or None."""
    from rapidfuzz.distance import Levenshtein

    ta, tb = a.split(), b.split()
    if sorted(ta) == sorted(tb):
        return "same words in another order"
    if len(ta) != len(tb) or re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return None
    diff = [(x, y) for x, y in zip(ta, tb) if x != y]
    if len(diff) == 1:
        x, y = diff[0]
        if min(len(x), len(y)) >= 5 and not re.search(r"\d", x + y) and Levenshtein.distance(x, y) <= 1:
            return f"one typing error ('{x}' / '{y}')"
    return None


def update(
    con: duckdb.DuckDBPyConnection, full: bool = False, threshold: float | None = None, log=None
) -> dict:
    """Match every payee name not matched yet (all of them with ``full``) to the registers and
    store the result in supplier_match. Returns counts and timings."""
    threshold = THRESHOLD if threshold is None else threshold
    t0 = time.perf_counter()
    out = {"payees": 0, "auto": 0, "queued": 0, "none": 0, "seconds": 0.0}
    if not has_registers(con):  # nothing loaded: nothing to do (and no figure changes)
        return out
    cur = con.cursor()
    try:
        if full:
            cur.execute("DELETE FROM supplier_match")
        pay = cur.execute("""
            SELECT name_norm, min(name) AS name, min(company_number) AS company_number,
                   min(charity_number) AS charity_number, min(pcd_key(postcode)) AS pc
            FROM supplier
            WHERE NOT is_individual AND name_norm <> ''
              AND name_norm NOT IN (SELECT name_norm FROM supplier_match)
            GROUP BY name_norm""").df()
    finally:
        cur.close()
    if pay.empty:
        return out
    never = pay["name"].map(looks_like_person)
    ids = pay["name"].map(_ids_in_text)
    pay["co_text"] = [i[0] for i in ids]
    pay["ch_text"] = [i[1] for i in ids]
    rows: dict[str, dict] = {}
    for nn in pay.loc[never, "name_norm"]:
        rows[nn] = {"name_norm": nn, "status": "none", "evidence": "looks like a person: never matched"}
    pay = pay[~never]
    cur = con.cursor()
    try:
        cur.register("_pay_df", pay)
        cur.execute("""CREATE OR REPLACE TEMP TABLE _pay AS
            SELECT name_norm, name, reg_norm(regexp_replace(name, '\\(?\\b(company|co|reg|registered|charity|crn)\\.?\\s*(no|number)?\\.?\\s*[:#]?\\s*[A-Z]{0,2}[0-9]{6,8}\\)?', '', 'gi')) AS mkey,
                   company_key(coalesce(company_number, co_text)) AS cno,
                   charity_key(coalesce(charity_number, ch_text)) AS chno,
                   nullif(pc, '') AS pc,
                   company_number IS NULL AND co_text IS NOT NULL AS co_from_text,
                   charity_number IS NULL AND ch_text IS NOT NULL AS ch_from_text
            FROM _pay_df""")
        cur.unregister("_pay_df")
        ent_cols = (
            "e.kind, e.reg_id, e.name AS reg_name, e.postcode AS reg_postcode, e.legal_form, e.status, "
            "e.active, e.accounts_category, "
            "coalesce(CASE WHEN e.kind = 'companies' THEN e.reg_id END, company_key(e.company_number), "
            "e.kind || ':' || e.reg_id) AS org"
        )
        # 1. identifiers
        idm = cur.execute(f"""
            SELECT p.name_norm, {ent_cols}, 'company number' AS method,
                   'company number ' || e.reg_id || CASE WHEN p.co_from_text THEN ' written in the payee name'
                        ELSE ' on the supplier record' END AS evidence
            FROM _pay p JOIN reg_entity e ON e.kind = 'companies' AND e.reg_id = p.cno
            UNION ALL
            SELECT p.name_norm, {ent_cols}, 'charity number',
                   'charity number ' || e.reg_id || CASE WHEN p.ch_from_text THEN ' written in the payee name'
                        ELSE ' on the supplier record' END
            FROM _pay p JOIN reg_entity e ON e.kind IN ('ccew', 'oscr', 'ccni') AND charity_key(e.reg_id) = p.chno""").df()
        # 2. exact names (current and previous)
        ex = cur.execute(f"""
            SELECT p.name_norm, p.name AS payee_name, p.pc, n.is_previous, {ent_cols}, n.name_norm AS matched_key
            FROM _pay p JOIN reg_name n ON n.name_norm = p.mkey
            JOIN reg_entity e ON e.kind = n.kind AND e.reg_id = n.reg_id
            WHERE p.mkey <> ''
            UNION ALL
            SELECT p.name_norm, p.name, p.pc, true, {ent_cols}, n.name_norm
            FROM _pay p JOIN reg_name n ON n.kind = 'councils' AND n.name_norm = 'COUNCIL:' || council_key(p.mkey)
            JOIN reg_entity e ON e.kind = n.kind AND e.reg_id = n.reg_id
            WHERE regexp_matches(p.mkey, '\\b(COUNCIL|BOROUGH|MBC)\\b') AND NOT regexp_matches(p.mkey, '\\b(PARISH|TOWN|COMMUNITY|ASSOCIATIONS?)\\b')
              AND council_key(p.mkey) <> ''""").df()
        ex = ex.drop_duplicates(["name_norm", "kind", "reg_id"])
        t_exact = time.perf_counter() - t0
        # 3. similar names by blocking, the 8 best by Jaro-Winkler per payee, rescored below
        done = set(idm["name_norm"]) | set(ex["name_norm"])
        cur.register("_done", pd.DataFrame({"name_norm": sorted(done) or [""]}))
        fz = cur.execute(f"""
            WITH q AS (SELECT * FROM _pay WHERE mkey <> '' AND length(replace(mkey, ' ', '')) >= 4
                       AND name_norm NOT IN (SELECT name_norm FROM _done)),
            c AS (SELECT q.name_norm, q.mkey, q.pc, n.kind, n.reg_id, n.name_norm AS matched_key, n.is_previous,
                         jaro_winkler_similarity(q.mkey, n.name_norm) AS jw
                  FROM q JOIN reg_name n ON n.block_key = reg_block(q.mkey)
                  QUALIFY row_number() OVER (PARTITION BY q.name_norm ORDER BY jw DESC, n.reg_id) <= 8)
            SELECT c.name_norm, c.mkey, c.pc, c.matched_key, c.is_previous, c.jw, {ent_cols}
            FROM c JOIN reg_entity e ON e.kind = c.kind AND e.reg_id = c.reg_id
            WHERE c.jw >= 0.8""").df()
        cur.unregister("_done")
    finally:
        cur.close()
    t_block = time.perf_counter() - t0 - t_exact
    from rapidfuzz import fuzz

    def cand(r, score) -> dict:
        return {
            "kind": r["kind"],
            "reg_id": r["reg_id"],
            "name": r["reg_name"],
            "postcode": r["reg_postcode"],
            "legal_form": r["legal_form"],
            "status": r["status"],
            "score": round(float(score), 3),
        }

    def dormant(r) -> bool:
        return str(r.get("accounts_category") or "").upper() == "DORMANT"

    for r in sorted(idm.to_dict("records"), key=lambda r: r["kind"] != "companies"):
        if r["name_norm"] in rows:
            continue
        rows[r["name_norm"]] = {
            "name_norm": r["name_norm"],
            "status": "auto",
            "kind": r["kind"],
            "reg_id": r["reg_id"],
            "confidence": 1.0,
            "method": r["method"],
            "evidence": r["evidence"],
            "candidates": [cand(r, 1.0)],
        }

    def groups(df):
        out: dict[str, list[dict]] = {}
        for r in df.to_dict("records"):
            out.setdefault(r["name_norm"], []).append(r)
        return out

    def first_by_org(rs):
        seen, out = set(), []
        for r in rs:
            if r["org"] not in seen:
                seen.add(r["org"])
                out.append(r)
        return out

    for nn, g in groups(ex).items():
        if nn in rows:
            continue
        by_key = [r for r in g if str(r["matched_key"]).startswith("COUNCIL:")]
        if len(by_key) < len(g):  # the name itself beats the council key ('Pendle' for 'Borough of Pendle')
            g = [r for r in g if not str(r["matched_key"]).startswith("COUNCIL:")]
        act = [r for r in g if r["active"] is True or r["active"] == 1]
        pool = act or g
        use = [r for r in pool if not r["is_previous"]] or pool
        orgs = len({r["org"] for r in use})
        use = sorted(use, key=lambda r: r["kind"] != "companies")
        r = use[0]
        conf = 0.97 if not r["is_previous"] else 0.92
        why = [
            f"name equal to the register's {'previous or other name' if r['is_previous'] else 'name'} "
            f"'{r['reg_name']}' ({r['kind']} {r['reg_id']})"
        ]
        if orgs > 1:
            conf = 0.6
            why.append(f"{orgs} organisations have this name: choose one")
        if not act and r["kind"] not in PUBLIC_KINDS:  # a council that has since merged was still public
            conf = min(conf, 0.7)
            why.append(f"the register entry is not active ({r['status']})")
        if dormant(r):
            conf = min(conf, 0.75)
            why.append("dormant company (accounts category DORMANT): probably not the trading entity")
        if len(nn.replace(" ", "")) < 4:
            conf = min(conf, 0.8)
            why.append("very short name")
        same_pc = bool(
            r["pc"] and r["reg_postcode"] and re.sub(r"\s", "", str(r["reg_postcode"]).upper()) == r["pc"]
        )
        if (
            " " not in nn
            and r["kind"] not in PUBLIC_KINDS
            and not same_pc
            and not LEGAL_RE.search(str(r["payee_name"]))
        ):
            conf = min(conf, 0.85)
            why.append("one word and no legal form (Ltd, LLP...): another firm may trade under it")
        if same_pc:
            conf = min(1.0, conf + 0.02)
            why.append("same postcode as the supplier record")
        cands = [cand(x, 1.0) for x in first_by_org(use)[:3]]
        rows[nn] = {
            "name_norm": nn,
            "status": "auto" if conf >= threshold else "queued",
            "kind": r["kind"],
            "reg_id": r["reg_id"],
            "confidence": round(conf, 3),
            "method": "previous name" if r["is_previous"] else "exact name",
            "evidence": "; ".join(why),
            "candidates": cands,
        }
    for nn, g in groups(fz).items():
        if nn in rows:
            continue
        mk = g[0]["mkey"]
        for x in g:
            x["score"] = fuzz.token_sort_ratio(mk, x["matched_key"]) / 100
        g = first_by_org(sorted(g, key=lambda x: (-x["score"], not bool(x["active"]))))
        best = g[0]
        if best["score"] < 0.8:
            continue
        close = _tokens_close(mk, best["matched_key"])
        rival = len(g) > 1 and g[1]["score"] >= best["score"] - 0.05
        same_pc = bool(
            best["pc"]
            and best["reg_postcode"]
            and re.sub(r"\s", "", str(best["reg_postcode"]).upper()) == best["pc"]
        )
        conf = round(0.85 * best["score"], 3)
        why = [
            f"similar name '{best['reg_name']}' ({best['kind']} {best['reg_id']}), score {best['score']:.2f}"
        ]
        if close and not rival and bool(best["active"]) and not dormant(best):
            conf = 0.93 if close.startswith("same words") else 0.91
            why.append(close)
        elif rival:
            why.append("another organisation scores as well")
        if same_pc and best["score"] >= 0.9 and not rival:
            conf = max(conf, 0.92)
            why.append("same postcode as the supplier record")
        if best["is_previous"]:
            why.append("matched a previous name")
        rows[nn] = {
            "name_norm": nn,
            "status": "auto" if conf >= threshold else "queued",
            "kind": best["kind"],
            "reg_id": best["reg_id"],
            "confidence": conf,
            "method": "similar name",
            "evidence": "; ".join(why),
            "candidates": [cand(x, x["score"]) for x in g[:3]],
        }
    for nn in pay["name_norm"]:
        rows.setdefault(
            nn,
            {"name_norm": nn, "status": "none", "evidence": "no register entry with this or a similar name"},
        )
    res = pd.DataFrame(list(rows.values()))
    for c in ("kind", "reg_id", "confidence", "method", "evidence", "candidates"):
        if c not in res.columns:
            res[c] = None
    res["candidates"] = res["candidates"].map(lambda c: json.dumps(c) if isinstance(c, list) else None)
    res["confidence"] = pd.to_numeric(res["confidence"], errors="coerce")
    res = res[["name_norm", "status", "kind", "reg_id", "confidence", "method", "evidence", "candidates"]]
    with db.transaction(con) as cur:
        cur.register("_res", res)
        cur.execute(
            "INSERT OR REPLACE INTO supplier_match (name_norm, status, kind, reg_id, confidence, method, evidence, candidates) "
            "SELECT name_norm, status, kind, reg_id, confidence, method, evidence, candidates FROM _res"
        )
        cur.unregister("_res")
    vc = res["status"].value_counts()
    out.update(
        payees=len(res),
        auto=int(vc.get("auto", 0)),
        queued=int(vc.get("queued", 0)),
        none=int(vc.get("none", 0)),
        seconds=round(time.perf_counter() - t0, 2),
        seconds_exact=round(t_exact, 2),
        seconds_blocking=round(t_block, 2),
        fuzzy_pairs=len(fz),
    )
    if log:
        log(
            f"matched {out['payees']:,} payee names in {out['seconds']:.1f} s: {out['auto']:,} automatically, "
            f"{out['queued']:,} to review, {out['none']:,} with no candidate"
        )
    return out


def search(con: duckdb.DuckDBPyConnection, text: str, limit: int = 20) -> pd.DataFrame:
    """Register entries for a reviewer's search: by number, by exact name, then by words."""
    reg_load.ensure_schema(con)
    text = (text or "").strip()
    cols = "e.kind, e.reg_id, e.name, e.postcode, e.legal_form, e.status, e.accounts_category"
    if not text:
        return pd.DataFrame(
            columns=[
                "kind",
                "reg_id",
                "name",
                "postcode",
                "legal_form",
                "status",
                "accounts_category",
                "score",
            ]
        )
    cur = con.cursor()
    try:
        return cur.execute(
            f"""
            WITH k AS (SELECT reg_norm($t) AS q, company_key($t) AS cn, upper(trim($t)) AS raw),
            hits AS (
                SELECT e.kind, e.reg_id, 1.0 AS score FROM reg_entity e, k
                 WHERE e.reg_id = k.cn OR e.reg_id = k.raw
                UNION ALL
                SELECT n.kind, n.reg_id, 0.99 FROM reg_name n, k WHERE n.name_norm = k.q AND k.q <> ''
                UNION ALL
                SELECT n.kind, n.reg_id, jaro_winkler_similarity(k.q, n.name_norm) FROM reg_name n, k
                 WHERE k.q <> '' AND n.block_key = reg_block(k.q)
                UNION ALL
                SELECT n.kind, n.reg_id, 0.5 + 0.4 * length(k.q) / greatest(length(n.name_norm), 1) FROM reg_name n, k
                 WHERE length(k.q) >= 3 AND contains(n.name_norm, k.q)
            ),
            best AS (SELECT kind, reg_id, max(score) AS score FROM hits GROUP BY ALL ORDER BY score DESC LIMIT $lim)
            SELECT {cols}, round(b.score, 3) AS score
            FROM best b JOIN reg_entity e USING (kind, reg_id)
            ORDER BY score DESC, e.active DESC, e.name""",
            {"t": text, "lim": int(limit)},
        ).df()
    finally:
        cur.close()
