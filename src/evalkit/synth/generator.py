"""Write the synthetic demo: messy field files per region in ``out_dir`` and the ground truth apart.

(One module on purpose, about 630 lines: the one pass that turns the simulated world into the demo's
field files; its order of writes and draws is what keeps the demo reproducible.)

See :func:`generate`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import config
from evalkit.ingest.spec import RAW_TABLES
from evalkit.ingest.spec import SKM_UNSUR as W_SKM_COLS
from evalkit.synth import messy as M
from evalkit.synth import names as N
from evalkit.synth import world as W
from evalkit.synth.interviews import THEME_LABELS
from evalkit.synth.interviews import hand_codes as make_hand_codes
from evalkit.synth.interviews import interviews as make_interviews

__all__ = ["generate", "FILE_PREFIX", "BIG_TABLES"]

#: File-name prefix used for each table (all listed in ``spec.RAW_TABLES[...].prefixes``).
FILE_PREFIX: dict[str, str] = {
    "employees": "pegawai", "programmes": "pelatihan", "enrolments": "peserta", "reaction": "survei_reaksi",
    "tests": "nilai_tes", "followup": "evaluasi_pasca", "performance": "kinerja", "services": "layanan",
    "skm": "skm", "budgets": "anggaran", "interviews": "wawancara", "interview_codes": "kode_manual",
}
#: Tables written from their own random stream after the others (so adding them left the other files unchanged).
_SIDE_TABLES = ("interview_codes",)
#: Tables always written as CSV (too big for XLSX).
BIG_TABLES = ("performance", "skm")
_TABLE_TITLE = {
    "employees": "PEGAWAI", "programmes": "PELATIHAN", "enrolments": "PESERTA PELATIHAN",
    "reaction": "SURVEI KEPUASAN PESERTA", "tests": "NILAI PRE-TEST DAN POST-TEST",
    "followup": "EVALUASI PASCA PELATIHAN", "services": "DATA LAYANAN", "budgets": "ANGGARAN PELATIHAN",
    "interviews": "CATATAN WAWANCARA",
}
_MODE_WORDS = {
    "Mamuju": {},
    "Batanghari": {"e-learning": "Daring"},
    "DKI Jakarta": {"klasikal": "Tatap Muka", "e-learning": "E-Learning"},
    "Bukittinggi": {"simulasi": "Simulasi/Praktik", "klasikal": "Klasikal"},
    "Ampenan": {"workshop": "Lokakarya", "blended": "Blended"},
}
_ROLE_WORDS = {
    "Mamuju": {"self": "Diri Sendiri", "supervisor": "Atasan Langsung", "peer": "Rekan Kerja"},
    "Batanghari": {"self": "Sendiri", "supervisor": "Atasan", "peer": "Rekan"},
    "DKI Jakarta": {"self": "Alumni", "supervisor": "Atasan Langsung", "peer": "Rekan Kerja"},
    "Bukittinggi": {"self": "diri sendiri", "supervisor": "atasan", "peer": "sejawat"},
    "Ampenan": {"self": "Diri Sendiri", "supervisor": "Atasan", "peer": "Rekan Kerja"},
}
_EDU_WORDS = {"Batanghari": {"SMA": "SLTA", "D3": "D-III", "S1": "S-1", "S2": "S-2", "S3": "S-3"},
              "Ampenan": {"SMA": "SMA/SMK", "D3": "D3", "S1": "S1", "S2": "S2", "S3": "S3"}}
_SHORT_RATING = {"Di Atas Ekspektasi": "Di Atas", "Sesuai Ekspektasi": "Sesuai", "Di Bawah Ekspektasi": "Di Bawah"}


# ------------------------------------------------------------------------------------------------ helpers

def _check_dirs(out_dir: Path, truth_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} exists and is not a folder")
    if out_dir.exists():
        other = sorted(p.name for p in out_dir.iterdir() if p.name != ".gitkeep")
        if other:
            shown = ", ".join(other[:5]) + (" ..." if len(other) > 5 else "")
            raise ValueError(f"{out_dir} already contains files ({shown}); synth writes only into an empty "
                             "folder so that real field files are never mixed with demo data or overwritten")
    o, t = out_dir.resolve(), truth_dir.resolve()
    if t == o or o in t.parents:
        raise ValueError(f"truth_dir {truth_dir} must not be inside out_dir {out_dir}: the ground truth is "
                         "kept apart from the field files")


def _headers(table: str, fields: list[str], profile: M.Profile) -> dict[str, str]:
    spec = RAW_TABLES[table]
    out, used = {}, set()
    for k, name in enumerate(fields):
        aliases = spec.field(name).aliases
        choice = {"first": aliases[0], "second": aliases[min(1, len(aliases) - 1)], "last": aliases[-1],
                  "rotate": aliases[k % len(aliases)]}[profile.alias]
        if choice in used:
            choice = next(a for a in aliases if a not in used)
        used.add(choice)
        out[name] = choice
    return out


def _order(table: str, region: str, fields: list[str], profile: M.Profile,
           rng: np.random.Generator) -> list[str]:
    if table == "skm":
        f = list(fields)
        if region in ("Mamuju", "Ampenan"):   # the ordering trap: Sarana before Pengaduan
            i, j = f.index("u8_pengaduan"), f.index("u9_sarana")
            f[i], f[j] = f[j], f[i]
        return f[::-1] if profile.order == "reverse" else f
    if profile.order == "reverse":
        return fields[::-1]
    if profile.order == "shuffle":
        return [fields[i] for i in rng.permutation(len(fields))]
    return list(fields)


class _Sheet:
    """A field file under construction: formatted cells plus hidden bookkeeping (bad rows, duplicates)."""

    def __init__(self, table: str, region: str, cells: pd.DataFrame, keys: pd.DataFrame | None = None):
        self.table, self.region = table, region
        self.cells = cells.reset_index(drop=True)
        self.keys = (keys.reset_index(drop=True) if keys is not None
                     else pd.DataFrame(index=self.cells.index))
        self.bad: dict[int, tuple[str, str, object]] = {}   # position -> (field, reason, value)
        self.n_dup = 0

    def corrupt(self, pos: int, field: str, value, reason: str) -> None:
        self.cells[field] = self.cells[field].astype(object)
        self.cells.iat[pos, self.cells.columns.get_loc(field)] = value
        self.bad[pos] = (field, reason, value)

    def add_row(self, template_pos: int, changes: dict, field: str, reason: str, at: int) -> None:
        row = self.cells.iloc[[template_pos]].copy()
        for k, v in changes.items():
            row[k] = row[k].astype(object)
            row.iloc[0, row.columns.get_loc(k)] = v
        key = pd.DataFrame({c: [None] for c in self.keys.columns}, dtype=object)
        self.cells = pd.concat([self.cells.iloc[:at], row, self.cells.iloc[at:]], ignore_index=True)
        self.keys = pd.concat([self.keys.iloc[:at], key, self.keys.iloc[at:]], ignore_index=True)
        self.bad = {(p + 1 if p >= at else p): v for p, v in self.bad.items()}
        self.bad[at] = (field, reason, changes[field])

    def duplicate(self, rng: np.random.Generator) -> None:
        n = len(self.cells)
        if n < 100:
            return
        k = max(1, int(round(0.002 * n)))
        ok = np.setdiff1d(np.arange(n), np.fromiter(self.bad, dtype=int))
        src = np.sort(rng.choice(ok, size=k, replace=False))
        pos = np.concatenate([np.arange(n, dtype=float),
                              np.minimum(src + rng.integers(1, 50, size=k), n - 1) + 0.5])
        order = np.argsort(pos, kind="stable")
        take = np.concatenate([np.arange(n), src])[order]
        new_of_old = {int(o): i for i, o in enumerate(order) if o < n}
        self.cells = self.cells.iloc[take].reset_index(drop=True)
        self.keys = self.keys.iloc[take].reset_index(drop=True)
        self.bad = {new_of_old[p]: v for p, v in self.bad.items()}
        self.n_dup = k


# ------------------------------------------------------------------------------------------------ renderers

def _render(w: W.World, notes: pd.DataFrame, table: str, region: str, prof: M.Profile,
            rng: np.random.Generator, xl_num: bool) -> _Sheet:
    emp = w.employees.set_index("_pid")
    nip_of = emp["nip"]

    def nips(pids):
        return M.fmt_nip(nip_of.loc[np.asarray(pids)].to_numpy(), prof, rng)

    def reg(n):
        return M.fmt_region(region, n, N.REGION_VARIANTS[region], prof, rng)

    def dec(x, d=1):
        return M.fmt_number(x, d, prof, as_number=xl_num)

    if table == "employees":
        e = w.employees.loc[w.employees["region"] == region].sort_values(["agency", "nip"], kind="stable")
        ptype = e["position_type"].to_numpy(dtype=object)
        if region in ("Mamuju", "Bukittinggi"):
            ptype = np.array([s.title() for s in ptype], dtype=object)
        edu = e["education"].map(_EDU_WORDS.get(region, {})).fillna(e["education"]) \
            if region in _EDU_WORDS else e["education"]
        cells = pd.DataFrame(dict(nip=nips(e["_pid"]), name=e["name"].to_numpy(), region=reg(len(e)),
                                  agency=e["agency"].to_numpy(), position_type=ptype,
                                  golongan=e["golongan"].to_numpy(), education=np.asarray(edu)))
        return _Sheet(table, region, cells, e[["_pid"]])
    if table == "programmes":
        p = w.programmes.loc[w.programmes["region"] == region]
        words = _MODE_WORDS[region]
        cells = pd.DataFrame(dict(
            programme_id=p["programme_id"].to_numpy(), title=p["title"].to_numpy(),
            topic=p["topic"].str.title().to_numpy(),
            mode=[words.get(m, m.title() if region != "Mamuju" else m) for m in p["mode"]],
            jp=M.fmt_number(p["jp"], 0, prof, as_number=xl_num),
            start_date=M.fmt_date(p["start_date"], prof, rng), end_date=M.fmt_date(p["end_date"], prof, rng),
            region=reg(len(p)), cost_rp=M.fmt_rupiah(p["cost_rp"], prof.rupiah if not xl_num else "number"),
            provider=p["provider"].to_numpy()))
        return _Sheet(table, region, cells, p[["programme_id"]])
    if table == "enrolments":
        en = w.enrolments.loc[w.enrolments["_pid"].map(emp["region"]) == region]
        cells = pd.DataFrame(dict(nip=nips(en["_pid"]), programme_id=en["programme_id"].to_numpy()))
        for f in ("invited", "registered", "attended", "completed"):
            cells[f] = M.fmt_yesno(en[f].to_numpy(), prof, rng, as_number=xl_num)
        cells["attendance_share"] = M.fmt_percent(en["attendance_share"], prof, as_number=xl_num)
        cells["reason_absent"] = en["reason_absent"].to_numpy()
        for f in W.BARRIERS:
            cells[f] = M.fmt_yesno(en[f].to_numpy(), prof, rng, as_number=xl_num)
        return _Sheet(table, region, cells, en[["_pid", "completed"]])
    if table == "reaction":
        r = w.reaction.loc[w.reaction["_pid"].map(emp["region"]) == region]
        cells = pd.DataFrame(dict(nip=nips(r["_pid"]), programme_id=r["programme_id"].to_numpy()))
        for f in ("material", "trainer", "relevance", "facilities", "overall"):
            cells[f] = M.fmt_likert(r[f].to_numpy(), prof, rng, as_number=xl_num)
        cells["comment"] = r["comment"].to_numpy()
        return _Sheet(table, region, cells, r[["_pid", "programme_id"]])
    if table == "tests":
        t = w.tests.loc[w.tests["_pid"].map(emp["region"]) == region]
        cells = pd.DataFrame(dict(nip=nips(t["_pid"]), programme_id=t["programme_id"].to_numpy(),
                                  pre_score=dec(t["pre_score"]), post_score=dec(t["post_score"])))
        return _Sheet(table, region, cells, t[["_pid", "programme_id"]])
    if table == "followup":
        f = w.followup.loc[w.followup["_pid"].map(emp["region"]) == region]
        cells = pd.DataFrame(dict(nip=nips(f["_pid"]), programme_id=f["programme_id"].to_numpy(),
                                  rater_role=f["rater_role"].map(_ROLE_WORDS[region]).to_numpy(),
                                  rating_date=M.fmt_date(f["rating_date"], prof, rng)))
        for k in ("apply_material", "work_quality", "share_knowledge", "service_initiative"):
            cells[k] = M.fmt_likert(f[k].to_numpy(), prof, rng, as_number=xl_num)
        return _Sheet(table, region, cells, f[["_pid", "programme_id", "rater_role"]])
    if table == "performance":
        p = w.performance.loc[w.performance["region"] == region]
        hk, pk, pr = p["hasil_kerja"].to_numpy(), p["perilaku"].to_numpy(), p["skp_predikat"].to_numpy()
        if region == "Batanghari":
            hk = pd.Series(hk).map(_SHORT_RATING).to_numpy()
            pk = pd.Series(pk).map(_SHORT_RATING).to_numpy()
        if region == "Ampenan":
            pr = np.where(pr == "Kurang/Misconduct", "Kurang", pr)
        cells = pd.DataFrame(dict(
            nip=nips(p["_pid"]), period=M.fmt_quarter(p["period"].to_numpy(), prof.quarter), hasil_kerja=hk,
            perilaku=pk, skp_predikat=pr, report_quality=M.fmt_number(p["report_quality"], 1, prof),
            on_time_share=M.fmt_percent(p["on_time_share"], prof), complaint_days=M.fmt_number(
                p["complaint_days"], 1, prof)))
        return _Sheet(table, region, cells, p[["_pid", "period"]])
    if table == "services":
        s = w.services.loc[w.services["region"] == region]
        months = pd.to_datetime(s["month"])
        month = ([d.to_pydatetime() for d in months] if xl_num else
                 M.fmt_month(months.dt.year.to_numpy(), months.dt.month.to_numpy(), prof.month))
        cells = pd.DataFrame(dict(
            unit=s["unit"].to_numpy(), region=reg(len(s)), month=month,
            volume=M.fmt_number(s["volume"], 0, prof, as_number=xl_num), wait_minutes=dec(s["wait_minutes"]),
            processing_days=dec(s["processing_days"]),
            complaints_received=M.fmt_number(s["complaints_received"], 0, prof, as_number=xl_num),
            complaints_resolved=M.fmt_number(s["complaints_resolved"], 0, prof, as_number=xl_num)))
        return _Sheet(table, region, cells, s[["region", "unit", "month"]])
    if table == "skm":
        s = w.skm.loc[w.skm["region"] == region]
        cells = pd.DataFrame(dict(respondent_id=s["respondent_id"].to_numpy(), unit=s["unit"].to_numpy(),
                                  region=reg(len(s)), period=M.fmt_semester(s["period"].to_numpy(), prof.semester)))
        for k, (col, _) in enumerate(W_SKM_COLS):
            cells[col] = M.fmt_skm4(s[f"u{k + 1}"].to_numpy(), prof, rng)
        return _Sheet(table, region, cells, s[["region", "unit", "period", "respondent_id"]])
    if table == "budgets":
        b = w.budgets.loc[w.budgets["region"] == region]
        style = "number" if xl_num else prof.rupiah
        cells = pd.DataFrame(dict(region=reg(len(b)),
                                  year=M.fmt_number(b["year"], 0, M.Profile("csv", "csv"), as_number=xl_num),
                                  programme_id=b["programme_id"].to_numpy(),
                                  allocated_rp=M.fmt_rupiah(b["allocated_rp"], style),
                                  realised_rp=M.fmt_rupiah(b["realised_rp"], style)))
        return _Sheet(table, region, cells, b[["programme_id"]])
    if table == "interviews":
        t = notes.loc[notes["region"] == region]
        cells = pd.DataFrame(dict(interview_id=t["interview_id"].to_numpy(), region=reg(len(t)),
                                  role=t["role_text"].to_numpy(),
                                  interview_date=M.fmt_date(t["interview_date"], prof, rng),
                                  text=t["text"].to_numpy()))
        return _Sheet(table, region, cells, t[["interview_id"]])
    raise KeyError(table)  # pragma: no cover


# ------------------------------------------------------------------------------------------------ planting

def _bad_nip(nip: str, how: str) -> str:
    if how == "month":
        return nip[:4] + "13" + nip[6:]
    if how == "sex":
        return nip[:14] + "3" + nip[15:]
    return nip[:-1]


class _NoRow(Exception):
    """No row is eligible for a planted problem (tiny demo); that plant is skipped."""


def _plant(sheets: dict, rng: np.random.Generator, xl_num: dict) -> None:
    """Plant the deliberate, listed problems: invalid NIPs, unknown regions, out-of-scale answers, text in
    numeric columns, impossible dates and negative costs.

    Problems that would change the simulated truth are planted in extra rows (fictitious employees and
    programmes nobody is enrolled in) or in rows whose loss does not move the truth (enrolments of
    non-completers); cells of the performance, test, follow-up and SKM tables that are corrupted are left
    out of the truth's sample statistics.
    """
    def pick(sh: _Sheet, mask=None) -> int:
        idx = np.arange(len(sh.cells)) if mask is None else np.flatnonzero(mask)
        idx = np.setdiff1d(idx, np.fromiter(sh.bad, dtype=int))
        if len(idx) == 0:
            raise _NoRow
        return int(rng.choice(idx))

    def raw_nip(sh, pos):
        return "".join(ch for ch in str(sh.cells.at[pos, "nip"]) if ch.isdigit())

    def bad_employee(region, how, reason):
        sh = sheets[("employees", region)]
        tp = pick(sh)
        sh.add_row(tp, {"nip": _bad_nip(raw_nip(sh, tp), how)}, "nip", reason, int(rng.integers(1, len(sh.cells))))

    def unknown_region(region, value):
        sh = sheets[("employees", region)]
        tp = pick(sh)
        nip = raw_nip(sh, tp)[:15] + f"{900 + int(rng.integers(0, 99)):03d}"
        sh.add_row(tp, {"region": value, "nip": nip}, "region", "region not in the list of regions",
                   int(rng.integers(1, len(sh.cells))))

    def enrol_nip():
        sh = sheets[("enrolments", "DKI Jakarta")]
        p = pick(sh, ~sh.keys["completed"].to_numpy(dtype=bool))
        sh.corrupt(p, "nip", _bad_nip(raw_nip(sh, p), "sex"), "invalid NIP: sex digit 3")

    def cell(table, region, fld, value, reason):
        sh = sheets[(table, region)]
        sh.corrupt(pick(sh), fld, value, reason)

    def extra_programme(region, changes, fld, reason):
        sh = sheets[("programmes", region)]
        tp = pick(sh)
        changes = dict(changes, programme_id=f"{N.REGION_CODE[region]}-2023-9{int(rng.integers(10, 99))}")
        sh.add_row(tp, changes, fld, reason, int(rng.integers(1, len(sh.cells))))

    likert = "Likert value out of scale (1-5)"
    text = "text where a number belongs"
    plants = [
        lambda: bad_employee("Mamuju", "month", "invalid NIP: month 13 in the birth date"),
        lambda: bad_employee("Batanghari", "sex", "invalid NIP: sex digit 3"),
        lambda: bad_employee("Ampenan", "length", "invalid NIP: 17 digits instead of 18"),
        lambda: unknown_region("Bukittinggi", "Kabupaten Agam Baru"),
        lambda: unknown_region("Mamuju", "Kab. Mamuju Tenggara"),
        enrol_nip,
        lambda: cell("reaction", "Batanghari", "material", "7", likert),
        lambda: cell("reaction", "DKI Jakarta", "overall", 7 if xl_num["DKI Jakarta"] else "7", likert),
        lambda: cell("followup", "Ampenan", "work_quality", "7", likert),
        lambda: cell("tests", "Bukittinggi", "post_score", "tidak ikut", text),
        lambda: extra_programme("Mamuju", {"start_date": "31 Pebruari 2023"}, "start_date",
                                "unparseable date (31 February)"),
        lambda: extra_programme("Ampenan", {"cost_rp": "Rp -12.500.000"}, "cost_rp", "negative cost"),
        lambda: cell("budgets", "Batanghari", "realised_rp", "Rp -4.750.000", "negative cost"),
        lambda: cell("performance", "DKI Jakarta", "report_quality", "tujuh puluh", text),
        lambda: cell("performance", "Batanghari", "complaint_days", "belum dinilai", text),
        lambda: cell("services", "Ampenan", "wait_minutes", "tiga puluh menit", text),
        lambda: cell("skm", "Mamuju", "u3_waktu", "5", "SKM answer out of scale (1-4)"),
        lambda: cell("interviews", "Bukittinggi", "interview_date", "Senin, 32 Desember 2024",
                     "unparseable date (day 32)"),
    ]
    for plant in plants:
        try:
            plant()
        except _NoRow:
            continue


# ------------------------------------------------------------------------------------------------ truth

def _round(x):
    if isinstance(x, dict):
        return {str(k): _round(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_round(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(float(x)) else round(float(x), 6)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def _att_block(cells: pd.DataFrame, y: str) -> dict:
    tau = f"_tau_{y}"
    c = cells
    e = c["_event_time"].astype(int)
    gt = c.groupby(["_gname", "period"], sort=True)[tau].agg(["mean", "size"])
    return dict(
        simple=float(c[tau].mean()),
        n_cells=int(len(c)),
        by_event_time={str(k): float(v) for k, v in c.groupby(e)[tau].mean().items()},
        by_group={str(k): float(v) for k, v in c.groupby("_gname")[tau].mean().items()},
        by_group_time={f"{g}|{t}": dict(att=float(r["mean"]), n=int(r["size"])) for (g, t), r in gt.iterrows()},
        by_mode={str(k): float(v) for k, v in c.groupby("_mode")[tau].mean().items()},
        by_region={str(k): float(v) for k, v in c.groupby("region")[tau].mean().items()},
    )


def _truth(w: W.World, notes_truth: list, excluded: dict, seed: int, n_employees: int,
           planted: list, dups: dict) -> tuple[dict, pd.DataFrame]:
    perf = w.performance
    ex = excluded.get("performance", set())
    if ex:
        keep = ~pd.MultiIndex.from_arrays([perf["_pid"], perf["period"]]).isin(list(ex))
        perf = perf.loc[keep]
    cells = perf.loc[perf["_event_time"].notna()]
    att = {y: _att_block(cells, y) for y in ("report_quality", "on_time_share")}
    tests = w.tests
    ext = excluded.get("tests", set())
    if ext:
        tests = tests.loc[~pd.MultiIndex.from_arrays([tests["_pid"], tests["programme_id"]]).isin(list(ext))]
    gain = (tests["post_score"] - tests["pre_score"]).groupby(tests["mode"]).mean()
    fu = w.followup
    fu = fu.assign(region=fu["_pid"].map(w.employees.set_index("_pid")["region"]),
                   score=fu[["apply_material", "work_quality", "share_knowledge", "service_initiative"]].mean(axis=1))
    ext = excluded.get("followup", set())
    if ext:
        fu = fu.loc[~pd.MultiIndex.from_arrays([fu["_pid"], fu["programme_id"], fu["rater_role"]]).isin(list(ext))]
    by_role = fu.groupby(["region", "rater_role"])["score"].mean().unstack()
    en = w.enrolments.assign(region=w.enrolments["_pid"].map(w.employees.set_index("_pid")["region"]))
    attend = {r: {b: {"with": float(g.loc[g[b], "attended"].mean()) if g[b].any() else None,
                      "without": float(g.loc[~g[b], "attended"].mean())} for b in W.BARRIERS}
              for r, g in en.groupby("region")}
    selection = {}
    for r, s in W.SELECTION.items():
        bcoef = {b: s["coef"][b] for b in W.BARRIERS}
        selection[r] = dict(intercept=s["intercept"], coefficients=s["coef"], prevalence=s["prevalence"],
                            strongest_barrier=min(bcoef, key=bcoef.get), invite_share=s["invite_share"],
                            waves=list(s["waves"]), mode_mix=s["modes"])
    skm = w.skm
    exs = excluded.get("skm", set())
    if exs:
        key = pd.MultiIndex.from_arrays([skm["region"], skm["unit"], skm["period"], skm["respondent_id"]])
        skm = skm.loc[~key.isin(list(exs))]
    ucols = [f"u{k}" for k in range(1, 10)]
    g = skm.groupby(["region", "unit", "period"], sort=True)
    means = g[ucols].mean()
    meta = g[["_population", "_km_min"]].first()
    n = g.size()
    skm_truth = []
    for key, row in means.iterrows():
        skm_truth.append(dict(region=key[0], unit=key[1], period=key[2], n=int(n[key]),
                              population=int(meta.loc[key, "_population"]), km_min=int(meta.loc[key, "_km_min"]),
                              below_km=bool(n[key] < meta.loc[key, "_km_min"]),
                              means={c: float(row[u]) for (c, _), u in zip(W_SKM_COLS, ucols)}))
    emp_n = w.employees.groupby("region").size()
    e = w.employees.assign(g=w.employees["_gname"].fillna("never"))
    tr = e["region"].map(W.REGION_TREND["report_quality"]).groupby(e["g"]).mean()
    trend_gap = {k: float(v - tr["never"]) for k, v in tr.items() if k != "never"}
    budget = w.budgets.groupby("region")[["allocated_rp", "realised_rp"]].sum()
    agencies = w.agencies.assign(wave=w.agencies["wave"].fillna("never"))
    truth = dict(
        seed=seed, n_employees=n_employees, quarters=list(W.QUARTERS), waves=list(W.WAVES),
        employees_per_region={k: int(v) for k, v in emp_n.items()},
        agency_waves=agencies[["region", "agency", "wave", "front_office"]].to_dict("records"),
        selection=dict(rule="P(attend) = logistic(intercept + sum_k coef_k * barrier_k + coef_motivation * "
                            "motivation), motivation ~ N(0,1) latent; barrier_time coefficient x "
                            f"{W.FLEXIBLE_MODES_TIME_FACTOR} in e-learning/blended programmes",
                       completion=W.COMPLETION, regions=selection, attendance_rate_by_barrier=attend),
        test_gain=dict(true_mean_by_mode=W.MODE_GAIN, sd=W.GAIN_SD,
                       sample_mean_by_mode={k: float(v) for k, v in gain.items()}),
        followup=dict(self_supervisor_gap=W.SELF_SUPERVISOR_GAP, peer_supervisor_gap=W.PEER_SUPERVISOR_GAP,
                      note="gaps on the latent scale; observed Likert means are rounded and clipped to 1-5",
                      sample_self_minus_supervisor={r: float(by_role.loc[r, "self"] - by_role.loc[r, "supervisor"])
                                                    for r in by_role.index},
                      sample_peer_minus_supervisor={r: float(by_role.loc[r, "peer"] - by_role.loc[r, "supervisor"])
                                                    for r in by_role.index}),
        effects=dict(parameters=W.EFFECT, region_trend_per_quarter=W.REGION_TREND,
                     pooled_trend_gap_vs_never_per_quarter=dict(
                         report_quality=trend_gap,
                         note="mean region trend of cohort g minus that of the never-treated (points per quarter): "
                              "the parallel-trends violation of a pooled never-treated comparison, tiny by design; "
                              "within a region parallel trends hold exactly"),
                     quarter_effect_report_quality=list(W.QUARTER_EFFECT_RQ),
                     motivation_on_report_quality_level=2.5,
                     note="ATTs are exact sample means of the recorded individual effects over treated post cells "
                          "(person x quarter, first completed training's end quarter = gname) that are written "
                          "and cleanable; see person_effects.parquet",
                     att=att),
        services=dict(slopes_by_region=W.SERVICE_SLOPES,
                      unit_extra=[dict(region=r, unit=u, **v) for (r, u), v in W.SERVICE_UNIT_EXTRA.items()],
                      definition="outcome change at trained_share = 1 (share of the unit's staff with a completed "
                                 "training by the end of the month), linear"),
        skm=dict(improvement_at_full_training=W.SKM_IMPROVEMENT, waktu_factor=1.5, unit_means=skm_truth),
        budgets=dict(per_employee={r: float(budget.loc[r, "realised_rp"] / emp_n[r]) for r in budget.index}),
        interviews=notes_truth,
        planted_bad_rows=planted, duplicates=dups,
        shocks=dict(w.params.get("shocks") or W.shock_parameters(),
                    note="mean-zero noise shared within clusters, not part of any effect: the ATTs above exclude "
                         "them. Person-level outcomes: cluster on the region-qualified agency (agency_id); "
                         "services: cluster on the unit (region / unit)"),
    )
    pe = cells[["_pid", "region", "_gname", "period", "_event_time", "_mode", "_tau_report_quality",
                "_tau_on_time_share"]].rename(columns=lambda c: c.lstrip("_")).rename(
        columns={"_pid": "id", "pid": "id"})
    pe["event_time"] = pe["event_time"].astype("int64")
    return truth, pe.reset_index(drop=True)


def _write_hand_codes(out_dir: Path, notes_truth: list, seed: int) -> dict[str, int]:
    """``kode_manual_<region>``: each region's hand coding of a sample of its interview notes.

    Drawn from a random stream of its own (``default_rng([seed, 6])``), so the other field files are the same
    as before this file type existed. Jakarta's consultants write the English theme labels, the other regions
    the Indonesian ones; yes/no, region spellings, headers and column order follow each region's habits.
    """
    hrng = np.random.default_rng([int(seed), 6])
    codes = make_hand_codes(notes_truth, hrng)
    files = {}
    for region in N.REGION_ORDER:
        prof = M.PROFILES[region]
        c = codes.loc[codes["region"] == region]
        lang = 1 if region == "DKI Jakarta" else 0
        cells = pd.DataFrame(dict(
            interview_id=c["interview_id"].to_numpy(),
            region=M.fmt_region(region, len(c), N.REGION_VARIANTS[region], prof, hrng),
            theme=[THEME_LABELS[t][lang] for t in c["theme"]],
            present=M.fmt_yesno(c["present"].to_numpy(), prof, hrng),
            coder=c["coder"].to_numpy()))
        fields = list(cells.columns)
        out = cells[_order("interview_codes", region, fields, prof, hrng)].rename(
            columns=_headers("interview_codes", fields, prof))
        fname = f"{FILE_PREFIX['interview_codes']}_{N.REGION_SLUG[region]}.{prof.small_format}"
        if prof.small_format == "xlsx":
            M.write_xlsx(out, out_dir / fname)
        else:
            M.write_csv(out, out_dir / fname, prof)
        files[fname] = int(len(out))
    return files


# ------------------------------------------------------------------------------------------------ main

def generate(out_dir, *, seed: int = config.DEFAULT_SEED, n_employees: int = 10_000, truth_dir=None,
             progress: bool = False) -> dict:
    """Write the five-region synthetic demo.

    Parameters
    ----------
    out_dir : str or Path
        Folder for the raw field files; created if absent, refused if it already holds files other than
        ``.gitkeep``.
    seed : int
        Seed of the single ``numpy.random.default_rng`` everything derives from; the same seed gives
        byte-identical files.
    n_employees : int
        Employees over the five regions (Jakarta 35 %, the others 15-17 % each).
    truth_dir : str or Path, optional
        Folder for ``truth.json`` and ``person_effects.parquet``; default ``Path(out_dir).parent / "truth"``.
        Must not lie inside ``out_dir``.
    progress : bool
        Print a line per step to stderr.

    Returns
    -------
    dict
        ``files`` (file name -> data rows), ``out_dir``, ``truth_dir``, ``seed``, ``n_employees``.

    Raises
    ------
    ValueError
        If ``out_dir`` is not empty, ``truth_dir`` lies inside it, or ``n_employees`` is too small.
    """
    import sys

    out_dir = Path(out_dir)
    truth_dir = Path(truth_dir) if truth_dir is not None else out_dir.parent / "truth"
    _check_dirs(out_dir, truth_dir)

    def say(msg):
        if progress:
            print(f"[synth] {msg}", file=sys.stderr, flush=True)

    rng = np.random.default_rng(seed)
    say(f"simulating {n_employees} employees (seed {seed})")
    w = W.simulate(rng, int(n_employees))
    notes, notes_truth = make_interviews(rng, w.employees)
    say("formatting field files")
    sheets: dict = {}
    xl_num = {r: (r == "DKI Jakarta") for r in N.REGION_ORDER}
    for table in (t for t in RAW_TABLES if t not in _SIDE_TABLES):
        for region in N.REGION_ORDER:
            prof = M.PROFILES[region]
            fmt = "csv" if table in BIG_TABLES else prof.small_format
            sheets[(table, region)] = _render(w, notes, table, region, prof, rng, xl_num[region] and fmt == "xlsx")
    _plant(sheets, rng, xl_num)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the demo's context (region stories, marked synthetic): beside the raw files, as an office would put its own
    (out_dir / "konteks.json").write_bytes(Path(__file__).with_name("demo_context.json").read_bytes())
    files, planted, dups, excluded = {}, [], {}, {}
    say(f"writing field files to {out_dir}")
    for (table, region), sh in sheets.items():
        prof = M.PROFILES[region]
        fmt = "csv" if table in BIG_TABLES else prof.small_format
        sh.duplicate(rng)
        fields = list(sh.cells.columns)
        order = _order(table, region, fields, prof, rng)
        heads = _headers(table, fields, prof)
        out = sh.cells[order].rename(columns=heads)
        fname = f"{FILE_PREFIX[table]}_{N.REGION_SLUG[region]}.{fmt}"
        titles: tuple[str, ...] = ()
        if fmt == "xlsx":
            if prof.title_rows >= 2:
                titles = (f"DATA {_TABLE_TITLE[table]} {N.TITLE_ROWS[region]}",
                          f"Sumber: BKPSDM {N.TITLE_ROWS[region].title()}")
            elif prof.title_rows == 1 and table in ("employees", "programmes", "budgets"):
                titles = (f"REKAP {_TABLE_TITLE[table]} {N.TITLE_ROWS[region]} TAHUN 2022-2024",)
            M.write_xlsx(out, out_dir / fname, titles)
        else:
            M.write_csv(out, out_dir / fname, prof)
        first_data_row = len(titles) + 2
        for pos, (fld, reason, value) in sorted(sh.bad.items()):
            planted.append(dict(file=fname, row=int(first_data_row + pos), column=heads[fld], field=fld,
                                reason=reason, value=value if not isinstance(value, np.generic) else value.item()))
            key = sh.keys.iloc[pos]
            if len(sh.keys.columns) and key.notna().all():
                excluded.setdefault(table, set()).add(tuple(key[c] for c in sh.keys.columns
                                                            if c != "completed"))
        if sh.n_dup:
            dups[fname] = sh.n_dup
        files[fname] = int(len(out))
    say("writing the hand-coded interview sample")
    files.update(_write_hand_codes(out_dir, notes_truth, seed))
    say("writing ground truth")
    truth, pe = _truth(w, notes_truth, excluded, seed, int(n_employees), planted, dups)
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / "truth.json").write_text(json.dumps(_round(truth), sort_keys=True, indent=1, ensure_ascii=False)
                                          + "\n", encoding="utf-8")
    pe.to_parquet(truth_dir / "person_effects.parquet", index=False)
    say("done")
    return dict(files=dict(sorted(files.items())), context="konteks.json",
                out_dir=str(out_dir), truth_dir=str(truth_dir), seed=seed,
                n_employees=int(n_employees))
