"""Multilevel models: nested random intercepts (:func:`mixed`) and ordered outcomes (:func:`ordinal`)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._common import ImpactResult, check_columns, check_frame, check_numeric, covariate_matrix, make_table

__all__ = ["mixed", "ordinal", "MixedResult"]


class MixedResult(ImpactResult):
    """:class:`ImpactResult` plus variance components.

    Attributes
    ----------
    variance_components : pandas.DataFrame
        ``component, variance, share`` (share of the total variance = the ICC of that level).
    model : statsmodels MixedLMResults or OrderedResults
        The fitted statsmodels object, for diagnostics.
    """

    def __init__(self, *args, variance_components, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.variance_components = variance_components
        self.model = model


def mixed(data, yname, formula_rhs, groups, nested=None, re_formula=None, reml=True, *, alpha=0.05):
    """Linear mixed model with nested random intercepts (statsmodels ``MixedLM``).

    For staff within agencies (OPD) within regions: ``groups="region", nested=["agency"]`` fits

    .. math:: y_{ijk} = x_{ijk}'\\beta + u_k + v_{jk} + e_{ijk},\\quad
              u_k \\sim N(0, \\sigma^2_{region}),\\ v_{jk} \\sim N(0, \\sigma^2_{agency}),\\
              e \\sim N(0, \\sigma^2)

    with the nested levels as variance components (``re_formula="1"``,
    ``vc_formula={"agency": "0 + C(agency)"}``), so agency labels only need to be unique within a
    region. (statsmodels omits the group intercept when only ``vc_formula`` is given; we add it.)

    Parameters
    ----------
    data : pandas.DataFrame
    yname : str
        Outcome column.
    formula_rhs : str
        Fixed-effects right-hand side (patsy), e.g. ``"trained + tenure + C(mode)"``.
    groups : str
        Top-level grouping column (e.g. region).
    nested : list of str, optional
        Grouping columns nested within ``groups`` (e.g. ``["agency"]``), each a random intercept.
        Staff are the residual level (add ``"person_id"`` here for repeated measures).
    re_formula : str, optional
        Random slopes at the ``groups`` level (statsmodels ``re_formula``); default intercept only.
    reml : bool, default True

    Returns
    -------
    MixedResult
        ``tidy()``: fixed effects with Wald z inference (``n`` = observations).
        ``variance_components``: group, nested and residual variances with their share of the total
        (the intra-class correlation of each level), e.g. ``ICC_region = s2_region / (s2_region +
        s2_agency + s2)``.

    References
    ----------
    Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical Linear Models (2nd ed.). Sage.
    """
    import statsmodels.formula.api as smf

    check_frame(data)
    check_columns(data, yname=yname, groups=groups)
    check_numeric(data, yname)
    if not isinstance(formula_rhs, str):
        raise TypeError("formula_rhs must be a patsy right-hand side string")
    nested = [] if nested is None else ([nested] if isinstance(nested, str) else list(nested))
    for c in nested:
        check_columns(data, nested=c)
    for c in [yname, groups, *nested]:
        if data[c].isna().any():
            raise ValueError(f"column {c!r} has missing values")
    vc = {c: f"0 + C({c})" for c in nested} or None
    # statsmodels drops the group random intercept when vc_formula is given and re_formula is not,
    # so ask for it explicitly.
    model = smf.mixedlm(f"{yname} ~ {formula_rhs}", data, groups=data[groups],
                        re_formula="1" if re_formula is None else re_formula, vc_formula=vc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=reml, method=["lbfgs", "bfgs", "cg"])
    names = list(fit.fe_params.index)
    bse = fit.bse_fe.reindex(names)
    tab = make_table(names, fit.fe_params.to_numpy(), bse.to_numpy(), n=int(fit.nobs), df=None, alpha=alpha)
    comps = [(groups if re_formula is None else f"{groups}: {nm}", float(fit.cov_re.iloc[i, i]))
             for i, nm in enumerate(fit.cov_re.index)]
    comps += [(c, float(v)) for c, v in zip(nested, np.atleast_1d(fit.vcomp))]
    comps.append(("residual", float(fit.scale)))
    vcdf = pd.DataFrame(comps, columns=["component", "variance"])
    vcdf["share"] = vcdf["variance"] / vcdf["variance"].sum()
    notes = [] if fit.converged else ["MixedLM did not report convergence; check the variance components."]
    return MixedResult(
        "Linear mixed model (nested random intercepts)",
        tab,
        se_type="model-based (MixedLM)" + (" REML" if reml else " ML"),
        n_obs=int(fit.nobs),
        n_clusters=int(len(fit.model.group_labels)),
        alpha=alpha,
        notes=notes,
        variance_components=vcdf,
        model=fit,
    )


def ordinal(data, yname, covariates, categories=None, distr="logit", *, alpha=0.05):
    """Ordered logit/probit for an ordinal outcome such as the SKP predikat.

    Parameters
    ----------
    data : pandas.DataFrame
    yname : str
        Ordered outcome. An ordered ``pandas.Categorical`` is used as is; otherwise give
        ``categories`` from lowest to highest (e.g. ``["Sangat Kurang", "Kurang", "Butuh Perbaikan",
        "Baik", "Sangat Baik"]``) or numeric codes are ordered by value.
    covariates : list of str or str
        Columns or a patsy right-hand side; no intercept (the thresholds play that role).
    categories : list, optional
    distr : {"logit", "probit"}

    Returns
    -------
    MixedResult
        ``tidy()`` rows for the slopes (log odds ratios for ``"logit"``) and for the thresholds
        (``cut: A|B``, on the latent scale, with delta-method SEs from statsmodels' increments
        parameterisation). ``variance_components`` is empty.

    Notes
    -----
    Proportional-odds model ``P(y <= j | x) = F(c_j - x'beta)`` (McCullagh 1980), fitted with
    ``statsmodels.miscmodels.ordinal_model.OrderedModel`` (BFGS).

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. JRSS B, 42(2), 109-142.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    check_frame(data)
    check_columns(data, yname=yname)
    if distr not in ("logit", "probit"):
        raise ValueError(f"distr must be 'logit' or 'probit', got {distr!r}")
    y = data[yname]
    if y.isna().any():
        raise ValueError(f"outcome column {yname!r} has missing values")
    if categories is not None:
        bad = set(y.unique()) - set(categories)
        if bad:
            raise ValueError(f"column {yname!r} has values not in categories: {sorted(map(str, bad))[:5]}")
        y = pd.Series(pd.Categorical(y, categories=categories, ordered=True), index=data.index)
    elif not (isinstance(y.dtype, pd.CategoricalDtype) and y.cat.ordered):
        if not pd.api.types.is_numeric_dtype(y):
            raise TypeError(f"column {yname!r} is not an ordered categorical; pass categories= (low to high)")
        y = pd.Series(pd.Categorical(y, ordered=True), index=data.index)
    X = covariate_matrix(data, covariates, intercept=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = OrderedModel(y, X, distr=distr).fit(method="bfgs", disp=False, maxiter=2000)
    k = X.shape[1]
    cats = list(y.cat.categories)
    params = fit.params.to_numpy()
    cov = fit.cov_params().to_numpy()
    cuts = fit.model.transform_threshold_params(params)[1:-1]
    # delta method: c_1 = a_1, c_j = a_1 + sum_{l<=j} exp(a_l)
    th = params[k:]
    J = np.zeros((len(th), len(th)))
    for j in range(len(th)):
        J[j, 0] = 1.0
        for m in range(1, j + 1):
            J[j, m] = np.exp(th[m])
    cse = np.sqrt(np.diag(J @ cov[k:, k:] @ J.T))
    terms = list(X.columns) + [f"cut: {cats[j]}|{cats[j + 1]}" for j in range(len(cats) - 1)]
    est = np.r_[params[:k], cuts]
    se = np.r_[np.sqrt(np.diag(cov))[:k], cse]
    tab = make_table(terms, est, se, n=int(fit.nobs), df=None, alpha=alpha)
    return MixedResult(
        f"Ordered {distr} (proportional odds)",
        tab,
        se_type="model-based (inverse Hessian)",
        n_obs=int(fit.nobs),
        alpha=alpha,
        notes=[] if fit.mle_retvals.get("converged", True) else ["OrderedModel did not converge."],
        variance_components=pd.DataFrame(columns=["component", "variance", "share"]),
        model=fit,
    )
