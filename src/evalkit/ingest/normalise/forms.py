"""Helpers for the codebook: the answers of a Google Forms checkbox question and programme titles matched to
their codes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.ingest.normalise.categories import parse_text
from evalkit.ingest.normalise.common import _clean_str, is_missing

# ---------------------------------------------------------------------------------------------- Google Forms checkboxes


def split_checkbox(value: object, options: Sequence[str] | None = None) -> list[str]:
    """The answers of a Google Forms checkbox question, which the export joins with ", ".

    Cleaning keeps such cells as text (a ``text`` field is not split); this helper is for analysis. With
    ``options`` (the question's option labels) an option that itself contains ", " is kept whole and the
    text of an "Other" answer (anything that is not an option) is one answer up to the next option.

    Examples
    --------
    >>> split_checkbox("Materi, Waktu pelatihan")
    ['Materi', 'Waktu pelatihan']
    >>> split_checkbox("Sarana, prasarana, Waktu", options=["Sarana, prasarana", "Waktu"])
    ['Sarana, prasarana', 'Waktu']
    """
    if is_missing(value):
        return []
    s = parse_text(value)
    if not options:
        return [p.strip() for p in s.split(", ") if p.strip()]
    opts = sorted({parse_text(o) for o in options if parse_text(o)}, key=len, reverse=True)
    out: list[str] = []
    rest = s
    while rest:
        for o in opts:
            if rest == o or rest.startswith(o + ", "):
                out.append(o)
                rest = rest[len(o) + 2:].strip()
                break
        else:  # an "Other" answer: up to the next ", " that starts an option
            cut = len(rest)
            for m in re.finditer(", ", rest):
                tail = rest[m.end():]
                if any(tail == o or tail.startswith(o + ", ") for o in opts):
                    cut = m.start()
                    break
            if rest[:cut].strip():
                out.append(rest[:cut].strip())
            rest = rest[cut + 2:].strip()
    return out


# ---------------------------------------------------------------------------------------------- programme titles


def title_key(text: object) -> str:
    """A programme title as :func:`match_programme_title` compares it: Unicode-normalised, lower case, with
    every space and punctuation mark removed ("Pelatihan  Pelayanan-Prima." -> "pelatihanpelayananprima")."""
    return re.sub(r"[\W_]+", "", _clean_str(text).casefold())


@dataclass(frozen=True)
class TitleMatch:
    """What :func:`match_programme_title` found.

    Attributes
    ----------
    codes : pandas.Series
        The programme code of each title (object dtype, index of the titles; ``None`` where missing,
        unknown or ambiguous).
    unknown : dict
        Title as written -> number of cells, for titles that match no programme.
    ambiguous : dict
        Title as written -> the codes of the programmes that share it (the same course offered twice).
    """

    codes: pd.Series
    unknown: dict[str, int]
    ambiguous: dict[str, tuple[str, ...]]

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.ambiguous


def match_programme_title(titles: pd.Series, programmes: pd.DataFrame, *, code: str = "programme_id",
                          title: str = "title") -> TitleMatch:
    """The programme code of each title, matched ignoring case, spacing and punctuation (:func:`title_key`).

    For files that name the training instead of giving its code (a Google Form asking "Nama pelatihan").
    A cell is also matched when it is a programme's code itself, or a label ending in the code in square
    brackets ("Pelayanan Prima [PEL-001]", as evalkit's forms write them). Each distinct title is looked up
    once.

    Parameters
    ----------
    titles : pandas.Series
        Titles as written in the file.
    programmes : pandas.DataFrame
        The programmes table (canonical columns ``programme_id`` and ``title``; other names via ``code``
        and ``title``).

    Returns
    -------
    TitleMatch
        ``codes`` plus the titles that are unknown and those that are ambiguous (several programmes with one
        title, e.g. the same course in two years: the title alone cannot say which one, and the cell gets
        ``None``). Both are for the report; nothing is guessed.

    Examples
    --------
    >>> import pandas as pd
    >>> progs = pd.DataFrame({"programme_id": ["PEL-001", "PEL-002"],
    ...                       "title": ["Pelayanan Prima", "Manajemen Risiko"]})
    >>> m = match_programme_title(pd.Series(["PELAYANAN  PRIMA.", "manajemen-risiko", "Etika ASN"]), progs)
    >>> m.codes.tolist(), m.unknown
    (['PEL-001', 'PEL-002', None], {'Etika ASN': 1})
    """
    from evalkit.ingest.spec import code_from_label

    by_key: dict[str, set[str]] = {}
    by_code: dict[str, str] = {}
    for c, t in zip(programmes[code].tolist(), programmes[title].tolist(), strict=True):
        if is_missing(c):
            continue
        c = str(c).strip()
        by_code.setdefault(title_key(c), c)
        if not is_missing(t):
            by_key.setdefault(title_key(t), set()).add(c)
    codes, uniq = pd.factorize(np.asarray(titles, dtype=object), use_na_sentinel=True)
    out = np.full(len(uniq) + 1, None, dtype=object)
    unknown: dict[str, int] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    counts = np.bincount(codes[codes >= 0], minlength=len(uniq)) if len(uniq) else np.zeros(0, dtype=np.int64)
    for j, u in enumerate(uniq):
        if is_missing(u) or not str(u).strip():
            continue
        text = str(u)
        label_code = code_from_label(text) if "]" in text else None
        k = title_key(text)
        if label_code is not None and title_key(label_code) in by_code:
            out[j] = by_code[title_key(label_code)]
        elif k in by_key and len(by_key[k]) == 1:
            out[j] = next(iter(by_key[k]))
        elif k in by_key:
            ambiguous[text] = tuple(sorted(by_key[k]))
        elif k in by_code:
            out[j] = by_code[k]
        else:
            unknown[text] = int(counts[j])
    index = titles.index if isinstance(titles, pd.Series) else None
    return TitleMatch(pd.Series(out[codes], index=index, dtype=object), unknown, ambiguous)
