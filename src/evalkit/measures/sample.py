"""Sample size for SKM surveys: the Krejcie & Morgan (1970) table, as used by agencies applying
PermenPANRB 14/2017 (DOMAIN.md section 1)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from evalkit.measures._util import as_list, check_columns, check_frame, numeric_array, round_half_up

__all__ = ["krejcie_morgan", "sample_adequacy", "skm_sample_adequacy", "period_of"]


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
    arr_f = numeric_array(population, "population", "an integer").astype(float)
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


_PERIOD = re.compile(r"^(\d{4})(?:([SQ])([1-4]))?$")


def period_of(months: pd.Series, like: str) -> pd.Series:
    """Label each month with the survey period it falls in, in the format of ``like``.

    ``like`` is an example period label: ``"2023S1"`` (semester: S1 = January-June, S2 = July-December),
    ``"2023Q2"`` (calendar quarter) or ``"2023"`` (year).
    """
    m = _PERIOD.match(str(like))
    if not m or (m.group(2) == "S" and m.group(3) not in ("1", "2")):
        raise ValueError(f"unknown period format {like!r}; expected e.g. '2023S1', '2023Q2' or '2023'")
    d = pd.to_datetime(months)
    year = d.dt.year.astype("Int64").astype(str)
    if m.group(2) == "S":
        return year + "S" + np.where(d.dt.month <= 6, "1", "2")
    if m.group(2) == "Q":
        return year + "Q" + d.dt.quarter.astype("Int64").astype(str)
    return year


def skm_sample_adequacy(skm: pd.DataFrame, services: pd.DataFrame, by=("region", "unit", "period"),
                        period: str = "period", chi2: float = 3.841, p: float = 0.5, d: float = 0.05) -> pd.DataFrame:
    """Krejcie-Morgan check of every SKM survey (unit x period) against the unit's service users.

    The population of a survey is the number of services the unit delivered in the survey period (sum of
    ``services.volume`` over the months of the period; a month missing from ``services`` contributes
    nothing, which ``n_months`` shows). Volume counts services, not distinct citizens, so it over-states the
    population of repeat users; the Krejcie-Morgan minimum barely moves above a few thousand (N = 5.000 ->
    357, N = 40.000 -> 380), so the check is robust to that.

    Parameters
    ----------
    skm : pandas.DataFrame
        One row per respondent with the ``by`` columns (``period`` labels such as ``"2023S1"``).
    services : pandas.DataFrame
        ``month`` (datetime), ``volume`` and the ``by`` columns other than ``period``.
    by : list of str
        Survey key; must contain ``period``.
    chi2, p, d : float
        Passed to :func:`krejcie_morgan`.

    Returns
    -------
    pandas.DataFrame
        One row per survey: by columns, ``n`` (respondents), ``population``, ``n_months`` (months of service
        data in the period), then the columns added by :func:`sample_adequacy` (``min_sample``,
        ``shortfall``, ``adequate``, ``warning``). Surveys without service data have no population and are
        flagged with a warning instead of a minimum.
    """
    check_frame(skm, "skm")
    check_frame(services, "services")
    by = as_list(by)
    if period not in by:
        raise ValueError(f"by must contain the period column {period!r}, got {by}")
    keys = [c for c in by if c != period]
    check_columns(skm, by, "skm")
    check_columns(services, keys + ["month", "volume"], "services")
    if not pd.api.types.is_datetime64_any_dtype(services["month"]):
        raise TypeError(f"column 'month' of services must be datetime64, got {services['month'].dtype}")
    labels = skm[period].dropna().astype(str)
    if labels.empty:
        raise ValueError(f"column {period!r} of skm has no period labels")
    n = skm.groupby(by, observed=True, sort=True).size().rename("n").reset_index()
    sv = services[keys + ["month", "volume"]].copy()
    sv[period] = period_of(sv["month"], labels.iloc[0]).to_numpy()
    pop = (sv.groupby(by, observed=True, sort=True)
           .agg(population=("volume", "sum"), n_months=("month", "nunique")).reset_index())
    for c in keys:  # align categorical/str key dtypes before merging
        n[c] = n[c].astype(str)
        pop[c] = pop[c].astype(str)
    n[period] = n[period].astype(str)
    out = n.merge(pop, on=by, how="left", validate="one_to_one")
    out["n_months"] = out["n_months"].fillna(0).astype(int)
    has = out["population"].notna() & (out["population"] >= 1)
    res = sample_adequacy(out[has].assign(population=out.loc[has, "population"].astype(int)), "population", "n",
                          chi2=chi2, p=p, d=d)
    rest = out[~has].assign(min_sample=pd.NA, shortfall=pd.NA, adequate=pd.NA,
                            warning="no service volume recorded for this period: population unknown")
    frames = [f for f in (res, rest) if len(f)]
    full = pd.concat(frames).sort_values(by) if len(frames) > 1 else frames[0]
    return full.reset_index(drop=True)
