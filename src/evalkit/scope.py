"""Which region each row of a cleaned table belongs to, and which regions the cleaned data hold.

An office's folder rarely has every table. The demo has a staff list (``employees``) and a programme list
(``programmes``) that carry the region; a kabupaten that brings only a Google Forms survey, attendance sheets and
pre/post tests has neither, and gives its region once per file in the codebook (the ``value`` of the field
``region``). The region of a row is therefore resolved in this order:

1. tables that are about a place (``employees``, ``programmes``, ``services``, ``skm``, ``budgets``,
   ``interviews``): their own ``region`` column;
2. tables about a training (``enrolments``, ``reaction``, ``tests``, ``followup``): the region of the programme
   (programme list), else the row's own ``region`` column (given in the codebook), else the region of the
   person (staff list);
3. ``performance``: the region of the person (staff list), else its own ``region`` column.

A row whose region cannot be resolved belongs to no region report (it still counts in the pooled analyses).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["PLACE_TABLES", "TRAINING_TABLES", "PERSON_TABLES", "row_regions", "regions_present", "in_region"]

#: Tables whose rows carry their own region.
PLACE_TABLES: tuple[str, ...] = ("employees", "programmes", "services", "skm", "budgets", "interviews")
#: Tables keyed by programme: the region of the programme, else the row's own, else the person's.
TRAINING_TABLES: tuple[str, ...] = ("enrolments", "reaction", "tests", "followup")
#: Tables keyed by person only.
PERSON_TABLES: tuple[str, ...] = ("performance",)


def _lookup(df: pd.DataFrame, key: str, ref: pd.DataFrame | None) -> pd.Series:
    """The ``region`` of ``ref`` matched on ``key`` for each row of ``df`` (object dtype, None if unknown)."""
    empty = pd.Series([None] * len(df), index=df.index, dtype=object)
    if ref is None or ref.empty or key not in df.columns or not {key, "region"} <= set(ref.columns):
        return empty
    m = ref.dropna(subset=[key]).drop_duplicates(key).set_index(key)["region"].astype(object)
    out = df[key].map(m)
    return out.astype(object).where(out.notna(), None)


def _own(df: pd.DataFrame) -> pd.Series:
    if "region" not in df.columns:
        return pd.Series([None] * len(df), index=df.index, dtype=object)
    out = df["region"].astype(object)
    return out.where(out.notna(), None)


def row_regions(df: pd.DataFrame, table: str, tables: Mapping[str, pd.DataFrame | None]) -> pd.Series:
    """The region of each row of ``df`` (one of the canonical tables, named by ``table``), as plain strings
    (object dtype, None where unknown), resolved as the module docstring says. ``tables`` holds the other
    cleaned tables (only ``programmes`` and ``employees`` are used; either may be missing)."""
    if table in PLACE_TABLES:
        out = _own(df)
    elif table in TRAINING_TABLES:
        out = _lookup(df, "programme_id", tables.get("programmes"))
        out = out.where(out.notna(), _own(df))
        out = out.where(out.notna(), _lookup(df, "person_id", tables.get("employees")))
    elif table in PERSON_TABLES:
        out = _lookup(df, "person_id", tables.get("employees"))
        out = out.where(out.notna(), _own(df))
    else:
        out = _own(df)
    # each distinct region made text once (not once per row): None where unknown, else str(value)
    codes, distinct = pd.factorize(out.astype(object))
    labels = np.array([None, *(str(v) for v in distinct)], dtype=object)
    return pd.Series(labels[codes + 1], index=out.index, dtype=object)


def in_region(df: pd.DataFrame, table: str, tables: Mapping[str, pd.DataFrame | None], region: str) -> pd.Series:
    """Boolean mask of the rows of ``df`` that belong to ``region`` (see :func:`row_regions`)."""
    return row_regions(df, table, tables).eq(str(region)).fillna(False).astype(bool)


def regions_present(tables: Mapping[str, pd.DataFrame | None]) -> list[str]:
    """The regions that have at least one row in some cleaned table, in the order of the region categories
    (the configured study regions first, see :func:`evalkit.ingest.schemas.region_dtype`), else sorted."""
    seen: set[str] = set()
    order: list[str] = []
    for name, df in tables.items():
        if df is None or df.empty:
            continue
        seen |= {r for r in row_regions(df, name, tables) if r is not None}
        if "region" in df.columns and isinstance(df["region"].dtype, pd.CategoricalDtype) and not order:
            order = [str(c) for c in df["region"].cat.categories]
    rank = {r: i for i, r in enumerate(order)}
    return sorted(seen, key=lambda r: (rank.get(r, len(rank)), r))
