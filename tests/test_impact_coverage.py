"""Synthetic truth: over 5 seeds, each estimator's 95% CI covers the known effect.

Data are simulated here with numpy ``default_rng`` (one generator per seed, nothing global).
A correct 95% interval misses at least once in 5 independent seeds with probability
1 - 0.95**5 = 23% and twice or more with ~2%, so we allow at most one miss per estimator.
For matching the Abadie-Imbens SE treats the estimated score as known (approximate; Abadie & Imbens
2016), which is another reason to allow a miss. Staggered estimators (CS simple/dynamic, TWFE under a
constant effect) have their coverage check in test_impact_staggered.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.impact import did, event_study, ipw_att, match_att, prepost
from evalkit.impact.dgp import simulate_staggered_panel

SEEDS = range(5)


def _cross_section(seed, n=2000):
    """Selection on observables: P(train) = logistic(-1 + 0.8 x1 - 0.5 x2), effect 1 + 0.5 x1."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    d = (rng.random(n) < 1 / (1 + np.exp(-(-1 + 0.8 * x1 - 0.5 * x2)))).astype(int)
    tau = 1 + 0.5 * x1
    y = 1 + x1 + 0.5 * x2 + d * tau + rng.normal(size=n)
    return pd.DataFrame({"y": y, "d": d, "x1": x1, "x2": x2}), tau[d == 1].mean()


def _covers(row, truth):
    return row.ci_low <= truth <= row.ci_high


@pytest.mark.slow
def test_ipw_and_matching_cover_true_att():
    miss = {"ipw": 0, "ipw_ht": 0, "match": 0}
    for s in SEEDS:
        df, truth = _cross_section(200 + s)
        miss["ipw"] += not _covers(ipw_att(df, "y", "d", ["x1", "x2"]).tidy().iloc[0], truth)
        miss["ipw_ht"] += not _covers(ipw_att(df, "y", "d", "x1 + x2", normalize=False).tidy().iloc[0], truth)
        miss["match"] += not _covers(match_att(df, "y", "d", ["x1", "x2"], k=4).tidy().iloc[0], truth)
    assert max(miss.values()) <= 1, miss


def test_naive_difference_is_biased_here():
    """Sanity check of the design: without adjustment the treated-control gap is far from the ATT."""
    df, truth = _cross_section(1)
    naive = df.y[df.d == 1].mean() - df.y[df.d == 0].mean()
    assert abs(naive - truth) > 0.4


def test_prepost_and_did_cover():
    miss = {"prepost": 0, "did": 0, "cs_event": 0}
    for s in SEEDS:
        rng = np.random.default_rng(300 + s)
        pre = rng.normal(60, 10, 80)
        df = pd.DataFrame({"pre": pre, "post": pre + 3 + rng.normal(0, 5, 80)})
        miss["prepost"] += not _covers(prepost(df, "pre", "post").tidy().iloc[0], 3.0)
        panel = simulate_staggered_panel(n_units=300, effect="constant", base_effect=1.0, seed=400 + s)
        miss["did"] += not _covers(did(panel, "y", "id", "t", "treat", covariates=["x"]).tidy().iloc[0], 1.0)
        es = event_study(panel, "y", "id", "t", "g", estimator="cs", window=(-2, 2)).tidy()
        miss["cs_event"] += not _covers(es[es.term == "rel::1"].iloc[0], 1.0)
    assert max(miss.values()) <= 1, miss
