"""Small private helpers shared by the :mod:`evalkit.cost` modules: input checks, seeded RNG, normal quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from evalkit import config


def _frame(x, name):
    if not isinstance(x, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(x).__name__}")
    return x


def _need(df, cols, name):
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(df.columns)}")


def _rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(config.DEFAULT_SEED if rng is None else rng)


def _z(ci):
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci!r}")
    return float(stats.norm.ppf(0.5 + ci / 2))

def _share(x, name):
    arr = np.asarray(x, dtype=float)
    if np.any((arr < 0) | (arr > 1)) or np.any(np.isnan(arr)):
        raise ValueError(f"{name} must be in [0, 1], got {x!r}")
    return arr
