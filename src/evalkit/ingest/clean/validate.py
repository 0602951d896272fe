"""Schema validation of the cleaned tables: pandera on each column's distinct values when that is the same
test as on the whole frame (much faster on big tables), and the ``items`` table against its schema."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evalkit.ingest.clean.coded import _any_repeat, _has_repeats, _present
from evalkit.ingest.schemas import schema_for
from evalkit.ingest.spec import ITEMS_TABLE

#: pandera's built-in checks that test each value on its own: testing each distinct value once is the same test.
_ELEMENTWISE = frozenset({"in_range", "greater_than", "greater_than_or_equal_to", "less_than",
                          "less_than_or_equal_to", "equal_to", "not_equal_to", "isin", "notin", "str_matches",
                          "str_contains", "str_startswith", "str_endswith", "str_length"})


def _validate(schema: Any, frame: pd.DataFrame, parts: dict[str, tuple[np.ndarray, Any]],
              distinct_key_codes: bool = False) -> None:
    """``schema.validate(frame, lazy=True)``, done on each column's distinct values when that is the same test.

    ``parts``: column -> (codes, distinct values) with ``frame[column] == values[codes]``, as
    :meth:`_Runner.to_output` builds the frame. When every check of the schema tests values one at a time
    (:data:`_ELEMENTWISE`), pandera validates a small frame holding each column's distinct values (columns,
    order, dtypes, missing values and every check, as on the full frame), and the unique key is checked on the
    codes (``distinct_key_codes``: the caller knows the key codes of the rows are distinct). Only if that does
    not pass (or cannot be used) is the full frame validated, so a failure is always reported by pandera, row
    by row, exactly as before.
    """
    if not _passes_on_distinct(schema, frame, parts, distinct_key_codes):
        schema.validate(frame, lazy=True)


def _passes_on_distinct(schema: Any, frame: pd.DataFrame, parts: dict[str, tuple[np.ndarray, Any]],
                        distinct_key_codes: bool = False) -> bool:
    """True if ``frame`` passes ``schema`` for sure (see :func:`_validate`); False: not known this way."""
    import copy

    import pandera.errors as pe

    if not len(frame) or schema.checks or list(frame.columns) != list(parts):
        return False
    for col in schema.columns.values():
        if col.unique or col.regex or any(c.name not in _ELEMENTWISE for c in col.checks):
            return False
    used = {}  # each column's distinct values that occur in the frame
    for name, (k, v) in parts.items():
        seen = _present(k, len(v))
        used[name] = v if seen.all() else v[np.flatnonzero(seen)]
    lite = copy.deepcopy(schema)
    lite.unique = None
    try:  # the frame's layout (columns, order, dtypes) on its first distinct values, then each column's checks
        lite.validate(pd.DataFrame({name: x[:1] for name, x in used.items()}), lazy=True)  # on all its values
        for name, x in used.items():
            if len(x) > 1:
                schema.columns[name].validate(pd.DataFrame({name: x}), lazy=True)
    except (pe.SchemaErrors, pe.SchemaError):
        return False
    key = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
    if key:  # equal codes <=> equal values, if the key columns' values used are distinct
        if any(_has_repeats(used[c]) for c in key):
            return False
        if not distinct_key_codes and _any_repeat([parts[c][0] for c in key]):
            return False
    return True


def _validate_items(items: pd.DataFrame) -> None:
    """The items table against its schema (a guard: its values come from validated tables)."""
    schema_for(ITEMS_TABLE).validate(items, lazy=True)
