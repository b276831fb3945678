"""Read messy published tables into rows of text: encodings, line endings, header detection,
padding rows, duplicate and empty columns, zip and XLSX containers.

Everything here returns text; typing (dates, money) happens in the per-kind readers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MAX_BYTES_IN_ZIP = 2_000_000_000      # refuse zip bombs: more than this uncompressed
MAX_RATIO = 200                       # ... or a compression ratio above this


class ReadError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, bomb); nothing is imported."""


def norm_header(h: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(h).lower())


@dataclass
class Table:
    data: pd.DataFrame              # all text, columns named from the header (duplicates made unique)
    header_line: int                # 1-based line number of the header in the file
    first_data_line: int            # 1-based line number of data row 0 (lines map 1:1 via line_numbers)
    line_numbers: list[int]         # file line number of every data row
    encoding: str
    notes: list[str] = field(default_factory=list)


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8 (BOM)"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252, with the old DOS pound byte (0x9C in code page 850) before a digit read as £
    raw = re.sub(rb"\x9c(?=\s?[\d.])", b"\xa3", raw)
    return raw.decode("cp1252", errors="replace"), "windows-1252"


def _unzip(raw: bytes, name: str) -> tuple[bytes, str]:
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{name}: not a readable zip file ({exc})") from exc
    members = [i for i in z.infolist() if not i.is_dir() and i.filename.lower().endswith((".csv", ".txt", ".xlsx"))]
    if len(members) != 1:
        raise ReadError(f"{name}: the zip must hold exactly one CSV or XLSX file (found {len(members)})")
    m = members[0]
    if m.file_size > MAX_BYTES_IN_ZIP or (m.compress_size and m.file_size / m.compress_size > MAX_RATIO):
        raise ReadError(f"{name}: refused: the zip would expand to {m.file_size:,} bytes (a zip bomb?)")
    return z.read(m), m.filename


def _xlsx_rows(raw: bytes, name: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        total = sum(i.file_size for i in z.infolist())
        packed = sum(i.compress_size for i in z.infolist()) or 1
        if total > MAX_BYTES_IN_ZIP or total / packed > MAX_RATIO:
            raise ReadError(f"{name}: refused: the spreadsheet would expand to {total:,} bytes (a zip bomb?)")
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a malformed spreadsheet is a read error
        raise ReadError(f"{name}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from exc
    ws = wb.worksheets[0]
    rows = []
    for r in ws.iter_rows(values_only=True):
        out = []
        for v in r:
            if v is None:
                out.append("")
            elif hasattr(v, "strftime"):
                out.append(v.strftime("%Y-%m-%d"))
            elif isinstance(v, float) and v.is_integer():
                out.append(str(int(v)))
            else:
                out.append(str(v))
        rows.append(out)
    wb.close()
    return rows


def _csv_frame(text: str) -> pd.DataFrame:
    """All rows as text, one column per field position (ragged rows padded with '')."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ReadError("the file contains NUL bytes: not a text table")
    sample = text[:20000]
    delim = ","
    if sample.count(",") < sample.count(";") and sample.count(";") > 3:
        delim = ";"
    elif sample.count(",") < sample.count("\t") and sample.count("\t") > 3:
        delim = "\t"
    try:  # fast path: pandas' C parser, when every row has the same number of fields
        return pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_filter=False,
                           skip_blank_lines=False, sep=delim, engine="c", quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError, pd.errors.EmptyDataError):
        pass
    csv.field_size_limit(10_000_000)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    except csv.Error as exc:
        raise ReadError(f"the text is not a readable table: {exc}") from exc
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="object")


def read_rows(path: Path) -> tuple[pd.DataFrame, str, list[str]]:
    """All rows of the first table in a CSV/TXT/XLSX file (or a zip holding one), as text."""
    path = Path(path)
    raw = path.read_bytes()
    notes: list[str] = []
    name = path.name
    if raw[:4] == b"PK\x03\x04" and not name.lower().endswith(".xlsx"):
        raw, inner = _unzip(raw, name)
        notes.append(f"read {inner} from the zip")
        name = inner
    if raw[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(raw, name)
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="object"), "xlsx", notes
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(f"{name}: old .xls workbooks are not read: save it as .xlsx or CSV")
    text, enc = _decode(raw)
    return _csv_frame(text), enc, notes


def find_header(rows: pd.DataFrame, aliases: dict[str, list[str]], scan: int = 60) -> tuple[int, int]:
    """Index of the header row (scanning the top and the last rows) and its score (known names)."""
    known = {norm_header(a) for names in aliases.values() for a in names}
    best, best_i = 0, -1
    n = len(rows)
    cand = list(range(min(scan, n)))
    tail = [i for i in range(max(0, n - 5), n) if i not in cand]
    for i in cand + tail:
        score = sum(1 for c in rows.iloc[i].tolist() if norm_header(c) in known)
        if score > best:
            best, best_i = score, i
    return best_i, best


def to_table(path: Path, aliases: dict[str, list[str]], min_known: int = 2) -> Table:
    rows, enc, notes = read_rows(path)
    if rows.empty:
        raise ReadError(f"{Path(path).name}: the file is empty")
    rows = rows.fillna("").astype(str)
    hi, score = find_header(rows, aliases)
    if hi < 0 or score < min_known:
        raise ReadError(f"{Path(path).name}: no header row found: expected column names such as "
                        + ", ".join(v[0] for v in list(aliases.values())[:5]))
    header = [str(h).strip() for h in rows.iloc[hi].tolist()]
    while header and not header[-1]:
        header.pop()                      # trailing unnamed columns (',,,' after the last name)
    after = rows.iloc[hi + 1:]
    only_padding_after = not bool(after.apply(lambda c: c.str.strip() != "").any(axis=None)) if len(after) else True
    if only_padding_after and hi > 0:
        notes.append("the header is the last line of the file (or followed only by empty lines): data rows are above it")
        body = rows.iloc[:hi]
    else:
        body = rows.iloc[hi + 1:]
        if hi > 0:
            notes.append(f"header found on line {hi + 1} ({hi} line(s) above it skipped)")
    seen: dict[str, int] = {}
    names = []
    for j, h in enumerate(header):
        h = h or f"(column {j + 1})"
        if h in seen:
            seen[h] += 1
            names.append(f"{h} ({seen[h]})")
        else:
            seen[h] = 1
            names.append(h)
    if any(v > 1 for v in seen.values()):
        notes.append("duplicate column names made unique: " + ", ".join(f"'{k}'" for k, v in seen.items() if v > 1))
    width = len(names)
    extra = body.iloc[:, width:]
    body = body.iloc[:, :width]
    if body.shape[1] < width:
        for j in range(body.shape[1], width):
            body[j] = ""
    nonempty = body.apply(lambda c: c.str.strip() != "").any(axis=1) if len(body) else pd.Series(dtype=bool)
    padding = int((~nonempty).sum())
    wide = int((extra.apply(lambda c: c.str.strip() != "").any(axis=1) & nonempty).sum()) if extra.shape[1] else 0
    body = body[nonempty]
    lines = (body.index.to_numpy() + 1).tolist()
    if padding:
        notes.append(f"{padding:,} empty padding rows ignored")
    if wide:
        notes.append(f"{wide:,} rows had values beyond the last named column (ignored)")
    df = body.copy()
    df.columns = names
    df = df.reset_index(drop=True)
    empty_cols = [c for c in names if c.startswith("(column ") and (df.empty or not df[c].astype(str).str.strip().any())]
    if empty_cols:
        df = df.drop(columns=empty_cols)
    return Table(df, hi + 1, lines[0] if lines else hi + 2, lines, enc, notes)


def propose_mapping(columns: list[str], aliases: dict[str, list[str]], data: pd.DataFrame | None = None,
                    prefer_text: tuple[str, ...] = ()) -> dict[str, str]:
    """Field -> column, by known header names (first alias wins). For fields in ``prefer_text``,
    when several columns match (e.g. a code and a description both called 'Account Code'), take
    the one whose values are mostly not numbers."""
    normcols = {c: norm_header(re.sub(r" \(\d+\)$", "", c)) for c in columns}
    out: dict[str, str] = {}
    used: set[str] = set()
    for fld, names in aliases.items():
        for a in names:
            hits = [c for c in columns if normcols[c] == norm_header(a) and c not in used]
            if not hits:
                continue
            pick = hits[0]
            if fld in prefer_text and len(hits) > 1 and data is not None:
                def numeric_share(c):
                    s = data[c].astype(str).str.strip().head(500)
                    return s.str.fullmatch(r"[\d.,\-]+").mean() if len(s) else 1.0
                pick = min(hits, key=numeric_share)
            out[fld] = pick
            used.add(pick)
            break
    return out


def with_mapping(aliases: dict[str, list[str]], mapping: dict[str, str] | None) -> dict[str, list[str]]:
    """Aliases with a user's mapped column names first, so header detection finds their header."""
    if not mapping:
        return aliases
    out = {k: list(v) for k, v in aliases.items()}
    for fld, col in mapping.items():
        out.setdefault(fld, [])
        out[fld] = [re.sub(r" \(\d+\)$", "", col)] + out[fld]
    return out
