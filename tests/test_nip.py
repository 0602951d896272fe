"""NIP parsing: the DOMAIN.md examples and every documented rejection."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from evalkit.ingest import NIP, parse_nip
from evalkit.ingest.nip import NIP_PATTERN, normalise_nip


def test_domain_example_female():
    n = parse_nip("198503172010012004")
    assert n.birth_date == dt.date(1985, 3, 17)
    assert n.appointment == (2010, 1)
    assert n.sex == "P"
    assert n.serial == 4
    assert n.birth_year == 1985 and n.appointment_year == 2010


def test_official_example_male():
    n = parse_nip("196608011988031001")
    assert (n.birth_date, n.appointment, n.sex, n.serial) == (dt.date(1966, 8, 1), (1988, 3), "L", 1)


@pytest.mark.parametrize("text", ["19850317 201001 2 004", "19850317.201001.2.004", " 198503172010012004 ",
                                  "19850317-201001-2-004", "198503172010012004.0"])
def test_printed_forms_are_normalised(text):
    assert parse_nip(text) == parse_nip("198503172010012004")
    assert normalise_nip(text) == "198503172010012004"


def test_integer_input():
    assert parse_nip(198503172010012004).sex == "P"


def test_result_is_frozen_and_hides_digits_in_repr():
    n = parse_nip("198503172010012004")
    assert isinstance(n, NIP)
    with pytest.raises(dataclasses.FrozenInstanceError):
        n.sex = "L"  # type: ignore[misc]
    assert "198503172010012004" not in repr(n)


@pytest.mark.parametrize("text, message", [
    ("19850317201001200", "NIP must have 18 digits, got 17"),
    ("1985031720100120045", "NIP must have 18 digits, got 19"),
    ("198513172010012004", "not a real date: month 13"),
    ("198502302010012004", "not a real date: day 30 of month 2"),
    ("198503172010013004", "sex digit (15th) must be 1 or 2, got 3"),
    ("198503172010132004", "appointment month (digits 13-14) must be 01-12, got 13"),
    ("198503171995012004", "less than 16 years after the birth date"),
    ("198503172060012004", "more than 60 years after"),
    ("18500317 201001 2 004", "birth year 1850 is implausible"),
    ("19850317A01001 2 004", "only digits"),
    ("", "NIP is empty"),
    ("1.98503172010012E+17", "stored as a number and lost digits"),
])
def test_invalid_nips_say_what_is_wrong(text, message):
    with pytest.raises(ValueError) as exc:
        parse_nip(text)
    assert message in str(exc.value)


def test_float_nip_rejected():
    with pytest.raises(ValueError, match="lost digits"):
        parse_nip(1.98503172010012e17)


def test_nip_pattern_finds_printed_forms_in_text():
    text = "NIP 19850317 201001 2 004 dan 198503172010012004, bukan 12345678901234567890"
    assert len(NIP_PATTERN.findall(text)) == 2
