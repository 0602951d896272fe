"""JP conversion (DOMAIN.md examples) and the 20 JP per year rule."""

import numpy as np
import pandas as pd
import pytest

from evalkit.measures import jp_compliance, jp_hours, minutes_to_jp, never_reached


def test_domain_examples():
    assert minutes_to_jp(20 * 45) == 20.0
    assert minutes_to_jp(900) == 20.0
    assert minutes_to_jp(90) == 2.0
    assert round(minutes_to_jp(60), 2) == 1.33


@pytest.mark.parametrize("rounding, expected", [("exact", [20, 2, 4 / 3, 68 / 45]), ("floor", [20, 2, 1, 1]),
                                                 ("round", [20, 2, 1, 2])])
def test_rounding_policies(rounding, expected):
    np.testing.assert_allclose(minutes_to_jp([900, 90, 60, 68], rounding=rounding), expected)


def test_configurable_length_and_errors():
    assert minutes_to_jp(60, jp_minutes=60) == 1.0
    with pytest.raises(ValueError, match="rounding"):
        minutes_to_jp(60, rounding="ceil")
    with pytest.raises(ValueError, match=">= 0"):
        minutes_to_jp(-1)
    with pytest.raises(ValueError, match="jp_minutes"):
        minutes_to_jp(60, jp_minutes=0)


@pytest.fixture
def tables():
    employees = pd.DataFrame({"person_id": ["p1", "p2", "p3", "p4"], "region": ["Mamuju", "Mamuju", "Ampenan",
                                                                               "Ampenan"],
                              "appointment_year": [2000, 2010, 2015, 2024]})
    programmes = pd.DataFrame({"programme_id": ["A", "B", "C"], "jp": [12, 10, 30],
                               "end_date": pd.to_datetime(["2023-03-01", "2023-11-30", "2024-06-01"])})
    enrolments = pd.DataFrame({"person_id": ["p1", "p1", "p2", "p2", "p3"], "programme_id": ["A", "B", "A", "C", "C"],
                               "invited": [True] * 5, "completed": [True, True, False, True, True]})
    return enrolments, programmes, employees


def test_jp_hours_per_person_year(tables):
    enr, prog, emp = tables
    out = jp_hours(enr, prog, emp).set_index(["person_id", "year"])
    assert out.loc[("p1", 2023), "jp"] == 22 and out.loc[("p1", 2023), "compliant"]
    assert out.loc[("p2", 2023), "jp"] == 0 and not out.loc[("p2", 2023), "compliant"]
    assert out.loc[("p2", 2023), "reached"]  # invited but did not complete
    assert out.loc[("p2", 2024), "jp"] == 30
    assert out.loc[("p4", 2024), "jp"] == 0 and not out.loc[("p4", 2024), "reached"]
    assert ("p4", 2023) not in out.index  # appointed in 2024
    assert len(out) == 7


def test_jp_compliance_by_region(tables):
    enr, prog, emp = tables
    comp = jp_compliance(jp_hours(enr, prog, emp), by="region")
    row = comp[(comp["year"] == 2023) & (comp["region"] == "Mamuju")].iloc[0]
    assert (row["n"], row["n_compliant"], row["share_compliant"]) == (2, 1, 0.5)
    assert row["ci_low"] < 0.5 < row["ci_high"]
    amp = comp[(comp["year"] == 2024) & (comp["region"] == "Ampenan")].iloc[0]
    assert (amp["n"], amp["n_compliant"], amp["n_not_reached"]) == (2, 1, 1)
    # target configurable
    comp30 = jp_compliance(jp_hours(enr, prog, emp, target=25), by="region")
    assert comp30["n_compliant"].sum() == 2


def test_minutes_column(tables):
    enr, prog, emp = tables
    prog = prog.drop(columns="jp").assign(minutes=[900, 60, 90])
    out = jp_hours(enr, prog, emp, minutes_col="minutes", rounding="floor").set_index(["person_id", "year"])
    assert out.loc[("p1", 2023), "jp"] == 21 and out.loc[("p1", 2023), "compliant"]


def test_never_reached(tables):
    enr, prog, emp = tables
    nr = never_reached(enr, emp).set_index("person_id")
    assert nr.loc["p4", "status"] == "never invited"
    assert "p1" not in nr.index and "p2" not in nr.index


def test_bad_inputs(tables):
    enr, prog, emp = tables
    with pytest.raises(ValueError, match="completed"):
        jp_hours(enr.drop(columns="completed"), prog, emp)
    with pytest.raises(TypeError, match="end_date"):
        jp_hours(enr, prog.assign(end_date="2023-01-01"), emp)
    with pytest.raises(ValueError, match="programme_id"):
        jp_hours(enr.assign(programme_id="Z"), prog, emp)


def test_reach_summary_hand_counted():
    from statsmodels.stats.proportion import proportion_confint

    from evalkit.measures import reach_summary

    # region A: a completed, b invited not completed, c never invited; region B: d never invited (no row),
    # e invited=False only (never invited)
    emp = pd.DataFrame({"person_id": list("abcde"), "region": ["A", "A", "A", "B", "B"]})
    enr = pd.DataFrame({"person_id": ["a", "a", "b", "e"], "programme_id": ["X", "Y", "X", "X"],
                        "invited": [True, True, True, False], "completed": [False, True, False, False]})
    out = reach_summary(enr, emp, by="region").set_index("region")
    assert out.loc["A", ["n", "n_never_invited", "n_invited_not_completed", "n_completed"]].tolist() == [3, 1, 1, 1]
    assert out.loc["B", ["n", "n_never_invited", "n_invited_not_completed", "n_completed"]].tolist() == [2, 2, 0, 0]
    lo, hi = proportion_confint(1, 3, method="wilson")
    assert out.loc["A", "ci_low"] == pytest.approx(lo) and out.loc["A", "ci_high"] == pytest.approx(hi)
    assert out.loc["A", "share_completed"] == pytest.approx(1 / 3)
    total = reach_summary(enr, emp)
    assert total[["n", "n_never_invited"]].iloc[0].tolist() == [5, 3]
    assert "person_id" not in total.columns
