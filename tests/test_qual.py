"""Tests for evalkit.qual: codebook, Sastrawi stemming, theme coding, summaries, quotes and kappa."""

from __future__ import annotations

import re
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from evalkit import config, qual

THEMES = ["budget", "time_conflict", "relevance", "motivation", "resistance", "trainer_quality", "method",
          "monitoring", "service_improvement"]

# sentence -> the only themes it may be coded to
CASES = {
    "Pelatihan ini sangat bermanfaat": {"motivation"},
    "Saya tidak bisa ikut karena bentrok dengan tugas harian": {"time_conflict"},
    "anggarannya terbatas sehingga pelatihan hanya dua kali": {"budget"},
    "dilatih oleh widyaiswara yang kompeten": {"trainer_quality"},
    "waktu tunggu di loket lebih cepat": {"service_improvement"},
    "Materi tidak relevan dengan tugas kami": {"relevance"},
    "Beberapa pegawai senior merasa sudah berpengalaman dan enggan berubah": {"resistance"},
    "Metode simulasi dan e-learning lebih disukai": {"method"},
    "Perlu pendampingan dan evaluasi pasca pelatihan": {"monitoring"},
    "Saya banyak belajar tentang pembelajaran daring": {"method"},
}


@pytest.fixture(scope="module")
def codebook():
    return qual.load_codebook()


def test_shipped_codebook_has_all_themes(codebook):
    assert codebook.themes == THEMES
    assert set(codebook.table.columns) >= {"theme", "label_id", "label_en", "keywords", "negative"}


def test_sastrawi_stems_affixes_to_the_same_root():
    assert {qual.stem(w) for w in ("pelatihan", "dilatih", "melatih", "latihan")} == {"latih"}
    assert qual.stem("anggarannya") == qual.stem("anggaran") == "anggar"
    # the over-stemming the codebook works around with surface (=...) patterns
    assert qual.stem("pengalaman") == "alam"
    assert qual.stem("pengajar") == qual.stem("belajar") == "ajar"


def test_normalise_drops_placeholders_digits_and_punctuation():
    toks = [t for _, t in qual.tokenize("[NAMA] ([NIP]) hadir 3 kali, e-learning!")]
    assert toks == ["hadir", "kali", "e-learning"]
    assert qual.stem_text("Pelatihan [NAMA] bermanfaat.") == "latih manfaat"


@pytest.mark.parametrize("text, expected", list(CASES.items()))
def test_crafted_sentences_code_to_expected_themes_only(codebook, text, expected):
    coded = qual.code_texts(pd.DataFrame({"text": [text]}), codebook=codebook)
    got = {t for t in THEMES if coded.loc[0, t]}
    assert got == expected, (text, qual.stem_text(text))
    assert coded.loc[0, "n_themes"] == len(expected)


def test_negative_phrase_masks_only_its_own_span(codebook):
    texts = ["waktu tunggu di loket lebih cepat", "waktu tunggu lama dan jadwal pelatihan bentrok"]
    coded = qual.code_texts(pd.DataFrame({"text": texts}), codebook=codebook, counts=True)
    assert not coded.loc[0, "time_conflict"]
    assert coded.loc[1, "time_conflict"] and coded.loc[1, "service_improvement"]
    assert coded.loc[1, "hits_time_conflict"] == 2  # jadwal, bentrok; "waktu" is masked by "waktu tunggu"


def test_phrase_does_not_cross_clause_boundary(codebook):
    coded = qual.code_texts(pd.DataFrame({"text": ["Itu tugas. Harian kami padat."]}), codebook=codebook)
    assert not coded.loc[0, "time_conflict"]


def test_code_texts_keeps_columns_and_handles_missing_text(codebook):
    df = pd.DataFrame({"interview_id": ["A", "B", "C"], "region": ["Mamuju"] * 3,
                       "text": ["Anggaran kurang", None, ""]}, index=[10, 11, 12])
    coded = qual.code_texts(df, codebook=codebook)
    assert list(coded.index) == [10, 11, 12]
    assert "text" not in coded and {"interview_id", "region", "n_themes", "n_tokens"} <= set(coded.columns)
    assert coded["budget"].tolist() == [True, False, False]
    assert coded["n_tokens"].tolist() == [2, 0, 0]
    assert coded.attrs["themes"] == THEMES
    with pytest.raises(ValueError, match="not in df"):
        qual.code_texts(df, text_col="transkrip")


def test_custom_codebook_and_validation_errors(tmp_path):
    good = tmp_path / "cb.csv"
    good.write_text("theme,label_id,label_en,keywords\nfasilitas,Fasilitas,Facilities,ruangan|=wifi*\n")
    cb = qual.load_codebook(good)
    coded = qual.code_texts(pd.DataFrame({"text": ["Ruangannya panas, wifinya lambat", "bagus"]}), codebook=cb)
    assert coded["fasilitas"].tolist() == [True, False]

    missing = tmp_path / "missing.csv"
    missing.write_text("theme,label_id,keywords\nx,X,a\n")
    with pytest.raises(ValueError, match=r"missing\.csv.*label_en"):
        qual.load_codebook(missing)
    bad = tmp_path / "bad.csv"
    bad.write_text("theme,label_id,label_en,keywords\nok,A,A,anggaran\nBad Theme,B,B,biaya\n")
    with pytest.raises(ValueError, match=r"bad\.csv, line 3.*Bad Theme"):
        qual.load_codebook(bad)
    empty_kw = tmp_path / "empty.csv"
    empty_kw.write_text("theme,label_id,label_en,keywords\nx,X,X,\n")
    with pytest.raises(ValueError, match=r"empty\.csv, line 2.*no keywords"):
        qual.load_codebook(empty_kw)
    dup = tmp_path / "dup.csv"
    dup.write_text("theme,label_id,label_en,keywords\nx,X,X,a\nx,Y,Y,b\n")
    with pytest.raises(ValueError, match="line 3.*duplicate"):
        qual.load_codebook(dup)
    with pytest.raises(FileNotFoundError):
        qual.load_codebook(tmp_path / "nope.csv")


def _interviews(n_big=12, n_small=3):
    rows = []
    for i in range(n_big):
        rows.append(("Mamuju", "peserta", "anggaran terbatas" if i % 3 == 0 else "pelatihan bermanfaat"))
    for _ in range(n_small):
        rows.append(("Ampenan", "masyarakat", "antrian di loket lebih cepat"))
    df = pd.DataFrame(rows, columns=["region", "role", "text"])
    df.insert(0, "interview_id", [f"W{i:03d}" for i in range(len(df))])
    return df


def test_theme_frequencies_wilson_and_suppression(codebook):
    df = _interviews()
    freq = qual.theme_frequencies(qual.code_texts(df, codebook=codebook), by=["region", "role"])
    big = freq[(freq.region == "Mamuju") & (freq.theme == "budget")].iloc[0]
    assert big["n"] == 12 and big["count"] == 4 and big["share"] == pytest.approx(4 / 12)
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(4, 12, method="wilson")
    assert (big["ci_low"], big["ci_high"]) == pytest.approx((lo, hi))
    assert not big["suppressed"]
    small = freq[freq.region == "Ampenan"]
    assert len(small) == len(THEMES)
    assert small["suppressed"].all()
    assert small[["n", "count", "share", "ci_low", "ci_high"]].isna().all().all()
    assert config.SMALL_CELL_THRESHOLD > 3
    overall = qual.theme_frequencies(qual.code_texts(df, codebook=codebook), by=None)
    assert overall.loc[overall.theme == "service_improvement", "count"].item() == 3


def test_cooccurrence_counts_and_jaccard():
    coded = pd.DataFrame({"a": [True, True, False, False], "b": [True, False, True, False],
                          "c": [False] * 4})
    co = qual.cooccurrence(coded, themes=["a", "b", "c"]).set_index(["theme_a", "theme_b"])
    assert co.loc[("a", "b"), "n_both"] == 1
    assert co.loc[("a", "b"), "jaccard"] == pytest.approx(1 / 3)
    assert co.loc[("a", "a"), "jaccard"] == 1.0
    assert np.isnan(co.loc[("c", "c"), "jaccard"])


def test_representative_quotes_rank_reproducible_and_scrubbed(codebook):
    nip = "198503172010012004"
    df = pd.DataFrame({
        "interview_id": ["W3", "W1", "W2", "W4"],
        "region": ["Mamuju"] * 4,
        "role": ["peserta"] * 4,
        "text": [
            "Anggaran dan dana serta biaya pelatihan kurang. " + "Lanjutan cerita. " * 20,
            f"Anggaran kurang, hubungi {nip} atau 19850317 201001 2 004.",
            "Dana terbatas.",
            "Pelatihan bermanfaat.",
        ],
    })
    coded = qual.code_texts(df, codebook=codebook)
    q = qual.representative_quotes(df, coded, "budget", n=3, rng=1, codebook=codebook)
    assert q["interview_id"].iloc[0] == "W3" and q["hits"].iloc[0] == 3
    assert set(q["interview_id"]) == {"W1", "W2", "W3"}
    assert all(len(s) <= 201 for s in q["quote"])
    assert q["quote"].iloc[0] == "Anggaran dan dana serta biaya pelatihan kurang."  # focused on the theme
    long = qual.representative_quotes(df, coded, "budget", n=1, rng=1, codebook=codebook, focus=False)
    assert long["quote"].iloc[0].endswith("…") and len(long["quote"].iloc[0]) <= 201
    assert not any(re.search(r"\d{18}", s.replace(" ", "").replace(".", "")) for s in q["quote"])
    w1 = q.set_index("interview_id").loc["W1", "quote"]
    assert w1.count("[NIP]") == 2 and "2004" not in w1
    again = qual.representative_quotes(df, coded, "budget", n=3, rng=1, codebook=codebook)
    pd.testing.assert_frame_equal(q, again)
    # tie between W1 and W2 (one hit each) is broken by the seed, independent of row order
    shuffled = df.iloc[::-1]
    q2 = qual.representative_quotes(shuffled, qual.code_texts(shuffled, codebook=codebook), "budget", n=3,
                                    rng=1, codebook=codebook)
    assert q2["interview_id"].tolist() == q["interview_id"].tolist()


@pytest.mark.parametrize("seed", range(5))
def test_kappa_matches_sklearn_random(seed):
    rng = np.random.default_rng(seed)
    a = rng.random(60) < 0.3
    b = np.where(rng.random(60) < 0.8, a, ~a)
    assert qual.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    x = rng.integers(0, 4, 50)
    y = np.where(rng.random(50) < 0.6, x, rng.integers(0, 4, 50))
    assert qual.cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y), abs=1e-12)


@pytest.mark.parametrize("a, b", [
    ([True] * 5, [True, False, True, True, True]),   # one rater constant -> 0
    ([False] * 4, [True] * 4),                       # total disagreement, both constant -> 0
    ([1, 0, 1, 0], [0, 1, 0, 1]),                    # perfect disagreement -> -1
    ([1, 0, 1, 0], [1, 0, 1, 0]),                    # perfect agreement -> 1
])
def test_kappa_degenerate_cases_match_sklearn(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = cohen_kappa_score(a, b)
    assert qual.cohen_kappa(a, b) == pytest.approx(ref, abs=1e-12)


def test_kappa_undefined_when_both_constant_and_same():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = cohen_kappa_score([1, 1, 1], [1, 1, 1])
    assert np.isnan(ref) and np.isnan(qual.cohen_kappa([1, 1, 1], [1, 1, 1]))
    assert qual.cohen_kappa([1, 1, 1], [1, 1, 1], undefined=1.0) == 1.0
    with pytest.raises(ValueError):
        qual.cohen_kappa([1, 0], [1])


def test_coding_agreement_per_theme(codebook):
    df = _interviews()
    coded = qual.code_texts(df, codebook=codebook)
    hand = coded[["interview_id", "budget", "motivation"]].astype({"motivation": "object"})
    hand.loc[hand.index[1], "budget"] = True  # one disagreement
    hand.loc[hand.index[2], "motivation"] = np.nan  # not hand-coded
    ag = qual.coding_agreement(coded, hand).set_index("theme")
    assert list(ag.index) == ["budget", "motivation"]
    ref = cohen_kappa_score(coded["budget"], hand["budget"].astype(bool))
    assert ag.loc["budget", "kappa"] == pytest.approx(ref, abs=1e-12)
    assert ag.loc["budget", "n"] == 15 and ag.loc["motivation", "n"] == 14
    assert ag.loc["motivation", "kappa"] == pytest.approx(1.0)
    assert ag.loc["motivation", "band"] == "almost perfect"
    assert qual.kappa_band(0.5) == "moderate" and qual.kappa_band(-0.1) == "poor"
    assert qual.kappa_band(float("nan")) == "undefined"


def test_coding_speed_3000_texts(codebook):
    rng = np.random.default_rng(7)
    frags = list(CASES) + ["Pelayanan pengaduan masyarakat membaik", "Jadwal pelatihan terlalu padat",
                           "Narasumber menguasai materi", "Tindak lanjut belum ada dari atasan"]
    filler = ["kami", "di", "kantor", "dinas", "merasa", "bahwa", "program", "ini", "sudah", "berjalan",
              "dengan", "baik", "namun", "masih", "perlu", "perbaikan"]
    texts = [" ".join([frags[rng.integers(len(frags))], *rng.choice(filler, 8),
                       f"kata{''.join(rng.choice(list('abcdefgh'), 3))}"]) for _ in range(3000)]
    df = pd.DataFrame({"text": texts})
    t0 = time.perf_counter()
    coded = qual.code_texts(df, codebook=codebook)
    dt = time.perf_counter() - t0
    print(f"coded 3000 texts in {dt:.2f} s")
    assert len(coded) == 3000
    # correctness on the sample: a text starting with a crafted case has (at least) that case's themes
    for text, row in zip(texts[:300], coded.head(300).itertuples(), strict=True):
        for case, themes in CASES.items():
            if text.startswith(case):
                assert all(getattr(row, t) for t in themes)


# ------------------------------------------------------------------------------------------- hand codes, findings
def test_theme_lookup_accepts_ids_and_both_labels(codebook):
    look = qual.theme_lookup(codebook)
    key = qual._label_key
    assert look[key("time_conflict")] == look[key("Bentrok waktu dan tugas")] == "time_conflict"
    assert look[key("TIME-CONFLICT with daily duties")] == "time_conflict"
    assert look[key("Perbaikan  pelayanan")] == "service_improvement"


def test_hand_codes_wide_maps_labels_and_keeps_missing(codebook):
    codes = pd.DataFrame({
        "interview_id": ["W1", "W1", "W2", "W2", "W3"],
        "region": ["Mamuju"] * 5,
        "theme": ["Anggaran", "time_conflict", "Budget and funding", "Motivasi dan manfaat", "anggaran"],
        "present": [True, False, False, True, True],
        "coder": ["K1", "K1", "K2", "K2", "K1"],
    })
    wide = qual.hand_codes_wide(codes, codebook=codebook)
    assert wide["interview_id"].tolist() == ["W1", "W2", "W3"]
    assert list(wide.columns[:3]) == ["interview_id", "region", "coder"] and list(wide.columns[3:]) == THEMES
    assert wide["budget"].tolist() == [True, False, True]
    assert wide.loc[1, "motivation"] and pd.isna(wide.loc[0, "motivation"])  # not coded -> <NA>
    assert wide["time_conflict"].isna().tolist() == [False, True, True]
    # agreement uses only the coded cells: W1 budget, W2 budget, W3 budget
    auto = pd.DataFrame({"interview_id": ["W1", "W2", "W3"], **{t: [False] * 3 for t in THEMES}})
    auto["budget"] = [True, False, False]
    ag = qual.coding_agreement(auto, wide, themes=["budget", "motivation"]).set_index("theme")
    assert ag.loc["budget", "n"] == 3 and ag.loc["budget", "agreement"] == pytest.approx(2 / 3)
    assert ag.loc["motivation", "n"] == 1
    with pytest.raises(ValueError, match="not in codebook.*Fasilitas"):
        qual.hand_codes_wide(codes.assign(theme=["Fasilitas"] + codes["theme"].tolist()[1:]), codebook=codebook)
    with pytest.raises(ValueError, match="conflicting hand codes"):
        qual.hand_codes_wide(pd.concat([codes, codes.iloc[[0]].assign(present=False)]), codebook=codebook)


def test_top_theme_counts_ties_and_small_groups():
    coded = pd.DataFrame({
        "region": ["A"] * 6 + ["B"] * 3,
        "budget": [True, True, False, False, True, False, True, True, True],
        "time_conflict": [True, True, True, False, True, False, False, False, False],
        "motivation": [False] * 9,
        "n_tokens": [5, 5, 5, 5, 5, 0, 5, 5, 5],   # the empty text does not count
    })
    coded.attrs["themes"] = ["budget", "time_conflict", "motivation"]
    top = qual.top_theme(coded, by="region", threshold=5).set_index("region")
    # A: 5 texts with tokens; budget 3, time_conflict 4 -> time_conflict, share 4/5
    assert top.loc["A", "theme"] == "time_conflict" and top.loc["A", "count"] == 4
    assert top.loc["A", "share"] == pytest.approx(0.8) and top.loc["A", "n"] == 5
    assert pd.isna(top.loc["B", "theme"])  # 3 texts < threshold
    tie = qual.top_theme(coded.assign(time_conflict=coded["budget"]), by=None, threshold=1)
    assert tie["theme"].item() == "budget"  # tie -> first in codebook order
    only = qual.top_theme(coded, by="region", themes=["motivation"], threshold=1)
    assert only["theme"].isna().all()  # nobody mentions it


def test_interview_findings_returns_recommend_key(codebook):
    texts = (["Jadwal pelatihan bentrok dengan tugas harian."] * 4 + ["Anggaran terbatas."] * 2
             + ["Pelayanan lebih cepat dan pelayanan ramah."] * 6)
    df = pd.DataFrame({"interview_id": [f"W{i}" for i in range(12)], "region": "Batanghari", "text": texts})
    coded = qual.code_texts(df, codebook=codebook)
    f = qual.interview_findings(coded, "Batanghari")
    assert f == {"top_interview_theme": "time_conflict"}  # service_improvement is not a barrier theme
    from evalkit.report.recommend import recommend

    assert "barrier_time" in recommend(f, "en")["rule_id"].tolist()
    assert qual.interview_findings(coded, "Mamuju") == {"top_interview_theme": None}


def test_theme_vs_estimate_joins_by_region():
    freq = pd.DataFrame({"region": ["A", "A", "B"], "theme": ["time_conflict", "budget", "time_conflict"],
                         "n": [10.0, 10.0, 8.0], "share": [0.5, 0.1, 0.25], "ci_low": [0.2, 0.0, 0.05],
                         "ci_high": [0.8, 0.4, 0.6]})
    est = pd.DataFrame({"region": ["B", "A", "A", "C"], "term": ["barrier_time", "barrier_time", "x", "barrier_time"],
                        "estimate": [-0.1, -0.3, 9.0, -0.2], "ci_low": [-0.2, -0.4, 8.0, -0.3],
                        "ci_high": [0.0, -0.2, 10.0, -0.1]})
    out = qual.theme_vs_estimate(freq, est, "time_conflict", "barrier_time")
    assert out["region"].tolist() == ["A", "B"]
    assert out["share"].tolist() == [0.5, 0.25] and out["estimate"].tolist() == [-0.3, -0.1]
    assert out["est_ci_low"].tolist() == [-0.4, -0.2]
    with pytest.raises(ValueError, match="term"):
        qual.theme_vs_estimate(freq, est, "time_conflict", "nope")


def test_theme_plots_return_axes(codebook):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    coded = qual.code_texts(_interviews(n_big=12, n_small=6), codebook=codebook)
    ax = qual.theme_frequency_plot(qual.theme_frequencies(coded, by="region"), codebook=codebook)
    assert len(ax.get_yticklabels()) == len(THEMES)
    plt.close(ax.figure)
    ax = qual.cooccurrence_plot(qual.cooccurrence(coded), codebook=codebook)
    assert len(ax.get_xticklabels()) == len(THEMES)
    plt.close(ax.figure)


def test_themes_vs_ame_stacks_pairs_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    freq = pd.DataFrame({"region": ["A", "B", "A", "B"], "theme": ["time_conflict"] * 2 + ["motivation"] * 2,
                         "n": [10.0] * 4, "share": [0.5, 0.2, 0.3, 0.6], "ci_low": [0.2, 0.05, 0.1, 0.3],
                         "ci_high": [0.8, 0.5, 0.6, 0.85]})
    ame = pd.DataFrame({"region": ["A", "B", "A", "B"], "term": ["barrier_time"] * 2 + ["barrier_motivation"] * 2,
                        "estimate": [-0.3, -0.1, -0.2, -0.4], "ci_low": [-0.4, -0.2, -0.3, -0.5],
                        "ci_high": [-0.2, 0.0, -0.1, -0.3]})
    out = qual.themes_vs_ame(freq, ame)
    assert out[["theme", "term", "region"]].values.tolist() == [
        ["time_conflict", "barrier_time", "A"], ["time_conflict", "barrier_time", "B"],
        ["motivation", "barrier_motivation", "A"], ["motivation", "barrier_motivation", "B"]]
    assert out.loc[3, "estimate"] == -0.4 and out.loc[3, "share"] == 0.6
    fig = qual.themes_vs_ame_plot(out)
    assert sum(ax.get_visible() for ax in fig.axes) == 2
    plt.close(fig)


def _fce_1969_se(a, b):
    """Fleiss, Cohen & Everitt (1969, Psychol. Bull. 72:323-327, eq. 13) large-sample SE of kappa under the
    alternative (kappa not assumed 0), transcribed cell by cell from the 2 x 2 table of proportions."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    n = len(a)
    p = np.array([[np.mean((a == i) & (b == j)) for j in (False, True)] for i in (False, True)])
    r, c = p.sum(1), p.sum(0)
    po, pe = np.trace(p), float(r @ c)
    k = (po - pe) / (1 - pe)
    s = sum(p[i, i] * (1 - (r[i] + c[i]) * (1 - k)) ** 2 for i in range(2))
    s += (1 - k) ** 2 * sum(p[i, j] * (c[i] + r[j]) ** 2 for i in range(2) for j in range(2) if i != j)
    s -= (k - pe * (1 - k)) ** 2
    return np.sqrt(s / (n * (1 - pe) ** 2))


@pytest.mark.parametrize("seed", range(4))
def test_coding_agreement_kappa_se_is_fleiss_cohen_everitt(seed):
    """kappa_se = the FCE (1969) SE under the alternative, as statsmodels' cohens_kappa ``std_kappa`` (its
    ``std_kappa0`` is the SE under H0: kappa = 0, for tests); not Cohen's (1960) sqrt(po(1-po)/(n(1-pe)^2))."""
    from statsmodels.stats.inter_rater import cohens_kappa, to_table

    rng = np.random.default_rng(seed)
    a = rng.random(80) < 0.35
    b = np.where(rng.random(80) < 0.8, a, ~a)
    auto = pd.DataFrame({"interview_id": range(80), "budget": a})
    hand = pd.DataFrame({"interview_id": range(80), "budget": b})
    ag = qual.coding_agreement(auto, hand, themes=["budget"]).iloc[0]
    sm = cohens_kappa(to_table(np.column_stack([a, b]).astype(int))[0])
    assert ag["kappa"] == pytest.approx(sm.kappa, abs=1e-12)
    assert ag["kappa_se"] == pytest.approx(sm.std_kappa, rel=1e-10)
    assert ag["kappa_se"] == pytest.approx(_fce_1969_se(a, b), rel=1e-10)
    po = np.mean(a == b)
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    assert ag["kappa_se"] != pytest.approx(np.sqrt(po * (1 - po) / (80 * (1 - pe) ** 2)), rel=1e-6)
