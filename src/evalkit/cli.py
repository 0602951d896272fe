"""The ``evalkit`` command.

    evalkit synth --out data/raw --seed 20261122     write the five-region synthetic demo
    evalkit codebook data/raw                        write data/raw/codebook.csv to fill in (what each column is)
    evalkit check data/raw                           list every problem in the field files (exit 1 if unusable)
    evalkit clean                                    clean data/raw into data/processed (+ quarantine, manifest)
    evalkit instruments --out DIR --lang id,en       write XLSForms and Excel templates that come back clean
    evalkit run                                      run every notebook in order and render reports/index.html
    evalkit report --region Mamuju --lang id         render one region's evaluation report

A mistake in the user's data or arguments prints a readable message and exits non-zero, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from evalkit import __version__, config

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help=(
        "evalkit: evaluate ASN (civil-servant) training with evidence. Cleans field files, measures the four "
        "Kirkpatrick levels, estimates impact and renders reports in Indonesian and English.\n\n"
        "Typical use: `evalkit synth` (demo data) or copy your files into data/raw/, then `evalkit check "
        "data/raw`, then `evalkit run`. Paths can be redirected with EVALKIT_DATA_DIR, EVALKIT_RAW_DIR, "
        "EVALKIT_PROCESSED_DIR and EVALKIT_REPORTS_DIR."
    ),
)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _pipeline():
    """The notebook runner, which needs the ``pipeline`` extra (Jupyter); a clear message when it is missing."""
    try:
        import nbformat  # noqa: F401 (the runner imports Jupyter's packages only where it uses them)

        from evalkit import pipeline
    except ImportError as exc:
        _fail(f"running notebooks needs Jupyter ({exc.name} is not installed): pip install \"evalkit[pipeline]\"")
    return pipeline


def _version(value: bool) -> None:
    if value:
        typer.echo(f"evalkit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    """evalkit command line."""


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder for the raw field files (must be empty or absent).")] = None,
    seed: Annotated[int, typer.Option(
        help="Random seed; the same seed gives byte-identical files.")] = config.DEFAULT_SEED,
    employees: Annotated[Optional[int], typer.Option(
        help="Number of employees (demo: 10000 over the five regions; national: 5600000).")] = None,
    truth: Annotated[Optional[Path], typer.Option(
        help="Folder for the ground truth (default: OUT/../truth; national: OUT/../truth_national).")] = None,
    scale: Annotated[str, typer.Option(
        help="demo: messy field files for five regions. national: canonical Parquet tables for every ASN "
             "(default OUT data/national), for analyses at national scale.")] = "demo",
) -> None:
    """Write the synthetic demo: field files for Mamuju, Batanghari, DKI Jakarta, Bukittinggi and Ampenan.

    The ground truth (true effects, the selection rule, planted bad rows) goes to a separate folder that only
    tests and the method-check notebook read. With --scale national, writes canonical-shaped Parquet tables
    (already clean, no field files) for 5.6 million employees instead.
    """
    if scale not in ("demo", "national"):
        _fail(f"--scale must be 'demo' or 'national', not {scale!r}")
    if scale == "national":
        from evalkit.synth.national import NATIONAL_EMPLOYEES, generate_national

        out = out or config.paths()["data"] / "national"
        try:
            n = NATIONAL_EMPLOYEES if employees is None else employees
            summary = generate_national(out, n_employees=n, seed=seed, truth_dir=truth, progress=True)
        except ValueError as exc:
            _fail(str(exc))
        typer.echo(f"wrote {len(summary['rows'])} canonical tables to {out} (seed {seed}, "
                   f"{summary['seconds']:.0f} s); ground truth in {summary['truth_dir']}")
        return
    employees = 10_000 if employees is None else employees
    from evalkit.synth import generate

    out = out or config.paths()["raw"]
    try:
        summary = generate(out, seed=seed, n_employees=employees, truth_dir=truth, progress=True)
    except ValueError as exc:
        _fail(str(exc))
    files = summary.get("files", {})
    typer.echo(f"wrote {len(files)} field files to {out} (seed {seed}); ground truth in {summary.get('truth_dir')}")


@app.command()
def check(
    folder: Annotated[Path, typer.Argument(help="Folder with the field files (CSV/XLSX).")] = None,
    warnings: Annotated[bool, typer.Option("--warnings/--no-warnings", help="Also list warnings.")] = True,
) -> None:
    """Validate field files: print every problem (file, row, column, value, what was expected).

    Exits 1 when any file or row is unusable, 0 when everything can be cleaned (warnings allowed).
    """
    from evalkit.ingest import check as run_check
    from evalkit.ingest import format_problems

    folder = folder or config.paths()["raw"]
    if not Path(folder).is_dir():
        _fail(f"{folder} is not a folder; give the folder that holds your CSV/XLSX field files")
    report = run_check(folder)
    typer.echo(format_problems(report, warnings=warnings))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def codebook(
    folder: Annotated[Path, typer.Argument(help="Folder with the field files (CSV/XLSX).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing codebook.csv.")] = False,
) -> None:
    """Write FOLDER/codebook.csv: one row per file, sheet and column header, to fill in (e.g. in Excel).

    Columns: file, sheet, table, header, field, scale, value. Headers evalkit recognises (its aliases, the
    questions of its own forms, question texts close to them) are pre-filled; fill in `field` where it is
    blank (a field of the table, `item` with a `scale` for a question, `programme_title`, `ignore`), `table`
    for files whose name has no known prefix, and `value` for required fields the file lacks (one row each is
    added). `evalkit check` and `evalkit clean` then use it; its rows win over file names and aliases.
    """
    from evalkit.ingest.codebook import CODEBOOK_NAME, describe, write_codebook

    folder = folder or config.paths()["raw"]
    if not Path(folder).is_dir():
        _fail(f"{folder} is not a folder; give the folder that holds your CSV/XLSX field files")
    try:
        target, found = write_codebook(folder, force=force)
    except FileExistsError:
        _fail(f"{Path(folder) / CODEBOOK_NAME} exists and may hold your work; use --force to overwrite it")
    except OSError as exc:
        _fail(f"cannot write {Path(folder) / CODEBOOK_NAME}: {exc.strerror or exc}")
    typer.echo(describe(found))
    typer.echo(f"wrote {target} (UTF-8 with BOM, comma-separated): fill in the blanks, save it as CSV, then run "
               f"`evalkit check {folder}`")


@app.command()
def clean(
    raw: Annotated[Optional[Path], typer.Option(help="Field files (default data/raw).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Canonical tables (default data/processed).")] = None,
) -> None:
    """Clean field files into canonical Parquet tables; unusable rows go to quarantine/ with their reason."""
    from evalkit.ingest import clean as run_clean

    p = config.paths()
    raw, out = raw or p["raw"], out or p["processed"]
    if not Path(raw).is_dir():
        _fail(f"{raw} is not a folder; run `evalkit synth` for demo data or copy your field files there")
    from evalkit.ingest import DataError

    try:
        result = run_clean(raw, out, progress=True)
    except DataError as exc:  # a malformed codebook.csv: nothing was written
        _fail(f"{exc.file}: {exc.reason}")
    typer.echo(str(result))


@app.command()
def instruments(
    out: Annotated[Path, typer.Option(
        help="Folder for the forms and templates (created if needed).")] = Path("instruments"),
    lang: Annotated[str, typer.Option(help="Languages of the labels: id, en or id,en (the first is the forms' "
                                           "default language).")] = "id,en",
    region: Annotated[Optional[list[str]], typer.Option(
        help="Your region(s), for the SKM form's region list and the templates' drop-downs (repeat the option; any "
             "spelling or Kemendagri code: \"Kab. Sleman\", 3404). Default: a marked example to replace.")] = None,
    year: Annotated[Optional[int], typer.Option(
        min=2000, max=2100, help="Survey year: the SKM form offers the semesters of the year before, this year and "
                                 "the next. Default: the current year (give it to rebuild the same forms later).")
    ] = None,
) -> None:
    """Write field instruments that evalkit reads back without a mapping.

    OUT/xlsform/: XLSForms for KoboToolbox or ODK: the L1 reaction questionnaire (xlsform_survei_reaksi), the
    L3 follow-up 3-6 months after training (xlsform_evaluasi_pasca), the SKM of PermenPANRB 14/2017
    (xlsform_skm) and the invitation/attendance questionnaire with the four barriers (xlsform_peserta_undangan).
    Replace the example row CONTOH-001 of the 'pelatihan' choice list with your programmes (keep "[CODE]" at
    the end of each label) before uploading.

    OUT/templates/: one Excel workbook per table (pegawai, pelatihan, presensi, nilai_tes, anggaran, layanan,
    wawancara, and survei_reaksi, evaluasi_pasca, skm for paper questionnaires typed in) with drop-down lists,
    a text-formatted NIP column and an example row to delete.

    Put the exports (XLSX or CSV; XML names or labels) and the filled-in templates in data/raw/. Export file
    names must start with the table prefix: survei_reaksi..., evaluasi_pasca..., skm..., peserta....
    Then run `evalkit check data/raw` and `evalkit clean`.
    """
    from evalkit.ingest.regions import RegionError
    from evalkit.instruments import parse_langs, write_instruments

    try:
        langs = parse_langs(lang)
    except ValueError as exc:
        _fail(str(exc))
    try:
        written = write_instruments(out, langs, regions=region or None, year=year)
    except RegionError as exc:
        _fail(f"--region: {exc}")
    for kind, paths in written.items():
        typer.echo(f"{kind}: " + ", ".join(p.name for p in paths))
    typer.echo(f"wrote {sum(len(v) for v in written.values())} files to {out} (labels: {', '.join(langs)})")


@app.command()
def run(
    only: Annotated[Optional[list[str]], typer.Option(help="Run only these notebooks (e.g. 01 or 01_clean).")] = None,
    workers: Annotated[int, typer.Option(help="Notebooks run in parallel when they do not depend on each other.")] = 2,
    update_notebooks: Annotated[bool, typer.Option(
        help="Also save outputs back into notebooks/ (developers).")] = False,
    dry_run: Annotated[bool, typer.Option(help="Only list the steps in order.")] = False,
    force: Annotated[bool, typer.Option(
        help="Run every step, even those whose notebook, data, code and parameters are unchanged since the last "
             "run (reports/run_record.json).")] = False,
) -> None:
    """Run every notebook in order (cleaning, measures, impact, reports) and render reports/index.html."""
    pipeline = _pipeline()

    if dry_run:
        typer.echo(pipeline.steps_as_json(pipeline.discover(only=only)))
        return
    raw = config.paths()["raw"]
    if not raw.is_dir() or not [p for p in raw.iterdir() if not p.name.startswith(".")]:
        _fail(f"no field files in {raw}: run `evalkit synth` (demo) or copy your files there (see README)")
    try:
        timings = pipeline.run(only=only, workers=workers, update_notebooks=update_notebooks, force=force)
    except pipeline.PipelineError as exc:
        _fail(str(exc))
    total = sum(timings.values())
    typer.echo(f"ran {len(timings)} notebooks ({total:.0f} s of notebook time; unchanged steps reused, "
               f"--force runs all); open {config.paths()['reports'] / 'index.html'}")


@app.command()
def report(
    region: Annotated[str, typer.Option(help="A region present in the cleaned data, in any common spelling "
                                             "(\"Kab. Bogor\", \"KOTA BEKASI\", a Kemendagri code).")],
    lang: Annotated[str, typer.Option(help="Report language: id (Bahasa Indonesia) or en.")] = "id",
) -> None:
    """Render one region's evaluation report (needs `evalkit run` or at least the cleaning step first)."""
    from evalkit.ingest.normalise import NormaliseError, parse_region

    pipeline = _pipeline()

    if lang not in ("id", "en"):
        _fail(f"--lang must be 'id' or 'en', not {lang!r}")
    try:
        canonical = parse_region(region)
    except NormaliseError as exc:
        _fail(f"region {region!r}: {exc}")
    steps = pipeline.discover(only=["08"])
    if not steps:
        _fail("notebooks/08_region_report.ipynb is missing")
    if any(s.template is not None for s in steps):
        _fail("no cleaned data yet: run `evalkit clean` (or `evalkit run`) first")
    present = sorted({s.parameters.get("region") for s in steps})
    chosen = [s for s in steps if s.parameters.get("region") == canonical and s.parameters.get("lang") == lang]
    if not chosen:
        _fail(f"the cleaned data have no region {canonical!r}; regions present: {', '.join(map(str, present))}")
    try:
        pipeline._run_step(chosen[0], str(config.paths()["reports"]), False)
    except pipeline.PipelineError as exc:
        _fail(str(exc))
    typer.echo(f"wrote {config.paths()['reports'] / chosen[0].output}.html")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
