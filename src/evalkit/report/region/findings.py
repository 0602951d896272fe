"""A region's findings in one dict (:func:`region_findings`), the focus section chosen from them, the
key-indicator table and the tables the report publishes."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from evalkit.report.context import TARGET_INDICATORS, load_context, region_context
from evalkit.report.region import cache as _cache  # imported with the report: it notes the code it runs with
from evalkit.report.region._base import _SMALL, REQUIRED_TABLES, SPOTLIGHTS, _f, region_slug
from evalkit.report.region.effects import _challenges, _impact
from evalkit.report.region.levels import (
    _behaviour,
    _by_opd,
    _by_programme,
    _learning,
    _reach,
    _reaction,
    _results,
    weakest_level,
)
from evalkit.report.tables import suppress_small_cells


def load_tables(processed_dir=None) -> dict[str, pd.DataFrame]:
    """The canonical tables the report reads, from ``data/processed`` (run the cleaning step first); a table
    the office did not bring is an empty frame."""
    from evalkit.datasets import load

    out = {}
    for name in REQUIRED_TABLES:
        try:
            out[name] = load(name, processed_dir)
        except FileNotFoundError:
            out[name] = pd.DataFrame()
    return out


def region_subset(tables: Mapping[str, pd.DataFrame], region: str) -> dict[str, pd.DataFrame]:
    """The rows of each table that belong to ``region`` (:func:`evalkit.scope.row_regions`).

    Staff and services, SKM, budgets and interviews by their ``region`` column; programmes held in the region,
    and the enrolments, reactions, tests and follow-up ratings of those programmes (or, without a programme
    list, of the rows whose own region is ``region``); performance of the region's staff. Every table of
    :data:`REQUIRED_TABLES` is in the result, empty when missing. Delivery modes become plain strings (no
    unused categories). Raises ValueError when no table has a row of the region.
    """
    from evalkit.scope import in_region, regions_present

    tables = {n: (tables[n] if tables.get(n) is not None else pd.DataFrame()) for n in REQUIRED_TABLES}
    out = {}
    for name, d in tables.items():
        out[name] = d[in_region(d, name, tables, region).to_numpy()].copy() if len(d) else d.copy()
    if not any(len(d) for d in out.values()):
        raise ValueError(f"no rows for region {region!r}; regions in the data: {regions_present(tables)}")
    if "mode" in out["programmes"].columns:
        out["programmes"]["mode"] = out["programmes"]["mode"].astype(str)
    return out


def _place(region: str) -> tuple[str, str | None, str]:
    """(level, parent, province) of a region from the Kemendagri list (:func:`evalkit.ingest.regions.match_region`),
    the same for every region; blanks for a name the list does not know."""
    try:
        from evalkit.ingest.regions import match_region

        m = match_region(region)
        return str(m.level or ""), getattr(m, "kabupaten", None), str(m.province or "")
    except Exception:  # noqa: BLE001 - an unknown name just has no subtitle
        return "", None, ""


def region_findings(region: str, tables: Mapping[str, pd.DataFrame] | None = None,
                    context: Mapping | None = None, cache: bool = False) -> dict:
    """Every number of one region's report, plus the flat ``findings`` dict that feeds the recommendation rules.

    Parameters
    ----------
    region : str
        Canonical region name, as in the ``region`` column of the cleaned tables (e.g. ``"Mamuju"``).
    tables : mapping name -> DataFrame, optional
        The canonical tables of :data:`REQUIRED_TABLES` for all regions (other regions are used only for the
        budget comparison); any of them may be missing or empty: a level without data is reported as not
        measured.
        Default: read from ``data/processed``.
    context : mapping, optional
        A loaded context file (:func:`evalkit.report.context.load_context`). Default: the context file of
        the raw folder when ``tables`` is also defaulted, else none.
    cache : bool
        Keep the findings in ``data/processed/cache/`` and reuse them when called again with the same cleaned
        data, context and evalkit code (:mod:`evalkit.report.region.cache`): the report's second language
        then does not compute them again. Only with ``tables`` defaulted (read from ``data/processed``).

    Returns
    -------
    dict
        ``region``, ``slug``, ``context`` (the region's context entry), ``spotlight``, ``level``/``province``,
        then one dict per section (``reach``, ``reaction``, ``learning``, ``behaviour``, ``levels``,
        ``results``, ``impact``, ``challenges``) holding numbers and tidy DataFrames (``reaction``,
        ``learning`` and ``behaviour`` are None when not measured), ``measured`` (table -> has rows for
        the region) and ``findings`` (the keys documented in :mod:`evalkit.report.recommend`). Deterministic:
        quotes chosen and bootstraps drawn with fixed seeds.
    """
    if context is None and tables is None:
        context = load_context()
    if cache:
        if tables is not None:
            raise ValueError("cache=True needs the tables read from data/processed (tables=None)")
        return _cache.cached_findings(region, context, lambda: region_findings(region, None, context))
    tables = load_tables() if tables is None else tables
    s = region_subset(tables, region)
    ctx = region_context(context, region)
    level, parent, province = _place(region)
    F: dict = {"region": region, "slug": region_slug(region), "context": ctx,
               "level": level, "parent": parent, "province": province,
               "measured": {n: bool(len(s[n])) for n in REQUIRED_TABLES}}
    F["reach"] = _reach(s)
    F["reaction"] = _reaction(s)
    F["learning"] = _learning(s)
    F["behaviour"] = _behaviour(s)
    F["programmes"] = _by_programme(s)
    F["opd"] = _by_opd(s)
    F["measured"].update({"reaction": F["reaction"] is not None, "tests": F["learning"] is not None,
                          "followup": F["behaviour"] is not None})
    F["levels"] = {"L1": F["reaction"]["agree_share"] if F["reaction"] else math.nan,
                   "L2": F["learning"]["improved_share"] if F["learning"] else math.nan,
                   "L3": F["behaviour"]["application_share"] if F["behaviour"] else math.nan}
    F["results"] = _results(s)
    F["impact"] = _impact(s, ctx.get("focus_unit"))
    F["measured"]["performance"] = F["impact"]["measured"]
    F["challenges"] = _challenges(s, tables, region, F["learning"], F["impact"])
    F["counts"] = {"n_staff": F["reach"]["n_staff"], "n_programmes": F["reach"]["n_programmes"],
                   "n_invited": F["reach"]["n_invited"], "n_reaction": F["reaction"]["n"] if F["reaction"] else 0,
                   "n_tests": F["learning"]["n"] if F["learning"] else 0, "n_followup": int(len(s["followup"])),
                   "n_performance": int(len(s["performance"])), "n_service_units": F["results"].get("n_units", 0),
                   "n_skm": F["results"].get("n_skm", 0), "n_interviews": F["challenges"]["n_interviews"],
                   "n_budget_rows": int(len(s["budgets"]))}
    head = F["impact"]["performance"].get("report_quality")
    ch = F["challenges"]
    ce = ch["cost_effectiveness"]
    best = ch["most_cost_effective_mode"]
    F["findings"] = {
        "region": region,
        "attendance_rate": F["reach"]["attendance_rate"],
        "strongest_barrier": ch["strongest_barrier"],
        "strongest_barrier_ame": ch["strongest_ame"],
        "top_interview_theme": ch["top_theme"],
        "jp_compliance": F["reach"]["jp_compliance"],
        "weakest_level": weakest_level(F["levels"]),
        "self_supervisor_gap": F["behaviour"]["self_gap"] if F["behaviour"] else None,
        "reaction_agree_share": F["reaction"]["agree_share"] if F["reaction"] else None,
        "learning_gain": F["learning"]["gain"] if F["learning"] else None,
        "learning_gain_ci": F["learning"]["gain_ci"] if F["learning"] else None,
        "impact_estimate": head["estimate"] if head else None,
        "impact_ci": (head["ci_low"], head["ci_high"]) if head else None,
        "impact_outcome": "report_quality",
        "impact_better": "higher",
        "ikm": F["results"].get("ikm_last"),
        "ikm_mutu": F["results"].get("ikm_mutu"),
        "units_below_sample_min": F["results"].get("units_below_sample_min"),
        "most_cost_effective_mode": best,
        "cost_per_participant_rp": (_f(ce.set_index("mode").loc[best, "cost_per_completed"]) if best else None),
        "cost_per_point_rp": (_f(ce.set_index("mode").loc[best, "cost_per_point"]) if best else None),
        "budget_realisation": ch["budget_realisation"],
        "budget_per_employee_rp": ch["budget_per_employee"] if ch["has_budget"] else None,
        "budget_per_employee_reference_rp": ch["budget_per_employee_reference"] if ch["has_budget"] else None,
    }
    F["spotlight"] = choose_spotlight(F)
    return F


def _largest_gain_mode(F: Mapping) -> str | None:
    """The mode with the largest learning gain among at least two modes with enough people, else None."""
    lr = F["learning"]
    if lr is None:
        return None
    lm = lr["by_mode"][lr["by_mode"]["n"] >= _SMALL]
    return str(lm.sort_values("estimate").iloc[-1]["mode"]) if len(lm) >= 2 else None


def choose_spotlight(F: Mapping) -> str:
    """The focus section of a region's report: the context's ``spotlight`` when it names one of
    :data:`SPOTLIGHTS`, else the first of these that the data show:

    1. ``"services"``: training lowered service waiting time (its 95% CI below zero);
    2. ``"budget"``: training spending per civil servant under half the median of the other regions;
    3. ``"tenure"``: the strongest barrier is feeling already experienced and the effect can be estimated
       for junior and experienced staff separately;
    4. ``"practice"``: simulation/practice-based training (mode ``simulasi``) has the largest learning gain
       among at least two modes with enough people;
    5. ``"modes"``: at least two delivery modes have effect estimates (enough trained people each);
    6. ``"barrier"``: otherwise, the barrier most strongly tied to attendance (or the delivery modes when
       no barrier could be estimated and the region ran at least two modes);
    7. None: nothing to compare (an office with one delivery mode and no barrier data): no focus section.
    """
    chosen = (F.get("context") or {}).get("spotlight")
    if chosen in SPOTLIGHTS:
        return chosen
    imp, ch = F["impact"], F["challenges"]
    w = imp["services"].get("wait_minutes")
    if w and not pd.isna(w["ci_high"]) and w["ci_high"] < 0:
        return "services"
    from evalkit.report.recommend import BUDGET_PER_EMPLOYEE_MIN_RATIO

    b, ref = ch["budget_per_employee"], ch["budget_per_employee_reference"]
    if ch["has_budget"] and not pd.isna(b) and not pd.isna(ref) and ref > 0 and b < BUDGET_PER_EMPLOYEE_MIN_RATIO * ref:
        return "budget"
    if ch["strongest_barrier"] == "barrier_experienced" and len(imp["by_tenure"]) == 2:
        return "tenure"
    if _largest_gain_mode(F) == "simulasi":
        return "practice"
    if len(imp["by_mode"]) >= 2:
        return "modes"
    if ch["strongest_barrier"]:
        return "barrier"
    r, lr = F["reach"], F["learning"]
    modes = set()
    if r.get("measured") and r["group_by"] == "mode":
        modes |= set(r["by_mode"]["mode"])
    if lr and lr["group_by"] == "mode":
        modes |= set(lr["by_mode"]["mode"])
    return "modes" if len(modes) >= 2 else None


def _default_targets() -> dict[str, tuple[float, str]]:
    """Targets of the key-indicator table when the context sets none: indicator -> (value, source key).

    Attendance, positive reactions and budget realisation: the thresholds of the recommendation rules
    (:mod:`evalkit.report.recommend`); JP compliance: the rule's threshold on the 20 JP of PP 11/2017; IKM: the
    lower bound of mutu B (Baik) in PermenPANRB 14/2017. Learning gain, application, waiting and processing
    time have no default: an office sets them in the context file (``targets``), which replaces any default.
    """
    from evalkit.measures import IKM_BANDS
    from evalkit.report.recommend import ATTENDANCE_MIN, BUDGET_REALISATION_MIN, JP_COMPLIANCE_MIN, REACTION_AGREE_MIN

    ikm_b = next(lower for lower, mutu, _k in IKM_BANDS if mutu == "B")
    return {"attendance_rate": (ATTENDANCE_MIN, "rule"), "reaction_agree": (REACTION_AGREE_MIN, "rule"),
            "jp_compliance": (JP_COMPLIANCE_MIN, "jp"), "ikm": (ikm_b, "ikm"),
            "budget_realisation": (BUDGET_REALISATION_MIN, "rule")}


def key_indicators(F: dict) -> pd.DataFrame:
    """The key-indicator table of the summary: one row per indicator with a measured value or a target.

    Columns: ``indicator`` (a key of :data:`evalkit.report.context.TARGET_INDICATORS`), ``actual``, ``n``
    (people behind a share; None for other indicators), ``target``, ``source`` (``office``: the context file;
    ``rule``, ``jp``, ``ikm``: see :func:`_default_targets`), ``status`` (``met``, ``not_met``, ``no_target``,
    ``unknown`` when not measured), ``trend_first``/``trend_last`` with their periods ``period_first``/
    ``period_last`` (the first and last on record: attendance by the year programmes ended, JP compliance by
    year, IKM by survey semester, service times by year) and ``better`` (``higher``/``lower``).
    """
    r, x, ch = F["reach"], F["results"], F["challenges"]
    office = {tg["indicator"]: tg for tg in F["context"].get("targets") or []}
    defaults = _default_targets()
    rows = []

    def add(ind, actual, n=None, trend=None, year=None):
        better = TARGET_INDICATORS[ind][0]
        if ind in office:
            target, source = float(office[ind]["value"]), "office"
        elif ind in defaults:
            target, source = defaults[ind]
        else:
            target, source = None, None
        if (actual is None or pd.isna(actual)) and target is None:
            return
        if actual is None or pd.isna(actual):
            status = "unknown"
        elif target is None:
            status = "no_target"
        else:
            status = "met" if (actual >= target if better == "higher" else actual <= target) else "not_met"
        t0 = t1 = p0 = p1 = None
        if trend is not None and len(trend) >= 2:
            (p0, t0), (p1, t1) = trend[0], trend[-1]
        rows.append({"indicator": ind, "actual": actual, "n": n, "target": target, "source": source,
                     "status": status, "trend_first": t0, "trend_last": t1, "period_first": p0, "period_last": p1,
                     "better": better})

    if r.get("measured"):
        by_year = r.get("by_year")
        add("attendance_rate", r["attendance_rate"], r["n_invited"],
            list(zip(by_year["year"].astype(str), by_year["attendance_rate"])) if by_year is not None else None)
    rx = F["reaction"]
    add("reaction_agree", rx["agree_share"] if rx else None, rx["n"] if rx else None)
    lr = F["learning"]
    add("learning_gain", lr["gain"] if lr else None)
    bh = F["behaviour"]
    add("application_share", bh["application_share"] if bh else None, bh["n_supervisor"] if bh else None)
    if r.get("measured") and r.get("jp_year"):
        jp = r["jp"]
        add("jp_compliance", r["jp_compliance"], r["n_staff"],
            list(zip(jp["year"].astype(str), jp["share_compliant"])))
    elif "jp_compliance" in office:
        add("jp_compliance", None)
    if "ikm" in x:
        ik = x["ikm"]
        add("ikm", x["ikm_last"], None, list(zip(ik["period"].astype(str), ik["ikm"])))
    else:
        add("ikm", None) if "ikm" in office else None
    for ind in ("wait_minutes", "processing_days"):
        if "by_year" in x:
            by = x["by_year"]
            add(ind, _f(by[ind].iloc[-1]), None, list(zip(by["year"].astype(str), by[ind])))
        elif ind in office:
            add(ind, None)
    if ch["has_budget"] or "budget_realisation" in office:
        add("budget_realisation", ch["budget_realisation"])
    return pd.DataFrame(rows, columns=["indicator", "actual", "n", "target", "source", "status", "trend_first",
                                       "trend_last", "period_first", "period_last", "better"])


def programme_table(F: dict) -> pd.DataFrame:
    """The per-programme table as published: attendance blanked where fewer than 5 were listed (and one more row
    when only one is, so it cannot be recovered from the total), L1 where fewer than 5 answered, L2 where fewer
    than 5 took both tests."""
    tab = F["programmes"].copy()
    if not len(tab):
        return tab
    tab = suppress_small_cells(tab, n_col=["n_listed"], value_cols=["n_attended", "attendance_rate"])
    tab = suppress_small_cells(tab, n_col=["n_reaction"], value_cols=["agree_share"], complementary=False)
    tab = suppress_small_cells(tab, n_col=["n_tests"], value_cols=["gain"], complementary=False)
    return tab


def opd_table(F: dict) -> pd.DataFrame:
    """The per-OPD table as published (OPDs with fewer than 5 staff or fewer than 5 listed are blanked)."""
    tab = F["opd"].copy()
    if not len(tab):
        return tab
    return suppress_small_cells(tab, n_col=["n_staff", "n_listed"],
                                value_cols=["n_rows", "n_attended", "attendance_rate", "n_completed_any",
                                            "completed_share"])


def _fmt_or_na(fmt: str, x) -> str:
    try:
        return "NA" if x is None or pd.isna(x) else format(x, fmt)
    except (TypeError, ValueError):
        return "NA"


def headline(F: dict) -> str:
    """Key numbers as plain rounded text (language-neutral; checked by the notebook tests)."""
    imp = F["impact"]["performance"].get("report_quality") or {}
    lr = F["learning"] or {}
    lines = [
        f"region: {F['region']}",
        f"attendance_rate: {_fmt_or_na('.3f', F['reach']['attendance_rate'])}",
        f"reaction_agree_share: {_fmt_or_na('.3f', (F['reaction'] or {}).get('agree_share'))}",
        f"learning_gain: {_fmt_or_na('.2f', lr.get('gain'))} [{_fmt_or_na('.2f', (lr.get('gain_ci') or (None,))[0])}, "
        f"{_fmt_or_na('.2f', (lr.get('gain_ci') or (None, None))[1])}]",
        f"self_minus_supervisor: {_fmt_or_na('.2f', (F['behaviour'] or {}).get('self_gap'))}",
        f"att_report_quality: {_fmt_or_na('.2f', imp.get('estimate'))} [{_fmt_or_na('.2f', imp.get('ci_low'))}, "
        f"{_fmt_or_na('.2f', imp.get('ci_high'))}]",
        f"strongest_barrier: {F['challenges']['strongest_barrier']} "
        f"({_fmt_or_na('.3f', F['challenges']['strongest_ame'])})",
        f"weakest_level: {F['findings']['weakest_level']}",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- tables
def published_tables(F: dict) -> dict[str, pd.DataFrame]:
    """The region's tables for ``reports/tables`` (person counts already through ``suppress_small_cells``)."""
    r, lr, ch, imp = F["reach"], F["learning"], F["challenges"], F["impact"]
    lbm = (lr["by_mode"] if lr else pd.DataFrame(columns=["mode", "n", "mean_pre", "mean_post", "estimate",
                                                          "ci_low", "ci_high"]))
    fun = (r["funnel"][["stage", "n", "share_of_invited", "ci_low_invited", "ci_high_invited"]].copy()
           if r.get("measured") else pd.DataFrame(columns=["stage"]))
    fun["stage"] = fun["stage"].astype(str)
    bar = ch["ames"][["term", "n_citing", "share_citing", "estimate", "ci_low", "ci_high"]].rename(
        columns={"n_citing": "n"})
    perf = pd.DataFrame([{"outcome": k, **{c: v[c] for c in ("estimate", "ci_low", "ci_high", "n")}}
                         for k, v in imp["performance"].items()]
                        + [{"outcome": k, **{c: v[c] for c in ("estimate", "ci_low", "ci_high", "n")}}
                           for k, v in imp["services"].items()])
    out = {}
    if r.get("measured"):
        by = "mode" if r["group_by"] == "mode" else "programme"
        out["funnel"] = suppress_small_cells(fun)
        out[f"attendance_by_{by}"] = suppress_small_cells(r["by_mode"].rename(columns={"mode": by}),
                                                          n_col=["n", "n_attended"])
        if len(r["reasons_absent"]):
            out["reasons_absent"] = suppress_small_cells(r["reasons_absent"], n_col=["n"])
    if lr:
        by = "mode" if lr["group_by"] == "mode" else "programme"
        out[f"learning_by_{by}"] = suppress_small_cells(
            lbm[["mode", "n", "mean_pre", "mean_post", "estimate", "ci_low", "ci_high"]].rename(columns={"mode": by}),
            value_cols=["mean_pre", "mean_post", "estimate", "ci_low", "ci_high"])
    if len(bar):
        out["barriers"] = suppress_small_cells(bar, value_cols=["share_citing"])
    if len(perf):
        out["impact"] = perf.rename(columns={"n": "n_obs"})
    if len(F["programmes"]):
        out["by_programme"] = programme_table(F).drop(columns=["programme_id"])
    if len(F["opd"]):
        out["by_opd"] = opd_table(F)
    if ch.get("jp_rule"):
        out["jp_rule_budget"] = ch["jp_rule"]["table"]
    if len(ch["cost_effectiveness"]) and {"n_treated", "n_completed"} <= set(ch["cost_effectiveness"].columns):
        out["cost_by_mode"] = suppress_small_cells(ch["cost_effectiveness"], n_col=["n_treated", "n_completed"])
    return out
