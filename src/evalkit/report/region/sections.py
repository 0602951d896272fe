"""The sections on reach and the four Kirkpatrick levels, and results per programme and per OPD."""

from __future__ import annotations

import math

import pandas as pd

from evalkit import config
from evalkit.report.context import TARGET_INDICATORS
from evalkit.report.region._base import _f
from evalkit.report.region._words import (
    _ci,
    _h,
    _mode,
    _not_measured,
    _num,
    _p,
    _pct,
    _period,
    _share_or_count,
    _share_sentence,
    _small,
    _suppressed_note,
    _table,
)
from evalkit.report.region.findings import opd_table, programme_table
from evalkit.report.region.levels import weakest_level
from evalkit.report.tables import suppress_small_cells
from evalkit.report.text import (
    MISSING,
    describe_change,
    describe_share,
    t,
)


def section_reach(F: dict, lang: str) -> str:
    """Reach and participation: funnel (or the attendance lists), attendance by mode or programme, reasons for
    absence, JP compliance; or what was not measured."""
    r = F["reach"]
    if not r.get("measured"):
        return _p(_h("section.reach", lang, 2), _not_measured("enrolments", lang))
    listed = r["base"] == "listed"
    by_programme = r["group_by"] == "programme"
    tab = suppress_small_cells(r["by_mode"], n_col=["n", "n_attended"])
    table = _table(tab, [("mode", "region.col.programme" if by_programme else "region.col.mode",
                          (lambda v: v) if by_programme else (lambda v: _mode(v, lang))),
                         ("n", "region.col.listed" if listed else "region.col.invited", lambda v: _num(v, lang, 0)),
                         ("n_attended", "region.col.attended", lambda v: _num(v, lang, 0)),
                         ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang))], lang)
    jp_text = (describe_share("jp_compliance", r["jp_compliance"], lang) + " " +
               t("region.jp_detail", lang, year=str(r["jp_year"]), mean_jp=_num(r["jp_mean"], lang, 1),
                 target=config.JP_TARGET_PER_YEAR)) if r["jp_year"] and not _small(r["n_staff"]) else ""
    completion = (t("region.completion", lang, completed=_share_or_count(r["completion_rate"], r["n_invited"], lang),
                    of_attended=_share_or_count(r["completion_of_attended"], r["n_attended"], lang))
                  if r["n_invited"] and not pd.isna(r["completion_rate"]) else "")
    if listed:
        intro = t("region.reach_intro_list", lang, n_listed=r["n_invited"], n_programmes=r["n_programmes"])
    else:
        intro = t("region.reach_intro", lang, n_invited=r["n_invited"], n_programmes=r["n_programmes"],
                  invited_share=_share_or_count(r["invited_share_of_staff"], r["n_staff"], lang))
    title = "title.attendance_by_programme" if by_programme else "title.attendance_by_mode"
    reasons = ""
    n_absent = r["n_invited"] - r["n_attended"]
    rs = r.get("reasons_absent")
    if rs is not None and len(rs) and n_absent:
        rt = suppress_small_cells(rs, n_col=["n"])
        reasons = _p(t("region.reasons_absent", lang, n_reason=int(rs["n"].sum()), n_absent=n_absent),
                     f"**{t('region.table.reasons_absent', lang)}**\n\n"
                     + _table(rt, [("reason", "region.col.reason", None),
                                   ("n", "region.col.n_people", lambda v: _num(v, lang, 0))], lang)
                     + _suppressed_note(rt, lang))
    return _p(_h("section.reach", lang, 2), intro,
              _share_sentence("attendance_list" if listed else "attendance", r["attendance_rate"], r["n_attended"],
                              r["n_invited"], lang) + (" " + completion if completion else ""),
              f"**{t(title, lang)}**\n\n" + table + _suppressed_note(tab, lang),
              reasons, jp_text)


def section_reaction(F: dict, lang: str) -> str:
    """Reaction (L1): share agreeing and the weakest item; or what was not measured."""
    x = F["reaction"]
    if x is None:
        return _p(_h("section.reaction", lang), _not_measured("reaction", lang))
    mean = _ci(x["scale_mean"], x["scale_ci"], lang, 2) if not _small(x["n"]) else MISSING
    return _p(_h("section.reaction", lang),
              _share_sentence("reaction_agree", x["agree_share"], x["agree_n"], x["n"], lang),
              t("region.reaction_scale", lang, mean=mean, item=t(f"region.item.{x['lowest_item']}", lang),
                share=_share_or_count(x["lowest_item_share"], x["n"], lang)) if not _small(x["n"]) else "")


def section_learning(F: dict, lang: str) -> str:
    """Learning (L2): pre/post change with CI and the gain by delivery mode; or what was not measured."""
    x = F["learning"]
    if x is None:
        return _p(_h("section.learning", lang), _not_measured("tests", lang))
    tab = suppress_small_cells(x["by_mode"][["mode", "n", "mean_pre", "mean_post", "estimate", "ci_low", "ci_high"]],
                               value_cols=["mean_pre", "mean_post", "estimate", "ci_low", "ci_high"])
    by_programme = x.get("group_by") == "programme"
    table = _table(tab, [("mode", "region.col.programme" if by_programme else "region.col.mode",
                          (lambda v: v) if by_programme else (lambda v: _mode(v, lang))),
                         ("n", "region.col.n", lambda v: _num(v, lang, 0)),
                         ("mean_pre", "axis.pre", lambda v: _num(v, lang, 1)),
                         ("mean_post", "axis.post", lambda v: _num(v, lang, 1)),
                         ("estimate", "axis.learning_gain", lambda v: _num(v, lang, 1))], lang)
    if _small(x["n"]):
        return _p(_h("section.learning", lang), t("region.too_few", lang, n=x["n"],
                                                   what=t("region.what.tests", lang)))
    return _p(_h("section.learning", lang),
              describe_change("test_score", x["pre"], x["post"], lang, unit_key="points", ci=x["gain_ci"]),
              t("region.learning_detail", lang, n=x["n"], improved=_share_or_count(x["improved_share"], x["n"], lang),
                g=_num(x["hedges_g"], lang, 2)),
              f"**{t('region.table.gain_by_programme' if by_programme else 'region.table.gain_by_mode', lang)}**\n\n"
              + table + _suppressed_note(tab, lang))


def _level_n(F: dict, level: str) -> int:
    """Number of people behind a level's share (L1 respondents, L2 test pairs, L3 supervisor ratings)."""
    sec, key = {"L1": ("reaction", "n"), "L2": ("learning", "n"), "L3": ("behaviour", "n_supervisor")}[level]
    return int(F[sec][key]) if F[sec] else 0


def _level_share(F: dict, level: str, lang: str) -> str:
    return _share_or_count(F["levels"][level], _level_n(F, level), lang)


def section_programmes(F: dict, lang: str) -> str:
    """Results per programme (attendance, L1, L2) and per OPD (who was reached), small cells blanked."""
    parts = [_h("section.programmes", lang)]
    pt = programme_table(F)
    if len(pt):
        cols = [("programme", "region.col.programme", None)]
        if pt["mode"].notna().any():
            cols.append(("mode", "region.col.mode", lambda v: _mode(v, lang)))
        if (pt["n_listed"].fillna(0) > 0).any() or pt["n_listed"].isna().any():
            invited = (F["reach"] or {}).get("base") == "invited"  # the funnel's invitations, else a list
            cols += [("n_listed", "region.col.invited" if invited else "region.col.listed",
                      lambda v: _num(v, lang, 0)),
                     ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang))]
        if (pt["n_reaction"].fillna(1) > 0).any():
            cols.append(("agree_share", "region.col.agree_overall", lambda v: _pct(v, lang)))
        if (pt["n_tests"].fillna(1) > 0).any():
            cols.append(("gain", "region.col.gain_points", lambda v: _num(v, lang, 1)))
        parts.append(t("region.programmes_intro", lang, n=len(pt)))
        parts.append(f"**{t('region.table.programmes', lang)}**\n\n" + _table(pt, cols, lang)
                     + _suppressed_note(pt, lang))
    else:
        parts.append(t("region.programmes_none", lang))
    ot = opd_table(F)
    if len(ot):
        parts.append(f"**{t('region.table.opd', lang)}**\n\n" + _table(ot, [
            ("opd", "region.col.opd", None), ("n_staff", "region.col.n_staff", lambda v: _num(v, lang, 0)),
            ("n_listed", "region.col.opd_listed", lambda v: _num(v, lang, 0)),
            ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang)),
            ("completed_share", "region.col.completed_share", lambda v: _pct(v, lang))], lang)
            + _suppressed_note(ot, lang))
    elif len(F["programmes"]):
        parts.append(t("region.opd_none", lang))
    return _p(*parts)


def _levels_text(F: dict, lang: str) -> str:
    wl = weakest_level(F["levels"])
    return t("region.levels", lang, l1=_level_share(F, "L1", lang), l2=_level_share(F, "L2", lang),
             l3=_level_share(F, "L3", lang), weakest=t(f"level.{wl}", lang) if wl else MISSING)


def section_behaviour(F: dict, lang: str) -> str:
    """Behaviour (L3): application by rater and the self-supervisor gap; or what was not measured."""
    x = F["behaviour"]
    if x is None:
        return _p(_h("section.behaviour", lang), _not_measured("followup", lang), _levels_text(F, lang))
    by = {r["role"]: r for _, r in x["by_role"].iterrows()}

    def mean_of(role):
        r = by.get(role)
        return MISSING if r is None or _small(r["n"]) else _num(r["mean"], lang, 2)

    parts = [_h("section.behaviour", lang)]
    if _small(x["n_supervisor"]):
        parts.append(t("region.too_few", lang, n=x["n_supervisor"], what=t("region.what.followup", lang)))
    else:
        k = int(round(x["application_share"] * x["n_supervisor"]))
        parts.append(_share_sentence("application", x["application_share"], k, x["n_supervisor"], lang))
    if not _small(x["n_pairs"]):
        parts.append(t("region.behaviour_gap", lang, self_mean=mean_of("self"), sup_mean=mean_of("supervisor"),
                       gap=_ci(x["self_gap"], x["self_gap_ci"], lang, 2), n=x["n_pairs"]))
    if not _small(x["n_icc"]):
        parts.append(t("region.behaviour_icc", lang, icc=_ci(x["icc"], x["icc_ci"], lang, 2), n=x["n_icc"]))
    parts.append(_levels_text(F, lang))
    return _p(*parts)


def _targets_text(F: dict, lang: str) -> str:
    """Each target of the context against the measured value (latest year or period)."""
    lines = []
    x, r = F["results"], F["reach"]
    by_year = x.get("by_year")
    for tg in F["context"].get("targets") or []:
        ind, value = tg["indicator"], float(tg["value"])
        better, unit = TARGET_INDICATORS[ind]
        year = tg.get("year")
        actual, when = math.nan, ""
        if ind in ("wait_minutes", "processing_days") and by_year is not None and len(by_year):
            row = by_year[by_year["year"] == int(year)] if year is not None else by_year.tail(1)
            if len(row):
                actual, when = _f(row[ind].iloc[0]), str(int(row["year"].iloc[0]))
        elif ind == "ikm" and "ikm" in x:
            actual, when = x["ikm_last"], _period(x["ikm_period_last"], lang)
        elif ind == "attendance_rate":
            actual, when = r["attendance_rate"], ""
        elif ind == "jp_compliance":
            actual, when = r["jp_compliance"], str(r["jp_year"] or "")
        fmt = (lambda v: _pct(v, lang)) if unit == "share" else (lambda v: _num(v, lang, 1) + (
            " " + t(f"unit.{unit}", lang) if unit else ""))
        if pd.isna(actual):
            status = t("region.target_unknown", lang)
        else:
            met = actual <= value if better == "lower" else actual >= value
            status = t("region.target_met" if met else "region.target_not_met", lang)
        lines.append("- " + t("region.target_line", lang, indicator=t(f"region.indicator.{ind}", lang),
                              target=fmt(value), year=str(year) if year is not None else MISSING,
                              actual=fmt(actual), when=when or MISSING, status=status))
    return (f"**{t('region.targets_title', lang)}**\n\n" + "\n".join(lines)) if lines else ""


def section_results(F: dict, lang: str) -> str:
    """Results (L4): waiting and processing time trend, IKM and its mutu, the context's targets."""
    x = F["results"]
    parts = [_h("section.results", lang)]
    if "trend" in x:
        parts.append(t("region.results_services", lang, units=x["n_units"], y0=str(x["year_first"]),
                       y1=str(x["year_last"]), w0=_num(x["wait_first"], lang, 1), w1=_num(x["wait_last"], lang, 1),
                       p0=_num(x["proc_first"], lang, 1), p1=_num(x["proc_last"], lang, 1)))
    else:
        parts.append(_not_measured("services", lang))
    if "ikm" in x:
        if _small(x["n_skm"]):
            parts.append(t("region.too_few", lang, n=x["n_skm"], what=t("region.what.skm", lang)))
        else:
            parts.append(t("region.results_ikm", lang, p0=_period(x["ikm_period_first"], lang),
                           p1=_period(x["ikm_period_last"], lang),
                           ikm0=_num(x["ikm_first"], lang, 2), ikm1=_num(x["ikm_last"], lang, 2),
                           mutu=t(f"ikm_mutu.{x['ikm_mutu']}", lang), n=x["n_skm"]))
            u = x["ikm_by_unit"].rename(columns={"n_respondents": "n"})
            u = suppress_small_cells(u[["unit", "n", "ikm", "mutu"]], value_cols=["ikm", "mutu"])
            parts.append(f"**{t('region.table.ikm_by_unit', lang, period=_period(x['ikm_period_last'], lang))}**\n\n"
                         + _table(u, [("unit", "axis.unit", None),
                                      ("n", "region.col.respondents", lambda v: _num(v, lang, 0)),
                                      ("ikm", "axis.ikm", lambda v: _num(v, lang, 2)),
                                      ("mutu", "region.col.mutu", lambda v: t(f"ikm_mutu.{v}", lang))], lang)
                         + _suppressed_note(u, lang))
            if x.get("units_below_sample_min"):
                parts.append(t("region.results_sample", lang, units=x["units_below_sample_min"]))
    else:
        parts.append(_not_measured("skm", lang))
    parts.append(_targets_text(F, lang))
    return _p(*parts)
