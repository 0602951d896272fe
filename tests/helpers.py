"""Helpers shared by test modules (imported as ``from helpers import ...``; tests/ is on sys.path)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path


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
