"""Readers: encodings, delimiters, title rows, header mapping, row numbers, unusable files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from evalkit.ingest import DataError, read_raw
from evalkit.ingest.read import _alias_index, header_key
from evalkit.ingest.spec import RAW_TABLES

BAD = Path(__file__).parent / "badinput"
HEADER = "NIP,Nama,Wilayah,Unit Kerja,Jenis Jabatan,Golongan,Pendidikan"
ROW = "198503172010012004,Siti Aminah,Kab. Mamuju,Dinas Kesehatan,fungsional,III/a,S1"


def test_aliases_are_unambiguous_within_each_table():
    for t in RAW_TABLES.values():
        seen: dict[str, str] = {}
        for f in t.fields:
            for a in (f.name, *f.aliases):
                k = header_key(a)
                assert seen.setdefault(k, f.name) == f.name, (t.name, a)
        assert len(_alias_index(t)) == len(seen)


def test_empty_file():
    with pytest.raises(DataError, match="the file is empty") as e:
        read_raw(BAD / "pegawai_empty.csv")
    assert e.value.file == "pegawai_empty.csv"


def test_header_only():
    with pytest.raises(DataError, match="header only: the file has no data rows"):
        read_raw(BAD / "pegawai_header_only.csv")


def test_no_recognisable_header(tmp_path):
    p = tmp_path / "pegawai_x.csv"
    p.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(DataError, match="no recognisable header row in the first 30 rows; expected columns of "
                                        "table 'employees' such as NIP, Nama"):
        read_raw(p)


def test_semicolon_delimiter():
    [r] = read_raw(BAD / "nilai_tes_semicolon.csv")
    assert r.delimiter == ";"
    assert r.data.columns.tolist() == ["nip", "programme_id", "pre_score", "post_score"]
    assert r.data.loc[0, "post_score"] == "80,25"  # kept as text: nothing mangled on the way in
    assert r.rows.tolist() == [2, 3]


def test_tab_delimiter(tmp_path):
    p = tmp_path / "pegawai_tab.txt"
    p.write_text(HEADER.replace(",", "\t") + "\n" + ROW.replace(",", "\t") + "\n")
    [r] = read_raw(p)
    assert r.delimiter == "\t" and r.data.loc[0, "agency"] == "Dinas Kesehatan"


def test_windows_1252_encoding(tmp_path):
    p = tmp_path / "pegawai_cp1252.csv"
    p.write_bytes((HEADER + "\n" + ROW.replace("Dinas Kesehatan", "Dinas Kesehatan \u2013 Seksi Gizi \u00e9") + "\n")
                  .encode("cp1252"))
    [r] = read_raw(p)
    assert r.encoding == "cp1252"
    assert r.data.loc[0, "agency"] == "Dinas Kesehatan \u2013 Seksi Gizi \u00e9"


def test_utf8_bom_encoding(tmp_path):
    p = tmp_path / "pegawai_bom.csv"
    p.write_bytes(("\ufeff" + HEADER + "\n" + ROW + "\n").encode("utf-8"))
    [r] = read_raw(p)
    assert r.encoding == "utf-8-sig"
    assert "nip" in r.data.columns  # the BOM does not stick to the first header


def _xlsx(path: Path, rows: list[list[object]], sheet: str = "Data") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_with_title_rows_keeps_spreadsheet_row_numbers(tmp_path):
    import datetime as dt

    p = _xlsx(tmp_path / "pelatihan_judul.xlsx", [
        ["DAFTAR PELATIHAN ASN KABUPATEN MAMUJU"],
        ["Tahun Anggaran 2024"],
        [],
        ["Kode Pelatihan", "Nama Pelatihan", "Topik", "Metode", "JP", "Tanggal Mulai", "Tanggal Selesai", "Wilayah",
         "Biaya (Rp)"],
        ["PEL-001", "Pelayanan Prima", "Pelayanan", "Tatap Muka", 40, dt.datetime(2024, 8, 17), "21 Agt 2024",
         "Mamuju", 1250000],
        [],
        ["PEL-002", "Etika", "Etika", "seminar", 8.0, "2024-09-02", "2024-09-02", "Mamuju", 2500000.5],
    ])
    [r] = read_raw(p)
    assert r.header_row == 4
    assert r.rows.tolist() == [5, 7]
    assert r.data.loc[0, "start_date"] == "2024-08-17"
    assert r.data.loc[0, "jp"] == "40" and r.data.loc[1, "jp"] == "8"
    assert r.data.loc[1, "cost_rp"] == "2500000.5"
    assert r.columns["cost_rp"] == "Biaya (Rp)"


def test_xlsx_other_sheets_without_header_are_reported(tmp_path):
    wb = Workbook()
    wb.active.title = "Catatan"
    wb.active.append(["Sumber: BKD"])
    ws = wb.create_sheet("Data")
    ws.append(HEADER.split(","))
    ws.append(ROW.split(","))
    wb.save(tmp_path / "pegawai_2sheets.xlsx")
    [r] = read_raw(tmp_path / "pegawai_2sheets.xlsx")
    assert r.sheet == "Data"
    assert any("sheet 'Catatan' skipped" in w for w in r.warnings)


def test_not_an_xlsx(tmp_path):
    p = tmp_path / "pegawai_broken.xlsx"
    p.write_text("this is not a workbook")
    with pytest.raises(DataError, match="not a readable .xlsx workbook"):
        read_raw(p)


def test_old_xls_rejected_with_advice(tmp_path):
    p = tmp_path / "pegawai_lama.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match="save the file as .xlsx or .csv"):
        read_raw(p)


def test_missing_required_column_is_recorded():
    [r] = read_raw(BAD / "nilai_tes_missing_required.csv")
    assert r.missing_required == ["post_score"]


def test_extra_unknown_column_is_reported_and_dropped():
    [r] = read_raw(BAD / "pegawai_extra_column.csv")
    assert r.unknown_columns == ["Nomor HP"]
    assert "Nomor HP" not in r.data.columns and len(r.data.columns) == 7


def test_headers_match_case_space_punctuation_insensitively(tmp_path):
    p = tmp_path / "pelatihan_h.csv"
    p.write_text("KODE  PELATIHAN,nama pelatihan,TOPIK,metode,Jml JP,TGL. MULAI,Tgl Selesai,wilayah,BIAYA (RP)\n"
                 "P1,a,b,klasikal,2,2024-01-01,2024-01-02,Mamuju,1\n")
    [r] = read_raw(p)
    assert {"programme_id", "title", "start_date", "end_date", "cost_rp"} <= set(r.data.columns)
    assert r.unknown_columns == ["Jml JP"]
    assert r.missing_required == ["jp"]


def test_numbered_skm_headers(tmp_path):
    p = tmp_path / "skm_x.csv"
    names = ["U1. Persyaratan", "U2. Prosedur", "U3. Waktu", "U4. Biaya", "U5. Produk", "U6. Kompetensi",
             "U7. Perilaku", "U9. Sarana", "U8. Pengaduan"]  # order swapped: mapped by name, not position
    p.write_text("No Responden,Unit Layanan,Wilayah,Periode," + ",".join(names) + "\n"
                 "1,Dukcapil,Ampenan,Semester I 2024,4,4,4,4,4,4,4,1,2\n")
    [r] = read_raw(p)
    assert r.missing_required == []
    assert r.data.loc[0, "u9_sarana"] == "1" and r.data.loc[0, "u8_pengaduan"] == "2"


def test_huge_text_cell(tmp_path):
    p = tmp_path / "wawancara_besar.csv"
    big = "kata " * 20_000  # 100 kB
    p.write_text(f'ID Wawancara,Wilayah,Peran Informan,Tanggal Wawancara,Catatan Wawancara\nW1,Mamuju,peserta,'
                 f'17 Agt 2024,"{big}"\n')
    [r] = read_raw(p)
    assert len(r.data.loc[0, "text"]) == len(big)


def test_ragged_row_is_recorded(tmp_path):
    p = tmp_path / "pegawai_ragged.csv"
    p.write_text(HEADER + "\n" + ROW + ",extra\n" + ROW + "\n")
    [r] = read_raw(p)
    assert r.ragged_rows == {2: 8}


def test_unknown_table_prefix(tmp_path):
    p = tmp_path / "daftar_hadir.csv"
    shutil.copy(BAD / "pegawai_extra_column.csv", p)
    with pytest.raises(DataError, match="does not start with a known table prefix"):
        read_raw(p)


def test_fast_xlsx_reader_agrees_with_openpyxl(tmp_path):
    import datetime as dt

    from evalkit.ingest.read import _read_xlsx_fast, _read_xlsx_openpyxl

    p = _xlsx(tmp_path / "nilai_tes_cmp.xlsx", [
        ["Judul"], [], ["NIP", "Kode Pelatihan", "Pretest", "Posttest", "Tanggal", "Ya"],
        ["198503172010012004", "PEL-1", 1.234, 80, dt.datetime(2024, 8, 17), True],
        ["196608011988031001", "PEL-1", 78.5, 1250000, dt.datetime(2024, 8, 17, 9, 30), False],
    ])
    fast = _read_xlsx_fast(p)
    slow = _read_xlsx_openpyxl(p, p.name)
    assert fast == slow
    rows = fast[0][0]
    assert rows[3][2] == "1.2340"  # a number cell 1.234 must not be read as Indonesian 1.234 = 1234
    assert rows[3][4] == "2024-08-17" and rows[4][4] == "2024-08-17 09:30:00"
    assert rows[3][5] == "Ya" and rows[1] == []


# --------------------------------------------------------------------------- workbooks as offices keep them

ENR_HEADER = ["NIP", "Kode Pelatihan", "Diundang", "Mendaftar", "Hadir", "Lulus", "Persentase Kehadiran",
              "Bentrok Jadwal", "Kurang Relevan", "Kurang Motivasi", "Sudah Berpengalaman"]


def test_one_sheet_per_training_is_read_and_stacked_with_its_sheet_name(tmp_path):
    wb = Workbook()
    for k, (sheet, code) in enumerate((("Pelayanan Prima", "PEL-1"), ("Manajemen Arsip", "PEL-2"))):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = sheet
        ws.append([f"DAFTAR HADIR PELATIHAN {sheet.upper()}"])
        ws.append(["Tanggal: 5 Agustus 2024"])
        ws.append([])
        ws.append(ENR_HEADER)
        for j in range(k + 1):
            ws.append([f"19850317201001200{4 + j}", code, "Ya", "Ya", "Ya", "Ya", "100", *["Tidak"] * 4])
    wb.save(tmp_path / "presensi_2024.xlsx")
    parts = read_raw(tmp_path / "presensi_2024.xlsx")
    assert [(p.sheet, p.source, p.header_row, p.rows.tolist()) for p in parts] == [
        ("Pelayanan Prima", "presensi_2024.xlsx [Pelayanan Prima]", 4, [5]),
        ("Manajemen Arsip", "presensi_2024.xlsx [Manajemen Arsip]", 4, [5, 6])]
    assert [p.data["programme_id"].tolist() for p in parts] == [["PEL-1"], ["PEL-2", "PEL-2"]]


def test_integer_cells_keep_all_18_digits_in_both_xlsx_readers(tmp_path):
    import re
    import zipfile

    from evalkit.ingest import read as _read

    wb = Workbook()
    wb.active.append(["NIP", "Kode Pelatihan", "Pre Test", "Post Test"])
    wb.active.append(["INT", "PEL-1", 60, 85])
    wb.save(tmp_path / "nilai_tes.xlsx")
    with zipfile.ZipFile(tmp_path / "nilai_tes.xlsx") as z:  # an integer cell as systems write it
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<c r="A2"([^>]*?) t="inlineStr"><is><t>INT</t></is></c>',
                          rb'<c r="A2"\1 t="n"><v>198503172010012004</v></c>', parts[sheet])
    assert b"<v>198503172010012004</v>" in parts[sheet]
    with zipfile.ZipFile(tmp_path / "nilai_tes.xlsx", "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    fast = _read._read_xlsx_fast(tmp_path / "nilai_tes.xlsx")
    slow = _read._read_xlsx_openpyxl(tmp_path / "nilai_tes.xlsx", "nilai_tes.xlsx")
    assert fast[0][0][1][0] == slow[0][0][1][0] == "198503172010012004"
    [r] = read_raw(tmp_path / "nilai_tes.xlsx")
    assert r.data["nip"].tolist() == ["198503172010012004"] and r.cell_notes == []


def test_google_forms_timestamp_is_a_known_column(tmp_path):
    p = tmp_path / "survei_reaksi_form.csv"
    p.write_text("Stempel waktu,NIP,Kode Pelatihan,Materi,Pengajar,Relevansi,Fasilitas,Kepuasan Keseluruhan\n"
                 "17/08/2024 10:15:32,198503172010012004,PEL-1,5,4,4,3,4\n", encoding="utf-8")
    [r] = read_raw(p)
    assert r.unknown_columns == [] and "submitted_at" not in r.data.columns
