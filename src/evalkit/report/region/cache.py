"""A region's findings computed once and shared by the report's two languages.

``evalkit run`` renders ``08_region_report`` once per region and language; the findings
(:func:`evalkit.report.region.region_findings`, with its bootstraps the costly part of a report) are the same
for both languages. ``region_findings(region, context=..., cache=True)`` therefore keeps them in
``data/processed/cache/region_findings/<region slug>.pkl``, and the next render of the same region loads them
instead of computing them again.

A cached file is used only when it was made from exactly the same inputs. Its key is the SHA-256 of

- the region's name;
- the cleaned data: every file under ``data/processed`` except the cache folder itself (the same data
  fingerprint as ``evalkit run``'s incremental runs, :mod:`evalkit.pipeline`);
- the context passed (the loaded context file, as JSON);
- evalkit's code: every source and data file of the package (the same code fingerprint as ``evalkit run``), and
  the constants of :mod:`evalkit.config` and of the region report that the findings depend on;
- the Python version and the versions of evalkit's dependencies (pandas, statsmodels, ...).

Any difference in one of them, a file that cannot be read or whose checksum does not match: the findings are
computed and the file replaced. The file is written through a temporary file and a rename, so a reader never
sees half of it, also when two processes write the same region at once. A data folder that cannot be written
only means no cache. The key is computed again after the findings; if the data changed in between, nothing is
written.

The cache is used only by a process whose evalkit code is the code on disk: when the package's files changed
after ``evalkit.report.region`` was imported (evalkit edited while a JupyterLab kernel runs), the findings are
computed and not stored. ``evalkit run --force`` empties the cache before it runs anything.

The findings hold counts and estimates and some response-level rows (e.g. the region's reaction answers,
without person ids), so the cache lives beside the pseudonymised tables in ``data/processed`` and never under
``reports/``; it is removed with them (``make clean``). The file is a Python pickle: only load a data folder you
trust, as for the notebooks themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["cache_path", "findings_key", "cached_findings"]

#: Bumped when the file layout changes.
FORMAT_VERSION = 1
_MAGIC = b"evalkit region findings\n"
_FALLBACK_DEPENDENCIES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pyarrow", "pysastrawi")


def _code_fingerprint() -> str:
    from evalkit import pipeline

    return pipeline._code_fingerprint(pipeline._Hasher())


#: evalkit's code when this module was imported (with :mod:`evalkit.report.region`). When the package's files
#: change later in the same process (evalkit edited while a notebook's kernel runs), the code that runs may not be
#: the code on disk that the key names: the cache is then neither read nor written.
_CODE_AT_IMPORT = _code_fingerprint()


def cache_path(region: str, processed: str | os.PathLike | None = None) -> Path:
    """``data/processed/cache/region_findings/<slug>.pkl``: where the findings of ``region`` are kept."""
    from evalkit.config import paths
    from evalkit.pipeline import PROCESSED_CACHE
    from evalkit.report.region._base import region_slug

    root = Path(processed) if processed is not None else paths()["processed"]
    return root / PROCESSED_CACHE / "region_findings" / f"{region_slug(region)}.pkl"


def _dependency_versions() -> dict[str, str]:
    """Installed version of each of evalkit's (non-optional) dependencies."""
    from importlib import metadata

    try:
        names = {re.match(r"[A-Za-z0-9_.-]+", r).group(0) for r in metadata.requires("evalkit") or []
                 if "extra ==" not in r}
    except metadata.PackageNotFoundError:
        names = set()
    out = {}
    for name in sorted(names | set(_FALLBACK_DEPENDENCIES)):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = ""
    return out


def _settings() -> dict:
    """Module constants a user could change in a session (``config.SMALL_CELL_THRESHOLD = 10``)."""
    from evalkit import config
    from evalkit.report.region import _base

    def plain(module):  # JSON-like values only: a set's order (hence its repr) changes from process to process
        return {k: v for k, v in vars(module).items()
                if k.isupper() and isinstance(v, (bool, int, float, str, tuple, list, dict))}

    return {"config": plain(config), "region": plain(_base)}


def findings_key(region: str, context: Mapping | None, processed: str | os.PathLike | None = None) -> str:
    """The key of ``region``'s findings from the tables in ``processed`` (default ``data/processed``) with
    ``context``: SHA-256 of everything they depend on (see the module docstring)."""
    from evalkit import pipeline
    from evalkit.config import paths

    root = Path(processed) if processed is not None else paths()["processed"]
    blob = json.dumps({"format": FORMAT_VERSION, "region": region,
                       "data": pipeline._data_fingerprint(pipeline._Hasher(), root),
                       "context": context, "code": _code_fingerprint(), "settings": _settings(),
                       "python": sys.version, "dependencies": _dependency_versions()},
                      sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _read(path: Path, key: str):
    """The findings stored at ``path`` under ``key``, or None (missing, other key, damaged)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = _MAGIC + key.encode() + b"\n"
    if not data.startswith(head):
        return None
    digest, _, payload = data[len(head):].partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a file that does not load is recomputed, not an error
        return None


def _write(path: Path, key: str, F: dict) -> None:
    """Store ``F`` under ``key`` through a uniquely named temporary file and an atomic rename (two processes
    writing the same region at once each rename a whole file); a folder that cannot be written is skipped."""
    try:
        payload = pickle.dumps(F, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except Exception:  # noqa: BLE001 - findings that cannot be stored are simply not cached
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(tmp, path)
    except OSError:
        pass
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached_findings(region: str, context: Mapping | None, compute: Callable[[], dict],
                    processed: str | os.PathLike | None = None) -> dict:
    """``compute()`` (the findings of ``region`` from the tables in ``processed`` with ``context``), or the
    stored result of an earlier call with the same key."""
    if _code_fingerprint() != _CODE_AT_IMPORT:  # evalkit changed on disk since this process imported it
        return compute()
    key = findings_key(region, context, processed)
    path = cache_path(region, processed)
    F = _read(path, key)
    if F is not None:
        return F
    F = compute()
    if findings_key(region, context, processed) == key:  # the data did not change while computing
        _write(path, key, F)
    return F
