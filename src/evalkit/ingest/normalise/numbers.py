"""Numbers written the Indonesian way: plain numbers, whole numbers, amounts in rupiah and percentages, and
the formatters that write numbers and rupiah back."""

from __future__ import annotations

import math
import re

import numpy as np

from evalkit.ingest.normalise.common import EXPECTED, NormaliseError, _clean_str

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
