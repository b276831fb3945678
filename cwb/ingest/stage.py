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


def safe_stage(con, path, kind, anchor_id, mapping=None, financial_year=None) -> importer.Staged:
    """Like :func:`stage`, but any unexpected failure becomes a clear report error (never a crash)."""
    try:
        return stage(con, path, kind, anchor_id, mapping, financial_year)
    except Exception as exc:  # noqa: BLE001 - a malformed file must never crash the importer
        rep = importer.Report(file_name=Path(path).name, kind=kind, sha256="")
        rep.error = f"could not read the file: {type(exc).__name__}: {str(exc)[:300]}"
        return importer.Staged(path=Path(path), report=rep, anchor_id=anchor_id)
