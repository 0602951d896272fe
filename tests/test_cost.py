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


# ------------------------------------------------------------------------------------------- budgets, findings
def test_budget_realisation_hand_worked(tables):
    _, _, budgets = tables
    out = cost.budget_realisation(budgets).set_index("region")
    # Mamuju: realised 7 + 5 = 12 M of 8 + 6 = 14 M; Ampenan's only row has no realised amount -> left out
    assert out.loc["Mamuju", "realisation"] == pytest.approx(12 / 14)
    assert out.loc["Mamuju", "n_rows"] == 2 and "Ampenan" not in out.index
    assert cost.budget_realisation(budgets, by=None)["realised_rp"].item() == 12e6


def _mode_panel(seed=3, n_never=600, n_per_mode=300, T=8):
    """Person x period panel with constant, known effects per mode (truth: klasikal 5, e-learning 2)."""
    rng = np.random.default_rng(seed)
    truth = {"klasikal": 5.0, "e-learning": 2.0}
    rows = []
    pid = 0
    for mode, n in [(None, n_never), *[(m, n_per_mode) for m in truth]]:
        for _ in range(n):
            pid += 1
            g = 0 if mode is None else int(rng.integers(3, T + 1))
            a = rng.normal(60, 5)
            for t in range(1, T + 1):
                d = int(g > 0 and t >= g)
                y = a + 0.3 * t + (truth[mode] * d if mode else 0) + rng.normal(0, 2)
                rows.append((f"P{pid}", t, g, mode, d, y))
    return pd.DataFrame(rows, columns=["person_id", "t", "gname", "first_mode", "treated_post", "y"]), truth


def test_impact_by_mode_recovers_planted_effects():
    from evalkit.impact import staggered_att

    panel, truth = _mode_panel()
    eff = cost.impact_by_mode(panel, "y").set_index("mode")
    assert list(eff.index) == ["all", "e-learning", "klasikal"]
    for m, tau in truth.items():   # within 4 SE of the planted (constant) effect
        assert abs(eff.loc[m, "estimate"] - tau) < 4 * eff.loc[m, "std_error"], (m, eff.loc[m])
        assert eff.loc[m, "n_treated"] == 300
    # the per-mode effect is the Callaway-Sant'Anna simple ATT of the mode's trained against the never-trained
    sub = panel[(panel.gname == 0) | (panel.first_mode == "klasikal")]
    ref = staggered_att(sub, "y", "person_id", "t", "gname").tidy().set_index("term").loc["ATT"]
    assert eff.loc["klasikal", "estimate"] == pytest.approx(ref["estimate"], rel=1e-10)
    assert eff.loc["klasikal", "std_error"] == pytest.approx(ref["std_error"], rel=1e-8)
    assert eff.loc["all", "estimate"] == pytest.approx(
        staggered_att(panel, "y", "person_id", "t", "gname").tidy().set_index("term").loc["ATT", "estimate"])
    assert (eff["estimator"] == "Callaway-Sant'Anna simple ATT (never-treated controls)").all()
    assert cost.impact_by_mode(panel, "y", min_treated=400)["mode"].tolist() == ["all"]


def test_cost_effectiveness_table_matches_single_calls_and_ranks():
    unit = pd.DataFrame({"mode": ["klasikal", "e-learning", "seminar"],
                         "cost_per_completed": [5e6, 1.8e6, 2e6]})
    eff = pd.DataFrame({"mode": ["e-learning", "klasikal", "seminar", "all"], "estimate": [2.0, 5.0, -0.5, 3.0],
                        "std_error": [0.1, 0.1, 0.4, 0.1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the table catches cost_effectiveness's warnings itself
        ce = cost.cost_effectiveness_table(unit, eff, rng=5, n_boot=500)
    # e-learning 1.8 M / 2 = 900,000 < klasikal 5 M / 5 = 1,000,000; seminar (harm) last
    assert ce["mode"].tolist() == ["e-learning", "klasikal", "seminar"]
    row = ce.iloc[0]
    d = cost.cost_effectiveness(1.8e6, 2.0, 0.1, method="delta")
    assert row["ratio"] == pytest.approx(900_000) and row["ci_low"] == pytest.approx(d["ci_low"])
    assert row["impact_per_budget"] == pytest.approx(1e8 / 1.8e6 * 2.0)
    assert "negative" in ce.iloc[2]["note"]
    again = cost.cost_effectiveness_table(unit.iloc[::-1], eff.iloc[::-1], rng=5, n_boot=500)
    pd.testing.assert_frame_equal(ce, again)   # bootstrap draws do not depend on row order
    assert cost.most_cost_effective_mode(ce) == "e-learning"
    # an imprecise effect does not win even with the lowest ratio
    ce2 = pd.concat([ce, pd.DataFrame([{"mode": "x", "ratio": 1.0, "effect": 1.0, "effect_se": 1.0}])])
    assert cost.most_cost_effective_mode(ce2) == "e-learning"
    assert cost.most_cost_effective_mode(ce2[ce2["mode"].isin(["x", "seminar"])]) == "x"
    assert cost.most_cost_effective_mode(ce[ce["mode"] == "seminar"]) is None


def test_findings_for_region_keys_and_values(tables):
    programmes, enrolments, budgets = tables
    eff = pd.DataFrame({"mode": ["klasikal", "e-learning"], "estimate": [5.0, 1.0], "std_error": [0.1, 0.1]})
    f = cost.findings_for_region("Mamuju", programmes, enrolments, budgets, eff)
    assert set(f) == {"most_cost_effective_mode", "cost_per_participant_rp", "budget_realisation"}
    # Mamuju: klasikal P1 12 M / 3 completers = 4 M per unit of 5 -> 800,000; e-learning 2 M / 4 = 0.5 M per 1
    # -> 500,000: e-learning wins, at 500,000 per completer
    assert f["most_cost_effective_mode"] == "e-learning"
    assert f["cost_per_participant_rp"] == pytest.approx(500_000)
    assert f["budget_realisation"] == pytest.approx(12 / 14)
    from evalkit.report.recommend import recommend

    assert "mode_mix" in recommend(f, "en")["rule_id"].tolist()
    none = cost.findings_for_region("Ampenan", programmes, enrolments, None, eff)
    assert none == {"most_cost_effective_mode": None, "cost_per_participant_rp": None, "budget_realisation": None}


def test_mode_options_feed_budget_scenarios():
    unit = pd.DataFrame({"mode": ["klasikal", "e-learning", "seminar"], "cost_per_completed": [5e6, 1e6, np.nan]})
    eff = pd.DataFrame({"mode": ["e-learning", "klasikal", "seminar", "all"], "estimate": [1.5, 10.0, 1.0, 3.0],
                        "std_error": [0.5, 2.0, 0.4, 0.1]})
    opts = cost.mode_options(unit, eff, max_participants=50)
    assert opts["mode"].tolist() == ["e-learning", "klasikal"]
    assert opts["max_participants"].tolist() == [50.0, 50.0]
    tot = cost.budget_scenarios(1e8, opts).drop_duplicates("scenario").set_index("scenario")
    # 50 e-learning (50 M) then 10 klasikal (50 M) = 60 people; impact 50 x 1.5 + 10 x 10 = 175
    assert tot.loc["max reach", "total_participants"] == pytest.approx(60)
    # impact: klasikal 10/5 M = 2 per M beats 1.5 per M: 20 klasikal = 200
    assert tot.loc["max impact", "total_impact"] == pytest.approx(200)


# ------------------------------------------------------------------------------------------- services and ROI
def _service_panel(seed=2):
    rng = np.random.default_rng(seed)
    rows = []
    slopes = {"A": -20.0, "B": -5.0}
    for region, slope in slopes.items():
        for u in range(6):
            base = rng.normal(40, 5)
            start = rng.uniform(0, 0.2)
            for m in range(24):
                share = min(1.0, start + m * rng.uniform(0.005, 0.03))
                y = base - 0.2 * m + slope * share + rng.normal(0, 1.5)
                rows.append((region, f"U{u}", f"2023-{m + 1:02d}" if m < 12 else f"2024-{m - 11:02d}",
                             share, y, 100 + u))
    df = pd.DataFrame(rows, columns=["region", "unit", "month", "trained_share", "wait_minutes", "volume"])
    df["month"] = pd.to_datetime(df["month"] + "-01")
    return df, slopes


def test_service_effects_match_pyfixest():
    import pyfixest as pf
    df, slopes = _service_panel()
    out = cost.service_effects(df, "wait_minutes").set_index("region")
    d = df.assign(uid=df["region"] + "|" + df["unit"], sA=df["trained_share"] * (df["region"] == "A"),
                  sB=df["trained_share"] * (df["region"] == "B"), mid=df["month"].dt.strftime("%Y-%m"))
    fit = pf.feols("wait_minutes ~ sA + sB | uid + mid", data=d, vcov={"CRV1": "uid"})
    assert out.loc["A", "estimate"] == pytest.approx(fit.coef()["sA"], rel=1e-8)
    assert out.loc["B", "std_error"] == pytest.approx(fit.se()["sB"], rel=1e-6)
    for r, s in slopes.items():
        assert out.loc[r, "ci_low"] < s < out.loc[r, "ci_high"]
    assert out.loc["A", "n_units"] == 6 and out.loc["A", "cases_last_year"] == 12 * sum(100 + u for u in range(6))


def test_service_benefits_and_roi_hand_worked():
    wait = pd.DataFrame({"region": ["A"], "estimate": [-30.0], "std_error": [5.0], "share_start": [0.1],
                         "share_end": [0.3], "cases_last_year": [10_000.0]})
    proc = wait.assign(estimate=-1.0, std_error=0.5)
    a = {"citizen_value_per_hour_rp": 20_000, "staff_monthly_pay_rp": 5_200_000, "staff_on_cost_share": 0.25,
         "staff_hours_per_month": 162.5, "staff_minutes_per_case_day": 6, "attribution": 0.5, "confidence": 0.8,
         "years": 1}
    b = cost.service_benefits(wait, proc, a, isolation="estimates").set_index("stream")
    # waiting: 30 min x 0.2 coverage = 6 min/case x 10,000 = 1,000 h x Rp20.000 = 20 M x 0.4 = 8 M
    assert b.loc["citizen_waiting_time", "benefits"] == pytest.approx(8e6)
    assert b.loc["citizen_waiting_time", "benefits"] == pytest.approx(
        cost.monetise_time_savings(6, 10_000, 20_000, attribution=0.5, confidence=0.8))
    # staff: 1 day x 0.2 = 0.2 day/case x 6 min = 1.2 min/case -> 200 h; hour = 5.2 M x 1.25 / 162.5 = 40,000
    # -> 8 M x 0.4 = 3.2 M
    assert b.loc["staff_hours", "benefits"] == pytest.approx(3.2e6)
    z = 1.959963984540054
    assert b.loc["citizen_waiting_time", "benefits_low"] == pytest.approx(8e6 * (30 - z * 5) / 30)
    roi = cost.roi_by_region(b.reset_index(), pd.Series({"A": 5.6e6})).iloc[0]
    assert roi["bcr"] == pytest.approx(11.2e6 / 5.6e6) and roi["roi_pct"] == pytest.approx(100.0)
    se = np.hypot(8e6 * 5 / 30, 3.2e6 * 0.5 / 1)
    assert roi["benefits_low"] == pytest.approx(11.2e6 - z * se)
    from scipy.stats import norm

    assert roi["p_roi_positive"] == pytest.approx(norm.cdf((11.2e6 - 5.6e6) / se))
    with pytest.raises(ValueError, match="unknown assumption"):
        cost.service_benefits(wait, assumptions={"wage": 1})


def test_service_benefits_control_group_isolation_is_not_discounted_again():
    """Phillips & Phillips (2005): a control group IS the isolation step, so an effect estimated against a
    comparison group (DiD, Callaway-Sant'Anna, unit + month fixed effects) takes attribution 1 and no
    confidence discount; the estimate-based adjustment (attribution x confidence) is for participant / manager
    estimates only."""
    wait = pd.DataFrame({"region": ["A"], "estimate": [-30.0], "std_error": [5.0], "share_start": [0.1],
                         "share_end": [0.3], "cases_last_year": [10_000.0]})
    b = cost.service_benefits(wait).iloc[0]  # default: control group
    # 30 min x 0.2 coverage = 6 min/case x 10,000 = 1,000 h x Rp20.000 = 20 M, no 0.5 x 0.8 discount
    assert b["benefits"] == pytest.approx(20e6)
    assert b["isolation"] == "control_group" and b["attribution_applied"] == 1.0 and b["confidence_applied"] == 1.0
    assert b["benefits"] == pytest.approx(cost.monetise_time_savings(6, 10_000, 20_000, isolation="control_group"))
    est = cost.service_benefits(wait, isolation="estimates").iloc[0]
    assert est["benefits"] == pytest.approx(20e6 * 0.5 * 0.8)
    with pytest.raises(ValueError, match="control_group"):
        cost.service_benefits(wait, assumptions={"attribution": 0.5})
    with pytest.raises(ValueError, match="control_group"):
        cost.monetise_time_savings(6, 10_000, 20_000, attribution=0.5, confidence=1.0, isolation="control_group")
    with pytest.raises(ValueError, match="attribution"):
        cost.monetise_time_savings(6, 10_000, 20_000)
    with pytest.raises(ValueError, match="isolation"):
        cost.service_benefits(wait, isolation="both")
    tab = cost.roi_assumptions_table()
    row = tab.set_index("parameter").loc["attribution"]
    assert row["value"] == 0.5 and row["applied"] == 1.0 and "control group" in row["meaning"]
    assert tab.set_index("parameter").loc["isolation", "applied"] == "control_group"
    assert cost.roi_assumptions_table(isolation="estimates").set_index("parameter").loc["confidence", "applied"] == 0.8


def test_roi_sensitivity_control_group_rejects_estimate_adjustments():
    grid = {"cases": [1000], "value_per_unit_rp": [1000, 2000]}
    t = cost.roi_sensitivity(5.0, 1.0, 1e7, grid, isolation="control_group")
    assert (t["isolation"] == "control_group").all()
    with pytest.raises(ValueError, match="control_group"):
        cost.roi_sensitivity(5.0, 1.0, 1e7, {**grid, "attribution": [0.5, 1.0]}, isolation="control_group")


def test_roi_intervals_carry_the_effect_uncertainty_by_simulation():
    """roi_by_region(method="simulation"): effects drawn from N(estimate, se) per stream (seeded default_rng),
    BCR percentile interval; agrees with the analytic normal interval (benefits are linear in the effect)."""
    wait = pd.DataFrame({"region": ["A"], "estimate": [-30.0], "std_error": [5.0], "share_start": [0.1],
                         "share_end": [0.3], "cases_last_year": [10_000.0]})
    b = cost.service_benefits(wait, wait.assign(estimate=-1.0, std_error=0.5))
    an = cost.roi_by_region(b, pd.Series({"A": 5.6e6})).iloc[0]
    sim = cost.roi_by_region(b, pd.Series({"A": 5.6e6}), method="simulation", n_sim=20_000, rng=3).iloc[0]
    assert an["bcr_high"] - an["bcr_low"] > 0
    assert sim["bcr_low"] == pytest.approx(an["bcr_low"], rel=0.02)
    assert sim["bcr_high"] == pytest.approx(an["bcr_high"], rel=0.02)
    assert sim["p_roi_positive"] == pytest.approx(an["p_roi_positive"], abs=0.01)
    again = cost.roi_by_region(b, pd.Series({"A": 5.6e6}), method="simulation", n_sim=20_000, rng=3).iloc[0]
    assert again["bcr_low"] == sim["bcr_low"]


def _dynamic_mode_panel(seed=11, n_per_mode=400, n_never=400, T=8):
    """Staggered adoption, effects growing with time since training and differing by mode:
    tau = base[mode] x (1 + 0.6 e), e = t - g. Truth of the simple ATT: mean of tau over treated post cells."""
    rng = np.random.default_rng(seed)
    base = {"klasikal": 2.0, "e-learning": 0.8}
    rows, taus = [], {m: [] for m in base}
    pid = 0
    for mode in [None] + [m for m in base for _ in range(n_per_mode)]:
        if mode is None:
            modes = [None] * n_never
        else:
            modes = [mode]
        for md in modes:
            pid += 1
            g = 0 if md is None else int(rng.choice([3, 5, 7]))
            a = rng.normal(60, 5)
            for t in range(1, T + 1):
                d = int(g > 0 and t >= g)
                tau = base[md] * (1 + 0.6 * (t - g)) if d else 0.0
                if d:
                    taus[md].append(tau)
                rows.append((f"P{pid}", t, g, md, d, a + 0.4 * t + tau + rng.normal(0, 2)))
    panel = pd.DataFrame(rows, columns=["person_id", "t", "gname", "first_mode", "treated_post", "y"])
    return panel, {m: float(np.mean(v)) for m, v in taus.items()}


def test_impact_by_mode_is_heterogeneity_robust():
    """Growing effects under staggered adoption: static TWFE is biased (Goodman-Bacon 2021; de Chaisemartin &
    D'Haultfoeuille 2020); the per-mode CS ATT recovers the planted truth (computed here from the planted
    effects) and the TWFE estimate does not."""
    from evalkit.impact import did

    panel, truth = _dynamic_mode_panel()
    eff = cost.impact_by_mode(panel, "y").set_index("mode")
    for m, tau in truth.items():
        assert abs(eff.loc[m, "estimate"] - tau) < 3.5 * eff.loc[m, "std_error"], (m, tau, eff.loc[m])
        sub = panel[(panel.gname == 0) | (panel.first_mode == m)]
        tw = did(sub, "y", "person_id", "t", "treated_post").tidy().iloc[0]
        assert abs(tw["estimate"] - tau) > 5 * tw["std_error"]  # the old definition misses the truth


def test_impact_by_mode_against_synthetic_world_truth():
    """The demo generator's truth: per-mode simple ATT = mean of the planted tau over the treated post cells
    (evalkit.synth.generator._att_block, ``by_mode`` of data/truth/*.json after ``evalkit synth``), here from
    the world simulated in memory. Inference clustered by agency (the world has agency x quarter shocks);
    checked with intervals (3.5 SE for 6 modes), not fixed numbers."""
    from evalkit.synth import world as W

    w = W.simulate(np.random.default_rng(2024), 4000)
    perf = w.performance.merge(w.employees[["_pid", "agency"]], on="_pid", how="left")
    quarters = sorted(perf["period"].unique())
    t_of = {q: i + 1 for i, q in enumerate(quarters)}
    panel = pd.DataFrame({"person_id": perf["_pid"], "t": perf["period"].map(t_of),
                          "gname": perf["_gname"].map(t_of).fillna(0).astype(int),
                          "first_mode": perf["_mode"], "y": perf["report_quality"],
                          "agency_id": perf["region"].astype(str) + " / " + perf["agency"].astype(str)})
    panel["treated_post"] = ((panel.gname > 0) & (panel.t >= panel.gname)).astype(int)
    cells = perf[perf["_event_time"].notna()]
    truth = cells.groupby("_mode")["_tau_report_quality"].mean()
    eff = cost.impact_by_mode(panel, "y", cluster="agency_id", min_treated=60).set_index("mode")
    assert len(eff) >= 4
    for m, r in eff.iterrows():
        tau = float(cells["_tau_report_quality"].mean()) if m == "all" else float(truth[m])
        assert abs(r["estimate"] - tau) < 3.5 * r["std_error"], (m, tau, r.to_dict())


def test_mode_cost_effectiveness_one_definition():
    """Cost per unit of effect = cost per completer / CS ATT per participant; the output names both; the
    region finding and the report use the same function."""
    unit = pd.DataFrame({"mode": ["klasikal", "e-learning", "seminar"], "cost_per_completed": [5e6, 1.8e6, 2e6],
                         "n_completed": [40, 60, 3]})
    eff = pd.DataFrame({"mode": ["e-learning", "klasikal", "seminar", "all"], "estimate": [2.0, 5.0, 4.0, 3.0],
                        "std_error": [0.1, 0.1, 0.4, 0.1], "n_treated": [60, 40, 3, 103],
                        "outcome": "report_quality",
                        "estimator": "Callaway-Sant'Anna simple ATT (never-treated controls)"})
    best, ce = cost.mode_cost_effectiveness(unit, eff, rng=1, n_boot=200)
    assert best == "seminar"  # 2 M / 4 = 500,000 beats e-learning 900,000
    row = ce.set_index("mode").loc["e-learning"]
    assert row["ratio"] == pytest.approx(1.8e6 / 2.0)
    assert row["cost_measure"] == "cost_per_completed"
    assert row["effect_measure"] == "Callaway-Sant'Anna simple ATT (never-treated controls) on report_quality"
    assert row["n_completed"] == 60
    best2, ce2 = cost.mode_cost_effectiveness(unit, eff, rng=1, n_boot=200, min_completed=5, min_modes=2)
    assert best2 == "e-learning" and "seminar" not in set(ce2["mode"])
    assert cost.mode_cost_effectiveness(unit.iloc[:1], eff, rng=1, n_boot=200, min_modes=2)[0] is None


def test_jp_rule_budget_hand_worked(tables):
    """The 20 JP scenario from the hand-worked unit costs above (klasikal 700,000 per JP; e-learning P2: 2 M over
    4 completers x 4 JP = 125,000 per JP; mix 23 M / 46 JP = 500,000 per JP, the by=None cost per JP)."""
    programmes, enrolments, budgets = tables
    by_mode = cost.cost_per_participant(programmes, enrolments, budgets, by="mode")
    jp = [0.0] * 10 + [12.0] * 5 + [25.0] * 5          # gap: 10 x 20 + 5 x 8 + 0 = 240 JP
    out = cost.jp_rule_budget(by_mode, 20, jp_per_person=jp, current_budget_rp=23e6).set_index("scenario")
    assert list(out.index) == ["e-learning", "klasikal", "observed_mix"]
    assert out.loc["klasikal", "cost_per_jp"] == pytest.approx(700_000)
    assert out.loc["e-learning", "cost_per_jp"] == pytest.approx(125_000)
    overall = cost.cost_per_participant(programmes, enrolments, budgets, by=None)["cost_per_jp"].item()
    assert out.loc["observed_mix", "cost_per_jp"] == pytest.approx(overall) == pytest.approx(23e6 / 46)
    assert (out["jp_all"] == 400).all() and (out["jp_gap"] == 240).all()
    assert out.loc["klasikal", "cost_all_rp"] == pytest.approx(280e6)
    assert out.loc["klasikal", "cost_gap_rp"] == pytest.approx(168e6)
    assert out.loc["observed_mix", "times_budget_all"] == pytest.approx(400 * 23e6 / 46 / 23e6)
    # no JP per person: no gap; no budget: no ratio; a mode that delivered no JP has no cost per JP
    bare = cost.jp_rule_budget(by_mode, 20)
    assert bare["jp_gap"].isna().all() and bare["times_budget_all"].isna().all()
    with pytest.raises(ValueError, match="jp_per_person"):
        cost.jp_rule_budget(by_mode, 20, jp_per_person=[1.0, np.nan])
