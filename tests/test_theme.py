"""evalkit.report.theme gives seaborn's theme and palettes without importing seaborn.

The reference numbers come from seaborn itself (the installed, pinned release): each test asks seaborn for the
same theme or palette and compares.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import matplotlib as mpl
import pytest
import seaborn as sns

from evalkit.report import theme
from evalkit.report.figures import set_theme

CODES = "bgrmyck"


def _snapshot() -> tuple[dict, dict]:
    keys = set(theme.theme_rc()) | {"axes.prop_cycle"}
    rc = {k: mpl.rcParams[k] for k in sorted(keys)}
    rc["axes.prop_cycle"] = [tuple(c["color"]) for c in mpl.rcParams["axes.prop_cycle"]]
    return rc, {c: mpl.colors.to_rgb(c) for c in CODES}


@pytest.mark.parametrize(("context", "font_scale"), [("paper", 1.1), ("paper", 1.0), ("talk", 1.3), ("notebook", 0.9)])
def test_theme_equals_seaborn_set_theme(context, font_scale):
    with mpl.rc_context():
        sns.set_theme(context=context, style="whitegrid", palette="colorblind", font_scale=font_scale)
        expected = _snapshot()
        mpl.rcdefaults()
        sns.set_color_codes("reset")
        theme.apply_theme(context, font_scale)
        got = _snapshot()
    sns.set_color_codes("reset")
    assert got == expected


def test_set_theme_still_equals_seaborn_plus_evalkit_settings():
    """evalkit's set_theme = seaborn's set_theme (as it was called before) + evalkit's own rcParams."""
    with mpl.rc_context():
        sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=1.1)
        set_theme()
        expected = {k: v for k, v in mpl.rcParams.items()}
        mpl.rcdefaults()
        set_theme()
        got = {k: v for k, v in mpl.rcParams.items()}
    sns.set_color_codes("reset")
    assert got == expected


@pytest.mark.parametrize("name", ["colorblind", "RdBu", "PuOr", "BrBG", "Blues", "tab10", "Set2", "viridis"])
@pytest.mark.parametrize("n", [None, 1, 2, 5, 7, 12])
def test_color_palette_equals_seaborn(name, n):
    assert theme.color_palette(name, n) == list(sns.color_palette(name, n))


def test_color_palette_passes_other_names_to_seaborn():
    assert theme.color_palette("husl", 4) == list(sns.color_palette("husl", 4))


def test_unknown_context_is_refused():
    with pytest.raises(ValueError, match="context must be one of"):
        theme.theme_rc("huge")


def test_set_theme_does_not_import_seaborn_or_scipy():
    """The point of the module: a process that only draws evalkit figures loads neither."""
    code = ("import sys; from evalkit.report.figures import set_theme; set_theme();"
            "from evalkit.report.likert_plots import diverging_likert_plot;"
            "from evalkit.report.participation_plots import funnel_plot;"
            "import json; print(json.dumps([m in sys.modules for m in ('seaborn', 'scipy.stats')]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert json.loads(out.stdout) == [False, False]
