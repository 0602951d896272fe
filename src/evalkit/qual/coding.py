"""Coding texts with a codebook: keyword hits per theme (phrases matched inside a clause, negatives masking) and
the coded table of :func:`code_texts`."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.qual.codebook import Codebook, _as_codebook, _Pattern
from evalkit.qual.stemming import stem, tokenize


class _Matcher:
    """Maps each distinct surface token to the pattern ids it satisfies (computed once per token)."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        pats: dict[_Pattern, int] = {}

        def ids(phrase):
            return tuple(pats.setdefault(p, len(pats)) for p in phrase)

        # phrases that stem alike ("tugas harian", "tugas sehari-hari") count once
        self.kw = {t: list(dict.fromkeys(ids(ph) for ph in codebook.phrases[t])) for t in codebook.themes}
        self.neg = {t: list(dict.fromkeys(ids(ph) for ph in codebook.negatives[t])) for t in codebook.themes}
        self.patterns = list(pats)
        self.by_stem: dict[str, list[int]] = defaultdict(list)
        self.surface: list[tuple[int, _Pattern]] = []
        for pid, p in enumerate(self.patterns):
            if p.kind == "stem":
                self.by_stem[p.value].append(pid)
            else:
                self.surface.append((pid, p))
        self._cache: dict[str, tuple[int, ...]] = {}

    def token_ids(self, surface: str) -> tuple[int, ...]:
        hit = self._cache.get(surface)
        if hit is None:
            st = stem(surface)
            hit = tuple(self.by_stem.get(st, ())) + tuple(
                pid for pid, p in self.surface if fnmatch.fnmatchcase(surface, p.value)
            )
            self._cache[surface] = hit
        return hit

    @staticmethod
    def _spans(phrase: tuple[int, ...], where: dict[int, set[int]]) -> list[range]:
        first = where.get(phrase[0])
        if not first:
            return []
        out = []
        for start in first:
            if all(start + j in where.get(pid, ()) for j, pid in enumerate(phrase[1:], 1)):
                out.append(range(start, start + len(phrase)))
        return out

    def hits(self, text: object) -> tuple[dict[str, int], int]:
        """Keyword hits per theme for one text, and its number of tokens."""
        toks = tokenize(text)
        where: dict[int, set[int]] = defaultdict(set)
        for pos, surf in toks:
            for pid in self.token_ids(surf):
                where[pid].add(pos)
        counts = dict.fromkeys(self.kw, 0)
        if not where:
            return counts, len(toks)
        for theme, phrases in self.kw.items():
            masked: set[int] = set()
            for ph in self.neg[theme]:
                for span in self._spans(ph, where):
                    masked.update(span)
            n = 0
            for ph in phrases:
                for span in self._spans(ph, where):
                    if not masked.intersection(span):
                        n += 1
            counts[theme] = n
        return counts, len(toks)


def _hit_table(texts: Iterable[object], codebook: Codebook, index) -> pd.DataFrame:
    m = _Matcher(codebook)
    rows, ntok = [], []
    for t in texts:
        c, n = m.hits(t)
        rows.append(c)
        ntok.append(n)
    out = pd.DataFrame(rows, index=index, columns=codebook.themes).fillna(0).astype("int64")
    out["n_tokens"] = np.asarray(ntok, dtype="int64")
    return out


def code_texts(df: pd.DataFrame, text_col: str = "text", codebook: Codebook | str | Path | None = None,
               counts: bool = False) -> pd.DataFrame:
    """Code each text for every codebook theme.

    Parameters
    ----------
    df : DataFrame
        One row per text (e.g. the ``interviews`` table).
    text_col : str
        Column with the (already scrubbed) Indonesian text. Missing text codes as no theme, ``n_tokens`` 0.
    codebook : Codebook, path or None
        Default: the shipped codebook.
    counts : bool
        Also return the number of keyword hits per theme as ``hits_<theme>`` (int).

    Returns
    -------
    DataFrame
        Same index as ``df``; every column of ``df`` except ``text_col``, then one bool column per theme
        (``True`` when at least one keyword matched and was not masked by a negative phrase), ``n_themes``
        (number of themes coded) and ``n_tokens`` (tokens after normalisation). The theme names are in
        ``result.attrs["themes"]``.

    Examples
    --------
    >>> coded = code_texts(pd.DataFrame({"text": ["Anggarannya terbatas."]}))
    >>> bool(coded.loc[0, "budget"]), int(coded.loc[0, "n_themes"])
    (True, 1)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if text_col not in df.columns:
        raise ValueError(f"text column {text_col!r} not in df; columns are {list(df.columns)}")
    cb = _as_codebook(codebook)
    clash = [t for t in [*cb.themes, "n_themes", "n_tokens"] if t in df.columns and t != text_col]
    if clash:
        raise ValueError(f"df already has column(s) {clash} that coding would overwrite; rename them first")
    hits = _hit_table(df[text_col].tolist(), cb, df.index)
    out = df.drop(columns=[text_col]).copy()
    for t in cb.themes:
        out[t] = hits[t].to_numpy() > 0
    out["n_themes"] = out[cb.themes].sum(axis=1).astype("int64")
    out["n_tokens"] = hits["n_tokens"]
    if counts:
        for t in cb.themes:
            out[f"hits_{t}"] = hits[t]
    out.attrs["themes"] = list(cb.themes)
    return out


def _themes_of(coded: pd.DataFrame, themes: Sequence[str] | None, exclude: Sequence[str] = ()) -> list[str]:
    if themes is None:
        themes = coded.attrs.get("themes")
    if themes is None:
        themes = [c for c in coded.columns if pd.api.types.is_bool_dtype(coded[c]) and c not in exclude]
    themes = list(themes)
    missing = [t for t in themes if t not in coded.columns]
    if missing:
        raise ValueError(f"theme column(s) {missing} not in coded; columns are {list(coded.columns)}")
    if not themes:
        raise ValueError("no theme columns found; pass themes=")
    return themes
