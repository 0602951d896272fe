"""Simulated panels with a known training effect, for tests, documentation and method checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_staggered_panel"]


def simulate_staggered_panel(
    n_units: int = 1000,
    n_periods: int = 8,
    cohorts=(3, 5, 7),
    never_share: float = 0.4,
    effect: str = "dynamic",
    base_effect: float = 1.0,
    slope: float = 0.5,
    cohort_shift: float = 0.5,
    noise_sd: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate a staggered-adoption panel (e.g. staff trained in different quarters).

    ``y_it = a_i + lambda_t + tau_it + e_it`` with unit effects ``a_i ~ N(0,1)`` (correlated with
    the cohort), common time effects ``lambda_t = 0.3 t``, noise ``e_it ~ N(0, noise_sd^2)`` and
    true effect ``tau_it`` for treated units at event time ``e = t - g >= 0``:

    * ``effect="constant"``: ``tau = base_effect``;
    * ``effect="dynamic"`` (heterogeneous): ``tau = base_effect + slope*e + cohort_shift*k``
      where ``k`` is the cohort's index (0, 1, ...): effects grow with exposure and differ by cohort,
      the case where TWFE is biased (Goodman-Bacon 2021; Callaway & Sant'Anna 2021).

    Parameters
    ----------
    n_units, n_periods : int
        Units and periods (periods are 1..n_periods).
    cohorts : sequence of int
        First treated periods of the treated cohorts (equal shares of the treated).
    never_share : float
        Share never treated (``g = 0``).
    seed : int
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, t, g, y, treat`` (1 if treated and post), ``tau`` (true effect, 0 if
        untreated), ``x`` (a covariate independent of treatment).
    """
    rng = np.random.default_rng(seed)
    cohorts = np.asarray(cohorts, dtype=int)
    u = rng.random(n_units)
    k = np.minimum(((u - never_share) / (1 - never_share) * len(cohorts)).astype(int), len(cohorts) - 1)
    g = np.where(u < never_share, 0, cohorts[np.clip(k, 0, None)])
    kidx = np.where(g > 0, np.searchsorted(cohorts, g), 0)
    a = rng.normal(size=n_units) + 0.3 * kidx
    ids = np.repeat(np.arange(1, n_units + 1), n_periods)
    t = np.tile(np.arange(1, n_periods + 1), n_units)
    gg = np.repeat(g, n_periods)
    e = t - gg
    treated = (gg > 0) & (e >= 0)
    if effect == "constant":
        tau = np.where(treated, base_effect, 0.0)
    elif effect == "dynamic":
        tau = np.where(treated, base_effect + slope * e + cohort_shift * np.repeat(kidx, n_periods), 0.0)
    else:
        raise ValueError(f"effect must be 'constant' or 'dynamic', got {effect!r}")
    y = np.repeat(a, n_periods) + 0.3 * t + tau + rng.normal(scale=noise_sd, size=n_units * n_periods)
    return pd.DataFrame(
        {"id": ids, "t": t, "g": gg, "y": y, "treat": treated.astype(int), "tau": tau,
         "x": rng.normal(size=n_units * n_periods)}
    )
