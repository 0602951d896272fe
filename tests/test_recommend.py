"""Recommendation rules: each fires exactly when its condition holds; order, languages, placeholders."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.report import recommend as rec_mod
from evalkit.report.recommend import (
    ATTENDANCE_MIN,
    BUDGET_REALISATION_MIN,
    COLUMNS,
    JP_COMPLIANCE_MIN,
    REACTION_AGREE_MIN,
    RULES,
    SELF_SUPERVISOR_GAP_MAX,
    recommend,
)

#: The example findings of the brief (Batanghari).
BATANGHARI = {
    "region": "Batanghari", "attendance_rate": 0.42, "strongest_barrier": "barrier_time",
    "strongest_barrier_ame": -0.21, "jp_compliance": 0.35, "weakest_level": "L3", "reaction_agree_share": 0.81,
    "learning_gain": 9.5, "learning_gain_ci": (8.1, 10.9), "impact_estimate": 2.9, "impact_ci": (1.2, 4.6),
    "self_supervisor_gap": 0.5, "ikm": 79.4, "ikm_mutu": "B", "units_below_sample_min": 2,
    "most_cost_effective_mode": "e-learning", "cost_per_participant_rp": 1_250_000, "budget_realisation": 0.93,
    "top_interview_theme": "time_conflict",
}

#: rule_id -> (findings where it fires, findings where it does not)
CASES = {
    "attendance_low": ({"attendance_rate": ATTENDANCE_MIN - 0.01}, {"attendance_rate": ATTENDANCE_MIN}),
    "barrier_time": ({"strongest_barrier": "barrier_time"}, {"strongest_barrier": "barrier_motivation"}),
    "barrier_motivation": ({"top_interview_theme": "low_motivation"}, {"top_interview_theme": "time_conflict"}),
    "barrier_relevance": ({"strongest_barrier": "relevance"}, {"strongest_barrier": "experienced"}),
    "barrier_experienced": ({"top_interview_theme": "already_experienced"}, {"top_interview_theme": "irrelevance"}),
    "transfer": ({"self_supervisor_gap": SELF_SUPERVISOR_GAP_MAX},
                 {"self_supervisor_gap": 0.49, "weakest_level": "L2"}),
    "jp_low": ({"jp_compliance": 0.79}, {"jp_compliance": JP_COMPLIANCE_MIN}),
    "reaction_low": ({"reaction_agree_share": 0.5}, {"reaction_agree_share": REACTION_AGREE_MIN}),
    "learning_null": ({"learning_gain": 0.8, "learning_gain_ci": (-0.3, 1.9)},
                      {"learning_gain": 9.5, "learning_gain_ci": (8.1, 10.9)}),
    "impact_null": ({"impact_estimate": 0.4, "impact_ci": (-0.5, 1.3)},
                    {"impact_estimate": 2.9, "impact_ci": (1.2, 4.6)}),
    "impact_positive": ({"impact_estimate": 2.9, "impact_ci": (1.2, 4.6)},
                        {"impact_estimate": 0.4, "impact_ci": (-0.5, 1.3)}),
    "impact_negative": ({"impact_estimate": 3.0, "impact_ci": (1.0, 5.0), "impact_better": "lower"},
                        {"impact_estimate": -3.0, "impact_ci": (-5.0, -1.0), "impact_better": "lower"}),
    "ikm_low": ({"ikm": 70.2, "ikm_mutu": "C"}, {"ikm": 79.4, "ikm_mutu": "B"}),
    "skm_sample": ({"units_below_sample_min": 1}, {"units_below_sample_min": 0}),
    "budget_low": ({"budget_realisation": 0.6}, {"budget_realisation": BUDGET_REALISATION_MIN}),
    "mode_mix": ({"most_cost_effective_mode": "e-learning"}, {"most_cost_effective_mode": None}),
}


def test_every_rule_has_a_case():
    assert set(CASES) == {r.rule_id for r in RULES}
    assert len({r.rule_id for r in RULES}) == len(RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_rule_fires_only_when_its_condition_holds(rule_id, lang):
    fires, quiet = CASES[rule_id]
    assert rule_id in recommend(fires, lang)["rule_id"].tolist()
    assert rule_id not in recommend(quiet, lang)["rule_id"].tolist()


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_alone_on_its_own_findings(rule_id):
    """A rule's findings trigger no other rule (so each case isolates one rule)."""
    fired = set(recommend(CASES[rule_id][0], "en")["rule_id"])
    assert fired == {rule_id}


def test_missing_findings_skip_rules_without_error():
    empty = recommend({}, "id")
    assert list(empty.columns) == COLUMNS and empty.empty
    nothing = {k: None for k in BATANGHARI} | {"attendance_rate": math.nan, "impact_ci": (math.nan, 1.0),
                                               "learning_gain_ci": None, "ikm_mutu": pd.NA}
    assert recommend(nothing, "en").empty
    # impact estimate without its CI: the impact rules need both
    assert recommend({"impact_estimate": 2.0}, "en").empty


def test_batanghari_example():
    out = recommend(BATANGHARI, "en")
    assert out["rule_id"].tolist() == ["attendance_low", "barrier_time", "transfer", "jp_low",
                                       "impact_positive", "mode_mix", "skm_sample"]
    row = out.set_index("rule_id").loc["barrier_time"]
    assert "online or outside working hours" in row["text"]
    assert "strongest_barrier=barrier_time" in row["evidence"] and "top_interview_theme" in row["evidence"]
    assert "IDR 1.3 million" in out.set_index("rule_id").loc["mode_mix", "text"]
    id_ = recommend(BATANGHARI, "id").set_index("rule_id")
    assert "tingkat kehadiran baru 42%, di bawah target 70%" in id_.loc["attendance_low", "text"]
    assert "2,9 (IK 95%: 1,2 sampai 4,6)" in id_.loc["impact_positive", "text"]
    assert "Rp1,3 juta" in id_.loc["mode_mix", "text"]


def _everything():
    """Findings that fire as many rules as possible at once."""
    f = dict(BATANGHARI)
    f.update(reaction_agree_share=0.5, learning_gain=0.8, learning_gain_ci=(-0.3, 1.9), ikm=60.0, ikm_mutu="D",
             budget_realisation=0.6, top_interview_theme="low_motivation", impact_ci=(-0.5, 4.6))
    return f


def test_ordered_by_priority_then_rule_order():
    out = recommend(_everything(), "en", single_first=False)
    assert len(out) >= 12
    assert out["priority"].is_monotonic_increasing
    order = [r.rule_id for r in RULES]
    for _, grp in out.groupby("priority"):
        idx = [order.index(r) for r in grp["rule_id"]]
        assert idx == sorted(idx)
    assert out.set_index("rule_id").loc["ikm_low", "priority"] == 1  # grade D is urgent
    assert recommend({"ikm_mutu": "C"}, "en")["priority"].tolist() == [2]


def test_only_one_recommendation_comes_first():
    """Several priority-1 rules fire on these findings; by default the first of them in the order of RULES
    stays priority 1, the others become 2 and say so in their evidence; the set of rules is unchanged."""
    every = recommend(_everything(), "en", single_first=False)
    one = recommend(_everything(), "en")
    ones = every.loc[every["priority"] == 1, "rule_id"].tolist()
    assert len(ones) >= 3
    assert one.loc[one["priority"] == 1, "rule_id"].tolist() == [ones[0]]
    demoted = one.set_index("rule_id").loc[ones[1:]]
    assert (demoted["priority"] == 2).all() and demoted["evidence"].str.contains(f"after {ones[0]}").all()
    assert sorted(one["rule_id"]) == sorted(every["rule_id"]) and one["priority"].is_monotonic_increasing


@pytest.mark.parametrize("findings", [BATANGHARI, _everything()] + [c[0] for c in CASES.values()])
def test_languages_differ_only_in_text(findings):
    id_, en = recommend(findings, "id"), recommend(findings, "en")
    pd.testing.assert_frame_equal(id_.drop(columns="text"), en.drop(columns="text"))
    assert (id_["text"] != en["text"]).all()


@pytest.mark.parametrize("findings", [BATANGHARI, _everything()] + [c[0] for c in CASES.values()])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_unfilled_placeholders(findings, lang):
    for text in recommend(findings, lang)["text"]:
        assert "{" not in text and "}" not in text, text
        assert text.endswith(".") and text[0].isupper(), text


def test_bad_inputs():
    with pytest.raises(ValueError, match="lang"):
        recommend(BATANGHARI, "fr")
    with pytest.raises(TypeError, match="mapping"):
        recommend([("attendance_rate", 0.4)], "en")


def test_thresholds_are_documented():
    doc = rec_mod.__doc__
    for name in ("ATTENDANCE_MIN", "JP_COMPLIANCE_MIN", "SELF_SUPERVISOR_GAP_MAX", "REACTION_AGREE_MIN",
                 "BUDGET_REALISATION_MIN", "IKM_MUTU_LOW"):
        assert name in doc


def test_module_doctests():
    import doctest

    assert doctest.testmod(rec_mod).failed == 0


def test_mode_mix_names_its_ratio_and_denominator():
    f = {"most_cost_effective_mode": "e-learning", "cost_per_participant_rp": 3_812_000,
         "cost_per_point_rp": 1_270_000}
    for lang, words in (("id", ("Rp1,3 juta per lulusan untuk setiap poin kenaikan kualitas laporan",
                                "biaya per lulusan Rp3,8 juta dibagi")),
                        ("en", ("IDR 1.3 million per completer for each point of report quality",
                                "cost per completer of IDR 3.8 million divided by"))):
        text = recommend(f, lang).set_index("rule_id").loc["mode_mix", "text"]
        for w in words:
            assert w in text, (lang, text)
    ev = recommend(f, "en").set_index("rule_id").loc["mode_mix", "evidence"]
    assert "cost_per_point_rp=1270000" in ev
    # without the ratio the text says what the amount is: per completer, not "per participant"
    text = recommend({"most_cost_effective_mode": "e-learning", "cost_per_participant_rp": 1_250_000}, "en")
    assert "per completer" in text["text"].iloc[0] and "per participant" not in text["text"].iloc[0]


def test_every_rule_has_an_action_and_the_office_can_replace_it():
    """Each rule of the region reports has a default owner, timeframe and cost; a context file's ``actions``
    replace them per rule (a plain string or one per language), the others keep the default."""
    from evalkit.report.recommend import ACTIONS, REGION_RULES, action_plan

    assert {r.rule_id for r in REGION_RULES} <= set(ACTIONS)
    rec = recommend({"attendance_rate": 0.42, "strongest_barrier": "barrier_time"}, "id")
    plan = action_plan(rec, "id", {"barrier_time": {"owner": "Sekretariat Daerah",
                                                    "timeframe": {"id": "Triwulan III 2026", "en": "Q3 2026"}}})
    assert list(plan["rule_id"]) == ["attendance_low", "barrier_time"]
    att, tim = plan.iloc[0], plan.iloc[1]
    assert (att["owner"], att["timeframe"], att["cost"]) == (
        "BKPSDM bersama kepala OPD", "sebelum siklus pelatihan berikutnya",
        "rendah (dalam anggaran pelatihan yang ada)")
    assert (tim["owner"], tim["timeframe"]) == ("Sekretariat Daerah", "Triwulan III 2026")
    assert tim["cost"] == "rendah (dalam anggaran pelatihan yang ada)"  # not overridden: the default
    en = action_plan(recommend({"strongest_barrier": "barrier_time"}, "en"), "en",
                     {"barrier_time": {"timeframe": {"id": "Triwulan III 2026", "en": "Q3 2026"}}})
    assert en["timeframe"].tolist() == ["Q3 2026"] and en["owner"].tolist() == ["BKPSDM (competency development)"]


def test_a_context_with_malformed_actions_is_refused():
    from evalkit.report.context import validate_context

    with pytest.raises(ValueError, match="'actions' must map a recommendation rule id"):
        validate_context({"regions": {"Kota Kediri": {"actions": {"attendance_low": {"who": "x"}}}}})
