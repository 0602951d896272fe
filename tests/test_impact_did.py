"""evalkit.impact.did and event_study(estimator="twfe") against pyfixest.

Reference: ``pyfixest.feols("y ~ d | id + t", vcov={"CRV1": "id"})`` (pyfixest's default small-sample
correction ssc(k_adj=True, k_fixef="nonnested", G_adj=True), i.e. fixest/reghdfe CRV1), fitted live on
the same simulated panels; coefficients and SEs must agree to 1e-6 relative. Unbalanced panels use
alternating projections in both packages, so agreement there is limited by convergence tolerance
(observed ~1e-9). Stored pyfixest numbers in tests/results/impact_pyfixest_results.py (made by
tests/results/make_impact_results.py) guard the same comparison when pyfixest is not installed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.impact import did, event_study
from evalkit.report.impact_plots import event_study_plot

RTOL = 1e-6


def _panel(seed=0, n=200, T=6, unbalanced=False):
    """Panel with staggered 0/1 treatment, a covariate and a constant effect of 1.5."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n)})
    g = rng.choice([0, 3, 5], n)
    df["g"] = np.repeat(g, T)
    df["d"] = ((df.g > 0) & (df.t >= df.g)).astype(int)
    df["x"] = rng.normal(size=len(df))
    df["agency"] = np.repeat(rng.integers(0, 25, n), T)
    df["y"] = np.repeat(rng.normal(size=n), T) + 0.2 * df.t + 1.5 * df.d + 0.5 * df.x + rng.normal(size=len(df))
    if unbalanced:
        df = df.loc[rng.random(len(df)) > 0.2].reset_index(drop=True)
    return df


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a / b - 1))


@pytest.mark.filterwarnings("ignore:.*singleton:UserWarning")
@pytest.mark.parametrize("unbalanced", [False, True])
@pytest.mark.parametrize("covariates", [None, ["x"]])
def test_did_matches_pyfixest(unbalanced, covariates):
    import pyfixest as pf
    df = _panel(seed=1, unbalanced=unbalanced)
    res = did(df, "y", "id", "t", "d", covariates=covariates)
    fml = "y ~ d" + (" + x" if covariates else "") + " | id + t"
    ref = pf.feols(fml, data=df, vcov={"CRV1": "id"})  # drops singletons, as did() does
    tid = res.tidy()
    assert list(tid.term) == list(ref.coef().index)
    assert _rel(tid.estimate, ref.coef()) < RTOL
    assert _rel(tid.std_error, ref.se()) < RTOL
    assert _rel(tid.ci_low, ref.confint().iloc[:, 0]) < RTOL  # same t(G-1) reference distribution
    assert res.n_obs == ref._N


def test_did_cluster_other_than_id_matches_pyfixest():
    import pyfixest as pf
    df = _panel(seed=2)
    res = did(df, "y", "id", "t", "d", cluster="agency", covariates="x")
    ref = pf.feols("y ~ d + x | id + t", data=df, vcov={"CRV1": "agency"})
    assert _rel(res.coef(), ref.coef()) < RTOL
    assert _rel(res.se(), ref.se()) < RTOL
    assert res.n_clusters == df.agency.nunique()


def test_did_small_sample_factor_is_fixest_nested():
    """G/(G-1) * (N-1)/(N-K) with K = slopes + T (unit FE nested in the id cluster)."""
    df = _panel(seed=3)
    res = did(df, "y", "id", "t", "d")
    G, N, T = 200, len(df), 6
    assert res.details["factor"] == pytest.approx(G / (G - 1) * (N - 1) / (N - 1 - T), rel=1e-12)


def test_did_period_strings_equal_integer_times():
    df = _panel(seed=4)
    q = pd.period_range("2022Q1", periods=6, freq="Q")
    df2 = df.assign(t=[str(q[t - 1]) for t in df.t])
    a, b = did(df, "y", "id", "t", "d"), did(df2, "y", "id", "t", "d")
    assert a.coef().iloc[0] == pytest.approx(b.coef().iloc[0], rel=1e-12)


def test_did_input_errors_name_the_column():
    df = _panel(seed=5)
    with pytest.raises(ValueError, match="treatname='nope'"):
        did(df, "y", "id", "t", "nope")
    with pytest.raises(ValueError, match="'g' must be 0/1"):
        did(df, "y", "id", "t", "g")
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        did(df.to_numpy(), "y", "id", "t", "d")
    bad = df.assign(y=df.y.astype(object).where(df.index != 3, None))
    with pytest.raises((ValueError, TypeError), match="'y'"):
        did(bad, "y", "id", "t", "d")


def test_summary_has_no_timestamp():
    import re

    s = did(_panel(seed=6), "y", "id", "t", "d").summary()
    assert "CRV1" in s
    assert re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}", s) is None


@pytest.mark.parametrize("window", [None, (-3, 3)])
def test_event_study_twfe_matches_pyfixest(window):
    import pyfixest as pf
    df = _panel(seed=7, n=300, T=8)
    res = event_study(df, "y", "id", "t", "g", ref=-1, window=window, estimator="twfe")
    rel = df.t - df.g
    if window is not None:
        rel = rel.clip(*window)
    df["rel"] = np.where(df.g > 0, rel, -1)  # never treated: all dummies zero (coded as the ref)
    ref = pf.feols("y ~ i(rel, ref=-1) | id + t", data=df, vcov={"CRV1": "id"})
    tid = res.tidy().query("term != 'rel::-1'")
    names = [f"rel::{e}" for e in tid.event_time]
    assert names == list(ref.coef().index)  # pyfixest names i() terms 'rel::e' too
    assert _rel(tid.estimate, ref.coef()) < RTOL
    assert _rel(tid.std_error, ref.se()) < RTOL
    ref_row = res.tidy().query("term == 'rel::-1'")
    assert ref_row.estimate.iloc[0] == 0 and np.isnan(ref_row.std_error.iloc[0])


def test_event_study_plot_returns_axes():
    import matplotlib.pyplot as plt

    res = event_study(_panel(seed=8), "y", "id", "t", "g", window=(-2, 2), estimator="twfe")
    ax = event_study_plot(res)
    assert ax.get_xlabel() and len(ax.lines) >= 2
    plt.close("all")
    with pytest.raises(TypeError):
        event_study_plot(did(_panel(seed=8), "y", "id", "t", "d"))


def test_jointly_collinear_covariates_are_dropped_with_a_note():
    """x3 = x1 + x2: X'X is singular; the later column of the collinear set is dropped (as fixest does)."""
    df = _panel(seed=12)
    rng = np.random.default_rng(12)
    df["x1"], df["x2"] = rng.normal(size=len(df)), rng.normal(size=len(df))
    df["x3"] = df.x1 + df.x2
    res = did(df, "y", "id", "t", "d", covariates=["x1", "x2", "x3"])
    ref = did(df, "y", "id", "t", "d", covariates=["x1", "x2"])
    assert list(res.tidy().term) == ["d", "x1", "x2"]
    np.testing.assert_allclose(res.tidy().estimate, ref.tidy().estimate, rtol=1e-8)
    np.testing.assert_allclose(res.tidy().std_error, ref.tidy().std_error, rtol=1e-8)
    assert any("collinear" in n and "x3" in n for n in res.notes)


def test_event_study_all_eventually_treated_drops_collinear_dummies():
    """Every unit treated at some point, no window: relative-time dummies plus unit and time effects are
    jointly collinear (rank deficiency 2 here: 136 of 138 columns); the collinear dummies are dropped and
    named in a note, the others match pyfixest, which drops the same two (rel 4 and 5)."""
    rng = np.random.default_rng(13)
    n, T = 120, 8
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n)})
    df["g"] = np.repeat(rng.choice([3, 5, 7], n), T)
    df["y"] = np.repeat(rng.normal(size=n), T) + 0.1 * df.t + (df.t >= df.g) * 1.0 + rng.normal(size=len(df))
    res = event_study(df, "y", "id", "t", "g", estimator="twfe")
    tab = res.tidy()
    est = tab.loc[tab.event_time != -1]
    assert list(est.loc[est.estimate.isna(), "term"]) == ["rel::4", "rel::5"]
    kept = est.dropna(subset=["estimate"])
    assert np.isfinite(kept.std_error).all() and (kept.std_error < 10).all()
    assert any("rel::4" in n and "rel::5" in n for n in res.notes)
    import pyfixest as pf
    rel = df.t - df.g
    names = {e: f"r{e}".replace("-", "m") for e in kept.event_time}
    for e, c in names.items():
        df[c] = (rel == e).astype(float)
    ref = pf.feols("y ~ " + " + ".join(names.values()) + " | id + t", data=df, vcov={"CRV1": "id"})
    assert _rel(kept.estimate, ref.coef()[list(names.values())]) < RTOL
    assert _rel(kept.std_error, ref.se()[list(names.values())]) < RTOL


def test_did_rejects_duplicated_unit_period_rows():
    """Unit 0 has period 1 twice and no period 2, unit 1 the reverse: the marginal counts look balanced."""
    df = _panel(seed=14, n=40, T=4)
    df.loc[(df.id == 0) & (df.t == 2), "t"] = 1
    df.loc[(df.id == 1) & (df.t == 1), "t"] = 2
    with pytest.raises(ValueError, match=r"\(0, 1\).*\(1, 2\)|more than once"):
        did(df, "y", "id", "t", "d")
    with pytest.raises(ValueError, match="more than once"):
        did(df, "y", "id", "t", "d", covariates=["x"])


def test_pretrend_wald_needs_fewer_restrictions_than_clusters():
    """The joint pre-trend F test uses the CRV1 covariance, whose rank is at most G - 1: with 3 pre-period
    coefficients (-4, -3, -2) for 3 agencies there is no test (a note says so, the estimates are unchanged);
    with 25 agencies the F statistic equals b' V^-1 b / k computed here from the result's own coefficients and
    covariance."""
    df = _panel(seed=7, n=300, T=8)
    many = event_study(df, "y", "id", "t", "g", estimator="twfe", cluster="agency")
    few = event_study(df.assign(agency=df["agency"] % 3), "y", "id", "t", "g", estimator="twfe", cluster="agency")
    pre = [t for t in many.vcov.index if int(t.split("::")[1]) < -1]
    assert len(pre) == 3 and few.n_clusters == 3
    assert few.details["pretrend_wald"] is None and any("pre-trend" in n for n in few.notes)
    np.testing.assert_allclose(few.tidy()["estimate"], many.tidy()["estimate"])
    b, V = many.coef()[pre].to_numpy(), many.vcov.loc[pre, pre].to_numpy()
    w = many.details["pretrend_wald"]
    assert w["df1"] == 3 and w["df2"] == many.n_clusters - 1
    assert w["F"] == pytest.approx(float(b @ np.linalg.solve(V, b)) / 3)


def test_shared_panel_checks_and_crv1_result():
    """The checks and the CRV1 result that did(), event_study(), staggered_att() and dose_twfe() share."""
    from evalkit.impact._common import check_no_missing, panel_times
    from evalkit.impact.services import dose_twfe

    df = _panel(seed=11, n=40)
    check_no_missing(df, "y", "id")
    with pytest.raises(ValueError, match=r"^column 'x' has missing values$"):
        check_no_missing(df.assign(x=df["x"].where(df.index != 3)), "y", "x")
    tint, tmap, gint = panel_times(df, "id", "t", "g")
    assert tint.tolist() == [tmap[t] for t in df["t"]]
    assert np.isinf(gint[(df["g"] == 0).to_numpy()]).all()
    assert (gint[(df["g"] == 3).to_numpy()] == tmap[3]).all()
    with pytest.raises(ValueError, match="does not identify rows uniquely"):
        panel_times(pd.concat([df, df.head(2)], ignore_index=True), "id", "t", "g")
    # every TWFE-fit result: CRV1 by the cluster, t(G - 1), the fit's covariance, the wild bootstrap attached
    for res in (did(df, "y", "id", "t", "d", cluster="agency", covariates="x"),
                event_study(df, "y", "id", "t", "g", cluster="agency", estimator="twfe"),
                dose_twfe(df, "y", "id", "t", "d", cluster="agency")):
        assert res.se_type == "CRV1 by agency (fixest/reghdfe small-sample factor)"
        assert res.n_clusters == df["agency"].nunique() and res.df == res.n_clusters - 1
        assert "factor" in res.details and res.n_obs == len(df)
        assert res.wild_bootstrap(B=99, seed=1)["B"].iloc[0] == 99


def _duplicate_message_reference(ids, times, idname, tname, k=5):
    """The message as built before the integer keys: DataFrame.duplicated on the values themselves."""
    key = pd.DataFrame({"id": np.asarray(ids), "t": np.asarray(times)})
    dup = key.duplicated(keep=False)
    if not dup.any():
        return None
    pairs = key[dup].drop_duplicates()
    shown = ", ".join(f"({i!r}, {t!r})" for i, t in pairs.head(k).itertuples(index=False))
    more = f" and {len(pairs) - k} more" if len(pairs) > k else ""
    return (f"({idname!r}, {tname!r}) does not identify rows uniquely: {len(pairs)} (id, t) pairs occur more "
            f"than once, e.g. {shown}{more}")


@pytest.mark.parametrize("seed", range(12))
def test_duplicate_message_equals_dataframe_duplicated(seed):
    """duplicate_message (integer keys) names the same pairs, in the same order, as DataFrame.duplicated on the
    values, for text, Arrow-text, integer and float ids and periods, with missing values, with and without
    repeats."""
    from evalkit.impact._common import duplicate_message

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    ids = rng.integers(0, max(2, n // int(rng.integers(1, 4))), n)
    times = rng.integers(1, 5, n).astype(float)
    if seed % 3 == 0:
        times[rng.random(n) < 0.1] = np.nan
    id_values = [pd.Series([f"P{i:03d}" for i in ids], dtype="string[pyarrow]"),
                 np.array([f"P{i:03d}" for i in ids], dtype=object), ids, ids.astype(float)]
    for id_col in id_values:
        for t_col in (times, pd.Series(times)):
            assert duplicate_message(id_col, t_col, "id", "t") == _duplicate_message_reference(id_col, t_col, "id", "t")
    unique = pd.DataFrame({"id": np.arange(n), "t": 1.0})
    assert duplicate_message(unique["id"], unique["t"], "id", "t") is None
