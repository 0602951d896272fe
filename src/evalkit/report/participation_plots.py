"""Plots of :mod:`evalkit.participation` results (re-exported from :mod:`evalkit.participation` for compatibility).

* :func:`funnel_plot`: people (or share of invited) per funnel stage, one colour per group;
* :func:`ame_plot`: average marginal effects on attendance with their intervals, groups dodged term by term.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["funnel_plot", "ame_plot"]


def funnel_plot(funnel_df: pd.DataFrame, by: str | None = None, ax=None, share: bool = False, ci: bool = True,
                order=None):
    """Bar chart of a :func:`funnel` table: people per stage (or share of invited), one colour per ``by`` group.

    Parameters
    ----------
    funnel_df : pandas.DataFrame
        Output of :func:`evalkit.participation.funnel`.
    by : str, optional
        Group column; bars of the groups stand side by side within each stage.
    ax : matplotlib.axes.Axes, optional
    share : bool
        Plot ``share_of_invited`` (in %) instead of the number of people.
    ci : bool
        With ``share``, draw the Wilson intervals (``ci_low_invited``/``ci_high_invited``) as error bars (not
        at the invited stage, which is the base).
    order : list, optional
        Order of the groups (default: order of first appearance).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    # here, not at the top: evalkit.participation re-exports this module
    from evalkit.measures._util import as_list, check_columns, check_frame
    from evalkit.participation import STAGES
    from evalkit.report.theme import color_palette

    check_frame(funnel_df, "funnel_df")
    y = "share_of_invited" if share else "n"
    need = ["stage", y] + as_list(by) + (["ci_low_invited", "ci_high_invited"] if share and ci else [])
    check_columns(funnel_df, need, "funnel_df")
    stages = [s for s in STAGES if s in set(funnel_df["stage"].astype(str))]
    groups = [None] if by is None else (list(order) if order is not None
                                        else list(pd.unique(funnel_df[by].astype(object))))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.5))
    colours = color_palette("colorblind", len(groups))
    width = 0.8 / len(groups)
    scale = 100.0 if share else 1.0
    for g_i, grp in enumerate(groups):
        d = funnel_df if grp is None else funnel_df[funnel_df[by].astype(object) == grp]
        d = d.assign(stage=d["stage"].astype(str)).set_index("stage").reindex(stages)
        x = np.arange(len(stages)) - 0.4 + width * (g_i + 0.5)
        h = scale * d[y].to_numpy(dtype=float)
        ax.bar(x, h, width=width * 0.95, color=colours[g_i], label=None if grp is None else str(grp))
        if share and ci:
            lo = scale * d["ci_low_invited"].to_numpy(dtype=float)
            hi = scale * d["ci_high_invited"].to_numpy(dtype=float)
            later = np.array([st != STAGES[0] for st in stages])  # invited is the base: 100% by definition
            ax.errorbar(x[later], h[later], yerr=np.clip(np.vstack([h - lo, hi - h])[:, later], 0, None), fmt="none",
                        ecolor="0.2", elinewidth=0.8, capsize=1.5)
    ax.set_xticks(np.arange(len(stages)), stages)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel("")
    ax.set_ylabel("share of invited (%)" if share else "people")
    if by is not None:
        ax.legend(title=by, fontsize="small")
    return ax


def ame_plot(ame_df: pd.DataFrame, by: str | None = None, terms=None, labels=None, ax=None,
             order=None):
    """Coefficient plot of average marginal effects with their confidence intervals.

    One row per term; with ``by`` one marker per group, dodged vertically, so groups can be compared term by
    term. The x axis is in percentage points (AME x 100).

    Parameters
    ----------
    ame_df : pandas.DataFrame
        Output of :func:`evalkit.participation.attendance_model` (``term, estimate, ci_low, ci_high`` and the
        ``by`` column).
    by : str, optional
        Group column (e.g. ``"region"``).
    terms : list of str, optional
        Terms to show, top to bottom (default the four barriers, :data:`evalkit.participation.BARRIERS`).
    labels : mapping, optional
        Display names of the terms.
    order : list, optional
        Order of the groups (default the order of first appearance).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    # here, not at the top: evalkit.participation re-exports this module
    from evalkit.measures._util import as_list, check_columns, check_frame
    from evalkit.participation import BARRIERS
    from evalkit.report.theme import color_palette

    check_frame(ame_df, "ame_df")
    terms = as_list(BARRIERS if terms is None else terms)
    check_columns(ame_df, ["term", "estimate", "ci_low", "ci_high"] + as_list(by), "ame_df")
    sub = ame_df[ame_df["term"].isin(terms)]
    if sub.empty:
        raise ValueError(f"ame_df has none of the terms {terms}")
    labels = dict(labels or {})
    groups = [None] if by is None else (list(order) if order is not None
                                        else list(pd.unique(sub[by].astype(object))))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.5 * len(terms) * max(1, len(groups) / 2.5) + 1.2))
    colours = color_palette("colorblind", len(groups))
    step = 0.8 / max(len(groups), 1)
    for g_i, grp in enumerate(groups):
        d = sub if grp is None else sub[sub[by].astype(object) == grp]
        d = d.set_index("term").reindex(terms)
        y = np.arange(len(terms)) - 0.4 + step * (g_i + 0.5) if len(groups) > 1 else np.arange(len(terms))
        est = 100 * d["estimate"].to_numpy(dtype=float)
        err = np.clip(np.vstack([est - 100 * d["ci_low"].to_numpy(dtype=float),
                                 100 * d["ci_high"].to_numpy(dtype=float) - est]), 0, None)
        ax.errorbar(est, y, xerr=err, fmt="o", color=colours[g_i], markersize=4, capsize=2, linewidth=1,
                    label=None if grp is None else str(grp))
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(np.arange(len(terms)), [labels.get(t, t) for t in terms])
    ax.set_ylim(len(terms) - 0.5, -0.5)  # first term on top (idempotent, unlike invert_yaxis on shared axes)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("average marginal effect (percentage points)")
    if by is not None:
        ax.legend(title=by, loc="best", fontsize="small")
    return ax
