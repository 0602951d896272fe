"""CSV text: the encoding (UTF-8 with or without BOM, Windows-1252, Latin-1), the delimiter that reveals a header
row, and the rows of a whole CSV file."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.ingest.read.base import _ENCODINGS, HEADER_SCAN_ROWS, DataError
from evalkit.ingest.read.headers import _find_header, _header_index, _match_header
from evalkit.ingest.spec import RawTable

if TYPE_CHECKING:  # (the codebook module imports this one)
    from evalkit.ingest.codebook import SheetRules


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    for enc in _ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError(name, "cannot decode the file")  # pragma: no cover - latin-1 decodes anything


def _csv_rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    it = itertools.islice(reader, limit) if limit else reader
    return list(it)


def _read_csv(path: Path, name: str, table: RawTable,
              rules: SheetRules | None = None) -> list[tuple[list[list[str]], dict]]:
    raw = path.read_bytes()
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise DataError(name, "the file is empty")
    text, encoding = _decode(raw, name)
    idx = _header_index(table)
    if rules is not None and rules.headers:
        idx = {**idx, **{k: f for k, (f, _row) in rules.headers.items()}}
    delim = _sniff_delimiter(text, idx)
    try:
        rows = _csv_rows(text, delim)
    except csv.Error as e:
        raise DataError(name, f"the CSV is malformed ({e})") from None
    return [(rows, {"encoding": encoding, "delimiter": delim, "sheet": None})]


def _sniff_delimiter(text: str, idx: dict[str, str]) -> str:
    """The delimiter that reveals a header row in the first rows of ``text``."""
    best: tuple[int, int, str] | None = None  # (-header position, hits, delimiter)
    for delim in (",", ";", "\t", "|"):
        try:
            head = _csv_rows(text, delim, HEADER_SCAN_ROWS)
        except csv.Error:
            continue
        h = _find_header(head, idx)
        if h is None:
            continue
        hits = sum(_match_header(c, idx) is not None for c in head[h])
        cand = (hits, -h, delim)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None:
        # fall back on the most common delimiter in the first line, to give a useful message
        delim = max((",", ";", "\t"), key=lambda d: text.split("\n", 1)[0].count(d))
    else:
        delim = best[2]
    return delim
