"""Callaway & Sant'Anna (2021) group-time ATTs and their aggregations: :func:`staggered_att`."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._common import (  # noqa: F401 (duplicate_message re-exported: it lived here)
    ImpactResult,
    check_columns,
    check_frame,
    check_no_missing,
    check_numeric,
    duplicate_message,
    make_table,
    panel_times,
)
from .attgt import (  # noqa: F401 (re-exported: the ATT(g,t) cells and their aggregation live in attgt)
    _AGGREGATES,
    _NO_CONVERGENCE,
    _ZERO_SE,
    aggregate_cells,
    aggregate_general,
    att_gt_cells,
    dr_panel,
    ipw_panel,
    reg_panel,
)
from .fast import staggered_fast

__all__ = ["staggered_att"]

_EST_METHODS = ("dr", "ipw", "reg")
_SMALL_COHORT = 5
_FEW_CLUSTERS = 30


def _prepare(data, yname, idname, tname, gname, *, cluster=None, covariates=None, anticipation=0,
             allow_unbalanced=False):
    """Validate and reshape a long panel (see :func:`prepare_panel`); also covariates and clusters.

    Returns a dict with ``Y`` (units x periods, NaN where unobserved), ``X`` (units x periods x k or None),
    ``G`` (first treated period, ``inf`` = never), ``tlist``, ``notes``, ``labels``, ``cl`` (cluster code
    per unit, or None = the unit) and ``n_clusters``.
    """
    check_frame(data)
    check_columns(data, yname=yname, idname=idname, tname=tname, gname=gname, cluster=cluster)
    check_numeric(data, yname)
    check_no_missing(data, idname, tname)
    covs = [] if covariates is None else ([covariates] if isinstance(covariates, str) else list(covariates))
    for j, c in enumerate(covs):
        check_columns(data, **{f"covariates[{j}]": c})
        check_numeric(data, c)
        if data[c].isna().any():
            raise ValueError(f"covariate column {c!r} has missing values")
    tint, tmap, gint = panel_times(data, idname, tname, gname)
    # units as integer codes in sorted order (the row order of the pivot below, as with the labels themselves):
    # grouping and pivoting integers is 2.5x faster than text ids; ``units`` turns a code back into its label
    uid, units = pd.factorize(data[idname], sort=True)
    df = pd.DataFrame({"id": uid, "t": tint, "g": gint, "y": data[yname].to_numpy(float)})
    gcheck = df.groupby("id", sort=False)["g"].nunique(dropna=False)
    if (gcheck > 1).any():
        raise ValueError(f"column {gname!r} must be constant within each unit of {idname!r}")
    if cluster is not None and cluster != idname:
        if data[cluster].isna().any():
            raise ValueError(f"cluster column {cluster!r} has missing values")
        df["cl"] = data[cluster].to_numpy()
        varies = df.groupby("id", sort=False)["cl"].nunique() > 1
        if varies.any():
            raise ValueError(f"cluster column {cluster!r} must be constant within each unit of {idname!r} "
                             f"(it varies for {int(varies.sum())} units, e.g. {units[varies[varies].index[0]]!r})")
    for j, c in enumerate(covs):
        df[f"x{j}"] = data[c].to_numpy(float)
    notes = []
    ymiss = df["y"].isna()
    if ymiss.any():
        df = df[~ymiss]
        notes.append(f"Dropped {int(ymiss.sum())} rows with missing {yname!r}.")
    tlist = np.sort(df["t"].unique())
    wide = df.pivot(index="id", columns="t", values="y").reindex(columns=tlist)
    complete = wide.notna().all(axis=1)
    if not allow_unbalanced and not complete.all():
        notes.append(f"Dropped {int((~complete).sum())} units not observed in every period (balanced panel required; "
                     "allow_unbalanced=True keeps them).")
        wide = wide[complete]
    elif not complete.all():
        notes.append(f"Unbalanced panel: {int((~complete).sum())} units miss some periods; each ATT(g,t) uses the "
                     "units observed in both its period and its base period.")
    first = df.drop_duplicates("id").set_index("id")
    gunit = first["g"].reindex(wide.index).to_numpy()
    early = gunit <= tlist[0] + anticipation
    if early.any():
        extra = f" (accounting for anticipation={anticipation})" if anticipation else ""
        notes.append(f"Dropped {int(early.sum())} units already treated in the first period{extra}.")
        wide, gunit = wide[~early], gunit[~early]
    late = np.isfinite(gunit) & (gunit > tlist[-1] + anticipation)
    if late.any():
        notes.append(f"{int(late.sum())} units first treated after the last period are used as never treated.")
        gunit = np.where(late, np.inf, gunit)
    if len(wide) == 0:
        raise ValueError("no units left after building a balanced panel")
    X = None
    if covs:
        X = np.stack([df.pivot(index="id", columns="t", values=f"x{j}").reindex(index=wide.index, columns=tlist)
                      .to_numpy(float) for j in range(len(covs))], axis=2)
    cl, n_clusters = None, len(wide)
    if cluster is not None and cluster != idname:
        cl, uniq = pd.factorize(first["cl"].reindex(wide.index), sort=True)
        n_clusters = len(uniq)
    labels = {k: v for k, v in tmap.items() if not str(k).startswith("__")}
    return {"Y": wide.to_numpy(float), "X": X, "G": gunit, "tlist": tlist, "notes": notes, "labels": labels,
            "cl": cl, "n_clusters": n_clusters, "covariates": covs}


def prepare_panel(data, yname, idname, tname, gname):
    """Validate and reshape a long panel into a units x periods outcome matrix.

    Returns ``(Y, G, tlist, notes, labels)`` with ``G`` = first treated period as integer
    (``inf`` = never treated). Units with a missing period are dropped (balanced panel, as R ``did``
    with ``panel=TRUE``), units already treated in the first period are dropped, and cohorts that
    start after the last period are recoded as never treated. Duplicated ``(id, t)`` rows raise a
    ValueError naming the first few pairs.
    """
    p = _prepare(data, yname, idname, tname, gname)
    return p["Y"], p["G"], p["tlist"], p["notes"], p["labels"]


def cluster_sums(psi, cl, n_clusters):
    """Sum the rows of ``psi`` (units x terms) within clusters (``cl`` = code per unit; None = units)."""
    if cl is None:
        return psi
    return np.column_stack([np.bincount(cl, weights=psi[:, j], minlength=n_clusters) for j in range(psi.shape[1])])


def _mammen(rng, size):
    """Mammen (1993) two-point multiplier weights (mean 0, variance 1), as R ``did::mboot``."""
    s5 = np.sqrt(5.0)
    lo, hi = (1 - s5) / 2, (1 + s5) / 2
    return np.where(rng.random(size) < (s5 + 1) / (2 * s5), lo, hi)


def multiplier_bootstrap(S, B, rng, alpha=0.05, band=None):
    """Multiplier bootstrap of influence functions ``S`` (clusters x terms, cluster sums on the estimate scale).

    Draws ``theta*_b - theta_hat = sum_c v_bc S_c`` with Mammen weights ``v`` (one per cluster and draw).
    Returns bootstrap SEs ``(q75 - q25) / (z75 - z25)`` (R ``did``) and the sup-t critical value over the
    columns ``band`` (indices; terms with zero variance are skipped): the ``1 - alpha`` quantile of
    ``max_k |theta*_bk - theta_hat_k| / se_k``.
    """
    C, K = S.shape
    chunk = max(1, int(2e7 // max(C, 1)))
    draws = []
    for start in range(0, B, chunk):
        V = _mammen(rng, (min(chunk, B - start), C))
        draws.append(V @ S)
    boot = np.vstack(draws)
    q75, q25 = np.quantile(boot, 0.75, axis=0, method="inverted_cdf"), np.quantile(boot, 0.25, axis=0,
                                                                                   method="inverted_cdf")
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = (np.sqrt((S**2).sum(axis=0)) > _ZERO_SE) & (se > 0)
    se = np.where(ok, se, np.nan)
    crit = np.nan
    cols = np.array([k for k in (range(K) if band is None else band) if ok[k]], dtype=int)
    if cols.size:
        tmax = np.max(np.abs(boot[:, cols] / se[cols]), axis=1)
        crit = float(np.quantile(tmax, 1 - alpha, method="inverted_cdf"))
    return se, crit


def _balance_cells(cells, balance_e, tlist):
    """Cells kept by R ``aggte(..., balance_e=e)``: cohorts observed for ``e`` periods after treatment,
    event times ``<= e``."""
    keep = (tlist[-1] - cells["group"] >= balance_e) & (cells["event_time"] <= balance_e)
    if not keep.any():
        raise ValueError(f"balance_e={balance_e}: no cohort is observed {balance_e} periods after treatment")
    return np.flatnonzero(keep.to_numpy())


def cs_fit(Y, G, tlist, control, aggregate, window=None):
    """Cells plus the requested aggregation as (cells, terms, estimates, standard errors, extra columns)."""
    cells, psi = att_gt_cells(Y, G, tlist, control)
    cells["std_error"] = np.sqrt((psi**2).sum(axis=0))
    terms, est, psis, extra = aggregate_general(cells, psi, G, aggregate, window)
    se = np.sqrt((np.column_stack(psis) ** 2).sum(axis=0))
    return cells, terms, np.array(est), se, extra


def _small_cohort_warning(cells):
    sizes = cells.groupby("group")["n_treated"].max()
    small = sizes[sizes < _SMALL_COHORT]
    if len(small):
        listed = ", ".join(f"g={g:g} ({int(n)} units)" for g, n in small.items())
        warnings.warn(f"Cohorts with fewer than {_SMALL_COHORT} units: {listed}. Their ATT(g,t) rest on very few "
                      "units; influence-function standard errors can be unreliable.", UserWarning, stacklevel=3)


def _se_from(S):
    se = np.sqrt((S**2).sum(axis=0))
    return np.where(se > _ZERO_SE, se, np.nan)


def cs_general(data, yname, idname, tname, gname, control="never", aggregate="simple", *, cluster=None,
               covariates=None, est_method="dr", base_period="varying", anticipation=0, balance_e=None,
               allow_unbalanced=False, bootstrap=None, seed=None, alpha=0.05, window=None):
    """The general (N x cells influence-function) path of :func:`staggered_att`; returns an ImpactResult."""
    p = _prepare(data, yname, idname, tname, gname, cluster=cluster, covariates=covariates,
                 anticipation=anticipation, allow_unbalanced=allow_unbalanced)
    Y, G, tlist, notes, cl, nc = p["Y"], p["G"], p["tlist"], list(p["notes"]), p["cl"], p["n_clusters"]
    cells, psi = att_gt_cells(Y, G, tlist, control, X=p["X"], est_method=est_method, base_period=base_period,
                              anticipation=anticipation)
    cells["std_error"] = _se_from(cluster_sums(psi, cl, nc))
    acells, apsi = cells, psi
    if balance_e is not None:
        keep = _balance_cells(cells, balance_e, tlist)
        acells, apsi = cells.iloc[keep].reset_index(drop=True), psi[:, keep]
    terms, est, psis, extra = aggregate_general(acells, apsi, G, aggregate, window)
    est = np.asarray(est, float)
    S = cluster_sums(np.column_stack(psis), cl, nc)
    V = S.T @ S
    se = _se_from(S)
    details = {"att_gt": cells, "control": control, "aggregate": aggregate, "path": "general",
               "est_method": est_method, "base_period": base_period, "anticipation": anticipation,
               "covariates": p["covariates"] or None, "cluster": cluster, "balance_e": balance_e,
               "allow_unbalanced": allow_unbalanced}
    clustered = cl is not None
    se_type = (f"analytic influence function, clustered by {cluster} (sum within cluster, no G/(G-1) factor)"
               if clustered else "analytic influence function, clustered by unit")
    extra = dict(extra)
    if bootstrap is not None:
        rng = np.random.default_rng(seed)
        if aggregate == "dynamic":
            band = [k for k, tm in enumerate(terms) if tm.startswith("rel::")]
        elif aggregate == "gt":
            band = list(range(len(terms)))
        else:
            band = None
        bse, crit = multiplier_bootstrap(S, int(bootstrap), rng, alpha=alpha, band=band)
        se = bse
        se_type = (f"multiplier bootstrap (Mammen weights, B={int(bootstrap)}, IQR-based)"
                   + (f", drawn by cluster {cluster}" if clustered else ", drawn by unit"))
        details.update({"bootstrap": int(bootstrap), "seed": seed, "analytic_std_error": _se_from(S)})
        if band is not None:
            inband = np.zeros(len(terms), bool)
            inband[band] = True
            half = np.where(inband, crit * se, np.nan)
            extra["cband_low"] = est - half
            extra["cband_high"] = est + half
            details["cband_crit"] = crit
    if clustered and nc < _FEW_CLUSTERS:
        notes.append(f"Only {nc} clusters of {cluster!r}: influence-function intervals can be too narrow with few "
                     "clusters; consider bootstrap= (multiplier bootstrap by cluster) or a wild cluster bootstrap.")
    if p["X"] is not None:
        notes.append(f"Covariates {p['covariates']} enter with their value in the earlier period of each "
                     f"ATT(g,t) (the base period for post-treatment cells), est_method={est_method!r}.")
    tab = make_table(terms, est, se, n=Y.shape[0], df=None, alpha=alpha, extra=extra)
    return ImpactResult(
        f"Callaway-Sant'Anna staggered DiD ({aggregate}, control={control}, est_method={est_method})",
        tab,
        se_type=se_type,
        n_obs=int((~np.isnan(Y)).sum()),
        n_clusters=nc,
        df=None,
        alpha=alpha,
        vcov=pd.DataFrame(V, index=terms, columns=terms),
        details=details,
        notes=notes,
    )


def _check_options(control, aggregate, est_method, base_period, anticipation, balance_e, bootstrap):
    if control not in ("never", "notyet"):
        raise ValueError(f"control must be 'never' or 'notyet', got {control!r}")
    if aggregate not in _AGGREGATES:
        raise ValueError(f"aggregate must be one of {_AGGREGATES}, got {aggregate!r}")
    if est_method not in _EST_METHODS:
        raise ValueError(f"est_method must be one of {_EST_METHODS}, got {est_method!r}")
    if base_period not in ("varying", "universal"):
        raise ValueError(f"base_period must be 'varying' or 'universal', got {base_period!r}")
    if isinstance(anticipation, bool) or not isinstance(anticipation, (int, np.integer)) or anticipation < 0:
        raise ValueError(f"anticipation must be a non-negative integer, got {anticipation!r}")
    if balance_e is not None:
        if aggregate != "dynamic":
            raise ValueError("balance_e applies to aggregate='dynamic' only")
        if isinstance(balance_e, bool) or not isinstance(balance_e, (int, np.integer)):
            raise ValueError(f"balance_e must be an integer event time, got {balance_e!r}")
    if bootstrap is not None and (isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer))
                                  or bootstrap < 2):
        raise ValueError(f"bootstrap must be None or the number of draws (an integer >= 2), got {bootstrap!r}")


def staggered_att(data, yname, idname, tname, gname, control="never", aggregate="simple", *, cluster=None,
                  covariates=None, est_method="dr", base_period="varying", anticipation=0, balance_e=None,
                  allow_unbalanced=False, bootstrap=None, seed=None, alpha=0.05):
    """Callaway & Sant'Anna (2021) staggered difference-in-differences.

    Estimates every group-time average treatment effect on the treated

    .. math:: ATT(g,t) = E[Y_t - Y_{b} \\mid G=g] - E[Y_t - Y_{b} \\mid C]

    (conditional on covariates when ``covariates`` is given), where ``G`` is the first treated
    period, ``b`` the base period and ``C`` the comparison group, then aggregates them as R
    ``did::aggte`` does. Options follow R ``did::att_gt`` / ``aggte``.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    yname, idname, tname : str
        Outcome, unit identifier and time columns. Time may be integers, ``pandas.Period`` or
        period strings such as ``"2023Q1"`` (mapped to consecutive integers by period ordinal;
        ``gname`` must then use the same format).
    gname : str
        First treated period of the unit; 0 or NaN = never treated. Must be constant within unit.
    control : {"never", "notyet"}
        Comparison group: never-treated units, or never-treated plus not-yet-treated units
        (``G > max(t, b) + anticipation`` and ``G != g``), as ``control_group`` in R ``did``.
    aggregate : {"simple", "dynamic", "group", "calendar", "gt"}
        ``"simple"``: one ATT, the post-treatment cells (t >= g) weighted by group size.
        ``"dynamic"``: event-study effects by ``e = t - g`` (rows ``rel::e``) and their average over
        ``e >= 0``. ``"group"``: average effect per cohort (rows ``g::g``) and their
        size-weighted average. ``"calendar"``: per period (rows ``t::t``) and their average.
        ``"gt"``: the ATT(g,t) cells themselves.
    cluster : str, optional
        Column constant within unit (e.g. agency). Standard errors then come from influence
        functions summed within clusters: ``SE = sqrt(sum_c (sum_{i in c} psi_i)^2)`` with no
        ``G/(G-1)`` small-sample factor. This is the analytic counterpart of R ``did``'s clustered
        multiplier bootstrap (R ``did`` itself clusters only through the bootstrap; the Python port
        ``csdid`` uses this analytic formula). A ValueError is raised if the column varies within a
        unit. With fewer than 30 clusters a note warns that intervals can be too narrow.
        ``None`` or ``idname``: clustered by unit.
    covariates : list of str, optional
        Numeric covariate columns for conditional parallel trends. As in R ``did`` each cell uses the
        covariate values of the earlier of its two periods (the base period for post-treatment
        cells), so covariates are effectively pre-treatment; time-invariant covariates are the
        intended use. Rows must not have missing covariates.
    est_method : {"dr", "ipw", "reg"}, default "dr"
        Two-period panel estimator used in each cell when ``covariates`` is given (R ``did``):
        ``"dr"`` = doubly robust DiD of Sant'Anna & Zhao (2020) (``DRDID::drdid_panel``: logit
        propensity score, OLS regression of the outcome change on the comparison units, DRDID's
        trimming of comparison units with propensity >= 0.995); ``"ipw"`` = normalised (Hajek)
        inverse-probability weighting (``DRDID::std_ipw_did_panel``); ``"reg"`` = outcome regression
        (``DRDID::reg_did_panel``). Their influence functions, including the estimation effect of
        the propensity score and regression, enter the SEs. Without covariates all three are the
        difference of mean changes.
    base_period : {"varying", "universal"}, default "varying"
        ``"varying"`` (R ``did`` default): pre-treatment cells use ``t-1`` (short differences).
        ``"universal"``: every cell of cohort ``g`` uses ``g-1-anticipation``; as in R ``did`` that
        base cell itself is reported (``rel::-1`` for ``dynamic``) with estimate 0 and a missing SE.
    anticipation : int, default 0
        Periods of anticipation ``k``: the base period is the last period before ``g - k``, cells
        with ``t >= g - k`` use it, not-yet-treated controls need ``G > max(t, b) + k``, units with
        ``g <= first period + k`` are dropped and cohorts with ``g`` beyond the last period + ``k``
        are never treated (R ``did``). Event times stay ``e = t - g``.
    balance_e : int, optional
        ``aggregate="dynamic"`` only: keep the cohorts observed for at least ``balance_e`` periods
        after treatment and event times ``e <= balance_e`` (R ``aggte(balance_e=)``), so the
        event-study composition does not change with ``e``.
    allow_unbalanced : bool, default False
        ``False``: units not observed in every period are dropped (with a note). ``True``: all units
        are kept and each ATT(g,t) uses the units observed in both ``t`` and its base period; the
        influence functions stay per unit (so clustering by unit is exact) and aggregation weights
        use each cohort's full size. R ``did`` (``allow_unbalanced_panel=TRUE``) instead treats such
        data as repeated cross-sections; the two coincide on a balanced panel.
    bootstrap : int, optional
        Number of multiplier-bootstrap draws (R ``did`` uses ``biters=1000``). The influence
        functions (summed by cluster when ``cluster`` is set) are multiplied by Mammen weights, one
        per unit or cluster and draw; ``std_error`` becomes the IQR-based bootstrap SE
        ``(q75 - q25) / (z75 - z25)`` (R ``did``) and ``ci_low/ci_high`` use it. For ``dynamic`` and
        ``gt`` the ``tidy()`` table gains ``cband_low``/``cband_high``: a simultaneous (uniform)
        band over the ``rel::e`` rows (resp. all cells) with the sup-t critical value
        ``details["cband_crit"]``. The analytic SEs stay in ``details["analytic_std_error"]``.
        Draws are summed per cluster (``sum_c v_c S_c``); R ``did`` multiplies cluster *means*
        instead, which equals this when clusters have equal sizes.
    seed : int, optional
        Seed of the single ``numpy.random.default_rng`` used by the bootstrap.
    alpha : float, default 0.05

    Returns
    -------
    ImpactResult
        ``tidy()`` with ``term, estimate, std_error, statistic, p_value, ci_low, ci_high, n``
        (``n`` = units), ``event_time`` for dynamic and gt, and the band columns described above.
        ``vcov`` is the covariance of the reported terms from the influence functions
        (``S'S`` with ``S`` the cluster sums; analytic even when bootstrapping).
        ``details["att_gt"]`` holds every cell (group, time, base, event_time, att, std_error,
        n_treated, n_control, pg); ``details["path"]`` is ``"fast"`` or ``"general"``.

    Warns
    -----
    UserWarning
        For cohorts with fewer than 5 units.

    Notes
    -----
    * Standard errors are analytic, from the influence function on the estimate scale
      (``att_hat - att ~= sum_i psi_i``): without covariates
      ``psi_i = D_i (dY_i - m_g)/n_g - C_i (dY_i - m_C)/n_C`` and ``SE = sqrt(sum_i psi_i^2)``.
      Aggregations add the influence function of the estimated weights ``P(G=g)`` (``wif`` in R
      ``did``). Pointwise normal confidence intervals unless ``bootstrap`` is set. SEs below
      ``sqrt(machine eps) * 10`` are reported as missing, as R ``did`` does.
    * Units treated in the first period are dropped; cohorts starting after the last period count
      as never treated. Duplicated ``(id, t)`` rows raise a ValueError naming them.
    * Without covariates, bootstrap, ``balance_e`` or anticipation, with the varying base period,
      unit-level clustering and a balanced panel, :mod:`evalkit.impact.fast` computes the same
      cells, aggregates and SEs from per-cohort means and cross-products
      (``details["path"] == "fast"``; seconds for 28 million rows). Otherwise the general path
      keeps an ``N x cells`` matrix of influence functions.

    References
    ----------
    Callaway, B., & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
    periods. Journal of Econometrics, 225(2), 200-230.

    Sant'Anna, P. H. C., & Zhao, J. (2020). Doubly robust difference-in-differences estimators.
    Journal of Econometrics, 219(1), 101-122.

    Examples
    --------
    >>> from evalkit.impact.dgp import simulate_staggered_panel
    >>> df = simulate_staggered_panel(n_units=400, seed=1)
    >>> res = staggered_att(df, "y", "id", "t", "g")
    >>> res.tidy()[["term", "estimate"]].round(1).to_dict("records")
    [{'term': 'ATT', 'estimate': 2.2}]
    """
    _check_options(control, aggregate, est_method, base_period, anticipation, balance_e, bootstrap)
    if covariates is not None and not isinstance(covariates, str) and len(covariates) == 0:
        covariates = None
    exact_fast = (covariates is None and cluster in (None, idname) and base_period == "varying"
                  and anticipation == 0 and bootstrap is None and balance_e is None)
    res = None
    if exact_fast:  # balanced panel: same numbers from per-cohort moments (evalkit.impact.fast)
        res = staggered_fast(data, yname, idname, tname, gname, control, aggregate, alpha=alpha)
        if res is not None:
            res.details.update({"est_method": est_method, "base_period": base_period, "anticipation": 0,
                                "covariates": None, "cluster": cluster, "balance_e": None,
                                "allow_unbalanced": allow_unbalanced})
    if res is None:
        # a logit that does not converge in a cell (separation: a covariate value with no treated or no
        # comparison units) is reported once, as a note with the count, not as one warning per cell
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = cs_general(data, yname, idname, tname, gname, control, aggregate, cluster=cluster,
                             covariates=covariates, est_method=est_method, base_period=base_period,
                             anticipation=anticipation, balance_e=balance_e, allow_unbalanced=allow_unbalanced,
                             bootstrap=bootstrap, seed=seed, alpha=alpha)
        n_sep = sum(1 for w in caught if str(w.message) == _NO_CONVERGENCE)
        for w in caught:
            if str(w.message) != _NO_CONVERGENCE:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if n_sep:
            res.notes.append(f"The propensity-score logit did not converge or fitted probabilities of 0 or 1 in "
                             f"{n_sep} of {len(res.details['att_gt'])} group-time cells: some covariate values have "
                             "no treated or no comparison units there (separation), so those units get (almost) no "
                             "weight; the comparison is then made within the covariate values that have both.")
    _small_cohort_warning(res.details["att_gt"])
    return res
