"""Our estimators against stored reference numbers (tests/results/impact_results.py, written by
tests/results/make_impact_results.py with pyfixest 0.60 and differences 0.3). These run without
either reference package installed; the live comparisons are in test_impact_did.py and
test_impact_staggered.py. Tolerance 1e-6 relative (observed < 1e-12)."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

from evalkit.impact import did, event_study, staggered_att
from evalkit.impact.dgp import simulate_staggered_panel

REF = runpy.run_path(str(Path(__file__).parent / "results" / "impact_results.py"))["RESULTS"]
RTOL = 1e-6


@pytest.fixture(scope="module")
def df():
    return simulate_staggered_panel(n_units=400, n_periods=6, cohorts=(3, 5), effect="dynamic", seed=2024)


def test_did_vs_stored_pyfixest(df):
    r = did(df, "y", "id", "t", "treat", covariates=["x"])
    np.testing.assert_allclose(r.coef(), REF["did_treat_x"]["coef"], rtol=RTOL)
    np.testing.assert_allclose(r.se(), REF["did_treat_x"]["se"], rtol=RTOL)
    assert r.n_obs == REF["did_treat_x"]["N"]


def test_event_twfe_vs_stored_pyfixest(df):
    t = event_study(df, "y", "id", "t", "g", estimator="twfe").tidy().query("term != 'rel::-1'")
    assert list(t.term) == REF["event_twfe"]["terms"]
    np.testing.assert_allclose(t.estimate, REF["event_twfe"]["coef"], rtol=RTOL)
    np.testing.assert_allclose(t.std_error, REF["event_twfe"]["se"], rtol=RTOL)


def test_cs_vs_stored_differences(df):
    cells = staggered_att(df, "y", "id", "t", "g", aggregate="gt").details["att_gt"]
    assert [tuple(c) for c in REF["cs_never_gt"]["cells"]] == list(zip(cells.group.astype(int), cells.time))
    np.testing.assert_allclose(cells.att, REF["cs_never_gt"]["att"], rtol=RTOL)
    np.testing.assert_allclose(cells.std_error, REF["cs_never_gt"]["se"], rtol=RTOL)
    s = staggered_att(df, "y", "id", "t", "g").tidy().iloc[0]
    assert s.estimate == pytest.approx(REF["cs_never_simple"]["att"], rel=RTOL)
    assert s.std_error == pytest.approx(REF["cs_never_simple"]["se"], rel=RTOL)
    ev = staggered_att(df, "y", "id", "t", "g", aggregate="dynamic").tidy().dropna(subset=["event_time"])
    assert list(ev.event_time.astype(int)) == REF["cs_never_event"]["e"]
    np.testing.assert_allclose(ev.estimate, REF["cs_never_event"]["att"], rtol=RTOL)
    np.testing.assert_allclose(ev.std_error, REF["cs_never_event"]["se"], rtol=RTOL)
