"""Field instruments that come back clean: XLSForms and Excel templates, and reading their exports back.

A tiny consistent office (12 employees, 2 programmes) is written with evalkit's own templates; KoboToolbox
exports are built from evalkit's own XLSForms (headers as XML names with group paths or as labels, values as
choice names or labels, Indonesian or English, XLSX or CSV, with Kobo's meta columns) and must pass
``evalkit check`` and ``evalkit clean`` with every row kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import uuid
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from evalkit.cli import app
from evalkit.ingest import check, clean, parse_nip
from evalkit.ingest.read import _header_index, header_key
from evalkit.ingest.spec import INSTRUMENT_QUESTIONS, RAW_TABLES, SKM_UNSUR, instrument_headers
from evalkit.instruments import (
    FORMS,
    TEMPLATES,
    write_instruments,
    write_templates,
    write_xlsforms,
)
from evalkit.instruments.forms import LANGUAGES, NIP_CONSTRAINT
from evalkit.instruments.templates import DATA_SHEET, EXAMPLE_NIP, header_of

runner = CliRunner()

PROGRAMMES = [("PEL-2025-01", "Pelayanan Prima", "Excellent Service"),
              ("PEL-2025-02", "Manajemen Arsip", "Records Management")]
#: 12 well-formed synthetic NIPs (birth 1980-1991, CPNS Jan 2010, alternating sex, serial 001)
NIPS = [f"{1980 + i}{i + 1:02d}15201001{1 + i % 2}001" for i in range(12)]
KOBO_META_BEFORE = ["start", "end", "today", "deviceid"]
KOBO_META_AFTER = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
                   "__version__", "_tags", "_index"]


# ------------------------------------------------------------------------------------------------ helpers


def _sheet_dicts(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    return [{h: ("" if v is None else v) for h, v in zip(head, r, strict=False)} for r in rows[1:]]


def _read_form(path: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    wb = load_workbook(path, read_only=True)
    survey = _sheet_dicts(wb["survey"])
    choices: dict[str, list[dict]] = {}
    for c in _sheet_dicts(wb["choices"]):
        choices.setdefault(c["list_name"], []).append(c)
    wb.close()
    return survey, choices


def _office_rows(form_key: str) -> list[dict]:
    """Context of each submission: who, which programme, which rater (keys stay unique)."""
    if form_key in ("survei_reaksi", "peserta_undangan"):
        return [{"nip": n, "programme_id": p[0]} for p in PROGRAMMES for n in NIPS]
    if form_key == "evaluasi_pasca":
        return [{"nip": n, "programme_id": PROGRAMMES[0][0], "rater_role": r} for n in NIPS
                for r in ("self", "supervisor", "peer")]
    return [{} for _ in range(10)]  # skm


def kobo_export(form_path: Path, form_key: str, dest: Path, header: str, values: str, lang: str) -> int:
    """A KoboToolbox export of ``form_path``: ``header`` "xml" (names with group paths) or "label" (labels of
    ``lang`` with group labels), ``values`` "xml" (choice names) or "label"; XLSX or CSV by ``dest``'s suffix.
    Returns the number of submissions."""
    survey, choices = _read_form(form_path)
    lab = f"label::{LANGUAGES[lang]}"
    cols: list[tuple[str, dict]] = []
    groups: list[tuple[str, str]] = []
    for q in survey:
        t = str(q["type"])
        if t == "begin_group":
            groups.append((q["name"], q.get(lab, "")))
            continue
        if t == "end_group":
            groups.pop()
            continue
        if t == "note":
            continue
        if header == "xml":
            h = "/".join([g[0] for g in groups] + [q["name"]])
        else:
            h = "/".join([g[1] for g in groups] + [q.get(lab) or q["name"]])
        cols.append((h, q))
    ctx_rows = _office_rows(form_key)
    table: list[list[object]] = []
    for i, ctx in enumerate(ctx_rows):
        row: list[object] = []
        for k, (_h, q) in enumerate(cols):
            t, name = str(q["type"]), q["name"]
            if t.startswith("select_one "):
                opts = choices[t.split(" ", 1)[1]]
                if name in ctx:
                    ch = next(c for c in opts if c["name"] == ctx[name])
                else:
                    ch = opts[(i + k) % len(opts)]
                row.append(ch["name"] if values == "xml" else ch[lab])
            elif t == "calculate":
                row.append(str(uuid.UUID(int=1000 + i)))
            elif t == "date":
                row.append(f"2025-06-{1 + i % 28:02d}")
            elif t == "integer":
                row.append(60 + (i * 7) % 41)
            elif name == "nip":
                row.append(ctx["nip"])
            elif name == "unit":
                row.append("Unit Pelayanan Terpadu")
            else:
                row.append(f"catatan {i}" if i % 3 else "")
        stamp = f"2025-06-{1 + i % 28:02d}T0{i % 9}:15:00.000+07:00"
        meta_before = [stamp, stamp, f"2025-06-{1 + i % 28:02d}", f"collect:{i:08d}"]
        meta_after = [100 + i, str(uuid.UUID(int=i)), f"2025-06-{1 + i % 28:02d}T01:15:00", "", "", "submitted_via_web",
                      "", "vAbCdEf", "", i + 1]
        table.append(meta_before + row + meta_after)
    head = KOBO_META_BEFORE + [h for h, _q in cols] + KOBO_META_AFTER
    if dest.suffix == ".csv":  # Kobo's CSV export: ";" and quoted cells
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL)
            w.writerow(head)
            w.writerows(table)
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Kobo export"
        ws.append(head)
        for r in table:
            ws.append(r)
        wb.save(dest)
    return len(table)


def fill_template(template: Path, dest: Path, rows: list[dict]) -> None:
    """Fill a template as an office would: the example row replaced by ``rows`` (field -> value)."""
    wb = load_workbook(template)
    ws = wb[DATA_SHEET]
    table = next(t for t in TEMPLATES.values() if t.file == template.name).table
    heads = [c.value for c in ws[1]]
    ws.delete_rows(2)
    for i, r in enumerate(rows, start=2):
        for j, h in enumerate(heads, start=1):
            field = next(f for f in TEMPLATES[table].fields if header_of(table, f) == h)
            ws.cell(row=i, column=j, value=r.get(field))
    wb.save(dest)


def _office(templates: Path, raw: Path) -> None:
    """Employees and programmes of the tiny office, written with evalkit's own templates."""
    regions = ["Mamuju", "Batanghari"]
    fill_template(templates / "pegawai.xlsx", raw / "pegawai_kantor.xlsx", [
        {"nip": n, "name": f"Pegawai Uji {i}", "region": regions[i % 2], "agency": "Dinas Uji",
         "position_type": ("struktural", "fungsional", "pelaksana")[i % 3], "golongan": "III/b", "education": "S1"}
        for i, n in enumerate(NIPS)])
    fill_template(templates / "pelatihan.xlsx", raw / "pelatihan_kantor.xlsx", [
        {"programme_id": code, "title": t_id, "topic": "Pelayanan publik", "mode": "klasikal", "jp": 24,
         "start_date": dt.date(2025, 3, 3 + 7 * k), "end_date": dt.date(2025, 3, 5 + 7 * k), "region": "Mamuju",
         "cost_rp": 40_000_000 + k, "provider": "BPSDM Uji"}
        for k, (code, t_id, _en) in enumerate(PROGRAMMES)])


@pytest.fixture(scope="module")
def instruments(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("instruments")
    write_instruments(out, ("id", "en"), programmes=PROGRAMMES, regions=["Kab. Mamuju", "BATANG HARI"])
    return out


def _manifest_counts(out: Path) -> dict[str, tuple[int, int, int]]:
    m = json.loads((out / "manifest.json").read_text())
    return {t: (v["rows_read"], v["rows_kept"], v["rows_quarantined"]) for t, v in m["tables"].items()}


# ------------------------------------------------------------------------------------------------ XLSForms


@pytest.mark.parametrize("langs", [("id", "en"), ("id",), ("en",)])
def test_every_xlsform_converts_without_errors_or_warnings(tmp_path, langs):
    import pyxform
    from pyxform.xls2xform import convert

    paths = write_xlsforms(tmp_path, langs)
    paths += write_xlsforms(tmp_path / "office", langs, programmes=PROGRAMMES)
    assert len(paths) == 2 * len(FORMS)
    for p in paths:
        warnings: list[str] = []
        result = convert(str(p), warnings=warnings)
        assert result.xform, p
        assert warnings == [], (p.name, warnings, pyxform.__version__)
        xml = result.xform
        if "en" in langs and "id" in langs:
            assert "Indonesian (id)" in xml and "English (en)" in xml


def test_xlsforms_have_languages_constraints_and_settings(tmp_path):
    write_xlsforms(tmp_path, ("id", "en"))
    for key, form in FORMS.items():
        wb = load_workbook(tmp_path / f"xlsform_{key}.xlsx", read_only=True)
        assert wb.sheetnames == ["survey", "choices", "settings"]
        survey = _sheet_dicts(wb["survey"])
        settings = _sheet_dicts(wb["settings"])[0]
        assert settings["default_language"] == "Indonesian (id)"
        names = [q["name"] for q in survey]
        # every question of the table's instrument is there under its canonical name
        for q in INSTRUMENT_QUESTIONS[form.table]:
            assert q.field in names, (key, q.field)
        for q in survey:
            if q["name"] == "nip":
                assert q["constraint"] == NIP_CONSTRAINT and q["required"] == "yes"
            if q["type"] not in ("begin_group", "end_group", "calculate"):
                assert q["label::Indonesian (id)"] and q["label::English (en)"], q["name"]
        wb.close()
    survey, choices = _read_form(tmp_path / "xlsform_skm.xlsx")
    unsur = [q for q in survey if str(q["name"]).startswith("u") and q["name"][1].isdigit()]
    assert [q["name"] for q in unsur] == [c for c, _a in SKM_UNSUR]  # the regulation's order
    assert all(len(choices[q["name"]]) == 4 for q in unsur)
    assert [c["label::Indonesian (id)"] for c in choices["u4_biaya"]] == ["Sangat mahal", "Cukup mahal", "Murah",
                                                                          "Gratis"]
    # the programme list of an unfilled form is one clearly marked example
    _s, ch = _read_form(tmp_path / "xlsform_survei_reaksi.xlsx")
    assert len(ch["pelatihan"]) == 1 and "CONTOH" in ch["pelatihan"][0]["label::Indonesian (id)"]


def test_instrument_labels_are_unambiguous_headers():
    for table, questions in INSTRUMENT_QUESTIONS.items():
        idx = _header_index(RAW_TABLES[table])
        for q in questions:
            for text in (q.id, q.en):
                assert idx[header_key(text)] == q.field, (table, text)
        assert set(instrument_headers(table)) >= {q.id for q in questions}


# ------------------------------------------------------------------------------------------------ templates


def test_templates_have_text_nip_validations_and_a_parsable_example(tmp_path):
    assert parse_nip(EXAMPLE_NIP).birth_date == dt.date(1990, 1, 1)
    paths = write_templates(tmp_path)
    assert {p.name for p in paths} == {t.file for t in TEMPLATES.values()}
    for p in paths:
        t = next(t for t in TEMPLATES.values() if t.file == p.name)
        wb = load_workbook(p)
        assert wb.sheetnames == [DATA_SHEET, "Petunjuk"]
        ws = wb[DATA_SHEET]
        heads = [c.value for c in ws[1]]
        assert heads == [header_of(t.table, f) for f in t.fields]
        # every header is one the cleaner accepts
        idx = _header_index(RAW_TABLES[t.table])
        assert all(idx.get(header_key(h)) for h in heads)
        validated = {}
        for dv in ws.data_validations.dataValidation:
            for rng in str(dv.sqref).split():
                validated[rng.split(":")[0].rstrip("0123456789")] = dv
        for j, f in enumerate(t.fields, start=1):
            col = ws.cell(row=1, column=j).column_letter
            if f == "nip":
                assert ws.cell(row=2, column=j).number_format == "@"
                assert ws.cell(row=500, column=j).number_format == "@"
                assert ws.cell(row=2, column=j).value == EXAMPLE_NIP
                assert validated[col].type == "textLength"
            if f in t.lists:
                assert validated[col].type == "list", (p.name, f)
                for v in t.lists[f]:
                    assert v in validated[col].formula1
        wb.close()
    presensi = TEMPLATES["enrolments"].lists["reason_absent"]
    assert [v.split(" ")[0] for v in presensi] == ["I", "S", "A", "DL", "C", "TB"]
    likert = TEMPLATES["reaction"].lists["material"]
    assert likert == ("Sangat tidak setuju", "Tidak setuju", "Netral", "Setuju", "Sangat setuju")
    assert TEMPLATES["followup"].lists["rater_role"] == ("Diri sendiri", "Atasan langsung", "Rekan kerja")
    assert TEMPLATES["programmes"].lists["mode"][0] == "klasikal"
    assert TEMPLATES["employees"].lists["position_type"] == ("struktural", "fungsional", "pelaksana")


def test_unfilled_templates_pass_check_with_their_example_row(tmp_path):
    write_templates(tmp_path)
    report = check(tmp_path)
    assert report.ok and not report.problems, [p.expected for p in report.problems]
    assert all(s.rows_read == s.rows_kept == 1 for s in report.files)


def test_filled_templates_come_back_clean(tmp_path, monkeypatch):
    tpl, raw, out = tmp_path / "tpl", tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    write_templates(tpl)
    _office(tpl, raw)
    fill_template(tpl / "presensi.xlsx", raw / "presensi_2025.xlsx", [
        {"nip": n, "programme_id": PROGRAMMES[0][0], "invited": "Ya", "registered": "Ya",
         "attended": "Ya" if i % 4 else "Tidak", "completed": "Ya" if i % 4 else "Tidak",
         "attendance_share": 90 if i % 4 else 0, "reason_absent": None if i % 4 else "S - Sakit",
         "barrier_time": "Ya" if i % 3 == 0 else "Tidak", "barrier_relevance": "Tidak",
         "barrier_motivation": "Tidak", "barrier_experienced": "Ya" if i % 5 == 0 else "Tidak"}
        for i, n in enumerate(NIPS)])
    fill_template(tpl / "nilai_tes.xlsx", raw / "nilai_tes_2025.xlsx", [
        {"nip": n, "programme_id": PROGRAMMES[0][0], "pre_score": 50 + i, "post_score": 70.5 + i}
        for i, n in enumerate(NIPS)])
    fill_template(tpl / "anggaran.xlsx", raw / "anggaran_2025.xlsx", [
        {"region": "Mamuju", "year": 2025, "programme_id": code, "allocated_rp": 50_000_000, "realised_rp": 41_000_000}
        for code, _t, _e in PROGRAMMES])
    fill_template(tpl / "layanan.xlsx", raw / "layanan_2025.xlsx", [
        {"unit": "Unit Pelayanan Terpadu", "region": "Mamuju", "month": f"{m} 2025", "volume": 300 + k,
         "wait_minutes": 20.5, "processing_days": 2, "complaints_received": 3, "complaints_resolved": 2}
        for k, m in enumerate(["Januari", "Februari", "Maret"])])
    fill_template(tpl / "wawancara.xlsx", raw / "wawancara_2025.xlsx", [
        {"interview_id": f"W-{k:02d}", "region": "Mamuju", "role": role, "interview_date": dt.date(2025, 7, k + 1),
         "text": "Materi pelatihan dipakai untuk memperbaiki alur layanan."}
        for k, role in enumerate(["peserta", "atasan", "kepala_dinas"])])
    likert = TEMPLATES["reaction"].lists["material"]
    fill_template(tpl / "survei_reaksi.xlsx", raw / "survei_reaksi_kertas.xlsx", [
        {"nip": n, "programme_id": PROGRAMMES[1][0], "material": likert[i % 5], "trainer": likert[(i + 1) % 5],
         "relevance": likert[(i + 2) % 5], "facilities": likert[(i + 3) % 5], "overall": likert[(i + 4) % 5],
         "comment": "Waktu praktik kurang." if i % 2 else None} for i, n in enumerate(NIPS)])
    fill_template(tpl / "evaluasi_pasca.xlsx", raw / "evaluasi_pasca_kertas.xlsx", [
        {"nip": n, "programme_id": PROGRAMMES[0][0], "rater_role": role, "rating_date": dt.date(2025, 9, 1),
         **{f: likert[(i + k) % 5] for k, f in enumerate(("apply_material", "work_quality", "share_knowledge",
                                                          "service_initiative"))}}
        for i, n in enumerate(NIPS) for role in TEMPLATES["followup"].lists["rater_role"]])
    skm_lists = TEMPLATES["skm"].lists
    fill_template(tpl / "skm.xlsx", raw / "skm_kertas.xlsx", [
        {"respondent_id": str(i + 1), "unit": "Unit Pelayanan Terpadu", "region": "Mamuju",
         "period": "Semester II 2025",
         **{c: skm_lists[c][(i + k) % 4] for k, c in enumerate(c for c in skm_lists if c != "region")}}
        for i in range(8)])
    report = check(raw)
    assert report.ok and not report.problems, [(p.file, p.column, p.expected) for p in report.problems]
    res = clean(raw, out, key="test-key-not-secret")
    counts = _manifest_counts(out)
    expected = {"employees": 12, "programmes": 2, "enrolments": 12, "tests": 12, "budgets": 2, "services": 3,
                "interviews": 3, "reaction": 12, "followup": 36, "skm": 8}
    for table, n in expected.items():
        assert counts[table] == (n, n, 0), table
    emp = pd.read_parquet(out / "employees.parquet")
    assert len(emp) == 12 and set(emp["sex"]) == {"L", "P"}
    enr = pd.read_parquet(out / "enrolments.parquet")
    assert enr["attended"].sum() == 9 and enr["barrier_time"].sum() == 4
    assert res.report.ok
    skm = pd.read_parquet(out / "skm.parquet")  # the regulation's wording of each unsur, scored 1-4 by position
    assert sorted(skm["u8_pengaduan"].astype(int)) == sorted((i + 7) % 4 + 1 for i in range(8))
    assert sorted(skm["u9_sarana"].astype(int)) == sorted((i + 8) % 4 + 1 for i in range(8))
    rea = pd.read_parquet(out / "reaction.parquet")
    assert sorted(rea["overall"].astype(int)) == sorted((i + 4) % 5 + 1 for i in range(12))


# ------------------------------------------------------------------------------------------------ round trips

STYLES = [(h, v, lang) for h in ("xml", "label") for v in ("xml", "label") for lang in ("id", "en")]


@pytest.mark.parametrize(("header", "values", "lang"), STYLES)
def test_kobo_exports_come_back_clean(instruments, tmp_project, header, values, lang):
    raw = tmp_project / "data" / "raw"
    _office(instruments / "templates", raw)
    k = STYLES.index((header, values, lang))
    n_rows: dict[str, int] = {}
    for j, (key, form) in enumerate(FORMS.items()):
        ext = "xlsx" if (j + k) % 2 == 0 else "csv"
        dest = raw / f"{form.prefix}_kobo_{header}_{values}_{lang}.{ext}"
        n_rows[form.table] = kobo_export(instruments / "xlsform" / f"xlsform_{key}.xlsx", key, dest, header, values,
                                         lang)
    res = runner.invoke(app, ["check", str(raw)])
    assert res.exit_code == 0, res.output
    report = check(raw)
    assert report.ok and not report.problems, [(p.file, p.column, p.expected) for p in report.problems]
    out = tmp_project / "data" / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    counts = _manifest_counts(out)
    for table, n in n_rows.items():
        assert counts[table] == (n, n, 0), (table, counts[table])
    # the answers mean what the respondent chose (the same synthetic choices in every style)
    rea = pd.read_parquet(out / "reaction.parquet")
    assert set(rea["programme_id"]) == {p[0] for p in PROGRAMMES}
    assert rea[["material", "trainer", "relevance", "facilities", "overall"]].stack().between(1, 5).all()
    skm = pd.read_parquet(out / "skm.parquet")
    survey, choices = _read_form(instruments / "xlsform" / "xlsform_skm.xlsx")
    cols = [q["name"] for q in survey if str(q["type"]).split(" ")[0] not in ("note", "begin_group", "end_group")]
    for col in [c for c in cols if c.startswith("u") and c[1].isdigit()]:
        kcol = cols.index(col)
        expected = sorted((i + kcol) % 4 + 1 for i in range(n_rows["skm"]))
        assert sorted(skm[col].astype(int)) == expected, col
    assert set(skm["period"]) <= {c["name"].replace("-", "") for c in choices["periode"]}
    assert skm["unit"].eq("Unit Pelayanan Terpadu").all()
    fol = pd.read_parquet(out / "followup.parquet")
    assert sorted(fol["rater_role"].astype(str).unique()) == ["peer", "self", "supervisor"]
    assert len(pd.read_parquet(out / "enrolments.parquet")) == 2 * len(NIPS)


def test_kobo_group_paths_meta_columns_and_label_slashes_are_read(tmp_path):
    """Labels holding "/" behind a group label, the meta columns of Kobo and ODK Central's "-" paths."""
    from evalkit.ingest import read_raw

    p = tmp_path / "skm_odk.csv"
    head = ["SubmissionDate", "KEY", "start", "end", "grp-region", "unit", "period", "respondent_id",
            *(f"Pendapat responden tentang pelayanan/{q.id}" for q in INSTRUMENT_QUESTIONS["skm"][4:]),
            "meta-instanceID", "Status"]
    row = ["2025-06-01", "uuid:1", "x", "y", "mamuju", "Unit A", "2025-S1", "R1", *["Baik"] * 9, "uuid:1", ""]
    p.write_text(";".join(head) + "\n" + ";".join(row) + "\n", encoding="utf-8")
    [r] = read_raw(p)
    assert r.unknown_columns == [] and r.missing_required == []
    assert r.data.loc[0, "u9_sarana"] == "3" and r.data.loc[0, "region"] == "mamuju"


# ------------------------------------------------------------------------------------------------ CLI


def test_instruments_command_writes_only_indonesian_labels(tmp_path):
    out = tmp_path / "inst"
    res = runner.invoke(app, ["instruments", "--out", str(out), "--lang", "id"])
    assert res.exit_code == 0, res.output
    forms = sorted((out / "xlsform").glob("*.xlsx"))
    assert len(forms) == len(FORMS) and len(list((out / "templates").glob("*.xlsx"))) == len(TEMPLATES)
    for p in forms:
        wb = load_workbook(p, read_only=True)
        for sheet in ("survey", "choices"):
            rows = list(wb[sheet].iter_rows(values_only=True))
            heads = [h for h in rows[0] if h]
            assert not any("English" in h or "::en" in h.lower() for h in heads), (p.name, heads)
            assert any("Indonesian (id)" in h for h in heads)
            text = " ".join(str(v) for r in rows for v in r if v)
            for english in ("Strongly agree", "Your NIP", "Overall, I am satisfied", "Service unit", "Yes"):
                assert english not in text, (p.name, english)
        wb.close()
    for p in (out / "templates").glob("*.xlsx"):
        wb = load_workbook(p, read_only=True)
        ins = list(wb["Petunjuk"].iter_rows(values_only=True))
        assert all(len([v for v in r if v]) <= 1 for r in ins)
        assert "Instructions" not in " ".join(str(v) for r in ins for v in r if v)
        wb.close()


def test_instruments_command_help_and_bad_language(tmp_path):
    res = runner.invoke(app, ["instruments", "--help"])
    assert res.exit_code == 0 and "Kobo" in res.output and "--lang" in res.output
    res = runner.invoke(app, ["instruments", "--out", str(tmp_path), "--lang", "fr"])
    assert res.exit_code == 1 and "Traceback" not in res.output and "unknown language" in res.output


def test_region_lists_are_the_offices_own(tmp_path):
    """The forms and templates never offer another office's regions: without regions the SKM form has one marked
    example (which the check rejects if left in an export) and the templates take any region as text; with
    regions, both offer exactly those, by their Kemendagri display names."""
    from openpyxl import load_workbook

    plain, own = tmp_path / "plain", tmp_path / "own"
    write_instruments(plain, ("id",))
    write_instruments(own, ("id",), regions=["Kab. Sleman", "3471"])

    def region_choices(folder):
        ws = load_workbook(folder / "xlsform" / "xlsform_skm.xlsx")["choices"]
        rows = list(ws.iter_rows(values_only=True))
        return [r[1] for r in rows[1:] if r[0] == "wilayah"]

    assert region_choices(plain) == ["kabupaten_contoh"]
    assert region_choices(own) == ["sleman", "kota_yogyakarta"]

    def region_validation(folder):
        ws = load_workbook(folder / "templates" / "pegawai.xlsx")[DATA_SHEET]
        col = next(c.column_letter for c in ws[1] if c.value == header_of("employees", "region"))
        return [dv.formula1 for dv in ws.data_validations.dataValidation
                if any(str(r).startswith(col + "2") for r in str(dv.sqref).split())]

    assert region_validation(plain) == []
    assert region_validation(own) == ['"Sleman,Kota Yogyakarta"']



def test_the_skm_periods_follow_the_year_given(tmp_path):
    """`evalkit instruments --year 2027` offers the semesters 2026-S1 ... 2028-S2, whatever today's date: the same
    command rebuilds the same form later (without it the periods are those around the current year)."""
    from evalkit.cli import app

    res = CliRunner().invoke(app, ["instruments", "--out", str(tmp_path), "--year", "2027", "--lang", "id"])
    assert res.exit_code == 0, res.output
    ws = load_workbook(tmp_path / "xlsform" / "xlsform_skm.xlsx")["choices"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    periods = [r[head.index("name")] for r in rows[1:] if r[head.index("list_name")] == "periode"]
    assert periods == ["2026-S1", "2026-S2", "2027-S1", "2027-S2", "2028-S1", "2028-S2"]
    bad = CliRunner().invoke(app, ["instruments", "--out", str(tmp_path), "--year", "27"])
    assert bad.exit_code != 0 and "2000" in bad.output


# ------------------------------------------------------------------------------------------- end to end
@pytest.mark.slow
@pytest.mark.notebooks
def test_an_office_fielding_the_instruments_gets_its_report_without_a_codebook(instruments, tmp_project):
    """The issue's "done when": an office with no data runs `evalkit instruments`, fills its staff and programme
    templates, fields the forms in Kobo (exports with labels as headers and values), keeps its test scores in the
    template, and `evalkit run` (what `make report` calls) renders its region report in both languages without a
    codebook: no demo region, no NIP or name in any output, every row read kept."""
    from evalkit import pipeline
    from evalkit.privacy import scan

    raw = tmp_project / "data" / "raw"
    tpl = instruments / "templates"
    names = [f"Pegawai Uji {i}" for i in range(len(NIPS))]
    fill_template(tpl / "pegawai.xlsx", raw / "pegawai_kantor.xlsx", [
        {"nip": n, "name": names[i], "region": "Kab. Sleman", "agency": ("Dinas A", "Dinas B")[i % 2],
         "position_type": ("struktural", "fungsional", "pelaksana")[i % 3], "golongan": "III/b", "education": "S1"}
        for i, n in enumerate(NIPS)])
    fill_template(tpl / "pelatihan.xlsx", raw / "pelatihan_kantor.xlsx", [
        {"programme_id": code, "title": t_id, "topic": "Pelayanan publik", "mode": "klasikal", "jp": 24,
         "start_date": dt.date(2025, 3, 3 + 7 * k), "end_date": dt.date(2025, 3, 5 + 7 * k), "region": "Sleman",
         "cost_rp": 40_000_000 + k, "provider": "BPSDM Uji"} for k, (code, t_id, _en) in enumerate(PROGRAMMES)])
    for key, form in FORMS.items():
        kobo_export(instruments / "xlsform" / f"xlsform_{key}.xlsx", key, raw / f"{form.prefix}_kobo.xlsx", "label",
                    "label", "id")
    fill_template(tpl / "nilai_tes.xlsx", raw / "nilai_tes_2025.xlsx", [
        {"nip": n, "programme_id": PROGRAMMES[0][0], "pre_score": 50 + i, "post_score": 70.5 + i}
        for i, n in enumerate(NIPS)])
    assert not (raw / "codebook.csv").exists()
    pipeline.run(workers=2, progress=False)

    out = tmp_project / "data" / "processed"
    assert all(read == kept for read, kept, _q in _manifest_counts(out).values())
    reports = tmp_project / "reports"
    for lang in ("id", "en"):
        page = (reports / "regions" / f"sleman_{lang}.html").read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", page.split("</style>")[-1])
        assert "Sleman" in text and "Traceback" not in text
        assert not re.search(r"Mamuju|Batanghari|Jakarta|Bukittinggi|Ampenan|sintetis|synthetic", text), lang
    assert (reports / "02_participation.html").exists() and (reports / "09_questionnaire_scales.html").exists()
    hits = scan([out, reports], NIPS, names)
    assert hits.empty, hits
