"""Timestamps of Google Forms response sheets, in either locale, and the day/month order of a whole column."""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.ingest.normalise.common import EXPECTED, NormaliseError, _clean_str, is_missing
from evalkit.ingest.normalise.dates import EXCEL_SERIAL_RANGE, _mkdate

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
