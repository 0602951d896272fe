"""Impact and cost-effectiveness by delivery mode, the most cost-effective mode and a region's cost findings."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.cost._common import _frame, _need, _rng, _z
from evalkit.cost.ratio import cost_effectiveness
from evalkit.cost.unit import budget_realisation, cost_per_participant

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
