"""Two-way fixed-effects difference-in-differences: :func:`did`."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ._common import (
    ImpactResult,
    check_binary,
    check_columns,
    check_frame,
    check_no_missing,
    check_numeric,
    covariate_matrix,
    crv1,
    demean,
    drop_singletons,
    duplicate_message,
    is_nested,
    make_table,
    time_to_int,
)
from .fast import did_fast
from .wildboot import attach_design

__all__ = ["did"]


def _collinear(Xt: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    """Boolean mask of columns that are (numerically) linear combinations of earlier columns.

    Gram-Schmidt in column order (a QR decomposition that keeps the first of a collinear set, so the
    treatment, the first column, survives whenever anything does): a column is collinear when its
    residual on the kept earlier columns has norm below ``tol`` times its own norm.
    """
    N, k = Xt.shape
    Q = np.empty((N, 0))
    drop = np.zeros(k, dtype=bool)
    for j in range(k):
        x = Xt[:, j]
        nx = np.sqrt(x @ x)
        r = x - Q @ (Q.T @ x)
        r = r - Q @ (Q.T @ r)  # reorthogonalise
        nr = np.sqrt(r @ r)
        if nx == 0 or nr <= tol * nx:
            drop[j] = True
        else:
            Q = np.column_stack([Q, r / nr])
    return drop


def twfe_fit(y, X: pd.DataFrame, unit, time, cluster, *, alpha=0.05):
    """Fit ``y ~ X | unit + time`` by within transformation with CRV1 SEs (fixest convention).

    Columns absorbed by the fixed effects are dropped (``dropped_cols``), and so are columns jointly
    collinear with earlier columns after the within transformation (``collinear_cols``, also listed in
    ``dropped_cols``), keeping the first of each collinear set as fixest does; the first column (the
    treatment) being dropped is a ValueError.

    Returns a dict with coefficients, vcov, N, G, df_k, keep mask, the small-sample factor and
    ``design`` (within-transformed ``X``/``y``, cluster codes, names, factor) for the wild cluster
    bootstrap (:func:`evalkit.impact.wildboot.attach_design`).
    """
    uid = pd.factorize(unit)[0]
    tid = pd.factorize(time)[0]
    keep = drop_singletons([uid, tid])
    y = np.asarray(y, dtype=float)[keep]
    Xv = X.to_numpy(dtype=float)[keep]
    uid = pd.factorize(uid[keep])[0]
    tid = pd.factorize(tid[keep])[0]
    cl = pd.factorize(np.asarray(cluster)[keep])[0]
    Z = demean(np.column_stack([y, Xv]), [uid, tid])
    yt, Xt = Z[:, 0], Z[:, 1:]
    # drop columns absorbed by the fixed effects
    colnorm = np.sqrt((Xt**2).sum(axis=0))
    rawnorm = np.sqrt((Xv**2).sum(axis=0)) + 1e-300
    ok = colnorm / rawnorm > 1e-8
    if not ok[0]:
        raise ValueError(f"{X.columns[0]!r} is collinear with the unit and time fixed effects")
    # then columns jointly collinear with earlier ones (e.g. all event-time dummies when every unit is
    # eventually treated): X'X would be singular and its "inverse" arbitrary
    coll = np.zeros_like(ok)
    coll[ok] = _collinear(Xt[:, ok])
    if coll[0]:
        raise ValueError(f"{X.columns[0]!r} is collinear with the other regressors and the fixed effects")
    ok &= ~coll
    Xt = Xt[:, ok]
    names = [c for c, o in zip(X.columns, ok) if o]
    XtX = Xt.T @ Xt
    bread = np.linalg.inv(XtX)
    beta = bread @ (Xt.T @ yt)
    resid = yt - Xt @ beta
    N, k = Xt.shape
    G = cl.max() + 1
    if G < 2:
        raise ValueError("cluster variable has a single level; cluster-robust SEs need at least 2")
    n_u, n_t = uid.max() + 1, tid.max() + 1
    # fixest / pyfixest default ssc: K counts the slopes plus fixed-effect levels that are NOT
    # nested in the cluster variable (one level per extra FE is redundant: n_u + n_t - 1).
    k_fe = n_u + n_t - 1
    nested = [(n_u, is_nested(uid, cl)), (n_t, is_nested(tid, cl))]
    k_fe_nested = sum(n for n, isn in nested if isn)
    n_fully_nested = sum(1 for _, isn in nested if isn)
    df_k = k + k_fe - k_fe_nested + n_fully_nested if k_fe_nested else k + k_fe
    factor = G / (G - 1) * (N - 1) / (N - df_k)
    V = factor * crv1(Xt, resid, cl, bread)
    return {
        "names": names,
        "beta": beta,
        "vcov": V,
        "N": N,
        "G": G,
        "df_k": df_k,
        "factor": factor,
        "keep": keep,
        "dropped_cols": [c for c, o in zip(X.columns, ok) if not o],
        "collinear_cols": [c for c, o in zip(X.columns, coll) if o],
        "design": {"X": Xt, "y": yt, "cluster": cl, "names": names, "factor": factor, "fe": [uid, tid]},
    }


def twfe_result(method: str, table: pd.DataFrame, fit: dict, cluster: str, *, alpha: float, details: dict,
                notes, terms=None) -> ImpactResult:
    """The :class:`ImpactResult` of a :func:`twfe_fit`: CRV1 by ``cluster`` with the fixest/reghdfe small-sample
    factor, t(G - 1), the fit's covariance, and the design attached for the wild cluster bootstrap (of ``terms``,
    default all)."""
    res = ImpactResult(
        method,
        table,
        se_type=f"CRV1 by {cluster} (fixest/reghdfe small-sample factor)",
        n_obs=fit["N"],
        n_clusters=fit["G"],
        df=fit["G"] - 1,
        alpha=alpha,
        vcov=pd.DataFrame(fit["vcov"], index=fit["names"], columns=fit["names"]),
        details=details,
        notes=notes,
    )
    return attach_design(res, fit, terms=terms)


def _check_unique_rows(data, idname, tname) -> None:
    """ValueError naming the first duplicated ``(id, t)`` pairs, if any."""
    msg = duplicate_message(data[idname], data[tname], idname, tname)
    if msg:
        raise ValueError(f"{msg}; aggregate or deduplicate the panel first")


def _general_fit(data, yname, idname, tname, treatname, cluster, covariates, alpha):
    D = check_binary(data, treatname)
    tint, _ = time_to_int(data[tname], tname)
    X = covariate_matrix(data, covariates, intercept=False)
    X.insert(0, treatname, D)
    return twfe_fit(data[yname].to_numpy(float), X, data[idname].to_numpy(), tint, data[cluster].to_numpy(),
                    alpha=alpha)


def did(data, yname, idname, tname, treatname, cluster=None, covariates=None, *, alpha=0.05):
    """Two-way fixed-effects (TWFE) difference-in-differences.

    Fits ``y_it = beta * D_it + x_it' gamma + alpha_i + lambda_t + e_it`` with unit and time fixed
    effects absorbed by the within transformation, where ``D_it`` (``treatname``) is 1 for a
    treated unit in a post-treatment period and 0 otherwise.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (unbalanced panels allowed).
    yname : str
        Outcome column.
    idname : str
        Unit identifier (e.g. ``person_id``).
    tname : str
        Time column: integers, ``pandas.Period`` or period strings such as ``"2023Q1"``.
    treatname : str
        0/1 treated-and-post indicator.
    cluster : str, optional
        Column to cluster on; default ``idname``.
    covariates : list of str or str, optional
        Time-varying controls: column names or a patsy right-hand side (``"age + C(rank)"``).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    ImpactResult
        ``tidy()`` has one row for ``treatname`` followed by the covariates, with columns
        ``term, estimate, std_error, statistic, p_value, ci_low, ci_high, n`` (``n`` =
        observations used). ``details["factor"]`` is the small-sample factor applied.

    Notes
    -----
    Standard errors are cluster-robust CRV1 (Cameron & Miller 2015) with the small-sample factor of
    Stata ``reghdfe`` / R ``fixest`` (``ssc(adj=TRUE, fixef.K="nested", cluster.adj=TRUE)``),
    which is also pyfixest's default for ``feols(..., vcov={"CRV1": cluster})``:

    .. math:: V = \\frac{G}{G-1}\\,\\frac{N-1}{N-K}\\,(\\tilde X'\\tilde X)^{-1}
              \\Big(\\sum_g \\tilde X_g' \\hat u_g \\hat u_g' \\tilde X_g\\Big)(\\tilde X'\\tilde X)^{-1}

    where ``K`` counts the slopes plus the fixed-effect levels *not* nested in the cluster
    variable (with units clustered by ``idname``, ``K = k + T``). Observations in singleton
    fixed-effect groups are dropped first, as Stata ``reghdfe`` does by default and pyfixest with
    ``fixef_rm="singleton"`` (its default in 0.60); R ``fixest`` keeps singletons by default, so its
    SEs differ slightly when there are singletons. Inference uses a t distribution with ``G - 1``
    degrees of freedom. With fewer than 30 clusters the CRV1 t-test over-rejects: the result then
    carries a note, and :meth:`ImpactResult.wild_bootstrap` gives wild cluster bootstrap p-values.

    Each ``(idname, tname)`` pair must occur at most once (a ValueError names duplicates).
    Regressors jointly collinear given the fixed effects are dropped with a note (the later ones of
    a collinear set, as fixest does).

    On a balanced panel without covariates (cluster = unit or constant within unit) the fit is done in
    closed form by :mod:`evalkit.impact.fast` (same numbers; ``details["path"]`` is ``"fast"``, else
    ``"general"``); 28 million rows take seconds.

    With staggered adoption and effects that change over time, the TWFE coefficient is a weighted
    average of 2x2 comparisons with possibly negative weights (Goodman-Bacon 2021); use
    :func:`staggered_att` then.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    Journal of Human Resources, 50(2), 317-372.

    Correia, S. (2017). Linear models with high-dimensional fixed effects: an efficient and
    feasible estimator. Working paper (reghdfe).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3], "t": [1, 2] * 3,
    ...                    "y": [1.0, 3.0, 1.5, 2.0, 0.5, 1.2], "d": [0, 1, 0, 0, 0, 0]})
    >>> float(round(did(df, "y", "id", "t", "d").coef()["d"], 3))
    1.4
    """
    check_frame(data)
    check_columns(data, yname=yname, idname=idname, tname=tname, treatname=treatname, cluster=cluster)
    check_numeric(data, yname)
    cluster = idname if cluster is None else cluster
    cols = [yname, idname, tname, treatname, cluster]
    check_no_missing(data, *cols)
    if covariates is None:  # exact closed form on balanced panels (evalkit.impact.fast); None = not applicable
        res = did_fast(data, yname, idname, tname, treatname, cluster, alpha=alpha)
        if res is not None:
            # the closed form keeps no design: the bootstrap refits through the general path when asked
            # (reading ``data`` then, so do not modify it in between)
            lazy = functools.partial(_general_fit, data, yname, idname, tname, treatname, cluster, None, alpha)
            return attach_design(res, lazy, terms=[treatname])
    # (the closed form only accepts N rows covering all N unit x period cells: no duplicates possible)
    _check_unique_rows(data, idname, tname)
    fit = _general_fit(data, yname, idname, tname, treatname, cluster, covariates, alpha)
    se = np.sqrt(np.diag(fit["vcov"]))
    tab = make_table(fit["names"], fit["beta"], se, n=fit["N"], df=fit["G"] - 1, alpha=alpha)
    notes = [f"Dropped {int((~fit['keep']).sum())} singleton observations."] if (~fit["keep"]).any() else []
    absorbed = [c for c in fit["dropped_cols"] if c not in fit["collinear_cols"]]
    if absorbed:
        notes.append(f"Covariates absorbed by the fixed effects and dropped: {absorbed}.")
    if fit["collinear_cols"]:
        notes.append(f"Covariates collinear with the other regressors (given the fixed effects) and dropped: "
                     f"{fit['collinear_cols']}.")
    return twfe_result("TWFE difference-in-differences", tab, fit, cluster, alpha=alpha,
                       details={"factor": fit["factor"], "df_k": fit["df_k"], "path": "general"}, notes=notes,
                       terms=[treatname])
