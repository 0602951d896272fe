"""The national list of regions (provinsi, kabupaten/kota, kecamatan) and how names are matched to it."""

from __future__ import annotations

import re
import time
from importlib import resources

import pandas as pd
import pytest

from evalkit import config
from evalkit.ingest import regions as R
from evalkit.ingest.normalise import NormaliseError, parse_region
from evalkit.ingest.regions import (
    AmbiguousRegion,
    RegionError,
    UnknownRegion,
    match_region,
    match_regions,
)


# ------------------------------------------------------------------------------------------------ the list
def test_counts_match_the_decree():
    """Kepmendagri 300.2.2-2138/2025: 38 provinsi, 416 kabupaten, 98 kota (DOMAIN.md), 7,285 kecamatan."""
    counts = {lev: len(R.all_regions(lev)) for lev in R.LEVELS}
    assert counts == {"provinsi": 38, "kabupaten": 416, "kota": 98, "kecamatan": 7285}
    header = resources.files("evalkit.data").joinpath("wilayah.csv").read_text(encoding="utf-8")[:2000]
    assert "300.2.2-2138 Tahun 2025" in header and "idn-area-data" in header
    assert "38 provinsi, 416 kabupaten, 98 kota, 7285 kecamatan" in header


def test_codes_and_hierarchy():
    units = R.all_regions()
    codes = [m.code for m in units]
    assert len(set(codes)) == len(codes)
    by_code = {m.code: m for m in units}
    pattern = {"provinsi": r"\d{2}", "kabupaten": r"\d{2}\.\d{2}", "kota": r"\d{2}\.\d{2}",
               "kecamatan": r"\d{2}(\.\d{2}){2}"}
    for m in units:
        assert re.fullmatch(pattern[m.level], m.code), m
        assert by_code[m.code[:2]].name == m.province
        if m.level == "kecamatan":
            assert by_code[m.code[:5]].name == m.kabupaten
        else:
            assert m.kabupaten is None
    assert all(by_code[c].name.startswith("Kota ") for c in codes if re.fullmatch(r"\d{2}\.7\d", c))


def test_aliases_name_units_of_the_list():
    names = {m.name for m in R.all_regions() if m.level != "kecamatan"}
    assert set(R.ALIASES) <= names
    for official, alts in R.ALIASES.items():
        for alt in alts:
            try:
                assert match_region(alt).name == official, alt
            except AmbiguousRegion as e:  # "Jogja": the provinsi or the kota
                assert official in {c.name for c in e.candidates}


# ------------------------------------------------------------------------------------------------ spelling
@pytest.mark.parametrize("text, code", [
    ("Batanghari", "15.04"), ("Batang Hari", "15.04"), ("KAB. BATANG HARI", "15.04"), ("kab batanghari", "15.04"),
    ("Kabupaten  Batang-Hari", "15.04"), ("Bukittinggi", "13.75"), ("Bukit Tinggi", "13.75"),
    ("Kota Bukit Tinggi", "13.75"), ("KOTA BUKITTINGGI", "13.75"), ("Kotamadya Bukittinggi", "13.75"),
    ("DKI Jakarta", "31"), ("Jakarta", "31"), ("Provinsi DKI Jakarta", "31"), ("Prov. DKI Jakarta", "31"),
    ("Daerah Khusus Ibukota Jakarta", "31"), ("Daerah Khusus Ibu Kota Jakarta", "31"),
    ("Kota Jakarta Selatan", "31.74"), ("Kota Adm. Jakarta Selatan", "31.74"), ("Jakarta Selatan", "31.74"),
    ("Kota Administrasi Jakarta Selatan", "31.74"), ("Kab. Adm. Kep. Seribu", "31.01"),
    ("Kepulauan Seribu", "31.01"), ("Kec. Ampenan", "52.71.01"), ("Kecamatan Ampenan", "52.71.01"),
    ("AMPENAN", "52.71.01"), ("Ampenan, Kota Mataram", "52.71.01"),
    ("Kecamatan Ampenan, Kota Mataram, NTB", "52.71.01"),
    ("Kab. Mamuju", "76.02"), ("Mamuju Tengah", "76.06"), ("Kabupaten Toli-Toli", "72.04"), ("Tolitoli", "72.04"),
    ("Sumatra Barat", "13"), ("Prov. Sumbar", "13"), ("D.I. Yogyakarta", "34"), ("Kota Yogyakarta", "34.71"),
    ("Kab. Mamuju Utara", "76.01"), ("Pasangkayu", "76.01"), ("Solo", "33.72"), ("Pemkab Bogor", "32.01"),
    ("Kab.Bogor", "32.01"), ("  kota   bogor  ", "32.71"), ("Kabupaten Kotabaru", "63.02"),
])
def test_spelling_variants(text, code):
    assert match_region(text).code == code


@pytest.mark.parametrize("text, code", [
    ("76.01", "76.01"), ("7601", "76.01"), (7601, "76.01"), ("76", "76"), ("76.02.01", "76.02.01"),
    ("760201", "76.02.01"), ("76 02 01", "76.02.01"), (" 32.75 ", "32.75"),
])
def test_codes_with_or_without_dots(text, code):
    assert match_region(text).code == code


def test_unknown_and_village_codes():
    with pytest.raises(UnknownRegion, match="unknown region code"):
        match_region("99.99")
    with pytest.raises(UnknownRegion, match="desa/kelurahan codes are not supported"):
        match_region("5271011001")


def test_match_fields():
    m = match_region("Kab. Batang Hari")
    assert (m.code, m.name, m.level, m.display, m.province, m.kabupaten) == (
        "15.04", "Kabupaten Batanghari", "kabupaten", "Batanghari", "Jambi", None)
    k = match_region("Ampenan")
    assert (k.level, k.kabupaten, k.province) == ("kecamatan", "Kota Mataram", "Nusa Tenggara Barat")


# ------------------------------------------------------------------------------------------------ ambiguity
def test_bekasi_kabupaten_and_kota():
    assert match_region("Kabupaten Bekasi").code == "32.16"
    assert match_region("Kab. Bekasi").code == "32.16"
    assert match_region("Kota Bekasi").code == "32.75"
    for text in ("Bekasi", "BEKASI", "Bekasi, Jawa Barat", "Kab/Kota Bekasi"):
        with pytest.raises(AmbiguousRegion) as e:
            match_region(text)
        assert [c.code for c in e.value.candidates] == ["32.16", "32.75"]
        assert "Kabupaten Bekasi" in e.value.reason and "Kota Bekasi" in e.value.reason
    assert match_region("Bekasi", within="Kota Bekasi").code == "32.75"  # a cell repeating its own unit


def test_province_and_kota_of_one_name():
    with pytest.raises(AmbiguousRegion):
        match_region("Jambi")
    assert match_region("Provinsi Jambi").level == "provinsi"
    assert match_region("Kota Jambi").level == "kota"


def test_bigger_units_before_kecamatan():
    assert match_region("Mamuju").code == "76.02"  # the kabupaten, not the kecamatan Mamuju in it
    assert match_region("Kecamatan Mamuju").code == "76.02.01"
    assert match_region("Batanghari").code == "15.04"  # not the kecamatan Batanghari in Lampung Timur
    assert match_region("Batanghari, Lampung Timur").code == "18.07.06"


def test_kecamatan_ambiguous_without_within_and_resolved_with_it():
    with pytest.raises(AmbiguousRegion) as e:
        match_region("Tamansari")
    assert len(e.value.candidates) == 5 and {c.level for c in e.value.candidates} == {"kecamatan"}
    assert "add the kabupaten/kota" in e.value.reason
    assert match_region("Tamansari", within="Kabupaten Bogor").code == "32.01.31"
    assert match_region("Tamansari", within="32.01").code == "32.01.31"
    assert match_region("Tamansari", within=match_region("Kota Tasikmalaya")).code == "32.78.07"
    assert match_region("Kec. Tamansari, Kota Tasikmalaya").code == "32.78.07"
    assert match_region("Tamansari", within="DKI Jakarta").code == "31.73.03"  # the only one in the provinsi
    with pytest.raises(AmbiguousRegion) as e:
        match_region("Tamansari", within="Jawa Barat")  # Kabupaten Bogor and Kota Tasikmalaya
    assert [c.code for c in e.value.candidates] == ["32.01.31", "32.78.07"]
    assert match_region("Tamansari", within="Bogor").code == "32.01.31"  # of both Bogor, only the kabupaten has one
    with pytest.raises(UnknownRegion, match="no region named 'Tamansari' in 'Kabupaten Bekasi'"):
        match_region("Tamansari", within="Kabupaten Bekasi")


def test_conflicting_context():
    with pytest.raises(UnknownRegion, match="no region named 'Mamuju' in 'Jambi'"):
        match_region("Mamuju, Jambi")
    with pytest.raises(UnknownRegion, match="unknown larger area 'Atlantis'"):
        match_region("Mamuju, Atlantis")
    assert match_region("Mamuju, Sulawesi Barat, Indonesia").code == "76.02"


# ------------------------------------------------------------------------------------------------ unknown
@pytest.mark.parametrize("text, suggestion", [
    ("Kabupaten Bekasih", "Kabupaten Bekasi"), ("Bukitingi", "Bukittinggi"), ("Mamuju Tenggara", "Mamuju Tengah"),
    ("Kota Mamuju", "Mamuju"), ("Kec. Ampenann", "Ampenan"),
])
def test_unknown_names_suggest_the_closest(text, suggestion):
    with pytest.raises(UnknownRegion) as e:
        match_region(text)
    assert e.value.reason.startswith("unknown region")
    assert suggestion in e.value.suggestions
    assert suggestion in e.value.reason


def test_errors_are_value_errors():
    for bad in (None, True, "", "   ", "x" * 300, "Kabupaten", float("nan")):
        with pytest.raises(RegionError):
            match_region(bad)
    assert issubclass(RegionError, ValueError)


# ------------------------------------------------------------------------------------------------ display, slugs
def test_display_names_are_unique_and_match_back():
    units = R.all_regions()
    assert len({m.display for m in units}) == len(units)
    for m in units:
        assert match_region(m.display) == m, m.display
        assert match_region(m.code) == m


def test_slugs_distinct_for_every_kabupaten_kota():
    kk = R.all_regions(("kabupaten", "kota"))
    slugs = [R.region_slug(m) for m in kk]
    assert len(kk) == 514 and len(set(slugs)) == 514
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", s) for s in slugs)
    assert len({m.slug for m in R.all_regions()}) == len(R.all_regions())
    assert R.region_slug("Kabupaten Bekasi") == "kab_bekasi" and R.region_slug("Kota Bekasi") == "kota_bekasi"
    assert [R.region_slug(r) for r in ("Kab. Mamuju", "Batang Hari", "Kota Bukit Tinggi", "Kec. Ampenan")] == [
        "mamuju", "batanghari", "bukittinggi", "ampenan"]
    assert R.region_slug("Kota Adm. Jakarta Selatan") == "jakarta_selatan"


# ------------------------------------------------------------------------------------------------ columns
def test_match_regions_on_a_column():
    s = pd.Series(["Kab. Mamuju", "KAB. MAMUJU", "Kota Bekasi", "Bekasi", None, "", "Bekasih", "Kab. Mamuju"],
                  index=list("abcdefgh"))
    out = match_regions(s)
    assert list(out.index) == list("abcdefgh")
    assert out["display"].tolist() == ["Mamuju", "Mamuju", "Kota Bekasi", None, None, None, None, "Mamuju"]
    assert out["error"].notna().tolist() == [False, False, False, True, False, False, True, False]
    assert out.loc["d", "error"].startswith("ambiguous region")
    per_row = match_regions(["Tamansari", "Tamansari", "Tamansari"],
                            within=["Kabupaten Bogor", "Kota Tasikmalaya", None])
    assert per_row["code"].tolist() == ["32.01.31", "32.78.07", None]
    assert per_row["error"].notna().tolist() == [False, False, True]


def test_ten_thousand_distinct_values_well_under_a_second():
    values = []
    for m in R.all_regions():
        if m.level == "kecamatan":
            values += [f"{m.name}, {m.kabupaten}", m.code.replace(".", "")]
        else:
            values += [m.display, m.name.upper(), m.code]
    values = list(dict.fromkeys(values))[:10_000]
    assert len(values) == 10_000
    R._index()
    R._match_cached.cache_clear()
    t = time.perf_counter()
    out = match_regions(pd.Series(values * 5))
    elapsed = time.perf_counter() - t
    assert out["error"].isna().mean() > 0.99
    assert elapsed < 1.0, f"{elapsed:.2f} s"


# ------------------------------------------------------------------------------------------------ the cleaner
def test_demo_regions_keep_their_canonical_names():
    from evalkit.synth.names import REGION_VARIANTS

    for name, (level, parent, province) in config.REGIONS.items():
        assert parse_region(name) == name
        m = match_region(name)
        assert m.level == level and m.display == name
        assert m.province in (province, "Daerah Khusus Ibukota Jakarta")
        if parent:
            assert m.kabupaten == parent
        for spelling in REGION_VARIANTS[name]:
            assert parse_region(spelling) == name, spelling


@pytest.mark.parametrize("text, expected", [
    ("Kabupaten Bogor", "Kabupaten Bogor"), ("Kota Bogor", "Kota Bogor"), ("Kabupaten Agam", "Agam"),
    ("Kab. Mamuju Tengah", "Mamuju Tengah"), ("Kota Mataram", "Mataram"), ("3275", "Kota Bekasi"),
    ("Kota Bukittinggi (Sumbar)", "Bukittinggi"), ("Provinsi Papua Pegunungan", "Papua Pegunungan"),
])
def test_parse_region_accepts_every_region(text, expected):
    assert parse_region(text) == expected


def test_parse_region_errors_name_the_candidates():
    with pytest.raises(NormaliseError, match=r"ambiguous region 'Bogor'.*Kabupaten Bogor.*Kota Bogor"):
        parse_region("Bogor")
    with pytest.raises(NormaliseError, match=r"^unknown region.*closest: .*Mamuju Tengah"):
        parse_region("Kab. Mamuju Tenggara")
    with pytest.raises(NormaliseError, match="unknown region"):
        parse_region(3.5)


def test_parse_region_with_own_names():
    own = {"Bekasi Regency": ("kabupaten", None, "Jawa Barat")}
    with pytest.raises(NormaliseError, match="region table"):
        parse_region("Kab. Bekasi", own)
    own = {"Bekasi": ("kabupaten", None, "Jawa Barat"), "Ampenan": ("kecamatan", "Kota Mataram", "Nusa Tenggara Barat")}
    assert parse_region("Kab. Bekasi", own) == "Bekasi"
    assert parse_region("Kota Bekasi", own) == "Kota Bekasi"
    assert parse_region("Kec. Ampenan", own) == "Ampenan"
