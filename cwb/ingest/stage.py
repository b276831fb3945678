"""One entry point for every kind of file: stage (read + report) before commit."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cwb.ingest import importer


def stage(con: duckdb.DuckDBPyConnection, path: Path, kind: str, anchor_id: str | None,
          mapping: dict | None = None, financial_year: str | None = None) -> importer.Staged:
    """Read a file of ``kind`` and return it staged with its report; nothing is written."""
    path = Path(path)
    if kind == "payments":
        from cwb.ingest.payments import read_payments

        return read_payments(path, con, anchor_id, mapping)
    if kind == "suppliers":
        from cwb.ingest.suppliers import read_suppliers

        return read_suppliers(path, con, anchor_id, mapping)
    if kind == "assets":
        from cwb.ingest.assets import read_assets

        return read_assets(path, con, anchor_id, financial_year, mapping)
    if kind == "workforce":
        from cwb.ingest.workforce import read_workforce

        return read_workforce(path, con, anchor_id, financial_year, mapping)
    if kind == "targets":
        from cwb.ingest.targets import read_targets

        return read_targets(path, con, anchor_id, mapping)
    raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(importer.KINDS)}")


def source_key(anchor_id: str | None, kind: str) -> str:
    return f"{anchor_id or '-'}|{kind}"


def saved_mapping(con: duckdb.DuckDBPyConnection, anchor_id: str | None, kind: str) -> dict | None:
    import json

    cur = con.cursor()
    try:
        row = cur.execute("SELECT mapping_json FROM import_mapping WHERE source_key = ?", [source_key(anchor_id, kind)]).fetchone()
    finally:
        cur.close()
    return json.loads(row[0]) if row else None


def save_mapping(con: duckdb.DuckDBPyConnection, anchor_id: str | None, kind: str, mapping: dict) -> None:
    import json

    cur = con.cursor()
    try:
        cur.execute("INSERT OR REPLACE INTO import_mapping (source_key, mapping_json) VALUES (?, ?)",
                    [source_key(anchor_id, kind), json.dumps(mapping)])
    finally:
        cur.close()


def stage_remembered(con, path, kind, anchor_id, financial_year=None) -> importer.Staged:
    """Stage with the mapping remembered for this source when it still fits the file's columns,
    else with a freshly proposed one."""
    m = saved_mapping(con, anchor_id, kind)
    if m:
        st = safe_stage(con, path, kind, anchor_id, m, financial_year)
        if st.report.error is None and set(m.values()) <= set(st.report.mapped.values()):
            st.report.notes.insert(0, "column mapping remembered from this source's last import")
            return st
    return safe_stage(con, path, kind, anchor_id, None, financial_year)


def safe_stage(con, path, kind, anchor_id, mapping=None, financial_year=None) -> importer.Staged:
    """Like :func:`stage`, but any unexpected failure becomes a clear report error (never a crash)."""
    try:
        return stage(con, path, kind, anchor_id, mapping, financial_year)
    except Exception as exc:  # noqa: BLE001 - a malformed file must never crash the importer
        rep = importer.Report(file_name=Path(path).name, kind=kind, sha256="")
        rep.error = f"could not read the file: {type(exc).__name__}: {str(exc)[:300]}"
        return importer.Staged(path=Path(path), report=rep, anchor_id=anchor_id)


def aliases_for(kind: str) -> dict[str, list[str]]:
    """The fields of a kind of file and the header names each is known by (for the mapping editor)."""
    if kind == "payments":
        from cwb.ingest.payments import ALIASES
    elif kind == "suppliers":
        from cwb.ingest.suppliers import ALIASES
    elif kind == "assets":
        from cwb.ingest.assets import ALIASES
    elif kind == "targets":
        from cwb.ingest.targets import ALIASES
    elif kind == "workforce":
        from cwb.ingest.workforce import COUNT_ALIASES, HR_ALIASES

        ALIASES = {**COUNT_ALIASES, **HR_ALIASES}
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return ALIASES


def file_columns(path: Path, kind: str) -> list[str]:
    """Column names of a file as the importer reads them (header found, duplicates made unique);
    empty when the file cannot be read at all."""
    from cwb.ingest.readers import to_table

    try:
        return list(to_table(Path(path), aliases_for(kind), min_known=0).data.columns)
    except Exception:  # noqa: BLE001 - the report already says why the file cannot be read
        return []
