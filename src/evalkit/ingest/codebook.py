"""The codebook: ``codebook.csv`` beside the raw files says what each file, sheet and header is.

(One module on purpose, about 640 lines: the codebook's format, its pre-filling and its application
are one contract an evaluator edits; they change together.)

An evaluator fills it in Excel (``evalkit codebook DIR`` writes a first version, pre-filled where evalkit
recognises a header). Its rows win over file-name prefixes and header aliases. Columns (a stable format):

``file``   a file name or glob relative to the folder (``presensi_*.xlsx``); case is ignored
``sheet``  a workbook sheet name (blank: every sheet; case and spacing ignored)
``table``  the canonical table (``employees``, ``enrolments``, ``reaction``, ...; see ``ingest.spec``)
``header`` a column header as in the file (case and spacing ignored); blank when ``value`` is used
``field``  a canonical field of the table, or ``item`` (a questionnaire question), ``programme_title`` (the
           programme by its title, looked up in the programmes table), ``submitted_at`` (a form's timestamp),
           ``ignore`` (drop the column)
``scale``  for ``item``: the scale (dimension) the question belongs to, free text such as ``Penyelenggaraan``;
           the name or a header of a default item of the table (``material``, ``trainer``, ``Pengajar``) maps
           the question onto that field instead. For a default item's own field (``field`` = ``material``): the
           scale it is counted in, if not the table's default one
``value``  a constant for a field the file lacks (the region of a whole file, the programme of a sheet)

Questions (``item``)
--------------------
A questionnaire has any number of questions. In the reaction (L1) and followup (L3) tables
(``spec.ITEM_TABLES``) every question is an item with a scale, kept with its wording in the derived ``items``
table (one row per answer row and question; see ``ingest.schemas``): the table's default items (its Likert
fields, e.g. the five L1 items) fill their columns of the wide table as before and form the default scale
(``reaction``, ``application``); every other question mapped as ``item`` is kept in the scale its ``scale``
names, under a key made from its wording (:func:`item_key`), and is read and checked like the default items (an
answer that is not 1-5 quarantines its row). A question without a ``scale`` is a scale of its own. Other
tables keep only their own fields: an ``item`` there that is no field of theirs is read but not used.

A row with only ``file`` and ``table`` assigns a table to files whose names carry no known prefix.
Row numbers in messages are spreadsheet rows (the header line is row 1).

Examples
--------
>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "codebook.csv").write_text("file,sheet,table,header,field,scale,value\\n"
...                                      "absen.csv,,enrolments,Hadir?,attended,,\\n")
>>> cb = load_codebook(d / "codebook.csv")
>>> cb.table_for("absen.csv"), cb.rules_for("absen.csv", None, "enrolments").headers
('enrolments', {'hadir': ('attended', 2)})
"""

from __future__ import annotations

import csv
import difflib
import fnmatch
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.ingest.read import DataError
from evalkit.ingest.spec import (
    FORM_RESPONSE_SHEETS,
    FORM_TIMESTAMP_HEADERS,
    INSTRUCTION_SHEETS,
    ITEM_TABLES,
    LAYOUT_HEADERS,
    OPTIONAL_REGION_TABLES,
    RAW_TABLES,
    default_items,
    instrument_headers,
    table_for_file,
)

__all__ = ["CODEBOOK_NAME", "COLUMNS", "SPECIAL_FIELDS", "CodebookError", "CodebookRow", "Codebook",
           "SheetRules", "load_codebook", "build_codebook", "write_codebook", "SIMILARITY_THRESHOLD", "item_key",
           "ITEM_COLUMN"]

CODEBOOK_NAME = "codebook.csv"
COLUMNS: tuple[str, ...] = ("file", "sheet", "table", "header", "field", "scale", "value")
_REQUIRED_COLUMNS = ("file", "table", "header", "field")
SPECIAL_FIELDS: tuple[str, ...] = ("item", "programme_title", "submitted_at", "ignore")
#: difflib ratio (on lower-cased, single-spaced text) from which a header is pre-filled as a known question.
#: Only headers and labels of at least :data:`_MIN_SIMILAR_CHARS` characters are compared: on short words the
#: ratio is unreliable ("Tanggal lahir" vs "Tanggal Mulai" scores 0.85). At 0.80 a question reworded by a word
#: or two matches ("Materi relevan dengan tugas saya" 0.92, "Sarana dan fasilitas pelatihan memadai" 0.85),
#: while "Judul pelatihan yang diikuti" (a title) vs "Pelatihan yang Anda ikuti" (a code) scores 0.79 and a
#: question that only shares a topic stays well below ("Pengajar menguasai materi dengan baik" vs
#: "Pengajar/Widyaiswara menguasai materi" 0.68). Below the threshold the field stays blank for the evaluator:
#: a wrong guess would be used silently, a blank is asked about. Guesses are listed as such by the command.
SIMILARITY_THRESHOLD = 0.80
_MIN_SIMILAR_CHARS = 15
#: How the reader names the column of a question that is no default item: ``ITEM_COLUMN.format(scale=...,
#: item=...)`` (never a canonical field name; the scale and key are in ``SheetRules.items``).
ITEM_COLUMN = "item:{scale}:{item}"
_ITEM_KEY_CHARS = 48


class CodebookError(DataError):
    """A malformed codebook: ``problems`` is a list of (row, column, message); row 1 is the header line."""

    def __init__(self, file: str, problems: list[tuple[int, str | None, str]]):
        self.problems = problems
        lines = [f"row {r}" + (f", column {c!r}" if c else "") + f": {m}" for r, c, m in problems]
        super().__init__(file, "the codebook cannot be used:\n  " + "\n  ".join(lines))


@dataclass(frozen=True)
class CodebookRow:
    row: int
    file: str
    sheet: str
    table: str
    header: str
    field: str
    scale: str
    value: str


@dataclass
class SheetRules:
    """What the codebook says about one file or sheet of one table.

    ``headers``: header key (see ``read.header_key``) -> (column name to read it into, codebook row); the
    name is a canonical field, ``programme_title``, a question's column (:data:`ITEM_COLUMN`, listed in
    ``items``) or ``""`` (known, not kept). ``constants``: field -> (value, codebook row). ``notes``: codebook
    row -> what to tell when the row is used. ``used``: the set the reader adds every codebook row it applied
    to. ``items``: question column -> (scale, item key) for the questions that are no default item;
    ``scales``: default item -> the scale the codebook puts it in (when not the table's default one);
    ``spare``: header key -> question column (in ``items``) for an ``item`` row that maps a question onto a
    default item: the column it is read into instead when the file has another column for that item (a
    second question on the trainer is kept in the items table, in the scale the row names).
    """

    headers: dict[str, tuple[str, int]] = field(default_factory=dict)
    constants: dict[str, tuple[str, int]] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)
    scales: dict[str, str] = field(default_factory=dict)
    spare: dict[str, str] = field(default_factory=dict)


def _key(text: object) -> str:
    from evalkit.ingest.read import header_key

    return header_key(text)


def _space(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _fields_of(table: str) -> tuple[str, ...]:
    return tuple(f.name for f in RAW_TABLES[table].fields)


def item_key(wording: str) -> str:
    """A short stable key for a question: its wording in lower case, accents dropped, words joined by ``_``
    (a long wording is cut and given a hash of the whole, so two wordings keep two keys).

    Examples
    --------
    >>> item_key("Jadwal pelatihan tepat waktu"), item_key("Konsumsi  memadai?")
    ('jadwal_pelatihan_tepat_waktu', 'konsumsi_memadai')
    """
    s = unicodedata.normalize("NFKD", str(wording))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    slug = re.sub(r"[^0-9a-z]+", "_", s).strip("_")
    if slug and len(slug) <= _ITEM_KEY_CHARS:
        return slug
    digest = hashlib.sha1(slug.replace("_", "").encode() or str(wording).encode()).hexdigest()[:8]
    return (slug[:_ITEM_KEY_CHARS - 9].rstrip("_") + "_" + digest) if slug else "q_" + digest


def _item_field(table: str, scale: str) -> str | None:
    """The table's own questionnaire field a free-text ``scale`` names (field name or one of its headers)."""
    k = _key(scale)
    if not k:
        return None
    for f in RAW_TABLES[table].fields:
        if f.kind not in ("likert5", "skm4"):
            continue
        if k in {_key(a) for a in (f.name, *f.aliases)}:
            return f.name
    return None


@dataclass
class Codebook:
    """A loaded codebook (see :func:`load_codebook`)."""

    path: str
    rows: list[CodebookRow]
    notes: list[tuple[int, str | None, str]] = field(default_factory=list)  # rows not filled in, told once
    used: set[int] = field(default_factory=set)
    files_seen: dict[int, list[str]] = field(default_factory=dict)  # row -> files its glob matched
    read_as: dict[str, str] = field(default_factory=dict)  # file -> the table it was read as

    def _file_rows(self, rel: str) -> list[CodebookRow]:
        rel_l = rel.casefold()
        out = []
        for r in self.rows:
            if fnmatch.fnmatchcase(rel_l, r.file.casefold()):
                seen = self.files_seen.setdefault(r.row, [])
                if rel not in seen:
                    seen.append(rel)
                out.append(r)
        return out

    def table_for(self, rel: str) -> str | None:
        """The table the codebook gives a file (its first matching row with a table), else None."""
        rows = [r for r in self._file_rows(rel) if r.table]
        if not rows:
            return None
        for r in rows:  # a row that only names the table for the file is used by naming it
            if not r.header and not r.field and not r.value:
                self.used.add(r.row)
        return rows[0].table

    def rules_for(self, rel: str, sheet: str | None, table: str) -> SheetRules:
        """The header mappings and constants of every row for this file, sheet and table (sheet rows first)."""
        rules = SheetRules(used=self.used)
        self.read_as[rel] = table
        mine = [r for r in self._file_rows(rel)
                if (not r.table or r.table == table)
                and (not r.sheet or (sheet is not None and _space(r.sheet) == _space(sheet)))]
        mine.sort(key=lambda r: (not r.sheet, r.row))  # a row for this sheet beats a row for every sheet
        for r in mine:
            if r.header:
                k = _key(r.header)
                if k in rules.headers:
                    continue
                name, note = self._column_for(r, table)
                rules.headers[k] = (name, r.row)
                if note:
                    rules.notes[r.row] = note
                if r.field == "item" and name.startswith("item:"):
                    rules.items[name] = (r.scale or item_key(r.header), item_key(r.header))
                elif r.field == "item" and table in ITEM_TABLES and name in default_items(table):
                    spare = ITEM_COLUMN.format(scale=r.scale, item=item_key(r.header))
                    rules.items[spare] = (r.scale, item_key(r.header))
                    rules.spare[k] = spare
                elif table in ITEM_TABLES and r.scale and r.field == name and name in default_items(table):
                    rules.scales.setdefault(name, r.scale)  # a default item counted in another scale
            elif r.value and r.field:
                name = "programme_title" if r.field == "programme_title" else r.field
                if r.field == "item":
                    name = _item_field(table, r.scale) or ""
                if name and name not in rules.constants:
                    rules.constants[name] = (r.value, r.row)
        return rules

    def _column_for(self, r: CodebookRow, table: str) -> tuple[str, str | None]:
        f = r.field
        if not f:  # not filled in: said once, as a note of the codebook
            return "", None
        if f == "ignore":
            return "", None
        if f == "submitted_at":
            return "", (f"codebook row {r.row}: {r.header!r} read as the form's timestamp (submitted_at); "
                        f"not kept (table {table!r} has no submission time)")
        if f == "item":
            mapped = _item_field(table, r.scale)
            if mapped:
                return mapped, None
            if table in ITEM_TABLES:  # a question of its own: kept in the items table
                name = ITEM_COLUMN.format(scale=r.scale or item_key(r.header), item=item_key(r.header))
                if not r.scale:
                    return name, (f"codebook row {r.row}: item {r.header!r} has no scale: kept as a scale of its "
                                  f"own; fill in `scale` to count it with the questions on the same dimension")
                return name, None
            own = [x.name for x in RAW_TABLES[table].fields if x.kind in ("likert5", "skm4")]
            return "", (f"codebook row {r.row}: item {r.header!r} (scale {r.scale or '(none)'!r}) read but not "
                        f"used: table {table!r} keeps only its own fields"
                        + (f" ({', '.join(own)})" if own else "") + "; questions of their own are kept for the "
                        "reaction and followup questionnaires")
        return f, None

    def unmatched(self) -> list[tuple[int, str]]:
        """(row, why) for every filled-in row that matched no file, sheet, header or table."""
        out = []
        for r in self.rows:
            if r.row in self.used:
                continue
            if r.field and not r.header and not r.value:
                continue  # a field left to fill in: told by ``notes``
            other = sorted({f"{f} was read as table {self.read_as[f]!r}" for f in self.files_seen.get(r.row, ())
                            if r.table and self.read_as.get(f, r.table) != r.table})
            if r.row not in self.files_seen:
                out.append((r.row, f"file {r.file!r} matches no file in the folder"))
            elif other:
                out.append((r.row, f"this row is for table {r.table!r}, but " + "; ".join(other)
                            + " (one table per file: the first codebook row for a file with a table decides)"))
            elif r.header:
                where = f"sheet {r.sheet!r} of " if r.sheet else ""
                out.append((r.row, f"header {r.header!r} not found in the header row of {where}"
                                   f"{', '.join(self.files_seen[r.row])} (table {r.table or '?'})"))
            elif r.value:
                out.append((r.row, f"value for {r.field!r} not used: no sheet {r.sheet!r} of table {r.table!r} in "
                                   f"{', '.join(self.files_seen[r.row])}" if r.sheet else
                                   f"value for {r.field!r} not used: {', '.join(self.files_seen[r.row])} was not "
                                   f"read as table {r.table!r}"))
            else:
                out.append((r.row, f"row not used ({', '.join(self.files_seen[r.row])})"))
        return out


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # pragma: no cover


def load_codebook(path: str | Path) -> Codebook:
    """Read and check a codebook; a malformed one raises :class:`CodebookError` naming every bad row and column.

    Comma- or semicolon-separated (Excel in an Indonesian locale saves with ``;``), UTF-8 with or without BOM
    or Windows-1252. Columns ``file``, ``table``, ``header`` and ``field`` are required; ``sheet``, ``scale``
    and ``value`` may be left out. Rows left blank where evalkit asks for a field or value are not errors:
    they are listed in ``Codebook.notes`` (the column or field is not used).
    """
    path = Path(path)
    name = path.name
    text = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delim = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    if not rows or not any(c.strip() for c in rows[0]):
        raise CodebookError(name, [(1, None, f"the codebook is empty; expected the columns {', '.join(COLUMNS)}")])
    head = [c.strip().casefold() for c in rows[0]]
    problems: list[tuple[int, str | None, str]] = []
    missing = [c for c in _REQUIRED_COLUMNS if c not in head]
    for c in missing:
        problems.append((1, c, f"column {c!r} is missing; the header line must be {','.join(COLUMNS)}"))
    if missing:
        raise CodebookError(name, problems)
    notes: list[tuple[int, str | None, str]] = []
    for j, c in enumerate(head):
        if c and c not in COLUMNS:
            notes.append((1, rows[0][j].strip(), "unknown codebook column, ignored"))
    pos = {c: head.index(c) for c in COLUMNS if c in head}
    out: list[CodebookRow] = []
    tables = ", ".join(RAW_TABLES)
    for i, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        get = {c: (r[pos[c]].strip() if c in pos and pos[c] < len(r) else "") for c in COLUMNS}
        table, fld = get["table"], get["field"]
        fld_l = fld.casefold()
        bad = len(problems)
        if not get["file"]:
            problems.append((i, "file", "no file given (a file name or a glob such as presensi_*.xlsx)"))
        if table and table not in RAW_TABLES:
            low = table.casefold()
            if low in RAW_TABLES:
                table = low
            else:
                problems.append((i, "table", f"unknown table {table!r}; one of: {tables}"))
        if fld and table in RAW_TABLES:
            allowed = (*_fields_of(table), *SPECIAL_FIELDS)
            if fld_l in allowed:
                fld = fld_l
            else:
                problems.append((i, "field", f"table {table!r} has no field {fld!r}; one of: {', '.join(allowed)}"))
            if fld == "programme_title" and "programme_id" not in _fields_of(table):
                problems.append((i, "field", f"programme_title needs a table with a programme code; "
                                             f"{table!r} has none"))
        elif fld and table not in RAW_TABLES and not any(p[0] == i and p[1] == "table" for p in problems):
            if fld_l != "ignore":
                problems.append((i, "table", f"field {fld!r} given without a table"))
        if get["header"] and get["value"]:
            problems.append((i, "value", "give either a header (a column of the file) or a value (a constant), "
                                         "not both"))
        if get["value"] and fld in ("ignore", "submitted_at"):
            problems.append((i, "value", f"a value cannot be given for field {fld!r}"))
        if get["value"] and not fld:
            problems.append((i, "field", "a value needs the field it is for"))
        if len(problems) > bad:
            continue
        if get["header"] and not fld:
            notes.append((i, "field", f"{get['file']}: no field given for header {get['header']!r}; column not "
                                      f"used (fill in the field, or write 'ignore')"))
        out.append(CodebookRow(i, get["file"].removeprefix("./"), get["sheet"], table, get["header"], fld,
                               get["scale"], get["value"]))
    if problems:
        raise CodebookError(name, problems)
    # a field left to fill in (no header, no value) that no other row of its file and sheet supplies
    supplied = set()
    for r in out:
        if r.header or r.value:
            f = (_item_field(r.table, r.scale) or "item") if r.field == "item" and r.table else r.field
            supplied.add((r.file, r.sheet, r.table, "programme_id" if f == "programme_title" else f))
    for r in out:
        if (r.field and r.field != "ignore" and not r.header and not r.value
                and (r.file, r.sheet, r.table, r.field) not in supplied
                and (r.file, "", r.table, r.field) not in supplied):
            notes.append((r.row, "value", f"{r.file}{f' [{r.sheet}]' if r.sheet else ''}: no header or value for "
                                          f"{r.field} ({r.table}): the rows will lack it"))
    notes.sort(key=lambda n: n[0])
    return Codebook(str(path), out, notes)


# ---------------------------------------------------------------------------------------------- writing


def _known_labels(table: str) -> dict[str, str]:
    """Text -> field for similarity: the table's header aliases and its instrument question labels."""
    out: dict[str, str] = {}
    for f in RAW_TABLES[table].fields:
        for a in f.aliases:
            out.setdefault(_space(a), f.name)
    for a, f in instrument_headers(table).items():
        if f:
            out.setdefault(_space(a), f)
    if "programme_id" in _fields_of(table):
        for a in RAW_TABLES["programmes"].field("title").aliases:
            out.setdefault(_space(a), "programme_title")
    return out


def _similar(header: str, table: str) -> str | None:
    h = _space(header)
    if len(h) < _MIN_SIMILAR_CHARS:
        return None
    scored = sorted(((difflib.SequenceMatcher(None, h, lab).ratio(), f) for lab, f in _known_labels(table).items()
                     if len(lab) >= _MIN_SIMILAR_CHARS), reverse=True)
    if not scored or scored[0][0] < SIMILARITY_THRESHOLD:
        return None
    best = scored[0][1]
    if any(f != best and s >= SIMILARITY_THRESHOLD for s, f in scored[1:]):
        return None  # two fields are equally close: leave it to the evaluator
    return best


def _recognise(cell: str, table: str | None) -> tuple[str, bool]:
    """(field, guessed) for one header of a table: canonical field, special field, or ``""`` (not known)."""
    from evalkit.ingest import read as _read

    k = _key(cell)
    if k in {_key(h) for h in FORM_TIMESTAMP_HEADERS}:
        return "submitted_at", False
    if k in {_key(h) for h in LAYOUT_HEADERS}:
        return "ignore", False
    if table is None:
        return "", False
    f = _read._match_header(cell, _read._header_index(RAW_TABLES[table]))
    if f:
        return f, False
    if f == "":
        return "ignore", False
    if "programme_id" in _fields_of(table):
        titles = {_key(a) for a in RAW_TABLES["programmes"].field("title").aliases}
        if k in titles:
            return "programme_title", False
    if table != "employees" and k in {_key(a) for a in RAW_TABLES["employees"].field("name").aliases}:
        return "ignore", False  # a person's name outside the roster: personal data evalkit does not keep
    g = _similar(cell, table)
    return (g, True) if g else ("", False)


#: Words in a file name, sheet name or title row that say which table a file without a known prefix is.
_TITLE_HINTS: tuple[tuple[str, str], ...] = (
    ("daftar hadir", "enrolments"), ("presensi", "enrolments"), ("absensi", "enrolments"),
    ("kepuasan peserta", "reaction"), ("survei reaksi", "reaction"), ("evaluasi penyelenggaraan", "reaction"),
    ("pre test", "tests"), ("post test", "tests"), ("evaluasi pasca", "followup"),
    ("survei kepuasan masyarakat", "skm"), ("daftar pegawai", "employees"), ("anggaran", "budgets"),
)


def _hint(texts: list[str]) -> str | None:
    found = {t for txt in texts for w, t in _TITLE_HINTS if w in " ".join(txt.casefold().replace("_", " ").replace(
        "-", " ").split())}
    return found.pop() if len(found) == 1 else None


def _header_row(rows: list[list[str]], table: str | None, hints: list[str]) -> tuple[int | None, str | None]:
    """(header row, table) of one sheet. The header row: found by the table's headers (as the reader does),
    else by any table's, else the first widest row of the first rows (title rows above a header are narrower).
    The table: the file-name prefix; else a hint in the file or sheet name or the title rows ("DAFTAR HADIR");
    else the one table most of whose headers the row has (a tie: unknown)."""
    from evalkit.ingest import read as _read

    cands = [table] if table else list(RAW_TABLES)
    best: tuple[int, int, str] | None = None
    tie = False
    for t in cands:
        idx = _read._header_index(RAW_TABLES[t])
        h = _read._find_header(rows, idx)
        if h is None:
            continue
        hits = sum(bool(_read._match_header(c, idx)) for c in rows[h])
        if best is not None and (hits, -h) == (best[0], -best[1]):
            tie = True
        elif best is None or (hits, -h) > (best[0], -best[1]):
            best, tie = (hits, h, t), False
    if best is not None:
        h = best[1]
    else:
        head = rows[: _read.HEADER_SCAN_ROWS]
        widths = [sum(bool(c.strip()) for c in r) for r in head]
        if not widths or max(widths) < 2:
            return None, table
        top = max(widths)
        h = next(i for i, w in enumerate(widths) if w >= 0.8 * top and w >= 2)
    if table:
        return h, table
    hint = _hint(hints + [" ".join(r) for r in rows[:h]])
    if hint:
        return h, hint
    if best is not None and not tie:
        return h, best[2]
    scores = sorted(((sum(bool(_recognise(c, t)[0]) and _recognise(c, t)[0] not in ("ignore", "submitted_at")
                          for c in rows[h] if c.strip()), t) for t in RAW_TABLES), reverse=True)
    if scores[0][0] >= 2 and scores[0][0] > scores[1][0]:
        return h, scores[0][1]
    return h, None


@dataclass
class _Found:
    rel: str
    sheet: str
    table: str | None
    header_row: int | None
    recognised: int = 0
    guessed: list[str] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)
    to_fill: list[str] = field(default_factory=list)
    error: str | None = None
    form: bool = False


def build_codebook(folder: str | Path) -> tuple[list[dict[str, str]], list[_Found]]:
    """The rows of a first codebook for ``folder`` and what was found per file and sheet."""
    from evalkit.ingest import read as _read

    folder = Path(folder)
    out: list[dict[str, str]] = []
    found: list[_Found] = []
    placed = False  # some file (staff or programme list) gives the region of the rows
    unplaced: list[tuple[int, _Found, str]] = []  # training files without a region column: (row index, file, sheet)
    for p in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        rel = p.relative_to(folder).as_posix()
        if not p.is_file() or rel.casefold() == CODEBOOK_NAME or any(
                s.startswith((".", "~$")) for s in p.relative_to(folder).parts):
            continue
        prefix_table = table_for_file(p.name)
        try:
            sheets = _read.sheets_of(p, rel)
        except _read.DataError as e:
            found.append(_Found(rel, "", prefix_table, None, error=e.reason))
            continue
        several = len(sheets) > 1
        for sheet, rows in sheets:
            if sheet and sheet.strip().casefold() in INSTRUCTION_SHEETS:
                continue
            if not any(any(c.strip() for c in r) for r in rows):
                continue
            h, table = _header_row(rows, prefix_table, [p.stem, sheet or ""])
            sh = sheet if (sheet and several) else ""
            fd = _Found(rel, sh, table, h, form=bool(sheet) and _space(sheet) in
                        {_space(s) for s in FORM_RESPONSE_SHEETS})
            found.append(fd)
            if h is None:
                fd.error = "no header row found"
                continue
            supplied: set[str] = set()
            for cell in rows[h]:
                if not cell.strip():
                    continue
                f, guessed = _recognise(cell, table)
                out.append({"file": rel, "sheet": sh, "table": table or "", "header": cell.strip(), "field": f,
                            "scale": "", "value": ""})
                if f:
                    supplied.add(f)
                    (fd.guessed.append(f"{cell.strip()!r} -> {f}") if guessed else None)
                    fd.recognised += not guessed
                else:
                    fd.blank.append(cell.strip())
            if table:
                if "programme_title" in supplied:
                    supplied.add("programme_id")
                for f in RAW_TABLES[table].fields:
                    if f.required and f.name not in supplied:
                        out.append({"file": rel, "sheet": sh, "table": table, "header": "", "field": f.name,
                                    "scale": "", "value": ""})
                        fd.to_fill.append(f.name)
                placed |= table in ("programmes", "employees") and "region" in supplied
                if table in OPTIONAL_REGION_TABLES and "region" not in supplied:
                    unplaced.append((len(out), fd, sh))
    if not placed:  # no staff or programme list says where the training took place: ask each file's region
        for at, fd, sh in reversed(unplaced):
            out.insert(at, {"file": fd.rel, "sheet": sh, "table": fd.table or "", "header": "", "field": "region",
                            "scale": "", "value": ""})
            fd.to_fill.append("region")
    return out, found


def write_codebook(folder: str | Path, *, force: bool = False) -> tuple[Path, list[_Found]]:
    """Write ``folder/codebook.csv`` (UTF-8 with BOM, so Excel shows accents right); never overwrite it unless
    ``force``. Raises FileExistsError when it exists."""
    folder = Path(folder)
    target = folder / CODEBOOK_NAME
    if target.exists() and not force:
        raise FileExistsError(str(target))
    rows, found = build_codebook(folder)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    target.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return target, found


def describe(found: list[_Found]) -> str:
    """What ``evalkit codebook`` prints: per file and sheet, what was recognised and what needs filling."""
    lines = []
    for fd in found:
        where = fd.rel + (f" [{fd.sheet}]" if fd.sheet else "")
        if fd.error:
            lines.append(f"{where}: not in the codebook ({fd.error})")
            continue
        tab = fd.table or "table unknown: fill in `table`"
        form = ", Google Forms responses" if fd.form else ""
        lines.append(f"{where} ({tab}{form}; header on row {(fd.header_row or 0) + 1}): {fd.recognised} header(s) "
                     f"recognised")
        for g in fd.guessed:
            lines.append(f"    guessed by similarity, check: {g}")
        if fd.blank:
            lines.append("    fill in `field` (or 'ignore', or 'item' with a `scale`): "
                         + "; ".join(repr(b) for b in fd.blank))
        if fd.to_fill:
            lines.append(f"    required, no column recognised: map a header to it, or fill in `value`: "
                         f"{', '.join(fd.to_fill)}")
    n = [sum(x) for x in zip(*((fd.recognised, len(fd.guessed), len(fd.blank), len(fd.to_fill)) for fd in found),
                             strict=True)] if found else [0, 0, 0, 0]
    lines.append(f"{n[0]} header(s) recognised, {n[1]} guessed (check them), {n[2]} header(s) and {n[3]} required "
                 f"field(s) to fill in")
    return "\n".join(lines)
