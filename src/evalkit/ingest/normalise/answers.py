"""Questionnaire answers: yes/no, 5-point agreement (Likert, 1-5) and SKM answers (1-4, with each unsur's own
options)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import numpy as np

from evalkit.ingest.normalise.common import EXPECTED, NormaliseError, _key

# ---------------------------------------------------------------------------------------------- answers

_YES = frozenset({"ya", "y", "yes", "iya", "1", "1.0", "true", "benar", "sudah", "hadir", "lulus", "terdaftar",
                  "diundang", "mendaftar", "selesai", "tamat", "v", "\u2713", "\u2714", "\u221a", "\u2611",
                  "\u2705"})
_NO = frozenset({"tidak", "t", "tdk", "no", "n", "0", "0.0", "false", "salah", "belum", "bukan", "tidak hadir",
                 "tidak lulus", "belum lulus", "tidak terdaftar", "tidak diundang", "tidak mendaftar",
                 "belum selesai", "tidak selesai"})


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
