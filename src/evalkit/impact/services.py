"""Service-unit (Kirkpatrick L4) impact: a continuous-dose TWFE (:func:`dose_twfe`) and each unit's
training wave (:func:`unit_first_treated`) for binary DiD / event studies on the unit x month panel."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._common import ImpactResult, check_columns, check_frame, check_numeric, make_table, time_to_int
from .did import twfe_fit

__all__ = ["align_to_wave", "dose_twfe", "unit_first_treated"]


def unit_first_treated(data: pd.DataFrame, unitname: str, tname: str, dose: str, threshold: float = 0.0) -> pd.Series:
    """First period in which each unit's ``dose`` exceeds ``threshold`` (NaN: never).

    For the service panel, ``dose = "trained_share"`` and ``threshold = 0`` gives the month the unit's
    first staff finished a training: the unit's training wave.
    """
    check_frame(data)
    check_columns(data, unitname=unitname, tname=tname, dose=dose)
    over = data.loc[data[dose] > threshold]
    first = over.groupby(unitname, sort=True, observed=True)[tname].min()
    units = pd.Index(sorted(data[unitname].unique()), name=unitname)
    return first.reindex(units).rename("first_treated")


def dose_twfe(data: pd.DataFrame, yname: str, unitname: str, tname: str, dose: str, *, by: str | None = None,
              extra: Mapping[str, pd.Series] | None = None, cluster: str | None = None, alpha: float = 0.05):
    """Two-way fixed effects with a continuous treatment dose: ``y_ut = beta * dose_ut + a_u + l_t + e_ut``.

    Parameters
    ----------
    data : DataFrame
        Unit x period panel (e.g. :func:`evalkit.datasets.service_panel`, one row per unit and month).
    yname, unitname, tname : str
        Outcome, unit and time columns (time: integers, Periods or strings such as ``"2023-04"``).
    dose : str
        Treatment intensity, e.g. ``trained_share`` (0-1): ``beta`` is the change in ``y`` when the whole
        staff has been trained, relative to none.
    by : str, optional
        One slope per level of this column (``dose x 1{by = s}``), e.g. per region.
    extra : mapping name -> boolean Series, optional
        Additional slopes ``dose x indicator`` on top of the ``by`` slopes, e.g. one unit's own extra
        effect (``{"Dukcapil Jakarta": unit == ...}``); the coefficient is the difference from its group.
    cluster : str, optional
        CRV1 cluster column, default ``unitname``.

    Returns
    -------
    ImpactResult
        Rows ``dose`` or ``dose[by=s]`` (plus the ``extra`` names) with CRV1 SEs and the fixest small-sample
        factor, t reference with G - 1 df (as :func:`~evalkit.impact.did`).

    Notes
    -----
    The dose varies within unit over time (staff finish training in waves), so the slopes are identified
    from within-unit changes relative to the common monthly pattern; never-trained units anchor the month
    effects. Linear in the dose. With few units per slope, or a slope identified by a single unit (an
    ``extra`` term), the cluster-robust SE rests on very few clusters and is approximate.
    """
    check_frame(data)
    cluster = unitname if cluster is None else cluster
    check_columns(data, yname=yname, unitname=unitname, tname=tname, dose=dose, by=by, cluster=cluster)
    check_numeric(data, yname, dose)
    for c in (yname, unitname, tname, dose, cluster):
        if data[c].isna().any():
            raise ValueError(f"column {c!r} has missing values")
    d = data[dose].to_numpy(float)
    if by is None:
        X = pd.DataFrame({dose: d}, index=data.index)
    else:
        levels = sorted(data[by].astype(str).unique())
        X = pd.DataFrame({f"{dose}[{by}={s}]": d * (data[by].astype(str) == s).to_numpy() for s in levels},
                         index=data.index)
    for name, ind in (extra or {}).items():
        ind = pd.Series(ind, index=data.index) if not isinstance(ind, pd.Series) else ind.reindex(data.index)
        X[str(name)] = d * ind.fillna(False).astype(float).to_numpy()
    tint, _ = time_to_int(data[tname], tname)
    fit = twfe_fit(data[yname].to_numpy(float), X, data[unitname].to_numpy(), tint, data[cluster].to_numpy())
    se = np.sqrt(np.diag(fit["vcov"]))
    G = fit["G"]
    tab = make_table(fit["names"], fit["beta"], se, n=fit["N"], df=G - 1, alpha=alpha)
    notes = [f"{G} clusters: CRV1 SEs with few clusters are approximate."] if G < 42 else []
    if fit["dropped_cols"]:
        notes.append(f"Slopes absorbed by the fixed effects and dropped: {fit['dropped_cols']}.")
    return ImpactResult(
        "TWFE with a continuous dose (share of staff trained)",
        tab,
        se_type=f"CRV1 by {cluster} (fixest/reghdfe small-sample factor)",
        n_obs=fit["N"],
        n_clusters=G,
        df=G - 1,
        alpha=alpha,
        vcov=pd.DataFrame(fit["vcov"], index=fit["names"], columns=fit["names"]),
        details={"factor": fit["factor"]},
        notes=notes,
    )


def align_to_wave(data: pd.DataFrame, unitname: str, tname: str, first_treated: pd.Series, value: str) -> pd.DataFrame:
    """Put each trained unit's series on time since its wave, as a change from its own pre-wave mean.

    Parameters
    ----------
    data : DataFrame
        Unit x period panel with integer periods in ``tname``.
    first_treated : Series
        Unit -> first treated period (from :func:`unit_first_treated`); NaN units (never trained) are left out.
    value : str
        Outcome column.

    Returns
    -------
    DataFrame
        ``unitname, tname, rel`` (period - first treated period) ``, value, change`` (value minus the mean of
        the unit's periods before its wave), one row per observation of a trained unit that has at least one
        pre-wave period.
    """
    check_frame(data)
    check_columns(data, unitname=unitname, tname=tname, value=value)
    check_numeric(data, tname, value)
    first = first_treated.dropna()
    d = data.loc[data[unitname].isin(first.index), [unitname, tname, value]].copy()
    d["rel"] = d[tname].to_numpy(float) - d[unitname].map(first).to_numpy(float)
    base = d.loc[d["rel"] < 0].groupby(unitname, observed=True)[value].mean()
    d = d.loc[d[unitname].isin(base.index)]
    d["change"] = d[value] - d[unitname].map(base).to_numpy(float)
    d["rel"] = d["rel"].astype("int64")
    return d.sort_values([unitname, tname]).reset_index(drop=True)
