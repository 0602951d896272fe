"""The run over a raw folder: classify the files, then read, normalise and finish each table in order.

:class:`_Runner` holds the state of one run (problems, file summaries, the names to scrub, the pseudonym
cache, the finished tables). Its steps live in two mixins: reading and normalising each file
(:mod:`~evalkit.ingest.clean.reading`) and finishing each table (:mod:`~evalkit.ingest.clean.tables`:
duplicates, validation, pseudonyms, quarantine, items).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit.ingest.clean._common import MASK, TABLE_ORDER, _list_files, _sha256, _TableWork
from evalkit.ingest.clean.coded import _Lookup
from evalkit.ingest.clean.reading import _ReadMixin
from evalkit.ingest.clean.results import FileSummary, Problem
from evalkit.ingest.clean.tables import _TableMixin
from evalkit.ingest.clean.validate import _validate_items
from evalkit.ingest.codebook import CODEBOOK_NAME, Codebook, CodebookError, load_codebook
from evalkit.ingest.pseudonym import TextScrubber, pseudonymise_many
from evalkit.ingest.read import CSV_SUFFIXES, XLSX_SUFFIXES
from evalkit.ingest.spec import RAW_TABLES, ROLES_FOLLOWUP, table_for_file


class _Runner(_ReadMixin, _TableMixin):
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


def _concat_items(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The items of the questionnaire tables, one after the other (in :data:`TABLE_ORDER`)."""
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    roles = pd.CategoricalDtype(list(ROLES_FOLLOWUP), ordered=False)
    return out.astype({"rater_role": roles})
