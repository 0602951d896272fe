"""Bilingual strings (one source, same placeholders), number/date/currency formats, effect sentences."""

from __future__ import annotations

import datetime as dt
import json
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from evalkit.report import text
from evalkit.report.text import (
    barrier_label,
    describe_change,
    describe_effect,
    describe_share,
    format_ci,
    format_date,
    format_number,
    format_percent,
    format_rupiah,
    labels,
    placeholders,
    rank_sentence,
    t,
)

STRINGS = json.loads(resources.files("evalkit").joinpath("data", "strings.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ strings
def test_every_key_has_both_languages_and_same_placeholders():
    assert len(STRINGS) > 100
    for key, entry in STRINGS.items():
        assert set(entry) == {"id", "en"}, key
        assert entry["id"].strip() and entry["en"].strip(), key
        assert placeholders(entry["id"]) == placeholders(entry["en"]), key


def test_templates_use_plain_named_placeholders_only():
    import string

    for key, entry in STRINGS.items():
        for lang in ("id", "en"):
            for _, name, spec, conv in string.Formatter().parse(entry[lang]):
                if name is not None:
                    assert name.isidentifier(), (key, lang, name)  # no positional {} or {0}
                    assert not spec and conv is None, (key, lang)  # formatting is done in Python


@pytest.mark.parametrize(
    "key, id_text, en_text",
    [
        ("section.background", "Latar Belakang", "Background"),
        ("section.objectives", "Tujuan", "Objectives"),
        ("section.methods", "Metodologi", "Methods"),
        ("section.reach", "Jangkauan dan Partisipasi", "Reach and participation"),
        ("section.behaviour", "Perilaku (L3)", "Behaviour (L3)"),
        ("section.challenges", "Tantangan", "Challenges"),
        ("section.recommendations", "Rekomendasi", "Recommendations"),
        ("section.conclusion", "Kesimpulan", "Conclusion"),
        ("section.methods_appendix", "Lampiran Metode", "Methods appendix"),
        ("mode.klasikal", "tatap muka (klasikal)", "face-to-face (classroom)"),
        ("axis.wait_minutes", "Waktu tunggu (menit)", "Waiting time (minutes)"),
        ("axis.event_time", "Waktu relatif terhadap pelatihan (triwulan)", "Event time (quarters)"),
        ("skp.kurang_misconduct", "Kurang/Misconduct", "Poor/misconduct"),
    ],
)
def test_known_strings(key, id_text, en_text):
    assert t(key) == id_text
    assert t(key, "en") == en_text


def test_all_delivery_modes_barriers_roles_have_labels():
    from evalkit.ingest.spec import MODES, ROLES_FOLLOWUP

    for m in MODES:
        assert t(f"mode.{m}", "en")
    for r in ROLES_FOLLOWUP:
        assert t(f"role.{r}", "id")
    for col in ("barrier_time", "barrier_relevance", "barrier_motivation", "barrier_experienced"):
        assert barrier_label(col, "en")
    for mutu in "ABCD":
        assert t(f"ikm_mutu.{mutu}", "id").startswith(mutu)


def test_unknown_key_lists_close_matches():
    with pytest.raises(KeyError, match="section.background"):
        t("section.backgruond")


def test_bad_language_and_missing_placeholder():
    with pytest.raises(ValueError, match="lang"):
        t("section.background", "fr")
    with pytest.raises(ValueError):
        labels("EN")
    with pytest.raises(KeyError, match="outcome"):
        t("title.event_study", "en")


def test_t_formats_numbers_for_the_language_and_ignores_extra_values():
    assert t("fmt.count_of", "id", n=1234, total=5000, unused="x") == "1.234 dari 5.000 orang"
    assert t("fmt.count_of", "en", n=1234, total=5000) == "1,234 of 5,000 people"


def test_labels_is_flat_and_complete():
    en = labels("en")
    assert set(en) == set(STRINGS) and en["section.impact"] == "Impact"


# ------------------------------------------------------------------------------------------ formats
def test_domain_md_examples():
    assert format_number(1234567.89, "id", 2) == "1.234.567,89"
    assert format_rupiah(1234567.89, "id", decimals=2) == "Rp1.234.567,89"
    assert format_date(dt.date(2024, 8, 17), "id") == "17 Agustus 2024"


@pytest.mark.parametrize(
    "x, lang, decimals, expected",
    [
        (1234567.89, "id", 1, "1.234.567,9"),
        (1234567.89, "en", 1, "1,234,567.9"),
        (2.675, "en", 2, "2.68"),  # half up on the decimal representation
        (0.25, "id", 1, "0,3"),
        (-0.04, "en", 1, "0.0"),  # no negative zero
        (-1234.5, "id", 0, "-1.235"),
        (np.int64(20), "id", 0, "20"),
        (10**13, "en", 0, "10,000,000,000,000"),
    ],
)
def test_format_number(x, lang, decimals, expected):
    assert format_number(x, lang, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_become_en_dash(missing):
    assert format_number(missing, "id") == "–"
    assert format_percent(missing, "en") == "–"
    assert format_rupiah(missing, "id") == "–"
    assert format_date(missing, "en") == "–"
    assert format_ci(missing, 1, 2, "id") == "–"


def test_format_percent():
    assert format_percent(0.45, "id") == "45%"
    assert format_percent(0.455, "id", 1) == "45,5%"
    assert format_percent(0.455, "en", 1) == "45.5%"


def test_format_rupiah():
    assert format_rupiah(1234567, "id") == "Rp1.234.567"
    assert format_rupiah(1234567, "en") == "IDR 1,234,567"
    assert format_rupiah(-5000, "id") == "-Rp5.000"
    assert format_rupiah(-0.2, "id") == "Rp0"
    assert format_rupiah(1.25e9, "id", compact=True) == "Rp1,3 miliar"
    assert format_rupiah(1.25e9, "en", compact=True) == "IDR 1.3 billion"
    assert format_rupiah(3.5e6, "id", compact=True) == "Rp3,5 juta"
    assert format_rupiah(750000, "en", compact=True) == "IDR 750,000"


@pytest.mark.parametrize(
    "d", [dt.date(2024, 8, 17), dt.datetime(2024, 8, 17, 9, 30), pd.Timestamp("2024-08-17"),
          np.datetime64("2024-08-17"), "2024-08-17"],
)
def test_format_date_inputs(d):
    assert format_date(d, "id") == "17 Agustus 2024"
    assert format_date(d, "en") == "17 August 2024"


def test_format_date_no_leading_zero():
    assert format_date(dt.date(2008, 2, 5), "id") == "5 Februari 2008"


def test_format_ci():
    assert format_ci(2.3, 1.1, 3.5, "id") == "2,3 (IK 95%: 1,1 sampai 3,5)"
    assert format_ci(2.3, 1.1, 3.5, "en") == "2.3 (95% CI 1.1 to 3.5)"
    assert format_ci(2.3, 1.1, 3.5, "en", level=0.9) == "2.3 (90% CI 1.1 to 3.5)"
    assert format_ci(2.3, math.nan, 3.5, "en") == "2.3"


def test_round_trip_with_ingest_parsers():
    from evalkit.ingest import normalise

    parse_date = normalise.parse_date
    for amount in (0, 5000, 1234567.89, 2_500_000_000):
        assert normalise.parse_rupiah(format_rupiah(amount, "id", decimals=2)) == pytest.approx(amount)
        assert normalise.parse_rupiah(format_rupiah(amount, "id")) == pytest.approx(round(amount))
    for d in (dt.date(2024, 8, 17), dt.date(2008, 2, 5), dt.date(2023, 11, 30), dt.date(2024, 5, 1)):
        assert pd.Timestamp(parse_date(format_date(d, "id"))).date() == d


def test_agrees_with_ingest_formatters_away_from_rounding_ties():
    from evalkit.ingest import normalise

    for x in (0.0, 1234567.891, -42.137, 999.999, 7.0):
        assert format_number(x, "id", 2) == normalise.format_number_id(x, 2)
        assert format_rupiah(abs(x), "id", decimals=2) == normalise.format_rupiah(abs(x), 2)
    assert format_date(dt.date(2024, 8, 17), "id") == normalise.format_date_id(dt.date(2024, 8, 17))


# ---------------------------------------------------------------------------------------- sentences
def test_describe_effect_examples_from_the_brief():
    assert (describe_effect("report_quality", 3.2, 2.1, 4.3, "id", unit_key="points")
            == "Pelatihan meningkatkan nilai kualitas laporan sebesar 3,2 poin (IK 95%: 2,1 sampai 4,3).")
    assert (describe_effect("report_quality", 3.2, 2.1, 4.3, "en", unit_key="points")
            == "Training raised report quality by 3.2 points (95% CI 2.1 to 4.3).")


def test_describe_effect_decrease_shows_size_of_decrease():
    id_ = describe_effect("wait_minutes", -4.1, -6.2, -2.0, "id", unit_key="minutes", better="lower")
    assert id_ == "Pelatihan menurunkan waktu tunggu layanan sebesar 4,1 menit (IK 95%: 2,0 sampai 6,2)."
    en = describe_effect("wait_minutes", -4.1, -6.2, -2.0, "en", unit_key="minutes", better="lower")
    assert en.startswith("Training lowered waiting time by 4.1 minutes")
    assert "opposite" not in en


def test_describe_effect_adverse_direction_is_flagged():
    en = describe_effect("report_quality", -1.5, -2.5, -0.5, "en", unit_key="points")
    assert en.startswith("Training lowered report quality") and en.endswith("opposite of the intended direction.")
    id_ = describe_effect("wait_minutes", 2.0, 1.0, 3.0, "id", unit_key="minutes", better="lower")
    assert "berlawanan" in id_
    assert "opposite" not in describe_effect("wait_minutes", 2.0, 1.0, 3.0, "en", better=None)


def test_describe_effect_ci_including_zero():
    id_ = describe_effect("report_quality", 0.8, -0.4, 2.0, "id", unit_key="points")
    assert "tidak dapat dibedakan dari nol" in id_ and "-0,4" in id_
    en = describe_effect("report_quality", -0.8, -2.0, 0.4, "en")
    assert "cannot be distinguished from zero" in en and "-0.8" in en


def test_describe_effect_missing_and_bad_inputs():
    assert "could not be estimated" in describe_effect("ikm", math.nan, 1, 2, "en")
    assert "(" not in describe_effect("ikm", 1.2, math.nan, math.nan, "en")
    with pytest.raises(ValueError, match="better"):
        describe_effect("ikm", 1, 0.5, 2, "en", better="up")
    with pytest.raises(ValueError, match="ci_low"):
        describe_effect("ikm", 1, 2, 0.5, "en")
    with pytest.raises(KeyError):
        describe_effect("no_such_outcome", 1, 0.5, 2, "en")


def test_describe_share():
    assert (describe_share("attendance", 0.42, "id", n=42, total=100)
            == "Sebanyak 42% pegawai yang diundang menghadiri pelatihan (42 dari 100 orang).")
    assert describe_share("jp_compliance", 0.35, "en") == "35% of ASN met the target of 20 JP a year."
    assert "time conflict with duties" in describe_share("barrier", 0.3, "en", barrier="barrier_time")


def test_describe_change():
    assert (describe_change("test_score", 61.2, 70.7, "id", unit_key="points", ci=(8.1, 10.9))
            == "Rata-rata nilai tes naik dari 61,2 sebelum pelatihan menjadi 70,7 sesudahnya "
               "(selisih 9,5 poin; IK 95%: 8,1 sampai 10,9).")
    fall = describe_change("wait_minutes", 30, 25.5, "en", unit_key="minutes")
    assert fall.startswith("The average waiting time fell from 30.0") and "-4.5 minutes" in fall
    assert "did not change" in describe_change("test_score", 70.01, 70.02, "en")
    assert "cannot be distinguished" in describe_change("test_score", 60, 61, "en", ci=(-0.5, 2.5))


def test_rank_sentence():
    shares = pd.Series({"barrier_motivation": 0.30, "barrier_time": 0.45, "barrier_relevance": np.nan})
    assert rank_sentence(shares, "en") == ("The most frequently cited barrier was time conflict with duties (45%), "
                                           "followed by low motivation (30%).")
    assert (rank_sentence(shares, "id", top=1)
            == "Kendala yang paling sering disebut adalah bentrok waktu dengan tugas (45%).")
    ame = rank_sentence({"barrier_time": -0.05, "barrier_experienced": -0.21}, "en", measure="ame")
    assert ame == ("The barrier most strongly associated with attendance was feeling already experienced: "
                   "staff who cited it were 21 percentage points less likely to attend.")
    assert rank_sentence({}, "en") == "No barriers were recorded."
    with pytest.raises(KeyError):
        rank_sentence({"weather": 0.2}, "en")


def test_module_doctests():
    import doctest

    result = doctest.testmod(text)
    assert result.failed == 0 and result.attempted > 5


# ------------------------------------------------------------------------------------- official forms
@pytest.mark.parametrize("period, id_text, en_text", [
    ("2022Q1", "triwulan I 2022", "Q1 2022"),
    ("2024Q4", "triwulan IV 2024", "Q4 2024"),
    ("2023-Q2", "triwulan II 2023", "Q2 2023"),
    ("2024S2", "semester II 2024", "H2 2024"),
    ("2022S1", "semester I 2022", "H1 2022"),
    ("2024H1", "semester I 2024", "H1 2024"),
    (pd.Period("2023Q3", freq="Q"), "triwulan III 2023", "Q3 2023"),
    ("2024", "2024", "2024"),  # not a quarter or half-year: unchanged
    ("2024S3", "2024S3", "2024S3"),  # no third semester
])
def test_format_period(period, id_text, en_text):
    assert text.format_period(period, "id") == id_text
    assert text.format_period(period, "en") == en_text


def test_format_period_missing_and_range():
    assert text.format_period(None) == "–" and text.format_period(float("nan"), "en") == "–"
    assert text.format_period_range("2022Q1", "2024Q4", "id") == "triwulan I 2022 s.d. triwulan IV 2024"
    assert text.format_period_range("2022Q1", "2024Q4", "en") == "Q1 2022 to Q4 2024"
    with pytest.raises(ValueError):
        text.format_period("2022Q1", "fr")


@pytest.mark.parametrize("x, id_text, en_text", [
    (434_200_000, "Rp434 juta", "IDR 434 million"),
    (3_812_000, "Rp3,8 juta", "IDR 3.8 million"),
    (9_960_000, "Rp10 juta", "IDR 10 million"),  # rounds to ten: no decimal
    (289_000, "Rp289.000", "IDR 289,000"),
    (1_230_000_000, "Rp1,2 miliar", "IDR 1.2 billion"),
    (25_400_000_000, "Rp25 miliar", "IDR 25 billion"),
    (-3_812_000, "-Rp3,8 juta", "-IDR 3.8 million"),
    (None, "–", "–"),
])
def test_format_amount(x, id_text, en_text):
    assert text.format_amount(x, "id") == id_text
    assert text.format_amount(x, "en") == en_text
