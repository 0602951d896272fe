"""Plots of :mod:`evalkit.impact` results (re-exported from :mod:`evalkit.impact` and its modules for
compatibility), and the bilingual figures of notebooks 04 and 90 built on them.

Single-axes plots, each drawing on ``ax`` (or a new figure) and returning the Axes:

* :func:`event_study_plot`: event-study estimates with their intervals by time relative to training;
* :func:`forest_plot`: estimates with intervals, one row per estimator (or group);
* :func:`love_plot`: absolute standardised mean differences before and after weighting;
* :func:`check_plot`: standardised errors of a method check, one row per family.

Whole bilingual figures (Indonesian / English labels), each returning the figure; saving is the caller's
(:func:`evalkit.report.figures.save_figure`):

* :func:`naive_gap_plot`: the trained-minus-untrained gap before and after training (selection made visible);
* :func:`event_study_pair_plot`: dynamic TWFE beside the Callaway-Sant'Anna event study;
* :func:`honest_did_plot`: HonestDiD robust intervals under relative magnitudes and smoothness;
* :func:`balance_plot`: the love plot of a balance table;
* :func:`heterogeneity_plot`: effects by delivery mode, region and tenure band;
* :func:`estimators_summary_plot`: every estimator side by side, one panel per outcome, coloured by role;
* :func:`method_check_plot`: headline estimates against the synthetic truth and every check's standardised error.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["event_study_plot", "forest_plot", "love_plot", "check_plot", "naive_gap_plot", "event_study_pair_plot",
           "honest_did_plot", "balance_plot", "heterogeneity_plot", "estimators_summary_plot", "method_check_plot",
           "ROLE_COLORS", "ROLE_NAME", "MODE_LABEL", "TENURE_ORDER", "SUMMARY_PANELS", "ESTIMAND_SHORT"]


def event_study_plot(result, ax=None, *, color=None, label=None):
    """Plot event-study estimates with confidence intervals.

    Parameters
    ----------
    result : ImpactResult
        From :func:`~evalkit.impact.event_study` (or :func:`~evalkit.impact.staggered_att` with
        ``aggregate="dynamic"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created if omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Points with CI bars by event time, a horizontal line at 0, and a dashed vertical line
        at the reference period (or between -1 and 0 when no period is normalised).
    """
    import matplotlib.pyplot as plt

    from evalkit.impact._common import ImpactResult  # here, not at the top: evalkit.impact re-exports this module

    if not isinstance(result, ImpactResult) or "event_time" not in result.table.columns:
        raise TypeError("result must be an event_study() result (its tidy() needs an 'event_time' column)")
    tab = result.table.dropna(subset=["event_time"])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    x = tab["event_time"].to_numpy(float)
    y = tab["estimate"].to_numpy(float)
    lo = y - tab["ci_low"].to_numpy(float)
    hi = tab["ci_high"].to_numpy(float) - y
    err = np.vstack([np.nan_to_num(lo), np.nan_to_num(hi)])
    ax.errorbar(x, y, yerr=err, fmt="o", capsize=3, color=color, label=label)
    ax.axhline(0, color="0.3", lw=0.8)
    ref = result.details.get("ref")
    ax.axvline(ref if ref is not None else -0.5, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel("Periods relative to first training")
    ax.set_ylabel("Estimated effect")
    level = 100 * (1 - result.alpha)
    ax.set_title(f"{result.method} ({level:g}% CI)", fontsize=9)
    return ax


def forest_plot(table: pd.DataFrame, ax=None, *, label: str = "label", color_by: str | None = None,
                truth: str | None = None, colors: Mapping | None = None, xlabel: str | None = None):
    """Estimates with confidence intervals, one row per estimator, top to bottom in table order.

    Parameters
    ----------
    table : DataFrame
        With ``estimate, ci_low, ci_high`` and the ``label`` column (e.g. from
        :func:`~evalkit.impact.summary.estimate_rows`).
    color_by : str, optional
        Column whose values choose the colour (e.g. ``role``: naive / credible); a legend is added.
    truth : str, optional
        Column with a known true value, drawn as a black cross (method checks on synthetic data only).
    colors : mapping, optional
        ``color_by`` value -> matplotlib colour.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    for c in (label, "estimate", "ci_low", "ci_high", *(x for x in (color_by, truth) if x)):
        if c not in table.columns:
            raise ValueError(f"table lacks column {c!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.32 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    est = table["estimate"].to_numpy(float)
    err = np.vstack([est - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - est])
    groups = table[color_by].astype(str).to_numpy() if color_by else np.array(["_"] * len(table))
    palette = dict(colors or {})
    for k, g in enumerate(dict.fromkeys(groups)):
        m = groups == g
        col = palette.get(g, f"C{k}")
        ax.errorbar(est[m], y[m], xerr=err[:, m], fmt="o", capsize=2.5, color=col, ms=4.5, lw=1.2,
                    label=None if g == "_" else g)
    if truth:
        tv = table[truth].to_numpy(float)
        ax.scatter(tv, y, marker="x", color="black", s=28, zorder=5, label="truth")
    ax.set_yticks(y)
    ax.set_yticklabels(table[label].astype(str))
    ax.grid(axis="y", visible=False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if color_by or truth:
        ax.legend(frameon=False, fontsize=8, loc="best")
    return ax


def love_plot(balance_df, ax=None, *, threshold=0.1):
    """Love plot of absolute standardised mean differences from :func:`~evalkit.impact.balance`.

    Returns
    -------
    matplotlib.axes.Axes
        One row per covariate; open circles unweighted, filled dots weighted (if present), and a
        dashed line at ``threshold``.
    """
    import matplotlib.pyplot as plt

    if not isinstance(balance_df, pd.DataFrame) or not {"covariate", "smd"} <= set(balance_df.columns):
        raise TypeError("balance_df must be the DataFrame returned by balance()")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 0.3 * len(balance_df) + 1.2))
    ypos = np.arange(len(balance_df))[::-1]
    ax.scatter(balance_df["smd"].abs(), ypos, facecolors="none", edgecolors="C0", label="unweighted")
    if "smd_w" in balance_df.columns:
        ax.scatter(balance_df["smd_w"].abs(), ypos, color="C1", label="weighted")
    ax.axvline(threshold, color="0.4", ls="--", lw=0.8)
    ax.set_yticks(ypos)
    ax.set_yticklabels(balance_df["covariate"])
    ax.set_xlabel("|standardised mean difference|")
    ax.legend(frameon=False, fontsize=8)
    return ax


def check_plot(table: pd.DataFrame, ax=None, *, family: str = "family", clip: float = 8.0):
    """Standardised errors ``z = (estimate - truth) / SE`` of every checked estimate, one row per family.

    Credible rows are blue dots, naive/biased rows orange-red squares; the grey band is the 95% interval
    (|z| <= 1.96), the short black ticks each family's Bonferroni limit. Values beyond ``clip`` are drawn at
    the edge with their z written next to them.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`~evalkit.impact.check.method_check`, with a ``family`` column (rows without one are grouped by
        ``estimator``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if "z" not in table.columns:
        raise ValueError("table must come from method_check()")
    t = table.copy()
    fam = t[family] if family in t.columns else pd.Series([None] * len(t), index=t.index)
    t["_fam"] = fam.where(fam.notna() & (fam.astype(str) != ""), t["estimator"]).astype(str)
    fams = list(dict.fromkeys(t["_fam"]))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.3 * len(fams) + 1.5))
    ypos = {f: len(fams) - 1 - k for k, f in enumerate(fams)}
    ax.axvspan(-1.96, 1.96, color="0.9", zorder=0)
    ax.axvline(0, color="0.5", lw=0.8)
    rng = np.random.default_rng(20261122)  # vertical jitter only, for legibility
    for role, marker, color in (("credible", "o", "#0072B2"), ("naive", "s", "#D55E00"), ("biased", "s", "#E69F00")):
        s = t[t["role"] == role]
        if len(s) == 0:
            continue
        y = s["_fam"].map(ypos).to_numpy(float) + rng.uniform(-0.18, 0.18, len(s))
        z = np.clip(s["z"].to_numpy(float), -clip, clip)
        ax.scatter(z, y, marker=marker, s=18, color=color, alpha=0.8, label=role, zorder=3)
        for zz, yy, raw in zip(z, y, s["z"].to_numpy(float)):
            if abs(raw) > clip:
                ax.annotate(f"{raw:.0f}", (zz, yy), xytext=(-4 if zz > 0 else 4, 0), textcoords="offset points",
                            ha="right" if zz > 0 else "left", va="center", fontsize=7, color=color)
    for f in fams:
        crit = float(t.loc[t["_fam"] == f, "critical"].max())
        for sgn in (-1, 1):
            ax.plot([sgn * crit] * 2, [ypos[f] - 0.3, ypos[f] + 0.3], color="black", lw=1.0)
    ax.set_yticks(list(ypos.values()))
    ax.set_yticklabels(list(ypos.keys()))
    ax.set_xlim(-clip - 0.5, clip + 0.5)
    ax.grid(axis="y", visible=False)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    return ax


# ------------------------------------------------------------------------------------------- bilingual figures
#: Colours of the estimator roles of a method check or an estimator summary (naive, biased, credible).
ROLE_COLORS: dict[str, str] = {"naive": "#D55E00", "biased": "#E69F00", "credible": "#0072B2"}
#: Bilingual names of the roles, as the legend of :func:`estimators_summary_plot` shows them.
ROLE_NAME: dict[str, str] = {"naive": "naif / naive", "biased": "bias / biased", "credible": "kredibel / credible"}
#: Bilingual labels of the delivery modes (a mode not listed keeps its own name).
MODE_LABEL: dict[str, str] = {"klasikal": "klasikal / face-to-face", "e-learning": "e-learning", "workshop": "workshop",
                              "simulasi": "simulasi / simulation", "blended": "blended", "seminar": "seminar"}
#: Order of the tenure bands of :func:`heterogeneity_plot`.
TENURE_ORDER: dict[str, int] = {"<10 y": 0, "10-19 y": 1, "20+ y": 2}


def _row(r, col: str) -> float:
    return float(r[col]) if isinstance(r, (Mapping, pd.Series)) else float(getattr(r, col))


def naive_gap_plot(before, after, periods: tuple[str, str],
                   xlabel: str = "Selisih kualitas laporan (poin) / difference in report quality (points)"):
    """The trained-minus-untrained gap before any training and after it, with 95% intervals (two rows).

    ``before``, ``after``: one row each (a Series, mapping or named tuple) with ``estimate, ci_low, ci_high``,
    e.g. the first row of ``ipw_att(..., []).tidy()`` on the pre-period level and of the naive comparison.
    ``periods`` name the two windows in the row labels. A gap already there before training is selection, not
    an effect. Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.2, 2.4))
    tab = pd.DataFrame({"label": [f"{periods[0]}, before any training / sebelum pelatihan",
                                  f"{periods[1]}, after training / setelah pelatihan"],
                        **{c: [_row(before, c), _row(after, c)] for c in ("estimate", "ci_low", "ci_high")}})
    forest_plot(tab, ax=ax, xlabel=xlabel)
    ax.axvline(0, color="0.4", lw=0.8)
    ax.set_title("Terlatih minus tidak terlatih / Trained minus untrained (95% CI)")
    return fig


def event_study_pair_plot(twfe, cs, cluster_label: str = "agency"):
    """Dynamic TWFE (left) and the Callaway-Sant'Anna event study (right) on a shared y axis, in quarters since
    first training. ``twfe``, ``cs``: :func:`~evalkit.impact.event_study` / ``staggered_att(aggregate="dynamic")``
    results; ``cluster_label`` names their cluster in the titles. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    event_study_plot(twfe, ax=axes[0], color="C0")
    event_study_plot(cs, ax=axes[1], color="C2")
    axes[0].set_title(f"TWFE dinamis / dynamic TWFE (95% CI, CRV1 by {cluster_label})")
    axes[1].set_title(f"Callaway-Sant'Anna (95% CI, clustered by {cluster_label})")
    for ax in axes:
        ax.set_xlabel("Kuartal sejak pelatihan pertama / quarters since first training")
        ax.xaxis.set_major_locator(plt.MultipleLocator(2))
    axes[0].set_ylabel("Efek (poin) / effect (points)")
    axes[1].set_ylabel("")
    return fig


def honest_did_plot(relative: pd.DataFrame, smooth: pd.DataFrame):
    """HonestDiD robust intervals: relative magnitudes (left, by ``Mbar``) and smoothness (right, by ``M``).

    ``relative``, ``smooth``: :func:`~evalkit.impact.honest_did` tables (``method, M, ci_low, ci_high``, one
    ``method == "original"`` row). Each panel draws the original interval (grey) and then one robust interval
    per ``M`` (blue) as vertical bars, with a line at zero. Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
    for ax, hd, lab in ((axes[0], relative, "Mbar (relatif / relative magnitudes)"),
                        (axes[1], smooth, "M (kehalusan / smoothness)")):
        orig, rob = hd[hd["method"] == "original"].iloc[0], hd[hd["method"] != "original"]
        x = np.arange(len(rob) + 1)
        lo, hi = np.r_[orig.ci_low, rob.ci_low], np.r_[orig.ci_high, rob.ci_high]
        ax.vlines(x, lo, hi, color=["0.4"] + ["C0"] * len(rob), lw=3)
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_xticks(x, ["asli /\noriginal"] + [f"{m:g}" for m in rob["M"]])
        ax.set_xlabel(lab)
    axes[0].set_ylabel("Efek e=0 (poin) / effect at e=0 (points)")
    fig.suptitle("Sensitivitas terhadap pelanggaran tren paralel / Sensitivity to parallel-trend violations", y=1.02)
    return fig


def balance_plot(balance_df: pd.DataFrame):
    """:func:`love_plot` of a :func:`~evalkit.impact.balance` table with bilingual labels. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    love_plot(balance_df, ax=ax)
    ax.set_xlabel("|Selisih rerata terstandar| / |standardised mean difference|")
    ax.set_title("Keseimbangan kovariat / Covariate balance (IPW)")
    return fig


def heterogeneity_plot(het: pd.DataFrame, focus_region: str, period: str | None = None):
    """Effects by delivery mode (left), region (middle) and tenure band (right), each with its 95% interval.

    ``het``: ``dimension, group, estimate, ci_low, ci_high`` with ``dimension`` one of ``"mode (all regions)"``,
    ``"region"`` (absent when the data hold one region: the middle panel then says so),
    ``"tenure (<focus_region>)"`` and ``"tenure (other regions)"``. Modes are labelled with :data:`MODE_LABEL`
    and sorted by effect, largest on top; tenure rows are coloured by focus region vs the others. ``period``
    (e.g. ``"2024"``), when given, names the window of the tenure contrast in its title. Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    m = het[het["dimension"] == "mode (all regions)"]
    m = m.assign(label=m["group"].map(lambda g: MODE_LABEL.get(g, g)))
    forest_plot(m.sort_values("estimate", ascending=False), ax=axes[0])
    axes[0].set_title("Moda / delivery mode")
    reg = het[het["dimension"] == "region"]
    if len(reg):
        forest_plot(reg.assign(label=lambda d: d["group"]).sort_values("estimate", ascending=False), ax=axes[1])
    else:
        axes[1].text(0.5, 0.5, "satu wilayah saja / one region only", ha="center", va="center",
                     transform=axes[1].transAxes)
        axes[1].set_axis_off()
    axes[1].set_title("Wilayah / region")
    focus = het["dimension"] == f"tenure ({focus_region})"
    where = np.where(focus, focus_region, "lainnya / other")
    ten = (het.assign(_where=where)[het["dimension"].str.startswith("tenure")]
           .sort_values(["dimension", "group"], key=lambda s: s.map(TENURE_ORDER) if s.name == "group" else s))
    ten = ten.assign(label=ten["group"] + ", " + ten["_where"], where=ten["_where"])
    forest_plot(ten, ax=axes[2], color_by="where")
    axes[2].set_title("Masa kerja / tenure" + (f" ({period})" if period else ""))
    for ax in axes:
        ax.set_xlabel("Efek (poin kualitas laporan) / effect (points)")
    return fig


#: Panels of :func:`estimators_summary_plot`: outcome -> (title, x label).
SUMMARY_PANELS: dict[str, tuple[str, str]] = {
    "report_quality": ("Kualitas laporan / report quality", "Efek (poin) / effect (points)"),
    "on_time_share": ("Ketepatan waktu / on-time share", "Efek (proporsi) / effect (share of tasks on time)"),
}


def estimators_summary_plot(summary: pd.DataFrame, panels: Mapping[str, tuple[str, str]] | None = None,
                            label: str = "label_short"):
    """Every estimator's estimate and 95% interval, one panel per outcome on a shared y axis, coloured by role.

    ``summary``: ``outcome, role, estimate, ci_low, ci_high`` and the ``label`` column, rows in display order
    (e.g. :func:`~evalkit.impact.summary.estimate_rows` of several estimator suites). ``panels``: outcome ->
    (title, x label), default :data:`SUMMARY_PANELS`. Roles are named by :data:`ROLE_NAME` and coloured by
    :data:`ROLE_COLORS`; the legend is shown on the first panel only. Returns the figure.
    """
    import matplotlib.pyplot as plt

    panels = dict(SUMMARY_PANELS if panels is None else panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.2), sharey=True, squeeze=False)
    axes = axes[0]
    colors = {ROLE_NAME[k]: v for k, v in ROLE_COLORS.items()}
    for ax, (y, (title, unit)) in zip(axes, panels.items()):
        forest_plot(summary[summary["outcome"] == y].assign(role=lambda d: d["role"].map(ROLE_NAME)), ax=ax,
                    label=label, color_by="role", colors=colors)
        ax.set_xlabel(unit)
        ax.set_title(title)
    for ax in axes[1:]:
        ax.get_legend().remove()
    return fig


#: Short names of the estimands in the row labels of :func:`method_check_plot`.
ESTIMAND_SHORT: dict[str, str] = {"post window": "2024", "all post cells": "all post quarters",
                                  "all post cells (TWFE weights)": "all post quarters"}


def method_check_plot(checked: pd.DataFrame, outcome: str = "report_quality",
                      xlabel: str = "Efek pada kualitas laporan (poin) / effect on report quality (points)"):
    """The method check in one figure: the headline estimates of ``outcome`` beside their truth (left,
    :func:`forest_plot` with the truth as crosses) and every check's standardised error (right,
    :func:`check_plot`).

    ``checked``: output of :func:`~evalkit.impact.check.method_check` with ``family, outcome, label, estimand``
    (headline rows: ``family`` ending in ``"headline"``). Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 5.6), gridspec_kw={"width_ratios": [1, 0.8]})
    headline = checked[checked["family"].str.endswith("headline")]
    h = headline[headline["outcome"] == outcome]
    h = h.assign(label=h["label"] + "  [" + h["estimand"].map(ESTIMAND_SHORT) + "]")
    forest_plot(h, ax=axes[0], color_by="role", truth="truth", colors=ROLE_COLORS, xlabel=xlabel)
    axes[0].set_title("Estimasi vs kebenaran / estimates vs truth (95% CI)")
    check_plot(checked, ax=axes[1])
    axes[1].set_xlabel("(estimasi - kebenaran) / SE  /  (estimate - truth) / SE")
    axes[1].set_title("Semua uji / every check: z, 95% band, simultaneous limit")
    return fig
