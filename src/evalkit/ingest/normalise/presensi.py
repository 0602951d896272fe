"""Attendance sheets: presensi codes (H, I, S, A/TK, DL, C, TB) -> attended and the reason for absence."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from evalkit.ingest.normalise.answers import parse_yesno
from evalkit.ingest.normalise.common import EXPECTED, NormaliseError, _key, is_missing

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
