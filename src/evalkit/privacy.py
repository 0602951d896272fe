"""Find personal data where it must not be: NIPs and names from the raw files in derived outputs.

The raw field files are the only place NIPs and names may live (UU 27/2022 on personal data; DOMAIN.md on why a
NIP is personal: it encodes birth date, appointment date and sex). :func:`personal_values` collects every NIP
and name the raw files contain; :func:`scan` searches derived folders (``data/processed``, ``reports``, the
committed notebooks) for any of them and returns one row per hit. The expected result is an empty table.

How values are matched
----------------------
* NIPs: every run of 18 digits in the output, optionally broken by spaces or dots as people type them, is reduced
  to its digits and looked up in the set of raw NIPs.
* Names: output text is split into words; every run of 2-4 consecutive words is compared, case-insensitively,
  with the set of full names from the raw files, with and without academic titles (single words are too
  common to be evidence).
* Text files (``.csv .tex .html .json .ipynb .md .txt .svg``) are read as text; Parquet files are read with
  pandas and every non-numeric cell is scanned. PNG and PDF are not read (figures' text comes from the same
  tables and labels the SVG and CSV carry).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from evalkit.ingest.read import DataError, read_raw
from evalkit.ingest.spec import RAW_TABLES, table_for_file

__all__ = ["personal_values", "scan", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = (".csv", ".tex", ".html", ".json", ".ipynb", ".md", ".txt", ".svg")
_NIP_RUN = re.compile(r"(?<![\d])(\d(?:[ .]?\d){17})(?![\d])")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


#: Academic and religious titles written around Indonesian names ("Dra. Siti Aminah, M.Si." -> "siti aminah").
_TITLES = frozenset("s e m h a p t dr drs dra ir hj sos kom kep pd si md ak sh se mm st mt ked kes ip ag ikom "
                    "ph msi mpd apt amd sp ap".split())


def _name_variants(value: str) -> set[str]:
    words = _WORD.findall(value.lower())
    core = [w for w in words if w not in _TITLES]
    return {" ".join(v) for v in (words, core) if len(v) >= 2}


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def personal_values(raw_dir: str | Path) -> tuple[set[str], set[str]]:
    """All NIPs (18 digits) and full names (lower case) found in the raw field files of ``raw_dir``.

    Columns are found by the ingest spec (fields of kind ``nip`` and ``name``), so any accepted header spelling
    counts. Files that cannot be read are skipped (``evalkit check`` reports them).
    """
    nips: set[str] = set()
    names: set[str] = set()
    for path in sorted(Path(raw_dir).iterdir()):
        table = table_for_file(path.name) if path.is_file() else None
        if table is None:
            continue
        kinds = {f.name: f.kind for f in RAW_TABLES[table].fields}
        try:
            sheets = read_raw(path, table)
        except DataError:
            continue
        for sheet in sheets:
            for col in sheet.data.columns:
                kind = kinds.get(col)
                values = sheet.data[col].astype(str)
                if kind == "nip":
                    nips.update(d for d in map(_digits, values) if len(d) == 18)
                elif kind == "name":
                    for v in values:
                        names |= _name_variants(v)
    names.discard("")
    return nips, names


def _hits_in_text(text: str, nips: set[str], names: set[str], max_words: int = 4) -> list[tuple[str, str]]:
    hits = [("nip", m) for m in {_digits(m.group(1)) for m in _NIP_RUN.finditer(text)} if m in nips]
    if names:
        words = [w.lower() for w in _WORD.findall(text)]
        found = set()
        for n in range(2, max_words + 1):
            for i in range(len(words) - n + 1):
                cand = " ".join(words[i:i + n])
                if cand in names:
                    found.add(cand)
        hits += [("name", f) for f in sorted(found)]
    return hits


def _files(roots: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        root = Path(root)
        if root.is_file():
            out.append(root)
        elif root.is_dir():
            out += sorted(p for p in root.rglob("*") if p.is_file())
    return out


def scan(roots: Iterable[str | Path], nips: set[str], names: set[str]) -> pd.DataFrame:
    """Search files under ``roots`` for the given NIPs and names.

    Returns
    -------
    DataFrame
        Columns ``file, kind, value_digest``: one row per (file, personal value) found. The value itself is
        not returned (a report of leaks must not leak); ``value_digest`` is its first characters masked.
    """
    rows = []
    for path in _files(roots):
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
            text = "\n".join(df[c].astype(str).str.cat(sep="\n") for c in df.columns
                             if not pd.api.types.is_numeric_dtype(df[c]))
        else:
            continue
        for kind, value in _hits_in_text(text, nips, names):
            rows.append({"file": str(path), "kind": kind, "value_digest": value[:3] + "***"})
    return pd.DataFrame(rows, columns=["file", "kind", "value_digest"])
