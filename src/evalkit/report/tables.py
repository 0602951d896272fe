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
from evalkit.config import paths

__all__ = ["suppress_small_cells", "write_table", "SUPPRESSED_FLAG"]

SUPPRESSED_FLAG = "suppressed"


def suppress_small_cells(
    df: pd.DataFrame,
    n_col: str | Sequence[str] = "n",
    value_cols: Sequence[str] | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Blank every cell computed from fewer than ``threshold`` people.

    Parameters
    ----------
    df : DataFrame
        One row per published cell group, with a count of people in ``n_col``.
    n_col : str or list of str
        Column(s) holding the number of people behind the row. A row is suppressed when any of them is
        below the threshold.
    value_cols : list of str, optional
        Columns computed from those people (default: every numeric column except ``n_col``).
    threshold : int, optional
        Default ``config.SMALL_CELL_THRESHOLD`` (5). Rows with ``0 < n < threshold`` are suppressed
        (a count of zero reveals no one and is kept).

    Returns
    -------
    DataFrame
        A copy: suppressed rows have NaN in ``value_cols`` and in ``n_col``, and ``suppressed=True``.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["a", "b"], "n": [12, 3], "mean": [3.2, 1.0]})
    >>> suppress_small_cells(t)["mean"].tolist()
    [3.2, nan]
    """
    threshold = config.SMALL_CELL_THRESHOLD if threshold is None else int(threshold)
    n_cols = [n_col] if isinstance(n_col, str) else list(n_col)
    missing = [c for c in n_cols if c not in df.columns]
    if missing:
        raise ValueError(f"count column(s) {missing} not in the table; columns are {list(df.columns)}")
    if value_cols is None:
        value_cols = [c for c in df.select_dtypes("number").columns if c not in n_cols]
    out = df.copy()
    counts = out[n_cols].apply(pd.to_numeric, errors="coerce")
    small = ((counts > 0) & (counts < threshold)).any(axis=1).to_numpy()
    for c in [*value_cols, *n_cols]:
        out[c] = out[c].astype("float64") if pd.api.types.is_numeric_dtype(out[c]) else out[c]
        out.loc[small, c] = np.nan
    prior = out[SUPPRESSED_FLAG].to_numpy(dtype=bool) if SUPPRESSED_FLAG in out else np.zeros(len(out), bool)
    out[SUPPRESSED_FLAG] = prior | small
    return out


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_table(
    df: pd.DataFrame,
    name: str,
    directory: str | os.PathLike | None = None,
    *,
    caption: str | None = None,
    float_format: str = "{:.3f}",
    index: bool = False,
    count_cols: Sequence[str] = ("n",),
) -> dict[str, Path]:
    """Write ``df`` as ``<name>.csv`` and ``<name>.tex`` under ``reports/tables/``.

    A table with a person-count column (any of ``count_cols`` present) must have been through
    :func:`suppress_small_cells` (it carries the ``suppressed`` column); otherwise ``ValueError``.
    Writes are atomic and deterministic (no dates). The CSV keeps 15 significant digits (what a float64
    guarantees: rupiah amounts stay whole numbers, 0.1 + 0.2 stays 0.3); the LaTeX table uses ``float_format``.
    """
    from evalkit.report.figures import slugify

    has_counts = [c for c in count_cols if c in df.columns]
    if has_counts and SUPPRESSED_FLAG not in df.columns:
        raise ValueError(
            f"table {name!r} has person counts {has_counts}: pass it through suppress_small_cells() first"
        )
    out = Path(directory) if directory is not None else paths()["tables"]
    out.mkdir(parents=True, exist_ok=True)
    slug = slugify(name)
    csv_path, tex_path = out / f"{slug}.csv", out / f"{slug}.tex"
    _atomic_write_text(csv_path, df.to_csv(index=index, lineterminator="\n", float_format="%.15g"))
    fmt = {c: (lambda v, f=float_format: "" if pd.isna(v) else f.format(v))
           for c in df.select_dtypes("float").columns}
    tex = df.to_latex(index=index, formatters=fmt, caption=caption, label=f"tab:{slug}", escape=True,
                      na_rep="--")
    _atomic_write_text(tex_path, tex)
    return {"csv": csv_path, "tex": tex_path}
