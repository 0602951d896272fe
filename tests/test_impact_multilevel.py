"""mixed / ordinal are thin wrappers: checked against statsmodels fitted directly with the same
specification (estimates to 1e-6), plus recovery of simulated variance components / ICC.
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


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_mixed_matches_direct_mixedlm_and_recovers_icc(nested):
    res = mixed(nested, "y", "trained", groups="region", nested=["agency"])
    direct = smf.mixedlm("y ~ trained", nested, groups=nested["region"], re_formula="1",
                         vc_formula={"agency": "0 + C(agency)"}).fit(reml=True, method=["lbfgs", "bfgs", "cg"])
    assert res.coef()["trained"] == pytest.approx(direct.fe_params["trained"], rel=1e-6)
    assert res.se()["trained"] == pytest.approx(direct.bse_fe["trained"], rel=1e-5)
    vc = res.variance_components.set_index("component")["variance"]
    assert vc["region"] == pytest.approx(direct.cov_re.iloc[0, 0], rel=1e-5)
    assert vc["agency"] == pytest.approx(direct.vcomp[0], rel=1e-5)
    assert vc["residual"] == pytest.approx(direct.scale, rel=1e-6)
    # Recovery of the simulated truth. With 40 regions the SE of the region variance is about
    # 0.25 * sqrt(2/39) = 0.06 (share ~0.04), so +-0.1 is about 2.5 SE. Observed (seed 0): ICC_region
    # 0.122 (true 0.177), agency 0.198 (0.16), residual 1.035 (1.0), trained 0.618 (0.6).
    shares = res.variance_components.set_index("component")["share"]
    assert shares["region"] == pytest.approx(0.25 / 1.41, abs=0.1)
    assert vc["agency"] == pytest.approx(0.16, abs=0.1)
    assert vc["residual"] == pytest.approx(1.0, abs=0.1)
    t = res.tidy().set_index("term").loc["trained"]
    assert t.ci_low <= 0.6 <= t.ci_high


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
