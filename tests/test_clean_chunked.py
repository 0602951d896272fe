"""The large-file path of the cleaner: a CSV above the size threshold is read and normalised chunk by chunk and
its table written as partitioned Parquet. With a tiny threshold and tiny chunks, every CSV takes that path;
the result must equal the ordinary whole-file cleaning: the same kept rows (parts put together), the same
quarantine, problems and manifest counts."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalkit.datasets import load
from evalkit.ingest.clean import clean
from evalkit.ingest.read import iter_raw, read_raw

clean_mod = importlib.import_module("evalkit.ingest.clean")
# patched where they are looked up: PART_ROWS by the writer (and the manifest), schema_for by the table step
clean_write = importlib.import_module("evalkit.ingest.clean.write")
clean_tables = importlib.import_module("evalkit.ingest.clean.tables")
read_mod = importlib.import_module("evalkit.ingest.read")
# and LARGE_FILE_BYTES, CHUNK_ROWS, _HEAD_CHARS, _body by the large-file reader in its own module (the package
# evalkit.ingest.read holds copies of the first two only: setting them there would not reach the reader)
read_large = importlib.import_module("evalkit.ingest.read.large")

BAD = Path(__file__).parent / "badinput"
TODAY = dt.date(2026, 1, 1)
KEY = "test-key-not-secret"
NIPS = ["198503172010012004", "196608011988031001", "199001012015031002", "198712252012122003",
        "197707122000012001", "198001012005011003"]


def _corpus(raw: Path) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    for p in BAD.iterdir():
        if p.suffix == ".csv":
            shutil.copy(p, raw / p.name)
    emp = ["NIP,Nama,Wilayah,Unit Kerja,Jenis Jabatan,Golongan,Pendidikan"]
    emp += [f"{n},Orang {i},Kab. Mamuju,BKD,pelaksana,III/a,S1" for i, n in enumerate(NIPS)]
    (raw / "pegawai_mamuju.csv").write_text("\n".join(emp) + "\n")
    # performance: title row, blank rows, a ragged row, a bad value, an empty optional cell, a duplicate row
    # and a conflicting key far apart (so in different chunks), a NIP not in the roster
    lines = ["Laporan SKP Kabupaten Mamuju", "",
             "NIP;Triwulan;Hasil Kerja;Perilaku Kerja;Predikat;Kualitas Laporan;Ketepatan Waktu;Kolom Lain;"
             "Penyelesaian Pengaduan (hari)"]
    quarters = ["2023-Q1", "Triwulan II 2023", "TW 3 2023", "2023Q4", "Q1 2024", "2024-Q2"]
    for i, n in enumerate(NIPS):
        for j, q in enumerate(quarters):
            lines.append(f"{n};{q};Sesuai Ekspektasi;Di Atas;Baik;{70 + i},{j};{80 + j}%;x;{i + j},5")
            if (i + j) % 7 == 3:
                lines.append("")
    lines.append(f"{NIPS[0]};2023-Q1;Sesuai Ekspektasi;Di Atas;Baik;70,0;80%;x;0,5")  # duplicate row
    lines.append(f"{NIPS[1]};2023-Q1;Sesuai Ekspektasi;Di Atas;Baik;99,0;80%;x;0,5")  # same key, other content
    lines.append(f"{NIPS[2]};2025-Q1;Sesuai Ekspektasi;Di Atas;Baik;lima;80%;x;3;extra;cells")  # bad + ragged
    lines.append(f"{NIPS[3]};2025-Q1;Sesuai Ekspektasi;Di Atas;Baik;;;x;2")  # empty cells
    lines.append("199912312020121001;2025-Q1;Sesuai Ekspektasi;Di Atas;Baik;60;50%;x;1")  # not in roster
    lines.append(";;;;;;;;")
    (raw / "kinerja_mamuju.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a plain file (no quotes, same number of cells on every line): the fast (Arrow) reader takes it;
    # CRLF line ends, a title row, blank rows made of delimiters and spaces, a non-breaking space, empty
    # cells, a bad value, a row repeated from kinerja_mamuju.csv and one repeated within the file
    plain = ["Rekap SKP;;;;;;;", "NIP;Periode;Hasil Kerja;Perilaku Kerja;Predikat;Kualitas Laporan;Ketepatan Waktu;"
             "Penyelesaian Pengaduan (hari)"]
    for i, n in enumerate(NIPS):
        for j, q in enumerate(("2022-Q1", "2022-Q2", "2022-Q3")):
            plain.append(f"{n};{q};Sesuai;Sesuai;Baik;{60 + i},{j};{70 + j}%;{j},5")
            if (i * 3 + j) % 5 == 2:
                plain.append(" ; ;\u00a0;;;;;")
    plain.append(f"{NIPS[0]};2023-Q1;Sesuai Ekspektasi;Di Atas;Baik;70,0;80%;0,5")  # as in kinerja_mamuju
    plain.append(f"{NIPS[1]};2022-Q1;Sesuai;Sesuai;Baik;61,0;70%;0,5")  # as above in this file
    plain.append(f"{NIPS[2]};2022-Q4;Sesuai;Sesuai;Baik;tinggi;;")
    (raw / "kinerja_bersih.csv").write_bytes(("\r\n".join(plain) + "\r\n").encode("utf-8"))
    return raw


def _clean_both(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    raw = _corpus(tmp_path / "raw")
    whole = tmp_path / "whole"
    clean(raw, whole, key=KEY, today=TODAY)
    monkeypatch.setattr(read_large, "LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(read_large, "CHUNK_ROWS", 4)
    monkeypatch.setattr(clean_write, "PART_ROWS", 5)
    chunked = tmp_path / "chunked"
    clean(raw, chunked, key=KEY, today=TODAY)
    return whole, chunked


@pytest.fixture
def both(tmp_path, monkeypatch):
    return _clean_both(tmp_path, monkeypatch)


def test_chunked_equals_whole_file(both):
    whole, chunked = both
    mw = json.loads((whole / "manifest.json").read_text())
    mc = json.loads((chunked / "manifest.json").read_text())
    parts = {t: e.pop("parts") for t, e in mc["tables"].items() if "parts" in e}
    assert parts == {t: -(-e["rows_kept"] // 5) for t, e in mw["tables"].items() if "columns" in e}  # 5 per part
    assert parts["performance"] > 5
    assert mw == mc
    for t, e in mw["tables"].items():
        assert e["rows_read"] == e["rows_kept"] + e["rows_quarantined"]
        if "columns" not in e:
            continue
        assert not (chunked / f"{t}.parquet").exists()
        assert len(list((chunked / t).glob("part-*.parquet"))) == parts[t]
        pd.testing.assert_frame_equal(load(t, whole), load(t, chunked))
        assert (whole / "quarantine" / f"{t}.parquet").read_bytes() == \
            (chunked / "quarantine" / f"{t}.parquet").read_bytes()
    assert (whole / "quarantine" / "problems.csv").read_bytes() == \
        (chunked / "quarantine" / "problems.csv").read_bytes()


def test_chunked_corpus_has_the_planted_problems(both):
    _, chunked = both
    m = json.loads((chunked / "manifest.json").read_text())
    files = {f["file"]: f for e in m["tables"].values() for f in e["files"]}
    k = files["kinerja_mamuju.csv"]
    assert (k["rows_read"], k["rows_kept"], k["rows_quarantined"]) == (41, 36, 5)
    probs = pd.read_csv(chunked / "quarantine" / "problems.csv")
    mine = probs[probs["file"] == "kinerja_mamuju.csv"]["expected"].astype(str)
    assert mine.str.startswith("duplicate row").sum() == 2  # one same as a row of kinerja_bersih.csv
    assert mine.str.startswith("duplicate key with different content").sum() == 2
    assert mine.str.contains("cells but the header has fewer columns").sum() == 1
    assert (mine == "1 empty cell(s); kept as missing values").sum() == 2  # once per column, whole file


def test_rerun_switches_between_single_file_and_parts(tmp_path, monkeypatch):
    raw = _corpus(tmp_path / "raw")
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        m.setattr(read_large, "LARGE_FILE_BYTES", 0)
        clean(raw, out, key=KEY, today=TODAY)
    assert (out / "performance").is_dir() and not (out / "performance.parquet").exists()
    clean(raw, out, key=KEY, today=TODAY)
    assert (out / "performance.parquet").exists() and not (out / "performance").exists()


@pytest.mark.parametrize(("file", "fast"), [("kinerja_mamuju.csv", False), ("kinerja_bersih.csv", True),
                                          ("kinerja_bersih.csv", False), ("survei_reaksi_duplicates.csv", True)])
def test_iter_raw_chunks_put_together_equal_read_raw(tmp_path, monkeypatch, file, fast):
    raw = _corpus(tmp_path / "raw")
    path = raw / file
    [whole] = read_raw(path)
    monkeypatch.setattr(read_large, "LARGE_FILE_BYTES", 0)
    chunks = list(iter_raw(path, chunk_rows=2, fast=fast))
    assert len(chunks) >= 2 and [c.chunk for c in chunks] == list(range(len(chunks)))
    data = pd.concat([c.data.astype(object) for c in chunks], ignore_index=True)
    if file == "kinerja_bersih.csv":
        assert isinstance(chunks[0].data["nip"].dtype, pd.CategoricalDtype) == fast
    pd.testing.assert_frame_equal(data, whole.data)
    assert [r for c in chunks for r in c.rows] == whole.rows.tolist()
    assert {k: v for c in chunks for k, v in c.ragged_rows.items()} == whole.ragged_rows
    assert chunks[0].unknown_columns == whole.unknown_columns and not chunks[1].unknown_columns
    assert (chunks[0].encoding, chunks[0].delimiter, chunks[0].header_row) == \
        (whole.encoding, whole.delimiter, whole.header_row)


def test_file_malformed_after_some_chunks_is_unusable_as_a_whole(tmp_path, monkeypatch):
    raw = _corpus(tmp_path / "raw")
    monkeypatch.setattr(read_large, "LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(read_large, "CHUNK_ROWS", 4)
    real = read_large._body
    calls = {"n": 0}

    def failing(body, first_rownum, hd):
        if "period" in hd.fields:
            calls["n"] += 1
        if calls["n"] == 3:
            raise read_large.csv.Error("field larger than field limit")
        return real(body, first_rownum, hd)

    monkeypatch.setattr(read_large, "_body", failing)
    res = clean(raw, tmp_path / "out", key=KEY, today=TODAY)
    f = next(f for f in res.manifest["tables"]["performance"]["files"] if f["file"] == "kinerja_mamuju.csv")
    assert (f["status"], f["rows_read"], f["rows_kept"], f["rows_quarantined"]) == ("unusable", 0, 0, 0)
    assert f["encoding"] is None and f["delimiter"] is None  # as for a file the whole-file reader rejects
    mine = [p for p in res.report.problems if p.file == "kinerja_mamuju.csv"]
    assert [p.expected for p in mine] == ["the CSV is malformed (field larger than field limit)"]
    assert res.manifest["tables"]["performance"]["rows_read"] == next(
        f["rows_read"] for f in res.manifest["tables"]["performance"]["files"] if f["file"] == "kinerja_bersih.csv")


def test_fast_pseudonyms_and_nip_parts_equal_the_reference():
    from evalkit.ingest.nip import parse_nip
    from evalkit.ingest.normalise import _nip_fast
    from evalkit.ingest.pseudonym import MANY, pseudonymise, pseudonymise_many

    nips = [f"19{60 + i % 30:02d}0{1 + i % 9}{10 + i % 18:02d}20{i % 10:02d}0{1 + i % 9}{1 + i % 2}{i % 1000:03d}"
            for i in range(3000)]
    # pseudonymise one by one (few NIPs) and DuckDB's sha256 (many) against hmac.new, per key case of
    # RFC 2104 (empty, shorter than, as long as and longer than SHA-256's 64-byte block)
    assert MANY <= 25_000
    many = [f"{1960 + i % 30}0{1 + i % 9}1{i % 9}2000010{1 + i % 2}{i % 1000:03d}" for i in range(25_000)]
    mixed = many[:MANY - 1] + ["198503172010012004", "Ünicode", "123"]  # not all ASCII of one length: one by one
    for key in (b"k", b"", b"x" * 64, b"a longer key than one SHA-256 block" * 3, bytes(range(256))):
        assert pseudonymise_many(nips[:50], key) == [pseudonymise(n, key) for n in nips[:50]]
        assert pseudonymise_many(many, key) == [pseudonymise(n, key) for n in many]
    assert pseudonymise_many(mixed, "k") == [pseudonymise(n, "k") for n in mixed]
    # several of DuckDB's row groups (122,880 rows each), hashed in parallel: still in the input's order
    big = [f"{19600101 + i % 9000}{i:010d}" for i in range(300_000)]
    assert pseudonymise_many(big, b"k") == [pseudonymise(n, b"k") for n in big]
    assert pseudonymise_many(nips, b"k") == [pseudonymise(n, b"k") for n in nips]
    odd = ["19850317 201001 2 004", "198513172010012004", "19850230 201001 2 004", "198503172010013004",
           "198503172001012004", "１９８５０３１７２０１００１２００４", " 198503172010012004", "1985031720100120"]
    import numpy as np

    vals = np.array(nips + odd, dtype=object)
    for v, f in zip(vals, _nip_fast(vals), strict=True):
        try:
            ref = parse_nip(v).digits
        except ValueError:
            ref = None
        assert f is None or f == ref
    assert _nip_fast(vals)[:3000] == nips


def test_fast_reader_hands_over_to_the_exact_one(tmp_path, monkeypatch):
    raw = _corpus(tmp_path / "raw")
    monkeypatch.setattr(read_large, "LARGE_FILE_BYTES", 0)
    with pytest.raises(read_mod.ReadAgain):  # a row with more cells than the header
        list(iter_raw(raw / "kinerja_mamuju.csv", chunk_rows=2))


def test_late_non_utf8_byte_gives_the_whole_file_encoding(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [f"{n};Orang {i};Kab. Mamuju;BKD;pelaksana;III/a;S1" for i, n in enumerate(NIPS)]
    rows[-1] = rows[-1].replace("BKD", "Dinas P\u00e9ndidikan")
    rows[1:1] = [rows[0]] * 400  # repeated rows (quarantined as duplicates): the odd byte comes late
    (raw / "pegawai_x.csv").write_bytes(
        ("NIP;Nama;Wilayah;Unit Kerja;Jenis Jabatan;Golongan;Pendidikan\n" + "\n".join(rows) + "\n").encode("cp1252"))
    whole = clean(raw, tmp_path / "whole", key=KEY, today=TODAY)
    monkeypatch.setattr(read_large, "LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(read_large, "CHUNK_ROWS", 2)
    monkeypatch.setattr(read_large, "_HEAD_CHARS", 80)  # the odd byte lies after the part read to find the header
    with pytest.raises(read_mod.ReadAgain):  # Arrow meets the non-UTF-8 byte: the exact reader takes over
        list(iter_raw(raw / "pegawai_x.csv"))
    chunked = clean(raw, tmp_path / "chunked", key=KEY, today=TODAY)
    [fw] = whole.manifest["tables"]["employees"]["files"]
    [fc] = chunked.manifest["tables"]["employees"]["files"]
    assert fw == fc and fc["encoding"] == "cp1252" and fc["rows_kept"] == len(NIPS)
    pd.testing.assert_frame_equal(load("employees", tmp_path / "whole"), load("employees", tmp_path / "chunked"))


def test_fast_key_order_equals_sort_values():
    import numpy as np

    rng = np.random.default_rng(0)
    for trial in range(10):
        n = 3000
        a = np.array([f"P{x:03x}" for x in rng.integers(0, 300, n)], dtype=object)
        if trial % 2:
            a = np.array([v.upper() if i % 3 else v for i, v in enumerate(a)], dtype=object)
        b = np.array([f"202{x}Q{y}" for x, y in zip(rng.integers(0, 5, n), rng.integers(1, 5, n), strict=True)],
                     dtype=object)
        fr = pd.DataFrame({"a": pd.array(a, dtype="str"), "b": pd.array(b, dtype="str"), "i": np.arange(n)})
        ref = fr.sort_values(["a", "b"], kind="stable")["i"].to_numpy()
        ka, ua = pd.factorize(a)
        kb, ub = pd.factorize(b)
        got = clean_mod._str_key_order([(ka, np.asarray(ua, dtype=object)), (kb, np.asarray(ub, dtype=object))])
        assert (got == ref).all()
    assert clean_mod._str_key_order([None]) is None


def test_raw_national_files_are_clean_on_both_paths(tmp_path, monkeypatch):
    from evalkit.synth.national import write_raw_national

    raw = tmp_path / "raw"
    info = write_raw_national(raw, 3000, seed=5)
    assert info["rows"] == {"employees": 3000, "performance": 15000}
    assert (raw / "kinerja_nasional.csv").read_text().splitlines()[0].startswith("NIP;Triwulan;Hasil Kerja;")
    whole = clean(raw, tmp_path / "whole", key=KEY, today=TODAY)
    monkeypatch.setattr(read_large, "LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(read_large, "CHUNK_ROWS", 4000)
    monkeypatch.setattr(clean_write, "PART_ROWS", 6000)
    chunked = clean(raw, tmp_path / "chunked", key=KEY, today=TODAY)
    assert not whole.report.problems and not chunked.report.problems
    for res in (whole, chunked):
        assert res.manifest["tables"]["performance"]["rows_kept"] == 15000
        assert res.manifest["tables"]["employees"]["rows_kept"] == 3000
    assert chunked.manifest["tables"]["performance"]["parts"] == 3
    for t in ("employees", "performance"):
        pd.testing.assert_frame_equal(load(t, tmp_path / "whole"), load(t, tmp_path / "chunked"))
    perf = load("performance", tmp_path / "chunked")
    assert set(perf["period"]) == {f"{y}Q4" for y in range(2021, 2026)}
    assert perf["report_quality"].between(0, 100).all() and perf["on_time_share"].between(0, 1).all()


def test_schema_guard_quarantines_the_failing_row(tmp_path, monkeypatch):
    import pandera.pandas as pa

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "nilai_tes.csv").write_text("NIP,Kode Pelatihan,Pretest,Posttest\n"
                                       f"{NIPS[0]},PEL-1,60,80\n{NIPS[1]},PEL-1,95,99\n{NIPS[2]},PEL-1,50,70\n")
    real = clean_tables.schema_for

    def stricter(table):
        s = real(table)
        return s.update_column("pre_score", checks=[pa.Check.lt(90)]) if table == "tests" else s

    monkeypatch.setattr(clean_tables, "schema_for", stricter)
    res = clean(raw, tmp_path / "out", key=KEY, today=TODAY)
    assert res.manifest["tables"]["tests"]["rows_kept"] == 2
    [p] = [p for p in res.report.problems if p.expected.startswith("schema check failed")]
    assert p.row == 3 and "pre_score" in p.expected
    assert len(load("tests", tmp_path / "out")) == 2


def test_merged_chunk_codes_equal_factorize_of_the_whole_column():
    """_merge_coded (per-chunk codes into per-chunk values, merged) against pd.factorize of the column built
    row by row: the same partition of the rows into equal values, the same missing rows, the same values."""
    import numpy as np

    rng = np.random.default_rng(1)
    pool = np.array([None, 1, 2, 3, "a", "b", 2.5], dtype=object)
    parts, whole = [], []
    for _ in range(4):
        vu = np.append(pool[rng.integers(0, len(pool), 5)], None).astype(object)  # last: the value of code -1
        k = rng.integers(-1, len(vu) - 1, 200)
        parts.append((k, vu))
        whole.append(vu[k])
    codes, uniq = clean_mod._merge_coded(parts)
    ref_codes, ref_uniq = pd.factorize(np.concatenate(whole), use_na_sentinel=True)
    assert ((codes < 0) == (ref_codes < 0)).all()
    got = np.array([None if c < 0 else uniq[c] for c in codes], dtype=object)
    ref = np.array([None if c < 0 else ref_uniq[c] for c in ref_codes], dtype=object)
    assert (got == ref).all()
    assert len(uniq) == len(ref_uniq)


def test_normalise_coded_expands_to_normalise_series():
    from evalkit.ingest.normalise import normalise_coded, normalise_series
    from evalkit.ingest.spec import RAW_TABLES

    f = RAW_TABLES["reaction"].field("overall")
    cells = pd.Series(["Setuju", "SS", "7", "", None, "Setuju", "sangat setuju"])
    c = normalise_coded(cells, f)
    vals, errs = normalise_series(cells, f)
    assert list(c.values[c.codes]) == vals.tolist() == [4, 5, None, None, None, 4, 5]
    assert list(c.errors[c.codes]) == errs.tolist()
    assert c.cells[c.codes][0] == "Setuju" and c.cells[-1] is None


def test_validation_on_distinct_values_agrees_with_pandera_on_the_whole_frame():
    """clean_mod._passes_on_distinct (pandera on each column's distinct values, the key on the codes) against
    pandera's validation of the whole frame, on random frames with and without out-of-range values, bad text,
    unknown levels, missing values in a non-nullable column and repeated keys: whenever the shortcut says
    "passes", pandera passes the whole frame; whenever pandera fails it, the shortcut does not pass; with
    distinct values it decides exactly as pandera does."""
    import numpy as np
    import pandera.errors as pe
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(
        {"id": pa.Column("str", checks=[pa.Check.str_matches(r"^P[0-9a-f]{4}$")]),
         "period": pa.Column("str", checks=[pa.Check.str_matches(r"^\d{4}Q[1-4]$")]),
         "score": pa.Column("float64", checks=[pa.Check.in_range(0, 100)], nullable=True),
         "level": pa.Column(pd.CategoricalDtype(["a", "b"]), checks=[pa.Check.isin(["a", "b"])]),
         "n": pa.Column("Int64", checks=[pa.Check.ge(0)], nullable=False)},
        unique=["id", "period"], strict=True, ordered=True)
    rng = np.random.default_rng(7)
    outcomes = set()
    for trial in range(200):
        ids = np.array([f"P{j:04x}" for j in range(40)] + (["Pxyz"] if trial % 5 == 0 else []), dtype=object)
        periods = np.array(["2021Q4", "2022Q4"] + (["2023Q5"] if trial % 7 == 0 else []), dtype=object)
        scores = np.array([10.0, 55.5, 99.0, np.nan] + ([150.0] if trial % 3 == 0 else []))
        levels = pd.Categorical(["a", "b"] + ([None] if trial % 11 == 0 else []), categories=["a", "b"])
        ns = pd.array([0, 3, 8] + ([None] if trial % 4 == 0 else []) + ([-2] if trial % 13 == 0 else []),
                      dtype="Int64")
        m = 30
        pairs = rng.permutation(len(ids) * len(periods))[:m]  # distinct (id, period) ...
        if trial % 2:  # ... or a repeated key
            pairs[-1] = pairs[0]
        parts = {"id": (pairs // len(periods), ids), "period": (pairs % len(periods), periods),
                 "score": (rng.integers(0, len(scores), m), scores),
                 "level": (rng.integers(0, len(levels), m), levels), "n": (rng.integers(0, len(ns), m), ns)}
        frame = pd.DataFrame({c: v[k] for c, (k, v) in parts.items()})
        try:
            schema.validate(frame, lazy=True)
            whole = True
        except pe.SchemaErrors:
            whole = False
        assert clean_mod._passes_on_distinct(schema, frame, parts) == whole
        outcomes.add(whole)
    assert outcomes == {True, False}
    # values that are not distinct (two codes, one value): the shortcut declines, pandera decides
    k = np.array([0, 1])
    parts = {"id": (k, np.array(["P0001", "P0001"], dtype=object)), "period": (k, np.array(["2021Q4"] * 2,
                                                                                          dtype=object)),
             "score": (k, np.array([1.0, 2.0])), "level": (k, pd.Categorical(["a", "b"])),
             "n": (k, pd.array([1, 2], dtype="Int64"))}
    frame = pd.DataFrame({c: v[k] for c, (k, v) in parts.items()})
    assert not clean_mod._passes_on_distinct(schema, frame, parts)
    # a check that is not elementwise (here on the whole column): not done on distinct values
    wide = schema.update_column("score", checks=[pa.Check(lambda s: s.mean() < 50)])
    assert not clean_mod._passes_on_distinct(wide, frame, parts)


def test_mask_many_remembers_pseudonyms_across_calls_like_pseudonymise():
    """_Runner.mask_many (NIPs looked up by their int64 value, each pseudonymised once per run) against
    pseudonymise per element, over calls that repeat, add and reorder NIPs, with None and a NIP-like string
    that is not 18 digits (looked up as text from then on)."""
    import datetime as dt

    import numpy as np

    from evalkit.ingest.pseudonym import pseudonymise

    runner = clean_mod._Runner(None, b"k", dt.date(2026, 1, 1), False)
    nips = [f"19{60 + i % 30:02d}0{1 + i % 9}{10 + i % 18:02d}20{i % 10:02d}0{1 + i % 9}{1 + i % 2}{i % 1000:03d}"
            for i in range(3000)]
    calls = [(nips[:2000], True), (nips[1000:][::-1], True), ([None, *nips[:10], None, nips[5]], False),
             (["0123", *nips[2500:]], True), (nips[::7], True)]
    for values, distinct in calls:
        got = runner.mask_many(np.array(values, dtype=object), distinct=distinct)
        want = [clean_mod.MASK if v is None else pseudonymise(v, b"k") for v in values]
        assert list(got) == want
    assert len(runner._known_p) == len(set(nips) | {"0123"})  # each NIP hashed once
    assert list(clean_mod._Runner(None, None, dt.date(2026, 1, 1), False).mask_many(
        np.array(nips[:3], dtype=object), distinct=True)) == [clean_mod.MASK] * 3


def test_text_order_sorts_as_python_compares_text():
    """clean_mod._text_order (numpy bytes, pseudonyms as 64-bit integers, Arrow for other text) against
    Python's sorted() of the same distinct strings, for each path and for the cases that must fall back."""
    import numpy as np

    from evalkit.ingest.pseudonym import pseudonymise_many

    rng = np.random.default_rng(3)
    pseudo = pseudonymise_many([f"{x:018d}" for x in rng.integers(10**17, 10**18, 3000)], b"k")
    cases = {
        "pseudonyms": pseudo,
        "pseudonym-like, upper-case hex": [p.upper() for p in pseudo],
        "ascii of mixed length": ["b", "a", "ab", "a b", "A", "", "~", "0"],
        "trailing NUL": ["a", "a\0", "b"],
        "not ascii": ["é", "e", "z", "Ünicode", "日本"],
        "2021Q4 periods": [f"{y}Q{q}" for y in (2023, 2021, 2022) for q in (4, 1, 3)],
    }
    for what, vals in cases.items():
        u = np.array(vals, dtype=object)
        order = clean_mod._text_order(u)
        assert [vals[i] for i in order] == sorted(vals), what
    assert clean_mod._text_order(np.array(["a", 1], dtype=object)) is None  # not all text


def test_has_repeats_equals_pandas_duplicated():
    """clean_mod._has_repeats (pseudonyms as integers) against pandas' duplicated() on the same values."""
    import numpy as np

    from evalkit.ingest.pseudonym import pseudonymise_many

    pseudo = pseudonymise_many([f"1985031720100120{i:02d}" for i in range(60)], b"k")
    cases = [pseudo, pseudo + pseudo[:1], [p.upper() for p in pseudo], pseudo[:3] + [None],
             pseudo[:3] + [None, None], ["a", "b", "a"], [1.0, np.nan, 2.0], [1.0, np.nan, np.nan]]
    for vals in cases:
        arr = pd.array(vals, dtype="str") if isinstance(vals[0], str) else np.array(vals)
        assert clean_mod._has_repeats(arr) == bool(pd.Series(arr).duplicated().any()), vals


def test_digit_strings_looked_up_as_integers_like_text():
    """clean_mod._digits_int64 against int() and clean_mod._Lookup against pandas' text lookup, including
    strings it must refuse (letters, bytes just below and above the digits, mixed lengths, not text)."""
    import numpy as np

    u = np.array(["000000000000000001", "123456789012345678", "999999999999999999"], dtype=object)
    assert list(clean_mod._digits_int64(u)) == [int(x) for x in u]
    for bad in (["12a"], ["1/"], ["1:"], ["12", "1"], ["１２"], [12], []):
        assert clean_mod._digits_int64(np.array(bad, dtype=object)) is None, bad
    known = pd.Index(["198503172010012004", "196401011986011002", "000000000000000007"], dtype=object)
    for ref in (known, pd.Index(["PEL-1", "PEL-2"], dtype=object)):
        look = clean_mod._Lookup(ref.to_numpy())
        for q in (["000000000000000007", "198503172010012004", "111111111111111111"], ["0123", "x"], [],
                  ["PEL-2", "PEL-3"], [7, None]):
            q = np.array(q, dtype=object)
            assert list(look.index_of(q)) == list(ref.get_indexer(q)), (ref, q)
    assert list(clean_mod._Lookup(np.array([], dtype=object)).index_of(np.array(["1"], dtype=object))) == [-1]


def test_any_repeat_equals_pandas_duplicated():
    """clean_mod._any_repeat (codes folded and counted, or hashed when the codes span too much) against
    pandas' duplicated() of the same code columns, on random codes with and without a repeated row."""
    import numpy as np

    rng = np.random.default_rng(5)
    for trial in range(300):
        n = int(rng.integers(0, 40))
        hi = [int(rng.integers(1, 50)), int(rng.choice([3, 10**7]))][: 1 + trial % 2]
        cols = [rng.integers(-1, h, n) for h in hi]
        want = bool(pd.DataFrame(dict(enumerate(cols))).duplicated().any()) if n else False
        assert clean_mod._any_repeat(cols) == want


def test_factorize_of_digit_strings_equals_pandas():
    """clean_mod._factorize (NIP-like strings by their int64 values) against pd.factorize: same codes, same
    values, None and NaN as -1; text that is not digits of one length goes to pandas as it is."""
    import numpy as np

    rng = np.random.default_rng(9)
    digits = np.array([f"{x:018d}" for x in rng.integers(0, 3000, 12_000)], dtype=object)
    holes = digits.copy()
    holes[rng.integers(0, len(holes), 500)] = None
    holes[:3] = [np.nan, None, "000000000000000001"]
    mixed = holes.copy()
    mixed[7] = "12"
    for a in (digits, holes, mixed, np.array(["b", "a", None, "b"] * 3000, dtype=object)):
        g, u = clean_mod._factorize(a)
        g0, u0 = pd.factorize(a, use_na_sentinel=True)
        assert np.array_equal(g, g0) and list(u) == list(u0)


def test_is_none_is_identity_with_none():
    """clean_mod._is_none (numpy's == None, checked) against ``x is None`` for the kinds of clean values."""
    import datetime as dt

    import numpy as np

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    for vals in ([None, "x", "", 0, 1, 2.5, np.nan, dt.date(2020, 1, 1), np.datetime64("NaT")],
                 [None, pd.NA, "x"], [AlwaysEqual(), None], [], [None] * 3, ["a", "b"]):
        a = np.array(vals + [None], dtype=object)[:-1]  # (an object array even for a list of lists)
        assert clean_mod._is_none(a).tolist() == [x is None for x in vals], vals


def test_pseudonym_key_never_appears_in_sql_or_errors(monkeypatch):
    """The HMAC key's pads are bound parameters of the DuckDB query: not in its text, so a failing query (here:
    a broken function name) cannot print them, and neither can a query log."""
    import duckdb

    from evalkit.ingest import pseudonym

    key = b"rahasia-kunci-kantor-42"
    inner, outer = pseudonym._pads(key)
    for secret in (key, inner, outer):
        assert secret.hex() not in pseudonym._MANY_SQL and secret.hex().upper() not in pseudonym._MANY_SQL
    nips = [f"{19600101 + i % 9000}{i:010d}" for i in range(pseudonym.MANY)]
    monkeypatch.setattr(pseudonym, "_MANY_SQL", pseudonym._MANY_SQL.replace("sha256(", "sha256_missing(", 1))
    with pytest.raises(duckdb.Error) as err:
        pseudonym.pseudonymise_many(nips, key)
    msg = str(err.value).lower()
    assert "sha256_missing" in msg
    for secret in (key, inner, outer):
        assert secret.hex() not in msg and secret.decode("latin-1").lower() not in msg


def test_pseudonyms_without_duckdb_are_the_same(monkeypatch):
    """DuckDB is optional (evalkit[national]): without it the same HMAC is computed by hashlib."""
    from evalkit.ingest import pseudonym

    nips = [f"{19600101 + i % 9000}{i:010d}" for i in range(pseudonym.MANY)]
    fast = pseudonym.pseudonymise_many(nips, b"k")
    monkeypatch.setattr(pseudonym, "_duckdb", lambda: False)
    assert pseudonym.pseudonymise_many(nips, b"k") == fast


@pytest.mark.parametrize(("bucket_rows", "group_rows"), [(1, 1), (3, 7), (10**9, 10**9)])
def test_spilled_tables_equal_whole_file_whatever_the_buckets(tmp_path, monkeypatch, bucket_rows, group_rows):
    """A big person-keyed table is spilled to disk in buckets of pseudonym and finished a group of buckets at a
    time (ingest.clean.spill): many tiny buckets and groups, or one, give the whole-file cleaning's outputs (the
    duplicates across chunks and files, the conflicting keys and the quarantine included)."""
    clean_spill = importlib.import_module("evalkit.ingest.clean.spill")
    monkeypatch.setattr(clean_spill, "BUCKET_ROWS", bucket_rows)
    monkeypatch.setattr(clean_spill, "GROUP_ROWS", group_rows)
    monkeypatch.setattr(clean_spill, "_ROW_BYTES", 1)
    whole, chunked = _clean_both(tmp_path, monkeypatch)
    mw = json.loads((whole / "manifest.json").read_text())
    mc = json.loads((chunked / "manifest.json").read_text())
    for e in mc["tables"].values():
        e.pop("parts", None)
    assert mw == mc
    for t, e in mw["tables"].items():
        if "columns" in e:
            pd.testing.assert_frame_equal(load(t, whole), load(t, chunked))
        assert (whole / "quarantine" / f"{t}.parquet").read_bytes() == \
            (chunked / "quarantine" / f"{t}.parquet").read_bytes()
    assert (whole / "quarantine" / "problems.csv").read_bytes() == \
        (chunked / "quarantine" / "problems.csv").read_bytes()
    assert not list(chunked.glob(".*.tmp"))  # (the staged parts were put in place)
