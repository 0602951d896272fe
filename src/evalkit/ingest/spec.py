"""The contract between field files and canonical tables.

(One module on purpose, about 640 lines: mostly declarations, the one description of every raw table
that the generator, the instruments and the cleaner all read.)

One declarative description is used by the synthetic generator (which writes these headers and value
formats) and by the cleaner (which maps any listed header alias back to the canonical column and parses
the value by its ``kind``). To accept a new header spelling from a field office, add it to ``aliases``.

A raw file belongs to a table by the start of its file name (``prefixes``), e.g. ``pegawai_mamuju.xlsx``
-> ``employees``. CSV (``,`` or ``;``; UTF-8, UTF-8 with BOM or Windows-1252) and XLSX are read.

Value kinds
-----------
``nip``        18-digit NIP, spaces/dots allowed; personal, replaced by ``person_id`` (see ``ingest.nip``)
``name``       a person's name; personal, dropped by the cleaner
``text``       free text, stripped
``id``         an identifier code, stripped and upper-cased
``region``     region name in any common spelling -> canonical name in ``config.REGIONS``
``date``       Indonesian ("17 Agt 2024", "Jumat, 13 Januari 2012"), ISO, dd/mm/yyyy or Excel serial
``month``      a calendar month ("Januari 2023", "2023-01") -> first day of the month
``quarter``    a quarter ("2023-Q1", "Triwulan I 2023", "TW 1 2023") -> "2023Q1"
``semester``   "Semester I 2024" / "2024-S1" -> "2024S1"
``rupiah``     "Rp1.250.000,00", "Rp 1.250.000", "1250000" -> float rupiah, must be >= 0
``int``/``float``  numbers with Indonesian separators ("78,5", "1.234") -> number, within ``bounds``
``percent``    "85%", "85", "0,85" -> share in [0, 1]
``yesno``      Ya/Tidak/Y/T/1/0 -> bool (a required yes/no column must be filled; an optional one the file
               lacks is unknown, i.e. missing, for the file's rows)
``likert5``    5-point agreement text or 1-5 -> int 1..5 (see ``ingest.normalise.LIKERT5``)
``skm4``       SKM answer 1-4 or its wording (Tidak sesuai ... Sangat sesuai) -> int 1..4
``category``   one of ``levels`` after mapping ``value_map`` (case- and space-insensitive)

Questionnaire items
-------------------
The questions of the reaction (L1) and followup (L3) questionnaires are also kept one per row in the derived
table ``items`` (:data:`ITEM_TABLES`, :data:`ITEMS_TABLE`): every ``likert5`` field of those tables (the default
items) and every other question a codebook maps as ``item`` with a ``scale`` (see ``ingest.codebook``). The
default items form the table's default scale (``reaction``: the five L1 items; ``application``: the four L3
items); other questions form the scales the codebook names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Field", "RawTable", "RAW_TABLES", "table_for_file", "SKM_UNSUR", "MODES", "ROLES_FOLLOWUP", "Choice",
           "Question", "INSTRUMENT_QUESTIONS", "SKM_QUESTIONS", "SKM_PROFILE", "ANSWER_MAPS", "answer_key",
           "instrument_headers", "code_from_label", "skm_choices", "FORM_RESPONSE_SHEETS", "FORM_TIMESTAMP_HEADERS",
           "LAYOUT_HEADERS", "ITEM_TABLES", "ITEMS_TABLE", "default_items"]


@dataclass(frozen=True)
class Field:
    """One canonical column and the raw headers it may arrive under (the first alias is the usual one)."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    required: bool = True
    levels: tuple[str, ...] | None = None
    value_map: dict[str, str] = field(default_factory=dict)
    bounds: tuple[float | None, float | None] = (None, None)


@dataclass(frozen=True)
class RawTable:
    """A canonical table, the file-name prefixes its field files carry, its fields and its unique key."""

    name: str
    prefixes: tuple[str, ...]
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    description: str = ""
    #: rows without a NIP are valid (an anonymous questionnaire): they are kept with a missing ``person_id``,
    #: are identified by their file and row (the key holds only for rows with a NIP) and are not checked for
    #: duplicates (two respondents may give the same answers)
    anonymous: bool = False

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}")


#: Delivery modes (DOMAIN.md section 3): klasikal = face-to-face classroom.
MODES: tuple[str, ...] = ("klasikal", "e-learning", "workshop", "seminar", "simulasi", "blended")
_MODE_MAP = {
    "tatap muka": "klasikal", "klasikal": "klasikal", "kelas": "klasikal", "face-to-face": "klasikal",
    "e-learning": "e-learning", "elearning": "e-learning", "daring": "e-learning", "online": "e-learning",
    "workshop": "workshop", "lokakarya": "workshop", "seminar": "seminar",
    "simulasi": "simulasi", "praktik": "simulasi", "simulasi/praktik": "simulasi",
    "blended": "blended", "campuran": "blended",
}
ROLES_FOLLOWUP: tuple[str, ...] = ("self", "supervisor", "peer")
_ROLE_MAP = {
    "diri sendiri": "self", "sendiri": "self", "self": "self", "alumni": "self",
    "atasan": "supervisor", "atasan langsung": "supervisor", "supervisor": "supervisor",
    "rekan kerja": "peer", "rekan": "peer", "sejawat": "peer", "peer": "peer",
}
#: The nine unsur of PermenPANRB 14/2017, in the regulation's order (canonical column u1..u9).
#: Raw SKM files name them in their headers, in any order (DOMAIN.md: "map unsur by name, not by position").
SKM_UNSUR: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("u1_persyaratan", ("Persyaratan", "U1 Persyaratan")),
    ("u2_prosedur", ("Sistem, Mekanisme dan Prosedur", "Prosedur", "Sistem Mekanisme Prosedur")),
    ("u3_waktu", ("Waktu Penyelesaian", "Waktu")),
    ("u4_biaya", ("Biaya/Tarif", "Biaya", "Tarif")),
    ("u5_produk", ("Produk Spesifikasi Jenis Pelayanan", "Produk Layanan", "Produk")),
    ("u6_kompetensi", ("Kompetensi Pelaksana", "Kompetensi")),
    ("u7_perilaku", ("Perilaku Pelaksana", "Perilaku")),
    ("u8_pengaduan", ("Penanganan Pengaduan, Saran dan Masukan", "Penanganan Pengaduan", "Pengaduan")),
    ("u9_sarana", ("Sarana dan Prasarana", "Sarana")),
)

_NIP = Field("nip", "nip", ("NIP", "Nomor Induk Pegawai", "NIP Pegawai", "NIP Peserta"))
#: the NIP of a questionnaire that may be anonymous (Google Forms satisfaction surveys often are)
_NIP_OPTIONAL = Field("nip", "nip", _NIP.aliases, required=False)
_REGION = Field("region", "region", ("Wilayah", "Kabupaten/Kota", "Daerah", "Lokasi"))
#: the region of a training table's rows, for an office without a programme list: usually one ``value`` per file in
#: the codebook ("Kabupaten Sleman"); a cleaned table has the column only when some file gave it
_REGION_OPTIONAL = Field("region", "region", _REGION.aliases, required=False)
#: tables whose ``region`` column is written only when a file gives it (see :func:`evalkit.scope.row_regions`)
OPTIONAL_REGION_TABLES: tuple[str, ...] = ("enrolments", "reaction", "tests", "followup")
_PROG = Field("programme_id", "id", ("Kode Pelatihan", "Kode Diklat", "ID Pelatihan"))
_L5 = "likert5"

RAW_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in [
        RawTable(
            "employees", ("pegawai",),
            (
                _NIP,
                Field("name", "name", ("Nama", "Nama Pegawai", "Nama Lengkap")),
                _REGION,
                Field("agency", "text", ("Unit Kerja", "OPD", "Perangkat Daerah", "Instansi")),
                Field("position_type", "category", ("Jenis Jabatan", "Jabatan"),
                      levels=("struktural", "fungsional", "pelaksana")),
                Field("golongan", "category", ("Golongan", "Gol.", "Pangkat/Golongan"),
                      levels=("II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d",
                              "IV/a", "IV/b", "IV/c", "IV/d", "IV/e")),
                Field("education", "category", ("Pendidikan Terakhir", "Pendidikan"),
                      levels=("SMA", "D3", "S1", "S2", "S3"),
                      value_map={"slta": "SMA", "sma/smk": "SMA", "smk": "SMA", "diii": "D3", "d-iii": "D3",
                                 "d-3": "D3", "s-1": "S1", "sarjana": "S1", "s-2": "S2", "magister": "S2",
                                 "s-3": "S3", "doktor": "S3"}),
            ),
            key=("nip",),
            description="one ASN; sex, birth year and appointment year are derived from the NIP",
        ),
        RawTable(
            "programmes", ("pelatihan", "diklat"),
            (
                _PROG,
                Field("title", "text", ("Nama Pelatihan", "Judul Pelatihan", "Judul")),
                Field("topic", "text", ("Topik", "Bidang"), required=False),
                Field("mode", "category", ("Metode", "Moda Pelatihan", "Jenis Pelaksanaan"),
                      levels=MODES, value_map=_MODE_MAP),
                Field("jp", "int", ("JP", "Jumlah JP", "Jam Pelajaran"), bounds=(1, 400)),
                Field("start_date", "date", ("Tanggal Mulai", "Tgl Mulai", "Mulai")),
                Field("end_date", "date", ("Tanggal Selesai", "Tgl Selesai", "Selesai")),
                _REGION,
                Field("cost_rp", "rupiah", ("Biaya", "Biaya (Rp)", "Biaya Pelatihan"), required=False),
                Field("provider", "text", ("Penyelenggara",), required=False),
            ),
            key=("programme_id",),
            description="one training offering",
        ),
        RawTable(
            "enrolments", ("peserta", "presensi"),
            (
                _NIP,
                _PROG,
                # an attendance list has NIP and Hadir only: the other columns are optional, and a column the
                # file lacks is unknown (missing) for its rows, never "Tidak"
                Field("invited", "yesno", ("Diundang",), required=False),
                Field("registered", "yesno", ("Mendaftar", "Terdaftar"), required=False),
                Field("attended", "yesno", ("Hadir",)),
                Field("completed", "yesno", ("Lulus", "Selesai", "Tamat"), required=False),
                Field("attendance_share", "percent", ("Persentase Kehadiran", "Kehadiran (%)"), required=False),
                Field("reason_absent", "text", ("Alasan Tidak Hadir", "Alasan"), required=False),
                # barriers stated in the invitation questionnaire (before the training)
                Field("barrier_time", "yesno", ("Kendala: Bentrok dengan Tugas", "Bentrok Jadwal"),
                      required=False),
                Field("barrier_relevance", "yesno", ("Kendala: Materi Kurang Relevan", "Kurang Relevan"),
                      required=False),
                Field("barrier_motivation", "yesno", ("Kendala: Kurang Motivasi", "Kurang Motivasi"),
                      required=False),
                Field("barrier_experienced", "yesno", ("Kendala: Merasa Sudah Berpengalaman", "Sudah Berpengalaman"),
                      required=False),
                _REGION_OPTIONAL,
            ),
            key=("nip", "programme_id"),
            description="person x programme: invitation, registration, attendance, completion and barriers",
        ),
        RawTable(
            "reaction", ("survei_reaksi", "kepuasan_peserta"),
            (
                _NIP_OPTIONAL,
                _PROG,
                Field("material", _L5, ("Materi sesuai kebutuhan", "Materi")),
                Field("trainer", _L5, ("Pengajar/Widyaiswara menguasai materi", "Pengajar", "Widyaiswara")),
                Field("relevance", _L5, ("Materi relevan dengan tugas", "Relevansi")),
                Field("facilities", _L5, ("Sarana dan fasilitas memadai", "Fasilitas")),
                Field("overall", _L5, ("Secara keseluruhan saya puas", "Kepuasan Keseluruhan")),
                Field("comment", "text", ("Saran/Komentar", "Komentar", "Saran"), required=False),
                _REGION_OPTIONAL,
            ),
            key=("nip", "programme_id"),
            description="Kirkpatrick L1: reaction questionnaire at the end of the training (may be anonymous)",
            anonymous=True,
        ),
        RawTable(
            "tests", ("nilai_tes", "tes"),
            (
                _NIP,
                _PROG,
                Field("pre_score", "float", ("Nilai Pre-test", "Pretest", "Pre Test"), bounds=(0, 100)),
                Field("post_score", "float", ("Nilai Post-test", "Posttest", "Post Test"), bounds=(0, 100)),
                _REGION_OPTIONAL,
            ),
            key=("nip", "programme_id"),
            description="Kirkpatrick L2: pre- and post-test scores (0-100)",
        ),
        RawTable(
            "followup", ("evaluasi_pasca", "epp"),
            (
                _NIP,
                _PROG,
                Field("rater_role", "category", ("Penilai", "Peran Penilai"),
                      levels=ROLES_FOLLOWUP, value_map=_ROLE_MAP),
                Field("rating_date", "date", ("Tanggal Penilaian", "Tanggal")),
                Field("apply_material", _L5, ("Menerapkan materi pelatihan dalam pekerjaan",)),
                Field("work_quality", _L5, ("Kualitas hasil kerja meningkat",)),
                Field("share_knowledge", _L5, ("Berbagi pengetahuan kepada rekan kerja",)),
                Field("service_initiative", _L5, ("Berinisiatif memperbaiki layanan",)),
                _REGION_OPTIONAL,
            ),
            key=("nip", "programme_id", "rater_role"),
            description="Kirkpatrick L3: application ratings 3-6 months after, by self, supervisor and peer",
        ),
        RawTable(
            "performance", ("kinerja", "skp"),
            (
                _NIP,
                Field("period", "quarter", ("Periode", "Triwulan")),
                Field("hasil_kerja", "category", ("Rating Hasil Kerja", "Hasil Kerja"),
                      levels=("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi"),
                      value_map={"diatas ekspektasi": "Di Atas Ekspektasi", "di atas": "Di Atas Ekspektasi",
                                 "sesuai": "Sesuai Ekspektasi", "di bawah": "Di Bawah Ekspektasi",
                                 "dibawah ekspektasi": "Di Bawah Ekspektasi"}),
                Field("perilaku", "category", ("Rating Perilaku Kerja", "Perilaku Kerja"),
                      levels=("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi"),
                      value_map={"diatas ekspektasi": "Di Atas Ekspektasi", "di atas": "Di Atas Ekspektasi",
                                 "sesuai": "Sesuai Ekspektasi", "di bawah": "Di Bawah Ekspektasi",
                                 "dibawah ekspektasi": "Di Bawah Ekspektasi"}),
                Field("skp_predikat", "category", ("Predikat Kinerja", "Predikat SKP", "Predikat"),
                      # worst -> best
                      levels=("Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik"),
                      value_map={"kurang": "Kurang/Misconduct", "misconduct": "Kurang/Misconduct",
                                 "kurang/ misconduct": "Kurang/Misconduct"}),
                Field("report_quality", "float", ("Nilai Kualitas Laporan", "Kualitas Laporan"), bounds=(0, 100)),
                Field("on_time_share", "percent", ("Ketepatan Waktu (%)", "Ketepatan Waktu")),
                Field("complaint_days", "float", ("Rata-rata Penyelesaian Pengaduan (hari)",
                                                  "Penyelesaian Pengaduan (hari)"), bounds=(0, 365)),
            ),
            key=("nip", "period"),
            description="person x quarter: SKP predikat and numeric work indicators",
        ),
        RawTable(
            "services", ("layanan",),
            (
                Field("unit", "text", ("Unit Layanan", "Unit Kerja", "OPD")),
                _REGION,
                Field("month", "month", ("Bulan", "Periode")),
                Field("volume", "int", ("Jumlah Layanan", "Jumlah Permohonan"), bounds=(0, None)),
                Field("wait_minutes", "float", ("Rata-rata Waktu Tunggu (menit)", "Waktu Tunggu (menit)"),
                      bounds=(0, 24 * 60)),
                Field("processing_days", "float", ("Rata-rata Waktu Proses (hari)", "Waktu Proses (hari)"),
                      bounds=(0, 365)),
                Field("complaints_received", "int", ("Pengaduan Masuk",), bounds=(0, None)),
                Field("complaints_resolved", "int", ("Pengaduan Selesai", "Pengaduan Ditindaklanjuti"),
                      bounds=(0, None)),
            ),
            key=("region", "unit", "month"),
            description="Kirkpatrick L4: service unit x month",
        ),
        RawTable(
            "skm", ("skm", "survei_kepuasan_masyarakat"),
            (
                Field("respondent_id", "id", ("No. Responden", "No Responden", "ID Responden")),
                Field("unit", "text", ("Unit Layanan", "Unit Pelayanan")),
                _REGION,
                Field("period", "semester", ("Periode Survei", "Periode")),
                *(Field(col, "skm4", aliases) for col, aliases in SKM_UNSUR),
            ),
            key=("region", "unit", "period", "respondent_id"),
            description="SKM respondent x unit x semester: the nine unsur of PermenPANRB 14/2017 (1-4)",
        ),
        RawTable(
            "budgets", ("anggaran",),
            (
                _REGION,
                Field("year", "int", ("Tahun Anggaran", "Tahun"), bounds=(2000, 2100)),
                _PROG,
                Field("allocated_rp", "rupiah", ("Pagu", "Pagu Anggaran", "Alokasi")),
                Field("realised_rp", "rupiah", ("Realisasi", "Realisasi Anggaran")),
            ),
            key=("region", "year", "programme_id"),
            description="region x year x programme: allocated and realised budget (Rp)",
        ),
        RawTable(
            "interviews", ("wawancara", "catatan_wawancara"),
            (
                Field("interview_id", "id", ("ID Wawancara", "Kode Informan", "No")),
                _REGION,
                Field("role", "category", ("Peran Informan", "Informan", "Peran"),
                      levels=("peserta", "kepala_dinas", "atasan", "masyarakat"),
                      value_map={"peserta pelatihan": "peserta", "alumni": "peserta", "kepala dinas": "kepala_dinas",
                                 "kepala opd": "kepala_dinas", "kepala kantor": "kepala_dinas",
                                 "atasan langsung": "atasan", "warga": "masyarakat", "pengguna layanan": "masyarakat"}),
                Field("interview_date", "date", ("Tanggal Wawancara", "Tanggal")),
                Field("text", "text", ("Catatan Wawancara", "Transkrip", "Ringkasan Jawaban")),
            ),
            key=("interview_id",),
            description="one interview or open answer (Indonesian); names and NIPs are scrubbed from the text",
        ),
        RawTable(
            "interview_codes", ("kode_manual", "koding_manual"),
            (
                Field("interview_id", "id", ("ID Wawancara", "Kode Informan", "Interview ID")),
                _REGION,
                Field("theme", "text", ("Tema", "Kategori Tema", "Theme")),
                Field("present", "yesno", ("Muncul", "Ada", "Present")),
                Field("coder", "id", ("Pengkode", "Koder", "Coder"), required=False),
            ),
            key=("interview_id", "theme"),
            description="hand coding of a sample of interviews: one row per interview x codebook theme "
                        "(theme id or label as in evalkit/data/codebook.csv; present Ya/Tidak), read by "
                        "evalkit.qual.hand_codes_wide",
        ),
    ]
}


#: The questionnaire tables whose questions are kept one per row in the derived ``items`` table, each with the
#: name of the scale its default items (its ``likert5`` fields) form.
ITEM_TABLES: dict[str, str] = {"reaction": "reaction", "followup": "application"}
#: The derived table of questionnaire answers in long form (``data/processed/items.parquet``), written by the
#: cleaner from :data:`ITEM_TABLES`; its columns are in ``ingest.schemas``.
ITEMS_TABLE = "items"


def default_items(table: str) -> tuple[str, ...]:
    """The default items of a questionnaire table of :data:`ITEM_TABLES` (its ``likert5`` fields, in order).

    >>> default_items("followup")
    ('apply_material', 'work_quality', 'share_knowledge', 'service_initiative')
    """
    return tuple(f.name for f in RAW_TABLES[table].fields if f.kind == "likert5")


def table_for_file(filename: str) -> str | None:
    """The canonical table a raw file belongs to, by the start of its name (longest prefix wins)."""
    stem = filename.lower().rsplit("/", 1)[-1]
    best: tuple[int, str | None] = (0, None)
    for t in RAW_TABLES.values():
        for p in t.prefixes:
            if stem.startswith(p) and len(p) > best[0]:
                best = (len(p), t.name)
    return best[1]


# ---------------------------------------------------------------------------------------------------------
# evalkit's own field instruments (``evalkit instruments``, see :mod:`evalkit.instruments`)
#
# The questions and answer choices below are written into the XLSForms and Excel templates, and the reader
# (``ingest.read``) accepts what KoboToolbox/ODK give back for them: headers as XML names (``nip``,
# ``penilaian/material``) or labels in either language, values as choice names (``sangat_setuju``) or
# labels. The XML name of every question is its canonical field name, which is always an accepted header.


@dataclass(frozen=True)
class Choice:
    """One answer option: XML ``name``, the ``value`` the cleaner receives, the Indonesian and English label."""

    name: str
    value: str
    id: str
    en: str


@dataclass(frozen=True)
class Question:
    """One question of an instrument whose XML name is canonical field ``field`` (labels in id and en)."""

    field: str
    id: str
    en: str


def answer_key(text: object) -> str:
    """How answers are compared: lower case, ``_`` as a space, single spaces, no trailing dot."""
    s = str(text).casefold().replace("_", " ")
    return " ".join(s.split()).rstrip(".").strip()


def _c(name: str, value: str, id_: str, en: str) -> Choice:
    return Choice(name, value, id_, en)


#: 5-point agreement (DOMAIN.md section 6); the labels are also accepted by ``normalise.LIKERT5`` as they are.
LIKERT5_CHOICES: tuple[Choice, ...] = (
    _c("sangat_tidak_setuju", "1", "Sangat tidak setuju", "Strongly disagree"),
    _c("tidak_setuju", "2", "Tidak setuju", "Disagree"),
    _c("netral", "3", "Netral", "Neutral"),
    _c("setuju", "4", "Setuju", "Agree"),
    _c("sangat_setuju", "5", "Sangat setuju", "Strongly agree"),
)
YESNO_CHOICES: tuple[Choice, ...] = (_c("ya", "Ya", "Ya", "Yes"), _c("tidak", "Tidak", "Tidak", "No"))
ROLE_CHOICES: tuple[Choice, ...] = (
    _c("self", "self", "Diri sendiri (alumni pelatihan)", "Self (the alumnus/alumna)"),
    _c("supervisor", "supervisor", "Atasan langsung", "Direct supervisor"),
    _c("peer", "peer", "Rekan kerja", "Co-worker (peer)"),
)

#: SKM questions and answer options a-d (scored 1-4) of the model questionnaire of PermenPANRB 14/2017, by
#: unsur in the regulation's order (canonical column, question id/en, the four options as (id, en) pairs).
#: [SECONDARY]: wording from published copies of the model questionnaire; the regulation text was not seen.
#: The model questionnaire asks about sarana before pengaduan: the columns are matched by name, not position.
SKM_QUESTIONS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("u1_persyaratan",
     "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
     "How well do the service requirements fit the type of service?",
     (("Tidak sesuai", "Not appropriate"), ("Kurang sesuai", "Less appropriate"), ("Sesuai", "Appropriate"),
      ("Sangat sesuai", "Very appropriate"))),
    ("u2_prosedur",
     "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
     "How easy is the service procedure at this unit?",
     (("Tidak mudah", "Not easy"), ("Kurang mudah", "Less easy"), ("Mudah", "Easy"), ("Sangat mudah", "Very easy"))),
    ("u3_waktu",
     "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
     "How fast is the service delivered?",
     (("Tidak cepat", "Not fast"), ("Kurang cepat", "Less fast"), ("Cepat", "Fast"), ("Sangat cepat", "Very fast"))),
    ("u4_biaya",
     "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
     "How fair is the cost/fee of the service?",
     (("Sangat mahal", "Very expensive"), ("Cukup mahal", "Fairly expensive"), ("Murah", "Cheap"),
      ("Gratis", "Free of charge"))),
    ("u5_produk",
     ("Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar "
      "pelayanan dengan hasil yang diberikan?"),
     "How well does the service delivered match the product stated in the service standard?",
     (("Tidak sesuai", "Not appropriate"), ("Kurang sesuai", "Less appropriate"), ("Sesuai", "Appropriate"),
      ("Sangat sesuai", "Very appropriate"))),
    ("u6_kompetensi",
     "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
     "How competent are the staff in delivering the service?",
     (("Tidak kompeten", "Not competent"), ("Kurang kompeten", "Less competent"), ("Kompeten", "Competent"),
      ("Sangat kompeten", "Very competent"))),
    ("u7_perilaku",
     "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
     "How polite and friendly are the staff when delivering the service?",
     (("Tidak sopan dan ramah", "Not polite and friendly"), ("Kurang sopan dan ramah", "Less polite and friendly"),
      ("Sopan dan ramah", "Polite and friendly"), ("Sangat sopan dan ramah", "Very polite and friendly"))),
    ("u8_pengaduan",
     "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
     "How are complaints from service users handled?",
     (("Tidak ada", "There is none"), ("Ada tetapi tidak berfungsi", "Exists but does not work"),
      ("Berfungsi kurang maksimal", "Works, but not fully"), ("Dikelola dengan baik", "Well managed"))),
    ("u9_sarana",
     "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
     "How good are the facilities and infrastructure?",
     (("Buruk", "Poor"), ("Cukup", "Fair"), ("Baik", "Good"), ("Sangat baik", "Very good"))),
)


def skm_choices(column: str) -> tuple[Choice, ...]:
    """The four options of one SKM unsur as choices; XML names like ``kurang_sesuai``, values ``"1"``-``"4"``."""
    for col, _q, _e, opts in SKM_QUESTIONS:
        if col == column:
            return tuple(_c(answer_key(i).replace(" ", "_").replace("/", "_"), str(k), i, e)
                         for k, (i, e) in enumerate(opts, start=1))
    raise KeyError(column)


#: Question wording per table (Indonesian, English): the XLSForms and templates use it, and the reader
#: accepts each label as a header (besides the field's ``aliases``).
INSTRUMENT_QUESTIONS: dict[str, tuple[Question, ...]] = {
    "reaction": (
        Question("nip", "NIP Anda (18 digit)", "Your NIP (18 digits)"),
        Question("programme_id", "Pelatihan yang Anda ikuti", "Training you attended"),
        Question("material", "Materi sesuai kebutuhan", "The material met my needs"),
        Question("trainer", "Pengajar/Widyaiswara menguasai materi", "The trainer (widyaiswara) mastered the material"),
        Question("relevance", "Materi relevan dengan tugas", "The material is relevant to my duties"),
        Question("facilities", "Sarana dan fasilitas memadai", "The facilities were adequate"),
        Question("overall", "Secara keseluruhan saya puas", "Overall, I am satisfied"),
        Question("comment", "Saran/Komentar", "Suggestions/comments"),
    ),
    "followup": (
        Question("rater_role", "Peran Anda sebagai penilai", "Your role as rater"),
        Question("nip", "NIP alumni yang dinilai (18 digit)", "NIP of the alumnus/alumna rated (18 digits)"),
        Question("programme_id", "Pelatihan yang diikuti alumni", "Training the alumnus/alumna attended"),
        Question("rating_date", "Tanggal penilaian", "Date of rating"),
        Question("apply_material", "Menerapkan materi pelatihan dalam pekerjaan",
                 "Applies the training material at work"),
        Question("work_quality", "Kualitas hasil kerja meningkat", "The quality of work has improved"),
        Question("share_knowledge", "Berbagi pengetahuan kepada rekan kerja", "Shares knowledge with co-workers"),
        Question("service_initiative", "Berinisiatif memperbaiki layanan", "Takes the initiative to improve services"),
    ),
    "enrolments": (
        Question("nip", "NIP pegawai yang diundang (18 digit)", "NIP of the invited employee (18 digits)"),
        Question("programme_id", "Pelatihan", "Training"),
        Question("invited", "Apakah pegawai diundang?", "Was the employee invited?"),
        Question("registered", "Apakah pegawai mendaftar?", "Did the employee register?"),
        Question("barrier_time", "Kendala: Bentrok dengan Tugas", "Barrier: clashes with duties"),
        Question("barrier_relevance", "Kendala: Materi Kurang Relevan", "Barrier: material not relevant"),
        Question("barrier_motivation", "Kendala: Kurang Motivasi", "Barrier: low motivation"),
        Question("barrier_experienced", "Kendala: Merasa Sudah Berpengalaman", "Barrier: feels already experienced"),
        Question("attended", "Apakah pegawai hadir?", "Did the employee attend?"),
        Question("reason_absent", "Alasan tidak hadir", "Reason for not attending"),
        Question("completed", "Apakah pegawai lulus/menyelesaikan pelatihan?",
                 "Did the employee complete the training?"),
        Question("attendance_share", "Persentase kehadiran (0-100)", "Share of sessions attended (0-100)"),
    ),
    "skm": (
        Question("respondent_id", "No. Responden", "Respondent no."),
        Question("region", "Wilayah (kabupaten/kota)", "Region (regency/city)"),
        Question("unit", "Unit layanan", "Service unit"),
        Question("period", "Periode survei", "Survey period"),
        *(Question(col, q, e) for col, q, e, _o in SKM_QUESTIONS),
    ),
}

#: Respondent profile of the SKM model questionnaire (PermenPANRB 14/2017): recorded by the form for the
#: office's own report, recognised by the reader and not kept (evalkit does not model it). XML name, id, en.
SKM_PROFILE: tuple[tuple[str, str, str], ...] = (
    ("tanggal_survei", "Tanggal survei", "Survey date"),
    ("jenis_kelamin", "Jenis kelamin", "Sex"),
    ("usia", "Usia", "Age"),
    ("pendidikan", "Pendidikan terakhir", "Highest education"),
    ("pekerjaan", "Pekerjaan", "Occupation"),
    ("pekerjaan_lain", "Pekerjaan lainnya (sebutkan)", "Other occupation (specify)"),
    ("jenis_layanan", "Jenis layanan yang diterima", "Type of service received"),
)

#: Headers read as known but not kept, per table (no "unknown column" warning).
IGNORED_HEADERS: dict[str, tuple[str, ...]] = {
    "skm": tuple(h for row in SKM_PROFILE for h in row),
}

#: Kobo/ODK meta columns: dropped by the reader and not counted when the header row is found. Names
#: starting with ``_`` always are; the bare words below only in a header that also has a Kobo/ODK marker.
KOBO_META: frozenset[str] = frozenset({
    "_id", "_uuid", "_submission_time", "_index", "_validation_status", "_notes", "_status", "_submitted_by",
    "__version__", "_tags", "_attachments", "_geolocation", "_xform_id_string", "_parent_index",
    "_parent_table_name", "_submission__id", "_submission__uuid",
})
KOBO_META_WORDS: frozenset[str] = frozenset({
    "start", "end", "today", "deviceid", "phonenumber", "username", "simserial", "subscriberid", "audit",
    "meta/instanceid", "meta/instancename", "meta/rootuuid", "meta/deprecatedid", "formhub/uuid", "instanceid",
    "meta-instanceid", "meta-instancename", "submissiondate", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "status", "reviewstate", "formversion", "edits", "key",
})
KOBO_MARKERS: frozenset[str] = frozenset({"_uuid", "_submission_time", "_id", "__version__", "submissiondate",
                                          "meta-instanceid", "meta/instanceid", "instanceid", "key"})

#: Google Forms exports (DOMAIN.md "Files as offices keep them"): the response sheet's name and the first
#: column, the time of the answer (d/m/yyyy H:MM:SS in the Indonesian locale). The reader treats the timestamp
#: as a known column that is not kept; the codebook names it ``submitted_at``.
FORM_RESPONSE_SHEETS: tuple[str, ...] = ("Form Responses 1", "Jawaban Formulir 1", "Respons Formulir 1")
FORM_TIMESTAMP_HEADERS: tuple[str, ...] = ("Timestamp", "Stempel waktu", "Cap waktu")
#: Layout columns of office sheets that hold no data (row number, signature); ``evalkit codebook`` pre-fills
#: them as ``ignore``.
LAYOUT_HEADERS: tuple[str, ...] = ("No", "No.", "Nomor", "No Urut", "Tanda Tangan", "TTD", "Paraf")

#: Workbook sheets of evalkit's templates that hold instructions, not data (skipped without a warning).
INSTRUCTION_SHEETS: frozenset[str] = frozenset({"petunjuk", "instructions", "petunjuk - instructions"})


def _answer_maps() -> dict[str, dict[str, dict[str, str]]]:
    """Table -> field -> answer key -> value, for answers the field's parser does not read as they are (SKM
    options by unsur, English labels, the rater roles' labels)."""
    out: dict[str, dict[str, dict[str, str]]] = {}

    def add(table: str, field_: str, choices: tuple[Choice, ...]) -> None:
        m = out.setdefault(table, {}).setdefault(field_, {})
        for ch in choices:
            for text in (ch.name, ch.id, ch.en):
                m.setdefault(answer_key(text), ch.value)

    for col, _q, _e, _o in SKM_QUESTIONS:
        add("skm", col, skm_choices(col))
    add("followup", "rater_role", ROLE_CHOICES)
    return out


#: Answer translations applied by the reader (see :func:`_answer_maps`); ``normalise.parser_for`` could use
#: them instead, per field, before the kind's parser.
ANSWER_MAPS: dict[str, dict[str, dict[str, str]]] = _answer_maps()

_CODE_IN_LABEL = re.compile(r"\[\s*([^\[\]]+?)\s*\]\s*$")


def code_from_label(text: str) -> str | None:
    """The code at the end of a choice label in square brackets ("Pelayanan Prima [PEL-001]" -> "PEL-001").

    The programme choices of evalkit's forms are labelled this way, so exports with labels still give codes.
    """
    m = _CODE_IN_LABEL.search(text)
    return m.group(1) if m else None


def instrument_headers(table: str) -> dict[str, str]:
    """Header -> canonical field for the labels of evalkit's instruments (``""``: known, not kept)."""
    out: dict[str, str] = {}
    for q in INSTRUMENT_QUESTIONS.get(table, ()):
        out.setdefault(q.id, q.field)
        out.setdefault(q.en, q.field)
    for h in IGNORED_HEADERS.get(table, ()):
        out.setdefault(h, "")
    return out


# ---------------------------------------------------------------------------------------------------------
# values as offices write them (read by ``ingest.normalise``)

#: Presensi codes of attendance sheets (DOMAIN.md, "Files as offices keep them"): code, the spellings that
#: mean it (compared lower case, single-spaced) and the reason for absence it stands for. Only H (hadir,
#: often a tick) is attendance (reason ``None``); the reasons are worded as ``instruments.templates.
#: PRESENSI_CODES`` words them. A cross ("x") is not listed: sheets use it both for present and for absent.
PRESENSI: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("H", ("h", "hadir", "v", "\u2713", "\u2714", "\u221a", "\u2611", "\u2705"), None),
    ("I", ("i", "izin", "ijin"), "Izin"),
    ("S", ("s", "sakit"), "Sakit"),
    ("A", ("a", "alpa", "alpha", "alfa", "alpa (tanpa keterangan)", "tk", "tanpa keterangan",
           "tidak ada keterangan", "tanpa ket"), "Alpa (tanpa keterangan)"),
    ("DL", ("dl", "dinas luar"), "Dinas Luar"),
    ("C", ("c", "cuti"), "Cuti"),
    ("TB", ("tb", "tugas belajar"), "Tugas Belajar"),
)

#: ``yesno`` fields whose cells may hold a presensi code instead of Ya/Tidak (``normalise.parse_attended``).
PRESENSI_FIELDS: frozenset[str] = frozenset({"attended"})
