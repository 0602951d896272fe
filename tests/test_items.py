"""Questionnaires with any number of items: every question is an item with a scale and keeps its wording.

An office's Google Forms satisfaction surveys ask evalkit's five L1 questions plus three questions on how the
training was run (scale "Penyelenggaraan") and a second question on the trainer. The evaluator maps them in
the codebook; ``evalkit clean`` writes every answer to the long ``items`` table, the wide ``reaction`` table
stays as it was, and the scale measures (``measures.scale_summary``, ``item_summary``, ``alpha_by_scale``,
``wide_items``) agree with hand computations and with the wide-table measures on the same answers.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from helpers import read_codebook, write_codebook
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from evalkit import datasets, measures
from evalkit.cli import app
from evalkit.ingest import clean
from evalkit.ingest.codebook import item_key
from evalkit.ingest.schemas import ITEMS_COLUMNS
from evalkit.measures.kirkpatrick import APPLICATION_ITEMS
from evalkit.privacy import scan
from evalkit.report.likert_plots import scale_likert_plot

runner = CliRunner()

LIKERT = ("Sangat tidak setuju", "Tidak setuju", "Netral", "Setuju", "Sangat setuju")
REACTION = ("material", "trainer", "relevance", "facilities", "overall")
#: the five default questions as evalkit words them, the three on how the training was run, a second one on
#: the trainer (placed before the default trainer question: the default one still fills the wide column)
DEFAULT_Q = {"material": "Materi sesuai kebutuhan", "trainer": "Pengajar/Widyaiswara menguasai materi",
             "relevance": "Materi relevan dengan tugas", "facilities": "Sarana dan fasilitas memadai",
             "overall": "Secara keseluruhan saya puas"}
EXTRA_Q = ("Jadwal pelatihan tepat waktu", "Konsumsi memadai", "Panitia responsif")
TRAINER_Q = "Widyaiswara memberi kesempatan bertanya"
QUESTIONS = (DEFAULT_Q["material"], TRAINER_Q, DEFAULT_Q["trainer"], DEFAULT_Q["relevance"], *EXTRA_Q,
             DEFAULT_Q["facilities"], DEFAULT_Q["overall"])
FILES = {"Survei Kepuasan Pelayanan Prima (Jawaban).xlsx": ("PRM-01", 12, False),
         "Survei Kepuasan Arsip Digital (Jawaban).xlsx": ("ARS-02", 9, True)}
NIPS = ("198503172010012004", "199001012015031002", "198711222012122001", "199205052019032003",
        "198812302014021001", "199107142020122002", "198602282011011003", "199311112021012001",
        "199402142022031001")
NAMES = ("Siti Rahayu", "Budi Santoso", "Dewi Lestari", "Agus Prasetyo", "Rina Kusuma", "Eko Nugroho",
         "Sri Wulandari", "Joko Hartono", "Lestari Widodo")


def _office(folder, seed=7):
    """Two forms (one anonymous, one asking for the NIP); return the answers as written (None = blank,
    "x" = not an answer) per file, in row order."""
    from openpyxl import Workbook

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth = {}
    for name, (_code, n, with_nip) in FILES.items():
        wb = Workbook()
        ws = wb.active
        ws.title = "Jawaban Formulir 1"
        ws.append(["Stempel waktu", *(["NIP", "Nama lengkap"] if with_nip else []), *QUESTIONS, "Saran/Komentar"])
        answers = rng.integers(1, 6, size=(n, len(QUESTIONS))).astype(object)
        if with_nip:
            answers[2, QUESTIONS.index("Konsumsi memadai")] = None  # a blank answer: kept as missing
            answers[4, QUESTIONS.index("Panitia responsif")] = "x"  # not an answer: the row is quarantined
        for i, row in enumerate(answers):
            who = [NIPS[i % len(NIPS)], NAMES[i % len(NAMES)]] if with_nip else []
            cells = ["" if v is None else "Sangat puas sekali" if v == "x" else LIKERT[int(v) - 1] for v in row]
            ws.append([f"{3 + i}/6/2025 10:{10 + i}:00", *who, *cells, "Bermanfaat"])
        wb.save(folder / name)
        truth[name] = answers
    return truth


def _fill(rows):
    """What the evaluator writes: the table, the questions' items and scales, the programme of each form."""
    out = []
    for r in rows:
        r = dict(r)
        r["table"] = r["table"] or "reaction"
        if r["header"] in EXTRA_Q:
            r["field"], r["scale"] = "item", "Penyelenggaraan"
        elif r["header"] == TRAINER_Q:
            r["field"], r["scale"] = "item", "trainer"
        elif r["header"] == "Nama lengkap":
            r["field"] = "ignore"
        elif r["header"] == "Saran/Komentar":
            r["field"] = r["field"] or "comment"
        if not r["header"] and r["field"] == "region":  # no programme list: where the training took place
            r["value"] = "Kota Kediri"
        elif not r["header"]:
            assert r["field"] == "programme_id", r
            r["value"] = FILES[r["file"]][0]
        assert r["field"], r
        out.append(r)
    return out


@pytest.fixture
def office(tmp_project):
    raw = tmp_project / "data" / "raw"
    truth = _office(raw)
    res = runner.invoke(app, ["codebook", str(raw)])
    assert res.exit_code == 0, res.output
    write_codebook(raw / "codebook.csv", _fill(read_codebook(raw / "codebook.csv")))
    return raw, truth


def test_every_question_is_an_item_with_its_scale_and_wording(tmp_project, office):
    raw, truth = office
    res = runner.invoke(app, ["check", str(raw)])
    assert res.exit_code == 1  # the answer that is not one: an error, named with its row and question
    line = next(ln for ln in res.output.splitlines() if ln.startswith("error"))
    assert "Panitia responsif" in line and "Sangat puas sekali" in line and " 6 " in line
    assert "read but not used" not in res.output
    assert "kept as a question of its own (scale 'trainer')" in res.output

    out = tmp_project / "data" / "processed"
    res = runner.invoke(app, ["clean", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "read but not used" not in res.output and "items" in res.output
    manifest = json.loads((out / "manifest.json").read_text())
    rea_m = manifest["tables"]["reaction"]
    assert (rea_m["rows_read"], rea_m["rows_kept"], rea_m["rows_quarantined"]) == (21, 20, 1)
    for f in rea_m["files"]:
        assert f["rows_read"] == f["rows_kept"] + f["rows_quarantined"]
    assert "items" not in manifest["tables"]  # a derived table: its counts are answers, not rows of files
    im = manifest["derived"]["items"]
    assert im["rows_read"] == im["rows_kept"] + im["rows_quarantined"] == 21 * 9
    assert im["columns"] == [c.name for c in ITEMS_COLUMNS] and (im["questions"], im["scales"]) == (9, 3)

    rea = pd.read_parquet(out / "reaction.parquet")
    items = datasets.load("items")  # (data/processed of the temporary project)
    assert items.equals(pd.read_parquet(out / "items.parquet"))
    assert [c.name for c in ITEMS_COLUMNS] == list(items.columns)
    assert str(items["score"].dtype) == "Int64" and items["response_id"].dtype == "int64"
    # 9 questions x the 20 kept respondents, each with its wording and scale
    assert len(items) == 9 * len(rea) == 180
    assert items.groupby("response_id").size().eq(9).all()
    assert set(items["response_id"]) == set(range(len(rea)))
    assert set(items["wording"]) == set(QUESTIONS)
    scales = items.groupby("scale")["item"].unique().map(sorted).to_dict()
    assert scales == {"reaction": sorted(REACTION), "Penyelenggaraan": sorted(map(item_key, EXTRA_Q)),
                      "trainer": [item_key(TRAINER_Q)]}
    assert item_key(EXTRA_Q[0]) == "jadwal_pelatihan_tepat_waktu"
    assert (items["table"] == "reaction").all() and items["rater_role"].isna().all()
    # joined to the wide table by response_id: the same programme, person and default answers
    rea_long = items[items["scale"] == "reaction"].pivot(index="response_id", columns="item", values="score")
    pd.testing.assert_frame_equal(rea_long[list(REACTION)].reset_index(drop=True),
                                  rea[list(REACTION)].reset_index(drop=True), check_names=False)
    first = items.drop_duplicates("response_id").set_index("response_id").sort_index()
    assert first["programme_id"].tolist() == rea["programme_id"].tolist()
    assert first["person_id"].isna().tolist() == rea["person_id"].isna().tolist()
    assert first["person_id"].dropna().tolist() == rea["person_id"].dropna().tolist()
    assert rea["person_id"].isna().sum() == 12  # the anonymous form: valid, kept, no person_id
    # the wide trainer column is the default question's, not the second trainer question's
    anon = truth["Survei Kepuasan Pelayanan Prima (Jawaban).xlsx"]
    got = rea.loc[rea["programme_id"] == "PRM-01", "trainer"].astype(int).sort_values().tolist()
    assert got == sorted(int(v) for v in anon[:, QUESTIONS.index(DEFAULT_Q["trainer"])])
    # the blank answer: kept, missing
    assert items["score"].isna().sum() == 1
    assert items.loc[items["score"].isna(), "item"].tolist() == ["konsumsi_memadai"]
    # no NIP or name of the raw files in the processed folder
    assert scan([out], set(NIPS), {n.lower() for n in NAMES}).empty


def _extra_truth(truth):
    """Rows of the Penyelenggaraan answers of the kept respondents (the quarantined row left out)."""
    rows = []
    for name, answers in truth.items():
        for i, row in enumerate(answers):
            vals = [row[QUESTIONS.index(q)] for q in EXTRA_Q]
            if "x" in vals:
                continue
            rows.append([np.nan if v is None else float(v) for v in vals])
    return np.array(rows)


def test_the_extra_scale_summary_equals_a_hand_computation(tmp_project, office):
    raw, truth = office
    res = clean(raw, tmp_project / "out", key="test-key-not-secret")
    items = pd.read_parquet(res.tables["items"])
    x = _extra_truth(truth)
    assert x.shape == (20, 3)
    complete = x[~np.isnan(x).any(axis=1)]
    score = complete.mean(axis=1)
    n = len(score)
    assert n == 19  # the respondent with a blank answer has no scale score
    half = stats.t.ppf(0.975, n - 1) * score.std(ddof=1) / np.sqrt(n)
    k = int((score >= 4).sum())
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")

    got = measures.scale_summary(items).set_index("scale").loc["Penyelenggaraan"]
    assert (got["n_items"], got["n_respondents"], got["n"], got["n_agree"]) == (3, 20, n, k)
    assert got["mean"] == pytest.approx(score.mean())
    assert got["sd"] == pytest.approx(score.std(ddof=1))
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((score.mean() - half, score.mean() + half))
    assert got["share_agree"] == pytest.approx(k / n)
    assert (got["agree_ci_low"], got["agree_ci_high"]) == pytest.approx((lo, hi))

    per_item = measures.item_summary(items)
    ext = per_item[per_item["scale"] == "Penyelenggaraan"].set_index("item")
    assert list(ext.index) == [item_key(q) for q in EXTRA_Q]  # in the form's order
    assert list(ext["wording"]) == list(EXTRA_Q)
    for j, q in enumerate(EXTRA_Q):
        col = x[:, j][~np.isnan(x[:, j])]
        row = ext.loc[item_key(q)]
        assert row["n"] == len(col) and row["mean"] == pytest.approx(col.mean())
        assert row["sd"] == pytest.approx(col.std(ddof=1))
        assert row["share_agree"] == pytest.approx((col >= 4).mean())

    # Cronbach's alpha by hand (numpy): k/(k-1) (1 - sum of item variances / variance of the total)
    var_items = complete.var(axis=0, ddof=1).sum()
    var_total = complete.sum(axis=1).var(ddof=1)
    alpha = 3 / 2 * (1 - var_items / var_total)
    al = measures.alpha_by_scale(items).set_index("scale")
    assert set(al.index) == {"reaction", "Penyelenggaraan"}  # "trainer" has one question: no alpha
    assert al.loc["Penyelenggaraan", "estimate"] == pytest.approx(alpha)
    assert al.loc["Penyelenggaraan", "n"] == n and al.loc["Penyelenggaraan", "k"] == 3

    # the respondent x item matrix, columns in the form's order, and the diverging bars in one call
    wide = measures.wide_items(items, "Penyelenggaraan")
    assert list(wide.columns) == [item_key(q) for q in EXTRA_Q]
    assert len(wide) == 20 and int(wide.isna().sum().sum()) == 1
    assert sorted(map(tuple, wide.dropna().astype(int).to_numpy())) == sorted(map(tuple, complete.astype(int)))
    ax = scale_likert_plot(items, "Penyelenggaraan")
    assert [t.get_text() for t in ax.get_yticklabels()] == list(EXTRA_Q)
    plt.close("all")


def test_the_default_scale_from_items_equals_the_wide_table_measures(tmp_project, office):
    raw, _truth = office
    res = clean(raw, tmp_project / "out", key="test-key-not-secret")
    items = pd.read_parquet(res.tables["items"])
    rea = pd.read_parquet(res.tables["reaction"])
    cols = ["n", "mean", "sd", "std_error", "ci_low", "ci_high"]
    got = measures.scale_summary(items[items["scale"] == "reaction"], by="programme_id")
    ref = measures.likert_scale(rea, list(REACTION), by="programme_id")
    pd.testing.assert_frame_equal(got[["programme_id", *cols]], ref[["programme_id", *cols]], check_dtype=False)
    assert (got["n_items"] == ref["k"]).all()
    a = measures.alpha_by_scale(items).set_index("scale").loc["reaction"]
    b = measures.cronbach_alpha(rea[list(REACTION)]).iloc[0]
    for c in ("estimate", "ci_low", "ci_high", "n", "k"):
        assert a[c] == pytest.approx(b[c])
    it = measures.item_summary(items)
    it = it[it["scale"] == "reaction"].drop(columns=["scale", "wording"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(it, measures.likert_items(rea, list(REACTION)), check_dtype=False)
    w = measures.wide_items(items, "reaction", by="programme_id")
    assert list(w.columns) == ["programme_id", *REACTION]


def _followup(raw, quoted=False):
    """A followup file by its prefix with a question of its own, and a codebook that names its scale and puts
    a default item in a scale of its own (``quoted``: a CSV the exact reader takes, not the fast one)."""
    raw.mkdir(parents=True, exist_ok=True)
    roles = ("Diri sendiri", "Atasan langsung", "Rekan kerja")
    lines = ["NIP;Kode Pelatihan;Penilai;Tanggal Penilaian;Menerapkan materi pelatihan dalam pekerjaan;"
             "Kualitas hasil kerja meningkat;Aktif berkolaborasi dengan unit lain;"
             "Berbagi pengetahuan kepada rekan kerja;Berinisiatif memperbaiki layanan"]
    rng = np.random.default_rng(3)
    for nip in NIPS[:4]:
        for role in roles:
            a = [str(v) for v in rng.integers(1, 6, size=5)]
            if quoted:
                a[2] = f'"{a[2]}"'
            lines.append(f"{nip};PEL-9;{role};1 Maret 2025;" + ";".join(a))
    lines.append(f"{NIPS[5]};PEL-9;Atasan;1 Maret 2025;4;4;tujuh;4;4")  # not an answer: quarantined
    (raw / "evaluasi_pasca_sleman.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_codebook(raw / "codebook.csv", [
        {"file": "evaluasi_pasca_*.csv", "sheet": "", "table": "followup",
         "header": "Aktif berkolaborasi dengan unit lain", "field": "item", "scale": "Kolaborasi", "value": ""},
        {"file": "evaluasi_pasca_*.csv", "sheet": "", "table": "followup",
         "header": "Kualitas hasil kerja meningkat", "field": "work_quality", "scale": "Kinerja", "value": ""}])
    return raw


def test_followup_questions_of_their_own_keep_the_rater_and_a_default_item_can_change_scale(tmp_project):
    raw = _followup(tmp_project / "data" / "raw")
    res = clean(raw, tmp_project / "out", key="test-key-not-secret")
    assert [p.column for p in res.report.errors] == ["Aktif berkolaborasi dengan unit lain"]
    m = res.manifest["tables"]["followup"]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (13, 12, 1)
    im = res.manifest["derived"]["items"]
    assert (im["rows_read"], im["rows_kept"], im["rows_quarantined"]) == (65, 60, 5)
    fu = pd.read_parquet(res.tables["followup"])
    items = pd.read_parquet(res.tables["items"])
    assert len(items) == 5 * len(fu) == 60
    assert items.groupby("scale")["item"].unique().map(sorted).to_dict() == {
        "application": ["apply_material", "service_initiative", "share_knowledge"], "Kinerja": ["work_quality"],
        "Kolaborasi": ["aktif_berkolaborasi_dengan_unit_lain"]}
    assert set(items["rater_role"].astype(str)) == {"self", "supervisor", "peer"}
    first = items.drop_duplicates("response_id").set_index("response_id").sort_index()
    assert first["rater_role"].astype(str).tolist() == fu["rater_role"].astype(str).tolist()
    assert items["person_id"].notna().all()
    # the wide table is unchanged: work_quality is still its column; the application scale of the wide items
    assert fu["work_quality"].notna().all()
    three = [c for c in APPLICATION_ITEMS if c != "work_quality"]
    got = measures.scale_summary(items, by="rater_role").query("scale == 'application'")
    ref = measures.likert_scale(fu, three, by="rater_role")
    np.testing.assert_allclose(got["mean"].to_numpy(), ref["mean"].to_numpy())
    np.testing.assert_array_equal(got["n"].to_numpy(), ref["n"].to_numpy())


@pytest.mark.parametrize("quoted", [False, True], ids=["fast_reader", "exact_reader"])
def test_a_large_file_read_in_chunks_gives_the_same_items(tmp_path, monkeypatch, quoted):
    import importlib

    read_mod = importlib.import_module("evalkit.ingest.read.large")  # (where the chunked reader looks them up)
    raw = _followup(tmp_path / "raw", quoted=quoted)
    whole = clean(raw, tmp_path / "whole", key="test-key-not-secret")
    with monkeypatch.context() as m:
        m.setattr(read_mod, "LARGE_FILE_BYTES", 0)
        m.setattr(read_mod, "CHUNK_ROWS", 4)
        chunked = clean(raw, tmp_path / "chunked", key="test-key-not-secret")
    assert chunked.manifest["tables"]["followup"]["parts"] == 1
    pd.testing.assert_frame_equal(pd.read_parquet(whole.tables["items"]), pd.read_parquet(chunked.tables["items"]))
    assert whole.manifest["derived"] == chunked.manifest["derived"]
    assert [(p.row, p.column) for p in whole.report.problems] == [(p.row, p.column) for p in chunked.report.problems]


def test_measures_on_a_small_items_frame():
    """Respondents of two forms: the second form does not ask q3 (its respondents still get a scale score);
    one blank answer leaves a respondent without one; alpha uses the complete respondents only."""
    rows = []
    answers = {0: (4, 5, 4), 1: (2, 3, 2), 2: (5, 5, None), 3: (3, 4, 5), 10: (4, 4), 11: (1, 2)}
    for rid, a in answers.items():
        for j, v in enumerate(a):
            rows.append({"table": "reaction", "response_id": rid, "programme_id": "P1" if rid < 10 else "P2",
                         "scale": "S", "item": f"q{j + 1}", "wording": f"Question {j + 1}", "score": v})
    items = pd.DataFrame(rows).astype({"score": "Int64"})
    s = measures.scale_summary(items).iloc[0]
    scores = [13 / 3, 7 / 3, 4, 4, 1.5]
    assert (s["n_items"], s["n_respondents"], s["n"]) == (3, 6, 5)
    assert s["mean"] == pytest.approx(np.mean(scores)) and s["n_agree"] == 3
    by = measures.scale_summary(items, by="programme_id").set_index("programme_id")
    assert by.loc["P2", "n"] == 2 and by.loc["P2", "n_items"] == 2
    x = np.array([[4, 5, 4], [2, 3, 2], [3, 4, 5]], dtype=float)
    alpha = 1.5 * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    a = measures.alpha_by_scale(items).iloc[0]
    assert a["estimate"] == pytest.approx(alpha) and a["n"] == 3 and a["n_dropped"] == 3
    w = measures.wide_items(items, "S", by="programme_id")
    assert list(w.columns) == ["programme_id", "q1", "q2", "q3"] and w.index.names == ["table", "response_id"]
    with pytest.raises(ValueError, match="no items of scale 'T'"):
        measures.wide_items(items, "T")
    with pytest.raises(ValueError, match="outside 1..5"):
        measures.scale_summary(items.assign(score=items["score"] + 1))
    with pytest.raises(ValueError, match="by cannot name"):
        measures.scale_summary(items, by="item")
