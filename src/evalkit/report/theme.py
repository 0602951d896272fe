"""evalkit's figure theme and colour palettes, without importing seaborn.

Of seaborn, evalkit's figures use only ``set_theme(context, style="whitegrid", palette="colorblind")`` and
``color_palette``. Importing seaborn costs about 0.45 s (it loads ``scipy.stats``), paid by every process that
draws a figure, even a region report that only loads its findings and needs nothing else of scipy. This module
gives the same values from seaborn 0.13's definitions (BSD-3-Clause: ``seaborn/rcmod.py``, ``axes_style``,
``plotting_context``, ``set_palette`` and ``set_color_codes``; ``seaborn/palettes.py``, ``color_palette`` and
``mpl_palette``). ``tests/test_theme.py`` checks them against seaborn's own, so a seaborn release that changes
them fails a test instead of silently changing the figures.

One difference: seaborn's style sets the default colormap (``image.cmap``) to its own ``"rocket"``, which exists
only once seaborn is imported. :func:`theme_rc` sets it when seaborn's colormaps are registered and otherwise
leaves matplotlib's default; every evalkit figure names its colormap.
"""

from __future__ import annotations

from itertools import cycle

import matplotlib as mpl
import numpy as np

__all__ = ["COLORBLIND", "apply_theme", "color_palette", "theme_rc"]

#: seaborn's ``colorblind`` palette (10 colours) and its six-colour variant (used for the colour codes).
COLORBLIND = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC",
              "#CA9161", "#FBAFE4", "#949494", "#ECE133", "#56B4E9")
COLORBLIND6 = ("#0173B2", "#029E73", "#D55E00", "#CC78BC", "#ECE133", "#56B4E9")

#: Qualitative matplotlib colormaps and their number of colours (seaborn's ``MPL_QUAL_PALS``).
_MPL_QUALITATIVE = {"tab10": 10, "tab20": 20, "tab20b": 20, "tab20c": 20, "Set1": 9, "Set2": 8, "Set3": 12,
                    "Accent": 8, "Paired": 12, "Pastel1": 9, "Pastel2": 8, "Dark2": 8}

_DARK_GRAY, _LIGHT_GRAY = ".15", ".8"
#: seaborn's ``axes_style("whitegrid")``.
_WHITEGRID = {
    "figure.facecolor": "white", "axes.labelcolor": _DARK_GRAY,
    "xtick.direction": "out", "ytick.direction": "out", "xtick.color": _DARK_GRAY, "ytick.color": _DARK_GRAY,
    "axes.axisbelow": True, "grid.linestyle": "-", "text.color": _DARK_GRAY,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True,
    "xtick.top": False, "ytick.right": False, "axes.grid": True,
    "axes.facecolor": "white", "axes.edgecolor": _LIGHT_GRAY, "grid.color": _LIGHT_GRAY,
    "axes.spines.left": True, "axes.spines.bottom": True, "axes.spines.right": True, "axes.spines.top": True,
    "xtick.bottom": False, "ytick.left": False,
}
#: seaborn's ``plotting_context`` at scale 1 ("notebook"): font sizes, then line widths and tick sizes.
_CONTEXT_FONTS = {"font.size": 12, "axes.labelsize": 12, "axes.titlesize": 12, "xtick.labelsize": 11,
                  "ytick.labelsize": 11, "legend.fontsize": 11, "legend.title_fontsize": 12}
_CONTEXT_LINES = {"axes.linewidth": 1.25, "grid.linewidth": 1, "lines.linewidth": 1.5, "lines.markersize": 6,
                  "patch.linewidth": 1, "xtick.major.width": 1.25, "ytick.major.width": 1.25,
                  "xtick.minor.width": 1, "ytick.minor.width": 1, "xtick.major.size": 6, "ytick.major.size": 6,
                  "xtick.minor.size": 4, "ytick.minor.size": 4}
_CONTEXT_SCALE = {"paper": 0.8, "notebook": 1, "talk": 1.5, "poster": 2}


def color_palette(name: str = "colorblind", n_colors: int | None = None) -> list[tuple[float, float, float]]:
    """``n_colors`` RGB tuples of a palette, as ``seaborn.color_palette(name, n_colors)`` gives them.

    ``name`` is ``"colorblind"`` (seaborn's, cycled when more colours are asked for) or a matplotlib colormap
    (``"RdBu"``, ``"Blues"``...: evenly spaced inside the map, 6 by default; a qualitative map such as ``"tab10"``
    gives its first colours, all of them by default). Any other seaborn palette name is passed to seaborn.
    """
    if name == "colorblind":
        colors = cycle(COLORBLIND)
        n = len(COLORBLIND) if n_colors is None else int(n_colors)
        return [mpl.colors.to_rgb(next(colors)) for _ in range(n)]
    n = _MPL_QUALITATIVE.get(name, 6) if n_colors is None else int(n_colors)
    if name in mpl.colormaps:
        cmap = mpl.colormaps[name]
        bins = (np.linspace(0, 1, _MPL_QUALITATIVE[name])[:n] if name in _MPL_QUALITATIVE
                else np.linspace(0, 1, n + 2)[1:-1])
        colors = cycle([tuple(float(v) for v in rgb) for rgb in cmap(bins)[:, :3]])
        return [next(colors) for _ in range(n)]
    import seaborn as sns

    return list(sns.color_palette(name, n_colors))


def theme_rc(context: str = "paper", font_scale: float = 1.0) -> dict:
    """The rcParams of ``seaborn.set_theme(context, style="whitegrid", palette="colorblind", font_scale)``."""
    if context not in _CONTEXT_SCALE:
        raise ValueError(f"context must be one of {', '.join(_CONTEXT_SCALE)}, not {context!r}")
    scale = _CONTEXT_SCALE[context]
    rc = {k: v * scale for k, v in _CONTEXT_LINES.items()}
    rc.update({k: v * scale * font_scale for k, v in _CONTEXT_FONTS.items()})
    rc.update(_WHITEGRID)
    rc["font.family"] = "sans-serif"  # set_theme's font argument, applied over the style's list
    if "rocket" in mpl.colormaps:  # seaborn's colormaps are registered (seaborn was imported)
        rc["image.cmap"] = "rocket"
    rc["axes.prop_cycle"] = mpl.cycler("color", color_palette("colorblind"))
    return rc


def apply_theme(context: str = "paper", font_scale: float = 1.0) -> None:
    """Apply :func:`theme_rc`, and point the colour codes ``"b"``, ``"g"``, ``"r"``, ``"m"``, ``"y"``, ``"c"``
    and ``"k"`` at the colour-blind palette as seaborn does (``"k"``: a very dark grey)."""
    mpl.rcParams.update(theme_rc(context, font_scale))
    for code, color in zip("bgrmyck", [*COLORBLIND6, (0.1, 0.1, 0.1)]):
        mpl.colors.colorConverter.colors[code] = mpl.colors.to_rgb(color)
