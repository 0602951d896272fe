"""100M public-service transactions -> unit x month service panel: DuckDB under a 2 GiB memory limit vs pandas.

Data: ``--rows`` (default 100,000,000) synthetic service transactions for 5,140 service units (514
kabupaten/kota x 10 unit types; unit sizes skewed, Zipf-like), 2021-2025, generated vectorised in chunks of
5M rows and streamed to one temporary Parquet file (pyarrow, one row group per chunk). Columns:
``unit_id`` int32, ``ts`` timestamp[s], ``wait_minutes`` float32, ``processing_days`` float32,
``complaint`` bool: 1.6 GiB of Parquet, about 2.1 GB decoded, more than DuckDB's memory limit.

Aggregation to the ``services`` table shape (unit x month: volume, mean wait, mean processing days,
complaints received), each side in a fresh Python process, DuckDB first:

* DuckDB (a dependency of evalkit): ``SET memory_limit='2GiB'; SET threads=2`` and a spill
  ``temp_directory``; one ``GROUP BY unit_id, date_trunc('month', ts)`` over ``read_parquet(...)``,
  streamed (out of core), result fetched as a pandas frame;
* pandas (the peer): ``pd.read_parquet`` of the whole file, month by ``datetime64[M]`` truncation,
  ``groupby(["unit_id", "month"]).agg(...)``. Run at ``--peer-rows`` (default: all rows) from a file
  of ``--peer-rows`` rows made the same way (DuckDB is then timed on that file too).

Wall time = ``time.perf_counter`` around read + aggregate. Memory = peak RSS of each child (Linux
``VmHWM``, whole process). The two results are compared cell by cell (counts exactly, means to 1e-5
relative: the inputs are float32).

Usage: python benchmarks/service_logs.py [--rows 100000000] [--peer-rows N] [--no-peer]
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

CHUNK = 5_000_000
UNITS = 514 * 10
START = "2021-01-01"
SECONDS = 5 * 365 * 86_400




def generate(path: Path, rows: int, seed: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    w = 1.0 / np.arange(1, UNITS + 1) ** 0.8
    cdf = np.cumsum(w / w.sum())
    start = np.datetime64(START, "s")
    schema = pa.schema([("unit_id", pa.int32()), ("ts", pa.timestamp("s")), ("wait_minutes", pa.float32()),
                        ("processing_days", pa.float32()), ("complaint", pa.bool_())])
    with pq.ParquetWriter(path, schema) as writer:
        for k, lo in enumerate(range(0, rows, CHUNK)):
            n = min(CHUNK, rows - lo)
            rng = np.random.default_rng([seed, k])
            unit = np.searchsorted(cdf, rng.random(n)).astype(np.int32)
            ts = start + rng.integers(0, SECONDS, n).astype("timedelta64[s]")
            wait = rng.gamma(4.0, 7.0, n).astype(np.float32)
            proc = rng.gamma(3.0, 1.2, n).astype(np.float32)
            comp = rng.random(n) < 0.012
            writer.write_table(pa.table({"unit_id": unit, "ts": ts, "wait_minutes": wait, "processing_days": proc,
                                         "complaint": comp}, schema=schema), row_group_size=CHUNK)


def worker(side: str, path: str, tmp: str) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    if side == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute("SET memory_limit='2GiB'")
        con.execute("SET threads=2")
        con.execute(f"SET temp_directory='{tmp}'")
        con.execute("SET preserve_insertion_order=false")
        out = con.execute(f"""
            SELECT unit_id, date_trunc('month', ts) AS month, count(*) AS volume,
                   avg(wait_minutes) AS wait_minutes, avg(processing_days) AS processing_days,
                   sum(complaint::INTEGER) AS complaints_received
            FROM read_parquet('{path}') GROUP BY ALL ORDER BY unit_id, month""").df()
        version = duckdb.__version__
    else:
        df = pd.read_parquet(path)
        df["month"] = df["ts"].to_numpy().astype("datetime64[M]")
        out = (df.groupby(["unit_id", "month"], sort=True)
                 .agg(volume=("wait_minutes", "size"), wait_minutes=("wait_minutes", "mean"),
                      processing_days=("processing_days", "mean"), complaints_received=("complaint", "sum"))
                 .reset_index())
        version = pd.__version__
    sec = time.perf_counter() - t0
    res_path = Path(tmp) / f"{side}.parquet"
    out["month"] = pd.to_datetime(out["month"]).astype("datetime64[ns]")
    out.astype({"unit_id": "int64", "volume": "int64", "complaints_received": "int64",
                "wait_minutes": "float64", "processing_days": "float64"}).to_parquet(res_path)
    return {"side": side, "version": version, "seconds": round(sec, 2), "cells": int(len(out)),
            "peak_rss_gib": round(peak_rss_gib(), 3), "loadavg_1min": round(os.getloadavg()[0], 2),
            "result": str(res_path)}


def run_side(side: str, path: Path, tmp: Path) -> dict:
    return run_worker(__file__, side, "--data", str(path), "--tmp", str(tmp))


def compare(a: str, b: str) -> dict:
    import numpy as np
    import pandas as pd

    x, y = pd.read_parquet(a), pd.read_parquet(b)
    if len(x) != len(y):
        return {"same_cells": False}
    keys = (x[["unit_id", "month"]].reset_index(drop=True).equals(y[["unit_id", "month"]].reset_index(drop=True)))
    rel = {c: float(np.max(np.abs(x[c].to_numpy() / y[c].to_numpy() - 1))) for c in ("wait_minutes", "processing_days")}
    return {"same_cells": bool(keys), "volume_equal": bool((x.volume.to_numpy() == y.volume.to_numpy()).all()),
            "complaints_equal": bool((x.complaints_received.to_numpy() == y.complaints_received.to_numpy()).all()),
            "max_rel_diff_means": max(rel.values())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--peer-rows", type=int, default=0, help="rows for the pandas run (0 = all)")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.tmp)))
        return
    out = {"benchmark": "service_logs", "rows": args.rows, "units": UNITS,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
           "memory_measure": "peak RSS (VmHWM) of each child process, whole process, GiB"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "transactions.parquet"
        t0 = time.perf_counter()
        generate(path, args.rows, args.seed)
        out["data_seconds"] = round(time.perf_counter() - t0, 1)
        out["file_gib"] = round(path.stat().st_size / 2**30, 2)
        (tmp / "spill").mkdir()
        out["duckdb"] = run_side("duckdb", path, tmp / "spill")
        if not args.no_peer:
            peer_path = path
            if args.peer_rows and args.peer_rows < args.rows:
                import pyarrow.parquet as pq

                peer_path = tmp / "peer.parquet"
                generate(peer_path, args.peer_rows, args.seed)  # a smaller file made the same way
                out["duckdb_at_peer_rows"] = run_side("duckdb", peer_path, tmp / "spill")
                assert pq.read_metadata(peer_path).num_rows == args.peer_rows
            out["pandas"] = run_side("pandas", peer_path, tmp / "spill")
            out["peer_rows"] = args.peer_rows or args.rows
            ref = out.get("duckdb_at_peer_rows", out["duckdb"])
            if "seconds" in ref and "seconds" in out["pandas"]:
                out["speedup_vs_pandas"] = round(out["pandas"]["seconds"] / ref["seconds"], 1)
                out["agreement"] = compare(ref["result"], out["pandas"]["result"])
        for k in ("duckdb", "duckdb_at_peer_rows", "pandas"):
            if isinstance(out.get(k), dict):
                out[k].pop("result", None)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
