"""Field instruments that come back clean: XLSForms for KoboToolbox/ODK and Excel templates.

``evalkit instruments --out DIR [--lang id,en]`` writes

* ``DIR/xlsform/xlsform_<form>.xlsx``: the L1 reaction questionnaire, the L3 follow-up, the SKM
  (PermenPANRB 14/2017) and the invitation/attendance questionnaire (:mod:`evalkit.instruments.forms`);
* ``DIR/templates/<table>.xlsx``: one Excel template per table kept by offices (employees, programmes,
  attendance, pre/post tests, budgets, service logs, interview notes, and the reaction, follow-up and SKM
  questionnaires for answers collected on paper; :mod:`evalkit.instruments.templates`).

Exports of the forms (XML names or labels, in either language, with Kobo's meta columns) and filled-in
templates are read by ``evalkit check`` / ``evalkit clean`` without a mapping, once their file names start with
the table's prefix (``survei_reaksi``, ``evaluasi_pasca``, ``skm``, ``peserta``; the templates already do).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evalkit.instruments.forms import FORMS, LANGUAGES, parse_langs, write_xlsforms
from evalkit.instruments.templates import TEMPLATES, write_templates

__all__ = [
    "FORMS",
    "LANGUAGES",
    "TEMPLATES",
    "parse_langs",
    "write_instruments",
    "write_templates",
    "write_xlsforms",
]


def write_instruments(out: str | Path, langs: Sequence[str] | str = ("id", "en"),
                      programmes: Sequence[tuple[str, ...]] | None = None,
                      regions: Sequence[str] | None = None, year: int | None = None) -> dict[str, list[Path]]:
    """Write the XLSForms to ``out/xlsform`` and the Excel templates to ``out/templates``.

    ``langs``: ``("id",)``, ``("en",)`` or both (the first is the forms' default language).
    ``programmes``: (code, title) rows for the forms' programme list (default: one marked example to replace).
    ``regions``: the office's regions for the SKM form's region list and the templates' drop-downs (any spelling
    of any region of Indonesia; default: one marked example in the form, free text in the templates).
    ``year``: the SKM survey periods offered are the semesters of the year before, this year and the next
    (default: the current calendar year; give it to rebuild the same forms later).
    Returns ``{"xlsform": [...], "templates": [...]}``.
    """
    langs = parse_langs(langs)
    out = Path(out)
    return {"xlsform": write_xlsforms(out / "xlsform", langs, programmes, regions=regions, year=year),
            "templates": write_templates(out / "templates", langs=langs, regions=regions)}
