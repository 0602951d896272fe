"""Event studies: dynamic TWFE with relative-time dummies, or Callaway-Sant'Anna dynamic
aggregation: :func:`event_study`. Its plot, :func:`event_study_plot`, lives in
:mod:`evalkit.report.impact_plots` (re-exported here)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.report.impact_plots import event_study_plot

from ._common import ImpactResult, check_columns, check_frame, check_no_missing, check_numeric, make_table, panel_times
from .did import twfe_fit, twfe_result
from .fast import staggered_fast
from .staggered import _small_cohort_warning, cs_general

__all__ = ["event_study", "event_study_plot"]


def event_study(data, yname, idname, tname, gname, ref=-1, window=None, cluster=None, estimator="cs", *, alpha=0.05):
    """Event-study (dynamic) treatment effects by time relative to first treatment.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    yname, idname, tname : str
        Outcome, unit and time columns (time: integers, ``pandas.Period`` or ``"2023Q1"`` strings).
    gname : str
        First treated period (0 or NaN = never treated).
    ref : int, default -1
        Omitted (reference) relative period for ``"twfe"``; its coefficient is 0 by construction.
        Not used by ``"cs"`` (varying base period: no period is normalised).
    window : tuple (lo, hi), optional
        Relative periods to report. For ``"twfe"`` the end points are *binned*: all periods
        ``e <= lo`` share the ``lo`` dummy and all ``e >= hi`` share the ``hi`` dummy, so every
        treated observation is still modelled. For ``"cs"`` event times outside the window are
        simply not reported (they do not contaminate the others) and the ``ATT(average e>=0)`` row
        averages ``0 <= e <= hi``.
    cluster : str, optional
        Cluster column (default ``idname``), constant within unit for ``"cs"``. ``"twfe"``: CRV1 by
        this column. ``"cs"``: influence functions summed within clusters,
        ``SE = sqrt(sum_c (sum_{i in c} psi_i)^2)`` (see :func:`staggered_att`; a note is added with
        fewer than 30 clusters).
    estimator : {"cs", "twfe"}, default "cs"
        The default ``"cs"`` is robust to effects that differ across cohorts and exposure;
        ``"twfe"`` must be requested explicitly. ``"twfe"``:
        ``y_it = sum_{e != ref} beta_e 1{t - g_i = e} + alpha_i + lambda_t + u_it``,
        never-treated units have all dummies zero (they are the controls), CRV1 SEs with the
        fixest small-sample factor (see :func:`did`). ``"cs"``: Callaway & Sant'Anna (2021)
        dynamic aggregation with never-treated controls (see :func:`staggered_att`); pre-periods
        are short (varying-base) differences, so no period is normalised.

    Returns
    -------
    ImpactResult
        ``tidy()`` rows ``rel::e`` with the extra column ``event_time`` (``"cs"`` adds the row
        ``ATT(average e>=0)`` with missing ``event_time``) and ``vcov`` indexed by term; for ``"twfe"`` the
        reference period appears as a row with estimate 0 and missing SE. The TWFE result also
        carries ``details["pretrend_wald"]`` (F statistic and p-value that all pre-period
        coefficients are zero; ``G-1`` denominator df), None with a note when there are not fewer
        pre-period coefficients than clusters (a cluster-robust covariance has rank at most ``G-1``).

    Notes
    -----
    With heterogeneous effects across cohorts the TWFE event-study coefficients are contaminated
    by effects from other relative periods (Sun & Abraham 2021); ``"cs"`` is robust to this.

    References
    ----------
    Sun, L., & Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
    heterogeneous treatment effects. Journal of Econometrics, 225(2), 175-199.

    Callaway, B., & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
    periods. Journal of Econometrics, 225(2), 200-230.
    """
    if estimator not in ("twfe", "cs"):
        raise ValueError(f"estimator must be 'twfe' or 'cs', got {estimator!r}")
    if window is not None:
        if not (isinstance(window, (tuple, list)) and len(window) == 2 and window[0] < window[1]):
            raise ValueError("window must be a pair (lo, hi) with lo < hi")
        if estimator == "twfe" and not window[0] <= ref <= window[1]:
            raise ValueError(f"ref={ref} must lie inside window={tuple(window)}")
    if estimator == "cs":
        res = None
        if cluster is None or cluster == idname:  # exact closed form on balanced panels (evalkit.impact.fast)
            res = staggered_fast(data, yname, idname, tname, gname, "never", "dynamic", alpha=alpha, window=window)
        if res is None:
            res = cs_general(data, yname, idname, tname, gname, "never", "dynamic", cluster=cluster, alpha=alpha,
                             window=window)
        _small_cohort_warning(res.details["att_gt"])
        return ImpactResult(
            "Event study (Callaway-Sant'Anna dynamic aggregation, never-treated controls)",
            res.table,
            se_type=res.se_type,
            n_obs=res.n_obs,
            n_clusters=res.n_clusters,
            alpha=alpha,
            vcov=res.vcov,
            details={"att_gt": res.details["att_gt"], "estimator": "cs", "ref": None, "cluster": cluster,
                     "base_period": "varying", "path": res.details["path"]},
            notes=res.notes,
        )

    check_frame(data)
    check_columns(data, yname=yname, idname=idname, tname=tname, gname=gname, cluster=cluster)
    check_numeric(data, yname)
    cluster = idname if cluster is None else cluster
    check_no_missing(data, yname, idname, tname, cluster)
    tint, _tmap, gint = panel_times(data, idname, tname, gname)
    treated = np.isfinite(gint)
    rel = np.where(treated, tint - np.where(treated, gint, 0), np.nan)
    if window is not None:
        rel = np.where(treated, np.clip(rel, window[0], window[1]), np.nan)
    levels = np.sort(np.unique(rel[treated])).astype(int)
    if ref not in levels:
        raise ValueError(f"reference period ref={ref} does not occur in the data")
    dummies = [e for e in levels if e != ref]
    X = pd.DataFrame({f"rel::{e}": (rel == e).astype(float) for e in dummies}, index=data.index)
    if X.shape[1] == 0:
        raise ValueError("no relative-time dummies to estimate")
    fit = twfe_fit(data[yname].to_numpy(float), X, data[idname].to_numpy(), tint, data[cluster].to_numpy())
    V = fit["vcov"]
    se = np.sqrt(np.diag(V))
    est_map = dict(zip(fit["names"], fit["beta"]))
    se_map = dict(zip(fit["names"], se))
    allrel = sorted(set(dummies) | {ref})
    terms = [f"rel::{e}" for e in allrel]
    G = fit["G"]
    tab = make_table(
        terms,
        [0.0 if e == ref else est_map.get(f"rel::{e}", np.nan) for e in allrel],
        [np.nan if e == ref else se_map.get(f"rel::{e}", np.nan) for e in allrel],
        n=fit["N"],
        df=G - 1,
        alpha=alpha,
        extra={"event_time": allrel},
    )
    notes = []
    if not (~treated).any():
        notes.append("No never-treated units: relative-time effects are identified only through timing "
                     "differences and some dummies may be dropped.")
    if fit["dropped_cols"]:
        notes.append(f"Dummies collinear with the fixed effects were dropped: {fit['dropped_cols']}.")
    if window is not None:
        notes.append(f"Relative periods outside {tuple(window)} are binned into the end points.")
    # joint pre-trend test (Wald / F with G-1 denominator df)
    pre = [j for j, nm in enumerate(fit["names"]) if int(nm.split("::")[1]) < 0]
    wald = None
    if pre and len(pre) > G - 1:  # a cluster-robust covariance has rank at most G - 1
        notes.append(f"No joint pre-trend test: {len(pre)} pre-period coefficients for {G} clusters (the "
                     f"cluster-robust Wald test needs fewer restrictions than clusters); read the pre-period "
                     f"estimates one by one.")
    elif pre:
        from scipy import stats

        b = fit["beta"][pre]
        Vp = V[np.ix_(pre, pre)]
        try:
            F = float(b @ np.linalg.solve(Vp, b)) / len(pre)
            wald = {"F": F, "df1": len(pre), "df2": G - 1, "p_value": float(stats.f.sf(F, len(pre), G - 1))}
        except np.linalg.LinAlgError:
            notes.append("No joint pre-trend test: the covariance of the pre-period coefficients is singular.")
    return twfe_result("Event study (dynamic TWFE, never-treated as controls)", tab, fit, cluster, alpha=alpha,
                       details={"estimator": "twfe", "ref": ref, "pretrend_wald": wald, "factor": fit["factor"]},
                       notes=notes)
