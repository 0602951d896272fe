"""Findings by Kirkpatrick level: reach (attendance), reaction (L1), learning (L2), behaviour (L3), results
(L4), and results per programme and per OPD. Numbers only; the words are in the section modules."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from evalkit.report.region._base import (
    _SMALL,
    APPLICATION_BAR,
    APPLICATION_ITEMS,
    REACTION_ITEMS,
    _f,
    _group_labels,
    _has_modes,
    _mean_ci,
    _mode_rank,
    _quiet,
    _row,
    _wilson,
)


def _reach(s: dict) -> dict | None:
    """Reach: the invitation funnel when the attendance data say who was invited, registered and completed; an
    office's attendance list (NIP and Hadir only) gives the share present of those on the list and the reasons
    for absence. None without attendance data."""
    from evalkit import participation as P
    from evalkit.measures import jp_compliance, jp_hours

    enr, prog, emp = s["enrolments"], s["programmes"], s["employees"]
    pids = set(enr["programme_id"].astype(str)) if "programme_id" in enr.columns else set()
    for name in ("reaction", "tests", "followup"):
        if "programme_id" in s[name].columns:
            pids |= set(s[name]["programme_id"].dropna().astype(str))
    n_programmes = int(len(prog)) if len(prog) else len(pids)
    topics = ([str(x) for x in prog["topic"].dropna().astype(str).value_counts().index[:3]]
              if "topic" in prog.columns else [])
    if enr.empty or "attended" not in enr.columns:
        return {"measured": False, "n_staff": int(len(emp)), "n_programmes": n_programmes, "topics": topics,
                "n_invited": 0, "n_attended": 0, "attendance_rate": math.nan, "jp_compliance": math.nan,
                "jp_year": None}
    full = set(P.STAGES) <= set(enr.columns) and not enr[list(P.STAGES)].isna().any().any()
    by_modes = _has_modes(prog)
    group_by = "mode" if by_modes else "programme"
    if full:
        base = "invited"
        fun, _ = _quiet(P.funnel, enr)
        st = fun.set_index("stage")
        n_base, n_reg = int(st.loc["invited", "n"]), int(st.loc["registered", "n"])
        att, comp = st.loc["attended"], st.loc["completed"]
        n_att, n_comp = int(att["n"]), int(comp["n"])
        rate, rate_ci = _f(att["share_of_invited"]), (_f(att["ci_low_invited"]), _f(att["ci_high_invited"]))
        completion, completion_att = _f(comp["share_of_invited"]), _f(comp["share"])
        invited = enr.loc[enr["invited"].astype(bool)]
    else:  # an attendance list: the people on it, present or not
        base = "listed"
        listed = enr[enr["attended"].notna()]
        n_base, n_att = int(len(listed)), int(listed["attended"].astype(bool).sum())
        rate = n_att / n_base if n_base else math.nan
        rate_ci = _wilson(n_att, n_base)
        known = listed["completed"].notna() if "completed" in listed.columns else pd.Series(False, listed.index)
        if known.any() and known.all():
            n_comp = int(listed["completed"].astype(bool).sum())
            completion = n_comp / n_base if n_base else math.nan
            completion_att = n_comp / n_att if n_att else math.nan
        else:
            n_comp, completion, completion_att = 0, math.nan, math.nan
        n_reg = n_base
        fun = pd.DataFrame({"stage": ["listed", "attended"], "n": [n_base, n_att],
                            "share_of_invited": [1.0, rate], "ci_low_invited": [1.0, rate_ci[0]],
                            "ci_high_invited": [1.0, rate_ci[1]]})
        invited = listed
    # attendance by delivery mode (programme list with modes), else by programme
    d = invited.assign(_att=invited["attended"].astype(bool))
    if by_modes:
        d = d.merge(prog[["programme_id", "mode"]], on="programme_id", how="left")
        d["_g"] = d["mode"].astype(str)
    else:
        d["_g"] = d["programme_id"].astype(str).map(_group_labels(prog)).fillna(d["programme_id"].astype(str))
    rows = []
    for g, sub in d.groupby("_g", sort=True):
        k, n = int(sub["_att"].sum()), int(len(sub))
        lo, hi = _wilson(k, n)
        rows.append({"mode": str(g), "n": n, "n_attended": k, "attendance_rate": k / n if n else math.nan,
                     "ci_low": lo, "ci_high": hi})
    mode_tab = pd.DataFrame(rows, columns=["mode", "n", "n_attended", "attendance_rate", "ci_low", "ci_high"])
    if full and by_modes:  # the strict funnel's counts (attended only after registering), as in the funnel
        by_mode, _ = _quiet(P.funnel, enr, programmes=prog, by="mode")
        inv = by_mode[by_mode["stage"] == "invited"].set_index("mode")["n"]
        am = by_mode[by_mode["stage"] == "attended"].set_index("mode")
        mode_tab = pd.DataFrame({"mode": am.index, "n": inv.reindex(am.index).to_numpy(),
                                 "n_attended": am["n"].to_numpy(),
                                 "attendance_rate": am["share_of_invited"].to_numpy(),
                                 "ci_low": am["ci_low_invited"].to_numpy(),
                                 "ci_high": am["ci_high_invited"].to_numpy()})
    if by_modes:
        mode_tab = mode_tab.sort_values("mode", key=lambda c: c.map(_mode_rank)).reset_index(drop=True)
    # attendance by the year the programme ended (the trend of the key-indicator table), years with >= 5 people
    att_by_year = pd.DataFrame(columns=["year", "n", "attendance_rate"])
    if len(prog) and {"programme_id", "end_date"} <= set(prog.columns):
        y = invited[["programme_id", "attended"]].merge(prog[["programme_id", "end_date"]], on="programme_id",
                                                        how="inner")
        y["year"] = pd.to_datetime(y["end_date"]).dt.year
        g = y.dropna(subset=["year"]).groupby("year")["attended"]
        att_by_year = pd.DataFrame({"n": g.size(), "attendance_rate": g.apply(lambda a: a.astype(bool).mean())})
        att_by_year = att_by_year[att_by_year["n"] >= _SMALL].reset_index()
        att_by_year["year"] = att_by_year["year"].astype(int)
    # reasons for absence, as written on the attendance list (presensi codes: Sakit, Izin, Dinas Luar, ...)
    reasons = pd.DataFrame(columns=["reason", "n"])
    if "reason_absent" in enr.columns:
        absent = enr.loc[~enr["attended"].fillna(True).astype(bool), "reason_absent"].dropna().astype(str)
        if len(absent):
            reasons = absent.value_counts().rename_axis("reason").reset_index(name="n")
            reasons = reasons.sort_values(["n", "reason"], ascending=[False, True]).reset_index(drop=True)
    jpc = pd.DataFrame(columns=["year", "share_compliant", "ci_low", "ci_high", "mean_jp"])
    if full and len(emp) and len(prog) and {"jp", "end_date"} <= set(prog.columns):
        jpc = jp_compliance(jp_hours(enr, prog, emp)).sort_values("year").reset_index(drop=True)
    last = jpc.iloc[-1] if len(jpc) else None
    return {
        "measured": True, "base": base, "group_by": group_by,
        "funnel": fun, "n_invited": n_base, "n_registered": n_reg,
        "n_attended": n_att, "n_completed": n_comp,
        "attendance_rate": rate, "attendance_ci": rate_ci,
        "completion_rate": completion, "completion_of_attended": completion_att,
        "by_mode": mode_tab, "reasons_absent": reasons, "by_year": att_by_year,
        "jp": jpc,
        "jp_year": None if last is None else int(last["year"]),
        "jp_compliance": math.nan if last is None else _f(last["share_compliant"]),
        "jp_compliance_ci": (math.nan, math.nan) if last is None else (_f(last["ci_low"]), _f(last["ci_high"])),
        "jp_mean": math.nan if last is None else _f(last["mean_jp"]),
        "n_staff": int(len(emp)), "n_programmes": n_programmes, "topics": topics,
        "invited_share_of_staff": (invited["person_id"].nunique() / len(emp)) if len(emp) else math.nan,
    }


def _reaction(s: dict) -> dict | None:
    from evalkit.measures import likert_items, likert_scale

    rx = s["reaction"]
    items = [c for c in REACTION_ITEMS if c in rx.columns]
    if rx.empty or not items or rx[items].notna().sum().sum() == 0:
        return None
    tab = likert_items(rx, items)
    ov = tab.set_index("item").loc["overall"] if "overall" in items else tab.iloc[0]
    scale = likert_scale(rx, items, min_items=3).iloc[0]
    return {"items": tab, "answers": rx[items].reset_index(drop=True), "n": int(ov["n"]),
            "agree_share": _f(ov["share_agree"]),
            "agree_ci": (_f(ov["ci_low"]), _f(ov["ci_high"])), "agree_n": int(ov["n_agree"]),
            "scale_mean": _f(scale["mean"]), "scale_ci": (_f(scale["ci_low"]), _f(scale["ci_high"])),
            "lowest_item": str(tab.sort_values("share_agree").iloc[0]["item"]),
            "lowest_item_share": _f(tab.sort_values("share_agree").iloc[0]["share_agree"])}


def _learning(s: dict) -> dict | None:
    from evalkit.measures import learning_gain

    tests = s["tests"]
    if tests.empty or not {"pre_score", "post_score"} <= set(tests.columns) or \
            tests.dropna(subset=["pre_score", "post_score"]).empty:
        return None
    pooled = learning_gain(tests).iloc[0]
    prog = s["programmes"]
    if _has_modes(prog):
        group_by = "mode"
        by_mode = learning_gain(tests, prog, by="mode")
        by_mode = by_mode.sort_values("mode", key=lambda c: c.map(_mode_rank)).reset_index(drop=True)
    else:  # no delivery modes: by programme (its title when the programme list gives one)
        group_by = "programme"
        lab = tests["programme_id"].astype(str)
        by_mode = learning_gain(tests.assign(mode=lab.map(_group_labels(prog)).fillna(lab)), by="mode")
        by_mode = by_mode.sort_values("mode").reset_index(drop=True)
    pairs = tests.dropna(subset=["pre_score", "post_score"])
    improved = int((pairs["post_score"] > pairs["pre_score"]).sum())
    return {"gain": _f(pooled["estimate"]), "gain_ci": (_f(pooled["ci_low"]), _f(pooled["ci_high"])),
            "pre": _f(pooled["mean_pre"]), "post": _f(pooled["mean_post"]), "n": int(pooled["n"]),
            "hedges_g": _f(pooled["hedges_g"]), "improved_share": improved / len(pairs) if len(pairs) else math.nan,
            "by_mode": by_mode, "group_by": group_by}


def _by_programme(s: dict) -> pd.DataFrame:
    """One row per programme the region's files name: those listed and present (attendance), the share agreeing
    with the overall reaction item (L1) and the mean pre/post gain (L2), each with its own count. Person counts,
    not yet suppressed (see :func:`section_programmes`)."""
    from evalkit.measures import likert_items

    enr, rx, te, prog = s["enrolments"], s["reaction"], s["tests"], s["programmes"]
    pids: set[str] = set()
    for d in (enr, rx, te):
        if "programme_id" in d.columns:
            pids |= set(d["programme_id"].dropna().astype(str))
    cols = ["programme_id", "programme", "mode", "n_listed", "n_attended", "attendance_rate", "n_reaction",
            "agree_share", "n_tests", "gain"]
    if not pids:
        return pd.DataFrame(columns=cols)
    labels = _group_labels(prog)
    modes = (prog.assign(programme_id=prog["programme_id"].astype(str)).set_index("programme_id")["mode"].astype(str)
             if _has_modes(prog) else pd.Series(dtype=object))
    out = pd.DataFrame({"programme_id": sorted(pids)})
    out["programme"] = out["programme_id"].map(labels).fillna(out["programme_id"])
    out["mode"] = out["programme_id"].map(modes) if len(modes) else None
    if "attended" in enr.columns and len(enr):
        e = enr[enr["attended"].notna()].assign(_pid=lambda d: d["programme_id"].astype(str))
        g = e.groupby("_pid")["attended"]
        out["n_listed"] = out["programme_id"].map(g.size()).fillna(0).astype(int)
        out["n_attended"] = out["programme_id"].map(g.apply(lambda a: int(a.astype(bool).sum()))).fillna(0)
        out["n_attended"] = out["n_attended"].astype(int)
        out["attendance_rate"] = np.where(out["n_listed"] > 0, out["n_attended"] / out["n_listed"].clip(lower=1),
                                          np.nan)
    else:
        out[["n_listed", "n_attended"]], out["attendance_rate"] = 0, np.nan
    item = "overall" if "overall" in rx.columns else next((c for c in REACTION_ITEMS if c in rx.columns), None)
    agree, n_rx = {}, {}
    if item and len(rx) and "programme_id" in rx.columns:
        for pid, sub in rx.dropna(subset=[item]).groupby(rx["programme_id"].astype(str)):
            row = likert_items(sub, [item]).iloc[0]
            agree[pid], n_rx[pid] = _f(row["share_agree"]), int(row["n"])
    out["n_reaction"] = out["programme_id"].map(n_rx).fillna(0).astype(int)
    out["agree_share"] = out["programme_id"].map(agree).astype(float)
    gain, n_te = {}, {}
    if len(te) and {"pre_score", "post_score", "programme_id"} <= set(te.columns):
        pairs = te.dropna(subset=["pre_score", "post_score"])
        for pid, sub in pairs.groupby(pairs["programme_id"].astype(str)):
            gain[pid] = _f((sub["post_score"] - sub["pre_score"]).mean())
            n_te[pid] = int(len(sub))
    out["n_tests"] = out["programme_id"].map(n_te).fillna(0).astype(int)
    out["gain"] = out["programme_id"].map(gain).astype(float)
    return out[cols].sort_values(["programme", "programme_id"]).reset_index(drop=True)


def _by_opd(s: dict) -> pd.DataFrame:
    """One row per OPD (the staff list's ``agency``): staff, staff on an attendance list, the attendance rate of
    their rows and the share of staff who completed at least one programme. Empty without staff list or lists."""
    emp, enr = s["employees"], s["enrolments"]
    cols = ["opd", "n_staff", "n_listed", "n_rows", "n_attended", "attendance_rate", "n_completed_any",
            "completed_share"]
    if not len(emp) or "agency" not in emp.columns or "attended" not in enr.columns or not len(enr):
        return pd.DataFrame(columns=cols)
    opd = emp.set_index("person_id")["agency"].astype(str)
    e = enr[enr["attended"].notna()].assign(opd=lambda d: d["person_id"].map(opd))
    e = e[e["opd"].notna()]
    staff = opd.value_counts()
    rows = []
    for name in sorted(staff.index):
        sub = e[e["opd"] == name]
        done = (sub.loc[sub["completed"].fillna(False).astype(bool), "person_id"].nunique()
                if "completed" in sub.columns else 0)
        n_rows, n_att = int(len(sub)), int(sub["attended"].astype(bool).sum())
        rows.append({"opd": name, "n_staff": int(staff[name]), "n_listed": int(sub["person_id"].nunique()),
                     "n_rows": n_rows, "n_attended": n_att,
                     "attendance_rate": n_att / n_rows if n_rows else math.nan,
                     "n_completed_any": int(done), "completed_share": done / int(staff[name])})
    return pd.DataFrame(rows, columns=cols)


def _behaviour(s: dict) -> dict | None:
    from evalkit.measures import rater_agreement

    fu = s["followup"].copy()
    if fu.empty or "rater_role" not in fu.columns or not set(APPLICATION_ITEMS) <= set(fu.columns):
        return None
    fu["rater_role"] = fu["rater_role"].astype(str)
    empty = {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}
    try:
        ra, _ = _quiet(rater_agreement, fu)
        gap = _row(ra, "self_minus_supervisor") if (ra["term"] == "self_minus_supervisor").any() else empty
        icc = _row(ra, "ICC(2,1)") if (ra["term"] == "ICC(2,1)").any() else empty
    except (ValueError, KeyError, IndexError):
        gap = icc = empty
    fu["_score"] = fu[list(APPLICATION_ITEMS)].astype(float).mean(axis=1)
    rows = []
    for role in ("self", "supervisor", "peer"):
        m = _mean_ci(fu.loc[fu["rater_role"] == role, "_score"])
        rows.append({"role": role, **m})
    by_role = pd.DataFrame(rows)
    sup = fu.loc[fu["rater_role"] == "supervisor", "_score"].dropna()
    k = int((sup >= APPLICATION_BAR).sum())
    return {"self_gap": gap["estimate"], "self_gap_ci": (gap["ci_low"], gap["ci_high"]), "n_pairs": gap["n"],
            "icc": icc["estimate"], "icc_ci": (icc["ci_low"], icc["ci_high"]), "n_icc": icc["n"],
            "by_role": by_role, "application_share": k / len(sup) if len(sup) else math.nan,
            "application_ci": _wilson(k, len(sup)), "n_supervisor": int(len(sup))}


def weakest_level(levels: Mapping[str, float]) -> str | None:
    """The Kirkpatrick level with the lowest share (``{"L1": 0.6, "L2": 0.9, "L3": 0.2}`` -> ``"L3"``).

    Missing shares are ignored; ties go to the earlier level. None when no share is known.
    """
    known = [(k, float(v)) for k, v in levels.items() if v is not None and not pd.isna(v)]
    if not known:
        return None
    return min(known, key=lambda kv: kv[1])[0]


def _results(s: dict) -> dict:
    from evalkit.measures import ikm, service_trends

    svc, skm = s["services"], s["skm"]
    out: dict = {}
    if len(svc):
        trend = service_trends(svc)
        trend["year"] = trend["month"].dt.year
        w = trend.groupby("year").apply(
            lambda g: pd.Series({"wait_minutes": np.average(g["wait_minutes"], weights=g["volume"].astype(float)),
                                 "processing_days": np.average(g["processing_days"],
                                                               weights=g["volume"].astype(float)),
                                 "resolution_rate": g["complaints_resolved"].sum() / g["complaints_received"].sum()}),
            include_groups=False)
        out.update({"trend": trend, "by_year": w.reset_index(), "n_units": int(svc["unit"].nunique()),
                    "wait_first": _f(w["wait_minutes"].iloc[0]), "wait_last": _f(w["wait_minutes"].iloc[-1]),
                    "proc_first": _f(w["processing_days"].iloc[0]), "proc_last": _f(w["processing_days"].iloc[-1]),
                    "year_first": int(w.index[0]), "year_last": int(w.index[-1])})
    if len(skm):
        by_p = ikm(skm, by="period").sort_values("period").reset_index(drop=True)
        by_p["mutu"] = by_p["mutu"].astype(str)
        last_p = by_p["period"].iloc[-1]
        by_unit = ikm(skm[skm["period"] == last_p], by="unit")
        by_unit["mutu"] = by_unit["mutu"].astype(str)
        out.update({"ikm": by_p, "ikm_by_unit": by_unit, "ikm_first": _f(by_p["ikm"].iloc[0]),
                    "ikm_last": _f(by_p["ikm"].iloc[-1]), "ikm_mutu": str(by_p["mutu"].iloc[-1]),
                    "ikm_period_first": str(by_p["period"].iloc[0]), "ikm_period_last": str(last_p),
                    "n_skm": int(len(skm))})
        try:
            from evalkit.measures import skm_sample_adequacy

            adequacy = skm_sample_adequacy(skm[skm["period"] == last_p], svc)
            out["units_below_sample_min"] = int((~adequacy["adequate"].astype(bool)).sum())
        except Exception:  # noqa: BLE001 - the check needs service volumes; the report goes on without it
            out["units_below_sample_min"] = None
    return out
