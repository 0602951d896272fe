"""Normalisers: turn one messy field value into a clean Python value, or say clearly why not.

Every ``parse_*`` function takes one value (usually a string), returns the clean value and raises
:class:`NormaliseError` (a :class:`ValueError`) with a readable ``reason`` for anything else. They never
raise any other exception, whatever text they are given (property-tested with hypothesis).

:func:`normalise_series` applies the parser that belongs to a :class:`~evalkit.ingest.spec.Field` to a whole
column. It parses each *distinct* value once, so a column of 100 000 cells with a few thousand distinct
values costs a few thousand parser calls.

Conventions (see ``DOMAIN.md`` section 6 for the sources):

* Numbers are Indonesian: ``.`` groups thousands and ``,`` is the decimal mark ("1.234,5"). A single
  ``.`` followed by exactly three digits is a thousands mark ("1.234" -> 1234); any other single ``.`` is
  read as a decimal point ("78.5", as written by English-locale exports). A single ``,`` is always decimal.
* Dates are day-month-year. Two-digit years and month/day order (``08/17/2024``) are rejected.
* Blank cells and the usual "no data" marks (``-``, ``NA``, ``N/A``, ``null``, ...) are *missing*, not
  errors; whether a missing value is acceptable is decided by the cleaner.

Files as offices keep them (DOMAIN.md): :func:`parse_presensi` reads attendance-sheet codes (H, I, S, A/TK,
DL, C, TB) into attended + reason, and :func:`fill_reason_from_presensi` carries the reason into
``reason_absent``; a NIP that went through an Excel number cell gets :func:`nip_excel_damage`'s message
(how to repair the sheet) instead of a generic one; :func:`parse_timestamp` and :func:`timestamp_order` read
Google Forms timestamps in either locale; :func:`parse_skm4` reads each unsur's own options (``unsur=``);
:func:`split_checkbox` and :func:`match_programme_title` serve the codebook.

Modules (every name is re-exported here, so ``evalkit.ingest.normalise.X`` works as before):

* :mod:`~evalkit.ingest.normalise.common` - :class:`NormaliseError`, :data:`EXPECTED`, missing cells.
* :mod:`~evalkit.ingest.normalise.numbers` - numbers, whole numbers, rupiah and percentages; their formatters.
* :mod:`~evalkit.ingest.normalise.answers` - yes/no, 5-point agreement (Likert) and SKM 1-4 answers.
* :mod:`~evalkit.ingest.normalise.presensi` - attendance-sheet codes and the reason for absence.
* :mod:`~evalkit.ingest.normalise.dates` - dates, months, quarters and semesters.
* :mod:`~evalkit.ingest.normalise.timestamps` - Google Forms timestamps and their day/month order.
* :mod:`~evalkit.ingest.normalise.nip` - NIPs damaged by Excel and the vectorised NIP check.
* :mod:`~evalkit.ingest.normalise.forms` - checkbox answers and programme titles (for the codebook).
* :mod:`~evalkit.ingest.normalise.regions` - region names.
* :mod:`~evalkit.ingest.normalise.categories` - categories, free text and identifiers.
* :mod:`~evalkit.ingest.normalise.fields` - the parser of a spec field and whole columns.


Examples
--------
>>> parse_date("Jumat, 13 Januari 2012")
datetime.date(2012, 1, 13)
>>> parse_rupiah("Rp1.234.567,89")
1234567.89
>>> format_rupiah(1234567.89)
'Rp1.234.567,89'
>>> parse_likert5("ragu-ragu")
3
>>> parse_region("KAB. BATANG HARI")
'Batanghari'
"""

from __future__ import annotations

from evalkit.ingest.normalise.answers import LIKERT5, parse_likert5, parse_skm4, parse_yesno
from evalkit.ingest.normalise.answers import SKM4 as SKM4
from evalkit.ingest.normalise.categories import parse_category, parse_id, parse_text
from evalkit.ingest.normalise.common import EXPECTED, MISSING_MARKS, NormaliseError, is_missing
from evalkit.ingest.normalise.dates import EXCEL_SERIAL_RANGE as EXCEL_SERIAL_RANGE
from evalkit.ingest.normalise.dates import (
    MONTHS_ID,
    format_date_id,
    parse_date,
    parse_month,
    parse_quarter,
    parse_semester,
)
from evalkit.ingest.normalise.fields import Coded as Coded
from evalkit.ingest.normalise.fields import normalise_coded as normalise_coded
from evalkit.ingest.normalise.fields import normalise_series, parser_for
from evalkit.ingest.normalise.forms import TitleMatch, match_programme_title, split_checkbox, title_key
from evalkit.ingest.normalise.nip import NIP_EXCEL_FIX, nip_excel_damage
from evalkit.ingest.normalise.nip import _nip_fast as _nip_fast
from evalkit.ingest.normalise.numbers import (
    format_number_id,
    format_rupiah,
    parse_int,
    parse_number,
    parse_percent,
    parse_rupiah,
)
from evalkit.ingest.normalise.presensi import fill_reason_from_presensi, parse_attended, parse_presensi
from evalkit.ingest.normalise.regions import parse_region
from evalkit.ingest.normalise.timestamps import (
    TimestampOrder,
    parse_timestamp,
    parse_timestamp_column,
    timestamp_order,
)

__all__ = [
    "NormaliseError",
    "MISSING_MARKS",
    "MONTHS_ID",
    "LIKERT5",
    "is_missing",
    "parse_number",
    "parse_int",
    "parse_rupiah",
    "parse_percent",
    "parse_yesno",
    "parse_presensi",
    "parse_attended",
    "fill_reason_from_presensi",
    "parse_likert5",
    "parse_skm4",
    "parse_date",
    "parse_month",
    "parse_quarter",
    "parse_semester",
    "parse_region",
    "parse_timestamp",
    "TimestampOrder",
    "timestamp_order",
    "parse_timestamp_column",
    "nip_excel_damage",
    "NIP_EXCEL_FIX",
    "split_checkbox",
    "title_key",
    "TitleMatch",
    "match_programme_title",
    "parse_category",
    "parse_text",
    "parse_id",
    "format_number_id",
    "format_rupiah",
    "format_date_id",
    "parser_for",
    "normalise_series",
    "EXPECTED",
]
