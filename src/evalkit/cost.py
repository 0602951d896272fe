"""Costs, cost-effectiveness, Phillips ROI and budget scenarios for ASN training.

* :func:`cost_per_participant` - unit costs per invited, attended and completed participant and per JP.
* :func:`cost_effectiveness` - cost per unit of impact with a delta-method, Fieller or bootstrap interval.
* :func:`phillips_roi`, :func:`monetise_time_savings`, :func:`monetise_staff_hours`, :func:`roi_sensitivity` -
  Phillips BCR/ROI with every monetisation assumption an explicit argument, and a sensitivity grid.
* :func:`budget_scenarios`, :func:`budget_scenarios_plot` - which mix of delivery modes reaches the most staff
  or the most impact within a budget (a small linear programme).

Money is in rupiah (float). Effects are in the direction of improvement (positive = better); convert "minutes of
waiting time" reductions to positive "minutes saved" before calling.

References
----------
Phillips, J. J., & Phillips, P. P. (2005). *ROI at Work*. ASTD Press. (BCR, ROI %, fully loaded costs,
isolation and confidence adjustments.)
Fieller, E. C. (1954). Some problems in interval estimation. *J. R. Stat. Soc. B* 16(2), 175-185.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from evalkit import config

__all__ = [
    "cost_per_participant",
    "programme_costs",
    "cost_effectiveness",
    "phillips_roi",
    "monetise_time_savings",
    "monetise_staff_hours",
    "roi_sensitivity",
    "budget_scenarios",
    "budget_scenarios_plot",
    "budget_realisation",
    "jp_rule_budget",
    "impact_by_mode",
    "CS_ESTIMATOR",
    "mode_cost_effectiveness",
    "cost_effectiveness_table",
    "most_cost_effective_mode",
    "findings_for_region",
    "service_effects",
    "ROI_ASSUMPTIONS",
    "ROI_ASSUMPTION_MEANINGS",
    "roi_assumptions_table",
    "service_benefits",
    "roi_by_region",
    "mode_options",
]


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


# --------------------------------------------------------------------------------------------------- unit costs
def programme_costs(programmes: pd.DataFrame, budgets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cost of each programme: realised budget when available, else the programme's ``cost_rp``.

    ``budgets`` rows (region x year x programme) are summed per ``programme_id`` over years and regions; a
    programme with no budget row, or only missing ``realised_rp``, falls back to ``programmes.cost_rp``.
    Realised spending is preferred because it is what was actually paid (closer to Phillips' fully loaded
    cost than a planned price); neither includes participants' time, which callers may add.

    Returns
    -------
    DataFrame
        ``programmes`` with ``cost_used_rp`` and ``cost_source`` (``"realised"`` or ``"cost_rp"``).
    """
    _frame(programmes, "programmes")
    _need(programmes, ["programme_id", "cost_rp"], "programmes")
    if programmes["programme_id"].duplicated().any():
        raise ValueError("programme_id must be unique in programmes")
    out = programmes.copy()
    out["cost_used_rp"] = pd.to_numeric(out["cost_rp"], errors="coerce").astype(float)
    out["cost_source"] = "cost_rp"
    if budgets is not None:
        _frame(budgets, "budgets")
        _need(budgets, ["programme_id", "realised_rp"], "budgets")
        real = pd.to_numeric(budgets["realised_rp"], errors="coerce")
        agg = real.groupby(budgets["programme_id"]).sum(min_count=1)
        r = out["programme_id"].map(agg)
        has = r.notna().to_numpy()
        out.loc[has, "cost_used_rp"] = r[has].astype(float)
        out.loc[has, "cost_source"] = "realised"
        unknown = sorted(set(agg.dropna().index) - set(out["programme_id"]))
        if unknown:
            warnings.warn(f"budgets has realised spending for programme(s) not in programmes, ignored: "
                          f"{unknown[:10]}", stacklevel=2)
    if out["cost_used_rp"].lt(0).any():
        raise ValueError("programme costs must be >= 0")
    return out


def cost_per_participant(programmes: pd.DataFrame, enrolments: pd.DataFrame,
                         budgets: pd.DataFrame | None = None,
                         by: str | Sequence[str] | None = ("region",)) -> pd.DataFrame:
    r"""Unit costs per invited, attended and completed participant and per JP delivered.

    For a group :math:`g` of programmes (by region, programme, mode, ...):

    .. math::

        C_g = \sum_{p \in g} \text{cost}_p, \quad
        \text{cost per completer} = C_g / \sum_p n^{\text{completed}}_p, \quad
        \text{cost per JP} = C_g \Big/ \sum_p n^{\text{completed}}_p \cdot JP_p,

    and likewise per invited and attended person (a missing flag counts as ``False``). ``cost_p`` is realised
    budget when ``budgets`` has it, else
    ``cost_rp`` (see :func:`programme_costs`). "JP delivered" counts only JP of people who completed; the hours
    are ``jp_delivered * config.JP_MINUTES / 60``. A ratio with a zero denominator is NaN.

    Parameters
    ----------
    programmes, enrolments, budgets : DataFrame
        Canonical tables (``ingest.spec``); ``enrolments`` needs ``programme_id, invited, attended, completed``.
    by : str or list of str or None
        Columns of ``programmes`` to group by (``"region"``, ``"programme_id"``, ``"mode"``, ``"topic"`` ...);
        ``None`` for one overall row.

    Returns
    -------
    DataFrame
        ``*by, n_programmes, cost_rp, cost_realised_share, n_invited, n_attended, n_completed, jp_delivered,
        hours_delivered, cost_per_invited, cost_per_attended, cost_per_completed, cost_per_jp``.
        ``cost_realised_share`` is the share of the group's cost taken from realised budgets.
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _frame(enrolments, "enrolments")
    _need(programmes, ["programme_id", "jp", "cost_rp", *by], "programmes")
    _need(enrolments, ["programme_id", "invited", "attended", "completed"], "enrolments")
    prog = programme_costs(programmes, budgets)
    e = enrolments[["programme_id", "invited", "attended", "completed"]].copy()
    for c in ("invited", "attended", "completed"):
        col = e[c]
        e[c] = np.asarray([bool(v) if not pd.isna(v) else False for v in col], dtype=bool)  # missing -> False
    counts = e.groupby("programme_id").agg(n_invited=("invited", "sum"), n_attended=("attended", "sum"),
                                           n_completed=("completed", "sum"))
    unknown = sorted(set(counts.index) - set(prog["programme_id"]))
    if unknown:
        warnings.warn(f"enrolments reference programme(s) not in programmes, ignored: {unknown[:10]}",
                      stacklevel=2)
    prog = prog.merge(counts, left_on="programme_id", right_index=True, how="left")
    for c in ("n_invited", "n_attended", "n_completed"):
        prog[c] = prog[c].fillna(0).astype("int64")
    prog["jp_delivered"] = prog["n_completed"] * pd.to_numeric(prog["jp"], errors="coerce")
    prog["realised_cost"] = np.where(prog["cost_source"] == "realised", prog["cost_used_rp"], 0.0)
    agg = dict(n_programmes=("programme_id", "size"), cost_rp=("cost_used_rp", "sum"),
               realised_cost=("realised_cost", "sum"), n_invited=("n_invited", "sum"),
               n_attended=("n_attended", "sum"), n_completed=("n_completed", "sum"),
               jp_delivered=("jp_delivered", "sum"))
    if by:
        out = prog.groupby(by, sort=True, observed=True, dropna=False).agg(**agg).reset_index()
    else:
        out = prog.assign(_all=0).groupby("_all").agg(**agg).reset_index(drop=True)
    out["cost_realised_share"] = np.where(out["cost_rp"] > 0, out["realised_cost"] / out["cost_rp"].where(
        out["cost_rp"] > 0, 1), np.nan)
    out = out.drop(columns="realised_cost")
    out["hours_delivered"] = out["jp_delivered"] * config.JP_MINUTES / 60
    for name, den in (("cost_per_invited", "n_invited"), ("cost_per_attended", "n_attended"),
                      ("cost_per_completed", "n_completed"), ("cost_per_jp", "jp_delivered")):
        d = out[den].astype(float)
        out[name] = np.where(d > 0, out["cost_rp"] / d.where(d > 0, 1.0), np.nan)
    cols = [*by, "n_programmes", "cost_rp", "cost_realised_share", "n_invited", "n_attended", "n_completed",
            "jp_delivered", "hours_delivered", "cost_per_invited", "cost_per_attended", "cost_per_completed",
            "cost_per_jp"]
    return out[cols]


# --------------------------------------------------------------------------------------------------- CE ratio
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


# --------------------------------------------------------------------------------------------------- ROI
def phillips_roi(benefits, costs) -> pd.Series | pd.DataFrame:
    r"""Phillips benefit-cost ratio and ROI.

    .. math::

        \mathrm{BCR} = \frac{B}{C}, \qquad \mathrm{ROI\,\%} = \frac{B - C}{C}\times 100 = (\mathrm{BCR}-1)\times 100.

    Costs should be fully loaded (direct plus indirect, including participants' time) per Phillips &
    Phillips (2005). Example (DOMAIN.md): benefits 60.000, costs 20.000 -> BCR 3,0, ROI 200 %.

    Parameters
    ----------
    benefits, costs : float or array-like
        Monetised benefits and costs (rupiah); costs must be > 0.

    Returns
    -------
    Series (scalars) or DataFrame (arrays)
        ``benefits, costs, net_benefits, bcr, roi_pct``.
    """
    b = np.asarray(benefits, dtype=float)
    c = np.asarray(costs, dtype=float)
    if np.any(~(c > 0)):
        raise ValueError("costs must be > 0 (ROI is undefined for zero or missing costs)")
    b, c = np.broadcast_arrays(b, c)
    res = {"benefits": b, "costs": c, "net_benefits": b - c, "bcr": b / c, "roi_pct": (b - c) / c * 100.0}
    if b.ndim == 0:
        return pd.Series({k: float(v) for k, v in res.items()})
    return pd.DataFrame({k: np.ravel(v) for k, v in res.items()})


_ISOLATION = ("control_group", "estimates")


def _isolation_shares(isolation, attribution, confidence):
    """(attribution, confidence) actually applied under a Phillips isolation rule."""
    if isolation not in _ISOLATION:
        raise ValueError(f"isolation must be 'control_group' or 'estimates', got {isolation!r}")
    if isolation == "control_group":
        for name, v in (("attribution", attribution), ("confidence", confidence)):
            if v is not None and np.any(np.asarray(v, dtype=float) != 1.0):
                raise ValueError(f"isolation='control_group': the control group isolates the effect, so {name} "
                                 f"must be 1 (or omitted), got {v!r}; use isolation='estimates' for an effect "
                                 "from participant or manager estimates")
        return np.asarray(1.0), np.asarray(1.0)
    if attribution is None or confidence is None:
        raise ValueError("isolation='estimates' needs both attribution and confidence (Phillips estimate "
                         "adjustment)")
    return _share(attribution, "attribution"), _share(confidence, "confidence")


def monetise_time_savings(minutes_saved_per_case, cases, value_per_hour_rp, *, attribution=None, confidence=None,
                          periods=1.0, isolation="estimates"):
    r"""Money value of time saved on service cases (e.g. shorter waiting or processing time).

    .. math::

        B = \frac{m}{60} \times n_{\text{cases}} \times v_{\text{hour}} \times a \times q \times T

    with ``attribution`` :math:`a` the share of the improvement isolated to the training and ``confidence``
    :math:`q` the estimate-confidence adjustment (Phillips & Phillips 2005: both in [0, 1], conservative
    values reduce the claimed benefit), and :math:`T` the number of periods (e.g. years) over which ``cases``
    recur. Whose hour :math:`v_{\text{hour}}` values (citizen's or staff's) is the caller's explicit choice.

    ``isolation`` names the Phillips isolation step behind ``minutes_saved_per_case``:
    ``"estimates"`` (default; participant or manager estimates of the improvement due to training): the
    estimate adjustment :math:`a \times q` applies and both are required. ``"control_group"`` (the
    improvement is an effect estimated against a comparison group: DiD, Callaway-Sant'Anna, fixed-effects
    panel): the control group is the isolation, so :math:`a = q = 1` and passing other values is an error.

    Returns
    -------
    float or ndarray
        Benefits in rupiah (arrays broadcast).
    """
    a, q = _isolation_shares(isolation, attribution, confidence)
    m = np.asarray(minutes_saved_per_case, dtype=float)
    val = m / 60.0 * np.asarray(cases, dtype=float) * np.asarray(value_per_hour_rp, dtype=float) * a * q
    val = val * np.asarray(periods, dtype=float)
    return float(val) if np.ndim(val) == 0 else val


def monetise_staff_hours(hours_saved_per_person, n_people, monthly_pay_rp, hours_per_month, *, on_cost_share,
                         attribution=None, confidence=None, periods=1.0, isolation="estimates"):
    r"""Money value of staff working hours freed (productivity), at the cost of an hour of staff time.

    .. math::

        v_{\text{hour}} = \frac{\text{monthly pay} \times (1 + \text{on-cost share})}{\text{hours per month}},
        \qquad B = h \times n \times v_{\text{hour}} \times a \times q \times T

    ``hours_saved_per_person`` is per period (e.g. per month) and ``periods`` the number of such periods.
    ``on_cost_share`` loads allowances and employer contributions (tunjangan, iuran) on top of pay.
    ``isolation``, ``attribution`` and ``confidence`` as in :func:`monetise_time_savings`.

    Returns
    -------
    float or ndarray
        Benefits in rupiah.
    """
    a, q = _isolation_shares(isolation, attribution, confidence)
    hpm = np.asarray(hours_per_month, dtype=float)
    if np.any(~(hpm > 0)):
        raise ValueError("hours_per_month must be > 0")
    vh = np.asarray(monthly_pay_rp, dtype=float) * (1.0 + np.asarray(on_cost_share, dtype=float)) / hpm
    val = np.asarray(hours_saved_per_person, dtype=float) * np.asarray(n_people, dtype=float) * vh * a * q
    val = val * np.asarray(periods, dtype=float)
    return float(val) if np.ndim(val) == 0 else val


def _share(x, name):
    arr = np.asarray(x, dtype=float)
    if np.any((arr < 0) | (arr > 1)) or np.any(np.isnan(arr)):
        raise ValueError(f"{name} must be in [0, 1], got {x!r}")
    return arr


def roi_sensitivity(effect: float, effect_se: float, cost: float, assumptions: Mapping[str, Sequence],
                    benefit_fn: Callable[..., float] | None = None, ci: float = 0.95,
                    isolation: str | None = None) -> pd.DataFrame:
    r"""BCR and ROI over a grid of monetisation assumptions, with intervals from the effect's uncertainty.

    Every combination of the values in ``assumptions`` (a Cartesian grid) gives one row. Benefits are
    ``benefit_fn(effect, **assumption_values)``; the default multiplies the effect by the product of all
    assumption values (e.g. ``cases``, ``value_per_unit_rp``, ``attribution``, ``confidence``, ``years``).
    A key ``"cost"`` in ``assumptions`` varies the cost instead of fixing it.

    The interval of benefits is ``benefit_fn`` evaluated at the effect's normal interval
    :math:`\hat E \pm z s` (exact when ``benefit_fn`` is monotone in the effect, as monetisation is); BCR and
    ROI intervals follow because cost is fixed. ``p_roi_positive`` is :math:`P(B > C)` under
    :math:`E \sim N(\hat E, s^2)`, computed from the break-even effect
    :math:`E^\dagger = C / \text{multiplier}` for the default (linear) benefits and by root finding otherwise
    (``benefit_fn`` assumed monotone).

    ``isolation`` (Phillips): ``"control_group"`` when ``effect`` was estimated against a comparison group
    (DiD, Callaway-Sant'Anna): the grid may then not vary ``attribution`` or ``confidence`` away from 1 (the
    control group already isolates the effect; discounting it again double-counts the isolation).
    ``"estimates"``: the effect is a participant/manager estimate and the grid should carry ``attribution``
    and ``confidence``. ``None`` (default): no check (a generic grid). The value is returned in column
    ``isolation``.

    Returns
    -------
    DataFrame
        ``*assumption columns, cost, benefits, benefits_low, benefits_high, bcr, bcr_low, bcr_high, roi_pct,
        roi_low, roi_high, breakeven_effect, p_roi_positive``.
    """
    if not isinstance(assumptions, Mapping) or not assumptions:
        raise ValueError("assumptions must be a non-empty dict of name -> list of values")
    names = list(assumptions)
    grids = []
    for k in names:
        v = assumptions[k]
        v = [v] if np.ndim(v) == 0 else list(v)
        if not v:
            raise ValueError(f"assumption {k!r} has no values")
        grids.append(v)
    if isolation is not None:
        if isolation not in _ISOLATION:
            raise ValueError(f"isolation must be 'control_group', 'estimates' or None, got {isolation!r}")
        if isolation == "control_group":
            for k in ("attribution", "confidence"):
                if k in names and any(float(v) != 1.0 for v in grids[names.index(k)]):
                    raise ValueError(f"isolation='control_group': the control group isolates the effect, so the "
                                     f"grid may not vary {k} away from 1 (got {grids[names.index(k)]}); use "
                                     "isolation='estimates' for participant/manager estimates")
    z = _z(ci)
    e, s = float(effect), float(effect_se)
    if s < 0:
        raise ValueError("effect_se must be >= 0")
    rows = []
    for combo in itertools.product(*grids):
        a = dict(zip(names, combo, strict=True))
        c = float(a.pop("cost", cost))
        if not c > 0:
            raise ValueError("cost must be > 0")
        if benefit_fn is None:
            mult = float(np.prod([float(v) for v in a.values()])) if a else 1.0

            def fn(x, _m=mult):
                return x * _m
        else:
            def fn(x, _a=a):
                return float(benefit_fn(x, **_a))
        b = fn(e)
        b1, b2 = fn(e - z * s), fn(e + z * s)
        blo, bhi = min(b1, b2), max(b1, b2)
        if benefit_fn is None:
            be = c / mult if mult != 0 else np.nan
            slope_pos = mult > 0
        else:
            be, slope_pos = _breakeven(fn, c, e, s)
        if np.isnan(be):
            p = float(b > c)
        elif s == 0:
            p = float(b > c)
        else:
            zz = (e - be) / s
            p = float(stats.norm.cdf(zz if slope_pos else -zz))
        rows.append({**dict(zip(names, combo, strict=True)), "cost": c, "benefits": b, "benefits_low": blo,
                     "benefits_high": bhi, "bcr": b / c, "bcr_low": blo / c, "bcr_high": bhi / c,
                     "roi_pct": (b - c) / c * 100, "roi_low": (blo - c) / c * 100, "roi_high": (bhi - c) / c * 100,
                     "breakeven_effect": be, "p_roi_positive": p,
                     **({} if isolation is None else {"isolation": isolation})})
    return pd.DataFrame(rows)


def _breakeven(fn, c, e, s):
    """Effect at which fn(effect) = c (bracket around e widened by doubling; NaN if never crossed)."""
    width = max(10 * s, abs(e), 1.0)
    for _ in range(60):
        lo, hi = e - width, e + width
        f_lo, f_hi = fn(lo) - c, fn(hi) - c
        if np.sign(f_lo) != np.sign(f_hi):
            root = optimize.brentq(lambda x: fn(x) - c, lo, hi, xtol=1e-12 * max(1.0, abs(e)))
            return float(root), bool(f_hi > f_lo)
        width *= 2
    return np.nan, True


# --------------------------------------------------------------------------------------------------- budget
def _share_bounds(x, modes, name, default):
    if x is None:
        return np.full(len(modes), default)
    if isinstance(x, Mapping):
        unknown = set(x) - set(modes)
        if unknown:
            raise ValueError(f"{name} names unknown mode(s) {sorted(unknown)}")
        arr = np.array([float(x.get(m, default)) for m in modes])
    else:
        arr = np.full(len(modes), float(x))
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must be in [0, 1]")
    return arr


def _solve_lp(obj, cost, budget, lo_share, hi_share, cap):
    """max obj @ x s.t. cost @ x <= B, lo*B <= cost*x <= hi*B, 0 <= x <= cap (participants per mode)."""
    upper = np.minimum(hi_share * budget / cost, cap)
    lower = lo_share * budget / cost
    if np.any(lower > upper + 1e-9):
        return None
    res = optimize.linprog(-obj, A_ub=cost[None, :], b_ub=[budget], bounds=list(zip(lower, upper, strict=True)),
                           method="highs")
    if not res.success:
        return None
    return np.clip(res.x, lower, upper)


def _solve_grid(obj, cost, budget, lo_share, hi_share, cap, step):
    """Enumerate budget shares on a grid of ``step`` (sum <= 1) and keep the best feasible mix."""
    k = len(cost)
    ticks = np.round(np.arange(0, 1 + 1e-9, step), 10)
    best, best_x = -np.inf, None
    for shares in itertools.product(ticks, repeat=k):
        sh = np.asarray(shares)
        if sh.sum() > 1 + 1e-9 or np.any(sh < lo_share - 1e-9) or np.any(sh > hi_share + 1e-9):
            continue
        x = sh * budget / cost
        if np.any(x > cap + 1e-9):
            continue
        v = float(obj @ x)
        if v > best + 1e-9:
            best, best_x = v, x
    return best_x


def budget_scenarios(budget_rp: float, options: pd.DataFrame, min_share=None, max_share=None,
                     method: str = "linprog", grid_step: float = 0.05, integer: bool = False,
                     ci: float = 0.95) -> pd.DataFrame:
    r"""Mixes of delivery modes within a budget: all-in on each mode, the reach-max and the impact-max mix.

    Let :math:`x_m \ge 0` be participants trained in mode :math:`m` at unit cost :math:`c_m` with expected
    effect :math:`e_m` per participant. The optimised mixes solve the linear programme

    .. math::

        \max_x \; \sum_m w_m x_m \quad \text{s.t.} \quad \sum_m c_m x_m \le B, \quad
        \ell_m B \le c_m x_m \le u_m B, \quad x_m \le \text{cap}_m,

    with :math:`w_m = 1` (reach: most staff) or :math:`w_m = e_m` (most total impact), :math:`\ell, u` the
    ``min_share``/``max_share`` of the budget per mode and :math:`\text{cap}_m` an optional
    ``max_participants`` column (eligible staff). ``method="linprog"`` uses ``scipy.optimize.linprog``
    (HiGHS); ``method="grid"`` enumerates budget shares on a grid of ``grid_step`` (a check, and an
    alternative when the objective is not linear). Without share or capacity limits the LP puts the whole
    budget on the mode with the lowest cost (reach) or the highest :math:`e_m/c_m` (impact). The all-in
    scenarios ignore the share limits (they are reference points); ``feasible`` says whether they respect them.

    Expected impact is :math:`\sum_m x_m e_m`, with standard error :math:`\sqrt{\sum_m x_m^2 s_m^2}` when
    ``effect_se`` is given (each mode's per-participant effect is one estimate applied to all its
    participants; estimates of different modes independent).

    Parameters
    ----------
    budget_rp : float
        Budget in rupiah, > 0.
    options : DataFrame
        ``mode, cost_per_participant, effect_per_participant`` and optional ``effect_se``, ``max_participants``.
    min_share, max_share : float or dict mode -> float, optional
        Bounds on each mode's share of the budget.
    method : {"linprog", "grid"}
    grid_step : float
        Share step of the grid method.
    integer : bool
        Round participants down to whole people (the spend and impact follow; the leftover stays unspent).
    ci : float
        Confidence level of the impact interval.

    Returns
    -------
    DataFrame
        Long, one row per scenario x mode: ``scenario, objective, mode, participants, spend_rp, budget_share,
        impact, impact_se``, plus scenario totals repeated on each of its rows: ``total_participants,
        total_spend_rp, total_impact, total_impact_low, total_impact_high, feasible``. Infeasible share limits
        give no optimised rows (with a warning).
    """
    _frame(options, "options")
    _need(options, ["mode", "cost_per_participant", "effect_per_participant"], "options")
    if options["mode"].duplicated().any():
        raise ValueError("options must have one row per mode")
    if method not in ("linprog", "grid"):
        raise ValueError(f"method must be 'linprog' or 'grid', got {method!r}")
    B = float(budget_rp)
    if not B > 0:
        raise ValueError("budget_rp must be > 0")
    modes = options["mode"].astype(str).tolist()
    c = options["cost_per_participant"].to_numpy(float)
    if np.any(~(c > 0)):
        raise ValueError("cost_per_participant must be > 0")
    e = options["effect_per_participant"].to_numpy(float)
    se = options["effect_se"].to_numpy(float) if "effect_se" in options else np.full(len(modes), np.nan)
    cap = options["max_participants"].to_numpy(float) if "max_participants" in options else np.full(len(modes),
                                                                                                     np.inf)
    cap = np.where(np.isnan(cap), np.inf, cap)
    lo = _share_bounds(min_share, modes, "min_share", 0.0)
    hi = _share_bounds(max_share, modes, "max_share", 1.0)
    if lo.sum() > 1 + 1e-9:
        raise ValueError(f"min_share sums to {lo.sum():.3g} > 1")
    z = _z(ci)

    scen: list[tuple[str, str, np.ndarray]] = []
    for i, m in enumerate(modes):
        x = np.zeros(len(modes))
        x[i] = min(B / c[i], cap[i])
        scen.append((f"all {m}", "all-in", x))
    for name, w in (("max reach", np.ones(len(modes))), ("max impact", e)):
        if method == "linprog":
            x = _solve_lp(w, c, B, lo, hi, cap)
        else:
            x = _solve_grid(w, c, B, lo, hi, cap, grid_step)
        if x is None:
            warnings.warn(f"{name}: no mix satisfies the share/capacity limits", RuntimeWarning, stacklevel=2)
            continue
        scen.append((name, "reach" if name == "max reach" else "impact", x))

    rows = []
    for name, objective, x in scen:
        if integer:
            x = np.floor(x + 1e-9)
        spend = x * c
        share = spend / B
        feasible = bool(np.all(share >= lo - 1e-9) and np.all(share <= hi + 1e-9) and np.all(x <= cap + 1e-9)
                        and spend.sum() <= B * (1 + 1e-9))
        imp = x * e
        imp_se = x * se
        tot = float(imp.sum())
        tot_se = float(np.sqrt(np.sum(imp_se**2))) if not np.all(np.isnan(se)) else np.nan
        for i, m in enumerate(modes):
            rows.append({"scenario": name, "objective": objective, "mode": m, "participants": float(x[i]),
                         "spend_rp": float(spend[i]), "budget_share": float(share[i]), "impact": float(imp[i]),
                         "impact_se": float(imp_se[i]), "total_participants": float(x.sum()),
                         "total_spend_rp": float(spend.sum()), "total_impact": tot,
                         "total_impact_low": tot - z * tot_se, "total_impact_high": tot + z * tot_se,
                         "feasible": feasible})
    return pd.DataFrame(rows)


def budget_scenarios_plot(table: pd.DataFrame, ax=None, value: str = "participants"):
    """Stacked horizontal bars of each scenario's mix by mode, with total expected impact annotated.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`budget_scenarios`.
    ax : matplotlib Axes, optional
    value : {"participants", "spend_rp", "impact"}
        What the bar lengths show.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    _need(table, ["scenario", "mode", value, "total_impact"], "table")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * table["scenario"].nunique() + 1.5))
    wide = table.pivot_table(index="scenario", columns="mode", values=value, aggfunc="sum", sort=False)
    order = list(dict.fromkeys(table["scenario"]))
    wide = wide.loc[order]
    palette = sns.color_palette("colorblind", n_colors=wide.shape[1])
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    for j, m in enumerate(wide.columns):
        vals = wide[m].fillna(0).to_numpy()
        ax.barh(y, vals, left=left, color=palette[j], label=str(m))
        left += vals
    totals = table.drop_duplicates("scenario").set_index("scenario").loc[order]
    for yi, (l_, t) in enumerate(zip(left, totals["total_impact"], strict=True)):
        ax.annotate(f"dampak / impact {t:,.1f}", (l_, yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize="small")
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    label = {"participants": "participants reached", "spend_rp": "spend (Rp)", "impact": "expected impact"}
    ax.set_xlabel(label.get(value, value))
    ax.set_ylabel("")
    ax.legend(title="moda / mode", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    ax.set_xlim(0, max(left.max(), 1) * 1.35)
    return ax



# --------------------------------------------------------------------------------------------------- budgets
def budget_realisation(budgets: pd.DataFrame, by: str | Sequence[str] | None = "region") -> pd.DataFrame:
    """Allocated (pagu) and realised spending and the realisation share, per group.

    Rows with a missing allocated or realised amount are left out of both sums (so the share compares like
    with like); ``n_rows`` counts the rows used.

    Returns
    -------
    DataFrame
        ``*by, n_rows, allocated_rp, realised_rp, realisation`` (realised / allocated).
    """
    _frame(budgets, "budgets")
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _need(budgets, ["allocated_rp", "realised_rp", *by], "budgets")
    b = budgets.assign(allocated_rp=pd.to_numeric(budgets["allocated_rp"], errors="coerce"),
                       realised_rp=pd.to_numeric(budgets["realised_rp"], errors="coerce"))
    b = b.dropna(subset=["allocated_rp", "realised_rp"])
    agg = dict(n_rows=("allocated_rp", "size"), allocated_rp=("allocated_rp", "sum"),
               realised_rp=("realised_rp", "sum"))
    if by:
        out = b.groupby(by, sort=True, observed=True).agg(**agg).reset_index()
    else:
        out = b.assign(_all=0).groupby("_all").agg(**agg).reset_index(drop=True)
    out["realisation"] = np.where(out["allocated_rp"] > 0, out["realised_rp"] / out["allocated_rp"].where(
        out["allocated_rp"] > 0, 1), np.nan)
    return out


def jp_rule_budget(unit_costs: pd.DataFrame, n_staff: int, *, jp_per_person: Sequence[float] | None = None,
                   current_budget_rp: float | None = None, target_jp: float = config.JP_TARGET_PER_YEAR,
                   by: str = "mode") -> pd.DataFrame:
    r"""What giving every civil servant the yearly JP target (20 JP, PP 11/2017 Pasal 203) would cost, at the
    cost per JP the office observed, as a scenario table for planning (Bappeda, BPKAD).

    For each delivery mode (or other group of ``unit_costs``) with a known cost per JP, and for the observed mix
    of modes (all groups' cost over all groups' JP delivered, so equal to
    ``cost_per_participant(..., by=None)["cost_per_jp"]``):

    .. math::

        \text{cost}_{\text{all}} = c \cdot T \cdot N, \qquad
        \text{cost}_{\text{gap}} = c \cdot \sum_i \max(0, T - JP_i),

    with :math:`c` the cost per JP, :math:`T` the target, :math:`N` the staff and :math:`JP_i` the JP each civil
    servant completed in the reference year (``jp_per_person``; the gap is left blank without it). Both are
    compared with ``current_budget_rp`` (e.g. the latest year's realised training budget). Costs are what the
    office paid per JP delivered (no participants' time, no economies of scale): a planning figure, not a price.

    Parameters
    ----------
    unit_costs : DataFrame
        :func:`cost_per_participant` grouped by ``by`` (needs ``by``, ``cost_rp``, ``jp_delivered``).
    n_staff : int
        Civil servants the rule covers.
    jp_per_person : sequence of float, optional
        JP completed in the reference year, one value per civil servant (0 for those without training).
    current_budget_rp : float, optional
        The budget to compare with.

    Returns
    -------
    DataFrame
        ``scenario`` (the group, or ``"observed_mix"``), ``cost_per_jp``, ``jp_all``, ``cost_all_rp``,
        ``jp_gap``, ``cost_gap_rp``, ``times_budget_all``, ``times_budget_gap`` (cost / current budget).

    Examples
    --------
    >>> uc = pd.DataFrame({"mode": ["classical", "e_learning"], "cost_rp": [100e6, 20e6],
    ...                    "jp_delivered": [1000, 800]})
    >>> t = jp_rule_budget(uc, 50, jp_per_person=[0] * 25 + [20] * 25, current_budget_rp=120e6)
    >>> t[["scenario", "cost_per_jp", "cost_all_rp", "cost_gap_rp"]].round(0).to_dict("records")[0]
    {'scenario': 'classical', 'cost_per_jp': 100000.0, 'cost_all_rp': 100000000.0, 'cost_gap_rp': 50000000.0}
    """
    _frame(unit_costs, "unit_costs")
    _need(unit_costs, [by, "cost_rp", "jp_delivered"], "unit_costs")
    n_staff = int(n_staff)
    if n_staff < 0:
        raise ValueError(f"n_staff must be >= 0, got {n_staff}")
    if not target_jp > 0:
        raise ValueError(f"target_jp must be > 0, got {target_jp}")
    u = unit_costs.assign(cost_rp=pd.to_numeric(unit_costs["cost_rp"], errors="coerce").astype(float),
                          jp_delivered=pd.to_numeric(unit_costs["jp_delivered"], errors="coerce").astype(float))
    u = u[(u["jp_delivered"] > 0) & u["cost_rp"].notna()]
    rows = [(str(g), c / j) for g, c, j in zip(u[by], u["cost_rp"], u["jp_delivered"])]
    if len(u) > 1:
        rows.append(("observed_mix", float(u["cost_rp"].sum() / u["jp_delivered"].sum())))
    gap = math.nan
    if jp_per_person is not None:
        jp = np.asarray(jp_per_person, dtype=float)
        if np.isnan(jp).any() or (jp < 0).any():
            raise ValueError("jp_per_person must hold JP >= 0 for every civil servant (0 without training)")
        gap = float(np.clip(target_jp - jp, 0, None).sum())
    budget = math.nan if current_budget_rp is None or pd.isna(current_budget_rp) else float(current_budget_rp)
    out = pd.DataFrame(rows, columns=["scenario", "cost_per_jp"])
    out["jp_all"] = float(target_jp * n_staff)
    out["cost_all_rp"] = out["cost_per_jp"] * out["jp_all"]
    out["jp_gap"] = gap
    out["cost_gap_rp"] = out["cost_per_jp"] * gap
    for k in ("all", "gap"):
        out[f"times_budget_{k}"] = out[f"cost_{k}_rp"] / budget if budget and budget > 0 else math.nan
    return out


# --------------------------------------------------------------------------------------------------- impact
#: Name of the per-mode effect estimator (the denominator of the cost-effectiveness ratio).
CS_ESTIMATOR = "Callaway-Sant'Anna simple ATT (never-treated controls)"


def impact_by_mode(panel: pd.DataFrame, yname: str = "report_quality", modes: Sequence[str] | None = None,
                   idname: str = "person_id", tname: str = "t", treatname: str = "treated_post",
                   mode_col: str = "first_mode", group_col: str = "gname", min_treated: int = 30,
                   alpha: float = 0.05, cluster: str | None = None) -> pd.DataFrame:
    """Impact per participant of training, overall and per delivery mode: Callaway-Sant'Anna ATT.

    The effect of mode ``m`` is the Callaway & Sant'Anna (2021) simple ATT (average of the group-time ATTs over
    all post-treatment cells, weighted by cohort size) of the people whose first completed training was in mode
    ``m``, against the never-trained (``group_col == 0``): :func:`evalkit.impact.summary.subgroup_att` with
    ``by=mode_col, controls="all"`` (the untrained have no mode), i.e. exactly
    :func:`evalkit.impact.staggered_att` on the never-trained plus mode ``m``. The row ``mode="all"`` is
    :func:`~evalkit.impact.staggered_att` on everyone. Unlike static TWFE (the definition before), it is not
    biased by staggered adoption with effects that change over time or differ between cohorts
    (Goodman-Bacon 2021). This is the effect per participant that :func:`mode_cost_effectiveness`,
    :func:`cost_effectiveness_table` and :func:`budget_scenarios` use.

    Parameters
    ----------
    panel : DataFrame
        :func:`evalkit.datasets.performance_panel` (balanced rows are kept, as in ``staggered_att``).
    modes : list of str, optional
        Default: every mode in ``mode_col`` (sorted).
    treatname : str
        Not used by the estimator (kept for compatibility; the timing comes from ``group_col``).
    min_treated : int
        Modes with fewer trained people are skipped.
    cluster : str, optional
        Column constant within person at which training was assigned (e.g. ``"agency_id"``): influence
        functions are summed within cluster (as ``clustervars`` in R ``did``). Default: by person.

    Returns
    -------
    DataFrame
        ``outcome, mode, estimate, std_error, ci_low, ci_high, p_value, n_treated, n_obs, estimator`` (normal
        CIs; ``n_obs`` = person-periods of the units used).
    """
    from evalkit.impact import staggered_att
    from evalkit.impact.summary import subgroup_att

    _frame(panel, "panel")
    _need(panel, [yname, idname, tname, mode_col, group_col], "panel")
    cols = ["outcome", "mode", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_treated", "n_obs",
            "estimator"]
    if modes is None:
        modes = sorted(panel[mode_col].dropna().astype(str).unique())
    modes = [str(m) for m in modes]
    d = panel.dropna(subset=[yname])
    never = d[group_col] == 0
    mode_s = d[mode_col].astype(object).where(d[mode_col].notna(), None)
    mode_s = mode_s.map(lambda v: None if v is None else str(v))
    T = d[tname].nunique()
    rows = []
    treated_all = d.loc[d[group_col] > 0, idname].nunique()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if treated_all >= min_treated:
            r = _cs_all(d, yname, idname, tname, group_col, cluster, alpha, staggered_att)
            rows.append({"outcome": yname, "mode": "all", **r, "n_treated": int(treated_all)})
        keep_modes = [m for m in modes
                      if d.loc[(d[group_col] > 0) & (mode_s == m), idname].nunique() >= min_treated]
        if keep_modes:
            sub = d[never | mode_s.isin(keep_modes)].assign(_mode=mode_s)
            sub.loc[sub[group_col] == 0, "_mode"] = None
            res = subgroup_att(sub, yname, idname, tname, group_col, "_mode", controls="all", cluster=cluster,
                               alpha=alpha)
            tab = res.tidy().set_index("term")
            for m in keep_modes:
                term = f"ATT[_mode={m}]"
                if term not in tab.index:
                    continue
                r = tab.loc[term]
                rows.append({"outcome": yname, "mode": m, "estimate": float(r["estimate"]),
                             "std_error": float(r["std_error"]), "ci_low": float(r["ci_low"]),
                             "ci_high": float(r["ci_high"]), "p_value": float(r["p_value"]),
                             "n_treated": int(r["n"]), "n_obs": int(r["units_used"]) * int(T)})
    out = pd.DataFrame(rows).assign(estimator=CS_ESTIMATOR) if rows else pd.DataFrame(columns=cols)
    return out.reindex(columns=cols)


def _cs_all(d, yname, idname, tname, group_col, cluster, alpha, staggered_att):
    """Simple CS ATT over all trained (clustered through subgroup_att with a single subgroup when asked)."""
    if cluster is None:
        res = staggered_att(d, yname, idname, tname, group_col, alpha=alpha)
        r = res.tidy().set_index("term").loc["ATT"]
        n_obs = int(res.n_obs)
        return {"estimate": float(r["estimate"]), "std_error": float(r["std_error"]), "ci_low": float(r["ci_low"]),
                "ci_high": float(r["ci_high"]), "p_value": float(r["p_value"]),
                "n_obs": n_obs}
    from evalkit.impact.summary import subgroup_att

    res = subgroup_att(d.assign(_all="all"), yname, idname, tname, group_col, "_all", controls="all",
                       cluster=cluster, alpha=alpha)
    r = res.tidy().iloc[0]
    return {"estimate": float(r["estimate"]), "std_error": float(r["std_error"]), "ci_low": float(r["ci_low"]),
            "ci_high": float(r["ci_high"]), "p_value": float(r["p_value"]),
            "n_obs": int(r["units_used"]) * int(d[tname].nunique())}


# --------------------------------------------------------------------------------------------------- CE table
def cost_effectiveness_table(unit_costs: pd.DataFrame, effects: pd.DataFrame, by: str = "mode",
                             cost_col: str = "cost_per_completed", n_boot: int = 2000,
                             rng: np.random.Generator | int | None = None, ci: float = 0.95,
                             per_budget_rp: float = 1e8) -> pd.DataFrame:
    """Cost per unit of impact for every group (mode) with both the delta-method and the bootstrap interval.

    ``unit_costs`` (e.g. :func:`cost_per_participant` by mode) gives the cost per participant, ``effects``
    (e.g. :func:`impact_by_mode`) the effect per participant with its standard error. The two are joined on
    ``by``; each row goes through :func:`cost_effectiveness` twice: ``method="delta"`` (which switches to
    Fieller's interval when the effect is imprecise) and ``method="bootstrap"`` (parametric, draws from
    ``rng``; groups are processed in sorted order so the draws do not depend on row order). Warnings about
    imprecise effects are caught and reported in ``note``. ``impact_per_budget`` is the total impact that
    ``per_budget_rp`` buys (participants = budget / unit cost, times the effect).

    The ratio is ``cost_per_participant / effect``: rupiah per unit of the outcome gained per participant. The
    output names its two parts: ``cost_measure`` (``cost_col``) and ``effect_measure`` (the denominator: the
    ``estimator`` and ``outcome`` columns of ``effects`` when present, as :func:`impact_by_mode` gives them).

    Returns
    -------
    DataFrame
        ``by, cost_per_participant, effect, effect_se, ratio, ci_low, ci_high, interval, boot_low, boot_high,
        bounded, impact_per_budget, note, cost_measure, effect_measure``, sorted by ``ratio`` (most cost-effective
        first; a non-positive effect sorts last).
    """
    _need(unit_costs, [by, cost_col], "unit_costs")
    _need(effects, [by, "estimate", "std_error"], "effects")
    rng = _rng(rng)
    if "estimator" in effects.columns and effects["estimator"].notna().any():
        emeasure = str(effects["estimator"].dropna().iloc[0])
        if "outcome" in effects.columns and effects["outcome"].notna().any():
            emeasure += f" on {effects['outcome'].dropna().iloc[0]}"
    else:
        emeasure = "effect per participant (effects['estimate'])"
    d = unit_costs[[by, cost_col]].merge(effects[[by, "estimate", "std_error"]], on=by, how="inner")
    d = d.sort_values(by, kind="mergesort")
    rows = []
    for r in d.itertuples(index=False):
        c, e, s = float(getattr(r, cost_col)), float(r.estimate), float(r.std_error)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            dm = cost_effectiveness(c, e, s, method="delta", ci=ci)
            bs = cost_effectiveness(c, e, s, method="bootstrap", n_boot=n_boot, rng=rng, ci=ci)
        notes = sorted({str(w.message).split(":")[0] for w in caught})
        rows.append({by: getattr(r, by), "cost_per_participant": c, "effect": e, "effect_se": s,
                     "ratio": dm["ratio"], "ci_low": dm["ci_low"], "ci_high": dm["ci_high"],
                     "interval": dm["method"], "boot_low": bs["ci_low"], "boot_high": bs["ci_high"],
                     "bounded": bool(dm["bounded"] and bs["bounded"]),
                     "impact_per_budget": per_budget_rp / c * e if c > 0 else np.nan,
                     "note": "; ".join(notes)})
    out = pd.DataFrame(rows, columns=[by, "cost_per_participant", "effect", "effect_se", "ratio", "ci_low",
                                      "ci_high", "interval", "boot_low", "boot_high", "bounded",
                                      "impact_per_budget", "note"])
    out["cost_measure"] = cost_col
    out["effect_measure"] = emeasure
    key = np.where(out["effect"] > 0, out["ratio"], np.inf)
    return out.iloc[np.lexsort((out[by].astype(str).to_numpy(), key))].reset_index(drop=True)


def most_cost_effective_mode(ce: pd.DataFrame, by: str = "mode", ci: float = 0.95,
                             exclude: Sequence[str] = ("all",)) -> str | None:
    """The group with the lowest cost per unit of impact among those whose effect is clearly positive.

    "Clearly positive" = the effect's normal interval at ``ci`` lies above 0. If no group qualifies, the lowest
    ratio among positive effects is returned; ``None`` when no effect is positive.
    """
    _need(ce, [by, "ratio", "effect", "effect_se"], "ce")
    z = _z(ci)
    d = ce[~ce[by].astype(str).isin(list(exclude)) & (ce["effect"] > 0)]
    if d.empty:
        return None
    sure = d[d["effect"] - z * d["effect_se"] > 0]
    pool = sure if not sure.empty else d
    pool = pool.sort_values(["ratio", by], kind="mergesort")
    return str(pool[by].iloc[0])


def mode_cost_effectiveness(unit_costs: pd.DataFrame, effects: pd.DataFrame, *,
                            cost_col: str = "cost_per_completed", min_completed: int = 0, min_modes: int = 1,
                            exclude: Sequence[str] = ("all",), ci: float = 0.95, n_boot: int = 2000,
                            rng: np.random.Generator | int | None = None) -> tuple[str | None, pd.DataFrame]:
    """THE cost-effectiveness of delivery modes: cost per unit of effect and the most cost-effective mode.

    Cost per unit of effect = cost per participant (``cost_col`` of ``unit_costs``, by default the cost per
    completer from :func:`cost_per_participant` by ``mode``) / effect per participant (the heterogeneity-robust
    Callaway-Sant'Anna ATT of the mode from :func:`impact_by_mode`). Ratios and intervals come from
    :func:`cost_effectiveness_table`, the choice from :func:`most_cost_effective_mode` (lowest ratio among modes
    whose effect is clearly positive). Both :func:`findings_for_region` and the region report use this function.

    Parameters
    ----------
    min_completed : int
        Modes with fewer completers (``unit_costs["n_completed"]``, when present) are left out (small cells).
    min_modes : int
        Fewer than this many modes with a positive effect -> no most cost-effective mode (None); ``2`` when a
        comparison between modes is what is reported.

    Returns
    -------
    (str or None, DataFrame)
        The most cost-effective mode and the :func:`cost_effectiveness_table` (plus ``n_completed`` and
        ``n_treated`` when available, and ``cost_per_completed``/``cost_per_unit_effect`` aliases of
        ``cost_per_participant``/``ratio``).
    """
    _need(unit_costs, ["mode", cost_col], "unit_costs")
    _need(effects, ["mode", "estimate", "std_error"], "effects")
    u = unit_costs.assign(mode=unit_costs["mode"].astype(str))
    u = u[u[cost_col].notna() & ~u["mode"].isin(list(exclude))]
    if "n_completed" in u.columns:
        u = u[u["n_completed"] >= min_completed]
    e = effects.assign(mode=effects["mode"].astype(str))
    e = e[~e["mode"].isin(list(exclude))]
    ce = cost_effectiveness_table(u, e, by="mode", cost_col=cost_col, n_boot=n_boot, rng=rng, ci=ci)
    extra = [c for c in ("n_completed",) if c in u.columns]
    if extra:
        ce = ce.merge(u[["mode", *extra]], on="mode", how="left")
    if "n_treated" in e.columns:
        ce = ce.merge(e[["mode", "n_treated"]], on="mode", how="left")
    ce["cost_per_completed" if cost_col == "cost_per_completed" else cost_col] = ce["cost_per_participant"]
    ce["cost_per_unit_effect"] = ce["ratio"]
    best = most_cost_effective_mode(ce, by="mode", ci=ci, exclude=exclude)
    if int((ce["effect"] > 0).sum()) < min_modes:
        best = None
    return best, ce


def findings_for_region(region: str, programmes: pd.DataFrame, enrolments: pd.DataFrame,
                        budgets: pd.DataFrame | None, effects: pd.DataFrame | None,
                        n_boot: int = 2000, rng: np.random.Generator | int | None = None) -> dict:
    """Cost findings of one region for :func:`evalkit.report.recommend.recommend`.

    ``most_cost_effective_mode`` compares the modes the region delivered (its own cost per completed
    participant, from :func:`cost_per_participant`) with the effect per participant of each mode
    (``effects``, :func:`impact_by_mode`: Callaway-Sant'Anna ATT per mode, estimated over all regions), via
    :func:`mode_cost_effectiveness` (the one definition).

    Returns
    -------
    dict
        ``most_cost_effective_mode`` (str or None), ``cost_per_participant_rp`` (that mode's cost per completed
        participant in the region, rupiah) and ``budget_realisation`` (realised / allocated over the region's
        budget rows; None without budgets). Keys whose value cannot be computed are None.
    """
    out: dict = {"most_cost_effective_mode": None, "cost_per_participant_rp": None, "budget_realisation": None}
    prog = programmes[programmes["region"].astype(str) == str(region)]
    if budgets is not None:
        br = budget_realisation(budgets[budgets["region"].astype(str) == str(region)], by=None)
        if len(br) and np.isfinite(br["realisation"].iloc[0]):
            out["budget_realisation"] = float(br["realisation"].iloc[0])
    if prog.empty or effects is None:
        return out
    ids = prog["programme_id"]
    bud = None if budgets is None else budgets[budgets["programme_id"].isin(ids)]
    unit = cost_per_participant(prog, enrolments[enrolments["programme_id"].isin(ids)], bud, by="mode")
    unit = unit.assign(mode=unit["mode"].astype(str))
    unit = unit[unit["cost_per_completed"].notna()]
    best, ce = mode_cost_effectiveness(unit, effects, n_boot=n_boot, rng=rng)
    if best is not None:
        out["most_cost_effective_mode"] = best
        out["cost_per_participant_rp"] = float(ce.loc[ce["mode"] == best, "cost_per_participant"].iloc[0])
    return out


def mode_options(unit_costs: pd.DataFrame, effects: pd.DataFrame, modes: Sequence[str] | None = None,
                 cost_col: str = "cost_per_completed", max_participants: float | None = None) -> pd.DataFrame:
    """The ``options`` table of :func:`budget_scenarios`: cost and effect per participant for each mode.

    Returns
    -------
    DataFrame
        ``mode, cost_per_participant, effect_per_participant, effect_se`` (and ``max_participants`` when given),
        modes with a cost and an effect only, in ``modes`` order (default sorted).
    """
    _need(unit_costs, ["mode", cost_col], "unit_costs")
    _need(effects, ["mode", "estimate", "std_error"], "effects")
    u = unit_costs.assign(mode=unit_costs["mode"].astype(str)).set_index("mode")[cost_col]
    e = effects.assign(mode=effects["mode"].astype(str)).set_index("mode")
    modes = sorted(set(u.dropna().index) & set(e.index) - {"all"}) if modes is None else list(modes)
    rows = [{"mode": m, "cost_per_participant": float(u[m]), "effect_per_participant": float(e.loc[m, "estimate"]),
             "effect_se": float(e.loc[m, "std_error"])} for m in modes if m in u.index and m in e.index
            and np.isfinite(u[m])]
    out = pd.DataFrame(rows, columns=["mode", "cost_per_participant", "effect_per_participant", "effect_se"])
    if max_participants is not None:
        out["max_participants"] = float(max_participants)
    return out


# --------------------------------------------------------------------------------------------------- services
def service_effects(panel: pd.DataFrame, outcome: str, by: str = "region", unit_col: str = "unit",
                    time_col: str = "month", share_col: str = "trained_share", alpha: float = 0.05) -> pd.DataFrame:
    r"""Change in a service outcome per unit of staff training coverage, per region, with unit and month FE.

    .. math::

        y_{ut} = \sum_r \beta_r \, s_{ut}\, [r(u) = r] + \alpha_u + \lambda_t + \varepsilon_{ut}

    with :math:`s_{ut}` the share of the unit's staff trained by month :math:`t`
    (:func:`evalkit.datasets.service_panel`), so :math:`\beta_r` is the change in the outcome when the whole unit
    is trained. Fitted by the within transformation of :func:`evalkit.impact.did` (CRV1 by unit, fixest
    small-sample factor, t with G - 1 degrees of freedom; G = units in all regions). With few units per region
    the intervals are wide: that uncertainty is carried into :func:`service_benefits`.

    Returns
    -------
    DataFrame
        ``by, outcome, estimate, std_error, ci_low, ci_high, n_units, n_obs, share_start, share_end,
        cases_last_year`` where ``share_start``/``share_end`` are the mean trained share over the region's
        units in the first and last month and ``cases_last_year`` the ``volume`` over the last 12 months (when
        the panel has a ``volume`` column).
    """
    from evalkit.impact.services import dose_twfe

    _frame(panel, "panel")
    _need(panel, [outcome, by, unit_col, time_col, share_col], "panel")
    d = panel.dropna(subset=[outcome, share_col]).copy()
    d["_unit"] = d[by].astype(str) + " | " + d[unit_col].astype(str)
    groups = sorted(d[by].astype(str).unique())
    tab = dose_twfe(d, outcome, "_unit", time_col, share_col, by=by, alpha=alpha).tidy()
    prefix = f"{share_col}[{by}="
    tab = tab.assign(**{by: tab["term"].str.slice(len(prefix), -1)}).drop(columns=["term", "statistic", "n"])
    months = np.sort(d[time_col].unique())
    last12 = months[-12:]
    extra = []
    for g in groups:
        dg = d[d[by].astype(str) == g]
        row = {by: g, "n_units": int(dg["_unit"].nunique()), "n_obs": int(len(dg)),
               "share_start": float(dg.loc[dg[time_col] == dg[time_col].min(), share_col].mean()),
               "share_end": float(dg.loc[dg[time_col] == dg[time_col].max(), share_col].mean()),
               "cases_last_year": (float(dg.loc[dg[time_col].isin(last12), "volume"].sum())
                                   if "volume" in dg.columns else np.nan)}
        extra.append(row)
    out = tab.merge(pd.DataFrame(extra), on=by, how="right")
    out.insert(1, "outcome", outcome)
    return out[[by, "outcome", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_units", "n_obs",
                "share_start", "share_end", "cases_last_year"]]


#: Monetisation assumptions of the ROI (every one an explicit, editable parameter; rupiah of 2024).
ROI_ASSUMPTIONS: dict[str, float] = {
    # value of one hour of a citizen's time: about a regional minimum wage (~Rp 3.2 M a month) / 162.5 hours
    "citizen_value_per_hour_rp": 20_000.0,
    # take-home pay of a mid-career ASN (golongan III: gaji pokok + tunjangan), an assumption
    "staff_monthly_pay_rp": 5_500_000.0,
    # employer contributions and allowances on top of pay (iuran, tunjangan), an assumption
    "staff_on_cost_share": 0.25,
    # working hours per month: 37.5 hours a week (ASN working week) x 52 / 12
    "staff_hours_per_month": 162.5,
    # staff minutes a case takes for each day it stays open (follow-up, queries, re-filing), an assumption
    "staff_minutes_per_case_day": 6.0,
    # Phillips estimate adjustment: share of the improvement participants/managers credit to the training, and
    # their confidence in that estimate. Applied ONLY with isolation="estimates"; with a control group (DiD,
    # Callaway-Sant'Anna: the default of service_benefits) the control group is the isolation and both are 1.
    "attribution": 0.5,
    "confidence": 0.8,
    # years over which the yearly benefit is counted
    "years": 1.0,
}


#: What each ROI assumption means (for :func:`roi_assumptions_table`).
ROI_ASSUMPTION_MEANINGS: dict[str, str] = {
    "citizen_value_per_hour_rp": "value of one hour of a citizen's time (Rp)",
    "staff_monthly_pay_rp": "monthly pay of a mid-career ASN (Rp)",
    "staff_on_cost_share": "on-costs on top of pay (share)",
    "staff_hours_per_month": "working hours per month (37.5 h a week)",
    "staff_minutes_per_case_day": "staff minutes per case per day it stays open",
    "attribution": ("share of the improvement credited to training by participant/manager estimates (Phillips); "
                    "1 when the effect is isolated by a control group"),
    "confidence": ("confidence in those estimates (Phillips); 1 when the effect is isolated by a control "
                   "group"),
    "years": "years of benefit counted",
}


def roi_assumptions_table(assumptions: Mapping[str, float] | None = None,
                          isolation: str = "control_group") -> pd.DataFrame:
    """The ROI assumptions as a table: ``parameter, value, applied, meaning``.

    ``value`` is the assumption as set (:data:`ROI_ASSUMPTIONS` updated by ``assumptions``), ``applied`` what
    :func:`service_benefits` uses under ``isolation``: with ``"control_group"`` attribution and confidence are
    applied as 1 (the control group is the Phillips isolation step). A first row ``isolation`` records the rule.
    """
    a = _assumptions(assumptions)
    if isolation not in _ISOLATION:
        raise ValueError(f"isolation must be 'control_group' or 'estimates', got {isolation!r}")
    rows = [{"parameter": "isolation", "value": isolation, "applied": isolation,
             "meaning": ("Phillips isolation step: 'control_group' = effect estimated against untrained "
                         "comparison units (no further attribution/confidence discount); 'estimates' = "
                         "participant/manager estimates, discounted by attribution x confidence")}]
    for k, v in a.items():
        applied = 1.0 if (isolation == "control_group" and k in ("attribution", "confidence")) else v
        rows.append({"parameter": k, "value": v, "applied": applied, "meaning": ROI_ASSUMPTION_MEANINGS.get(k, "")})
    return pd.DataFrame(rows, columns=["parameter", "value", "applied", "meaning"])


def _assumptions(assumptions: Mapping[str, float] | None) -> dict[str, float]:
    a = dict(ROI_ASSUMPTIONS)
    if assumptions:
        unknown = set(assumptions) - set(a)
        if unknown:
            raise ValueError(f"unknown assumption(s) {sorted(unknown)}; known: {sorted(a)}")
        a.update({k: float(v) for k, v in assumptions.items()})
    return a


def service_benefits(wait: pd.DataFrame, processing: pd.DataFrame | None = None,
                     assumptions: Mapping[str, float] | None = None, by: str = "region",
                     ci: float = 0.95, isolation: str = "control_group") -> pd.DataFrame:
    r"""Yearly money value of the service improvements attributed to training, per region and stream.

    From :func:`service_effects` tables for ``wait_minutes`` (``wait``) and ``processing_days``
    (``processing``). The coverage gain :math:`\Delta s` = ``share_end - share_start``; the time saved per case
    is :math:`-\hat\beta\,\Delta s` (minutes of waiting, or days of processing), over ``cases_last_year`` cases:

    * citizens' waiting time: :func:`monetise_time_savings` at ``citizen_value_per_hour_rp``;
    * staff hours: days saved x ``staff_minutes_per_case_day``, valued at the staff hour
      ``staff_monthly_pay_rp * (1 + staff_on_cost_share) / staff_hours_per_month``;

    both times ``years`` and, only with ``isolation="estimates"``, ``attribution x confidence``.

    Phillips isolation (Phillips & Phillips 2005): :func:`service_effects` estimates the effect against
    comparison units (unit and month fixed effects: units trained later or less serve as the control group),
    so the control group IS the isolation step and the default ``isolation="control_group"`` applies
    attribution = confidence = 1 (setting them in ``assumptions`` to anything else is an error). Use
    ``isolation="estimates"`` only when the effect comes from participant or manager estimates; then the
    estimate adjustment ``attribution x confidence`` of :data:`ROI_ASSUMPTIONS` applies.

    Benefits are linear in :math:`\hat\beta`, so the interval is the benefit at
    :math:`\hat\beta \pm z\,\mathrm{se}` (normal): it carries the effect's sampling uncertainty.

    Returns
    -------
    DataFrame
        ``by, stream, effect, effect_se, coverage_gain, cases_per_year, multiplier, benefits, benefits_low,
        benefits_high, isolation, attribution_applied, confidence_applied`` with ``multiplier`` the rupiah per
        unit of ``-effect`` (so benefits = -effect x multiplier).
    """
    a = _assumptions(assumptions)
    z = _z(ci)
    staff_hour = a["staff_monthly_pay_rp"] * (1 + a["staff_on_cost_share"]) / a["staff_hours_per_month"]
    given = dict(assumptions or {})
    if isolation == "control_group":
        att, conf = _isolation_shares(isolation, given.get("attribution"), given.get("confidence"))
    else:
        att, conf = _isolation_shares(isolation, a["attribution"], a["confidence"])
    att, conf = float(att), float(conf)
    adj = att * conf * a["years"]
    rows = []
    streams = [("citizen_waiting_time", wait, a["citizen_value_per_hour_rp"] / 60.0)]
    if processing is not None:
        streams.append(("staff_hours", processing, a["staff_minutes_per_case_day"] / 60.0 * staff_hour))
    for stream, tab, per_unit in streams:
        _need(tab, [by, "estimate", "std_error", "share_start", "share_end", "cases_last_year"], stream)
        for r in tab.itertuples(index=False):
            gain = float(r.share_end - r.share_start)
            mult = gain * float(r.cases_last_year) * per_unit * adj
            b = -float(r.estimate) * mult
            b1, b2 = -(r.estimate - z * r.std_error) * mult, -(r.estimate + z * r.std_error) * mult
            rows.append({by: getattr(r, by), "stream": stream, "effect": float(r.estimate),
                         "effect_se": float(r.std_error), "coverage_gain": gain,
                         "cases_per_year": float(r.cases_last_year), "multiplier": mult, "benefits": b,
                         "benefits_low": min(b1, b2), "benefits_high": max(b1, b2), "isolation": isolation,
                         "attribution_applied": att, "confidence_applied": conf})
    return pd.DataFrame(rows)


def roi_by_region(benefits: pd.DataFrame, costs: pd.Series, by: str = "region", ci: float = 0.95,
                  method: str = "normal", n_sim: int = 10_000,
                  rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    r"""Phillips BCR and ROI per region from :func:`service_benefits` and programme costs.

    The streams' benefits are added; their interval treats the streams' estimates as independent
    (:math:`\mathrm{se}_B^2 = \sum_s (m_s\,\mathrm{se}_s)^2`), an approximation since both come from the same
    units. ``p_roi_positive`` = :math:`P(B > C)` under the normal approximation. The intervals carry the
    effects' sampling uncertainty (the cost is treated as known).

    ``method="simulation"``: each stream's effect is drawn from :math:`N(\hat\beta, \mathrm{se}^2)`
    (``n_sim`` draws from a seeded ``numpy.random.default_rng``; ``rng=None`` -> ``config.DEFAULT_SEED``),
    benefits recomputed per draw and the BCR/ROI interval and ``p_roi_positive`` read off the draws
    (percentiles / share with B > C). With linear benefits it agrees with the normal method up to
    simulation error; it is there for checking and for non-linear extensions.

    Parameters
    ----------
    costs : Series
        Programme cost per region (rupiah), indexed by region (e.g. ``cost_rp`` of :func:`cost_per_participant`).

    Returns
    -------
    DataFrame
        ``by, cost, benefits, benefits_low, benefits_high, bcr, bcr_low, bcr_high, roi_pct, roi_low, roi_high,
        p_roi_positive``.
    """
    if method not in ("normal", "simulation"):
        raise ValueError(f"method must be 'normal' or 'simulation', got {method!r}")
    z = _z(ci)
    g = benefits.assign(_var=(benefits["multiplier"] * benefits["effect_se"]) ** 2).groupby(by, sort=True,
                                                                                              observed=True)
    tot = pd.DataFrame({"benefits": g["benefits"].sum(), "se": np.sqrt(g["_var"].sum())})
    tot["cost"] = costs.reindex(tot.index).astype(float)
    tot = tot.dropna(subset=["cost"])
    r = phillips_roi(tot["benefits"].to_numpy(), tot["cost"].to_numpy())
    out = pd.DataFrame({by: tot.index.astype(str), "cost": tot["cost"].to_numpy(),
                        "benefits": tot["benefits"].to_numpy(),
                        "benefits_low": (tot["benefits"] - z * tot["se"]).to_numpy(),
                        "benefits_high": (tot["benefits"] + z * tot["se"]).to_numpy()})
    out["bcr"] = r["bcr"].to_numpy()
    out["bcr_low"] = out["benefits_low"] / out["cost"]
    out["bcr_high"] = out["benefits_high"] / out["cost"]
    out["roi_pct"] = r["roi_pct"].to_numpy()
    out["roi_low"] = (out["bcr_low"] - 1) * 100
    out["roi_high"] = (out["bcr_high"] - 1) * 100
    se = tot["se"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        zz = (out["benefits"].to_numpy() - out["cost"].to_numpy()) / se
    out["p_roi_positive"] = np.where(se > 0, stats.norm.cdf(zz), (out["benefits"] > out["cost"]).astype(float))
    if method == "simulation":
        gen = _rng(rng)
        lo_q, hi_q = (1 - ci) / 2, (1 + ci) / 2
        for i, reg in enumerate(tot.index):
            bs = benefits[benefits[by] == reg]
            draws = np.zeros(int(n_sim))
            for r in bs.itertuples(index=False):
                eff = gen.normal(float(r.effect), float(r.effect_se), size=int(n_sim))
                draws += -eff * float(r.multiplier)
            c = float(tot["cost"].iloc[i])
            blo, bhi = np.quantile(draws, [lo_q, hi_q])
            out.loc[i, ["benefits_low", "benefits_high"]] = [blo, bhi]
            out.loc[i, ["bcr_low", "bcr_high"]] = [blo / c, bhi / c]
            out.loc[i, ["roi_low", "roi_high"]] = [(blo / c - 1) * 100, (bhi / c - 1) * 100]
            out.loc[i, "p_roi_positive"] = float(np.mean(draws > c))
    return out
