"""Clean a folder of raw field files into canonical Parquet tables, with a quarantine of every rejected row.

Pipeline per canonical table (``employees`` first, so its names can be scrubbed from free text):

1. **classify** every file by its name prefix (:func:`~evalkit.ingest.spec.table_for_file`), or by
   ``raw_dir/codebook.csv`` when there is one (its rows win; see :mod:`~evalkit.ingest.codebook`: a malformed
   codebook is reported row by row and nothing is read; its rows that match nothing are warnings); files
   matching no table, hidden files aside, are reported as warnings, never silently ignored;
2. **read** (:func:`~evalkit.ingest.read.read_raw`): header found and mapped, cells kept as text, original row
   numbers kept; an unusable file (empty, header only, no header) is an error problem, and a file missing a
   required column sends all its rows to quarantine;
3. **normalise** each field by its kind (:mod:`~evalkit.ingest.normalise`); a row with any cell that cannot be
   cleaned, or an empty key / yes-no / NIP cell, goes to quarantine with every reason. Dates after ``today``
   are rejected ("date in the future"); a programme ending before it starts is rejected. An optional column a
   file lacks (``required=False`` in the spec: an attendance list without "Lulus") is missing for its rows,
   never False, and is named in one warning per file; the NIP of an anonymous questionnaire (spec
   ``anonymous``: ``reaction``) may be absent or blank: the row is kept with a missing ``person_id``;
4. **duplicates**: rows with exactly the same cleaned content as an earlier row are quarantined as
   ``"duplicate row"`` (the first is kept). Then rows that share a key but differ in content are *all*
   quarantined as ``"duplicate key with different content"``: the cleaner cannot know which version is right,
   so none is used until the field office corrects its file. Anonymous answers have no key and are never
   taken for duplicates (each row is one respondent, identified by its file and row);
5. **validate** the kept rows with the pandera schema (:mod:`~evalkit.ingest.schemas`); a failing row (a bug
   guard: the normalisers already enforce the rules) is quarantined too;
6. **pseudonymise**: NIP -> ``person_id`` (keyed HMAC, :mod:`~evalkit.ingest.pseudonym`), ``employees`` also
   gets sex, birth year and appointment year from the NIP; names are dropped; NIPs and roster names in free
   text become ``[NIP]``/``[NAMA]``. The quarantine shows a NIP as its pseudonym (or ``[disamarkan]`` if it is
   not a valid NIP) and never shows names;
7. **write** atomically and deterministically: ``<out>/<table>.parquet`` sorted by key,
   ``<out>/quarantine/<table>.parquet``, ``<out>/quarantine/problems.csv`` and ``<out>/manifest.json`` (sorted
   keys, no timestamps, no absolute paths). For every table and every file
   ``rows_read == rows_kept + rows_quarantined``.

**Questionnaire items.** The questions of the reaction and followup questionnaires (``spec.ITEM_TABLES``) are
also written in long form to ``<out>/items.parquet`` (columns: ``ingest.schemas.ITEMS_COLUMNS``): one row per
kept answer row and question the file asks, the default items (which fill the wide table as before) and the
questions a codebook maps as ``item`` with a ``scale``. Those are read like the default items: an answer that
is not 1-5 is an error that quarantines its row, a blank one is kept as missing (a warning), and they count
when rows are compared for duplicates. ``response_id`` is the row's position in the cleaned wide table. The
manifest describes the table under ``"derived"`` (answers read, kept and quarantined: questions x rows of each
file), not under ``"tables"``, whose counts are rows of raw files.

**Large files.** A CSV larger than :data:`evalkit.ingest.read.LARGE_FILE_BYTES` is read and normalised in
chunks (:func:`~evalkit.ingest.read.iter_raw`; the same steps 2-3 per chunk, file-level messages once per
file); steps 4-7 run on the whole table as usual, so duplicates are found across chunks and files. Such a
table is written as ``<out>/<table>/part-00000.parquet``, ... (:data:`PART_ROWS` rows each, in key order; the
manifest entry gets ``"parts"``), which :func:`evalkit.datasets.load` reads like the single file. The result
is the same as cleaning the file whole.

The raw folder is only read.

Examples
--------
>>> import pathlib, tempfile
>>> raw = pathlib.Path(tempfile.mkdtemp()); out = raw.parent / (raw.name + "_out")
>>> _ = (raw / "nilai_tes.csv").write_text(
...     "NIP,Kode Pelatihan,Pretest,Posttest\\n"
...     "198503172010012004,PEL-1,60,\\"80,5\\"\\n"
...     "198513172010012004,PEL-1,55,70\\n")
>>> res = clean(raw, out, key="demo")
>>> res.manifest["tables"]["tests"]["rows_kept"], res.manifest["tables"]["tests"]["rows_quarantined"]
(1, 1)
>>> print(res.report.errors[0].expected)
NIP birth date (digits 1-8) is not a real date: month 13
>>> print(res.report.warnings[0].expected)
no employee list (pegawai_*): NIPs could not be checked against it; rows kept
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import pyarrow.parquet as pq

from evalkit import __version__
from evalkit.ingest import read as _read
from evalkit.ingest.codebook import CODEBOOK_NAME, Codebook, CodebookError, load_codebook
from evalkit.ingest.normalise import EXPECTED, fill_reason_from_presensi, match_programme_title, normalise_coded
from evalkit.ingest.pseudonym import PSEUDONYM_HEX, TextScrubber, get_key, key_fingerprint, pseudonymise_many
from evalkit.ingest.read import CSV_SUFFIXES, XLSX_SUFFIXES, DataError, RawFile, read_raw
from evalkit.ingest.schemas import dtype_for, output_columns, output_key, region_dtype, schema_for, yesno_dtype
from evalkit.ingest.spec import (
    ITEM_TABLES,
    ITEMS_TABLE,
    OPTIONAL_REGION_TABLES,
    RAW_TABLES,
    ROLES_FOLLOWUP,
    Field,
    table_for_file,
)

__all__ = ["Problem", "FileSummary", "CheckReport", "CleanResult", "clean", "check", "format_problems",
           "MASK", "TABLE_ORDER"]

#: What the quarantine and the problem list show instead of a NIP that is not valid, or a name.
MASK = "[disamarkan]"
#: Tables are processed in this order (employees first: its names are scrubbed from later free text).
TABLE_ORDER: tuple[str, ...] = ("employees", *(t for t in RAW_TABLES if t != "employees"))
_SHOW = 80
#: A table with a file read in chunks (see ``ingest.read.LARGE_FILE_BYTES``) is written as
#: ``<out>/<table>/part-00000.parquet``, ... with this many rows per part.
PART_ROWS = 1_000_000
#: How a question that is no default item of its table is read (a 1-5 agreement answer, as the default items).
_ITEM_FIELD = Field("item", "likert5", ())
_UMASK = os.umask(0)
os.umask(_UMASK)


@dataclass(frozen=True)
class Problem:
    """One problem found in the raw files.

    ``row`` is the 1-based spreadsheet row (None for a whole-file or whole-column problem), ``column`` the raw
    header (None for a whole-row or whole-file problem), ``value`` the offending cell as shown (personal data
    masked), ``expected`` what was expected or what is wrong, ``severity`` ``"error"`` (the row or file is not
    used) or ``"warning"`` (used, but check it).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = "error"
    table: str | None = None


@dataclass
class FileSummary:
    """Counts for one raw file; ``rows_read == rows_kept + rows_quarantined``."""

    file: str
    table: str | None
    sha256: str
    status: str = "ok"  # ok | unusable | unmatched
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    encoding: str | None = None
    delimiter: str | None = None


@dataclass
class CheckReport:
    """All problems of a raw folder and a summary per file. ``ok`` is True when there is no error."""

    problems: list[Problem] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame (columns table, file, row, column, value, expected, severity)."""
        cols = ["table", "file", "row", "column", "value", "expected", "severity"]
        df = pd.DataFrame([asdict(p) for p in self.problems], columns=cols)
        df["row"] = df["row"].astype("Int64")
        return df


@dataclass
class CleanResult:
    """What :func:`clean` wrote: ``tables`` maps table name -> Parquet path; ``manifest`` is the manifest dict."""

    out_dir: Path
    tables: dict[str, Path]
    quarantine: dict[str, Path]
    manifest: dict[str, Any]
    report: CheckReport

    @property
    def ok(self) -> bool:
        return self.report.ok

    def summary(self) -> pd.DataFrame:
        """Rows read, kept and quarantined per table (from the manifest); a ``total`` row last.

        ``rows_read == rows_kept + rows_quarantined`` on every row.
        """
        rows = [{"table": t, "files": len(e["files"]), "rows_read": e["rows_read"], "rows_kept": e["rows_kept"],
                 "rows_quarantined": e["rows_quarantined"]} for t, e in self.manifest["tables"].items()]
        df = pd.DataFrame(rows, columns=["table", "files", "rows_read", "rows_kept", "rows_quarantined"])
        total = df.drop(columns="table").sum().to_dict()
        return pd.concat([df, pd.DataFrame([{"table": "total", **total}])], ignore_index=True)

    def reasons(self) -> pd.DataFrame:
        """Problems counted per table and reason (severity, table, reason, problems), most frequent first.

        Reasons that name a row (``duplicate row (same as ... row 147)``) or a value are folded into one.
        """
        df = self.report.to_frame()
        if df.empty:
            return pd.DataFrame(columns=["severity", "table", "reason", "problems"])
        reason = (df["expected"].astype(str).str.replace(r"\s*\(same as .*\)$", "", regex=True)
                  .str.replace(r":\s.*$", "", regex=True))
        out = (df.assign(reason=reason).groupby(["severity", "table", "reason"], dropna=False).size()
               .rename("problems").reset_index())
        return out.sort_values(["problems", "table", "reason"], ascending=[False, True, True]).reset_index(drop=True)

    def __str__(self) -> str:
        s = self.summary()
        lines = [f"{r.table:<12} {r.rows_read:>8} read {r.rows_kept:>8} kept {r.rows_quarantined:>6} quarantined"
                 for r in s.itertuples()]
        it = self.manifest.get("derived", {}).get(ITEMS_TABLE)
        if it:
            lines.append(f"{ITEMS_TABLE:<12} {it['rows_kept']:>8} answers to {it['questions']} question(s) in "
                         f"{it['scales']} scale(s) (from {', '.join(it['from'])})")
        return "\n".join([*lines, f"tables, quarantine and manifest.json in {self.out_dir}"])


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


class _Runner:
    def __init__(self, raw_dir: Path, key: bytes | None, today: _dt.date, progress: bool):
        self.raw_dir = raw_dir
        self.key = key
        self.today = today
        self.progress = progress
        self.problems: list[Problem] = []
        self.summaries: dict[str, FileSummary] = {}
        self.names: set[str] = set()
        self.scrubber = TextScrubber()
        self.results: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self.works: dict[str, _TableWork] = {}
        self.partitioned: set[str] = set()
        self._known_s = np.zeros(0, dtype=object)  # NIPs pseudonymised so far (see mask_many), distinct,
        self._known_p = np.zeros(0, dtype=object)  # their pseudonyms
        self._known: _Lookup | None = None  # and a lookup of _known_s (None: to be rebuilt)
        self._src: np.ndarray = np.zeros(0, dtype=np.int64)  # source rows of the last to_output frame
        self._empty_cells: dict[tuple[str, str, str, str], int] = {}  # (table, source, header, what) -> cells
        self.codebook: Codebook | None = None  # raw_dir/codebook.csv, when there is one (see ingest.codebook)
        self.codebook_error: CodebookError | None = None  # a malformed codebook (nothing else is read)
        self.item_parts: list[pd.DataFrame] = []  # the items of each questionnaire table, as it is finished
        self.item_counts: dict[str, dict[str, Any]] = {}  # table -> answers read/kept/quarantined, questions
        self.items: pd.DataFrame | None = None  # the items table (None: no questionnaire table was cleaned)

    # --- personal data ---------------------------------------------------------------------------------
    def mask_many(self, digits: Any, distinct: bool = False) -> np.ndarray:
        """The pseudonym of every NIP in ``digits`` (18-digit strings; None, or no key, gives :data:`MASK`), each
        distinct NIP pseudonymised once per run; ``distinct``: the elements are already distinct NIP strings (no
        None), so they need not be factorised."""
        if distinct:
            uniq = np.asarray(digits, dtype=object)
            codes = np.arange(len(uniq))
        else:
            codes, uniq = pd.factorize(np.asarray(digits, dtype=object), use_na_sentinel=True)
            uniq = np.asarray(uniq, dtype=object)
        u = np.empty(len(uniq) + 1, dtype=object)  # the last: code -1 (no valid NIP)
        u[-1] = MASK
        if self.key is None or not len(uniq):
            u[:-1] = MASK
            return u[codes]
        if self._known is None:  # (rebuilt after NIPs were added)
            self._known = _Lookup(self._known_s)
        at = self._known.index_of(uniq)
        new = np.flatnonzero(at < 0)
        if len(new):
            at[new] = len(self._known_s) + np.arange(len(new))
            self._known_s = np.concatenate([self._known_s, uniq[new]])
            fresh = np.asarray(pseudonymise_many(uniq[new].tolist(), self.key), dtype=object)
            self._known_p = np.concatenate([self._known_p, fresh])
            self._known = None
        u[:-1] = self._known_p[at]
        return u[codes]

    def problem(self, **kw: Any) -> None:
        self.problems.append(Problem(**kw))

    # --- reading ---------------------------------------------------------------------------------------
    def load_codebook(self) -> bool:
        """Load ``raw_dir/codebook.csv`` if present; a malformed one is reported row by row (False: stop)."""
        path = self.raw_dir / CODEBOOK_NAME
        if not path.is_file():
            return True
        try:
            self.codebook = load_codebook(path)
        except CodebookError as e:
            self.codebook_error = e
            for row, col, why in e.problems:
                self.problem(file=CODEBOOK_NAME, row=row, column=col, value=None,
                             expected=f"{why} (the codebook cannot be used: no file was read)")
            self.summaries[CODEBOOK_NAME] = FileSummary(CODEBOOK_NAME, None, _sha256(path), status="unusable")
            return False
        for row, col, why in self.codebook.notes:
            self.problem(file=CODEBOOK_NAME, row=row, column=col, value=None, severity="warning", expected=why)
        return True

    def report_codebook(self) -> None:
        """Codebook rows that matched no file, sheet or header (warnings, with their row number)."""
        if self.codebook is None:
            return
        for row, why in self.codebook.unmatched():
            self.problem(file=CODEBOOK_NAME, row=row, column=None, value=None, severity="warning",
                         expected=f"codebook row matches nothing: {why}")

    def run(self) -> None:
        if not self.load_codebook():
            return
        files = [p for p in _list_files(self.raw_dir) if p.relative_to(self.raw_dir).as_posix() != CODEBOOK_NAME]
        by_table: dict[str, list[Path]] = {t: [] for t in TABLE_ORDER}
        for p in files:
            rel = p.relative_to(self.raw_dir).as_posix()
            t = (self.codebook.table_for(rel) if self.codebook is not None else None) or table_for_file(p.name)
            if t is None:
                prefixes = ", ".join(sorted({x for tt in RAW_TABLES.values() for x in tt.prefixes}))
                self.problem(file=rel, row=None, column=None, value=None, severity="warning",
                             expected=f"file name matches no table, so the file is not used; raw file names must "
                                      f"start with one of: {prefixes} (or give its table in {CODEBOOK_NAME}: "
                                      f"`evalkit codebook`)")
                self.summaries[rel] = FileSummary(rel, None, _sha256(p), status="unmatched")
                continue
            if p.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES and p.suffix.lower() != ".xls":
                self.problem(file=rel, row=None, column=None, value=None, severity="warning", table=t,
                             expected=f"unsupported file type {p.suffix or '(none)'!r}, so the file is not used; "
                                      f"use .csv or .xlsx")
                self.summaries[rel] = FileSummary(rel, t, _sha256(p), status="unmatched")
                continue
            by_table[t].append(p)
        todo = [(t, p) for t in TABLE_ORDER for p in by_table[t]]
        it: Iterable[tuple[str, Path]] = todo
        if self.progress:
            from tqdm.auto import tqdm

            it = tqdm(todo, desc="cleaning", unit="file")
        current: str | None = None
        for t, p in it:
            if current is not None and t != current:
                self.finish_table(current)
            current = t
            self.works.setdefault(t, _TableWork(t))
            self.read_one(t, p)
        if current is not None:
            self.finish_table(current)
        self.report_codebook()
        if self.item_parts:
            self.items = _concat_items(self.item_parts)
            _validate_items(self.items)

    def read_whole(self, table: str, path: Path) -> None:
        rel = path.relative_to(self.raw_dir).as_posix()
        summary = FileSummary(rel, table, _sha256(path))
        self.summaries[rel] = summary
        self.works[table].files.append(summary)
        try:
            parts = read_raw(path, table, name=rel, codebook=self.codebook)
        except DataError as e:
            summary.status = "unusable"
            self.problem(file=rel, row=None, column=None, value=None, expected=e.reason, table=table)
            return
        except Exception as e:  # pragma: no cover - unexpected reader failure must not hide other files
            summary.status = "unusable"
            self.problem(file=rel, row=None, column=None, value=None, table=table,
                         expected=f"the file could not be read ({type(e).__name__}: {_show(e)})")
            return
        summary.encoding, summary.delimiter = parts[0].encoding, parts[0].delimiter
        for raw in parts:
            self.normalise_file(table, raw)
        self.flush_empty_cells()

    def read_one(self, table: str, path: Path) -> None:
        """Read and normalise one file: a large CSV chunk by chunk (the same steps per chunk)."""
        if not _read.is_large(path):
            return self.read_whole(table, path)
        from concurrent.futures import ThreadPoolExecutor

        rel = path.relative_to(self.raw_dir).as_posix()
        pool = ThreadPoolExecutor(1)  # the checksum is computed while the file is read (hashlib frees the GIL)
        sha = pool.submit(_sha256, path)
        summary = FileSummary(rel, table, "")
        self.summaries[rel] = summary
        try:
            self._read_large(table, path, rel, summary)
        finally:
            summary.sha256 = sha.result()
            pool.shutdown()
        return None

    def _read_large(self, table: str, path: Path, rel: str, summary: FileSummary) -> None:
        work = self.works[table]
        work.files.append(summary)
        work.chunked = True
        mark = (len(self.problems), len(work.chunks))

        def forget() -> None:  # the chunks already seen
            del self.problems[mark[0]:]
            del work.chunks[mark[1]:]
            self._empty_cells.clear()
            summary.status, summary.rows_read = "ok", 0
            summary.encoding = summary.delimiter = None

        for fast in (True, False):
            try:
                for raw in _read.iter_raw(path, table, name=rel, fast=fast, codebook=self.codebook):
                    summary.encoding, summary.delimiter = raw.encoding, raw.delimiter
                    self.normalise_file(table, raw)
            except _read.ReadAgain:  # not a plain file after all: the exact reader
                forget()
                continue
            except DataError as e:  # the file is unusable
                forget()
                summary.status = "unusable"
                self.problem(file=rel, row=None, column=None, value=None, expected=e.reason, table=table)
                return None
            except Exception as e:  # pragma: no cover - unexpected reader failure must not hide other files
                forget()
                summary.status = "unusable"
                self.problem(file=rel, row=None, column=None, value=None, table=table,
                             expected=f"the file could not be read ({type(e).__name__}: {_show(e)})")
                return None
            break
        self.flush_empty_cells()
        return None

    def flush_empty_cells(self) -> None:
        for (table, source, header, what), k in self._empty_cells.items():
            self.problem(file=source, row=None, column=header, value="", severity="warning", table=table,
                         expected=f"{k} empty cell(s); {what}")
        self._empty_cells.clear()

    # --- normalising -----------------------------------------------------------------------------------
    def normalise_file(self, table: str, raw: RawFile) -> None:
        spec = RAW_TABLES[table]
        n = len(raw.data)
        summary = self.summaries[raw.source.split(" [", 1)[0]]
        summary.rows_read += n
        first = raw.chunk == 0
        for w in raw.warnings:
            self.problem(file=raw.source, row=None, column=None, value=None, expected=w, severity="warning",
                         table=table)
        for col in raw.unknown_columns:
            self.problem(file=raw.source, row=None, column=col, value=None, severity="warning", table=table,
                         expected="unknown column, not used (add its name to the aliases in ingest/spec.py if "
                                  "it should be, or map it in codebook.csv: `evalkit codebook`)")
        reasons: defaultdict[int, list[str]] = defaultdict(list)
        rows = np.asarray(raw.rows, dtype=np.int64)
        self.codebook_columns(table, raw)
        notes_at = len(self.problems)
        cols: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if raw.missing_required:
            names = ", ".join(f"{f} (e.g. {spec.field(f).aliases[0]!r})" for f in raw.missing_required)
            why = f"file unusable: missing required column(s) {names}"
            summary.status = "unusable"
            if first:
                self.problem(file=raw.source, row=None, column=None, value=None, expected=why, table=table)
            for i in range(n):
                reasons[i].append(why)
        for rownum, ncells in raw.ragged_rows.items():
            i = int(np.searchsorted(rows, rownum))
            why = f"row has {ncells} cells but the header has fewer columns (a stray delimiter?)"
            reasons[i].append(why)
            self.problem(file=raw.source, row=int(rownum), column=None, value=None, expected=why, table=table)
        if table == "enrolments" and "attended" in raw.data.columns:  # presensi codes (S, I, DL...) give the reason
            raw.data["reason_absent"] = fill_reason_from_presensi(raw.data["attended"], raw.data.get("reason_absent"))
        absent = [f for f in spec.fields if f.name not in raw.data.columns and not f.required
                  and f.kind not in ("text", "id", "name", "nip", "region")]
        if first and absent:  # optional columns an office rarely keeps (an attendance list has NIP and Hadir)
            self.problem(file=raw.source, row=None, column=None, value=None, severity="warning", table=table,
                         expected="optional column(s) not in the file, unknown (missing) for its rows: "
                                  + ", ".join(f"{f.aliases[0]!r} ({f.name})" for f in absent))
        for f in spec.fields:
            anonymous_nip = spec.anonymous and f.kind == "nip"
            if f.name not in raw.data.columns:
                cols[f.name] = (np.full(n, -1, dtype=np.int32), np.array([None], dtype=object))
                if first and anonymous_nip:
                    self.problem(file=raw.source, row=None, column=None, value=None, severity="warning",
                                 table=table, expected="no NIP column: an anonymous questionnaire; its answers are "
                                                       "kept without a person_id (not linked to enrolments or "
                                                       "tests), every row counted, none taken for a duplicate")
                continue
            # every step below works on the distinct cells (``vu``, ``eu``: value and error per code)
            c = normalise_coded(raw.data[f.name], f)
            codes, vu, eu = c.codes, c.values, c.errors
            header = raw.columns.get(f.name, f.name)
            missing_u = _is_none(vu) & _is_none(eu)
            # (an optional yes/no column must still be filled where the file has it; the NIP of an anonymous
            # questionnaire may be blank)
            must = (f.name in spec.key or f.kind in ("yesno", "nip")) and not anonymous_nip
            if f.kind == "name":
                self.names.update(v for v in vu[_present(codes, len(vu))] if v is not None)
            if f.kind in ("text", "name"):  # a blank cell is missing (a cell that is not there is not counted)
                missing_u = np.array([x is not None and not str(x).strip() for x in c.cells], dtype=bool)
                vu = np.where(missing_u, None, vu)
            if f.kind == "text":
                vu = np.array([None if v is None else self.scrubber(v) for v in vu], dtype=object)
            if f.kind == "date":
                fut = np.array([v is not None and v > self.today for v in vu], dtype=bool)
                if fut.any():
                    eu = eu.copy()
                    eu[fut] = f"date in the future (after {self.today.isoformat()})"
                    vu = np.where(fut, None, vu)
            bad_u = ~_is_none(eu)
            for i in np.flatnonzero(bad_u[codes]) if bad_u.any() else ():
                why = eu[codes[i]]
                reasons[i].append(f"{header}: {why}")
                shown = MASK if f.kind in ("nip", "name") else _show(self.scrubber(str(c.cells[codes[i]])))
                self.problem(file=raw.source, row=int(rows[i]), column=header, value=shown, expected=why,
                             table=table)
            if must:
                why = "missing value (required: " + ("key column" if f.name in spec.key else EXPECTED[f.kind]) + ")"
                for i in np.flatnonzero(missing_u[codes]) if missing_u.any() else ():
                    reasons[i].append(f"{header}: {why}")
                    self.problem(file=raw.source, row=int(rows[i]), column=header, value="", expected=why,
                                 table=table)
            elif f.required:
                k = int(missing_u[codes].sum()) if missing_u.any() else 0
                if k:  # reported once per file (summed over the chunks of a large file)
                    ck = (table, raw.source, header, "kept as missing values")
                    self._empty_cells[ck] = self._empty_cells.get(ck, 0) + k
            elif anonymous_nip:
                k = int(missing_u[codes].sum()) if missing_u.any() else 0
                if k:
                    ck = (table, raw.source, header, "kept as anonymous answers (no person_id: not linked to "
                                                     "enrolments or tests)")
                    self._empty_cells[ck] = self._empty_cells.get(ck, 0) + k
            cols[f.name] = (np.asarray(codes, dtype=np.int32), np.asarray(vu, dtype=object))
        items = self.normalise_items(table, raw, rows, reasons, cols)
        # cross-field rule: a programme cannot end before it starts
        if table == "programmes":
            (ks, us), (ke, ue) = cols["start_date"], cols["end_date"]
            s_, e_ = us[ks], ue[ke]
            for i in range(n):
                if s_[i] is not None and e_[i] is not None and e_[i] < s_[i]:
                    why = "end date before start date"
                    reasons[i].append(f"{raw.columns.get('end_date', 'end_date')}: {why}")
                    self.problem(file=raw.source, row=int(rows[i]), column=raw.columns.get("end_date"),
                                 value=str(e_[i]), expected=why, table=table)
        self.cell_notes(table, raw, rows, reasons, notes_at)
        self.works[table].chunks.append(_Chunk(raw.source, rows, cols, raw.data, dict(reasons), items))

    def normalise_items(self, table: str, raw: RawFile, rows: np.ndarray, reasons: defaultdict[int, list[str]],
                        cols: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[tuple[str, str, str, str]]:
        """The questions of a questionnaire file (``raw.items``) as (key in ``cols``, scale, item, wording).
        Default items were normalised as their fields; the other questions are normalised here as the default
        items are: an answer that is not 1-5 is an error of its row, blank answers are kept as missing (one
        warning per file)."""
        out: list[tuple[str, str, str, str]] = []
        for col, (scale, item) in raw.items.items():
            header = raw.columns.get(col, col)
            out.append((col, scale, item, header))
            if col in cols:  # a default item: its field
                continue
            c = normalise_coded(raw.data[col], _ITEM_FIELD)
            codes, vu, eu = c.codes, c.values, c.errors
            bad_u = ~_is_none(eu)
            for i in np.flatnonzero(bad_u[codes]) if bad_u.any() else ():
                why = eu[codes[i]]
                reasons[i].append(f"{header}: {why}")
                self.problem(file=raw.source, row=int(rows[i]), column=header, expected=why, table=table,
                             value=_show(self.scrubber(str(c.cells[codes[i]]))))
            missing_u = _is_none(vu) & _is_none(eu)
            k = int(missing_u[codes].sum()) if missing_u.any() else 0
            if k:  # reported once per file (summed over the chunks of a large file)
                ck = (table, raw.source, header, "kept as missing values")
                self._empty_cells[ck] = self._empty_cells.get(ck, 0) + k
            cols[col] = (np.asarray(codes, dtype=np.int32), np.asarray(vu, dtype=object))
        return out

    def cell_notes(self, table: str, raw: RawFile, rows: np.ndarray, reasons: defaultdict[int, list[str]],
                   since: int) -> None:
        """The reader's notes on damaged cells (a NIP Excel rounded: what happened and how to fix the sheet) as
        errors of their rows, unless the value's own error already says it came from Excel."""
        if not raw.cell_notes:
            return
        said = {(p.row, p.column) for p in self.problems[since:] if p.file == raw.source and "Excel" in p.expected}
        for rownum, fname, why in raw.cell_notes:
            header = raw.columns.get(fname, fname)
            if (int(rownum), header) in said:
                continue
            reasons[int(np.searchsorted(rows, rownum))].append(f"{header}: {why}")
            self.problem(file=raw.source, row=int(rownum), column=header, value=MASK, expected=why, table=table)

    def codebook_columns(self, table: str, raw: RawFile) -> None:
        """Columns the reader brought from the codebook, before normalising:
        ``programme_title`` -> ``programme_id`` by the title in the programmes table
        (:func:`~evalkit.ingest.normalise.match_programme_title`: case, spacing and punctuation ignored; an
        unknown or ambiguous title leaves the code missing, so the row is quarantined as a missing key)."""
        if "programme_title" not in raw.data.columns:
            return
        header = raw.columns.get("programme_title", "programme_title")
        titles = raw.data.pop("programme_title")
        if "programme_id" in raw.data.columns:  # (the file has a code column too: the codes are used)
            return
        progs = self.results["programmes"][0] if "programmes" in self.results else \
            pd.DataFrame({"programme_id": [], "title": []}, dtype=object)
        m = match_programme_title(titles, progs)
        raw.data["programme_id"] = np.where(m.codes.isna().to_numpy(), "", m.codes.to_numpy(dtype=object))
        names = [f.name for f in RAW_TABLES[table].fields]  # (then the questions that are no field, as they were)
        raw.data = raw.data[[c for c in names if c in raw.data.columns] + [c for c in raw.data.columns
                                                                           if c not in names]]
        raw.columns["programme_id"] = header
        where = "the programmes table (pelatihan_*/diklat_*)" if len(progs) else \
            "the programmes table, which has no kept rows (add a pelatihan_* file)" if "programmes" in self.works \
            else "a programme list, and there is none (add a pelatihan_* file, or give the programme code as " \
                 "the codebook's `value`)"
        for t, n in m.unknown.items():
            self.problem(file=raw.source, row=None, column=header, value=_show(t), table=table,
                         expected=f"programme title not found in {where} ({n} row(s), quarantined); correct "
                                  f"the title or give the programme code")
        for t, codes in m.ambiguous.items():
            self.problem(file=raw.source, row=None, column=header, value=_show(t), table=table,
                         expected=f"programme title shared by {', '.join(codes)}: the title cannot say which "
                                  f"(rows quarantined); give the programme code instead")

    # --- per table -------------------------------------------------------------------------------------
    def finish_table(self, table: str) -> None:
        work = self.works[table]
        if table == "employees":
            self.scrubber = TextScrubber(sorted(self.names))
        if not work.chunks:
            return
        spec = RAW_TABLES[table]
        chunks = work.chunks
        sizes = np.array([ch.n for ch in chunks], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        n_rows = int(offsets[-1])
        sources = np.array([ch.source for ch in chunks], dtype=object)
        chunk_of = np.repeat(np.arange(len(chunks), dtype=np.int32), sizes)  # row -> its chunk
        rownums = np.concatenate([ch.rows for ch in chunks])

        def where(i: int) -> tuple[str, int]:
            return str(sources[chunk_of[i]]), int(rownums[i])

        reasons: defaultdict[int, list[str]] = defaultdict(list)
        for off, ch in zip(offsets, chunks, strict=False):
            for i, r in ch.reasons.items():
                reasons[int(off) + i].extend(r)

        def flag(i: int, why: str) -> None:  # row i of the table cannot be kept
            reasons[i].append(why)
            file, row = where(i)
            self.problem(file=file, row=row, column=None, value=None, expected=why, table=table)

        def ok_mask() -> np.ndarray:
            m = np.ones(n_rows, dtype=bool)
            m[[i for i, r in reasons.items() if r]] = False
            return m

        ok = ok_mask()
        content = [f.name for f in spec.fields if f.kind != "name"]
        # the questions that are no field of the table (a questionnaire's codebook items) count as content too
        content += list(dict.fromkeys(c for ch in chunks for c, *_ in ch.items if c not in content))
        key = list(spec.key)
        # column -> codes over the table's rows and its distinct clean values (the chunks' codes merged)
        fact = {c: _merge_coded([ch.cols[c] if c in ch.cols else _absent(ch.n) for ch in chunks]) for c in content}
        # anonymous answers (a questionnaire without NIP, spec ``anonymous``) have no key: each row is one
        # respondent, identified by its file and row, so they are never taken for duplicates
        named = fact["nip"][0] >= 0 if spec.anonymous else np.ones(n_rows, dtype=bool)
        # rows with distinct keys are distinct rows: the two checks below only run when some key repeats
        repeats = bool((ok & named).any()) and _any_repeat([fact[c][0][ok & named] for c in key])
        codes = pd.DataFrame({c: fact[c][0] for c in content}) if repeats else None
        # exact duplicates among rows that are otherwise fine (first kept)
        if repeats:
            sub = codes.loc[ok & named]
            dup = _duplicated(sub, keep="first")
            first_of: dict[tuple, int] = {}
            involved = sub[_duplicated(sub, keep=False)] if dup.any() else sub.iloc[:0]
            for i, row in zip(involved.index, map(tuple, involved.to_numpy()), strict=True):
                first_of.setdefault(row, i)
            dup_idx = sub.index[dup]
            dup_first = [first_of[tuple(r)] for r in sub.loc[dup_idx].to_numpy()]
            for i, first in zip(dup_idx, dup_first, strict=True):
                why = "duplicate row (same as {} row {})".format(*where(first))
                flag(i, why)
            ok = ok_mask()
        # same key, different content: all versions quarantined
        if repeats and (ok & named).any():
            sub = codes.loc[ok & named, key]
            conflict = _duplicated(sub, keep=False)
            if conflict.any():
                groups = sub[conflict].reset_index().groupby(key, sort=False)["index"].apply(list)
                for idxs in groups:
                    shown = "; ".join("{} row {}".format(*where(j)) for j in idxs)
                    why = f"duplicate key with different content (rows: {shown})"
                    for i in idxs:
                        flag(i, why)
            ok = ok_mask()
        del codes
        kept = self.to_output(table, np.flatnonzero(ok), fact)
        # schema validation of the kept rows (a guard: the normalisers already enforce these rules)
        import pandera.errors as pe

        try:
            # (the key codes did not repeat among the rows that were fine before the duplicate checks: the kept
            # rows, a subset, have distinct key codes)
            _validate(schema_for(table), kept, self._parts, distinct_key_codes=not repeats)
        except pe.SchemaErrors as err:
            fc = err.failure_cases
            bad = fc["index"].dropna()
            src_idx = self._src  # kept row -> row of the table
            for pos, grp in fc.dropna(subset=["index"]).groupby("index"):
                i = int(src_idx[int(pos)])
                why = "schema check failed: " + "; ".join(
                    f"{c} {chk}" for c, chk in zip(grp["column"], grp["check"], strict=True))
                flag(i, why)
            if len(bad):
                ok = ok_mask()
                kept = self.to_output(table, np.flatnonzero(ok), fact)
            else:  # a table-wide failure (columns, dtypes): a bug, not a data problem
                raise
        kept.attrs = {}
        # quarantine table: the raw cells of the quarantined rows only
        bad = ~ok
        nip = next((f.name for f in spec.fields if f.kind == "nip"), None)
        parts = []
        for off, ch in zip(offsets, chunks, strict=False):
            b = bad[off:off + ch.n]
            # (as plain text: concatenating the chunks' categorical columns would compare their categories)
            d = ch.raw.loc[b].astype(object).reset_index(drop=True)
            k, u = ch.cols[nip] if nip is not None else (np.full(ch.n, -1), np.array([None], dtype=object))
            d["_nip"] = u[k[b]]
            d["_file"] = ch.source
            d["_row"] = ch.rows[b]
            parts.append(d)
        disp = pd.concat(parts, ignore_index=True)
        disp.index = np.flatnonzero(bad)
        q = self.quarantine_display(table, disp)
        q.insert(0, "reason", ["; ".join(reasons[i]) for i in np.flatnonzero(bad)])
        q.insert(0, "row", q.pop("_row").astype("int64"))
        q.insert(0, "file", q.pop("_file"))
        q = q.sort_values(["file", "row"], kind="stable").reset_index(drop=True)
        q = q.astype({c: "str" for c in q.columns if c != "row"})
        kept_pos = np.flatnonzero(ok)
        self.check_references(table, kept_pos, fact, sources[chunk_of[kept_pos]])
        # per-file counts
        kept_per_file: defaultdict[str, int] = defaultdict(int)
        for j, k in enumerate(np.bincount(chunk_of[kept_pos], minlength=len(chunks))):
            kept_per_file[str(sources[j]).split(" [", 1)[0]] += int(k)
        for s in work.files:
            s.rows_kept = int(kept_per_file.get(s.file, 0))
            s.rows_quarantined = s.rows_read - s.rows_kept
        self.results[table] = (kept, q)
        if table in ITEM_TABLES:
            self.item_parts.append(self.items_of(table, kept, self._src, chunks, chunk_of, fact))
        if work.chunked:
            self.partitioned.add(table)
        work.chunks = []  # (the table is done: free its memory)

    def items_of(self, table: str, kept: pd.DataFrame, src: np.ndarray, chunks: list[_Chunk], chunk_of: np.ndarray,
                 fact: dict[str, tuple[np.ndarray, Any]]) -> pd.DataFrame:
        """The ``items`` rows of a cleaned questionnaire table: one per kept row (``response_id``: its position
        in ``kept``) and question of its file, in that order; ``src``: the table row of each kept row. Also
        counts the answers read, kept and quarantined per file (``self.item_counts``)."""
        out_chunk = chunk_of[src]  # the chunk of each kept row
        order = np.argsort(out_chunk, kind="stable")
        bounds = np.searchsorted(out_chunk[order], np.arange(len(chunks) + 1))
        resp, pos, desc, score = [], [], [], []
        descs: list[tuple[str, str, str]] = []
        counts = {"rows_read": 0, "rows_kept": 0, "rows_quarantined": 0}
        questions: set[tuple[str, str]] = set()
        for c, ch in enumerate(chunks):
            mine = order[bounds[c]:bounds[c + 1]]  # kept rows of this chunk, in output order
            counts["rows_read"] += ch.n * len(ch.items)
            counts["rows_kept"] += len(mine) * len(ch.items)
            for j, (col, scale, item, wording) in enumerate(ch.items):
                questions.add((scale, item))
                if not len(mine):
                    continue
                k, u = fact[col]
                as_int = np.array([-1 if v is None else int(v) for v in u] + [-1], dtype=np.int64)
                resp.append(mine)
                pos.append(np.full(len(mine), j, dtype=np.int64))
                desc.append(np.full(len(mine), len(descs), dtype=np.int64))
                descs.append((scale, item, self.scrubber(wording)))
                score.append(as_int[k[src[mine]]])
        counts["rows_quarantined"] = counts["rows_read"] - counts["rows_kept"]
        self.item_counts[table] = {**counts, "questions": len(questions),
                                   "scales": len({s for s, _ in questions})}
        def cat(a: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(a) if a else np.zeros(0, dtype=np.int64)

        resp_a, pos_a, desc_a, score_a = cat(resp), cat(pos), cat(desc), cat(score)
        by = np.lexsort((pos_a, resp_a))  # by response, then the question's place in its file
        resp_a, desc_a, score_a = resp_a[by], desc_a[by], score_a[by]
        d = np.array(descs, dtype=object).reshape(-1, 3)

        def text(a: np.ndarray) -> Any:
            return pd.array(np.asarray(a, dtype=object), dtype="str")

        roles = pd.CategoricalDtype(list(ROLES_FOLLOWUP), ordered=False)
        if "rater_role" in kept.columns:
            role = pd.Categorical(kept["rater_role"].to_numpy(dtype=object)[resp_a], dtype=roles)
        else:
            role = pd.Categorical([None] * len(resp_a), dtype=roles)
        frame = pd.DataFrame({
            "table": text(np.full(len(resp_a), table, dtype=object)),
            "response_id": resp_a.astype(np.int64),
            "programme_id": text(kept["programme_id"].to_numpy(dtype=object)[resp_a]),
            "person_id": text(kept["person_id"].to_numpy(dtype=object)[resp_a]),
            "rater_role": role,
            "scale": text(d[desc_a, 0]), "item": text(d[desc_a, 1]), "wording": text(d[desc_a, 2]),
            "score": pd.arrays.IntegerArray(np.where(score_a < 0, 0, score_a), score_a < 0),
        }, columns=[c.name for c in output_columns(ITEMS_TABLE)])
        return frame

    def check_references(self, table: str, pos: np.ndarray, fact: dict[str, tuple[np.ndarray, Any]],
                         files: np.ndarray) -> None:
        """Warn (per file, not per row) about NIPs missing from the employee files and programme codes missing
        from the programme files. The rows are kept: the roster may simply be incomplete. Without an employee
        (or programme) list at all, one warning per file says that nothing could be checked. ``pos``: the kept
        rows; ``fact``: column -> (codes, distinct values); ``files``: the file of each kept row."""

        def values_of(col: str) -> _Lookup:  # the distinct values of the kept rows (not missing ones)
            k, u = fact[col]
            return _Lookup(np.asarray(u, dtype=object)[np.flatnonzero(_present(k[pos], len(u) + 1)[:-1])])

        if table == "employees":
            self.roster = values_of("nip")
            return
        if table == "programmes":
            self.programme_ids = values_of("programme_id")
            return
        for col, table_, what, where in (("nip", "employees", "NIPs", "no employee list (pegawai_*)"),
                                         ("programme_id", "programmes", "programme codes",
                                          "no programme list (pelatihan_*/diklat_*)")):
            has = fact[col][0][pos] >= 0 if col in fact else np.zeros(0, dtype=bool)
            if not has.any():
                continue
            if table_ not in self.works:  # no such file at all: the rows are kept, unchecked
                why = f"{where}: {what} could not be checked against it; rows kept"
            elif not len(getattr(self, "roster" if col == "nip" else "programme_ids", ())):
                why = f"the {table_} table has no kept rows: {what} could not be checked against it; rows kept"
            else:
                continue
            for f in sorted({str(x).split(" [", 1)[0] for x in files[has]}):
                self.problem(file=f, row=None, column=None, value=None, severity="warning", table=table,
                             expected=why)
        checks = []
        if "nip" in fact and len(getattr(self, "roster", ())):
            checks.append(("nip", self.roster, "NIP", "the employee files (pegawai_*)"))
        if "programme_id" in fact and len(getattr(self, "programme_ids", ())):
            checks.append(("programme_id", self.programme_ids, "programme code", "the programme files "
                                                                                  "(pelatihan_*/diklat_*)"))
        for col, known, what, where in checks:
            k, u = fact[col]
            unknown_u = np.append(known.index_of(u) < 0, True)  # last: code -1 (missing)
            unknown = unknown_u[k[pos]]
            if not unknown.any():
                continue
            for f, n in pd.Series(files[unknown]).value_counts().sort_index().items():
                self.problem(file=f, row=None, column=None, value=None, severity="warning", table=table,
                             expected=f"{n} row(s) with a {what} that is not in {where}; kept")

    def quarantine_display(self, table: str, d: pd.DataFrame) -> pd.DataFrame:
        """Raw cells of quarantined rows: NIP -> pseudonym (or the mask), names dropped, free text scrubbed."""
        spec = RAW_TABLES[table]
        out: dict[str, Any] = {"_file": d["_file"].to_numpy(dtype=object), "_row": d["_row"].to_numpy()}
        n = len(d)
        for f in spec.fields:
            if f.kind == "name":
                continue
            if f.kind == "nip":
                out["person_id"] = self.mask_many(d["_nip"])
                continue
            col = d[f.name].to_numpy(dtype=object) if f.name in d.columns else np.array([""] * n, dtype=object)
            if f.kind == "text":
                col = np.array([self.scrubber(str(c)) for c in col], dtype=object)
            out[f.name] = np.array(["" if c is None else str(c) for c in col], dtype=object)
        return pd.DataFrame(out, index=d.index)

    def to_output(self, table: str, pos: np.ndarray, fact: dict[str, tuple[np.ndarray, Any]]) -> pd.DataFrame:
        """The canonical frame of the kept rows ``pos`` (positions in the table), sorted by key. ``fact``
        (column -> codes over the table's rows and the distinct values) lets each distinct value be converted
        once. A big table's key order is found from the codes first, so each column is built in order."""
        spec = RAW_TABLES[table]
        cols = output_columns(table)
        nip_field = next((f.name for f in spec.fields if f.kind == "nip"), None)
        masked = None
        if nip_field is not None:
            u = np.asarray(fact[nip_field][1], dtype=object)
            masked = self.mask_many(u, distinct=True)
        keys = output_key(table)
        order = None
        if len(pos) > 100_000:  # text keys: ranks of the distinct values, one stable sort of the codes
            key_codes = []
            for name in keys:
                k, u = fact[nip_field if name == "person_id" else name]
                is_str = name == "person_id" or dtype_for(next(c for c in cols if c.name == name)) == "str"
                key_codes.append((k[pos], masked if name == "person_id" else u) if is_str else None)
            order = _str_key_order(key_codes)
            if order is not None:
                pos = pos[order]

        def coded(name: str) -> tuple[np.ndarray, np.ndarray]:
            k, u = fact[name]
            return k[pos], np.asarray(u, dtype=object)

        # each output column as (codes of the kept rows, its distinct values in the column's dtype: the frame's
        # column is values[codes], so each distinct value is converted once)
        parts: dict[str, tuple[np.ndarray, Any]] = {}
        for c in cols:
            if c.kind == "pseudonym":
                k, _ = coded(nip_field)
                parts["person_id"] = k, _cast_distinct(k, masked, "str")
                continue
            if c.name in ("sex", "birth_year", "appointment_year"):
                if c.name == "sex":
                    # kept NIPs are valid 18-digit strings (parse_nip): the parts are read from the digits
                    k, u = coded("nip")
                    d = np.asarray(u.astype("S18")).view(np.uint8).reshape(-1, 18).astype(np.int64) - 48
                    parts["sex"] = k, _cast_distinct(k, np.where(d[:, 14] == 1, "L", "P").astype(object),
                                                     dtype_for(c))
                    parts["birth_year"] = k, d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
                    parts["appointment_year"] = k, d[:, 8] * 1000 + d[:, 9] * 100 + d[:, 10] * 10 + d[:, 11]
                continue
            k, u = coded(c.name)
            if c.kind == "region":
                dtype = region_dtype(u)
            elif c.kind == "yesno":  # bool, or boolean when an optional column has a missing value
                dtype = yesno_dtype(c, bool(len(k)) and bool((k < 0).any()))
            else:
                dtype = dtype_for(c)
            parts[c.name] = k, _cast_distinct(k, u, dtype)
        if order is None and len(pos):  # a small table (or keys that are not all text): pandas sorts the keys
            by = pd.DataFrame({name: parts[name][1][parts[name][0]] for name in keys})
            order = by.sort_values(keys, kind="stable").index.to_numpy()
            pos = pos[order]
            parts = {name: (k[order], v) for name, (k, v) in parts.items()}
        if table in OPTIONAL_REGION_TABLES and "region" in parts and not (parts["region"][0] >= 0).any():
            del parts["region"]  # no file gave the region: the programme list (or staff list) places the rows
            cols = [c for c in cols if c.name != "region"]
        frame = pd.DataFrame({name: v[k] for name, (k, v) in parts.items()}, columns=[c.name for c in cols])
        self._src = pos  # kept row -> row of the table
        self._parts = parts  # column -> (codes of the rows of the frame, distinct values); for validate()
        return frame


#: pandera's built-in checks that test each value on its own: testing each distinct value once is the same test.
_ELEMENTWISE = frozenset({"in_range", "greater_than", "greater_than_or_equal_to", "less_than",
                          "less_than_or_equal_to", "equal_to", "not_equal_to", "isin", "notin", "str_matches",
                          "str_contains", "str_startswith", "str_endswith", "str_length"})


def _validate(schema: Any, frame: pd.DataFrame, parts: dict[str, tuple[np.ndarray, Any]],
              distinct_key_codes: bool = False) -> None:
    """``schema.validate(frame, lazy=True)``, done on each column's distinct values when that is the same test.

    ``parts``: column -> (codes, distinct values) with ``frame[column] == values[codes]``, as
    :meth:`_Runner.to_output` builds the frame. When every check of the schema tests values one at a time
    (:data:`_ELEMENTWISE`), pandera validates a small frame holding each column's distinct values (columns,
    order, dtypes, missing values and every check, as on the full frame), and the unique key is checked on the
    codes (``distinct_key_codes``: the caller knows the key codes of the rows are distinct). Only if that does
    not pass (or cannot be used) is the full frame validated, so a failure is always reported by pandera, row
    by row, exactly as before.
    """
    if not _passes_on_distinct(schema, frame, parts, distinct_key_codes):
        schema.validate(frame, lazy=True)


def _passes_on_distinct(schema: Any, frame: pd.DataFrame, parts: dict[str, tuple[np.ndarray, Any]],
                        distinct_key_codes: bool = False) -> bool:
    """True if ``frame`` passes ``schema`` for sure (see :func:`_validate`); False: not known this way."""
    import copy

    import pandera.errors as pe

    if not len(frame) or schema.checks or list(frame.columns) != list(parts):
        return False
    for col in schema.columns.values():
        if col.unique or col.regex or any(c.name not in _ELEMENTWISE for c in col.checks):
            return False
    used = {name: v[np.flatnonzero(_present(k, len(v)))] for name, (k, v) in parts.items()}
    lite = copy.deepcopy(schema)
    lite.unique = None
    try:  # the frame's layout (columns, order, dtypes) on its first distinct values, then each column's checks
        lite.validate(pd.DataFrame({name: x[:1] for name, x in used.items()}), lazy=True)  # on all its values
        for name, x in used.items():
            if len(x) > 1:
                schema.columns[name].validate(pd.DataFrame({name: x}), lazy=True)
    except (pe.SchemaErrors, pe.SchemaError):
        return False
    key = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
    if key:  # equal codes <=> equal values, if the key columns' values used are distinct
        if any(_has_repeats(used[c]) for c in key):
            return False
        if not distinct_key_codes and _any_repeat([parts[c][0] for c in key]):
            return False
    return True


def _absent(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The coded column of ``n`` rows a file does not have (every value missing)."""
    return np.full(n, -1, dtype=np.int32), np.array([None], dtype=object)


def _concat_items(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The items of the questionnaire tables, one after the other (in :data:`TABLE_ORDER`)."""
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    roles = pd.CategoricalDtype(list(ROLES_FOLLOWUP), ordered=False)
    return out.astype({"rater_role": roles})


def _validate_items(items: pd.DataFrame) -> None:
    """The items table against its schema (a guard: its values come from validated tables)."""
    schema_for(ITEMS_TABLE).validate(items, lazy=True)


def _is_none(a: np.ndarray) -> np.ndarray:
    """Elementwise ``x is None`` of an object array (of clean values or error messages)."""
    a = np.asarray(a, dtype=object)
    try:  # ``== None`` in C (None is the only value equal to None among text, numbers and dates; NaN is not),
        eq = np.equal(a, None)  # checked: what it finds must be missing to pandas too (None is, NaN can't be)
        if eq.dtype == bool and bool(pd.isna(a[eq]).all()):
            return eq
    except (TypeError, ValueError):  # an object that does not compare plainly (pd.NA)
        pass
    return np.fromiter((x is None for x in a), dtype=bool, count=len(a))


def _present(codes: np.ndarray, n: int) -> np.ndarray:
    """Which of ``n`` codes occur in ``codes`` (code -1 is the last one)."""
    seen = np.zeros(n, dtype=bool)
    seen[codes] = True
    return seen


def _factorize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(a, use_na_sentinel=True)`` of an object array; digit strings of one length (NIPs) are
    factorised by their int64 values (the same codes and values: both in order of first appearance)."""
    if len(a) > 10_000:
        present = np.flatnonzero(~pd.isna(a))
        ints = _digits_int64(a[present])
        if ints is not None:
            g_p, _ = pd.factorize(ints)
            first = np.empty(int(g_p.max()) + 1 if len(g_p) else 0, dtype=np.int64)
            first[g_p[::-1]] = np.arange(len(g_p) - 1, -1, -1)  # (the last write wins: each code's first row)
            g = np.full(len(a), -1, dtype=np.intp)
            g[present] = g_p
            return g, a[present][first]
    return pd.factorize(a, use_na_sentinel=True)


def _merge_coded(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """One column from its chunks' (codes, value per code, the last None for -1): the codes over all rows into
    the distinct non-missing values (-1 = missing; int32 codes, as in the chunks, unless there are too many
    values) and those values, as ``pd.factorize`` of the whole column gives them (up to the order of the
    values)."""
    allu = np.concatenate([u for _, u in parts]) if len(parts) > 1 else parts[0][1]
    g, uniq = _factorize(np.asarray(allu, dtype=object))
    out = np.empty(sum(len(k) for k, _ in parts), dtype=np.int32 if len(uniq) < 2**31 - 1 else np.int64)
    off = off_u = 0
    for k, u in parts:
        out[off:off + len(k)] = g[off_u:off_u + len(u)][k]
        off, off_u = off + len(k), off_u + len(u)
    return out, np.asarray(uniq, dtype=object)


def _str_key_order(coded: list[tuple[np.ndarray, np.ndarray] | None]) -> np.ndarray | None:
    """The stable order of ``sort_values(keys, kind="stable")`` for keys that are all non-missing text, from
    their factorize codes (each distinct value ranked once); None when a key is not such a column."""
    ranks = []
    for item in coded:
        if item is None:
            return None
        k, u = item
        if len(k) and (k < 0).any():
            return None
        by = _text_order(np.asarray(u, dtype=object))
        if by is None:
            return None
        r = np.empty(len(u), dtype=np.int64)
        r[by] = np.arange(len(u))
        ranks.append((r[k], len(u)))
    span = float(np.prod([float(m) for _, m in ranks]))
    if span < 2**62:  # one integer key (mixed radix, exact; int32 if it fits, which sorts faster): a stable sort
        dt = np.int32 if span < 2**31 else np.int64  # of it is the lexicographic order, and it is fast on rows
        combined = np.zeros(len(ranks[0][0]), dtype=dt)  # that are (nearly) in key order already, as files
        for r, m in ranks:  # often are
            combined = combined * dt(m) + r.astype(dt, copy=False)
        return np.argsort(combined, kind="stable")
    return np.lexsort([r for r, _ in ranks][::-1])


def _ascii_bytes(u: Any) -> np.ndarray | None:
    """Text (every element a str, all ASCII) as a numpy bytes array (``S<width>``, shorter strings padded with
    NUL bytes, which numpy drops when comparing); None if ``u`` is anything else."""
    u = np.asarray(u, dtype=object)
    if pd.api.types.infer_dtype(u, skipna=False) != "string":
        return None
    try:
        return u.astype("S")
    except UnicodeEncodeError:
        return None


def _digits_int64(u: np.ndarray) -> np.ndarray | None:
    """Strings of 1-18 ASCII digits (all of one length, as NIPs are) -> their int64 values, an exact stand-in
    for the strings when looking them up; None if ``u`` is anything else."""
    b = _ascii_bytes(u) if len(u) else None
    if b is None:
        return None
    w = b.dtype.itemsize
    if w > 18:
        return None
    d = b.view(np.uint8).reshape(-1, w) - np.uint8(48)  # (a byte below "0" wraps around to above 9)
    if (d > 9).any():  # (also a shorter string: numpy pads it with NUL bytes)
        return None
    x = np.zeros(len(b), dtype=np.int64)
    for j in range(w):
        x = x * 10 + d[:, j]
    return x


class _Lookup:
    """Distinct strings to look values up in: as text, and as int64 values when they are digit strings of one
    length (NIPs), which pandas looks up far faster than text."""

    def __init__(self, values: np.ndarray):
        self.text = pd.Index(np.asarray(values, dtype=object), dtype=object)
        ints = _digits_int64(np.asarray(values, dtype=object))
        self.ints = pd.Index(ints) if ints is not None else None
        self.width = len(values[0]) if ints is not None else 0

    def __len__(self) -> int:
        return len(self.text)

    def index_of(self, u: np.ndarray) -> np.ndarray:
        """``self.text.get_indexer(u)`` (-1: not there) for distinct strings ``u``."""
        u = np.asarray(u, dtype=object)
        if not len(self.text) or not len(u):
            return np.full(len(u), -1, dtype=np.intp)
        if self.ints is not None and isinstance(u[0], str) and len(u[0]) == self.width:
            b = _digits_int64(u)
            if b is not None:
                return self.ints.get_indexer(b)
        return self.text.get_indexer(u)


_HEX = np.full(256, 255, dtype=np.uint8)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def _pseudonym_ints(b: np.ndarray) -> np.ndarray | None:
    """Pseudonyms as bytes (``numpy`` ``S17``: ``P`` and 16 lowercase hex digits) -> the 64-bit numbers they
    spell, which order and tell them apart as the text does; None if ``b`` holds anything else."""
    if b.dtype.kind != "S" or b.dtype.itemsize != 1 + PSEUDONYM_HEX or PSEUDONYM_HEX != 16 or not len(b):
        return None
    m = b.view(np.uint8).reshape(-1, 17)
    nib = _HEX[m[:, 1:]]
    if not ((m[:, 0] == ord("P")).all() and (nib < 16).all()):
        return None
    packed = np.ascontiguousarray((nib[:, 0::2] << 4) | nib[:, 1::2])  # two hex digits a byte, first digit first
    return packed.view(">u8").reshape(-1).astype(np.uint64)


def _has_repeats(values: Any) -> bool:
    """Whether ``values`` (a column's distinct values, in its dtype) hold two equal values (or two missing);
    pseudonyms are compared as the numbers they spell (much faster than hashing the text)."""
    if isinstance(values, pd.api.extensions.ExtensionArray) and pd.api.types.is_string_dtype(values.dtype) \
            and not values.isna().any():
        b = _ascii_bytes(values)
        x = _pseudonym_ints(b) if b is not None else None
        if x is not None:
            return bool(pd.Series(x).duplicated().any())
    return bool(pd.Series(values).duplicated().any())


def _text_order(u: np.ndarray) -> np.ndarray | None:
    """The order that sorts ``u`` (distinct strings) by code point, as Python compares text; None if an
    element is not a string. ASCII text is sorted as bytes by numpy (the same order), pseudonyms (``P`` and
    16 lowercase hex digits, whose order is that of the 64-bit number they spell) as integers; other text by
    Arrow."""
    b = _ascii_bytes(u)  # (numpy drops trailing NUL bytes: two such values would tie, so ties are checked)
    x = _pseudonym_ints(b) if b is not None else None
    if x is not None:
        return np.argsort(x, kind="stable")  # (distinct strings: distinct numbers)
    if b is not None:
        by = np.argsort(b, kind="stable")
        sb = b[by]
        if not len(sb) or not (sb[1:] == sb[:-1]).any():
            return by
    try:  # Arrow sorts text by code point too
        arr = pa_arrow.array(u, type=pa_arrow.string())
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowTypeError):
        return None
    if arr.null_count:
        return None
    import pyarrow.compute as pc

    return pc.sort_indices(arr).to_numpy()


def _any_repeat(codes: list[np.ndarray]) -> bool:
    """Whether two rows have the same codes (factorize codes >= -1, one array per column): each row's codes
    folded into one integer (mixed radix, exact) and counted, when there are not many more possible integers
    than rows; otherwise as :func:`_duplicated` finds it."""
    n = len(codes[0])
    radix = [int(c.max()) + 2 if len(c) else 1 for c in codes]
    if n and float(np.prod([float(r) for r in radix])) <= max(4 * n, 1 << 20):
        ids = np.zeros(n, dtype=np.int64)
        for c, r in zip(codes, radix, strict=True):
            ids = ids * r + (c.astype(np.int64) + 1)
        return bool((np.bincount(ids) > 1).any())
    return bool(n) and bool(_duplicated(pd.DataFrame(dict(enumerate(codes))), keep="first").any())


def _duplicated(codes: pd.DataFrame, keep: Any) -> np.ndarray:
    """``codes.duplicated(keep=keep)`` as a boolean array, for a frame of factorize codes (>= -1): the codes of
    a row are folded into one int64 (mixed radix, exact) when they fit, which is much faster on big tables."""
    a = codes.to_numpy()
    if a.ndim != 2 or not a.size or a.dtype.kind not in "iu":
        return codes.duplicated(keep=keep).to_numpy()
    radix = [int(a[:, j].max()) + 2 for j in range(a.shape[1])]
    if int(np.prod([float(r) for r in radix])) >= 2**62:  # would overflow: pandas does it
        return codes.duplicated(keep=keep).to_numpy()
    ids = np.zeros(len(a), dtype=np.int64)
    for j, r in enumerate(radix):
        ids = ids * r + (a[:, j].astype(np.int64) + 1)
    return pd.Series(ids).duplicated(keep=keep).to_numpy()


def _cast_distinct(k: np.ndarray, u: np.ndarray, dtype: Any) -> Any:
    """The distinct clean values ``u`` that codes ``k`` point into (-1 = missing), in ``dtype``, plus a missing
    value last when some code is -1 (so ``values[k]`` is the column)."""
    if len(k) and (k < 0).any():
        ue = np.empty(len(u) + 1, dtype=object)
        ue[: len(u)] = u
        ue[-1] = None
        return _cast(ue, dtype)
    return _cast(np.asarray(u, dtype=object), dtype)


def _cast(a: np.ndarray, dtype: Any) -> Any:
    """Object array of clean values (None = missing) -> an array of the canonical dtype."""
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(a, dtype=dtype)
    if dtype == "datetime64[ns]":
        codes, uniq = pd.factorize(a, use_na_sentinel=True)
        u = np.array([np.datetime64(x, "ns") for x in uniq] + [np.datetime64("NaT", "ns")], dtype="datetime64[ns]")
        return u[codes]
    if dtype == "Int64":
        return pd.array(a, dtype="Int64")
    if dtype == "float64":
        codes, uniq = pd.factorize(a, use_na_sentinel=True)
        u = np.array([*uniq, np.nan], dtype="float64") if len(uniq) else np.array([np.nan])
        return u[codes]
    if dtype == "bool":
        return a.astype(bool)
    if dtype == "boolean":
        return pd.array(a, dtype="boolean")
    if dtype == "int64":
        return a.astype("int64")
    return pd.array(a, dtype="str")


# ---------------------------------------------------------------------------------------------- writing


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    table = pa_arrow.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_statistics=True)
    return buf.getvalue()


def _write_parts(folder: Path, df: pd.DataFrame) -> Path:
    """``folder/part-00000.parquet``, ... (:data:`PART_ROWS` rows each, in key order), replacing the folder."""
    import shutil

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        n = max(1, -(-len(df) // PART_ROWS))

        def write(k: int) -> None:
            part = df.iloc[k * PART_ROWS:(k + 1) * PART_ROWS]
            _atomic_write_bytes(tmp / f"part-{k:05d}.parquet", _parquet_bytes(part.reset_index(drop=True)))

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(n, os.cpu_count() or 1, 4)) as pool:  # Arrow encodes and compresses
            list(pool.map(write, range(n)))  # without the GIL: parts are written side by side
        os.chmod(tmp, 0o777 & ~_UMASK)
        _remove_parts(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _remove_parts(folder: Path) -> None:
    """Remove a partitioned table written by an earlier run (only its ``part-*.parquet`` files)."""
    if not folder.is_dir():
        return
    for f in folder.glob("part-*.parquet"):
        f.unlink()
    try:
        folder.rmdir()
    except OSError:  # something else in it: leave it
        pass


def _resolve(p: str | os.PathLike[str]) -> Path:
    return Path(p).expanduser().resolve()


def _run(raw_dir: Path, key: bytes | None, today: _dt.date | None, progress: bool) -> _Runner:
    if not raw_dir.is_dir():
        raise DataError(str(raw_dir.name), "the raw data folder does not exist")
    runner = _Runner(raw_dir, key, today or _dt.date.today(), progress)
    runner.run()
    return runner


def _report(runner: _Runner) -> CheckReport:
    order = {"error": 0, "warning": 1}
    problems = sorted(runner.problems, key=lambda p: (p.file, p.row if p.row is not None else -1,
                                                      p.column or "", order.get(p.severity, 2), p.expected))
    files = sorted(runner.summaries.values(), key=lambda s: s.file)
    return CheckReport(problems=problems, files=files)


def check(raw_dir: str | os.PathLike[str], *, today: _dt.date | None = None) -> CheckReport:
    """Check a folder of raw field files without writing anything.

    Every problem the cleaner would meet is listed (file, 1-based row, column, value, what was expected,
    severity). NIPs and names are never shown. A user's data mistake never raises.

    Parameters
    ----------
    raw_dir : path-like
        The folder with the field files.
    today : datetime.date, optional
        Dates after this are errors (default: today).

    Returns
    -------
    CheckReport
        ``.ok`` is False when any error was found; print it with :func:`format_problems`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> raw = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (raw / "pegawai.csv").write_text("")
    >>> rep = check(raw)
    >>> rep.ok, rep.problems[0].expected
    (False, 'the file is empty')
    """
    import secrets

    runner = _run(_resolve(raw_dir), secrets.token_bytes(32), today, False)  # throwaway key: nothing is written
    return _report(runner)


def clean(raw_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, key: str | bytes | None = None,
          progress: bool = False, today: _dt.date | None = None) -> CleanResult:
    """Clean every raw field file in ``raw_dir`` into canonical tables in ``out_dir``.

    Parameters
    ----------
    raw_dir : path-like
        Folder of field files (CSV/XLSX named by table prefix, see ``ingest.spec``). Only read.
    out_dir : path-like
        Where ``<table>.parquet``, ``quarantine/`` and ``manifest.json`` are written; must not lie inside
        ``raw_dir``.
    key : str or bytes, optional
        Pseudonymisation key; default ``$EVALKIT_KEY`` or the key file (created on first use), see
        :func:`evalkit.ingest.pseudonym.get_key`.
    progress : bool
        Show a progress bar over files.
    today : datetime.date, optional
        Dates after this are rejected (default: today). Pass a fixed date for a reproducible run.

    Returns
    -------
    CleanResult

    Notes
    -----
    Same input files + same key (+ same ``today`` when dates are near it) give byte-identical outputs.
    Tables with no input file are not written (and a stale copy from an earlier run is removed).
    """
    raw = _resolve(raw_dir)
    out = _resolve(out_dir)
    if out == raw or raw in out.parents:
        raise ValueError("out_dir must not be the raw folder or inside it: the raw folder is never written")
    k = get_key(key)
    runner = _run(raw, k, today, progress)
    if runner.codebook_error is not None:  # nothing is written: the outputs of an earlier run stay as they were
        raise runner.codebook_error
    report = _report(runner)
    qdir = out / "quarantine"
    tables: dict[str, Path] = {}
    quarantine: dict[str, Path] = {}
    for t in TABLE_ORDER:
        path, qpath = out / f"{t}.parquet", qdir / f"{t}.parquet"
        if t not in runner.results:
            for stale in (path, qpath):
                stale.unlink(missing_ok=True)
            _remove_parts(out / t)
            continue
        kept, q = runner.results[t]
        if t in runner.partitioned:
            tables[t] = _write_parts(out / t, kept)
            path.unlink(missing_ok=True)
        else:
            _atomic_write_bytes(path, _parquet_bytes(kept))
            _remove_parts(out / t)
            tables[t] = path
        _atomic_write_bytes(qpath, _parquet_bytes(q))
        quarantine[t] = qpath
    ipath = out / f"{ITEMS_TABLE}.parquet"
    if runner.items is None:
        ipath.unlink(missing_ok=True)
    else:
        _atomic_write_bytes(ipath, _parquet_bytes(runner.items))
        tables[ITEMS_TABLE] = ipath
    pdf = report.to_frame()
    _atomic_write_bytes(qdir / "problems.csv", pdf.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    manifest = _manifest(runner, report, k)
    _atomic_write_bytes(out / "manifest.json",
                        (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return CleanResult(out_dir=out, tables=tables, quarantine=quarantine, manifest=manifest, report=report)


def _manifest(runner: _Runner, report: CheckReport, key: bytes) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for t in TABLE_ORDER:
        files = [s for s in report.files if s.table == t and s.status != "unmatched"]
        if not files:
            continue
        entry = {
            "rows_read": sum(s.rows_read for s in files),
            "rows_kept": sum(s.rows_kept for s in files),
            "rows_quarantined": sum(s.rows_quarantined for s in files),
            "files": [{"file": s.file, "sha256": s.sha256, "status": s.status, "rows_read": s.rows_read,
                       "rows_kept": s.rows_kept, "rows_quarantined": s.rows_quarantined, "encoding": s.encoding,
                       "delimiter": s.delimiter} for s in files],
        }
        if t in runner.results:
            entry["columns"] = list(runner.results[t][0].columns)
            if t in runner.partitioned:
                entry["parts"] = max(1, -(-len(runner.results[t][0]) // PART_ROWS))
        tables[t] = entry
    derived: dict[str, Any] = {}
    if runner.items is not None:
        it = runner.items
        from_ = [t for t in TABLE_ORDER if t in runner.item_counts]
        derived[ITEMS_TABLE] = {
            "from": from_,
            "columns": list(it.columns),
            **{c: sum(runner.item_counts[t][c] for t in from_) for c in ("rows_read", "rows_kept",
                                                                          "rows_quarantined")},
            "questions": int(len(it[["table", "scale", "item"]].drop_duplicates())) if len(it) else 0,
            "scales": int(len(it[["table", "scale"]].drop_duplicates())) if len(it) else 0,
            "per_table": {t: runner.item_counts[t] for t in from_},
            "note": "rows_read/kept/quarantined count answers (questions x rows of each file); rows_kept is the "
                    "number of rows of items.parquet",
        }
    return {
        "evalkit_version": __version__,
        "key_fingerprint": key_fingerprint(key),
        "tables": tables,
        "derived": derived,
        "unused_files": [{"file": s.file, "sha256": s.sha256} for s in report.files if s.status == "unmatched"],
        "problems": {"errors": len(report.errors), "warnings": len(report.warnings)},
    }


# ---------------------------------------------------------------------------------------------- printing


def format_problems(report: CheckReport, *, max_problems: int = 200, warnings: bool = True) -> str:
    """A readable table of problems followed by one summary line per file.

    ``warnings=False`` lists only the errors (the per-file counts still include the warnings).

    Examples
    --------
    >>> rep = CheckReport([Problem("pegawai.csv", 3, "NIP", "[disamarkan]", "NIP must have 18 digits, got 17")],
    ...                   [FileSummary("pegawai.csv", "employees", "0", rows_read=2, rows_kept=1, rows_quarantined=1)])
    >>> print(format_problems(rep))  # doctest: +NORMALIZE_WHITESPACE
    severity  file         row  column  value         problem
    error     pegawai.csv  3    NIP     [disamarkan]  NIP must have 18 digits, got 17
    <BLANKLINE>
    pegawai.csv (employees): 2 rows read, 1 kept, 1 quarantined; 1 error, 0 warnings
    1 error, 0 warnings in 1 file
    """
    def cut(s: object, n: int) -> str:
        s = "" if s is None else str(s).replace("\n", " ")
        return s if len(s) <= n else s[: n - 3] + "..."

    head = ("severity", "file", "row", "column", "value", "problem")
    shown = report.problems if warnings else report.errors
    rows = [(p.severity, cut(p.file, 40), "" if p.row is None else str(p.row), cut(p.column, 30), cut(p.value, 30),
             cut(p.expected, 120)) for p in shown[:max_problems]]
    lines: list[str] = []
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths[:-1]) + "  {}"
        lines.append(fmt.format(*head).rstrip())
        lines += [fmt.format(*r).rstrip() for r in rows]
        if len(shown) > max_problems:
            lines.append(f"... and {len(shown) - max_problems} more problems")
        lines.append("")
    else:
        lines.append("no problems found")
        lines.append("")
    per_file: dict[str, list[int]] = {}
    for p in report.problems:
        base = p.file.split(" [", 1)[0]
        c = per_file.setdefault(base, [0, 0])
        c[0 if p.severity == "error" else 1] += 1

    def plural(n: int, w: str) -> str:
        return f"{n} {w}" if n == 1 else f"{n} {w}s"

    for s in report.files:
        e, w = per_file.get(s.file, [0, 0])
        if s.status == "unmatched":
            lines.append(f"{s.file}: not used; {plural(e, 'error')}, {plural(w, 'warning')}")
        elif s.status == "unusable" and s.rows_read == 0:
            lines.append(f"{s.file} ({s.table}): UNUSABLE; {plural(e, 'error')}, {plural(w, 'warning')}")
        else:
            lines.append(f"{s.file} ({s.table}): {plural(s.rows_read, 'row')} read, {s.rows_kept} kept, "
                         f"{s.rows_quarantined} quarantined; {plural(e, 'error')}, {plural(w, 'warning')}")
    ne, nw = len(report.errors), len(report.warnings)
    lines.append(f"{plural(ne, 'error')}, {plural(nw, 'warning')} in {plural(len(report.files), 'file')}")
    return "\n".join(lines)
