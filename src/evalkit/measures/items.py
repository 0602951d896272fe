"""Questionnaires with any number of items: L1 and L3 summaries, Cronbach's alpha and diverging bars per scale.

These functions take the long ``items`` table (``evalkit.datasets.load("items")``, written by the cleaner; see
:mod:`evalkit.ingest.schemas`): one row per answer row and question, with ``scale``, ``item``, ``wording`` and
``score`` (1-5). A respondent is one answer row of a questionnaire, identified by ``table`` and
``response_id`` (``response_id`` alone when the frame has no ``table`` column). The default items of the
reaction (L1) and followup (L3) tables form the scales ``reaction`` and ``application``; any other question a
codebook maps as ``item`` is in the scale the codebook names. Filter the rows first to summarise a subset
(``items[items["table"] == "followup"]``), and merge programme or employee columns in to group by them.

Each function reuses the wide-table measures (:func:`~evalkit.measures.likert.likert_items`,
:func:`~evalkit.measures.reliability.cronbach_alpha`, :func:`~evalkit.report.likert_plots.diverging_likert_plot`)
on the respondent x item matrix of a scale (:func:`wide_items`), so a default scale gives the same numbers as
those functions on the wide ``reaction`` or ``followup`` table. :func:`scale_likert_plot` lives in
:mod:`evalkit.report.likert_plots` (re-exported here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, check_numeric, group_iter, wilson
from evalkit.measures.likert import likert_items
from evalkit.measures.reliability import cronbach_alpha_by
from evalkit.report.likert_plots import scale_likert_plot

__all__ = ["scale_summary", "item_summary", "alpha_by_scale", "wide_items", "scale_likert_plot", "scale_items"]

#: Columns of the items table that describe a question or an answer, not a respondent: never ``by`` columns.
_NOT_BY = ("scale", "item", "wording", "score", "response_id")


def _default_order() -> dict[str, int]:
    from evalkit.ingest.spec import ITEM_TABLES, default_items

    return {f: i for i, f in enumerate(f for t in ITEM_TABLES for f in default_items(t))}


def _respondent(items: pd.DataFrame) -> list[str]:
    return ["table", "response_id"] if "table" in items.columns else ["response_id"]


def _check(items: pd.DataFrame, by, extra: tuple[str, ...] = ()) -> list[str]:
    """Validate the items frame (columns, 1-5 numeric scores) and ``by``; return ``by`` as a list."""
    check_frame(items, "items")
    by = as_list(by)
    bad = [c for c in by if c in _NOT_BY]
    if bad:
        raise ValueError(f"by cannot name {bad}: they describe a question or an answer, not a respondent")
    check_columns(items, ["response_id", "scale", "item", "score", *extra, *by], "items")
    check_numeric(items, ["score"], "items")
    v = items["score"].dropna().to_numpy(dtype=float)
    wrong = (v < 1) | (v > 5) | (v != np.round(v))
    if wrong.any():
        raise ValueError(f"items has scores outside 1..5: {sorted(set(v[wrong]))[:5]}")
    return by


def scale_items(items: pd.DataFrame, scale: str) -> list[tuple[str, str]]:
    """The questions of one scale as (item, wording), in the order :func:`wide_items` gives its columns.

    Order: a scale's default items (``material``, ``trainer``, ...; ``apply_material``, ...) in their table's
    order, then the other questions in the order they first appear in ``items`` (the items table lists each
    answer row's questions in its file's column order). The wording is the one most rows carry (a question
    asked in several files may be worded differently in each; :func:`item_summary` lists them all).
    """
    check_frame(items, "items")
    check_columns(items, ["scale", "item"], "items")
    sub = items.loc[items["scale"].astype(object) == scale]
    if sub.empty:
        known = sorted(items["scale"].dropna().astype(str).unique())
        raise ValueError(f"no items of scale {scale!r}; the scales are {known}")
    first = {k: i for i, k in enumerate(pd.unique(sub["item"].astype(object)))}
    default = _default_order()
    order = sorted(first, key=lambda k: (0, default[k], 0) if k in default else (1, 0, first[k]))
    words = _wordings(sub) if "wording" in sub.columns else {}
    return [(k, words.get(k, [k])[0]) for k in order]


def _wordings(sub: pd.DataFrame) -> dict[str, list[str]]:
    """item -> its distinct wordings, the most frequent first (ties: first seen)."""
    out: dict[str, list[str]] = {}
    d = sub[["item", "wording"]].astype(object).dropna()
    if d.empty:
        return out
    counts = d.groupby(["item", "wording"], sort=False).size()
    for (item, wording), _n in sorted(counts.items(), key=lambda kv: -kv[1]):
        out.setdefault(item, []).append(wording)
    return out


def wide_items(items: pd.DataFrame, scale: str, by=None) -> pd.DataFrame:
    """The respondent x item matrix of one scale, ready for the wide-table measures.

    Parameters
    ----------
    items : pandas.DataFrame
        The items table (or rows of it).
    scale : str
        The scale (e.g. ``"reaction"``, ``"application"``, or a scale a codebook names).
    by : str or list of str, optional
        Respondent columns to carry along (``programme_id``, ``rater_role``, a merged ``region``).

    Returns
    -------
    pandas.DataFrame
        One row per respondent with an answer row for the scale (index ``table``, ``response_id``), the ``by``
        columns, then one ``Int64`` column per item in :func:`scale_items` order (missing where the respondent
        left it blank or their questionnaire did not ask it). Pass the item columns, ``list(w.columns[len(by):])``,
        to :func:`~evalkit.report.likert_plots.diverging_likert_plot`, ``likert_items``, ``likert_scale`` or
        ``cronbach_alpha``; :func:`scale_likert_plot` does the first in one call.
    """
    by = _check(items, by)
    resp = _respondent(items)
    order = [k for k, _w in scale_items(items, scale)]
    sub = items.loc[items["scale"].astype(object) == scale]
    keys = resp + [c for c in by if c not in resp]
    g = sub.groupby(keys, dropna=False, sort=True, observed=True)
    rid = g.ngroup().to_numpy()
    who = g.size().index.to_frame(index=False)
    col = pd.Index(order).get_indexer(sub["item"].astype(object))
    cell = rid.astype(np.int64) * len(order) + col
    if len(np.unique(cell)) != len(cell):
        raise ValueError(f"scale {scale!r}: a respondent answers an item twice (is the items table of two cleaning "
                         f"runs put together, or do the by columns vary within a respondent?)")
    score = np.full(len(who) * len(order), np.nan)
    score[cell] = sub["score"].astype("float64").to_numpy()
    mat = score.reshape(len(who), len(order))
    out = pd.DataFrame({c: who[c].to_numpy() for c in by}, index=pd.MultiIndex.from_frame(who[resp])
                       if len(resp) > 1 else pd.Index(who[resp[0]]))
    for c in by:  # (in the dtype they have in items: a category stays one)
        out[c] = out[c].astype(items[c].dtype)
    for j, k in enumerate(order):
        out[k] = pd.array(mat[:, j], dtype="Int64")
    return out


def item_summary(items: pd.DataFrame, by=None, agree=(4, 5), ci: float = 0.95) -> pd.DataFrame:
    """Per question: n, mean, SD, median and share agreeing with its Wilson CI, per scale (and ``by`` groups).

    :func:`~evalkit.measures.likert.likert_items` on each scale's :func:`wide_items` matrix: missing answers are
    dropped item by item, "agree" is an answer in ``agree`` (4 or 5: Setuju, Sangat Setuju).

    Returns
    -------
    pandas.DataFrame
        by columns, ``scale``, ``item``, ``wording`` (its wordings, the most frequent first, joined by " | "),
        ``n``, ``mean``, ``sd``, ``median``, ``n_agree``, ``share_agree``, ``ci_low``, ``ci_high``; scales
        in alphabetical order, items in :func:`scale_items` order.
    """
    by = _check(items, by, ("wording",))
    ci = check_ci(ci)
    parts = []
    for scale in sorted(items["scale"].dropna().astype(str).unique()):
        questions = scale_items(items, scale)
        wide = wide_items(items, scale, by).reset_index(drop=True)
        words = _wordings(items.loc[items["scale"].astype(object) == scale])
        res = likert_items(wide, [k for k, _w in questions], by=by or None, agree=agree, ci=ci)
        res.insert(len(by), "scale", scale)
        res.insert(len(by) + 2, "wording", res["item"].map(lambda k: " | ".join(words.get(k, [k]))))
        parts.append(res)
    if not parts:
        return pd.DataFrame(columns=[*by, "scale", "item", "wording", "n", "mean", "sd", "median", "n_agree",
                                     "share_agree", "ci_low", "ci_high"])
    return pd.concat(parts, ignore_index=True)


def scale_summary(items: pd.DataFrame, by=None, agree: float = 4.0, ci: float = 0.95) -> pd.DataFrame:
    """Per scale (and ``by`` group): the mean scale score with a t CI and the share of respondents agreeing.

    A respondent's scale score is the mean of their answers to the scale's questions, counted only when they
    answered every question of the scale that their questionnaire asked (one blank answer leaves it missing;
    a question another office's form has and theirs lacks does not). For a table whose files all ask the same
    questions this is :func:`~evalkit.measures.likert.likert_scale` with ``min_items`` = all. A respondent
    agrees when their scale score is at least ``agree`` (4: Setuju on average); the share agreeing is over the
    respondents with a score, with its Wilson interval (respondents are independent; per-question shares of
    4-5 answers are in :func:`item_summary`).

    Parameters
    ----------
    items : pandas.DataFrame
        The items table (or rows of it).
    by : str or list of str, optional
        Respondent columns to group by (``table``, ``programme_id``, ``rater_role``, a merged ``region``).
    agree : float
        The scale score from which a respondent counts as agreeing.
    ci : float
        Confidence level of both intervals.

    Returns
    -------
    pandas.DataFrame
        by columns, ``scale``, ``n_items`` (distinct questions), ``n_respondents`` (with an answer row),
        ``n`` (with a scale score), ``mean``, ``sd``, ``std_error``, ``ci_low``, ``ci_high`` (mean +/- t_{n-1}
        SE), ``n_agree``, ``share_agree``, ``agree_ci_low``, ``agree_ci_high``.
    """
    from scipy import stats

    by = _check(items, by)
    ci = check_ci(ci)
    resp = _respondent(items)
    data = items[[*dict.fromkeys([*by, "scale", *resp, "item"])]].copy()
    data["score"] = items["score"].astype("float64")
    rows = []
    for key, sub in group_iter(data, [*by, "scale"]):
        per = sub.groupby(resp, dropna=False, sort=False, observed=True).agg(
            asked=("item", "size"), answered=("score", "count"), score=("score", "mean"))
        s = per["score"].where(per["answered"] == per["asked"]).dropna()
        n = len(s)
        m = s.mean() if n else np.nan
        sd = s.std(ddof=1) if n > 1 else np.nan
        se = sd / np.sqrt(n) if n > 1 else np.nan
        t = stats.t.ppf(0.5 + ci / 2, n - 1) if n > 1 else np.nan
        k = int((s >= agree).sum())
        rows.append({**key, "n_items": int(sub["item"].nunique()), "n_respondents": len(per), "n": n,
                     "mean": m, "sd": sd, "std_error": se,
                     "ci_low": m - t * se, "ci_high": m + t * se, "n_agree": k,
                     "share_agree": k / n if n else np.nan})
    cols = [*by, "scale", "n_items", "n_respondents", "n", "mean", "sd", "std_error", "ci_low", "ci_high",
            "n_agree", "share_agree", "agree_ci_low", "agree_ci_high"]
    out = pd.DataFrame(rows, columns=cols[:-2])
    out["agree_ci_low"], out["agree_ci_high"] = wilson(out["n_agree"], out["n"], ci)
    return out[cols]


def alpha_by_scale(items: pd.DataFrame, by=None, ci: float = 0.95, min_items: int = 2) -> pd.DataFrame:
    """Cronbach's alpha with the Feldt CI for every scale with at least ``min_items`` (>= 2) questions.

    :func:`~evalkit.measures.reliability.cronbach_alpha_by` on each scale's :func:`wide_items` matrix: a
    respondent with any question of the scale missing (blank, or not asked by their questionnaire) is left
    out (listwise deletion); a group with fewer than 3 complete respondents or no variance gets NaN.

    Returns
    -------
    pandas.DataFrame
        by columns, ``scale``, then the columns of :func:`~evalkit.measures.reliability.cronbach_alpha`
        (``term``, ``estimate``, ``std_error``, ``statistic``, ``p_value``, ``ci_low``, ``ci_high``, ``n``,
        ``k``, ``n_dropped``); scales with fewer questions are not listed.
    """
    by = _check(items, by)
    ci = check_ci(ci)
    if int(min_items) < 2:
        raise ValueError(f"min_items must be at least 2 (alpha needs two items), got {min_items!r}")
    parts = []
    for scale in sorted(items["scale"].dropna().astype(str).unique()):
        questions = [k for k, _w in scale_items(items, scale)]
        if len(questions) < min_items:
            continue
        wide = wide_items(items, scale, by).reset_index(drop=True)
        res = cronbach_alpha_by(wide, questions, by=by or None, ci=ci)
        res.insert(len(by), "scale", scale)
        parts.append(res)
    if not parts:
        return pd.DataFrame(columns=[*by, "scale", "term", "estimate", "std_error", "statistic", "p_value",
                                     "ci_low", "ci_high", "n", "k", "n_dropped"])
    return pd.concat(parts, ignore_index=True)
