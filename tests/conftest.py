"""Shared fixtures. Tests never touch the project's data/ or reports/: they redirect evalkit's paths to tmp."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest


@pytest.fixture
def tmp_project(tmp_path, monkeypatch):
    """Point every evalkit path at a temporary folder (data/raw, data/processed, reports)."""
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    monkeypatch.setenv("EVALKIT_DATA_DIR", str(data))
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("EVALKIT_KEY", "test-key-not-secret")
    return tmp_path
