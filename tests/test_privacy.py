"""The leak scanner finds what it must (so a zero-hit scan means something) and the cleaner leaks nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.ingest import clean
from evalkit.privacy import personal_values, scan
from evalkit.synth import generate


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    generate(base / "raw", n_employees=300, truth_dir=base / "truth")
    return base


def test_personal_values_come_from_the_raw_roster(small_demo):
    nips, names = personal_values(small_demo / "raw")
    # every employee has a NIP; the planted invalid ones (wrong length) are not 18 digits and are not counted
    assert 290 <= len(nips) <= 310
    assert all(len(n) == 18 and n.isdigit() for n in nips)
    assert len(names) >= 250 and all(" " in n for n in names)


def test_scan_finds_planted_leaks_in_every_form(small_demo, tmp_path):
    nips, names = personal_values(small_demo / "raw")
    nip = sorted(nips)[0]
    name = sorted(n for n in names if len(n.split()) == 2)[0]
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[14 + 1:]}"
    (tmp_path / "leak.csv").write_text(f"unit,who\nA,{spaced}\n", encoding="utf-8")
    (tmp_path / "leak.html").write_text(f"<p>Kata {name.title()}: bagus</p>", encoding="utf-8")
    pd.DataFrame({"x": [f"NIP {nip}"]}).to_parquet(tmp_path / "leak.parquet")
    (tmp_path / "fine.csv").write_text("unit,n\nA,12\n", encoding="utf-8")
    hits = scan([tmp_path], nips, names)
    assert sorted(zip(hits["file"].str.rsplit("/", n=1).str[-1], hits["kind"])) == [
        ("leak.csv", "nip"), ("leak.html", "name"), ("leak.parquet", "nip")]
    assert not hits["value_digest"].str.contains(nip).any()  # the report of a leak does not leak


def test_clean_output_has_no_nip_or_name(small_demo, tmp_path):
    nips, names = personal_values(small_demo / "raw")
    clean(small_demo / "raw", tmp_path / "processed", key="test-key")
    hits = scan([tmp_path / "processed"], nips, names)
    assert hits.empty, hits
