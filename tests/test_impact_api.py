"""The stable public API of evalkit.impact (names and argument names from DESIGN.md), the tidy
contract shared by every estimator, and the runnable docstring examples."""

from __future__ import annotations

import doctest
import inspect
import re

import numpy as np
import pandas as pd
import pytest

import evalkit.impact as ei
from evalkit.impact.dgp import simulate_staggered_panel

STABLE = {
    "prepost": ["data", "pre", "post", "by"],
    "did": ["data", "yname", "idname", "tname", "treatname", "cluster", "covariates"],
    "event_study": ["data", "yname", "idname", "tname", "gname", "ref", "window", "cluster", "estimator"],
    "staggered_att": ["data", "yname", "idname", "tname", "gname", "control", "aggregate"],
    "ipw_att": ["data", "yname", "treatname", "covariates", "trim", "normalize"],
    "match_att": ["data", "yname", "treatname", "covariates", "k", "replace"],
    "balance": ["data", "treatname", "covariates", "weights"],
}
TIDY = ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high", "n"]


@pytest.mark.parametrize("name", sorted(STABLE))
def test_stable_signatures(name):
    params = list(inspect.signature(getattr(ei, name)).parameters)
    assert params[: len(STABLE[name])] == STABLE[name]


def test_every_estimator_tidy_contract():
    df = simulate_staggered_panel(n_units=200, seed=7)
    cs = df[df.t == 8].assign(pre=df[df.t == 1].y.to_numpy(), trained=lambda d: (d.g > 0).astype(int))
    results = [
        ei.prepost(cs, "pre", "y"),
        ei.did(df, "y", "id", "t", "treat"),
        ei.event_study(df, "y", "id", "t", "g", window=(-2, 2), estimator="twfe"),
        ei.event_study(df, "y", "id", "t", "g", estimator="cs"),
        ei.staggered_att(df, "y", "id", "t", "g", control="notyet", aggregate="group"),
        ei.ipw_att(cs, "y", "trained", ["x"]),
        ei.match_att(cs, "y", "trained", ["x"]),
        ei.heterogeneity(cs.assign(band=cs.id % 3), "y", "trained", "band"),
    ]
    for r in results:
        tid = r.tidy()
        assert list(tid.columns[:8]) == TIDY
        pd.testing.assert_series_equal(r.coef(), tid.set_index("term")["estimate"], check_names=False)
        pd.testing.assert_series_equal(r.se(), tid.set_index("term")["std_error"], check_names=False)
        s = r.summary()
        assert isinstance(s, str) and re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}:\d{2}", s) is None
        assert np.isfinite(tid.estimate).all()


@pytest.mark.parametrize("mod", ["prepost", "did", "staggered", "power"])
def test_docstring_examples(mod):
    import importlib

    m = importlib.import_module(f"evalkit.impact.{mod}")
    res = doctest.testmod(m, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
