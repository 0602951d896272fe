"""Canonical (cleaned) table layouts and their pandera schemas, derived from :mod:`evalkit.ingest.spec`.

Column rules for ``data/processed/<table>.parquet``:

* ``nip`` becomes ``person_id`` (keyed pseudonym, see :mod:`evalkit.ingest.pseudonym`); ``name`` is dropped;
  ``employees`` gains ``sex`` (``"L"``/``"P"``), ``birth_year`` and ``appointment_year`` from the NIP,
  right after ``person_id``.
* dtypes by kind: ``date``/``month`` -> ``datetime64[ns]`` (a month is its first day); ``quarter`` ->
  ``"2023Q1"``, ``semester`` -> ``"2024S1"``, ``text``/``id`` -> pandas ``str``; ``int``/``likert5``/``skm4``
  -> nullable ``Int64``; ``float``/``rupiah``/``percent`` -> ``float64`` (percent as a share 0-1);
  ``yesno`` -> ``bool``, or nullable ``boolean`` for an optional yes/no column (see below) that has a missing
  value (:func:`yesno_dtype`: files that have the column give ``bool`` as before); ``category`` -> unordered
  ``Categorical`` with the spec's level order; ``region`` ->
  ``Categorical`` whose categories are the study regions (``config.REGIONS``) then any other region of
  Indonesia found in the data (:func:`region_dtype`).
* Key columns, required ``yesno`` columns and ``person_id`` are never missing; other columns may be (a blank
  cell, or an optional column a file does not have: an attendance list without "Lulus" leaves ``completed``
  unknown, not False). Exception: ``person_id`` of a table whose spec is ``anonymous`` (``reaction``: an
  anonymous questionnaire) is missing for answers without a NIP; its key is then unique only among the rows
  that have a ``person_id``.
* ``items`` (derived from ``reaction`` and ``followup``, see :data:`ITEMS_COLUMNS`): one row per answer row and
  question: ``table``, ``response_id`` (the row's position in the cleaned ``table``: ``reaction.iloc[id]``),
  ``programme_id``, ``person_id`` (missing for anonymous answers), ``rater_role`` (followup only), ``scale``,
  ``item`` (a default field name, or a key made from the question's wording), ``wording`` (the header as in
  the file) and ``score`` (1-5, missing for a blank answer); unique on (table, response_id, scale, item).

Examples
--------
>>> [c.name for c in output_columns("tests")]
['person_id', 'programme_id', 'pre_score', 'post_score']
>>> schema_for("tests").unique
['person_id', 'programme_id']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from evalkit import config
from evalkit.ingest.pseudonym import PSEUDONYM_HEX
from evalkit.ingest.spec import ITEMS_TABLE, OPTIONAL_REGION_TABLES, RAW_TABLES, ROLES_FOLLOWUP

if TYPE_CHECKING:
    import pandera.pandas as pa

__all__ = ["OutColumn", "output_columns", "output_key", "schema_for", "dtype_for", "yesno_dtype", "NULLABLE_KINDS",
           "ITEMS_COLUMNS"]

#: Kinds whose blank cells are kept as missing values (outside key columns).
NULLABLE_KINDS = frozenset({"text", "id", "region", "date", "month", "quarter", "semester", "rupiah", "int", "float",
                            "percent", "likert5", "skm4", "category"})

_SCALE = {"likert5": (1, 5), "skm4": (1, 4), "percent": (0, 1), "rupiah": (0, None)}


@dataclass(frozen=True)
class OutColumn:
    """One column of a cleaned table."""

    name: str
    kind: str
    nullable: bool
    levels: tuple[str, ...] | None = None
    bounds: tuple[float | None, float | None] = (None, None)
    #: written only when a file gives it (a training file's region where no staff or programme list does)
    optional: bool = False


def dtype_for(col: OutColumn) -> Any:
    """The pandas dtype of a cleaned column."""
    k = col.kind
    if k in ("date", "month"):
        return "datetime64[ns]"
    if k in ("int", "likert5", "skm4"):
        return "Int64"
    if k in ("float", "rupiah", "percent"):
        return "float64"
    if k == "yesno":
        return "bool"
    if k == "region":
        return region_dtype(())
    if k in ("category", "sex"):
        return pd.CategoricalDtype(list(col.levels or ()), ordered=False)
    if k in ("year", "count"):
        return "int64"
    return "str"


def yesno_dtype(col: OutColumn, has_missing: bool) -> str:
    """The dtype of a cleaned ``yesno`` column: ``bool`` unless the column is optional (nullable) and some
    value is missing (``boolean``, pandas' nullable bool). A file that has the column gives ``bool`` as
    before; only a column some file lacks becomes ``boolean``."""
    return "boolean" if col.nullable and has_missing else "bool"


def region_dtype(values) -> pd.CategoricalDtype:
    """Categories of a cleaned ``region`` column: any region of Indonesia can appear (the names come from
    :func:`evalkit.ingest.normalise.parse_region`). The categories are the regions found in the data: the
    configured study regions (``config.REGIONS``) among them first, in their order, then the others, sorted; a
    region without rows is never a category, so another office's tables name only its own regions."""
    found = {str(v) for v in values if v is not None and not pd.isna(v)}
    study = [r for r in config.REGIONS if r in found]
    return pd.CategoricalDtype(study + sorted(found - set(study)), ordered=False)


#: The columns of the derived ``items`` table (questionnaire answers in long form; see the module docstring).
ITEMS_COLUMNS: tuple[OutColumn, ...] = (
    OutColumn("table", "text", False),
    OutColumn("response_id", "count", False, bounds=(0, None)),
    OutColumn("programme_id", "id", False),
    OutColumn("person_id", "pseudonym", True),
    OutColumn("rater_role", "category", True, ROLES_FOLLOWUP),
    OutColumn("scale", "text", False),
    OutColumn("item", "text", False),
    OutColumn("wording", "text", False),
    OutColumn("score", "likert5", True, bounds=(1, 5)),
)


def output_columns(table: str) -> list[OutColumn]:
    """The columns of a cleaned table, in order (``items``: :data:`ITEMS_COLUMNS`)."""
    if table == ITEMS_TABLE:
        return list(ITEMS_COLUMNS)
    t = RAW_TABLES[table]
    out: list[OutColumn] = []
    for f in t.fields:
        if f.kind == "name":
            continue
        if f.kind == "nip":
            out.append(OutColumn("person_id", "pseudonym", t.anonymous))
            if table == "employees":
                out += [OutColumn("sex", "sex", False, ("L", "P")), OutColumn("birth_year", "year", False),
                        OutColumn("appointment_year", "year", False)]
            continue
        levels = None if f.kind == "region" else f.levels  # regions: see region_dtype
        bounds = tuple(f.bounds) if f.bounds != (None, None) else _SCALE.get(f.kind, (None, None))
        nullable = f.name not in t.key and (f.kind in NULLABLE_KINDS or (f.kind == "yesno" and not f.required))
        optional = f.kind == "region" and table in OPTIONAL_REGION_TABLES
        out.append(OutColumn(f.name, f.kind, nullable, levels, bounds, optional))  # type: ignore[arg-type]
    return out


def output_key(table: str) -> list[str]:
    """The unique key of a cleaned table (``nip`` replaced by ``person_id``)."""
    if table == ITEMS_TABLE:
        return ["table", "response_id", "scale", "item"]
    return ["person_id" if k == "nip" else k for k in RAW_TABLES[table].key]


def schema_for(table: str) -> pa.DataFrameSchema:
    """The pandera schema a cleaned table must satisfy: columns, dtypes, ranges, levels and a unique key."""
    import pandera.pandas as pa  # here, not at the top: pandera takes 0.2 s to import and only the cleaner needs it

    cols: dict[str, pa.Column] = {}
    for c in output_columns(table):
        checks = []
        lo, hi = c.bounds
        if lo is not None and hi is not None:
            checks.append(pa.Check.in_range(lo, hi))
        elif lo is not None:
            checks.append(pa.Check.ge(lo))
        elif hi is not None:
            checks.append(pa.Check.le(hi))
        if c.kind == "pseudonym":
            checks.append(pa.Check.str_matches(rf"^P[0-9a-f]{{{PSEUDONYM_HEX}}}$"))
        if c.kind == "quarter":
            checks.append(pa.Check.str_matches(r"^\d{4}Q[1-4]$"))
        if c.kind == "semester":
            checks.append(pa.Check.str_matches(r"^\d{4}S[12]$"))
        if c.kind == "year":
            checks.append(pa.Check.in_range(1900, 2100))
        dtype = dtype_for(c)
        if c.kind == "yesno" and c.nullable:  # bool, or boolean when a value is missing (yesno_dtype)
            dtype = None
            checks.append(pa.Check.isin([True, False]))
        elif c.kind == "region":  # categories depend on the data (region_dtype); names were checked when parsed
            dtype = "category"
        elif isinstance(dtype, pd.CategoricalDtype):
            checks.append(pa.Check.isin(list(dtype.categories)))
        cols[c.name] = pa.Column(dtype, checks=checks, nullable=c.nullable, required=not c.optional)
    key = output_key(table)
    # anonymous answers have no key: it holds among the rows with a person_id
    if table != ITEMS_TABLE and RAW_TABLES[table].anonymous:
        return pa.DataFrameSchema(cols, checks=[pa.Check(lambda df: _unique_named(df, key), name="unique_named_key",
                                                         error=f"{key} must be unique among the rows with a "
                                                               f"person_id")],
                                  strict=True, ordered=True, coerce=False, name=table)
    return pa.DataFrameSchema(cols, unique=key, strict=True, ordered=True, coerce=False, name=table)


def _unique_named(df: pd.DataFrame, key: list[str]) -> pd.Series:
    """True for each row, False for rows with a person_id whose key repeats (anonymous rows always pass)."""
    named = df["person_id"].notna()
    dup = df[key].duplicated(keep=False) & named
    return ~dup
