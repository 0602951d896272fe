"""Figure saving (deterministic bytes, all formats) and table writing (small-cell suppression)."""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from evalkit.report.figures import save_figure, set_theme, slugify
from evalkit.report.tables import suppress_small_cells, write_table


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _figure():
    set_theme()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(np.arange(5), np.arange(5) ** 2, marker="o", label="y")
    ax.set(title="Waktu tunggu / waiting time", xlabel="bulan", ylabel="menit")
    ax.legend()
    return fig


def test_save_figure_writes_three_formats_deterministically(tmp_path):
    first = save_figure(_figure(), "Event study: SKP", tmp_path / "a", close=True)
    second = save_figure(_figure(), "Event study: SKP", tmp_path / "b", close=True)
    assert sorted(first) == ["pdf", "png", "svg"]
    assert first["svg"].name == "event_study_skp.svg"
    for fmt in ("pdf", "svg", "png"):
        assert _digest(first[fmt]) == _digest(second[fmt]), fmt
    assert b"CreationDate" not in first["pdf"].read_bytes()
    assert not list((tmp_path / "a").glob(".*tmp"))  # atomic: no temporary file left


def test_pdf_embeds_truetype_fonts(tmp_path):
    pdf = save_figure(_figure(), "fonts", tmp_path, formats=["pdf"], close=True)["pdf"].read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf  # TrueType (fonttype 42), not Type 3


def test_slugify_rejects_empty():
    assert slugify("IKM per unit (2024)") == "ikm_per_unit_2024"
    with pytest.raises(ValueError):
        slugify("  ::  ")


def test_suppress_small_cells_blanks_rows_under_threshold():
    t = pd.DataFrame({"unit": ["a", "b", "c", "d"], "n": [12, 4, 5, 0], "mean": [3.2, 1.0, 2.5, np.nan],
                      "share": [0.5, 0.25, 0.4, np.nan]})
    out = suppress_small_cells(t)
    assert out["suppressed"].tolist() == [False, True, False, False]
    assert out.loc[1, ["n", "mean", "share"]].isna().all()
    assert out.loc[2, "mean"] == 2.5  # exactly 5 people is published
    assert suppress_small_cells(t, threshold=13)["suppressed"].tolist() == [True, True, True, False]
    with pytest.raises(ValueError, match="count column"):
        suppress_small_cells(t, n_col="people")


def test_write_table_requires_suppression_and_writes_csv_tex(tmp_path):
    t = pd.DataFrame({"unit": ["a", "b"], "n": [12, 3], "mean": [3.21, 1.0]})
    with pytest.raises(ValueError, match="suppress_small_cells"):
        write_table(t, "ikm", tmp_path)
    paths = write_table(suppress_small_cells(t), "IKM per unit", tmp_path, caption="IKM")
    csv = paths["csv"].read_text()
    assert csv.splitlines()[0] == "unit,n,mean,suppressed" and ",,," in csv.splitlines()[2]
    assert "\\begin{table}" in paths["tex"].read_text() and "--" in paths["tex"].read_text()
