"""Stream the official register files into ``reg_entity`` / ``reg_name``.

Delimited files are read in blocks with pyarrow's streaming CSV reader (straight out of the zip
when the file is zipped), each block is mapped to the common layout by one SQL statement, so the
5.5 million rows of Companies House load with flat memory. A kind is replaced as a whole, in one
transaction: a file that fails leaves the previous copy of that register in place.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import time
import weakref
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from cwb import config, db
from cwb.registers import KIND_LABELS, KINDS

SCHEMA_SQL = db.SQL_DIR / "build" / "05_registers.sql"
DUCKDB_MIN_BYTES = int(float(os.environ.get("CWB_REGISTER_DUCKDB_MIN_MB", "64")) * 1e6)
PC_RE = r"([A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2})\s*$"


class RegisterFormatError(ValueError):
    """The file is not in the layout of the register it was given as."""


_SCHEMA_APPLIED: weakref.WeakSet = weakref.WeakSet()


def ensure_schema(con: duckdb.DuckDBPyConnection, force: bool = False) -> None:
    """The register tables and views exist on this connection's database. Applied once per
    connection (a page asked for it on every run: 0.4 s each at 10M payments, issue 15);
    ``force`` applies it again."""
    if not force and con in _SCHEMA_APPLIED:
        return
    db.execute_script(SCHEMA_SQL.read_text(encoding="utf-8"), con, "05_registers")
    try:
        _SCHEMA_APPLIED.add(con)
    except TypeError:  # an object that cannot be referenced weakly: applied each time
        pass


def col_key(name: str) -> str:
    """' RegAddress.PostCode' -> 'regaddress_postcode' (headers carry leading spaces and dots)."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


@dataclass
class LoadReport:
    kind: str
    files: list[str]
    rows_read: int = 0
    rows_loaded: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    snapshot_date: str | None = None
    seconds: float = 0.0
    by_form: dict[str, int] = field(default_factory=dict)
    active: int = 0
    with_postcode: int = 0
    names: int = 0

    def text(self) -> str:
        lines = [
            f"{KIND_LABELS[self.kind]}: {self.rows_loaded:,} entries loaded from {', '.join(self.files)} "
            f"in {self.seconds:.1f} s (snapshot {self.snapshot_date or 'date unknown'})",
            f"  rows read {self.rows_read:,}; active {self.active:,}; with a postcode {self.with_postcode:,}; "
            f"names incl. previous {self.names:,}",
        ]
        for why, n in self.skipped.items():
            lines.append(f"  skipped {n:,}: {why}")
        if self.by_form:
            top = sorted(self.by_form.items(), key=lambda kv: -kv[1])[:8]
            lines.append("  legal forms: " + "; ".join(f"{k or '(none)'} {v:,}" for k, v in top))
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            k: getattr(self, k)
            for k in (
                "kind",
                "files",
                "rows_read",
                "rows_loaded",
                "skipped",
                "snapshot_date",
                "seconds",
                "by_form",
                "active",
                "with_postcode",
                "names",
            )
        }


# ---- per-kind layouts: required columns (col_key form) and the SQL mapping one block (_b) ----------

_PREV = ", ".join(f"nullif(trim(previousname_{i}_companyname), '')" for i in range(1, 11))
LAYOUTS: dict[str, dict] = {
    "companies": {
        "required": ["companyname", "companynumber", "companycategory", "companystatus"],
        "sql": f"""SELECT 'companies', company_key(companynumber), trim(companyname), reg_norm(companyname),
                   nullif(trim(regaddress_postcode), ''), nullif(trim(companycategory), ''), nullif(trim(companystatus), ''),
                   trim(companystatus) ILIKE 'active%', nullif(trim(accounts_accountcategory), ''),
                   nullif(trim(siccode_sictext_1), ''), NULL::DOUBLE, NULL,
                   list_filter([{_PREV}], lambda x: x IS NOT NULL)
                   FROM _b WHERE nullif(trim(companynumber), '') IS NOT NULL AND nullif(trim(companyname), '') IS NOT NULL""",
        "optional": ["regaddress_postcode", "accounts_accountcategory", "siccode_sictext_1"]
        + [f"previousname_{i}_companyname" for i in range(1, 11)],
    },
    "ccew": {  # publicextract.charity.txt (tab-separated); linked (subsidiary) charities left out
        "required": ["registered_charity_number", "charity_name", "charity_registration_status"],
        "sql": """SELECT 'ccew', trim(registered_charity_number), trim(charity_name), reg_norm(charity_name),
                  nullif(trim(charity_contact_postcode), ''),
                  CASE WHEN lower(charity_is_cio) = 'true' THEN 'Charitable incorporated organisation'
                       ELSE nullif(trim(charity_type), '') END,
                  nullif(trim(charity_registration_status), ''), trim(charity_registration_status) = 'Registered',
                  NULL, NULL, TRY_CAST(nullif(trim(latest_income), '') AS DOUBLE),
                  company_key(charity_company_registration_number), []::VARCHAR[]
                  FROM _b WHERE coalesce(nullif(trim(linked_charity_number), ''), '0') = '0'
                    AND nullif(trim(registered_charity_number), '') IS NOT NULL""",
        "optional": [
            "charity_contact_postcode",
            "charity_type",
            "charity_is_cio",
            "latest_income",
            "charity_company_registration_number",
            "linked_charity_number",
            "date_of_extract",
        ],
        "delimiter": "\t",
    },
    "oscr": {
        "required": ["charity_number", "charity_name"],
        "sql": """SELECT 'oscr', upper(trim(charity_number)), trim(charity_name), reg_norm(charity_name),
                  nullif(trim(postcode), ''), nullif(trim(constitutional_form), ''), nullif(trim(charity_status), ''),
                  coalesce(trim(charity_status), '') NOT ILIKE '%removed%' AND coalesce(trim(charity_status), '') NOT ILIKE '%ceased%',
                  NULL, NULL, TRY_CAST(nullif(trim(most_recent_year_income), '') AS DOUBLE), NULL,
                  list_filter([nullif(trim(known_as), '')], lambda x: x IS NOT NULL)
                  FROM _b WHERE nullif(trim(charity_number), '') IS NOT NULL""",
        "optional": [
            "postcode",
            "constitutional_form",
            "charity_status",
            "most_recent_year_income",
            "known_as",
        ],
    },
    "ccni": {  # Windows-1252, address is one field ending with the postcode
        "required": ["reg_charity_number", "charity_name", "status"],
        "sql": f"""SELECT 'ccni', trim(reg_charity_number), trim(charity_name), reg_norm(charity_name),
                   nullif(upper(regexp_extract(trim(public_address), '{PC_RE}', 1)), ''),
                   nullif(trim(type_of_governing_document), ''), nullif(trim(status), ''), trim(status) <> 'Removed',
                   NULL, NULL, TRY_CAST(nullif(trim(total_income), '') AS DOUBLE), company_key(company_number),
                   list_filter([nullif(trim(other_name), '')], lambda x: x IS NOT NULL)
                   FROM _b WHERE nullif(trim(reg_charity_number), '') IS NOT NULL""",
        "optional": [
            "public_address",
            "type_of_governing_document",
            "total_income",
            "company_number",
            "other_name",
        ],
        "encoding": "cp1252",
    },
    "fca_mutuals": {  # the live file spells 'Full Registation Number'
        "required": ["society_name", "registered_as"],
        "sql": f"""SELECT 'fca_mutuals', upper(trim(coalesce(nullif(full_registration_number, ''), full_registation_number,
                          society_number || coalesce(society_suffix, '')))),
                   trim(society_name), reg_norm(society_name),
                   nullif(upper(regexp_extract(trim(society_address), '{PC_RE}', 1)), ''),
                   nullif(trim(registered_as), ''), nullif(trim(society_status), ''),
                   coalesce(trim(society_status), 'Registered') ILIKE 'registered%' AND nullif(trim(deregistration_date), '') IS NULL,
                   NULL, NULL, NULL::DOUBLE, NULL, []::VARCHAR[]
                   FROM _b WHERE nullif(trim(society_name), '') IS NOT NULL""",
        "optional": [
            "full_registration_number",
            "full_registation_number",
            "society_number",
            "society_suffix",
            "society_address",
            "society_status",
            "deregistration_date",
        ],
    },
    "public_bodies": {
        "required": ["overall_alb_name", "overall_copbt_uid"],
        "sql": """SELECT 'public_bodies', trim(overall_copbt_uid), trim(overall_alb_name), reg_norm(overall_alb_name),
                  NULL, nullif(trim(overall_classification), ''), NULL, true, NULL, NULL, NULL::DOUBLE, NULL,
                  list_filter([nullif(nullif(trim(overall_alb_short_name), ''), 'N/A')], lambda x: x IS NOT NULL)
                  FROM _b WHERE nullif(trim(overall_alb_name), '') IS NOT NULL""",
        "optional": ["overall_classification", "overall_alb_short_name"],
    },
    "councils": {  # mySociety uk_local_authorities (current) or its name-to-registry lookup
        "required": ["local_authority_code"],
        "sql": """SELECT 'councils', trim(local_authority_code), trim(coalesce(official_name, la_name)),
                  reg_norm(coalesce(official_name, la_name)), NULL, nullif(trim(local_authority_type_name), ''),
                  CASE WHEN nullif(trim(end_date), '') IS NULL THEN 'current' ELSE 'ended ' || end_date END,
                  nullif(trim(end_date), '') IS NULL, NULL, NULL, NULL::DOUBLE, NULL,
                  list_filter(list_distinct([nullif(trim(nice_name), '')] || string_split(coalesce(alt_names, ''), ',')
                                            || [nullif(trim(la_name), '')]),
                              lambda x: x IS NOT NULL AND trim(x) <> '')
                  FROM _b WHERE nullif(trim(local_authority_code), '') IS NOT NULL""",
        "optional": [
            "official_name",
            "la_name",
            "nice_name",
            "alt_names",
            "local_authority_type_name",
            "end_date",
        ],
    },
    "nhs_ods": {  # ODS files (etr.csv, ets.csv, ...): no header; code, name, ..., postcode (10th), close date (12th)
        "required": ["organisation_code", "name"],
        "sql": """SELECT 'nhs_ods', upper(trim(organisation_code)), trim(name), reg_norm(name),
                  nullif(trim(postcode), ''), 'NHS organisation', CASE WHEN nullif(trim(close_date), '') IS NULL THEN 'open' ELSE 'closed' END,
                  nullif(trim(close_date), '') IS NULL, NULL, NULL, NULL::DOUBLE, NULL, []::VARCHAR[]
                  FROM _b WHERE nullif(trim(organisation_code), '') IS NOT NULL""",
        "optional": ["postcode", "close_date"],
        "headerless": [
            "organisation_code",
            "name",
            "national_grouping",
            "high_level_health_geography",
            "address_line_1",
            "address_line_2",
            "address_line_3",
            "address_line_4",
            "address_line_5",
            "postcode",
            "open_date",
            "close_date",
        ],
    },
}
_ALIASES = {
    "nhs_ods": {"code": "organisation_code", "org_code": "organisation_code", "organisation_name": "name"},
    "oscr": {"registered_charity_number": "charity_number"},
}


# ---- readers --------------------------------------------------------------------------------------


def _open_members(path: Path) -> list[tuple[str, object, int]]:
    """(name, binary file object, size) of the data file(s) in ``path`` (a zip may hold several)."""
    if zipfile.is_zipfile(path):
        z = zipfile.ZipFile(path)
        infos = [
            i
            for i in z.infolist()
            if not i.is_dir() and i.filename.lower().endswith((".csv", ".txt", ".tsv"))
        ]
        if not infos:
            raise RegisterFormatError(f"{path.name}: the zip holds no .csv or .txt file")
        return [(f"{path.name}:{i.filename}", z.open(i), i.file_size) for i in infos]
    return [(path.name, open(path, "rb"), path.stat().st_size)]


class _Counting(io.RawIOBase):
    """Wraps a binary stream, counting bytes read (for the progress line)."""

    def __init__(self, f):
        self.f, self.n = f, 0

    def readable(self):
        return True

    def readinto(self, b):
        data = self.f.read(len(b))
        n = len(data)
        b[:n] = data
        self.n += n
        return n


def _sniff(raw: bytes, layout: dict) -> tuple[str, str]:
    """(delimiter, encoding) from the first bytes."""
    enc = layout.get("encoding", "utf-8")
    if enc == "utf-8":
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(raw) - 4:  # not merely a character cut at the end of the sample
                enc = "cp1252"
    first = raw.split(b"\n", 1)[0]
    delim = layout.get("delimiter") or ("\t" if first.count(b"\t") > first.count(b",") else ",")
    if first.count(b"\t") > first.count(b","):
        delim = "\t"
    return delim, enc


def _batches(name: str, f, kind: str, progress, bad: list, size: int = 0):
    """Yield pyarrow tables of string columns named by col_key, from one delimited member."""
    layout = LAYOUTS[kind]
    counter = _Counting(f)
    stream = io.BufferedReader(counter, buffer_size=1 << 20)
    head = stream.peek(65536)[:65536]
    if head.startswith(b"\xef\xbb\xbf"):
        stream.read(3)
        head = head[3:]
    delim, enc = _sniff(head, layout)
    first = head.split(b"\n", 1)[0].decode(enc, "replace")
    cols = [col_key(c) for c in next(iter(__import__("csv").reader([first], delimiter=delim)), [])]
    cols = [_ALIASES.get(kind, {}).get(c, c) for c in cols]
    headerless = False
    if "headerless" in layout and not set(layout["required"]) <= set(cols):
        n = len(cols)
        cols = (layout["headerless"] + [f"col_{i}" for i in range(len(layout["headerless"]), n)])[:n]
        headerless = True
    missing = [c for c in layout["required"] if c not in cols]
    if missing:
        raise RegisterFormatError(
            f"{name} is not a {KIND_LABELS[kind]} file: no column {', '.join(missing)} in its first line "
            f"({', '.join(c for c in cols[:8])}...)"
        )
    seen: dict[str, int] = {}
    uniq = []
    for c in cols:
        seen[c] = seen.get(c, 0) + 1
        uniq.append(c if seen[c] == 1 else f"{c}_{seen[c]}")
    keep = [c for c in uniq if c in set(layout["required"]) | set(layout["optional"])]
    if enc == "utf-8" and size >= DUCKDB_MIN_BYTES:
        # large UTF-8 files (Companies House, 2.5 GB): DuckDB's parallel CSV reader, from disk
        yield ("duckdb", stream, counter, uniq, keep, delim, headerless)
        return
    ro = pacsv.ReadOptions(
        column_names=uniq,
        skip_rows=0 if headerless else 1,
        block_size=16 << 20,
        encoding="utf8" if enc == "utf-8" else enc,
    )

    def skip_bad(row) -> str:  # a malformed row is counted, not loaded
        bad.append(row.number)
        return "skip"

    po = pacsv.ParseOptions(
        delimiter=delim,
        quote_char='"',
        double_quote=True,
        newlines_in_values=True,
        invalid_row_handler=skip_bad,
    )
    co = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in uniq},
        include_columns=keep,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    reader = pacsv.open_csv(stream, read_options=ro, parse_options=po, convert_options=co)
    for batch in reader:
        progress(counter.n)
        tbl = pa.Table.from_batches([batch])
        for c in layout["optional"]:
            if c not in tbl.column_names:
                tbl = tbl.append_column(c, pa.nulls(len(tbl), pa.string()))
        yield tbl


def _sql_str(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _duck_insert(
    cur, kind: str, spec: tuple, item: tuple, cols: str, progress, log, extract_dates: set
) -> int:
    """Insert one large delimited member through DuckDB's read_csv (parallel). A zip member is
    first copied to a temporary file beside the database (flat memory); a plain file is read in place."""
    _, stream, counter, names, keep, delim, headerless = spec
    layout = LAYOUTS[kind]
    raw = stream.raw.f
    src_path = raw.name if isinstance(raw, io.BufferedReader) else None  # a plain file (not a zip member)
    tmp = None
    if src_path is None:
        tmp = tempfile.NamedTemporaryFile(prefix="register_", suffix=".csv", delete=False)
        with tmp:
            while chunk := stream.read(8 << 20):
                tmp.write(chunk)
                progress(counter.n)
        src_path = tmp.name
        log(f"  {item[0]}: unpacked ({Path(src_path).stat().st_size / 1e6:,.0f} MB), parsing with DuckDB...")
    try:
        missing = [c for c in layout["optional"] if c not in names]
        sel = ", ".join([f'"{c}"' for c in keep] + [f'NULL::VARCHAR AS "{c}"' for c in missing])
        names_sql = "[" + ", ".join(_sql_str(n) for n in names) + "]"
        cur.execute(f"""CREATE OR REPLACE TEMP VIEW _b AS SELECT {sel} FROM read_csv({_sql_str(src_path)},
            header = {"false" if headerless else "true"}, names = {names_sql}, all_varchar = true,
            delim = {_sql_str(delim)}, quote = '"', escape = '"', strict_mode = false, null_padding = true,
            ignore_errors = true, max_line_size = 20000000, parallel = true)""")
        if kind == "ccew" and "date_of_extract" in names:
            extract_dates.update(
                r[0]
                for r in cur.execute(
                    "SELECT DISTINCT left(date_of_extract, 10) FROM (SELECT date_of_extract FROM _b LIMIT 1000) "
                    "WHERE coalesce(date_of_extract, '') <> ''"
                ).fetchall()
            )
        before = cur.execute("SELECT count(*) FROM reg_staging").fetchone()[0]
        cur.execute(f"INSERT INTO reg_staging ({cols}) {layout['sql']}")
        cur.execute("DROP VIEW _b")
        return int(cur.execute("SELECT count(*) FROM reg_staging").fetchone()[0] - before)
    finally:
        if tmp is not None:
            Path(tmp.name).unlink(missing_ok=True)


def _xlsx_table(path: Path, kind: str) -> pa.Table:
    """Public Bodies Directory: the 'Data' sheet, header on the row holding overall_alb_name
    (openpyxl read-only with reset_dimensions: the workbook references a missing drawing part)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    layout = LAYOUTS[kind]
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = ws.iter_rows(values_only=True)
            header = None
            for i, row in enumerate(rows):
                keys = [col_key(c) if c is not None else "" for c in row]
                if set(layout["required"]) <= set(keys):
                    header = keys
                    break
                if i > 50:
                    break
            if header is None:
                continue
            data: dict[str, list] = {k: [] for k in header if k}
            for row in rows:
                for k, v in zip(header, row):
                    if k:
                        data[k].append("" if v is None else str(v))
            n = len(next(iter(data.values()), []))
            for c in layout["optional"]:
                data.setdefault(c, [None] * n)
            return pa.table({k: pa.array(v, pa.string()) for k, v in data.items()})
    finally:
        wb.close()
    raise RegisterFormatError(
        f"{path.name} is not a {KIND_LABELS[kind]} workbook: no sheet has the columns "
        + ", ".join(layout["required"])
    )


def snapshot_from(names: list[str]) -> str | None:
    for n in names:
        m = re.search(r"(20\d\d)-(\d\d)-(\d\d)", n)
        if m:
            return "-".join(m.groups())
    return None


# ---- load -----------------------------------------------------------------------------------------


def load(
    con: duckdb.DuckDBPyConnection, kind: str, paths: list[str | Path], snapshot: str | None = None, log=None
) -> LoadReport:
    """Replace register ``kind`` with the rows of ``paths`` (the parts of one download). Returns the report."""
    if kind not in KINDS:
        raise RegisterFormatError(f"unknown register {kind!r}: one of {', '.join(KINDS)}")
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise RegisterFormatError(f"no such file: {p}")
    log = log or (lambda m: print(m, file=sys.stderr))
    ensure_schema(con, force=True)
    t0 = time.perf_counter()
    rep = LoadReport(kind=kind, files=[p.name for p in files])
    layout = LAYOUTS[kind]
    cols = (
        "kind, reg_id, name, name_norm, postcode, legal_form, status, active, accounts_category, sic, "
        "income_gbp, company_number, prev_names"
    )
    extract_dates: set[str] = set()
    bad_rows: list = []
    member_names: list[str] = []
    last = [0.0]
    settings = _limit_memory(con)
    try:
        _stage(con, kind, files, rep, cols, layout, extract_dates, bad_rows, member_names, last, log, t0)
        _replace(con, kind, rep, cols, bad_rows, extract_dates, member_names, snapshot, files, t0)
    finally:
        c2 = con.cursor()
        c2.execute("DROP TABLE IF EXISTS reg_staging")
        for k, v in settings.items():
            c2.execute(f"SET {k} = {_sql_str(v) if k == 'memory_limit' else v}")
        c2.close()
    return rep


MEMORY_LIMIT = config.get("CWB_REGISTER_MEMORY")


def _limit_memory(con) -> dict[str, str]:
    """While a register loads: at most CWB_REGISTER_MEMORY (default 1.5 GB; DuckDB spills the rest to
    disk) and no insertion order kept. Returns the settings to put back."""
    cur = con.cursor()
    try:
        old = {
            k: str(cur.execute(f"SELECT current_setting('{k}')").fetchone()[0])
            for k in ("memory_limit", "preserve_insertion_order")
        }
        cur.execute(f"SET memory_limit = {_sql_str(MEMORY_LIMIT)}")
        cur.execute("SET preserve_insertion_order = false")
        return old
    except duckdb.Error:
        return {}
    finally:
        cur.close()


def _stage(con, kind, paths, rep, cols, layout, extract_dates, bad_rows, member_names, last, log, t0) -> None:
    # rows are staged outside the transaction (DuckDB 2.0 miscounts read_csv rows staged inside an
    # explicit transaction), then the register is replaced in one transaction below
    cur = con.cursor()
    try:
        cur.execute("CREATE OR REPLACE TABLE reg_staging AS SELECT * FROM reg_entity WHERE false")
        total = 0
        for p in paths:
            tables: list[tuple] = []
            if p.suffix.lower() in (".xlsx", ".xlsm"):
                tables = [(p.name, iter([_xlsx_table(p, kind)]), 0)]
            else:
                for name, f, size in _open_members(p):
                    tables.append((name, None, size, f))
            for item in tables:
                name, size = item[0], item[2]
                member_names.append(name)
                done_before = total

                def progress(n, name=name, size=size, base=done_before):
                    now = time.perf_counter()
                    if now - last[0] > 3:
                        last[0] = now
                        pct = f" {100 * n / size:.0f}%" if size else ""
                        log(f"  {name}:{pct} read, {rep.rows_read:,} rows so far ({now - t0:.0f} s)")

                it = (
                    item[1]
                    if item[1] is not None
                    else _batches(name, item[3], kind, progress, bad_rows, size)
                )
                for tbl in it:
                    if isinstance(tbl, tuple):
                        rep.rows_read += _duck_insert(
                            cur, kind, tbl, item, cols, progress, log, extract_dates
                        )
                        continue
                    rep.rows_read += len(tbl)
                    cur.register("_b", tbl)
                    if kind == "ccew" and "date_of_extract" in tbl.column_names:
                        extract_dates.update(
                            r[0]
                            for r in cur.execute(
                                "SELECT DISTINCT left(date_of_extract, 10) FROM _b WHERE coalesce(date_of_extract, '') <> '' "
                                "LIMIT 3"
                            ).fetchall()
                        )
                    cur.execute(f"INSERT INTO reg_staging ({cols}) {layout['sql']}")
                    cur.unregister("_b")
                if size:
                    total += size
    except BaseException:
        cur.execute("DROP TABLE IF EXISTS reg_staging")
        raise
    finally:
        cur.close()


def _replace(con, kind, rep, cols, bad_rows, extract_dates, member_names, snapshot, paths, t0) -> None:
    with db.transaction(con) as cur:
        if bad_rows:
            rep.skipped[f"rows with the wrong number of fields (e.g. line {bad_rows[0]})"] = len(bad_rows)
        n_new, n_dupes = cur.execute(
            "SELECT count(*), count(*) - count(DISTINCT reg_id) FROM reg_staging"
        ).fetchone()
        if n_new == 0:
            raise RegisterFormatError(f"no {KIND_LABELS[kind]} rows found in {', '.join(rep.files)}")
        if n_dupes:
            rep.skipped["repeated register number (the first row kept)"] = int(n_dupes)
        cur.execute("DELETE FROM reg_entity WHERE kind = ?", [kind])
        cur.execute("DELETE FROM reg_name WHERE kind = ?", [kind])
        if n_dupes:
            cur.execute(
                f"INSERT INTO reg_entity SELECT {cols} FROM reg_staging "
                "QUALIFY row_number() OVER (PARTITION BY reg_id ORDER BY active DESC NULLS LAST) = 1"
            )
        else:  # the usual case: no window sort over millions of rows
            cur.execute(f"INSERT INTO reg_entity SELECT {cols} FROM reg_staging")
        cur.execute(
            """INSERT INTO reg_name
            SELECT kind, reg_id, name_norm, false, reg_block(name_norm) FROM reg_entity WHERE kind = $k AND name_norm <> ''
            UNION ALL
            SELECT DISTINCT kind, reg_id, pn, true, reg_block(pn)
            FROM (SELECT kind, reg_id, name_norm, reg_norm(unnest(prev_names)) AS pn FROM reg_entity
                  WHERE kind = $k AND len(prev_names) > 0)
            WHERE pn <> '' AND pn <> name_norm""",
            {"k": kind},
        )
        if kind == "councils":  # 'PENDLE' for 'Pendle Borough Council' (payees say 'Borough of Pendle')
            cur.execute("""INSERT INTO reg_name SELECT DISTINCT kind, reg_id, 'COUNCIL:' || council_key(name_norm), true, NULL
                           FROM reg_name WHERE kind = 'councils' AND council_key(name_norm) <> ''""")
        rep.rows_loaded, rep.active, rep.with_postcode = cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE active), count(postcode) FROM reg_entity WHERE kind = ?",
            [kind],
        ).fetchone()
        rep.names = cur.execute("SELECT count(*) FROM reg_name WHERE kind = ?", [kind]).fetchone()[0]
        skipped = rep.rows_read - rep.rows_loaded - int(n_dupes)
        if skipped > 0:
            why = {"ccew": "linked (subsidiary) charities, or no charity number"}.get(
                kind, "no register number or no name"
            )
            rep.skipped[why] = skipped
        rep.by_form = dict(
            cur.execute(
                "SELECT coalesce(legal_form, ''), count(*) FROM reg_entity WHERE kind = ? "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 12",
                [kind],
            ).fetchall()
        )
        rep.snapshot_date = (
            snapshot
            or (sorted(extract_dates)[-1] if extract_dates else None)
            or snapshot_from(member_names)
            or date.fromtimestamp(max(p.stat().st_mtime for p in paths)).isoformat()
        )
        rep.seconds = round(time.perf_counter() - t0, 2)
        cur.execute(
            "INSERT OR REPLACE INTO reg_source (kind, file_names, snapshot_date, n_rows, seconds) VALUES (?, ?, ?, ?, ?)",
            [kind, ", ".join(rep.files), rep.snapshot_date, rep.rows_loaded, rep.seconds],
        )
        # matches against this register are recomputed (reviewers' decisions are kept)
        cur.execute("DELETE FROM supplier_match")
        cur.execute(
            "INSERT INTO audit_log (who, action, detail) VALUES ('local', 'register load', ?)",
            [f"{kind}: {rep.rows_loaded} rows from {', '.join(rep.files)}"],
        )
    return rep


def download(kind: str, url: str, dest: Path, timeout: float = 30) -> Path:
    """Fetch one register file from ``url`` (CWB_REGISTER_<KIND>_URL). Raises RuntimeError offline."""
    import urllib.error
    import urllib.request

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r, open(tmp, "wb") as out:
            while chunk := r.read(1 << 20):
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(
            f"could not download {KIND_LABELS[kind]} from {url}: {exc}. On a machine without "
            f"internet access, download the file elsewhere and run "
            f"'python -m cwb registers load {kind} PATH'"
        ) from exc
    tmp.replace(dest)
    return dest
