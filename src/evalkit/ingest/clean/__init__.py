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

Modules (every name used elsewhere is re-exported here, so ``evalkit.ingest.clean.X`` works as before):

* :mod:`~evalkit.ingest.clean.api` - :func:`check`, :func:`clean` and the manifest.
* :mod:`~evalkit.ingest.clean.results` - the result types :class:`Problem`, :class:`FileSummary`,
  :class:`CheckReport` and :class:`CleanResult`.
* :mod:`~evalkit.ingest.clean.runner` - the run over a raw folder (steps 1-7), with its reading and normalising
  steps in :mod:`~evalkit.ingest.clean.reading` and its per-table steps in :mod:`~evalkit.ingest.clean.tables`.
* :mod:`~evalkit.ingest.clean.coded` - speed helpers for columns kept as codes into their distinct values.
* :mod:`~evalkit.ingest.clean.validate` - pandera validation on each column's distinct values.
* :mod:`~evalkit.ingest.clean.spill` and :mod:`~evalkit.ingest.clean.spilled` - a big person-keyed table
  (a file above ``ingest.read.LARGE_FILE_BYTES``): its chunks spilled to disk in buckets of pseudonym as they
  are read, then checked and written part by part, so memory does not grow with the rows.
* :mod:`~evalkit.ingest.clean.write` - atomic, deterministic Parquet writing (single files and parts).
* :mod:`~evalkit.ingest.clean.printing` - :func:`format_problems`.

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

from evalkit.ingest.clean._common import MASK, TABLE_ORDER
from evalkit.ingest.clean.api import check, clean
from evalkit.ingest.clean.coded import _any_repeat as _any_repeat
from evalkit.ingest.clean.coded import _digits_int64 as _digits_int64
from evalkit.ingest.clean.coded import _factorize as _factorize
from evalkit.ingest.clean.coded import _has_repeats as _has_repeats
from evalkit.ingest.clean.coded import _is_none as _is_none
from evalkit.ingest.clean.coded import _Lookup as _Lookup
from evalkit.ingest.clean.coded import _merge_coded as _merge_coded
from evalkit.ingest.clean.coded import _str_key_order as _str_key_order
from evalkit.ingest.clean.coded import _text_order as _text_order
from evalkit.ingest.clean.printing import format_problems
from evalkit.ingest.clean.results import CheckReport, CleanResult, FileSummary, Problem
from evalkit.ingest.clean.runner import _Runner as _Runner
from evalkit.ingest.clean.validate import _passes_on_distinct as _passes_on_distinct
from evalkit.ingest.clean.write import PART_ROWS as PART_ROWS

__all__ = ["Problem", "FileSummary", "CheckReport", "CleanResult", "clean", "check", "format_problems",
           "MASK", "TABLE_ORDER"]
