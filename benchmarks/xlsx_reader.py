"""evalkit's own XLSX cell reader against openpyxl (its fallback) and python-calamine (a Rust reader), in speed
and in what they read from a number cell that holds an 18-digit NIP.

Speed: every sheet of one workbook (``--file``, default the largest ``.xlsx`` in the raw folder, e.g. the
demo's staff list of 3,509 rows) read to rows of cells, best of ``--repeat`` runs, each reader in the same
process one after the other. python-calamine is timed only if installed (``pip install python-calamine``);
evalkit does not depend on it.

Fidelity: a workbook whose cell A2 is a number cell with the text ``198503172010012004`` (as systems that
export NIPs as numbers write it); each reader's value for that cell.

Usage: python benchmarks/xlsx_reader.py [--file PATH] [--repeat 7]
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from openpyxl import Workbook

from evalkit.config import paths
from evalkit.ingest.read import _read_xlsx_fast, _read_xlsx_openpyxl

NIP = "198503172010012004"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def integer_cell_workbook(folder: Path) -> Path:
    path = folder / "nip_integer_cell.xlsx"
    wb = Workbook()
    wb.active.append(["NIP"])
    wb.active.append(["INT"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<c r="A2"([^>]*?) t="inlineStr"><is><t>INT</t></is></c>',
                          rb'<c r="A2"\1 t="n"><v>' + NIP.encode() + rb"</v></c>", parts[sheet])
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    path = args.file or max(paths()["raw"].glob("*.xlsx"), key=lambda p: p.stat().st_size)
    rows = sum(len(r) for r, _ in _read_xlsx_fast(path))
    out: dict = {"benchmark": "xlsx_reader", "file_rows": rows, "repeat": args.repeat}
    out["evalkit_ms"] = round(1000 * best(lambda: _read_xlsx_fast(path), args.repeat), 1)
    out["openpyxl_ms"] = round(1000 * best(lambda: _read_xlsx_openpyxl(path, path.name), args.repeat), 1)
    with tempfile.TemporaryDirectory() as tmp:
        nip_file = integer_cell_workbook(Path(tmp))
        out["nip_cell"] = {"written": NIP, "evalkit": _read_xlsx_fast(nip_file)[0][0][1][0],
                           "openpyxl": _read_xlsx_openpyxl(nip_file, nip_file.name)[0][0][1][0]}
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            out["calamine_ms"] = "not installed"
        else:
            def calamine(p: Path = path) -> list:
                wb = CalamineWorkbook.from_path(str(p))
                return [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]

            out["calamine_ms"] = round(1000 * best(calamine, args.repeat), 1)
            value = CalamineWorkbook.from_path(str(nip_file)).get_sheet_by_index(0).to_python()[1][0]
            out["nip_cell"]["calamine"] = f"{value!r} (as text: {int(value)})"
    out["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
