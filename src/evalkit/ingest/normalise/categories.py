"""Categories (one of a field's levels, with synonyms), free text and identifier codes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from evalkit.ingest.normalise.common import NormaliseError, _clean_str

# ---------------------------------------------------------------------------------------------- categories


def _cat_key(value: object) -> str:
    return re.sub(r"\s+", "", _clean_str(value).casefold())


def parse_category(value: object, levels: Sequence[str], value_map: Mapping[str, str] | None = None) -> str:
    """One of ``levels``, after mapping synonyms in ``value_map``; case and spaces are ignored.

    Examples
    --------
    >>> parse_category("tatap muka", ["klasikal", "e-learning"], {"tatap muka": "klasikal"})
    'klasikal'
    >>> parse_category(" III / a ", ["III/a", "III/b"])
    'III/a'
    """
    table = {_cat_key(v): v for v in levels}
    for k, v in (value_map or {}).items():
        table.setdefault(_cat_key(k), v)
    if not isinstance(value, str):
        value = str(value)
    k = _cat_key(value)
    if k in table:
        return table[k]
    shown = ", ".join(levels)
    raise NormaliseError(f"expected one of: {shown}", value)


def parse_text(value: object) -> str:
    """Free text: Unicode-normalised (NFC) and stripped."""
    s = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFC", s).replace("\ufeff", "").strip()


def parse_id(value: object) -> str:
    """An identifier code: stripped, inner blanks collapsed, upper-cased ("pel-001 " -> "PEL-001")."""
    s = re.sub(r"\s+", " ", _clean_str(value)).upper()
    if not s:
        raise NormaliseError("empty identifier", value)
    return s
