"""Regression tables from tiny fake result objects with a .tidy()."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.report import regtable as regtable_mod
from evalkit.report.regtable import regression_table, to_latex


class FakeResult:
    """Stands in for an evalkit estimator result: only .tidy() is used."""

    def __init__(self, **columns):
        self._tidy = pd.DataFrame(columns)

    def tidy(self) -> pd.DataFrame:
        return self._tidy.copy()


DID = FakeResult(term=["treated", "post"], estimate=[2.3456, -0.1], std_error=[0.5, 0.02],
                 p_value=[0.001, 0.2], n=[1500, 1500])
TWFE = FakeResult(term=["treated"], estimate=[1.9], std_error=[0.7], p_value=[0.04], n=[1200])
PLAIN = FakeResult(term=["treated"], estimate=[1.2345], std_error=[math.nan], p_value=[0.08], n=[math.nan])


def test_layout_english():
    df = regression_table({"DiD": DID, "TWFE": TWFE})
    assert list(df.columns) == ["DiD", "TWFE"]
    assert list(df.index) == ["treated", "", "post", "", "N"]
    assert df["DiD"].tolist() == ["2.346", "(0.500)", "-0.100", "(0.020)", "1,500"]
    assert df["TWFE"].tolist() == ["1.900", "(0.700)", "", "", "1,200"]
    assert df.attrs["row_kind"] == ["estimate", "se", "estimate", "se", "n"]
    assert df.attrs["notes"] == "Standard errors in parentheses."


def test_indonesian_numbers_stars_and_fe_rows():
    df = regression_table({"DiD": DID, "TWFE": TWFE}, lang="id", stars=True,
                          fe_rows={"regtable.fe_unit": {"DiD": True, "TWFE": False}, "Time FE": True,
                                   "Cluster": ["unit", "unit"]})
    assert df.loc["treated"].tolist() == ["2,346***", "1,900**"]
    assert df.loc["N"].tolist() == ["1.500", "1.200"]
    assert df.loc["Efek tetap unit"].tolist() == ["Ya", "Tidak"]
    assert df.loc["Time FE"].tolist() == ["Ya", "Ya"]
    assert df.loc["Cluster"].tolist() == ["unit", "unit"]
    assert "* p < 0,10" in df.attrs["notes"]
    assert df.attrs["row_kind"][-3:] == ["fe", "fe", "fe"]


def test_terms_select_order_and_rename():
    df = regression_table({"(1)": DID}, terms={"post": "Sesudah", "treated": "Dilatih"}, lang="id")
    assert list(df.index) == ["Sesudah", "", "Dilatih", "", "N"]
    df = regression_table({"(1)": DID}, terms=["treated"], decimals=1)
    assert df["(1)"].tolist() == ["2.3", "(0.5)", "1,500"]


def test_stars_thresholds_and_missing_values():
    df = regression_table({"m": PLAIN}, stars=True)
    assert df["m"].tolist() == ["1.235*", "", ""]  # rounded half up; no SE, no N -> blank
    p = FakeResult(term=["a", "b", "c", "d", "e"], estimate=[1.0] * 5, std_error=[0.1] * 5,
                   p_value=[0.0099, 0.01, 0.0499, 0.0999, math.nan], n=[10] * 5)
    est = regression_table({"m": p}, stars=True)["m"].tolist()[0:10:2]
    assert est == ["1.000***", "1.000**", "1.000**", "1.000*", "1.000"]


def test_accepts_tidy_dataframe_and_result_without_n():
    tidy = pd.DataFrame({"term": ["x"], "estimate": [0.5], "std_error": [0.1]})
    df = regression_table({"frame": tidy})
    assert df["frame"].tolist() == ["0.500", "(0.100)", ""]


@pytest.mark.parametrize(
    "results, kwargs, error, match",
    [
        ({}, {}, ValueError, "empty"),
        ({"m": object()}, {}, TypeError, "'m'"),
        ({"m": pd.DataFrame({"term": ["x"], "estimate": [1.0]})}, {}, ValueError, "std_error"),
        ({"m": pd.DataFrame({"term": ["x", "x"], "estimate": [1.0, 2.0], "std_error": [0.1, 0.1]})}, {},
         ValueError, "duplicated"),
        ({"m": pd.DataFrame({"term": ["x"], "estimate": [1.0], "std_error": [0.1]})}, {"stars": True},
         ValueError, "p_value"),
        ({"m": DID}, {"fe_rows": {"Unit FE": {"nope": True}}}, ValueError, "nope"),
        ({"m": DID}, {"fe_rows": {"Unit FE": [True, False]}}, ValueError, "2 values"),
        ({"m": DID}, {"lang": "fr"}, ValueError, "lang"),
    ],
)
def test_bad_inputs(results, kwargs, error, match):
    with pytest.raises(error, match=match):
        regression_table(results, **kwargs)


def test_to_latex():
    df = regression_table({"DiD (1)": DID, "TWFE_2": TWFE}, stars=True, fe_rows={"Unit FE": [True, False]})
    tex = to_latex(df, caption="Impact on 50% of units", label="tab:impact")
    lines = tex.splitlines()
    assert lines[0] == r"\begin{table}[htbp]" and lines[-1] == r"\end{table}"
    assert r"\begin{tabular}{lcc}" in tex and r"\toprule" in tex and r"\bottomrule" in tex
    assert r"\caption{Impact on 50\% of units}" in tex and r"\label{tab:impact}" in tex
    assert r" & DiD (1) & TWFE\_2 \\" in lines
    assert r"treated & 2.346*** & 1.900** \\" in lines
    assert r" & (0.500) & (0.700) \\" in lines
    n_at = lines.index(r"N & 1,500 & 1,200 \\")
    assert lines[n_at - 1] == r"\midrule"
    assert lines[n_at + 1] == r"Unit FE & Yes & No \\"
    assert "Standard errors in parentheses." in tex and "p < 0.10" in tex


def test_to_latex_plain_table_without_attrs():
    tex = to_latex(pd.DataFrame({"a": ["1"]}, index=["x"]))
    assert "x & 1" in tex and r"\caption" not in tex


def test_module_doctests():
    import doctest

    assert doctest.testmod(regtable_mod).failed == 0
