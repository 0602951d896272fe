"""The sections on impact, the focus story, challenges, recommendations, conclusion and the method appendix
(with the glossary)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.report.context import text_of, translate_quote
from evalkit.report.region._base import (
    _SMALL,
    BOOTSTRAP_B,
    EXPERIENCED_TENURE,
    FEW_CLUSTERS,
    MEASUREMENT,
    WEBB_BELOW,
    _mode_rank,
)
from evalkit.report.region._words import (
    _boot_of,
    _ci,
    _ctx_text,
    _effect_sentence,
    _findings_for_rules,
    _h,
    _mode,
    _not_measured,
    _num,
    _p,
    _p_text,
    _pct,
    _period,
    _pp_ci,
    _share_or_count,
    _small,
    _suppressed_note,
    _table,
)
from evalkit.report.region.findings import _largest_gain_mode
from evalkit.report.region.levels import weakest_level
from evalkit.report.region.sections import _level_share
from evalkit.report.tables import suppress_small_cells
from evalkit.report.text import (
    MISSING,
    barrier_label,
    describe_share,
    format_amount,
    format_ci,
    format_number,
    rank_sentence,
    t,
)


def section_impact(F: dict, lang: str) -> str:
    """Impact estimates with CIs in plain words, uncertainty counted per OPD; or what was not measured."""
    x = F["impact"]
    parts = [_h("section.impact", lang)]
    if not x["measured"] or not x["performance"]:
        parts.append(t("region.impact_not_measured", lang) + " " + _not_measured("performance", lang))
    else:
        perf = x["performance"]
        parts.append(t("region.impact_intro", lang, n_treated=x["n_treated"], n_people=x["n_people"],
                       p0=_period(x["period_first"], lang), p1=_period(x["period_last"], lang)))
        parts.append("\n".join(f"- {_effect_sentence(e, lang)}" for e in perf.values()))
        g = x["n_agencies"]
        b = _boot_of(F)
        unc = t("region.impact_clusters", lang, g=g, g_trained=x["n_agencies_trained"])
        if b:
            unc += " " + t("region.impact_few_clusters", lang, g=g, p=_p_text(b["p_value"], lang))
        parts.append(unc)
        if "report_quality" in perf:
            rq = perf["report_quality"]
            parts.append(t("region.impact_twfe", lang, twfe=_ci(rq["twfe"]["estimate"],
                                                                (rq["twfe"]["ci_low"], rq["twfe"]["ci_high"]), lang)))
        n_off, n_pre = x.get("pretrend_k", 0), x.get("pretrend_n", 0)
        if n_pre:
            parts.append(t("region.impact_event_study", lang) if n_off == 0 else
                         t("region.impact_event_study_pretrend", lang, k=n_off, n=n_pre))
    if x["services"]:
        parts.append(t("region.impact_services_intro", lang, trained=x["n_units_trained"], units=x["n_units"]))
        lines = []
        for e in x["services"].values():
            line = _effect_sentence(e, lang, better="lower")
            if e.get("boot"):
                line += " " + t("region.impact_services_boot", lang, p=_p_text(e["boot"]["p_value"], lang))
            lines.append(f"- {line}")
        parts.append("\n".join(lines))
        if min(e["n_units"] for e in x["services"].values()) < 10:
            parts.append(t("region.impact_services_caveat", lang, units=x["n_units"]))
    return _p(*parts)


def _mode_table(F: dict, lang: str) -> str:
    """Delivery modes side by side: attendance, learning gain, impact, cost."""
    r, lr, imp, ch = F["reach"], F["learning"], F["impact"], F["challenges"]
    lbm = lr["by_mode"] if lr else pd.DataFrame(columns=["mode", "n", "estimate", "ci_low", "ci_high"])
    lbm = lbm.assign(estimate=lbm["estimate"].where(lbm["n"] >= _SMALL))
    m = r["by_mode"][["mode", "n", "attendance_rate"]].merge(
        lbm[["mode", "estimate", "ci_low", "ci_high"]].rename(
            columns={"estimate": "gain", "ci_low": "g_lo", "ci_high": "g_hi"}), on="mode", how="outer")
    m = m.merge(imp["by_mode"][["mode", "n_treated", "estimate", "ci_low", "ci_high"]], on="mode", how="left")
    ce = ch["cost_effectiveness"]
    ce_cols = [c for c in ("mode", "n_completed", "cost_per_completed", "cost_per_point") if c in ce.columns]
    m = m.merge(ce[ce_cols], on="mode", how="left")
    for c in ("n_completed", "cost_per_completed", "cost_per_point"):
        if c not in m.columns:
            m[c] = np.nan
    small_c = m["n_completed"].isna() | (m["n_completed"] < _SMALL)
    m.loc[small_c, ["cost_per_completed", "cost_per_point"]] = np.nan
    m = m.sort_values("mode", key=lambda c: c.map(_mode_rank)).reset_index(drop=True)
    m = suppress_small_cells(m, n_col=["n"], value_cols=["attendance_rate"])
    m["gain_txt"] = [format_ci(e, lo, hi, lang, 1) for e, lo, hi in zip(m["gain"], m["g_lo"], m["g_hi"])]
    m["impact_txt"] = [format_ci(e, lo, hi, lang, 1) if not pd.isna(e) else MISSING
                       for e, lo, hi in zip(m["estimate"], m["ci_low"], m["ci_high"])]
    return _table(m, [("mode", "region.col.mode", lambda v: _mode(v, lang)),
                      ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang)),
                      ("gain_txt", "region.col.gain_ci", None),
                      ("impact_txt", "region.col.impact_ci", None),
                      ("cost_per_completed", "region.col.cost_per_completed", lambda v: format_amount(v, lang)),
                      ("cost_per_point", "region.col.cost_per_point", lambda v: format_amount(v, lang))], lang) \
        + _suppressed_note(m, lang)


def _cost_effective_text(F: dict, lang: str) -> str:
    """The most cost-effective mode with its ratio, naming numerator and denominator (as in the mode table)."""
    ch = F["challenges"]
    best = ch["most_cost_effective_mode"]
    if not best:
        return ""
    row = ch["cost_effectiveness"].set_index("mode").loc[best]
    return t("region.spot_cost_effective", lang, mode=_mode(best, lang),
             per_point=format_amount(row["cost_per_point"], lang),
             per_completed=format_amount(row["cost_per_completed"], lang))


def section_spotlight(F: dict, lang: str) -> str:
    """The region's focus (:func:`choose_spotlight`), told with its numbers."""
    kind, ch, r, imp, res = F["spotlight"], F["challenges"], F["reach"], F["impact"], F["results"]
    if kind is None:
        return ""
    bars = ch["ames"].set_index("term") if len(ch["ames"]) else pd.DataFrame()
    title = t(f"spotlight.{kind}.title", lang)
    if kind == "barrier" and ch["strongest_barrier"]:
        title = t("spotlight.barrier.title", lang) + ": " + barrier_label(ch["strongest_barrier"], lang)
    parts = [f"## {t('region.spotlight', lang)}: {title}"]

    def barrier_text(b: str) -> str:
        if b not in bars.index:
            return ""
        row = bars.loc[b]
        n_inv = r["n_invited"]
        n_with = int(row["n_citing"])
        return t("region.spot_barrier", lang, barrier=barrier_label(b, lang),
                 share=_share_or_count(row["share_citing"], n_inv, lang),
                 with_=_share_or_count(row["attend_with"], n_with, lang),
                 without=_share_or_count(row["attend_without"], n_inv - n_with, lang),
                 ame=_pp_ci(row["estimate"], (row["ci_low"], row["ci_high"]), lang))

    def theme_text(theme: str) -> str:
        if not ch["n_interviews"]:
            return ""
        sh = ch["themes"].set_index("theme")["share"].get(theme) if len(ch["themes"]) else None
        if sh is None or pd.isna(sh):
            return ""
        return t("region.spot_theme", lang, theme=t(f"theme.{theme}", lang),
                 share=_share_or_count(sh, ch["n_interviews"], lang), n=ch["n_interviews"])

    theme_of = {"barrier_time": "time_conflict", "barrier_relevance": "relevance",
                "barrier_motivation": "motivation", "barrier_experienced": "resistance"}
    sb = ch["strongest_barrier"]
    if kind == "budget":
        parts.append(t("spotlight.budget.numbers", lang, n_programmes=r["n_programmes"],
                       per_1000=_num(ch["programmes_per_1000"], lang, 1),
                       per_1000_ref=_num(ch["programmes_per_1000_reference"], lang, 1),
                       budget=format_amount(ch["budget_per_employee"], lang),
                       budget_ref=format_amount(ch["budget_per_employee_reference"], lang),
                       invited=_share_or_count(r["invited_share_of_staff"], r["n_staff"], lang)))
        if sb:
            parts += [barrier_text(sb), theme_text(theme_of[sb])]
        parts.append(theme_text("budget"))
    elif kind == "barrier":
        if sb:
            parts += [t("spotlight.barrier.numbers", lang, barrier=barrier_label(sb, lang)), barrier_text(sb),
                      theme_text(theme_of[sb])]
        perf = [y for y in ("report_quality", "on_time_share") if y in imp["performance"]]
        if perf:
            parts += [t("spotlight.barrier.results", lang),
                      "\n".join(f"- {_effect_sentence(imp['performance'][y], lang)}" for y in perf)]
    elif kind == "services":
        w = imp["services"].get("wait_minutes")
        if "trend" in res:
            parts.append(t("spotlight.services.numbers", lang, w0=_num(res.get("wait_first"), lang, 1),
                           w1=_num(res.get("wait_last"), lang, 1), y0=str(res.get("year_first", "")),
                           y1=str(res.get("year_last", ""))))
        if "ikm" in res and not _small(res.get("n_skm")):
            parts.append(t("spotlight.services.ikm", lang, ikm0=_num(res.get("ikm_first"), lang, 2),
                           ikm1=_num(res.get("ikm_last"), lang, 2),
                           mutu=t(f"ikm_mutu.{res['ikm_mutu']}", lang) if res.get("ikm_mutu") else MISSING))
        if w:
            parts.append(_effect_sentence(w, lang, better="lower"))
        if sb:
            parts += [barrier_text(sb), theme_text(theme_of[sb])]
        parts.append(theme_text("service_improvement"))
        tr = ch["themes_by_role"]
        cit = tr[(tr["role"] == "masyarakat") & (tr["theme"] == "service_improvement")] if len(tr) else tr
        if len(cit) and not pd.isna(cit["share"].iloc[0]) and not _small(cit["n"].iloc[0]):
            parts.append(t("spotlight.services.citizens", lang, n=int(cit["n"].iloc[0]),
                           share=_pct(cit["share"].iloc[0], lang)))
    else:  # modes, tenure, practice: delivery modes compared
        key = f"spotlight.{kind}.numbers"
        if kind == "practice" and _largest_gain_mode(F) != "simulasi":
            key = "spotlight.practice.numbers_neutral"  # named by the context, not shown by the data
        parts.append(t(key, lang))
        parts.append(f"**{t('region.table.modes', lang)}**\n\n" + _mode_table(F, lang))
        parts.append(_cost_effective_text(F, lang))
        if kind == "tenure":
            parts.append(barrier_text("barrier_experienced"))
            tb = imp["by_tenure"].set_index("band")
            if {"junior", "experienced"} <= set(tb.index):
                parts.append(t("region.spot_tenure", lang, years=EXPERIENCED_TENURE,
                               junior=_ci(tb.loc["junior", "estimate"],
                                          (tb.loc["junior", "ci_low"], tb.loc["junior", "ci_high"]), lang),
                               senior=_ci(tb.loc["experienced", "estimate"],
                                          (tb.loc["experienced", "ci_low"], tb.loc["experienced", "ci_high"]), lang)))
            parts.append(theme_text("resistance"))
        elif kind == "practice" and F["behaviour"] is not None and F["reaction"] is not None:
            selfm = F["behaviour"]["by_role"].set_index("role").loc["self"]
            if not _small(selfm["n"]) and not _small(ch["n_interviews"]):
                parts.append(t("spotlight.practice.confidence", lang, self_mean=_num(selfm["mean"], lang, 2),
                               agree=_share_or_count(F["reaction"]["agree_share"], F["reaction"]["n"], lang),
                               mentions=_share_or_count(ch["confidence_mentions"], ch["n_interviews"], lang),
                               n=ch["n_interviews"]))
            parts.append(barrier_text(sb) if sb else "")
    duk = imp.get("focus_unit")
    if duk:
        parts.append(t("spotlight.focus_unit", lang, unit=duk["unit_name"], before=_num(duk["before"], lang, 1),
                       after=_num(duk["after"], lang, 1)) + " " + _effect_sentence(duk, lang))
    return _p(*parts)


def section_challenges(F: dict, lang: str) -> str:
    """Tantangan: barriers ranked by their effect on attendance, budget, interview themes."""
    ch = F["challenges"]
    parts = [_h("section.challenges", lang)]
    if ch["strongest_barrier"]:
        parts.append(rank_sentence(dict(zip(ch["ames"]["term"], ch["ames"]["estimate"])), lang, measure="ame")
                     + " " + t("region.challenge_ci", lang, lo=_num(min(abs(v) for v in ch["strongest_ci"]) * 100,
                                                                   lang, 0),
                               hi=_num(max(abs(v) for v in ch["strongest_ci"]) * 100, lang, 0)))
    if len(ch["ames"]):
        tab = ch["ames"].rename(columns={"n_citing": "n"})
        tab = suppress_small_cells(tab[["term", "n", "share_citing", "estimate", "ci_low", "ci_high"]],
                                   value_cols=["share_citing"])
        tab["ame_txt"] = [format_ci(100 * e, 100 * lo, 100 * hi, lang, 1) for e, lo, hi in
                          zip(tab["estimate"], tab["ci_low"], tab["ci_high"])]
        th = (ch["themes"].set_index("theme")["share"] if len(ch["themes"]) and not _small(ch["n_interviews"])
              else pd.Series(dtype=float))
        theme_of = {"barrier_time": "time_conflict", "barrier_relevance": "relevance",
                    "barrier_motivation": "motivation", "barrier_experienced": "resistance"}
        tab["theme_share"] = [th.get(theme_of[b], np.nan) for b in tab["term"]]
        parts.append(f"**{t('region.table.barriers', lang)}**\n\n" + _table(
            tab, [("term", "region.col.barrier", lambda v: barrier_label(v, lang)),
                  ("share_citing", "region.col.share_citing", lambda v: _pct(v, lang)),
                  ("ame_txt", "region.col.ame", None),
                  ("theme_share", "region.col.theme_share", lambda v: _pct(v, lang))], lang)
            + _suppressed_note(tab, lang))
    if not ch["strongest_barrier"] and not len(ch["ames"]):
        parts.append(t("region.not_measured.barriers", lang))
    if ch["has_budget"]:
        parts.append(t("region.challenge_budget", lang, total=format_amount(ch["cost_total"], lang),
                       per_completed=format_amount(ch["cost_per_completed"], lang),
                       per_jp=format_amount(ch["cost_per_jp"], lang),
                       per_employee=format_amount(ch["budget_per_employee"], lang),
                       per_employee_ref=format_amount(ch["budget_per_employee_reference"], lang)))
        if not pd.isna(ch["budget_realisation"]):
            parts.append(describe_share("budget_realisation", ch["budget_realisation"], lang))
    elif pd.isna(ch["cost_total"]):
        parts.append(t("region.not_measured.costs", lang) + " " + _not_measured("budgets", lang))
    else:
        parts.append(t("region.challenge_cost_programmes", lang,
                       total=format_amount(ch["cost_total"], lang),
                       per_completed=format_amount(ch["cost_per_completed"], lang)) + " "
                     + _not_measured("budgets", lang))
    if ch.get("jp_rule"):
        parts.append(_jp_rule_text(ch["jp_rule"], lang))
    if not ch["n_interviews"]:
        parts.append(_not_measured("interviews", lang))
    elif _small(ch["n_interviews"]):
        parts.append(t("region.challenge_theme_small", lang, n=ch["n_interviews"]))
    elif ch["top_theme"]:
        parts.append(t("region.challenge_theme", lang, theme=t(f"theme.{ch['top_theme']}", lang),
                       share=_pct(ch["top_theme_share"], lang), n=ch["n_interviews"],
                       budget_share=_pct(ch["budget_theme_share"], lang)))
        if ch["quotes"]:
            parts.append(_quotes(ch["quotes"], F["context"].get("translations"), lang))
    return _p(*parts)


def _quotes(quotes: list[str], translations, lang: str) -> str:
    """Quotes as block quotes; in English, translated (original beside it) where the context file translates
    every sentence, else the original with a note that it is in Indonesian."""
    if lang == "id":
        return "\n\n".join(f"> «{q}»" for q in quotes)
    blocks, untranslated = [], False
    for q in quotes:
        en = translate_quote(q, translations)
        if en:
            blocks.append(f"> «{en}»\n>\n> *{t('region.quote_original', lang)}: «{q}»*")
        else:
            blocks.append(f"> «{q}»")
            untranslated = True
    return "\n\n".join(blocks) + ("\n\n" + t("region.quote_note", lang) if untranslated else "")


def _jp_rule_text(jr: dict, lang: str) -> str:
    """The 20 JP scenario: one sentence on the observed mix (or the one mode) and the table by mode."""
    tab = jr["table"]
    row = tab.iloc[-1]  # the observed mix when there are several modes
    parts = [t("region.jp_rule_all", lang, target=jr["target"], n_staff=format_number(jr["n_staff"], lang, 0),
               cost=format_amount(row["cost_all_rp"], lang), per_jp=format_amount(row["cost_per_jp"], lang))]
    if not pd.isna(row["jp_gap"]):
        parts.append(t("region.jp_rule_gap", lang, year=str(jr["jp_year"]),
                       jp=format_number(row["jp_gap"], lang, 0), cost=format_amount(row["cost_gap_rp"], lang)))
    if not pd.isna(jr["budget"]):
        parts.append(t("region.jp_rule_budget", lang, year=str(jr["budget_year"]),
                       budget=format_amount(jr["budget"], lang), times=format_number(row["times_budget_all"], lang, 1)))
    label = {"observed_mix": t("region.jp_rule_mix", lang)}
    cols = [("scenario", "region.col.jp_scenario", lambda v: label.get(v) or _mode(v, lang)),
            ("cost_per_jp", "region.col.cost_per_jp", lambda v: format_amount(v, lang)),
            ("cost_all_rp", "region.col.jp_cost_all", lambda v: format_amount(v, lang))]
    if tab["jp_gap"].notna().any():
        cols.append(("cost_gap_rp", "region.col.jp_cost_gap", lambda v: format_amount(v, lang)))
    if tab["times_budget_all"].notna().any():
        cols.append(("times_budget_all", "region.col.jp_times_budget", lambda v: format_number(v, lang, 1) + "×"))
    title = t("region.table.jp_rule", lang, target=jr["target"])
    return (" ".join(parts) + f"\n\n**{title}**\n\n" + _table(tab, cols, lang) + "\n\n"
            + t("region.jp_rule_note", lang))


def section_recommendations(F: dict, lang: str) -> str:
    """Rekomendasi: the rules of :mod:`evalkit.report.recommend` that fire, in priority order."""
    from evalkit.report.recommend import REGION_RULES, action_plan, recommend

    rec = recommend(_findings_for_rules(F), lang, rules=REGION_RULES)
    lines = [f"{i}. {row.text} *({t('region.priority', lang, p=int(row.priority))})*"
             for i, row in enumerate(rec.itertuples(), start=1)]
    for n in ("reaction", "tests", "followup", "performance"):
        if not F["measured"][n]:
            lines.append(f"{len(lines) + 1}. " + t("region.rec_measure", lang, what=t(f"region.what.{n}", lang),
                                                   level=MEASUREMENT[n][0]))
    plan = ""
    if len(rec):
        acts = action_plan(rec, lang, F["context"].get("actions"))
        head = "| " + " | ".join(t(f"region.actions.col.{c}", lang) for c in ("no", "owner", "timeframe", "cost",
                                                                             "priority")) + " |"
        body = [f"| {i} | {a.owner} | {a.timeframe} | {a.cost} | {int(a.priority)} |"
                for i, a in enumerate(acts.itertuples(), start=1)]
        plan = _p(f"**{t('region.actions.title', lang)}**", "\n".join([head, "|---:|---|---|---|---:|", *body]),
                  f"*{t('region.actions.note', lang)}*")
    return _p(_h("section.recommendations", lang), t("region.rec_intro", lang),
              "\n".join(lines) if lines else t("region.rec_none", lang), plan)


def section_conclusion(F: dict, lang: str) -> str:
    """Kesimpulan: the impact (with the body's caveats), the weakest link and the main barrier."""
    imp_all = F["impact"]
    imp = imp_all["performance"].get("report_quality")
    ch = F["challenges"]
    wl = weakest_level(F["levels"])
    parts = [_h("section.conclusion", lang)]
    if imp:
        clear = not pd.isna(imp["ci_low"]) and imp["ci_low"] > 0
        b = _boot_of(F)
        robust = clear and (b is None or b["p_value"] < 0.05)
        key = ("region.conclusion_impact" if robust else
               "region.conclusion_impact_fragile" if clear else "region.conclusion_impact_unclear")
        text = t(key, lang, region=F["region"], g=imp_all["n_agencies"],
                 p=_p_text(b["p_value"], lang) if b else MISSING) + " " + _effect_sentence(imp, lang)
        if imp_all.get("pretrend_k"):
            text += " " + t("region.conclusion_pretrend", lang, k=imp_all["pretrend_k"], n=imp_all["pretrend_n"])
        parts.append(text)
    else:
        parts.append(t("region.conclusion_no_impact", lang))
    if wl:
        parts.append(t("region.conclusion_weakest", lang, level=t(f"level.{wl}", lang),
                       share=_level_share(F, wl, lang)))
    if ch["strongest_barrier"]:
        parts.append(t("region.conclusion_barrier", lang, barrier=barrier_label(ch["strongest_barrier"], lang)))
    remark = _ctx_text(F, "conclusion", lang)
    if remark:
        issuer = text_of(F["context"].get("issuer"), lang, F["region"])
        parts.append(t("region.conclusion_remark", lang, remark=remark) if not issuer else
                     t("region.conclusion_remark_by", lang, remark=remark, issuer=issuer))
    return _p(*parts)


def section_appendix(F: dict, lang: str) -> str:
    """Lampiran Metode: data, estimators, conventions, small-cell suppression."""
    c, imp = F["counts"], F["impact"]
    data = t("region.appendix.data", lang, n_staff=c["n_staff"], n_programmes=c["n_programmes"],
             n_invited=c["n_invited"], n_reaction=c["n_reaction"], n_tests=c["n_tests"], n_followup=c["n_followup"],
             n_performance=c["n_performance"], n_units=c["n_service_units"], n_skm=c["n_skm"],
             n_interviews=c["n_interviews"], n_budget=c["n_budget_rows"])
    used = {"l1": F["reaction"] is not None, "l2": F["learning"] is not None, "l3": F["behaviour"] is not None,
            "l4": bool(F["measured"]["services"] or F["measured"]["skm"]), "did": bool(imp["measured"]),
            "services": bool(imp["services"]), "barriers": bool(len(F["challenges"]["ames"])),
            "costs": not pd.isna(F["challenges"]["cost_total"]), "qual": bool(c["n_interviews"]), "levels": True}
    items = [t(f"region.appendix.{k}", lang) for k, on in used.items() if on]
    rq = imp["performance"].get("report_quality")
    if rq:
        tw = rq["twfe"]
        items.insert(5, t("region.appendix.inference", lang, g=imp["n_agencies"], few=FEW_CLUSTERS,
                          p_crv=_p_text(tw["p_value"], lang), p_boot=_p_text(tw.get("p_boot"), lang),
                          B=BOOTSTRAP_B, webb=WEBB_BELOW))
    conv = t("region.appendix.conventions", lang, jp_minutes=config.JP_MINUTES, jp_target=config.JP_TARGET_PER_YEAR,
             threshold=_SMALL)
    note_txt = (t("region.appendix.balanced", lang, n_used=imp.get("n_used", 0), n_people=imp["n_people"])
                if imp["measured"] else "")
    return _p(_h("section.methods_appendix", lang), f"**{t('region.appendix.data_title', lang)}** " + data,
              f"**{t('region.appendix.estimators_title', lang)}**", "\n".join(f"- {x}" for x in items),
              f"**{t('region.appendix.conventions_title', lang)}** " + conv,
              f"**{t('region.appendix.notes_title', lang)}** " + note_txt if note_txt else "",
              glossary(lang))


#: The report's glossary (Daftar Istilah): term as printed -> strings.json key of its meaning.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("ASN", "asn"), ("BKPSDM", "bkpsdm"), ("OPD", "opd"), ("JP", "jp"), ("SKP", "skp"), ("SKM / IKM", "skm_ikm"),
    ("NIP", "nip"), ("L1-L4", "l1_l4"), ("SK 95%", "sk_95"), ("Pagu / realisasi", "pagu_realisasi"),
    ("RKPD / KUA-PPAS", "rkpd_kua_ppas"), ("TAPD", "tapd"), ("Bappeda / BPKAD", "bappeda_bpkad"))


def glossary(lang: str) -> str:
    """Daftar Istilah: the Indonesian terms and abbreviations the report uses, explained (English pages gloss
    each Indonesian term in English)."""
    rows = "\n".join(f"| {term} | {t('glossary.term.' + key, lang)} |" for term, key in GLOSSARY)
    return (f"**{t('glossary.title', lang)}**\n\n| {t('glossary.col.term', lang)} | "
            f"{t('glossary.col.meaning', lang)} |\n|---|---|\n" + rows)
