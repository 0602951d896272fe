"""Wall time of `evalkit run` beside its floor, measured in the same process one after the other, and of the
incremental runs users meet most often.

* cold: every step executed (``force=True``, which also empties ``data/processed/cache/``: each region's findings
  are computed once, by its first language's report, and loaded by the second), against the floor: the same
  number of steps, run by the same runner with the same number of workers, where each notebook only starts a
  kernel and imports the stack the real notebooks import (numpy, pandas, scipy, statsmodels, matplotlib, seaborn,
  evalkit), and is then rendered to HTML like the real ones. Target: cold / floor <= 2.5. Also printed: the
  summed step times of the cold run for the parameterised steps (the region reports) and the others (kernel
  start to HTML written, per step).
* unchanged: a second ``evalkit run`` as a whole process (Python start-up included) with nothing changed.
  Target: at most 3 s, and no kernel started.
* one edit: a copy of the notebooks in which one analysis notebook (``--edit``, default 07) gains a Markdown
  cell: only that step re-runs (it has no dependents), the rest are reused.

Usage:  python benchmarks/pipeline.py [--repeat 1] [--workers 2] [--edit 07]
Needs the demo data in data/raw (``make demo``). Writes only to temporary folders, reports/ and
data/processed/cache/.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from evalkit import pipeline
from evalkit.config import paths

IMPORTS = """import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.api as sm
import statsmodels.formula.api as smf
import matplotlib.pyplot as plt
import seaborn as sns
import evalkit
from evalkit.report.figures import set_theme
set_theme()"""


def build_floor(n: int, folder: Path) -> None:
    for i in range(n):
        nb = nbformat.v4.new_notebook()
        nb.metadata["evalkit"] = {"requires": []}
        nb.cells = [nbformat.v4.new_markdown_cell(f"# floor {i}"), nbformat.v4.new_code_cell(IMPORTS)]
        nbformat.write(nb, folder / f"{i:02d}_floor.ipynb")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--edit", default="07", help="number of the notebook edited for the one-edit run")
    args = ap.parse_args()
    n_steps = len(pipeline.discover())
    real, floor, unchanged, one_edit, rerun, split = [], [], [], [], [], []
    evalkit_cmd = Path(sys.executable).with_name("evalkit")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        timings = pipeline.run(workers=args.workers, progress=False, force=True)
        real.append(time.perf_counter() - t0)
        split.append((sum(v for k, v in timings.items() if "[" in k),  # parameterised: the region reports
                      sum(v for k, v in timings.items() if "[" not in k)))
        with tempfile.TemporaryDirectory() as tmp:
            nb_dir, rep = Path(tmp) / "nb", Path(tmp) / "reports"
            nb_dir.mkdir()
            build_floor(n_steps, nb_dir)
            t0 = time.perf_counter()
            pipeline.run(workers=args.workers, progress=False, notebooks_dir=nb_dir, reports_dir=rep)
            floor.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = subprocess.run([str(evalkit_cmd), "run", "--workers", str(args.workers)], capture_output=True,
                             text=True, check=True)
        unchanged.append(time.perf_counter() - t0)
        if not out.stdout.startswith("ran 0 notebooks"):
            raise SystemExit(f"the unchanged run executed notebooks: {out.stdout!r}")
        with tempfile.TemporaryDirectory() as tmp:
            nb_dir = Path(tmp) / "notebooks"
            shutil.copytree(paths()["notebooks"], nb_dir)
            target = next(nb_dir.glob(f"{args.edit}_*.ipynb"))
            nb = nbformat.read(target, as_version=4)
            nb.cells.append(nbformat.v4.new_markdown_cell("*(edited for the benchmark)*"))
            nbformat.write(nb, target)
            t0 = time.perf_counter()
            timings = pipeline.run(workers=args.workers, progress=False, notebooks_dir=nb_dir)
            one_edit.append(time.perf_counter() - t0)
            rerun = sorted(timings)
        pipeline.run(workers=args.workers, progress=False)  # the real notebooks' renderings back in place
    best_real, best_floor = min(real), min(floor)
    region_steps, other_steps = split[real.index(best_real)]
    print(json.dumps({
        "benchmark": "pipeline",
        "steps": n_steps,
        "workers": args.workers,
        "cold_seconds": round(best_real, 2),
        "floor_seconds": round(best_floor, 2),
        "ratio_cold_over_floor": round(best_real / best_floor, 3),
        "cold_step_seconds": {"region_reports": round(region_steps, 1), "other_steps": round(other_steps, 1)},
        "target_ratio": 2.5,
        "unchanged_run_seconds": round(min(unchanged), 2),
        "target_unchanged_seconds": 3.0,
        "one_edit_seconds": round(min(one_edit), 2),
        "one_edit_steps_executed": rerun,
        "raw_dir": str(paths()["raw"].name),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
    }, indent=2))


if __name__ == "__main__":
    main()
