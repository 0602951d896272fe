"""Coverage study: do the 95% intervals of evalkit's estimators cover the true effect of the synthetic world?

Not part of ``make test``. Each replication simulates a smaller five-region world in memory
(``evalkit.synth.world.simulate``, default 4,000 employees, seed ``[seed, rep]``), builds the analysis panels with
``evalkit.datasets`` exactly as the notebooks do, and records whether each interval covers its true estimand.
The world has agency x quarter shocks on the performance outcomes and an AR(1) unit shock on the services
outcomes (``world.AGENCY_QUARTER_SHOCK_SD``, ``world.SERVICE_UNIT_SHOCK``), so intervals that treat persons (or
unit-months) as independent should cover less often than 95 %, and intervals clustered on the region-qualified
agency (``agency_id``) or unit (``unit_id``) close to 95 %.

True estimands (from the generator's own effects, never from an estimator on noisy data)
----------------------------------------------------------------------------------------
* ``cs``: Callaway-Sant'Anna simple ATT of ``report_quality`` = mean of the recorded individual effects
  ``_tau_report_quality`` over the treated post-training person-quarters of the balanced panel (the CS "simple"
  aggregation weights every such cell equally).
* ``twfe``: the TWFE DiD coefficient is linear in the outcome; its estimand is the same regression run on the
  true individual effects (``tau`` as the outcome): the TWFE-weighted average of the effects, which differs from
  the ATT when effects grow with time since training.
* ``ipw``: one row per person, outcome = mean 2024 report_quality minus mean 2022Q1-Q2 (before any training),
  treated = first training completed by 2023Q4 (people first trained in 2024 are left out), propensity on
  region and tenure; estimand = mean over the treated of their mean 2024 effect.
* ``dose_twfe``: pooled ``dose_twfe`` slope of ``wait_minutes`` on the trained share; estimand = the same
  regression on the true component ``slope(region) x trained_share`` (``world.SERVICE_SLOPES``). The slopes
  differ between regions, so the unit-clustered interval also carries that heterogeneity (it targets a
  population of units, not this sample's weighted slope) and over-covers.
* ``dose_twfe_by_region``: one slope per region (as ``evalkit.cost.service_effects``); each true slope is
  ``world.SERVICE_SLOPES[region]["wait_minutes"]``, the same for every unit of the region (3-7 units per
  region, so each slope rests on few clusters).

A small known bias remains in ``cs``/``twfe``/``ipw``: the region trends (``world.REGION_TREND``) differ
slightly between cohorts and the never-treated (``truth.json`` ``pooled_trend_gap_vs_never_per_quarter``);
the mean error over replications is printed so it can be compared with the standard error.

Usage::

    python benchmarks/coverage.py --reps 200 --seed 20261122 [--n-employees 2000] [--jobs 2] [--json out.json]

Prints a JSON object and a readable table; coverage with the exact binomial (Clopper-Pearson) 95% bounds.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from evalkit import datasets
from evalkit.impact import ImpactResult, did, ipw_att, staggered_att
from evalkit.impact.services import dose_twfe
from evalkit.synth import world as W

#: Region whose agencies form the few-cluster design (12 agencies).
FEW_REGION = "DKI Jakarta"
#: Include the wild cluster bootstrap (slow-ish); switched off by --no-wild.
WILD = True


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact binomial confidence bounds for k successes out of n."""
    lo = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def world_tables(w: W.World) -> dict[str, pd.DataFrame]:
    """The simulated world's tables in the canonical shape ``evalkit.datasets`` builders take (no files)."""
    emp = w.employees.rename(columns={"_pid": "person_id"})
    emp = emp.assign(sex=np.where(emp["female"], "P", "L"))
    perf = w.performance.drop(columns="region").rename(columns={"_pid": "person_id"})
    en = w.enrolments.rename(columns={"_pid": "person_id"})
    return dict(employees=emp, performance=perf, enrolments=en, programmes=w.programmes, services=w.services)


def build(seed: int, rep: int, n_employees: int):
    """Panels of one replication: balanced person x quarter panel (with ``tau``) and the service panel."""
    w = W.simulate(np.random.default_rng([int(seed), int(rep)]), int(n_employees))
    t = world_tables(w)
    panel = datasets.performance_panel(t["performance"], t["employees"], t["enrolments"], t["programmes"])
    panel = panel.rename(columns={"_tau_report_quality": "tau"})
    T = panel["t"].max()
    full = panel.groupby("person_id")["t"].transform("size") == T
    panel = panel.loc[full].reset_index(drop=True)
    sp = datasets.service_panel(t["services"], t["employees"], t["enrolments"], t["programmes"])
    sp["m"] = pd.factorize(pd.to_datetime(sp["month"]), sort=True)[0] + 1
    sp["row_id"] = np.arange(len(sp))
    sp["y_true"] = sp["region"].map({r: v["wait_minutes"] for r, v in W.SERVICE_SLOPES.items()}) * sp["trained_share"]
    return panel, sp


def _ci(res: ImpactResult, term: str | None = None) -> tuple[float, float, float, float]:
    tab = res.tidy()
    row = tab.iloc[0] if term is None else tab.loc[tab["term"] == term].iloc[0]
    return float(row["estimate"]), float(row["std_error"]), float(row["ci_low"]), float(row["ci_high"])


def _wild(res: ImpactResult, seed: int):
    """Wild cluster bootstrap interval of ``res`` (``ImpactResult.wild_bootstrap``), or None if unavailable."""
    fn = getattr(res, "wild_bootstrap", None)
    if fn is None:
        return None
    try:
        tab = fn(B=999, seed=seed)
    except Exception:  # the estimator did not attach its design (yet)
        return None
    row = tab.iloc[0]
    return float(row["ci_low"]), float(row["ci_high"])


def one_rep(seed: int, rep: int, n_employees: int) -> list[dict]:
    """Every estimator's (estimate, SE, interval, truth) in one replication."""
    panel, sp = build(seed, rep, n_employees)
    out = []

    def add(name, cluster, truth, est, se, lo, hi, n_clusters=None):
        out.append(dict(rep=rep, estimator=name, cluster=cluster, truth=float(truth), estimate=est, std_error=se,
                        ci_low=lo, ci_high=hi, covered=bool(lo <= truth <= hi), n_clusters=n_clusters))

    post = panel.loc[(panel["gname"] > 1) & (panel["t"] >= panel["gname"])]
    att = float(post["tau"].mean())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cl, label in (("agency_id", "agency (region / agency)"), (None, "person")):
            r = staggered_att(panel, "report_quality", "person_id", "t", "gname", cluster=cl)
            add("cs", label, att, *_ci(r), n_clusters=r.n_clusters)
        # TWFE: estimand = the same regression on the true effects
        tw_truth = _ci(did(panel, "tau", "person_id", "t", "treated_post"))[0]
        for cl, label in (("agency_id", "agency (region / agency)"), ("person_id", "person")):
            r = did(panel, "report_quality", "person_id", "t", "treated_post", cluster=cl)
            add("twfe", label, tw_truth, *_ci(r), n_clusters=r.n_clusters)
        # few clusters: one region's agencies
        few = panel.loc[panel["region"] == FEW_REGION].reset_index(drop=True)
        fpost = few.loc[(few["gname"] > 1) & (few["t"] >= few["gname"])]
        fatt = float(fpost["tau"].mean())
        r = staggered_att(few, "report_quality", "person_id", "t", "gname", cluster="agency_id")
        add("cs_one_region", "agency (region / agency)", fatt, *_ci(r), n_clusters=r.n_clusters)
        ftw = _ci(did(few, "tau", "person_id", "t", "treated_post"))[0]
        r = did(few, "report_quality", "person_id", "t", "treated_post", cluster="agency_id")
        add("twfe_one_region", "agency (region / agency)", ftw, *_ci(r), n_clusters=r.n_clusters)
        wb = _wild(r, seed=rep) if WILD else None
        if wb is not None:
            est = _ci(r)[0]
            add("twfe_one_region_wild", "agency, wild cluster bootstrap", ftw, est, float("nan"), *wb,
                n_clusters=r.n_clusters)
        # IPW on person-level changes
        q = panel["period"].astype(str)
        pre = panel.loc[q.isin(["2022Q1", "2022Q2"])].groupby("person_id")["report_quality"].mean()
        late = panel.loc[q.str.startswith("2024")].groupby("person_id")
        person = panel.drop_duplicates("person_id").set_index("person_id")
        T8 = int(panel.loc[q == "2023Q4", "t"].iloc[0])
        cs_df = pd.DataFrame(dict(dy=late["report_quality"].mean() - pre, tau=late["tau"].mean(),
                                  g=person["gname"], region=person["region"], tenure=person["tenure"],
                                  agency_id=person["agency_id"])).reset_index()
        cs_df = cs_df.loc[(cs_df["g"] == 0) | ((cs_df["g"] > 1) & (cs_df["g"] <= T8))].reset_index(drop=True)
        cs_df["d"] = (cs_df["g"] > 0).astype(int)
        ipw_truth = float(cs_df.loc[cs_df["d"] == 1, "tau"].mean())
        r = ipw_att(cs_df, "dy", "d", "C(region) + tenure")
        add("ipw", "person (no cluster option)", ipw_truth, *_ci(r))
        if "cluster" in inspect.signature(ipw_att).parameters:
            r = ipw_att(cs_df, "dy", "d", "C(region) + tenure", cluster="agency_id")
            add("ipw", "agency (region / agency)", ipw_truth, *_ci(r), n_clusters=getattr(r, "n_clusters", None))
        # services: dose TWFE of wait_minutes on the trained share
        dtruth = _ci(dose_twfe(sp, "y_true", "unit_id", "m", "trained_share"))[0]
        for cl, label in (("unit_id", "unit (region / unit)"), ("row_id", "unit-month (heteroskedasticity-robust)")):
            r = dose_twfe(sp, "wait_minutes", "unit_id", "m", "trained_share", cluster=cl)
            add("dose_twfe", label, dtruth, *_ci(r), n_clusters=r.n_clusters)
            # one slope per region (as evalkit.cost.service_effects): each equals SERVICE_SLOPES[region]
            r = dose_twfe(sp, "wait_minutes", "unit_id", "m", "trained_share", by="region", cluster=cl)
            for reg, v in W.SERVICE_SLOPES.items():
                add(f"dose_twfe_by_region[{reg}]", label, v["wait_minutes"], *_ci(r, f"trained_share[region={reg}]"),
                    n_clusters=r.n_clusters)
            if cl == "unit_id" and WILD and hasattr(r, "wild_bootstrap"):
                terms = [f"trained_share[region={reg}]" for reg in W.SERVICE_SLOPES]
                try:
                    wt = r.wild_bootstrap(term=terms, B=999, seed=rep).set_index("term")
                except Exception:  # the estimator did not attach its design
                    wt = None
                for reg, v in (W.SERVICE_SLOPES.items() if wt is not None else ()):
                    t = f"trained_share[region={reg}]"
                    add(f"dose_twfe_by_region[{reg}]", "unit, wild cluster bootstrap", v["wait_minutes"],
                        float(wt.loc[t, "estimate"]), float("nan"), float(wt.loc[t, "ci_low"]),
                        float(wt.loc[t, "ci_high"]), n_clusters=r.n_clusters)
    return out


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (est, cl), g in rows.groupby(["estimator", "cluster"], sort=False):
        k, n = int(g["covered"].sum()), len(g)
        lo, hi = clopper_pearson(k, n)
        err = g["estimate"] - g["truth"]
        out.append(dict(estimator=est, cluster=cl, reps=n, covered=k, coverage=k / n, cp_low=lo, cp_high=hi,
                        mean_error=float(err.mean()), sd_estimate=float(err.std(ddof=1)) if n > 1 else float("nan"),
                        mean_se=float(g["std_error"].mean()), mean_truth=float(g["truth"].mean()),
                        median_clusters=float(g["n_clusters"].median()) if g["n_clusters"].notna().any() else None))
    return pd.DataFrame(out)


def _run(args):
    return one_rep(*args)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--n-employees", type=int, default=4000)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", help="also write the JSON figures to this file")
    ap.add_argument("--no-wild", action="store_true", help="skip the wild cluster bootstrap")
    a = ap.parse_args(argv)
    global WILD
    WILD = not a.no_wild
    t0 = time.time()
    tasks = [(a.seed, r, a.n_employees) for r in range(a.reps)]
    if a.jobs > 1:
        from multiprocessing import Pool

        with Pool(a.jobs) as pool:
            res = pool.map(_run, tasks, chunksize=1)
    else:
        res = [_run(t) for t in tasks]
    rows = pd.DataFrame([r for rr in res for r in rr])
    summ = summarise(rows)
    cmd = "python benchmarks/coverage.py " + " ".join(argv if argv is not None else sys.argv[1:])
    doc = dict(command=cmd.strip(), reps=a.reps, seed=a.seed, n_employees=a.n_employees,
               seconds=round(time.time() - t0, 1), shocks=W.shock_parameters(),
               wild_bootstrap_rows=bool(rows["estimator"].str.endswith("_wild").any()),
               results=summ.to_dict("records"))
    text = json.dumps(doc, indent=1, default=float)
    print(text)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    show = summ.assign(coverage=summ["coverage"].map("{:.3f}".format),
                       bounds=[f"[{lo:.3f}, {hi:.3f}]" for lo, hi in zip(summ["cp_low"], summ["cp_high"])],
                       mean_error=summ["mean_error"].map("{:+.3f}".format),
                       sd_estimate=summ["sd_estimate"].map("{:.3f}".format),
                       mean_se=summ["mean_se"].map("{:.3f}".format))
    print()
    print(show[["estimator", "cluster", "reps", "coverage", "bounds", "mean_error", "sd_estimate", "mean_se",
                "median_clusters"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
