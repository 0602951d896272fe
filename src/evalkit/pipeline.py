"""Run the numbered notebooks in order (a small DAG), save executed copies and render them to HTML.

Each notebook ``notebooks/NN_name.ipynb`` is one step. A step may say what it needs in its notebook metadata::

    "metadata": {"evalkit": {"requires": ["01_clean"],
                             "matrix": {"region": ["Mamuju", ...], "lang": ["id", "en"]},
                             "output": "regions/{region_slug}_{lang}",
                             "slugs": {"region": {"DKI Jakarta": "jakarta"}},
                             "hide_input": true}}

- ``requires``: steps that must finish first (default: every step with a smaller number, i.e. sequential).
  Steps whose requirements are met run in parallel on ``workers`` processes.
- ``matrix``: a parameterised step (papermill convention: a cell tagged ``parameters``) runs once per
  combination; the values are injected in a new cell tagged ``injected-parameters`` right after it. Values are
  a list, ``"@table.column"`` (the distinct values of a cleaned table's column) or ``"@*.region"`` (every
  region with rows in some cleaned table, :func:`evalkit.scope.regions_present`).
- ``output``: where the executed copy and HTML go under ``reports/`` (default: the notebook's stem).
  ``{name}`` is the parameter value and ``{name_slug}`` its file-name slug (lower case, ``_`` for anything else).
- ``slugs``: optional fixed slugs per parameter value, overriding the generated ones
  (``{"region": {"DKI Jakarta": "jakarta"}}`` gives ``jakarta_id`` rather than ``dki_jakarta_id``).
- ``hide_input``: render the HTML without code cells (region reports for non-programmers); cells tagged
  ``developer`` (the PURPOSE/REQUIRES/CREATES header) are left out of that HTML too.
- ``tables``: the canonical tables the step cannot do without (e.g. ``["performance"]``). A step whose tables
  are absent from ``data/processed`` is not run (the progress output and the index say which table it needs).
  ``[]`` says the step reads no processed table (the cleaning step, which writes them). ``"reaction|tests"``
  is met by either table (a step that reports on whatever levels were measured).

**Incremental runs.** Each step has a fingerprint: the SHA-256 of its notebook's cells (sources and metadata,
not outputs), its parameters, the evalkit package's source files, the fingerprints of the steps it requires and
the contents of the data it may read (``data/raw`` and ``data/truth``, and every file in ``data/processed``
unless its ``tables`` is ``[]``: a table read but not declared still counts; not ``data/processed/cache/``,
which only holds results derived from those files, see :mod:`evalkit.report.region.cache`).
``reports/run_record.json`` keeps the fingerprint of every step that last succeeded; a step whose fingerprint is
unchanged and whose rendering is still there is reused without starting a kernel, and the index says so.
``force=True`` (``evalkit run --force``) runs everything and recomputes what is cached. The evalkit code is
fingerprinted as a whole (any change to the package re-runs every step): tracking which modules a notebook imports
would be finer but could miss a module reached indirectly.

**Threads.** Each worker's kernels get cores / workers threads for BLAS and OpenMP (``OPENBLAS_NUM_THREADS`` and
the like, unless already set), so parallel steps do not oversubscribe the cores.

**Longest first.** Among the steps ready to run, the ones that took longest last time start first (the seconds
of each step's notebook, averaged over its parameterised copies, kept in ``data/processed/cache/step_seconds.json``
and read before ``--force`` empties that folder); a step never timed starts before the timed ones. With two
workers this keeps one long notebook from running alone at the end. Copies of one parameterised notebook keep
their order (a region's report in its first language computes the findings the second reads).

Executed notebooks carry no timestamps (nbclient, not papermill's timing metadata), so the same inputs give the
same files. A failing step is reported with its notebook, failing cell and error, and :func:`run` raises
:class:`PipelineError` after the other independent steps have finished.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from evalkit._util import atomic_write, slugify
from evalkit.config import paths
from evalkit.report.index_page import write_index  # noqa: F401 (re-exported: the run's front page)

if TYPE_CHECKING:
    import nbformat

__all__ = ["Step", "PipelineError", "discover", "run", "execute_notebook", "render_html", "page_title",
           "write_index"]

_NB_RE = re.compile(r"^(\d{2})_[\w-]+\.ipynb$")
KERNEL_NAME = "python3"


class PipelineError(RuntimeError):
    """One or more notebooks failed; the message names each with its failing cell and error."""


@dataclass
class Step:
    """One execution of one notebook (a parameterised notebook gives one Step per parameter set)."""

    name: str  # e.g. "03_reaction_learning" or "08_region_report[mamuju_id]"
    notebook: Path
    output: str  # path under reports/ without suffix
    parameters: dict = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)  # notebook stems
    hide_input: bool = False
    title: str = ""
    tables: list[str] | None = None  # canonical tables read from data/processed (None: not declared)
    template: dict | None = None  # a matrix whose values come from the data, not known yet (see _matrix_steps)

    @property
    def stem(self) -> str:
        return self.notebook.stem


def _slug(value) -> str:
    return slugify(str(value))


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def discover(notebooks_dir: Path | None = None, only: list[str] | None = None) -> list[Step]:
    """Find the numbered notebooks and expand parameterised ones into steps."""
    import nbformat

    nb_dir = Path(notebooks_dir) if notebooks_dir else paths()["notebooks"]
    files = sorted(p for p in nb_dir.glob("*.ipynb") if _NB_RE.match(p.name))
    stems = [p.stem for p in files]
    steps: list[Step] = []
    for path in files:
        if only and path.stem not in only and path.stem[:2] not in only:
            continue
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata.get("evalkit", {})
        requires = meta.get("requires")
        if requires is None:
            requires = [s for s in stems if s < path.stem]
        unknown = [r for r in requires if r not in stems]
        if unknown:
            raise PipelineError(f"{path.name}: metadata.evalkit.requires names unknown notebooks {unknown}")
        matrix = meta.get("matrix")
        title = _title(nb, path.stem)
        if matrix:
            expanded = _matrix_steps(path, meta, title, list(requires))
            if expanded is None:  # values come from data not cleaned yet: expanded when its requirements are done
                steps.append(Step(f"{path.stem}[*]", path, path.stem, {}, list(requires),
                                  bool(meta.get("hide_input", False)), title, meta.get("tables"), template=meta))
            else:
                steps.extend(expanded)
        else:
            steps.append(Step(path.stem, path, meta.get("output", path.stem), {}, list(requires),
                              bool(meta.get("hide_input", False)), title, meta.get("tables")))
    if only:  # requirements outside the selection are assumed done
        chosen = {s.stem for s in steps}
        for s in steps:
            s.requires = [r for r in s.requires if r in chosen]
    return steps


def _matrix_values(spec, processed: Path) -> list | None:
    """Values of one matrix key: a list as given, or ``"@table.column"``, the distinct values of that column of
    a cleaned table (categories in their order, only those present), or None when the table is not there yet."""
    if not isinstance(spec, str):
        return list(spec)
    if spec == "@*.region":
        return _regions_in(processed)
    if not spec.startswith("@") or "." not in spec:
        raise PipelineError(f"matrix values must be a list, '@table.column' or '@*.region', got {spec!r}")
    table, column = spec[1:].split(".", 1)
    from evalkit.datasets import TABLES, load

    if table not in TABLES:
        raise PipelineError(f"matrix {spec!r}: unknown table {table!r}")
    try:
        col = load(table, processed)[column]
    except FileNotFoundError:
        return None
    except KeyError:
        raise PipelineError(f"matrix {spec!r}: the {table} table has no column {column!r}") from None
    present = col.dropna()
    if isinstance(col.dtype, pd.CategoricalDtype):
        seen = set(present.astype(str))
        return [str(c) for c in col.cat.categories if str(c) in seen]
    return sorted({str(v) for v in present})


def _regions_in(processed: Path) -> list | None:
    """The regions with rows in any cleaned table (:func:`evalkit.scope.regions_present`), reading only the
    columns that place a row; None when nothing is cleaned yet."""
    import pyarrow.parquet as pq

    from evalkit.datasets import TABLES
    from evalkit.scope import regions_present

    tables = {}
    for name in TABLES:
        files = [processed / f"{name}.parquet"] if (processed / f"{name}.parquet").exists() else \
            sorted((processed / name).glob("part-*.parquet")) if (processed / name).is_dir() else []
        if not files:
            continue
        cols = [c for c in ("region", "programme_id", "person_id") if c in pq.read_schema(files[0]).names]
        tables[name] = pd.concat([pd.read_parquet(f, columns=cols) for f in files], ignore_index=True)
    return regions_present(tables) if tables else None


def _matrix_steps(path: Path, meta: dict, title: str, requires: list[str]) -> list[Step] | None:
    """One step per combination of the matrix values (None if some values come from data not cleaned yet)."""
    matrix = meta["matrix"]
    keys = sorted(matrix)  # notebook JSON sorts keys; so "lang" varies slowest, then "region"
    values = {k: _matrix_values(matrix[k], paths()["processed"]) for k in keys}
    if any(v is None for v in values.values()):
        return None
    steps = []
    for combo in itertools.product(*(values[k] for k in keys)):
        params = dict(zip(keys, combo))
        slugs = meta.get("slugs", {})
        fmt = {**params, **{f"{k}_slug": slugs.get(k, {}).get(v, _slug(v)) for k, v in params.items()}}
        output = meta.get("output", path.stem + "_" + "_".join(_slug(v) for v in combo)).format(**fmt)
        steps.append(Step(f"{path.stem}[{Path(output).name}]", path, output, params, list(requires),
                          bool(meta.get("hide_input", False)), f"{title} ({', '.join(map(str, combo))})",
                          meta.get("tables")))
    return steps


def _inject_parameters(nb: nbformat.NotebookNode, params: dict) -> None:
    import nbformat

    if not params:
        return
    idx = next((i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if idx is None:
        raise PipelineError("notebook has a parameter matrix but no cell tagged 'parameters'")
    src = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(src, metadata={"tags": ["injected-parameters"]})
    cell.pop("id", None)
    nb.cells.insert(idx + 1, cell)


def _normalise_ids(nb: nbformat.NotebookNode) -> None:
    """Give cells stable ids (by position) so executed copies are identical run to run."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"


def execute_notebook(path: Path, params: dict | None = None, cwd: Path | None = None,
                     timeout: int = 1800, kernel_name: str = KERNEL_NAME) -> nbformat.NotebookNode:
    """Execute one notebook top to bottom in a fresh kernel and return it with outputs.

    Raises :class:`PipelineError` naming the failing cell (its number and first line) and the error.
    """
    import nbformat

    for attempt in range(KERNEL_START_ATTEMPTS):
        nb = nbformat.read(path, as_version=4)
        _inject_parameters(nb, params or {})
        _normalise_ids(nb)
        try:
            _execute(nb, path, cwd, timeout, kernel_name)
            break
        except _PortTaken:
            if attempt + 1 == KERNEL_START_ATTEMPTS:
                raise PipelineError(f"{path.name}: the kernel could not start: the ports it picked were taken "
                                    f"{KERNEL_START_ATTEMPTS} times (other kernels starting at the same moment); "
                                    "run again") from None
    for cell in nb.cells:  # execution timing metadata would make every run differ
        cell.get("metadata", {}).pop("execution", None)
    return nb


#: A kernel picks free TCP ports and binds them a moment later; another process starting a kernel at the same
#: moment (parallel steps, a second run, a test) can take one in between and the kernel dies at start. Such a
#: start is tried again, with fresh ports, up to this many times in all.
KERNEL_START_ATTEMPTS = 3


class _PortTaken(Exception):
    """The kernel died at start because a port it had picked was taken meanwhile (retried)."""


def _execute(nb: nbformat.NotebookNode, path: Path, cwd: Path | None, timeout: int, kernel_name: str) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    # The kernel's own stderr (ipykernel's start-up warnings, a crash) goes to a temporary log, so that a run's
    # output is the progress bar; the log's last lines are part of the error if the kernel itself fails.
    with tempfile.TemporaryFile(mode="w+") as kernel_log:
        try:
            client.execute(stderr=kernel_log)
        except CellExecutionError as exc:
            failing = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(
                o.get("output_type") == "error" for o in c.get("outputs", []))), None)
            first = (nb.cells[failing].source.strip().splitlines()[0]
                     if failing is not None and nb.cells[failing].source.strip() else "")
            err = getattr(exc, "ename", "Error")
            msg = getattr(exc, "evalue", str(exc)).strip().splitlines()
            raise PipelineError(f"{path.name}: cell {failing} ({first[:60]!r}) failed: {err}: "
                                f"{msg[-1] if msg else ''}") from None
        except Exception as exc:  # the kernel died or did not start: say so with what it printed
            kernel_log.seek(0)
            log = kernel_log.read()
            if "Address already in use" in log and not any(c.get("outputs") for c in nb.cells):
                raise _PortTaken() from None
            tail = [ln for ln in log.splitlines() if ln.strip()][-5:]
            raise PipelineError(f"{path.name}: the kernel failed ({exc!r})" +
                                ("; kernel output:\n    " + "\n    ".join(tail) if tail else "")) from None


def page_title(nb: nbformat.NotebookNode) -> str | None:
    """The first level-1 heading of a notebook, from a Markdown output (a report's title is computed) or else a
    Markdown cell; None when there is none. Used as the HTML page's ``<title>``."""
    for cell in nb.cells:
        texts = [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        if cell.get("cell_type") == "markdown":
            texts.append(cell.get("source", ""))
        for text in texts:
            text = "".join(text) if isinstance(text, list) else text
            m = re.search(r"^# +(.+?)\s*$", text, flags=re.M)
            if m:
                return re.sub(r"[*_`]", "", m.group(1)).strip()
    return None


def render_html(nb: nbformat.NotebookNode, target: Path, hide_input: bool = False, lang: str | None = None) -> Path:
    """Render an executed notebook to a single self-contained HTML file (figures embedded), with the page title
    of :func:`page_title` (not "Notebook") and, when given, the page's language (``<html lang="id">``)."""
    import nbformat
    from nbconvert import HTMLExporter

    if hide_input:  # a report for readers: also drop the developers' PURPOSE/REQUIRES/CREATES cell(s)
        nb = nbformat.from_dict(nb)
        nb.cells = [c for c in nb.cells if "developer" not in c.get("metadata", {}).get("tags", [])]
    exporter = HTMLExporter(template_name="lab", exclude_input=hide_input, exclude_input_prompt=hide_input,
                            exclude_output_prompt=hide_input)
    title = page_title(nb) or target.stem
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    if lang:
        body = re.sub(r"<html[^>]*>", f'<html lang="{html.escape(lang)}">', body, count=1)
    atomic_write(target, body)
    return target




RUN_RECORD = "run_record.json"
#: Folder of ``data/processed`` holding what is derived from the cleaned tables to save time (the region
#: findings shared by a report's two languages, :mod:`evalkit.report.region.cache`). It is not data: left out of
#: the data fingerprint, so writing it does not make the steps that read the tables look changed.
PROCESSED_CACHE = "cache"
#: File in :data:`PROCESSED_CACHE`: seconds each step took when it last ran (for the longest-first order).
STEP_SECONDS = "step_seconds.json"


class _Hasher:
    """SHA-256 of files' contents, memoised within one run by (path, size, modification time)."""

    def __init__(self) -> None:
        self._memo: dict[tuple, str] = {}

    def file(self, path: Path) -> str:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        digest = self._memo.get(key)
        if digest is None:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            digest = self._memo[key] = h.hexdigest()
        return digest

    def tree(self, root: Path, suffixes: tuple[str, ...] | None = None, exclude: tuple[str, ...] = ()) -> str:
        """One hash of every file under ``root`` (names and contents; hidden files and caches left out, and the
        top-level folders named in ``exclude``)."""
        h = hashlib.sha256()
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(root)
                if (not path.is_file() or any(part.startswith(".") or part == "__pycache__" for part in rel.parts)
                        or rel.parts[0] in exclude or (suffixes is not None and path.suffix not in suffixes)):
                    continue
                h.update(rel.as_posix().encode() + b"\0" + self.file(path).encode() + b"\0")
        return h.hexdigest()


def _notebook_fingerprint(path: Path) -> str:
    """The notebook as a program: cell types, sources and metadata, and its evalkit metadata (not outputs, which
    ``--update-notebooks`` rewrites)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = [[c.cell_type, c.source, {k: v for k, v in c.get("metadata", {}).items() if k != "execution"}]
             for c in nb.cells]
    blob = json.dumps([cells, nb.metadata.get("evalkit", {})], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _code_fingerprint(hasher: _Hasher) -> str:
    import evalkit

    return hasher.tree(Path(evalkit.__file__).parent, suffixes=(".py", ".csv", ".json", ".css", ".tpl", ".gz"))


def _data_fingerprint(hasher: _Hasher, processed: Path) -> str:
    """The cleaned data: every file under ``processed`` but the :data:`PROCESSED_CACHE` folder."""
    return hasher.tree(processed, exclude=(PROCESSED_CACHE,))


def _missing_tables(step: Step, processed: Path) -> list[str]:
    if not step.tables:
        return []
    present = {p.name.split(".")[0] for p in processed.iterdir()} if processed.is_dir() else set()
    return [t.replace("|", " or ") for t in step.tables if not set(t.split("|")) & present]


def _load_record(reports: Path) -> dict:
    try:
        return json.loads((reports / RUN_RECORD).read_text(encoding="utf-8")).get("steps", {})
    except (OSError, ValueError):
        return {}


def _run_step(step: Step, reports_dir: str, update_notebooks: bool) -> tuple[str, float]:
    """Worker: execute, save the executed copy, render HTML. Returns (name, seconds)."""
    import nbformat

    t0 = time.perf_counter()
    # Kernels inherit this process's environment: an inherited MPLBACKEND=Agg (the Makefile's, for tests) would
    # keep figures out of the executed notebooks and their HTML. Kernels draw inline.
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    nb = execute_notebook(step.notebook, step.parameters, cwd=step.notebook.parent)
    out = Path(reports_dir) / step.output
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out.with_suffix(".ipynb"), nbformat.writes(nb) + "\n")
    render_html(nb, out.with_suffix(".html"), hide_input=step.hide_input, lang=step.parameters.get("lang"))
    if update_notebooks and not step.parameters:
        atomic_write(step.notebook, nbformat.writes(nb) + "\n")
    return step.name, time.perf_counter() - t0


def run(only: list[str] | None = None, workers: int = 2, progress: bool = True,
        update_notebooks: bool = False, notebooks_dir: Path | None = None,
        reports_dir: Path | None = None, force: bool = False) -> dict[str, float]:
    """Execute every step in dependency order, ``workers`` at a time, and write ``reports/index.html``.

    Steps whose fingerprint matches ``reports/run_record.json`` are reused without a kernel (see the module
    docstring); ``force=True`` runs them all and first empties ``data/processed/cache/`` (so the region findings
    are computed again, once per region). Steps whose declared tables are absent are not run.

    Returns step name -> seconds for the steps executed. Raises :class:`PipelineError` listing every failed step.
    """
    steps = discover(notebooks_dir, only)
    reports = Path(reports_dir) if reports_dir else paths()["reports"]
    reports.mkdir(parents=True, exist_ok=True)
    where = paths()
    seconds = _load_seconds(where["processed"])  # read before --force empties the folder that keeps them
    if force:  # everything recomputed: also what steps keep between runs (the region findings, recomputed once)
        shutil.rmtree(where["processed"] / PROCESSED_CACHE, ignore_errors=True)
    hasher = _Hasher()
    record = _load_record(reports)
    base = {"code": _code_fingerprint(hasher), "raw": hasher.tree(where["raw"]),
            "truth": hasher.tree(where["truth"])}
    fingerprints: dict[str, str] = {}
    reused: list[str] = []
    not_run: dict[str, str] = {}

    def fingerprint(s: Step) -> str:
        upstream = sorted(fingerprints.get(o.name, "") for o in steps if o.stem in s.requires)
        blob = json.dumps({**base, "notebook": _notebook_fingerprint(s.notebook), "parameters": s.parameters,
                           "requires": upstream,
                           "processed": "" if s.tables == [] else _data_fingerprint(hasher, where["processed"])},
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()
    pending = list(steps)
    done_stems: dict[str, int] = {}
    remaining_per_stem: dict[str, int] = {}
    for s in steps:
        remaining_per_stem[s.stem] = remaining_per_stem.get(s.stem, 0) + 1
    failed: list[str] = []       # messages, one per failed or skipped step
    failed_names: list[str] = []  # their step names, for the index
    timings: dict[str, float] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(steps), desc="notebooks", unit="nb")
    running: dict[Future, Step] = {}
    blocked: set[str] = set()
    with ProcessPoolExecutor(max_workers=max(1, workers), initializer=_limit_threads,
                             initargs=(max(1, (os.cpu_count() or 1) // max(1, workers)),)) as pool:
        while pending or running:
            ready = [s for s in pending if all(remaining_per_stem.get(r, 0) == 0 for r in s.requires)
                     and not any(r in blocked for r in s.requires)]
            for s in [s for s in pending if any(r in blocked for r in s.requires)]:
                pending.remove(s)
                blocked.add(s.stem)
                failed.append(f"{s.name}: skipped because a notebook it requires failed")
                failed_names.append(s.name)
                if bar:
                    bar.update(1)
            for s in [s for s in ready if s.template is not None]:  # data-dependent matrix: expand it now
                expanded = _matrix_steps(s.notebook, s.template, s.title, s.requires) or []
                i = pending.index(s)
                pending[i:i + 1] = expanded
                ready.remove(s)
                ready.extend(expanded)
                remaining_per_stem[s.stem] += len(expanded) - 1
                if bar:
                    bar.total += len(expanded) - 1
                    bar.refresh()
                if not expanded:
                    not_run[s.name] = "(no values in the data)"
            for s in list(ready):  # steps that need no kernel: tables absent, or nothing changed
                missing = _missing_tables(s, where["processed"])
                if missing:
                    not_run[s.name] = ", ".join(missing)
                else:
                    fingerprints[s.name] = fingerprint(s)
                    entry = record.get(s.name, {})
                    if force or entry.get("fingerprint") != fingerprints[s.name] \
                            or not (reports / f"{s.output}.html").exists():
                        continue
                    reused.append(s.name)
                ready.remove(s)
                pending.remove(s)
                remaining_per_stem[s.stem] -= 1
                if bar:
                    bar.set_postfix_str((f"not run: needs {not_run[s.name]}" if s.name in not_run
                                         else f"unchanged: {s.name}")[:60])
                    bar.update(1)
                elif s.name in not_run:
                    print(f"{s.name}: not run (needs the {not_run[s.name]} table)")
            for s in _longest_first(ready, seconds)[: max(0, workers - len(running))]:
                pending.remove(s)
                running[pool.submit(_run_step, s, str(reports), update_notebooks)] = s
            if not running:
                if any(all(remaining_per_stem.get(r, 0) == 0 for r in s.requires) for s in pending):
                    continue  # steps freed by a reused or not-run step: schedule them
                if pending:  # a cycle or unmet requirement
                    raise PipelineError(f"cannot schedule {[s.name for s in pending]}: check metadata.evalkit.requires")
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                s = running.pop(fut)
                try:
                    name, secs = fut.result()
                    timings[name] = secs
                    record[s.name] = {"fingerprint": fingerprints[s.name]}
                except Exception as exc:  # noqa: BLE001 - reported below with the step's name
                    failed.append(str(exc) if isinstance(exc, PipelineError) else f"{s.name}: {exc!r}")
                    failed_names.append(s.name)
                    record.pop(s.name, None)
                    blocked.add(s.stem)
                remaining_per_stem[s.stem] -= 1
                done_stems[s.stem] = done_stems.get(s.stem, 0) + 1
                if bar:
                    bar.set_postfix_str(s.name[:40])
                    bar.update(1)
    if bar:
        bar.close()
    # the index lists every step that has a rendering, not only the ones this (possibly --only) run executed
    for name in [*not_run, *failed_names]:
        record.pop(name, None)
    atomic_write(reports / RUN_RECORD, json.dumps({"steps": dict(sorted(record.items()))}, indent=1) + "\n")
    if timings and Path(notebooks_dir or where["notebooks"]).resolve() == where["notebooks"].resolve():
        _save_seconds(where["processed"], {**seconds, **timings})  # the project's own notebooks only
    ran = {s.name for s in steps}
    listed = [s for s in discover(notebooks_dir) if s.name in ran or (reports / f"{s.output}.html").exists()]
    write_index(listed, reports, failed=failed_names, reused=reused, not_run=not_run)
    if failed:
        raise PipelineError("notebook(s) failed:\n  " + "\n  ".join(failed))
    return timings


#: Thread pools of the numerical libraries a kernel uses (OpenBLAS, OpenMP, MKL, numexpr).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def _limit_threads(threads: int) -> None:
    """Worker initialiser: the kernels it starts get ``threads`` BLAS/OpenMP threads each (cores / workers), unless
    the user set these variables. Two kernels each running a two-thread BLAS on two cores oversubscribe them:
    measured on the demo with two workers, cold runs of 65.7 and 62.8 s became 55.0 and 55.6 s."""
    for var in THREAD_VARIABLES:
        os.environ.setdefault(var, str(threads))


def _load_seconds(processed: Path) -> dict[str, float]:
    try:
        data = json.loads((processed / PROCESSED_CACHE / STEP_SECONDS).read_text())
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):  # absent or unreadable: no order known
        return {}


def _save_seconds(processed: Path, seconds: dict[str, float]) -> None:
    folder = processed / PROCESSED_CACHE
    if not processed.is_dir():
        return
    folder.mkdir(exist_ok=True)
    atomic_write(folder / STEP_SECONDS, json.dumps({k: round(v, 1) for k, v in sorted(seconds.items())}) + "\n")


def _longest_first(ready: list[Step], seconds: dict[str, float]) -> list[Step]:
    """``ready`` ordered by the seconds their notebook took last time, longest first (the mean over a
    parameterised notebook's copies, so its copies keep their order); never-timed notebooks first."""
    by_stem: dict[str, list[float]] = {}
    for name, secs in seconds.items():
        by_stem.setdefault(name.split("[", 1)[0], []).append(secs)

    def expected(s: Step) -> float:
        times = by_stem.get(s.stem)
        return sum(times) / len(times) if times else math.inf

    return sorted(ready, key=lambda s: -expected(s))


def steps_as_json(steps: list[Step]) -> str:
    """The planned steps (for ``evalkit run --dry-run``)."""
    return json.dumps([{"name": s.name, "requires": s.requires, "output": s.output, "parameters": s.parameters}
                       for s in steps], indent=2, ensure_ascii=False)
