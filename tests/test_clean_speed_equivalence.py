"""The speed helpers of the cleaner's big-table path give exactly what the plain ways give: a sort-based
``unique``, text read straight from Arrow's buffers, pseudonyms built as Arrow text, NIPs kept as int64 values
through ``to_output`` and the reference lookups, and chunks read one ahead by a thread."""

from __future__ import annotations

import datetime as dt
import importlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from evalkit.ingest.pseudonym import pseudonymise

coded = importlib.import_module("evalkit.ingest.clean.coded")
reading = importlib.import_module("evalkit.ingest.clean.reading")
runner_mod = importlib.import_module("evalkit.ingest.clean.runner")

TODAY = dt.date(2026, 1, 1)


def _nips(n: int, seed: int = 0) -> np.ndarray:
    """``n`` distinct valid-looking 18-digit NIPs (birth date, appointment, sex digit, number) as text."""
    rng = np.random.default_rng(seed)
    out: set[str] = set()
    while len(out) < n:
        y, m, d = rng.integers(1960, 2000), rng.integers(1, 13), rng.integers(1, 29)
        out.add(f"{y}{m:02d}{d:02d}{rng.integers(1985, 2024)}{rng.integers(1, 13):02d}{rng.integers(1, 3)}"
                f"{rng.integers(0, 1000):03d}")
    return np.array(sorted(out), dtype=object)


def test_unique_ints_equals_numpy_unique():
    rng = np.random.default_rng(1)
    for x in (np.zeros(0, dtype=np.int64), np.array([5]), rng.integers(-5, 5, 1000),
              rng.integers(0, 10**18, 5000), np.repeat(rng.integers(0, 10**18, 50), 7)):
        got = coded._unique_ints(x)
        assert got.dtype == np.int64
        assert np.array_equal(got, np.unique(x))


@pytest.mark.parametrize("values", [
    ["P0123456789abcdef", "Pfedcba9876543210", "P00000000000000ff"],  # pseudonyms: one width
    ["ab", "cd", "ef"],
    ["ab", "c", "def"],  # widths differ: the object path
    ["é1", "ab", "cd"],  # not ASCII
    ["ab", None, "cd"],  # missing
    [],
])
def test_ascii_bytes_of_arrow_text_equals_the_object_path(values):
    arrow_text = pd.array(np.array(values, dtype=object), dtype="str")
    objects = np.array(values, dtype=object)
    got, want = coded._ascii_bytes(arrow_text), coded._ascii_bytes(objects)
    if want is None:
        assert got is None
    else:
        assert got is not None and got.dtype == want.dtype and got.tolist() == want.tolist()
    if values and None not in values:
        assert np.array_equal(coded._text_order(arrow_text), coded._text_order(objects))


def test_arrow_text_of_a_slice_is_read_from_its_offset():
    a = pd.array(np.array(["P" + f"{i:016x}" for i in range(10)], dtype=object), dtype="str")[3:7]
    assert coded._arrow_fixed_bytes(a).tolist() == [x.encode() for x in a]


def test_text_bytes_array_equals_pd_array_of_the_text():
    text = ["P" + f"{i * 7919:016x}" for i in range(1000)]
    got = coded._text_bytes_array(np.array(text, dtype="S17"))
    want = pd.array(np.array(text, dtype=object), dtype="str")
    assert got.dtype == want.dtype and pa.array(got).type == pa.array(want).type
    pd.testing.assert_extension_array_equal(got, want)


def test_cast_distinct_keeps_an_array_already_in_its_dtype():
    u = pd.array(np.array(["Pa", "Pb"], dtype=object), dtype="str")
    k = np.array([1, 0, 1])
    assert coded._cast_distinct(k, u, "str") is u
    pd.testing.assert_extension_array_equal(coded._cast_distinct(k, u, "str")[k],
                                            coded._cast_distinct(k, np.array(["Pa", "Pb"], dtype=object),
                                                                 "str")[k])
    with_missing = coded._cast_distinct(np.array([-1, 0]), u, "str")  # (code -1: a missing value last)
    assert len(with_missing) == 3 and pd.isna(with_missing[-1])


@pytest.mark.parametrize("n", [50, 30_000])  # (below and above pseudonym.MANY: hashlib, then DuckDB)
def test_pseudonym_array_equals_mask_many_of_the_text(n):
    nips = _nips(n)
    ints = coded._digits_int64(nips)
    a = runner_mod._Runner(None, b"k", TODAY, False)
    b = runner_mod._Runner(None, b"k", TODAY, False)
    got = a.pseudonym_array(ints)
    want = pd.array(b.mask_many(nips, distinct=True), dtype="str")
    pd.testing.assert_extension_array_equal(got, want)
    assert got[0] == pseudonymise(nips[0], b"k")


def test_lookups_of_int64_nips_equal_those_of_their_text():
    known = _nips(200, seed=2)
    query = np.concatenate([known[::3], _nips(40, seed=3)])
    ints = coded._digits_int64(query)
    for look in (coded._Lookup(known), coded._IntLookup(coded._digits_int64(known))):
        assert np.array_equal(look.index_of(ints) >= 0, look.index_of(query) >= 0)
    text_look = coded._Lookup(known)
    assert np.array_equal(text_look.index_of(ints), text_look.index_of(query))
    other = coded._Lookup(np.array(["PEL-1", "PEL-2"], dtype=object))  # (no NIPs: nothing found)
    assert (other.index_of(ints) == -1).all()


def test_to_output_with_int64_nips_equals_to_output_with_their_text():
    """A spilled table's NIPs reach ``to_output`` as int64 values; the frame must be that of their text."""
    from evalkit.ingest.schemas import output_columns
    from evalkit.ingest.spec import RAW_TABLES

    rng = np.random.default_rng(4)
    n = 150_000  # above the size from which the key order is found from the codes
    nips = _nips(40_000, seed=5)
    fact: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for f in RAW_TABLES["performance"].fields:
        if f.name == "nip":
            fact["nip"] = (rng.integers(0, len(nips), n).astype(np.int32), nips)
    # the other columns: every value missing, except the period (part of the key)
    for f in RAW_TABLES["performance"].fields:
        if f.name not in fact:
            fact[f.name] = (np.full(n, -1, dtype=np.int32), np.zeros(0, dtype=object))
    periods = np.array([f"{y}Q4" for y in range(2015, 2025)], dtype=object)
    k_nip = fact["nip"][0]
    k_period = rng.integers(0, len(periods), n).astype(np.int32)
    # distinct keys (a table's kept rows): one row per (NIP, period)
    _, first = np.unique(k_nip.astype(np.int64) * 100 + k_period, return_index=True)
    pos = np.sort(first)
    fact["period"] = (k_period, periods)
    names = {c.name for c in output_columns("performance")}
    assert "person_id" in names and "period" in names
    frames = []
    for values in (nips, coded._digits_int64(nips)):
        runner = runner_mod._Runner(None, b"k", TODAY, False)
        f2 = {**fact, "nip": (fact["nip"][0], values)}
        fixed = {"missing": {}, "no_region": True}
        frames.append((runner.to_output("performance", pos, f2, fixed), runner._src.copy()))
    (text_frame, text_src), (int_frame, int_src) = frames
    pd.testing.assert_frame_equal(int_frame, text_frame)
    assert np.array_equal(int_src, text_src)


def test_employee_parts_from_int64_nips_equal_those_from_text():
    """sex, birth and appointment year of employees, read from the NIPs' digits as int64 values."""
    from evalkit.ingest.spec import RAW_TABLES

    rng = np.random.default_rng(6)
    nips = _nips(3000, seed=7)
    n = len(nips)
    fact: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for f in RAW_TABLES["employees"].fields:
        fact[f.name] = (np.full(n, -1, dtype=np.int32), np.zeros(0, dtype=object))
    fact["nip"] = (rng.permutation(n).astype(np.int32), nips)
    pos = np.arange(n)
    frames = []
    for values in (nips, coded._digits_int64(nips)):
        runner = runner_mod._Runner(None, b"k", TODAY, False)
        fixed = {"missing": dict.fromkeys(fact, True), "no_region": False}
        frames.append(runner.to_output("employees", pos, {**fact, "nip": (fact["nip"][0], values)}, fixed))
    pd.testing.assert_frame_equal(frames[1], frames[0])
    assert set(frames[0]["sex"].astype(str)) <= {"L", "P"}


def test_read_ahead_gives_the_items_in_order_and_the_error_in_its_place():
    def items(fail_at: int | None):
        for i in range(5):
            if i == fail_at:
                raise ValueError(f"bad chunk {i}")
            yield i

    assert list(reading._read_ahead(items(None))) == [0, 1, 2, 3, 4]
    got = []
    with pytest.raises(ValueError, match="bad chunk 3"):
        for x in reading._read_ahead(items(3)):
            got.append(x)
    assert got == [0, 1, 2]
    assert list(reading._read_ahead(iter(()))) == []
