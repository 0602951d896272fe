"""Regression tables: several models side by side, formatted for Indonesian or English readers.

:func:`regression_table` reads each model's ``.tidy()`` (the evalkit result contract: columns ``term``,
``estimate``, ``std_error``, ``p_value``, ``n``) and lays the models out in columns, with the estimate on
one row and its standard error in parentheses on the row below, then an N row and optional
fixed-effect rows. :func:`to_latex` turns that table into a booktabs ``table`` environment.

Stars, when asked for, follow the common economics convention: ``*`` p < 0.10, ``**`` p < 0.05,
``***`` p < 0.01 (two-sided p-values as reported by the model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from evalkit.report.text import MISSING, format_number, keys, t

__all__ = ["regression_table", "to_latex", "STAR_LEVELS"]

#: (threshold, stars), strictest first.
STAR_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
_REQUIRED = ("term", "estimate", "std_error")


def _tidy(name: str, result) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        df = result
    elif hasattr(result, "tidy") and callable(result.tidy):
        df = result.tidy()
    else:
        raise TypeError(f"model {name!r}: expected an object with .tidy() or a DataFrame, "
                        f"got {type(result).__name__}")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"model {name!r}: .tidy() returned {type(df).__name__}, not a DataFrame")
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"model {name!r}: tidy table lacks columns {missing}; has {list(df.columns)}")
    if df["term"].duplicated().any():
        dup = df.loc[df["term"].duplicated(), "term"].tolist()
        raise ValueError(f"model {name!r}: duplicated terms {dup}")
    return df.set_index("term")


def _stars(p) -> str:
    if p is None or pd.isna(p):
        return ""
    for level, mark in STAR_LEVELS:
        if float(p) < level:
            return mark
    return ""


def _label(text: str, lang: str) -> str:
    return t(text, lang) if text in keys() else text


def regression_table(results: Mapping[str, object], terms: Sequence[str] | Mapping[str, str] | None = None,
                     lang: str = "en", stars: bool = False, fe_rows: Mapping[str, object] | None = None,
                     decimals: int = 3) -> pd.DataFrame:
    """Put several models side by side.

    Parameters
    ----------
    results : mapping of str -> result
        Column title -> fitted model with ``.tidy()`` (or a tidy DataFrame). Columns keep this order.
    terms : list of str or mapping term -> label, optional
        Terms to show, in this order (a mapping also renames them). Default: every term, in the order
        they first appear across models.
    lang : {"id", "en"}
        Number format (``1,234`` vs ``1.234``), the Yes/No words and the notes.
    stars : bool
        Append significance stars to estimates (see :data:`STAR_LEVELS`); needs a ``p_value`` column.
    fe_rows : mapping, optional
        Row label -> which models include that fixed effect: a bool for all models, a mapping model ->
        bool, or a list of bools in model order. Booleans print as Yes/No (Ya/Tidak); other values print
        as they are. A label that is a ``strings.json`` key (``"regtable.fe_unit"``) is translated.
    decimals : int
        Decimals of estimates and standard errors.

    Returns
    -------
    DataFrame
        Index: row labels (the term label on the estimate row, ``""`` on the SE row below it, then
        ``"N"`` and the fixed-effect labels). One string column per model; empty string where a model
        lacks a term. ``attrs["row_kind"]`` lists each row's kind (``"estimate"``, ``"se"``, ``"n"``,
        ``"fe"``) and ``attrs["notes"]`` the table notes, both used by :func:`to_latex`.

    Raises
    ------
    TypeError, ValueError
        A model without ``.tidy()``, a tidy table without the needed columns, an unknown FE model name,
        or ``stars=True`` without p-values.

    Examples
    --------
    >>> tidy = pd.DataFrame({"term": ["treated"], "estimate": [2.345], "std_error": [0.5],
    ...                      "p_value": [0.001], "n": [1200]})
    >>> regression_table({"(1)": tidy}, stars=True)["(1)"].tolist()
    ['2.345***', '(0.500)', '1,200']
    """
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', got {lang!r}")
    if not results:
        raise ValueError("results is empty: pass at least one model")
    tidies = {str(name): _tidy(str(name), res) for name, res in results.items()}
    if stars:
        lacking = [n for n, d in tidies.items() if "p_value" not in d.columns]
        if lacking:
            raise ValueError(f"stars=True needs a p_value column; missing in {lacking}")

    if terms is None:
        order: list[str] = []
        for d in tidies.values():
            order += [x for x in d.index if x not in order]
        term_labels = {x: str(x) for x in order}
    elif isinstance(terms, Mapping):
        term_labels = {str(k): str(v) for k, v in terms.items()}
    else:
        term_labels = {str(k): str(k) for k in terms}

    rows: list[tuple[str, str, dict[str, str]]] = []  # (label, kind, values)
    for term, label in term_labels.items():
        est_row, se_row = {}, {}
        for name, d in tidies.items():
            if term not in d.index:
                est_row[name] = se_row[name] = ""
                continue
            r = d.loc[term]
            est = format_number(r["estimate"], lang, decimals)
            est_row[name] = est + (_stars(r.get("p_value")) if stars else "")
            se_row[name] = "" if pd.isna(r["std_error"]) else f"({format_number(r['std_error'], lang, decimals)})"
        rows += [(label, "estimate", est_row), ("", "se", se_row)]

    n_row = {}
    for name, d in tidies.items():
        n = pd.to_numeric(d["n"], errors="coerce").dropna() if "n" in d.columns else pd.Series(dtype=float)
        n_row[name] = format_number(int(n.max()), lang, 0) if len(n) else ""
    rows.append((t("regtable.n", lang), "n", n_row))

    names = list(tidies)
    for fe_label, spec in (fe_rows or {}).items():
        if isinstance(spec, Mapping):
            unknown = [k for k in spec if str(k) not in tidies]
            if unknown:
                raise ValueError(f"fe_rows[{fe_label!r}] names unknown models {unknown}; models are {names}")
            vals = {n: spec.get(n, False) for n in names}
        elif isinstance(spec, (list, tuple)):
            if len(spec) != len(names):
                raise ValueError(f"fe_rows[{fe_label!r}] has {len(spec)} values for {len(names)} models")
            vals = dict(zip(names, spec, strict=True))
        else:
            vals = {n: spec for n in names}
        row = {n: (t("common.yes" if v else "common.no", lang) if isinstance(v, bool) else str(v))
               for n, v in vals.items()}
        rows.append((_label(fe_label, lang), "fe", row))

    out = pd.DataFrame([r[2] for r in rows], index=pd.Index([r[0] for r in rows]), columns=names)
    notes = [t("regtable.note_se", lang)]
    if stars:
        notes.append(t("regtable.note_stars", lang))
    out.attrs["row_kind"] = [r[1] for r in rows]
    out.attrs["notes"] = " ".join(notes)
    return out


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _esc(text) -> str:
    text = "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text).replace(MISSING, "--")


def to_latex(df: pd.DataFrame, caption: str | None = None, label: str | None = None,
             notes: str | None = None) -> str:
    """A booktabs LaTeX table from :func:`regression_table` output (or any string table).

    Parameters
    ----------
    df : DataFrame
        Row labels in the index, one column per model.
    caption, label : str, optional
        ``\\caption`` and ``\\label`` (the label is not escaped).
    notes : str, optional
        Note under the table; default ``df.attrs["notes"]``.

    Returns
    -------
    str
        A ``table`` environment with a ``tabular`` inside, ``\\midrule`` before the N row. Needs
        ``\\usepackage{booktabs}``. Special characters are escaped.
    """
    kinds = df.attrs.get("row_kind") or ["estimate"] * len(df)
    if len(kinds) != len(df):
        kinds = ["estimate"] * len(df)
    notes = df.attrs.get("notes") if notes is None else notes
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if caption:
        lines.append(rf"\caption{{{_esc(caption)}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines += [rf"\begin{{tabular}}{{l{'c' * df.shape[1]}}}", r"\toprule",
              " & ".join(["", *(_esc(c) for c in df.columns)]) + r" \\", r"\midrule"]
    prev = None
    for (idx, row), kind in zip(df.iterrows(), kinds, strict=True):
        if kind in ("n", "fe") and prev in ("estimate", "se"):
            lines.append(r"\midrule")
        lines.append(" & ".join([_esc(idx), *(_esc(v) for v in row.tolist())]) + r" \\")
        prev = kind
    lines += [r"\bottomrule", r"\end{tabular}"]
    if notes:
        lines.append(rf"\par\smallskip{{\footnotesize {_esc(notes)}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"
