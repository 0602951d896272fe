"""Small formatting helpers shared by the section modules (numbers, shares, Markdown tables)."""

from __future__ import annotations

import pandas as pd

from evalkit.report.context import text_of
from evalkit.report.region._base import _SMALL, MEASUREMENT
from evalkit.report.text import (
    MISSING,
    describe_effect,
    describe_share,
    format_ci,
    format_number,
    format_percent,
    format_period,
    t,
)


# ------------------------------------------------------------------------------------------- text utilities
def _pct(x, lang, d=0) -> str:
    return format_percent(x, lang, d)


def _num(x, lang, d=1) -> str:
    return format_number(x, lang, d)


def _ci(est, ci, lang, d=1) -> str:
    return format_ci(est, ci[0], ci[1], lang, d)


def _pp_ci(est, ci, lang, d=0) -> str:
    """A share difference in percentage points with its CI: "-49 poin persentase (IK 95%: -61 sampai -38)"."""
    if pd.isna(est):
        return MISSING
    est_txt = f"{format_number(100 * est, lang, d)} {t('unit.pp', lang)}"
    if pd.isna(ci[0]) or pd.isna(ci[1]):
        return est_txt
    return t("fmt.ci", lang, est=est_txt, interval=t("fmt.ci_interval", lang, level="95%",
                                                      lo=format_number(100 * ci[0], lang, d),
                                                      hi=format_number(100 * ci[1], lang, d)))


def _mode(m: str, lang: str) -> str:
    try:
        return t(f"mode.{m}", lang)
    except KeyError:
        return str(m)


def _h(key: str, lang: str, level: int = 2) -> str:
    return "#" * level + " " + t(key, lang)


def _table(df: pd.DataFrame, columns: list[tuple[str, str, object]], lang: str) -> str:
    """A Markdown table: columns as (column, strings.json key of the header, formatter(value) -> str)."""
    head = "| " + " | ".join(t(k, lang) for _, k, _ in columns) + " |"
    sep = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|"
    body = []
    for _, r in df.iterrows():
        cells = []
        for col, _, fmt in columns:
            v = r[col] if col in r.index else None
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append(MISSING)
            else:
                cells.append(fmt(v) if fmt else str(v))
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, sep, *body])


def _suppressed_note(df: pd.DataFrame, lang: str) -> str:
    if "suppressed" in df.columns and df["suppressed"].any():
        return "\n\n" + t("region.suppressed_note", lang, threshold=_SMALL)
    return ""


def _p(*parts: str) -> str:
    """Join non-empty parts as paragraphs. Indonesian intervals read "SK 95%" (selang kepercayaan, written out
    once in the summary) rather than the shared formatter's "IK 95%"."""
    return "\n\n".join(p for p in parts if p).replace("(IK 95%:", "(SK 95%:").replace("; IK 95%:", "; SK 95%:")


# ------------------------------------------------------------------------------------------- sections
def _small(n) -> bool:
    return n is None or pd.isna(n) or int(n) < _SMALL


def _share_or_count(share, n, lang, d=0) -> str:
    """A share as a percentage, or as a count "k dari n" when it rests on fewer than ``_SMALL`` people/texts."""
    if pd.isna(share) or n is None or pd.isna(n) or int(n) == 0:
        return MISSING
    if int(n) < _SMALL:
        return t("region.count_of", lang, k=int(round(float(share) * int(n))), n=int(n))
    return _pct(share, lang, d)


def _share_sentence(key: str, share, k, n, lang: str, **values) -> str:
    """:func:`describe_share`, or a count sentence when ``n`` is under the small-cell threshold."""
    if _small(n):
        return t("region.share_small", lang, what=t(f"region.what.{key}", lang), k=int(k or 0), n=int(n or 0))
    return describe_share(key, share, lang, n=int(k), total=int(n), **values)


def _not_measured(table: str, lang: str) -> str:
    level, prefix, columns, instrument = MEASUREMENT[table]
    return t(f"region.not_measured.{table}", lang) + " " + t(
        "region.how_to_measure", lang, file=f"`{prefix}*.xlsx`/`{prefix}*.csv`", columns=columns,
        instrument=t(f"region.instrument.{table}", lang, name=instrument))


def _ctx_text(F: dict, key: str, lang: str) -> str | None:
    return text_of(F["context"].get(key), lang, F["region"])


def _period(p, lang: str) -> str:
    return format_period(p, lang)


def _effect_sentence(e: dict, lang: str, better: str | None = None) -> str:
    return describe_effect(e["outcome"], e["estimate"], e["ci_low"], e["ci_high"], lang, unit_key=e["unit"],
                           better=better or e.get("better", "higher"))


def _p_text(p: float, lang: str) -> str:
    if pd.isna(p):
        return MISSING
    if p < 0.001:
        return "< " + format_number(0.001, lang, 3)
    return format_number(p, lang, 3 if p < 0.1 else 2)


def _boot_of(F: dict) -> dict | None:
    rq = F["impact"]["performance"].get("report_quality")
    return rq["twfe"].get("boot") if rq else None


def _robust_clause(F: dict, lang: str) -> str:
    """" (but with only G OPD the evidence is not yet firm)" when the few-OPD bootstrap test does not confirm."""
    rq = F["impact"]["performance"].get("report_quality")
    b = _boot_of(F)
    if not rq or not b or pd.isna(rq["ci_low"]):
        return ""
    clear = rq["ci_low"] > 0 or rq["ci_high"] < 0
    if clear and b["p_value"] >= 0.05:
        return " " + t("region.not_robust", lang, g=b["n_clusters"], p=_p_text(b["p_value"], lang))
    return ""


def _findings_for_rules(F: dict) -> dict:
    return dict(F["findings"])
