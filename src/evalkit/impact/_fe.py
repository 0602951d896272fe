"""Fixed effects and cluster-robust variance: singleton dropping, within transformation (demeaning),
nesting checks and the CRV1 sandwich. Shared by the TWFE estimators (:mod:`evalkit.impact.did`,
:mod:`evalkit.impact.event_study`, :mod:`evalkit.impact.services`) and the wild cluster bootstrap
(:mod:`evalkit.impact.wildboot`). Nothing here is public API.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


# --------------------------------------------------------------------------------------
# fixed effects and CRV1
# --------------------------------------------------------------------------------------
def drop_singletons(codes: list[np.ndarray]) -> np.ndarray:
    """Boolean keep-mask after iteratively dropping singleton fixed-effect levels.

    Stata ``reghdfe`` drops singletons by default and so does pyfixest's ``feols`` with
    ``fixef_rm="singleton"`` (the default of pyfixest 0.60; set it explicitly when comparing); R ``fixest``
    keeps singletons by default (``fixef.rm`` does not remove them for ``feols``)."""
    keep = np.ones(len(codes[0]), dtype=bool)
    while True:
        changed = False
        for c in codes:
            cnt = np.bincount(c[keep], minlength=c.max() + 1)
            bad = keep & (cnt[c] == 1)
            if bad.any():
                keep &= ~bad
                changed = True
        if not changed:
            return keep


def demean(M: np.ndarray, codes: list[np.ndarray], *, tol: float = 1e-12, maxiter: int = 10_000) -> np.ndarray:
    """Within-transform the columns of ``M`` for the fixed effects given as integer codes.

    One FE: subtract group means. Two FEs on a balanced panel: closed form
    ``x - xbar_i - xbar_t + xbar``. Otherwise alternating projections (the method of
    Gaure 2013, as in fixest/pyfixest) until the largest change is below ``tol`` times the scale.
    """
    M = np.asarray(M, dtype=float)
    if M.ndim == 1:
        M = M[:, None]
    out = M.copy()
    counts = [np.bincount(c) for c in codes]

    def _sweep(X, c, cnt):
        for j in range(X.shape[1]):
            X[:, j] -= (np.bincount(c, weights=X[:, j], minlength=len(cnt)) / cnt)[c]

    if len(codes) == 1:
        _sweep(out, codes[0], counts[0])
        return out
    if len(codes) == 2:
        n1, n2 = len(counts[0]), len(counts[1])
        # balanced = every (level1, level2) cell exactly once; marginal counts alone are not enough
        # (a duplicated cell can hide a missing one)
        if (len(M) == n1 * n2 and np.all(counts[0] == n2) and np.all(counts[1] == n1)
                and np.bincount(codes[0] * n2 + codes[1], minlength=n1 * n2).max() == 1):
            _sweep(out, codes[0], counts[0])
            _sweep(out, codes[1], counts[1])  # exact for balanced two-way designs
            return out
    scale = np.maximum(np.abs(M).max(axis=0), 1.0)
    for _ in range(maxiter):
        prev = out.copy()
        for c, cnt in zip(codes, counts):
            _sweep(out, c, cnt)
        if np.max(np.abs(out - prev).max(axis=0) / scale) < tol:
            return out
    raise RuntimeError("fixed-effect demeaning did not converge")


def is_nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """True if every level of ``inner`` sits within a single level of ``outer``."""
    df = pd.DataFrame({"i": inner, "o": outer}).drop_duplicates()
    return not df["i"].duplicated().any()


def crv1(Xt: np.ndarray, resid: np.ndarray, cluster: np.ndarray, bread: np.ndarray) -> np.ndarray:
    """Unscaled CRV1 sandwich ``bread (sum_g X_g'u_g u_g'X_g) bread`` (Cameron & Miller 2015)."""
    G = cluster.max() + 1
    scores = np.column_stack([np.bincount(cluster, weights=Xt[:, j] * resid, minlength=G) for j in range(Xt.shape[1])])
    meat = scores.T @ scores
    return bread @ meat @ bread
