"""What every benchmark here measures the same way: a side's peak memory, and running a side in a fresh process.

Each side (evalkit, or the peer library) runs in its own Python process started by :func:`run_worker`, so
its peak memory is its own: Linux ``VmHWM`` from ``/proc/self/status`` (the high-water mark of that process
image; ``getrusage(RUSAGE_SELF).ru_maxrss`` would also count the launching parent's RSS, which Linux carries
across fork+exec). The worker prints one JSON object as its last line of output.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

GIB_KB = 2**20  # kB per GiB


def peak_rss_gib() -> float:
    """Peak resident set size of this process so far, GiB (``ru_maxrss`` where ``/proc`` is absent)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / GIB_KB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / GIB_KB


def run_worker(script: str, side: str, *args: str) -> dict:
    """Run ``python script --worker side *args`` in a fresh process; its JSON result plus ``process_seconds``.

    A failing side returns ``{"side", "error", "returncode"}`` instead of raising, so the other side's figures
    are still printed.
    """
    cmd = [sys.executable, script, "--worker", side, *args]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if out.returncode != 0:
        return {"side": side, "error": out.stderr.strip().splitlines()[-3:] or ["failed"],
                "returncode": out.returncode, "process_seconds": round(time.perf_counter() - t0, 1)}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["process_seconds"] = round(time.perf_counter() - t0, 1)
    return res
