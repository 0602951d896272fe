"""Plots that moved from the domain modules to evalkit.report: the old import paths still give the same
functions, the domain modules import no matplotlib, and neither side depends on which is imported first."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

MOVED = [
    ("evalkit.participation", "funnel_plot", "evalkit.report.participation_plots"),
    ("evalkit.participation", "ame_plot", "evalkit.report.participation_plots"),
    ("evalkit.impact", "event_study_plot", "evalkit.report.impact_plots"),
    ("evalkit.impact", "love_plot", "evalkit.report.impact_plots"),
    ("evalkit.impact.event_study", "event_study_plot", "evalkit.report.impact_plots"),
    ("evalkit.impact.weighting", "love_plot", "evalkit.report.impact_plots"),
    ("evalkit.impact.summary", "forest_plot", "evalkit.report.impact_plots"),
    ("evalkit.impact.check", "check_plot", "evalkit.report.impact_plots"),
    ("evalkit.measures", "diverging_likert_plot", "evalkit.report.likert_plots"),
    ("evalkit.measures", "scale_likert_plot", "evalkit.report.likert_plots"),
    ("evalkit.measures.likert", "diverging_likert_plot", "evalkit.report.likert_plots"),
    ("evalkit.measures.items", "scale_likert_plot", "evalkit.report.likert_plots"),
]
DOMAIN = ["evalkit.participation", "evalkit.impact", "evalkit.measures"]
REPORT = sorted({new for _old, _name, new in MOVED})


@pytest.mark.parametrize(("old", "name", "new"), MOVED)
def test_old_import_path_gives_the_moved_function(old, name, new):
    moved = getattr(importlib.import_module(new), name)
    assert getattr(importlib.import_module(old), name) is moved
    assert name in importlib.import_module(old).__all__
    assert moved.__module__ == new


def _fresh(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_domain_and_plot_modules_import_no_matplotlib():
    mods = ", ".join(DOMAIN + REPORT)
    assert _fresh(f"import sys, {mods}; print('matplotlib' in sys.modules)") == "False"


@pytest.mark.parametrize("first", ["report", "domain"])
def test_no_import_cycle_whichever_side_comes_first(first):
    order = REPORT + DOMAIN if first == "report" else DOMAIN + REPORT
    names = [f"{m}:{n}" for m, n, _ in MOVED]
    code = ("import importlib\n"
            f"for m in {order!r}: importlib.import_module(m)\n"
            f"for s in {names!r}:\n"
            "    m, n = s.split(':'); getattr(importlib.import_module(m), n)\n"
            "print('ok')")
    assert _fresh(code) == "ok"


def test_ame_plot_defaults_to_the_four_barriers():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from evalkit.participation import BARRIERS
    from evalkit.report.participation_plots import ame_plot

    ame = pd.DataFrame({"term": [*BARRIERS, "tenure"], "estimate": [-0.1, -0.2, -0.05, 0.0, 0.01],
                        "ci_low": [-0.2, -0.3, -0.1, -0.05, 0.0], "ci_high": [0.0, -0.1, 0.0, 0.05, 0.02]})
    ax = ame_plot(ame)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(BARRIERS)
    plt.close(ax.figure)
