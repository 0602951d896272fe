"""IKM per PermenPANRB 14/2017: every DOMAIN.md checkable example plus a hand-worked survey."""

import numpy as np
import pandas as pd
import pytest

from evalkit.measures import UNSUR, ikm, ikm_by_unsur, ikm_grade


def _all(value, n=5):
    return pd.DataFrame({u: [value] * n for u in UNSUR})


def test_all_four_exact_weight_gives_100_A():
    r = ikm(_all(4)).iloc[0]
    assert r["ikm_ni"] == pytest.approx(4.0)
    assert r["ikm"] == 100.00
    assert (r["mutu"], r["kinerja"]) == ("A", "Sangat Baik")
    assert r["weight"] == "1/9 (exact)"
    assert "14/2017" in r["rule"]


def test_all_four_printed_weight_gives_99_90_still_A():
    r = ikm(_all(4), weight="0.111").iloc[0]
    assert r["ikm_ni"] == pytest.approx(3.996)
    assert r["ikm"] == 99.90
    assert r["mutu"] == "A"
    assert r["weight"] == "0,111 (printed)"


@pytest.mark.parametrize(
    "value, mutu, kinerja",
    [(100.00, "A", "Sangat Baik"), (88.31, "A", "Sangat Baik"), (88.30, "B", "Baik"), (76.61, "B", "Baik"),
     (76.60, "C", "Kurang Baik"), (65.00, "C", "Kurang Baik"), (64.99, "D", "Tidak Baik"),
     (25.00, "D", "Tidak Baik")],
)
def test_converted_boundaries(value, mutu, kinerja):
    g = ikm_grade(value).iloc[0]
    assert (g["mutu"], g["kinerja"]) == (mutu, kinerja)


@pytest.mark.parametrize(
    "value, mutu",
    [(3.5324, "A"), (3.532, "B"), (3.0644, "B"), (3.064, "C"), (2.60, "C"), (2.5996, "D"), (4.0, "A"), (1.0, "D")],
)
def test_ni_boundaries(value, mutu):
    assert ikm_grade(value, scale="ni")["mutu"].iloc[0] == mutu


def test_gap_values_round_half_up_before_classifying():
    g = ikm_grade([88.305, 88.304, 76.605, 64.995])
    assert list(g["mutu"]) == ["A", "B", "B", "C"]


@pytest.mark.parametrize("bad, scale", [(24.99, "converted"), (100.01, "converted"), (0.5, "ni"), (4.1, "ni")])
def test_out_of_range_grade_is_invalid(bad, scale):
    with pytest.raises(ValueError, match="outside"):
        ikm_grade(bad, scale=scale)


def test_answers_outside_1_to_4_raise_naming_column():
    df = _all(3)
    df.loc[0, "u4_biaya"] = 5
    with pytest.raises(ValueError, match="u4_biaya"):
        ikm(df)
    df.loc[0, "u4_biaya"] = 0
    with pytest.raises(ValueError, match="u4_biaya"):
        ikm(df)


def test_hand_worked_three_respondents():
    # u1..u9 answers of 3 respondents; NRR = column means.
    rows = [[4, 3, 3, 4, 3, 4, 4, 2, 3],
            [3, 3, 2, 4, 3, 4, 3, 2, 4],
            [4, 3, 4, 4, 3, 4, 4, 2, 2]]
    df = pd.DataFrame(rows, columns=list(UNSUR))
    # NRR: 11/3, 3, 3, 4, 3, 4, 11/3, 2, 3 -> sum = 29 + 22/3 = 109/3; IKM_NI = 109/27 = 4.0370...?
    # No: sum of NRR = 11/3+3+3+4+3+4+11/3+2+3 = 22/3 + 22 = 88/3; NI = 88/27 = 3.259259...; x25 = 81.481 -> 81.48 B
    r = ikm(df).iloc[0]
    assert r["nrr_u1_persyaratan"] == pytest.approx(11 / 3)
    assert r["nrr_u8_pengaduan"] == pytest.approx(2.0)
    assert r["ikm_ni"] == pytest.approx(88 / 27)
    assert r["ikm"] == 81.48
    assert (r["mutu"], r["kinerja"]) == ("B", "Baik")
    assert r["n_respondents"] == 3


def test_missing_answers_use_mean_of_answered():
    df = _all(4, n=2).astype(float)
    df.loc[0, "u1_persyaratan"] = np.nan
    df.loc[1, "u2_prosedur"] = 1
    t = ikm_by_unsur(df)
    u1 = t[t["unsur"] == "u1_persyaratan"].iloc[0]
    assert (u1["n_answered"], u1["nrr"]) == (1, 4.0)
    assert t.loc[t["unsur"] == "u2_prosedur", "nrr"].iloc[0] == 2.5


def test_grouped_by_unit_and_period():
    df = pd.concat([_all(4, 3).assign(unit="A", period="2024S1"), _all(2, 4).assign(unit="B", period="2024S1")])
    out = ikm(df, by=["unit", "period"])
    assert list(out["unit"]) == ["A", "B"]
    assert list(out["ikm"]) == [100.0, 50.0]
    assert list(out["mutu"]) == ["A", "D"]
    assert list(out["n_respondents"]) == [3, 4]


def test_unsur_mapped_by_name_not_position():
    # a report that swaps Sarana (U8) and Pengaduan (U9): map by name
    df = _all(4)
    df["U8 Sarana"] = 1
    df["U9 Pengaduan"] = 4
    mapping = {u: u for u in UNSUR}
    mapping["u9_sarana"] = "U8 Sarana"
    mapping["u8_pengaduan"] = "U9 Pengaduan"
    t = ikm_by_unsur(df, unsur=mapping)
    assert t.loc[t["unsur"] == "u9_sarana", "nrr"].iloc[0] == 1.0
    assert t.loc[t["unsur"] == "u8_pengaduan", "nrr"].iloc[0] == 4.0


def test_custom_weights_flagged_not_2017_method():
    w = {u: (0.2 if i == 0 else 0.1) for i, u in enumerate(UNSUR)}
    r = ikm(_all(4), weight=w).iloc[0]
    assert r["weight"] == "custom"
    assert "NOT" in r["rule"]
    assert r["ikm_ni"] == pytest.approx(4 * 1.0)


def test_old_14_unsur_method_rejected():
    df = pd.DataFrame({f"u{i}": [4] for i in range(14)})
    with pytest.raises(ValueError, match="9 unsur"):
        ikm(df, unsur=list(df.columns))


def test_bad_inputs():
    with pytest.raises(TypeError):
        ikm([[4] * 9])
    with pytest.raises(ValueError, match="u3_waktu"):
        ikm(_all(4).drop(columns="u3_waktu"))
    with pytest.raises(ValueError, match="weight"):
        ikm(_all(4), weight="0.1")
    df = _all(4).astype(object)
    df["u1_persyaratan"] = "Sangat sesuai"
    with pytest.raises(TypeError, match="u1_persyaratan"):
        ikm(df)


def test_ikm_interval_complete_data_is_the_standard_error_of_the_mean_score():
    from scipy import stats

    from evalkit.measures import ikm_interval

    rng = np.random.default_rng(3)
    df = pd.DataFrame({u: rng.integers(1, 5, 80) for u in UNSUR})
    df["unit"] = np.repeat(["a", "b"], 40)
    out = ikm_interval(df, by="unit").set_index("unit")
    for g, sub in df.groupby("unit"):
        score = 25 * sub[list(UNSUR)].mean(axis=1)  # weight 1/9: IKM = mean of 25 x respondent mean
        assert out.loc[g, "ikm_unrounded"] == pytest.approx(score.mean())
        assert out.loc[g, "std_error"] == pytest.approx(stats.sem(score))
        assert out.loc[g, "ci_low"] == pytest.approx(score.mean() - stats.norm.ppf(0.975) * stats.sem(score))
    assert out.loc["a", "ikm_unrounded"] == pytest.approx(ikm(df[df["unit"] == "a"])["ikm_unrounded"].iloc[0])


def test_ikm_interval_clustered_equals_statsmodels_cluster_robust_se_of_the_mean():
    """Complete answers: IKM = mean of 25 x (weighted respondent total), so its cluster-robust SE must be
    statsmodels' CR1 SE of an intercept-only OLS with groups = unit (an independent computation)."""
    import statsmodels.api as sm
    from scipy import stats

    from evalkit.measures import ikm_interval

    rng = np.random.default_rng(11)
    units = np.repeat([f"u{k}" for k in range(7)], rng.integers(15, 40, 7))
    shift = pd.Series(rng.normal(0, 0.5, 7), index=[f"u{k}" for k in range(7)])[units].to_numpy()
    df = pd.DataFrame({u: np.clip(np.round(2.9 + shift + rng.normal(0, 0.7, len(units))), 1, 4) for u in UNSUR})
    df["unit"] = units
    r = ikm_interval(df, cluster="unit").iloc[0]
    score = 25 * df[list(UNSUR)].mean(axis=1)
    fit = sm.OLS(score.to_numpy(), np.ones((len(df), 1))).fit(cov_type="cluster",
                                                            cov_kwds={"groups": pd.factorize(units)[0]})
    assert r["ikm_unrounded"] == pytest.approx(fit.params[0])
    assert r["std_error"] == pytest.approx(fit.bse[0], rel=1e-10)
    assert r["n_clusters"] == 7
    assert r["ci_high"] - r["ikm_unrounded"] == pytest.approx(stats.t.ppf(0.975, 6) * fit.bse[0])
    naive = ikm_interval(df).iloc[0]
    assert r["std_error"] > naive["std_error"]  # units differ: the independent-respondent SE is too small
    with pytest.raises(KeyError, match="cluster column"):
        ikm_interval(df, cluster="unit_kerja")


def test_ikm_interval_stratified_equals_the_textbook_stratified_variance():
    """Complete answers, units as strata: the SE must be sqrt(sum_h (n_h/n)^2 s_h^2 / n_h) of the respondents'
    scores (Cochran, Sampling Techniques, ch. 5: the stratified mean without finite-population correction),
    computed here directly."""
    from scipy import stats

    from evalkit.measures import ikm_interval

    rng = np.random.default_rng(13)
    units = np.repeat(["a", "b", "c", "d"], [30, 55, 41, 12])
    shift = pd.Series([-0.6, 0.0, 0.4, 0.9], index=list("abcd"))[units].to_numpy()
    df = pd.DataFrame({u: np.clip(np.round(2.7 + shift + rng.normal(0, 0.7, len(units))), 1, 4) for u in UNSUR})
    df["unit"] = units
    r = ikm_interval(df, strata="unit").iloc[0]
    score = 25 * df[list(UNSUR)].mean(axis=1)
    n = len(df)
    var = sum((len(g) / n) ** 2 * g.var(ddof=1) / len(g) for _, g in score.groupby(units))
    assert r["std_error"] == pytest.approx(np.sqrt(var), rel=1e-10)
    assert r["n_strata"] == 4
    assert r["ci_low"] == pytest.approx(score.mean() - stats.norm.ppf(0.975) * np.sqrt(var))
    assert r["std_error"] < ikm_interval(df).iloc[0]["std_error"]  # fixed units: between-unit spread is no error
    with pytest.raises(ValueError, match="not both"):
        ikm_interval(df, strata="unit", cluster="unit")


def test_ikm_interval_clustered_with_missing_answers_covers_in_simulation():
    """Units differ and a fifth of the answers are missing: over 300 replicate surveys (new unit effects each
    time) the clustered SE tracks the sampling SD of the pooled IKM, while the independent one is too small."""
    from evalkit.measures import ikm_interval

    rng = np.random.default_rng(12)
    sizes = rng.integers(20, 50, 12)
    units = np.repeat(np.arange(12), sizes)
    ests, ses, naive = [], [], []
    for _ in range(300):
        lat = rng.normal(0, 0.5, 12)[units][:, None] + rng.normal(0, 0.7, (len(units), 9)) + 2.8
        x = np.clip(np.round(lat), 1, 4)
        x[rng.random(x.shape) < 0.2] = np.nan
        df = pd.DataFrame(x, columns=list(UNSUR)).assign(unit=units)
        r = ikm_interval(df, cluster="unit").iloc[0]
        ests.append(r["ikm_unrounded"])
        ses.append(r["std_error"])
        naive.append(ikm_interval(df).iloc[0]["std_error"])
    sd = np.std(ests, ddof=1)
    assert np.mean(ses) == pytest.approx(sd, rel=0.15)  # CR1 with 12 clusters is slightly biased down
    assert np.mean(naive) < 0.6 * sd


def test_ikm_interval_with_missing_answers_matches_simulated_sampling_variance():
    from evalkit.measures import ikm_interval

    # fixed missingness pattern, correlated answers; the sampling SD of the IKM over 400 replicate surveys
    # should match the delta-method SE (Monte Carlo error of an SD from 400 draws is about 3.5%)
    rng = np.random.default_rng(9)
    n = 120
    miss = rng.random((n, 9)) < 0.2
    ests, ses = [], []
    for _ in range(400):
        lat = rng.normal(0, 0.6, (n, 1)) + rng.normal(0, 0.7, (n, 9)) + 2.8
        x = np.clip(np.round(lat), 1, 4)
        x[miss] = np.nan
        r = ikm_interval(pd.DataFrame(x, columns=list(UNSUR))).iloc[0]
        ests.append(r["ikm_unrounded"])
        ses.append(r["std_error"])
    assert np.mean(ses) == pytest.approx(np.std(ests, ddof=1), rel=0.12)


def test_ikm_by_unsur_interval_is_the_t_interval_of_the_answers():
    from scipy import stats

    df = pd.DataFrame({u: [1, 2, 2, 3, 4, 4, np.nan] for u in UNSUR})
    row = ikm_by_unsur(df, ci=0.9).iloc[0]
    x = np.array([1, 2, 2, 3, 4, 4.0])
    lo, hi = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert row["n_answered"] == 6 and row["nrr"] == pytest.approx(x.mean())
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))


def test_ikm_interval_stratified_with_missing_answers_matches_simulated_sampling_variance():
    """Fixed units (the same unit effects in every replicate survey), a fifth of the answers missing: the
    stratified SE tracks the sampling SD of the pooled IKM over 300 replicate surveys."""
    from evalkit.measures import ikm_interval

    rng = np.random.default_rng(14)
    sizes = rng.integers(20, 60, 5)
    units = np.repeat(np.arange(5), sizes)
    effect = rng.normal(0, 0.6, 5)[units][:, None]
    ests, ses = [], []
    for _ in range(300):
        lat = effect + rng.normal(0, 0.4, (len(units), 1)) + rng.normal(0, 0.6, (len(units), 9)) + 2.8
        x = np.clip(np.round(lat), 1, 4)
        x[rng.random(x.shape) < 0.2] = np.nan
        r = ikm_interval(pd.DataFrame(x, columns=list(UNSUR)).assign(unit=units), strata="unit").iloc[0]
        ests.append(r["ikm_unrounded"])
        ses.append(r["std_error"])
    assert np.mean(ses) == pytest.approx(np.std(ests, ddof=1), rel=0.12)
