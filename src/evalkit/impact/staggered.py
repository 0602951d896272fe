"""Callaway & Sant'Anna (2021) group-time ATTs and their aggregations: :func:`staggered_att`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import (
    ImpactResult,
    check_columns,
    check_frame,
    check_numeric,
    cohort_to_int,
    make_table,
    time_to_int,
)
from .fast import staggered_fast

__all__ = ["staggered_att"]

_AGGREGATES = ("simple", "dynamic", "group", "calendar", "gt")


def prepare_panel(data, yname, idname, tname, gname):
    """Validate and reshape a long panel into a units x periods outcome matrix.

    Returns ``(Y, G, tlist, notes, labels)`` with ``G`` = first treated period as integer
    (``inf`` = never treated). Units with a missing period are dropped (balanced panel, as R ``did``
    with ``panel=TRUE``), units already treated in the first period are dropped, and cohorts that
    start after the last period are recoded as never treated.
    """
    check_frame(data)
    check_columns(data, yname=yname, idname=idname, tname=tname, gname=gname)
    check_numeric(data, yname)
    for c in (idname, tname):
        if data[c].isna().any():
            raise ValueError(f"column {c!r} has missing values")
    tint, tmap = time_to_int(data[tname], tname)
    gint = cohort_to_int(data[gname], gname, tmap)
    df = pd.DataFrame({"id": data[idname].to_numpy(), "t": tint, "g": gint, "y": data[yname].to_numpy(float)})
    if df.duplicated(["id", "t"]).any():
        raise ValueError(f"({idname!r}, {tname!r}) does not identify rows uniquely")
    gcheck = df.groupby("id", sort=False)["g"].nunique(dropna=False)
    if (gcheck > 1).any():
        raise ValueError(f"column {gname!r} must be constant within each unit of {idname!r}")
    notes = []
    ymiss = df["y"].isna()
    if ymiss.any():
        df = df[~ymiss]
        notes.append(f"Dropped {int(ymiss.sum())} rows with missing {yname!r}.")
    tlist = np.sort(df["t"].unique())
    wide = df.pivot(index="id", columns="t", values="y")
    complete = wide.notna().all(axis=1)
    if not complete.all():
        notes.append(f"Dropped {int((~complete).sum())} units not observed in every period (balanced panel required).")
        wide = wide[complete]
    gunit = df.drop_duplicates("id").set_index("id")["g"].reindex(wide.index).to_numpy()
    early = gunit <= tlist[0]
    if early.any():
        notes.append(f"Dropped {int(early.sum())} units already treated in the first period.")
        wide, gunit = wide[~early], gunit[~early]
    late = np.isfinite(gunit) & (gunit > tlist[-1])
    if late.any():
        notes.append(f"{int(late.sum())} units first treated after the last period are used as never treated.")
        gunit = np.where(late, np.inf, gunit)
    if len(wide) == 0:
        raise ValueError("no units left after building a balanced panel")
    labels = {k: v for k, v in tmap.items() if not str(k).startswith("__")}
    return wide.to_numpy(float), gunit, tlist, notes, labels


def att_gt_cells(Y, G, tlist, control="never"):
    """Group-time ATTs (outcome regression without covariates = difference of mean changes).

    Varying base period (R ``did`` default): for ``t >= g`` the base is the last period before ``g``;
    for ``t < g`` it is the period just before ``t`` (short pre-trend differences).

    Returns the cell table and the ``N x cells`` matrix ``psi`` of influence functions on the
    estimate scale (``att_hat - att ~= sum_i psi_i``).
    """
    N = Y.shape[0]
    glist = np.unique(G[np.isfinite(G)])
    never = ~np.isfinite(G)
    if control == "never" and not never.any():
        raise ValueError("control='never' needs never-treated units (gname 0 or NaN); try control='notyet'")
    rows, cols = [], []
    for g in glist:
        treat = G == g
        n_g = treat.sum()
        pre = np.flatnonzero(tlist < g)
        if pre.size == 0:
            continue
        gbase = pre[-1]
        for ti in range(1, len(tlist)):
            t = tlist[ti]
            bi = gbase if t >= g else ti - 1
            if control == "never":
                ctrl = never
            else:
                ctrl = never | ((G > max(t, tlist[bi])) & (G != g))
            n_c = ctrl.sum()
            if n_c == 0:
                continue
            dy = Y[:, ti] - Y[:, bi]
            m1 = dy[treat].mean()
            m0 = dy[ctrl].mean()
            psi = np.zeros(N)
            psi[treat] = (dy[treat] - m1) / n_g
            psi[ctrl] = -(dy[ctrl] - m0) / n_c
            rows.append((g, t, tlist[bi], t - g, m1 - m0, n_g, n_c, n_g / N))
            cols.append(psi)
    if not rows:
        raise ValueError("no estimable group-time cells (check gname and the control group)")
    cells = pd.DataFrame(rows, columns=["group", "time", "base", "event_time", "att", "n_treated", "n_control", "pg"])
    return cells, np.column_stack(cols)


def _wif(G, groups, pg):
    """Influence function (estimate scale x N) of estimated aggregation weights pg/sum(pg).

    Direct transcription of ``wif()`` in R ``did::compute.aggte`` (Callaway & Sant'Anna 2021).
    """
    ind = (G[:, None] == groups[None, :]).astype(float) - pg[None, :]
    s = pg.sum()
    return ind / s - ind.sum(axis=1, keepdims=True) * (pg / s**2)[None, :]


def aggregate_cells(cells, cell_psi, aggregate, combine, wif_term, window=None):
    """Aggregate ATT(g,t) cells as R ``did::aggte`` does: ``gt``, ``simple``, ``dynamic``, ``group``, ``calendar``.

    ``cell_psi[j]`` is cell ``j``'s influence function in the form its caller keeps it (an N-vector on the
    general path, a matrix of per-cohort coefficients on the fast path of :mod:`evalkit.impact.fast`);
    ``combine(psis, w)`` returns ``sum_k w[k] * psis[k]`` in that form and ``wif_term(groups, pg, att)`` the
    influence of estimating the weights ``pg / sum(pg)`` (``_wif``). Returns ``terms, estimates, influence
    functions, extra columns``.
    """
    post = np.flatnonzero(cells["time"] >= cells["group"])
    att_all, pg_all, grp_all = cells["att"].to_numpy(), cells["pg"].to_numpy(), cells["group"].to_numpy()

    def agg(idx, weighted=True):
        att = att_all[idx]
        parts = [cell_psi[j] for j in idx]
        if not weighted:
            w = np.full(len(idx), 1.0 / len(idx))
            return float(att @ w), combine(parts, w)
        pg = pg_all[idx]
        w = pg / pg.sum()
        return float(att @ w), combine(parts, w) + wif_term(grp_all[idx], pg, att)

    terms, est, psis, extra = [], [], [], {}
    if aggregate == "gt":
        for j, r in cells.iterrows():
            terms.append(f"ATT(g={r.group:g},t={r.time:g})")
            est.append(r.att)
            psis.append(cell_psi[j])
        extra = {"group": cells["group"].to_numpy(), "time": cells["time"].to_numpy(),
                 "event_time": cells["event_time"].to_numpy()}
    elif aggregate == "simple":
        e, p = agg(post)
        terms, est, psis = ["ATT"], [e], [p]
    elif aggregate == "dynamic":
        evs = np.sort(cells["event_time"].unique())
        if window is not None:
            evs = evs[(evs >= window[0]) & (evs <= window[1])]
        for ev in evs:
            e, p = agg(np.flatnonzero(cells["event_time"] == ev))
            terms.append(f"rel::{ev:g}")
            est.append(e)
            psis.append(p)
        postev = [k for k, ev in enumerate(evs) if ev >= 0]
        if postev:
            terms.append("ATT(average e>=0)")
            est.append(float(np.mean([est[k] for k in postev])))
            psis.append(np.mean([psis[k] for k in postev], axis=0))
        extra = {"event_time": list(evs) + ([np.nan] if postev else [])}
    elif aggregate == "group":
        gest, gpsi, gpg = [], [], []
        for g in np.sort(cells["group"].unique()):
            idx = np.intersect1d(post, np.flatnonzero(cells["group"] == g))
            if idx.size == 0:
                continue
            e, p = agg(idx, weighted=False)
            terms.append(f"g::{g:g}")
            gest.append(e)
            gpsi.append(p)
            gpg.append(pg_all[idx[0]])
        gest, gpg = np.array(gest), np.array(gpg)
        ggroups = np.array([float(t[3:]) for t in terms])
        w = gpg / gpg.sum()
        est = list(gest) + [float(gest @ w)]
        psis = gpsi + [combine(gpsi, w) + wif_term(ggroups, gpg, gest)]
        terms.append("ATT(average over groups)")
    elif aggregate == "calendar":
        for t in np.sort(cells.loc[post, "time"].unique()):
            e, p = agg(np.intersect1d(post, np.flatnonzero(cells["time"] == t)))
            terms.append(f"t::{t:g}")
            est.append(e)
            psis.append(p)
        terms.append("ATT(average over periods)")
        est.append(float(np.mean(est)))
        psis.append(np.mean(psis, axis=0))
    else:
        raise ValueError(f"aggregate must be one of {_AGGREGATES}, got {aggregate!r}")
    return terms, est, psis, extra


def aggregate_general(cells, psi, G, aggregate, window=None):
    """:func:`aggregate_cells` for the general path: ``psi`` is N x cells, ``G`` each unit's cohort."""
    N = psi.shape[0]
    return aggregate_cells(cells, psi.T, aggregate, combine=lambda ps, w: np.column_stack(ps) @ w,
                           wif_term=lambda groups, pg, att: _wif(G, groups, pg) @ att / N, window=window)


def cs_fit(Y, G, tlist, control, aggregate, window=None):
    """Cells plus the requested aggregation as (cells, terms, estimates, standard errors, extra columns)."""
    cells, psi = att_gt_cells(Y, G, tlist, control)
    cells["std_error"] = np.sqrt((psi**2).sum(axis=0))
    terms, est, psis, extra = aggregate_general(cells, psi, G, aggregate, window)
    se = np.sqrt((np.column_stack(psis) ** 2).sum(axis=0))
    return cells, terms, np.array(est), se, extra


def staggered_att(data, yname, idname, tname, gname, control="never", aggregate="simple", *, alpha=0.05):
    """Callaway & Sant'Anna (2021) staggered difference-in-differences without covariates.

    Estimates every group-time average treatment effect on the treated

    .. math:: ATT(g,t) = E[Y_t - Y_{b} \\mid G=g] - E[Y_t - Y_{b} \\mid C]

    by the difference of cell means (the outcome-regression estimator with no covariates), where
    ``G`` is the first treated period, ``b`` the base period and ``C`` the comparison group, then
    aggregates them.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    yname, idname, tname : str
        Outcome, unit identifier and time columns. Time may be integers, ``pandas.Period`` or
        period strings such as ``"2023Q1"`` (mapped to consecutive integers by period ordinal;
        ``gname`` must then use the same format).
    gname : str
        First treated period of the unit; 0 or NaN = never treated. Must be constant within unit.
    control : {"never", "notyet"}
        Comparison group: never-treated units, or never-treated plus not-yet-treated units
        (``G > max(t, b)`` and ``G != g``), as ``control_group`` in R ``did``.
    aggregate : {"simple", "dynamic", "group", "calendar", "gt"}
        ``"simple"``: one ATT, the post-treatment cells (t >= g) weighted by group size.
        ``"dynamic"``: event-study effects by ``e = t - g`` (rows ``rel::e``) and their average over
        ``e >= 0``. ``"group"``: average effect per cohort (rows ``g::g``) and their
        size-weighted average. ``"calendar"``: per period (rows ``t::t``) and their average.
        ``"gt"``: the ATT(g,t) cells themselves.
    alpha : float, default 0.05

    Returns
    -------
    ImpactResult
        ``tidy()`` with ``term, estimate, std_error, statistic, p_value, ci_low, ci_high, n``
        (``n`` = units in the balanced panel) and, for dynamic, ``event_time``.
        ``details["att_gt"]`` holds every cell (group, time, base, event_time, att, std_error,
        n_treated, n_control, pg).

    Notes
    -----
    * Base period is "varying" (R ``did`` and ``differences`` default): post-treatment cells use
      ``g-1``, pre-treatment cells ``t-1``, so pre-period event-study estimates are short
      differences and no period is normalised to zero. Anticipation is 0.
    * Standard errors are analytic, from the influence function (clustered by unit because each
      unit contributes one influence-function value):
      ``psi_i = D_i (dY_i - m_g)/n_g - C_i (dY_i - m_C)/n_C`` and ``SE = sqrt(sum_i psi_i^2)``.
      Aggregations add the influence function of the estimated weights ``P(G=g)`` (``wif`` in R
      ``did``). Pointwise normal confidence intervals; no bootstrap and no uniform bands.
    * The panel must be balanced: units with a missing period are dropped. Units treated in the
      first period are dropped; cohorts starting after the last period count as never treated.
    * Vectorised over units (numpy); the loop runs over the few (g, t) cells only. Memory is
      ``N x cells`` floats for the influence functions. When the input is already a balanced panel
      without missing outcomes, :mod:`evalkit.impact.fast` computes the same cells, aggregates and SEs
      from per-cohort means and cross-products instead (``details["path"] == "fast"``; seconds for
      28 million rows).

    References
    ----------
    Callaway, B., & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
    periods. Journal of Econometrics, 225(2), 200-230.

    Examples
    --------
    >>> from evalkit.impact.dgp import simulate_staggered_panel
    >>> df = simulate_staggered_panel(n_units=400, seed=1)
    >>> res = staggered_att(df, "y", "id", "t", "g")
    >>> res.tidy()[["term", "estimate"]].round(1).to_dict("records")
    [{'term': 'ATT', 'estimate': 2.2}]
    """
    if control not in ("never", "notyet"):
        raise ValueError(f"control must be 'never' or 'notyet', got {control!r}")
    if aggregate not in _AGGREGATES:
        raise ValueError(f"aggregate must be one of {_AGGREGATES}, got {aggregate!r}")
    res = staggered_fast(data, yname, idname, tname, gname, control, aggregate, alpha=alpha)
    if res is not None:  # balanced panel: same numbers from per-cohort moments (evalkit.impact.fast)
        return res
    Y, G, tlist, notes, _ = prepare_panel(data, yname, idname, tname, gname)
    cells, terms, est, se, extra = cs_fit(Y, G, tlist, control, aggregate)
    tab = make_table(terms, est, se, n=Y.shape[0], df=None, alpha=alpha, extra=extra)
    return ImpactResult(
        f"Callaway-Sant'Anna staggered DiD ({aggregate}, control={control})",
        tab,
        se_type="analytic influence function, clustered by unit",
        n_obs=Y.size,
        n_clusters=Y.shape[0],
        df=None,
        alpha=alpha,
        details={"att_gt": cells, "control": control, "aggregate": aggregate, "path": "general"},
        notes=notes,
    )
