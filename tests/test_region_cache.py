"""The region findings cache (evalkit.report.region.cache): ``region_findings(..., cache=True)`` computes a region's
findings once and the report's second language loads them, but only while the cleaned data, the context and
evalkit's code are the same; a report rendered from the cache is the report rendered fresh. Also: the cache does
not count as data for the pipeline's incremental runs, and region figures can be written in one format."""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pytest
from test_region_report import SECTION_FUNCS, synthetic_tables

import evalkit
from evalkit import pipeline
from evalkit.report import region as R
from evalkit.report.region import cache as C
from evalkit.report.region import findings as findings_module

CONTEXT = {"synthetic": True, "regions": {"Mamuju": {"background": {"id": "Latar.", "en": "Background."}}}}


@pytest.fixture(scope="module")
def tables():
    return synthetic_tables()


@pytest.fixture
def project(tmp_project, tables):
    """A temporary project whose data/processed holds the two-region synthetic tables."""
    processed = tmp_project / "data" / "processed"
    processed.mkdir(parents=True)
    for name, df in tables.items():
        df.to_parquet(processed / f"{name}.parquet")
    return processed


@pytest.fixture
def computed(monkeypatch):
    """Counts how often the findings are really computed (not loaded)."""
    calls = []
    real = findings_module._reach

    def counting(s):
        calls.append(1)
        return real(s)

    monkeypatch.setattr(findings_module, "_reach", counting)
    return calls


def _report(F) -> str:
    return "\n\n".join(getattr(R, name)(F, lang) for lang in ("id", "en") for name in SECTION_FUNCS)


def _figures(F) -> dict[tuple[str, str], bytes]:
    import matplotlib.pyplot as plt

    from evalkit.report.figures import set_theme

    set_theme()
    out = {}
    for lang in ("id", "en"):
        for kind in R.FIGURES:
            fig = R.figure(F, kind, lang, save=False)
            if fig is None:
                continue
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=60, metadata={"Software": None})
            plt.close(fig)
            out[(lang, kind)] = buf.getvalue()
    return out


def test_second_call_loads_the_findings_and_renders_the_same_report(project, computed):
    first = R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 1 and C.cache_path("Mamuju").is_file()
    assert C.cache_path("Mamuju").parent == project / "cache" / "region_findings"
    second = R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 1  # loaded, not computed
    assert second is not first
    fresh = R.region_findings("Mamuju", context=CONTEXT)  # no cache: computed again
    assert len(computed) == 2
    assert _report(second) == _report(fresh)
    assert R.headline(second) == R.headline(fresh)
    for (name, a), (name_b, b) in zip(R.published_tables(second).items(), R.published_tables(fresh).items()):
        assert name == name_b
        pd.testing.assert_frame_equal(a, b)
    assert _figures(second) == _figures(fresh)


def test_each_region_has_its_own_entry(project, computed):
    mamuju = R.region_findings("Mamuju", context=CONTEXT, cache=True)
    jakarta = R.region_findings("DKI Jakarta", context=CONTEXT, cache=True)
    assert len(computed) == 2 and mamuju["region"] == "Mamuju" and jakarta["region"] == "DKI Jakarta"
    assert R.region_findings("DKI Jakarta", context=CONTEXT, cache=True)["region"] == "DKI Jakarta"
    assert len(computed) == 2


def test_changed_data_are_recomputed(project, computed):
    before = R.region_findings("Mamuju", context=CONTEXT, cache=True)
    tests = pd.read_parquet(project / "tests.parquet")
    tests["post_score"] = tests["post_score"] + 1.0  # one more point for everyone
    tests.to_parquet(project / "tests.parquet")
    after = R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 2
    assert after["learning"]["gain"] == pytest.approx(before["learning"]["gain"] + 1.0)
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 2  # the new data's findings are cached in turn


def test_changed_context_is_recomputed(project, computed):
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    other = {**CONTEXT, "regions": {"Mamuju": {"background": {"id": "Lain.", "en": "Other."}}}}
    F = R.region_findings("Mamuju", context=other, cache=True)
    assert len(computed) == 2 and F["context"]["background"]["en"] == "Other."
    R.region_findings("Mamuju", context={}, cache=True)
    assert len(computed) == 3


def test_context_file_is_part_of_the_key_when_not_passed(project, computed, tmp_project):
    import json

    R.region_findings("Mamuju", cache=True)  # no context file: {}
    (tmp_project / "data" / "raw" / "konteks.json").write_text(json.dumps(CONTEXT), encoding="utf-8")
    F = R.region_findings("Mamuju", cache=True)
    assert len(computed) == 2 and F["context"]["background"]["id"] == "Latar."


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """evalkit's files copied to a temporary folder that the code fingerprint reads instead (as if this process had
    imported evalkit from there)."""
    copy = tmp_path / "evalkit_copy"
    shutil.copytree(pipeline.Path(evalkit.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(evalkit, "__file__", str(copy / "__init__.py"))
    monkeypatch.setattr(C, "_CODE_AT_IMPORT", C._code_fingerprint())
    return copy


def _edit(package):
    with open(package / "report" / "region" / "effects.py", "a", encoding="utf-8") as f:
        f.write("\n# an edit\n")


def test_changed_code_is_recomputed(project, computed, package_copy, monkeypatch):
    """The key covers every source file of the package (pipeline's code fingerprint): a process started after one
    module was edited does not load the findings of the code before."""
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 1
    _edit(package_copy)
    monkeypatch.setattr(C, "_CODE_AT_IMPORT", C._code_fingerprint())  # a new process, importing the edited code
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 2
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 2


def test_code_edited_during_the_session_bypasses_the_cache(project, computed, package_copy):
    """evalkit edited while a kernel runs: the code in memory is not the code on disk, so nothing is loaded (the
    findings of the new code may differ) and nothing is stored (under the new code's key, the old code's findings
    would be stale for the next process)."""
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    stored = C.cache_path("Mamuju").read_bytes()
    _edit(package_copy)
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 3
    assert C.cache_path("Mamuju").read_bytes() == stored


def test_changed_setting_or_library_version_is_recomputed(project, computed, monkeypatch):
    from evalkit.report.region import _base

    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    monkeypatch.setattr(_base, "BOOTSTRAP_B", 999)
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 2
    monkeypatch.setattr(C, "_dependency_versions", lambda: {"pandas": "0.0"})
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 3


def test_damaged_or_foreign_file_is_recomputed_and_replaced(project, computed):
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    path = C.cache_path("Mamuju")
    data = path.read_bytes()
    path.write_bytes(data[:-10])  # truncated
    assert R.region_findings("Mamuju", context=CONTEXT, cache=True)["region"] == "Mamuju"
    assert len(computed) == 2 and path.read_bytes() == data
    path.write_bytes(b"not a cache file")
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 3
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_unwritable_cache_folder_still_gives_the_findings(project, computed):
    (project / "cache").write_text("a file where the cache folder would be")
    F = R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert F["region"] == "Mamuju" and len(computed) == 1
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert len(computed) == 2  # nothing cached, computed each time


def test_cache_only_for_the_tables_of_data_processed(tables):
    with pytest.raises(ValueError, match="cache=True needs the tables read from data/processed"):
        R.region_findings("Mamuju", tables, context=CONTEXT, cache=True)


def test_cache_is_not_data_for_incremental_runs(project):
    """Writing the cache must not make the steps that read data/processed look changed (they would all re-run
    on the next `evalkit run`); a real table change still does."""
    hasher = pipeline._Hasher()
    before = pipeline._data_fingerprint(hasher, project)
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    assert C.cache_path("Mamuju").is_file()
    assert pipeline._data_fingerprint(pipeline._Hasher(), project) == before
    (project / "budgets.parquet").write_bytes(b"changed")
    assert pipeline._data_fingerprint(pipeline._Hasher(), project) != before


# ------------------------------------------------------------------------------------------------ figures
def test_region_figure_in_one_format_removes_the_stale_other_formats(tmp_project, tables):
    import matplotlib.pyplot as plt

    from evalkit.report.figures import set_theme

    set_theme()
    F = R.region_findings("Mamuju", tables)
    folder = tmp_project / "reports" / "figures"
    plt.close(R.figure(F, "funnel", "en"))  # default: PDF, SVG and PNG
    assert {p.suffix for p in folder.glob("region_mamuju_en_funnel.*")} == {".pdf", ".svg", ".png"}
    plt.close(R.figure(F, "funnel", "en", formats=["png"]))
    assert [p.name for p in folder.glob("region_mamuju_en_funnel.*")] == ["region_mamuju_en_funnel.png"]


def test_forced_run_recomputes_the_cached_findings(project, tables, tmp_path):
    """`evalkit run --force` trusts nothing kept from earlier runs: it empties the cache (an ordinary run keeps it)."""
    R.region_findings("Mamuju", context=CONTEXT, cache=True)
    empty = tmp_path / "no_notebooks"
    empty.mkdir()
    pipeline.run(notebooks_dir=empty, progress=False)
    assert C.cache_path("Mamuju").is_file()
    pipeline.run(notebooks_dir=empty, progress=False, force=True)
    assert not (project / pipeline.PROCESSED_CACHE).exists()
    assert sorted(p.name for p in project.iterdir()) == sorted(f"{n}.parquet" for n in tables)


def test_key_is_the_same_in_every_process(project):
    """The second language's report runs in another kernel: the key must not depend on hash randomisation."""
    import os
    import subprocess
    import sys

    code = "from evalkit.report.region import cache as C; print(C.findings_key('Mamuju', {'regions': {}}))"
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert keys == {C.findings_key("Mamuju", {"regions": {}})}
