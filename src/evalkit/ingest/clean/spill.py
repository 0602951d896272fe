"""A person-keyed table too big to hold: its rows spilled to disk as they are read, in buckets of pseudonym.

Tables whose key starts with the NIP (``employees``, ``performance``, ``enrolments``, ...) and that have a file
above ``ingest.read.LARGE_FILE_BYTES`` take this path (:func:`spills`). Memory then no longer grows with the
rows read, only with the distinct values the output needs (the pseudonym of each NIP, the categories):

1. **Per chunk** (:meth:`_Spill.add`), as soon as a chunk is normalised: each column's codes are mapped into
   that column's distinct values over the whole table (:class:`_Values`; the NIP is kept as its int64 value).
   The rows that are fine so far are appended, by the pseudonym of their NIP (its top bits), to one of
   ``2**bits`` bucket files (Arrow IPC streams) in a temporary folder: chunk, position, row number, NIP and
   column codes, about 40 bytes a row. The chunk's raw cells are pickled there too (the quarantine may need
   them later); the rows with an error already (few) keep their raw cells in memory.
2. **Per group of buckets** (:mod:`~evalkit.ingest.clean.spilled`), in pseudonym order: a bucket holds every row
   of its NIPs, so the duplicate and key checks of a group are those of the whole table (the same function as the
   in-memory path); the kept rows go through the same ``to_output`` (sorted by key) and the schema guard; the
   groups follow each other in key order, so their frames, cut every ``PART_ROWS`` rows, are the table's
   ``part-*.parquet`` files, written while the next group is built (:class:`_PartWriter`).

Decisions about the whole table (a nullable yes/no column's dtype, an optional region column dropped) are
taken from the kept rows of every group first (a first pass, only for tables that have such columns), so the
parts are byte for byte what the in-memory path writes.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit.ingest.clean._common import _Chunk
from evalkit.ingest.clean.coded import _absent, _digits_int64, _digits_text, _is_none
from evalkit.ingest.schemas import output_columns, output_key
from evalkit.ingest.spec import ITEM_TABLES, OPTIONAL_REGION_TABLES, RAW_TABLES

#: Rows a bucket file should hold (on average); the number of buckets is a power of two, from the file sizes.
BUCKET_ROWS = 250_000
#: Buckets are finished in groups of about this many rows (the memory of the step: a group's frame).
GROUP_ROWS = 2_000_000
#: The least bytes a raw row takes (to guess the number of rows from the file sizes, generously).
_ROW_BYTES = 48


def spills(table: str, key: bytes | None) -> bool:
    """Whether a big ``table`` is cleaned by this module: keyed by the NIP (first), not a questionnaire."""
    spec = RAW_TABLES[table]
    return (key is not None and not spec.anonymous and table not in ITEM_TABLES and bool(spec.key)
            and spec.key[0] == "nip" and output_key(table)[0] == "person_id"
            and any(f.name == "nip" and f.kind == "nip" for f in spec.fields))


class _Values:
    """The distinct values of one column over the whole table, each given a code once (in order of first
    appearance; missing values get -1, as ``pd.factorize`` gives them)."""

    def __init__(self) -> None:
        self.values = np.zeros(0, dtype=object)
        self._index = pd.Index(self.values, dtype=object)

    def codes_of(self, u: np.ndarray) -> np.ndarray:
        """The codes of a chunk's distinct values ``u`` (-1: missing), new values added."""
        u = np.asarray(u, dtype=object)
        at = self._index.get_indexer(u) if len(self.values) else np.full(len(u), -1, dtype=np.intp)
        new = np.flatnonzero(at < 0)
        if len(new):
            k, uniq = pd.factorize(u[new], use_na_sentinel=True)
            if len(uniq):
                base = len(self.values)
                at[new] = np.where(k >= 0, base + k, -1)
                self.values = np.concatenate([self.values, np.asarray(uniq, dtype=object)])
                self._index = pd.Index(self.values, dtype=object)
        return at.astype(np.int32)


class _Spill:
    """The spilled rows of one table (see the module docstring): bucket files, raw cells, rows with errors."""

    def __init__(self, table: str, est_rows: int):
        self.table = table
        spec = RAW_TABLES[table]
        self.content = [f.name for f in spec.fields if f.kind not in ("name", "nip")]
        self.values = {c: _Values() for c in self.content}
        self.bits = int(np.ceil(np.log2(max(1, est_rows / BUCKET_ROWS))))
        self.dir = Path(tempfile.mkdtemp(prefix="evalkit-spill-"))
        self.writers: dict[int, Any] = {}
        self.counts: defaultdict[int, int] = defaultdict(int)  # bucket -> rows
        self.sources: list[str] = []  # per chunk: its file
        self.sizes: list[int] = []  # its rows
        self.columns: list[list[str]] = []  # its raw columns
        self.dropped: set[int] = set()  # chunks forgotten (a file read again, or unusable after all)
        # per chunk with rows that have an error already: (positions, raw cells, NIPs, row numbers, reasons)
        self.bad: dict[int, tuple[np.ndarray, pd.DataFrame, np.ndarray, np.ndarray, list[list[str]]]] = {}

    def __len__(self) -> int:
        return len(self.sizes)

    def forget(self, n: int) -> None:
        """Chunks ``n``, ``n + 1``, ... are not part of the table (their rows are skipped when read back)."""
        for c in range(n, len(self.sizes)):
            self.dropped.add(c)
            self.bad.pop(c, None)

    def add(self, ch: _Chunk, runner: Any) -> None:
        c = len(self.sizes)
        n = ch.n
        self.sources.append(ch.source)
        self.sizes.append(n)
        self.columns.append(list(ch.raw.columns))
        # the raw cells, exactly, for rows found bad later (the quarantine never shows the NIP or name cells)
        hidden = [f.name for f in RAW_TABLES[self.table].fields if f.kind in ("nip", "name")]
        with open(self.dir / f"raw-{c}.pkl", "wb") as fh:
            pickle.dump(ch.raw.drop(columns=[h for h in hidden if h in ch.raw.columns]), fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        bad = np.zeros(n, dtype=bool)
        bad[[i for i, r in ch.reasons.items() if r]] = True
        k, u = ch.cols["nip"] if "nip" in ch.cols else _absent(n)
        u = np.asarray(u, dtype=object)
        if bad.any():
            pos = np.flatnonzero(bad)
            self.bad[c] = (pos, ch.raw.iloc[pos].astype(object).reset_index(drop=True), u[k[pos]], ch.rows[pos],
                           [ch.reasons[int(i)] for i in pos])
        ok = np.flatnonzero(~bad)
        if not len(ok):
            return
        # the NIPs of the rows that are fine (valid 18-digit NIPs: a missing or invalid one is an error)
        present = np.flatnonzero(~_is_none(u))
        ints_u = np.full(len(u) + 1, -1, dtype=np.int64)
        if len(present):
            d = _digits_int64(u[present])
            ints_u[present] = d if d is not None else np.array([int(x) for x in u[present]], dtype=np.int64)
        nip = ints_u[k[ok]]
        cols = {"c": np.full(len(ok), c, dtype=np.int32), "i": ok.astype(np.int32), "row": ch.rows[ok],
                "nip": nip}
        for name in self.content:
            kk, uu = ch.cols.get(name, _absent(n))
            g = np.append(self.values[name].codes_of(uu), np.int32(-1))
            cols[name] = g[kk[ok]]
        small = np.uint16 if self.bits <= 16 else np.int64  # (numpy sorts 16-bit integers by radix: fast)
        if self.bits:  # the top bits of the pseudonym, found once per distinct NIP of the chunk
            top = np.zeros(len(u) + 1, dtype=small)
            top[present] = (runner.pseudonym_ints(ints_u[present]) >> np.uint64(64 - self.bits)).astype(small)
            bucket = top[k[ok]]
        else:
            bucket = np.zeros(len(ok), dtype=small)
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange((1 << self.bits) + 1))
        cols = {name: a[order] for name, a in cols.items()}
        import pyarrow as pa

        for b in np.flatnonzero(np.diff(bounds)):
            sel = slice(bounds[b], bounds[b + 1])
            batch = pa.record_batch({name: a[sel] for name, a in cols.items()})
            if b not in self.writers:
                self.writers[b] = pa.ipc.new_stream(str(self.dir / f"bucket-{b}.arrow"), batch.schema)
            self.writers[b].write_batch(batch)
            self.counts[int(b)] += int(bounds[b + 1] - bounds[b])

    def groups(self) -> list[list[int]]:
        """The buckets with rows, in pseudonym order, in groups of about :data:`GROUP_ROWS` rows."""
        for w in self.writers.values():
            w.close()
        out: list[list[int]] = [[]]
        rows = 0
        for b in sorted(self.writers):
            if out[-1] and rows >= GROUP_ROWS:
                out.append([])
                rows = 0
            out[-1].append(b)
            rows += self.counts[b]
        return out if out[0] else []

    def read(self, buckets: list[int]) -> dict[str, np.ndarray]:
        """The rows of some buckets (of chunks not forgotten), in table order, column by column."""
        import pyarrow as pa

        tabs = [pa.ipc.open_stream(str(self.dir / f"bucket-{b}.arrow")).read_all() for b in buckets]
        tab = pa.concat_tables(tabs) if len(tabs) > 1 else tabs[0]
        cols = {name: tab.column(name).to_numpy() for name in tab.column_names}
        del tab, tabs
        offsets = self.offsets()
        g = offsets[cols["c"]] + cols["i"]
        keep = offsets[cols["c"]] >= 0
        order = np.flatnonzero(keep)[np.argsort(g[keep], kind="stable")]
        cols = {name: a[order] for name, a in cols.items()}
        cols["g"] = g[order]
        return cols

    def offsets(self) -> np.ndarray:
        """The table row of each chunk's first row (-1: a chunk forgotten)."""
        sizes = np.array([0 if c in self.dropped else s for c, s in enumerate(self.sizes)], dtype=np.int64)
        off = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if len(sizes) else sizes
        off[list(self.dropped)] = -1
        return off

    def raw_rows(self, c: int, pos: np.ndarray) -> pd.DataFrame:
        """The raw cells of rows ``pos`` of chunk ``c`` (as the in-memory path takes them)."""
        with open(self.dir / f"raw-{c}.pkl", "rb") as fh:
            raw = pickle.load(fh)
        return raw.iloc[pos].astype(object).reset_index(drop=True)

    def close(self) -> None:
        for w in self.writers.values():
            try:
                w.close()
            except Exception:  # pragma: no cover - already closed
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


class _PartWriter:
    """Frames in key order -> ``part-00000.parquet``, ... of ``PART_ROWS`` rows each, in ``folder`` (None: the
    parts are counted, not written: ``check``). Each part is encoded and written by a thread while the next
    frames are built."""

    def __init__(self, folder: Path | None, part_rows: int):
        from evalkit.ingest.clean.write import _parquet_bytes

        self._bytes = _parquet_bytes
        self.folder = folder
        self.part_rows = part_rows
        self.pending: list[pd.DataFrame] = []
        self.n_pending = 0
        self.parts = 0
        self.rows = 0
        self.empty: pd.DataFrame | None = None
        self.pool = ThreadPoolExecutor(1)
        self.futures: list[Future] = []

    def add(self, frame: pd.DataFrame) -> None:
        if self.empty is None:
            self.empty = frame.iloc[:0]
        if not len(frame):
            return
        self.pending.append(frame)
        self.n_pending += len(frame)
        self.rows += len(frame)
        while self.n_pending >= self.part_rows:
            whole = pd.concat(self.pending, ignore_index=True) if len(self.pending) > 1 else self.pending[0]
            self._write(whole.iloc[:self.part_rows].reset_index(drop=True))
            rest = whole.iloc[self.part_rows:].reset_index(drop=True)
            self.pending, self.n_pending = ([rest] if len(rest) else []), len(rest)

    def _write(self, part: pd.DataFrame) -> None:
        k = self.parts
        self.parts += 1
        if self.folder is None:
            return
        from evalkit._util import atomic_write

        while len([f for f in self.futures if not f.done()]) >= 2:  # (at most two parts in memory)
            self.futures[0].result()
            self.futures = [f for f in self.futures if not f.done()]
        path = self.folder / f"part-{k:05d}.parquet"
        self.futures.append(self.pool.submit(lambda: atomic_write(path, self._bytes(part))))

    def close(self) -> int:
        """Write the last part (or one empty part for a table without kept rows); the number of parts."""
        if self.n_pending or not self.parts:
            last = pd.concat(self.pending, ignore_index=True) if len(self.pending) > 1 else \
                self.pending[0] if self.pending else self.empty
            self._write(last.reset_index(drop=True))
        self.pending = []
        for f in self.futures:
            f.result()
        self.pool.shutdown()
        return self.parts


def _nip_text(ints: np.ndarray) -> np.ndarray:
    """18-digit NIP strings (an object array) from their int64 values."""
    return _digits_text(ints).astype("U18").astype(object)


def _yesno_nullable(table: str) -> list[str]:
    return [c.name for c in output_columns(table) if c.kind == "yesno" and c.nullable]


def _needs_decisions(table: str) -> bool:
    """Whether the table's dtypes depend on all its kept rows (see :meth:`_Runner.to_output`'s ``fixed``)."""
    return bool(_yesno_nullable(table)) or table in OPTIONAL_REGION_TABLES
