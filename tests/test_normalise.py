"""Normalisers: one named case per accepted spelling and per rejection, with the expected reason."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from evalkit.ingest.normalise import (
    NormaliseError,
    format_date_id,
    format_number_id,
    format_rupiah,
    is_missing,
    normalise_series,
    parse_category,
    parse_date,
    parse_int,
    parse_likert5,
    parse_month,
    parse_number,
    parse_percent,
    parse_quarter,
    parse_region,
    parse_rupiah,
    parse_semester,
    parse_skm4,
    parse_yesno,
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


# ======================================================================================================
# Values as offices write them: presensi codes, NIPs through Excel, Google Forms timestamps, Likert labels
# with numbers, checkbox answers and programme titles (DOMAIN.md, "Files as offices keep them").
from evalkit.ingest import normalise as N  # noqa: E402


def _reason(fn, *args, **kw):
    with pytest.raises(NormaliseError) as e:
        fn(*args, **kw)
    return e.value.reason


# ------------------------------------------------------------------------------------------------ presensi
@pytest.mark.parametrize("text, expected", [
    ("H", (True, None)), ("h", (True, None)), ("Hadir", (True, None)), ("HADIR", (True, None)),
    ("\u2713", (True, None)), ("\u2714", (True, None)), ("\u221a", (True, None)), ("v", (True, None)),
    ("V", (True, None)), ("\u2611", (True, None)),
    ("I", (False, "Izin")), ("Izin", (False, "Izin")), ("ijin", (False, "Izin")),
    ("S", (False, "Sakit")), ("sakit", (False, "Sakit")), ("S.", (False, "Sakit")),
    ("A", (False, "Alpa (tanpa keterangan)")), ("Alpa", (False, "Alpa (tanpa keterangan)")),
    ("Alpha", (False, "Alpa (tanpa keterangan)")), ("TK", (False, "Alpa (tanpa keterangan)")),
    ("Tanpa Keterangan", (False, "Alpa (tanpa keterangan)")),
    ("DL", (False, "Dinas Luar")), ("Dinas Luar", (False, "Dinas Luar")), ("dl", (False, "Dinas Luar")),
    ("C", (False, "Cuti")), ("Cuti", (False, "Cuti")),
    ("TB", (False, "Tugas Belajar")), ("Tugas Belajar", (False, "Tugas Belajar")),
    # code and word together, as the template's drop-down ("I - Izin") and hand-made sheets write them
    ("I - Izin", (False, "Izin")), ("S - Sakit", (False, "Sakit")), ("Sakit (S)", (False, "Sakit")),
    ("(DL) Dinas Luar", (False, "Dinas Luar")), ("DL: Dinas Luar", (False, "Dinas Luar")),
    ("A - Alpa (tanpa keterangan)", (False, "Alpa (tanpa keterangan)")),
    ("Tidak hadir - Sakit", (False, "Sakit")), ("tidak hadir (cuti)", (False, "Cuti")),
    ("Tidak hadir karena dinas luar", (False, "Dinas Luar")),
    # plain yes/no keeps working, with no reason
    ("Ya", (True, None)), ("Tidak", (False, None)), ("1", (True, None)), ("0", (False, None)),
    ("Tidak hadir", (False, None)), (True, (True, None)),
])
def test_parse_presensi_accepts(text, expected):
    assert N.parse_presensi(text) == expected
    assert N.parse_attended(text) is expected[0]


@pytest.mark.parametrize("text, reason", [
    ("x", "a cross is ambiguous on an attendance sheet"), ("X", "a cross is ambiguous"),
    ("\u2717", "a cross is ambiguous"), ("S - Izin", "presensi code and wording disagree"),
    ("H - Sakit", "presensi code and wording disagree"), ("mungkin", "expected Ya/Tidak or a presensi code"),
    ("Z", "expected Ya/Tidak or a presensi code"),
])
def test_parse_presensi_rejects(text, reason):
    assert reason in _reason(N.parse_presensi, text)


def test_presensi_codes_only_on_the_attended_field():
    # "H" and the reason codes mean something only on an attendance sheet: the generic yes/no parser refuses
    # them, the attended field (spec.PRESENSI_FIELDS) reads them
    for code in ("H", "S", "DL", "A"):
        with pytest.raises(NormaliseError, match="expected Ya or Tidak"):
            parse_yesno(code)
    attended = N.parser_for(RAW_TABLES["enrolments"].field("attended"))
    completed = N.parser_for(RAW_TABLES["enrolments"].field("completed"))
    assert [attended(v) for v in ("H", "\u2714", "S", "DL", "Ya", "Tidak")] == [True, True, False, False, True, False]
    with pytest.raises(NormaliseError):
        completed("H")
    assert parse_yesno("\u2714") is True and parse_yesno("\u2611") is True


def test_attended_column_with_presensi_codes():
    vals, errs = normalise_series(pd.Series(["H", "S", "x", "", "DL - Dinas Luar"]),
                                  RAW_TABLES["enrolments"].field("attended"))
    assert vals.tolist() == [True, False, None, None, False]
    assert errs[2].startswith("a cross is ambiguous") and errs.drop(2).isna().all()


def test_fill_reason_from_presensi():
    att = pd.Series(["H", "S", "I", "Tidak", None, "x", "DL"], index=list("abcdefg"))
    why = pd.Series(["", "", "Keperluan keluarga", "", None, "-", "Rapat di provinsi"], index=list("abcdefg"))
    out = N.fill_reason_from_presensi(att, why)
    assert out.index.tolist() == list("abcdefg")
    # filled where blank; the office's own reason is never replaced; nothing invented for H/Tidak/x
    assert out.tolist() == [None, "Sakit", "Keperluan keluarga", None, None, None, "Rapat di provinsi"]
    # no reason column at all, and a categorical column (the large-file reader)
    assert N.fill_reason_from_presensi(att.astype("category")).tolist() == \
        [None, "Sakit", "Izin", None, None, None, "Dinas Luar"]


# ------------------------------------------------------------------------------------------------ percent
def test_parse_percent_bare_one_is_a_whole_share():
    # documented rule: a bare number from 0 to 1 is a share (Excel percentage cells hold 1 for "100%");
    # one percent must be written with its sign
    assert parse_percent("1") == 1.0
    assert parse_percent(1.0) == 1.0
    assert parse_percent("1%") == pytest.approx(0.01)
    assert parse_percent("2") == pytest.approx(0.02)


# ------------------------------------------------------------------------------------------------ SKM by unsur
# PermenPANRB 14/2017, model questionnaire (lampiran), question 8 on complaint handling: a. Tidak ada,
# b. Ada tetapi tidak berfungsi, c. Berfungsi kurang maksimal, d. Dikelola dengan baik, scored 1-4
# (spec.SKM_QUESTIONS; [SECONDARY]: from published copies of the model questionnaire).
@pytest.mark.parametrize("text, expected", [
    ("Tidak ada", 1), ("Ada tetapi tidak berfungsi", 2), ("Berfungsi kurang maksimal", 3),
    ("Dikelola dengan baik", 4), ("DIKELOLA DENGAN BAIK", 4), ("d. Dikelola dengan baik", 4),
    ("4 - Dikelola dengan baik", 4), ("(a) Tidak ada", 1), ("Well managed", 4), ("There is none", 1),
    ("dikelola_dengan_baik", 4), ("d", 4), ("2", 2),
])
def test_skm_unsur8_complaint_handling_options(text, expected):
    assert parse_skm4(text, unsur="u8_pengaduan") == expected
    assert parse_skm4(text, unsur=8) == expected


def test_skm_dikelola_dengan_baik_is_option_d_everywhere():
    # not "baik" = 3: the wording of option d of unsur 8
    assert parse_skm4("Dikelola dengan baik") == 4
    f = RAW_TABLES["skm"].field("u8_pengaduan")
    assert N.parser_for(f)("Dikelola dengan baik") == 4
    vals, errs = normalise_series(pd.Series(["Dikelola dengan baik", "Tidak ada", "Berfungsi kurang maksimal"]), f)
    assert vals.tolist() == [4, 1, 3] and errs.isna().all()


def test_skm_unsur_specific_options_need_their_unsur():
    # unsur 9 (sarana): Buruk / Cukup / Baik / Sangat baik; "Tidak ada" and "Buruk" alone are not SKM answers
    assert [parse_skm4(t, unsur="u9_sarana") for t in ("Buruk", "Cukup", "Baik", "Sangat baik")] == [1, 2, 3, 4]
    assert parse_skm4("Cukup mahal", unsur="Biaya/Tarif") == 2
    assert N.parser_for(RAW_TABLES["skm"].field("u9_sarana"))("Buruk") == 1
    for text in ("Tidak ada", "Buruk"):
        assert "expected an SKM answer" in _reason(parse_skm4, text)
    assert "option letter and wording disagree" in _reason(parse_skm4, "c. Dikelola dengan baik", unsur=8)
    with pytest.raises(KeyError, match="unknown SKM unsur"):
        parse_skm4("Sesuai", unsur="u10")


# ------------------------------------------------------------------------------------------------ NIP and Excel
@pytest.mark.parametrize("value, evidence", [
    ("1.97E+17", "scientific notation"), ("1,97E+17", "scientific notation"), ("1.97e17", "scientific notation"),
    ("1.98503172010012E+17", "scientific notation"), ("1,98503172010012E+17", "scientific notation"),
    (1.98503172010012e17, "decimal number"), (198503172010012000.0, "decimal number"),
    ("198503172010012000", "ends in 000"), ("198503172010012000.0", "ends in 000"),
    ("19850317 201001 2 000", "ends in 000"), (198503172010012000, "ends in 000"),
    ("198503172010013000", "ends in 000"),  # a female NIP with serial >= 500 rounded up into sex digit 3
])
def test_nip_destroyed_by_excel(value, evidence):
    why = _reason(N.parser_for(RAW_TABLES["employees"].field("nip")), value)
    assert why.startswith("NIP destroyed by Excel")
    assert evidence in why
    assert "15 significant digits" in why and "format the NIP column as Text" in why and "SIMPEG/SIASN" in why
    assert "1985031720" not in why  # the (personal) value is not repeated in the message


@pytest.mark.parametrize("value, reason", [
    ("19850317201001200", "NIP must have 18 digits, got 17"),
    ("198513172010012004", "not a real date: month 13"),
    ("198503172010013004", "sex digit (15th) must be 1 or 2"),
    ("abc", "NIP must contain only digits"),
])
def test_nip_errors_not_blamed_on_excel(value, reason):
    p = N.parser_for(RAW_TABLES["employees"].field("nip"))
    why = _reason(p, value)
    assert reason in why and "Excel" not in why
    assert N.nip_excel_damage(value) is None
    assert p("198503172010012004") == "198503172010012004"
    assert p(198503172010012004) == "198503172010012004"  # a full integer (written by a system) is fine


def test_nip_serial_000_caught_on_the_bulk_path_too():
    # more than 1000 distinct NIPs take the vectorised path, which must not let serial 000 through
    good = [f"1985031720100120{k:02d}" for k in range(1, 100)] + \
        [f"19850317201001{s}{k:03d}" for s in "12" for k in range(100, 600)]
    s = pd.Series(good + ["198503172010012000"])
    vals, errs = normalise_series(s, RAW_TABLES["employees"].field("nip"))
    assert vals.iloc[:-1].notna().all() and errs.iloc[:-1].isna().all()
    assert vals.iloc[-1] is None and errs.iloc[-1].startswith("NIP destroyed by Excel")


# ------------------------------------------------------------------------------------------------ timestamps
DT = dt.datetime


@pytest.mark.parametrize("text, expected", [
    ("13/01/2024 9:05:33", DT(2024, 1, 13, 9, 5, 33)),   # Indonesian locale ("Stempel waktu")
    ("13/1/2024 09.05.33", DT(2024, 1, 13, 9, 5, 33)),
    ("2/1/2024 17:45:00", DT(2024, 1, 2, 17, 45)),       # ambiguous, 24-hour: the Indonesian d/m
    ("1/13/2024 9:05:33 PM", DT(2024, 1, 13, 21, 5, 33)),  # English locale ("Timestamp")
    ("1/13/2024 9:05:33 pm", DT(2024, 1, 13, 21, 5, 33)),
    ("1/13/2024 12:05:33 AM", DT(2024, 1, 13, 0, 5, 33)),
    ("1/13/2024 12:05:33 PM", DT(2024, 1, 13, 12, 5, 33)),
    ("2/1/2024 9:05:33 AM", DT(2024, 2, 1, 9, 5, 33)),    # ambiguous with AM/PM: the English m/d
    ("1/13/2024 17:05:33", DT(2024, 1, 13, 17, 5, 33)),   # only m/d is possible
    ("2024-01-13 09:05:33", DT(2024, 1, 13, 9, 5, 33)), ("2024-01-13T09:05:33Z", DT(2024, 1, 13, 9, 5, 33)),
    ("45304.5", DT(2024, 1, 13, 12)), (45304.5, DT(2024, 1, 13, 12)),
    (DT(2024, 1, 13, 9, 5), DT(2024, 1, 13, 9, 5)), (pd.Timestamp("2024-01-13 09:05"), DT(2024, 1, 13, 9, 5)),
])
def test_parse_timestamp_accepts(text, expected):
    assert N.parse_timestamp(text) == expected


def test_parse_timestamp_locale():
    assert N.parse_timestamp("2/1/2024 9:05:33", locale="en") == DT(2024, 2, 1, 9, 5, 33)
    assert N.parse_timestamp("2/1/2024 9:05:33", locale="id") == DT(2024, 1, 2, 9, 5, 33)
    assert N.parse_timestamp("2/1/2024 9:05:33 AM", locale="id_ID") == DT(2024, 1, 2, 9, 5, 33)
    assert "no month 13 (read as d/m/yyyy for locale 'id')" in _reason(N.parse_timestamp, "1/13/2024 9:05:33", "id")
    with pytest.raises(ValueError, match="unknown locale"):
        N.parse_timestamp("1/1/2024 1:00:00", locale="fr")


@pytest.mark.parametrize("text, reason", [
    ("13/13/2024 9:00:00", "no month 13"), ("31/2/2024 9:00:00", "no such date: 31 Februari 2024"),
    ("1/1/2024 13:00:00 PM", "no hour 13 on a 12-hour clock"), ("1/1/2024 24:00:00", "no such time: 24:00:00"),
    ("1/1/24 9:00:00", "expected a timestamp"), ("kemarin", "expected a timestamp"),
])
def test_parse_timestamp_rejects(text, reason):
    assert reason in _reason(N.parse_timestamp, text)


def test_timestamp_order_decided_by_the_values():
    o = N.timestamp_order(pd.Series(["1/2/2024 10:00:00", "13/2/2024 11:00:00", "13/2/2024 11:00:00"]))
    assert (o.order, o.decided_by, o.day_first, o.month_first, o.ambiguous, o.conflict) == \
        ("dmy", "values", 2, 0, 1, False)
    assert o.note == "" and not o.is_ambiguous
    o = N.timestamp_order(["2/1/2024 10:00:00", "2/13/2024 23:00:00"])
    assert (o.order, o.decided_by) == ("mdy", "values")


def test_timestamp_order_reports_ambiguity_and_conflict():
    o = N.timestamp_order(["1/2/2024 10:00:00", "2/3/2024 11:00:00", None])
    assert (o.order, o.decided_by, o.ambiguous) == ("dmy", "default", 2) and o.is_ambiguous
    assert "day/month order not shown by any value" in o.note
    o = N.timestamp_order(["1/2/2024 10:00:00 AM", "2/3/2024 11:00:00 PM"])
    assert (o.order, o.decided_by) == ("mdy", "am/pm")
    assert N.timestamp_order(["1/2/2024 10:00:00"], locale="en").decided_by == "locale"
    o = N.timestamp_order(["13/2/2024 10:00:00", "2/14/2024 10:00:00", "20/2/2024 10:00:00"])
    assert o.conflict and o.order == "dmy" and "mixes d/m/yyyy" in o.note
    o = N.timestamp_order(["13/2/2024 10:00:00"], locale="en")
    assert o.conflict and o.order == "dmy" and "although the locale 'en' says m/d/yyyy" in o.note


def test_parse_timestamp_column():
    s = pd.Series(["1/2/2024 10:00:00", "13/2/2024 11:00:00", "", None, "2/14/2024 9:00:00"], index=[5, 6, 7, 8, 9])
    vals, errs, order = N.parse_timestamp_column(s)
    assert order.order == "dmy" and order.conflict
    assert vals.index.tolist() == [5, 6, 7, 8, 9]
    assert vals.tolist()[:4] == [DT(2024, 2, 1, 10), DT(2024, 2, 13, 11), None, None]
    assert vals[9] is None and "no month 14" in errs[9]
    # an English export whose first days are all ambiguous is read in m/d once one value shows it
    vals, _e, order = N.parse_timestamp_column(pd.Series(["1/2/2024 10:00:00 AM", "1/13/2024 9:00:00 PM"]))
    assert vals.tolist() == [DT(2024, 1, 2, 10), DT(2024, 1, 13, 21)] and order.decided_by == "values"


# ------------------------------------------------------------------------------------------------ Likert (Forms)
@pytest.mark.parametrize("text, expected", [
    ("5 - Sangat Setuju", 5), ("5 - sangat setuju", 5), ("5. Sangat Setuju", 5), ("5) Sangat Setuju", 5),
    ("(5) Sangat Setuju", 5), ("5 (Sangat Setuju)", 5), ("Sangat setuju (5)", 5), ("Sangat Setuju - 5", 5),
    ("Sangat Setuju = 5", 5), ("1 = Sangat Tidak Setuju", 1), ("3 - Netral", 3), ("Ragu-ragu (3)", 3),
    ("Strongly agree", 5), ("Strongly Disagree", 1), ("Neutral", 3), ("Agree", 4), ("4 - Agree", 4),
    ("Setuju / Agree", 4), ("Sangat setuju/Strongly agree", 5), ("5 - Sangat setuju / Strongly agree", 5),
])
def test_likert5_google_forms_labels(text, expected):
    assert parse_likert5(text) == expected


@pytest.mark.parametrize("text", ["5 - Setuju", "Setuju (5)", "Setuju / Disagree", "Sangat Setuju - 4"])
def test_likert5_label_and_number_must_agree(text):
    assert "expected an agreement answer" in _reason(parse_likert5, text)


def test_checkbox_answers_stay_text_and_can_be_split():
    cell = "Materi kurang relevan, Waktu bentrok dengan tugas, Lainnya: jaringan, listrik"
    assert N.parse_text(cell) == cell  # free-text items keep the Google Forms cell as it is
    assert N.split_checkbox("Materi, Waktu") == ["Materi", "Waktu"]
    assert N.split_checkbox("") == [] and N.split_checkbox(None) == []
    opts = ["Materi kurang relevan", "Waktu bentrok dengan tugas", "Sarana, prasarana"]
    assert N.split_checkbox(cell, opts) == ["Materi kurang relevan", "Waktu bentrok dengan tugas",
                                            "Lainnya: jaringan, listrik"]
    assert N.split_checkbox("Sarana, prasarana, Materi kurang relevan", opts) == \
        ["Sarana, prasarana", "Materi kurang relevan"]


# ------------------------------------------------------------------------------------------------ programme titles
PROGS = pd.DataFrame({
    "programme_id": ["PEL-001", "PEL-002", "PEL-003", "PEL-004"],
    "title": ["Pelayanan Prima", "Manajemen Risiko Sektor Publik", "Etika ASN", "Etika ASN"],
})


def test_match_programme_title_ignores_case_spacing_and_punctuation():
    titles = pd.Series(["PELAYANAN  PRIMA.", "pelayanan-prima", "Manajemen Risiko (Sektor Publik)",
                        "manajemen risiko sektor publik ", "Pelayanan Prima [PEL-001]", "pel-002", None, ""],
                       index=range(10, 18))
    m = N.match_programme_title(titles, PROGS)
    assert m.codes.index.tolist() == list(range(10, 18))
    assert m.codes.tolist() == ["PEL-001", "PEL-001", "PEL-002", "PEL-002", "PEL-001", "PEL-002", None, None]
    assert m.ok and m.unknown == {} and m.ambiguous == {}


def test_match_programme_title_reports_unknown_and_ambiguous():
    m = N.match_programme_title(pd.Series(["Etika ASN", "Pelatihan Kepemimpinan", "Pelatihan Kepemimpinan"]), PROGS)
    assert m.codes.tolist() == [None, None, None] and not m.ok
    assert m.unknown == {"Pelatihan Kepemimpinan": 2}
    assert m.ambiguous == {"Etika ASN": ("PEL-003", "PEL-004")}
    assert N.title_key(" Pelayanan  Prima. ") == N.title_key("pelayanan-prima") == "pelayananprima"
