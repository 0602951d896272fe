"""The simulated world behind the demo: people, training waves, selection, L1-L4 outcomes, services, SKM.

(One module on purpose, about 620 lines: the demo's simulated world, whose draws must stay in one
order in one place for the seeded demo to stay byte for byte the same.)

``simulate(rng, n_employees)`` returns canonical (clean, numeric) tables plus the parameters that generated
them. ``generate`` then writes them out in each region's messy field format. Nothing here touches files.

Model in brief
--------------
* Each agency (OPD) gets a training wave (a quarter) or none; a share of its staff is invited.
* Attendance of invitees follows a region-specific logit in four stated barriers and the latent motivation
  (``SELECTION``); completion of attendees a logit in motivation.
* Performance (person x quarter) = person effect (incl. 2.5 x motivation) + quarter effect + small region
  trend + an agency x quarter shock shared by all staff of the agency (``AGENCY_QUARTER_SHOCK_SD``) + a
  dynamic, heterogeneous treatment effect from the quarter of the first completed training on.
* Service units' waiting and processing times fall linearly with the share of their staff trained; on top
  of independent monthly noise each unit carries a stationary AR(1) shock over the months
  (``SERVICE_UNIT_SHOCK``).
* Agencies are identified by (region, agency): same-named OPDs in different regions (every region has its
  own Dinas Kesehatan) are different agencies with their own waves, levels and shocks.
* The shocks have mean zero and are not part of any effect: ``_tau_*`` and the truth do not contain them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit.ingest.spec import MODES
from evalkit.synth import names as N

__all__ = [
    "QUARTERS", "WAVES", "SELECTION", "MODE_GAIN", "EFFECT", "SELF_SUPERVISOR_GAP", "SERVICE_SLOPES",
    "AGENCY_QUARTER_SHOCK_SD", "SERVICE_UNIT_SHOCK", "shock_parameters", "World", "simulate", "krejcie_morgan",
]

QUARTERS: tuple[str, ...] = tuple(f"{y}Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4))
WAVES: tuple[str, ...] = ("2022Q3", "2023Q1", "2023Q3", "2024Q1")
BARRIERS: tuple[str, ...] = ("barrier_time", "barrier_relevance", "barrier_motivation", "barrier_experienced")

#: Attendance logit per region: intercept, barrier coefficients, latent motivation; barrier prevalence;
#: invited share of a wave agency's staff; mode mix; region waves.
SELECTION: dict[str, dict] = {
    "Mamuju": dict(
        intercept=1.1, coef=dict(barrier_time=-0.6, barrier_relevance=-0.5, barrier_motivation=-2.0,
                                 barrier_experienced=-0.4, motivation=0.8),
        prevalence=dict(barrier_time=0.20, barrier_relevance=0.15, barrier_motivation=0.40,
                        barrier_experienced=0.10),
        invite_share=0.35, waves=("2023Q1", "2024Q1"),
        modes=dict(klasikal=0.6, **{"e-learning": 0.3}, seminar=0.1), class_size=50),
    "Batanghari": dict(
        intercept=1.2, coef=dict(barrier_time=-2.2, barrier_relevance=-0.5, barrier_motivation=-0.6,
                                 barrier_experienced=-0.4, motivation=0.8),
        prevalence=dict(barrier_time=0.45, barrier_relevance=0.15, barrier_motivation=0.15,
                        barrier_experienced=0.10),
        invite_share=0.70, waves=WAVES,
        modes=dict(klasikal=0.4, seminar=0.3, workshop=0.3), class_size=35),
    "DKI Jakarta": dict(
        intercept=1.3, coef=dict(barrier_time=-0.6, barrier_relevance=-0.5, barrier_motivation=-0.6,
                                 barrier_experienced=-2.0, motivation=0.8),
        prevalence=dict(barrier_time=0.20, barrier_relevance=0.12, barrier_motivation=0.12,
                        barrier_experienced=0.30),
        invite_share=0.60, waves=WAVES,
        modes=dict(klasikal=0.35, **{"e-learning": 0.35}, workshop=0.2, blended=0.1), class_size=40),
    "Bukittinggi": dict(
        intercept=0.5, coef=dict(barrier_time=-0.6, barrier_relevance=-0.5, barrier_motivation=-0.8,
                                 barrier_experienced=-0.4, motivation=0.8),
        prevalence=dict(barrier_time=0.20, barrier_relevance=0.15, barrier_motivation=0.25,
                        barrier_experienced=0.10),
        invite_share=0.70, waves=WAVES,
        modes=dict(simulasi=0.55, klasikal=0.25, workshop=0.2), class_size=30),
    "Ampenan": dict(
        intercept=1.2, coef=dict(barrier_time=-0.6, barrier_relevance=-2.0, barrier_motivation=-0.6,
                                 barrier_experienced=-0.4, motivation=0.8),
        prevalence=dict(barrier_time=0.20, barrier_relevance=0.40, barrier_motivation=0.15,
                        barrier_experienced=0.10),
        invite_share=0.70, waves=WAVES,
        modes=dict(klasikal=0.4, workshop=0.3, blended=0.3), class_size=30),
}
#: In e-learning and blended programmes the time-conflict barrier weighs half as much.
FLEXIBLE_MODES_TIME_FACTOR = 0.5
#: Completion of attendees: logit(intercept + slope * motivation).
COMPLETION = dict(intercept=1.8, motivation=0.5)

#: True mean L2 gain (post - pre, points) by delivery mode.
MODE_GAIN: dict[str, float] = {"klasikal": 10.0, "e-learning": 6.0, "workshop": 8.0, "seminar": 4.0,
                               "simulasi": 14.0, "blended": 9.0}
GAIN_SD = 6.0
if set(MODE_GAIN) != set(MODES):  # pragma: no cover - keeps the simulation in step with the contract
    raise RuntimeError("MODE_GAIN must cover exactly ingest.spec.MODES")
#: L3: self ratings exceed supervisor ratings by this much on the latent scale; peers by 0.05.
SELF_SUPERVISOR_GAP = 0.5
PEER_SUPERVISOR_GAP = 0.05

#: Dynamic, heterogeneous treatment effect after the first completed training.
EFFECT: dict = dict(
    report_quality=dict(by_event_time={"0": 2.0, "1": 3.0, "2": 4.0, "3": 5.0, "4+": 6.0}),
    on_time_share=dict(by_event_time={"0": 0.02, "1": 0.03, "2": 0.04, "3": 0.05, "4+": 0.06}),
    mode_multiplier={"simulasi": 1.5, "klasikal": 1.1, "blended": 1.0, "workshop": 0.9, "e-learning": 0.6,
                     "seminar": 0.5},
    jakarta_senior_multiplier=0.5, jakarta_senior_min_tenure=20,
    tenure_definition="2022 - appointment year (NIP digits 9-12)",
    individual_multiplier="exp(N(0, 0.15^2)), one draw per person",
    formula="tau_it = by_event_time[min(e, 4)] * mode_multiplier[mode of first completed training] * "
            "(jakarta_senior_multiplier if region == 'DKI Jakarta' and tenure >= 20 else 1) * individual",
)
#: Small linear region trends (per quarter), common to treated and untreated staff of the region.
REGION_TREND = {"report_quality": {"Mamuju": 0.06, "Batanghari": 0.0, "DKI Jakarta": 0.04,
                                   "Bukittinggi": -0.04, "Ampenan": 0.05},
                "on_time_share": {"Mamuju": 0.0005, "Batanghari": 0.0, "DKI Jakarta": 0.0005,
                                  "Bukittinggi": -0.0005, "Ampenan": 0.0005}}
QUARTER_EFFECT_RQ = (0.0, 0.5, 1.0, 0.3, 1.2, 1.5, 1.8, 1.4, 2.2, 2.5, 2.9, 2.6)
QUARTER_EFFECT_OT = (0.0, 0.004, 0.008, 0.002, 0.01, 0.012, 0.015, 0.011, 0.018, 0.02, 0.024, 0.021)

#: Service outcomes: change when 100% of a unit's staff has completed a training (linear in the share).
SERVICE_SLOPES: dict[str, dict[str, float]] = {
    "Mamuju": {"wait_minutes": -10.0, "processing_days": -0.8},
    "Batanghari": {"wait_minutes": -8.0, "processing_days": -0.8},
    "DKI Jakarta": {"wait_minutes": -12.0, "processing_days": -1.5},
    "Bukittinggi": {"wait_minutes": -10.0, "processing_days": -0.8},
    "Ampenan": {"wait_minutes": -30.0, "processing_days": -1.0},
}
#: Extra slope for particular units on top of their region's.
SERVICE_UNIT_EXTRA: dict[tuple[str, str], dict[str, float]] = {
    ("DKI Jakarta", N.DUKCAPIL): {"processing_days": -4.0},
}
#: Agency x quarter shocks of the person-level performance outcomes: one N(0, sd^2) draw per (region, agency,
#: quarter), added to every staff member of the agency in that quarter (complaint_days: on the log scale).
#: Staff of an agency are trained together, so these shocks do not average out within a cohort: person-level
#: standard errors are too small and inference must cluster on the agency (``datasets`` column ``agency_id``).
#: Sizes: 0.25-0.43 of the person x quarter noise SD (3.5, 0.04, 0.2) and a quarter to a third of the mean
#: effects, so the demo's effects stay clearly recoverable with agency-clustered intervals.
AGENCY_QUARTER_SHOCK_SD: dict[str, float] = {"report_quality": 1.5, "on_time_share": 0.015, "complaint_days": 0.05}
#: Service outcomes: each unit's stationary AR(1) shock over its months,
#: ``u_1 ~ N(0, sd^2)``, ``u_m = rho * u_{m-1} + sqrt(1 - rho^2) * sd * z_m``, on top of the independent monthly
#: noise (SD 2.0 minutes and 0.3 days). The services table has one row per unit and month, so a "unit x month"
#: shock is this serially correlated unit-level error: standard errors must cluster on the unit (all its months),
#: not treat unit-months as independent.
SERVICE_UNIT_SHOCK: dict[str, dict[str, float]] = {"wait_minutes": dict(rho=0.7, sd=1.5),
                                                    "processing_days": dict(rho=0.7, sd=0.2)}
#: SKM: every unsur's latent score rises by this much at 100% trained staff (waktu by 1.5 times as much).
SKM_IMPROVEMENT = 0.5

_MODE_JP = {"klasikal": (24, 40), "e-learning": (12, 24), "workshop": (16, 24), "seminar": (4, 8),
            "simulasi": (24, 40), "blended": (30, 45)}
_MODE_COST_PER_HEAD = {"klasikal": 2_500_000, "e-learning": 600_000, "workshop": 3_000_000,
                       "seminar": 900_000, "simulasi": 3_500_000, "blended": 1_800_000}
_PRICE = {"Mamuju": 0.9, "Batanghari": 0.9, "DKI Jakarta": 1.3, "Bukittinggi": 1.0, "Ampenan": 0.95}
_GOL = ("II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b", "IV/c", "IV/d", "IV/e")
_EDU = ("SMA", "D3", "S1", "S2", "S3")
_EDU_START = np.array([0, 2, 4, 5, 6])
_EDU_CAP = np.array([7, 7, 9, 10, 12])


def shock_parameters() -> dict:
    """The mean-zero shocks of the world as plain data (recorded in the truth and ``World.params``)."""
    return dict(
        agency_quarter_sd={k: float(v) for k, v in AGENCY_QUARTER_SHOCK_SD.items()},
        agency_quarter_note="one N(0, sd^2) draw per (region, agency, quarter), shared by all staff of the agency "
                            "in that quarter (complaint_days: on the log scale); mean zero, not part of the effect; "
                            "cluster person-level inference on the region-qualified agency (agency_id)",
        service_unit_ar1={k: dict(v) for k, v in SERVICE_UNIT_SHOCK.items()},
        service_unit_note="per service unit a stationary AR(1) over its months with the given rho and marginal sd, "
                          "on top of independent monthly noise (wait_minutes 2.0, processing_days 0.3); mean zero, "
                          "not part of the effect; cluster on the unit (region / unit)",
    )


def _ar1(rng: np.random.Generator, n: int, rho: float, sd: float) -> np.ndarray:
    """A stationary AR(1) path of length ``n`` with marginal SD ``sd``."""
    z = rng.standard_normal(n)
    u = np.empty(n)
    u[0] = sd * z[0]
    k = np.sqrt(1.0 - rho * rho) * sd
    for m in range(1, n):
        u[m] = rho * u[m - 1] + k * z[m]
    return u


def krejcie_morgan(population: float, chi2: float = 3.841, p: float = 0.5, d: float = 0.05) -> int:
    """Krejcie-Morgan minimum sample for a population (DOMAIN.md section 1), rounded to the nearest integer."""
    n = float(population)
    return int(round(chi2 * n * p * (1 - p) / (d * d * (n - 1) + chi2 * p * (1 - p)))) if n > 1 else int(n)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _quarter_start(label: str) -> dt.date:
    return dt.date(int(label[:4]), 3 * (int(label[-1]) - 1) + 1, 1)


@dataclass
class World:
    """Canonical tables of the simulated world and the parameters that made them.

    Tables use the canonical column names of ``ingest.spec`` plus hidden columns prefixed ``_`` (latent
    motivation, internal ids, true effects) that are never written to field files.
    """

    employees: pd.DataFrame
    agencies: pd.DataFrame
    programmes: pd.DataFrame
    enrolments: pd.DataFrame
    reaction: pd.DataFrame
    tests: pd.DataFrame
    followup: pd.DataFrame
    performance: pd.DataFrame
    services: pd.DataFrame
    skm: pd.DataFrame
    budgets: pd.DataFrame
    params: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------ people

def _employees(rng: np.random.Generator, n_employees: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = {r: int(round(n_employees * N.REGION_SHARE[r])) for r in N.REGION_ORDER}
    counts[N.REGION_ORDER[-1]] += n_employees - sum(counts.values())
    frames, agency_rows = [], []
    for region in N.REGION_ORDER:
        n = counts[region]
        ag = N.AGENCIES[region]
        w = np.array([s for _, s in ag])
        idx = rng.choice(len(ag), size=n, p=w / w.sum())
        # waves: front office and back office separately, each with at least one never-treated agency
        waves = {}
        sel = SELECTION[region]
        pool = list(sel["waves"]) + ([None, None] if region == "Mamuju" else [None])
        for group in (list(N.FRONT_OFFICE[region]), [a for a, _ in ag if a not in N.FRONT_OFFICE[region]]):
            order = rng.permutation(len(group))
            for k, j in enumerate(order):
                waves[group[j]] = None if k == 0 else pool[(k - 1) % len(pool)]
        for a, _ in ag:
            agency_rows.append(dict(region=region, agency=a, wave=waves[a], front_office=a in N.FRONT_OFFICE[region]))
        female = rng.random(n) < 0.5
        age = np.clip(np.round(rng.triangular(22, 38, 58, size=n)), 22, 58).astype(int)
        birth_year = 2022 - age
        birth_month = rng.integers(1, 13, size=n)
        birth_day = rng.integers(1, 29, size=n)
        appt_age = 20 + np.floor(rng.gamma(2.0, 2.5, size=n)).astype(int)
        appt_year = np.minimum(birth_year + appt_age, 2021)
        appt_year = np.maximum(appt_year, birth_year + 18)
        appt_month = rng.choice([1, 3, 4, 10, 12], size=n, p=[0.3, 0.35, 0.1, 0.1, 0.15])
        tenure = 2022 - appt_year
        u = rng.random(n)
        old = age > 45
        edu = np.where(u < np.where(old, 0.25, 0.10), 0,
              np.where(u < np.where(old, 0.40, 0.22), 1,
              np.where(u < 0.78, 2, np.where(u < 0.97, 3, 4))))
        gol = np.minimum(_EDU_START[edu] + tenure // 4, _EDU_CAP[edu])
        u2 = rng.random(n)
        ptype = np.where((gol >= 7) & (u2 < 0.3), "struktural",
                np.where((edu >= 2) & (u2 > 0.55), "fungsional", "pelaksana"))
        motivation = rng.standard_normal(n)
        # names
        rm, rf = N.REGIONAL_FIRST[region]
        male_pool = np.array(N.FIRST_MALE + rm * 3, dtype=object)
        fem_pool = np.array(N.FIRST_FEMALE + rf * 3, dtype=object)
        first = np.where(female, fem_pool[rng.integers(0, len(fem_pool), n)],
                         male_pool[rng.integers(0, len(male_pool), n)])
        middle_u = rng.random(n)
        middle = np.where(female, fem_pool[rng.integers(0, len(fem_pool), n)],
                          male_pool[rng.integers(0, len(male_pool), n)])
        last = np.array(N.LAST_NAMES, dtype=object)[rng.integers(0, len(N.LAST_NAMES), n)]
        plain = np.where(middle_u < 0.3, first + " " + middle + " " + last, first + " " + last)
        tb = rng.random(n)
        back = np.array(N.TITLES_BACK, dtype=object)[rng.integers(0, len(N.TITLES_BACK), n)]
        shown = np.where((edu >= 2) & (tb < 0.35), plain + ", " + back, plain)
        frames.append(pd.DataFrame(dict(
            region=region, agency=np.array([a for a, _ in ag], dtype=object)[idx], female=female,
            birth=[f"{y:04d}{m:02d}{d:02d}" for y, m, d in zip(birth_year, birth_month, birth_day)],
            birth_year=birth_year, appt=[f"{y:04d}{m:02d}" for y, m in zip(appt_year, appt_month)],
            appointment_year=appt_year, tenure=tenure, education=np.array(_EDU)[edu],
            golongan=np.array(_GOL)[gol], position_type=ptype, _motivation=motivation,
            plain_name=plain, name=shown)))
    emp = pd.concat(frames, ignore_index=True)
    emp.insert(0, "_pid", np.arange(len(emp), dtype=np.int64))
    prefix = emp["birth"] + emp["appt"] + np.where(emp["female"], "2", "1")
    serial = prefix.groupby(prefix, sort=False).cumcount() + 1
    emp["nip"] = prefix + serial.map("{:03d}".format)
    return emp, pd.DataFrame(agency_rows)


# ------------------------------------------------------------------------------------------------ training

def _programmes_and_enrolments(rng, emp, agencies):
    wave_of = {(r, a): w for r, a, w in agencies[["region", "agency", "wave"]].itertuples(index=False)}
    emp_wave = np.array([wave_of[(r, a)] for r, a in zip(emp["region"], emp["agency"])], dtype=object)
    progs, enrol = [], []
    pcount = {}
    for region in N.REGION_ORDER:
        sel = SELECTION[region]
        modes = list(sel["modes"])
        mw = np.array(list(sel["modes"].values()))
        for wave in WAVES:
            staff = np.flatnonzero((emp["region"].to_numpy() == region) & (emp_wave == wave))
            if len(staff) == 0:
                continue
            inv = staff[rng.random(len(staff)) < sel["invite_share"]]
            if len(inv) == 0:
                continue
            n_prog = max(1, int(round(len(inv) / sel["class_size"])))
            q0 = _quarter_start(wave)
            pids = []
            for _ in range(n_prog):
                year = q0.year
                pcount[(region, year)] = pcount.get((region, year), 0) + 1
                pid = f"{N.REGION_CODE[region]}-{year}-{pcount[(region, year)]:03d}"
                mode = modes[rng.choice(len(modes), p=mw / mw.sum())]
                topic = list(N.TOPICS)[rng.integers(0, len(N.TOPICS))]
                stems = N.TOPICS[topic]
                lo, hi = _MODE_JP[mode]
                jp = int(rng.integers(lo // 2, hi // 2 + 1) * 2)
                start = q0 + dt.timedelta(days=int(rng.integers(7, 50)))
                while start.weekday() >= 5:
                    start += dt.timedelta(days=1)
                days = max(1, int(np.ceil(jp / 8)))
                end = start + dt.timedelta(days=days - 1 + 2 * ((days - 1) // 5))
                provider = N.PROVIDERS[region][rng.integers(0, len(N.PROVIDERS[region]))]
                progs.append(dict(programme_id=pid, region=region, wave=wave, topic=topic, mode=mode, jp=jp,
                                  start_date=start, end_date=end, provider=provider,
                                  stem=stems[rng.integers(0, len(stems))]))
                pids.append(pid)
            assign = rng.integers(0, n_prog, size=len(inv))
            enrol.append(pd.DataFrame({"_pid": emp["_pid"].to_numpy()[inv],
                                       "programme_id": np.array(pids, dtype=object)[assign]}))
    prog = pd.DataFrame(progs)
    en = pd.concat(enrol, ignore_index=True).sort_values("_pid", kind="stable").reset_index(drop=True)
    en = en.merge(prog[["programme_id", "mode", "end_date"]], on="programme_id", how="left")
    e = emp.set_index("_pid").loc[en["_pid"]]
    region = e["region"].to_numpy()
    mot = e["_motivation"].to_numpy()
    tenure = e["tenure"].to_numpy()
    n = len(en)
    b = {}
    for k in BARRIERS:
        prev = np.array([SELECTION[r]["prevalence"][k] for r in region])
        logit = np.log(prev / (1 - prev))
        if k == "barrier_motivation":
            logit = logit - 1.0 * mot
        if k == "barrier_experienced":
            logit = logit + 0.10 * (tenure - 15)
        b[k] = rng.random(n) < _logistic(logit)
    eta = np.array([SELECTION[r]["intercept"] for r in region]) + \
        np.array([SELECTION[r]["coef"]["motivation"] for r in region]) * mot
    flex = en["mode"].isin(["e-learning", "blended"]).to_numpy()
    for k in BARRIERS:
        c = np.array([SELECTION[r]["coef"][k] for r in region])
        if k == "barrier_time":
            c = np.where(flex, c * FLEXIBLE_MODES_TIME_FACTOR, c)
        eta = eta + c * b[k]
    attended = rng.random(n) < _logistic(eta)
    completed = attended & (rng.random(n) < _logistic(COMPLETION["intercept"] + COMPLETION["motivation"] * mot))
    registered = attended | (rng.random(n) < 0.5)
    share = np.where(completed, np.where(rng.random(n) < 0.4, 1.0, np.round(rng.uniform(0.85, 1.0, n), 2)),
                     np.where(attended, np.round(rng.uniform(0.3, 0.8, n), 2), 0.0))
    generic = np.array(["Sakit", "Dinas luar", "Cuti", "Tidak ada keterangan", "Ada keperluan keluarga"], dtype=object)
    reason = generic[rng.integers(0, len(generic), n)]
    reason = np.where(b["barrier_experienced"], "Merasa sudah menguasai materi", reason)
    reason = np.where(b["barrier_motivation"], "Tidak berminat", reason)
    reason = np.where(b["barrier_relevance"], "Materi tidak sesuai tugas", reason)
    reason = np.where(b["barrier_time"], "Bentrok dengan tugas kantor", reason)
    reason = np.where(attended, "", reason)
    en = en.assign(invited=True, registered=registered, attended=attended, completed=completed,
                   attendance_share=share, reason_absent=reason, **b)
    prog["n_invited"] = prog["programme_id"].map(en["programme_id"].value_counts()).fillna(0).astype(int)
    per_head = prog["mode"].map(_MODE_COST_PER_HEAD) * prog["region"].map(_PRICE)
    cost = (per_head * prog["n_invited"] * 0.8 + 15_000_000) * rng.uniform(0.9, 1.1, len(prog))
    prog["cost_rp"] = (np.round(cost / 1000) * 1000).astype(np.int64)
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
             "XVI", "XVII", "XVIII", "XIX", "XX")
    k = prog.groupby(["region", "stem", "wave"], sort=False).cumcount()
    prog["title"] = [f"{s} Angkatan {roman[min(i, 19)]} Tahun {d.year}"
                     for s, i, d in zip(prog["stem"], k, prog["start_date"])]
    return prog, en


# ------------------------------------------------------------------------------------------------ L1-L3

def _reaction(rng, en, emp):
    att = en.loc[en["attended"]].reset_index(drop=True)
    att = att.loc[rng.random(len(att)) < 0.9].reset_index(drop=True)
    region = emp.set_index("_pid").loc[att["_pid"], "region"].to_numpy()
    n = len(att)
    mode_shift = att["mode"].map({"simulasi": 0.35, "workshop": 0.25, "blended": 0.1, "klasikal": 0.0,
                                  "e-learning": -0.2, "seminar": -0.1}).to_numpy()
    region_shift = np.where(region == "Bukittinggi", 0.3, 0.0)
    f = rng.normal(0, 0.6, n)
    out = {}
    for item, shift in (("material", 0.0), ("trainer", 0.1), ("relevance", -0.1), ("facilities", -0.15),
                        ("overall", 0.0)):
        extra = np.zeros(n)
        if item == "relevance":
            extra = np.where(region == "Ampenan", -0.5, 0.0)
        if item == "facilities":
            extra = np.where(region == "Mamuju", -0.3, 0.0)
        x = 3.7 + shift + extra + mode_shift + region_shift + f + rng.normal(0, 0.6, n)
        out[item] = np.clip(np.round(x), 1, 5).astype(int)
    comments = np.array(["", "", "", "", "", "Materi sangat bermanfaat", "Waktu pelatihan terlalu singkat",
                         "Perlu praktik lebih banyak", "Fasilitas ruangan kurang nyaman", "Narasumber kompeten",
                         "Mohon pelatihan lanjutan", "Jadwal bentrok dengan pekerjaan"], dtype=object)
    return att[["_pid", "programme_id", "mode"]].assign(**out, comment=comments[rng.integers(0, len(comments), n)])


def _tests(rng, en):
    c = en.loc[en["completed"], ["_pid", "programme_id", "mode"]].reset_index(drop=True)
    n = len(c)
    pre = np.clip(np.round(rng.normal(55, 12, n), 1), 0, 100)
    gain = c["mode"].map(MODE_GAIN).to_numpy() + rng.normal(0, GAIN_SD, n)
    post = np.clip(np.round(pre + gain, 1), 0, 100)
    return c.assign(pre_score=pre, post_score=post)


def _followup(rng, en, emp):
    c = en.loc[en["completed"], ["_pid", "programme_id", "mode", "end_date"]].reset_index(drop=True)
    n = len(c)
    mot = emp.set_index("_pid").loc[c["_pid"], "_motivation"].to_numpy()
    mode_app = c["mode"].map({"simulasi": 0.3, "workshop": 0.15, "klasikal": 0.1, "blended": 0.1,
                              "e-learning": -0.1, "seminar": -0.2}).to_numpy()
    a = 3.1 + 0.25 * mot + mode_app + rng.normal(0, 0.5, n)
    days = rng.integers(90, 181, n)
    frames = []
    for role, gap, resp in (("self", SELF_SUPERVISOR_GAP, 0.95), ("supervisor", 0.0, 0.90),
                            ("peer", PEER_SUPERVISOR_GAP, 0.75)):
        r = a + gap + rng.normal(0, 0.4, n)
        items = {k: np.clip(np.round(r + rng.normal(0, 0.4, n)), 1, 5).astype(int)
                 for k in ("apply_material", "work_quality", "share_knowledge", "service_initiative")}
        lag = days + rng.integers(0, 8, n)
        f = c[["_pid", "programme_id", "mode"]].assign(
            rater_role=role, rating_date=[d + dt.timedelta(days=int(x)) for d, x in zip(c["end_date"], lag)],
            _latent=r, **items)
        frames.append(f.loc[rng.random(n) < resp])
    return pd.concat(frames, ignore_index=True).sort_values(["_pid", "programme_id"], kind="stable") \
        .reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ L4 panel

def _first_completed(en):
    c = en.loc[en["completed"], ["_pid", "programme_id", "mode", "end_date"]]
    c = c.sort_values(["_pid", "end_date", "programme_id"], kind="stable").drop_duplicates("_pid")
    q = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in c["end_date"]]
    return c.assign(gname=q).set_index("_pid")


def _event_profile(spec: dict) -> np.ndarray:
    """``{"0": a, "1": b, ..., "K+": z}`` -> array indexed by min(event time, K)."""
    keys = sorted(spec, key=lambda k: int(k.rstrip("+")))
    return np.array([spec[k] for k in keys], dtype=float)


def _performance(rng, emp, first):
    n, T = len(emp), len(QUARTERS)
    region = emp["region"].to_numpy()
    mot = emp["_motivation"].to_numpy()
    reg_level = pd.Series(region).map({"Mamuju": -3.0, "Batanghari": -1.5, "DKI Jakarta": 3.0,
                                       "Bukittinggi": 0.5, "Ampenan": -1.0}).to_numpy()
    ag_codes, ag_idx = np.unique(emp["region"] + "|" + emp["agency"], return_inverse=True)
    ag_level = rng.normal(0, 2.0, len(ag_codes))[ag_idx]
    p_rq = 2.5 * mot + rng.normal(0, 4.0, n) + reg_level + ag_level
    p_ot = 0.035 * mot + rng.normal(0, 0.05, n)
    p_cd = -0.1 * mot + rng.normal(0, 0.3, n)
    indiv = np.exp(rng.normal(0, 0.15, n))
    g = first.reindex(emp["_pid"])
    gq = g["gname"].to_numpy(dtype=object)
    gidx = np.array([QUARTERS.index(x) if isinstance(x, str) and x in QUARTERS else -1 for x in gq])
    mode = g["mode"].to_numpy(dtype=object)
    mult = np.array([EFFECT["mode_multiplier"].get(m, 0.0) if isinstance(m, str) else 0.0 for m in mode])
    senior = (region == "DKI Jakarta") & (emp["tenure"].to_numpy() >= EFFECT["jakarta_senior_min_tenure"])
    mult = mult * np.where(senior, EFFECT["jakarta_senior_multiplier"], 1.0) * indiv
    t = np.tile(np.arange(T), n)
    i = np.repeat(np.arange(n), T)
    e = np.where(gidx[i] >= 0, t - gidx[i], -99)
    post = e >= 0
    b_rq = _event_profile(EFFECT["report_quality"]["by_event_time"])
    b_ot = _event_profile(EFFECT["on_time_share"]["by_event_time"])
    ec = np.clip(e, 0, len(b_rq) - 1)
    tau_rq = np.where(post, b_rq[ec] * mult[i], 0.0)
    tau_ot = np.where(post, b_ot[ec] * mult[i], 0.0)
    tr_rq = pd.Series(region).map(REGION_TREND["report_quality"]).to_numpy()[i] * t
    tr_ot = pd.Series(region).map(REGION_TREND["on_time_share"]).to_numpy()[i] * t
    m = n * T
    # agency x quarter shocks: one draw per (region|agency, quarter), shared by the agency's staff
    n_ag = len(ag_codes)
    sh_rq = rng.normal(0, AGENCY_QUARTER_SHOCK_SD["report_quality"], (n_ag, T))[ag_idx[i], t]
    sh_ot = rng.normal(0, AGENCY_QUARTER_SHOCK_SD["on_time_share"], (n_ag, T))[ag_idx[i], t]
    sh_cd = rng.normal(0, AGENCY_QUARTER_SHOCK_SD["complaint_days"], (n_ag, T))[ag_idx[i], t]
    rq = 68 + p_rq[i] + np.asarray(QUARTER_EFFECT_RQ)[t] + tr_rq + sh_rq + tau_rq + rng.normal(0, 3.5, m)
    ot = 0.72 + p_ot[i] + np.asarray(QUARTER_EFFECT_OT)[t] + tr_ot + sh_ot + tau_ot + rng.normal(0, 0.04, m)
    cd = np.exp(np.log(6.0) + p_cd[i] + sh_cd + rng.normal(0, 0.2, m)) * np.where(post, 0.92, 1.0)
    rq = np.clip(np.round(rq, 1), 0, 100)
    ot = np.clip(np.round(ot, 3), 0.05, 1.0)
    cd = np.clip(np.round(cd, 1), 0.1, 365)
    zh = (rq - 70) / 8 + rng.normal(0, 0.5, m)
    hk = np.where(zh > 1.0, 0, np.where(zh < -1.2, 2, 1))
    zp = 0.6 * mot[i] + rng.normal(0, 0.8, m)
    pk = np.where(zp > 1.1, 0, np.where(zp < -1.5, 2, 1))
    lv = np.array(["Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi"], dtype=object)
    matrix = np.array([["Sangat Baik", "Baik", "Kurang/Misconduct"],
                       ["Baik", "Baik", "Kurang/Misconduct"],
                       ["Butuh Perbaikan", "Butuh Perbaikan", "Sangat Kurang"]], dtype=object)
    perf = pd.DataFrame(dict(
        _pid=emp["_pid"].to_numpy()[i], region=region[i], period=np.asarray(QUARTERS, dtype=object)[t],
        hasil_kerja=lv[hk], perilaku=lv[pk], skp_predikat=matrix[hk, pk], report_quality=rq,
        on_time_share=ot, complaint_days=cd, _gname=gq[i], _event_time=np.where(post, e, np.nan),
        _mode=mode[i], _tau_report_quality=tau_rq, _tau_on_time_share=tau_ot))
    keep = rng.random(m) >= 0.003
    return perf.loc[keep].reset_index(drop=True)


def _services(rng, emp, first, agencies):
    rows = []
    months = pd.period_range("2022-01", "2024-12", freq="M")
    month_end = np.array([p.end_time.date() for p in months])
    fd = first["end_date"]
    for region in N.REGION_ORDER:
        scale = {"DKI Jakarta": 3.0, "Ampenan": 0.3}.get(region, 1.0)
        for unit in N.FRONT_OFFICE[region]:
            staff = emp.loc[(emp["region"] == region) & (emp["agency"] == unit), "_pid"]
            dates = np.sort(np.array([d for d in fd.reindex(staff).dropna()], dtype=object)) if len(staff) else []
            trained = np.searchsorted(np.array(dates, dtype="datetime64[D]"),
                                      np.array(month_end, dtype="datetime64[D]"), side="right")
            share = trained / len(staff) if len(staff) else np.zeros(len(months))
            base_vol = rng.uniform(300, 1500) * scale * (3.0 if unit == N.DUKCAPIL else 1.0)
            season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(len(months)) / 12 + rng.uniform(0, 6.28))
            vol = rng.poisson(base_vol * season)
            slope_w = SERVICE_SLOPES[region]["wait_minutes"] + SERVICE_UNIT_EXTRA.get((region, unit), {}).get(
                "wait_minutes", 0.0)
            slope_p = SERVICE_SLOPES[region]["processing_days"] + SERVICE_UNIT_EXTRA.get((region, unit), {}).get(
                "processing_days", 0.0)
            base_w = rng.uniform(45, 70) if region == "Ampenan" else rng.uniform(25, 60)
            base_p = 7.0 if unit == N.DUKCAPIL else rng.uniform(1.5, 5.0)
            sw, sp = SERVICE_UNIT_SHOCK["wait_minutes"], SERVICE_UNIT_SHOCK["processing_days"]
            u_w = _ar1(rng, len(months), sw["rho"], sw["sd"])
            u_p = _ar1(rng, len(months), sp["rho"], sp["sd"])
            wait = np.clip(np.round(base_w + slope_w * share + u_w + rng.normal(0, 2.0, len(months)), 1), 1, None)
            proc = np.clip(np.round(base_p + slope_p * share + u_p + rng.normal(0, 0.3, len(months)), 1), 0.1,
                           None)
            rec = rng.poisson(vol * 0.01 * (1 - 0.3 * share))
            res = rng.binomial(rec, 0.7 + 0.2 * share)
            rows.append(pd.DataFrame(dict(
                unit=unit, region=region, month=[p.to_timestamp().date() for p in months], volume=vol,
                wait_minutes=wait, processing_days=proc, complaints_received=rec, complaints_resolved=res,
                _trained_share=share, _staff=len(staff))))
    return pd.concat(rows, ignore_index=True)


_UNSUR_OFFSET = np.array([0.0, -0.05, -0.2, 0.4, 0.0, 0.05, 0.1, -0.15, -0.1])


def _skm(rng, services):
    frames = []
    s = services.assign(sem=[f"{d.year}S{1 if d.month <= 6 else 2}" for d in services["month"]])
    for (region, unit), g in s.groupby(["region", "unit"], sort=False):
        mu_u = rng.uniform(2.6, 3.1)
        rid = 0
        for sem, h in g.groupby("sem", sort=True):
            pop = int(h["volume"].sum())
            km = krejcie_morgan(pop)
            below = rng.random() < 0.2
            n = max(10, int(round(km * (rng.uniform(0.5, 0.9) if below else rng.uniform(1.0, 1.15)))))
            share = float(h["_trained_share"].iloc[-1])
            imp = SKM_IMPROVEMENT * share * np.where(np.arange(9) == 2, 1.5, 1.0)
            lat = mu_u + _UNSUR_OFFSET + imp + rng.normal(0, 0.35, (n, 1)) + rng.normal(0, 0.5, (n, 9))
            ans = np.clip(np.round(lat), 1, 4).astype(int)
            ids = np.arange(rid + 1, rid + n + 1)
            rid += n
            df = pd.DataFrame(ans, columns=[f"u{k}" for k in range(1, 10)])
            df.insert(0, "period", sem)
            df.insert(0, "region", region)
            df.insert(0, "unit", unit)
            df.insert(0, "respondent_id", [f"R{sem[2:4]}{sem[-1]}-{x:04d}" for x in ids])
            df["_population"] = pop
            df["_km_min"] = km
            frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _budgets(rng, prog):
    alloc = prog["cost_rp"].to_numpy() * rng.uniform(1.0, 1.25, len(prog))
    alloc = np.round(alloc / 100_000) * 100_000
    real = prog["cost_rp"].to_numpy().astype(float)
    over = rng.random(len(prog)) < 0.05
    real = np.where(over, np.round(alloc * 1.04 / 1000) * 1000, real)
    return pd.DataFrame(dict(region=prog["region"], year=[d.year for d in prog["start_date"]],
                             programme_id=prog["programme_id"], allocated_rp=alloc.astype(np.int64),
                             realised_rp=real.astype(np.int64)))


def simulate(rng: np.random.Generator, n_employees: int) -> World:
    """Simulate the five-region world.

    Parameters
    ----------
    rng : numpy.random.Generator
        The single source of randomness; the result is a pure function of its state.
    n_employees : int
        Total number of employees over the five regions.

    Returns
    -------
    World
    """
    if n_employees < 200:
        raise ValueError(f"n_employees must be at least 200 (got {n_employees}) so every region has staff")
    emp, agencies = _employees(rng, n_employees)
    prog, en = _programmes_and_enrolments(rng, emp, agencies)
    reaction = _reaction(rng, en, emp)
    tests = _tests(rng, en)
    followup = _followup(rng, en, emp)
    first = _first_completed(en)
    perf = _performance(rng, emp, first)
    services = _services(rng, emp, first, agencies)
    skm = _skm(rng, services)
    budgets = _budgets(rng, prog)
    emp = emp.merge(first[["gname", "mode"]].rename(columns={"gname": "_gname", "mode": "_first_mode"}),
                    left_on="_pid", right_index=True, how="left")
    return World(employees=emp, agencies=agencies, programmes=prog, enrolments=en, reaction=reaction,
                 tests=tests, followup=followup, performance=perf, services=services, skm=skm, budgets=budgets,
                 params=dict(shocks=shock_parameters()))
