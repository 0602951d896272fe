"""IKM (Indeks Kepuasan Masyarakat) from an SKM survey, PermenPANRB No. 14 Tahun 2017.

The method (DOMAIN.md section 1, [SECONDARY] sources):

1. NRR per unsur = sum of that unsur's scores / number of filled answers (mean of the answered scores, 1-4);
2. NRR tertimbang = NRR x weight, the weight being 1/9 (printed as 0,111 in the guidance);
3. IKM (Nilai Interval, 1-4) = sum of the weighted NRRs;
4. IKM unit pelayanan (converted, 25-100) = IKM x 25.

Interval table (converted / NI): A Sangat Baik 88,31-100 / 3,5324-4; B Baik 76,61-88,30 / 3,0644-3,532;
C Kurang Baik 65,00-76,60 / 2,60-3,064; D Tidak Baik 25,00-64,99 / 1,00-2,5996.

Classification choice (the printed bounds have gaps, e.g. 88,305): the converted value is first rounded to 2
decimals, half up (88,305 -> 88,31), then classified with lower-bound thresholds >= 88,31 A, >= 76,61 B,
>= 65,00 C, otherwise D. NI values are classified by converting them (x 25) and applying the same rule, which
reproduces every NI bound of the table (3,5324 x 25 = 88,31; 3,532 x 25 = 88,30; ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Real

import numpy as np
import pandas as pd

from evalkit.config import IKM_WEIGHT
from evalkit.ingest.spec import SKM_UNSUR
from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, group_iter, round_half_up

__all__ = ["ikm", "ikm_by_unsur", "ikm_grade", "ikm_interval", "UNSUR", "IKM_BANDS", "RULE_2017"]

#: Canonical unsur columns in the regulation's order.
UNSUR: tuple[str, ...] = tuple(name for name, _ in SKM_UNSUR)
#: Lower bounds on the converted (25-100) scale, best first: (lower bound, mutu, kinerja).
IKM_BANDS: tuple[tuple[float, str, str], ...] = (
    (88.31, "A", "Sangat Baik"),
    (76.61, "B", "Baik"),
    (65.00, "C", "Kurang Baik"),
    (25.00, "D", "Tidak Baik"),
)
RULE_2017 = "PermenPANRB 14/2017 (9 unsur, equal weights)"
_CUSTOM_RULE = "custom weights: NOT the PermenPANRB 14/2017 equal-weight method"


def ikm_grade(value, scale: str = "converted") -> pd.DataFrame:
    """Mutu (A-D) and kinerja label of IKM values, PermenPANRB 14/2017 interval table.

    Parameters
    ----------
    value : float or array-like
        IKM values on the ``scale`` given.
    scale : {"converted", "ni"}
        ``"converted"``: 25-100 (IKM x 25); ``"ni"``: Nilai Interval 1-4.

    Returns
    -------
    pandas.DataFrame
        One row per value: ``value``, ``converted`` (rounded to 2 decimals, half up), ``mutu``
        (ordered categorical D < C < B < A) and ``kinerja`` (Sangat Baik / Baik / Kurang Baik / Tidak Baik).

    Raises
    ------
    ValueError
        If a value lies outside 25-100 (converted) or 1-4 (NI) after rounding, or is missing, or ``scale``
        is unknown.

    Notes
    -----
    converted = round_half_up(NI x 25, 2); mutu = A if converted >= 88,31, B if >= 76,61, C if >= 65,00, else D.
    Thresholds are the lower bounds of the printed table (source: e-smile.tubaba.go.id SKM report and
    ikm.baritotimurkab.go.id, see DOMAIN.md section 1). Rounding first closes the gaps between the printed
    bounds (88,305 -> 88,31 -> A).
    """
    if scale not in ("converted", "ni"):
        raise ValueError(f"scale must be 'converted' or 'ni', got {scale!r}")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"value must be numeric, got {value!r}")
    arr = np.atleast_1d(np.asarray(value))
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"value must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if np.isnan(arr).any():
        raise ValueError("value contains missing (NaN) IKM values")
    converted = round_half_up(arr * 25.0 if scale == "ni" else arr, 2)
    bad = (converted < 25.0) | (converted > 100.0)
    if bad.any():
        lo, hi = ("1-4", "NI") if scale == "ni" else ("25-100", "converted")
        raise ValueError(f"IKM value(s) {arr[bad].tolist()} outside the valid {hi} range {lo}")
    mutu = np.full(arr.shape, "D", dtype=object)
    kinerja = np.full(arr.shape, "Tidak Baik", dtype=object)
    for lower, m, k in reversed(IKM_BANDS[:-1]):
        hit = converted >= lower - 1e-9
        mutu[hit] = m
        kinerja[hit] = k
    return pd.DataFrame(
        {
            "value": arr,
            "converted": converted,
            "mutu": pd.Categorical(mutu, categories=["D", "C", "B", "A"], ordered=True),
            "kinerja": pd.Categorical(
                kinerja, categories=["Tidak Baik", "Kurang Baik", "Baik", "Sangat Baik"], ordered=True
            ),
        }
    )


def _resolve_unsur(responses: pd.DataFrame, unsur) -> dict[str, str]:
    """canonical unsur name -> column of ``responses``."""
    if unsur is None:
        mapping = {u: u for u in UNSUR}
    elif isinstance(unsur, Mapping):
        mapping = dict(unsur)
    elif isinstance(unsur, Sequence) and not isinstance(unsur, str):
        mapping = {str(c): str(c) for c in unsur}
    else:
        raise TypeError(f"unsur must be None, a mapping {{unsur: column}} or a list of columns, got {unsur!r}")
    if len(mapping) != 9:
        raise ValueError(
            f"PermenPANRB 14/2017 has 9 unsur, got {len(mapping)} ({list(mapping)}); the older Kepmenpan "
            "25/2004 method (14 unsur x 0,071) is not the 2017 method"
        )
    check_columns(responses, list(mapping.values()), "responses")
    return mapping


def _resolve_weights(weight, names: list[str]) -> tuple[dict[str, float], str, str]:
    """-> (weights per unsur, weight label, rule)."""
    if isinstance(weight, str):
        if weight == "exact":
            return {u: 1 / 9 for u in names}, "1/9 (exact)", RULE_2017
        if weight in ("0.111", "0,111"):
            return {u: 0.111 for u in names}, "0,111 (printed)", RULE_2017
        raise ValueError(f"weight must be 'exact', '0.111' or a dict of custom weights, got {weight!r}")
    if isinstance(weight, Real) and not isinstance(weight, bool):
        w = float(weight)
        if abs(w - IKM_WEIGHT) < 1e-12 or abs(w - 1 / 9) < 1e-12:
            return {u: w for u in names}, "1/9 (exact)", RULE_2017
        if abs(w - 0.111) < 1e-12:
            return {u: w for u in names}, "0,111 (printed)", RULE_2017
        raise ValueError(f"a single numeric weight must be 1/9 or 0.111, got {weight!r}; pass a dict for others")
    if isinstance(weight, Mapping):
        unknown = set(weight) - set(names)
        missing = set(names) - set(weight)
        if unknown or missing:
            raise ValueError(f"custom weights must name every unsur {names}; unknown {sorted(unknown)}, "
                             f"missing {sorted(missing)}")
        w = {u: float(weight[u]) for u in names}
        if any(v < 0 or not np.isfinite(v) for v in w.values()):
            raise ValueError(f"custom weights must be finite and >= 0, got {w}")
        return w, "custom", _CUSTOM_RULE
    raise TypeError(f"weight must be 'exact', '0.111' or a dict, got {type(weight).__name__}")


def _prepare(responses, unsur, weight, by):
    check_frame(responses, "responses")
    by = as_list(by)
    check_columns(responses, by, "responses")
    mapping = _resolve_unsur(responses, unsur)
    weights, label, rule = _resolve_weights(weight, list(mapping))
    for u, col in mapping.items():
        s = responses[col]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            raise TypeError(f"unsur column {col!r} must hold numbers 1-4, got dtype {s.dtype}")
        v = s.dropna().to_numpy(dtype=float)
        bad = (v < 1) | (v > 4) | (v != np.round(v))
        if bad.any():
            raise ValueError(f"unsur column {col!r} has answers outside 1..4: {sorted(set(v[bad].tolist()))[:5]}")
    return mapping, weights, label, rule, by


def ikm_by_unsur(responses: pd.DataFrame, unsur=None, weight="exact", by=None, ci: float = 0.95) -> pd.DataFrame:
    """NRR, weight and weighted NRR per unsur (and group): the intermediate table of an SKM report.

    Same arguments as :func:`ikm`, plus ``ci``. Returns one row per group x unsur with ``unsur``, ``column``,
    ``n_answered``, ``nrr`` (mean of answered scores), ``weight``, ``nrr_weighted``, ``nrr_converted``
    (NRR x 25), and the sampling uncertainty of the NRR (not part of the regulation): ``std_error``
    (sd / sqrt(n_answered)) and a t interval ``ci_low``/``ci_high`` on the 1-4 scale.
    """
    from scipy import stats  # scipy.stats loads on first use (0.4 s), not when a report imports evalkit
    ci = check_ci(ci)
    mapping, weights, label, rule, by = _prepare(responses, unsur, weight, by)
    rows = []
    for key, sub in group_iter(responses, by):
        for u, col in mapping.items():
            s = sub[col].dropna().astype(float)
            n = len(s)
            nrr = float(s.mean()) if n else np.nan
            se = float(s.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
            q = stats.t.ppf(0.5 + ci / 2, n - 1) if n > 1 else np.nan
            rows.append({**key, "unsur": u, "column": col, "n_answered": n, "nrr": nrr,
                         "weight": weights[u], "nrr_weighted": nrr * weights[u], "nrr_converted": nrr * 25,
                         "std_error": se, "ci_low": nrr - q * se, "ci_high": nrr + q * se})
    return pd.DataFrame(rows)


def ikm(responses: pd.DataFrame, unsur=None, weight="exact", by=None) -> pd.DataFrame:
    """IKM of an SKM survey per PermenPANRB 14/2017, optionally per unit/period.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent, one column per unsur holding integer answers 1-4 (missing = not answered).
    unsur : None, mapping or list of str
        ``None``: the canonical columns ``u1_persyaratan`` ... ``u9_sarana`` (``evalkit.ingest.spec.SKM_UNSUR``).
        A mapping ``{unsur name: column}`` to use other column names (map by name, not by position: many
        reports swap Sarana and Pengaduan), or a list of nine columns. Exactly nine unsur are required.
    weight : {"exact", "0.111"} or dict
        ``"exact"`` (default): 1/9 per unsur, so an all-4 survey gives 100,00. ``"0.111"``: the literal
        printed weight 0,111, so an all-4 survey gives 3,996 x 25 = 99,90. A dict ``{unsur: weight}`` gives
        custom weights (e.g. importance-weighted variants); the output then flags that this is *not* the 2017
        equal-weight method.
    by : str or list of str, optional
        Group columns (e.g. ``["region", "unit", "period"]``); one output row per observed group.

    Returns
    -------
    pandas.DataFrame
        One row per group with the ``by`` columns, ``n_respondents``, ``nrr_<unsur>`` per unsur,
        ``ikm_ni`` (1-4), ``ikm`` (converted 25-100, rounded to 2 decimals half up), ``ikm_unrounded``,
        ``mutu``, ``kinerja``, ``weight`` (label of the weight used) and ``rule``.

    Notes
    -----
    NRR_i = sum_j x_ij / n_i (answered questionnaires); IKM_NI = sum_i w_i NRR_i; IKM = 25 IKM_NI.
    Mutu/kinerja from :func:`ikm_grade` (rounded to 2 decimals, then lower-bound thresholds 88,31 / 76,61 /
    65,00). Source: PermenPANRB 14/2017 via DOMAIN.md section 1 [SECONDARY].

    Raises
    ------
    TypeError, ValueError
        Non-numeric unsur column, answers outside 1..4 (the column is named), a wrong number of unsur, bad
        weights, or a missing ``by`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({u: [4, 4] for u in UNSUR})
    >>> float(ikm(df)["ikm"].iloc[0]), float(ikm(df, weight="0.111")["ikm"].iloc[0])
    (100.0, 99.9)
    """
    mapping, weights, label, rule, by = _prepare(responses, unsur, weight, by)
    rows = []
    for key, sub in group_iter(responses, by):
        row = {**key, "n_respondents": len(sub)}
        total = 0.0
        for u, col in mapping.items():
            s = sub[col].dropna().astype(float)
            nrr = float(s.mean()) if len(s) else np.nan
            row[f"nrr_{u}"] = nrr
            total += nrr * weights[u]
        row["ikm_ni"] = total
        row["ikm_unrounded"] = total * 25
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        raise ValueError("responses has no rows")
    ok = out["ikm_unrounded"].notna()
    out["ikm"] = np.where(ok, round_half_up(out["ikm_unrounded"].fillna(0), 2), np.nan)
    mutu = pd.Series(pd.Categorical([None] * len(out), categories=["D", "C", "B", "A"], ordered=True))
    kin = pd.Series(pd.Categorical([None] * len(out),
                                   categories=["Tidak Baik", "Kurang Baik", "Baik", "Sangat Baik"], ordered=True))
    # Custom weights need not sum to 1, so grades are only meaningful on the 2017 scale.
    gradeable = ok & out["ikm"].between(25, 100)
    if gradeable.any():
        g = ikm_grade(out.loc[gradeable, "ikm"].to_numpy())
        mutu[gradeable.to_numpy()] = g["mutu"].to_numpy()
        kin[gradeable.to_numpy()] = g["kinerja"].to_numpy()
    out["mutu"] = mutu.to_numpy()
    out["kinerja"] = kin.to_numpy()
    out["weight"] = label
    out["rule"] = rule
    return out


def ikm_interval(responses: pd.DataFrame, unsur=None, weight="exact", by=None, ci: float = 0.95,
                 cluster: str | None = None, strata: str | None = None) -> pd.DataFrame:
    """Sampling uncertainty of the IKM: standard error and normal confidence interval on the converted scale.

    The regulation reports the IKM as a point value; this adds how precisely a survey of that size pins it
    down (respondents treated as a simple random sample of the unit's service users).

    Parameters
    ----------
    responses, unsur, weight, by
        As for :func:`ikm`.
    ci : float
        Confidence level.
    cluster : str, optional
        Column whose values group respondents that are not independent, e.g. ``"unit"`` for a regional IKM
        pooled over service units: respondents of one unit share its service, so a pooled interval that treats
        them as independent is too narrow when units differ. The standard error is then cluster-robust and the
        interval uses t with (clusters - 1) degrees of freedom. Use it when the units surveyed are a sample of
        the region's units.
    strata : str, optional
        Column of strata, e.g. ``"unit"`` when every unit of the region is surveyed (the SKM of each unit):
        the units are then fixed, differences between them are not sampling error, and the variance is the
        stratified one (each unit's respondents a sample of that unit's users). Not with ``cluster``.

    Returns
    -------
    pandas.DataFrame
        One row per group: by columns, ``n_respondents``, ``ikm_unrounded`` (as in :func:`ikm`),
        ``std_error``, ``ci_low``, ``ci_high`` (converted 25-100 scale, not rounded); with ``cluster`` also
        ``n_clusters``.

    Notes
    -----
    IKM = 25 sum_u w_u NRR_u with NRR_u the mean of the n_u answers to unsur u. By the delta method (exact
    here, the IKM being linear in the NRRs) Var(IKM) = 625 sum_u sum_v w_u w_v Cov(NRR_u, NRR_v), with
    Cov(NRR_u, NRR_v) estimated by s_uv n_uv / (n_u n_v), s_uv the sample covariance (ddof=1) over the n_uv
    respondents who answered both. Without missing answers this is Var(IKM) = 625 s_T^2 / n, s_T^2 the
    variance of the respondents' weighted totals sum_u w_u x_iu, i.e. the usual standard error of a mean.
    CI = IKM +/- z SE (normal approximation; no finite-population correction).

    With ``cluster``: the IKM's linearisation (influence) per respondent is
    psi_i = 25 sum_u w_u 1[i answered u] (x_iu - NRR_u) / n_u, and Var(IKM) = G/(G-1) sum_g (sum_{i in g} psi_i)^2
    over the G clusters (the CR1 sandwich; with complete answers it equals statsmodels' cluster-robust standard
    error of a mean). CI = IKM +/- t_{G-1} SE; NaN with fewer than two clusters.

    With ``strata``: Var(IKM) = sum_h n_h/(n_h-1) sum_{i in h} (psi_i - mean_h psi)^2 (strata with one
    respondent add nothing); with complete answers this is sum_h (n_h/n)^2 s_h^2 / n_h of the respondents'
    scores, the textbook stratified variance of a pooled mean. CI = IKM +/- z SE.
    """
    from scipy import stats
    ci = check_ci(ci)
    mapping, weights, _label, _rule, by = _prepare(responses, unsur, weight, by)
    z = stats.norm.ppf(0.5 + ci / 2)
    names = list(mapping)
    w = np.array([weights[u] for u in names])
    if cluster is not None and strata is not None:
        raise ValueError("give cluster or strata, not both")
    for what, col in (("cluster", cluster), ("strata", strata)):
        if col is not None and col not in responses.columns:
            raise KeyError(f"{what} column {col!r} not in the responses; columns: "
                           f"{sorted(map(str, responses.columns))}")
    rows = []
    for key, sub in group_iter(responses, by):
        x = sub[[mapping[u] for u in names]].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        n_u = ok.sum(axis=0)
        nrr = np.where(n_u > 0, np.nansum(x, axis=0) / np.maximum(n_u, 1), np.nan)
        est = 25 * float(w @ nrr)
        if cluster is not None or strata is not None:
            dev = np.where(ok, x - nrr, 0.0) / np.maximum(n_u, 1)
            psi = 25 * dev @ w  # the IKM's influence (linearisation) per respondent
            g = pd.factorize(sub[cluster if cluster is not None else strata], use_na_sentinel=False)[0]
            n_g = int(g.max()) + 1 if len(g) else 0
            extra: dict = {}
            se = q = np.nan
            if cluster is not None:
                extra["n_clusters"] = n_g
                if n_g > 1 and bool((n_u > 0).all()):
                    tot = np.bincount(g, weights=psi, minlength=n_g)
                    se = float(np.sqrt(n_g / (n_g - 1) * (tot ** 2).sum()))
                    q = float(stats.t.ppf(0.5 + ci / 2, n_g - 1))
            else:
                extra["n_strata"] = n_g
                if len(g) and bool((n_u > 0).all()):
                    n_h = np.bincount(g, minlength=n_g).astype(float)
                    mean_h = np.bincount(g, weights=psi, minlength=n_g) / n_h
                    ss_h = np.bincount(g, weights=(psi - mean_h[g]) ** 2, minlength=n_g)
                    factor = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 0.0)
                    se = float(np.sqrt((factor * ss_h).sum()))
                    q = z
            rows.append({**key, "n_respondents": len(sub), **extra, "ikm_unrounded": est,
                         "std_error": se, "ci_low": est - q * se, "ci_high": est + q * se})
            continue
        k = len(names)
        cov = np.full((k, k), np.nan)
        for a in range(k):
            for b in range(a, k):
                both = ok[:, a] & ok[:, b]
                m = int(both.sum())
                if m > 1 and n_u[a] > 0 and n_u[b] > 0:
                    xa, xb = x[both, a], x[both, b]
                    s_ab = ((xa - xa.mean()) * (xb - xb.mean())).sum() / (m - 1)
                    cov[a, b] = cov[b, a] = s_ab * m / (n_u[a] * n_u[b])
                elif n_u[a] > 0 and n_u[b] > 0:
                    cov[a, b] = cov[b, a] = 0.0 if m == 0 else np.nan
        var = 625 * float(w @ cov @ w)
        se = float(np.sqrt(var)) if np.isfinite(var) and var >= 0 else np.nan
        rows.append({**key, "n_respondents": len(sub), "ikm_unrounded": est, "std_error": se,
                     "ci_low": est - z * se, "ci_high": est + z * se})
    return pd.DataFrame(rows)
