"""Paths and constants in one place.

Every path can be overridden with an environment variable so that a user can point evalkit at their own
field files without editing code:

=================  ==========================  ===========================================
constant           environment variable        default
=================  ==========================  ===========================================
``DATA_DIR``       ``EVALKIT_DATA_DIR``        ``<project>/data``
``RAW_DATA_DIR``   ``EVALKIT_RAW_DIR``         ``DATA_DIR / "raw"``
``PROCESSED_DIR``  ``EVALKIT_PROCESSED_DIR``   ``DATA_DIR / "processed"``
``TRUTH_DIR``      ``EVALKIT_TRUTH_DIR``       ``DATA_DIR / "truth"`` (synthetic ground truth)
``REPORTS_DIR``    ``EVALKIT_REPORTS_DIR``     ``<project>/reports``
=================  ==========================  ===========================================

Domain constants (see ``DOMAIN.md`` for sources) are plain module attributes; functions that use them take
an argument of the same name so a caller can override them per call.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "PROJ_ROOT",
    "DATA_DIR",
    "RAW_DATA_DIR",
    "PROCESSED_DIR",
    "QUARANTINE_DIR",
    "TRUTH_DIR",
    "REPORTS_DIR",
    "FIGURES_DIR",
    "TABLES_DIR",
    "NOTEBOOKS_DIR",
    "JP_MINUTES",
    "JP_TARGET_PER_YEAR",
    "IKM_WEIGHT",
    "SMALL_CELL_THRESHOLD",
    "DEFAULT_SEED",
    "REGIONS",
    "paths",
]


def _find_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "src" / "evalkit").exists():
            return parent
    return Path.cwd()


PROJ_ROOT: Path = Path(os.environ.get("EVALKIT_PROJ_ROOT", _find_root()))


def paths() -> dict[str, Path]:
    """Resolve the data and report folders now, honouring the ``EVALKIT_*`` environment variables.

    Functions that write files call this at run time (not at import time) so that tests and users can
    redirect them with environment variables after ``import evalkit``.
    """
    data = Path(os.environ.get("EVALKIT_DATA_DIR", PROJ_ROOT / "data"))
    processed = Path(os.environ.get("EVALKIT_PROCESSED_DIR", data / "processed"))
    reports = Path(os.environ.get("EVALKIT_REPORTS_DIR", PROJ_ROOT / "reports"))
    return {
        "data": data,
        "raw": Path(os.environ.get("EVALKIT_RAW_DIR", data / "raw")),
        "processed": processed,
        "quarantine": processed / "quarantine",
        "truth": Path(os.environ.get("EVALKIT_TRUTH_DIR", data / "truth")),
        "reports": reports,
        "figures": reports / "figures",
        "tables": reports / "tables",
        "notebooks": PROJ_ROOT / "notebooks",
    }


_p = paths()
DATA_DIR: Path = _p["data"]
RAW_DATA_DIR: Path = _p["raw"]
PROCESSED_DIR: Path = _p["processed"]
QUARANTINE_DIR: Path = _p["quarantine"]
TRUTH_DIR: Path = _p["truth"]
REPORTS_DIR: Path = _p["reports"]
FIGURES_DIR: Path = _p["figures"]
TABLES_DIR: Path = _p["tables"]
NOTEBOOKS_DIR: Path = _p["notebooks"]

#: Minutes in one jam pelajaran (JP) of ASN training. 45 is the common convention [UNVERIFIED against LAN
#: primary text, see DOMAIN.md section 3]; some agencies use 60.
JP_MINUTES: int = 45
#: PP 11/2017 (as amended by PP 17/2020) Pasal 203 ayat (4): at least 20 JP of competency development a year.
JP_TARGET_PER_YEAR: int = 20
#: IKM weight per unsur (PermenPANRB 14/2017). Exactly 1/9 by default; published guidance prints 0,111.
IKM_WEIGHT: float = 1 / 9
#: Published tables suppress cells with fewer people than this.
SMALL_CELL_THRESHOLD: int = 5
#: Seed of the synthetic demo.
DEFAULT_SEED: int = 20261122

#: The five demo regions: canonical name -> (level, parent, province). Only their order is used by the library:
#: these regions come first in a cleaned ``region`` column's categories (``ingest.schemas.region_dtype``); a
#: report reads every region's place from the Kemendagri list, and the demo generator and tests read the rest.
REGIONS: dict[str, tuple[str, str | None, str]] = {
    "Mamuju": ("kabupaten", None, "Sulawesi Barat"),
    "Batanghari": ("kabupaten", None, "Jambi"),
    "DKI Jakarta": ("provinsi", None, "DKI Jakarta"),
    "Bukittinggi": ("kota", None, "Sumatera Barat"),
    "Ampenan": ("kecamatan", "Kota Mataram", "Nusa Tenggara Barat"),
}
