"""Small shared helpers for :mod:`evalkit.measures` and :mod:`evalkit.participation` (no global state)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

TIDY_COLUMNS: tuple[str, ...] = ("term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high", "n")


def check_frame(data: object, name: str = "data") -> pd.DataFrame:
    """Raise TypeError unless ``data`` is a DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    return data


def as_list(cols: str | Iterable[str] | None) -> list[str]:
    """``None`` -> ``[]``, ``"a"`` -> ``["a"]``, iterable -> list."""
    if cols is None:
        return []
    if isinstance(cols, str):
        return [cols]
    return list(cols)


def check_columns(data: pd.DataFrame, cols: Sequence[str], name: str = "data") -> None:
    """Raise ValueError naming every column of ``cols`` missing from ``data``."""
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(data.columns)}")


#: What the office's files are called in messages about a column they do not keep, per table.
_KEPT_IN = {"enrolments": "attendance data", "programmes": "programme list", "employees": "employee list",
            "reaction": "reaction questionnaires", "tests": "test scores"}


def check_known(data: pd.DataFrame, cols: Sequence[str], analysis: str, table: str = "enrolments") -> None:
    """Raise ValueError when a column ``analysis`` needs is absent from ``data`` or has no known value.

    Columns an office rarely keeps are optional in the cleaned tables (``ingest.spec``): a file without them
    gives an all-missing column. The message names the column, its usual raw header and the analysis, e.g.
    "the funnel needs 'invited' (Diundang): not in this office's attendance data".
    """
    for c in cols:
        if c in data.columns and (not len(data) or data[c].notna().any()):
            continue
        header = ""
        try:
            from evalkit.ingest.spec import RAW_TABLES

            header = f" ({RAW_TABLES[table].field(c).aliases[0]})"
        except KeyError:
            pass
        where = _KEPT_IN.get(table, f"{table} data")
        raise ValueError(f"{analysis} needs {c!r}{header}: not in this office's {where}"
                         + ("" if c not in data.columns else " (the column has no known value)"))


def check_numeric(data: pd.DataFrame, cols: Sequence[str], name: str = "data") -> None:
    """Raise TypeError naming the first non-numeric column of ``cols``."""
    for c in cols:
        if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])):
            raise TypeError(f"column {c!r} of {name} must be numeric, got dtype {data[c].dtype}")


def numeric_array(x, name: str, kind: str = "numeric") -> np.ndarray:
    """``x`` (a number or array-like) as a numpy array, or ``TypeError`` saying that ``name`` must be ``kind``
    (strings and non-numeric dtypes are refused; the array keeps its dtype)."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be {kind}, got {x!r}")
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be {kind}, got dtype {arr.dtype}")
    return arr


def check_ci(ci: float) -> float:
    """Validate a confidence level in (0, 1)."""
    if not isinstance(ci, (int, float)) or isinstance(ci, bool) or not 0 < ci < 1:
        raise ValueError(f"ci must be a confidence level strictly between 0 and 1, got {ci!r}")
    return float(ci)


def wilson(count: np.ndarray | pd.Series | float, nobs: np.ndarray | pd.Series | float, ci: float = 0.95):
    """Wilson score interval (statsmodels ``proportion_confint(method="wilson")``); NaN where ``nobs`` is 0."""
    from statsmodels.stats.proportion import proportion_confint  # statsmodels loads on first use, not at import

    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    ok = nobs > 0
    lo = np.full(np.broadcast(count, nobs).shape, np.nan)
    hi = lo.copy()
    if np.any(ok):
        c = np.broadcast_to(count, lo.shape)[ok]
        n = np.broadcast_to(nobs, lo.shape)[ok]
        lo[ok], hi[ok] = proportion_confint(c, n, alpha=1 - ci, method="wilson")
    return lo, hi


def round_half_up(x: np.ndarray | float, decimals: int = 2) -> np.ndarray:
    """Round half away from zero on the *decimal* value (88.305 -> 88.31), robust to binary float error.

    ``numpy.round`` rounds half to even and acts on the binary value, so ``np.round(88.305, 2)`` may give 88.3.
    Report tables in Indonesian agencies round half up; we add 1e-9 before flooring to absorb float error.
    """
    x = np.asarray(x, dtype=float)
    f = 10.0**decimals
    return np.sign(x) * np.floor(np.abs(x) * f + 0.5 + 1e-9) / f


def group_iter(data: pd.DataFrame, by: list[str]):
    """Yield ``(key_dict, sub_frame)`` per group (observed groups only; one group with ``{}`` if ``by`` is empty)."""
    if not by:
        yield {}, data
        return
    for key, sub in data.groupby(by, observed=True, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(by, key, strict=True)), sub
