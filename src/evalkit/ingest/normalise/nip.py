"""NIP cells: the evidence that Excel destroyed a NIP (with how to repair the sheet) and the vectorised check of
plainly valid NIPs. The NIP itself is parsed by :func:`evalkit.ingest.nip.parse_nip`."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from evalkit.ingest.normalise.common import _clean_str

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
