"""Region report (evalkit.report.region): findings against direct pandas computations on a small synthetic
two-region frame with a planted training effect, every section filled in both languages, the recommendations
coming from the rules, small cells suppressed, figures saved, and the notebook's outputs named by slug."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from evalkit import config, pipeline
from evalkit.measures import UNSUR
from evalkit.report import region as R
from evalkit.report.recommend import BUDGET_PER_EMPLOYEE_RULE, REGION_RULES, RULES, recommend
from evalkit.report.region import _words, effects
from evalkit.report.text import keys

#: Planted effect of completed training on report quality (points), constant after training.
EFFECT = 5.0
#: Planted learning gain by mode (points).
GAIN = {"klasikal": 10.0, "e-learning": 6.0, "workshop": 8.0}
QUARTERS = [f"{y}Q{q}" for y in (2022, 2023) for q in (1, 2, 3, 4)]
MODES = ("klasikal", "e-learning", "workshop")
END = {"klasikal": "2022-08-15", "e-learning": "2023-02-15", "workshop": "2023-08-15"}
UNITS = ("Unit A", "Unit B", "Unit C")
TEXTS = ("Jadwal pelatihan bentrok dengan tugas harian di kantor.", "Anggarannya terbatas sehingga pelatihan jarang.",
         "Motivasi peserta rendah karena manfaatnya tidak terlihat.", "Materinya kurang relevan dengan tugas.",
         "Pegawai senior merasa sudah berpengalaman dan enggan dilatih.")


def _region_tables(region: str, code: str, n: int, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    pid = [f"{code}{i:03d}" for i in range(n)]
    emp = pd.DataFrame({
        "person_id": pid, "sex": rng.choice(["L", "P"], n), "birth_year": rng.integers(1965, 1998, n),
        "appointment_year": np.tile([1995, 1999, 2008, 2016], n // 4 + 1)[:n], "region": region,
        "agency": [UNITS[i % 3] for i in range(n)], "position_type": "pelaksana",
        "golongan": rng.choice(["II/c", "III/a", "III/c", "IV/a"], n), "education": "S1"})
    prog = pd.DataFrame({
        "programme_id": [f"{code}-{m}" for m in MODES], "title": [f"Pelatihan {m}" for m in MODES],
        "topic": "Pelayanan Publik", "mode": list(MODES), "jp": pd.array([30, 20, 24], dtype="Int64"),
        "start_date": pd.to_datetime([END[m] for m in MODES]) - pd.Timedelta(days=5),
        "end_date": pd.to_datetime([END[m] for m in MODES]), "region": region,
        "cost_rp": [60e6, 20e6, 50e6], "provider": "BPSDM"})
    # the first 3/4 of staff are invited (one programme each); the rest are never invited (never trained)
    k = 3 * n // 4
    inv = pd.DataFrame({"person_id": pid[:k], "programme_id": [f"{code}-{MODES[i % 3]}" for i in range(k)]})
    b = {c: rng.random(k) < p for c, p in (("barrier_time", 0.3), ("barrier_relevance", 0.2),
                                            ("barrier_motivation", 0.3), ("barrier_experienced", 0.2))}
    p_att = 1 / (1 + np.exp(-(1.5 - 2.0 * b["barrier_motivation"] - 0.5 * b["barrier_time"])))
    registered = rng.random(k) < 0.9
    attended = registered & (rng.random(k) < p_att)
    completed = attended & (rng.random(k) < 0.9)
    enr = inv.assign(invited=True, registered=registered, attended=attended, completed=completed,
                     attendance_share=np.where(attended, 1.0, 0.0), reason_absent=None, **b)
    done = enr[enr["completed"]]
    mode_of = done["programme_id"].str.split("-").str[1:].str.join("-")
    reaction = done[["person_id", "programme_id"]].assign(
        **{c: rng.integers(2, 6, len(done)) for c in ("material", "trainer", "relevance", "facilities", "overall")},
        comment=None)
    pre = rng.normal(55, 8, len(done)).round(1)
    tests = done[["person_id", "programme_id"]].assign(
        pre_score=pre, post_score=(pre + mode_of.map(GAIN).to_numpy() + rng.normal(0, 3, len(done))).round(1))
    rows = []
    for person, prog_id in zip(done["person_id"], done["programme_id"]):
        sup = rng.integers(2, 5, 4)
        for role, items in (("supervisor", sup), ("self", np.minimum(sup + 1, 5)),
                            ("peer", np.clip(sup + rng.integers(-1, 2, 4), 1, 5))):
            rows.append({"person_id": person, "programme_id": prog_id, "rater_role": role,
                         "rating_date": pd.Timestamp("2024-03-01"),
                         **dict(zip(("apply_material", "work_quality", "share_knowledge", "service_initiative"),
                                    items))})
    followup = pd.DataFrame(rows)
    g = dict(zip(done["person_id"], mode_of.map({"klasikal": 3, "e-learning": 5, "workshop": 7})))
    perf = []
    for i, person in enumerate(pid):
        level = rng.normal(65, 4)
        for t, q in enumerate(QUARTERS, start=1):
            treated = person in g and t >= g[person]
            perf.append({"person_id": person, "period": q, "hasil_kerja": "Sesuai Ekspektasi",
                         "perilaku": "Sesuai Ekspektasi", "skp_predikat": "Baik",
                         "report_quality": level + 0.3 * t + rng.normal(0, 1) + EFFECT * treated,
                         "on_time_share": 0.7 + rng.normal(0, 0.02) + 0.04 * treated,
                         "complaint_days": 4 + rng.normal(0, 0.3)})
    months = pd.date_range("2022-01-01", "2023-12-01", freq="MS")
    svc = pd.DataFrame([{"unit": u, "region": region, "month": m, "volume": int(rng.integers(300, 500)),
                         "wait_minutes": 40 + rng.normal(0, 2) - (4 if (u == "Unit A" and m >= months[8]) else 0),
                         "processing_days": 4 + rng.normal(0, 0.2), "complaints_received": 10,
                         "complaints_resolved": int(rng.integers(5, 10))} for u in UNITS for m in months])
    skm = pd.DataFrame([{"respondent_id": f"{code}R{j}{u[-1]}{p}", "unit": u, "region": region, "period": p,
                         **{c: int(rng.integers(2, 5)) for c in UNSUR}}
                        for u in UNITS for p in ("2022S1", "2023S2") for j in range(30)])
    budgets = pd.DataFrame({"region": region, "year": 2022, "programme_id": prog["programme_id"],
                            "allocated_rp": prog["cost_rp"] * 1.1, "realised_rp": prog["cost_rp"]})
    interviews = pd.DataFrame({"interview_id": [f"{code}-W{j:03d}" for j in range(12)], "region": region,
                               "role": ["peserta", "atasan", "kepala_dinas"] * 4,
                               "interview_date": pd.Timestamp("2024-05-01"),
                               "text": [TEXTS[j % len(TEXTS)] + " " + TEXTS[(3 * j + 2) % len(TEXTS)]
                                        for j in range(12)]})
    return {"employees": emp, "programmes": prog, "enrolments": enr, "reaction": reaction, "tests": tests,
            "followup": followup, "performance": pd.DataFrame(perf), "services": svc, "skm": skm,
            "budgets": budgets, "interviews": interviews}


def synthetic_tables(seed: int = 20261122) -> dict[str, pd.DataFrame]:
    """Two regions: Mamuju (120 staff, little budget) and DKI Jakarta (240 staff), three delivery modes each."""
    rng = np.random.default_rng(seed)
    a = _region_tables("Mamuju", "M", 120, rng)
    b = _region_tables("DKI Jakarta", "J", 240, rng)
    b["programmes"]["cost_rp"] *= 6  # Jakarta spends far more per civil servant
    b["budgets"]["allocated_rp"] *= 6
    b["budgets"]["realised_rp"] *= 6
    return {k: pd.concat([a[k], b[k]], ignore_index=True) for k in a}


@pytest.fixture(scope="module")
def tables():
    return synthetic_tables()


@pytest.fixture(scope="module")
def jakarta(tables):
    return R.region_findings("DKI Jakarta", tables)


@pytest.fixture(scope="module")
def mamuju(tables):
    return R.region_findings("Mamuju", tables)


def _sub(tables, region):
    prog = tables["programmes"][tables["programmes"]["region"] == region]
    enr = tables["enrolments"][tables["enrolments"]["programme_id"].isin(prog["programme_id"])]
    return prog, enr


# ------------------------------------------------------------------------------------------------ slugs
def test_region_slug_and_notebook_outputs(tables, tmp_path, monkeypatch):
    assert R.region_slug("DKI Jakarta") == "jakarta"
    assert R.region_slug("Mamuju") == "mamuju"
    assert R.region_slug("Kota Mataram") == "kota_mataram"
    assert R.region_slug("DI Yogyakarta") == "yogyakarta"  # the same rule for any special-status province
    monkeypatch.setenv("EVALKIT_DATA_DIR", str(tmp_path))
    assert [s.name for s in pipeline.discover(only=["08"])] == ["08_region_report[*]"]  # nothing cleaned yet
    (tmp_path / "processed").mkdir()
    tables["employees"].to_parquet(tmp_path / "processed" / "employees.parquet")
    steps = [s for s in pipeline.discover(only=["08"])]
    present = [str(r) for r in tables["employees"]["region"].astype(str).unique()]
    assert len(steps) == 2 * len(present)  # one report per region present in the data, per language
    assert {f"regions/{R.region_slug(r)}_{lang}" for r in present
            for lang in ("id", "en")} == {s.output for s in steps}
    # the notebook's fixed slugs agree with the library's (region_slug)
    meta = json.loads((config.PROJ_ROOT / "notebooks" / "08_region_report.ipynb").read_text())["metadata"]["evalkit"]
    for name, slug in meta["slugs"]["region"].items():
        assert R.region_slug(name) == slug
    assert meta["matrix"]["region"] == "@*.region"  # regions come from the cleaned data (any table)


# ---------------------------------------------------------------------------------------------- numbers
def test_reach_matches_direct_counts(tables, mamuju):
    _, enr = _sub(tables, "Mamuju")
    inv = enr[enr["invited"]]
    strict_attended = inv["registered"] & inv["attended"]  # the funnel counts a stage only after the earlier ones
    assert mamuju["reach"]["n_invited"] == len(inv)
    assert mamuju["reach"]["attendance_rate"] == pytest.approx(strict_attended.mean())
    assert mamuju["reach"]["completion_rate"] == pytest.approx((strict_attended & inv["completed"]).mean())
    by_mode = mamuju["reach"]["by_mode"].set_index("mode")
    for prog_id, g in inv.groupby("programme_id"):
        mode = prog_id.split("-", 1)[1]
        assert by_mode.loc[mode, "n"] == len(g)
        assert by_mode.loc[mode, "attendance_rate"] == pytest.approx((g["registered"] & g["attended"]).mean())
    assert list(by_mode.index) == ["klasikal", "e-learning", "workshop"]  # display order of config modes


def test_levels_and_learning_match_direct_pandas(tables, jakarta):
    prog, _ = _sub(tables, "DKI Jakarta")
    rx = tables["reaction"][tables["reaction"]["programme_id"].isin(prog["programme_id"])]
    assert jakarta["reaction"]["agree_share"] == pytest.approx((rx["overall"] >= 4).mean())
    ts = tables["tests"][tables["tests"]["programme_id"].isin(prog["programme_id"])]
    d = ts["post_score"] - ts["pre_score"]
    assert jakarta["learning"]["gain"] == pytest.approx(d.mean())
    # paired t interval, by hand
    half = 1.9600 * d.std(ddof=1) / np.sqrt(len(d))  # n > 100: t quantile within 0.02 of the normal's
    lo, hi = jakarta["learning"]["gain_ci"]
    assert lo == pytest.approx(d.mean() - half, abs=0.03) and hi == pytest.approx(d.mean() + half, abs=0.03)
    assert jakarta["learning"]["improved_share"] == pytest.approx((d > 0).mean())
    by_mode = jakarta["learning"]["by_mode"].set_index("mode")["estimate"]
    for mode, gain in GAIN.items():  # planted gains, noise sd 3 over ~45 people per mode
        assert by_mode[mode] == pytest.approx(gain, abs=1.5)
    fu = tables["followup"][tables["followup"]["programme_id"].isin(prog["programme_id"])].copy()
    fu["score"] = fu[["apply_material", "work_quality", "share_knowledge", "service_initiative"]].mean(axis=1)
    wide = fu.pivot(index=["person_id", "programme_id"], columns="rater_role", values="score")
    assert jakarta["behaviour"]["self_gap"] == pytest.approx((wide["self"] - wide["supervisor"]).mean())
    sup = wide["supervisor"]
    assert jakarta["behaviour"]["application_share"] == pytest.approx((sup >= 4).mean())
    assert jakarta["levels"] == {"L1": jakarta["reaction"]["agree_share"], "L2": jakarta["learning"]["improved_share"],
                                 "L3": jakarta["behaviour"]["application_share"]}
    assert jakarta["findings"]["weakest_level"] == min(jakarta["levels"], key=jakarta["levels"].get)


def test_results_ikm_and_costs_match_direct_pandas(tables, mamuju):
    skm = tables["skm"][tables["skm"]["region"] == "Mamuju"]
    last = skm[skm["period"] == "2023S2"]
    ikm_by_hand = 25 * last[list(UNSUR)].mean().mean()  # PermenPANRB 14/2017: 25 x mean NRR, weights 1/9
    assert mamuju["results"]["ikm_last"] == pytest.approx(ikm_by_hand, abs=0.006)  # rounded to 2 decimals
    prog, enr = _sub(tables, "Mamuju")
    bud = tables["budgets"][tables["budgets"]["region"] == "Mamuju"]
    ch = mamuju["challenges"]
    assert ch["budget_realisation"] == pytest.approx(bud["realised_rp"].sum() / bud["allocated_rp"].sum())
    assert ch["cost_total"] == pytest.approx(bud["realised_rp"].sum())
    assert ch["cost_per_completed"] == pytest.approx(bud["realised_rp"].sum() / enr["completed"].sum())
    assert ch["budget_per_employee"] == pytest.approx(bud["realised_rp"].sum() / 120)
    jak = tables["budgets"][tables["budgets"]["region"] == "DKI Jakarta"]["realised_rp"].sum() / 240
    assert ch["budget_per_employee_reference"] == pytest.approx(jak)


def test_impact_recovers_the_planted_effect(jakarta, mamuju):
    for F in (jakarta, mamuju):
        e = F["impact"]["performance"]["report_quality"]
        assert e["ci_low"] < EFFECT < e["ci_high"]
        assert e["estimate"] == pytest.approx(EFFECT, abs=0.6)
        ot = F["impact"]["performance"]["on_time_share"]  # 0.04 planted, reported in percentage points
        assert ot["unit"] == "pp" and ot["estimate"] == pytest.approx(4.0, abs=1.0)
        es = F["impact"]["event_study"]
        pre = es[es["event_time"] < 0]
        assert (pre["estimate"].abs() < 1.5).all()  # no planted pre-trend
    assert jakarta["findings"]["impact_estimate"] == jakarta["impact"]["performance"]["report_quality"]["estimate"]


def test_strongest_barrier_is_the_planted_one(mamuju, jakarta):
    for F in (mamuju, jakarta):
        ch = F["challenges"]
        assert ch["strongest_barrier"] == "barrier_motivation"
        assert ch["strongest_ame"] == ch["ames"]["estimate"].min() < -0.2
        assert F["findings"]["strongest_barrier"] == "barrier_motivation"
        assert ch["top_theme"] in R.BARRIER_THEMES


def test_jakarta_findings_include_a_mode_comparison(jakarta):
    assert jakarta["spotlight"] == "modes"  # chosen from the data: several modes with effect estimates
    by_mode = jakarta["impact"]["by_mode"].set_index("mode")
    assert set(by_mode.index) == set(MODES)
    for mode in MODES:  # the same planted effect whatever the mode (person-level noise sd 1, ~60 people a mode;
        # the agency-clustered standard error rests on one agency per mode here, so it is no yardstick)
        assert abs(by_mode.loc[mode, "estimate"] - EFFECT) < 1.0
    assert set(jakarta["impact"]["by_tenure"]["band"]) == {"junior", "experienced"}
    ce = jakarta["challenges"]["cost_effectiveness"].set_index("mode")
    # one definition (evalkit.cost.mode_cost_effectiveness): cost per completer / Callaway-Sant'Anna ATT on
    # report quality of the mode (the impact table), by hand here
    ratio = ce["cost_per_completed"] / by_mode["estimate"].reindex(ce.index)
    assert ce["cost_per_unit_effect"].to_numpy() == pytest.approx(ratio.to_numpy(), rel=1e-12)
    assert ce["cost_per_point"].to_numpy() == pytest.approx(ratio.to_numpy(), rel=1e-12)
    assert (ce["effect_measure"].str.contains("Callaway-Sant'Anna") & ce["effect_measure"].str.contains(
        "report_quality")).all()
    assert (ce["cost_measure"] == "cost_per_completed").all()
    assert jakarta["challenges"]["most_cost_effective_mode"] == ratio.idxmin()
    tenure = {**jakarta, "spotlight": "tenure"}  # what a context file naming the tenure focus gives
    for lang, words in (("en", ("face-to-face", "e-learning", "workshop", "experienced")),
                        ("id", ("tatap muka", "e-learning", "lokakarya", "berpengalaman"))):
        text = R.section_spotlight(tenure, lang)
        for w in words:
            assert w in text, (lang, w)
        assert text.count("\n|") >= 4  # header, separator and one row per mode


def test_cost_effectiveness_sentence_names_its_denominator_and_matches_its_table(jakarta):
    from evalkit.report.text import format_amount as format_rupiah  # amounts as officials write them

    best = jakarta["challenges"]["most_cost_effective_mode"]
    assert best is not None
    row = jakarta["challenges"]["cost_effectiveness"].set_index("mode").loc[best]
    for lang, words in (("en", ("per completer for each point of report quality", "divided by")),
                        ("id", ("per lulusan untuk setiap poin kenaikan kualitas laporan", "dibagi"))):
        text = R.section_spotlight(jakarta, lang)
        sentence = [ln for ln in text.split("\n\n") if words[0] in ln]
        assert len(sentence) == 1, text
        assert format_rupiah(row["cost_per_point"], lang) in sentence[0]
        assert format_rupiah(row["cost_per_completed"], lang) in sentence[0]
        assert words[1] in sentence[0]
        table_row = [ln for ln in text.splitlines() if ln.startswith("| " + _words._mode(best, lang) + " |")]
        assert format_rupiah(row["cost_per_point"], lang) in table_row[0]  # the table's last column
        rec = R.section_recommendations(jakarta, lang)
        assert format_rupiah(row["cost_per_point"], lang) in rec  # the recommendation states the same ratio


def test_mamuju_spotlight_tells_the_budget_story(mamuju):
    assert mamuju["spotlight"] == "services"  # from the data: Unit A's waiting time clearly fell
    assert "waiting time" in R.section_spotlight(mamuju, "en")
    text = R.section_spotlight({**mamuju, "spotlight": "budget"}, "en")
    assert "IDR" in text and "low motivation" in text
    rec = recommend(mamuju["findings"], "en", rules=REGION_RULES)
    assert "budget_per_employee_low" in rec["rule_id"].tolist()  # 1/6 of the Jakarta budget per head


# ---------------------------------------------------------------------------------------------- sections
SECTION_FUNCS = ["title_block"] + [f"section_{s}" for s in ("background", "methods", "reach", "reaction", "learning",
                                                              "behaviour", "programmes", "results", "impact",
                                                              "spotlight",
                                                              "challenges", "recommendations", "conclusion",
                                                              "appendix")]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_section_is_empty_and_all_text_is_filled(jakarta, mamuju, lang):
    for F in (jakarta, mamuju):
        for name in SECTION_FUNCS:
            md = getattr(R, name)(F, lang)
            lines = [ln for ln in md.splitlines() if ln.strip()]
            assert lines[0].startswith("#"), (name, lines[0])
            body = [ln for ln in lines if not ln.startswith("#")]
            assert len(" ".join(body)) > 40, name
            assert not re.search(r"\{[a-z_]+\}", md), (name, md)  # no unfilled placeholder
            assert "nan" not in md.lower().split(), name
            # headings split the report into sections, each with content
            chunks = re.split(r"(?m)^#+ .*$", md)
            assert all(c.strip() for c in chunks[1:]), name


def test_effects_are_written_in_plain_words(jakarta):
    assert "Pelatihan meningkatkan nilai kualitas laporan sebesar" in R.section_impact(jakarta, "id")
    assert "(SK 95%:" in R.section_impact(jakarta, "id")  # selang kepercayaan, written out in the summary
    assert "selang kepercayaan 95%" in R.title_block(jakarta, "id")
    assert "Training raised report quality by" in R.section_impact(jakarta, "en")
    assert "(95% CI" in R.section_impact(jakarta, "en")


def test_recommendations_are_the_rules_that_fire(jakarta):
    for lang in ("id", "en"):
        text = R.section_recommendations(jakarta, lang)
        rec = recommend(jakarta["findings"], lang, rules=REGION_RULES)
        assert len(rec) > 0
        for i, row in enumerate(rec.itertuples(), start=1):
            assert f"{i}. {row.text}".replace("(IK 95%:", "(SK 95%:") in text


def test_new_strings_have_both_languages():
    strings = json.loads((config.PROJ_ROOT / "src" / "evalkit" / "data" / "strings.json").read_text("utf-8"))
    for k in keys():
        if k.startswith(("region.", "story.", "theme.")) or k == "rec.budget_per_employee_low":
            assert strings[k]["id"].strip() and strings[k]["en"].strip(), k
    for kind in R.SPOTLIGHTS:
        assert f"spotlight.{kind}.title" in strings
        if kind != "barrier":
            assert f"spotlight.{kind}.numbers" in strings
    assert not [k for k in strings if k.startswith("story.")]  # region stories live in context files
    for table in R.MEASUREMENT:
        assert f"region.not_measured.{table}" in strings and f"region.instrument.{table}" in strings


# ------------------------------------------------------------------------------------------------ rules
def test_budget_per_employee_rule():
    fires = {"budget_per_employee_rp": 289_000, "budget_per_employee_reference_rp": 1_100_000}
    quiet = {"budget_per_employee_rp": 600_000, "budget_per_employee_reference_rp": 1_100_000}
    assert recommend(fires, "id", rules=REGION_RULES)["rule_id"].tolist() == ["budget_per_employee_low"]
    assert recommend(quiet, "en", rules=REGION_RULES).empty
    assert recommend(fires, "en").empty  # not part of the default RULES
    text = recommend(fires, "en", rules=(BUDGET_PER_EMPLOYEE_RULE,))["text"].iloc[0]
    assert "IDR 289,000" in text and "IDR 1.1 million" in text and "50%" in text
    assert {r.rule_id for r in RULES} < {r.rule_id for r in REGION_RULES}


def test_weakest_level_and_cost_effective_mode_by_hand():
    assert R.weakest_level({"L1": 0.6, "L2": 0.9, "L3": 0.2}) == "L3"
    assert R.weakest_level({"L1": 0.3, "L2": float("nan"), "L3": 0.3}) == "L1"  # tie: earlier level
    assert R.weakest_level({"L1": None}) is None
    cost = pd.DataFrame({"mode": ["a", "b", "c"], "n_completed": [50, 40, 3],
                         "cost_per_completed": [6e6, 2e6, 1e5]})
    # effect per participant: the CS ATT per mode of the impact section (estimate, std_error, n_treated)
    eff = pd.DataFrame({"mode": ["a", "b", "c"], "estimate": [10.0, 5.0, 9.0], "std_error": [1.0, 1.0, 4.0],
                        "n_treated": [50, 40, 3]})
    best, table = R.most_cost_effective_mode(cost, eff)
    # a: 600,000 per point, b: 400,000 per point; c has too few completers to count
    assert best == "b"
    assert table.set_index("mode").loc["a", "cost_per_point"] == pytest.approx(6e5)
    assert "c" not in set(table["mode"])
    from evalkit import cost as C

    assert best == C.mode_cost_effectiveness(cost, eff, min_completed=5, min_modes=2, rng=1)[0]
    best, _ = R.most_cost_effective_mode(cost.iloc[:1], eff.iloc[:1])
    assert best is None  # one mode: nothing to compare


def test_region_mode_effects_equal_cost_impact_by_mode(tables, jakarta):
    """The region report's per-mode effect is evalkit.cost.impact_by_mode (CS ATT per mode) on the region."""
    from evalkit import cost as C
    from evalkit.datasets import performance_panel

    s = R.region_subset(tables, "DKI Jakarta")
    panel = performance_panel(s["performance"], s["employees"], s["enrolments"], s["programmes"])
    ref = C.impact_by_mode(panel, "report_quality", min_treated=1, cluster="agency_id").set_index("mode")
    im = jakarta["impact"]["by_mode"].set_index("mode")
    for m in im.index:
        assert im.loc[m, "estimate"] == pytest.approx(ref.loc[m, "estimate"], rel=1e-10)
        assert im.loc[m, "std_error"] == pytest.approx(ref.loc[m, "std_error"], rel=1e-8)


# ------------------------------------------------------------------------------------ privacy and tables
def test_published_tables_suppress_small_cells(tables):
    t2 = {k: v.copy() for k, v in tables.items()}
    # only three people invited to Mamuju's workshop
    enr = t2["enrolments"]
    drop = enr.index[enr["programme_id"] == "M-workshop"][3:]
    t2["enrolments"] = enr.drop(drop)
    F = R.region_findings("Mamuju", t2)
    pub = R.published_tables(F)
    for name, df in pub.items():
        if "n" in df.columns:
            assert "suppressed" in df.columns, name
            assert not ((df["n"] > 0) & (df["n"] < config.SMALL_CELL_THRESHOLD)).any(), name
    att = pub["attendance_by_mode"].set_index("mode")
    assert att.loc["workshop", "suppressed"] and np.isnan(att.loc["workshop", "attendance_rate"])
    assert "workshop" not in set(F["impact"]["by_mode"]["mode"])  # too few trained for an estimate
    assert "(–)" in R.section_reach(F, "en") or "–" in R.section_reach(F, "en")


def test_no_person_ids_in_the_report(jakarta):
    text = "\n".join(getattr(R, n)(jakarta, lang) for n in SECTION_FUNCS for lang in ("id", "en"))
    assert not re.search(r"\bJ\d{3}\b", text)
    assert "[NAMA]" not in text and "[NIP]" not in text


def test_headline_does_not_depend_on_pseudonyms_or_row_order(tables, jakarta):
    """What the notebook checks with nbval: other pseudonyms and row order give the same printed numbers."""
    rng = np.random.default_rng(7)
    ids = pd.unique(tables["employees"]["person_id"])
    new = dict(zip(ids, [f"X{v:05d}" for v in rng.permutation(len(ids))]))
    t2 = {}
    for k, v in tables.items():
        v = v.sample(frac=1.0, random_state=1).reset_index(drop=True)
        if "person_id" in v.columns:
            v["person_id"] = v["person_id"].map(new)
        t2[k] = v
    assert R.headline(R.region_findings("DKI Jakarta", t2)) == R.headline(jakarta)


# ---------------------------------------------------------------------------------------------- figures
@pytest.mark.slow
def test_figures_are_saved_with_region_names(tmp_project, mamuju):
    import matplotlib.pyplot as plt

    from evalkit.report.figures import set_theme

    set_theme()
    for kind in R.FIGURES:
        fig = R.figure(mamuju, kind, "en")
        assert fig is not None, kind
        plt.close(fig)
        for ext in ("png", "svg", "pdf"):
            assert (tmp_project / "reports" / "figures" / f"region_mamuju_en_{kind}.{ext}").stat().st_size > 0
    with pytest.raises(ValueError, match="unknown figure"):
        R.figure(mamuju, "pie", "en")


def test_show_figure_draws_once_and_shows_the_file_it_wrote(tmp_project, mamuju, monkeypatch):
    """``show_figure`` (what the report notebook calls) writes one PNG at the figure's own resolution, shows
    exactly those bytes, leaves no figure open (so the inline backend draws nothing a second time) and removes
    the other formats left by an earlier run; for a figure the region has no data for it shows nothing."""
    import struct

    import IPython.display
    import matplotlib.pyplot as plt

    from evalkit.report.figures import set_theme

    set_theme()
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    folder = tmp_project / "reports" / "figures"
    plt.close(R.figure(mamuju, "funnel", "en"))  # an earlier run's three formats at 300 dpi
    big = struct.unpack(">II", (folder / "region_mamuju_en_funnel.png").read_bytes()[16:24])
    path = R.show_figure(mamuju, "funnel", "en")
    assert path == folder / "region_mamuju_en_funnel.png"
    assert [o.data for o in shown] == [path.read_bytes()]
    assert plt.get_fignums() == []
    assert not (folder / "region_mamuju_en_funnel.svg").exists()
    assert not (folder / "region_mamuju_en_funnel.pdf").exists()
    small = struct.unpack(">II", path.read_bytes()[16:24])  # PNG width and height (IHDR)
    dpi = plt.rcParams["figure.dpi"]
    for a, b in zip(small, big):  # same drawing (bbox tight), at figure.dpi instead of 300 dpi
        assert a == pytest.approx(b * dpi / 300, rel=0.03)
    no_services = dict(mamuju, results={k: v for k, v in mamuju["results"].items() if k != "trend"})
    assert R.show_figure(no_services, "services", "en") is None and len(shown) == 1


def test_unknown_region_is_a_clear_error(tables):
    with pytest.raises(ValueError,
                       match=r"no rows for region 'Atlantis'; regions in the data: \['DKI Jakarta', 'Mamuju'\]"):
        R.region_findings("Atlantis", tables)


# ------------------------------------------------------------------------------------------- demo data
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The full synthetic demo (default seed), cleaned into a temporary folder: tables and ground truth."""
    from evalkit.ingest import clean
    from evalkit.synth import generate

    base = tmp_path_factory.mktemp("demo")
    generate(base / "raw", truth_dir=base / "truth")
    clean(base / "raw", base / "processed", key="region-report-test-key")
    return R.load_tables(base / "processed"), json.loads((base / "truth" / "truth.json").read_text())


@pytest.mark.slow
def test_demo_regions_name_their_planted_barrier(demo):
    """Against the synthetic ground truth (truth.json, selection.regions[*].strongest_barrier)."""
    tables, truth = demo
    for region, spec in truth["selection"]["regions"].items():
        F = R.region_findings(region, tables)
        assert F["challenges"]["strongest_barrier"] == spec["strongest_barrier"], region
        e = F["impact"]["performance"]["report_quality"]
        assert e["ci_low"] > 0  # every region's programmes raised report quality


def test_one_units_own_effect_recovers_the_planted_drop(tables):
    """Unit A's waiting time drops 4 minutes from September 2022 (when its first staff completed training)."""
    from evalkit.datasets import service_panel

    s = R.region_subset(tables, "Mamuju")
    sp = service_panel(s["services"], s["employees"], s["enrolments"], s["programmes"])
    sp["trained_post"] = (sp["trained_share"] > 0).astype("int64")
    sp["ym"] = sp["month"].dt.strftime("%Y-%m")
    e = effects._unit_effect(sp, "Unit A", "wait_minutes")
    assert e["ci_low"] < -4.0 + 1.5 and e["estimate"] == pytest.approx(-4.0, abs=1.5)
    a = sp[sp["unit"] == "Unit A"]
    assert e["before"] == pytest.approx(a.loc[a["trained_post"] == 0, "wait_minutes"].mean())
    assert effects._unit_effect(sp, "Unit Z", "wait_minutes") is None


# ------------------------------------------------------------------------------- regions outside the demo
DEMO_REGIONS = ("Mamuju", "Batanghari", "Jakarta", "Bukittinggi", "Ampenan")


def _demo_context() -> dict:
    return json.loads((config.PROJ_ROOT / "src" / "evalkit" / "synth" / "demo_context.json").read_text("utf-8"))


def _renamed(tables, names):
    out = {}
    for k, v in tables.items():
        v = v.copy()
        if "region" in v.columns:
            v["region"] = v["region"].replace(names)
        out[k] = v
    return out


def _whole_report(F, lang):
    return "\n".join(getattr(R, n)(F, lang) for n in SECTION_FUNCS)


@pytest.fixture(scope="module")
def elsewhere(tables):
    """The synthetic tables with both regions renamed: an office the demo knows nothing about."""
    t2 = _renamed(tables, {"Mamuju": "Kabupaten Contoh", "DKI Jakarta": "Kota Lain"})
    return R.region_findings("Kota Lain", t2)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_region_outside_the_demo_has_no_demo_story_and_no_synthetic_notice(elsewhere, lang):
    text = _whole_report(elsewhere, lang)
    for name in DEMO_REGIONS:
        assert name not in text, name
    stories = [R.text_of(e[k], lang) for e in _demo_context()["regions"].values()
               for k in ("background", "aims", "conclusion")]
    for story in stories:
        assert story[:40] not in text
    for word in ("Sulawesi", "Dukcapil", "kelurahan", "seminar dan workshop", "West Sulawesi", "civil-registry"):
        assert word not in text, word
    assert "sintetis" not in text.lower() and "synthetic" not in text.lower()
    assert elsewhere["context"] == {"issuer": None, "synthetic": False}
    # background and aims come from the data instead
    assert R.t("region.background_default", lang, region="Kota Lain") in text
    assert "Pelayanan Publik" in text  # the programmes' topic


def test_demo_context_gives_the_story_notice_and_issuer(tables):
    ctx = _demo_context()
    F = R.region_findings("Mamuju", tables, context=ctx)
    for lang in ("id", "en"):
        head = R.title_block(F, lang)
        assert R.t("report.synthetic_notice", lang) in head
        assert R.text_of(ctx["issuer"], lang) in head
        bg = R.section_background(F, lang)
        assert R.text_of(ctx["regions"]["Mamuju"]["background"], lang) in bg
        assert R.text_of(ctx["regions"]["Mamuju"]["aims"], lang) in bg
        assert R.text_of(ctx["regions"]["Mamuju"]["conclusion"], lang) in R.section_conclusion(F, lang)
    assert F["spotlight"] == ctx["regions"]["Mamuju"]["spotlight"] == "budget"
    # a context with synthetic data but no entry for the region: the notice, none of the stories
    G = R.region_findings("DKI Jakarta", tables, context={"synthetic": True, "regions": {}})
    assert R.t("report.synthetic_notice", "en") in R.title_block(G, "en")
    assert "This report evaluates civil-servant training in DKI Jakarta" in R.section_background(G, "en")


def test_report_library_code_names_no_demo_region():
    """Demo regions may appear in docstrings only: not in code, string constants or report strings."""
    import ast

    for path in (config.PROJ_ROOT / "src" / "evalkit" / "report").rglob("*.py"):  # the region package too
        tree = ast.parse(path.read_text("utf-8"))
        docs = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                d = ast.get_docstring(node, clean=False)
                if d is not None:
                    docs.add(d)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in docs:
                for name in DEMO_REGIONS:
                    assert name not in node.value, (path.name, node.value[:80])
    strings = (config.PROJ_ROOT / "src" / "evalkit" / "data" / "strings.json").read_text("utf-8")
    for name in DEMO_REGIONS:
        assert name not in strings, name


# ----------------------------------------------------------------------------------- what is not measured
OPTIONAL = ("reaction", "tests", "followup", "performance", "services", "skm", "budgets", "interviews")
#: table -> (section builder that says it was not measured, a word of its how-to-measure line)
NOT_MEASURED_IN = {"reaction": ("section_reaction", "xlsform_survei_reaksi"),
                   "tests": ("section_learning", "nilai_tes"),
                   "followup": ("section_behaviour", "xlsform_evaluasi_pasca"),
                   "performance": ("section_impact", "SIMPEG/e-Kinerja"),
                   "services": ("section_results", "layanan"),
                   "skm": ("section_results", "xlsform_skm"),
                   "budgets": ("section_challenges", "anggaran"),
                   "interviews": ("section_challenges", "wawancara")}


@pytest.mark.parametrize("how", ["removed", "no_rows"])
@pytest.mark.parametrize("table", OPTIONAL)
def test_any_optional_table_may_be_missing(tables, table, how):
    import matplotlib.pyplot as plt

    t2 = dict(tables)
    if how == "removed":
        del t2[table]
    else:  # rows for the other region only
        d = tables[table]
        if "region" in d.columns:
            t2[table] = d[d["region"] != "Mamuju"]
        elif "programme_id" in d.columns:
            t2[table] = d[~d["programme_id"].str.startswith("M-")]
        else:
            t2[table] = d[~d["person_id"].str.startswith("M")]
    F = R.region_findings("Mamuju", t2)
    key = {"tests": "tests", "followup": "followup", "reaction": "reaction"}.get(table, table)
    assert F["measured"][key] is False
    for lang in ("id", "en"):
        for name in SECTION_FUNCS:
            md = getattr(R, name)(F, lang)
            assert not re.search(r"\{[a-z_]+\}", md), (name, md)
            assert "nan" not in md.lower().split(), name
        section, word = NOT_MEASURED_IN[table]
        text = getattr(R, section)(F, lang)
        assert R.t(f"region.not_measured.{table}", lang) in text, (table, text)
        assert word in text
    assert R.headline(F).startswith("region: Mamuju")
    R.published_tables(F)
    if how == "removed":
        for kind in R.FIGURES:
            fig = R.figure(F, kind, "en", save=False)
            if fig is not None:
                plt.close(fig)
    if table == "performance":
        assert "Kinerja (L3/L4): tidak ada data SKP" in R.section_impact(F, "id")
        assert F["findings"]["impact_estimate"] is None
        assert R.t("region.conclusion_no_impact", "en") in R.section_conclusion(F, "en")
    if table in ("reaction", "tests", "followup"):
        assert R.t("region.rec_measure", "en", what=R.t(f"region.what.{table}", "en"),
                   level=R.MEASUREMENT[table][0]) in R.section_recommendations(F, "en")


# ------------------------------------------------------------------------------------- inference by OPD
def test_impact_text_counts_opd_and_gives_the_bootstrap_p_when_few(jakarta):
    imp = jakarta["impact"]
    assert imp["n_agencies"] == 3  # Unit A, B and C
    boot = imp["performance"]["report_quality"]["twfe"]["boot"]
    assert boot is not None and boot["n_clusters"] == 3 and 0 <= boot["p_value"] <= 1
    en, id_ = R.section_impact(jakarta, "en"), R.section_impact(jakarta, "id")
    assert "counted per agency (OPD), because training was given agency by agency" in en
    assert "With only 3 agencies, we also use a bootstrap test" in en
    assert "dihitung per OPD, karena pelatihan diberikan OPD demi OPD" in id_
    assert "Dengan hanya 3 OPD" in id_
    assert _words._p_text(boot["p_value"], "en") in en and _words._p_text(boot["p_value"], "id") in id_
    for word in ("TWFE", "CRV1", "Callaway", "Rademacher", "Webb"):  # method names: appendix only
        assert word not in en and word not in id_, word
    app = R.section_appendix(jakarta, "en")
    assert "CRV1" in app and "wild cluster" in app and "3 agencies" in app
    # reproducible: the same data give the same bootstrap p
    again = effects._wild(__import__("evalkit.impact", fromlist=["did"]).did(
        R.region_subset  # noqa: B018 - only to keep the import local
        and _panel(jakarta_tables := synthetic_tables(), "DKI Jakarta").dropna(subset=["report_quality"]),
        "report_quality", "person_id", "t", "treated_post", cluster="agency_id"), "treated_post", 3)
    assert again["p_value"] == boot["p_value"]
    del jakarta_tables


def _panel(tables, region):
    from evalkit.datasets import performance_panel

    s = R.region_subset(tables, region)
    return performance_panel(s["performance"], s["employees"], s["enrolments"], s["programmes"])


def test_many_agencies_need_no_bootstrap(tables):
    t2 = dict(tables)
    emp = tables["employees"].copy()
    emp["agency"] = [f"OPD {i % 40}" for i in range(len(emp))]
    t2["employees"] = emp
    F = R.region_findings("DKI Jakarta", t2)
    assert F["impact"]["n_agencies"] == 40
    assert F["impact"]["performance"]["report_quality"]["twfe"]["boot"] is None
    en = R.section_impact(F, "en")
    assert "40 agencies" in en and "bootstrap" not in en


# ------------------------------------------------------------------------------------------- small cells
def test_shares_from_fewer_than_five_people_are_counts(tables):
    t2 = dict(tables)
    rx = tables["reaction"]
    keep = rx[rx["programme_id"].str.startswith("M-")].head(4)
    t2["reaction"] = pd.concat([rx[~rx["programme_id"].str.startswith("M-")], keep])
    iv = tables["interviews"]
    t2["interviews"] = pd.concat([iv[iv["region"] != "Mamuju"], iv[iv["region"] == "Mamuju"].head(3)])
    F = R.region_findings("Mamuju", t2)
    assert F["reaction"]["n"] == 4
    k = int((keep["overall"] >= 4).sum())
    for lang, count in (("en", f"{k} of 4 people"), ("id", f"{k} dari 4 orang")):
        text = R.section_reaction(F, lang)
        assert count in text and "%" not in text, text
        beh = R.section_behaviour(F, lang)
        assert R.t("region.count_of", lang, k=k, n=4) in beh  # L1 on the common scale, as a count
        ch = R.section_challenges(F, lang)
        assert "«" not in ch  # no quotes from 3 texts
        assert R.t("region.challenge_theme_small", lang, n=3) in ch
        assert R.t("region.col.theme_share", lang) in ch  # the barrier table's theme column stays, blank
        assert "| 0% |" not in ch
    assert F["challenges"]["quotes"] == []


def test_conclusion_keeps_the_caveats_of_the_body(jakarta):
    imp = {**jakarta["impact"], "pretrend_k": 2, "pretrend_n": 5}
    F = {**jakarta, "impact": imp}
    caution = "Caution: before training, 2 of the 5 estimates already differed from zero"
    assert caution in R.section_conclusion(F, "en") and caution in R.title_block(F, "en")
    assert caution not in R.section_conclusion(jakarta, "en")  # no pre-trend in the planted data
    rq = imp["performance"]["report_quality"]
    fragile = {**rq, "twfe": {**rq["twfe"], "boot": {**rq["twfe"]["boot"], "p_value": 0.2}}}
    G = {**F, "impact": {**imp, "performance": {**imp["performance"], "report_quality": fragile}}}
    text = R.section_conclusion(G, "en")
    assert "the evidence is not yet firm" in text and "0.20" in text
    assert "does not yet confirm it" in R.title_block(G, "en")


def test_key_indicators_against_the_numbers_they_summarise(tables, mamuju):
    """The summary's Indikator | Target | Capaian | Status | Tren table: each value is the section's own number,
    each default target comes from its named source (recommendation thresholds, mutu B of PermenPANRB 14/2017),
    and the attendance trend is recomputed here from the tables (attendance of the invited by the year the
    programme ended)."""
    from evalkit.report.recommend import ATTENDANCE_MIN, REACTION_AGREE_MIN

    k = R.key_indicators(mamuju).set_index("indicator")
    att = k.loc["attendance_rate"]
    assert att["actual"] == mamuju["reach"]["attendance_rate"] and att["target"] == ATTENDANCE_MIN
    assert att["status"] == ("met" if att["actual"] >= ATTENDANCE_MIN else "not_met") and att["source"] == "rule"
    assert k.loc["reaction_agree", "target"] == REACTION_AGREE_MIN
    assert k.loc["ikm", "target"] == 76.61 and k.loc["ikm", "actual"] == mamuju["results"]["ikm_last"]
    assert k.loc["learning_gain", "status"] == "no_target"
    prog, enr = _sub(tables, "Mamuju")
    inv = enr[enr["invited"].astype(bool)].merge(prog[["programme_id", "end_date"]], on="programme_id")
    by_year = inv.groupby(pd.to_datetime(inv["end_date"]).dt.year)["attended"].agg(["size", "mean"])
    by_year = by_year[by_year["size"] >= 5]
    assert att["period_first"] == str(by_year.index[0]) and att["period_last"] == str(by_year.index[-1])
    assert np.isclose(att["trend_first"], by_year["mean"].iloc[0]) and np.isclose(att["trend_last"],
                                                                                  by_year["mean"].iloc[-1])
    text = R.section_key_indicators(mamuju, "id")
    assert "| Tingkat kehadiran | 70% |" in text and "PermenPANRB 14/2017" in text


def test_an_office_target_replaces_the_default(tables):
    """A target in the context file replaces the default of its indicator and is named as the office's."""
    ctx = {"regions": {"Mamuju": {"targets": [{"indicator": "attendance_rate", "value": 0.10},
                                              {"indicator": "wait_minutes", "value": 1}]}}}
    F = R.region_findings("Mamuju", tables, context=ctx)
    k = R.key_indicators(F).set_index("indicator")
    assert (k.loc["attendance_rate", "target"], k.loc["attendance_rate", "source"]) == (0.10, "office")
    assert k.loc["attendance_rate", "status"] == "met"
    assert k.loc["wait_minutes", "status"] == "not_met"  # no unit waits a minute or less on average
    assert "target kantor (berkas konteks)" in R.section_key_indicators(F, "id")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_jp_rule_scenario_against_direct_pandas(tables, mamuju, lang):
    """Cost of 20 JP per civil servant (issue: budget to reach the rule): the observed mix's cost per JP is the
    region's cost over JP completed (computed here from the raw frames), the shortfall is summed person by person
    over the staff list for the latest year, and the budget compared with is that year's realised spending."""
    prog, enr = _sub(tables, "Mamuju")
    bud = tables["budgets"][tables["budgets"]["region"] == "Mamuju"]
    done = enr[enr["completed"]].merge(prog[["programme_id", "jp", "end_date"]], on="programme_id")
    per_jp = bud["realised_rp"].sum() / done["jp"].sum()
    done["year"] = pd.to_datetime(done["end_date"]).dt.year
    year = int(pd.to_datetime(prog["end_date"]).dt.year.max())
    jp = done[done["year"] == year].groupby("person_id")["jp"].sum()
    staff = tables["employees"].loc[tables["employees"]["region"] == "Mamuju", "person_id"]
    gap = float(np.clip(20 - jp.reindex(staff, fill_value=0.0), 0, None).sum())
    jr = mamuju["challenges"]["jp_rule"]
    mix = jr["table"].set_index("scenario").loc["observed_mix"]
    assert mix["cost_per_jp"] == pytest.approx(per_jp)
    assert mix["cost_all_rp"] == pytest.approx(per_jp * 20 * 120)
    assert (jr["jp_year"], mix["jp_gap"]) == (year, pytest.approx(gap))
    assert jr["budget"] == pytest.approx(bud.loc[bud["year"] == bud["year"].max(), "realised_rp"].sum())
    assert set(jr["table"]["scenario"]) == set(MODES) | {"observed_mix"}
    text = R.section_challenges(mamuju, lang)
    assert R.t("region.table.jp_rule", lang, target=20) in text
    assert str(year) in text and re.search(r"\b2[.,]0\d\d\b", text) is None  # a year, not a number with separators
    assert "jp_rule_budget" in R.published_tables(mamuju)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_results_by_programme_and_opd_against_direct_pandas(tables, lang):
    """Per programme: invitations, attendance, share answering 4-5 on the overall item (L1) and mean post - pre
    (L2) recomputed from the raw frames; a programme with fewer than 5 test pairs has its gain blanked (and only
    that cell); per OPD: staff and the share who completed a programme, from the staff list."""
    t2 = {k: v.copy() for k, v in tables.items()}
    te = t2["tests"]
    keep = te[te["programme_id"] == "M-workshop"].index[:3]  # leave 3 test pairs for the workshop
    t2["tests"] = te[(te["programme_id"] != "M-workshop") | te.index.isin(keep)]
    F = R.region_findings("Mamuju", t2)
    prog, enr = _sub(t2, "Mamuju")
    pt = R.programme_table(F).set_index("programme_id")
    for pid, sub in enr.groupby("programme_id"):
        row = pt.loc[pid]
        assert row["programme"] == prog.set_index("programme_id").loc[pid, "title"]
        assert row["n_listed"] == len(sub) and row["attendance_rate"] == pytest.approx(sub["attended"].mean())
        rx = t2["reaction"][t2["reaction"]["programme_id"] == pid]
        assert row["agree_share"] == pytest.approx((rx["overall"] >= 4).mean())
        tp = t2["tests"][t2["tests"]["programme_id"] == pid]
        if len(tp) >= 5:
            assert row["gain"] == pytest.approx((tp["post_score"] - tp["pre_score"]).mean())
    assert pd.isna(pt.loc["M-workshop", "gain"]) and pt.loc["M-workshop", "suppressed"]
    assert pt.loc["M-workshop", "attendance_rate"] == pytest.approx(enr.loc[enr["programme_id"] == "M-workshop",
                                                                            "attended"].mean())
    emp = t2["employees"][t2["employees"]["region"] == "Mamuju"]
    ot = R.opd_table(F).set_index("opd")
    done = set(enr.loc[enr["completed"], "person_id"])
    for opd, staff in emp.groupby("agency"):
        assert ot.loc[opd, "n_staff"] == len(staff)
        assert ot.loc[opd, "completed_share"] == pytest.approx(staff["person_id"].isin(done).mean())
    text = R.section_programmes(F, lang)
    assert "Pelatihan klasikal" in text and R.t("region.table.opd", lang) in text
    assert R.t("region.suppressed_note", lang, threshold=5) in text
    assert {"by_programme", "by_opd"} <= set(R.published_tables(F))
