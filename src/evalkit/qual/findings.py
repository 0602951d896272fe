"""Findings from coded interviews: the top theme per group, a region's top barrier theme for the recommendations,
and theme shares next to the barrier estimates of the attendance model (mixed methods)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.qual.coding import _themes_of

#: Codebook themes that name a participation barrier (the ones :func:`evalkit.report.recommend.recommend` acts on
#: through ``top_interview_theme``; ``evalkit.report.text.BARRIER_ALIASES`` maps them to barriers).
BARRIER_THEMES: tuple[str, ...] = ("time_conflict", "motivation", "relevance", "resistance", "budget")


def top_theme(coded: pd.DataFrame, by: str | Sequence[str] | None = "region", themes: Sequence[str] | None = None,
              threshold: int | None = None) -> pd.DataFrame:
    """The most frequently mentioned theme per group (ties go to the theme listed first in the codebook).

    Only texts with at least one token count. A group with fewer than ``threshold`` texts (default
    ``config.SMALL_CELL_THRESHOLD``) gets no top theme (``theme`` missing), like a suppressed cell.

    Parameters
    ----------
    themes : list of str, optional
        Themes to choose among (default every theme; :data:`BARRIER_THEMES` for the barrier themes only).

    Returns
    -------
    DataFrame
        ``*by, theme, count, n, share``: the top theme, the texts mentioning it, the texts in the group and
        the share.
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    themes = _themes_of(coded, themes, exclude=by)
    thr = config.SMALL_CELL_THRESHOLD if threshold is None else int(threshold)
    data = coded[coded["n_tokens"] > 0] if "n_tokens" in coded.columns else coded
    data = data.assign(_all=0) if not by else data
    keys = by or ["_all"]
    rows = []
    for key, g in data.groupby(keys, sort=True, observed=True):
        counts = g[themes].astype(bool).sum(axis=0).to_numpy()
        n = len(g)
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(keys, key, strict=True))
        if n < thr or counts.max() == 0:
            row.update(theme=None, count=np.nan, n=n, share=np.nan)
        else:
            i = int(np.argmax(counts))  # first maximum = codebook order
            row.update(theme=themes[i], count=int(counts[i]), n=n, share=counts[i] / n)
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, "theme", "count", "n", "share"])
    return out.drop(columns="_all") if not by else out


def interview_findings(coded: pd.DataFrame, region: str, themes: Sequence[str] = BARRIER_THEMES) -> dict:
    """Findings for :func:`evalkit.report.recommend.recommend` from one region's coded interviews.

    Returns
    -------
    dict
        ``{"top_interview_theme": theme}``: the barrier theme (:data:`BARRIER_THEMES`) mentioned in most of the
        region's interviews, or ``None`` when the region has too few interviews or none mentions a barrier.
    """
    if "region" not in coded.columns:
        raise ValueError("coded has no 'region' column")
    sub = coded[coded["region"].astype(str) == str(region)]
    if sub.empty:
        return {"top_interview_theme": None}
    top = top_theme(sub, by=None, themes=[t for t in themes if t in coded.columns])
    return {"top_interview_theme": top["theme"].iloc[0]}


def theme_vs_estimate(freq: pd.DataFrame, estimates: pd.DataFrame, theme: str, term: str,
                      by: str = "region") -> pd.DataFrame:
    """Mixed methods: per group, the share of interviews mentioning ``theme`` next to a model estimate.

    Parameters
    ----------
    freq : DataFrame
        :func:`theme_frequencies` grouped by ``by`` only.
    estimates : DataFrame
        A tidy estimate table with ``by``, ``term``, ``estimate``, ``ci_low``, ``ci_high`` (e.g.
        :func:`evalkit.participation.attendance_model` with ``by="region"``).
    theme, term : str
        The theme and the estimate's term to put side by side (``"time_conflict"``, ``"barrier_time"``).

    Returns
    -------
    DataFrame
        ``by, n, share, ci_low, ci_high`` (interviews) and ``estimate, est_ci_low, est_ci_high`` (model), one
        row per group present in both.
    """
    for name, df, cols in (("freq", freq, [by, "theme", "n", "share", "ci_low", "ci_high"]),
                           ("estimates", estimates, [by, "term", "estimate", "ci_low", "ci_high"])):
        miss = [c for c in cols if c not in df.columns]
        if miss:
            raise ValueError(f"{name} is missing column(s) {miss}")
    f = freq.loc[freq["theme"] == theme, [by, "n", "share", "ci_low", "ci_high"]]
    if f.empty:
        raise ValueError(f"theme {theme!r} not in freq")
    e = estimates.loc[estimates["term"] == term, [by, "estimate", "ci_low", "ci_high"]]
    if e.empty:
        raise ValueError(f"term {term!r} not in estimates")
    e = e.rename(columns={"ci_low": "est_ci_low", "ci_high": "est_ci_high"})
    f = f.assign(**{by: f[by].astype(str)})
    e = e.assign(**{by: e[by].astype(str)})
    return f.merge(e, on=by, how="inner").sort_values(by).reset_index(drop=True)


#: Interview theme -> the stated barrier of the enrolment files (``evalkit.participation.BARRIERS``) it echoes.
THEME_BARRIER: dict[str, str] = {"time_conflict": "barrier_time", "motivation": "barrier_motivation",
                                 "relevance": "barrier_relevance", "resistance": "barrier_experienced"}


def themes_vs_ame(freq: pd.DataFrame, ame: pd.DataFrame, pairs: dict[str, str] | None = None,
                  by: str = "region") -> pd.DataFrame:
    """:func:`theme_vs_estimate` for every theme/barrier pair (default :data:`THEME_BARRIER`), stacked.

    ``ame`` is :func:`evalkit.participation.attendance_model` fitted with ``by=by``. Returns the columns of
    :func:`theme_vs_estimate` with ``theme`` and ``term`` in front; pairs missing from either table are skipped.
    """
    pairs = THEME_BARRIER if pairs is None else pairs
    parts = []
    for theme, term in pairs.items():
        if theme in set(freq["theme"]) and term in set(ame["term"]):
            parts.append(theme_vs_estimate(freq, ame, theme, term, by=by).assign(theme=theme, term=term))
    if not parts:
        raise ValueError("no theme/term pair found in both tables")
    out = pd.concat(parts, ignore_index=True)
    return out[["theme", "term", *[c for c in out.columns if c not in ("theme", "term")]]]
