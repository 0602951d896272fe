"""Treatment effects by subgroup with a Wald test of equality: :func:`heterogeneity`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._common import (
    ImpactResult,
    check_binary,
    check_columns,
    check_frame,
    check_no_missing,
    check_numeric,
    covariate_matrix,
    make_table,
)

__all__ = ["heterogeneity"]


def heterogeneity(data, yname, treatname, by, covariates=None, cluster=None, *, alpha=0.05):
    """Training effect by subgroup (delivery mode, region, tenure band) with a test of equality.

    Fits by OLS (one row per unit, e.g. the outcome change or a post-period outcome)

    .. math:: y_i = \\sum_s \\alpha_s 1\\{S_i=s\\} + \\sum_s \\beta_s D_i 1\\{S_i=s\\} + x_i'\\gamma + e_i

    i.e. the fully interacted model, so ``beta_s`` is the treated-control difference within subgroup
    ``s`` (adjusted for common covariates), and tests ``H0: beta_1 = ... = beta_S`` with a Wald F
    test on ``S - 1`` contrasts.

    Parameters
    ----------
    data : pandas.DataFrame
    yname, treatname : str
        Outcome and 0/1 treatment columns.
    by : str
        Subgroup column.
    covariates : list of str or str, optional
        Common covariates (slopes shared across subgroups).
    cluster : str, optional
        Cluster column for CRV1 SEs (factor ``G/(G-1) (N-1)/(N-K)``, Stata ``regress, vce(cluster)``);
        default heteroskedasticity-robust HC1. Each subgroup must span at least two clusters (``by``
        nested in ``cluster`` gives zero SEs and is refused). With fewer than 30 clusters the result
        carries a note; :meth:`ImpactResult.wild_bootstrap` then gives wild cluster bootstrap p-values.

    Returns
    -------
    ImpactResult
        ``tidy()`` rows ``treatname[by=s]`` with ``n`` = units in the subgroup; t reference with
        ``N-K`` (HC1) or ``G-1`` (cluster) df. ``details["wald"]``: ``F, df1, df2, p_value``.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    Journal of Human Resources, 50(2), 317-372.
    """
    import statsmodels.api as sm

    check_frame(data)
    check_columns(data, yname=yname, treatname=treatname, by=by, cluster=cluster)
    check_numeric(data, yname)
    check_no_missing(data, yname, by, *([cluster] if cluster else []))
    D = check_binary(data, treatname)
    levels = sorted(data[by].unique().tolist(), key=str)
    if len(levels) < 2:
        raise ValueError(f"column {by!r} needs at least two subgroups")
    S = np.column_stack([(data[by] == s).to_numpy(float) for s in levels])
    for j, s in enumerate(levels):
        m = S[:, j] == 1
        if D[m].min() == D[m].max():
            raise ValueError(f"subgroup {by}={s!r} has no treated or no control units")
    Xc = covariate_matrix(data, covariates, intercept=False).to_numpy(float)
    X = np.column_stack([S, S * D[:, None], Xc])
    y = data[yname].to_numpy(float)
    model = sm.OLS(y, X)
    if cluster is None:
        fit = model.fit(cov_type="HC1")
        df2 = fit.df_resid
        se_type = "HC1"
    else:
        codes = pd.factorize(data[cluster])[0]
        per = pd.DataFrame({"s": data[by].to_numpy(), "g": codes}).groupby("s", sort=False)["g"].nunique()
        single = [s for s in levels if per[s] < 2]
        if single:
            raise ValueError(
                f"subgroups {single[:5]} of {by!r} each lie within a single {cluster!r} cluster (by is nested in "
                f"the clusters): their effect is estimated from that one cluster alone, its cluster score sums to "
                f"zero and the CRV1 standard error is zero (or meaningless). Cluster on a finer unit, or estimate "
                f"the subgroup comparison across clusters instead")
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes, "use_correction": True})
        df2 = codes.max()  # G - 1
        se_type = f"CRV1 by {cluster}"
    nS = len(levels)
    idx = np.arange(nS, 2 * nS)
    b = fit.params[idx]
    V = fit.cov_params()[np.ix_(idx, idx)]
    se = np.sqrt(np.diag(V))
    tab = make_table([f"{treatname}[{by}={s}]" for s in levels], b, se, n=S.sum(axis=0).astype(int), df=df2,
                     alpha=alpha)
    R = np.zeros((nS - 1, nS))
    R[:, 0] = -1
    R[np.arange(nS - 1), np.arange(1, nS)] = 1
    rb = R @ b
    F = float(rb @ np.linalg.solve(R @ V @ R.T, rb)) / (nS - 1)
    wald = {"F": F, "df1": nS - 1, "df2": float(df2), "p_value": float(stats.f.sf(F, nS - 1, df2))}
    res = ImpactResult(
        f"Treatment effect by {by} (fully interacted OLS)",
        tab,
        se_type=se_type,
        n_obs=len(y),
        n_clusters=None if cluster is None else int(df2 + 1),
        df=float(df2),
        alpha=alpha,
        details={"wald": wald},
        notes=[f"Wald test of equal effects across {by}: F({nS - 1}, {df2:g}) = {F:.3f}, p = {wald['p_value']:.4f}."],
    )
    if cluster is not None:  # wild cluster bootstrap on the same OLS design (statsmodels' CRV1 factor)
        from .wildboot import attach_design

        N, K = X.shape
        G = int(df2 + 1)
        names = ([f"{by}={s}" for s in levels] + list(tab["term"])
                 + [f"covariate[{j}]" for j in range(Xc.shape[1])])
        design = {"X": X, "y": y, "cluster": codes, "names": names, "factor": G / (G - 1) * (N - 1) / (N - K)}
        attach_design(res, design, terms=list(tab["term"]))
    return res
