"""The raw reader's result types and shared constants: :class:`DataError`, :class:`RawFile`, the suffixes
read, the header scan depth and the encodings tried."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

HEADER_SCAN_ROWS = 30


CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ENCODINGS = ("utf-8", "cp1252", "latin-1")

try:  # allow big text cells (interview transcripts); the default limit is 128 kB
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
except OverflowError:  # pragma: no cover
    csv.field_size_limit(2**31 - 1)


class DataError(Exception):
    """A raw file that cannot be used at all (a data problem, not a bug).

    Attributes
    ----------
    file : str
        The file's name as shown to the user (relative to the raw folder).
    reason : str
        What is wrong and, where possible, how to fix it.
    """

    def __init__(self, file: str, reason: str):
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")


@dataclass
class RawFile:
    """One table read from one file (or one sheet of a workbook).

    Attributes
    ----------
    source : str
        File name, plus ``[sheet]`` for a workbook with several usable sheets.
    table : str
        Canonical table name.
    data : pandas.DataFrame
        One column per mapped canonical field (object dtype, ``""`` for an empty cell).
    rows : numpy.ndarray
        The 1-based spreadsheet row number of each data row.
    header_row : int
        1-based row number of the header.
    unknown_columns : list of str
        Raw headers that match no alias (dropped).
    missing_required : list of str
        Canonical required fields with no column (the file is unusable if non-empty).
    ragged_rows : dict
        Row number -> number of cells, for rows with more non-empty cells than the header has columns.
    warnings : list of str
        Everything else worth telling the user (duplicate columns, ignored sheets).
    items : dict
        For a questionnaire of ``spec.ITEM_TABLES`` (reaction, followup): column of ``data`` -> (scale, item
        key) for every question it holds, in the file's column order: the default items present (their field
        names, in the table's default scale unless the codebook names another) and the questions a codebook
        maps as ``item`` (columns named ``item:<scale>:<key>``, after the table's fields). Empty otherwise.
    """

    source: str
    table: str
    data: pd.DataFrame
    rows: np.ndarray
    header_row: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> raw header
    unknown_columns: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    ragged_rows: dict[int, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    chunk: int = 0  # 0 for a whole file or the first chunk of a large CSV (file-level messages are on it)
    #: (row number, field, message) for cells whose value the reader knows to be damaged (a NIP Excel rounded)
    cell_notes: list[tuple[int, str, str]] = field(default_factory=list)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)
