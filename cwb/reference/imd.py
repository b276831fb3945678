"""English Indices of Deprivation by LSOA: import from the official files or the tidy layout.

Editions are never mixed: 2019 is on 2011 LSOAs, 2025 on 2021 LSOAs. Accepted layouts:

- tidy: ``lsoa11_code`` / ``lsoa21_code``, ``IMD_decile``, optional ``IMD_rank``, ``IMD_score``;
- official MHCLG files: headers like ``LSOA code (2011)`` and
  ``Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)``.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import duckdb
import pandas as pd

from cwb import config, db

ATTRIBUTION = "English Indices of Deprivation, MHCLG, OGL v3.0"


class ImdFormatError(ValueError):
    pass


def _find(cols: list[str], *patterns: str) -> str | None:
    for pat in patterns:
        for c in cols:
            if re.search(pat, c, flags=re.I):
                return c
    return None


def read_imd(path: str | Path) -> tuple[str, pd.DataFrame]:
    """Read an IMD file; return (edition, frame of lsoa_code, imd_decile, imd_rank, imd_score, population)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        df = next((d for d in sheets.values() if _find(list(d.columns), r"lsoa.*code")), None)
        if df is None:
            raise ImdFormatError(f"{path.name}: no sheet with an LSOA code column")
    else:
        df = pd.read_csv(path, dtype=str, encoding_errors="replace")
    cols = list(df.columns)
    code = _find(cols, r"^lsoa11_code$", r"^lsoa21_code$", r"lsoa code \(20(11|21)\)", r"lsoa.*code")
    decile = _find(cols, r"^imd_decile$", r"index of multiple deprivation.*decile", r"imd.*decile")
    if code is None or decile is None:
        raise ImdFormatError(
            f"{path.name}: need an LSOA code column and an IMD decile column; found {cols[:8]}"
        )
    if "21" in code:
        edition = "2025"
    elif "11" in code:
        edition = "2019"
    else:
        raise ImdFormatError(f"{path.name}: cannot tell the LSOA vintage from column '{code}'")
    rank = _find(cols, r"^imd_rank$", r"index of multiple deprivation.*rank", r"imd.*rank")
    score = _find(cols, r"^imd_score$", r"index of multiple deprivation.*score", r"imd.*score")
    pop = _find(cols, r"total population")
    out = pd.DataFrame({"lsoa_code": df[code].str.strip()})
    out["imd_decile"] = pd.to_numeric(df[decile], errors="coerce")
    out["imd_rank"] = pd.to_numeric(df[rank], errors="coerce") if rank else None
    out["imd_score"] = pd.to_numeric(df[score], errors="coerce") if score else None
    out["population"] = pd.to_numeric(df[pop], errors="coerce") if pop else None
    bad = out[
        out["imd_decile"].isna()
        | ~out["imd_decile"].between(1, 10)
        | ~out["lsoa_code"].str.match(r"^[EW]01\d{6}$", na=False)
    ]
    if len(bad):
        line = int(bad.index[0]) + 2
        raise ImdFormatError(
            f"{path.name}: line {line}: bad LSOA code or decile "
            f"({bad.iloc[0]['lsoa_code']!r}, {bad.iloc[0]['imd_decile']!r}); nothing was loaded"
        )
    return edition, out


def load_imd(con: duckdb.DuckDBPyConnection, path: str | Path) -> tuple[str, int]:
    """Replace one IMD edition in ``ref_imd`` from a file, in one transaction."""
    edition, df = read_imd(path)
    with db.transaction(con) as cur:
        cur.register("imd_df", df)
        cur.execute("DELETE FROM ref_imd WHERE edition = ?", [edition])
        cur.execute(
            "INSERT INTO ref_imd SELECT ?, lsoa_code, imd_decile, imd_rank, imd_score, population FROM imd_df",
            [edition],
        )
    return edition, len(df)


def download(edition: str, dest: Path, timeout: float = 60) -> Path:
    """Download the official file from the configured address; raise a clear error offline."""
    url = config.get(f"CWB_IMD{edition}_URL")
    if not url:
        raise RuntimeError(f"no download address set for IMD {edition}: set CWB_IMD{edition}_URL")
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r, open(dest, "wb") as f:
            f.write(r.read())
    except OSError as exc:
        raise RuntimeError(
            f"could not download IMD {edition} from {url}: {exc}. Download it in a browser and "
            f"run: python -m cwb imd PATH"
        ) from exc
    return dest


def editions_loaded(con: duckdb.DuckDBPyConnection) -> list[str]:
    cur = con.cursor()
    try:
        return [r[0] for r in cur.execute("SELECT DISTINCT edition FROM ref_imd ORDER BY 1").fetchall()]
    finally:
        cur.close()


def load_lsoa_lookup(con: duckdb.DuckDBPyConnection, path: str | Path) -> int:
    """Load an LSOA 2011 -> 2021 lookup (columns containing lsoa11 / lsoa21 codes)."""
    df = pd.read_csv(path, dtype=str)
    c11 = _find(list(df.columns), r"lsoa11(cd|_code)?$", r"lsoa11")
    c21 = _find(list(df.columns), r"lsoa21(cd|_code)?$", r"lsoa21")
    if not c11 or not c21:
        raise ImdFormatError(f"{Path(path).name}: need LSOA 2011 and 2021 code columns")
    df = df[[c11, c21]].dropna().rename(columns={c11: "lsoa11", c21: "lsoa21"})
    with db.transaction(con) as cur:
        cur.register("lk", df)
        cur.execute("DELETE FROM ref_lsoa11_lsoa21")
        cur.execute("INSERT INTO ref_lsoa11_lsoa21 SELECT lsoa11, lsoa21 FROM lk")
    return len(df)
