"""Bilingual figures of the Kirkpatrick levels drawn by notebook 03 (and usable on any office's tables).

* :func:`learning_gain_plot` (L2): the pre/post gain by delivery mode beside the gain of every programme,
  programmes whose gain is not different from zero after Holm's correction drawn hollow;
* :func:`rater_gap_plot` (L3): the application score by rater role per region, and the self-minus-supervisor
  gap overall and per region;
* :func:`service_trends_plot` (L4): waiting time, processing time and the share of complaints resolved per
  period and region, the share with its interval.

Each takes the tables the measures return (column names below), draws in Indonesian and English, and returns
the matplotlib figure; saving is the caller's (:func:`evalkit.report.figures.save_figure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.report.text import t

__all__ = ["learning_gain_plot", "rater_gap_plot", "service_trends_plot"]


def _both(key: str, sep: str = " /\n") -> str:
    return t(key, "id") + sep + t(key, "en")


def learning_gain_plot(by_mode: pd.DataFrame, by_programme: pd.DataFrame, alpha: float = 0.05):
    """Gain by mode (left) and by programme within mode (right).

    ``by_mode``: ``mode, estimate, ci_low, ci_high`` (one row per mode); ``by_programme``: ``mode, estimate,
    ci_low, ci_high, p_holm`` (one row per programme). Modes are ordered by their gain, largest first.
    """
    import matplotlib.pyplot as plt

    from evalkit.report.theme import color_palette

    modes = by_mode.sort_values("estimate", ascending=False)["mode"].astype(str).tolist()
    colours = dict(zip(modes, color_palette("colorblind", len(modes))))
    fig, axes = plt.subplots(1, 2, figsize=(10, 6.5), sharex=True, gridspec_kw={"width_ratios": [1, 1.4]})
    ax = axes[0]
    bm = by_mode.set_index(by_mode["mode"].astype(str)).loc[modes]
    for i, m in enumerate(modes):
        ax.errorbar(bm.loc[m, "estimate"], i, xerr=[[bm.loc[m, "estimate"] - bm.loc[m, "ci_low"]],
                    [bm.loc[m, "ci_high"] - bm.loc[m, "estimate"]]], fmt="D", color=colours[m], capsize=3)
    ax.set_yticks(np.arange(len(modes)), [t(f"mode.{m}", "id") + "\n" + t(f"mode.{m}", "en") for m in modes])
    ax.set_ylim(len(modes) - 0.5, -0.5)
    ax.set_xlabel(_both("axis.learning_gain") + ", 95% CI")
    ax.set_title("Per moda / By delivery mode")
    ax = axes[1]
    d = by_programme.assign(mode=by_programme["mode"].astype(str))
    d["_order"] = d["mode"].map({m: i for i, m in enumerate(modes)})
    d = d.sort_values(["_order", "estimate"]).reset_index(drop=True)
    for m in modes:
        s = d[d["mode"] == m]
        sig = s["p_holm"] < alpha
        ax.errorbar(s["estimate"], s.index, xerr=[s["estimate"] - s["ci_low"], s["ci_high"] - s["estimate"]],
                    fmt="none", ecolor=colours[m], elinewidth=0.6, alpha=0.7)
        ax.scatter(s["estimate"][sig], s.index[sig], color=colours[m], s=10, label=m, zorder=3)
        ax.scatter(s["estimate"][~sig], s.index[~sig], facecolor="white", edgecolor=colours[m], s=10, zorder=3)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_ylim(len(d) - 0.5, -0.5)
    ax.set_yticks([])
    ax.set_ylabel("Program (diurutkan per moda) / programmes, sorted within mode")
    ax.set_xlabel("Kenaikan per program (poin, SK 95%) / gain per programme (points, 95% CI)\n"
                  "hollow: not different from 0 after Holm correction")
    ax.set_title("Per program / By programme")
    ax.legend(title="Moda / Mode", fontsize="small", loc="lower right", markerscale=2)
    fig.suptitle(t("title.pre_post", "id") + " / " + t("title.pre_post", "en"), fontweight="bold")
    return fig


def rater_gap_plot(scores: pd.DataFrame, gap_all: pd.DataFrame, gap_by_region: pd.DataFrame,
                   regions: Sequence[str], roles: Sequence[str] = ("self", "supervisor", "peer")):
    """Application score by rater role and region (left), self-minus-supervisor gap (right).

    ``scores``: ``region, rater_role, mean, ci_low, ci_high``; ``gap_all``: one row ``estimate, ci_low,
    ci_high``; ``gap_by_region``: the same per ``region``.
    """
    import matplotlib.pyplot as plt

    regions = list(regions)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1.5, 1]})
    ax = axes[0]
    for j, role in enumerate(roles):
        d = scores[scores["rater_role"].astype(str) == role].set_index("region").reindex(regions)
        x = np.arange(len(regions)) + (j - 1) * 0.22
        ax.errorbar(x, d["mean"], yerr=[d["mean"] - d["ci_low"], d["ci_high"] - d["mean"]], fmt="o", capsize=2,
                    markersize=4, label=f"{t('role.' + role, 'id')} / {t('role.' + role, 'en')}")
    ax.set_xticks(range(len(regions)), regions)
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Skor penerapan (1-5) /\napplication score (1-5), 95% CI")
    ax.set_title("Skor menurut penilai / Score by rater")
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, frameon=False)
    ax = axes[1]
    g = pd.concat([gap_all.assign(region="Semua / All"), gap_by_region], ignore_index=True)
    yy = np.arange(len(g))
    ax.errorbar(g["estimate"], yy, xerr=[g["estimate"] - g["ci_low"], g["ci_high"] - g["estimate"]], fmt="o",
                color="C3", capsize=3)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(yy, g["region"])
    ax.set_ylim(len(g) - 0.5, -0.5)
    ax.set_xlabel("Diri sendiri - atasan (poin skala) /\nself - supervisor (scale points, 95% CI)")
    ax.set_title("Selisih penilaian diri / Self-rating gap")
    fig.suptitle(t("title.followup_by_rater", "id") + " / " + t("title.followup_by_rater", "en"), fontweight="bold")
    return fig


def service_trends_plot(trends: pd.DataFrame, regions: Sequence[str], period_label: str = "Triwulan / quarter"):
    """Waiting time, processing time and complaints resolved (with its interval) per period and region.

    ``trends``: :func:`evalkit.measures.service_trends` output (``region, month, wait_minutes,
    processing_days, resolution_rate, ci_low, ci_high``), e.g. on months summed to quarters.
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharex=True)
    panels = [("wait_minutes", _both("axis.wait_minutes")), ("processing_days", _both("axis.processing_days")),
              ("resolution_rate", "Pengaduan selesai (%) /\ncomplaints resolved (%, 95% CI)")]
    for ax, (col, label) in zip(axes, panels):
        for region in regions:
            d = trends[trends["region"] == region]
            scale = 100 if col == "resolution_rate" else 1
            line, = ax.plot(d["month"], scale * d[col], marker="o", markersize=2.5, linewidth=1, label=region)
            if col == "resolution_rate":
                ax.fill_between(d["month"], 100 * d["ci_low"], 100 * d["ci_high"], color=line.get_color(),
                                alpha=0.12, linewidth=0)
        ax.set_ylabel(label)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes[-1].legend(title="Wilayah / Region", fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.supxlabel(period_label)
    fig.suptitle("Indikator layanan per triwulan / Service indicators by quarter", fontweight="bold")
    return fig
