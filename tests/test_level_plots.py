"""Figures of the Kirkpatrick levels (evalkit.report.level_plots): what each draws, counted on the figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from evalkit.report.level_plots import learning_gain_plot, rater_gap_plot, service_trends_plot  # noqa: E402


def test_learning_gain_plot_orders_modes_and_draws_insignificant_programmes_hollow():
    by_mode = pd.DataFrame({"mode": ["e-learning", "klasikal"], "estimate": [6.0, 10.0], "ci_low": [5.0, 9.0],
                            "ci_high": [7.0, 11.0]})
    prog = pd.DataFrame({"mode": ["klasikal", "klasikal", "e-learning"], "estimate": [9.0, 11.0, 0.5],
                         "ci_low": [8.0, 10.0, -1.0], "ci_high": [10.0, 12.0, 2.0], "p_holm": [0.001, 0.01, 0.6]})
    fig = learning_gain_plot(by_mode, prog)
    left, right = fig.axes[:2]
    assert [x.get_text().split("\n")[1] for x in left.get_yticklabels()] == ["face-to-face (classroom)",
                                                                              "e-learning (online)"]
    filled = [c for c in right.collections if c.get_offsets().shape[0] and c.get_facecolor().shape[0]
              and not np.allclose(c.get_facecolor()[0][:3], 1.0)]
    hollow = [c for c in right.collections if c.get_offsets().shape[0] and c.get_facecolor().shape[0]
              and np.allclose(c.get_facecolor()[0][:3], 1.0)]
    assert sum(len(c.get_offsets()) for c in filled) == 2  # the two klasikal programmes (p_holm < 0.05)
    assert sum(len(c.get_offsets()) for c in hollow) == 1  # the e-learning programme with p_holm 0.6
    assert "SK 95%" in right.get_xlabel()
    plt.close(fig)


def test_rater_gap_plot_has_a_point_per_role_and_region_and_the_overall_gap_first():
    regions = ["Sleman", "Kota Palu"]
    scores = pd.DataFrame([{"region": r, "rater_role": role, "mean": 3.5 + k, "ci_low": 3.0 + k, "ci_high": 4.0 + k}
                           for r in regions for k, role in enumerate(["self", "supervisor", "peer"])])
    gap_all = pd.DataFrame({"estimate": [0.3], "ci_low": [0.1], "ci_high": [0.5]})
    gap_reg = pd.DataFrame({"region": regions, "estimate": [0.2, 0.4], "ci_low": [0.0, 0.1], "ci_high": [0.4, 0.7]})
    fig = rater_gap_plot(scores, gap_all, gap_reg, regions)
    left, right = fig.axes[:2]
    assert [x.get_text() for x in left.get_xticklabels()] == regions
    assert len(left.get_legend().get_texts()) == 3
    assert [x.get_text() for x in right.get_yticklabels()] == ["Semua / All", *regions]
    plt.close(fig)


def test_service_trends_plot_draws_one_line_per_region_in_each_panel():
    months = pd.to_datetime(["2024-01-01", "2024-04-01", "2024-07-01"])
    trends = pd.DataFrame([{"region": r, "month": m, "wait_minutes": 30.0, "processing_days": 3.0,
                            "resolution_rate": 0.8, "ci_low": 0.7, "ci_high": 0.9}
                           for r in ("Sleman", "Kota Palu") for m in months])
    fig = service_trends_plot(trends, ["Sleman", "Kota Palu"])
    assert [len(ax.get_lines()) for ax in fig.axes[:3]] == [2, 2, 2]
    assert len(fig.axes[2].collections) == 2  # the resolved share's interval per region
    plt.close(fig)
