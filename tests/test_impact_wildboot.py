"""Wild cluster restricted bootstrap (ImpactResult.wild_bootstrap) and the few-cluster fixes.

Reference: the ``wildboottest`` package (test-only dependency), ``WildboottestCL`` with the WCR "11"
bootstrap (null imposed, CRV1), fitted on the dummy-variable (one-hot fixed effects) design as pyfixest's
``Feols.wildboottest()`` does. Conventions: wildboottest's small-sample factor is ``G/(G-1) (N-1)/(N-k)`` with
``k`` = all dummy columns, evalkit's the fixest one (``k`` = slopes + non-nested FE levels); the factor
multiplies both the original and every bootstrap variance, so it cancels in ``|t*| >= |t|``: p-values agree
exactly and the bootstrap t's agree after rescaling by ``sqrt(factor_evalkit / ssc_wildboottest)``.
wildboottest counts ``|t| < |t*|`` (strict) where evalkit counts ``|t*| >= |t|``. The two differ only on
ties, and under full enumeration there are exactly two: the all +1 and all -1 sign vectors rebuild the sample
itself (``t* = +t`` and ``-t``), so evalkit's p-value is wildboottest's plus ``2 / 2**G``, exactly. With random
weights those vectors have probability ``2**(1-G)``. Both enumerate all ``2**G`` Rademacher sign vectors
when ``2**G < B``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.impact import did, fast, heterogeneity
from evalkit.impact.services import dose_twfe
from evalkit.impact.wildboot import _prepare, _pvalue_at

COLUMNS = ["term", "estimate", "p_value", "ci_low", "ci_high", "B", "weights"]


def _panel(G=10, n_per=4, T=5, seed=0, effect=0.3, treated_clusters=None, unbalanced=False):
    """Units nested in G agencies; treatment switches on at t >= 3 in the treated agencies."""
    rng = np.random.default_rng(seed)
    n = G * n_per
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n)})
    df["cl"] = df.id // n_per
    tc = np.arange(G // 2) if treated_clusters is None else treated_clusters
    df["d"] = (np.isin(df.cl, tc) & (df.t >= 3)).astype(int)
    df["x"] = rng.normal(size=len(df))
    df["y"] = (rng.normal(size=len(df)) + np.repeat(rng.normal(size=G), n_per * T)
               + np.repeat(rng.normal(size=n), T) + 0.1 * df.t + effect * df.d + 0.5 * df.x)
    if unbalanced:
        df = df.loc[rng.random(len(df)) > 0.15].reset_index(drop=True)
    return df


def _dummy_design(df, cols):
    """Regressors ``cols`` plus one-hot unit and time effects (one level of each dropped) and a constant."""
    X = pd.get_dummies(df[["id", "t"]].astype(str), drop_first=True).astype(float)
    for i, c in enumerate(cols):
        X.insert(i, c, df[c].astype(float).to_numpy())
    X.insert(len(cols), "const", 1.0)
    return X


def _wildboottest_cl(X, y, cluster, param, B, weights="rademacher", seed=1):
    import wildboottest.wildboottest as wbt
    R = np.zeros(X.shape[1])
    R[list(X.columns).index(param)] = 1.0
    boot = wbt.WildboottestCL(X=X.to_numpy(), Y=np.asarray(y, float), cluster=np.asarray(cluster), R=R, B=B,
                              seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot.get_weights(weights_type=weights)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return boot


# ------------------------------------------------------------------------------------ vs wildboottest
@pytest.mark.parametrize("unbalanced", [False, True])
def test_full_enumeration_matches_wildboottest_exactly(unbalanced):
    df = _panel(G=10, seed=3, unbalanced=unbalanced)
    res = did(df, "y", "id", "t", "d", cluster="cl", covariates=["x"])
    out = res.wild_bootstrap(B=9999, seed=1)
    assert list(out.columns) == COLUMNS
    assert out.B.iloc[0] == 2**10  # every sign vector once
    boot = _wildboottest_cl(_dummy_design(df, ["d", "x"]), df.y, df.cl, "d", B=9999)
    assert boot.B == 2**10
    # the whole bootstrap distribution agrees, after the small-sample factors (which cancel in p)
    tb = _prepare(res, "d", 9999, "rademacher", 1)[0]["d"]
    t, tstar = tb.tstats(0.0)
    scale = np.sqrt(res.details["factor"] / boot.ssc)
    t_ref, tb_ref = float(np.ravel(boot.t_stat)[0]), np.ravel(boot.t_boot)
    assert t * scale == pytest.approx(t_ref, rel=1e-8)
    np.testing.assert_allclose(np.sort(tstar * scale), np.sort(tb_ref), rtol=1e-8, atol=1e-10)
    # p: wildboottest's t's counted with evalkit's rule (ties included, 1e-9 relative) give the same p-value;
    # wildboottest's own strict count drops the 2 exact ties or not, depending on rounding in the last digit
    p_ref = np.mean(np.abs(tb_ref) >= abs(t_ref) * (1 - 1e-9))
    assert out.p_value.iloc[0] == pytest.approx(p_ref, abs=1e-10)
    assert min(abs(out.p_value.iloc[0] - 2 / 2**10 - boot.pvalue), abs(out.p_value.iloc[0] - boot.pvalue)) < 1e-10


def test_full_enumeration_heterogeneity_matches_wildboottest():
    rng = np.random.default_rng(5)
    n, G = 400, 9
    df = pd.DataFrame({"cl": rng.integers(0, G, n), "s": rng.choice(["a", "b"], n), "d": rng.integers(0, 2, n)})
    df["y"] = rng.normal(size=n) + 0.4 * df.d + rng.normal(size=G)[df.cl]
    res = heterogeneity(df, "y", "d", by="s", cluster="cl")
    out = res.wild_bootstrap(seed=2)
    assert list(out.term) == ["d[s=a]", "d[s=b]"] and (out.B == 2**9).all()
    S = pd.get_dummies(df.s).astype(float)
    X = pd.concat([S, S.mul(df.d, axis=0).add_prefix("d_")], axis=1)
    for term, col in [("d[s=a]", "d_a"), ("d[s=b]", "d_b")]:
        boot = _wildboottest_cl(X, df.y, df.cl, col, B=9999)
        t_ref, tb_ref = float(np.ravel(boot.t_stat)[0]), np.ravel(boot.t_boot)
        p_ref = np.mean(np.abs(tb_ref) >= abs(t_ref) * (1 - 1e-9))  # evalkit's counting rule (ties count)
        assert out.set_index("term").p_value[term] == pytest.approx(p_ref, abs=1e-10)


@pytest.mark.parametrize("weights", ["rademacher", "webb"])
def test_random_weights_agree_with_wildboottest_within_noise(weights):
    df = _panel(G=18, n_per=3, T=4, seed=11, effect=0.35)
    res = did(df, "y", "id", "t", "d", cluster="cl")
    out = res.wild_bootstrap(B=9999, weights=weights, seed=7)
    assert out.B.iloc[0] == 9999
    boot = _wildboottest_cl(_dummy_design(df, ["d"]), df.y, df.cl, "d", B=9999, weights=weights, seed=7)
    p, q = out.p_value.iloc[0], float(boot.pvalue)
    se = np.sqrt(2 * q * (1 - q) / 9999)  # two independent simulations of the same p
    assert abs(p - q) < 4 * se + 1e-3, (p, q)


def test_event_study_style_multiple_terms_and_dose():
    """dose_twfe: every slope bootstrapped, estimates equal the CRV1 table's."""
    df = _panel(G=12, n_per=3, T=6, seed=4)
    df["share"] = np.where(df.d == 1, df.t / 10, 0.0)
    df["region"] = np.where(df.cl % 2 == 0, "A", "B")
    res = dose_twfe(df, "y", "id", "t", "share", by="region", cluster="cl")
    out = res.wild_bootstrap(seed=3)
    assert list(out.term) == list(res.tidy().term)
    np.testing.assert_allclose(out.estimate, res.tidy().estimate, rtol=1e-10)
    assert ((out.ci_low < out.estimate) & (out.estimate < out.ci_high)).all()


# ------------------------------------------------------------------------------------------- size
def test_size_with_eight_clusters_monte_carlo():
    """300 panels, 8 agencies x 5 units x 4 periods, agency-level shock and error correlation, 4 agencies
    treated from period 2, true effect 0, B=399 (Rademacher: all 256 sign vectors). Observed when written:
    WCR rejects 4.3% (13/300) at 5%; CRV1 with normal critical values rejects 10.3% (31/300); the 99.9%
    binomial interval for 300 draws at 5% is [4, 29] rejections."""
    rng = np.random.default_rng(2024)
    G, n_per, T, R = 8, 5, 4, 300
    n = G * n_per
    base = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n)})
    base["cl"] = base.id // n_per
    base["d"] = ((base.cl < 4) & (base.t >= 2)).astype(int)
    rej_wcr = rej_norm = 0
    for _ in range(R):
        shock = rng.normal(size=(G, T))  # agency x period shocks: errors correlated within agency
        y = (np.repeat(rng.normal(size=n), T) + shock[base.cl, base.t] + rng.normal(size=len(base)))
        res = did(base.assign(y=y), "y", "id", "t", "d", cluster="cl")
        rej_norm += abs(res.tidy().statistic.iloc[0]) > stats.norm.ppf(0.975)
        rej_wcr += res.wild_bootstrap(B=399, seed=1).p_value.iloc[0] <= 0.05
    print(f"rejections at 5%: WCR {rej_wcr}/{R}, CRV1-normal {rej_norm}/{R}")
    lo, hi = stats.binom.interval(0.999, R, 0.05)
    assert lo <= rej_wcr <= hi, rej_wcr
    assert rej_norm > hi, rej_norm  # CRV1 with normal critical values over-rejects


# ---------------------------------------------------------------------------------- CI and seeds
def test_ci_by_test_inversion():
    df = _panel(G=20, n_per=3, T=4, seed=8)
    res = did(df, "y", "id", "t", "d", cluster="cl")
    out = res.wild_bootstrap(B=1999, seed=5).iloc[0]
    width = out.ci_high - out.ci_low
    for edge, outward in ((out.ci_low, -1), (out.ci_high, 1)):
        p = _pvalue_at(res, "d", edge, B=1999, seed=5)
        assert abs(p - res.alpha) <= 2 / 1999 + 1e-12
        assert _pvalue_at(res, "d", edge - outward * 1e-3 * width, B=1999, seed=5) > res.alpha
        assert _pvalue_at(res, "d", edge + outward * 1e-3 * width, B=1999, seed=5) <= res.alpha
    crv = res.tidy().iloc[0]
    assert out.ci_low < out.estimate < out.ci_high
    assert 0.5 < width / (crv.ci_high - crv.ci_low) < 2  # same ballpark as the CRV1 t(G-1) interval


def test_seed_reproducible_and_fast_path_equals_general():
    df = _panel(G=16, n_per=3, T=4, seed=9)
    res = did(df, "y", "id", "t", "d", cluster="cl")
    assert res.details["path"] == "fast"
    a, b = res.wild_bootstrap(B=999, seed=42), res.wild_bootstrap(B=999, seed=42)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(res.wild_bootstrap(B=999, seed=43))
    old = fast.ENABLED
    fast.ENABLED = False
    try:
        gen = did(df, "y", "id", "t", "d", cluster="cl")
    finally:
        fast.ENABLED = old
    assert gen.details["path"] == "general"
    pd.testing.assert_frame_equal(gen.wild_bootstrap(B=999, seed=42), a, rtol=1e-9)


def test_bad_arguments():
    res = did(_panel(G=6), "y", "id", "t", "d", cluster="cl")
    with pytest.raises(ValueError, match="weights"):
        res.wild_bootstrap(weights="mammen")
    with pytest.raises(ValueError, match="not estimated"):
        res.wild_bootstrap(term="nope")
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"y": rng.normal(size=80), "d": rng.integers(0, 2, 80), "s": rng.choice(["a", "b"], 80)})
    with pytest.raises(ValueError, match="not available"):
        heterogeneity(df, "y", "d", by="s").wild_bootstrap()  # HC1, no clusters


# ---------------------------------------------------------------------------------- few clusters
def test_few_cluster_note():
    df = _panel(G=10)
    for res in (did(df, "y", "id", "t", "d", cluster="cl"),  # fast path
                did(df, "y", "id", "t", "d", cluster="cl", covariates=["x"]),  # general path
                dose_twfe(df.assign(s=df.d * 0.5), "y", "id", "t", "s", cluster="cl"),
                heterogeneity(df.assign(g=df.id % 2), "y", "d", by="g", cluster="cl")):
        assert any("wild_bootstrap()" in n and "10 clusters" in n for n in res.notes), res.notes
    many = did(_panel(G=30, n_per=2, T=4), "y", "id", "t", "d", cluster="cl")
    assert not any("wild_bootstrap()" in n for n in many.notes)


def test_heterogeneity_by_nested_in_cluster_is_refused():
    df = _panel(G=10, treated_clusters=np.arange(10))
    with pytest.raises(ValueError, match="nested in the clusters"):  # by = cluster: every CRV1 SE would be 0
        heterogeneity(df, "y", "d", by="cl", cluster="cl")
    df["pair"] = df.cl // 2  # subgroups (agencies) inside coarser clusters (agency pairs)
    with pytest.raises(ValueError, match="single 'pair' cluster"):
        heterogeneity(df, "y", "d", by="cl", cluster="pair")
    df["region"] = np.where(df.cl < 5, "A", "B")  # clusters nested in the subgroups: fine
    res = heterogeneity(df.assign(d=(df.t >= 3).astype(int)), "y", "d", by="region", cluster="cl")
    assert (res.tidy().std_error > 0).all()


def test_dose_by_group_uses_group_clusters_df():
    rng = np.random.default_rng(1)
    units = [f"u{i}" for i in range(11)]
    region = dict(zip(units, ["A"] * 3 + ["B"] * 8))
    rows = []
    for u in units:
        share = np.clip((np.arange(12) - rng.integers(2, 9)) / 6, 0, 1)
        rows.append(pd.DataFrame({"unit": u, "region": region[u], "m": np.arange(12), "share": share,
                                  "y": rng.normal(size=12) - 2 * share}))
    df = pd.concat(rows, ignore_index=True)
    res = dose_twfe(df, "y", "unit", "m", "share", by="region")
    tab = res.tidy().set_index("term")
    assert list(tab.n_clusters) == [3, 8]
    assert list(tab.df) == [2.0, 7.0]
    a = tab.loc["share[region=A]"]
    assert a.p_value == pytest.approx(2 * stats.t.sf(abs(a.statistic), 2), rel=1e-12)
    assert a.ci_high - a.estimate == pytest.approx(stats.t.ppf(0.975, 2) * a.std_error, rel=1e-12)
    assert any("t(clusters in the region - 1)" in n for n in res.notes)
    pooled = dose_twfe(df, "y", "unit", "m", "share").tidy()
    assert pooled.n_clusters.iloc[0] == 11 and pooled.df.iloc[0] == 10


def test_event_study_twfe_fit_carries_the_design(monkeypatch):
    """The TWFE event study bootstraps every estimated relative-time dummy once its result carries
    ``twfe_fit``'s design (``attach_design(result, fit)``); the reference period and dropped dummies are skipped."""
    import importlib

    from evalkit.impact.wildboot import attach_design

    es = importlib.import_module("evalkit.impact.event_study")  # the module (the package exports the function)

    fits = []
    real = es.twfe_fit
    monkeypatch.setattr(es, "twfe_fit", lambda *a, **k: fits.append(real(*a, **k)) or fits[-1])
    df = _panel(G=12, n_per=3, T=6, seed=21)
    df["g"] = np.where(df.cl < 6, 3, 0)
    res = es.event_study(df, "y", "id", "t", "g", estimator="twfe", cluster="cl")
    if res._wild is None:
        attach_design(res, fits[-1])
    out = res.wild_bootstrap(B=999, seed=1)
    est = res.tidy().dropna(subset=["std_error"])
    assert list(out.term) == list(est.term)
    np.testing.assert_allclose(out.estimate, est.estimate, rtol=1e-10)
    assert any("wild_bootstrap()" in n for n in res.notes)
