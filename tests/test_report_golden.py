"""Golden checks on the words of the region report (every section, both languages), built from the small
two-region frame of ``test_region_report``: what an official reads carries no software names, seeds, file paths
or raw keys; periods and amounts are written the Indonesian way on Indonesian pages; the key-indicator table gives
a target source on every row; the action plan names who and when; no share is printed from fewer than 5 people."""

from __future__ import annotations

import re

import pytest
from test_region_report import SECTION_FUNCS, synthetic_tables

from evalkit.report import region as R


@pytest.fixture(scope="module")
def reports():
    tables = synthetic_tables()
    out = {}
    for region in ("Mamuju", "DKI Jakarta"):
        F = R.region_findings(region, tables)
        for lang in ("id", "en"):
            out[(region, lang)] = (F, "\n\n".join(getattr(R, name)(F, lang) for name in SECTION_FUNCS))
    return out


# "a fixed seed" is a method statement; a seed's number is a software leftover
SOFTWARE = re.compile(r"\b(evalkit|pandas|statsmodels|pyfixest|python|jupyter|notebook|parquet)\b|\.py\b"
                      r"|\.csv\b|/[a-z_]+/|\bseed\s*[=:]?\s*\d{3,}", re.I)
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")  # attendance_rate, cost_per_jp, barrier_time ...
ENGLISH_PERIOD = re.compile(r"\b20\d\d(Q[1-4]|S[12])\b")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("region", ["Mamuju", "DKI Jakarta"])
def test_no_software_seed_path_or_raw_key(reports, region, lang):
    _, text = reports[(region, lang)]
    assert not SOFTWARE.search(text), SOFTWARE.search(text)
    assert not RAW_KEY.findall(text), sorted(set(RAW_KEY.findall(text)))[:10]
    assert not re.search(r"\bnan\b|\bNone\b|\{[a-z_]+\}", text)


@pytest.mark.parametrize("region", ["Mamuju", "DKI Jakarta"])
def test_indonesian_periods_and_amounts(reports, region):
    _, text = reports[(region, "id")]
    assert not ENGLISH_PERIOD.search(text), ENGLISH_PERIOD.search(text)
    assert re.search(r"semester (I|II) 20\d\d|triwulan (I|II|III|IV) 20\d\d", text)
    amounts = re.findall(r"Rp ?[\d.,]+(?: (?:juta|miliar|triliun))?", text)
    assert amounts
    for a in amounts:
        assert not re.search(r",0 (juta|miliar|triliun)$", a), a          # "Rp4 juta", not "Rp4,0 juta"
        assert not re.fullmatch(r"Rp ?\d{1,3}(\.\d{3}){2,}", a), a       # millions in words, not 3.807.175
        assert "IDR" not in a
    assert "IDR" not in text and not re.search(r"\d\.\d (juta|poin)", text)  # decimal comma


def test_english_amounts(reports):
    _, text = reports[("Mamuju", "en")]
    assert "Rp" not in text and re.search(r"IDR [\d.,]+ (million|billion)", text)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_key_indicators_give_a_source_and_the_actions_an_owner(reports, lang):
    F, text = reports[("Mamuju", lang)]
    ki = R.key_indicators(F)
    assert len(ki) >= 4 and ki["target"].notna().sum() >= 4
    assert ki.loc[ki["target"].notna(), "source"].notna().all()  # every target says where it comes from
    assert (ki.loc[ki["target"].isna(), "status"] == "no_target").all()
    plan = R.section_recommendations(F, lang)
    head = next(ln for ln in plan.splitlines() if ln.startswith("|"))
    for key in ("region.actions.col.owner", "region.actions.col.timeframe", "region.actions.col.cost"):
        assert R.t(key, lang) in head, (key, head)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_share_from_fewer_than_five(reports, lang):
    """Every 'x%' sentence in the text rests on at least 5 people: a share of k of n is written as a count when
    n < 5 (e.g. '3 of 4 people'), so no percentage sits next to a count below 5."""
    _, text = reports[("Mamuju", lang)]
    for m in re.finditer(r"(\d+(?:[.,]\d+)?)% \((\d+) (?:dari|of) (\d+)", text):
        assert int(m.group(3)) >= 5, m.group(0)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_glossary_explains_every_abbreviation_the_report_uses(reports, lang):
    """Every all-capitals abbreviation in the report's text (ASN, OPD, JP, SKP, IKM ...) is either in the glossary
    or a regulation's or method's name (PP, PermenPANRB, TWFE, ...) listed here."""
    _, text = reports[("Mamuju", lang)]
    gloss = R.glossary(lang)
    assert gloss in text
    named = {w for term, _ in R.GLOSSARY for w in re.findall(r"[A-Z][A-Z0-9-]+", term)}
    allowed = {"PP", "PNS", "PPPK", "TWFE", "CRV1", "ICC", "SD", "SE", "OLS", "DKI", "II", "III", "IV", "IDR", "DiD",
               "IK", "PDF", "L1", "L2", "L3", "L4", "ATT", "AME", "NA", "KUA", "PPAS", "RKPD", "SKM", "IKM", "SK",
               "NRR", "CI", "BPSDM", "BKN", "LAN"}
    abbreviations = set(re.findall(r"\b[A-Z]{2,}[0-9]?\b", text.replace(gloss, "")))
    assert abbreviations - named - allowed == set(), sorted(abbreviations - named - allowed)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_method_names_stay_in_the_method_appendix(reports, lang):
    """The main text says what changed and how sure we are; estimators and diagnostics are named only in the
    method appendix (issue: statistics where they belong)."""
    F, _ = reports[("DKI Jakarta", lang)]
    main = "\n\n".join(getattr(R, name)(F, lang) for name in SECTION_FUNCS if name != "section_appendix")
    names = re.compile(r"TWFE|CRV1|ICC|Hedges|Callaway|Sant'Anna|logit|Wald|event.study|studi peristiwa|"
                       r"HonestDiD|Feldt|Wilson", re.I)
    assert not names.findall(main), sorted(set(names.findall(main)))
    assert names.search(R.section_appendix(F, lang))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_methods_say_synthetic_only_on_synthetic_data(reports, lang):
    """No "field data" claim under a synthetic-data notice, and no synthetic wording on an office's data."""
    F, _ = reports[("Mamuju", lang)]
    field = R.section_methods(F, lang)
    demo = R.section_methods({**F, "context": {**F["context"], "synthetic": True}}, lang)
    assert R.t("region.methods.intro", lang) in field and R.t("region.methods.intro_synthetic", lang) in demo
    assert R.t("region.methods.intro", lang) not in demo
