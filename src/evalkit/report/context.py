"""What the data cannot say: each region's background, the aims of its programmes, who issues the report.

The region report (:mod:`evalkit.report.region`) writes only what the canonical tables show. The words that no
table holds (why the programmes were run, what they aim at, whose report it is, any targets the office set)
come from an optional *context file* placed beside the raw field files. Without one, the report's background
and aims are short sentences built from the data alone, and no synthetic-data notice is printed.

File
----
``konteks.json`` (or ``context.json``; the first one found is used) in the raw folder
(``config.paths()["raw"]``, i.e. ``data/raw/`` or ``EVALKIT_RAW_DIR``). UTF-8 JSON::

    {
      "synthetic": false,
      "issuer": {"id": "BKPSDM Kabupaten Contoh", "en": "BKPSDM of Contoh Regency"},
      "regions": {
        "Contoh": {
          "background": {"id": "Latar belakang program ...", "en": "Background of the programmes ..."},
          "aims": {"id": "Pelatihan bertujuan ...", "en": "Training aims to ..."},
          "issuer": {"id": "...", "en": "..."},
          "spotlight": "services",
          "focus_unit": "Dinas Kependudukan dan Pencatatan Sipil",
          "conclusion": {"id": "...", "en": "..."},
          "targets": [{"indicator": "wait_minutes", "value": 20, "year": 2024}]
        }
      }
    }

Keys (all optional):

=================  ==========================================================================================
key                meaning
=================  ==========================================================================================
``synthetic``      true when the field files are synthetic (the demo): the report then says so at the top.
``issuer``         who issues the report (the BKPSDM, BPSDM, an evaluation team): shown under the title. A
                   region's own ``issuer`` overrides the top-level one.
``regions``        one entry per region, keyed by the canonical region name as it appears in the cleaned
                   tables (``region`` column).
``background``     Latar Belakang: why the region runs these programmes (Indonesian ``id``, English ``en``).
``aims``           Tujuan: what the programmes aim at (``id``, ``en``). ``objectives`` is accepted as a synonym.
``spotlight``      the focus section to tell (one of :data:`evalkit.report.region.SPOTLIGHTS`); without it
                   the report chooses from the data (:func:`evalkit.report.region.choose_spotlight`).
``focus_unit``     a service unit (as in the ``unit`` column) whose own change in processing time after its
                   staff were trained is shown in the focus section.
``conclusion``     one closing remark of the office, printed in the conclusion as the issuer's words.
``targets``        list of ``{"indicator", "value", "year"}`` (``year`` optional) with ``indicator`` one of
                   :data:`TARGET_INDICATORS`; the results section compares each with the measured value, and
                   the summary's key-indicator table uses it instead of the default target of that indicator
                   (:func:`evalkit.report.region.key_indicators`).
``translations``   top level: English translations of interview sentences, ``{"Indonesian sentence": "English"}``;
                   an English report shows a quote translated, with the original beside it, when every sentence
                   of the quote is found here (:func:`translate_quote`), else the original with a note.
``actions``        the office's own action plan per recommendation: ``{rule_id: {"owner", "timeframe",
                   "cost"}}`` (rule ids of :data:`evalkit.report.recommend.ACTIONS`); replaces evalkit's default
                   proposal for that rule in the report's action table.
=================  ==========================================================================================

A text value may be a plain string (used for both languages) or ``{"id": ..., "en": ...}``; a missing
language falls back to the other one. ``{region}`` in a text is replaced by the region name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

__all__ = ["CONTEXT_FILES", "TARGET_INDICATORS", "load_context", "region_context", "text_of", "translate_quote",
           "validate_context"]

#: File names looked for in the raw folder, in this order.
CONTEXT_FILES: tuple[str, ...] = ("konteks.json", "context.json")
#: Indicators a target may name: indicator -> (direction that meets the target, unit key).
TARGET_INDICATORS: dict[str, tuple[str, str]] = {
    "wait_minutes": ("lower", "minutes"),
    "processing_days": ("lower", "days"),
    "ikm": ("higher", ""),
    "attendance_rate": ("higher", "share"),
    "jp_compliance": ("higher", "share"),
    "reaction_agree": ("higher", "share"),
    "learning_gain": ("higher", "points"),
    "application_share": ("higher", "share"),
    "budget_realisation": ("higher", "share"),
}
_TEXT_KEYS = ("background", "aims", "objectives", "issuer", "conclusion")


def validate_context(ctx: Mapping) -> dict:
    """Check a parsed context file and return it as a plain dict (``objectives`` renamed ``aims``).

    Raises
    ------
    ValueError
        Not an object, ``regions`` not an object, a text neither a string nor an ``{"id", "en"}`` object,
        or a target with an unknown indicator or a non-numeric value.
    """
    if not isinstance(ctx, Mapping):
        raise ValueError("the context file must hold a JSON object")
    out = dict(ctx)
    out["synthetic"] = bool(out.get("synthetic", False))
    regions = out.get("regions")
    regions = {} if regions is None else regions
    if not isinstance(regions, Mapping):
        raise ValueError("'regions' in the context file must be an object: region name -> entry")
    clean = {}
    for name, entry in regions.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"context entry of region {name!r} must be an object")
        e = dict(entry)
        if "objectives" in e and "aims" not in e:
            e["aims"] = e.pop("objectives")
        for k in _TEXT_KEYS:
            if k in e and not isinstance(e[k], (str, Mapping)):
                raise ValueError(f"context of {name!r}: {k!r} must be a string or {{'id': ..., 'en': ...}}")
        for tg in e.get("targets") or []:
            if not isinstance(tg, Mapping) or tg.get("indicator") not in TARGET_INDICATORS:
                raise ValueError(f"context of {name!r}: each target needs an 'indicator' among "
                                 f"{sorted(TARGET_INDICATORS)}, got {tg!r}")
            try:
                float(tg["value"])
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"context of {name!r}: target {tg!r} needs a numeric 'value'") from None
        actions = e.get("actions") or {}
        if not isinstance(actions, Mapping) or any(
                not isinstance(a, Mapping) or set(a) - {"owner", "timeframe", "cost"} for a in actions.values()):
            raise ValueError(f"context of {name!r}: 'actions' must map a recommendation rule id to "
                             "{'owner': ..., 'timeframe': ..., 'cost': ...}")
        clean[str(name)] = e
    out["regions"] = clean
    tr = out.get("translations") or {}
    if not isinstance(tr, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tr.items()):
        raise ValueError("'translations' must map an Indonesian sentence to its English translation (both strings)")
    if "issuer" in out and not isinstance(out["issuer"], (str, Mapping)):
        raise ValueError("'issuer' must be a string or {'id': ..., 'en': ...}")
    return out


def load_context(raw_dir=None) -> dict:
    """The context file of the raw folder as a dict (see the module docstring), or ``{}`` when there is none.

    Parameters
    ----------
    raw_dir : path, optional
        Folder of the raw field files; default ``config.paths()["raw"]``.
    """
    if raw_dir is None:
        from evalkit.config import paths

        raw_dir = paths()["raw"]
    for name in CONTEXT_FILES:
        path = Path(raw_dir) / name
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{name}: not valid JSON ({exc})") from None
            return validate_context(data)
    return {}


def region_context(ctx: Mapping | None, region: str) -> dict:
    """One region's entry of a loaded context, with the top-level ``synthetic`` and ``issuer`` filled in."""
    ctx = validate_context(ctx or {})
    entry = dict(ctx["regions"].get(region, {}))
    entry.setdefault("issuer", ctx.get("issuer"))
    if ctx.get("translations"):
        entry.setdefault("translations", ctx["translations"])
    entry["synthetic"] = ctx["synthetic"]
    return entry


def text_of(value, lang: str, region: str = "") -> str | None:
    """A context text in ``lang`` (plain string or ``{"id", "en"}``), ``{region}`` filled; None if absent."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        text = value.get(lang) or value.get("id") or value.get("en")
    else:
        text = str(value)
    if not text:
        return None
    return str(text).replace("{region}", region)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?").strip().casefold()


def translate_quote(quote: str, translations: Mapping[str, str] | None) -> str | None:
    """The English of a quote when every sentence of it is in ``translations``, else None.

    Sentences are matched ignoring case, spacing and the final full stop. A sentence that opens with a short
    clause ("Menurut saya, ...") is matched as that clause and the rest, each of which must be in
    ``translations``; the rest may start in lower case.

    >>> tr = {"Anggarannya terbatas.": "The budget is limited.", "Menurut saya": "In my view"}
    >>> translate_quote("Menurut saya, anggarannya terbatas.", tr)
    'In my view, the budget is limited.'
    >>> translate_quote("Anggarannya terbatas. Jadwalnya bentrok.", tr) is None
    True
    """
    if not translations:
        return None
    table = {_norm(k): v.strip() for k, v in translations.items()}
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", quote.strip()):
        if not sentence:
            continue
        en = table.get(_norm(sentence))
        if en is None and ", " in sentence:
            head, rest = sentence.split(", ", 1)
            h, r = table.get(_norm(head)), table.get(_norm(rest))
            if h is not None and r is not None:
                en = f"{h.rstrip(',')}, {r[:1].lower() + r[1:]}"
        if en is None:
            return None
        out.append(en)
    return " ".join(out) if out else None
