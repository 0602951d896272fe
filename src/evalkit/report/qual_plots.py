"""Plots of :mod:`evalkit.qual` results (re-exported from :mod:`evalkit.qual` for compatibility)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from evalkit.qual.codebook import Codebook

__all__ = ["themes_vs_ame_plot", "theme_frequency_plot", "cooccurrence_plot"]


def themes_vs_ame_plot(table: pd.DataFrame, by: str = "region", codebook: Codebook | str | Path | None = None):
    """One panel per theme: share of interviews mentioning it (x, %, Wilson CI) against the barrier's AME on
    attendance (y, percentage points, CI), one labelled point per ``by`` group. Returns the figure."""
    import matplotlib.pyplot as plt

    from evalkit.qual.codebook import _as_codebook  # here, not at the top: evalkit.qual re-exports this module

    cb = _as_codebook(codebook)
    themes = list(dict.fromkeys(table["theme"]))
    ncol = min(2, len(themes))
    nrow = int(np.ceil(len(themes) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.4 * nrow), squeeze=False, sharey=True,
                             layout="constrained")
    for ax, theme in zip(axes.ravel(), themes):
        d = table[table["theme"] == theme]
        x, y = 100 * d["share"].to_numpy(float), 100 * d["estimate"].to_numpy(float)
        xerr = np.clip([x - 100 * d["ci_low"].to_numpy(float), 100 * d["ci_high"].to_numpy(float) - x], 0, None)
        yerr = np.clip([y - 100 * d["est_ci_low"].to_numpy(float), 100 * d["est_ci_high"].to_numpy(float) - y],
                       0, None)
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", ms=4, lw=0.8, color="C0")
        for xi, yi, g in zip(x, y, d[by].astype(str), strict=True):
            ax.annotate(g, (xi, yi), xytext=(3, 3), textcoords="offset points", fontsize="x-small")
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_xlim(0, 100)
        ax.set_title(f"{_theme_label(theme, cb, 'id')}\n{_theme_label(theme, cb, 'en')}", fontsize="small")
    fig.supxlabel("Wawancara yang menyebut tema (%, IK 95%) / interviews mentioning the theme (%, 95% CI)",
                  fontsize="small")
    for ax in axes[:, 0]:
        ax.set_ylabel("AME hambatan (poin %) /\nbarrier AME on attendance (pp)", fontsize="small")
    for ax in axes.ravel()[len(themes):]:
        ax.set_visible(False)
    return fig


def _theme_label(theme: str, codebook: Codebook, lang: str) -> str:
    t = codebook.table.set_index("theme")
    if theme not in t.index:
        return theme
    return str(t.loc[theme, "label_id" if lang == "id" else "label_en"])


def theme_frequency_plot(freq: pd.DataFrame, by: str = "region", ax=None,
                         codebook: Codebook | str | Path | None = None):
    """Dot plot of theme shares (%) with their Wilson intervals, one colour per ``by`` group.

    Themes run down the y axis (codebook order, bilingual labels); suppressed cells are not drawn.
    """
    import matplotlib.pyplot as plt

    from evalkit.qual.codebook import _as_codebook  # here, not at the top: evalkit.qual re-exports this module
    from evalkit.report.theme import color_palette

    cb = _as_codebook(codebook)
    themes = [t for t in cb.themes if t in set(freq["theme"])]
    groups = list(dict.fromkeys(freq[by].astype(str)))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.45 * len(themes) + 1.5))
    pal = color_palette("colorblind", n_colors=len(groups))
    off = np.linspace(-0.3, 0.3, len(groups)) if len(groups) > 1 else np.zeros(1)
    for j, g in enumerate(groups):
        d = freq[(freq[by].astype(str) == g) & ~freq["suppressed"].astype(bool)].set_index("theme")
        y = np.array([themes.index(t) for t in d.index if t in themes]) + off[j]
        d = d.loc[[t for t in d.index if t in themes]]
        lo = np.clip(100 * (d["share"] - d["ci_low"]).to_numpy(float), 0, None)
        hi = np.clip(100 * (d["ci_high"] - d["share"]).to_numpy(float), 0, None)
        ax.errorbar(100 * d["share"], y, xerr=[lo, hi],
                    fmt="o", ms=4, lw=1, capsize=0, color=pal[j], label=g)
    ax.set_yticks(range(len(themes)),
                  [f"{_theme_label(t, cb, 'id')} / {_theme_label(t, cb, 'en')}" for t in themes], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Wawancara yang menyebut tema (%, IK 95% Wilson) / interviews mentioning the theme (%, 95% CI)")
    ax.legend(title=by, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def cooccurrence_plot(co: pd.DataFrame, ax=None, codebook: Codebook | str | Path | None = None):
    """Heatmap of the Jaccard similarity between themes (:func:`cooccurrence`), texts in both in each cell."""
    import matplotlib.pyplot as plt

    from evalkit.qual.codebook import _as_codebook  # here, not at the top: evalkit.qual re-exports this module

    cb = _as_codebook(codebook)
    themes = [t for t in cb.themes if t in set(co["theme_a"])]
    jac = co.pivot(index="theme_a", columns="theme_b", values="jaccard").loc[themes, themes]
    both = co.pivot(index="theme_a", columns="theme_b", values="n_both").loc[themes, themes]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    m = jac.to_numpy(float).copy()
    np.fill_diagonal(m, np.nan)
    im = ax.imshow(m, cmap="Blues", vmin=0, vmax=max(np.nanmax(m), 0.05) if np.isfinite(m).any() else 1)
    for i in range(len(themes)):
        for j in range(len(themes)):
            if i != j:
                ax.text(j, i, f"{int(both.iat[i, j])}", ha="center", va="center", fontsize="x-small")
    labels = [_theme_label(t, cb, "en") for t in themes]
    ax.set_xticks(range(len(themes)), labels, rotation=45, ha="right", fontsize="small")
    ax.set_yticks(range(len(themes)), [_theme_label(t, cb, "id") for t in themes], fontsize="small")
    ax.figure.colorbar(im, ax=ax, label="Jaccard (tema bersama / gabungan) / Jaccard (both / either)")
    ax.grid(False)
    return ax
