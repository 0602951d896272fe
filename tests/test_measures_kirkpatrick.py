"""Kirkpatrick L2-L4 measures against pingouin/scipy and planted truths."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from evalkit.measures import icc2_1, learning_gain, rater_agreement, service_trends


def test_learning_gain_matches_scipy_and_pingouin():
    rng = np.random.default_rng(11)
    n = 120
    pre = rng.normal(60, 10, n)
    post = pre + 8 + rng.normal(0, 6, n)
    tests = pd.DataFrame({"programme_id": np.repeat(["P1", "P2"], n // 2), "pre_score": pre, "post_score": post})
    progs = pd.DataFrame({"programme_id": ["P1", "P2"], "mode": ["klasikal", "e-learning"]})
    out = learning_gain(tests).iloc[0]
    t = stats.ttest_rel(post, pre)
    assert out["statistic"] == pytest.approx(t.statistic)
    assert out["p_value"] == pytest.approx(t.pvalue)
    ci = t.confidence_interval(0.95)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert out["hedges_g"] == pytest.approx(pg.compute_effsize(post, pre, paired=True, eftype="hedges"))
    assert out["ci_low"] < 8 < out["ci_high"]
    by = learning_gain(tests, progs, by="mode")
    assert list(by["mode"]) == ["e-learning", "klasikal"] and list(by["n"]) == [60, 60]


def _followup(n=150, seed=5):
    rng = np.random.default_rng(seed)
    true = rng.normal(3.5, 0.6, n)
    rows = []
    for i in range(n):
        for role, bias in (("self", 0.5), ("supervisor", 0.0), ("peer", 0.1)):
            base = true[i] + bias
            rows.append({"person_id": f"p{i}", "programme_id": "X", "rater_role": role,
                         **{it: base + rng.normal(0, 0.3) for it in
                            ("apply_material", "work_quality", "share_knowledge", "service_initiative")}})
    return pd.DataFrame(rows)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pingouin")
@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_icc_matches_pingouin():
    fu = _followup()
    fu["score"] = fu[["apply_material", "work_quality", "share_knowledge", "service_initiative"]].mean(axis=1)
    ref = pg.intraclass_corr(fu, targets="person_id", raters="rater_role", ratings="score").set_index("Type")
    wide = fu.pivot(index="person_id", columns="rater_role", values="score")
    ours = icc2_1(wide.to_numpy())
    assert ours["estimate"] == pytest.approx(ref.loc["ICC(A,1)", "ICC"], abs=1e-10)
    assert ours["statistic"] == pytest.approx(ref.loc["ICC(A,1)", "F"], rel=1e-10)
    assert (ours["ci_low"], ours["ci_high"]) == pytest.approx(tuple(ref.loc["ICC(A,1)", "CI95"]), abs=5e-3)


def test_rater_agreement_planted_self_bias():
    out = rater_agreement(_followup()).set_index("term")
    gap = out.loc["self_minus_supervisor"]
    assert gap["ci_low"] < 0.5 < gap["ci_high"] and gap["n"] == 150
    assert 0 < out.loc["ICC(2,1)", "estimate"] < 1
    with pytest.raises(ValueError, match="rater_role"):
        rater_agreement(_followup(5).assign(rater_role="boss"))


def test_service_trends():
    services = pd.DataFrame({"region": ["A", "A", "A", "B"], "unit": ["u1", "u2", "u1", "u1"],
                             "month": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-01-01"]),
                             "volume": [100, 300, 200, 50], "wait_minutes": [10.0, 20.0, 15.0, 30.0],
                             "processing_days": [2.0, 4.0, 3.0, 1.0], "complaints_received": [4, 6, 0, 2],
                             "complaints_resolved": [2, 6, 1, 3]})
    out = service_trends(services, by="region")
    jan = out[(out["region"] == "A") & (out["month"] == "2024-01-01")].iloc[0]
    assert jan["volume"] == 400 and jan["wait_minutes"] == pytest.approx((100 * 10 + 300 * 20) / 400)
    assert jan["resolution_rate"] == 0.8 and jan["complaints_per_1000"] == 25
    assert jan["ci_low"] < 0.8 < jan["ci_high"]
    feb = out[(out["region"] == "A") & (out["month"] == "2024-02-01")].iloc[0]
    assert np.isnan(feb["resolution_rate"])
    b = out[out["region"] == "B"].iloc[0]
    assert b["resolution_rate"] == 1.5 and np.isnan(b["ci_low"])
    with pytest.raises(ValueError, match="volume"):
        service_trends(services.assign(volume=-1))
