"""Likert summaries (Kirkpatrick L1 reaction items, L3 application items) and a diverging bar chart.

Canonical Likert items are ints 1-5: Sangat Tidak Setuju (1), Tidak Setuju (2), Netral/Ragu-ragu (3),
Setuju (4), Sangat Setuju (5) (DOMAIN.md section 6). "Agree" means 4 or 5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, check_numeric, group_iter, wilson

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


def diverging_likert_plot(data: pd.DataFrame, items: Sequence[str], by: str | None = None,
                          labels: Mapping[int, str] | None = None, ax=None, points: int = 5,
                          item_labels: Mapping[str, str] | None = None, palette: str = "RdBu"):
    """Diverging stacked bar chart of Likert answers, centred on the neutral category.

    Each bar is one item (or item x group when ``by`` is given); disagreement extends left of zero, agreement
    right, and the neutral share is split half and half across zero (Robbins & Heiberger 2011).

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str
        Likert item columns (ints 1..``points``).
    by : str, optional
        One group column; bars are labelled "item | group".
    labels : mapping int -> str, optional
        Legend labels of the answer codes (default :data:`LIKERT5_LABELS` for 5 points, else the codes).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created if omitted.
    points : int
        Number of scale points (odd or even; with an even number there is no neutral category).
    item_labels : mapping, optional
        Display names of the items.
    palette : str
        Diverging colour-blind-safe ColorBrewer palette (``"RdBu"`` default; ``"PuOr"``/``"BrBG"`` also safe).
        With an odd number of points the neutral category is drawn in light grey.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    items, by_l = _check_items(data, items, by, points)
    if len(by_l) > 1:
        raise ValueError("diverging_likert_plot takes at most one 'by' column")
    if labels is None:
        labels = LIKERT5_LABELS if points == 5 else {i: str(i) for i in range(1, points + 1)}
    item_labels = dict(item_labels or {})
    codes = list(range(1, points + 1))
    rows, names = [], []
    for key, sub in group_iter(data, by_l):
        for c in items:
            s = sub[c].dropna().astype(int)
            if len(s) == 0:
                continue
            rows.append(s.value_counts(normalize=True).reindex(codes, fill_value=0.0).to_numpy())
            nm = item_labels.get(c, c)
            names.append(f"{nm} | {key[by_l[0]]}" if by_l else nm)
    if not rows:
        raise ValueError("no answers to plot")
    shares = np.vstack(rows) * 100
    mid = (points + 1) / 2
    left_start = -(shares[:, [i for i, c in enumerate(codes) if c < mid]].sum(axis=1))
    if points % 2 == 1:
        left_start -= shares[:, codes.index(int(mid))] / 2
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    colours = list(sns.color_palette(palette, points))
    if points % 2 == 1:  # the palette's near-white middle vanishes on a white background: neutral in light grey
        colours[points // 2] = (0.78, 0.78, 0.78)
    y = np.arange(len(names))
    start = left_start.copy()
    for j, code in enumerate(codes):
        ax.barh(y, shares[:, j], left=start, color=colours[j], label=labels.get(code, str(code)),
                edgecolor="white", linewidth=0.5)
        start = start + shares[:, j]
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("% of respondents (left: disagree, right: agree)")
    lim = max(np.abs(left_start).max(), (left_start + shares.sum(axis=1)).max()) * 1.05
    ax.set_xlim(-lim, lim)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=min(points, 5), frameon=False, fontsize="small")
    return ax
