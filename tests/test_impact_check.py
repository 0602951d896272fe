"""evalkit.impact.check (method check against a known truth), evalkit.impact.summary and
evalkit.impact.services.

Expected numbers come from: hand computations stated in each test; the simulated panels of
``evalkit.impact.dgp`` whose true ATT is the mean of the recorded ``tau``; ``staggered_att`` (itself
checked against the R-port ``differences`` in test_impact_staggered.py) for subgroup estimates; pyfixest
``feols`` for the dose TWFE; and a Monte Carlo for the covariance of subgroup estimates sharing controls.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.impact import staggered_att
from evalkit.impact.check import (
    assert_method_check,
    cell_truth,
    check_rows,
    check_summary,
    load_truth,
    method_check,
    truth_value,
)
from evalkit.impact.dgp import simulate_staggered_panel
from evalkit.impact.services import align_to_wave, dose_twfe, unit_first_treated
from evalkit.impact.summary import change_scores, estimate_rows, subgroup_att
from evalkit.report.impact_plots import forest_plot


# ------------------------------------------------------------------------------------------ truth lookup
def test_truth_value_and_errors(tmp_path):
    truth = {"effects": {"att": {"rq": {"simple": 4.3, "by_mode": {"e-learning": 2.4}}}}}
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    t = load_truth(tmp_path)
    assert truth_value(t, "effects/att/rq/simple") == 4.3
    assert truth_value(t, ["effects", "att", "rq", "by_mode", "e-learning"]) == 2.4
    with pytest.raises(KeyError, match="effects/att/ot"):
        truth_value(t, "effects/att/ot/simple")
    with pytest.raises(TypeError, match="not a number"):
        truth_value(t, "effects/att/rq")
    with pytest.raises(FileNotFoundError):
        load_truth(tmp_path / "nowhere")


def test_cell_truth_hand_computed():
    pe = pd.DataFrame({"region": ["A", "A", "B", "B"], "period": ["2024Q1", "2023Q4", "2024Q1", "2024Q2"],
                       "tau_report_quality": [1.0, 3.0, 5.0, 7.0]})
    assert cell_truth(pe, "report_quality") == 4.0  # (1+3+5+7)/4
    assert cell_truth(pe, "report_quality", periods=["2024Q1", "2024Q2"]) == pytest.approx(13 / 3)
    by = cell_truth(pe, "report_quality", by="region")
    assert by.to_dict() == {"A": 2.0, "B": 6.0}


# ------------------------------------------------------------------------------------------ decision rule
def _est(**kw):
    base = dict(estimator="x", estimate=1.0, std_error=0.1, ci_low=0.804, ci_high=1.196, role="credible")
    base.update(kw)
    return base


def test_method_check_single_rows_use_their_own_ci():
    df = pd.DataFrame([_est(estimator="covers", truth=1.19), _est(estimator="misses", truth=1.2),
                       _est(estimator="naive", role="naive", truth=2.0),
                       _est(estimator="naive_lucky", role="naive", truth=1.0)])
    out = method_check(df, rule="pointwise").set_index("estimator")
    assert out.loc["covers", "status"] == "pass"
    assert out.loc["misses", "status"] == "FAIL"
    assert out.loc["naive", "status"] == "missed, as expected"
    assert out.loc["naive_lucky", "status"] == "covered (unexpected)"
    assert out.loc["misses", "z"] == pytest.approx(-2.0)   # (1.0 - 1.2) / 0.1
    with pytest.raises(AssertionError, match="misses: estimate 1"):
        assert_method_check(out.reset_index())
    assert_method_check(out.drop(index="misses").reset_index())  # no credible failure: silent


def test_method_check_bonferroni_within_family():
    # 10 rows, one 2.2 SE off: outside its 95% CI but inside the Bonferroni interval z_{1-0.05/20} = 2.807
    rows = [_est(estimator=f"e{k}", truth=1.0, family="dyn") for k in range(9)]
    rows.append(_est(estimator="e9", truth=1.22, family="dyn"))
    out = method_check(pd.DataFrame(rows), rule="family")
    r = out.iloc[-1]
    assert not r.covered_95
    assert r.covered and r.status == "pass"
    assert r.critical == pytest.approx(stats.norm.ppf(1 - 0.05 / 20))
    assert (out["family_size"] == 10).all()
    rows[-1] = _est(estimator="e9", truth=1.3, family="dyn")   # 3 SE off: fails even after Bonferroni
    assert method_check(pd.DataFrame(rows), rule="family").iloc[-1].status == "FAIL"


def test_method_check_simultaneous_rule_counts_all_credible_rows():
    # 4 credible rows (+1 naive, not counted): limit z_{1 - 0.05/8} = 2.498 for every credible row
    rows = [_est(estimator="a", truth=1.0), _est(estimator="b", truth=1.0, family="f"),
            _est(estimator="c", truth=1.0, family="f"), _est(estimator="d", truth=1.24),
            _est(estimator="n", role="naive", truth=5.0)]
    out = method_check(pd.DataFrame(rows)).set_index("estimator")
    assert out.loc["a", "critical"] == pytest.approx(stats.norm.ppf(1 - 0.05 / 8))
    assert not out.loc["d", "covered_95"] and out.loc["d", "status"] == "pass"   # |z| = 2.4
    naive = method_check(pd.DataFrame(rows)).set_index("estimator").loc["n"]
    assert naive.status == "missed, as expected"   # judged by its own 95% CI
    rows[4] = _est(estimator="n", role="naive", truth=1.3)                       # |z| = 3: outside its 95% CI
    assert method_check(pd.DataFrame(rows)).set_index("estimator").loc["n", "status"] == "missed, as expected"
    rows[3] = _est(estimator="d", truth=1.26)                                     # |z| = 2.6
    assert method_check(pd.DataFrame(rows)).set_index("estimator").loc["d", "status"] == "FAIL"
    with pytest.raises(ValueError, match="rule"):
        method_check(pd.DataFrame(rows), rule="lenient")


def test_method_check_truth_keys_and_validation():
    truth = {"a": {"b": 1.1}}
    out = method_check(pd.DataFrame([_est(truth_key="a/b")]), truth, rule="pointwise")
    assert out.loc[0, "truth"] == 1.1 and out.loc[0, "status"] == "pass"
    with pytest.raises(ValueError, match="role"):
        method_check(pd.DataFrame([_est(role="hopeful", truth=1.0)]))
    with pytest.raises(ValueError, match="truth"):
        method_check(pd.DataFrame([_est()]))


# ------------------------------------------------------------------------------------------ summary glue
def test_change_scores_windows_and_timing():
    df = simulate_staggered_panel(n_units=300, n_periods=8, cohorts=(3, 5, 7), seed=3)
    cs = change_scores(df, "y", pre=[1, 2], post=[6, 7, 8], idname="id", tname="t", gname="g")
    # cohort 7 starts inside the post window 6-8 (not fully exposed): dropped; cohorts 3 and 5 are trained
    assert set(cs.loc[cs.trained == 1, "g"]) == {3, 5}
    assert 7 not in set(cs["g"])
    assert cs.attrs["dropped"]["timing"] == int((df.drop_duplicates("id")["g"] == 7).sum())
    one = df[df.id == df.loc[df.g == 3, "id"].iloc[0]].set_index("t")["y"]
    hand = one.loc[[6, 7, 8]].mean() - one.loc[[1, 2]].mean()
    assert np.isclose(cs["dy"], hand).any()
    assert "id" not in cs.columns
    # the change-score difference of means recovers the true effect of the post window (tau recorded)
    tau = df[(df.t >= 6) & df.g.isin([3, 5])].groupby("id")["tau"].mean().mean()
    diff = cs.loc[cs.trained == 1, "dy"].mean() - cs.loc[cs.trained == 0, "dy"].mean()
    assert abs(diff - tau) < 0.4


def test_change_scores_independent_of_row_order_and_ids():
    df = simulate_staggered_panel(n_units=200, seed=4)
    a = change_scores(df, "y", [1, 2], [7, 8], idname="id", gname="g")
    shuffled = df.sample(frac=1.0, random_state=1).assign(id=lambda d: d["id"].map(lambda i: f"P{(i * 7919) % 10007}"))
    b = change_scores(shuffled, "y", [1, 2], [7, 8], idname="id", gname="g")
    pd.testing.assert_frame_equal(a, b)


def test_estimate_rows_and_forest_plot():
    df = simulate_staggered_panel(n_units=300, seed=5)
    r = staggered_att(df, "y", "id", "t", "g")
    tab = estimate_rows([{"label": "CS", "result": r, "term": "ATT", "role": "credible"}])
    assert tab.loc[0, "estimate"] == pytest.approx(r.coef()["ATT"])
    assert tab.loc[0, "role"] == "credible"
    with pytest.raises(ValueError, match="term"):
        estimate_rows([{"label": "CS", "result": r, "term": "nope"}])
    tab["truth"] = 1.0
    ax = forest_plot(tab, color_by="role", truth="truth", xlabel="effect")
    assert ax.get_yticklabels()[0].get_text() == "CS"


def _with_subgroups(seed=0, n=600):
    df = simulate_staggered_panel(n_units=n, seed=seed)
    rng = np.random.default_rng(seed + 100)
    s = pd.Series(rng.choice(["a", "b", "c"], n), index=np.arange(1, n + 1))
    df["s"] = df["id"].map(s)
    df["mode"] = np.where(df["g"] > 0, df["s"], None)
    return df


def test_subgroup_att_equals_staggered_att_on_each_subset():
    df = _with_subgroups()
    res = subgroup_att(df, "y", "id", "t", "g", "s", controls="within").tidy().set_index("term")
    for s in "abc":
        ref = staggered_att(df[df.s == s], "y", "id", "t", "g").tidy().iloc[0]
        assert res.loc[f"ATT[s={s}]", "estimate"] == pytest.approx(ref.estimate, rel=1e-12)
        assert res.loc[f"ATT[s={s}]", "std_error"] == pytest.approx(ref.std_error, rel=1e-12)
    # controls="all": treated of the mode plus every never-treated unit
    allc = subgroup_att(df, "y", "id", "t", "g", "mode", controls="all").tidy().set_index("term")
    sub = df[(df["mode"] == "b") | (df["g"] == 0)]
    ref = staggered_att(sub, "y", "id", "t", "g").tidy().iloc[0]
    assert allc.loc["ATT[mode=b]", "estimate"] == pytest.approx(ref.estimate, rel=1e-12)
    assert allc.loc["ATT[mode=b]", "std_error"] == pytest.approx(ref.std_error, rel=1e-12)


def test_subgroup_wald_disjoint_is_hand_computable():
    df = _with_subgroups(seed=1)
    df = df[df.s.isin(["a", "b"])]
    res = subgroup_att(df, "y", "id", "t", "g", "s", controls="within")
    b, se = res.coef().to_numpy(), res.se().to_numpy()
    hand = (b[1] - b[0]) ** 2 / (se[0] ** 2 + se[1] ** 2)   # disjoint units: zero covariance
    assert res.details["wald"]["chi2"] == pytest.approx(hand, rel=1e-10)
    assert res.vcov.iloc[0, 1] == 0.0


@pytest.mark.slow
def test_subgroup_covariance_with_shared_controls_matches_monte_carlo():
    """Subgroups sharing never-treated controls: the analytic covariance matches the simulated one."""
    est, V = [], []
    for rep in range(300):
        df = _with_subgroups(seed=1000 + rep, n=400)
        r = subgroup_att(df, "y", "id", "t", "g", "mode", controls="all")
        est.append(r.coef().to_numpy())
        V.append(r.vcov.to_numpy())
    mc, an = np.cov(np.array(est).T), np.mean(V, axis=0)
    off = ~np.eye(3, dtype=bool)
    # observed: analytic 0.0029 vs simulated 0.0025-0.0030 (300 replications); pooled over the 3 pairs
    assert an[off].mean() > 0
    assert an[off].mean() == pytest.approx(mc[off].mean(), rel=0.25)
    assert np.diag(an).mean() == pytest.approx(np.diag(mc).mean(), rel=0.15)


# ------------------------------------------------------------------------------------------ services
def _service_panel(seed=0, units=12, months=24):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(units):
        start = rng.integers(6, 18) if u % 3 else None
        level = rng.uniform(20, 50)
        share = np.zeros(months) if start is None else np.where(np.arange(months) >= start, rng.uniform(0.2, 0.5), 0)
        share = share + np.where(np.arange(months) >= (start or months) + 3, 0.1, 0.0)
        region = "A" if u < 6 else "B"
        slope = -10.0 if region == "A" else -20.0
        y = level + 0.3 * np.arange(months) + slope * share + rng.normal(0, 1, months)
        rows.append(pd.DataFrame({"unit": f"u{u}", "region": region, "month": np.arange(1, months + 1),
                                  "share": share, "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_dose_twfe_matches_pyfixest():
    import pyfixest as pf
    df = _service_panel()
    res = dose_twfe(df, "y", "unit", "month", "share")
    ref = pf.feols("y ~ share | unit + month", data=df, vcov={"CRV1": "unit"})
    assert res.coef()["share"] == pytest.approx(float(ref.coef()["share"]), rel=1e-8)
    assert res.se()["share"] == pytest.approx(float(ref.se()["share"]), rel=1e-6)
    byr = dose_twfe(df, "y", "unit", "month", "share", by="region")
    df["sA"] = df["share"] * (df.region == "A")
    df["sB"] = df["share"] * (df.region == "B")
    ref2 = pf.feols("y ~ sA + sB | unit + month", data=df, vcov={"CRV1": "unit"})
    assert byr.coef()["share[region=A]"] == pytest.approx(float(ref2.coef()["sA"]), rel=1e-8)
    assert byr.se()["share[region=B]"] == pytest.approx(float(ref2.se()["sB"]), rel=1e-6)
    # planted slopes -10 and -20 are recovered
    assert byr.coef()["share[region=A]"] == pytest.approx(-10, abs=2.5)
    assert byr.coef()["share[region=B]"] == pytest.approx(-20, abs=2.5)


def test_unit_first_treated():
    df = pd.DataFrame({"unit": ["a", "a", "a", "b", "b"], "m": [1, 2, 3, 1, 2], "share": [0, 0.2, 0.3, 0, 0]})
    f = unit_first_treated(df, "unit", "m", "share")
    assert f["a"] == 2 and np.isnan(f["b"])


def test_check_plot_draws_every_family():
    rows = [_est(estimator=f"e{k}", truth=1.0, family="dyn") for k in range(3)]
    rows.append(_est(estimator="naive", role="naive", truth=3.0))   # z = -20: clipped and labelled
    out = method_check(pd.DataFrame(rows))
    from evalkit.report.impact_plots import check_plot
    ax = check_plot(out)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["dyn", "naive"]
    assert any(t.get_text() == "-20" for t in ax.texts)


def test_align_to_wave_hand_computed():
    df = pd.DataFrame({"unit": ["a"] * 4 + ["b"] * 4 + ["c"] * 4, "m": [1, 2, 3, 4] * 3,
                       "share": [0, 0, .3, .3, 0, 0, 0, 0, .2, .2, .2, .2],
                       "y": [10, 12, 5, 7, 1, 2, 3, 4, 9, 9, 9, 9]})
    first = unit_first_treated(df, "unit", "m", "share")
    out = align_to_wave(df, "unit", "m", first, "y")
    # b never trained (left out); c trained from the first month (no pre-wave period: left out)
    assert out["unit"].unique().tolist() == ["a"]
    assert out["rel"].tolist() == [-2, -1, 0, 1]
    assert out["change"].tolist() == [-1.0, 1.0, -6.0, -4.0]   # pre-wave mean of a = 11


def test_subgroup_att_cluster_sums_influence_within_cluster():
    """Clustered SEs of subgroup_att, checked by hand on a two-period, one-cohort design where the ATT is a
    difference of mean changes and each unit's influence value is (dy_i - m1)/n1 (treated) or
    -(dy_i - m0)/n0 (controls); the weight term vanishes with one cohort. Clustered variance (R did's
    clustervars, analytic form): sum over clusters of the squared within-cluster sums."""
    rng = np.random.default_rng(11)
    n = 120
    ids = np.arange(n)
    cl = ids % 6
    treated = ids < 50
    shock = rng.normal(0, 1, 6)[cl]
    y0 = rng.normal(0, 1, n)
    y1 = y0 + 0.5 * treated + shock + rng.normal(0, 1, n)
    df = pd.DataFrame({"id": np.repeat(ids, 2), "t": np.tile([1, 2], n), "y": np.column_stack([y0, y1]).ravel(),
                       "g": np.repeat(np.where(treated, 2, 0), 2), "cl": np.repeat(cl, 2), "s": "all"})
    dy = y1 - y0
    m1, m0 = dy[treated].mean(), dy[~treated].mean()
    psi = np.where(treated, (dy - m1) / treated.sum(), -(dy - m0) / (~treated).sum())
    se_hand = np.sqrt((np.bincount(cl, weights=psi) ** 2).sum())
    res = subgroup_att(df, "y", "id", "t", "g", "s", controls="within", cluster="cl")
    assert res.coef().iloc[0] == pytest.approx(m1 - m0, rel=1e-12)
    assert res.se().iloc[0] == pytest.approx(se_hand, rel=1e-10)
    assert res.n_clusters == 6
    assert any("Only 6 clusters" in note for note in res.notes)
    unit = subgroup_att(df, "y", "id", "t", "g", "s", controls="within")
    assert unit.se().iloc[0] == pytest.approx(np.sqrt((psi ** 2).sum()), rel=1e-10)
    # every unit its own cluster: the unit-level SE exactly
    df["cl_unit"] = df["id"]
    same = subgroup_att(df, "y", "id", "t", "g", "s", controls="within", cluster="cl_unit")
    assert same.se().iloc[0] == pytest.approx(unit.se().iloc[0], rel=1e-12)


def test_subgroup_att_cluster_must_be_constant_within_unit():
    df = _with_subgroups(seed=3)
    df["cl"] = np.arange(len(df)) % 3
    with pytest.raises(ValueError, match="constant within each unit"):
        subgroup_att(df, "y", "id", "t", "g", "s", cluster="cl")


def test_subgroup_att_repeated_rows_are_named():
    df = _with_subgroups(seed=3)
    df = pd.concat([df, df.iloc[[5]]], ignore_index=True)
    with pytest.raises(ValueError, match="rows repeat a pair"):
        subgroup_att(df, "y", "id", "t", "g", "s")


def test_estimator_suite_clusters_at_the_assignment_level():
    """Every row of the suite that has a cluster-robust version uses the assignment cluster; the
    Callaway-Sant'Anna rows equal staggered_att(..., cluster=) run on its own (same estimator, same call),
    and matching says its variance is person-level."""
    from evalkit.impact.summary import estimator_suite

    df = simulate_staggered_panel(n_units=600, seed=4)
    df["agency_id"] = "r / " + (df["id"] % 25).astype(str)
    df["agency"] = (df["id"] % 25).astype(str)
    df["region"] = np.where(df["id"] % 2 == 0, "a", "b")
    for c in ("tenure", "sex", "position_type"):
        df[c] = (df["id"] * 7 % 3).astype(str) if c != "tenure" else (df["id"] % 30).astype(float)
    df["treated_post"] = ((df["g"] > 0) & (df["t"] >= df["g"])).astype(int)
    suite = estimator_suite(df, "y", pre=[1], post=[df["t"].max()], covariates="tenure", tname="t", gname="g",
                            idname="id", cs_covariates=["tenure"])
    tab = suite["table"].set_index("key")
    ref = staggered_att(df, "y", "id", "t", "g", cluster="agency_id").tidy().iloc[0]
    assert tab.loc["cs_never", "std_error"] == pytest.approx(ref.std_error, rel=1e-12)
    for key in ("twfe", "cs_never", "cs_notyet", "cs_dr", "ipw", "naive"):
        assert tab.loc[key, "n_clusters"] == 25, key
    assert "agency_id" in tab.loc["cs_dr", "se_type"]
    assert pd.isna(tab.loc["match", "n_clusters"])


def test_check_rows_names_terms_drops_reference_and_skipped_rows():
    df = simulate_staggered_panel(n_units=200, n_periods=6, cohorts=(3, 4), seed=3)
    from evalkit.impact import event_study

    res = event_study(df, "y", "id", "t", "g", estimator="twfe")   # rel::-1 is the reference: no SE
    rows = check_rows(res, "y", "TWFE event time", lambda term: float(term.split("::")[1]), skip=("rel::-3",))
    tab = res.tidy()
    kept = tab[tab["std_error"].notna() & (tab["term"] != "rel::-3")]
    assert rows["term"].tolist() == kept["term"].tolist() and "rel::-1" not in rows["term"].tolist()
    assert rows["estimator"].tolist() == [f"y: TWFE event time {t}" for t in kept["term"]]
    assert set(rows["family"]) == {"y: TWFE event time"} and set(rows["role"]) == {"credible"}
    assert set(rows["outcome"]) == {"y"}
    assert rows["truth"].tolist() == [float(t.split("::")[1]) for t in kept["term"]]
    np.testing.assert_array_equal(rows["estimate"], kept["estimate"])
    assert set(check_rows(res, "y", "x", lambda t: 0.0, role="biased")["role"]) == {"biased"}


def test_check_summary_counts_per_family_in_table_order():
    rows = [_est(estimator=f"b{k}", truth=1.0, family="b") for k in range(3)]
    rows += [_est(estimator="a0", truth=1.0, family="a"), _est(estimator="a1", truth=2.0, family="a")]  # z = -10
    out = method_check(pd.DataFrame(rows))
    s = check_summary(out)
    assert s.index.tolist() == ["b", "a"]
    assert s["estimates"].tolist() == [3, 2]
    assert s["covered_95"].tolist() == [3, 1]
    assert s.loc["a", "max_abs_z"] == pytest.approx(10.0)
    assert s.loc["a", "failures"] == 1 and s.loc["b", "failures"] == 0
    assert s.loc["a", "allowed_abs_z"] == pytest.approx(out.loc[out["family"] == "a", "critical"].max())
    with pytest.raises(ValueError, match="method_check"):
        check_summary(pd.DataFrame(rows))
