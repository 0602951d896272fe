"""The notebook runner: order, parallel DAG, parameter injection, failures named by cell, index."""

from __future__ import annotations

import json

import nbformat
import pytest

from evalkit import pipeline

pytestmark = pytest.mark.notebooks


def _nb(path, cells, meta=None):
    nb = nbformat.v4.new_notebook()
    nb.metadata["evalkit"] = meta or {}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem} title")]
    for src, tags in cells:
        nb.cells.append(nbformat.v4.new_code_cell(src, metadata={"tags": tags} if tags else {}))
    nbformat.write(nb, path)


def test_discover_orders_and_expands_matrix(tmp_path):
    _nb(tmp_path / "01_a.ipynb", [("x = 1", [])])
    _nb(tmp_path / "02_b.ipynb", [("region = 'X'\nlang = 'id'", ["parameters"])],
        {"requires": ["01_a"], "matrix": {"region": ["Mamuju", "DKI Jakarta"], "lang": ["id", "en"]},
         "output": "regions/{region_slug}_{lang}", "hide_input": True})
    (tmp_path / "scratch.ipynb").write_text("{}")  # unnumbered notebooks are not steps
    steps = pipeline.discover(tmp_path)
    assert [s.name for s in steps] == [
        "01_a", "02_b[mamuju_id]", "02_b[dki_jakarta_id]", "02_b[mamuju_en]", "02_b[dki_jakarta_en]"]
    assert steps[1].output == "regions/mamuju_id" and steps[1].hide_input
    assert steps[1].requires == ["01_a"]
    # default requirement: every earlier notebook
    _nb(tmp_path / "03_c.ipynb", [("y = 2", [])])
    assert pipeline.discover(tmp_path)[-1].requires == ["01_a", "02_b"]


def test_run_executes_injects_parameters_and_writes_index(tmp_path):
    nbdir, reports = tmp_path / "nb", tmp_path / "reports"
    nbdir.mkdir()
    _nb(nbdir / "01_a.ipynb", [("print(6 * 7)", [])])
    _nb(nbdir / "02_b.ipynb", [("region = 'X'", ["parameters"]), ("print('report for', region)", [])],
        {"requires": ["01_a"], "matrix": {"region": ["Mamuju"]}, "output": "regions/{region_slug}",
         "hide_input": True})
    timings = pipeline.run(workers=2, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    assert set(timings) == {"01_a", "02_b[mamuju]"}
    executed = nbformat.read(reports / "regions" / "mamuju.ipynb", as_version=4)
    assert executed.cells[2].metadata["tags"] == ["injected-parameters"]
    assert executed.cells[3].outputs[0]["text"] == "report for Mamuju\n"
    html = (reports / "regions" / "mamuju.html").read_text()
    assert "report for Mamuju" in html and "print(" not in html  # code hidden in region reports
    index = (reports / "index.html").read_text()
    assert 'href="01_a.html"' in index and 'href="regions/mamuju.html"' in index
    # no timing metadata: executed copies are reproducible
    assert "execution" not in json.dumps([c.get("metadata", {}) for c in executed.cells])


def test_failure_names_notebook_cell_and_error_and_skips_dependents(tmp_path):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    _nb(nbdir / "01_ok.ipynb", [("a = 1", [])])
    _nb(nbdir / "02_bad.ipynb", [("b = 2", []), ("raise ValueError('kolom hilang')", [])], {"requires": ["01_ok"]})
    _nb(nbdir / "03_after.ipynb", [("c = 3", [])], {"requires": ["02_bad"]})
    with pytest.raises(pipeline.PipelineError) as err:
        pipeline.run(workers=1, progress=False, notebooks_dir=nbdir, reports_dir=tmp_path / "r")
    msg = str(err.value)
    assert "02_bad.ipynb: cell 2" in msg and "ValueError: kolom hilang" in msg
    assert "03_after: skipped" in msg
    assert (tmp_path / "r" / "01_ok.html").exists()


def test_unknown_requirement_is_reported(tmp_path):
    _nb(tmp_path / "01_a.ipynb", [("x = 1", [])], {"requires": ["00_missing"]})
    with pytest.raises(pipeline.PipelineError, match="unknown notebooks"):
        pipeline.discover(tmp_path)


def test_report_html_drops_developer_cells_and_only_keeps_the_index_whole(tmp_path):
    nbdir, reports = tmp_path / "nb", tmp_path / "reports"
    nbdir.mkdir()
    _nb(nbdir / "01_a.ipynb", [("print('analysis')", [])])
    _nb(nbdir / "02_b.ipynb", [("region = 'X'", ["parameters"]), ("print('report for', region)", [])],
        {"requires": ["01_a"], "matrix": {"region": ["Mamuju"]}, "output": "regions/{region_slug}",
         "hide_input": True})
    nb = nbformat.read(nbdir / "02_b.ipynb", as_version=4)
    header = nbformat.v4.new_markdown_cell("**PURPOSE.** for developers only", metadata={"tags": ["developer"]})
    nb.cells.insert(0, header)
    nbformat.write(nb, nbdir / "02_b.ipynb")
    pipeline.run(workers=1, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    html = (reports / "regions" / "mamuju.html").read_text()
    assert "report for Mamuju" in html and "for developers only" not in html
    assert "for developers only" in nbformat.writes(nbformat.read(reports / "regions" / "mamuju.ipynb", 4))
    # re-running one notebook keeps the other's link in the index
    pipeline.run(only=["02"], workers=1, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    index = (reports / "index.html").read_text()
    assert 'href="01_a.html"' in index and 'href="regions/mamuju.html"' in index


def test_kernel_that_cannot_start_is_a_named_pipeline_error(tmp_path):
    _nb(tmp_path / "01_a.ipynb", [("x = 1", [])])
    with pytest.raises(pipeline.PipelineError, match=r"01_a.ipynb: the kernel failed"):
        pipeline.execute_notebook(tmp_path / "01_a.ipynb", kernel_name="no-such-kernel")


def test_kernel_whose_port_was_taken_at_start_is_started_again(tmp_path, monkeypatch):
    """Parallel steps start kernels at the same moment; a kernel that dies because a port it picked was taken
    meanwhile (ZMQError "Address already in use", seen when two runs shared the machine) is started again with
    fresh ports, and after KERNEL_START_ATTEMPTS such starts the error says what happened."""
    from nbclient import NotebookClient

    _nb(tmp_path / "01_a.ipynb", [("x = 40 + 2\nx", [])])
    real, calls = NotebookClient.execute, []

    def flaky(self, **kw):
        calls.append(1)
        if len(calls) < 3:
            kw["stderr"].write("zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:5')\n")
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(self, **kw)

    monkeypatch.setattr(NotebookClient, "execute", flaky)
    nb = pipeline.execute_notebook(tmp_path / "01_a.ipynb")
    assert len(calls) == 3
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "42"

    calls.clear()
    monkeypatch.setattr(pipeline, "KERNEL_START_ATTEMPTS", 2)
    with pytest.raises(pipeline.PipelineError, match=r"01_a.ipynb: the kernel could not start: the ports"):
        pipeline.execute_notebook(tmp_path / "01_a.ipynb")
    assert len(calls) == 2


def test_failed_step_is_marked_in_the_index_and_not_linked_to_stale_html(tmp_path):
    """A notebook that fails must appear as failed in index.html, and a rendering left by an earlier
    successful run must not be linked as if it were this run's result (earlier the index matched failures
    by the notebook's file name, never equal to a step name, so no failure was ever marked)."""
    nbdir, reports = tmp_path / "nb", tmp_path / "r"
    nbdir.mkdir()
    _nb(nbdir / "01_ok.ipynb", [("a = 1", [])])
    _nb(nbdir / "02_bad.ipynb", [("b = 2", [])], {"requires": ["01_ok"]})
    pipeline.run(workers=1, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    assert (reports / "02_bad.html").exists()  # a good rendering from the first run
    _nb(nbdir / "02_bad.ipynb", [("raise ValueError('kolom hilang')", [])], {"requires": ["01_ok"]})
    _nb(nbdir / "03_after.ipynb", [("c = 3", [])], {"requires": ["02_bad"]})
    with pytest.raises(pipeline.PipelineError):
        pipeline.run(workers=1, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    index = (reports / "index.html").read_text()
    row_bad = next(line for line in index.split("<tr>") if "02_bad" in line)
    assert "failed" in row_bad and 'href="02_bad.html"' not in row_bad
    row_after = next(line for line in index.split("<tr>") if "03_after" in line)
    assert "failed" in row_after or "not run" in row_after
    assert 'href="01_ok.html"' in index


def _counting_nb(path, log, meta=None):
    """A notebook that appends its own name to ``log`` each time a kernel executes it."""
    _nb(path, [(f"with open({str(log)!r}, 'a') as f:\n    f.write({path.stem!r} + '\\n')", [])], meta)


def _executed(log):
    return log.read_text().split() if log.exists() else []


def test_incremental_runs_reuse_unchanged_steps(tmp_path, monkeypatch):
    """A second run with nothing changed starts no kernel; editing one notebook re-runs it and its dependents
    only; a change in the processed data re-runs the steps that read it; force runs all."""
    nbdir, reports, data = tmp_path / "nb", tmp_path / "r", tmp_path / "data"
    for d in (nbdir, data / "raw", data / "processed"):
        d.mkdir(parents=True)
    monkeypatch.setenv("EVALKIT_DATA_DIR", str(data))
    (data / "raw" / "pegawai.csv").write_text("NIP\n")
    code = tmp_path / "code"   # stands for the evalkit package's sources
    code.mkdir()
    (code / "impact.py").write_text("x = 1\n")
    monkeypatch.setattr(pipeline, "_code_fingerprint", lambda hasher: hasher.tree(code))
    log = tmp_path / "executed.txt"
    _counting_nb(nbdir / "01_a.ipynb", log, {"requires": [], "tables": []})
    _counting_nb(nbdir / "02_b.ipynb", log, {"requires": ["01_a"]})
    _counting_nb(nbdir / "03_c.ipynb", log, {"requires": ["01_a"]})
    _counting_nb(nbdir / "04_d.ipynb", log, {"requires": ["02_b"]})
    go = dict(workers=2, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    assert set(pipeline.run(**go)) == {"01_a", "02_b", "03_c", "04_d"}
    assert sorted(_executed(log)) == ["01_a", "02_b", "03_c", "04_d"]
    log.unlink()
    assert pipeline.run(**go) == {}  # nothing changed: no kernel
    assert _executed(log) == []
    index = (reports / "index.html").read_text()
    assert index.count("unchanged") == 4 and 'href="02_b.html"' in index
    # edit 02_b: it and 04_d (which requires it) re-run; 01_a and 03_c are reused
    nb = nbformat.read(nbdir / "02_b.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nb, nbdir / "02_b.ipynb")
    assert set(pipeline.run(**go)) == {"02_b", "04_d"}
    assert sorted(_executed(log)) == ["02_b", "04_d"]
    log.unlink()
    # new processed data: every step that may read it re-runs, not the cleaning step (tables: [])
    (data / "processed" / "employees.parquet").write_bytes(b"x")
    assert set(pipeline.run(**go)) == {"02_b", "03_c", "04_d"}
    log.unlink()
    # a change in the raw files re-runs everything that depends on them
    (data / "raw" / "pegawai.csv").write_text("NIP\n1\n")
    assert set(pipeline.run(**go)) == {"01_a", "02_b", "03_c", "04_d"}
    log.unlink()
    (code / "impact.py").write_text("x = 2\n")   # evalkit's code changed: every step re-runs
    assert set(pipeline.run(**go)) == {"01_a", "02_b", "03_c", "04_d"}
    log.unlink()
    assert set(pipeline.run(**go, force=True)) == {"01_a", "02_b", "03_c", "04_d"}
    record = json.loads((reports / "run_record.json").read_text())["steps"]
    assert set(record) == {"01_a", "02_b", "03_c", "04_d"} and all(len(v["fingerprint"]) == 64 for v in record.values())
    # a rendering deleted by hand is rebuilt even though nothing else changed
    (reports / "03_c.html").unlink()
    log.unlink()
    assert set(pipeline.run(**go)) == {"03_c"}


def test_step_without_its_tables_is_not_run_and_says_why(tmp_path, monkeypatch):
    nbdir, reports, data = tmp_path / "nb", tmp_path / "r", tmp_path / "data"
    for d in (nbdir, data / "processed"):
        d.mkdir(parents=True)
    monkeypatch.setenv("EVALKIT_DATA_DIR", str(data))
    (data / "processed" / "reaction.parquet").write_bytes(b"x")
    monkeypatch.setattr(pipeline, "_code_fingerprint", lambda hasher: "")
    log = tmp_path / "executed.txt"
    _counting_nb(nbdir / "01_a.ipynb", log, {"requires": [], "tables": ["reaction"]})
    _counting_nb(nbdir / "02_skp.ipynb", log, {"requires": ["01_a"], "tables": ["performance"]})
    _counting_nb(nbdir / "03_after.ipynb", log, {"requires": ["02_skp"]})
    timings = pipeline.run(workers=1, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    assert set(timings) == {"01_a", "03_after"}   # the step after a not-run one still runs
    index = (reports / "index.html").read_text()
    row = next(line for line in index.split("<tr>") if "02_skp" in line)
    assert "not run: needs the performance table" in row and "href" not in row


def test_matrix_from_the_data_expands_after_cleaning(tmp_path, monkeypatch):
    """A matrix given as '@employees.region' runs once per region present in the cleaned data, also when the
    data are only written by an earlier step of the same run (reports for the regions an office has)."""
    nbdir, reports, data = tmp_path / "nb", tmp_path / "r", tmp_path / "data"
    for d in (nbdir, data / "processed"):
        d.mkdir(parents=True)
    monkeypatch.setenv("EVALKIT_DATA_DIR", str(data))
    monkeypatch.setattr(pipeline, "_code_fingerprint", lambda hasher: "")
    target = data / "processed" / "employees.parquet"
    _nb(nbdir / "01_clean.ipynb", [(
        "import pandas as pd\n"
        "pd.DataFrame({'person_id': ['a', 'b', 'c'], 'region': pd.Categorical(['Kota Bekasi', 'Kabupaten Bogor', "
        f"'Kota Bekasi'], categories=['Mamuju', 'Kabupaten Bogor', 'Kota Bekasi'])}}).to_parquet({str(target)!r})",
        [])], {"requires": [], "tables": []})
    _nb(nbdir / "02_report.ipynb", [("region = 'X'\nlang = 'id'", ["parameters"]), ("print(region)", [])],
        {"requires": ["01_clean"], "matrix": {"region": "@employees.region", "lang": ["id"]},
         "output": "regions/{region_slug}_{lang}", "hide_input": True})
    assert [s.name for s in pipeline.discover(nbdir)] == ["01_clean", "02_report[*]"]
    timings = pipeline.run(workers=1, progress=False, notebooks_dir=nbdir, reports_dir=reports)
    assert set(timings) == {"01_clean", "02_report[kabupaten_bogor_id]", "02_report[kota_bekasi_id]"}
    assert (reports / "regions" / "kota_bekasi_id.html").exists()
    assert [s.name for s in pipeline.discover(nbdir)][1:] == ["02_report[kabupaten_bogor_id]",
                                                              "02_report[kota_bekasi_id]"]
    index = (reports / "index.html").read_text()
    assert "Kabupaten Bogor" in index and "Mamuju" not in index


def test_rendered_pages_carry_their_title_and_language(tmp_path):
    """The browser tab shows the report's own title (computed in an output, not "Notebook"), and a report in
    Indonesian says so to screen readers and translators (<html lang="id">)."""
    import nbformat

    from evalkit.pipeline import page_title, render_html

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Intro text"), nbformat.v4.new_code_cell("x")]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={
        "text/markdown": "# Laporan Evaluasi Pelatihan ASN: Sleman\n\n*Kabupaten*"})]
    assert page_title(nb) == "Laporan Evaluasi Pelatihan ASN: Sleman"
    page = render_html(nb, tmp_path / "r.html", hide_input=True, lang="id").read_text(encoding="utf-8")
    assert "<title>Laporan Evaluasi Pelatihan ASN: Sleman</title>" in page and '<html lang="id">' in page
    nb.cells = [nbformat.v4.new_markdown_cell("# 03 Reaksi / Reaction\n\ntext")]
    assert page_title(nb) == "03 Reaksi / Reaction"
    page = render_html(nb, tmp_path / "a.html").read_text(encoding="utf-8")
    assert "<title>03 Reaksi / Reaction</title>" in page


def test_longest_first_order_uses_last_run_seconds(tmp_path):
    """Ready steps start longest first by the seconds their notebook took last time (averaged over a matrix
    notebook's copies, which keep their order); a never-timed notebook starts first; the seconds survive a
    round trip through data/processed/cache/ and an unreadable file means no order."""
    S = pipeline.Step
    a, b, c = (S(name=n, notebook=tmp_path / f"{n}.ipynb", output=n) for n in ("02_a", "03_b", "04_new"))
    r_id, r_en = (S(name=f"08_r[x_{lang}]", notebook=tmp_path / "08_r.ipynb", output=f"x_{lang}",
                    parameters={"lang": lang}) for lang in ("id", "en"))
    seconds = {"02_a": 3.0, "03_b": 20.0, "08_r[x_id]": 6.0, "08_r[y_id]": 6.0, "08_r[x_en]": 4.0}
    order = pipeline._longest_first([a, r_id, r_en, b, c], seconds)
    assert [s.name for s in order] == ["04_new", "03_b", "08_r[x_id]", "08_r[x_en]", "02_a"]
    pipeline._save_seconds(tmp_path, {**seconds, "02_a": 3.04})
    assert pipeline._load_seconds(tmp_path) == {**seconds, "02_a": 3.0}
    (tmp_path / pipeline.PROCESSED_CACHE / pipeline.STEP_SECONDS).write_text("[1, 2")
    assert pipeline._load_seconds(tmp_path) == {}


def test_index_page_escapes_titles_and_marks_each_state(tmp_path):
    """The front page (a Jinja2 template) escapes what comes from notebooks (titles, table names), links only
    steps that did not fail, and puts a region's two languages side by side."""
    S = pipeline.Step
    nb = tmp_path / "02_x.ipynb"
    steps = [S(name="02_x", notebook=nb, output="02_x", title="Dampak <b>&</b> biaya"),
             S(name="03_y", notebook=tmp_path / "03_y.ipynb", output="03_y", title="Y"),
             S(name="08_r[a_id]", notebook=tmp_path / "08_r.ipynb", output="regions/a_id",
               parameters={"region": "Kab. A", "lang": "id"}),
             S(name="08_r[a_en]", notebook=tmp_path / "08_r.ipynb", output="regions/a_en",
               parameters={"region": "Kab. A", "lang": "en"})]
    page = pipeline.write_index(steps, tmp_path, failed=["03_y"], reused=["08_r[a_en]"],
                                not_run={"08_r[a_id]": "tests<1>"}).read_text()
    assert "Dampak &lt;b&gt;&amp;&lt;/b&gt; biaya" in page and "<b>&</b>" not in page
    assert 'href="02_x.html"' in page and 'href="03_y.html"' not in page and "(gagal / failed)" in page
    assert "perlu tabel tests&lt;1&gt;" in page and 'href="regions/a_id.html"' not in page
    assert ('<tr><th>Wilayah / Region</th><th>Bahasa Indonesia</th><th>English</th></tr>'
            '<tr><td>Kab. A</td>') in page
    assert '<a href="regions/a_en.html">Report</a> <span class="muted">(tidak berubah / unchanged)</span>' in page


def test_kernels_get_cores_over_workers_blas_threads(tmp_path, monkeypatch):
    """Each worker's kernels see OPENBLAS_NUM_THREADS (and the OpenMP/MKL/numexpr variables) = cores // workers,
    unless the user set them: two kernels with a two-thread BLAS each on two cores oversubscribed them."""
    import os

    for var in pipeline.THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "7")  # the user's own setting is kept
    _nb(tmp_path / "01_a.ipynb", [("import os\nprint(os.environ['OPENBLAS_NUM_THREADS'], "
                                   "os.environ['OMP_NUM_THREADS'], os.environ['MKL_NUM_THREADS'])", [])])
    reports = tmp_path / "reports"
    pipeline.run(workers=2, progress=False, notebooks_dir=tmp_path, reports_dir=reports)
    nb = nbformat.read(reports / "01_a.ipynb", as_version=4)
    expected = str(max(1, (os.cpu_count() or 1) // 2))
    assert nb.cells[1].outputs[0]["text"].split() == [expected, expected, "7"]
