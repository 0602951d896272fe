"""Budget scenarios: which mix of delivery modes reaches the most staff or the most impact within a budget."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize

from evalkit.cost._common import _frame, _need, _z


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
