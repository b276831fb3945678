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
from zlib import error as zlib_error

import numpy as np
import pandas as pd

from cwb.fmt import count
from cwb.ingest import vocab

MAX_BYTES_IN_ZIP = 2_000_000_000  # refuse zip bombs: more than this uncompressed
MAX_RATIO = 200  # ... or a compression ratio above this


class ReadError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, bomb); nothing is imported."""


def norm_header(h: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(h).lower())


@dataclass
class Table:
    data: pd.DataFrame  # all text, columns named from the header (duplicates made unique)
    header_line: int  # 1-based line number of the header in the file
    first_data_line: int  # 1-based line number of data row 0 (lines map 1:1 via line_numbers)
    line_numbers: list[int]  # file line number of every data row
    encoding: str
    notes: list[str] = field(default_factory=list)


_BOMS = [
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 (BOM)"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 (BOM)"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 (BOM)"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 (BOM)"),
]


def _decode(raw: bytes) -> tuple[str, str]:
    """Text of a delimited file: a BOM (UTF-8/16/32, as Excel's 'Unicode Text' writes), UTF-16/32
    without one (told by the NUL bytes of ASCII text), strict UTF-8, else Windows-1252 with the
    old DOS pound byte (0x9C, code page 850) read as £ wherever it is."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8 (BOM)"
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace"), label
    head = raw[:4000]
    if len(head) >= 8 and head.count(b"\x00") > len(head) // 4:
        for codec, label in (
            ("utf-32-le", "UTF-32"),
            ("utf-32-be", "UTF-32"),
            ("utf-16-le", "UTF-16"),
            ("utf-16-be", "UTF-16"),
        ):
            unit = 4 if "32" in codec else 2
            pos = 0 if codec.endswith("le") else unit - 1  # where the ASCII byte sits in each code unit
            if all(head[i] != 0 for i in range(pos, min(len(head), 400), unit)) and len(raw) % unit == 0:
                try:
                    return raw.decode(codec), label
                except UnicodeDecodeError:
                    continue
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = raw.replace(b"\x9c", b"\xa3").decode("cp1252", errors="replace")
    return text, "windows-1252"


def max_expanded() -> int:
    from cwb import config

    return int(float(config.get("CWB_MAX_EXPANDED_MB")) * 1_000_000)


def _read_capped(z: zipfile.ZipFile, m: zipfile.ZipInfo, name: str, cap: int) -> bytes:
    """A zip member read in chunks, stopping (ReadError) as soon as more than ``cap`` bytes came out:
    the declared size is never trusted."""
    out, n = [], 0
    with z.open(m) as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            n += len(chunk)
            if n > cap:
                raise ReadError(
                    f"{name}: refused: it expands to more than {cap / 1e6:,.0f} MB "
                    "(CWB_MAX_EXPANDED_MB): a zip bomb, or a file too large to import"
                )
            out.append(chunk)
    return b"".join(out)


def _check_bomb(z: zipfile.ZipFile, name: str) -> None:
    cap = max_expanded()
    total = sum(i.file_size for i in z.infolist())
    packed = sum(i.compress_size for i in z.infolist()) or 1
    if total > min(cap, MAX_BYTES_IN_ZIP) or total / packed > MAX_RATIO:
        raise ReadError(
            f"{name}: refused: it would expand to {total:,} bytes (ratio {total / packed:,.0f}; "
            f"limits {cap / 1e6:,.0f} MB, CWB_MAX_EXPANDED_MB, and ratio {MAX_RATIO}): a zip bomb?"
        )


def _unzip(raw: bytes, name: str) -> tuple[bytes, str]:
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{name}: not a readable zip file or XLSX/ODS workbook ({exc})") from exc
    members = [
        i
        for i in z.infolist()
        if not i.is_dir() and i.filename.lower().endswith((".csv", ".txt", ".xlsx", ".xls", ".ods", ".tsv"))
    ]
    if len(members) != 1:
        raise ReadError(
            f"{name}: the zip must hold exactly one CSV, XLSX, XLS or ODS file (found {len(members)})"
        )
    m = members[0]
    _check_bomb(z, name)
    try:
        return _read_capped(z, m, name, max_expanded()), m.filename
    except (zipfile.BadZipFile, EOFError, zlib_error) as exc:
        raise ReadError(f"{name}: the zip is damaged ({exc})") from exc


WORKBOOK_MAGIC = {b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0": "xls"}


def _cell(v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if hasattr(v, "hour") and hasattr(v, "date"):  # datetime
        return (
            v.strftime("%Y-%m-%d")
            if (v.hour, v.minute, v.second) == (0, 0, 0)
            else v.strftime("%Y-%m-%d %H:%M:%S")
        )
    if hasattr(v, "strftime") and hasattr(v, "year"):  # date
        return v.strftime("%Y-%m-%d")
    return str(v)


def workbook_sheets(raw: bytes, name: str) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of an XLSX, XLS or ODS workbook as rows of text (python-calamine)."""
    from python_calamine import CalamineWorkbook

    if raw[:4] == b"PK\x03\x04":
        try:
            z = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile as exc:
            raise ReadError(f"{name}: not a readable workbook ({exc})") from exc
        _check_bomb(z, name)
        cap = max_expanded()
        try:  # stream every part once: a forged size in the zip directory cannot get past the cap
            for m in z.infolist():
                _read_capped(z, m, name, cap)
        except (zipfile.BadZipFile, EOFError, zlib_error) as exc:
            raise ReadError(f"{name}: the workbook is damaged ({exc})") from exc
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        out = []
        for sn in wb.sheet_names:
            try:
                rows = wb.get_sheet_by_name(sn).to_python(skip_empty_area=False)
            except Exception:  # noqa: BLE001 - a chart sheet or an unreadable sheet holds no table
                continue
            out.append((sn, [[_cell(v) for v in r] for r in rows]))
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a malformed spreadsheet is a read error
        raise ReadError(f"{name}: not a readable workbook ({type(exc).__name__}: {str(exc)[:200]})") from exc
    return out


def _xlsx_rows(raw: bytes, name: str) -> list[list[str]]:
    """Rows of the first sheet that has any content."""
    sheets = workbook_sheets(raw, name)
    for _sn, rows in sheets:
        if any(any(c.strip() for c in r) for r in rows):
            return rows
    return sheets[0][1] if sheets else []


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
        return pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            sep=delim,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
        )
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


def _is_workbook_zip(raw: bytes) -> bool:
    """An XLSX or ODS file (a zip with a workbook inside), not a zip holding a file."""
    try:
        names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names or "mimetype" in names or any(n.startswith("xl/") for n in names)


def _workbook_kind(raw: bytes, name: str) -> str | None:
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if raw[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except zipfile.BadZipFile as exc:
            raise ReadError(f"{name}: not a readable workbook ({exc})") from exc
        return "ods" if "mimetype" in names and not any(n.startswith("xl/") for n in names) else "xlsx"
    return None


def _open(path: Path) -> tuple[bytes, str, list[str]]:
    path = Path(path)
    raw = path.read_bytes()
    notes: list[str] = []
    name = path.name
    if raw[:4] == b"PK\x03\x04" and not _is_workbook_zip(raw):
        raw, inner = _unzip(raw, name)
        notes.append(f"read {inner} from the zip")
        name = inner
    return raw, name, notes


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="object")


def read_sheets(path: Path) -> tuple[list[tuple[str | None, pd.DataFrame]], str, list[str]]:
    """Every table of a file as text: each sheet of a workbook (XLSX, XLS, ODS), or the one table
    of a delimited text file (sheet name None); a zip holding one file is opened first."""
    raw, name, notes = _open(path)
    kind = _workbook_kind(raw, name)
    if kind:
        return [(sn, _frame(rows)) for sn, rows in workbook_sheets(raw, name)], kind, notes
    text, enc = _decode(raw)
    if enc == "windows-1252" and b"\x9c" in raw:
        n9c = raw.count(b"\x9c")
        notes.append(f"the old DOS pound byte (0x9C) read as £ ({n9c:,} times)")
    return [(None, _csv_frame(text))], enc, notes


def read_rows(path: Path) -> tuple[pd.DataFrame, str, list[str]]:
    """All rows of the first table in a CSV/TXT/XLSX/XLS/ODS file (or a zip holding one), as text."""
    raw, name, notes = _open(path)
    kind = _workbook_kind(raw, name)
    if kind:
        rows = _xlsx_rows(raw, name)
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="object"), kind, notes
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
        raise ReadError(
            f"{Path(path).name}: no header row found: expected column names such as "
            + ", ".join(v[0] for v in list(aliases.values())[:5])
        )
    header = [str(h).strip() for h in rows.iloc[hi].tolist()]
    while header and not header[-1]:
        header.pop()  # trailing unnamed columns (',,,' after the last name)
    after = rows.iloc[hi + 1 :]
    only_padding_after = (
        not bool(after.apply(lambda c: c.str.strip() != "").any(axis=None)) if len(after) else True
    )
    if only_padding_after and hi > 0:
        notes.append(
            "the header is the last line of the file (or followed only by empty lines): data rows are above it"
        )
        body = rows.iloc[:hi]
    else:
        body = rows.iloc[hi + 1 :]
        if hi > 0:
            notes.append(f"header found on line {hi + 1} ({count(hi, 'line')} above it skipped)")
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
        notes.append(
            "duplicate column names made unique: " + ", ".join(f"'{k}'" for k, v in seen.items() if v > 1)
        )
    width = len(names)
    extra = body.iloc[:, width:]
    body = body.iloc[:, :width]
    if body.shape[1] < width:
        for j in range(body.shape[1], width):
            body[j] = ""
    nonempty = body.apply(lambda c: c.str.strip() != "").any(axis=1) if len(body) else pd.Series(dtype=bool)
    if not bool(nonempty.any()):
        raise ReadError(f"{Path(path).name}: the file has a header (line {hi + 1}) but no data rows below it")
    padding = int((~nonempty).sum())
    wide = (
        int((extra.apply(lambda c: c.str.strip() != "").any(axis=1) & nonempty).sum())
        if extra.shape[1]
        else 0
    )
    body = body[nonempty]
    lines = (body.index.to_numpy() + 1).tolist()
    if padding:
        notes.append(f"{count(padding, 'empty padding row')} ignored")
    if wide:
        notes.append(f"{wide:,} rows had values beyond the last named column (ignored)")
    df = body.copy()
    df.columns = names
    df = df.reset_index(drop=True)
    empty_cols = [
        c for c in names if c.startswith("(column ") and (df.empty or not df[c].astype(str).str.strip().any())
    ]
    if empty_cols:
        df = df.drop(columns=empty_cols)
    return Table(df, hi + 1, lines[0] if lines else hi + 2, lines, enc, notes)


def propose_mapping(
    columns: list[str],
    aliases: dict[str, list[str]],
    data: pd.DataFrame | None = None,
    prefer_text: tuple[str, ...] = (),
) -> dict[str, str]:
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


# ---- blocks: header rows found by vocabulary, every sheet, repeated headers inside a sheet ----


@dataclass
class Block:
    """One table in a file: a header and the rows under it (up to the next header)."""

    sheet: str | None
    header_line: int  # 1-based line (or sheet row) of the header
    data: pd.DataFrame  # text, columns named from the header (made unique)
    lines: np.ndarray  # 1-based line (or sheet row) of every data row
    padding: int = 0  # empty rows dropped

    def where(self, line: int) -> str:
        return f"sheet '{self.sheet}' row {line}" if self.sheet is not None else f"line {line}"


_HEADERISH = None


def _header_words() -> set[str]:
    global _HEADERISH
    if _HEADERISH is None:
        w: set[str] = set()
        for good, _bad in vocab.WORDS.values():
            w.update(good)
        _HEADERISH = w
    return _HEADERISH


_VALUE_RE = re.compile(r"^[-+(£]?[\d.,/\s:-]+\)?$")


def header_score(cells: list[str], extra: frozenset[str] = frozenset()) -> float:
    """How much a row looks like a header: known column names (and ``extra`` names, e.g. those of
    a remembered mapping) count 1, cells with header words 0.5, cells that look like values
    (numbers, dates) count against it."""
    known = vocab.known_names() | extra
    hw = _header_words()
    s = 0.0
    for c in cells:
        c = str(c).strip()
        if not c:
            continue
        if _VALUE_RE.match(c):
            s -= 1
        elif vocab.norm(c) in known:
            s += 1
        elif len(c) <= 60 and any(w in hw for w in vocab.words(c)):
            s += 0.5
    return s


def _names(header: list[str]) -> tuple[list[str], list[str]]:
    seen: dict[str, int] = {}
    names, dup = [], []
    for j, h in enumerate(header):
        h = h or f"(column {j + 1})"
        if h in seen:
            seen[h] += 1
            names.append(f"{h} ({seen[h]})")
            dup.append(h)
        else:
            seen[h] = 1
            names.append(h)
    return names, sorted(set(dup))


def _block(rows: pd.DataFrame, sheet, hi: int, start: int, stop: int, notes: list[str]) -> Block:
    header = [str(h).strip() for h in rows.iloc[hi].tolist()]
    while header and not header[-1]:
        header.pop()
    names, dup = _names(header)
    if dup:
        notes.append("duplicate column names made unique: " + ", ".join(f"'{d}'" for d in dup))
    body = rows.iloc[start:stop, : len(names)]
    if body.shape[1] < len(names):
        body = body.copy()
        for j in range(body.shape[1], len(names)):
            body[j] = ""
    nonempty = (body != "").any(axis=1) if len(body) else pd.Series(dtype=bool)
    if len(body) and nonempty.any():
        stripped = body.loc[nonempty]
        nonempty.loc[nonempty] = stripped.apply(lambda c: c.str.strip() != "").any(axis=1)
    padding = int((~nonempty).sum())
    body = body[nonempty]
    df = body.copy()
    df.columns = names
    lines = body.index.to_numpy() + 1
    df = df.reset_index(drop=True)
    empty_cols = [c for c in names if c.startswith("(column ") and (df.empty or not df[c].str.strip().any())]
    if empty_cols:
        df = df.drop(columns=empty_cols)
    return Block(sheet, hi + 1, df, lines, padding)


def split_blocks(
    rows: pd.DataFrame, sheet: str | None, scan: int = 60, extra: frozenset[str] = frozenset()
) -> tuple[list[Block], list[str]]:
    """The tables of one sheet: the best header in the first ``scan`` rows (or one of the last 5,
    for files with the header at the bottom); a later row that repeats header names starts a new
    block with its own columns. Empty when the sheet has no header."""
    notes: list[str] = []
    rows = rows.fillna("").astype(str)
    n = len(rows)
    if n == 0:
        return [], notes
    cand = list(range(min(scan, n))) + [i for i in range(max(0, n - 5), n) if i >= scan]
    best, hi = 0.0, -1
    for i in cand:
        sc = header_score(rows.iloc[i].tolist(), extra)
        if sc > best:
            best, hi = sc, i
    if hi < 0 or best < 1.5:
        return [], notes
    after = rows.iloc[hi + 1 :]
    if hi > 0 and (not len(after) or not (after.apply(lambda c: c.str.strip() != "").any(axis=None))):
        notes.append("the header is the last line (or followed only by empty lines): data rows are above it")
        b = _block(rows, sheet, hi, 0, hi, notes)
        return [b], notes
    if hi > 0:
        notes.append(
            f"header found on {'sheet ' + repr(sheet) + ' row' if sheet else 'line'} {hi + 1} "
            f"({count(hi, 'line')} above it skipped)"
        )
    # later header rows: two or more cells that are known column names or this header's names
    header_cells = {str(h).strip() for h in rows.iloc[hi].tolist() if str(h).strip()}
    names = set(header_cells)
    for f in vocab.KIND_FIELDS["payments"]:
        for x in vocab.NAMES[f]:
            names.update((x, x.lower(), x.upper(), x.title()))
    body = rows.iloc[hi + 1 :]
    hits = np.zeros(len(body), dtype=np.int32)
    for j in range(body.shape[1]):
        hits += body.iloc[:, j].isin(names).to_numpy()
    starts = [hi] + [
        hi + 1 + int(k) for k in np.flatnonzero(hits >= 2) if header_score(body.iloc[int(k)].tolist()) >= 1.5
    ]
    blocks = []
    for k, h in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else n
        blocks.append(_block(rows, sheet, h, h + 1, stop, notes))
    if len(starts) > 1:
        notes.append(
            f"{count(len(starts) - 1, 'more header row')} inside {'sheet ' + repr(sheet) if sheet else 'the file'} "
            f"(at {', '.join(str(h + 1) for h in starts[1:])}): each starts a table with its own columns"
        )
    return blocks, notes


def read_blocks(path: Path, extra_names=()) -> tuple[list[Block], str, list[str]]:
    """Every table in a file (each sheet of a workbook, each header block in a sheet).
    ``extra_names``: column names a header may use besides the vocabulary (a remembered mapping's)."""
    extra = frozenset(vocab.norm(re.sub(r" \(\d+\)$", "", x)) for x in extra_names)
    sheets, enc, notes = read_sheets(path)
    if not sheets or all(df.empty for _s, df in sheets):
        raise ReadError(f"{Path(path).name}: the file is empty")
    blocks: list[Block] = []
    skipped = []
    for sn, df in sheets:
        bs, bn = split_blocks(df, sn, extra=extra)
        notes.extend(bn)
        pad = sum(b.padding for b in bs)
        if pad:
            notes.append(
                f"{count(pad, 'empty padding row')} ignored"
                + (f" (sheet '{sn}')" if sn is not None and len(sheets) > 1 else "")
            )
        if not bs and sn is not None and not df.empty:
            skipped.append(sn)
        blocks.extend(bs)
    if not blocks:
        raise ReadError(
            f"{Path(path).name}: no header row found: expected column names such as Date, Amount, "
            "Supplier Name in the first 60 rows"
        )
    if skipped and len(sheets) > 1:
        notes.append("sheet(s) without a header row left out: " + ", ".join(f"'{x}'" for x in skipped))
    if all(b.data.empty for b in blocks):
        b = blocks[0]
        raise ReadError(
            f"{Path(path).name}: the file has a header ({b.where(b.header_line)}) but no data rows below it"
        )
    return blocks, enc, notes
