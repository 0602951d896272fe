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

    A number above 1 without a ``%`` sign is read as a percentage, a number from 0 to 1 as a share. So a bare
    ``"1"`` is a share of 1 = 100%, not 1%: a cell formatted as a percentage in Excel holds the share
    (it shows "100%" and is read as 1), and a column of shares ends in 1 for everyone who was always there,
    while an attendance of 1% is implausible. Write "1%" for one percent. (A value in (0, 1] in a column of
    0-100 percentages, "0,5" meaning half a percent, cannot be told apart from a share either; such columns
    are rare and the same rule applies.)

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
                  "diundang", "mendaftar", "selesai", "tamat", "v", "\u2713", "\u2714", "\u221a", "\u2611",
                  "\u2705"})
_NO = frozenset({"tidak", "t", "tdk", "no", "n", "0", "0.0", "false", "salah", "belum", "bukan", "tidak hadir",
                 "tidak lulus", "belum lulus", "tidak terdaftar", "tidak diundang", "tidak mendaftar",
                 "belum selesai", "tidak selesai"})


def _key(value: object) -> str:
    """Lower-case, single-spaced, trailing dot removed: the form answers are compared in."""
    s = _clean_str(value).casefold().replace("_", " ")
    s = re.sub(r"\s+", " ", s)
    return s.rstrip(".").strip()


def parse_yesno(value: object) -> bool:
    """Ya/Tidak, Y/T, Y/N, 1/0, true/false, Hadir/Tidak hadir, a tick (v, \u2713, \u2714, \u221a), ... -> bool.

    Presensi codes ("H", "S", "DL", ...) are not read here: they mean something only on an attendance
    sheet, and :func:`parser_for` gives the ``attended`` field :func:`parse_attended`, which reads them.

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


# ---------------------------------------------------------------------------------------------- presensi

_CROSSES = frozenset({"x", "\u2717", "\u2718", "\u00d7", "\u274c", "\u2716"})
_NOT_PRESENT = r"(?:tidak hadir|tdk hadir|absen)"


@functools.lru_cache(maxsize=1)
def _presensi_table() -> dict[str, tuple[str, str | None]]:
    """Spelling (as :func:`_key` gives it) -> (code, reason for absence or None for H)."""
    from evalkit.ingest.spec import PRESENSI

    out: dict[str, tuple[str, str | None]] = {}
    for code, spellings, reason in PRESENSI:
        for text in (code, *spellings):
            out[_key(text)] = (code, reason)
    return out


def parse_presensi(value: object) -> tuple[bool, str | None]:
    """An attendance-sheet cell -> (attended, reason for absence).

    Reads the presensi codes of DOMAIN.md ("Files as offices keep them"), in any case, as a code, a word or
    both ("S", "Sakit", "S - Sakit", "Sakit (S)", "Tidak hadir - Sakit"):

    ========================================  ========  ==========================
    cell                                      attended  reason
    ========================================  ========  ==========================
    H, Hadir, v/V, \u2713, \u2714, \u221a, \u2611        True      None
    I, Izin, Ijin                             False     "Izin"
    S, Sakit                                  False     "Sakit"
    A, Alpa, Alpha, Alfa, TK, Tanpa Ket...    False     "Alpa (tanpa keterangan)"
    DL, Dinas Luar                            False     "Dinas Luar"
    C, Cuti                                   False     "Cuti"
    TB, Tugas Belajar                         False     "Tugas Belajar"
    ========================================  ========  ==========================

    Anything :func:`parse_yesno` reads (Ya/Tidak, 1/0, "Tidak hadir") gives that answer and no reason. A
    cross ("x", "\u2717") is refused: some sheets cross out the absent, others mark the present with it, so
    only ticks and H/Hadir count as attended (DOMAIN.md names the tick, never the cross). The reasons are the
    labels of :data:`evalkit.ingest.spec.PRESENSI`.

    Raises
    ------
    NormaliseError
        For other text, a cross, and a code whose wording disagrees ("S - Izin").

    Examples
    --------
    >>> parse_presensi("H"), parse_presensi("S"), parse_presensi("DL - Dinas Luar"), parse_presensi("Tidak")
    ((True, None), (False, 'Sakit'), (False, 'Dinas Luar'), (False, None))
    """
    expected = f"expected {EXPECTED['presensi']}"
    if isinstance(value, (bool, np.bool_)):
        return bool(value), None
    k = _key(value)
    if len(k) > 60:
        raise NormaliseError(expected, value)
    table = _presensi_table()
    hit = table.get(k)
    if hit is None:
        # "S - Sakit", "S: Sakit", "S. Sakit", "Sakit (S)", "(S) Sakit"
        m = (re.fullmatch(r"\(?([a-z]{1,2})\s*(?:[-:=.)]|\s)\s*(.+)", k)
             or re.fullmatch(r"(.+?)\s*[(\[]\s*([a-z]{1,2})\s*[)\]]", k))
        if m:
            a, b = (m[1], m[2]) if len(m[1]) <= 2 else (m[2], m[1])
            ca, cb = table.get(a), table.get(b.strip(" -:"))
            if ca is not None and cb is not None and len(a) <= 2:
                if ca[0] != cb[0]:
                    raise NormaliseError("presensi code and wording disagree", value)
                hit = ca
        if hit is None:
            # "Tidak hadir - Sakit", "Tidak hadir (sakit)", "tidak hadir karena dinas luar"
            m = re.fullmatch(_NOT_PRESENT + r"\s*(?:[-:,(]|karena|krn)?\s*(.+?)\)?", k)
            if m and m[1] in table and table[m[1]][1] is not None:
                hit = table[m[1]]
    if hit is not None:
        return hit[1] is None, hit[1]
    if k in _CROSSES:
        raise NormaliseError(
            "a cross is ambiguous on an attendance sheet (absent on some sheets, present on others): write H "
            "for hadir or the reason's code (I, S, A, DL, C, TB)", value)
    try:
        return parse_yesno(value), None
    except NormaliseError:
        raise NormaliseError(expected, value) from None


def parse_attended(value: object) -> bool:
    """Whether a person attended: :func:`parse_yesno` plus the presensi codes of :func:`parse_presensi`.

    The parser of the ``attended`` field (see :data:`evalkit.ingest.spec.PRESENSI_FIELDS`); the reason a code
    carries is filled into ``reason_absent`` by :func:`fill_reason_from_presensi`.

    Examples
    --------
    >>> parse_attended("H"), parse_attended("\u2714"), parse_attended("I"), parse_attended("Ya")
    (True, True, False, True)
    """
    return parse_presensi(value)[0]


def fill_reason_from_presensi(attended: pd.Series, reason: pd.Series | None = None) -> pd.Series:
    """The ``reason_absent`` column, with the reason of each presensi code in ``attended`` filled in where the
    reason cell is missing or blank (or there is no reason column at all).

    Works on raw cells (before normalising) and parses each distinct ``attended`` cell once; categorical
    columns are fine. A reason the office wrote is never replaced. Where ``attended`` is not a code with a
    reason (Ya, Tidak, H, a typo: its error is reported by the ``attended`` field's own parser), a blank
    reason cell becomes ``None`` (missing) and any other is kept as it was.

    Parameters
    ----------
    attended : pandas.Series
        Raw cells of the ``attended`` column ("H", "S", "Ya", "DL - Dinas Luar", ...).
    reason : pandas.Series, optional
        Raw cells of the ``reason_absent`` column, same index; ``None`` when the file has no such column.

    Returns
    -------
    pandas.Series
        Object dtype, same index as ``attended``.

    Examples
    --------
    >>> import pandas as pd
    >>> fill_reason_from_presensi(pd.Series(["H", "S", "I", "Tidak"]), pd.Series(["", "", "Keluarga", ""])).tolist()
    [None, 'Sakit', 'Keluarga', None]
    """
    codes, uniq = pd.factorize(np.asarray(attended, dtype=object), use_na_sentinel=True)
    found = np.full(len(uniq) + 1, None, dtype=object)  # the last one for code -1 (a missing cell)
    for j, u in enumerate(uniq):
        if is_missing(u):
            continue
        try:
            found[j] = parse_presensi(u)[1]
        except NormaliseError:
            pass
    filled = found[codes]
    if reason is None:
        return pd.Series(filled, index=attended.index, dtype=object)
    rcodes, runiq = pd.factorize(np.asarray(reason, dtype=object), use_na_sentinel=True)
    blank_u = np.ones(len(runiq) + 1, dtype=bool)
    blank_u[: len(runiq)] = [is_missing(u) or (isinstance(u, str) and not u.strip()) for u in runiq]
    out = np.where(blank_u[rcodes], filled, np.asarray(reason, dtype=object))
    return pd.Series(out, index=attended.index, dtype=object)


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
    both = _label_value(k, table)
    if both is not None:
        return both
    m = re.fullmatch(r"(-?\d+)(?:[.,]0+)?", k)
    if m:
        n = int(m.group(1))
        if 1 <= n <= top:
            return n
        raise NormaliseError(f"answer outside the 1-{top} scale", value)
    # "5 - Sangat Setuju", "4. Setuju", "(5) Sangat Setuju", "Sangat Setuju (5)", "Sangat Setuju - 5"
    m = re.fullmatch(r"\(?(\d)\s*[-.):=]?\s*(\D.*)", k) or None
    label, digit = (m.group(2).strip(" ()"), int(m.group(1))) if m else (None, None)
    if m is None:
        m2 = re.fullmatch(r"(.*\D)\s*\(\s*(\d)\s*\)", k) or re.fullmatch(r"(.*[^\d\s-])\s*[-:=]\s*(\d)", k)
        if m2:
            label, digit = m2.group(1).strip(), int(m2.group(2))
    if label is not None and digit is not None:
        if _label_value(label, table) == digit:
            return digit
        raise NormaliseError(f"expected {what} (number and wording disagree)", value)
    raise NormaliseError(f"expected {what}", value)


def _label_value(label: str, table: Mapping[str, int]) -> int | None:
    """The value of a label, also of a bilingual one whose halves agree ("Setuju / Agree"); else None."""
    if label in table:
        return table[label]
    if "/" in label:
        vals = {table.get(p.strip()) for p in label.split("/")}
        if len(vals) == 1 and None not in vals:
            return vals.pop()
    return None


def parse_likert5(value: object) -> int:
    """A 5-point agreement answer -> 1..5 (Sangat Tidak Setuju = 1 ... Sangat Setuju = 5).

    Accepts the wording (any case and spacing), the usual abbreviations SS/S/N/RR/TS/STS, the middle
    variants Netral and Ragu-ragu, the English labels (Strongly disagree ... Strongly agree), the digits 1-5,
    and the labels Google Forms and Kobo write with their number or in two languages: "5 - Sangat Setuju",
    "5. Sangat setuju", "(5) Sangat setuju", "Sangat setuju (5)", "Sangat setuju - 5", "Setuju / Agree"
    (the number and the wording must agree). Anything else, including 0 and 6, is invalid.

    Examples
    --------
    >>> parse_likert5("Sangat Setuju"), parse_likert5(" sts "), parse_likert5("4"), parse_likert5("Sangat setuju (5)")
    (5, 1, 4, 5)
    """
    return _scale_answer(value, LIKERT5, 5, EXPECTED["likert5"])


_SKM_STEMS = ("sesuai", "mudah", "cepat", "puas", "kompeten", "sopan", "baik", "ramah", "jelas", "memadai",
              "lengkap", "berkualitas", "tepat", "wajar", "sopan dan ramah")
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
# complaint handling (unsur 8): options a-d of the model questionnaire, not the graded "Tidak/Kurang/-/Sangat"
# pattern ("Dikelola dengan baik" is d = 4, not "baik" = 3). "Tidak ada" (a) only with ``unsur=8``.
_SKM4.update({"ada tetapi tidak berfungsi": 2, "berfungsi kurang maksimal": 3, "dikelola dengan baik": 4})
SKM4: dict[str, int] = dict(_SKM4)


@functools.lru_cache(maxsize=32)
def _skm_unsur(unsur: str | int) -> str:
    """The canonical column of an unsur given as column ("u8_pengaduan"), number (8, "8", "U8") or name."""
    from evalkit.ingest.spec import SKM_UNSUR

    if isinstance(unsur, int) and not isinstance(unsur, bool) and 1 <= unsur <= len(SKM_UNSUR):
        return SKM_UNSUR[unsur - 1][0]
    k = _key(unsur)
    m = re.fullmatch(r"(?:u|unsur)?\s*(\d)", k)
    if m and 1 <= int(m[1]) <= len(SKM_UNSUR):
        return SKM_UNSUR[int(m[1]) - 1][0]
    for col, aliases in SKM_UNSUR:
        if k == _key(col) or k in {_key(a) for a in aliases}:
            return col
    raise KeyError(f"unknown SKM unsur {unsur!r} (expected u1_persyaratan ... u9_sarana or 1-9)")


@functools.lru_cache(maxsize=16)
def _skm_table(column: str) -> dict[str, int]:
    """:data:`SKM4` with the unsur's own four options (id and en labels, XML names) on top."""
    from evalkit.ingest.spec import ANSWER_MAPS

    table = dict(SKM4)
    for k, v in ANSWER_MAPS.get("skm", {}).get(column, {}).items():
        table[_key(k)] = int(v)
    return table


def parse_skm4(value: object, unsur: str | int | None = None) -> int:
    """An SKM answer (PermenPANRB 14/2017) -> 1..4.

    Accepts 1-4, options a-d (also "d. Dikelola dengan baik"), and the wording Tidak/Kurang/[plain]/Sangat
    + Sesuai, Mudah, Cepat, Puas, Kompeten, Sopan, Baik (and a few more); for cost: Sangat mahal = 1, Cukup
    mahal = 2, Murah = 3, Gratis = 4; for complaint handling: Ada tetapi tidak berfungsi = 2, Berfungsi kurang
    maksimal = 3, Dikelola dengan baik = 4.

    Parameters
    ----------
    value : str or number
    unsur : str or int, optional
        The unsur the answer belongs to (canonical column such as ``"u8_pengaduan"``, its number 1-9 or its
        name). Its own four options of the model questionnaire (:data:`evalkit.ingest.spec.SKM_QUESTIONS`,
        Indonesian and English labels) are then read first: unsur 8 "Tidak ada" = 1, unsur 9 "Buruk" = 1 and
        "Cukup" = 2, which are not SKM answers without their unsur. :func:`parser_for` passes the column of
        an SKM field. An unknown unsur is a programming error: :class:`KeyError`.

    Examples
    --------
    >>> parse_skm4("Kurang mudah"), parse_skm4("Sangat Puas"), parse_skm4("Gratis"), parse_skm4("3")
    (2, 4, 4, 3)
    >>> parse_skm4("Tidak ada", unsur=8), parse_skm4("Dikelola dengan baik", unsur="u8_pengaduan")
    (1, 4)
    """
    table = SKM4 if unsur is None else _skm_table(_skm_unsur(unsur))
    if isinstance(value, str):
        m = re.fullmatch(r"\(?([a-d])\s*[.)]\s*(.+)", _key(value))  # "d. Dikelola dengan baik", "(b) Kurang mudah"
        if m:
            n = "abcd".index(m[1]) + 1
            if _label_value(m[2].strip(), table) == n:
                return n
            raise NormaliseError(f"expected {EXPECTED['skm4']} (option letter and wording disagree)", value)
    return _scale_answer(value, table, 4, EXPECTED["skm4"])


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


# ---------------------------------------------------------------------------------------------- timestamps

_RE_STAMP = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ ,t]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?(?:\s*([ap])\.?\s*m\.?)?)?")
_RE_STAMP_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?)?"
                           r"(?:z|[+-]\d{2}:?\d{2})?")
_RE_STAMP_SERIAL = re.compile(r"(\d{5})(?:[.,](\d+))?")
_LOCALE_ORDER = {
    "id": "dmy", "id_id": "dmy", "id-id": "dmy", "indonesia": "dmy", "indonesian": "dmy", "dmy": "dmy",
    "d/m/y": "dmy", "en_gb": "dmy", "en-gb": "dmy",
    "en": "mdy", "en_us": "mdy", "en-us": "mdy", "english": "mdy", "mdy": "mdy", "m/d/y": "mdy",
}


def _order(locale: str | None) -> str | None:
    if locale is None:
        return None
    o = _LOCALE_ORDER.get(str(locale).strip().casefold())
    if o is None:
        raise ValueError(f"unknown locale {locale!r}: use 'id' (d/m/yyyy), 'en' (m/d/yyyy), 'dmy' or 'mdy'")
    return o


def parse_timestamp(value: object, locale: str | None = None) -> _dt.datetime:
    """Read the timestamp of a Google Forms response sheet ("Timestamp" / "Stempel waktu") -> datetime.

    Accepts ``d/m/yyyy H:MM:SS`` (Indonesian locale, 24-hour; ``.`` also separates the time),
    ``m/d/yyyy h:mm:ss AM/PM`` and ``m/d/yyyy H:mm:ss`` (English locale), ISO ("2024-01-13 09:05:33",
    a ``T``, a ``Z`` or an offset, which is dropped: the result is the wall-clock time as written), Excel
    serial day numbers with a fraction (a timestamp cell read as a number) and datetime objects.

    Parameters
    ----------
    value : str, datetime or number
    locale : {"id", "en", "dmy", "mdy", None}
        The day/month order of slashed dates: "id" (Indonesian, also "id_ID", "dmy") reads d/m/yyyy, "en"
        ("en_US", "mdy") reads m/d/yyyy. ``None``: a value whose first number is above 12 is d/m, whose
        second is above 12 is m/d; when both are 12 or less it is m/d with AM/PM (the English locale's
        format) and d/m without (the Indonesian locale's). For a whole column use
        :func:`timestamp_order` (or :func:`parse_timestamp_column`), which decides the order from the
        values that show it and reports when they cannot.

    Raises
    ------
    NormaliseError
        For anything else, impossible dates and times, and a value that contradicts the given ``locale``.
    ValueError
        For an unknown ``locale`` (an argument error, not a bad value).

    Examples
    --------
    >>> parse_timestamp("13/01/2024 9:05:33")
    datetime.datetime(2024, 1, 13, 9, 5, 33)
    >>> parse_timestamp("1/13/2024 9:05:33 PM")
    datetime.datetime(2024, 1, 13, 21, 5, 33)
    >>> parse_timestamp("2/1/2024 9:05:33", locale="en")
    datetime.datetime(2024, 2, 1, 9, 5, 33)
    """
    order = _order(locale)
    expected = f"expected {EXPECTED['timestamp']}"
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            raise NormaliseError(expected, value)
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        x = float(value)
        lo, hi = EXCEL_SERIAL_RANGE
        if not (math.isfinite(x) and lo <= x < hi + 1):
            raise NormaliseError(f"{expected} (Excel serial day numbers must lie in {lo}-{hi})", value)
        stamp = _dt.datetime(1899, 12, 30) + _dt.timedelta(days=x)
        return stamp.replace(microsecond=0) + _dt.timedelta(seconds=round(stamp.microsecond / 1e6))
    if not isinstance(value, str):
        raise NormaliseError(expected, value)
    s = re.sub(r"\s+", " ", _clean_str(value).casefold())
    if len(s) > 60:
        raise NormaliseError(expected, value)
    ampm = None
    if m := _RE_STAMP.fullmatch(s):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        ampm = m[7]
        if order is None:
            order = "dmy" if a > 12 else "mdy" if b > 12 else ("mdy" if ampm else "dmy")
        d, mo = (a, b) if order == "dmy" else (b, a)
        if mo > 12:
            how = "d/m/yyyy" if order == "dmy" else "m/d/yyyy"
            raise NormaliseError(f"no month {mo} (read as {how}{' for locale ' + repr(locale) if locale else ''})",
                                 value)
        hh, mm, ss = m[4], m[5], m[6]
    elif m := _RE_STAMP_ISO.fullmatch(s):
        y, mo, d, hh, mm, ss = int(m[1]), int(m[2]), int(m[3]), m[4], m[5], m[6]
    elif m := _RE_STAMP_SERIAL.fullmatch(s):
        return parse_timestamp(float(f"{m[1]}.{m[2] or 0}"))
    else:
        raise NormaliseError(expected, value)
    date = _mkdate(y, mo, d, value)
    h, mi, se = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise NormaliseError(f"no hour {h} on a 12-hour clock (AM/PM)", value)
        h = h % 12 + (12 if ampm == "p" else 0)
    if h > 23 or mi > 59 or se > 59:
        raise NormaliseError(f"no such time: {h:02d}:{mi:02d}:{se:02d}", value)
    return _dt.datetime(date.year, date.month, date.day, h, mi, se)


@dataclass(frozen=True)
class TimestampOrder:
    """The day/month order of a column of timestamps, and how it was decided (:func:`timestamp_order`).

    Attributes
    ----------
    order : {"dmy", "mdy"}
        The order to read the column in (``locale=`` of :func:`parse_timestamp`).
    decided_by : {"values", "locale", "am/pm", "default"}
        "values": cells with a first number above 12 (only d/m) or a second above 12 (only m/d) showed it;
        "locale": the caller's locale (no cell showed the order); "am/pm": no cell showed it and most
        cells have AM/PM, the English locale's format; "default": none of these, read as the Indonesian
        locale's d/m/yyyy.
    day_first, month_first, ambiguous : int
        Cells (not distinct values) readable only as d/m, only as m/d, and both ways (day and month 12 or
        less); cells that are not slashed dates are not counted.
    conflict : bool
        Cells of both kinds: the column mixes two formats (or the locale disagrees with the values), and
        the cells against ``order`` will be errors.
    note : str
        One sentence for a report; empty when the values decided the order without conflict.
    """

    order: str
    decided_by: str
    day_first: int
    month_first: int
    ambiguous: int
    conflict: bool
    note: str

    @property
    def is_ambiguous(self) -> bool:
        """True when no cell showed the order (it was taken from the locale, AM/PM or the default)."""
        return self.decided_by != "values"


def timestamp_order(values: pd.Series | Sequence[object], locale: str | None = None) -> TimestampOrder:
    """Decide the day/month order of a whole column of timestamps from the cells that show it.

    A cell like "13/1/2024 ..." can only be d/m, "1/13/2024 ..." only m/d. If the column has cells of one
    kind only, that is the order. If it has none (every day is 12 or less, e.g. a form open for the first
    12 days of a month), the order is the ``locale``'s, else m/d when most cells carry AM/PM (the English
    locale's format), else d/m (the Indonesian locale's) and the result says it is a guess
    (:attr:`TimestampOrder.is_ambiguous`, :attr:`TimestampOrder.note`). Cells that show an order win over
    the ``locale``; a disagreement is a conflict with a note. With cells of both kinds the majority decides
    and the others become errors in :func:`parse_timestamp_column`. Vectorised over the distinct values.

    Examples
    --------
    >>> timestamp_order(["1/2/2024 10:00:00", "13/2/2024 11:00:00"]).order
    'dmy'
    >>> t = timestamp_order(["1/2/2024 10:00:00", "2/3/2024 11:00:00"])
    >>> t.order, t.decided_by, t.ambiguous
    ('dmy', 'default', 2)
    """
    given = _order(locale)
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniq)) if len(uniq) else np.zeros(0, dtype=np.int64)
    u = pd.Series([_clean_str(v) if isinstance(v, str) else "" for v in uniq], dtype=object)
    parts = u.str.extract(r"^(\d{1,2})/(\d{1,2})/\d{4}\b")
    a = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float)
    has = ~np.isnan(a)
    pm = u.str.contains(r"\d\s*[AaPp]\.?\s*[Mm]\.?$", regex=True).to_numpy(dtype=bool)
    day_first = int(counts[has & (a > 12) & (b <= 12)].sum())
    month_first = int(counts[has & (b > 12) & (a <= 12)].sum())
    ambiguous = int(counts[has & (a <= 12) & (b <= 12)].sum())
    with_ampm = int(counts[has & pm].sum())
    total = day_first + month_first + ambiguous
    conflict = bool(day_first and month_first)
    note = ""
    if day_first or month_first:
        order, decided_by = ("dmy" if day_first >= month_first else "mdy"), "values"
        if conflict:
            note = (f"the column mixes d/m/yyyy ({day_first} cells with a day above 12) and m/d/yyyy "
                    f"({month_first} cells with a second number above 12); read as {_HOW[order]}, the rest are errors")
        if given is not None and given != order:
            conflict = True
            note = (note + "; " if note else "") + \
                f"the values show {_HOW[order]} although the locale {locale!r} says {_HOW[given]}"
    else:
        if given is not None:
            order, decided_by = given, "locale"
        elif total and with_ampm * 2 > total:
            order, decided_by = "mdy", "am/pm"
        else:
            order, decided_by = "dmy", "default"
        if total:
            why = {"locale": f"the locale {locale!r}", "am/pm": "AM/PM times (the English locale's format)",
                   "default": "the Indonesian locale's format"}[decided_by]
            note = (f"day/month order not shown by any value (every day and month is 12 or less in {total} "
                    f"cells): read as {_HOW[order]} after {why}; check one response against its known date")
    return TimestampOrder(order, decided_by, day_first, month_first, ambiguous, conflict, note)


_HOW = {"dmy": "d/m/yyyy", "mdy": "m/d/yyyy"}


def parse_timestamp_column(values: pd.Series, locale: str | None = None) -> tuple[pd.Series, pd.Series,
                                                                                   TimestampOrder]:
    """:func:`parse_timestamp` over a whole column in the order :func:`timestamp_order` decides.

    Returns
    -------
    values, errors : pandas.Series
        Object dtype, same index: the datetimes (``None`` where missing or invalid) and the reason for each
        invalid cell, as :func:`normalise_series` gives them.
    order : TimestampOrder
        How the day/month order was decided; report ``order.note`` when it is not empty.

    Examples
    --------
    >>> import pandas as pd
    >>> v, e, o = parse_timestamp_column(pd.Series(["1/2/2024 10:00:00 AM", "1/13/2024 9:00:00 PM"]))
    >>> [x.isoformat() for x in v], o.order
    (['2024-01-02T10:00:00', '2024-01-13T21:00:00'], 'mdy')
    """
    order = timestamp_order(values, locale)
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    vals = np.full(len(uniq) + 1, None, dtype=object)
    errs = np.full(len(uniq) + 1, None, dtype=object)
    for j, u in enumerate(uniq):
        if is_missing(u):
            continue
        try:
            vals[j] = parse_timestamp(u, order.order)
        except NormaliseError as e:
            errs[j] = e.reason
    index = values.index if isinstance(values, pd.Series) else None
    return (pd.Series(vals[codes], index=index, dtype=object), pd.Series(errs[codes], index=index, dtype=object),
            order)


# ---------------------------------------------------------------------------------------------- NIP and Excel

#: How to repair NIPs that went through a number cell (the end of each :func:`nip_excel_damage` message).
NIP_EXCEL_FIX = ("Excel keeps only 15 significant digits, so the last digits of the 18 are lost and cannot be "
                 "recovered: format the NIP column as Text and re-enter the NIPs, or re-export the list from "
                 "SIMPEG/SIASN")
_RE_SCI_NIP = re.compile(r"[+-]?\d+(?:[.,]\d*)?\s*e\s*\+?\s*\d{1,3}")


def nip_excel_damage(value: object) -> str | None:
    """Why a NIP cell was destroyed by Excel's number format, or None when there is no such evidence.

    Evidence (DOMAIN.md, "Excel and NIPs"): the cell is a float (a NIP read through a number loses its
    last digits: a float keeps about 16); it is written in scientific notation ("1,97E+17",
    "1.98503172010012E+17"); or its 18 digits end in 000 ("198503172010012000", also "...000.0"), the
    serial number no NIP has (serials start at 001) and exactly what Excel's 15 significant digits leave.
    A NIP that is merely wrong (17 digits, month 13) is not blamed on Excel.

    Examples
    --------
    >>> nip_excel_damage("1,97E+17").startswith("NIP destroyed by Excel")
    True
    >>> nip_excel_damage("198503172010012004") is None, nip_excel_damage("19850317201001200") is None
    (True, True)
    """
    if isinstance(value, (bool, np.bool_)) or value is None:
        return None
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            return None
        return (f"NIP destroyed by Excel: it arrived as a decimal number, not as text (a number holds about 16 "
                f"digits at most); {NIP_EXCEL_FIX}")
    if isinstance(value, (int, np.integer)):
        value = str(int(value))
    if not isinstance(value, str):
        return None
    s = _clean_str(value).strip("'\"`")
    if len(s) > 40:
        return None
    if _RE_SCI_NIP.fullmatch(s.casefold().replace(" ", "")):
        return (f"NIP destroyed by Excel: it is written in scientific notation like 1,97E+17, the sign of a "
                f"number cell; {NIP_EXCEL_FIX}")
    digits = re.sub(r"[\s.\-_/]", "", re.sub(r"[.,]0+$", "", s)) if re.fullmatch(r"[\d\s.\-_/]+(?:,0+)?", s) else ""
    if len(digits) == 18 and digits.isdigit() and digits.endswith("000"):
        return (f"NIP destroyed by Excel: it ends in 000, a serial number no NIP has (serials start at 001) and "
                f"what a number cell leaves of the last 3 digits; {NIP_EXCEL_FIX}")
    return None


# ---------------------------------------------------------------------------------------------- Google Forms checkboxes


def split_checkbox(value: object, options: Sequence[str] | None = None) -> list[str]:
    """The answers of a Google Forms checkbox question, which the export joins with ", ".

    Cleaning keeps such cells as text (a ``text`` field is not split); this helper is for analysis. With
    ``options`` (the question's option labels) an option that itself contains ", " is kept whole and the
    text of an "Other" answer (anything that is not an option) is one answer up to the next option.

    Examples
    --------
    >>> split_checkbox("Materi, Waktu pelatihan")
    ['Materi', 'Waktu pelatihan']
    >>> split_checkbox("Sarana, prasarana, Waktu", options=["Sarana, prasarana", "Waktu"])
    ['Sarana, prasarana', 'Waktu']
    """
    if is_missing(value):
        return []
    s = parse_text(value)
    if not options:
        return [p.strip() for p in s.split(", ") if p.strip()]
    opts = sorted({parse_text(o) for o in options if parse_text(o)}, key=len, reverse=True)
    out: list[str] = []
    rest = s
    while rest:
        for o in opts:
            if rest == o or rest.startswith(o + ", "):
                out.append(o)
                rest = rest[len(o) + 2:].strip()
                break
        else:  # an "Other" answer: up to the next ", " that starts an option
            cut = len(rest)
            for m in re.finditer(", ", rest):
                tail = rest[m.end():]
                if any(tail == o or tail.startswith(o + ", ") for o in opts):
                    cut = m.start()
                    break
            if rest[:cut].strip():
                out.append(rest[:cut].strip())
            rest = rest[cut + 2:].strip()
    return out


# ---------------------------------------------------------------------------------------------- programme titles


def title_key(text: object) -> str:
    """A programme title as :func:`match_programme_title` compares it: Unicode-normalised, lower case, with
    every space and punctuation mark removed ("Pelatihan  Pelayanan-Prima." -> "pelatihanpelayananprima")."""
    return re.sub(r"[\W_]+", "", _clean_str(text).casefold())


@dataclass(frozen=True)
class TitleMatch:
    """What :func:`match_programme_title` found.

    Attributes
    ----------
    codes : pandas.Series
        The programme code of each title (object dtype, index of the titles; ``None`` where missing,
        unknown or ambiguous).
    unknown : dict
        Title as written -> number of cells, for titles that match no programme.
    ambiguous : dict
        Title as written -> the codes of the programmes that share it (the same course offered twice).
    """

    codes: pd.Series
    unknown: dict[str, int]
    ambiguous: dict[str, tuple[str, ...]]

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.ambiguous


def match_programme_title(titles: pd.Series, programmes: pd.DataFrame, *, code: str = "programme_id",
                          title: str = "title") -> TitleMatch:
    """The programme code of each title, matched ignoring case, spacing and punctuation (:func:`title_key`).

    For files that name the training instead of giving its code (a Google Form asking "Nama pelatihan").
    A cell is also matched when it is a programme's code itself, or a label ending in the code in square
    brackets ("Pelayanan Prima [PEL-001]", as evalkit's forms write them). Each distinct title is looked up
    once.

    Parameters
    ----------
    titles : pandas.Series
        Titles as written in the file.
    programmes : pandas.DataFrame
        The programmes table (canonical columns ``programme_id`` and ``title``; other names via ``code``
        and ``title``).

    Returns
    -------
    TitleMatch
        ``codes`` plus the titles that are unknown and those that are ambiguous (several programmes with one
        title, e.g. the same course in two years: the title alone cannot say which one, and the cell gets
        ``None``). Both are for the report; nothing is guessed.

    Examples
    --------
    >>> import pandas as pd
    >>> progs = pd.DataFrame({"programme_id": ["PEL-001", "PEL-002"],
    ...                       "title": ["Pelayanan Prima", "Manajemen Risiko"]})
    >>> m = match_programme_title(pd.Series(["PELAYANAN  PRIMA.", "manajemen-risiko", "Etika ASN"]), progs)
    >>> m.codes.tolist(), m.unknown
    (['PEL-001', 'PEL-002', None], {'Etika ASN': 1})
    """
    from evalkit.ingest.spec import code_from_label

    by_key: dict[str, set[str]] = {}
    by_code: dict[str, str] = {}
    for c, t in zip(programmes[code].tolist(), programmes[title].tolist(), strict=True):
        if is_missing(c):
            continue
        c = str(c).strip()
        by_code.setdefault(title_key(c), c)
        if not is_missing(t):
            by_key.setdefault(title_key(t), set()).add(c)
    codes, uniq = pd.factorize(np.asarray(titles, dtype=object), use_na_sentinel=True)
    out = np.full(len(uniq) + 1, None, dtype=object)
    unknown: dict[str, int] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    counts = np.bincount(codes[codes >= 0], minlength=len(uniq)) if len(uniq) else np.zeros(0, dtype=np.int64)
    for j, u in enumerate(uniq):
        if is_missing(u) or not str(u).strip():
            continue
        text = str(u)
        label_code = code_from_label(text) if "]" in text else None
        k = title_key(text)
        if label_code is not None and title_key(label_code) in by_code:
            out[j] = by_code[title_key(label_code)]
        elif k in by_key and len(by_key[k]) == 1:
            out[j] = next(iter(by_key[k]))
        elif k in by_key:
            ambiguous[text] = tuple(sorted(by_key[k]))
        elif k in by_code:
            out[j] = by_code[k]
        else:
            unknown[text] = int(counts[j])
    index = titles.index if isinstance(titles, pd.Series) else None
    return TitleMatch(pd.Series(out[codes], index=index, dtype=object), unknown, ambiguous)


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

    ``nip`` fields return the 18-digit string (validated by :func:`evalkit.ingest.nip.parse_nip`; a NIP that
    went through an Excel number cell gets :func:`nip_excel_damage`'s message instead); ``name`` fields
    return stripped text. Per field: a ``yesno`` field named in :data:`evalkit.ingest.spec.PRESENSI_FIELDS`
    (``attended``) reads presensi codes (:func:`parse_attended`), and an ``skm4`` field of an unsur
    (``u1_persyaratan`` ... ``u9_sarana``) reads that unsur's own options (:func:`parse_skm4` with
    ``unsur``).

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
            why = nip_excel_damage(value)
            if why is not None:
                raise NormaliseError(why)
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
    if kind == "yesno":
        from evalkit.ingest.spec import PRESENSI_FIELDS

        if field.name in PRESENSI_FIELDS:
            return parse_attended
    if kind == "skm4":
        try:
            column = _skm_unsur(field.name)
        except KeyError:
            column = None
        if column is not None:

            def p_skm(value: Any, column: str = column) -> int:
                return parse_skm4(value, column)

            return _bounded(p_skm, tuple(field.bounds))
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
        # serial 000 passes parse_nip's checks but is Excel's damage: those go the slow way for its message
        intact = np.fromiter((not v.endswith("000") for v in fast_digits), dtype=bool, count=len(fast_digits))
        fast_pos, fast_digits = fast_pos[intact], fast_digits[intact]
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
