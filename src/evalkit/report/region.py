"""One region's evaluation report: every number, sentence, table and figure of ``08_region_report``.

:func:`region_findings` computes everything the report shows for one region from the canonical tables (one
pass, a few seconds); the section builders (:func:`section_reach`, :func:`section_impact`, ...) turn those
findings into Markdown in Indonesian or English, with every word taken from ``evalkit/data/strings.json``;
:func:`figure` draws and saves the region's figures. The notebook only calls these and displays the results,
so the same report can be produced from a script::

    from evalkit.report import region as R
    F = R.region_findings("Mamuju")
    print(R.section_impact(F, "en"))

The report follows the structure of the five seed evaluations (Latar Belakang, Tujuan, Metodologi,
Hasil/Dampak, Tantangan, Rekomendasi, Kesimpulan) and the Kirkpatrick levels. Background, aims, the issuer
and any targets come from the region's entry of the optional context file beside the raw files
(:mod:`evalkit.report.context`); without one, these are short sentences built from the data, and the
synthetic-data notice appears only when the context says the data are synthetic.

========================  ==================================================================================
section                   numbers (all for the region's own programmes and staff)
========================  ==================================================================================
reach and participation   invitation funnel (:func:`evalkit.participation.funnel`), attendance by delivery
                          mode, JP per ASN against the 20-JP target (:func:`evalkit.measures.jp_hours`)
reaction (L1)             five Likert items, share agreeing (4-5) with Wilson CIs
learning (L2)             pre/post gain with a paired t CI, by mode (:func:`evalkit.measures.learning_gain`)
behaviour (L3)            application score by rater; self minus supervisor (paired t CI); ICC(2,1)
results (L4)              monthly waiting time (volume-weighted), IKM per semester with its mutu (A-D)
impact                    Callaway-Sant'Anna ATT of training on report quality and on-time completion (person x
                          quarter panel, never-trained comparison, standard errors clustered by agency
                          ``agency_id``: training was assigned OPD by OPD), its event study, the TWFE estimate
                          (CRV1 by agency) as a check with a wild cluster bootstrap p-value when the region has
                          fewer than :data:`FEW_CLUSTERS` agencies, and the change in service waiting time after
                          a unit's first trained staff (TWFE DiD, unit and month fixed effects, CRV1 by unit,
                          wild bootstrap p with few units)
focus (spotlight)         one story told from the data (:func:`choose_spotlight`) or named by the context
challenges                barriers ranked by their average marginal effect on attendance (logit, delta-method
                          CIs), budget per participant and per ASN, interview themes (keyword coding)
recommendations           :func:`evalkit.report.recommend.recommend` on :data:`findings <region_findings>`
========================  ==================================================================================

Tables other than employees, programmes and enrolments may be absent or have no rows for the region: the
Kirkpatrick level they measure is then a short section saying what was not measured and how to measure it
next time (:data:`MEASUREMENT`: the file, its columns and the instrument that collects it).

Weakest Kirkpatrick level (the ``weakest_level`` finding): each of L1-L3 is scored as the share of people who
clear that level's bar, on the same 0-1 scale: L1 the share of participants agreeing (4-5) that the training
was good overall, L2 the share whose post-test score is above their pre-test score, L3 the share of alumni
whose supervisor's mean application rating is at least 4 ("applies", on the 5-point scale). The lowest share
is the weakest level. L4 is organisational, not personal, and is reported separately.

Small cells: every published table with a count of people goes through
:func:`evalkit.report.tables.suppress_small_cells` (cells from fewer than ``config.SMALL_CELL_THRESHOLD`` = 5
people are blanked), estimates by subgroup (mode, tenure band) are only computed for groups of at least
that many treated people, and in the text every share or mean based on fewer than that many people or texts
is written as a count ("3 dari 4 orang") or left out, and no quote is shown from fewer than that many texts.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from evalkit import config
from evalkit.report.context import TARGET_INDICATORS, load_context, region_context, text_of, translate_quote
from evalkit.report.tables import suppress_small_cells
from evalkit.report.text import (
    MISSING,
    barrier_label,
    describe_change,
    describe_effect,
    describe_share,
    format_amount,
    format_ci,
    format_number,
    format_percent,
    format_period,
    rank_sentence,
    t,
)

__all__ = [
    "REQUIRED_TABLES",
    "SPOTLIGHTS",
    "MEASUREMENT",
    "choose_spotlight",
    "SECTIONS",
    "FIGURES",
    "region_slug",
    "load_tables",
    "region_subset",
    "region_findings",
    "weakest_level",
    "most_cost_effective_mode",
    "figure_name",
    "figure",
    "published_tables",
    "title_block",
    "key_indicators",
    "section_key_indicators",
    "section_background",
    "section_methods",
    "section_reach",
    "section_reaction",
    "section_learning",
    "section_behaviour",
    "section_results",
    "section_impact",
    "section_spotlight",
    "section_challenges",
    "section_recommendations",
    "section_conclusion",
    "section_appendix",
    "headline",
]

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
    """Short file-name slug of a region (``config.REGION_SLUGS``; ``"DKI Jakarta"`` -> ``"jakarta"``)."""
    if region in config.REGION_SLUGS:
        return config.REGION_SLUGS[region]
    slug = re.sub(r"[^0-9a-z]+", "_", str(region).lower()).strip("_")
    if not slug:
        raise ValueError(f"cannot make a file name from region {region!r}")
    return slug


def load_tables(processed_dir=None) -> dict[str, pd.DataFrame]:
    """The canonical tables the report reads, from ``data/processed`` (run the cleaning step first); a table
    the office did not bring is an empty frame."""
    from evalkit.datasets import load

    out = {}
    for name in REQUIRED_TABLES:
        try:
            out[name] = load(name, processed_dir)
        except FileNotFoundError:
            out[name] = pd.DataFrame()
    return out


def _is(df: pd.DataFrame, col: str, value) -> pd.Series:
    return df[col].astype(object) == value


def region_subset(tables: Mapping[str, pd.DataFrame], region: str) -> dict[str, pd.DataFrame]:
    """The rows of each table that belong to ``region`` (:func:`evalkit.scope.row_regions`).

    Staff and services, SKM, budgets and interviews by their ``region`` column; programmes held in the region,
    and the enrolments, reactions, tests and follow-up ratings of those programmes (or, without a programme
    list, of the rows whose own region is ``region``); performance of the region's staff. Every table of
    :data:`REQUIRED_TABLES` is in the result, empty when missing. Delivery modes become plain strings (no
    unused categories). Raises ValueError when no table has a row of the region.
    """
    from evalkit.scope import in_region, regions_present

    tables = {n: (tables[n] if tables.get(n) is not None else pd.DataFrame()) for n in REQUIRED_TABLES}
    out = {}
    for name, d in tables.items():
        out[name] = d[in_region(d, name, tables, region).to_numpy()].copy() if len(d) else d.copy()
    if not any(len(d) for d in out.values()):
        raise ValueError(f"no rows for region {region!r}; regions in the data: {regions_present(tables)}")
    if "mode" in out["programmes"].columns:
        out["programmes"]["mode"] = out["programmes"]["mode"].astype(str)
    return out


# ------------------------------------------------------------------------------------------- utilities
def _f(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _wilson(k: int, n: int, ci: float = 0.95) -> tuple[float, float]:
    if n <= 0:
        return math.nan, math.nan
    lo, hi = proportion_confint(k, n, alpha=1 - ci, method="wilson")
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


def _reach(s: dict) -> dict | None:
    """Reach: the invitation funnel when the attendance data say who was invited, registered and completed; an
    office's attendance list (NIP and Hadir only) gives the share present of those on the list and the reasons
    for absence. None without attendance data."""
    from evalkit import participation as P
    from evalkit.measures import jp_compliance, jp_hours

    enr, prog, emp = s["enrolments"], s["programmes"], s["employees"]
    pids = set(enr["programme_id"].astype(str)) if "programme_id" in enr.columns else set()
    for name in ("reaction", "tests", "followup"):
        if "programme_id" in s[name].columns:
            pids |= set(s[name]["programme_id"].dropna().astype(str))
    n_programmes = int(len(prog)) if len(prog) else len(pids)
    topics = ([str(x) for x in prog["topic"].dropna().astype(str).value_counts().index[:3]]
              if "topic" in prog.columns else [])
    if enr.empty or "attended" not in enr.columns:
        return {"measured": False, "n_staff": int(len(emp)), "n_programmes": n_programmes, "topics": topics,
                "n_invited": 0, "n_attended": 0, "attendance_rate": math.nan, "jp_compliance": math.nan,
                "jp_year": None}
    full = set(P.STAGES) <= set(enr.columns) and not enr[list(P.STAGES)].isna().any().any()
    by_modes = _has_modes(prog)
    group_by = "mode" if by_modes else "programme"
    if full:
        base = "invited"
        fun, _ = _quiet(P.funnel, enr)
        st = fun.set_index("stage")
        n_base, n_reg = int(st.loc["invited", "n"]), int(st.loc["registered", "n"])
        att, comp = st.loc["attended"], st.loc["completed"]
        n_att, n_comp = int(att["n"]), int(comp["n"])
        rate, rate_ci = _f(att["share_of_invited"]), (_f(att["ci_low_invited"]), _f(att["ci_high_invited"]))
        completion, completion_att = _f(comp["share_of_invited"]), _f(comp["share"])
        invited = enr.loc[enr["invited"].astype(bool)]
    else:  # an attendance list: the people on it, present or not
        base = "listed"
        listed = enr[enr["attended"].notna()]
        n_base, n_att = int(len(listed)), int(listed["attended"].astype(bool).sum())
        rate = n_att / n_base if n_base else math.nan
        rate_ci = _wilson(n_att, n_base)
        known = listed["completed"].notna() if "completed" in listed.columns else pd.Series(False, listed.index)
        if known.any() and known.all():
            n_comp = int(listed["completed"].astype(bool).sum())
            completion = n_comp / n_base if n_base else math.nan
            completion_att = n_comp / n_att if n_att else math.nan
        else:
            n_comp, completion, completion_att = 0, math.nan, math.nan
        n_reg = n_base
        fun = pd.DataFrame({"stage": ["listed", "attended"], "n": [n_base, n_att],
                            "share_of_invited": [1.0, rate], "ci_low_invited": [1.0, rate_ci[0]],
                            "ci_high_invited": [1.0, rate_ci[1]]})
        invited = listed
    # attendance by delivery mode (programme list with modes), else by programme
    d = invited.assign(_att=invited["attended"].astype(bool))
    if by_modes:
        d = d.merge(prog[["programme_id", "mode"]], on="programme_id", how="left")
        d["_g"] = d["mode"].astype(str)
    else:
        d["_g"] = d["programme_id"].astype(str).map(_group_labels(prog)).fillna(d["programme_id"].astype(str))
    rows = []
    for g, sub in d.groupby("_g", sort=True):
        k, n = int(sub["_att"].sum()), int(len(sub))
        lo, hi = _wilson(k, n)
        rows.append({"mode": str(g), "n": n, "n_attended": k, "attendance_rate": k / n if n else math.nan,
                     "ci_low": lo, "ci_high": hi})
    mode_tab = pd.DataFrame(rows, columns=["mode", "n", "n_attended", "attendance_rate", "ci_low", "ci_high"])
    if full and by_modes:  # the strict funnel's counts (attended only after registering), as in the funnel
        by_mode, _ = _quiet(P.funnel, enr, programmes=prog, by="mode")
        inv = by_mode[by_mode["stage"] == "invited"].set_index("mode")["n"]
        am = by_mode[by_mode["stage"] == "attended"].set_index("mode")
        mode_tab = pd.DataFrame({"mode": am.index, "n": inv.reindex(am.index).to_numpy(),
                                 "n_attended": am["n"].to_numpy(),
                                 "attendance_rate": am["share_of_invited"].to_numpy(),
                                 "ci_low": am["ci_low_invited"].to_numpy(),
                                 "ci_high": am["ci_high_invited"].to_numpy()})
    if by_modes:
        mode_tab = mode_tab.sort_values("mode", key=lambda c: c.map(_mode_rank)).reset_index(drop=True)
    # attendance by the year the programme ended (the trend of the key-indicator table), years with >= 5 people
    att_by_year = pd.DataFrame(columns=["year", "n", "attendance_rate"])
    if len(prog) and {"programme_id", "end_date"} <= set(prog.columns):
        y = invited[["programme_id", "attended"]].merge(prog[["programme_id", "end_date"]], on="programme_id",
                                                        how="inner")
        y["year"] = pd.to_datetime(y["end_date"]).dt.year
        g = y.dropna(subset=["year"]).groupby("year")["attended"]
        att_by_year = pd.DataFrame({"n": g.size(), "attendance_rate": g.apply(lambda a: a.astype(bool).mean())})
        att_by_year = att_by_year[att_by_year["n"] >= _SMALL].reset_index()
        att_by_year["year"] = att_by_year["year"].astype(int)
    # reasons for absence, as written on the attendance list (presensi codes: Sakit, Izin, Dinas Luar, ...)
    reasons = pd.DataFrame(columns=["reason", "n"])
    if "reason_absent" in enr.columns:
        absent = enr.loc[~enr["attended"].fillna(True).astype(bool), "reason_absent"].dropna().astype(str)
        if len(absent):
            reasons = absent.value_counts().rename_axis("reason").reset_index(name="n")
            reasons = reasons.sort_values(["n", "reason"], ascending=[False, True]).reset_index(drop=True)
    jpc = pd.DataFrame(columns=["year", "share_compliant", "ci_low", "ci_high", "mean_jp"])
    if full and len(emp) and len(prog) and {"jp", "end_date"} <= set(prog.columns):
        jpc = jp_compliance(jp_hours(enr, prog, emp)).sort_values("year").reset_index(drop=True)
    last = jpc.iloc[-1] if len(jpc) else None
    return {
        "measured": True, "base": base, "group_by": group_by,
        "funnel": fun, "n_invited": n_base, "n_registered": n_reg,
        "n_attended": n_att, "n_completed": n_comp,
        "attendance_rate": rate, "attendance_ci": rate_ci,
        "completion_rate": completion, "completion_of_attended": completion_att,
        "by_mode": mode_tab, "reasons_absent": reasons, "by_year": att_by_year,
        "jp": jpc,
        "jp_year": None if last is None else int(last["year"]),
        "jp_compliance": math.nan if last is None else _f(last["share_compliant"]),
        "jp_compliance_ci": (math.nan, math.nan) if last is None else (_f(last["ci_low"]), _f(last["ci_high"])),
        "jp_mean": math.nan if last is None else _f(last["mean_jp"]),
        "n_staff": int(len(emp)), "n_programmes": n_programmes, "topics": topics,
        "invited_share_of_staff": (invited["person_id"].nunique() / len(emp)) if len(emp) else math.nan,
    }


def _reaction(s: dict) -> dict | None:
    from evalkit.measures import likert_items, likert_scale

    rx = s["reaction"]
    items = [c for c in REACTION_ITEMS if c in rx.columns]
    if rx.empty or not items or rx[items].notna().sum().sum() == 0:
        return None
    tab = likert_items(rx, items)
    ov = tab.set_index("item").loc["overall"] if "overall" in items else tab.iloc[0]
    scale = likert_scale(rx, items, min_items=3).iloc[0]
    return {"items": tab, "answers": rx[items].reset_index(drop=True), "n": int(ov["n"]),
            "agree_share": _f(ov["share_agree"]),
            "agree_ci": (_f(ov["ci_low"]), _f(ov["ci_high"])), "agree_n": int(ov["n_agree"]),
            "scale_mean": _f(scale["mean"]), "scale_ci": (_f(scale["ci_low"]), _f(scale["ci_high"])),
            "lowest_item": str(tab.sort_values("share_agree").iloc[0]["item"]),
            "lowest_item_share": _f(tab.sort_values("share_agree").iloc[0]["share_agree"])}


def _learning(s: dict) -> dict | None:
    from evalkit.measures import learning_gain

    tests = s["tests"]
    if tests.empty or not {"pre_score", "post_score"} <= set(tests.columns) or \
            tests.dropna(subset=["pre_score", "post_score"]).empty:
        return None
    pooled = learning_gain(tests).iloc[0]
    prog = s["programmes"]
    if _has_modes(prog):
        group_by = "mode"
        by_mode = learning_gain(tests, prog, by="mode")
        by_mode = by_mode.sort_values("mode", key=lambda c: c.map(_mode_rank)).reset_index(drop=True)
    else:  # no delivery modes: by programme (its title when the programme list gives one)
        group_by = "programme"
        lab = tests["programme_id"].astype(str)
        by_mode = learning_gain(tests.assign(mode=lab.map(_group_labels(prog)).fillna(lab)), by="mode")
        by_mode = by_mode.sort_values("mode").reset_index(drop=True)
    pairs = tests.dropna(subset=["pre_score", "post_score"])
    improved = int((pairs["post_score"] > pairs["pre_score"]).sum())
    return {"gain": _f(pooled["estimate"]), "gain_ci": (_f(pooled["ci_low"]), _f(pooled["ci_high"])),
            "pre": _f(pooled["mean_pre"]), "post": _f(pooled["mean_post"]), "n": int(pooled["n"]),
            "hedges_g": _f(pooled["hedges_g"]), "improved_share": improved / len(pairs) if len(pairs) else math.nan,
            "by_mode": by_mode, "group_by": group_by}


def _by_programme(s: dict) -> pd.DataFrame:
    """One row per programme the region's files name: those listed and present (attendance), the share agreeing
    with the overall reaction item (L1) and the mean pre/post gain (L2), each with its own count. Person counts,
    not yet suppressed (see :func:`section_programmes`)."""
    from evalkit.measures import likert_items

    enr, rx, te, prog = s["enrolments"], s["reaction"], s["tests"], s["programmes"]
    pids: set[str] = set()
    for d in (enr, rx, te):
        if "programme_id" in d.columns:
            pids |= set(d["programme_id"].dropna().astype(str))
    cols = ["programme_id", "programme", "mode", "n_listed", "n_attended", "attendance_rate", "n_reaction",
            "agree_share", "n_tests", "gain"]
    if not pids:
        return pd.DataFrame(columns=cols)
    labels = _group_labels(prog)
    modes = (prog.assign(programme_id=prog["programme_id"].astype(str)).set_index("programme_id")["mode"].astype(str)
             if _has_modes(prog) else pd.Series(dtype=object))
    out = pd.DataFrame({"programme_id": sorted(pids)})
    out["programme"] = out["programme_id"].map(labels).fillna(out["programme_id"])
    out["mode"] = out["programme_id"].map(modes) if len(modes) else None
    if "attended" in enr.columns and len(enr):
        e = enr[enr["attended"].notna()].assign(_pid=lambda d: d["programme_id"].astype(str))
        g = e.groupby("_pid")["attended"]
        out["n_listed"] = out["programme_id"].map(g.size()).fillna(0).astype(int)
        out["n_attended"] = out["programme_id"].map(g.apply(lambda a: int(a.astype(bool).sum()))).fillna(0)
        out["n_attended"] = out["n_attended"].astype(int)
        out["attendance_rate"] = np.where(out["n_listed"] > 0, out["n_attended"] / out["n_listed"].clip(lower=1),
                                          np.nan)
    else:
        out[["n_listed", "n_attended"]], out["attendance_rate"] = 0, np.nan
    item = "overall" if "overall" in rx.columns else next((c for c in REACTION_ITEMS if c in rx.columns), None)
    agree, n_rx = {}, {}
    if item and len(rx) and "programme_id" in rx.columns:
        for pid, sub in rx.dropna(subset=[item]).groupby(rx["programme_id"].astype(str)):
            row = likert_items(sub, [item]).iloc[0]
            agree[pid], n_rx[pid] = _f(row["share_agree"]), int(row["n"])
    out["n_reaction"] = out["programme_id"].map(n_rx).fillna(0).astype(int)
    out["agree_share"] = out["programme_id"].map(agree).astype(float)
    gain, n_te = {}, {}
    if len(te) and {"pre_score", "post_score", "programme_id"} <= set(te.columns):
        pairs = te.dropna(subset=["pre_score", "post_score"])
        for pid, sub in pairs.groupby(pairs["programme_id"].astype(str)):
            gain[pid] = _f((sub["post_score"] - sub["pre_score"]).mean())
            n_te[pid] = int(len(sub))
    out["n_tests"] = out["programme_id"].map(n_te).fillna(0).astype(int)
    out["gain"] = out["programme_id"].map(gain).astype(float)
    return out[cols].sort_values(["programme", "programme_id"]).reset_index(drop=True)


def _by_opd(s: dict) -> pd.DataFrame:
    """One row per OPD (the staff list's ``agency``): staff, staff on an attendance list, the attendance rate of
    their rows and the share of staff who completed at least one programme. Empty without staff list or lists."""
    emp, enr = s["employees"], s["enrolments"]
    cols = ["opd", "n_staff", "n_listed", "n_rows", "n_attended", "attendance_rate", "n_completed_any",
            "completed_share"]
    if not len(emp) or "agency" not in emp.columns or "attended" not in enr.columns or not len(enr):
        return pd.DataFrame(columns=cols)
    opd = emp.set_index("person_id")["agency"].astype(str)
    e = enr[enr["attended"].notna()].assign(opd=lambda d: d["person_id"].map(opd))
    e = e[e["opd"].notna()]
    staff = opd.value_counts()
    rows = []
    for name in sorted(staff.index):
        sub = e[e["opd"] == name]
        done = (sub.loc[sub["completed"].fillna(False).astype(bool), "person_id"].nunique()
                if "completed" in sub.columns else 0)
        n_rows, n_att = int(len(sub)), int(sub["attended"].astype(bool).sum())
        rows.append({"opd": name, "n_staff": int(staff[name]), "n_listed": int(sub["person_id"].nunique()),
                     "n_rows": n_rows, "n_attended": n_att,
                     "attendance_rate": n_att / n_rows if n_rows else math.nan,
                     "n_completed_any": int(done), "completed_share": done / int(staff[name])})
    return pd.DataFrame(rows, columns=cols)


def _behaviour(s: dict) -> dict | None:
    from evalkit.measures import rater_agreement

    fu = s["followup"].copy()
    if fu.empty or "rater_role" not in fu.columns or not set(APPLICATION_ITEMS) <= set(fu.columns):
        return None
    fu["rater_role"] = fu["rater_role"].astype(str)
    empty = {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}
    try:
        ra, _ = _quiet(rater_agreement, fu)
        gap = _row(ra, "self_minus_supervisor") if (ra["term"] == "self_minus_supervisor").any() else empty
        icc = _row(ra, "ICC(2,1)") if (ra["term"] == "ICC(2,1)").any() else empty
    except (ValueError, KeyError, IndexError):
        gap = icc = empty
    fu["_score"] = fu[list(APPLICATION_ITEMS)].astype(float).mean(axis=1)
    rows = []
    for role in ("self", "supervisor", "peer"):
        m = _mean_ci(fu.loc[fu["rater_role"] == role, "_score"])
        rows.append({"role": role, **m})
    by_role = pd.DataFrame(rows)
    sup = fu.loc[fu["rater_role"] == "supervisor", "_score"].dropna()
    k = int((sup >= APPLICATION_BAR).sum())
    return {"self_gap": gap["estimate"], "self_gap_ci": (gap["ci_low"], gap["ci_high"]), "n_pairs": gap["n"],
            "icc": icc["estimate"], "icc_ci": (icc["ci_low"], icc["ci_high"]), "n_icc": icc["n"],
            "by_role": by_role, "application_share": k / len(sup) if len(sup) else math.nan,
            "application_ci": _wilson(k, len(sup)), "n_supervisor": int(len(sup))}


def weakest_level(levels: Mapping[str, float]) -> str | None:
    """The Kirkpatrick level with the lowest share (``{"L1": 0.6, "L2": 0.9, "L3": 0.2}`` -> ``"L3"``).

    Missing shares are ignored; ties go to the earlier level. None when no share is known.
    """
    known = [(k, float(v)) for k, v in levels.items() if v is not None and not pd.isna(v)]
    if not known:
        return None
    return min(known, key=lambda kv: kv[1])[0]


def _results(s: dict) -> dict:
    from evalkit.measures import ikm, service_trends

    svc, skm = s["services"], s["skm"]
    out: dict = {}
    if len(svc):
        trend = service_trends(svc)
        trend["year"] = trend["month"].dt.year
        w = trend.groupby("year").apply(
            lambda g: pd.Series({"wait_minutes": np.average(g["wait_minutes"], weights=g["volume"].astype(float)),
                                 "processing_days": np.average(g["processing_days"],
                                                               weights=g["volume"].astype(float)),
                                 "resolution_rate": g["complaints_resolved"].sum() / g["complaints_received"].sum()}),
            include_groups=False)
        out.update({"trend": trend, "by_year": w.reset_index(), "n_units": int(svc["unit"].nunique()),
                    "wait_first": _f(w["wait_minutes"].iloc[0]), "wait_last": _f(w["wait_minutes"].iloc[-1]),
                    "proc_first": _f(w["processing_days"].iloc[0]), "proc_last": _f(w["processing_days"].iloc[-1]),
                    "year_first": int(w.index[0]), "year_last": int(w.index[-1])})
    if len(skm):
        by_p = ikm(skm, by="period").sort_values("period").reset_index(drop=True)
        by_p["mutu"] = by_p["mutu"].astype(str)
        last_p = by_p["period"].iloc[-1]
        by_unit = ikm(skm[skm["period"] == last_p], by="unit")
        by_unit["mutu"] = by_unit["mutu"].astype(str)
        out.update({"ikm": by_p, "ikm_by_unit": by_unit, "ikm_first": _f(by_p["ikm"].iloc[0]),
                    "ikm_last": _f(by_p["ikm"].iloc[-1]), "ikm_mutu": str(by_p["mutu"].iloc[-1]),
                    "ikm_period_first": str(by_p["period"].iloc[0]), "ikm_period_last": str(last_p),
                    "n_skm": int(len(skm))})
        try:
            from evalkit.measures import skm_sample_adequacy

            adequacy = skm_sample_adequacy(skm[skm["period"] == last_p], svc)
            out["units_below_sample_min"] = int((~adequacy["adequate"].astype(bool)).sum())
        except Exception:  # noqa: BLE001 - the check needs service volumes; the report goes on without it
            out["units_below_sample_min"] = None
    return out


def _cs(panel: pd.DataFrame, y: str, aggregate: str = "simple", cluster: str | None = "agency_id"):
    from evalkit.impact import staggered_att

    return _quiet(staggered_att, panel, y, "person_id", "t", "gname", aggregate=aggregate, cluster=cluster)[0]


def _wild(res, term: str, n_clusters: int) -> dict | None:
    """Wild cluster bootstrap p-value of ``term`` when there are fewer than :data:`FEW_CLUSTERS` clusters."""
    if not n_clusters or n_clusters >= FEW_CLUSTERS or n_clusters < 2:
        return None
    weights = "webb" if n_clusters < WEBB_BELOW else "rademacher"
    try:
        wb, _ = _quiet(res.wild_bootstrap, term=term, B=BOOTSTRAP_B, weights=weights, seed=BOOTSTRAP_SEED)
    except (ValueError, np.linalg.LinAlgError):
        return None
    r = wb.iloc[0]
    return {"p_value": _f(r["p_value"]), "ci_low": _f(r["ci_low"]), "ci_high": _f(r["ci_high"]),
            "B": int(r["B"]), "weights": str(r["weights"]), "n_clusters": int(n_clusters)}


def _impact(s: dict, focus_unit: str | None = None) -> dict | None:
    from evalkit.datasets import performance_panel, service_panel
    from evalkit.impact import did

    out: dict = {"performance": {}, "services": {}, "notes": []}
    perf = s["performance"]
    panel = None
    if len(perf) and {"person_id", "period"} <= set(perf.columns):
        panel = performance_panel(perf, s["employees"], s["enrolments"], s["programmes"])
        panel["agency_id"] = panel["agency_id"].astype(object).where(panel["agency_id"].notna(),
                                                                     "? / " + panel["person_id"].astype(str))
        if not (panel["gname"] > 0).any() or not (panel["gname"] == 0).any():
            panel = None
    out["measured"] = panel is not None
    if panel is not None:
        treated = panel.loc[panel["gname"] > 0].drop_duplicates("person_id")
        out.update({"n_people": int(panel["person_id"].nunique()), "n_treated": int(len(treated)),
                    "n_periods": int(panel["t"].nunique()), "period_first": str(panel["period"].min()),
                    "period_last": str(panel["period"].max()),
                    "n_agencies": int(panel["agency_id"].nunique()),
                    "n_agencies_trained": int(treated["agency_id"].nunique())})
        for y, (okey, ukey, scale, better) in PERFORMANCE_OUTCOMES.items():
            if y not in panel.columns or panel[y].notna().sum() == 0:
                continue
            try:
                cs = _cs(panel, y)
                r = _row(cs.tidy(), "ATT")
                res = did(panel.dropna(subset=[y]), y, "person_id", "t", "treated_post", cluster="agency_id")
            except ValueError:
                continue
            twfe = _row(res.tidy(), "treated_post")
            wb = _wild(res, "treated_post", res.n_clusters or out["n_agencies"])
            twfe["p_boot"] = wb["p_value"] if wb else math.nan
            twfe["boot"] = wb
            out.setdefault("n_used", r["n"])
            sc = {k: (v * scale if k in ("estimate", "ci_low", "ci_high", "std_error") else v) for k, v in r.items()}
            out["performance"][y] = {"outcome": okey, "unit": ukey, "scale": scale, "better": better, **sc,
                                     "twfe": {k: (v * scale if k in ("estimate", "ci_low", "ci_high") else v)
                                              for k, v in twfe.items()}}
            out["notes"].extend(cs.notes)
        out.setdefault("n_used", 0)
        try:
            dyn = _cs(panel, "report_quality", aggregate="dynamic").tidy()
            out["event_study"] = dyn[dyn["term"].str.startswith("rel::")].reset_index(drop=True)
        except (ValueError, KeyError):
            out["event_study"] = pd.DataFrame(columns=["term", "event_time", "estimate", "ci_low", "ci_high"])
        es = out["event_study"]
        pre = es[es["event_time"] < 0] if len(es) else es
        out["pretrend_n"] = int(len(pre))
        out["pretrend_k"] = int(((pre["ci_low"] > 0) | (pre["ci_high"] < 0)).sum()) if len(pre) else 0
    # by delivery mode of the first training, and by tenure band (each against the never-trained)
    rows = []
    if panel is not None and "report_quality" in out["performance"]:
        for mode, g in treated.groupby("first_mode", observed=True):
            if len(g) < _SMALL:
                continue
            sub = panel[(panel["gname"] == 0) | (panel["first_mode"].astype(object) == mode)]
            try:
                r = _row(_cs(sub, "report_quality").tidy(), "ATT")
            except ValueError:
                continue
            rows.append({"mode": str(mode), "n_treated": int(len(g)), **r})
    out["by_mode"] = pd.DataFrame(rows, columns=["mode", "n_treated", "estimate", "ci_low", "ci_high", "std_error",
                                                 "p_value", "n"])
    rows = []
    if panel is not None and "report_quality" in out["performance"]:
        band = np.where(panel["tenure"] >= EXPERIENCED_TENURE, "experienced", "junior")
        for b in ("junior", "experienced"):
            sub = panel[band == b]
            n_t = int(sub.loc[sub["gname"] > 0, "person_id"].nunique())
            if n_t < _SMALL:
                continue
            try:
                r = _row(_cs(sub, "report_quality").tidy(), "ATT")
            except ValueError:
                continue
            rows.append({"band": b, "n_treated": n_t, **r})
    out["by_tenure"] = pd.DataFrame(rows, columns=["band", "n_treated", "estimate", "ci_low", "ci_high",
                                                   "std_error", "p_value", "n"])
    # services: change after a unit's first trained staff (unit and month fixed effects, clustered by unit)
    svc = s["services"]
    if len(svc) and {"unit", "month"} <= set(svc.columns):
        sp = service_panel(svc, s["employees"], s["enrolments"], s["programmes"])
        sp["trained_post"] = (sp["trained_share"] > 0).astype("int64")
        sp["ym"] = sp["month"].dt.strftime("%Y-%m")
        out["n_units_trained"] = int(sp.loc[sp["trained_post"] == 1, "unit"].nunique())
        out["n_units"] = int(sp["unit"].nunique())
        if 0 < out["n_units_trained"] and sp["unit"].nunique() >= 2:
            for y, (okey, ukey) in SERVICE_OUTCOMES.items():
                if y not in sp.columns:
                    continue
                d = sp.dropna(subset=[y])
                try:
                    res = did(d, y, "unit", "ym", "trained_post")
                    r = _row(res.tidy(), "trained_post")
                except ValueError:
                    continue
                n_u = int(d["unit"].nunique())
                wb = _wild(res, "trained_post", n_u)
                out["services"][y] = {"outcome": okey, "unit": ukey, "n_units": n_u, **r,
                                      "p_boot": wb["p_value"] if wb else math.nan, "boot": wb}
        out["focus_unit"] = _unit_effect(sp, focus_unit, "processing_days") if focus_unit else None
    return out


def _unit_effect(sp: pd.DataFrame, unit: str, y: str, alpha: float = 0.05) -> dict | None:
    """Effect of training on ``y`` in one service unit: TWFE with the common effect of trained staff
    (``trained_post``) plus that unit's own extra (``trained_post`` x unit); the unit's effect is their sum,
    with its CI from the CRV1 covariance and a t(G - 1) reference. None when the unit is absent or untrained."""
    from scipy import stats

    from evalkit.impact import did

    if unit not in set(sp["unit"]) or not sp.loc[sp["unit"] == unit, "trained_post"].any():
        return None
    d = sp.dropna(subset=[y]).assign(_own=lambda x: x["trained_post"] * (x["unit"] == unit).astype("int64"))
    if d.loc[d["unit"] != unit, "trained_post"].nunique() < 2:
        return None
    try:
        res = did(d, y, "unit", "ym", "_own", covariates=["trained_post"])
    except ValueError:
        return None
    b, V = res.coef(), res.vcov
    if res.vcov is None or "trained_post" not in b.index:
        return None
    est = float(b["_own"] + b["trained_post"])
    se = float(np.sqrt(V.loc["_own", "_own"] + V.loc["trained_post", "trained_post"]
                       + 2 * V.loc["_own", "trained_post"]))
    q = float(stats.t.ppf(1 - alpha / 2, res.df)) if res.df else 1.959964
    own = d[d["unit"] == unit]
    return {"unit_name": unit, "outcome": y, "unit": "days", "estimate": est, "ci_low": est - q * se,
            "ci_high": est + q * se, "std_error": se, "n": int(res.n_obs), "better": "lower",
            "before": float(own.loc[own["trained_post"] == 0, y].mean()),
            "after": float(own.loc[own["trained_post"] == 1, y].mean())}


def most_cost_effective_mode(cost_by_mode: pd.DataFrame, effects_by_mode: pd.DataFrame,
                             min_n: int = _SMALL) -> tuple[str | None, pd.DataFrame]:
    """The delivery mode with the lowest cost per completer per point of impact on report quality.

    A thin wrapper of :func:`evalkit.cost.mode_cost_effectiveness` (the one definition of cost-effectiveness):
    cost per unit of effect = cost per completer (``cost_by_mode``: :func:`evalkit.cost.cost_per_participant`
    by ``mode``) / the Callaway-Sant'Anna ATT of the mode (``effects_by_mode``: the impact section's
    ``by_mode`` table, equal to :func:`evalkit.cost.impact_by_mode` on the region). Modes with fewer than
    ``min_n`` completers or trained people are left out; a mode is chosen only when at least two modes have a
    positive effect (nothing to compare otherwise). Returns (mode or None, the table, with ``cost_per_point``
    = ``cost_per_unit_effect`` = cost per completer / ATT, and ``cost_measure`` / ``effect_measure`` naming
    numerator and denominator).
    """
    from evalkit import cost as C

    eff = effects_by_mode
    if "n_treated" in eff.columns:
        eff = eff[eff["n_treated"] >= min_n]
    if "estimator" not in eff.columns:
        eff = eff.assign(estimator=C.CS_ESTIMATOR, outcome="report_quality")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best, ce = C.mode_cost_effectiveness(cost_by_mode, eff, min_completed=min_n, min_modes=2,
                                             rng=config.DEFAULT_SEED)
    ce["cost_per_point"] = ce["cost_per_unit_effect"]
    return best, ce


def _challenges(s: dict, tables: Mapping[str, pd.DataFrame], region: str, learning: dict,
                impact: dict | None = None) -> dict:
    from evalkit import cost as C
    from evalkit import participation as P
    from evalkit import qual as Q

    enr, emp, prog = s["enrolments"], s["employees"], s["programmes"]
    ame, notes = pd.DataFrame(columns=["term", "estimate", "ci_low", "ci_high"]), []
    # the barrier model needs the invitation questionnaire's barriers and the staff list's tenure and rank
    barriers_known = len(enr) and len(emp) and set(P.BARRIERS) | {"invited"} <= set(enr.columns) and \
        not enr[["invited", *P.BARRIERS]].isna().any().any()
    if barriers_known:
        try:
            ame, notes = _quiet(P.attendance_model, enr, emp, controls=("tenure", "rank"))
        except (ValueError, KeyError, np.linalg.LinAlgError):
            pass
    bar = ame[ame["term"].isin(P.BARRIERS)].copy()
    if len(bar):
        inv = enr[enr["invited"].astype(bool)]
        bar["share_citing"] = [float(inv[b].astype(bool).mean()) for b in bar["term"]]
        bar["n_citing"] = [int(inv[b].astype(bool).sum()) for b in bar["term"]]
        bar["attend_with"] = [float(inv.loc[inv[b].astype(bool), "attended"].mean()) if inv[b].any() else math.nan
                              for b in bar["term"]]
        bar["attend_without"] = [float(inv.loc[~inv[b].astype(bool), "attended"].mean()) for b in bar["term"]]
    else:
        bar = bar.assign(share_citing=[], n_citing=[], attend_with=[], attend_without=[])
    bar = bar.sort_values("estimate").reset_index(drop=True)
    strongest = P.strongest_barrier(ame) if len(bar) else None
    srow = bar[bar["term"] == strongest].iloc[0] if strongest else None
    # interviews
    iv = s["interviews"]
    themes = pd.DataFrame(columns=["theme", "n", "count", "share", "ci_low", "ci_high", "suppressed"])
    top_theme, quotes, n_iv, confidence = None, [], int(len(iv)), math.nan
    themes_by_role = pd.DataFrame(columns=["role", "theme", "n", "count", "share", "suppressed"])
    if n_iv and "text" in iv.columns:
        coded = Q.code_texts(iv)
        themes = Q.theme_frequencies(coded, by=None)
        themes_by_role = Q.theme_frequencies(coded.assign(role=coded["role"].astype(str)), by="role")
        btheme = themes[themes["theme"].isin(BARRIER_THEMES) & (themes["count"] > 0)].sort_values(
            ["share", "theme"], ascending=[False, True])
        top_theme = str(btheme["theme"].iloc[0]) if len(btheme) else None
        if top_theme and n_iv >= _SMALL:  # no quote from fewer than the small-cell threshold of texts
            q = Q.representative_quotes(iv, coded, top_theme, n=6, rng=config.DEFAULT_SEED)
            quotes = list(dict.fromkeys(x for x in q["quote"] if "[NAMA]" not in x and "[NIP]" not in x))[:2]
        confidence = float(iv["text"].astype(str).str.contains(r"percaya diri", case=False).mean())
    # costs
    bud = s["budgets"]
    has_budget = len(bud) > 0 and {"allocated_rp", "realised_rp"} <= set(bud.columns)
    bud_arg = bud if has_budget else None
    stages_known = {"invited", "completed"} <= set(enr.columns) and not enr[["invited", "completed"]].isna().any().any()
    has_cost = (has_budget or ("cost_rp" in prog.columns and prog["cost_rp"].notna().any())) and len(enr) \
        and len(prog) and stages_known
    cnotes: list[str] = []
    cpp = pd.DataFrame([{"cost_rp": math.nan, "cost_per_completed": math.nan, "cost_per_attended": math.nan,
                         "cost_per_jp": math.nan}])
    cmode = pd.DataFrame(columns=["mode", "cost_rp", "cost_per_completed", "n_completed"])
    allc = pd.DataFrame(columns=["region", "cost_rp", "n_programmes", "n_staff", "budget_per_employee",
                                 "programmes_per_1000"])
    ce_mode, ce_table = None, pd.DataFrame(columns=["mode", "cost_per_completed", "cost_per_point"])
    if has_cost:
        cpp, cnotes = _quiet(C.cost_per_participant, prog, enr, bud_arg, by=None)
        cmode, _ = _quiet(C.cost_per_participant, prog, enr, bud_arg, by="mode")
        ce_mode, ce_table = most_cost_effective_mode(cmode, (impact or _impact(s))["by_mode"])
        all_bud = tables.get("budgets")
        all_bud = all_bud if all_bud is not None and len(all_bud) and "allocated_rp" in all_bud.columns else None
        allc, _ = _quiet(C.cost_per_participant, tables["programmes"], tables["enrolments"], all_bud, by="region")
        emp_all = tables.get("employees")
        staff = (emp_all["region"].astype(str).value_counts() if emp_all is not None and len(emp_all)
                 else pd.Series(dtype=float))
        allc = allc.assign(region=allc["region"].astype(str))
        allc["n_staff"] = allc["region"].map(staff).astype(float)
        allc["budget_per_employee"] = allc["cost_rp"] / allc["n_staff"]
        allc["programmes_per_1000"] = 1000 * allc["n_programmes"] / allc["n_staff"]
    others = allc[allc["region"] != region]
    jp_rule = _jp_rule(s, cmode, has_cost, bud if has_budget else None)
    alloc = pd.to_numeric(bud["allocated_rp"], errors="coerce").sum() if has_budget else 0.0
    real = pd.to_numeric(bud["realised_rp"], errors="coerce").sum() if has_budget else 0.0
    c0 = cpp.iloc[0]
    return {
        "ames": bar, "ame_table": ame, "strongest_barrier": strongest,
        "strongest_ame": _f(srow["estimate"]) if srow is not None else math.nan,
        "strongest_ci": (_f(srow["ci_low"]), _f(srow["ci_high"])) if srow is not None else (math.nan, math.nan),
        "strongest_share": _f(srow["share_citing"]) if srow is not None else math.nan,
        "themes": themes, "themes_by_role": themes_by_role, "top_theme": top_theme, "quotes": quotes,
        "n_interviews": n_iv,
        "confidence_mentions": confidence,
        "top_theme_share": _f(themes.set_index("theme")["share"].get(top_theme)) if top_theme else math.nan,
        "budget_theme_share": _f(themes.set_index("theme")["share"].get("budget")) if len(themes) else math.nan,
        "cost_total": _f(c0["cost_rp"]), "cost_per_completed": _f(c0["cost_per_completed"]),
        "cost_per_attended": _f(c0["cost_per_attended"]), "cost_per_jp": _f(c0["cost_per_jp"]),
        "cost_by_mode": cmode, "cost_effectiveness": ce_table, "most_cost_effective_mode": ce_mode,
        "budget_allocated": _f(alloc), "budget_realised": _f(real), "has_budget": has_budget,
        "budget_realisation": _f(real / alloc) if alloc > 0 else math.nan,
        "budget_per_employee": _f(allc.loc[allc["region"] == region, "budget_per_employee"].iloc[0])
        if (allc["region"] == region).any() else math.nan,
        "budget_per_employee_reference": _f(others["budget_per_employee"].median()) if len(others) else math.nan,
        "programmes_per_1000": _f(allc.loc[allc["region"] == region, "programmes_per_1000"].iloc[0])
        if (allc["region"] == region).any() else math.nan,
        "programmes_per_1000_reference": _f(others["programmes_per_1000"].median()) if len(others) else math.nan,
        "by_region": allc, "notes": notes + cnotes, "jp_rule": jp_rule,
    }


def _jp_rule(s: dict, cmode: pd.DataFrame, has_cost: bool, bud: pd.DataFrame | None) -> dict | None:
    """What 20 JP a year for every civil servant on the staff list would cost at the region's own cost per JP by
    mode (:func:`evalkit.cost.jp_rule_budget`), against the latest year's realised training budget; the JP
    missing in the latest year from each person's completed programmes. None without costs or a staff list."""
    from evalkit import cost as C
    from evalkit.measures import jp_hours

    emp, prog, enr = s["employees"], s["programmes"], s["enrolments"]
    if not has_cost or not len(emp) or "mode" not in cmode.columns or not len(cmode):
        return None
    jp_year, jp_per_person = None, None
    if {"jp", "end_date"} <= set(prog.columns) and "completed" in enr.columns and enr["completed"].notna().all():
        try:
            jh, _ = _quiet(jp_hours, enr, prog, emp)
        except (ValueError, TypeError, KeyError):
            jh = None
        if jh is not None and len(jh):
            jp_year = int(jh["year"].max())
            jp_per_person = jh.loc[jh["year"] == jp_year, "jp"].to_numpy(dtype=float)
    budget, budget_year = math.nan, None
    if bud is not None and "year" in bud.columns:
        real = pd.to_numeric(bud["realised_rp"], errors="coerce").groupby(bud["year"]).sum(min_count=1).dropna()
        real = real[real > 0]
        if len(real):
            budget_year = int(real.index.max())
            budget = float(real.loc[real.index.max()])
    table = C.jp_rule_budget(cmode, len(emp), jp_per_person=jp_per_person,
                             current_budget_rp=None if pd.isna(budget) else budget)
    if not len(table):
        return None
    table = table.sort_values("scenario", key=lambda c: c.map(
        lambda m: len(MODE_ORDER) + 1 if m == "observed_mix" else _mode_rank(m))).reset_index(drop=True)
    return {"table": table, "n_staff": int(len(emp)), "jp_year": jp_year, "budget": budget,
            "budget_year": budget_year, "target": config.JP_TARGET_PER_YEAR}


def _place(region: str) -> tuple[str, str | None, str]:
    """(level, parent, province) of a region: ``config.REGIONS``, else the Kemendagri list, else blanks."""
    if region in config.REGIONS:
        return config.REGIONS[region]
    try:
        from evalkit.ingest.regions import match_region

        m = match_region(region)
        return str(m.level or ""), getattr(m, "kabupaten", None), str(m.province or "")
    except Exception:  # noqa: BLE001 - an unknown name just has no subtitle
        return "", None, ""


def region_findings(region: str, tables: Mapping[str, pd.DataFrame] | None = None,
                    context: Mapping | None = None) -> dict:
    """Every number of one region's report, plus the flat ``findings`` dict that feeds the recommendation rules.

    Parameters
    ----------
    region : str
        Canonical region name, as in the ``region`` column of the cleaned tables (e.g. ``"Mamuju"``).
    tables : mapping name -> DataFrame, optional
        The canonical tables of :data:`REQUIRED_TABLES` for all regions (other regions are used only for the
        budget comparison); any of them may be missing or empty: a level without data is reported as not
        measured.
        Default: read from ``data/processed``.
    context : mapping, optional
        A loaded context file (:func:`evalkit.report.context.load_context`). Default: the context file of
        the raw folder when ``tables`` is also defaulted, else none.

    Returns
    -------
    dict
        ``region``, ``slug``, ``context`` (the region's context entry), ``spotlight``, ``level``/``province``,
        then one dict per section (``reach``, ``reaction``, ``learning``, ``behaviour``, ``levels``,
        ``results``, ``impact``, ``challenges``) holding numbers and tidy DataFrames (``reaction``,
        ``learning`` and ``behaviour`` are None when not measured), ``measured`` (table -> has rows for
        the region) and ``findings`` (the keys documented in :mod:`evalkit.report.recommend`). Deterministic:
        quotes chosen and bootstraps drawn with fixed seeds.
    """
    if context is None and tables is None:
        context = load_context()
    tables = load_tables() if tables is None else tables
    s = region_subset(tables, region)
    ctx = region_context(context, region)
    level, parent, province = _place(region)
    F: dict = {"region": region, "slug": region_slug(region), "context": ctx,
               "level": level, "parent": parent, "province": province,
               "measured": {n: bool(len(s[n])) for n in REQUIRED_TABLES}}
    F["reach"] = _reach(s)
    F["reaction"] = _reaction(s)
    F["learning"] = _learning(s)
    F["behaviour"] = _behaviour(s)
    F["programmes"] = _by_programme(s)
    F["opd"] = _by_opd(s)
    F["measured"].update({"reaction": F["reaction"] is not None, "tests": F["learning"] is not None,
                          "followup": F["behaviour"] is not None})
    F["levels"] = {"L1": F["reaction"]["agree_share"] if F["reaction"] else math.nan,
                   "L2": F["learning"]["improved_share"] if F["learning"] else math.nan,
                   "L3": F["behaviour"]["application_share"] if F["behaviour"] else math.nan}
    F["results"] = _results(s)
    F["impact"] = _impact(s, ctx.get("focus_unit"))
    F["measured"]["performance"] = F["impact"]["measured"]
    F["challenges"] = _challenges(s, tables, region, F["learning"], F["impact"])
    F["counts"] = {"n_staff": F["reach"]["n_staff"], "n_programmes": F["reach"]["n_programmes"],
                   "n_invited": F["reach"]["n_invited"], "n_reaction": F["reaction"]["n"] if F["reaction"] else 0,
                   "n_tests": F["learning"]["n"] if F["learning"] else 0, "n_followup": int(len(s["followup"])),
                   "n_performance": int(len(s["performance"])), "n_service_units": F["results"].get("n_units", 0),
                   "n_skm": F["results"].get("n_skm", 0), "n_interviews": F["challenges"]["n_interviews"],
                   "n_budget_rows": int(len(s["budgets"]))}
    head = F["impact"]["performance"].get("report_quality")
    ch = F["challenges"]
    ce = ch["cost_effectiveness"]
    best = ch["most_cost_effective_mode"]
    F["findings"] = {
        "region": region,
        "attendance_rate": F["reach"]["attendance_rate"],
        "strongest_barrier": ch["strongest_barrier"],
        "strongest_barrier_ame": ch["strongest_ame"],
        "top_interview_theme": ch["top_theme"],
        "jp_compliance": F["reach"]["jp_compliance"],
        "weakest_level": weakest_level(F["levels"]),
        "self_supervisor_gap": F["behaviour"]["self_gap"] if F["behaviour"] else None,
        "reaction_agree_share": F["reaction"]["agree_share"] if F["reaction"] else None,
        "learning_gain": F["learning"]["gain"] if F["learning"] else None,
        "learning_gain_ci": F["learning"]["gain_ci"] if F["learning"] else None,
        "impact_estimate": head["estimate"] if head else None,
        "impact_ci": (head["ci_low"], head["ci_high"]) if head else None,
        "impact_outcome": "report_quality",
        "impact_better": "higher",
        "ikm": F["results"].get("ikm_last"),
        "ikm_mutu": F["results"].get("ikm_mutu"),
        "units_below_sample_min": F["results"].get("units_below_sample_min"),
        "most_cost_effective_mode": best,
        "cost_per_participant_rp": (_f(ce.set_index("mode").loc[best, "cost_per_completed"]) if best else None),
        "cost_per_point_rp": (_f(ce.set_index("mode").loc[best, "cost_per_point"]) if best else None),
        "budget_realisation": ch["budget_realisation"],
        "budget_per_employee_rp": ch["budget_per_employee"] if ch["has_budget"] else None,
        "budget_per_employee_reference_rp": ch["budget_per_employee_reference"] if ch["has_budget"] else None,
    }
    F["spotlight"] = choose_spotlight(F)
    return F


def _largest_gain_mode(F: Mapping) -> str | None:
    """The mode with the largest learning gain among at least two modes with enough people, else None."""
    lr = F["learning"]
    if lr is None:
        return None
    lm = lr["by_mode"][lr["by_mode"]["n"] >= _SMALL]
    return str(lm.sort_values("estimate").iloc[-1]["mode"]) if len(lm) >= 2 else None


def choose_spotlight(F: Mapping) -> str:
    """The focus section of a region's report: the context's ``spotlight`` when it names one of
    :data:`SPOTLIGHTS`, else the first of these that the data show:

    1. ``"services"``: training lowered service waiting time (its 95% CI below zero);
    2. ``"budget"``: training spending per civil servant under half the median of the other regions;
    3. ``"tenure"``: the strongest barrier is feeling already experienced and the effect can be estimated
       for junior and experienced staff separately;
    4. ``"practice"``: simulation/practice-based training (mode ``simulasi``) has the largest learning gain
       among at least two modes with enough people;
    5. ``"modes"``: at least two delivery modes have effect estimates (enough trained people each);
    6. ``"barrier"``: otherwise, the barrier most strongly tied to attendance (or the delivery modes when
       no barrier could be estimated and the region ran at least two modes);
    7. None: nothing to compare (an office with one delivery mode and no barrier data): no focus section.
    """
    chosen = (F.get("context") or {}).get("spotlight")
    if chosen in SPOTLIGHTS:
        return chosen
    imp, ch = F["impact"], F["challenges"]
    w = imp["services"].get("wait_minutes")
    if w and not pd.isna(w["ci_high"]) and w["ci_high"] < 0:
        return "services"
    from evalkit.report.recommend import BUDGET_PER_EMPLOYEE_MIN_RATIO

    b, ref = ch["budget_per_employee"], ch["budget_per_employee_reference"]
    if ch["has_budget"] and not pd.isna(b) and not pd.isna(ref) and ref > 0 and b < BUDGET_PER_EMPLOYEE_MIN_RATIO * ref:
        return "budget"
    if ch["strongest_barrier"] == "barrier_experienced" and len(imp["by_tenure"]) == 2:
        return "tenure"
    if _largest_gain_mode(F) == "simulasi":
        return "practice"
    if len(imp["by_mode"]) >= 2:
        return "modes"
    if ch["strongest_barrier"]:
        return "barrier"
    r, lr = F["reach"], F["learning"]
    modes = set()
    if r.get("measured") and r["group_by"] == "mode":
        modes |= set(r["by_mode"]["mode"])
    if lr and lr["group_by"] == "mode":
        modes |= set(lr["by_mode"]["mode"])
    return "modes" if len(modes) >= 2 else None


# ------------------------------------------------------------------------------------------- text utilities
def _pct(x, lang, d=0) -> str:
    return format_percent(x, lang, d)


def _num(x, lang, d=1) -> str:
    return format_number(x, lang, d)


def _ci(est, ci, lang, d=1) -> str:
    return format_ci(est, ci[0], ci[1], lang, d)


def _pp_ci(est, ci, lang, d=0) -> str:
    """A share difference in percentage points with its CI: "-49 poin persentase (IK 95%: -61 sampai -38)"."""
    if pd.isna(est):
        return MISSING
    est_txt = f"{format_number(100 * est, lang, d)} {t('unit.pp', lang)}"
    if pd.isna(ci[0]) or pd.isna(ci[1]):
        return est_txt
    return t("fmt.ci", lang, est=est_txt, interval=t("fmt.ci_interval", lang, level="95%",
                                                      lo=format_number(100 * ci[0], lang, d),
                                                      hi=format_number(100 * ci[1], lang, d)))


def _mode(m: str, lang: str) -> str:
    try:
        return t(f"mode.{m}", lang)
    except KeyError:
        return str(m)


def _mode_rank(m) -> int:
    return MODE_ORDER.index(m) if m in MODE_ORDER else len(MODE_ORDER)


def _h(key: str, lang: str, level: int = 2) -> str:
    return "#" * level + " " + t(key, lang)


def _table(df: pd.DataFrame, columns: list[tuple[str, str, object]], lang: str) -> str:
    """A Markdown table: columns as (column, strings.json key of the header, formatter(value) -> str)."""
    head = "| " + " | ".join(t(k, lang) for _, k, _ in columns) + " |"
    sep = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|"
    body = []
    for _, r in df.iterrows():
        cells = []
        for col, _, fmt in columns:
            v = r[col] if col in r.index else None
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append(MISSING)
            else:
                cells.append(fmt(v) if fmt else str(v))
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, sep, *body])


def _suppressed_note(df: pd.DataFrame, lang: str) -> str:
    if "suppressed" in df.columns and df["suppressed"].any():
        return "\n\n" + t("region.suppressed_note", lang, threshold=_SMALL)
    return ""


def _p(*parts: str) -> str:
    """Join non-empty parts as paragraphs. Indonesian intervals read "SK 95%" (selang kepercayaan, written out
    once in the summary) rather than the shared formatter's "IK 95%"."""
    return "\n\n".join(p for p in parts if p).replace("(IK 95%:", "(SK 95%:").replace("; IK 95%:", "; SK 95%:")


# ------------------------------------------------------------------------------------------- sections
def _small(n) -> bool:
    return n is None or pd.isna(n) or int(n) < _SMALL


def _share_or_count(share, n, lang, d=0) -> str:
    """A share as a percentage, or as a count "k dari n" when it rests on fewer than ``_SMALL`` people/texts."""
    if pd.isna(share) or n is None or pd.isna(n) or int(n) == 0:
        return MISSING
    if int(n) < _SMALL:
        return t("region.count_of", lang, k=int(round(float(share) * int(n))), n=int(n))
    return _pct(share, lang, d)


def _share_sentence(key: str, share, k, n, lang: str, **values) -> str:
    """:func:`describe_share`, or a count sentence when ``n`` is under the small-cell threshold."""
    if _small(n):
        return t("region.share_small", lang, what=t(f"region.what.{key}", lang), k=int(k or 0), n=int(n or 0))
    return describe_share(key, share, lang, n=int(k), total=int(n), **values)


def _not_measured(table: str, lang: str) -> str:
    level, prefix, columns, instrument = MEASUREMENT[table]
    return t(f"region.not_measured.{table}", lang) + " " + t(
        "region.how_to_measure", lang, file=f"`{prefix}*.xlsx`/`{prefix}*.csv`", columns=columns,
        instrument=t(f"region.instrument.{table}", lang, name=instrument))


def _ctx_text(F: dict, key: str, lang: str) -> str | None:
    return text_of(F["context"].get(key), lang, F["region"])


def _period(p, lang: str) -> str:
    return format_period(p, lang)


def title_block(F: dict, lang: str) -> str:
    """Report title, who issues it, the synthetic-data notice (only when the context says so), a summary."""
    r, lr, ch = F["reach"], F["learning"], F["challenges"]
    imp = F["impact"]["performance"].get("report_quality")
    bullets = [_share_sentence("attendance_list" if r.get("base") == "listed" else "attendance", r["attendance_rate"],
                               r["n_attended"], r["n_invited"], lang)] if r.get("measured") else []
    if lr:
        bullets.append(describe_change("test_score", lr["pre"], lr["post"], lang, unit_key="points",
                                       ci=lr["gain_ci"]))
    if imp:
        caveat = (" " + t("region.conclusion_pretrend", lang, k=F["impact"]["pretrend_k"], n=F["impact"]["pretrend_n"])
                  if F["impact"].get("pretrend_k") else "")
        bullets.append(_effect_sentence(imp, lang) + _robust_clause(F, lang) + caveat)
    if ch["strongest_barrier"]:
        bullets.append(rank_sentence({ch["strongest_barrier"]: ch["strongest_ame"]}, lang, measure="ame"))
    unmeasured = [MEASUREMENT[n][0] for n in ("reaction", "tests", "followup", "performance")
                  if not F["measured"][n]]
    if unmeasured:
        bullets.append(t("region.summary_unmeasured", lang, levels=", ".join(dict.fromkeys(unmeasured))))
    from evalkit.report.recommend import REGION_RULES, recommend

    rec = recommend(_findings_for_rules(F), lang, rules=REGION_RULES)
    if len(rec):
        bullets.append(t("region.summary_first_rec", lang, text=rec["text"].iloc[0]))
    place = t(f"region.level.{F['level']}", lang) if F["level"] in ("kabupaten", "kota", "provinsi",
                                                                     "kecamatan") else ""
    subtitle = ", ".join(x for x in (place, F["province"]) if x)
    issuer = text_of(F["context"].get("issuer"), lang, F["region"])
    return _p(f"# {t('report.title', lang, region=F['region'])}",
              f"*{subtitle}*" if subtitle else "",
              t("region.issued_by", lang, issuer=issuer) if issuer else "",
              f"> {t('report.synthetic_notice', lang)}" if F["context"].get("synthetic") else "",
              _h("section.summary", lang),
              "\n".join(f"- {b}" for b in bullets),
              section_key_indicators(F, lang),
              f"*{t('region.ci_note', lang)}*")


def _default_targets() -> dict[str, tuple[float, str]]:
    """Targets of the key-indicator table when the context sets none: indicator -> (value, source key).

    Attendance, positive reactions and budget realisation: the thresholds of the recommendation rules
    (:mod:`evalkit.report.recommend`); JP compliance: the rule's threshold on the 20 JP of PP 11/2017; IKM: the
    lower bound of mutu B (Baik) in PermenPANRB 14/2017. Learning gain, application, waiting and processing
    time have no default: an office sets them in the context file (``targets``), which replaces any default.
    """
    from evalkit.measures import IKM_BANDS
    from evalkit.report.recommend import ATTENDANCE_MIN, BUDGET_REALISATION_MIN, JP_COMPLIANCE_MIN, REACTION_AGREE_MIN

    ikm_b = next(lower for lower, mutu, _k in IKM_BANDS if mutu == "B")
    return {"attendance_rate": (ATTENDANCE_MIN, "rule"), "reaction_agree": (REACTION_AGREE_MIN, "rule"),
            "jp_compliance": (JP_COMPLIANCE_MIN, "jp"), "ikm": (ikm_b, "ikm"),
            "budget_realisation": (BUDGET_REALISATION_MIN, "rule")}


def key_indicators(F: dict) -> pd.DataFrame:
    """The key-indicator table of the summary: one row per indicator with a measured value or a target.

    Columns: ``indicator`` (a key of :data:`evalkit.report.context.TARGET_INDICATORS`), ``actual``, ``n``
    (people behind a share; None for other indicators), ``target``, ``source`` (``office``: the context file;
    ``rule``, ``jp``, ``ikm``: see :func:`_default_targets`), ``status`` (``met``, ``not_met``, ``no_target``,
    ``unknown`` when not measured), ``trend_first``/``trend_last`` with their periods ``period_first``/
    ``period_last`` (the first and last on record: attendance by the year programmes ended, JP compliance by
    year, IKM by survey semester, service times by year) and ``better`` (``higher``/``lower``).
    """
    r, x, ch = F["reach"], F["results"], F["challenges"]
    office = {tg["indicator"]: tg for tg in F["context"].get("targets") or []}
    defaults = _default_targets()
    rows = []

    def add(ind, actual, n=None, trend=None, year=None):
        better = TARGET_INDICATORS[ind][0]
        if ind in office:
            target, source = float(office[ind]["value"]), "office"
        elif ind in defaults:
            target, source = defaults[ind]
        else:
            target, source = None, None
        if (actual is None or pd.isna(actual)) and target is None:
            return
        if actual is None or pd.isna(actual):
            status = "unknown"
        elif target is None:
            status = "no_target"
        else:
            status = "met" if (actual >= target if better == "higher" else actual <= target) else "not_met"
        t0 = t1 = p0 = p1 = None
        if trend is not None and len(trend) >= 2:
            (p0, t0), (p1, t1) = trend[0], trend[-1]
        rows.append({"indicator": ind, "actual": actual, "n": n, "target": target, "source": source,
                     "status": status, "trend_first": t0, "trend_last": t1, "period_first": p0, "period_last": p1,
                     "better": better})

    if r.get("measured"):
        by_year = r.get("by_year")
        add("attendance_rate", r["attendance_rate"], r["n_invited"],
            list(zip(by_year["year"].astype(str), by_year["attendance_rate"])) if by_year is not None else None)
    rx = F["reaction"]
    add("reaction_agree", rx["agree_share"] if rx else None, rx["n"] if rx else None)
    lr = F["learning"]
    add("learning_gain", lr["gain"] if lr else None)
    bh = F["behaviour"]
    add("application_share", bh["application_share"] if bh else None, bh["n_supervisor"] if bh else None)
    if r.get("measured") and r.get("jp_year"):
        jp = r["jp"]
        add("jp_compliance", r["jp_compliance"], r["n_staff"],
            list(zip(jp["year"].astype(str), jp["share_compliant"])))
    elif "jp_compliance" in office:
        add("jp_compliance", None)
    if "ikm" in x:
        ik = x["ikm"]
        add("ikm", x["ikm_last"], None, list(zip(ik["period"].astype(str), ik["ikm"])))
    else:
        add("ikm", None) if "ikm" in office else None
    for ind in ("wait_minutes", "processing_days"):
        if "by_year" in x:
            by = x["by_year"]
            add(ind, _f(by[ind].iloc[-1]), None, list(zip(by["year"].astype(str), by[ind])))
        elif ind in office:
            add(ind, None)
    if ch["has_budget"] or "budget_realisation" in office:
        add("budget_realisation", ch["budget_realisation"])
    return pd.DataFrame(rows, columns=["indicator", "actual", "n", "target", "source", "status", "trend_first",
                                       "trend_last", "period_first", "period_last", "better"])


def _indicator_value(ind: str, v, lang: str, n=None) -> str:
    if v is None or pd.isna(v):
        return MISSING
    unit = TARGET_INDICATORS[ind][1]
    if unit == "share":
        return _share_or_count(v, n, lang) if n is not None and not pd.isna(n) else _pct(v, lang)
    if ind == "ikm":
        return _num(v, lang, 2)
    return _num(v, lang, 1) + (" " + t(f"unit.{unit}", lang) if unit in ("minutes", "days") else "")


def section_key_indicators(F: dict, lang: str) -> str:
    """The summary's at-a-glance table: Indikator | Target | Capaian | Status | Tren (:func:`key_indicators`)."""
    k = key_indicators(F)
    if k.empty:
        return ""
    lines = ["| " + " | ".join(t(f"region.dash.col.{c}", lang) for c in ("indicator", "target", "actual", "status",
                                                                          "trend")) + " |",
             "|---|---:|---:|---|---|"]
    sources = []
    for row in k.itertuples():
        trend = MISSING
        if not pd.isna(row.trend_first) and not pd.isna(row.trend_last):
            a, b = float(row.trend_first), float(row.trend_last)
            scale = 100 if TARGET_INDICATORS[row.indicator][1] == "share" else 1
            same = round(a * scale, 1) == round(b * scale, 1)
            direction = "flat" if same else ("up" if b > a else "down")
            trend = t(f"region.dash.trend.{direction}", lang,
                      first=_period(row.period_first, lang) if "S" in str(row.period_first) else row.period_first,
                      last=_period(row.period_last, lang) if "S" in str(row.period_last) else row.period_last)
        target = _indicator_value(row.indicator, row.target, lang)
        if isinstance(row.source, str):
            sources.append(row.source)
        lines.append(f"| {t(f'region.indicator.{row.indicator}', lang)} | {target} | "
                     f"{_indicator_value(row.indicator, row.actual, lang, row.n)} | "
                     f"{t(f'region.dash.status.{row.status}', lang)} | {trend} |")
    src = "; ".join(t(f"region.dash.source.{s}", lang) for s in dict.fromkeys(sources))
    return _p(f"**{t('region.dash.title', lang)}**", "\n".join(lines),
              f"*{t('region.dash.note', lang, sources=src or MISSING)}*")


def section_background(F: dict, lang: str) -> str:
    """Latar Belakang and Tujuan: the context file's texts when given, else what the data say, with its size."""
    r, imp = F["reach"], F["impact"]
    bg = _ctx_text(F, "background", lang)
    aims = _ctx_text(F, "aims", lang)
    if not r["n_staff"]:
        size = t("region.background_numbers_list", lang, region=F["region"], n_programmes=r["n_programmes"],
                 n_listed=r["n_invited"])
    elif imp["measured"]:
        size = t("region.background_numbers", lang, region=F["region"], n_staff=r["n_staff"],
                 n_programmes=r["n_programmes"], n_invited=r["n_invited"],
                 period_first=_period(imp["period_first"], lang), period_last=_period(imp["period_last"], lang))
    else:
        size = t("region.background_numbers_short", lang, region=F["region"], n_staff=r["n_staff"],
                 n_programmes=r["n_programmes"], n_invited=r["n_invited"])
    topics = ""
    prog = F["reach"].get("topics") or []
    if prog:
        topics = t("region.background_topics", lang, topics=", ".join(prog))
    return _p(_h("section.background", lang),
              bg or t("region.background_default", lang, region=F["region"]),
              size, topics,
              _h("section.objectives", lang),
              aims or t("region.objectives_default", lang),
              t("region.objectives_common", lang))


def section_methods(F: dict, lang: str) -> str:
    """Metodologi: data and designs in plain words (details in the appendix)."""
    c, imp = F["counts"], F["impact"]
    items = [t("region.methods.l1", lang, n=c["n_reaction"]) if F["measured"]["reaction"] else
             t("region.methods.missing", lang, what=t("section.reaction", lang)),
             t("region.methods.l2", lang, n=c["n_tests"]) if F["measured"]["tests"] else
             t("region.methods.missing", lang, what=t("section.learning", lang)),
             t("region.methods.l3", lang, n=c["n_followup"]) if F["measured"]["followup"] else
             t("region.methods.missing", lang, what=t("section.behaviour", lang)),
             t("region.methods.l4", lang, units=c["n_service_units"], n_skm=c["n_skm"])
             if (F["measured"]["services"] or F["measured"]["skm"]) else
             t("region.methods.missing", lang, what=t("section.results", lang)),
             t("region.methods.impact", lang, n_people=imp["n_people"], n_treated=imp["n_treated"],
               n_agencies=imp["n_agencies"]) if imp["measured"] else
             t("region.methods.missing", lang, what=t("region.what.performance", lang)),
             t("region.methods.qual", lang, n=c["n_interviews"]) if c["n_interviews"] else
             t("region.methods.missing", lang, what=t("region.what.interviews", lang))]
    return _p(_h("section.methods", lang), t("region.methods.intro", lang),
              "\n".join(f"- {x}" for x in items))


def section_reach(F: dict, lang: str) -> str:
    """Reach and participation: funnel (or the attendance lists), attendance by mode or programme, reasons for
    absence, JP compliance; or what was not measured."""
    r = F["reach"]
    if not r.get("measured"):
        return _p(_h("section.reach", lang, 2), _not_measured("enrolments", lang))
    listed = r["base"] == "listed"
    by_programme = r["group_by"] == "programme"
    tab = suppress_small_cells(r["by_mode"], n_col=["n", "n_attended"])
    table = _table(tab, [("mode", "region.col.programme" if by_programme else "region.col.mode",
                          (lambda v: v) if by_programme else (lambda v: _mode(v, lang))),
                         ("n", "region.col.listed" if listed else "region.col.invited", lambda v: _num(v, lang, 0)),
                         ("n_attended", "region.col.attended", lambda v: _num(v, lang, 0)),
                         ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang))], lang)
    jp_text = (describe_share("jp_compliance", r["jp_compliance"], lang) + " " +
               t("region.jp_detail", lang, year=str(r["jp_year"]), mean_jp=_num(r["jp_mean"], lang, 1),
                 target=config.JP_TARGET_PER_YEAR)) if r["jp_year"] and not _small(r["n_staff"]) else ""
    completion = (t("region.completion", lang, completed=_share_or_count(r["completion_rate"], r["n_invited"], lang),
                    of_attended=_share_or_count(r["completion_of_attended"], r["n_attended"], lang))
                  if r["n_invited"] and not pd.isna(r["completion_rate"]) else "")
    if listed:
        intro = t("region.reach_intro_list", lang, n_listed=r["n_invited"], n_programmes=r["n_programmes"])
    else:
        intro = t("region.reach_intro", lang, n_invited=r["n_invited"], n_programmes=r["n_programmes"],
                  invited_share=_share_or_count(r["invited_share_of_staff"], r["n_staff"], lang))
    title = "title.attendance_by_programme" if by_programme else "title.attendance_by_mode"
    reasons = ""
    n_absent = r["n_invited"] - r["n_attended"]
    rs = r.get("reasons_absent")
    if rs is not None and len(rs) and n_absent:
        rt = suppress_small_cells(rs, n_col=["n"])
        reasons = _p(t("region.reasons_absent", lang, n_reason=int(rs["n"].sum()), n_absent=n_absent),
                     f"**{t('region.table.reasons_absent', lang)}**\n\n"
                     + _table(rt, [("reason", "region.col.reason", None),
                                   ("n", "region.col.n_people", lambda v: _num(v, lang, 0))], lang)
                     + _suppressed_note(rt, lang))
    return _p(_h("section.reach", lang, 2), intro,
              _share_sentence("attendance_list" if listed else "attendance", r["attendance_rate"], r["n_attended"],
                              r["n_invited"], lang) + (" " + completion if completion else ""),
              f"**{t(title, lang)}**\n\n" + table + _suppressed_note(tab, lang),
              reasons, jp_text)


def section_reaction(F: dict, lang: str) -> str:
    """Reaction (L1): share agreeing and the weakest item; or what was not measured."""
    x = F["reaction"]
    if x is None:
        return _p(_h("section.reaction", lang), _not_measured("reaction", lang))
    mean = _ci(x["scale_mean"], x["scale_ci"], lang, 2) if not _small(x["n"]) else MISSING
    return _p(_h("section.reaction", lang),
              _share_sentence("reaction_agree", x["agree_share"], x["agree_n"], x["n"], lang),
              t("region.reaction_scale", lang, mean=mean, item=t(f"region.item.{x['lowest_item']}", lang),
                share=_share_or_count(x["lowest_item_share"], x["n"], lang)) if not _small(x["n"]) else "")


def section_learning(F: dict, lang: str) -> str:
    """Learning (L2): pre/post change with CI and the gain by delivery mode; or what was not measured."""
    x = F["learning"]
    if x is None:
        return _p(_h("section.learning", lang), _not_measured("tests", lang))
    tab = suppress_small_cells(x["by_mode"][["mode", "n", "mean_pre", "mean_post", "estimate", "ci_low", "ci_high"]],
                               value_cols=["mean_pre", "mean_post", "estimate", "ci_low", "ci_high"])
    by_programme = x.get("group_by") == "programme"
    table = _table(tab, [("mode", "region.col.programme" if by_programme else "region.col.mode",
                          (lambda v: v) if by_programme else (lambda v: _mode(v, lang))),
                         ("n", "region.col.n", lambda v: _num(v, lang, 0)),
                         ("mean_pre", "axis.pre", lambda v: _num(v, lang, 1)),
                         ("mean_post", "axis.post", lambda v: _num(v, lang, 1)),
                         ("estimate", "axis.learning_gain", lambda v: _num(v, lang, 1))], lang)
    if _small(x["n"]):
        return _p(_h("section.learning", lang), t("region.too_few", lang, n=x["n"],
                                                   what=t("region.what.tests", lang)))
    return _p(_h("section.learning", lang),
              describe_change("test_score", x["pre"], x["post"], lang, unit_key="points", ci=x["gain_ci"]),
              t("region.learning_detail", lang, n=x["n"], improved=_share_or_count(x["improved_share"], x["n"], lang),
                g=_num(x["hedges_g"], lang, 2)),
              f"**{t('region.table.gain_by_programme' if by_programme else 'region.table.gain_by_mode', lang)}**\n\n"
              + table + _suppressed_note(tab, lang))


def _level_n(F: dict, level: str) -> int:
    """Number of people behind a level's share (L1 respondents, L2 test pairs, L3 supervisor ratings)."""
    sec, key = {"L1": ("reaction", "n"), "L2": ("learning", "n"), "L3": ("behaviour", "n_supervisor")}[level]
    return int(F[sec][key]) if F[sec] else 0


def _level_share(F: dict, level: str, lang: str) -> str:
    return _share_or_count(F["levels"][level], _level_n(F, level), lang)


def programme_table(F: dict) -> pd.DataFrame:
    """The per-programme table as published: attendance blanked where fewer than 5 were listed (and one more row
    when only one is, so it cannot be recovered from the total), L1 where fewer than 5 answered, L2 where fewer
    than 5 took both tests."""
    tab = F["programmes"].copy()
    if not len(tab):
        return tab
    tab = suppress_small_cells(tab, n_col=["n_listed"], value_cols=["n_attended", "attendance_rate"])
    tab = suppress_small_cells(tab, n_col=["n_reaction"], value_cols=["agree_share"], complementary=False)
    tab = suppress_small_cells(tab, n_col=["n_tests"], value_cols=["gain"], complementary=False)
    return tab


def opd_table(F: dict) -> pd.DataFrame:
    """The per-OPD table as published (OPDs with fewer than 5 staff or fewer than 5 listed are blanked)."""
    tab = F["opd"].copy()
    if not len(tab):
        return tab
    return suppress_small_cells(tab, n_col=["n_staff", "n_listed"],
                                value_cols=["n_rows", "n_attended", "attendance_rate", "n_completed_any",
                                            "completed_share"])


def section_programmes(F: dict, lang: str) -> str:
    """Results per programme (attendance, L1, L2) and per OPD (who was reached), small cells blanked."""
    parts = [_h("section.programmes", lang)]
    pt = programme_table(F)
    if len(pt):
        cols = [("programme", "region.col.programme", None)]
        if pt["mode"].notna().any():
            cols.append(("mode", "region.col.mode", lambda v: _mode(v, lang)))
        if (pt["n_listed"].fillna(0) > 0).any() or pt["n_listed"].isna().any():
            cols += [("n_listed", "region.col.listed", lambda v: _num(v, lang, 0)),
                     ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang))]
        if (pt["n_reaction"].fillna(1) > 0).any():
            cols.append(("agree_share", "region.col.agree_overall", lambda v: _pct(v, lang)))
        if (pt["n_tests"].fillna(1) > 0).any():
            cols.append(("gain", "region.col.gain_points", lambda v: _num(v, lang, 1)))
        parts.append(t("region.programmes_intro", lang, n=len(pt)))
        parts.append(f"**{t('region.table.programmes', lang)}**\n\n" + _table(pt, cols, lang)
                     + _suppressed_note(pt, lang))
    else:
        parts.append(t("region.programmes_none", lang))
    ot = opd_table(F)
    if len(ot):
        parts.append(f"**{t('region.table.opd', lang)}**\n\n" + _table(ot, [
            ("opd", "region.col.opd", None), ("n_staff", "region.col.n_staff", lambda v: _num(v, lang, 0)),
            ("n_listed", "region.col.opd_listed", lambda v: _num(v, lang, 0)),
            ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang)),
            ("completed_share", "region.col.completed_share", lambda v: _pct(v, lang))], lang)
            + _suppressed_note(ot, lang))
    elif len(F["programmes"]):
        parts.append(t("region.opd_none", lang))
    return _p(*parts)


def _levels_text(F: dict, lang: str) -> str:
    wl = weakest_level(F["levels"])
    return t("region.levels", lang, l1=_level_share(F, "L1", lang), l2=_level_share(F, "L2", lang),
             l3=_level_share(F, "L3", lang), weakest=t(f"level.{wl}", lang) if wl else MISSING)


def section_behaviour(F: dict, lang: str) -> str:
    """Behaviour (L3): application by rater and the self-supervisor gap; or what was not measured."""
    x = F["behaviour"]
    if x is None:
        return _p(_h("section.behaviour", lang), _not_measured("followup", lang), _levels_text(F, lang))
    by = {r["role"]: r for _, r in x["by_role"].iterrows()}

    def mean_of(role):
        r = by.get(role)
        return MISSING if r is None or _small(r["n"]) else _num(r["mean"], lang, 2)

    parts = [_h("section.behaviour", lang)]
    if _small(x["n_supervisor"]):
        parts.append(t("region.too_few", lang, n=x["n_supervisor"], what=t("region.what.followup", lang)))
    else:
        k = int(round(x["application_share"] * x["n_supervisor"]))
        parts.append(_share_sentence("application", x["application_share"], k, x["n_supervisor"], lang))
    if not _small(x["n_pairs"]):
        parts.append(t("region.behaviour_gap", lang, self_mean=mean_of("self"), sup_mean=mean_of("supervisor"),
                       gap=_ci(x["self_gap"], x["self_gap_ci"], lang, 2), n=x["n_pairs"]))
    if not _small(x["n_icc"]):
        parts.append(t("region.behaviour_icc", lang, icc=_ci(x["icc"], x["icc_ci"], lang, 2), n=x["n_icc"]))
    parts.append(_levels_text(F, lang))
    return _p(*parts)


def _targets_text(F: dict, lang: str) -> str:
    """Each target of the context against the measured value (latest year or period)."""
    lines = []
    x, r = F["results"], F["reach"]
    by_year = x.get("by_year")
    for tg in F["context"].get("targets") or []:
        ind, value = tg["indicator"], float(tg["value"])
        better, unit = TARGET_INDICATORS[ind]
        year = tg.get("year")
        actual, when = math.nan, ""
        if ind in ("wait_minutes", "processing_days") and by_year is not None and len(by_year):
            row = by_year[by_year["year"] == int(year)] if year is not None else by_year.tail(1)
            if len(row):
                actual, when = _f(row[ind].iloc[0]), str(int(row["year"].iloc[0]))
        elif ind == "ikm" and "ikm" in x:
            actual, when = x["ikm_last"], _period(x["ikm_period_last"], lang)
        elif ind == "attendance_rate":
            actual, when = r["attendance_rate"], ""
        elif ind == "jp_compliance":
            actual, when = r["jp_compliance"], str(r["jp_year"] or "")
        fmt = (lambda v: _pct(v, lang)) if unit == "share" else (lambda v: _num(v, lang, 1) + (
            " " + t(f"unit.{unit}", lang) if unit else ""))
        if pd.isna(actual):
            status = t("region.target_unknown", lang)
        else:
            met = actual <= value if better == "lower" else actual >= value
            status = t("region.target_met" if met else "region.target_not_met", lang)
        lines.append("- " + t("region.target_line", lang, indicator=t(f"region.indicator.{ind}", lang),
                              target=fmt(value), year=str(year) if year is not None else MISSING,
                              actual=fmt(actual), when=when or MISSING, status=status))
    return (f"**{t('region.targets_title', lang)}**\n\n" + "\n".join(lines)) if lines else ""


def section_results(F: dict, lang: str) -> str:
    """Results (L4): waiting and processing time trend, IKM and its mutu, the context's targets."""
    x = F["results"]
    parts = [_h("section.results", lang)]
    if "trend" in x:
        parts.append(t("region.results_services", lang, units=x["n_units"], y0=str(x["year_first"]),
                       y1=str(x["year_last"]), w0=_num(x["wait_first"], lang, 1), w1=_num(x["wait_last"], lang, 1),
                       p0=_num(x["proc_first"], lang, 1), p1=_num(x["proc_last"], lang, 1)))
    else:
        parts.append(_not_measured("services", lang))
    if "ikm" in x:
        if _small(x["n_skm"]):
            parts.append(t("region.too_few", lang, n=x["n_skm"], what=t("region.what.skm", lang)))
        else:
            parts.append(t("region.results_ikm", lang, p0=_period(x["ikm_period_first"], lang),
                           p1=_period(x["ikm_period_last"], lang),
                           ikm0=_num(x["ikm_first"], lang, 2), ikm1=_num(x["ikm_last"], lang, 2),
                           mutu=t(f"ikm_mutu.{x['ikm_mutu']}", lang), n=x["n_skm"]))
            u = x["ikm_by_unit"].rename(columns={"n_respondents": "n"})
            u = suppress_small_cells(u[["unit", "n", "ikm", "mutu"]], value_cols=["ikm", "mutu"])
            parts.append(f"**{t('region.table.ikm_by_unit', lang, period=_period(x['ikm_period_last'], lang))}**\n\n"
                         + _table(u, [("unit", "axis.unit", None),
                                      ("n", "region.col.respondents", lambda v: _num(v, lang, 0)),
                                      ("ikm", "axis.ikm", lambda v: _num(v, lang, 2)),
                                      ("mutu", "region.col.mutu", lambda v: t(f"ikm_mutu.{v}", lang))], lang)
                         + _suppressed_note(u, lang))
            if x.get("units_below_sample_min"):
                parts.append(t("region.results_sample", lang, units=x["units_below_sample_min"]))
    else:
        parts.append(_not_measured("skm", lang))
    parts.append(_targets_text(F, lang))
    return _p(*parts)


def _effect_sentence(e: dict, lang: str, better: str | None = None) -> str:
    return describe_effect(e["outcome"], e["estimate"], e["ci_low"], e["ci_high"], lang, unit_key=e["unit"],
                           better=better or e.get("better", "higher"))


def _p_text(p: float, lang: str) -> str:
    if pd.isna(p):
        return MISSING
    if p < 0.001:
        return "< " + format_number(0.001, lang, 3)
    return format_number(p, lang, 3 if p < 0.1 else 2)


def _boot_of(F: dict) -> dict | None:
    rq = F["impact"]["performance"].get("report_quality")
    return rq["twfe"].get("boot") if rq else None


def _robust_clause(F: dict, lang: str) -> str:
    """" (but with only G OPD the evidence is not yet firm)" when the few-OPD bootstrap test does not confirm."""
    rq = F["impact"]["performance"].get("report_quality")
    b = _boot_of(F)
    if not rq or not b or pd.isna(rq["ci_low"]):
        return ""
    clear = rq["ci_low"] > 0 or rq["ci_high"] < 0
    if clear and b["p_value"] >= 0.05:
        return " " + t("region.not_robust", lang, g=b["n_clusters"], p=_p_text(b["p_value"], lang))
    return ""


def section_impact(F: dict, lang: str) -> str:
    """Impact estimates with CIs in plain words, uncertainty counted per OPD; or what was not measured."""
    x = F["impact"]
    parts = [_h("section.impact", lang)]
    if not x["measured"] or not x["performance"]:
        parts.append(t("region.impact_not_measured", lang) + " " + _not_measured("performance", lang))
    else:
        perf = x["performance"]
        parts.append(t("region.impact_intro", lang, n_treated=x["n_treated"], n_people=x["n_people"],
                       p0=_period(x["period_first"], lang), p1=_period(x["period_last"], lang)))
        parts.append("\n".join(f"- {_effect_sentence(e, lang)}" for e in perf.values()))
        g = x["n_agencies"]
        b = _boot_of(F)
        unc = t("region.impact_clusters", lang, g=g, g_trained=x["n_agencies_trained"])
        if b:
            unc += " " + t("region.impact_few_clusters", lang, g=g, p=_p_text(b["p_value"], lang))
        parts.append(unc)
        if "report_quality" in perf:
            rq = perf["report_quality"]
            parts.append(t("region.impact_twfe", lang, twfe=_ci(rq["twfe"]["estimate"],
                                                                (rq["twfe"]["ci_low"], rq["twfe"]["ci_high"]), lang)))
        n_off, n_pre = x.get("pretrend_k", 0), x.get("pretrend_n", 0)
        if n_pre:
            parts.append(t("region.impact_event_study", lang) if n_off == 0 else
                         t("region.impact_event_study_pretrend", lang, k=n_off, n=n_pre))
    if x["services"]:
        parts.append(t("region.impact_services_intro", lang, trained=x["n_units_trained"], units=x["n_units"]))
        lines = []
        for e in x["services"].values():
            line = _effect_sentence(e, lang, better="lower")
            if e.get("boot"):
                line += " " + t("region.impact_services_boot", lang, p=_p_text(e["boot"]["p_value"], lang))
            lines.append(f"- {line}")
        parts.append("\n".join(lines))
        if min(e["n_units"] for e in x["services"].values()) < 10:
            parts.append(t("region.impact_services_caveat", lang, units=x["n_units"]))
    return _p(*parts)


def _mode_table(F: dict, lang: str) -> str:
    """Delivery modes side by side: attendance, learning gain, impact, cost."""
    r, lr, imp, ch = F["reach"], F["learning"], F["impact"], F["challenges"]
    lbm = lr["by_mode"] if lr else pd.DataFrame(columns=["mode", "n", "estimate", "ci_low", "ci_high"])
    lbm = lbm.assign(estimate=lbm["estimate"].where(lbm["n"] >= _SMALL))
    m = r["by_mode"][["mode", "n", "attendance_rate"]].merge(
        lbm[["mode", "estimate", "ci_low", "ci_high"]].rename(
            columns={"estimate": "gain", "ci_low": "g_lo", "ci_high": "g_hi"}), on="mode", how="outer")
    m = m.merge(imp["by_mode"][["mode", "n_treated", "estimate", "ci_low", "ci_high"]], on="mode", how="left")
    ce = ch["cost_effectiveness"]
    ce_cols = [c for c in ("mode", "n_completed", "cost_per_completed", "cost_per_point") if c in ce.columns]
    m = m.merge(ce[ce_cols], on="mode", how="left")
    for c in ("n_completed", "cost_per_completed", "cost_per_point"):
        if c not in m.columns:
            m[c] = np.nan
    small_c = m["n_completed"].isna() | (m["n_completed"] < _SMALL)
    m.loc[small_c, ["cost_per_completed", "cost_per_point"]] = np.nan
    m = m.sort_values("mode", key=lambda c: c.map(_mode_rank)).reset_index(drop=True)
    m = suppress_small_cells(m, n_col=["n"], value_cols=["attendance_rate"])
    m["gain_txt"] = [format_ci(e, lo, hi, lang, 1) for e, lo, hi in zip(m["gain"], m["g_lo"], m["g_hi"])]
    m["impact_txt"] = [format_ci(e, lo, hi, lang, 1) if not pd.isna(e) else MISSING
                       for e, lo, hi in zip(m["estimate"], m["ci_low"], m["ci_high"])]
    return _table(m, [("mode", "region.col.mode", lambda v: _mode(v, lang)),
                      ("attendance_rate", "region.col.attendance_rate", lambda v: _pct(v, lang)),
                      ("gain_txt", "region.col.gain_ci", None),
                      ("impact_txt", "region.col.impact_ci", None),
                      ("cost_per_completed", "region.col.cost_per_completed", lambda v: format_amount(v, lang)),
                      ("cost_per_point", "region.col.cost_per_point", lambda v: format_amount(v, lang))], lang) \
        + _suppressed_note(m, lang)


def _cost_effective_text(F: dict, lang: str) -> str:
    """The most cost-effective mode with its ratio, naming numerator and denominator (as in the mode table)."""
    ch = F["challenges"]
    best = ch["most_cost_effective_mode"]
    if not best:
        return ""
    row = ch["cost_effectiveness"].set_index("mode").loc[best]
    return t("region.spot_cost_effective", lang, mode=_mode(best, lang),
             per_point=format_amount(row["cost_per_point"], lang),
             per_completed=format_amount(row["cost_per_completed"], lang))


def section_spotlight(F: dict, lang: str) -> str:
    """The region's focus (:func:`choose_spotlight`), told with its numbers."""
    kind, ch, r, imp, res = F["spotlight"], F["challenges"], F["reach"], F["impact"], F["results"]
    if kind is None:
        return ""
    bars = ch["ames"].set_index("term") if len(ch["ames"]) else pd.DataFrame()
    title = t(f"spotlight.{kind}.title", lang)
    if kind == "barrier" and ch["strongest_barrier"]:
        title = t("spotlight.barrier.title", lang) + ": " + barrier_label(ch["strongest_barrier"], lang)
    parts = [f"## {t('region.spotlight', lang)}: {title}"]

    def barrier_text(b: str) -> str:
        if b not in bars.index:
            return ""
        row = bars.loc[b]
        n_inv = r["n_invited"]
        n_with = int(row["n_citing"])
        return t("region.spot_barrier", lang, barrier=barrier_label(b, lang),
                 share=_share_or_count(row["share_citing"], n_inv, lang),
                 with_=_share_or_count(row["attend_with"], n_with, lang),
                 without=_share_or_count(row["attend_without"], n_inv - n_with, lang),
                 ame=_pp_ci(row["estimate"], (row["ci_low"], row["ci_high"]), lang))

    def theme_text(theme: str) -> str:
        if not ch["n_interviews"]:
            return ""
        sh = ch["themes"].set_index("theme")["share"].get(theme) if len(ch["themes"]) else None
        if sh is None or pd.isna(sh):
            return ""
        return t("region.spot_theme", lang, theme=t(f"theme.{theme}", lang),
                 share=_share_or_count(sh, ch["n_interviews"], lang), n=ch["n_interviews"])

    theme_of = {"barrier_time": "time_conflict", "barrier_relevance": "relevance",
                "barrier_motivation": "motivation", "barrier_experienced": "resistance"}
    sb = ch["strongest_barrier"]
    if kind == "budget":
        parts.append(t("spotlight.budget.numbers", lang, n_programmes=r["n_programmes"],
                       per_1000=_num(ch["programmes_per_1000"], lang, 1),
                       per_1000_ref=_num(ch["programmes_per_1000_reference"], lang, 1),
                       budget=format_amount(ch["budget_per_employee"], lang),
                       budget_ref=format_amount(ch["budget_per_employee_reference"], lang),
                       invited=_share_or_count(r["invited_share_of_staff"], r["n_staff"], lang)))
        if sb:
            parts += [barrier_text(sb), theme_text(theme_of[sb])]
        parts.append(theme_text("budget"))
    elif kind == "barrier":
        if sb:
            parts += [t("spotlight.barrier.numbers", lang, barrier=barrier_label(sb, lang)), barrier_text(sb),
                      theme_text(theme_of[sb])]
        perf = [y for y in ("report_quality", "on_time_share") if y in imp["performance"]]
        if perf:
            parts += [t("spotlight.barrier.results", lang),
                      "\n".join(f"- {_effect_sentence(imp['performance'][y], lang)}" for y in perf)]
    elif kind == "services":
        w = imp["services"].get("wait_minutes")
        if "trend" in res:
            parts.append(t("spotlight.services.numbers", lang, w0=_num(res.get("wait_first"), lang, 1),
                           w1=_num(res.get("wait_last"), lang, 1), y0=str(res.get("year_first", "")),
                           y1=str(res.get("year_last", ""))))
        if "ikm" in res and not _small(res.get("n_skm")):
            parts.append(t("spotlight.services.ikm", lang, ikm0=_num(res.get("ikm_first"), lang, 2),
                           ikm1=_num(res.get("ikm_last"), lang, 2),
                           mutu=t(f"ikm_mutu.{res['ikm_mutu']}", lang) if res.get("ikm_mutu") else MISSING))
        if w:
            parts.append(_effect_sentence(w, lang, better="lower"))
        if sb:
            parts += [barrier_text(sb), theme_text(theme_of[sb])]
        parts.append(theme_text("service_improvement"))
        tr = ch["themes_by_role"]
        cit = tr[(tr["role"] == "masyarakat") & (tr["theme"] == "service_improvement")] if len(tr) else tr
        if len(cit) and not pd.isna(cit["share"].iloc[0]) and not _small(cit["n"].iloc[0]):
            parts.append(t("spotlight.services.citizens", lang, n=int(cit["n"].iloc[0]),
                           share=_pct(cit["share"].iloc[0], lang)))
    else:  # modes, tenure, practice: delivery modes compared
        key = f"spotlight.{kind}.numbers"
        if kind == "practice" and _largest_gain_mode(F) != "simulasi":
            key = "spotlight.practice.numbers_neutral"  # named by the context, not shown by the data
        parts.append(t(key, lang))
        parts.append(f"**{t('region.table.modes', lang)}**\n\n" + _mode_table(F, lang))
        parts.append(_cost_effective_text(F, lang))
        if kind == "tenure":
            parts.append(barrier_text("barrier_experienced"))
            tb = imp["by_tenure"].set_index("band")
            if {"junior", "experienced"} <= set(tb.index):
                parts.append(t("region.spot_tenure", lang, years=EXPERIENCED_TENURE,
                               junior=_ci(tb.loc["junior", "estimate"],
                                          (tb.loc["junior", "ci_low"], tb.loc["junior", "ci_high"]), lang),
                               senior=_ci(tb.loc["experienced", "estimate"],
                                          (tb.loc["experienced", "ci_low"], tb.loc["experienced", "ci_high"]), lang)))
            parts.append(theme_text("resistance"))
        elif kind == "practice" and F["behaviour"] is not None and F["reaction"] is not None:
            selfm = F["behaviour"]["by_role"].set_index("role").loc["self"]
            if not _small(selfm["n"]) and not _small(ch["n_interviews"]):
                parts.append(t("spotlight.practice.confidence", lang, self_mean=_num(selfm["mean"], lang, 2),
                               agree=_share_or_count(F["reaction"]["agree_share"], F["reaction"]["n"], lang),
                               mentions=_share_or_count(ch["confidence_mentions"], ch["n_interviews"], lang),
                               n=ch["n_interviews"]))
            parts.append(barrier_text(sb) if sb else "")
    duk = imp.get("focus_unit")
    if duk:
        parts.append(t("spotlight.focus_unit", lang, unit=duk["unit_name"], before=_num(duk["before"], lang, 1),
                       after=_num(duk["after"], lang, 1)) + " " + _effect_sentence(duk, lang))
    return _p(*parts)


def section_challenges(F: dict, lang: str) -> str:
    """Tantangan: barriers ranked by their effect on attendance, budget, interview themes."""
    ch = F["challenges"]
    parts = [_h("section.challenges", lang)]
    if ch["strongest_barrier"]:
        parts.append(rank_sentence(dict(zip(ch["ames"]["term"], ch["ames"]["estimate"])), lang, measure="ame")
                     + " " + t("region.challenge_ci", lang, lo=_num(min(abs(v) for v in ch["strongest_ci"]) * 100,
                                                                   lang, 0),
                               hi=_num(max(abs(v) for v in ch["strongest_ci"]) * 100, lang, 0)))
    if len(ch["ames"]):
        tab = ch["ames"].rename(columns={"n_citing": "n"})
        tab = suppress_small_cells(tab[["term", "n", "share_citing", "estimate", "ci_low", "ci_high"]],
                                   value_cols=["share_citing"])
        tab["ame_txt"] = [format_ci(100 * e, 100 * lo, 100 * hi, lang, 1) for e, lo, hi in
                          zip(tab["estimate"], tab["ci_low"], tab["ci_high"])]
        th = (ch["themes"].set_index("theme")["share"] if len(ch["themes"]) and not _small(ch["n_interviews"])
              else pd.Series(dtype=float))
        theme_of = {"barrier_time": "time_conflict", "barrier_relevance": "relevance",
                    "barrier_motivation": "motivation", "barrier_experienced": "resistance"}
        tab["theme_share"] = [th.get(theme_of[b], np.nan) for b in tab["term"]]
        parts.append(f"**{t('region.table.barriers', lang)}**\n\n" + _table(
            tab, [("term", "region.col.barrier", lambda v: barrier_label(v, lang)),
                  ("share_citing", "region.col.share_citing", lambda v: _pct(v, lang)),
                  ("ame_txt", "region.col.ame", None),
                  ("theme_share", "region.col.theme_share", lambda v: _pct(v, lang))], lang)
            + _suppressed_note(tab, lang))
    if not ch["strongest_barrier"] and not len(ch["ames"]):
        parts.append(t("region.not_measured.barriers", lang))
    if ch["has_budget"]:
        parts.append(t("region.challenge_budget", lang, total=format_amount(ch["cost_total"], lang),
                       per_completed=format_amount(ch["cost_per_completed"], lang),
                       per_jp=format_amount(ch["cost_per_jp"], lang),
                       per_employee=format_amount(ch["budget_per_employee"], lang),
                       per_employee_ref=format_amount(ch["budget_per_employee_reference"], lang)))
        if not pd.isna(ch["budget_realisation"]):
            parts.append(describe_share("budget_realisation", ch["budget_realisation"], lang))
    elif pd.isna(ch["cost_total"]):
        parts.append(t("region.not_measured.costs", lang) + " " + _not_measured("budgets", lang))
    else:
        parts.append(t("region.challenge_cost_programmes", lang,
                       total=format_amount(ch["cost_total"], lang),
                       per_completed=format_amount(ch["cost_per_completed"], lang)) + " "
                     + _not_measured("budgets", lang))
    if ch.get("jp_rule"):
        parts.append(_jp_rule_text(ch["jp_rule"], lang))
    if not ch["n_interviews"]:
        parts.append(_not_measured("interviews", lang))
    elif _small(ch["n_interviews"]):
        parts.append(t("region.challenge_theme_small", lang, n=ch["n_interviews"]))
    elif ch["top_theme"]:
        parts.append(t("region.challenge_theme", lang, theme=t(f"theme.{ch['top_theme']}", lang),
                       share=_pct(ch["top_theme_share"], lang), n=ch["n_interviews"],
                       budget_share=_pct(ch["budget_theme_share"], lang)))
        if ch["quotes"]:
            parts.append(_quotes(ch["quotes"], F["context"].get("translations"), lang))
    return _p(*parts)


def _quotes(quotes: list[str], translations, lang: str) -> str:
    """Quotes as block quotes; in English, translated (original beside it) where the context file translates
    every sentence, else the original with a note that it is in Indonesian."""
    if lang == "id":
        return "\n\n".join(f"> «{q}»" for q in quotes)
    blocks, untranslated = [], False
    for q in quotes:
        en = translate_quote(q, translations)
        if en:
            blocks.append(f"> «{en}»\n>\n> *{t('region.quote_original', lang)}: «{q}»*")
        else:
            blocks.append(f"> «{q}»")
            untranslated = True
    return "\n\n".join(blocks) + ("\n\n" + t("region.quote_note", lang) if untranslated else "")


def _jp_rule_text(jr: dict, lang: str) -> str:
    """The 20 JP scenario: one sentence on the observed mix (or the one mode) and the table by mode."""
    tab = jr["table"]
    row = tab.iloc[-1]  # the observed mix when there are several modes
    parts = [t("region.jp_rule_all", lang, target=jr["target"], n_staff=format_number(jr["n_staff"], lang, 0),
               cost=format_amount(row["cost_all_rp"], lang), per_jp=format_amount(row["cost_per_jp"], lang))]
    if not pd.isna(row["jp_gap"]):
        parts.append(t("region.jp_rule_gap", lang, year=str(jr["jp_year"]),
                       jp=format_number(row["jp_gap"], lang, 0), cost=format_amount(row["cost_gap_rp"], lang)))
    if not pd.isna(jr["budget"]):
        parts.append(t("region.jp_rule_budget", lang, year=str(jr["budget_year"]),
                       budget=format_amount(jr["budget"], lang), times=format_number(row["times_budget_all"], lang, 1)))
    label = {"observed_mix": t("region.jp_rule_mix", lang)}
    cols = [("scenario", "region.col.jp_scenario", lambda v: label.get(v) or _mode(v, lang)),
            ("cost_per_jp", "region.col.cost_per_jp", lambda v: format_amount(v, lang)),
            ("cost_all_rp", "region.col.jp_cost_all", lambda v: format_amount(v, lang))]
    if tab["jp_gap"].notna().any():
        cols.append(("cost_gap_rp", "region.col.jp_cost_gap", lambda v: format_amount(v, lang)))
    if tab["times_budget_all"].notna().any():
        cols.append(("times_budget_all", "region.col.jp_times_budget", lambda v: format_number(v, lang, 1) + "×"))
    title = t("region.table.jp_rule", lang, target=jr["target"])
    return (" ".join(parts) + f"\n\n**{title}**\n\n" + _table(tab, cols, lang) + "\n\n"
            + t("region.jp_rule_note", lang))


def _findings_for_rules(F: dict) -> dict:
    return dict(F["findings"])


def section_recommendations(F: dict, lang: str) -> str:
    """Rekomendasi: the rules of :mod:`evalkit.report.recommend` that fire, in priority order."""
    from evalkit.report.recommend import REGION_RULES, action_plan, recommend

    rec = recommend(_findings_for_rules(F), lang, rules=REGION_RULES)
    lines = [f"{i}. {row.text} *({t('region.priority', lang, p=int(row.priority))})*"
             for i, row in enumerate(rec.itertuples(), start=1)]
    for n in ("reaction", "tests", "followup", "performance"):
        if not F["measured"][n]:
            lines.append(f"{len(lines) + 1}. " + t("region.rec_measure", lang, what=t(f"region.what.{n}", lang),
                                                   level=MEASUREMENT[n][0]))
    plan = ""
    if len(rec):
        acts = action_plan(rec, lang, F["context"].get("actions"))
        head = "| " + " | ".join(t(f"region.actions.col.{c}", lang) for c in ("no", "owner", "timeframe", "cost",
                                                                             "priority")) + " |"
        body = [f"| {i} | {a.owner} | {a.timeframe} | {a.cost} | {int(a.priority)} |"
                for i, a in enumerate(acts.itertuples(), start=1)]
        plan = _p(f"**{t('region.actions.title', lang)}**", "\n".join([head, "|---:|---|---|---|---:|", *body]),
                  f"*{t('region.actions.note', lang)}*")
    return _p(_h("section.recommendations", lang), t("region.rec_intro", lang),
              "\n".join(lines) if lines else t("region.rec_none", lang), plan)


def section_conclusion(F: dict, lang: str) -> str:
    """Kesimpulan: the impact (with the body's caveats), the weakest link and the main barrier."""
    imp_all = F["impact"]
    imp = imp_all["performance"].get("report_quality")
    ch = F["challenges"]
    wl = weakest_level(F["levels"])
    parts = [_h("section.conclusion", lang)]
    if imp:
        clear = not pd.isna(imp["ci_low"]) and imp["ci_low"] > 0
        b = _boot_of(F)
        robust = clear and (b is None or b["p_value"] < 0.05)
        key = ("region.conclusion_impact" if robust else
               "region.conclusion_impact_fragile" if clear else "region.conclusion_impact_unclear")
        text = t(key, lang, region=F["region"], g=imp_all["n_agencies"],
                 p=_p_text(b["p_value"], lang) if b else MISSING) + " " + _effect_sentence(imp, lang)
        if imp_all.get("pretrend_k"):
            text += " " + t("region.conclusion_pretrend", lang, k=imp_all["pretrend_k"], n=imp_all["pretrend_n"])
        parts.append(text)
    else:
        parts.append(t("region.conclusion_no_impact", lang))
    if wl:
        parts.append(t("region.conclusion_weakest", lang, level=t(f"level.{wl}", lang),
                       share=_level_share(F, wl, lang)))
    if ch["strongest_barrier"]:
        parts.append(t("region.conclusion_barrier", lang, barrier=barrier_label(ch["strongest_barrier"], lang)))
    remark = _ctx_text(F, "conclusion", lang)
    if remark:
        issuer = text_of(F["context"].get("issuer"), lang, F["region"])
        parts.append(t("region.conclusion_remark", lang, remark=remark) if not issuer else
                     t("region.conclusion_remark_by", lang, remark=remark, issuer=issuer))
    return _p(*parts)


def section_appendix(F: dict, lang: str) -> str:
    """Lampiran Metode: data, estimators, conventions, small-cell suppression."""
    c, imp = F["counts"], F["impact"]
    data = t("region.appendix.data", lang, n_staff=c["n_staff"], n_programmes=c["n_programmes"],
             n_invited=c["n_invited"], n_reaction=c["n_reaction"], n_tests=c["n_tests"], n_followup=c["n_followup"],
             n_performance=c["n_performance"], n_units=c["n_service_units"], n_skm=c["n_skm"],
             n_interviews=c["n_interviews"], n_budget=c["n_budget_rows"])
    used = {"l1": F["reaction"] is not None, "l2": F["learning"] is not None, "l3": F["behaviour"] is not None,
            "l4": bool(F["measured"]["services"] or F["measured"]["skm"]), "did": bool(imp["measured"]),
            "services": bool(imp["services"]), "barriers": bool(len(F["challenges"]["ames"])),
            "costs": not pd.isna(F["challenges"]["cost_total"]), "qual": bool(c["n_interviews"]), "levels": True}
    items = [t(f"region.appendix.{k}", lang) for k, on in used.items() if on]
    rq = imp["performance"].get("report_quality")
    if rq:
        tw = rq["twfe"]
        items.insert(5, t("region.appendix.inference", lang, g=imp["n_agencies"], few=FEW_CLUSTERS,
                          p_crv=_p_text(tw["p_value"], lang), p_boot=_p_text(tw.get("p_boot"), lang),
                          B=BOOTSTRAP_B, webb=WEBB_BELOW))
    conv = t("region.appendix.conventions", lang, jp_minutes=config.JP_MINUTES, jp_target=config.JP_TARGET_PER_YEAR,
             threshold=_SMALL)
    note_txt = (t("region.appendix.balanced", lang, n_used=imp.get("n_used", 0), n_people=imp["n_people"])
                if imp["measured"] else "")
    return _p(_h("section.methods_appendix", lang), f"**{t('region.appendix.data_title', lang)}** " + data,
              f"**{t('region.appendix.estimators_title', lang)}**", "\n".join(f"- {x}" for x in items),
              f"**{t('region.appendix.conventions_title', lang)}** " + conv,
              f"**{t('region.appendix.notes_title', lang)}** " + note_txt if note_txt else "",
              glossary(lang))


#: The report's glossary (Daftar Istilah): term as printed -> strings.json key of its meaning.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("ASN", "asn"), ("BKPSDM", "bkpsdm"), ("OPD", "opd"), ("JP", "jp"), ("SKP", "skp"), ("SKM / IKM", "skm_ikm"),
    ("NIP", "nip"), ("L1-L4", "l1_l4"), ("SK 95%", "sk_95"), ("Pagu / realisasi", "pagu_realisasi"),
    ("RKPD / KUA-PPAS", "rkpd_kua_ppas"), ("TAPD", "tapd"), ("Bappeda / BPKAD", "bappeda_bpkad"))


def glossary(lang: str) -> str:
    """Daftar Istilah: the Indonesian terms and abbreviations the report uses, explained (English pages gloss
    each Indonesian term in English)."""
    rows = "\n".join(f"| {term} | {t('glossary.term.' + key, lang)} |" for term, key in GLOSSARY)
    return (f"**{t('glossary.title', lang)}**\n\n| {t('glossary.col.term', lang)} | "
            f"{t('glossary.col.meaning', lang)} |\n|---|---|\n" + rows)


def _fmt_or_na(fmt: str, x) -> str:
    try:
        return "NA" if x is None or pd.isna(x) else format(x, fmt)
    except (TypeError, ValueError):
        return "NA"


def headline(F: dict) -> str:
    """Key numbers as plain rounded text (language-neutral; checked by the notebook tests)."""
    imp = F["impact"]["performance"].get("report_quality") or {}
    lr = F["learning"] or {}
    lines = [
        f"region: {F['region']}",
        f"attendance_rate: {_fmt_or_na('.3f', F['reach']['attendance_rate'])}",
        f"reaction_agree_share: {_fmt_or_na('.3f', (F['reaction'] or {}).get('agree_share'))}",
        f"learning_gain: {_fmt_or_na('.2f', lr.get('gain'))} [{_fmt_or_na('.2f', (lr.get('gain_ci') or (None,))[0])}, "
        f"{_fmt_or_na('.2f', (lr.get('gain_ci') or (None, None))[1])}]",
        f"self_minus_supervisor: {_fmt_or_na('.2f', (F['behaviour'] or {}).get('self_gap'))}",
        f"att_report_quality: {_fmt_or_na('.2f', imp.get('estimate'))} [{_fmt_or_na('.2f', imp.get('ci_low'))}, "
        f"{_fmt_or_na('.2f', imp.get('ci_high'))}]",
        f"strongest_barrier: {F['challenges']['strongest_barrier']} "
        f"({_fmt_or_na('.3f', F['challenges']['strongest_ame'])})",
        f"weakest_level: {F['findings']['weakest_level']}",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- tables
def published_tables(F: dict) -> dict[str, pd.DataFrame]:
    """The region's tables for ``reports/tables`` (person counts already through ``suppress_small_cells``)."""
    r, lr, ch, imp = F["reach"], F["learning"], F["challenges"], F["impact"]
    lbm = (lr["by_mode"] if lr else pd.DataFrame(columns=["mode", "n", "mean_pre", "mean_post", "estimate",
                                                          "ci_low", "ci_high"]))
    fun = (r["funnel"][["stage", "n", "share_of_invited", "ci_low_invited", "ci_high_invited"]].copy()
           if r.get("measured") else pd.DataFrame(columns=["stage"]))
    fun["stage"] = fun["stage"].astype(str)
    bar = ch["ames"][["term", "n_citing", "share_citing", "estimate", "ci_low", "ci_high"]].rename(
        columns={"n_citing": "n"})
    perf = pd.DataFrame([{"outcome": k, **{c: v[c] for c in ("estimate", "ci_low", "ci_high", "n")}}
                         for k, v in imp["performance"].items()]
                        + [{"outcome": k, **{c: v[c] for c in ("estimate", "ci_low", "ci_high", "n")}}
                           for k, v in imp["services"].items()])
    out = {}
    if r.get("measured"):
        by = "mode" if r["group_by"] == "mode" else "programme"
        out["funnel"] = suppress_small_cells(fun)
        out[f"attendance_by_{by}"] = suppress_small_cells(r["by_mode"].rename(columns={"mode": by}),
                                                          n_col=["n", "n_attended"])
        if len(r["reasons_absent"]):
            out["reasons_absent"] = suppress_small_cells(r["reasons_absent"], n_col=["n"])
    if lr:
        by = "mode" if lr["group_by"] == "mode" else "programme"
        out[f"learning_by_{by}"] = suppress_small_cells(
            lbm[["mode", "n", "mean_pre", "mean_post", "estimate", "ci_low", "ci_high"]].rename(columns={"mode": by}),
            value_cols=["mean_pre", "mean_post", "estimate", "ci_low", "ci_high"])
    if len(bar):
        out["barriers"] = suppress_small_cells(bar, value_cols=["share_citing"])
    if len(perf):
        out["impact"] = perf.rename(columns={"n": "n_obs"})
    if len(F["programmes"]):
        out["by_programme"] = programme_table(F).drop(columns=["programme_id"])
    if len(F["opd"]):
        out["by_opd"] = opd_table(F)
    if ch.get("jp_rule"):
        out["jp_rule_budget"] = ch["jp_rule"]["table"]
    if len(ch["cost_effectiveness"]) and {"n_treated", "n_completed"} <= set(ch["cost_effectiveness"].columns):
        out["cost_by_mode"] = suppress_small_cells(ch["cost_effectiveness"], n_col=["n_treated", "n_completed"])
    return out


# ------------------------------------------------------------------------------------------- figures
def figure_name(F: dict, lang: str, kind: str) -> str:
    """``region_<slug>_<lang>_<kind>`` (e.g. ``region_mamuju_id_funnel``)."""
    return f"region_{F['slug']}_{lang}_{kind}"


def _fig_funnel(F, lang):
    import matplotlib.pyplot as plt

    fun = F["reach"]["funnel"]
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    y = np.arange(len(fun))[::-1]
    share = fun["share_of_invited"].to_numpy(float) * 100
    err = np.clip(np.vstack([share - fun["ci_low_invited"].to_numpy(float) * 100,
                             fun["ci_high_invited"].to_numpy(float) * 100 - share]), 0, None)
    ax.barh(y, share, xerr=err, color="C0", capsize=2, error_kw={"linewidth": 0.8})
    ax.set_yticks(y, [t(f"region.stage.{s}", lang) for s in fun["stage"].astype(str)])
    for yi, s, e, n in zip(y, share, err[1], fun["n"]):
        ax.text(s + e + 1.5, yi, f"{format_number(s, lang, 0)}% ({format_number(int(n), lang, 0)})", va="center",
                fontsize=8)
    ax.set_xlim(0, 118)
    ax.set_xlabel(t("region.axis.share_listed" if F["reach"]["base"] == "listed" else "region.axis.share_invited",
                    lang))
    ax.set_title(t("region.title.funnel", lang, region=F["region"]))
    return fig


def _fig_reaction(F, lang, data):
    import matplotlib.pyplot as plt

    from evalkit.measures import diverging_likert_plot

    fig, ax = plt.subplots(figsize=(7, 3.4))
    items = [c for c in REACTION_ITEMS if c in data.columns]
    diverging_likert_plot(data, items, ax=ax, labels={k: t(f"likert.{k}", lang) for k in range(1, 6)},
                          item_labels={c: t(f"region.item.{c}", lang) for c in items})
    ax.set_xlabel(t("axis.likert_share", lang))
    ax.set_title(t("title.reaction", lang))
    return fig


def _fig_learning(F, lang):
    import matplotlib.pyplot as plt

    lm = F["learning"]["by_mode"]
    lm = lm[lm["n"] >= _SMALL].sort_values("estimate")
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(lm) + 1.5))
    y = np.arange(len(lm))
    ax.errorbar(lm["estimate"], y, xerr=[lm["estimate"] - lm["ci_low"], lm["ci_high"] - lm["estimate"]], fmt="o",
                color="C0", capsize=3)
    pooled = F["learning"]
    ax.axvline(pooled["gain"], color="0.5", linestyle="--", linewidth=0.8, label=t("region.legend.pooled", lang))
    ax.legend(loc="lower right", fontsize="small")
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, [f"{_mode(m, lang)} (n={n})" for m, n in zip(lm["mode"], lm["n"])])
    ax.set_xlabel(t("axis.learning_gain", lang))
    ax.set_title(t("title.pre_post", lang))
    return fig


def _fig_behaviour(F, lang):
    import matplotlib.pyplot as plt

    br = F["behaviour"]["by_role"].dropna(subset=["mean"])
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    y = np.arange(len(br))
    ax.errorbar(br["mean"], y, xerr=[br["mean"] - br["ci_low"], br["ci_high"] - br["mean"]], fmt="o", color="C2",
                capsize=3)
    ax.set_yticks(y, [f"{t(f'role.{r}', lang)} (n={n})" for r, n in zip(br["role"], br["n"])])
    ax.invert_yaxis()
    ax.set_xlabel(t("region.axis.application", lang))
    ax.set_title(t("title.followup_by_rater", lang))
    return fig


def _fig_services(F, lang):
    import matplotlib.pyplot as plt

    x = F["results"]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.0))
    tr = x["trend"]
    for ax, col in zip(axes, ("wait_minutes", "processing_days")):
        ax.plot(tr["month"], tr[col], color="C0", linewidth=1.2)
        ax.set_ylabel(t(f"axis.{col}", lang))
        ax.set_xlabel(t("axis.month", lang))
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.set_ylim(bottom=0)
    fig.suptitle(t("region.title.services", lang, region=F["region"]), fontweight="bold", fontsize="medium")
    return fig


def _fig_ikm(F, lang):
    import matplotlib.pyplot as plt

    x = F["results"]["ikm"]
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    from evalkit.measures import IKM_BANDS

    lowers = sorted((float(lo), g) for lo, g, _ in IKM_BANDS)  # PermenPANRB 14/2017 lower bounds per mutu
    bands = [(lo, lowers[i + 1][0] if i + 1 < len(lowers) else 100.0, g) for i, (lo, g) in enumerate(lowers)]
    lo = max(50, float(x["ikm"].min()) - 8)
    for a, b, g in bands:
        if b > lo:
            ax.axhspan(max(a, lo), b, color={"D": "#f4cccc", "C": "#fce5cd", "B": "#d9ead3", "A": "#cfe2f3"}[g],
                       alpha=0.6, linewidth=0)
            ax.text(len(x) - 0.55, (max(a, lo) + min(b, 100)) / 2, t("region.mutu_band", lang, mutu=g), fontsize=7,
                    va="center", color="0.35")
    ax.plot(np.arange(len(x)), x["ikm"], marker="o", color="C0")
    ax.set_xticks(np.arange(len(x)), [format_period(p, lang) for p in x["period"]], fontsize=7)
    ax.set_ylim(lo, 100)
    ax.set_xlim(-0.3, len(x) - 0.2)
    ax.set_xlabel(t("region.axis.semester", lang))
    ax.set_ylabel(t("axis.ikm", lang))
    ax.set_title(t("region.title.ikm", lang, region=F["region"]))
    return fig


def _fig_event_study(F, lang):
    import matplotlib.pyplot as plt

    es = F["impact"]["event_study"]
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    e = es["event_time"].to_numpy(float)
    ax.fill_between(e, es["ci_low"], es["ci_high"], color="C0", alpha=0.2, linewidth=0)
    ax.plot(e, es["estimate"], marker="o", color="C0", markersize=3)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.axvline(-0.5, color="0.5", linestyle="--", linewidth=0.8)
    ax.set_xlabel(t("axis.event_time", lang))
    ax.set_ylabel(t("region.axis.effect_report_quality", lang))
    ax.set_title(t("title.event_study", lang, outcome=t("outcome.report_quality", lang)))
    return fig


def _fig_barriers(F, lang):
    import matplotlib.pyplot as plt

    b = F["challenges"]["ames"]
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    y = np.arange(len(b))
    est = 100 * b["estimate"].to_numpy(float)
    ax.errorbar(est, y, xerr=[est - 100 * b["ci_low"].to_numpy(float), 100 * b["ci_high"].to_numpy(float) - est],
                fmt="o", color="C3", capsize=3)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, [barrier_label(x, lang) for x in b["term"]])
    ax.invert_yaxis()
    ax.set_xlabel(t("region.axis.ame", lang))
    ax.set_title(t("title.barrier_effects", lang))
    return fig


def _fig_modes(F, lang):
    import matplotlib.pyplot as plt

    lr = F["learning"]["by_mode"]
    lr = lr[lr["n"] >= _SMALL]
    ce = F["challenges"]["cost_effectiveness"]
    im = F["impact"]["by_mode"]
    modes = list(lr.sort_values("estimate", ascending=False)["mode"])
    fig, axes = plt.subplots(1, 3, figsize=(9, 0.45 * max(len(modes), 2) + 1.6), sharey=True)
    y = np.arange(len(modes))
    for ax, (df, col, lo, hi, xlabel, colour) in zip(axes, [
            (lr, "estimate", "ci_low", "ci_high", "axis.learning_gain", "C0"),
            (im, "estimate", "ci_low", "ci_high", "region.axis.effect_report_quality", "C2"),
            (ce, "cost_per_completed", None, None, "region.axis.cost_per_completed", "C1")]):
        d = df.set_index("mode").reindex(modes)
        v = d[col].to_numpy(float)
        if lo:
            ax.errorbar(v, y, xerr=[v - d[lo].to_numpy(float), d[hi].to_numpy(float) - v], fmt="o", color=colour,
                        capsize=3)
            ax.axvline(0, color="0.3", linewidth=0.8)
        else:
            ax.barh(y, v / 1e6, color=colour)
        ax.set_xlabel(t(xlabel, lang))
    axes[0].set_yticks(y, [_mode(m, lang) for m in modes])
    axes[0].invert_yaxis()
    fig.suptitle(t("region.title.modes", lang, region=F["region"]), fontweight="bold", fontsize="medium")
    return fig


def figure(F: dict, kind: str, lang: str, save: bool = True):
    """Draw one of the region's :data:`FIGURES` and save it with :func:`save_figure` as ``figure_name``.

    Returns the figure, or None when the region has no data for it (e.g. no service units, a single mode).
    """
    from evalkit.report.figures import save_figure

    if kind not in FIGURES:
        raise ValueError(f"unknown figure {kind!r}; expected one of {FIGURES}")
    if kind in ("services", "ikm") and ("trend" if kind == "services" else "ikm") not in F["results"]:
        return None
    if kind == "funnel" and not F["reach"].get("measured"):
        return None
    if (kind == "reaction" and F["reaction"] is None) or (kind in ("learning", "modes") and F["learning"] is None) \
            or (kind == "behaviour" and F["behaviour"] is None) \
            or (kind == "event_study" and not len(F["impact"].get("event_study", ()))) \
            or (kind == "barriers" and not len(F["challenges"]["ames"])):
        return None
    if kind == "modes" and F["learning"]["by_mode"]["n"].ge(_SMALL).sum() < 2:
        return None
    if kind == "reaction":
        fig = _fig_reaction(F, lang, F["reaction"]["answers"])
    else:
        fig = {"funnel": _fig_funnel, "learning": _fig_learning, "behaviour": _fig_behaviour,
               "services": _fig_services, "ikm": _fig_ikm, "event_study": _fig_event_study,
               "barriers": _fig_barriers, "modes": _fig_modes}[kind](F, lang)
    if save:
        save_figure(fig, figure_name(F, lang, kind))
    return fig
