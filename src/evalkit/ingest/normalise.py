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

import datetime as _dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

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
    "parse_likert5",
    "parse_skm4",
    "parse_date",
    "parse_month",
    "parse_quarter",
    "parse_semester",
    "parse_region",
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


# ---------------------------------------------------------------------------------------------- numbers

_SCI = re.compile(r"\d+(?:\.\d+)?e[+-]?\d{1,3}")
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})+"), ",": re.compile(r"\d{1,3}(?:,\d{3})+")}


def parse_number(value: object) -> float:
    """Read a number written the Indonesian way (also accepts plain and English-style numbers).

    Parameters
    ----------
    value : str or number
        e.g. ``"78,5"``, ``"1.234,5"``, ``"1.234"`` (= 1234), ``"78.5"``, ``"-3"``, ``"1 250 000"``.

    Returns
    -------
    float

    Raises
    ------
    NormaliseError
        If the text is not a number, e.g. ``"tujuh"`` or ``"1.2.3"``.

    Examples
    --------
    >>> parse_number("1.234,5"), parse_number("78,5"), parse_number("1.234"), parse_number("78.5")
    (1234.5, 78.5, 1234.0, 78.5)
    """
    if isinstance(value, bool):
        raise NormaliseError("expected a number", value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            raise NormaliseError("expected a number", value)
        return x
    s = _clean_str(value)
    if len(s) > 40:
        raise NormaliseError("expected a number", value)
    s = s.replace("\u2212", "-")
    neg = s.startswith("-")
    if s and s[0] in "+-":
        s = s[1:].lstrip()
    # spaces or apostrophes used as thousands marks between digits: "1 250 000"
    s = re.sub(r"(?<=\d)[ '](?=\d{3}\b)", "", s)
    if not s or not re.fullmatch(r"[0-9.,eE+-]+", s) or not any(c.isdigit() for c in s):
        raise NormaliseError("expected a number", value)
    if _SCI.fullmatch(s.lower()):
        x = float(s)
    else:
        if not re.fullmatch(r"[0-9.,]+", s):
            raise NormaliseError("expected a number", value)
        has_dot, has_comma = "." in s, "," in s
        if has_dot and has_comma:
            dec = "," if s.rfind(",") > s.rfind(".") else "."
            thou = "." if dec == "," else ","
            int_part, _, frac = s.rpartition(dec)
            if dec in int_part or not frac.isdigit() or not _GROUPED[thou].fullmatch(int_part):
                raise NormaliseError("expected a number (mixed or misplaced separators)", value)
            digits, frac_digits = int_part.replace(thou, ""), frac
        elif has_comma:
            if s.count(",") == 1:
                digits, _, frac_digits = s.partition(",")
            elif _GROUPED[","].fullmatch(s):
                digits, frac_digits = s.replace(",", ""), ""
            else:
                raise NormaliseError("expected a number (misplaced separators)", value)
        elif has_dot:
            if s.count(".") > 1:
                if not _GROUPED["."].fullmatch(s):
                    raise NormaliseError("expected a number (misplaced separators)", value)
                digits, frac_digits = s.replace(".", ""), ""
            else:
                digits, _, frac_digits = s.partition(".")
                if len(frac_digits) == 3 and digits not in ("", "0") and frac_digits.isdigit():
                    digits, frac_digits = digits + frac_digits, ""  # "1.234" = 1234
        else:
            digits, frac_digits = s, ""
        if not (digits or frac_digits) or not (digits.isdigit() or digits == "") or not (
            frac_digits.isdigit() or frac_digits == ""
        ):
            raise NormaliseError("expected a number", value)
        x = float(f"{digits or '0'}.{frac_digits or '0'}")
    if math.isinf(x) or math.isnan(x):
        raise NormaliseError("expected a number", value)
    return -x if neg and x != 0 else x


def parse_int(value: object) -> int:
    """Read a whole number ("12", "1.250", "12,0").

    Examples
    --------
    >>> parse_int("1.250")
    1250
    """
    x = parse_number(value)
    if not x.is_integer():
        raise NormaliseError("expected a whole number", value)
    return int(x)


_RP = re.compile(r"^(?:rp|idr)\.?\s*", re.IGNORECASE)


def parse_rupiah(value: object) -> float:
    """Read an amount in rupiah: ``"Rp1.234.567,89"``, ``"Rp 1.234.567"``, ``"1234567"``, ``"Rp 1.250.000,-"``.

    Raises
    ------
    NormaliseError
        For text that is not an amount, and for negative amounts (costs and budgets cannot be negative).

    Examples
    --------
    >>> parse_rupiah("Rp 1.250.000,-"), parse_rupiah("1234567")
    (1250000.0, 1234567.0)
    """
    if isinstance(value, str):
        s = _clean_str(value)
        neg_paren = s.startswith("(") and s.endswith(")")
        if neg_paren:
            s = s[1:-1].strip()
        s = s.replace("\u2212", "-")
        neg = s.startswith("-")
        if neg:
            s = s[1:].strip()
        s = _RP.sub("", s)
        s = re.sub(r",-{1,2}$", "", s).strip()
        if s.startswith("-"):  # "Rp-15.000.000"
            neg, s = True, s[1:].strip()
        if not s:
            raise NormaliseError("expected an amount in rupiah like 'Rp1.250.000'", value)
        try:
            x = parse_number(s)
        except NormaliseError:
            raise NormaliseError("expected an amount in rupiah like 'Rp1.250.000'", value) from None
        if neg or neg_paren or s.startswith(("-", "+")):
            x = -abs(x) if (neg or neg_paren or s.startswith("-")) else x
    else:
        try:
            x = parse_number(value)
        except NormaliseError:
            raise NormaliseError("expected an amount in rupiah like 'Rp1.250.000'", value) from None
    if x < 0:
        raise NormaliseError("negative amount (costs and budgets cannot be negative)", value)
    return x + 0.0


def parse_percent(value: object) -> float:
    """Read a percentage as a share in [0, 1]: ``"85%"`` -> 0.85, ``"85"`` -> 0.85, ``"0,85"`` -> 0.85.

    A number above 1 without a ``%`` sign is read as a percentage, a number from 0 to 1 as a share.

    Examples
    --------
    >>> parse_percent("85%"), parse_percent("85"), parse_percent("0,85")
    (0.85, 0.85, 0.85)
    """
    s = _clean_str(value) if isinstance(value, str) else value
    if isinstance(s, str) and s.endswith("%"):
        try:
            x = parse_number(s[:-1].strip()) / 100
        except NormaliseError:
            raise NormaliseError(f"expected {EXPECTED['percent']}", value) from None
    else:
        try:
            x = parse_number(s)
        except NormaliseError:
            raise NormaliseError(f"expected {EXPECTED['percent']}", value) from None
        if x > 1:
            x = x / 100
    if not 0 <= x <= 1:
        raise NormaliseError("percentage outside 0-100%", value)
    return round(x, 10)


# ---------------------------------------------------------------------------------------------- answers

_YES = frozenset({"ya", "y", "yes", "iya", "1", "1.0", "true", "benar", "sudah", "hadir", "lulus", "terdaftar",
                  "diundang", "mendaftar", "selesai", "tamat", "v", "\u2713", "\u221a"})
_NO = frozenset({"tidak", "t", "tdk", "no", "n", "0", "0.0", "false", "salah", "belum", "bukan", "tidak hadir",
                 "tidak lulus", "belum lulus", "tidak terdaftar", "tidak diundang", "tidak mendaftar",
                 "belum selesai", "tidak selesai"})


def _key(value: object) -> str:
    """Lower-case, single-spaced, trailing dot removed: the form answers are compared in."""
    s = _clean_str(value).casefold().replace("_", " ")
    s = re.sub(r"\s+", " ", s)
    return s.rstrip(".").strip()


def parse_yesno(value: object) -> bool:
    """Ya/Tidak, Y/T, Y/N, 1/0, true/false, Hadir/Tidak hadir, ... -> bool.

    Examples
    --------
    >>> parse_yesno("Ya"), parse_yesno("T"), parse_yesno("tidak hadir")
    (True, False, False)
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    k = _key(value)
    if k in _YES:
        return True
    if k in _NO:
        return False
    raise NormaliseError(f"expected {EXPECTED['yesno']}", value)


#: 5-point agreement answers (DOMAIN.md section 6) -> 1..5, compared lower-case and single-spaced.
LIKERT5: dict[str, int] = {
    "sangat tidak setuju": 1, "sts": 1,
    "tidak setuju": 2, "ts": 2,
    "netral": 3, "ragu-ragu": 3, "ragu ragu": 3, "raguragu": 3, "ragu": 3, "rr": 3, "n": 3,
    "setuju": 4, "s": 4,
    "sangat setuju": 5, "ss": 5,
    "strongly disagree": 1, "disagree": 2, "neutral": 3, "agree": 4, "strongly agree": 5,
}


def _scale_answer(value: object, table: Mapping[str, int], top: int, what: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise NormaliseError(f"expected {what}", value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, float | np.floating) and not float(value).is_integer():
            raise NormaliseError(f"expected {what}", value)
        if 1 <= value <= top:
            return int(value)
        raise NormaliseError(f"answer outside the 1-{top} scale", value)
    k = _key(value)
    if len(k) > 60:
        raise NormaliseError(f"expected {what}", value)
    if k in table:
        return table[k]
    m = re.fullmatch(r"(-?\d+)(?:[.,]0+)?", k)
    if m:
        n = int(m.group(1))
        if 1 <= n <= top:
            return n
        raise NormaliseError(f"answer outside the 1-{top} scale", value)
    # "5 - Sangat Setuju", "4. Setuju", "Sangat Setuju (5)"
    m = re.fullmatch(r"(\d)\s*[-.):=]?\s*(\D.*)", k) or None
    label, digit = (m.group(2).strip(" ()"), int(m.group(1))) if m else (None, None)
    if m is None:
        m2 = re.fullmatch(r"(.*\D)\s*\(\s*(\d)\s*\)", k)
        if m2:
            label, digit = m2.group(1).strip(), int(m2.group(2))
    if label is not None and digit is not None:
        if label in table and table[label] == digit:
            return digit
        raise NormaliseError(f"expected {what} (number and wording disagree)", value)
    raise NormaliseError(f"expected {what}", value)


def parse_likert5(value: object) -> int:
    """A 5-point agreement answer -> 1..5 (Sangat Tidak Setuju = 1 ... Sangat Setuju = 5).

    Accepts the wording (any case and spacing), the usual abbreviations SS/S/N/RR/TS/STS, the middle
    variants Netral and Ragu-ragu, and the digits 1-5. Anything else, including 0 and 6, is invalid.

    Examples
    --------
    >>> parse_likert5("Sangat Setuju"), parse_likert5(" sts "), parse_likert5("4")
    (5, 1, 4)
    """
    return _scale_answer(value, LIKERT5, 5, EXPECTED["likert5"])


_SKM_STEMS = ("sesuai", "mudah", "cepat", "puas", "kompeten", "sopan", "baik", "ramah", "jelas", "memadai",
              "lengkap", "berkualitas", "tepat", "wajar", "dikelola dengan baik", "sopan dan ramah")
_SKM4: dict[str, int] = {}
for _stem in _SKM_STEMS:
    _SKM4[f"sangat tidak {_stem}"] = 1
    _SKM4[f"tidak {_stem}"] = 1
    _SKM4[f"kurang {_stem}"] = 2
    _SKM4[_stem] = 3
    _SKM4[f"sangat {_stem}"] = 4
# cost (unsur 4): the wording runs the other way (DOMAIN.md section 1)
_SKM4.update({"sangat mahal": 1, "cukup mahal": 2, "murah": 3, "gratis": 4, "tidak dipungut biaya": 4,
              "a": 1, "b": 2, "c": 3, "d": 4})
SKM4: dict[str, int] = dict(_SKM4)


def parse_skm4(value: object) -> int:
    """An SKM answer (PermenPANRB 14/2017) -> 1..4.

    Accepts 1-4, options a-d, and the wording Tidak/Kurang/[plain]/Sangat + Sesuai, Mudah, Cepat, Puas,
    Kompeten, Sopan, Baik (and a few more); for cost: Sangat mahal = 1, Cukup mahal = 2, Murah = 3,
    Gratis = 4.

    Examples
    --------
    >>> parse_skm4("Kurang mudah"), parse_skm4("Sangat Puas"), parse_skm4("Gratis"), parse_skm4("3")
    (2, 4, 4, 3)
    """
    return _scale_answer(value, SKM4, 4, EXPECTED["skm4"])


# ---------------------------------------------------------------------------------------------- dates

#: Month names and abbreviations (Indonesian, with the variants of DOMAIN.md section 6, and English).
MONTHS_ID: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2, "febr": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "agst": 8, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "december": 12, "dec": 12,
}
_MONTH_NAMES = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                "Oktober", "November", "Desember")
_WEEKDAYS = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5,
             "minggu": 6, "ahad": 6}
_WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

_EXCEL_EPOCH = _dt.date(1899, 12, 30)
#: Excel serial day numbers accepted as dates: 1 Jan 1950 .. 31 Dec 2099.
EXCEL_SERIAL_RANGE: tuple[int, int] = (18264, 73050)
_YEAR_RANGE = (1900, 2100)

_TIME = r"(?:[ t]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
_RE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_RE_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})" + _TIME)
_RE_TEXT = re.compile(
    r"(?:([a-z']+)\s*,?\s+)?(\d{1,2})[\s./-]*([a-z]+)\.?[\s./,-]*(\d{2,4})" + _TIME
)
_RE_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
_RE_YMD8 = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _mkdate(y: int, m: int, d: int, value: object) -> _dt.date:
    if not _YEAR_RANGE[0] <= y <= _YEAR_RANGE[1]:
        raise NormaliseError(f"implausible year {y}", value)
    if not 1 <= m <= 12:
        raise NormaliseError(f"no month {m} (dates are read as day/month/year)", value)
    try:
        return _dt.date(y, m, d)
    except ValueError:
        raise NormaliseError(f"no such date: {d} {_MONTH_NAMES[m - 1]} {y}", value) from None


def _year4(ys: str, value: object) -> int:
    if len(ys) != 4:
        raise NormaliseError("two-digit years are ambiguous; write the year in full, e.g. 2024", value)
    return int(ys)


def parse_date(value: object) -> _dt.date:
    """Read a date.

    Accepts Indonesian dates with full or short month names and the common variants ("17 Agustus 2024",
    "17 Agt 2024", "5 Pebruari 2008", "17 Nopember 2023", "17-Agu-2024"), with an optional weekday that
    must agree with the date ("Jumat, 13 Januari 2012"); ISO ("2024-08-17", also with a time of day);
    day/month/year with ``/``, ``-`` or ``.``; ``YYYYMMDD``; Excel serial day numbers from 18264 (1 Jan
    1950) to 73050 (31 Dec 2099); and :class:`datetime.date` / :class:`datetime.datetime` objects.

    Raises
    ------
    NormaliseError
        For anything else and for impossible dates ("31 Februari 2023", month 13), two-digit years and
        years outside 1900-2100.

    Examples
    --------
    >>> parse_date("17 Agt 2024"), parse_date("2024-08-17"), parse_date("17/08/2024"), parse_date("45521")
    (datetime.date(2024, 8, 17), datetime.date(2024, 8, 17), datetime.date(2024, 8, 17), datetime.date(2024, 8, 17))
    """
    if isinstance(value, _dt.datetime):
        return _mkdate(value.year, value.month, value.day, value)
    if isinstance(value, _dt.date):
        return _mkdate(value.year, value.month, value.day, value)
    if isinstance(value, pd.Timestamp):
        return _mkdate(value.year, value.month, value.day, value)
    expected = f"expected {EXPECTED['date']}"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise NormaliseError(expected, value)
    s = re.sub(r"\s+", " ", _clean_str(value).casefold())
    if len(s) > 60:
        raise NormaliseError(expected, value)
    if m := _RE_ISO.fullmatch(s):
        return _mkdate(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _RE_DMY.fullmatch(s):
        d, mo, y = int(m[1]), int(m[2]), _year4(m[3], value)
        if mo > 12 and d <= 12:
            raise NormaliseError(f"no month {mo} (dates are read as day/month/year)", value)
        return _mkdate(y, mo, d, value)
    if m := _RE_TEXT.fullmatch(s):
        wd, d, mon, ys = m[1], int(m[2]), m[3], m[4]
        if mon not in MONTHS_ID:
            raise NormaliseError(f"{expected} (unknown month name {mon!r})", value)
        date = _mkdate(_year4(ys, value), MONTHS_ID[mon], d, value)
        if wd is not None:
            if wd not in _WEEKDAYS:
                raise NormaliseError(f"{expected} (unknown weekday {wd!r})", value)
            if _WEEKDAYS[wd] != date.weekday():
                raise NormaliseError(
                    f"weekday does not match the date ({format_date_id(date)} is a {_WEEKDAY_NAMES[date.weekday()]})",
                    value,
                )
        return date
    if m := _RE_SERIAL.fullmatch(s):
        n = int(m[1])
        lo, hi = EXCEL_SERIAL_RANGE
        if not lo <= n <= hi:
            raise NormaliseError(f"{expected} (Excel serial day numbers must lie in {lo}-{hi})", value)
        return _EXCEL_EPOCH + _dt.timedelta(days=n)
    if m := _RE_YMD8.fullmatch(s):
        return _mkdate(int(m[1]), int(m[2]), int(m[3]), value)
    raise NormaliseError(expected, value)


def format_date_id(date: _dt.date) -> str:
    """Format a date the Indonesian way.

    Examples
    --------
    >>> import datetime
    >>> format_date_id(datetime.date(2024, 8, 17))
    '17 Agustus 2024'
    """
    return f"{date.day} {_MONTH_NAMES[date.month - 1]} {date.year}"


_RE_MONTH_TEXT = re.compile(r"([a-z]+)\.?[\s./,-]*(\d{4})")
_RE_MONTH_YM = re.compile(r"(\d{4})[-/.](\d{1,2})")
_RE_MONTH_MY = re.compile(r"(\d{1,2})[-/.](\d{4})")


def parse_month(value: object) -> _dt.date:
    """Read a calendar month -> the first day of that month.

    Accepts "Januari 2023", "Jan-2023", "Pebruari 2023", "2023-01", "01/2023", and full dates (truncated
    to their month).

    Examples
    --------
    >>> parse_month("Januari 2023"), parse_month("2023-01")
    (datetime.date(2023, 1, 1), datetime.date(2023, 1, 1))
    """
    expected = f"expected {EXPECTED['month']}"
    if isinstance(value, str):
        s = re.sub(r"\s+", " ", _clean_str(value).casefold())
        if len(s) > 60:
            raise NormaliseError(expected, value)
        m = _RE_MONTH_TEXT.fullmatch(s)
        if m:
            if m[1] not in MONTHS_ID:
                raise NormaliseError(f"{expected} (unknown month name {m[1]!r})", value)
            return _mkdate(int(m[2]), MONTHS_ID[m[1]], 1, value)
        m = _RE_MONTH_YM.fullmatch(s)
        if m:
            return _mkdate(int(m[1]), int(m[2]), 1, value)
        m = _RE_MONTH_MY.fullmatch(s)
        if m:
            return _mkdate(int(m[2]), int(m[1]), 1, value)
    try:
        d = parse_date(value)
    except NormaliseError:
        raise NormaliseError(expected, value) from None
    return d.replace(day=1)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Q_TOKEN = r"(?:q|tw|trw|triwulan|kuartal|quarter)\s*[-.]?\s*(iv|iii|ii|i|[1-4])"
_S_TOKEN = r"(?:s|sem|smt|semester)\s*[-.]?\s*(ii|i|[12])"
_YEAR = r"(?:tahun\s*|th\.?\s*)?(\d{4})"
_SEP = r"[\s/,-]*"


def _period(value: object, token: str, expected: str) -> tuple[int, int]:
    if not isinstance(value, str):
        raise NormaliseError(expected, value)
    s = re.sub(r"\s+", " ", _clean_str(value).casefold())
    if len(s) > 40:
        raise NormaliseError(expected, value)
    m = re.fullmatch(_YEAR + _SEP + token, s)
    if m:
        year, part = int(m[1]), _ROMAN[m[2]]
    else:
        m = re.fullmatch(token + _SEP + _YEAR, s)
        if not m:
            raise NormaliseError(expected, value)
        part, year = _ROMAN[m[1]], int(m[2])
    if not _YEAR_RANGE[0] <= year <= _YEAR_RANGE[1]:
        raise NormaliseError(f"implausible year {year}", value)
    return year, part


def parse_quarter(value: object) -> str:
    """Read a quarter -> ``"YYYYQn"``.

    Accepts "2023-Q1", "2023Q1", "Q1 2023", "Triwulan I 2023", "Triwulan 1 Tahun 2023", "TW 1 2023",
    "TW I/2023", "Kuartal 1 2023".

    Examples
    --------
    >>> parse_quarter("Triwulan IV 2023"), parse_quarter("TW 1 2023"), parse_quarter("2023-Q2")
    ('2023Q4', '2023Q1', '2023Q2')
    """
    year, q = _period(value, _Q_TOKEN, f"expected {EXPECTED['quarter']}")
    return f"{year}Q{q}"


def parse_semester(value: object) -> str:
    """Read a semester -> ``"YYYYSn"``.

    Examples
    --------
    >>> parse_semester("Semester I 2024"), parse_semester("2024-S2"), parse_semester("Semester 2 Tahun 2023")
    ('2024S1', '2024S2', '2023S2')
    """
    year, s = _period(value, _S_TOKEN, f"expected {EXPECTED['semester']}")
    return f"{year}S{s}"


# ---------------------------------------------------------------------------------------------- regions

_LEVEL_WORD = {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota", "kecamatan": "Kecamatan"}


@functools.lru_cache(maxsize=8)
def _region_names(items: tuple[tuple[str, tuple[str, str | None, str]], ...]) -> dict[str, str]:
    """Kemendagri code -> the caller's own name, for a ``regions`` table of :func:`parse_region`."""
    from evalkit.ingest.regions import RegionError, match_region

    out: dict[str, str] = {}
    for name, (level, parent, province) in items:
        word = _LEVEL_WORD.get(level)
        text = f"{word} {name}" if word and not name.casefold().startswith(word.casefold()) else name
        try:
            m = match_region(text, within=[w for w in (parent, province) if w and w != name])
        except RegionError as e:
            raise NormaliseError(f"region table: {name!r} is not a {level or 'region'} of Indonesia ({e.reason})")
        out[m.code] = name
    return out


def parse_region(value: object, regions: Mapping[str, tuple[str, str | None, str]] | None = None) -> str:
    """A provinsi, kabupaten/kota or kecamatan of Indonesia in any common spelling -> its canonical name.

    The canonical name is the region's short display name from the Kemendagri list
    (:attr:`evalkit.ingest.regions.RegionMatch.display`): "Mamuju", "Batanghari", "DKI Jakarta",
    "Bukittinggi", "Jakarta Selatan", and the full name where a short one would be shared ("Kabupaten
    Bekasi", "Kota Bekasi"). Prefixes (Kab./Kabupaten/Kota/Prov./Provinsi/Kec.), case, dots and spaces are
    ignored, joined and split words are equal, and codes are read ("76.02", "7602"); see
    :func:`evalkit.ingest.regions.match_region` for every rule. Parts after a comma name the larger area
    ("Ampenan, Kota Mataram"); text in parentheses is ignored. Names are matched whole, so "Mamuju Tengah"
    (a different kabupaten) is not Mamuju.

    Parameters
    ----------
    value : str or int
    regions : mapping, optional
        Canonical name -> (level, parent, province) of regions to be called by the caller's own name
        instead of the display name (the shape of ``config.REGIONS``). Every other region keeps its
        display name; this is a naming table, not a list of allowed regions.

    Raises
    ------
    NormaliseError
        For an unknown name ("unknown region: ...; closest: ...") and for an ambiguous one ("ambiguous
        region 'Bekasi': 2 places have this name (...)"), naming the candidates.

    Examples
    --------
    >>> parse_region("Kec. Ampenan"), parse_region("Ampenan, Kota Mataram"), parse_region("KAB. MAMUJU")
    ('Ampenan', 'Ampenan', 'Mamuju')
    >>> parse_region("Kota Bekasi"), parse_region("3216"), parse_region("Kota Adm. Jakarta Selatan")
    ('Kota Bekasi', 'Kabupaten Bekasi', 'Jakarta Selatan')
    """
    from evalkit.ingest.regions import RegionError, match_region

    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        value = str(value)
    if not isinstance(value, str):
        raise NormaliseError("unknown region: expected a region name or code", value)
    s = re.sub(r"\([^)]*\)", " ", _clean_str(value)).strip(" ,")
    if not s or len(s) > 100:
        raise NormaliseError("unknown region: expected a region name or code", value)
    try:
        m = match_region(s)
    except RegionError as e:
        raise NormaliseError(e.reason, value) from None
    if regions:
        return _region_names(tuple(regions.items())).get(m.code, m.display)
    return m.display


# ---------------------------------------------------------------------------------------------- categories


def _cat_key(value: object) -> str:
    return re.sub(r"\s+", "", _clean_str(value).casefold())


def parse_category(value: object, levels: Sequence[str], value_map: Mapping[str, str] | None = None) -> str:
    """One of ``levels``, after mapping synonyms in ``value_map``; case and spaces are ignored.

    Examples
    --------
    >>> parse_category("tatap muka", ["klasikal", "e-learning"], {"tatap muka": "klasikal"})
    'klasikal'
    >>> parse_category(" III / a ", ["III/a", "III/b"])
    'III/a'
    """
    table = {_cat_key(v): v for v in levels}
    for k, v in (value_map or {}).items():
        table.setdefault(_cat_key(k), v)
    if not isinstance(value, str):
        value = str(value)
    k = _cat_key(value)
    if k in table:
        return table[k]
    shown = ", ".join(levels)
    raise NormaliseError(f"expected one of: {shown}", value)


def parse_text(value: object) -> str:
    """Free text: Unicode-normalised (NFC) and stripped."""
    s = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFC", s).replace("\ufeff", "").strip()


def parse_id(value: object) -> str:
    """An identifier code: stripped, inner blanks collapsed, upper-cased ("pel-001 " -> "PEL-001")."""
    s = re.sub(r"\s+", " ", _clean_str(value)).upper()
    if not s:
        raise NormaliseError("empty identifier", value)
    return s


# ---------------------------------------------------------------------------------------------- formatters


def format_number_id(x: float, decimals: int = 2) -> str:
    """Format a number the Indonesian way.

    Examples
    --------
    >>> format_number_id(1234567.89)
    '1.234.567,89'
    >>> format_number_id(-0.5, 1)
    '-0,5'
    """
    if math.isnan(x) or math.isinf(x):
        raise ValueError("cannot format NaN or infinity")
    s = f"{abs(x):,.{decimals}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    return ("-" if x < 0 and float(s.replace(".", "").replace(",", ".")) != 0 else "") + s


def format_rupiah(x: float, decimals: int = 2) -> str:
    """Format an amount in rupiah as glibc's id_ID locale does ("Rp" with no space).

    Examples
    --------
    >>> format_rupiah(1234567.89), format_rupiah(1250000, 0)
    ('Rp1.234.567,89', 'Rp1.250.000')
    """
    return "Rp" + format_number_id(x, decimals)


# ---------------------------------------------------------------------------------------------- per field


def _bounded(parse: Callable[[Any], Any], bounds: tuple[float | None, float | None]) -> Callable[[Any], Any]:
    lo, hi = bounds
    if lo is None and hi is None:
        return parse

    def f(value: Any) -> Any:
        x = parse(value)
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            rng = f"{'' if lo is None else f'{lo:g}'}-{'' if hi is None else f'{hi:g}'}"
            if hi is None:
                rng = f"at least {lo:g}"
            elif lo is None:
                rng = f"at most {hi:g}"
            raise NormaliseError(f"value {x:g} outside the allowed range {rng}", value)
        return x

    return f


def parser_for(field: Any) -> Callable[[Any], Any]:
    """The scalar parser for a :class:`~evalkit.ingest.spec.Field` (bounds included).

    ``nip`` fields return the 18-digit string (validated by :func:`evalkit.ingest.nip.parse_nip`);
    ``name`` fields return stripped text.

    Examples
    --------
    >>> from evalkit.ingest.spec import RAW_TABLES
    >>> parser_for(RAW_TABLES["tests"].field("pre_score"))("78,5")
    78.5
    """
    kind = field.kind
    if kind == "nip":
        from evalkit.ingest.nip import parse_nip

        def p_nip(value: Any) -> str:
            try:
                return parse_nip(value).digits
            except ValueError as e:
                raise NormaliseError(str(e)) from None

        return p_nip
    simple: dict[str, Callable[[Any], Any]] = {
        "name": parse_text, "text": parse_text, "id": parse_id, "region": parse_region, "date": parse_date,
        "month": parse_month, "quarter": parse_quarter, "semester": parse_semester, "rupiah": parse_rupiah,
        "int": parse_int, "float": parse_number, "percent": parse_percent, "yesno": parse_yesno,
        "likert5": parse_likert5, "skm4": parse_skm4,
    }
    if kind == "category":
        levels, vmap = tuple(field.levels or ()), dict(field.value_map)

        def p_cat(value: Any) -> str:
            return parse_category(value, levels, vmap)

        return p_cat
    if kind not in simple:
        raise KeyError(f"unknown value kind {kind!r}")
    return _bounded(simple[kind], tuple(field.bounds))


_NIP_PLAIN = r"^(?:[0-9]{18}|[0-9]{8} [0-9]{6} [0-9] [0-9]{3})$"


def _nip_fast(uniques: np.ndarray) -> list[str | None]:
    """The 18 digits of each value that is plainly a valid NIP (18 ASCII digits, or printed with the usual
    single spaces ``19850317 201001 2 004``) and passes every check of :func:`evalkit.ingest.nip.parse_nip`,
    else None (those values go through ``parse_nip`` itself, for its exact message). Vectorised."""
    out: list[str | None] = [None] * len(uniques)
    pos, digits = _nip_fast_pos(uniques)
    for k, v in zip(pos.tolist(), digits, strict=True):
        out[k] = v
    return out


def _nip_fast_pos(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_nip_fast` as (positions of the plainly valid NIPs, their digits as an object array)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from evalkit.ingest import nip as _nip

    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":  # (every value a str: the usual case)
        is_str = np.ones(len(uniques), dtype=bool)
    else:
        is_str = np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques))
    if not is_str.any():
        return none
    pos = np.flatnonzero(is_str)
    arr = pa.array(uniques[pos], type=pa.string())
    plain = pc.match_substring_regex(arr, _NIP_PLAIN).to_numpy(zero_copy_only=False)
    pos, arr = pos[plain], arr.filter(pa.array(plain))
    if not len(pos):
        return none
    digits = pc.replace_substring(arr, " ", "")
    if digits.offset:  # pragma: no cover - a fresh array has offset 0
        return none
    d = np.frombuffer(digits.buffers()[2], dtype=np.uint8)[: 18 * len(pos)].reshape(-1, 18) - np.uint8(48)

    def num(a: int, b: int) -> np.ndarray:
        v = np.zeros(len(d), dtype=np.int64)
        for k in range(a, b):
            v = v * 10 + d[:, k]
        return v

    by, bm, bd, ty, tm, g = num(0, 4), num(4, 6), num(6, 8), num(8, 12), num(12, 14), d[:, 14]
    ok = (bm >= 1) & (bm <= 12) & (bd >= 1) & (by >= _nip._BIRTH_YEARS[0]) & (by <= _nip._BIRTH_YEARS[1])
    month_start = (np.clip(by, 1, 9998) - 1970).astype("datetime64[Y]").astype("datetime64[M]") + \
        (np.clip(bm, 1, 12) - 1).astype("timedelta64[M]")
    days_in_month = ((month_start + np.timedelta64(1, "M")).astype("datetime64[D]")
                     - month_start.astype("datetime64[D]")).astype(np.int64)
    ok &= bd <= days_in_month
    ok &= (tm >= 1) & (tm <= 12) & (ty >= _nip._TMT_YEARS[0]) & (ty <= _nip._TMT_YEARS[1])
    months = (ty - by) * 12 + (tm - bm)
    ok &= (months >= _nip.MIN_AGE_AT_APPOINTMENT * 12) & (months <= _nip.MAX_AGE_AT_APPOINTMENT * 12)
    ok &= (g == 1) | (g == 2)
    return pos[ok], np.asarray(digits.filter(pa.array(ok)).to_numpy(zero_copy_only=False), dtype=object)


def normalise_series(series: pd.Series, field: Any) -> tuple[pd.Series, pd.Series]:
    """Normalise a whole column by its field's kind.

    Each distinct value is parsed once. Missing cells (see :func:`is_missing`) give ``None`` with no error;
    for ``text`` fields a blank cell is missing too.

    Parameters
    ----------
    series : pandas.Series
        Raw cells (strings).
    field : Field
        Its spec field.

    Returns
    -------
    values, errors : pandas.Series
        Both object dtype with the same index: the clean values (``None`` where missing or invalid) and the
        reason for each invalid cell (``None`` where fine).

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.ingest.spec import RAW_TABLES
    >>> v, e = normalise_series(pd.Series(["Setuju", "SS", "7", ""]), RAW_TABLES["reaction"].field("overall"))
    >>> v.tolist(), e.notna().tolist()
    ([4, 5, None, None], [False, False, True, False])
    """
    c = normalise_coded(series, field)
    return (pd.Series(c.values[c.codes], index=series.index, dtype=object),
            pd.Series(c.errors[c.codes], index=series.index, dtype=object))


@dataclass(frozen=True)
class Coded:
    """A normalised column kept as codes into its distinct values (what :func:`normalise_coded` returns).

    ``cells``, ``values`` and ``errors`` have one entry per distinct raw cell plus a last one for code ``-1``
    (a missing cell: ``None``, ``None``, ``None``), so ``values[codes]`` is the column of clean values and
    ``errors[codes]`` the reason of each invalid cell, by numpy's negative indexing. Values of different
    cells may be equal (``"S"`` and ``"Setuju"`` are both 4).
    """

    codes: np.ndarray
    cells: np.ndarray
    values: np.ndarray
    errors: np.ndarray


def normalise_coded(series: pd.Series, field: Any) -> Coded:
    """:func:`normalise_series` without expanding to one Python object per row: the codes of the raw cells
    and, per distinct cell, its clean value and error. Each distinct value is parsed once."""
    parse = parser_for(field)
    if isinstance(series.dtype, pd.CategoricalDtype):  # distinct values already known (large-file reader)
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories.to_numpy(dtype=object)
    else:
        codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
    n_u = len(uniques)
    cells = np.full(n_u + 1, None, dtype=object)
    cells[:n_u] = uniques
    vals = np.full(n_u + 1, None, dtype=object)  # the last one: for code -1 (a missing cell)
    errs = np.full(n_u + 1, None, dtype=object)
    todo: Any = range(n_u)
    if field.kind == "nip" and n_u > 1000:  # plainly valid NIPs in bulk: the same digits as parse_nip
        fast_pos, fast_digits = _nip_fast_pos(uniques)
        vals[fast_pos] = fast_digits
        rest = np.ones(n_u, dtype=bool)
        rest[fast_pos] = False
        todo = np.flatnonzero(rest).tolist()
    for j in todo:
        u = uniques[j]
        if is_missing(u):
            continue
        try:
            vals[j] = parse(u)
        except NormaliseError as e:
            errs[j] = e.reason
        except Exception as e:  # pragma: no cover - a parser bug must not stop a run
            errs[j] = f"could not read the value ({type(e).__name__})"
    return Coded(np.asarray(codes), cells, vals, errs)
