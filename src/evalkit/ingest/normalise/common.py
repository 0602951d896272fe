"""What every normaliser shares: :class:`NormaliseError`, what each kind of field expects (:data:`EXPECTED`),
the cells that mean "no data" (:func:`is_missing`) and the text clean-up the parsers compare in."""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

_SHOW = 60  # characters of a bad value shown in a message


class NormaliseError(ValueError):
    """A value that cannot be normalised.

    Attributes
    ----------
    value : object
        The offending value (as given).
    reason : str
        What is wrong, in plain words, e.g. ``"expected a date like '17 Agustus 2024'"``.
    """

    def __init__(self, reason: str, value: object = None):
        self.reason = reason
        self.value = value
        super().__init__(f"{reason}, got {_show(value)}" if value is not None else reason)


def _show(value: object) -> str:
    s = str(value)
    if len(s) > _SHOW:
        return repr(s[:_SHOW]) + f"... ({len(s)} characters)"
    return repr(s)


#: What a kind expects, used in error messages and in ``check`` reports.
EXPECTED: dict[str, str] = {
    "nip": "an 18-digit NIP like '19850317 201001 2 004'",
    "date": "a date like '17 Agustus 2024', '2024-08-17' or '17/08/2024'",
    "month": "a month like 'Januari 2023' or '2023-01'",
    "quarter": "a quarter like '2023-Q1' or 'Triwulan I 2023'",
    "semester": "a semester like 'Semester I 2024' or '2024-S1'",
    "rupiah": "an amount in rupiah like 'Rp1.250.000' (not negative)",
    "int": "a whole number like '12' or '1.250'",
    "float": "a number like '78,5'",
    "percent": "a percentage like '85%', '85' or '0,85'",
    "yesno": "Ya or Tidak",
    "presensi": "Ya/Tidak or a presensi code (H = hadir; I, S, A/TK, DL, C, TB = reasons for absence)",
    "timestamp": "a timestamp like '13/01/2024 9:05:33' (d/m/yyyy) or '1/13/2024 9:05:33 AM' (m/d/yyyy)",
    "likert5": "an agreement answer 1-5 (Sangat Tidak Setuju, Tidak Setuju, Netral/Ragu-ragu, Setuju, Sangat Setuju)",
    "skm4": "an SKM answer 1-4 (e.g. Tidak sesuai, Kurang sesuai, Sesuai, Sangat sesuai)",
    "region": "a region name",
    "category": "one of the listed categories",
    "text": "text",
    "id": "an identifier code",
    "name": "a name",
}

#: Cell contents that mean "no data" (compared after strip and casefold).
MISSING_MARKS: frozenset[str] = frozenset(
    {"", "-", "--", "\u2013", "\u2014", "na", "n/a", "#n/a", "nan", "none", "null", "nat", "<na>"}
)


def _clean_str(value: object) -> str:
    """``str(value)`` with Unicode normalised (NFKC), non-breaking spaces and outer blanks removed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = value if isinstance(value, str) else str(value)
    s = unicodedata.normalize("NFKC", s)
    return s.replace("\u00a0", " ").replace("\ufeff", "").strip()


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and blank-like cells (``""``, ``"-"``, ``"NA"``, ``"null"``, ...).

    Examples
    --------
    >>> is_missing(" - "), is_missing("0")
    (True, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return value.strip().casefold() in MISSING_MARKS
    return False


def _key(value: object) -> str:
    """Lower-case, single-spaced, trailing dot removed: the form answers are compared in."""
    s = _clean_str(value).casefold().replace("_", " ")
    s = re.sub(r"\s+", " ", s)
    return s.rstrip(".").strip()
