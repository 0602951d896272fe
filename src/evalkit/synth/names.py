"""Vocabulary of the synthetic demo: names, agencies (OPD), region spellings, topics, providers.

Everything here is plain data. The lists are deliberately regional (Mandar/Bugis names in Mamuju, Melayu
Jambi in Batanghari, Minang in Bukittinggi, Sasak in Ampenan) so that the demo looks like a real HR export.
"""

from __future__ import annotations

__all__ = [
    "REGION_ORDER", "REGION_SLUG", "REGION_CODE", "REGION_SHARE", "REGION_VARIANTS", "AGENCIES",
    "FRONT_OFFICE", "FIRST_MALE", "FIRST_FEMALE", "LAST_NAMES", "REGIONAL_FIRST", "TOPICS", "PROVIDERS",
    "TITLE_ROWS", "DUKCAPIL",
]

#: Region order used everywhere (keys of ``config.REGIONS``).
REGION_ORDER: tuple[str, ...] = ("Mamuju", "Batanghari", "DKI Jakarta", "Bukittinggi", "Ampenan")
#: File-name slug of each region (``pegawai_<slug>.xlsx``).
REGION_SLUG: dict[str, str] = {
    "Mamuju": "mamuju", "Batanghari": "batanghari", "DKI Jakarta": "jakarta",
    "Bukittinggi": "bukittinggi", "Ampenan": "ampenan",
}
#: Short code used in programme ids.
REGION_CODE: dict[str, str] = {
    "Mamuju": "MMJ", "Batanghari": "BTH", "DKI Jakarta": "DKI", "Bukittinggi": "BKT", "Ampenan": "AMP",
}
#: Share of all employees in each region.
REGION_SHARE: dict[str, float] = {
    "Mamuju": 0.15, "Batanghari": 0.17, "DKI Jakarta": 0.35, "Bukittinggi": 0.16, "Ampenan": 0.17,
}
#: Spellings found in field files (first = the file's usual spelling; the others appear now and then).
REGION_VARIANTS: dict[str, tuple[str, ...]] = {
    "Mamuju": ("Kab. Mamuju", "Kabupaten Mamuju", "MAMUJU", "Mamuju", "KAB. MAMUJU"),
    "Batanghari": ("Kabupaten Batang Hari", "BATANGHARI", "Batanghari", "Kab. Batanghari", "Batang Hari"),
    "DKI Jakarta": ("Prov. DKI Jakarta", "Provinsi DKI Jakarta", "DKI Jakarta", "DKI JAKARTA", "Jakarta"),
    "Bukittinggi": ("Kota Bukit Tinggi", "Kota Bukittinggi", "BUKITTINGGI", "Bukittinggi", "Bukit Tinggi"),
    "Ampenan": ("Ampenan, Kota Mataram", "Kec. Ampenan", "Kecamatan Ampenan", "AMPENAN", "Ampenan"),
}

DUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil"

#: Agencies (OPD) per region with a relative size. Service units are the front-office ones (``FRONT_OFFICE``).
AGENCIES: dict[str, tuple[tuple[str, float], ...]] = {
    "Mamuju": (
        (DUKCAPIL, 1.0), ("DPMPTSP", 0.8), ("Dinas Kesehatan", 2.0), ("BPKAD", 0.9), ("Bappeda", 0.6),
        ("Dinas Pendidikan", 2.2), ("Sekretariat Daerah", 1.2), ("BKPSDM", 0.6), ("Dinas Sosial", 0.7),
    ),
    "Batanghari": (
        (DUKCAPIL, 1.0), ("DPMPTSP", 0.8), ("Dinas Kesehatan", 2.0), ("BPKAD", 1.0), ("Bappeda", 0.6),
        ("Dinas Pendidikan", 2.0), ("Sekretariat Daerah", 1.2), ("BKPSDM", 0.6),
        ("Dinas Perindustrian dan Perdagangan", 0.7), ("Dinas Pekerjaan Umum dan Penataan Ruang", 0.9),
    ),
    "DKI Jakarta": (
        (DUKCAPIL, 1.4), ("DPMPTSP", 1.2), ("Dinas Kesehatan", 2.2), ("BPKD", 1.0), ("Bappeda", 0.7),
        ("Dinas Pendidikan", 2.2), ("Sekretariat Daerah", 1.3), ("BKD", 0.7),
        ("Dinas Komunikasi, Informatika dan Statistik", 0.8), ("Dinas Perhubungan", 1.1),
        ("Dinas Sosial", 0.8), ("Badan Pendapatan Daerah", 1.0),
    ),
    "Bukittinggi": (
        (DUKCAPIL, 0.9), ("DPMPTSP", 0.8), ("Dinas Kesehatan", 1.6), ("BPKAD", 0.8), ("Bappeda", 0.6),
        ("Dinas Pendidikan", 1.8), ("Sekretariat Daerah", 1.1), ("BKPSDM", 0.5),
        ("Dinas Pariwisata", 0.7), ("Dinas Sosial", 0.6),
    ),
    "Ampenan": (
        ("Kantor Kecamatan Ampenan", 2.0), ("Kelurahan Ampenan Selatan", 0.8), ("Kelurahan Ampenan Tengah", 0.8),
        ("Kelurahan Ampenan Utara", 0.8), ("Kelurahan Banjar", 0.7), ("Kelurahan Bintaro", 0.7),
        ("Kelurahan Dayan Peken", 0.7), ("Kelurahan Kebon Sari", 0.7), ("Kelurahan Pejarakan Karya", 0.7),
        ("Kelurahan Pejeruk", 0.7), ("Kelurahan Taman Sari", 0.7), ("Puskesmas Ampenan", 1.2),
        ("UPTD Pendidikan Kecamatan Ampenan", 1.5),
    ),
}
#: Front-office agencies: the service units of the ``services`` and ``skm`` tables (names match exactly).
FRONT_OFFICE: dict[str, tuple[str, ...]] = {
    "Mamuju": (DUKCAPIL, "DPMPTSP", "Dinas Kesehatan", "Dinas Sosial"),
    "Batanghari": (DUKCAPIL, "DPMPTSP", "Dinas Kesehatan"),
    "DKI Jakarta": (DUKCAPIL, "DPMPTSP", "Dinas Kesehatan", "Dinas Perhubungan", "Badan Pendapatan Daerah"),
    "Bukittinggi": (DUKCAPIL, "DPMPTSP", "Dinas Kesehatan", "Dinas Pariwisata"),
    "Ampenan": ("Kantor Kecamatan Ampenan", "Kelurahan Ampenan Selatan", "Kelurahan Ampenan Tengah",
                "Kelurahan Ampenan Utara", "Kelurahan Dayan Peken", "Kelurahan Pejeruk", "Puskesmas Ampenan"),
}

FIRST_MALE: tuple[str, ...] = (
    "Ahmad", "Muhammad", "Budi", "Agus", "Andi", "Arif", "Bambang", "Dedi", "Dodi", "Eko", "Fajar", "Fauzi",
    "Hendra", "Heru", "Irfan", "Joko", "Kurniawan", "Rahmat", "Rizki", "Rudi", "Slamet", "Sugeng", "Taufik",
    "Teguh", "Wahyu", "Yusuf", "Zainal", "Hadi", "Iwan", "Yudi", "Dimas", "Gilang", "Ilham", "Reza", "Aditya",
    "Bayu", "Doni", "Erwin", "Ferry", "Hasan", "Imam", "Lukman", "Nur", "Rian", "Syahrul", "Hamdan", "Ridwan",
    "Sofyan", "Asep", "Ujang", "Wawan", "Darmawan", "Suryadi", "Firman", "Ramli", "Anwar", "Rusdi", "Safrudin",
)
FIRST_FEMALE: tuple[str, ...] = (
    "Siti", "Sri", "Dewi", "Ani", "Rina", "Lestari", "Nurhayati", "Yuni", "Wulan", "Fitri", "Indah", "Ratna",
    "Ayu", "Dian", "Eka", "Fatimah", "Hana", "Intan", "Kartika", "Lina", "Maya", "Novi", "Putri", "Rahma",
    "Sari", "Tuti", "Wati", "Yanti", "Yuliani", "Endang", "Nining", "Rini", "Susanti", "Mega", "Nia", "Ika",
    "Desi", "Evi", "Laila", "Mariani", "Nurul", "Ratih", "Rosmawati", "Suryani", "Tri", "Umi", "Winda",
    "Anisa", "Hasanah", "Halimah", "Zubaidah", "Rosita", "Marlina", "Herlina", "Juwita", "Kurniasih",
)
#: Region-flavoured first names: (male, female).
REGIONAL_FIRST: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Mamuju": (("Andi", "Muh.", "Syamsul", "Basri", "Jufri", "Arifuddin", "Darwis", "Hamzah", "Mursalim",
                "Nasrullah"), ("Andi", "Nurhaedah", "Hasnawati", "Sitti", "Rahmawati", "Nurjannah",
                               "Hartati", "Masyita")),
    "Batanghari": (("M.", "Zulkifli", "Syamsuddin", "Hermansyah", "Azhar", "Rosmadi", "Kemas", "Raden"),
                   ("Nurlela", "Rosmiati", "Zuraidah", "Yusnidar", "Masnah", "Erni", "Nyimas")),
    "DKI Jakarta": (("Rizal", "Fadli", "Gunawan", "Hendrik", "Kevin", "Michael", "Yohanes", "Stefanus"),
                    ("Melati", "Citra", "Nadia", "Vivi", "Jessica", "Maria", "Anastasia", "Theresia")),
    "Bukittinggi": (("Afrizal", "Yulizar", "Zulfikar", "Erizal", "Asrul", "Hendri", "Datuk", "Syafrizal"),
                    ("Yulia", "Yusnimar", "Elfi", "Rosnida", "Desmawati", "Yenni", "Afni", "Nofriyanti")),
    "Ampenan": (("Lalu", "Zulkarnain", "Mahsun", "Sahnan", "Muhsin", "Hirman", "Sapoan", "Jumadil"),
                ("Baiq", "Nurhasanah", "Sumiati", "Hidayah", "Rabiatul", "Mardiana", "Sahnun", "Aisyah")),
}
LAST_NAMES: tuple[str, ...] = (
    "Santoso", "Wijaya", "Saputra", "Pratama", "Hidayat", "Setiawan", "Nugroho", "Kusuma", "Siregar", "Nasution",
    "Harahap", "Lubis", "Simanjuntak", "Hutapea", "Sihombing", "Purba", "Gunawan", "Halim", "Rahman", "Hakim",
    "Syahputra", "Ramadhan", "Firmansyah", "Permana", "Hermawan", "Suryana", "Kurnia", "Susanto", "Wibowo",
    "Prasetyo", "Utomo", "Haryanto", "Sutrisno", "Wahyudi", "Sulistyo", "Maulana", "Hasibuan", "Tanjung",
    "Putra", "Rachmawati", "Handayani", "Lestari", "Puspita", "Anggraini", "Wulandari", "Safitri", "Kurniawati",
    "Pertiwi", "Ningsih", "Astuti", "Fitriani", "Oktaviani", "Rahayu", "Yulianti", "Marpaung", "Sitompul",
    "Pohan", "Daulay", "Ritonga", "Batubara", "Tambunan", "Manurung", "Pangaribuan", "Situmorang",
    "Mappangara", "Pawelloi", "Tahir", "Baso", "Mallarangeng", "Daeng", "Latif", "Jamaluddin", "Syarif",
    "Chaniago", "Piliang", "Sikumbang", "Koto", "Tanjung", "Caniago", "Jambak", "Guci", "Panai",
    "Sasmita", "Fathurrahman", "Hamdi", "Mustafa", "Hamid", "Sulaiman", "Yahya", "Ismail", "Ibrahim",
    "Subagyo", "Suharto", "Setiadi", "Kartono", "Sudirman", "Hartono", "Wiranata", "Darmadi", "Effendi",
    "Tarigan", "Ginting", "Sembiring", "Sinaga", "Silalahi", "Pardede", "Panjaitan", "Simatupang", "Damanik",
)
#: Academic titles written around names in HR lists (front, back).
TITLES_FRONT: tuple[str, ...] = ("Drs.", "Dra.", "dr.", "Ir.", "H.", "Hj.")
TITLES_BACK: tuple[str, ...] = ("S.Sos", "S.E.", "S.H.", "S.Kom", "S.Pd", "S.STP", "M.Si", "M.M.", "S.Kep",
                                "A.Md", "M.AP", "S.T.")

#: Training topics (from the seeds) and the title stems used for them.
TOPICS: dict[str, tuple[str, ...]] = {
    "pelayanan publik": ("Pelatihan Manajemen Pelayanan Publik", "Pelatihan Pelayanan Prima"),
    "pengelolaan keuangan daerah": ("Pelatihan Pengelolaan Keuangan Daerah", "Bimtek Penatausahaan Keuangan Daerah"),
    "sistem informasi manajemen": ("Pelatihan Sistem Informasi Manajemen", "Bimtek Aplikasi SIM Kepegawaian"),
    "manajemen proyek": ("Pelatihan Manajemen Proyek", "Diklat Perencanaan dan Pengendalian Proyek"),
    "komunikasi publik": ("Pelatihan Komunikasi Publik", "Pelatihan Komunikasi Efektif dengan Masyarakat"),
}
#: Training providers per region.
PROVIDERS: dict[str, tuple[str, ...]] = {
    "Mamuju": ("BKPSDM Kabupaten Mamuju", "BPSDM Provinsi Sulawesi Barat", "Universitas Sulawesi Barat"),
    "Batanghari": ("BKPSDM Kabupaten Batanghari", "BPSDM Provinsi Jambi", "Universitas Jambi"),
    "DKI Jakarta": ("BPSDM Provinsi DKI Jakarta", "LAN RI", "Universitas Indonesia", "Pusdiklat Kemendagri"),
    "Bukittinggi": ("BKPSDM Kota Bukittinggi", "BPSDM Provinsi Sumatera Barat", "Universitas Andalas"),
    "Ampenan": ("BKPSDM Kota Mataram", "BPSDM Provinsi NTB", "Universitas Mataram"),
}
#: Official long names used in XLSX title rows.
TITLE_ROWS: dict[str, str] = {
    "Mamuju": "KABUPATEN MAMUJU", "Batanghari": "KABUPATEN BATANGHARI", "DKI Jakarta": "PROVINSI DKI JAKARTA",
    "Bukittinggi": "KOTA BUKITTINGGI", "Ampenan": "KECAMATAN AMPENAN KOTA MATARAM",
}
