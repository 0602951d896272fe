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
