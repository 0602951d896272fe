"""prepost against scipy.stats.ttest_rel and pingouin.ttest(paired=True) on a small sample.

t, p and the 95% CI of the mean change must agree to 1e-10 relative with scipy (and pingouin's
rounded CI to its 2 decimals); the effect size (Hedges' g_av, Lakens 2013) equals
``pingouin.compute_effsize(post, pre, paired=True, eftype="hedges")`` to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.impact import prepost


@pytest.fixture
def scores():
    rng = np.random.default_rng(42)
    pre = rng.normal(60, 10, 24).round(1)
    post = (pre + rng.normal(4, 6, 24)).round(1)
    return pd.DataFrame({"pre": pre, "post": post, "mode": np.repeat(["klasikal", "e-learning", "blended"], 8)})


def test_vs_scipy_and_pingouin(scores):
    res = prepost(scores, "pre", "post").tidy().iloc[0]
    ref = stats.ttest_rel(scores.post, scores.pre)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    ci = ref.confidence_interval(0.95)
    assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    import pingouin as pg
    t = pg.ttest(scores.post, scores.pre, paired=True)
    assert res.statistic == pytest.approx(t["T"].iloc[0], rel=1e-10)
    assert res.p_value == pytest.approx(t["p_val" if "p_val" in t else "p-val"].iloc[0], rel=1e-8)
    ci_col = [c for c in t.columns if c.upper().startswith("CI")][0]
    np.testing.assert_allclose([res.ci_low, res.ci_high], t[ci_col].iloc[0], atol=0.006)
    g = pg.compute_effsize(scores.post, scores.pre, paired=True, eftype="hedges")
    assert res.hedges_g_av == pytest.approx(g, rel=1e-10)


def test_by_group_with_holm(scores):
    from statsmodels.stats.multitest import multipletests

    tab = prepost(scores, "pre", "post", by="mode").tidy()
    assert list(tab.term) == sorted(scores["mode"].unique())
    for _, r in tab.iterrows():
        sub = scores[scores["mode"] == r.term]
        assert r.p_value == pytest.approx(stats.ttest_rel(sub.post, sub.pre).pvalue, rel=1e-10)
    np.testing.assert_allclose(tab.p_holm, multipletests(tab.p_value, method="holm")[1], rtol=1e-12)


def test_missing_pairs_dropped_and_errors(scores):
    s = scores.copy()
    s.loc[0, "post"] = np.nan
    res = prepost(s, "pre", "post")
    assert res.tidy().n.iloc[0] == 23 and "Dropped 1" in res.summary()
    with pytest.raises(ValueError, match="post='posttest'"):
        prepost(scores, "pre", "posttest")
    with pytest.raises(TypeError, match="'mode' must be numeric"):
        prepost(scores, "mode", "post")
