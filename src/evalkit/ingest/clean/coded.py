"""Speed helpers for columns kept as codes into their distinct values (``pd.factorize`` codes, -1 = missing):
missing values, factorising and merging chunks, key order, lookups, repeats and casting to the canonical
dtypes. Each works on the distinct values once instead of on every row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa_arrow

from evalkit.ingest.pseudonym import PSEUDONYM_HEX


def _absent(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The coded column of ``n`` rows a file does not have (every value missing)."""
    return np.full(n, -1, dtype=np.int32), np.array([None], dtype=object)


def _is_none(a: np.ndarray) -> np.ndarray:
    """Elementwise ``x is None`` of an object array (of clean values or error messages)."""
    a = np.asarray(a, dtype=object)
    try:  # ``== None`` in C (None is the only value equal to None among text, numbers and dates; NaN is not),
        eq = np.equal(a, None)  # checked: what it finds must be missing to pandas too (None is, NaN can't be)
        if eq.dtype == bool and bool(pd.isna(a[eq]).all()):
            return eq
    except (TypeError, ValueError):  # an object that does not compare plainly (pd.NA)
        pass
    return np.fromiter((x is None for x in a), dtype=bool, count=len(a))


def _present(codes: np.ndarray, n: int) -> np.ndarray:
    """Which of ``n`` codes occur in ``codes`` (code -1 is the last one)."""
    seen = np.zeros(n, dtype=bool)
    seen[codes] = True
    return seen


def _factorize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(a, use_na_sentinel=True)`` of an object array; digit strings of one length (NIPs) are
    factorised by their int64 values (the same codes and values: both in order of first appearance)."""
    if len(a) > 10_000:
        present = np.flatnonzero(~pd.isna(a))
        ints = _digits_int64(a[present])
        if ints is not None:
            g_p, _ = pd.factorize(ints)
            first = np.empty(int(g_p.max()) + 1 if len(g_p) else 0, dtype=np.int64)
            first[g_p[::-1]] = np.arange(len(g_p) - 1, -1, -1)  # (the last write wins: each code's first row)
            g = np.full(len(a), -1, dtype=np.intp)
            g[present] = g_p
            return g, a[present][first]
    return pd.factorize(a, use_na_sentinel=True)


def _merge_coded(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """One column from its chunks' (codes, value per code, the last None for -1): the codes over all rows into
    the distinct non-missing values (-1 = missing; int32 codes, as in the chunks, unless there are too many
    values) and those values, as ``pd.factorize`` of the whole column gives them (up to the order of the
    values)."""
    allu = np.concatenate([u for _, u in parts]) if len(parts) > 1 else parts[0][1]
    g, uniq = _factorize(np.asarray(allu, dtype=object))
    out = np.empty(sum(len(k) for k, _ in parts), dtype=np.int32 if len(uniq) < 2**31 - 1 else np.int64)
    off = off_u = 0
    for k, u in parts:
        out[off:off + len(k)] = g[off_u:off_u + len(u)][k]
        off, off_u = off + len(k), off_u + len(u)
    return out, np.asarray(uniq, dtype=object)


def _str_key_order(coded: list[tuple[np.ndarray, np.ndarray] | None]) -> np.ndarray | None:
    """The stable order of ``sort_values(keys, kind="stable")`` for keys that are all non-missing text, from
    their factorize codes (each distinct value ranked once); None when a key is not such a column."""
    ranks = []
    for item in coded:
        if item is None:
            return None
        k, u = item
        if len(k) and (k < 0).any():
            return None
        by = _text_order(u)
        if by is None:
            return None
        r = np.empty(len(u), dtype=np.int64)
        r[by] = np.arange(len(u))
        ranks.append((r[k], len(u)))
    span = float(np.prod([float(m) for _, m in ranks]))
    if span < 2**62:  # one integer key (mixed radix, exact; int32 if it fits, which sorts faster): a stable sort
        dt = np.int32 if span < 2**31 else np.int64  # of it is the lexicographic order, and it is fast on rows
        combined = np.zeros(len(ranks[0][0]), dtype=dt)  # that are (nearly) in key order already, as files
        for r, m in ranks:  # often are
            combined = combined * dt(m) + r.astype(dt, copy=False)
        return np.argsort(combined, kind="stable")
    return np.lexsort([r for r, _ in ranks][::-1])


def _ascii_bytes(u: Any) -> np.ndarray | None:
    """Text (every element a str, all ASCII) as a numpy bytes array (``S<width>``, shorter strings padded with
    NUL bytes, which numpy drops when comparing); None if ``u`` is anything else."""
    b = _arrow_fixed_bytes(u)
    if b is not None and not (b.view(np.uint8) >= 128).any():
        return b
    u = np.asarray(u, dtype=object)
    if pd.api.types.infer_dtype(u, skipna=False) != "string":
        return None
    try:
        return u.astype("S")
    except UnicodeEncodeError:
        return None


def _arrow_fixed_bytes(u: Any) -> np.ndarray | None:
    """Arrow-backed text (pandas ``str``) with no missing value and every value of one length in bytes, as a
    numpy ``S<width>`` array read from Arrow's data buffer (no Python string per value); None otherwise."""
    dtype = getattr(u, "dtype", None)
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or not len(u):
        return None
    arr = pa_arrow.array(u)
    arr = arr.combine_chunks() if isinstance(arr, pa_arrow.ChunkedArray) else arr
    if arr.null_count or arr.type not in (pa_arrow.string(), pa_arrow.large_string()):
        return None
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if arr.type == pa_arrow.large_string() else np.int32)
    offsets = offsets[arr.offset:arr.offset + len(arr) + 1]
    width = int(offsets[1] - offsets[0])
    if not width or not (np.diff(offsets) == width).all():
        return None
    return np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]].view(f"S{width}")


def _text_bytes_array(b: np.ndarray) -> Any:
    """ASCII text given as a numpy ``S<width>`` array (every value of that width) -> a pandas ``str`` array, built
    from the bytes as Arrow text (no Python string per value); the same array as ``pd.array(texts, dtype="str")``."""
    width = b.dtype.itemsize
    fixed = pa_arrow.FixedSizeBinaryArray.from_buffers(pa_arrow.binary(width), len(b),
                                                       [None, pa_arrow.py_buffer(np.ascontiguousarray(b))])
    return pd.array(fixed.cast(pa_arrow.binary()).cast(pa_arrow.string()), dtype="str")


def _digits_int64(u: np.ndarray) -> np.ndarray | None:
    """Strings of 1-18 ASCII digits (all of one length, as NIPs are) -> their int64 values, an exact stand-in
    for the strings when looking them up; None if ``u`` is anything else."""
    b = _ascii_bytes(u) if len(u) else None
    if b is None:
        return None
    w = b.dtype.itemsize
    if w > 18:
        return None
    d = b.view(np.uint8).reshape(-1, w) - np.uint8(48)  # (a byte below "0" wraps around to above 9)
    if (d > 9).any():  # (also a shorter string: numpy pads it with NUL bytes)
        return None
    x = np.zeros(len(b), dtype=np.int64)
    for j in range(w):
        x = x * 10 + d[:, j]
    return x


class _Lookup:
    """Distinct strings to look values up in: as text, and as int64 values when they are digit strings of one
    length (NIPs), which pandas looks up far faster than text."""

    def __init__(self, values: np.ndarray):
        self.text = pd.Index(np.asarray(values, dtype=object), dtype=object)
        ints = _digits_int64(np.asarray(values, dtype=object))
        self.ints = pd.Index(ints) if ints is not None else None
        self.width = len(values[0]) if ints is not None else 0

    def __len__(self) -> int:
        return len(self.text)

    def index_of(self, u: np.ndarray) -> np.ndarray:
        """``self.text.get_indexer(u)`` (-1: not there) for distinct strings ``u``, or 18-digit NIPs given as their
        int64 values."""
        if not len(self.text) or not len(u):
            return np.full(len(u), -1, dtype=np.intp)
        if isinstance(u, np.ndarray) and u.dtype.kind == "i":
            if self.ints is not None and self.width == 18:
                return self.ints.get_indexer(u)
            u = _digits_text(u).astype("U18")
        u = np.asarray(u, dtype=object)
        if self.ints is not None and isinstance(u[0], str) and len(u[0]) == self.width:
            b = _digits_int64(u)
            if b is not None:
                return self.ints.get_indexer(b)
        return self.text.get_indexer(u)


def _nip_ints(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which elements of ``u`` are 18-digit NIP strings, and their int64 values (in that order)."""
    u = np.asarray(u, dtype=object)
    x = _digits_int64(u) if len(u) and isinstance(u[0], str) and len(u[0]) == 18 else None
    if x is not None:  # (the common case: all of them)
        return np.ones(len(u), dtype=bool), x
    nip = np.array([isinstance(v, str) and len(v) == 18 and v.isascii() and v.isdigit() for v in u], dtype=bool)
    return nip, (_digits_int64(u[nip]) if nip.any() else np.zeros(0, dtype=np.int64))


def _unique_ints(x: np.ndarray) -> np.ndarray:
    """``np.unique`` of int64 values, by a sort: numpy's hash-based ``unique`` (numpy 2.3+) is about a hundred
    times slower on millions of integers."""
    s = np.sort(np.asarray(x, dtype=np.int64))
    return s[np.concatenate(([True], s[1:] != s[:-1]))] if len(s) else s


class _IntLookup:
    """Distinct NIPs kept as their sorted int64 values (the roster of a table too big to hold as text), looked
    up like :class:`_Lookup`: ``index_of`` gives a position for a NIP that is there, -1 otherwise."""

    def __init__(self, ints: np.ndarray):
        self.ints = _unique_ints(ints)

    def __len__(self) -> int:
        return len(self.ints)

    def index_of(self, u: np.ndarray) -> np.ndarray:
        """Also for NIPs given as their int64 values."""
        out = np.full(len(u), -1, dtype=np.intp)
        if not len(u) or not len(self.ints):
            return out
        if isinstance(u, np.ndarray) and u.dtype.kind == "i":
            nip, x = np.ones(len(u), dtype=bool), u
        else:  # (the others are no 18-digit NIP: not in the roster)
            nip, x = _nip_ints(np.asarray(u, dtype=object))
        if not nip.any():
            return out
        at = np.minimum(np.searchsorted(self.ints, x), len(self.ints) - 1)
        out[np.flatnonzero(nip)] = np.where(self.ints[at] == x, at, -1)
        return out


_HEX = np.full(256, 255, dtype=np.uint8)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def _pseudonym_ints(b: np.ndarray) -> np.ndarray | None:
    """Pseudonyms as bytes (``numpy`` ``S17``: ``P`` and 16 lowercase hex digits) -> the 64-bit numbers they
    spell, which order and tell them apart as the text does; None if ``b`` holds anything else."""
    if b.dtype.kind != "S" or b.dtype.itemsize != 1 + PSEUDONYM_HEX or PSEUDONYM_HEX != 16 or not len(b):
        return None
    m = b.view(np.uint8).reshape(-1, 17)
    nib = _HEX[m[:, 1:]]
    if not ((m[:, 0] == ord("P")).all() and (nib < 16).all()):
        return None
    packed = np.ascontiguousarray((nib[:, 0::2] << 4) | nib[:, 1::2])  # two hex digits a byte, first digit first
    return packed.view(">u8").reshape(-1).astype(np.uint64)


_HEX_CHARS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _pseudonym_text(x: np.ndarray) -> np.ndarray:
    """The inverse of :func:`_pseudonym_ints`: 64-bit numbers -> pseudonyms as ``S17`` bytes (``P`` and 16
    lowercase hex digits, the first digit the highest)."""
    b = np.asarray(x, dtype=np.uint64).astype(">u8").view(np.uint8).reshape(-1, 8)
    out = np.empty((len(b), 17), dtype=np.uint8)
    out[:, 0] = ord("P")
    out[:, 1::2] = _HEX_CHARS[b >> 4]
    out[:, 2::2] = _HEX_CHARS[b & 15]
    return out.view("S17").reshape(-1)


def _digits_text(x: np.ndarray, width: int = 18) -> np.ndarray:
    """The inverse of :func:`_digits_int64`: non-negative int64 values -> ``width``-digit strings (with leading
    zeros) as numpy ``S<width>`` bytes."""
    x = np.asarray(x, dtype=np.int64).copy()
    out = np.empty((len(x), width), dtype=np.uint8)
    for j in range(width - 1, -1, -1):
        out[:, j] = x % 10 + 48
        x //= 10
    return out.view(f"S{width}").reshape(-1)


def _has_repeats(values: Any) -> bool:
    """Whether ``values`` (a column's distinct values, in its dtype) hold two equal values (or two missing);
    pseudonyms are compared as the numbers they spell (much faster than hashing the text)."""
    if isinstance(values, pd.api.extensions.ExtensionArray) and pd.api.types.is_string_dtype(values.dtype) \
            and not values.isna().any():
        b = _ascii_bytes(values)
        x = _pseudonym_ints(b) if b is not None else None
        if x is not None:
            return bool(pd.Series(x).duplicated().any())
    return bool(pd.Series(values).duplicated().any())


def _text_order(u: np.ndarray) -> np.ndarray | None:
    """The order that sorts ``u`` (distinct strings) by code point, as Python compares text; None if an
    element is not a string. ASCII text is sorted as bytes by numpy (the same order), pseudonyms (``P`` and
    16 lowercase hex digits, whose order is that of the 64-bit number they spell) as integers; other text by
    Arrow."""
    b = _ascii_bytes(u)  # (numpy drops trailing NUL bytes: two such values would tie, so ties are checked)
    x = _pseudonym_ints(b) if b is not None else None
    if x is not None:
        return np.argsort(x, kind="stable")  # (distinct strings: distinct numbers)
    if b is not None:
        by = np.argsort(b, kind="stable")
        sb = b[by]
        if not len(sb) or not (sb[1:] == sb[:-1]).any():
            return by
    try:  # Arrow sorts text by code point too
        arr = pa_arrow.array(u, type=pa_arrow.string())
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowTypeError):
        return None
    if arr.null_count:
        return None
    import pyarrow.compute as pc

    return pc.sort_indices(arr).to_numpy()


def _any_repeat(codes: list[np.ndarray]) -> bool:
    """Whether two rows have the same codes (factorize codes >= -1, one array per column): each row's codes
    folded into one integer (mixed radix, exact) and counted, when there are not many more possible integers
    than rows; otherwise as :func:`_duplicated` finds it."""
    n = len(codes[0])
    radix = [int(c.max()) + 2 if len(c) else 1 for c in codes]
    if n and float(np.prod([float(r) for r in radix])) <= max(4 * n, 1 << 20):
        ids = np.zeros(n, dtype=np.int64)
        for c, r in zip(codes, radix, strict=True):
            ids = ids * r + (c.astype(np.int64) + 1)
        return bool((np.bincount(ids) > 1).any())
    return bool(n) and bool(_duplicated(pd.DataFrame(dict(enumerate(codes))), keep="first").any())


def _duplicated(codes: pd.DataFrame, keep: Any) -> np.ndarray:
    """``codes.duplicated(keep=keep)`` as a boolean array, for a frame of factorize codes (>= -1): the codes of
    a row are folded into one int64 (mixed radix, exact) when they fit, which is much faster on big tables."""
    a = codes.to_numpy()
    if a.ndim != 2 or not a.size or a.dtype.kind not in "iu":
        return codes.duplicated(keep=keep).to_numpy()
    radix = [int(a[:, j].max()) + 2 for j in range(a.shape[1])]
    if int(np.prod([float(r) for r in radix])) >= 2**62:  # would overflow: pandas does it
        return codes.duplicated(keep=keep).to_numpy()
    ids = np.zeros(len(a), dtype=np.int64)
    for j, r in enumerate(radix):
        ids = ids * r + (a[:, j].astype(np.int64) + 1)
    return pd.Series(ids).duplicated(keep=keep).to_numpy()


def _cast_distinct(k: np.ndarray, u: np.ndarray, dtype: Any) -> Any:
    """The distinct clean values ``u`` that codes ``k`` point into (-1 = missing), in ``dtype``, plus a missing
    value last when some code is -1 (so ``values[k]`` is the column)."""
    if len(k) and (k < 0).any():
        ue = np.empty(len(u) + 1, dtype=object)
        ue[: len(u)] = u
        ue[-1] = None
        return _cast(ue, dtype)
    if isinstance(u, pd.api.extensions.ExtensionArray) and u.dtype == pd.api.types.pandas_dtype(dtype):
        return u  # (already in its dtype: the pseudonyms of a spilled table)
    return _cast(np.asarray(u, dtype=object), dtype)


def _cast(a: np.ndarray, dtype: Any) -> Any:
    """Object array of clean values (None = missing) -> an array of the canonical dtype."""
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(a, dtype=dtype)
    if dtype == "datetime64[ns]":
        codes, uniq = pd.factorize(a, use_na_sentinel=True)
        u = np.array([np.datetime64(x, "ns") for x in uniq] + [np.datetime64("NaT", "ns")], dtype="datetime64[ns]")
        return u[codes]
    if dtype == "Int64":
        return pd.array(a, dtype="Int64")
    if dtype == "float64":
        codes, uniq = pd.factorize(a, use_na_sentinel=True)
        u = np.array([*uniq, np.nan], dtype="float64") if len(uniq) else np.array([np.nan])
        return u[codes]
    if dtype == "bool":
        return a.astype(bool)
    if dtype == "boolean":
        return pd.array(a, dtype="boolean")
    if dtype == "int64":
        return a.astype("int64")
    return pd.array(a, dtype="str")
