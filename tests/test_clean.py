"""The cleaner and the checker on the bad-input corpus and on small crafted folders."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalkit.ingest import check, clean, format_problems
from evalkit.ingest.pseudonym import key_fingerprint, pseudonymise
from evalkit.ingest.schemas import schema_for

BAD = Path(__file__).parent / "badinput"
TODAY = dt.date(2026, 1, 1)
KEY = "test-key-not-secret"

NIPS = {"198503172010012004": "Siti Aminah", "196608011988031001": "Budi Santoso",
        "199001012015031002": "Andi Pratama", "198712252012122003": "Sri Mulyani"}
EMP_HEADER = "NIP,Nama,Wilayah,Unit Kerja,Jenis Jabatan,Golongan,Pendidikan\n"


def _roster(raw: Path) -> None:
    rows = [f"{n},{name},Kab. Mamuju,BKD,pelaksana,III/a,S1" for n, name in NIPS.items()]
    (raw / "pegawai_mamuju.csv").write_text(EMP_HEADER + "\n".join(rows) + "\n")


@pytest.fixture
def raw(tmp_project) -> Path:
    return tmp_project / "data" / "raw"


def _make_corpus(raw: Path) -> Path:
    """The whole bad-input corpus plus a roster, a cp1252 file, a BOM file and an interview file."""
    raw.mkdir(parents=True, exist_ok=True)
    for p in BAD.iterdir():
        shutil.copy(p, raw / p.name)
    _roster(raw)
    (raw / "pegawai_cp1252.csv").write_bytes(
        (EMP_HEADER + "199203142019032001,Ani Rahma,Batang Hari,Dinas P\u00e9ndidikan \u2013 A,pelaksana,"
                      "II/b,SMA\n").encode("cp1252"))
    (raw / "anggaran_bom.csv").write_bytes(
        ("\ufeffWilayah;Tahun Anggaran;Kode Pelatihan;Pagu;Realisasi\n"
         "Mamuju;2024;PEL-001;Rp1.250.000.000,00;Rp 1.000.000.000\n"
         "Mamuju;2025;PEL-001;1250000000;tidak ada\n").encode("utf-8"))
    (raw / "wawancara_mamuju.csv").write_text(
        "ID Wawancara,Wilayah,Peran Informan,Tanggal Wawancara,Catatan Wawancara\n"
        'W1,Mamuju,kepala dinas,17 Agt 2024,"Ibu SITI AMINAH (NIP 19850317 201001 2 004) sudah menerapkan."\n'
        'W2,Mamuju,Atasan Langsung,2024-08-18,"Budi Santoso, S.Kom. rajin; NIP 196608011988031001."\n')
    return raw


@pytest.fixture
def corpus(tmp_project) -> Path:
    return _make_corpus(tmp_project / "data" / "raw")


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cleaned_dir(tmp_path_factory):
    """One clean run of the corpus shared by the read-only tests below (the key is passed explicitly)."""
    base = tmp_path_factory.mktemp("corpus")
    raw = _make_corpus(base / "raw")
    before = _digest(raw)
    res = clean(raw, base / "out", key=KEY, today=TODAY)
    return res, before, raw, base


@pytest.fixture
def cleaned(cleaned_dir):
    return cleaned_dir[0], cleaned_dir[1]


def test_raw_dir_untouched(cleaned_dir):
    _res, before, raw, _ = cleaned_dir
    assert _digest(raw) == before


def test_rows_are_conserved_for_every_table_and_file(cleaned):
    res, _ = cleaned
    m = res.manifest
    assert m["tables"]
    for t, entry in m["tables"].items():
        assert entry["rows_read"] == entry["rows_kept"] + entry["rows_quarantined"], t
        for f in entry["files"]:
            assert f["rows_read"] == f["rows_kept"] + f["rows_quarantined"], f["file"]
        if t in res.tables:
            assert len(pd.read_parquet(res.tables[t])) == entry["rows_kept"]
            assert len(pd.read_parquet(res.quarantine[t])) == entry["rows_quarantined"]


def test_quarantine_reasons(cleaned):
    res, _ = cleaned
    q = pd.read_parquet(res.quarantine["reaction"])
    reasons = dict(zip(zip(q["file"], q["row"]), q["reason"], strict=True))
    dup = "survei_reaksi_duplicates.csv"
    assert reasons[(dup, 3)] == f"duplicate row (same as {dup} row 2)"
    assert reasons[(dup, 4)] == f"duplicate row (same as {dup} row 2)"  # same content in other spellings
    assert reasons[(dup, 5)].startswith("duplicate key with different content")
    assert reasons[(dup, 6)].startswith("duplicate key with different content")
    lik = "survei_reaksi_likert_outside.csv"
    assert reasons[(lik, 2)] == "Materi: answer outside the 1-5 scale"
    assert reasons[(lik, 4)] == "Kepuasan Keseluruhan: answer outside the 1-5 scale"
    p = pd.read_parquet(res.quarantine["programmes"]).set_index("row")["reason"]
    assert p[5] == "Biaya: negative amount (costs and budgets cannot be negative)"
    assert p[6].startswith("Wilayah: unknown region")
    assert p[7] == "JP: expected a number; Tanggal Selesai: no such date: 31 Februari 2024"
    assert p[8] == "Tanggal Selesai: end date before start date"
    t = pd.read_parquet(res.quarantine["tests"])
    assert set(t["reason"]) >= {"file unusable: missing required column(s) post_score (e.g. 'Nilai Post-test')"}


def test_future_date_is_quarantined(cleaned):
    res, _ = cleaned
    q = pd.read_parquet(res.quarantine["followup"])
    assert q["reason"].tolist() == ["Tanggal Penilaian: date in the future (after 2026-01-01)"]
    kept = pd.read_parquet(res.tables["followup"])
    assert kept["rating_date"].tolist() == [pd.Timestamp("2025-02-17")]


def test_mixed_dates_and_rupiah_are_cleaned(cleaned):
    res, _ = cleaned
    p = pd.read_parquet(res.tables["programmes"]).set_index("programme_id")
    assert p.loc["PEL-001", "start_date"] == pd.Timestamp("2024-08-17")
    assert p.loc["PEL-002", "end_date"] == pd.Timestamp("2024-09-05")
    assert p.loc["PEL-003", "start_date"] == pd.Timestamp("2024-10-01")  # Excel serial 45566
    assert p.loc["PEL-003", "end_date"] == pd.Timestamp("2024-10-04")  # "Jumat, 4 Oktober 2024"
    assert p["cost_rp"].to_dict() == {"PEL-001": 1_250_000_000.0, "PEL-002": 75_000_000.0, "PEL-003": 98_500_000.0}
    assert p.loc["PEL-001", "mode"] == "klasikal" and p.loc["PEL-002", "mode"] == "e-learning"
    assert p.loc["PEL-003", "region"] == "Bukittinggi" and p.loc["PEL-002", "region"] == "Batanghari"


def test_encodings_in_the_clean_output(cleaned):
    res, _ = cleaned
    e = pd.read_parquet(res.tables["employees"])
    assert "Dinas P\u00e9ndidikan \u2013 A" in set(e["agency"])
    b = pd.read_parquet(res.tables["budgets"])
    assert b["allocated_rp"].tolist() == [1_250_000_000.0]
    qb = pd.read_parquet(res.quarantine["budgets"])
    assert qb["reason"].tolist() == ["Realisasi: expected an amount in rupiah like 'Rp1.250.000'"]


def test_dtypes_and_schema(cleaned):
    res, _ = cleaned
    for t, path in res.tables.items():
        df = pd.read_parquet(path)
        schema_for(t).validate(df)
    e = pd.read_parquet(res.tables["employees"])
    assert list(e.columns[:4]) == ["person_id", "sex", "birth_year", "appointment_year"]
    assert isinstance(e["golongan"].dtype, pd.CategoricalDtype)
    assert list(e["golongan"].cat.categories[:2]) == ["II/a", "II/b"]
    assert e["person_id"].is_monotonic_increasing
    en = pd.read_parquet(res.tables["followup"])
    assert str(en["rating_date"].dtype) == "datetime64[ns]"


def test_employee_fields_derived_from_nip(cleaned):
    res, _ = cleaned
    e = pd.read_parquet(res.tables["employees"]).set_index("person_id")
    row = e.loc[pseudonymise("196608011988031001", KEY)]
    assert (row["sex"], row["birth_year"], row["appointment_year"]) == ("L", 1966, 1988)
    # the same NIP with different content in two employee files: both versions quarantined
    assert pseudonymise("198503172010012004", KEY) not in e.index


def test_no_nip_or_name_in_any_written_file(cleaned):
    res, _ = cleaned
    written = [p for p in res.out_dir.rglob("*") if p.is_file()]
    assert len(written) >= 10
    needles = [n.encode() for n in NIPS] + [n.encode() for n in ["19850317 201001 2 004", "198513172010012004"]]
    names = [n.encode() for n in NIPS.values()] + [b"SITI AMINAH", b"Dewi Lestari", b"Rina Wati", b"Agus Salim"]
    for p in written:
        data = p.read_bytes()
        for s in needles + names:
            assert s not in data, (p.name, s)
    w = pd.read_parquet(res.tables["interviews"]).set_index("interview_id")["text"]
    assert w["W1"] == "Ibu [NAMA] (NIP [NIP]) sudah menerapkan."
    assert w["W2"] == "[NAMA], S.Kom. rajin; NIP [NIP]."


def test_quarantine_shows_pseudonym_or_mask(cleaned):
    res, _ = cleaned
    q = pd.read_parquet(res.quarantine["employees"])
    assert "name" not in q.columns and "nip" not in q.columns
    assert set(q.loc[q["file"] == "pegawai_invalid_nips.csv", "person_id"]) == {
        "[disamarkan]", pseudonymise("198712252012122003", KEY)}


def test_problems_csv_and_manifest(cleaned_dir):
    res, _, _, tmp_project = cleaned_dir
    out = res.out_dir
    p = pd.read_csv(out / "quarantine" / "problems.csv")
    assert list(p.columns) == ["table", "file", "row", "column", "value", "expected", "severity"]
    assert {"error", "warning"} == set(p["severity"])
    assert "README.md" in set(p["file"])
    m = json.loads((out / "manifest.json").read_text())
    assert m["key_fingerprint"] == key_fingerprint(KEY) and KEY not in (out / "manifest.json").read_text()
    assert m["unused_files"][0]["file"] == "README.md"
    assert str(tmp_project) not in (out / "manifest.json").read_text()
    assert str(tmp_project) not in (out / "quarantine" / "problems.csv").read_text()


def test_atomic_write_leaves_no_temp_file(cleaned):
    leftovers = [p.name for p in cleaned[0].out_dir.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert leftovers == []


def test_atomic_write_permissions_and_a_failed_write(tmp_path, monkeypatch):
    """One atomic write for every layer (evalkit._util): the file gets 0666 less the umask (not mkstemp's 0600),
    text is UTF-8, and a write that fails before the rename leaves the old file and no temporary file."""
    import os

    from evalkit import _util

    target = _util.atomic_write(tmp_path / "sub" / "a.csv", "wilayah;nilai\nSleman;1\n")
    assert target.read_text(encoding="utf-8") == "wilayah;nilai\nSleman;1\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_util.UMASK

    def fail(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        _util.atomic_write(target, b"new")
    assert target.read_text(encoding="utf-8").startswith("wilayah") and sorted(os.listdir(target.parent)) == ["a.csv"]


def test_determinism_byte_identical(cleaned_dir, tmp_path):
    a, _, corpus, _ = cleaned_dir
    b = clean(corpus, tmp_path / "b", key=KEY, today=TODAY)
    assert _digest(a.out_dir) == _digest(b.out_dir)
    c = clean(corpus, tmp_path / "c", key="another key", today=TODAY)
    assert _digest(c.out_dir)["employees.parquet"] != _digest(a.out_dir)["employees.parquet"]


def test_rerun_overwrites_in_place(corpus, tmp_project):
    out = tmp_project / "out"
    clean(corpus, out, key=KEY, today=TODAY)
    first = _digest(out)
    clean(corpus, out, key=KEY, today=TODAY)
    assert _digest(out) == first


def test_stale_table_is_removed(raw, tmp_project):
    _roster(raw)
    shutil.copy(BAD / "nilai_tes_semicolon.csv", raw)
    out = tmp_project / "out"
    clean(raw, out, key=KEY, today=TODAY)
    assert (out / "tests.parquet").exists()
    (raw / "nilai_tes_semicolon.csv").unlink()
    res = clean(raw, out, key=KEY, today=TODAY)
    assert not (out / "tests.parquet").exists() and "tests" not in res.manifest["tables"]


def test_key_file_created_on_first_use(raw, tmp_project, monkeypatch):
    monkeypatch.delenv("EVALKIT_KEY")
    _roster(raw)
    keyfile = tmp_project / "data" / ".evalkit_key"
    assert not keyfile.exists()
    r1 = clean(raw, tmp_project / "o1")
    assert keyfile.exists() and len(keyfile.read_text().strip()) == 64
    r2 = clean(raw, tmp_project / "o2")
    assert r1.manifest["key_fingerprint"] == r2.manifest["key_fingerprint"]


def test_env_key_is_used(raw, tmp_project):
    _roster(raw)
    res = clean(raw, tmp_project / "o")
    assert res.manifest["key_fingerprint"] == key_fingerprint(KEY)
    assert not (tmp_project / "data" / ".evalkit_key").exists()


def test_out_dir_inside_raw_dir_refused(raw):
    with pytest.raises(ValueError, match="must not be the raw folder or inside it"):
        clean(raw, raw / "processed", key=KEY)


def test_huge_text_cell_where_a_number_belongs(raw, tmp_project):
    big = "9" * 50_000 + "x" * 50_000
    (raw / "nilai_tes_big.csv").write_text(
        f"NIP,Kode Pelatihan,Pretest,Posttest\n198503172010012004,P1,{big},80\n196608011988031001,P1,70,80\n")
    rep = check(raw, today=TODAY)
    [p] = rep.errors
    assert (p.row, p.column, p.expected) == (2, "Pretest", "expected a number")
    assert len(p.value) < 200 and p.value.endswith("(100000 characters)")


def test_xlsx_with_title_rows_through_the_cleaner(raw, tmp_project):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DAFTAR PEGAWAI"])
    ws.append([])
    ws.append(EMP_HEADER.strip().split(","))
    ws.append(["19850317 201001 2 004", "Siti Aminah", "KABUPATEN MAMUJU", "BKD", "Fungsional", "III/a", "S-1"])
    ws.append(["198503172010013004", "Agus Salim", "Mamuju", "BKD", "Fungsional", "III/a", "S-1"])
    wb.save(raw / "pegawai_judul.xlsx")
    res = clean(raw, tmp_project / "o", key=KEY, today=TODAY)
    q = pd.read_parquet(res.quarantine["employees"])
    assert q[["row", "reason"]].values.tolist() == [[5, "NIP: NIP sex digit (15th) must be 1 or 2, got 3"]]
    assert pd.read_parquet(res.tables["employees"])["education"].tolist() == ["S1"]


# ------------------------------------------------------------------------------------------------ checker
def test_check_lists_every_problem_and_never_raises(corpus):
    rep = check(corpus, today=TODAY)
    assert not rep.ok
    msgs = {(p.file, p.row, p.expected) for p in rep.problems}
    assert ("pegawai_empty.csv", None, "the file is empty") in msgs
    assert ("pegawai_header_only.csv", None, "header only: the file has no data rows") in msgs
    assert ("pegawai_invalid_nips.csv", 2, "NIP must have 18 digits, got 17") in msgs
    assert ("pegawai_invalid_nips.csv", 3, "NIP birth date (digits 1-8) is not a real date: month 13") in msgs
    assert ("pegawai_invalid_nips.csv", 4, "NIP sex digit (15th) must be 1 or 2, got 3") in msgs
    assert any(p.file == "pegawai_extra_column.csv" and p.column == "Nomor HP" and p.severity == "warning"
               for p in rep.problems)
    for p in rep.problems:
        assert p.value is None or not any(n in p.value for n in NIPS)


def test_check_writes_nothing(corpus, tmp_project):
    before = _digest(tmp_project)
    check(corpus)
    assert _digest(tmp_project) == before


def test_clean_folder_is_ok(raw):
    _roster(raw)
    rep = check(raw)
    assert rep.ok and rep.problems == []


def test_format_problems(corpus):
    text = format_problems(check(corpus, today=TODAY))
    assert text.splitlines()[0].split() == ["severity", "file", "row", "column", "value", "problem"]
    assert "pegawai_empty.csv (employees): UNUSABLE; 1 error, 0 warnings" in text
    assert "survei_reaksi_duplicates.csv (reaction): 5 rows read, 1 kept, 4 quarantined; 4 errors, 1 warning" in text
    assert text.splitlines()[-1].endswith("in 15 files")


def test_missing_raw_dir_is_a_data_error(tmp_path):
    from evalkit.ingest import DataError

    with pytest.raises(DataError, match="does not exist"):
        check(tmp_path / "nope")


# ------------------------------------------------------------------------------------------------ synthetic demo
@pytest.mark.slow
def test_synthetic_demo_planted_problems_are_found(tmp_path):
    """Integration check against the synthetic generator's ground truth."""
    from evalkit import synth

    raw, truth_dir = tmp_path / "raw", tmp_path / "truth"
    synth.generate(raw, seed=1, n_employees=300, truth_dir=truth_dir)
    truth = json.loads((truth_dir / "truth.json").read_text())
    res = clean(raw, tmp_path / "out", key=KEY)
    for entry in res.manifest["tables"].values():
        assert entry["rows_read"] == entry["rows_kept"] + entry["rows_quarantined"]
    errors = [p for p in res.report.errors if not p.expected.startswith("duplicate row")]
    found = {(p.file, p.row) for p in errors}
    planted = {(p["file"], p["row"]) for p in truth.get("planted_bad_rows", [])}
    assert planted <= found
    assert found <= planted, sorted(found - planted)[:10]
    dups: dict[str, int] = {}
    for p in res.report.errors:
        if p.expected.startswith("duplicate row"):
            dups[p.file] = dups.get(p.file, 0) + 1
    assert dups == truth.get("duplicates", dups)


def test_nip_not_in_roster_is_a_warning_and_kept(raw, tmp_project):
    _roster(raw)
    (raw / "nilai_tes_x.csv").write_text("NIP,Kode Pelatihan,Pretest,Posttest\n"
                                         "198503172010012004,P1,60,80\n199203142019032001,P1,60,80\n")
    res = clean(raw, tmp_project / "o", key=KEY, today=TODAY)
    assert res.ok
    [w] = [p for p in res.report.warnings if "NIP" in p.expected]  # (the other: there is no programme list)
    assert (w.file, w.expected) == ("nilai_tes_x.csv",
                                    "1 row(s) with a NIP that is not in the employee files (pegawai_*); kept")
    assert res.manifest["tables"]["tests"]["rows_kept"] == 2


def test_empty_raw_folder_writes_an_empty_manifest(raw, tmp_project):
    res = clean(raw, tmp_project / "o", key=KEY, progress=True)
    assert res.ok and res.tables == {} and res.manifest["tables"] == {}
    assert (tmp_project / "o" / "manifest.json").exists()
    assert (tmp_project / "o" / "quarantine" / "problems.csv").read_text().startswith("table,file,row")


# ------------------------------------------------------------------ files offices keep (optional columns)

REACTION_HEADER = "Kode Pelatihan,Materi,Pengajar,Relevansi,Fasilitas,Kepuasan Keseluruhan\n"


def test_an_anonymous_questionnaire_keeps_every_row(raw, tmp_project):
    """A reaction file without NIP is valid: each answer is kept (two alike too) with a missing person_id."""
    (raw / "survei_reaksi_anonim.csv").write_text(
        REACTION_HEADER + "P1,5,4,4,3,4\nP1,5,4,4,3,4\nP1,3,3,4,4,4\nP2,2,3,3,3,3\n")
    (raw / "survei_reaksi_nip.csv").write_text(
        "NIP," + REACTION_HEADER + "198503172010012004,P1,4,4,4,4,4\n,P1,4,4,4,4,4\n,P1,4,4,4,4,4\n"
        "196608011988031001,P1,5,5,5,5,5\n196608011988031001,P1,5,5,5,5,5\n")  # a named duplicate
    res = clean(raw, tmp_project / "o", key=KEY, today=TODAY)
    m = res.manifest["tables"]["reaction"]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (9, 8, 1)
    [dup] = [p for p in res.report.errors]
    assert dup.expected.startswith("duplicate row") and (dup.file, dup.row) == ("survei_reaksi_nip.csv", 6)
    df = pd.read_parquet(res.tables["reaction"])
    assert df["person_id"].isna().sum() == 6 and df["person_id"].notna().sum() == 2
    schema_for("reaction").validate(df)
    said = [p.expected for p in res.report.warnings]
    assert any(s.startswith("no NIP column: an anonymous questionnaire") for s in said)
    assert "2 empty cell(s); kept as anonymous answers (no person_id: not linked to enrolments or tests)" in said


def test_a_named_key_with_different_answers_is_still_a_conflict(raw, tmp_project):
    (raw / "survei_reaksi.csv").write_text(
        "NIP," + REACTION_HEADER + "198503172010012004,P1,4,4,4,4,4\n198503172010012004,P1,2,2,2,2,2\n"
        ",P1,1,1,1,1,1\n")
    res = clean(raw, tmp_project / "o", key=KEY, today=TODAY)
    m = res.manifest["tables"]["reaction"]
    assert (m["rows_kept"], m["rows_quarantined"]) == (1, 2)
    assert all("duplicate key" in p.expected for p in res.report.errors)


def test_an_attendance_list_leaves_completion_unknown(raw, tmp_project):
    """NIP and Hadir only: the optional columns are missing (nullable boolean), never False; a file that has
    them keeps plain bool; a blank cell of a yes/no column the file has is still an error."""
    (raw / "presensi_p1.csv").write_text(
        "NIP,Kode Pelatihan,Hadir\n198503172010012004,P1,H\n196608011988031001,P1,S\n199001012015031002,P1,v\n")
    res = clean(raw, tmp_project / "o", key=KEY, today=TODAY)
    assert res.ok and res.manifest["tables"]["enrolments"]["rows_kept"] == 3
    df = pd.read_parquet(res.tables["enrolments"])
    schema_for("enrolments").validate(df)
    assert df["attended"].dtype == bool and df["attended"].sum() == 2
    for c in ("invited", "registered", "completed", "barrier_time", "barrier_experienced"):
        assert str(df[c].dtype) == "boolean" and df[c].isna().all(), c
    assert df["attendance_share"].dtype == "float64" and df["attendance_share"].isna().all()
    assert sorted(df["reason_absent"].dropna()) == ["Sakit"]
    [w] = [p for p in res.report.warnings if p.expected.startswith("optional column(s)")]
    assert "'Lulus' (completed)" in w.expected and "reason_absent" not in w.expected
    # a second file with the columns: the table mixes known and unknown values
    (raw / "peserta_p2.csv").write_text(
        "NIP,Kode Pelatihan,Diundang,Mendaftar,Hadir,Lulus\n198503172010012004,P2,Ya,Ya,Ya,Tidak\n"
        "196608011988031001,P2,Ya,,Ya,Ya\n")
    res = clean(raw, tmp_project / "o", key=KEY, today=TODAY)
    df = pd.read_parquet(res.tables["enrolments"]).set_index("programme_id")
    assert df.loc[["P2"], "completed"].tolist() == [False] and df.loc["P1", "completed"].isna().all()
    assert str(df["completed"].dtype) == "boolean"
    [e] = res.report.errors
    assert (e.file, e.row, e.column) == ("peserta_p2.csv", 3, "Mendaftar") and "missing value" in e.expected


def test_without_an_employee_or_programme_list_nothing_is_checked_and_all_is_kept(raw, tmp_project):
    (raw / "nilai_tes_x.csv").write_text("NIP,Kode Pelatihan,Pretest,Posttest\n"
                                         "198503172010012004,P1,60,80\n199203142019032001,P1,60,80\n")
    res = clean(raw, tmp_project / "o", key=KEY, today=TODAY)
    assert res.ok and res.manifest["tables"]["tests"]["rows_kept"] == 2
    said = sorted(p.expected for p in res.report.warnings if p.file == "nilai_tes_x.csv")
    assert said == ["no employee list (pegawai_*): NIPs could not be checked against it; rows kept",
                    "no programme list (pelatihan_*/diklat_*): programme codes could not be checked against it; "
                    "rows kept"]


def test_a_programme_list_without_topic_and_cost(raw, tmp_project):
    (raw / "pelatihan_sleman.csv").write_text(
        "Kode Pelatihan;Nama Pelatihan;Metode;JP;Tanggal Mulai;Tanggal Selesai;Wilayah\n"
        "SLM-1;Pelayanan Publik;Klasikal;24;3 Juni 2025;5 Juni 2025;Kab. Sleman\n")
    res = clean(raw, tmp_project / "o", key=KEY, today=dt.date(2026, 1, 1))
    assert res.ok
    df = pd.read_parquet(res.tables["programmes"])
    schema_for("programmes").validate(df)
    assert df["region"].astype(str).tolist() == ["Sleman"]
    assert list(df["region"].cat.categories) == ["Sleman"]  # no demo region as an empty category
    assert df["topic"].isna().all() and df["cost_rp"].isna().all() and df["cost_rp"].dtype == "float64"


def test_an_analysis_that_needs_a_column_the_office_lacks_says_so():
    from evalkit.participation import attendance_model, attendance_shares, funnel

    enr = pd.DataFrame({"person_id": ["P1", "P2"], "programme_id": ["A", "A"], "attended": [True, False],
                        **{c: pd.array([pd.NA, pd.NA], dtype="boolean") for c in
                           ("invited", "registered", "completed", "barrier_time")}})
    with pytest.raises(ValueError, match=r"the funnel needs 'invited' \(Diundang\): not in this office's "
                                         r"attendance data"):
        funnel(enr)
    with pytest.raises(ValueError, match=r"needs 'attendance_share' \(Persentase Kehadiran\)"):
        attendance_shares(enr.assign(invited=True))
    with pytest.raises(ValueError, match=r"the attendance model needs 'barrier_time'"):
        attendance_model(enr, pd.DataFrame({"person_id": ["P1", "P2"]}), barriers=["barrier_time"], controls=())
