"""Small, fast version of ``benchmarks/coverage.py``: the synthetic world's agency x quarter shocks are there
and they make person-level inference over-confident.

Expected numbers come from the generator's parameters (``evalkit.synth.world``):

* ``AGENCY_QUARTER_SHOCK_SD["report_quality"]`` = sigma. After removing each person's mean over the 12
  quarters and the region x quarter means, two different staff of the same agency in the same quarter share
  ``sigma^2 (1 - 1/T) (1 - 1/A)`` of covariance (T = 12 quarters, A = 8-13 agencies per region), about
  0.8 sigma^2; all other components are independent between persons. Without the shocks it is about 0.
* The Callaway-Sant'Anna ATT's true value is the mean of the recorded individual effects
  (``_tau_report_quality``) over the treated post-training cells; staff are trained agency by agency, so the
  estimate's spread over replications exceeds the person-level standard error, while the standard error
  clustered on ``agency_id`` matches it. The size of the gap follows from the shock SD (1.5 points against
  person x quarter noise of 3.5 and about 75 staff per agency at 4,000 employees): a design effect of about
  ``1 + (m - 1) rho`` on the person-level variance. The thresholds below are set from the 200-replication run
  of ``benchmarks/coverage.py`` (benchmarks/RESULTS.md) with wide margins.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from evalkit import datasets
from evalkit.impact import staggered_att
from evalkit.synth import world as W

REPS = 30
N_EMP = 4000


def _panel(w: W.World):
    emp = w.employees.rename(columns={"_pid": "person_id"}).assign(sex="L")
    perf = w.performance.drop(columns="region").rename(columns={"_pid": "person_id"})
    en = w.enrolments.rename(columns={"_pid": "person_id"})
    panel = datasets.performance_panel(perf, emp, en, w.programmes)
    return panel.loc[panel.groupby("person_id")["t"].transform("size") == panel["t"].max()].reset_index(drop=True)


def _pair_covariance(w: W.World, y: str = "report_quality") -> float:
    """Mean covariance of two different never-trained staff of one agency in one quarter (demeaned)."""
    p = w.performance.merge(w.employees[["_pid", "agency"]], on="_pid")
    p = p.loc[p["_gname"].isna()]
    p = p.loc[p.groupby("_pid")["period"].transform("size") == len(W.QUARTERS)]
    d = p[y] - p.groupby("_pid")[y].transform("mean")
    d = d - d.groupby([p["region"], p["period"]]).transform("mean")
    keys = [p["region"], p["agency"], p["period"]]
    s, ss, k = d.groupby(keys).sum(), (d * d).groupby(keys).sum(), d.groupby(keys).size()
    return float((s * s - ss).sum() / (k * (k - 1)).sum())


def test_agency_quarter_shock_present():
    sigma2 = W.AGENCY_QUARTER_SHOCK_SD["report_quality"] ** 2
    est = np.mean([_pair_covariance(W.simulate(np.random.default_rng([11, s]), 1000)) for s in range(3)])
    expected = sigma2 * (1 - 1 / len(W.QUARTERS)) * (1 - 1 / 10)
    assert est == pytest.approx(expected, rel=0.35), (est, expected)


@pytest.fixture(scope="module")
def reps():
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in range(REPS):
            panel = _panel(W.simulate(np.random.default_rng([20261122, s]), N_EMP))
            post = (panel["gname"] > 1) & (panel["t"] >= panel["gname"])
            att = panel.loc[post, "_tau_report_quality"].mean()
            row = {}
            for cl in ("agency_id", None):
                r = staggered_att(panel, "report_quality", "person_id", "t", "gname", cluster=cl).tidy().iloc[0]
                row[cl] = (r.estimate - att, r.std_error, r.ci_low <= att <= r.ci_high)
            out.append(row)
    return out


def test_person_level_se_understates_spread_agency_level_does_not(reps):
    err = np.array([r["agency_id"][0] for r in reps])
    se_agency = np.mean([r["agency_id"][1] for r in reps])
    se_person = np.mean([r[None][1] for r in reps])
    spread = np.sqrt(np.mean(err**2))  # root mean squared error around the true ATT
    # benchmarks/coverage.py, 200 reps of this world: spread 0.35, SE 0.385 (agency) vs 0.168 (person)
    assert se_agency > 1.5 * se_person, (se_agency, se_person)
    assert spread > 1.4 * se_person, (spread, se_person)
    assert 0.7 < se_agency / spread < 1.6, (se_agency, spread)
    covered_agency = sum(r["agency_id"][2] for r in reps)
    covered_person = sum(r[None][2] for r in reps)
    # same study: coverage 0.965 (agency) vs 0.615 (person)
    assert covered_agency >= 0.85 * REPS, covered_agency
    assert covered_person <= covered_agency - 0.15 * REPS, (covered_person, covered_agency)
