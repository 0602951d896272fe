"""National tables -> estimator-ready panel: the synth at national size, then DuckDB (evalkit) vs pandas.

Three steps, each in a fresh Python process whose peak RSS (Linux ``VmHWM``, whole process) is reported:

1. ``generate_national`` (the code behind ``evalkit synth --scale national``) writes the canonical tables
   for ``--employees`` (default 5.6M: 28M performance rows, ~28M enrolments, ...) to a temporary folder.
2. evalkit: ``evalkit.synth.national.panel_from_parquet(folder)`` builds the person x year panel for
   ``did``/``staggered_att`` (performance joined with each person's first completed training year, people
   integer-coded) with DuckDB under ``memory_limit='2GiB'``.
3. pandas (the peer): the same panel the way ``evalkit.datasets.performance_panel`` does it for the demo:
   ``pd.read_parquet`` of the four tables, ``evalkit.datasets.first_training`` (pandas merge, sort,
   drop_duplicates), ``merge`` onto performance, codes from the employee order. Run at
   ``--peer-employees`` (default 1,000,000; its own tables, generated the same way), where evalkit is
   timed again on the same tables. Both panels must be identical (``pandas.testing.assert_frame_equal``).

Usage: python benchmarks/national_ingest.py [--employees 5600000] [--peer-employees 1000000]
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIB = 2**20  # kB per GiB


def _rss_gib() -> float:
    """Peak RSS (Linux VmHWM of this process image; ru_maxrss elsewhere), GiB."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / GIB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / GIB


def pandas_panel(folder: Path):
    import numpy as np
    import pandas as pd

    from evalkit.datasets import first_training

    emp = pd.read_parquet(folder / "employees.parquet", columns=["person_id"])
    perf = pd.read_parquet(folder / "performance.parquet", columns=["person_id", "period", "report_quality"])
    enr = pd.read_parquet(folder / "enrolments.parquet", columns=["person_id", "programme_id", "completed"])
    prog = pd.read_parquet(folder / "programmes.parquet", columns=["programme_id", "end_date", "mode", "topic"])
    first = first_training(enr, prog)
    del enr, prog
    first["g"] = first["first_date"].dt.year.astype("int16")
    ids = pd.Series(np.arange(len(emp), dtype=np.int32), index=pd.Index(emp["person_id"]))
    panel = perf.merge(first[["person_id", "g"]], on="person_id", how="left")
    out = pd.DataFrame({"id": ids.reindex(panel["person_id"]).to_numpy(),
                        "t": panel["period"].astype("int16").to_numpy(),
                        "g": panel["g"].fillna(0).astype("int16").to_numpy()})
    out["d"] = ((out["g"] > 0) & (out["t"] >= out["g"])).astype("int8")
    out["y"] = panel["report_quality"].to_numpy()
    return out.sort_values(["id", "t"], kind="stable").reset_index(drop=True)


def worker(side: str, folder: str, n: int, seed: int) -> dict:
    import evalkit.datasets  # noqa: F401  (imports are not timed)
    from evalkit.synth.national import generate_national, panel_from_parquet

    folder = Path(folder)
    res = {}
    t0 = time.perf_counter()
    if side == "synth":
        summary = generate_national(folder, n_employees=n, seed=seed, truth_dir=folder.parent / f"truth_{n}")
        res["rows"] = summary["rows"]
        res["disk_gib"] = round(sum(p.stat().st_size for p in folder.glob("*.parquet")) / 2**30, 2)
        sec = time.perf_counter() - t0
    else:
        panel = panel_from_parquet(folder, memory_limit="2GiB") if side == "evalkit" else pandas_panel(folder)
        sec = time.perf_counter() - t0
        res["rows"] = int(len(panel))
        panel.to_parquet(folder.parent / f"panel_{side}_{n}.parquet")
    return {"side": side, "seconds": round(sec, 2), "peak_rss_gib": round(_rss_gib(), 3),
            "loadavg_1min": round(os.getloadavg()[0], 2), **res}


def run_side(side: str, folder: Path, n: int, seed: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", side, "--data", str(folder), "--employees", str(n), "--seed", str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if out.returncode != 0:
        return {"side": side, "error": out.stderr.strip().splitlines()[-3:], "returncode": out.returncode}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employees", type=int, default=5_600_000)
    ap.add_argument("--peer-employees", type=int, default=1_000_000, help="0 = no pandas run")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.employees, args.seed)))
        return
    out = {"benchmark": "national_ingest", "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
           "memory_measure": "peak RSS (VmHWM) of each child process, whole process, GiB"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.peer_employees:
            n = args.peer_employees
            folder = tmp / f"tables_{n}"
            peer = {"employees": n, "synth": run_side("synth", folder, n, args.seed),
                    "evalkit": run_side("evalkit", folder, n, args.seed),
                    "pandas": run_side("pandas", folder, n, args.seed)}
            if "seconds" in peer["evalkit"] and "seconds" in peer["pandas"]:
                import pandas as pd

                a = pd.read_parquet(tmp / f"panel_evalkit_{n}.parquet")
                b = pd.read_parquet(tmp / f"panel_pandas_{n}.parquet")
                try:
                    pd.testing.assert_frame_equal(a, b)
                    peer["identical_panels"] = True
                except AssertionError as exc:
                    peer["identical_panels"] = False
                    peer["difference"] = str(exc)[:300]
                peer["speedup"] = round(peer["pandas"]["seconds"] / peer["evalkit"]["seconds"], 1)
                peer["memory_ratio"] = round(peer["pandas"]["peak_rss_gib"] / peer["evalkit"]["peak_rss_gib"], 1)
            out["peer_size"] = peer
            import shutil

            shutil.rmtree(folder)
        if args.employees:
            n = args.employees
            folder = tmp / f"tables_{n}"
            out["full_size"] = {"employees": n, "synth": run_side("synth", folder, n, args.seed),
                                "evalkit": run_side("evalkit", folder, n, args.seed)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
