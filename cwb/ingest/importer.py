"""Import framework: read -> report -> commit (one transaction) or cancel; undo by file.

- A file is identified by the SHA-256 of its content: importing the same file again adds nothing.
- Nothing is written until :func:`commit`; a file with any rejected row is rejected whole
  (the report says which rows and why); a failure at any point leaves the database as it was.
- The original file is kept under CWB_ORIGINALS so an import can be audited and undone.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cwb import audit, build, config, db

KINDS = ("payments", "suppliers", "workforce", "assets", "targets")
ON_OVERLAP = ("replace", "skip")

# ANSI escape sequences (CSI, also as the 8-bit \x9b; OSC up to BEL or ST; two-character ones),
# then any other C0/C1 control character (ESC, BEL, vertical tab, carriage return...)
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
    r"|\x9b[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def clean_text(text: str) -> str:
    """Text without terminal escape sequences or control characters (newlines and tabs kept).
    The one cleaner for text from a file that reaches a terminal or the audit log (the command
    line's reports use it too)."""
    return _ESCAPES.sub("", str(text))


class ImportConflict(ValueError):
    """The database changed between reading a file and committing it (another admin's import or
    undo), or the file's payments overlap ones already imported and no choice was made."""


@dataclass
class Overlap:
    """Payments of a staged file that are already in the database (same anchor, dates within the
    file's range, same date, amount and payee)."""

    anchor_id: str
    date_min: str
    date_max: str
    matching: int  # the file's payments that match one already imported
    matching_gbp: str
    in_period: int  # payments of the anchor already imported in the file's dates
    in_period_gbp: str
    files: list[tuple[int, str]]  # (file_id, file name) holding the matching payments
    rows: list[int] = field(default_factory=list)  # source_row of the file's matching payments

    def text(self) -> str:
        names = ", ".join(f"file {f} ({n})" for f, n in self.files[:5])
        return (
            f"{self.matching:,} of this file's payments (£{self.matching_gbp}) are already imported for "
            f"{self.anchor_id} from {names}; {self.in_period:,} payments (£{self.in_period_gbp}) are already held "
            f"for {self.date_min} to {self.date_max}. Choose: replace the period (the file's payments replace "
            "those of its dates) or skip duplicates (only payments not already held are added). "
            "Command line: --on-overlap replace or --on-overlap skip; Import page: the choice above the commit button."
        )


@dataclass
class Report:
    file_name: str
    kind: str
    sha256: str
    rows_read: int = 0
    rows_ok: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number in the file, reason)
    total_gbp: str | None = None
    date_min: str | None = None
    date_max: str | None = None
    mapped: dict[str, str] = field(default_factory=dict)  # field -> column in the file
    unmatched_suppliers: list[str] = field(default_factory=list)
    unknown_postcodes: list[str] = field(default_factory=list)
    near_matches: list[tuple[str, str, float]] = field(
        default_factory=list
    )  # (name in file, existing supplier, score)
    notes: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    error: str | None = None  # the whole file could not be read
    overlap: Overlap | None = None  # payments already imported (check_overlap)
    people: bool = False  # rows are people (HR extract): counts protected
    skipped: list[tuple[str, str]] = field(default_factory=list)  # lines that are not payments (where, text)
    evidence: dict[str, tuple[str, float, str]] = field(
        default_factory=dict
    )  # field -> (column, confidence, why)
    date_order: str | None = None  # dmy / mdy and why, when the file's dates are numeric
    reused: str | None = None  # the remembered mapping used, in words

    @property
    def ok(self) -> bool:
        return self.error is None and not self.rejected and self.duplicate_of is None and self.rows_ok > 0

    def text(self) -> str:
        """The report as plain text for a terminal: control characters and escape sequences in
        the file's own values (names, headers) are removed, so a report cannot drive the terminal."""
        return clean_text(self._text())

    def _text(self) -> str:
        lines = [f"{self.file_name} ({self.kind})"]
        if self.error:
            lines.append(f"  REJECTED: {self.error}")
        if self.duplicate_of is not None:
            lines.append(f"  already imported as file {self.duplicate_of}: nothing to add")
        if self.people:
            from cwb import privacy

            n = (
                privacy.display_count(self.rows_read)
                if self.rows_read or not self.rows_ok
                else privacy.marker(privacy.k_default())
            )
            lines.append(
                f"  employees: {n} (rounded to 5); area counts to store: "
                f"{self.rows_ok:,}; rows rejected: {len(self.rejected):,}"
            )
        else:
            lines.append(
                f"  rows read: {self.rows_read:,}; rows ready: {self.rows_ok:,}; rows rejected: {len(self.rejected):,}"
            )
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
            lines.append(
                f"  unmatched suppliers: {len(self.unmatched_suppliers):,} (e.g. {', '.join(self.unmatched_suppliers[:5])})"
            )
        if self.near_matches:
            lines.append(f"  near matches to review (not merged): {len(self.near_matches):,}")
            for new, old, score in self.near_matches[:10]:
                lines.append(f"    '{new}' ~ existing '{old}' ({score:.0f}/100)")
        if self.unknown_postcodes:
            lines.append(
                f"  unknown postcodes: {len(self.unknown_postcodes):,} (e.g. {', '.join(self.unknown_postcodes[:5])})"
            )
        if self.overlap is not None:
            lines.append("  OVERLAP: " + self.overlap.text())
        if self.error is None and self.rejected:
            lines.append(
                "  The file is rejected whole: fix these rows (or the column mapping) and import it again."
            )
        return "\n".join(lines)


@dataclass
class Staged:
    """A read file waiting for commit: the frames per target table and the report."""

    path: Path
    report: Report
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    anchor_id: str | None = None
    mapping: dict[str, Any] = field(default_factory=dict)
    replace_tables: list[str] = field(default_factory=list)  # tables whose rows for this anchor are replaced
    delete_ids: dict[str, tuple[str, list]] = field(
        default_factory=dict
    )  # table -> (key column, ids) replaced
    upsert_keys: dict[str, list[str]] = field(default_factory=dict)  # table -> key columns replaced
    base_state: tuple | None = None  # database state when the file was read (see _state)
    columns: list[str] = field(default_factory=list)  # the file's columns (kept for the mapping editor)
    layout: list[str] | None = None  # payments: the file's set of column names (remembered mappings)
    date_order: str | None = None  # payments: dmy / mdy used to read the dates


def _state(cur) -> tuple:
    """Changes with every import and undo: a commit checks the file was read against this state."""
    return tuple(
        cur.execute(
            "SELECT count(*), coalesce(max(file_id), 0), coalesce(sum(file_id), 0) FROM source_file"
        ).fetchall()[0]
    )


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
    """Column names of ``table`` in order (from an empty result: information_schema is slow in a
    database holding the reference tables, and this is asked many times per commit and undo)."""
    res = cur.execute(f"SELECT * FROM {table} LIMIT 0")
    names = [d[0] for d in res.description]
    res.fetchall()
    return names


# Undo journal. Rows a commit deletes (replaced by the new file) are copied to undo_<table>
# with the file that replaced them (replaced_by) and the file that had brought them in
# (origin_file); rows of tables without a source_file_id column record their keys in
# undo_added_<table>. Undo removes what a file brought in and puts back what it replaced.
KEYS = {
    "payment": [],  # whole rows (a period replaced by a newer file)
    "supplier": ["supplier_id"],
    "asset": ["asset_id"],
    "asset_year": ["asset_id", "financial_year"],
    "target": ["indicator", "scope_type", "scope_id", "financial_year"],
    "workforce_area": ["anchor_id", "financial_year"],
    "workforce_anchor": ["anchor_id", "financial_year"],
}
NO_SOURCE_COLUMN = ("asset_year", "target")  # rows carry no source_file_id: keys journaled on insert


def _ensure_journal(cur, table: str) -> None:
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS undo_{table} AS "
        f"SELECT *, 0::INTEGER AS replaced_by, 0::INTEGER AS origin_file FROM {table} WHERE false"
    )
    if table in NO_SOURCE_COLUMN:
        keys = ", ".join(KEYS[table])
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS undo_added_{table} AS SELECT {keys}, 0::INTEGER AS file_id FROM {table} WHERE false"
        )


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
        have = set(_table_columns(cur, table))
        cols = [c for c in jcols if c in have]
        cur.execute(
            f"INSERT INTO undo_{table} ({', '.join(cols)}, replaced_by, origin_file) "
            f"SELECT {', '.join('t.' + c for c in cols)}, {int(file_id)}, {_origin_expr(table)} FROM {table} t WHERE {where}",
            params,
        )
    cur.execute(f"DELETE FROM {table} t WHERE {where}", params)


_PAYEE_KEY = "regexp_replace(upper(coalesce({c}, '')), '[^A-Z0-9]', '', 'g')"


def check_overlap(con, staged: Staged, cur=None) -> Overlap | None:
    """Payments of a staged payments file already in the database for its anchor: matched one to
    one on date, amount and payee (a file re-exported with a longer period, or two files covering
    the same months). Sets and returns ``staged.report.overlap`` (None: no payment is held twice).
    Dates that merely overlap, with no payment in common (another department's file), are not
    an overlap."""
    pay = staged.frames.get("payment")
    rep = staged.report
    if rep.kind != "payments" or pay is None or pay.empty or not staged.anchor_id:
        rep.overlap = None
        return None
    own = cur is None
    cur = con.cursor() if own else cur
    try:
        cur.register("_ov_new", pay[["payment_date", "amount_gbp", "payee_text", "source_row"]])
        key_new = _PAYEE_KEY.format(c="payee_text")
        bounds = cur.execute(
            "SELECT min(CAST(payment_date AS DATE)), max(CAST(payment_date AS DATE)) FROM _ov_new"
        ).fetchall()[0]
        held = cur.execute(
            "SELECT count(*), coalesce(sum(amount_gbp), 0) FROM payment WHERE anchor_id = ? "
            "AND payment_date BETWEEN ? AND ?",
            [staged.anchor_id, *bounds],
        ).fetchall()[0]
        if not held[0]:
            rep.overlap = None
            return None
        rows = cur.execute(
            f"""
            WITH n AS (SELECT CAST(payment_date AS DATE) AS d, CAST(amount_gbp AS DECIMAL(18,2)) AS a, {key_new} AS k,
                              source_row, row_number() OVER (PARTITION BY CAST(payment_date AS DATE),
                                  CAST(amount_gbp AS DECIMAL(18,2)), {key_new} ORDER BY source_row) AS i
                       FROM _ov_new),
                 o AS (SELECT payment_date AS d, amount_gbp AS a, {_PAYEE_KEY.format(c="payee_text")} AS k, source_file_id,
                              row_number() OVER (PARTITION BY payment_date, amount_gbp, {_PAYEE_KEY.format(c="payee_text")}
                                                 ORDER BY source_file_id, source_row) AS i
                       FROM payment WHERE anchor_id = ? AND payment_date BETWEEN ? AND ?)
            SELECT n.source_row, n.a, o.source_file_id FROM n JOIN o USING (d, a, k, i)""",
            [staged.anchor_id, *bounds],
        ).fetchall()
        if not rows:
            rep.overlap = None
            return None
        fids = sorted({r[2] for r in rows if r[2] is not None})
        names = dict(
            cur.execute(
                "SELECT file_id, file_name FROM source_file WHERE list_contains(?, file_id)", [fids]
            ).fetchall()
        )
    finally:
        try:
            cur.unregister("_ov_new")
        finally:
            if own:
                cur.close()
    rep.overlap = Overlap(
        anchor_id=staged.anchor_id,
        date_min=str(bounds[0])[:10],
        date_max=str(bounds[1])[:10],
        matching=len(rows),
        matching_gbp=f"{sum(r[1] for r in rows):,.2f}",
        in_period=int(held[0]),
        in_period_gbp=f"{held[1]:,.2f}",
        files=[(f, names.get(f, "?")) for f in fids] or [(0, "demo or earlier data")],
        rows=sorted(int(r[0]) for r in rows),
    )
    return rep.overlap


def _skip_duplicates(staged: Staged, ov: Overlap) -> None:
    """Leave out the file's payments already held; new supplier records only they used go too."""
    frames = staged.frames
    pay = frames["payment"]
    keep = pay[~pay["source_row"].isin(set(ov.rows))]
    if keep.empty:
        raise ValueError(
            f"{staged.report.file_name}: every payment in it is already imported "
            f"({ov.matching:,} payments): nothing to add"
        )
    frames["payment"] = keep
    used = set(keep["supplier_id"].dropna().astype("int64"))
    for t in ("supplier", "supplier_alias"):
        f = frames.get(t)
        if f is not None and not f.empty and "supplier_id" in f.columns:
            frames[t] = f[f["supplier_id"].isin(used)]


def commit(
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    who: str = "local",
    refresh: bool = True,
    on_overlap: str | None = None,
) -> int:
    """Write a staged file in one transaction (the marts are refreshed inside it, so a crash
    leaves the file either absent or present with its figures); returns its file_id.

    Raises ValueError if the report is not ok; :class:`ImportConflict` when the file's payments
    overlap ones already imported and ``on_overlap`` is not given ('replace': the file's payments
    replace the anchor's payments of the file's dates; 'skip': payments already held are left
    out), or when another import or undo landed since the file was read (read it again)."""
    rep = staged.report
    if not rep.ok:
        raise ValueError(
            f"{rep.file_name}: not imported: "
            + (
                rep.error
                or (
                    "already imported"
                    if rep.duplicate_of is not None
                    else f"{len(rep.rejected)} rows rejected"
                    if rep.rejected
                    else "no rows"
                )
            )
        )
    if on_overlap not in (None, *ON_OVERLAP):
        raise ValueError(f"on_overlap must be one of {', '.join(ON_OVERLAP)}, not {on_overlap!r}")
    originals = Path(config.get("CWB_ORIGINALS"))
    originals.mkdir(parents=True, exist_ok=True)
    stored = originals / f"{rep.sha256[:16]}_{Path(rep.file_name).name}"
    if personal_rows(rep):
        stored = stored.with_suffix(".counts.csv")
    try:
        with db.transaction(con) as cur:
            dup = cur.execute(
                "SELECT file_id, imported_by FROM source_file WHERE sha256 = ?", [rep.sha256]
            ).fetchall()
            if dup:
                raise ImportConflict(
                    f"{rep.file_name}: already imported as file {dup[0][0]} (by {dup[0][1]}): nothing to add"
                )
            if (
                staged.base_state is not None
                and rep.kind in ("payments", "suppliers")
                and _state(cur) != staged.base_state
            ):
                last = (
                    cur.execute(
                        "SELECT file_id, file_name, imported_by FROM source_file ORDER BY file_id DESC LIMIT 1"
                    ).fetchall()
                    or [None]
                )[0]
                raise ImportConflict(
                    f"{rep.file_name}: not imported: another import or undo was committed while this file was being checked"
                    + (f" (latest: file {last[0]}, {last[1]}, by {last[2]})" if last else "")
                    + ", so its supplier matching is out of date. Read the file again (Import page: 'Read the file again'; "
                    "command line: run the same import again); nothing was changed."
                )
            ov = check_overlap(con, staged, cur)
            if ov is not None and on_overlap is None:
                raise ImportConflict(f"{rep.file_name}: not imported: " + ov.text())
            if ov is not None and on_overlap == "skip":
                _skip_duplicates(staged, ov)
            pay = staged.frames.get("payment")
            rows_ok, total = rep.rows_ok, rep.total_gbp
            if ov is not None and on_overlap == "skip" and pay is not None:
                rows_ok = len(pay)
                cur.register("_tot", pay[["amount_gbp"]])
                total = str(
                    cur.execute("SELECT sum(CAST(amount_gbp AS DECIMAL(18,2))) FROM _tot").fetchall()[0][0]
                )
                cur.unregister("_tot")
            file_id = cur.execute(
                "INSERT INTO source_file (sha256, file_name, kind, anchor_id, imported_by, rows_loaded, total_gbp, stored_path, mapping_json)"
                " VALUES (?, ?, ?, ?, ?, ?, CAST(? AS DECIMAL(18,2)), ?, ?) RETURNING file_id",
                [
                    rep.sha256,
                    rep.file_name,
                    rep.kind,
                    staged.anchor_id,
                    who,
                    rows_ok,
                    total,
                    str(stored),
                    json.dumps(staged.mapping, default=str),
                ],
            ).fetchall()[0][0]
            if ov is not None and on_overlap == "replace":
                _journal_delete(
                    cur,
                    "payment",
                    "t.anchor_id = ? AND t.payment_date BETWEEN ? AND ?",
                    [staged.anchor_id, ov.date_min, ov.date_max],
                    file_id,
                )
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
                    _journal_delete(
                        cur,
                        table,
                        f"({', '.join('t.' + k for k in keys)}) IN (SELECT ({', '.join(keys)}) FROM _stage)",
                        [],
                        file_id,
                    )
                cur.execute(f"INSERT INTO {table} ({', '.join(use)}) SELECT {', '.join(use)} FROM _stage")
                if table in NO_SOURCE_COLUMN:
                    _ensure_journal(cur, table)
                    key_list = ", ".join(KEYS[table])
                    cur.execute(
                        f"INSERT INTO undo_added_{table} SELECT DISTINCT {key_list}, {int(file_id)} FROM _stage"
                    )
                cur.unregister("_stage")
            how = (
                {
                    "replace": ", replacing the period's payments",
                    "skip": f", {ov.matching:,} duplicates skipped",
                }.get(on_overlap or "", "")
                if ov is not None
                else ""
            )
            cur.execute(
                "INSERT INTO audit_log (who, action, detail) VALUES (?, 'import', ?)",
                [
                    who,
                    clean_text(
                        f"file {file_id}: {rep.file_name} ({rep.kind}, {rows_ok} "
                        f"{'area counts' if rep.people else 'rows'}{how}, sha256 {rep.sha256[:12]})"
                    ),
                ],
            )
            if refresh:
                build.refresh(con, cur=cur)
            else:
                build.mark_stale(cur)
            _fault_pause()
    except duckdb.TransactionException as exc:
        raise ImportConflict(
            f"{rep.file_name}: not imported: another import was being committed at the same time "
            f"({str(exc)[:120]}). Read the file again and commit it; nothing was changed."
        ) from exc
    except duckdb.ConstraintException as exc:
        if "duplicate key" not in str(exc).lower():
            raise
        raise ImportConflict(
            f"{rep.file_name}: not imported: another import was committed at the same time and "
            "took the same record numbers. Read the file again and commit it; nothing was changed."
        ) from exc
    if not stored.exists():
        if personal_rows(rep) or not staged.path.exists():
            # an HR extract is personal data: keep only what was stored (the counts by area)
            for frame in staged.frames.values():
                if frame is not None and not frame.empty:
                    frame.to_csv(stored, index=False)
                    break
        else:
            shutil.copyfile(staged.path, stored)
    if refresh and rep.kind in ("payments", "suppliers"):
        build.match_after_commit(con)
    return file_id


def personal_rows(rep: Report) -> bool:
    """True for files with one row per person (HR extracts): never kept as they came."""
    return rep.kind == "workforce" and (rep.people or any("HR extract" in n for n in rep.notes))


def _fault_pause() -> None:
    """Crash-safety tests set CWB_TEST_PAUSE_BEFORE_COMMIT (seconds) to kill the process while
    the transaction is open. Unset in normal use."""
    import os
    import time

    pause = os.environ.get("CWB_TEST_PAUSE_BEFORE_COMMIT")
    if pause:
        print("PAUSED-IN-TRANSACTION", flush=True)
        time.sleep(float(pause))


def undo(con: duckdb.DuckDBPyConnection, file_id: int, who: str = "local", refresh: bool = True) -> str:
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
        # 1. a later file replaced rows this file brought in (other than shared supplier records).
        #    Payments of a period and site records replaced by a newer file belong to that file now:
        #    this file's copies in the journal are dropped (never put back once this file is gone).
        #    Other kinds: undo the later file first.
        for table in ("payment", "asset"):
            cur.execute(f"DELETE FROM undo_{table} WHERE origin_file = {fid} AND replaced_by <> {fid}")
        for table in KEYS:
            if table in ("supplier", "payment", "asset"):
                continue
            later = cur.execute(
                f"SELECT DISTINCT j.replaced_by, s.file_name FROM undo_{table} j JOIN source_file s "
                f"ON s.file_id = j.replaced_by WHERE j.origin_file = {fid} AND j.replaced_by <> {fid}"
            ).fetchall()
            if later:
                raise ValueError(
                    f"file {fid} ({row[0]}): its {table} rows were since replaced by file "
                    + ", ".join(f"{g} ({n})" for g, n in later)
                    + ": undo that file first"
                )
        # 2. suppliers: where a later file replaced a record this file had itself updated, that
        #    file's journal now holds what this file had replaced, so undoing it later restores the
        #    right version (a record this file created stays journaled: step 5 keeps it if paid)
        cur.execute(f"""CREATE OR REPLACE TEMP TABLE _spliced AS
            SELECT DISTINCT supplier_id, replaced_by FROM undo_supplier
            WHERE origin_file = {fid} AND replaced_by <> {fid}
              AND supplier_id IN (SELECT supplier_id FROM undo_supplier WHERE replaced_by = {fid})""")
        cur.execute(
            f"DELETE FROM undo_supplier WHERE origin_file = {fid} AND replaced_by <> {fid} "
            f"AND supplier_id IN (SELECT supplier_id FROM _spliced)"
        )
        ucols = ", ".join(c for c in _table_columns(cur, "undo_supplier") if c != "replaced_by")
        cur.execute(
            f"INSERT INTO undo_supplier ({ucols}, replaced_by) SELECT {', '.join('j.' + c for c in ucols.split(', '))}, "
            f"x.replaced_by FROM undo_supplier j JOIN _spliced x USING (supplier_id) WHERE j.replaced_by = {fid}"
        )
        cur.execute(
            f"DELETE FROM undo_supplier WHERE replaced_by = {fid} AND supplier_id IN (SELECT supplier_id FROM _spliced)"
        )
        # 3. remove what this file brought in
        for table in ("payment", "workforce_area", "workforce_anchor", "asset"):
            cur.execute(f"DELETE FROM {table} WHERE source_file_id = {fid}")
        for table in NO_SOURCE_COLUMN:
            cond = " AND ".join(f"a.{k} IS NOT DISTINCT FROM t.{k}" for k in KEYS[table])
            cur.execute(
                f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM undo_added_{table} a WHERE a.file_id = {fid} AND {cond})"
            )
            cur.execute(f"DELETE FROM undo_added_{table} WHERE file_id = {fid}")
        cur.execute(
            f"DELETE FROM supplier WHERE source_file_id = {fid} "
            f"AND supplier_id IN (SELECT supplier_id FROM undo_supplier WHERE replaced_by = {fid})"
        )
        # 4. put back what it replaced (rows whose own file has since been undone stay out;
        #    supplier records are restored and then checked like every other in step 5)
        for table in KEYS:
            cols = [
                c for c in _table_columns(cur, f"undo_{table}") if c not in ("replaced_by", "origin_file")
            ]
            have = set(_table_columns(cur, table))
            cols = [c for c in cols if c in have]
            alive = "" if table == "supplier" else f" AND (origin_file IS NULL OR origin_file IN {active})"
            cur.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM undo_{table} "
                f"WHERE replaced_by = {fid}{alive}"
            )
            cur.execute(f"DELETE FROM undo_{table} WHERE replaced_by = {fid}")
        # 5. supplier records of files no longer imported: kept (re-attributed) while payments use them
        cur.execute(f"""UPDATE supplier SET source_file_id = u.first_file
            FROM (SELECT supplier_id, min(source_file_id) AS first_file FROM payment
                  WHERE supplier_id IS NOT NULL GROUP BY 1) u
            WHERE supplier.supplier_id = u.supplier_id AND supplier.source_file_id IS NOT NULL
              AND supplier.source_file_id NOT IN {active}""")
        cur.execute(f"""DELETE FROM supplier WHERE source_file_id IS NOT NULL AND source_file_id NOT IN {active}
            AND supplier_id NOT IN (SELECT supplier_id FROM payment WHERE supplier_id IS NOT NULL)
            AND supplier_id NOT IN (SELECT supplier_id FROM undo_payment WHERE supplier_id IS NOT NULL)""")
        cur.execute("DELETE FROM asset_year WHERE asset_id NOT IN (SELECT asset_id FROM asset)")
        cur.execute("DELETE FROM supplier_alias WHERE supplier_id NOT IN (SELECT supplier_id FROM supplier)")
        cur.execute(f"DELETE FROM source_file WHERE file_id = {fid}")
        cur.execute(
            "INSERT INTO audit_log (who, action, detail) VALUES (?, 'undo', ?)",
            [who, clean_text(f"file {fid}: {row[0]}")],
        )
        if refresh:
            build.refresh(con, cur=cur)
        else:
            build.mark_stale(cur)
    return row[0]


def files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT file_id, file_name, kind, anchor_id, imported_at, imported_by, rows_loaded, total_gbp "
            "FROM source_file ORDER BY file_id DESC"
        ).df()
    finally:
        cur.close()


def begin(
    path: Path,
    kind: str,
    con: duckdb.DuckDBPyConnection,
    anchor_id: str | None,
    aliases: dict[str, list[str]],
    mapping: dict | None,
    min_known: int = 2,
):
    """Start staging a file: its report (with the content hash) and its table, or the reason
    the file cannot be read (then the table is None and report.error says why)."""
    from cwb.ingest.readers import ReadError, to_table, with_mapping

    path = Path(path)
    staged = Staged(path=path, report=new_report(path, kind, con), anchor_id=anchor_id)
    cur = con.cursor()
    try:
        staged.base_state = _state(cur)
    finally:
        cur.close()
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


def stage_upload(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    name: str,
    kind: str,
    anchor_id: str | None,
    financial_year: str | None = None,
    mapping: dict | None = None,
    **opts,
) -> Staged:
    """Stage an uploaded file (the Import page): written to a private temporary folder and read.

    A workforce upload may be an HR extract (one row per employee, with names and pay): it is
    deleted as soon as it is read, in every outcome (accepted, rejected, unreadable); reading it
    again with another mapping uses the upload held in the browser session, never a kept copy.
    ``mapping`` None: the mapping remembered for this source, else a proposed one. ``opts``: the
    payments choices (``date_order``, ``skip_undated``)."""
    import tempfile

    from cwb.ingest.stage import file_columns, safe_stage, stage_remembered

    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name)[-120:] or "upload.csv"
    folder = Path(tempfile.mkdtemp(prefix="cwb_up_"))
    path = folder / safe
    try:
        path.write_bytes(data)
        if mapping is None:
            staged = stage_remembered(con, path, kind, anchor_id, financial_year, **opts)
        else:
            staged = safe_stage(con, path, kind, anchor_id, mapping, financial_year, **opts)
        staged.columns = file_columns(path, kind)
    finally:
        if kind == "workforce":
            shutil.rmtree(folder, ignore_errors=True)
    if staged.report.ok:
        check_overlap(con, staged)
    return staged
