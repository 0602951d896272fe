"""Callaway-Sant'Anna ATT(g,t) + dynamic aggregate at national scale: evalkit vs ``differences`` ATTgt.

Data: ``evalkit.synth.national.national_panel`` (person x year SKP panel, 2021-2025; first completed
training year ``g``, 0 = never in the window), written to temporary Parquet files. Units first trained in
2021 (the first period) have no pre-period; evalkit drops them with a note. For the head-to-head run they
are removed from the data given to BOTH sides, so that both estimate exactly the same cells; the
full-size evalkit run gets all 28M rows.

``differences`` (pure pandas/numpy, one regression per cell) cannot run 28M rows in reasonable time or
memory, so the peer comparison is made at ``--peer-employees`` (default 200,000 employees = 1M rows), with
evalkit run on the same file; evalkit is also run alone at ``--employees`` (default 5.6M = 28M rows).
Each run is a fresh Python process (order: evalkit at peer size, differences at peer size, evalkit at full
size) that imports its library, warms up on a 1,000-unit panel, reads the Parquet file, then times:

* evalkit: ``staggered_att(df, "y", "id", "t", "g", aggregate="dynamic")`` (ATT(g,t) cells in
  ``details["att_gt"]`` plus the event-time aggregation, analytic influence-function SEs);
* differences: ``ATTgt(data=df.set_index(["id", "t"]), cohort_column="g")``, ``.fit("y",
  control_group="never_treated", progress_bar=False)`` (defaults: ``est_method="reg"``,
  ``base_period="varying"``, ``boot_iterations=0`` = analytic SEs) and ``.aggregate("event")``. Its input
  preparation (``g`` 0 -> NaN, ``set_index``) is timed separately (``prep_seconds``) and not in ``seconds``.

Memory = each child's peak resident set size (Linux ``VmHWM``, whole process). Target: evalkit >= 10x faster at
the same size, identical ATT(g,t).

Usage: python benchmarks/national_staggered.py [--employees 5600000] [--peer-employees 200000]
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from _measure import peak_rss_gib, run_worker


def _panel(n: int, seed: int, drop_first: bool = True):
    from evalkit.synth.national import YEARS, national_panel

    df = national_panel(n, seed=seed)[["id", "t", "g", "y"]]
    return df[df["g"] != YEARS[0]].reset_index(drop=True) if drop_first else df


def worker(side: str, path: str) -> dict:
    import numpy as np
    import pandas as pd

    if side == "evalkit":
        from evalkit.impact import staggered_att

        def fit(df):
            r = staggered_att(df, "y", "id", "t", "g", aggregate="dynamic")
            c = r.details["att_gt"]
            tid = r.tidy()
            return 0.0, {"cells": c[["group", "time", "att", "std_error"]].to_numpy().tolist(),
                         "event": tid.loc[tid.event_time.notna(),
                                          ["event_time", "estimate", "std_error"]].to_numpy().tolist(),
                         "path": r.details.get("path")}
    else:
        import warnings

        import differences

        warnings.filterwarnings("ignore")

        def fit(df):
            t0 = time.perf_counter()
            data = df.assign(g=df["g"].astype(float).replace(0, np.nan)).set_index(["id", "t"])
            prep = time.perf_counter() - t0
            att = differences.ATTgt(data=data, cohort_column="g")
            att.fit(formula="y", control_group="never_treated", progress_bar=False)
            r = att.results()
            ev = att.aggregate("event")
            cells = [[float(g), float(t), float(a), float(s)] for (g, _, t), a, s in
                     zip(r.index, r.iloc[:, 0], r.iloc[:, 1])]
            event = [[float(e), float(a), float(s)] for e, a, s in zip(ev.index, ev.iloc[:, 0], ev.iloc[:, 1])]
            return prep, {"cells": cells, "event": event, "version": differences.__version__}
    fit(_panel(1000, seed=1))
    rss_imports = peak_rss_gib()
    df = pd.read_parquet(path)
    rss_loaded = peak_rss_gib()
    t0 = time.perf_counter()
    prep, res = fit(df)
    sec = time.perf_counter() - t0 - prep
    return {"side": side, "seconds": round(sec, 3), "prep_seconds": round(prep, 3), "rows": int(len(df)),
            "loadavg_1min": round(os.getloadavg()[0], 2),
            "units": int(df["id"].nunique()), "rss_after_imports_gib": round(rss_imports, 3),
            "rss_loaded_gib": round(rss_loaded, 3), "peak_rss_gib": round(peak_rss_gib(), 3), **res}


def run_side(side: str, path: Path) -> dict:
    return run_worker(__file__, side, "--data", str(path))


def _compare(a: dict, b: dict) -> dict:
    import numpy as np

    ca, cb = np.array(a["cells"]), np.array(b["cells"])
    same_cells = ca.shape == cb.shape and np.array_equal(ca[:, :2], cb[:, :2])
    out = {"same_cells": bool(same_cells), "n_cells": int(len(ca))}
    if same_cells:
        out["max_abs_diff_att"] = float(np.max(np.abs(ca[:, 2] - cb[:, 2])))
        out["max_rel_diff_att"] = float(np.max(np.abs(ca[:, 2] - cb[:, 2]) / np.abs(cb[:, 2])))
        out["max_rel_diff_se"] = float(np.max(np.abs(ca[:, 3] / cb[:, 3] - 1)))
    ea, eb = np.array(a["event"]), np.array(b["event"])
    if ea.shape == eb.shape and np.array_equal(ea[:, 0], eb[:, 0]):
        out["max_rel_diff_event"] = float(np.max(np.abs(ea[:, 1] - eb[:, 1]) / np.abs(eb[:, 1])))
        out["max_rel_diff_event_se"] = float(np.max(np.abs(ea[:, 2] / eb[:, 2] - 1)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employees", type=int, default=5_600_000, help="evalkit-only size (0 to skip)")
    ap.add_argument("--peer-employees", type=int, default=200_000, help="size of the head-to-head run")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data)))
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = {"benchmark": "national_staggered", "estimator": "Callaway-Sant'Anna, never-treated controls, "
           "varying base period, no covariates, analytic SEs; ATT(g,t) + dynamic (event-time) aggregate",
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
           "memory_measure": ("peak RSS (VmHWM) of each child process, whole process incl. interpreter, imports "
                              "and data, GiB")}
    with tempfile.TemporaryDirectory() as tmp:
        def write(n, name, drop_first=True):
            df = _panel(n, args.seed, drop_first)
            p = Path(tmp) / name
            pq.write_table(pa.Table.from_pandas(df, preserve_index=False), p)
            return p, len(df)

        p_small, rows_small = write(args.peer_employees, "peer.parquet")
        ev_small = run_side("evalkit", p_small)
        peer = run_side("differences", p_small)
        out["peer_size"] = {"employees": args.peer_employees, "rows": rows_small, "evalkit": ev_small,
                            "differences": peer}
        if "seconds" in ev_small and "seconds" in peer:
            out["peer_size"]["speedup"] = round(peer["seconds"] / ev_small["seconds"], 1)
            out["peer_size"]["agreement"] = _compare(ev_small, peer)
        for side in (ev_small, peer):  # keep the JSON short
            side.pop("cells", None)
            side.pop("event", None)
        if args.employees:
            p_big, rows_big = write(args.employees, "full.parquet", drop_first=False)  # evalkit drops them itself
            big = run_side("evalkit", p_big)
            big.pop("cells", None)
            if "event" in big:  # event-time estimates vs the planted truth (1.5 + 0.5 e for e >= 0, else 0)
                big["event"] = {f"rel::{e:g}": {"estimate": round(est, 5), "std_error": round(se, 5),
                                                "truth": 1.5 + 0.5 * e if e >= 0 else 0.0}
                                for e, est, se in big["event"]}
            out["full_size"] = {"employees": args.employees, "rows": rows_big, "evalkit": big}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
