"""Helpers shared by test modules (imported as ``from helpers import ...``; tests/ is on sys.path)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from evalkit.ingest.codebook import COLUMNS


def integer_cells(path: Path) -> None:
    """Store the cells written as "INT:<digits>" as integer number cells with every digit, as systems that
    write workbooks do (openpyxl, like Excel, would write an 18-digit int with 15 significant digits)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for n, b in parts.items():
        if n.startswith("xl/worksheets/"):
            parts[n] = re.sub(rb'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t>INT:(\d+)</t></is></c>',
                              rb'<c r="\1"\2 t="n"><v>\3</v></c>', b)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def read_codebook(path: Path) -> list[dict[str, str]]:
    """The rows of a codebook.csv that `evalkit codebook` wrote (UTF-8 with a BOM, so Excel shows accents)."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def write_codebook(path: Path, rows: list[dict[str, str]]) -> None:
    """Save codebook rows as an evaluator's Excel would (BOM, CRLF)."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
