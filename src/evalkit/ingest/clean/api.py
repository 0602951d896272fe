"""The public entry points: :func:`check` (list every problem, write nothing) and :func:`clean` (write the
tables, the quarantine and the manifest)."""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any

from evalkit import __version__
from evalkit._util import atomic_write
from evalkit.ingest.clean import write as _write
from evalkit.ingest.clean._common import TABLE_ORDER
from evalkit.ingest.clean.results import CheckReport, CleanResult
from evalkit.ingest.clean.runner import _Runner
from evalkit.ingest.clean.write import _install_parts, _parquet_bytes, _remove_parts, _write_parts
from evalkit.ingest.pseudonym import get_key, key_fingerprint
from evalkit.ingest.read import DataError
from evalkit.ingest.spec import ITEMS_TABLE


def _resolve(p: str | os.PathLike[str]) -> Path:
    return Path(p).expanduser().resolve()


def _run(raw_dir: Path, key: bytes | None, today: _dt.date | None, progress: bool,
         stage_dir: Path | None = None) -> _Runner:
    """Run the cleaner; ``stage_dir``: where a spilled table's parts are written as it is finished (in a
    hidden temporary folder, put in place by :func:`clean`; None: they are not written)."""
    if not raw_dir.is_dir():
        raise DataError(str(raw_dir.name), "the raw data folder does not exist")
    runner = _Runner(raw_dir, key, today or _dt.date.today(), progress)
    runner.stage_dir = stage_dir
    try:
        runner.run()
    except BaseException:
        _drop_staged(runner)
        raise
    return runner


def _drop_staged(runner: _Runner) -> None:
    import shutil

    for folder in runner.staged.values():
        shutil.rmtree(folder, ignore_errors=True)
    runner.staged = {}


def _report(runner: _Runner) -> CheckReport:
    order = {"error": 0, "warning": 1}
    problems = sorted(runner.problems, key=lambda p: (p.file, p.row if p.row is not None else -1,
                                                      p.column or "", order.get(p.severity, 2), p.expected))
    files = sorted(runner.summaries.values(), key=lambda s: s.file)
    return CheckReport(problems=problems, files=files)


def check(raw_dir: str | os.PathLike[str], *, today: _dt.date | None = None) -> CheckReport:
    """Check a folder of raw field files without writing anything.

    Every problem the cleaner would meet is listed (file, 1-based row, column, value, what was expected,
    severity). NIPs and names are never shown. A user's data mistake never raises.

    Parameters
    ----------
    raw_dir : path-like
        The folder with the field files.
    today : datetime.date, optional
        Dates after this are errors (default: today).

    Returns
    -------
    CheckReport
        ``.ok`` is False when any error was found; print it with :func:`format_problems`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> raw = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (raw / "pegawai.csv").write_text("")
    >>> rep = check(raw)
    >>> rep.ok, rep.problems[0].expected
    (False, 'the file is empty')
    """
    import secrets

    runner = _run(_resolve(raw_dir), secrets.token_bytes(32), today, False)  # throwaway key: nothing is written
    return _report(runner)


def clean(raw_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, key: str | bytes | None = None,
          progress: bool = False, today: _dt.date | None = None) -> CleanResult:
    """Clean every raw field file in ``raw_dir`` into canonical tables in ``out_dir``.

    Parameters
    ----------
    raw_dir : path-like
        Folder of field files (CSV/XLSX named by table prefix, see ``ingest.spec``). Only read.
    out_dir : path-like
        Where ``<table>.parquet``, ``quarantine/`` and ``manifest.json`` are written; must not lie inside
        ``raw_dir``.
    key : str or bytes, optional
        Pseudonymisation key; default ``$EVALKIT_KEY`` or the key file (created on first use), see
        :func:`evalkit.ingest.pseudonym.get_key`.
    progress : bool
        Show a progress bar over files.
    today : datetime.date, optional
        Dates after this are rejected (default: today). Pass a fixed date for a reproducible run.

    Returns
    -------
    CleanResult

    Notes
    -----
    Same input files + same key (+ same ``today`` when dates are near it) give byte-identical outputs.
    Tables with no input file are not written (and a stale copy from an earlier run is removed).
    """
    raw = _resolve(raw_dir)
    out = _resolve(out_dir)
    if out == raw or raw in out.parents:
        raise ValueError("out_dir must not be the raw folder or inside it: the raw folder is never written")
    k = get_key(key)
    runner = _run(raw, k, today, progress, stage_dir=out)
    if runner.codebook_error is not None:  # nothing is written: the outputs of an earlier run stay as they were
        _drop_staged(runner)
        raise runner.codebook_error
    try:
        return _write_outputs(runner, out, k)
    finally:
        _drop_staged(runner)


def _write_outputs(runner: _Runner, out: Path, k: bytes) -> CleanResult:
    report = _report(runner)
    qdir = out / "quarantine"
    tables: dict[str, Path] = {}
    quarantine: dict[str, Path] = {}
    for t in TABLE_ORDER:
        path, qpath = out / f"{t}.parquet", qdir / f"{t}.parquet"
        if t not in runner.results:
            for stale in (path, qpath):
                stale.unlink(missing_ok=True)
            _remove_parts(out / t)
            continue
        kept, q = runner.results[t]
        if t in runner.staged:  # (its parts were written as the table was finished)
            tables[t] = _install_parts(out / t, runner.staged.pop(t))
            path.unlink(missing_ok=True)
        elif t in runner.partitioned:
            tables[t] = _write_parts(out / t, kept)
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, _parquet_bytes(kept))
            _remove_parts(out / t)
            tables[t] = path
        atomic_write(qpath, _parquet_bytes(q))
        quarantine[t] = qpath
    ipath = out / f"{ITEMS_TABLE}.parquet"
    if runner.items is None:
        ipath.unlink(missing_ok=True)
    else:
        atomic_write(ipath, _parquet_bytes(runner.items))
        tables[ITEMS_TABLE] = ipath
    pdf = report.to_frame()
    atomic_write(qdir / "problems.csv", pdf.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    manifest = _manifest(runner, report, k)
    atomic_write(out / "manifest.json",
                        (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return CleanResult(out_dir=out, tables=tables, quarantine=quarantine, manifest=manifest, report=report)


def _manifest(runner: _Runner, report: CheckReport, key: bytes) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for t in TABLE_ORDER:
        files = [s for s in report.files if s.table == t and s.status != "unmatched"]
        if not files:
            continue
        entry = {
            "rows_read": sum(s.rows_read for s in files),
            "rows_kept": sum(s.rows_kept for s in files),
            "rows_quarantined": sum(s.rows_quarantined for s in files),
            "files": [{"file": s.file, "sha256": s.sha256, "status": s.status, "rows_read": s.rows_read,
                       "rows_kept": s.rows_kept, "rows_quarantined": s.rows_quarantined, "encoding": s.encoding,
                       "delimiter": s.delimiter} for s in files],
        }
        if t in runner.results:
            entry["columns"] = list(runner.results[t][0].columns)
            if t in runner.part_counts:
                entry["parts"] = runner.part_counts[t]
            elif t in runner.partitioned:
                entry["parts"] = max(1, -(-len(runner.results[t][0]) // _write.PART_ROWS))
        tables[t] = entry
    derived: dict[str, Any] = {}
    if runner.items is not None:
        it = runner.items
        from_ = [t for t in TABLE_ORDER if t in runner.item_counts]
        derived[ITEMS_TABLE] = {
            "from": from_,
            "columns": list(it.columns),
            **{c: sum(runner.item_counts[t][c] for t in from_) for c in ("rows_read", "rows_kept",
                                                                          "rows_quarantined")},
            "questions": int(len(it[["table", "scale", "item"]].drop_duplicates())) if len(it) else 0,
            "scales": int(len(it[["table", "scale"]].drop_duplicates())) if len(it) else 0,
            "per_table": {t: runner.item_counts[t] for t in from_},
            "note": "rows_read/kept/quarantined count answers (questions x rows of each file); rows_kept is the "
                    "number of rows of items.parquet",
        }
    return {
        "evalkit_version": __version__,
        "key_fingerprint": key_fingerprint(key),
        "tables": tables,
        "derived": derived,
        "unused_files": [{"file": s.file, "sha256": s.sha256} for s in report.files if s.status == "unmatched"],
        "problems": {"errors": len(report.errors), "warnings": len(report.warnings)},
    }
