"""Recommendations from a region's findings, by explicit rules.

:func:`recommend` takes a flat dict of findings that the region report fills from its numbers and returns
one row per rule that fires. Each rule is a row of :data:`RULES`: an id, a priority, the findings it needs,
a condition, and a ``rec.*`` text template in ``strings.json`` (Indonesian and English). The rules follow
the recommendations of the five seed evaluations (``shared/seeds``): flexible scheduling when time
conflicts keep staff away (Batanghari), showing the benefits and linking training to careers when
motivation is low (Mamuju, Bukittinggi), a training-needs analysis and duty-related modules when the
material feels irrelevant (DKI Jakarta, Ampenan), senior staff as mentors when experienced staff resist
(DKI Jakarta), socialisation when participation is low (Batanghari, Ampenan), post-training monitoring
(Mamuju).

Findings (all optional; a rule whose findings are missing, None or NaN is skipped, without error)
-------------------------------------------------------------------------------------------------
==============================  =========================================================================
key                             meaning
==============================  =========================================================================
``region``                      region name (not used by the rules; kept for the caller)
``attendance_rate``             share of invited staff who attended, in [0, 1]
``strongest_barrier``           barrier with the largest effect or share (``barrier_time``, ``time``, ...)
``strongest_barrier_ame``       its average marginal effect on attendance (evidence only)
``top_interview_theme``         most frequent interview theme (``time_conflict``, ``low_motivation``,
                                ``irrelevance``, ``already_experienced``)
``jp_compliance``               share of ASN with at least 20 JP in the year, in [0, 1]
``weakest_level``               weakest Kirkpatrick level, ``"L1"`` ... ``"L4"``
``self_supervisor_gap``         mean self rating minus mean supervisor rating (L3, 5-point scale)
``reaction_agree_share``        share of participants agreeing (4-5) on the overall reaction item
``learning_gain``, ``learning_gain_ci``  mean post - pre test score and its CI (low, high)
``impact_estimate``, ``impact_ci``       headline impact estimate and its CI (low, high)
``impact_outcome``              ``outcome.*`` key of that estimate (default ``"performance"``)
``impact_better``               ``"higher"`` (default) or ``"lower"``: which direction is an improvement
``impact_decimals``             decimals for the impact estimate in the text (default 1)
``ikm``, ``ikm_mutu``           IKM (25-100) and its grade A-D
``units_below_sample_min``      number of service units whose SKM sample is below Krejcie-Morgan
``most_cost_effective_mode``    delivery mode with the best cost-effectiveness (``"e-learning"``)
``cost_per_participant_rp``     its cost per completer (rupiah), shown in the text if present
``cost_per_point_rp``           its cost per completer per point of effect on report quality (rupiah): the
                                ratio that makes it the most cost-effective; named in the text if present
``budget_realisation``          realised / allocated budget, in [0, 1]
``budget_per_employee_rp``      training spending per civil servant of the region (rupiah)
``budget_per_employee_reference_rp``  the same in comparison regions (e.g. their median), rupiah
==============================  =========================================================================

Thresholds (module constants; programme-management conventions chosen for evalkit, not regulation,
except the 20 JP target of PP 11/2017 Pasal 203)
------------------------------------------------------------------------------------------------------
* :data:`ATTENDANCE_MIN` = 0.70: attendance below 70% of invited staff -> socialisation.
* :data:`JP_COMPLIANCE_MIN` = 0.80: fewer than 80% of ASN reaching ``config.JP_TARGET_PER_YEAR`` (20) JP ->
  plan to reach 20 JP.
* :data:`SELF_SUPERVISOR_GAP_MAX` = 0.5: self ratings at least half a point (5-point scale) above
  supervisor ratings -> post-training monitoring (also when L3 is the weakest level).
* :data:`REACTION_AGREE_MIN` = 0.70: fewer than 70% positive reactions -> improve delivery.
* :data:`BUDGET_REALISATION_MIN` = 0.80: less than 80% of the budget spent -> review budget planning.
* :data:`BUDGET_PER_EMPLOYEE_MIN_RATIO` = 0.5: training spending per civil servant below half that of the
  comparison regions -> raise the budget or use cheaper modes to reach more staff (Mamuju, Bukittinggi,
  Ampenan seeds: the budget limits how many trainings can be held).
* :data:`IKM_MUTU_LOW` = ("C", "D"): IKM grade C or D -> service-improvement focus (priority 1 for D).
* An impact or learning CI that contains zero (``low <= 0 <= high``) -> "not distinguishable from zero".

Priorities: 1 = act first (participation barriers, transfer to the job, impact), 2 = important
(JP compliance, reaction, learning, service quality, scaling up), 3 = housekeeping (budget, delivery mix,
SKM samples). Within a priority, rules keep the order of :data:`RULES`. Only one recommendation is priority
1: when several priority-1 rules fire, the first in the order of :data:`RULES` stays 1 and the others
become 2 (``recommend(..., single_first=False)`` keeps them all at 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from evalkit import config
from evalkit.report.text import (
    BARRIER_ALIASES,
    _check_lang,
    format_amount,
    format_ci,
    format_number,
    format_percent,
    t,
)

__all__ = [
    "recommend",
    "Rule",
    "RULES",
    "REGION_RULES",
    "ACTIONS",
    "action_plan",
    "BUDGET_PER_EMPLOYEE_RULE",
    "ATTENDANCE_MIN",
    "JP_COMPLIANCE_MIN",
    "SELF_SUPERVISOR_GAP_MAX",
    "REACTION_AGREE_MIN",
    "BUDGET_REALISATION_MIN",
    "BUDGET_PER_EMPLOYEE_MIN_RATIO",
    "IKM_MUTU_LOW",
    "COLUMNS",
]

#: Attendance rate below which socialisation is recommended.
ATTENDANCE_MIN: float = 0.70
#: Share of ASN reaching the yearly JP target below which a JP plan is recommended.
JP_COMPLIANCE_MIN: float = 0.80
#: Self minus supervisor L3 rating (5-point scale) at or above which monitoring is recommended.
SELF_SUPERVISOR_GAP_MAX: float = 0.5
#: Share of positive reactions (agree/strongly agree) below which delivery should improve.
REACTION_AGREE_MIN: float = 0.70
#: Budget realisation below which budget planning should be reviewed.
BUDGET_REALISATION_MIN: float = 0.80
#: Spending per civil servant, as a share of the comparison regions', below which more budget is recommended.
BUDGET_PER_EMPLOYEE_MIN_RATIO: float = 0.5
#: IKM grades that call for a service-improvement focus.
IKM_MUTU_LOW: tuple[str, ...] = ("C", "D")

#: Columns of the returned table.
COLUMNS: list[str] = ["rule_id", "priority", "text", "evidence"]

Findings = Mapping[str, object]


@dataclass(frozen=True)
class Rule:
    """One recommendation rule.

    Attributes
    ----------
    rule_id : str
    priority : int or callable(findings) -> int
        1 = highest.
    needs : tuple of str
        Findings that must all be present (not None/NaN), or the rule is skipped.
    condition : callable(findings) -> bool
        Called only when every finding in ``needs`` is present.
    text : callable(findings, lang) -> (template key, placeholder values)
    evidence : callable(findings) -> str
        Language-neutral statement of the numbers that triggered the rule.
    needs_any : tuple of str
        Alternatively, at least one of these must be present (used with ``needs=()``).
    """

    rule_id: str
    priority: int | Callable[[Findings], int]
    needs: tuple[str, ...]
    condition: Callable[[Findings], bool]
    text: Callable[[Findings, str], tuple[str, dict]]
    evidence: Callable[[Findings], str]
    needs_any: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------------------ helpers
def _present(f: Findings, key: str) -> bool:
    if key not in f or f[key] is None:
        return False
    v = f[key]
    if isinstance(v, (tuple, list)):
        return len(v) == 2 and all(_present({"x": x}, "x") for x in v)
    try:
        return not bool(pd.isna(v))
    except (TypeError, ValueError):
        return True


def _num(v) -> str:
    """Language-neutral number for evidence strings."""
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_num(x) for x in v) + ")"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.4g}"


def _ev(f: Findings, *keys: str, extra: str = "") -> str:
    parts = [f"{k}={_num(f[k])}" for k in keys if _present(f, k)]
    if extra:
        parts.append(extra)
    return "; ".join(parts)


def _canon_barrier(v) -> str | None:
    if not isinstance(v, str):
        return None
    norm = v.strip().lower().replace("-", "_").replace(" ", "_")
    return BARRIER_ALIASES.get(norm.removeprefix("barrier."))


def _ci_contains_zero(ci) -> bool:
    lo, hi = float(ci[0]), float(ci[1])
    return lo <= 0 <= hi


# --------------------------------------------------------------------------------------- barrier rules
def _barrier_sources(f: Findings, barrier: str) -> list[str]:
    src = []
    if _present(f, "strongest_barrier") and _canon_barrier(f["strongest_barrier"]) == barrier:
        src.append("strongest_barrier")
    if _present(f, "top_interview_theme") and _canon_barrier(f["top_interview_theme"]) == barrier:
        src.append("top_interview_theme")
    return src


def _barrier_rule(rule_id: str, barrier: str, priority: int) -> Rule:
    def condition(f):
        return bool(_barrier_sources(f, barrier))

    def text(f, lang):
        reasons = [t("reason.strongest_barrier" if s == "strongest_barrier" else "reason.top_theme", lang)
                   for s in _barrier_sources(f, barrier)]
        return f"rec.{rule_id}", {"source": f" {t('common.and', lang)} ".join(reasons)}

    def evidence(f):
        return _ev(f, *_barrier_sources(f, barrier),
                   *(["strongest_barrier_ame"] if "strongest_barrier" in _barrier_sources(f, barrier) else []))

    return Rule(rule_id, priority, (), condition, text, evidence,
                needs_any=("strongest_barrier", "top_interview_theme"))


# ------------------------------------------------------------------------------------------ other rules
def _impact_side(f: Findings) -> str:
    """'null', 'good' or 'bad' for the headline impact estimate."""
    if _ci_contains_zero(f["impact_ci"]):
        return "null"
    lo = float(f["impact_ci"][0])
    positive = lo > 0
    better = f.get("impact_better") or "higher"
    if better not in ("higher", "lower"):
        raise ValueError(f"impact_better must be 'higher' or 'lower', got {better!r}")
    return "good" if positive == (better == "higher") else "bad"


def _impact_values(f: Findings, lang: str) -> dict:
    outcome_key = f.get("impact_outcome") or "performance"
    outcome_key = outcome_key if str(outcome_key).startswith("outcome.") else f"outcome.{outcome_key}"
    decimals = int(f.get("impact_decimals") or 1)
    lo, hi = f["impact_ci"]
    return {"outcome": t(outcome_key, lang),
            "estimate": format_ci(f["impact_estimate"], lo, hi, lang, decimals)}


def _transfer_reasons(f: Findings) -> list[str]:
    out = []
    if _present(f, "weakest_level") and str(f["weakest_level"]).upper() == "L3":
        out.append("weakest_level")
    if _present(f, "self_supervisor_gap") and float(f["self_supervisor_gap"]) >= SELF_SUPERVISOR_GAP_MAX:
        out.append("self_supervisor_gap")
    return out


def _transfer_text(f: Findings, lang: str):
    parts = []
    for r in _transfer_reasons(f):
        if r == "weakest_level":
            parts.append(t("reason.l3_weakest", lang))
        else:
            parts.append(t("reason.self_gap", lang, gap=format_number(f["self_supervisor_gap"], lang, 1)))
    return "rec.transfer", {"reason": f" {t('common.and', lang)} ".join(parts)}


def _mode_text(f: Findings, lang: str):
    mode = str(f["most_cost_effective_mode"])
    try:
        mode_label = t(f"mode.{mode}", lang)
    except KeyError:
        mode_label = mode
    if _present(f, "cost_per_point_rp"):
        return "rec.mode_mix_point", {"mode": mode_label,
                                      "per_point": format_amount(f["cost_per_point_rp"], lang),
                                      "cost": format_amount(f.get("cost_per_participant_rp"), lang)}
    if _present(f, "cost_per_participant_rp"):
        return "rec.mode_mix_cost", {"mode": mode_label,
                                     "cost": format_amount(f["cost_per_participant_rp"], lang)}
    return "rec.mode_mix", {"mode": mode_label}


RULES: tuple[Rule, ...] = (
    Rule("impact_null", 1, ("impact_estimate", "impact_ci"),
         lambda f: _impact_side(f) == "null",
         lambda f, lang: ("rec.impact_null", _impact_values(f, lang)),
         lambda f: _ev(f, "impact_estimate", "impact_ci", extra="CI contains 0")),
    Rule("impact_negative", 1, ("impact_estimate", "impact_ci"),
         lambda f: _impact_side(f) == "bad",
         lambda f, lang: ("rec.impact_negative", _impact_values(f, lang)),
         lambda f: _ev(f, "impact_estimate", "impact_ci", "impact_better", extra="CI on the adverse side")),
    Rule("attendance_low", 1, ("attendance_rate",),
         lambda f: float(f["attendance_rate"]) < ATTENDANCE_MIN,
         lambda f, lang: ("rec.attendance_low", {"attendance": format_percent(f["attendance_rate"], lang),
                                                 "threshold": format_percent(ATTENDANCE_MIN, lang)}),
         lambda f: _ev(f, "attendance_rate", extra=f"< ATTENDANCE_MIN={_num(ATTENDANCE_MIN)}")),
    _barrier_rule("barrier_time", "time", 1),
    _barrier_rule("barrier_motivation", "motivation", 1),
    _barrier_rule("barrier_relevance", "relevance", 1),
    _barrier_rule("barrier_experienced", "experienced", 1),
    Rule("transfer", 1, (), lambda f: bool(_transfer_reasons(f)), _transfer_text,
         lambda f: _ev(f, *_transfer_reasons(f),
                       extra=(f">= SELF_SUPERVISOR_GAP_MAX={_num(SELF_SUPERVISOR_GAP_MAX)}"
                              if "self_supervisor_gap" in _transfer_reasons(f) else "")),
         needs_any=("weakest_level", "self_supervisor_gap")),
    Rule("jp_low", 2, ("jp_compliance",),
         lambda f: float(f["jp_compliance"]) < JP_COMPLIANCE_MIN,
         lambda f, lang: ("rec.jp_low", {"jp_target": str(config.JP_TARGET_PER_YEAR),
                                         "jp_compliance": format_percent(f["jp_compliance"], lang),
                                         "threshold": format_percent(JP_COMPLIANCE_MIN, lang)}),
         lambda f: _ev(f, "jp_compliance", extra=f"< JP_COMPLIANCE_MIN={_num(JP_COMPLIANCE_MIN)}")),
    Rule("reaction_low", 2, ("reaction_agree_share",),
         lambda f: float(f["reaction_agree_share"]) < REACTION_AGREE_MIN,
         lambda f, lang: ("rec.reaction_low", {"share": format_percent(f["reaction_agree_share"], lang),
                                               "threshold": format_percent(REACTION_AGREE_MIN, lang)}),
         lambda f: _ev(f, "reaction_agree_share", extra=f"< REACTION_AGREE_MIN={_num(REACTION_AGREE_MIN)}")),
    Rule("learning_null", 2, ("learning_gain", "learning_gain_ci"),
         lambda f: _ci_contains_zero(f["learning_gain_ci"]),
         lambda f, lang: ("rec.learning_null", {"estimate": format_ci(
             f["learning_gain"], f["learning_gain_ci"][0], f["learning_gain_ci"][1], lang, 1)}),
         lambda f: _ev(f, "learning_gain", "learning_gain_ci", extra="CI contains 0")),
    Rule("ikm_low", lambda f: 1 if str(f["ikm_mutu"]).upper() == "D" else 2, ("ikm_mutu",),
         lambda f: str(f["ikm_mutu"]).upper() in IKM_MUTU_LOW,
         lambda f, lang: ("rec.ikm_low", {
             "ikm": format_number(f["ikm"], lang, 2) if _present(f, "ikm") else "–",
             "mutu": t(f"ikm_mutu.{str(f['ikm_mutu']).upper()}", lang)}),
         lambda f: _ev(f, "ikm", "ikm_mutu", extra=f"mutu in {list(IKM_MUTU_LOW)}")),
    Rule("impact_positive", 2, ("impact_estimate", "impact_ci"),
         lambda f: _impact_side(f) == "good",
         lambda f, lang: ("rec.impact_positive", _impact_values(f, lang)),
         lambda f: _ev(f, "impact_estimate", "impact_ci", extra="CI excludes 0, intended direction")),
    Rule("budget_low", 3, ("budget_realisation",),
         lambda f: float(f["budget_realisation"]) < BUDGET_REALISATION_MIN,
         lambda f, lang: ("rec.budget_low", {"realisation": format_percent(f["budget_realisation"], lang),
                                             "threshold": format_percent(BUDGET_REALISATION_MIN, lang)}),
         lambda f: _ev(f, "budget_realisation",
                       extra=f"< BUDGET_REALISATION_MIN={_num(BUDGET_REALISATION_MIN)}")),
    Rule("mode_mix", 3, ("most_cost_effective_mode",),
         lambda f: True, _mode_text,
         lambda f: _ev(f, "most_cost_effective_mode", "cost_per_participant_rp", "cost_per_point_rp")),
    Rule("skm_sample", 3, ("units_below_sample_min",),
         lambda f: int(f["units_below_sample_min"]) > 0,
         lambda f, lang: ("rec.skm_sample", {"units": format_number(f["units_below_sample_min"], lang, 0)}),
         lambda f: _ev(f, "units_below_sample_min", extra="> 0")),
)


#: Rule on the training budget per civil servant compared with other regions (needs findings from several
#: regions, which the region report has: :mod:`evalkit.report.region`).
BUDGET_PER_EMPLOYEE_RULE: Rule = Rule(
    "budget_per_employee_low", 2, ("budget_per_employee_rp", "budget_per_employee_reference_rp"),
         lambda f: float(f["budget_per_employee_reference_rp"]) > 0 and float(f["budget_per_employee_rp"])
         < BUDGET_PER_EMPLOYEE_MIN_RATIO * float(f["budget_per_employee_reference_rp"]),
         lambda f, lang: ("rec.budget_per_employee_low", {
             "budget": format_amount(f["budget_per_employee_rp"], lang),
             "ratio": format_percent(BUDGET_PER_EMPLOYEE_MIN_RATIO, lang),
             "reference": format_amount(f["budget_per_employee_reference_rp"], lang)}),
         lambda f: _ev(f, "budget_per_employee_rp", "budget_per_employee_reference_rp",
                       extra=f"< BUDGET_PER_EMPLOYEE_MIN_RATIO={_num(BUDGET_PER_EMPLOYEE_MIN_RATIO)} x reference"))
#: :data:`RULES` plus the rules that compare a region with the others; what the region reports use.
REGION_RULES: tuple[Rule, ...] = (*RULES[:-2], BUDGET_PER_EMPLOYEE_RULE, *RULES[-2:])

def _applies(rule: Rule, f: Findings) -> bool:
    if not all(_present(f, k) for k in rule.needs):
        return False
    if rule.needs_any and not any(_present(f, k) for k in rule.needs_any):
        return False
    return bool(rule.condition(f))


def recommend(findings: Mapping[str, object], lang: str = "id", rules: tuple[Rule, ...] = RULES,
              single_first: bool = True) -> pd.DataFrame:
    """Recommendations that follow from a region's findings.

    Parameters
    ----------
    findings : mapping
        Flat dict of findings (see the module docstring for the keys). Unknown keys are ignored; missing,
        None or NaN findings skip the rules that need them.
    lang : {"id", "en"}
    rules : tuple of Rule
        Default :data:`RULES`.
    single_first : bool
        One action first: when several rules fire at priority 1, only the first of them in the order of
        ``rules`` keeps priority 1 and the others become priority 2 (their ``evidence`` says so). ``False``
        keeps every rule's own priority.

    Returns
    -------
    DataFrame
        One row per rule that fired, columns ``rule_id``, ``priority`` (1 = act first), ``text`` (in
        ``lang``) and ``evidence`` (language-neutral: the findings and threshold behind the rule), sorted by
        priority and then by the order of ``rules``. Only ``text`` differs between languages.

    Examples
    --------
    >>> recommend({"attendance_rate": 0.42, "strongest_barrier": "barrier_time"}, "en")["rule_id"].tolist()
    ['attendance_low', 'barrier_time']
    """
    _check_lang(lang)
    if not isinstance(findings, Mapping):
        raise TypeError(f"findings must be a mapping (dict), got {type(findings).__name__}")
    rows = []
    for order, rule in enumerate(rules):
        if not _applies(rule, findings):
            continue
        key, values = rule.text(findings, lang)
        priority = rule.priority(findings) if callable(rule.priority) else rule.priority
        rows.append({"rule_id": rule.rule_id, "priority": int(priority), "text": t(key, lang, **values),
                     "evidence": rule.evidence(findings), "_order": order})
    out = pd.DataFrame(rows, columns=[*COLUMNS, "_order"])
    first = out.index[out["priority"] == 1]
    if single_first and len(first) > 1:
        lead = out.loc[first[0], "rule_id"]
        for i in first[1:]:
            out.loc[i, "priority"] = 2
            out.loc[i, "evidence"] = f"{out.loc[i, 'evidence']}; priority 1 by its rule, after {lead}"
    out = out.sort_values(["priority", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    out["priority"] = out["priority"].astype("int64")
    return out


# ------------------------------------------------------------------------------------------- action plan
#: Who acts, by when and at what cost, per rule: rule id -> (``action.owner.*``, ``action.time.*``,
#: ``action.cost.*`` keys of strings.json). evalkit's default proposal for a regional BKPSDM; an office replaces
#: any of the three in its context file (``actions``, see :func:`action_plan`).
ACTIONS: dict[str, tuple[str, str, str]] = {
    "impact_null": ("bkpsdm", "next_cycle", "none"),
    "impact_negative": ("bkpsdm", "three_months", "none"),
    "impact_positive": ("bkpsdm_opd", "next_budget", "new"),
    "attendance_low": ("bkpsdm_opd", "next_cycle", "low"),
    "barrier_time": ("bkpsdm", "next_cycle", "low"),
    "barrier_motivation": ("bkpsdm_opd", "next_cycle", "none"),
    "barrier_relevance": ("bkpsdm", "next_cycle", "low"),
    "barrier_experienced": ("bkpsdm_opd", "next_cycle", "none"),
    "transfer": ("opd_heads", "six_months", "none"),
    "jp_low": ("bkpsdm_opd", "next_budget", "new"),
    "reaction_low": ("bkpsdm", "next_cycle", "low"),
    "learning_null": ("bkpsdm", "next_cycle", "low"),
    "ikm_low": ("service_units", "next_budget", "low"),
    "skm_sample": ("service_units", "next_survey", "low"),
    "budget_low": ("budget", "next_budget", "none"),
    "mode_mix": ("bkpsdm", "next_budget", "saving"),
    "budget_per_employee_low": ("budget", "next_budget", "new"),
}
_ACTION_FIELDS: tuple[str, ...] = ("owner", "timeframe", "cost")


def action_plan(rec: pd.DataFrame, lang: str = "id", overrides: Mapping[str, Mapping] | None = None) -> pd.DataFrame:
    """The recommendations of :func:`recommend` as actions: ``rec`` plus ``owner``, ``timeframe`` and ``cost``.

    Each comes from :data:`ACTIONS` for the rule, unless ``overrides`` (a context file's ``actions``:
    ``{rule_id: {"owner": ..., "timeframe": ..., "cost": ...}}``, each a string or ``{"id": ..., "en": ...}``)
    gives it. A rule without a default and without an override gets the evaluation team, the next cycle and
    a low cost.
    """
    _check_lang(lang)
    out = rec.copy()
    overrides = overrides or {}
    cols: dict[str, list[str]] = {f: [] for f in _ACTION_FIELDS}
    for rule_id in out["rule_id"]:
        keys = dict(zip(_ACTION_FIELDS, ACTIONS.get(rule_id, ("evaluator", "next_cycle", "low"))))
        given = overrides.get(rule_id) or {}
        for f, prefix in zip(_ACTION_FIELDS, ("action.owner", "action.time", "action.cost")):
            v = given.get(f)
            if isinstance(v, Mapping):
                v = v.get(lang) or next(iter(v.values()), None)
            cols[f].append(str(v) if v else t(f"{prefix}.{keys[f]}", lang))
    for f in _ACTION_FIELDS:
        out[f] = cols[f]
    return out

