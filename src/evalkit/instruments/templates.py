"""Excel templates (one workbook per table) that evalkit reads back as they are filled in.

Each workbook has a data sheet whose header row holds the usual Indonesian header of every column (the
first alias in :mod:`evalkit.ingest.spec`), one synthetic example row (delete it before use), drop-down
lists for categorical columns, the NIP column formatted as text (``@``) so Excel keeps all 18 digits, and a
``Petunjuk`` sheet with instructions in Indonesian and English (the reader skips it). The file names start
with the table's prefix, so a filled-in template goes straight into ``data/raw/``.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> sorted(p.name for p in write_templates(out))  # doctest: +NORMALIZE_WHITESPACE
['anggaran.xlsx', 'evaluasi_pasca.xlsx', 'layanan.xlsx', 'nilai_tes.xlsx', 'pegawai.xlsx', 'pelatihan.xlsx',
 'presensi.xlsx', 'skm.xlsx', 'survei_reaksi.xlsx', 'wawancara.xlsx']
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evalkit.ingest.spec import LIKERT5_CHOICES, MODES, RAW_TABLES, SKM_QUESTIONS

__all__ = ["DATA_SHEET", "EXAMPLE_NIP", "PRESENSI_CODES", "TEMPLATES", "Template", "header_of", "write_templates"]

#: Obviously synthetic example NIP: born 1 January 1990, CPNS January 2020, male, serial 001.
EXAMPLE_NIP = "199001012020011001"
#: Codes of attendance sheets (DOMAIN.md): only H is attendance; the others are reasons for absence.
PRESENSI_CODES: tuple[tuple[str, str, str], ...] = (
    ("I", "Izin", "leave with permission"), ("S", "Sakit", "sick"), ("A", "Alpa (tanpa keterangan)", "absent"),
    ("DL", "Dinas Luar", "official travel"), ("C", "Cuti", "annual leave"), ("TB", "Tugas Belajar", "study leave"),
)
DATA_SHEET = "Data"
_YESNO = ("Ya", "Tidak")


@dataclass(frozen=True)
class Template:
    """One workbook: file name, table, the columns (canonical fields, in order), the example row (field ->
    value), drop-down lists (field -> allowed values) and a short description (id, en)."""

    file: str
    table: str
    fields: tuple[str, ...]
    example: dict[str, object]
    lists: dict[str, tuple[str, ...]]
    about: tuple[str, str]


def header_of(table: str, name: str) -> str:
    """The header a template writes for a field: its first alias."""
    return RAW_TABLES[table].field(name).aliases[0]


def _levels(table: str, name: str) -> tuple[str, ...]:
    return tuple(RAW_TABLES[table].field(name).levels or ())


#: Region of the templates' example rows (a real region, so that an unfilled template passes the check; the
#: example row is to be deleted). An office's own regions go in ``write_templates(regions=...)``.
EXAMPLE_REGION = "Kabupaten Sleman"
_LIKERT = tuple(c.id for c in LIKERT5_CHOICES)
_REACTION = ("material", "trainer", "relevance", "facilities", "overall")
_APPLICATION = ("apply_material", "work_quality", "share_knowledge", "service_initiative")
_D = _dt.date

TEMPLATES: dict[str, Template] = {t.table: t for t in (
    Template("pegawai.xlsx", "employees",
             ("nip", "name", "region", "agency", "position_type", "golongan", "education"),
             {"nip": EXAMPLE_NIP, "name": "Contoh Pegawai", "region": EXAMPLE_REGION, "agency": "Dinas Contoh",
              "position_type": "pelaksana", "golongan": "III/a", "education": "S1"},
             {"position_type": _levels("employees", "position_type"),
              "golongan": _levels("employees", "golongan"), "education": _levels("employees", "education")},
             ("Satu baris per pegawai (ASN).", "One row per employee (ASN).")),
    Template("pelatihan.xlsx", "programmes",
             ("programme_id", "title", "topic", "mode", "jp", "start_date", "end_date", "region", "cost_rp",
              "provider"),
             {"programme_id": "CONTOH-001", "title": "Contoh Pelatihan Pelayanan Prima", "topic": "Pelayanan publik",
              "mode": "klasikal", "jp": 24, "start_date": _D(2025, 3, 3), "end_date": _D(2025, 3, 5),
              "region": EXAMPLE_REGION, "cost_rp": 45_000_000, "provider": "BPSDM Contoh"},
             {"mode": MODES},
             ("Satu baris per pelatihan; kode pelatihan unik.", "One row per training; unique programme code.")),
    Template("presensi.xlsx", "enrolments",
             ("nip", "programme_id", "invited", "registered", "attended", "completed", "attendance_share",
              "reason_absent", "barrier_time", "barrier_relevance", "barrier_motivation", "barrier_experienced"),
             {"nip": EXAMPLE_NIP, "programme_id": "CONTOH-001", "invited": "Ya", "registered": "Ya", "attended": "Ya",
              "completed": "Ya", "attendance_share": 100, "reason_absent": "", "barrier_time": "Tidak",
              "barrier_relevance": "Tidak", "barrier_motivation": "Tidak", "barrier_experienced": "Tidak"},
             {"invited": _YESNO, "registered": _YESNO, "attended": _YESNO, "completed": _YESNO,
              "reason_absent": tuple(f"{c} - {w}" for c, w, _e in PRESENSI_CODES),
              "barrier_time": _YESNO, "barrier_relevance": _YESNO, "barrier_motivation": _YESNO,
              "barrier_experienced": _YESNO},
             (("Satu baris per pegawai yang diundang per pelatihan. Hadir = Ya untuk kode presensi H; untuk kode "
               "lain isi Hadir = Tidak dan pilih kodenya di Alasan Tidak Hadir (I, S, A, DL, C, TB)."),
              ("One row per invited employee per training. Hadir (attended) = Ya for attendance code H; for any "
               "other code set Hadir = Tidak and pick the code under Alasan Tidak Hadir (I, S, A, DL, C, TB)."))),
    Template("survei_reaksi.xlsx", "reaction", ("nip", "programme_id", *_REACTION, "comment"),
             {"nip": EXAMPLE_NIP, "programme_id": "CONTOH-001", **dict.fromkeys(_REACTION, "Setuju"),
              "comment": "Contoh saran: tambah waktu praktik."},
             dict.fromkeys(_REACTION, _LIKERT),
             ("Kuesioner reaksi (L1) yang diisi di kertas, diketik satu baris per peserta per pelatihan.",
              "Paper reaction questionnaires (L1), typed in one row per participant per training.")),
    Template("evaluasi_pasca.xlsx", "followup", ("nip", "programme_id", "rater_role", "rating_date", *_APPLICATION),
             {"nip": EXAMPLE_NIP, "programme_id": "CONTOH-001", "rater_role": "Atasan langsung",
              "rating_date": _D(2025, 9, 1), **dict.fromkeys(_APPLICATION, "Setuju")},
             {"rater_role": ("Diri sendiri", "Atasan langsung", "Rekan kerja"), **dict.fromkeys(_APPLICATION, _LIKERT)},
             ("Evaluasi pasca pelatihan (L3) 3-6 bulan setelah pelatihan: satu baris per alumni per penilai.",
              "Post-training evaluation (L3) 3-6 months after training: one row per alumnus/alumna per rater.")),
    Template("skm.xlsx", "skm", ("respondent_id", "unit", "region", "period", *(c for c, *_r in SKM_QUESTIONS)),
             {"respondent_id": "1", "unit": "Unit Layanan Contoh", "region": EXAMPLE_REGION,
              "period": "Semester I 2025",
              **{c: o[2][0] for c, _q, _e, o in SKM_QUESTIONS}},
             {**{c: tuple(i for i, _e in o) for c, _q, _e, o in SKM_QUESTIONS}},
             ("Kuesioner SKM (PermenPANRB 14/2017) yang diisi di kertas: satu baris per responden.",
              "Paper SKM questionnaires (PermenPANRB 14/2017): one row per respondent.")),
    Template("nilai_tes.xlsx", "tests", ("nip", "programme_id", "pre_score", "post_score"),
             {"nip": EXAMPLE_NIP, "programme_id": "CONTOH-001", "pre_score": 60, "post_score": 82.5}, {},
             ("Nilai pre-test dan post-test (0-100) per peserta per pelatihan.",
              "Pre-test and post-test scores (0-100) per participant per training.")),
    Template("anggaran.xlsx", "budgets", ("region", "year", "programme_id", "allocated_rp", "realised_rp"),
             {"region": EXAMPLE_REGION, "year": 2025, "programme_id": "CONTOH-001", "allocated_rp": 50_000_000,
              "realised_rp": 45_000_000},
             {},
             ("Pagu dan realisasi (Rp) per wilayah, tahun dan pelatihan.",
              "Allocated and realised budget (Rp) per region, year and training.")),
    Template("layanan.xlsx", "services",
             ("unit", "region", "month", "volume", "wait_minutes", "processing_days", "complaints_received",
              "complaints_resolved"),
             {"unit": "Unit Layanan Contoh", "region": EXAMPLE_REGION, "month": "Januari 2025", "volume": 420,
              "wait_minutes": 25, "processing_days": 3, "complaints_received": 4, "complaints_resolved": 3},
             {},
             ("Satu baris per unit layanan per bulan (tulis bulan seperti 'Januari 2025').",
              "One row per service unit per month (write the month like 'Januari 2025').")),
    Template("wawancara.xlsx", "interviews", ("interview_id", "region", "role", "interview_date", "text"),
             {"interview_id": "W-CONTOH-01", "region": EXAMPLE_REGION, "role": "peserta",
              "interview_date": _D(2025, 6, 10),
              "text": "Contoh catatan: materi pelatihan langsung dipakai untuk memperbaiki alur layanan."},
             {"role": _levels("interviews", "role")},
             ("Satu baris per wawancara; jangan tulis nama atau NIP dalam catatan.",
              "One row per interview; do not write names or NIPs in the notes.")),
)}

#: Numeric and date columns get a check and a number format (field kind -> number format).
_FORMATS = {"date": "DD/MM/YYYY", "rupiah": "#,##0", "int": "0", "float": "0.0#", "percent": "0"}

_INSTRUCTIONS: list[tuple[str, str]] = [
    ("Petunjuk pengisian", "Instructions"),
    ("", ""),
    ("1. Isi satu baris per data di lembar 'Data'. Jangan ubah, hapus atau pindahkan baris judul kolom.",
     "1. Fill in one row per record on the 'Data' sheet. Do not change, delete or move the header row."),
    ("2. Baris 2 adalah CONTOH dengan data fiktif: hapus sebelum menyerahkan berkas.",
     "2. Row 2 is an EXAMPLE with made-up data: delete it before handing in the file."),
    ("3. NIP ditulis 18 angka; kolom NIP berformat teks agar Excel tidak membulatkan angkanya.",
     "3. Write the NIP as 18 digits; the NIP column is formatted as text so Excel does not round it."),
    ("4. Untuk kolom dengan daftar pilihan, pilih dari daftar.",
     "4. For columns with a drop-down list, choose from the list."),
    ("5. Tanggal ditulis seperti 17/08/2025 atau 17 Agustus 2025; angka rupiah tanpa 'Rp' atau dengan.",
     "5. Write dates like 17/08/2025 or 17 Agustus 2025; rupiah amounts with or without 'Rp'."),
    (("6. Simpan sebagai .xlsx dan letakkan di folder data/raw/; nama berkas harus diawali seperti semula "
      "(misalnya pegawai_2025.xlsx)."),
     "6. Save as .xlsx and put the file in data/raw/; keep the start of the file name (e.g. pegawai_2025.xlsx)."),
    ("7. Periksa dengan: evalkit check data/raw", "7. Check with: evalkit check data/raw"),
]


def _col_letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j)


def write_templates(out: str | Path, tables: Sequence[str] | None = None, langs: Sequence[str] = ("id", "en"),
                    example: bool = True, regions: Sequence[str] | None = None) -> list[Path]:
    """Write one Excel template per table to ``out``; returns the paths.

    Parameters
    ----------
    out : path-like
        Folder (created if needed).
    tables : list of str, optional
        Canonical tables (default: every table in :data:`TEMPLATES`).
    langs : sequence of str
        Languages of the instructions sheet (``id``, ``en``).
    example : bool
        Write the synthetic example row (row 2).
    regions : list of str, optional
        The office's regions (any spelling :func:`evalkit.ingest.regions.match_region` accepts; written by their
        display names): the region drop-down and the example rows use them. Default: no region list (any region
        of Indonesia is accepted; the example row says "Kabupaten Contoh", which the check rejects if left in).
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    region_names = None
    if regions:
        from evalkit.ingest.regions import match_region

        region_names = tuple(match_region(r).display for r in regions)
    for table in tables or list(TEMPLATES):
        t = TEMPLATES[table]
        if region_names and "region" in t.fields:  # the office's regions as a drop-down (else free text)
            example_row = {**t.example, **({"region": region_names[0]} if "region" in t.example else {})}
            t = dataclasses.replace(t, lists={**t.lists, "region": region_names}, example=example_row)
        spec = RAW_TABLES[t.table]
        wb = Workbook()
        ws = wb.active
        ws.title = DATA_SHEET
        last = 1000  # rows prepared with formats and checks
        for j, name in enumerate(t.fields, start=1):
            f = spec.field(name)
            col = _col_letter(j)
            cell = ws.cell(row=1, column=j, value=header_of(t.table, name))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            ws.column_dimensions[col].width = max(14, min(45, len(str(cell.value)) + 4))
            rng = f"{col}2:{col}{last}"
            if f.kind == "nip":
                for r in range(2, last + 1):
                    ws.cell(row=r, column=j).number_format = "@"
                dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True)
                dv.error = "NIP: 18 angka / 18 digits"
                dv.errorTitle = "NIP"
                dv.add(rng)
                ws.add_data_validation(dv)
                ws.column_dimensions[col].width = 22
            elif name in t.lists:
                dv = DataValidation(type="list", formula1='"' + ",".join(t.lists[name]) + '"', allow_blank=True)
                dv.error = "Pilih dari daftar / choose from the list"
                dv.errorTitle = header_of(t.table, name)
                dv.showErrorMessage = name not in ("reason_absent", "region")  # suggestions: other text allowed
                dv.add(rng)
                ws.add_data_validation(dv)
            elif f.kind in ("int", "float", "rupiah", "percent"):
                lo, hi = f.bounds
                if f.kind == "percent":
                    lo, hi = 0, 100
                if lo is None and f.kind == "rupiah":
                    lo = 0
                kind = "whole" if f.kind == "int" else "decimal"
                if lo is not None and hi is not None:
                    dv = DataValidation(type=kind, operator="between", formula1=str(lo), formula2=str(hi),
                                        allow_blank=True)
                elif lo is not None:
                    dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(lo), allow_blank=True)
                else:
                    dv = None
                if dv is not None:
                    dv.error = f"{lo if lo is not None else ''} - {hi if hi is not None else ''}"
                    dv.add(rng)
                    ws.add_data_validation(dv)
                for r in range(2, last + 1):
                    ws.cell(row=r, column=j).number_format = _FORMATS[f.kind]
            elif f.kind == "date":
                dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)  # > 2000
                dv.add(rng)
                ws.add_data_validation(dv)
                for r in range(2, last + 1):
                    ws.cell(row=r, column=j).number_format = _FORMATS["date"]
            elif f.kind in ("text", "name", "id", "month", "semester", "quarter"):
                for r in range(2, last + 1):
                    ws.cell(row=r, column=j).number_format = "@"
            if f.kind == "text" and name == "text":
                ws.column_dimensions[col].width = 80
            if f.required is False:
                cell.comment = Comment("Boleh kosong / optional", "evalkit")
        if example:
            for j, name in enumerate(t.fields, start=1):
                v = t.example.get(name, "")
                c = ws.cell(row=2, column=j, value=v if v != "" else None)
                c.font = Font(italic=True, color="7F7F7F")
                if isinstance(v, str) and spec.field(name).kind in ("text", "id", "name", "nip", "month"):
                    c.number_format = "@"
        ws.freeze_panes = "A2"
        # instructions
        ins = wb.create_sheet("Petunjuk")
        use = [k for k in ("id", "en") if k in langs] or ["id"]
        rows = [(t.about[0], t.about[1]), ("", ""), *_INSTRUCTIONS]
        rows.insert(0, (f"Templat evalkit: {t.file}", f"evalkit template: {t.file}"))
        cols = [(0 if k == "id" else 1) for k in use]
        for i, pair in enumerate(rows, start=1):
            for j, k in enumerate(cols, start=1):
                ins.cell(row=i, column=j, value=pair[k] or None)
        for j, k in enumerate(cols, start=1):
            ins.cell(row=1, column=j).font = Font(bold=True)
            ins.column_dimensions[_col_letter(j)].width = 90
            for r in range(1, len(rows) + 1):
                ins.cell(row=r, column=j).alignment = Alignment(wrap_text=True, vertical="top")
        # the list of columns, with what each expects
        start = len(rows) + 2
        words = {"id": ("Kolom", "wajib diisi", "boleh kosong"), "en": ("Columns", "required", "optional")}
        for j, k in enumerate(use, start=1):
            w = words[k]
            ins.cell(row=start, column=j, value=w[0]).font = Font(bold=True)
            for i, name in enumerate(t.fields, start=start + 1):
                need = w[1] if spec.field(name).required else w[2]
                ins.cell(row=i, column=j, value=f"{header_of(t.table, name)}: {need}")
        path = out / t.file
        props = wb.properties
        props.creator = "evalkit"
        props.created = props.modified = _dt.datetime(2026, 1, 1)
        wb.save(path)
        paths.append(path)
    return paths
