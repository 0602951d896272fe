"""XLSX workbooks: every sheet's cells as text, by the fast reader of the workbook XML (:func:`_read_xlsx_fast`)
or, for anything unusual, by openpyxl (:func:`_read_xlsx_openpyxl`)."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from evalkit.ingest.read.base import DataError


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
