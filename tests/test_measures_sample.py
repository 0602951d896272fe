"""Krejcie-Morgan sample size: the published table rows of DOMAIN.md."""

import numpy as np
import pandas as pd
import pytest

from evalkit.measures import krejcie_morgan, sample_adequacy


@pytest.mark.parametrize("N, s", [(100, 80), (1000, 278), (1500, 306), (3000, 341), (5000, 357), (10000, 370),
                                  (20000, 377), (40000, 380)])
def test_published_table(N, s):
    assert krejcie_morgan(N) == s


def test_vectorised_and_small_populations():
    out = krejcie_morgan(np.array([10, 100, 1]))
    assert list(out) == [10, 80, 1]


@pytest.mark.parametrize("bad", [0, -5, 10.5, np.nan])
def test_invalid_population(bad):
    with pytest.raises(ValueError):
        krejcie_morgan(bad)


def test_invalid_type_and_params():
    with pytest.raises(TypeError):
        krejcie_morgan("100")
    with pytest.raises(ValueError, match="p"):
        krejcie_morgan(100, p=1.5)


def test_sample_adequacy_flags_units_below_minimum():
    df = pd.DataFrame({"unit": ["A", "B"], "population": [100, 1000], "n": [50, 300]})
    out = sample_adequacy(df)
    assert list(out["min_sample"]) == [80, 278]
    assert list(out["adequate"]) == [False, True]
    assert list(out["shortfall"]) == [30, 0]
    assert "50 of the 80" in out.loc[0, "warning"]
    assert out.loc[1, "warning"] == ""
    with pytest.raises(ValueError, match="respondents"):
        sample_adequacy(df, n="respondents")


def test_period_of_formats():
    from evalkit.measures import period_of

    months = pd.Series(pd.to_datetime(["2023-01-01", "2023-06-01", "2023-07-01", "2024-12-01"]))
    assert period_of(months, "2022S1").tolist() == ["2023S1", "2023S1", "2023S2", "2024S2"]
    assert period_of(months, "2022Q4").tolist() == ["2023Q1", "2023Q2", "2023Q3", "2024Q4"]
    assert period_of(months, "2022").tolist() == ["2023", "2023", "2023", "2024"]
    with pytest.raises(ValueError, match="period format"):
        period_of(months, "2022-S1")


def test_skm_sample_adequacy_against_published_rows():
    from evalkit.measures import skm_sample_adequacy

    # unit A, 2023S1: six months of 10 + 20 + 30 + 10 + 20 + 10 = 100 services -> Krejcie-Morgan 80 (DOMAIN.md);
    # 50 respondents -> short by 30. Unit B, 2023S1: 1.000 services -> 278 (DOMAIN.md); 300 respondents -> ok.
    # Unit B, 2023S2: no service data -> population unknown.
    months = pd.date_range("2023-01-01", periods=6, freq="MS")
    services = pd.concat([
        pd.DataFrame({"region": "R", "unit": "A", "month": months, "volume": [10, 20, 30, 10, 20, 10]}),
        pd.DataFrame({"region": "R", "unit": "B", "month": months, "volume": [200, 200, 200, 200, 100, 100]}),
        pd.DataFrame({"region": "R", "unit": "A", "month": pd.date_range("2023-07-01", periods=1), "volume": [5]}),
    ], ignore_index=True)
    skm = pd.DataFrame({"region": "R", "unit": ["A"] * 50 + ["B"] * 300 + ["B"] * 7,
                        "period": ["2023S1"] * 350 + ["2023S2"] * 7})
    out = skm_sample_adequacy(skm, services).set_index(["unit", "period"])
    a = out.loc[("A", "2023S1")]
    assert (a["n"], a["population"], a["n_months"], a["min_sample"], a["shortfall"]) == (50, 100, 6, 80, 30)
    assert not a["adequate"] and "only 50 of the 80" in a["warning"]
    b = out.loc[("B", "2023S1")]
    assert (b["population"], b["min_sample"], b["shortfall"], bool(b["adequate"])) == (1000, 278, 0, True)
    c = out.loc[("B", "2023S2")]
    assert pd.isna(c["min_sample"]) and "population unknown" in c["warning"]
    with pytest.raises(ValueError, match="period"):
        skm_sample_adequacy(skm, services, by=("region", "unit"))


def test_numeric_array_refuses_text_and_keeps_numbers():
    from evalkit.measures._util import numeric_array

    np.testing.assert_array_equal(numeric_array([1, 2.5], "x"), [1.0, 2.5])
    assert numeric_array(3, "x").dtype.kind == "i"
    with pytest.raises(TypeError, match=r"^x must be numeric, got '3'$"):
        numeric_array("3", "x")
    with pytest.raises(TypeError, match=r"^population must be an integer, got dtype object$"):
        numeric_array(np.array([1, None]), "population", "an integer")
    with pytest.raises(TypeError, match=r"^minutes must be numeric, got dtype <U1$"):
        numeric_array(["a"], "minutes")
