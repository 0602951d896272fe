"""Read one raw field file (CSV or XLSX) into strings, find its header and map it to canonical columns.

* Every cell is read as text, so nothing is mangled on the way in (leading zeros, long NIPs, "1.234").
* CSV: the delimiter (``,`` ``;`` or tab) is chosen as the one that reveals a header row of the table;
  the encoding is tried in the order UTF-8 (with or without BOM), Windows-1252, Latin-1.
* XLSX: every sheet is read with openpyxl (values, not formulas); title rows above the header are fine.
* The header row is the first of the first :data:`HEADER_SCAN_ROWS` rows in which at least two cells, and
  at least half of the non-empty cells, match the table's header aliases. Matching ignores case, spaces and
  punctuation ("TGL. MULAI" = "Tgl Mulai"); a leading item number ("U1.", "3)") is ignored as a fallback.
* Every data row keeps its original 1-based spreadsheet row number (title rows and header row count, blank
  rows are skipped but counted).
* KoboToolbox/ODK exports: meta columns (``_id``, ``_uuid``, ``_submission_time``, ..., and ``start``, ``end``,
  ``today``, ``deviceid`` next to a Kobo/ODK marker; ``spec.KOBO_META``) are dropped and not counted when the
  header is looked for; a header with a group path ("penilaian/material", "Group label/Question label") is
  matched by its last part(s); the labels of evalkit's own forms (``spec.INSTRUMENT_QUESTIONS``) are accepted
  as headers, in Indonesian or English, and their answers as choice names or labels (``spec.ANSWER_MAPS``;
  a programme label ending in "[CODE]" gives the code). Template sheets named ``Petunjuk``/``Instructions``
  are skipped.

* Integer number cells keep every digit (an 18-digit NIP written by a system is never read through a float);
  a NIP that a spreadsheet already rounded (scientific notation, or 18 digits ending in 000 that fail the
  checks) gets a note in ``RawFile.cell_notes`` saying so and how to fix the sheet.
* Google Forms exports: the ``Timestamp``/``Stempel waktu`` column is known and not kept.
* A codebook (``codebook.csv``, :mod:`evalkit.ingest.codebook`) passed to :func:`read_raw` wins over the
  file-name prefix and the aliases: the table, headers per sheet (``ignore`` drops one; its headers count
  when the header row is looked for), constant columns (``value``), ``programme_title`` (a column the
  cleaner turns into ``programme_id``) and the questions of a reaction or followup questionnaire that are no
  default item (``item`` with a ``scale``): read into columns after the table's fields, named in
  ``RawFile.items``.

Unknown columns are reported as warnings and dropped. A missing *required* column makes the file unusable:
:func:`read_raw` records it in ``RawFile.missing_required`` and the cleaner quarantines every row; empty
files and files without a recognisable header raise :class:`DataError`.

Examples
--------
>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "nilai_tes_x.csv").write_text("NIP;Kode Pelatihan;Pretest;Posttest\\n198503172010012004;PEL-1;60;80,5\\n")
>>> [r] = read_raw(d / "nilai_tes_x.csv")
>>> r.table, r.delimiter, r.data.columns.tolist(), r.rows.tolist()
('tests', ';', ['nip', 'programme_id', 'pre_score', 'post_score'], [2])

Modules (every public name is re-exported here, so ``from evalkit.ingest import read; read.X`` works for all of
them, and so are the private names other modules and tests use):

* :mod:`~evalkit.ingest.read.base` - :class:`DataError`, :class:`RawFile`, the suffixes and encodings read.
* :mod:`~evalkit.ingest.read.headers` - header keys, the alias index, finding and mapping the header row.
* :mod:`~evalkit.ingest.read.csvfile` - encoding, delimiter and rows of a CSV file.
* :mod:`~evalkit.ingest.read.xlsx` - the fast XLSX XML reader and the openpyxl fallback.
* :mod:`~evalkit.ingest.read.answers` - answers of evalkit's own forms as the cleaner reads them.
* :mod:`~evalkit.ingest.read.table` - data rows, constant columns and NIP notes into a :class:`RawFile`.
* :mod:`~evalkit.ingest.read.files` - :func:`read_raw` and :func:`sheets_of`.
* :mod:`~evalkit.ingest.read.large` - :func:`iter_raw`: large CSVs in chunks. :data:`LARGE_FILE_BYTES` and
  :data:`CHUNK_ROWS` are read there: set them on that module, not on this package, to change the threshold.
"""

from __future__ import annotations

from evalkit.ingest.read.base import CSV_SUFFIXES, HEADER_SCAN_ROWS, XLSX_SUFFIXES, DataError, RawFile
from evalkit.ingest.read.files import read_raw, sheets_of
from evalkit.ingest.read.headers import _alias_index as _alias_index
from evalkit.ingest.read.headers import _find_header as _find_header
from evalkit.ingest.read.headers import _header_index as _header_index
from evalkit.ingest.read.headers import _match_header as _match_header
from evalkit.ingest.read.headers import header_key
from evalkit.ingest.read.large import CHUNK_ROWS, LARGE_FILE_BYTES, is_large, iter_raw
from evalkit.ingest.read.large import ReadAgain as ReadAgain
from evalkit.ingest.read.xlsx import _read_xlsx_fast as _read_xlsx_fast
from evalkit.ingest.read.xlsx import _read_xlsx_openpyxl as _read_xlsx_openpyxl

__all__ = ["DataError", "RawFile", "read_raw", "iter_raw", "is_large", "header_key", "sheets_of", "HEADER_SCAN_ROWS",
           "CSV_SUFFIXES", "XLSX_SUFFIXES", "LARGE_FILE_BYTES", "CHUNK_ROWS"]
