"""Internal-consistency reliability of multi-item scales (Likert reaction or application items)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, check_numeric, group_iter

__all__ = ["cronbach_alpha", "cronbach_alpha_by", "item_total"]


def _items_frame(items, min_items: int = 2) -> pd.DataFrame:
    check_frame(items, "items")
    if items.shape[1] < min_items:
        raise ValueError(f"items needs at least {min_items} item columns, got {list(items.columns)}")
    check_numeric(items, list(items.columns), "items")
    data = items.astype(float).dropna(axis=0, how="any")
    if len(data) < 3:
        raise ValueError(f"items has {len(data)} complete rows after listwise deletion; at least 3 are needed")
    return data


def cronbach_alpha(items: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha with the Feldt (1965) confidence interval.

    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_i s_i^2}{s_X^2}\\right)

    where :math:`s_i^2` is the variance of item i and :math:`s_X^2` the variance of the total score (ddof=1).
    The Feldt interval uses :math:`(1-\\alpha)/(1-\\alpha_{pop}) \\sim F(n-1, (n-1)(k-1))`:
    lower = 1 - (1 - alpha) F_{1-a/2}, upper = 1 - (1 - alpha) F_{a/2}. This is what
    ``pingouin.cronbach_alpha`` computes (pingouin rounds the interval to 3 decimals; we do not).

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent; numeric (Likert 1-5 as int).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``term`` ("cronbach_alpha"), ``estimate``, ``std_error`` (NaN), ``statistic`` (NaN),
        ``p_value`` (NaN), ``ci_low``, ``ci_high``, ``n`` (complete rows), ``k`` (items), ``n_dropped``.

    Notes
    -----
    Missing answers: listwise deletion (a respondent with any missing item is dropped), as
    ``psych::alpha(use="complete.obs")`` and ``pingouin.cronbach_alpha(nan_policy="listwise")``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika 16, 297-334.
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability coefficient
    twenty. Psychometrika 30, 357-370.
    """
    from scipy import stats  # loaded on first use: importing evalkit stays light (scipy.stats: 0.4 s)
    ci = check_ci(ci)
    data = _items_frame(items)
    n, k = data.shape
    cov = np.cov(data.to_numpy(), rowvar=False, ddof=1)
    total_var = cov.sum()
    if total_var <= 0:
        raise ValueError("the total score has zero variance; alpha is undefined")
    alpha = k / (k - 1) * (1 - np.trace(cov) / total_var)
    a = 1 - ci
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * stats.f.isf(a / 2, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.isf(1 - a / 2, df1, df2)
    return pd.DataFrame(
        {"term": ["cronbach_alpha"], "estimate": [alpha], "std_error": [np.nan], "statistic": [np.nan],
         "p_value": [np.nan], "ci_low": [lower], "ci_high": [upper], "n": [n], "k": [k],
         "n_dropped": [len(items) - n]}
    )


def item_total(items: pd.DataFrame) -> pd.DataFrame:
    """Item analysis: corrected item-total correlation and alpha if the item is deleted.

    For each item i: ``r_item_rest`` = Pearson correlation of item i with the sum of the *other* items
    (corrected item-total), ``r_item_total`` = correlation with the full total (uncorrected), ``alpha_if_deleted``
    = Cronbach's alpha of the remaining items (needs k >= 3, else NaN), plus ``mean`` and ``sd``.
    Listwise deletion as in :func:`cronbach_alpha`.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item, mean, sd, r_item_total, r_item_rest, alpha_if_deleted, n``.
    """
    data = _items_frame(items)
    n, k = data.shape
    total = data.sum(axis=1)
    rows = []
    for c in data.columns:
        rest = total - data[c]
        a_del = np.nan
        if k >= 3:
            a_del = float(cronbach_alpha(data.drop(columns=c))["estimate"].iloc[0])
        rows.append({"item": c, "mean": data[c].mean(), "sd": data[c].std(ddof=1),
                     "r_item_total": data[c].corr(total), "r_item_rest": data[c].corr(rest),
                     "alpha_if_deleted": a_del, "n": n})
    return pd.DataFrame(rows)


def cronbach_alpha_by(data: pd.DataFrame, items, by=None, ci: float = 0.95) -> pd.DataFrame:
    """:func:`cronbach_alpha` of the same items overall or per group (e.g. per region).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns and the ``by`` columns.
    items : list of str
        Item columns.
    by : str or list of str, optional
        Group columns; one row per observed group (groups with fewer than 3 complete rows get NaN).
    ci : float
        Confidence level of the Feldt interval.

    Returns
    -------
    pandas.DataFrame
        by columns plus the columns of :func:`cronbach_alpha`.
    """
    check_frame(data, "data")
    ci = check_ci(ci)
    items = as_list(items)
    by = as_list(by)
    check_columns(data, items + by, "data")
    rows = []
    for key, sub in group_iter(data, by):
        try:
            row = cronbach_alpha(sub[items], ci=ci).iloc[0].to_dict()
        except ValueError:  # too few complete rows or no variance in this group
            n_ok = int(sub[items].notna().all(axis=1).sum())
            row = {"term": "cronbach_alpha", "estimate": np.nan, "std_error": np.nan, "statistic": np.nan,
                   "p_value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": n_ok, "k": len(items),
                   "n_dropped": len(sub) - n_ok}
        rows.append({**key, **row})
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype(int)
    return out
