"""Minimum detectable effect and sample size for planned evaluations: :func:`power`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

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
        ``1 + ((cv^2 + 1) m - 1) * ICC`` (``1 + (m - 1) ICC`` for equal cluster sizes).
    variance_factor : float
        Variance of the treatment contrast relative to a post-only comparison: ``1 - rho^2`` (ANCOVA),
        ``2 (1 - rho)`` (change scores) or 1.
    df : float or None
        Degrees of freedom of the t reference: ``G - 2`` (two-sample) or ``G - 1`` (paired) clusters for a
        clustered design, None when the individual-level df of statsmodels are used.
    n_clusters : float or None
        Clusters in both arms (``n (1 + ratio) / m``), None when unclustered.
    """

    def __init__(self, design, alpha, power, n, n_effective, mde, mde_raw, design_effect, ratio, solved_for,
                 variance_factor=1.0, df=None, n_clusters=None, cluster_cv=0.0, analysis="post"):
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
        self.variance_factor = variance_factor
        self.df = df
        self.n_clusters = n_clusters
        self.cluster_cv = cluster_cv
        self.analysis = analysis

    def tidy(self) -> pd.DataFrame:
        """One row per quantity: ``quantity, value``."""
        q = {"design": self.design, "solved_for": self.solved_for, "alpha": self.alpha, "power": self.power,
             "n": self.n, "n_effective": self.n_effective, "design_effect": self.design_effect,
             "ratio": self.ratio, "mde": self.mde, "mde_raw": self.mde_raw, "df": self.df,
             "n_clusters": self.n_clusters, "cluster_cv": self.cluster_cv, "analysis": self.analysis,
             "variance_factor": self.variance_factor}
        return pd.DataFrame({"quantity": list(q), "value": list(q.values())})

    def summary(self) -> str:
        lines = [f"Power analysis ({self.design}), solved for {self.solved_for}"]
        lines.append(f"alpha={self.alpha:g}  power={self.power:g}  design effect={self.design_effect:.3f}")
        lines.append(f"n (per arm / pairs) = {self.n:.1f}  (effective {self.n_effective:.1f})")
        if self.n_clusters is not None:
            lines.append(f"clusters = {self.n_clusters:.1f}, t with {self.df:.1f} df")
        if self.variance_factor != 1.0:
            lines.append(f"{self.analysis}: variance factor {self.variance_factor:.3f}")
        raw = "" if self.mde_raw is None else f" = {self.mde_raw:.4g} in outcome units"
        lines.append(f"MDE = {self.mde:.4f} SD" + raw)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def power(effect_size=None, n=None, *, design="two-sample", alpha=0.05, power=0.8, ratio=1.0,
          icc=0.0, cluster_size=1, sd=None, alternative="two-sided", cluster_cv=0.0, baseline_corr=None,
          analysis="post"):
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
        Average cluster size ``m``. ``m > 1`` makes the design clustered (clusters randomised or assigned as
        a whole): the t reference then has ``G - 2`` degrees of freedom (two-sample; ``G - 1`` paired) with
        ``G = n (1 + ratio) / m`` clusters, not the individual-level df.
    sd : float, optional
        Outcome SD; if given, ``mde_raw = mde * sd``.
    alternative : {"two-sided", "larger", "smaller"}
    cluster_cv : float, default 0
        Coefficient of variation of the cluster sizes (SD / mean); enters the design effect
        ``1 + ((cv^2 + 1) m - 1) ICC`` (Eldridge, Ashby & Kerry 2006).
    baseline_corr : float, optional
        Correlation ``rho`` between the baseline and follow-up outcome; needed for ``analysis="ancova"`` or
        ``"change"``. For a clustered design give the correlation of the quantities analysed (Teerenstra et
        al. 2012 combine the cluster- and individual-level autocorrelations into one).
    analysis : {"post", "ancova", "change"}, default "post"
        ``"ancova"``: follow-up adjusted for baseline, variance factor ``1 - rho^2``; ``"change"``:
        change scores / difference-in-differences with one pre and one post period, variance factor
        ``2 (1 - rho)`` (better than post-only only when ``rho > 0.5``); ``"post"``: factor 1.

    Returns
    -------
    PowerResult

    Notes
    -----
    Effective sample size ``n / (DEFF * f)`` with ``DEFF = 1 + ((cv^2 + 1) m - 1) ICC`` (Kish 1965;
    Donner & Klar 2000; Eldridge et al. 2006 for unequal sizes) and ``f`` the baseline variance factor
    (McKenzie 2012; Teerenstra et al. 2012). Unclustered (``m = 1``): ``statsmodels.stats.power``
    ``TTestIndPower`` / ``TTestPower`` (noncentral t, individual-level df) on the effective size.
    Clustered (``m > 1``): power from the noncentral t with ``G - 2`` df (``G - 1`` paired) and
    noncentrality ``d sqrt(n1e n0e / (n1e + n0e))`` on the effective sizes; for equal clusters this is
    exactly the two-sample t test on cluster means (Hayes & Moulton 2009). One-sided clustered designs
    report the MDE as a positive magnitude. The df ignore the one parameter an ANCOVA spends on the
    baseline. Normal-approximation check:
    ``MDE ~= (z_{1-alpha/2} + z_{power}) sqrt(DEFF f (1 + 1/ratio) / n)`` for two samples (Bloom 1995).

    References
    ----------
    Bloom, H. S. (1995). Minimum detectable effects: a simple way to report the statistical power
    of experimental designs. Evaluation Review, 19(5), 547-556.

    Donner, A., & Klar, N. (2000). Design and Analysis of Cluster Randomization Trials in Health
    Research. Arnold.

    Eldridge, S. M., Ashby, D., & Kerry, S. (2006). Sample size for cluster randomized trials: effect of
    coefficient of variation of cluster size and analysis method. Int. J. Epidemiol., 35(5), 1292-1300.

    Hayes, R. J., & Moulton, L. H. (2009). Cluster Randomised Trials. Chapman & Hall/CRC.

    McKenzie, D. (2012). Beyond baseline and follow-up: the case for more T in experiments. J. Dev.
    Econ., 99(2), 210-221.

    Teerenstra, S., Eldridge, S., Graff, M., de Hoop, E., & Borm, G. F. (2012). A simple sample size
    formula for analysis of covariance in cluster randomized trials. Stat. Med., 31(20), 2169-2178.

    Examples
    --------
    >>> round(power(n=64).mde, 3)
    0.499
    """
    from scipy import optimize
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
    if not (np.isfinite(cluster_cv) and cluster_cv >= 0):
        raise ValueError(f"cluster_cv must be >= 0, got {cluster_cv!r}")
    if alternative not in ("two-sided", "larger", "smaller"):
        raise ValueError(f"alternative must be 'two-sided', 'larger' or 'smaller', got {alternative!r}")
    if analysis not in ("post", "ancova", "change"):
        raise ValueError(f"analysis must be 'post', 'ancova' or 'change', got {analysis!r}")
    if analysis != "post" and (baseline_corr is None or not -1 < baseline_corr < 1):
        raise ValueError(f"analysis={analysis!r} needs baseline_corr in (-1, 1), got {baseline_corr!r}")
    vf = {"post": 1.0, "ancova": 1 - (baseline_corr or 0.0) ** 2, "change": 2 * (1 - (baseline_corr or 0.0))}[analysis]
    deff = 1 + ((cluster_cv**2 + 1) * cluster_size - 1) * icc
    infl = deff * vf
    two = design == "two-sample"
    clustered = cluster_size > 1
    per_n = ((1 + ratio) if two else 1.0) / cluster_size  # clusters per individual of the treated arm

    def n_clusters(nn):
        return nn * per_n

    def dfree(nn):
        return n_clusters(nn) - (2 if two else 1)

    def pw(d, nn):
        """Noncentral-t power with cluster df at effect d and treated-arm size nn."""
        ne = nn / infl
        scale = np.sqrt(ne * ratio * ne / (ne + ratio * ne)) if two else np.sqrt(ne)
        df_ = dfree(nn)
        nc = d * scale
        if alternative == "two-sided":
            tc = stats.t.ppf(1 - alpha / 2, df_)
            lower = stats.nct.sf(tc, df_, -nc)  # P(T < -tc) by symmetry (nct.cdf can return NaN far in the tail)
            return stats.nct.sf(tc, df_, nc) + (0.0 if np.isnan(lower) else lower)
        return stats.nct.sf(stats.t.ppf(1 - alpha, df_), df_, nc)

    if n is not None:
        if n <= 1:
            raise ValueError("n must be > 1")
        neff = n / infl
        if clustered:
            if dfree(n) < 1:
                raise ValueError(f"n={n} in clusters of {cluster_size} gives {n_clusters(n):.3g} clusters: "
                                 "too few clusters for a t test (need df = G - 2 >= 1)")
            hi = 1.0
            while pw(hi, n) < power:
                hi *= 2
            mde = float(optimize.brentq(lambda d: pw(d, n) - power, 1e-12, hi, xtol=1e-14, rtol=1e-12))
        else:
            eng = TTestIndPower() if two else TTestPower()
            kw = {"ratio": ratio} if two else {}
            nobs = {"nobs1": neff} if two else {"nobs": neff}
            mde = float(eng.solve_power(effect_size=None, alpha=alpha, power=power, alternative=alternative,
                                        **nobs, **kw))
        solved = "mde"
    else:
        if effect_size <= 0:
            raise ValueError("effect_size must be positive")
        if clustered:
            lo = ((2 if two else 1) + 1) / per_n  # smallest n with df = G - 2 (or G - 1) = 1
            if pw(effect_size, lo) >= power:
                n = lo
            else:
                hi = 2 * lo
                while pw(effect_size, hi) < power:
                    hi *= 2
                n = float(optimize.brentq(lambda nn: pw(effect_size, nn) - power, lo, hi, xtol=1e-10,
                                          rtol=1e-12))
            neff = n / infl
        else:
            eng = TTestIndPower() if two else TTestPower()
            kw = {"ratio": ratio} if two else {}
            key = "nobs1" if two else "nobs"
            neff = float(eng.solve_power(effect_size=effect_size, alpha=alpha, power=power, alternative=alternative,
                                         **{key: None}, **kw))
            n = neff * infl
        mde = float(effect_size)
        solved = "n"
    return PowerResult(design, alpha, power, float(n), float(neff), mde, None if sd is None else mde * sd,
                       deff, ratio if two else None, solved, variance_factor=vf,
                       df=float(dfree(n)) if clustered else None,
                       n_clusters=float(n_clusters(n)) if clustered else None, cluster_cv=float(cluster_cv),
                       analysis=analysis)
