"""Cost per unit of impact (cost-effectiveness ratio) with a delta-method, Fieller or bootstrap interval.

References
----------
Fieller, E. C. (1954). Some problems in interval estimation. *J. R. Stat. Soc. B* 16(2), 175-185.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from evalkit.cost._common import _rng, _z


def _ratio_bounds(cost: float, lo: float, hi: float) -> tuple[float, float, bool]:
    """``{cost / mu : mu in [lo, hi]}`` as (low, high, bounded). Unbounded when 0 lies in [lo, hi]."""
    if lo > 0 or hi < 0:
        a, b = cost / lo, cost / hi
        return min(a, b), max(a, b), True
    # 0 inside the effect interval: the set is (-inf, C/lo] U [C/hi, inf) for C > 0. Report the side of
    # beneficial effects: [C/hi, inf) (NaN if hi <= 0).
    if cost >= 0:
        return (cost / hi if hi > 0 else np.nan), np.inf, False
    return -np.inf, (cost / hi if hi > 0 else np.nan), False


def cost_effectiveness(cost: float, effect: float, effect_se: float | None = None, n_boot: int = 2000,
                       rng: np.random.Generator | int | None = None, method: str = "delta", ci: float = 0.95,
                       fieller_g: float = 0.1) -> pd.Series:
    r"""Cost per unit of impact, :math:`R = C / E`, with a confidence interval.

    The cost :math:`C` is treated as known (fixed); the effect estimate :math:`\hat E` is approximately
    normal with standard error :math:`s`.

    * ``method="delta"``: :math:`\mathrm{se}(\hat R) = C s / \hat E^2` and :math:`\hat R \pm z\,\mathrm{se}`.
      The delta interval is only trustworthy when the effect is precise. With Fieller's (1954)
      :math:`g = z^2 s^2 / \hat E^2`, when :math:`g \ge` ``fieller_g`` (default 0.1, i.e. the effect's
      t-statistic below about 6.2) the function warns and returns **Fieller's interval** instead. With a
      fixed cost Fieller's set is exactly :math:`\{C/\mu : \mu \in \hat E \pm z s\}`, i.e.
      :math:`[C/(\hat E + z s),\; C/(\hat E - z s)]` for a positive effect. When :math:`g \ge 1` the effect
      interval contains 0 and the set is unbounded: ``ci_high = inf`` (no effect cannot be excluded, so the
      cost per unit of impact may be arbitrarily large), ``ci_low = C/(\hat E + z s)``, ``bounded=False``.
    * ``method="fieller"``: always Fieller's interval.
    * ``method="bootstrap"``: parametric bootstrap, :math:`E^*_b \sim N(\hat E, s^2)` with a seeded
      ``numpy.random.default_rng``; the percentile interval of :math:`E^*` is mapped through
      :math:`C/E` (monotone on each side of 0), which equals the percentile interval of :math:`R^*` when all
      draws are positive; if the lower percentile is :math:`\le 0` the upper bound is ``inf`` (with a warning).

    Parameters
    ----------
    cost : float
        Total (or per-participant) cost in rupiah, >= 0.
    effect : float
        Impact in the same units (total or per participant), positive = improvement.
    effect_se : float, optional
        Standard error of ``effect``; without it only the point estimate is returned.
    n_boot : int
        Bootstrap draws.
    rng : Generator, int or None
        Seed or generator for the bootstrap (``None`` -> ``config.DEFAULT_SEED``).
    method : {"delta", "fieller", "bootstrap"}
    ci : float
        Confidence level.
    fieller_g : float
        Threshold on Fieller's g above which ``"delta"`` switches to Fieller's interval.

    Returns
    -------
    Series
        ``cost, effect, effect_se, ratio, se, ci_low, ci_high, g, bounded, method`` (``method`` is the interval
        actually used; ``se`` is the delta-method SE, or the SD of the positive bootstrap ratios).
    """
    if method not in ("delta", "fieller", "bootstrap"):
        raise ValueError(f"method must be 'delta', 'fieller' or 'bootstrap', got {method!r}")
    cost, effect = float(cost), float(effect)
    z = _z(ci)
    if effect == 0:
        warnings.warn("effect is 0: cost per unit of impact is infinite", RuntimeWarning, stacklevel=2)
        ratio = np.inf
    else:
        ratio = cost / effect
        if effect < 0:
            warnings.warn("effect is negative (harm, or the wrong sign convention): the ratio has no "
                          "cost-per-improvement meaning", RuntimeWarning, stacklevel=2)
    out = {"cost": cost, "effect": effect, "effect_se": np.nan, "ratio": ratio, "se": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "g": np.nan, "bounded": False, "method": "none"}
    if effect_se is None or not np.isfinite(effect_se):
        return pd.Series(out)
    s = float(effect_se)
    if s < 0:
        raise ValueError(f"effect_se must be >= 0, got {s}")
    out["effect_se"] = s
    g = (z * s / effect) ** 2 if effect != 0 else np.inf
    out["g"] = g
    lo_e, hi_e = effect - z * s, effect + z * s
    if method == "bootstrap":
        draws = _rng(rng).normal(effect, s, size=int(n_boot))
        q_lo, q_hi = np.quantile(draws, [(1 - ci) / 2, (1 + ci) / 2])
        lo, hi, bounded = _ratio_bounds(cost, q_lo, q_hi)
        pos = draws[draws > 0]
        out.update(se=float(np.std(cost / pos, ddof=1)) if len(pos) > 1 else np.nan, ci_low=lo, ci_high=hi,
                   bounded=bounded, method="bootstrap")
        if not bounded:
            warnings.warn("bootstrap effect interval includes 0: the cost-effectiveness interval is unbounded",
                          RuntimeWarning, stacklevel=2)
        return pd.Series(out)
    se = abs(cost) * s / effect**2 if effect != 0 else np.inf
    out["se"] = se
    if method == "delta" and g < fieller_g:
        out.update(ci_low=ratio - z * se, ci_high=ratio + z * se, bounded=True, method="delta")
        return pd.Series(out)
    if method == "delta":
        warnings.warn(f"effect is imprecise (Fieller g = {g:.3g} >= {fieller_g}): the delta-method interval is "
                      "unreliable, returning Fieller's interval", RuntimeWarning, stacklevel=2)
    lo, hi, bounded = _ratio_bounds(cost, lo_e, hi_e)
    if not bounded:
        warnings.warn("effect interval includes 0 (g >= 1): Fieller's interval is unbounded", RuntimeWarning,
                      stacklevel=2)
    out.update(ci_low=lo, ci_high=hi, bounded=bounded, method="fieller")
    return pd.Series(out)
