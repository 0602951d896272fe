"""evalkit.scope: which region each row of a cleaned table belongs to."""

from __future__ import annotations

import pandas as pd

from evalkit.scope import in_region, regions_present, row_regions


def _tables():
    employees = pd.DataFrame({"person_id": ["P1", "P2", "P3"],
                              "region": pd.Categorical(["Kota A", "Kab. B", None], categories=["Kab. B", "Kota A"])})
    programmes = pd.DataFrame({"programme_id": ["G1", "G2"], "region": ["Kab. B", None]})
    enrolments = pd.DataFrame({"programme_id": ["G1", "G2", "G2", "G9"], "person_id": ["P1", "P1", "P3", "P2"]})
    performance = pd.DataFrame({"person_id": ["P1", "P2", "P3", "P4"], "score": [1.0, 2.0, 3.0, 4.0]})
    return {"employees": employees, "programmes": programmes, "enrolments": enrolments, "performance": performance}


def test_row_regions_resolution_order_and_unknowns():
    """Training rows take the programme's region, else their own, else the person's; person rows the person's.
    Unknown regions are None (object dtype, as documented), never NaN or the text 'nan'."""
    t = _tables()
    enr = row_regions(t["enrolments"], "enrolments", t)
    assert enr.dtype == object and enr.tolist() == ["Kab. B", "Kota A", None, "Kab. B"]
    perf = row_regions(t["performance"], "performance", t)
    assert perf.tolist() == ["Kota A", "Kab. B", None, None] and perf.index.equals(t["performance"].index)
    assert in_region(t["performance"], "performance", t, "Kab. B").tolist() == [False, True, False, False]


def test_regions_present_ignores_unknown_rows_and_keeps_category_order():
    assert regions_present(_tables()) == ["Kab. B", "Kota A"]
