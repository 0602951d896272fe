"""Likert summaries (Kirkpatrick L1 reaction items, L3 application items) and a diverging bar chart.

Canonical Likert items are ints 1-5: Sangat Tidak Setuju (1), Tidak Setuju (2), Netral/Ragu-ragu (3),
Setuju (4), Sangat Setuju (5) (DOMAIN.md section 6). "Agree" means 4 or 5.

The diverging bar chart, :func:`diverging_likert_plot`, lives in :mod:`evalkit.report.likert_plots` (re-exported
here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, check_numeric, group_iter, wilson
from evalkit.report.likert_plots import diverging_likert_plot

__all__ = ["likert_items", "likert_scale", "diverging_likert_plot", "LIKERT5_LABELS"]

#: Default labels for 1..5 (Indonesian, as on the questionnaires).
LIKERT5_LABELS: dict[int, str] = {
    1: "Sangat Tidak Setuju", 2: "Tidak Setuju", 3: "Netral", 4: "Setuju", 5: "Sangat Setuju",
}


def _check_items(data, items, by, points):
    check_frame(data, "data")
    items = as_list(items)
    by = as_list(by)
    if not items:
        raise ValueError("items must name at least one Likert column")
    check_columns(data, items + by, "data")
    check_numeric(data, items, "data")
    for c in items:
        v = data[c].dropna().to_numpy(dtype=float)
        bad = (v < 1) | (v > points) | (v != np.round(v))
        if bad.any():
            raise ValueError(f"Likert column {c!r} has values outside 1..{points}: {sorted(set(v[bad]))[:5]}")
    return items, by


def likert_items(data: pd.DataFrame, items, by=None, agree=(4, 5), ci: float = 0.95,
                 points: int = 5) -> pd.DataFrame:
    """Per-item summary: n, mean, SD, median and share agreeing with its Wilson CI, optionally by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, Likert items as integers 1..``points``.
    items : list of str
        Item columns.
    by : str or list of str, optional
        Group columns (e.g. ``"region"``, ``"programme_id"``).
    agree : tuple of int
        Answers counted as agreeing (default 4 and 5: Setuju, Sangat Setuju).
    ci : float
        Confidence level of the Wilson score interval (``statsmodels`` ``proportion_confint``).
    points : int
        Number of scale points (5 by default).

    Returns
    -------
    pandas.DataFrame
        Long format: by columns, ``item``, ``n`` (answered), ``mean``, ``sd`` (ddof=1), ``median``,
        ``n_agree``, ``share_agree`` (n_agree / n), ``ci_low``, ``ci_high``.

    Notes
    -----
    Missing answers are dropped item by item (available-case). Wilson (1927) interval:
    (p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
    """
    ci = check_ci(ci)
    items, by = _check_items(data, items, by, points)
    rows = []
    for key, sub in group_iter(data, by):
        for c in items:
            s = sub[c].dropna().astype(float)
            n = len(s)
            k = int(s.isin(list(agree)).sum())
            rows.append({**key, "item": c, "n": n, "mean": s.mean() if n else np.nan,
                         "sd": s.std(ddof=1) if n > 1 else np.nan, "median": s.median() if n else np.nan,
                         "n_agree": k, "share_agree": k / n if n else np.nan})
    out = pd.DataFrame(rows)
    out["ci_low"], out["ci_high"] = wilson(out["n_agree"], out["n"], ci)
    return out


def likert_scale(data: pd.DataFrame, items, by=None, ci: float = 0.95, min_items: int | None = None,
                 points: int = 5, name: str = "scale") -> pd.DataFrame:
    """Scale score (mean of the items per respondent) summarised per group with a t confidence interval.

    A respondent's scale score is the mean of the items they answered, provided they answered at least
    ``min_items`` (default: all) items; otherwise the score is missing.

    Returns
    -------
    pandas.DataFrame
        by columns, ``scale`` (= ``name``), ``n``, ``mean``, ``sd``, ``std_error``, ``ci_low``, ``ci_high``
        (mean +/- t_{n-1} SE), ``k`` (items).
    """
    from scipy import stats

    ci = check_ci(ci)
    items, by = _check_items(data, items, by, points)
    need = len(items) if min_items is None else int(min_items)
    if not 1 <= need <= len(items):
        raise ValueError(f"min_items must be between 1 and {len(items)}, got {min_items!r}")
    answered = data[items].notna().sum(axis=1)
    score = data[items].astype(float).mean(axis=1).where(answered >= need)
    frame = data[by].copy()
    frame["_score"] = score
    rows = []
    for key, sub in group_iter(frame, by):
        s = sub["_score"].dropna()
        n = len(s)
        sd = s.std(ddof=1) if n > 1 else np.nan
        se = sd / np.sqrt(n) if n > 1 else np.nan
        t = stats.t.ppf(0.5 + ci / 2, n - 1) if n > 1 else np.nan
        m = s.mean() if n else np.nan
        rows.append({**key, "scale": name, "n": n, "mean": m, "sd": sd, "std_error": se,
                     "ci_low": m - t * se, "ci_high": m + t * se, "k": len(items)})
    return pd.DataFrame(rows)
