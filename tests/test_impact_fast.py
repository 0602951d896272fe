"""The exact fast paths of evalkit.impact.did and staggered_att (evalkit.impact.fast).

Three-way agreement on small simulated panels:

* fast path vs the general path of the same function (forced with ``fast.ENABLED = False``): estimate, SE,
  CI, small-sample factor and cells agree to 1e-6 relative (observed ~1e-13: the algebra is identical);
* fast path vs the independent references used in tests/test_impact_did.py and test_impact_staggered.py:
  ``pyfixest.feols("y ~ d | id + t", vcov={"CRV1": "id"})`` (fixest/reghdfe CRV1 small-sample factor) and
  ``differences.ATTgt(...).fit("y", control_group=...)`` (R ``did``'s algorithm, analytic SEs with
  ``boot_iterations=0``), fitted live;
* structures the fast path does not cover (unbalanced panel, covariates, cluster varying within unit,
  missing outcome) must fall back to the general path (``details["path"] == "general"``) and still match
  the reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.impact import did, fast, staggered_att

RTOL = 1e-6


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))


def _did_panel(seed=0, n=300, T=5):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n)})
    g = rng.choice([0, 2, 4], n)
    df["d"] = ((g[df.id] > 0) & (df.t >= g[df.id])).astype(int)
    df["agency"] = rng.integers(0, 20, n)[df.id]
    df["x"] = rng.normal(size=len(df))
    df["y"] = rng.normal(size=n)[df.id] + 0.2 * df.t + 1.5 * df.d + 0.3 * df.x + rng.normal(size=len(df))
    return df.sample(frac=1.0, random_state=1).reset_index(drop=True)  # row order must not matter


def _cs_panel(seed=0, n=500, T=6, cohorts=(3, 4, 6), never=0.35):
    rng = np.random.default_rng(seed)
    g = np.where(rng.random(n) < never, 0, rng.choice(cohorts, n))
    ids, t = np.repeat(np.arange(n), T), np.tile(np.arange(1, T + 1), n)
    gg = g[ids]
    e = t - gg
    tau = np.where((gg > 0) & (e >= 0), 1.0 + 0.4 * e + 0.2 * gg, 0.0)
    y = rng.normal(size=n)[ids] + 0.3 * t + 0.1 * gg + tau + rng.normal(size=n * T)
    return pd.DataFrame({"id": ids, "t": t, "g": gg, "y": y})


def _general(monkeypatch, fn, *args, **kw):
    monkeypatch.setattr(fast, "ENABLED", False)
    try:
        return fn(*args, **kw)
    finally:
        monkeypatch.setattr(fast, "ENABLED", True)


def _same_result(a, b, rtol=RTOL):
    ta, tb = a.tidy(), b.tidy()
    assert list(ta.columns) == list(tb.columns)
    assert list(ta.term) == list(tb.term)
    for c in ["estimate", "std_error", "ci_low", "ci_high", "p_value"]:
        assert _rel(ta[c], tb[c]) < rtol, c
    assert (ta.n == tb.n).all()
    assert (a.n_obs, a.n_clusters, a.df, a.notes) == (b.n_obs, b.n_clusters, b.df, b.notes)


# ------------------------------------------------------------------------------------------ codes
def test_codes_integer_fast_path_and_factorize_agree():
    rng = np.random.default_rng(0)
    x = rng.choice([7, 9, 12, 40], 1000)
    for vals in (x, x + 10**6, x.astype("int32")):
        c, u = fast.codes(pd.Series(vals))
        assert np.array_equal(u[c], vals)
        assert len(u) == 4
    s = pd.Series(["b", "a", None, "b"])
    c, u = fast.codes(s)
    assert c[2] == -1 and list(u[c[[0, 1, 3]]]) == ["b", "a", "b"]


# -------------------------------------------------------------------------------------------- DiD
@pytest.mark.parametrize("cluster", [None, "agency"])
def test_did_fast_equals_general(monkeypatch, cluster):
    df = _did_panel(seed=1)
    a = did(df, "y", "id", "t", "d", cluster=cluster)
    b = _general(monkeypatch, did, df, "y", "id", "t", "d", cluster=cluster)
    assert a.details["path"] == "fast" and b.details["path"] == "general"
    _same_result(a, b)
    assert a.details["factor"] == pytest.approx(b.details["factor"], rel=1e-14)
    assert a.details["df_k"] == b.details["df_k"] == 5 + 1  # slope + T: unit FE nested in the cluster
    assert _rel(a.vcov.to_numpy(), b.vcov.to_numpy()) < RTOL


@pytest.mark.parametrize("cluster", ["id", "agency"])
def test_did_fast_matches_pyfixest(cluster):
    import pyfixest as pf
    df = _did_panel(seed=2)
    res = did(df, "y", "id", "t", "d", cluster=None if cluster == "id" else cluster)
    assert res.details["path"] == "fast"
    ref = pf.feols("y ~ d | id + t", data=df, vcov={"CRV1": cluster})
    assert _rel(res.coef(), ref.coef()) < RTOL
    assert _rel(res.se(), ref.se()) < RTOL
    assert _rel(res.tidy().ci_low, ref.confint().iloc[:, 0]) < RTOL
    assert res.n_obs == ref._N


def test_did_fast_handles_string_ids_periods_and_gapped_ids(monkeypatch):
    df = _did_panel(seed=3)
    q = pd.period_range("2021Q1", periods=5, freq="Q").astype(str)
    df2 = df.assign(id=("P" + df.id.astype(str)), t=q[df.t.to_numpy() - 1])
    df3 = df.assign(id=df.id * 1000 + 17)  # sparse integer ids: factorize branch
    base = did(df, "y", "id", "t", "d")
    for other in (df2, df3):
        r = did(other, "y", "id", "t", "d")
        assert r.details["path"] == "fast"
        _same_result(r, base, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:.*singleton:UserWarning")
def test_did_unbalanced_falls_back_and_matches_pyfixest():
    import pyfixest as pf
    df = _did_panel(seed=4)
    df = df.drop(index=np.random.default_rng(0).choice(len(df), 40, replace=False)).reset_index(drop=True)
    res = did(df, "y", "id", "t", "d")
    assert res.details["path"] == "general"
    ref = pf.feols("y ~ d | id + t", data=df, vcov={"CRV1": "id"})
    assert _rel(res.coef(), ref.coef()) < RTOL
    assert _rel(res.se(), ref.se()) < RTOL


def test_did_other_structures_fall_back():
    df = _did_panel(seed=5)
    assert did(df, "y", "id", "t", "d", covariates=["x"]).details["path"] == "general"
    rng = np.random.default_rng(1)
    df["wobbly"] = rng.integers(0, 10, len(df))  # varies within unit
    assert did(df, "y", "id", "t", "d", cluster="wobbly").details["path"] == "general"
    dup = pd.concat([df, df.iloc[:1]], ignore_index=True).drop(index=[5]).reset_index(drop=True)
    with pytest.raises(ValueError, match="more than once"):  # same N, one pair twice: named, not fitted
        did(dup, "y", "id", "t", "d")


def test_did_errors_unchanged():
    df = _did_panel(seed=6)
    with pytest.raises(ValueError, match="must be 0/1"):
        did(df.assign(d=df.d * 2), "y", "id", "t", "d")
    with pytest.raises(ValueError, match="collinear"):
        did(df.assign(d=(df.t >= 3).astype(int)), "y", "id", "t", "d")  # absorbed by time FE


# ------------------------------------------------------------------------------- Callaway-Sant'Anna
@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("aggregate", ["gt", "simple", "dynamic", "group", "calendar"])
def test_staggered_fast_equals_general(monkeypatch, control, aggregate):
    df = _cs_panel(seed=7).sample(frac=1.0, random_state=2)
    a = staggered_att(df, "y", "id", "t", "g", control=control, aggregate=aggregate)
    b = _general(monkeypatch, staggered_att, df, "y", "id", "t", "g", control=control, aggregate=aggregate)
    assert a.details["path"] == "fast" and b.details["path"] == "general"
    _same_result(a, b)
    pd.testing.assert_frame_equal(a.details["att_gt"], b.details["att_gt"], rtol=1e-9)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("control", ["never", "notyet"])
def test_staggered_fast_matches_differences(control):
    import differences
    df = _cs_panel(seed=8)
    ref = differences.ATTgt(data=df.assign(g=df.g.replace(0, np.nan)).set_index(["id", "t"]), cohort_column="g")
    ref.fit(formula="y", control_group={"never": "never_treated", "notyet": "not_yet_treated"}[control],
            progress_bar=False)
    res = staggered_att(df, "y", "id", "t", "g", control=control, aggregate="gt")
    assert res.details["path"] == "fast"
    cells, r = res.details["att_gt"], ref.results()
    assert list(zip(cells.group, cells.time)) == [(g, t) for g, _, t in r.index]
    assert _rel(cells.att, r.iloc[:, 0]) < 1e-9
    assert _rel(cells.std_error, r.iloc[:, 1]) < RTOL
    dyn = staggered_att(df, "y", "id", "t", "g", control=control, aggregate="dynamic").tidy()
    d = ref.aggregate("event")
    assert _rel(dyn.estimate[: len(d)], d.iloc[:, 0]) < RTOL
    assert _rel(dyn.std_error[: len(d)], d.iloc[:, 1]) < RTOL


def test_staggered_early_and_late_cohorts_same_notes(monkeypatch):
    df = _cs_panel(seed=9)
    g = df.g.to_numpy().copy()
    g[df.id % 17 == 0] = 1  # treated in the first period: dropped
    g[df.id % 19 == 0] = 9  # after the last period: never treated
    df["g"] = g
    a = staggered_att(df, "y", "id", "t", "g", aggregate="dynamic")
    b = _general(monkeypatch, staggered_att, df, "y", "id", "t", "g", aggregate="dynamic")
    assert a.details["path"] == "fast" and len(a.notes) == 2
    _same_result(a, b)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_staggered_unbalanced_falls_back_and_matches_differences():
    import differences
    df = _cs_panel(seed=10)
    df = df.drop(index=np.random.default_rng(3).choice(len(df), 25, replace=False))
    res = staggered_att(df, "y", "id", "t", "g", aggregate="gt")
    assert res.details["path"] == "general"
    assert "not observed in every period" in res.summary()
    # differences keeps only balanced units too when told the panel is balanced: pass it the kept units
    n_t = df.groupby("id").t.transform("size")
    bal = df[n_t == df.t.nunique()]
    ref = differences.ATTgt(data=bal.assign(g=bal.g.replace(0, np.nan)).set_index(["id", "t"]), cohort_column="g")
    ref.fit(formula="y", control_group="never_treated", progress_bar=False)
    assert _rel(res.details["att_gt"].att, ref.results().iloc[:, 0]) < 1e-9
    miss = _cs_panel(seed=10).assign(y=lambda d: d.y.where(d.index != 3))
    assert staggered_att(miss, "y", "id", "t", "g").details["path"] == "general"


def test_staggered_errors_unchanged():
    df = _cs_panel(seed=11)
    with pytest.raises(ValueError, match="never-treated"):
        staggered_att(df[df.g > 0], "y", "id", "t", "g")
    bad = df.assign(g=np.where(df.t == 2, 3, df.g))  # g not constant within unit
    with pytest.raises(ValueError, match="constant within each unit"):
        staggered_att(bad, "y", "id", "t", "g")


def test_staggered_fast_nan_never_and_period_labels(monkeypatch):
    df = _cs_panel(seed=12)
    base = staggered_att(df, "y", "id", "t", "g", aggregate="group")
    nan = staggered_att(df.assign(g=df.g.replace(0, np.nan)), "y", "id", "t", "g", aggregate="group")
    q = pd.period_range("2020Q1", periods=6, freq="Q").astype(str)
    per = df.assign(t=q[df.t.to_numpy() - 1], g=[q[g - 1] if g > 0 else None for g in df.g],
                    id="u" + df.id.astype(str))
    lab = staggered_att(per, "y", "id", "t", "g", aggregate="group")
    gen = _general(monkeypatch, staggered_att, per, "y", "id", "t", "g", aggregate="group")
    for r in (nan, lab):
        assert r.details["path"] == "fast"
        _same_result(r, base, rtol=1e-12)
    _same_result(lab, gen)
