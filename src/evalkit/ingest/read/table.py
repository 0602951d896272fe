"""From rows of text to a :class:`RawFile`: the data rows below the header (blank rows skipped, short rows padded,
long rows reported), the codebook's constant columns, translated answers and the notes on NIPs a spreadsheet
rounded."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evalkit.ingest.read.answers import _translate_answers
from evalkit.ingest.read.base import DataError, RawFile
from evalkit.ingest.read.headers import _Header, _header
from evalkit.ingest.spec import RawTable

if TYPE_CHECKING:  # (the codebook module imports this one)
    from evalkit.ingest.codebook import SheetRules


def _build(rows: list[list[str]], meta: dict, name: str, table: RawTable, n_sheets: int,
           rules: SheetRules | None = None) -> RawFile:
    hd = _header(rows, meta, name, table, rules)
    keep_rows, data, ragged = _body(rows[hd.h + 1:], hd.h + 2, hd)
    if not keep_rows:
        raise DataError(name, "header only: the file has no data rows")
    return _rawfile(name, table, meta, n_sheets, hd, data, keep_rows, ragged)


def _with_constants(data: pd.DataFrame, hd: _Header) -> pd.DataFrame:
    """The codebook's constant columns added (``value`` rows), columns in the table's order."""
    if not hd.constants:
        return data
    for f, v in hd.constants.items():
        data[f] = np.full(len(data), v, dtype=object)
    return data[hd.out_fields]


#: Every character ``str.strip`` removes, and a few more (a superset: Arrow finds candidate blank cells).
_WS_CLASS = (r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{180e}\x{2000}-\x{200b}\x{2028}\x{2029}"
             r"\x{202f}\x{205f}\x{3000}\x{feff}]")
#: Arrow's (RE2) test for cells that may be a rounded number: an exponent, or 000 at the end before (a superset
#: of Python's) white space.
_NIP_CAND = r"[eE]|000" + _WS_CLASS + "*$"
_SCI = re.compile(r"\s*[+-]?\d+(?:[.,]\d+)?\s*[eE]\s*\+?\s*\d+\s*")
#: Excel keeps 15 significant digits: an 18-digit NIP in a number cell has lost its last digits for good.
_NIP_EXCEL = "format the NIP column as Text and re-enter the NIPs, or paste them from SIMPEG"


def _nip_notes(table: RawTable, data: pd.DataFrame, rows: np.ndarray) -> list[tuple[int, str, str]]:
    """Rows whose NIP a spreadsheet destroyed: a number in scientific notation (the cell went through a float,
    "1,97E+17"), or 18 digits ending in 000 that are not a valid NIP (a rounded number typed into a number
    cell; a rounded NIP that happens to pass every check cannot be told from a real one)."""
    from evalkit.ingest.nip import parse_nip

    out: list[tuple[int, str, str]] = []
    for f in table.fields:
        if f.kind != "nip" or f.name not in data.columns:
            continue
        col = data[f.name]
        if isinstance(col.dtype, pd.CategoricalDtype):  # (a chunk of a large CSV: its distinct cells given)
            codes, uniq = col.cat.codes.to_numpy(), np.asarray(col.cat.categories, dtype=object)
        else:
            codes, uniq = pd.factorize(np.asarray(col, dtype=object))
        # only cells with an exponent or ending in 000 can be a rounded number (tested in C, not per cell)
        cand = _candidates(uniq)
        bad: dict[int, str] = {}
        for k in cand:
            s = str(uniq[k])
            if _SCI.fullmatch(s):
                bad[int(k)] = (f"NIP in a number cell ({s.strip()}): Excel kept 15 digits, the rest is lost; "
                               + _NIP_EXCEL)
                continue
            digits = re.sub(r"[\s.\-]", "", s)
            if len(digits) == 18 and digits.isdigit() and digits.endswith("000"):
                try:
                    parse_nip(digits)
                except ValueError:
                    bad[int(k)] = ("NIP ends in 000 and is not valid: a number cell (Excel keeps 15 digits)? "
                                   + _NIP_EXCEL)
        if bad:
            for i in np.flatnonzero(np.isin(codes, list(bad))):
                out.append((int(rows[i]), f.name, bad[int(codes[i])]))
    return out


def _candidates(uniq: np.ndarray) -> np.ndarray:
    """Positions of the cells in ``uniq`` (distinct cells) that may be a rounded number (see :data:`_NIP_CAND`):
    tested by Arrow in C; a superset of what ``_nip_notes`` then checks exactly, cell by cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(uniq):
        return np.zeros(0, dtype=np.intp)
    text = np.asarray(uniq, dtype=object)
    if pd.api.types.infer_dtype(text, skipna=False) != "string":
        text = text.astype(str).astype(object)
    hit = pc.match_substring_regex(pa.array(text, type=pa.string()), _NIP_CAND)
    return np.flatnonzero(hit.to_numpy(zero_copy_only=False))


def _rawfile(name: str, table: RawTable, meta: dict, n_sheets: int, hd: _Header, data: pd.DataFrame,
             keep_rows: list[int] | np.ndarray, ragged: dict[int, int], chunk: int = 0) -> RawFile:
    source = name if n_sheets <= 1 or meta["sheet"] is None else f"{name} [{meta['sheet']}]"
    first = chunk == 0
    data = _with_constants(data, hd)
    _translate_answers(table, data)
    rows = np.asarray(keep_rows, dtype=np.int64)
    return RawFile(source=source, table=table.name, data=data, rows=rows,
                   header_row=hd.h + 1, encoding=meta["encoding"], delimiter=meta["delimiter"], sheet=meta["sheet"],
                   columns=hd.columns, unknown_columns=hd.unknown if first else [],
                   missing_required=hd.missing, ragged_rows=ragged, warnings=hd.warnings if first else [],
                   chunk=chunk, cell_notes=_nip_notes(table, data, rows), items=dict(hd.items))


def _body(body: list[list[str]], first_rownum: int, hd: _Header) -> tuple[list[int], pd.DataFrame, dict[int, int]]:
    """Data rows (blank rows skipped, short rows padded, long rows cut and reported) as a frame of text."""
    width, mapping, fields = hd.width, hd.mapping, hd.fields
    keep_rows: list[int] = []
    keep: list[list[str]] = []
    ragged: dict[int, int] = {}
    pad = [""] * width
    for i, r in enumerate(body):
        if not "".join(r).strip():
            continue
        rownum = first_rownum + i
        n = len(r)
        if n != width:
            if n > width and "".join(r[width:]).strip():
                ragged[rownum] = n
            r = r[:width] if n > width else r + pad[: width - n]
        keep_rows.append(rownum)
        keep.append(r)
    grid = np.empty((len(keep), width), dtype=object)
    if keep:
        grid[:] = keep
    data = pd.DataFrame({f: grid[:, mapping[f]] for f in fields}, columns=fields, dtype=object)
    return keep_rows, data, ragged
