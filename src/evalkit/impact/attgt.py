"""Group-time average treatment effects ATT(g,t) and their aggregation (Callaway & Sant'Anna 2021).

One module for the cells and the ways they are combined, shared by the general estimator
(:mod:`evalkit.impact.staggered`) and the closed-form fast path (:mod:`evalkit.impact.fast`), so neither imports
the other:

* the two-period panel DiD estimators of each cell (Sant'Anna & Zhao 2020, as ``DRDID``): :func:`dr_panel`,
  :func:`ipw_panel`, :func:`reg_panel`, with their influence functions;
* :func:`att_gt_cells`: every ATT(g,t) cell and its influence function;
* :func:`aggregate_cells` / :func:`aggregate_general`: the ``simple``, ``dynamic``, ``group``, ``calendar`` and
  ``gt`` aggregations of R ``did::aggte``, with the influence function of the estimated weights.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["att_gt_cells", "aggregate_cells", "aggregate_general", "dr_panel", "ipw_panel", "reg_panel"]

_AGGREGATES = ("simple", "dynamic", "group", "calendar", "gt")
_ZERO_SE = np.sqrt(np.finfo(float).eps) * 10  # R did: SEs below this are reported as NA


# ------------------------------------------------------------------------------------------------
# two-period panel DiD estimators (Sant'Anna & Zhao 2020), influence functions on DRDID's scale:
# att_hat - att ~= mean(IF) over the n units of the cell.
# ------------------------------------------------------------------------------------------------
_NO_CONVERGENCE = "propensity-score logit did not converge or fitted probabilities numerically 0 or 1 (separation)"


def _logit(D, Z, tol=1e-10, maxiter=100):
    """Logit maximum likelihood by Newton-Raphson; returns fitted probabilities."""
    beta = np.zeros(Z.shape[1])
    for _ in range(maxiter):
        p = 1.0 / (1.0 + np.exp(-(Z @ beta)))
        H = Z.T @ (Z * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(H, Z.T @ (D - p))
        except np.linalg.LinAlgError:  # separation drove some weights to 0: least squares step, then report
            step = np.linalg.lstsq(H, Z.T @ (D - p), rcond=None)[0]
        beta += step
        if np.max(np.abs(step)) < tol:
            break
    else:
        warnings.warn(_NO_CONVERGENCE, UserWarning, stacklevel=3)
        return 1.0 / (1.0 + np.exp(-(Z @ beta)))
    p = 1.0 / (1.0 + np.exp(-(Z @ beta)))
    if ((p < 1e-10) | (p > 1 - 1e-10)).any():  # R glm: "fitted probabilities numerically 0 or 1 occurred"
        warnings.warn(_NO_CONVERGENCE, UserWarning, stacklevel=3)
    return p


def _pscore(D, Z, trim_level=0.995):
    """Logit propensity score capped at 1-1e-6, DRDID's trimming indicator and ``n * (Z'WZ)^-1``."""
    ps = np.minimum(_logit(D, Z), 1 - 1e-6)
    trim = np.where(D == 1, ps < 1.01, ps < trim_level).astype(float)
    hess = np.linalg.pinv(Z.T @ (Z * (ps * (1 - ps))[:, None])) * len(D)  # pinv: equal to inv unless separated
    return ps, trim, hess


def _ols_controls(dy, D, Z):
    """OLS of ``dy`` on ``Z`` among controls: fitted values for all units and the asymptotic linear
    representation ``e_i Z_i (Z'Z/n)^-1`` (zero for treated units)."""
    w = 1.0 - D
    XpX = (Z * w[:, None]).T @ Z
    coef = np.linalg.solve(XpX, (Z * w[:, None]).T @ dy)
    fit = Z @ coef
    alr = (w * (dy - fit))[:, None] * Z @ np.linalg.inv(XpX / len(D))
    return fit, alr


def dr_panel(dy, D, Z):
    """Doubly robust DiD for panel data (``DRDID::drdid_panel``, Sant'Anna & Zhao 2020): logit
    propensity score, OLS outcome regression of the change on the controls. ``Z`` includes the
    intercept. Returns ``(att, IF)``."""
    ps, trim, hess = _pscore(D, Z)
    fit, alr_ols = _ols_controls(dy, D, Z)
    w_t = trim * D
    w_c = trim * ps * (1 - D) / (1 - ps)
    r = dy - fit
    eta_t = np.mean(w_t * r) / np.mean(w_t)
    eta_c = np.mean(w_c * r) / np.mean(w_c)
    alr_ps = ((D - ps)[:, None] * Z) @ hess
    inf_t = (w_t * r - w_t * eta_t - alr_ols @ np.mean(w_t[:, None] * Z, axis=0)) / np.mean(w_t)
    inf_c = (w_c * r - w_c * eta_c + alr_ps @ np.mean((w_c * (r - eta_c))[:, None] * Z, axis=0)
             - alr_ols @ np.mean(w_c[:, None] * Z, axis=0)) / np.mean(w_c)
    return eta_t - eta_c, inf_t - inf_c


def ipw_panel(dy, D, Z):
    """Normalised (Hajek) inverse-probability-weighted DiD (``DRDID::std_ipw_did_panel``)."""
    ps, trim, hess = _pscore(D, Z)
    w_t = trim * D
    w_c = trim * ps * (1 - D) / (1 - ps)
    eta_t = np.mean(w_t * dy) / np.mean(w_t)
    eta_c = np.mean(w_c * dy) / np.mean(w_c)
    alr_ps = ((D - ps)[:, None] * Z) @ hess
    inf_t = (w_t * dy - w_t * eta_t) / np.mean(w_t)
    inf_c = (w_c * dy - w_c * eta_c + alr_ps @ np.mean((w_c * (dy - eta_c))[:, None] * Z, axis=0)) / np.mean(w_c)
    return eta_t - eta_c, inf_t - inf_c


def reg_panel(dy, D, Z):
    """Outcome-regression DiD (``DRDID::reg_did_panel``, Heckman, Ichimura & Todd 1997)."""
    fit, alr_ols = _ols_controls(dy, D, Z)
    pd_ = np.mean(D)
    eta_t = np.mean(D * dy) / pd_
    eta_c = np.mean(D * fit) / pd_
    inf_t = (D * dy - D * eta_t) / pd_
    inf_c = (D * fit - D * eta_c + alr_ols @ np.mean(D[:, None] * Z, axis=0)) / pd_
    return eta_t - eta_c, inf_t - inf_c


_ESTIMATORS = {"dr": dr_panel, "ipw": ipw_panel, "reg": reg_panel}


def att_gt_cells(Y, G, tlist, control="never", *, X=None, est_method="dr", base_period="varying",
                 anticipation=0):
    """Group-time ATTs and their influence functions.

    Without covariates (``X is None``) every ``est_method`` is the difference of mean changes
    (treated minus comparison). With covariates (``X``: units x periods x k) each cell runs the
    two-period panel estimator ``est_method`` on the units of the cohort and of the comparison group,
    with covariates from the earlier of the cell's two periods (R ``did``).

    Base period, as R ``did``: the last period ``b`` with ``b + anticipation < g`` for cells with
    ``t >= g - anticipation``; for earlier cells ``t-1`` (``"varying"``) or ``b`` (``"universal"``,
    where the cell ``t == b`` is reported with ``att = 0`` and a zero influence function).
    Units with a missing outcome in ``t`` or the base (``Y`` NaN, unbalanced panels) are left out
    of that cell only.

    Returns the cell table (column ``is_base`` marks universal base cells) and the ``N x cells``
    matrix ``psi`` of influence functions on the estimate scale (``att_hat - att ~= sum_i psi_i``).
    """
    N = Y.shape[0]
    glist = np.unique(G[np.isfinite(G)])
    never = ~np.isfinite(G)
    if control == "never" and not never.any():
        raise ValueError("control='never' needs never-treated units (gname 0 or NaN); try control='notyet'")
    observed = ~np.isnan(Y)
    unbalanced = not observed.all()
    est = _ESTIMATORS[est_method]
    universal = base_period == "universal"
    rows, cols = [], []
    for g in glist:
        treat_all = G == g
        pre = np.flatnonzero(tlist + anticipation < g)
        if pre.size == 0:
            continue
        gbase = pre[-1]
        for ti in range(0 if universal else 1, len(tlist)):
            t = tlist[ti]
            bi = gbase if (universal or t >= g - anticipation) else ti - 1
            if control == "never":
                ctrl = never
            else:
                ctrl = never | ((G > max(t, tlist[bi]) + anticipation) & (G != g))
            treat = treat_all
            if unbalanced:
                both = observed[:, ti] & observed[:, bi]
                treat, ctrl = treat & both, ctrl & both
            n_g, n_c = int(treat.sum()), int(ctrl.sum())
            psi = np.zeros(N)
            if ti == bi:  # universal base cell: 0 by construction (R did reports it with NA SE)
                rows.append((g, t, tlist[bi], t - g, 0.0, n_g, n_c, treat_all.sum() / N, True))
                cols.append(psi)
                continue
            if n_c == 0 or n_g == 0:
                continue
            dy = Y[:, ti] - Y[:, bi]
            if X is None:
                m1 = dy[treat].mean()
                m0 = dy[ctrl].mean()
                psi[treat] = (dy[treat] - m1) / n_g
                psi[ctrl] = -(dy[ctrl] - m0) / n_c
                att = m1 - m0
            else:
                idx = treat | ctrl
                Z = np.column_stack([np.ones(idx.sum()), X[idx, min(ti, bi), :]])
                att, inf = est(dy[idx], treat[idx].astype(float), Z)
                psi[idx] = inf / idx.sum()
            rows.append((g, t, tlist[bi], t - g, att, n_g, n_c, treat_all.sum() / N, False))
            cols.append(psi)
    if not rows:
        raise ValueError("no estimable group-time cells (check gname and the control group)")
    cells = pd.DataFrame(rows, columns=["group", "time", "base", "event_time", "att", "n_treated", "n_control", "pg",
                                        "is_base"])
    if not universal:
        cells = cells.drop(columns="is_base")
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
