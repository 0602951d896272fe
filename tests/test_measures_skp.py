"""SKP predikat matrix (PermenPANRB 6/2022 via DOMAIN.md)."""

import numpy as np
import pandas as pd
import pytest

from evalkit.measures import SKP_RANKS, skp_predikat, skp_rank

CELLS = [
    ("Di Atas", "Di Atas", "Sangat Baik"), ("Di Atas", "Sesuai", "Baik"), ("Di Atas", "Di Bawah", "Kurang/Misconduct"),
    ("Sesuai", "Di Atas", "Baik"), ("Sesuai", "Sesuai", "Baik"), ("Sesuai", "Di Bawah", "Kurang/Misconduct"),
    ("Di Bawah", "Di Atas", "Butuh Perbaikan"), ("Di Bawah", "Sesuai", "Butuh Perbaikan"),
    ("Di Bawah", "Di Bawah", "Sangat Kurang"),
]


@pytest.mark.parametrize("hk, pr, expected", CELLS)
def test_every_matrix_cell(hk, pr, expected):
    assert skp_predikat(hk, pr).iloc[0] == expected
    assert skp_predikat(hk + " Ekspektasi", pr.upper() + " EKSPEKTASI").iloc[0] == expected


def test_vectorised_series_keeps_index_and_order():
    hk = pd.Series([c[0] + " Ekspektasi" for c in CELLS], index=range(10, 19))
    pr = pd.Series([c[1] + " Ekspektasi" for c in CELLS], index=range(10, 19))
    out = skp_predikat(hk, pr)
    assert list(out.index) == list(range(10, 19))
    assert list(out.astype(str)) == [c[2] for c in CELLS]
    assert out.cat.ordered
    assert out.max() == "Sangat Baik" and out.min() == "Sangat Kurang"
    codes = out.cat.codes
    assert codes.iloc[0] > codes.iloc[1] > codes.iloc[6] > codes.iloc[2] > codes.iloc[8]
    assert (out > "Butuh Perbaikan").sum() == 4  # Sangat Baik + 3 x Baik


def test_ranks():
    assert SKP_RANKS == {"Sangat Kurang": 1, "Kurang/Misconduct": 2, "Butuh Perbaikan": 3, "Baik": 4,
                         "Sangat Baik": 5}
    r = skp_rank(["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang", None])
    assert list(r[:5]) == [5, 4, 3, 2, 1] and r.isna().iloc[5]
    out = skp_predikat(["Di Atas", "Di Bawah"], ["Di Atas", "Di Bawah"])
    assert list(out.cat.codes + 1) == [5, 1]


def test_missing_and_bad_labels():
    out = skp_predikat(["Di Atas", None], ["Sesuai", "Sesuai"])
    assert out.iloc[0] == "Baik" and pd.isna(out.iloc[1])
    with pytest.raises(ValueError, match="hasil_kerja"):
        skp_predikat(["Luar Biasa"], ["Sesuai"])
    with pytest.raises(ValueError, match="length"):
        skp_predikat(["Sesuai", "Sesuai"], ["Sesuai"])
    with pytest.raises(ValueError, match="predikat"):
        skp_rank(["Istimewa"])


def test_skp_distribution_counts_shares_and_order():
    from statsmodels.stats.proportion import proportion_confint

    from evalkit.measures import SKP_LEVELS, skp_distribution

    data = pd.DataFrame({"region": ["A"] * 5 + ["B"] * 2,
                         "skp_predikat": ["Baik", "Baik", "Sangat Baik", "Kurang", None, "Sangat Kurang", "Baik"]})
    out = skp_distribution(data, by="region")
    a = out[out["region"] == "A"].set_index("skp_predikat")
    assert list(a.index) == list(SKP_LEVELS)  # every level, worst to best
    assert a["n"].tolist() == [0, 1, 0, 2, 1] and (a["n_total"] == 4).all()  # missing not counted
    assert a.loc["Baik", "share"] == pytest.approx(0.5)
    assert a.loc["Baik", "cumulative_share"] == pytest.approx(0.75)
    lo, hi = proportion_confint(2, 4, method="wilson")
    assert a.loc["Baik", "ci_low"] == pytest.approx(lo) and a.loc["Baik", "ci_high"] == pytest.approx(hi)
    assert out["skp_predikat"].cat.ordered and out["skp_predikat"].max() == "Sangat Baik"
    assert skp_distribution(data)["n"].sum() == 6


def test_skp_matrix_table_cells_follow_the_regulation_matrix():
    from evalkit.measures import skp_matrix_table

    hk = ["Di Atas Ekspektasi", "Di Atas", "Sesuai Ekspektasi", "Di Bawah", None]
    pr = ["Di Atas Ekspektasi", "Di Bawah", "Di Atas", "Di Bawah Ekspektasi", "Sesuai"]
    out = skp_matrix_table(hk, pr).set_index(["hasil_kerja", "perilaku"])
    assert len(out) == 9 and out["n"].sum() == 4
    for (h, p, expected) in CELLS:  # DOMAIN.md matrix
        assert out.loc[(h, p), "skp_predikat"] == expected
    assert out.loc[("Di Atas", "Di Atas"), "n"] == 1 and out.loc[("Di Atas", "Di Bawah"), "n"] == 1
    assert out.loc[("Sesuai", "Sesuai"), "n"] == 0 and out["share"].sum() == pytest.approx(1.0)


def _normalise_row_by_row(values, name):
    """The reading before labels were read once per distinct value: one row at a time."""
    from evalkit.measures.skp import _NORMAL

    out = []
    for v in pd.Series(values, dtype=object):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out.append(None)
            continue
        if not isinstance(v, str):
            raise TypeError(f"{name} must hold rating labels (str), got {v!r}")
        key = " ".join(v.lower().split())
        if key not in _NORMAL:
            raise ValueError(f"{name} has an unknown rating {v!r}; expected Di Atas / Sesuai / Di Bawah Ekspektasi")
        out.append(_NORMAL[key])
    return out


@pytest.mark.parametrize("seed", range(20))
def test_normalise_equals_row_by_row_reading(seed):
    """Same labels, and the same error (type and message, i.e. the same first wrong value), as reading rows one
    by one, on random mixes of spellings, missing values and wrong entries."""
    from evalkit.measures.skp import _normalise

    rng = np.random.default_rng(seed)
    pool = ["Di Atas", "diatas ekspektasi", "  SESUAI ", "Sesuai Ekspektasi", "di bawah", "Dibawah Ekspektasi",
            None, np.nan, pd.NA]
    values = [pool[i] for i in rng.integers(0, len(pool), int(rng.integers(1, 40)))]
    if seed % 4 == 1:
        values.insert(int(rng.integers(0, len(values) + 1)), "Luar Biasa")
    if seed % 4 == 2:
        values.insert(int(rng.integers(0, len(values) + 1)), 3)
    if seed % 4 == 3:
        values[int(rng.integers(0, len(values)))] = "tidak tahu"
        values.append(7.5)
    try:
        expected = _normalise_row_by_row(values, "perilaku")
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)) as got:
            _normalise(values, "perilaku")
        assert str(got.value) == str(exc)
    else:
        assert list(_normalise(values, "perilaku")) == expected
