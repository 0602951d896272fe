"""National-scale synthetic data (``evalkit.synth.national``, ``evalkit synth --scale national``), at small sizes.

Checks: the tables have the canonical column names (``evalkit.ingest.schemas.output_columns``) and the Arrow
types of ``data/processed``; chunked streaming gives one row per employee and unique ids; the same seed
gives identical tables; the in-memory analysis panel equals the panel rebuilt independently from the
written Parquet with ``evalkit.datasets.first_training``; and the estimators recover the planted effect
(truth: ATT(g,t) = 1.5 + 0.5 (t - g) report-quality points, written to national_truth.json).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from evalkit.synth import national as nat

TABLES = ("employees", "programmes", "enrolments", "reaction", "tests", "followup", "performance", "services",
          "skm", "budgets")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    base = tmp_path_factory.mktemp("national")
    summary = nat.generate_national(base / "out", n_employees=3000, seed=5)
    return base, summary


def test_tables_have_canonical_columns_and_types(small):
    from evalkit.ingest.schemas import output_columns

    base, summary = small
    for t in TABLES:
        schema = pq.read_schema(base / "out" / f"{t}.parquet")
        # optional columns (a training file's own region) are written only when a field file gives them
        assert schema.names == [c.name for c in output_columns(t) if not c.optional], t
        assert schema.equals(nat.SCHEMAS[t], check_metadata=False), t
    assert summary["rows"]["employees"] == 3000
    assert summary["rows"]["performance"] == 3000 * len(nat.YEARS)
    assert 4.5 < summary["rows"]["enrolments"] / 3000 < 5.5  # ~28M training records at 5.6M employees
    truth = json.loads((base / "truth_national" / "national_truth.json").read_text())
    assert truth["att_gt"]["2022,2024"] == 2.5 and truth["att_gt"]["2024,2022"] == 0.0
    assert sum(truth["first_completed_year_counts"].values()) == 3000


def test_chunked_streaming_and_reproducible(tmp_path, monkeypatch):
    monkeypatch.setattr(nat, "CHUNK_EMPLOYEES", 700)  # 4 chunks
    nat.generate_national(tmp_path / "a", n_employees=2500, seed=9, truth_dir=tmp_path / "ta")
    nat.generate_national(tmp_path / "b", n_employees=2500, seed=9, truth_dir=tmp_path / "tb")
    emp = pd.read_parquet(tmp_path / "a" / "employees.parquet")
    assert len(emp) == 2500 and emp.person_id.is_unique
    assert pq.ParquetFile(tmp_path / "a" / "performance.parquet").num_row_groups == 4
    for t in TABLES:
        a = pq.read_table(tmp_path / "a" / f"{t}.parquet")
        b = pq.read_table(tmp_path / "b" / f"{t}.parquet")
        assert a.equals(b), t
    with pytest.raises(ValueError, match="already contains files"):
        nat.generate_national(tmp_path / "a", n_employees=10, truth_dir=tmp_path / "tc")


def test_panel_equals_panel_rebuilt_from_parquet(small):
    from evalkit.datasets import first_training

    base, _ = small
    out = base / "out"
    perf = pd.read_parquet(out / "performance.parquet")
    emp = pd.read_parquet(out / "employees.parquet")
    first = first_training(pd.read_parquet(out / "enrolments.parquet"), pd.read_parquet(out / "programmes.parquet"))
    first["g"] = first["first_date"].dt.year
    perf["id"] = perf["person_id"].map(dict(zip(emp.person_id, range(len(emp)))))
    perf["t"] = perf["period"].astype(int)
    perf = perf.merge(first[["person_id", "g"]], on="person_id", how="left").fillna({"g": 0})
    perf = perf.sort_values(["id", "t"]).reset_index(drop=True)
    panel = nat.national_panel(3000, seed=5)
    np.testing.assert_array_equal(panel["id"], perf["id"])
    np.testing.assert_array_equal(panel["t"], perf["t"])
    np.testing.assert_array_equal(panel["g"], perf["g"].astype(int))
    np.testing.assert_array_equal(panel["y"], perf["report_quality"])
    np.testing.assert_array_equal(panel["d"], ((panel.g > 0) & (panel.t >= panel.g)).astype(int))


def test_estimators_recover_the_planted_effect():
    from evalkit.impact import did, staggered_att

    panel = nat.national_panel(40_000, seed=3)
    dyn = staggered_att(panel, "y", "id", "t", "g", aggregate="dynamic")
    assert dyn.details["path"] == "fast"
    assert any("already treated in the first period" in n for n in dyn.notes)
    tid = dyn.tidy().set_index("term")
    for e in range(4):
        truth = 1.5 + 0.5 * e
        row = tid.loc[f"rel::{e}"]
        assert abs(row.estimate - truth) < 4 * row.std_error, e
    for e in (-3, -2, -1):  # no anticipation, parallel trends by construction
        assert abs(tid.loc[f"rel::{e}"].estimate) < 4 * tid.loc[f"rel::{e}"].std_error
    simple = staggered_att(panel, "y", "id", "t", "g").tidy().iloc[0]
    kept = (panel.d == 1) & (panel.g > nat.YEARS[0])  # CS drops the cohort trained in the first year
    truth = float(panel.loc[kept, "tau"].mean())
    assert abs(simple.estimate - truth) < 4 * simple.std_error
    tw = did(panel, "y", "id", "t", "d")
    assert tw.details["path"] == "fast"
    # growing effects + already-trained cohorts as controls: TWFE lands below every true effect (1.5 ... 3.5)
    # here (observed 1.44), the Goodman-Bacon (2021) bias that staggered_att avoids
    assert tw.coef().iloc[0] < truth - 4 * tw.se().iloc[0]


def test_cli_scale_option(tmp_path):
    from typer.testing import CliRunner

    from evalkit.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["synth", "--scale", "national", "--employees", "400", "--out", str(tmp_path / "nat")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "nat" / "performance.parquet").exists()
    assert (tmp_path / "truth_national" / "national_truth.json").exists()
    bad = runner.invoke(app, ["synth", "--scale", "galaxy", "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "--scale" in bad.output


def test_panel_from_parquet_equals_in_memory_panel(small):
    """DuckDB build of the estimator panel from the written tables = the generator's own panel."""
    base, _ = small
    got = nat.panel_from_parquet(base / "out", memory_limit="256MiB", threads=1)
    want = nat.national_panel(3000, seed=5)[["id", "t", "g", "d", "y"]]
    pd.testing.assert_frame_equal(got, want)
