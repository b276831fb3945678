"""Import framework: read -> report -> commit (one transaction) or cancel; undo by file.

- A file is identified by the SHA-256 of its content: importing the same file again adds nothing.
- Nothing is written until :func:`commit`; a file with any rejected row is rejected whole
  (the report says which rows and why); a failure at any point leaves the database as it was.
- The original file is kept under CWB_ORIGINALS so an import can be audited and undone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cwb import audit, build, config, db

KINDS = ("payments", "suppliers", "workforce", "assets", "targets")


@dataclass
class Report:
    file_name: str
    kind: str
    sha256: str
    rows_read: int = 0
    rows_ok: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (line number in the file, reason)
    total_gbp: str | None = None
    date_min: str | None = None
    date_max: str | None = None
    mapped: dict[str, str] = field(default_factory=dict)            # field -> column in the file
    unmatched_suppliers: list[str] = field(default_factory=list)
    unknown_postcodes: list[str] = field(default_factory=list)
    near_matches: list[tuple[str, str, float]] = field(default_factory=list)  # (name in file, existing supplier, score)
    notes: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    error: str | None = None                                        # the whole file could not be read

    @property
    def ok(self) -> bool:
        return self.error is None and not self.rejected and self.duplicate_of is None and self.rows_ok > 0

    def text(self) -> str:
        lines = [f"{self.file_name} ({self.kind})"]
        if self.error:
            lines.append(f"  REJECTED: {self.error}")
        if self.duplicate_of is not None:
            lines.append(f"  already imported as file {self.duplicate_of}: nothing to add")
        lines.append(f"  rows read: {self.rows_read:,}; rows ready: {self.rows_ok:,}; rows rejected: {len(self.rejected):,}")
        if self.total_gbp is not None:
            lines.append(f"  total £: {self.total_gbp}")
        if self.date_min:
            lines.append(f"  dates: {self.date_min} to {self.date_max}")
        if self.mapped:
            lines.append("  columns: " + ", ".join(f"{k} <- '{v}'" for k, v in self.mapped.items()))
        for n in self.notes:
            lines.append(f"  note: {n}")
        for line, reason in self.rejected[:20]:
            lines.append(f"  line {line}: {reason}")
        if len(self.rejected) > 20:
            lines.append(f"  ... and {len(self.rejected) - 20:,} more rejected rows")
        if self.unmatched_suppliers:
            lines.append(f"  unmatched suppliers: {len(self.unmatched_suppliers):,} (e.g. {', '.join(self.unmatched_suppliers[:5])})")
        if self.near_matches:
            lines.append(f"  near matches to review (not merged): {len(self.near_matches):,}")
            for new, old, score in self.near_matches[:10]:
                lines.append(f"    '{new}' ~ existing '{old}' ({score:.0f}/100)")
        if self.unknown_postcodes:
            lines.append(f"  unknown postcodes: {len(self.unknown_postcodes):,} (e.g. {', '.join(self.unknown_postcodes[:5])})")
        if self.error is None and self.rejected:
            lines.append("  The file is rejected whole: fix these rows (or the column mapping) and import it again.")
        return "\n".join(lines)


@dataclass
class Staged:
    """A read file waiting for commit: the frames per target table and the report."""

    path: Path
    report: Report
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    anchor_id: str | None = None
    mapping: dict[str, Any] = field(default_factory=dict)
    replace_tables: list[str] = field(default_factory=list)   # tables whose rows for this anchor are replaced
    delete_ids: dict[str, tuple[str, list]] = field(default_factory=dict)  # table -> (key column, ids) replaced
    upsert_keys: dict[str, list[str]] = field(default_factory=dict)        # table -> key columns replaced


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def already_imported(con: duckdb.DuckDBPyConnection, sha: str) -> int | None:
    cur = con.cursor()
    try:
        row = cur.execute("SELECT file_id FROM source_file WHERE sha256 = ?", [sha]).fetchone()
        return row[0] if row else None
    finally:
        cur.close()


def _table_columns(cur, table: str) -> list[str]:
    return [r[0] for r in cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()]


# Undo journal. Rows a commit deletes (replaced by the new file) are copied to undo_<table>
# with the file that replaced them (replaced_by) and the file that had brought them in
# (origin_file); rows of tables without a source_file_id column record their keys in
# undo_added_<table>. Undo removes what a file brought in and puts back what it replaced.
KEYS = {
    "supplier": ["supplier_id"],
    "asset": ["asset_id"],
    "asset_year": ["asset_id", "financial_year"],
    "target": ["indicator", "scope_type", "scope_id", "financial_year"],
    "workforce_area": ["anchor_id", "financial_year"],
    "workforce_anchor": ["anchor_id", "financial_year"],
}
NO_SOURCE_COLUMN = ("asset_year", "target")       # rows carry no source_file_id: keys journaled on insert


def _ensure_journal(cur, table: str) -> None:
    cur.execute(f"CREATE TABLE IF NOT EXISTS undo_{table} AS "
                f"SELECT *, 0::INTEGER AS replaced_by, 0::INTEGER AS origin_file FROM {table} WHERE false")
    if table in NO_SOURCE_COLUMN:
        keys = ", ".join(KEYS[table])
        cur.execute(f"CREATE TABLE IF NOT EXISTS undo_added_{table} AS SELECT {keys}, 0::INTEGER AS file_id FROM {table} WHERE false")


def _origin_expr(table: str) -> str:
    if table in NO_SOURCE_COLUMN:
        cond = " AND ".join(f"a.{k} IS NOT DISTINCT FROM t.{k}" for k in KEYS[table])
        return f"(SELECT max(a.file_id) FROM undo_added_{table} a WHERE {cond})"
    return "t.source_file_id"


def _journal_delete(cur, table: str, where: str, params: list, file_id: int) -> None:
    """Delete rows of ``table`` matching ``where`` (on alias t), keeping a copy for undo."""
    if table in KEYS:
        _ensure_journal(cur, table)
        jcols = [c for c in _table_columns(cur, f"undo_{table}") if c not in ("replaced_by", "origin_file")]
        cols = [c for c in jcols if c in _table_columns(cur, table)]
        cur.execute(f"INSERT INTO undo_{table} ({', '.join(cols)}, replaced_by, origin_file) "
                    f"SELECT {', '.join('t.' + c for c in cols)}, {int(file_id)}, {_origin_expr(table)} FROM {table} t WHERE {where}",
                    params)
    cur.execute(f"DELETE FROM {table} t WHERE {where}", params)


def commit(con: duckdb.DuckDBPyConnection, staged: Staged, who: str = "local", refresh: bool = True) -> int:
    """Write a staged file in one transaction; returns its file_id. Raises if the report is not ok."""
    rep = staged.report
    if not rep.ok:
        raise ValueError(f"{rep.file_name}: not imported: " + (rep.error or (
            "already imported" if rep.duplicate_of is not None else f"{len(rep.rejected)} rows rejected" if rep.rejected
            else "no rows")))
    originals = Path(config.get("CWB_ORIGINALS"))
    originals.mkdir(parents=True, exist_ok=True)
    stored = originals / f"{rep.sha256[:16]}_{Path(rep.file_name).name}"
    if personal_rows(rep):
        stored = stored.with_suffix(".counts.csv")
    with db.transaction(con) as cur:
        file_id = cur.execute(
            "INSERT INTO source_file (sha256, file_name, kind, anchor_id, imported_by, rows_loaded, total_gbp, stored_path, mapping_json)"
            " VALUES (?, ?, ?, ?, ?, ?, CAST(? AS DECIMAL(18,2)), ?, ?) RETURNING file_id",
            [rep.sha256, rep.file_name, rep.kind, staged.anchor_id, who, rep.rows_ok, rep.total_gbp, str(stored),
             json.dumps(staged.mapping, default=str)]).fetchone()[0]
        for table in staged.replace_tables:
            _journal_delete(cur, table, "t.anchor_id = ?", [staged.anchor_id], file_id)
        for table, (col, ids) in staged.delete_ids.items():
            if ids:
                _journal_delete(cur, table, f"list_contains(?, t.{col})", [list(ids)], file_id)
        for table, frame in staged.frames.items():
            if frame is None or frame.empty:
                continue
            cols = _table_columns(cur, table)
            f = frame.copy()
            if "source_file_id" in cols:
                f["source_file_id"] = file_id
            use = [c for c in cols if c in f.columns]
            cur.register("_stage", f[use])
            if table in staged.upsert_keys:
                keys = staged.upsert_keys[table]
                _journal_delete(cur, table, f"({', '.join('t.' + k for k in keys)}) IN (SELECT ({', '.join(keys)}) FROM _stage)",
                                [], file_id)
            cur.execute(f"INSERT INTO {table} ({', '.join(use)}) SELECT {', '.join(use)} FROM _stage")
            if table in NO_SOURCE_COLUMN:
                _ensure_journal(cur, table)
                keys = ", ".join(KEYS[table])
                cur.execute(f"INSERT INTO undo_added_{table} SELECT DISTINCT {keys}, {int(file_id)} FROM _stage")
            cur.unregister("_stage")
        cur.execute("INSERT INTO audit_log (who, action, detail) VALUES (?, 'import', ?)",
                    [who, f"file {file_id}: {rep.file_name} ({rep.kind}, {rep.rows_ok} rows, sha256 {rep.sha256[:12]})"])
        _fault_pause()
    if not stored.exists():
        if personal_rows(rep) or not staged.path.exists():
            # an HR extract is personal data: keep only what was stored (the counts by area)
            for frame in staged.frames.values():
                if frame is not None and not frame.empty:
                    frame.to_csv(stored, index=False)
                    break
        else:
            shutil.copyfile(staged.path, stored)
    if refresh:
        build.refresh(con)
    return file_id


def personal_rows(rep: Report) -> bool:
    """True for files with one row per person (HR extracts): never kept as they came."""
    return rep.kind == "workforce" and any("HR extract" in n for n in rep.notes)


def _fault_pause() -> None:
    """Crash-safety tests set CWB_TEST_PAUSE_BEFORE_COMMIT (seconds) to kill the process while
    the transaction is open. Unset in normal use."""
    import os
    import time

    pause = os.environ.get("CWB_TEST_PAUSE_BEFORE_COMMIT")
    if pause:
        print("PAUSED-IN-TRANSACTION", flush=True)
        time.sleep(float(pause))


def undo(con: duckdb.DuckDBPyConnection, file_id: int, who: str = "local") -> str:
    """Remove everything one file brought in and put back what it replaced, in one transaction.

    Supplier records are shared: one a later file's payments still use is kept (re-attributed
    to that file) rather than deleted. Rows of other kinds that a later file replaced cannot be
    taken out from under it: undo that later file first (the error says which)."""
    cur = con.cursor()
    try:
        row = cur.execute("SELECT file_name, kind FROM source_file WHERE file_id = ?", [file_id]).fetchone()
    finally:
        cur.close()
    if row is None:
        raise ValueError(f"no imported file {file_id}")
    fid = int(file_id)
    with db.transaction(con) as cur:
        for table in KEYS:
            _ensure_journal(cur, table)
        active = f"(SELECT file_id FROM source_file WHERE file_id <> {fid})"
        # 1. a later file replaced rows this file brought in (other than shared supplier records)
        for table in KEYS:
            if table == "supplier":
                continue
            later = cur.execute(f"SELECT DISTINCT j.replaced_by, s.file_name FROM undo_{table} j JOIN source_file s "
                                f"ON s.file_id = j.replaced_by WHERE j.origin_file = {fid} AND j.replaced_by <> {fid}").fetchall()
            if later:
                raise ValueError(f"file {fid} ({row[0]}): its {table} rows were since replaced by file "
                                 + ", ".join(f"{g} ({n})" for g, n in later) + ": undo that file first")
        # 2. suppliers: where a later file replaced a record this file had itself updated, that
        #    file's journal now holds what this file had replaced, so undoing it later restores the
        #    right version (a record this file created stays journaled: step 5 keeps it if paid)
        cur.execute(f"""CREATE OR REPLACE TEMP TABLE _spliced AS
            SELECT DISTINCT supplier_id, replaced_by FROM undo_supplier
            WHERE origin_file = {fid} AND replaced_by <> {fid}
              AND supplier_id IN (SELECT supplier_id FROM undo_supplier WHERE replaced_by = {fid})""")
        cur.execute(f"DELETE FROM undo_supplier WHERE origin_file = {fid} AND replaced_by <> {fid} "
                    f"AND supplier_id IN (SELECT supplier_id FROM _spliced)")
        ucols = ", ".join(c for c in _table_columns(cur, "undo_supplier") if c != "replaced_by")
        cur.execute(f"INSERT INTO undo_supplier ({ucols}, replaced_by) SELECT {', '.join('j.' + c for c in ucols.split(', '))}, "
                    f"x.replaced_by FROM undo_supplier j JOIN _spliced x USING (supplier_id) WHERE j.replaced_by = {fid}")
        cur.execute(f"DELETE FROM undo_supplier WHERE replaced_by = {fid} AND supplier_id IN (SELECT supplier_id FROM _spliced)")
        # 3. remove what this file brought in
        for table in ("payment", "workforce_area", "workforce_anchor", "asset"):
            cur.execute(f"DELETE FROM {table} WHERE source_file_id = {fid}")
        for table in NO_SOURCE_COLUMN:
            cond = " AND ".join(f"a.{k} IS NOT DISTINCT FROM t.{k}" for k in KEYS[table])
            cur.execute(f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM undo_added_{table} a WHERE a.file_id = {fid} AND {cond})")
            cur.execute(f"DELETE FROM undo_added_{table} WHERE file_id = {fid}")
        cur.execute(f"DELETE FROM supplier WHERE source_file_id = {fid} "
                    f"AND supplier_id IN (SELECT supplier_id FROM undo_supplier WHERE replaced_by = {fid})")
        # 4. put back what it replaced (rows whose own file has since been undone stay out;
        #    supplier records are restored and then checked like every other in step 5)
        for table in KEYS:
            cols = [c for c in _table_columns(cur, f"undo_{table}") if c not in ("replaced_by", "origin_file")]
            cols = [c for c in cols if c in _table_columns(cur, table)]
            alive = "" if table == "supplier" else f" AND (origin_file IS NULL OR origin_file IN {active})"
            cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM undo_{table} "
                        f"WHERE replaced_by = {fid}{alive}")
            cur.execute(f"DELETE FROM undo_{table} WHERE replaced_by = {fid}")
        # 5. supplier records of files no longer imported: kept (re-attributed) while payments use them
        cur.execute(f"""UPDATE supplier SET source_file_id = u.first_file
            FROM (SELECT supplier_id, min(source_file_id) AS first_file FROM payment
                  WHERE supplier_id IS NOT NULL GROUP BY 1) u
            WHERE supplier.supplier_id = u.supplier_id AND supplier.source_file_id IS NOT NULL
              AND supplier.source_file_id NOT IN {active}""")
        cur.execute(f"""DELETE FROM supplier WHERE source_file_id IS NOT NULL AND source_file_id NOT IN {active}
            AND supplier_id NOT IN (SELECT supplier_id FROM payment WHERE supplier_id IS NOT NULL)""")
        cur.execute("DELETE FROM asset_year WHERE asset_id NOT IN (SELECT asset_id FROM asset)")
        cur.execute("DELETE FROM supplier_alias WHERE supplier_id NOT IN (SELECT supplier_id FROM supplier)")
        cur.execute(f"DELETE FROM source_file WHERE file_id = {fid}")
        cur.execute("INSERT INTO audit_log (who, action, detail) VALUES (?, 'undo', ?)", [who, f"file {fid}: {row[0]}"])
    build.refresh(con)
    return row[0]


def files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute("SELECT file_id, file_name, kind, anchor_id, imported_at, imported_by, rows_loaded, total_gbp "
                           "FROM source_file ORDER BY file_id DESC").df()
    finally:
        cur.close()


def begin(path: Path, kind: str, con: duckdb.DuckDBPyConnection, anchor_id: str | None,
          aliases: dict[str, list[str]], mapping: dict | None, min_known: int = 2):
    """Start staging a file: its report (with the content hash) and its table, or the reason
    the file cannot be read (then the table is None and report.error says why)."""
    from cwb.ingest.readers import ReadError, to_table, with_mapping

    path = Path(path)
    staged = Staged(path=path, report=new_report(path, kind, con), anchor_id=anchor_id)
    try:
        tab = to_table(path, with_mapping(aliases, mapping), min_known=min_known)
    except ReadError as exc:
        staged.report.error = str(exc)
        return staged, None
    staged.report.notes.extend(tab.notes)
    return staged, tab


def new_report(path: Path, kind: str, con: duckdb.DuckDBPyConnection) -> Report:
    sha = sha256_file(path)
    rep = Report(file_name=path.name, kind=kind, sha256=sha)
    rep.duplicate_of = already_imported(con, sha)
    return rep


def log_audit(con, who, action, detail):
    audit.log(con, who, action, detail)
