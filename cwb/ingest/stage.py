"""One entry point for every kind of file: stage (read + report) before commit."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import duckdb

from cwb.ingest import importer


def stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    anchor_id: str | None,
    mapping: dict | None = None,
    financial_year: str | None = None,
    date_order: str | None = None,
    skip_undated: bool = False,
    remember: bool = False,
) -> importer.Staged:
    """Read a file of ``kind`` and return it staged with its report; nothing is written.
    Payments: ``remember`` uses the mapping saved for this anchor and the file's layout (when no
    ``mapping`` is given); ``date_order`` and ``skip_undated`` as in :func:`read_payments`."""
    path = Path(path)
    if kind == "payments":
        from cwb.ingest.payments import read_payments

        lookup = (lambda layout: saved_layout(con, anchor_id, layout)) if remember and not mapping else None
        legacy = saved_mapping(con, anchor_id, "payments") if remember and not mapping else None
        return read_payments(
            path,
            con,
            cast(str, anchor_id),  # every kind but targets belongs to an anchor (the callers ask for it)
            mapping,
            date_order=date_order,
            skip_undated=skip_undated,
            remembered=lookup,
            fallback=legacy if isinstance(legacy, dict) else None,
        )
    if kind == "suppliers":
        from cwb.ingest.suppliers import read_suppliers

        return read_suppliers(path, con, cast(str, anchor_id), mapping)
    if kind == "assets":
        from cwb.ingest.assets import read_assets

        return read_assets(path, con, cast(str, anchor_id), financial_year, mapping)
    if kind == "workforce":
        from cwb.ingest.workforce import read_workforce

        return read_workforce(path, con, cast(str, anchor_id), financial_year, mapping)
    if kind == "targets":
        from cwb.ingest.targets import read_targets

        return read_targets(path, con, anchor_id, mapping)
    raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(importer.KINDS)}")


def source_key(anchor_id: str | None, kind: str) -> str:
    return f"{anchor_id or '-'}|{kind}"


def layout_key(anchor_id: str | None, layout: list[str]) -> str:
    import hashlib

    return f"{anchor_id or '-'}|payments|layout:" + hashlib.sha1("|".join(layout).encode()).hexdigest()[:16]


def saved_mapping(con: duckdb.DuckDBPyConnection, anchor_id: str | None, kind: str) -> dict | None:
    import json

    cur = con.cursor()
    try:
        row = cur.execute(
            "SELECT mapping_json FROM import_mapping WHERE source_key = ?", [source_key(anchor_id, kind)]
        ).fetchone()
    finally:
        cur.close()
    return json.loads(row[0]) if row else None


def saved_layout(con: duckdb.DuckDBPyConnection, anchor_id: str | None, layout: list[str]) -> dict | None:
    """The entry remembered for this anchor's payment files of this layout (set of columns)."""
    import json

    cur = con.cursor()
    try:
        row = cur.execute(
            "SELECT mapping_json, saved_at FROM import_mapping WHERE source_key = ?",
            [layout_key(anchor_id, layout)],
        ).fetchone()
    finally:
        cur.close()
    if not row:
        return None
    d = json.loads(row[0])
    d["saved_at"] = str(row[1])
    return d


def save_mapping(
    con: duckdb.DuckDBPyConnection,
    anchor_id: str | None,
    kind: str,
    mapping: dict,
    staged: importer.Staged | None = None,
) -> None:
    """Remember a file's mapping for its anchor and kind; for payments, for its layout too (with the
    date order it was read with)."""
    import json

    cur = con.cursor()
    try:
        cur.execute(
            "INSERT OR REPLACE INTO import_mapping (source_key, mapping_json) VALUES (?, ?)",
            [source_key(anchor_id, kind), json.dumps(mapping)],
        )
        layout = getattr(staged, "layout", None) if staged is not None else None
        if kind == "payments" and layout:
            entry = {
                "mapping": mapping,
                "date_order": getattr(staged, "date_order", None),
                "columns": layout,
                "anchor_id": anchor_id,
                "kind": kind,
            }
            cur.execute(
                "INSERT OR REPLACE INTO import_mapping (source_key, mapping_json, saved_at) "
                "VALUES (?, ?, current_timestamp)",
                [layout_key(anchor_id, layout), json.dumps(entry)],
            )
    finally:
        cur.close()


def stage_remembered(
    con, path, kind, anchor_id, financial_year=None, date_order=None, skip_undated=False
) -> importer.Staged:
    """Stage with the mapping remembered for this source when it still fits the file's columns,
    else with a freshly proposed one. Payments: remembered per anchor and layout."""
    if kind == "payments":
        st = safe_stage(
            con,
            path,
            kind,
            anchor_id,
            None,
            financial_year,
            date_order=date_order,
            skip_undated=skip_undated,
            remember=True,
        )
        if st.report.error and getattr(st.report, "reused", None):  # the remembered mapping no longer fits
            return safe_stage(
                con,
                path,
                kind,
                anchor_id,
                None,
                financial_year,
                date_order=date_order,
                skip_undated=skip_undated,
            )
        return st
    m = saved_mapping(con, anchor_id, kind)
    if m:
        st = safe_stage(con, path, kind, anchor_id, m, financial_year)
        if st.report.error is None and set(m.values()) <= set(st.report.mapped.values()):
            st.report.notes.insert(0, "column mapping remembered from this source's last import")
            return st
    return safe_stage(con, path, kind, anchor_id, None, financial_year)


def safe_stage(con, path, kind, anchor_id, mapping=None, financial_year=None, **opts) -> importer.Staged:
    """Like :func:`stage`, but any unexpected failure becomes a clear report error (never a crash)."""
    try:
        return stage(con, path, kind, anchor_id, mapping, financial_year, **opts)
    except Exception as exc:  # noqa: BLE001 - a malformed file must never crash the importer
        rep = importer.Report(file_name=Path(path).name, kind=kind, sha256="")
        msg = str(exc).splitlines()[0][:300] if str(exc) else ""
        if "Conversion" in type(exc).__name__ or "Conversion Error" in msg:
            msg = (
                "a value could not be converted ("
                + msg[:160]
                + "): no line could be named; check the amounts and dates"
            )
        rep.error = f"could not read the file: {type(exc).__name__}: {msg}"
        return importer.Staged(path=Path(path), report=rep, anchor_id=anchor_id)


def report_text(rep: importer.Report) -> str:
    """The report as printed by the CLI: the common part, then what the payments reader infers
    (evidence and confidence per field, date order, skipped lines)."""
    from cwb.ingest.infer import confidence_word

    lines = [rep.text()]
    ev = getattr(rep, "evidence", None) or {}
    if ev:
        lines.append("  how the columns were recognised:")
        for fld, (col, conf, why) in ev.items():
            lines.append(f"    {fld} <- '{col}': {confidence_word(conf)} confidence ({conf:.2f}); {why}")
    sk = getattr(rep, "skipped", None) or []
    if sk:
        lines.append(f"  skipped lines (not payments): {len(sk):,}")
        for where, why in sk[:15]:
            lines.append(f"    {where}: {why}")
        if len(sk) > 15:
            lines.append(f"    ... and {len(sk) - 15:,} more")
    return "\n".join(lines)


def aliases_for(kind: str) -> dict[str, list[str]]:
    """The fields of a kind of file and the header names each is known by (for the mapping editor):
    the one vocabulary, :mod:`cwb.ingest.vocab`."""
    from cwb.ingest import vocab

    if kind not in vocab.KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return vocab.for_kind(kind)


def file_columns(path: Path, kind: str) -> list[str]:
    """Column names of a file as the importer reads them (header found, duplicates made unique);
    empty when the file cannot be read at all."""
    from cwb.ingest.readers import read_blocks, to_table

    if kind == "payments":
        try:
            blocks, _enc, _notes = read_blocks(Path(path))
        except Exception:  # noqa: BLE001 - the report already says why the file cannot be read
            return []
        return list(dict.fromkeys(c for b in blocks for c in b.data.columns))
    try:
        return list(to_table(Path(path), aliases_for(kind), min_known=0).data.columns)
    except Exception:  # noqa: BLE001 - the report already says why the file cannot be read
        return []
