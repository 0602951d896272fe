"""Kirkpatrick levels 2-4: learning gain, rater agreement on application, service-result trends.

Kirkpatrick's four levels (reaction, learning, behaviour, results) as used in Indonesian post-training
evaluation (EPP): L2 pre/post tests, L3 360-style ratings by alumni, supervisors and peers 3-6 months after,
L4 organisational service indicators (DOMAIN.md sections 5 and 7). L1 reaction summaries are in
:mod:`evalkit.measures.likert`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, check_numeric, group_iter, wilson

__all__ = ["learning_gain", "rater_agreement", "icc2_1", "service_trends", "APPLICATION_ITEMS"]

#: The L3 application items of the canonical ``followup`` table.
APPLICATION_ITEMS: tuple[str, ...] = ("apply_material", "work_quality", "share_knowledge", "service_initiative")


def _paired(pre: np.ndarray, post: np.ndarray, ci: float) -> dict:
    """Mean paired difference post - pre with a t CI, paired t test and Hedges' g_av."""
    from scipy import stats  # loaded on first use: importing evalkit stays light (scipy.stats: 0.4 s)
    n = len(pre)
    diff = post - pre
    m = diff.mean() if n else np.nan
    sd = diff.std(ddof=1) if n > 1 else np.nan
    se = sd / np.sqrt(n) if n > 1 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        t = m / se if n > 1 else np.nan
    p = 2 * stats.t.sf(abs(t), n - 1) if n > 1 and np.isfinite(t) else np.nan
    q = stats.t.ppf(0.5 + ci / 2, n - 1) if n > 1 else np.nan
    g = np.nan
    if n > 1:
        sd_av = np.sqrt((pre.var(ddof=1) + post.var(ddof=1)) / 2)
        if sd_av > 0:
            # pingouin.compute_effsize(paired=True, eftype="hedges") convention: J = 1 - 3 / (4 (n1 + n2) - 9)
            g = m / sd_av * (1 - 3 / (4 * (2 * n) - 9))
    return {"estimate": m, "std_error": se, "statistic": t, "p_value": p, "ci_low": m - q * se,
            "ci_high": m + q * se, "n": n, "sd_diff": sd, "hedges_g": g}


def learning_gain(tests: pd.DataFrame, programmes: pd.DataFrame | None = None, by=None, pre: str = "pre_score",
                  post: str = "post_score", ci: float = 0.95) -> pd.DataFrame:
    """Kirkpatrick L2: mean pre/post-test gain with a paired t CI and Hedges' g, by programme or group.

    Parameters
    ----------
    tests : pandas.DataFrame
        One row per person x programme with ``pre`` and ``post`` scores (0-100) and ``programme_id``.
    programmes : pandas.DataFrame, optional
        Merged on ``programme_id`` so that ``by`` may use programme columns (``mode``, ``topic``, ...).
    by : str or list of str, optional
        Group columns (default none: one pooled row).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        by columns, ``term`` ("gain"), ``estimate`` (mean of post - pre), ``std_error``, ``statistic``
        (paired t), ``p_value``, ``ci_low``, ``ci_high``, ``n`` (pairs with both scores), ``mean_pre``,
        ``mean_post``, ``sd_diff``, ``hedges_g``.

    Notes
    -----
    Computed here with scipy (``evalkit.impact.prepost`` did not exist when this was written; the formulas are
    the standard ones). Gain d_i = post_i - pre_i; CI = mean(d) +/- t_{n-1} sd(d)/sqrt(n). Hedges' g_av =
    mean(d) / sqrt((s_pre^2 + s_post^2)/2) x (1 - 3/(4 * 2n - 9)), the convention of
    ``pingouin.compute_effsize(paired=True, eftype="hedges")`` (Lakens 2013, d_av; Hedges & Olkin 1985
    correction). Rows with a missing score are dropped.
    """
    check_frame(tests, "tests")
    ci = check_ci(ci)
    by = as_list(by)
    check_columns(tests, [pre, post], "tests")
    check_numeric(tests, [pre, post], "tests")
    data = tests
    if programmes is not None:
        check_frame(programmes, "programmes")
        check_columns(tests, ["programme_id"], "tests")
        check_columns(programmes, ["programme_id"], "programmes")
        extra = [c for c in programmes.columns if c not in tests.columns or c == "programme_id"]
        data = tests.merge(programmes[extra], on="programme_id", how="left", validate="many_to_one")
    check_columns(data, by, "tests (merged with programmes)")
    data = data.dropna(subset=[pre, post])
    rows = []
    for key, sub in group_iter(data, by):
        a = sub[pre].to_numpy(dtype=float)
        b = sub[post].to_numpy(dtype=float)
        rows.append({**key, "term": "gain", **_paired(a, b, ci), "mean_pre": a.mean(), "mean_post": b.mean()})
    cols = by + ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high", "n", "mean_pre",
                 "mean_post", "sd_diff", "hedges_g"]
    return pd.DataFrame(rows, columns=cols)


def icc2_1(ratings: np.ndarray, ci: float = 0.95) -> dict:
    """ICC(2,1) (Shrout & Fleiss 1979; McGraw & Wong 1996 ICC(A,1)): two-way random, absolute agreement, single rater.

    ``ratings`` is an n targets x k raters array without missing values.

    ICC = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n), with MSR the between-target, MSC the
    between-rater and MSE the residual mean square. CI: the McGraw & Wong (1996) approximation with
    Satterthwaite degrees of freedom, as ``pingouin.intraclass_corr``. F test: MSR/MSE on (n-1, (n-1)(k-1)).
    """
    from scipy import stats  # loaded on first use: importing evalkit stays light (scipy.stats: 0.4 s)
    x = np.asarray(ratings, dtype=float)
    n, k = x.shape
    grand = x.mean()
    ssr = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ssc = n * ((x.mean(axis=0) - grand) ** 2).sum()
    sse = ((x - grand) ** 2).sum() - ssr - ssc
    msr, msc, mse = ssr / (n - 1), ssc / (k - 1), sse / ((n - 1) * (k - 1))
    icc = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    fval = msr / mse
    p = stats.f.sf(fval, df1, df2)
    a = 1 - ci
    fj = msc / mse
    vn = df2 * (k * icc * fj + n * (1 + (k - 1) * icc) - k * icc) ** 2
    vd = df1 * k**2 * icc**2 * fj**2 + (n * (1 + (k - 1) * icc) - k * icc) ** 2
    v = vn / vd
    fu = stats.f.ppf(1 - a / 2, n - 1, v)
    fl = stats.f.ppf(1 - a / 2, v, n - 1)
    low = n * (msr - fu * mse) / (fu * (k * msc + (k * n - k - n) * mse) + n * msr)
    high = n * (fl * msr - mse) / (k * msc + (k * n - k - n) * mse + n * fl * msr)
    return {"estimate": icc, "statistic": fval, "p_value": p, "ci_low": low, "ci_high": high, "n": n, "k": k}


def rater_agreement(followup: pd.DataFrame, items=APPLICATION_ITEMS, by=None, ci: float = 0.95,
                    target: tuple[str, ...] = ("person_id", "programme_id"), role: str = "rater_role",
                    raters: tuple[str, ...] = ("self", "supervisor", "peer")) -> pd.DataFrame:
    """Kirkpatrick L3: agreement between self, supervisor and peer on the mean application score.

    Each rating row's application score is the mean of its ``items`` (1-5). Targets (person x programme) rated
    by all ``raters`` enter the ICC; targets with both a self and a supervisor score enter the gap.

    Returns
    -------
    pandas.DataFrame
        by columns and two terms: ``"ICC(2,1)"`` (two-way random, absolute agreement, single rater; see
        :func:`icc2_1`; ``statistic`` is its F) and ``"self_minus_supervisor"`` (mean paired difference with a
        t CI; positive = alumni rate themselves higher than their supervisor does). Columns ``term, estimate,
        std_error, statistic, p_value, ci_low, ci_high, n``.
    """
    check_frame(followup, "followup")
    ci = check_ci(ci)
    items = as_list(items)
    by = as_list(by)
    target = list(target)
    check_columns(followup, target + [role] + items + by, "followup")
    check_numeric(followup, items, "followup")
    data = followup[target + by + [role]].copy()
    data[role] = data[role].astype(str)
    unknown = set(data[role].unique()) - set(raters)
    if unknown:
        raise ValueError(f"column {role!r} has unknown rater roles {sorted(unknown)}; expected {list(raters)}")
    data["_score"] = followup[items].astype(float).mean(axis=1)
    if data.duplicated(target + [role]).any():
        raise ValueError(f"followup has more than one row per {target + [role]}")
    rows = []
    for key, sub in group_iter(data, by):
        wide = sub.pivot(index=target, columns=role, values="_score")
        for r in raters:
            if r not in wide:
                wide[r] = np.nan
        full = wide[list(raters)].dropna()
        if len(full) >= 3:
            icc = icc2_1(full.to_numpy(), ci)
            rows.append({**key, "term": "ICC(2,1)", "estimate": icc["estimate"], "std_error": np.nan,
                         "statistic": icc["statistic"], "p_value": icc["p_value"], "ci_low": icc["ci_low"],
                         "ci_high": icc["ci_high"], "n": icc["n"]})
        else:
            rows.append({**key, "term": "ICC(2,1)", "estimate": np.nan, "std_error": np.nan, "statistic": np.nan,
                         "p_value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": len(full)})
        pair = wide[["supervisor", "self"]].dropna() if {"self", "supervisor"} <= set(raters) else wide.iloc[:0]
        res = _paired(pair["supervisor"].to_numpy(), pair["self"].to_numpy(), ci)
        rows.append({**key, "term": "self_minus_supervisor",
                     **{c: res[c] for c in ("estimate", "std_error", "statistic", "p_value", "ci_low",
                                            "ci_high", "n")}})
    return pd.DataFrame(rows, columns=by + ["term", "estimate", "std_error", "statistic", "p_value", "ci_low",
                                            "ci_high", "n"])


def service_trends(services: pd.DataFrame, by=None, ci: float = 0.95) -> pd.DataFrame:
    """Kirkpatrick L4: monthly service indicators and the complaint resolution rate, by region/unit.

    Parameters
    ----------
    services : pandas.DataFrame
        Canonical ``services`` table: ``month`` (datetime, first of month), ``volume``, ``wait_minutes``,
        ``processing_days``, ``complaints_received``, ``complaints_resolved`` (+ ``region``, ``unit``).
    by : str or list of str, optional
        Group columns, e.g. ``"region"``; one row per group x month.

    Returns
    -------
    pandas.DataFrame
        by columns, ``month``, ``n_units``, ``volume`` (sum), ``wait_minutes`` and ``processing_days``
        (volume-weighted means over units; plain means where volume is 0), ``complaints_received``,
        ``complaints_resolved``, ``resolution_rate`` (resolved / received; NaN with no complaints) with a
        Wilson ``ci_low``/``ci_high`` (NaN when resolved > received, e.g. backlog cleared), and
        ``complaints_per_1000`` (received per 1.000 services).
    """
    check_frame(services, "services")
    ci = check_ci(ci)
    by = as_list(by)
    num = ["volume", "wait_minutes", "processing_days", "complaints_received", "complaints_resolved"]
    check_columns(services, by + ["month"] + num, "services")
    check_numeric(services, num, "services")
    if not pd.api.types.is_datetime64_any_dtype(services["month"]):
        raise TypeError(f"column 'month' of services must be datetime64, got {services['month'].dtype}")
    for c in num:
        if (services[c].dropna() < 0).any():
            raise ValueError(f"column {c!r} of services has negative values")
    d = services[by + ["month"] + num].copy()
    d["month"] = d["month"].dt.to_period("M").dt.to_timestamp()
    w = d["volume"].astype(float)
    for c in ("wait_minutes", "processing_days"):
        ok = d[c].notna() & (w > 0)
        d[f"_w_{c}"] = np.where(ok, d[c].astype(float) * w, 0.0)
        d[f"_wn_{c}"] = np.where(ok, w, 0.0)
    g = d.groupby(by + ["month"], observed=True, sort=True)
    out = g.agg(n_units=("volume", "size"), volume=("volume", "sum"),
                complaints_received=("complaints_received", "sum"),
                complaints_resolved=("complaints_resolved", "sum"),
                _w_wait=("_w_wait_minutes", "sum"), _wn_wait=("_wn_wait_minutes", "sum"),
                _w_proc=("_w_processing_days", "sum"), _wn_proc=("_wn_processing_days", "sum"),
                _m_wait=("wait_minutes", "mean"), _m_proc=("processing_days", "mean")).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["wait_minutes"] = np.where(out["_wn_wait"] > 0, out["_w_wait"] / out["_wn_wait"], out["_m_wait"])
        out["processing_days"] = np.where(out["_wn_proc"] > 0, out["_w_proc"] / out["_wn_proc"], out["_m_proc"])
        rec = out["complaints_received"].astype(float)
        res = out["complaints_resolved"].astype(float)
        out["resolution_rate"] = np.where(rec > 0, res / rec, np.nan)
        out["complaints_per_1000"] = np.where(out["volume"] > 0, 1000 * rec / out["volume"], np.nan)
    valid = (rec > 0) & (res <= rec)
    lo, hi = wilson(np.where(valid, res, 0), np.where(valid, rec, 0), ci)
    out["ci_low"], out["ci_high"] = lo, hi
    cols = by + ["month", "n_units", "volume", "wait_minutes", "processing_days", "complaints_received",
                 "complaints_resolved", "resolution_rate", "ci_low", "ci_high", "complaints_per_1000"]
    return out[cols]
