"""Audit trail of imports and exports (who, when, what) in the database's audit_log table."""

from __future__ import annotations

import duckdb


def log(con: duckdb.DuckDBPyConnection, who: str, action: str, detail: str) -> None:
    cur = con.cursor()
    try:
        cur.execute(
            "INSERT INTO audit_log (who, action, detail) VALUES (?, ?, ?)", [who, action, detail[:2000]]
        )
    finally:
        cur.close()


def recent(con: duckdb.DuckDBPyConnection, limit: int = 200):
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT logged_at, who, action, detail FROM audit_log ORDER BY logged_at DESC LIMIT ?", [limit]
        ).df()
    finally:
        cur.close()
