"""Shared machinery for :mod:`evalkit.impact`: the result class, input checks, time mapping,
covariate parsing, fixed-effect demeaning and cluster-robust (CRV1) variance.

Nothing here is public API; the estimators in the sibling modules are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._fe import crv1, demean, drop_singletons, is_nested  # noqa: F401 (used by the estimators via _common)

__all__ = ["ImpactResult"]

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high", "n"]


class ImpactResult:
    """Result of an :mod:`evalkit.impact` estimator.

    A plain container. ``table`` (returned by :meth:`tidy`) is the single source of truth:
    :meth:`coef`, :meth:`se`, :meth:`confint` and :meth:`summary` all read from it.

    Attributes
    ----------
    method : str
        Human-readable name of the estimator.
    table : pandas.DataFrame
        One row per reported term with at least ``term, estimate, std_error, statistic,
        p_value, ci_low, ci_high, n``.
    se_type : str
        How the standard errors were computed (e.g. ``"CRV1 by id"``).
    n_obs : int
        Number of observations (rows) used.
    n_clusters : int or None
        Number of clusters / independent units behind the SEs.
    df : float or None
        Degrees of freedom of the t reference distribution (``None``: normal).
    alpha : float
        1 - confidence level of ``ci_low``/``ci_high``.
    vcov : pandas.DataFrame or None
        Variance-covariance matrix of the reported terms, where available.
    details : dict
        Extra tables specific to the estimator (e.g. ``att_gt`` for Callaway-Sant'Anna).
    notes : list of str
        Plain-language notes printed by :meth:`summary` (dropped rows, conventions).
    """

    def __init__(
        self,
        method: str,
        table: pd.DataFrame,
        *,
        se_type: str,
        n_obs: int,
        n_clusters: int | None = None,
        df: float | None = None,
        alpha: float = 0.05,
        vcov: pd.DataFrame | None = None,
        details: dict | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        missing = [c for c in TIDY_COLUMNS if c not in table.columns]
        if missing:  # internal consistency; not user input
            raise RuntimeError(f"result table lacks columns {missing}")
        self.method = method
        self.table = table.reset_index(drop=True)
        self.se_type = se_type
        self.n_obs = int(n_obs)
        self.n_clusters = None if n_clusters is None else int(n_clusters)
        self.df = df
        self.alpha = alpha
        self.vcov = vcov
        self.details = dict(details or {})
        self.notes = list(notes)
        self._wild = None  # design for wild_bootstrap(), set by the estimator (see .wildboot.attach_design)

    def wild_bootstrap(self, term=None, B: int = 9999, weights: str = "rademacher", seed=None) -> pd.DataFrame:
        """Wild cluster restricted bootstrap (null imposed) p-values and test-inversion intervals.

        The few-clusters companion of the CRV1 t-test (Cameron, Gelbach & Miller 2008; Roodman et al. 2019,
        as Stata ``boottest``): bootstrap t-statistics with the CRV1 variance, symmetric p-value (share of
        ``|t*| >= |t|``), confidence interval by inverting the test, all ``2**G`` sign vectors when
        ``2**G <= B`` with Rademacher weights. Available for :func:`~evalkit.impact.did`, the TWFE
        :func:`~evalkit.impact.event_study`, :func:`~evalkit.impact.heterogeneity` with ``cluster`` and
        :func:`evalkit.impact.services.dose_twfe`.

        Parameters
        ----------
        term : str or list of str, optional
            Coefficients to test (``H0: coefficient = 0``); default the result's main terms.
        B : int, default 9999
            Number of bootstrap draws.
        weights : {"rademacher", "webb"}
            Rademacher (+-1) or Webb's six-point weights (better with fewer than ~12 clusters).
        seed : int, optional
            Seed of :func:`numpy.random.default_rng`; the same seed gives the same output.

        Returns
        -------
        pandas.DataFrame
            Columns ``term, estimate, p_value, ci_low, ci_high, B, weights`` (``B``: draws actually used,
            ``2**G`` under full enumeration); the interval has level ``1 - alpha`` of this result.
        """
        from .wildboot import wild_bootstrap

        return wild_bootstrap(self, term=term, B=B, weights=weights, seed=seed)

    def tidy(self) -> pd.DataFrame:
        """Return a copy of the result table (one row per term)."""
        return self.table.copy()

    def coef(self) -> pd.Series:
        """Point estimates indexed by term."""
        return self.table.set_index("term")["estimate"].rename("estimate")

    def se(self) -> pd.Series:
        """Standard errors indexed by term."""
        return self.table.set_index("term")["std_error"].rename("std_error")

    def pvalue(self) -> pd.Series:
        """p-values indexed by term."""
        return self.table.set_index("term")["p_value"].rename("p_value")

    def confint(self) -> pd.DataFrame:
        """Confidence limits indexed by term."""
        return self.table.set_index("term")[["ci_low", "ci_high"]]

    def summary(self, digits: int = 4) -> str:
        """A printable, timestamp-free summary (reproducible in notebook outputs)."""
        ref = "normal" if self.df is None else f"t({self.df:g})"
        lines = [
            self.method,
            "=" * len(self.method),
            f"Observations: {self.n_obs}"
            + ("" if self.n_clusters is None else f"   Clusters/units: {self.n_clusters}"),
            f"Standard errors: {self.se_type}   Reference distribution: {ref}",
            f"Confidence level: {100 * (1 - self.alpha):g}%",
            "",
        ]
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            lines.append(self.table.round(digits).to_string(index=False))
        if self.notes:
            lines.append("")
            lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


# --------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------
def check_frame(data) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if data.shape[0] == 0:
        raise ValueError("data has no rows")


def check_columns(data: pd.DataFrame, **cols) -> None:
    """Raise if a named argument's column is missing (message names the argument and column)."""
    for arg, col in cols.items():
        if col is None:
            continue
        if not isinstance(col, str):
            raise TypeError(f"{arg} must be a column name (str), got {type(col).__name__}")
        if col not in data.columns:
            raise ValueError(f"{arg}={col!r} is not a column of data")


def check_numeric(data: pd.DataFrame, *cols: str) -> None:
    for col in cols:
        if pd.api.types.is_bool_dtype(data[col]):
            continue
        if not pd.api.types.is_numeric_dtype(data[col]):
            raise TypeError(f"column {col!r} must be numeric, got dtype {data[col].dtype}")


def check_no_missing(data: pd.DataFrame, *cols: str) -> None:
    """Raise ``ValueError`` naming the first of ``cols`` that has a missing value."""
    for c in cols:
        if data[c].isna().any():
            raise ValueError(f"column {c!r} has missing values")


def check_binary(data: pd.DataFrame, col: str) -> np.ndarray:
    x = data[col]
    if x.isna().any():
        raise ValueError(f"column {col!r} has missing values; treatment must be 0/1")
    vals = pd.unique(x.astype(float))
    if not set(vals.tolist()) <= {0.0, 1.0}:
        raise ValueError(f"column {col!r} must be 0/1 (found values {sorted(vals.tolist())[:5]})")
    return x.to_numpy(dtype=float)


def parse_covariates(covariates) -> list[str] | str | None:
    """Normalise ``covariates``: ``None``, a list of column names or a formula RHS string."""
    if covariates is None:
        return None
    if isinstance(covariates, str):
        return covariates
    if isinstance(covariates, Sequence) and all(isinstance(c, str) for c in covariates):
        return list(covariates)
    raise TypeError("covariates must be a list of column names or a formula right-hand side (str)")


def covariate_matrix(data: pd.DataFrame, covariates, *, intercept: bool) -> pd.DataFrame:
    """Design matrix for ``covariates`` (list of columns or patsy RHS), optionally with intercept.

    Rows with missing covariates raise ValueError naming the column.
    """
    covariates = parse_covariates(covariates)
    if covariates is None or (isinstance(covariates, list) and len(covariates) == 0):
        X = pd.DataFrame(index=data.index)
    elif isinstance(covariates, list):
        check_columns(data, **{f"covariates[{i}]": c for i, c in enumerate(covariates)})
        for c in covariates:
            if data[c].isna().any():
                raise ValueError(f"covariate column {c!r} has missing values")
            if not pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]):
                raise TypeError(
                    f"covariate column {c!r} is not numeric; pass a formula string such as "
                    f"'C({c})' to expand categories"
                )
        X = data[covariates].astype(float)
    else:
        import patsy

        try:
            X = patsy.dmatrix(covariates, data, return_type="dataframe", NA_action="raise")
        except patsy.PatsyError as exc:
            raise ValueError(f"could not build covariates from formula {covariates!r}: {exc}") from exc
        X = X.drop(columns=[c for c in X.columns if c == "Intercept"])
        X.index = data.index
    if intercept:
        X = X.copy()
        X.insert(0, "Intercept", 1.0)
    return X


# --------------------------------------------------------------------------------------
# time handling
# --------------------------------------------------------------------------------------
def time_to_int(values: pd.Series, name: str) -> tuple[np.ndarray, dict]:
    """Map a time column to integers.

    Integers (or integer-valued floats) are kept. ``pandas.Period`` values and strings that
    ``pandas.Period`` parses (``"2023Q1"``, ``"2023-04"``, ``"2023"``) are mapped to their period
    ordinal minus the smallest ordinal plus one, so consecutive quarters/months/years become
    consecutive integers 1, 2, ... and gaps stay gaps. Returns the integer array and a dict
    ``{int: original label}``.
    """
    s = pd.Series(values)
    if s.isna().any():
        raise ValueError(f"time column {name!r} has missing values")
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        arr = s.to_numpy(dtype=float)
        if not np.all(np.isfinite(arr)) or not np.allclose(arr, np.round(arr)):
            raise ValueError(f"time column {name!r} must hold whole numbers (integer periods)")
        ints = np.round(arr).astype(np.int64)
        return ints, {int(v): int(v) for v in np.unique(ints)}
    codes, uniq = pd.factorize(s)  # parse each distinct label once (fast on long panels)
    try:
        if isinstance(s.dtype, pd.PeriodDtype):
            per = list(uniq)
        else:
            per = [pd.Period(str(u)) for u in uniq]
        ordinals = np.array([p.ordinal for p in per], dtype=np.int64)
        freqs = {p.freqstr for p in per}
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"time column {name!r} must be integer periods, pandas Periods or period strings like '2023Q1'"
        ) from exc
    if len(freqs) != 1:
        raise ValueError(f"time column {name!r} mixes period frequencies {sorted(freqs)}")
    base = ordinals.min() - 1
    ints = (ordinals - base)[codes]
    labels = {int(o - base): str(p) for o, p in zip(ordinals, per)}
    return ints, {"__base__": int(base), "__freq__": freqs.pop(), **labels}


def cohort_to_int(values: pd.Series, name: str, tmap: dict) -> np.ndarray:
    """Map a first-treated-period column with the same convention as the time column.

    0, NaN and None mean never treated and become ``np.inf``.
    """
    s = pd.Series(values)
    out = np.full(len(s), np.inf)
    if "__base__" in tmap:
        base, freq = tmap["__base__"], tmap["__freq__"]
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
        vals = np.full(len(uniq), np.inf)
        for j, v in enumerate(uniq):
            if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
                continue
            if not isinstance(v, (str, pd.Period)) and v == 0:
                continue
            try:
                p = v if isinstance(v, pd.Period) else pd.Period(str(v), freq=freq)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"column {name!r}: cannot read {v!r} as a period") from exc
            vals[j] = p.ordinal - base
        out[codes >= 0] = vals[codes[codes >= 0]]
        return out
    if not pd.api.types.is_numeric_dtype(s):
        raise TypeError(f"column {name!r} must be numeric (first treated period; 0/NaN = never)")
    arr = s.to_numpy(dtype=float)
    fin = np.isfinite(arr) & (arr != 0)
    if not np.allclose(arr[fin], np.round(arr[fin])):
        raise ValueError(f"column {name!r} must hold whole-number periods")
    out[fin] = np.round(arr[fin])
    return out




def duplicate_message(ids, times, idname, tname, k=5):
    """ValueError text naming the first ``k`` duplicated ``(id, t)`` pairs, or None if there are none.

    The pairs are compared as one integer per row (the id's code times the number of periods plus the period's
    code: missing values are a value of their own, as ``DataFrame.duplicated`` treats them), which is about
    three times faster than comparing text ids; only the duplicated rows are looked at as values.
    """
    id_code, _ = pd.factorize(ids, use_na_sentinel=False)
    t_code, t_uniq = pd.factorize(times, use_na_sentinel=False)
    dup = pd.Series(id_code.astype(np.int64) * max(len(t_uniq), 1) + t_code).duplicated(keep=False).to_numpy()
    if not dup.any():
        return None
    pairs = pd.DataFrame({"id": np.asarray(ids)[dup], "t": np.asarray(times)[dup]}).drop_duplicates()
    shown = ", ".join(f"({i!r}, {t!r})" for i, t in pairs.head(k).itertuples(index=False))
    more = f" and {len(pairs) - k} more" if len(pairs) > k else ""
    return (f"({idname!r}, {tname!r}) does not identify rows uniquely: {len(pairs)} (id, t) pairs occur more "
            f"than once, e.g. {shown}{more}")


def panel_times(data: pd.DataFrame, idname: str, tname: str, gname: str) -> tuple[np.ndarray, dict, np.ndarray]:
    """Integer period and first-treated period of every row of a long panel, once ``(idname, tname)`` is known
    to identify the rows (``ValueError`` from :func:`duplicate_message` otherwise).

    Returns ``(tint, tmap, gint)``: see :func:`time_to_int` and :func:`cohort_to_int` (``gint`` is ``inf`` for
    never-treated units).
    """
    msg = duplicate_message(data[idname], data[tname], idname, tname)
    if msg:
        raise ValueError(msg)
    tint, tmap = time_to_int(data[tname], tname)
    return tint, tmap, cohort_to_int(data[gname], gname, tmap)


def make_table(terms, est, se, *, n, df=None, alpha=0.05, extra: dict | None = None) -> pd.DataFrame:
    """Build the tidy table (t or normal reference) from estimates and SEs."""
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    if df is None:
        p = 2 * stats.norm.sf(np.abs(stat))
        crit = stats.norm.ppf(1 - alpha / 2)
    else:
        p = 2 * stats.t.sf(np.abs(stat), df)
        crit = stats.t.ppf(1 - alpha / 2, df)
    tab = pd.DataFrame(
        {
            "term": list(terms),
            "estimate": est,
            "std_error": se,
            "statistic": stat,
            "p_value": p,
            "ci_low": est - crit * se,
            "ci_high": est + crit * se,
            "n": np.broadcast_to(np.asarray(n), est.shape).astype(int) if est.size else [],
        }
    )
    for k, v in (extra or {}).items():
        tab[k] = v
    return tab
