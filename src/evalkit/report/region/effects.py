"""Findings on training's effect and its costs: the heterogeneity-robust ATT with inference by OPD, one unit's
own change, barriers, interview themes, costs and the 20 JP scenario. Numbers only."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.report.region._base import (
    _SMALL,
    BARRIER_THEMES,
    BOOTSTRAP_B,
    BOOTSTRAP_SEED,
    EXPERIENCED_TENURE,
    FEW_CLUSTERS,
    MODE_ORDER,
    PERFORMANCE_OUTCOMES,
    SERVICE_OUTCOMES,
    WEBB_BELOW,
    _f,
    _mode_rank,
    _quiet,
    _row,
)


def _cs(panel: pd.DataFrame, y: str, aggregate: str = "simple", cluster: str | None = "agency_id"):
    from evalkit.impact import staggered_att

    return _quiet(staggered_att, panel, y, "person_id", "t", "gname", aggregate=aggregate, cluster=cluster)[0]


def _wild(res, term: str, n_clusters: int) -> dict | None:
    """Wild cluster bootstrap p-value of ``term`` when there are fewer than :data:`FEW_CLUSTERS` clusters."""
    if not n_clusters or n_clusters >= FEW_CLUSTERS or n_clusters < 2:
        return None
    weights = "webb" if n_clusters < WEBB_BELOW else "rademacher"
    try:
        wb, _ = _quiet(res.wild_bootstrap, term=term, B=BOOTSTRAP_B, weights=weights, seed=BOOTSTRAP_SEED)
    except (ValueError, np.linalg.LinAlgError):
        return None
    r = wb.iloc[0]
    return {"p_value": _f(r["p_value"]), "ci_low": _f(r["ci_low"]), "ci_high": _f(r["ci_high"]),
            "B": int(r["B"]), "weights": str(r["weights"]), "n_clusters": int(n_clusters)}


def _impact(s: dict, focus_unit: str | None = None) -> dict | None:
    from evalkit.datasets import performance_panel, service_panel
    from evalkit.impact import did

    out: dict = {"performance": {}, "services": {}, "notes": []}
    perf = s["performance"]
    panel = None
    if len(perf) and {"person_id", "period"} <= set(perf.columns):
        panel = performance_panel(perf, s["employees"], s["enrolments"], s["programmes"])
        panel["agency_id"] = panel["agency_id"].astype(object).where(panel["agency_id"].notna(),
                                                                     "? / " + panel["person_id"].astype(str))
        if not (panel["gname"] > 0).any() or not (panel["gname"] == 0).any():
            panel = None
    out["measured"] = panel is not None
    if panel is not None:
        treated = panel.loc[panel["gname"] > 0].drop_duplicates("person_id")
        out.update({"n_people": int(panel["person_id"].nunique()), "n_treated": int(len(treated)),
                    "n_periods": int(panel["t"].nunique()), "period_first": str(panel["period"].min()),
                    "period_last": str(panel["period"].max()),
                    "n_agencies": int(panel["agency_id"].nunique()),
                    "n_agencies_trained": int(treated["agency_id"].nunique())})
        for y, (okey, ukey, scale, better) in PERFORMANCE_OUTCOMES.items():
            if y not in panel.columns or panel[y].notna().sum() == 0:
                continue
            try:
                cs = _cs(panel, y)
                r = _row(cs.tidy(), "ATT")
                res = did(panel.dropna(subset=[y]), y, "person_id", "t", "treated_post", cluster="agency_id")
            except ValueError:
                continue
            twfe = _row(res.tidy(), "treated_post")
            wb = _wild(res, "treated_post", res.n_clusters or out["n_agencies"])
            twfe["p_boot"] = wb["p_value"] if wb else math.nan
            twfe["boot"] = wb
            out.setdefault("n_used", r["n"])
            sc = {k: (v * scale if k in ("estimate", "ci_low", "ci_high", "std_error") else v) for k, v in r.items()}
            out["performance"][y] = {"outcome": okey, "unit": ukey, "scale": scale, "better": better, **sc,
                                     "twfe": {k: (v * scale if k in ("estimate", "ci_low", "ci_high") else v)
                                              for k, v in twfe.items()}}
            out["notes"].extend(cs.notes)
        out.setdefault("n_used", 0)
        try:
            dyn = _cs(panel, "report_quality", aggregate="dynamic").tidy()
            out["event_study"] = dyn[dyn["term"].str.startswith("rel::")].reset_index(drop=True)
        except (ValueError, KeyError):
            out["event_study"] = pd.DataFrame(columns=["term", "event_time", "estimate", "ci_low", "ci_high"])
        es = out["event_study"]
        pre = es[es["event_time"] < 0] if len(es) else es
        out["pretrend_n"] = int(len(pre))
        out["pretrend_k"] = int(((pre["ci_low"] > 0) | (pre["ci_high"] < 0)).sum()) if len(pre) else 0
    # by delivery mode of the first training, and by tenure band (each against the never-trained)
    rows = []
    if panel is not None and "report_quality" in out["performance"]:
        for mode, g in treated.groupby("first_mode", observed=True):
            if len(g) < _SMALL:
                continue
            sub = panel[(panel["gname"] == 0) | (panel["first_mode"].astype(object) == mode)]
            try:
                r = _row(_cs(sub, "report_quality").tidy(), "ATT")
            except ValueError:
                continue
            rows.append({"mode": str(mode), "n_treated": int(len(g)), **r})
    out["by_mode"] = pd.DataFrame(rows, columns=["mode", "n_treated", "estimate", "ci_low", "ci_high", "std_error",
                                                 "p_value", "n"])
    rows = []
    if panel is not None and "report_quality" in out["performance"]:
        band = np.where(panel["tenure"] >= EXPERIENCED_TENURE, "experienced", "junior")
        for b in ("junior", "experienced"):
            sub = panel[band == b]
            n_t = int(sub.loc[sub["gname"] > 0, "person_id"].nunique())
            if n_t < _SMALL:
                continue
            try:
                r = _row(_cs(sub, "report_quality").tidy(), "ATT")
            except ValueError:
                continue
            rows.append({"band": b, "n_treated": n_t, **r})
    out["by_tenure"] = pd.DataFrame(rows, columns=["band", "n_treated", "estimate", "ci_low", "ci_high",
                                                   "std_error", "p_value", "n"])
    # services: change after a unit's first trained staff (unit and month fixed effects, clustered by unit)
    svc = s["services"]
    if len(svc) and {"unit", "month"} <= set(svc.columns):
        sp = service_panel(svc, s["employees"], s["enrolments"], s["programmes"])
        sp["trained_post"] = (sp["trained_share"] > 0).astype("int64")
        sp["ym"] = sp["month"].dt.strftime("%Y-%m")
        out["n_units_trained"] = int(sp.loc[sp["trained_post"] == 1, "unit"].nunique())
        out["n_units"] = int(sp["unit"].nunique())
        if 0 < out["n_units_trained"] and sp["unit"].nunique() >= 2:
            for y, (okey, ukey) in SERVICE_OUTCOMES.items():
                if y not in sp.columns:
                    continue
                d = sp.dropna(subset=[y])
                try:
                    res = did(d, y, "unit", "ym", "trained_post")
                    r = _row(res.tidy(), "trained_post")
                except ValueError:
                    continue
                n_u = int(d["unit"].nunique())
                wb = _wild(res, "trained_post", n_u)
                out["services"][y] = {"outcome": okey, "unit": ukey, "n_units": n_u, **r,
                                      "p_boot": wb["p_value"] if wb else math.nan, "boot": wb}
        out["focus_unit"] = _unit_effect(sp, focus_unit, "processing_days") if focus_unit else None
    return out


def _unit_effect(sp: pd.DataFrame, unit: str, y: str, alpha: float = 0.05) -> dict | None:
    """Effect of training on ``y`` in one service unit: TWFE with the common effect of trained staff
    (``trained_post``) plus that unit's own extra (``trained_post`` x unit); the unit's effect is their sum,
    with its CI from the CRV1 covariance and a t(G - 1) reference. None when the unit is absent or untrained."""
    from scipy import stats

    from evalkit.impact import did

    if unit not in set(sp["unit"]) or not sp.loc[sp["unit"] == unit, "trained_post"].any():
        return None
    d = sp.dropna(subset=[y]).assign(_own=lambda x: x["trained_post"] * (x["unit"] == unit).astype("int64"))
    if d.loc[d["unit"] != unit, "trained_post"].nunique() < 2:
        return None
    try:
        res = did(d, y, "unit", "ym", "_own", covariates=["trained_post"])
    except ValueError:
        return None
    b, V = res.coef(), res.vcov
    if res.vcov is None or "trained_post" not in b.index:
        return None
    est = float(b["_own"] + b["trained_post"])
    se = float(np.sqrt(V.loc["_own", "_own"] + V.loc["trained_post", "trained_post"]
                       + 2 * V.loc["_own", "trained_post"]))
    q = float(stats.t.ppf(1 - alpha / 2, res.df)) if res.df else 1.959964
    own = d[d["unit"] == unit]
    return {"unit_name": unit, "outcome": y, "unit": "days", "estimate": est, "ci_low": est - q * se,
            "ci_high": est + q * se, "std_error": se, "n": int(res.n_obs), "better": "lower",
            "before": float(own.loc[own["trained_post"] == 0, y].mean()),
            "after": float(own.loc[own["trained_post"] == 1, y].mean())}


def most_cost_effective_mode(cost_by_mode: pd.DataFrame, effects_by_mode: pd.DataFrame,
                             min_n: int = _SMALL) -> tuple[str | None, pd.DataFrame]:
    """The delivery mode with the lowest cost per completer per point of impact on report quality.

    A thin wrapper of :func:`evalkit.cost.mode_cost_effectiveness` (the one definition of cost-effectiveness):
    cost per unit of effect = cost per completer (``cost_by_mode``: :func:`evalkit.cost.cost_per_participant`
    by ``mode``) / the Callaway-Sant'Anna ATT of the mode (``effects_by_mode``: the impact section's
    ``by_mode`` table, equal to :func:`evalkit.cost.impact_by_mode` on the region). Modes with fewer than
    ``min_n`` completers or trained people are left out; a mode is chosen only when at least two modes have a
    positive effect (nothing to compare otherwise). Returns (mode or None, the table, with ``cost_per_point``
    = ``cost_per_unit_effect`` = cost per completer / ATT, and ``cost_measure`` / ``effect_measure`` naming
    numerator and denominator).
    """
    from evalkit import cost as C

    eff = effects_by_mode
    if "n_treated" in eff.columns:
        eff = eff[eff["n_treated"] >= min_n]
    if "estimator" not in eff.columns:
        eff = eff.assign(estimator=C.CS_ESTIMATOR, outcome="report_quality")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best, ce = C.mode_cost_effectiveness(cost_by_mode, eff, min_completed=min_n, min_modes=2,
                                             rng=config.DEFAULT_SEED)
    ce["cost_per_point"] = ce["cost_per_unit_effect"]
    return best, ce


def _challenges(s: dict, tables: Mapping[str, pd.DataFrame], region: str, learning: dict,
                impact: dict | None = None) -> dict:
    from evalkit import cost as C
    from evalkit import participation as P
    from evalkit import qual as Q

    enr, emp, prog = s["enrolments"], s["employees"], s["programmes"]
    ame, notes = pd.DataFrame(columns=["term", "estimate", "ci_low", "ci_high"]), []
    # the barrier model needs the invitation questionnaire's barriers and the staff list's tenure and rank
    barriers_known = len(enr) and len(emp) and set(P.BARRIERS) | {"invited"} <= set(enr.columns) and \
        not enr[["invited", *P.BARRIERS]].isna().any().any()
    if barriers_known:
        try:
            ame, notes = _quiet(P.attendance_model, enr, emp, controls=("tenure", "rank"))
        except (ValueError, KeyError, np.linalg.LinAlgError):
            pass
    bar = ame[ame["term"].isin(P.BARRIERS)].copy()
    if len(bar):
        inv = enr[enr["invited"].astype(bool)]
        bar["share_citing"] = [float(inv[b].astype(bool).mean()) for b in bar["term"]]
        bar["n_citing"] = [int(inv[b].astype(bool).sum()) for b in bar["term"]]
        bar["attend_with"] = [float(inv.loc[inv[b].astype(bool), "attended"].mean()) if inv[b].any() else math.nan
                              for b in bar["term"]]
        bar["attend_without"] = [float(inv.loc[~inv[b].astype(bool), "attended"].mean()) for b in bar["term"]]
    else:
        bar = bar.assign(share_citing=[], n_citing=[], attend_with=[], attend_without=[])
    bar = bar.sort_values("estimate").reset_index(drop=True)
    strongest = P.strongest_barrier(ame) if len(bar) else None
    srow = bar[bar["term"] == strongest].iloc[0] if strongest else None
    # interviews
    iv = s["interviews"]
    themes = pd.DataFrame(columns=["theme", "n", "count", "share", "ci_low", "ci_high", "suppressed"])
    top_theme, quotes, n_iv, confidence = None, [], int(len(iv)), math.nan
    themes_by_role = pd.DataFrame(columns=["role", "theme", "n", "count", "share", "suppressed"])
    if n_iv and "text" in iv.columns:
        coded = Q.code_texts(iv)
        themes = Q.theme_frequencies(coded, by=None)
        themes_by_role = Q.theme_frequencies(coded.assign(role=coded["role"].astype(str)), by="role")
        btheme = themes[themes["theme"].isin(BARRIER_THEMES) & (themes["count"] > 0)].sort_values(
            ["share", "theme"], ascending=[False, True])
        top_theme = str(btheme["theme"].iloc[0]) if len(btheme) else None
        if top_theme and n_iv >= _SMALL:  # no quote from fewer than the small-cell threshold of texts
            q = Q.representative_quotes(iv, coded, top_theme, n=6, rng=config.DEFAULT_SEED)
            quotes = list(dict.fromkeys(x for x in q["quote"] if "[NAMA]" not in x and "[NIP]" not in x))[:2]
        confidence = float(iv["text"].astype(str).str.contains(r"percaya diri", case=False).mean())
    # costs
    bud = s["budgets"]
    has_budget = len(bud) > 0 and {"allocated_rp", "realised_rp"} <= set(bud.columns)
    bud_arg = bud if has_budget else None
    stages_known = {"invited", "completed"} <= set(enr.columns) and not enr[["invited", "completed"]].isna().any().any()
    has_cost = (has_budget or ("cost_rp" in prog.columns and prog["cost_rp"].notna().any())) and len(enr) \
        and len(prog) and stages_known
    cnotes: list[str] = []
    cpp = pd.DataFrame([{"cost_rp": math.nan, "cost_per_completed": math.nan, "cost_per_attended": math.nan,
                         "cost_per_jp": math.nan}])
    cmode = pd.DataFrame(columns=["mode", "cost_rp", "cost_per_completed", "n_completed"])
    allc = pd.DataFrame(columns=["region", "cost_rp", "n_programmes", "n_staff", "budget_per_employee",
                                 "programmes_per_1000"])
    ce_mode, ce_table = None, pd.DataFrame(columns=["mode", "cost_per_completed", "cost_per_point"])
    if has_cost:
        cpp, cnotes = _quiet(C.cost_per_participant, prog, enr, bud_arg, by=None)
        cmode, _ = _quiet(C.cost_per_participant, prog, enr, bud_arg, by="mode")
        ce_mode, ce_table = most_cost_effective_mode(cmode, (impact or _impact(s))["by_mode"])
        all_bud = tables.get("budgets")
        all_bud = all_bud if all_bud is not None and len(all_bud) and "allocated_rp" in all_bud.columns else None
        allc, _ = _quiet(C.cost_per_participant, tables["programmes"], tables["enrolments"], all_bud, by="region")
        emp_all = tables.get("employees")
        staff = (emp_all["region"].astype(str).value_counts() if emp_all is not None and len(emp_all)
                 else pd.Series(dtype=float))
        allc = allc.assign(region=allc["region"].astype(str))
        allc["n_staff"] = allc["region"].map(staff).astype(float)
        allc["budget_per_employee"] = allc["cost_rp"] / allc["n_staff"]
        allc["programmes_per_1000"] = 1000 * allc["n_programmes"] / allc["n_staff"]
    others = allc[allc["region"] != region]
    jp_rule = _jp_rule(s, cmode, has_cost, bud if has_budget else None)
    alloc = pd.to_numeric(bud["allocated_rp"], errors="coerce").sum() if has_budget else 0.0
    real = pd.to_numeric(bud["realised_rp"], errors="coerce").sum() if has_budget else 0.0
    c0 = cpp.iloc[0]
    return {
        "ames": bar, "ame_table": ame, "strongest_barrier": strongest,
        "strongest_ame": _f(srow["estimate"]) if srow is not None else math.nan,
        "strongest_ci": (_f(srow["ci_low"]), _f(srow["ci_high"])) if srow is not None else (math.nan, math.nan),
        "strongest_share": _f(srow["share_citing"]) if srow is not None else math.nan,
        "themes": themes, "themes_by_role": themes_by_role, "top_theme": top_theme, "quotes": quotes,
        "n_interviews": n_iv,
        "confidence_mentions": confidence,
        "top_theme_share": _f(themes.set_index("theme")["share"].get(top_theme)) if top_theme else math.nan,
        "budget_theme_share": _f(themes.set_index("theme")["share"].get("budget")) if len(themes) else math.nan,
        "cost_total": _f(c0["cost_rp"]), "cost_per_completed": _f(c0["cost_per_completed"]),
        "cost_per_attended": _f(c0["cost_per_attended"]), "cost_per_jp": _f(c0["cost_per_jp"]),
        "cost_by_mode": cmode, "cost_effectiveness": ce_table, "most_cost_effective_mode": ce_mode,
        "budget_allocated": _f(alloc), "budget_realised": _f(real), "has_budget": has_budget,
        "budget_realisation": _f(real / alloc) if alloc > 0 else math.nan,
        "budget_per_employee": _f(allc.loc[allc["region"] == region, "budget_per_employee"].iloc[0])
        if (allc["region"] == region).any() else math.nan,
        "budget_per_employee_reference": _f(others["budget_per_employee"].median()) if len(others) else math.nan,
        "programmes_per_1000": _f(allc.loc[allc["region"] == region, "programmes_per_1000"].iloc[0])
        if (allc["region"] == region).any() else math.nan,
        "programmes_per_1000_reference": _f(others["programmes_per_1000"].median()) if len(others) else math.nan,
        "by_region": allc, "notes": notes + cnotes, "jp_rule": jp_rule,
    }


def _jp_rule(s: dict, cmode: pd.DataFrame, has_cost: bool, bud: pd.DataFrame | None) -> dict | None:
    """What 20 JP a year for every civil servant on the staff list would cost at the region's own cost per JP by
    mode (:func:`evalkit.cost.jp_rule_budget`), against the latest year's realised training budget; the JP
    missing in the latest year from each person's completed programmes. None without costs or a staff list."""
    from evalkit import cost as C
    from evalkit.measures import jp_hours

    emp, prog, enr = s["employees"], s["programmes"], s["enrolments"]
    if not has_cost or not len(emp) or "mode" not in cmode.columns or not len(cmode):
        return None
    jp_year, jp_per_person = None, None
    if {"jp", "end_date"} <= set(prog.columns) and "completed" in enr.columns and enr["completed"].notna().all():
        try:
            jh, _ = _quiet(jp_hours, enr, prog, emp)
        except (ValueError, TypeError, KeyError):
            jh = None
        if jh is not None and len(jh):
            jp_year = int(jh["year"].max())
            jp_per_person = jh.loc[jh["year"] == jp_year, "jp"].to_numpy(dtype=float)
    budget, budget_year = math.nan, None
    if bud is not None and "year" in bud.columns:
        real = pd.to_numeric(bud["realised_rp"], errors="coerce").groupby(bud["year"]).sum(min_count=1).dropna()
        real = real[real > 0]
        if len(real):
            budget_year = int(real.index.max())
            budget = float(real.loc[real.index.max()])
    table = C.jp_rule_budget(cmode, len(emp), jp_per_person=jp_per_person,
                             current_budget_rp=None if pd.isna(budget) else budget)
    if not len(table):
        return None
    table = table.sort_values("scenario", key=lambda c: c.map(
        lambda m: len(MODE_ORDER) + 1 if m == "observed_mix" else _mode_rank(m))).reset_index(drop=True)
    return {"table": table, "n_staff": int(len(emp)), "jp_year": jp_year, "budget": budget,
            "budget_year": budget_year, "target": config.JP_TARGET_PER_YEAR}
