"""Unit costs: programme costs, cost per participant and per JP, budget realisation and the 20-JP budget rule."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.cost._common import _frame, _need


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
