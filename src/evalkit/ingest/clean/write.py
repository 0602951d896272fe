"""Writing the outputs: Parquet bytes, atomic single files and partitioned tables (``part-00000.parquet``, ...)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa_arrow
import pyarrow.parquet as pq

from evalkit._util import UMASK, atomic_write

#: A table with a file read in chunks (see ``ingest.read.LARGE_FILE_BYTES``) is written as
#: ``<out>/<table>/part-00000.parquet``, ... with this many rows per part.
PART_ROWS = 1_000_000


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    table = pa_arrow.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_statistics=True)
    return buf.getvalue()


def _write_parts(folder: Path, df: pd.DataFrame) -> Path:
    """``folder/part-00000.parquet``, ... (:data:`PART_ROWS` rows each, in key order), replacing the folder."""
    import shutil

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        n = max(1, -(-len(df) // PART_ROWS))

        def write(k: int) -> None:
            part = df.iloc[k * PART_ROWS:(k + 1) * PART_ROWS]
            atomic_write(tmp / f"part-{k:05d}.parquet", _parquet_bytes(part.reset_index(drop=True)))

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(n, os.cpu_count() or 1, 4)) as pool:  # Arrow encodes and compresses
            list(pool.map(write, range(n)))  # without the GIL: parts are written side by side
        _install_parts(folder, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _install_parts(folder: Path, tmp: Path) -> Path:
    """Put a folder of parts written in ``tmp`` (next to ``folder``) in place of ``folder``."""
    os.chmod(tmp, 0o777 & ~UMASK)
    _remove_parts(folder)
    os.replace(tmp, folder)
    return folder


def _remove_parts(folder: Path) -> None:
    """Remove a partitioned table written by an earlier run (only its ``part-*.parquet`` files)."""
    if not folder.is_dir():
        return
    for f in folder.glob("part-*.parquet"):
        f.unlink()
    try:
        folder.rmdir()
    except OSError:  # something else in it: leave it
        pass
