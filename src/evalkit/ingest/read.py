"""Read one raw field file (CSV or XLSX) into strings, find its header and map it to canonical columns.

* Every cell is read as text, so nothing is mangled on the way in (leading zeros, long NIPs, "1.234").
* CSV: the delimiter (``,`` ``;`` or tab) is chosen as the one that reveals a header row of the table;
  the encoding is tried in the order UTF-8 (with or without BOM), Windows-1252, Latin-1.
* XLSX: every sheet is read with openpyxl (values, not formulas); title rows above the header are fine.
* The header row is the first of the first :data:`HEADER_SCAN_ROWS` rows in which at least two cells, and
  at least half of the non-empty cells, match the table's header aliases. Matching ignores case, spaces and
  punctuation ("TGL. MULAI" = "Tgl Mulai"); a leading item number ("U1.", "3)") is ignored as a fallback.
* Every data row keeps its original 1-based spreadsheet row number (title rows and header row count, blank
  rows are skipped but counted).
* KoboToolbox/ODK exports: meta columns (``_id``, ``_uuid``, ``_submission_time``, ..., and ``start``, ``end``,
  ``today``, ``deviceid`` next to a Kobo/ODK marker; ``spec.KOBO_META``) are dropped and not counted when the
  header is looked for; a header with a group path ("penilaian/material", "Group label/Question label") is
  matched by its last part(s); the labels of evalkit's own forms (``spec.INSTRUMENT_QUESTIONS``) are accepted
  as headers, in Indonesian or English, and their answers as choice names or labels (``spec.ANSWER_MAPS``;
  a programme label ending in "[CODE]" gives the code). Template sheets named ``Petunjuk``/``Instructions``
  are skipped.

* Integer number cells keep every digit (an 18-digit NIP written by a system is never read through a float);
  a NIP that a spreadsheet already rounded (scientific notation, or 18 digits ending in 000 that fail the
  checks) gets a note in ``RawFile.cell_notes`` saying so and how to fix the sheet.
* Google Forms exports: the ``Timestamp``/``Stempel waktu`` column is known and not kept.
* A codebook (``codebook.csv``, :mod:`evalkit.ingest.codebook`) passed to :func:`read_raw` wins over the
  file-name prefix and the aliases: the table, headers per sheet (``ignore`` drops one; its headers count
  when the header row is looked for), constant columns (``value``), ``programme_title`` (a column the
  cleaner turns into ``programme_id``) and the questions of a reaction or followup questionnaire that are no
  default item (``item`` with a ``scale``): read into columns after the table's fields, named in
  ``RawFile.items``.

Unknown columns are reported as warnings and dropped. A missing *required* column makes the file unusable:
:func:`read_raw` records it in ``RawFile.missing_required`` and the cleaner quarantines every row; empty
files and files without a recognisable header raise :class:`DataError`.

Examples
--------
>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "nilai_tes_x.csv").write_text("NIP;Kode Pelatihan;Pretest;Posttest\\n198503172010012004;PEL-1;60;80,5\\n")
>>> [r] = read_raw(d / "nilai_tes_x.csv")
>>> r.table, r.delimiter, r.data.columns.tolist(), r.rows.tolist()
('tests', ';', ['nip', 'programme_id', 'pre_score', 'post_score'], [2])
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evalkit.ingest.spec import (
    ANSWER_MAPS,
    FORM_TIMESTAMP_HEADERS,
    INSTRUCTION_SHEETS,
    ITEM_TABLES,
    KOBO_MARKERS,
    KOBO_META,
    KOBO_META_WORDS,
    RAW_TABLES,
    RawTable,
    answer_key,
    code_from_label,
    instrument_headers,
    table_for_file,
)

if TYPE_CHECKING:  # (the codebook module imports this one)
    from evalkit.ingest.codebook import Codebook, SheetRules

__all__ = ["DataError", "RawFile", "read_raw", "iter_raw", "is_large", "header_key", "sheets_of", "HEADER_SCAN_ROWS",
           "CSV_SUFFIXES", "XLSX_SUFFIXES", "LARGE_FILE_BYTES", "CHUNK_ROWS"]

HEADER_SCAN_ROWS = 30
#: CSV files larger than this are read in chunks of :data:`CHUNK_ROWS` data rows by :func:`iter_raw`
#: (module constants: change them to test the chunked path on small files).
LARGE_FILE_BYTES = 64 * 2**20
CHUNK_ROWS = 1_000_000
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


def header_key(text: object) -> str:
    """The form headers are compared in: accents removed, lower case, letters and digits only.

    Examples
    --------
    >>> header_key(" Tgl. Mulai "), header_key("Kehadiran (%)")
    ('tglmulai', 'kehadiran')
    """
    text = str(text)
    if len(text) > 200:  # not a header (a long text cell in a title or data row)
        return re.sub(r"[^0-9a-z]", "", text[:200].casefold()) + "\0"
    return _header_key(text)


@lru_cache(maxsize=65_536)
def _header_key(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]", "", s)


_ITEM_NO = re.compile(r"^\s*(?:[a-z]{0,2}\d{1,2}|\d{1,2}[a-z]?)\s*[.):-]?\s+", re.IGNORECASE)


def _alias_index(table: RawTable) -> dict[str, str]:
    idx: dict[str, str] = {}
    for f in table.fields:
        for a in (f.name, *f.aliases):
            idx.setdefault(header_key(a), f.name)
    return idx


def _header_index(table: RawTable) -> dict[str, str]:
    """:func:`_alias_index` plus the labels of evalkit's own forms (``spec.INSTRUMENT_QUESTIONS``); ``""`` marks a
    header that is known but not kept (e.g. the SKM respondent profile)."""
    idx = _alias_index(table)
    for a, f in instrument_headers(table.name).items():
        idx.setdefault(header_key(a), f)
    for a in FORM_TIMESTAMP_HEADERS:  # a Google Forms export's timestamp: known, not kept
        idx.setdefault(header_key(a), "")
    return idx


def _match_header(cell: str, idx: dict[str, str]) -> str | None:
    k = header_key(cell)
    if not k:
        return None
    if k in idx:
        return idx[k]
    stripped = _ITEM_NO.sub("", cell)
    if stripped != cell:
        k2 = header_key(stripped)
        if k2 in idx:
            return idx[k2]
    if "/" in cell:  # a Kobo export with group paths: "group/question" (names or labels; labels may hold "/")
        parts = cell.split("/")
        for j in range(1, len(parts)):
            k3 = header_key("/".join(parts[j:]))
            if k3 in idx:
                return idx[k3]
    if "-" in cell:  # ODK Central joins group and question names with "-": only an exact field name counts
        last = cell.rsplit("-", 1)[1].strip()
        if last in idx.values() and idx.get(header_key(last)) == last:
            return last
    return None


def _meta_columns(row: list[str]) -> set[int]:
    """Positions of Kobo/ODK meta columns (``_id``, ``_uuid``, ``start``, ``SubmissionDate``, ...) in a row."""
    low = [c.strip().casefold() for c in row]
    kobo = any(c in KOBO_MARKERS for c in low)
    return {j for j, c in enumerate(low)
            if c in KOBO_META or (c.startswith("_") and len(c) > 1) or (kobo and c in KOBO_META_WORDS)}


def _find_header(rows: list[list[str]], idx: dict[str, str]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        meta = _meta_columns(row)
        cells = [c for j, c in enumerate(row) if c.strip() and j not in meta]
        if not cells:
            continue
        hits = sum(_match_header(c, idx) is not None for c in cells)
        if hits >= 2 and hits * 2 >= len(cells):
            return i
    return None


def _cell_str(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "Ya" if v else "Tidak"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return _num_str(repr(v))
    if isinstance(v, _dt.datetime):
        if v.time() == _dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    return str(v)


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


_NS_M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DATE_FMT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_NUM3 = re.compile(r"-?\d+\.\d{3}")
_INT_TEXT = re.compile(r"[+-]?[1-9]\d*|0")


def _num_str(s: str) -> str:
    """A numeric cell as text. ``1.234`` in a *number* cell is one point two three four, not 1234 as the
    Indonesian reading of the text "1.234" would be, so a fourth decimal is added to keep it unambiguous."""
    return s + "0" if _NUM3.fullmatch(s) else s


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return any(ch in code for ch in "dmy") and "general" not in code


def _col_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n - 1


def _read_xlsx_fast(path: Path) -> list[tuple[list[list[str]], dict]]:
    """Read every sheet's cell values straight from the workbook XML (about 3x faster than openpyxl).

    Date-formatted numbers become ISO dates like openpyxl's; anything unusual raises and the caller falls
    back on openpyxl. Why not python-calamine, which is faster still (about 4x this reader,
    ``benchmarks/xlsx_reader.py``): it parses every number cell into a 64-bit float, so an 18-digit NIP kept as
    an integer cell comes back as ``1.98503172010012e+17`` (``198503172010012000`` as text): the last digits
    are lost silently, before any check could say so. This reader keeps an integer cell's text as written
    (``198503172010012004``), as openpyxl does (``tests/test_read.py``).
    """
    import datetime as dt
    import zipfile
    from xml.etree import ElementTree as ET

    try:
        from lxml.etree import iterparse as _lx  # type: ignore[import-untyped]

        def iterparse(fh, events):  # noqa: ANN001, ANN202
            return _lx(fh, events=events, tag=f"{_NS_M}row")
    except ImportError:  # pragma: no cover
        from xml.etree.ElementTree import iterparse
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        pr = wb.find(f"{_NS_M}workbookPr")
        epoch = dt.datetime(1904, 1, 1) if pr is not None and pr.get("date1904") in ("1", "true") else \
            dt.datetime(1899, 12, 30)
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        relmap = {r.get("Id"): r.get("Target") for r in rels}
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{_NS_M}si"):
                parts = []
                for child in si:
                    if child.tag == f"{_NS_M}t":
                        parts.append(child.text or "")
                    elif child.tag == f"{_NS_M}r":
                        parts.extend(t.text or "" for t in child.iter(f"{_NS_M}t"))
                shared.append("".join(parts))
        date_styles: set[int] = set()
        if "xl/styles.xml" in names:
            st = ET.fromstring(z.read("xl/styles.xml"))
            custom = {int(f.get("numFmtId")): f.get("formatCode") or "" for f in st.iter(f"{_NS_M}numFmt")}
            xfs = st.find(f"{_NS_M}cellXfs")
            for i, xf in enumerate(xfs if xfs is not None else []):
                fid = int(xf.get("numFmtId") or 0)
                if fid in _DATE_FMT_IDS or (fid in custom and _is_date_format(custom[fid])):
                    date_styles.add(i)
        out = []
        for sh in wb.iter(f"{_NS_M}sheet"):
            target = relmap[sh.get(f"{_NS_R}id")]
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rows: list[list[str]] = []
            last_r = 0
            with z.open(target) as fh:
                for _ev, el in iterparse(fh, events=("end",)):
                    if el.tag != f"{_NS_M}row":
                        continue
                    r = int(el.get("r") or last_r + 1)
                    while last_r < r - 1:
                        rows.append([])
                        last_r += 1
                    cells: dict[int, str] = {}
                    j = -1
                    for c in el.iter(f"{_NS_M}c"):
                        ref = c.get("r")
                        j = _col_index(ref) if ref else j + 1
                        t = c.get("t")
                        if t == "inlineStr":
                            val = "".join(x.text or "" for x in c.iter(f"{_NS_M}t"))
                        else:
                            v = c.find(f"{_NS_M}v")
                            if v is None or v.text is None:
                                continue
                            val = v.text
                            if t == "s":
                                val = shared[int(val)]
                            elif t == "b":
                                val = "Ya" if val in ("1", "true") else "Tidak"
                            elif t in (None, "n"):
                                sty = c.get("s")
                                if sty is not None and int(sty) in date_styles:
                                    x = float(val)
                                    d = epoch + dt.timedelta(milliseconds=round(x * 86_400_000))
                                    val = d.date().isoformat() if x == int(x) else d.isoformat(sep=" ")
                                elif _INT_TEXT.fullmatch(val):  # an integer cell: every digit (an 18-digit NIP)
                                    val = val.lstrip("+")
                                else:
                                    f = float(val)
                                    val = str(int(f)) if f.is_integer() and abs(f) < 1e15 else _num_str(repr(f))
                        cells[j] = val
                    row = [""] * (max(cells) + 1) if cells else []
                    for k, v2 in cells.items():
                        row[k] = v2
                    rows.append(row)
                    last_r = r
                    el.clear()
                    if hasattr(el, "getprevious"):  # lxml: drop the rows already read
                        while el.getprevious() is not None:
                            del el.getparent()[0]
            out.append((rows, {"encoding": None, "delimiter": None, "sheet": sh.get("name")}))
    return out


def _read_xlsx(path: Path, name: str) -> list[tuple[list[list[str]], dict]]:
    try:
        return _read_xlsx_fast(path)
    except Exception:  # noqa: BLE001 - any oddity: the slower, complete reader decides
        return _read_xlsx_openpyxl(path, name)


def _read_xlsx_openpyxl(path: Path, name: str) -> list[tuple[list[list[str]], dict]]:
    import warnings
    import zipfile

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise DataError(name, f"not a readable .xlsx workbook ({type(e).__name__})") from None
    out = []
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = [[_cell_str(v) for v in r] for r in ws.iter_rows(min_row=1, values_only=True)]
            out.append((rows, {"encoding": None, "delimiter": None, "sheet": ws.title}))
    finally:
        wb.close()
    return out


def _translate_answers(table: RawTable, data: pd.DataFrame) -> None:
    """Answers of evalkit's own forms as the cleaner reads them (in place, on the distinct cells): choice names
    and labels in either language of the fields in ``spec.ANSWER_MAPS`` (SKM options by unsur, rater roles),
    and programme labels ending in "[CODE]" -> CODE."""
    maps = ANSWER_MAPS.get(table.name, {})
    for f in data.columns:
        m = maps.get(f)
        code = f == "programme_id"
        if not m and not code:
            continue

        def tr(v: object, m: dict[str, str] | None = m, code: bool = code) -> object:
            if not isinstance(v, str) or not v.strip():
                return v
            if m:
                t = m.get(answer_key(v))
                if t is not None:
                    return t
            if code and "]" in v:
                return code_from_label(v) or v
            return v

        col = data[f]
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = list(col.cat.categories)
            new = [tr(v) for v in cats]
            if new == cats:
                continue
            data[f] = pd.Series(np.asarray(new, dtype=object)[col.cat.codes.to_numpy()], index=col.index, dtype=object)
            continue
        codes, uniq = pd.factorize(col.to_numpy(dtype=object))
        new = [tr(v) for v in uniq]
        if new != list(uniq):
            data[f] = pd.Series(np.asarray(new, dtype=object)[codes], index=col.index, dtype=object)


@dataclass
class _Header:
    h: int  # 0-based position of the header row
    mapping: dict[str, int]
    columns: dict[str, str]
    unknown: list[str]
    warnings: list[str]
    width: int
    fields: list[str]
    missing: list[str]
    constants: dict[str, str] = field(default_factory=dict)  # field -> a codebook value for every row
    out_fields: list[str] = field(default_factory=list)  # fields + constants, in the table's order
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # question column -> (scale, item key)


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
        cand = np.flatnonzero(pd.Series(uniq, dtype=object).astype(str).str.contains(r"[eE]|000\s*$", regex=True)
                              .to_numpy(dtype=bool)) if len(uniq) else []
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


def _header(rows: list[list[str]], meta: dict, name: str, table: RawTable,
            rules: SheetRules | None = None) -> _Header:
    idx = _header_index(table)
    if rules is not None and rules.headers:  # the codebook's headers win over the aliases
        idx = {**idx, **{k: f for k, (f, _row) in rules.headers.items()}}
    if not any(any(c.strip() for c in r) for r in rows):
        raise DataError(name, "the file is empty" if meta["sheet"] is None else f"sheet {meta['sheet']!r} is empty")
    h = _find_header(rows, idx)
    if h is None:
        usual = ", ".join(f.aliases[0] for f in table.fields if f.required)
        raise DataError(name, f"no recognisable header row in the first {HEADER_SCAN_ROWS} rows; expected "
                              f"columns of table {table.name!r} such as {usual}")
    header = rows[h]
    mapping: dict[str, int] = {}
    columns: dict[str, str] = {}
    unknown: list[str] = []
    warnings: list[str] = []
    meta = _meta_columns(header)
    resolved: list[tuple[int, str, str | None, tuple[str, int] | None]] = []
    for j, cell in enumerate(header):
        if not cell.strip() or j in meta:
            continue
        f = _match_header(cell, idx)
        cb = rules.headers.get(header_key(cell)) if rules is not None else None
        if cb is not None:
            f = cb[0]
            rules.used.add(cb[1])
            if cb[1] in rules.notes:
                warnings.append(rules.notes[cb[1]])
        resolved.append((j, cell, f, cb))
    spare = rules.spare if rules is not None else {}
    # fields a column supplies on its own: a codebook question mapped onto the same default item yields to it
    plain = {f for _j, cell, f, _cb in resolved if f and header_key(cell) not in spare}
    for j, cell, f, cb in resolved:
        if f == "":  # known column of evalkit's instruments that is not kept (e.g. the SKM respondent profile)
            continue
        sp = spare.get(header_key(cell)) if f else None
        if sp is not None and cb is not None and (f in mapping or f in plain):  # a second question on it
            mapping[sp] = j
            columns[sp] = cell.strip()
            warnings.append(f"codebook row {cb[1]}: {cell.strip()!r} is kept as a question of its own (scale "
                            f"{rules.items[sp][0]!r}) in the items table: another column of the file fills "
                            f"{f!r}")
            continue
        if f is None:
            unknown.append(cell.strip())
        elif f in mapping:
            warnings.append(f"column {cell.strip()!r} is a second column for {f!r} "
                            f"(first: {columns[f]!r}); ignored")
        else:
            mapping[f] = j
            columns[f] = cell.strip()
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    constants: dict[str, str] = {}
    for f, (v, row) in (rules.constants.items() if rules is not None else ()):
        rules.used.add(row)
        if f in mapping or (f == "programme_title" and "programme_id" in mapping):
            warnings.append(f"codebook row {row}: value {v!r} for {f!r} not used: the file has a column for it "
                            f"({columns.get(f, columns.get('programme_id'))!r})")
            continue
        constants[f] = v
        columns[f] = f"{f} (codebook row {row})"
    order = [f.name for f in table.fields] + ["programme_title"]
    # the questions that are no field of the table (codebook ``item`` rows), after the fields, in file order
    extra = sorted((f for f in mapping if rules is not None and f in rules.items), key=mapping.__getitem__)
    fields = [f for f in order if f in mapping] + extra
    out_fields = [f for f in order if f in mapping or f in constants] + extra
    have = set(out_fields) | ({"programme_id"} if "programme_title" in out_fields else set())
    missing = [f.name for f in table.fields if f.required and f.name not in have]
    items: dict[str, tuple[str, str]] = {}
    if table.name in ITEM_TABLES:  # every question of the questionnaire, in the file's column order
        scales = rules.scales if rules is not None else {}
        likert = {f.name for f in table.fields if f.kind == "likert5"}
        seen: set[tuple[str, str]] = set()
        for f in sorted((f for f in out_fields if f in likert or f in extra),
                        key=lambda f: mapping.get(f, width)):
            scale, item = rules.items[f] if f in extra else (scales.get(f) or ITEM_TABLES[table.name], f)
            key, n = item, 1
            while (scale, key) in seen:  # (two questions of a scale with one key: numbered)
                n += 1
                key = f"{item}_{n}"
            items[f] = (scale, key)
            seen.add(items[f])
    return _Header(h, mapping, columns, unknown, warnings, width, fields, missing, constants, out_fields, items)


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


# ---------------------------------------------------------------------------------------------- large CSV


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


#: Every character ``str.strip`` removes, and a few more (a superset: Arrow finds candidate blank cells).
_WS_CLASS = (r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{180e}\x{2000}-\x{200b}\x{2028}\x{2029}"
             r"\x{202f}\x{205f}\x{3000}\x{feff}]")


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
