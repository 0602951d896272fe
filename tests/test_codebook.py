"""The codebook an evaluator fills in Excel, on a folder as an office keeps it: a Google Forms export whose
headers are the question texts, an attendance workbook with title rows and one sheet per training (NIPs typed
as numbers), and files whose names carry no table prefix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import integer_cells, read_codebook, write_codebook
from typer.testing import CliRunner

from evalkit.cli import app
from evalkit.ingest import check, load_codebook, read_raw
from evalkit.ingest.codebook import COLUMNS, CodebookError, build_codebook

runner = CliRunner()

NIPS = ["198503172010012004", "199001152015031002", "198812052012121001", "197906302005011003",
        "199203112019032005", "198701222010011002"]
DESTROYED = 1.98503172010012e17  # an 18-digit NIP typed into a number cell: 15 digits kept
FORM_HEADERS = ["Stempel waktu", "NIP", "Nama lengkap", "Judul pelatihan yang diikuti",
                "Materi relevan dengan tugas saya", "Sarana dan fasilitas pelatihan memadai",
                "Materi pelatihan sesuai dengan kebutuhan saya", "Pengajar menguasai materi dengan baik",
                "Secara keseluruhan saya puas dengan pelatihan ini", "Jadwal pelatihan tepat waktu",
                "Saran dan masukan"]


def _office(folder: Path) -> Path:
    """Write the office's folder: programmes (named by prefix), a Google Forms reaction export, an attendance
    workbook and a test-score file with unknown names, and a note that is not data."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pelatihan_2024.csv").write_text(
        "Kode Pelatihan;Nama Pelatihan;Topik;Metode;JP;Tanggal Mulai;Tanggal Selesai;Wilayah;Biaya\n"
        "PEL-001;Pelayanan Prima;Pelayanan publik;Klasikal;24;5 Agustus 2024;7 Agustus 2024;Mamuju;Rp15.000.000\n"
        "PEL-002;Manajemen  Arsip;Kearsipan;Daring;16;12 Agt 2024;13 Agt 2024;Mamuju;Rp8.000.000\n",
        encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = "Jawaban Formulir 1"
    ws.append(FORM_HEADERS)
    answers = [("pelayanan prima", "Sangat setuju", "Setuju", "Setuju", "Sangat setuju", "Setuju", "Setuju"),
               ("Pelayanan Prima", "Setuju", "Netral", "Setuju", "Setuju", "Sangat setuju", "Netral"),
               ("Manajemen Arsip", 4, 3, 4, 5, 4, 2),
               ("Pelatihan Lain", "Setuju", "Setuju", "Setuju", "Setuju", "Setuju", "Setuju")]
    for k, (title, *likert) in enumerate(answers):
        ws.append([f"1{k}/08/2024 10:15:3{k}", NIPS[k], f"Peserta {k}", title, *likert, "Cukup baik"])
    wb.save(folder / "Survei Kepuasan Peserta (Jawaban).xlsx")

    wb = Workbook()
    first = True
    for sheet, title, nips in (("Pelayanan Prima", "PELAYANAN PRIMA", [f"INT:{NIPS[0]}", f"INT:{NIPS[1]}", DESTROYED]),
                               ("Manajemen Arsip", "MANAJEMEN ARSIP", [f"INT:{NIPS[2]}", f"INT:{NIPS[3]}"])):
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = sheet
        ws.append([f"DAFTAR HADIR PELATIHAN {title}"])
        ws.append(["Tanggal: 5 - 7 Agustus 2024"])
        ws.append([])
        ws.append(["No", "NIP", "Nama", "Jabatan", "Unit Kerja", "Hadir", "Tanda Tangan"])
        for k, nip in enumerate(nips, start=1):
            ws.append([k, nip, f"Pegawai {k}", "Analis", "BKPSDM", "Ya" if k != 2 else "Tidak", ""])
    wb.save(folder / "Daftar Hadir 2024.xlsx")
    integer_cells(folder / "Daftar Hadir 2024.xlsx")

    (folder / "rekap_nilai.csv").write_text(
        "NIP,Kode Pelatihan,Pre Test,Post Test,Keterangan\n"
        f"{NIPS[0]},PEL-001,60,85,\n{NIPS[2]},PEL-002,55,70,remedial\n", encoding="utf-8")
    (folder / "catatan rapat.docx").write_bytes(b"not a table")
    return folder


def _read_codebook(path: Path) -> list[dict[str, str]]:
    rows = read_codebook(path)
    assert rows and list(rows[0]) == list(COLUMNS)
    return rows


def _fill(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """What an evaluator writes into the blanks."""
    items = {"Materi pelatihan sesuai dengan kebutuhan saya": "material",
             "Pengajar menguasai materi dengan baik": "Pengajar",  # a scale named by the item's header works too
             "Secara keseluruhan saya puas dengan pelatihan ini": "overall",
             "Jadwal pelatihan tepat waktu": "ketepatan jadwal"}  # not a default item: kept in the items table
    out = []
    for r in rows:
        r = dict(r)
        if r["file"].startswith("Survei Kepuasan"):
            r["table"] = r["table"] or "reaction"
            if r["header"] in items:
                r["field"], r["scale"] = "item", items[r["header"]]
            elif r["header"] == "Judul pelatihan yang diikuti":
                r["field"] = "programme_title"
            elif r["header"] == "Saran dan masukan":
                r["field"] = "comment"
            if r["field"] == "programme_id" and not r["header"]:
                continue  # given by the title column
        if r["file"].startswith("Daftar Hadir"):
            if r["header"] in ("Jabatan", "Unit Kerja"):
                r["field"] = "ignore"
            if not r["header"]:
                if r["field"] == "programme_id":
                    if r["sheet"] == "Pelayanan Prima":
                        r["field"], r["value"] = "programme_title", "pelayanan prima"
                    else:
                        r["value"] = "PEL-002"
                elif r["field"] == "attendance_share":
                    r["value"] = "100"
                elif r["field"].startswith("barrier_"):
                    r["value"] = "Tidak"
                else:  # invited, registered, completed
                    r["value"] = "Ya"
        if r["file"] == "rekap_nilai.csv" and r["header"] == "Keterangan":
            r["field"] = "ignore"
        out.append(r)
    out.append({"file": "presensi_lama*.xlsx", "sheet": "", "table": "enrolments", "header": "Hadir?",
                "field": "attended", "scale": "", "value": ""})  # a file the office no longer has
    out.append({"file": "rekap_nilai.csv", "sheet": "", "table": "tests", "header": "Nilai Akhir",
                "field": "post_score", "scale": "", "value": ""})  # a header the file does not have
    return out


def test_codebook_prefills_what_it_recognises_and_asks_for_the_rest(tmp_project):
    raw = _office(tmp_project / "office")
    res = runner.invoke(app, ["codebook", str(raw)])
    assert res.exit_code == 0, res.output
    rows = _read_codebook(raw / "codebook.csv")
    by = {(r["file"], r["sheet"], r["header"]): r for r in rows}
    form = "Survei Kepuasan Peserta (Jawaban).xlsx"
    # the form: the table from its headers, NIP by alias, the timestamp, question texts by similarity
    assert by[(form, "", "NIP")]["table"] == "reaction" and by[(form, "", "NIP")]["field"] == "nip"
    assert by[(form, "", "Stempel waktu")]["field"] == "submitted_at"
    assert by[(form, "", "Materi relevan dengan tugas saya")]["field"] == "relevance"
    assert by[(form, "", "Sarana dan fasilitas pelatihan memadai")]["field"] == "facilities"
    assert by[(form, "", "Nama lengkap")]["field"] == "ignore"
    for h in ("Materi pelatihan sesuai dengan kebutuhan saya", "Pengajar menguasai materi dengan baik",
              "Jadwal pelatihan tepat waktu", "Judul pelatihan yang diikuti"):
        assert by[(form, "", h)]["field"] == ""  # not close enough: left to the evaluator
    # the attendance workbook: one row set per sheet, header found under the title rows, table from the title
    att = "Daftar Hadir 2024.xlsx"
    for sheet in ("Pelayanan Prima", "Manajemen Arsip"):
        assert by[(att, sheet, "NIP")]["table"] == "enrolments"
        assert by[(att, sheet, "Hadir")]["field"] == "attended"
        assert by[(att, sheet, "No")]["field"] == "ignore" and by[(att, sheet, "Tanda Tangan")]["field"] == "ignore"
        assert by[(att, sheet, "Jabatan")]["field"] == ""
        missing = {r["field"] for r in rows if r["file"] == att and r["sheet"] == sheet and not r["header"]}
        assert missing == {"programme_id"}  # the other enrolment columns offices rarely keep are optional
    assert by[("rekap_nilai.csv", "", "Pre Test")]["table"] == "tests"
    assert by[("rekap_nilai.csv", "", "Keterangan")]["field"] == ""
    assert not any(r["file"] == "pelatihan_2024.csv" and not r["header"] for r in rows)  # nothing missing
    assert "catatan rapat.docx" in res.output and "fill in" in res.output
    assert "guessed by similarity" in res.output
    # never overwritten without --force
    before = (raw / "codebook.csv").read_bytes()
    res = runner.invoke(app, ["codebook", str(raw)])
    assert res.exit_code == 1 and "--force" in res.output
    assert (raw / "codebook.csv").read_bytes() == before
    assert runner.invoke(app, ["codebook", str(raw), "--force"]).exit_code == 0


def test_check_and_clean_read_the_filled_codebook(tmp_project):
    raw = _office(tmp_project / "office")
    rows, _found = build_codebook(raw)
    write_codebook(raw / "codebook.csv", _fill(rows))

    res = runner.invoke(app, ["check", str(raw)])
    assert "Traceback" not in res.output
    out = res.output
    # unmatched codebook rows are warnings with their row number
    n = len(rows) + 2
    assert any(ln.startswith("warning") and "codebook.csv" in ln and f" {n - 1} " in ln and "matches no file" in ln
               for ln in out.splitlines()), out
    assert any(ln.startswith("warning") and f" {n} " in ln and "Nilai Akhir" in ln for ln in out.splitlines())
    # a question that is no default item is read and used (the items table), not reported as unused
    assert "read but not used" not in out
    assert "submitted_at" in out
    # the NIP Excel destroyed: the row, and how to fix the sheet
    line = next(ln for ln in out.splitlines() if "Excel" in ln and "NIP" in ln)
    assert line.startswith("error") and "Daftar Hadir 2024.xlsx [Pelayanan Prima]" in line and " 7 " in line
    [excel] = [p for p in check(raw).problems if p.row == 7 and "Excel" in p.expected]  # said once
    assert "Text" in excel.expected and "SIMPEG" in excel.expected
    # the unknown title
    assert any("Pelatihan Lain" in ln and "not found" in ln for ln in out.splitlines())
    assert "catatan rapat.docx" in out

    rep = check(raw)
    files = {s.file: s for s in rep.files}
    assert files["Daftar Hadir 2024.xlsx"].table == "enrolments"
    assert files["Daftar Hadir 2024.xlsx"].rows_read == 5
    assert files["Survei Kepuasan Peserta (Jawaban).xlsx"].table == "reaction"
    assert files["rekap_nilai.csv"].table == "tests"
    assert "codebook.csv" not in files

    outdir = tmp_project / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(outdir)])
    assert res.exit_code == 0, res.output
    m = pd.read_json(outdir / "manifest.json", typ="series")
    for t in m["tables"].values():
        assert t["rows_read"] == t["rows_kept"] + t["rows_quarantined"]
        for f in t["files"]:
            assert f["rows_read"] == f["rows_kept"] + f["rows_quarantined"]
    enr = pd.read_parquet(outdir / "enrolments.parquet")
    assert sorted(enr["programme_id"]) == ["PEL-001", "PEL-001", "PEL-002", "PEL-002"]  # the title, the code
    assert m["tables"]["enrolments"]["rows_quarantined"] == 1  # the destroyed NIP
    rea = pd.read_parquet(outdir / "reaction.parquet")
    assert sorted(rea["programme_id"]) == ["PEL-001", "PEL-001", "PEL-002"]  # title case and spacing ignored
    assert {"material", "trainer", "overall", "relevance", "facilities"} <= set(rea.columns)
    assert rea["material"].notna().all() and rea["trainer"].notna().all()
    assert m["tables"]["reaction"]["rows_quarantined"] == 1  # the unknown title
    items = pd.read_parquet(outdir / "items.parquet")  # the question of its own, with its scale and wording
    extra = items[items["scale"] == "ketepatan jadwal"]
    assert len(extra) == len(rea) and set(extra["item"]) == {"jadwal_pelatihan_tepat_waktu"}
    assert set(extra["wording"]) == {"Jadwal pelatihan tepat waktu"}
    tests = pd.read_parquet(outdir / "tests.parquet")
    assert len(tests) == 2


def test_a_value_gives_a_constant_column_and_ignore_drops_one(tmp_project):
    raw = tmp_project / "office"
    raw.mkdir()
    (raw / "nilai_tes_mamuju.csv").write_text(f"NIP,Pre Test,Post Test,Catatan\n{NIPS[0]},60,85,x\n")
    write_codebook(raw / "codebook.csv", [
        {"file": "nilai_tes_*.csv", "sheet": "", "table": "tests", "header": "", "field": "programme_id",
         "scale": "", "value": "pel-009"},
        {"file": "nilai_tes_*.csv", "sheet": "", "table": "tests", "header": "catatan", "field": "ignore",
         "scale": "", "value": ""}])
    [r] = read_raw(raw / "nilai_tes_mamuju.csv", codebook=load_codebook(raw / "codebook.csv"))
    assert r.data.columns.tolist() == ["nip", "programme_id", "pre_score", "post_score"]
    assert r.unknown_columns == [] and r.missing_required == []
    rep = check(raw)
    assert rep.ok, rep.problems
    assert not [p for p in rep.problems if p.file == "codebook.csv"]


@pytest.mark.parametrize("text, row, column, words", [
    ("file,table,header\nx.csv,tests,NIP\n", 1, "field", "missing"),
    ("file,sheet,table,header,field,scale,value\nx.csv,,tset,NIP,nip,,\n", 2, "table", "unknown table"),
    ("file,sheet,table,header,field,scale,value\nx.csv,,tests,NIP,nip,,\nx.csv,,tests,Skor,score,,\n", 3,
     "field", "has no field"),
    ("file;sheet;table;header;field;scale;value\nx.csv;;tests;NIP;nip;;1\n", 2, "value", "either"),
    ("file,sheet,table,header,field,scale,value\n,,tests,NIP,nip,,\n", 2, "file", "no file"),
])
def test_a_malformed_codebook_names_row_and_column(tmp_project, text, row, column, words):
    raw = tmp_project / "office"
    raw.mkdir()
    (raw / "nilai_tes.csv").write_text(f"NIP,Kode Pelatihan,Pre Test,Post Test\n{NIPS[0]},PEL-1,60,85\n")
    (raw / "codebook.csv").write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as e:
        load_codebook(raw / "codebook.csv")
    assert (row, column) in [(r, c) for r, c, _m in e.value.problems]
    assert words in str(e.value)
    res = runner.invoke(app, ["check", str(raw)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    line = next(ln for ln in res.output.splitlines() if ln.startswith("error") and "codebook.csv" in ln)
    assert f" {row} " in line and column in line
    out = tmp_project / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert f"row {row}" in res.output and repr(column) in res.output
    assert not out.exists()  # nothing written


def test_nip_typed_as_number_keeps_all_18_digits(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["NIP", "Kode Pelatihan", "Pre Test", "Post Test"])
    ws.append([f"INT:{NIPS[0]}", "PEL-1", 60, 85])
    ws.append([DESTROYED, "PEL-1", 50, 70])
    wb.save(tmp_path / "nilai_tes.xlsx")
    integer_cells(tmp_path / "nilai_tes.xlsx")
    from evalkit.ingest import read as _read

    for reader in (_read._read_xlsx_fast, lambda p: _read._read_xlsx_openpyxl(p, p.name)):  # both readers
        [(rows, _meta)] = reader(tmp_path / "nilai_tes.xlsx")
        assert rows[1][0] == NIPS[0]
    [r] = read_raw(tmp_path / "nilai_tes.xlsx")
    assert r.data["nip"].tolist()[0] == NIPS[0]
    assert [(row, f) for row, f, _m in r.cell_notes] == [(3, "nip")]
    assert "Excel kept 15 digits" in r.cell_notes[0][2] and "SIMPEG" in r.cell_notes[0][2]


def test_check_with_the_codebook_as_written_lists_what_to_fill_in(tmp_project):
    """Before the evaluator fills anything in: no traceback, the blanks are warnings with their codebook row,
    the recognised headers are already used, and the counts balance."""
    raw = _office(tmp_project / "office")
    assert runner.invoke(app, ["codebook", str(raw)]).exit_code == 0
    rows = _read_codebook(raw / "codebook.csv")
    rep = check(raw)
    notes = [p for p in rep.problems if p.file == "codebook.csv"]
    assert notes and all(p.severity == "warning" and p.row for p in notes)
    jabatan = next(i for i, r in enumerate(rows, start=2) if r["header"] == "Jabatan")
    assert any(p.row == jabatan and "no field given" in p.expected for p in notes)
    files = {s.file: s for s in rep.files}
    assert files["Daftar Hadir 2024.xlsx"].table == "enrolments"  # the table written in the codebook
    for s in rep.files:
        assert s.rows_read == s.rows_kept + s.rows_quarantined
