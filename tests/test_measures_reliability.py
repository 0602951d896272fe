"""Cronbach's alpha vs pingouin, a hand-worked example, and planted-truth simulation."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from evalkit.measures import cronbach_alpha, item_total


def test_hand_worked_example():
    # 3 items, 4 respondents. Item variances (ddof=1): 5/3, 5/3, 19/12 (sum 59/12); totals 3, 6, 9, 11 -> var 49/4
    # alpha = 3/2 (1 - (59/12)/(49/4)) = 3/2 * 88/147 = 132/147
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 4, 3], "c": [1, 2, 2, 4]})
    item_vars = df.var(ddof=1).sum()
    total_var = df.sum(axis=1).var(ddof=1)
    expected = 3 / 2 * (1 - item_vars / total_var)
    out = cronbach_alpha(df).iloc[0]
    assert out["estimate"] == pytest.approx(expected, abs=1e-12)
    assert out["estimate"] == pytest.approx(132 / 147, abs=1e-12)
    assert (out["n"], out["k"], out["term"]) == (4, 3, "cronbach_alpha")


def test_matches_pingouin_with_listwise_deletion():
    rng = np.random.default_rng(1)
    f = rng.normal(size=200)
    df = pd.DataFrame({f"i{j}": np.clip(np.round(3 + f + rng.normal(size=200)), 1, 5) for j in range(5)})
    df.iloc[[3, 17, 40], [1, 2, 4]] = np.nan
    ours = cronbach_alpha(df, ci=0.9).iloc[0]
    alpha, ci = pg.cronbach_alpha(df, ci=0.9, nan_policy="listwise")
    assert ours["estimate"] == pytest.approx(alpha, abs=1e-12)
    assert ours["ci_low"] == pytest.approx(ci[0], abs=5e-4)  # pingouin rounds its CI to 3 decimals
    assert ours["ci_high"] == pytest.approx(ci[1], abs=5e-4)
    assert ours["n"] == 197 and ours["n_dropped"] == 3


def test_planted_loading_recovers_theoretical_alpha():
    # parallel items x_j = l F + e_j, var(F)=1, var(e)=1-l^2: inter-item r = l^2, alpha = k r / (1 + (k-1) r)
    rng = np.random.default_rng(7)
    n, k, load = 4000, 6, 0.7
    f = rng.normal(size=n)
    df = pd.DataFrame({f"i{j}": load * f + np.sqrt(1 - load**2) * rng.normal(size=n) for j in range(k)})
    r = load**2
    theory = k * r / (1 + (k - 1) * r)
    out = cronbach_alpha(df).iloc[0]
    assert out["estimate"] == pytest.approx(theory, abs=0.01)
    assert out["ci_low"] < theory < out["ci_high"]


def test_item_total_flags_bad_item():
    rng = np.random.default_rng(3)
    f = rng.normal(size=500)
    df = pd.DataFrame({"a": f + rng.normal(size=500), "b": f + rng.normal(size=500), "c": f + rng.normal(size=500),
                       "noise": rng.normal(size=500)})
    it = item_total(df).set_index("item")
    assert it.loc["noise", "r_item_rest"] < 0.1 < it.loc["a", "r_item_rest"]
    full = cronbach_alpha(df)["estimate"].iloc[0]
    assert it.loc["noise", "alpha_if_deleted"] > full > it.loc["a", "alpha_if_deleted"]
    # alpha if deleted equals alpha of the remaining items
    assert it.loc["a", "alpha_if_deleted"] == pytest.approx(pg.cronbach_alpha(df.drop(columns="a"))[0])


def test_bad_inputs():
    with pytest.raises(TypeError):
        cronbach_alpha(np.ones((5, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(TypeError, match="'b'"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}))
    with pytest.raises(ValueError, match="ci"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 2]}), ci=95)


def test_alpha_by_group_matches_pingouin_per_group():
    from evalkit.measures import cronbach_alpha_by

    rng = np.random.default_rng(11)
    n = 300
    f = rng.normal(size=n)
    df = pd.DataFrame({f"i{j}": np.clip(np.round(3 + f + rng.normal(size=n)), 1, 5) for j in range(4)})
    df["region"] = rng.choice(["A", "B", "C"], n)
    df.loc[df.index[:2], "region"] = "D"  # 2 respondents: alpha not computable -> NaN row, not an error
    items = [f"i{j}" for j in range(4)]
    out = cronbach_alpha_by(df, items, by="region").set_index("region")
    for g in ("A", "B", "C"):
        alpha, ci = pg.cronbach_alpha(df.loc[df["region"] == g, items])
        assert out.loc[g, "estimate"] == pytest.approx(alpha, abs=1e-12)
        assert out.loc[g, "ci_low"] == pytest.approx(ci[0], abs=5e-4)
        assert out.loc[g, "n"] == (df["region"] == g).sum()
    assert np.isnan(out.loc["D", "estimate"]) and out.loc["D", "n"] == 2
    overall = cronbach_alpha_by(df, items)
    assert overall["estimate"].iloc[0] == pytest.approx(pg.cronbach_alpha(df[items])[0], abs=1e-12)
