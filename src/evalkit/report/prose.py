"""Findings in words: sentences a notebook builds from its own estimates, so its prose says what its data show.

A sentence that states a result (an effect fell, one region had the largest effect, two settings differ) is
written by these functions from the numbers, never typed in: when the numbers change, or the premise fails on
another region's data, the sentence changes with them, to the opposite or to "no clear change". Every function
takes ``lang`` (``"id"`` Indonesian, ``"en"`` English) and formats numbers as :mod:`evalkit.report.text` does
(``1.234,5`` / ``1,234.5``, half-up rounding, intervals "IK 95%: a sampai b" / "95% CI a to b").

The rules, documented once
--------------------------
* **Direction** (:func:`direction`): an estimate *falls* (``"down"``) when its whole confidence interval is below
  zero, *rises* (``"up"``) when it is wholly above zero, and otherwise shows *no clear change* (``"unclear"``).
  An interval that touches zero counts as containing it. Without an interval nothing is claimed (``"unclear"``);
  without an estimate the result is ``"missing"``.
* **Sizes**: a clear fall is written as the size of the fall with the interval of that size (an estimate of -4.1
  with CI [-6.2, -2.0] reads "falls by 4.1 (95% CI 2.0 to 6.2)"), as :func:`evalkit.report.text.describe_effect`
  does; an unclear result shows the signed estimate and interval.
* **Largest effect** (:func:`leader_phrase`): the unit with the most extreme estimate in the asked direction is
  named. It is called *clearly* the largest only when its interval does not overlap the interval of the next one;
  when the intervals overlap the sentence says the data do not single it out; when the leader's own interval
  contains zero, the sentence says no unit shows a clear effect.
* **Two independent estimates** (:func:`difference_ci`): the difference ``a - b`` with standard error
  ``sqrt(se_a^2 + se_b^2)`` and a normal interval (for estimates from separate samples, e.g. one model fitted to
  flexible programmes and one to the others).

Examples wrap long sentences over lines (run the doctests with ``NORMALIZE_WHITESPACE``).

Texts passed in (a subject such as "waiting time", group labels, a unit) may be plain strings or
``{"id": ..., "en": ...}`` mappings; a unit may also be a ``unit.*`` key of ``strings.json`` (``"minutes"``,
``"days"``, ``"points"``, ``"pp"``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from evalkit.report.text import MISSING, MONTHS, _check_lang, format_number, keys, t
from evalkit.report.text import _is_missing as _missing

__all__ = [
    "direction",
    "magnitude_ci",
    "change_phrase",
    "gap_phrase",
    "rank_leader",
    "leader_phrase",
    "names_by_direction",
    "direction_summary",
    "difference_ci",
    "linear_combination",
    "join_names",
    "approx_share",
    "month_range",
    "format_p",
    "sentence",
]

_TEMPLATES: dict[str, dict[str, str]] = {
    "change.down": {"id": "{subject} turun {value} ({interval})", "en": "{subject} falls by {value} ({interval})"},
    "change.up": {"id": "{subject} naik {value} ({interval})", "en": "{subject} rises by {value} ({interval})"},
    "change.unclear": {"id": "{subject} tidak berubah secara jelas ({value}; {interval})",
                       "en": "{subject} shows no clear change ({value}; {interval})"},
    "change.missing": {"id": "{subject} tidak dapat diperkirakan", "en": "{subject} could not be estimated"},
    "gap.down": {"id": "{subject} {value} lebih rendah {a} dibandingkan {b} ({interval})",
                 "en": "{subject} is {value} lower {a} than {b} ({interval})"},
    "gap.up": {"id": "{subject} {value} lebih tinggi {a} dibandingkan {b} ({interval})",
               "en": "{subject} is {value} higher {a} than {b} ({interval})"},
    "gap.unclear": {"id": "{subject} tidak jelas lebih tinggi atau lebih rendah {a} dibandingkan {b} "
                          "(selisih {value}; {interval})",
                    "en": "{subject} is not clearly higher or lower {a} than {b} (difference {value}; {interval})"},
    "gap.missing": {"id": "selisih {subject} {a} dibandingkan {b} tidak dapat diperkirakan",
                    "en": "the difference in {subject} {a} compared with {b} could not be estimated"},
    "leader.none": {"id": "Tidak ada {kind} dengan perkiraan {what}.", "en": "No {kind} has an estimate of {what}."},
    "leader.not_clear_of_zero": {
        "id": "Tidak ada {kind} yang menunjukkan {what} yang jelas; perkiraan terbesar ada {prep} {leader} "
              "({value}; {interval}).",
        "en": "No {kind} shows a clear {what}; the largest estimate is {prep} {leader} ({value}; {interval})."},
    "leader.only": {"id": "{What} {prep} {leader}, satu-satunya {kind} dengan perkiraan: {value} ({interval}).",
                    "en": "The {what} {prep} {leader}, the only {kind} with an estimate, is {value} ({interval})."},
    "leader.clear": {
        "id": "{What} terbesar ada {prep} {leader}: {value} ({interval}), jelas lebih besar daripada {kind} "
              "berikutnya, {runner}: {value2} ({interval2}); kedua interval tidak bertumpang tindih.",
        "en": "The largest {what} is {prep} {leader}: {value} ({interval}), clearly larger than {prep} the next "
              "{kind}, {runner}: {value2} ({interval2}); the two intervals do not overlap."},
    "leader.overlap": {
        "id": "{What} terbesar ada {prep} {leader}: {value} ({interval}); {kind} berikutnya, {runner}, tidak jelas "
              "lebih kecil: {value2} ({interval2}), dan kedua interval bertumpang tindih.",
        "en": "The largest {what} is {prep} {leader}: {value} ({interval}); the next {kind}, {runner}, is not "
              "clearly smaller: {value2} ({interval2}), and the two intervals overlap."},
    "summary.down": {"id": "turun {prep} {names}", "en": "falls {prep} {names}"},
    "summary.up": {"id": "naik {prep} {names}", "en": "rises {prep} {names}"},
    "summary.unclear": {"id": "tidak berubah secara jelas {prep} {names}", "en": "no clear change {prep} {names}"},
    "summary.missing": {"id": "tanpa perkiraan {prep} {names}", "en": "no estimate {prep} {names}"},
    "no_interval": {"id": "tanpa interval kepercayaan", "en": "no confidence interval"},
    "and": {"id": "dan", "en": "and"},
    "about": {"id": "sekitar", "en": "about"},
    "month_range": {"id": "{first} s.d. {last}", "en": "{first} to {last}"},
}
_PREP = {"id": "di", "en": "in"}
_KIND = {"id": "wilayah", "en": "region"}
#: Simple fractions :func:`approx_share` may name: value -> (Indonesian, English).
FRACTIONS: tuple[tuple[float, str, str], ...] = (
    (1 / 4, "seperempat", "a quarter"),
    (1 / 3, "sepertiga", "a third"),
    (1 / 2, "setengah", "half"),
    (2 / 3, "dua pertiga", "two thirds"),
    (3 / 4, "tiga perempat", "three quarters"),
)


# ------------------------------------------------------------------------------------------------ helpers
def _tpl(key: str, lang: str, **values) -> str:
    return _TEMPLATES[key][_check_lang(lang)].format(**values)


def _text(value, lang: str) -> str:
    """A plain string, or the ``lang`` entry of an ``{"id", "en"}`` mapping."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or value.get("id") or "")
    return str(value)


def _unit(unit, lang: str) -> str:
    if unit is None:
        return ""
    if isinstance(unit, str):
        key = unit if unit.startswith("unit.") else f"unit.{unit}"
        if key in keys():
            return t(key, lang)
    return _text(unit, lang)


def _value(x: float, lang: str, unit, decimals: int) -> str:
    u = _unit(unit, lang)
    return format_number(x, lang, decimals) + (f" {u}" if u else "")


def _interval(lo: float, hi: float, lang: str, decimals: int, level: float) -> str:
    pct = level * 100
    lvl = f"{format_number(pct, lang, 0 if pct == round(pct) else 1)}%"
    return t("fmt.ci_interval", lang, level=lvl, lo=format_number(lo, lang, decimals),
             hi=format_number(hi, lang, decimals))


def _parts(estimate, ci_low, ci_high, lang: str, unit, decimals: int, level: float, scale: float):
    """(direction, value text, interval text); sizes for a clear change, signed values otherwise."""
    d = direction(estimate, ci_low, ci_high)
    if d == "missing":
        return d, "", ""
    est = float(estimate) * scale
    if _missing(ci_low) or _missing(ci_high):
        return d, _value(est, lang, unit, decimals), _tpl("no_interval", lang)
    lo, hi = float(ci_low) * scale, float(ci_high) * scale
    if d == "down":
        return d, _value(-est, lang, unit, decimals), _interval(-hi, -lo, lang, decimals, level)
    return d, _value(est, lang, unit, decimals), _interval(lo, hi, lang, decimals, level)


# ---------------------------------------------------------------------------------------------- sentences
def direction(estimate, ci_low, ci_high) -> str:
    """``"down"`` (interval wholly below zero), ``"up"`` (wholly above), ``"unclear"`` (contains or touches zero,
    or no interval) or ``"missing"`` (no estimate).

    >>> direction(-4.1, -6.2, -2.0), direction(3.0, 1.0, 5.0), direction(-0.2, -0.5, 0.1), direction(1.0, 0.0, 2.0)
    ('down', 'up', 'unclear', 'unclear')
    """
    if _missing(estimate):
        return "missing"
    if _missing(ci_low) or _missing(ci_high):
        return "unclear"
    lo, hi = float(ci_low), float(ci_high)
    if lo > hi:
        raise ValueError(f"ci_low ({lo}) is above ci_high ({hi})")
    if hi < 0:
        return "down"
    if lo > 0:
        return "up"
    return "unclear"


def magnitude_ci(estimate, ci_low, ci_high, lang: str = "en", unit=None, decimals: int = 1, level: float = 0.95,
                 scale: float = 1.0) -> str:
    """The estimate with its interval: the size of a clear fall (interval of that size), else signed.

    >>> magnitude_ci(-4.1, -6.2, -2.0, "en", unit="minutes")
    '4.1 minutes (95% CI 2.0 to 6.2)'
    >>> magnitude_ci(-0.2, -0.5, 0.1, "id", unit="days")
    '-0,2 hari (IK 95%: -0,5 sampai 0,1)'
    """
    d, value, interval = _parts(estimate, ci_low, ci_high, lang, unit, decimals, level, scale)
    if d == "missing":
        return MISSING
    return f"{value} ({interval})"


def change_phrase(subject, estimate, ci_low, ci_high, lang: str = "en", unit=None, decimals: int = 1,
                  level: float = 0.95, scale: float = 1.0) -> str:
    """``"<subject> falls by X (CI)"``, ``"rises by X (CI)"`` or ``"shows no clear change (X; CI)"``.

    Parameters
    ----------
    subject : str or {"id", "en"} mapping
        What changes, as it reads at the start of a clause ("waiting time", "the IKM").
    estimate, ci_low, ci_high : float
        The change and its confidence interval.
    unit : str or mapping, optional
        ``unit.*`` key of strings.json or a text.
    scale : float
        Multiply the numbers before formatting (100 turns a change in probability into percentage points).

    Returns
    -------
    str
        A clause without a final full stop (wrap it in :func:`sentence` to start a sentence with it).

    Examples
    --------
    >>> change_phrase("waiting time", -5.02, -6.87, -3.16, "en", unit="minutes")
    'waiting time falls by 5.0 minutes (95% CI 3.2 to 6.9)'
    >>> change_phrase("waktu proses", -0.20, -0.51, 0.11, "id", unit="days")
    'waktu proses tidak berubah secara jelas (-0,2 hari; IK 95%: -0,5 sampai 0,1)'
    """
    subj = _text(subject, lang)
    d, value, interval = _parts(estimate, ci_low, ci_high, lang, unit, decimals, level, scale)
    if d == "missing":
        return _tpl("change.missing", lang, subject=subj)
    return _tpl(f"change.{d}", lang, subject=subj, value=value, interval=interval)


def gap_phrase(subject, estimate, ci_low, ci_high, a, b, lang: str = "en", unit=None, decimals: int = 1,
               level: float = 0.95, scale: float = 1.0) -> str:
    """A difference between two groups (``estimate`` = group ``a`` minus group ``b``) in words.

    ``a`` and ``b`` carry their own preposition ("for invitees who cite it", "for those who do not"; Indonesian
    "pada ...").

    Examples
    --------
    >>> gap_phrase("the probability of attending", -0.493, -0.606, -0.381, "for invitees citing it",
    ...            "for those who do not", "en", unit="pp", scale=100)
    'the probability of attending is 49.3 percentage points lower for invitees citing it than for those who do not
    (95% CI 38.1 to 60.6)'
    >>> gap_phrase("kehadiran", 0.002, -0.066, 0.071, "pada program fleksibel", "program lain", "id", unit="pp",
    ...            scale=100)
    'kehadiran tidak jelas lebih tinggi atau lebih rendah pada program fleksibel dibandingkan program lain
    (selisih 0,2 poin persentase; IK 95%: -6,6 sampai 7,1)'
    """
    subj, ta, tb = _text(subject, lang), _text(a, lang), _text(b, lang)
    d, value, interval = _parts(estimate, ci_low, ci_high, lang, unit, decimals, level, scale)
    if d == "missing":
        return _tpl("gap.missing", lang, subject=subj, a=ta, b=tb)
    return _tpl(f"gap.{d}", lang, subject=subj, a=ta, b=tb, value=value, interval=interval)


def rank_leader(table: pd.DataFrame, *, name: str = "name", estimate: str = "estimate", ci_low: str = "ci_low",
                ci_high: str = "ci_high", largest: str = "negative") -> dict:
    """The unit with the largest effect and whether the data single it out (the rule of :func:`leader_phrase`).

    Returns
    -------
    dict
        ``leader`` and ``runner_up`` (names, None when absent), ``n`` (units with an estimate),
        ``clear_of_zero`` (the leader's interval lies wholly on the asked side of zero) and ``apart`` (its
        interval does not overlap the runner-up's; False without a runner-up or its interval).

    >>> rank_leader(pd.DataFrame({"name": ["A", "B"], "estimate": [-3.0, -1.0], "ci_low": [-4.0, -1.5],
    ...                           "ci_high": [-2.0, 0.5]}))
    {'leader': 'A', 'runner_up': 'B', 'n': 2, 'clear_of_zero': True, 'apart': True}
    """
    if largest not in ("negative", "positive"):
        raise ValueError(f"largest must be 'negative' or 'positive', got {largest!r}")
    d = table[[name, estimate, ci_low, ci_high]].dropna(subset=[estimate])
    d = d.sort_values(estimate, ascending=(largest == "negative"), kind="stable")
    out = {"leader": None, "runner_up": None, "n": int(len(d)), "clear_of_zero": False, "apart": False}
    if d.empty:
        return out
    first = d.iloc[0]
    out["leader"] = str(first[name])
    wanted = "down" if largest == "negative" else "up"
    out["clear_of_zero"] = direction(first[estimate], first[ci_low], first[ci_high]) == wanted
    if len(d) > 1:
        second = d.iloc[1]
        out["runner_up"] = str(second[name])
        if not any(_missing(x) for x in (first[ci_low], first[ci_high], second[ci_low], second[ci_high])):
            out["apart"] = bool(float(first[ci_high]) < float(second[ci_low]) if largest == "negative"
                                else float(first[ci_low]) > float(second[ci_high]))
    return out


def leader_phrase(table: pd.DataFrame, what, lang: str = "en", *, name: str = "name", estimate: str = "estimate",
                  ci_low: str = "ci_low", ci_high: str = "ci_high", largest: str = "negative", unit=None,
                  decimals: int = 1, level: float = 0.95, scale: float = 1.0, prep=None, kind=None) -> str:
    """One or two sentences naming the unit (region, barrier, ...) with the largest effect, and whether the data
    single it out.

    Parameters
    ----------
    table : DataFrame
        One row per unit with the columns ``name``, ``estimate``, ``ci_low``, ``ci_high``. Rows without an
        estimate are ignored.
    what : str or mapping
        The effect as a noun phrase: "drop in waiting time per 100% of staff trained".
    largest : {"negative", "positive"}
        Which end is "largest": the most negative estimate (a drop) or the most positive (a rise).
    prep, kind : str or mapping, optional
        The preposition before a unit's name (default "in" / "di") and what a unit is (default "region" /
        "wilayah").

    Returns
    -------
    str
        Full sentences. The rule (:func:`rank_leader`): the leader is *clearly* the largest only when its
        interval does not overlap that of the next unit; if the leader's own interval contains zero, no unit
        shows a clear effect.

    Examples
    --------
    >>> tab = pd.DataFrame({"name": ["A", "B", "C"], "estimate": [-29.8, -11.2, -8.7],
    ...                     "ci_low": [-34.0, -16.4, -30.6], "ci_high": [-25.7, -6.0, 13.2]})
    >>> leader_phrase(tab, "drop in waiting time", "en", unit="minutes")
    'The largest drop in waiting time is in A: 29.8 minutes (95% CI 25.7 to 34.0), clearly larger than in the next
    region, B: 11.2 minutes (95% CI 6.0 to 16.4); the two intervals do not overlap.'
    """
    _check_lang(lang)
    rank = rank_leader(table, name=name, estimate=estimate, ci_low=ci_low, ci_high=ci_high, largest=largest)
    w, p = _text(what, lang), _text(prep, lang) if prep is not None else _PREP[lang]
    k = _text(kind, lang) if kind is not None else _KIND[lang]
    if rank["leader"] is None:
        return _tpl("leader.none", lang, kind=k, what=w)
    rows = table.assign(_name=table[name].astype(str)).set_index("_name")
    sign = -1.0 if largest == "negative" else 1.0

    def show(unit_name: str, as_size: bool):
        r = rows.loc[unit_name]
        est, lo, hi = float(r[estimate]) * scale, r[ci_low], r[ci_high]
        if _missing(lo) or _missing(hi):
            return _value(sign * est if as_size else est, lang, unit, decimals), _tpl("no_interval", lang)
        lo, hi = float(lo) * scale, float(hi) * scale
        if as_size and sign < 0:
            return _value(-est, lang, unit, decimals), _interval(-hi, -lo, lang, decimals, level)
        return _value(est, lang, unit, decimals), _interval(lo, hi, lang, decimals, level)

    leader = rank["leader"]
    if not rank["clear_of_zero"]:
        value, interval = show(leader, as_size=False)
        return _tpl("leader.not_clear_of_zero", lang, kind=k, what=w, prep=p, leader=leader, value=value,
                    interval=interval)
    value, interval = show(leader, as_size=True)
    W = w[:1].upper() + w[1:]
    if rank["runner_up"] is None:
        return _tpl("leader.only", lang, What=W, what=w, prep=p, leader=leader, kind=k, value=value,
                    interval=interval)
    value2, interval2 = show(rank["runner_up"], as_size=True)
    return _tpl("leader.clear" if rank["apart"] else "leader.overlap", lang, What=W, what=w, prep=p,
                leader=leader, kind=k, runner=rank["runner_up"], value=value, interval=interval, value2=value2,
                interval2=interval2)


def names_by_direction(table: pd.DataFrame, name: str = "name", estimate: str = "estimate",
                       ci_low: str = "ci_low", ci_high: str = "ci_high") -> dict[str, list[str]]:
    """The units of ``table`` grouped by :func:`direction`: ``{"down": [...], "up": [...], "unclear": [...],
    "missing": [...]}`` (every key present, names in table order).

    >>> names_by_direction(pd.DataFrame({"name": ["A", "B"], "estimate": [0.2, 0.1], "ci_low": [0.03, -0.1],
    ...                                  "ci_high": [0.37, 0.3]}))
    {'down': [], 'up': ['A'], 'unclear': ['B'], 'missing': []}
    """
    out: dict[str, list[str]] = {"down": [], "up": [], "unclear": [], "missing": []}
    for r in table.itertuples(index=False):
        r = r._asdict()
        out[direction(r[estimate], r[ci_low], r[ci_high])].append(str(r[name]))
    return out


def direction_summary(subject, table: pd.DataFrame, lang: str = "en", *, name: str = "name",
                      estimate: str = "estimate", ci_low: str = "ci_low", ci_high: str = "ci_high", prep=None) -> str:
    """Where an estimate falls, rises or shows no clear change, unit by unit, in one clause:
    ``"<subject>: falls in A and B; no clear change in C"`` (groups in that order, empty groups left out).

    >>> tab = pd.DataFrame({"name": ["A", "B", "C"], "estimate": [-2.0, -1.0, 0.3], "ci_low": [-3.0, -1.5, -0.2],
    ...                     "ci_high": [-1.0, -0.5, 0.8]})
    >>> direction_summary("waiting time", tab, "en")
    'waiting time: falls in A and B; no clear change in C'
    >>> direction_summary("waktu tunggu", tab, "id")
    'waktu tunggu: turun di A dan B; tidak berubah secara jelas di C'
    """
    groups = names_by_direction(table, name=name, estimate=estimate, ci_low=ci_low, ci_high=ci_high)
    p = _text(prep, lang) if prep is not None else _PREP[lang]
    parts = [_tpl(f"summary.{d}", lang, prep=p, names=join_names(groups[d], lang))
             for d in ("down", "up", "unclear", "missing") if groups[d]]
    return f"{_text(subject, lang)}: " + "; ".join(parts)


# -------------------------------------------------------------------------------------------- arithmetic
def difference_ci(est_a, se_a, est_b, se_b, level: float = 0.95) -> tuple[float, float, float]:
    """``a - b`` of two independent estimates with a normal interval: ``(difference, low, high)``.

    >>> [round(x, 3) for x in difference_ci(0.002, 0.035, -0.128, 0.031)]
    [0.13, 0.038, 0.222]
    """
    from scipy import stats  # loaded on first use: importing evalkit stays light (scipy.stats: 0.4 s)
    diff = float(est_a) - float(est_b)
    se = math.hypot(float(se_a), float(se_b))
    z = stats.norm.ppf(0.5 + level / 2)
    return diff, float(diff - z * se), float(diff + z * se)


def linear_combination(coef: Mapping[str, float] | pd.Series, vcov: pd.DataFrame, weights: Mapping[str, float],
                       df: float | None = None, level: float = 0.95) -> dict[str, float]:
    """``sum(w * b)`` of coefficients of one fit, with its standard error from the fit's covariance matrix and a
    t (``df`` given) or normal interval: ``{"estimate", "std_error", "ci_low", "ci_high"}``.

    Use it for a unit's total slope (its group's slope plus its own extra slope).

    >>> b = pd.Series({"x": 1.0, "z": 2.0})
    >>> V = pd.DataFrame([[0.04, 0.01], [0.01, 0.09]], index=["x", "z"], columns=["x", "z"])
    >>> {k: round(v, 3) for k, v in linear_combination(b, V, {"x": 1, "z": 1}).items()}
    {'estimate': 3.0, 'std_error': 0.387, 'ci_low': 2.241, 'ci_high': 3.759}
    """
    from scipy import stats  # loaded on first use: importing evalkit stays light (scipy.stats: 0.4 s)
    names = list(weights)
    w = np.array([float(weights[n]) for n in names])
    b = np.array([float(pd.Series(coef)[n]) for n in names])
    V = vcov.loc[names, names].to_numpy(float)
    est = float(w @ b)
    se = float(np.sqrt(max(w @ V @ w, 0.0)))
    crit = stats.t.ppf(0.5 + level / 2, df) if df is not None and df > 0 else stats.norm.ppf(0.5 + level / 2)
    crit = float(crit)
    return {"estimate": est, "std_error": se, "ci_low": est - crit * se, "ci_high": est + crit * se}


# ------------------------------------------------------------------------------------------------- words
def groups_largest_first(result, lang: str = "en", decimals: int = 1) -> str:
    """The groups of a by-group result, largest estimate first, each with its estimate: ``"a (3.1), b (2.0)"``.

    ``result``: an :class:`~evalkit.impact.ImpactResult` (or its ``tidy()`` table) whose terms name the group
    as ``x[by=group]`` (:func:`~evalkit.impact.summary.subgroup_att`, :func:`~evalkit.impact.heterogeneity`).

    >>> import pandas as pd
    >>> groups_largest_first(pd.DataFrame({"term": ["ATT[mode=a]", "ATT[mode=b]"], "estimate": [1.04, 2.5]}))
    'b (2.5), a (1.0)'
    """
    tab = result if isinstance(result, pd.DataFrame) else result.tidy()
    tab = tab.sort_values("estimate", ascending=False)
    groups = tab["term"].str.extract(r"=(.*)\]$")[0]
    return ", ".join(f"{g} ({format_number(e, lang, decimals)})" for g, e in zip(groups, tab["estimate"]))


def join_names(names: Iterable, lang: str = "en") -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"`` (Indonesian ``"A dan B"``, ``"A, B, dan C"`` as PUEBI writes a
    list); ``""`` for none.

    >>> join_names(["Sleman", "Palu"], "en"), join_names(["A", "B", "C"], "id")
    ('Sleman and Palu', 'A, B, dan C')
    """
    items = [str(n) for n in names]
    word = _tpl("and", lang)
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {word} {items[1]}"
    comma = "," if lang == "id" else ""
    return f"{', '.join(items[:-1])}{comma} {word} {items[-1]}"


def approx_share(share, lang: str = "en", tol: float = 0.025) -> str:
    """A share in words: a simple fraction when within ``tol`` of one ("about a third" / "sekitar sepertiga"),
    else a whole percentage ("about 41%").

    >>> approx_share(0.31, "en"), approx_share(0.41, "en"), approx_share(0.5, "id")
    ('about a third', 'about 41%', 'sekitar setengah')
    """
    about = _tpl("about", lang)
    if _missing(share):
        return MISSING
    s = float(share)
    for value, word_id, word_en in FRACTIONS:
        if abs(s - value) <= tol:
            return f"{about} {word_id if lang == 'id' else word_en}"
    return f"{about} {format_number(s * 100, lang, 0)}%"


def month_range(first, last, lang: str = "en") -> str:
    """``"January 2022 to December 2024"`` / ``"Januari 2022 s.d. Desember 2024"``.

    >>> month_range("2022-01-01", "2024-12-01", "id")
    'Januari 2022 s.d. Desember 2024'
    """
    _check_lang(lang)
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    return _tpl("month_range", lang, first=f"{MONTHS[lang][a.month - 1]} {a.year}",
                last=f"{MONTHS[lang][b.month - 1]} {b.year}")


def format_p(p, lang: str = "en", decimals: int = 3) -> str:
    """A p-value: ``"< 0.001"`` below 0.001, else with ``decimals`` digits (``"0,055"`` in Indonesian).

    >>> format_p(0.0004), format_p(0.0549, "id")
    ('< 0.001', '0,055')
    """
    if _missing(p):
        return MISSING
    floor = 10.0 ** -decimals
    if float(p) < floor:
        return f"< {format_number(floor, lang, decimals)}"
    return format_number(p, lang, decimals)


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop (unless the text already ends in ``.``, ``!``, ``?``).

    >>> sentence("waiting time falls by 5.0 minutes (95% CI 3.2 to 6.9)")
    'Waiting time falls by 5.0 minutes (95% CI 3.2 to 6.9).'
    """
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
