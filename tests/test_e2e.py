"""The whole pipeline on the demo, twice: byte-identical outputs, no personal data anywhere, raw files untouched.

This is the check behind three promises of the README: same inputs give the same files (Parquet, CSV, SVG);
NIPs and names never reach data/processed, reports/ or the committed notebooks; data/raw is never written.
It runs every notebook (about as long as `make report`), in temporary folders.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evalkit import pipeline
from evalkit.config import PROJ_ROOT
from evalkit.privacy import personal_values, scan
from evalkit.synth import generate

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]

COMPARED = (".parquet", ".csv", ".svg")


def _digests(root: Path, suffixes=None) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and (suffixes is None or p.suffix in suffixes)}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("e2e")
    raw, truth = base / "raw", base / "truth"
    generate(raw, truth_dir=truth)
    raw_before = _digests(raw)
    runs = []
    for name in ("a", "b"):
        mp.setenv("EVALKIT_DATA_DIR", str(base / name / "data"))
        mp.setenv("EVALKIT_RAW_DIR", str(raw))
        mp.setenv("EVALKIT_TRUTH_DIR", str(truth))
        mp.setenv("EVALKIT_REPORTS_DIR", str(base / name / "reports"))
        mp.setenv("EVALKIT_KEY", "e2e-test-key-not-secret")
        mp.setenv("MPLBACKEND", "Agg")
        pipeline.run(workers=2, progress=False)
        runs.append(base / name)
    mp.undo()
    return raw, raw_before, runs


def test_raw_files_unchanged(two_runs):
    raw, before, _ = two_runs
    assert _digests(raw) == before


def test_every_notebook_and_region_report_rendered(two_runs, monkeypatch):
    _, _, (a, _) = two_runs
    index = (a / "reports" / "index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("EVALKIT_DATA_DIR", str(a / "data"))  # region reports follow the regions in run a's data
    steps = pipeline.discover()
    assert sum(1 for s in steps if s.stem == "08_region_report") == 10  # five demo regions, two languages
    for step in steps:
        assert (a / "reports" / f"{step.output}.html").exists(), step.name
        assert f'href="{step.output}.html"' in index


def test_outputs_are_byte_identical_across_runs(two_runs):
    _, _, (a, b) = two_runs
    for sub in ("data/processed", "reports"):
        da, db = _digests(a / sub, COMPARED), _digests(b / sub, COMPARED)
        assert da, f"no outputs in {sub}"
        assert sorted(da) == sorted(db)
        differ = [k for k in da if da[k] != db[k]]
        assert not differ, f"differ between two runs: {differ[:10]}"


def test_no_nip_or_name_in_any_output_or_committed_notebook(two_runs):
    raw, _, (a, _) = two_runs
    nips, names = personal_values(raw)
    assert len(nips) > 9000 and len(names) > 9000  # the scan looks for something real
    hits = scan([a / "data" / "processed", a / "reports", PROJ_ROOT / "notebooks"], nips, names)
    assert hits.empty, hits.groupby(["file", "kind"]).size().to_string()
