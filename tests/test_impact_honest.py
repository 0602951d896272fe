"""Tests for evalkit.impact.honest (HonestDiD sensitivity analysis, Rambachan & Roth 2023).

Reference numbers
-----------------
The Medicaid-expansion example of the HonestDiD R package README (github.com/asheshrambachan/HonestDiD,
README.md, sections "Sensitivity analysis using relative magnitudes restrictions" and "Sensitivity
Analysis Using Smoothness Restrictions") and of the HonestDiD Stata package README
(github.com/mcaceresb/stata-honestdid, README.md, the same example plus "Sensitivity Analysis for
Average Effects"). Both start from the TWFE event study

    feols(dins ~ i(year, D, ref = 2013) | stfips + year, cluster = "stfips")

on the Mixtape-Sessions "Advanced-DID" ACS panel (ehec_data: years < 2016, the 2015 cohort dropped,
D = 1 for the 2014 cohort). BETAHAT and SIGMA below are that event study's coefficients
(2008..2012, 2014, 2015; 2013 is the reference) and CRV1 covariance, computed with
``evalkit.impact.event_study(..., estimator="twfe", ref=-1, cluster="stfips")`` (fixest/reghdfe
small-sample factor). Their conventional 95% CI for 2014, [0.0285, 0.0644], rounds to the
"(Original)" row [0.029, 0.064] printed by the Stata README, which confirms the inputs.
"""

from __future__ import annotations

import copy
import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit.impact import event_study, staggered_att
from evalkit.impact.dgp import simulate_staggered_panel
from evalkit.impact.honest import (
    _sd_worst_case_bias_lp,
    _SDProblem,
    honest_bounds,
    honest_did,
)

BETAHAT = np.array([-0.00528534242424246, -0.01129731839826841, -0.00267597554112554,
                    -0.00141931190476191, 0.00033967748917747, 0.04644686450216447,
                    0.06920618030303025])
SIGMA = np.array([
    [7.4884847103994708e-05, 6.0398755243523638e-05, 4.4446186904779293e-05, 3.3857655990031844e-05,
     4.3280135086532271e-05, 4.7658821837675418e-05, 2.4251295373346813e-05],
    [6.0398755243523624e-05, 7.2664990607522098e-05, 3.7893281156990496e-05, 2.8665763072406848e-05,
     4.5433213430978718e-05, 4.4288526851648456e-05, 2.8246557930494492e-05],
    [4.4446186904779313e-05, 3.7893281156990536e-05, 5.0520507244056143e-05, 2.6736779513641237e-05,
     2.7781938330121662e-05, 3.0606454242835699e-05, 9.6375480161755613e-06],
    [3.3857655990031831e-05, 2.8665763072406848e-05, 2.6736779513641200e-05, 4.0032217795015684e-05,
     2.4128608688487411e-05, 2.3808693710839623e-05, 2.9239019091007382e-06],
    [4.3280135086532291e-05, 4.5433213430978759e-05, 2.7781938330121655e-05, 2.4128608688487444e-05,
     5.4626653870844610e-05, 3.6825353163577146e-05, 9.7229777899517615e-06],
    [4.7658821837675411e-05, 4.4288526851648469e-05, 3.0606454242835686e-05, 2.3808693710839633e-05,
     3.6825353163577119e-05, 8.3756740285163169e-05, 6.3214033033889190e-05],
    [2.4251295373346816e-05, 2.8246557930494523e-05, 9.6375480161755477e-06, 2.9239019091007729e-06,
     9.7229777899517463e-06, 6.3214033033889217e-05, 1.0712358152956488e-04],
])
SIGMA = (SIGMA + SIGMA.T) / 2


def r_grid_step(l_vec):
    """HonestDiD's theta grid step for Delta^RM: 1000 points on [-20, 20] * sd(l' beta_post).

    The R package reports the smallest / largest *accepted grid point*, so each printed end point
    can sit up to one step inside the exact end point; the simulated least-favourable critical
    value (1000 draws in R) adds a little more. Tolerance used below: 2 steps + print rounding.
    """
    lv = np.asarray(l_vec, float)
    sd = float(np.sqrt(lv @ SIGMA[5:, 5:] @ lv))
    return 40 * sd / 999


def printed_tol(x):
    """Half a unit in the last digit of a number printed with 3 significant digits."""
    x = np.abs(np.asarray(x, float))
    return 0.5 * 10.0 ** (np.floor(np.log10(x)) - 2)


@pytest.fixture(scope="module")
def rm_first():
    return honest_bounds(BETAHAT, SIGMA, 5, 2, method="relative_magnitudes", M=[0.5, 1.0, 1.5, 2.0])


@pytest.fixture(scope="module")
def sd_first():
    return honest_bounds(BETAHAT, SIGMA, 5, 2, method="smoothness",
                         M=[0.0, 0.01, 0.02, 0.03, 0.04, 0.05])


# --------------------------------------------------------------------------------------
# published numbers
# --------------------------------------------------------------------------------------
def test_original_ci_matches_readme(rm_first):
    orig = rm_first[rm_first["method"] == "original"].iloc[0]
    assert np.isnan(orig["M"])
    # Stata README "(Original)" row: 0.029, 0.064 (3 decimals)
    assert round(orig["ci_low"], 3) == 0.029
    assert round(orig["ci_high"], 3) == 0.064
    assert rm_first.attrs["original_ci"] == pytest.approx((orig["ci_low"], orig["ci_high"]))


def test_relative_magnitudes_matches_r_readme(rm_first):
    # HonestDiD R README, createSensitivityResults_relativeMagnitudes(Mbarvec = seq(0.5, 2, 0.5)):
    #   Mbar   lb        ub     (method C-LF, Delta DeltaRM)
    expected = pd.DataFrame({"M": [0.5, 1.0, 1.5, 2.0],
                             "lb": [0.0241, 0.0171, 0.00859, -0.00107],
                             "ub": [0.0673, 0.0720, 0.0796, 0.0883]})
    tol = 2 * r_grid_step([1, 0]) + 5e-5  # ~0.00078: grid resolution of R's test inversion + rounding
    got = rm_first[rm_first["method"] == "C-LF"].reset_index(drop=True)
    assert got["M"].tolist() == expected["M"].tolist()
    np.testing.assert_allclose(got["ci_low"], expected["lb"], atol=tol, rtol=0)
    np.testing.assert_allclose(got["ci_high"], expected["ub"], atol=tol, rtol=0)
    # The same rows in the Stata README, to 3 decimals: 0.024 0.067 / 0.017 0.072 / 0.008 0.080 /
    # -0.001 0.088
    stata = np.array([[0.024, 0.067], [0.017, 0.072], [0.008, 0.080], [-0.001, 0.088]])
    np.testing.assert_allclose(got[["ci_low", "ci_high"]].to_numpy(), stata, atol=tol + 5e-4, rtol=0)


def test_relative_magnitudes_breakdown(rm_first):
    # README: "the breakdown value for a significant effect is Mbar = 2" (CI at 1.5 excludes 0,
    # at 2 it does not)
    bd = rm_first.attrs["breakdown_M"]
    assert 1.5 < bd < 2.0
    assert rm_first.attrs["restriction"] == "DeltaRM"
    assert rm_first.attrs["inference"] == "C-LF"


def test_smoothness_flci_matches_r_readme(sd_first):
    # HonestDiD R README, createSensitivityResults(Mvec = seq(0, 0.05, 0.01)), method FLCI:
    expected = pd.DataFrame({"M": [0.0, 0.01, 0.02, 0.03, 0.04, 0.05],
                             "lb": [0.0259, 0.0132, 0.00286, -0.00714, -0.0171, -0.0271],
                             "ub": [0.0607, 0.0787, 0.0907, 0.101, 0.111, 0.121]})
    got = sd_first[sd_first["method"] == "FLCI"].reset_index(drop=True)
    assert np.allclose(got["M"], expected["M"])
    # No grid here (convex optimisation): tolerance = half a unit in the last of the 3 significant
    # digits printed by the README + 1e-4 for R's simulated folded-normal quantile (1e6 draws).
    for col, ref in (("ci_low", expected["lb"]), ("ci_high", expected["ub"])):
        assert np.all(np.abs(got[col] - ref) <= printed_tol(ref) + 1e-4), (col, got[col].tolist())


def test_smoothness_breakdown(sd_first):
    # README: "the breakdown value for a significant effect is M ~ 0.03" (0.02 excludes 0, 0.03 not)
    assert 0.02 < sd_first.attrs["breakdown_M"] < 0.03
    assert sd_first.attrs["inference"] == "FLCI"


def test_average_effect_matches_stata_readme():
    # Stata README, l_vec = (0.5, 0.5), mvec(0(0.5)2), C-LF, DeltaRM (3 decimals):
    stata = np.array([[0.041, 0.075], [0.033, 0.080], [0.020, 0.090], [0.006, 0.103], [-0.008, 0.117]])
    f = honest_did(betahat=BETAHAT, sigma=SIGMA, num_pre=5, num_post=2, e=[0, 1],
                   M=[0.0, 0.5, 1.0, 1.5, 2.0], breakdown=False)
    assert f.attrs["l_vec"] == [0.5, 0.5]
    orig = f.iloc[0]
    assert (round(orig["ci_low"], 3), round(orig["ci_high"], 3)) == (0.040, 0.075)
    got = f[f["method"] == "C-LF"][["ci_low", "ci_high"]].to_numpy()
    tol = 2 * r_grid_step([0.5, 0.5]) + 5e-4  # grid resolution + 3-decimal rounding
    np.testing.assert_allclose(got, stata, atol=tol, rtol=0)


# --------------------------------------------------------------------------------------
# internal consistency
# --------------------------------------------------------------------------------------
def test_flci_worst_case_bias_closed_form_matches_lp():
    lv = np.array([0.3, 0.7])
    prob = _SDProblem(SIGMA, 5, 2, lv)
    for M in (0.01, 0.03):
        centre, hl, v_pre = prob.flci(BETAHAT, M, 0.05)
        w = np.cumsum(v_pre)
        assert w.sum() == pytest.approx(prob.sum_target)
        lp_bias = _sd_worst_case_bias_lp(v_pre, lv, M)
        assert lp_bias == pytest.approx(M * prob.bias(w), rel=1e-6, abs=1e-12)
        assert centre == pytest.approx(v_pre @ BETAHAT[:5] + lv @ BETAHAT[5:])
    # weights that do not remove a linear trend have unbounded worst-case bias
    assert _sd_worst_case_bias_lp(np.zeros(5), lv, 0.01) == np.inf


def test_rm_sets_nested_and_m0_close_to_original(rm_first):
    f = honest_bounds(BETAHAT, SIGMA, 5, 2, M=[0.0, 1.0, 3.0], breakdown=False)
    ci = f[f["method"] == "C-LF"][["ci_low", "ci_high"]].to_numpy()
    assert np.all(np.diff(ci[:, 0]) < 0) and np.all(np.diff(ci[:, 1]) > 0)
    orig = f.iloc[0]
    # Mbar = 0 imposes exact parallel trends after treatment: close to the conventional interval
    assert ci[0, 0] == pytest.approx(orig["ci_low"], abs=0.1 * rm_first.attrs["std_error"])
    assert ci[0, 1] == pytest.approx(orig["ci_high"], abs=0.1 * rm_first.attrs["std_error"])


def test_single_post_period_uses_no_nuisance_path():
    f = honest_bounds(BETAHAT[:6], SIGMA[:6, :6], 5, 1, M=[0.5, 1.0], breakdown=False)
    ci = f[f["method"] == "C-LF"][["ci_low", "ci_high"]].to_numpy()
    est = f.attrs["estimate"]
    assert np.all(ci[:, 0] < est) and np.all(ci[:, 1] > est)
    assert ci[1, 0] <= ci[0, 0] and ci[1, 1] >= ci[0, 1]


# --------------------------------------------------------------------------------------
# API on evalkit results
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def panel():
    return simulate_staggered_panel(n_units=300, n_periods=6, cohorts=(3, 4), seed=3)


def test_twfe_result_equals_array_call(panel):
    r = event_study(panel, "y", "id", "t", "g", estimator="twfe", ref=-1)
    f = honest_did(r, e=1, method="smoothness", M=[0.0, 0.2])
    tab = r.tidy().set_index("term")
    terms = f.attrs["terms"]
    assert "rel::-1" not in terms  # the reference period is excluded
    pre = [t for t in terms if tab.loc[t, "event_time"] < 0]
    post = [t for t in terms if tab.loc[t, "event_time"] >= 0]
    lv = np.zeros(len(post))
    lv[post.index("rel::1")] = 1.0
    g = honest_bounds(tab.loc[terms, "estimate"].to_numpy(), r.vcov.loc[terms, terms].to_numpy(),
                      len(pre), len(post), lv, method="smoothness", M=[0.0, 0.2])
    pd.testing.assert_frame_equal(f, g)
    assert list(f.columns) == ["M", "ci_low", "ci_high", "method"]
    assert f["method"].tolist() == ["original", "FLCI", "FLCI"]
    assert f.attrs["estimate"] == pytest.approx(tab.loc["rel::1", "estimate"])


def test_cs_varying_base_warns_and_universal_does_not(panel):
    rv = staggered_att(panel, "y", "id", "t", "g", aggregate="dynamic")
    with pytest.warns(UserWarning, match="universal"):
        fv = honest_did(rv, M=[0.5], breakdown=False)
    assert "rel::-1" in fv.attrs["terms"]  # short difference kept, as HonestDiD does for CS
    ru = staggered_att(panel, "y", "id", "t", "g", aggregate="dynamic", base_period="universal")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        fu = honest_did(ru, M=[0.5], breakdown=False)
    assert "rel::-1" not in fu.attrs["terms"]
    assert not any(t.startswith("ATT") for t in fu.attrs["terms"])
    row = fu[fu["method"] == "C-LF"].iloc[0]
    assert row["ci_low"] < fu.attrs["estimate"] < row["ci_high"]


def test_errors(panel):
    r = event_study(panel, "y", "id", "t", "g", estimator="twfe", ref=-1)
    r0 = copy.copy(r)
    r0.vcov = None
    with pytest.raises(ValueError, match="no covariance matrix"):
        honest_did(r0)
    with pytest.raises(ValueError, match="not a post-treatment event time"):
        honest_did(r, e=7)
    with pytest.raises(ValueError, match="method"):
        honest_did(r, method="linear")
    with pytest.raises(ValueError, match="ref=-1"):
        honest_did(event_study(panel, "y", "id", "t", "g", estimator="twfe", ref=-2))
    with pytest.raises(ValueError, match="either result or"):
        honest_did(r, betahat=BETAHAT)
    with pytest.raises(ValueError, match="num_pre_periods"):
        honest_bounds(BETAHAT, SIGMA, 4, 2)
    with pytest.raises(ValueError, match="M must be"):
        honest_bounds(BETAHAT, SIGMA, 5, 2, M=[-1.0])


def test_default_grids_and_attrs():
    f = honest_did(betahat=BETAHAT, sigma=SIGMA, num_pre=5, num_post=2, method="smoothness")
    assert f["method"].iloc[0] == "original" and (f["method"].iloc[1:] == "FLCI").all()
    assert f["M"].iloc[1] == 0.0 and len(f) == 7
    for key in ("breakdown_M", "restriction", "estimate", "std_error", "original_ci", "l_vec", "alpha"):
        assert key in f.attrs


# --------------------------------------------------------------------------------------
# the ARP test against brute-force linear programming, and its size by simulation
# --------------------------------------------------------------------------------------
def _eta_lp(y, X, sd):
    """ARP statistic by LP (scipy HiGHS): min eta s.t. y - X t <= eta * sd."""
    from scipy.optimize import linprog

    k = X.shape[1]
    scale = sd.max()  # eta is invariant to scaling y and sd together; keeps HiGHS tolerances relative
    y, sd = y / scale, sd / scale
    c = np.zeros(k + 1)
    c[0] = 1.0
    A_ub = -np.column_stack([sd, X])
    res = linprog(c, A_ub=A_ub, b_ub=-y, bounds=[(None, None)] * (k + 1), method="highs")
    assert res.status == 0
    return res.fun


def test_arp_vertex_enumeration_matches_linear_programming():
    from evalkit.impact.honest import _gamma_matrix, _rm_tests

    lv = np.array([0.5, 0.5])
    tests = _rm_tests(BETAHAT, SIGMA, 5, 2, lv, 1.0, 0.05, "LF", 500, 0)
    X = (np.vstack([np.eye(2) - np.eye(2, k=-1), -(np.eye(2) - np.eye(2, k=-1))])
         @ np.linalg.inv(_gamma_matrix(lv)))[:, 1:]
    rng = np.random.default_rng(1)
    for t in tests[:4]:
        for theta in (0.02, 0.05, 0.09):
            y = t.Y0 - t.a1 * theta + rng.normal(scale=0.003, size=t.Y0.size)
            eta, g, vlo, vup = t.truncation(y)
            assert eta == pytest.approx(_eta_lp(y, X, t.sd), rel=1e-7, abs=1e-9)
            # the truncation interval is where g stays optimal along y(c) = S + b c
            b = t.SigY @ g / (g @ t.SigY @ g)
            S = y - b * eta
            for c in (vlo, vup):
                if np.isfinite(c):
                    inside = c + 1e-6 * np.sign(eta - c)
                    outside = c - 1e-3 * np.sign(eta - c)
                    assert _eta_lp(S + b * inside, X, t.sd) == pytest.approx(inside, rel=1e-7, abs=1e-9)
                    assert _eta_lp(S + b * outside, X, t.sd) > outside + 1e-6


def test_batched_cone_rays_give_the_linear_programme_optimum_and_are_computed_once():
    """The vertices found by the batched QR enumeration reproduce the ARP statistic of an independent
    LP (scipy HiGHS) for a ten-post-period window (184,756 candidate supports, the size of the demo's
    event study), and a second request for the same X is served from the cache, read-only."""
    from evalkit.impact import honest

    K, T = 3, 10
    lv = np.zeros(T)
    lv[0] = 1.0
    A = honest._rm_moments(K, T, 1.0, 0, 1.0)
    X = (A[:, K:] @ np.linalg.inv(honest._gamma_matrix(lv)))[:, 1:]
    honest._RAYS_CACHE.clear()
    rays = honest._cone_rays(X)
    assert rays.shape[0] > 0 and np.all(rays >= 0) and np.allclose(rays.sum(axis=1), 1.0)
    assert np.allclose(rays @ X, 0.0, atol=1e-9)
    rng = np.random.default_rng(7)
    sd = rng.uniform(0.5, 2.0, size=X.shape[0])
    V = rays / (rays @ sd)[:, None]
    for _ in range(5):
        y = rng.normal(size=X.shape[0])
        assert (V @ y).max() == pytest.approx(_eta_lp(y, X, sd), rel=1e-7, abs=1e-9)
    again = honest._cone_rays(X.copy())
    assert again is rays and not again.flags.writeable


def _rays_by_svd(X):
    """Reference: every support of k + 1 rows, its null space by SVD (numpy), one support at a time."""
    m, k = X.shape
    out = []
    for B in itertools.combinations(range(m), k + 1):
        _, sv, vt = np.linalg.svd(X[list(B)].T)
        if sv.size < k or sv[-1] < 1e-10 * max(1.0, sv[0]):
            continue  # rank below k: a null space of more than one dimension
        g = vt[-1] if np.any(vt[-1] > 1e-12) else -vt[-1]
        if np.any(g < -1e-12):
            continue  # of both signs
        r = np.zeros(m)
        r[list(B)] = np.clip(g, 0, None)
        out.append(r / r.sum())
    return np.unique(np.round(np.array(out), 12), axis=0)


@pytest.mark.parametrize(("K", "T"), [(1, 2), (2, 3), (3, 4), (2, 5), (4, 5), (3, 6)])
def test_cone_rays_by_qr_equal_svd_reference(K, T):
    """The batched QR null spaces give exactly the rays of a one-at-a-time SVD enumeration (rounded to 12
    decimals, as kept), for the relative-magnitudes moments of several window sizes, each single post period
    and the average over the window as targets."""
    from evalkit.impact import honest

    for lv in [*np.eye(T), np.full(T, 1.0 / T)]:
        A = honest._rm_moments(K, T, 1.0, 0, 1.0)
        X = (A[:, K:] @ np.linalg.inv(honest._gamma_matrix(lv)))[:, 1:]
        np.testing.assert_array_equal(honest._cone_rays_uncached(X), _rays_by_svd(X))


def test_rm_coverage_at_least_favourable_bias():
    """Monte Carlo: 400 draws of betahat ~ N(tau + delta, SIGMA) with delta on the boundary of
    Delta^RM(1); the C-LF set for tau_1 should cover in >= 95% (minus 3 MC standard errors)."""
    from evalkit.impact.honest import _rm_tests

    K, T, Mbar = 5, 2, 1.0
    d = 0.01
    delta = np.array([-5 * d, -4 * d, -3 * d, -2 * d, -d, d, 2 * d])  # all changes equal d
    tau = np.array([0, 0, 0, 0, 0, 0.04, 0.06])
    rng = np.random.default_rng(2024)
    L = np.linalg.cholesky(SIGMA)
    reps, cover, cover_far = 400, 0, 0
    for r in range(reps):
        bhat = tau + delta + L @ rng.normal(size=7)
        tests = _rm_tests(bhat, SIGMA, K, T, np.array([1.0, 0.0]), Mbar, 0.05, "LF", 1000, r)
        cover += any(t.accept(0.04)[0] for t in tests)
        cover_far += any(t.accept(-0.03)[0] for t in tests)  # ~7 SEs outside the identified set
    assert cover / reps >= 0.95 - 3 * np.sqrt(0.95 * 0.05 / reps)
    assert cover_far / reps <= 0.05  # and the test has power


def test_breakdown_extends_grid_and_nan_when_never_significant():
    # every grid value excludes 0: the breakdown is found by doubling, then bisection
    f = honest_bounds(BETAHAT, SIGMA, 5, 2, method="smoothness", M=[0.01])
    assert 0.02 < f.attrs["breakdown_M"] < 0.03
    # an insignificant effect has no breakdown value
    b0 = BETAHAT.copy()
    b0[5:] = 0.001
    g = honest_bounds(b0, SIGMA, 5, 2, method="smoothness", M=[0.0, 0.01])
    assert np.isnan(g.attrs["breakdown_M"])
