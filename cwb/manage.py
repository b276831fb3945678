"""Setting up and looking after the database: networks, anchors, imported files, undo, and the
one way to open the database. The command line (``python -m cwb network|anchor|files|undo``)
and the dashboard's Import page both call these; nothing here prints or reads arguments.
No streamlit here.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cwb import config
from cwb.ui_labels import ANCHOR_TYPES

ANCHOR_TYPE_CODES = list(ANCHOR_TYPES)  # the one list (the schema's CHECK holds the same)
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


class SetupError(ValueError):
    """A network or anchor cannot be saved; the message says why and what to give instead."""


def open_database(
    path: str | Path | None = None, log: Callable[[str], None] | None = None, **kwargs: Any
) -> duckdb.DuckDBPyConnection:
    """The database at ``path`` (default CWB_DB), created and refreshed as needed (``kwargs``:
    ``progress`` and ``boundaries`` of :func:`cwb.build.open_database`)."""
    from cwb import build

    return build.open_database(
        path or config.db_path(), log=log or (lambda m: print(m, file=sys.stderr)), **kwargs
    )


def clean_code(code: str) -> str:
    """A network or anchor code as stored: letters, digits, '-' and '_' only."""
    c = re.sub(r"[^A-Za-z0-9_-]", "", code or "")
    if not _CODE.match(c):
        raise SetupError(f"the code {code!r} needs 1 to 20 letters, digits, '-' or '_'")
    return c


@dataclass(frozen=True)
class NetworkSaved:
    network_id: str
    local_names: str
    n_wider: int
    region_code: str

    def message(self) -> str:
        return (
            f"network {self.network_id}: local {self.local_names}; wider area {self.n_wider} districts; "
            f"region {self.region_code}"
        )


def create_network(
    con: duckdb.DuckDBPyConnection,
    network_id: str,
    name: str,
    local: list[str],
    wider: list[str] | None = None,
    wider_name: str | None = None,
    baseline: str | None = None,
) -> NetworkSaved:
    """Create (or update) a network with its local districts; the wider area defaults to the
    county of the local districts. Raises SetupError naming the bad codes."""
    network_id = clean_code(network_id)
    if not (name or "").strip():
        raise SetupError("give the network a name")
    local = [c.strip() for c in local if c and c.strip()]
    cur = con.cursor()
    try:
        lads = dict(cur.execute("SELECT lad_code, county_code FROM ref_lad").fetchall())
        bad = [c for c in local if c not in lads]
        if bad or not local:
            raise SetupError(f"unknown local authority code(s): {', '.join(bad) or '(none given)'}")
        if wider:
            wider = [c.strip() for c in wider if c.strip()]
            badw = [c for c in wider if c not in lads]
            if badw:
                raise SetupError(f"unknown wider-area code(s): {', '.join(badw)}")
        else:
            counties = {lads[c] for c in local}
            wider = sorted(c for c, cty in lads.items() if cty in counties)
        if baseline is not None and not re.fullmatch(r"\d{4}-\d{2}", baseline):
            raise SetupError(f"the baseline year {baseline!r} must look like 2022-23")
        row = cur.execute(
            "SELECT mode(region_code), string_agg(lad_name, ', '), mode(county_name) FROM ref_lad "
            "WHERE list_contains(?, lad_code)",
            [local],
        ).fetchone()
        region, names, wname = row if row else (None, ", ".join(local), None)
        allw = sorted(set(wider) | set(local))
        cur.execute(
            "INSERT OR REPLACE INTO network VALUES (?, ?, ?, ?, ?, ?, ?, ?, false)",
            [network_id, name.strip(), local, allw, region, names, wider_name or wname, baseline],
        )
    finally:
        cur.close()
    return NetworkSaved(network_id, names, len(allw), region)


def add_anchor(
    con: duckdb.DuckDBPyConnection,
    anchor_id: str,
    name: str,
    anchor_type: str,
    network_id: str,
    postcode: str | None = None,
    joined_fy: str | None = None,
) -> str:
    """Add (or update) an anchor of a network; returns its stored code. Raises SetupError."""
    anchor_id = clean_code(anchor_id)
    if not (name or "").strip():
        raise SetupError("give the anchor a name")
    if anchor_type not in ANCHOR_TYPES:
        raise SetupError(f"unknown anchor type {anchor_type!r}; one of {', '.join(ANCHOR_TYPE_CODES)}")
    cur = con.cursor()
    try:
        if not cur.execute("SELECT 1 FROM network WHERE network_id = ?", [network_id]).fetchone():
            raise SetupError(
                f"unknown network {network_id}: create it first (Import page, or python -m cwb network create)"
            )
        cur.execute(
            "INSERT OR REPLACE INTO anchor VALUES (?, ?, ?, ?, ?, ?, false)",
            [anchor_id, name.strip(), anchor_type, postcode or None, network_id, joined_fy or None],
        )
    finally:
        cur.close()
    return anchor_id


def files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every imported file, newest first."""
    from cwb.ingest import importer

    return importer.files(con)


def undo(con: duckdb.DuckDBPyConnection, file_id: int, who: str = "local") -> str:
    """Remove one imported file and everything it brought in; returns the file's name.
    Raises ValueError (naming the later file to undo first) when it cannot."""
    from cwb.ingest import importer

    return importer.undo(con, int(file_id), who=who)
