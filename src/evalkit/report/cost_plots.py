"""Plots of :mod:`evalkit.cost` results (re-exported from :mod:`evalkit.cost` for compatibility)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["budget_scenarios_plot"]


def budget_scenarios_plot(table: pd.DataFrame, ax=None, value: str = "participants"):
    """Stacked horizontal bars of each scenario's mix by mode, with total expected impact annotated.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`evalkit.cost.budget_scenarios`.
    ax : matplotlib Axes, optional
    value : {"participants", "spend_rp", "impact"}
        What the bar lengths show.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from evalkit.cost._common import _need  # here, not at the top: evalkit.cost re-exports this module
    from evalkit.report.theme import color_palette

    _need(table, ["scenario", "mode", value, "total_impact"], "table")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * table["scenario"].nunique() + 1.5))
    wide = table.pivot_table(index="scenario", columns="mode", values=value, aggfunc="sum", sort=False)
    order = list(dict.fromkeys(table["scenario"]))
    wide = wide.loc[order]
    palette = color_palette("colorblind", n_colors=wide.shape[1])
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    for j, m in enumerate(wide.columns):
        vals = wide[m].fillna(0).to_numpy()
        ax.barh(y, vals, left=left, color=palette[j], label=str(m))
        left += vals
    totals = table.drop_duplicates("scenario").set_index("scenario").loc[order]
    for yi, (l_, t) in enumerate(zip(left, totals["total_impact"], strict=True)):
        ax.annotate(f"dampak / impact {t:,.1f}", (l_, yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize="small")
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    label = {"participants": "participants reached", "spend_rp": "spend (Rp)", "impact": "expected impact"}
    ax.set_xlabel(label.get(value, value))
    ax.set_ylabel("")
    ax.legend(title="moda / mode", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    ax.set_xlim(0, max(left.max(), 1) * 1.35)
    return ax
