"""Representative quotes of a theme: the texts with most keyword hits, ties broken reproducibly, re-scrubbed of
NIPs, focused on the sentences that mention the theme and truncated."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.qual.codebook import Codebook, _as_codebook
from evalkit.qual.coding import _hit_table, _Matcher

#: 18 digits, possibly separated by single spaces, dots or hyphens (NIPs are printed "19850317 201001 2 004").
_NIP_RUN_RE = re.compile(r"\d(?:[ .\-]?\d){17,}")


def scrub_nip(text: str) -> str:
    """Replace every run of 18 or more digits (single spaces, dots or hyphens allowed between them) by ``[NIP]``."""
    return _NIP_RUN_RE.sub("[NIP]", text)


def _truncate(text: str, max_chars: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    sp = cut.rfind(" ")
    if sp > max_chars // 2:
        cut = cut[:sp]
    return cut.rstrip(" ,;:") + "…"


def representative_quotes(df: pd.DataFrame, coded: pd.DataFrame, theme: str, n: int = 2,
                          rng: np.random.Generator | int | None = None, text_col: str = "text",
                          id_col: str = "interview_id", codebook: Codebook | str | Path | None = None,
                          max_chars: int = 200, focus: bool = True) -> pd.DataFrame:
    """The texts that best represent ``theme``: most keyword hits first, ties broken reproducibly.

    Candidates are the rows coded ``True`` for ``theme``. They are sorted by ``id_col`` (or the index when
    absent), then ordered by hit count (descending) with ties broken by a random key from ``rng``
    (``numpy.random.default_rng``; ``None`` -> ``config.DEFAULT_SEED``), so the same data and seed always
    give the same quotes. Each quote is re-scrubbed (:func:`scrub_nip`, before and after truncation) so it
    never contains an 18-digit run, and truncated to about ``max_chars`` characters at a word boundary.
    With ``focus`` (default) a quote keeps only the sentences that mention the theme, so truncation does not
    cut the relevant part off; ``hits`` always counts the whole text.

    Returns
    -------
    DataFrame
        ``id_col`` (when present), ``region``/``role`` (when present), ``hits``, ``quote``; at most ``n`` rows.
    """
    if theme not in coded.columns:
        raise ValueError(f"theme {theme!r} not in coded; columns are {list(coded.columns)}")
    if text_col not in df.columns:
        raise ValueError(f"text column {text_col!r} not in df")
    if not coded.index.isin(df.index).all():
        raise ValueError("coded has rows whose index is not in df; pass the df that was coded")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(config.DEFAULT_SEED if rng is None else rng)
    cb = _as_codebook(codebook)
    if theme not in cb.themes:
        raise ValueError(f"theme {theme!r} is not in codebook {cb.source}")
    idx = coded.index[coded[theme].astype(bool).to_numpy()]
    cand = df.loc[idx]
    if id_col in cand.columns:
        cand = cand.sort_values(id_col, kind="mergesort")
    else:
        cand = cand.sort_index(kind="mergesort")
    hits = _hit_table(cand[text_col].tolist(), cb, cand.index)[theme].to_numpy()
    tie = rng.random(len(cand))
    order = np.lexsort((tie, -hits))[: max(int(n), 0)]
    pick = cand.iloc[order]
    out = pd.DataFrame(index=pick.index)
    for c in (id_col, "region", "role"):
        if c in pick.columns:
            out[c] = pick[c]
    out["hits"] = hits[order]
    matcher = _Matcher(cb) if focus else None
    quotes = []
    for t in pick[text_col]:
        t = scrub_nip(normalise_space(t))
        if focus:
            t = _focus(t, matcher, theme)
        quotes.append(scrub_nip(_truncate(t, max_chars)))
    out["quote"] = quotes
    return out.reset_index(drop=True)


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def _focus(text: str, matcher: _Matcher, theme: str) -> str:
    """The sentences of ``text`` that mention ``theme`` (the whole text if none does on its own)."""
    sents = [x for x in _SENTENCE_RE.split(text) if x]
    keep = [x for x in sents if matcher.hits(x)[0][theme] > 0]
    return " ".join(keep) if keep else text


def normalise_space(text: object) -> str:
    """``str(text)`` with runs of white space collapsed (``NaN`` -> ``""``)."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    return re.sub(r"\s+", " ", str(text)).strip()
