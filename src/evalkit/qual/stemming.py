"""Normalising, tokenising and Sastrawi stemming of Indonesian text (each distinct token stemmed once per process)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

_PLACEHOLDER_RE = re.compile(r"\[[A-Za-z_]+\]")
_BOUNDARY_RE = re.compile(r"[.,;:!?()\[\]\n\r\t\"]+")
_TOKEN_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")


@lru_cache(maxsize=1)
def _stemmer():
    """The Sastrawi stemmer, built once per process."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


_STEM_CACHE: dict[str, str] = {}


def stem(token: str) -> str:
    """Sastrawi stem of one lower-case token, cached (each distinct token is stemmed once per process).

    Examples
    --------
    >>> stem("pelatihan"), stem("anggarannya"), stem("sehari-hari")
    ('latih', 'anggar', 'hari')
    """
    s = _STEM_CACHE.get(token)
    if s is None:
        s = _stemmer().stem(token) or token
        _STEM_CACHE[token] = s
    return s


def normalise(text: object) -> str:
    """Lower-case ``text`` and strip accents and ``[NAMA]``/``[NIP]``-style placeholders (``NaN`` -> ``""``)."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = _PLACEHOLDER_RE.sub(" . ", s)  # a removed placeholder also ends a phrase
    return s.lower()


def tokenize(text: object) -> list[tuple[int, str]]:
    """Tokens of ``text`` as ``(position, surface)``; positions jump by 2 across clause boundaries.

    Digits and punctuation are dropped; hyphenated words (``e-learning``, ``sehari-hari``) stay one token.
    Position gaps stop a phrase from matching across ``. , ; : ! ?`` or a removed placeholder.
    """
    out: list[tuple[int, str]] = []
    pos = 0
    for clause in _BOUNDARY_RE.split(normalise(text)):
        toks = _TOKEN_RE.findall(clause)
        if not toks:
            continue
        for t in toks:
            out.append((pos, t))
            pos += 1
        pos += 1
    return out


def stem_text(text: object) -> str:
    """The normalised, stemmed text as one space-separated string (for inspection)."""
    return " ".join(stem(t) for _, t in tokenize(text))
