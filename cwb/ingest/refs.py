"""Official reference files from the upload page or the CLI: the English Indices of Deprivation,
the ONS Postcode Directory, boundary files (GeoJSON / GeoPackage / zipped Shapefile).

Each loader is all-or-nothing (the IMD and postcode loaders run in one transaction; boundaries
are written to a temporary file and swapped in). Every load is written to the audit trail.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cwb import audit, build

REFERENCE_KINDS = {
    "imd": "English Indices of Deprivation (IoD 2019 'File 7' or IoD 2025, CSV/XLSX)",
    "postcodes": "ONS Postcode Directory / NSPL extract (CSV)",
    "boundaries": "Boundaries (GeoJSON, GeoPackage or a zipped Shapefile)",
}
BOUNDARY_LEVELS = ("lad", "msoa11", "lsoa11")


def load_reference(
    con: duckdb.DuckDBPyConnection, path: str | Path, what: str, level: str | None = None, who: str = "local"
) -> str:
    """Load one reference file; return what was loaded, or raise ValueError saying why not
    (nothing is changed then)."""
    from cwb.reference import imd, official

    path = Path(path)
    try:
        if what == "imd":
            edition, n = imd.load_imd(con, path)
            msg = f"IMD {edition}: {n:,} LSOAs loaded from {path.name}"
        elif what == "postcodes":
            n = official.load_postcodes(con, path)
            msg = f"{n:,} postcodes loaded from {path.name}; suppliers and sites re-located"
        elif what == "boundaries":
            if level not in BOUNDARY_LEVELS:
                raise ValueError(f"boundary level must be one of {', '.join(BOUNDARY_LEVELS)}")
            n = official.load_boundaries(path, level)
            msg = f"{level} boundaries replaced: {n:,} areas from {path.name}"
        else:
            raise ValueError(f"unknown reference kind {what!r}: use one of {', '.join(REFERENCE_KINDS)}")
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed file must say what is wrong, never crash the page
        raise ValueError(f"{path.name}: not loaded: {type(exc).__name__}: {str(exc)[:300]}") from exc
    build.refresh(con)
    audit.log(con, who, "reference", msg)
    return msg
