"""One figure style for every exhibit, and one way to save it.

``set_theme()`` applies seaborn's ``whitegrid`` style and ``paper`` context with the colour-blind palette (its
values, without importing seaborn: :mod:`evalkit.report.theme`), embeds TrueType fonts in
PDF (``pdf.fonttype = 42``) and fixes ``svg.hashsalt`` so SVG files are byte-identical from run to run.
``save_figure(fig, name)`` writes ``<name>.pdf``, ``<name>.svg`` and a 300-dpi ``<name>.png`` to
``reports/figures/`` (or ``directory``) with no timestamps in their metadata.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt

from evalkit._util import slugify
from evalkit.config import paths

__all__ = ["set_theme", "save_figure", "slugify", "FORMATS"]

FORMATS: tuple[str, ...] = ("pdf", "svg", "png")
#: Metadata without dates, so files depend only on their content.
_METADATA = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": "evalkit", "Creator": "evalkit"},
    "svg": {"Date": None, "Creator": "evalkit"},
    "png": {"Software": "evalkit"},
}


def set_theme(context: str = "paper", font_scale: float = 1.1) -> None:
    """Apply the evalkit style: seaborn's ``whitegrid`` style and ``paper`` context with its colour-blind palette
    (:mod:`evalkit.report.theme`: seaborn's values, without importing seaborn), embedded fonts, fixed SVG ids."""
    from evalkit.report.theme import apply_theme

    apply_theme(context, font_scale)
    mpl.rcParams.update(
        {
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "svg.fonttype": "path",
            "svg.hashsalt": "evalkit",
            "figure.dpi": 110,
            "savefig.dpi": 300,
            "savefig.bbox": "tight",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": "medium",
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
        }
    )


def save_figure(
    fig: plt.Figure,
    name: str,
    directory: str | os.PathLike | None = None,
    formats: Iterable[str] = FORMATS,
    close: bool = False,
    png_dpi: float = 300,
) -> dict[str, Path]:
    """Save ``fig`` as PDF, SVG and 300-dpi PNG named by content.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        Content-based name, e.g. ``"event_study_report_quality"``; slugified.
    directory : path, optional
        Defaults to ``reports/figures`` (``EVALKIT_REPORTS_DIR`` honoured).
    formats : iterable of {"pdf", "svg", "png"}
    close : bool
        Close the figure after saving (keep it open to show it inline in a notebook).
    png_dpi : float
        Resolution of the PNG file (300 for print; a report page that shows the file itself passes the figure's
        own ``dpi``, the resolution a notebook shows inline).

    Returns
    -------
    dict
        format -> written path.

    Notes
    -----
    When more than one format is written, the constrained layout is solved once, by one layout pass at the
    figure's own resolution (what the notebook shows inline; nothing is painted), and then kept (the figure's
    layout engine becomes ``"none"``): the files and the inline image reuse those positions instead of solving
    them again at every draw (twice per file with a tight bounding box), so every file shows the same layout.

    Each file is written to a temporary name and renamed, so an interrupted run never leaves a half-written
    figure. SVG and PDF carry no dates, and ``svg.hashsalt`` is fixed by :func:`set_theme`, so the same figure
    gives the same bytes on every run.
    """
    out = Path(directory) if directory is not None else paths()["figures"]
    out.mkdir(parents=True, exist_ok=True)
    slug = slugify(name)
    formats = tuple(formats)
    if len(formats) > 1:  # one file only (a region report's PNG): solving at its own draws is as cheap
        _freeze_layout(fig)
    written: dict[str, Path] = {}
    for fmt in formats:
        if fmt not in _METADATA:
            raise ValueError(f"unknown figure format {fmt!r}; expected one of {sorted(_METADATA)}")
        target = out / f"{slug}.{fmt}"
        tmp = out / f".{slug}.{fmt}.tmp"
        with mpl.rc_context({"svg.hashsalt": "evalkit"}):
            fig.savefig(tmp, format=fmt, metadata=_METADATA[fmt], dpi=png_dpi if fmt == "png" else None)
        os.replace(tmp, target)
        written[fmt] = target
    if close:
        plt.close(fig)
    return written


def _freeze_layout(fig: plt.Figure) -> None:
    """Solve the constrained layout once and keep its positions (see :func:`save_figure`)."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.draw_without_rendering()  # the layout pass of a draw, without painting pixels
        fig.set_layout_engine("none")
