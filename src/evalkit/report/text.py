"""Bilingual (Indonesian / English) report text: strings from one file, number formats, effect sentences.

(One module on purpose, about 640 lines, 260 of them docstrings with examples: the strings lookup and the
number formats every sentence uses.)

Every piece of report wording lives in ``evalkit/data/strings.json`` as ``key -> {"id": ..., "en": ...}``;
:func:`t` looks a key up and fills its named placeholders. Keys are grouped by a dotted prefix:

==============  ==================================================================================
prefix          what
==============  ==================================================================================
``section.``    report headings (Latar Belakang ... Lampiran Metode), following the seed evaluations
``axis.``       axis labels; ``title.`` figure titles; ``group.`` legend entries
``outcome.``    outcome names as they appear inside a sentence (lower case)
``unit.``       units (poin/points, menit/minutes, hari/days, ...)
``mode.``       delivery modes (``klasikal`` -> "tatap muka (klasikal)" / "face-to-face (classroom)")
``barrier.``    participation barriers (``time``, ``relevance``, ``motivation``, ``experienced``)
``role.``       L3 rater roles; ``informant.`` interview roles
``skp.``        SKP predikat; ``expectation.`` SKP rating inputs; ``ikm_mutu.`` IKM grades A-D
``likert.``     5-point agreement labels
``fmt.``, ``effect.``, ``change.``, ``share.``, ``rank.``, ``reason.``, ``rec.``, ``regtable.``
                sentence templates used by this module, :mod:`evalkit.report.recommend` and
                :mod:`evalkit.report.regtable`
==============  ==================================================================================

Formatting conventions (the choices, documented once)
-----------------------------------------------------
* Numbers: ``"id"`` uses ``,`` for decimals and ``.`` for thousands (id_ID locale, DOMAIN.md section 6):
  ``1.234.567,9``; ``"en"`` uses ``1,234,567.9``. Rounding is *half up* on the decimal representation
  (``2.675`` -> ``2.68``), as people round by hand, not Python's round-half-even on binary floats. A value
  that rounds to zero is written without a minus sign. The minus sign is ASCII ``-``.
* Percentages: ``"45%"`` in both languages, with no space (the short form used in Indonesian tables and
  official reports; "45 persen" is the spelled-out press style and is not used). Input is a share in [0, 1].
* Rupiah: ``"Rp1.234.567"`` in Indonesian (glibc id_ID style, no space after "Rp"); ``"IDR 1,234,567"`` in
  English (the ISO code reads unambiguously to international readers). No decimals unless asked.
  ``compact=True`` gives ``"Rp1,2 miliar"`` / ``"IDR 1.2 billion"`` (juta/miliar/triliun).
* Dates: ``"17 Agustus 2024"`` / ``"17 August 2024"`` (day month year in both, no leading zero).
* Confidence intervals: ``"2,3 (IK 95%: 1,1 sampai 3,5)"`` / ``"2.3 (95% CI 1.1 to 3.5)"``
  (IK = interval kepercayaan).
* Missing values (None, NaN, NaT) are written as an en dash ``"–"``.

Effect sentences: a decrease is written with "menurunkan"/"lowered" and the *size* of the decrease, so its
interval is shown as the interval of that size (an estimate of -4.1 with CI [-6.2, -2.0] reads "lowered
waiting time by 4.1 minutes (95% CI 2.0 to 6.2)"). When the interval contains zero the sentence says the
effect cannot be distinguished from zero and shows the signed estimate and interval.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import math
import string
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from numbers import Integral, Real

import pandas as pd

from evalkit import config

__all__ = [
    "LANGS",
    "MISSING",
    "t",
    "labels",
    "keys",
    "placeholders",
    "barrier_key",
    "barrier_label",
    "format_number",
    "format_percent",
    "format_rupiah",
    "format_date",
    "format_period",
    "format_period_range",
    "format_amount",
    "format_ci",
    "describe_effect",
    "describe_share",
    "describe_change",
    "rank_sentence",
]

#: Supported languages: Indonesian and English.
LANGS: tuple[str, ...] = ("id", "en")
#: How a missing value is written (an en dash).
MISSING: str = "–"

MONTHS: dict[str, tuple[str, ...]] = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}

#: Spellings of the four participation barriers (column names of the enrolments table, interview theme
#: codes, short names) -> canonical barrier key (``barrier.<key>`` in strings.json).
BARRIER_ALIASES: dict[str, str] = {
    "time": "time", "barrier_time": "time", "time_conflict": "time", "schedule": "time",
    "relevance": "relevance", "barrier_relevance": "relevance", "irrelevance": "relevance",
    "irrelevant": "relevance", "low_relevance": "relevance",
    "motivation": "motivation", "barrier_motivation": "motivation", "low_motivation": "motivation",
    "experienced": "experienced", "barrier_experienced": "experienced", "already_experienced": "experienced",
    "experienced_resistance": "experienced", "resistance": "experienced",
    "budget": "budget", "barrier_budget": "budget", "limited_budget": "budget",
}

_FORMATTER = string.Formatter()


# --------------------------------------------------------------------------------------------- strings
@lru_cache(maxsize=1)
def _strings() -> dict[str, dict[str, str]]:
    raw = resources.files("evalkit").joinpath("data", "strings.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("evalkit/data/strings.json must hold an object: key -> {'id': ..., 'en': ...}")
    return data


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def keys() -> list[str]:
    """All string keys, in file order."""
    return list(_strings())


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` in ``template`` (``"{a} and {b}"`` -> ``{"a", "b"}``)."""
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name is not None}


def _format_value(value, lang: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return MISSING if value is None else str(value)
    if isinstance(value, Integral):
        return format_number(value, lang, decimals=0)
    if isinstance(value, Real):
        return format_number(value, lang, decimals=1)
    return str(value)


def t(key: str, lang: str = "id", **values) -> str:
    """The text of ``key`` in ``lang``, with its ``{placeholders}`` filled from ``values``.

    Parameters
    ----------
    key : str
        A key of ``strings.json``, e.g. ``"section.background"`` or ``"rec.barrier_time"``.
    lang : {"id", "en"}
    **values
        Placeholder values. Strings are inserted as they are; integers and floats are formatted for the
        language (integers without decimals, floats with one decimal; format them yourself for anything
        else). Values the template does not use are ignored, so one dict can serve several templates.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        Unknown key (the message lists close matches), or a placeholder without a value.
    ValueError
        ``lang`` is not ``"id"`` or ``"en"``.

    Examples
    --------
    >>> t("section.background", "en")
    'Background'
    >>> t("title.event_study", "id", outcome="Kualitas laporan")
    'Studi peristiwa: Kualitas laporan'
    """
    _check_lang(lang)
    table = _strings()
    if key not in table:
        close = difflib.get_close_matches(key, list(table), n=5, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"unknown string key {key!r}{hint}")
    template = table[key][lang]
    names = placeholders(template)
    missing = sorted(names - set(values))
    if missing:
        raise KeyError(f"string {key!r} needs values for {missing}")
    return template.format(**{n: _format_value(values[n], lang) for n in names})


def labels(lang: str = "id") -> dict[str, str]:
    """Every string of ``lang`` as a flat ``key -> text`` dict (templates are returned unfilled)."""
    _check_lang(lang)
    return {k: v[lang] for k, v in _strings().items()}


def barrier_key(name: str) -> str:
    """Canonical barrier key of any known spelling (``"barrier_time"``, ``"time_conflict"`` -> ``"time"``).

    Raises
    ------
    KeyError
        The name is not a known barrier.
    """
    norm = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if norm.startswith("barrier."):
        norm = norm[len("barrier."):]
    if norm not in BARRIER_ALIASES:
        raise KeyError(f"unknown barrier {name!r}; known: {sorted(set(BARRIER_ALIASES.values()))}")
    return BARRIER_ALIASES[norm]


def barrier_label(name: str, lang: str = "id") -> str:
    """Reader-facing name of a barrier (``"barrier_time"`` -> "bentrok waktu dengan tugas")."""
    return t(f"barrier.{barrier_key(name)}", lang)


def _prefixed(key: str, prefix: str) -> str:
    return key if key.startswith(prefix + ".") else f"{prefix}.{key}"


# ------------------------------------------------------------------------------------------ formatting
def _is_missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _swap_separators(text: str, lang: str) -> str:
    if lang == "id":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_number(x, lang: str = "id", decimals: int = 1) -> str:
    """Format a number with the language's decimal and thousands separators.

    Parameters
    ----------
    x : number
        NaN or None gives ``"–"``; infinities give ``"∞"`` / ``"-∞"``.
    lang : {"id", "en"}
    decimals : int
        Digits after the decimal separator, rounded half up.

    Examples
    --------
    >>> format_number(1234567.89, "id", 2)
    '1.234.567,89'
    >>> format_number(1234567.89, "en", 1)
    '1,234,567.9'
    """
    _check_lang(lang)
    if _is_missing(x):
        return MISSING
    if isinstance(x, bool):
        raise TypeError("format_number expects a number, got a bool")
    decimals = int(decimals)
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    xf = float(x)
    if math.isinf(xf):
        return "∞" if xf > 0 else "-∞"
    d = Decimal(int(x)) if isinstance(x, Integral) else Decimal(repr(xf))
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # no "-0,0"
    return _swap_separators(f"{q:,.{decimals}f}", lang)


def format_percent(share, lang: str = "id", decimals: int = 0) -> str:
    """Format a share in [0, 1] as a percentage: ``0.45`` -> ``"45%"`` (both languages; ``"45,5%"`` in id).

    Indonesian writes either "45%" or "45 persen"; evalkit uses "45%" (tables and official reports).
    """
    if _is_missing(share):
        return MISSING
    return f"{format_number(float(share) * 100, lang, decimals)}%"


_COMPACT = ((1e12, "fmt.trillion"), (1e9, "fmt.billion"), (1e6, "fmt.million"))


def format_rupiah(x, lang: str = "id", decimals: int | None = None, compact: bool = False) -> str:
    """Format an amount of rupiah: ``"Rp1.234.567"`` (id) or ``"IDR 1,234,567"`` (en).

    Parameters
    ----------
    x : number
    lang : {"id", "en"}
    decimals : int, optional
        Default 0 (1 with ``compact``). ``format_rupiah(1234567.89, "id", 2)`` -> ``"Rp1.234.567,89"``.
    compact : bool
        Write millions and above in words: ``"Rp1,2 miliar"`` / ``"IDR 1.2 billion"``
        (juta = million, miliar = billion, triliun = trillion).

    Notes
    -----
    Indonesian follows the glibc id_ID locale (no space after "Rp"); "Rp 1.234.567" is also common in
    documents and the parsers accept both. English uses the ISO code "IDR" and a space. A negative amount
    puts the sign first: ``"-Rp5.000"``.
    """
    _check_lang(lang)
    if _is_missing(x):
        return MISSING
    xf = float(x)
    sign = "-" if xf < 0 else ""
    amount_abs = abs(xf)
    word = ""
    if compact:
        decimals = 1 if decimals is None else decimals
        for size, key in _COMPACT:
            if amount_abs >= size:
                amount_abs, word = amount_abs / size, " " + t(key, lang)
                break
        else:
            decimals = 0
    decimals = 0 if decimals is None else decimals
    number = format_number(amount_abs, lang, decimals)
    if number == format_number(0, lang, decimals):
        sign = ""  # rounds to zero: no "-Rp0"
    amount = number + word
    return sign + t("fmt.rupiah", lang, amount=amount)


def format_date(d, lang: str = "id") -> str:
    """Format a date as ``"17 Agustus 2024"`` (id) or ``"17 August 2024"`` (en).

    Accepts ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64`` or an ISO
    string; None/NaT give ``"–"``.
    """
    _check_lang(lang)
    if _is_missing(d):
        return MISSING
    if isinstance(d, str):
        d = _dt.date.fromisoformat(d[:10])
    elif not isinstance(d, _dt.date):
        d = pd.Timestamp(d)
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


_ROMAN = ("I", "II", "III", "IV")


def format_period(period, lang: str = "id") -> str:
    """A quarter or half-year period as officials write it.

    ``"2022Q1"`` -> ``"triwulan I 2022"`` / ``"Q1 2022"``; ``"2024S2"`` (or ``"2024H2"``, ``"2024-S2"``) ->
    ``"semester II 2024"`` / ``"H2 2024"``; a ``pandas.Period`` of quarterly frequency as a quarter; any other
    value is returned as text, and a missing one as ``"–"``.

    Examples
    --------
    >>> format_period("2022Q1", "id"), format_period("2024S2", "id")
    ('triwulan I 2022', 'semester II 2024')
    >>> format_period("2022Q1", "en"), format_period("2024S2", "en")
    ('Q1 2022', 'H2 2024')
    """
    import re

    _check_lang(lang)
    if _is_missing(period):
        return MISSING
    if isinstance(period, pd.Period) and period.freqstr.startswith("Q"):
        period = f"{period.year}Q{period.quarter}"
    text = str(period).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/ ]?\s*([QqSsHh])\s*([1-4])", text)
    if not m:
        return text
    year, kind, k = m.group(1), m.group(2).upper(), int(m.group(3))
    if kind == "Q":
        return f"triwulan {_ROMAN[k - 1]} {year}" if lang == "id" else f"Q{k} {year}"
    if k > 2:
        return text
    return f"semester {_ROMAN[k - 1]} {year}" if lang == "id" else f"H{k} {year}"


def format_period_range(first, last, lang: str = "id") -> str:
    """``"triwulan I 2022 s.d. triwulan IV 2024"`` / ``"Q1 2022 to Q4 2024"``.

    >>> format_period_range("2022Q1", "2024Q4", "id")
    'triwulan I 2022 s.d. triwulan IV 2024'
    """
    sep = " s.d. " if lang == "id" else " to "
    return format_period(first, lang) + sep + format_period(last, lang)


def format_amount(x, lang: str = "id") -> str:
    """An amount of rupiah as officials write it in a sentence: whole rupiah below one million
    (``"Rp289.000"``), then juta/miliar/triliun with one decimal below ten and none from ten on
    (``"Rp3,8 juta"``, ``"Rp434 juta"``, ``"Rp1,2 miliar"``; ``"Rp4 juta"`` rather than ``"Rp4,0 juta"``);
    English ``"IDR 3.8 million"``.

    >>> format_amount(3_800_000), format_amount(434_200_000), format_amount(289_000), format_amount(1.2e9, "en")
    ('Rp3,8 juta', 'Rp434 juta', 'Rp289.000', 'IDR 1.2 billion')
    """
    _check_lang(lang)
    if _is_missing(x):
        return MISSING
    a = abs(float(x))
    for size, _key in _COMPACT:
        if a >= size:
            one = Decimal(repr(a / size)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            decimals = 1 if one < 10 and one != one.to_integral_value() else 0
            return format_rupiah(x, lang, decimals=decimals, compact=True)
    return format_rupiah(x, lang)


def _level_text(level: float, lang: str) -> str:
    pct = float(level) * 100
    return f"{format_number(pct, lang, 0 if pct == round(pct) else 1)}%"


def _interval(lo, hi, lang: str, decimals: int, level: float) -> str:
    return t("fmt.ci_interval", lang, level=_level_text(level, lang),
             lo=format_number(lo, lang, decimals), hi=format_number(hi, lang, decimals))


def format_ci(est, lo, hi, lang: str = "id", decimals: int = 1, level: float = 0.95) -> str:
    """Estimate with its confidence interval.

    Examples
    --------
    >>> format_ci(2.3, 1.1, 3.5, "id")
    '2,3 (IK 95%: 1,1 sampai 3,5)'
    >>> format_ci(2.3, 1.1, 3.5, "en")
    '2.3 (95% CI 1.1 to 3.5)'

    A missing estimate gives ``"–"``; a missing bound gives the estimate alone.
    """
    _check_lang(lang)
    if _is_missing(est):
        return MISSING
    text = format_number(est, lang, decimals)
    if _is_missing(lo) or _is_missing(hi):
        return text
    return t("fmt.ci", lang, est=text, interval=_interval(lo, hi, lang, decimals, level))


# ------------------------------------------------------------------------------------------- sentences
def _magnitude(value, lang: str, decimals: int, unit_key: str | None) -> str:
    text = format_number(value, lang, decimals)
    if unit_key:
        text += " " + t(_prefixed(unit_key, "unit"), lang)
    return text


def describe_effect(outcome_key: str, estimate, ci_low, ci_high, lang: str = "id", unit_key: str | None = None,
                    better: str | None = "higher", decimals: int = 1, level: float = 0.95) -> str:
    """One plain-language sentence on a training effect.

    Parameters
    ----------
    outcome_key : str
        ``outcome.*`` key, with or without the prefix (``"report_quality"``).
    estimate, ci_low, ci_high : float
        Point estimate and confidence bounds (bounds may be NaN: then no interval is shown and the
        direction is read from the estimate alone).
    lang : {"id", "en"}
    unit_key : str, optional
        ``unit.*`` key (``"points"``, ``"minutes"``, ``"days"``, ``"pp"``).
    better : {"higher", "lower", None}
        Which direction is an improvement. A clearly adverse effect gets one more sentence saying it is
        the opposite of the intended direction. None: no judgement.
    decimals : int
    level : float
        Confidence level of the interval, for the label (default 0.95).

    Returns
    -------
    str

    Examples
    --------
    >>> describe_effect("report_quality", 3.2, 2.1, 4.3, "id", unit_key="points")
    'Pelatihan meningkatkan nilai kualitas laporan sebesar 3,2 poin (IK 95%: 2,1 sampai 4,3).'
    >>> describe_effect("report_quality", 3.2, 2.1, 4.3, "en", unit_key="points")
    'Training raised report quality by 3.2 points (95% CI 2.1 to 4.3).'
    >>> describe_effect("wait_minutes", -4.1, -6.2, -2.0, "en", unit_key="minutes", better="lower")
    'Training lowered waiting time by 4.1 minutes (95% CI 2.0 to 6.2).'
    """
    _check_lang(lang)
    if better not in ("higher", "lower", None):
        raise ValueError(f"better must be 'higher', 'lower' or None, got {better!r}")
    outcome = t(_prefixed(outcome_key, "outcome"), lang)
    if _is_missing(estimate):
        return t("effect.missing", lang, outcome=outcome)
    est = float(estimate)
    has_ci = not (_is_missing(ci_low) or _is_missing(ci_high))
    lo, hi = (float(ci_low), float(ci_high)) if has_ci else (math.nan, math.nan)
    if has_ci and lo > hi:
        raise ValueError(f"ci_low ({lo}) is above ci_high ({hi})")
    if (has_ci and lo <= 0 <= hi) or est == 0:
        interval = f" ({_interval(lo, hi, lang, decimals, level)})" if has_ci else ""
        return t("effect.null", lang, outcome=outcome, magnitude=_magnitude(est, lang, decimals, unit_key),
                 interval=interval)
    if est > 0:
        key, bounds = "effect.increase", (lo, hi)
    else:
        key, bounds = "effect.decrease", (-hi, -lo)
    interval = f" ({_interval(*bounds, lang, decimals, level)})" if has_ci else ""
    text = t(key, lang, outcome=outcome, magnitude=_magnitude(abs(est), lang, decimals, unit_key),
             interval=interval)
    if (better == "higher" and est < 0) or (better == "lower" and est > 0):
        text += " " + t("effect.adverse", lang)
    return text


def describe_share(key: str, share, lang: str = "id", n: int | None = None, total: int | None = None,
                   decimals: int = 0, **values) -> str:
    """One sentence about a share, e.g. the attendance rate.

    Parameters
    ----------
    key : str
        ``share.*`` key with or without the prefix: ``attendance``, ``completion``, ``reaction_agree``,
        ``jp_compliance`` (fills ``{jp_target}`` from ``config.JP_TARGET_PER_YEAR`` unless given),
        ``barrier`` (pass ``barrier=`` a barrier name in any known spelling), ``application``,
        ``budget_realisation``.
    share : float
        In [0, 1].
    n, total : int, optional
        When both are given the counts follow in parentheses: "(105 dari 130 orang)".
    **values
        Other placeholders of the template.

    Examples
    --------
    >>> describe_share("attendance", 0.42, "id", n=42, total=100)
    'Sebanyak 42% pegawai yang diundang menghadiri pelatihan (42 dari 100 orang).'
    >>> describe_share("attendance", 0.42, "en")
    '42% of invited staff attended the training.'
    """
    _check_lang(lang)
    vals = {"jp_target": config.JP_TARGET_PER_YEAR, **values}
    if "barrier" in vals and isinstance(vals["barrier"], str):
        try:
            vals["barrier"] = barrier_label(vals["barrier"], lang)
        except KeyError:
            pass
    text = t(_prefixed(key, "share"), lang, share=format_percent(share, lang, decimals), **vals)
    if n is not None and total is not None:
        text += " (" + t("fmt.count_of", lang, n=int(n), total=int(total)) + ")"
    return text + "."


def describe_change(outcome_key: str, pre, post, lang: str = "id", unit_key: str | None = None,
                    ci: tuple[float, float] | None = None, decimals: int = 1, level: float = 0.95) -> str:
    """One sentence on a before/after (pre/post) change in an average.

    Parameters
    ----------
    outcome_key : str
        ``outcome.*`` key (``"test_score"``).
    pre, post : float
        Averages before and after the training.
    unit_key : str, optional
        Unit of the difference (``"points"``).
    ci : (float, float), optional
        Confidence interval of the difference ``post - pre``. If it contains zero, a second sentence says
        the change cannot be distinguished from zero.

    Examples
    --------
    >>> describe_change("test_score", 61.2, 70.7, "en", unit_key="points", ci=(8.1, 10.9))
    'The average test score rose from 61.2 before training to 70.7 after (a difference of 9.5 points; 95% CI 8.1 to 10.9).'
    """
    _check_lang(lang)
    outcome = t(_prefixed(outcome_key, "outcome"), lang)
    if _is_missing(pre) or _is_missing(post):
        return t("effect.missing", lang, outcome=outcome)
    pre_s, post_s = format_number(pre, lang, decimals), format_number(post, lang, decimals)
    diff = float(post) - float(pre)
    diff_s = format_number(diff, lang, decimals)
    has_ci = ci is not None and not (_is_missing(ci[0]) or _is_missing(ci[1]))
    if diff_s == format_number(0, lang, decimals):
        text = t("change.same", lang, outcome=outcome, pre=pre_s, post=post_s)
    else:
        interval = "; " + _interval(ci[0], ci[1], lang, decimals, level) if has_ci else ""
        key = "change.rise" if diff > 0 else "change.fall"
        text = t(key, lang, outcome=outcome, pre=pre_s, post=post_s,
                 diff=_magnitude(diff, lang, decimals, unit_key), interval=interval)
    if has_ci and float(ci[0]) <= 0 <= float(ci[1]):
        text += " " + t("change.not_distinguishable", lang)
    return text


def rank_sentence(values: Mapping[str, float] | pd.Series, lang: str = "id", measure: str = "share",
                  top: int = 2, decimals: int = 0) -> str:
    """Name the strongest participation barrier.

    Parameters
    ----------
    values : mapping or Series
        Barrier name (any spelling :func:`barrier_key` knows, e.g. the column ``barrier_time``) -> value.
        Missing values are ignored.
    measure : {"share", "ame"}
        ``"share"``: share of staff citing each barrier (in [0, 1]); the largest is named, and with
        ``top=2`` the runner-up too. ``"ame"``: average marginal effect of each barrier on the probability
        of attending (in [-1, 1]); the barrier with the largest absolute effect is named with its effect in
        percentage points.
    top : {1, 2}
        How many barriers to name for ``"share"``.

    Examples
    --------
    >>> rank_sentence({"barrier_time": 0.45, "barrier_motivation": 0.30}, "en")
    'The most frequently cited barrier was time conflict with duties (45%), followed by low motivation (30%).'
    >>> rank_sentence({"barrier_time": -0.21, "barrier_motivation": -0.05}, "id", measure="ame")
    'Kendala yang paling kuat kaitannya dengan kehadiran adalah bentrok waktu dengan tugas: peluang hadir pegawai yang menyebutnya 21 poin persentase lebih rendah.'
    """
    _check_lang(lang)
    if measure not in ("share", "ame"):
        raise ValueError(f"measure must be 'share' or 'ame', got {measure!r}")
    items = [(k, float(v)) for k, v in dict(values).items() if not _is_missing(v)]
    if not items:
        return t("rank.none", lang)
    if measure == "share":
        items.sort(key=lambda kv: -kv[1])
        first, fv = items[0]
        vals = {"first": barrier_label(first, lang), "first_value": format_percent(fv, lang, decimals)}
        if top >= 2 and len(items) > 1:
            second, sv = items[1]
            return t("rank.share_two", lang, second=barrier_label(second, lang),
                     second_value=format_percent(sv, lang, decimals), **vals)
        return t("rank.share_one", lang, **vals)
    items.sort(key=lambda kv: -abs(kv[1]))
    first, fv = items[0]
    magnitude = _magnitude(abs(fv) * 100, lang, decimals, "pp")
    key = "rank.ame_lower" if fv < 0 else "rank.ame_higher"
    return t(key, lang, first=barrier_label(first, lang), magnitude=magnitude)
