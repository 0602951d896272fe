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
