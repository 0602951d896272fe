"""Property tests: no normaliser crashes on arbitrary text, and parse(format(x)) == x."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.ingest import parse_nip
from evalkit.ingest import normalise as N
from evalkit.ingest.read import header_key
from evalkit.ingest.pseudonym import TextScrubber
from evalkit.ingest.spec import RAW_TABLES

FAST = settings(max_examples=100, deadline=None)

# text biased towards the characters the parsers care about
_ALPHABET = st.sampled_from(list("0123456789.,-/ %RpQSIVXaeiousntkjgmb:()'\u00a0\t")) | st.characters()
TEXT = st.text(_ALPHABET, max_size=40) | st.text(max_size=200)

SCALARS = [N.parse_number, N.parse_int, N.parse_rupiah, N.parse_percent, N.parse_yesno, N.parse_likert5,
           N.parse_skm4, N.parse_date, N.parse_month, N.parse_quarter, N.parse_semester, N.parse_region,
           N.parse_id]


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
