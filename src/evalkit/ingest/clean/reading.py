"""The reading and normalising steps of a run (steps 2-3): each raw file, whole or chunk by chunk, into
normalised chunks of its table, with a problem for every cell that cannot be cleaned.

A mixin of :class:`~evalkit.ingest.clean.runner._Runner`, which holds the state these methods use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.ingest import read as _read
from evalkit.ingest.clean._common import _ITEM_FIELD, MASK, _Chunk, _sha256, _show
from evalkit.ingest.clean.coded import _is_none, _present
from evalkit.ingest.clean.results import FileSummary
from evalkit.ingest.normalise import EXPECTED, fill_reason_from_presensi, match_programme_title, normalise_coded
from evalkit.ingest.read import DataError, RawFile, read_raw
from evalkit.ingest.spec import RAW_TABLES

_END = object()


def _read_ahead(it: Iterator[RawFile]) -> Iterator[RawFile]:
    """The chunks of ``it``, each next one read by a thread while the caller normalises and spills the current
    one (Arrow parses the CSV and encodes its columns without the GIL); one chunk ahead at most, and an error
    of the reader comes in its place, as it would without the thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(next, it, _END)
        while (raw := ahead.result()) is not _END:
            ahead = pool.submit(next, it, _END)
            yield raw


class _ReadMixin:
    """Steps of :class:`~evalkit.ingest.clean.runner._Runner`: reading and normalising the files of a table."""

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
        mark = (len(self.problems), work.seen())

        def forget() -> None:  # the chunks already seen
            del self.problems[mark[0]:]
            work.forget(mark[1])
            self._empty_cells.clear()
            summary.status, summary.rows_read = "ok", 0
            summary.encoding = summary.delimiter = None

        for fast in (True, False):
            try:
                chunks = _read.iter_raw(path, table, name=rel, fast=fast, codebook=self.codebook)
                for raw in _read_ahead(chunks):
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
                         expected="unknown column, not used (if it should be, map it to a field in codebook.csv: "
                                  "`evalkit codebook` writes one to fill in)")
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
        self.works[table].add(_Chunk(raw.source, rows, cols, raw.data, dict(reasons), items), self)

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
