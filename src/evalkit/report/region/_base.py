"""Constants of the region report and the small numeric helpers its findings share."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.measures._util import wilson

#: Canonical tables the report reads.
REQUIRED_TABLES: tuple[str, ...] = ("employees", "programmes", "enrolments", "reaction", "tests", "followup",
                                    "performance", "services", "skm", "budgets", "interviews")


#: Focus sections the report can tell (see :func:`choose_spotlight`).
SPOTLIGHTS: tuple[str, ...] = ("services", "budget", "tenure", "practice", "modes", "barrier")


#: How to measure what a missing table would have measured: table -> (level, file name start, columns,
#: instrument written by ``evalkit instruments``).
MEASUREMENT: dict[str, tuple[str, str, str, str]] = {
    "enrolments": ("", "presensi", "NIP, Kode Pelatihan, Diundang, Hadir, Lulus, Alasan Tidak Hadir (kode presensi)",
                   "templates/presensi"),
    "reaction": ("L1", "survei_reaksi", "NIP, Kode Pelatihan, Materi, Pengajar, Relevansi, Fasilitas, "
                 "Kepuasan Keseluruhan", "xlsform_survei_reaksi"),
    "tests": ("L2", "nilai_tes", "NIP, Kode Pelatihan, Nilai Pre-test, Nilai Post-test", "templates/nilai_tes"),
    "followup": ("L3", "evaluasi_pasca", "NIP, Kode Pelatihan, Penilai (Diri sendiri/Atasan/Rekan kerja), Tanggal "
                 "Penilaian, Menerapkan materi pelatihan dalam pekerjaan, Kualitas hasil kerja meningkat, Berbagi "
                 "pengetahuan kepada rekan kerja, Berinisiatif memperbaiki layanan", "xlsform_evaluasi_pasca"),
    "performance": ("L3/L4", "kinerja", "NIP, Periode (mis. 2023-Q1), Rating Hasil Kerja, Rating Perilaku Kerja, "
                    "Predikat Kinerja, indikator kerja", "SIMPEG/e-Kinerja"),
    "services": ("L4", "layanan", "Unit Layanan, Wilayah, Bulan, Jumlah Layanan, Rata-rata Waktu Tunggu (menit), "
                 "Rata-rata Waktu Proses (hari), Pengaduan Masuk, Pengaduan Selesai", "templates/layanan"),
    "skm": ("L4", "skm", "No. Responden, Unit Layanan, Wilayah, Periode Survei, sembilan unsur U1-U9", "xlsform_skm"),
    "budgets": ("", "anggaran", "Wilayah, Tahun Anggaran, Kode Pelatihan, Pagu, Realisasi", "templates/anggaran"),
    "interviews": ("", "wawancara", "ID Wawancara, Wilayah, Peran Informan, Tanggal Wawancara, Catatan Wawancara",
                   "templates/wawancara"),
}


#: Fewer agencies (or service units) than this: the wild cluster bootstrap p-value is reported beside the
#: usual one (cluster-robust t-tests over-reject with few clusters; Cameron, Gelbach & Miller 2008).
FEW_CLUSTERS: int = 30


#: Below this many clusters the bootstrap uses Webb's six-point weights, else Rademacher (Webb 2014).
WEBB_BELOW: int = 12


#: Draws of the wild cluster bootstrap, and its seed (fixed: the same data give the same report).
BOOTSTRAP_B: int = 9999


BOOTSTRAP_SEED: int = config.DEFAULT_SEED


#: Reaction (L1) Likert items of the ``reaction`` table.
REACTION_ITEMS: tuple[str, ...] = ("material", "trainer", "relevance", "facilities", "overall")


#: L3 application items of the ``followup`` table.
APPLICATION_ITEMS: tuple[str, ...] = ("apply_material", "work_quality", "share_knowledge", "service_initiative")


#: Supervisor rating (mean of the application items, 1-5) counted as "applies what was learned".
APPLICATION_BAR: float = 4.0


#: Interview themes that are participation barriers (codebook theme -> barrier).
BARRIER_THEMES: tuple[str, ...] = ("time_conflict", "relevance", "motivation", "resistance")


#: Years of service from which a civil servant counts as experienced (the tenure focus section).
EXPERIENCED_TENURE: int = 20


#: Outcomes of the performance panel estimated in every report:
#: column -> (outcome key, unit key, scale of the estimate, direction that is an improvement).
PERFORMANCE_OUTCOMES: dict[str, tuple[str, str, float, str]] = {
    "report_quality": ("report_quality", "points", 1.0, "higher"),
    "on_time_share": ("on_time_share", "pp", 100.0, "higher"),
    "complaint_days": ("complaint_days", "days", 1.0, "lower"),
}


#: Display order of delivery modes.
MODE_ORDER: tuple[str, ...] = ("klasikal", "e-learning", "workshop", "blended", "simulasi", "seminar")


#: Service outcomes (unit x month): column -> (outcome key, unit key).
SERVICE_OUTCOMES: dict[str, tuple[str, str]] = {
    "wait_minutes": ("wait_minutes", "minutes"),
    "processing_days": ("processing_days", "days"),
}


#: Section order of the report (the notebook displays them in this order).
SECTIONS: tuple[str, ...] = ("background", "methods", "reach", "reaction", "learning", "behaviour", "programmes",
                             "results",
                             "impact", "spotlight", "challenges", "recommendations", "conclusion",
                             "methods_appendix")


#: Figures of every region report (see :func:`figure`).
FIGURES: tuple[str, ...] = ("funnel", "reaction", "learning", "behaviour", "services", "ikm", "event_study",
                            "barriers", "modes")


_SMALL = config.SMALL_CELL_THRESHOLD


# ------------------------------------------------------------------------------------------------ data
def region_slug(region: str) -> str:
    """Short file-name slug of a region: lower case, ``_`` between words, and without a leading special-status
    designation (``DKI``, ``DI``), as people name the place: ``"DKI Jakarta"`` -> ``"jakarta"``,
    ``"DI Yogyakarta"`` -> ``"yogyakarta"``, ``"Kota Mataram"`` -> ``"kota_mataram"``."""
    name = re.sub(r"^\s*(DKI|DI|D\.K\.I\.|D\.I\.)\s+", "", str(region), flags=re.IGNORECASE)
    slug = re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")
    if not slug:
        raise ValueError(f"cannot make a file name from region {region!r}")
    return slug


def _is(df: pd.DataFrame, col: str, value) -> pd.Series:
    return df[col].astype(object) == value


# ------------------------------------------------------------------------------------------- utilities
def _f(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _wilson(k: int, n: int, ci: float = 0.95) -> tuple[float, float]:
    """One Wilson interval as two floats (NaN when n is 0): :func:`evalkit.measures._util.wilson` on scalars."""
    lo, hi = wilson(k, n, ci)
    return float(lo), float(hi)


def _mean_ci(x: pd.Series, ci: float = 0.95) -> dict:
    from scipy import stats

    x = pd.to_numeric(x, errors="coerce").dropna().astype(float)
    n = len(x)
    m = float(x.mean()) if n else math.nan
    if n > 1:
        se = float(x.std(ddof=1) / np.sqrt(n))
        q = float(stats.t.ppf(0.5 + ci / 2, n - 1))
        lo, hi = m - q * se, m + q * se
    else:
        lo = hi = math.nan
    return {"n": n, "mean": m, "ci_low": lo, "ci_high": hi}


def _row(tidy: pd.DataFrame, term: str | None = None) -> dict:
    r = tidy.iloc[0] if term is None else tidy.loc[tidy["term"] == term].iloc[0]
    return {"estimate": _f(r["estimate"]), "ci_low": _f(r["ci_low"]), "ci_high": _f(r["ci_high"]),
            "std_error": _f(r.get("std_error")), "p_value": _f(r.get("p_value")), "n": int(r["n"])}


def _quiet(fn, *args, **kwargs):
    """Call ``fn`` collecting its UserWarnings (returned as plain notes for the appendix)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


# ------------------------------------------------------------------------------------------ sections
def _group_labels(prog: pd.DataFrame) -> pd.Series:
    """Programme id -> how a reader knows the programme: its title when the programme list gives one."""
    if prog.empty or "programme_id" not in prog.columns:
        return pd.Series(dtype=object)
    lab = prog["title"].astype(object) if "title" in prog.columns else prog["programme_id"].astype(object)
    lab = lab.where(lab.notna(), prog["programme_id"].astype(object))
    return pd.Series(lab.astype(str).to_numpy(), index=prog["programme_id"].astype(str).to_numpy())


def _has_modes(prog: pd.DataFrame) -> bool:
    return not prog.empty and "mode" in prog.columns and prog["mode"].notna().any() and \
        not set(prog["mode"].astype(str)) <= {"nan", "None", "<NA>"}


def _mode_rank(m) -> int:
    return MODE_ORDER.index(m) if m in MODE_ORDER else len(MODE_ORDER)
