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
    assert res.n == pytest.approx(n_eff * 2.45, rel=1e-8)
    back = power(n=res.n, icc=0.05, cluster_size=30, ratio=2.0)
    assert back.mde == pytest.approx(0.25, rel=1e-6)
    hand = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * np.sqrt(2.45 * (1 + 1 / 2.0) / res.n)
    assert back.mde == pytest.approx(hand, rel=0.02)
    assert set(res.tidy().quantity) >= {"n", "mde", "design_effect"}


def test_paired_and_errors():
    res = power(n=40, design="paired")
    assert res.mde == pytest.approx(TTestPower().solve_power(nobs=40, alpha=0.05, power=0.8), rel=1e-8)
    with pytest.raises(ValueError, match="exactly one"):
        power()
    with pytest.raises(ValueError, match="icc"):
        power(n=50, icc=1.5)
