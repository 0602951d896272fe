"""SKP predikat matrix (PermenPANRB 6/2022 via DOMAIN.md)."""

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
