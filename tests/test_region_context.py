"""Context file of the region report (evalkit.report.context): format, loading, validation, the demo's file."""

from __future__ import annotations

import json

import pytest

from evalkit import config
from evalkit.report import context as C
from evalkit.report import region as R
from evalkit.report.region import closing

DEMO = config.PROJ_ROOT / "src" / "evalkit" / "synth" / "demo_context.json"


def test_no_file_gives_an_empty_context(tmp_path):
    assert C.load_context(tmp_path) == {}
    assert C.region_context({}, "Kota Contoh") == {"issuer": None, "synthetic": False}


@pytest.mark.parametrize("name", C.CONTEXT_FILES)
def test_either_file_name_is_read(tmp_path, name):
    (tmp_path / name).write_text(json.dumps({
        "issuer": {"id": "BKPSDM Kota Contoh", "en": "BKPSDM of Kota Contoh"},
        "regions": {"Kota Contoh": {"background": {"id": "Latar {region}.", "en": "Background of {region}."},
                                    "objectives": "Tujuan.",
                                    "targets": [{"indicator": "wait_minutes", "value": 20, "year": 2024}]}}}),
        encoding="utf-8")
    ctx = C.load_context(tmp_path)
    assert ctx["synthetic"] is False
    e = C.region_context(ctx, "Kota Contoh")
    assert C.text_of(e["background"], "id", "Kota Contoh") == "Latar Kota Contoh."
    assert C.text_of(e["background"], "en", "Kota Contoh") == "Background of Kota Contoh."
    assert C.text_of(e["aims"], "en") == "Tujuan."  # "objectives" accepted, a plain string serves both languages
    assert C.text_of(e["issuer"], "en") == "BKPSDM of Kota Contoh"
    assert C.region_context(ctx, "Elsewhere") == {"issuer": ctx["issuer"], "synthetic": False}


def test_konteks_json_wins_and_language_falls_back(tmp_path):
    (tmp_path / "konteks.json").write_text(json.dumps({"regions": {"A": {"aims": {"id": "Hanya id."}}}}), "utf-8")
    (tmp_path / "context.json").write_text(json.dumps({"regions": {"A": {"aims": "other"}}}), "utf-8")
    e = C.region_context(C.load_context(tmp_path), "A")
    assert C.text_of(e["aims"], "en") == "Hanya id."
    assert C.text_of(None, "en") is None


@pytest.mark.parametrize("bad, match", [
    ([1, 2], "JSON object"),
    ({"regions": []}, "regions"),
    ({"regions": {"A": "text"}}, "must be an object"),
    ({"regions": {"A": {"background": 3}}}, "background"),
    ({"regions": {"A": {"targets": [{"indicator": "happiness", "value": 1}]}}}, "indicator"),
    ({"regions": {"A": {"targets": [{"indicator": "ikm", "value": "high"}]}}}, "numeric"),
])
def test_bad_context_is_a_clear_error(tmp_path, bad, match):
    (tmp_path / "context.json").write_text(json.dumps(bad), "utf-8")
    with pytest.raises(ValueError, match=match):
        C.load_context(tmp_path)


def test_invalid_json_names_the_file(tmp_path):
    (tmp_path / "konteks.json").write_text("{not json", "utf-8")
    with pytest.raises(ValueError, match="konteks.json"):
        C.load_context(tmp_path)


def test_demo_context_is_valid_synthetic_and_covers_the_five_regions():
    ctx = C.validate_context(json.loads(DEMO.read_text("utf-8")))
    assert ctx["synthetic"] is True
    assert set(ctx["regions"]) == set(config.REGIONS)
    for name, e in ctx["regions"].items():
        for key in ("background", "aims", "conclusion"):
            for lang in ("id", "en"):
                text = C.text_of(e[key], lang, name)
                assert text and "{" not in text, (name, key, lang)
        assert e["spotlight"] in R.SPOTLIGHTS
    # the load path the demo generator uses: the file copied into the raw folder as konteks.json
    assert len(C.load_context(DEMO.parent.parent / "synth")) == 0  # not named konteks.json there


def test_demo_context_copied_into_raw_is_found(tmp_path):
    (tmp_path / "konteks.json").write_bytes(DEMO.read_bytes())
    ctx = C.load_context(tmp_path)
    assert ctx["synthetic"] and "Ampenan" in ctx["regions"]


def test_targets_are_compared_with_the_data(tmp_path):
    from test_region_report import synthetic_tables

    tables = synthetic_tables()
    ctx = {"regions": {"Mamuju": {"targets": [
        {"indicator": "wait_minutes", "value": 100, "year": 2023},
        {"indicator": "attendance_rate", "value": 0.99},
        {"indicator": "ikm", "value": 99}]}}}
    F = R.region_findings("Mamuju", tables, context=ctx)
    text = R.section_results(F, "en")
    assert "Programme targets" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("- ")]
    assert len(lines) == 3
    assert lines[0].startswith("- Average waiting time: target 100.0 minutes (2023)") and "target met" in lines[0]
    assert "Attendance rate: target 99%" in lines[1] and "target not met" in lines[1]
    assert "IKM: target 99.0" in lines[2] and "target not met" in lines[2]


def test_quotes_are_translated_sentence_by_sentence_or_kept_with_a_note():
    """An English report shows a quote in English only when the context file translates every sentence of it
    (an opening clause such as "Menurut saya," and the rest separately); otherwise the original with a note."""
    import doctest

    assert doctest.testmod(C).failed == 0
    tr = {"Jadwalnya bentrok dengan tugas.": "The schedule clashes with duties.", "Sebagai atasan": "As a supervisor"}
    assert C.translate_quote("Sebagai atasan,  jadwalnya bentrok dengan tugas", tr) == \
        "As a supervisor, the schedule clashes with duties."
    assert C.translate_quote("Jadwalnya bentrok dengan tugas. Anggarannya kurang.", tr) is None
    assert C.translate_quote("Jadwalnya bentrok dengan tugas.", None) is None
    with pytest.raises(ValueError, match="translations"):
        C.validate_context({"translations": {"a": 1}})
    quotes = ["Jadwalnya bentrok dengan tugas.", "Anggarannya kurang."]
    en = closing._quotes(quotes, tr, "en")
    assert "> «The schedule clashes with duties.»" in en and "«Jadwalnya bentrok dengan tugas.»" in en
    assert "> «Anggarannya kurang.»" in en and R.t("region.quote_note", "en") in en
    assert closing._quotes(quotes, tr, "id") == "> «Jadwalnya bentrok dengan tugas.»\n\n> «Anggarannya kurang.»"


def test_demo_context_translates_every_demo_quote():
    """The demo's context file carries English for every interview sentence the demo generator writes, so the
    demo's English reports show translated quotes (independent list: the generator's templates and openers)."""
    from evalkit.synth.interviews import _OPENERS, THEMES

    ctx = C.validate_context(json.loads(DEMO.read_text(encoding="utf-8")))
    for sentences in THEMES.values():
        for s in sentences:
            assert C.translate_quote(s, ctx["translations"]), s
            for opener in _OPENERS.values():
                assert C.translate_quote(opener + s[:1].lower() + s[1:], ctx["translations"]), (opener, s)
