"""Code Indonesian interview text into themes with an editable keyword codebook.

Interviews (``interviews`` table: ``interview_id, region, role, interview_date, text``) are coded by
dictionary matching on **Sastrawi stems**: every text is normalised (lower case, ``[NAMA]``/``[NIP]`` and other
``[PLACEHOLDER]`` tokens removed, digits and punctuation stripped), split into tokens, and each token is
stemmed once (a per-process cache keyed by the surface token, so 5,000 texts take seconds). Keywords in the
codebook are stemmed the same way, so ``pelatihan``, ``dilatih`` and ``melatih`` all match ``latih`` and
``anggarannya`` matches ``anggaran`` (both stem to ``anggar``). A multi-word keyword matches only as
consecutive tokens inside one clause (phrases never run across ``. , ; : ! ?`` or a removed placeholder).

Codebook syntax (``evalkit/data/codebook.csv``; columns ``theme, label_id, label_en, keywords, negative``)
---------------------------------------------------------------------------------------------------------
* ``keywords`` and ``negative``: alternatives separated by ``|``; spaces inside one alternative make a phrase.
* A plain word is stemmed with Sastrawi and compared with the text's stems.
* A word written ``=word`` is compared with the **unstemmed** lower-case token, and may use ``*`` as a
  wildcard (``=pengajar*``, ``=*pengalaman*``). Use it where Sastrawi over-stems (see below).
* ``negative`` phrases mask their tokens for that theme: a keyword hit overlapping a negative phrase does not
  count. ``time_conflict`` lists ``waktu tunggu`` as negative, so "waktu tunggu di loket lebih cepat" is
  service improvement, not a time conflict.

Sastrawi behaviour the shipped codebook works around (PySastrawi 1.2.1)
-----------------------------------------------------------------------
* ``pengalaman``/``berpengalaman`` -> ``alam`` (nature): matched on the surface form ``=*pengalaman*``.
* ``pengajar`` -> ``ajar``, the same stem as ``belajar``, ``pembelajaran``, ``diajarkan``: trainer quality
  uses ``=pengajar*`` so that "belajar" is not coded as a remark on trainers.
* ``pemateri`` -> ``materi`` (the course material): surface form ``=pemateri*``.
* ``ditindaklanjuti`` and ``pascapelatihan`` are left unstemmed: listed literally.
* ``antrian``/``antrean`` stem to ``antri``/``antre``; ``relevansi``, ``resistensi``, ``senioritas`` are not
  reduced to ``relevan``/``resisten``/``senior``: each spelling is listed.
* ``harian`` and ``sehari-hari`` both stem to ``hari``, so ``tugas harian`` matches "tugas sehari-hari".
* ``diminati`` -> ``mati``: "minat" is matched only in its unaffixed forms.

Keyword coding is a transparent first pass, not a substitute for reading: check it against hand coding of a
sample with :func:`coding_agreement` (Cohen's kappa per theme) before reporting theme shares.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.measures._util import wilson

__all__ = [
    "Codebook",
    "load_codebook",
    "normalise",
    "tokenize",
    "stem",
    "stem_text",
    "code_texts",
    "theme_frequencies",
    "cooccurrence",
    "representative_quotes",
    "scrub_nip",
    "cohen_kappa",
    "coding_agreement",
    "kappa_band",
    "BARRIER_THEMES",
    "theme_lookup",
    "hand_codes_wide",
    "top_theme",
    "interview_findings",
    "theme_vs_estimate",
    "THEME_BARRIER",
    "themes_vs_ame",
    "themes_vs_ame_plot",
    "theme_frequency_plot",
    "cooccurrence_plot",
]

REQUIRED_COLUMNS: tuple[str, ...] = ("theme", "label_id", "label_en", "keywords")
OPTIONAL_COLUMNS: tuple[str, ...] = ("negative",)
_RESERVED = {"n_themes", "n_tokens"}
_THEME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER_RE = re.compile(r"\[[A-Za-z_]+\]")
_BOUNDARY_RE = re.compile(r"[.,;:!?()\[\]\n\r\t\"]+")
_TOKEN_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")
_SURFACE_RE = re.compile(r"^[a-z*]+(?:-[a-z*]+)*$")
#: 18 digits, possibly separated by single spaces, dots or hyphens (NIPs are printed "19850317 201001 2 004").
_NIP_RUN_RE = re.compile(r"\d(?:[ .\-]?\d){17,}")


# --------------------------------------------------------------------------------------------------- stemming
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


# --------------------------------------------------------------------------------------------------- codebook
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


# --------------------------------------------------------------------------------------------------- matching
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


def _as_codebook(codebook: Codebook | str | Path | None) -> Codebook:
    if isinstance(codebook, Codebook):
        return codebook
    return load_codebook(codebook)


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


# --------------------------------------------------------------------------------------------------- summaries
def theme_frequencies(coded: pd.DataFrame, by: str | Sequence[str] | None = ("region", "role"),
                      themes: Sequence[str] | None = None, ci: float = 0.95,
                      threshold: int | None = None) -> pd.DataFrame:
    """Share of texts that mention each theme, per group, with Wilson intervals and small-cell suppression.

    Parameters
    ----------
    coded : DataFrame
        Output of :func:`code_texts`.
    by : str or list of str or None
        Grouping columns (default region and informant role); ``None``/``[]`` for one overall group.
    themes : list of str, optional
        Default ``coded.attrs["themes"]``, else every bool column.
    ci : float
        Confidence level of the Wilson score interval (Wilson 1927).
    threshold : int, optional
        Groups with ``0 < n < threshold`` texts are suppressed (default ``config.SMALL_CELL_THRESHOLD``).

    Returns
    -------
    DataFrame
        Tidy: ``*by, theme, n, count, share, ci_low, ci_high, suppressed``. ``n`` counts texts with at least
        one token (empty texts are left out of the denominator). Suppressed rows have NaN in ``n``, ``count``,
        ``share`` and the interval, and ``suppressed=True`` (the policy of
        :func:`evalkit.report.tables.suppress_small_cells`).
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in by if c not in coded.columns]
    if missing:
        raise ValueError(f"grouping column(s) {missing} not in coded; columns are {list(coded.columns)}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci!r}")
    themes = _themes_of(coded, themes, exclude=by)
    thr = config.SMALL_CELL_THRESHOLD if threshold is None else int(threshold)
    data = coded
    if "n_tokens" in coded.columns:
        data = coded[coded["n_tokens"] > 0]
    long = data[[*by, *themes]].melt(id_vars=by, value_vars=themes, var_name="theme", value_name="hit")
    long["hit"] = long["hit"].astype(bool)
    keys = [*by, "theme"]
    g = long.groupby(keys, sort=True, observed=True, dropna=False)["hit"]
    out = pd.DataFrame({"n": g.size(), "count": g.sum()}).reset_index()
    # keep the codebook's theme order
    out["theme"] = pd.Categorical(out["theme"], categories=themes)
    out = out.sort_values(keys).reset_index(drop=True)
    out["theme"] = out["theme"].astype(str)
    n = out["n"].to_numpy(float)
    k = out["count"].to_numpy(float)
    out["share"] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson(k, n, ci)
    small = (n > 0) & (n < thr)
    for c in ("n", "count", "share", "ci_low", "ci_high"):
        out[c] = out[c].astype("float64")
        out.loc[small, c] = np.nan
    out["suppressed"] = small
    return out


def cooccurrence(coded: pd.DataFrame, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Theme x theme co-occurrence counts and Jaccard similarity, in long form.

    Jaccard(A, B) = |A and B| / |A or B| over texts (NaN when neither theme occurs). Pivot with
    ``t.pivot(index="theme_a", columns="theme_b", values="jaccard")`` for a matrix.

    Returns
    -------
    DataFrame
        ``theme_a, theme_b, n_a, n_b, n_both, jaccard`` for every ordered pair (the diagonal included).
    """
    themes = _themes_of(coded, themes)
    x = coded[themes].astype(bool).to_numpy().astype(np.int64)
    both = x.T @ x
    tot = x.sum(axis=0)
    union = tot[:, None] + tot[None, :] - both
    jac = np.divide(both, union, out=np.full(both.shape, np.nan), where=union > 0)
    k = len(themes)
    return pd.DataFrame({
        "theme_a": np.repeat(themes, k),
        "theme_b": np.tile(themes, k),
        "n_a": np.repeat(tot, k),
        "n_b": np.tile(tot, k),
        "n_both": both.ravel(),
        "jaccard": jac.ravel(),
    })


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


# --------------------------------------------------------------------------------------------------- agreement
def cohen_kappa(a: Sequence, b: Sequence, undefined: float = np.nan) -> float:
    r"""Cohen's (1960) kappa for two raters coding the same items.

    .. math::

        \kappa = \frac{p_o - p_e}{1 - p_e}, \qquad
        p_o = \frac{1}{n}\sum_i [a_i = b_i], \qquad
        p_e = \sum_c \hat p_a(c)\,\hat p_b(c),

    with :math:`\hat p_a(c)` the share of items rater ``a`` put in category ``c``. Equals
    ``sklearn.metrics.cohen_kappa_score(a, b)``.

    Degenerate case: when both raters use one and the same category for every item, :math:`p_e = 1` and kappa
    is 0/0. It is **undefined** and returned as ``undefined`` (default NaN, as sklearn >= 1.6 does): agreement
    is perfect but there is no variation to show agreement beyond chance; report percent agreement instead.
    When only one rater is constant, :math:`p_e = p_o` and kappa is 0.

    Parameters
    ----------
    a, b : sequence
        Labels (any hashable; bools for theme coding) of equal length; missing values are not allowed.
    undefined : float
        Value returned when kappa is undefined.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educ. Psychol. Meas.* 20, 37-46.
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a and b must be 1-d of equal length, got shapes {a.shape} and {b.shape}")
    if len(a) == 0:
        raise ValueError("a and b are empty")
    if pd.isna(a).any() or pd.isna(b).any():
        raise ValueError("a and b must not contain missing values")
    cats, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inv[: len(a)], inv[len(a):]
    n = len(a)
    po = np.mean(ia == ib)
    pa = np.bincount(ia, minlength=len(cats)) / n
    pb = np.bincount(ib, minlength=len(cats)) / n
    pe = float(pa @ pb)
    if np.isclose(1.0 - pe, 0.0, rtol=0, atol=1e-15):
        return float(undefined)
    return float((po - pe) / (1.0 - pe))


#: Landis & Koch (1977) bands: (upper bound exclusive, label).
_LK_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"), (0.21, "slight"), (0.41, "fair"), (0.61, "moderate"), (0.81, "substantial"),
    (np.inf, "almost perfect"),
)


def kappa_band(kappa: float) -> str:
    """Landis & Koch (1977) label: <0 poor, 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate,
    0.61-0.80 substantial, 0.81-1 almost perfect (NaN -> "undefined").

    References
    ----------
    Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for categorical data.
    *Biometrics* 33(1), 159-174.
    """
    if kappa is None or not np.isfinite(kappa):
        return "undefined"
    k = round(float(kappa), 2)
    for upper, label in _LK_BANDS:
        if k < upper:
            return label
    return "almost perfect"


def _kappa_se_fce(a: np.ndarray, b: np.ndarray) -> float:
    """Fleiss, Cohen & Everitt (1969) SE of Cohen's kappa under the alternative, for two raters, any categories."""
    cats = np.unique(np.concatenate([a, b]))
    n = len(a)
    ia, ib = np.searchsorted(cats, a), np.searchsorted(cats, b)
    p = np.zeros((len(cats), len(cats)))
    np.add.at(p, (ia, ib), 1.0 / n)
    r, c = p.sum(axis=1), p.sum(axis=0)
    po, pe = float(np.trace(p)), float(r @ c)
    k = (po - pe) / (1 - pe)
    diag = np.sum(np.diag(p) * (1 - (r + c) * (1 - k)) ** 2)
    off = p * (c[:, None] + r[None, :]) ** 2
    np.fill_diagonal(off, 0.0)
    v = (diag + (1 - k) ** 2 * off.sum() - (k - pe * (1 - k)) ** 2) / (n * (1 - pe) ** 2)
    return float(np.sqrt(max(v, 0.0)))


def coding_agreement(coded: pd.DataFrame, hand_coded: pd.DataFrame, themes: Sequence[str] | None = None,
                     on: str | None = "interview_id", undefined: float = np.nan) -> pd.DataFrame:
    """Agreement between automatic and hand coding, per theme.

    Rows are matched on ``on`` when both tables have that column, else on the index; only rows present in
    both and coded (non-missing) in the hand table are used, per theme.

    Returns
    -------
    DataFrame
        ``theme, n, n_auto, n_hand, agreement, kappa, kappa_se, band`` where ``agreement`` is the share of
        items with the same code (p_o), ``kappa`` is :func:`cohen_kappa`, ``kappa_se`` the Fleiss, Cohen &
        Everitt (1969) large-sample standard error **under the alternative** (kappa not assumed 0; the one
        to use for confidence intervals, ``kappa +- z * kappa_se``; it equals ``std_kappa`` of
        ``statsmodels.stats.inter_rater.cohens_kappa``) and ``band`` the Landis & Koch (1977) label.

    Notes
    -----
    With :math:`p_{ij}` the 2 x 2 table of proportions (auto code i, hand code j), margins :math:`p_{i.}`,
    :math:`p_{.j}`,

    .. math::

        \\widehat{\\mathrm{Var}}(\\hat\\kappa) = \\frac{\\sum_i p_{ii}[1 - (p_{i.} + p_{.i})(1-\\hat\\kappa)]^2
        + (1-\\hat\\kappa)^2 \\sum_{i \\ne j} p_{ij}(p_{.i} + p_{j.})^2
        - [\\hat\\kappa - p_e(1-\\hat\\kappa)]^2}{n (1 - p_e)^2}.

    Cohen's (1960) :math:`\\sqrt{p_o(1-p_o)/(n(1-p_e)^2)}` is an approximation that FCE (1969) showed to be
    wrong. The SE is NaN when :math:`p_e = 1`.

    References
    ----------
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa and weighted
    kappa. *Psychol. Bull.* 72(5), 323-327.
    """
    if on is not None and on in coded.columns and on in hand_coded.columns:
        if coded[on].duplicated().any() or hand_coded[on].duplicated().any():
            raise ValueError(f"{on!r} must be unique in both tables")
        left, right = coded.set_index(on), hand_coded.set_index(on)
    else:
        left, right = coded, hand_coded
    if themes is None:
        base = _themes_of(coded, None)
        themes = [t for t in base if t in right.columns]
        if not themes:
            raise ValueError("hand_coded shares no theme column with coded")
    common = left.index.intersection(right.index)
    rows = []
    for t in themes:
        if t not in right.columns or t not in left.columns:
            raise ValueError(f"theme {t!r} missing from coded or hand_coded")
        h = right.loc[common, t]
        keep = h.notna().to_numpy()
        a = left.loc[common, t].to_numpy()[keep].astype(bool)
        b = h.to_numpy()[keep].astype(bool)
        n = len(a)
        if n == 0:
            rows.append({"theme": t, "n": 0, "n_auto": 0, "n_hand": 0, "agreement": np.nan,
                         "kappa": np.nan, "kappa_se": np.nan, "band": "undefined"})
            continue
        po = float(np.mean(a == b))
        pe = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
        k = cohen_kappa(a, b, undefined=undefined)
        se = _kappa_se_fce(a, b) if pe < 1 else np.nan
        rows.append({"theme": t, "n": n, "n_auto": int(a.sum()), "n_hand": int(b.sum()), "agreement": po,
                     "kappa": k, "kappa_se": float(se), "band": kappa_band(k)})
    return pd.DataFrame(rows)



# --------------------------------------------------------------------------------------------------- hand codes
#: Codebook themes that name a participation barrier (the ones :func:`evalkit.report.recommend.recommend` acts on
#: through ``top_interview_theme``; ``evalkit.report.text.BARRIER_ALIASES`` maps them to barriers).
BARRIER_THEMES: tuple[str, ...] = ("time_conflict", "motivation", "relevance", "resistance", "budget")


def _label_key(x: object) -> str:
    return re.sub(r"[\s_\-]+", " ", normalise(x)).strip()


def theme_lookup(codebook: Codebook | str | Path | None = None) -> dict[str, str]:
    """Spelling -> theme id for every way a coder may name a theme: the id, ``label_id`` or ``label_en``.

    Keys are compared after lower-casing, stripping accents and folding ``_``, ``-`` and runs of spaces to one
    space, so ``"Time conflict"``, ``"time_conflict"`` and ``"TIME-CONFLICT"`` all map to ``time_conflict``.
    """
    cb = _as_codebook(codebook)
    out: dict[str, str] = {}
    for row in cb.table.itertuples(index=False):
        for name in (row.theme, row.label_id, row.label_en):
            k = _label_key(name)
            if k and out.setdefault(k, row.theme) != row.theme:
                raise ValueError(f"codebook {cb.source}: {name!r} names two themes ({out[k]!r}, {row.theme!r})")
    return out


def hand_codes_wide(codes: pd.DataFrame, codebook: Codebook | str | Path | None = None,
                    id_col: str = "interview_id", theme_col: str = "theme",
                    value_col: str = "present") -> pd.DataFrame:
    """The hand-coded sample (the ``interview_codes`` table, one row per interview x theme) as one row per
    interview with a nullable-boolean column per codebook theme, ready for :func:`coding_agreement`.

    Themes may be written as the theme id or either codebook label (see :func:`theme_lookup`). A theme that
    was not coded for an interview is ``<NA>`` (left out of that theme's agreement); ``region`` and ``coder``
    are carried over when present (the first value per interview).

    Raises
    ------
    ValueError
        When a theme name is not in the codebook (the names are listed), or one interview has conflicting
        codes for one theme.
    """
    if not isinstance(codes, pd.DataFrame):
        raise TypeError(f"codes must be a pandas DataFrame, got {type(codes).__name__}")
    missing = [c for c in (id_col, theme_col, value_col) if c not in codes.columns]
    if missing:
        raise ValueError(f"codes is missing column(s) {missing}; it has {list(codes.columns)}")
    cb = _as_codebook(codebook)
    look = theme_lookup(cb)
    theme = codes[theme_col].map(lambda x: look.get(_label_key(x)))
    unknown = sorted(set(codes.loc[theme.isna(), theme_col].astype(str)))
    if unknown:
        raise ValueError(f"hand codes name theme(s) not in codebook {cb.source}: {unknown}; use a theme id or "
                         f"label from the codebook")
    d = pd.DataFrame({id_col: codes[id_col].to_numpy(), "theme": theme.to_numpy(),
                      "value": codes[value_col].astype("boolean").to_numpy()})
    d = d.dropna(subset=["value"])
    conflict = d.groupby([id_col, "theme"], sort=False)["value"].nunique() > 1
    if conflict.any():
        first = conflict[conflict].index[0]
        raise ValueError(f"conflicting hand codes for {id_col} {first[0]!r}, theme {first[1]!r} "
                         f"({int(conflict.sum())} such pairs)")
    d = d.drop_duplicates([id_col, "theme"])
    wide = d.pivot(index=id_col, columns="theme", values="value")
    ids = pd.Index(sorted(codes[id_col].dropna().unique()), name=id_col)
    wide = wide.reindex(index=ids, columns=cb.themes)
    out = wide.astype("boolean").reset_index()
    out.columns.name = None
    for c in ("region", "coder"):
        if c in codes.columns:
            out[c] = out[id_col].map(codes.drop_duplicates(id_col).set_index(id_col)[c])
    out.attrs["themes"] = list(cb.themes)
    return out[[id_col, *[c for c in ("region", "coder") if c in out.columns], *cb.themes]]


# --------------------------------------------------------------------------------------------------- findings
def top_theme(coded: pd.DataFrame, by: str | Sequence[str] | None = "region", themes: Sequence[str] | None = None,
              threshold: int | None = None) -> pd.DataFrame:
    """The most frequently mentioned theme per group (ties go to the theme listed first in the codebook).

    Only texts with at least one token count. A group with fewer than ``threshold`` texts (default
    ``config.SMALL_CELL_THRESHOLD``) gets no top theme (``theme`` missing), like a suppressed cell.

    Parameters
    ----------
    themes : list of str, optional
        Themes to choose among (default every theme; :data:`BARRIER_THEMES` for the barrier themes only).

    Returns
    -------
    DataFrame
        ``*by, theme, count, n, share``: the top theme, the texts mentioning it, the texts in the group and
        the share.
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    themes = _themes_of(coded, themes, exclude=by)
    thr = config.SMALL_CELL_THRESHOLD if threshold is None else int(threshold)
    data = coded[coded["n_tokens"] > 0] if "n_tokens" in coded.columns else coded
    data = data.assign(_all=0) if not by else data
    keys = by or ["_all"]
    rows = []
    for key, g in data.groupby(keys, sort=True, observed=True):
        counts = g[themes].astype(bool).sum(axis=0).to_numpy()
        n = len(g)
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(keys, key, strict=True))
        if n < thr or counts.max() == 0:
            row.update(theme=None, count=np.nan, n=n, share=np.nan)
        else:
            i = int(np.argmax(counts))  # first maximum = codebook order
            row.update(theme=themes[i], count=int(counts[i]), n=n, share=counts[i] / n)
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, "theme", "count", "n", "share"])
    return out.drop(columns="_all") if not by else out


def interview_findings(coded: pd.DataFrame, region: str, themes: Sequence[str] = BARRIER_THEMES) -> dict:
    """Findings for :func:`evalkit.report.recommend.recommend` from one region's coded interviews.

    Returns
    -------
    dict
        ``{"top_interview_theme": theme}``: the barrier theme (:data:`BARRIER_THEMES`) mentioned in most of the
        region's interviews, or ``None`` when the region has too few interviews or none mentions a barrier.
    """
    if "region" not in coded.columns:
        raise ValueError("coded has no 'region' column")
    sub = coded[coded["region"].astype(str) == str(region)]
    if sub.empty:
        return {"top_interview_theme": None}
    top = top_theme(sub, by=None, themes=[t for t in themes if t in coded.columns])
    return {"top_interview_theme": top["theme"].iloc[0]}


def theme_vs_estimate(freq: pd.DataFrame, estimates: pd.DataFrame, theme: str, term: str,
                      by: str = "region") -> pd.DataFrame:
    """Mixed methods: per group, the share of interviews mentioning ``theme`` next to a model estimate.

    Parameters
    ----------
    freq : DataFrame
        :func:`theme_frequencies` grouped by ``by`` only.
    estimates : DataFrame
        A tidy estimate table with ``by``, ``term``, ``estimate``, ``ci_low``, ``ci_high`` (e.g.
        :func:`evalkit.participation.attendance_model` with ``by="region"``).
    theme, term : str
        The theme and the estimate's term to put side by side (``"time_conflict"``, ``"barrier_time"``).

    Returns
    -------
    DataFrame
        ``by, n, share, ci_low, ci_high`` (interviews) and ``estimate, est_ci_low, est_ci_high`` (model), one
        row per group present in both.
    """
    for name, df, cols in (("freq", freq, [by, "theme", "n", "share", "ci_low", "ci_high"]),
                           ("estimates", estimates, [by, "term", "estimate", "ci_low", "ci_high"])):
        miss = [c for c in cols if c not in df.columns]
        if miss:
            raise ValueError(f"{name} is missing column(s) {miss}")
    f = freq.loc[freq["theme"] == theme, [by, "n", "share", "ci_low", "ci_high"]]
    if f.empty:
        raise ValueError(f"theme {theme!r} not in freq")
    e = estimates.loc[estimates["term"] == term, [by, "estimate", "ci_low", "ci_high"]]
    if e.empty:
        raise ValueError(f"term {term!r} not in estimates")
    e = e.rename(columns={"ci_low": "est_ci_low", "ci_high": "est_ci_high"})
    f = f.assign(**{by: f[by].astype(str)})
    e = e.assign(**{by: e[by].astype(str)})
    return f.merge(e, on=by, how="inner").sort_values(by).reset_index(drop=True)


#: Interview theme -> the stated barrier of the enrolment files (``evalkit.participation.BARRIERS``) it echoes.
THEME_BARRIER: dict[str, str] = {"time_conflict": "barrier_time", "motivation": "barrier_motivation",
                                 "relevance": "barrier_relevance", "resistance": "barrier_experienced"}


def themes_vs_ame(freq: pd.DataFrame, ame: pd.DataFrame, pairs: dict[str, str] | None = None,
                  by: str = "region") -> pd.DataFrame:
    """:func:`theme_vs_estimate` for every theme/barrier pair (default :data:`THEME_BARRIER`), stacked.

    ``ame`` is :func:`evalkit.participation.attendance_model` fitted with ``by=by``. Returns the columns of
    :func:`theme_vs_estimate` with ``theme`` and ``term`` in front; pairs missing from either table are skipped.
    """
    pairs = THEME_BARRIER if pairs is None else pairs
    parts = []
    for theme, term in pairs.items():
        if theme in set(freq["theme"]) and term in set(ame["term"]):
            parts.append(theme_vs_estimate(freq, ame, theme, term, by=by).assign(theme=theme, term=term))
    if not parts:
        raise ValueError("no theme/term pair found in both tables")
    out = pd.concat(parts, ignore_index=True)
    return out[["theme", "term", *[c for c in out.columns if c not in ("theme", "term")]]]


def themes_vs_ame_plot(table: pd.DataFrame, by: str = "region", codebook: Codebook | str | Path | None = None):
    """One panel per theme: share of interviews mentioning it (x, %, Wilson CI) against the barrier's AME on
    attendance (y, percentage points, CI), one labelled point per ``by`` group. Returns the figure."""
    import matplotlib.pyplot as plt

    cb = _as_codebook(codebook)
    themes = list(dict.fromkeys(table["theme"]))
    ncol = min(2, len(themes))
    nrow = int(np.ceil(len(themes) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.4 * nrow), squeeze=False, sharey=True,
                             layout="constrained")
    for ax, theme in zip(axes.ravel(), themes):
        d = table[table["theme"] == theme]
        x, y = 100 * d["share"].to_numpy(float), 100 * d["estimate"].to_numpy(float)
        xerr = np.clip([x - 100 * d["ci_low"].to_numpy(float), 100 * d["ci_high"].to_numpy(float) - x], 0, None)
        yerr = np.clip([y - 100 * d["est_ci_low"].to_numpy(float), 100 * d["est_ci_high"].to_numpy(float) - y],
                       0, None)
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", ms=4, lw=0.8, color="C0")
        for xi, yi, g in zip(x, y, d[by].astype(str), strict=True):
            ax.annotate(g, (xi, yi), xytext=(3, 3), textcoords="offset points", fontsize="x-small")
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_xlim(0, 100)
        ax.set_title(f"{_theme_label(theme, cb, 'id')}\n{_theme_label(theme, cb, 'en')}", fontsize="small")
    fig.supxlabel("Wawancara yang menyebut tema (%, IK 95%) / interviews mentioning the theme (%, 95% CI)",
                  fontsize="small")
    for ax in axes[:, 0]:
        ax.set_ylabel("AME hambatan (poin %) /\nbarrier AME on attendance (pp)", fontsize="small")
    for ax in axes.ravel()[len(themes):]:
        ax.set_visible(False)
    return fig


# --------------------------------------------------------------------------------------------------- figures
def _theme_label(theme: str, codebook: Codebook, lang: str) -> str:
    t = codebook.table.set_index("theme")
    if theme not in t.index:
        return theme
    return str(t.loc[theme, "label_id" if lang == "id" else "label_en"])


def theme_frequency_plot(freq: pd.DataFrame, by: str = "region", ax=None,
                         codebook: Codebook | str | Path | None = None):
    """Dot plot of theme shares (%) with their Wilson intervals, one colour per ``by`` group.

    Themes run down the y axis (codebook order, bilingual labels); suppressed cells are not drawn.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    cb = _as_codebook(codebook)
    themes = [t for t in cb.themes if t in set(freq["theme"])]
    groups = list(dict.fromkeys(freq[by].astype(str)))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.45 * len(themes) + 1.5))
    pal = sns.color_palette("colorblind", n_colors=len(groups))
    off = np.linspace(-0.3, 0.3, len(groups)) if len(groups) > 1 else np.zeros(1)
    for j, g in enumerate(groups):
        d = freq[(freq[by].astype(str) == g) & ~freq["suppressed"].astype(bool)].set_index("theme")
        y = np.array([themes.index(t) for t in d.index if t in themes]) + off[j]
        d = d.loc[[t for t in d.index if t in themes]]
        lo = np.clip(100 * (d["share"] - d["ci_low"]).to_numpy(float), 0, None)
        hi = np.clip(100 * (d["ci_high"] - d["share"]).to_numpy(float), 0, None)
        ax.errorbar(100 * d["share"], y, xerr=[lo, hi],
                    fmt="o", ms=4, lw=1, capsize=0, color=pal[j], label=g)
    ax.set_yticks(range(len(themes)),
                  [f"{_theme_label(t, cb, 'id')} / {_theme_label(t, cb, 'en')}" for t in themes], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Wawancara yang menyebut tema (%, IK 95% Wilson) / interviews mentioning the theme (%, 95% CI)")
    ax.legend(title=by, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def cooccurrence_plot(co: pd.DataFrame, ax=None, codebook: Codebook | str | Path | None = None):
    """Heatmap of the Jaccard similarity between themes (:func:`cooccurrence`), texts in both in each cell."""
    import matplotlib.pyplot as plt

    cb = _as_codebook(codebook)
    themes = [t for t in cb.themes if t in set(co["theme_a"])]
    jac = co.pivot(index="theme_a", columns="theme_b", values="jaccard").loc[themes, themes]
    both = co.pivot(index="theme_a", columns="theme_b", values="n_both").loc[themes, themes]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    m = jac.to_numpy(float).copy()
    np.fill_diagonal(m, np.nan)
    im = ax.imshow(m, cmap="Blues", vmin=0, vmax=max(np.nanmax(m), 0.05) if np.isfinite(m).any() else 1)
    for i in range(len(themes)):
        for j in range(len(themes)):
            if i != j:
                ax.text(j, i, f"{int(both.iat[i, j])}", ha="center", va="center", fontsize="x-small")
    labels = [_theme_label(t, cb, "en") for t in themes]
    ax.set_xticks(range(len(themes)), labels, rotation=45, ha="right", fontsize="small")
    ax.set_yticks(range(len(themes)), [_theme_label(t, cb, "id") for t in themes], fontsize="small")
    ax.figure.colorbar(im, ax=ax, label="Jaccard (tema bersama / gabungan) / Jaccard (both / either)")
    ax.grid(False)
    return ax
