"""One named test per bad-input case: what `evalkit check` says (file, row, column, message) and the exit code.

Every case runs the real command on a folder holding just that file. Corpus files live in tests/badinput/;
cases whose bytes matter (encodings, XLSX layout, a huge cell) are written here. Expected messages are the
wording a user sees; a case passes only if the problem is reported at the right row and column, the command exits
1 for unusable data (0 for warnings only), and no traceback is shown.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from evalkit.cli import app
from evalkit.ingest import check

BAD = Path(__file__).parent / "badinput"
EMP = "NIP,Nama,Wilayah,Unit Kerja,Jenis Jabatan,Golongan,Pendidikan\n"
OK_ROW = "198503172010012004,Siti Aminah,Mamuju,BKD,fungsional,III/a,S1\n"
runner = CliRunner()


def _run(folder: Path):
    res = runner.invoke(app, ["check", str(folder)])
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res


def _line(output: str, file: str, row: int | None, column: str, message: str) -> str:
    for ln in output.splitlines():
        cells = ln.split()
        if file in ln and message in ln and column in ln and (row is None or str(row) in cells):
            return ln
    raise AssertionError(f"no line for {file} row {row} column {column!r} with {message!r} in:\n{output}")


def _corpus(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(BAD / name, folder / name)
    return folder


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


# (case id, corpus file, row, column, message, exit code)
CORPUS_CASES = [
    ("empty_file", "pegawai_empty.csv", None, "", "the file is empty", 1),
    ("header_only", "pegawai_header_only.csv", None, "", "header only: the file has no data rows", 1),
    ("semicolon_delimiter_read", "nilai_tes_semicolon.csv", 3, "Nilai Pre-test", "outside the allowed range 0-100", 1),
    ("missing_required_column", "nilai_tes_missing_required.csv", None, "", "missing required column(s) post_score", 1),
    ("extra_unknown_column", "pegawai_extra_column.csv", None, "Nomor HP", "unknown column, not used", 0),
    ("duplicate_rows", "survei_reaksi_duplicates.csv", 3, "",
     "duplicate row (same as survei_reaksi_duplicates.csv row 2)", 1),
    ("duplicate_person_different_answers", "survei_reaksi_duplicates.csv", 5, "",
     "duplicate key with different content", 1),
    ("likert_above_scale", "survei_reaksi_likert_outside.csv", 2, "Materi", "answer outside the 1-5 scale", 1),
    ("likert_zero", "survei_reaksi_likert_outside.csv", 4, "Kepuasan Keseluruhan", "answer outside the 1-5 scale", 1),
    ("likert_unknown_wording", "survei_reaksi_likert_outside.csv", 3, "Materi", "expected an agreement answer 1-5", 1),
    ("future_date", "evaluasi_pasca_future_date.csv", 3, "Tanggal Penilaian", "date in the future", 1),
    ("nip_wrong_length", "pegawai_invalid_nips.csv", 2, "NIP", "NIP must have 18 digits, got 17", 1),
    ("nip_month_13", "pegawai_invalid_nips.csv", 3, "NIP", "is not a real date: month 13", 1),
    ("nip_sex_digit_3", "pegawai_invalid_nips.csv", 4, "NIP", "NIP sex digit (15th) must be 1 or 2, got 3", 1),
    ("region_not_in_list", "pegawai_invalid_nips.csv", 5, "Wilayah", "unknown region", 1),
    ("negative_cost", "pelatihan_dates_rupiah.csv", 5, "Biaya", "negative amount", 1),
    ("text_where_number_belongs", "pelatihan_dates_rupiah.csv", 7, "JP", "expected a number", 1),
    ("impossible_date", "pelatihan_dates_rupiah.csv", 7, "Tanggal Selesai", "no such date: 31 Februari 2024", 1),
    ("end_before_start", "pelatihan_dates_rupiah.csv", 8, "Tanggal Selesai", "end date before start date", 1),
]


@pytest.mark.parametrize("case,file,row,column,message,code", CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES])
def test_corpus_case(tmp_path, case, file, row, column, message, code):
    res = _run(_corpus(tmp_path, file))
    _line(res.output, file, row, column, message)
    assert res.exit_code == code


def test_nip_values_are_never_echoed(tmp_path):
    res = _run(_corpus(tmp_path, "pegawai_invalid_nips.csv"))
    assert "19850317201001200" not in res.output and "[disamarkan]" in res.output


def test_mixed_indonesian_iso_and_excel_serial_dates_and_rupiah_forms_are_accepted(tmp_path):
    rep = check(_corpus(tmp_path, "pelatihan_dates_rupiah.csv"))
    bad_rows = {p.row for p in rep.errors}
    # rows 2-4: "17 Agustus 2024" / ISO / dd/mm/yyyy / Excel serial 45566 / "Jumat, 4 Oktober 2024", and
    # "Rp1.250.000.000,00", "Rp 75.000.000", "98500000" all clean
    assert not bad_rows & {2, 3, 4}


def test_windows_1252_encoding(tmp_path):
    body = (EMP + "198503172010012004,André Situmorang,Mamuju,BKD,fungsional,III/a,S1\n").encode("cp1252")
    res = _run(_write(tmp_path, "pegawai_cp1252.csv", body))
    assert res.exit_code == 0, res.output
    assert "1 row read, 1 kept, 0 quarantined" in res.output


def test_utf8_with_bom(tmp_path):
    res = _run(_write(tmp_path, "pegawai_bom.csv", b"\xef\xbb\xbf" + (EMP + OK_ROW).encode("utf-8")))
    assert res.exit_code == 0, res.output
    assert "1 row read, 1 kept, 0 quarantined" in res.output


def test_xlsx_with_title_rows_and_merged_cells(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.append(["DAFTAR PEGAWAI KABUPATEN MAMUJU"])
    ws.merge_cells("A1:G1")
    ws.append(["Keadaan per 31 Desember 2024"])
    ws.merge_cells("A2:G2")
    ws.append([])
    ws.append(EMP.strip().split(","))
    ws.append(["19850317 201001 2 004", "Siti Aminah", "KAB. MAMUJU", "BKD", "Fungsional", "III/a", "S-1"])
    ws.append(["198503172010013004", "Agus Salim", "Mamuju", "BKD", "Fungsional", "III/a", "S-1"])
    wb.save(folder / "pegawai_judul.xlsx")
    res = _run(folder)
    # the header is found on row 4, so the bad NIP is reported on spreadsheet row 6
    _line(res.output, "pegawai_judul.xlsx", 6, "NIP", "NIP sex digit (15th) must be 1 or 2, got 3")
    assert "2 rows read, 1 kept, 1 quarantined" in res.output
    assert res.exit_code == 1


def test_huge_text_cell_is_cut_in_the_message(tmp_path):
    big = "9" * 50_000 + "x" * 50_000
    folder = _write(tmp_path, "nilai_tes_big.csv",
                    f"NIP,Kode Pelatihan,Nilai Pre-test,Nilai Post-test\n198503172010012004,P1,{big},80\n")
    res = _run(folder)
    line = _line(res.output, "nilai_tes_big.csv", 2, "Nilai Pre-test", "expected a number")
    assert len(line) < 400
    assert res.exit_code == 1


def test_file_matching_no_table_is_a_warning_only(tmp_path):
    res = _run(_write(tmp_path, "catatan_rapat.csv", "a,b\n1,2\n"))
    _line(res.output, "catatan_rapat.csv", None, "", "file name matches no table", )
    assert res.exit_code == 0
