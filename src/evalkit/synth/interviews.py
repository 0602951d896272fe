"""Interview notes assembled from theme templates that follow each region's seed story.

Each note is built from two or three themes; the themes used are returned so the ground truth can state
them (for checking the qualitative coding in ``evalkit.qual``). Templates use affixed word forms
("pelatihan", "dilatih", "anggarannya") on purpose, so that stemming is exercised.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from evalkit.synth import names as N

__all__ = ["THEMES", "REGION_THEME_WEIGHTS", "THEME_LABELS", "interviews", "hand_codes"]

THEMES: dict[str, tuple[str, ...]] = {
    "budget": (
        "Anggarannya terbatas sehingga pelatihan hanya bisa diadakan sekali setahun.",
        "Keterbatasan anggaran membuat jumlah peserta yang dilatih sangat sedikit.",
        "Kalau anggarannya ditambah, frekuensi pelatihan bisa ditingkatkan.",
    ),
    "time_conflict": (
        "Jadwal pelatihan bentrok dengan tugas harian di kantor, jadi banyak yang tidak hadir.",
        "Saya kesulitan membagi waktu antara pekerjaan rutin dan mengikuti pelatihan.",
        "Sebaiknya pelatihan dibuat daring atau di luar jam kerja supaya tidak mengganggu pelayanan.",
    ),
    "relevance": (
        "Materinya kurang relevan dengan tugas sehari-hari saya di kelurahan.",
        "Banyak pegawai merasa pelatihan itu tidak sesuai dengan pekerjaan mereka.",
        "Modul pelatihannya perlu disesuaikan dengan kebutuhan di lapangan.",
    ),
    "motivation": (
        "Sebagian pegawai kurang termotivasi karena tidak melihat manfaat langsung dari pelatihan.",
        "Tidak ada insentif setelah dilatih, jadi minat untuk ikut rendah.",
        "Motivasi peserta meningkat setelah mereka melihat hasilnya di pekerjaan.",
    ),
    "resistance": (
        "Pegawai senior merasa sudah berpengalaman dan tidak perlu mengikuti pelatihan lagi.",
        "Ada resistensi dari pegawai lama terhadap cara kerja baru yang diajarkan.",
        "Yang sudah puluhan tahun bekerja biasanya enggan dilatih ulang.",
    ),
    "trainer_quality": (
        "Widyaiswaranya menguasai materi dan mudah dipahami.",
        "Pengajarnya kompeten, tetapi waktunya terlalu singkat.",
        "Narasumber dari universitas memberikan contoh yang sangat membantu.",
    ),
    "method": (
        "Metode simulasi dan praktik langsung membuat kami lebih percaya diri melayani masyarakat.",
        "Pelatihan e-learning memudahkan karena bisa belajar dari rumah.",
        "Workshop dengan praktisi memberikan pengalaman langsung yang bermanfaat.",
    ),
    "monitoring": (
        "Belum ada pemantauan setelah pelatihan, jadi penerapannya tidak terukur.",
        "Perlu evaluasi pasca pelatihan oleh atasan untuk memastikan materinya diterapkan.",
        "Atasan jarang menanyakan apa yang sudah diterapkan setelah pelatihan.",
    ),
    "service_improvement": (
        "Setelah pelatihan, waktu tunggu masyarakat menjadi lebih singkat.",
        "Pengurusan dokumen kependudukan sekarang lebih cepat selesai.",
        "Keluhan masyarakat ditangani lebih cepat dan lebih ramah.",
        "Laporan yang disusun staf menjadi lebih rapi dan tepat waktu.",
    ),
}
#: How often each theme appears in a region's interviews (follows the seed stories).
REGION_THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "Mamuju": dict(budget=3, motivation=3, monitoring=2, trainer_quality=1, relevance=1, service_improvement=1.5),
    "Batanghari": dict(time_conflict=4, motivation=1.5, service_improvement=1.5, method=1, monitoring=1, budget=1),
    "DKI Jakarta": dict(resistance=3, budget=1.5, method=2, service_improvement=2, relevance=1, monitoring=1),
    "Bukittinggi": dict(method=3, motivation=2.5, budget=2, trainer_quality=1.5, service_improvement=1.5),
    "Ampenan": dict(relevance=3.5, service_improvement=2.5, budget=1.5, motivation=1, time_conflict=1),
}
#: Each theme as a coder writes it: the codebook's Indonesian and English labels (``evalkit/data/codebook.csv``).
THEME_LABELS: dict[str, tuple[str, str]] = {
    "budget": ("Anggaran", "Budget and funding"),
    "time_conflict": ("Bentrok waktu dan tugas", "Time conflict with daily duties"),
    "relevance": ("Relevansi materi", "Relevance to job needs"),
    "motivation": ("Motivasi dan manfaat", "Motivation and perceived benefit"),
    "resistance": ("Resistensi terhadap perubahan", "Resistance to change"),
    "trainer_quality": ("Kualitas pengajar", "Trainer quality"),
    "method": ("Metode pelatihan", "Training method and mode"),
    "monitoring": ("Monitoring pasca pelatihan", "Post-training monitoring and follow-up"),
    "service_improvement": ("Perbaikan pelayanan", "Service improvement"),
}
_ROLES = ("peserta", "kepala_dinas", "atasan", "masyarakat")
_ROLE_TEXT = {"peserta": ("Peserta pelatihan", "Alumni", "Peserta"),
              "kepala_dinas": ("Kepala Dinas", "Kepala OPD", "Kepala Kantor"),
              "atasan": ("Atasan langsung", "Atasan"), "masyarakat": ("Warga", "Pengguna layanan", "Masyarakat")}
_OPENERS = {"peserta": "Menurut saya, ", "kepala_dinas": "Dari sisi pimpinan, ", "atasan": "Sebagai atasan, ",
            "masyarakat": "Sebagai warga, "}


def interviews(rng: np.random.Generator, emp: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Interview notes per region (30-60 each) and their truth.

    Parameters
    ----------
    rng : numpy.random.Generator
    emp : pandas.DataFrame
        Employees with ``region``, ``plain_name`` and ``nip`` (a few notes mention one of them).

    Returns
    -------
    notes : pandas.DataFrame
        ``interview_id, region, role, role_text, interview_date, text``.
    truth : list of dict
        ``{interview_id, region, role, themes, mentions_name, mentions_nip}`` per note.
    """
    rows, truth = [], []
    for region in N.REGION_ORDER:
        n = int(rng.integers(30, 61))
        w = REGION_THEME_WEIGHTS[region]
        names_ = list(w)
        p = np.array([w[k] for k in names_])
        p = p / p.sum()
        staff = emp.loc[emp["region"] == region, ["plain_name", "nip"]].reset_index(drop=True)
        for k in range(n):
            role = _ROLES[rng.choice(4, p=[0.45, 0.15, 0.2, 0.2])]
            n_th = int(rng.integers(2, 4))
            themes = sorted(set(names_[j] for j in rng.choice(len(names_), size=n_th, replace=False, p=p)))
            if role == "masyarakat" and "service_improvement" not in themes:
                themes = sorted(set(themes[:1]) | {"service_improvement"})
            sent = [THEMES[t][rng.integers(0, len(THEMES[t]))] for t in themes]
            text = _OPENERS[role] + sent[0][0].lower() + sent[0][1:] + " " + " ".join(sent[1:])
            u = rng.random()
            men_name = men_nip = False
            if u < 0.08 and len(staff):
                s = staff.iloc[int(rng.integers(0, len(staff)))]
                text += f" Contohnya Bapak/Ibu {s['plain_name']} yang sekarang lebih cepat menyelesaikan laporan."
                men_name = True
            elif u < 0.12 and len(staff):
                s = staff.iloc[int(rng.integers(0, len(staff)))]
                nip = s["nip"]
                text += (f" Salah satu peserta, {s['plain_name']} (NIP {nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}),"
                         " menjadi narasumber internal.")
                men_name = men_nip = True
            iid = f"{N.REGION_CODE[region]}-W{k + 1:03d}"
            date = dt.date(2024, 11, 1) + dt.timedelta(days=int(rng.integers(0, 100)))
            rows.append(dict(interview_id=iid, region=region, role=role,
                             role_text=_ROLE_TEXT[role][rng.integers(0, len(_ROLE_TEXT[role]))],
                             interview_date=date, text=text))
            truth.append(dict(interview_id=iid, region=region, role=role, themes=themes,
                              mentions_name=men_name, mentions_nip=men_nip))
    return pd.DataFrame(rows), truth


def hand_codes(notes_truth: list[dict], rng: np.random.Generator, per_region: int = 15, miss: float = 0.06,
               add: float = 0.03, name_as_service: float = 0.5) -> pd.DataFrame:
    """A hand-coded sample of the interview notes, as a field team's coders would produce it.

    Per region ``per_region`` notes are drawn without replacement (sorted by their position) and coded for every
    theme of :data:`THEME_LABELS`. A coder codes what a note is about: the themes it was built from, read with a
    little human inconsistency (a theme that is there is missed with probability ``miss``, one that is not there
    is coded with probability ``add``). A note that ends with the example of a named colleague who "now finishes
    reports faster" is coded as service improvement with probability ``name_as_service``. Two coders (``K1``,
    ``K2``) share each region's notes alternately.

    The keyword coder of :mod:`evalkit.qual` disagrees with these codes where a template sentence uses another
    theme's words (e.g. "dibuat daring ... supaya tidak mengganggu pelayanan" in a time-conflict sentence) and
    where the coders slip, so the agreement check has something to find.

    Returns
    -------
    DataFrame
        ``interview_id, region, theme, present, coder``, one row per sampled note x theme (theme ids).
    """
    rows = []
    themes = list(THEME_LABELS)
    for region in N.REGION_ORDER:
        recs = [t for t in notes_truth if t["region"] == region]
        k = min(int(per_region), len(recs))
        pick = np.sort(rng.choice(len(recs), size=k, replace=False))
        for j, i in enumerate(pick):
            r = recs[int(i)]
            there = set(r["themes"])
            u = rng.random(len(themes))
            extra = r["mentions_name"] and not r["mentions_nip"] and rng.random() < name_as_service
            for theme, ui in zip(themes, u, strict=True):
                code = bool(ui >= miss) if theme in there else bool(ui < add)
                if theme == "service_improvement" and extra:
                    code = True
                rows.append(dict(interview_id=r["interview_id"], region=region, theme=theme, present=code,
                                 coder=f"K{j % 2 + 1}"))
    return pd.DataFrame(rows, columns=["interview_id", "region", "theme", "present", "coder"])
