"""Property tests: no normaliser crashes on arbitrary text, and parse(format(x)) == x."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.ingest import normalise as N
from evalkit.ingest import parse_nip
from evalkit.ingest.pseudonym import TextScrubber
from evalkit.ingest.read import header_key
from evalkit.ingest.spec import RAW_TABLES

FAST = settings(max_examples=100, deadline=None)

# text biased towards the characters the parsers care about
_ALPHABET = st.sampled_from(list("0123456789.,-/ %RpQSIVXaeiousntkjgmb:()'\u00a0\t")) | st.characters()
TEXT = st.text(_ALPHABET, max_size=40) | st.text(max_size=200)

def _skm4_unsur8(v):
    return N.parse_skm4(v, unsur=8)


SCALARS = [N.parse_number, N.parse_int, N.parse_rupiah, N.parse_percent, N.parse_yesno, N.parse_likert5,
           N.parse_skm4, N.parse_date, N.parse_month, N.parse_quarter, N.parse_semester, N.parse_region,
           N.parse_id,
           # values as offices write them: presensi codes, Google Forms timestamps, SKM answers per unsur
           N.parse_presensi, N.parse_attended, N.parse_timestamp, _skm4_unsur8]


@pytest.mark.parametrize("parse", SCALARS, ids=lambda f: f.__name__)
@FAST
@given(text=TEXT)
def test_arbitrary_text_raises_only_normalise_error(parse, text):
    try:
        parse(text)
    except N.NormaliseError as e:
        assert e.reason
    # any other exception fails the test


@FAST
@given(text=TEXT)
def test_category_never_crashes(text):
    f = RAW_TABLES["employees"].field("golongan")
    try:
        N.parse_category(text, f.levels, f.value_map)
    except N.NormaliseError:
        pass


@FAST
@given(text=TEXT)
def test_parse_nip_raises_only_value_error(text):
    try:
        parse_nip(text)
    except ValueError as e:
        assert str(e).startswith("NIP")


@FAST
@given(text=TEXT)
def test_header_key_and_scrubber_never_crash(text):
    header_key(text)
    assert "198503172010012004" not in TextScrubber(["Budi Santoso"])(text + " 198503172010012004")


@FAST
@given(st.floats(min_value=0, max_value=1e13, allow_nan=False))
def test_rupiah_roundtrip(x):
    assert N.parse_rupiah(N.format_rupiah(x)) == float(f"{x:.2f}")


@FAST
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 4))
def test_number_roundtrip(x, decimals):
    s = N.format_number_id(x, decimals)
    assert N.parse_number(s) == pytest.approx(float(f"{x:.{decimals}f}"), abs=0)


@FAST
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_roundtrip(d):
    assert N.parse_date(N.format_date_id(d)) == d
    assert N.parse_date(d.isoformat()) == d
    assert N.parse_date(f"{d.day:02d}/{d.month:02d}/{d.year}") == d


@FAST
@given(st.integers(1900, 2100), st.integers(1, 4))
def test_quarter_roundtrip(y, q):
    assert N.parse_quarter(f"{y}Q{q}") == f"{y}Q{q}"
    assert N.parse_quarter(f"Triwulan {'I II III IV'.split()[q - 1]} {y}") == f"{y}Q{q}"


@FAST
@given(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2005, 12, 31)), st.integers(18, 40),
       st.integers(1, 12), st.sampled_from("12"), st.integers(1, 999))
def test_nip_roundtrip(birth, age, month, sex, serial):
    nip = f"{birth:%Y%m%d}{birth.year + age}{month:02d}{sex}{serial:03d}"
    n = parse_nip(nip)
    assert (n.birth_date, n.appointment, n.sex, n.serial, n.digits) == (
        birth, (birth.year + age, month), "L" if sex == "1" else "P", serial, nip)


# ------------------------------------------------------------------------------------------------------
# values as offices write them (presensi, Excel-damaged NIPs, Google Forms timestamps, labels with numbers)
import pandas as pd  # noqa: E402


@FAST
@given(text=TEXT)
def test_excel_damage_check_never_crashes(text):
    why = N.nip_excel_damage(text)
    assert why is None or why.startswith("NIP destroyed by Excel")
    N.split_checkbox(text)
    N.title_key(text)


@FAST
@given(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2005, 12, 31)), st.integers(18, 40),
       st.integers(1, 12), st.sampled_from("12"), st.integers(1, 999))
def test_excel_damage_only_with_evidence(birth, age, month, sex, serial):
    nip = f"{birth:%Y%m%d}{birth.year + age}{month:02d}{sex}{serial:03d}"
    assert N.nip_excel_damage(nip) is None  # a valid NIP is never blamed on Excel
    assert N.nip_excel_damage(int(nip)) is None
    damaged = float(nip)  # what a number cell keeps
    assert N.nip_excel_damage(damaged) is not None
    assert N.nip_excel_damage(f"{damaged:.14E}".replace(".", ",")) is not None  # "1,98503172010012E+17"
    assert N.nip_excel_damage(str(round(int(nip), -3))) is not None  # 15 significant digits: "...000"


@FAST
@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)))
def test_timestamp_roundtrip(t):
    t = t.replace(microsecond=0)
    h12 = t.hour % 12 or 12
    ampm = "AM" if t.hour < 12 else "PM"
    assert N.parse_timestamp(f"{t.day}/{t.month}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}", "id") == t
    assert N.parse_timestamp(f"{t.month}/{t.day}/{t.year} {h12}:{t.minute:02d}:{t.second:02d} {ampm}", "en") == t
    assert N.parse_timestamp(f"{t.month}/{t.day}/{t.year} {h12}:{t.minute:02d}:{t.second:02d} {ampm}") == t
    assert N.parse_timestamp(t.isoformat(sep=" ")) == t


@FAST
@given(st.lists(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)), min_size=1,
                max_size=30), st.sampled_from(["dmy", "mdy"]))
def test_timestamp_column_order_never_misreads(ts, order):
    ts = [t.replace(microsecond=0) for t in ts]
    cells = [f"{t.day}/{t.month}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}" if order == "dmy"
             else f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}" for t in ts]
    vals, errs, o = N.parse_timestamp_column(pd.Series(cells))
    if o.decided_by == "values":  # some value showed the order: every cell is read right
        assert o.order == order and not o.conflict and errs.isna().all() and vals.tolist() == ts
    else:  # nothing showed it: reported, and the guess is the Indonesian d/m/yyyy
        assert o.is_ambiguous and o.note and o.order == "dmy"


@FAST
@given(st.sampled_from(sorted(N.LIKERT5)), st.sampled_from(["{n} - {l}", "{l} ({n})", "({n}) {l}", "{n}. {l}"]))
def test_likert_label_with_its_number(label, pattern):
    n = N.LIKERT5[label]
    assert N.parse_likert5(pattern.format(n=n, l=label.title())) == n
    wrong = n % 5 + 1
    with pytest.raises(N.NormaliseError):
        N.parse_likert5(pattern.format(n=wrong, l=label.title()))


@FAST
@given(st.lists(st.sampled_from(["Materi", "Waktu bentrok", "Sarana, prasarana", "Biaya"]), min_size=1, max_size=4,
                unique=True))
def test_checkbox_split_roundtrip(chosen):
    options = ["Materi", "Waktu bentrok", "Sarana, prasarana", "Biaya"]
    assert N.split_checkbox(", ".join(chosen), options) == chosen
