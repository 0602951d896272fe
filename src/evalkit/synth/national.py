"""National-scale synthetic ASN data: every civil servant in Indonesia, written as canonical Parquet.

(One module on purpose, about 700 lines: the generator streams every table in one pass over chunks
of employees, and the tables' shared draws must stay in one place to stay reproducible.)

``evalkit synth --scale national`` calls :func:`generate_national`. Unlike the five-region demo (messy field
files that go through ``evalkit clean``), this writes the *canonical* tables (the shape of ``data/processed``:
same table names, column names and Arrow types) directly, because the point is the analysis scale, not the
cleaning: 5.6 million employees (BKN's count of ASN, order of magnitude), a five-year **annual** SKP
performance panel (periods ``"2021"`` ... ``"2025"``, 28 million rows) and about 28 million training
records (enrolments), plus programmes, reaction surveys, pre/post tests, follow-up ratings, budgets,
public-service volumes and SKM surveys for 38 provinces. Interviews are not generated at this scale.

Everything is vectorised with numpy and streamed to Parquet (pyarrow) in chunks of
:data:`CHUNK_EMPLOYEES` employees, so memory stays well below 3 GiB whatever the size. Each chunk has its
own random stream (``default_rng([seed, chunk])``): the same seed and size give identical tables.

Data-generating process (the ground truth written to ``truth_dir/national_truth.json``):

* ability ``a_i ~ N(0, 5^2)``; trained within the window with probability ``logistic(0.6 + 0.08 a_i)``;
  the year of the first completed training is earlier for higher ``a_i`` (self-selection on a
  time-invariant trait, so parallel trends hold given unit fixed effects);
* ``report_quality_it = 70 + a_i + 0.8 (t - 2021) + tau_it + e_it`` (``e ~ N(0, 3^2)``), rounded to 0.1
  and clipped to [0, 100], with ``tau_it = 1.5 + 0.5 (t - g_i)`` points from the first completed training
  year ``g_i`` on (0 before and for the never trained). So ATT(g, t) = 1.5 + 0.5 (t - g) for t >= g.

:func:`national_panel` returns the same person x year panel in memory, integer-coded for the estimators
(``id, t, g, d, y``), without writing anything. :func:`panel_from_parquet` builds it from the written tables
instead (DuckDB, out of core under a memory limit): ``performance`` joined with each person's first
completed training (``enrolments`` + ``programmes.end_date``, as ``evalkit.datasets.first_training``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evalkit import config

__all__ = ["generate_national", "national_panel", "panel_from_parquet", "write_raw_national", "NATIONAL_EMPLOYEES",
           "YEARS", "PROVINCES",
           "CHUNK_EMPLOYEES"]

#: Default size: about the number of ASN reported by BKN.
NATIONAL_EMPLOYEES = 5_600_000
#: Employees per generated chunk (part of the DGP: each chunk has its own random stream).
CHUNK_EMPLOYEES = 250_000
#: Annual SKP periods.
YEARS = (2021, 2022, 2023, 2024, 2025)

#: 38 provinces: (name, BPS code, weight ~ population in millions, approximate).
PROVINCES: tuple[tuple[str, int, float], ...] = (
    ("Aceh", 11, 5.5), ("Sumatera Utara", 12, 15.4), ("Sumatera Barat", 13, 5.8), ("Riau", 14, 6.6),
    ("Jambi", 15, 3.7), ("Sumatera Selatan", 16, 8.7), ("Bengkulu", 17, 2.1), ("Lampung", 18, 9.3),
    ("Kepulauan Bangka Belitung", 19, 1.5), ("Kepulauan Riau", 21, 2.2), ("DKI Jakarta", 31, 10.7),
    ("Jawa Barat", 32, 49.9), ("Jawa Tengah", 33, 37.5), ("DI Yogyakarta", 34, 3.7), ("Jawa Timur", 35, 41.5),
    ("Banten", 36, 12.3), ("Bali", 51, 4.4), ("Nusa Tenggara Barat", 52, 5.6), ("Nusa Tenggara Timur", 53, 5.5),
    ("Kalimantan Barat", 61, 5.6), ("Kalimantan Tengah", 62, 2.7), ("Kalimantan Selatan", 63, 4.2),
    ("Kalimantan Timur", 64, 3.9), ("Kalimantan Utara", 65, 0.7), ("Sulawesi Utara", 71, 2.7),
    ("Sulawesi Tengah", 72, 3.1), ("Sulawesi Selatan", 73, 9.4), ("Sulawesi Tenggara", 74, 2.7),
    ("Gorontalo", 75, 1.2), ("Sulawesi Barat", 76, 1.5), ("Maluku", 81, 1.9), ("Maluku Utara", 82, 1.3),
    ("Papua", 91, 1.0), ("Papua Barat", 92, 0.6), ("Papua Selatan", 93, 0.5), ("Papua Tengah", 94, 1.4),
    ("Papua Pegunungan", 95, 1.4), ("Papua Barat Daya", 96, 0.6),
)
_AGENCIES = (
    ("Dinas Pendidikan", 0.22), ("Dinas Kesehatan", 0.12), ("Puskesmas", 0.08), ("RSUD", 0.07),
    ("Sekretariat Daerah", 0.07), ("Kantor Kecamatan", 0.06), ("Kelurahan", 0.05),
    ("Dinas Kependudukan dan Pencatatan Sipil", 0.04), ("DPMPTSP", 0.03), ("Bappeda", 0.03), ("BPKAD", 0.03),
    ("Dinas Sosial", 0.03), ("BKPSDM", 0.02), ("Dinas Perhubungan", 0.02), ("Badan Pendapatan Daerah", 0.02),
    ("Dinas Komunikasi dan Informatika", 0.02), ("Dinas Pekerjaan Umum dan Penataan Ruang", 0.03),
    ("Dinas Pariwisata", 0.01), ("Dinas Perindustrian dan Perdagangan", 0.01), ("Instansi Vertikal", 0.04),
)
_SERVICE_UNITS = ("DPMPTSP", "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Kesehatan", "Puskesmas", "RSUD",
                  "Dinas Sosial", "Badan Pendapatan Daerah", "Dinas Perhubungan", "Kantor Kecamatan", "Kelurahan")
_GOLONGAN = (("II/a", .01), ("II/b", .01), ("II/c", .03), ("II/d", .03), ("III/a", .09), ("III/b", .12),
             ("III/c", .15), ("III/d", .19), ("IV/a", .14), ("IV/b", .16), ("IV/c", .06), ("IV/d", .005),
             ("IV/e", .005))
_EDUCATION = (("SMA", .13), ("D3", .13), ("S1", .52), ("S2", .19), ("S3", .03))
_POSITION = (("pelaksana", .5), ("fungsional", .333), ("struktural", .167))
_TOPICS = ("Pelayanan Publik", "Komunikasi Publik", "Manajemen Proyek", "Pengelolaan Keuangan Daerah",
           "Sistem Informasi Manajemen", "Kepemimpinan", "Transformasi Digital", "Pengadaan Barang dan Jasa")
_MODES = (("klasikal", .3), ("e-learning", .3), ("workshop", .15), ("blended", .12), ("seminar", .07),
          ("simulasi", .06))
_PROVIDERS = ("BPSDM Provinsi", "LAN RI", "Pusdiklat Kemendagri", "BKPSDM Kabupaten/Kota", "Perguruan Tinggi")
_REASONS = (("Bentrok dengan tugas kantor", .3), ("Materi tidak sesuai tugas", .16), ("Tidak berminat", .16),
            ("Merasa sudah menguasai materi", .1), ("Cuti", .05), ("Dinas luar", .06), ("Sakit", .05),
            ("Tidak ada keterangan", .07), ("Ada keperluan keluarga", .05))
_COMMENTS = ("Materi sangat bermanfaat", "Waktu pelatihan terlalu singkat", "Fasilitas ruangan kurang nyaman",
             "Narasumber menguasai materi", "Perlu lebih banyak praktik", "Jaringan internet sering terputus")
_RATINGS = ("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi")
_RATING_SHORT = ("Di Atas", "Sesuai", "Di Bawah")
_SKP_LEVELS = ("Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik")
_SKM_COLS = ("u1_persyaratan", "u2_prosedur", "u3_waktu", "u4_biaya", "u5_produk", "u6_kompetensi",
             "u7_perilaku", "u8_pengaduan", "u9_sarana")
_CLASS_SIZE = 40  # participants per programme (expected)

# Arrow schemas: the canonical tables' column names and types (as in data/processed).
_DICT = pa.dictionary(pa.int8(), pa.string())
_TS = pa.timestamp("ns")
SCHEMAS: dict[str, pa.Schema] = {
    "employees": pa.schema([("person_id", pa.large_string()), ("sex", _DICT), ("birth_year", pa.int64()),
                            ("appointment_year", pa.int64()), ("region", _DICT), ("agency", pa.large_string()),
                            ("position_type", _DICT), ("golongan", _DICT), ("education", _DICT)]),
    "programmes": pa.schema([("programme_id", pa.large_string()), ("title", pa.large_string()),
                             ("topic", pa.large_string()), ("mode", _DICT), ("jp", pa.int64()), ("start_date", _TS),
                             ("end_date", _TS), ("region", _DICT), ("cost_rp", pa.float64()),
                             ("provider", pa.large_string())]),
    "enrolments": pa.schema([("person_id", pa.large_string()), ("programme_id", pa.large_string()),
                             ("invited", pa.bool_()), ("registered", pa.bool_()), ("attended", pa.bool_()),
                             ("completed", pa.bool_()), ("attendance_share", pa.float64()),
                             ("reason_absent", pa.large_string()), ("barrier_time", pa.bool_()),
                             ("barrier_relevance", pa.bool_()), ("barrier_motivation", pa.bool_()),
                             ("barrier_experienced", pa.bool_())]),
    "reaction": pa.schema([("person_id", pa.large_string()), ("programme_id", pa.large_string()),
                           ("material", pa.int64()), ("trainer", pa.int64()), ("relevance", pa.int64()),
                           ("facilities", pa.int64()), ("overall", pa.int64()), ("comment", pa.large_string())]),
    "tests": pa.schema([("person_id", pa.large_string()), ("programme_id", pa.large_string()),
                        ("pre_score", pa.float64()), ("post_score", pa.float64())]),
    "followup": pa.schema([("person_id", pa.large_string()), ("programme_id", pa.large_string()),
                           ("rater_role", _DICT), ("rating_date", _TS), ("apply_material", pa.int64()),
                           ("work_quality", pa.int64()), ("share_knowledge", pa.int64()),
                           ("service_initiative", pa.int64())]),
    "performance": pa.schema([("person_id", pa.large_string()), ("period", pa.large_string()),
                              ("hasil_kerja", _DICT), ("perilaku", _DICT), ("skp_predikat", _DICT),
                              ("report_quality", pa.float64()), ("on_time_share", pa.float64()),
                              ("complaint_days", pa.float64())]),
    "services": pa.schema([("unit", pa.large_string()), ("region", _DICT), ("month", _TS), ("volume", pa.int64()),
                           ("wait_minutes", pa.float64()), ("processing_days", pa.float64()),
                           ("complaints_received", pa.int64()), ("complaints_resolved", pa.int64())]),
    "skm": pa.schema([("respondent_id", pa.large_string()), ("unit", pa.large_string()), ("region", _DICT),
                      ("period", pa.large_string())] + [(c, pa.int64()) for c in _SKM_COLS]),
    "budgets": pa.schema([("region", _DICT), ("year", pa.int64()), ("programme_id", pa.large_string()),
                          ("allocated_rp", pa.float64()), ("realised_rp", pa.float64())]),
}


def _labels(spec):
    return tuple(s[0] for s in spec)


def _probs(spec):
    p = np.array([s[1] if len(s) == 2 else s[2] for s in spec], dtype=float)
    return p / p.sum()


_PROV_NAMES = tuple(p[0] for p in PROVINCES)
_PROV_CODES = np.array([p[1] for p in PROVINCES])
_PROV_P = _probs(PROVINCES)


# ------------------------------------------------------------------------------------ Arrow utilities
def _chars(x: np.ndarray, width: int, base: int) -> np.ndarray:
    """(n, width) ASCII digits of non-negative integers ``x`` (zero-padded, base 10 or 16)."""
    x = np.asarray(x, dtype=np.uint64)
    out = np.empty((len(x), width), dtype=np.uint8)
    table = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    b = np.uint64(base)
    for k in range(width - 1, -1, -1):
        out[:, k] = table[(x % b).astype(np.intp)]
        x = x // b
    return out


def _fixed_width(cols: list) -> pa.Array:
    """Large-string array from fixed-width pieces: each piece a byte string or an (n, w) uint8 array."""
    n = next(len(c) for c in cols if isinstance(c, np.ndarray))
    parts = [np.broadcast_to(np.frombuffer(c, np.uint8), (n, len(c))) if isinstance(c, bytes) else c for c in cols]
    mat = np.ascontiguousarray(np.concatenate(parts, axis=1))
    w = mat.shape[1]
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int64)
    return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(mat)])


def _person_ids(index: np.ndarray, seed: int) -> pa.Array:
    """``P`` + 12 hex digits: a bijection of the employee number (unique, unordered-looking)."""
    mask = np.uint64((1 << 48) - 1)
    x = (index.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) & mask
    x ^= np.uint64((seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1))
    return _fixed_width([b"P", _chars(x, 12, 16)])


def _programme_ids(prov_code: np.ndarray, year: np.ndarray, k: np.ndarray) -> pa.Array:
    return _fixed_width([_chars(prov_code, 2, 10), b"-", _chars(year, 4, 10), b"-", _chars(k, 6, 10)])


def _dict(idx: np.ndarray, labels, index_type=pa.int8()) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(idx), type=index_type),
                                          pa.array(list(labels), pa.string()))


def _lookup(idx: np.ndarray, labels, mask: np.ndarray | None = None) -> pa.Array:
    """Large strings ``labels[idx]`` (null where ``mask``)."""
    ind = pa.array(np.asarray(idx, dtype=np.int32), mask=mask)
    return pa.array(list(labels), pa.large_string()).take(ind)


# ------------------------------------------------------------------------------------ the core DGP
def _core(seed: int, chunk: int, start: int, n: int) -> tuple[np.random.Generator, dict]:
    """Employees and their performance panel for one chunk (the part the analysis panel needs)."""
    rng = np.random.default_rng([seed, 7, chunk])
    prov = rng.choice(len(PROVINCES), n, p=_PROV_P)
    a = rng.normal(0.0, 5.0, n)
    trained = rng.random(n) < 1.0 / (1.0 + np.exp(-(0.6 + 0.08 * a)))
    r = rng.random(n) ** np.exp(0.06 * a)  # higher ability -> smaller r -> earlier first training
    gidx = np.where(trained, np.minimum((r * len(YEARS)).astype(np.int64), len(YEARS) - 1), -1)
    T = len(YEARS)
    e = np.arange(T)[None, :] - gidx[:, None]
    tau = np.where(trained[:, None] & (e >= 0), 1.5 + 0.5 * e, 0.0)
    y = 70.0 + a[:, None] + 0.8 * np.arange(T)[None, :] + tau + rng.normal(0.0, 3.0, (n, T))
    y = np.clip(np.round(y, 1), 0.0, 100.0)
    return rng, {"start": start, "n": n, "prov": prov, "a": a, "gidx": gidx, "report_quality": y, "tau": tau}


def _chunks(n_employees: int):
    for ci, start in enumerate(range(0, n_employees, CHUNK_EMPLOYEES)):
        yield ci, start, min(CHUNK_EMPLOYEES, n_employees - start)


def national_panel(n_employees: int = NATIONAL_EMPLOYEES, seed: int = config.DEFAULT_SEED) -> pd.DataFrame:
    """The person x year SKP panel of :func:`generate_national`, integer-coded, in memory.

    Columns: ``id`` (int32, employee number), ``t`` (int16, year 2021-2025), ``g`` (int16, year of the first
    completed training, 0 = none in the window), ``d`` (int8, 1 from ``g`` on), ``y`` (float64,
    ``report_quality``), ``tau`` (float32, the true effect). About 19 bytes per row (530 MB at 28M rows).
    """
    T = len(YEARS)
    N = n_employees * T
    out = {"id": np.empty(N, np.int32), "t": np.empty(N, np.int16), "g": np.empty(N, np.int16),
           "d": np.empty(N, np.int8), "y": np.empty(N), "tau": np.empty(N, np.float32)}
    years = np.array(YEARS, dtype=np.int16)
    for ci, start, n in _chunks(n_employees):
        _, c = _core(seed, ci, start, n)
        sl = slice(start * T, (start + n) * T)
        out["id"][sl] = np.repeat(np.arange(start, start + n, dtype=np.int32), T)
        out["t"][sl] = np.tile(years, n)
        g = np.where(c["gidx"] >= 0, years[np.clip(c["gidx"], 0, None)], 0).astype(np.int16)
        out["g"][sl] = np.repeat(g, T)
        out["d"][sl] = ((c["gidx"][:, None] >= 0) & (np.arange(T)[None, :] >= c["gidx"][:, None])).ravel()
        out["y"][sl] = c["report_quality"].ravel()
        out["tau"][sl] = c["tau"].ravel()
    return pd.DataFrame(out, copy=False)


# ------------------------------------------------------------------------------------ table builders
def _programme_blocks(n_employees: int) -> np.ndarray:
    """Programmes per (province, year): about one class of 40 per 40 enrolments."""
    per_year = np.maximum(1, np.ceil(n_employees * _PROV_P / _CLASS_SIZE)).astype(np.int64)
    return np.repeat(per_year[:, None], len(YEARS), axis=1)


def _programmes(n_employees: int, seed: int):
    rng = np.random.default_rng([seed, 11])
    blocks = _programme_blocks(n_employees)
    P, T = blocks.shape
    prov = np.repeat(np.repeat(np.arange(P), T), blocks.ravel())
    yidx = np.repeat(np.tile(np.arange(T), P), blocks.ravel())
    first = np.concatenate([[0], np.cumsum(blocks.ravel())[:-1]])
    k = np.arange(len(prov)) - np.repeat(first, blocks.ravel()) + 1
    n = len(prov)
    year = np.array(YEARS)[yidx]
    topic = rng.integers(0, len(_TOPICS), n)
    mode = rng.choice(len(_MODES), n, p=_probs(_MODES))
    jp = rng.integers(4, 45, n)
    start = ((year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
             + rng.integers(9, 330, n).astype("timedelta64[D]"))
    end = start + (np.ceil(jp / 8).astype(np.int64) - 1).astype("timedelta64[D]")
    provider = rng.integers(0, len(_PROVIDERS), n)
    pid = _programme_ids(_PROV_CODES[prov], year, k)
    topic_s = _lookup(topic, _TOPICS)
    import pyarrow.compute as pc

    lit = [pa.scalar(v, pa.large_string()) for v in ("Pelatihan ", " Angkatan ", " Tahun ", "")]
    title = pc.binary_join_element_wise(lit[0], topic_s, lit[1], pc.cast(pa.array(k), pa.large_string()),
                                        lit[2], pc.cast(pa.array(year), pa.large_string()), lit[3])
    cost = np.round(jp * rng.uniform(1.5e6, 3.5e6, n), -3)
    tab = pa.table({
        "programme_id": pid, "title": title, "topic": topic_s, "mode": _dict(mode, _labels(_MODES)),
        "jp": pa.array(jp.astype(np.int64)), "start_date": pa.array(start.astype("datetime64[ns]")),
        "end_date": pa.array(end.astype("datetime64[ns]")), "region": _dict(prov, _PROV_NAMES),
        "cost_rp": pa.array(cost), "provider": _lookup(provider, _PROVIDERS),
    }, schema=SCHEMAS["programmes"])
    realised = np.round(cost * rng.uniform(0.75, 1.0, n), -3)
    budgets = pa.table({"region": _dict(prov, _PROV_NAMES), "year": pa.array(year.astype(np.int64)),
                        "programme_id": pid, "allocated_rp": pa.array(np.round(cost * 1.1, -3)),
                        "realised_rp": pa.array(realised)}, schema=SCHEMAS["budgets"])
    return tab, budgets, blocks, first.reshape(P, T), end


def _likert(rng, centre, size, lo=1, hi=5):
    return np.clip(np.rint(rng.normal(centre, 0.8, size)), lo, hi).astype(np.int64)


def _chunk_tables(rng, c, seed, blocks, block_first, prog_end):
    n, start, gidx, prov = c["n"], c["start"], c["gidx"], c["prov"]
    T = len(YEARS)
    pid = _person_ids(np.arange(start, start + n), seed)
    out = {}
    # employees
    birth = rng.integers(1964, 2001, n)
    appoint = np.minimum(birth + 20 + rng.integers(0, 18, n), YEARS[0])
    out["employees"] = pa.table({
        "person_id": pid, "sex": _dict(rng.integers(0, 2, n), ("L", "P")),
        "birth_year": pa.array(birth.astype(np.int64)), "appointment_year": pa.array(appoint.astype(np.int64)),
        "region": _dict(prov, _PROV_NAMES),
        "agency": _lookup(rng.choice(len(_AGENCIES), n, p=_probs(_AGENCIES)), _labels(_AGENCIES)),
        "position_type": _dict(rng.choice(3, n, p=_probs(_POSITION)), _labels(_POSITION)),
        "golongan": _dict(rng.choice(len(_GOLONGAN), n, p=_probs(_GOLONGAN)), _labels(_GOLONGAN)),
        "education": _dict(rng.choice(len(_EDUCATION), n, p=_probs(_EDUCATION)), _labels(_EDUCATION)),
    }, schema=SCHEMAS["employees"])
    # performance (annual SKP): ratings from report quality plus rater noise
    y = c["report_quality"]
    rows = np.repeat(np.arange(n), T)
    hk = np.where(y > 77, 0, np.where(y < 62, 2, 1)).ravel()
    pk_score = 70 + 0.5 * (c["a"][:, None] + c["tau"]) + rng.normal(0, 5, (n, T))
    pk = np.where(pk_score > 78, 0, np.where(pk_score < 60, 2, 1)).ravel()
    from evalkit.measures.skp import SKP_MATRIX

    mat = np.array([[_SKP_LEVELS.index(SKP_MATRIX[(h, p)]) for p in _RATING_SHORT] for h in _RATING_SHORT])
    on_time = np.clip(np.round(0.74 + 0.006 * (c["a"][:, None] + c["tau"]) + rng.normal(0, 0.05, (n, T)), 3), 0, 1)
    compl = np.round(rng.gamma(6.0, 1.0, (n, T)) * np.exp(-0.02 * c["tau"]), 1)
    out["performance"] = pa.table({
        "person_id": pid.take(pa.array(rows)), "period": _lookup(np.tile(np.arange(T), n), [str(v) for v in YEARS]),
        "hasil_kerja": _dict(hk, _RATINGS), "perilaku": _dict(pk, _RATINGS),
        "skp_predikat": _dict(mat[hk, pk], _SKP_LEVELS),
        "report_quality": pa.array(y.ravel()), "on_time_share": pa.array(on_time.ravel()),
        "complaint_days": pa.array(compl.ravel()),
    }, schema=SCHEMAS["performance"])
    # enrolments: the first completed training (year g), later trainings, and invitations never completed
    trained = gidx >= 0
    who_first = np.flatnonzero(trained)
    n_extra = np.where(trained, rng.poisson(1.7 * (T - np.clip(gidx, 0, None))), rng.poisson(3.0, n))
    who_extra = np.repeat(np.arange(n), n_extra)
    g_of = gidx[who_extra]
    y_extra = np.where(g_of >= 0, g_of + (rng.random(len(who_extra)) * (T - np.clip(g_of, 0, None))).astype(np.int64),
                       rng.integers(0, T, len(who_extra)))
    y_extra = np.minimum(y_extra, T - 1)
    who = np.concatenate([who_first, who_extra])
    yr = np.concatenate([gidx[who_first], y_extra])
    m = len(who)
    first_flag = np.zeros(m, bool)
    first_flag[: len(who_first)] = True
    never = ~trained[who]
    reg = first_flag | (rng.random(m) < np.where(never, 0.5, 0.85))
    att = first_flag | (reg & ~never & (rng.random(m) < 0.8))
    comp = first_flag | (att & (rng.random(m) < 0.9))
    share = np.where(comp, np.round(rng.uniform(0.8, 1.0, m), 2),
                     np.where(att, np.round(rng.uniform(0.2, 0.75, m), 2), 0.0))
    reason = rng.choice(len(_REASONS), m, p=_probs(_REASONS))
    pw = prov[who]
    prog = block_first[pw, yr] + (rng.random(m) * blocks[pw, yr]).astype(np.int64)
    prog_k = prog - block_first[pw, yr] + 1
    prog_id = _programme_ids(_PROV_CODES[pw], np.array(YEARS)[yr], prog_k)
    order = np.argsort(who, kind="stable")  # rows grouped by person
    who, prog, prog_id, att, comp = who[order], prog[order], prog_id.take(pa.array(order)), att[order], comp[order]
    reg, share, reason = reg[order], share[order], reason[order]
    noise = rng.random((m, 4)) < 0.1
    absent = ~att
    person = pid.take(pa.array(who))
    out["enrolments"] = pa.table({
        "person_id": person, "programme_id": prog_id, "invited": pa.array(np.ones(m, bool)),
        "registered": pa.array(reg), "attended": pa.array(att), "completed": pa.array(comp),
        "attendance_share": pa.array(share), "reason_absent": _lookup(reason, _labels(_REASONS), mask=~absent),
        "barrier_time": pa.array(np.where(absent, np.isin(reason, [0, 4, 5, 6, 8]), noise[:, 0])),
        "barrier_relevance": pa.array(np.where(absent, reason == 1, noise[:, 1])),
        "barrier_motivation": pa.array(np.where(absent, reason == 2, noise[:, 2])),
        "barrier_experienced": pa.array(np.where(absent, reason == 3, noise[:, 3])),
    }, schema=SCHEMAS["enrolments"])
    # reaction (40% of completions), tests (30%), follow-up ratings (8%, up to three raters)
    done = np.flatnonzero(comp)
    rs = done[rng.random(len(done)) < 0.4]
    k = len(rs)
    has_comment = rng.random(k) < 0.05
    out["reaction"] = pa.table({
        "person_id": person.take(pa.array(rs)), "programme_id": prog_id.take(pa.array(rs)),
        "material": pa.array(_likert(rng, 4.0, k)), "trainer": pa.array(_likert(rng, 4.1, k)),
        "relevance": pa.array(_likert(rng, 3.8, k)), "facilities": pa.array(_likert(rng, 3.7, k)),
        "overall": pa.array(_likert(rng, 4.0, k)),
        "comment": _lookup(rng.integers(0, len(_COMMENTS), k), _COMMENTS, mask=~has_comment),
    }, schema=SCHEMAS["reaction"])
    ts = done[rng.random(len(done)) < 0.3]
    k = len(ts)
    pre = np.clip(np.round(rng.normal(60, 12, k), 1), 0, 100)
    post = np.clip(np.round(pre + rng.normal(12, 8, k), 1), 0, 100)
    out["tests"] = pa.table({"person_id": person.take(pa.array(ts)), "programme_id": prog_id.take(pa.array(ts)),
                             "pre_score": pa.array(pre), "post_score": pa.array(post)}, schema=SCHEMAS["tests"])
    fs = done[rng.random(len(done)) < 0.08]
    rater = np.tile(np.arange(3), len(fs))
    fr = np.repeat(fs, 3)
    keep = rng.random(len(fr)) < np.array([0.9, 0.85, 0.7])[rater]
    fr, rater = fr[keep], rater[keep]
    k = len(fr)
    date = prog_end[prog[fr]] + rng.integers(60, 121, k).astype("timedelta64[D]")
    out["followup"] = pa.table({
        "person_id": person.take(pa.array(fr)), "programme_id": prog_id.take(pa.array(fr)),
        "rater_role": _dict(rater, ("self", "supervisor", "peer")),
        "rating_date": pa.array(date.astype("datetime64[ns]")),
        "apply_material": pa.array(_likert(rng, 3.9, k)), "work_quality": pa.array(_likert(rng, 3.8, k)),
        "share_knowledge": pa.array(_likert(rng, 3.6, k)), "service_initiative": pa.array(_likert(rng, 3.7, k)),
    }, schema=SCHEMAS["followup"])
    return out


def _services_and_skm(n_employees: int, seed: int):
    rng = np.random.default_rng([seed, 13])
    P, U = len(PROVINCES), len(_SERVICE_UNITS)
    months = pd.date_range(f"{YEARS[0]}-01-01", f"{YEARS[-1]}-12-01", freq="MS").to_numpy()
    M = len(months)
    prov = np.repeat(np.arange(P), U * M)
    unit = np.tile(np.repeat(np.arange(U), M), P)
    mon = np.tile(months, P * U)
    size = n_employees * _PROV_P[prov] / 50
    vol = rng.poisson(np.maximum(size, 1.0)).astype(np.int64)
    comp = rng.poisson(np.maximum(vol * 0.01, 0.1)).astype(np.int64)
    services = pa.table({
        "unit": _lookup(unit, _SERVICE_UNITS), "region": _dict(prov, _PROV_NAMES), "month": pa.array(mon),
        "volume": pa.array(vol), "wait_minutes": pa.array(np.round(rng.gamma(9, 3.2, len(vol)), 1)),
        "processing_days": pa.array(np.round(rng.gamma(8, 0.5, len(vol)), 1)),
        "complaints_received": pa.array(comp),
        "complaints_resolved": pa.array(rng.binomial(comp, 0.75).astype(np.int64)),
    }, schema=SCHEMAS["services"])
    R = 60  # respondents per unit and semester
    sem = [f"{y}S{s}" for y in YEARS for s in (1, 2)]
    S = len(sem)
    n = P * U * S * R
    sp = np.repeat(np.arange(P), U * S * R)
    su = np.tile(np.repeat(np.arange(U), S * R), P)
    ss = np.tile(np.repeat(np.arange(S), R), P * U)
    skm = {"respondent_id": _fixed_width([b"R", _chars(np.arange(n), 9, 10)]), "unit": _lookup(su, _SERVICE_UNITS),
           "region": _dict(sp, _PROV_NAMES), "period": _lookup(ss, sem)}
    for col in _SKM_COLS:
        skm[col] = pa.array(np.clip(np.rint(rng.normal(3.1, 0.6, n)), 1, 4).astype(np.int64))
    return services, pa.table(skm, schema=SCHEMAS["skm"])


def _check_dirs(out_dir: Path, truth_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} exists and is not a folder")
    if out_dir.exists() and any(p.name != ".gitkeep" for p in out_dir.iterdir()):
        raise ValueError(f"{out_dir} already contains files; national synth writes only into an empty folder")
    o, t = out_dir.resolve(), truth_dir.resolve()
    if t == o or o in t.parents:
        raise ValueError(f"truth_dir {truth_dir} must not be inside out_dir {out_dir}")


def generate_national(out_dir, *, n_employees: int = NATIONAL_EMPLOYEES, seed: int = config.DEFAULT_SEED,
                      truth_dir=None, progress: bool = False) -> dict:
    """Write the canonical tables at national size to ``out_dir`` (one Parquet file per table).

    Parameters
    ----------
    out_dir : path
        Empty or absent folder; receives ``employees.parquet``, ``performance.parquet``, ``enrolments.parquet``,
        ``programmes.parquet``, ``reaction.parquet``, ``tests.parquet``, ``followup.parquet``,
        ``services.parquet``, ``skm.parquet``, ``budgets.parquet`` (schemas in :data:`SCHEMAS`).
    n_employees : int
        Employees (default 5.6 million). Tables are written in chunks of :data:`CHUNK_EMPLOYEES`.
    seed : int
    truth_dir : path, optional
        Where ``national_truth.json`` goes (default ``out_dir/../truth_national``).

    Returns
    -------
    dict
        ``rows`` per table, ``seconds``, ``out_dir`` and ``truth_dir``.
    """
    if n_employees < 1:
        raise ValueError("n_employees must be at least 1")
    out_dir = Path(out_dir)
    truth_dir = Path(truth_dir) if truth_dir is not None else out_dir.parent / "truth_national"
    _check_dirs(out_dir, truth_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    programmes, budgets, blocks, block_first, prog_end = _programmes(n_employees, seed)
    rows = {}
    for name, tab in (("programmes", programmes), ("budgets", budgets)):
        pq.write_table(tab, out_dir / f"{name}.parquet")
        rows[name] = tab.num_rows
    del programmes, budgets
    streamed = ("employees", "performance", "enrolments", "reaction", "tests", "followup")
    writers = {k: pq.ParquetWriter(out_dir / f"{k}.parquet", SCHEMAS[k]) for k in streamed}
    rows.update({k: 0 for k in streamed})
    cohort_n = np.zeros(len(YEARS) + 1, dtype=np.int64)  # units per first year, last slot never
    try:
        for ci, start, n in _chunks(n_employees):
            rng, c = _core(seed, ci, start, n)
            cohort_n += np.bincount(np.where(c["gidx"] >= 0, c["gidx"], len(YEARS)), minlength=len(YEARS) + 1)
            tabs = _chunk_tables(rng, c, seed, blocks, block_first, prog_end)
            for k, tab in tabs.items():
                writers[k].write_table(tab, row_group_size=2_000_000)
                rows[k] += tab.num_rows
            if progress:
                print(f"  employees {start + n:>10,} / {n_employees:,}  ({time.perf_counter() - t0:5.0f} s)",
                      flush=True)
    finally:
        for w in writers.values():
            w.close()
    services, skm = _services_and_skm(n_employees, seed)
    pq.write_table(services, out_dir / "services.parquet")
    pq.write_table(skm, out_dir / "skm.parquet")
    rows["services"], rows["skm"] = services.num_rows, skm.num_rows
    truth = {
        "scale": "national", "seed": seed, "n_employees": n_employees, "years": list(YEARS),
        "outcome": "performance.report_quality (annual SKP period)",
        "model": "report_quality = 70 + a_i + 0.8 (year - 2021) + tau + e, a_i ~ N(0, 25), e ~ N(0, 9), "
                 "rounded to 0.1 and clipped to [0, 100]",
        "effect": "tau = 1.5 + 0.5 (year - g) for year >= g, g = year of the first completed training",
        "att_gt": {f"{g},{t}": (1.5 + 0.5 * (t - g)) if t >= g else 0.0 for g in YEARS for t in YEARS},
        "selection": "P(trained in 2021-2025) = logistic(0.6 + 0.08 a_i); first year earlier for higher a_i",
        "first_completed_year_counts": {str(y): int(cohort_n[k]) for k, y in enumerate(YEARS)} | {
            "never": int(cohort_n[-1])},
    }
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / "national_truth.json").write_text(json.dumps(truth, indent=2))
    return {"rows": rows, "seconds": round(time.perf_counter() - t0, 1), "out_dir": str(out_dir),
            "truth_dir": str(truth_dir)}


def panel_from_parquet(folder, *, memory_limit: str = "2GiB", threads: int | None = None) -> pd.DataFrame:
    """Person x year panel for ``did``/``staggered_att`` from national canonical Parquet tables (DuckDB).

    ``id`` is the employee's row number in ``employees.parquet`` (int32), ``t`` the SKP year (int16), ``g`` the
    year of the person's first completed training (the year of the earliest ``programmes.end_date`` among
    completed enrolments, int16; 0 = none), ``d`` = 1 from ``g`` on (int8), ``y`` = ``report_quality``.
    Rows are ordered by ``id, t``. The joins run in DuckDB under ``memory_limit`` (spilling to disk if
    needed), so memory is bounded by the result (~17 bytes per row) plus the limit.
    """
    import duckdb

    folder = Path(folder)
    f = {k: str(folder / f"{k}.parquet").replace("'", "''") for k in ("employees", "performance", "enrolments",
                                                                      "programmes")}
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit='{memory_limit}'")
        if threads:
            con.execute(f"SET threads={int(threads)}")
        tab = con.sql(f"""
            WITH emp AS (SELECT person_id, CAST(file_row_number AS INTEGER) AS id
                         FROM read_parquet('{f["employees"]}', file_row_number = true)),
                 first AS (SELECT e.person_id, CAST(min(year(p.end_date)) AS SMALLINT) AS g
                           FROM read_parquet('{f["enrolments"]}') e
                           JOIN read_parquet('{f["programmes"]}') p USING (programme_id)
                           WHERE e.completed GROUP BY e.person_id)
            SELECT emp.id, CAST(perf.period AS SMALLINT) AS t, coalesce(first.g, 0)::SMALLINT AS g,
                   (first.g IS NOT NULL AND CAST(perf.period AS SMALLINT) >= first.g)::TINYINT AS d,
                   perf.report_quality AS y
            FROM read_parquet('{f["performance"]}') perf
            JOIN emp USING (person_id)
            LEFT JOIN first USING (person_id)
            ORDER BY emp.id, t""").to_arrow_table()
    finally:
        con.close()
    return tab.to_pandas()


# ------------------------------------------------------------------------------------ raw field files
#: The demo regions as field offices spell them (the cleaner accepts ``config.REGIONS`` only).
_RAW_REGIONS = ("KAB. MAMUJU", "Kab. Batang Hari", "Provinsi DKI Jakarta", "Kota Bukittinggi", "Kec. Ampenan")
_RAW_FIRST = ("Budi", "Siti", "Andi", "Sri", "Agus", "Dewi", "Rudi", "Ratna", "Hendra", "Yuni", "Eko", "Wati",
              "Joko", "Rina", "Bambang", "Nur", "Dedi", "Lestari", "Ahmad", "Fitri")
_RAW_LAST = ("Santoso", "Aminah", "Pratama", "Mulyani", "Wijaya", "Hidayat", "Saputra", "Rahayu", "Kurniawan",
             "Susanti", "Nugroho", "Lubis", "Siregar", "Harahap", "Gunawan", "Setiawan")
_RAW_HEADERS = {
    "employees": ("NIP", "Nama", "Wilayah", "Unit Kerja", "Jenis Jabatan", "Golongan", "Pendidikan"),
    "performance": ("NIP", "Triwulan", "Hasil Kerja", "Perilaku Kerja", "Predikat", "Kualitas Laporan",
                    "Ketepatan Waktu", "Penyelesaian Pengaduan (hari)"),
}


def _raw_nips(index: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Valid, distinct 18-digit NIPs for employee numbers ``index`` (< 311 million), and each NIP's row form.

    Serial, sex and TMT month come from the low digits of the number, the birth date (1964-1999) from the
    rest through a bijection, so distinct numbers give distinct NIPs. Every third NIP is printed with the
    usual spaces (``19850317 201001 2 004``).
    """
    i = index.astype(np.int64)
    serial, q = i % 999 + 1, i // 999
    sex, q = q % 2 + 1, q // 2
    month, q = q % 12 + 1, q // 12
    birth = np.datetime64("1964-01-01") + ((q * 7919) % 13000).astype("timedelta64[D]")
    by = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    bm = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    bd = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    ty = np.minimum(by + 21 + i % 10, YEARS[0])
    parts = [_chars(by, 4, 10), _chars(bm, 2, 10), _chars(bd, 2, 10), _chars(ty, 4, 10), _chars(month, 2, 10),
             _chars(sex, 1, 10), _chars(serial, 3, 10)]
    compact = _fixed_width(parts)
    spaced = _fixed_width([np.concatenate(parts[:3], axis=1), b" ", np.concatenate(parts[3:5], axis=1), b" ",
                           parts[5], b" ", parts[6]])
    import pyarrow.compute as pc

    use_spaced = pa.array(i % 3 == 0)
    return pc.if_else(use_spaced, spaced, compact), i


def _decimal_id(x: np.ndarray, suffix: str = "") -> pa.Array:
    """Non-negative numbers with one decimal written the Indonesian way: ``78,5`` (plus ``suffix``)."""
    import pyarrow.compute as pc

    t = np.rint(np.asarray(x) * 10).astype(np.int64)
    s = pa.scalar
    return pc.binary_join_element_wise(pc.cast(pa.array(t // 10), pa.large_string()), s(",", pa.large_string()),
                                       pc.cast(pa.array(t % 10), pa.large_string()), s(suffix, pa.large_string()),
                                       s("", pa.large_string()))


def write_raw_national(out_dir, n_employees: int = NATIONAL_EMPLOYEES, seed: int = config.DEFAULT_SEED,
                       *, tables: tuple[str, ...] = ("employees", "performance")) -> dict:
    """Write national-size *raw* field files (the messy side): ``pegawai_nasional.csv`` and
    ``kinerja_nasional.csv``, which ``evalkit clean`` turns into ``employees`` and ``performance``.

    Indonesian headers and value formats as field offices send them: ``;``-separated UTF-8, NIPs as text
    (every third one with spaces), region spellings like ``KAB. MAMUJU`` (spread over the five demo regions,
    which are the ones the cleaner knows), quarters ``Triwulan IV 2021`` (the annual SKP of year t is filed
    as its fourth quarter), decimals with a comma (``78,5``), shares as ``85,3%``. The performance values
    are those of :func:`generate_national` (same seed: same ``report_quality``). All rows are clean, so
    every row should be kept: the files measure the cleaner's throughput, not its error handling.

    Vectorised and streamed in chunks of :data:`CHUNK_EMPLOYEES` employees (memory stays below 1 GiB).
    About 85 bytes per employee row and 95 per performance row (5 per employee): 1M employees give 85 MB and
    474 MB, 5.6M about 0.48 GB and 2.7 GB.

    Returns
    -------
    dict
        ``{"files": {table: path}, "rows": {table: n}, "bytes": {table: size}, "seconds": s}``.
    """
    import pyarrow.csv as pacsv

    from evalkit.measures.skp import SKP_MATRIX

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {"employees": "pegawai_nasional.csv", "performance": "kinerja_nasional.csv"}
    unknown = set(tables) - set(names)
    if unknown:
        raise ValueError(f"raw national files exist for {sorted(names)} only, not {sorted(unknown)}")
    t0 = time.perf_counter()
    opts = pacsv.WriteOptions(delimiter=";", quoting_style="none", include_header=False)
    writers: dict[str, pacsv.CSVWriter] = {}
    handles = []
    rows = dict.fromkeys(tables, 0)
    T = len(YEARS)
    mat = np.array([[_SKP_LEVELS.index(SKP_MATRIX[(h, p)]) for p in _RATING_SHORT] for h in _RATING_SHORT])
    period = [f"Triwulan IV {y}" for y in YEARS]
    full_name = [f"{a} {b}" for a in _RAW_FIRST for b in _RAW_LAST]
    try:
        for ci, start, n in _chunks(n_employees):
            _, c = _core(seed, ci, start, n)
            rng = np.random.default_rng([seed, 23, ci])
            nip, _ = _raw_nips(np.arange(start, start + n))
            region = c["prov"] % len(_RAW_REGIONS)
            chunk: dict[str, pa.Table] = {}
            if "employees" in tables:
                chunk["employees"] = pa.table({
                    "NIP": nip, "Nama": _lookup(rng.integers(0, len(full_name), n), full_name),
                    "Wilayah": _lookup(region, _RAW_REGIONS),
                    "Unit Kerja": _lookup(rng.choice(len(_AGENCIES), n, p=_probs(_AGENCIES)), _labels(_AGENCIES)),
                    "Jenis Jabatan": _lookup(rng.choice(3, n, p=_probs(_POSITION)), _labels(_POSITION)),
                    "Golongan": _lookup(rng.choice(len(_GOLONGAN), n, p=_probs(_GOLONGAN)), _labels(_GOLONGAN)),
                    "Pendidikan": _lookup(rng.choice(len(_EDUCATION), n, p=_probs(_EDUCATION)), _labels(_EDUCATION)),
                })
            if "performance" in tables:
                y = c["report_quality"]
                hk = np.where(y > 77, 0, np.where(y < 62, 2, 1)).ravel()
                pk_score = 70 + 0.5 * (c["a"][:, None] + c["tau"]) + rng.normal(0, 5, (n, T))
                pk = np.where(pk_score > 78, 0, np.where(pk_score < 60, 2, 1)).ravel()
                on_time = np.clip(0.74 + 0.006 * (c["a"][:, None] + c["tau"]) + rng.normal(0, 0.05, (n, T)), 0, 1)
                compl = rng.gamma(6.0, 1.0, (n, T)) * np.exp(-0.02 * c["tau"])
                chunk["performance"] = pa.table({
                    "NIP": nip.take(pa.array(np.repeat(np.arange(n), T))),
                    "Triwulan": _lookup(np.tile(np.arange(T), n), period),
                    "Hasil Kerja": _lookup(hk, _RATINGS), "Perilaku Kerja": _lookup(pk, _RATINGS),
                    "Predikat": _lookup(mat[hk, pk], _SKP_LEVELS),
                    "Kualitas Laporan": _decimal_id(y.ravel()),
                    "Ketepatan Waktu": _decimal_id(100 * on_time.ravel(), "%"),
                    "Penyelesaian Pengaduan (hari)": _decimal_id(compl.ravel()),
                })
            for t, tab in chunk.items():
                tab = tab.rename_columns(list(_RAW_HEADERS[t]))
                if t not in writers:  # the header as people type it (Arrow would quote it)
                    fh = open(out / names[t], "wb")  # noqa: SIM115 - closed in the finally below
                    handles.append(fh)
                    fh.write((";".join(_RAW_HEADERS[t]) + "\n").encode("utf-8"))
                    writers[t] = pacsv.CSVWriter(fh, tab.schema, write_options=opts)
                writers[t].write_table(tab)
                rows[t] += tab.num_rows
            del chunk
    finally:
        for w in writers.values():
            w.close()
        for fh in handles:
            fh.close()
    files = {t: out / names[t] for t in tables}
    return {"files": {t: str(p) for t, p in files.items()}, "rows": rows,
            "bytes": {t: p.stat().st_size for t, p in files.items()}, "seconds": round(time.perf_counter() - t0, 2)}
