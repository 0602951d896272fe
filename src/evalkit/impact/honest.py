"""Sensitivity of event-study conclusions to violations of parallel trends (HonestDiD).

(One module on purpose, about 810 lines: the two restriction classes share the optimisation and the
conditional-inference machinery below; split, one algorithm would be read across files.)

Implements the robust confidence intervals of Rambachan & Roth (2023) for a scalar target
``theta = l_vec' tau_post`` under two restrictions on the post-treatment bias ``delta``:

* ``"relative_magnitudes"`` -- ``Delta^RM(Mbar)``: every post-treatment change in the bias is at
  most ``Mbar`` times the largest pre-treatment change; inference by the conditional /
  least-favourable hybrid test ("C-LF") of Andrews, Roth & Pakes (2023), inverted over a grid of
  ``theta`` (the HonestDiD default for this restriction);
* ``"smoothness"`` -- ``Delta^SD(M)``: the slope of the bias changes by at most ``M`` between
  consecutive periods; inference by the optimal fixed-length confidence interval ("FLCI") of
  Armstrong & Kolesar (2018) (the HonestDiD default for this restriction).

The public entry points are :func:`honest_did` (for an event-study :class:`ImpactResult` or raw
arrays) and :func:`honest_bounds` (raw arrays).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = ["honest_bounds", "honest_did"]

_METHODS = ("relative_magnitudes", "smoothness")
_MAX_VERTEX_BASES = 250_000


# --------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------
def _check_inputs(betahat, sigma, num_pre, num_post, l_vec):
    b = np.asarray(betahat, dtype=float).ravel()
    S = np.asarray(sigma, dtype=float)
    if not (isinstance(num_pre, (int, np.integer)) and isinstance(num_post, (int, np.integer))):
        raise TypeError("num_pre_periods and num_post_periods must be integers")
    num_pre, num_post = int(num_pre), int(num_post)
    if num_pre < 1 or num_post < 1:
        raise ValueError("need at least one pre-period and one post-period coefficient "
                         "(the reference period excluded)")
    if b.size != num_pre + num_post:
        raise ValueError(f"betahat has {b.size} entries but num_pre_periods + num_post_periods = "
                         f"{num_pre + num_post}")
    if S.shape != (b.size, b.size):
        raise ValueError(f"sigma must be {b.size} x {b.size}, got shape {S.shape}")
    if not np.all(np.isfinite(b)) or not np.all(np.isfinite(S)):
        raise ValueError("betahat and sigma must be finite")
    if not np.allclose(S, S.T, rtol=1e-6, atol=1e-12 * max(1.0, np.abs(S).max())):
        raise ValueError("sigma must be symmetric")
    S = (S + S.T) / 2
    if np.any(np.diag(S) <= 0):
        raise ValueError("sigma must have a positive diagonal")
    if l_vec is None:
        lv = np.zeros(num_post)
        lv[0] = 1.0
    else:
        lv = np.asarray(l_vec, dtype=float).ravel()
        if lv.size != num_post:
            raise ValueError(f"l_vec must have num_post_periods = {num_post} entries, got {lv.size}")
        if not np.any(lv != 0):
            raise ValueError("l_vec must not be all zeros")
    return b, S, num_pre, num_post, lv


def _original_ci(b, S, num_pre, lv, alpha):
    post = slice(num_pre, None)
    est = float(lv @ b[post])
    sd = float(np.sqrt(lv @ S[post, post] @ lv))
    z = stats.norm.ppf(1 - alpha / 2)
    return est, sd, est - z * sd, est + z * sd


# --------------------------------------------------------------------------------------
# smoothness restriction: optimal FLCI (Armstrong & Kolesar 2018; Rambachan & Roth 2023 s. 4)
# --------------------------------------------------------------------------------------
def _folded_normal_cv(bias_over_sd, alpha):
    """1 - alpha quantile of |N(b, 1)|: solves Phi(c - b) - Phi(-c - b) = 1 - alpha."""
    b = abs(float(bias_over_sd))
    if b == 0:
        return float(stats.norm.ppf(1 - alpha / 2))

    def f(c):
        return stats.norm.cdf(c - b) - stats.norm.cdf(-c - b) - (1 - alpha)

    # f(b) = 1/2 - Phi(-2b) - (1 - alpha) < 0 and f(b + z + 1) > 0
    lo, hi = b, b + stats.norm.ppf(1 - alpha / 2) + 1.0
    return optimize.brentq(f, lo, hi, xtol=1e-12)


class _SDProblem:
    """Affine estimators ``v_pre' b_pre + l' b_post`` whose worst-case bias over Delta^SD(M) is finite.

    Parametrised as in HonestDiD by ``w`` (cumulative sums of the pre-period weights):
    ``v_pre = D w`` with ``D`` the first-difference matrix; finite worst-case bias requires
    ``sum(w) = sum_t t l_t``, and then the worst-case bias is ``M * (c0 + sum_j |cumsum(w)_j|)``.
    """

    def __init__(self, S, num_pre, num_post, lv):
        K, T = num_pre, num_post
        self.K, self.T, self.lv = K, T, lv
        self.scale = float(np.sqrt(lv @ S[K:, K:] @ lv))
        Ss = S / self.scale**2
        D = np.eye(K) - np.eye(K, k=-1)  # v_pre = D w
        self.D = D
        self.Q = D.T @ Ss[:K, :K] @ D
        self.q = D.T @ Ss[:K, K:] @ lv
        self.c = float(lv @ Ss[K:, K:] @ lv)
        t = np.arange(1, T + 1)
        self.sum_target = float(t @ lv)
        self.c0 = sum(abs(float(np.arange(1, s + 1) @ lv[T - s:])) for s in range(1, T + 1)) - self.sum_target
        self.L = np.tril(np.ones((K, K)))

    def var(self, w):
        return float(w @ self.Q @ w + 2 * self.q @ w + self.c)

    def bias(self, w):  # per unit of M
        return self.c0 + float(np.abs(self.L @ w).sum())

    def w_min_var(self):
        K = self.K
        kkt = np.zeros((K + 1, K + 1))
        kkt[:K, :K] = 2 * self.Q
        kkt[:K, K] = 1.0
        kkt[K, :K] = 1.0
        rhs = np.concatenate([-2 * self.q, [self.sum_target]])
        sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
        return sol[:K]

    def w_min_bias(self):
        w = np.zeros(self.K)
        w[-1] = self.sum_target
        return w

    def min_bias_given_h(self, h, w_start):
        """min bias(w) s.t. sd(w) <= h: convex (SOCP); solved with SLSQP over x = (U, w)."""
        K, L = self.K, self.L
        u0 = np.abs(L @ w_start) + 1e-9
        x0 = np.concatenate([u0, w_start])
        h2 = h * h
        cons = [
            {"type": "ineq", "fun": lambda x: x[:K] - L @ x[K:],
             "jac": lambda x: np.hstack([np.eye(K), -L])},
            {"type": "ineq", "fun": lambda x: x[:K] + L @ x[K:],
             "jac": lambda x: np.hstack([np.eye(K), L])},
            {"type": "ineq", "fun": lambda x: h2 - self.var(x[K:]),
             "jac": lambda x: np.concatenate([np.zeros(K), -(2 * self.Q @ x[K:] + 2 * self.q)])},
            {"type": "eq", "fun": lambda x: np.array([x[K:].sum() - self.sum_target]),
             "jac": lambda x: np.concatenate([np.zeros(K), np.ones(K)])[None, :]},
        ]
        res = optimize.minimize(lambda x: x[:K].sum(), x0, jac=lambda x: np.concatenate([np.ones(K), np.zeros(K)]),
                                constraints=cons, method="SLSQP",
                                options={"ftol": 1e-12, "maxiter": 500})
        w = res.x[K:]
        # guard against slight infeasibility: fall back to the start if it is better and feasible
        if self.var(w) > h2 * (1 + 1e-6) or not np.isfinite(res.fun):
            w = w_start
        return w

    def flci(self, b, M, alpha):
        """Return (centre, half-length, v_pre) of the optimal FLCI for Delta^SD(M)."""
        K = self.K
        w_mv = self.w_min_var()
        h_min = np.sqrt(max(self.var(w_mv), 0.0))
        if M == 0 or K == 0:
            return self._ci(b, w_mv, stats.norm.ppf(1 - alpha / 2) * h_min)
        w_mb = self.w_min_bias()
        h0 = np.sqrt(self.var(w_mb))
        if h0 <= h_min * (1 + 1e-10):
            w = w_mb
            hl = _folded_normal_cv(M * self.bias(w) / (h0 * self.scale), alpha) * h0
            return self._ci(b, w, hl)
        cache = {}

        def halflength(h):
            if h not in cache:
                start = w_mb if h >= h0 else w_mv
                w = self.min_bias_given_h(h, start)
                sd = np.sqrt(max(self.var(w), 1e-300))
                # half-length in scaled units; bias is in original units (times M) -> rescale
                hl = _folded_normal_cv(M * self.bias(w) / (sd * self.scale), alpha) * sd
                cache[h] = (hl, w)
            return cache[h][0]

        # the half-length is (quasi-)convex in h: bounded scalar search, then compare endpoints
        optimize.minimize_scalar(halflength, bounds=(h_min, h0), method="bounded",
                                 options={"xatol": 1e-7 * h0})
        for h in (h_min * (1 + 1e-9), h0):
            halflength(h)
        best = min(cache.values(), key=lambda v: v[0])
        return self._ci(b, best[1], best[0])

    def _ci(self, b, w, hl_scaled):
        K = self.K
        v = np.concatenate([self.D @ w, self.lv])
        centre = float(v @ b)
        hl = float(hl_scaled * self.scale)
        return centre, hl, v[:K]


def _sd_worst_case_bias_lp(v_pre, lv, M):
    """Worst-case |bias| of ``v_pre' b_pre + l' b_post`` over Delta^SD(M) by linear programming.

    Used as a check of the closed form in :class:`_SDProblem`; returns ``inf`` if unbounded.
    """
    K, T = len(v_pre), len(lv)
    n = K + T
    # full path (delta_{-K},...,delta_{-1}, delta_0 = 0, delta_1..delta_T); second differences
    rows = []
    for j in range(n - 1):  # triples (j, j+1, j+2) over the K+T+1 points
        r = np.zeros(n + 1)
        r[j], r[j + 1], r[j + 2] = 1.0, -2.0, 1.0
        rows.append(np.delete(r, K))  # drop delta_0 (= 0)
    A = np.array(rows)
    A_ub = np.vstack([A, -A])
    b_ub = np.full(A_ub.shape[0], float(M))
    c = -np.concatenate([v_pre, lv])
    res = optimize.linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * n, method="highs")
    if res.status == 3:
        return math.inf
    return -res.fun


# --------------------------------------------------------------------------------------
# relative magnitudes: ARP conditional / least-favourable hybrid test (Andrews, Roth & Pakes)
# --------------------------------------------------------------------------------------
def _rm_moments(num_pre, num_post, Mbar, s, sign):
    """Post-period moment matrix A (2T x (K+T)) for Delta^RM(Mbar) with the max pre change at ``s``.

    Rows: ``+-(delta_t - delta_{t-1}) - Mbar * sign * (delta_s - delta_{s-1}) <= 0`` for t = 1..T,
    with ``delta_0 = 0`` (reference period) and ``s`` in ``-(K-1)..0``.
    """
    K, T = num_pre, num_post
    n = K + T + 1  # full path incl. delta_0 at column K
    rows = []
    vs = np.zeros(n)
    vs[K + s] += 1.0
    vs[K + s - 1] -= 1.0
    for sgn in (1.0, -1.0):
        for t in range(1, T + 1):
            r = np.zeros(n)
            r[K + t] += sgn
            r[K + t - 1] -= sgn
            rows.append(r - Mbar * sign * vs)
    A = np.delete(np.array(rows), K, axis=1)
    return A


def _gamma_matrix(lv):
    """Invertible T x T matrix whose first row is l' (others: unit vectors)."""
    T = lv.size
    j = int(np.flatnonzero(lv != 0)[0])
    rows = [lv] + [np.eye(T)[i] for i in range(T) if i != j]
    return np.array(rows)


def _cone_rays(X):
    """Extreme rays of the cone {g >= 0, X' g = 0}, each scaled to sum to 1.

    The feasible set of the dual of the ARP linear program, {g >= 0, g' sd = 1, X' g = 0}, is
    this cone cut by ``g' sd = 1``, so its vertices are ``ray / (ray' sd)``. The rays do not
    depend on ``sd``; for Delta^RM they are shared by every (s, sign, Mbar), so they are computed
    once per ``X`` and kept (a robust interval for four Mbar values plus the breakdown search asks
    for the same rays some fifteen times).
    An extreme ray has a support B of at most k + 1 rows (k = columns of X) on which
    X_B' g_B = 0 has a one-dimensional solution of one sign.
    """
    X = np.ascontiguousarray(X, dtype=float)
    key = (X.shape, X.tobytes())
    rays = _RAYS_CACHE.get(key)
    if rays is None:
        rays = _cone_rays_uncached(X)
        rays.flags.writeable = False
        if len(_RAYS_CACHE) >= 32:
            _RAYS_CACHE.pop(next(iter(_RAYS_CACHE)))
        _RAYS_CACHE[key] = rays
    return rays


_RAYS_CACHE: dict = {}
_BATCH = 8192  # candidate supports decomposed per batched QR call (bounds memory)


def _cone_rays_uncached(X):
    m = X.shape[0]
    k = X.shape[1] if X.ndim == 2 else 0
    if k == 0:
        return np.eye(m)
    nb = math.comb(m, k + 1)
    if nb > _MAX_VERTEX_BASES:
        raise ValueError(f"too many post-treatment periods for the relative-magnitudes test "
                         f"({nb} candidate vertices); restrict the event window")
    out = []
    combos = itertools.combinations(range(m), k + 1)
    while True:
        supports = np.array(list(itertools.islice(combos, _BATCH)), dtype=np.intp).reshape(-1, k + 1)
        if supports.shape[0] == 0:
            break
        # X_B (k+1 x k) = Q R: when R is non-singular (X_B of rank k), the last column of the complete Q spans
        # the null space of X_B'. A QR per support (batched in one gufunc call) is about 2.5x faster than the SVD
        # used before, and gives the same rays (tests/test_impact_honest.py compares the two).
        q, tri = np.linalg.qr(X[supports], mode="complete")
        d = np.abs(np.diagonal(tri, axis1=1, axis2=2))
        basis = d.min(axis=1) >= 1e-10 * np.maximum(1.0, d.max(axis=1))
        g = q[:, :, -1]
        flip = np.all(g <= 1e-12, axis=1)
        g = np.where(flip[:, None], -g, g)
        keep = basis & ~np.any(g < -1e-12, axis=1)  # null space of dimension 1 and of one sign
        for B, gb in zip(supports[keep], g[keep]):
            r = np.zeros(m)
            r[B] = np.clip(gb, 0, None)
            out.append(r / r.sum())
    if not out:
        return np.zeros((0, m))
    return np.unique(np.round(np.array(out), 12), axis=0)


class _ARPTest:
    """ARP test of ``H0: exists tau_tilde with E[Y0 - a1 theta - X tau_tilde] <= 0`` for many theta.

    Statistic: ``eta = min {eta : Y - X tau_tilde <= eta * sd}`` = ``max_g g'Y`` over the vertices
    ``g`` of the dual polytope. Conditional test (ARP): given the optimal vertex ``g`` and
    ``S = Y - b g'Y`` (``b = Sigma g / g' Sigma g``), ``g'Y`` is normal truncated to the interval
    ``[vlo, vup]`` on which ``g`` stays optimal; the hybrid ("LF") first rejects if ``eta``
    exceeds the least-favourable ``1 - kappa`` critical value, then uses size
    ``(alpha - kappa) / (1 - kappa)`` with ``vup`` capped at that critical value.
    """

    def __init__(self, Y0, a1, rays, SigY, alpha, hybrid, kappa, lf_sims, rng):
        self.Y0, self.a1, self.SigY, self.alpha = Y0, a1, SigY, alpha
        self.sd = np.sqrt(np.diag(SigY))
        self.V = rays / (rays @ self.sd)[:, None] if rays.shape[0] else rays
        self.hybrid = hybrid
        if hybrid == "LF":
            self.mod_size = (alpha - kappa) / (1 - kappa)
            if self.V.shape[0]:
                xi = rng.multivariate_normal(np.zeros(SigY.shape[0]), SigY, size=lf_sims, method="eigh")
                eta = (-xi @ self.V.T).max(axis=1)
                self.lf_cv = float(np.quantile(eta, 1 - kappa))
            else:
                self.lf_cv = math.inf
        else:
            self.mod_size = alpha
            self.lf_cv = math.inf

    def truncation(self, y):
        """(eta, optimal vertex, vlo, vup) for one moment vector ``y`` (vup not yet capped)."""
        V = self.V
        vals = V @ y
        j = int(vals.argmax())
        eta = float(vals[j])
        g = V[j]
        s2 = float(g @ self.SigY @ g)
        if s2 < np.finfo(float).eps:
            return eta, g, -math.inf, math.inf
        bvec = self.SigY @ g / s2
        a = V @ (y - bvec * eta)
        den = 1.0 - V @ bvec
        lo_mask = den > 1e-10
        up_mask = den < -1e-10
        vlo = float(np.max(a[lo_mask] / den[lo_mask])) if lo_mask.any() else -math.inf
        vup = float(np.min(a[up_mask] / den[up_mask])) if up_mask.any() else math.inf
        return eta, g, vlo, vup

    def accept(self, thetas):
        thetas = np.atleast_1d(np.asarray(thetas, dtype=float))
        V = self.V
        if V.shape[0] == 0:  # primal unbounded below: eta = -inf, never reject
            return np.ones(thetas.size, dtype=bool)
        Y = self.Y0[:, None] - self.a1[:, None] * thetas[None, :]  # m x G
        eta = (V @ Y).max(axis=0)
        acc = np.ones(thetas.size, dtype=bool)
        acc[eta > self.lf_cv] = False  # first stage of the hybrid
        todo = np.flatnonzero((eta > 0) & (eta <= self.lf_cv))  # eta <= 0 never rejects (cv >= 0)
        cond = []
        for i in todo:
            e_i, g, vlo, vup = self.truncation(Y[:, i])
            s2 = float(g @ self.SigY @ g)
            if s2 < np.finfo(float).eps:
                acc[i] = not e_i > 0
                continue
            sB = math.sqrt(s2)
            zlo, zup, stat = vlo / sB, min(vup, self.lf_cv) / sB, e_i / sB
            if zlo - 1e-9 <= stat <= zup + 1e-9:  # otherwise accept
                cond.append((i, zlo, zup, stat))
        if cond:
            idx, zlo, zup, stat = (np.array(c) for c in zip(*cond))
            idx = idx.astype(int)
            cval = np.maximum(0.0, zlo)
            wide = zup - zlo >= 1e-12
            if wide.any():
                q = stats.truncnorm.ppf(1 - self.mod_size, zlo[wide], zup[wide])
                cval[wide] = np.where(np.isfinite(q), q, zup[wide])
            acc[idx] = ~(stat > np.maximum(0.0, cval))
        return acc


def _rm_tests(b, S, num_pre, num_post, lv, Mbar, alpha, hybrid, lf_sims, seed):
    K, T = num_pre, num_post
    Gam_inv = np.linalg.inv(_gamma_matrix(lv))
    rng = np.random.default_rng(seed)
    rays = None
    tests = []
    for s in range(-(K - 1), 1):
        for sign in (1.0, -1.0):
            A = _rm_moments(K, T, Mbar, s, sign)
            AG = A[:, K:] @ Gam_inv  # identical for every (s, sign, Mbar)
            if rays is None:
                rays = _cone_rays(AG[:, 1:])
            SigY = A @ S @ A.T
            tests.append(_ARPTest(A @ b, AG[:, 0], rays, SigY, alpha, hybrid, alpha / 10, lf_sims, rng))
    return tests


def _rm_ci(b, S, num_pre, num_post, lv, Mbar, alpha, *, hybrid="LF", grid_points=1000,
           grid_lb=None, grid_ub=None, lf_sims=5000, seed=0, tol=None):
    """Confidence set for theta under Delta^RM(Mbar): test inversion, union over (s, sign)."""
    tests = _rm_tests(b, S, num_pre, num_post, lv, Mbar, alpha, hybrid, lf_sims, seed)
    est, sd, _, _ = _original_ci(b, S, num_pre, lv, alpha)
    if grid_lb is None or grid_ub is None:
        pre = np.concatenate([b[:num_pre], [0.0]])
        dpre = np.abs(np.diff(pre))
        sd_pre = float(np.sqrt(np.max(np.diag(S)[:num_pre])))
        reach = Mbar * float(np.abs(lv) @ np.arange(1, num_post + 1)) * (dpre.max() + 10 * sd_pre)
        half = 20 * sd + reach
        grid_lb = est - half if grid_lb is None else grid_lb
        grid_ub = est + half if grid_ub is None else grid_ub
    grid = np.linspace(grid_lb, grid_ub, int(grid_points))

    def accept(th):
        th = np.atleast_1d(th)
        acc = np.zeros(th.size, dtype=bool)
        for t in tests:
            acc |= t.accept(th)
            if acc.all():
                break
        return acc

    acc = accept(grid)
    if not acc.any():
        return math.nan, math.nan, grid
    if acc[0] or acc[-1]:
        warnings.warn("the robust confidence set reaches the edge of the theta grid; widen it "
                      "(grid_lb / grid_ub)", RuntimeWarning, stacklevel=3)
    idx = np.flatnonzero(acc)
    tol = tol if tol is not None else 1e-6 * sd

    def refine(inside, outside):
        while abs(outside - inside) > tol:
            mid = 0.5 * (inside + outside)
            if accept(mid)[0]:
                inside = mid
            else:
                outside = mid
        return inside

    lo = grid[idx[0]] if idx[0] == 0 else refine(grid[idx[0]], grid[idx[0] - 1])
    hi = grid[idx[-1]] if idx[-1] == grid.size - 1 else refine(grid[idx[-1]], grid[idx[-1] + 1])
    return float(lo), float(hi), grid


# --------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------
def _default_M(method, b, S, num_pre, alpha):
    if method == "relative_magnitudes":
        return np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    # smoothness: up to a (1 - alpha) upper bound on the largest pre-period second difference
    pre = np.concatenate([b[:num_pre], [0.0]])
    Spre = np.zeros((num_pre + 1, num_pre + 1))
    Spre[:num_pre, :num_pre] = S[:num_pre, :num_pre]
    if num_pre >= 2:
        D2 = np.zeros((num_pre - 1, num_pre + 1))
        for j in range(num_pre - 1):
            D2[j, j:j + 3] = [1.0, -2.0, 1.0]
    else:
        D2 = np.array([[1.0, -1.0]])  # only a slope is seen: use it as the scale
    d2 = D2 @ pre
    se2 = np.sqrt(np.diag(D2 @ Spre @ D2.T))
    mub = float(np.max(np.abs(d2) + stats.norm.ppf(1 - alpha) * se2))
    return np.linspace(0.0, mub, 6)


def _ci_for(method, b, S, num_pre, num_post, lv, M, alpha, opts, sdprob=None):
    if method == "smoothness":
        centre, hl, _ = sdprob.flci(b, float(M), alpha)
        return centre - hl, centre + hl
    lo, hi, _ = _rm_ci(b, S, num_pre, num_post, lv, float(M), alpha, **opts)
    return lo, hi


def honest_bounds(betahat, sigma, num_pre_periods, num_post_periods, l_vec=None,
                  method="relative_magnitudes", M=None, alpha=0.05, *, breakdown=True,
                  grid_points=1000, grid_lb=None, grid_ub=None, lf_sims=5000, seed=0):
    """Robust (HonestDiD) confidence intervals from event-study coefficients and their covariance.

    Parameters
    ----------
    betahat : array-like, length ``K + T``
        Event-study coefficients ordered in time: the ``K`` pre-treatment coefficients, then the
        ``T`` post-treatment ones. The reference (normalised, omitted) period is **excluded** and
        must be the period just before treatment, so that the pre-period coefficients are
        ``beta_{-K}, ..., beta_{-1}`` relative to it and the post-period ones ``beta_1..beta_T``.
    sigma : array-like, ``(K + T) x (K + T)``
        Covariance matrix of ``betahat``.
    num_pre_periods, num_post_periods : int
        ``K`` and ``T``.
    l_vec : array-like, length ``T``, optional
        Weights defining the target ``theta = l_vec' tau_post``. Default: the first post period.
    method : {"relative_magnitudes", "smoothness"}
        The restriction on the bias ``delta`` and its inference method (see :func:`honest_did`).
    M : float or sequence of float, optional
        ``Mbar`` (relative magnitudes) or ``M`` (smoothness) values. Default: ``0, 0.5, ..., 2``
        for relative magnitudes; for smoothness 6 points from 0 to a one-sided ``1 - alpha`` upper
        bound on the largest pre-period second difference of the coefficients.
    alpha : float
        1 - confidence level.
    breakdown : bool
        Compute the breakdown value (``frame.attrs["breakdown_M"]``).
    grid_points, grid_lb, grid_ub : optional
        Relative magnitudes: the ``theta`` grid for test inversion (default 1000 points spanning
        the estimate +- 20 standard errors plus the largest bias ``Delta^RM(Mbar)`` allows). Each
        end point of the confidence set is then refined by bisection to ``1e-6`` standard errors.
    lf_sims, seed : int
        Relative magnitudes: simulations (and their seed) for the least-favourable critical value
        of the first stage of the hybrid test (size ``kappa = alpha / 10``).

    Returns
    -------
    pandas.DataFrame
        See :func:`honest_did`.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if not 0 < alpha < 0.5:
        raise ValueError("alpha must lie in (0, 0.5)")
    b, S, K, T, lv = _check_inputs(betahat, sigma, num_pre_periods, num_post_periods, l_vec)
    if M is None:
        Ms = _default_M(method, b, S, K, alpha)
    else:
        Ms = np.atleast_1d(np.asarray(M, dtype=float))
        if Ms.size == 0 or np.any(~np.isfinite(Ms)) or np.any(Ms < 0):
            raise ValueError("M must be one or more finite non-negative numbers")
    est, sd, olo, ohi = _original_ci(b, S, K, lv, alpha)
    opts = dict(grid_points=grid_points, grid_lb=grid_lb, grid_ub=grid_ub, lf_sims=lf_sims, seed=seed)
    sdprob = _SDProblem(S, K, T, lv) if method == "smoothness" else None
    label = "FLCI" if method == "smoothness" else "C-LF"

    rows = [{"M": math.nan, "ci_low": olo, "ci_high": ohi, "method": "original"}]
    cis = {}
    for m in Ms:
        lo, hi = _ci_for(method, b, S, K, T, lv, m, alpha, opts, sdprob)
        cis[float(m)] = (lo, hi)
        rows.append({"M": float(m), "ci_low": lo, "ci_high": hi, "method": label})
    frame = pd.DataFrame(rows, columns=["M", "ci_low", "ci_high", "method"])

    bd = math.nan
    if breakdown:
        bd = _breakdown(method, b, S, K, T, lv, alpha, opts, sdprob, cis)
    frame.attrs.update({
        "breakdown_M": bd,
        "restriction": "DeltaRM" if method == "relative_magnitudes" else "DeltaSD",
        "inference": label,
        "estimate": est,
        "std_error": sd,
        "original_ci": (olo, ohi),
        "l_vec": lv.tolist(),
        "alpha": alpha,
        "num_pre_periods": K,
        "num_post_periods": T,
    })
    return frame


def _excludes_zero(ci):
    lo, hi = ci
    return bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))


def _breakdown(method, b, S, K, T, lv, alpha, opts, sdprob, cis, rel_tol=1e-3, max_doublings=12):
    """Largest M whose robust CI excludes 0 (bisection between grid points); nan if none does."""

    def excl(m):
        key = float(m)
        if key not in cis:
            cis[key] = _ci_for(method, b, S, K, T, lv, m, alpha, opts, sdprob)
        return _excludes_zero(cis[key])

    if not excl(0.0):
        return math.nan
    grid = sorted(cis)
    bad = [m for m in grid if not excl(m)]
    if bad:
        # bracket the first failure (if the grid is not monotone, the smallest failing M counts)
        hi = min(bad)
        lo = max(m for m in grid if m < hi)
    else:
        lo = grid[-1]
        if lo > 0:
            step = lo
        elif method == "relative_magnitudes":
            step = 0.5
        else:
            step = float(_default_M(method, b, S, K, alpha)[-1]) or 1e-3
        hi = lo + step
        n = 0
        while excl(hi):
            lo, hi, step = hi, hi + 2 * step, 2 * step
            n += 1
            if n > max_doublings:
                return math.inf
    while hi - lo > rel_tol * max(hi, 1e-12):
        mid = 0.5 * (lo + hi)
        if excl(mid):
            lo = mid
        else:
            hi = mid
    return float(lo)


def _extract_event_study(result, e, l_vec):
    """(betahat, sigma, K, T, l_vec, info) from an evalkit event-study result."""
    from ._common import ImpactResult

    if not isinstance(result, ImpactResult):
        raise TypeError(f"result must be an evalkit ImpactResult, got {type(result).__name__}")
    tab = result.tidy()
    if "event_time" not in tab.columns:
        raise ValueError("result has no event_time column: pass an event_study() result or "
                         "staggered_att(..., aggregate='dynamic')")
    if result.vcov is None:
        raise ValueError("the result carries no covariance matrix (result.vcov is None); HonestDiD "
                         "needs the joint covariance of the event-study coefficients")
    vc = result.vcov
    tab = tab[tab["event_time"].notna() & tab["term"].isin(vc.index)]
    se = tab["std_error"].astype(float)
    tab = tab[np.isfinite(se) & (se > 0)]  # drops a normalised reference period (estimate 0, no SE)
    if tab.empty:
        raise ValueError("no event-time coefficients of the result appear in its covariance matrix")
    tab = tab.assign(event_time=tab["event_time"].astype(float)).sort_values("event_time")
    et = tab["event_time"].to_numpy()
    if np.any(et != np.round(et)) or np.any(np.diff(et) == 0):
        raise ValueError("event times must be distinct integers")
    details = getattr(result, "details", {}) or {}
    estimator = details.get("estimator")
    ref = details.get("ref")
    notes = []
    pre_mask = et < 0
    post_mask = et >= 0
    n_pre = int(pre_mask.sum())
    if estimator == "twfe" or ref is not None:
        if ref != -1:
            raise ValueError(f"HonestDiD assumes the reference period is the last pre-treatment "
                             f"period; re-estimate with ref=-1 (got ref={ref})")
        expected_pre = np.arange(-1 - n_pre, -1)
    elif n_pre and et[pre_mask][-1] == -2:  # common (universal) base: e = -1 normalised and excluded
        expected_pre = np.arange(-1 - n_pre, -1)
    else:
        expected_pre = np.arange(-n_pre, 0)
        if _base_period_kind(details) != "universal":
            msg = ("HonestDiD assumes a common reference period, but this Callaway-Sant'Anna result "
                   "uses a varying base period, so its pre-period estimates are short (period-on-period) "
                   "differences; prefer base_period='universal'")
            warnings.warn(msg, UserWarning, stacklevel=3)
            notes.append(msg)
    pre_et, post_et = et[pre_mask], et[post_mask]
    if pre_et.size == 0 or post_et.size == 0:
        raise ValueError("need at least one pre-treatment and one post-treatment coefficient")
    if not np.array_equal(pre_et, expected_pre) or not np.array_equal(post_et, np.arange(post_et.size)):
        raise ValueError(f"event times must be consecutive (pre {pre_et.tolist()}, post "
                         f"{post_et.tolist()}); HonestDiD needs an unbroken event window")
    terms = tab["term"].tolist()
    b = tab["estimate"].to_numpy(float)
    S = vc.loc[terms, terms].to_numpy(float)
    K, T = int(pre_et.size), int(post_et.size)
    if l_vec is None:
        es = np.atleast_1d(np.asarray(e, dtype=float))
        lv = np.zeros(T)
        for ev in es:
            hit = np.flatnonzero(post_et == ev)
            if hit.size == 0:
                raise ValueError(f"e={ev:g} is not a post-treatment event time of the result "
                                 f"(available: {post_et.astype(int).tolist()})")
            lv[hit[0]] += 1.0 / es.size
    else:
        lv = np.asarray(l_vec, dtype=float)
    return b, S, K, T, lv, {"terms": terms, "notes": notes}


def _base_period_kind(details):
    kind = details.get("base_period")
    if kind is not None:
        return str(kind)
    cells = details.get("att_gt")
    if isinstance(cells, pd.DataFrame) and {"group", "base"} <= set(cells.columns):
        nb = cells.groupby("group")["base"].nunique()
        return "universal" if (nb <= 1).all() else "varying"
    return "varying"


def honest_did(result=None, e=0, method="relative_magnitudes", M=None, alpha=0.05, *, l_vec=None,
               betahat=None, sigma=None, num_pre=None, num_post=None, **kwargs):
    """Sensitivity of an event-study effect to violations of parallel trends (Rambachan & Roth 2023).

    Estimand
        ``theta = l_vec' tau_post``, a linear combination of the post-treatment effects
        ``tau_post = (tau_0, ..., tau_{T-1})`` (event times ``e = 0, 1, ...``). The default
        ``e=0`` targets the first post-treatment period; ``e`` may also be a list of event times
        (their average) or ``l_vec`` may be given directly. The event-study coefficients are
        ``beta = tau + delta`` with ``tau_pre = 0`` and an unknown bias ``delta`` (differential
        trend), whose pre-period part is identified by the pre-period coefficients.

    Restrictions (``method``)
        ``"relative_magnitudes"`` -- ``Delta^RM(Mbar)``: for every post period ``t``,
        ``|delta_t - delta_{t-1}| <= Mbar * max_{s<=0} |delta_s - delta_{s-1}|``: post-treatment
        changes in the differential trend are at most ``Mbar`` times the largest pre-treatment one
        (``Mbar = 1``: no bigger than the worst pre-period change). Inference: the
        conditional-least-favourable hybrid ("C-LF") of Andrews, Roth & Pakes, inverting the
        moment-inequality test over a grid of ``theta`` for each location and sign of the
        pre-period maximum and taking the union (HonestDiD's default for this restriction).
        Here the dual linear program is solved by enumerating its vertices, so each test is exact
        and vectorised; the end points of the grid-inverted set are refined by bisection.

        ``"smoothness"`` -- ``Delta^SD(M)``: ``|(delta_{t+1} - delta_t) - (delta_t - delta_{t-1})|
        <= M`` for all ``t``: the slope of the differential trend changes by at most ``M`` per
        period (``M = 0``: linear trends extrapolated from the pre-period). Inference: the optimal
        fixed-length confidence interval (FLCI) over affine estimators ``v' beta_hat`` with
        ``v_post = l_vec`` (Armstrong & Kolesar 2018), HonestDiD's default for this restriction:
        the pre-period weights minimise ``cv_alpha(bias/sd) * sd`` where ``bias`` is the worst case
        over ``Delta^SD(M)`` and ``cv_alpha(b)`` the ``1 - alpha`` quantile of ``|N(b, 1)|``.

    The reference period (normalised to 0; ``e=-1`` for the TWFE event study, which must use
    ``ref=-1``) is excluded from ``betahat``. HonestDiD assumes a common reference period. For a
    Callaway-Sant'Anna result (``event_study(..., estimator="cs")`` or
    ``staggered_att(..., aggregate="dynamic")``) with a varying base period the pre-period
    estimates are short (period-on-period) differences rather than deviations from a common base;
    the HonestDiD authors recommend ``base_period="universal"`` (``staggered_att(...,
    base_period="universal")``; its normalised ``e=-1`` is then excluded like the TWFE reference),
    and the ``honest_did`` helper in the HonestDiD README refuses varying-base results. Here a
    varying-base result is still analysed (all pre-period estimates, ``e=-1`` included, are taken
    as the pre-period coefficients, with the reference between ``e=-1`` and ``e=0``) but a
    ``UserWarning`` is issued and recorded in ``frame.attrs["notes"]``.

    Parameters
    ----------
    result : ImpactResult, optional
        Event-study result with ``tidy()`` columns ``term, estimate, event_time`` and ``vcov``
        indexed by term. Alternatively pass ``betahat``, ``sigma``, ``num_pre`` and ``num_post``
        (see :func:`honest_bounds` for the ordering).
    e : int or sequence of int
        Post-treatment event time(s) of the target (ignored if ``l_vec`` is given).
    method : {"relative_magnitudes", "smoothness"}
    M : float or sequence of float, optional
        ``Mbar`` or ``M`` values (defaults in :func:`honest_bounds`).
    alpha : float
        1 - confidence level.
    **kwargs
        Passed to :func:`honest_bounds` (``breakdown``, ``grid_points``, ``grid_lb``, ``grid_ub``,
        ``lf_sims``, ``seed``).

    Returns
    -------
    pandas.DataFrame
        Columns ``M, ci_low, ci_high, method``: first the conventional interval that assumes exact
        parallel trends (``method == "original"``, ``M`` missing), then one row per ``M`` with
        ``method`` ``"C-LF"`` or ``"FLCI"``. ``frame.attrs`` holds ``breakdown_M`` -- the largest
        ``M`` at which the robust interval still excludes 0, found by bisection between grid values
        (relative tolerance 1e-3; extending the grid by doubling if every grid value excludes 0;
        ``nan`` if even ``M = 0`` does not exclude 0) -- plus ``restriction``, ``inference``,
        ``estimate``, ``std_error``, ``original_ci``, ``l_vec``, ``alpha`` and the numbers of pre
        and post periods.

    References
    ----------
    Rambachan, A. & Roth, J. (2023). A More Credible Approach to Parallel Trends. *Review of
    Economic Studies* 90(5), 2555-2591.
    Andrews, I., Roth, J. & Pakes, A. (2023). Inference for Linear Conditional Moment Inequalities.
    *Review of Economic Studies* 90(6), 2763-2791.
    Armstrong, T. B. & Kolesar, M. (2018). Optimal Inference in a Class of Regression Models.
    *Econometrica* 86(2), 655-683.
    """
    if result is not None:
        if any(x is not None for x in (betahat, sigma, num_pre, num_post)):
            raise ValueError("pass either result or betahat/sigma/num_pre/num_post, not both")
        b, S, K, T, lv, info = _extract_event_study(result, e, l_vec)
    else:
        if any(x is None for x in (betahat, sigma, num_pre, num_post)):
            raise ValueError("pass an event-study result, or all of betahat, sigma, num_pre and num_post")
        b, S, K, T = betahat, sigma, num_pre, num_post
        if l_vec is None:
            es = np.atleast_1d(np.asarray(e, dtype=float))
            if np.any(es < 0) or np.any(es >= int(T)) or np.any(es != np.round(es)):
                raise ValueError(f"e must be post-treatment event times in 0..{int(T) - 1}")
            lv = np.zeros(int(T))
            for ev in es:
                lv[int(ev)] += 1.0 / es.size
        else:
            lv = l_vec
        info = {"terms": None, "notes": []}
    frame = honest_bounds(b, S, K, T, lv, method=method, M=M, alpha=alpha, **kwargs)
    frame.attrs["terms"] = info["terms"]
    frame.attrs["notes"] = info["notes"]
    return frame
