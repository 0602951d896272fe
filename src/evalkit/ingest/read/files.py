"""The file-level API: :func:`read_raw` (one raw field file into a :class:`RawFile` per usable sheet) and
:func:`sheets_of` (every sheet as text before any table is known)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.ingest.read.base import CSV_SUFFIXES, XLSX_SUFFIXES, DataError, RawFile
from evalkit.ingest.read.csvfile import _csv_rows, _decode, _read_csv, _sniff_delimiter
from evalkit.ingest.read.headers import _header_index
from evalkit.ingest.read.table import _build
from evalkit.ingest.read.xlsx import _read_xlsx
from evalkit.ingest.spec import INSTRUCTION_SHEETS, RAW_TABLES, table_for_file

if TYPE_CHECKING:  # (the codebook module imports this one)
    from evalkit.ingest.codebook import Codebook, SheetRules


def sheets_of(path: str | Path, name: str | None = None) -> list[tuple[str | None, list[list[str]]]]:
    """Every sheet of a raw file as (sheet name, rows of text) before any table is known (``evalkit codebook``);
    a CSV is one sheet named None, its delimiter the one that reveals a header of any table."""
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return [(m["sheet"], rows) for rows, m in _read_xlsx(path, name)]
    if suffix == ".xls":
        raise DataError(name, "old .xls workbooks are not read; save the file as .xlsx or .csv")
    if suffix not in CSV_SUFFIXES:
        raise DataError(name, f"unsupported file type {suffix or '(none)'!r}; use .csv or .xlsx")
    raw = path.read_bytes()
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise DataError(name, "the file is empty")
    text, _enc = _decode(raw, name)
    idx: dict[str, str] = {}
    for t in RAW_TABLES.values():
        idx.update(_header_index(t))
    try:
        return [(None, _csv_rows(text, _sniff_delimiter(text, idx)))]
    except csv.Error as e:
        raise DataError(name, f"the CSV is malformed ({e})") from None


def read_raw(path: str | Path, table: str | None = None, *, name: str | None = None,
             codebook: Codebook | None = None) -> list[RawFile]:
    """Read a raw field file.

    Parameters
    ----------
    path : path-like
        A ``.csv``/``.tsv``/``.txt`` or ``.xlsx``/``.xlsm`` file.
    table : str, optional
        Canonical table; by default from the file name (:func:`~evalkit.ingest.spec.table_for_file`).
    name : str, optional
        How to call the file in messages (default: its base name).
    codebook : Codebook, optional
        A loaded ``codebook.csv`` (:mod:`evalkit.ingest.codebook`); ``name`` is the file's path relative to the
        codebook's folder. Its rows win: the table of the file, headers per sheet (``ignore`` drops a column),
        constant columns (``value``). The rows it applies are added to ``codebook.used``.

    Returns
    -------
    list of RawFile
        One per usable sheet (one for a CSV). Workbook sheets without a recognisable header are skipped
        with a warning on the first returned sheet, unless no sheet is usable.

    Raises
    ------
    DataError
        Unknown table, unsupported file type, empty file, header only, no recognisable header.
    """
    path = Path(path)
    name = name or path.name
    table = table or (codebook.table_for(name) if codebook is not None else None) or table_for_file(path.name)
    if table is None or table not in RAW_TABLES:
        raise DataError(name, "the file name does not start with a known table prefix")
    spec = RAW_TABLES[table]

    def rules(sheet: str | None) -> SheetRules | None:
        return codebook.rules_for(name, sheet, table) if codebook is not None else None

    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        parts = _read_csv(path, name, spec, rules(None))
    elif suffix in XLSX_SUFFIXES:
        parts = _read_xlsx(path, name)
    elif suffix == ".xls":
        raise DataError(name, "old .xls workbooks are not read; save the file as .xlsx or .csv")
    else:
        raise DataError(name, f"unsupported file type {suffix or '(none)'!r}; use .csv or .xlsx")
    if len(parts) == 1:
        return [_build(parts[0][0], parts[0][1], name, spec, 1, rules(parts[0][1]["sheet"]))]
    out: list[RawFile] = []
    skipped: list[str] = []
    first_error: DataError | None = None
    for rows, meta in parts:
        if str(meta.get("sheet") or "").strip().casefold() in INSTRUCTION_SHEETS:
            continue  # the instructions sheet of evalkit's templates
        try:
            out.append(_build(rows, meta, name, spec, len(parts), rules(meta["sheet"])))
        except DataError as e:
            first_error = first_error or e
            if any(any(c.strip() for c in r) for r in rows):
                skipped.append(f"sheet {meta['sheet']!r} skipped: {e.reason}")
    if not out:
        assert first_error is not None
        raise first_error
    if len(out) == 1:
        out[0].source = name
    out[0].warnings.extend(skipped)
    return out
