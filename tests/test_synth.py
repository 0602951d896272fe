"""Tests of the synthetic demo generator (``evalkit.synth``).

The generator runs three times at 1,500 employees (two runs with the same seed, one with another seed);
the effects planted in the simulated world are then recovered with naive checks straight from the raw
files, parsed here with a few lines of plain Python (independent of ``evalkit.ingest``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit import config
from evalkit.ingest.spec import _MODE_MAP, RAW_TABLES
from evalkit.synth import generate
from evalkit.synth.names import REGION_ORDER, REGION_SLUG

N_EMP = 1500


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("synth")
    out = {}
    for name, seed in (("a", config.DEFAULT_SEED), ("b", config.DEFAULT_SEED), ("c", config.DEFAULT_SEED + 1)):
        summary = generate(base / name / "raw", seed=seed, n_employees=N_EMP)
        out[name] = (base / name / "raw", Path(summary["truth_dir"]), summary)
    return out


@pytest.fixture(scope="module")
def raw(runs):
    return runs["a"][0]


@pytest.fixture(scope="module")
def truth(runs):
    return json.loads((runs["a"][1] / "truth.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------------ reading

def read_rows(path: Path) -> list[list]:
    """Every row of a raw file as a list of cell values (strings for CSV), spreadsheet order."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True).active
        return [list(r) for r in ws.iter_rows(values_only=True)]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]


def header_index(rows: list[list]) -> int:
    """0-based index of the header row: the first row with more than one filled cell."""
    for i, r in enumerate(rows):
        if sum(c not in (None, "") for c in r) > 1:
            return i
    raise AssertionError("no header row")


def read_table(path: Path, table: str) -> pd.DataFrame:
    """A raw file as a DataFrame with canonical column names (header aliases mapped back)."""
    rows = read_rows(path)
    h = header_index(rows)
    alias = {a: f.name for f in RAW_TABLES[table].fields for a in f.aliases}
    cols = [alias[c] for c in rows[h]]
    return pd.DataFrame(rows[h + 1:], columns=cols)


def files_of(raw: Path, table: str) -> list[Path]:
    return sorted(p for p in raw.iterdir() if any(p.name.startswith(x + "_") for x in RAW_TABLES[table].prefixes))


def region_of(path: Path) -> str:
    slug = path.stem.rsplit("_", 1)[-1]
    return {v: k for k, v in REGION_SLUG.items()}[slug]


def digits(x) -> str:
    return re.sub(r"\D", "", str(x))


def num(x) -> float:
    return float(str(x).replace(",", "."))


def yes(x) -> bool:
    return str(x).strip().lower() in {"ya", "y", "1", "true"}


# ------------------------------------------------------------------------------------------------ tests

def test_deterministic_and_seed_sensitive(runs):
    def hashes(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    ha, hb, hc = (hashes(runs[k][0]) for k in "abc")
    assert ha == hb
    assert hashes(runs["a"][1]) == hashes(runs["b"][1])
    assert set(ha) == set(hc)
    differ = sum(ha[k] != hc[k] for k in ha)
    assert differ >= len(ha) - 2


def test_summary(runs):
    raw, truth_dir, summary = runs["a"]
    assert truth_dir == raw.parent / "truth"
    assert set(summary["files"]) | {summary["context"]} == {p.name for p in raw.iterdir()}
    assert json.loads((raw / summary["context"]).read_text())["synthetic"] is True
    assert not any(p.name.startswith("truth") for p in raw.iterdir())


def test_refuses_non_empty_out_dir(tmp_path):
    out = tmp_path / "raw"
    out.mkdir()
    (out / "pegawai_mamuju.xlsx").write_bytes(b"x")
    with pytest.raises(ValueError, match="already contains"):
        generate(out, n_employees=300)
    with pytest.raises(ValueError, match="must not be inside"):
        generate(tmp_path / "raw2", n_employees=300, truth_dir=tmp_path / "raw2" / "truth")


def test_every_table_region_has_file_with_spec_headers(raw):
    for table, spec in RAW_TABLES.items():
        found = files_of(raw, table)
        assert {region_of(p) for p in found} == set(REGION_ORDER), table
        aliases = {a: f.name for f in spec.fields for a in f.aliases}
        required = {f.name for f in spec.fields if f.required}
        for p in found:
            rows = read_rows(p)
            h = header_index(rows)
            head = [c for c in rows[h] if c not in (None, "")]
            assert all(c in aliases for c in head), (p.name, [c for c in head if c not in aliases])
            assert len(set(head)) == len(head)
            assert required <= {aliases[c] for c in head}, p.name


def test_skm_ordering_trap_present(raw):
    trap = 0
    for p in files_of(raw, "skm"):
        head = read_rows(p)[0]
        trap += head.index("Sarana dan Prasarana") < head.index("Penanganan Pengaduan, Saran dan Masukan") \
            if "Sarana dan Prasarana" in head and "Penanganan Pengaduan, Saran dan Masukan" in head else 0
    assert trap >= 1


def test_nips_well_formed_and_unique(raw, truth):
    bad = {(b["file"], b["row"]) for b in truth["planted_bad_rows"]}
    seen = {}
    for p in files_of(raw, "employees"):
        rows = read_rows(p)
        h = header_index(rows)
        col = next(i for i, c in enumerate(rows[h]) if c in RAW_TABLES["employees"].field("nip").aliases)
        for i, r in enumerate(rows[h + 1:]):
            if (p.name, h + 2 + i) in bad:
                continue
            n = digits(r[col])
            assert len(n) == 18, (p.name, r[col])
            born = date(int(n[:4]), int(n[4:6]), int(n[6:8]))
            assert 1960 <= born.year <= 2002
            assert 1 <= int(n[12:14]) <= 12 and int(n[8:12]) >= born.year + 18
            assert n[14] in "12"
            assert int(n[15:]) >= 1
            seen.setdefault(n, set()).add(tuple(r))
    # one person per NIP (exact duplicate rows are allowed: they are planted)
    assert all(len(v) == 1 for v in seen.values())
    assert sum(truth["employees_per_region"].values()) == N_EMP == len(seen)


def _programme_modes(raw) -> dict[str, str]:
    modes = {}
    for p in files_of(raw, "programmes"):
        df = read_table(p, "programmes")
        for pid, m in zip(df["programme_id"], df["mode"]):
            modes[str(pid)] = _MODE_MAP[str(m).strip().lower()]
    return modes


def test_test_gain_by_mode(raw, truth):
    modes = _programme_modes(raw)
    df = pd.concat([read_table(p, "tests") for p in files_of(raw, "tests")], ignore_index=True)
    df = df.drop_duplicates()
    ok = df["post_score"].astype(str).str.fullmatch(r"[\d.,]+")
    df = df.loc[ok]
    gain = df["post_score"].map(num) - df["pre_score"].map(num)
    agg = gain.groupby(df["programme_id"].map(modes)).agg(["mean", "size"])
    by_mode = agg["mean"]
    true = truth["test_gain"]["true_mean_by_mode"]
    assert by_mode["simulasi"] > by_mode["e-learning"] + 4
    for m in ("simulasi", "klasikal", "e-learning"):   # within 4 standard errors of the true mean gain
        se = truth["test_gain"]["sd"] / np.sqrt(agg.loc[m, "size"])
        assert abs(by_mode[m] - true[m]) < 4 * se, (m, by_mode[m], true[m], se)
    for m, v in truth["test_gain"]["sample_mean_by_mode"].items():
        assert by_mode[m] == pytest.approx(v, abs=1e-6)


def test_batanghari_time_barrier_lowers_attendance(raw, truth):
    df = read_table(raw / "peserta_batanghari.csv", "enrolments").drop_duplicates()
    df = df.loc[df["nip"].map(lambda x: digits(x)[14] in "12")]
    att = df["attended"].map(yes)
    bt = df["barrier_time"].map(yes)
    with_, without = att[bt].mean(), att[~bt].mean()
    assert without - with_ > 0.25
    assert truth["selection"]["regions"]["Batanghari"]["strongest_barrier"] == "barrier_time"
    assert truth["selection"]["regions"]["Mamuju"]["strongest_barrier"] == "barrier_motivation"
    assert truth["selection"]["regions"]["DKI Jakarta"]["strongest_barrier"] == "barrier_experienced"
    assert truth["selection"]["regions"]["Ampenan"]["strongest_barrier"] == "barrier_relevance"


def test_jakarta_self_supervisor_gap(raw, truth):
    df = read_table(raw / "evaluasi_pasca_jakarta.xlsx", "followup").drop_duplicates()
    items = ["apply_material", "work_quality", "share_knowledge", "service_initiative"]
    score = df[items].astype(float).mean(axis=1)
    role = df["rater_role"].str.lower().map({"alumni": "self", "atasan langsung": "supervisor", "rekan kerja": "peer"})
    m = score.groupby(role).mean()
    gap = m["self"] - m["supervisor"]
    assert abs(gap - truth["followup"]["self_supervisor_gap"]) < 0.2
    assert abs(m["peer"] - m["supervisor"]) < 0.2
    assert gap == pytest.approx(truth["followup"]["sample_self_minus_supervisor"]["DKI Jakarta"], abs=1e-6)


def test_truth_att_equals_mean_of_individual_effects(runs, truth):
    pe = pd.read_parquet(runs["a"][1] / "person_effects.parquet")
    assert not {"nip", "name"} & set(pe.columns)
    att = truth["effects"]["att"]
    assert pe["tau_report_quality"].mean() == pytest.approx(att["report_quality"]["simple"], abs=1e-6)
    assert pe["tau_on_time_share"].mean() == pytest.approx(att["on_time_share"]["simple"], abs=1e-6)
    ev = att["report_quality"]["by_event_time"]
    assert ev["0"] < ev["1"] < ev["2"]
    mode = att["report_quality"]["by_mode"]
    assert mode["simulasi"] > mode["klasikal"] > mode["workshop"] > mode["e-learning"]
    assert len(pe) == att["report_quality"]["n_cells"]


def test_naive_comparison_biased_upward(raw, truth):
    """Motivation raises levels and attendance, so trained staff score higher even before training."""
    completed = set()
    for p in files_of(raw, "enrolments"):
        df = read_table(p, "enrolments")
        completed |= {digits(n) for n, c in zip(df["nip"], df["completed"]) if yes(c)}
    perf = pd.concat([read_table(p, "performance") for p in files_of(raw, "performance")], ignore_index=True)
    perf = perf.loc[perf["report_quality"].astype(str).str.fullmatch(r"[\d.,]+")]
    perf["q"] = perf["period"].astype(str)
    first = perf.loc[perf["q"].isin(["2022-Q1", "Triwulan I 2022", "TW 1 2022"])]
    trained = first["nip"].map(digits).isin(completed)
    rq = first["report_quality"].map(num)
    assert rq[trained].mean() - rq[~trained].mean() > 1.0


def test_planted_bad_rows_at_stated_cells(raw, truth):
    bad = truth["planted_bad_rows"]
    reasons = " ".join(b["reason"] for b in bad)
    for word in ("month 13", "sex digit 3", "17 digits", "out of scale", "date", "negative cost",
                 "region not in", "text where a number"):
        assert word in reasons
    for b in bad:
        rows = read_rows(raw / b["file"])
        h = header_index(rows)
        col = rows[h].index(b["column"])
        assert str(rows[b["row"] - 1][col]) == str(b["value"]), b
    dup = truth["duplicates"]
    assert dup and sum(dup.values()) > 0
    df = read_table(raw / "kinerja_jakarta.csv", "performance")
    assert df.duplicated().sum() == dup["kinerja_jakarta.csv"]


def test_service_units_match_agencies(raw):
    agencies = {}
    for p in files_of(raw, "employees"):
        agencies[region_of(p)] = set(read_table(p, "employees")["agency"])
    for table in ("services", "skm"):
        for p in files_of(raw, table):
            units = set(read_table(p, table)["unit"])
            assert units <= agencies[region_of(p)], (p.name, units - agencies[region_of(p)])


def test_ampenan_waiting_time_falls(raw, truth):
    df = read_table(raw / "layanan_ampenan.csv", "services").drop_duplicates()
    df = df.loc[df["wait_minutes"].astype(str).str.fullmatch(r"[\d.,]+")]
    df["y"] = df["month"].str[-4:].astype(int)
    w = df["wait_minutes"].map(num).groupby(df["y"]).mean()
    assert w[2024] < w[2022]
    s = truth["services"]["slopes_by_region"]
    assert min(s, key=lambda r: s[r]["wait_minutes"]) == "Ampenan"


def test_interviews_themes_and_personal_data(raw, truth):
    notes = truth["interviews"]
    counts = pd.Series([r for n in notes for r in [n["region"]]]).value_counts()
    assert counts.between(30, 60).all() and len(counts) == 5
    assert any(n["mentions_nip"] for n in notes) or any(n["mentions_name"] for n in notes)
    bt = [n for n in notes if n["region"] == "Batanghari"]
    assert sum("time_conflict" in n["themes"] for n in bt) > len(bt) / 4
    texts = " ".join(" ".join(map(str, r)) for p in files_of(raw, "interviews") for r in read_rows(p))
    assert "pelatihan" in texts and "anggarannya" in texts and "dilatih" in texts


def test_xlsx_timestamps_pinned(raw):
    import zipfile

    from evalkit.synth.messy import FIXED_TIMESTAMP

    books = sorted(raw.glob("*.xlsx"))
    assert books
    for p in books:
        with zipfile.ZipFile(p) as z:
            assert {i.date_time for i in z.infolist()} == {FIXED_TIMESTAMP.timetuple()[:6]}
            core = z.read("docProps/core.xml").decode()
            assert core.count(FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")) == 2


def test_skm_unit_means_match_truth(raw, truth):
    df = read_table(raw / "skm_jakarta.csv", "skm").drop_duplicates()
    df["period"] = df["period"].str.replace(r"(\d{4})-S(\d)", r"\1S\2", regex=True)
    got = df.assign(u1=df["u1_persyaratan"].astype(int)).groupby(["unit", "period"])["u1"].mean()
    rows = [u for u in truth["skm"]["unit_means"] if u["region"] == "DKI Jakarta"]
    assert len(rows) == len(got)
    for u in rows:
        assert got[(u["unit"], u["period"])] == pytest.approx(u["means"]["u1_persyaratan"], abs=1e-6)
    assert any(u["below_km"] for u in truth["skm"]["unit_means"])


def test_hand_coded_sample_follows_truth_themes(raw, truth):
    """The hand codes (kode_manual_*) are the notes' planted themes, read with a little human inconsistency."""
    from evalkit.synth.interviews import THEME_LABELS

    label = {lab.lower(): t for t, labs in THEME_LABELS.items() for lab in labs}
    planted = {n["interview_id"]: set(n["themes"]) for n in truth["interviews"]}
    agree = total = 0
    per_region = {}
    for p in files_of(raw, "interview_codes"):
        df = read_table(p, "interview_codes")
        ids = df["interview_id"].astype(str).unique()
        per_region[region_of(p)] = len(ids)
        assert set(ids) <= set(planted), p.name
        assert len(df) == len(ids) * len(THEME_LABELS)  # every sampled note coded for every theme
        for iid, theme, present in zip(df["interview_id"], df["theme"], df["present"], strict=True):
            code = str(present).strip().lower() in {"ya", "y", "1", "true"}
            agree += code == (label[str(theme).lower()] in planted[str(iid)])
            total += 1
    assert per_region == {r: 15 for r in REGION_ORDER}
    assert 0.93 < agree / total < 0.995   # miss 6 %, add 3 %: close to, but not exactly, the planted themes


def test_hand_codes_use_their_own_random_stream(tmp_path, monkeypatch):
    """Adding the kode_manual_* files left every other field file as it was: they draw from a separate stream."""
    from evalkit.synth import generator

    def digest(folder):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    generate(tmp_path / "with" / "raw", seed=5, n_employees=300)
    monkeypatch.setattr(generator, "_write_hand_codes", lambda *a, **k: {})
    generate(tmp_path / "without" / "raw", seed=5, n_employees=300)
    with_, without = digest(tmp_path / "with" / "raw"), digest(tmp_path / "without" / "raw")
    assert {k for k in with_ if k.startswith("kode_manual_")} == set(with_) - set(without)
    assert all(with_[k] == v for k, v in without.items())
    same = [(tmp_path / d / "truth" / "truth.json").read_bytes() for d in ("with", "without")]
    assert same[0] == same[1]


# ------------------------------------------------------------------------------------------------ clusters

def _tiny_tables():
    """Two regions, each with a "Dinas Pendidikan" (different staff, different waves) and a second agency."""
    emp = pd.DataFrame(dict(
        person_id=[1, 2, 3, 4, 5, 6], region=["A", "A", "B", "B", "A", "B"],
        agency=["Dinas Pendidikan", "Dinas Pendidikan", "Dinas Pendidikan", "Dinas Pendidikan", "BKPSDM", "BKD"],
        position_type="pelaksana", golongan="III/a", sex="L", birth_year=1980, appointment_year=2005))
    perf = pd.DataFrame([(p, q, 70.0 + k) for p in emp["person_id"] for k, q in enumerate(("2023Q1", "2023Q2"))],
                        columns=["person_id", "period", "report_quality"])
    prog = pd.DataFrame(dict(programme_id=["P1"], end_date=[date(2023, 5, 1)], mode=["klasikal"], topic=["x"]))
    en = pd.DataFrame(dict(person_id=[1, 3], programme_id=["P1", "P1"], completed=[True, True]))
    services = pd.DataFrame(dict(unit=["Dinas Pendidikan"] * 2, region=["A", "B"], month=[date(2023, 5, 1)] * 2,
                                 wait_minutes=[30.0, 40.0]))
    return perf, emp, en, prog, services


def test_same_named_agencies_of_different_regions_are_distinct_clusters():
    from evalkit import datasets

    perf, emp, en, prog, services = _tiny_tables()
    panel = datasets.performance_panel(perf, emp, en, prog)
    assert panel["agency"].nunique() == 3            # names alone pool the two Dinas Pendidikan
    assert panel["agency_id"].nunique() == 4         # region-qualified: four clusters
    ids = panel.drop_duplicates("person_id").set_index("person_id")["agency_id"]
    assert ids[1] == ids[2] == "A / Dinas Pendidikan"
    assert ids[3] == ids[4] == "B / Dinas Pendidikan"
    sp = datasets.service_panel(services, emp, en, prog)
    assert sorted(sp["unit_id"]) == ["A / Dinas Pendidikan", "B / Dinas Pendidikan"]
    assert sp["trained_share"].tolist() == [0.5, 0.5]


def test_world_agency_ids_match_region_agency_pairs():
    from evalkit import datasets
    from evalkit.synth import world as W

    w = W.simulate(np.random.default_rng(3), 400)
    emp = w.employees.rename(columns={"_pid": "person_id"}).assign(sex="L")
    perf = w.performance.drop(columns="region").rename(columns={"_pid": "person_id"})
    en = w.enrolments.rename(columns={"_pid": "person_id"})
    panel = datasets.performance_panel(perf, emp, en, w.programmes)
    pairs = w.employees[["region", "agency"]].drop_duplicates()
    assert panel["agency_id"].nunique() == len(pairs) > pairs["agency"].nunique()
    # shock parameters are recorded with the world
    assert w.params["shocks"]["agency_quarter_sd"]["report_quality"] == W.AGENCY_QUARTER_SHOCK_SD["report_quality"]


def test_truth_records_shocks(truth):
    from evalkit.synth import world as W

    sh = truth["shocks"]
    assert sh["agency_quarter_sd"] == W.AGENCY_QUARTER_SHOCK_SD
    assert sh["service_unit_ar1"] == W.SERVICE_UNIT_SHOCK
    assert "agency_id" in sh["note"]
