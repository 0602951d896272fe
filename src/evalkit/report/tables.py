"""Tables: a tidy DataFrame is the table; this writes it as CSV and LaTeX, with small cells suppressed.

Published tables never show a statistic computed from fewer than ``config.SMALL_CELL_THRESHOLD`` people
(default 5): :func:`suppress_small_cells` blanks such cells and marks the row, and :func:`write_table`
refuses to write a table with a count column that has not been through it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import config
from evalkit._util import atomic_write, slugify
from evalkit.config import paths

__all__ = ["count_columns", "suppress_small_cells", "write_table", "publish", "SUPPRESSED_FLAG"]

SUPPRESSED_FLAG = "suppressed"


_COUNT_PREFIXES = ("n_", "jumlah")
_COUNT_SUFFIXES = ("_n", "_count")
_COUNT_NAMES = {"n", "count", "people", "persons", "respondents", "responden"}
#: Counts of things that are not people (clusters, rows, periods, ...): never a reason to suppress.
_NOT_PEOPLE = ("cluster", "row", "obs", "unit", "period", "month", "quarter", "year", "item", "mode", "programme",
               "region", "agenc", "draw", "boot", "sim", "cell", "wave", "step", "test")


def count_columns(df: pd.DataFrame) -> list[str]:
    """Columns whose name says they count people: ``n``, ``n_*``, ``*_n``, ``count``, ``*_count``, ``jumlah*``,
    ``people``, ``respondents`` (case ignored), except counts of things that are not people (``n_clusters``,
    ``n_rows``, ``n_units``, ``n_periods``, ...)."""
    out = []
    for c in df.columns:
        name = str(c).strip().lower()
        if name in _COUNT_NAMES or name.startswith(_COUNT_PREFIXES) or name.endswith(_COUNT_SUFFIXES):
            if name not in _COUNT_NAMES and any(word in name for word in _NOT_PEOPLE):
                continue
            out.append(c)
    return out


def suppress_small_cells(
    df: pd.DataFrame,
    n_col: str | Sequence[str] | None = None,
    value_cols: Sequence[str] | None = None,
    threshold: int | None = None,
    *,
    by: str | Sequence[str] | None = None,
    complementary: bool = True,
) -> pd.DataFrame:
    """Blank every cell computed from fewer than ``threshold`` people, and enough others that it cannot be
    recovered from a total.

    Parameters
    ----------
    df : DataFrame
        One row per published cell group, with a count of people in ``n_col``.
    n_col : str or list of str, optional
        Column(s) holding the number of people behind the row. A row is suppressed when any of them is
        below the threshold. Default: ``"n"`` if the table has it, else every column that
        :func:`count_columns` recognises (``n_attended``, ``respondents``, ...).
    value_cols : list of str, optional
        Columns computed from those people (default: every numeric column except ``n_col``).
    threshold : int, optional
        Default ``config.SMALL_CELL_THRESHOLD`` (5). Rows with ``0 < n < threshold`` are suppressed
        (a count of zero reveals no one and is kept).
    by : str or list of str, optional
        Columns defining the groups whose rows add up to a published total (e.g. the region of a
        region x mode table). Default: the whole table is one group.
    complementary : bool, default True
        Secondary suppression: in a group where exactly one row was suppressed, the row with the next
        smallest count is suppressed too, so the blanked row cannot be recovered by subtracting the others
        from the group's total (the standard rule for one-dimensional tables; Hundepool et al. 2012,
        *Statistical Disclosure Control*, ch. 5).

    Returns
    -------
    DataFrame
        A copy: suppressed rows have NaN in ``value_cols`` and in ``n_col``, and ``suppressed=True``.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["a", "b", "c"], "n": [12, 3, 7], "mean": [3.2, 1.0, 2.0]})
    >>> suppress_small_cells(t)["mean"].tolist()
    [3.2, nan, nan]
    """
    threshold = config.SMALL_CELL_THRESHOLD if threshold is None else int(threshold)
    if n_col is None:
        n_cols = ["n"] if "n" in df.columns else count_columns(df)
        if not n_cols:
            raise ValueError(f"no count column found (n, n_*, *_n, count, ...); columns are {list(df.columns)}")
    else:
        n_cols = [n_col] if isinstance(n_col, str) else list(n_col)
    missing = [c for c in n_cols if c not in df.columns]
    if missing:
        raise ValueError(f"count column(s) {missing} not in the table; columns are {list(df.columns)}")
    if value_cols is None:
        value_cols = [c for c in df.select_dtypes("number").columns if c not in n_cols]
    out = df.copy()
    counts = out[n_cols].apply(pd.to_numeric, errors="coerce")
    small = ((counts > 0) & (counts < threshold)).any(axis=1).to_numpy().copy()
    if complementary and small.any():
        size = counts.min(axis=1).to_numpy(float)
        groups = (np.zeros(len(out), dtype=np.intp) if by is None
                  else out.groupby(by, sort=False, dropna=False).ngroup().to_numpy())
        for g in np.unique(groups[small]):
            rows = np.flatnonzero(groups == g)
            if small[rows].sum() != 1:
                continue
            cand = rows[~small[rows] & (size[rows] > 0)]
            if cand.size:
                small[cand[np.argmin(size[cand])]] = True
    for c in [*value_cols, *n_cols]:
        out[c] = out[c].astype("float64") if pd.api.types.is_numeric_dtype(out[c]) else out[c]
        out.loc[small, c] = np.nan
    prior = out[SUPPRESSED_FLAG].to_numpy(dtype=bool) if SUPPRESSED_FLAG in out else np.zeros(len(out), bool)
    out[SUPPRESSED_FLAG] = prior | small
    return out




def write_table(
    df: pd.DataFrame,
    name: str,
    directory: str | os.PathLike | None = None,
    *,
    caption: str | None = None,
    float_format: str = "{:.3f}",
    index: bool = False,
    count_cols: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write ``df`` as ``<name>.csv`` and ``<name>.tex`` under ``reports/tables/``.

    A table with a person-count column (``count_cols``, default every column :func:`count_columns`
    recognises) must have been through :func:`suppress_small_cells` (it carries the ``suppressed`` column);
    otherwise ``ValueError``.
    Writes are atomic and deterministic (no dates). The CSV keeps 15 significant digits (what a float64
    guarantees: rupiah amounts stay whole numbers, 0.1 + 0.2 stays 0.3); the LaTeX table uses ``float_format``.
    """
    has_counts = count_columns(df) if count_cols is None else [c for c in count_cols if c in df.columns]
    if has_counts and SUPPRESSED_FLAG not in df.columns:
        raise ValueError(
            f"table {name!r} has person counts {has_counts}: pass it through suppress_small_cells() first"
        )
    out = Path(directory) if directory is not None else paths()["tables"]
    out.mkdir(parents=True, exist_ok=True)
    slug = slugify(name)
    csv_path, tex_path = out / f"{slug}.csv", out / f"{slug}.tex"
    atomic_write(csv_path, df.to_csv(index=index, lineterminator="\n", float_format="%.15g"))
    fmt = {c: (lambda v, f=float_format: "" if pd.isna(v) else f.format(v))
           for c in df.select_dtypes("float").columns}
    tex = df.to_latex(index=index, formatters=fmt, caption=caption, label=f"tab:{slug}", escape=True,
                      na_rep="--")
    atomic_write(tex_path, tex)
    return {"csv": csv_path, "tex": tex_path}


def publish(df: pd.DataFrame, name: str, caption: str, n_col: str | Sequence[str] | None = None, *,
            by: str | Sequence[str] | None = None, directory: str | os.PathLike | None = None) -> str:
    """Suppress small cells (:func:`suppress_small_cells` on ``n_col``, grouped by ``by``) and write the table
    (:func:`write_table`) under ``name``; returns ``name`` (notebooks list what they wrote)."""
    write_table(suppress_small_cells(df, n_col=None if n_col is None else
                                     ([n_col] if isinstance(n_col, str) else list(n_col)), by=by),
                name, directory, caption=caption)
    return name
