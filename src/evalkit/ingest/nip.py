"""NIP, the 18-digit civil-servant number (Perka BKN 22/2007; DOMAIN.md section 4).

Layout ``YYYYMMDD YYYYMM G NNN``: birth date, year and month of appointment as CPNS (TMT CPNS), sex
(1 = male, 2 = female) and a serial number. A NIP is personal data: the cleaner replaces it by a keyed
pseudonym (:mod:`evalkit.ingest.pseudonym`) after deriving sex, birth year and appointment year.

Examples
--------
>>> n = parse_nip("19660801 198803 1 001")
>>> n.birth_date, n.appointment, n.sex, n.serial
(datetime.date(1966, 8, 1), (1988, 3), 'L', 1)
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["NIP", "parse_nip", "normalise_nip", "NIP_PATTERN", "MIN_AGE_AT_APPOINTMENT", "MAX_AGE_AT_APPOINTMENT"]

#: Youngest and oldest age (in whole years, from birth month to TMT month) accepted at CPNS appointment.
#: The legal window is 18-35 (up to 40 for some posts); the check is deliberately lenient.
MIN_AGE_AT_APPOINTMENT: int = 16
MAX_AGE_AT_APPOINTMENT: int = 60
_BIRTH_YEARS = (1920, 2015)
_TMT_YEARS = (1940, 2100)

#: A NIP-shaped run of digits in free text, with the usual spaces or dots between the four parts.
NIP_PATTERN = re.compile(r"(?<!\d)\d{8}[ .]?\d{6}[ .]?\d[ .]?\d{3}(?!\d)")


@dataclass(frozen=True)
class NIP:
    """The parts of a valid NIP.

    Attributes
    ----------
    digits : str
        The 18 digits (personal data: not shown in ``repr``).
    birth_date : datetime.date
    appointment : tuple of int
        (year, month) of appointment as CPNS (TMT CPNS).
    sex : {"L", "P"}
        ``"L"`` (laki-laki, male; digit 1) or ``"P"`` (perempuan, female; digit 2), the convention of
        Indonesian HR forms.
    serial : int
        The last three digits (1-999).
    """

    digits: str = field(repr=False)
    birth_date: _dt.date
    appointment: tuple[int, int]
    sex: str
    serial: int

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    @property
    def appointment_year(self) -> int:
        return self.appointment[0]


def normalise_nip(value: object) -> str:
    """Remove the spaces, dots and dashes that printed forms put into a NIP (no validation).

    Examples
    --------
    >>> normalise_nip("19850317.201001.2.004")
    '198503172010012004'
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{18}\.0+", s):  # a number cell read back as "...004.0"
        s = s.split(".")[0]
    s = s.strip("'\"`")
    return re.sub(r"[\s.\-_/]", "", s)


def parse_nip(value: object) -> NIP:
    """Validate a NIP and split it into its parts.

    Spaces, dots and dashes between the digits are ignored. The checks: exactly 18 digits; a real birth
    date (born 1920-2015); a TMT month 1-12; appointment at least 16 and at most 60 years after the birth
    month (lenient: the legal window is 18-35); sex digit 1 or 2.

    Parameters
    ----------
    value : str or int

    Returns
    -------
    NIP

    Raises
    ------
    ValueError
        Saying what is wrong, e.g. ``"NIP must have 18 digits, got 17"`` or
        ``"NIP sex digit (15th) must be 1 or 2, got 3"``.

    Examples
    --------
    >>> parse_nip("198503172010012004")
    NIP(birth_date=datetime.date(1985, 3, 17), appointment=(2010, 1), sex='P', serial=4)
    >>> parse_nip("198513172010012004")
    Traceback (most recent call last):
    ...
    ValueError: NIP birth date (digits 1-8) is not a real date: month 13
    """
    if isinstance(value, str):
        return _parse_nip_str(value)
    return _parse_nip(value)


@lru_cache(maxsize=262_144)
def _parse_nip_str(value: str) -> NIP:  # NIP is frozen, so cached results are safe to share
    return _parse_nip(value)


def _parse_nip(value: object) -> NIP:
    if value is None or isinstance(value, (bool, float)):
        if isinstance(value, float):
            raise ValueError("NIP was stored as a number and lost digits; keep the NIP column as text")
        raise ValueError("NIP is empty")
    s = normalise_nip(value)
    if not s:
        raise ValueError("NIP is empty")
    if re.fullmatch(r"\d(?:\.\d+)?e\+?\d+", s.lower()) or re.fullmatch(r"\d\.\d+e\+?\d+", str(value).strip().lower()):
        raise ValueError("NIP was stored as a number and lost digits; keep the NIP column as text")
    if not s.isascii() or not s.isdigit():
        raise ValueError("NIP must contain only digits (spaces and dots are allowed between the parts)")
    if len(s) != 18:
        raise ValueError(f"NIP must have 18 digits, got {len(s)}")
    by, bm, bd = int(s[0:4]), int(s[4:6]), int(s[6:8])
    if not 1 <= bm <= 12:
        raise ValueError(f"NIP birth date (digits 1-8) is not a real date: month {bm}")
    try:
        birth = _dt.date(by, bm, bd)
    except ValueError:
        raise ValueError(f"NIP birth date (digits 1-8) is not a real date: day {bd} of month {bm} in {by}") from None
    if not _BIRTH_YEARS[0] <= by <= _BIRTH_YEARS[1]:
        raise ValueError(f"NIP birth year {by} is implausible for a civil servant")
    ty, tm = int(s[8:12]), int(s[12:14])
    if not 1 <= tm <= 12:
        raise ValueError(f"NIP appointment month (digits 13-14) must be 01-12, got {tm:02d}")
    if not _TMT_YEARS[0] <= ty <= _TMT_YEARS[1]:
        raise ValueError(f"NIP appointment year {ty} is implausible")
    months = (ty - by) * 12 + (tm - bm)
    if months < MIN_AGE_AT_APPOINTMENT * 12:
        raise ValueError(
            f"NIP appointment {ty}-{tm:02d} is less than {MIN_AGE_AT_APPOINTMENT} years after the birth date {birth}")
    if months > MAX_AGE_AT_APPOINTMENT * 12:
        raise ValueError(
            f"NIP appointment {ty}-{tm:02d} is more than {MAX_AGE_AT_APPOINTMENT} years after the birth date {birth}")
    g = s[14]
    if g not in "12":
        raise ValueError(f"NIP sex digit (15th) must be 1 or 2, got {g}")
    return NIP(digits=s, birth_date=birth, appointment=(ty, tm), sex="L" if g == "1" else "P", serial=int(s[15:]))
