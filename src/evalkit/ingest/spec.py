"""The contract between field files and canonical tables.

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
``yesno``      Ya/Tidak/Y/T/1/0 -> bool
``likert5``    5-point agreement text or 1-5 -> int 1..5 (see ``ingest.normalise.LIKERT5``)
``skm4``       SKM answer 1-4 or its wording (Tidak sesuai ... Sangat sesuai) -> int 1..4
``category``   one of ``levels`` after mapping ``value_map`` (case- and space-insensitive)
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Field", "RawTable", "RAW_TABLES", "table_for_file", "SKM_UNSUR", "MODES", "ROLES_FOLLOWUP"]


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
_REGION = Field("region", "region", ("Wilayah", "Kabupaten/Kota", "Daerah", "Lokasi"))
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
                Field("topic", "text", ("Topik", "Bidang")),
                Field("mode", "category", ("Metode", "Moda Pelatihan", "Jenis Pelaksanaan"),
                      levels=MODES, value_map=_MODE_MAP),
                Field("jp", "int", ("JP", "Jumlah JP", "Jam Pelajaran"), bounds=(1, 400)),
                Field("start_date", "date", ("Tanggal Mulai", "Tgl Mulai", "Mulai")),
                Field("end_date", "date", ("Tanggal Selesai", "Tgl Selesai", "Selesai")),
                _REGION,
                Field("cost_rp", "rupiah", ("Biaya", "Biaya (Rp)", "Biaya Pelatihan")),
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
                Field("invited", "yesno", ("Diundang",)),
                Field("registered", "yesno", ("Mendaftar", "Terdaftar")),
                Field("attended", "yesno", ("Hadir",)),
                Field("completed", "yesno", ("Lulus", "Selesai", "Tamat")),
                Field("attendance_share", "percent", ("Persentase Kehadiran", "Kehadiran (%)")),
                Field("reason_absent", "text", ("Alasan Tidak Hadir", "Alasan"), required=False),
                # barriers stated in the invitation questionnaire (before the training)
                Field("barrier_time", "yesno", ("Kendala: Bentrok dengan Tugas", "Bentrok Jadwal")),
                Field("barrier_relevance", "yesno", ("Kendala: Materi Kurang Relevan", "Kurang Relevan")),
                Field("barrier_motivation", "yesno", ("Kendala: Kurang Motivasi", "Kurang Motivasi")),
                Field("barrier_experienced", "yesno", ("Kendala: Merasa Sudah Berpengalaman", "Sudah Berpengalaman")),
            ),
            key=("nip", "programme_id"),
            description="person x programme: invitation, registration, attendance, completion and barriers",
        ),
        RawTable(
            "reaction", ("survei_reaksi", "kepuasan_peserta"),
            (
                _NIP,
                _PROG,
                Field("material", _L5, ("Materi sesuai kebutuhan", "Materi")),
                Field("trainer", _L5, ("Pengajar/Widyaiswara menguasai materi", "Pengajar", "Widyaiswara")),
                Field("relevance", _L5, ("Materi relevan dengan tugas", "Relevansi")),
                Field("facilities", _L5, ("Sarana dan fasilitas memadai", "Fasilitas")),
                Field("overall", _L5, ("Secara keseluruhan saya puas", "Kepuasan Keseluruhan")),
                Field("comment", "text", ("Saran/Komentar", "Komentar", "Saran"), required=False),
            ),
            key=("nip", "programme_id"),
            description="Kirkpatrick L1: reaction questionnaire at the end of the training",
        ),
        RawTable(
            "tests", ("nilai_tes", "tes"),
            (
                _NIP,
                _PROG,
                Field("pre_score", "float", ("Nilai Pre-test", "Pretest", "Pre Test"), bounds=(0, 100)),
                Field("post_score", "float", ("Nilai Post-test", "Posttest", "Post Test"), bounds=(0, 100)),
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
                      levels=("Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik"),  # worst -> best
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


def table_for_file(filename: str) -> str | None:
    """The canonical table a raw file belongs to, by the start of its name (longest prefix wins)."""
    stem = filename.lower().rsplit("/", 1)[-1]
    best: tuple[int, str | None] = (0, None)
    for t in RAW_TABLES.values():
        for p in t.prefixes:
            if stem.startswith(p) and len(p) > best[0]:
                best = (len(p), t.name)
    return best[1]
