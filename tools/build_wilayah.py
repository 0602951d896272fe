"""Rebuild ``src/evalkit/data/wilayah.csv`` (provinsi, kabupaten/kota and kecamatan with their Kemendagri codes)
from the tarball of the npm package ``idn-area-data`` 4.x.

Usage::

    npm pack idn-area-data@4          # downloads idn-area-data-<version>.tgz without installing it
    python tools/build_wilayah.py idn-area-data-4.0.1.tgz

Only the standard library is used. Desa/kelurahan and islands are left out. The script checks the counts
(38 provinsi, 416 kabupaten, 98 kota) and that every code sits under its parent's code.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "evalkit" / "data" / "wilayah.csv"

HEADER = """\
# Administrative areas of Indonesia with their Kemendagri codes (kode wilayah): provinsi ("11"), kabupaten/kota
# ("11.01") and kecamatan ("11.01.01"); no desa/kelurahan.
# Regulation: Keputusan Menteri Dalam Negeri Nomor 300.2.2-2138 Tahun 2025 tentang Pemberian dan
#   Pemutakhiran Kode, Data Wilayah Administrasi Pemerintahan, dan Pulau (25 April 2025).
# Source: npm package idn-area-data {version} (https://github.com/fityannugroho/idn-area-data), files
#   data/provinces.csv, data/regencies.csv and data/districts.csv, which cite that decree as their source.
#   Data licence: Open Database License (ODbL) 1.0; this file is a derived database under the same licence.
# Counts: {counts}.
# Rebuild: python tools/build_wilayah.py idn-area-data-{version}.tgz
"""


def _read(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    f = tar.extractfile(f"package/data/{name}")
    assert f is not None, name
    return list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", newline="")))


def build(tgz: str | Path, out: Path = OUT) -> dict[str, int]:
    with tarfile.open(tgz, "r:gz") as tar:
        meta = tar.extractfile("package/package.json")
        assert meta is not None
        version = json.load(meta)["version"]
        prov, reg, dis = _read(tar, "provinces.csv"), _read(tar, "regencies.csv"), _read(tar, "districts.csv")
    prov_codes = {p["code"] for p in prov}
    reg_codes = {r["code"] for r in reg}
    for r in reg:
        assert r["province_code"] in prov_codes and r["code"].startswith(r["province_code"] + "."), r
        assert r["name"].startswith(("Kabupaten ", "Kota ")), r
    for d in dis:
        assert d["regency_code"] in reg_codes and d["code"].startswith(d["regency_code"] + "."), d
    counts = {
        "provinsi": len(prov),
        "kabupaten": sum(r["name"].startswith("Kabupaten ") for r in reg),
        "kota": sum(r["name"].startswith("Kota ") for r in reg),
        "kecamatan": len(dis),
    }
    assert (counts["provinsi"], counts["kabupaten"], counts["kota"]) == (38, 416, 98), counts
    rows = sorted([(p["code"], p["name"]) for p in prov] + [(r["code"], r["name"]) for r in reg]
                  + [(d["code"], d["name"]) for d in dis])
    buf = io.StringIO()
    buf.write(HEADER.format(version=version, counts=", ".join(f"{v} {k}" for k, v in counts.items())))
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "name"])
    w.writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(sys.argv[1]), "->", OUT)
