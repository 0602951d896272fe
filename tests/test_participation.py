"""Participation funnel and the attendance model (AMEs vs statsmodels; planted strongest barrier)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from evalkit.participation import BARRIERS, attendance_model, funnel, strongest_barrier
from evalkit.report.participation_plots import funnel_plot

REGIONS = ["Mamuju", "Batanghari", "Ampenan"]


def _simulate(n=3000, seed=42, strong=None):
    """Invited ASN; attendance logit with a planted strongest barrier per region."""
    rng = np.random.default_rng(seed)
    strong = strong or {"Mamuju": "barrier_time", "Batanghari": "barrier_relevance", "Ampenan": "barrier_time"}
    emp = pd.DataFrame({"person_id": [f"p{i}" for i in range(n)],
                        "region": pd.Categorical(rng.choice(REGIONS, n), categories=REGIONS),
                        "golongan": pd.Categorical(rng.choice(["II/a", "III/b", "III/c", "IV/a"], n)),
                        "appointment_year": rng.integers(1990, 2022, n)})
    enr = pd.DataFrame({"person_id": emp["person_id"], "programme_id": "P1", "invited": True})
    for b in BARRIERS:
        enr[b] = rng.random(n) < 0.3
    eta = 1.2 + 0.02 * (2024 - emp["appointment_year"]) - 0.3 * (emp["golongan"] == "IV/a")
    for b in BARRIERS:
        coef = np.where(emp["region"].map(strong).astype(str) == b, -2.0, -0.3)
        eta = eta + coef * enr[b]
    enr["registered"] = rng.random(n) < 0.9
    enr["attended"] = enr["registered"] & (rng.random(n) < 1 / (1 + np.exp(-eta)))
    enr["completed"] = enr["attended"] & (rng.random(n) < 0.8)
    enr["attended"] = enr["attended"].astype(bool)
    return enr, emp, strong


def test_funnel_counts_and_shares():
    enr = pd.DataFrame({"person_id": list("abcde"), "programme_id": ["X", "X", "Y", "Y", "Y"],
                        "invited": [True] * 5, "registered": [True, True, True, False, True],
                        "attended": [True, False, True, False, True], "completed": [True, False, False, False, True]})
    emp = pd.DataFrame({"person_id": list("abcde"), "region": ["A", "A", "B", "B", "B"]})
    progs = pd.DataFrame({"programme_id": ["X", "Y"], "mode": ["klasikal", "e-learning"], "region": ["A", "B"]})
    out = funnel(enr, progs, emp, by="region")
    a = out[out["region"] == "A"].set_index("stage")
    assert list(a["n"]) == [2, 2, 1, 1]
    assert a.loc["attended", "share"] == 0.5 and a.loc["completed", "share"] == 1.0
    b = out[out["region"] == "B"].set_index("stage")
    assert list(b["n"]) == [3, 2, 2, 1] and b.loc["completed", "share_of_invited"] == pytest.approx(1 / 3)
    assert "region_programme" in funnel(enr, progs, emp, by="region_programme").columns
    assert set(funnel(enr, progs, emp, by="mode")["mode"]) == {"klasikal", "e-learning"}
    with pytest.warns(UserWarning, match="earlier"):
        funnel(enr.assign(registered=False), progs, emp)
    ax = funnel_plot(out, by="region")
    assert len(ax.patches) >= 8
    plt.close(ax.figure)


def test_ames_equal_statsmodels_get_margeff():
    enr, emp, _ = _simulate(n=1500, seed=1)
    ame, models = attendance_model(enr, emp, return_model=True)
    res = models[()]
    me = res.get_margeff(at="overall", method="dydx", dummy=True)
    ref = me.summary_frame()
    names = [t for t in ame["term"]]
    np.testing.assert_allclose(ame["estimate"].to_numpy(), me.margeff, atol=1e-8)
    np.testing.assert_allclose(ame["std_error"].to_numpy(), me.margeff_se, atol=1e-8)
    np.testing.assert_allclose(ame["ci_low"].to_numpy(), ref.iloc[:, 4].to_numpy(), atol=1e-8)
    assert names[:4] == list(BARRIERS)
    assert {"tenure", "rank[III]", "rank[IV]", "region[Batanghari]", "region[Ampenan]"} <= set(names)
    assert list(ame.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high", "n"]
    assert (ame["n"] == 1500).all()
    # refit independently with statsmodels on the same design: same likelihood
    assert isinstance(res.model, sm.Logit)


def test_strongest_barrier_planted_overall_and_per_region():
    enr, emp, strong = _simulate(n=4500, seed=3, strong={r: "barrier_time" for r in REGIONS})
    assert strongest_barrier(attendance_model(enr, emp)) == "barrier_time"
    enr, emp, strong = _simulate(n=4500, seed=4)
    per = attendance_model(enr, emp, by="region")
    assert "region" in per.columns and not per["term"].str.startswith("region[").any()
    top = strongest_barrier(per).set_index("region")["term"].to_dict()
    assert top == strong


def test_strongest_barrier_none_when_no_negative():
    df = pd.DataFrame({"term": list(BARRIERS), "estimate": [0.1, 0.0, 0.2, 0.05]})
    assert strongest_barrier(df) is None


def test_attendance_model_validation():
    enr, emp, _ = _simulate(n=200, seed=2)
    with pytest.raises(ValueError, match="barrier_time"):
        attendance_model(enr.drop(columns="barrier_time"), emp)
    with pytest.raises(ValueError, match="appointment_year"):
        attendance_model(enr, emp.drop(columns="appointment_year"))
    with pytest.raises(ValueError, match="constant"):
        attendance_model(enr.assign(attended=True), emp)
    with pytest.raises(ValueError, match="barrier_motivation"):
        attendance_model(enr.assign(barrier_motivation=2), emp)


def test_unidentified_groups_are_skipped_on_request():
    """A region where everybody attended has no logit; with on_unidentified="skip" the other regions' AMEs are
    the same as fitting them alone, the skipped region is named in a warning, and with every group skipped the
    result is an empty table with the tidy columns."""
    enr, emp, _ = _simulate(n=3000, seed=4)
    in_ampenan = enr["person_id"].map(emp.set_index("person_id")["region"]).astype(str).eq("Ampenan").to_numpy()
    enr.loc[in_ampenan, "attended"] = True
    with pytest.raises(ValueError, match="constant"):
        attendance_model(enr, emp, by="region")
    with pytest.warns(UserWarning, match="Ampenan"):
        per = attendance_model(enr, emp, by="region", on_unidentified="skip")
    assert set(per["region"].astype(str)) == {"Mamuju", "Batanghari"}
    alone = attendance_model(enr[~in_ampenan], emp, by="region")
    alone = alone[alone["region"].astype(str) != "Ampenan"]
    pd.testing.assert_frame_equal(per.reset_index(drop=True), alone.reset_index(drop=True), check_dtype=False,
                                  check_categorical=False)
    with pytest.warns(UserWarning, match="all"):
        none = attendance_model(enr.assign(attended=True), emp, on_unidentified="skip")
    assert none.empty and list(none.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low",
                                                 "ci_high", "n"]
    assert strongest_barrier(none) is None


# ------------------------------------------------------------------------------- attendance shares, AME plot


def test_attendance_shares_hand_computed():
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint

    from evalkit.participation import attendance_shares

    # region A: 4 invited, 3 attended with shares 1.0, 0.5, 0.9; region B: 2 invited, none attended;
    # one row not invited (excluded)
    enr = pd.DataFrame({"person_id": list("abcdefg"), "programme_id": "X",
                        "invited": [True] * 6 + [False], "attended": [True, True, True, False, False, False, True],
                        "attendance_share": [1.0, 0.5, 0.9, 0.0, 0.0, 0.0, 1.0]})
    emp = pd.DataFrame({"person_id": list("abcdefg"), "region": ["A"] * 4 + ["B"] * 3})
    out = attendance_shares(enr, employees=emp, by="region").set_index("region")
    a = out.loc["A"]
    assert (a["n"], a["n_attended"], a["n_share"]) == (4, 3, 3)
    assert a["attendance_rate"] == pytest.approx(0.75)
    lo, hi = proportion_confint(3, 4, method="wilson")
    assert (a["ci_low"], a["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    x = np.array([1.0, 0.5, 0.9])
    half = stats.t.ppf(0.975, 2) * x.std(ddof=1) / np.sqrt(3)
    assert a["mean_share"] == pytest.approx(0.8)
    assert a["share_ci_low"] == pytest.approx(0.8 - half) and a["share_ci_high"] == pytest.approx(0.8 + half)
    assert a["share_full"] == pytest.approx(1 / 3)
    b = out.loc["B"]
    assert b["n"] == 2 and b["attendance_rate"] == 0 and np.isnan(b["mean_share"])
    with pytest.raises(ValueError, match="between 0 and 1"):
        attendance_shares(enr.assign(attendance_share=1.5))
    with pytest.raises(TypeError, match="attended"):
        attendance_shares(enr.assign(attended=1))


def test_ame_plot_draws_every_group_and_term():
    from evalkit.report.participation_plots import ame_plot

    enr, emp, _ = _simulate(n=1500, seed=5)
    per = attendance_model(enr, emp, by="region")
    ax = ame_plot(per, by="region", labels={"barrier_time": "time"})
    # one errorbar container per region, each with one point per barrier, in percentage points
    assert len(ax.containers) == len(REGIONS)
    xs = np.concatenate([c.lines[0].get_xdata() for c in ax.containers])
    expected = 100 * per[per["term"].isin(BARRIERS)]["estimate"].to_numpy()
    np.testing.assert_allclose(np.sort(xs), np.sort(expected))
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "time"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="none of the terms"):
        ame_plot(per, terms=["nope"])


def test_funnel_plot_share_bars_and_intervals():
    enr, emp, _ = _simulate(n=600, seed=6)
    f = funnel(enr, employees=emp, by="region")
    ax = funnel_plot(f, by="region", share=True, order=REGIONS)
    heights = np.array([p.get_height() for p in ax.patches])
    expected = np.concatenate([100 * f[f["region"] == r].sort_values("stage")["share_of_invited"].to_numpy()
                               for r in REGIONS])
    np.testing.assert_allclose(heights, expected)
    assert len(ax.containers) == 2 * len(REGIONS)  # bars + error bars per region
    plt.close(ax.figure)
