"""Minimum detectable effect and sample size for planned evaluations: :func:`power`."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["power", "PowerResult"]


class PowerResult:
    """Result of :func:`power`.

    Attributes
    ----------
    design : str
    alpha, power : float
    n : float
        Units per arm (two-sample: treated arm; paired: pairs), including the design effect.
    n_effective : float
        ``n / design_effect``.
    mde : float
        Minimum detectable effect in standard-deviation units (Cohen's d).
    mde_raw : float or None
        ``mde * sd`` when ``sd`` is given.
    design_effect : float
        ``1 + (m - 1) * ICC``.
    """

    def __init__(self, design, alpha, power, n, n_effective, mde, mde_raw, design_effect, ratio, solved_for):
        self.design = design
        self.alpha = alpha
        self.power = power
        self.n = n
        self.n_effective = n_effective
        self.mde = mde
        self.mde_raw = mde_raw
        self.design_effect = design_effect
        self.ratio = ratio
        self.solved_for = solved_for

    def tidy(self) -> pd.DataFrame:
        """One row per quantity: ``quantity, value``."""
        q = {"design": self.design, "solved_for": self.solved_for, "alpha": self.alpha, "power": self.power,
             "n": self.n, "n_effective": self.n_effective, "design_effect": self.design_effect,
             "ratio": self.ratio, "mde": self.mde, "mde_raw": self.mde_raw}
        return pd.DataFrame({"quantity": list(q), "value": list(q.values())})

    def summary(self) -> str:
        lines = [f"Power analysis ({self.design}), solved for {self.solved_for}"]
        lines.append(f"alpha={self.alpha:g}  power={self.power:g}  design effect={self.design_effect:.3f}")
        lines.append(f"n (per arm / pairs) = {self.n:.1f}  (effective {self.n_effective:.1f})")
        lines.append(f"MDE = {self.mde:.4f} SD" + ("" if self.mde_raw is None else f" = {self.mde_raw:.4g} in outcome units"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def power(effect_size=None, n=None, *, design="two-sample", alpha=0.05, power=0.8, ratio=1.0,
          icc=0.0, cluster_size=1, sd=None, alternative="two-sided"):
    """Minimum detectable effect (MDE) for a planned evaluation, or the n needed for a target MDE.

    Give exactly one of ``effect_size`` (solve for n) or ``n`` (solve for the MDE).

    Parameters
    ----------
    effect_size : float, optional
        Target effect in SD units (Cohen's d; for ``design="paired"`` d_z, the SD of differences).
    n : float, optional
        Two-sample: treated-arm size (control arm ``ratio * n``). Paired: number of pairs.
        Counts are of individuals; clustering is handled through the design effect.
    design : {"two-sample", "paired"}
    alpha, power : float
    ratio : float, default 1
        Control/treated size ratio (two-sample only).
    icc : float, default 0
        Intra-cluster correlation (e.g. staff within the same OPD).
    cluster_size : float, default 1
        Average cluster size ``m``.
    sd : float, optional
        Outcome SD; if given, ``mde_raw = mde * sd``.
    alternative : {"two-sided", "larger", "smaller"}

    Returns
    -------
    PowerResult

    Notes
    -----
    Uses ``statsmodels.stats.power.TTestIndPower`` / ``TTestPower`` (noncentral t) on the effective
    sample size ``n / DEFF`` with ``DEFF = 1 + (m - 1) ICC`` (Kish 1965; Donner & Klar 2000).
    Normal-approximation check: ``MDE ~= (z_{1-alpha/2} + z_{power}) sqrt(DEFF (1 + 1/ratio) / n)``
    for two samples (Bloom 1995).

    References
    ----------
    Bloom, H. S. (1995). Minimum detectable effects: a simple way to report the statistical power
    of experimental designs. Evaluation Review, 19(5), 547-556.

    Donner, A., & Klar, N. (2000). Design and Analysis of Cluster Randomization Trials in Health
    Research. Arnold.

    Examples
    --------
    >>> round(power(n=64).mde, 3)
    0.499
    """
    from statsmodels.stats.power import TTestIndPower, TTestPower

    if (effect_size is None) == (n is None):
        raise ValueError("give exactly one of effect_size (to solve for n) or n (to solve for the MDE)")
    if design not in ("two-sample", "paired"):
        raise ValueError(f"design must be 'two-sample' or 'paired', got {design!r}")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be in (0, 1)")
    if not 0 <= icc < 1:
        raise ValueError("icc must be in [0, 1)")
    if cluster_size < 1:
        raise ValueError("cluster_size must be >= 1")
    deff = 1 + (cluster_size - 1) * icc
    eng = TTestIndPower() if design == "two-sample" else TTestPower()
    kw = {"ratio": ratio} if design == "two-sample" else {}
    if n is not None:
        if n <= 1:
            raise ValueError("n must be > 1")
        neff = n / deff
        nobs = {"nobs1": neff} if design == "two-sample" else {"nobs": neff}
        mde = float(eng.solve_power(effect_size=None, alpha=alpha, power=power, alternative=alternative, **nobs, **kw))
        solved = "mde"
    else:
        if effect_size <= 0:
            raise ValueError("effect_size must be positive")
        key = "nobs1" if design == "two-sample" else "nobs"
        neff = float(eng.solve_power(effect_size=effect_size, alpha=alpha, power=power, alternative=alternative,
                                     **{key: None}, **kw))
        n = neff * deff
        mde = float(effect_size)
        solved = "n"
    return PowerResult(design, alpha, power, float(n), float(neff), mde, None if sd is None else mde * sd,
                       deff, ratio if design == "two-sample" else None, solved)
