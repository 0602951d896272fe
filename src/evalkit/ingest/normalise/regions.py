"""Region names: a provinsi, kabupaten/kota or kecamatan in any common spelling -> its canonical name (see
:mod:`evalkit.ingest.regions` for the list and the matching rules)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import numpy as np

from evalkit.ingest.normalise.common import NormaliseError, _clean_str

# ---------------------------------------------------------------------------------------------- regions

_LEVEL_WORD = {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota", "kecamatan": "Kecamatan"}


@functools.lru_cache(maxsize=8)
def _region_names(items: tuple[tuple[str, tuple[str, str | None, str]], ...]) -> dict[str, str]:
    """Kemendagri code -> the caller's own name, for a ``regions`` table of :func:`parse_region`."""
    from evalkit.ingest.regions import RegionError, match_region

    out: dict[str, str] = {}
    for name, (level, parent, province) in items:
        word = _LEVEL_WORD.get(level)
        text = f"{word} {name}" if word and not name.casefold().startswith(word.casefold()) else name
        try:
            m = match_region(text, within=[w for w in (parent, province) if w and w != name])
        except RegionError as e:
            raise NormaliseError(f"region table: {name!r} is not a {level or 'region'} of Indonesia ({e.reason})")
        out[m.code] = name
    return out


def parse_region(value: object, regions: Mapping[str, tuple[str, str | None, str]] | None = None) -> str:
    """A provinsi, kabupaten/kota or kecamatan of Indonesia in any common spelling -> its canonical name.

    The canonical name is the region's short display name from the Kemendagri list
    (:attr:`evalkit.ingest.regions.RegionMatch.display`): "Mamuju", "Batanghari", "DKI Jakarta",
    "Bukittinggi", "Jakarta Selatan", and the full name where a short one would be shared ("Kabupaten
    Bekasi", "Kota Bekasi"). Prefixes (Kab./Kabupaten/Kota/Prov./Provinsi/Kec.), case, dots and spaces are
    ignored, joined and split words are equal, and codes are read ("76.02", "7602"); see
    :func:`evalkit.ingest.regions.match_region` for every rule. Parts after a comma name the larger area
    ("Ampenan, Kota Mataram"); text in parentheses is ignored. Names are matched whole, so "Mamuju Tengah"
    (a different kabupaten) is not Mamuju.

    Parameters
    ----------
    value : str or int
    regions : mapping, optional
        Canonical name -> (level, parent, province) of regions to be called by the caller's own name
        instead of the display name (the shape of ``config.REGIONS``). Every other region keeps its
        display name; this is a naming table, not a list of allowed regions.

    Raises
    ------
    NormaliseError
        For an unknown name ("unknown region: ...; closest: ...") and for an ambiguous one ("ambiguous
        region 'Bekasi': 2 places have this name (...)"), naming the candidates.

    Examples
    --------
    >>> parse_region("Kec. Ampenan"), parse_region("Ampenan, Kota Mataram"), parse_region("KAB. MAMUJU")
    ('Ampenan', 'Ampenan', 'Mamuju')
    >>> parse_region("Kota Bekasi"), parse_region("3216"), parse_region("Kota Adm. Jakarta Selatan")
    ('Kota Bekasi', 'Kabupaten Bekasi', 'Jakarta Selatan')
    """
    from evalkit.ingest.regions import RegionError, match_region

    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        value = str(value)
    if not isinstance(value, str):
        raise NormaliseError("unknown region: expected a region name or code", value)
    s = re.sub(r"\([^)]*\)", " ", _clean_str(value)).strip(" ,")
    if not s or len(s) > 100:
        raise NormaliseError("unknown region: expected a region name or code", value)
    try:
        m = match_region(s)
    except RegionError as e:
        raise NormaliseError(e.reason, value) from None
    if regions:
        return _region_names(tuple(regions.items())).get(m.code, m.display)
    return m.display
