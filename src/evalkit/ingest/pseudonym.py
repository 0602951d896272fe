"""Pseudonymisation of personal data (UU 27/2022; DOMAIN.md section 4).

* A NIP becomes ``person_id = "P" + first 16 hex digits of HMAC-SHA256(key, nip)`` (64 bits: among the
  5.6 million ASN of Indonesia the chance that two share a pseudonym is about 1 in a million; 12 digits
  would give about 5%). Without the key the
  pseudonym cannot be linked back to a NIP by trying all plausible NIPs (the NIP space is small, so a plain
  hash would not protect it).
* The key is the project secret: the environment variable ``EVALKIT_KEY`` if set, else the key file
  ``<data>/.evalkit_key`` (``config.paths()["data"]``), created with :mod:`secrets` on first use and
  git-ignored. Keep the key with the raw data: the same key gives the same pseudonyms, so tables cleaned
  at different times can be joined.
* Names are dropped; in free text, NIP-shaped digit runs become ``[NIP]`` and full names from the
  employee roster become ``[NAMA]`` (:class:`TextScrubber`).

Examples
--------
>>> pseudonymise("198503172010012004", key=b"k")
'Pe084389ac1751b02'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from evalkit import config
from evalkit.ingest.nip import NIP_PATTERN

__all__ = ["get_key", "key_fingerprint", "pseudonymise", "pseudonymise_many", "TextScrubber", "KEY_ENV",
           "KEY_FILE_NAME"]

KEY_ENV = "EVALKIT_KEY"
#: Hex digits of the HMAC kept in a pseudonym.
PSEUDONYM_HEX = 16
KEY_FILE_NAME = ".evalkit_key"


def _as_bytes(key: str | bytes) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8")


def get_key(key: str | bytes | None = None, *, create: bool = True) -> bytes:
    """The pseudonymisation key: ``key`` if given, else ``$EVALKIT_KEY``, else the key file.

    Parameters
    ----------
    key : str or bytes, optional
        An explicit key (tests, or a caller that manages its own secret).
    create : bool
        Create the key file (``<data>/.evalkit_key``, 32 random bytes as hex, mode 600) if it does not exist.

    Raises
    ------
    FileNotFoundError
        If there is no key anywhere and ``create`` is False.
    """
    if key is not None:
        if not key:
            raise ValueError("the pseudonymisation key must not be empty")
        return _as_bytes(key)
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = Path(config.paths()["data"]) / KEY_FILE_NAME
    if path.exists():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text.encode("utf-8")
    if not create:
        raise FileNotFoundError(f"no pseudonymisation key: set {KEY_ENV} or create {KEY_FILE_NAME}")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    return text.encode("utf-8")


def key_fingerprint(key: str | bytes) -> str:
    """A short public fingerprint of the key (not the key): tells whether two runs used the same key.

    Examples
    --------
    >>> key_fingerprint(b"k") == key_fingerprint("k")
    True
    """
    return hashlib.sha256(b"evalkit-key-fingerprint\0" + _as_bytes(key)).hexdigest()[:16]


def pseudonymise(nip: str, key: str | bytes) -> str:
    """``"P"`` + the first :data:`PSEUDONYM_HEX` hex digits of HMAC-SHA256(key, 18-digit NIP)."""
    return "P" + hmac.new(_as_bytes(key), nip.encode("ascii", "replace"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


#: From this many NIPs on, :func:`pseudonymise_many` hashes them in DuckDB (vectorised, multi-threaded).
MANY = 20_000


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer key blocks for SHA-256 (RFC 2104, section 2): the key (hashed if longer than
    the 64-byte block), zero-padded to 64 bytes, XOR 0x36 and XOR 0x5C."""
    block = 64
    k = hashlib.sha256(key).digest() if len(key) > block else key
    k = k.ljust(block, b"\0")
    return bytes(x ^ 0x36 for x in k), bytes(x ^ 0x5C for x in k)


def pseudonymise_many(nips: list[str], key: str | bytes) -> list[str]:
    """``[pseudonymise(n, key) for n in nips]``, fast for many NIPs.

    The same HMAC-SHA256 written out from its definition, ``H(outer || H(inner || nip))``: from
    :data:`MANY` NIPs on (ASCII, all of one length, as valid NIPs are), DuckDB's ``sha256`` computes it over the
    whole list at once (in row order: DuckDB keeps the insertion order of a plain projection); otherwise
    :func:`pseudonymise` does, one NIP at a time. Tested against :func:`hmac.new`.
    """
    if len(nips) >= MANY:
        import numpy as np

        try:  # NIPs are ASCII digits of one length: fixed-width bytes go to Arrow without a copy per string
            fixed = np.asarray(nips, dtype=object).astype("S")
        except UnicodeEncodeError:
            fixed = None
        if fixed is not None and bool((np.char.str_len(fixed) == fixed.dtype.itemsize).all()) and _duckdb():
            import duckdb
            import pyarrow as pa

            inner, outer = _pads(_as_bytes(key))
            width = fixed.dtype.itemsize
            col = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(fixed),
                                                        [None, pa.py_buffer(fixed.tobytes())])
            arr = pa.table({"n": col.cast(pa.binary())})  # noqa: F841 (DuckDB reads it by name)
            with duckdb.connect() as con:
                # the key's pads are bound parameters: they never appear in the SQL text, logs or error messages
                # a relation (not a DB-API cursor) hands Arrow its result without an extra copy
                return con.sql(_MANY_SQL, params=[outer, inner]).to_arrow_table().column("p").to_pylist()
    return [pseudonymise(n, key) for n in nips]


def pseudonymise_fixed(fixed, key: str | bytes):
    """The pseudonyms of NIPs given as fixed-width ASCII bytes (a numpy ``S<width>`` array, every element of
    that width), as a numpy ``S<1 + PSEUDONYM_HEX>`` array: :func:`pseudonymise_many` without a Python string
    per NIP (DuckDB's result is read straight from its Arrow buffer). The same HMAC, the same text."""
    import numpy as np

    width = 1 + PSEUDONYM_HEX
    if len(fixed) >= MANY and _duckdb():
        import duckdb
        import pyarrow as pa

        inner, outer = _pads(_as_bytes(key))
        col = pa.FixedSizeBinaryArray.from_buffers(pa.binary(fixed.dtype.itemsize), len(fixed),
                                                    [None, pa.py_buffer(np.ascontiguousarray(fixed).tobytes())])
        arr = pa.table({"n": col.cast(pa.binary())})  # noqa: F841 (DuckDB reads it by name)
        with duckdb.connect() as con:
            p = con.sql(_MANY_SQL, params=[outer, inner]).to_arrow_table().column("p").combine_chunks()
        p = p.cast(pa.string()) if p.type != pa.string() else p
        offsets = np.frombuffer(p.buffers()[1], dtype=np.int32)[p.offset:p.offset + len(p) + 1]
        if len(p) and not p.null_count and bool((np.diff(offsets) == width).all()):
            data = np.frombuffer(p.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
            return data.view(f"S{width}").copy()
        return np.array(p.to_pylist(), dtype=f"S{width}")  # pragma: no cover - DuckDB gave other text
    return np.array([pseudonymise(n.decode("ascii"), key) for n in fixed], dtype=f"S{width}")


#: The HMAC of :func:`pseudonymise_many` in DuckDB: ``$1`` is the outer pad, ``$2`` the inner pad (BLOBs).
_MANY_SQL = f"SELECT 'P' || left(sha256($1::BLOB || unhex(sha256($2::BLOB || n))), {PSEUDONYM_HEX}) AS p FROM arr"


def _duckdb() -> bool:
    """DuckDB is optional (``evalkit[national]``): without it every NIP is hashed by :mod:`hashlib`."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
_TITLES = frozenset({"dr", "drs", "dra", "ir", "h", "hj", "prof", "drg", "apt", "ns", "bapak", "ibu", "pak", "bu",
                     "sdr", "sdri", "kh"})


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


class TextScrubber:
    """Replace NIPs and roster names in free text by ``[NIP]`` and ``[NAMA]``.

    A name is matched as a whole sequence of words, case-insensitively, with any punctuation between
    the words ("Budi Santoso", "BUDI SANTOSO", "Budi  Santoso,"). Academic degrees after a comma
    ("Budi Santoso, S.Kom.") and titles before the name ("Dr.", "Hj.") are not part of the match, so the
    bare name is also found. One-word names are matched too (Indonesian mononyms).

    Examples
    --------
    >>> s = TextScrubber(["Budi Santoso, S.Kom.", "Siti Aminah"])
    >>> s("Menurut budi santoso (NIP 19850317 201001 2 004), Siti Aminah setuju.")
    'Menurut [NAMA] (NIP [NIP]), [NAMA] setuju.'
    """

    def __init__(self, names: Iterable[str] = ()):
        self._names: set[tuple[str, ...]] = set()
        self._first: set[str] = set()
        self._maxlen = 0
        for n in names:
            if not isinstance(n, str):
                continue
            base = n.split(",")[0]
            words = _words(base)
            while words and words[0].rstrip(".") in _TITLES and len(words) > 1:
                words = words[1:]
            if words:
                self._names.add(tuple(words))
                self._first.add(words[0])
                self._maxlen = max(self._maxlen, len(words))

    def __call__(self, text: str) -> str:
        text = NIP_PATTERN.sub("[NIP]", text)
        if not self._names:
            return text
        matches = list(_WORD.finditer(text))
        words = [m.group(0).casefold() for m in matches]
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            hit = 0
            if words[i] not in self._first:
                i += 1
                continue
            for n in range(min(self._maxlen, len(words) - i), 0, -1):
                if tuple(words[i : i + n]) in self._names:
                    hit = n
                    break
            if hit:
                spans.append((matches[i].start(), matches[i + hit - 1].end()))
                i += hit
            else:
                i += 1
        if not spans:
            return text
        out, last = [], 0
        for a, b in spans:
            out.append(text[last:a])
            out.append("[NAMA]")
            last = b
        out.append(text[last:])
        return "".join(out)
