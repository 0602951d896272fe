"""The `evalkit` command as a user meets it: readable help, readable errors, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from evalkit.cli import app

BAD = Path(__file__).parent / "badinput"
runner = CliRunner()


def test_help_lists_every_command():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for cmd in ("synth", "check", "clean", "run", "report"):
        assert cmd in res.output


@pytest.mark.parametrize("cmd", ["synth", "check", "clean", "run", "report"])
def test_each_command_has_help(cmd):
    res = runner.invoke(app, [cmd, "--help"])
    assert res.exit_code == 0, res.output
    assert len(res.output.splitlines()) > 3


def test_check_on_bad_corpus_names_file_row_column_and_exits_1(tmp_project):
    raw = tmp_project / "bad"
    shutil.copytree(BAD, raw)
    res = runner.invoke(app, ["check", str(raw)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    # the crafted file with Likert answers outside the scale is named with its row and column
    line = next(ln for ln in res.output.splitlines() if ln.startswith("error") and "likert_outside" in ln)
    assert any(tok.isdigit() for tok in line.split())
    assert "outside" in line


def test_check_without_warnings_lists_errors_only(tmp_project):
    raw = tmp_project / "bad"
    shutil.copytree(BAD, raw)
    res = runner.invoke(app, ["check", str(raw), "--no-warnings"])
    assert res.exit_code == 1
    assert not any(ln.startswith("warning") for ln in res.output.splitlines())


def test_check_on_missing_folder_is_a_readable_error(tmp_project):
    res = runner.invoke(app, ["check", str(tmp_project / "nope")])
    assert res.exit_code == 1
    assert "is not a folder" in res.output
    assert "Traceback" not in res.output


def test_clean_prints_a_balanced_summary(tmp_project):
    raw = tmp_project / "bad"
    shutil.copytree(BAD, raw)
    out = tmp_project / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output and "CleanResult(" not in res.output
    total = next(ln for ln in res.output.splitlines() if ln.startswith("total"))
    read, kept, quarantined = (int(tok) for tok in total.split() if tok.isdigit())
    assert read == kept + quarantined > 0
    manifest = pd.read_json(out / "manifest.json", typ="series")
    assert sum(t["rows_read"] for t in manifest["tables"].values()) == read


def test_run_without_field_files_says_what_to_do(tmp_project):
    res = runner.invoke(app, ["run"])
    assert res.exit_code == 1
    assert "evalkit synth" in res.output


def test_report_rejects_unknown_region_and_language(tmp_project):
    res = runner.invoke(app, ["report", "--region", "Atlantis"])
    assert res.exit_code == 1 and "unknown region" in res.output
    res = runner.invoke(app, ["report", "--region", "Mamuju", "--lang", "fr"])
    assert res.exit_code == 1 and "--lang" in res.output


def test_core_imports_without_jupyter_or_duckdb():
    """The estimators install without the `pipeline` and `national` extras: with nbformat, nbclient, nbconvert,
    papermill, jupyterlab and duckdb made unimportable, the core imports, the estimators and the cleaner's
    pseudonyms run, and `evalkit run` says which extra to install instead of a traceback."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import sys
        for m in ("nbformat", "nbclient", "nbconvert", "papermill", "jupyterlab", "duckdb", "ipykernel"):
            sys.modules[m] = None
        import numpy as np, pandas as pd
        import evalkit.impact, evalkit.measures, evalkit.ingest, evalkit.report.tables, evalkit.datasets
        from evalkit.impact import did
        df = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3], "t": [1, 2] * 3, "y": [1.0, 3.0, 1.5, 2.0, 0.5, 1.2],
                           "d": [0, 1, 0, 0, 0, 0]})
        assert round(float(did(df, "y", "id", "t", "d").coef()["d"]), 3) == 1.4
        from evalkit.ingest.pseudonym import MANY, pseudonymise, pseudonymise_many
        nips = [f"{19600101 + i % 9000}{i:010d}" for i in range(MANY)]
        assert pseudonymise_many(nips, b"k")[:3] == [pseudonymise(n, b"k") for n in nips[:3]]
        from typer.testing import CliRunner
        from evalkit.cli import app
        res = CliRunner().invoke(app, ["run", "--dry-run"])
        assert res.exit_code == 1 and "evalkit[pipeline]" in res.output, res.output
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]


def test_clean_keeps_an_office_outside_the_demo_regions(tmp_project):
    """Any kabupaten/kota of Indonesia is a region (it used to be quarantined as 'unknown region' unless it was
    one of the five demo regions); a made-up one still goes to quarantine with the closest names."""
    raw = tmp_project / "office"
    raw.mkdir()
    (raw / "pegawai.csv").write_text(
        "NIP,Nama,Wilayah,Unit Kerja,Jenis Jabatan,Golongan,Pendidikan\n"
        "198503172010012004,Siti Aminah,Kab. Bogor,Dinas Kesehatan,fungsional,III/a,S1\n"
        "198712252012122003,Sri Mulyani,KOTA BEKASI,BKPSDM,pelaksana,II/a,SMA\n"
        "199001012015031002,Budi Santoso,3201,BKPSDM,struktural,III/c,S2\n"
        "199105052016042001,Ani Yudha,Kabupaten Bogorr,BKPSDM,pelaksana,II/b,SMA\n", encoding="utf-8")
    out = tmp_project / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    emp = pd.read_parquet(out / "employees.parquet")
    assert sorted(emp["region"].astype(str)) == ["Kabupaten Bogor", "Kabupaten Bogor", "Kota Bekasi"]
    q = pd.read_parquet(out / "quarantine" / "employees.parquet")
    assert len(q) == 1 and "unknown region" in q["reason"].iloc[0] and "Kabupaten Bogor" in q["reason"].iloc[0]


def test_presensi_codes_give_attendance_and_the_reason(tmp_project):
    """An attendance sheet that writes presensi codes in Hadir (H, S, DL - Dinas Luar) and leaves the reason
    blank: the codes give attended yes/no and fill the reason; a reason the office wrote is kept."""
    from evalkit.ingest.spec import RAW_TABLES

    raw = tmp_project / "office"
    raw.mkdir()
    nips = ["198503172010012004", "198712252012122003", "199001012015031002"]
    (raw / "pegawai.csv").write_text(
        "NIP,Nama,Wilayah,Unit Kerja,Jenis Jabatan,Golongan,Pendidikan\n"
        + "".join(f"{n},Orang {i},Kab. Bogor,BKPSDM,pelaksana,II/a,SMA\n" for i, n in enumerate(nips)),
        encoding="utf-8")
    prog = RAW_TABLES["programmes"]
    (raw / "pelatihan.csv").write_text(
        ",".join(f.aliases[0] for f in prog.fields) + "\n"
        "PEL-1,Pelayanan Prima,Pelayanan,klasikal,24,1 Maret 2025,3 Maret 2025,Kab. Bogor,Rp 30.000.000,BPSDM\n",
        encoding="utf-8")
    enr = RAW_TABLES["enrolments"]
    fields = [f for f in enr.fields if f.name != "region"]  # the programme list places the training
    header = [f.aliases[0] for f in fields]
    rows = []
    for nip, hadir, reason in ((nips[0], "H", ""), (nips[1], "S", ""), (nips[2], "DL - Dinas Luar", "Rapat provinsi")):
        cells = {"nip": nip, "programme_id": "PEL-1", "attended": hadir, "reason_absent": reason,
                 "attendance_share": "100%" if hadir == "H" else "0%", "completed": "Ya" if hadir == "H" else "Tidak"}
        rows.append(",".join(cells.get(f.name, "Ya" if f.kind == "yesno" and not f.name.startswith("barrier")
                                       else "Tidak") for f in fields))
    (raw / "presensi.csv").write_text(",".join(header) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_project / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    e = pd.read_parquet(out / "enrolments.parquet").sort_values("attended", ascending=False)
    assert e["attended"].tolist() == [True, False, False]
    assert sorted(e["reason_absent"].dropna().tolist()) == ["Rapat provinsi", "Sakit"]
