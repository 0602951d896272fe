"""Findings in words (evalkit.report.prose): each sentence rule with an interval that excludes zero and one that
includes it, in both languages, plus the arithmetic behind them."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.report import prose
from evalkit.report.prose import (
    approx_share,
    change_phrase,
    difference_ci,
    direction,
    direction_summary,
    format_p,
    gap_phrase,
    join_names,
    leader_phrase,
    linear_combination,
    magnitude_ci,
    month_range,
    names_by_direction,
    rank_leader,
    sentence,
)
from evalkit.report.text import placeholders


def test_module_doctests():
    assert doctest.testmod(prose, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_templates_have_both_languages_and_same_placeholders():
    for key, entry in prose._TEMPLATES.items():
        assert set(entry) == {"id", "en"}, key
        # "{What}" is "{what}" capitalised at the start of a sentence (Indonesian puts the noun first)
        assert {p.lower() for p in placeholders(entry["id"])} == {p.lower() for p in placeholders(entry["en"])}, key


# ------------------------------------------------------------------------------------------- direction
@pytest.mark.parametrize(("est", "lo", "hi", "expected"), [
    (-4.1, -6.2, -2.0, "down"),     # interval below zero
    (3.0, 1.0, 5.0, "up"),          # interval above zero
    (-0.2, -0.5, 0.1, "unclear"),   # interval contains zero
    (1.0, 0.0, 2.0, "unclear"),     # touching zero counts as containing it
    (-1.0, -2.0, 0.0, "unclear"),
    (-3.0, np.nan, np.nan, "unclear"),  # no interval: nothing claimed
    (np.nan, -1.0, 1.0, "missing"),
    (None, None, None, "missing"),
])
def test_direction(est, lo, hi, expected):
    assert direction(est, lo, hi) == expected


def test_direction_rejects_reversed_interval():
    with pytest.raises(ValueError):
        direction(1.0, 2.0, 0.5)


# -------------------------------------------------------------------------------------- change_phrase
def test_change_phrase_falls_when_interval_below_zero():
    assert (change_phrase("waiting time", -5.018, -6.874, -3.161, "en", unit="minutes")
            == "waiting time falls by 5.0 minutes (95% CI 3.2 to 6.9)")
    assert (change_phrase("waktu tunggu", -5.018, -6.874, -3.161, "id", unit="minutes")
            == "waktu tunggu turun 5,0 menit (IK 95%: 3,2 sampai 6,9)")


def test_change_phrase_rises_when_interval_above_zero():
    assert (change_phrase("the IKM", 12.191, 11.253, 13.130, "en", unit="points")
            == "the IKM rises by 12.2 points (95% CI 11.3 to 13.1)")
    assert (change_phrase("IKM", 12.191, 11.253, 13.130, "id", unit="points")
            == "IKM naik 12,2 poin (IK 95%: 11,3 sampai 13,1)")


def test_change_phrase_no_clear_change_when_interval_contains_zero():
    assert (change_phrase("processing time", -0.200, -0.509, 0.109, "en", unit="days")
            == "processing time shows no clear change (-0.2 days; 95% CI -0.5 to 0.1)")
    assert (change_phrase("waktu proses", -0.200, -0.509, 0.109, "id", unit="days")
            == "waktu proses tidak berubah secara jelas (-0,2 hari; IK 95%: -0,5 sampai 0,1)")
    # a positive estimate whose interval includes zero is not a rise either
    assert "no clear change (0.4 days" in change_phrase("x", 0.4, -0.1, 0.9, "en", unit="days")


def test_change_phrase_without_interval_or_estimate():
    assert change_phrase("x", -3.0, np.nan, np.nan, "en") == "x shows no clear change (-3.0; no confidence interval)"
    assert change_phrase("x", np.nan, np.nan, np.nan, "en") == "x could not be estimated"
    assert change_phrase("x", None, None, None, "id") == "x tidak dapat diperkirakan"


def test_change_phrase_scale_level_decimals_and_text_units():
    assert (change_phrase("attendance", -0.128, -0.189, -0.067, "en", unit="pp", scale=100, decimals=0)
            == "attendance falls by 13 percentage points (95% CI 7 to 19)")
    assert (change_phrase({"id": "nilai", "en": "the score"}, 2.0, 1.0, 3.0, "en", unit={"id": "poin IKM",
                                                                                       "en": "IKM points"},
                          level=0.9)
            == "the score rises by 2.0 IKM points (90% CI 1.0 to 3.0)")
    assert change_phrase("x", 1.0, 0.5, 1.5, "en", unit="per case") == "x rises by 1.0 per case (95% CI 0.5 to 1.5)"


def test_magnitude_ci():
    assert magnitude_ci(-4.1, -6.2, -2.0, "en", unit="minutes") == "4.1 minutes (95% CI 2.0 to 6.2)"
    assert magnitude_ci(4.1, 2.0, 6.2, "en") == "4.1 (95% CI 2.0 to 6.2)"
    assert magnitude_ci(-0.2, -0.5, 0.1, "en") == "-0.2 (95% CI -0.5 to 0.1)"
    assert magnitude_ci(np.nan, 0, 1, "en") == "–"


# ----------------------------------------------------------------------------------------- gap_phrase
def test_gap_phrase_lower_and_higher_when_interval_excludes_zero():
    low = gap_phrase("the attendance lost to the time conflict", -0.130, -0.222, -0.038, "in flexible programmes",
                     "in fixed-schedule ones", "en", unit="pp", scale=100)
    assert low == ("the attendance lost to the time conflict is 13.0 percentage points lower in flexible programmes "
                   "than in fixed-schedule ones (95% CI 3.8 to 22.2)")
    high = gap_phrase("kehadiran", 0.130, 0.038, 0.222, "pada program fleksibel", "program lain", "id", unit="pp",
                      scale=100)
    assert high == ("kehadiran 13,0 poin persentase lebih tinggi pada program fleksibel dibandingkan program lain "
                    "(IK 95%: 3,8 sampai 22,2)")


def test_gap_phrase_not_clear_when_interval_includes_zero():
    en = gap_phrase("processing time", 0.3, -0.5, 1.1, "at unit A", "at the other units", "en", unit="days")
    assert en == ("processing time is not clearly higher or lower at unit A than at the other units "
                  "(difference 0.3 days; 95% CI -0.5 to 1.1)")
    idn = gap_phrase("waktu proses", 0.3, -0.5, 1.1, "di unit A", "unit lain", "id", unit="days")
    assert idn == ("waktu proses tidak jelas lebih tinggi atau lebih rendah di unit A dibandingkan unit lain "
                   "(selisih 0,3 hari; IK 95%: -0,5 sampai 1,1)")
    assert gap_phrase("y", np.nan, np.nan, np.nan, "in A", "in B", "en") == (
        "the difference in y in A compared with in B could not be estimated")


# --------------------------------------------------------------------------------------- leader_phrase
def _tab(rows):
    return pd.DataFrame(rows, columns=["name", "estimate", "ci_low", "ci_high"])


def test_leader_clear_when_intervals_do_not_overlap():
    tab = _tab([("B", -11.2, -16.4, -6.0), ("A", -29.8, -34.0, -25.7), ("C", -8.7, -30.6, 13.2)])
    en = leader_phrase(tab, "drop in waiting time", "en", unit="minutes")
    assert en.startswith("The largest drop in waiting time is in A: 29.8 minutes (95% CI 25.7 to 34.0), clearly "
                         "larger than in the next region, B: 11.2 minutes (95% CI 6.0 to 16.4)")
    idn = leader_phrase(tab, "penurunan waktu tunggu", "id", unit="minutes")
    assert idn.startswith("Penurunan waktu tunggu terbesar ada di A: 29,8 menit (IK 95%: 25,7 sampai 34,0), jelas "
                          "lebih besar daripada wilayah berikutnya, B: 11,2 menit")


def test_leader_not_singled_out_when_intervals_overlap():
    tab = _tab([("A", -12.0, -18.0, -6.0), ("B", -10.0, -14.0, -6.0)])
    en = leader_phrase(tab, "drop in waiting time", "en", unit="minutes")
    assert en == ("The largest drop in waiting time is in A: 12.0 minutes (95% CI 6.0 to 18.0); the next region, B, "
                  "is not clearly smaller: 10.0 minutes (95% CI 6.0 to 14.0), and the two intervals overlap.")


def test_leader_none_clear_when_its_interval_contains_zero():
    tab = _tab([("A", -8.7, -30.6, 13.2), ("B", -7.9, -20.6, 4.8)])
    en = leader_phrase(tab, "drop in waiting time", "en", unit="minutes")
    assert en == ("No region shows a clear drop in waiting time; the largest estimate is in A "
                  "(-8.7 minutes; 95% CI -30.6 to 13.2).")
    # a clearly positive leader is not a drop either
    up = _tab([("A", 5.0, 1.0, 9.0)])
    assert leader_phrase(up, "drop", "en").startswith("No region shows a clear drop")


def test_leader_positive_direction_and_custom_words():
    tab = _tab([("motivation", 0.49, 0.38, 0.61), ("time", 0.19, 0.10, 0.28)])
    en = leader_phrase(tab, "attendance gap", "en", largest="positive", unit="pp", scale=100, prep="for",
                       kind="barrier")
    assert en.startswith("The largest attendance gap is for motivation: 49.0 percentage points (95% CI 38.0 to "
                         "61.0), clearly larger than for the next barrier, time")


def test_leader_single_and_empty():
    one = _tab([("A", -3.0, -4.0, -2.0), ("B", np.nan, np.nan, np.nan)])
    assert leader_phrase(one, "drop in waiting time", "en") == (
        "The drop in waiting time in A, the only region with an estimate, is 3.0 (95% CI 2.0 to 4.0).")
    assert leader_phrase(_tab([]), "penurunan waktu tunggu", "id") == (
        "Tidak ada wilayah dengan perkiraan penurunan waktu tunggu.")
    with pytest.raises(ValueError):
        leader_phrase(one, "x", "en", largest="absolute")


def test_rank_leader_rules():
    apart = _tab([("A", -3.0, -4.0, -2.0), ("B", -1.0, -1.5, -0.5)])
    assert rank_leader(apart) == {"leader": "A", "runner_up": "B", "n": 2, "clear_of_zero": True, "apart": True}
    touching = _tab([("A", -3.0, -4.0, -2.0), ("B", -1.0, -2.0, -0.5)])  # touching intervals overlap
    assert rank_leader(touching)["apart"] is False
    through_zero = _tab([("A", -3.0, -6.0, 0.5), ("B", -1.0, -1.5, -0.5)])
    assert rank_leader(through_zero)["clear_of_zero"] is False
    up = _tab([("A", 3.0, 2.0, 4.0), ("B", 1.0, 0.5, 1.5)])
    assert rank_leader(up, largest="positive")["leader"] == "A"
    # the smallest of two rises is no drop: not clear of zero (the intervals are still apart)
    assert rank_leader(up, largest="negative") == {"leader": "B", "runner_up": "A", "n": 2, "clear_of_zero": False,
                                                   "apart": True}
    assert rank_leader(_tab([]))["leader"] is None


def test_direction_summary():
    tab = _tab([("A", -2.0, -3.0, -1.0), ("B", 0.4, 0.1, 0.7), ("C", 0.3, -0.2, 0.8), ("D", np.nan, np.nan, np.nan)])
    assert direction_summary("waiting time", tab, "en") == (
        "waiting time: falls in A; rises in B; no clear change in C; no estimate in D")
    assert direction_summary("waktu tunggu", tab, "id") == (
        "waktu tunggu: turun di A; naik di B; tidak berubah secara jelas di C; tanpa perkiraan di D")
    only = _tab([("A", -2.0, -3.0, -1.0), ("B", -1.0, -1.5, -0.5)])
    assert direction_summary("x", only, "en", prep="at") == "x: falls at A and B"


def test_names_by_direction():
    tab = _tab([("A", 0.2, 0.03, 0.37), ("B", -0.26, -0.97, 0.44), ("C", -0.5, -0.9, -0.1), ("D", np.nan, 0, 1)])
    assert names_by_direction(tab) == {"down": ["C"], "up": ["A"], "unclear": ["B"], "missing": ["D"]}


# ------------------------------------------------------------------------------------------ arithmetic
def test_difference_ci_of_independent_estimates():
    diff, lo, hi = difference_ci(0.002, 0.035, -0.128, 0.031)
    se = math.sqrt(0.035 ** 2 + 0.031 ** 2)
    assert diff == pytest.approx(0.130)
    assert (lo, hi) == pytest.approx((0.130 - 1.959964 * se, 0.130 + 1.959964 * se), rel=1e-6)
    assert direction(diff, lo, hi) == "up"
    d2 = difference_ci(0.05, 0.04, 0.01, 0.04)
    assert direction(*d2) == "unclear"


def test_linear_combination_matches_manual_t_interval():
    b = pd.Series({"jkt": -1.624, "duk": -3.815, "other": 9.0})
    V = pd.DataFrame([[0.05, -0.01, 0.0], [-0.01, 0.022, 0.0], [0.0, 0.0, 1.0]], index=b.index, columns=b.index)
    r = linear_combination(b, V, {"jkt": 1, "duk": 1}, df=22)
    se = math.sqrt(0.05 + 0.022 - 2 * 0.01)
    crit = stats.t.ppf(0.975, 22)
    assert r["estimate"] == pytest.approx(-5.439)
    assert r["std_error"] == pytest.approx(se)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((-5.439 - crit * se, -5.439 + crit * se))
    normal = linear_combination(b, V, {"duk": 1})
    assert normal["ci_high"] == pytest.approx(-3.815 + 1.959964 * math.sqrt(0.022), rel=1e-6)


# ----------------------------------------------------------------------------------------------- words
def test_join_names():
    assert join_names([], "en") == ""
    assert join_names(["A"], "id") == "A"
    assert join_names(["Batanghari", "Bukittinggi"], "en") == "Batanghari and Bukittinggi"
    assert join_names(["A", "B", "C"], "en") == "A, B and C"
    assert join_names(["A", "B", "C"], "id") == "A, B, dan C"


def test_approx_share():
    assert approx_share(0.31, "en") == "about a third"
    assert approx_share(0.31, "id") == "sekitar sepertiga"
    assert approx_share(0.41, "en") == "about 41%"
    assert approx_share(0.74, "en") == "about three quarters"
    assert approx_share(0.31, "en", tol=0.01) == "about 31%"
    assert approx_share(np.nan, "en") == "–"


def test_month_range_format_p_and_sentence():
    assert month_range(pd.Timestamp("2022-01-01"), "2024-12-01", "en") == "January 2022 to December 2024"
    assert month_range("2022-01-01", "2024-12-01", "id") == "Januari 2022 s.d. Desember 2024"
    assert format_p(0.0004) == "< 0.001"
    assert format_p(0.0004, "id") == "< 0,001"
    assert format_p(0.0549) == "0.055"
    assert format_p(np.nan) == "–"
    assert sentence("x falls") == "X falls."
    assert sentence("Done.") == "Done."
    assert sentence("") == ""


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError):
        change_phrase("x", 1.0, 0.5, 1.5, "fr")


def test_groups_largest_first_reads_the_group_from_each_term():
    tab = pd.DataFrame({"term": ["ATT[first_mode=klasikal]", "ATT[first_mode=e-learning]", "ATT[first_mode=workshop]"],
                        "estimate": [2.04, 3.46, -0.5]})
    assert prose.groups_largest_first(tab) == "e-learning (3.5), klasikal (2.0), workshop (-0.5)"
    assert prose.groups_largest_first(tab, lang="id") == "e-learning (3,5), klasikal (2,0), workshop (-0,5)"

    class _Result:
        def tidy(self):
            return tab

    assert prose.groups_largest_first(_Result(), decimals=2).startswith("e-learning (3.46), klasikal (2.04)")
