"""power against statsmodels.stats.power (TTestIndPower / TTestPower solve_power) and the hand-worked
normal-approximation MDE (Bloom 1995): MDE = (z_{1-a/2} + z_{power}) * sqrt(DEFF * (1 + 1/ratio) / n).
The t-based MDE exceeds the normal one by O(1/n): within 1% at n = 200 per arm.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import TTestIndPower, TTestPower

from evalkit.impact import power


def test_mde_two_sample_vs_statsmodels_and_hand_formula():
    res = power(n=200)
    ref = TTestIndPower().solve_power(effect_size=None, nobs1=200, alpha=0.05, power=0.8, ratio=1.0)
    assert res.mde == pytest.approx(ref, rel=1e-8)
    hand = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * np.sqrt(2 / 200)  # = 2.8016 * 0.1 = 0.2802
    assert res.mde == pytest.approx(hand, rel=0.01)


def test_design_effect_and_n_for_target_mde():
    # 30 staff per OPD, ICC 0.05: DEFF = 1 + 29 * 0.05 = 2.45
    res = power(effect_size=0.25, icc=0.05, cluster_size=30, ratio=2.0, sd=12.0)
    n_eff = TTestIndPower().solve_power(effect_size=0.25, nobs1=None, alpha=0.05, power=0.8, ratio=2.0)
    assert res.design_effect == pytest.approx(2.45)
    # t with G - 2 df (clusters, not individuals) needs a few more people than the individual-df answer
    assert res.n > n_eff * 2.45
    assert res.n == pytest.approx(n_eff * 2.45, rel=0.05)
    back = power(n=res.n, icc=0.05, cluster_size=30, ratio=2.0)
    assert back.mde == pytest.approx(0.25, rel=1e-6)
    hand = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * np.sqrt(2.45 * (1 + 1 / 2.0) / res.n)
    # normal approximation ignores the cluster df (G - 2, about 40 here): the t MDE is ~2% larger
    assert hand < back.mde < 1.04 * hand
    assert set(res.tidy().quantity) >= {"n", "mde", "design_effect"}


def test_paired_and_errors():
    res = power(n=40, design="paired")
    assert res.mde == pytest.approx(TTestPower().solve_power(nobs=40, alpha=0.05, power=0.8), rel=1e-8)
    with pytest.raises(ValueError, match="exactly one"):
        power()
    with pytest.raises(ValueError, match="icc"):
        power(n=50, icc=1.5)


def test_cluster_df_equals_t_test_on_cluster_means():
    """Cluster-randomised, equal clusters: the analysis of cluster means is a two-sample t test on G1 and G0
    cluster means with G - 2 df (Hayes & Moulton 2009, Cluster Randomised Trials, ch. 7; Donner & Klar
    2000). The cluster-mean SD is sigma sqrt(DEFF / m), so the individual-scale MDE is the cluster-scale MDE
    from statsmodels' TTestIndPower(nobs1=G1) times sqrt(DEFF / m)."""
    m, icc = 30, 0.05
    deff = 1 + (m - 1) * icc
    for n, ratio in [(300, 1.0), (240, 1.5)]:
        g1 = n / m
        ref = TTestIndPower().solve_power(nobs1=g1, ratio=ratio, alpha=0.05, power=0.8) * np.sqrt(deff / m)
        res = power(n=n, icc=icc, cluster_size=m, ratio=ratio)
        assert res.df == pytest.approx(g1 * (1 + ratio) - 2)
        assert res.n_clusters == pytest.approx(g1 * (1 + ratio))
        assert res.mde == pytest.approx(ref, rel=1e-6)
        back = power(effect_size=res.mde, icc=icc, cluster_size=m, ratio=ratio)
        assert back.n == pytest.approx(n, rel=1e-5)
    # 20 clusters: the G - 2 = 18 df MDE exceeds the individual-df one by more than 3%
    assert power(n=300, icc=icc, cluster_size=m).mde > 1.03 * TTestIndPower().solve_power(
        nobs1=300 / deff, alpha=0.05, power=0.8)
    with pytest.raises(ValueError, match="clusters"):
        power(n=30, icc=icc, cluster_size=30)  # 2 clusters: no df left


def test_unequal_cluster_sizes_design_effect():
    """Eldridge, Ashby & Kerry (2006, Int J Epidemiol 35:1292-1300, eq. for the design effect with unequal
    cluster sizes): DEFF = 1 + ((cv^2 + 1) m - 1) ICC. m = 20, cv = 0.6, ICC = 0.05: 1 + (27.2 - 1) x 0.05
    = 2.31 (vs 1.95 with equal sizes)."""
    res = power(n=400, icc=0.05, cluster_size=20, cluster_cv=0.6)
    assert res.design_effect == pytest.approx(2.31)
    assert power(n=400, icc=0.05, cluster_size=20).design_effect == pytest.approx(1.95)
    assert power(n=400, icc=0.05, cluster_size=20, cluster_cv=0.0).mde == pytest.approx(
        power(n=400, icc=0.05, cluster_size=20).mde)
    ref = TTestIndPower().solve_power(nobs1=20, alpha=0.05, power=0.8) * np.sqrt(2.31 / 20)
    assert res.mde == pytest.approx(ref, rel=1e-6)
    with pytest.raises(ValueError, match="cluster_cv"):
        power(n=400, icc=0.05, cluster_size=20, cluster_cv=-0.1)


def test_baseline_correlation_gain():
    """Variance factor of the treatment contrast with a baseline measure of correlation rho (McKenzie 2012,
    J Dev Econ 99:210-221; Teerenstra et al. 2012, Stat Med 31:2169-2178): ANCOVA 1 - rho^2, change scores
    2(1 - rho), relative to a post-only comparison. Unclustered: statsmodels on n / factor."""
    rho = 0.6
    anc = power(n=200, baseline_corr=rho, analysis="ancova")
    ref = TTestIndPower().solve_power(nobs1=200 / (1 - rho**2), alpha=0.05, power=0.8)
    assert anc.variance_factor == pytest.approx(1 - rho**2)
    assert anc.mde == pytest.approx(ref, rel=1e-8)
    chg = power(n=200, baseline_corr=rho, analysis="change")
    assert chg.variance_factor == pytest.approx(2 * (1 - rho))
    assert chg.mde == pytest.approx(TTestIndPower().solve_power(nobs1=200 / 0.8, alpha=0.05, power=0.8), rel=1e-8)
    # normal approximation: MDE ratio = sqrt(factor); at rho = 0.5 change scores gain nothing
    post = power(n=200)
    assert anc.mde / post.mde == pytest.approx(np.sqrt(1 - rho**2), rel=0.01)
    assert power(n=200, baseline_corr=0.5, analysis="change").mde == pytest.approx(post.mde, rel=1e-8)
    assert anc.mde < chg.mde < post.mde
    n_anc = power(effect_size=0.3, baseline_corr=rho, analysis="ancova").n
    assert n_anc == pytest.approx(power(effect_size=0.3).n * (1 - rho**2), rel=1e-6)
    with pytest.raises(ValueError, match="baseline_corr"):
        power(n=200, analysis="ancova")
    with pytest.raises(ValueError, match="analysis"):
        power(n=200, baseline_corr=0.5, analysis="did")
