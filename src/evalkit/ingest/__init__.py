"""Ingest: read raw field files, normalise, validate, pseudonymise and quarantine (see ``ingest.clean``).

Public API
----------
``parse_nip(value)`` (stable)   split and validate an 18-digit NIP
``clean(raw_dir, out_dir, *, key=None, progress=False)``   raw folder -> canonical Parquet tables
``check(raw_dir)``              list every problem without writing anything; ``format_problems(report)``
``DataError``                   a raw file that cannot be used at all (carries ``file`` and ``reason``)
``load_codebook(path)``, ``write_codebook(folder)``   ``codebook.csv``: what each file, sheet and header is
``CodebookError``               a malformed codebook (a ``DataError``; ``problems``: row, column, message)
"""

from evalkit.ingest.clean import CheckReport, CleanResult, FileSummary, Problem, check, clean, format_problems
from evalkit.ingest.codebook import Codebook, CodebookError, build_codebook, load_codebook, write_codebook
from evalkit.ingest.nip import NIP, parse_nip
from evalkit.ingest.normalise import NormaliseError
from evalkit.ingest.read import DataError, RawFile, read_raw
from evalkit.ingest.spec import RAW_TABLES, table_for_file

__all__ = [
    "NIP", "parse_nip", "clean", "check", "format_problems", "CheckReport", "CleanResult", "FileSummary", "Problem",
    "DataError", "NormaliseError", "RawFile", "read_raw", "RAW_TABLES", "table_for_file",
    "Codebook", "CodebookError", "load_codebook", "write_codebook", "build_codebook",
]
