"""Tests for evalkit.cost: unit costs, cost-effectiveness intervals, Phillips ROI, sensitivity and budget mixes."""

from __future__ import annotations

import itertools
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from evalkit import config, cost

matplotlib.use("Agg")


@pytest.fixture
def tables():
    programmes = pd.DataFrame({
        "programme_id": ["P1", "P2", "P3"],
        "title": ["Manajemen", "SIM", "Pelayanan"],
        "topic": ["manajemen", "teknologi", "pelayanan"],
        "mode": ["klasikal", "e-learning", "klasikal"],
        "jp": [10, 4, 20],
        "region": ["Mamuju", "Mamuju", "Ampenan"],
        "cost_rp": [10_000_000.0, 2_000_000.0, 9_000_000.0],
    })
    # P1 realised over two years 7 + 5 = 12 M (replaces cost_rp 10 M); P3 realised missing -> cost_rp 9 M;
    # P2 has no budget row -> cost_rp 2 M.
    budgets = pd.DataFrame({
        "region": ["Mamuju", "Mamuju", "Ampenan"],
        "year": [2023, 2024, 2024],
        "programme_id": ["P1", "P1", "P3"],
        "allocated_rp": [8e6, 6e6, 9e6],
        "realised_rp": [7e6, 5e6, np.nan],
    })

    def block(pid, inv, att, comp, extra_not_invited=0):
        rows = []
        for i in range(inv):
            rows.append((f"{pid}-{i}", pid, True, True, i < att, i < comp))
        for i in range(extra_not_invited):
            rows.append((f"{pid}-x{i}", pid, False, True, True, True))
        return rows

    rows = block("P1", 5, 4, 3) + block("P2", 10, 8, 4) + block("P3", 6, 6, 0)
    enrolments = pd.DataFrame(rows, columns=["person_id", "programme_id", "invited", "registered", "attended",
                                             "completed"])
    return programmes, enrolments, budgets


def test_cost_per_participant_by_region_hand_worked(tables):
    programmes, enrolments, budgets = tables
    out = cost.cost_per_participant(programmes, enrolments, budgets, by="region").set_index("region")
    # Mamuju: cost 12 M (P1 realised) + 2 M (P2 cost_rp) = 14 M; invited 5 + 10 = 15; attended 4 + 8 = 12;
    # completed 3 + 4 = 7; JP delivered 3*10 + 4*4 = 46.
    m = out.loc["Mamuju"]
    assert m["cost_rp"] == 14e6
    assert (m["n_invited"], m["n_attended"], m["n_completed"], m["jp_delivered"]) == (15, 12, 7, 46)
    assert m["cost_per_invited"] == pytest.approx(14e6 / 15)      # 933,333.33
    assert m["cost_per_attended"] == pytest.approx(14e6 / 12)     # 1,166,666.67
    assert m["cost_per_completed"] == pytest.approx(2e6)          # 14 M / 7
    assert m["cost_per_jp"] == pytest.approx(14e6 / 46)           # 304,347.83
    assert m["cost_realised_share"] == pytest.approx(12 / 14)
    assert m["hours_delivered"] == pytest.approx(46 * config.JP_MINUTES / 60)
    # Ampenan: 9 M (fallback), 6 invited, nobody completed -> per-completer and per-JP cost undefined
    a = out.loc["Ampenan"]
    assert a["cost_rp"] == 9e6 and a["cost_per_invited"] == pytest.approx(1.5e6)
    assert np.isnan(a["cost_per_completed"]) and np.isnan(a["cost_per_jp"])
    assert a["cost_realised_share"] == 0


def test_cost_per_participant_by_mode_and_without_budgets(tables):
    programmes, enrolments, budgets = tables
    by_mode = cost.cost_per_participant(programmes, enrolments, budgets, by=["mode"]).set_index("mode")
    # klasikal: 12 M + 9 M = 21 M; completed 3 + 0; JP 30 -> 700,000 per JP
    assert by_mode.loc["klasikal", "cost_per_jp"] == pytest.approx(700_000)
    no_budget = cost.cost_per_participant(programmes, enrolments, by=None)
    assert no_budget["cost_rp"].item() == 21e6  # 10 + 2 + 9 M from cost_rp
    assert no_budget["cost_per_completed"].item() == pytest.approx(21e6 / 7)


def test_not_invited_rows_do_not_count_as_invited(tables):
    programmes, enrolments, _ = tables
    extra = pd.DataFrame([("walk-in", "P2", False, True, True, True)], columns=enrolments.columns)
    out = cost.cost_per_participant(programmes, pd.concat([enrolments, extra]), by="programme_id")
    p2 = out.set_index("programme_id").loc["P2"]
    assert (p2["n_invited"], p2["n_attended"], p2["n_completed"]) == (10, 9, 5)


def test_phillips_roi_domain_example():
    r = cost.phillips_roi(60_000, 20_000)
    assert r["bcr"] == pytest.approx(3.0) and r["roi_pct"] == pytest.approx(200.0)
    assert r["net_benefits"] == 40_000
    tab = cost.phillips_roi([60_000, 10_000], 20_000)
    assert tab["roi_pct"].tolist() == pytest.approx([200.0, -50.0])
    with pytest.raises(ValueError):
        cost.phillips_roi(1.0, 0.0)


def test_monetisation_hand_worked():
    # 30 min = 0.5 h x 1,000 cases x Rp20.000/h = Rp10 M; x attribution 0.5 x confidence 0.8 = Rp4 M
    assert cost.monetise_time_savings(30, 1000, 20_000, attribution=0.5, confidence=0.8) == pytest.approx(4e6)
    # hour = 4.8 M x 1.25 / 150 = Rp40.000; 2 h x 10 people x 40.000 = 800.000 x 0.5 x 12 months = 4.8 M
    v = cost.monetise_staff_hours(2, 10, 4_800_000, 150, on_cost_share=0.25, attribution=0.5, confidence=1.0,
                                  periods=12)
    assert v == pytest.approx(4.8e6)
    with pytest.raises(ValueError):
        cost.monetise_time_savings(30, 1000, 20_000, attribution=1.5, confidence=0.8)


def test_delta_and_bootstrap_agree_for_precise_effect():
    # effect 2 with SE 0.04 (2 %): the ratio is nearly linear in the effect, so the delta interval and the
    # parametric-bootstrap percentile interval agree to within 1 % of the ratio.
    d = cost.cost_effectiveness(1e6, 2.0, 0.04, method="delta")
    b = cost.cost_effectiveness(1e6, 2.0, 0.04, method="bootstrap", n_boot=4000, rng=11)
    assert d["method"] == "delta" and b["method"] == "bootstrap"
    assert d["ratio"] == 500_000
    assert d["se"] == pytest.approx(1e6 * 0.04 / 4)
    tol = 0.01 * d["ratio"]
    assert abs(d["ci_low"] - b["ci_low"]) < tol and abs(d["ci_high"] - b["ci_high"]) < tol
    assert abs(d["se"] - b["se"]) < 0.05 * d["se"]


def test_imprecise_effect_switches_to_fieller_and_unbounded():
    with pytest.warns(RuntimeWarning, match="Fieller"):
        r = cost.cost_effectiveness(1e6, 2.0, 0.5)  # g = (1.96*0.5/2)^2 = 0.24
    z = 1.959963984540054
    assert r["method"] == "fieller" and r["bounded"]
    assert r["ci_low"] == pytest.approx(1e6 / (2 + z * 0.5)) and r["ci_high"] == pytest.approx(1e6 / (2 - z * 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        u = cost.cost_effectiveness(1e6, 2.0, 1.5)
        ub = cost.cost_effectiveness(1e6, 2.0, 1.5, method="bootstrap", rng=1)
    assert not u["bounded"] and np.isinf(u["ci_high"]) and u["ci_low"] == pytest.approx(1e6 / (2 + z * 1.5))
    assert not ub["bounded"] and np.isinf(ub["ci_high"])
    point = cost.cost_effectiveness(1e6, 4.0)
    assert point["ratio"] == 250_000 and np.isnan(point["ci_low"])


@pytest.mark.parametrize("method", ["delta", "fieller", "bootstrap"])
def test_ce_interval_coverage(method):
    # truth: cost 1 M, true effect 2 -> true ratio 500,000; estimated effect ~ N(2, 0.25^2)
    rng = np.random.default_rng(config.DEFAULT_SEED)
    truth, se = 2.0, 0.25
    hits = 0
    for i in range(200):
        e_hat = rng.normal(truth, se)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = cost.cost_effectiveness(1e6, e_hat, se, method=method, n_boot=1000, rng=i)
        hits += r["ci_low"] <= 1e6 / truth <= r["ci_high"]
    print(f"{method}: coverage {hits / 200:.3f}")
    assert hits / 200 >= 0.90


def test_roi_sensitivity_linear_grid():
    t = cost.roi_sensitivity(5.0, 1.0, 1e7, {"cases": [1000, 5000], "value_per_unit_rp": [1000, 2000],
                                            "attribution": [0.5, 1.0]})
    assert len(t) == 8
    row = t[(t.cases == 5000) & (t.value_per_unit_rp == 1000) & (t.attribution == 1.0)].iloc[0]
    # benefits = 5 x 5000 x 1000 = 25 M; BCR 2.5; ROI 150 %; break-even effect = 10 M / 5 M = 2
    assert row["benefits"] == pytest.approx(25e6) and row["bcr"] == pytest.approx(2.5)
    assert row["roi_pct"] == pytest.approx(150.0)
    assert row["bcr_low"] == pytest.approx((5 - 1.959963984540054) * 5e6 / 1e7)
    assert row["breakeven_effect"] == pytest.approx(2.0)
    from scipy.stats import norm

    assert row["p_roi_positive"] == pytest.approx(norm.cdf(3.0))
    # a custom (here identical) benefit function goes through root finding and gives the same table
    t2 = cost.roi_sensitivity(5.0, 1.0, 1e7, {"cases": [1000, 5000], "value_per_unit_rp": [1000, 2000],
                                             "attribution": [0.5, 1.0]},
                              benefit_fn=lambda e, cases, value_per_unit_rp, attribution:
                              e * cases * value_per_unit_rp * attribution)
    pd.testing.assert_frame_equal(t, t2, rtol=1e-6)
    with_cost = cost.roi_sensitivity(5.0, 1.0, 1e7, {"cases": [5000], "value_per_unit_rp": [1000],
                                                     "cost": [1e7, 2.5e7]})
    assert with_cost["bcr"].tolist() == pytest.approx([2.5, 1.0])


OPTIONS = pd.DataFrame({
    "mode": ["klasikal", "e-learning", "workshop"],
    "cost_per_participant": [5e6, 1e6, 3e6],
    "effect_per_participant": [10.0, 1.5, 8.0],
    "effect_se": [2.0, 0.5, 1.5],
})


def _brute_force(budget, opts, lo, hi, weight, step=0.1):
    c = opts["cost_per_participant"].to_numpy()
    best = -np.inf
    ticks = np.round(np.arange(0, 1 + 1e-9, step), 10)
    for sh in itertools.product(ticks, repeat=len(c)):
        sh = np.array(sh)
        if sh.sum() > 1 + 1e-9 or (sh < lo - 1e-9).any() or (sh > hi + 1e-9).any():
            continue
        best = max(best, float(weight @ (sh * budget / c)))
    return best


@pytest.mark.parametrize("lo, hi", [(0.1, 0.6), (0.0, 1.0), (0.2, 0.5)])
def test_budget_lp_equals_brute_force(lo, hi):
    budget = 1e8
    t = cost.budget_scenarios(budget, OPTIONS, min_share=lo, max_share=hi)
    tot = t.drop_duplicates("scenario").set_index("scenario")
    e = OPTIONS["effect_per_participant"].to_numpy()
    assert tot.loc["max reach", "total_participants"] == pytest.approx(
        _brute_force(budget, OPTIONS, lo, hi, np.ones(3)))
    assert tot.loc["max impact", "total_impact"] == pytest.approx(_brute_force(budget, OPTIONS, lo, hi, e))
    assert tot.loc[["max reach", "max impact"], "feasible"].all()
    assert (tot["total_spend_rp"] <= budget * (1 + 1e-9)).all()
    g = cost.budget_scenarios(budget, OPTIONS, min_share=lo, max_share=hi, method="grid", grid_step=0.1)
    gt = g.drop_duplicates("scenario").set_index("scenario")
    assert gt.loc["max impact", "total_impact"] == pytest.approx(tot.loc["max impact", "total_impact"])


def test_budget_scenarios_all_in_and_unconstrained():
    t = cost.budget_scenarios(1e8, OPTIONS, integer=True)
    tot = t.drop_duplicates("scenario").set_index("scenario")
    # all-in: 100 M / 5 M = 20 klasikal (impact 200), 100 e-learning (150), 33 workshop (264)
    assert tot.loc["all klasikal", "total_participants"] == 20
    assert tot.loc["all workshop", "total_participants"] == 33
    assert tot.loc["all workshop", "total_impact"] == pytest.approx(264)
    # unconstrained optimum = best single mode (lowest cost for reach, highest effect per rupiah for impact)
    assert tot.loc["max reach", "total_participants"] == 100
    assert tot.loc["max impact", "total_impact"] == pytest.approx(264)
    ci_half = tot.loc["all klasikal", "total_impact_high"] - tot.loc["all klasikal", "total_impact"]
    assert ci_half == pytest.approx(1.959963984540054 * 20 * 2.0)


def test_budget_scenarios_capacity_and_infeasible():
    opts = OPTIONS.assign(max_participants=[np.nan, 40, np.nan])
    tot = cost.budget_scenarios(1e8, opts).drop_duplicates("scenario").set_index("scenario")
    # 40 e-learning (40 M) then the cheapest remaining is workshop: 60 M / 3 M = 20 -> 60 people
    assert tot.loc["max reach", "total_participants"] == pytest.approx(60)
    with pytest.warns(RuntimeWarning, match="no mix"):
        t = cost.budget_scenarios(1e8, opts, min_share={"e-learning": 0.9})
    assert "max reach" not in set(t["scenario"])


def test_budget_scenarios_plot_returns_axes():
    import matplotlib.pyplot as plt

    t = cost.budget_scenarios(1e8, OPTIONS, min_share=0.1, max_share=0.6)
    ax = cost.budget_scenarios_plot(t)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.get_yticklabels()) == t["scenario"].nunique()
    plt.close(ax.figure)
