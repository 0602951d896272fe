"""Produce tests/results/impact_results.py: reference numbers from pyfixest and differences.

Run from the repository root:  python tests/results/make_impact_results.py
The panels come from evalkit.impact.dgp.simulate_staggered_panel (seeded), so the references can be
regenerated anywhere. Versions used are written into the output file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pyfixest as pf
from differences import ATTgt
from differences import __version__ as dv

from evalkit.impact.dgp import simulate_staggered_panel

warnings.filterwarnings("ignore")


def main() -> None:
    df = simulate_staggered_panel(n_units=400, n_periods=6, cohorts=(3, 5), effect="dynamic", seed=2024)
    twfe = pf.feols("y ~ treat + x | id + t", data=df, vcov={"CRV1": "id"})
    df["rel"] = np.where(df.g > 0, df.t - df.g, -1)
    es = pf.feols("y ~ i(rel, ref=-1) | id + t", data=df, vcov={"CRV1": "id"})
    att = ATTgt(data=df.assign(g=df.g.replace(0, np.nan)).set_index(["id", "t"]), cohort_column="g")
    att.fit(formula="y", control_group="never_treated", progress_bar=False)
    gt = att.results()
    simple = att.aggregate("simple")
    event = att.aggregate("event")
    out = {
        "versions": {"pyfixest": pf.__version__, "differences": dv},
        "data": "simulate_staggered_panel(n_units=400, n_periods=6, cohorts=(3, 5), effect='dynamic', seed=2024)",
        "did_treat_x": {"coef": twfe.coef().tolist(), "se": twfe.se().tolist(), "N": int(twfe._N)},
        "event_twfe": {"terms": list(es.coef().index), "coef": es.coef().tolist(), "se": es.se().tolist()},
        "cs_never_gt": {"cells": [(int(g), int(t)) for g, _, t in gt.index],
                        "att": gt.iloc[:, 0].tolist(), "se": gt.iloc[:, 1].tolist()},
        "cs_never_simple": {"att": float(simple.iloc[0, 0]), "se": float(simple.iloc[0, 1])},
        "cs_never_event": {"e": [int(e) for e in event.index], "att": event.iloc[:, 0].tolist(),
                           "se": event.iloc[:, 1].tolist()},
    }
    path = Path(__file__).with_name("impact_results.py")
    path.write_text(
        '"""Reference numbers written by make_impact_results.py (pyfixest feols CRV1 by id; differences\n'
        'ATTgt analytic SEs). Do not edit by hand."""\n\nRESULTS = ' + repr(out) + "\n"
    )


if __name__ == "__main__":
    main()
