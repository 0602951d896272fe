"""The keyword codebook: reading and validating ``codebook.csv`` into a :class:`Codebook` of keyword and negative
phrases (stems or surface globs)."""

from __future__ import annotations

import csv
import fnmatch
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.qual.stemming import _TOKEN_RE, normalise, stem

REQUIRED_COLUMNS: tuple[str, ...] = ("theme", "label_id", "label_en", "keywords")
OPTIONAL_COLUMNS: tuple[str, ...] = ("negative",)
_RESERVED = {"n_themes", "n_tokens"}
_THEME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SURFACE_RE = re.compile(r"^[a-z*]+(?:-[a-z*]+)*$")


@dataclass(frozen=True)
class _Pattern:
    """One token of a keyword: a stem to compare exactly, or a surface glob."""

    kind: str  # "stem" | "surface"
    value: str

    def matches(self, surface: str, stemmed: str) -> bool:
        if self.kind == "stem":
            return stemmed == self.value
        return fnmatch.fnmatchcase(surface, self.value)


@dataclass(frozen=True)
class Codebook:
    """A parsed codebook: one row per theme with its keyword and negative phrases.

    ``table`` is the codebook as read; ``phrases[theme]`` and ``negatives[theme]`` are tuples of phrases,
    each a tuple of :class:`_Pattern`.
    """

    table: pd.DataFrame
    phrases: dict[str, tuple[tuple[_Pattern, ...], ...]]
    negatives: dict[str, tuple[tuple[_Pattern, ...], ...]]
    source: str

    @property
    def themes(self) -> list[str]:
        return list(self.phrases)


def _parse_phrase(raw: str) -> tuple[_Pattern, ...]:
    pats: list[_Pattern] = []
    for word in raw.strip().lower().split():
        if word.startswith("="):
            glob = word[1:]
            if not glob or not _SURFACE_RE.match(glob):
                raise ValueError(f"bad surface pattern {word!r} (use =letters with optional * wildcards)")
            pats.append(_Pattern("surface", glob))
        else:
            toks = _TOKEN_RE.findall(normalise(word))
            if not toks:
                raise ValueError(f"keyword word {word!r} has no letters")
            pats.extend(_Pattern("stem", stem(t)) for t in toks)
    if not pats:
        raise ValueError("empty keyword")
    return tuple(pats)


def _parse_list(cell: object) -> list[str]:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return []
    return [p.strip() for p in str(cell).split("|") if p.strip()]


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook CSV (default: the one shipped in ``evalkit/data/codebook.csv``).

    Parameters
    ----------
    path : str or Path, optional
        A researcher's own codebook with columns ``theme, label_id, label_en, keywords`` and optionally
        ``negative``. Themes must be unique lower-case identifiers (they become column names).

    Returns
    -------
    Codebook

    Raises
    ------
    ValueError
        Naming the file and the offending line when a column is missing, a theme is empty, duplicated or not
        an identifier, or a keyword cannot be parsed.
    """
    if path is None:
        ref = resources.files("evalkit").joinpath("data/codebook.csv")
        text = ref.read_text(encoding="utf-8")
        source = "evalkit/data/codebook.csv"
    else:
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"codebook file not found: {p}")
        text = p.read_text(encoding="utf-8-sig")
        source = str(p)
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    table.columns = [c.strip().lower() for c in table.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"codebook {source}: missing column(s) {missing}; it has {list(table.columns)}")
    if "negative" not in table.columns:
        table["negative"] = ""
    phrases: dict[str, tuple] = {}
    negatives: dict[str, tuple] = {}
    for i, row in enumerate(table.itertuples(index=False)):
        where = f"codebook {source}, line {i + 2}"
        theme = str(row.theme).strip()
        if not theme:
            raise ValueError(f"{where}: empty theme")
        if not _THEME_RE.match(theme) or theme in _RESERVED:
            raise ValueError(f"{where}: theme {theme!r} must be a lower-case identifier (a-z, 0-9, _) "
                             f"and not one of {sorted(_RESERVED)}")
        if theme in phrases:
            raise ValueError(f"{where}: duplicate theme {theme!r}")
        kws = _parse_list(row.keywords)
        if not kws:
            raise ValueError(f"{where} (theme {theme!r}): no keywords")
        try:
            phrases[theme] = tuple(_parse_phrase(k) for k in kws)
            negatives[theme] = tuple(_parse_phrase(k) for k in _parse_list(row.negative))
        except ValueError as e:
            raise ValueError(f"{where} (theme {theme!r}): {e}") from None
    if not phrases:
        raise ValueError(f"codebook {source}: no rows")
    table["theme"] = table["theme"].str.strip()
    return Codebook(table=table, phrases=phrases, negatives=negatives, source=source)


def _as_codebook(codebook: Codebook | str | Path | None) -> Codebook:
    if isinstance(codebook, Codebook):
        return codebook
    return load_codebook(codebook)
