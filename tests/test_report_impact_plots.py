"""Bilingual impact figures of notebooks 04 and 90 (evalkit.report.impact_plots): what each draws, read back
from the figure (panels, artists, labels in both languages, drawn values equal to the input)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evalkit.impact import event_study, staggered_att  # noqa: E402
from evalkit.impact.check import method_check  # noqa: E402
from evalkit.impact.dgp import simulate_staggered_panel  # noqa: E402
from evalkit.report.impact_plots import (  # noqa: E402
    MODE_LABEL,
    ROLE_COLORS,
    ROLE_NAME,
    balance_plot,
    estimators_summary_plot,
    event_study_pair_plot,
    heterogeneity_plot,
    honest_did_plot,
    method_check_plot,
    naive_gap_plot,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _errorbar_points(ax):
    """(x, y) of every errorbar marker on ``ax``, container by container."""
    return [(c.lines[0].get_xdata(), c.lines[0].get_ydata()) for c in ax.containers]


def _ytick_texts(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def test_naive_gap_plot_draws_both_gaps_with_their_intervals():
    before = pd.Series({"estimate": 2.1, "ci_low": 1.5, "ci_high": 2.7})
    after = pd.Series({"estimate": 4.0, "ci_low": 3.2, "ci_high": 4.8})
    fig = naive_gap_plot(before, after, periods=("2022Q1-Q2", "2024"))
    (ax,) = fig.axes
    (x, y), = _errorbar_points(ax)
    assert list(x) == [2.1, 4.0] and list(y) == [1, 0]  # before on top
    assert _ytick_texts(ax) == ["2022Q1-Q2, before any training / sebelum pelatihan",
                                "2024, after training / setelah pelatihan"]
    # interval ends drawn = the input bounds
    segs = ax.containers[0].lines[2][0].get_segments()
    assert [tuple(s[:, 0]) for s in segs] == [(1.5, 2.7), (3.2, 4.8)]
    assert "Trained minus untrained" in ax.get_title() and "Terlatih" in ax.get_title()
    assert "Selisih" in ax.get_xlabel() and "difference" in ax.get_xlabel()
    assert any(np.allclose(line.get_xdata(), 0) for line in ax.lines)  # the zero line


def test_event_study_pair_plot_draws_each_result_on_its_panel():
    df = simulate_staggered_panel(n_units=200, n_periods=6, cohorts=(3, 4), seed=3)
    twfe = event_study(df, "y", "id", "t", "g", estimator="twfe")
    cs = staggered_att(df, "y", "id", "t", "g", aggregate="dynamic", base_period="universal")
    fig = event_study_pair_plot(twfe, cs, cluster_label="agency")
    left, right = fig.axes
    for ax, res in ((left, twfe), (right, cs)):
        tab = res.tidy().dropna(subset=["event_time"])
        (x, y), = _errorbar_points(ax)
        np.testing.assert_allclose(x, tab["event_time"].to_numpy(float))
        np.testing.assert_allclose(y, tab["estimate"].to_numpy(float))
        assert ax.get_xlabel() == "Kuartal sejak pelatihan pertama / quarters since first training"
    assert left.get_shared_y_axes().joined(left, right)
    assert "TWFE dinamis / dynamic TWFE" in left.get_title() and "by agency" in left.get_title()
    assert right.get_title().startswith("Callaway-Sant'Anna")
    assert left.get_ylabel() == "Efek (poin) / effect (points)" and right.get_ylabel() == ""


def _honest(ms, lows, highs):
    return pd.DataFrame({"M": [np.nan, *ms], "ci_low": lows, "ci_high": highs,
                         "method": ["original"] + ["robust"] * len(ms)})


def test_honest_did_plot_draws_the_original_and_one_bar_per_m():
    rm = _honest([0.5, 1.0], [1.0, 0.8, 0.2], [2.0, 2.2, 2.9])
    sd = _honest([0.0, 0.1, 0.2], [1.1, 0.9, 0.5, -0.1], [1.9, 2.1, 2.5, 3.0])
    fig = honest_did_plot(rm, sd)
    left, right = fig.axes
    for ax, hd, name in ((left, rm, "relative magnitudes"), (right, sd, "smoothness")):
        (bars,) = ax.collections
        segs = bars.get_segments()
        assert len(segs) == len(hd)
        np.testing.assert_allclose([s[0, 1] for s in segs], hd["ci_low"])
        np.testing.assert_allclose([s[1, 1] for s in segs], hd["ci_high"])
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks[0] == "asli /\noriginal" and ticks[1:] == [f"{m:g}" for m in hd["M"].iloc[1:]]
        assert name in ax.get_xlabel()
    assert "Sensitivitas" in fig._suptitle.get_text() and "Sensitivity" in fig._suptitle.get_text()


def test_balance_plot_draws_the_absolute_smd_before_and_after():
    bal = pd.DataFrame({"covariate": ["tenure", "sex"], "smd": [-0.4, 0.2], "smd_w": [0.05, -0.02]})
    fig = balance_plot(bal)
    (ax,) = fig.axes
    unweighted, weighted = ax.collections
    np.testing.assert_allclose(unweighted.get_offsets()[:, 0], [0.4, 0.2])
    np.testing.assert_allclose(weighted.get_offsets()[:, 0], [0.05, 0.02])
    assert _ytick_texts(ax) == ["tenure", "sex"]
    np.testing.assert_allclose(unweighted.get_offsets()[:, 1], [1, 0])  # first covariate on top
    assert "Selisih rerata terstandar" in ax.get_xlabel() and "standardised mean difference" in ax.get_xlabel()
    assert "Keseimbangan kovariat / Covariate balance" in ax.get_title()


def _het(with_regions=True):
    rows = [("mode (all regions)", "e-learning", 1.0), ("mode (all regions)", "klasikal", 3.0),
            ("mode (all regions)", "hybrid", 2.0),
            ("tenure (Sleman)", "20+ y", 0.5), ("tenure (Sleman)", "<10 y", 2.5), ("tenure (Sleman)", "10-19 y", 1.5),
            ("tenure (other regions)", "<10 y", 2.0), ("tenure (other regions)", "20+ y", 1.8)]
    if with_regions:
        rows += [("region", "Sleman", 2.2), ("region", "Kota Palu", 2.9)]
    d = pd.DataFrame(rows, columns=["dimension", "group", "estimate"])
    return d.assign(ci_low=d["estimate"] - 1, ci_high=d["estimate"] + 1)


def test_heterogeneity_plot_sorts_labels_and_colours_the_focus_region():
    fig = heterogeneity_plot(_het(), "Sleman", period="2024")
    mode, region, tenure = fig.axes
    # modes: largest on top, bilingual labels, an unlisted mode keeps its name
    assert _ytick_texts(mode) == [MODE_LABEL["klasikal"], "hybrid", "e-learning"]
    assert MODE_LABEL["klasikal"] == "klasikal / face-to-face"
    (x, _y), = _errorbar_points(mode)
    assert list(x) == [3.0, 2.0, 1.0]
    assert _ytick_texts(region) == ["Kota Palu", "Sleman"]
    # tenure: sorted by dimension name ("tenure (Sleman)" < "tenure (other regions)"), bands in order within
    # each, one colour per where
    assert _ytick_texts(tenure) == ["<10 y, Sleman", "10-19 y, Sleman", "20+ y, Sleman", "<10 y, lainnya / other",
                                    "20+ y, lainnya / other"]
    assert len(tenure.containers) == 2
    assert [t.get_text() for t in tenure.get_legend().get_texts()] == ["Sleman", "lainnya / other"]
    assert [ax.get_title() for ax in fig.axes] == ["Moda / delivery mode", "Wilayah / region",
                                                   "Masa kerja / tenure (2024)"]
    assert all(ax.get_xlabel() == "Efek (poin kualitas laporan) / effect (points)" for ax in fig.axes)


def test_heterogeneity_plot_says_when_there_is_one_region_only():
    fig = heterogeneity_plot(_het(with_regions=False), "Sleman")
    region = fig.axes[1]
    assert not region.axison
    assert [t.get_text() for t in region.texts] == ["satu wilayah saja / one region only"]


def _summary():
    rows = []
    for y in ("report_quality", "on_time_share"):
        for k, role in enumerate(["naive", "biased", "credible", "credible"]):
            est = (k + 1) * (1.0 if y == "report_quality" else 0.01)
            rows.append({"outcome": y, "role": role, "label_short": f"{role} {k}", "estimate": est,
                         "ci_low": est - 0.5, "ci_high": est + 0.5})
    return pd.DataFrame(rows)


def test_estimators_summary_plot_one_panel_per_outcome_coloured_by_role():
    s = _summary()
    fig = estimators_summary_plot(s)
    left, right = fig.axes
    assert left.get_title() == "Kualitas laporan / report quality"
    assert right.get_title() == "Ketepatan waktu / on-time share"
    assert right.get_legend() is None
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert legend == [ROLE_NAME["naive"], ROLE_NAME["biased"], ROLE_NAME["credible"]]
    for ax, y in ((left, "report_quality"), (right, "on_time_share")):
        drawn = np.concatenate([x for x, _ in _errorbar_points(ax)])
        np.testing.assert_allclose(np.sort(drawn), np.sort(s.loc[s["outcome"] == y, "estimate"]))
        colours = [matplotlib.colors.to_hex(c.lines[0].get_color()) for c in ax.containers]
        assert colours == [ROLE_COLORS["naive"].lower(), ROLE_COLORS["biased"].lower(),
                           ROLE_COLORS["credible"].lower()]


def _checked():
    def est(estimator, estimate, truth, role="credible", family="report_quality: headline", **kw):
        return {"estimator": estimator, "estimate": estimate, "std_error": 0.5, "ci_low": estimate - 1,
                "ci_high": estimate + 1, "truth": truth, "role": role, "family": family, **kw}

    rows = [est("rq: naive", 6.0, 3.0, role="naive", outcome="report_quality", label="naive gap",
                estimand="post window"),
            est("rq: CS", 3.2, 3.0, outcome="report_quality", label="CS", estimand="all post cells"),
            est("ot: CS", 0.05, 0.04, family="on_time_share: headline", outcome="on_time_share", label="CS",
                estimand="all post cells"),
            est("rq: CS e=0", 1.1, 1.0, family="report_quality: CS event time", outcome="report_quality",
                label="", estimand="")]
    return method_check(pd.DataFrame(rows))


def test_method_check_plot_headline_beside_every_check():
    checked = _checked()
    fig = method_check_plot(checked)
    left, right = fig.axes
    assert _ytick_texts(left) == ["naive gap  [2024]", "CS  [all post quarters]"]
    truth = [c for c in left.collections if c.get_label() == "truth"][0]
    np.testing.assert_allclose(truth.get_offsets()[:, 0], [3.0, 3.0])
    assert "Estimasi vs kebenaran / estimates vs truth" in left.get_title()
    # right: one row per family, every estimate's z drawn
    assert set(_ytick_texts(right)) == set(checked["family"])
    z = np.concatenate([c.get_offsets()[:, 0] for c in right.collections if c.get_label() in ROLE_COLORS])
    np.testing.assert_allclose(np.sort(z), np.sort(checked["z"].clip(-8, 8)))
    assert "(estimasi - kebenaran) / SE" in right.get_xlabel() and "(estimate - truth) / SE" in right.get_xlabel()
