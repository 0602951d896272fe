"""Service-unit (Kirkpatrick L4) impact: a continuous-dose TWFE (:func:`dose_twfe`) and each unit's
training wave (:func:`unit_first_treated`) for binary DiD / event studies on the unit x month panel."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._common import check_columns, check_frame, check_no_missing, check_numeric, make_table, time_to_int
from .did import twfe_fit, twfe_result

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
        factor, plus ``n_clusters`` (clusters behind the row: all for ``dose``, the group's for ``dose[by=s]``,
        those where the indicator is on for an ``extra`` term) and ``df`` (of its t reference). The pooled slope
        and ``extra`` terms use a t with G - 1 df (as :func:`~evalkit.impact.did`); a per-group slope
        ``dose[by=s]`` uses t(clusters in group ``s`` - 1), since it rests on that group's few units only.
        With fewer than 30 clusters, report :meth:`ImpactResult.wild_bootstrap` beside the CRV1 p-values.

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
    check_no_missing(data, yname, unitname, tname, dose, cluster)
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
    # clusters behind each slope: those of the group's rows (by slopes) or where the regressor is non-zero
    clv = pd.factorize(data[cluster].to_numpy())[0][fit["keep"]]
    Xk = X.to_numpy(float)[fit["keep"]]
    grp = None if by is None else data[by].astype(str).to_numpy()[fit["keep"]]
    n_cl = []
    for nm in fit["names"]:
        if by is not None and nm.startswith(f"{dose}[{by}="):
            mask = grp == nm[len(f"{dose}[{by}="):-1]
        elif by is None and nm == dose:
            mask = np.ones(len(clv), dtype=bool)
        else:
            mask = Xk[:, list(X.columns).index(nm)] != 0
        n_cl.append(int(np.unique(clv[mask]).size))
    if by is None and not extra:
        df_row = [G - 1] * len(fit["names"])
    else:  # per-group slopes rest on the group's clusters only: t(clusters in group - 1)
        df_row = [max(c - 1, 0) if nm.startswith(f"{dose}[{by}=") else G - 1 for nm, c in zip(fit["names"], n_cl)]
    rows = [make_table([nm], [b], [s], n=fit["N"], df=(d if d > 0 else np.nan), alpha=alpha)
            for nm, b, s, d in zip(fit["names"], fit["beta"], se, df_row)]
    tab = pd.concat(rows, ignore_index=True)
    tab["n_clusters"] = n_cl
    tab["df"] = [float(d) for d in df_row]
    # (below 30 clusters attach_design adds the stronger wild-bootstrap note)
    notes = [f"{G} clusters: CRV1 SEs with few clusters are approximate."] if 30 <= G < 42 else []
    if by is not None:
        notes.append(f"Slopes by {by} are tested against t(clusters in the {by} - 1), not the pooled t({G - 1}): "
                     f"each rests on its own few clusters (columns n_clusters, df).")
        if any(d < 1 for d in df_row):
            notes.append(f"Some {by} slopes rest on a single cluster: no valid t reference (p-value and CI are NaN).")
    if fit["dropped_cols"]:
        notes.append(f"Slopes absorbed by the fixed effects and dropped: {fit['dropped_cols']}.")
    return twfe_result("TWFE with a continuous dose (share of staff trained)", tab, fit, cluster, alpha=alpha,
                       details={"factor": fit["factor"]}, notes=notes)


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
