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

from evalkit.ingest import read as _read
from evalkit.ingest.clean._common import MASK, TABLE_ORDER, _list_files, _sha256, _TableWork
from evalkit.ingest.clean.coded import (
    _digits_text,
    _nip_ints,
    _pseudonym_ints,
    _pseudonym_text,
    _text_bytes_array,
    _unique_ints,
)
from evalkit.ingest.clean.reading import _ReadMixin
from evalkit.ingest.clean.results import FileSummary, Problem
from evalkit.ingest.clean.spill import _ROW_BYTES, _Spill, spills
from evalkit.ingest.clean.spilled import _SpillMixin
from evalkit.ingest.clean.tables import _TableMixin
from evalkit.ingest.clean.validate import _validate_items
from evalkit.ingest.codebook import CODEBOOK_NAME, Codebook, CodebookError, load_codebook
from evalkit.ingest.pseudonym import PSEUDONYM_HEX, TextScrubber, pseudonymise_fixed, pseudonymise_many
from evalkit.ingest.read import CSV_SUFFIXES, XLSX_SUFFIXES
from evalkit.ingest.spec import RAW_TABLES, ROLES_FOLLOWUP, table_for_file


class _Runner(_ReadMixin, _TableMixin, _SpillMixin):
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
        self.stage_dir: Path | None = None  # where a spilled table's parts are written (None: not written)
        self.staged: dict[str, Path] = {}  # table -> the folder of its parts, written while it was finished
        self.part_counts: dict[str, int] = {}  # table -> parts written
        # NIPs pseudonymised so far (see mask_many): 18-digit NIPs as their int64 values, sorted, and their
        # pseudonyms as the 64-bit numbers they spell (16 bytes a NIP); any other text in a dict
        self._nip_keys = np.zeros(0, dtype=np.int64)
        self._nip_pseudonyms = np.zeros(0, dtype=np.uint64)
        self._known_text: dict[str, str] = {}
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
        nip, ints = _nip_ints(uniq)  # the others (no 18-digit NIP) are looked up as text
        if PSEUDONYM_HEX != 16:  # pragma: no cover - pseudonyms that are no 64-bit number
            nip[:] = False
        if nip.any():
            u[:-1][nip] = _pseudonym_text(self.pseudonym_ints(ints)).astype("U17").astype(object)
        if not nip.all():
            text = uniq[~nip].tolist()
            new = [x for x in dict.fromkeys(text) if x not in self._known_text]
            self._known_text.update(zip(new, pseudonymise_many(new, self.key), strict=True))
            u[:-1][~nip] = [self._known_text[x] for x in text]
        return u[codes]

    def pseudonym_ints(self, nips: np.ndarray) -> np.ndarray:
        """The pseudonyms of 18-digit NIPs given as int64 values, as the 64-bit numbers they spell
        (:func:`~evalkit.ingest.clean.coded._pseudonym_ints`); each distinct NIP is hashed once per run."""
        nips = np.asarray(nips, dtype=np.int64)
        keys = self._nip_keys
        at = np.searchsorted(keys, nips)
        found = at < len(keys)
        found[found] = keys[at[found]] == nips[found]
        if not found.all():
            new = _unique_ints(nips[~found])
            fresh = _pseudonym_ints(pseudonymise_fixed(_digits_text(new), self.key))
            where = np.searchsorted(keys, new)
            self._nip_keys = np.insert(keys, where, new)
            self._nip_pseudonyms = np.insert(self._nip_pseudonyms, where, fresh)
            at = np.searchsorted(self._nip_keys, nips)
        return self._nip_pseudonyms[at]

    def pseudonym_array(self, nips: np.ndarray) -> Any:
        """The pseudonyms of 18-digit NIPs given as int64 values, as a pandas ``str`` array: what
        ``pd.array(self.mask_many(texts), dtype="str")`` gives for their text, without a Python string per NIP."""
        return _text_bytes_array(_pseudonym_text(self.pseudonym_ints(nips)))

    @property
    def _known_p(self) -> list[str]:
        """Every pseudonym computed so far (each NIP is hashed once per run)."""
        return [*_pseudonym_text(self._nip_pseudonyms).astype("U17"), *self._known_text.values()]

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
        try:
            for t, p in it:
                if current is not None and t != current:
                    self.finish_table(current)
                current = t
                if t not in self.works:
                    self.works[t] = _TableWork(t)
                    if spills(t, self.key) and any(_read.is_large(f) for f in by_table[t]):
                        est = sum(f.stat().st_size for f in by_table[t]) // _ROW_BYTES
                        self.works[t].spill = _Spill(t, est)
                self.read_one(t, p)
            if current is not None:
                self.finish_table(current)
        finally:
            for w in self.works.values():
                if w.spill is not None:
                    w.spill.close()
                    w.spill = None
        self.report_codebook()
        if self.item_parts:
            self.items = _concat_items(self.item_parts)
            _validate_items(self.items)


def _concat_items(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The items of the questionnaire tables, one after the other (in :data:`TABLE_ORDER`)."""
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    roles = pd.CategoricalDtype(list(ROLES_FOLLOWUP), ordered=False)
    return out.astype({"rater_role": roles})
