"""What the cleaner's steps share: the mask, the table order, file checksums and listing, and the work of one
table (its files and their normalised chunks)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit.ingest.clean.results import FileSummary
from evalkit.ingest.spec import RAW_TABLES, Field

#: What the quarantine and the problem list show instead of a NIP that is not valid, or a name.
MASK = "[disamarkan]"
#: Tables are processed in this order (employees first: its names are scrubbed from later free text).
TABLE_ORDER: tuple[str, ...] = ("employees", *(t for t in RAW_TABLES if t != "employees"))
_SHOW = 80
#: How a question that is no default item of its table is read (a 1-5 agreement answer, as the default items).
_ITEM_FIELD = Field("item", "likert5", ())


# ---------------------------------------------------------------------------------------------- helpers


def _show(v: object) -> str:
    s = "" if v is None else str(v)
    return s if len(s) <= _SHOW else s[:_SHOW] + f"... ({len(s)} characters)"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _list_files(raw_dir: Path) -> list[Path]:
    out = []
    for p in raw_dir.rglob("*"):
        rel = p.relative_to(raw_dir)
        if any(part.startswith(".") or part.startswith("~$") for part in rel.parts):
            continue
        if p.is_file():
            out.append(p)
    return sorted(out, key=lambda p: p.relative_to(raw_dir).as_posix())


@dataclass
class _Chunk:
    """One normalised file (or chunk of a large file), column by column as codes into distinct values."""

    source: str  # file name as shown in problems
    rows: np.ndarray  # row number in the file of each row (int64)
    cols: dict[str, tuple[np.ndarray, np.ndarray]]  # field -> (codes, clean value per code; last = None for -1)
    raw: pd.DataFrame  # raw cells, for the quarantine (masked and scrubbed there, for quarantined rows only)
    reasons: dict[int, list[str]]  # row position in the chunk -> reasons it cannot be kept
    #: the questions of a questionnaire (spec.ITEM_TABLES), in file order: (key in ``cols``, scale, item, wording)
    items: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.rows)


@dataclass
class _TableWork:
    name: str
    chunks: list[_Chunk] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    chunked: bool = False  # a file was read in chunks: the table is written as partitioned Parquet
    spill: Any = None  # a big person-keyed table: its chunks go to disk (clean.spill._Spill), not ``chunks``

    def add(self, chunk: _Chunk, runner: Any) -> None:
        if self.spill is not None:
            self.spill.add(chunk, runner)
        else:
            self.chunks.append(chunk)

    def seen(self) -> int:
        """The number of chunks added so far."""
        return len(self.spill) if self.spill is not None else len(self.chunks)

    def forget(self, n: int) -> None:
        """Drop the chunks added after the first ``n`` (a file read again, or unusable after all)."""
        if self.spill is not None:
            self.spill.forget(n)
        else:
            del self.chunks[n:]
