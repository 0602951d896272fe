"""Large CSV files read in chunks (:func:`iter_raw`): Arrow's multithreaded reader for a plain file, Python's
``csv`` module otherwise, the chunks put together equal to what :func:`~evalkit.ingest.read.read_raw` returns.

:data:`LARGE_FILE_BYTES`, :data:`CHUNK_ROWS` and ``_HEAD_CHARS`` are looked up in this module (the package
:mod:`evalkit.ingest.read` re-exports a copy of the first two): patch them here to test the chunked path."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evalkit.ingest.read.base import _ENCODINGS, CSV_SUFFIXES, HEADER_SCAN_ROWS, DataError, RawFile
from evalkit.ingest.read.csvfile import _csv_rows, _sniff_delimiter
from evalkit.ingest.read.files import read_raw
from evalkit.ingest.read.headers import _Header, _header, _header_index
from evalkit.ingest.read.table import _WS_CLASS, _body, _rawfile
from evalkit.ingest.spec import RAW_TABLES, RawTable, table_for_file

if TYPE_CHECKING:  # (the codebook module imports this one)
    from evalkit.ingest.codebook import Codebook, SheetRules


#: CSV files larger than this are read in chunks of :data:`CHUNK_ROWS` data rows by :func:`iter_raw`
#: (module constants: change them to test the chunked path on small files).
LARGE_FILE_BYTES = 64 * 2**20
CHUNK_ROWS = 1_000_000


def is_large(path: str | Path) -> bool:
    """True for a CSV file that :func:`iter_raw` reads in chunks (larger than :data:`LARGE_FILE_BYTES`)."""
    path = Path(path)
    return path.suffix.lower() in CSV_SUFFIXES and path.stat().st_size > LARGE_FILE_BYTES


class ReadAgain(Exception):
    """Raised while iterating the fast (Arrow) chunks of a large CSV when the file needs the exact reader
    after all (a row with more or fewer cells than the header, an empty line): discard the chunks seen and
    iterate ``iter_raw(..., fast=False)``."""


def iter_raw(path: str | Path, table: str | None = None, *, name: str | None = None,
             chunk_rows: int | None = None, fast: bool = True, codebook: Codebook | None = None) -> Iterator[RawFile]:
    """Like :func:`read_raw`, but a large CSV (:func:`is_large`) comes in chunks of ``chunk_rows`` data rows.

    Each chunk is a :class:`RawFile` with the same source, header and column mapping, the original
    spreadsheet row numbers and ``chunk`` = 0, 1, ...; file-level messages (unknown columns, warnings) are on
    chunk 0 only. Reading, padding and row numbering are the same as :func:`read_raw`'s, so the chunks put
    together equal the one :class:`RawFile` that :func:`read_raw` would return. Problems found before the
    first chunk (empty file, no header) raise :class:`DataError` at once; a malformed CSV found later raises
    it while iterating (the caller discards the chunks already seen).

    A plain file (no quote characters, no NUL bytes, no lone carriage returns) is parsed by Arrow's
    multithreaded CSV reader, its columns given as categoricals (each distinct text once); if it then meets a
    row that is not plain after all (wrong number of cells, an empty line) it raises :class:`ReadAgain`.
    ``fast=False`` (or any other file) uses Python's ``csv`` module, exactly as :func:`read_raw` does.
    """
    path = Path(path)
    name = name or path.name
    if not is_large(path):
        return iter(read_raw(path, table, name=name, codebook=codebook))
    table = table or (codebook.table_for(name) if codebook is not None else None) or table_for_file(path.name)
    if table is None or table not in RAW_TABLES:
        raise DataError(name, "the file name does not start with a known table prefix")
    rules = codebook.rules_for(name, None, table) if codebook is not None else None
    return _iter_csv_big(path, name, RAW_TABLES[table], chunk_rows or CHUNK_ROWS, fast, rules)


_SCAN_BYTES = 1 << 24
_HEAD_CHARS = 1 << 22


def _is_plain(path: Path) -> bool:
    """No ``"``, no NUL byte, every carriage return followed by a line feed: one record per line."""
    with open(path, "rb") as fh:
        prev = b""
        for block in iter(lambda: fh.read(_SCAN_BYTES), b""):
            if b'"' in block or b"\x00" in block:
                return False
            if b"\r" in block or prev == b"\r":
                b2 = prev + block
                if b2.count(b"\r") != b2.count(b"\r\n") + b2.endswith(b"\r"):
                    return False
            prev = block[-1:]
    return True


def _file_encoding(path: Path) -> str:
    """The encoding :func:`_decode` would choose for the whole file, found by streaming it."""
    import codecs

    with open(path, "rb") as fh:
        bom = fh.read(3) == b"\xef\xbb\xbf"
    for enc in (("utf-8-sig",) if bom else ()) + _ENCODINGS:
        dec = codecs.getincrementaldecoder("utf-8" if enc == "utf-8-sig" else enc)()
        try:
            with open(path, "rb") as fh:
                if enc == "utf-8-sig":
                    fh.read(3)
                for block in iter(lambda: fh.read(_SCAN_BYTES), b""):
                    dec.decode(block)
                dec.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"  # pragma: no cover - latin-1 decodes anything


def _iter_csv_big(path: Path, name: str, table: RawTable, chunk_rows: int, fast: bool,
                  rules: SheetRules | None = None) -> Iterator[RawFile]:
    with open(path, "rb") as fh:
        first = fh.read(1 << 20)
    if not first.strip(b" \t\r\n\x00\xef\xbb\xbf"):  # an odd file: the whole-file reader decides
        return iter(read_raw(path, table.name, name=name))  # (no codebook: an empty file)
    plain = fast and _is_plain(path)
    head = None
    if plain:  # UTF-8 is tried first (as _decode does); Arrow checks the rest of the file as it reads it
        encoding = "utf-8-sig" if first.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            with open(path, encoding=encoding, newline="") as fh:
                head = fh.read(_HEAD_CHARS)
        except UnicodeDecodeError:
            head = None
    if head is None:
        encoding = _file_encoding(path)
        with open(path, encoding=encoding, newline="") as fh:
            head = fh.read(_HEAD_CHARS)
    idx = _header_index(table)
    if rules is not None and rules.headers:
        idx = {**idx, **{k: f for k, (f, _row) in rules.headers.items()}}
    delim = _sniff_delimiter(head, idx)
    meta = {"encoding": encoding, "delimiter": delim, "sheet": None}
    try:
        hd = _header(_csv_rows(head, delim, HEADER_SCAN_ROWS), meta, name, table, rules)
    except csv.Error as e:
        raise DataError(name, f"the CSV is malformed ({e})") from None
    if fast and plain and hd.width == len(_csv_rows(head, delim, hd.h + 1)[hd.h]) and hd.width > 0:
        return _arrow_chunks(path, name, table, meta, hd, chunk_rows)
    return _csv_chunks(path, name, table, meta, hd, chunk_rows)




def _arrow_chunks(path: Path, name: str, table: RawTable, meta: dict, hd: _Header,
                  chunk_rows: int) -> Iterator[RawFile]:
    """Chunks of a plain CSV parsed by Arrow; the same rows, numbers and cells as :func:`_csv_chunks`."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    width = hd.width
    names = [f"c{j}" for j in range(width)]
    blank_re = "^" + _WS_CLASS + "*$"
    chunk = 0
    rownum = hd.h + 2
    from concurrent.futures import ThreadPoolExecutor

    with open(path, "rb") as fh, ThreadPoolExecutor(2) as pool:
        for _ in range(hd.h + 1):  # no quotes: one record per line
            fh.readline()
        enc = {"utf-8-sig": "utf8", "utf-8": "utf8"}.get(meta["encoding"], meta["encoding"])
        try:
            reader = pacsv.open_csv(
                fh,
                read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 25, encoding=enc),
                parse_options=pacsv.ParseOptions(delimiter=meta["delimiter"], quote_char=False,
                                                 newlines_in_values=False, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
            pending: list[pa.RecordBatch] = []
            n_pending = 0
            done = False
            todo: list[pa.Table] = []
            while todo or not done:
                if not todo:
                    try:
                        batch = reader.read_next_batch()
                        pending.append(batch)
                        n_pending += batch.num_rows
                    except StopIteration:
                        done = True
                    if n_pending == 0 or (not done and n_pending < chunk_rows):
                        continue
                    whole = pa.Table.from_batches(pending, schema=reader.schema)
                    cut = n_pending if done else n_pending - n_pending % chunk_rows
                    todo = [whole.slice(k, min(chunk_rows, cut - k)) for k in range(0, cut, chunk_rows)]
                    rest = whole.slice(cut)
                    pending, n_pending = rest.to_batches(), rest.num_rows
                    continue
                tab = todo.pop(0).combine_chunks()
                n = tab.num_rows
                rows = np.arange(rownum, rownum + n, dtype=np.int64)
                rownum += n
                # candidate blank rows: every cell made of (a superset of) the characters str.strip removes;
                # columns are tested one after the other on the remaining candidates only
                cand = np.arange(n)
                for c in names:
                    col = tab[c] if len(cand) == n else tab[c].take(pa.array(cand))
                    cand = cand[pc.match_substring_regex(col, blank_re).to_numpy(zero_copy_only=False)]
                    if not len(cand):
                        break
                maybe = np.zeros(n, dtype=bool)
                maybe[cand] = True
                if maybe.any():  # decide blank rows exactly, as _body does
                    for i in np.flatnonzero(maybe):
                        if "".join(tab[c][int(i)].as_py() for c in names).strip():
                            maybe[i] = False
                    tab = tab.filter(pa.array(~maybe))
                    rows = rows[~maybe]
                if not len(rows):
                    continue
                data = {}
                # each column's distinct cells and codes; Arrow does this without the GIL, two columns at once
                encoded = pool.map(lambda f: tab[f"c{hd.mapping[f]}"].combine_chunks().dictionary_encode(),
                                   hd.fields)
                for f, enc_col in zip(hd.fields, encoded, strict=True):
                    cats = pd.Index(np.asarray(enc_col.dictionary.to_numpy(zero_copy_only=False), dtype=object),
                                    dtype=object)
                    # (the public, checked constructor: it hashes the distinct values once, about 25 ms per
                    # million, which is not worth pandas' private unchecked one)
                    dtype = pd.CategoricalDtype(cats)
                    data[f] = pd.Categorical.from_codes(enc_col.indices.to_numpy(zero_copy_only=False),
                                                        dtype=dtype, validate=False)
                frame = pd.DataFrame(data, columns=hd.fields)
                yield _rawfile(name, table, meta, 1, hd, frame, rows, {}, chunk)
                chunk += 1
        except pa.ArrowInvalid as e:  # a row that is not plain, or invalid UTF-8: the exact reader decides
            raise ReadAgain(str(e)) from None
    if chunk == 0:
        raise DataError(name, "header only: the file has no data rows")


def _csv_chunks(path: Path, name: str, table: RawTable, meta: dict, hd: _Header,
                chunk_rows: int) -> Iterator[RawFile]:
    chunk = 0
    with open(path, encoding=meta["encoding"], newline="") as fh:
        reader = csv.reader(fh, delimiter=meta["delimiter"])
        try:
            for _ in itertools.islice(reader, hd.h + 1):
                pass
            rownum = hd.h + 2
            while True:
                body = list(itertools.islice(reader, chunk_rows))
                if not body:
                    break
                keep_rows, data, ragged = _body(body, rownum, hd)
                rownum += len(body)
                if keep_rows:
                    yield _rawfile(name, table, meta, 1, hd, data, keep_rows, ragged, chunk)
                    chunk += 1
        except csv.Error as e:
            raise DataError(name, f"the CSV is malformed ({e})") from None
    if chunk == 0:
        raise DataError(name, "header only: the file has no data rows")
