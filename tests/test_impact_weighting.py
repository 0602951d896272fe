"""ipw_att, match_att and balance on the NSW / LaLonde job-training data (``causaldata`` package).

Data: ``causaldata.nsw_mixtape`` is the Dehejia-Wahba (1999) subsample of LaLonde's (1986) NSW
experiment (185 treated, 260 experimental controls); ``causaldata.cps_mixtape`` is the CPS-1
non-experimental comparison group (15,992 men), as used in Cunningham, *Causal Inference: The Mixtape*
(2021), ch. 5.

Comparisons and their sources:
* Published: the experimental difference in means on re78 is $1,794 (Dehejia & Wahba 1999, Table 3;
  1794.34 in the Mixtape). ``ipw_att`` with an intercept-only logit must reproduce it exactly (1e-6),
  and its sandwich SE must equal the unequal-variance SE with ddof=0, computed here with numpy.
* Independent computation (NSW treated + CPS controls): statsmodels Logit fitted here, ATT weights
  computed here with numpy (1e-8 relative); the M-estimation SE against a numerical-derivative sandwich
  built here from the stacked moment functions (1e-5, finite-difference error).
* Matching: matched sets from scikit-learn ``NearestNeighbors`` (k nearest, then all controls within
  the k-th distance, i.e. ties kept), ATT to 1e-10; the Abadie-Imbens SE against a plain-loop
  transcription of the formula (1e-10).
We do not compare to published non-experimental estimates: they depend on the exact specification.
"""

from __future__ import annotations

import causaldata
import numpy as np
import pandas as pd
import pytest

from evalkit.impact import balance, ipw_att, match_att
from evalkit.report.impact_plots import love_plot

RHS = "age + I(age**2) + educ + I(educ**2) + marr + nodegree + black + hisp + re74 + re75 + u74 + u75"


@pytest.fixture(scope="module")
def nsw():
    return causaldata.nsw_mixtape.load_pandas().data


@pytest.fixture(scope="module")
def nsw_cps(nsw):
    cps = causaldata.cps_mixtape.load_pandas().data
    d = pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True)
    d["u74"] = (d.re74 == 0).astype(float)
    d["u75"] = (d.re75 == 0).astype(float)
    return d


@pytest.fixture(scope="module")
def logit_ref(nsw_cps):
    import patsy
    import statsmodels.api as sm

    X = patsy.dmatrix(RHS, nsw_cps, return_type="dataframe")
    fit = sm.Logit(nsw_cps.treat.astype(float), X).fit(disp=0, method="newton", maxiter=200)
    return X.to_numpy(), fit.params.to_numpy(), fit.predict(X).to_numpy()


def test_experimental_benchmark_1794(nsw):
    res = ipw_att(nsw, "re78", "treat", [])
    assert res.coef()["ATT"] == pytest.approx(1794.34, abs=0.01)  # published: $1,794 (1794.34)
    t = nsw.re78[nsw.treat == 1].to_numpy(float)
    c = nsw.re78[nsw.treat == 0].to_numpy(float)
    assert res.coef()["ATT"] == pytest.approx(t.mean() - c.mean(), rel=1e-10)
    se = np.sqrt(t.var() / len(t) + c.var() / len(c))
    assert res.se()["ATT"] == pytest.approx(se, rel=1e-8)


@pytest.mark.parametrize("normalize", [True, False])
def test_ipw_matches_independent_logit_and_weights(nsw_cps, logit_ref, normalize):
    X, gamma, p = logit_ref
    y, d = nsw_cps.re78.to_numpy(float), nsw_cps.treat.to_numpy(float)
    w = p / (1 - p)
    mu0 = (np.sum((1 - d) * w * y) / np.sum((1 - d) * w)) if normalize else np.sum((1 - d) * w * y) / d.sum()
    expected = y[d == 1].mean() - mu0
    res = ipw_att(nsw_cps, "re78", "treat", RHS, normalize=normalize)
    assert res.coef()["ATT"] == pytest.approx(expected, rel=1e-8)
    np.testing.assert_allclose(res.pscore.to_numpy(), p, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(res.logit_params.to_numpy(), gamma, rtol=1e-6)

    # Sandwich from numerically differentiated stacked moments psi(theta) (independent of our analytic A).
    n, k = X.shape
    theta = np.r_[gamma, y[d == 1].mean(), mu0]

    def moments(th):
        g, m1, m0 = th[:k], th[k], th[k + 1]
        pp = 1 / (1 + np.exp(-X @ g))
        ww = np.exp(X @ g)
        psi0 = (1 - d) * ww * (y - m0) if normalize else (1 - d) * ww * y - d * m0
        return np.column_stack([(d - pp)[:, None] * X, d * (y - m1), psi0])

    A = np.zeros((k + 2, k + 2))
    for j in range(k + 2):
        h = 1e-6 * max(abs(theta[j]), 1e-2)
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        A[:, j] = (moments(tp).mean(0) - moments(tm).mean(0)) / (2 * h)
    psi = moments(theta)
    Ai = np.linalg.inv(A)
    V = Ai @ (psi.T @ psi / n) @ Ai.T / n
    se = np.sqrt(V[k, k] + V[k + 1, k + 1] - 2 * V[k, k + 1])
    assert res.se()["ATT"] == pytest.approx(se, rel=1e-5)


def test_ipw_trim_refits_on_kept_units(nsw_cps, logit_ref):
    _, _, p = logit_ref
    res = ipw_att(nsw_cps, "re78", "treat", RHS, trim=(0.01, 0.99))
    assert res.n_obs == int(((p >= 0.01) & (p <= 0.99)).sum())
    with pytest.raises(ValueError, match="trim"):
        ipw_att(nsw_cps, "re78", "treat", RHS, trim=(0.9, 0.1))


def _sklearn_match(pt, pc, k):
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=k).fit(pc[:, None])
    dist, _ = nn.kneighbors(pt[:, None])
    sets = []
    for i in range(len(pt)):
        # all controls within the k-th nearest distance (ties kept)
        _, ind = nn.radius_neighbors(pt[i : i + 1, None], radius=dist[i, -1] * (1 + 1e-12) + 1e-15)
        sets.append(ind[0])
    return sets


@pytest.mark.parametrize("k", [1, 3])
def test_match_att_matches_sklearn(nsw_cps, logit_ref, k):
    _, _, p = logit_ref
    y, d = nsw_cps.re78.to_numpy(float), nsw_cps.treat.to_numpy()
    pt, pc, yt, yc = p[d == 1], p[d == 0], y[d == 1], y[d == 0]
    sets = _sklearn_match(pt, pc, k)
    y0 = np.array([yc[s].mean() for s in sets])
    att = np.mean(yt - y0)
    res = match_att(nsw_cps, "re78", "treat", RHS, k=k)
    assert res.coef()["ATT"] == pytest.approx(att, rel=1e-10)
    assert any(len(s) > k for s in sets) or k == 1  # ties do occur in CPS (identical covariates)

    # Abadie-Imbens (2006) variance, loop transcription with ties: K_j and K'_j per control.
    Kw, K2 = np.zeros(len(pc)), np.zeros(len(pc))
    for s in sets:
        Kw[s] += 1 / len(s)
        K2[s] += 1 / len(s) ** 2
    order = np.argsort(pc, kind="stable")
    s2 = np.zeros(len(pc))
    for pos, j in enumerate(order):  # 2 nearest same-arm neighbours by score (AI 2006 eq. 14, J=2)
        cand = [q for q in range(pos - 2, pos + 3) if q != pos and 0 <= q < len(pc)]
        cand = sorted(cand, key=lambda q: (abs(pc[order[q]] - pc[j]), q))[:2]
        s2[j] = 2 / 3 * (yc[j] - np.mean(yc[order[cand]])) ** 2
    n1 = len(pt)
    var = (np.sum((yt - y0 - att) ** 2) + np.sum((Kw**2 - K2) * s2)) / n1**2
    assert res.se()["ATT"] == pytest.approx(np.sqrt(var), rel=1e-10)


def test_match_ties_are_all_kept():
    """Controls 0.4 and 0.6 are equally far from the treated 0.5: both are used (averaged)."""
    df = pd.DataFrame({"treat": [1, 0, 0, 0], "y": [10.0, 2.0, 4.0, 100.0], "x": [0, 0, 0, 0]})
    from evalkit.impact.weighting import _match_sets

    rows, cols = _match_sets(np.array([0.5]), np.array([0.25, 0.4, 0.6]), 1)
    assert sorted(cols.tolist()) == [1, 2]
    res = match_att(df, "y", "treat", [])  # constant score: all 3 controls tie
    assert res.coef()["ATT"] == pytest.approx(10 - (2 + 4 + 100) / 3)


def test_match_without_replacement_uses_each_control_once(nsw_cps):
    res = match_att(nsw_cps, "re78", "treat", RHS, k=2, replace=False)
    w = res.weights[nsw_cps.treat == 0]
    assert set(np.round(w.unique(), 12)) <= {0.0, 0.5} and (w > 0).sum() == 2 * 185


def test_balance_against_numpy(nsw_cps, logit_ref):
    _, _, p = logit_ref
    res = ipw_att(nsw_cps, "re78", "treat", RHS)
    bal = balance(nsw_cps, "treat", ["age", "educ", "re74"], weights=res)
    d = nsw_cps.treat.to_numpy() == 1
    w = np.where(d, 1.0, p / (1 - p))
    for _, row in bal.iterrows():
        x = nsw_cps[row.covariate].to_numpy(float)
        # ATT convention: SD of the (unweighted) treated group, ddof=1, as cobalt's bal.tab default for the
        # ATT (s.d.denom = "treated") and MatchIt's summary() (standardize with the treated SD for the ATT)
        sd = x[d].std(ddof=1)
        assert row.smd == pytest.approx((x[d].mean() - x[~d].mean()) / sd, rel=1e-10)
        mw = np.average(x[~d], weights=w[~d])
        assert row.smd_w == pytest.approx((x[d].mean() - mw) / sd, rel=1e-8)
        assert row.var_ratio == pytest.approx(x[d].var(ddof=1) / x[~d].var(ddof=1), rel=1e-10)
    # weighting improves balance on these covariates
    assert (bal.smd_w.abs() < bal.smd.abs()).all()
    import matplotlib.pyplot as plt

    ax = love_plot(bal)
    assert len(ax.get_yticklabels()) == 3
    plt.close("all")


def test_input_errors(nsw):
    with pytest.raises(ValueError, match="treatname='trt'"):
        ipw_att(nsw, "re78", "trt", ["age"])
    with pytest.raises(ValueError, match="'age' must be 0/1"):
        ipw_att(nsw, "re78", "age", ["educ"])
    with pytest.raises(ValueError, match="covariates\\[0\\]='agee'"):
        match_att(nsw, "re78", "treat", ["agee"])
    with pytest.raises(TypeError, match="covariates"):
        balance(nsw, "treat", 3)
    with pytest.raises(ValueError, match="k must be"):
        match_att(nsw, "re78", "treat", ["age"], k=0)


def test_balance_pooled_denominator_still_available(nsw_cps):
    bal = balance(nsw_cps, "treat", ["age", "re74"], sd_denom="pooled")
    d = nsw_cps.treat.to_numpy() == 1
    for _, row in bal.iterrows():
        x = nsw_cps[row.covariate].to_numpy(float)
        sd = np.sqrt((x[d].var(ddof=1) + x[~d].var(ddof=1)) / 2)  # pooled (Austin 2011, ATE convention)
        assert row.smd == pytest.approx((x[d].mean() - x[~d].mean()) / sd, rel=1e-10)
    with pytest.raises(ValueError, match="sd_denom"):
        balance(nsw_cps, "treat", ["age"], sd_denom="control")


def test_match_caliper_against_independent_computation(nsw_cps, logit_ref):
    """Caliper 0.2 SD of the logit of the score (MatchIt: caliper * sd(distance[!discarded]), std.caliper=TRUE),
    matches found on the score and those beyond the caliper dropped; treated left without a match are dropped."""
    X, params, p = logit_ref
    lp = X @ params
    y, d = nsw_cps.re78.to_numpy(float), nsw_cps.treat.to_numpy()
    cal = 0.005 * lp.std(ddof=1)  # tight enough to drop treated units here (0.2 drops none with 16k CPS controls)
    pt, pc, yt, yc, lt, lc = p[d == 1], p[d == 0], y[d == 1], y[d == 0], lp[d == 1], lp[d == 0]
    sets = _sklearn_match(pt, pc, 1)
    sets = [s[np.abs(lc[s] - lt[i]) <= cal] for i, s in enumerate(sets)]
    ok = np.array([len(s) > 0 for s in sets])
    att = np.mean([yt[i] - yc[s].mean() for i, s in enumerate(sets) if len(s)])
    res = match_att(nsw_cps, "re78", "treat", RHS, caliper=0.005)
    assert (~ok).sum() > 10
    assert res.coef()["ATT"] == pytest.approx(att, rel=1e-10)
    assert res.details["n_treated_dropped"] == int((~ok).sum())
    assert res.details["n_treated"] == int(ok.sum())
    assert res.details["caliper_logit"] == pytest.approx(cal, rel=1e-12)
    assert any("caliper" in n and "estimand" in n for n in res.notes)
    # dropped treated get weight 0, so balance() describes the matched sample
    assert float(res.weights[nsw_cps.treat == 1].sum()) == pytest.approx(ok.sum())
    with pytest.raises(ValueError, match="caliper"):
        match_att(nsw_cps, "re78", "treat", RHS, caliper=-1)


def test_match_discard_outside_common_support():
    """Treated whose score lies outside the controls' score range are dropped before matching (MatchIt
    discard="treated"); with one covariate and a positive slope the score is monotone in x, so the count is
    the number of treated with x above the largest control x."""
    rng = np.random.default_rng(7)
    xc = rng.uniform(-1, 1, 300)
    xt = rng.uniform(0, 3, 100)
    df = pd.DataFrame({"x": np.r_[xt, xc], "treat": np.r_[np.ones(100), np.zeros(300)].astype(int)})
    df["y"] = 2 * df.x + 1.5 * df.treat + rng.normal(0, 0.1, len(df))
    outside = int((xt > xc.max()).sum())
    assert outside > 10
    res = match_att(df, "y", "treat", ["x"], discard="treated")
    assert res.details["n_treated_dropped"] == outside
    assert res.details["n_treated"] == 100 - outside
    assert any("common support" in n and "estimand" in n for n in res.notes)
    # supported treated are matched well: the ATT is near the true 1.5; without discarding it is biased
    assert abs(res.coef()["ATT"] - 1.5) < abs(match_att(df, "y", "treat", ["x"]).coef()["ATT"] - 1.5)
    both = match_att(df, "y", "treat", ["x"], discard="both")
    assert both.details["n_control_discarded"] == int((xc < xt.min()).sum())
    assert both.coef()["ATT"] == pytest.approx(res.coef()["ATT"], abs=0.2)
    assert match_att(df, "y", "treat", ["x"]).details["n_treated_dropped"] == 0
    with pytest.raises(ValueError, match="discard"):
        match_att(df, "y", "treat", ["x"], discard="all")


def test_ipw_cluster_robust_se_against_statsmodels_ols():
    """With an intercept-only score, the Hajek IPW ATT is the difference in means and its stacked-moment sandwich
    is the OLS cluster-robust variance of y ~ d without small-sample factor (statsmodels, cov_type='cluster',
    use_correction=False). Clusters share a shock, so the clustered SE is well above the unit-level one."""
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(20), 30)
    d = (rng.random(20) < 0.5).astype(int)[g]
    y = 1.0 + 0.5 * d + rng.normal(0, 1, 20)[g] + rng.normal(0, 1, len(g))
    df = pd.DataFrame({"y": y, "d": d, "agency": g})
    res = ipw_att(df, "y", "d", [], cluster="agency")
    ols = sm.OLS(y, sm.add_constant(d)).fit(cov_type="cluster", cov_kwds={"groups": g, "use_correction": False})
    assert res.coef()["ATT"] == pytest.approx(ols.params[1], rel=1e-10)
    assert res.se()["ATT"] == pytest.approx(ols.bse[1], rel=1e-8)
    assert res.n_clusters == 20 and any("Only 20 clusters" in n for n in res.notes)
    assert res.se()["ATT"] > 1.5 * ipw_att(df, "y", "d", []).se()["ATT"]
