"""Figure saving (deterministic bytes, all formats) and table writing (small-cell suppression)."""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from evalkit.report.figures import save_figure, set_theme, slugify
from evalkit.report.tables import count_columns, suppress_small_cells, write_table


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


def test_save_figure_solves_the_layout_once_and_keeps_it(tmp_path):
    """The constrained layout is solved once and then kept: afterwards the axes sit where a fresh
    constrained draw puts them (within half a pixel at 110 dpi), the figure no longer re-solves its layout, and
    the figure's own PNG drawn again equals the one written."""
    import io

    from matplotlib.layout_engine import ConstrainedLayoutEngine

    reference = _figure()
    reference.canvas.draw()
    expected = reference.axes[0].get_position().bounds
    fig = _figure()
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    written = save_figure(fig, "frozen", tmp_path)
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    np.testing.assert_allclose(fig.axes[0].get_position().bounds, expected, atol=0.5 / (110 * 4))
    again = io.BytesIO()
    with plt.rc_context({"svg.hashsalt": "evalkit"}):
        fig.savefig(again, format="png", dpi=300, metadata={"Software": "evalkit"})
    assert again.getvalue() == written["png"].read_bytes()
    plt.close(reference)
    plt.close(fig)


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
    out = suppress_small_cells(t, complementary=False)
    assert out["suppressed"].tolist() == [False, True, False, False]
    assert out.loc[1, ["n", "mean", "share"]].isna().all()
    assert out.loc[2, "mean"] == 2.5  # exactly 5 people is published
    out13 = suppress_small_cells(t, threshold=13, complementary=False)
    assert out13["suppressed"].tolist() == [True, True, True, False]
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


def test_write_table_csv_keeps_rupiah_amounts_whole(tmp_path):
    """Rp1,234,567,890 must not become 1.23457e+09 in the published CSV (it was written with %.6g); floats
    keep 15 significant digits, the precision a float64 guarantees, so 0.1 + 0.2 stays 0.3."""
    t = pd.DataFrame({"region": ["a"], "cost_rp": [1_234_567_890.0], "share": [0.1 + 0.2], "ikm": [82.123456789]})
    csv = write_table(t, "costs", tmp_path)["csv"].read_text().splitlines()
    assert csv[1] == "a,1234567890,0.3,82.123456789"


def test_make_clean_keeps_committed_screenshots(tmp_path):
    """`make clean` removes derived files only: reports/screenshots/ is committed (README pictures)."""
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(root / "Makefile", tmp_path / "Makefile")
    for f in ("reports/screenshots/index.png", "reports/index.html", "reports/figures/a.png",
              "data/processed/employees.parquet"):
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("x")
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "reports/screenshots/index.png").exists()
    assert not (tmp_path / "reports/index.html").exists() and not (tmp_path / "reports/figures").exists()
    assert not (tmp_path / "data/processed/employees.parquet").exists()


def test_requires_python_admits_current_releases():
    """pyproject's requires-python must not refuse a current CPython (it said <3.14)."""
    import tomllib
    from pathlib import Path

    from packaging.specifiers import SpecifierSet

    meta = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    spec = SpecifierSet(meta["project"]["requires-python"])
    assert all(v in spec for v in ("3.11.7", "3.12.0", "3.13.1", "3.14.0"))


def test_complementary_suppression_protects_a_blanked_cell_from_the_total():
    """With a published total, one blanked row is recovered by subtraction (12 + 4 + 9 = 25: 25 - 12 - 9 = 4).
    Secondary suppression blanks the next smallest row of the same group, and only where one row was blanked."""
    t = pd.DataFrame({"region": ["x", "x", "x", "y", "y", "y"], "mode": list("abcabc"),
                      "n": [12, 4, 9, 3, 2, 30], "mean": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = suppress_small_cells(t, by="region")
    assert out["suppressed"].tolist() == [False, True, True, True, True, False]
    total_x = t.loc[t.region == "x", "n"].sum()
    published = out.loc[(out.region == "x") & ~out.suppressed, "n"].sum()
    assert total_x - published == 4 + 9   # two blanked rows: the small one is no longer identified
    whole = suppress_small_cells(t.iloc[:3])
    assert whole["suppressed"].tolist() == [False, True, True]


def test_count_columns_other_than_n_are_found_and_enforced(tmp_path):
    """Suppression used to apply only when a column was literally `n`: a table counting `respondents` or
    `n_attended` reached the CSV unprotected."""
    t = pd.DataFrame({"unit": ["a", "b", "c"], "respondents": [40, 3, 25], "ikm": [80.0, 95.0, 70.0]})
    with pytest.raises(ValueError, match="suppress_small_cells"):
        write_table(t, "ikm", tmp_path)
    out = suppress_small_cells(t)
    assert np.isnan(out.loc[1, "ikm"]) and np.isnan(out.loc[2, "ikm"]) and out.loc[0, "ikm"] == 80.0
    assert count_columns(pd.DataFrame(columns=["n_attended", "mean_n", "jumlah_peserta", "name", "unit", "n_clusters",
                                               "n_rows", "n_tests"])) == ["n_attended", "mean_n", "jumlah_peserta"]


def test_publish_suppresses_then_writes(tmp_path):
    from evalkit.report.tables import publish

    t = pd.DataFrame({"unit": ["a", "b", "c"], "n": [12, 3, 40], "mean": [3.2, 1.0, 2.0]})
    assert publish(t, "units", "Units", directory=tmp_path) == "units"
    csv = pd.read_csv(tmp_path / "units.csv")
    assert csv["suppressed"].tolist() == [True, True, False]  # b (3 people) and its complement a
    assert csv["mean"].isna().tolist() == [True, True, False]
