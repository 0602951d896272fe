"""A second office, outside the five demo regions, with only the files such an office keeps: BKPSDM Kabupaten
Sleman has a Google Forms satisfaction survey per training (one anonymous, one asking for the NIP), an
attendance workbook (two title rows, one sheet per training, NIPs stored as Excel numbers, presensi codes in
the Hadir column), a pre/post test workbook, no employee list and, in one variant, no programme list.

The evaluator runs ``evalkit codebook``, fills in the blanks as they would in Excel, then ``evalkit check`` and
``evalkit clean``. Every row is accounted for (rows read = kept + quarantined), nothing that is fine is
quarantined, no NIP or name of the raw files reaches the processed folder, and the region is the office's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import integer_cells, read_codebook, write_codebook
from typer.testing import CliRunner

from evalkit.cli import app
from evalkit.privacy import scan

runner = CliRunner()

REGION = "Kabupaten Sleman"
CODES = {"Kepemimpinan Pengawas": "SLM-PKP-01", "Pelayanan Publik": "SLM-PP-02"}
TITLES = {"SLM-PKP-01": "Pelatihan Kepemimpinan Pengawas", "SLM-PP-02": "Pelatihan Pelayanan Publik"}
LIKERT = ("Sangat tidak setuju", "Tidak setuju", "Netral", "Setuju", "Sangat setuju")
#: the five default items as the office's form asks them; the second is worded differently from evalkit's
#: own question ("Pengajar/Widyaiswara menguasai materi"), so the evaluator maps it in the codebook
QUESTIONS = ("Materi sesuai kebutuhan", "Widyaiswara menyampaikan materi dengan jelas dan menarik",
             "Materi relevan dengan tugas", "Sarana dan fasilitas memadai", "Secara keseluruhan saya puas")
FIRST = ("Agus", "Sri", "Dwi", "Eko", "Rina", "Budi", "Wahyu", "Endang", "Joko", "Lestari", "Yuni", "Bambang")
LAST = ("Santoso", "Wulandari", "Prasetyo", "Rahayu", "Nugroho", "Kusuma", "Hartono", "Susanti")


def _nips(rng: np.random.Generator, n: int) -> list[str]:
    """Valid 18-digit NIPs: birth date, appointment month, sex digit, serial."""
    out: set[str] = set()
    while len(out) < n:
        y, m, d = int(rng.integers(1968, 1998)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
        ay, am = y + int(rng.integers(22, 28)), int(rng.integers(1, 13))
        out.add(f"{y:04d}{m:02d}{d:02d}{ay:04d}{am:02d}{int(rng.integers(1, 3))}{int(rng.integers(1, 999)):03d}")
    return sorted(out)


def _office(folder: Path, *, programme_list: bool, seed: int = 2025) -> dict:
    """Write the office's folder; return what the test must find (NIPs, names, expected counts)."""
    from openpyxl import Workbook

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    nips = _nips(rng, 14)
    names = {n: f"{FIRST[i % len(FIRST)]} {LAST[(3 * i) % len(LAST)]} Widodo" for i, n in enumerate(nips)}
    sheets = {"Kepemimpinan Pengawas": nips[:8], "Pelayanan Publik": nips[7:]}  # nips[7] attends both
    codes = ["H", "H", "\u2713", "H", "S", "I", "DL", "H"]
    presence: dict[str, list[tuple[str, str]]] = {}

    wb = Workbook()
    for k, (sheet, people) in enumerate(sheets.items()):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = sheet
        ws.append([f"DAFTAR HADIR PELATIHAN {sheet.upper()}"])
        ws.append([f"BKPSDM {REGION.upper()}, JUNI 2025"])
        ws.append(["No", "NIP", "Nama", "Jabatan", "Hadir", "Tanda Tangan"])
        presence[sheet] = []
        for i, nip in enumerate(people, start=1):
            code = codes[int(rng.integers(0, len(codes)))]
            presence[sheet].append((nip, code))
            ws.append([i, f"INT:{nip}", names[nip], "Pengawas", code, ""])
    wb.save(folder / "Daftar Hadir Pelatihan 2025.xlsx")
    integer_cells(folder / "Daftar Hadir Pelatihan 2025.xlsx")

    wb = Workbook()
    n_tests = 0
    for k, (sheet, rows) in enumerate(presence.items()):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = sheet
        ws.append([f"REKAP NILAI PRE TEST DAN POST TEST - {sheet.upper()}"])
        ws.append([])
        ws.append(["No", "NIP", "Nama", "Pre Test", "Post Test"])
        for i, (nip, code) in enumerate([r for r in rows if r[1] in ("H", "\u2713")], start=1):
            pre = int(rng.integers(40, 75))
            ws.append([i, f"INT:{nip}", names[nip], pre, f"{min(99, pre + int(rng.integers(0, 30)))},5"])
            n_tests += 1
    wb.save(folder / "Rekap Nilai Pre Post Test.xlsx")
    integer_cells(folder / "Rekap Nilai Pre Post Test.xlsx")

    def form(path: Path, n: int, with_nip: bool) -> list[str]:
        wb = Workbook()
        ws = wb.active
        ws.title = "Jawaban Formulir 1"
        ws.append(["Stempel waktu", *(["NIP", "Nama lengkap"] if with_nip else []), *QUESTIONS, "Saran/Komentar"])
        used: list[str] = []
        previous: list[str] = []
        for i in range(n):
            answers = [LIKERT[int(v)] for v in rng.integers(2, 5, size=len(QUESTIONS))]
            if i == 1:  # two respondents may answer alike: an anonymous survey keeps both
                answers = previous
            previous = answers
            who: list[str] = []
            if with_nip:
                nip = "" if i == 2 else sheets["Pelayanan Publik"][i % 6]  # one left the NIP blank
                who = [nip, names.get(nip, "")]
                used += [nip] if nip else []
            ws.append([f"{5 + i}/6/2025 14:{10 + i}:0{i % 10}", *who, *answers, "Materi bermanfaat"])
        wb.save(path)
        return used

    form(folder / "Survei Kepuasan Kepemimpinan Pengawas (Jawaban).xlsx", 9, with_nip=False)
    form(folder / "Survei Kepuasan Pelayanan Publik (Jawaban).xlsx", 6, with_nip=True)

    if programme_list:  # named by its prefix; the columns an office rarely keeps (Topik, Biaya) are not there
        (folder / "pelatihan_2025.csv").write_text(
            "Kode Pelatihan;Nama Pelatihan;Metode;JP;Tanggal Mulai;Tanggal Selesai;Wilayah\n"
            f"SLM-PKP-01;{TITLES['SLM-PKP-01']};Klasikal;30;3 Juni 2025;5 Juni 2025;Kab. Sleman\n"
            f"SLM-PP-02;{TITLES['SLM-PP-02']};Tatap Muka;24;10 Juni 2025;12 Juni 2025;KABUPATEN SLEMAN\n",
            encoding="utf-8")
    kept = {"enrolments": sum(map(len, sheets.values())), "tests": n_tests, "reaction": 15}
    if programme_list:
        kept["programmes"] = 2
    return {"nips": set(nips), "names": {v.lower() for v in names.values()}, "kept": kept}


def _fill(rows: list[dict[str, str]], *, programme_list: bool) -> list[dict[str, str]]:
    """What the evaluator writes into the blanks: tables, the reworded question, columns to drop, and the
    programme of each form and sheet (by its title when there is a programme list to look it up in)."""
    out = []
    for r in rows:
        r = dict(r)
        f = r["file"]
        if f.startswith("Survei Kepuasan"):
            r["table"] = r["table"] or "reaction"
        elif f.startswith("Daftar Hadir"):
            r["table"] = r["table"] or "enrolments"
        elif f.startswith("Rekap Nilai"):
            r["table"] = r["table"] or "tests"
        if r["header"] == QUESTIONS[1]:
            r["field"], r["scale"] = "item", "trainer"
        elif r["header"] in ("Jabatan", "Nama", "Nama lengkap") and not r["field"]:
            r["field"] = "ignore"
        elif r["header"] == "Saran/Komentar":
            r["field"] = r["field"] or "comment"
        if not r["header"] and r["field"] == "trainer":
            continue  # given by the reworded question, mapped above
        if not r["header"] and r["field"] == "region":
            assert not programme_list, r  # asked only when no programme list places the training
            r["value"] = "Kab. Sleman" if f.startswith("Daftar") else REGION
            out.append(r)
            continue
        if not r["header"]:
            assert r["field"] == "programme_id", r  # the only thing these files lack that must be given
            training = r["sheet"] or f.removeprefix("Survei Kepuasan ").removesuffix(" (Jawaban).xlsx")
            code = CODES[training]
            if programme_list and f.startswith("Rekap Nilai"):
                r["field"], r["value"] = "programme_title", TITLES[code].upper()
            else:
                r["value"] = code
        assert r["table"] and r["field"], r
        out.append(r)
    return out


@pytest.mark.parametrize("programme_list", [False, True], ids=["no_programme_list", "programme_list"])
def test_an_office_with_forms_attendance_and_scores_only(tmp_project, programme_list):
    raw = tmp_project / "data" / "raw"
    truth = _office(raw, programme_list=programme_list)

    res = runner.invoke(app, ["codebook", str(raw)])
    assert res.exit_code == 0, res.output
    rows = read_codebook(raw / "codebook.csv")
    asked = {(r["file"], r["sheet"], r["field"]) for r in rows if not r["header"]}
    # invited, completed, the barriers and the form's NIP are optional: only the programme is asked for, and
    # the trainer item of the form whose question is worded unlike evalkit's
    assert {(f.split(" ")[0], field) for f, _sheet, field in asked if field not in ("programme_id", "region")} == {
        ("Survei", "trainer")}
    # without a programme list nothing says where the training took place: the region of each file is asked
    assert {(f, sheet) for f, sheet, field in asked if field == "region"} == (
        set() if programme_list else {(f, sheet) for f, sheet, field in asked if field == "programme_id"})
    assert {(f, sheet) for f, sheet, field in asked if field == "programme_id"} == {
        ("Daftar Hadir Pelatihan 2025.xlsx", "Kepemimpinan Pengawas"), ("Daftar Hadir Pelatihan 2025.xlsx",
                                                                        "Pelayanan Publik"),
        ("Rekap Nilai Pre Post Test.xlsx", "Kepemimpinan Pengawas"), ("Rekap Nilai Pre Post Test.xlsx",
                                                                      "Pelayanan Publik"),
        ("Survei Kepuasan Kepemimpinan Pengawas (Jawaban).xlsx", ""),
        ("Survei Kepuasan Pelayanan Publik (Jawaban).xlsx", "")}
    write_codebook(raw / "codebook.csv", _fill(rows, programme_list=programme_list))

    res = runner.invoke(app, ["check", str(raw)])
    assert res.exit_code == 0, res.output  # no error: every row can be used
    assert "no employee list (pegawai_*): NIPs could not be checked" in res.output
    assert ("no programme list" in res.output) == (not programme_list)
    assert "no NIP column: an anonymous questionnaire" in res.output
    assert "kept as anonymous answers" in res.output  # the blank NIP of the other form

    out = tmp_project / "data" / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    tables = manifest["tables"]
    assert set(tables) == set(truth["kept"])
    for t, entry in tables.items():
        assert entry["rows_read"] == entry["rows_kept"] + entry["rows_quarantined"], t
        for f in entry["files"]:
            assert f["rows_read"] == f["rows_kept"] + f["rows_quarantined"], f
        assert (t, entry["rows_kept"], entry["rows_quarantined"]) == (t, truth["kept"][t], 0)
    assert manifest["problems"]["errors"] == 0

    enr = pd.read_parquet(out / "enrolments.parquet")
    assert sorted(enr["programme_id"].unique()) == ["SLM-PKP-01", "SLM-PP-02"]
    assert enr["person_id"].notna().all() and enr["attended"].dtype == bool
    assert str(enr["completed"].dtype) == "boolean" and enr["completed"].isna().all()  # unknown, not False
    assert enr["invited"].isna().all() and enr["attendance_share"].isna().all()
    absent = enr.loc[~enr["attended"], "reason_absent"]
    assert set(absent) <= {"Sakit", "Izin", "Dinas Luar"} and absent.notna().all()
    for t in ("enrolments", "reaction", "tests"):  # the region given in the codebook, or none to write
        d = pd.read_parquet(out / f"{t}.parquet")
        assert (set(d["region"].astype(str)) == {"Sleman"}) if not programme_list else "region" not in d.columns, t
    rea = pd.read_parquet(out / "reaction.parquet")
    assert rea["person_id"].isna().sum() == 10  # the anonymous form (9, two alike) and one blank NIP
    assert rea[["material", "trainer", "relevance", "facilities", "overall"]].notna().all().all()
    assert rea.groupby("programme_id").size().to_dict() == {"SLM-PKP-01": 9, "SLM-PP-02": 6}
    tests = pd.read_parquet(out / "tests.parquet")
    assert set(tests["person_id"]) <= set(enr.loc[enr["attended"], "person_id"])
    if programme_list:
        prog = pd.read_parquet(out / "programmes.parquet")
        assert set(prog["region"].astype(str)) == {"Sleman"}  # the office's kabupaten
        assert prog["topic"].isna().all() and prog["cost_rp"].isna().all()
        assert set(tests["programme_id"]) == {"SLM-PKP-01", "SLM-PP-02"}  # the titles, looked up

    hits = scan([out], truth["nips"], truth["names"])
    assert hits.empty, hits

    from evalkit.participation import funnel

    with pytest.raises(ValueError, match=r"the funnel needs 'invited' \(Diundang\): not in this office's "
                                         r"attendance data"):
        funnel(enr)


@pytest.mark.slow
@pytest.mark.notebooks
def test_the_office_gets_a_report_per_language_from_evalkit_run(tmp_project, monkeypatch):
    """`evalkit codebook`, the filled codebook, then `evalkit run` (what `make report` calls): the steps whose
    tables the office lacks are not run and the index says which table each needs; the region report is rendered
    in Indonesian and English for the office's kabupaten with L1 and L2 from its data and the missing levels named;
    no demo region, no "synthetic" notice, no NIP or name anywhere in data/processed or reports/."""
    import re

    from evalkit import pipeline

    raw = tmp_project / "data" / "raw"
    truth = _office(raw, programme_list=False)
    assert runner.invoke(app, ["codebook", str(raw)]).exit_code == 0
    write_codebook(raw / "codebook.csv", _fill(read_codebook(raw / "codebook.csv"), programme_list=False))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    pipeline.run(workers=2, progress=False)

    reports = tmp_project / "reports"
    index = (reports / "index.html").read_text(encoding="utf-8")
    # the impact notebook needs SKP data: it is listed as not run, with the table it lacks
    assert re.search(r"04 [^<]*<span class=\"muted\">\(tidak dijalankan: perlu tabel [^)]*performance", index), index
    for lang in ("id", "en"):
        page = (reports / "regions" / f"sleman_{lang}.html").read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", page.split("</style>")[-1])
        assert "Sleman" in text
        assert not re.search(r"Mamuju|Batanghari|Jakarta|Bukittinggi|Ampenan|sintetis|synthetic", text), lang
        assert "Traceback" not in text
    id_text = (reports / "regions" / "sleman_id.html").read_text(encoding="utf-8")
    en_text = (reports / "regions" / "sleman_en.html").read_text(encoding="utf-8")
    # L1 and L2 from the office's own numbers (recomputed here from the cleaned tables)
    rea = pd.read_parquet(tmp_project / "data" / "processed" / "reaction.parquet")
    agree = int((rea["overall"] >= 4).sum())
    assert f"({agree} of {len(rea)} people)" in en_text and f"({agree} dari {len(rea)} orang)" in id_text
    tests = pd.read_parquet(tmp_project / "data" / "processed" / "tests.parquet")
    gain = (tests["post_score"] - tests["pre_score"]).mean()
    assert f"{gain:.1f}".replace(".", ",") in id_text and f"{gain:.1f}" in en_text
    # the levels without data are named, with how to measure them next time
    assert "Behaviour (L3): there are no post-training application ratings" in en_text
    assert "Kinerja (L3/L4): tidak ada data SKP" in id_text
    assert (reports / "09_questionnaire_scales.html").exists()
    assert not (reports / "04_impact_behaviour.html").exists()

    hits = scan([tmp_project / "data" / "processed", reports], truth["nips"], truth["names"])
    assert hits.empty, hits
