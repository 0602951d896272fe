"""Exact fast paths for :func:`~evalkit.impact.did` and :func:`~evalkit.impact.staggered_att`.

Both estimators dispatch here first. When the data have the simple structure below, the estimate is
computed in closed form: rows are mapped to integer codes (offsets for integer ids, ``pandas.factorize``
otherwise), scattered once into a units x periods layout and reduced with BLAS matrix-vector products
(no dummies, no pivot, no copy of the DataFrame; two or three float64 arrays of length N). Otherwise the
function returns ``None`` and the general method runs. The numbers are the same as the general method's
(to rounding, ~1e-12) because the algebra is the same:

* :func:`did_fast` -- balanced panel (every unit seen in every period exactly once), no covariates,
  cluster = the unit or a column constant within unit. The two-way within transformation is then
  exact in one step, ``x_it - xbar_i - xbar_t + xbar``, so ``beta = sum(D~ y~) / sum(D~^2)`` and the
  CRV1 variance is ``factor * sum_g (sum_{i in g} D~ u)^2 / sum(D~^2)^2`` with the fixest/reghdfe
  factor ``G/(G-1) (N-1)/(N-K)``, ``K = T + 1`` (slope + time levels; unit levels are nested in the
  cluster), exactly what the general path and ``pyfixest.feols(..., vcov={"CRV1": id})`` use.
* :func:`staggered_fast` -- balanced panel with no missing outcome. ATT(g,t) is a difference of cell
  means, and every influence function of the general path is, for unit ``i`` in cohort ``c``, an
  affine function ``a_c' Y_i + b_c`` of the unit's outcome vector. Sums of squares of such functions
  need only the per-cohort count, mean vector and centred cross-product matrix of ``Y_i``, so SEs of
  cells and of all aggregations (including the weight influence function ``wif`` of R ``did``) are
  computed from ``C x T x T`` numbers instead of an ``N x cells`` matrix.

The fast path never raises on bad input: anything unusual (missing values, duplicates, non-binary
treatment, unparseable periods) returns ``None`` so that the general path produces its usual error.
Set ``evalkit.impact.fast.ENABLED = False`` to force the general path (tests do).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import ImpactResult, cohort_to_int, make_table, time_to_int
from .attgt import aggregate_cells

__all__ = ["ENABLED", "did_fast", "staggered_fast", "codes"]

#: Set to False to always use the general estimators.
ENABLED = True


def codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes ``0..K-1`` of ``values`` and the ``K`` distinct values (missing -> code -1).

    Integer columns with at most 64 distinct consecutive-ish values (periods, cohorts) get ``int8`` codes
    by offset; other integer columns whose range is at most about twice their length (person numbers)
    get fresh ``intp`` codes by offset and a presence table, O(N) without hashing; anything else goes
    through :func:`pandas.factorize`. The returned codes never share memory with ``values``.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    a = s.to_numpy() if s.dtype.kind in "iu" else None
    n = len(s)
    if a is not None and n:
        lo, hi = int(a.min()), int(a.max())
        span = hi - lo + 1
        if span <= 64:  # no intp temporaries: span comparisons on the narrow dtype
            rel = a - a.dtype.type(lo)
            present = np.array([bool(np.count_nonzero(rel == k)) for k in range(span)])
            uniq = (np.flatnonzero(present) + lo).astype(a.dtype)
            if present.all():
                return rel.astype(np.int8), uniq
            lut = (np.cumsum(present) - 1).astype(np.int8)
            return lut[rel], uniq
        if span <= 2 * n + 1024:
            raw = a.astype(np.intp) if lo == 0 else (a - a.dtype.type(lo)).astype(np.intp, copy=False)
            present = np.bincount(raw, minlength=span).astype(bool)
            uniq = (np.flatnonzero(present) + lo).astype(a.dtype)
            if len(uniq) == span:
                return raw, uniq
            remap = np.cumsum(present, dtype=np.intp) - 1
            return remap[raw], uniq
    c, uniq = pd.factorize(s, use_na_sentinel=True)
    return c.astype(np.intp, copy=False), np.asarray(uniq)


def _unit_codes(col: pd.Series, n_t: int) -> tuple[np.ndarray, int]:
    """Fresh ``intp`` unit codes and the number of units.

    Integer ids spanning exactly ``N / n_t`` values are coded by offset without a presence pass: the
    balanced-panel check that follows (every unit x period cell seen) proves every id occurs.
    """
    if col.dtype.kind in "iu" and len(col):
        a = col.to_numpy()
        lo, hi = int(a.min()), int(a.max())
        if (hi - lo + 1) * n_t == len(a):
            raw = a.astype(np.intp) if lo == 0 else (a - a.dtype.type(lo)).astype(np.intp, copy=False)
            return raw, hi - lo + 1
    c, u = codes(col)
    return (c if c.dtype == np.intp else c.astype(np.intp)), len(u)


def _per_unit(col: pd.Series, uid: np.ndarray, n_u: int):
    """Codes (per unit) and distinct values of a column that must be constant within unit, or None."""
    raw = col.to_numpy()
    if raw.dtype.kind in "iufb":
        unit = np.empty(n_u, dtype=raw.dtype)
        unit[uid] = raw
        back = unit[uid]
        same = back == raw
        if raw.dtype.kind == "f":
            same |= np.isnan(back) & np.isnan(raw)
        if not same.all():
            return None
        return codes(pd.Series(unit))
    code, uniq = codes(col)
    unit = np.empty(n_u, dtype=code.dtype)
    unit[uid] = code
    if not np.array_equal(unit[uid], code):
        return None
    return unit, uniq


def _time_codes(col: pd.Series, name: str):
    """Codes of the sorted integer periods (same mapping as ``time_to_int`` on the column)."""
    tcode, tu = codes(col)
    if (tcode < 0).any():
        return None
    tint_u, tmap = time_to_int(pd.Series(tu), name)  # parse each distinct label once
    tvals, inv = np.unique(tint_u, return_inverse=True)
    if np.array_equal(inv, np.arange(len(inv))):
        return tcode, tvals, tmap  # codes already in time order (integer periods)
    small = np.int8 if len(tvals) < 127 else np.intp
    return inv.astype(small)[tcode], tvals, tmap


def _balanced_key(uid: np.ndarray, tid: np.ndarray, n_u: int, n_t: int) -> np.ndarray | None:
    """Flat index ``uid * n_t + tid`` if every (unit, period) pair occurs exactly once, else None.

    Overwrites ``uid`` (an ``intp`` array from :func:`codes`) to save an N-length allocation.
    """
    if len(uid) != n_u * n_t:
        return None
    key = uid if uid.dtype == np.intp else uid.astype(np.intp)
    key *= n_t
    key += tid
    seen = np.zeros(n_u * n_t, dtype=bool)
    seen[key] = True
    return key if seen.all() else None  # N rows covering N cells: all seen <=> no duplicates


# --------------------------------------------------------------------------------------------- DiD
def did_fast(data: pd.DataFrame, yname, idname, tname, treatname, cluster, *, alpha=0.05):
    """Closed-form TWFE DiD with CRV1 SEs on a balanced panel without covariates, or ``None``.

    Called by :func:`~evalkit.impact.did` after its column checks; ``cluster`` is already resolved
    (``idname`` by default).
    """
    if not ENABLED:
        return None
    try:
        return _did_fast(data, yname, idname, tname, treatname, cluster, alpha)
    except (ValueError, TypeError):  # let the general path report the problem
        return None


def _did_fast(data, yname, idname, tname, treatname, cluster, alpha):
    n = len(data)
    dcol = data[treatname]
    if not (pd.api.types.is_numeric_dtype(dcol) or pd.api.types.is_bool_dtype(dcol)):
        return None
    d = dcol.to_numpy()
    if d.dtype.kind == "b":
        n_one = int(np.count_nonzero(d))
    else:
        n_one = int(np.count_nonzero(d == 1))
        if n_one + int(np.count_nonzero(d == 0)) != n:
            return None  # not 0/1 (or missing): the general path raises
    y = data[yname].to_numpy(dtype=float)
    tc = _time_codes(data[tname], tname)
    if tc is None:
        return None
    tid, tvals, _ = tc
    n_t = len(tvals)
    uid, n_u = _unit_codes(data[idname], n_t)
    if cluster == idname:
        clu, G = None, n_u
    else:
        pu = _per_unit(data[cluster], uid, n_u)
        if pu is None:
            return None  # cluster varies within unit: general path
        clu, cu = pu
        G = len(cu)
    if n_u < 2 or n_t < 2 or G < 2:
        return None
    key = _balanced_key(uid, tid, n_u, n_t)
    del uid, tid
    if key is None:
        return None
    # wide units x periods layout: the within transformation becomes row and column means
    Yw = np.empty(n)
    Yw[key] = y
    Dw = np.empty(n)
    Dw[key] = d  # cast to float on assignment
    del key
    Yw, Dw = Yw.reshape(n_u, n_t), Dw.reshape(n_u, n_t)
    for W in (Dw, Yw):  # x - xbar_i - xbar_t + xbar, in place (means as BLAS matrix-vector products)
        W -= (W @ np.full(n_t, 1.0 / n_t))[:, None]
        W -= (np.full(n_u, 1.0 / n_u) @ W)[None, :]
    sxx = float(np.einsum("ij,ij->", Dw, Dw))
    if not n_one or np.sqrt(sxx) / np.sqrt(n_one) <= 1e-8:
        return None  # absorbed by the fixed effects: the general path raises
    beta = float(np.einsum("ij,ij->", Dw, Yw)) / sxx
    # unit scores sum_t D~_it u_it with u = y~ - beta D~
    score = np.einsum("ij,ij->i", Dw, Yw) - beta * np.einsum("ij,ij->i", Dw, Dw)
    del Yw, Dw
    if clu is not None:
        score = np.bincount(clu, weights=score, minlength=G)
    df_k = n_t + 1  # slope + time levels; unit levels nested in the cluster (as did()/fixest)
    factor = G / (G - 1) * (n - 1) / (n - df_k)
    var = factor * float(score @ score) / sxx**2
    tab = make_table([treatname], [beta], [np.sqrt(var)], n=n, df=G - 1, alpha=alpha)
    return ImpactResult(
        "TWFE difference-in-differences",
        tab,
        se_type=f"CRV1 by {cluster} (fixest/reghdfe small-sample factor)",
        n_obs=n,
        n_clusters=G,
        df=G - 1,
        alpha=alpha,
        vcov=pd.DataFrame([[var]], index=[treatname], columns=[treatname]),
        details={"factor": factor, "df_k": df_k, "path": "fast"},
        notes=[],
    )


# ------------------------------------------------------------------------------- Callaway-Sant'Anna
def staggered_fast(data, yname, idname, tname, gname, control, aggregate, *, alpha=0.05, window=None):
    """Callaway-Sant'Anna ATT(g,t) and aggregations from per-cohort moments, or ``None``.

    Same cells, estimates and analytic SEs as the general path of
    :func:`~evalkit.impact.staggered_att` (see the module docstring for why).
    """
    if not ENABLED or not isinstance(data, pd.DataFrame) or len(data) == 0:
        return None
    cols = (yname, idname, tname, gname)
    if not all(isinstance(c, str) and c in data.columns for c in cols):
        return None
    try:
        prep = _cohort_moments(data, yname, idname, tname, gname)
        if prep is None:
            return None
        return _cs_result(prep, control, aggregate, alpha, window)
    except (ValueError, TypeError):
        return None


def _cohort_moments(data, yname, idname, tname, gname):
    ycol = data[yname]
    if not (pd.api.types.is_numeric_dtype(ycol) or pd.api.types.is_bool_dtype(ycol)):
        return None
    if data[idname].isna().any() or data[tname].isna().any():
        return None
    y = ycol.to_numpy(dtype=float)
    if np.isnan(y).any():
        return None  # general path drops rows and notes it
    tc = _time_codes(data[tname], tname)
    if tc is None:
        return None
    tid, tlist, tmap = tc
    T = len(tlist)
    if T < 2:
        return None
    uid, n_u = _unit_codes(data[idname], T)
    pu = _per_unit(data[gname], uid, n_u)
    if pu is None:
        return None  # not constant within unit: general path raises
    gcu, gu = pu
    # cohort of each distinct g value (last slot: code -1 = missing = never treated), then per unit
    gval = np.append(cohort_to_int(pd.Series(gu), gname, tmap), np.inf)
    n_code = np.bincount(gcu + 1, minlength=len(gval))  # units per g value (slot 0: missing)
    n_code = np.append(n_code[1:], n_code[0])
    notes = []
    early = gval <= tlist[0]
    if n_code[early].sum():
        notes.append(f"Dropped {int(n_code[early].sum())} units already treated in the first period.")
    late = np.isfinite(gval) & (gval > tlist[-1])
    if n_code[late].sum():
        notes.append(f"{int(n_code[late].sum())} units first treated after the last period are used as never treated.")
    gval[late] = np.inf
    cvals, cls = np.unique(gval, return_inverse=True)  # cohort classes (inf = never treated), sorted
    C = len(cvals)
    cls[early] = C  # dropped units: an extra class, last
    cu = np.take(cls.astype(np.int8 if C < 127 else np.intp), gcu, mode="wrap")  # -1 -> last slot
    del gcu
    counts = np.bincount(cu, minlength=C + 1)
    # number the units class by class so that each cohort is a contiguous block of rows of Y
    pos = np.empty(n_u, dtype=np.intp)
    pos[np.argsort(cu, kind="stable")] = np.arange(n_u)
    del cu
    np.take(pos, uid, out=uid, mode="clip")
    del pos
    key = _balanced_key(uid, tid, n_u, T)
    if key is None:
        return None
    del uid, tid
    Y = np.empty(n_u * T)
    Y[key] = y
    del key
    Y = Y.reshape(n_u, T)
    keep_cls = np.flatnonzero(counts[:C] > 0)
    if len(keep_cls) == 0:
        return None
    start = np.concatenate([[0], np.cumsum(counts)])
    cvals, n_c = cvals[keep_cls], counts[keep_cls].astype(float)
    Ybar = np.empty((len(cvals), T))
    W = np.empty((len(cvals), T, T))  # centred within-cohort cross-products
    for k, c in enumerate(keep_cls):
        Yk = Y[start[c]: start[c + 1]]  # this cohort's units (a view)
        Ybar[k] = np.full(len(Yk), 1.0 / len(Yk)) @ Yk
        Yk -= Ybar[k]
        W[k] = Yk.T @ Yk
    del Y
    return {"cvals": cvals, "n_c": n_c, "Ybar": Ybar, "W": W, "tlist": tlist, "notes": notes,
            "N": int(n_c.sum()), "T": T}


class _Moments:
    """Influence functions as per-cohort affine forms ``psi_i = P[c, :T] @ Y_i + P[c, T]``."""

    def __init__(self, m):
        self.cvals, self.n_c, self.Ybar, self.W, self.T, self.N = (m["cvals"], m["n_c"], m["Ybar"], m["W"],
                                                                   m["T"], m["N"])

    def zeros(self):
        return np.zeros((len(self.cvals), self.T + 1))

    def se(self, P):
        a, b = P[:, : self.T], P[:, self.T]
        quad = np.einsum("ct,cts,cs->", a, self.W, a)
        lin = np.einsum("ct,ct->c", a, self.Ybar) + b
        return float(np.sqrt(max(quad + float(self.n_c @ lin**2), 0.0)))

    def cov(self, Ps):
        """Covariance matrix ``sum_i psi_i psi_i'`` of the affine forms ``Ps`` (K x C x T+1)."""
        a, b = Ps[:, :, : self.T], Ps[:, :, self.T]
        quad = np.einsum("kct,cts,jcs->kj", a, self.W, a)
        lin = np.einsum("kct,ct->kc", a, self.Ybar) + b
        return quad + (lin * self.n_c) @ lin.T

    def wif(self, groups, pg):
        """``_wif`` of the general path evaluated on each cohort class (C x K)."""
        ind = (self.cvals[:, None] == groups[None, :]).astype(float) - pg[None, :]
        s = pg.sum()
        return ind / s - ind.sum(axis=1, keepdims=True) * (pg / s**2)[None, :]


def _cells(M: _Moments, tlist, control):
    cv, n_c, Yb, T = M.cvals, M.n_c, M.Ybar, M.T
    never = ~np.isfinite(cv)
    if control == "never" and not never.any():
        return None  # general path raises
    rows, psis = [], []
    for gi in np.flatnonzero(np.isfinite(cv)):
        g = cv[gi]
        pre = np.flatnonzero(tlist < g)
        if pre.size == 0:
            continue
        gbase = pre[-1]
        n_g = n_c[gi]
        for ti in range(1, T):
            t = tlist[ti]
            bi = gbase if t >= g else ti - 1
            ctrl = never if control == "never" else never | ((cv > max(t, tlist[bi])) & (cv != g))
            n_ctrl = n_c[ctrl].sum()
            if n_ctrl == 0:
                continue
            d = Yb[:, ti] - Yb[:, bi]  # cohort means of the change
            m1 = d[gi]
            m0 = float(n_c[ctrl] @ d[ctrl]) / n_ctrl
            P = M.zeros()
            P[gi, ti], P[gi, bi], P[gi, T] = 1 / n_g, -1 / n_g, -m1 / n_g
            P[ctrl, ti], P[ctrl, bi], P[ctrl, T] = -1 / n_ctrl, 1 / n_ctrl, m0 / n_ctrl
            rows.append((g, t, tlist[bi], t - g, m1 - m0, int(n_g), int(n_ctrl), n_g / M.N))
            psis.append(P)
    if not rows:
        return None
    cells = pd.DataFrame(rows, columns=["group", "time", "base", "event_time", "att", "n_treated", "n_control", "pg"])
    cells = cells.astype({"group": float, "time": np.int64, "base": np.int64, "event_time": float,
                          "n_treated": np.int64, "n_control": np.int64})
    return cells, np.stack(psis)


def _cs_result(m, control, aggregate, alpha, window):
    M = _Moments(m)
    out = _cells(M, m["tlist"], control)
    if out is None:
        return None
    cells, psi = out
    cells["std_error"] = [M.se(P) for P in psi]


    def wif_term(groups, pg, att):  # the weights' influence lives in the unit-count column T
        W = M.zeros()
        W[:, M.T] = M.wif(groups, pg) @ att / M.N
        return W

    terms, est, psis, extra = aggregate_cells(
        cells, psi, aggregate, combine=lambda ps, w: np.tensordot(w, np.stack(ps), axes=1),
        wif_term=wif_term, window=window)
    se = [M.se(P) for P in psis]
    V = M.cov(np.stack(psis))  # same S'S as the general path (its vcov), for honest_did() and Wald tests
    tab = make_table(terms, est, se, n=M.N, df=None, alpha=alpha, extra=extra)
    return ImpactResult(
        f"Callaway-Sant'Anna staggered DiD ({aggregate}, control={control})",
        tab,
        se_type="analytic influence function, clustered by unit",
        n_obs=M.N * m["T"],
        n_clusters=M.N,
        df=None,
        alpha=alpha,
        vcov=pd.DataFrame(V, index=terms, columns=terms),
        details={"att_gt": cells, "control": control, "aggregate": aggregate, "path": "fast"},
        notes=m["notes"],
    )
