"""The run's front page, ``reports/index.html``: every analysis notebook and every region report, linked.

The page is the Jinja2 template ``index.html.tpl`` with the style sheet ``index.css`` (both beside this module);
this module only decides what each row says. A failed step is marked and not linked (its HTML, if any, is from
an earlier run); a step reused from the last run is marked unchanged; a step that was not run says which table
it needed. Region reports are one row per region with one column per language.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evalkit._util import atomic_write

if TYPE_CHECKING:
    from evalkit.pipeline import Step

__all__ = ["write_index"]

_LANG_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
_REPORT_WORD = {"id": "Laporan", "en": "Report"}
_HERE = Path(__file__).parent


def write_index(steps: list[Step], reports_dir: Path, failed: list[str] | None = None,
                reused: list[str] | None = None, not_run: dict[str, str] | None = None) -> Path:
    """Write ``reports/index.html`` linking every rendered notebook and region report.

    ``failed`` steps are marked and not linked (their HTML, if any, is from an earlier run); ``reused`` steps
    are marked as unchanged since the last run; ``not_run`` maps a step to the tables it lacked."""
    from markupsafe import escape

    failed = list(failed or []) + list(not_run or {})
    reused, not_run = set(reused or []), dict(not_run or {})

    def mark(name: str) -> str:
        if name in not_run:
            return (f'<span class="muted">(tidak dijalankan: perlu tabel {escape(not_run[name])} / '
                    f'not run: needs the {escape(not_run[name])} table)</span>')
        if name in failed:
            return '<span class="failed">(gagal / failed)</span>'
        return '<span class="muted">(tidak berubah / unchanged)</span>' if name in reused else ""

    notebooks = [{"title": s.title, "file": s.notebook.name, "mark": mark(s.name),
                  "href": None if s.name in failed else f"{s.output}.html"}
                 for s in steps if not s.parameters]
    regional = [s for s in steps if s.parameters]
    langs = sorted({s.parameters.get("lang") for s in regional if "lang" in s.parameters},
                   key=lambda x: (x != "id", x)) or [None]
    by_row: dict[tuple, dict] = {}
    for s in regional:  # one row per parameter set without the language
        key = tuple((k, v) for k, v in s.parameters.items() if k != "lang")
        by_row.setdefault(key, {})[s.parameters.get("lang")] = s
    regions = []
    for key, per_lang in by_row.items():
        cells = []
        for lang in langs:
            st = per_lang.get(lang)
            text = _REPORT_WORD.get(lang) or (st.output.rsplit("/", 1)[-1] if st is not None else "")
            cells.append({} if st is None else
                         {"text": text, "mark": mark(st.name),
                          "href": None if st.name in failed else f"{st.output}.html"})
        regions.append({"label": " · ".join(str(v) for _, v in key) or "-", "cells": cells})
    body = _template().render(css="\n" + (_HERE / "index.css").read_text(encoding="utf-8"),
                              languages=[_LANG_NAMES.get(lang, str(lang)) for lang in langs],
                              regions=regions, notebooks=notebooks)
    target = Path(reports_dir) / "index.html"
    atomic_write(target, body + "\n")
    return target


def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_HERE)), autoescape=True,
                             keep_trailing_newline=False)
    return env.get_template("index.html.tpl")
