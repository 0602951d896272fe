"""Ingest: read raw field files, normalise, validate, pseudonymise and quarantine (see ``ingest.clean``).

Public API
----------
``parse_nip(value)`` (stable)   split and validate an 18-digit NIP
``clean(raw_dir, out_dir, *, key=None, progress=False)``   raw folder -> canonical Parquet tables
``check(raw_dir)``              list every problem without writing anything; ``format_problems(report)``
``DataError``                   a raw file that cannot be used at all (carries ``file`` and ``reason``)
"""

from evalkit.ingest.clean import CheckReport, CleanResult, FileSummary, Problem, check, clean, format_problems
from evalkit.ingest.nip import NIP, parse_nip
from evalkit.ingest.normalise import NormaliseError
from evalkit.ingest.read import DataError, RawFile, read_raw
from evalkit.ingest.spec import RAW_TABLES, table_for_file

__all__ = [
    "NIP", "parse_nip", "clean", "check", "format_problems", "CheckReport", "CleanResult", "FileSummary", "Problem",
    "DataError", "NormaliseError", "RawFile", "read_raw", "RAW_TABLES", "table_for_file",
]
