"""mixed is checked against statsmodels MixedLM fitted with the same specification (its own likelihood at our
estimates, estimates to its optimiser's tolerance) and against a dense GLS computation; ordinal is a thin wrapper
checked against statsmodels (estimates to 1e-6); plus recovery of simulated variance components / ICC.
heterogeneity is checked against separate per-subgroup OLS fits (coefficients equal by construction)
and statsmodels' own Wald test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from evalkit.impact import heterogeneity, mixed, ordinal


def _nested(seed=0, n_region=40, n_agency=6, n_staff=8, s_r=0.5, s_a=0.4, s_e=1.0):
    """Staff within agencies within regions; true variances 0.25 / 0.16 / 1.0; ICC_region = 0.25/1.41."""
    rng = np.random.default_rng(seed)
    r = np.repeat(np.arange(n_region), n_agency * n_staff)
    a = np.repeat(np.arange(n_agency), n_staff)
    a = np.tile(a, n_region)  # agency labels reused across regions (nested, not crossed)
    ur = rng.normal(0, s_r, n_region)[r]
    ua = rng.normal(0, s_a, n_region * n_agency)[r * n_agency + a]
    trained = rng.integers(0, 2, len(r))
    y = 2 + 0.6 * trained + ur + ua + rng.normal(0, s_e, len(r))
    return pd.DataFrame({"region": r, "agency": a, "trained": trained, "y": y})


@pytest.fixture(scope="module")
def nested():
    return _nested()


def _direct(df, reml=True, re_formula="1", rhs="trained"):
    import warnings

    model = smf.mixedlm(f"y ~ {rhs}", df, groups=df["region"], re_formula=re_formula,
                        vc_formula={"agency": "0 + C(agency)"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model, model.fit(reml=reml, method=["lbfgs", "bfgs", "cg"])


def _sm_loglike_at(model, res, reml=True):
    """statsmodels' own (RE)ML log-likelihood of ``model`` at evalkit's estimates."""
    from statsmodels.regression.mixed_linear_model import MixedLMParams

    vc = res.variance_components.set_index("component")["variance"]
    s2 = vc["residual"]
    params = MixedLMParams.from_components(fe_params=res.coef().to_numpy(),
                                           cov_re=np.array([[max(vc["region"] / s2, 1e-8)]]),
                                           vcomp=np.array([vc["agency"] / s2]))
    model.reml = reml
    return model.loglike(params, profile_fe=False)


@pytest.mark.parametrize("reml", [True, False])
def test_mixed_matches_mixedlm_and_reaches_at_least_its_likelihood(nested, reml):
    """The same specification fitted by statsmodels MixedLM: estimates agree to its optimiser's tolerance, and
    statsmodels' own (RE)ML log-likelihood at evalkit's estimates is at least its maximum."""
    res = mixed(nested, "y", "trained", groups="region", nested=["agency"], reml=reml)
    model, direct = _direct(nested, reml=reml)
    assert _sm_loglike_at(model, res, reml) >= direct.llf - 1e-6
    assert res.coef()["trained"] == pytest.approx(direct.fe_params["trained"], rel=1e-4)
    assert res.se()["trained"] == pytest.approx(direct.bse_fe["trained"], rel=1e-3)
    vc = res.variance_components.set_index("component")["variance"]
    assert vc["region"] == pytest.approx(direct.cov_re.iloc[0, 0], rel=1e-3)
    assert vc["agency"] == pytest.approx(direct.vcomp[0], rel=1e-3)
    assert vc["residual"] == pytest.approx(direct.scale, rel=1e-4)
    assert res.n_clusters == 40 and not res.notes


def test_mixed_standard_errors_are_gls_at_the_estimate(nested):
    """Independent computation: the marginal covariance V = s2 I + s2_region Z_r Z_r' + s2_agency Z_a Z_a' built
    densely, cov(beta) = (X' V^-1 X)^-1 and beta = GLS."""
    res = mixed(nested, "y", "trained", groups="region", nested=["agency"])
    vc = res.variance_components.set_index("component")["variance"]
    r = nested["region"].to_numpy()
    a = r * 100 + nested["agency"].to_numpy()
    V = (vc["residual"] * np.eye(len(r)) + vc["region"] * (r[:, None] == r[None, :])
         + vc["agency"] * (a[:, None] == a[None, :]))
    X = np.column_stack([np.ones(len(r)), nested["trained"].to_numpy(float)])
    Vi_X = np.linalg.solve(V, X)
    cov = np.linalg.inv(X.T @ Vi_X)
    beta = cov @ (Vi_X.T @ nested["y"].to_numpy())
    np.testing.assert_allclose(res.coef().to_numpy(), beta, rtol=1e-8)
    np.testing.assert_allclose(res.se().to_numpy(), np.sqrt(np.diag(cov)), rtol=1e-8)


def test_mixed_variance_on_the_boundary(nested):
    """No region effect in the simulated data: the region variance is estimated as exactly zero (allowed, as in
    lme4), and the fit equals the model without that level."""
    df = _nested(seed=3, s_r=0.0)
    res = mixed(df, "y", "trained", groups="region", nested=["agency"])
    model, direct = _direct(df)
    vc = res.variance_components.set_index("component")["variance"]
    assert vc["region"] == 0.0
    # statsmodels stops short here (converged False, region variance 0.45, log-likelihood 31 lower)
    assert _sm_loglike_at(model, res) >= direct.llf - 1e-6
    # at a zero region variance the model is agency random intercepts alone: statsmodels fits that one (with
    # Powell; its default L-BFGS stops on a singular matrix here)
    import warnings

    agency = df["region"] * 100 + df["agency"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = smf.mixedlm("y ~ trained", df, groups=agency.to_numpy()).fit(reml=True, method="powell")
    assert one.converged
    assert res.coef()["trained"] == pytest.approx(one.fe_params["trained"], rel=1e-5)
    assert vc["agency"] == pytest.approx(one.cov_re.iloc[0, 0], rel=1e-3)
    assert vc["residual"] == pytest.approx(one.scale, rel=1e-5)


def test_mixed_recovers_the_simulated_icc(nested):
    # Recovery of the simulated truth. With 40 regions the SE of the region variance is about
    # 0.25 * sqrt(2/39) = 0.06 (share ~0.04), so +-0.1 is about 2.5 SE. Observed (seed 0): ICC_region
    # 0.122 (true 0.177), agency 0.198 (0.16), residual 1.035 (1.0), trained 0.618 (0.6).
    res = mixed(nested, "y", "trained", groups="region", nested=["agency"])
    vc = res.variance_components.set_index("component")["variance"]
    shares = res.variance_components.set_index("component")["share"]
    assert shares["region"] == pytest.approx(0.25 / 1.41, abs=0.1)
    assert vc["agency"] == pytest.approx(0.16, abs=0.1)
    assert vc["residual"] == pytest.approx(1.0, abs=0.1)
    t = res.tidy().set_index("term").loc["trained"]
    assert t.ci_low <= 0.6 <= t.ci_high


def test_mixed_with_random_slopes_is_statsmodels(nested):
    res = mixed(nested, "y", "trained", groups="region", nested=["agency"], re_formula="1 + trained")
    _, direct = _direct(nested, re_formula="1 + trained")
    np.testing.assert_allclose(res.coef().to_numpy(), direct.fe_params.to_numpy(), rtol=1e-8)
    assert list(res.variance_components["component"]) == ["region: Group", "region: trained", "agency",
                                                         "residual"]


def test_ordinal_matches_orderedmodel():
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(5)
    n = 600
    x = rng.normal(size=n)
    trained = rng.integers(0, 2, n)
    latent = 0.8 * trained + 0.5 * x + rng.logistic(size=n)
    cats = ["Kurang", "Butuh Perbaikan", "Baik", "Sangat Baik"]
    skp = pd.cut(latent, [-np.inf, -1, 0.5, 2, np.inf], labels=cats)
    df = pd.DataFrame({"skp": np.asarray(skp), "trained": trained, "x": x})
    res = ordinal(df, "skp", ["trained", "x"], categories=cats)
    y = pd.Series(pd.Categorical(df.skp, categories=cats, ordered=True))
    direct = OrderedModel(y, df[["trained", "x"]].astype(float), distr="logit").fit(method="bfgs", disp=False,
                                                                                   maxiter=2000)
    np.testing.assert_allclose(res.coef()[["trained", "x"]], direct.params[["trained", "x"]], rtol=1e-5)
    np.testing.assert_allclose(res.se()[["trained", "x"]], direct.bse[["trained", "x"]], rtol=1e-4)
    cuts = direct.model.transform_threshold_params(direct.params.to_numpy())[1:-1]
    np.testing.assert_allclose(res.coef().iloc[2:], cuts, rtol=1e-5)
    assert res.coef()["trained"] == pytest.approx(0.8, abs=0.25)
    with pytest.raises(ValueError, match="not in categories"):
        ordinal(df, "skp", ["x"], categories=cats[:2])


def test_heterogeneity_vs_subgroup_ols_and_wald():
    rng = np.random.default_rng(9)
    n = 900
    mode = rng.choice(["blended", "e-learning", "klasikal"], n)
    d = rng.integers(0, 2, n)
    eff = pd.Series(mode).map({"blended": 1.0, "e-learning": 0.3, "klasikal": 0.6}).to_numpy()
    df = pd.DataFrame({"mode": mode, "d": d, "y": eff * d + rng.normal(size=n), "opd": rng.integers(0, 40, n)})
    res = heterogeneity(df, "y", "d", "mode")
    for m in ["blended", "e-learning", "klasikal"]:
        sub = smf.ols("y ~ d", df[df["mode"] == m]).fit()
        assert res.coef()[f"d[mode={m}]"] == pytest.approx(sub.params["d"], rel=1e-10)
    full = smf.ols("y ~ 0 + C(mode) + C(mode):d", df).fit(cov_type="HC1")
    ft = full.f_test("C(mode)[blended]:d - C(mode)[e-learning]:d = 0, C(mode)[blended]:d - C(mode)[klasikal]:d = 0")
    assert res.details["wald"]["F"] == pytest.approx(float(np.squeeze(ft.fvalue)), rel=1e-8)
    assert res.details["wald"]["p_value"] < 0.05
    cl = heterogeneity(df, "y", "d", "mode", cluster="opd")
    assert cl.n_clusters == 40
