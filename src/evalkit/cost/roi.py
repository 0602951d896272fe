"""Phillips ROI: BCR/ROI, monetisation of time saved, ROI sensitivity, the ROI assumptions and ROI by region.

References
----------
Phillips, J. J., & Phillips, P. P. (2005). *ROI at Work*. ASTD Press. (BCR, ROI %, fully loaded costs,
isolation and confidence adjustments.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from evalkit.cost._common import _frame, _need, _rng, _share, _z


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
