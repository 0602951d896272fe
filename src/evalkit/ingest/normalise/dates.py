"""Dates, calendar months, quarters and semesters (day-month-year, Indonesian month names, Excel serials)."""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

from evalkit.ingest.normalise.common import EXPECTED, NormaliseError, _clean_str

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
