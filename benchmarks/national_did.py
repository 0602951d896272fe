"""TWFE DiD with CRV1 SEs at national scale: evalkit.impact.did vs pyfixest.feols, same data, same order.

Data: ``evalkit.synth.national.national_panel`` (5.6M employees x 5 annual SKP periods = 28M rows; columns
``id`` int32, ``t``/``g`` int16, ``d`` int8, ``y`` float64), written once to a temporary Parquet file.
Each side then runs in its own fresh Python process (evalkit first, then pyfixest) which imports its
library, warms up on a 1,000-unit panel (so numba JIT compilation is not timed), reads the Parquet file and
fits ``y ~ d | id + t`` with CRV1 SEs clustered by ``id``:

* evalkit: ``did(df, "y", "id", "t", "d")`` (its fast exact path on balanced panels);
* pyfixest: ``feols("y ~ d | id + t", data=df, vcov={"CRV1": "id"})`` (defaults otherwise).

Wall time = ``time.perf_counter`` around the fit only. Memory = the child's peak resident set size
(Linux ``VmHWM``, the whole process: interpreter, imports, the loaded data frame and the fit);
``rss_loaded_gib`` is the peak before the fit. Target: evalkit >= 5x faster than pyfixest, peak <= 3 GiB.

Usage: python benchmarks/national_did.py [--employees 5600000] [--no-peer]
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


def worker(side: str, path: str) -> dict:
    import numpy as np
    import pandas as pd

    from evalkit.synth.national import national_panel

    warm = national_panel(1000, seed=1)
    if side == "evalkit":
        from evalkit.impact import did

        def fit(df):
            r = did(df, "y", "id", "t", "d")
            return float(r.coef().iloc[0]), float(r.se().iloc[0]), r.details.get("path")
    else:
        import pyfixest as pf

        def fit(df):
            r = pf.feols("y ~ d | id + t", data=df, vcov={"CRV1": "id"})
            return float(r.coef().iloc[0]), float(r.se().iloc[0]), "feols"
    fit(warm)
    del warm
    rss_imports = peak_rss_gib()
    df = pd.read_parquet(path)
    rss_loaded = peak_rss_gib()
    t0 = time.perf_counter()
    est, se, path_used = fit(df)
    sec = time.perf_counter() - t0
    return {"side": side, "seconds": round(sec, 3), "estimate": est, "std_error": se, "path": path_used,
            "loadavg_1min": round(os.getloadavg()[0], 2),
            "n_obs": int(len(df)), "rss_after_imports_gib": round(rss_imports, 3),
            "rss_loaded_gib": round(rss_loaded, 3), "peak_rss_gib": round(peak_rss_gib(), 3),
            "numpy": np.__version__}


def run_side(side: str, path: Path) -> dict:
    return run_worker(__file__, side, "--data", str(path))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employees", type=int, default=5_600_000)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--no-peer", action="store_true", help="Run evalkit only.")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data)))
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    from evalkit.synth.national import national_panel

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panel.parquet"
        t0 = time.perf_counter()
        df = national_panel(args.employees, seed=args.seed)[["id", "t", "g", "d", "y"]]
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
        n_rows = len(df)
        del df
        gen = time.perf_counter() - t0
        sides = ["evalkit"] + ([] if args.no_peer else ["pyfixest"])
        results = {s: run_side(s, path) for s in sides}
    out = {
        "benchmark": "national_did", "model": "y ~ d | id + t, CRV1 by id", "employees": args.employees,
        "rows": n_rows, "data_seconds": round(gen, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "memory_measure": ("peak RSS (VmHWM) of each child process, whole process incl. interpreter, imports "
                           "and data, GiB"),
        "evalkit": results["evalkit"],
    }
    if "pyfixest" in results:
        ev, pf = results["evalkit"], results["pyfixest"]
        out["pyfixest"] = pf
        if "seconds" in ev and "seconds" in pf:
            import pyfixest

            out["pyfixest"]["version"] = pyfixest.__version__
            out["speedup"] = round(pf["seconds"] / ev["seconds"], 1)
            out["rel_diff_estimate"] = abs(ev["estimate"] / pf["estimate"] - 1)
            out["rel_diff_se"] = abs(ev["std_error"] / pf["std_error"] - 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
