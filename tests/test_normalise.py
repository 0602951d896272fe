"""Normalisers: one named case per accepted spelling and per rejection, with the expected reason."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from evalkit.ingest.normalise import (
    NormaliseError, format_date_id, format_number_id, format_rupiah, is_missing, normalise_series, parse_category,
    parse_date, parse_int, parse_likert5, parse_month, parse_number, parse_percent, parse_quarter, parse_region,
    parse_rupiah, parse_semester, parse_skm4, parse_yesno,
)
from evalkit.ingest.spec import RAW_TABLES

D = dt.date


# ------------------------------------------------------------------------------------------------ dates
@pytest.mark.parametrize("text, expected", [
    ("17 Agustus 2024", D(2024, 8, 17)),
    ("17 Agt 2024", D(2024, 8, 17)),
    ("17 Agu 2024", D(2024, 8, 17)),
    ("17 Nopember 2023", D(2023, 11, 17)),
    ("5 Pebruari 2008", D(2008, 2, 5)),
    ("5 Peb 2008", D(2008, 2, 5)),
    ("Jumat, 13 Januari 2012", D(2012, 1, 13)),
    ("jumat 13 januari 2012", D(2012, 1, 13)),
    ("13-Jan-2012", D(2012, 1, 13)),
    ("2024-08-17", D(2024, 8, 17)),
    ("2024-08-17 00:00:00", D(2024, 8, 17)),
    ("17/08/2024", D(2024, 8, 17)),
    ("17-08-2024", D(2024, 8, 17)),
    ("17.08.2024", D(2024, 8, 17)),
    ("45521", D(2024, 8, 17)),
    ("45521.0", D(2024, 8, 17)),
    ("20240817", D(2024, 8, 17)),
    (dt.datetime(2024, 8, 17, 9, 30), D(2024, 8, 17)),
])
def test_parse_date_accepts(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("31 Februari 2023", "no such date: 31 Februari 2023"),
    ("2023-13-01", "no month 13"),
    ("08/17/2024", "no month 17 (dates are read as day/month/year)"),
    ("17/08/24", "two-digit years are ambiguous"),
    ("Senin, 13 Januari 2012", "weekday does not match the date (13 Januari 2012 is a Jumat)"),
    ("17 Agustos 2024", "unknown month name 'agustos'"),
    ("besok", "expected a date like '17 Agustus 2024'"),
    ("2024", "expected a date like"),
    ("12", "expected a date like"),
    ("99999", "Excel serial day numbers must lie in 18264-73050"),
    ("17 Agustus 2199", "implausible year 2199"),
])
def test_parse_date_rejects(text, reason):
    with pytest.raises(NormaliseError) as e:
        parse_date(text)
    assert reason in e.value.reason


def test_format_date_id():
    assert format_date_id(D(2024, 8, 17)) == "17 Agustus 2024"


@pytest.mark.parametrize("text", ["Januari 2023", "Jan 2023", "2023-01", "01/2023", "1-2023", "januari-2023",
                                  "2023-01-15"])
def test_parse_month(text):
    assert parse_month(text) == D(2023, 1, 1)


def test_parse_month_rejects_month_13():
    with pytest.raises(NormaliseError, match="no month 13"):
        parse_month("2023-13")


@pytest.mark.parametrize("text, expected", [
    ("2023-Q1", "2023Q1"), ("2023Q1", "2023Q1"), ("Q1 2023", "2023Q1"), ("Triwulan I 2023", "2023Q1"),
    ("Triwulan IV 2023", "2023Q4"), ("TW 1 2023", "2023Q1"), ("TW I/2023", "2023Q1"), ("tw.3 2023", "2023Q3"),
    ("Triwulan II Tahun 2023", "2023Q2"), ("Kuartal 2 2023", "2023Q2"),
])
def test_parse_quarter(text, expected):
    assert parse_quarter(text) == expected


@pytest.mark.parametrize("text", ["2023-Q5", "Triwulan V 2023", "2023", "Q1", "kuartal"])
def test_parse_quarter_rejects(text):
    with pytest.raises(NormaliseError, match="expected a quarter like '2023-Q1'"):
        parse_quarter(text)


@pytest.mark.parametrize("text, expected", [
    ("Semester I 2024", "2024S1"), ("Semester II 2024", "2024S2"), ("2024-S1", "2024S1"), ("2024S2", "2024S2"),
    ("Semester 2 Tahun 2023", "2023S2"), ("smt 1 2024", "2024S1"),
])
def test_parse_semester(text, expected):
    assert parse_semester(text) == expected


def test_parse_semester_rejects_three():
    with pytest.raises(NormaliseError, match="expected a semester"):
        parse_semester("Semester III 2024")


# ------------------------------------------------------------------------------------------------ numbers
@pytest.mark.parametrize("text, expected", [
    ("Rp1.234.567,89", 1234567.89), ("Rp 1.234.567", 1234567.0), ("1234567", 1234567.0),
    ("Rp1.250.000,00", 1250000.0), ("Rp. 1.250.000,-", 1250000.0), ("IDR 1.250.000", 1250000.0),
    ("rp 0", 0.0), (1250000, 1250000.0),
])
def test_parse_rupiah(text, expected):
    assert parse_rupiah(text) == expected


@pytest.mark.parametrize("text", ["Rp-15.000.000", "-15000", "(Rp 15.000)", "Rp -1"])
def test_negative_rupiah_rejected(text):
    with pytest.raises(NormaliseError, match="negative amount"):
        parse_rupiah(text)


@pytest.mark.parametrize("text", ["Rp", "gratis", "Rp 1,2,3x", "satu juta"])
def test_rupiah_text_rejected(text):
    with pytest.raises(NormaliseError, match="expected an amount in rupiah"):
        parse_rupiah(text)


def test_format_rupiah_and_number():
    assert format_number_id(1234567.89) == "1.234.567,89"
    assert format_rupiah(1234567.89) == "Rp1.234.567,89"
    assert parse_rupiah("Rp 1.234.567,89") == 1234567.89


@pytest.mark.parametrize("text, expected", [
    ("78,5", 78.5), ("1.234,5", 1234.5), ("1.234", 1234.0), ("78.5", 78.5), ("1.234.567", 1234567.0),
    ("0,85", 0.85), ("-3", -3.0), ("1 250 000", 1250000.0), ("1,234.5", 1234.5), ("1e3", 1000.0),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["tujuh puluh", "78,5,5x", "1.2.3", "12abc", "", "--5", "1.23.456"])
def test_text_where_a_number_belongs(text):
    with pytest.raises(NormaliseError, match="expected a number"):
        parse_number(text)


def test_parse_int_rejects_fraction():
    assert parse_int("1.250") == 1250
    with pytest.raises(NormaliseError, match="expected a whole number"):
        parse_int("12,5")


@pytest.mark.parametrize("text, expected", [("85%", 0.85), ("85", 0.85), ("0,85", 0.85), ("84,6 %", 0.846),
                                            ("100", 1.0), ("0", 0.0), ("84.6", 0.846)])
def test_parse_percent(text, expected):
    assert parse_percent(text) == pytest.approx(expected)


@pytest.mark.parametrize("text, reason", [("150%", "percentage outside 0-100%"), ("-5%", "outside"),
                                          ("banyak", "expected a percentage")])
def test_parse_percent_rejects(text, reason):
    with pytest.raises(NormaliseError, match=reason):
        parse_percent(text)


# ------------------------------------------------------------------------------------------------ answers
@pytest.mark.parametrize("text, expected", [("Ya", True), ("ya", True), ("Y", True), ("1", True), ("Tidak", False),
                                            ("T", False), ("0", False), ("tidak hadir", False), ("TRUE", True)])
def test_parse_yesno(text, expected):
    assert parse_yesno(text) is expected


def test_parse_yesno_rejects():
    with pytest.raises(NormaliseError, match="expected Ya or Tidak"):
        parse_yesno("mungkin")


@pytest.mark.parametrize("text, expected", [
    ("Sangat Tidak Setuju", 1), ("sangat tidak setuju", 1), ("  SANGAT  TIDAK SETUJU ", 1), ("STS", 1),
    ("Tidak Setuju", 2), ("TS", 2), ("Netral", 3), ("Ragu-ragu", 3), ("ragu ragu", 3), ("N", 3), ("RR", 3),
    ("Setuju", 4), ("S", 4), ("Sangat Setuju", 5), ("SS", 5), ("5", 5), ("1", 1), ("4.0", 4),
    ("5 - Sangat Setuju", 5), ("Setuju (4)", 4),
])
def test_likert5_accepts(text, expected):
    assert parse_likert5(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("6", "answer outside the 1-5 scale"), ("0", "answer outside the 1-5 scale"),
    ("Kurang Setuju", "expected an agreement answer 1-5"), ("4,5", "expected an agreement answer"),
    ("5 - Setuju", "number and wording disagree"), ("sangat", "expected an agreement answer"),
])
def test_likert_outside_the_scale(text, reason):
    with pytest.raises(NormaliseError) as e:
        parse_likert5(text)
    assert reason in e.value.reason


@pytest.mark.parametrize("text, expected", [
    ("Tidak sesuai", 1), ("Kurang Sesuai", 2), ("Sesuai", 3), ("Sangat Sesuai", 4), ("Tidak mudah", 1),
    ("Kurang cepat", 2), ("Puas", 3), ("Sangat Kompeten", 4), ("kurang sopan", 2), ("Sangat Baik", 4),
    ("Sangat mahal", 1), ("Cukup mahal", 2), ("Murah", 3), ("Gratis", 4), ("3", 3),
])
def test_skm4_accepts(text, expected):
    assert parse_skm4(text) == expected


@pytest.mark.parametrize("text", ["5", "0", "Lumayan", "Setuju"])
def test_skm4_rejects(text):
    with pytest.raises(NormaliseError, match="SKM answer 1-4|outside the 1-4 scale"):
        parse_skm4(text)


# ------------------------------------------------------------------------------------------------ regions
@pytest.mark.parametrize("text, expected", [
    ("Mamuju", "Mamuju"), ("Kabupaten Mamuju", "Mamuju"), ("KAB. MAMUJU", "Mamuju"), ("Kab Mamuju", "Mamuju"),
    ("Batanghari", "Batanghari"), ("Kabupaten Batang Hari", "Batanghari"), ("BATANG HARI", "Batanghari"),
    ("Kota Bukittinggi", "Bukittinggi"), ("Bukit Tinggi", "Bukittinggi"), ("Kota Bukit Tinggi", "Bukittinggi"),
    ("Provinsi DKI Jakarta", "DKI Jakarta"), ("DKI Jakarta", "DKI Jakarta"), ("Prov. DKI Jakarta", "DKI Jakarta"),
    ("Jakarta", "DKI Jakarta"), ("Ampenan", "Ampenan"), ("Kec. Ampenan", "Ampenan"),
    ("Ampenan, Kota Mataram", "Ampenan"), ("Kecamatan Ampenan, Kota Mataram, NTB", "Ampenan"),
])
def test_region_variants(text, expected):
    assert parse_region(text) == expected


def test_mamuju_tengah_is_not_mamuju():
    # a kabupaten of its own (76.06), not a spelling of Mamuju (76.02)
    assert parse_region("Kabupaten Mamuju Tengah") == "Mamuju Tengah"
    assert parse_region("Kab. Mamuju") == "Mamuju"


def test_kota_mataram_is_not_ampenan():
    # Ampenan is a kecamatan of Kota Mataram: the kota is a region of its own, not a spelling of Ampenan
    assert parse_region("Kota Mataram") == "Mataram"
    assert parse_region("Ampenan") == "Ampenan"


def test_any_region_of_indonesia_is_known_and_a_made_up_one_is_not():
    assert parse_region("Kabupaten Bogor") == "Kabupaten Bogor"
    with pytest.raises(NormaliseError, match="unknown region"):
        parse_region("Kabupaten Antah Berantah")


# ------------------------------------------------------------------------------------------------ categories
def test_category_via_levels_and_value_map():
    f = RAW_TABLES["programmes"].field("mode")
    assert parse_category("Tatap Muka", f.levels, f.value_map) == "klasikal"
    assert parse_category("E-Learning", f.levels, f.value_map) == "e-learning"
    with pytest.raises(NormaliseError, match="expected one of: klasikal, e-learning"):
        parse_category("webinar", f.levels, f.value_map)


def test_skp_predikat_kurang_maps_to_official_label():
    f = RAW_TABLES["performance"].field("skp_predikat")
    assert parse_category("kurang", f.levels, f.value_map) == "Kurang/Misconduct"


def test_is_missing():
    assert all(is_missing(x) for x in [None, float("nan"), "", "  ", "-", "NA", "n/a", "null"])
    assert not any(is_missing(x) for x in ["0", "Tidak", 0])


def test_normalise_series_parses_each_distinct_value_once(monkeypatch):
    f = RAW_TABLES["reaction"].field("overall")
    s = pd.Series(["Setuju", "SS", "7", "", None] * 1000)
    vals, errs = normalise_series(s, f)
    assert vals[:5].tolist() == [4, 5, None, None, None]
    assert errs[:5].tolist() == [None, None, "answer outside the 1-5 scale", None, None]


def test_normalise_series_applies_bounds():
    f = RAW_TABLES["tests"].field("pre_score")
    vals, errs = normalise_series(pd.Series(["78,5", "120", "abc"]), f)
    assert vals[0] == 78.5
    assert errs[1] == "value 120 outside the allowed range 0-100"
    assert errs[2] == "expected a number"
