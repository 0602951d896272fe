"""Header detection and matching: the key headers are compared in, the alias index of a table, the header row
of a sheet and its mapping to canonical fields (:class:`_Header`, the codebook's headers winning)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from evalkit.ingest.read.base import HEADER_SCAN_ROWS, DataError
from evalkit.ingest.spec import (
    FORM_TIMESTAMP_HEADERS,
    ITEM_TABLES,
    KOBO_MARKERS,
    KOBO_META,
    KOBO_META_WORDS,
    RawTable,
    instrument_headers,
)

if TYPE_CHECKING:  # (the codebook module imports this one)
    from evalkit.ingest.codebook import SheetRules


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
