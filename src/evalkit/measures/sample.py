"""Sample size for SKM surveys: the Krejcie & Morgan (1970) table, as used by agencies applying
PermenPANRB 14/2017 (DOMAIN.md section 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.measures._util import check_columns, check_frame, round_half_up

__all__ = ["krejcie_morgan", "sample_adequacy"]


def krejcie_morgan(population, chi2: float = 3.841, p: float = 0.5, d: float = 0.05):
    """Minimum sample size from the Krejcie & Morgan (1970) formula.

    .. math:: s = \\frac{\\chi^2 N P (1-P)}{d^2 (N-1) + \\chi^2 P (1-P)}

    rounded to the nearest integer (half up). With the defaults (chi2 = 3,841 for 1 df at 95 %, P = 0,5,
    d = 0,05) this reproduces the published table: 100 -> 80, 1.000 -> 278, 1.500 -> 306, 3.000 -> 341,
    5.000 -> 357, 10.000 -> 370, 20.000 -> 377, 40.000 -> 380.

    Parameters
    ----------
    population : int or array-like of int
        Population size N (>= 1).
    chi2 : float
        Chi-square value for 1 degree of freedom at the desired confidence level.
    p : float
        Population proportion assumed (0,5 maximises the sample).
    d : float
        Margin of error as a proportion.

    Returns
    -------
    int or numpy.ndarray of int
        Same shape as ``population``.

    Notes
    -----
    Krejcie, R. V. & Morgan, D. W. (1970). Determining sample size for research activities. Educational and
    Psychological Measurement, 30, 607-610. The table was designed for estimating a proportion, not a mean
    (DOMAIN.md section 1). A "minimum 150 respondents" rule seen in one code base is [UNVERIFIED] and not applied.
    """
    for name, v in (("chi2", chi2), ("d", d)):
        if not np.isscalar(v) or not float(v) > 0:
            raise ValueError(f"{name} must be a positive number, got {v!r}")
    if not np.isscalar(p) or not 0 < float(p) < 1:
        raise ValueError(f"p must be strictly between 0 and 1, got {p!r}")
    if isinstance(population, (str, bytes)):
        raise TypeError(f"population must be an integer, got {population!r}")
    arr = np.asarray(population)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"population must be an integer, got dtype {arr.dtype}")
    arr_f = arr.astype(float)
    if np.isnan(arr_f).any() or (arr_f < 1).any() or (arr_f != np.round(arr_f)).any():
        raise ValueError(f"population must be a whole number >= 1, got {population!r}")
    pq = chi2 * p * (1 - p)
    s = pq * arr_f / (d**2 * (arr_f - 1) + pq)
    s = np.minimum(round_half_up(s, 0), arr_f).astype(int)
    return int(s) if s.ndim == 0 else s


def sample_adequacy(
    df: pd.DataFrame,
    population: str = "population",
    n: str = "n",
    chi2: float = 3.841,
    p: float = 0.5,
    d: float = 0.05,
) -> pd.DataFrame:
    """Flag survey units whose number of respondents is below the Krejcie-Morgan minimum.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit (e.g. service unit x period) with the population size and the number of respondents.
    population, n : str
        Column names of the population size and of the achieved sample size.
    chi2, p, d : float
        Passed to :func:`krejcie_morgan`.

    Returns
    -------
    pandas.DataFrame
        ``df`` plus ``min_sample``, ``shortfall`` (max(0, min - n)), ``adequate`` (bool) and ``warning``
        (empty string when adequate, otherwise e.g. "only 50 of the 80 respondents needed for a population of
        100 (Krejcie-Morgan, d=0.05)").
    """
    check_frame(df, "df")
    check_columns(df, [population, n], "df")
    if df[n].isna().any() or not pd.api.types.is_numeric_dtype(df[n]) or (df[n] < 0).any():
        raise ValueError(f"column {n!r} must hold non-negative respondent counts")
    out = df.copy()
    out["min_sample"] = krejcie_morgan(out[population].to_numpy(), chi2=chi2, p=p, d=d)
    out["shortfall"] = np.maximum(out["min_sample"] - out[n], 0).astype(int)
    out["adequate"] = out["shortfall"] == 0
    out["warning"] = [
        "" if ok else f"only {int(k)} of the {int(m)} respondents needed for a population of {int(N)} "
        f"(Krejcie-Morgan, d={d:g})"
        for ok, k, m, N in zip(out["adequate"], out[n], out["min_sample"], out[population], strict=True)
    ]
    return out

