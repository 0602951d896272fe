"""Finishing a spilled table (:mod:`~evalkit.ingest.clean.spill`), one group of buckets at a time, in pseudonym
order: the duplicate and key checks, ``to_output``, the schema guard, the reference counts and the parts; then
the quarantine, built exactly as the in-memory path builds it (:meth:`_TableMixin.finish_table`).

A mixin of :class:`~evalkit.ingest.clean.runner._Runner`, which holds the state these methods use.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit.ingest.clean.coded import _IntLookup
from evalkit.ingest.clean.spill import _needs_decisions, _nip_text, _PartWriter, _Spill, _yesno_nullable
from evalkit.ingest.spec import RAW_TABLES


class _SpillMixin:
    """Steps of :class:`~evalkit.ingest.clean.runner._Runner`: finishing a spilled table (module docstring)."""

    def finish_spilled(self, table: str) -> None:
        work = self.works[table]
        sp: _Spill = work.spill
        offsets = sp.offsets()
        if not (offsets >= 0).any():
            return
        from evalkit.ingest.clean import write as _write
        from evalkit.ingest.clean.tables import _new_tally

        groups = sp.groups()
        # table row -> (reasons, chunk, NIP, row number) of the rows found bad while finishing (duplicates, schema)
        flagged: dict[int, tuple[list[str], int, int, int]] = {}
        yesno = _yesno_nullable(table)
        fixed = None
        if _needs_decisions(table):  # first pass: the duplicate checks, then what the dtypes depend on
            fixed = {"missing": dict.fromkeys(yesno, False), "no_region": True}
            for buckets in groups:
                self._spilled_group(table, sp, buckets, flagged, fixed, None, None)
        folder = None
        for _attempt in range(3):
            if self.stage_dir is not None:
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
                self.stage_dir.mkdir(parents=True, exist_ok=True)
                folder = Path(tempfile.mkdtemp(prefix=f".{table}.", suffix=".tmp", dir=self.stage_dir))
            writer = _PartWriter(folder, _write.PART_ROWS)
            acc: dict[str, Any] = {"tally": _new_tally(), "kept": np.zeros(len(sp), dtype=np.int64), "nips": [],
                                   "missing": dict.fromkeys(yesno, False), "no_region": True}
            try:
                for buckets in groups:
                    self._spilled_group(table, sp, buckets, flagged, fixed, writer, acc)
                if writer.empty is None:  # no row kept: an empty part with the table's columns and dtypes
                    fact = {"nip": (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=object)),
                            **{c: (np.zeros(0, dtype=np.int32), sp.values[c].values) for c in sp.content}}
                    writer.add(self.to_output(table, np.zeros(0, dtype=np.int64), fact, fixed))
            finally:
                n_parts = writer.close()
            seen = {"missing": acc["missing"], "no_region": acc["no_region"]}
            if fixed is None or seen == fixed:
                break
            fixed = seen  # (the schema guard quarantined the only rows that decided a dtype: build it again)
        if folder is not None:
            self.staged[table] = folder
        self.part_counts[table] = n_parts
        if table == "employees":
            self.roster = _IntLookup(np.concatenate(acc["nips"]) if acc["nips"] else np.zeros(0, dtype=np.int64))
        else:
            self.reference_problems(table, acc["tally"])
        q = self._spilled_quarantine(table, sp, offsets, flagged)
        kept_per_file: defaultdict[str, int] = defaultdict(int)
        for c, k in enumerate(acc["kept"]):
            kept_per_file[str(sp.sources[c]).split(" [", 1)[0]] += int(k)
        for s in work.files:
            s.rows_kept = int(kept_per_file.get(s.file, 0))
            s.rows_quarantined = s.rows_read - s.rows_kept
        self.results[table] = (writer.empty, q)
        self.partitioned.add(table)

    def _spilled_group(self, table: str, sp: _Spill, buckets: list[int],
                       flagged: dict[int, tuple[list[str], int, int, int]], fixed: dict[str, Any] | None,
                       writer: _PartWriter | None, acc: dict[str, Any] | None) -> None:
        """One group of buckets: the duplicate checks (unless a first pass did them), then (``writer``) the
        kept rows as the output frame, checked by the schema guard and handed to ``writer``; without a writer
        only what the dtypes depend on is gathered in ``fixed``."""
        import pandera.errors as pe

        from evalkit.ingest.clean.coded import _any_repeat
        from evalkit.ingest.clean.tables import _duplicate_rows
        from evalkit.ingest.clean.validate import _validate
        from evalkit.ingest.schemas import schema_for

        spec = RAW_TABLES[table]
        key = list(spec.key)
        cols = sp.read(buckets)
        g, c_of, rownum = cols["g"], cols["c"], cols["row"]
        nk, nu = pd.factorize(cols["nip"])  # (the NIPs stay int64 values: ``to_output`` takes them so)
        fact = {"nip": (nk.astype(np.int32), nu),
                **{c: (cols[c], sp.values[c].values) for c in sp.content}}

        def where(i: int) -> tuple[str, int]:  # (file, row) of group row i
            return str(sp.sources[c_of[i]]), int(rownum[i])

        def flag(i: int, why: str) -> None:
            r = flagged.setdefault(int(g[i]), ([], int(c_of[i]), int(cols["nip"][i]), int(rownum[i])))
            r[0].append(why)
            file, row = where(i)
            self.problem(file=file, row=row, column=None, value=None, expected=why, table=table)

        first_pass = fixed is None or writer is None
        repeats = first_pass and _any_repeat([fact[c][0] for c in key])
        if repeats:
            content = [f.name for f in spec.fields if f.kind != "name"]
            pairs, groups = _duplicate_rows(pd.DataFrame({c: fact[c][0] for c in content}), key)
            for i, first in pairs:
                flag(i, "duplicate row (same as {} row {})".format(*where(first)))
            for idxs in groups:
                shown = "; ".join("{} row {}".format(*where(j)) for j in idxs)
                why = f"duplicate key with different content (rows: {shown})"
                for i in idxs:
                    flag(i, why)

        def kept_rows() -> np.ndarray:
            if not flagged:
                return np.arange(len(g))
            return np.flatnonzero(~np.isin(g, np.fromiter(flagged, dtype=np.int64, count=len(flagged))))

        pos = kept_rows()
        if writer is None:  # first pass: what the dtypes depend on
            for c in fixed["missing"]:
                fixed["missing"][c] |= bool((cols[c][pos] < 0).any()) if c in cols else bool(len(pos))
            if "region" in cols:
                fixed["no_region"] &= not bool((cols["region"][pos] >= 0).any())
            return
        kept = self.to_output(table, pos, fact, fixed)
        try:
            _validate(schema_for(table), kept, self._parts, distinct_key_codes=first_pass and not repeats)
        except pe.SchemaErrors as err:  # (as the in-memory path: each failing row quarantined)
            fc = err.failure_cases.dropna(subset=["index"])
            if not len(fc):
                raise
            for at, grp in fc.groupby("index"):
                flag(int(self._src[int(at)]), "schema check failed: " + "; ".join(
                    f"{c} {chk}" for c, chk in zip(grp["column"], grp["check"], strict=True)))
            pos = kept_rows()
            kept = self.to_output(table, pos, fact, fixed)
        kept.attrs = {}
        pos = self._src  # (the kept rows in key order)
        for c in acc["missing"]:
            acc["missing"][c] |= bool((cols[c][pos] < 0).any()) if c in cols else bool(len(pos))
        if "region" in cols:
            acc["no_region"] &= not bool((cols["region"][pos] >= 0).any())
        np.add.at(acc["kept"], c_of[pos], 1)
        if table == "employees":
            acc["nips"].append(cols["nip"][pos])
        else:
            self.tally_references(table, pos, fact, c_of[pos], np.asarray(sp.sources, dtype=object), acc["tally"])
        writer.add(kept)

    def _spilled_quarantine(self, table: str, sp: _Spill, offsets: np.ndarray,
                            flagged: dict[int, tuple[list[str], int, int, int]]) -> pd.DataFrame:
        """The quarantine of a spilled table, built as the in-memory path builds it."""
        later: defaultdict[int, list[int]] = defaultdict(list)  # chunk -> table rows flagged while finishing
        for gi, (_, c, _, _) in flagged.items():
            later[c].append(gi)
        parts, index, reasons = [], [], []
        for c in range(len(sp)):
            if offsets[c] < 0:
                continue
            pos0, raw0, nip0, rows0, why0 = sp.bad.get(c, (np.zeros(0, dtype=np.int64), None, np.zeros(0, dtype=object),
                                                          np.zeros(0, dtype=np.int64), []))
            g1 = np.array(sorted(later.get(c, [])), dtype=np.int64)
            pos1 = g1 - offsets[c]
            pos = np.concatenate([pos0, pos1])
            order = np.argsort(pos, kind="stable")
            if len(pos1) or raw0 is None:
                d = sp.raw_rows(c, pos[order]) if len(pos) else \
                    pd.DataFrame({k: np.zeros(0, dtype=object) for k in sp.columns[c]})
            else:
                d = raw0
            rows1 = np.array([0] * len(pos1), dtype=np.int64)
            nip1 = np.array([None] * len(pos1), dtype=object)
            if len(pos1):
                nip1[:] = list(_nip_text(np.array([flagged[int(x)][2] for x in g1], dtype=np.int64)))
                rows1 = np.array([flagged[int(x)][3] for x in g1], dtype=np.int64)
            d["_nip"] = np.concatenate([np.asarray(nip0, dtype=object), nip1])[order]
            d["_file"] = sp.sources[c]
            d["_row"] = np.concatenate([np.asarray(rows0, dtype=np.int64), rows1])[order]
            parts.append(d)
            index.append((offsets[c] + pos)[order])
            why = [*why0, *(flagged[int(x)][0] for x in g1)]
            reasons += [why[j] for j in order]
        disp = pd.concat(parts, ignore_index=True)
        disp.index = np.concatenate(index) if index else np.zeros(0, dtype=np.int64)
        q = self.quarantine_display(table, disp)
        q.insert(0, "reason", ["; ".join(r) for r in reasons])
        q.insert(0, "row", q.pop("_row").astype("int64"))
        q.insert(0, "file", q.pop("_file"))
        q = q.sort_values(["file", "row"], kind="stable").reset_index(drop=True)
        return q.astype({c: "str" for c in q.columns if c != "row"})
