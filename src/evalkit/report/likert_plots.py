"""Plots of Likert answers (re-exported from :mod:`evalkit.measures` and its modules for compatibility).

* :func:`diverging_likert_plot`: diverging stacked bars of the answers to Likert items of a wide table;
* :func:`scale_likert_plot`: the same for one scale of the long ``items`` table, labelled with the wording.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["diverging_likert_plot", "scale_likert_plot"]


def diverging_likert_plot(data: pd.DataFrame, items: Sequence[str], by: str | None = None,
                          labels: Mapping[int, str] | None = None, ax=None, points: int = 5,
                          item_labels: Mapping[str, str] | None = None, palette: str = "RdBu"):
    """Diverging stacked bar chart of Likert answers, centred on the neutral category.

    Each bar is one item (or item x group when ``by`` is given); disagreement extends left of zero, agreement
    right, and the neutral share is split half and half across zero (Robbins & Heiberger 2011).

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str
        Likert item columns (ints 1..``points``).
    by : str, optional
        One group column; bars are labelled "item | group".
    labels : mapping int -> str, optional
        Legend labels of the answer codes (default :data:`evalkit.measures.likert.LIKERT5_LABELS` for 5 points,
        else the codes).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created if omitted.
    points : int
        Number of scale points (odd or even; with an even number there is no neutral category).
    item_labels : mapping, optional
        Display names of the items.
    palette : str
        Diverging colour-blind-safe ColorBrewer palette (``"RdBu"`` default; ``"PuOr"``/``"BrBG"`` also safe).
        With an odd number of points the neutral category is drawn in light grey.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    # here, not at the top: evalkit.measures re-exports this module
    from evalkit.measures._util import group_iter
    from evalkit.measures.likert import LIKERT5_LABELS, _check_items
    from evalkit.report.theme import color_palette

    items, by_l = _check_items(data, items, by, points)
    if len(by_l) > 1:
        raise ValueError("diverging_likert_plot takes at most one 'by' column")
    if labels is None:
        labels = LIKERT5_LABELS if points == 5 else {i: str(i) for i in range(1, points + 1)}
    item_labels = dict(item_labels or {})
    codes = list(range(1, points + 1))
    rows, names = [], []
    for key, sub in group_iter(data, by_l):
        for c in items:
            s = sub[c].dropna().astype(int)
            if len(s) == 0:
                continue
            rows.append(s.value_counts(normalize=True).reindex(codes, fill_value=0.0).to_numpy())
            nm = item_labels.get(c, c)
            names.append(f"{nm} | {key[by_l[0]]}" if by_l else nm)
    if not rows:
        raise ValueError("no answers to plot")
    shares = np.vstack(rows) * 100
    mid = (points + 1) / 2
    left_start = -(shares[:, [i for i, c in enumerate(codes) if c < mid]].sum(axis=1))
    if points % 2 == 1:
        left_start -= shares[:, codes.index(int(mid))] / 2
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    colours = list(color_palette(palette, points))
    if points % 2 == 1:  # the palette's near-white middle vanishes on a white background: neutral in light grey
        colours[points // 2] = (0.78, 0.78, 0.78)
    y = np.arange(len(names))
    start = left_start.copy()
    for j, code in enumerate(codes):
        ax.barh(y, shares[:, j], left=start, color=colours[j], label=labels.get(code, str(code)),
                edgecolor="white", linewidth=0.5)
        start = start + shares[:, j]
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("% of respondents (left: disagree, right: agree)")
    lim = max(np.abs(left_start).max(), (left_start + shares.sum(axis=1)).max()) * 1.05
    ax.set_xlim(-lim, lim)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=min(points, 5), frameon=False, fontsize="small")
    return ax


def scale_likert_plot(items: pd.DataFrame, scale: str, by: str | None = None, ax=None, **kwargs):
    """Diverging stacked bars of one scale's questions, labelled with their wording: one call of
    :func:`diverging_likert_plot` on :func:`~evalkit.measures.items.wide_items` (``by``: at most one group
    column; other keyword arguments are passed on, e.g. ``palette``). Returns the matplotlib Axes."""
    # here, not at the top: evalkit.measures re-exports this module
    from evalkit.measures._util import as_list
    from evalkit.measures.items import scale_items, wide_items

    by_l = as_list(by)
    if len(by_l) > 1:
        raise ValueError("scale_likert_plot takes at most one 'by' column")
    questions = scale_items(items, scale)
    wide = wide_items(items, scale, by_l).reset_index(drop=True)
    labels = {k: w for k, w in questions}
    labels.update(kwargs.pop("item_labels", None) or {})
    return diverging_likert_plot(wide, [k for k, _w in questions], by=by_l[0] if by_l else None, ax=ax,
                                 item_labels=labels, **kwargs)
