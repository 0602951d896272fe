"""Likert summaries and the diverging plot."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from evalkit.measures import likert_items, likert_scale
from evalkit.report.likert_plots import diverging_likert_plot


@pytest.fixture
def data():
    return pd.DataFrame({"region": ["A"] * 5 + ["B"] * 5,
                         "material": [5, 4, 4, 3, 2, 1, 2, 2, 3, 5],
                         "trainer": [5, 5, 4, 4, np.nan, 3, 3, 2, 4, 4]})


def test_item_summary_with_wilson(data):
    out = likert_items(data, ["material", "trainer"], by="region").set_index(["region", "item"])
    r = out.loc[("A", "material")]
    assert (r["n"], r["n_agree"], r["share_agree"], r["mean"]) == (5, 3, 0.6, 3.6)
    lo, hi = proportion_confint(3, 5, method="wilson")
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    assert out.loc[("A", "trainer"), "n"] == 4
    assert out.loc[("B", "material"), "sd"] == pytest.approx(np.std([1, 2, 2, 3, 5], ddof=1))


def test_scale_summary(data):
    out = likert_scale(data, ["material", "trainer"], by="region", min_items=1).set_index("region")
    assert out.loc["A", "mean"] == pytest.approx(np.mean([5, 4.5, 4, 3.5, 2]))
    strict = likert_scale(data, ["material", "trainer"], by="region").set_index("region")
    assert strict.loc["A", "n"] == 4


def test_validation(data):
    with pytest.raises(ValueError, match="material"):
        likert_items(data.assign(material=6), ["material"])
    with pytest.raises(ValueError, match="nope"):
        likert_items(data, ["nope"])


def test_diverging_plot_centred_on_neutral(data):
    fig, ax = plt.subplots()
    out = diverging_likert_plot(data, ["material", "trainer"], by="region", ax=ax)
    assert out is ax
    assert len(ax.get_yticklabels()) == 4
    # material | A: disagree 20 %, neutral 20 % -> bar starts at -(20 + 10) = -30
    first = [p for p in ax.patches][0]
    assert first.get_x() == pytest.approx(-30.0)
    lo, hi = ax.get_xlim()
    assert lo == pytest.approx(-hi)
    plt.close(fig)
