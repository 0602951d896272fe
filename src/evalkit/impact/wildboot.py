"""Wild cluster restricted (WCR) bootstrap for few-cluster inference on linear-model results.

:meth:`ImpactResult.wild_bootstrap <evalkit.impact.ImpactResult.wild_bootstrap>` calls
:func:`wild_bootstrap` here. The estimator that built the result stores its design (the within-transformed
outcome and regressors, the cluster codes, the fixed-effect codes and the CRV1 small-sample factor) with
:func:`attach_design`. Absorbed fixed effects are handled by Frisch-Waugh-Lovell: estimates, restricted
residuals and bootstrap coefficients come from the demeaned ``y`` and ``X``. The bootstrap residuals are also
projected off the fixed effects (``M_FE (u~ * v)``), so the bootstrap is exactly the one of the
dummy-variable regression (what ``wildboottest`` and pyfixest's ``Feols.wildboottest()`` compute on the
one-hot design). When every fixed effect is nested in the clusters this projection changes nothing and the
procedure is plain FWL on demeaned data; time effects are never nested in unit clusters, so it matters for
TWFE.

Algorithm (Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017; Roodman, MacKinnon, Nielsen & Webb 2019,
"Fast and wild"). For ``H0: beta_j = beta0`` the restricted fit has residuals
``u~ = u^ + z (beta^_j - beta0) / A_jj`` with ``A = (X'X)^-1`` and ``z = X A e_j``. The bootstrap outcome
``y* = X beta~ + u~ * v_g`` (one weight ``v_g`` per cluster) gives

* numerator ``beta*_j - beta0 = sum_g v_g s_g`` with ``s_g = z_g' u~_g``;
* cluster scores of the bootstrap CRV1 variance ``v_h s_h - sum_g C_hg v_g`` with
  ``C = (X_h' z_h)' A (X_g' u~_g)``.

Both are linear in the ``B x G`` weight matrix, and both are affine in ``delta = (beta^_j - beta0) / A_jj``,
so after one pass over the data (``G x k`` cluster sums) every bootstrap t-statistic for every ``beta0`` is
a ratio of quadratics in ``delta`` with ``B``-vectors of precomputed coefficients: a p-value costs ``O(B)``
and the confidence interval by test inversion (root-finding on ``p(beta0) = alpha``) is cheap.

The t-statistics use the CRV1 variance with the same small-sample factor as the original fit (it cancels in
``|t*| >= |t|``, so the p-value does not depend on it). The p-value is symmetric two-sided: the share of
``|t*_b| >= |t|`` (ties count: under full enumeration the all-plus and all-minus sign vectors rebuild the sample
itself, ``t* = +-t``, so the p-value is at least ``2 / 2**G``; wildboottest counts ``|t*| > |t|``, i.e.
``2 / 2**G`` less). Rademacher weights with ``2**G <= B`` enumerate all ``2**G`` sign vectors (exact, no
simulation noise); otherwise ``B`` vectors are drawn with :func:`numpy.random.default_rng` ``(seed)``. Webb's
six-point weights (``+-sqrt(1/2), +-1, +-sqrt(3/2)``, each with probability 1/6) are preferable with fewer
than about 12 clusters, where Rademacher has only ``2**G`` distinct draws.

References
----------
Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2008). Bootstrap-based improvements for inference with
clustered errors. Review of Economics and Statistics, 90(3), 414-427.

MacKinnon, J. G., & Webb, M. D. (2017). Wild bootstrap inference for wildly different cluster sizes.
Journal of Applied Econometrics, 32(2), 233-254.

Roodman, D., MacKinnon, J. G., Nielsen, M. O., & Webb, M. D. (2019). Fast and wild: Bootstrap inference in
Stata using boottest. The Stata Journal, 19(1), 4-60.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._fe import demean

__all__ = ["FEW_CLUSTERS", "attach_design", "few_clusters_note", "wild_bootstrap"]

#: Below this many clusters results carry a note recommending the wild cluster bootstrap.
FEW_CLUSTERS = 30

_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def few_clusters_note(G: int | None) -> list[str]:
    """The few-clusters note (a one-element list) when ``G < 30``, else an empty list."""
    if G is None or G >= FEW_CLUSTERS:
        return []
    return [f"Only {G} clusters (< {FEW_CLUSTERS}): CRV1 t-tests over-reject with few clusters; report the wild "
            "cluster bootstrap (result.wild_bootstrap()) beside the CRV1 p-value."]


def attach_design(result, design: dict | Callable[[], dict], terms: Sequence[str] | None = None):
    """Store what :func:`wild_bootstrap` needs on ``result`` and add the few-clusters note; returns ``result``.

    ``design`` is a dict with ``X`` (N x k, within-transformed), ``y`` (N), ``cluster`` (integer codes
    0..G-1), ``names`` (k column names), ``factor`` (CRV1 small-sample factor) and ``fe`` (list of integer
    code arrays of the absorbed fixed effects, or None) -- the ``"design"`` entry of
    :func:`evalkit.impact.did.twfe_fit`'s return value, or that whole return value -- or a callable returning
    such a dict (evaluated on the first bootstrap, e.g. to refit a closed-form result through the general
    path). ``terms``: the rows bootstrapped when ``term=None`` (default: every table term that is a column).
    """
    if isinstance(design, dict) and "design" in design:
        design = design["design"]
    result._wild = {"design": design, "terms": None if terms is None else list(terms)}
    for note in few_clusters_note(result.n_clusters):
        if note not in result.notes:
            result.notes.append(note)
    return result


def _draw_weights(kind: str, G: int, B: int, rng) -> tuple[np.ndarray, int]:
    if kind == "rademacher":
        if G < 63 and 2**G <= B:  # full enumeration: every sign vector once
            grid = (np.arange(2**G)[:, None] >> np.arange(G)[None, :]) & 1
            return grid * 2.0 - 1.0, 2**G
        return rng.integers(0, 2, size=(B, G)) * 2.0 - 1.0, B
    if kind == "webb":
        return _WEBB[rng.integers(0, 6, size=(B, G))], B
    raise ValueError(f"weights must be 'rademacher' or 'webb', got {kind!r}")


def _cluster_sums(M: np.ndarray, cl: np.ndarray, G: int) -> np.ndarray:
    """G x k matrix of per-cluster column sums of ``M`` (N x k)."""
    return np.column_stack([np.bincount(cl, weights=M[:, j], minlength=G) for j in range(M.shape[1])])


class _Term:
    """Precomputed WCR bootstrap of one coefficient: ``p(beta0)`` in O(B)."""

    def __init__(self, X, y, cl, G, A, beta, resid, Su, j, V, factor, fe=None):
        a = A[:, j]
        self.beta = float(beta[j])
        self.Ajj = float(a[j])
        z = X @ a
        U = _cluster_sums(X * z[:, None], cl, G)  # rows X_h' z_h
        Rm = U @ A  # rows (X_h' z_h)' A
        e = np.bincount(cl, weights=z * resid, minlength=G)  # unrestricted scores s_g at delta = 0
        f = np.bincount(cl, weights=z * z, minlength=G)  # d s_g / d delta
        self.se = float(np.sqrt(factor * (e @ e)))
        C0 = Rm @ Su.T  # C at delta = 0 (Su: G x k rows X_g' u^_g)
        C1 = Rm @ U.T  # d C / d delta
        if fe is None:  # no absorbed effects: bootstrap residual scores v_h s_h - (C v)_h
            K0, K1 = np.diag(e), np.diag(f)
        else:
            # absorbed fixed effects are regressors of the bootstrap DGP too: the bootstrap residual is
            # M_FE(u~ * v) - X~ A X~'(u~ * v), and M_FE(u~ * v) differs from u~ * v unless every fixed effect is
            # nested in the clusters (time effects never are). K[h, g] = (M_FE(z 1_h))' (u~ 1_g).
            W = np.zeros((len(z), G))
            W[np.arange(len(z)), cl] = z
            W = demean(W, fe)
            K0 = _cluster_sums(W * resid[:, None], cl, G).T
            K1 = _cluster_sums(W * z[:, None], cl, G).T
        P0 = V @ (K0 - C0).T
        P1 = V @ (K1 - C1).T
        self.n0, self.n1 = V @ e, V @ f
        self.d00 = factor * np.einsum("bg,bg->b", P0, P0)
        self.d01 = factor * np.einsum("bg,bg->b", P0, P1)
        self.d11 = factor * np.einsum("bg,bg->b", P1, P1)

    def tstats(self, beta0: float) -> tuple[float, np.ndarray]:
        delta = (self.beta - beta0) / self.Ajj
        t = (self.beta - beta0) / self.se
        den = self.d00 + 2 * delta * self.d01 + delta * delta * self.d11
        with np.errstate(divide="ignore", invalid="ignore"):
            tb = (self.n0 + delta * self.n1) / np.sqrt(np.maximum(den, 0.0))
        return t, tb

    def pvalue(self, beta0: float) -> float:
        t, tb = self.tstats(beta0)
        # ties count as exceedances (beta0 = beta^: t = 0; the all +1 / all -1 sign vectors reproduce the
        # sample itself, t* = +-t, and are among the draws under full enumeration)
        tol = 1e-9 * max(abs(t), 1e-300)
        return float(np.mean(np.abs(tb) >= abs(t) - tol))

    def _side(self, alpha: float, sign: int, step: float) -> float:
        f = lambda b0: self.pvalue(b0) - alpha  # noqa: E731
        inner, outer = self.beta, self.beta + sign * step
        for _ in range(60):
            if f(outer) < 0:
                break
            inner, outer = outer, self.beta + 2 * (outer - self.beta)
        else:
            return sign * np.inf  # p never falls below alpha (too few distinct draws)
        lo, hi = sorted((inner, outer))
        return float(optimize.brentq(f, lo, hi, xtol=1e-12 * max(abs(self.beta), step), rtol=1e-14, maxiter=500))

    def confint(self, alpha: float, df: float) -> tuple[float, float]:
        if not np.isfinite(self.se) or self.se == 0:
            return np.nan, np.nan
        step = stats.t.ppf(1 - alpha / 2, max(df, 1)) * self.se
        return self._side(alpha, -1, step), self._side(alpha, 1, step)


def wild_bootstrap(result, term=None, B: int = 9999, weights: str = "rademacher", seed=None) -> pd.DataFrame:
    """Wild cluster restricted bootstrap p-values and confidence intervals for a regression result.

    Parameters
    ----------
    result : ImpactResult
        From :func:`~evalkit.impact.did`, the TWFE :func:`~evalkit.impact.event_study`,
        :func:`~evalkit.impact.heterogeneity` (with ``cluster``) or :func:`evalkit.impact.services.dose_twfe`.
    term : str or list of str, optional
        Terms to test (``H0: coefficient = 0``); default the result's main terms.
    B : int, default 9999
        Bootstrap draws. With Rademacher weights and ``2**G <= B`` all ``2**G`` sign vectors are used.
    weights : {"rademacher", "webb"}
        Cluster weight distribution.
    seed : int or numpy Generator, optional
        Seed for :func:`numpy.random.default_rng`; the same weights are used for every term and every point
        of the test inversion.

    Returns
    -------
    pandas.DataFrame
        ``term, estimate, p_value, ci_low, ci_high, B, weights``: ``p_value`` is the symmetric bootstrap
        p-value of ``H0: coefficient = 0``, ``ci_low``/``ci_high`` the ``1 - result.alpha`` interval by test
        inversion (the ``beta0`` where the bootstrap p-value crosses ``alpha``), ``B`` the number of weight
        vectors actually used.
    """
    tbs, B_used = _prepare(result, term, B, weights, seed)
    rows = []
    for t, tb in tbs.items():
        lo, hi = tb.confint(result.alpha, tb.G - 1)
        rows.append({"term": t, "estimate": tb.beta, "p_value": tb.pvalue(0.0), "ci_low": lo, "ci_high": hi,
                     "B": int(B_used), "weights": weights})
    return pd.DataFrame(rows, columns=["term", "estimate", "p_value", "ci_low", "ci_high", "B", "weights"])


def _prepare(result, term, B, weights, seed) -> tuple[dict, int]:
    """``{term: _Term}`` and the number of weight vectors used."""
    spec = getattr(result, "_wild", None)
    if spec is None:
        raise ValueError(f"the wild cluster bootstrap is not available for {result.method!r}; it needs a "
                         "cluster-robust linear fit (did, TWFE event_study, heterogeneity with cluster=, dose_twfe)")
    if isinstance(B, bool) or not isinstance(B, (int, np.integer)) or B < 1:
        raise ValueError(f"B must be a positive integer, got {B!r}")
    if weights not in ("rademacher", "webb"):
        raise ValueError(f"weights must be 'rademacher' or 'webb', got {weights!r}")
    design = spec["design"]
    if callable(design):
        design = design()
        if isinstance(design, dict) and "design" in design:
            design = design["design"]
        spec["design"] = design
    names = list(design["names"])
    if term is None:
        terms = spec["terms"] if spec["terms"] is not None else [t for t in result.table["term"] if t in names]
    else:
        terms = [term] if isinstance(term, str) else list(term)
    bad = [t for t in terms if t not in names]
    if bad:
        raise ValueError(f"terms {bad} are not estimated coefficients of this result (available: {names})")
    X = np.asarray(design["X"], dtype=float)
    y = np.asarray(design["y"], dtype=float)
    cl = pd.factorize(np.asarray(design["cluster"]))[0]
    G = int(cl.max()) + 1
    if G < 2:
        raise ValueError("the wild cluster bootstrap needs at least 2 clusters")
    factor = float(design["factor"])
    fe = design.get("fe")
    if fe is not None and len(X) * G > 100_000_000:
        raise ValueError(f"{len(X)} rows x {G} clusters is too large for the wild cluster bootstrap with absorbed "
                         "fixed effects (it is meant for few clusters)")
    A = np.linalg.inv(X.T @ X)
    A = (A + A.T) / 2
    beta = A @ (X.T @ y)
    resid = y - X @ beta
    Su = _cluster_sums(X * resid[:, None], cl, G)
    V, B_used = _draw_weights(weights, G, int(B), np.random.default_rng(seed))
    out = {}
    for t in terms:
        out[t] = _Term(X, y, cl, G, A, beta, resid, Su, names.index(t), V, factor, fe)
        out[t].G = G
    return out, B_used


def _pvalue_at(result, term, beta0, B=9999, weights="rademacher", seed=None) -> float:
    """Bootstrap p-value of ``H0: term = beta0`` with the weights :func:`wild_bootstrap` uses for the same
    ``seed`` (for checks of the test inversion)."""
    tbs, _ = _prepare(result, term, B, weights, seed)
    return tbs[term].pvalue(beta0)
