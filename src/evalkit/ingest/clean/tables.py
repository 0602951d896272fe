"""The per-table steps of a run (steps 4-6): duplicates, schema validation, pseudonyms, the canonical frame, the
quarantine, reference checks and the long ``items`` rows of a questionnaire table.

A mixin of :class:`~evalkit.ingest.clean.runner._Runner`, which holds the state these methods use.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from evalkit.ingest.clean._common import _Chunk
from evalkit.ingest.clean.coded import (
    _absent,
    _any_repeat,
    _cast_distinct,
    _duplicated,
    _Lookup,
    _merge_coded,
    _present,
    _str_key_order,
)
from evalkit.ingest.clean.validate import _validate
from evalkit.ingest.pseudonym import TextScrubber
from evalkit.ingest.schemas import dtype_for, output_columns, output_key, region_dtype, schema_for, yesno_dtype
from evalkit.ingest.spec import ITEM_TABLES, ITEMS_TABLE, OPTIONAL_REGION_TABLES, RAW_TABLES, ROLES_FOLLOWUP


class _TableMixin:
    """Steps of :class:`~evalkit.ingest.clean.runner._Runner`: finishing a table once all its files are read."""

    # --- per table -------------------------------------------------------------------------------------
    def finish_table(self, table: str) -> None:
        work = self.works[table]
        if table == "employees":
            self.scrubber = TextScrubber(sorted(self.names))
        if work.spill is not None:
            return self.finish_spilled(table)
        if not work.chunks:
            return None
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
        if repeats:
            pairs, groups = _duplicate_rows(codes.loc[ok & named], key)
            for i, first in pairs:
                flag(i, "duplicate row (same as {} row {})".format(*where(first)))
            for idxs in groups:  # same key, different content: all versions quarantined
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
        tally = _new_tally()
        codes, names = pd.factorize(files)
        self.tally_references(table, pos, fact, codes, np.asarray(names, dtype=object), tally)
        self.reference_problems(table, tally)

    def tally_references(self, table: str, pos: np.ndarray, fact: dict[str, tuple[np.ndarray, Any]],
                         file_of: np.ndarray, sources: np.ndarray, tally: dict[str, Any]) -> None:
        """The counts behind :meth:`check_references` for some kept rows, added to ``tally``: the files with a
        NIP (programme code) at all, and per file the rows whose NIP (code) is not in the roster (list).
        ``file_of``: the file of each kept row, as a position in ``sources``."""
        for col in ("nip", "programme_id"):
            has = fact[col][0][pos] >= 0 if col in fact else np.zeros(0, dtype=bool)
            if has.any():
                tally["has"][col].update(str(sources[x]).split(" [", 1)[0] for x in np.unique(file_of[has]))
        for col, known in (("nip", getattr(self, "roster", ())), ("programme_id", getattr(self, "programme_ids", ()))):
            if col not in fact or not len(known):
                continue
            k, u = fact[col]
            unknown_u = np.append(known.index_of(u) < 0, True)  # last: code -1 (missing)
            unknown = unknown_u[k[pos]]
            if unknown.any():
                for f, n in enumerate(np.bincount(file_of[unknown], minlength=len(sources))):
                    if n:
                        tally["unknown"][col][str(sources[f])] += int(n)

    def reference_problems(self, table: str, tally: dict[str, Any]) -> None:
        """The warnings of :meth:`check_references` from a ``tally`` of all the kept rows of ``table``."""
        for col, table_, what, where in (("nip", "employees", "NIPs", "no employee list (pegawai_*)"),
                                         ("programme_id", "programmes", "programme codes",
                                          "no programme list (pelatihan_*/diklat_*)")):
            if not tally["has"].get(col):
                continue
            if table_ not in self.works:  # no such file at all: the rows are kept, unchecked
                why = f"{where}: {what} could not be checked against it; rows kept"
            elif not len(getattr(self, "roster" if col == "nip" else "programme_ids", ())):
                why = f"the {table_} table has no kept rows: {what} could not be checked against it; rows kept"
            else:
                continue
            for f in sorted(tally["has"][col]):
                self.problem(file=f, row=None, column=None, value=None, severity="warning", table=table,
                             expected=why)
        for col, what, where in (("nip", "NIP", "the employee files (pegawai_*)"),
                                 ("programme_id", "programme code", "the programme files (pelatihan_*/diklat_*)")):
            for f, n in sorted(tally["unknown"].get(col, {}).items()):
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

    def to_output(self, table: str, pos: np.ndarray, fact: dict[str, tuple[np.ndarray, Any]],
                  fixed: dict[str, Any] | None = None) -> pd.DataFrame:
        """The canonical frame of the kept rows ``pos`` (positions in the table), sorted by key. ``fact``
        (column -> codes over the table's rows and the distinct values) lets each distinct value be converted
        once. A big table's key order is found from the codes first, so each column is built in order.
        ``fixed``: what the dtypes depend on, for all the kept rows of the table when ``pos`` is only some of
        them (``missing``: yes/no column -> some value missing; ``no_region``: no row has a region)."""
        spec = RAW_TABLES[table]
        cols = output_columns(table)
        nip_field = next((f.name for f in spec.fields if f.kind == "nip"), None)
        masked = None  # the pseudonym of each distinct NIP
        if nip_field is not None:
            u = fact[nip_field][1]
            if u.dtype.kind == "i":  # a spilled table's NIPs, as their int64 values: a ``str`` array at once
                masked = self.pseudonym_array(u)
            else:
                masked = self.mask_many(np.asarray(u, dtype=object), distinct=True)
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
                k = fact[nip_field][0][pos]
                parts["person_id"] = k, _cast_distinct(k, masked, "str")
                continue
            if c.name in ("sex", "birth_year", "appointment_year"):
                if c.name == "sex":
                    # kept NIPs are valid 18-digit strings (parse_nip): the parts are read from the digits
                    k, u = fact["nip"]
                    k = k[pos]
                    if u.dtype.kind == "i":  # (a spilled table's NIPs, as their int64 values)
                        sex_digit, birth, appointed = u // 10**3 % 10, u // 10**14, u // 10**6 % 10**4
                    else:
                        d = np.asarray(u, dtype=object).astype("S18").view(np.uint8).reshape(-1, 18).astype(np.int64)
                        d -= 48
                        sex_digit = d[:, 14]
                        birth = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
                        appointed = d[:, 8] * 1000 + d[:, 9] * 100 + d[:, 10] * 10 + d[:, 11]
                    male = (sex_digit[k] == 1).astype(np.int32)  # codes into the two values ("P", "L")
                    parts["sex"] = male, _cast_distinct(male, np.array(["P", "L"], dtype=object), dtype_for(c))
                    parts["birth_year"] = k, birth
                    parts["appointment_year"] = k, appointed
                continue
            k, u = coded(c.name)
            if c.kind == "region":
                dtype = region_dtype(u)
            elif c.kind == "yesno":  # bool, or boolean when an optional column has a missing value
                missing = fixed["missing"].get(c.name, False) if fixed is not None else \
                    bool(len(k)) and bool((k < 0).any())
                dtype = yesno_dtype(c, missing)
            else:
                dtype = dtype_for(c)
            parts[c.name] = k, _cast_distinct(k, u, dtype)
        if order is None and len(pos):  # a small table (or keys that are not all text): pandas sorts the keys
            by = pd.DataFrame({name: parts[name][1][parts[name][0]] for name in keys})
            order = by.sort_values(keys, kind="stable").index.to_numpy()
            pos = pos[order]
            parts = {name: (k[order], v) for name, (k, v) in parts.items()}
        no_region = "region" in parts and (fixed["no_region"] if fixed is not None
                                           else not (parts["region"][0] >= 0).any())
        if table in OPTIONAL_REGION_TABLES and no_region:
            del parts["region"]  # no file gave the region: the programme list (or staff list) places the rows
            cols = [c for c in cols if c.name != "region"]
        frame = pd.DataFrame({name: v[k] for name, (k, v) in parts.items()}, columns=[c.name for c in cols])
        self._src = pos  # kept row -> row of the table
        self._parts = parts  # column -> (codes of the rows of the frame, distinct values); for validate()
        return frame


def _new_tally() -> dict[str, Any]:
    """An empty tally of :meth:`_TableMixin.tally_references`."""
    return {"has": defaultdict(set), "unknown": defaultdict(lambda: defaultdict(int))}


def _duplicate_rows(codes: pd.DataFrame, key: list[str]) -> tuple[list[tuple[Any, Any]], list[list[Any]]]:
    """The duplicate checks on rows that are otherwise fine (``codes``: their content as codes, index: their
    rows in table order): exact duplicates as (row, the first row with that content, which is kept), then,
    among the other rows, the groups of rows with the same key and different content (all quarantined)."""
    dup = _duplicated(codes, keep="first")
    pairs: list[tuple[Any, Any]] = []
    if dup.any():
        first_of: dict[tuple, Any] = {}
        involved = codes[_duplicated(codes, keep=False)]
        for i, row in zip(involved.index, map(tuple, involved.to_numpy()), strict=True):
            first_of.setdefault(row, i)
        dup_idx = codes.index[dup]
        pairs = [(i, first_of[tuple(r)]) for i, r in zip(dup_idx, codes.loc[dup_idx].to_numpy(), strict=True)]
    rest = codes.loc[~dup, key]
    groups: list[list[Any]] = []
    if len(rest):
        conflict = _duplicated(rest, keep=False)
        if conflict.any():
            groups = list(rest[conflict].reset_index().groupby(key, sort=False)["index"].apply(list))
    return pairs, groups
