"""Every provinsi, kabupaten/kota and kecamatan of Indonesia, matched from the way offices write them.

The list is ``evalkit/data/wilayah.csv``: the Kemendagri codes and names of 38 provinsi, 416 kabupaten,
98 kota and 7,285 kecamatan (Kepmendagri 300.2.2-2138 Tahun 2025, via the ``idn-area-data`` package; the file's
header names its source and how to rebuild it). Codes are ``"76"`` (provinsi), ``"76.02"`` (kabupaten/kota)
and ``"76.02.01"`` (kecamatan).

Matching rules (:func:`match_region`)
-------------------------------------
* **Spelling.** Case, accents, punctuation, apostrophes and spaces are ignored, so joined and split words are
  equal ("Batang Hari" = "Batanghari", "Bukit Tinggi" = "Bukittinggi", "Toli-Toli" = "Tolitoli"). The
  abbreviations "Kep." (Kepulauan), "Gn." (Gunung), "Tg."/"Tj." (Tanjung) and the spelling "Sumatra" are
  read as the full word. Common short and former names are known too ("DKI"/"Jakarta", "DIY", "NTB",
  "Jabar", "Solo", "Sidrap", "Mamuju Utara", ...: see :data:`ALIASES`).
* **Level prefix.** A leading "Provinsi"/"Prov.", "Kabupaten"/"Kab."/"Pemkab", "Kota"/"Kota Adm."/
  "Kotamadya"/"Pemkot", "Kecamatan"/"Kec." restricts the match to that level ("Kab/Kota" to both). A name
  that itself begins with such a word (the kabupaten Kotabaru, the kecamatan Kota Juang) is still found
  when no unit of the prefixed level has the rest of the name.
* **Codes** with or without dots: ``"76.02"``, ``"7602"``, ``"76.02.01"``, ``"760201"``, ``"76"``.
* **Larger units first.** Without a prefix, a name of a provinsi or kabupaten/kota wins over kecamatan
  of the same name ("Mamuju" is the kabupaten, not the kecamatan Mamuju inside it; "Kecamatan Mamuju"
  is the kecamatan).
* **Ambiguity.** Two units of the bigger levels with the same name are ambiguous without a prefix:
  "Bekasi" (Kabupaten and Kota Bekasi), "Jambi" (the provinsi and Kota Jambi). So is a kecamatan name used
  in several kabupaten/kota ("Karanganyar"). The context narrows the candidates: ``within=`` or the
  parts after a comma in the same cell ("Ampenan, Kota Mataram, NTB") keep only the candidates that lie in
  (or are) the named area. Context cannot choose between candidates that both lie in it: "Bekasi, Jawa
  Barat" stays ambiguous (both Bekasi are in Jawa Barat); write "Kota Bekasi". An ambiguous name raises
  :class:`AmbiguousRegion` listing its candidates.
* **Unknown** names raise :class:`UnknownRegion` with the closest names (``difflib``).

Each unit also has a short, unique **display name** (:attr:`RegionMatch.display`): the name without
"Kabupaten"/"Kota" when no other provinsi or kabupaten/kota shares it ("Mamuju", "Bukittinggi",
"Jakarta Selatan"), else the full name ("Kabupaten Bekasi", "Kota Bekasi", "Provinsi Jambi", "Kota Jambi");
provinsi under their usual names ("DKI Jakarta", "DI Yogyakarta"); kecamatan by their name when it is
unique in the whole list ("Ampenan"), else "Kecamatan <name>, <display name of its kabupaten/kota>".
Matching a display name gives the unit back. :func:`region_slug` makes a file-name slug from it.

Examples
--------
>>> m = match_region("KAB. BATANG HARI")
>>> m.code, m.name, m.level, m.province, m.display
('15.04', 'Kabupaten Batanghari', 'kabupaten', 'Jambi', 'Batanghari')
>>> match_region("Kota Bekasi").display, match_region("3216").display
('Kota Bekasi', 'Kabupaten Bekasi')
>>> match_region("Ampenan, Kota Mataram").kabupaten
'Kota Mataram'
>>> region_slug("Kabupaten Bekasi"), region_slug("Kota Bekasi"), region_slug("Kab. Mamuju")
('kab_bekasi', 'kota_bekasi', 'mamuju')
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ALIASES",
    "LEVELS",
    "AmbiguousRegion",
    "RegionError",
    "RegionMatch",
    "UnknownRegion",
    "all_regions",
    "match_region",
    "match_regions",
    "region_slug",
]

#: The levels, largest first.
LEVELS: tuple[str, ...] = ("provinsi", "kabupaten", "kota", "kecamatan")
_BIG = frozenset({"provinsi", "kabupaten", "kota"})

#: Other names in use, by official name (short names of provinsi, former names of kabupaten/kota).
ALIASES: dict[str, tuple[str, ...]] = {
    "Aceh": ("Nanggroe Aceh Darussalam", "NAD"),
    "Sumatera Utara": ("Sumut",),
    "Sumatera Barat": ("Sumbar",),
    "Sumatera Selatan": ("Sumsel",),
    "Kepulauan Riau": ("Kepri",),
    "Kepulauan Bangka Belitung": ("Bangka Belitung", "Babel"),
    "Daerah Khusus Ibukota Jakarta": ("DKI Jakarta", "DKI", "Jakarta", "Daerah Khusus Jakarta", "DK Jakarta"),
    "Jawa Barat": ("Jabar",),
    "Jawa Tengah": ("Jateng",),
    "Daerah Istimewa Yogyakarta": ("DI Yogyakarta", "DIY", "Yogyakarta", "Jogja", "Jogjakarta", "Yogya"),
    "Jawa Timur": ("Jatim",),
    "Nusa Tenggara Barat": ("NTB",),
    "Nusa Tenggara Timur": ("NTT",),
    "Kalimantan Barat": ("Kalbar",),
    "Kalimantan Tengah": ("Kalteng",),
    "Kalimantan Selatan": ("Kalsel",),
    "Kalimantan Timur": ("Kaltim",),
    "Kalimantan Utara": ("Kaltara",),
    "Sulawesi Utara": ("Sulut",),
    "Sulawesi Tengah": ("Sulteng",),
    "Sulawesi Selatan": ("Sulsel",),
    "Sulawesi Tenggara": ("Sultra",),
    "Sulawesi Barat": ("Sulbar",),
    "Maluku Utara": ("Malut",),
    "Kota Yogyakarta": ("Jogja", "Jogjakarta", "Yogya"),
    "Kota Surakarta": ("Solo",),
    "Kota Administrasi Jakarta Pusat": ("Jakpus",),
    "Kota Administrasi Jakarta Utara": ("Jakut",),
    "Kota Administrasi Jakarta Barat": ("Jakbar",),
    "Kota Administrasi Jakarta Selatan": ("Jaksel",),
    "Kota Administrasi Jakarta Timur": ("Jaktim",),
    "Kota Padangsidimpuan": ("Padang Sidempuan",),
    "Kabupaten Pasangkayu": ("Mamuju Utara",),
    "Kabupaten Toba": ("Toba Samosir",),
    "Kabupaten Kepulauan Tanimbar": ("Maluku Tenggara Barat",),
    "Kabupaten Kepulauan Selayar": ("Selayar",),
    "Kabupaten Sidenreng Rappang": ("Sidrap",),
    "Kabupaten Sijunjung": ("Sawahlunto Sijunjung",),
    "Kabupaten Ogan Komering Ulu": ("OKU",),
    "Kabupaten Ogan Komering Ulu Selatan": ("OKU Selatan",),
    "Kabupaten Ogan Komering Ulu Timur": ("OKU Timur",),
    "Kabupaten Ogan Komering Ilir": ("OKI",),
    "Kabupaten Pangkajene dan Kepulauan": ("Pangkep", "Pangkajene Kepulauan"),
    "Kabupaten Kepulauan Siau Tagulandang Biaro": ("Sitaro",),
    "Kabupaten Bulungan": ("Bulongan",),
    "Kabupaten Deiyai": ("Deliyai",),
    "Kabupaten Kepulauan Yapen": ("Yapen Waropen", "Yapen"),
}

#: Display names of provinsi whose official name is long.
_PROVINCE_DISPLAY = {"Daerah Khusus Ibukota Jakarta": "DKI Jakarta", "Daerah Istimewa Yogyakarta": "DI Yogyakarta"}

_WORD_FIX = {"kep": "kepulauan", "gn": "gunung", "tg": "tanjung", "tj": "tanjung", "sumatra": "sumatera"}
_PREFIXES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = tuple(
    (tuple(p.split()), frozenset(levels.split()))
    for p, levels in [
        ("kabupaten kota", "kabupaten kota"), ("kab kota", "kabupaten kota"),
        ("kabupaten administrasi", "kabupaten"), ("kabupaten adm", "kabupaten"), ("kab administrasi", "kabupaten"),
        ("kab adm", "kabupaten"), ("kabupaten", "kabupaten"), ("kab", "kabupaten"), ("pemkab", "kabupaten"),
        ("kota administrasi", "kota"), ("kota adm", "kota"), ("kota madya", "kota"), ("kotamadya", "kota"),
        ("kodya", "kota"), ("kotif", "kota"), ("kota", "kota"), ("pemkot", "kota"),
        ("provinsi", "provinsi"), ("propinsi", "provinsi"), ("prov", "provinsi"), ("prop", "provinsi"),
        ("pemprov", "provinsi"), ("kecamatan", "kecamatan"), ("kec", "kecamatan"),
    ]
)
_CODE = re.compile(r"\d{2}(?:[.\s-]?\d{2}){0,4}")
_IGNORED_CONTEXT = frozenset({"indonesia", "ri", "republikindonesia", "nkri"})
_DATA_FILE = "wilayah.csv"


# ------------------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class RegionMatch:
    """One unit of the list.

    Attributes
    ----------
    code : str
        Kemendagri code with dots: ``"76"``, ``"76.02"``, ``"52.71.01"``.
    name : str
        Official name: ``"Sulawesi Barat"``, ``"Kabupaten Mamuju"``, ``"Ampenan"``.
    level : str
        ``"provinsi"``, ``"kabupaten"``, ``"kota"`` or ``"kecamatan"``.
    display : str
        Short unique display name (see the module notes): ``"Mamuju"``, ``"Kota Bekasi"``, ``"DKI Jakarta"``.
    province : str
        Official name of its provinsi (its own name for a provinsi).
    kabupaten : str or None
        Official name of the kabupaten/kota that contains a kecamatan; None for the other levels.
    """

    code: str
    name: str
    level: str
    display: str
    province: str
    kabupaten: str | None = None

    @property
    def slug(self) -> str:
        """File-name slug (see :func:`region_slug`)."""
        return _slug(self.display)


class RegionError(ValueError):
    """A region that cannot be matched. ``reason`` is a readable message; ``value`` the text given."""

    def __init__(self, reason: str, value: object = None, candidates: tuple[RegionMatch, ...] = (),
                 suggestions: tuple[str, ...] = ()):
        self.reason = reason
        self.value = value
        self.candidates = candidates
        self.suggestions = suggestions
        super().__init__(reason if value is None else f"{reason} (got {str(value)[:80]!r})")


class UnknownRegion(RegionError):
    """No unit has that name (or code). ``suggestions`` holds the display names of the closest ones."""


class AmbiguousRegion(RegionError):
    """Several units have that name. ``candidates`` holds them (:class:`RegionMatch`)."""


# ------------------------------------------------------------------------------------------------ index
def _words(text: str) -> list[str]:
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"['\u2018\u2019\u02bc`\"]", "", s)
    return [_WORD_FIX.get(w, w) for w in re.findall(r"[a-z0-9]+", s)]


def _key(text: str) -> str:
    return "".join(_words(text))


def _bare(name: str) -> str:
    return re.sub(r"^(?:Kabupaten Administrasi|Kota Administrasi|Kabupaten|Kota) ", "", name)


def _slug(display: str) -> str:
    words = _words(display)
    words = [{"kabupaten": "kab", "kecamatan": "kec", "provinsi": "prov"}.get(w, w) for w in words]
    return "_".join(words)


@dataclass(frozen=True)
class _Index:
    matches: tuple[RegionMatch, ...]
    parent: tuple[int, ...]  # index of the parent unit, -1 for a provinsi
    by_code: dict[str, int]  # digits only
    by_key: dict[str, tuple[int, ...]]
    keys: tuple[str, ...]  # every lookup key, for suggestions
    big: np.ndarray  # bool per key: a provinsi or kabupaten/kota has it
    grams: dict[str, np.ndarray]  # trigram -> positions in ``keys``


def _level_of(code: str, name: str) -> str:
    n = code.count(".")
    if n == 0:
        return "provinsi"
    if n == 1:
        return "kabupaten" if name.startswith("Kabupaten ") else "kota"
    return "kecamatan"


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    text = resources.files("evalkit.data").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    codes = [r["code"] for r in rows]
    names = [r["name"] for r in rows]
    levels = [_level_of(c, n) for c, n in zip(codes, names, strict=True)]
    pos = {c: i for i, c in enumerate(codes)}
    parent = [pos[c.rsplit(".", 1)[0]] if "." in c else -1 for c in codes]
    by_name = {n: i for i, n in enumerate(names) if levels[i] in _BIG}
    keys: list[list[str]] = []
    for n, lev in zip(names, levels, strict=True):
        ks = [_key(n)]
        if lev in ("kabupaten", "kota"):
            ks.append(_key(_bare(n)))
        if n in _PROVINCE_DISPLAY:
            ks.append(_key(_PROVINCE_DISPLAY[n]))
        keys.append(ks)
    for official, alts in ALIASES.items():
        if official not in by_name:  # pragma: no cover - guarded by a test
            raise KeyError(f"alias table names {official!r}, which is not in {_DATA_FILE}")
        keys[by_name[official]] += [_key(a) for a in alts]
    by_key: dict[str, list[int]] = {}
    for i, ks in enumerate(keys):
        for k in dict.fromkeys(ks):
            by_key.setdefault(k, []).append(i)
    # display names
    big_keys: dict[str, set[int]] = {}
    for i, ks in enumerate(keys):
        if levels[i] in _BIG:
            for k in ks:
                big_keys.setdefault(k, set()).add(i)
    display = [""] * len(rows)
    for i, n in enumerate(names):
        if levels[i] == "provinsi":
            short = _PROVINCE_DISPLAY.get(n, n)
            display[i] = short if big_keys[_key(short)] == {i} else f"Provinsi {n}"
        elif levels[i] in ("kabupaten", "kota"):
            short = _bare(n)
            display[i] = short if big_keys[_key(short)] == {i} else n.replace(" Administrasi ", " ")
    for i, n in enumerate(names):
        if levels[i] == "kecamatan":
            display[i] = n if len(by_key[_key(n)]) == 1 else f"Kecamatan {n}, {display[parent[i]]}"

    def province_of(i: int) -> int:
        while parent[i] >= 0:
            i = parent[i]
        return i

    matches = tuple(
        RegionMatch(codes[i], names[i], levels[i], display[i], names[province_of(i)],
                    names[parent[i]] if levels[i] == "kecamatan" else None)
        for i in range(len(rows))
    )
    all_keys = tuple(by_key)
    big = np.array([any(levels[i] in _BIG for i in by_key[k]) for k in all_keys], dtype=bool)
    grams: dict[str, list[int]] = {}
    for j, k in enumerate(all_keys):
        for g in _grams(k):
            grams.setdefault(g, []).append(j)
    return _Index(matches, tuple(parent), {c.replace(".", ""): i for i, c in enumerate(codes)},
                  {k: tuple(v) for k, v in by_key.items()}, all_keys, big,
                  {g: np.asarray(v, dtype=np.int32) for g, v in grams.items()})


def _grams(key: str) -> set[str]:
    k = f"^{key}$"
    return {k[i:i + 3] for i in range(len(k) - 2)}


def all_regions(level: str | Iterable[str] | None = None) -> list[RegionMatch]:
    """Every unit of the list (optionally of one level or several), in code order.

    Examples
    --------
    >>> len(all_regions("provinsi")), len(all_regions(("kabupaten", "kota")))
    (38, 514)
    """
    units = _index().matches
    if level is None:
        return list(units)
    wanted = {level} if isinstance(level, str) else set(level)
    unknown = wanted - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown level(s) {sorted(unknown)}; expected some of {LEVELS}")
    return [m for m in units if m.level in wanted]


# ------------------------------------------------------------------------------------------------ matching
def _describe(m: RegionMatch) -> str:
    where = m.kabupaten or m.province
    return f"{m.display} ({m.level} {m.code}" + (f", {where})" if m.level != "provinsi" else ")")


def _suggest(key: str, levels: frozenset[str] | None) -> tuple[str, ...]:
    """Display names of the units closest to ``key``: the 40 keys sharing most trigrams, ranked by ``difflib``;
    units of the prefixed level first (else provinsi and kabupaten/kota first)."""
    ix = _index()
    if not key:
        return ()
    posts = [ix.grams[g] for g in _grams(key) if g in ix.grams]
    if not posts:
        return ()
    counts = np.bincount(np.concatenate(posts), minlength=len(ix.keys))
    if levels is not None and not levels & _BIG:
        counts[ix.big] = 0
    top = np.argsort(-counts, kind="stable")[:40]
    pool = [ix.keys[j] for j in top.tolist() if counts[j] > 0]
    units = [ix.matches[i] for k in difflib.get_close_matches(key, pool, n=5, cutoff=0.75) for i in ix.by_key[k]]
    for wanted in (levels, _BIG, None):
        chosen = [m.display for m in units if wanted is None or m.level in wanted]
        if chosen:
            return tuple(dict.fromkeys(chosen))[:5]
    return ()


def _strip_prefix(words: list[str]) -> tuple[frozenset[str] | None, list[str]]:
    if words and words[0] == "pemerintah":
        words = words[1:]
    for pre, levels in _PREFIXES:
        if tuple(words[: len(pre)]) == pre and len(words) > len(pre):
            return levels, words[len(pre):]
    return None, words


def _candidates(text: str) -> tuple[list[list[int]], frozenset[str] | None, str]:
    """The readings of ``text`` in order of preference (each a list of unit indexes), the level prefix given
    (or None) and the lookup key. A prefixed name has two readings: the prefixed level ("Kota Padang" the
    kota) and, second, the whole text as a name (the kecamatan Kota Padang in Rejang Lebong)."""
    ix = _index()
    s = text.strip()
    if _CODE.fullmatch(s):
        digits = re.sub(r"\D", "", s)
        if len(digits) == 10:
            raise UnknownRegion("desa/kelurahan codes are not supported; give the kecamatan or kabupaten/kota",
                                text)
        if digits in ix.by_code:
            return [[ix.by_code[digits]]], None, digits
        raise UnknownRegion(f"unknown region code {s!r} (codes look like '76', '76.02' or '76.02.01')", text)
    words = _words(s)
    levels, rest = _strip_prefix(words)
    key = "".join(rest)
    if levels is None:
        return [list(ix.by_key.get(key, ()))], None, key
    prefixed = [i for i in ix.by_key.get(key, ()) if ix.matches[i].level in levels]
    return [prefixed, list(ix.by_key.get("".join(words), ()))], levels, key


def _inside(i: int, containers: set[int]) -> bool:
    parent = _index().parent
    while i >= 0:
        if i in containers:
            return True
        i = parent[i]
    return False


def _context_units(ctx: Any) -> set[int] | None:
    """The units a context (name, code or match) may mean; None for a context to ignore ("Indonesia")."""
    ix = _index()
    if isinstance(ctx, RegionMatch):
        return {ix.by_code[ctx.code.replace(".", "")]}
    text = str(ctx).strip()
    if not text or _key(text) in _IGNORED_CONTEXT:
        return None
    readings, levels, key = _candidates(text)
    for reading in readings:
        if reading:
            big = {i for i in reading if ix.matches[i].level in _BIG}
            return big or set(reading)  # larger units first, as for the region itself
    raise UnknownRegion(f"unknown larger area {text!r}", text, suggestions=_suggest(key, levels))


def _resolve(value: str, contexts: tuple[Any, ...]) -> RegionMatch:
    ix = _index()
    parts = [p.strip() for p in value.split(",")]
    name, ctx_texts = parts[0], [p for p in parts[1:] if p]
    if not name:
        raise UnknownRegion("empty region name", value)
    readings, levels, key = _candidates(name)
    if not any(readings):
        sugg = _suggest(key, levels)
        hint = f"; closest: {', '.join(sugg)}" if sugg else ""
        lev = "/".join(sorted(levels, key=LEVELS.index)) if levels else "region"
        raise UnknownRegion(f"unknown region: no {lev} named {name!r} in the Kemendagri list{hint}", value,
                            suggestions=sugg)
    areas = [(ctx, u) for ctx in (*ctx_texts, *contexts) if (u := _context_units(ctx)) is not None]
    found: list[int] = []
    for reading in readings:
        found = [i for i in reading if all(_inside(i, u) for _, u in areas)]
        if found:
            levels = levels if reading is readings[0] else None
            break
    if not found:
        every = [i for r in readings for i in r]
        where = ", ".join(_describe(ix.matches[i]) for i in every[:5])
        shown = " and ".join(repr(c.display if isinstance(c, RegionMatch) else c) for c, _ in areas)
        raise UnknownRegion(f"no region named {name!r} in {shown} (found: {where})", value,
                            candidates=tuple(ix.matches[i] for i in every))
    if levels is None and len(found) > 1 and any(ix.matches[i].level in _BIG for i in found):
        found = [i for i in found if ix.matches[i].level in _BIG]  # larger units first
    if len(found) == 1:
        return ix.matches[found[0]]
    cands = tuple(ix.matches[i] for i in found)
    shown = "; ".join(_describe(m) for m in cands[:6]) + (f"; and {len(cands) - 6} more" if len(cands) > 6 else "")
    if all(m.level == "kecamatan" for m in cands):
        advice = "add the kabupaten/kota after a comma, e.g. " + repr(f"{name}, {_kab_display(cands[0])}")
    else:
        advice = "write it with its prefix, e.g. " + " or ".join(repr(m.display) for m in cands[:3])
    raise AmbiguousRegion(f"ambiguous region {name!r}: {len(cands)} places have this name ({shown}); {advice}",
                          value, candidates=cands)


def _kab_display(m: RegionMatch) -> str:
    ix = _index()
    return ix.matches[ix.parent[ix.by_code[m.code.replace(".", "")]]].display


@functools.lru_cache(maxsize=65536)
def _match_cached(value: str, contexts: tuple[Any, ...]) -> RegionMatch | RegionError:
    try:
        return _resolve(value, contexts)
    except RegionError as e:
        return e


def _context_tuple(within: Any) -> tuple[Any, ...]:
    if within is None:
        return ()
    if isinstance(within, (str, RegionMatch)):
        return (within,)
    if isinstance(within, (int, np.integer)):
        return (str(within),)
    return tuple(w if isinstance(w, RegionMatch) else str(w) for w in within if w is not None)


def match_region(text: object, *, within: Any = None) -> RegionMatch:
    """Match a provinsi, kabupaten/kota or kecamatan written in any common spelling, or its code.

    Parameters
    ----------
    text : str or int
        ``"Kab. Batang Hari"``, ``"Kota Bekasi"``, ``"Ampenan, Kota Mataram"``, ``"76.02"``, ``7602``. Parts
        after a comma name larger areas that contain it (see ``within``).
    within : str, RegionMatch or iterable of them, optional
        Larger area(s) the region lies in (or is): a provinsi or kabupaten/kota name or code, e.g. from another
        column of the same file. Only candidates inside every given area are kept.

    Returns
    -------
    RegionMatch

    Raises
    ------
    UnknownRegion
        No unit has that name or code (``suggestions`` lists the closest), or none lies in ``within``.
    AmbiguousRegion
        Several units match (``candidates``), e.g. "Bekasi" (Kabupaten and Kota Bekasi).

    Examples
    --------
    >>> match_region("Kec. Karanganyar", within="Kabupaten Demak").code
    '33.21.09'
    >>> try:
    ...     match_region("Bekasi")
    ... except AmbiguousRegion as e:
    ...     [m.display for m in e.candidates]
    ['Kabupaten Bekasi', 'Kota Bekasi']
    """
    if isinstance(text, (bool, np.bool_)) or text is None:
        raise UnknownRegion("expected a region name or code", text)
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = unicodedata.normalize("NFKC", str(text)).replace("\u00a0", " ").strip()
    if len(s) > 200:
        raise UnknownRegion("unknown region: text too long for a region name", text)
    res = _match_cached(s, _context_tuple(within))
    if isinstance(res, RegionError):
        raise type(res)(res.reason, text, res.candidates, res.suggestions)
    return res


def match_regions(values: pd.Series | Iterable[Any], *, within: Any = None) -> pd.DataFrame:
    """:func:`match_region` for a whole column, matching each distinct (value, within) pair once.

    Parameters
    ----------
    values : pandas.Series or iterable
    within : scalar, or a Series / sequence aligned with ``values`` (a per-row larger area), optional

    Returns
    -------
    pandas.DataFrame
        Same index as ``values``; columns ``code``, ``name``, ``level``, ``display``, ``province``,
        ``kabupaten`` (None where not matched or missing) and ``error`` (the reason, None where matched or
        the cell is missing).

    Examples
    --------
    >>> match_regions(["Kab. Mamuju", "Kota Bekasi", "Bekasih", None])[["display", "level"]].values.tolist()
    [['Mamuju', 'kabupaten'], ['Kota Bekasi', 'kota'], [None, None], [None, None]]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    cols = ["code", "name", "level", "display", "province", "kabupaten", "error"]
    vals = s.astype(object).to_numpy()
    missing = pd.isna(vals) | np.fromiter((isinstance(x, str) and not x.strip() for x in vals), bool, len(vals))
    if within is None or isinstance(within, (str, RegionMatch)):
        ctx = None
        codes, _ = pd.factorize(pd.Series(vals).where(~missing, None).astype(object), use_na_sentinel=True)
    else:
        ctx = np.asarray(list(within), dtype=object)
        if len(ctx) != len(vals):
            raise ValueError(f"within has {len(ctx)} values for {len(vals)} regions")
        joined = np.array([None if miss else f"{v}\x00{c}" for v, c, miss in zip(vals, ctx, missing, strict=True)],
                          dtype=object)
        codes, _ = pd.factorize(joined, use_na_sentinel=True)
    codes = np.asarray(codes)
    n_u = int(codes.max()) + 1 if len(codes) else 0
    first = np.full(n_u, -1, dtype=np.int64)
    ok = codes >= 0
    first[codes[ok][::-1]] = np.flatnonzero(ok)[::-1]  # first row of each distinct pair
    table = np.full((n_u + 1, len(cols)), None, dtype=object)  # the last row: missing cells
    for j, row in enumerate(first.tolist()):
        c = within if ctx is None else ctx[row]
        if c is not None and not isinstance(c, RegionMatch) and pd.isna(c):
            c = None
        try:
            m = match_region(vals[row], within=c)
            table[j, :-1] = [m.code, m.name, m.level, m.display, m.province, m.kabupaten]
        except RegionError as e:
            table[j, -1] = e.reason
    return pd.DataFrame(table[codes], index=s.index, columns=cols, dtype=object)


def region_slug(region: object, *, within: Any = None) -> str:
    """A distinct, stable file-name slug of a region: the words of its display name, lower case, joined by
    ``_``, with "Kabupaten"/"Kecamatan"/"Provinsi" shortened to ``kab``/``kec``/``prov``.

    Every unit of the list has its own slug ("kab_bekasi" and "kota_bekasi"; "mamuju"; "dki_jakarta";
    "kec_karanganyar_kab_demak"). The slug changes only if the list gains a unit of the same name.

    Examples
    --------
    >>> region_slug("Kabupaten Bekasi"), region_slug("Kota Bekasi"), region_slug("Provinsi DKI Jakarta")
    ('kab_bekasi', 'kota_bekasi', 'dki_jakarta')
    """
    m = region if isinstance(region, RegionMatch) else match_region(region, within=within)
    return m.slug
