"""The review queue and reviewers' decisions.

Decisions are stored by the payee's name key (``supplier.name_norm``), not by supplier record:
they survive re-importing a file, undoing an unrelated file and loading a newer register, and
they apply to every anchor that pays the same payee. Every decision is a new row (the latest
counts; 'clear' withdraws) and is written to the audit log.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd

from cwb import build, db
from cwb.registers import load as reg_load

ACTIONS = {
    "accept": "this register entry is the payee",
    "reject": "this candidate is not the payee",
    "no_match": "none of the candidates is the payee (leave unmatched)",
    "public_body": "a public body (council, NHS, government): not influenceable spend",
    "individual": "a person: never shown, never located",
    "outside_uk": "based outside the UK",
    "postcode": "located by hand at the postcode given",
    "clear": "withdraw the previous decision",
}
EXPORT_COLUMNS = [
    "rank",
    "payee_key",
    "payee",
    "spend_gbp",
    "anchors",
    "status",
    "confidence",
    "evidence",
    "candidate_1",
    "candidate_1_id",
    "candidate_1_postcode",
    "candidate_1_score",
    "candidate_2",
    "candidate_2_id",
    "candidate_2_postcode",
    "candidate_2_score",
    "candidate_3",
    "candidate_3_id",
    "candidate_3_postcode",
    "candidate_3_score",
    "decision",
    "register_id",
    "postcode",
    "note",
]


class ReviewError(ValueError):
    pass


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The register and decision tables exist (a database made before registers)."""
    reg_load.ensure_schema(con)


def all_years() -> tuple[str, str]:
    return ("0000-00", "9999-99")


def queue(
    con: duckdb.DuckDBPyConnection,
    scope_anchor_ids: list[str],
    fy_from: str = "0000-00",
    fy_to: str = "9999-99",
    include_decided: bool = False,
    search: str = "",
    row_limit: int = 0,
) -> pd.DataFrame:
    """The review queue (``review_queue.sql``): the first ``row_limit`` payees by spend (0 = all),
    each row carrying ``n_rows``, the length of the whole queue."""
    reg_load.ensure_schema(con)
    return db.run(
        "review_queue",
        con,
        scope_anchor_ids=list(scope_anchor_ids),
        fy_from=fy_from,
        fy_to=fy_to,
        include_decided=include_decided,
        search=search or "",
        row_limit=row_limit,
    )


def candidates(row) -> list[dict]:
    c = row.get("candidates") if isinstance(row, dict) else row["candidates"]
    if not isinstance(c, str) or not c:
        return []
    return json.loads(c)


def rejected(con: duckdb.DuckDBPyConnection, name_norm: str) -> set[str]:
    """'kind:reg_id' of the candidates reviewers rejected for this payee (still in force)."""
    reg_load.ensure_schema(con)
    cur = con.cursor()
    try:
        rows = cur.execute(
            """SELECT d.kind || ':' || d.reg_id FROM supplier_decision d WHERE d.name_norm = ? AND d.action = 'reject'
            AND NOT EXISTS (SELECT 1 FROM supplier_decision c WHERE c.name_norm = d.name_norm AND c.action = 'clear'
                            AND c.decision_id > d.decision_id)""",
            [name_norm],
        ).fetchall()
    finally:
        cur.close()
    return {r[0] for r in rows}


def decide(
    con: duckdb.DuckDBPyConnection,
    name_norm: str,
    action: str,
    who: str = "local",
    kind: str | None = None,
    reg_id: str | None = None,
    postcode: str | None = None,
    note: str | None = None,
    network_id: str | None = None,
    refresh: bool = True,
) -> None:
    """Record one decision (validated) and, with ``refresh``, rebuild the figures."""
    record(
        con,
        [dict(name_norm=name_norm, action=action, kind=kind, reg_id=reg_id, postcode=postcode, note=note)],
        who=who,
        network_id=network_id,
    )
    if refresh:
        build.refresh(con)


def _check(cur, d: dict, where: str) -> dict:
    a = (d.get("action") or "").strip().lower().replace(" ", "_").replace("-", "_")
    a = {
        "yes": "accept",
        "y": "accept",
        "no": "reject",
        "n": "reject",
        "public": "public_body",
        "person": "individual",
        "overseas": "outside_uk",
        "none": "no_match",
    }.get(a, a)
    if a not in ACTIONS:
        raise ReviewError(f"{where}: decision '{d.get('action')}' is not one of {', '.join(ACTIONS)}")
    nn = (d.get("name_norm") or "").strip()
    if not nn or not cur.execute("SELECT count(*) FROM supplier WHERE name_norm = ?", [nn]).fetchone()[0]:
        raise ReviewError(
            f"{where}: payee key '{nn}' is not a known payee (do not edit the payee_key column)"
        )
    kind, rid = (
        (d.get("kind") or None),
        (str(d.get("reg_id")).strip() if d.get("reg_id") not in (None, "") else None),
    )
    if a in ("accept", "reject"):
        if not rid:
            raise ReviewError(
                f"{where}: '{a}' needs the register id (register_id column, e.g. a candidate's id)"
            )
        if ":" in rid and not kind:
            kind, rid = rid.split(":", 1)
        q = "SELECT kind, reg_id FROM reg_entity WHERE reg_id = ?" + (" AND kind = ?" if kind else "")
        found = cur.execute(q, [rid] + ([kind] if kind else [])).fetchall()
        if not found:
            raise ReviewError(f"{where}: register id '{rid}' is not in the loaded registers")
        kind, rid = found[0]
    pc = (d.get("postcode") or "").strip() or None
    if a == "postcode":
        if not pc:
            raise ReviewError(f"{where}: 'postcode' needs the postcode (postcode column)")
        if not cur.execute("SELECT count(*) FROM ref_postcode WHERE pcd_key = pcd_key(?)", [pc]).fetchone()[
            0
        ]:
            raise ReviewError(f"{where}: postcode '{pc}' is not in the postcode directory")
    return dict(name_norm=nn, action=a, kind=kind, reg_id=rid, postcode=pc, note=(d.get("note") or None))


def record(
    con: duckdb.DuckDBPyConnection, decisions: list[dict], who: str = "local", network_id: str | None = None
) -> int:
    """Validate every decision, then store them all in one transaction (nothing half-applied)."""
    reg_load.ensure_schema(con)
    with db.transaction(con) as cur:
        clean = [_check(cur, d, d.get("_where", f"decision {i + 1}")) for i, d in enumerate(decisions)]
        for d in clean:
            cur.execute(
                "INSERT INTO supplier_decision (name_norm, action, kind, reg_id, postcode, note, network_id, decided_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    d["name_norm"],
                    d["action"],
                    d["kind"],
                    d["reg_id"],
                    d["postcode"],
                    d["note"],
                    network_id,
                    who,
                ],
            )
            cur.execute(
                "INSERT INTO audit_log (who, action, detail) VALUES (?, 'supplier decision', ?)",
                [who, json.dumps(d)],
            )
    return len(clean)


def export_csv(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    scope_anchor_ids: list[str],
    top: int = 300,
    include_decided: bool = False,
) -> int:
    """Write the queue for Excel: fill 'decision' (and 'register_id' / 'postcode'), then --apply it."""
    q = queue(con, scope_anchor_ids, include_decided=include_decided).head(top)
    rows = []
    for r in q.to_dict("records"):
        out = {
            "rank": r["rank"],
            "payee_key": r["name_norm"],
            "payee": r["payee"],
            "spend_gbp": f"{float(r['spend_gbp']):.2f}",
            "anchors": r["anchors"],
            "status": r["status"],
            "confidence": "" if pd.isna(r["confidence"]) else f"{r['confidence']:.2f}",
            "evidence": r["evidence"] or "",
            "decision": "",
            "register_id": "",
            "postcode": "",
            "note": "",
        }
        for i, c in enumerate(candidates(r)[:3], 1):
            out[f"candidate_{i}"] = (
                f"{c['name']} ({c.get('legal_form') or c['kind']}, {c.get('status') or ''})"
            )
            out[f"candidate_{i}_id"] = f"{c['kind']}:{c['reg_id']}"
            out[f"candidate_{i}_postcode"] = c.get("postcode") or ""
            out[f"candidate_{i}_score"] = c.get("score")
        rows.append(out)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: _safe(r.get(k, "")) for k in EXPORT_COLUMNS})
    return len(rows)


def _safe(v):
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t") else s


def apply_csv(
    con: duckdb.DuckDBPyConnection, path: str | Path, who: str = "local", network_id: str | None = None
) -> int:
    """Apply a filled-in export. Rows with an empty 'decision' are skipped; any invalid row
    rejects the whole file (the message names the line and the reason)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    need = {"payee_key", "decision"}
    if not need <= set(df.columns):
        raise ReviewError(
            f"{Path(path).name}: columns {', '.join(sorted(need - set(df.columns)))} missing: "
            "start from 'python -m cwb suppliers review --export F.csv'"
        )
    ds = []
    for i, r in enumerate(df.to_dict("records")):
        act = (r.get("decision") or "").strip()
        if not act:
            continue
        rid = (r.get("register_id") or "").strip()
        if not rid and act.lower() in ("accept", "yes", "y", "reject", "no", "n"):
            rid = (r.get("candidate_1_id") or "").strip()
        ds.append(
            {
                "name_norm": r["payee_key"].lstrip("'"),
                "action": act,
                "reg_id": rid or None,
                "postcode": r.get("postcode"),
                "note": r.get("note"),
                "_where": f"line {i + 2}",
            }
        )
    n = record(con, ds, who=who, network_id=network_id)
    if n:
        build.refresh(con)
    return n


def located_by_method(
    con: duckdb.DuckDBPyConnection, network_id: str, anchor_ids: list[str], fy: str
) -> pd.DataFrame:
    return db.run("located_by_method", con, network_id=network_id, anchor_ids=list(anchor_ids), fy=fy)
