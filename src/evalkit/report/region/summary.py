"""The report's opening: title block with the key-indicator table, background and methods."""

from __future__ import annotations

import pandas as pd

from evalkit.report.context import TARGET_INDICATORS, text_of
from evalkit.report.region._base import MEASUREMENT
from evalkit.report.region._words import (
    _ctx_text,
    _effect_sentence,
    _findings_for_rules,
    _h,
    _num,
    _p,
    _pct,
    _period,
    _robust_clause,
    _share_or_count,
    _share_sentence,
)
from evalkit.report.region.findings import key_indicators
from evalkit.report.text import (
    MISSING,
    describe_change,
    rank_sentence,
    t,
)


def title_block(F: dict, lang: str) -> str:
    """Report title, who issues it, the synthetic-data notice (only when the context says so), a summary."""
    r, lr, ch = F["reach"], F["learning"], F["challenges"]
    imp = F["impact"]["performance"].get("report_quality")
    bullets = [_share_sentence("attendance_list" if r.get("base") == "listed" else "attendance", r["attendance_rate"],
                               r["n_attended"], r["n_invited"], lang)] if r.get("measured") else []
    if lr:
        bullets.append(describe_change("test_score", lr["pre"], lr["post"], lang, unit_key="points",
                                       ci=lr["gain_ci"]))
    if imp:
        caveat = (" " + t("region.conclusion_pretrend", lang, k=F["impact"]["pretrend_k"], n=F["impact"]["pretrend_n"])
                  if F["impact"].get("pretrend_k") else "")
        bullets.append(_effect_sentence(imp, lang) + _robust_clause(F, lang) + caveat)
    if ch["strongest_barrier"]:
        bullets.append(rank_sentence({ch["strongest_barrier"]: ch["strongest_ame"]}, lang, measure="ame"))
    unmeasured = [MEASUREMENT[n][0] for n in ("reaction", "tests", "followup", "performance")
                  if not F["measured"][n]]
    if unmeasured:
        bullets.append(t("region.summary_unmeasured", lang, levels=", ".join(dict.fromkeys(unmeasured))))
    from evalkit.report.recommend import REGION_RULES, recommend

    rec = recommend(_findings_for_rules(F), lang, rules=REGION_RULES)
    if len(rec):
        bullets.append(t("region.summary_first_rec", lang, text=rec["text"].iloc[0]))
    place = t(f"region.level.{F['level']}", lang) if F["level"] in ("kabupaten", "kota", "provinsi",
                                                                     "kecamatan") else ""
    subtitle = ", ".join(x for x in (place, F["province"]) if x)
    issuer = text_of(F["context"].get("issuer"), lang, F["region"])
    return _p(f"# {t('report.title', lang, region=F['region'])}",
              f"*{subtitle}*" if subtitle else "",
              t("region.issued_by", lang, issuer=issuer) if issuer else "",
              f"> {t('report.synthetic_notice', lang)}" if F["context"].get("synthetic") else "",
              _h("section.summary", lang),
              "\n".join(f"- {b}" for b in bullets),
              section_key_indicators(F, lang),
              f"*{t('region.ci_note', lang)}*")


def _indicator_value(ind: str, v, lang: str, n=None) -> str:
    if v is None or pd.isna(v):
        return MISSING
    unit = TARGET_INDICATORS[ind][1]
    if unit == "share":
        return _share_or_count(v, n, lang) if n is not None and not pd.isna(n) else _pct(v, lang)
    if ind == "ikm":
        return _num(v, lang, 2)
    return _num(v, lang, 1) + (" " + t(f"unit.{unit}", lang) if unit in ("minutes", "days") else "")


def section_key_indicators(F: dict, lang: str) -> str:
    """The summary's at-a-glance table: Indikator | Target | Capaian | Status | Tren (:func:`key_indicators`)."""
    k = key_indicators(F)
    if k.empty:
        return ""
    lines = ["| " + " | ".join(t(f"region.dash.col.{c}", lang) for c in ("indicator", "target", "actual", "status",
                                                                          "trend")) + " |",
             "|---|---:|---:|---|---|"]
    sources = []
    for row in k.itertuples():
        trend = MISSING
        if not pd.isna(row.trend_first) and not pd.isna(row.trend_last):
            a, b = float(row.trend_first), float(row.trend_last)
            scale = 100 if TARGET_INDICATORS[row.indicator][1] == "share" else 1
            same = round(a * scale, 1) == round(b * scale, 1)
            direction = "flat" if same else ("up" if b > a else "down")
            trend = t(f"region.dash.trend.{direction}", lang,
                      first=_period(row.period_first, lang) if "S" in str(row.period_first) else row.period_first,
                      last=_period(row.period_last, lang) if "S" in str(row.period_last) else row.period_last)
        target = _indicator_value(row.indicator, row.target, lang)
        if isinstance(row.source, str):
            sources.append(row.source)
        lines.append(f"| {t(f'region.indicator.{row.indicator}', lang)} | {target} | "
                     f"{_indicator_value(row.indicator, row.actual, lang, row.n)} | "
                     f"{t(f'region.dash.status.{row.status}', lang)} | {trend} |")
    src = "; ".join(t(f"region.dash.source.{s}", lang) for s in dict.fromkeys(sources))
    return _p(f"**{t('region.dash.title', lang)}**", "\n".join(lines),
              f"*{t('region.dash.note', lang, sources=src or MISSING)}*")


def section_background(F: dict, lang: str) -> str:
    """Latar Belakang and Tujuan: the context file's texts when given, else what the data say, with its size."""
    r, imp = F["reach"], F["impact"]
    bg = _ctx_text(F, "background", lang)
    aims = _ctx_text(F, "aims", lang)
    if not r["n_staff"]:
        size = t("region.background_numbers_list", lang, region=F["region"], n_programmes=r["n_programmes"],
                 n_listed=r["n_invited"])
    elif imp["measured"]:
        size = t("region.background_numbers", lang, region=F["region"], n_staff=r["n_staff"],
                 n_programmes=r["n_programmes"], n_invited=r["n_invited"],
                 period_first=_period(imp["period_first"], lang), period_last=_period(imp["period_last"], lang))
    else:
        size = t("region.background_numbers_short", lang, region=F["region"], n_staff=r["n_staff"],
                 n_programmes=r["n_programmes"], n_invited=r["n_invited"])
    topics = ""
    prog = F["reach"].get("topics") or []
    if prog:
        topics = t("region.background_topics", lang, topics=", ".join(prog))
    return _p(_h("section.background", lang),
              bg or t("region.background_default", lang, region=F["region"]),
              size, topics,
              _h("section.objectives", lang),
              aims or t("region.objectives_default", lang),
              t("region.objectives_common", lang))


def section_methods(F: dict, lang: str) -> str:
    """Metodologi: data and designs in plain words (details in the appendix)."""
    c, imp = F["counts"], F["impact"]
    items = [t("region.methods.l1", lang, n=c["n_reaction"]) if F["measured"]["reaction"] else
             t("region.methods.missing", lang, what=t("section.reaction", lang)),
             t("region.methods.l2", lang, n=c["n_tests"]) if F["measured"]["tests"] else
             t("region.methods.missing", lang, what=t("section.learning", lang)),
             t("region.methods.l3", lang, n=c["n_followup"]) if F["measured"]["followup"] else
             t("region.methods.missing", lang, what=t("section.behaviour", lang)),
             t("region.methods.l4", lang, units=c["n_service_units"], n_skm=c["n_skm"])
             if (F["measured"]["services"] or F["measured"]["skm"]) else
             t("region.methods.missing", lang, what=t("section.results", lang)),
             t("region.methods.impact", lang, n_people=imp["n_people"], n_treated=imp["n_treated"],
               n_agencies=imp["n_agencies"]) if imp["measured"] else
             t("region.methods.missing", lang, what=t("region.what.performance", lang)),
             t("region.methods.qual", lang, n=c["n_interviews"]) if c["n_interviews"] else
             t("region.methods.missing", lang, what=t("region.what.interviews", lang))]
    intro = "region.methods.intro_synthetic" if F["context"].get("synthetic") else "region.methods.intro"
    return _p(_h("section.methods", lang), t(intro, lang),
              "\n".join(f"- {x}" for x in items))
