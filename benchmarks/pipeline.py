"""Wall time of `evalkit run` beside its floor, measured in the same process one after the other.

The floor is the same number of steps, run by the same runner with the same number of workers, where each
notebook only starts a kernel and imports the stack the real notebooks import (numpy, pandas, scipy,
statsmodels, matplotlib, seaborn, evalkit), and is then rendered to HTML like the real ones. The target
(issue: first vertical slice) is real / floor <= 1.5.

Usage:  python benchmarks/pipeline.py [--repeat 1] [--workers 2]
Needs the demo data in data/raw (``make demo``). Writes only to temporary folders and reports/.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
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
    args = ap.parse_args()
    n_steps = len(pipeline.discover())
    real, floor = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        pipeline.run(workers=args.workers, progress=False)
        real.append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as tmp:
            nb_dir, rep = Path(tmp) / "nb", Path(tmp) / "reports"
            nb_dir.mkdir()
            build_floor(n_steps, nb_dir)
            t0 = time.perf_counter()
            pipeline.run(workers=args.workers, progress=False, notebooks_dir=nb_dir, reports_dir=rep)
            floor.append(time.perf_counter() - t0)
    best_real, best_floor = min(real), min(floor)
    print(json.dumps({
        "benchmark": "pipeline",
        "steps": n_steps,
        "workers": args.workers,
        "evalkit_run_seconds": round(best_real, 2),
        "floor_seconds": round(best_floor, 2),
        "ratio_run_over_floor": round(best_real / best_floor, 3),
        "target_ratio": 1.5,
        "raw_dir": str(paths()["raw"].name),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
    }, indent=2))


if __name__ == "__main__":
    main()
