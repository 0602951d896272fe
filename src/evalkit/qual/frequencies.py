"""Summaries of coded texts: theme shares per group with Wilson intervals and small-cell suppression, and theme
co-occurrence (counts and Jaccard similarity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.measures._util import wilson
from evalkit.qual.coding import _themes_of


def theme_frequencies(coded: pd.DataFrame, by: str | Sequence[str] | None = ("region", "role"),
                      themes: Sequence[str] | None = None, ci: float = 0.95,
                      threshold: int | None = None) -> pd.DataFrame:
    """Share of texts that mention each theme, per group, with Wilson intervals and small-cell suppression.

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`code_texts`.
    by : str or list of str or None
        Grouping columns (default region and informant role); ``None``/``[]`` for one overall group.
    themes : list of str, optional
        Default ``coded.attrs["themes"]``, else every bool column.
    ci : float
        Confidence level of the Wilson score interval (Wilson 1927).
    threshold : int, optional
        Groups with ``0 < n < threshold`` texts are suppressed (default ``config.SMALL_CELL_THRESHOLD``).

    Returns
    -------
    DataFrame
        Tidy: ``*by, theme, n, count, share, ci_low, ci_high, suppressed``. ``n`` counts texts with at least
        one token (empty texts are left out of the denominator). Suppressed rows have NaN in ``n``, ``count``,
        ``share`` and the interval, and ``suppressed=True`` (the policy of
        :func:`evalkit.report.tables.suppress_small_cells`).
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in by if c not in coded.columns]
    if missing:
        raise ValueError(f"grouping column(s) {missing} not in coded; columns are {list(coded.columns)}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci!r}")
    themes = _themes_of(coded, themes, exclude=by)
    thr = config.SMALL_CELL_THRESHOLD if threshold is None else int(threshold)
    data = coded
    if "n_tokens" in coded.columns:
        data = coded[coded["n_tokens"] > 0]
    long = data[[*by, *themes]].melt(id_vars=by, value_vars=themes, var_name="theme", value_name="hit")
    long["hit"] = long["hit"].astype(bool)
    keys = [*by, "theme"]
    g = long.groupby(keys, sort=True, observed=True, dropna=False)["hit"]
    out = pd.DataFrame({"n": g.size(), "count": g.sum()}).reset_index()
    # keep the codebook's theme order
    out["theme"] = pd.Categorical(out["theme"], categories=themes)
    out = out.sort_values(keys).reset_index(drop=True)
    out["theme"] = out["theme"].astype(str)
    n = out["n"].to_numpy(float)
    k = out["count"].to_numpy(float)
    out["share"] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson(k, n, ci)
    small = (n > 0) & (n < thr)
    for c in ("n", "count", "share", "ci_low", "ci_high"):
        out[c] = out[c].astype("float64")
        out.loc[small, c] = np.nan
    out["suppressed"] = small
    return out


def cooccurrence(coded: pd.DataFrame, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Theme x theme co-occurrence counts and Jaccard similarity, in long form.

    Jaccard(A, B) = |A and B| / |A or B| over texts (NaN when neither theme occurs). Pivot with
    ``t.pivot(index="theme_a", columns="theme_b", values="jaccard")`` for a matrix.

    Returns
    -------
    DataFrame
        ``theme_a, theme_b, n_a, n_b, n_both, jaccard`` for every ordered pair (the diagonal included).
    """
    themes = _themes_of(coded, themes)
    x = coded[themes].astype(bool).to_numpy().astype(np.int64)
    both = x.T @ x
    tot = x.sum(axis=0)
    union = tot[:, None] + tot[None, :] - both
    jac = np.divide(both, union, out=np.full(both.shape, np.nan), where=union > 0)
    k = len(themes)
    return pd.DataFrame({
        "theme_a": np.repeat(themes, k),
        "theme_b": np.tile(themes, k),
        "n_a": np.repeat(tot, k),
        "n_b": np.tile(tot, k),
        "n_both": both.ravel(),
        "jaccard": jac.ravel(),
    })
