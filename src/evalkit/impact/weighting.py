"""Selection-on-observables estimators of the ATT: inverse probability weighting (:func:`ipw_att`),
propensity-score nearest-neighbour matching (:func:`match_att`), covariate balance
(:func:`balance`) and the love plot (:func:`love_plot`, in :mod:`evalkit.report.impact_plots`; re-exported
here)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from evalkit.report.impact_plots import love_plot

from ._common import ImpactResult, check_binary, check_columns, check_frame, check_numeric, covariate_matrix, make_table

__all__ = ["ipw_att", "match_att", "balance", "love_plot", "WeightingResult"]


class WeightingResult(ImpactResult):
    """:class:`ImpactResult` plus the propensity model, scores and weights.

    Attributes
    ----------
    pscore : pandas.Series
        Estimated propensity score for every used row (index = data index).
    weights : pandas.Series
        ATT weights (treated 1, controls p/(1-p) for IPW; matching frequency weights for matching),
        normalised so the control weights sum to the number of treated. Pass to :func:`balance`.
    logit_params : pandas.Series
        Coefficients of the propensity logit.
    """

    def __init__(self, *args, pscore, weights, logit_params, **kwargs):
        super().__init__(*args, **kwargs)
        self.pscore = pscore
        self.weights = weights
        self.logit_params = logit_params


def _prep(data, yname, treatname, covariates):
    check_frame(data)
    check_columns(data, yname=yname, treatname=treatname)
    check_numeric(data, yname)
    if data[yname].isna().any():
        raise ValueError(f"outcome column {yname!r} has missing values")
    D = check_binary(data, treatname)
    if D.sum() == 0 or D.sum() == len(D):
        raise ValueError(f"column {treatname!r} needs both treated (1) and control (0) rows")
    X = covariate_matrix(data, covariates if covariates is not None else [], intercept=True)
    return data[yname].to_numpy(float), D, X


def _logit(D, X):
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            res = sm.Logit(D, X).fit(disp=0, method="newton", maxiter=200)
        except (PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
            raise ValueError(f"propensity logit failed (perfect separation or collinear covariates): {exc}") from exc
    if not res.mle_retvals.get("converged", True):
        raise ValueError("propensity logit did not converge; simplify or rescale the covariates")
    return res


def ipw_att(data, yname, treatname, covariates, trim=None, normalize=True, *, cluster=None, alpha=0.05):
    """ATT by inverse probability (odds) weighting on an unpenalised logit propensity score.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    yname : str
        Outcome column.
    treatname : str
        0/1 treatment (trained) indicator.
    covariates : list of str or str
        Propensity-model covariates: column names or a patsy right-hand side
        (``"age + I(age**2) + C(region)"``). ``[]`` gives an intercept-only model, for which the
        estimate equals the raw difference in means.
    trim : tuple (lo, hi), optional
        Drop units whose estimated score is outside ``[lo, hi]``, then re-fit the logit on the kept
        units (inference is conditional on the trimmed sample).
    normalize : bool, default True
        Hajek (normalised) weights: ``ATT = mean_T(Y) - sum_C w Y / sum_C w``. If False, the
        Horvitz-Thompson form ``mean_T(Y) - sum_C w Y / n_T``.
    cluster : str, optional
        Column of the level at which training was assigned (e.g. a region-qualified agency). The stacked
        moments are summed within cluster before their outer product (the cluster-robust sandwich, no
        small-sample factor, as ``statsmodels``' cluster covariance with ``use_correction=False``); default:
        each unit on its own. With fewer than 30 clusters a note says so.

    Returns
    -------
    WeightingResult
        ``tidy()`` with one row ``ATT`` (``n`` = units used); ``.pscore``, ``.weights`` and
        ``.logit_params`` attributes; ``details["ess_control"]`` = Kish effective sample size of the
        weighted controls.

    Notes
    -----
    Weights ``w_i = 1`` for treated units and ``w_i = p_i/(1-p_i) = exp(x_i'gamma)`` for controls
    (Hirano, Imbens & Ridder 2003). Standard error: M-estimation sandwich that stacks the logit score
    ``(D - p) x`` with the moments of the two means, so it accounts for the estimated propensity
    score (Lunceford & Davidian 2004; Stefanski & Boos 2002): ``V = A^{-1} B A^{-T} / n`` with
    ``A`` the mean Jacobian and ``B`` the mean outer product of the stacked moments. Normal CIs.

    References
    ----------
    Hirano, K., Imbens, G. W., & Ridder, G. (2003). Efficient estimation of average treatment
    effects using the estimated propensity score. Econometrica, 71(4), 1161-1189.

    Lunceford, J. K., & Davidian, M. (2004). Stratification and weighting via the propensity score
    in estimation of causal treatment effects. Statistics in Medicine, 23(19), 2937-2960.
    """
    Y, D, X = _prep(data, yname, treatname, covariates)
    index = data.index
    groups = None
    if cluster is not None:
        if cluster not in data.columns:
            raise ValueError(f"cluster column {cluster!r} not in data")
        if data[cluster].isna().any():
            raise ValueError(f"cluster column {cluster!r} has missing values")
        groups = pd.factorize(data[cluster])[0]
    logit = _logit(D, X)
    p = logit.predict(X.to_numpy())
    notes = []
    if trim is not None:
        if not (isinstance(trim, (tuple, list)) and len(trim) == 2 and 0 <= trim[0] < trim[1] <= 1):
            raise ValueError("trim must be a pair (lo, hi) with 0 <= lo < hi <= 1")
        keep = (p >= trim[0]) & (p <= trim[1])
        notes.append(f"Trimmed {int((~keep).sum())} units with propensity outside [{trim[0]}, {trim[1]}]; "
                     "logit re-fitted.")
        Y, D, X, index = Y[keep], D[keep], X.loc[keep], index[keep]
        groups = None if groups is None else pd.factorize(groups[keep])[0]
        if D.sum() == 0 or D.sum() == len(D):
            raise ValueError("trimming left no treated or no control units")
        logit = _logit(D, X)
        p = logit.predict(X.to_numpy())
    Xv = X.to_numpy(float)
    n, k = Xv.shape
    gamma = logit.params.to_numpy()
    w = np.exp(Xv @ gamma)  # odds p/(1-p), numerically stable
    C = 1.0 - D
    n1 = D.sum()
    mu1 = Y[D == 1].mean()
    if normalize:
        mu0 = np.sum(C * w * Y) / np.sum(C * w)
        psi0 = C * w * (Y - mu0)
        d0_dg = (C * w * (Y - mu0)) @ Xv / n
        d0_dm = -np.sum(C * w) / n
    else:
        mu0 = np.sum(C * w * Y) / n1
        psi0 = C * w * Y - D * mu0
        d0_dg = (C * w * Y) @ Xv / n
        d0_dm = -n1 / n
    att = mu1 - mu0
    psi = np.column_stack([(D - p)[:, None] * Xv, D * (Y - mu1), psi0])
    A = np.zeros((k + 2, k + 2))
    A[:k, :k] = -(Xv * (p * (1 - p))[:, None]).T @ Xv / n
    A[k, k] = -n1 / n
    A[k + 1, :k] = d0_dg
    A[k + 1, k + 1] = d0_dm
    if groups is not None:  # sum the stacked moments within cluster
        psi = np.vstack([np.bincount(groups, weights=psi[:, j]) for j in range(psi.shape[1])]).T
    B = psi.T @ psi / n
    Ainv = np.linalg.inv(A)
    V = Ainv @ B @ Ainv.T / n
    c = np.zeros(k + 2)
    c[k], c[k + 1] = 1.0, -1.0
    se = float(np.sqrt(c @ V @ c))
    wc = np.where(D == 1, 1.0, w * n1 / np.sum(C * w))
    ess = np.sum(C * w) ** 2 / np.sum((C * w) ** 2)
    tab = make_table(["ATT"], [att], [se], n=n, df=None, alpha=alpha)
    n_clusters = None
    if groups is not None:
        n_clusters = int(groups.max()) + 1
        if n_clusters < 30:
            notes.append(f"Only {n_clusters} clusters of {cluster!r}: normal intervals from a cluster-robust "
                         "sandwich can be too narrow with few clusters.")
    return WeightingResult(
        f"IPW ATT ({'Hajek, normalised' if normalize else 'Horvitz-Thompson'} odds weights)",
        tab,
        se_type="M-estimation sandwich stacking the logit score"
        + ("" if cluster is None else f", clustered by {cluster!r}"),
        n_obs=n,
        n_clusters=n_clusters,
        alpha=alpha,
        details={"ess_control": float(ess), "n_treated": int(n1), "n_control": int(n - n1)},
        notes=notes,
        pscore=pd.Series(p, index=index, name="pscore"),
        weights=pd.Series(wc, index=index, name="weight"),
        logit_params=logit.params.rename("logit_coef"),
    )


def _match_sets(pt, pc_sorted, k):
    """All controls within the k-th nearest distance of each treated score (ties kept).

    Returns (treated index repeated, sorted-control position) pairs.
    """
    n0 = len(pc_sorted)
    pos = np.searchsorted(pc_sorted, pt)
    offs = np.arange(-k, k)
    cand = pos[:, None] + offs[None, :]
    valid = (cand >= 0) & (cand < n0)
    dist = np.where(valid, np.abs(pc_sorted[np.clip(cand, 0, n0 - 1)] - pt[:, None]), np.inf)
    dk = np.partition(dist, k - 1, axis=1)[:, k - 1]
    slack = 1e-9 * np.maximum(dk, 1e-12)
    lo = np.searchsorted(pc_sorted, pt - dk - slack, side="left")
    hi = np.searchsorted(pc_sorted, pt + dk + slack, side="right")
    lens = hi - lo
    rows = np.repeat(np.arange(len(pt)), lens)
    cols = np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
    keep = np.abs(pc_sorted[cols] - pt[rows]) <= dk[rows]
    return rows[keep], cols[keep]


def _within_arm_sigma2(p, y, J=2):
    """Abadie-Imbens (2006, eq. 14) conditional variance by matching within the same arm."""
    order = np.argsort(p, kind="stable")
    ps, ys = p[order], y[order]
    n = len(ps)
    J = min(J, n - 1)
    offs = np.array([o for o in range(-J, J + 1) if o != 0])
    cand = np.arange(n)[:, None] + offs[None, :]
    valid = (cand >= 0) & (cand < n)
    cc = np.clip(cand, 0, n - 1)
    dist = np.where(valid, np.abs(ps[cc] - ps[:, None]), np.inf)
    pick = np.argsort(dist, axis=1, kind="stable")[:, :J]
    ymean = ys[np.take_along_axis(cc, pick, axis=1)].mean(axis=1)
    s2 = np.empty(n)
    s2[order] = J / (J + 1) * (ys - ymean) ** 2
    return s2


def match_att(data, yname, treatname, covariates, k=1, replace=True, *, caliper=None, discard="none", alpha=0.05):
    """ATT by nearest-neighbour matching on the estimated propensity score.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    yname, treatname : str
        Outcome and 0/1 treatment columns.
    covariates : list of str or str
        Propensity-model covariates (unpenalised logit, as in :func:`ipw_att`).
    k : int, default 1
        Number of matches per treated unit.
    replace : bool, default True
        Match with replacement (a control can serve many treated units). With replacement,
        controls tied at the k-th smallest distance are ALL kept and averaged, so a treated unit can
        have more than ``k`` matches. ``replace=False`` does greedy matching without replacement
        (treated units in descending score order, ties broken by data order, no tie-keeping).
    caliper : float, optional
        Maximum allowed distance between a treated unit and its matches, in standard deviations of the
        logit of the propensity score (the linear predictor), as MatchIt's ``caliper`` with
        ``std.caliper=TRUE`` (the SD is taken over all units kept after ``discard``, ddof=1). Matches are
        found on the score as usual; with replacement those farther than the caliper are dropped, without
        replacement only controls within the caliper are eligible. Treated units left with no match are
        dropped. ``0.2`` is Austin's (2011) common choice. Default None: no caliper.
    discard : {"none", "treated", "control", "both"}, default "none"
        Common-support rule, as MatchIt's ``discard``: ``"treated"`` drops treated units whose score lies
        outside the controls' score range, ``"control"`` drops controls outside the treated range, ``"both"``
        does both (ranges from the full sample, logit not re-fitted).

    Returns
    -------
    WeightingResult
        ``tidy()`` with one row ``ATT``; ``.weights`` are matching frequency weights
        (``K_j = sum_i 1{j in J(i)}/|J(i)|`` for controls, 1 for matched treated, 0 for dropped units)
        usable in :func:`balance`. ``details`` has ``n_treated`` (treated units in the estimate),
        ``n_treated_dropped`` (by ``discard`` and the caliper together), ``n_treated_discarded``,
        ``n_treated_caliper``, ``n_control_discarded`` and ``caliper_logit`` (the caliper in logit units).

        When treated units are dropped the estimand is no longer the ATT of all treated units but the ATT
        of the matched (common-support) treated units; ``notes`` says so and gives the count.

    Notes
    -----
    Matching is on the score ``p`` (probability scale), distance ``|p_i - p_j|``.
    ``ATT = (1/n_T) sum_{i:T} (Y_i - mean_{j in J(i)} Y_j)``. Standard error: Abadie & Imbens (2006,
    Theorem 7) variance for the population ATT, generalised to ties,

    .. math:: \\hat V = \\frac{1}{n_T^2}\\Big[\\sum_{i:T}(Y_i - \\hat Y_i(0) - \\hat\\tau)^2
              + \\sum_{j:C} (K_j^2 - K'_j)\\,\\hat\\sigma^2_j\\Big],
              \\quad K'_j = \\sum_i 1\\{j\\in J(i)\\}/|J(i)|^2,

    with ``sigma^2_j`` from matching each unit to its 2 nearest same-arm neighbours (AI 2006 eq. 14,
    Stata's default ``nn(2)``). It treats the propensity score as known; Abadie & Imbens (2016)
    show the correction for an estimated score can go either way for the ATT, so read the SE as
    approximate. Normal CIs.

    References
    ----------
    Abadie, A., & Imbens, G. W. (2006). Large sample properties of matching estimators for
    average treatment effects. Econometrica, 74(1), 235-267.

    Abadie, A., & Imbens, G. W. (2016). Matching on the estimated propensity score.
    Econometrica, 84(2), 781-807.
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if discard not in ("none", "treated", "control", "both"):
        raise ValueError(f"discard must be 'none', 'treated', 'control' or 'both', got {discard!r}")
    if caliper is not None and not (np.isscalar(caliper) and np.isfinite(caliper) and caliper > 0):
        raise ValueError(f"caliper must be a positive number (SDs of the score logit) or None, got {caliper!r}")
    Y, D, X = _prep(data, yname, treatname, covariates)
    logit = _logit(D, X)
    p = logit.predict(X.to_numpy())
    lp = X.to_numpy(float) @ logit.params.to_numpy()  # logit of the score (linear predictor)
    keep = np.ones(len(Y), dtype=bool)
    pt_all, pc_all = p[D == 1], p[D == 0]
    if discard in ("treated", "both"):
        keep &= ~((D == 1) & ((p < pc_all.min()) | (p > pc_all.max())))
    if discard in ("control", "both"):
        keep &= ~((D == 0) & ((p < pt_all.min()) | (p > pt_all.max())))
    n1_all = int(D.sum())
    n_t_disc = int(((D == 1) & ~keep).sum())
    n_c_disc = int(((D == 0) & ~keep).sum())
    t_idx = np.flatnonzero((D == 1) & keep)
    c_idx = np.flatnonzero((D == 0) & keep)
    if len(t_idx) == 0 or len(c_idx) == 0:
        raise ValueError(f"discard={discard!r} left no treated or no control units")
    if k > len(c_idx):
        raise ValueError(f"k={k} exceeds the number of control units ({len(c_idx)})")
    cal = None if caliper is None else float(caliper * np.std(lp[keep], ddof=1))
    order = np.argsort(p[c_idx], kind="stable")
    pc_sorted = p[c_idx][order]
    lc_sorted = lp[c_idx][order]
    lt = lp[t_idx]
    if replace:
        rows, cols = _match_sets(p[t_idx], pc_sorted, k)
        if cal is not None:
            ok = np.abs(lc_sorted[cols] - lt[rows]) <= cal
            rows, cols = rows[ok], cols[ok]
    else:
        if cal is None and k * len(t_idx) > len(c_idx):
            raise ValueError("matching without replacement needs at least k controls per treated unit")
        used = np.zeros(len(c_idx), dtype=bool)
        rows_l, cols_l = [], []
        for i in np.argsort(-p[t_idx], kind="stable"):
            elig = ~used if cal is None else ~used & (np.abs(lc_sorted - lt[i]) <= cal)
            avail = np.flatnonzero(elig)
            dist = np.abs(pc_sorted[avail] - p[t_idx][i])
            pick = avail[np.argsort(dist, kind="stable")[:k]]
            used[pick] = True
            rows_l.extend([i] * len(pick))
            cols_l.extend(pick.tolist())
        rows, cols = np.array(rows_l, dtype=int), np.array(cols_l, dtype=int)
    m = np.bincount(rows, minlength=len(t_idx)).astype(float)
    matched = m > 0
    n_t_cal = int((~matched).sum())
    if not matched.any():
        raise ValueError("no treated unit has a match within the caliper")
    if n_t_cal:
        newpos = np.cumsum(matched) - 1
        rows = newpos[rows]
        t_idx, m = t_idx[matched], m[matched]
    notes = []
    n_drop = n_t_disc + n_t_cal
    if n_drop:
        why = []
        if n_t_disc:
            why.append(f"{n_t_disc} outside the common support of the score (discard={discard!r})")
        if n_t_cal:
            why.append(f"{n_t_cal} without a control within the caliper ({caliper:g} SD of the score logit "
                       f"= {cal:.4g})")
        notes.append(f"Dropped {n_drop} of {n1_all} treated units: " + "; ".join(why) + ". The estimand is "
                     "the ATT of the matched treated units (common support), not of all treated units.")
    elif discard != "none" or cal is not None:
        notes.append("No treated unit was dropped by the common-support rule or the caliper: the estimand is "
                     "still the ATT of all treated units.")
    if n_c_disc:
        notes.append(f"Discarded {n_c_disc} control units outside the treated units' score range.")
    yc_sorted = Y[c_idx][order]
    y0hat = np.bincount(rows, weights=yc_sorted[cols], minlength=len(t_idx)) / m
    yt = Y[t_idx]
    n1 = len(t_idx)
    att = float(np.mean(yt - y0hat))
    Kw = np.bincount(cols, weights=1.0 / m[rows], minlength=len(c_idx))
    K2 = np.bincount(cols, weights=1.0 / m[rows] ** 2, minlength=len(c_idx))
    s2c = _within_arm_sigma2(pc_sorted, yc_sorted)
    var = (np.sum((yt - y0hat - att) ** 2) + np.sum((Kw**2 - K2) * s2c)) / n1**2
    se = float(np.sqrt(var))
    weights = np.zeros(len(Y))
    weights[c_idx[order]] = Kw
    weights[t_idx] = 1.0
    n_used = int(keep.sum()) - n_t_cal
    tab = make_table(["ATT"], [att], [se], n=n_used, df=None, alpha=alpha)
    return WeightingResult(
        f"Propensity-score matching ATT ({k}-NN, {'with' if replace else 'without'} replacement"
        + ("" if cal is None else f", caliper {caliper:g} SD of the score logit")
        + ("" if discard == "none" else f", discard={discard}") + ")",
        tab,
        se_type="Abadie-Imbens (2006) matching variance (score treated as known)",
        n_obs=n_used,
        alpha=alpha,
        details={
            "n_treated": n1,
            "n_treated_dropped": n_drop,
            "n_treated_discarded": n_t_disc,
            "n_treated_caliper": n_t_cal,
            "n_control_discarded": n_c_disc,
            "caliper_logit": cal,
            "n_control_used": int((Kw > 0).sum()),
            "mean_matches": float(m.mean()),
            "max_control_reuse": float(Kw.max()),
        },
        notes=notes,
        pscore=pd.Series(p, index=data.index, name="pscore"),
        weights=pd.Series(weights, index=data.index, name="weight"),
        logit_params=logit.params.rename("logit_coef"),
    )


def _wmean_var(x, w):
    sw = w.sum()
    m = np.sum(w * x) / sw
    # unbiased ("reliability") weighted variance; equals the ddof=1 variance when w is constant
    v = sw / (sw**2 - np.sum(w**2)) * np.sum(w * (x - m) ** 2)
    return m, v


def balance(data, treatname, covariates, weights=None, *, sd_denom="treated"):
    """Covariate balance: standardised mean differences and variance ratios, before/after weighting.

    Parameters
    ----------
    data : pandas.DataFrame
    treatname : str
        0/1 treatment column.
    covariates : list of str or str
        Columns or a patsy right-hand side (categories are expanded to dummies).
    weights : str, array-like or WeightingResult, optional
        Unit weights (e.g. ``ipw_att(...).weights``); a column name, an array aligned with ``data``
        or a result with a ``weights`` attribute.
    sd_denom : {"treated", "pooled"}, default "treated"
        Denominator of the SMD. ``"treated"``: the SD of the treated group, the convention for the ATT
        (cobalt's ``bal.tab`` default ``s.d.denom = "treated"`` for the ATT; MatchIt's ``summary()``
        standardises by the treated SD for the ATT): the ATT estimators here re-weight the controls to the
        treated, so the treated distribution is the reference. ``"pooled"``: ``sqrt((s_T^2 + s_C^2)/2)``,
        the ATE convention (Austin 2011).

    Returns
    -------
    pandas.DataFrame
        One row per covariate: ``covariate, mean_treated, mean_control, smd, var_ratio`` (unweighted)
        and, with weights, ``mean_treated_w, mean_control_w, smd_w, var_ratio_w``.

    Notes
    -----
    ``SMD = (mean_T - mean_C) / s_T`` (default, ``sd_denom="treated"``) or
    ``(mean_T - mean_C) / sqrt((s_T^2 + s_C^2)/2)`` (``"pooled"``), the denominator computed from the
    UNWEIGHTED sample (ddof=1) and used for both the unweighted and weighted SMD, so a change in SMD
    reflects a change in the mean difference only (Austin 2011; Austin & Stuart 2015; Greifer, cobalt).
    Variance ratio = ``s_T^2 / s_C^2`` with unbiased weighted variances
    ``sum(w)/(sum(w)^2 - sum(w^2)) * sum w (x - m)^2``. |SMD| < 0.1 is the usual balance threshold.

    References
    ----------
    Austin, P. C. (2011). An introduction to propensity score methods for reducing the effects of
    confounding in observational studies. Multivariate Behavioral Research, 46(3), 399-424.

    Austin, P. C., & Stuart, E. A. (2015). Moving towards best practice when using inverse
    probability of treatment weighting (IPTW). Statistics in Medicine, 34(28), 3661-3679.

    Greifer, N. cobalt: Covariate Balance Tables and Plots (R package), ``bal.tab`` argument
    ``s.d.denom``; Ho, D., Imai, K., King, G., & Stuart, E. A. (2011). MatchIt: Nonparametric
    preprocessing for parametric causal inference. Journal of Statistical Software, 42(8), 1-28.
    """
    if sd_denom not in ("treated", "pooled"):
        raise ValueError(f"sd_denom must be 'treated' or 'pooled', got {sd_denom!r}")
    check_frame(data)
    check_columns(data, treatname=treatname)
    D = check_binary(data, treatname)
    X = covariate_matrix(data, covariates, intercept=False)
    if X.shape[1] == 0:
        raise ValueError("covariates is empty")
    w = None
    if weights is not None:
        if isinstance(weights, ImpactResult) and hasattr(weights, "weights"):
            if not data.index.isin(weights.weights.index).all():
                raise ValueError("weights result was fitted on other rows than data (index mismatch)")
            w = weights.weights.reindex(data.index).to_numpy(float)
        elif isinstance(weights, str):
            check_columns(data, weights=weights)
            w = data[weights].to_numpy(float)
        else:
            w = np.asarray(weights, dtype=float)
        if w.shape != (len(data),):
            raise ValueError(f"weights must have one value per row of data ({len(data)}), got shape {w.shape}")
        w = np.nan_to_num(w, nan=0.0)
        if (w < 0).any():
            raise ValueError("weights must be non-negative")
    t, c = D == 1, D == 0
    rows = []
    for name in X.columns:
        x = X[name].to_numpy(float)
        mt, vt = x[t].mean(), x[t].var(ddof=1)
        mc, vc = x[c].mean(), x[c].var(ddof=1)
        sd = np.sqrt(vt) if sd_denom == "treated" else np.sqrt((vt + vc) / 2)
        r = {"covariate": name, "mean_treated": mt, "mean_control": mc,
             "smd": (mt - mc) / sd if sd > 0 else np.nan, "var_ratio": vt / vc if vc > 0 else np.nan}
        if w is not None:
            mtw, vtw = _wmean_var(x[t], w[t])
            mcw, vcw = _wmean_var(x[c], w[c])
            r.update({"mean_treated_w": mtw, "mean_control_w": mcw,
                      "smd_w": (mtw - mcw) / sd if sd > 0 else np.nan,
                      "var_ratio_w": vtw / vcw if vcw > 0 else np.nan})
        rows.append(r)
    return pd.DataFrame(rows)
